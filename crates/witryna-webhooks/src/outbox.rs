//! The outbox: given each logged write, the deliveries it causes — one per endpoint
//! that wants its event — which the [`Cms`](witryna_core::Cms) stores in the same atomic
//! step as the write. The endpoints are read from the store once and then kept current from
//! the Cms's change events (a [`DerivedIndex`]), so making deliveries reads nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use async_trait::async_trait;
use serde::Serialize;
use witryna_core::audit::{AuditEntry, Delivery, DeliveryState, Outbox};
use witryna_core::events::{Change, ChangeEvent, DerivedError, DerivedIndex};
use witryna_core::{Content, Id, Kinds, Meta, Store};

use crate::endpoint::{event_of, Webhook};

/// The endpoints, by id, as the last change left them.
#[derive(Debug, Default)]
pub struct WebhookOutbox {
    endpoints: RwLock<BTreeMap<Id, Webhook>>,
    /// Woken when deliveries were added, so the dispatcher sends them at once.
    added: Arc<tokio::sync::Notify>,
}

/// The body of every delivery (Standard Webhooks' envelope): the event, when it happened,
/// and which item — not its content, which receivers read from the API.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    event: &'a str,
    timestamp: chrono::DateTime<chrono::Utc>,
    data: PayloadData<'a>,
}

#[derive(Serialize)]
struct PayloadData<'a> {
    id: Id,
    kind: &'a str,
    locale: &'a str,
    slug: &'a str,
    version: u64,
    title: &'a str,
    /// The item's status after the change (`null` once deleted).
    status: Option<&'static str>,
    /// Whether the public sees the item after the change.
    public: bool,
}

impl WebhookOutbox {
    /// An outbox with no endpoints yet ([`WebhookOutbox::load`] reads them).
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Reads every endpoint from the store; answers how many items it read.
    pub async fn load(&self, store: &dyn Store) -> Result<u64, DerivedError> {
        let mut found = BTreeMap::new();
        let mut after = None;
        let mut read = 0;
        loop {
            let page = store.all(after, 500).await.map_err(|e| DerivedError(e.to_string()))?;
            let Some(last) = page.last() else { break };
            after = Some(last.meta.id);
            read += page.len() as u64;
            for record in page.into_iter().filter(|r| r.meta.kind == Webhook::KIND) {
                match serde_json::from_str::<Webhook>(&record.body) {
                    Ok(hook) => {
                        found.insert(record.meta.id, hook);
                    }
                    Err(e) => tracing::error!(id = %record.meta.id, error = %e, "webhook endpoint does not read"),
                }
            }
        }
        *self.endpoints.write().unwrap_or_else(PoisonError::into_inner) = found;
        Ok(read)
    }

    /// The endpoint with this id, as last known.
    pub fn endpoint(&self, id: Id) -> Option<Webhook> {
        self.endpoints.read().unwrap_or_else(PoisonError::into_inner).get(&id).cloned()
    }

    /// What the dispatcher waits on between rounds.
    pub(crate) fn added(&self) -> Arc<tokio::sync::Notify> {
        self.added.clone()
    }
}

impl Outbox for WebhookOutbox {
    fn deliveries(&self, entry: &AuditEntry, meta: Option<&Meta>) -> Vec<Delivery> {
        let (Some(event), Some(item)) = (event_of(entry.action), &entry.item) else { return Vec::new() };
        let endpoints = self.endpoints.read().unwrap_or_else(PoisonError::into_inner);
        if !endpoints.values().any(|h| h.wants(event)) {
            return Vec::new();
        }
        let deleted = entry.action == witryna_core::audit::AuditAction::Deleted;
        let payload = Payload {
            event,
            timestamp: entry.at,
            data: PayloadData {
                id: item.id,
                kind: &item.kind,
                locale: &item.locale,
                slug: &item.slug,
                version: item.version,
                title: &item.title,
                status: meta.filter(|_| !deleted).map(|m| m.status.as_str()),
                public: meta.is_some_and(|m| !deleted && m.is_public_at(entry.at)),
            },
        };
        let payload = serde_json::to_string(&payload).expect("payloads serialize");
        let out: Vec<Delivery> = endpoints
            .iter()
            .filter(|(_, hook)| hook.wants(event))
            .map(|(id, _)| Delivery {
                id: Id::new(),
                endpoint: *id,
                event: event.to_owned(),
                payload: payload.clone(),
                created_at: entry.at,
                state: DeliveryState::Pending,
                attempts: 0,
                next_at: Some(entry.at),
                last_status: None,
                last_error: None,
                last_attempt_at: None,
            })
            .collect();
        // Sent once the write is committed; a wake-up before that finds nothing due yet
        // and the next round (a second later at most) sends it.
        self.added.notify_one();
        out
    }
}

#[async_trait]
impl DerivedIndex for WebhookOutbox {
    async fn apply(&self, event: &ChangeEvent, _kinds: &Kinds) -> Result<(), DerivedError> {
        let is_webhook = event.meta.as_ref().is_some_and(|m| m.kind == Webhook::KIND);
        // Another server's deletion carries no metadata: forget the id, if it was ours.
        let mut endpoints = self.endpoints.write().unwrap_or_else(PoisonError::into_inner);
        match (&event.change, &event.body) {
            (Change::Deleted, _) => {
                endpoints.remove(&event.id);
            }
            (_, Some(body)) if is_webhook => {
                let hook: Webhook = serde_json::from_str(body).map_err(|e| DerivedError(e.to_string()))?;
                endpoints.insert(event.id, hook);
            }
            _ => {}
        }
        Ok(())
    }

    async fn rebuild(
        &self,
        store: &dyn Store,
        _kinds: &Kinds,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, DerivedError> {
        let read = self.load(store).await?;
        progress(read);
        Ok(read)
    }
}
