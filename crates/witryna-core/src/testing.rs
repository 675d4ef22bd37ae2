//! The store conformance suite: every [`Store`](crate::Store) behaviour written once, run on every
//! backend.
//!
//! A backend's test file needs a [`Harness`] and one macro call:
//!
//! ```ignore
//! witryna_core::store_conformance_tests!(MyHarness::new());
//! ```
//!
//! Each check drives the store through the [`Cms`] (the rules users meet) and through the
//! raw [`Store`](crate::Store) trait (the contract backends promise), and panics with a message on the
//! first broken promise.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::audit::{Actor, AuditAction, AuditQuery, Delivery, DeliveryState, WriteLog};
use crate::cms::{
    Cms, CmsError, CreateOptions, ManualClock, Query, RecordFields, SlugLookup, Step, TranslationState, View,
};
use crate::content::{EventDetails, NewsArticle, Page};
use crate::events::{Change, ChangeEvent, DerivedError, DerivedIndex};
use crate::kinds::Kinds;
use crate::record::{Id, Status};
use crate::store::blob::{BlobHash, BLOB_CHUNK};
use crate::store::{DynStore, ListQuery, MemoryStore, StoreError};

/// How the suite gets a store of one backend.
#[async_trait]
pub trait Harness: Send + Sync {
    /// Opens the store under test. Called again after the previous store was dropped, it
    /// reopens the same storage (a durable backend must show the same data).
    async fn open(&self) -> DynStore;

    /// Whether data survives dropping and reopening the store.
    fn durable(&self) -> bool;
}

/// The harness of [`MemoryStore`]: every open is a new, empty store.
#[derive(Debug, Default)]
pub struct MemoryHarness;

#[async_trait]
impl Harness for MemoryHarness {
    async fn open(&self) -> DynStore {
        Arc::new(MemoryStore::new())
    }

    fn durable(&self) -> bool {
        false
    }
}

/// Generates one `#[tokio::test]` per conformance check for a harness expression; with
/// `optional:`, for a future giving `Option<harness>` (`None` skips, for servers that may
/// be absent).
#[macro_export]
macro_rules! store_conformance_tests {
    ($harness:expr) => {
        $crate::store_conformance_tests!(@each $harness;
            crud, kinds_are_separate, slug_uniqueness, slug_redirects, version_conflicts,
            failed_writes_leave_nothing, revisions_and_restore, workflow_visibility,
            scheduled_publishing, list_filters_and_order, pagination_under_inserts,
            concurrent_writers_lose_no_update, events_follow_commits, reopen_after_drop,
            history_import_and_all_items, reads_while_deleting, slug_races_name_the_owner,
            racing_deletes_are_not_found, dropped_writes_still_notify, blobs_round_trip,
            uncommitted_blobs_leave_nothing, blob_collection_spares_fresh_blobs, same_blob_races_keep_one,
            translation_groups, translation_races_keep_one, translations_share_fields,
            audit_log_records_every_write, audit_log_is_append_only, outbox_keeps_deliveries);
    };
    (optional: $harness:expr) => {
        $crate::store_conformance_tests!(@optional $harness;
            crud, kinds_are_separate, slug_uniqueness, slug_redirects, version_conflicts,
            failed_writes_leave_nothing, revisions_and_restore, workflow_visibility,
            scheduled_publishing, list_filters_and_order, pagination_under_inserts,
            concurrent_writers_lose_no_update, events_follow_commits, reopen_after_drop,
            history_import_and_all_items, reads_while_deleting, slug_races_name_the_owner,
            racing_deletes_are_not_found, dropped_writes_still_notify, blobs_round_trip,
            uncommitted_blobs_leave_nothing, blob_collection_spares_fresh_blobs, same_blob_races_keep_one,
            translation_groups, translation_races_keep_one, translations_share_fields,
            audit_log_records_every_write, audit_log_is_append_only, outbox_keeps_deliveries);
    };
    (@optional $harness:expr; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                // `None`: the backend is not reachable here and the harness said so.
                let Some(harness) = $harness.await else { return };
                $crate::testing::$check(&harness).await;
            }
        )*
    };
    (@each $harness:expr; $($check:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let harness = $harness;
                $crate::testing::$check(&harness).await;
            }
        )*
    };
}

/// A record exactly as a schema-1 store (before accounts) holds it, written out by hand
/// from postcard's format — id 01…10, kind `news`, locale `pl`, slug `a`, previous slug
/// `b`, published, publish/created at 1486111268123456 µs, updated 1 µs later, version 3,
/// tag `kis`, body `{"x":1}` — so upgrade tests do not depend on the code they check.
pub const SCHEMA_1_RECORD: &str = "100102030405060708090a0b0c0d0e0f10046e65777302706c0161010162010180cddde387e7a3058\
                                   0cddde387e7a30582cddde387e7a3050301036b6973077b2278223a317d";

/// Bytes of a hex text (test fixtures).
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")).collect()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
}

async fn cms_at(h: &dyn Harness) -> (Cms, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    (Cms::with_clock(h.open().await, clock.clone()), clock)
}

/// An account acting from an address.
pub fn person(name: &str, address: &str) -> Actor {
    Actor { id: Some(Id::new()), name: name.into(), address: Some(address.into()) }
}

/// A static page.
pub fn page(title: &str, body: &str) -> Page {
    Page { attachments: Vec::new(), title: title.into(), summary: String::new(), body: body.into() }
}

/// A news item by MOPS Kalisz with tags.
pub fn news(title: &str, tags: &[&str]) -> NewsArticle {
    NewsArticle {
        attachments: Vec::new(),
        gallery: Vec::new(),
        title: title.into(),
        lead: String::new(),
        body: format!("Treść: {title}"),
        author: "MOPS Kalisz".into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        cover: None,
        event: None,
    }
}

async fn published_news(cms: &Cms, title: &str, tags: &[&str], at: DateTime<Utc>) -> Id {
    let item = cms.create(news(title, tags)).await.expect("create news");
    cms.publish(item.meta.id, item.meta.version, Some(at)).await.expect("publish");
    item.meta.id
}

fn titles(items: &[crate::Item<NewsArticle>]) -> Vec<String> {
    items.iter().map(|i| i.content.title.clone()).collect()
}

/// Create, read by id and slug, update, delete; deleting twice is `NotFound`.
pub async fn crud(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let item = cms.create(page("Klauzula informacyjna", "RODO")).await.unwrap();
    assert_eq!(item.meta.slug, "klauzula-informacyjna");
    assert_eq!((item.meta.version, item.meta.status), (1, Status::Draft));

    let got = cms.get::<Page>(item.meta.id).await.unwrap();
    assert_eq!(got, item, "get by id returns what was created");
    match cms.find::<Page>("klauzula-informacyjna", View::Editor).await.unwrap() {
        SlugLookup::Found(found) => assert_eq!(found, item),
        other => panic!("expected Found, got {other:?}"),
    }

    let updated = cms.update(item.meta.id, 1, page("Klauzula informacyjna", "RODO, art. 13")).await.unwrap();
    assert_eq!(updated.meta.version, 2);
    assert_eq!(cms.get::<Page>(item.meta.id).await.unwrap().content.body, "RODO, art. 13");

    cms.delete(item.meta.id, 2).await.unwrap();
    assert!(matches!(cms.get::<Page>(item.meta.id).await, Err(CmsError::NotFound { .. })));
    assert!(matches!(
        cms.find::<Page>("klauzula-informacyjna", View::Editor).await,
        Err(CmsError::SlugNotFound { .. })
    ));
    assert!(cms.store().revisions(item.meta.id).await.unwrap().is_empty(), "revisions go with the item");
    assert!(matches!(cms.store().delete(item.meta.id, 2).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(cms.delete(item.meta.id, 2).await, Err(CmsError::NotFound { .. })));
}

/// An id or slug of one kind is not found as another kind.
pub async fn kinds_are_separate(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let p = cms.create(page("Aktywni w KIS", "x")).await.unwrap();
    let n = cms.create(news("Aktywni w KIS", &[])).await.unwrap();
    assert_eq!((p.meta.slug.as_str(), n.meta.slug.as_str()), ("aktywni-w-kis", "aktywni-w-kis"), "slugs are per kind");
    assert!(matches!(cms.get::<NewsArticle>(p.meta.id).await, Err(CmsError::NotFound { .. })));
    assert!(matches!(cms.update(p.meta.id, 1, news("x", &[])).await, Err(CmsError::NotFound { .. })));
}

/// Slugs come from Polish titles, get `-2`, `-3` when taken, and are unique per locale.
pub async fn slug_uniqueness(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let mut slugs = Vec::new();
    for _ in 0..3 {
        slugs.push(cms.create(news("„Równi na starcie”", &[])).await.unwrap().meta.slug);
    }
    assert_eq!(slugs, ["rowni-na-starcie", "rowni-na-starcie-2", "rowni-na-starcie-3"]);

    let explicit = cms
        .create_with(
            news("Inny tytuł", &[]),
            CreateOptions { slug: Some("Równi na starcie".into()), locale: None, translation_of: None },
        )
        .await
        .unwrap();
    assert_eq!(explicit.meta.slug, "rowni-na-starcie-4", "an explicit slug is normalised and made unique");

    let en = cms
        .create_with(
            news("Równi na starcie", &[]),
            CreateOptions { slug: None, locale: Some("en".into()), translation_of: None },
        )
        .await
        .unwrap();
    assert_eq!(en.meta.slug, "rowni-na-starcie", "slugs are unique per locale");

    let err = cms.create(news("!!!", &[])).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("slug")), "{err:?}");
    let err = cms
        .create_with(news("x", &[]), CreateOptions { slug: None, locale: Some("PL_pl".into()), translation_of: None })
        .await
        .unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("locale")), "{err:?}");

    let other = cms.create(news("Aktywni w KIS", &[])).await.unwrap();
    let err = cms.set_slug(other.meta.id, 1, "rowni-na-starcie").await.unwrap_err();
    assert!(matches!(err, CmsError::SlugTaken { .. }), "{err:?}");
}

