use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use serde::{Deserialize, Serialize};

use super::{limits, plain_text, Attachment, Content, Image, MediaRef, MediaRefs, SearchParts};
use crate::kinds::{KindSpec, Labels};
use crate::validate::{ValidationErrors, Validator};

/// A news item („Aktualności”), e.g. a meeting at the Klub Integracji Społecznej.
///
/// The publish time („Dodano przez MOPS Kalisz, 2017-02-03 09:41:08”) is the item's
/// [`Meta::publish_at`](crate::Meta::publish_at), kept to the second and beyond.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsArticle {
    /// Headline.
    #[schemars(
        title = "Tytuł",
        description = "Krótki i konkretny, np. „Spotkanie informacyjne w Klubie Integracji Społecznej”."
    )]
    pub title: String,
    /// A short summary shown in lists.
    #[schemars(title = "Streszczenie", description = "Dwa, trzy zdania widoczne na liście aktualności.")]
    #[serde(default)]
    pub lead: String,
    /// The article, CommonMark.
    #[schemars(title = "Treść", description = "Pełny tekst aktualności (w formacie Markdown).")]
    pub body: String,
    /// Who published it: the centre („MOPS Kalisz”) or one of its units.
    #[schemars(
        title = "Autor",
        description = "Kto publikuje: ośrodek (np. „MOPS Kalisz”) albo jedna z jego jednostek."
    )]
    pub author: String,
    /// Tags for filtering (e.g. `kis`, `projekty`).
    #[schemars(title = "Tagi", description = "Słowa do filtrowania listy, każde osobno, np. kis, projekty.")]
    #[serde(default)]
    pub tags: Vec<String>,
    /// Optional cover picture.
    #[schemars(title = "Zdjęcie główne", description = "Obrazek pokazywany przy aktualności.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<Image>,
    /// More pictures, shown as a gallery under the article.
    #[schemars(title = "Galeria", description = "Zdjęcia pokazywane pod treścią, każde z opisem.")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gallery: Vec<Image>,
    /// Documents to download (an application form, the regulations).
    #[schemars(title = "Załączniki", description = "Dokumenty do pobrania, np. wniosek lub regulamin.")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Details when the news is about an event.
    #[schemars(
        title = "Wydarzenie",
        description = "Wypełnij, jeśli aktualność dotyczy wydarzenia, np. spotkania lub warsztatów."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventDetails>,
}

/// When and where an event took place, and how many came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventDetails {
    /// Local (Europe/Warsaw) date of the event.
    #[schemars(title = "Data wydarzenia", description = "Dzień, w którym wydarzenie się odbyło lub odbędzie.")]
    pub date: NaiveDate,
    /// Local start time, when known (`"10:00:00"`).
    #[schemars(title = "Godzina rozpoczęcia", description = "Np. 10:00. Zostaw puste, jeśli nie wiadomo.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<NaiveTime>,
    /// Place, e.g. „Klub Integracji Społecznej, ul. Graniczna 1A, Kalisz”.
    #[schemars(title = "Miejsce", description = "Np. „Klub Integracji Społecznej, ul. Graniczna 1A, Kalisz”.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Number of participants (e.g. 42).
    #[schemars(title = "Liczba uczestników", description = "Sama liczba, np. 42.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participants: Option<u32>,
}

impl EventDetails {
    /// The start as an instant, when the time is known (the earlier one in the repeated
    /// autumn hour).
    pub fn starts_at(&self) -> Option<DateTime<Utc>> {
        let local = self.date.and_time(self.time?);
        Warsaw.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
    }
}

impl NewsArticle {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "news",
        site_section: "/aktualnosci",
        labels: Labels { singular: "Aktualność", plural: "Aktualności", add_new: "Dodaj aktualność" },
    };
}

impl Content for NewsArticle {
    const KIND: &'static str = "news";
    // When an event happens and which picture shows it are facts; its place, the alt text and
    // everything else are words.
    const SHARED: &'static [&'static str] =
        &["event.date", "event.time", "event.participants", "cover.media", "cover.src", "cover.decorative"];

    fn title(&self) -> &str {
        &self.title
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("title", &self.title, limits::TITLE);
        v.max_len("lead", &self.lead, limits::LEAD);
        v.markdown("body", &self.body, limits::BODY, true);
        v.text("author", &self.author, limits::SHORT);
        v.texts("tags", &self.tags, 50);
        if let Some(cover) = &self.cover {
            v.nested("cover", |v| cover.check(v));
        }
        v.each("gallery", &self.gallery, |v, image| image.check(v));
        v.each("attachments", &self.attachments, |v, a| a.check(v));
        if let Some(event) = &self.event {
            v.nested("event", |v| {
                v.optional_text("place", event.place.as_deref(), limits::SHORT);
            });
        }
        v.finish()
    }

    fn search_parts(&self) -> SearchParts {
        SearchParts {
            title: self.title.clone(),
            lead: self.lead.clone(),
            body: plain_text(&self.body),
            tags: self.tags.clone(),
        }
    }

    fn tags(&self) -> Vec<String> {
        self.tags.clone()
    }

    fn media(&self) -> Vec<MediaRef> {
        let mut refs = MediaRefs::default();
        refs.image("cover", self.cover.as_ref())
            .images("gallery", &self.gallery)
            .attachments("attachments", &self.attachments)
            .markdown("body", &self.body);
        refs.into_vec()
    }
}
