//! `witryna` on PostgreSQL as users run it: migrations, several servers on one database,
//! and moving a site between sled and PostgreSQL. Each test makes its own database and
//! drops it. Without a server the tests say so loudly and pass — except under `CI=true`.

mod common;
use common::imports_left_out;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_witryna");

fn admin_url() -> String {
    std::env::var("WITRYNA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

struct Database {
    name: String,
    url: String,
}

async fn database() -> Option<Database> {
    let admin = admin_url();
    match tokio_postgres::connect(&admin, tokio_postgres::NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(connection);
            let name = format!("witryna_cli_{}", uuid::Uuid::now_v7().simple());
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create database");
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
            Some(Database { url: format!("{base}/{name}"), name })
        }
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("PostgreSQL is required under CI=true: {e}"),
        Err(e) => {
            eprintln!("\n*** SKIPPED: PostgreSQL tests need a server at {admin} ({e}) ***\n");
            None
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok((client, connection)) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await {
                    tokio::spawn(connection);
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            })
        })
        .join();
    }
}

fn witryna(args: &[&str]) -> Output {
    Command::new(BIN).args(args).env("WITRYNA_LOG", "info").output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

struct Served {
    child: Child,
    base: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("WITRYNA_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.split("http://").nth(1).and_then(|s| s.split_whitespace().next()).expect(&line).to_owned();
        Served { child, base: format!("http://{addr}") }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn json(client: &reqwest::Client, url: &str) -> serde_json::Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_one_database() {
    let Some(db) = database().await else { return };
    let not_yet = witryna(&["--store", &db.url, "token", "list"]);
    assert!(!not_yet.status.success());
    assert!(stderr(&not_yet).contains("run `witryna migrate"), "{}", stderr(&not_yet));
    let migrated = witryna(&["--store", &db.url, "migrate"]);
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    assert!(stderr(&migrated).contains(&format!("schema version {}", witryna_postgres::PG_SCHEMA_VERSION)));

    let a = Served::start(&["--store", &db.url, "--demo"]);
    let b = Served::start(&["--store", &db.url]);
    let token = witryna(&["--store", &db.url, "token", "create", "--role", "editor"]);
    assert!(token.status.success(), "a running server does not lock PostgreSQL: {}", stderr(&token));
    let secret = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let client = reqwest::Client::new();

    let before = json(&client, &format!("{}/api/v1/news", b.base)).await;
    assert_eq!(before["items"].as_array().unwrap().len(), 2, "B sees A's demo content");

    let body = serde_json::json!({"content": {"title": "Dyżur mediatora w ośrodku", "body": "W czwartki.", "author": "MOPS Kalisz"}});
    let created: serde_json::Value = client
        .post(format!("{}/api/v1/news", a.base))
        .bearer_auth(&secret)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let res = client.post(format!("{}/api/v1/news/{id}/publish", a.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let on_b = client.get(format!("{}/api/v1/news/dyzur-mediatora-w-osrodku", b.base)).send().await.unwrap();
    assert_eq!(on_b.status(), 200, "a write on A is visible on B at once");
    let page_on_b = client.get(format!("{}/aktualnosci/dyzur-mediatora-w-osrodku", b.base)).send().await.unwrap();
    assert_eq!(page_on_b.status(), 200);

    // B's cache and search index hear of it through LISTEN/NOTIFY within a second.
    let mut listed = 0;
    let mut found = 0;
    for _ in 0..20 {
        listed = json(&client, &format!("{}/api/v1/news", b.base)).await["items"].as_array().unwrap().len();
        found = json(&client, &format!("{}/api/v1/search?q=mediator", b.base)).await["items"].as_array().unwrap().len();
        if listed == 3 && found == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!((listed, found), (3, 1), "B's list cache and search index follow A's write within a second");

    // Optimistic concurrency across processes: both base a change on version 2.
    let update = serde_json::json!({"content": {"title": "Dyżur mediatora", "body": "W piątki.", "author": "MOPS Kalisz"}, "reason": "nowy dzień"});
    let put = |base: &str| {
        client
            .put(format!("{base}/api/v1/news/{id}"))
            .bearer_auth(&secret)
            .header("if-match", "\"2\"")
            .json(&update)
            .send()
    };
    let first = put(&a.base).await.unwrap().status();
    let second = put(&b.base).await.unwrap().status();
    assert_eq!((first.as_u16(), second.as_u16()), (200, 412), "one wins, the other gets a conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_moves_between_sled_and_postgres_with_nothing_lost() {
    let Some(db) = database().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let (sled_a, sled_b) = (dir.path().join("a"), dir.path().join("b"));
    let data = |p: &Path| p.to_str().unwrap().to_owned();
    drop(Served::start(&["--data", &data(&sled_a), "--demo"]));
    assert!(witryna(&["--data", &data(&sled_a), "token", "create", "--role", "admin"]).status.success());
    let first = dir.path().join("sled.jsonl");
    assert!(witryna(&["--data", &data(&sled_a), "export", "--out", first.to_str().unwrap()]).status.success());

    assert!(witryna(&["--store", &db.url, "migrate"]).status.success());
    let into_pg = witryna(&["--store", &db.url, "import", first.to_str().unwrap()]);
    assert!(into_pg.status.success(), "{}", stderr(&into_pg));
    let from_pg = witryna(&["--store", &db.url, "export"]);
    assert!(from_pg.status.success(), "{}", stderr(&from_pg));
    let first = std::fs::read(&first).unwrap();
    assert_eq!(imports_left_out(&from_pg.stdout), first, "sled → PostgreSQL: byte-identical export");

    let pg_file = dir.path().join("pg.jsonl");
    std::fs::write(&pg_file, &from_pg.stdout).unwrap();
    assert!(witryna(&["--data", &data(&sled_b), "import", pg_file.to_str().unwrap()]).status.success());
    let back = witryna(&["--data", &data(&sled_b), "export"]);
    assert_eq!(imports_left_out(&back.stdout), first, "PostgreSQL → sled: byte-identical export");
}

#[test]
fn store_passwords_never_show() {
    let out = witryna(&["--store", "postgres://editor:sekret-haslo@127.0.0.1:1/site", "token", "list"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("postgres://editor:***@127.0.0.1:1/site"), "{err}");
    assert!(!err.contains("sekret-haslo"), "{err}");
}
