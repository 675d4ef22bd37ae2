//! The demo content: real pages of MOPS sites (Kalisz, Zawiercie, Głowno), kept as a data
//! file (`demo/content.json` in this crate) and loaded through the public [`Cms`] API, so
//! every item passes the same validation as an editor's.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::cms::{Cms, CmsError, CreateOptions, Query, View};
use crate::content::{AccessibilitySettings, Content, NewsArticle, Page, Programme, Unit};

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
struct DemoFile {
    #[allow(dead_code)]
    notes: Vec<String>,
    settings: AccessibilitySettings,
    pages: Vec<Entry<Page>>,
    units: Vec<Entry<Unit>>,
    programmes: Vec<Entry<Programme>>,
    news: Vec<Entry<NewsArticle>>,
}

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
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
        let item = cms.create_with(e.content, CreateOptions { slug: e.slug, locale: None }).await.map_err(wrap)?;
        cms.publish(item.meta.id, item.meta.version, Some(e.publish_at)).await.map_err(wrap)?;
    }
    Ok(count)
}

/// Loads the demo content into an empty store; leaves a store with settings alone.
pub async fn seed(cms: &Cms) -> Result<SeedReport, DemoError> {
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
    let file: DemoFile = serde_json::from_str(DEMO_JSON)?;
    cms.save_singleton(file.settings, None)
        .await
        .map_err(|source| DemoError::Item { item: "settings".into(), source })?;
    let mut items = 1;
    items += load(cms, "pages", file.pages).await?;
    items += load(cms, "units", file.units).await?;
    items += load(cms, "programmes", file.programmes).await?;
    items += load(cms, "news", file.news).await?;
    Ok(SeedReport { seeded: true, items })
}
