//! The demo content: real pages of MOPS sites (Kalisz, Zawiercie, Głowno), kept as a data
//! file (`demo/content.json` in this crate) and loaded through the public [`Cms`] API, so
//! every item passes the same validation as an editor's.
//!
//! The demo's files (a funding-marks strip, a meeting picture, an application form, a
//! placeholder sign-language video) are listed in the data file and named by content as
//! `"media": "file:<key>"` (a video field: `"sign_language_video": "file:<key>"`); the bytes and
//! the upload path live in `witryna-media`, which hands them in as [`DemoFiles`]. Without
//! them ([`seed`]) those references are left out.
//!
//! # The data file
//!
//! `notes` (for its reader), `files`, `settings`, `activity` (the centre's
//! [`ActivityInformation`]: `source` and `content`), then one list per kind — `pages`,
//! `units`, `programmes`, `news` — of entries:
//!
//! ```json
//! {
//!   "source": "the page it comes from, for the reader",
//!   "slug": "optional, else from the title",
//!   "publish_at": "2017-02-03T08:41:08Z",
//!   "content": { "title": "…" },
//!   "translations": [
//!     { "locale": "en", "slug": "optional", "publish_at": "optional", "content": { "title": "…" } }
//!   ]
//! }
//! ```
//!
//! Every entry is a Polish source. Its `translations` (optional; `en`, `uk`) are created
//! after it, each its own item linked to it (`CreateOptions::translation_of`), and
//! published like it: at their own `publish_at` if given, else at the source's. A
//! translation writes the linguistic fields in full; the shared, non-linguistic ones
//! ([`Content::SHARED`]: dates, money, office hours, media ids) may be left out — they are
//! taken from the source entry — or repeated, but a different value is refused, as the
//! [`Cms`] refuses it. A translation into a locale the site has turned off is skipped.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::cms::{Cms, CmsError, CreateOptions, Query, View};
use crate::content::{AccessibilitySettings, ActivityInformation, Content, NewsArticle, Page, Programme, Unit};
use crate::record::Id;
use crate::validate::ValidationErrors;

/// The demo data file.
pub const DEMO_JSON: &str = include_str!("../demo/content.json");

/// One item of the data file: content plus where and when it is published.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry<C> {
    /// The source page, for the reader of the file.
    #[allow(dead_code)]
    source: String,
    #[serde(default)]
    slug: Option<String>,
    publish_at: DateTime<Utc>,
    content: C,
    /// Its translations, created after it.
    #[serde(default)]
    translations: Vec<Translation>,
}

/// A translation of an [`Entry`]: its own item in another locale, linked to the entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Translation {
    /// `en` or `uk`.
    locale: String,
    #[serde(default)]
    slug: Option<String>,
    /// When it is published; the source's publish time when absent.
    #[serde(default)]
    publish_at: Option<DateTime<Utc>>,
    /// The content, its shared fields ([`Content::SHARED`]) optional: they are the source's.
    content: Value,
}

/// A singleton of the data file: saved and published at once.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Singleton<C> {
    /// The source page, for the reader of the file.
    #[allow(dead_code)]
    source: String,
    content: C,
}

/// The whole data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoData {
    #[allow(dead_code)]
    notes: Vec<String>,
    settings: AccessibilitySettings,
    activity: Singleton<ActivityInformation>,
    pages: Vec<Entry<Page>>,
    units: Vec<Entry<Unit>>,
    programmes: Vec<Entry<Programme>>,
    news: Vec<Entry<NewsArticle>>,
}

/// A file of the demo, as the data file describes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoFile {
    /// What content calls it (`"media": "file:<key>"`).
    pub key: String,
    /// Its file name in `witryna-media`'s `demo/` folder.
    pub file_name: String,
    /// Title in the media library.
    pub title: String,
    /// Default alternative text (images).
    pub alt: String,
    /// What a video says or signs ([`Media::transcript`](crate::content::Media::transcript)).
    #[serde(default)]
    pub transcript: String,
}

/// Adds the demo's files to the media library (implemented by `witryna-media`, which
/// holds their bytes and checks them as uploads).
#[async_trait]
pub trait DemoFiles: Send + Sync {
    /// Stores one file and answers its media item's id.
    async fn add(&self, cms: &Cms, file: &DemoFile) -> Result<Id, String>;
}

