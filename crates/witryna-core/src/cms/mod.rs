//! The [`Cms`] service: the editorial rules on top of a [`Store`].
//!
//! - `error.rs`: what can go wrong; `clock.rs`: where the time comes from;
//! - this file: the service, its derived indexes and events, and content writes;
//! - `workflow.rs`: publish, unpublish, archive, slugs, restore, delete;
//! - `queries.rs`: reads by id, slug and list, revisions, singletons, search.

mod clock;
mod error;
mod media;
mod queries;
mod translations;
mod workflow;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::CmsError;
pub use media::{BlobCollection, BLOB_GRACE};
pub use queries::{ItemPage, Query, RecordList, RecordLookup, SlugLookup, View};
pub use translations::{TranslationState, TranslationStatus};
pub use workflow::Step;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::broadcast;

use crate::content::Content;
use crate::events::{Change, ChangeEvent, DerivedIndex};
use crate::kinds::{Checked, Kinds};
use crate::locales::Locales;
use crate::record::{Id, Meta, Record, Status};
use crate::search::SearchIndex;
use crate::slugs;
use crate::store::{DynStore, Store, StoreError};
use error::validation;

/// The locale items get when none is given.
pub const DEFAULT_LOCALE: &str = "pl";
/// Largest page a list returns.
pub const MAX_PAGE: usize = 100;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// How many `-2`, `-3`, ... suffixes are tried before a slug is reported as taken.
const MAX_SLUG_ATTEMPTS: u32 = 1000;

/// An item with its typed content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<C> {
    /// Metadata (id, slug, status, version, ...).
    pub meta: Meta,
    /// The content.
    pub content: C,
}

/// Options for a new item.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    /// Wanted slug (normalised by [`slugs::slugify`]); from the title when absent.
    pub slug: Option<String>,
    /// Locale; [`DEFAULT_LOCALE`] when absent. It must be turned on ([`Cms::with_locales`]).
    pub locale: Option<String>,
    /// Make it the translation of this Polish item into `locale` (see [`Cms::translations_of`]).
    pub translation_of: Option<Id>,
}

/// The editorial service: validation, slugs, workflow, revisions, queries and events.
///
/// Frontends call the `Cms`, never the store: it owns the rules. It also holds the
/// [`Kinds`] the site has, which every frontend loops over.
#[derive(Clone)]
pub struct Cms {
    store: DynStore,
    clock: Arc<dyn Clock>,
    kinds: Arc<Kinds>,
    locales: Arc<Locales>,
    events: broadcast::Sender<ChangeEvent>,
    generation: Arc<AtomicU64>,
    derived: Arc<[Arc<dyn DerivedIndex>]>,
    search: Option<Arc<dyn SearchIndex>>,
    item_locks: Arc<[tokio::sync::Mutex<()>]>,
    actor: Option<Id>,
}

/// How many locks order the writes of this process per item (by id hash): writes to one
/// item commit and notify in version order; writes to different items rarely wait.
const ITEM_LOCKS: usize = 64;

impl std::fmt::Debug for Cms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cms").field("kinds", &self.kinds).finish_non_exhaustive()
    }
}

