//! The media library: files (images and documents) as content items, and the references
//! content makes to them — an [`Image`] with its alternative text, an [`Attachment`], and
//! `![opis](media:<id>)` in Markdown.
//!
//! A [`Media`] item is content like any other (revisions, workflow, who added it and when);
//! its bytes are blobs of the store ([`crate::store::blob`]), named by hash. Only the upload
//! path (`witryna-media`) makes them: it checks and re-encodes the file first.

use serde::{Deserialize, Serialize};

use super::{limits, Content};
use crate::kinds::{KindSpec, Labels};
use crate::record::Id;
use crate::store::BlobHash;
use crate::validate::{ValidationErrors, Validator};

/// A file of the media library: an image (with smaller copies for the site) or a document
/// such as an application form in PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Media {
    /// What the file is; the link text of a document („Wniosek o przyznanie zasiłku”),
    /// so required for documents.
    #[schemars(
        title = "Tytuł",
        description = "Dla dokumentu: treść linku, np. „Wniosek o przyznanie zasiłku celowego”. Dla obrazka: nazwa w bibliotece."
    )]
    #[serde(default)]
    pub title: String,
    /// What an image shows: the alternative text used where content does not give its own.
    #[schemars(
        title = "Opis obrazka (tekst alternatywny)",
        description = "Co widać na obrazku, np. „Uczestnicy spotkania przy okrągłym stole”. Używany, gdy treść nie poda własnego opisu."
    )]
    #[serde(default)]
    pub alt: String,
    /// The file as stored (images re-encoded, without their metadata). Set by the upload,
    /// never changed (`readOnly`: forms show it, do not edit it).
    #[schemars(title = "Plik", extend("readOnly" = true))]
    pub file: StoredFile,
    /// What a video says or signs, as text (WCAG 1.2.1, 1.2.3): shown under it on the site.
    /// A Polish Sign Language recording needs one, so those who do not sign read it.
    #[schemars(
        title = "Zapis treści nagrania",
        description = "Dla nagrania: cała jego treść jako tekst, np. to, co mówi tłumacz PJM. Strona pokazuje go pod filmem."
    )]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub transcript: String,
    /// Smaller copies of an image for the site's `srcset`, narrowest first.
    #[schemars(title = "Mniejsze wersje", extend("readOnly" = true))]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<StoredFile>,
}

/// One stored file: a blob and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoredFile {
    /// The blob's SHA-256.
    #[schemars(title = "Skrót SHA-256")]
    pub hash: BlobHash,
    /// The file name: the uploader's for the original (sent back as the download name),
    /// `640.webp` and the like for variants.
    #[schemars(title = "Nazwa pliku")]
    pub name: String,
    /// The media type sniffed from its bytes (`image/jpeg`, `application/pdf`...).
    #[schemars(title = "Typ pliku")]
    pub content_type: String,
    /// Length in bytes.
    #[schemars(title = "Rozmiar (bajty)")]
    pub size: u64,
    /// Width in pixels (images).
    #[schemars(title = "Szerokość (piksele)")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels (images).
    #[schemars(title = "Wysokość (piksele)")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl StoredFile {
    /// Whether it is an image.
    pub fn is_image(&self) -> bool {
        self.content_type.starts_with("image/")
    }

    /// Whether it is a video (`video/mp4`, `video/webm`).
    pub fn is_video(&self) -> bool {
        self.content_type.starts_with("video/")
    }
}

impl Media {
    /// Where it appears: the registry line of [`Kinds::builtin`](crate::kinds::Kinds::builtin).
    /// Files are served under the section (`/media/{hash}/{name}`); there are no item pages.
    pub const SPEC: KindSpec = KindSpec {
        api_segment: "media",
        site_section: "/media",
        labels: Labels { singular: "Plik", plural: "Pliki i obrazy", add_new: "Dodaj plik" },
    };

    /// Whether the file is an image.
    pub fn is_image(&self) -> bool {
        self.file.is_image()
    }

    /// Every blob the item names: the file and its variants.
    pub fn blobs(&self) -> impl Iterator<Item = BlobHash> + '_ {
        std::iter::once(self.file.hash).chain(self.variants.iter().map(|v| v.hash))
    }

    /// The name a reader sees: the title, else the file name.
    pub fn label(&self) -> &str {
        if self.title.trim().is_empty() {
            &self.file.name
        } else {
            &self.title
        }
    }
}

fn check_file(v: &mut Validator, file: &StoredFile) {
    v.text("name", &file.name, limits::SHORT);
    if file.name.contains(['/', '\\']) {
        v.error("name", "invalid_value", "a file name has no folders");
    }
    v.text("content_type", &file.content_type, 100);
}

impl Content for Media {
    const KIND: &'static str = "media";
    const ON_SITE: bool = false;

    fn title(&self) -> &str {
        self.label()
    }