/// A changed slug keeps the old one resolving (as `Moved`), and nobody else can take it.
pub async fn slug_redirects(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let id = published_news(&cms, "Spotkanie w KIS", &[], t0() - Duration::hours(1)).await;
    let meta = cms.set_slug(id, 2, "Spotkanie informacyjne w KIS").await.unwrap();
    assert_eq!((meta.slug.as_str(), meta.version), ("spotkanie-informacyjne-w-kis", 3));
    assert_eq!(meta.previous_slugs, ["spotkanie-w-kis"]);

    match cms.find::<NewsArticle>("spotkanie-w-kis", View::Public).await.unwrap() {
        SlugLookup::Moved { current, item } => {
            assert_eq!(current, "spotkanie-informacyjne-w-kis");
            assert_eq!(item.meta.id, id);
        }
        other => panic!("old slug must redirect, got {other:?}"),
    }
    assert!(matches!(
        cms.find::<NewsArticle>("spotkanie-informacyjne-w-kis", View::Public).await.unwrap(),
        SlugLookup::Found(_)
    ));

    let newcomer = cms.create(news("Spotkanie w KIS", &[])).await.unwrap();
    assert_eq!(newcomer.meta.slug, "spotkanie-w-kis-2", "an old slug stays reserved for its item");

    let back = cms.set_slug(id, 3, "spotkanie-w-kis").await.unwrap();
    assert_eq!(back.slug, "spotkanie-w-kis");
    assert_eq!(back.previous_slugs, ["spotkanie-informacyjne-w-kis"]);
    assert!(matches!(cms.find::<NewsArticle>("spotkanie-w-kis", View::Public).await.unwrap(), SlugLookup::Found(_)));
    assert!(matches!(
        cms.find::<NewsArticle>("spotkanie-informacyjne-w-kis", View::Public).await.unwrap(),
        SlugLookup::Moved { .. }
    ));
}

/// Stale versions are `Conflict`s, on the Cms and on the raw store, and write nothing.
pub async fn version_conflicts(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let item = cms.create(page("Polityka cookies", "v1")).await.unwrap();
    let id = item.meta.id;
    cms.update(id, 1, page("Polityka cookies", "v2")).await.unwrap();

    let err = cms.update(id, 1, page("Polityka cookies", "stale")).await.unwrap_err();
    assert!(matches!(err, CmsError::Conflict { expected: 1, actual: 2, .. }), "{err:?}");
    assert!(matches!(cms.publish(id, 1, None).await, Err(CmsError::Conflict { .. })));
    assert!(matches!(cms.delete(id, 7).await, Err(CmsError::Conflict { .. })));

    // The raw store enforces the same, even when the Cms's early check is bypassed.
    let mut record = cms.store().get(id).await.unwrap().unwrap();
    record.meta.version = 2; // claims to follow version 1, but the store is at 2
    record.body = serde_json::to_string(&page("Polityka cookies", "stale")).unwrap();
    let err = cms.store().put(record.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { expected: 1, actual: 2, .. }), "{err:?}");
    record.meta.id = Id::new();
    let err = cms.store().put(record).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { expected: 1, actual: 0, .. }),
        "a new item starts at version 1: {err:?}"
    );
    assert!(matches!(cms.store().delete(id, 1).await, Err(StoreError::Conflict { expected: 1, actual: 2, .. })));

    let now = cms.get::<Page>(id).await.unwrap();
    assert_eq!((now.meta.version, now.content.body.as_str()), (2, "v2"));
    assert_eq!(cms.store().revisions(id).await.unwrap().len(), 2);
}

/// A refused write (slug taken, invalid content, kind change) leaves no trace.
pub async fn failed_writes_leave_nothing(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let a = cms.create(news("Aktualność A", &["kis"])).await.unwrap();
    let b = cms.create(news("Aktualność B", &["kis"])).await.unwrap();

    let mut stolen = cms.store().get(b.meta.id).await.unwrap().unwrap();
    stolen.meta.version += 1;
    stolen.meta.slug = a.meta.slug.clone();
    stolen.meta.tags = vec!["nowy".into()];
    let err = cms.store().put(stolen).await.unwrap_err();
    assert!(matches!(&err, StoreError::SlugTaken { owner, .. } if *owner == a.meta.id), "{err:?}");
    let b_now = cms.store().get(b.meta.id).await.unwrap().unwrap();
    assert_eq!((b_now.meta.version, b_now.meta.slug.as_str()), (1, "aktualnosc-b"));
    assert!(cms.store().revision(b.meta.id, 2).await.unwrap().is_none());
    let tagged = |tag: &str| ListQuery { tag: Some(tag.into()), ..ListQuery::new("news", "pl") };
    assert!(
        cms.store().list(&tagged("nowy")).await.unwrap().records.is_empty(),
        "no index entry of the refused version"
    );
    assert_eq!(cms.store().list(&tagged("kis")).await.unwrap().records.len(), 2);

    let mut bad = news("", &[]);
    bad.author = String::new();
    let err = cms.update(a.meta.id, 1, bad).await.unwrap_err();
    match err {
        CmsError::Invalid(e) => assert!(e.has("title") && e.has("author") && !e.has("body"), "{e:?}"),
        other => panic!("expected validation error, got {other:?}"),
    }
    let mut as_page = cms.store().get(a.meta.id).await.unwrap().unwrap();
    as_page.meta.version += 1;
    as_page.meta.kind = "page".into();
    assert!(matches!(cms.store().put(as_page).await, Err(StoreError::InvalidWrite(_))));
    assert_eq!(cms.store().get(a.meta.id).await.unwrap().unwrap().meta.version, 1);
}

/// Every change keeps a revision; restore brings old content back as a new version.
pub async fn revisions_and_restore(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let (anna, bartek) = (person("Anna", "192.0.2.1"), person("Bartek", "192.0.2.2"));
    let id = cms.acting_as(anna.clone()).create(page("Godziny pracy", "7:30-15:30")).await.unwrap().meta.id;
    cms.acting_as(bartek.clone()).update(id, 1, page("Godziny pracy", "7:30-16:30")).await.unwrap();
    cms.publish(id, 2, None).await.unwrap();
    let err = cms.update(id, 3, page("Godziny pracy", "zamknięte")).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("reason")), "a public change needs a reason: {err:?}");
    cms.because("remont").unwrap().update(id, 3, page("Godziny pracy", "zamknięte")).await.unwrap();

    let revs = cms.revisions(id).await.unwrap();
    assert_eq!(revs.iter().map(|m| m.version).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(revs.iter().map(|m| m.updated_by).collect::<Vec<_>>(), [anna.id, bartek.id, None, None]);
    assert!(revs.iter().all(|m| m.created_by == anna.id), "the creator stays on every version");
    let notes: Vec<_> = revs.iter().map(|m| m.record.change_note.as_deref()).collect();
    assert_eq!(notes, [None, None, None, Some("remont")], "each version keeps its own reason");
    assert_eq!(revs[2].status, Status::Published);
    assert_eq!(cms.revision::<Page>(id, 2).await.unwrap().content.body, "7:30-16:30");
    assert!(matches!(cms.revision::<Page>(id, 9).await, Err(CmsError::RevisionNotFound { version: 9, .. })));

    let meta = cms.because("powrót do godzin").unwrap().restore(id, 2, 4).await.unwrap();
    assert_eq!((meta.version, meta.status), (5, Status::Published), "restore is a new version; status stays");
    assert_eq!(cms.get::<Page>(id).await.unwrap().content.body, "7:30-16:30");
    assert_eq!(cms.revisions(id).await.unwrap().len(), 5);
    assert!(matches!(cms.restore(id, 1, 4).await, Err(CmsError::Conflict { .. })));
    assert!(matches!(cms.revisions(Id::new()).await, Err(CmsError::NotFound { .. })));
}

