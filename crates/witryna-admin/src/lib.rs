//! # witryna-admin
//!
//! The editor interface of Witryna, mounted at `/admin`: Polish, server-rendered, every
//! task done with plain HTML forms (JavaScript only adds a Markdown preview), GOV.UK
//! patterns (an error summary linked to each field, labels and hints on every field), and
//! checked with axe-core like the site.
//!
//! - [`routes`] gives the router; [`AdminState`] holds the [`Cms`] (with the accounts'
//!   kinds registered: [`witryna_accounts::kinds`]) and the site, whose templates render
//!   previews.
//! - `session.rs`: who is asking (the session cookie), CSRF tokens and `Origin` checks,
//!   login limits; `error.rs`: every failure mapped to a page in one place.
//! - `pages/`: login and first-run setup, the dashboard, the items of every kind of the
//!   registry (list, forms generated from the kind's schema, workflow, revisions,
//!   preview), users, API tokens, the own password, the audit log.
//! - [`form`] generates forms from a kind's JSON Schema and reads them back; [`checks`]
//!   gives authoring advice before publishing; versions are compared by
//!   [`witryna_site::diff`], which the public history pages share.
//!
//! ```no_run
//! # async fn run(cms: witryna_core::Cms) {
//! let site = witryna_site::SiteState::new(cms.clone());
//! let admin = witryna_admin::AdminState::new(cms, site, witryna_admin::AdminConfig::default());
//! let app: axum::Router = witryna_admin::routes(admin);
//! # }
//! ```

pub mod checks;

mod error;
pub mod form;
mod messages;
mod pages;
mod session;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use witryna_accounts::limiter::Failures;
use witryna_core::Cms;
use witryna_site::SiteState;

pub use error::AdminError;
pub use pages::not_found;

/// How the editor interface is served.
#[derive(Debug, Clone, Default)]
pub struct AdminConfig {
    /// The site's public address (`https://mops.example.pl`): the origin forms must come
    /// from, and with `https`, `Secure` `__Host-` cookies. Without it, the origin is the
    /// request's `Host` over plain HTTP (local use).
    pub public_url: Option<String>,
    /// Behind a proxy that sets `X-Forwarded-Proto`: `https` there means `Secure` cookies.
    pub trust_proxy: bool,
    /// What the upload form accepts.
    pub media_limits: witryna_media::Limits,
    /// Whether webhook endpoints may be on loopback, private or link-local addresses.
    pub webhooks_allow_private: bool,
}

/// What every admin request shares.
#[derive(Clone)]
pub struct AdminState(Arc<Shared>);

struct Shared {
    cms: Cms,
    site: SiteState,
    config: AdminConfig,
    logins: LoginLimits,
}

/// Failed logins, counted in memory per server, in fixed windows of [`LOGIN_WINDOW`].
/// Accounts are keyed by the SHA-256 of the normalised e-mail (known or not), so a key's
/// size never depends on what a client sent.
pub(crate) struct LoginLimits {
    /// Per account and client address (IPv6 by /64): the real user's own typos.
    pub(crate) by_pair: Failures<(String, std::net::IpAddr)>,
    /// Per client address, whatever the account.
    pub(crate) by_address: Failures<std::net::IpAddr>,
    /// Per account from all addresses: once over, only addresses that already failed for
    /// it are refused, so a guesser rotating addresses gets one try per new address while
    /// the real user, from an address without failures, still logs in.
    pub(crate) by_account: Failures<String>,
}

impl std::fmt::Debug for AdminState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminState").field("config", &self.0.config).finish_non_exhaustive()
    }
}

/// Failed logins allowed per account from one address in [`LOGIN_WINDOW`]; then that
/// account waits at that address for the window's end (never longer).
pub const FAILURES_PER_ACCOUNT: u32 = 10;
/// Failed logins allowed per client address in [`LOGIN_WINDOW`] (an office behind one
/// address has many people).
pub const FAILURES_PER_ADDRESS: u32 = 50;
/// Failed logins allowed per account from all addresses in [`LOGIN_WINDOW`].
pub const FAILURES_PER_ACCOUNT_EVERYWHERE: u32 = 100;
/// The window failed logins are counted in.
pub const LOGIN_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

impl AdminState {
    /// The state over a Cms (which must have the accounts' kinds registered) and the site
    /// (for previews).
    pub fn new(cms: Cms, site: SiteState, config: AdminConfig) -> Self {
        Self(Arc::new(Shared {
            cms,
            site,
            config,
            logins: LoginLimits {
                by_pair: Failures::new(FAILURES_PER_ACCOUNT, LOGIN_WINDOW, 100_000),
                by_address: Failures::new(FAILURES_PER_ADDRESS, LOGIN_WINDOW, 100_000),
                by_account: Failures::new(FAILURES_PER_ACCOUNT_EVERYWHERE, LOGIN_WINDOW, 100_000),
            },
        }))
    }
}

/// The editor interface's routes, all under `/admin`.
pub fn routes(state: AdminState) -> Router {
    use pages::{account, audit, dashboard, items, login, media, tokens, translations, users, webhooks};
    Router::new()
        .route("/admin", get(dashboard::show))
        .route("/admin/", get(dashboard::redirect))
        .route("/admin/logowanie", get(login::form).post(login::submit))
        .route("/admin/wyloguj", post(login::logout))
        .route("/admin/pierwsze-konto/{secret}", get(login::setup_form).post(login::setup_submit))
        .route("/admin/haslo", get(account::password_form).post(account::password_submit))
        .route("/admin/uzytkownicy", get(users::list))
        .route("/admin/uzytkownicy/nowy", get(users::new_form).post(users::create))
        .route("/admin/uzytkownicy/{id}", get(users::edit_form).post(users::update))
        .route("/admin/tokeny", get(tokens::list).post(tokens::create))
        .route("/admin/tokeny/{id}/usun", post(tokens::revoke))
        .route("/admin/dziennik", get(audit::list))
        .route("/admin/webhooki", get(webhooks::list).post(webhooks::create))
        .route("/admin/webhooki/{id}", get(webhooks::deliveries))
        .route("/admin/webhooki/{id}/usun", post(webhooks::remove))
        .route("/admin/podglad-markdown", post(items::markdown_preview))
        .route("/admin/podglad/{secret}", get(items::shared_preview))
        .route("/admin/static/admin.css", get(pages::stylesheet))
        .route("/admin/static/admin.js", get(pages::script))
        .route("/admin/{section}", get(items::list))
        .route("/admin/media/nowy", get(media::upload_form).post(media::upload))
        .route("/admin/media/{id}/plik", get(media::file))
        .route("/admin/{section}/nowy", get(items::new_form).post(items::create))
        .route("/admin/{section}/{id}", get(items::edit_form).post(items::save))
        .route("/admin/{section}/{id}/usun", get(items::delete_form).post(items::delete))
        .route("/admin/{section}/{id}/wersje", get(items::revisions))
        .route("/admin/{section}/{id}/tlumaczenie/{locale}", get(translations::new_form).post(translations::create))
        .route("/admin/{section}/{id}/porownaj", get(items::compare))
        .route("/admin/{section}/{id}/przywroc", post(items::restore))
        .route("/admin/{section}/{id}/podglad", get(items::preview))
        .route("/admin/{section}/{id}/udostepnij", post(items::share_preview))
        .with_state(state)
}
