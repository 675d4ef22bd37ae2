//! Server-side sessions of the editor interface.
//!
//! A session is an item of the internal `session` kind whose slug is the SHA-256 of its
//! secret (the cookie value), tagged with its user so all of a user's sessions can be
//! ended at once. Kept in the store, so several servers on one PostgreSQL database share
//! them. A session ends after [`IDLE`] without a request, [`ABSOLUTE`] after it began, at
//! logout, when its user is deactivated, and — except the one that did it — when the
//! user's password changes.
//!
//! The CSRF token of a session is derived from its secret ([`csrf_token`]): nothing more
//! to store, and unknown to anyone who does not hold the cookie.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use witryna_core::audit::AuditAction;
use witryna_core::validate::ValidationErrors;
use witryna_core::{Cms, CmsError, Content, Id, Item, Query, View};

use crate::users::User;
use crate::{secret_hash, SecretError};

/// A session ends this long after its last request.
pub const IDLE: Duration = Duration::minutes(30);
/// A session ends this long after it began, however active.
pub const ABSOLUTE: Duration = Duration::hours(12);
/// The last-seen time is written at most this often (each write is a revision).
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The user it belongs to.
    pub user: Id,
    /// SHA-256 of the secret, hex.
    pub hash: String,
    /// The last request seen (to within [`TOUCH_EVERY`]).
    pub last_seen_at: DateTime<Utc>,
}

impl Content for Session {
    const KIND: &'static str = "session";

    fn title(&self) -> &str {
        &self.hash
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        crate::validate_hash(&self.hash)
    }

    fn tags(&self) -> Vec<String> {
        vec![user_tag(self.user)]
    }
}

fn user_tag(user: Id) -> String {
    format!("u-{}", user.0.simple())
}

/// A live session with its user, as a request sees it.
#[derive(Debug, Clone)]
pub struct SessionState {
    /// The session item's id.
    pub id: Id,
    /// The user, as stored now.
    pub user: Item<User>,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// Why a session could not be started.
pub type SessionError = SecretError;

/// The CSRF token of the session with this secret.
pub fn csrf_token(secret: &str) -> String {
    secret_hash(&format!("csrf:{secret}"))
}

/// Starts a session for a user: the secret for the cookie, and the session. Sessions
/// past their absolute end are swept first (any server may do it; each is one delete).
pub async fn start(cms: &Cms, user: Id) -> Result<(String, SessionState), SessionError> {
    sweep_expired(cms).await?;
    let now = cms.now();
    let (secret, item) = crate::create_with_secret(&cms.logged_as(AuditAction::Login), "wss_", |hash| Session {
        user,
        hash,
        last_seen_at: now,
    })
    .await?;
    let user = cms.get::<User>(user).await?;
    Ok((secret.clone(), SessionState { id: item.meta.id, user, csrf: csrf_token(&secret) }))
}

/// The live session with this secret, if any. Ends it (and answers `None`) when it is
/// idle or old, or its user is gone or inactive; otherwise notes the request.
pub async fn resume(cms: &Cms, secret: &str) -> Result<Option<SessionState>, CmsError> {
    let Some(item) = crate::find_by_secret::<Session>(cms, secret).await? else { return Ok(None) };
    let now = cms.now();
    let expired = now - item.meta.created_at >= ABSOLUTE || now - item.content.last_seen_at >= IDLE;
    let user = if expired { None } else { crate::users::get_user(cms, item.content.user).await? };
    let Some(user) = user.filter(|u| u.content.active) else {
        end_item(cms, &item).await?;
        return Ok(None);
    };
    if now - item.content.last_seen_at >= TOUCH_EVERY {
        let touched = Session { last_seen_at: now, ..item.content.clone() };
        match cms.update(item.meta.id, item.meta.version, touched).await {
            // Another request of the same session touched it first: as good.
            Ok(_) | Err(CmsError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(SessionState { id: item.meta.id, user, csrf: csrf_token(secret) }))
}

/// Ends the session with this secret (logout, logged as such); an unknown secret is fine.
pub async fn end(cms: &Cms, secret: &str) -> Result<(), CmsError> {
    if let Some(item) = crate::find_by_secret::<Session>(cms, secret).await? {
        end_item(&cms.logged_as(AuditAction::Logout), &item).await?;
    }
    Ok(())
}

/// Ends every session of a user but `keep`.
pub async fn end_all_of(cms: &Cms, user: Id, keep: Option<Id>) -> Result<usize, CmsError> {
    let mut ended = 0;
    for item in crate::all_of::<Session>(cms, Some(user_tag(user))).await? {
        if Some(item.meta.id) != keep {
            end_item(cms, &item).await?;
            ended += 1;
        }
    }
    Ok(ended)
}

/// Deletes a session; one changed meanwhile (a request touched it) is ended anyway.
async fn end_item(cms: &Cms, item: &Item<Session>) -> Result<(), CmsError> {
    if !crate::delete_if_unchanged(cms, item).await? {
        if let Some(now) = crate::find_by_slug::<Session>(cms, &item.content.hash).await? {
            crate::delete_if_unchanged(cms, &now).await?;
        }
    }
    Ok(())
}

/// Deletes sessions that began more than [`ABSOLUTE`] ago (lists sort by creation time).
async fn sweep_expired(cms: &Cms) -> Result<(), CmsError> {
    let until = cms.now() - ABSOLUTE;
    let old =
        cms.list::<Session>(Query { view: View::Editor, until: Some(until), limit: Some(100), ..Query::default() });
    for item in old.await?.items {
        end_item(cms, &item).await?;
    }
    Ok(())
}