/// The public sees published items only; editors see everything.
pub async fn workflow_visibility(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let item = cms.create(news("Nabór do projektu", &[])).await.unwrap();
    let id = item.meta.id;
    let public = |cms: &Cms| {
        let cms = cms.clone();
        async move {
            let listed = cms.list::<NewsArticle>(Query::default()).await.unwrap().items.len();
            let found = cms.find::<NewsArticle>("nabor-do-projektu", View::Public).await.is_ok();
            (listed, found)
        }
    };
    assert_eq!(public(&cms).await, (0, false), "draft is hidden");
    let editor = cms.list::<NewsArticle>(Query { view: View::Editor, ..Query::default() }).await.unwrap();
    assert_eq!(editor.items.len(), 1, "editors see drafts");

    let v = cms.publish(id, 1, None).await.unwrap().version;
    assert_eq!(public(&cms).await, (1, true), "published is public");
    let v = cms.archive(id, v).await.unwrap().version;
    assert_eq!(public(&cms).await, (0, false), "archived is hidden");
    assert!(matches!(cms.archive(id, v).await, Err(CmsError::InvalidTransition { action: "archive", .. })));
    let meta = cms.unpublish(id, v).await.unwrap();
    assert_eq!((meta.status, meta.publish_at), (Status::Draft, None));
    assert_eq!(public(&cms).await, (0, false));
    assert!(matches!(
        cms.unpublish(id, meta.version).await,
        Err(CmsError::InvalidTransition { action: "unpublish", .. })
    ));
    let archived = cms
        .list::<NewsArticle>(Query { view: View::Editor, status: Some(Status::Draft), ..Query::default() })
        .await
        .unwrap();
    assert_eq!(archived.items.len(), 1);
    let none = cms.list::<NewsArticle>(Query { status: Some(Status::Draft), ..Query::default() }).await.unwrap();
    assert!(none.items.is_empty(), "the public view never lists drafts");
}

/// An item published for a future time appears when that time comes.
pub async fn scheduled_publishing(h: &dyn Harness) {
    let (cms, clock) = cms_at(h).await;
    published_news(&cms, "Wcześniejsza", &[], t0() - Duration::days(1)).await;
    let id = cms.create(news("Zaplanowana", &[])).await.unwrap().meta.id;
    let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
    let err = cms.publish(id, 1, Some(far)).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("publish_at")), "RFC 3339 has four-digit years: {err:?}");
    let meta = cms.publish(id, 1, Some(t0() + Duration::hours(2))).await.unwrap();
    assert_eq!(meta.status, Status::Published);

    let visible = |cms: &Cms| {
        let cms = cms.clone();
        async move { titles(&cms.list::<NewsArticle>(Query::default()).await.unwrap().items) }
    };
    assert_eq!(visible(&cms).await, ["Wcześniejsza"]);
    assert!(cms.find::<NewsArticle>("zaplanowana", View::Public).await.is_err());
    assert!(cms.find::<NewsArticle>("zaplanowana", View::Editor).await.is_ok());

    clock.advance(Duration::hours(2));
    assert_eq!(visible(&cms).await, ["Zaplanowana", "Wcześniejsza"], "visible at its time, newest first");
    assert!(cms.find::<NewsArticle>("zaplanowana", View::Public).await.is_ok());
}

/// Lists are newest first and filter by tag, status and an inclusive date range.
pub async fn list_filters_and_order(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let day = |d: i64| t0() - Duration::days(d);
    published_news(&cms, "Styczeń", &["KIS", "kis"], day(30)).await;
    published_news(&cms, "Luty", &["projekty"], day(20)).await;
    published_news(&cms, "Marzec", &["kis"], day(10)).await;
    let draft = cms.create(news("Szkic", &["kis"])).await.unwrap();

    let list = |q: Query| {
        let cms = cms.clone();
        async move { titles(&cms.list::<NewsArticle>(q).await.unwrap().items) }
    };
    assert_eq!(list(Query::default()).await, ["Marzec", "Luty", "Styczeń"]);
    assert_eq!(list(Query { tag: Some(" KIS ".into()), ..Query::default() }).await, ["Marzec", "Styczeń"]);
    assert_eq!(
        list(Query { view: View::Editor, tag: Some("kis".into()), ..Query::default() }).await,
        ["Szkic", "Marzec", "Styczeń"],
        "a draft sorts by its creation time"
    );
    assert_eq!(
        list(Query { from: Some(day(20)), until: Some(day(10)), ..Query::default() }).await,
        ["Marzec", "Luty"],
        "range is inclusive"
    );
    assert_eq!(list(Query { from: Some(day(19)), ..Query::default() }).await, ["Marzec"]);
    assert_eq!(list(Query { view: View::Editor, status: Some(Status::Draft), ..Query::default() }).await, ["Szkic"]);
    assert_eq!(draft.meta.tags, ["kis"]);

    let err = cms.list::<NewsArticle>(Query { limit: Some(0), ..Query::default() }).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("limit")), "{err:?}");
    assert!(matches!(
        cms.list::<NewsArticle>(Query { limit: Some(101), ..Query::default() }).await,
        Err(CmsError::Invalid(_))
    ));
    let err = cms.list::<NewsArticle>(Query { cursor: Some("nonsense".into()), ..Query::default() }).await.unwrap_err();
    assert!(matches!(err, CmsError::InvalidCursor(_)), "{err:?}");
}

/// Walking pages while items are added returns every original item exactly once.
pub async fn pagination_under_inserts(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let base = t0() - Duration::days(100);
    let mut originals = HashSet::new();
    for i in 0..25 {
        // Five share a publish time: ties are broken by id.
        let at = base + Duration::hours(i / 5 * 24);
        originals.insert(published_news(&cms, &format!("Aktualność {i}"), &[], at).await);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = cms
            .list::<NewsArticle>(Query { limit: Some(7), cursor: cursor.clone(), ..Query::default() })
            .await
            .unwrap();
        assert!(page.items.len() <= 7);
        seen.extend(page.items.iter().map(|i| (i.meta.id, i.meta.sort_time())));
        pages += 1;
        // Between pages: newer items, older items, and one at the same time as the cursor.
        published_news(&cms, &format!("Nowa {pages}"), &[], t0() - Duration::minutes(pages)).await;
        published_news(&cms, &format!("Stara {pages}"), &[], base - Duration::days(pages)).await;
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages < 50, "pagination does not end");
    }
    let ids: Vec<Id> = seen.iter().map(|(id, _)| *id).collect();
    let unique: HashSet<Id> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "no item twice");
    assert!(originals.is_subset(&unique), "every original item once");
    assert!(seen.windows(2).all(|w| (w[0].1, w[0].0) > (w[1].1, w[1].0)), "strictly newest first across pages");
}

