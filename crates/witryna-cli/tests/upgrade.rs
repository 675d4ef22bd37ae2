//! Upgrading never loses or rewrites content: stores written by the build before
//! translations (commit f42fefc; sled schema 2, PostgreSQL migration 3 — see
//! `tests/fixtures/upgrade-v2/README.md`) are opened by this build and exported, and the
//! export holds every item, revision and file exactly as that build exported them (records
//! gain only `translation_of: null` and an empty metryczka). A translation added afterwards leaves its source as
//! it was, and turning a language off changes nothing stored.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_witryna");

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade-v2").join(name)
}

fn witryna(args: &[&str]) -> Output {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert!(out.status.success(), "witryna {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn gunzip(path: &Path) -> String {
    let out = Command::new("gzip").arg("-dc").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// An export as comparable lines: the header's format, then every file and item line, the
/// records' new `translation_of: null` and empty metryczka (`record`, every field null)
/// taken out.
fn comparable(export: &str) -> Vec<Value> {
    let mut lines = export.lines().map(|l| serde_json::from_str::<Value>(l).unwrap());
    let header = lines.next().unwrap();
    let mut out = vec![header["witryna_export"].clone()];
    for mut line in lines {
        for revision in line["revisions"].as_array_mut().into_iter().flatten() {
            let meta = revision["meta"].as_object_mut().unwrap();
            if meta.get("translation_of") == Some(&Value::Null) {
                meta.remove("translation_of");
            }
            let empty = |r: &Value| r.as_object().is_some_and(|r| r.values().all(Value::is_null));
            if meta.get("record").is_some_and(empty) {
                meta.remove("record");
            }
        }
        out.push(line);
    }
    out
}

fn export(store: &[&str]) -> String {
    let mut args = store.to_vec();
    args.push("export");
    String::from_utf8(witryna(&args).stdout).unwrap()
}

/// Items of the export by id.
fn items(lines: &[Value]) -> std::collections::BTreeMap<String, Value> {
    lines.iter().filter_map(|l| Some((l.get("id")?.as_str()?.to_owned(), l.clone()))).collect()
}

/// Adds a Ukrainian translation of the fixture's first published news item through the
/// running server's API; its id and the source's id.
async fn translate_first_news(store: &[&str]) -> (String, String) {
    let mut args = store.to_vec();
    args.extend(["token", "create", "--role", "editor", "--name", "upgrade-test"]);
    let token = String::from_utf8(witryna(&args).stdout).unwrap().trim().to_owned();
    let mut serve = Command::new(BIN);
    serve.args(store).args(["serve", "--addr", "127.0.0.1:0"]).stdout(std::process::Stdio::piped());
    let mut child = serve.spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let base = format!("http://{}", line.split("http://").nth(1).and_then(|s| s.split_whitespace().next()).unwrap());
    let client = reqwest::Client::new();
    let list: Value = client.get(format!("{base}/api/v1/news")).send().await.unwrap().json().await.unwrap();
    let source = list["items"][0]["id"].as_str().unwrap().to_owned();
    let body = serde_json::json!({"locale": "uk", "content": {"title": "Зустріч у Клубі соціальної інтеграції", "body": "Текст.", "author": "МОПС"}});
    let res = client
        .post(format!("{base}/api/v1/news/{source}/translations"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    (created["id"].as_str().unwrap().to_owned(), source)
}

/// Checks an upgraded store against the old build's export, then adds a translation and
/// turns languages off: the old content stays exactly as it was.
async fn upgrade_keeps_everything(store: &[&str], expected: &str) {
    let expected = comparable(expected);
    let upgraded = comparable(&export(store));
    assert_eq!(upgraded.len(), expected.len(), "every file and item is there");
    for (i, (got, want)) in upgraded.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "line {} differs after the upgrade", i + 1);
    }

    let (translation, source) = translate_first_news(store).await;
    let mut on_off = store.to_vec();
    on_off.extend(["serve", "--locales", "pl", "--addr", "127.0.0.1:0"]);
    // A server with Ukrainian off starts on the store and stops: nothing is rewritten.
    let mut child = Command::new(BIN).args(&on_off).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();

    let after = items(&comparable(&export(store)));
    let before = items(&expected);
    for (id, item) in &before {
        if item["kind"] != "api-token" {
            assert_eq!(after.get(id), Some(item), "item {id} is unchanged by a translation and a language turned off");
        }
    }
    let added = &after[&translation];
    assert_eq!(added["revisions"][0]["meta"]["translation_of"]["id"], source.as_str());
    assert_eq!(added["revisions"][0]["meta"]["locale"], "uk");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sled_store_from_before_translations_upgrades_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let unpacked = Command::new("tar").arg("xzf").arg(fixture("store-sled.tar.gz")).arg("-C").arg(dir.path()).status();
    assert!(unpacked.unwrap().success());
    let data = dir.path().to_str().unwrap();
    upgrade_keeps_everything(&["--data", data], &gunzip(&fixture("expected.jsonl.gz"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_store_from_before_translations_upgrades_without_loss() {
    let admin =
        std::env::var("WITRYNA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let (client, connection) = match tokio_postgres::connect(&admin, tokio_postgres::NoTls).await {
        Ok(c) => c,
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("PostgreSQL is required under CI=true: {e}"),
        Err(e) => return eprintln!("\n*** SKIPPED: PostgreSQL upgrade test needs {admin} ({e}) ***\n"),
    };
    tokio::spawn(connection);
    let schema = format!("upgrade_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.unwrap();
    let dump = gunzip(&fixture("store-postgres.sql.gz")).replace("__SCHEMA__", &schema);
    client.batch_execute(&dump).await.unwrap();
    let url = format!("{admin}?options=-c%20search_path%3D{schema}");
    let dir = tempfile::tempdir().unwrap();
    let store = ["--store", url.as_str(), "--data", dir.path().to_str().unwrap()];
    let mut migrate = store.to_vec();
    migrate.push("migrate");
    let migrated = witryna(&migrate);
    assert!(String::from_utf8_lossy(&migrated.stderr)
        .contains(&format!("schema version {}", witryna_postgres::PG_SCHEMA_VERSION)));
    upgrade_keeps_everything(&store, &gunzip(&fixture("expected-postgres.jsonl.gz"))).await;
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).await.unwrap();
}
