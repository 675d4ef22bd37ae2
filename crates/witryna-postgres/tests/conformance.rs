//! The shared store conformance suite on PostgreSQL. Each test gets its own schema, dropped
//! afterwards. Without a server the tests say loudly that they were skipped — except under
//! `CI=true`, where PostgreSQL is required and its absence fails them.

use std::sync::Arc;

use async_trait::async_trait;
use witryna_core::store::DynStore;
use witryna_core::testing::Harness;
use witryna_postgres::{PgOptions, PgStore};

mod common;

use common::{url, TestSchema};

/// A fresh schema on the test server; `open` connects to it (again after a drop).
struct PgHarness {
    schema: TestSchema,
}

async fn harness() -> Option<PgHarness> {
    let client = common::connect().await?;
    Some(PgHarness { schema: TestSchema::create(&client, "witryna_test").await })
}

#[async_trait]
impl Harness for PgHarness {
    async fn open(&self) -> DynStore {
        Arc::new(PgStore::connect(&url(), self.schema.options(8)).await.expect("connect"))
    }

    fn durable(&self) -> bool {
        true
    }
}

witryna_core::store_conformance_tests!(optional: harness());

#[tokio::test]
async fn migrations_are_versioned_and_a_newer_database_is_refused() {
    let Some(h) = harness().await else { return };
    let options = |migrate| PgOptions { migrate, ..h.schema.options(2) };
    let err = PgStore::connect(&url(), options(false)).await.unwrap_err();
    assert!(err.to_string().contains("run `witryna migrate"), "{err}");
    let store = PgStore::connect(&url(), options(true)).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), witryna_postgres::PG_SCHEMA_VERSION);
    assert_eq!(store.migrate().await.unwrap(), witryna_postgres::PG_SCHEMA_VERSION, "migrating twice is harmless");
    let (client, connection) = tokio_postgres::connect(&url(), tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.batch_execute(&format!("UPDATE {}.witryna_schema SET version = 99", h.schema.0)).await.unwrap();
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
