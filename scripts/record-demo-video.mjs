// Records crates/witryna-media/demo/informacja-pjm.html (a canvas animation) to
// informacja-pjm.webm with chromium's MediaRecorder. Run by scripts/render-demo-media.sh;
// needs browser-tests' node_modules (npm ci there) and Debian's chromium.
//   node scripts/record-demo-video.mjs
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(resolve(root, 'browser-tests/package.json'));
const { chromium } = require('playwright-core');
const demo = resolve(root, 'crates/witryna-media/demo');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 640, height: 360 } });
await page.goto(pathToFileURL(resolve(demo, 'informacja-pjm.html')).href);
const base64 = await page.evaluate(() => window.record());
writeFileSync(resolve(demo, 'informacja-pjm.webm'), Buffer.from(base64, 'base64'));
await browser.close();
