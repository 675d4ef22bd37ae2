//! Sending: the dispatcher takes due deliveries from the outbox, signs each the Standard
//! Webhooks way and POSTs it; a 2xx answer delivers it, anything else (another status, a
//! redirect, a timeout, a refused address) schedules the next attempt with exponential
//! backoff until 24 hours after the change, when it gives up. Every attempt is recorded
//! on the delivery (its log per endpoint).
//!
//! At least once: an attempt takes a lease on its delivery first (its next attempt is
//! moved past the attempt's time limit), so the next round does not send it meanwhile; a
//! server killed mid-attempt leaves the lease to expire, and the delivery is sent again.
//! The lease is not a compare-and-swap: two servers on one PostgreSQL database that read
//! the same due delivery both send it. Receivers de-duplicate on `webhook-id`.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use witryna_core::audit::{Delivery, DeliveryState};
use witryna_core::Cms;

use crate::endpoint::{address_allowed, parse_url, written_address, Secret};
use crate::outbox::WebhookOutbox;

/// How the dispatcher works.
#[derive(Debug, Clone)]
pub struct DispatchOptions {
    /// Deliver to loopback, private and link-local addresses too (tests; receivers inside
    /// the site's own network). Off by default.
    pub allow_private: bool,
    /// How long one attempt may take, connecting included (default 10 s).
    pub timeout: Duration,
    /// The wait before the first retry; each next one is 4 times longer, at most 4 hours
    /// (default 5 s: 5 s, 20 s, 80 s, 5⅓ min, 21 min, 85 min, 4 h, 4 h, …).
    pub first_retry: Duration,
    /// When to give up, counted from the change (default 24 hours).
    pub give_up_after: chrono::Duration,
    /// Deliveries sent at once (default 8).
    pub concurrency: usize,
}

impl Default for DispatchOptions {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            first_retry: Duration::from_secs(5),
            give_up_after: chrono::Duration::hours(24),
            concurrency: 8,
        }
    }
}

/// The longest wait between attempts.
const MAX_RETRY: Duration = Duration::from_secs(4 * 3600);
/// How often the outbox is looked at when nothing wakes the dispatcher.
const POLL: Duration = Duration::from_secs(1);
/// Most characters of an error kept on a delivery.
const MAX_ERROR_CHARS: usize = 300;

/// The `webhook-signature` of a delivery: `v1,` and the base64 HMAC-SHA256, keyed with the
/// secret's bytes, of `{id}.{timestamp}.{body}` (Standard Webhooks).
pub fn sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2_0_11::Sha256>::new_from_slice(&secret.0).expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

/// Resolves a host only to addresses deliveries may go to: a name with none is an error,
/// so a DNS answer can never lead a delivery into the site's own network.
#[derive(Clone)]
struct GuardedResolver {
    allow_private: bool,
}

type Resolving = Pin<Box<dyn Future<Output = std::io::Result<std::vec::IntoIter<SocketAddr>>> + Send>>;

impl tower_service::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Resolving;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                found.into_iter().filter(|a| address_allowed(a.ip(), allow_private)).collect();
            if allowed.is_empty() {
                let reason = format!("refused: {host} resolves only to addresses deliveries may not go to");
                return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, reason));
            }
            Ok(allowed.into_iter())
        })
    }
}

type HttpClient = Client<HttpsConnector<HttpConnector<GuardedResolver>>, Full<Bytes>>;

/// Why a client could not be made.
#[derive(Debug, thiserror::Error)]
#[error("webhook client: {0}")]
pub struct ClientError(String);

/// Sends what the outbox holds.
pub struct Dispatcher {
    cms: Cms,
    outbox: Arc<WebhookOutbox>,
    client: HttpClient,
    options: DispatchOptions,
}

/// What one attempt got.
enum Outcome {
    Delivered(u16),
    Failed { status: Option<u16>, error: String },
}

