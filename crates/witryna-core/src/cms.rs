//! The [`Cms`] service: the editorial rules on top of a [`Store`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::broadcast;

use crate::content::Content;
use crate::record::{Id, Meta, Record, Status};
use crate::search::{SearchIndex, SearchQuery, SearchResults};
use crate::slugs;
use crate::store::{Cursor, DynStore, ListQuery, Store, StoreError};
use crate::validate::ValidationErrors;

/// The locale items get when none is given.
pub const DEFAULT_LOCALE: &str = "pl";
/// Largest page a list returns.
pub const MAX_PAGE: usize = 100;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// How many `-2`, `-3`, ... suffixes are tried before a slug is reported as taken.
const MAX_SLUG_ATTEMPTS: u32 = 1000;

/// What can go wrong in the [`Cms`]. Frontends map each variant to one response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The content (or an option such as the slug) failed validation.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// No item with this id (of the asked kind).
    #[error("no {kind} item with id {id}")]
    NotFound {
        /// The kind asked for.
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
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for CmsError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { id, expected, actual } => CmsError::Conflict { id, expected, actual },
            StoreError::SlugTaken { kind, slug, .. } => CmsError::SlugTaken { kind, slug },
            other => CmsError::Store(other),
        }
    }
}

/// Where the time comes from: the system clock, or a hand-set one in tests.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests of scheduled publishing.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock showing `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock forward (or back) by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }

    /// Sets the clock.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A committed change, sent to subscribers after the store acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    /// What happened.
    pub change: Change,
    /// The item's metadata after the change (before it, for deletions).
    pub meta: Meta,
    /// The content (JSON) after the change; `None` for deletions.
    pub body: Option<Arc<str>>,
}

/// What kind of change an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new item (draft).
    Created,
    /// New content.
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
}

/// An item with its typed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<C> {
    /// Metadata (id, slug, status, version, ...).
    pub meta: Meta,
    /// The content.
    pub content: C,
}

/// Who is looking: the public sees published items whose time has come; editors see all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Visitors of the site.
    #[default]
    Public,
    /// Editors (drafts, scheduled and archived items too).
    Editor,
}

/// The answer to a slug lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlugLookup<C> {
    /// The slug is the item's current one.
    Found(Item<C>),
    /// The slug is an old one: redirect to `current`.
    Moved {
        /// The item's current slug.
        current: String,
        /// The item.
        item: Item<C>,
    },
}

/// A slug lookup that leaves the content as stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordLookup {
    /// The slug is the item's current one.
    Found(Record),
    /// The slug is an old one: redirect to `current`.
    Moved {
        /// The item's current slug.
        current: String,
        /// The item.
        record: Record,
    },
}

/// A page of records with their content as stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordList {
    /// Records, newest first.
    pub records: Vec<Record>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// Options for a new item.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    /// Wanted slug (normalised by [`slugs::slugify`]); from the title when absent.
    pub slug: Option<String>,
    /// Locale; [`DEFAULT_LOCALE`] when absent.
    pub locale: Option<String>,
}

/// A list query on one content kind.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Who is looking.
    pub view: View,
    /// Locale; [`DEFAULT_LOCALE`] when absent.
    pub locale: Option<String>,
    /// Only this status (editors); the public view is always `published`.
    pub status: Option<Status>,
    /// Only items with this tag.
    pub tag: Option<String>,
    /// Only items at or after this time (publish time, else creation time).
    pub from: Option<DateTime<Utc>>,
    /// Only items at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Continue from a `next_cursor` of an earlier page.
    pub cursor: Option<String>,
    /// Page size, 1 to [`MAX_PAGE`]; 20 when absent.
    pub limit: Option<usize>,
}

/// One page of typed items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPage<C> {
    /// Items, newest first.
    pub items: Vec<Item<C>>,
    /// Cursor of the next page, if any.
    pub next_cursor: Option<String>,
}

/// The editorial service: validation, slugs, workflow, revisions, queries and events.
///
/// Frontends call the `Cms`, never the store: it owns the rules.
#[derive(Clone)]
pub struct Cms {
    store: DynStore,
    clock: Arc<dyn Clock>,
    events: broadcast::Sender<ChangeEvent>,
    generation: Arc<AtomicU64>,
    search: Option<Arc<dyn SearchIndex>>,
}

impl std::fmt::Debug for Cms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cms").finish_non_exhaustive()
    }
}

