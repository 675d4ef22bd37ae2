//! The registry of content kinds: one value that says, for every kind the site has, what
//! it is called, where it lives (API segment, site section), what its content looks like
//! (JSON Schema) and how to read, check and search a stored body. Frontends loop over it;
//! no list of kinds is written out anywhere else.
//!
//! ```
//! use witryna_core::kinds::{Kinds, KindSpec, Labels};
//! # use serde::{Deserialize, Serialize};
//! # use witryna_core::{Content, ValidationErrors};
//! #[derive(Serialize, Deserialize, schemars::JsonSchema)]
//! struct JobOffer { position: String }
//! # impl Content for JobOffer {
//! #     const KIND: &'static str = "job-offer";
//! #     fn title(&self) -> &str { &self.position }
//! #     fn validate(&self) -> Result<(), ValidationErrors> { Ok(()) }
//! # }
//! let kinds = Kinds::builtin().with::<JobOffer>(KindSpec {
//!     api_segment: "job-offers",
//!     site_section: "/oferty-pracy",
//!     labels: Labels { singular: "Oferta pracy", plural: "Oferty pracy", add_new: "Dodaj ofertę pracy" },
//! });
//! assert_eq!(kinds.by_segment("job-offers").map(|k| k.name()), Some("job-offer"));
//! ```

use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::content::{
    AccessibilitySettings, ActivityInformation, Content, Media, MediaRef, NewsArticle, Page, Programme, SearchParts,
    Unit,
};
use crate::validate::{check_content, decode_json, DecodeError, FieldError, ValidationErrors};

/// Polish names of a kind, as the site and the editor show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// One item („Aktualność”).
    pub singular: &'static str,
    /// The section („Aktualności”).
    pub plural: &'static str,
    /// The editor's button („Dodaj aktualność”).
    pub add_new: &'static str,
}

/// Where a kind appears to people: its API segment, site section and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// Path segment under `/api/v1/` (`news`, `job-offers`); may contain `/` for
    /// singletons (`settings/accessibility`).
    pub api_segment: &'static str,
    /// Path of the site's section (`/aktualnosci`); items are at `{section}/{slug}`, a
    /// singleton is the section page itself.
    pub site_section: &'static str,
    /// Polish names.
    pub labels: Labels,
}

/// Content checked against its kind and ready to store: its canonical JSON (the form the
/// Cms writes) and what the Cms derives from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    kind: &'static str,
    singleton: bool,
    json: String,
    slug_source: String,
    tags: Vec<String>,
    media: Vec<MediaRef>,
}

impl Checked {
    /// Checks typed content ([`check_content`]) and serializes it.
    pub fn new<C: Content>(content: &C) -> Result<Self, ValidationErrors> {
        check_content(content)?;
        Ok(Self {
            kind: C::KIND,
            singleton: C::SINGLETON,
            json: serde_json::to_string(content).expect("content serializes to JSON"),
            slug_source: content.slug_source().into_owned(),
            tags: content.tags(),
            media: content.media(),
        })
    }

    /// The kind.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Whether the kind has one item per site.
    pub fn singleton(&self) -> bool {
        self.singleton
    }

    /// The canonical JSON.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// The text a slug is made from.
    pub fn slug_source(&self) -> &str {
        &self.slug_source
    }

    /// The content's tags, as given (the Cms normalises them).
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The media items it names ([`Content::media`]).
    pub fn media(&self) -> &[MediaRef] {
        &self.media
    }

    pub(crate) fn into_json(self) -> String {
        self.json
    }
}

/// One registered kind. Cheap to copy: names and functions.
#[derive(Clone, Copy)]
pub struct Kind {
    name: &'static str,
    singleton: bool,
    on_site: bool,
    spec: Option<KindSpec>,
    schema: fn(&mut SchemaGenerator) -> Schema,
    check: fn(&str) -> Result<Checked, ValidationErrors>,
    check_change: fn(&str, &str) -> Result<(), ValidationErrors>,
    title: fn(&str) -> Option<String>,
    shared: &'static [&'static str],
    parts: Option<fn(&str) -> Option<SearchParts>>,
    media: fn(&str) -> Vec<MediaRef>,
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kind").field("name", &self.name).field("spec", &self.spec).finish_non_exhaustive()
    }
}

