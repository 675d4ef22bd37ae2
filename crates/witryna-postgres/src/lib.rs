//! # witryna-postgres
//!
//! [`PgStore`]: Witryna's store on PostgreSQL, for sites that run several servers behind a
//! load balancer, or want replicas and managed backups. It follows the same [`Store`]
//! contract as the embedded stores (the shared conformance suite runs on it).
//!
//! - Every write is one transaction: the item row (locked with `FOR UPDATE`, so optimistic
//!   concurrency holds across processes), its slug and tag rows, its revision, and a
//!   `NOTIFY witryna_changes` that other servers listen to.
//! - Schema migrations are embedded and versioned ([`PgStore::migrate`]); a database at a
//!   newer schema version is refused.
//! - Connections come from a pool (deadpool, [`PgOptions::max_connections`]); the URL's
//!   password never appears in errors or logs ([`redact`]).

use std::str::FromStr;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Transaction};
use witryna_core::record::{Id, Record};
use witryna_core::store::kv::{self, encode_record};
use witryna_core::store::{ListQuery, RecordPage, Store, StoreError};

/// The channel every write notifies, with `"<instance>:<item id>"` as payload.
pub const CHANNEL: &str = "witryna_changes";

/// The embedded migrations, in order; the last one's number is the schema version.
const MIGRATIONS: &[(u32, &str)] = &[(
    1,
    r#"
CREATE TABLE items (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    locale text NOT NULL,
    status smallint NOT NULL,
    sort_at bigint NOT NULL,
    version bigint NOT NULL,
    record bytea NOT NULL
);
CREATE INDEX items_list ON items (kind, locale, sort_at DESC, id DESC);
CREATE TABLE slugs (
    kind text NOT NULL,
    locale text NOT NULL,
    slug text NOT NULL,
    id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, locale, slug)
);
CREATE INDEX slugs_by_item ON slugs (id);
CREATE TABLE tags (
    id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    tag text NOT NULL,
    kind text NOT NULL,
    locale text NOT NULL,
    sort_at bigint NOT NULL,
    PRIMARY KEY (id, tag)
);
CREATE INDEX tags_list ON tags (kind, locale, tag, sort_at DESC, id DESC);
CREATE TABLE revisions (
    id uuid NOT NULL,
    version bigint NOT NULL,
    record bytea NOT NULL,
    PRIMARY KEY (id, version)
);
"#,
)];

/// The database schema version this build writes and reads.
pub const PG_SCHEMA_VERSION: u32 = 1;

/// How to connect.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Most connections in the pool (default 16).
    pub max_connections: usize,
    /// A PostgreSQL schema to keep the tables in (default: the connection's `search_path`).
    pub schema: Option<String>,
    /// Apply pending migrations when connecting (default false: `witryna migrate` does).
    pub migrate: bool,
}

impl Default for PgOptions {
    fn default() -> Self {
        Self { max_connections: 16, schema: None, migrate: false }
    }
}

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The URL does not parse.
    #[error("invalid PostgreSQL URL {url}: {reason}")]
    BadUrl {
        /// The URL without its password.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// No connection.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The URL without its password.
        url: String,
        /// What the server or network said.
        reason: String,
    },
    /// The database has no Witryna schema yet.
    #[error("the database at {url} has no Witryna tables (schema version 0); run `witryna migrate --store …` first")]
    NotMigrated {
        /// The URL without its password.
        url: String,
    },
    /// The database was migrated by a newer Witryna.
    #[error("the database at {url} has schema version {found}, newer than the {supported} this build supports; upgrade Witryna")]
    SchemaTooNew {
        /// The URL without its password.
        url: String,
        /// Version in the database.
        found: u32,
        /// Highest version this build reads.
        supported: u32,
    },
    /// A query failed while opening or migrating.
    #[error("PostgreSQL at {url}: {reason}")]
    Query {
        /// The URL without its password.
        url: String,
        /// The error.
        reason: String,
    },
}

/// A URL with its password replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let redacted = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = redact_query_password(tail);
    if tail.is_empty() && !rest.contains('/') {
        format!("{scheme}://{redacted}")
    } else {
        format!("{scheme}://{redacted}/{tail}")
    }
}

fn redact_query_password(tail: &str) -> String {
    match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|p| {
                    if p.to_ascii_lowercase().starts_with("password=") {
                        "password=***".to_owned()
                    } else {
                        p.to_owned()
                    }
                })
                .collect();
            format!("{path}?{}", params.join("&"))
        }
        None => tail.to_owned(),
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend { backend: "postgres", source: Box::new(e) }
}