impl Dispatcher {
    /// A dispatcher on the Cms's store, for the outbox's endpoints. TLS is rustls with the
    /// `ring` provider and the Mozilla roots (`webpki-roots`); HTTP/1.1; redirects are never
    /// followed (hyper follows none).
    pub fn new(cms: Cms, outbox: Arc<WebhookOutbox>, options: DispatchOptions) -> Result<Self, ClientError> {
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| ClientError(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new_with_resolver(GuardedResolver { allow_private: options.allow_private });
        http.enforce_http(false);
        http.set_connect_timeout(Some(options.timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(https);
        Ok(Dispatcher { cms, outbox, client, options })
    }

    /// Runs for ever: a round whenever a write added deliveries, and at least every second.
    pub async fn run(self) {
        let added = self.outbox.added();
        loop {
            match self.round().await {
                // A full batch: more may be due.
                Ok(n) if n >= self.options.concurrency => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook deliveries not read"),
            }
            let _ = tokio::time::timeout(POLL, added.notified()).await;
        }
    }

    /// One round: up to `concurrency` due deliveries, attempted at once; how many.
    pub async fn round(&self) -> Result<usize, witryna_core::StoreError> {
        let now = self.cms.now();
        let due = self.cms.store().due_deliveries(now, self.options.concurrency).await?;
        let count = due.len();
        let attempts: Vec<_> = due
            .into_iter()
            .map(|d| {
                let this = self.clone_handle();
                tokio::spawn(async move { this.attempt(d).await })
            })
            .collect();
        for attempt in attempts {
            if let Err(e) = attempt.await {
                tracing::error!(error = %e, "a webhook attempt stopped");
            }
        }
        Ok(count)
    }

    fn clone_handle(&self) -> Dispatcher {
        Dispatcher {
            cms: self.cms.clone(),
            outbox: self.outbox.clone(),
            client: self.client.clone(),
            options: self.options.clone(),
        }
    }

    /// One attempt of one delivery, recorded on it.
    async fn attempt(&self, d: Delivery) {
        let store = self.cms.store();
        let started = self.cms.now();
        let lease = chrono::Duration::from_std(self.options.timeout * 2).unwrap_or(chrono::Duration::seconds(60));
        if let Err(e) = store.update_delivery(Delivery { next_at: Some(started + lease), ..d.clone() }).await {
            tracing::warn!(delivery = %d.id, error = %e, "webhook delivery not leased; skipped this round");
            return;
        }
        let endpoint = self.endpoint(d.endpoint).await;
        let outcome = match &endpoint {
            Ok(Some(hook)) => self.send(&hook.url, &hook.secret, &d, started).await,
            Ok(None) => Outcome::Failed { status: None, error: "the endpoint was removed".into() },
            Err(e) => Outcome::Failed { status: None, error: format!("the endpoint could not be read: {e}") },
        };
        let attempts = d.attempts + 1;
        let done = match outcome {
            Outcome::Delivered(status) => Delivery {
                state: DeliveryState::Delivered,
                attempts,
                next_at: None,
                last_status: Some(status),
                last_error: None,
                last_attempt_at: Some(started),
                ..d
            },
            Outcome::Failed { status, error } => {
                let gone = matches!(endpoint, Ok(None));
                let next = started + self.retry_after(attempts);
                let give_up = gone || next - d.created_at >= self.options.give_up_after;
                tracing::info!(delivery = %d.id, endpoint = %d.endpoint, attempts, %error, "webhook attempt failed");
                Delivery {
                    state: if give_up { DeliveryState::Failed } else { DeliveryState::Pending },
                    attempts,
                    next_at: (!give_up).then_some(next),
                    last_status: status,
                    last_error: Some(error.chars().take(MAX_ERROR_CHARS).collect()),
                    last_attempt_at: Some(started),
                    ..d
                }
            }
        };
        if let Err(e) = store.update_delivery(done).await {
            tracing::warn!(error = %e, "webhook attempt not recorded; it will be made again");
        }
    }

    /// The endpoint of a delivery: as the outbox knows it, else as the store has it (an
    /// endpoint registered on another server moments ago); `None` once it is removed.
    async fn endpoint(&self, id: witryna_core::Id) -> Result<Option<crate::Webhook>, witryna_core::CmsError> {
        if let Some(hook) = self.outbox.endpoint(id) {
            return Ok(Some(hook));
        }
        match self.cms.get::<crate::Webhook>(id).await {
            Ok(item) => Ok(Some(item.content)),
            Err(witryna_core::CmsError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The wait after `attempts` failed attempts.
    fn retry_after(&self, attempts: u32) -> chrono::Duration {
        let factor = 4u32.saturating_pow(attempts.saturating_sub(1).min(16));
        let wait = self.options.first_retry.saturating_mul(factor).min(MAX_RETRY);
        chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(4))
    }

    async fn send(&self, url: &str, secret: &str, d: &Delivery, at: DateTime<Utc>) -> Outcome {
        let failed = |error: String| Outcome::Failed { status: None, error };
        let url = match parse_url(url) {
            Ok(url) => url,
            Err(e) => return failed(format!("bad URL: {e}")),
        };
        // An address written in the URL is never resolved: check it here.
        if written_address(&url).is_some_and(|ip| !address_allowed(ip, self.options.allow_private)) {
            return failed("refused: a loopback, private or link-local address".into());
        }
        let secret = match Secret::parse(secret) {
            Ok(s) => s,
            Err(e) => return failed(format!("bad secret: {e}")),
        };
        let id = d.id.to_string();
        let timestamp = at.timestamp();
        let signature = sign(&secret, &id, timestamp, d.payload.as_bytes());
        let request = hyper::Request::post(url.as_str())
            .header("content-type", "application/json")
            .header("user-agent", concat!("Witryna-Webhooks/", env!("CARGO_PKG_VERSION")))
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(Full::new(Bytes::from(d.payload.clone())));
        let request = match request {
            Ok(r) => r,
            Err(e) => return failed(format!("bad request: {e}")),
        };
        match tokio::time::timeout(self.options.timeout, self.client.request(request)).await {
            Err(_) => failed(format!("timed out after {} ms", self.options.timeout.as_millis())),
            Ok(Err(e)) => failed(error_chain(&e)),
            Ok(Ok(res)) if res.status().is_success() => Outcome::Delivered(res.status().as_u16()),
            Ok(Ok(res)) => {
                let status = res.status();
                let error = if status.is_redirection() {
                    format!("HTTP {status}: redirects are not followed")
                } else {
                    format!("HTTP {status}")
                };
                Outcome::Failed { status: Some(status.as_u16()), error }
            }
        }
    }
}

/// An error with its causes („error sending request: … : refused …”).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification, signed as its libraries sign it.
    #[test]
    fn signatures_match_the_specification() {
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
