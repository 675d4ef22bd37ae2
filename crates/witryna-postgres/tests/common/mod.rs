//! What the PostgreSQL tests share: the test server's URL, the connection that says loudly
//! when there is no server, and a schema of a test's own, dropped afterwards.

use witryna_postgres::PgOptions;

/// `WITRYNA_TEST_PG_URL`, default `postgres://postgres@127.0.0.1:5432/test`.
pub(crate) fn url() -> String {
    std::env::var("WITRYNA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A connection to the test server. Without a server: `None` and a loud SKIPPED line —
/// except under `CI=true`, where PostgreSQL is required and its absence fails the test.
pub(crate) async fn connect() -> Option<tokio_postgres::Client> {
    match tokio_postgres::connect(&url(), tokio_postgres::NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(connection);
            Some(client)
        }
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("PostgreSQL is required under CI=true but {} does not answer: {e}", witryna_postgres::redact(&url()))
        }
        Err(e) => {
            eprintln!(
                "\n*** SKIPPED: PostgreSQL tests need a server at {} ({e}) ***\n",
                witryna_postgres::redact(&url())
            );
            None
        }
    }
}

/// A fresh schema on the test server, dropped when this is dropped.
pub(crate) struct TestSchema(pub(crate) String);

impl TestSchema {
    /// Creates `<prefix>_<uuid>`.
    pub(crate) async fn create(client: &tokio_postgres::Client, prefix: &str) -> Self {
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        client.batch_execute(&format!("CREATE SCHEMA {name}")).await.expect("create schema");
        Self(name)
    }

    /// Options for a store in this schema, migrating it.
    pub(crate) fn options(&self, max_connections: usize) -> PgOptions {
        PgOptions { schema: Some(self.0.clone()), migrate: true, max_connections }
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let schema = self.0.clone();
        // Drop runs outside async; a small runtime of its own removes the schema.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok((client, connection)) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await {
                    tokio::spawn(connection);
                    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
                }
            })
        })
        .join();
    }
}
