//! The typed content of a public-service site and the [`Content`] trait they share.

mod accessibility;
mod activity;
pub(crate) mod media;
mod news;
mod page;
mod programme;
pub mod shared;
mod unit;

pub use accessibility::{
    AccessibilityDeclaration, AccessibilitySettings, ConformanceStatus, ContactPerson, FontSizeStep, KeyboardShortcut,
    NonAccessibleContent,
};
pub use activity::ActivityInformation;
pub use media::{
    markdown_images, media_url, Attachment, Image, Media, MediaRef, MediaRefs, Shows, StoredFile, MEDIA_SCHEME,
};
pub use news::{EventDetails, NewsArticle};
pub use page::Page;
pub use programme::{Budget, Funding, Indicator, Partner, Period, Person, Programme, ProgrammeStatus};
pub use unit::{Address, Unit};

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::validate::ValidationErrors;

/// A type of content the [`Cms`](crate::Cms) can store, publish and list.
///
/// Implement it for an own type (a job offer, say) and register it in the
/// [`Kinds`](crate::kinds::Kinds): it then works like the built-in ones — API routes,
/// search, the site, export and import — with no backend changes, since stores only see
/// [`Record`](crate::Record)s.
pub trait Content: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Kind name, stable and URL-safe (`news`, `programme`): part of every stored key.
    const KIND: &'static str;

    /// One item per site (e.g. accessibility settings): its slug is always [`Content::KIND`].
    const SINGLETON: bool = false;

    /// Whether the public site has pages of it (and search finds it). Media files are
    /// served, not shown as pages.
    const ON_SITE: bool = true;

    /// The non-linguistic fields a translation takes from its source (dot-separated paths
    /// of object keys, see [`shared`]): money, dates, office hours, media ids — what must
    /// not drift between languages. None by default.
    const SHARED: &'static [&'static str] = &[];

    /// The title shown in lists and page headings.
    fn title(&self) -> &str;

    /// The text the slug is made from (the title unless overridden).
    fn slug_source(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.title())
    }

    /// Checks every field; reports each failing one with its path.
    fn validate(&self) -> Result<(), ValidationErrors>;

    /// What full-text search reads, most important part first (title above lead above
    /// body). The title alone unless overridden.
    fn search_parts(&self) -> SearchParts {
        SearchParts { title: self.title().to_owned(), lead: String::new(), body: String::new(), tags: self.tags() }
    }

    /// Tags for filtering lists (normalised to lower case by the Cms).
    fn tags(&self) -> Vec<String> {
        Vec::new()
    }

    /// The media items it names ([`MediaRefs`] collects them): the Cms checks that they
    /// exist and are the right kind of file, and publishes them with the content.
    fn media(&self) -> Vec<MediaRef> {
        Vec::new()
    }

    /// Checks a change from `before` to `self` beyond [`Content::validate`]: a media item's
    /// file cannot be swapped for another under the same item.
    fn check_change(&self, _before: &Self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// The searchable text of an item, as plain text (Markdown through [`plain_text`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchParts {
    /// Title: matches here weigh most.
    pub title: String,
    /// Summary or lead.
    pub lead: String,
    /// Everything else, plain text.
    pub body: String,
    /// Tags (matched as filters, not words).
    pub tags: Vec<String>,
}

/// Joins the non-empty parts of a text with blank lines.
pub(crate) fn join_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// The words of CommonMark text without its markup, whitespace collapsed to one space.
pub fn plain_text(markdown: &str) -> String {
    plain_blocks(markdown).join(" ")
}

/// The blocks of CommonMark text (paragraphs, headings, list items, quotes, code) as plain
/// text, each with its whitespace collapsed to one space: what a text file of it shows
/// with a blank line between.
pub fn plain_blocks(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut flush = |current: &mut String| {
        let block = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !block.is_empty() {
            blocks.push(block);
        }
        current.clear();
    };
    // Read as the site renders it (tables, strikethrough); a block ends at the start of the
    // next one too, so a nested list item is its own block.
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) => current.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::TableCell) => current.push(' '),
            Event::Start(
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::BlockQuote(_)
                | Tag::CodeBlock(_)
                | Tag::TableRow,
            )
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableHead
                | TagEnd::TableRow,
            ) => flush(&mut current),
            _ => {}
        }
    }
    flush(&mut current);
    blocks
}

/// Limits shared by the content types, in characters.
pub(crate) mod limits {
    pub(crate) const TITLE: usize = 300;
    pub(crate) const SHORT: usize = 200;
    pub(crate) const LEAD: usize = 2_000;
    pub(crate) const BODY: usize = 200_000;
    pub(crate) const ITEM: usize = 1_000;
}

/// Appends `text` escaped for HTML and XML alike (`&#39;` is both); characters neither may
/// carry (see [`is_forbidden_char`](crate::validate::is_forbidden_char)) become U+FFFD.
pub fn escape_markup(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if crate::validate::is_forbidden_char(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_text_drops_markup() {
        assert_eq!(super::plain_text("**Tekst** i [link](/a)\n\n- punkt"), "Tekst i link punkt");
    }

    #[test]
    fn plain_blocks_keep_paragraphs_apart() {
        let blocks =
            super::plain_blocks("# MOPS\n\nMOPS  pomaga\nludziom.\n\n- prace\n- *porady*\n  - prawne\n\n   \n");
        assert_eq!(blocks, ["MOPS", "MOPS pomaga ludziom.", "prace", "porady", "prawne"]);
        let table = super::plain_blocks("| Dzień | Godziny |\n| --- | --- |\n| poniedziałek | 8–16 |\n");
        assert_eq!(table, ["Dzień Godziny", "poniedziałek 8–16"]);
    }

    #[test]
    fn markup_is_escaped() {
        let mut out = String::new();
        super::escape_markup("<a href=\"x\">Tom & 'Jerry'\u{1}</a>", &mut out);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;\u{FFFD}&lt;/a&gt;");
    }
}
