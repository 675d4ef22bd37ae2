#!/usr/bin/env python3
"""Hostile replay: the attacks found in the security review, against a real `witryna serve`.

Seeds a fresh sled folder with the demo content, makes an admin and an editor token with
`witryna token create` (the server stopped: sled locks its folder), starts the server on
127.0.0.1 with the hardening flags and replays, one check each:

    search-depth            huge search offsets (API `cursor`, site `od`) are refused, not run
    idle-connections        silent sockets beyond --max-connections are cut off, the site answers
    cache-amplification     300 distinct 60 kB URLs do not grow memory, the query is not echoed
    markdown-bombs          deep nesting is refused; feed rendering does not starve other requests
    open-redirect           `powrot=` of the settings links only leads back to this site
    forged-host             `Host` / `X-Forwarded-Proto` never reach pages or the feed
    control-characters      control characters in content are refused; the feed stays XML
    logging-and-body-timeout site requests are logged; the body timeout is a total, not per chunk
    uploads                 POST /api/v1/media: an endless file part is cut off at the size limit
                            (413, not held in memory), a form without its closing boundary is 400,
                            a multipart type without boundary 415, an SVG named .png refused
    upload-file-names       folders and control characters (C0, C1, bidi overrides) never reach a
                            stored file name; raw ones that break the part's header are a 400
    public-duties           audit filters out of range are 400s, the log is read-only and for
                            administrators; bad reasons are 422s; webhooks to private addresses
                            (however written) are refused
    secrets                 a failing `export --store` never prints the database password
    headers-and-misc        security headers, Secure cookie, javascript: shortcut targets, token
                            names, `--cors-origin '*'`, private permissions on the data folder
    login-limiter           (run last: it blocks the address for a minute) guesses are limited,
                            missing and valid credentials are not
    no-server-errors        no response in the whole run had a 5xx status
    server-alive            the server never died and still runs at the end

    python3 scripts/hostile.py [BINARY]     # default target/release/witryna

Prints `PASS name` or `FAIL name: why` per check and a closing `hostile: N passed, M failed`;
exit 1 if any check failed. A check that kills the server fails, and the server is restarted
on the same folder for the next check. Only loopback traffic; every loop is bounded in count
and time (the whole run takes well under two minutes); every server started is stopped, also
on errors and Ctrl-C.

Debugging aids (environment): HOSTILE_KEEP=1 keeps the temporary folder (data, server logs);
HOSTILE_OLD_FLAGS=1 leaves out the serve flags an older binary does not know
(--max-connections, --public-url, --cache-bytes), so that it starts at all — the checks that
rely on them then fail.
"""
import atexit
import collections
import copy
import http.client
import json
import os
import re
import select
import shutil
import signal
import urllib.parse
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/witryna")
HOST = "127.0.0.1"

MAX_CONNECTIONS = 64
HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
REQUEST_TIMEOUT = 10
PUBLIC_URL = "https://mops.example.pl"
CACHE_BYTES = 8 * 1024 * 1024
SERVE_FLAGS = [
    "--max-connections", str(MAX_CONNECTIONS),
    "--header-timeout", str(HEADER_TIMEOUT),
    "--body-timeout", str(BODY_TIMEOUT),
    "--request-timeout", str(REQUEST_TIMEOUT),
    "--public-url", PUBLIC_URL,
    "--cache-bytes", str(CACHE_BYTES),
]
NEW_FLAGS = {"--max-connections", "--public-url", "--cache-bytes"}  # dropped by HOSTILE_OLD_FLAGS=1
STARTUP_SECONDS = 60  # the first start seeds the demo and builds the search index

STARTED = []  # every server process started, for the exit handler
STATS = {"requests": 0, "server_errors": []}  # across the whole run


# --- servers ---------------------------------------------------------------------------

def serve_flags():
    if os.environ.get("HOSTILE_OLD_FLAGS") != "1":
        return list(SERVE_FLAGS)
    out, pairs = [], iter(SERVE_FLAGS)
    for flag, value in zip(pairs, pairs):
        if flag not in NEW_FLAGS:
            out += [flag, value]
    return out


def last_words(path, since, limit=300):
    """Why a server died or did not start, from its log after offset `since` (backtraces
    included): the panic and its message, an allocation failure, an error message, or else
    the last line."""
    try:
        with open(path, "rb") as f:
            f.seek(max(since, os.path.getsize(path) - 256 * 1024))
            lines = [l.strip() for l in f.read().decode(errors="replace").splitlines() if l.strip()]
    except OSError:
        return ""
    for i in range(len(lines) - 1, -1, -1):
        if "panicked at" in lines[i]:
            return " ".join(lines[i:i + 2])[-limit:]
        if "memory allocation of" in lines[i] or "stack overflow" in lines[i]:
            return lines[i][-limit:]
    for line in reversed(lines):
        if line.startswith(("error: ", "witryna: ")):
            return line[-limit:]
    return lines[-1][-limit:] if lines else ""


