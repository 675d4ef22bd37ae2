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
//! - Connections come from a pool (deadpool, [`PgOptions::max_connections`]); the connection
//!   string's password never appears in errors or logs ([`redact`]).
//! - The connection string is a URL (`postgres://user:pass@host/db?sslmode=require`) or
//!   libpq's keyword/value form (`host=db user=site password=… dbname=site`).
//! - TLS (rustls, with the `ring` provider) is used when the connection string asks for it
//!   with `sslmode=require`, `verify-ca` or `verify-full`; see [`PgStore::connect`].
//! - Blobs are rows of [`BLOB_CHUNK`] bytes (`blob_chunks`) named by a `blobs` row. A
//!   writer holds one pooled connection with a transaction open for the whole upload, so
//!   nothing of it is visible, or left behind, before its commit.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::config::SslMode;
use tokio_postgres::{NoTls, Transaction};
use tokio_postgres_rustls::MakeRustlsConnect;
use witryna_core::audit::{AuditEntry, AuditQuery, Delivery, WriteLog};
use witryna_core::record::{Id, Record};
use witryna_core::store::blob::{chunk_span, clip_span, BlobBuffer, BLOB_CHUNK};
use witryna_core::store::kv::{self, encode_record};
use witryna_core::store::{BlobHash, BlobInfo, BlobWriter, ListQuery, RecordPage, Store, StoreError};

/// The channel every write notifies, with `"<instance>:<item id>"` as payload.
pub const CHANNEL: &str = "witryna_changes";

/// The embedded migrations, in order; the last one's number is the schema version.
const MIGRATIONS: &[(u32, &str)] = &[
    (
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
    ),
    (
        2,
        // Records carry the accounts that wrote them: a new record layout, read beside the
        // old one, so no table changes; the stamp keeps older builds out.
        "SELECT 1",
    ),
    (
        3,
        // Blobs: a row per blob naming the data id its chunks are stored under (the chunks
        // of a second upload of the same bytes are never named, and go in its commit).
        r#"
CREATE TABLE blobs (
    hash bytea PRIMARY KEY CHECK (octet_length(hash) = 32),
    data_id uuid NOT NULL,
    size bigint NOT NULL,
    stored_at timestamptz NOT NULL
);
CREATE TABLE blob_chunks (
    data_id uuid NOT NULL,
    n integer NOT NULL,
    bytes bytea NOT NULL,
    PRIMARY KEY (data_id, n)
);
"#,
    ),
    (
        4,
        // Translation groups: a row per translation holds its source's place for its
        // locale. Records carry the link in a new layout read beside the older ones, so no
        // existing row is rewritten; older records have no links, so no row is missing.
        r#"
CREATE TABLE translations (
    source uuid NOT NULL,
    locale text NOT NULL,
    id uuid NOT NULL UNIQUE REFERENCES items (id) ON DELETE CASCADE,
    PRIMARY KEY (source, locale)
);
"#,
    ),
    (
        5,
        // The audit log and the webhook outbox, written in the same transaction as the
        // change they record. The filtered columns are copies of the entry's fields; the
        // entry itself is JSON, as in every backend.
        r#"
CREATE TABLE audit (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    action text NOT NULL,
    actor uuid,
    item uuid,
    public boolean NOT NULL,
    entry jsonb NOT NULL
);
CREATE INDEX audit_by_actor ON audit (actor, seq DESC);
CREATE INDEX audit_by_item ON audit (item, seq DESC);
CREATE INDEX audit_public ON audit (seq DESC) WHERE public;
CREATE INDEX audit_by_time ON audit (at);
CREATE TABLE deliveries (
    id uuid PRIMARY KEY,
    endpoint uuid NOT NULL,
    created_at timestamptz NOT NULL,
    next_at timestamptz,
    delivery jsonb NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE next_at IS NOT NULL;
CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint, id DESC);
"#,
    ),
];

/// The database schema version this build writes and reads.
pub const PG_SCHEMA_VERSION: u32 = 5;

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
    /// The connection string does not parse, or its TLS settings cannot be used (an
    /// unreadable `sslrootcert` file, say).
    #[error("invalid PostgreSQL connection string {url}: {reason}")]
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
    /// The database was made by an older build and needs `witryna migrate`.
    #[error("the database at {url} is at schema version {found}; this build needs {needed}: run `witryna migrate --store …` first")]
    Outdated {
        /// The URL without its password.
        url: String,
        /// The version in the database.
        found: u32,
        /// The version this build needs.
        needed: u32,
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

/// A connection string with its password replaced by `***`, for messages and logs.
///
/// Both forms PostgreSQL accepts are understood:
///
/// - a URL (`postgres://` or `postgresql://`): the password of the user info
///   (`user:***@host`, `%40` and the like included) and the value of every `password`
///   query parameter, whose name is compared after percent-decoding (`pass%77ord=***`);
/// - libpq's keyword/value form (`host=db user=site password=*** dbname=site`): keywords are
///   matched without regard to case, spaces may stand around `=`, and a quoted value
///   (`password='se cr\'et'`) is replaced whole, quotes included.
///
/// `sslpassword` values are hidden the same way. Everything else is kept as written.
pub fn redact(conn: &str) -> String {
    let parsed = parse_conn(conn);
    let mut edits: Vec<(Range<usize>, &str)> = Vec::new();
    if let Some(password) = &parsed.userinfo_password {
        edits.push((password.clone(), "***"));
    }
    for setting in parsed.settings.iter().filter(|s| is_secret_key(&s.key)) {
        edits.push((setting.raw_value.clone(), "***"));
    }
    apply_edits(conn, edits)
}

/// Keys whose values are secrets.
fn is_secret_key(key: &str) -> bool {
    let key = key.trim();
    key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("sslpassword")
}

/// One `key=value` setting of a connection string (a URL's query parameter, or a pair of
/// the keyword/value form), with byte ranges into the string.
#[derive(Debug)]
struct Setting {
    /// The key as PostgreSQL reads it (percent-decoded in a URL).
    key: String,
    /// The whole setting, from its key to the end of its value.
    span: Range<usize>,
    /// The value as written (with its quotes and escapes, or its percent-encoding).
    raw_value: Range<usize>,
    /// The value as PostgreSQL reads it.
    value: String,
    /// Pieces after a secret value taken as more of it (see [`extend_secret`]).
    extra: Vec<String>,
}

/// A connection string taken apart.
#[derive(Debug)]
struct ParsedConn {
    /// Whether it is a URL (else the keyword/value form).
    url: bool,
    /// The password in a URL's user info, as written.
    userinfo_password: Option<Range<usize>>,
    /// The query parameters of a URL, or the pairs of the keyword/value form.
    settings: Vec<Setting>,
}

/// Takes a connection string apart the way tokio_postgres (and libpq) read it, leaning
/// towards treating more as secret where the string is malformed.
fn parse_conn(conn: &str) -> ParsedConn {
    match conn.split_once("://") {
        Some((scheme, _))
            if !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) =>
        {
            parse_url(conn, scheme.len() + 3)
        }
        _ => parse_keywords(conn),
    }
}

