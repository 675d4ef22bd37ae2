//! The `witryna` command as a user runs it: a real process, a real sled folder, real HTTP.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_witryna");

fn witryna(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--data").arg(dir).args(args).env("WITRYNA_LOG", "info").output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Served {
    child: Child,
    base: String,
}

impl Served {
    fn start(dir: &Path, extra: &[&str]) -> Served {
        Self::start_logging(dir, extra, "info")
    }

    /// As [`Served::start`], with a `WITRYNA_LOG` level.
    fn start_logging(dir: &Path, extra: &[&str], level: &str) -> Served {
        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(dir)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("WITRYNA_LOG", level)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).and_then(|s| s.split_whitespace().next()).expect(&line).to_owned();
        Served { child, base: format!("http://{addr}/api/v1") }
    }

    /// `127.0.0.1:PORT`.
    fn address(&self) -> String {
        self.base.trim_start_matches("http://").split('/').next().unwrap().to_owned()
    }

    /// SIGTERM, then the exit status and the log.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap()).wait_with_output().unwrap();
        (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_demo_answers_over_http_and_stops_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("witryna-data");
    let server = Served::start(&data, &["--demo"]);
    let news: serde_json::Value = reqwest::get(format!("{}/news", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(news["items"].as_array().unwrap().len(), 2);
    let settings = reqwest::get(format!("{}/settings/accessibility", server.base)).await.unwrap();
    assert_eq!(settings.status(), 200);
    let found: serde_json::Value =
        reqwest::get(format!("{}/search?q=wozek%20widlowy", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(found["items"][0]["slug"], "aktywni-w-kis", "search is served and current");
    let home = reqwest::get(server.base.replace("/api/v1", "/")).await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("<html lang=\"pl\""), "the site is served at /");
    let (status, log) = server.stop();
    assert!(status.success(), "graceful shutdown exits 0: {log}");
    assert!(log.contains("finished processing request"), "requests are logged: {log}");
    assert!(!log.contains('\u{1b}'), "no colour codes when the log is not a terminal");

    // Seeding happens once: a restart with --demo keeps the same content.
    let server = Served::start(&data, &["--demo"]);
    let news: serde_json::Value = reqwest::get(format!("{}/news", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(news["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = witryna(dir.path(), &["token", "list"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("no store in"), "{}", stderr(&missing));

    let data = dir.path().join("site");
    let (status, _) = Served::start(&data, &[]).stop();
    assert!(status.success());
    let made = witryna(&data, &["token", "create", "--role", "editor", "--name", "redakcja"]);
    assert!(made.status.success(), "{}", stderr(&made));
    let secret = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    assert!(secret.starts_with("wtr_") && secret.len() == 68, "{secret}");
    let bad_role = witryna(&data, &["token", "create", "--role", "boss"]);
    assert!(!bad_role.status.success());
    assert!(stderr(&bad_role).contains("unknown role"), "{}", stderr(&bad_role));

    let list = String::from_utf8(witryna(&data, &["token", "list"]).stdout).unwrap();
    assert!(list.contains("editor") && list.contains("redakcja") && !list.contains(&secret), "{list}");
    let id = list.split('\t').next().unwrap().to_owned();

    let server = Served::start(&data, &[]);
    let locked = witryna(&data, &["token", "list"]);
    assert!(!locked.status.success());
    assert!(stderr(&locked).contains("in use by another process"), "{}", stderr(&locked));
    let client = reqwest::Client::new();
    let post = |token: &str| {
        client
            .post(format!("{}/pages", server.base))
            .bearer_auth(token)
            .json(&serde_json::json!({"content": {"title": "Kontakt", "body": "ul. Graniczna 1A"}}))
            .send()
    };
    assert_eq!(post(&secret).await.unwrap().status(), 201);
    drop(server.stop());

    let revoked = witryna(&data, &["token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let server = Served::start(&data, &[]);
    let client = reqwest::Client::new();
    let res = client
        .post(format!("{}/pages", server.base))
        .bearer_auth(&secret)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[test]
fn export_import_export_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    drop(Served::start(&a, &["--demo"]).stop());
    assert!(witryna(&a, &["token", "create", "--role", "admin"]).status.success());
    let first = dir.path().join("first.jsonl");
    let out = witryna(&a, &["export", "--out", first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Exported 27 items, 10 files and "), "{}", stderr(&out));
    assert!(!stderr(&out).contains('\r') && !stderr(&out).contains('\u{1b}'), "no progress bar off a terminal");
    let to_stdout = witryna(&a, &["export"]);
    assert_eq!(to_stdout.stdout, std::fs::read(&first).unwrap(), "stdout and --out agree");

    let imported = witryna(&b, &["import", first.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(stderr(&imported).contains("Imported 27 items; 0 already present; 0 refused."), "{}", stderr(&imported));
    let reindex = witryna(&b, &["reindex"]);
    assert!(stderr(&reindex).contains("Rebuilt the search index from 27 items."), "{}", stderr(&reindex));
    let second = String::from_utf8(witryna(&b, &["export"]).stdout).unwrap();
    let first = std::fs::read_to_string(&first).unwrap();
    let added = second.strip_prefix(first.as_str()).expect("export → import → export is byte-identical");
    let added: Vec<&str> = added.lines().collect();
    assert_eq!(added.len(), 1, "and the log gained the import's own entry: {added:?}");
    let entry: serde_json::Value = serde_json::from_str(added[0]).unwrap();
    assert_eq!(entry["audit"]["action"], "imported");
    assert!(entry["audit"]["note"].as_str().unwrap().starts_with("27 items, 10 files, "), "{entry}");
    let first = dir.path().join("first.jsonl");

    let again = witryna(&b, &["import", first.to_str().unwrap()]);
    assert!(again.status.success());
    assert!(stderr(&again).contains("Imported 0 items; 27 already present"), "{}", stderr(&again));
}

#[test]
fn import_reports_every_bad_line_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    drop(Served::start(&a, &["--demo"]).stop());
    let export = String::from_utf8(witryna(&a, &["export"]).stdout).unwrap();
    let lines: Vec<&str> = export.lines().collect();
    let programme = lines.iter().find(|l| l.contains(r#""kind":"programme""#) && l.contains("Aktywni w KIS")).unwrap();
    let page = lines.iter().find(|l| l.contains(r#""kind":"page""#)).unwrap();
    let broken_budget = programme.replace("\"own_contribution\":604583", "\"own_contribution\":604584");
    let unknown_kind = page.replace(r#""kind":"page""#, r#""kind":"recipe""#);
    let file = dir.path().join("mixed.jsonl");
    let control = page.replacen(r#""title":""#, r#""title":"\u0001"#, 1);
    let content =
        [lines[0], page, "{not json", &unknown_kind, &broken_budget, &control, "", programme].join("\n") + "\n";
    std::fs::write(&file, content).unwrap();

    let b = dir.path().join("b");
    let out = witryna(&b, &["import", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert!(!out.status.success(), "refused lines make the import fail: {err}");
    let name = file.display().to_string();
    assert!(err.contains(&format!("{name}:3: invalid JSON")), "{err}");
    assert!(err.contains(&format!("{name}:4: unknown kind \"recipe\"")), "{err}");
    assert!(err.contains(&format!("{name}:5: revisions[0].content.budget.total: total 60 365,83 zł")), "{err}");
    assert!(
        err.contains(&format!("{name}:6: revisions[0].content.title: must not contain the control character U+0001")),
        "{err}"
    );
    assert!(err.contains("Imported 2 items; 0 already present; 4 refused."), "{err}");
    let exported = String::from_utf8(witryna(&b, &["export"]).stdout).unwrap();
    assert_eq!(exported.lines().count(), 4, "header + the two good items + the import's audit entry");
    assert!(exported
        .lines()
        .last()
        .unwrap()
        .contains("\"note\":\"2 items, 0 files, 0 audit entries; 4 lines refused\""));

    let bad_header = dir.path().join("bad.jsonl");
    std::fs::write(&bad_header, "{\"hello\": 1}\n").unwrap();
    let out = witryna(&b, &["import", bad_header.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 1: not a Witryna export"), "{}", stderr(&out));
    let out = witryna(&b, &["import", "/nonexistent/file.jsonl"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("cannot open /nonexistent/file.jsonl"), "{}", stderr(&out));
}

/// Exports are a versioned promise: ones written by the schema-1, -2 and -3 builds import,
/// and export again as the schema-4 fixture — the same items, with unknown writing accounts
/// (`created_by`, `updated_by`: null), no translation links (`translation_of`: null) and an
/// empty metryczka (`record`) — which itself goes round unchanged. The audit log holds the
/// import's own entry, which the comparison leaves out.
#[test]
fn older_export_fixtures_import_and_export_as_the_current_one() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let current = std::fs::read_to_string(fixtures.join("export-v4.jsonl")).unwrap();
    for name in ["export-v1.jsonl", "export-v2.jsonl", "export-v3.jsonl", "export-v4.jsonl"] {
        let dir = tempfile::tempdir().unwrap();
        let imported = witryna(dir.path(), &["import", fixtures.join(name).to_str().unwrap()]);
        assert!(imported.status.success(), "{name}: {}", stderr(&imported));
        let out = String::from_utf8(witryna(dir.path(), &["export"]).stdout).unwrap();
        let mut lines: Vec<&str> = out.lines().collect();
        let last = lines.pop().unwrap();
        assert!(last.starts_with(r#"{"audit":{"seq":1,"#) && last.contains(r#""action":"imported""#), "{last}");
        // The header names format 3 (an export with an audit log); the fixture has none.
        assert_eq!(lines[0], r#"{"witryna_export":3,"store_schema":4}"#);
        assert_eq!(lines[1..].join("\n") + "\n", current.split_once('\n').unwrap().1, "{name}");
    }
}

#[tokio::test]
async fn tokens_and_authorization_headers_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("site");
    drop(Served::start(&data, &[]).stop());
    let made = witryna(&data, &["token", "create", "--role", "admin"]);
    let secret = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    let server = Served::start_logging(&data, &[], "debug");
    let client = reqwest::Client::new();
    for token in [secret.as_str(), "wtr_wrong-token-value"] {
        client.get(format!("{}/tokens", server.base)).bearer_auth(token).send().await.unwrap();
        client.post(format!("{}/pages", server.base)).bearer_auth(token).body("{").send().await.unwrap();
    }
    let (_, log) = server.stop();
    assert!(log.contains("finished processing request"), "the log is on: {log}");
    for leak in [secret.as_str(), "wtr_wrong-token-value", "Bearer", "authorization: "] {
        assert!(!log.contains(leak), "{leak:?} found in the log");
    }
}

#[test]
fn a_client_that_trickles_its_body_is_cut_off() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("site");
    drop(Served::start(&data, &[]).stop());
    let secret = String::from_utf8(witryna(&data, &["token", "create", "--role", "editor"]).stdout).unwrap();
    let server = Served::start(&data, &["--body-timeout", "2"]);
    let addr = server.address();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let head = format!(
        "POST /api/v1/pages HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{",
        secret.trim()
    );
    stream.write_all(head.as_bytes()).unwrap();
    // One byte every 300 ms: each chunk arrives well within the timeout, the whole never does.
    let mut writer = stream.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for _ in 0..100 {
            std::thread::sleep(std::time::Duration::from_millis(300));
            if writer.write_all(b" ").is_err() {
                break;
            }
        }
    });
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let started = std::time::Instant::now();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "cut off after the body timeout in total, not per chunk: {:?}",
        started.elapsed()
    );
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    drop(stream);
    trickle.join().unwrap();
}

#[test]
fn idle_connections_are_closed_and_make_room_for_visitors() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let server = Served::start(&dir.path().join("site"), &["--header-timeout", "5", "--max-connections", "8"]);
    let addr = server.address();
    // More silent sockets than the cap: without eviction they would hold every slot until
    // the header timeout, and a visitor would wait behind them.
    let idle: Vec<std::net::TcpStream> = (0..20).map(|_| std::net::TcpStream::connect(&addr).unwrap()).collect();
    let started = std::time::Instant::now();
    let mut visitor = std::net::TcpStream::connect(&addr).unwrap();
    visitor.set_read_timeout(Some(std::time::Duration::from_secs(15))).unwrap();
    visitor.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = visitor.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "served before the silent sockets time out (5 s): the longest idle made room ({:?})",
        started.elapsed()
    );
    let mut closed = 0;
    for mut socket in idle {
        socket.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 16];
        if matches!(socket.read(&mut buf), Ok(0) | Err(_)) && started.elapsed() < std::time::Duration::from_secs(12) {
            closed += 1;
        }
    }
    assert_eq!(closed, 20, "every silent connection is closed by the server");
    let (_, log) = server.stop();
    assert!(log.len() < 100_000, "no log flood: {} bytes", log.len());
}

#[tokio::test]
async fn site_requests_are_logged_and_hostile_numbers_answered() {
    let dir = tempfile::tempdir().unwrap();
    let server = Served::start(&dir.path().join("site"), &["--demo"]);
    let site = format!("http://{}", server.address());
    let client = reqwest::Client::new();
    assert_eq!(client.get(format!("{site}/aktualnosci")).send().await.unwrap().status(), 200);
    let api = client.get(format!("{}/search?q=pomoc&cursor=1000000000000", server.base)).send().await.unwrap();
    assert_eq!(api.status(), 400);
    let page = client.get(format!("{site}/szukaj?q=pomoc&od=1000000000000")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(client.get(format!("{site}/robots.txt")).send().await.unwrap().status(), 200, "still alive");
    let (status, log) = server.stop();
    assert!(status.success(), "{log}");
    let line = log.lines().find(|l| l.contains("/aktualnosci") && l.contains("finished processing request"));
    assert!(line.is_some_and(|l| l.contains("client=127.0.0.1")), "site requests are logged with the client: {log}");
}

#[test]
fn the_store_folder_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("site");
    drop(Served::start(&data, &["--demo"]).stop());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let mut paths = vec![data.clone()];
    while let Some(path) = paths.pop() {
        assert_eq!(mode(&path) & 0o077, 0, "{} is {:o}", path.display(), mode(&path));
        if path.is_dir() {
            paths.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    let export = dir.path().join("site.jsonl");
    let out = witryna(&data, &["export", "--out", export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&export), 0o600, "an export holds token hashes: owner only");
}

#[tokio::test]
async fn serve_flags_are_checked_and_any_origin_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value) in [
        ("--cors-origin", "https://a.example/path"),
        ("--cors-origin", "evil"),
        ("--public-url", "javascript:alert(1)"),
        ("--public-url", "https://x.example/?q=1"),
    ] {
        let out = witryna(&dir.path().join("site"), &["serve", "--addr", "127.0.0.1:0", flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {}", stderr(&out));
        assert!(stderr(&out).contains(value), "the message names the value: {}", stderr(&out));
    }
    let server = Served::start(&dir.path().join("site"), &["--cors-origin", "*"]);
    let res = reqwest::Client::new()
        .get(format!("{}/news", server.base))
        .header("origin", "https://a.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
}

#[test]
fn oversized_headers_are_refused_with_431() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let server = Served::start(&dir.path().join("site"), &[]);
    let addr = server.base.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let request = format!("GET /api/v1/news HTTP/1.1\r\nHost: {addr}\r\nX-Big: {}\r\n\r\n", "a".repeat(600_000));
    let _ = stream.write_all(request.as_bytes());
    let mut answer = [0u8; 64];
    let n = stream.read(&mut answer).unwrap_or(0);
    assert!(
        String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 431"),
        "{:?}",
        String::from_utf8_lossy(&answer[..n])
    );
}

#[test]
fn a_client_that_trickles_its_headers_is_cut_off() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let server = Served::start(&dir.path().join("site"), &["--header-timeout", "1"]);
    let addr = server.base.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /api/v1/news HTTP/1.1\r\nHost: x\r\n").unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "the connection is closed, not kept waiting");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
}

/// The first account from the command line, on a folder with no store yet: the password
/// comes from standard input (never an argument) and is never printed; `serve` then prints
/// no setup link.
#[test]
fn the_first_administrator_from_the_command_line() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("site");
    let create = |email: &str, password: &str| {
        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(&data)
            .args(["user", "create", "--email", email, "--role", "administrator", "--name", "Ewa Nowak"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = create("ewa@mops.example.pl", "krótkie");
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("at least 12 characters"), "{}", stderr(&weak));
    let made = create("Ewa@MOPS.example.pl", "zielona łąka nad Wartą");
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stderr(&made).contains("ewa@mops.example.pl"), "{}", stderr(&made));
    let twice = create("ewa@mops.example.pl", "zielona łąka nad Wartą");
    assert!(!twice.status.success() && stderr(&twice).contains("exists"), "{}", stderr(&twice));
    let listed = witryna(&data, &["user", "list"]);
    let out = String::from_utf8_lossy(&listed.stdout);
    assert!(out.contains("administrator\tactive\tewa@mops.example.pl\tEwa Nowak"), "{out}");
    assert!(!out.contains("argon2") && !stderr(&made).contains("łąka"), "no password or hash is printed");
    let printed = serve_printout(&data);
    assert!(printed.contains("listening on") && !printed.contains("pierwsze-konto"), "{printed}");
}

/// What `serve` prints on stdout from start to SIGTERM.
fn serve_printout(data: &Path) -> String {
    use std::io::Read;
    let mut child = Command::new(BIN)
        .arg("--data")
        .arg(data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    reader.read_line(&mut printed).unwrap();
    Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    reader.read_to_string(&mut printed).unwrap();
    child.wait().unwrap();
    printed
}

/// A store without an administrator: `serve` prints a setup link on its second stdout line.
#[test]
fn serve_prints_a_setup_link_without_an_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let printed = serve_printout(dir.path());
    let (first, second) = printed.split_once('\n').unwrap();
    assert!(first.contains("listening on"), "{first}");
    let base = first.split("http://").nth(1).unwrap().split_whitespace().next().unwrap();
    assert!(second.contains(&format!("http://{base}/admin/pierwsze-konto/wsu_")), "{second}");
}