fn schema_of<C: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<C>()
}

fn check_of<C: Content>(json: &str) -> Result<Checked, ValidationErrors> {
    let content: C = decode_json(json.as_bytes()).map_err(|e| match e {
        DecodeError::Shape(field) => ValidationErrors(vec![field]),
        DecodeError::Malformed(message) => {
            ValidationErrors(vec![FieldError { path: String::new(), code: "malformed_json", message }])
        }
    })?;
    // serde reads a struct from an array too (`["Tytuł", "", "x"]`): the schema says object.
    let given: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let canonical = serde_json::to_value(&content).unwrap_or_default();
    if let Some(path) = array_for_object(&given, &canonical, String::new()) {
        let message = "expected an object (named fields), found an array".to_owned();
        return Err(ValidationErrors(vec![FieldError { path, code: "invalid_value", message }]));
    }
    Checked::new(&content)
}

/// The path of the first place where `given` has an array and the content's own form an
/// object.
fn array_for_object(given: &serde_json::Value, canonical: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let join = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match (given, canonical) {
        (Value::Array(_), Value::Object(_)) => Some(path),
        (Value::Object(g), Value::Object(c)) => {
            g.iter().find_map(|(k, v)| c.get(k).and_then(|w| array_for_object(v, w, join(k))))
        }
        (Value::Array(g), Value::Array(c)) => {
            g.iter().zip(c).enumerate().find_map(|(i, (v, w))| array_for_object(v, w, format!("{path}[{i}]")))
        }
        _ => None,
    }
}

fn title_of<C: Content>(json: &str) -> Option<String> {
    serde_json::from_str::<C>(json).ok().map(|c| c.title().to_owned())
}

fn parts_of<C: Content>(json: &str) -> Option<SearchParts> {
    serde_json::from_str::<C>(json).ok().map(|c| c.search_parts())
}

fn media_of<C: Content>(json: &str) -> Vec<MediaRef> {
    serde_json::from_str::<C>(json).map(|c| c.media()).unwrap_or_default()
}

fn check_change_of<C: Content>(before: &str, after: &str) -> Result<(), ValidationErrors> {
    match (serde_json::from_str::<C>(before), serde_json::from_str::<C>(after)) {
        (Ok(before), Ok(after)) => after.check_change(&before),
        // A stored body that no longer reads as its kind is replaced, not compared.
        _ => Ok(()),
    }
}

impl Kind {
    fn of<C: Content + JsonSchema>(spec: Option<KindSpec>) -> Self {
        let searched = spec.is_some() && !C::SINGLETON && C::ON_SITE;
        Kind {
            name: C::KIND,
            singleton: C::SINGLETON,
            on_site: C::ON_SITE,
            spec,
            schema: schema_of::<C>,
            check: check_of::<C>,
            check_change: check_change_of::<C>,
            title: title_of::<C>,
            shared: C::SHARED,
            parts: searched.then_some(parts_of::<C> as fn(&str) -> Option<SearchParts>),
            media: media_of::<C>,
        }
    }

    /// The kind name stored with every item ([`Content::KIND`]).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether there is one item per site ([`Content::SINGLETON`]).
    pub fn is_singleton(&self) -> bool {
        self.singleton
    }

    /// Where it appears; `None` for internal kinds (stored, exported and imported, but
    /// never shown: API tokens).
    pub fn spec(&self) -> Option<&KindSpec> {
        self.spec.as_ref()
    }

    /// Whether it is an API collection (and, when [`Kind::is_on_site`], a section of the
    /// site): exposed, not a singleton.
    pub fn is_collection(&self) -> bool {
        self.spec.is_some() && !self.singleton
    }

    /// Whether the public site shows its items as pages ([`Content::ON_SITE`]).
    pub fn is_on_site(&self) -> bool {
        self.spec.is_some() && self.on_site
    }