fn parse_url(conn: &str, start: usize) -> ParsedConn {
    let rest = &conn[start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    // tokio_postgres ends the user info at the first `@` of the whole string; a raw `@` in a
    // password (which should have been `%40`) ends it later: hide the longer of the two.
    let userinfo_end = rest[..authority_end].rfind('@').or_else(|| rest.find('@'));
    let userinfo_password =
        userinfo_end.and_then(|end| rest[..end].find(':').map(|colon| start + colon + 1..start + end));
    // The query starts at the first `?` after the user info, or, where the user info ends past
    // the host (an `@` in the query, say), at the first `?` of all.
    let query_from = userinfo_end.filter(|&end| end < authority_end).map_or(0, |end| end + 1);
    let mut settings = Vec::new();
    if let Some(question) = rest[query_from..].find('?') {
        let mut at = start + query_from + question + 1;
        let mut open_secret = false;
        for param in conn[at..].split('&') {
            let end = at + param.len();
            match param.split_once('=') {
                Some((key, value)) => {
                    let (key, value_start) = (percent_decode(key), at + key.len() + 1);
                    let value = percent_decode(value);
                    if !extend_secret(&mut settings, open_secret, &key, &[param, &key, &value], end) {
                        open_secret = is_secret_key(&key);
                        let raw_value = value_start..end;
                        settings.push(Setting { key, span: at..end, raw_value, value, extra: Vec::new() });
                    }
                }
                None => {
                    extend_secret(&mut settings, open_secret, "", &[param, &percent_decode(param)], end);
                }
            }
            at = end + 1;
        }
    }
    ParsedConn { url: true, userinfo_password, settings }
}

/// `%XX` decoded (invalid UTF-8 replaced); other characters, `+` included, as they are.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// libpq's keyword/value form: `key = value` pairs apart by white space; a value is a run of
/// non-space characters or a single-quoted string, `\` escaping the next character in both.
fn parse_keywords(conn: &str) -> ParsedConn {
    let mut chars = conn.char_indices().peekable();
    let mut settings = Vec::new();
    let mut open_secret = false;
    let skip_space = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    };
    let here =
        |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| chars.peek().map_or(conn.len(), |&(i, _)| i);
    loop {
        skip_space(&mut chars);
        let key_start = here(&mut chars);
        while chars.next_if(|&(_, c)| !c.is_whitespace() && c != '=').is_some() {}
        let key_end = here(&mut chars);
        skip_space(&mut chars);
        match chars.peek() {
            None => break,
            Some(&(_, '=')) => {
                chars.next();
            }
            // A word without `=` (PostgreSQL refuses the string): look on after it.
            Some(_) => {
                extend_secret(&mut settings, open_secret, "", &[&conn[key_start..key_end]], key_end);
                continue;
            }
        }
        skip_space(&mut chars);
        let value_start = here(&mut chars);
        let mut value = String::new();
        if chars.next_if(|&(_, c)| c == '\'').is_some() {
            // Quoted; unterminated, it runs to the end.
            while let Some((_, c)) = chars.next() {
                match c {
                    '\'' => break,
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    c => value.push(c),
                }
            }
        } else {
            while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
                match c {
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    c => value.push(c),
                }
            }
        }
        let end = here(&mut chars);
        let key = &conn[key_start..key_end];
        if !extend_secret(&mut settings, open_secret, key, &[&conn[key_start..end], key, &value], end) {
            open_secret = is_secret_key(key);
            let (key, span, raw_value) = (key.to_owned(), key_start..end, value_start..end);
            settings.push(Setting { key, span, raw_value, value, extra: Vec::new() });
        }
    }
    ParsedConn { url: false, userinfo_password: None, settings }
}

/// Right after a secret (`open`), a piece that is no setting PostgreSQL knows is taken as
/// more of the secret: most likely the rest of a password with a space, `&` or `@` that
/// should have been quoted or percent-encoded (libpq would read it as an unknown setting,
/// and its error would name it). The secret's value then runs to `end`, and the piece's
/// `texts` are hidden in messages too. Returns whether it was taken.
fn extend_secret(settings: &mut [Setting], open: bool, key: &str, texts: &[&str], end: usize) -> bool {
    // libpq's keywords (and tokio_postgres's `keepalives_retries`).
    const KNOWN: &str =
        "host hostaddr port dbname user password passfile require_auth channel_binding connect_timeout \
         client_encoding options application_name fallback_application_name keepalives keepalives_idle \
         keepalives_interval keepalives_count keepalives_retries tcp_user_timeout replication gssencmode \
         sslmode sslnegotiation requiressl sslcompression sslcert sslkey sslpassword sslcertmode \
         sslrootcert sslcrl sslcrldir sslsni requirepeer ssl_min_protocol_version \
         ssl_max_protocol_version krbsrvname gsslib gssdelegation service target_session_attrs \
         load_balance_hosts";
    let known = KNOWN.split_whitespace().any(|k| k.eq_ignore_ascii_case(key.trim()));
    match settings.last_mut() {
        Some(secret) if open && !known => {
            secret.raw_value.end = end;
            secret.span.end = end;
            secret.extra.extend(texts.iter().filter(|t| !t.is_empty()).map(|t| (*t).to_owned()));
            true
        }
        _ => false,
    }
}

