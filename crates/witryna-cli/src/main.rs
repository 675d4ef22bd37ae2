//! `witryna`: serve the JSON API on a sled store, manage API tokens, export and import.

mod serve;

use witryna_cli::{kinds, transfer};

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use witryna_accounts::users::NewUser;
use witryna_core::{demo, Cms, CmsError, DynStore, Id, Locales, Store};
use witryna_http::auth::{self, Role, TokenError};
use witryna_http::{ApiConfig, ApiState};
use witryna_postgres::{PgOptions, PgStore};
use witryna_search::TantivyIndex;
use witryna_sled::{Durability, OpenError, SledOptions, SledStore};
use witryna_webhooks::{DispatchOptions, Dispatcher, WebhookOutbox};

/// Witryna: a CMS for public-service websites.
#[derive(Debug, Parser)]
#[command(name = "witryna", version, about)]
struct Cli {
    /// Folder of the store (sled).
    #[arg(long, global = true, value_name = "DIR", default_value = "witryna-data")]
    data: PathBuf,
    /// A PostgreSQL store instead of the sled folder: a URL (`postgres://user@host/db`) or
    /// libpq's keyword/value form (`"host=db user=site dbname=site"`). Add `sslmode=require`
    /// (`?sslmode=require` in a URL) for TLS, and `sslrootcert=FILE` to trust a private CA.
    /// The password never appears in messages.
    #[arg(long, global = true, value_name = "URL")]
    store: Option<String>,
    /// Bound of sled's page cache in MiB. sled exceeds its bound somewhat (sled #1309): the
    /// default keeps `serve` with 100 000 items under 300 MiB resident (BENCHMARKS.md).
    #[arg(long, global = true, value_name = "MIB", default_value_t = DEFAULT_SLED_CACHE_MIB)]
    sled_cache_mb: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the site (`/`) and the JSON API (`/api/v1`).
    Serve {
        /// Address to listen on (port 0: any free port).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load the demo content when the store is empty.
        #[arg(long)]
        demo: bool,
        /// Origin allowed by CORS, e.g. `https://mops.example.pl` (repeat for several; `*`: any).
        #[arg(long = "cors-origin", value_name = "ORIGIN", value_parser = parse_origin)]
        cors_origins: Vec<String>,
        /// The site's public address (`https://mops.example.pl`): the only source of absolute
        /// links in pages, the feed and the sitemap, and of `Secure` cookies. Default: the
        /// listening address (relative links when listening on all interfaces).
        #[arg(long, value_name = "URL", value_parser = parse_public_url)]
        public_url: Option<String>,
        /// Trust a proxy in front: client addresses from the last `X-Forwarded-For` entry
        /// and `X-Forwarded-Proto: https` for `Secure` cookies. Only behind a proxy that sets them.
        #[arg(long)]
        trust_proxy: bool,
        /// Most connections open at once (keep it well under `ulimit -n`); when all are
        /// taken, the one idle longest makes room for a new client.
        #[arg(long, default_value_t = 512)]
        max_connections: usize,
        /// Largest request body in bytes.
        #[arg(long, default_value_t = 1024 * 1024)]
        body_limit: usize,
        /// Public API responses and rendered pages kept in memory (0: no cache).
        #[arg(long, default_value_t = 1024)]
        cache_entries: usize,
        /// Most bytes (URLs and bodies) each of the two caches, API and site, holds.
        #[arg(long, default_value_t = 32 * 1024 * 1024)]
        cache_bytes: usize,
        /// Apply pending PostgreSQL migrations before serving.
        #[arg(long)]
        migrate: bool,
        /// Seconds a request may take before it is answered 408.
        #[arg(long, default_value_t = 30)]
        request_timeout: u64,
        /// Seconds a client may take to send a whole request body (slow-client protection).
        #[arg(long, default_value_t = 10)]
        body_timeout: u64,
        /// Seconds a connection may stay silent before sending a request head — when it
        /// opens and between requests — or take to send one; then it is closed.
        #[arg(long, default_value_t = 10)]
        header_timeout: u64,
        /// Largest file accepted by the media library, in MiB.
        #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=1024))]
        max_upload_mb: u64,
        /// Seconds an upload (`POST /api/v1/media`, the editor's upload form) may take to
        /// arrive and be processed: a 25 MB file on a slow line needs minutes.
        #[arg(long, default_value_t = 600)]
        upload_timeout: u64,
        /// The site's languages, comma-separated: `pl` (the default and the source of every
        /// translation) and any of `en`, `uk`. Turning one off hides its pages and refuses
        /// new items in it; nothing stored changes.
        #[arg(long, default_value = "pl,en,uk", value_parser = parse_locales)]
        locales: Locales,
        /// Let webhook endpoints be on loopback, private and link-local addresses (receivers
        /// inside the site's own network; tests). Off: such endpoints are refused.
        #[arg(long)]
        webhooks_allow_private: bool,
        /// Days the audit log keeps an entry (checked every hour); at least 1.
        #[arg(long, default_value_t = witryna_core::audit::AUDIT_RETENTION_DAYS, value_parser = clap::value_parser!(u32).range(1..=36_500))]
        audit_retention_days: u32,
    },
    /// Delete stored files that no media item names (a `serve` does it every hour).
    Gc {
        /// Keep unnamed files younger than this many hours (uploads in progress).
        #[arg(long, default_value_t = 24)]
        grace_hours: u32,
    },
    /// Apply pending schema migrations (PostgreSQL; sled stores stamp theirs on open).
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the accounts of the editor interface (`/admin`).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write every stored file and every item with its revisions as JSON Lines.
    Export {
        /// Output file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Load an export into the store (created when missing), checking every file against its
    /// SHA-256; rebuilds the search index.
    Import {
        /// The JSON Lines file written by `witryna export`.
        file: PathBuf,
    },
    /// Rebuild the search index (`DIR/search`) from the store.
    Reindex,
}

/// `value` as an http(s) URI with a host and no user info, query or fragment.
fn http_uri(value: &str) -> Option<axum::http::Uri> {
    let uri: axum::http::Uri = value.parse().ok()?;
    let ok = matches!(uri.scheme_str(), Some("http" | "https"))
        && uri.authority().is_some_and(|a| !a.host().is_empty() && !a.as_str().contains('@'))
        && uri.query().is_none()
        && !value.contains('#');
    ok.then_some(uri)
}

/// A CORS origin: `*`, or `scheme://host[:port]` with nothing after.
fn parse_origin(value: &str) -> Result<String, String> {
    match http_uri(value) {
        _ if value == "*" => Ok(value.to_owned()),
        Some(uri) if uri.path() == "/" && !value.ends_with('/') => Ok(value.to_owned()),
        _ => Err(format!("{value:?} is not an origin like https://mops.example.pl (scheme and host, no path), nor *")),
    }
}

/// A list of the site's languages (`pl,en,uk`).
fn parse_locales(value: &str) -> Result<Locales, String> {
    Locales::parse(value).map_err(|e| e.to_string())
}

/// A public URL: http(s), a host, no query or fragment; a trailing `/` is dropped.
fn parse_public_url(value: &str) -> Result<String, String> {
    match http_uri(value) {
        Some(_) => Ok(value.trim_end_matches('/').to_owned()),
        None => Err(format!("{value:?} is not a public URL like https://mops.example.pl")),
    }
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a token; its secret is printed once.
    Create {
        /// editor (content) or admin (also settings and tokens).
        #[arg(long)]
        role: Role,
        /// Who or what it is for.
        #[arg(long, default_value = "token")]
        name: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// The token's id (from `token list`).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input when it is not a
    /// terminal (one line), otherwise asked for without echo; never taken as an argument.
    Create {
        /// The login e-mail address.
        #[arg(long)]
        email: String,
        /// author, editor or administrator (autor, redaktor, administrator).
        #[arg(long)]
        role: Role,
        /// The name shown as the author, e.g. "Anna Kowalska" (default: the e-mail address).
        #[arg(long)]
        name: Option<String>,
    },
    /// List accounts (never their passwords).
    List,
}

#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("no store in {0}: start `witryna serve --data {0}` or `witryna import FILE --data {0}` there first, or pass --data DIR")]
    NoStore(String),
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error(transparent)]
    Cms(#[from] CmsError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    User(#[from] witryna_accounts::UserError),

    #[error("cannot load the demo content: {0}")]
    Demo(#[from] demo::DemoError),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Export(#[from] transfer::ExportError),
    #[error(transparent)]
    Import(#[from] transfer::ImportError),
    #[error("{0} line(s) of the import were refused")]
    ImportRefused(usize),
    #[error("{0:?} is not a token id")]
    BadId(String),
    #[error(transparent)]
    Postgres(#[from] witryna_postgres::PgError),
}

/// The store a command works on: the sled folder, or PostgreSQL with `--store`.
enum Backend {
    Sled(SledStore),
    Postgres(Box<PgStore>),
}

impl Backend {
    fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sled(s) => Arc::new(s.clone()),
            Backend::Postgres(p) => Arc::new((**p).clone()),
        }
    }

    /// The search index: `DIR/search` beside sled; in memory for PostgreSQL (each server
    /// builds its own at start and keeps it current through notifications).
    fn index(&self, dir: &Path) -> Result<Arc<TantivyIndex>, CliError> {
        match self {
            Backend::Sled(_) => open_index(dir),
            Backend::Postgres(_) => TantivyIndex::in_memory().map(Arc::new).map_err(|e| CliError::Io(e.to_string())),
        }
    }
}

/// sled's page cache of `witryna` by default, in MiB (`SledOptions`' default).
const DEFAULT_SLED_CACHE_MIB: u64 = 64;

/// Opens the store: `--store` (PostgreSQL) or `--data` (sled, with `sled`'s options;
/// created only if `create`).
async fn open_backend(
    cli_store: &Option<String>,
    dir: &Path,
    sled: SledOptions,
    create: bool,
    migrate: bool,
) -> Result<Backend, CliError> {
    match cli_store {
        // A URL, or libpq's keyword/value form (`host=… dbname=…`: an `=` and no `://`).
        Some(url)
            if url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || (url.contains('=') && !url.contains("://")) =>
        {
            let options = PgOptions { migrate, ..PgOptions::default() };
            Ok(Backend::Postgres(Box::new(PgStore::connect(url, options).await?)))
        }
        Some(other) => Err(CliError::Io(format!(
            "--store takes a postgres:// URL or a `host=… dbname=…` connection string, got {}; for a sled folder use --data DIR",
            witryna_postgres::redact(other)
        ))),
        None if create => Ok(Backend::Sled(SledStore::open_with(dir, sled)?)),
        None => Ok(Backend::Sled(open_existing(dir, sled)?)),
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CliError {
    CliError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// Opens an existing store; a missing folder is an error (nothing to read there).
fn open_existing(dir: &Path, sled: SledOptions) -> Result<SledStore, CliError> {
    if !SledStore::exists(dir) {
        return Err(CliError::NoStore(dir.display().to_string()));
    }
    Ok(SledStore::open_with(dir, sled)?)
}

fn progress(len: Option<u64>) -> ProgressBar {
    let bar = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr())
            .with_style(ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {eta}").expect("valid template")),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
            .with_style(ProgressStyle::with_template("{spinner} {pos} items").expect("valid template")),
    };
    // indicatif draws only on a terminal: pipes and files stay clean.
    bar
}

/// SIGINT or SIGTERM. The handlers are registered when this is called (not when it is first
/// polled), so a signal arriving right after "listening" is never missed.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate()).ok();
        let interrupt = signal(SignalKind::interrupt()).ok();
        async move {
            async fn recv(s: Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! { _ = recv(term) => {}, _ = recv(interrupt) => {} }
            tracing::info!("shutting down: finishing requests in flight");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The Cms on a store, with this site's kinds.
fn cms_on(store: DynStore) -> Cms {
    Cms::new(store).with_kinds(kinds())
}

/// The search index lives beside sled's files, in `DIR/search`.
fn open_index(dir: &Path) -> Result<Arc<TantivyIndex>, CliError> {
    TantivyIndex::open(dir.join("search")).map(Arc::new).map_err(|e| CliError::Io(e.to_string()))
}

async fn rebuild(cms: &Cms) -> Result<u64, CliError> {
    let bar = progress(None);
    let read = cms.rebuild_derived(&|n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    Ok(read)
}

/// What `serve` needs besides the store.
struct ServeOptions {
    addr: String,
    seed: bool,
    api: ApiConfig,
    public_url: Option<String>,
    request_timeout: Duration,
    limits: serve::ConnectionLimits,
    locales: Locales,
    audit_retention: chrono::Duration,
}

async fn serve(backend: Backend, dir: &Path, options: ServeOptions) -> Result<(), CliError> {
    let ServeOptions { addr, seed, api: config, public_url, request_timeout, limits, locales, audit_retention } =
        options;
    let store = backend.store();
    let index = backend.index(dir)?;
    // The outbox first: it learns of endpoint changes before the search index is updated.
    let outbox = WebhookOutbox::new();
    let cms = cms_on(store.clone())
        .with_outbox(outbox.clone())
        .with_derived(outbox.clone())
        .with_search(index.clone())
        .with_locales(locales);
    outbox.load(&*store).await.map_err(|e| CliError::Io(e.to_string()))?;
    let dispatch = DispatchOptions { allow_private: config.webhooks_allow_private, ..DispatchOptions::default() };
    let dispatcher = Dispatcher::new(cms.clone(), outbox, dispatch).map_err(|e| CliError::Io(e.to_string()))?;
    tokio::spawn(dispatcher.run());
    if let Backend::Postgres(pg) = &backend {
        let cms = cms.clone();
        // Other servers' writes: caches and the search index hear of them within moments.
        pg.listen(move |id| {
            let cms = cms.clone();
            async move {
                if let Err(e) = cms.external_change(id).await {
                    tracing::warn!(error = %e, %id, "could not take in a change of another server");
                }
            }
        });
    }
    if seed {
        let report = demo::seed_with_files(&cms, &witryna_media::DemoMedia).await?;
        if report.seeded {
            tracing::info!(items = report.items, "loaded the demo content");
        }
    }
    if index.is_empty() && !witryna_core::Store::all(&*store, None, 1).await.map_err(CmsError::from)?.is_empty() {
        let read = rebuild(&cms).await?;
        tracing::info!(items = read, "built the search index");
    }
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| CliError::Io(e.to_string()))?;
    // Absolute links come from configuration only, never from request headers.
    let public_url = public_url.or_else(|| (!local.ip().is_unspecified()).then(|| format!("http://{local}")));
    if public_url.is_none() {
        tracing::warn!("listening on all interfaces without --public-url: links in the feed and sitemap stay relative");
    }
    let site_config = witryna_site::SiteConfig {
        public_url: public_url.clone(),
        trust_proxy: limits.trust_proxy,
        cache_entries: config.public_cache_entries,
        cache_bytes: config.public_cache_bytes,
        ..Default::default()
    };
    let site = witryna_site::SiteState::with_config(cms.clone(), site_config);
    let fallback_site = site.clone();
    let admin_config = witryna_admin::AdminConfig {
        public_url: public_url.clone(),
        trust_proxy: limits.trust_proxy,
        media_limits: config.media_limits,
        webhooks_allow_private: config.webhooks_allow_private,
    };
    tokio::spawn(housekeeping_hourly(cms.clone(), audit_retention));
    // Uploads cut by a killed server left their temporary files; running ones are younger
    // than twice their time limit.
    let swept = witryna_media::sweep_spools(2 * limits.upload_timeout);
    if swept > 0 {
        tracing::info!(files = swept, "deleted temporary files of interrupted uploads");
    }
    let admin = witryna_admin::AdminState::new(cms.clone(), site.clone(), admin_config);
    let setup_link = if witryna_accounts::users::has_administrator(&cms).await? {
        None
    } else {
        Some(witryna_accounts::setup::create(&cms).await?)
    };
    // The site at `/`, the API at `/api/v1`, the editor interface at `/admin`; unknown
    // `/api/` paths get the API's problem+json 404, `/admin/` ones the editor's 404, everything
    // else the site's helpful HTML 404.
    let app = witryna_site::routes(site)
        .merge(witryna_http::routes(ApiState::with_config(cms, config)))
        .merge(witryna_admin::routes(admin))
        .fallback(move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let site = fallback_site.clone();
            async move {
                if uri.path().starts_with("/api/") {
                    witryna_http::not_found().await
                } else if uri.path().starts_with("/admin/") {
                    witryna_admin::not_found().await
                } else {
                    witryna_site::not_found(&site, &headers, &uri).await
                }
            }
        });
    // A stuck request is answered 408 (a trickled body is cut off in the accept loop);
    // uploads get their own, longer time.
    let upload_timeout = limits.upload_timeout;
    let app = serve::logged(app.layer(axum::middleware::from_fn(move |request, next| {
        serve::answer_within(request, next, request_timeout, upload_timeout)
    })));
    let shown = match &backend {
        Backend::Sled(_) => dir.display().to_string(),
        Backend::Postgres(pg) => format!("{pg:?}"),
    };
    let shutdown = shutdown_signal();
    {
        // One write, errors ignored: a supervisor that reads the first line and closes the
        // pipe must not make a later print fail the server.
        let mut text = format!("witryna: listening on http://{local} (store: {shown})\n");
        if let Some(secret) = setup_link {
            let base = public_url.unwrap_or_else(|| format!("http://{local}"));
            text.push_str(&format!(
                "witryna: no administrator yet. Within an hour, open {base}/admin/pierwsze-konto/{secret} \
                 to create the first one (the link works once), or run `witryna user create --role administrator`.\n"
            ));
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    serve::accept_loop(listener, app, shutdown, limits).await;
    // The index's commits were left to the kernel: synced now, the next start trusts it.
    index.sync().map_err(|e| CliError::Io(format!("cannot sync the search index: {e}")))
}

/// Logs an import in the audit log: who (the command line), when, and what it brought.
async fn log_import(store: &dyn witryna_core::Store, report: &transfer::ImportReport) -> Result<(), CliError> {
    let note = format!(
        "{} items, {} files, {} audit entries; {} lines refused",
        report.imported,
        report.files_imported,
        report.audit_entries,
        report.errors.len()
    );
    let entry = witryna_core::audit::AuditEntry {
        seq: 0,
        at: chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6),
        action: witryna_core::audit::AuditAction::Imported,
        actor: witryna_core::audit::Actor { id: None, name: "witryna import".into(), address: None },
        item: None,
        note: Some(note),
        public: false,
    };
    let log = witryna_core::audit::WriteLog { entry: Some(entry), deliveries: Vec::new() };
    store.append_log(log).await.map_err(CmsError::from)?;
    Ok(())
}

/// Every hour: deletes the stored files no media item names (after the grace period), and
/// the audit entries and finished webhook deliveries past their retention. The logs are
/// also pruned at start, so a server restarted often still keeps its retention.
async fn housekeeping_hourly(cms: Cms, audit_retention: chrono::Duration) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    every.tick().await;
    loop {
        match cms.prune_logs(audit_retention).await {
            Ok((0, 0)) => {}
            Ok((entries, deliveries)) => tracing::info!(entries, deliveries, "pruned the logs past their retention"),
            Err(e) => tracing::warn!(error = %e, "could not prune the logs"),
        }
        every.tick().await;
        match cms.collect_blobs(witryna_core::BLOB_GRACE).await {
            Ok(r) if r.deleted > 0 => tracing::info!(deleted = r.deleted, "deleted files no media item names"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not collect unnamed files"),
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let dir = cli.data.as_path();
    let sled = SledOptions { cache_capacity: cli.sled_cache_mb.saturating_mul(1 << 20), ..SledOptions::default() };
    match cli.command {
        Command::Serve {
            addr,
            demo,
            cors_origins,
            public_url,
            trust_proxy,
            max_connections,
            body_limit,
            cache_entries,
            cache_bytes,
            migrate,
            request_timeout,
            body_timeout,
            header_timeout,
            max_upload_mb,
            upload_timeout,
            locales,
            webhooks_allow_private,
            audit_retention_days,
        } => {
            let media_limits = witryna_media::Limits { max_bytes: max_upload_mb << 20, ..Default::default() };
            let api = ApiConfig {
                body_limit,
                cors_origins,
                public_cache_entries: cache_entries,
                public_cache_bytes: cache_bytes,
                media_limits,
                webhooks_allow_private,
                ..ApiConfig::default()
            };
            let backend = open_backend(&cli.store, dir, sled, true, migrate).await?;
            let secs = |s: u64| Duration::from_secs(s.max(1));
            let limits = serve::ConnectionLimits {
                header_timeout: secs(header_timeout),
                body_timeout: secs(body_timeout),
                upload_timeout: secs(upload_timeout),
                max_connections,
                trust_proxy,
            };
            let options = ServeOptions {
                addr,
                seed: demo,
                api,
                public_url,
                request_timeout: secs(request_timeout),
                limits,
                locales,
                audit_retention: chrono::Duration::days(audit_retention_days.into()),
            };
            serve(backend, dir, options).await
        }
        Command::Gc { grace_hours } => {
            let cms = cms_on(open_backend(&cli.store, dir, sled, false, false).await?.store());
            let report = cms.collect_blobs(chrono::Duration::hours(grace_hours.into())).await?;
            eprintln!(
                "Deleted {} unnamed files; kept {} named ones and {} younger than {grace_hours} h.",
                report.deleted, report.referenced, report.young
            );
            Ok(())
        }
        Command::Migrate => match open_backend(&cli.store, dir, sled, true, true).await? {
            Backend::Postgres(pg) => {
                eprintln!("The database is at schema version {}.", pg.schema_version().await?);
                Ok(())
            }
            Backend::Sled(_) => {
                eprintln!(
                    "sled stores need no migration: {} is at schema version {}.",
                    dir.display(),
                    witryna_core::store::kv::SCHEMA_VERSION
                );
                Ok(())
            }
        },
        Command::Token { command } => {
            let cms = cms_on(open_backend(&cli.store, dir, sled, false, false).await?.store());
            match command {
                TokenCommand::Create { role, name } => {
                    let token = auth::create_token(&cms, role, &name).await?;
                    eprintln!(
                        "Created {} token {:?} (id {}). The secret is shown only now:",
                        role.as_str(),
                        name,
                        token.info.id
                    );
                    println!("{}", token.token);
                }
                TokenCommand::List => {
                    for t in auth::list_tokens(&cms).await? {
                        println!(
                            "{}\t{}\t{}\t{}",
                            t.id,
                            t.role.as_str(),
                            t.created_at.format("%Y-%m-%d %H:%M"),
                            t.name
                        );
                    }
                }
                TokenCommand::Revoke { id } => {
                    let id: Id = id.parse().map_err(|_| CliError::BadId(id.clone()))?;
                    auth::revoke_token(&cms, id).await?;
                    eprintln!("Revoked token {id}.");
                }
            }
            Ok(())
        }
        Command::User { command } => {
            // The first account may come before anything else: `user create` makes the store.
            let create = matches!(command, UserCommand::Create { .. });
            let cms = cms_on(open_backend(&cli.store, dir, sled, create, false).await?.store());
            match command {
                UserCommand::Create { email, role, name } => {
                    let password = read_password()?;
                    let display_name = name.unwrap_or_else(|| email.trim().to_owned());
                    let new = NewUser { email, display_name, role, password };
                    let user = witryna_accounts::users::create_user(&cms, new).await?;
                    eprintln!(
                        "Created {} account {} ({}, id {}).",
                        role.as_str(),
                        user.content.email,
                        user.content.display_name,
                        user.meta.id
                    );
                }
                UserCommand::List => {
                    for u in witryna_accounts::users::list_users(&cms).await? {
                        let state = if u.content.active { "active" } else { "inactive" };
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            u.meta.id,
                            u.content.role.as_str(),
                            state,
                            u.content.email,
                            u.content.display_name
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Export { out } => {
            let store = open_backend(&cli.store, dir, sled, false, false).await?.store();
            let bar = progress(None);
            let report = match &out {
                Some(path) => {
                    let file = File::create(path).map_err(|e| io("create", path, e))?;
                    transfer::export_report(&*store, &mut BufWriter::new(file), || bar.inc(1)).await?
                }
                None => {
                    let mut stdout = BufWriter::new(std::io::stdout().lock());
                    transfer::export_report(&*store, &mut stdout, || bar.inc(1)).await?
                }
            };
            bar.finish_and_clear();
            eprintln!(
                "Exported {} items, {} files and {} audit entries.",
                report.items, report.files, report.audit_entries
            );
            for id in &report.left_out {
                eprintln!("Left out media item {id}: its file was stored after the export began; export again.");
            }
            Ok(())
        }
        Command::Reindex => match open_backend(&cli.store, dir, sled, false, false).await? {
            Backend::Sled(store) => {
                let index = open_index(dir)?;
                let cms = cms_on(Arc::new(store)).with_search(index.clone());
                let read = rebuild(&cms).await?;
                index.sync().map_err(|e| CliError::Io(format!("cannot sync the search index: {e}")))?;
                eprintln!("Rebuilt the search index from {read} items.");
                Ok(())
            }
            Backend::Postgres(_) => {
                eprintln!(
                    "With PostgreSQL each server keeps its search index in memory, builds it when it starts \
                     and keeps it current through notifications: restart a server to rebuild its index."
                );
                Ok(())
            }
        },
        Command::Import { file } => {
            let input = File::open(&file).map_err(|e| io("open", &file, e))?;
            let len = input.metadata().map(|m| m.len()).ok();
            let backend = open_backend(&cli.store, dir, sled, true, false).await?;
            // A bulk load into sled: acknowledge writes before each fsync, flush once at the end.
            let store: Arc<dyn Store> = match &backend {
                Backend::Sled(s) => Arc::new(s.with_durability(Durability::Relaxed { flush_every_ms: 1000 })),
                Backend::Postgres(p) => Arc::new((**p).clone()),
            };
            let bar = progress(len);
            let report = transfer::import(&*store, &kinds(), &mut BufReader::new(input), |n| bar.inc(n)).await;
            bar.finish_and_clear();
            if let Ok(report) = &report {
                log_import(&*store, report).await?;
            }
            if let Backend::Sled(s) = &backend {
                s.flush().await.map_err(|e| CliError::Io(format!("cannot flush the store: {e}")))?;
            }
            let report = report?;
            if let Backend::Sled(s) = backend {
                let index = open_index(dir)?;
                let cms = cms_on(Arc::new(s)).with_search(index.clone());
                rebuild(&cms).await?;
                index.sync().map_err(|e| CliError::Io(format!("cannot sync the search index: {e}")))?;
            }
            for (line, message) in &report.errors {
                eprintln!("{}:{line}: {message}", file.display());
            }
            eprintln!(
                "Imported {} items; {} already present; {} refused. Files: {} imported, {} already present. \
                 Audit entries: {}.",
                report.imported,
                report.already_present,
                report.errors.len(),
                report.files_imported,
                report.files_already_present,
                report.audit_entries
            );
            match report.errors.len() {
                0 => Ok(()),
                n => Err(CliError::ImportRefused(n)),
            }
        }
    }
}

/// A new password: one line of standard input when it is not a terminal, else asked for
/// twice without echo.
fn read_password() -> Result<String, CliError> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stdin.lock(), &mut line)
            .map_err(|e| CliError::Io(format!("cannot read the password: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| CliError::Io(format!("cannot read the password: {e}")))
    };
    let first = ask("Password (at least 12 characters): ")?;
    if ask("Repeat it: ")? != first {
        return Err(CliError::Io("the two passwords differ".into()));
    }
    Ok(first)
}

fn main() -> ExitCode {
    // Everything witryna writes — the store, the search index, exports — is its owner's
    // alone: drafts, token hashes and (later) accounts live there.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("WITRYNA_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("witryna: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("witryna: {e}");
            ExitCode::FAILURE
        }
    }
}
