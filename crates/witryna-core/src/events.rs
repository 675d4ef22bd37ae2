//! Committed changes and what is derived from them: the [`ChangeEvent`]s the
//! [`Cms`](crate::Cms) sends after every commit, and the [`DerivedIndex`] trait of the
//! state it keeps current with them (the search index, say).
//!
//! This module depends on neither the Cms nor search, so both can depend on it.

use std::sync::Arc;

use async_trait::async_trait;

use crate::kinds::Kinds;
use crate::record::{Id, Meta};
use crate::store::Store;

/// A committed change, sent after the store acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    /// What happened.
    pub change: Change,
    /// The item.
    pub id: Id,
    /// The item's metadata after the change (before it, for deletions). `None` only for a
    /// deletion another server committed to a shared store: then only the id is known.
    pub meta: Option<Meta>,
    /// The content (JSON) after the change; `None` for deletions.
    pub body: Option<Arc<str>>,
}

/// What kind of change an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new item (draft).
    Created,
    /// New content (and perhaps a new slug).
    Updated,
    /// A new slug; the old one keeps redirecting.
    SlugChanged,
    /// Published now or scheduled.
    Published,
    /// Back to draft.
    Unpublished,
    /// Archived.
    Archived,
    /// An old revision's content restored as a new version.
    Restored,
    /// Gone, with its revisions.
    Deleted,
    /// Changed by another server sharing the store: the event carries the item as it is now.
    External,
}

/// A failure of a derived index.
#[derive(Debug, thiserror::Error)]
#[error("derived index: {0}")]
pub struct DerivedError(pub String);

/// State derived from the store and kept current by the [`Cms`](crate::Cms): it applies
/// every committed change — its own writes and other servers' — before the write returns,
/// and can be rebuilt from the store at any time.
///
/// # Contract
/// - `apply` gets every committed change exactly once per Cms, also when the request that
///   made it was dropped mid-way; a failure is logged by the Cms and repaired by `rebuild`.
/// - `rebuild` replaces the derived state with what the store holds.
#[async_trait]
pub trait DerivedIndex: Send + Sync + 'static {
    /// Applies one committed change; `kinds` tells how to read its content.
    async fn apply(&self, event: &ChangeEvent, kinds: &Kinds) -> Result<(), DerivedError>;

    /// Rebuilds from the store; `progress` gets the number of items read so far.
    async fn rebuild(
        &self,
        store: &dyn Store,
        kinds: &Kinds,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, DerivedError>;
}
