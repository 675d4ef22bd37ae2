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
pub use workflow::{RecordFields, Step, MAX_RECORD_NAME_CHARS};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::broadcast;

use crate::audit::{Actor, AuditAction, AuditEntry, AuditItem, Outbox, WriteLog};
use crate::content::Content;
use crate::events::{Change, ChangeEvent, DerivedIndex};
use crate::kinds::{Checked, Kind, Kinds};
use crate::locales::Locales;
use crate::record::{Id, ItemRecord, Meta, Record, Status};
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
    outbox: Option<Arc<dyn Outbox>>,
    actor: Option<Arc<Actor>>,
    reason: Option<Arc<str>>,
    action: Option<AuditAction>,
}

/// Longest reason for a change, in characters.
pub const MAX_REASON_CHARS: usize = 500;

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
            outbox: None,
            actor: None,
            reason: None,
            action: None,
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
    /// version it writes records the account as `updated_by` (and its name in the
    /// metryczka), items it creates as `created_by`, and the audit log names it with its
    /// address. Cheap: frontends make one per request.
    pub fn acting_as(&self, actor: Actor) -> Cms {
        Cms { actor: Some(Arc::new(actor)), ..self.clone() }
    }

    /// Who this service writes for ([`Cms::acting_as`]); the system when no one.
    pub fn actor(&self) -> Actor {
        self.actor.as_deref().cloned().unwrap_or_else(Actor::system)
    }

    fn actor_id(&self) -> Option<Id> {
        self.actor.as_ref().and_then(|a| a.id)
    }

    fn actor_name(&self) -> Option<String> {
        self.actor.as_ref().map(|a| a.name.clone())
    }

    /// The same service giving `reason` for its writes: kept with each version it writes
    /// (`meta.record.change_note`) and in the audit log. A change to a public item needs
    /// one. Blank text is no reason; at most [`MAX_REASON_CHARS`] characters.
    pub fn because(&self, reason: &str) -> Result<Cms, CmsError> {
        let reason = reason.trim();
        if reason.chars().count() > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
            return Err(validation(
                "reason",
                "invalid_reason",
                format!("must be at most {MAX_REASON_CHARS} printable characters"),
            ));
        }
        Ok(Cms { reason: (!reason.is_empty()).then(|| Arc::from(reason)), ..self.clone() })
    }

    /// The same service logging its writes as `action` (an account's writes: a password
    /// change is an update of a user item). Writes of internal kinds are logged only so.
    pub fn logged_as(&self, action: AuditAction) -> Cms {
        Cms { action: Some(action), ..self.clone() }
    }

    /// Adds webhook deliveries to every logged write, in the same atomic step.
    pub fn with_outbox(mut self, outbox: Arc<dyn Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
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

    /// What a write of `record` (`change`, logged as `action`) leaves in the logs: an audit
    /// entry for items of exposed kinds, and for internal ones only when
    /// [`Cms::logged_as`] names the action; webhook deliveries from the outbox.
    /// `public`: the item is public after the change or was before it.
    pub(crate) fn log_of(&self, record: &Record, action: AuditAction, public: bool) -> WriteLog {
        let kind = self.kinds.get(&record.meta.kind);
        let exposed = kind.is_some_and(|k| k.spec().is_some());
        let action = match (self.action, exposed) {
            (Some(named), _) => named,
            (None, true) => action,
            (None, false) => return WriteLog::none(),
        };
        let m = &record.meta;
        let title = kind.and_then(|k| k.title(&record.body)).unwrap_or_default();
        let item = AuditItem {
            id: m.id,
            kind: m.kind.clone(),
            locale: m.locale.clone(),
            // Internal kinds' slugs are hashes of secrets (sessions, tokens, links): never
            // logged; nor a title that is the slug (a session is titled by its hash).
            slug: if exposed { m.slug.clone() } else { String::new() },
            version: m.version,
            title: if exposed || title != m.slug { title } else { String::new() },
        };
        self.log_entry(action, Some(item), exposed && public, Some(m))
    }

    /// An audit entry by this service's actor, with its reason, and its deliveries.
    fn log_entry(&self, action: AuditAction, item: Option<AuditItem>, public: bool, meta: Option<&Meta>) -> WriteLog {
        let entry = AuditEntry {
            seq: 0,
            at: self.now(),
            action,
            actor: self.actor(),
            item,
            note: self.reason.as_deref().map(str::to_owned),
            public,
        };
        let deliveries = self.outbox.as_ref().map(|o| o.deliveries(&entry, meta)).unwrap_or_default();
        WriteLog { entry: Some(entry), deliveries }
    }

    /// Logs something that writes no item (a login, a failed login, an import): one audit
    /// entry by this service's actor, with its reason as the note.
    pub async fn log_event(&self, action: AuditAction, item: Option<AuditItem>) -> Result<(), CmsError> {
        Ok(self.store.append_log(self.log_entry(action, item, false, None)).await?)
    }

    /// Writes a record with its log and reports the change.
    async fn put(&self, record: Record, change: Change, log: WriteLog) -> Result<(), CmsError> {
        let store = self.store.clone();
        self.committed(record.meta.id, async move {
            store.put_logged(record.clone(), log).await?;
            Ok(ChangeEvent { change, id: record.meta.id, body: Some(Arc::from(record.body)), meta: Some(record.meta) })
        })
        .await
    }

    /// Stamps the next version of a record with its writer, time and reason.
    fn stamp(&self, meta: &mut Meta) {
        meta.version += 1;
        meta.updated_at = self.now();
        meta.updated_by = self.actor_id();
        meta.record.changed_by = self.actor_name();
        meta.record.change_note = self.reason.as_deref().map(str::to_owned);
    }

    /// Writes the next version of a loaded record (logged as `action`) and reports the
    /// change; a published record publishes the media it shows. `was_public`: whether the
    /// item was public before — then new words or a new metryczka need a reason (the
    /// change register shows it); workflow steps, restores, new addresses and site
    /// settings may give one.
    async fn commit(
        &self,
        mut record: Record,
        change: Change,
        action: AuditAction,
        was_public: bool,
    ) -> Result<Record, CmsError> {
        let exposed = self.kinds.get(&record.meta.kind).is_some_and(|k| k.spec().is_some() && !k.is_singleton());
        // New words or a new metryczka; a workflow step (a restore included: the register
        // says which version came back) or a new address speaks for itself.
        let needs_reason = matches!(action, AuditAction::Updated | AuditAction::RecordChanged);
        if was_public && exposed && needs_reason && self.reason.is_none() {
            return Err(validation(
                "reason",
                "reason_required",
                "the item is public: say briefly why it changes (the change register shows it)",
            ));
        }
        self.stamp(&mut record.meta);
        let public = was_public || record.meta.is_public_at(self.now());
        let log = self.log_of(&record, action, public);
        self.put(record.clone(), change, log).await?;
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

    /// [`Cms::create_with`] for content checked by its [`Kind`] (the
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
                created_by: self.actor_id(),
                updated_by: self.actor_id(),
                translation_of,
                record: ItemRecord {
                    produced_by: self.actor_name(),
                    produced_on: Some(crate::pl::warsaw_date(now)),
                    entered_by: self.actor_name(),
                    changed_by: self.actor_name(),
                    change_note: self.reason.as_deref().map(str::to_owned),
                    ..ItemRecord::default()
                },
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
            let action = if singleton { AuditAction::SettingsChanged } else { AuditAction::Created };
            let log = self.log_of(&record, action, false);
            match self.put(record.clone(), Change::Created, log).await {
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
        let kind = self.kinds.get(&record.meta.kind);
        if let Some(kind) = kind {
            kind.check_change(&record.body, content.json())?;
        }
        let was_public = record.meta.is_public_at(self.now());
        let action =
            if kind.is_some_and(Kind::is_singleton) { AuditAction::SettingsChanged } else { AuditAction::Updated };
        let content = self.refresh_translation(&mut record.meta, content).await?;
        record.meta.tags = normalise_tags(content.tags())?;
        self.check_media_refs(content.media()).await?;
        if let Some(slug) = slug {
            workflow::change_slug(&mut record.meta, slug)?;
        }
        record.body = content.into_json();
        self.commit(record, Change::Updated, action, was_public).await
    }
}