fn validation(path: &str, code: &'static str, message: impl Into<String>) -> CmsError {
    CmsError::Invalid(ValidationErrors::single(path, code, message))
}

fn check_locale(locale: &str) -> Result<(), CmsError> {
    let (lang, region) = locale.split_once('-').unwrap_or((locale, "AA"));
    let ok = (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.len() == 2
        && region.bytes().all(|b| b.is_ascii_uppercase());
    if ok {
        Ok(())
    } else {
        Err(validation("locale", "invalid_locale", "must look like pl or pl-PL"))
    }
}

/// Lower-cased, trimmed, de-duplicated tags; each 1 to 50 printable characters.
fn normalise_tags(tags: Vec<String>) -> Result<Vec<String>, CmsError> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, t) in tags.into_iter().enumerate() {
        let t = t.trim().to_lowercase();
        if t.is_empty() || t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) {
            return Err(validation(&format!("tags[{i}]"), "invalid_tag", "must be 1 to 50 printable characters"));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn decode<C: Content>(record: Record) -> Result<Item<C>, CmsError> {
    let content = serde_json::from_str(&record.body).map_err(|e| CmsError::CorruptBody {
        id: record.meta.id,
        kind: record.meta.kind.clone(),
        reason: e.to_string(),
    })?;
    Ok(Item { meta: record.meta, content })
}

impl Cms {
    /// A service on a store, with the system clock.
    pub fn new(store: DynStore) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// A service with its own clock (tests of scheduled publishing).
    pub fn with_clock(store: DynStore, clock: Arc<dyn Clock>) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self { store, clock, events, generation: Arc::new(AtomicU64::new(0)), search: None }
    }

    /// The store underneath (for backends' own maintenance, not for content).
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The current instant, truncated to microseconds (what every backend keeps).
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(6)
    }

    /// Committed changes from now on. A receiver that falls more than 1024 events behind
    /// gets `Lagged` and should rebuild what it derives from the store.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.events.subscribe()
    }

    /// Keeps a search index current with every write (applied before a write returns).
    pub fn with_search(mut self, index: Arc<dyn SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    /// Reports a committed change: derived state first (cache generation, search index),
    /// then subscribers.
    async fn emit(&self, change: Change, meta: Meta, body: Option<&str>) {
        self.generation.fetch_add(1, Ordering::Release);
        let event = ChangeEvent { change, meta, body: body.map(Arc::from) };
        if let Some(index) = &self.search {
            // The write is committed; a failing index must not fail it. `rebuild_search`
            // (or `witryna reindex`) repairs the index.
            if let Err(e) = index.apply(&event).await {
                tracing::error!(error = %e, id = %event.meta.id, "search index not updated; rebuild it");
            }
        }
        // No subscribers is fine: events are for other derived state, which may not exist.
        let _ = self.events.send(event);
    }

    /// Takes in a change another process committed to a shared store (PostgreSQL
    /// LISTEN/NOTIFY): bumps the cache generation and brings the search index up to date.
    /// Subscribers get an `Updated` event for items that still exist.
    pub async fn external_change(&self, id: Id) -> Result<(), CmsError> {
        self.generation.fetch_add(1, Ordering::Release);
        match self.store.get(id).await? {
            Some(record) => {
                let event =
                    ChangeEvent { change: Change::Updated, meta: record.meta, body: Some(Arc::from(record.body)) };
                if let Some(index) = &self.search {
                    index.apply(&event).await.map_err(CmsError::Search)?;
                }
                let _ = self.events.send(event);
            }
            None => {
                if let Some(index) = &self.search {
                    index.remove(id).await.map_err(CmsError::Search)?;
                }
            }
        }
        Ok(())
    }

    /// Full-text search as the public sees the site now.
    pub async fn search(&self, mut query: SearchQuery) -> Result<SearchResults, CmsError> {
        let index = self.search.as_ref().ok_or(CmsError::SearchUnavailable)?;
        if query.limit == 0 {
            query.limit = 20;
        }
        if query.limit > MAX_PAGE {
            return Err(validation("limit", "out_of_range", format!("must be between 1 and {MAX_PAGE}")));
        }
        if query.offset >= SearchQuery::MAX_DEPTH {
            let max = SearchQuery::MAX_DEPTH;
            return Err(validation("offset", "out_of_range", format!("results are shown at most {max} deep")));
        }
        // The last page stops at the depth bound (every cursor handed out stays usable).
        query.limit = query.limit.min(SearchQuery::MAX_DEPTH - query.offset);
        query.text = query.text.trim().chars().take(SearchQuery::MAX_CHARS).collect();
        index.search(&query, self.now()).await.map_err(CmsError::Search)
    }

    /// Rebuilds the search index from the store; `progress` gets the items read so far.
    pub async fn rebuild_search(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<u64, CmsError> {
        let index = self.search.as_ref().ok_or(CmsError::SearchUnavailable)?;
        index.rebuild(&*self.store, progress).await.map_err(CmsError::Search)
    }

    /// A counter that grows with every write this service commits (shared by its clones):
    /// a cache entry made at generation `g` is current while `generation() == g`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    async fn load(&self, kind: &str, id: Id) -> Result<Record, CmsError> {
        match self.store.get(id).await? {
            Some(r) if r.meta.kind == kind => Ok(r),
            _ => Err(CmsError::NotFound { kind: kind.to_owned(), id }),
        }
    }

    /// Loads an item of any kind for a metadata-only change, checking the version early.
    async fn load_at(&self, id: Id, expected_version: u64) -> Result<Record, CmsError> {
        let record = self.store.get(id).await?.ok_or_else(|| CmsError::NotFound { kind: "any".into(), id })?;
        if record.meta.version != expected_version {
            return Err(CmsError::Conflict { id, expected: expected_version, actual: record.meta.version });
        }
        Ok(record)
    }

    /// Writes the next version of a loaded record and reports the change.
    async fn commit(&self, mut record: Record, change: Change) -> Result<Meta, CmsError> {
        record.meta.version += 1;
        record.meta.updated_at = self.now();
        self.store.put(record.clone()).await?;
        self.emit(change, record.meta.clone(), Some(&record.body)).await;
        Ok(record.meta)
    }

    /// Creates a draft with a slug made from its title.
    pub async fn create<C: Content>(&self, content: C) -> Result<Item<C>, CmsError> {
        self.create_with(content, CreateOptions::default()).await
    }

    /// Creates a draft. The slug (given or from the title) gets `-2`, `-3`, ... when taken;
    /// a singleton kind's slug is its kind, and a second one is a `SlugTaken` error.
    pub async fn create_with<C: Content>(&self, content: C, options: CreateOptions) -> Result<Item<C>, CmsError> {
        crate::validate::check_content(&content)?;
        let locale = options.locale.unwrap_or_else(|| DEFAULT_LOCALE.to_owned());
        check_locale(&locale)?;
        let base = if C::SINGLETON {
            C::KIND.to_owned()
        } else {
            slugs::slugify(options.slug.as_deref().unwrap_or_else(|| content.slug_source()))
        };
        if base.is_empty() {
            return Err(validation(
                "slug",
                "empty_slug",
                "the title or slug has no letters or digits to make a slug from",
            ));
        }
        let now = self.now();
        let mut record = Record {
            meta: Meta {
                id: Id::new(),
                kind: C::KIND.to_owned(),
                locale,
                slug: String::new(),
                previous_slugs: Vec::new(),
                status: Status::Draft,
                publish_at: None,
                created_at: now,
                updated_at: now,
                version: 1,
                tags: normalise_tags(content.tags())?,
            },
            body: serde_json::to_string(&content).expect("content serializes to JSON"),
        };
        let attempts = if C::SINGLETON { 1 } else { MAX_SLUG_ATTEMPTS };
        for n in 1..=attempts {
            record.meta.slug = slugs::candidate(&base, n);
            let m = &record.meta;
            if self.store.find_slug(&m.kind, &m.locale, &m.slug).await?.is_some() {
                continue;
            }
            match self.store.put(record.clone()).await {
                Ok(()) => {
                    self.emit(Change::Created, record.meta.clone(), Some(&record.body)).await;
                    return Ok(Item { meta: record.meta, content });
                }
                // Another writer took it between the check and the write: try the next.
                Err(StoreError::SlugTaken { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CmsError::SlugTaken { kind: C::KIND.to_owned(), slug: base })
    }

    /// Replaces the content of an item at `expected_version`.
    pub async fn update<C: Content>(&self, id: Id, expected_version: u64, content: C) -> Result<Item<C>, CmsError> {
        crate::validate::check_content(&content)?;
        let mut record = self.load(C::KIND, id).await?;
        if record.meta.version != expected_version {
            return Err(CmsError::Conflict { id, expected: expected_version, actual: record.meta.version });
        }
        record.meta.tags = normalise_tags(content.tags())?;
        record.body = serde_json::to_string(&content).expect("content serializes to JSON");
        let meta = self.commit(record, Change::Updated).await?;
        Ok(Item { meta, content })
    }

    /// Gives an item a new slug (normalised); the old one keeps resolving to it.
    pub async fn set_slug(&self, id: Id, expected_version: u64, slug: &str) -> Result<Meta, CmsError> {
        let mut record = self.load_at(id, expected_version).await?;
        let slug = slugs::slugify(slug);
        if slug.is_empty() {
            return Err(validation("slug", "empty_slug", "the slug has no letters or digits"));
        }
        let m = &mut record.meta;
        if slug == m.slug {
            return Ok(record.meta);
        }
        let old = std::mem::replace(&mut m.slug, slug);
        m.previous_slugs.retain(|s| *s != m.slug);
        m.previous_slugs.push(old);
        self.commit(record, Change::SlugChanged).await
    }

    /// Publishes an item now, or at `at` (in the future: scheduled; in the past: back-dated,
    /// e.g. for imported news). Also reschedules a published item or republishes an
    /// archived one.
    pub async fn publish(&self, id: Id, expected_version: u64, at: Option<DateTime<Utc>>) -> Result<Meta, CmsError> {
        let mut record = self.load_at(id, expected_version).await?;
        record.meta.status = Status::Published;
        record.meta.publish_at = Some(at.map_or_else(|| self.now(), |t| t.trunc_subsecs(6)));
        self.commit(record, Change::Published).await
    }

    /// Takes a published (or archived) item back to draft.
    pub async fn unpublish(&self, id: Id, expected_version: u64) -> Result<Meta, CmsError> {
        let mut record = self.load_at(id, expected_version).await?;
        if record.meta.status == Status::Draft {
            return Err(CmsError::InvalidTransition { action: "unpublish", status: Status::Draft });
        }
        record.meta.status = Status::Draft;
        record.meta.publish_at = None;
        self.commit(record, Change::Unpublished).await
    }

    /// Archives an item: off the public site, kept with its publish time.
    pub async fn archive(&self, id: Id, expected_version: u64) -> Result<Meta, CmsError> {
        let mut record = self.load_at(id, expected_version).await?;
        if record.meta.status == Status::Archived {
            return Err(CmsError::InvalidTransition { action: "archive", status: Status::Archived });
        }
        record.meta.status = Status::Archived;
        self.commit(record, Change::Archived).await
    }

    /// Deletes an item and its revisions.
    pub async fn delete(&self, id: Id, expected_version: u64) -> Result<(), CmsError> {
        let record = self.load_at(id, expected_version).await?;
        self.store.delete(id, expected_version).await?;
        self.emit(Change::Deleted, record.meta, None).await;
        Ok(())
    }

    /// The metadata of every version of an item, oldest first.
    pub async fn revisions(&self, id: Id) -> Result<Vec<Meta>, CmsError> {
        let revisions = self.store.revisions(id).await?;
        if revisions.is_empty() {
            return Err(CmsError::NotFound { kind: "any".into(), id });
        }
        Ok(revisions.into_iter().map(|r| r.meta).collect())
    }

    /// One version of an item with its content.
    pub async fn revision<C: Content>(&self, id: Id, version: u64) -> Result<Item<C>, CmsError> {
        match self.store.revision(id, version).await? {
            Some(r) if r.meta.kind == C::KIND => decode(r),
            _ => Err(CmsError::RevisionNotFound { id, version }),
        }
    }

    /// Restores the content (and tags) of an old version as a new version. The workflow
    /// state and slug stay as they are now.
    pub async fn restore(&self, id: Id, version: u64, expected_version: u64) -> Result<Meta, CmsError> {
        let mut record = self.load_at(id, expected_version).await?;
        let old = self.store.revision(id, version).await?.ok_or(CmsError::RevisionNotFound { id, version })?;
        record.body = old.body;
        record.meta.tags = old.meta.tags;
        self.commit(record, Change::Restored).await
    }

    /// An item by id, whatever its status (an editor's read).
    pub async fn get<C: Content>(&self, id: Id) -> Result<Item<C>, CmsError> {
        decode(self.load(C::KIND, id).await?)
    }

    /// An item by slug in the default locale. An old slug answers [`SlugLookup::Moved`].
    pub async fn find<C: Content>(&self, slug: &str, view: View) -> Result<SlugLookup<C>, CmsError> {
        self.find_in(DEFAULT_LOCALE, slug, view).await
    }

    /// An item by slug in a locale. The public view only finds items public now.
    pub async fn find_in<C: Content>(&self, locale: &str, slug: &str, view: View) -> Result<SlugLookup<C>, CmsError> {
        Ok(match self.find_record(C::KIND, locale, slug, view).await? {
            RecordLookup::Found(record) => SlugLookup::Found(decode(record)?),
            RecordLookup::Moved { current, record } => SlugLookup::Moved { current, item: decode(record)? },
        })
    }

    /// [`Cms::find_in`] without decoding the content: for frontends that pass the stored
    /// JSON through (it is always JSON the Cms wrote).
    pub async fn find_record(
        &self,
        kind: &str,
        locale: &str,
        slug: &str,
        view: View,
    ) -> Result<RecordLookup, CmsError> {
        let not_found = || CmsError::SlugNotFound { kind: kind.to_owned(), slug: slug.to_owned() };
        let record = self.store.find_slug(kind, locale, slug).await?.ok_or_else(not_found)?;
        if view == View::Public && !record.meta.is_public_at(self.now()) {
            return Err(not_found());
        }
        Ok(if record.meta.slug == slug {
            RecordLookup::Found(record)
        } else {
            RecordLookup::Moved { current: record.meta.slug.clone(), record }
        })
    }

    /// [`Cms::get`] without decoding the content.
    pub async fn get_record(&self, kind: &str, id: Id) -> Result<Record, CmsError> {
        self.load(kind, id).await
    }

    /// The one item of a singleton kind (e.g. accessibility settings), if saved.
    pub async fn singleton<C: Content>(&self) -> Result<Option<Item<C>>, CmsError> {
        match self.store.find_slug(C::KIND, DEFAULT_LOCALE, C::KIND).await? {
            Some(r) => decode(r).map(Some),
            None => Ok(None),
        }
    }

    /// Saves the singleton: creates and publishes it, or updates it at `expected_version`.
    pub async fn save_singleton<C: Content>(
        &self,
        content: C,
        expected_version: Option<u64>,
    ) -> Result<Item<C>, CmsError> {
        match (self.singleton::<C>().await?, expected_version) {
            (Some(current), Some(v)) => self.update(current.meta.id, v, content).await,
            (Some(current), None) => {
                Err(CmsError::Conflict { id: current.meta.id, expected: 0, actual: current.meta.version })
            }
            (None, _) => {
                let item = self.create(content).await?;
                let meta = self.publish(item.meta.id, item.meta.version, None).await?;
                Ok(Item { meta, content: item.content })
            }
        }
    }

    /// A page of items of one kind, newest first.
    pub async fn list<C: Content>(&self, query: Query) -> Result<ItemPage<C>, CmsError> {
        let page = self.list_records(C::KIND, query).await?;
        Ok(ItemPage {
            items: page.records.into_iter().map(decode).collect::<Result<_, _>>()?,
            next_cursor: page.next_cursor,
        })
    }

    /// [`Cms::list`] without decoding the content.
    pub async fn list_records(&self, kind: &str, query: Query) -> Result<RecordList, CmsError> {
        let locale = query.locale.unwrap_or_else(|| DEFAULT_LOCALE.to_owned());
        let limit = query.limit.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(validation("limit", "out_of_range", format!("must be between 1 and {MAX_PAGE}")));
        }
        let after = match &query.cursor {
            Some(c) => Some(Cursor::decode(c).ok_or_else(|| CmsError::InvalidCursor(c.clone()))?),
            None => None,
        };
        let tag = match query.tag {
            Some(t) => normalise_tags(vec![t])
                .map_err(|_| validation("tag", "invalid_tag", "must be 1 to 50 printable characters"))?
                .pop(),
            None => None,
        };
        let (status, until) = match query.view {
            View::Editor => (query.status, query.until),
            View::Public => {
                if query.status.is_some_and(|s| s != Status::Published) {
                    return Ok(RecordList { records: Vec::new(), next_cursor: None });
                }
                let now = self.now();
                (Some(Status::Published), Some(query.until.map_or(now, |u| u.min(now))))
            }
        };
        let page = self
            .store
            .list(&ListQuery { kind: kind.to_owned(), locale, status, tag, from: query.from, until, after, limit })
            .await?;
        Ok(RecordList { records: page.records, next_cursor: page.next.map(|c| c.encode()) })
    }
}