/// The PostgreSQL-backed [`Store`].
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    url: String,
    instance: String,
    config: tokio_postgres::Config,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.url).finish_non_exhaustive()
    }
}

fn sort_micros(record: &Record) -> i64 {
    record.meta.sort_time().timestamp_micros()
}

/// Reads a stored record, naming the item (and version) when it is corrupt.
fn decode(id: uuid::Uuid, version: Option<i64>, bytes: &[u8]) -> Result<Record, StoreError> {
    let key = match version {
        Some(v) => kv::revision_key(Id(id), v as u64),
        None => kv::record_key(Id(id)),
    };
    kv::decode_record(&key, bytes)
}

impl PgStore {
    /// Connects with a pool; checks (or, with `options.migrate`, applies) the schema.
    pub async fn connect(url: &str, options: PgOptions) -> Result<Self, PgError> {
        let shown = redact(url);
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| PgError::BadUrl { url: shown.clone(), reason: e.to_string() })?;
        if let Some(schema) = &options.schema {
            config.options(format!("-c search_path={schema}"));
        }
        let manager =
            Manager::from_config(config.clone(), NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| PgError::Connect { url: shown.clone(), reason: e.to_string() })?;
        let store = Self { pool, url: shown, instance: Id::new().to_string(), config };
        if options.migrate {
            store.migrate().await?;
        }
        match store.schema_version().await? {
            0 => Err(PgError::NotMigrated { url: store.url.clone() }),
            v if v > PG_SCHEMA_VERSION => {
                Err(PgError::SchemaTooNew { url: store.url.clone(), found: v, supported: PG_SCHEMA_VERSION })
            }
            _ => Ok(store),
        }
    }

    /// Listens for writes of other processes (`LISTEN witryna_changes`) and calls
    /// `on_change` with each item's id, skipping this store's own writes. Runs until the
    /// returned task is aborted; a lost connection is logged and retried every 2 s.
    pub fn listen<F, Fut>(&self, on_change: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn(Id) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let (config, url, instance) = (self.config.clone(), self.url.clone(), self.instance.clone());
        tokio::spawn(async move {
            loop {
                match config.connect(NoTls).await {
                    Ok((client, mut connection)) => {
                        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                        let driver = tokio::spawn(async move {
                            loop {
                                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                                    Some(Ok(tokio_postgres::AsyncMessage::Notification(n))) => {
                                        if tx.send(n.payload().to_owned()).is_err() {
                                            break;
                                        }
                                    }
                                    Some(Ok(_)) => {}
                                    Some(Err(e)) => {
                                        tracing::warn!(error = %e, "notification connection failed");
                                        break;
                                    }
                                    None => break,
                                }
                            }
                        });
                        if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                            tracing::warn!(error = %e, url = %url, "LISTEN failed");
                        } else {
                            tracing::info!(url = %url, "listening for changes of other servers");
                            while let Some(payload) = rx.recv().await {
                                let Some((from, id)) = payload.split_once(':') else { continue };
                                if from == instance {
                                    continue;
                                }
                                if let Ok(id) = id.parse::<Id>() {
                                    on_change(id).await;
                                }
                            }
                        }
                        driver.abort();
                        tracing::warn!(url = %url, "lost the notification connection; reconnecting");
                    }
                    Err(e) => tracing::warn!(error = %e, url = %url, "cannot connect to listen for changes; retrying"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        })
    }

    /// This process's name in notifications (to skip its own).
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// The connection settings (for a listening connection).
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    fn query_error(&self, e: impl std::fmt::Display) -> PgError {
        PgError::Query { url: self.url.clone(), reason: e.to_string() }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, PgError> {
        self.pool.get().await.map_err(|e| PgError::Connect { url: self.url.clone(), reason: e.to_string() })
    }

    /// The schema version of the database (0: no Witryna tables).
    pub async fn schema_version(&self) -> Result<u32, PgError> {
        let client = self.client().await?;
        let exists = client
            .query_one("SELECT to_regclass('witryna_schema') IS NOT NULL", &[])
            .await
            .map_err(|e| self.query_error(e))?
            .get::<_, bool>(0);
        if !exists {
            return Ok(0);
        }
        let row = client.query_opt("SELECT version FROM witryna_schema", &[]).await.map_err(|e| self.query_error(e))?;
        Ok(row.map_or(0, |r| r.get::<_, i32>(0) as u32))
    }

    /// Applies pending migrations in one transaction (serialized across processes by an
    /// advisory lock). Returns the schema version after it.
    pub async fn migrate(&self) -> Result<u32, PgError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| self.query_error(e))?;
        tx.execute("SELECT pg_advisory_xact_lock(7262387468)", &[]).await.map_err(|e| self.query_error(e))?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS witryna_schema (version integer NOT NULL)")
            .await
            .map_err(|e| self.query_error(e))?;
        let current = tx
            .query_opt("SELECT version FROM witryna_schema", &[])
            .await
            .map_err(|e| self.query_error(e))?
            .map_or(0, |r| r.get::<_, i32>(0) as u32);
        if current > PG_SCHEMA_VERSION {
            return Err(PgError::SchemaTooNew { url: self.url.clone(), found: current, supported: PG_SCHEMA_VERSION });
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            tx.batch_execute(sql).await.map_err(|e| self.query_error(e))?;
            tracing::info!(version, "applied migration");
        }
        tx.execute("DELETE FROM witryna_schema", &[]).await.map_err(|e| self.query_error(e))?;
        tx.execute("INSERT INTO witryna_schema (version) VALUES ($1)", &[&(PG_SCHEMA_VERSION as i32)])
            .await
            .map_err(|e| self.query_error(e))?;
        tx.commit().await.map_err(|e| self.query_error(e))?;
        Ok(PG_SCHEMA_VERSION)
    }

    async fn store_client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::Backend {
            backend: "postgres",
            source: format!("no connection to {}: {e}", self.url).into(),
        })
    }

    /// Checks the slugs of a record and writes its slug and tag rows (the item row exists).
    async fn write_index_rows(tx: &Transaction<'_>, record: &Record) -> Result<(), StoreError> {
        let m = &record.meta;
        let id = m.id.0;
        let slugs: Vec<&str> =
            std::iter::once(m.slug.as_str()).chain(m.previous_slugs.iter().map(String::as_str)).collect();
        tx.execute("DELETE FROM slugs WHERE id = $1 AND NOT (slug = ANY($2))", &[&id, &slugs])
            .await
            .map_err(backend)?;
        for slug in &slugs {
            let owner = tx
                .query_opt(
                    "SELECT id FROM slugs WHERE kind = $1 AND locale = $2 AND slug = $3",
                    &[&m.kind, &m.locale, slug],
                )
                .await
                .map_err(backend)?
                .map(|r| r.get::<_, uuid::Uuid>(0));
            let taken = |owner: uuid::Uuid| StoreError::SlugTaken {
                kind: m.kind.clone(),
                locale: m.locale.clone(),
                slug: (*slug).to_owned(),
                owner: Id(owner),
            };
            match owner {
                Some(o) if o == id => {}
                Some(o) => return Err(taken(o)),
                None => {
                    let inserted = tx
                        .execute(
                            "INSERT INTO slugs (kind, locale, slug, id) VALUES ($1, $2, $3, $4)",
                            &[&m.kind, &m.locale, slug, &id],
                        )
                        .await;
                    if let Err(e) = inserted {
                        // Another transaction took the slug between the check and the insert.
                        return Err(if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
                            taken(uuid::Uuid::nil())
                        } else {
                            backend(e)
                        });
                    }
                }
            }
        }
        tx.execute("DELETE FROM tags WHERE id = $1", &[&id]).await.map_err(backend)?;
        for tag in &m.tags {
            tx.execute(
                "INSERT INTO tags (id, tag, kind, locale, sort_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                &[&id, tag, &m.kind, &m.locale, &sort_micros(record)],
            )
            .await
            .map_err(backend)?;
        }
        Ok(())
    }

    async fn upsert_item(tx: &Transaction<'_>, record: &Record) -> Result<(), StoreError> {
        let m = &record.meta;
        tx.execute(
            "INSERT INTO items (id, kind, locale, status, sort_at, version, record) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, sort_at = EXCLUDED.sort_at,
             version = EXCLUDED.version, record = EXCLUDED.record",
            &[
                &m.id.0,
                &m.kind,
                &m.locale,
                &i16::from(m.status.to_byte()),
                &sort_micros(record),
                &(m.version as i64),
                &encode_record(record),
            ],
        )
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn notify(&self, tx: &Transaction<'_>, id: Id) -> Result<(), StoreError> {
        let payload = format!("{}:{id}", self.instance);
        tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload]).await.map_err(backend)?;
        Ok(())
    }

    /// Runs a write transaction; an error rolls everything back.
    async fn in_transaction<F>(&self, f: F) -> Result<(), StoreError>
    where
        F: for<'a> FnOnce(
            &'a Transaction<'a>,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'a>>,
    {
        let mut client = self.store_client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        f(&tx).await?;
        tx.commit().await.map_err(backend)
    }
}