/// Eight writers updating one item with retry on conflict: no update is lost.
pub async fn concurrent_writers_lose_no_update(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let id = cms.create(page("Licznik", "start")).await.unwrap().meta.id;
    let (writers, rounds) = (8, 10);
    let mut tasks = Vec::new();
    for w in 0..writers {
        let cms = cms.clone();
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0;
            for r in 0..rounds {
                loop {
                    let cur = cms.get::<Page>(id).await.unwrap();
                    let body = format!("{}\n{w}-{r}", cur.content.body);
                    match cms.update(id, cur.meta.version, page("Licznik", &body)).await {
                        Ok(_) => break,
                        Err(CmsError::Conflict { .. }) => conflicts += 1,
                        Err(e) => panic!("unexpected error: {e}"),
                    }
                }
            }
            conflicts
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let item = cms.get::<Page>(id).await.unwrap();
    assert_eq!(item.meta.version, 1 + writers * rounds);
    let lines: HashSet<&str> = item.content.body.lines().skip(1).collect();
    assert_eq!(lines.len() as u64, writers * rounds, "every writer's every update is in the final body");
    let versions: Vec<u64> = cms.revisions(id).await.unwrap().iter().map(|m| m.version).collect();
    assert_eq!(versions, (1..=1 + writers * rounds).collect::<Vec<_>>(), "history complete and ordered");
}

/// Subscribers see each committed change, in order, and nothing for refused ones.
pub async fn events_follow_commits(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let mut rx = cms.subscribe();
    let item = cms.create(news("Wydarzenie", &[])).await.unwrap();
    let id = item.meta.id;
    cms.publish(id, 1, None).await.unwrap();
    assert!(cms.update(id, 1, news("Stale", &[])).await.is_err());
    cms.because("tagi").unwrap().update(id, 2, news("Wydarzenie", &["nowe"])).await.unwrap();
    cms.set_slug(id, 3, "wydarzenie-2026").await.unwrap();
    cms.archive(id, 4).await.unwrap();
    cms.unpublish(id, 5).await.unwrap();
    cms.restore(id, 1, 6).await.unwrap();
    cms.delete(id, 7).await.unwrap();
    let mut got = Vec::new();
    while let Ok(e) = rx.try_recv() {
        assert_eq!(e.id, id);
        got.push((e.change, e.meta.expect("local changes carry the metadata").version));
    }
    assert_eq!(
        got,
        [
            (Change::Created, 1),
            (Change::Published, 2),
            (Change::Updated, 3),
            (Change::SlugChanged, 4),
            (Change::Archived, 5),
            (Change::Unpublished, 6),
            (Change::Restored, 7),
            (Change::Deleted, 7)
        ]
    );
}

/// Data survives dropping and reopening a durable store; a memory store starts empty.
pub async fn reopen_after_drop(h: &dyn Harness) {
    let (id, renamed) = {
        let (cms, _) = cms_at(h).await;
        let id = published_news(&cms, "Trwała aktualność", &["kis"], t0() - Duration::hours(1)).await;
        let meta = cms.set_slug(id, 2, "trwala").await.unwrap();
        (id, meta)
    };
    let (cms, _) = cms_at(h).await;
    let got = cms.store().get(id).await.unwrap();
    if !h.durable() {
        assert!(got.is_none(), "a non-durable store starts empty");
        return;
    }
    assert_eq!(got.map(|r| r.meta), Some(renamed.clone()), "record survives reopen");
    assert!(matches!(
        cms.find::<NewsArticle>("trwala-aktualnosc", View::Public).await.unwrap(),
        SlugLookup::Moved { .. }
    ));
    let listed = cms.list::<NewsArticle>(Query { tag: Some("kis".into()), ..Query::default() }).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(cms.revisions(id).await.unwrap().len(), 3);
    // And it accepts the next version.
    cms.because("poprawka").unwrap().update(id, 3, news("Trwała aktualność", &[])).await.unwrap();
}

/// `put_history` brings an item back with its whole history, all or nothing; `all` pages
/// through every item in id order.
pub async fn history_import_and_all_items(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let a = published_news(&cms, "Aktualność do przeniesienia", &["kis"], t0() - Duration::days(2)).await;
    cms.because("tagi").unwrap().update(a, 2, news("Aktualność do przeniesienia", &["kis", "nowe"])).await.unwrap();
    let b = cms.create(page("Strona B", "b")).await.unwrap().meta.id;
    let c = cms.create(news("Aktualność C", &[])).await.unwrap().meta.id;
    let store = cms.store();

    let mut expected = vec![a, b, c];
    expected.sort();
    let first = store.all(None, 2).await.unwrap();
    let rest = store.all(Some(first[1].meta.id), 10).await.unwrap();
    let ids: Vec<Id> = first.iter().chain(&rest).map(|r| r.meta.id).collect();
    assert_eq!(ids, expected, "every item once, in id order");
    assert!(store.all(Some(expected[2]), 10).await.unwrap().is_empty());

    let history = store.revisions(a).await.unwrap();
    assert_eq!(history.len(), 3);
    let err = store.put_history(history.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { expected: 0, actual: 3, .. }), "{err:?}");

    cms.delete(a, 3).await.unwrap();
    let mut gap = history.clone();
    gap.remove(1);
    assert!(matches!(store.put_history(gap).await, Err(StoreError::InvalidWrite(_))));
    assert!(store.revision(a, 1).await.unwrap().is_none(), "a refused import writes nothing");

    // Another item took the slug meanwhile: refused, nothing written.
    let squatter = cms.create(news("Aktualność do przeniesienia", &[])).await.unwrap();
    assert!(matches!(store.put_history(history.clone()).await, Err(StoreError::SlugTaken { .. })));
    assert!(store.revision(a, 1).await.unwrap().is_none());
    cms.delete(squatter.meta.id, 1).await.unwrap();

    store.put_history(history.clone()).await.unwrap();
    assert_eq!(store.revisions(a).await.unwrap(), history, "history restored exactly");
    assert!(matches!(
        cms.find::<NewsArticle>("aktualnosc-do-przeniesienia", View::Public).await.unwrap(),
        SlugLookup::Found(_)
    ));
    let tagged = cms.list::<NewsArticle>(Query { tag: Some("nowe".into()), ..Query::default() }).await.unwrap();
    assert_eq!(tagged.items.len(), 1);
    cms.because("po imporcie").unwrap().update(a, 3, news("Po imporcie", &[])).await.unwrap();
}

#[cfg(test)]
mod memory {
    crate::store_conformance_tests!(super::MemoryHarness);
}