    /// Whether its items can have translations: a site section that is not a singleton
    /// (the accessibility declaration stays Polish, the law's template; files are not
    /// translated, their uses are).
    pub fn is_translatable(&self) -> bool {
        self.is_on_site() && !self.singleton
    }

    /// The fields a translation takes from its source ([`Content::SHARED`]).
    pub fn shared_fields(&self) -> &'static [&'static str] {
        self.shared
    }

    /// The media items a stored body names ([`Content::media`]); none when it does not read.
    pub fn media(&self, json: &str) -> Vec<MediaRef> {
        (self.media)(json)
    }

    /// Checks a change of stored body `before` to `after` ([`Content::check_change`]).
    pub fn check_change(&self, before: &str, after: &str) -> Result<(), ValidationErrors> {
        (self.check_change)(before, after)
    }

    /// The JSON Schema of its content, its definitions added to `generator`.
    pub fn schema(&self, generator: &mut SchemaGenerator) -> Schema {
        (self.schema)(generator)
    }

    /// Reads a JSON body as this kind and checks it as every write is checked; errors name
    /// the field. The result holds the canonical JSON.
    pub fn check(&self, json: &str) -> Result<Checked, ValidationErrors> {
        (self.check)(json)
    }

    /// The title of a stored body ([`Content::title`]); `None` when it does not read as
    /// this kind. Cheaper than [`Kind::search_parts`]: no Markdown is rendered.
    pub fn title(&self, json: &str) -> Option<String> {
        (self.title)(json)
    }

    /// What search reads of a stored body; `None` for kinds that are not searched
    /// (internal kinds and singletons) or a body that does not read as this kind.
    pub fn search_parts(&self, json: &str) -> Option<SearchParts> {
        self.parts.and_then(|parts| parts(json))
    }

    /// Whether search indexes it.
    pub fn is_searched(&self) -> bool {
        self.parts.is_some()
    }
}

/// The set of kinds a site has, in menu order. Build it once
/// (`Kinds::builtin().with::<JobOffer>(…)`) and give it to the [`Cms`](crate::Cms);
/// every frontend reads it from there.
#[derive(Debug, Clone)]
pub struct Kinds {
    list: Vec<Kind>,
}

impl Kinds {
    /// No kinds at all (a site built from scratch); most start from [`Kinds::builtin`].
    pub fn empty() -> Self {
        Self { list: Vec::new() }
    }

    /// The built-in kinds: news, programmes, units, pages, the accessibility settings, the
    /// centre's activity in easy-to-read text and sign language, and the media library.
    pub fn builtin() -> Self {
        Self::empty()
            .with::<NewsArticle>(NewsArticle::SPEC)
            .with::<Programme>(Programme::SPEC)
            .with::<Unit>(Unit::SPEC)
            .with::<Page>(Page::SPEC)
            .with::<AccessibilitySettings>(AccessibilitySettings::SPEC)
            .with::<ActivityInformation>(ActivityInformation::SPEC)
            .with::<Media>(Media::SPEC)
    }

    /// Adds a kind that people see: API routes, a site section, search, the editor.
    ///
    /// # Panics
    /// When its name, API segment or site section is already registered: two kinds
    /// cannot share a URL (a mistake in the program, found at startup); also when the
    /// section starts with a language code (`/en`, `/uk`), which the site's languages use.
    pub fn with<C: Content + JsonSchema>(self, spec: KindSpec) -> Self {
        // `/en/…` and `/uk/…` are the site in those languages.
        let first = spec.site_section.trim_start_matches('/').split('/').next().unwrap_or_default();
        assert!(
            crate::locales::find(first).is_none(),
            "site section {:?} would be taken for the {first:?} version of the site: choose another",
            spec.site_section
        );
        for k in &self.list {
            if let Some(other) = k.spec {
                assert!(other.api_segment != spec.api_segment, "API segment {:?} registered twice", spec.api_segment);
                assert!(
                    other.site_section != spec.site_section,
                    "site section {:?} registered twice",
                    spec.site_section
                );
            }
        }
        self.add(Kind::of::<C>(Some(spec)))
    }

