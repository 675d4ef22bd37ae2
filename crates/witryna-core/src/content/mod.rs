//! The typed content of a public-service site and the [`Content`] trait they share.

mod accessibility;
mod news;
mod page;
mod programme;
mod unit;

pub use accessibility::{
    AccessibilityDeclaration, AccessibilitySettings, ConformanceStatus, ContactPerson, FontSizeStep, KeyboardShortcut,
    NonAccessibleContent,
};
pub use news::{EventDetails, Image, NewsArticle};
pub use page::Page;
pub use programme::{Budget, Funding, Indicator, Partner, Period, Person, Programme, ProgrammeStatus};
pub use unit::{Address, Unit};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::validate::ValidationErrors;

/// A type of content the [`Cms`](crate::Cms) can store, publish and list.
///
/// Implement it for an own type (a job offer, say) and it works like the built-in ones:
/// no backend changes, since stores only see [`Record`](crate::Record)s.
pub trait Content: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Kind name, stable and URL-safe (`news`, `programme`): part of every stored key.
    const KIND: &'static str;

    /// One item per site (e.g. accessibility settings): its slug is always [`Content::KIND`].
    const SINGLETON: bool = false;

    /// The title shown in lists and page headings.
    fn title(&self) -> &str;

    /// The text the slug is made from (the title unless overridden).
    fn slug_source(&self) -> &str {
        self.title()
    }

    /// Checks every field; reports each failing one with its path.
    fn validate(&self) -> Result<(), ValidationErrors>;

    /// Plain text for full-text search, most important parts first.
    fn search_text(&self) -> String;

    /// Tags for filtering lists (normalised to lower case by the Cms).
    fn tags(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Joins the non-empty parts of a search text with blank lines.
pub(crate) fn join_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// Limits shared by the content types, in characters.
pub(crate) mod limits {
    pub(crate) const TITLE: usize = 300;
    pub(crate) const SHORT: usize = 200;
    pub(crate) const LEAD: usize = 2_000;
    pub(crate) const BODY: usize = 200_000;
    pub(crate) const ITEM: usize = 1_000;
}