#[async_trait]
impl Store for PgStore {
    async fn put(&self, record: Record) -> Result<(), StoreError> {
        let expected = record
            .meta
            .version
            .checked_sub(1)
            .ok_or_else(|| StoreError::InvalidWrite("version must be at least 1".into()))?;
        let this = self.clone();
        self.in_transaction(move |tx| {
            Box::pin(async move {
                let m = &record.meta;
                let row = tx
                    .query_opt("SELECT version, kind, locale FROM items WHERE id = $1 FOR UPDATE", &[&m.id.0])
                    .await
                    .map_err(backend)?;
                let actual = row.as_ref().map_or(0, |r| r.get::<_, i64>(0) as u64);
                if actual != expected {
                    return Err(StoreError::Conflict { id: m.id, expected, actual });
                }
                if let Some(r) = &row {
                    if r.get::<_, String>(1) != m.kind || r.get::<_, String>(2) != m.locale {
                        return Err(StoreError::InvalidWrite(format!("item {} cannot change kind or locale", m.id)));
                    }
                }
                Self::upsert_item(tx, &record).await?;
                Self::write_index_rows(tx, &record).await?;
                tx.execute(
                    "INSERT INTO revisions (id, version, record) VALUES ($1, $2, $3)",
                    &[&m.id.0, &(m.version as i64), &encode_record(&record)],
                )
                .await
                .map_err(backend)?;
                this.notify(tx, m.id).await
            })
        })
        .await
    }