/// `s` with each range replaced; ranges that overlap an earlier one are cut to follow it.
fn apply_edits(s: &str, mut edits: Vec<(Range<usize>, &str)>) -> String {
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for (range, with) in edits {
        out.push_str(&s[at..range.start.max(at)]);
        out.push_str(with);
        at = at.max(range.end);
    }
    out.push_str(&s[at..]);
    out
}

/// The secrets of a connection string, as written and as read, for scrubbing messages.
fn secrets(conn: &str, parsed: &ParsedConn) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(range) = &parsed.userinfo_password {
        found.push(conn[range.clone()].to_owned());
        found.push(percent_decode(&conn[range.clone()]));
    }
    for setting in parsed.settings.iter().filter(|s| is_secret_key(&s.key)) {
        found.push(conn[setting.raw_value.clone()].to_owned());
        found.push(setting.value.clone());
        found.extend(setting.extra.iter().cloned());
    }
    // An unencoded `@` in a URL's password makes the URL parser split it (the first piece
    // becomes part of the user name, which the server repeats in its errors): scrub the
    // pieces too, when they are long enough not to blank out ordinary words.
    let pieces: Vec<String> = found
        .iter()
        .flat_map(|s| s.split('@').filter(|p| p.len() >= 4 && p.len() < s.len()).map(str::to_owned))
        .collect();
    found.extend(pieces);
    found.retain(|s| !s.is_empty());
    // Longest first, so that no shorter secret leaves a piece of a longer one.
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found.dedup();
    found
}

/// `message` with every secret replaced by `***`.
fn scrub(mut message: String, secrets: &[String]) -> String {
    for secret in secrets {
        if message.contains(secret.as_str()) {
            message = message.replace(secret.as_str(), "***");
        }
    }
    message
}

/// An error with its causes (tokio_postgres shows only the first link, such as `db error`).
fn reason(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !more.is_empty() && !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

/// The settings of a connection string, and the TLS connector it asks for (none: plain TCP).
struct Prepared {
    config: tokio_postgres::Config,
    tls: Option<MakeRustlsConnect>,
}

/// Reads a connection string. Two libpq settings that tokio_postgres lacks are taken out
/// before it reads the rest: `sslrootcert=FILE` (the CA to trust instead of the built-in
/// roots) and `sslmode=verify-ca`/`verify-full` (read as `require`, which verifies anyway).
fn prepare(conn: &str, shown: &str) -> Result<Prepared, PgError> {
    let parsed = parse_conn(conn);
    let bad =
        |reason: String| PgError::BadUrl { url: shown.to_owned(), reason: scrub(reason, &secrets(conn, &parsed)) };
    let mut edits: Vec<(Range<usize>, &str)> = Vec::new();
    let mut root_cert = None;
    for setting in &parsed.settings {
        match setting.key.as_str() {
            "sslrootcert" => {
                root_cert = Some(setting.value.clone());
                let mut span = setting.span.clone();
                if parsed.url {
                    // Take one `&` with it, so the query stays well-formed.
                    if conn[..span.start].ends_with('&') {
                        span.start -= 1;
                    } else if conn[span.end..].starts_with('&') {
                        span.end += 1;
                    }
                }
                edits.push((span, ""));
            }
            "sslmode" if matches!(setting.value.as_str(), "verify-ca" | "verify-full") => {
                edits.push((setting.raw_value.clone(), "require"));
            }
            _ => {}
        }
    }
    let config = tokio_postgres::Config::from_str(&apply_edits(conn, edits)).map_err(|e| bad(reason(&e)))?;
    let tls = match config.get_ssl_mode() {
        SslMode::Require => {
            let ca_file = root_cert.filter(|f| f != "system").map(PathBuf::from);
            Some(tls_connector(ca_file.as_deref()).map_err(bad)?)
        }
        _ if root_cert.is_some() => {
            return Err(bad("sslrootcert needs sslmode=require, verify-ca or verify-full \
                 (without it the connection does not use TLS)"
                .to_owned()))
        }
        _ => None,
    };
    Ok(Prepared { config, tls })
}

/// A rustls connector (ring provider) that trusts the certificates in `ca_file` (PEM), or
/// the Mozilla roots of `webpki-roots` without one. It always checks the server's name.
fn tls_connector(ca_file: Option<&Path>) -> Result<MakeRustlsConnect, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;

    let roots = match ca_file {
        None => rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() },
        Some(path) => {
            let unreadable = |e: &dyn std::fmt::Display| format!("cannot read sslrootcert {}: {e}", path.display());
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path).map_err(|e| unreadable(&e))? {
                let cert = cert.map_err(|e| unreadable(&e))?;
                roots.add(cert).map_err(|e| unreadable(&e))?;
            }
            if roots.is_empty() {
                return Err(format!("sslrootcert {} holds no PEM certificate", path.display()));
            }
            roots
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
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
    tls: Option<MakeRustlsConnect>,
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
/// An audit entry or delivery from its JSON column, naming it when it does not read.
fn from_json<T: serde::de::DeserializeOwned>(what: &str, value: serde_json::Value) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt { key: what.to_owned(), reason: e.to_string() })
}

fn decode(id: uuid::Uuid, version: Option<i64>, bytes: &[u8]) -> Result<Record, StoreError> {
    let key = match version {
        Some(v) => kv::revision_key(Id(id), v as u64),
        None => kv::record_key(Id(id)),
    };
    kv::decode_record(&key, bytes)
}

