#!/usr/bin/env python3
"""Write throughput of the JSON API: CLIENTS concurrent clients each create a news item and
publish it (two durable writes, each searchable when acknowledged), ITEMS in all, against a
running `witryna serve`; then one client alone for the single-write latency.

    scripts/write_load.py BASE_URL TOKEN [ITEMS=2000] [CLIENTS=8]

Prints items/s and requests/s of the concurrent run, and the median and p99 latency of a
write (a create or a publish) in both runs. scripts/write_load.sh starts the server.
"""

import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse


def client(base, token, items, latencies, errors, offset):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(method, path, body, extra=None):
        started = time.perf_counter()
        conn.request(method, path, body=json.dumps(body), headers={**headers, **(extra or {})})
        res = conn.getresponse()
        data = res.read()
        latencies.append(time.perf_counter() - started)
        if res.status >= 300:
            errors.append(f"{method} {path}: {res.status} {data[:200]!r}")
            return None
        return json.loads(data)

    for i in range(items):
        n = offset + i
        news = {
            "title": f"Zapis obciążeniowy nr {n}",
            "lead": "W Klubie Integracji Społecznej odbyło się spotkanie informacyjne.",
            "body": "W spotkaniu uczestniczyły 42 osoby korzystające z pomocy społecznej. " * 12,
            "author": "MOPS Kalisz",
            "tags": ["kis"],
        }
        created = send("POST", "/api/v1/news", {"content": news})
        if created is None:
            continue
        send("POST", f"/api/v1/news/{created['id']}/publish", {}, {"If-Match": f'"{created["version"]}"'})
    conn.close()


def run(base, token, items, clients, offset):
    latencies, errors = [], []
    per = items // clients
    threads = [
        threading.Thread(target=client, args=(base, token, per, latencies, errors, offset + c * per))
        for c in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return per * clients, elapsed, sorted(latencies), errors


def ms(seconds):
    return f"{seconds * 1000:.2f} ms"


def main():
    base, token = sys.argv[1], sys.argv[2]
    items = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    clients = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    done, elapsed, lat, errors = run(base, token, items, clients, 0)
    if errors:
        sys.exit(f"{len(errors)} writes failed, e.g. {errors[0]}")
    p99 = lat[int(len(lat) * 0.99) - 1]
    print(f"{clients} clients: {done} items (create + publish) in {elapsed:.1f} s: "
          f"{done / elapsed:.0f} items/s, {2 * done / elapsed:.0f} writes/s; "
          f"write latency median {ms(statistics.median(lat))}, p99 {ms(p99)}")
    single = max(items // 10, 50)
    done, elapsed, lat, errors = run(base, token, single, 1, items)
    if errors:
        sys.exit(f"{len(errors)} writes failed, e.g. {errors[0]}")
    p99 = lat[int(len(lat) * 0.99) - 1]
    print(f"1 client: {done} items in {elapsed:.1f} s: {done / elapsed:.0f} items/s; "
          f"write latency median {ms(statistics.median(lat))}, p99 {ms(p99)}")


if __name__ == "__main__":
    main()
