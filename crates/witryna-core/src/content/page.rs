use serde::{Deserialize, Serialize};

use super::{limits, plain_text, Attachment, Content, MediaRef, MediaRefs, SearchParts};
use crate::kinds::{KindSpec, Labels};
use crate::validate::{ValidationErrors, Validator};

/// A static page: the RODO information clause („Klauzula informacyjna”), the cookie
/// policy, contact details...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Heading.
    #[schemars(title = "Tytuł", description = "Nagłówek strony, np. „Klauzula informacyjna RODO”.")]
    pub title: String,
    /// Optional summary.
    #[schemars(title = "Streszczenie", description = "Jedno, dwa zdania o tym, co jest na stronie.")]
    #[serde(default)]
    pub summary: String,
    /// The page, CommonMark.
    #[schemars(title = "Treść", description = "Pełny tekst strony (w formacie Markdown).")]
    pub body: String,
    /// Documents to download.
    #[schemars(title = "Załączniki", description = "Dokumenty do pobrania, np. wniosek lub regulamin.")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl Page {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "pages",
        site_section: "/strony",
        labels: Labels { singular: "Strona", plural: "Strony", add_new: "Dodaj stronę" },
    };
}

impl Content for Page {
    const KIND: &'static str = "page";

    fn title(&self) -> &str {
        &self.title
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("title", &self.title, limits::TITLE);
        v.max_len("summary", &self.summary, limits::LEAD);
        v.markdown("body", &self.body, limits::BODY, true);
        v.each("attachments", &self.attachments, |v, a| a.check(v));
        v.finish()
    }

    fn media(&self) -> Vec<MediaRef> {
        let mut refs = MediaRefs::default();
        refs.attachments("attachments", &self.attachments).markdown("body", &self.body);
        refs.into_vec()
    }

    fn search_parts(&self) -> SearchParts {
        SearchParts {
            title: self.title.clone(),
            lead: self.summary.clone(),
            body: plain_text(&self.body),
            tags: Vec::new(),
        }
    }
}