    /// The hash of the file: one item per file, found by it in one read.
    fn slug_source(&self) -> std::borrow::Cow<'_, str> {
        self.file.hash.to_string().into()
    }

    fn check_change(&self, before: &Self) -> Result<(), ValidationErrors> {
        if self.file != before.file || self.variants != before.variants {
            let message = "the file of a library item cannot change; upload the new file as a new item";
            return Err(ValidationErrors::single("file", "immutable", message));
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut v = Validator::new();
        if self.is_image() {
            v.max_len("title", &self.title, limits::TITLE);
        } else {
            v.text("title", &self.title, limits::TITLE);
        }
        v.max_len("alt", &self.alt, limits::SHORT);
        v.max_len("transcript", &self.transcript, limits::BODY);
        if !self.transcript.is_empty() && !self.file.is_video() {
            v.error("transcript", "not_a_recording", "only a video has a transcript");
        }
        v.nested("file", |v| check_file(v, &self.file));
        v.each("variants", &self.variants, check_file);
        v.finish()
    }
}

/// A picture in content: a file of the media library (or, as before it, an address) with
/// its alternative text — required, unless the picture is marked decorative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// The image in the media library.
    #[schemars(
        title = "Obrazek z biblioteki",
        description = "Wybierz obrazek dodany w „Pliki i obrazy”.",
        extend("x-witryna-media" = "image")
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Id>,
    /// An image elsewhere: an http(s) URL or a site path (when no library image is chosen).
    #[schemars(
        title = "Adres obrazka spoza biblioteki",
        description = "Tylko gdy obrazka nie ma w bibliotece: ścieżka na stronie albo pełny adres https://…"
    )]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub src: String,
    /// Alternative text for screen readers (WCAG 1.1.1), in Polish; required unless the
    /// image is decorative.
    #[schemars(
        title = "Opis obrazka (tekst alternatywny)",
        description = "Co widać na obrazku; odczytają go osoby niewidome, np. „Uczestnicy spotkania przy stole”. Wymagany, chyba że obrazek jest tylko ozdobą."
    )]
    #[serde(default)]
    pub alt: String,
    /// Purely decorative: screen readers skip it, so no alternative text.
    #[schemars(
        title = "Obrazek tylko ozdobny",
        description = "Zaznacz, jeśli obrazek nic nie wnosi do treści; czytniki ekranu go pominą."
    )]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decorative: bool,
}

impl Image {
    /// An image of the media library with its alternative text.
    pub fn library(media: Id, alt: impl Into<String>) -> Self {
        Self { media: Some(media), src: String::new(), alt: alt.into(), decorative: false }
    }

    pub(crate) fn check(&self, v: &mut Validator) {
        match (&self.media, self.src.trim().is_empty()) {
            (Some(_), false) => v.error("src", "conflict", "give either a library image or an address, not both"),
            (None, true) => v.error("media", "required", "choose an image from the library"),
            (None, false) => {
                v.max_len("src", &self.src, limits::ITEM);
                v.link("src", &self.src);
            }
            (Some(_), true) => {}
        }
        if self.decorative {
            v.max_len("alt", &self.alt, limits::SHORT);
        } else if self.alt.trim().is_empty() {
            v.error("alt", "missing_alt", "describe the image, or mark it decorative");
        } else {
            v.max_len("alt", &self.alt, limits::SHORT);
        }
    }
}

/// A document attached to content, e.g. the application form under a news item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// The file in the media library.
    #[schemars(
        title = "Plik z biblioteki",
        description = "Wybierz dokument dodany w „Pliki i obrazy”.",
        extend("x-witryna-media" = "file")
    )]
    pub media: Id,
    /// The link text, when it should differ from the file's title.
    #[schemars(
        title = "Tytuł linku",
        description = "Zostaw puste, by użyć tytułu pliku z biblioteki, np. „Wniosek o przyznanie zasiłku”."
    )]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
}

impl Attachment {
    pub(crate) fn check(&self, v: &mut Validator) {
        v.max_len("title", &self.title, limits::TITLE);
    }
}

/// What a place that names a media item shows, and so which files it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// A picture (a cover, a photo): an image.
    Image,
    /// A recording (the Polish Sign Language video): a video.
    Video,
    /// A `media:` embed in Markdown: an image or a video.
    Embed,
    /// A download link: any file.
    Download,
}

impl Shows {
    /// Whether a file of this type may be shown here; if not, the error code and what the
    /// place takes.
    pub fn check(self, file: &StoredFile) -> Result<(), (&'static str, &'static str)> {
        match self {
            Self::Image if !file.is_image() => Err(("not_an_image", "an image")),
            Self::Video if !file.is_video() => Err(("not_a_video", "a video")),
            Self::Embed if !(file.is_image() || file.is_video()) => Err(("not_shown", "an image or a video")),
            _ => Ok(()),
        }
    }
}

/// A place where content names a media item: the error path of the field, the item, and
/// what the place shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// The field's path, as validation errors name it (`cover.media`, `body`).
    pub path: String,
    /// The media item.
    pub id: Id,
    /// What the place shows (so which files it takes).
    pub shows: Shows,
}

/// Collects the media references of content, for [`Content::media`].
#[derive(Debug, Default)]
pub struct MediaRefs(pub Vec<MediaRef>);