class Server:
    """One `witryna serve` on a data folder, its stderr appended to a log file."""

    def __init__(self, data, log, flags=(), seed=False):
        self.data, self.log, self.flags, self.seed = data, log, list(flags), seed
        self.proc = None
        self.port = None
        self.log_start = 0  # where this process's part of the log begins
        self.deaths = []  # what was found when the process had died: "exit code N: last log line"

    def start(self):
        cmd = [BINARY, "--data", self.data, "serve", "--addr", f"{HOST}:0"] + (["--demo"] if self.seed else [])
        with open(self.log, "ab") as log:
            self.log_start = log.tell()
            self.proc = subprocess.Popen(cmd + self.flags, stdout=subprocess.PIPE, stderr=log,
                                         env={**os.environ, "WITRYNA_LOG": "info"})
        STARTED.append(self.proc)
        line = self._first_line(STARTUP_SECONDS)
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.kill()
            why = last_words(self.log, self.log_start)
            raise RuntimeError(f"server did not start: {line.strip()!r}; log: {why}")
        self.port = int(m.group(1))
        # Nothing else is expected on stdout, but a full pipe must never block the server.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def _first_line(self, seconds):
        fd, buf, deadline = self.proc.stdout.fileno(), b"", time.monotonic() + seconds
        while b"\n" not in buf and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break  # exited
            buf += chunk
        return buf.decode(errors="replace").split("\n")[0]

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ensure_running(self):
        """Restarts a dead server (the folder keeps everything), noting how it died."""
        if self.proc is not None and not self.alive():
            self.deaths.append(f"exit code {self.proc.returncode}: {last_words(self.log, self.log_start)}")
            self.start()

    def stop(self):
        """SIGTERM, then SIGKILL if it is not gone in 15 s."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(10)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc/PID/status")

    def log_size(self):
        return os.path.getsize(self.log)

    def log_since(self, offset):
        with open(self.log, "rb") as f:
            f.seek(offset)
            return f.read(4 * 1024 * 1024).decode(errors="replace")


def kill_everything():
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


# --- HTTP ------------------------------------------------------------------------------

class Response:
    """A response, or status 0 with `error` when there was none (refused, reset, timeout)."""

    def __init__(self, status, headers, body, elapsed, error=None):
        self.status, self.headers, self.body, self.elapsed, self.error = status, headers, body, elapsed, error

    def header(self, name):
        return self.headers.get(name) if self.headers is not None else None

    def header_all(self, name):
        if self.headers is None:
            return []
        return self.headers.get_all(name) or []

    def json(self):
        return json.loads(self.body)

    def error_paths(self):
        try:
            return [e.get("path") for e in self.json().get("errors", [])]
        except (ValueError, AttributeError):
            return []

    def __str__(self):
        if self.status == 0:
            return f"no answer ({self.error})"
        paths = self.error_paths()
        return f"{self.status}" + (f" {paths}" if paths else "")


SRV = None  # the server the checks run against
TOKENS = {}  # role -> secret


def request(method, path, headers=None, body=None, token=None, timeout=10, port=None):
    """One request on a fresh connection. `body`: bytes, or anything else as JSON.
    Counts 5xx answers for the whole run. Never raises for network errors."""
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    if body is not None or method in ("POST", "PUT"):
        headers["Content-Length"] = str(len(body or b""))
    conn = http.client.HTTPConnection(HOST, port or SRV.port, timeout=timeout)
    start = time.monotonic()
    try:
        conn.putrequest(method, path, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        res = conn.getresponse()
        data = res.read()
    except (OSError, http.client.HTTPException) as e:
        return Response(0, None, b"", time.monotonic() - start, f"{type(e).__name__}: {e}")
    finally:
        conn.close()
    STATS["requests"] += 1
    if 500 <= res.status <= 599:
        STATS["server_errors"].append(f"{res.status} {method} {path[:60]}")
    return Response(res.status, res.headers, data, time.monotonic() - start)


def read_status(sock):
    """Reads one response's head from a raw socket; its status (also counted), or None at EOF."""
    buf = b""
    while b"\r\n\r\n" not in buf and len(buf) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        buf += chunk
    m = re.match(rb"HTTP/1\.[01] (\d{3})", buf)
    if not m:
        return None, buf
    status = int(m.group(1))
    STATS["requests"] += 1
    if 500 <= status <= 599:
        STATS["server_errors"].append(f"{status} (raw socket)")
    return status, buf


def read_response(sock):
    """Reads one whole response with a Content-Length body from a raw socket; its status."""
    status, buf = read_status(sock)
    head, _, body = buf.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    need = int(m.group(1)) if m else 0
    while len(body) < need:
        chunk = sock.recv(4096)
        if not chunk:
            break
        body += chunk
    return status


def closed_by_peer(sock, wait):
    """True if the server closes (or resets) the socket within `wait` s. A farewell answer
    (a 408) before the close is read over (and counted if it is a 5xx)."""
    deadline = time.monotonic() + wait
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            sock.settimeout(left)
            data = sock.recv(65536)
            if not data:
                return True
            if re.match(rb"HTTP/1\.[01] 5\d\d", data):
                STATS["server_errors"].append(data[:12].decode(errors="replace") + " (raw socket)")
    except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def news(**fields):
    content = {"title": "Kontrola bezpieczeństwa", "lead": "Krótko.", "body": "Treść *aktualności*.",
               "author": "MOPS", "tags": []}
    content.update(fields)
    return {"content": content}


def create_news(content_body, timeout=10):
    return request("POST", "/api/v1/news", body=content_body, token=TOKENS["editor"], timeout=timeout)


def publish(item_id):
    return request("POST", f"/api/v1/news/{item_id}/publish", token=TOKENS["editor"])


def delete_news(ids):
    for item_id in ids:
        request("DELETE", f"/api/v1/news/{item_id}", token=TOKENS["editor"])


def result(problems):
    return not problems, "; ".join(problems)


# --- the checks ------------------------------------------------------------------------

def survived(p, what, r):
    """Notes and restarts a server that `what` (answered `r`) killed, so the next request
    tests something."""
    if r.status == 0:
        try:
            SRV.proc.wait(2)  # an aborting process may take a moment to go
        except subprocess.TimeoutExpired:
            pass
    if not SRV.alive():
        p.append(f"{what} killed the server")
        SRV.ensure_running()


def check_search_depth():
    p = []
    for cursor in ["1000000000000", "18446744073709551615", "99999999999999999999999", "10000"]:
        r = request("GET", f"/api/v1/search?q=pomoc&cursor={cursor}")
        if r.status != 400 or "cursor" not in r.error_paths():
            p.append(f"API cursor={cursor}: {r}, expected 400 naming cursor")
        survived(p, f"API cursor={cursor}", r)
    r = request("GET", "/szukaj?q=pomoc&od=1000000000000")
    if r.status != 200:
        p.append(f"site od=1000000000000: {r}, expected 200")
    survived(p, "site od=1000000000000", r)
    # A cursor below the bound stays usable (the API may have handed it out); the page
    # just ends at 10 000 and offers no next cursor.
    r = request("GET", "/api/v1/search?q=pomoc&limit=100&cursor=9950")
    if r.status != 200 or r.json().get("next_cursor") is not None:
        p.append(f"API limit=100&cursor=9950: {r}, expected 200 without next_cursor")
    survived(p, "API limit=100&cursor=9950", r)
    r = request("GET", "/robots.txt")
    if r.status != 200:
        p.append(f"afterwards /robots.txt: {r}")
    return result(p)


IDLE_SOCKETS = 150


def count_closed(socks, closed):
    """Adds to `closed` the sockets the server has closed by now."""
    poller = select.poll()
    for s in socks:
        if s not in closed:
            poller.register(s, select.POLLIN)
    ready = {fd for fd, _ in poller.poll(0)}
    closed.update(s for s in socks if s not in closed and s.fileno() in ready and closed_by_peer(s, 0.2))


