//! The demo content: real pages of MOPS sites (Kalisz, Zawiercie, Głowno), kept as a data
//! file (`demo/content.json` in this crate) and loaded through the public [`Cms`] API, so
//! every item passes the same validation as an editor's.
//!
//! The demo's files (a funding-marks strip, a meeting picture, an application form) are
//! listed in the data file and named by content as `"media": "file:<key>"`; the bytes and
//! the upload path live in `witryna-media`, which hands them in as [`DemoFiles`]. Without
//! them ([`seed`]) those references are left out.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::cms::{Cms, CmsError, CreateOptions, Query, View};
use crate::content::{AccessibilitySettings, Content, NewsArticle, Page, Programme, Unit};
use crate::record::Id;

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
}

/// The whole data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoData {
    #[allow(dead_code)]
    notes: Vec<String>,
    settings: AccessibilitySettings,
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
}

/// Adds the demo's files to the media library (implemented by `witryna-media`, which
/// holds their bytes and checks them as uploads).
#[async_trait]
pub trait DemoFiles: Send + Sync {
    /// Stores one file and answers its media item's id.
    async fn add(&self, cms: &Cms, file: &DemoFile) -> Result<Id, String>;
}

/// Puts the media ids in place of `"file:<key>"` references; a reference to a file not
/// given takes out the object that holds it (a cover, an attachment), so the rest of the
/// content still loads.
fn resolve_files(value: &mut Value, ids: &HashMap<String, Id>) -> bool {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("media") {
                if let Some(key) = r.strip_prefix("file:") {
                    match ids.get(key) {
                        Some(id) => {
                            map.insert("media".into(), Value::String(id.to_string()));
                        }
                        None => return false,
                    }
                }
            }
            map.retain(|_, v| resolve_files(v, ids));
            true
        }
        Value::Array(items) => {
            items.retain_mut(|v| resolve_files(v, ids));
            true
        }
        _ => true,
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
    /// An item was refused by the Cms (validation names the item and field).
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
    /// Items created.
    pub items: usize,
}

async fn load<C: Content>(cms: &Cms, section: &str, entries: Vec<Entry<C>>) -> Result<usize, DemoError> {
    let count = entries.len();
    for (i, e) in entries.into_iter().enumerate() {
        let wrap = |source| DemoError::Item { item: format!("{section}[{i}]"), source };
        let item = cms
            .create_with(e.content, CreateOptions { slug: e.slug, locale: None, translation_of: None })
            .await
            .map_err(wrap)?;
        cms.publish(item.meta.id, item.meta.version, Some(e.publish_at)).await.map_err(wrap)?;
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
    let mut items = 1 + ids.len();
    items += load(cms, "pages", file.pages).await?;
    items += load(cms, "units", file.units).await?;
    items += load(cms, "programmes", file.programmes).await?;
    items += load(cms, "news", file.news).await?;
    Ok(SeedReport { seeded: true, items })
}