impl MediaRefs {
    /// An optional image at `path`.
    pub fn image(&mut self, path: &str, image: Option<&Image>) -> &mut Self {
        if let Some(id) = image.and_then(|i| i.media) {
            self.0.push(MediaRef { path: format!("{path}.media"), id, shows: Shows::Image });
        }
        self
    }

    /// A list of images.
    pub fn images(&mut self, path: &str, images: &[Image]) -> &mut Self {
        for (i, image) in images.iter().enumerate() {
            self.image(&format!("{path}[{i}]"), Some(image));
        }
        self
    }

    /// A list of attachments.
    pub fn attachments(&mut self, path: &str, attachments: &[Attachment]) -> &mut Self {
        for (i, a) in attachments.iter().enumerate() {
            self.0.push(MediaRef { path: format!("{path}[{i}].media"), id: a.media, shows: Shows::Download });
        }
        self
    }

    /// The `media:` images and videos of a Markdown text.
    pub fn markdown(&mut self, path: &str, markdown: &str) -> &mut Self {
        for (id, _) in markdown_images(markdown).filter_map(|(url, alt)| Some((media_url(&url)?.ok()?, alt))) {
            self.0.push(MediaRef { path: path.to_owned(), id, shows: Shows::Embed });
        }
        self
    }

    /// An optional video at `path` (a media id).
    pub fn video(&mut self, path: &str, video: Option<Id>) -> &mut Self {
        if let Some(id) = video {
            self.0.push(MediaRef { path: path.to_owned(), id, shows: Shows::Video });
        }
        self
    }

    /// The references collected.
    pub fn into_vec(self) -> Vec<MediaRef> {
        self.0
    }
}

/// The scheme of a library image in Markdown: `![opis](media:0192…)`.
pub const MEDIA_SCHEME: &str = "media:";

/// The id of a `media:` URL: `None` for other URLs, `Some(Err)` for a `media:` URL
/// without a valid id.
pub fn media_url(url: &str) -> Option<Result<Id, uuid::Error>> {
    url.strip_prefix(MEDIA_SCHEME).map(str::parse)
}

/// The images of a Markdown text: URL and alternative text, in order.
pub fn markdown_images(markdown: &str) -> impl Iterator<Item = (String, String)> + '_ {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut current: Option<(String, String)> = None;
    Parser::new(markdown).filter_map(move |event| match event {
        Event::Start(Tag::Image { dest_url, .. }) => {
            current = Some((dest_url.into_string(), String::new()));
            None
        }
        Event::Text(t) | Event::Code(t) => {
            if let Some((_, alt)) = current.as_mut() {
                alt.push_str(&t);
            }
            None
        }
        Event::End(TagEnd::Image) => current.take(),
        _ => None,
    })
}

/// Checks the images of a Markdown field: each needs alternative text, and a `media:` one a
/// valid id.
pub(crate) fn check_markdown_images(v: &mut Validator, field: &str, markdown: &str) {
    for (url, alt) in markdown_images(markdown) {
        if let Some(Err(_)) = media_url(&url) {
            v.error(field, "invalid_media", format!("{url:?} is not media: followed by a file's id"));
        }
        if alt.trim().is_empty() {
            v.error(field, "missing_alt", format!("the image {url:?} needs a description: ![opis]({url})"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_need_a_description_or_the_decorative_mark() {
        let id = Id::new();
        let check = |image: Image| {
            let mut v = Validator::new();
            image.check(&mut v);
            v.finish().err().map(|e| e.0.into_iter().map(|f| (f.path, f.code)).collect::<Vec<_>>())
        };
        assert_eq!(check(Image::library(id, "Uczestnicy spotkania")), None);
        assert_eq!(check(Image::library(id, " ")), Some(vec![("alt".into(), "missing_alt")]));
        assert_eq!(check(Image { decorative: true, ..Image::library(id, "") }), None);
        let both = Image { src: "/a.jpg".into(), ..Image::library(id, "x") };
        assert_eq!(check(both), Some(vec![("src".into(), "conflict")]));
        let neither = Image { media: None, ..Image::library(id, "x") };
        assert_eq!(check(neither), Some(vec![("media".into(), "required")]));
    }

    #[test]
    fn markdown_images_are_found_and_checked() {
        let id = Id::new();
        let md = format!("Tekst ![Logo *UE*](media:{id}) i ![](/a.png) oraz ![x](media:zle)");
        let found: Vec<_> = markdown_images(&md).collect();
        assert_eq!(found[0], (format!("media:{id}"), "Logo UE".to_owned()));
        let mut refs = MediaRefs::default();
        refs.markdown("body", &md);
        assert_eq!(refs.into_vec(), vec![MediaRef { path: "body".into(), id, shows: Shows::Embed }]);
        let mut v = Validator::new();
        check_markdown_images(&mut v, "body", &md);
        let codes: Vec<_> = v.finish().unwrap_err().0.into_iter().map(|f| f.code).collect();
        assert_eq!(codes, ["missing_alt", "invalid_media"]);
    }
}
