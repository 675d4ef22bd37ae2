//! What the store keeps beside the items: the append-only **audit log** of who did what,
//! and the **outbox** of webhook deliveries. Both are written in the same atomic step as
//! the change they record ([`WriteLog`] rides along with [`Store::put_logged`] and
//! [`Store::delete_logged`]), so a crash never loses an entry of a committed change nor
//! leaves one of a change that did not commit.
//!
//! Entries and deliveries are stored as JSON (self-describing: fields added later read
//! with their defaults), in every backend.
//!
//! [`Store::put_logged`]: crate::Store::put_logged
//! [`Store::delete_logged`]: crate::Store::delete_logged

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::record::Id;

/// How long the audit log is kept by default: two years.
pub const AUDIT_RETENTION_DAYS: u32 = 730;

/// How long a finished webhook delivery stays in its endpoint's delivery log.
pub const DELIVERY_RETENTION: chrono::Duration = chrono::Duration::days(30);

/// What an audit entry records. The names (`kebab-case`) are the API's and the filters'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuditAction {
    /// A user logged in (a session began).
    Login,
    /// A login was refused (wrong e-mail or password, a blocked address, a deactivated user).
    LoginFailed,
    /// A user logged out (a session ended).
    Logout,
    /// A user's password changed (their own, or set by an administrator).
    PasswordChanged,
    /// A user account was made.
    UserCreated,
    /// A user's name, e-mail or active state changed.
    UserChanged,
    /// A user's role changed.
    RoleChanged,
    /// An API token was made.
    TokenCreated,
    /// An API token was revoked.
    TokenRevoked,
    /// An item was created (a draft).
    Created,
    /// An item's content changed.
    Updated,
    /// An item was published (now, scheduled or back-dated).
    Published,
    /// An item went back to draft.
    Unpublished,
    /// An item was archived.
    Archived,
    /// An item was deleted with its revisions.
    Deleted,
    /// An old version's content was restored as a new version.
    Restored,
    /// An item got a new address.
    SlugChanged,
    /// An item's metryczka (producer, responsible person, date produced) changed.
    RecordChanged,
    /// Site settings (a one-per-site kind, e.g. the accessibility settings) changed.
    SettingsChanged,
    /// Items were imported from an export file.
    Imported,
    /// A webhook endpoint was registered, changed or removed.
    WebhookChanged,
}

impl AuditAction {
    /// Every action, in declaration order (for filters and documentation).
    pub const ALL: [AuditAction; 21] = [
        AuditAction::Login,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::PasswordChanged,
        AuditAction::UserCreated,
        AuditAction::UserChanged,
        AuditAction::RoleChanged,
        AuditAction::TokenCreated,
        AuditAction::TokenRevoked,
        AuditAction::Created,
        AuditAction::Updated,
        AuditAction::Published,
        AuditAction::Unpublished,
        AuditAction::Archived,
        AuditAction::Deleted,
        AuditAction::Restored,
        AuditAction::SlugChanged,
        AuditAction::RecordChanged,
        AuditAction::SettingsChanged,
        AuditAction::Imported,
        AuditAction::WebhookChanged,
    ];

    /// The name as the API writes it (`login-failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Login => "login",
            AuditAction::LoginFailed => "login-failed",
            AuditAction::Logout => "logout",
            AuditAction::PasswordChanged => "password-changed",
            AuditAction::UserCreated => "user-created",
            AuditAction::UserChanged => "user-changed",
            AuditAction::RoleChanged => "role-changed",
            AuditAction::TokenCreated => "token-created",
            AuditAction::TokenRevoked => "token-revoked",
            AuditAction::Created => "created",
            AuditAction::Updated => "updated",
            AuditAction::Published => "published",
            AuditAction::Unpublished => "unpublished",
            AuditAction::Archived => "archived",
            AuditAction::Deleted => "deleted",
            AuditAction::Restored => "restored",
            AuditAction::SlugChanged => "slug-changed",
            AuditAction::RecordChanged => "record-changed",
            AuditAction::SettingsChanged => "settings-changed",
            AuditAction::Imported => "imported",
            AuditAction::WebhookChanged => "webhook-changed",
        }
    }

    /// Parses [`AuditAction::as_str`]'s names.
    pub fn parse(name: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// Who acted: an account (a user or an API token) as it was named then, and the client
/// address. The name is kept as written at the time, so an entry stays readable after the
/// account is renamed or removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Actor {
    /// The account's id; `None` for a failed login to an unknown address and for the system.
    pub id: Option<Id>,
    /// The account's name then (a user's name, a token's name); „system” for the server.
    pub name: String,
    /// The client's address, as the server saw it (behind a trusted proxy: the forwarded one).
    pub address: Option<String>,
}