def check_idle_connections():
    p = []
    log_before = SRV.log_size()
    socks, refused = [], []
    t0 = time.monotonic()
    try:
        for _ in range(IDLE_SOCKETS):
            if time.monotonic() - t0 > 3:
                break
            try:
                socks.append(socket.create_connection((HOST, SRV.port), timeout=2))
            except OSError as e:
                refused.append(type(e).__name__)
        if len(socks) < MAX_CONNECTIONS:
            p.append(f"only {len(socks)} of {IDLE_SOCKETS} idle connections opened ({collections.Counter(refused)})")
        # While they are open, a normal visitor is served.
        answer = {}
        probe = threading.Thread(target=lambda: answer.update(r=request(
            "GET", "/robots.txt", timeout=HEADER_TIMEOUT + 4)), daemon=True)
        probe.start()
        # At the cap, surplus sockets wait in the kernel's backlog and are accepted (then
        # timed out) as slots free up: all must be gone after one header timeout per batch.
        rounds = -(-len(socks) // MAX_CONNECTIONS)
        deadline = t0 + rounds * HEADER_TIMEOUT + 1.5
        closed = set()
        while len(closed) < len(socks) and time.monotonic() < deadline:
            time.sleep(0.25)
            count_closed(socks, closed)
        if len(closed) < len(socks):
            p.append(f"{len(closed)} of {len(socks)} silent connections closed after "
                     f"{time.monotonic() - t0:.1f} s (want all within {rounds} x {HEADER_TIMEOUT} s + 1.5 s)")
        probe.join(HEADER_TIMEOUT + 5)
        r = answer.get("r")
        if r is None or r.status != 200 or r.elapsed > HEADER_TIMEOUT + 4:
            p.append(f"/robots.txt beside the idle sockets: {r or 'no answer'}"
                     + (f" in {r.elapsed:.1f} s" if r else ""))
    finally:
        for s in socks:
            s.close()
    grown = SRV.log_size() - log_before
    if grown >= 1_000_000:
        p.append(f"the log grew {grown} bytes")
    # A keep-alive connection that goes quiet after a request is closed too.
    with socket.create_connection((HOST, SRV.port), timeout=HEADER_TIMEOUT + 3) as s:
        s.sendall(f"GET /robots.txt HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        status = read_response(s)
        if status != 200:
            p.append(f"keep-alive: first request answered {status}")
        elif not closed_by_peer(s, HEADER_TIMEOUT + 2):
            p.append(f"keep-alive: a silent connection after one request still open after {HEADER_TIMEOUT + 2} s")
    return result(p)


# Long enough to cost memory in any cache keyed or filled by the URL, short enough to pass
# the `http` crate's limit of 65 534 bytes for a whole URI (longer ones are answered 414
# before the application sees them, so "64 KiB" would test nothing).
QUERY_BYTES = 60_000


def check_cache_amplification():
    p = []
    before = SRV.rss_kib()
    statuses = collections.Counter()
    echoed, log_before = 0, SRV.log_size()
    filler = "A" * QUERY_BYTES
    deadline = time.monotonic() + 40
    sent = 0
    for i in range(300):
        if time.monotonic() > deadline:
            p.append(f"stopped after {i} requests (40 s)")
            break
        path = f"/?x={i:04d}{filler}" if i % 2 == 0 else f"/aktualnosci?od={i:04d}{filler}"
        r = request("GET", path, timeout=REQUEST_TIMEOUT + 2)
        sent += 1
        statuses[r.status if r.status else r.error.split(":")[0]] += 1
        if r.status == 200 and b"A" * 1000 in r.body:
            echoed += 1
    grown = (SRV.rss_kib() - before) / 1024
    if grown >= 64:
        p.append(f"resident memory grew {grown:.0f} MiB over {sent} distinct {QUERY_BYTES // 1000} kB URLs "
                 "(limit 64 MiB)")
    if echoed:
        p.append(f"{echoed} pages echoed the long query (a run of 1000 'A')")
    if p:
        p.append(f"statuses {dict(statuses)}; the log grew {(SRV.log_size() - log_before) // 1024} KiB")
    return result(p)


def check_markdown_bombs():
    p, created = [], []
    try:
        r = create_news(news(body=">" * 199_000))
        if r.status == 201:
            created.append(r.json()["id"])
        if r.status != 422 or "content.body" not in r.error_paths():
            p.append(f"body '>'*199000: {r}, expected 422 naming content.body")
        for label, body in [("'*'*100000+'x'", "*" * 100_000 + "x"), ("'['*50000", "[" * 50_000)]:
            r = create_news(news(body=body), timeout=5)
            if r.status == 201:
                created.append(r.json()["id"])
            if r.status not in (201, 422) or r.elapsed > 5:
                p.append(f"body {label}: {r} after {r.elapsed:.1f} s, expected 422 or 201 within 5 s")
        # What was accepted goes into the feed, which renders every body.
        for item_id in created:
            r = publish(item_id)
            if r.status != 200:
                p.append(f"publishing an accepted bomb: {r}")
        atoms, stop = [], threading.Event()

        def feed_reader():
            end = time.monotonic() + 25
            for _ in range(50):
                if stop.is_set() or time.monotonic() > end:
                    return
                atoms.append(request("GET", "/atom.xml", timeout=REQUEST_TIMEOUT + 2))

        reader = threading.Thread(target=feed_reader, daemon=True)
        reader.start()
        time.sleep(0.2)
        slow = []
        for _ in range(10):
            r = request("GET", "/robots.txt", timeout=1)
            if r.status != 200 or r.elapsed > 1:
                slow.append(f"{r} in {r.elapsed:.1f} s")
            time.sleep(0.2)
        stop.set()
        reader.join(REQUEST_TIMEOUT + 3)
        if slow:
            feed = collections.Counter(a.status for a in atoms)
            p.append(f"/robots.txt beside a feed reader: {len(slow)} of 10 tries not answered within 1 s "
                     f"({slow[0]}); feed answers {dict(feed)}")
    finally:
        SRV.ensure_running()  # a crash is reported by the runner; the bombs must go
        delete_news(created)
    return result(p)


def check_open_redirect():
    p = []
    hostile = ["/%09/evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example",
               "/%0d%0aSet-Cookie:x=1", "%2F%2Fevil.example", "/%2F/evil.example"]
    for value, want in [(v, "/") for v in hostile] + [("/aktualnosci", "/aktualnosci")]:
        r = request("GET", f"/ustawienia/ustaw?c=1&powrot={value}")
        location = r.header("Location")
        if r.status != 303 or location != want:
            p.append(f"powrot={value}: {r} Location {location!r}, expected 303 to {want!r}")
        if location and (location.startswith("//") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in location)):
            p.append(f"powrot={value}: unsafe Location {location!r}")
    r = request("GET", "/nie-ma-takiej-strony")
    html = r.body.decode(errors="replace")
    back = "powrot=/nie-ma-takiej-strony" in html or "powrot=%2Fnie-ma-takiej-strony" in html
    if r.status != 404 or not back or "powrot=/404" in html or "powrot=%2F404" in html:
        found = sorted(set(re.findall(r'powrot=[^&"]*', html)))[:3]
        p.append(f"404 page: {r}, settings links should return to /nie-ma-takiej-strony (found: {found})")
    return result(p)


ATOM = "{http://www.w3.org/2005/Atom}"


def check_forged_host():
    p = []
    r = request("GET", "/", headers={"Host": "evil.example"})
    if b"evil.example" in r.body:
        p.append(f"GET / with Host: evil.example ({r}) put evil.example in the page")
    r = request("GET", "/")
    if b"evil.example" in r.body:
        p.append("a normal GET / afterwards contains evil.example (cache poisoned)")
    elif r.status != 200:
        p.append(f"a normal GET /: {r}")
    r = request("GET", "/atom.xml", headers={"X-Forwarded-Proto": 'javascript"><x'})
    if r.status != 200:
        p.append(f"/atom.xml with a forged X-Forwarded-Proto: {r}")
    else:
        if b"javascript" in r.body:
            p.append("the feed contains the forged X-Forwarded-Proto")
        try:
            feed = ET.fromstring(r.body)
            links = [l.get("href", "") for l in feed.iter(f"{ATOM}link")]
            foreign = [l for l in links if not l.startswith(PUBLIC_URL + "/")]
            if not links or foreign:
                p.append(f"feed links not under {PUBLIC_URL}/: {(foreign or ['(no links)'])[:2]}")
        except ET.ParseError as e:
            p.append(f"the feed is not XML: {e}")
    return result(p)


CONTROL_CHARACTERS = [
    ({"title": "A\u0001B"}, "content.title"),
    ({"body": "Tekst\u0000."}, "content.body"),
    ({"author": "MOPS\ufffe"}, "content.author"),
    ({"tags": ["a\u001fb"]}, "content.tags[0]"),
]


def check_control_characters():
    p, hostile = [], []
    try:
        for fields, path in CONTROL_CHARACTERS:
            r = create_news(news(**fields))
            if r.status == 201:
                hostile.append(r.json()["id"])
            if r.status != 422 or path not in r.error_paths():
                p.append(f"{json.dumps(fields)}: {r}, expected 422 naming {path}")
        r = create_news(news(title="A\tB"))
        if r.status == 201:
            hostile.append(r.json()["id"])
        elif r.status != 422:
            p.append(f"title with a tab: {r}, expected 201 or 422")
        r = create_news(news(title="Kontrola: poprawna aktualność"))
        if r.status != 201:
            p.append(f"a valid news item: {r}")
        else:
            r = publish(r.json()["id"])
            if r.status != 200:
                p.append(f"publishing a valid news item: {r}")
        # Whatever was wrongly accepted is published too: the feed must survive it.
        for item_id in hostile:
            publish(item_id)
        r = request("GET", "/atom.xml")
        try:
            ET.fromstring(r.body)
            if r.status != 200:
                p.append(f"/atom.xml: {r}")
        except ET.ParseError as e:
            p.append(f"/atom.xml ({r}) is not XML" + (" with the accepted items published" if hostile else "")
                     + f": {e}")
    finally:
        SRV.ensure_running()
        delete_news(hostile)
    return result(p)


HOSTILE_LOCALES = ["de", "PL", "pl%00", "a" * 5000, "%C3%A9n", "..%2f", "uk;drop", "%D1%83%D0%BA", "pl,en"]


def check_locales():
    """Languages as an attacker sends them: unknown or malformed `?locale=` is a 400 naming
    it; unknown prefixes and slugs under /en/ and /uk/ are 404s; translation writes with a
    missing or wrong locale, a drifting shared field or a second translation are typed
    errors; eight racing translations into one language leave exactly one."""
    p, made = [], []
    try:
        for value in HOSTILE_LOCALES:
            for path in (f"/api/v1/news?locale={value}", f"/api/v1/search?q=kis&locale={value}",
                         f"/api/v1/news/spotkanie-informacyjne-w-klubie-integracji-spolecznej?locale={value}"):
                r = request("GET", path)
                if r.status != 400 or "locale" not in r.error_paths():
                    p.append(f"GET {path[:80]}: {r}, expected 400 naming locale")
        for path in ("/uk/novyny/%00", "/en/news/" + "x" * 3000, "/de/", "/uk/novyny/..%2f..%2fetc", "/en/news/%ff%fe"):
            r = request("GET", path)
            if r.status not in (400, 404):
                p.append(f"GET {path[:60]}: {r}, expected 404")
        event = {"date": "2026-12-03", "place": "Sala"}
        r = create_news(news(title="Kontrola tłumaczeń", event=event))
        if r.status != 201:
            return result([f"a source news item: {r}"])
        source = r.json()["id"]
        made.append(source)
        translations = f"/api/v1/news/{source}/translations"
        content = news(title="Контроль перекладів")["content"]
        cases = [
            ({"content": content}, 422, "locale"),
            ({"locale": 7, "content": content}, 422, "locale"),
            ({"locale": "de", "content": content}, 422, "locale"),
            ({"locale": "pl", "content": content}, 422, "locale"),
            ({"locale": "uk", "content": dict(content, event={"date": "2026-12-24"})}, 422, "content.event.date"),
            ({"locale": "uk", "content": dict(content, title="")}, 422, "content.title"),
            ({"locale": "uk", "content": content, "colour": 1}, 422, "colour"),
        ]
        for body, status, path in cases:
            r = request("POST", translations, body=body, token=TOKENS["editor"])
            if r.status != status or path not in r.error_paths():
                p.append(f"POST translations {json.dumps(body)[:100]}: {r}, expected {status} naming {path}")
        answers = []

        def translate(i):
            body = {"locale": "uk", "content": dict(content, title=f"Переклад {i}")}
            answers.append(request("POST", translations, body=body, token=TOKENS["editor"]))

        racers = [threading.Thread(target=translate, args=(i,)) for i in range(8)]
        for t in racers:
            t.start()
        for t in racers:
            t.join()
        won = [r for r in answers if r.status == 201]
        made.extend(r.json()["id"] for r in won)
        lost = [r for r in answers if r.status == 409]
        if len(won) != 1 or len(lost) != 7:
            p.append(f"8 racing translations into uk: {[r.status for r in answers]}, expected one 201 and seven 409")
        group = request("GET", f"/api/v1/news/{source}?preview=true", token=TOKENS["editor"])
        if group.status != 200 or len(group.json().get("translations", [])) != 1:
            p.append(f"the source lists {group.json().get('translations') if group.status == 200 else group}, expected one translation")
    finally:
        SRV.ensure_running()
        delete_news(reversed(made))
    return result(p)


UPLOAD_LIMIT = 25 * 1024 * 1024  # `witryna serve`'s default --max-upload-mb, which the run keeps
BOUNDARY = "hostile-upload-5a1d"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


SSRF_URLS = [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.1/", "http://192.168.0.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
    "http://0x7f000001/", "http://2130706433/", "http://127.1/", "http://[fe80::1]/", "http://[fd00::1]/",
    "file:///etc/passwd", "gopher://127.0.0.1:25/", "http://user:pass@example.org/",
]


def check_public_duties():
    """The audit log, reasons and webhooks as an attacker sends them: audit filters and cursors
    out of range are 400s naming them; an editor cannot read the log and nothing writes it;
    reasons too long or with control characters are 422s naming `reason`, writing nothing;
    webhook endpoints on loopback, private, link-local or written-oddly addresses (hex,
    decimal, short IPv4, v4-mapped IPv6) and other schemes are refused, naming `url`."""
    p, made = [], []
    try:
        for query, name in (("limit=99999999999999999999999", "limit"), ("cursor=18446744073709551616", "cursor"),
                            ("cursor=-1", "cursor"), ("action=%3Cscript%3E", "action"), ("actor=%00", "actor"),
                            ("item=" + "9" * 5000, "item"), ("from=2026-02-30", "from")):
            r = request("GET", f"/api/v1/audit?{query}", token=TOKENS["admin"])
            if r.status != 400 or name not in r.error_paths():
                p.append(f"GET /api/v1/audit?{query[:40]}: {r}, expected 400 naming {name}")
        r = request("GET", "/api/v1/audit", token=TOKENS["editor"])
        if r.status != 403:
            p.append(f"an editor reads the audit log: {r}")
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = request(method, "/api/v1/audit", body={"action": "login"}, token=TOKENS["admin"])
            if r.status != 405:
                p.append(f"{method} /api/v1/audit: {r}, expected 405")
        before = request("GET", "/api/v1/audit?limit=1", token=TOKENS["admin"]).json()["items"][0]["seq"]
        r = create_news(news(title="Kontrola powodów"))
        if r.status != 201:
            return result([f"a news item: {r}"])
        item = r.json()["id"]
        made.append(item)
        publish(item)
        for reason in ("x" * 501, "powód\u0007z dzwonkiem", "a\nb", 7):
            r = request("PUT", f"/api/v1/news/{item}", body=dict(news(title="Zmiana"), reason=reason),
                        headers={"If-Match": "*"}, token=TOKENS["editor"])
            if r.status != 422 or "reason" not in r.error_paths():
                p.append(f"PUT with reason {str(reason)[:20]!r}: {r}, expected 422 naming reason")
        r = request("PUT", f"/api/v1/news/{item}", body=news(title="Zmiana bez powodu"), headers={"If-Match": "*"},
                    token=TOKENS["editor"])
        if r.status != 422 or "reason" not in r.error_paths():
            p.append(f"a public change without a reason: {r}, expected 422 naming reason")
        after = request("GET", f"/api/v1/audit?item={item}", token=TOKENS["admin"]).json()["items"]
        if [e["action"] for e in after] != ["published", "created"] or after[-1]["seq"] <= before:
            p.append(f"refused writes were logged: {[e['action'] for e in after]}")
        for url in SSRF_URLS:
            r = request("POST", "/api/v1/webhooks", body={"name": "x", "url": url}, token=TOKENS["admin"])
            if r.status != 422 or "url" not in r.error_paths():
                p.append(f"webhook to {url}: {r}, expected 422 naming url")
        r = request("POST", "/api/v1/webhooks", body={"name": "x", "url": "https://example.org/"}, token=TOKENS["editor"])
        if r.status != 403:
            p.append(f"an editor registers a webhook: {r}")
    finally:
        delete_news(made)
    return result(p)


def pdf_bytes(tag):
    """A small complete PDF, different for every `tag` (the library keeps a file once)."""
    return (b"%PDF-1.4\n%" + tag.encode() + b"\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def form_part(name, value, filename=None, content_type=b"application/octet-stream"):
    """One part of a multipart/form-data body; `filename` (bytes) is sent as it is."""
    disposition = b'form-data; name="' + name.encode() + b'"'
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    head = b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: " + disposition + b"\r\n"
    if filename is not None:
        head += b"Content-Type: " + content_type + b"\r\n"
    return head + b"\r\n" + value + b"\r\n"


def form_end():
    return b"--" + BOUNDARY.encode() + b"--\r\n"


def upload(body, headers=None, timeout=20):
    return request("POST", "/api/v1/media", headers=headers or MULTIPART, body=body, token=TOKENS["editor"],
                   timeout=timeout)


def media_ids():
    """The ids of every media item (drafts included); None if the list cannot be read."""
    r = request("GET", "/api/v1/media?preview=true&limit=100", token=TOKENS["editor"])
    return {item["id"] for item in r.json()["items"]} if r.status == 200 else None


def delete_media(ids):
    for item_id in ids:
        request("DELETE", f"/api/v1/media/{item_id}", token=TOKENS["editor"])


def endless_upload(declared):
    """Sends a form whose file part goes on for `declared` bytes (the Content-Length says
    so), reading while sending. Returns the status answered (None: closed without one),
    the bytes of the part sent, and how the connection ended."""
    start = (form_part("title", b"Bez konca") + b"--" + BOUNDARY.encode()
             + b'\r\nContent-Disposition: form-data; name="file"; filename="bez-konca.pdf"\r\n'
             + b"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
    head = (f"POST /api/v1/media HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {TOKENS['editor']}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(start) + declared}\r\n\r\n").encode()
    chunk = b"A" * 65536
    sent, status, ending = 0, None, "still open"
    deadline = time.monotonic() + 40
    with socket.create_connection((HOST, SRV.port), timeout=10) as s:
        s.sendall(head + start)
        s.setblocking(False)
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([s], [s] if sent < declared else [], [], 1.0)
            if readable:
                break
            if writable:
                try:
                    sent += s.send(chunk[:declared - sent])
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    ending = "reset while sending"
                    break
        s.settimeout(10)
        try:
            status, _ = read_status(s)
        except (ConnectionResetError, socket.timeout) as e:
            ending = f"no answer ({type(e).__name__})"
        if status is not None:
            ending = "closed after the answer" if closed_by_peer(s, 5) else "left open after the answer"
    return status, sent, ending


def check_uploads():
    p, created = [], set()
    before = media_ids()
    if before is None:
        return result(["GET /api/v1/media?preview=true with the editor token failed"])
    try:
        # 30 MB of file against the 25 MB limit: refused once the limit is passed, without
        # holding the upload in memory, and the server goes on.
        rss = SRV.rss_kib()
        started = time.monotonic()
        status, sent, ending = endless_upload(30 * 1024 * 1024)
        grown = (SRV.rss_kib() - rss) / 1024
        if status != 413:
            p.append(f"a 30 MB file part (limit 25 MB): {status or 'no status'} after {sent >> 20} MB sent in "
                     f"{time.monotonic() - started:.1f} s ({ending}), expected 413")
        elif ending == "left open after the answer":
            p.append("the connection of a refused 30 MB upload was left open after the 413")
        if grown >= 64:
            p.append(f"resident memory grew {grown:.0f} MiB over a 30 MB upload (limit 64 MiB)")
        survived(p, "a 30 MB upload", request("GET", "/robots.txt"))
        # A form cut before its closing boundary.
        r = upload(form_part("title", b"Bez konca formularza")
                   + form_part("file", pdf_bytes("no-end"), b"wniosek.pdf", b"application/pdf"))
        if r.status != 400:
            p.append(f"a form without its closing boundary: {r}, expected 400")
        survived(p, "a form without its end", r)
        # The multipart type without its boundary parameter.
        body = form_part("title", b"Bez granicy") + form_part("file", pdf_bytes("no-boundary"), b"a.pdf") + form_end()
        r = upload(body, headers={"Content-Type": "multipart/form-data"})
        if r.status != 415:
            p.append(f"Content-Type multipart/form-data without boundary: {r}, expected 415")
        # An SVG (with a script) named .png.
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
        r = upload(form_part("title", b"Logo") + form_part("file", svg, b"logo.png", b"image/png") + form_end())
        if r.status not in (415, 422) or "file" not in r.error_paths():
            p.append(f"an SVG named logo.png: {r}, expected 415 or 422 naming file")
        if r.status in (200, 201):
            created.add(r.json()["id"])
        after = media_ids()
        if after is not None:
            created |= after - before
            if after - before:
                p.append(f"{len(after - before)} media item(s) were made by refused uploads")
        elif not SRV.alive():
            p.append("the server died")
    finally:
        SRV.ensure_running()
        delete_media(created)
    return result(p)


# File names as a hostile client sends them in the part's header (bytes, unescaped).
# A raw CR, LF, NUL or other control byte breaks the header itself: 400, or a clean name.
HOSTILE_FILE_NAMES = [
    b"../../etc/passwd\r\n.pdf",
    b"../../etc/passwd\x07\x1b[2J.pdf",
    b"..\\..\\Windows\\System32\\passwd\t.pdf",
    b"/etc/cron.d/\xc2\x85passwd\xc2\x9b.pdf",  # C1 controls (NEL, CSI) in UTF-8
    "wniosek\u202etxt.pdf".encode(),  # a right-to-left override: shown as "wniosekfdp.txt"
    "..\u2066/..\u2069/etc/passwd.pdf".encode(),  # isolates around the slashes
]


def unsafe_name(name):
    """Why a stored file name is unsafe, or None."""
    if "/" in name or "\\" in name:
        return "it has folders"
    if name.startswith(".."):
        return "it starts with .."
    for c in name:
        n = ord(c)
        if n < 0x20 or 0x7F <= n <= 0x9F:
            return f"it holds the control character U+{n:04X}"
        if 0x202A <= n <= 0x202E or 0x2066 <= n <= 0x2069 or n in (0x200E, 0x200F, 0x061C):
            return f"it holds the bidi control U+{n:04X}"
    return None


def check_upload_file_names():
    p, created = [], set()
    try:
        for i, name in enumerate(HOSTILE_FILE_NAMES):
            body = (form_part("title", b"Wniosek") + form_part("file", pdf_bytes(f"name-{i}"), name, b"application/pdf")
                    + form_end())
            r = upload(body)
            if r.status in (200, 201):
                item = r.json()
                created.add(item["id"])
                stored = item["content"]["file"]["name"]
                why = unsafe_name(stored)
                if why:
                    p.append(f"filename {name!r} was stored as {stored!r}: {why}")
            elif r.status != 400 and (r.status != 422 or "file" not in r.error_paths()):
                p.append(f"filename {name!r}: {r}, expected 201 with a clean name, 400 or 422 naming file")
            survived(p, f"filename {name!r}", r)
    finally:
        SRV.ensure_running()
        delete_media(created)
    return result(p)


def check_logging_and_body_timeout():
    p = []
    offset = SRV.log_size()
    r = request("GET", "/aktualnosci")
    logged = False
    for _ in range(20):  # the log is written as the response goes out: give it up to 2 s
        if "/aktualnosci" in SRV.log_since(offset):
            logged = True
            break
        time.sleep(0.1)
    if not logged:
        p.append(f"GET /aktualnosci ({r}) left no line mentioning /aktualnosci in the log")
    # A body trickled one byte a second: cut off once the body timeout is spent in total.
    head = (f"POST /api/v1/news HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {TOKENS['editor']}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n")
    limit = BODY_TIMEOUT + 3
    with socket.create_connection((HOST, SRV.port), timeout=5) as s:
        s.sendall(head.encode())
        start = time.monotonic()
        outcome = None
        for _ in range(100):
            try:
                s.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                outcome = "closed"
                break
            left = start + limit - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([s], [], [], min(1.0, left))
            if ready:
                try:
                    status, _ = read_status(s)
                except (ConnectionResetError, socket.timeout):
                    status = None
                outcome = "closed" if status is None else status
                break
            if time.monotonic() - start > limit:
                break
        elapsed = time.monotonic() - start
    if outcome is None:
        p.append(f"a body trickled at 1 byte/s was still being read after {elapsed:.1f} s "
                 f"(body timeout {BODY_TIMEOUT} s, limit {limit} s)")
    elif outcome != "closed" and outcome != 408:
        p.append(f"a trickled body was answered {outcome} after {elapsed:.1f} s, expected 408 or a close")
    return result(p)


def check_secrets(tmp):
    p = []
    secrets = ["sekret-kv", "sek%72et-pct", "sekret-pct"]
    stores = ["host=127.0.0.1 port=5432 user=postgres password=sekret-kv dbname=witryna_no_such_db",
              "postgres://postgres@127.0.0.1:5432/witryna_no_such_db?password=sek%72et-pct"]
    for i, store in enumerate(stores, 1):
        try:
            run = subprocess.run([BINARY, "export", "--store", store], cwd=tmp, capture_output=True, timeout=20)
            code, out = run.returncode, run.stdout + run.stderr
        except subprocess.TimeoutExpired as e:
            code, out = "timeout", (e.stdout or b"") + (e.stderr or b"")
            p.append(f"store {i}: export did not end within 20 s")
        text = out.decode(errors="replace")
        if code == 0:
            p.append(f"store {i}: export exited 0")
        leaked = [s for s in secrets if s in text]
        if leaked:
            line = next(l for l in text.splitlines() if any(s in l for s in leaked))
            p.append(f"store {i}: the output shows {leaked}: {line.strip()[:200]!r}")
    return result(p)


def check_headers_and_misc(tmp):
    p = []
    r = request("GET", "/")
    csp = r.header("Content-Security-Policy") or ""
    if not csp:
        p.append("GET / has no Content-Security-Policy")
    if (r.header("X-Content-Type-Options") or "").strip().lower() != "nosniff":
        p.append("GET / has no X-Content-Type-Options: nosniff")
    if not r.header("Referrer-Policy"):
        p.append("GET / has no Referrer-Policy")
    if not r.header("X-Frame-Options") and "frame-ancestors" not in csp:
        p.append("GET / has no frame protection (X-Frame-Options or CSP frame-ancestors)")
    r = request("GET", "/ustawienia/ustaw?c=1&powrot=/")
    cookies = r.header_all("Set-Cookie")
    if not any("secure" in [a.strip().lower() for a in c.split(";")] for c in cookies):
        p.append(f"the settings cookie is not Secure behind an https public URL: {cookies}")
    # A javascript: target for a keyboard shortcut.
    r = request("GET", "/api/v1/settings/accessibility")
    if r.status != 200:
        p.append(f"GET settings: {r}")
    else:
        item = r.json()
        original = item["content"]
        if not original.get("keyboard_shortcuts"):
            p.append("the demo settings have no keyboard_shortcuts to change")
        else:
            changed = copy.deepcopy(original)
            changed["keyboard_shortcuts"][0]["target"] = "javascript:alert(1)"
            r = request("PUT", "/api/v1/settings/accessibility", body={"content": changed},
                        headers={"If-Match": f'"{item["version"]}"'}, token=TOKENS["admin"])
            if r.status != 422 or not any("keyboard_shortcuts[0].target" in (x or "") for x in r.error_paths()):
                p.append(f"shortcut target javascript:alert(1): {r}, expected 422 naming keyboard_shortcuts[0].target")
            if r.status == 200:  # put the settings back
                request("PUT", "/api/v1/settings/accessibility", body={"content": original},
                        headers={"If-Match": f'"{r.json()["version"]}"'}, token=TOKENS["admin"])
    r = request("POST", "/api/v1/tokens", body={"role": "editor", "name": "x\u0007y"}, token=TOKENS["admin"])
    if r.status != 422:
        p.append(f"token name with BEL: {r}, expected 422")
        if r.status == 201:
            request("DELETE", f"/api/v1/tokens/{r.json()['id']}", token=TOKENS["admin"])
    # CORS with '*'.
    cors = Server(os.path.join(tmp, "cors-site"), os.path.join(tmp, "cors.log"), ["--cors-origin", "*"])
    try:
        cors.start()
        r = request("GET", "/api/v1/news", headers={"Origin": "https://a.example"}, port=cors.port)
        if not r.header("Access-Control-Allow-Origin"):
            p.append(f"--cors-origin '*': GET /api/v1/news with an Origin ({r}) has no Access-Control-Allow-Origin")
    except RuntimeError as e:
        p.append(f"--cors-origin '*': {e}")
    finally:
        cors.stop()
    # Permissions of the data folder.
    mode = stat.S_IMODE(os.stat(SRV.data).st_mode)
    if mode != 0o700:
        p.append(f"the data folder has mode {mode:o}, expected 700")
    readable = []
    for root, dirs, files in os.walk(SRV.data):
        for name in dirs + files:
            path = os.path.join(root, name)
            if os.lstat(path).st_mode & 0o004:
                readable.append(os.path.relpath(path, SRV.data))
    if readable:
        p.append(f"{len(readable)} entries readable by others, e.g. {readable[:3]}")
    return result(p)


def check_login_limiter():
    p = []
    item = news(title="Kontrola limitu logowań")
    statuses = collections.Counter(request("POST", "/api/v1/news", body=item).status for _ in range(25))
    if set(statuses) != {401}:
        p.append(f"25 creates without Authorization: {dict(statuses)}, expected all 401")
    guesses = [request("POST", "/api/v1/news", body=item, headers={"Authorization": f"Bearer wrong-{n}"})
               for n in range(25)]
    if any(g.status not in (401, 429) for g in guesses):
        p.append(f"wrong tokens: {dict(collections.Counter(g.status for g in guesses))}")
    if not all(g.status == 429 and g.header("Retry-After") for g in guesses[-5:]):
        p.append(f"the last 5 of 25 wrong tokens: {[str(g) for g in guesses[-5:]]}, expected 429 with Retry-After")
    r = request("GET", "/api/v1/news?preview=true", headers={"Authorization": "Bearer wrong-preview"})
    if r.status != 429:
        p.append(f"preview with a wrong token while blocked: {r}, expected 429")
    r = request("GET", "/api/v1/news?preview=true", token=TOKENS["editor"])
    if r.status != 200:
        p.append(f"preview with the valid editor token while blocked: {r}, expected 200")
    r = request("POST", "/api/v1/news", body=item, token=TOKENS["editor"])
    if r.status != 201:
        p.append(f"create with the valid editor token while blocked: {r}, expected 201")
    else:
        delete_news([r.json()["id"]])
    r = request("GET", "/api/v1/news?preview=true", headers={"Authorization": f"BEARER {TOKENS['editor']}"})
    if r.status != 200:
        p.append(f"'BEARER <valid>' (scheme in upper case): {r}, expected 200")
    return result(p)


def check_admin_forms():
    """The editor interface (issue 12) to a client without a session or from another site:
    redirects to the login page, refuses cross-origin and token-less posts, oversized forms
    and forged cookies without a 500, and never sends a browser off the site."""
    p = []
    origin = PUBLIC_URL  # forms must come from the configured public address
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = request("GET", "/admin")
    if r.status != 303 or not (r.header("Location") or "").startswith("/admin/logowanie"):
        p.append(f"/admin without a session: {r}, expected 303 to the login page")
    body = b"email=a%40b.pl&haslo=zielona+laka+nad+Warta&_csrf=x"
    r = request("POST", "/admin/logowanie", headers={**form, "Origin": "http://evil.example"}, body=body)
    if r.status != 403:
        p.append(f"cross-origin login post: {r}, expected 403")
    r = request("POST", "/admin/logowanie", headers={**form, "Origin": origin}, body=body)
    if r.status != 403:
        p.append(f"login post without the form's cookie: {r}, expected 403")
    r = request("POST", "/admin/logowanie", headers={**form, "Origin": origin}, body=b"a=" + b"x" * (3 << 20))
    if r.status != 413 and r.status != 0:
        p.append(f"3 MB login form: {r}, expected 413")
    survived(p, "a 3 MB form", r)
    for cookie in ["__Host-witryna-sesja=" + "a" * 5000, "__Host-witryna-sesja=wss_" + "0" * 64,
                   "__Host-witryna-sesja=;;;=;", "__Host-witryna-sesja=%00%ff", "witryna-sesja=wss_" + "0" * 64]:
        r = request("GET", "/admin/aktualnosci", headers={"Cookie": cookie})
        if r.status != 303:
            p.append(f"forged session cookie {cookie[:30]!r}: {r}, expected 303 to the login page")
    r = request("POST", "/admin/aktualnosci/nowy", headers={**form, "Origin": origin}, body=b"title=x")
    if r.status != 303:
        p.append(f"a write without a session: {r}, expected 303 to the login page")
    for target in ["//evil.example/", "/\\evil.example", "https://evil.example/", "/admin/../..//evil.example"]:
        r = request("GET", "/admin/logowanie?powrot=" + urllib.parse.quote(target, safe=""))
        if r.status != 200 or b"evil.example" in r.body:
            p.append(f"login page with powrot={target!r}: {r}, the address must not reach the page")
    for path in ["/admin/%2e%2e/%2e%2e/etc/passwd", "/admin/aktualnosci/%00", "/admin/pierwsze-konto/" + "a" * 3000,
                 "/admin/podglad/wsp_zzz", "/admin/nie-ma-takiej-sekcji"]:
        r = request("GET", path)
        if r.status not in (303, 404):
            p.append(f"GET {path[:50]}: {r}, expected 303 or 404")
    return result(p)


# --- the run ---------------------------------------------------------------------------

def setup(tmp):
    """Seeds the folder, makes the tokens (server stopped), starts the server for the checks."""
    global SRV
    data, log = os.path.join(tmp, "site"), os.path.join(tmp, "witryna.log")
    seeder = Server(data, log, seed=True)
    seeder.start()
    seeder.stop()
    if seeder.proc.returncode not in (0, -signal.SIGTERM):
        raise RuntimeError(f"the seeding server exited {seeder.proc.returncode} after SIGTERM")
    for role in ("admin", "editor"):
        run = subprocess.run([BINARY, "--data", data, "token", "create", "--role", role, "--name", f"hostile-{role}"],
                             capture_output=True, timeout=30)
        secret = run.stdout.decode().strip()
        if run.returncode != 0 or not secret or "\n" in secret:
            raise RuntimeError(f"token create --role {role}: exit {run.returncode}: {run.stderr.decode().strip()}")
        TOKENS[role] = secret
    SRV = Server(data, log, serve_flags())
    SRV.start()


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up on SIGTERM too
    atexit.register(kill_everything)
    tmp = tempfile.mkdtemp(prefix="hostile-")
    checks = [
        ("search-depth", check_search_depth),
        ("idle-connections", check_idle_connections),
        ("cache-amplification", check_cache_amplification),
        ("markdown-bombs", check_markdown_bombs),
        ("open-redirect", check_open_redirect),
        ("forged-host", check_forged_host),
        ("control-characters", check_control_characters),
        ("locales", check_locales),
        ("public-duties", check_public_duties),
        ("logging-and-body-timeout", check_logging_and_body_timeout),
        ("uploads", check_uploads),
        ("upload-file-names", check_upload_file_names),
        ("secrets", lambda: check_secrets(tmp)),
        ("headers-and-misc", lambda: check_headers_and_misc(tmp)),
        ("admin-forms", check_admin_forms),
        ("login-limiter", check_login_limiter),  # last: it blocks 127.0.0.1 for a minute
    ]
    passed = failed = 0

    def report(name, ok, detail):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"PASS {name}", flush=True)
        else:
            failed += 1
            print(f"FAIL {name}: {' '.join(detail.split())[:1200]}", flush=True)

    try:
        try:
            setup(tmp)
            broken = None
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            broken = f"setup failed: {e}"
        for name, check in checks:
            if broken:
                report(name, False, broken)
                continue
            deaths = len(SRV.deaths)
            try:
                SRV.ensure_running()
                ok, detail = check()
            except Exception as e:  # a broken check is a failed check, never the end of the run
                ok, detail = False, f"{type(e).__name__}: {e}"
            try:
                SRV.ensure_running()
            except RuntimeError as e:
                broken = f"the server cannot be restarted: {e}"
            if len(SRV.deaths) > deaths:
                ok = False
                detail = f"{detail}; the server died ({'; '.join(SRV.deaths[deaths:])}), restarted for the next check"
            report(name, ok, detail.lstrip("; "))
        errors = STATS["server_errors"]
        report("no-server-errors", not errors and not broken,
               broken or f"{len(errors)} of {STATS['requests']} responses were 5xx: {errors[:5]}")
        alive = bool(SRV and SRV.alive() and not SRV.deaths)
        report("server-alive", alive, broken or (f"the server died {len(SRV.deaths)} time(s): {SRV.deaths[:3]}"
                                                 if SRV.deaths else "the server is not running at the end"))
    finally:
        if SRV:
            SRV.stop()
        kill_everything()
        if os.environ.get("HOSTILE_KEEP") == "1":
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"hostile: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