/// Lower-cased, trimmed, de-duplicated tags; each 1 to 50 printable characters.
pub(crate) fn normalise_tags(tags: &[String]) -> Result<Vec<String>, CmsError> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, t) in tags.iter().enumerate() {
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

pub(crate) fn decode<C: Content>(record: Record) -> Result<Item<C>, CmsError> {
    let content = serde_json::from_str(&record.body).map_err(|e| CmsError::CorruptBody {
        id: record.meta.id,
        kind: record.meta.kind.clone(),
        reason: e.to_string(),
    })?;
    Ok(Item { meta: record.meta, content })
}

/// `Conflict` unless the record is at the expected version (`None`: whatever it is at).
pub(crate) fn check_version(record: &Record, expected: Option<u64>) -> Result<(), CmsError> {
    match expected {
        Some(v) if v != record.meta.version => {
            Err(CmsError::Conflict { id: record.meta.id, expected: v, actual: record.meta.version })
        }
        _ => Ok(()),
    }
}

impl Cms {
    /// A service on a store with the built-in kinds and the system clock.
    pub fn new(store: DynStore) -> Self {
        Self::with_clock(store, Arc::new(SystemClock))
    }

    /// A service with its own clock (tests of scheduled publishing).
    pub fn with_clock(store: DynStore, clock: Arc<dyn Clock>) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            store,
            clock,
            kinds: Arc::new(Kinds::builtin()),
            locales: Arc::new(Locales::all()),
            events,
            generation: Arc::new(AtomicU64::new(0)),
            derived: Arc::new([]),
            search: None,
            item_locks: (0..ITEM_LOCKS).map(|_| tokio::sync::Mutex::new(())).collect(),
            actor: None,
        }
    }

    /// The kinds this site has (default: [`Kinds::builtin`]).
    pub fn with_kinds(mut self, kinds: Kinds) -> Self {
        self.kinds = Arc::new(kinds);
        self
    }

    /// The languages items may be written in (default: [`Locales::all`]). Turning one off
    /// refuses new items in it and changes nothing stored.
    pub fn with_locales(mut self, locales: Locales) -> Self {
        self.locales = Arc::new(locales);
        self
    }

    /// The languages turned on.
    pub fn locales(&self) -> &Locales {
        &self.locales
    }

    /// The same service writing on behalf of an account (a user or an API token): every
    /// version it writes records the account as `updated_by`, and items it creates as
    /// `created_by`. Cheap: frontends make one per request.
    pub fn acting_as(&self, account: Id) -> Cms {
        Cms { actor: Some(account), ..self.clone() }
    }

    /// The account this service writes for, if any ([`Cms::acting_as`]).
    pub fn actor(&self) -> Option<Id> {
        self.actor
    }

    /// The kinds this site has: frontends loop over them.
    pub fn kinds(&self) -> &Kinds {
        &self.kinds
    }

    /// Keeps a search index current with every write (applied before a write returns)
    /// and answers [`Cms::search`] from it.
    pub fn with_search(mut self, index: Arc<dyn SearchIndex>) -> Self {
        self.search = Some(index.clone());
        self.with_derived(index)
    }

    /// Keeps another derived index current with every write.
    pub fn with_derived(mut self, index: Arc<dyn DerivedIndex>) -> Self {
        // A slice, not a Vec: every request clones the Cms, and this clone allocates nothing.
        self.derived = self.derived.iter().cloned().chain([index]).collect();
        self
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

    /// A counter that grows with every change this service commits or hears of (shared by
    /// its clones): a cache entry made at generation `g` is current while
    /// `generation() == g`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Reports a committed change — this server's or another's, one policy for both: the
    /// cache generation first (not for internal kinds), then every derived index, then
    /// subscribers. The change is
    /// committed, so a failing index must not fail it: the error is logged, and
    /// [`Cms::rebuild_derived`] (`witryna reindex`) repairs the index.
    async fn notify(&self, event: ChangeEvent) {
        // Internal kinds (sessions, tokens, accounts) appear in no public response: their
        // writes — a session's last-seen time every minute — leave the caches warm.
        let internal = event.meta.as_ref().and_then(|m| self.kinds.get(&m.kind)).is_some_and(|k| k.spec().is_none());
        if !internal {
            self.generation.fetch_add(1, Ordering::Release);
        }
        for index in self.derived.iter() {
            if let Err(e) = index.apply(&event, &self.kinds).await {
                tracing::error!(error = %e, id = %event.id, "derived index not updated; rebuild it");
            }
        }
        // No subscribers is fine: events are for other derived state, which may not exist.
        let _ = self.events.send(event);
    }

    /// Runs a store write to item `id` and the notification of its change as one task of
    /// its own, so a request dropped mid-way (a client that hung up) cannot commit a write
    /// whose event is never sent. The item's lock keeps the events of one item in commit
    /// order: a dropped write still notifying cannot be overtaken by the next version.
    async fn committed<F>(&self, id: Id, write: F) -> Result<(), CmsError>
    where
        F: std::future::Future<Output = Result<ChangeEvent, StoreError>> + Send + 'static,
    {
        let this = self.clone();
        let task = tokio::spawn(async move {
            let shard = id.as_bytes().iter().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(*b)));
            let _order = this.item_locks[shard % this.item_locks.len()].lock().await;
            let event = write.await?;
            this.notify(event).await;
            Ok::<(), StoreError>(())
        });
        match task.await {
            Ok(result) => result.map_err(CmsError::from),
            Err(e) => Err(CmsError::Store(StoreError::Backend { backend: "cms", source: Box::new(e) })),
        }
    }

    /// Writes a record and reports the change.
    async fn put(&self, record: Record, change: Change) -> Result<(), CmsError> {
        let store = self.store.clone();
        self.committed(record.meta.id, async move {
            store.put(record.clone()).await?;
            Ok(ChangeEvent { change, id: record.meta.id, body: Some(Arc::from(record.body)), meta: Some(record.meta) })
        })
        .await
    }

    /// Writes the next version of a loaded record and reports the change; a published
    /// record publishes the media it shows.
    async fn commit(&self, mut record: Record, change: Change) -> Result<Record, CmsError> {
        record.meta.version += 1;
        record.meta.updated_at = self.now();
        record.meta.updated_by = self.actor;
        self.put(record.clone(), change).await?;
        self.publish_media_of(&record).await;
        Ok(record)
    }

    /// Takes in a change another process committed to a shared store (PostgreSQL
    /// LISTEN/NOTIFY) and reports it like this server's own: an [`Change::External`] event
    /// with the item as it is now, or [`Change::Deleted`] (with only the id) when it is gone.
    pub async fn external_change(&self, id: Id) -> Result<(), CmsError> {
        let event = match self.store.get(id).await? {
            Some(record) => ChangeEvent {
                change: Change::External,
                id,
                body: Some(Arc::from(record.body)),
                meta: Some(record.meta),
            },
            None => ChangeEvent { change: Change::Deleted, id, meta: None, body: None },
        };
        self.notify(event).await;
        Ok(())
    }

    /// Rebuilds every derived index (the search index) from the store; `progress` gets
    /// the items read so far by each.
    pub async fn rebuild_derived(&self, progress: &(dyn Fn(u64) + Send + Sync)) -> Result<u64, CmsError> {
        let mut read = 0;
        for index in self.derived.iter() {
            read = index.rebuild(&*self.store, &self.kinds, progress).await.map_err(CmsError::Derived)?;
        }
        self.generation.fetch_add(1, Ordering::Release);
        Ok(read)
    }

    /// Creates a draft with a slug made from its title.
    pub async fn create<C: Content>(&self, content: C) -> Result<Item<C>, CmsError> {
        self.create_with(content, CreateOptions::default()).await
    }

    /// Creates a draft. The slug (given or from the title) gets `-2`, `-3`, ... when taken;
    /// a singleton kind's slug is its kind, and a second one is a `SlugTaken` error.
    pub async fn create_with<C: Content>(&self, content: C, options: CreateOptions) -> Result<Item<C>, CmsError> {
        let record = self.create_checked(Checked::new(&content)?, options).await?;
        Ok(Item { meta: record.meta, content })
    }

    /// [`Cms::create_with`] for content checked by its [`Kind`](crate::kinds::Kind) (the
    /// frontends' path, which never knows the Rust type).
    pub async fn create_checked(&self, content: Checked, options: CreateOptions) -> Result<Record, CmsError> {
        let locale = options.locale.unwrap_or_else(|| DEFAULT_LOCALE.to_owned());
        if !self.locales.is_on(&locale) {
            let on = self.locales.to_string();
            return Err(validation("locale", "unknown_locale", format!("must be one of the site's languages: {on}")));
        }
        let (content, translation_of) = match options.translation_of {
            Some(source) => {
                let (content, link) = self.prepare_translation(source, &locale, content).await?;
                (content, Some(link))
            }
            None => (content, None),
        };
        let kind = content.kind();
        let singleton = content.singleton();
        let base = if singleton {
            kind.to_owned()
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
        let tags = normalise_tags(content.tags())?;
        self.check_media_refs(content.media()).await?;
        let body = content.into_json();
        let now = self.now();
        let mut record = Record {
            meta: Meta {
                id: Id::new(),
                kind: kind.to_owned(),
                locale,
                slug: String::new(),
                previous_slugs: Vec::new(),
                status: Status::Draft,
                publish_at: None,
                created_at: now,
                updated_at: now,
                version: 1,
                tags,
                created_by: self.actor,
                updated_by: self.actor,
                translation_of,
            },
            body,
        };
        let attempts = if singleton { 1 } else { MAX_SLUG_ATTEMPTS };
        for n in 1..=attempts {
            record.meta.slug = slugs::candidate(&base, n);
            let m = &record.meta;
            if self.store.find_slug(&m.kind, &m.locale, &m.slug).await?.is_some() {
                continue;
            }
            match self.put(record.clone(), Change::Created).await {
                Ok(()) => return Ok(record),
                // Another writer took it between the check and the write: try the next.
                Err(CmsError::SlugTaken { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(CmsError::SlugTaken { kind: kind.to_owned(), slug: base })
    }

    /// Replaces the content of an item at `expected_version`.
    pub async fn update<C: Content>(&self, id: Id, expected_version: u64, content: C) -> Result<Item<C>, CmsError> {
        let checked = Checked::new(&content)?;
        let record = self.load(C::KIND, id).await?;
        let record = self.update_record(record, Some(expected_version), checked, None).await?;
        Ok(Item { meta: record.meta, content })
    }

    /// Replaces the content of a loaded record — and its slug, when `slug` differs from
    /// the current one — in one commit. `expected` is the version the change is based on
    /// (`None`: the loaded one); content of another kind is `NotFound`.
    pub async fn update_record(
        &self,
        mut record: Record,
        expected: Option<u64>,
        content: Checked,
        slug: Option<&str>,
    ) -> Result<Record, CmsError> {
        if content.kind() != record.meta.kind {
            return Err(CmsError::NotFound { kind: content.kind().to_owned(), id: record.meta.id });
        }
        check_version(&record, expected)?;
        if let Some(kind) = self.kinds.get(&record.meta.kind) {
            kind.check_change(&record.body, content.json())?;
        }
        let content = self.refresh_translation(&mut record.meta, content).await?;
        record.meta.tags = normalise_tags(content.tags())?;
        self.check_media_refs(content.media()).await?;
        if let Some(slug) = slug {
            workflow::change_slug(&mut record.meta, slug)?;
        }
        record.body = content.into_json();
        self.commit(record, Change::Updated).await
    }
}