/// Read consistency: lists and slug lookups running while another task deletes (and
/// rewrites) items never fail with `Corrupt` and never return an item that does not match
/// the query — a deleted item is simply absent.
pub async fn reads_while_deleting(h: &dyn Harness) {
    let (cms, clock) = cms_at(h).await;
    let rounds = 40;
    let mut ids = Vec::new();
    for i in 0..rounds {
        ids.push(published_news(&cms, &format!("Komunikat {i}"), &["kis"], t0() - Duration::minutes(i)).await);
    }
    clock.advance(Duration::hours(1));
    let deleter = {
        let cms = cms.clone();
        tokio::spawn(async move {
            for id in ids {
                let item = cms.get::<NewsArticle>(id).await.unwrap();
                // A rewrite moves the item in the lists, then the delete removes it.
                let meta = cms.publish(id, item.meta.version, Some(t0() - Duration::days(1))).await.unwrap();
                cms.delete(id, meta.version).await.unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let mut reads = 0;
    while !deleter.is_finished() || reads == 0 {
        for tag in [None, Some("kis".to_owned())] {
            let q = Query { tag: tag.clone(), limit: Some(7), view: View::Public, ..Query::default() };
            let page = cms.list::<NewsArticle>(q).await.unwrap_or_else(|e| panic!("list while deleting: {e:?}"));
            for item in &page.items {
                assert!(item.meta.is_public_at(cms.now()), "a listed item matches the query");
            }
        }
        for i in 0..rounds {
            let slug = format!("komunikat-{i}");
            match cms.find::<NewsArticle>(&slug, View::Editor).await {
                Ok(_) | Err(CmsError::SlugNotFound { .. }) => {}
                Err(e) => panic!("slug lookup while deleting: {e:?}"),
            }
        }
        reads += 1;
    }
    deleter.await.unwrap();
    let left = cms.list::<NewsArticle>(Query { view: View::Editor, ..Query::default() }).await.unwrap();
    assert!(left.items.is_empty(), "every item deleted: {:?}", titles(&left.items));
}

/// Two writers racing for one slug: one wins, the other gets `SlugTaken` naming the
/// winner, and nothing of the loser is written.
pub async fn slug_races_name_the_owner(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    for round in 0..10 {
        let a = cms.create(page(&format!("Wyścig {round} a"), "x")).await.unwrap();
        let b = cms.create(page(&format!("Wyścig {round} b"), "x")).await.unwrap();
        let wanted = format!("wyscig-{round}");
        let mut writes = Vec::new();
        for item in [&a, &b] {
            let mut record = cms.store().get(item.meta.id).await.unwrap().unwrap();
            record.meta.previous_slugs.push(std::mem::replace(&mut record.meta.slug, wanted.clone()));
            record.meta.version += 1;
            writes.push(record);
        }
        let second = writes.pop().unwrap();
        let first = writes.pop().unwrap();
        let (ra, rb) = tokio::join!(cms.store().put(first), cms.store().put(second));
        let (winner, loser, err) = match (ra, rb) {
            (Ok(()), Err(e)) => (a.meta.id, b.meta.id, e),
            (Err(e), Ok(())) => (b.meta.id, a.meta.id, e),
            other => panic!("exactly one writer wins a slug: {other:?}"),
        };
        match err {
            StoreError::SlugTaken { owner, slug, .. } => {
                assert_eq!((owner, slug.as_str()), (winner, wanted.as_str()), "the error names the real owner");
            }
            other => panic!("expected SlugTaken, got {other:?}"),
        }
        assert_eq!(cms.store().get(loser).await.unwrap().unwrap().meta.version, 1, "the loser wrote nothing");
    }
}

/// Two deletes racing for one item: one succeeds, the other is `NotFound` or `Conflict`
/// (a client's 404 or 412), never a store failure.
pub async fn racing_deletes_are_not_found(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    for round in 0..10 {
        let item = cms.create(page(&format!("Do usunięcia {round}"), "x")).await.unwrap();
        let (a, b) = tokio::join!(cms.delete(item.meta.id, 1), cms.delete(item.meta.id, 1));
        let ok = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(ok, 1, "one delete wins: {a:?} {b:?}");
        for r in [a, b] {
            assert!(
                matches!(r, Ok(()) | Err(CmsError::NotFound { .. } | CmsError::Conflict { .. })),
                "the loser is told the item is gone: {r:?}"
            );
        }
        let record = cms.store().get(item.meta.id).await.unwrap();
        assert!(record.is_none());
        let stale = crate::Record { meta: item.meta.clone(), body: "{}".into() };
        assert!(matches!(cms.delete_record(stale, None).await, Err(CmsError::NotFound { .. })));
    }
}

/// Counts the changes it is told of, per item.
#[derive(Default)]
struct CountingIndex(std::sync::Mutex<Vec<ChangeEvent>>);

#[async_trait]
impl DerivedIndex for CountingIndex {
    async fn apply(&self, event: &ChangeEvent, _: &Kinds) -> Result<(), DerivedError> {
        // A real index awaits (its own I/O): a caller that gives up here must not lose it.
        tokio::task::yield_now().await;
        self.0.lock().unwrap().push(event.clone());
        Ok(())
    }

    async fn rebuild(
        &self,
        _: &dyn crate::Store,
        _: &Kinds,
        _: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64, DerivedError> {
        Ok(0)
    }
}

/// A write whose caller stops waiting (a client that hung up mid-request) still tells
/// the derived indexes of its change once it commits: every committed version has its
/// event, none is missed.
pub async fn dropped_writes_still_notify(h: &dyn Harness) {
    let index = Arc::new(CountingIndex::default());
    let (cms, _) = cms_at(h).await;
    let cms = cms.with_derived(index.clone());
    let item = cms.create(page("Porzucone zapisy", "0")).await.unwrap();
    let id = item.meta.id;
    for round in 0..30u32 {
        let current = cms.get::<Page>(id).await.unwrap().meta.version;
        let write = cms.update(id, current, page("Porzucone zapisy", &round.to_string()));
        // Give up on the write at a different point each round: before, during or after
        // the store commits.
        let mut write = Box::pin(write);
        for _ in 0..round % 5 {
            if futures_poll_once(write.as_mut()).await.is_some() {
                break;
            }
        }
        drop(write);
    }
    // Let the writes that were under way finish.
    let mut committed = 0;
    for _ in 0..200 {
        committed = cms.store().revisions(id).await.unwrap().len();
        let seen = index.0.lock().unwrap().len();
        if seen == committed {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let seen: Vec<u64> = index.0.lock().unwrap().iter().filter_map(|e| e.meta.as_ref().map(|m| m.version)).collect();
    assert_eq!(seen, (1..=committed as u64).collect::<Vec<_>>(), "one event per committed version, in order");
}

/// Polls a future once: `Some` when it finished.
async fn futures_poll_once<F: std::future::Future + Unpin>(mut f: F) -> Option<F::Output> {
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut f).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await
}

/// Bytes of a test blob: `len` bytes, different for each `seed`.
pub fn blob_bytes(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) as u8) ^ seed).collect()
}

async fn store_blob(store: &DynStore, bytes: &[u8], piece: usize) -> crate::store::BlobInfo {
    let mut w = store.blob_writer().await.expect("blob writer");
    for p in bytes.chunks(piece.max(1)) {
        w.write(p).await.expect("write blob");
    }
    w.commit().await.expect("commit blob")
}

/// Blobs are named by their SHA-256, read back whole and by range, listed in hash order,
/// stored once however often they are written, and kept across a reopen.
pub async fn blobs_round_trip(h: &dyn Harness) {
    let store = h.open().await;
    let big = blob_bytes(2 * BLOB_CHUNK + 12_345, 1);
    let info = store_blob(&store, &big, 100_003).await;
    assert_eq!((info.hash, info.size), (BlobHash::of(&big), big.len() as u64), "the backend names a blob by its hash");
    assert_eq!(store.blob(info.hash).await.unwrap().map(|b| b.size), Some(big.len() as u64));
    let whole = store.read_blob(info.hash, 0, usize::MAX).await.unwrap().expect("stored");
    assert!(whole == big, "a blob reads back byte for byte");
    for (offset, len) in [(0, 1), (BLOB_CHUNK - 3, 10), (BLOB_CHUNK * 2, 20_000), (big.len() - 5, 100)] {
        let part = store.read_blob(info.hash, offset as u64, len).await.unwrap().unwrap();
        let end = (offset + len).min(big.len());
        assert!(part == big[offset..end], "range {offset}+{len}");
    }
    assert_eq!(store.read_blob(info.hash, big.len() as u64 + 1, 10).await.unwrap(), Some(Vec::new()), "past the end");
    let empty = store_blob(&store, &[], 1).await;
    assert_eq!(empty.size, 0);
    assert_eq!(store.read_blob(empty.hash, 0, 10).await.unwrap(), Some(Vec::new()));
    let small = store_blob(&store, b"Wniosek o zasilek", 4).await;
    let again = store_blob(&store, b"Wniosek o zasilek", 100).await;
    assert_eq!(again.hash, small.hash);
    assert!(again.stored_at >= small.stored_at, "storing again renews stored_at");
    let missing = BlobHash::of(b"never stored");
    assert_eq!(store.blob(missing).await.unwrap(), None);
    assert_eq!(store.read_blob(missing, 0, 10).await.unwrap(), None);
    let listed: Vec<BlobHash> = store.blobs(None, 10).await.unwrap().into_iter().map(|b| b.hash).collect();
    let mut expected = vec![info.hash, empty.hash, small.hash];
    expected.sort();
    assert_eq!(listed, expected, "one entry per blob, in hash order");
    let rest: Vec<BlobHash> = store.blobs(Some(expected[0]), 1).await.unwrap().into_iter().map(|b| b.hash).collect();
    assert_eq!(rest, [expected[1]], "paged after a hash");
    if h.durable() {
        drop(store);
        let store = h.open().await;
        let whole = store.read_blob(info.hash, 0, usize::MAX).await.unwrap().expect("kept across reopen");
        assert!(whole == big);
    }
}

/// A writer dropped before its commit leaves no blob, now or after a reopen; a store with an
/// abandoned writer still takes the same bytes whole.
pub async fn uncommitted_blobs_leave_nothing(h: &dyn Harness) {
    let store = h.open().await;
    let bytes = blob_bytes(BLOB_CHUNK + 7, 2);
    let mut w = store.blob_writer().await.unwrap();
    w.write(&bytes[..BLOB_CHUNK + 1]).await.unwrap();
    drop(w);
    assert_eq!(store.blob(BlobHash::of(&bytes)).await.unwrap(), None);
    assert!(store.blobs(None, 10).await.unwrap().is_empty(), "nothing listed");
    if h.durable() {
        drop(store);
        let store = h.open().await;
        assert!(store.blobs(None, 10).await.unwrap().is_empty(), "nothing after a reopen either");
        let info = store_blob(&store, &bytes, BLOB_CHUNK).await;
        assert!(store.read_blob(info.hash, 0, usize::MAX).await.unwrap().unwrap() == bytes);
    } else {
        let info = store_blob(&store, &bytes, BLOB_CHUNK).await;
        assert!(store.read_blob(info.hash, 0, usize::MAX).await.unwrap().unwrap() == bytes);
    }
}

/// Collection deletes only blobs stored before its cut-off: one stored again meanwhile stays.
pub async fn blob_collection_spares_fresh_blobs(h: &dyn Harness) {
    let store = h.open().await;
    let old = store_blob(&store, &blob_bytes(1000, 3), 300).await;
    let kept = store_blob(&store, &blob_bytes(BLOB_CHUNK + 1, 4), 70_000).await;
    assert!(!store.delete_blob(old.hash, old.stored_at - Duration::seconds(60)).await.unwrap(), "too fresh");
    assert!(store.blob(old.hash).await.unwrap().is_some());
    let cut = Utc::now() + Duration::seconds(1);
    assert!(store.delete_blob(old.hash, cut).await.unwrap(), "stored before the cut-off");
    assert_eq!(store.blob(old.hash).await.unwrap(), None);
    assert_eq!(store.read_blob(old.hash, 0, 10).await.unwrap(), None);
    assert!(!store.delete_blob(old.hash, cut).await.unwrap(), "already gone");
    let listed: Vec<BlobHash> = store.blobs(None, 10).await.unwrap().into_iter().map(|b| b.hash).collect();
    assert_eq!(listed, [kept.hash]);
    let renewed = store_blob(&store, &blob_bytes(BLOB_CHUNK + 1, 4), 1 << 20).await;
    assert!(!store.delete_blob(kept.hash, renewed.stored_at - Duration::milliseconds(1)).await.unwrap());
    assert!(store.read_blob(kept.hash, 0, usize::MAX).await.unwrap().is_some());
    if h.durable() {
        drop(store);
        let store = h.open().await;
        assert_eq!(store.blob(old.hash).await.unwrap(), None, "a deletion is durable");
        assert!(store.blob(kept.hash).await.unwrap().is_some());
    }
}

/// Writers committing the same bytes at once end with one readable blob.
pub async fn same_blob_races_keep_one(h: &dyn Harness) {
    let store = h.open().await;
    let bytes = blob_bytes(BLOB_CHUNK * 2 + 1, 5);
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (store, bytes) = (store.clone(), bytes.clone());
            tokio::spawn(async move { store_blob(&store, &bytes, 50_000 + i * 1000).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().hash, BlobHash::of(&bytes));
    }
    assert_eq!(store.blobs(None, 10).await.unwrap().len(), 1);
    assert!(store.read_blob(BlobHash::of(&bytes), 0, usize::MAX).await.unwrap().unwrap() == bytes);
}

fn translate(locale: &str, source: Id) -> CreateOptions {
    CreateOptions { slug: None, locale: Some(locale.into()), translation_of: Some(source) }
}

/// Translation groups: one translation per source and locale; linking, unlinking and
/// deleting a member write that member alone; an imported history keeps its place.
pub async fn translation_groups(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let store = cms.store();
    let source = cms.create(news("Równi na starcie", &[])).await.unwrap();
    let sid = source.meta.id;
    let uk = cms.create_with(news("Рівні на старті", &[]), translate("uk", sid)).await.unwrap();
    let en = cms.create_with(news("Equal at the start", &[]), translate("en", sid)).await.unwrap();
    assert_eq!(uk.meta.translation_of.map(|t| (t.id, t.version)), Some((sid, 1)));
    assert_eq!((uk.meta.locale.as_str(), uk.meta.slug.as_str()), ("uk", "rivni-na-starti"));
    let locales = |records: Vec<crate::Record>| records.into_iter().map(|r| r.meta.locale).collect::<Vec<_>>();
    assert_eq!(locales(cms.store().translations(sid).await.unwrap()), ["en", "uk"], "locale order");
    let group: Vec<Id> = cms.translations_of(&uk.meta).await.unwrap().iter().map(|m| m.id).collect();
    assert_eq!(group, [sid, en.meta.id], "the source, then the siblings, without itself");

    let before = cms.store().all(None, 100).await.unwrap();
    let err = cms.create_with(news("Інший", &[]), translate("uk", sid)).await.unwrap_err();
    assert!(matches!(err, CmsError::TranslationTaken { owner, .. } if owner == uk.meta.id), "{err:?}");
    assert_eq!(cms.store().all(None, 100).await.unwrap(), before, "a refused translation writes nothing");
    for (options, field) in [
        (translate("pl", sid), "locale"),
        (translate("uk", uk.meta.id), "translation_of"),
        (translate("en", Id::new()), "translation_of"),
    ] {
        let err = cms.create_with(news("x", &[]), options).await.unwrap_err();
        assert!(matches!(&err, CmsError::Invalid(e) if e.has(field)), "{field}: {err:?}");
    }
    let page_source = cms.create(page("Kontakt", "Tekst")).await.unwrap();
    let err = cms.create_with(news("x", &[]), translate("en", page_source.meta.id)).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("translation_of")), "another kind: {err:?}");

    let unlinked = cms.link_translation(uk.meta.id, uk.meta.version, None).await.unwrap();
    assert_eq!(unlinked.translation_of, None);
    assert_eq!(locales(store.translations(sid).await.unwrap()), ["en"], "unlinking frees the place");
    assert_eq!(store.get(sid).await.unwrap(), before.iter().find(|r| r.meta.id == sid).cloned(), "source untouched");
    assert_eq!(store.get(en.meta.id).await.unwrap().unwrap().meta.version, 1, "sibling untouched");
    let relinked = cms.link_translation(uk.meta.id, unlinked.version, Some(sid)).await.unwrap();
    assert_eq!(relinked.translation_of.map(|t| t.id), Some(sid));
    assert_eq!(locales(store.translations(sid).await.unwrap()), ["en", "uk"]);

    cms.delete(en.meta.id, 1).await.unwrap();
    assert_eq!(locales(store.translations(sid).await.unwrap()), ["uk"], "deleting frees only its own place");
    assert_eq!(store.get(sid).await.unwrap().unwrap().meta.version, 1, "source untouched by a deletion");

    // An imported history takes its place back; a second one into the same place is refused.
    let history = store.revisions(uk.meta.id).await.unwrap();
    cms.delete(uk.meta.id, relinked.version).await.unwrap();
    assert!(store.translations(sid).await.unwrap().is_empty());
    store.put_history(history.clone()).await.unwrap();
    assert_eq!(locales(store.translations(sid).await.unwrap()), ["uk"], "import restores the group");
    let mut twin = history.last().unwrap().clone();
    twin.meta.id = Id::new();
    twin.meta.version = 1;
    twin.meta.slug = "inny".into();
    twin.meta.previous_slugs.clear();
    let err = store.put_history(vec![twin]).await.unwrap_err();
    assert!(matches!(err, StoreError::TranslationTaken { owner, .. } if owner == uk.meta.id), "{err:?}");

    // Deleting the source leaves its translation as it is, still naming it.
    cms.delete(sid, 1).await.unwrap();
    let orphan = store.get(uk.meta.id).await.unwrap().expect("the translation stays");
    assert_eq!(orphan.meta.translation_of.map(|t| t.id), Some(sid));
    assert_eq!(cms.get::<NewsArticle>(uk.meta.id).await.unwrap().content.title, "Рівні на старті");
}

/// Two writers racing to translate one source into one locale: one wins, the other is told
/// who did, and the group holds one.
pub async fn translation_races_keep_one(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let source = cms.create(news("Dodatek osłonowy", &[])).await.unwrap().meta.id;
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let cms = cms.clone();
            tokio::spawn(async move {
                cms.create_with(news(&format!("Захисна доплата {i}"), &[]), translate("uk", source)).await
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(item) => won.push(item.meta.id),
            Err(CmsError::TranslationTaken { owner, .. }) => assert!(owner != source),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won.len(), 1, "one translation wins");
    let group = cms.store().translations(source).await.unwrap();
    assert_eq!(group.iter().map(|r| r.meta.id).collect::<Vec<_>>(), won);
    let all = cms.store().all(None, 100).await.unwrap();
    assert_eq!(all.len(), 2, "the losers left nothing: {:?}", all.iter().map(|r| &r.meta.slug).collect::<Vec<_>>());
}

/// Shared fields are the source's: a different value is refused with its path, an empty
/// one filled in, a later change of the source shown in every translation; the status
/// tells a translation the source changed after; a locale turned off keeps its items.
pub async fn translations_share_fields(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let event =
        |date, place: &str| Some(EventDetails { date, time: None, place: Some(place.into()), participants: Some(40) });
    let mut pl = news("Wigilia w KIS", &[]);
    pl.event = event(date, "Sala KIS");
    let source = cms.create(pl.clone()).await.unwrap();
    let sid = source.meta.id;

    let mut drift = news("Святвечір у КІС", &[]);
    drift.event = event(date.succ_opt().unwrap(), "Зала КІС");
    let err = cms.create_with(drift.clone(), translate("uk", sid)).await.unwrap_err();
    assert!(
        matches!(&err, CmsError::Invalid(e) if e.0[0].path == "event.date" && e.0[0].code == "shared_field"),
        "{err:?}"
    );

    drift.event = event(date, "Зала КІС");
    drift.event.as_mut().unwrap().participants = None;
    let uk = cms.create_with(drift, translate("uk", sid)).await.unwrap();
    let stored: NewsArticle = serde_json::from_str(&cms.store().get(uk.meta.id).await.unwrap().unwrap().body).unwrap();
    let ev = stored.event.unwrap();
    assert_eq!(
        (ev.date, ev.participants, ev.place.as_deref()),
        (date, Some(40), Some("Зала КІС")),
        "filled, words kept"
    );

    let status = |s: Vec<crate::cms::TranslationStatus>| s.into_iter().map(|t| (t.locale, t.state)).collect::<Vec<_>>();
    let src = cms.get_record("news", sid).await.unwrap();
    assert_eq!(
        status(cms.translation_status(&src).await.unwrap()),
        [("en", TranslationState::Missing), ("uk", TranslationState::Draft)]
    );
    let published = cms.publish(uk.meta.id, uk.meta.version, None).await.unwrap();
    let src_meta = cms.publish(sid, 1, None).await.unwrap();
    let src = cms.get_record("news", sid).await.unwrap();
    assert_eq!(
        status(cms.translation_status(&src).await.unwrap())[1].1,
        TranslationState::Published,
        "publishing changes no words"
    );

    let later = date.succ_opt().unwrap();
    pl.event = event(later, "Sala KIS");
    pl.body = "Zmieniony termin.".into();
    cms.because("nowy termin").unwrap().update(sid, src_meta.version, pl).await.unwrap();
    let shown = cms.get::<NewsArticle>(uk.meta.id).await.unwrap().content.event.unwrap();
    assert_eq!(
        (shown.date, shown.place.as_deref()),
        (later, Some("Зала КІС")),
        "the source's date, the translation's words"
    );
    let src = cms.get_record("news", sid).await.unwrap();
    assert_eq!(status(cms.translation_status(&src).await.unwrap())[1].1, TranslationState::Outdated);
    let mut fixed = cms.get::<NewsArticle>(uk.meta.id).await.unwrap().content;
    fixed.body = "Змінено дату.".into();
    cms.because("nowy termin").unwrap().update(uk.meta.id, published.version, fixed).await.unwrap();
    assert_eq!(
        status(cms.translation_status(&src).await.unwrap())[1].1,
        TranslationState::Published,
        "rewritten against the source"
    );

    // Turning Ukrainian off refuses new items in it and keeps the ones there are.
    let polish_english = cms.clone().with_locales(crate::Locales::parse("pl,en").unwrap());
    let err = polish_english.create_with(news("Нова", &[]), translate("uk", sid)).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("locale")), "{err:?}");
    match polish_english.find_in::<NewsArticle>("uk", &uk.meta.slug, View::Public).await.unwrap() {
        SlugLookup::Found(item) => assert_eq!(item.content.body, "Змінено дату."),
        other => panic!("{other:?}"),
    }
}

