//! The search contract: a full-text [`DerivedIndex`] that the [`Cms`](crate::Cms) keeps
//! current with every committed write and can rebuild from the store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::events::DerivedIndex;
use crate::record::Id;

/// A search query.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// What the visitor typed: plain words (no query syntax; at most
    /// [`SearchQuery::MAX_CHARS`] characters are used).
    pub text: String,
    /// Only these kinds (`news`, `programme`, ...); all when empty.
    pub kinds: Vec<String>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only items published at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only items published at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Page size (1 to 100; 20 when 0).
    pub limit: usize,
    /// How many hits to skip (from a `next_cursor`); below [`SearchQuery::MAX_DEPTH`], and
    /// the page stops there.
    pub offset: usize,
    /// The reader's locale (`pl` when empty). Items of every language are searched (the
    /// query is read by each language's analysis); hits in this locale come first, best
    /// first, then the others, best first.
    pub locale: String,
}

impl SearchQuery {
    /// Longer query texts are cut here: a search never fails for its length.
    pub const MAX_CHARS: usize = 200;
    /// How deep results go: no hit past this position is returned. Collectors reserve room
    /// for `offset + limit` hits, so a client's offset must never size that unchecked.
    pub const MAX_DEPTH: usize = 10_000;
}

/// One found item.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SearchHit {
    /// The item.
    pub id: Id,
    /// Its kind.
    pub kind: String,
    /// Its current slug.
    pub slug: String,
    /// Its locale (`pl`, `en`, `uk`): the language its page is published in, so a
    /// frontend links it under that language's address.
    pub locale: String,
    /// Its title.
    pub title: String,
    /// An excerpt as HTML: text escaped, matched words in `<mark>`.
    pub snippet: String,
    /// When it was published.
    pub publish_at: DateTime<Utc>,
    /// Relevance within its part of the results (higher first; see
    /// [`SearchResults::items`]).
    pub score: f32,
}

/// A page of hits.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SearchResults {
    /// Hits: those in the query's locale first, then the others, each part best first
    /// (so scores may rise where the query's locale ends).
    pub items: Vec<SearchHit>,
    /// Number of matching items, in every locale.
    pub total: usize,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// A failure of the index itself.
#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct SearchError(pub String);

/// A full-text index derived from the store, kept current by the Cms as a
/// [`DerivedIndex`].
///
/// # Contract
/// - Only published items of kinds with search parts ([`Kind::search_parts`]) are indexed:
///   a published item is searchable, and an unpublished, archived or deleted one gone, when
///   `apply` returns.
/// - `search` finds only items whose publish time is at or before `now`.
///
/// [`Kind::search_parts`]: crate::kinds::Kind::search_parts
#[async_trait]
pub trait SearchIndex: DerivedIndex {
    /// Runs a query as the public sees the site at `now`.
    async fn search(&self, query: &SearchQuery, now: DateTime<Utc>) -> Result<SearchResults, SearchError>;
}
