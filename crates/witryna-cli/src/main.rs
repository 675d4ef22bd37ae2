//! `witryna`: serve the JSON API on a sled store, manage API tokens, export and import.

use witryna_cli::transfer;

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use witryna_core::{demo, Cms, CmsError, Id, Store};
use witryna_http::auth::{self, Role, TokenError};
use witryna_http::{ApiConfig, ApiState};
use witryna_postgres::{PgOptions, PgStore};
use witryna_search::TantivyIndex;
use witryna_sled::{Durability, OpenError, SledStore};

/// Witryna: a CMS for public-service websites.
#[derive(Debug, Parser)]
#[command(name = "witryna", version, about)]
struct Cli {
    /// Folder of the store (sled).
    #[arg(long, global = true, value_name = "DIR", default_value = "witryna-data")]
    data: PathBuf,
    /// A PostgreSQL store instead of the sled folder: `postgres://user@host/db`.
    #[arg(long, global = true, value_name = "URL")]
    store: Option<String>,
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
        /// Origin allowed by CORS (repeat for several).
        #[arg(long = "cors-origin", value_name = "ORIGIN")]
        cors_origins: Vec<String>,
        /// Largest request body in bytes.
        #[arg(long, default_value_t = 1024 * 1024)]
        body_limit: usize,
        /// Public API responses and rendered pages kept in memory (0: no cache).
        #[arg(long, default_value_t = 1024)]
        cache_entries: usize,
        /// Apply pending PostgreSQL migrations before serving.
        #[arg(long)]
        migrate: bool,
        /// Seconds a request may take before it is answered 408.
        #[arg(long, default_value_t = 30)]
        request_timeout: u64,
        /// Seconds a client may take to send a request body (slow-client protection).
        #[arg(long, default_value_t = 10)]
        body_timeout: u64,
        /// Seconds a client may take to send the request headers (slow-client protection).
        #[arg(long, default_value_t = 10)]
        header_timeout: u64,
    },
    /// Apply pending schema migrations (PostgreSQL; sled stores stamp theirs on open).
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write every item with its revisions as JSON Lines.
    Export {
        /// Output file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Load an export into the store (created when missing); rebuilds the search index.
    Import {
        /// The JSON Lines file written by `witryna export`.
        file: PathBuf,
    },
    /// Rebuild the search index (`DIR/search`) from the store.
    Reindex,
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

/// Opens the store: `--store` (PostgreSQL) or `--data` (sled; created only if `create`).
async fn open_backend(
    cli_store: &Option<String>,
    dir: &Path,
    create: bool,
    migrate: bool,
) -> Result<Backend, CliError> {
    match cli_store {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let options = PgOptions { migrate, ..PgOptions::default() };
            Ok(Backend::Postgres(Box::new(PgStore::connect(url, options).await?)))
        }
        Some(other) => Err(CliError::Io(format!(
            "--store takes a postgres:// URL, got {}; for a sled folder use --data DIR",
            witryna_postgres::redact(other)
        ))),
        None if create => Ok(Backend::Sled(SledStore::open(dir)?)),
        None => Ok(Backend::Sled(open_existing(dir)?)),
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CliError {
    CliError::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// Opens an existing store; a missing folder is an error (nothing to read there).
fn open_existing(dir: &Path) -> Result<SledStore, CliError> {
    if !SledStore::exists(dir) {
        return Err(CliError::NoStore(dir.display().to_string()));
    }
    Ok(SledStore::open(dir)?)
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

/// The search index lives beside sled's files, in `DIR/search`.
fn open_index(dir: &Path) -> Result<Arc<TantivyIndex>, CliError> {
    TantivyIndex::open(dir.join("search")).map(Arc::new).map_err(|e| CliError::Io(e.to_string()))
}

async fn rebuild(cms: &Cms) -> Result<u64, CliError> {
    let bar = progress(None);
    let read = cms.rebuild_search(&|n| bar.set_position(n)).await?;
    bar.finish_and_clear();
    Ok(read)
}

async fn serve(
    backend: Backend,
    dir: &Path,
    addr: &str,
    seed: bool,
    config: ApiConfig,
    (request_timeout, body_timeout, header_timeout): (Duration, Duration, Duration),
) -> Result<(), CliError> {
    let store = backend.store();
    let index = backend.index(dir)?;
    let cms = Cms::new(store.clone()).with_search(index.clone());
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
        let report = demo::seed(&cms).await?;
        if report.seeded {
            tracing::info!(items = report.items, "loaded the demo content");
        }
    }
    if index.is_empty() && !witryna_core::Store::all(&*store, None, 1).await.map_err(CmsError::from)?.is_empty() {
        let read = rebuild(&cms).await?;
        tracing::info!(items = read, "built the search index");
    }
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| CliError::Io(format!("cannot listen on {addr}: {e}")))?;
    let local = listener.local_addr().map_err(|e| CliError::Io(e.to_string()))?;
    let site_config = witryna_site::SiteConfig { cache_entries: config.public_cache_entries, ..Default::default() };
    let site = witryna_site::SiteState::with_config(cms.clone(), site_config);
    let fallback_site = site.clone();
    // The site at `/`, the API at `/api/v1`; unknown `/api/` paths get the API's
    // problem+json 404, everything else the site's helpful HTML 404.
    let app = witryna_site::routes(site).merge(witryna_http::routes(ApiState::with_config(cms, config))).fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let site = fallback_site.clone();
            async move {
                if uri.path().starts_with("/api/") {
                    witryna_http::not_found().await
                } else {
                    witryna_site::not_found(&site, &headers).await
                }
            }
        },
    );
    // A stuck request is answered 408; a client that trickles its body is cut off.
    let app = app
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_timeout));
    let shown = match &backend {
        Backend::Sled(_) => dir.display().to_string(),
        Backend::Postgres(pg) => format!("{pg:?}"),
    };
    let shutdown = shutdown_signal();
    println!("witryna: listening on http://{local} (store: {shown})");
    std::io::stdout().flush().ok();
    accept_loop(listener, app, shutdown, header_timeout).await
}

