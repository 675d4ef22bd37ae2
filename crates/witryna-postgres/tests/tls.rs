//! TLS to PostgreSQL and the connection string's forms, against the test server
//! (`WITRYNA_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`). Without a
//! server the tests say loudly that they were skipped — except under `CI=true`, where
//! PostgreSQL is required and its absence fails them.
//!
//! - `sslmode=require` really tries TLS (rustls) and never shows the password;
//! - the default mode still connects without TLS, also in the keyword/value form;
//! - where the server has TLS on and its certificate file is readable here, a connection
//!   that trusts that certificate (`sslrootcert`) is made over TLS, and so is `listen`'s.

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::config::Host;
use witryna_core::cms::Cms;
use witryna_postgres::{PgError, PgOptions, PgStore};

mod common;

use common::{url, TestSchema};

/// The test server's settings, to write other connection strings to it.
struct Server {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    dbname: String,
    admin: tokio_postgres::Client,
}

impl Server {
    /// A URL to the server with `password` and `query` (e.g. `sslmode=require`).
    fn url_with(&self, password: &str, query: &str) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("postgres://{}:{password}@{host}:{}/{}?{query}", self.user, self.port, self.dbname)
    }

    /// The keyword/value form, on `host`, with a quoted password and `extra` settings.
    fn keywords(&self, host: &str, password: &str, extra: &str) -> String {
        let quoted = password.replace('\\', "\\\\").replace('\'', "\\'");
        format!(
            "host={host} port = {} user={} password='{quoted}' dbname={} {extra}",
            self.port, self.user, self.dbname
        )
    }

    /// Whether the connections of `application_name` use TLS (none open: `None`).
    async fn uses_tls(&self, application_name: &str) -> Option<bool> {
        let rows = self
            .admin
            .query(
                "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = $1",
                &[&application_name],
            )
            .await
            .expect("pg_stat_ssl");
        let all: Vec<bool> = rows.iter().map(|r| r.get(0)).collect();
        (!all.is_empty()).then(|| all.iter().all(|&ssl| ssl))
    }
}

async fn server() -> Option<Server> {
    let url = url();
    let config: tokio_postgres::Config = url.parse().expect("WITRYNA_TEST_PG_URL parses");
    let admin = common::connect().await?;
    let Some(Host::Tcp(host)) = config.get_hosts().first().cloned() else {
        eprintln!("\n*** SKIPPED: the TLS tests need a TCP host in {} ***\n", witryna_postgres::redact(&url));
        return None;
    };
    Some(Server {
        host,
        port: config.get_ports().first().copied().unwrap_or(5432),
        user: config.get_user().unwrap_or("postgres").to_owned(),
        password: config.get_password().map(|p| String::from_utf8_lossy(p).into_owned()),
        dbname: config.get_dbname().unwrap_or("postgres").to_owned(),
        admin,
    })
}

fn application_name() -> String {
    format!("witryna-tls-{}", uuid::Uuid::now_v7().simple())
}

#[tokio::test]
async fn sslmode_require_tries_tls_and_never_shows_the_password() {
    let Some(server) = server().await else { return };
    // The server trusts local connections (it ignores the password) or checks the real
    // one: either way the TLS handshake comes first.
    let password = server.password.clone().unwrap_or_else(|| "sekret-tls".into());
    // 127.0.0.1 (an IP address) is in no certificate that the built-in roots vouch for, and
    // a server without TLS refuses it: this must fail, and say why.
    for conn in [
        server.url_with(&password, "sslmode=require"),
        server.keywords(&server.host, &password, "sslmode=require"),
        server.url_with(&password, "sslmode=verify-full"),
    ] {
        let err = match PgStore::connect(&conn, PgOptions::default()).await {
            Ok(_) | Err(PgError::NotMigrated { .. }) => {
                panic!(
                    "{} connected over TLS to a server no built-in root vouches for",
                    witryna_postgres::redact(&conn)
                )
            }
            Err(e) => e,
        };
        let text = err.to_string();
        eprintln!("{text}");
        assert!(text.contains("TLS"), "the error names TLS: {text}");
        // A TLS implementation ran: the server said it has no TLS, or its certificate was
        // checked (and not, as with tokio_postgres's `NoTls`, "no TLS implementation").
        assert!(
            text.contains("server does not support TLS") || text.contains("certificate"),
            "the error tells what went wrong with TLS: {text}"
        );
        assert!(!text.contains(&password), "{text}");
        assert!(!format!("{err:?}").contains(&password), "{err:?}");
    }
}