    /// Adds an internal kind: stored, exported and imported, never shown (API tokens).
    ///
    /// # Panics
    /// When its name is already registered.
    pub fn with_internal<C: Content + JsonSchema>(self) -> Self {
        self.add(Kind::of::<C>(None))
    }

    fn add(mut self, kind: Kind) -> Self {
        assert!(self.get(kind.name).is_none(), "kind {:?} registered twice", kind.name);
        self.list.push(kind);
        self
    }

    /// Every kind, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &Kind> {
        self.list.iter()
    }

    /// The kinds that are site sections and API collections, in menu order.
    pub fn collections(&self) -> impl Iterator<Item = &Kind> {
        self.list.iter().filter(|k| k.is_collection())
    }

    /// A kind by name.
    pub fn get(&self, name: &str) -> Option<&Kind> {
        self.list.iter().find(|k| k.name == name)
    }

    /// An exposed kind by its API segment.
    pub fn by_segment(&self, segment: &str) -> Option<&Kind> {
        self.list.iter().find(|k| k.spec.is_some_and(|s| s.api_segment == segment))
    }

    /// An exposed kind by its site section path.
    pub fn by_section(&self, section: &str) -> Option<&Kind> {
        self.list.iter().find(|k| k.spec.is_some_and(|s| s.site_section == section))
    }
}

impl Default for Kinds {
    fn default() -> Self {
        Self::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_kinds_check_what_they_store() {
        let kinds = Kinds::builtin();
        let names: Vec<&str> = kinds.collections().map(Kind::name).collect();
        assert_eq!(names, ["news", "programme", "unit", "page", "media"]);
        assert!(!kinds.get(Media::KIND).unwrap().is_on_site() && !kinds.get(Media::KIND).unwrap().is_searched());
        let page = kinds.by_segment("pages").unwrap();
        let checked = page.check(r#"{"body":"Treść","title":"Klauzula"}"#).unwrap();
        assert_eq!(checked.json(), r#"{"title":"Klauzula","summary":"","body":"Treść"}"#, "canonical field order");
        let err = page.check(r#"{"title":"x","body":"y","colour":1}"#).unwrap_err();
        assert_eq!((err.0[0].path.as_str(), err.0[0].code), ("colour", "unknown_field"));
        let err = page.check(r#"{"title":"","body":"y"}"#).unwrap_err();
        assert!(err.has("title"), "{err:?}");
        assert_eq!(page.title(checked.json()).as_deref(), Some("Klauzula"));
        let parts = page.search_parts(checked.json()).unwrap();
        assert_eq!((parts.title.as_str(), parts.body.as_str()), ("Klauzula", "Treść"));
        let err = page.check(r#"["Klauzula", "", "x"]"#).unwrap_err();
        assert_eq!((err.0[0].path.as_str(), err.0[0].code), ("", "invalid_value"), "an array is not an object");
        let news = kinds.get(NewsArticle::KIND).unwrap();
        let nested = r#"{"title":"T","body":"B","author":"A","cover":["/a.jpg","opis"]}"#;
        assert!(news.check(nested).unwrap_err().0[0].path.starts_with("cover"), "nor nested");
        let settings = kinds.get(AccessibilitySettings::KIND).unwrap();
        assert!(settings.is_singleton() && !settings.is_searched() && !settings.is_collection());
    }

    #[test]
    #[should_panic(expected = "would be taken for the \"en\" version")]
    fn a_section_cannot_take_a_language_prefix() {
        let spec = KindSpec { api_segment: "english-pages", site_section: "/en/strony", ..Page::SPEC };
        let _ = Kinds::empty().with::<Page>(spec);
    }

    #[test]
    #[should_panic(expected = "registered twice")]
    fn a_segment_cannot_be_registered_twice() {
        let _ = Kinds::builtin().with::<Page>(Page::SPEC);
    }
}