/// Serves connections with hyper directly (not `axum::serve`), to set what `axum::serve`
/// cannot: a header-read timeout against clients that trickle their headers, and
/// the client address for per-address limits. Stops on SIGINT/SIGTERM and lets requests
/// in flight finish (up to 30 s).
async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()>,
    header_timeout: Duration,
) -> Result<(), CliError> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::server::graceful::GracefulShutdown;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let service = tower::service_fn(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
            app.clone().oneshot(request)
        });
        let connection =
            builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(Duration::from_secs(30)) => tracing::warn!("requests still running after 30 s; stopping"),
    }
    Ok(())
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let dir = cli.data.as_path();
    match cli.command {
        Command::Serve {
            addr,
            demo,
            cors_origins,
            body_limit,
            cache_entries,
            migrate,
            request_timeout,
            body_timeout,
            header_timeout,
        } => {
            let config =
                ApiConfig { body_limit, cors_origins, public_cache_entries: cache_entries, ..ApiConfig::default() };
            let backend = open_backend(&cli.store, dir, true, migrate).await?;
            let secs = |s: u64| Duration::from_secs(s.max(1));
            let timeouts = (secs(request_timeout), secs(body_timeout), secs(header_timeout));
            serve(backend, dir, &addr, demo, config, timeouts).await
        }
        Command::Migrate => match open_backend(&cli.store, dir, true, true).await? {
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
            let cms = Cms::new(open_backend(&cli.store, dir, false, false).await?.store());
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
        Command::Export { out } => {
            let store = open_backend(&cli.store, dir, false, false).await?.store();
            let bar = progress(None);
            let count = match &out {
                Some(path) => {
                    let file = File::create(path).map_err(|e| io("create", path, e))?;
                    transfer::export(&*store, &mut BufWriter::new(file), || bar.inc(1)).await?
                }
                None => transfer::export(&*store, &mut BufWriter::new(std::io::stdout().lock()), || bar.inc(1)).await?,
            };
            bar.finish_and_clear();
            eprintln!("Exported {count} items.");
            Ok(())
        }
        Command::Reindex => match open_backend(&cli.store, dir, false, false).await? {
            Backend::Sled(store) => {
                let cms = Cms::new(Arc::new(store)).with_search(open_index(dir)?);
                let read = rebuild(&cms).await?;
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
            let backend = open_backend(&cli.store, dir, true, false).await?;
            // A bulk load into sled: acknowledge writes before each fsync, flush once at the end.
            let store: Arc<dyn Store> = match &backend {
                Backend::Sled(s) => Arc::new(s.with_durability(Durability::Relaxed { flush_every_ms: 1000 })),
                Backend::Postgres(p) => Arc::new((**p).clone()),
            };
            let bar = progress(len);
            let report = transfer::import(&*store, &mut BufReader::new(input), |n| bar.inc(n)).await;
            bar.finish_and_clear();
            if let Backend::Sled(s) = &backend {
                s.flush().await.map_err(|e| CliError::Io(format!("cannot flush the store: {e}")))?;
            }
            let report = report?;
            if let Backend::Sled(s) = backend {
                let cms = Cms::new(Arc::new(s)).with_search(open_index(dir)?);
                rebuild(&cms).await?;
            }
            for (line, message) in &report.errors {
                eprintln!("{}:{line}: {message}", file.display());
            }
            eprintln!(
                "Imported {} items; {} already present; {} refused.",
                report.imported,
                report.already_present,
                report.errors.len()
            );
            match report.errors.len() {
                0 => Ok(()),
                n => Err(CliError::ImportRefused(n)),
            }
        }
    }
}

fn main() -> ExitCode {
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