/// Drives a listening connection: its notifications' payloads arrive on the channel until
/// the connection fails or the returned task is aborted.
fn drive_notifications<S, T>(
    mut connection: tokio_postgres::Connection<S, T>,
) -> (tokio::sync::mpsc::UnboundedReceiver<String>, tokio::task::JoinHandle<()>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
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
                    tracing::warn!(error = %reason(&e), "notification connection failed");
                    break;
                }
                None => break,
            }
        }
    });
    (rx, driver)
}

/// A blob being written: its chunks are inserted as they fill, in a transaction of its own
/// connection that the commit ends.
///
/// A writer dropped before its commit (or whose commit failed half-way) takes its
/// connection out of the pool and closes it: the server then rolls the transaction back,
/// and no connection with an open (or aborted, or mid-query) transaction is handed to
/// another caller. Closing costs a new connection later; a `ROLLBACK` sent from `Drop` would
/// need a task that may never run (and a connection whose state is unknown after a
/// cancelled query), so the simplest safe choice is taken.
struct PgBlobWriter {
    /// The connection, in the writer's transaction; `None` once committed (back in the pool).
    client: Option<deadpool_postgres::Object>,
    /// `INSERT INTO blob_chunks`, prepared.
    insert: tokio_postgres::Statement,
    data: uuid::Uuid,
    buffer: BlobBuffer,
    /// Number of the next chunk.
    next: i32,
    /// A `write` did not finish (cancelled, or the server failed): the transaction is in an
    /// unknown state, so the writer can only be dropped.
    broken: bool,
}

fn broken_writer() -> StoreError {
    backend(std::io::Error::other("a write to this blob did not finish; start again"))
}

impl PgBlobWriter {
    fn client(&self) -> Result<&deadpool_postgres::Object, StoreError> {
        self.client.as_ref().ok_or_else(broken_writer)
    }

    async fn insert_chunk(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        let n = self.next;
        self.client()?.execute(&self.insert, &[&self.data, &n, &chunk]).await.map_err(backend)?;
        self.next = n.checked_add(1).ok_or_else(|| backend(std::io::Error::other("the blob is too large")))?;
        Ok(())
    }
}

impl Drop for PgBlobWriter {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Out of the pool, and closed: the server rolls the transaction back.
            drop(deadpool_postgres::Object::take(client));
        }
    }
}

#[async_trait]
impl BlobWriter for PgBlobWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        if self.broken {
            return Err(broken_writer());
        }
        let chunks = self.buffer.push(bytes);
        self.broken = true;
        for chunk in chunks {
            self.insert_chunk(&chunk).await?;
        }
        self.broken = false;
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<BlobInfo, StoreError> {
        if self.broken {
            return Err(broken_writer());
        }
        self.broken = true;
        let (hash, size, last) = std::mem::take(&mut self.buffer).finish();
        if let Some(last) = last {
            self.insert_chunk(&last).await?;
        }
        let size = i64::try_from(size).map_err(|_| backend(std::io::Error::other("the blob is too large")))?;
        let client = self.client()?;
        // clock_timestamp(), not now(): the time of the commit, not of the upload's start.
        // On a conflict the row is locked first (a racing writer of the same bytes waits
        // here for the other's commit), then renewed, never moved back.
        let row = client
            .query_one(
                "INSERT INTO blobs (hash, data_id, size, stored_at) VALUES ($1, $2, $3, clock_timestamp())
                 ON CONFLICT (hash) DO UPDATE SET stored_at = greatest(blobs.stored_at, clock_timestamp())
                 RETURNING data_id, size, stored_at",
                &[&&hash.0[..], &self.data, &size],
            )
            .await
            .map_err(backend)?;
        let (kept, size, stored_at): (uuid::Uuid, i64, std::time::SystemTime) = (row.get(0), row.get(1), row.get(2));
        if kept != self.data {
            // Already stored: this upload's chunks go, in the same transaction.
            client.execute("DELETE FROM blob_chunks WHERE data_id = $1", &[&self.data]).await.map_err(backend)?;
        }
        client.batch_execute("COMMIT").await.map_err(backend)?;
        // Committed: the connection goes back to the pool as it came.
        drop(self.client.take());
        Ok(BlobInfo { hash, size: size as u64, stored_at: DateTime::<Utc>::from(stored_at) })
    }
}

