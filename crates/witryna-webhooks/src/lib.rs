//! # witryna-webhooks
//!
//! Webhooks for Witryna: administrators register endpoints (a URL, the events they want, a
//! signing secret); every change of content then reaches them, signed, at least once.
//!
//! - **A durable outbox.** [`WebhookOutbox`] is the Cms's [`Outbox`](witryna_core::audit::Outbox):
//!   a change's deliveries are stored in the same atomic step as the change and its audit
//!   entry, on every backend, so a crash never loses one nor leaves one for a change that did
//!   not happen. It is also a derived index, so it knows the endpoints without reading them.
//! - **Sending** ([`Dispatcher`]): due deliveries are POSTed with the Standard Webhooks
//!   headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`: `v1,` and the base64
//!   HMAC-SHA256 of `id.timestamp.body` keyed with the secret), so receivers can use the
//!   existing libraries; retried with exponential backoff for 24 hours; each attempt recorded
//!   on the delivery (the endpoint's delivery log).
//! - **No way into the site's own network.** Endpoints on loopback, private, link-local and
//!   other special addresses are refused when registered ([`check_url`]) and when delivered
//!   (names are resolved only to allowed addresses; redirects are never followed), unless
//!   the server allows them (`witryna serve --webhooks-allow-private`).
//!
//! ```no_run
//! # async fn run(cms: witryna_core::Cms) -> Result<(), Box<dyn std::error::Error>> {
//! use witryna_webhooks::{DispatchOptions, Dispatcher, WebhookOutbox};
//! let outbox = WebhookOutbox::new();
//! let cms = cms.with_outbox(outbox.clone()).with_derived(outbox.clone());
//! outbox.load(cms.store()).await?;
//! tokio::spawn(Dispatcher::new(cms.clone(), outbox, DispatchOptions::default())?.run());
//! # Ok(()) }
//! ```

mod dispatch;
mod endpoint;
mod outbox;

pub use dispatch::{sign, ClientError, DispatchOptions, Dispatcher};
pub use endpoint::{address_allowed, event_of, parse_url, Secret, Webhook, EVENTS, MAX_NAME_CHARS, MAX_URL_BYTES};
pub use outbox::WebhookOutbox;

use std::net::IpAddr;

use witryna_core::audit::{AuditAction, Delivery};
use witryna_core::{Cms, CmsError, Content, Id, Item, Kinds, Query, View};

/// Adds the `webhook` kind to a site's registry (internal: never shown on the site).
pub fn kinds(kinds: Kinds) -> Kinds {
    kinds.with_internal::<Webhook>()
}

/// Checks where an endpoint's URL leads: a written address, and every address its name
/// resolves to now, must be allowed ([`address_allowed`]); an error says why not. (Names are
/// checked again at every delivery: DNS answers change.)
pub async fn check_url(url: &str, allow_private: bool) -> Result<(), String> {
    let url = parse_url(url)?;
    let addresses: Vec<IpAddr> = match (endpoint::written_address(&url), url.host_str()) {
        (Some(ip), _) => vec![ip],
        (None, Some(name)) => match tokio::net::lookup_host((name, 0)).await {
            Ok(found) => found.map(|a| a.ip()).collect(),
            // A name that does not resolve yet may later: deliveries will say.
            Err(_) => return Ok(()),
        },
        (None, None) => return Err("must name a host".into()),
    };
    match addresses.iter().find(|ip| !address_allowed(**ip, allow_private)) {
        Some(ip) => {
            Err(format!("leads to {ip}, a loopback, private or link-local address; deliveries may not go there"))
        }
        None => Ok(()),
    }
}

/// What an administrator gives to register an endpoint.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// The events it wants (empty: all).
    pub events: Vec<String>,
    /// Its secret (`whsec_…`); a new random one when `None`.
    pub secret: Option<String>,
}

/// Why an endpoint was not registered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL leads where deliveries may not go.
    #[error("url: {0}")]
    Refused(String),
    /// No random secret could be made.
    #[error("no random secret: {0}")]
    Random(getrandom::Error),
    /// The Cms refused (a field) or the store failed.
    #[error(transparent)]
    Cms(#[from] CmsError),
}

/// Registers an endpoint (logged as `webhook-changed`).
pub async fn create(cms: &Cms, new: NewWebhook, allow_private: bool) -> Result<Item<Webhook>, WebhookError> {
    let secret = match new.secret {
        Some(s) => s,
        None => Secret::generate().map_err(WebhookError::Random)?,
    };
    let hook = Webhook { name: new.name.trim().to_owned(), url: new.url.trim().to_owned(), events: new.events, secret };
    // Field errors first (a malformed URL), then where a well-formed one leads.
    witryna_core::validate::check_content(&hook).map_err(CmsError::Invalid)?;
    check_url(&hook.url, allow_private).await.map_err(WebhookError::Refused)?;
    let cms = cms.logged_as(AuditAction::WebhookChanged).because("nowy webhook")?;
    Ok(cms.create(hook).await?)
}

/// Every endpoint, newest first.
pub async fn list(cms: &Cms) -> Result<Vec<Item<Webhook>>, CmsError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let query = Query { view: View::Editor, cursor, limit: Some(witryna_core::cms::MAX_PAGE), ..Query::default() };
        let page = cms.list::<Webhook>(query).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(out),
        }
    }
}

/// Removes an endpoint (logged as `webhook-changed`); its pending deliveries are given up at
/// their next attempt, and its delivery log is no longer shown (retention removes it).
pub async fn remove(cms: &Cms, id: Id) -> Result<(), CmsError> {
    let item = cms.get::<Webhook>(id).await?;
    cms.logged_as(AuditAction::WebhookChanged).because("webhook usunięty")?.delete(id, item.meta.version).await
}

/// An endpoint's deliveries, newest first (its delivery log), older than `before`.
pub async fn deliveries(cms: &Cms, endpoint: Id, before: Option<Id>, limit: usize) -> Result<Vec<Delivery>, CmsError> {
    let limit = limit.clamp(1, witryna_core::cms::MAX_PAGE);
    Ok(cms.store().deliveries(endpoint, before, limit).await?)
}

/// The kind name, for frontends that list internal kinds.
pub const KIND: &str = <Webhook as Content>::KIND;
