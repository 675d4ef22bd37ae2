#!/usr/bin/env python3
"""Crash torture: `witryna serve` on sled, concurrent writers, `kill -9` at random moments.

Each cycle starts the server on the same folder, lets four clients create and publish pages
as fast as they can, kills the server with SIGKILL after a random 0.2-1.2 s, restarts it,
and checks that every write the server acknowledged (201 for a create, 200 for a publish)
is there, at least at the acknowledged version, and that the store opens cleanly.

A webhook receiver on loopback (the server runs with --webhooks-allow-private) gets every
creation and publication; it answers 500 to the first try of one delivery in twenty, so
retries happen across the kills too. At the end every acknowledged change must have been
delivered at least once, every delivery must be of a change the store holds (none
invented), and every signature must verify (Python's hmac).

    scripts/crash_torture.py [CYCLES] [BINARY]     # default 25 cycles, target/debug/witryna

Prints one line per cycle and a closing `crash: N passed, M failed`; exit 1 on any loss.
Only loopback traffic; every loop is bounded in count and time.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

CYCLES = int(sys.argv[1]) if len(sys.argv) > 1 else 25
BINARY = sys.argv[2] if len(sys.argv) > 2 else "target/debug/witryna"
WRITERS = 4


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records each delivery: (webhook-id, event, item id, version, signature valid)."""
    got = []
    tried = set()
    secret = b""
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(min(int(self.headers.get("Content-Length", 0)), 1 << 20))
        wid, ts = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "")
        mac = hmac.new(Receiver.secret, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()
        valid = self.headers.get("webhook-signature", "") == "v1," + base64.b64encode(mac).decode()
        with Receiver.lock:
            first = wid not in Receiver.tried
            Receiver.tried.add(wid)
        if first and int(hashlib.sha256(wid.encode()).hexdigest(), 16) % 20 == 0:
            self.send_response(500)
            self.end_headers()
            return
        event = json.loads(body)
        with Receiver.lock:
            Receiver.got.append((wid, event["type"], event["data"]["id"], event["data"]["version"], valid))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def delivered_ok(addr, token, acked):
    """(missing acknowledged changes, invented deliveries, bad signatures)."""
    stored = stored_versions(addr, token)
    with Receiver.lock:
        got = list(Receiver.got)
    seen = {(kind, item, version) for _, kind, item, version, _ in got}
    missing = [(i, v) for i, v in acked.items()
               if ("item.created", i, 1) not in seen or (v >= 2 and ("item.published", i, 2) not in seen)]
    invented = [g for g in got if stored.get(g[2], 0) < g[3]]
    unsigned = [g for g in got if not g[4]]
    return missing, invented, unsigned


def start(data):
    proc = subprocess.Popen([BINARY, "--data", data, "serve", "--addr", "127.0.0.1:0", "--webhooks-allow-private"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "WITRYNA_LOG": "warn"})
    line = proc.stdout.readline().decode()
    if "http://" not in line:
        proc.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return proc, line.split("http://")[1].split()[0]


def request(method, url, token, body=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as res:
        return res.status, json.loads(res.read() or b"null")


def stored_versions(addr, token):
    """Every page's version, read through the listing (100 a request)."""
    versions, cursor = {}, None
    for _ in range(100_000):
        url = f"http://{addr}/api/v1/pages?preview=true&limit=100" + (f"&cursor={cursor}" if cursor else "")
        _, page = request("GET", url, token)
        for item in page["items"]:
            versions[item["id"]] = item["version"]
        cursor = page["next_cursor"]
        if not cursor:
            return versions
    raise RuntimeError("listing did not end")


def lost_writes(addr, token, acked):
    stored = stored_versions(addr, token)
    return [i for i, v in acked.items() if stored.get(i, 0) < v]


def writer(addr, token, acked, lock, stop, name):
    n = 0
    while not stop.is_set() and n < 10_000:
        n += 1
        try:
            status, item = request("POST", f"http://{addr}/api/v1/pages", token,
                                   {"content": {"title": f"Strona {name}-{n}-{random.random()}", "body": "treść"}})
            if status != 201:
                continue
            with lock:
                acked[item["id"]] = 1
            status, item = request("POST", f"http://{addr}/api/v1/pages/{item['id']}/publish", token)
            if status == 200:
                with lock:
                    acked[item["id"]] = max(acked[item["id"]], item["version"])
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            return  # the server is gone: this writer's cycle is over


def main():
    passed = failed = 0
    total_acked = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "site")
        proc, _ = start(data)
        proc.terminate()
        proc.wait(10)
        token = subprocess.run([BINARY, "--data", data, "token", "create", "--role", "admin"],
                               capture_output=True, check=True).stdout.decode().strip()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        proc, addr = start(data)
        _, hook = request("POST", f"http://{addr}/api/v1/webhooks", token,
                          {"name": "crash torture", "url": f"http://127.0.0.1:{server.server_port}/hook",
                           "events": ["item.created", "item.published"]})
        Receiver.secret = base64.b64decode(hook["secret"].split("_", 1)[1])
        proc.terminate()
        proc.wait(10)
        acked = {}
        lock = threading.Lock()
        for cycle in range(1, CYCLES + 1):
            proc, addr = start(data)
            # Everything acknowledged before the last crash must be there after the restart.
            missing = lost_writes(addr, token, acked)
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(addr, token, acked, lock, stop, f"{cycle}.{w}"))
                       for w in range(WRITERS)]
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.2, 1.2))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            stop.set()
            for t in threads:
                t.join(10)
            if missing:
                failed += 1
                print(f"cycle {cycle}: LOST {len(missing)} acknowledged writes: {missing[:5]}")
            else:
                passed += 1
                print(f"cycle {cycle}: restarted, all {len(acked)} acknowledged items so far present; writing, then kill -9")
            total_acked = len(acked)
        # A last start checks the last cycle's writes, and lets the outbox drain.
        proc, addr = start(data)
        lost = len(lost_writes(addr, token, acked))
        deadline = time.time() + 90
        while True:
            missing, invented, unsigned = delivered_ok(addr, token, acked)
            if not missing or time.time() > deadline:
                break
            time.sleep(1)
        proc.terminate()
        proc.wait(10)
        server.shutdown()
        if lost:
            failed += 1
            print(f"final check: LOST {lost} acknowledged writes")
        if missing or invented or unsigned:
            failed += 1
            print(f"webhooks: {len(missing)} acknowledged changes never delivered {missing[:3]}, "
                  f"{len(invented)} deliveries of changes the store lacks {invented[:3]}, {len(unsigned)} bad signatures")
        deliveries = len(Receiver.got)
        print(f"crash torture: {CYCLES} kill -9 cycles, {total_acked} acknowledged items, {lost} lost; "
              f"webhooks: {deliveries} deliveries received, {len(missing)} acknowledged changes missing, "
              f"{len(invented)} invented")
    print(f"crash: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