#[tokio::test]
async fn the_default_mode_connects_without_tls_in_both_forms() {
    let Some(server) = server().await else { return };
    let schema = TestSchema::create(&server.admin, "witryna_tls").await;
    let password = server.password.clone().unwrap_or_else(|| r"sekret kv'\x".into());
    let name = application_name();
    let keywords = server.keywords(&server.host, &password, &format!("application_name={name}"));
    let store = PgStore::connect(&keywords, schema.options(2)).await.expect("the keyword/value form connects");
    assert_eq!(server.uses_tls(&name).await, Some(false), "the default mode (prefer) does not use TLS");
    let shown = format!("{store:?}");
    assert!(shown.contains("password=***") && !shown.contains(&password), "{shown}");

    let name = application_name();
    let store = PgStore::connect(
        &format!("{}&application_name={name}", server.url_with(&password, "sslmode=prefer")),
        schema.options(2),
    )
    .await
    .expect("the URL form connects");
    assert_eq!(server.uses_tls(&name).await, Some(false));
    assert!(!format!("{store:?}").contains(&password));
}

/// The server's certificate file, when the server has TLS on and the file is readable here.
async fn server_certificate(server: &Server) -> Option<String> {
    let show = |what: &'static str| async move {
        server.admin.query_one(&format!("SHOW {what}"), &[]).await.expect(what).get::<_, String>(0)
    };
    if show("ssl").await != "on" {
        eprintln!("\n*** SKIPPED: the test server has TLS off (ssl = off) ***\n");
        return None;
    }
    let file = std::path::Path::new(&show("data_directory").await).join(show("ssl_cert_file").await);
    match std::fs::read_to_string(&file) {
        Ok(pem) if pem.contains("BEGIN CERTIFICATE") => Some(file.display().to_string()),
        _ => {
            eprintln!("\n*** SKIPPED: cannot read the server's certificate {} ***\n", file.display());
            None
        }
    }
}

#[tokio::test]
async fn a_trusted_server_certificate_gives_a_tls_connection_and_tls_notifications() {
    let Some(server) = server().await else { return };
    let Some(certificate) = server_certificate(&server).await else { return };
    let schema = TestSchema::create(&server.admin, "witryna_tls").await;
    let password = server.password.clone().unwrap_or_else(|| "sekret-tls".into());
    // The certificate names the machine somehow: Debian's snakeoil certificate, for one,
    // names the host name it was made on (`localhost` on some machines).
    let mut names = vec!["localhost".to_owned()];
    names.extend(std::fs::read_to_string("/etc/hostname").ok().map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()));
    let mut errors = Vec::new();
    for host in &names {
        let name = application_name();
        let extra = format!("sslmode=verify-full sslrootcert='{certificate}' application_name={name}");
        let conn = server.keywords(host, &password, &extra);
        let store = match PgStore::connect(&conn, schema.options(2)).await {
            Ok(store) => store,
            Err(e) => {
                assert!(!e.to_string().contains(&password), "{e}");
                errors.push(e.to_string());
                continue;
            }
        };
        assert_eq!(server.uses_tls(&name).await, Some(true), "sslmode=verify-full connects with TLS");

        // `listen` connects the same way, and hears another server's write.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let listener = store.listen(move |id| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(id);
            }
        });
        let writer = Cms::new(Arc::new(PgStore::connect(&conn, schema.options(2)).await.expect("second store")));
        let mut written = Vec::new();
        let heard = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                // LISTEN may not run yet when the first write commits: write until heard.
                let item = writer.create(witryna_core::testing::page("Dostępność", "TLS")).await.expect("create");
                written.push(item.meta.id);
                if let Ok(Some(id)) = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await {
                    return id;
                }
            }
        })
        .await
        .expect("the listening connection hears a write within 20 s");
        assert!(written.contains(&heard), "heard {heard}, wrote {written:?}");
        let listening = server
            .admin
            .query_one(
                "SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.application_name = $1 AND a.query LIKE 'LISTEN%'",
                &[&name],
            )
            .await
            .expect("pg_stat_ssl");
        listener.abort();
        let (all, tls): (i64, i64) = (listening.get(0), listening.get(1));
        assert_eq!((all, tls), (1, 1), "one listening connection, with TLS");
        return;
    }
    if errors.iter().all(|e| e.contains("NotValidForName")) {
        eprintln!("\n*** SKIPPED: the server's certificate names none of {names:?}: {errors:?} ***\n");
        return;
    }
    panic!("no TLS connection trusting {certificate}: {errors:?}");
}