impl Actor {
    /// The server itself (the demo seed, the command line, scheduled work).
    pub fn system() -> Actor {
        Actor { id: None, name: "system".into(), address: None }
    }
}

/// The item an entry is about, as it was after the change (before it, for a deletion).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditItem {
    /// Its id.
    pub id: Id,
    /// Its kind.
    pub kind: String,
    /// Its locale.
    pub locale: String,
    /// Its slug.
    pub slug: String,
    /// Its version after the change.
    pub version: u64,
    /// Its title then (empty for kinds without one).
    pub title: String,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Its place in the log, given by the store when it is appended (1, 2, 3, …): later
    /// entries have higher numbers. 0 before it is stored.
    #[serde(default)]
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub action: AuditAction,
    /// Who did it.
    pub actor: Actor,
    /// Which item, for item changes (and the account item for account changes).
    #[serde(default)]
    pub item: Option<AuditItem>,
    /// Why (a change's reason) or what exactly (`role: editor → administrator`).
    #[serde(default)]
    pub note: Option<String>,
    /// Whether the change is one of public content: the site's change register lists these.
    #[serde(default)]
    pub public: bool,
}

/// A filter on the audit log: newest first, every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only entries of this account.
    pub actor: Option<Id>,
    /// Only entries about this item.
    pub item: Option<Id>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only entries at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only entries at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only public changes (the change register).
    pub public_only: bool,
    /// Continue with entries older than this `seq`.
    pub before: Option<u64>,
    /// At most this many entries (at least 1 is used).
    pub limit: usize,
}

impl AuditQuery {
    /// Whether an entry passes the filter (the cursor and limit aside).
    pub fn matches(&self, e: &AuditEntry) -> bool {
        self.actor.is_none_or(|a| e.actor.id == Some(a))
            && self.item.is_none_or(|i| e.item.as_ref().is_some_and(|item| item.id == i))
            && self.action.is_none_or(|a| e.action == a)
            && self.from.is_none_or(|t| e.at >= t)
            && self.until.is_none_or(|t| e.at <= t)
            && (!self.public_only || e.public)
    }
}

/// Where a webhook delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt at `next_at`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up: every attempt for 24 hours failed (or the endpoint is gone).
    Failed,
}

/// One event to send to one webhook endpoint, with its attempts so far. Written to the
/// outbox in the same atomic step as the change it announces; the payload is fixed then,
/// so every retry signs and sends the same bytes under the same `webhook-id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Delivery {
    /// The delivery's id (UUID v7), sent as `webhook-id`: receivers de-duplicate on it.
    pub id: Id,
    /// The endpoint (a webhook item's id).
    pub endpoint: Id,
    /// The event type (`item.published`).
    pub event: String,
    /// The JSON body to send.
    pub payload: String,
    /// When the change was committed.
    pub created_at: DateTime<Utc>,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due; `None` once delivered or given up.
    pub next_at: Option<DateTime<Utc>>,
    /// What the last attempt got: the HTTP status, if any answered.
    pub last_status: Option<u16>,
    /// What went wrong in the last attempt (a timeout, a refused address, a 500…).
    pub last_error: Option<String>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// What a write leaves in the logs: at most one audit entry and the deliveries it causes,
/// stored in the same atomic step as the write itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteLog {
    /// The audit entry (its `seq` is given by the store).
    pub entry: Option<AuditEntry>,
    /// Webhook deliveries to add to the outbox.
    pub deliveries: Vec<Delivery>,
}

impl WriteLog {
    /// Nothing to log (imports, tests, internal bookkeeping).
    pub fn none() -> WriteLog {
        WriteLog::default()
    }
}

/// Serializes an entry or a delivery for a store (JSON).
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("audit entries and deliveries always serialize")
}

/// Where webhook deliveries come from: given each logged write's entry (and the item's
/// metadata after it), the deliveries it causes — none when no endpoint wants it. The
/// [`Cms`](crate::Cms) stores them in the same atomic step as the write
/// ([`Cms::with_outbox`](crate::Cms::with_outbox)).
pub trait Outbox: Send + Sync + 'static {
    /// The deliveries of one entry.
    fn deliveries(&self, entry: &AuditEntry, meta: Option<&crate::record::Meta>) -> Vec<Delivery>;
}