    async fn put_history(&self, versions: Vec<Record>) -> Result<(), StoreError> {
        let last = versions.last().cloned().ok_or_else(|| StoreError::InvalidWrite("no versions to write".into()))?;
        for (i, r) in versions.iter().enumerate() {
            let same = r.meta.id == last.meta.id && r.meta.kind == last.meta.kind && r.meta.locale == last.meta.locale;
            if !same || r.meta.version != i as u64 + 1 {
                return Err(StoreError::InvalidWrite(format!(
                    "versions of item {} must be 1..={} of one item, kind and locale, in order",
                    last.meta.id,
                    versions.len()
                )));
            }
        }
        let this = self.clone();
        self.in_transaction(move |tx| {
            Box::pin(async move {
                let id = last.meta.id;
                let existing = tx
                    .query_opt("SELECT version FROM items WHERE id = $1 FOR UPDATE", &[&id.0])
                    .await
                    .map_err(backend)?;
                if let Some(r) = existing {
                    return Err(StoreError::Conflict { id, expected: 0, actual: r.get::<_, i64>(0) as u64 });
                }
                Self::upsert_item(tx, &last).await?;
                Self::write_index_rows(tx, &last).await?;
                for r in &versions {
                    tx.execute(
                        "INSERT INTO revisions (id, version, record) VALUES ($1, $2, $3)",
                        &[&id.0, &(r.meta.version as i64), &encode_record(r)],
                    )
                    .await
                    .map_err(backend)?;
                }
                this.notify(tx, id).await
            })
        })
        .await
    }

