use serde::{Deserialize, Serialize};

use super::{join_text, limits, plain_text, Content, Image, MediaRef, MediaRefs, SearchParts};
use crate::kinds::{KindSpec, Labels};
use crate::office_hours::OfficeHours;
use crate::record::Id;
use crate::validate::{ValidationErrors, Validator};

/// An organisational unit: the centre itself (MOPS), a Klub Integracji Społecznej, a
/// Dzienny Dom „Senior+”, a consultation point...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Full name.
    #[schemars(title = "Nazwa", description = "Pełna nazwa jednostki, np. „Klub Integracji Społecznej”.")]
    pub name: String,
    /// What the unit does, CommonMark.
    #[schemars(title = "Opis", description = "Czym zajmuje się jednostka i komu pomaga (w formacie Markdown).")]
    #[serde(default)]
    pub description: String,
    /// Postal address.
    #[schemars(title = "Adres", description = "Adres pocztowy jednostki.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Phone numbers as written for people („62 765 69 50”).
    #[schemars(
        title = "Telefony",
        description = "Każdy numer osobno, tak jak mają go zobaczyć odwiedzający, np. 62 765 69 50."
    )]
    #[serde(default)]
    pub phones: Vec<String>,
    /// Contact e-mail.
    #[schemars(title = "E-mail", description = "Adres e-mail do kontaktu z jednostką.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Slug of the parent unit (sub-units of a MOPS); slugs keep resolving after renames.
    #[schemars(
        title = "Jednostka nadrzędna",
        description = "Końcówka adresu strony jednostki nadrzędnej, np. mops-kalisz z /jednostki/mops-kalisz. Dla samego ośrodka zostaw puste."
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// When it is open.
    #[schemars(
        title = "Godziny pracy",
        description = "Kiedy jednostka jest czynna: stały tydzień, wyjątki w wybrane dni i święta."
    )]
    #[serde(default)]
    pub office_hours: OfficeHours,
    /// A photo of the building or the entrance, so visitors find it.
    #[schemars(title = "Zdjęcie", description = "Np. wejście do budynku, by łatwiej było trafić.")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<Image>,
    /// What the unit does in easy-to-read text, where it differs from the centre's
    /// [`ActivityInformation`](super::ActivityInformation), CommonMark; empty: the
    /// centre's text speaks for it.
    #[schemars(
        title = "Tekst łatwy do czytania (ETR)",
        description = "Tylko jeśli jednostka robi coś innego niż cały ośrodek: czym się zajmuje, krótkimi zdaniami i prostymi słowami (w formacie Markdown)."
    )]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub easy_to_read: String,
    /// The same in Polish Sign Language: a video of the media library, with its transcript.
    #[schemars(
        title = "Nagranie w polskim języku migowym (PJM)",
        description = "Tylko jeśli jednostka ma własne nagranie: film z tłumaczem PJM z „Pliki i obrazy”.",
        extend("x-witryna-media" = "video")
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_language_video: Option<Id>,
}

/// A Polish postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Street and number („ul. Graniczna 1A”).
    #[schemars(title = "Ulica i numer", description = "Np. ul. Graniczna 1A.")]
    pub street: String,
    /// Postal code, `NN-NNN`.
    #[schemars(title = "Kod pocztowy", description = "W postaci 00-000, np. 62-800.")]
    pub postal_code: String,
    /// Town.
    #[schemars(title = "Miejscowość", description = "Np. Kalisz.")]
    pub city: String,
}

fn is_postal_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 6 && b[2] == b'-' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
}

impl Unit {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "units",
        site_section: "/jednostki",
        labels: Labels { singular: "Jednostka", plural: "Jednostki", add_new: "Dodaj jednostkę" },
    };
}

impl Content for Unit {
    const KIND: &'static str = "unit";
    // Where and when a unit receives people, and how to reach it, are one truth in every
    // language (a postal address is written as the post knows it).
    const SHARED: &'static [&'static str] = &[
        "address",
        "phones",
        "email",
        "office_hours",
        "parent",
        "photo.media",
        "photo.src",
        "photo.decorative",
        "sign_language_video",
    ];

    fn title(&self) -> &str {
        &self.name
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        v.text("name", &self.name, limits::TITLE);
        v.markdown("description", &self.description, limits::BODY, false);
        v.markdown("easy_to_read", &self.easy_to_read, limits::BODY, false);
        if let Some(a) = &self.address {
            v.nested("address", |v| {
                v.text("street", &a.street, limits::SHORT);
                v.text("city", &a.city, limits::SHORT);
                if !is_postal_code(&a.postal_code) {
                    v.error("postal_code", "invalid_postal_code", "must look like 62-800");
                }
            });
        }
        for (i, phone) in self.phones.iter().enumerate() {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
            if !allowed || !(9..=15).contains(&digits) {
                v.error(&format!("phones[{i}]"), "invalid_phone", "must be 9 to 15 digits (spaces, +, -, () allowed)");
            }
        }
        if let Some(email) = &self.email {
            v.email("email", email);
        }
        if let Some(parent) = &self.parent {
            if crate::slugs::slugify(parent) != *parent {
                v.error("parent", "invalid_slug", "must be the slug of the parent unit");
            }
        }
        v.nested("office_hours", |v| self.office_hours.check(v));
        if let Some(photo) = &self.photo {
            v.nested("photo", |v| photo.check(v));
        }
        v.finish()
    }

    fn media(&self) -> Vec<MediaRef> {
        let mut refs = MediaRefs::default();
        refs.image("photo", self.photo.as_ref())
            .markdown("description", &self.description)
            .markdown("easy_to_read", &self.easy_to_read)
            .video("sign_language_video", self.sign_language_video);
        refs.into_vec()
    }

    fn search_parts(&self) -> SearchParts {
        let address = self.address.as_ref().map(|a| format!("{}, {} {}", a.street, a.postal_code, a.city));
        SearchParts {
            title: self.name.clone(),
            lead: String::new(),
            body: join_text([plain_text(&self.description).as_str(), address.as_deref().unwrap_or("")]),
            tags: Vec::new(),
        }
    }
}
