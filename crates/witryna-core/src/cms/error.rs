use crate::record::{Id, Status};
use crate::store::StoreError;
use crate::validate::ValidationErrors;

/// What can go wrong in the [`Cms`](crate::Cms). Frontends map each variant to one response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The content (or an option such as the slug) failed validation.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// No item with this id (of the asked kind).
    #[error("no {kind} item with id {id}")]
    NotFound {
        /// The kind asked for (`any` when none was).
        kind: String,
        /// The id asked for.
        id: Id,
    },
    /// No visible item with this slug.
    #[error("no {kind} item with slug {slug:?}")]
    SlugNotFound {
        /// The kind asked for.
        kind: String,
        /// The slug asked for.
        slug: String,
    },
    /// No registered kind of this name.
    #[error("no content kind {0:?} is registered")]
    UnknownKind(String),
    /// The item changed since the version the caller based its change on.
    #[error("item {id} is at version {actual}, not {expected}: reload and retry")]
    Conflict {
        /// The item.
        id: Id,
        /// The version the caller expected.
        expected: u64,
        /// The version in the store (0 when the item is gone).
        actual: u64,
    },
    /// An explicitly chosen slug belongs to another item.
    #[error("slug {slug:?} is already used by another {kind} item")]
    SlugTaken {
        /// Kind.
        kind: String,
        /// The slug.
        slug: String,
    },
    /// The source already has a translation into this locale.
    #[error("item {source_id} already has a translation into {locale}: item {owner}")]
    TranslationTaken {
        /// The source item.
        source_id: Id,
        /// The locale.
        locale: String,
        /// The translation that exists.
        owner: Id,
    },
    /// The workflow does not allow this step from the item's status.
    #[error("cannot {action} an item that is {}", status.as_str())]
    InvalidTransition {
        /// The step (`unpublish`, `archive`, ...).
        action: &'static str,
        /// The item's status.
        status: Status,
    },
    /// No such revision.
    #[error("item {id} has no revision {version}")]
    RevisionNotFound {
        /// The item.
        id: Id,
        /// The version asked for.
        version: u64,
    },
    /// A pagination cursor that this service did not hand out.
    #[error("invalid cursor {0:?}")]
    InvalidCursor(String),
    /// No search index is configured.
    #[error("search is not available: no search index is configured")]
    SearchUnavailable,
    /// The search index failed.
    #[error(transparent)]
    Search(crate::search::SearchError),
    /// A derived index failed to rebuild.
    #[error(transparent)]
    Derived(crate::events::DerivedError),
    /// A stored body that no longer reads as its kind.
    #[error("stored item {id} is not a valid {kind}: {reason}")]
    CorruptBody {
        /// The item.
        id: Id,
        /// Its kind.
        kind: String,
        /// The decoding error.
        reason: String,
    },
    /// A file of the media library that content still shows cannot be deleted.
    #[error("media item {id} is used by item {used_by} ({title}); remove it there first")]
    MediaInUse {
        /// The media item.
        id: Id,
        /// An item that names it.
        used_by: Id,
        /// That item's title.
        title: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CmsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { id, expected, actual } => CmsError::Conflict { id, expected, actual },
            StoreError::SlugTaken { kind, slug, .. } => CmsError::SlugTaken { kind, slug },
            StoreError::TranslationTaken { group, locale, owner } => {
                CmsError::TranslationTaken { source_id: group, locale, owner }
            }
            // Two racing deletes: the loser finds nothing, a client's 404, not a fault.
            StoreError::NotFound { id } => CmsError::NotFound { kind: "any".into(), id },
            other => CmsError::Store(other),
        }
    }
}

pub(crate) fn validation(path: &str, code: &'static str, message: impl Into<String>) -> CmsError {
    CmsError::Invalid(ValidationErrors::single(path, code, message))
}