    async fn all(&self, after: Option<Id>, limit: usize) -> Result<Vec<Record>, StoreError> {
        let client = self.store_client().await?;
        let after = after.map_or(uuid::Uuid::nil(), |a| a.0);
        let inclusive = after.is_nil();
        let rows = client
            .query(
                "SELECT id, record FROM items WHERE (id > $1 OR ($2 AND id = $1)) ORDER BY id LIMIT $3",
                &[&after, &inclusive, &(limit.max(1) as i64)],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(|r| decode(r.get(0), None, r.get(1))).collect()
    }

    async fn delete(&self, id: Id, expected_version: u64) -> Result<(), StoreError> {
        let this = self.clone();
        self.in_transaction(move |tx| {
            Box::pin(async move {
                let row = tx
                    .query_opt("SELECT version FROM items WHERE id = $1 FOR UPDATE", &[&id.0])
                    .await
                    .map_err(backend)?;
                let actual = row.ok_or(StoreError::NotFound { id })?.get::<_, i64>(0) as u64;
                if actual != expected_version {
                    return Err(StoreError::Conflict { id, expected: expected_version, actual });
                }
                tx.execute("DELETE FROM items WHERE id = $1", &[&id.0]).await.map_err(backend)?;
                tx.execute("DELETE FROM revisions WHERE id = $1", &[&id.0]).await.map_err(backend)?;
                this.notify(tx, id).await
            })
        })
        .await
    }

    async fn get(&self, id: Id) -> Result<Option<Record>, StoreError> {
        let client = self.store_client().await?;
        let row = client.query_opt("SELECT record FROM items WHERE id = $1", &[&id.0]).await.map_err(backend)?;
        row.map(|r| decode(id.0, None, r.get(0))).transpose()
    }

    async fn find_slug(&self, kind: &str, locale: &str, slug: &str) -> Result<Option<Record>, StoreError> {
        let client = self.store_client().await?;
        let row = client
            .query_opt(
                "SELECT i.id, i.record FROM slugs s JOIN items i ON i.id = s.id WHERE s.kind = $1 AND s.locale = $2 AND s.slug = $3",
                &[&kind, &locale, &slug],
            )
            .await
            .map_err(backend)?;
        row.map(|r| decode(r.get(0), None, r.get(1))).transpose()
    }

    async fn list(&self, q: &ListQuery) -> Result<RecordPage, StoreError> {
        let client = self.store_client().await?;
        let status = q.status.map(|s| i16::from(s.to_byte()));
        let from = q.from.map_or(i64::MIN, |t| t.timestamp_micros());
        let until = q.until.map_or(i64::MAX, |t| t.timestamp_micros());
        let (c_sort, c_id) = q.after.map_or((i64::MAX, uuid::Uuid::max()), |c| (c.sort_micros, c.id.0));
        let limit = q.limit.max(1);
        let fetch = (limit + 1) as i64;
        let rows = match &q.tag {
            None => {
                client
                    .query(
                        "SELECT id, record, sort_at FROM items
                         WHERE kind = $1 AND locale = $2 AND ($3::smallint IS NULL OR status = $3)
                           AND sort_at >= $4 AND sort_at <= $5 AND (sort_at, id) < ($6, $7)
                         ORDER BY sort_at DESC, id DESC LIMIT $8",
                        &[&q.kind, &q.locale, &status, &from, &until, &c_sort, &c_id, &fetch],
                    )
                    .await
            }
            Some(tag) => {
                client
                    .query(
                        "SELECT i.id, i.record, i.sort_at FROM tags t JOIN items i ON i.id = t.id
                         WHERE t.kind = $1 AND t.locale = $2 AND t.tag = $9 AND ($3::smallint IS NULL OR i.status = $3)
                           AND t.sort_at >= $4 AND t.sort_at <= $5 AND (t.sort_at, t.id) < ($6, $7)
                         ORDER BY t.sort_at DESC, t.id DESC LIMIT $8",
                        &[&q.kind, &q.locale, &status, &from, &until, &c_sort, &c_id, &fetch, tag],
                    )
                    .await
            }
        }
        .map_err(backend)?;
        let more = rows.len() > limit;
        let records =
            rows.iter().take(limit).map(|r| decode(r.get(0), None, r.get(1))).collect::<Result<Vec<_>, _>>()?;
        let next = if more {
            records.last().map(|r| witryna_core::store::Cursor { sort_micros: sort_micros(r), id: r.meta.id })
        } else {
            None
        };
        Ok(RecordPage { records, next })
    }

    async fn revisions(&self, id: Id) -> Result<Vec<Record>, StoreError> {
        let client = self.store_client().await?;
        let rows = client
            .query("SELECT version, record FROM revisions WHERE id = $1 ORDER BY version", &[&id.0])
            .await
            .map_err(backend)?;
        rows.iter().map(|r| decode(id.0, Some(r.get(0)), r.get(1))).collect()
    }

    async fn revision(&self, id: Id, version: u64) -> Result<Option<Record>, StoreError> {
        let client = self.store_client().await?;
        let row = client
            .query_opt("SELECT record FROM revisions WHERE id = $1 AND version = $2", &[&id.0, &(version as i64)])
            .await
            .map_err(backend)?;
        row.map(|r| decode(id.0, Some(version as i64), r.get(0))).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://user:sekret@db.example:5432/site"), "postgres://user:***@db.example:5432/site");
        assert_eq!(redact("postgres://db/site?user=a&password=sekret"), "postgres://db/site?user=a&password=***");
        assert_eq!(redact("postgres://user@db/site"), "postgres://user@db/site");
        assert!(!redact("postgresql://u:p%40ss@h/d").contains("p%40ss"));
    }
}