impl PgStore {
    /// Connects with a pool; checks (or, with `options.migrate`, applies) the schema.
    ///
    /// `url` is a URL (`postgres://user:pass@host:5432/db?sslmode=require`) or libpq's
    /// keyword/value form (`host=db port=5432 user=site password='…' dbname=site`), with the
    /// settings tokio_postgres reads. Errors show it only through [`redact`].
    ///
    /// TLS:
    /// - `sslmode=require` (also `verify-ca` and `verify-full`, read the same way) connects
    ///   with TLS or not at all, and always verifies the server's certificate and its name
    ///   (as libpq's `verify-full` does) against the Mozilla roots of `webpki-roots`;
    /// - `sslrootcert=FILE` (a PEM file) trusts the certificates in that file instead, for a
    ///   private CA or a self-signed server (`sslrootcert=system`: the built-in roots);
    /// - `sslmode=prefer` (the default) and `disable` connect without TLS, as before.
    pub async fn connect(url: &str, options: PgOptions) -> Result<Self, PgError> {
        let shown = redact(url);
        let Prepared { mut config, tls } = prepare(url, &shown)?;
        if let Some(schema) = &options.schema {
            config.options(format!("-c search_path={schema}"));
        }
        let manager_config = || ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = match &tls {
            Some(tls) => Manager::from_config(config.clone(), tls.clone(), manager_config()),
            None => Manager::from_config(config.clone(), NoTls, manager_config()),
        };
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| PgError::Connect { url: shown.clone(), reason: reason(&e) })?;
        let store = Self { pool, url: shown, instance: Id::new().to_string(), config, tls };
        if options.migrate {
            store.migrate().await?;
        }
        match store.schema_version().await? {
            0 => Err(PgError::NotMigrated { url: store.url.clone() }),
            v if v > PG_SCHEMA_VERSION => {
                Err(PgError::SchemaTooNew { url: store.url.clone(), found: v, supported: PG_SCHEMA_VERSION })
            }
            v if v < PG_SCHEMA_VERSION => {
                Err(PgError::Outdated { url: store.url.clone(), found: v, needed: PG_SCHEMA_VERSION })
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
        let tls = self.tls.clone();
        tokio::spawn(async move {
            loop {
                let connected = match &tls {
                    Some(tls) => config.connect(tls.clone()).await.map(|(client, c)| (client, drive_notifications(c))),
                    None => config.connect(NoTls).await.map(|(client, c)| (client, drive_notifications(c))),
                };
                match connected {
                    Ok((client, (mut rx, driver))) => {
                        if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                            tracing::warn!(error = %reason(&e), url = %url, "LISTEN failed");
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
                    Err(e) => {
                        tracing::warn!(error = %reason(&e), url = %url, "cannot connect to listen for changes; retrying")
                    }
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

    fn query_error(&self, e: impl std::error::Error + 'static) -> PgError {
        PgError::Query { url: self.url.clone(), reason: reason(&e) }
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, PgError> {
        self.pool.get().await.map_err(|e| PgError::Connect { url: self.url.clone(), reason: reason(&e) })
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
            source: format!("no connection to {}: {}", self.url, reason(&e)).into(),
        })
    }

    /// Checks the slugs and the translation place of a record and writes its slug, translation
    /// and tag rows (the item row exists).
    async fn write_index_rows(tx: &Transaction<'_>, record: &Record) -> Result<(), StoreError> {
        let m = &record.meta;
        let id = m.id.0;
        let slugs: Vec<&str> =
            std::iter::once(m.slug.as_str()).chain(m.previous_slugs.iter().map(String::as_str)).collect();
        tx.execute("DELETE FROM slugs WHERE id = $1 AND NOT (slug = ANY($2))", &[&id, &slugs])
            .await
            .map_err(backend)?;
        for slug in &slugs {
            let taken = |owner: uuid::Uuid| StoreError::SlugTaken {
                kind: m.kind.clone(),
                locale: m.locale.clone(),
                slug: (*slug).to_owned(),
                owner: Id(owner),
            };
            Self::claim(
                tx,
                id,
                "INSERT INTO slugs (kind, locale, slug, id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                "SELECT id FROM slugs WHERE kind = $1 AND locale = $2 AND slug = $3",
                &[&m.kind, &m.locale, slug],
                taken,
            )
            .await?;
        }
        let source = m.translation_of.map(|t| t.id.0);
        if source == Some(id) {
            return Err(StoreError::InvalidWrite(format!("item {} cannot translate itself", m.id)));
        }
        tx.execute("DELETE FROM translations WHERE id = $1 AND source IS DISTINCT FROM $2", &[&id, &source])
            .await
            .map_err(backend)?;
        if let Some(source) = source {
            let taken = |owner: uuid::Uuid| StoreError::TranslationTaken {
                group: Id(source),
                locale: m.locale.clone(),
                owner: Id(owner),
            };
            Self::claim(
                tx,
                id,
                "INSERT INTO translations (source, locale, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                "SELECT id FROM translations WHERE source = $1 AND locale = $2",
                &[&source, &m.locale],
                taken,
            )
            .await?;
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

    /// Makes the row that `key` (the parameters of both statements, `id` appended to the
    /// insert's) selects name `id`, unless another item holds it (`taken` says which).
    ///
    /// `ON CONFLICT DO NOTHING` waits for a transaction that is inserting the same key: if
    /// that one commits, nothing is inserted here, and the select (a new snapshot under READ
    /// COMMITTED) reads the committed owner — a lost race names the real owner. An owner
    /// deleted between the two statements freed the key: try again.
    async fn claim(
        tx: &Transaction<'_>,
        id: uuid::Uuid,
        insert: &str,
        select: &str,
        key: &[&(dyn tokio_postgres::types::ToSql + Sync)],
        taken: impl FnOnce(uuid::Uuid) -> StoreError,
    ) -> Result<(), StoreError> {
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = key.iter().copied().chain([&id as _]).collect();
        for _ in 0..10 {
            if tx.execute(insert, &params).await.map_err(backend)? == 1 {
                return Ok(());
            }
            let owner = tx.query_opt(select, key).await.map_err(backend)?.map(|r| r.get::<_, uuid::Uuid>(0));
            match owner {
                Some(o) if o == id => return Ok(()),
                Some(o) => return Err(taken(o)),
                None => continue,
            }
        }
        Err(backend(std::io::Error::other(format!("{select}: the row keeps changing owner"))))
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

    /// Writes a log's audit entry and deliveries in the transaction of its change.
    async fn write_log(tx: &Transaction<'_>, log: &WriteLog) -> Result<(), StoreError> {
        if let Some(e) = &log.entry {
            // The entry's `seq` is the row's identity: insert, then store the entry with it.
            let row = tx
                .query_one(
                    "INSERT INTO audit (at, action, actor, item, public, entry) VALUES ($1, $2, $3, $4, $5, '{}')
                     RETURNING seq",
                    &[&e.at, &e.action.as_str(), &e.actor.id.map(|i| i.0), &e.item.as_ref().map(|i| i.id.0), &e.public],
                )
                .await
                .map_err(backend)?;
            let seq: i64 = row.get(0);
            let entry = serde_json::to_value(AuditEntry { seq: seq as u64, ..e.clone() }).map_err(backend)?;
            tx.execute("UPDATE audit SET entry = $2 WHERE seq = $1", &[&seq, &entry]).await.map_err(backend)?;
        }
        for d in &log.deliveries {
            tx.execute(
                "INSERT INTO deliveries (id, endpoint, created_at, next_at, delivery) VALUES ($1, $2, $3, $4, $5)",
                &[&d.id.0, &d.endpoint.0, &d.created_at, &d.next_at, &serde_json::to_value(d).map_err(backend)?],
            )
            .await
            .map_err(backend)?;
        }
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
    async fn put_logged(&self, record: Record, log: WriteLog) -> Result<(), StoreError> {
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
                Self::write_log(tx, &log).await?;
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

    async fn delete_logged(&self, id: Id, expected_version: u64, log: WriteLog) -> Result<(), StoreError> {
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
                Self::write_log(tx, &log).await?;
                this.notify(tx, id).await
            })
        })
        .await
    }

    async fn append_log(&self, log: WriteLog) -> Result<(), StoreError> {
        self.in_transaction(move |tx| Box::pin(async move { Self::write_log(tx, &log).await })).await
    }

    async fn audit(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
        let client = self.store_client().await?;
        let before = q.before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let rows = client
            .query(
                "SELECT seq, entry FROM audit WHERE seq < $1
                   AND ($2::uuid IS NULL OR actor = $2) AND ($3::uuid IS NULL OR item = $3)
                   AND ($4::text IS NULL OR action = $4)
                   AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR at <= $6)
                   AND (NOT $7 OR public)
                 ORDER BY seq DESC LIMIT $8",
                &[
                    &before,
                    &q.actor.map(|a| a.0),
                    &q.item.map(|i| i.0),
                    &q.action.map(|a| a.as_str()),
                    &q.from,
                    &q.until,
                    &q.public_only,
                    &(q.limit.max(1) as i64),
                ],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(|r| from_json(&format!("audit entry {}", r.get::<_, i64>(0)), r.get(1))).collect()
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let client = self.store_client().await?;
        client.execute("DELETE FROM audit WHERE at < $1", &[&before]).await.map_err(backend)
    }

    async fn due_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let client = self.store_client().await?;
        let rows = client
            .query(
                "SELECT id, delivery FROM deliveries WHERE next_at <= $1 ORDER BY next_at, id LIMIT $2",
                &[&now, &(limit.max(1) as i64)],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(|r| from_json(&format!("webhook delivery {}", r.get::<_, uuid::Uuid>(0)), r.get(1))).collect()
    }

    async fn update_delivery(&self, d: Delivery) -> Result<(), StoreError> {
        let client = self.store_client().await?;
        let value = serde_json::to_value(&d).map_err(backend)?;
        let updated = client
            .execute(
                "UPDATE deliveries SET next_at = $3, delivery = $4 WHERE id = $1 AND endpoint = $2",
                &[&d.id.0, &d.endpoint.0, &d.next_at, &value],
            )
            .await
            .map_err(backend)?;
        if updated == 1 {
            return Ok(());
        }
        let exists = client.query_opt("SELECT 1 FROM deliveries WHERE id = $1", &[&d.id.0]).await.map_err(backend)?;
        match exists {
            None => Err(StoreError::NotFound { id: d.id }),
            Some(_) => Err(StoreError::InvalidWrite(format!("delivery {} cannot change endpoint", d.id))),
        }
    }

    async fn deliveries(&self, endpoint: Id, before: Option<Id>, limit: usize) -> Result<Vec<Delivery>, StoreError> {
        let client = self.store_client().await?;
        let rows = client
            .query(
                "SELECT id, delivery FROM deliveries WHERE endpoint = $1 AND ($2::uuid IS NULL OR id < $2)
                 ORDER BY id DESC LIMIT $3",
                &[&endpoint.0, &before.map(|b| b.0), &(limit.max(1) as i64)],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(|r| from_json(&format!("webhook delivery {}", r.get::<_, uuid::Uuid>(0)), r.get(1))).collect()
    }

    async fn prune_deliveries(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let client = self.store_client().await?;
        client
            .execute("DELETE FROM deliveries WHERE next_at IS NULL AND created_at < $1", &[&before])
            .await
            .map_err(backend)
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

    async fn translations(&self, source: Id) -> Result<Vec<Record>, StoreError> {
        let client = self.store_client().await?;
        let rows = client
            .query(
                "SELECT i.id, i.record FROM translations t JOIN items i ON i.id = t.id WHERE t.source = $1 ORDER BY t.locale",
                &[&source.0],
            )
            .await
            .map_err(backend)?;
        rows.iter().map(|r| decode(r.get(0), None, r.get(1))).collect()
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

    async fn blob_writer(&self) -> Result<Box<dyn BlobWriter>, StoreError> {
        let client = self.store_client().await?;
        let insert = client
            .prepare_cached("INSERT INTO blob_chunks (data_id, n, bytes) VALUES ($1, $2, $3)")
            .await
            .map_err(backend)?;
        let writer = PgBlobWriter {
            client: Some(client),
            insert,
            data: Id::new().0,
            buffer: BlobBuffer::new(),
            next: 0,
            broken: false,
        };
        // Should BEGIN fail, dropping the writer closes the connection.
        writer.client()?.batch_execute("BEGIN").await.map_err(backend)?;
        Ok(Box::new(writer))
    }

    async fn blob(&self, hash: BlobHash) -> Result<Option<BlobInfo>, StoreError> {
        let client = self.store_client().await?;
        let row = client
            .query_opt("SELECT size, stored_at FROM blobs WHERE hash = $1", &[&&hash.0[..]])
            .await
            .map_err(backend)?;
        Ok(row.map(|r| blob_info(hash, r.get(0), r.get(1))))
    }

    async fn read_blob(&self, hash: BlobHash, offset: u64, len: usize) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.store_client().await?;
        // The chunks the range falls in, as far as the blob has them (its size is not known
        // yet): one query, one snapshot, so a blob deleted meanwhile is whole or absent.
        let chunk = BLOB_CHUNK as u64;
        let end = offset.saturating_add(len.max(1) as u64 - 1);
        let as_n = |byte: u64| i32::try_from(byte / chunk).unwrap_or(i32::MAX);
        let rows = client
            .query(
                "SELECT b.size, c.bytes FROM blobs b
                 LEFT JOIN blob_chunks c ON c.data_id = b.data_id AND c.n BETWEEN $2 AND $3
                 WHERE b.hash = $1 ORDER BY c.n",
                &[&&hash.0[..], &as_n(offset), &as_n(end)],
            )
            .await
            .map_err(backend)?;
        let Some(first_row) = rows.first() else { return Ok(None) };
        let size = first_row.get::<_, i64>(0) as u64;
        let Some((first, last, skip)) = chunk_span(size, offset, len) else { return Ok(Some(Vec::new())) };
        let chunks: Vec<&[u8]> = rows.iter().filter_map(|r| r.get::<_, Option<&[u8]>>(1)).collect();
        if chunks.len() as u64 != last - first + 1 {
            return Err(StoreError::Corrupt {
                key: format!("blob {hash}"),
                reason: format!("chunks {first}..={last} of {size} bytes: {} found", chunks.len()),
            });
        }
        Ok(Some(clip_span(chunks.concat(), skip, len)))
    }

    async fn blobs(&self, after: Option<BlobHash>, limit: usize) -> Result<Vec<BlobInfo>, StoreError> {
        let client = self.store_client().await?;
        // Every hash is 32 bytes, so all come after the empty one.
        let after = after.map_or_else(Vec::new, |h| h.0.to_vec());
        let rows = client
            .query(
                "SELECT hash, size, stored_at FROM blobs WHERE hash > $1 ORDER BY hash LIMIT $2",
                &[&after, &i64::try_from(limit).unwrap_or(i64::MAX)],
            )
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| {
                let bytes: &[u8] = r.get(0);
                let hash = bytes.try_into().map(BlobHash).map_err(|_| StoreError::Corrupt {
                    key: "blobs".into(),
                    reason: format!("a hash of {} bytes", bytes.len()),
                })?;
                Ok(blob_info(hash, r.get(1), r.get(2)))
            })
            .collect()
    }

    async fn delete_blob(&self, hash: BlobHash, stored_before: DateTime<Utc>) -> Result<bool, StoreError> {
        let mut client = self.store_client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        // A writer renewing the row holds its lock: this waits, then sees the new time.
        let row = tx
            .query_opt(
                "DELETE FROM blobs WHERE hash = $1 AND stored_at < $2 RETURNING data_id",
                &[&&hash.0[..], &std::time::SystemTime::from(stored_before)],
            )
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(false) };
        tx.execute("DELETE FROM blob_chunks WHERE data_id = $1", &[&row.get::<_, uuid::Uuid>(0)])
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}

fn blob_info(hash: BlobHash, size: i64, stored_at: std::time::SystemTime) -> BlobInfo {
    BlobInfo { hash, size: size as u64, stored_at: DateTime::<Utc>::from(stored_at) }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::{parse_conn, prepare, reason, redact, scrub, secrets};

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://user:sekret@db.example:5432/site"), "postgres://user:***@db.example:5432/site");
        assert_eq!(redact("postgres://db/site?user=a&password=sekret"), "postgres://db/site?user=a&password=***");
        assert_eq!(redact("postgres://user@db/site"), "postgres://user@db/site");
        assert!(!redact("postgresql://u:p%40ss@h/d").contains("p%40ss"));
    }

    #[test]
    fn url_userinfo_passwords_are_redacted_whatever_they_hold() {
        assert_eq!(redact("postgresql://u:p%40ss@h/d"), "postgresql://u:***@h/d");
        assert_eq!(redact("postgres://u:p%40ss%3Aw@h:5432"), "postgres://u:***@h:5432");
        // A raw `@` or `/` in the password (it should be percent-encoded) is hidden whole.
        assert_eq!(redact("postgres://u:p@ss@h/d"), "postgres://u:***@h/d");
        assert_eq!(redact("postgres://u:p/ss@h/d"), "postgres://u:***@h/d");
        assert_eq!(redact("postgres://u@h/d?sslmode=require"), "postgres://u@h/d?sslmode=require");
    }

    #[test]
    fn percent_encoded_password_parameters_are_redacted() {
        assert_eq!(redact("postgres://h/d?pass%77ord=sekret"), "postgres://h/d?pass%77ord=***");
        assert_eq!(
            redact("postgres://h/d?%70%61%73%73%77%6F%72%64=sekret&port=1"),
            "postgres://h/d?%70%61%73%73%77%6F%72%64=***&port=1"
        );
        assert_eq!(redact("postgres://h/d?password=sek%72et"), "postgres://h/d?password=***");
        assert_eq!(
            redact("postgres://h/d?PASSWORD=sekret&sslmode=require"),
            "postgres://h/d?PASSWORD=***&sslmode=require"
        );
        assert_eq!(redact("postgres://u:a@h/d?user=u&password=b"), "postgres://u:***@h/d?user=u&password=***");
        assert_eq!(redact("postgres://h/d?sslpassword=sekret"), "postgres://h/d?sslpassword=***");
        assert_eq!(redact("postgres://h/d?password=sek@ret"), "postgres://h/d?password=***");
    }

    #[test]
    fn keyword_value_passwords_are_redacted() {
        assert_eq!(
            redact("host=127.0.0.1 user=postgres password=sekret dbname=x"),
            "host=127.0.0.1 user=postgres password=*** dbname=x"
        );
        assert_eq!(redact("password = sekret host=h"), "password = *** host=h");
        assert_eq!(redact("host=h\tPassWord=sekret"), "host=h\tPassWord=***");
        assert_eq!(redact("password='se cret' dbname=x"), "password=*** dbname=x");
        assert_eq!(redact(r"password='it\'s se cret' dbname=x"), "password=*** dbname=x");
        assert_eq!(redact(r"password=se\ cret dbname=x"), "password=*** dbname=x");
        assert_eq!(redact("user=u password="), "user=u password=***");
        // Unterminated quotes hide the rest of the string.
        assert_eq!(redact("host=h password='se cret dbname=x"), "host=h password=***");
        // Words without `=` do not stop the scan.
        assert_eq!(redact("nonsense password=sekret"), "nonsense password=***");
        // An unquoted password with spaces: what follows it up to a known keyword is hidden.
        assert_eq!(redact("password=se cret=x c r e t host=h"), "password=*** host=h");
        assert_eq!(redact("host=h user=u dbname=site"), "host=h user=u dbname=site");
        assert_eq!(redact("witryna-data"), "witryna-data");
    }

    #[test]
    fn redaction_reads_keywords_as_postgres_does() {
        for conn in [
            "host=h password=sekret",
            "host=h password = 'sek ret' user=u",
            r"password='sek\'ret' host=h",
            "postgres://u:sek%72et@h/d",
            "postgres://h/d?pass%77ord=sek%72et",
        ] {
            let config = tokio_postgres::Config::from_str(conn).unwrap();
            let password = String::from_utf8(config.get_password().unwrap().to_vec()).unwrap();
            let shown = redact(conn);
            assert!(!shown.contains(&password), "{shown}");
            assert!(shown.contains("***"), "{shown}");
            assert!(secrets(conn, &parse_conn(conn)).contains(&password), "{conn}");
        }
    }

    #[test]
    fn messages_are_scrubbed_of_secrets() {
        let conn = "host=h password='sek ret'";
        let found = secrets(conn, &parse_conn(conn));
        assert_eq!(scrub("unknown option `sek ret` in 'sek ret'".into(), &found), "unknown option `***` in ***");
        let conn = "postgres://u:sek%72et@h/d";
        let found = secrets(conn, &parse_conn(conn));
        assert_eq!(scrub("sekret or sek%72et".into(), &found), "*** or ***");
    }

    #[test]
    fn parse_errors_never_show_the_password() {
        // tokio_postgres names an unknown keyword in its error: here a piece of an unquoted
        // password with a space in it.
        let conn = "host=h password=se cret=x";
        let Err(e) = prepare(conn, &redact(conn)) else { panic!("parsed") };
        let text = e.to_string();
        assert!(text.contains("unknown option"), "{text}");
        assert!(!text.contains("cret"), "{text}");
        // The same with a `&` in a URL's password parameter that should have been `%26`.
        let conn = "postgres://h/d?password=sek&ret&sslmode=require";
        assert_eq!(redact(conn), "postgres://h/d?password=***&sslmode=require");
        let Err(e) = prepare(conn, &redact(conn)) else { panic!("parsed") };
        assert!(e.to_string().contains("unknown option") && !e.to_string().contains("ret&"), "{e}");
        let conn = "postgres://u:sekret@h/d?sslmode=sometimes";
        let Err(e) = prepare(conn, &redact(conn)) else { panic!("parsed") };
        assert!(e.to_string().contains("sslmode") && !e.to_string().contains("sekret"), "{e}");
        // An unencoded `@` in a query password: the URL parser makes its first piece part of
        // the user name, which the server then repeats ("role … does not exist").
        let conn = "postgres://h/d?password=first-half@second-half";
        let parsed = parse_conn(conn);
        let secrets = secrets(conn, &parsed);
        let echoed = scrub("role \"h/d?password=first-half\" does not exist".to_owned(), &secrets);
        assert!(!echoed.contains("first-half"), "{echoed}");
    }

    #[test]
    fn tls_settings_are_read() {
        let plain = prepare("postgres://u@h/d", "").ok().unwrap();
        assert!(plain.tls.is_none(), "the default (prefer) connects as before, without TLS");
        assert!(prepare("host=h sslmode=disable", "").ok().unwrap().tls.is_none());
        for conn in [
            "postgres://u@h/d?sslmode=require",
            "host=h user=u sslmode=require",
            "postgres://u@h/d?sslmode=verify-full",
            "host=h sslmode='verify-ca' dbname=d",
            "postgres://u@h/d?sslrootcert=system&sslmode=verify-full",
        ] {
            let prepared = prepare(conn, "").unwrap_or_else(|e| panic!("{conn}: {e}"));
            assert!(prepared.tls.is_some(), "{conn}");
            assert_eq!(prepared.config.get_ssl_mode(), tokio_postgres::config::SslMode::Require, "{conn}");
        }
        let kept = prepare("postgres://u@h/d?sslrootcert=system&sslmode=require&application_name=w", "").ok().unwrap();
        assert_eq!(kept.config.get_application_name(), Some("w"));
        assert_eq!(kept.config.get_dbname(), Some("d"));
        let kept = prepare("host=h sslmode=require sslrootcert = 'system' dbname=d", "").ok().unwrap();
        assert_eq!(kept.config.get_dbname(), Some("d"));
    }

    #[test]
    fn a_root_certificate_file_is_required_to_be_usable() {
        let Err(e) = prepare("postgres://u:sekret@h/d?sslmode=require&sslrootcert=/no/such/ca.pem", "shown") else {
            panic!("a missing CA file was accepted")
        };
        assert!(e.to_string().contains("cannot read sslrootcert /no/such/ca.pem"), "{e}");
        let Err(e) = prepare("host=h sslrootcert=/etc/ssl/ca.pem", "shown") else {
            panic!("sslrootcert without TLS was accepted")
        };
        assert!(e.to_string().contains("sslrootcert needs sslmode=require"), "{e}");
    }

    #[test]
    fn reasons_show_their_causes() {
        let e = tokio_postgres::Config::from_str("host=h sslmode=sometimes").unwrap_err();
        assert_eq!(e.to_string(), "invalid connection string");
        assert_eq!(reason(&e), "invalid connection string: invalid value for option `sslmode`");
    }
}