/// Puts the media ids in place of `"file:<key>"` references — a `"media"` key's value or
/// a `…_video` field's —; a reference to a file not given takes out what holds it (the
/// object of a `"media"` reference, such as a cover or an attachment; the `…_video` field
/// itself), so the rest of the content still loads. Answers whether `value` stays.
fn resolve_files(value: &mut Value, ids: &HashMap<String, Id>) -> bool {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("media") {
                if !resolve_ref(r, ids) {
                    return false;
                }
            }
            map.retain(|key, v| match v {
                Value::String(r) if key.ends_with("_video") => resolve_ref(r, ids),
                v => resolve_files(v, ids),
            });
            true
        }
        Value::Array(items) => {
            items.retain_mut(|v| resolve_files(v, ids));
            true
        }
        _ => true,
    }
}

/// Resolves one reference in place; false when it names a file not given.
fn resolve_ref(reference: &mut String, ids: &HashMap<String, Id>) -> bool {
    match reference.strip_prefix("file:") {
        Some(key) => match ids.get(key) {
            Some(id) => {
                *reference = id.to_string();
                true
            }
            None => false,
        },
        None => true,
    }
}

/// The demo data file as [`seed`] loads it: the file references left out (and the list of
/// files with them), so every item reads as its kind without a media library.
pub fn data_without_files() -> Value {
    let mut data: Value = serde_json::from_str(DEMO_JSON).expect("the demo data file is JSON");
    if let Some(d) = data.as_object_mut() {
        d.remove("files");
    }
    resolve_files(&mut data, &HashMap::new());
    data
}

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A file of the demo could not be stored.
    #[error("demo file {file}: {reason}")]
    File {
        /// Its name.
        file: String,
        /// What went wrong.
        reason: String,
    },
    /// The data file does not parse (with serde's line and column).
    #[error("demo data file is invalid: {0}")]
    Parse(#[from] serde_json::Error),
    /// An item was refused by the Cms (validation names the item and field), or a
    /// translation sets a shared field to another value than its source.
    #[error("demo item {item}: {source}")]
    Item {
        /// Which item (`news[1]`, `units[0]`...).
        item: String,
        /// What the Cms said.
        #[source]
        source: CmsError,
    },
}

/// What [`seed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SeedReport {
    /// False when the store already had content and was left alone.
    pub seeded: bool,
    /// Items created: settings, the activity information, files, Polish items and their
    /// translations.
    pub items: usize,
}

async fn load<C: Content>(cms: &Cms, section: &str, entries: Vec<Entry<C>>) -> Result<usize, DemoError> {
    let mut count = 0;
    for (i, e) in entries.into_iter().enumerate() {
        let wrap = |source| DemoError::Item { item: format!("{section}[{i}]"), source };
        let item = cms
            .create_with(e.content, CreateOptions { slug: e.slug, locale: None, translation_of: None })
            .await
            .map_err(wrap)?;
        cms.publish(item.meta.id, item.meta.version, Some(e.publish_at)).await.map_err(wrap)?;
        count += 1;
        for (j, t) in e.translations.into_iter().enumerate() {
            // A language the site has turned off is left out; an unknown code is an error.
            if !cms.locales().is_on(&t.locale) && crate::locales::OFFERED.iter().any(|l| l.code == t.locale) {
                continue;
            }
            let wrap = |source| DemoError::Item { item: format!("{section}[{i}].translations[{j}]"), source };
            // Shared fields come from the source before the translation is read as its kind.
            let json = cms.fill_shared(C::KIND, item.meta.id, &t.content.to_string()).await.map_err(wrap)?;
            let content: C = serde_json::from_str(&json).map_err(|e| {
                wrap(CmsError::Invalid(ValidationErrors::single("content", "invalid_content", e.to_string())))
            })?;
            let options = CreateOptions { slug: t.slug, locale: Some(t.locale), translation_of: Some(item.meta.id) };
            let translation = cms.create_with(content, options).await.map_err(wrap)?;
            let at = t.publish_at.unwrap_or(e.publish_at);
            cms.publish(translation.meta.id, translation.meta.version, Some(at)).await.map_err(wrap)?;
            count += 1;
        }
    }
    Ok(count)
}

/// Loads the demo content, without its files, into an empty store; leaves a store with
/// settings alone.
pub async fn seed(cms: &Cms) -> Result<SeedReport, DemoError> {
    seed_with(cms, None).await
}

/// [`seed`] with the demo's files in the media library.
pub async fn seed_with_files(cms: &Cms, files: &dyn DemoFiles) -> Result<SeedReport, DemoError> {
    seed_with(cms, Some(files)).await
}

