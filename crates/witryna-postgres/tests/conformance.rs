//! The shared store conformance suite on PostgreSQL. Each test gets its own schema, dropped
//! afterwards. Without a server the tests say loudly that they were skipped — except under
//! `CI=true`, where PostgreSQL is required and its absence fails them.

use std::sync::Arc;

use async_trait::async_trait;
use witryna_core::store::DynStore;
use witryna_core::testing::Harness;
use witryna_postgres::{PgOptions, PgStore};

fn url() -> String {
    std::env::var("WITRYNA_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh schema on the test server; `open` connects to it (again after a drop).
struct PgHarness {
    schema: String,
}

async fn harness() -> Option<PgHarness> {
    let schema = format!("witryna_test_{}", uuid::Uuid::now_v7().simple());
    match tokio_postgres::connect(&url(), tokio_postgres::NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE SCHEMA {schema}")).await.expect("create schema");
            Some(PgHarness { schema })
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

#[async_trait]
impl Harness for PgHarness {
    async fn open(&self) -> DynStore {
        let options = PgOptions { schema: Some(self.schema.clone()), migrate: true, max_connections: 8 };
        Arc::new(PgStore::connect(&url(), options).await.expect("connect"))
    }

    fn durable(&self) -> bool {
        true
    }
}

impl Drop for PgHarness {
    fn drop(&mut self) {
        let schema = self.schema.clone();
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

witryna_core::store_conformance_tests!(optional: harness());

#[tokio::test]
async fn migrations_are_versioned_and_a_newer_database_is_refused() {
    let Some(h) = harness().await else { return };
    let options = |migrate| PgOptions { schema: Some(h.schema.clone()), migrate, max_connections: 2 };
    let err = PgStore::connect(&url(), options(false)).await.unwrap_err();
    assert!(err.to_string().contains("run `witryna migrate"), "{err}");
    let store = PgStore::connect(&url(), options(true)).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), witryna_postgres::PG_SCHEMA_VERSION);
    assert_eq!(store.migrate().await.unwrap(), witryna_postgres::PG_SCHEMA_VERSION, "migrating twice is harmless");
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.batch_execute(&format!("UPDATE {}.witryna_schema SET version = 99", h.schema)).await.unwrap();
    let err = PgStore::connect(&url(), options(false)).await.unwrap_err();
    assert!(matches!(err, witryna_postgres::PgError::SchemaTooNew { found: 99, .. }), "{err}");
}

#[tokio::test]
async fn a_bad_password_never_shows() {
    let err =
        PgStore::connect("postgres://postgres:sekret-haslo@127.0.0.1:1/test", PgOptions::default()).await.unwrap_err();
    assert!(!err.to_string().contains("sekret-haslo"), "{err}");
    assert!(!format!("{err:?}").contains("sekret-haslo"), "{err:?}");
}