/// Every write through the Cms leaves exactly one audit entry, in the same step: who
/// (name and address), what, which item, when, why; a refused write leaves none. The
/// metryczka follows the workflow. Filters and paging read the log newest first.
pub async fn audit_log_records_every_write(h: &dyn Harness) {
    let (cms, clock) = cms_at(h).await;
    let (anna, bartek) = (person("Anna Nowak", "192.0.2.1"), person("Bartek Wiśniewski", "2001:db8::2"));
    let as_anna = cms.acting_as(anna.clone());
    let as_bartek = cms.acting_as(bartek.clone());
    let count =
        || async { cms.store().audit(&AuditQuery { limit: 1000, ..AuditQuery::default() }).await.unwrap().len() };

    let item = as_anna.create(news("Dzień otwarty", &[])).await.unwrap();
    let id = item.meta.id;
    assert_eq!(item.meta.record.entered_by.as_deref(), Some("Anna Nowak"));
    assert_eq!(item.meta.record.produced_by.as_deref(), Some("Anna Nowak"), "the producer defaults to the author");
    assert_eq!(item.meta.record.produced_on, Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()));
    assert_eq!(count().await, 1);
    clock.advance(Duration::minutes(1));
    as_anna.update(id, 1, news("Dzień otwarty w KIS", &[])).await.unwrap();
    clock.advance(Duration::minutes(1));
    let published = as_bartek.publish(id, 2, None).await.unwrap();
    assert_eq!(
        (published.record.published_by, published.record.published_by_name.as_deref()),
        (bartek.id, Some("Bartek Wiśniewski"))
    );
    assert_eq!(published.record.entered_by.as_deref(), Some("Anna Nowak"), "entered stays the creator's");
    assert_eq!(count().await, 3);

    // Refused writes leave nothing: no reason for a public change, a stale version.
    let err = as_anna.update(id, 3, news("Dzień otwarty — zmiana", &[])).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("reason")), "{err:?}");
    assert!(matches!(as_anna.publish(id, 1, None).await, Err(CmsError::Conflict { .. })));
    assert!(as_anna.because(&"x".repeat(501)).is_err(), "reasons are bounded");
    assert_eq!(count().await, 3, "refused writes are not logged");

    clock.advance(Duration::minutes(1));
    let changed = as_anna.because("  nowa godzina  ").unwrap();
    let after = changed.update(id, 3, news("Dzień otwarty — zmiana", &[])).await.unwrap();
    assert_eq!(after.meta.record.change_note.as_deref(), Some("nowa godzina"), "trimmed");
    assert_eq!(after.meta.record.changed_by.as_deref(), Some("Anna Nowak"));
    assert_eq!(after.meta.record.published_by_name.as_deref(), Some("Bartek Wiśniewski"), "published stays");
    let fields = RecordFields {
        produced_by: Some("Dział Pomocy Środowiskowej".into()),
        responsible: Some("Jan Kowalski, kierownik".into()),
        produced_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20),
    };
    let record = cms.get_record("news", id).await.unwrap();
    let err = as_bartek.apply_step(record.clone(), None, Step::Record(fields.clone())).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("reason")), "the metryczka of a public item too: {err:?}");
    let bad = RecordFields { responsible: Some("a\u{7}b".into()), ..fields.clone() };
    let err = as_bartek.because("x").unwrap().apply_step(record.clone(), None, Step::Record(bad)).await.unwrap_err();
    assert!(matches!(&err, CmsError::Invalid(e) if e.has("responsible")), "{err:?}");
    let record = as_bartek
        .because("uzupełnienie metryczki")
        .unwrap()
        .apply_step(record, None, Step::Record(fields))
        .await
        .unwrap();
    assert_eq!(record.meta.record.responsible.as_deref(), Some("Jan Kowalski, kierownik"));
    let record = as_bartek.apply_step(record, None, Step::Slug("dzien-otwarty-kis".into())).await.unwrap();
    let record = as_bartek.apply_step(record, None, Step::Unpublish).await.unwrap();
    let record = as_bartek.apply_step(record, None, Step::Archive).await.unwrap();
    let record = as_anna.because("poprzednia treść").unwrap().apply_step(record, None, Step::Restore(1)).await.unwrap();
    clock.advance(Duration::minutes(1));
    as_anna.because("duplikat").unwrap().delete_record(record, None).await.unwrap();

    let all = cms.store().audit(&AuditQuery { limit: 100, ..AuditQuery::default() }).await.unwrap();
    let actions: Vec<AuditAction> = all.iter().rev().map(|e| e.action).collect();
    use AuditAction::*;
    assert_eq!(
        actions,
        [Created, Updated, Published, Updated, RecordChanged, SlugChanged, Unpublished, Archived, Restored, Deleted],
        "exactly one entry per write, oldest last in the answer"
    );
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first, numbered in order");
    assert!(all.iter().all(|e| e.item.as_ref().is_some_and(|i| i.id == id)));
    let update = &all[all.len() - 4];
    assert_eq!((update.actor.name.as_str(), update.actor.address.as_deref()), ("Anna Nowak", Some("192.0.2.1")));
    assert_eq!((update.note.as_deref(), update.public), (Some("nowa godzina"), true));
    assert_eq!(update.item.as_ref().map(|i| (i.version, i.title.as_str())), Some((4, "Dzień otwarty — zmiana")));
    assert!(!all.last().unwrap().public, "a draft's creation is not a public change");
    let deleted = &all[0];
    assert_eq!(
        (deleted.note.as_deref(), deleted.item.as_ref().map(|i| i.slug.as_str())),
        (Some("duplikat"), Some("dzien-otwarty-kis"))
    );

    // Filters: person, action, item, time, public changes; paging with `before`.
    let store = cms.store();
    let q = |q: AuditQuery| async move { store.audit(&AuditQuery { limit: 100, ..q }).await.unwrap() };
    let by_bartek = q(AuditQuery { actor: bartek.id, ..AuditQuery::default() }).await;
    assert_eq!(
        by_bartek.iter().map(|e| e.action).rev().collect::<Vec<_>>(),
        [Published, RecordChanged, SlugChanged, Unpublished, Archived]
    );
    assert_eq!(q(AuditQuery { action: Some(Updated), ..AuditQuery::default() }).await.len(), 2);
    assert_eq!(q(AuditQuery { item: Some(id), ..AuditQuery::default() }).await.len(), 10);
    assert!(q(AuditQuery { item: Some(Id::new()), ..AuditQuery::default() }).await.is_empty());
    let t = all[0].at;
    assert_eq!(q(AuditQuery { from: Some(t), ..AuditQuery::default() }).await.len(), 1, "from is inclusive");
    assert_eq!(q(AuditQuery { until: Some(t - Duration::seconds(1)), ..AuditQuery::default() }).await.len(), 9);
    let public: Vec<AuditAction> =
        q(AuditQuery { public_only: true, ..AuditQuery::default() }).await.iter().map(|e| e.action).rev().collect();
    assert_eq!(public, [Published, Updated, RecordChanged, SlugChanged, Unpublished], "changes while or when public");
    let mut paged = Vec::new();
    let mut before = None;
    loop {
        let page = cms.store().audit(&AuditQuery { before, limit: 3, ..AuditQuery::default() }).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.seq);
        paged.extend(page);
    }
    assert_eq!(paged, all, "pages neither repeat nor skip");

    // A failed login writes no item: logged alone, with the address.
    let stranger = Actor { id: None, name: "nieznane konto".into(), address: Some("203.0.113.9".into()) };
    cms.acting_as(stranger).log_event(LoginFailed, None).await.unwrap();
    let failed = q(AuditQuery { action: Some(LoginFailed), ..AuditQuery::default() }).await;
    assert_eq!(
        (failed.len(), failed[0].actor.address.as_deref(), failed[0].item.is_none()),
        (1, Some("203.0.113.9"), true)
    );
    assert!(failed[0].seq > all[0].seq);

    if h.durable() {
        drop((as_anna, as_bartek, changed));
        let entries = cms.store().audit(&AuditQuery { limit: 100, ..AuditQuery::default() }).await.unwrap();
        drop(cms);
        let reopened = h.open().await;
        assert_eq!(
            reopened.audit(&AuditQuery { limit: 100, ..AuditQuery::default() }).await.unwrap(),
            entries,
            "durable"
        );
    }
}