async fn seed_with(cms: &Cms, files: Option<&dyn DemoFiles>) -> Result<SeedReport, DemoError> {
    let already = cms
        .singleton::<AccessibilitySettings>()
        .await
        .map_err(|source| DemoError::Item { item: "settings".into(), source })?;
    let has_news = !cms
        .list::<NewsArticle>(Query { view: View::Editor, limit: Some(1), ..Query::default() })
        .await
        .map_err(|source| DemoError::Item { item: "news".into(), source })?
        .items
        .is_empty();
    if already.is_some() || has_news {
        return Ok(SeedReport::default());
    }
    let mut data: Value = serde_json::from_str(DEMO_JSON)?;
    let listed = data.as_object_mut().and_then(|d| d.remove("files")).unwrap_or_default();
    let listed: Vec<DemoFile> = serde_json::from_value(listed)?;
    let mut ids = HashMap::new();
    if let Some(files) = files {
        for f in &listed {
            let wrap = |reason| DemoError::File { file: f.file_name.clone(), reason };
            ids.insert(f.key.clone(), files.add(cms, f).await.map_err(wrap)?);
        }
    }
    resolve_files(&mut data, &ids);
    let file: DemoData = serde_json::from_value(data)?;
    cms.save_singleton(file.settings, None)
        .await
        .map_err(|source| DemoError::Item { item: "settings".into(), source })?;
    cms.save_singleton(file.activity.content, None)
        .await
        .map_err(|source| DemoError::Item { item: "activity".into(), source })?;
    let mut items = 2 + ids.len();
    items += load(cms, "pages", file.pages).await?;
    items += load(cms, "units", file.units).await?;
    items += load(cms, "programmes", file.programmes).await?;
    items += load(cms, "news", file.news).await?;
    Ok(SeedReport { seeded: true, items })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::content::{Media, StoredFile};
    use crate::record::{Record, Status};
    use crate::store::{BlobHash, MemoryStore, Store};
    use crate::Locales;

    /// Media items standing for the demo's files (no bytes: the core checks references,
    /// `witryna-media` the files).
    struct Placeholders;

    #[async_trait]
    impl DemoFiles for Placeholders {
        async fn add(&self, cms: &Cms, file: &DemoFile) -> Result<Id, String> {
            let content_type = match file.file_name.rsplit_once('.').map(|(_, ext)| ext) {
                Some("pdf") => "application/pdf",
                Some("webm") => "video/webm",
                _ => "image/png",
            };
            let stored = StoredFile {
                hash: BlobHash::of(file.file_name.as_bytes()),
                name: file.file_name.clone(),
                content_type: content_type.into(),
                size: 1,
                width: None,
                height: None,
            };
            let media = Media {
                title: file.title.clone(),
                alt: file.alt.clone(),
                file: stored,
                transcript: file.transcript.clone(),
                variants: Vec::new(),
            };
            let item = cms.create_with(media, CreateOptions::default()).await.map_err(|e| e.to_string())?;
            Ok(item.meta.id)
        }
    }

    async fn record(store: &MemoryStore, kind: &str, locale: &str, slug: &str) -> Record {
        store.find_slug(kind, locale, slug).await.unwrap().unwrap_or_else(|| panic!("{kind} {locale}/{slug}"))
    }

    fn body(r: &Record) -> Value {
        serde_json::from_str(&r.body).unwrap()
    }

    #[tokio::test]
    async fn the_demo_has_english_and_ukrainian_translations_linked_to_their_sources() {
        let store = Arc::new(MemoryStore::new());
        let cms = Cms::new(store.clone());
        let report = seed_with_files(&cms, &Placeholders).await.unwrap();
        assert_eq!(
            report,
            SeedReport { seeded: true, items: 2 + 4 + 14 + 6 },
            "singletons, files, items, translations"
        );

        let groups = [
            ("news", "spotkanie-informacyjne-w-klubie-integracji-spolecznej", NewsArticle::SHARED),
            ("programme", "rowni-na-starcie", Programme::SHARED),
            ("unit", "mops-glowno", Unit::SHARED),
        ];
        for (kind, slug, shared_paths) in groups {
            let source = record(&store, kind, "pl", slug).await;
            assert_eq!(source.meta.status, Status::Published);
            let from = body(&source);
            let translations = store.translations(source.meta.id).await.unwrap();
            let mut locales: Vec<&str> = translations.iter().map(|t| t.meta.locale.as_str()).collect();
            locales.sort_unstable();
            assert_eq!(locales, ["en", "uk"], "{kind} {slug}");
            for t in &translations {
                let what = format!("{kind} {slug} in {}", t.meta.locale);
                let link = t.meta.translation_of.unwrap_or_else(|| panic!("{what}: not linked"));
                assert_eq!(link.id, source.meta.id, "{what}");
                assert_eq!(link.version, source.meta.version, "{what}: written against the published source");
                assert_eq!(t.meta.status, Status::Published, "{what}");
                assert_eq!(t.meta.publish_at, source.meta.publish_at, "{what}: published like its source");
                assert_ne!(t.meta.slug, source.meta.slug, "{what}: its own slug");
                let own = body(t);
                // Putting the source's shared values onto the stored translation changes nothing.
                let mut with_source = own.clone();
                crate::content::shared::overlay(&from, &mut with_source, shared_paths);
                assert_eq!(own, with_source, "{what}: the source's shared fields, as stored");
                assert_ne!(own, from, "{what}: translated");
                let states = cms.translation_status(&source).await.unwrap();
                assert!(
                    states.iter().all(|s| s.state == crate::cms::TranslationState::Published),
                    "{what}: {states:?}"
                );
            }
        }

        // What the translations take from their source and what they write themselves.
        let news_pl =
            body(&record(&store, "news", "pl", "spotkanie-informacyjne-w-klubie-integracji-spolecznej").await);
        let news_uk =
            body(&record(&store, "news", "uk", "informatsiina-zustrich-u-klubi-sotsialnoi-intehratsii").await);
        let news_en = body(&record(&store, "news", "en", "information-meeting-at-the-social-integration-club").await);
        for news in [&news_en, &news_uk] {
            assert_eq!(news["event"]["date"], "2017-02-02");
            assert_eq!(news["event"]["participants"], 42);
            assert_eq!(news["cover"]["media"], news_pl["cover"]["media"]);
            assert_eq!(news["attachments"][0]["media"], news_pl["attachments"][0]["media"]);
            assert_ne!(
                news["cover"]["alt"], news_pl["cover"]["alt"],
                "the picture is described in the translation's language"
            );
            assert!(!news["attachments"][0]["title"].as_str().unwrap().is_empty());
        }
        assert!(news_uk["title"].as_str().unwrap().contains("Клубі соціальної інтеграції"));
        assert!(news_en["cover"]["alt"].as_str().unwrap().contains("round table"));
        let unit_en = body(&record(&store, "unit", "en", "municipal-social-welfare-centre-in-glowno").await);
        assert_eq!(unit_en["office_hours"]["weekly"]["mon"][0], "07:30-16:30");
        let programme_uk = body(&record(&store, "programme", "uk", "rivni-na-starti").await);
        assert_eq!(programme_uk["budget"]["total"], 151_583_074);
        assert_eq!(programme_uk["period"]["start"], "2016-10-01");
        assert!(programme_uk["funding"]["marks"]["alt"].as_str().unwrap().starts_with("Європейські фонди"));

        // Public lists stay per language: the Polish ones are as before.
        let polish = cms.list::<NewsArticle>(Query { view: View::Public, ..Query::default() }).await.unwrap();
        assert_eq!(polish.items.len(), 2);
        let english = cms
            .list::<Unit>(Query { view: View::Public, locale: Some("en".into()), ..Query::default() })
            .await
            .unwrap();
        assert_eq!(english.items.len(), 1);
    }

    #[tokio::test]
    async fn without_files_or_locales_the_translations_still_load_or_are_skipped() {
        let cms = Cms::new(Arc::new(MemoryStore::new()));
        assert_eq!(seed(&cms).await.unwrap(), SeedReport { seeded: true, items: 2 + 14 + 6 });
        let polish_only = Cms::new(Arc::new(MemoryStore::new())).with_locales(Locales::default_only());
        assert_eq!(seed(&polish_only).await.unwrap(), SeedReport { seeded: true, items: 2 + 14 });
        let english = Cms::new(Arc::new(MemoryStore::new())).with_locales(Locales::parse("pl,en").unwrap());
        assert_eq!(seed(&english).await.unwrap(), SeedReport { seeded: true, items: 2 + 14 + 3 });
    }

    #[tokio::test]
    async fn a_translation_may_not_change_a_shared_field() {
        let cms = Cms::new(Arc::new(MemoryStore::new()));
        let source = serde_json::json!({"name": "MOPS", "office_hours": {"weekly": {"mon": ["07:30-15:30"]}}});
        let unit: Unit = serde_json::from_value(source.clone()).unwrap();
        let id = cms.create(unit).await.unwrap().meta.id;
        let other = r#"{"name": "Centre", "office_hours": {"weekly": {"mon": ["08:00-16:00"]}}}"#;
        let err = cms.fill_shared(Unit::KIND, id, other).await.unwrap_err();
        assert!(err.to_string().contains("office_hours"), "{err}");
        let filled: Unit =
            serde_json::from_str(&cms.fill_shared(Unit::KIND, id, r#"{"name": "Centre"}"#).await.unwrap()).unwrap();
        assert_eq!(
            filled.office_hours.weekly,
            serde_json::from_value(source["office_hours"]["weekly"].clone()).unwrap()
        );
    }
}
