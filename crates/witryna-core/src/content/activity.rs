//! What the centre does, told so everyone can take it in: the information art. 6 pkt 3 of
//! the 2019 accessibility act (ustawa o zapewnianiu dostępności osobom ze szczególnymi
//! potrzebami) asks of every public body's site — a text easy to read (ETR), a recording in
//! Polish Sign Language (PJM) and a machine-readable text file.
//!
//! One [`ActivityInformation`] per site speaks for the whole centre; a unit whose work
//! differs (a day-care home, a family support centre) says it in its own
//! [`Unit::easy_to_read`](super::Unit::easy_to_read) and
//! [`Unit::sign_language_video`](super::Unit::sign_language_video). The site shows them
//! at `/tekst-latwy-do-czytania`, `/polski-jezyk-migowy` and
//! `/informacje-o-dzialalnosci.txt`, linked from every footer and the declaration.

use serde::{Deserialize, Serialize};

use super::{limits, plain_text, Content, MediaRef, MediaRefs, SearchParts};
use crate::kinds::{KindSpec, Labels};
use crate::record::Id;
use crate::validate::{ValidationErrors, Validator};

/// The centre's activity in easy-to-read text and in Polish Sign Language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInformation {
    /// What the centre does, in easy-to-read text (short sentences, everyday words, one
    /// thought per line), CommonMark. The text file of the site is made from it too.
    #[schemars(
        title = "Tekst łatwy do czytania (ETR)",
        description = "Czym zajmuje się ośrodek, krótkimi zdaniami i prostymi słowami, np. „MOPS pomaga ludziom, którzy są w trudnej sytuacji.” Z tego tekstu powstaje też plik tekstowy o działalności (w formacie Markdown)."
    )]
    pub easy_to_read: String,
    /// The same in Polish Sign Language: a video of the media library, with its transcript.
    #[schemars(
        title = "Nagranie w polskim języku migowym (PJM)",
        description = "Film z tłumaczem PJM dodany w „Pliki i obrazy”, z zapisem jego treści.",
        extend("x-witryna-media" = "video")
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_language_video: Option<Id>,
}

impl ActivityInformation {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "activity-information",
        site_section: "/tekst-latwy-do-czytania",
        labels: Labels {
            singular: "Informacje o działalności (ETR, PJM)",
            plural: "Informacje o działalności (ETR, PJM)",
            add_new: "Opisz działalność",
        },
    };

    /// The title of its pages and of the text file.
    pub const TITLE: &'static str = "Informacje o działalności ośrodka";
}

impl Content for ActivityInformation {
    const KIND: &'static str = "activity-information";
    const SINGLETON: bool = true;

    fn title(&self) -> &str {
        Self::TITLE
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.markdown("easy_to_read", &self.easy_to_read, limits::BODY, true);
        v.finish()
    }

    fn media(&self) -> Vec<MediaRef> {
        let mut refs = MediaRefs::default();
        refs.markdown("easy_to_read", &self.easy_to_read).video("sign_language_video", self.sign_language_video);
        refs.into_vec()
    }

    fn search_parts(&self) -> SearchParts {
        SearchParts {
            title: Self::TITLE.to_owned(),
            lead: String::new(),
            body: plain_text(&self.easy_to_read),
            tags: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Shows;

    #[test]
    fn the_text_is_required_and_the_video_is_a_video_reference() {
        let empty = ActivityInformation { easy_to_read: " ".into(), sign_language_video: None };
        let codes: Vec<_> = empty.validate().unwrap_err().0.into_iter().map(|e| (e.path, e.code)).collect();
        assert_eq!(codes, [("easy_to_read".to_owned(), "required")]);
        let id = Id::new();
        let info = ActivityInformation { easy_to_read: "MOPS pomaga.".into(), sign_language_video: Some(id) };
        assert!(info.validate().is_ok());
        let refs = info.media();
        assert_eq!(refs.len(), 1);
        assert_eq!((refs[0].path.as_str(), refs[0].id, refs[0].shows), ("sign_language_video", id, Shows::Video));
    }
}