/// The log has no way to change an entry; numbers are never used twice, also by
/// concurrent writers and after retention removed old entries.
pub async fn audit_log_is_append_only(h: &dyn Harness) {
    let (cms, clock) = cms_at(h).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let cms = cms.acting_as(person(&format!("Osoba {i}"), "192.0.2.1"));
            tokio::spawn(async move {
                for _ in 0..10 {
                    cms.log_event(AuditAction::Login, None).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let all = cms.store().audit(&AuditQuery { limit: 1000, ..AuditQuery::default() }).await.unwrap();
    let seqs: HashSet<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!((all.len(), seqs.len()), (80, 80), "80 entries, 80 numbers");
    assert!(seqs.iter().all(|s| *s >= 1));

    clock.advance(Duration::days(800));
    cms.log_event(AuditAction::Logout, None).await.unwrap();
    let removed = cms.store().prune_audit(cms.now() - Duration::days(730)).await.unwrap();
    assert_eq!(removed, 80, "entries older than the retention go");
    let left = cms.store().audit(&AuditQuery { limit: 1000, ..AuditQuery::default() }).await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].seq > *seqs.iter().max().unwrap(), "numbers go on after pruning");
    cms.log_event(AuditAction::Login, None).await.unwrap();
    let newest = cms.store().audit(&AuditQuery { limit: 1, ..AuditQuery::default() }).await.unwrap();
    assert_eq!(newest[0].seq, left[0].seq + 1);
}

fn delivery(endpoint: Id, event: &str, due: DateTime<Utc>) -> Delivery {
    Delivery {
        id: Id::new(),
        endpoint,
        event: event.into(),
        payload: format!(r#"{{"type":"{event}"}}"#),
        created_at: due,
        state: DeliveryState::Pending,
        attempts: 0,
        next_at: Some(due),
        last_status: None,
        last_error: None,
        last_attempt_at: None,
    }
}

/// Webhook deliveries are stored with the write that causes them (not with a refused
/// one), come due in order, move in the queue with each attempt, list per endpoint newest
/// first, and only finished ones are pruned.
pub async fn outbox_keeps_deliveries(h: &dyn Harness) {
    let (cms, _) = cms_at(h).await;
    let store = cms.store();
    let (hook, other) = (Id::new(), Id::new());
    let item = cms.create(page("Kontakt", "Tekst")).await.unwrap();
    let mut record = store.get(item.meta.id).await.unwrap().unwrap();
    record.meta.version = 2;
    let first = delivery(hook, "item.updated", t0());
    store.put_logged(record.clone(), WriteLog { entry: None, deliveries: vec![first.clone()] }).await.unwrap();
    let stale = delivery(hook, "item.updated", t0());
    let err = store.put_logged(record, WriteLog { entry: None, deliveries: vec![stale.clone()] }).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }));
    let second = delivery(hook, "item.deleted", t0() + Duration::seconds(1));
    let third = delivery(other, "item.deleted", t0() - Duration::seconds(1));
    store
        .delete_logged(item.meta.id, 2, WriteLog { entry: None, deliveries: vec![second.clone(), third.clone()] })
        .await
        .unwrap();

    let due = store.due_deliveries(t0() + Duration::seconds(1), 10).await.unwrap();
    assert_eq!(due, [third.clone(), first.clone(), second.clone()], "the longest due first; none of the refused write");
    assert_eq!(store.due_deliveries(t0(), 10).await.unwrap(), [third.clone(), first.clone()], "only what has come");
    assert_eq!(
        store.due_deliveries(t0() + Duration::seconds(1), 1).await.unwrap(),
        std::slice::from_ref(&third),
        "bounded"
    );

    // An attempt failed: retried later, so it leaves the front of the queue.
    let retried = Delivery {
        attempts: 1,
        next_at: Some(t0() + Duration::minutes(1)),
        last_status: Some(503),
        last_error: Some("503 Service Unavailable".into()),
        last_attempt_at: Some(t0()),
        ..first.clone()
    };
    store.update_delivery(retried.clone()).await.unwrap();
    let done = Delivery {
        attempts: 1,
        state: DeliveryState::Delivered,
        next_at: None,
        last_status: Some(204),
        ..third.clone()
    };
    store.update_delivery(done.clone()).await.unwrap();
    assert_eq!(store.due_deliveries(t0() + Duration::seconds(1), 10).await.unwrap(), std::slice::from_ref(&second));
    assert_eq!(store.due_deliveries(t0() + Duration::minutes(1), 10).await.unwrap(), [second.clone(), retried.clone()]);
    assert!(matches!(store.update_delivery(stale).await, Err(StoreError::NotFound { .. })), "never invented");
    let moved = Delivery { endpoint: other, ..second.clone() };
    assert!(matches!(store.update_delivery(moved).await, Err(StoreError::InvalidWrite(_))));

    assert_eq!(store.deliveries(hook, None, 10).await.unwrap(), [second.clone(), retried.clone()], "newest first");
    assert_eq!(store.deliveries(hook, Some(second.id), 10).await.unwrap(), std::slice::from_ref(&retried), "paged");
    assert_eq!(store.deliveries(other, None, 10).await.unwrap(), std::slice::from_ref(&done));

    assert_eq!(store.prune_deliveries(t0() + Duration::days(1)).await.unwrap(), 1, "only the finished one");
    assert!(store.deliveries(other, None, 10).await.unwrap().is_empty());
    assert_eq!(store.deliveries(hook, None, 10).await.unwrap().len(), 2, "pending ones stay");
}
