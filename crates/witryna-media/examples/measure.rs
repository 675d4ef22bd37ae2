//! Measures `process_image` on given files, or on generated 4000 × 3000 photo-like and 1600 × 900
//! logo-like images when none are given, and compares lossless WebP with JPEG/PNG at every variant width.
//!
//! ```text
//! cargo run --release -p witryna-media --example measure -- [IMAGE…]
//! ```

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Instant;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use witryna_media::{inspect, process_image, Limits, VARIANT_WIDTHS};

fn main() {
    let dir = std::env::temp_dir().join(format!("witryna-media-measure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        let photo = dir.join("photo.jpg");
        let mut bytes = Vec::new();
        generated_photo(4000, 3000).write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 90)).unwrap();
        std::fs::write(&photo, bytes).unwrap();
        let logo = dir.join("logo.png");
        let mut bytes = Cursor::new(Vec::new());
        generated_logo(1600, 900).write_to(&mut bytes, ImageFormat::Png).unwrap();
        std::fs::write(&logo, bytes.into_inner()).unwrap();
        files = vec![photo, logo];
    }
    for file in files {
        measure(&file);
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn measure(path: &Path) {
    let limits = Limits::default();
    let name = path.file_name().unwrap().to_string_lossy();
    let started = Instant::now();
    let format = match inspect(path, &name, &limits) {
        Ok(format) => format,
        Err(e) => {
            println!("{name}: refused: {e}");
            return;
        }
    };
    let inspected = started.elapsed();
    if !format.is_image() {
        println!("{name}: accepted as {format} ({}) in {inspected:.2?}", format.mime());
        return;
    }
    let processed = process_image(path, format, &limits).unwrap();
    let total = started.elapsed();
    let upload = std::fs::metadata(path).unwrap().len();
    println!(
        "{name}: {}×{} {format}, {upload} bytes; inspect {inspected:.2?}, inspect + process {total:.2?}",
        processed.full.width, processed.full.height
    );
    println!("  full: {} {} bytes", processed.full.format, processed.full.bytes.len());
    for v in &processed.variants {
        println!("  kept: {:>4}×{:<4} {:<4} {:>8} bytes", v.width, v.height, v.format, v.bytes.len());
    }

    // Every width, both encodings, whether kept or not (scaled straight from the full image).
    let image = image::open(path).unwrap();
    let transparent = image.color().has_alpha();
    for width in VARIANT_WIDTHS.into_iter().filter(|&w| w < image.width()) {
        let height = (u64::from(image.height()) * u64::from(width) / u64::from(image.width())) as u32;
        let scaled = image.resize_exact(width, height, FilterType::Lanczos3);
        let scaled = if transparent { DynamicImage::ImageRgba8(scaled.to_rgba8()) } else { scaled.to_rgb8().into() };
        let started = Instant::now();
        let (main_name, main) = if transparent {
            let mut out = Cursor::new(Vec::new());
            scaled.write_to(&mut out, ImageFormat::Png).unwrap();
            ("PNG", out.into_inner())
        } else {
            let mut out = Vec::new();
            scaled.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 80)).unwrap();
            ("JPEG q80", out)
        };
        let main_time = started.elapsed();
        let started = Instant::now();
        let mut webp = Vec::new();
        scaled.write_with_encoder(WebPEncoder::new_lossless(&mut webp)).unwrap();
        let webp_time = started.elapsed();
        println!(
            "  {width:>4} wide: {main_name} {:>8} bytes ({main_time:.2?}), lossless WebP {:>8} bytes ({webp_time:.2?})",
            main.len(),
            webp.len()
        );
    }
}

fn generated_photo(width: u32, height: u32) -> RgbImage {
    let mut state: u32 = 0x1234_5678;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state % 17) as i32 - 8;
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let r = 128.0 + 100.0 * (fx * 7.0 + fy * 3.0).sin();
        let g = 128.0 + 90.0 * (fy * 11.0).cos() * fx;
        let b = 80.0 + 120.0 * fy;
        let px = |v: f32| (v as i32 + noise).clamp(0, 255) as u8;
        Rgb([px(r), px(g), px(b)])
    })
}

fn generated_logo(width: u32, height: u32) -> RgbaImage {
    RgbaImage::from_fn(width, height, |x, y| {
        let (dx, dy) = (x as i64 - width as i64 / 3, y as i64 - height as i64 / 2);
        let r = i64::from(height / 3);
        if dx * dx + dy * dy < r * r {
            Rgba([200, 30, 40, 255])
        } else if x > width / 2 && (y / 60) % 3 == 0 && x < width - 80 {
            Rgba([20, 60, 160, 255])
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}
