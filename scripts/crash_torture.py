#!/usr/bin/env python3
"""Crash torture: `witryna serve` on sled, concurrent writers, `kill -9` at random moments.

Each cycle starts the server on the same folder, lets four clients create and publish pages
as fast as they can, kills the server with SIGKILL after a random 0.2-1.2 s, restarts it,
and checks that every write the server acknowledged (201 for a create, 200 for a publish)
is there, at least at the acknowledged version, and that the store opens cleanly.

    scripts/crash_torture.py [CYCLES] [BINARY]     # default 25 cycles, target/debug/witryna

Prints one line per cycle and a closing `crash: N passed, M failed`; exit 1 on any loss.
Only loopback traffic; every loop is bounded in count and time.
"""
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


def start(data):
    proc = subprocess.Popen([BINARY, "--data", data, "serve", "--addr", "127.0.0.1:0"],
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
        token = subprocess.run([BINARY, "--data", data, "token", "create", "--role", "editor"],
                               capture_output=True, check=True).stdout.decode().strip()
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
        # A last start checks the last cycle's writes.
        proc, addr = start(data)
        lost = len(lost_writes(addr, token, acked))
        proc.terminate()
        proc.wait(10)
        if lost:
            failed += 1
            print(f"final check: LOST {lost} acknowledged writes")
        print(f"crash torture: {CYCLES} kill -9 cycles, {total_acked} acknowledged items, {lost} lost")
    print(f"crash: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
