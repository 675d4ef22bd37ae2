//! Files of the media library on pages: the media items a page names, loaded once
//! ([`MediaSet`]), and what its templates show of them — a responsive picture
//! ([`Picture`]: `srcset` of the stored variants, a WebP `<source>` when there is one for
//! every width, width and height from the stored dimensions) and a download link
//! ([`AttachmentLink`]: „Wniosek <span>(PDF, 75 KB)</span>”), and a recording with its
//! player, download link and transcript ([`Video`]).
//!
//! A reference to an item that is missing, is not public (unless the page is a
//! [`preview`](crate::preview)) or is the wrong sort of file renders nothing: never a broken
//! image, never an error page.
//!
//! File addresses are `/media/{hash}/{name}` ([`file_href`]), served by [`crate::files`].

use std::collections::HashMap;

use crate::messages::Messages;
use witryna_core::content::{Attachment, Image, Media, MediaRef, StoredFile};
use witryna_core::{Cms, Id};

/// The `sizes` of an image as wide as the content column (`main` and `article` are at most
/// 46rem; the page has 1rem of padding on each side).
pub(crate) const SIZES_COLUMN: &str = "(min-width: 48rem) 46rem, calc(100vw - 2rem)";

/// The `sizes` of a gallery picture: two columns of about 22.5rem from 40rem up.
pub(crate) const SIZES_GALLERY: &str = "(min-width: 40rem) 23rem, calc(100vw - 2rem)";

/// How eagerly the browser fetches a picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loading {
    /// Below the fold: `loading="lazy"`.
    Lazy,
    /// Near the top of the page: fetched at once.
    Eager,
    /// The page's main picture (a news item's cover): at once and first,
    /// `fetchpriority="high"`.
    Priority,
}

/// One picture as `templates/picture.html` renders it.
#[derive(Debug, Clone)]
pub(crate) struct Picture {
    /// The `<img>`'s `src`: the widest JPEG/PNG variant, else the original (or the
    /// address of an image outside the library).
    pub(crate) src: String,
    /// The `<img>`'s `srcset` (JPEG/PNG variants and the original); empty: none.
    pub(crate) srcset: String,
    /// The `srcset` of a `<source type="image/webp">`; empty: no `<picture>`.
    pub(crate) webp_srcset: String,
    pub(crate) sizes: &'static str,
    pub(crate) width: Option<u32>,
    pub(crate) height: Option<u32>,
    /// Empty for a decorative picture.
    pub(crate) alt: String,
    pub(crate) lazy: bool,
    pub(crate) priority: bool,
    /// A caption for a figure (a gallery's): the library title when it says something the
    /// alternative text does not; empty: none (always for decorative pictures).
    pub(crate) caption: String,
}

/// One picture alone, as Markdown bodies get it (templates include `picture.html` with
/// their own `pic`).
#[derive(askama::Template)]
#[template(path = "picture.html")]
pub(crate) struct PictureHtml<'a> {
    pub(crate) pic: &'a Picture,
}

/// One download link as `templates/attachments.html` renders it.
#[derive(Debug, Clone)]
pub(crate) struct AttachmentLink {
    pub(crate) href: String,
    pub(crate) text: String,
    /// The media type without parameters, for the link's `type`.
    pub(crate) mime: String,
    /// „PDF, 75 KB”: inside the link, so screen readers read it with the name.
    pub(crate) details: String,
}

/// One recording as `templates/video.html` renders it: the player, a download link (a
/// browser that cannot play the format still gets the file) and the transcript.
#[derive(Debug, Clone)]
pub(crate) struct Video {
    pub(crate) src: String,
    /// The media type without parameters, for the download link's `type`.
    pub(crate) mime: String,
    /// „WebM, 48 KB”.
    pub(crate) details: String,
    /// What the recording is (the library title, or the text of a Markdown embed); empty:
    /// no caption.
    pub(crate) caption: String,
    /// The transcript's paragraphs; empty: none.
    pub(crate) transcript: Vec<String>,
    /// The transcript shown open (the sign-language page) or folded (in a text).
    pub(crate) expanded: bool,
    /// The catalogue of the page's content.
    pub(crate) t: &'static Messages,
}

/// One recording alone, as Markdown bodies get it.
#[derive(askama::Template)]
#[template(path = "video.html")]
pub(crate) struct VideoHtml<'a> {
    pub(crate) video: &'a Video,
}

/// The media items one page shows, by id, loaded before the page is rendered (Markdown is
/// rendered synchronously, so its `media:` images are looked up here).
#[derive(Debug, Clone)]
pub(crate) struct MediaSet {
    items: HashMap<Id, Media>,
    /// Put before `/media/…`: empty on pages (relative links), the public URL in feeds.
    base: String,
    /// The catalogue of the text the media appear in (a transcript's label).
    t: &'static Messages,
}

impl MediaSet {
    /// A set with nothing in it: every media reference renders nothing.
    pub(crate) fn empty() -> Self {
        Self { items: HashMap::new(), base: String::new(), t: &crate::messages::PL }
    }

    /// A set of these items (tests).
    #[cfg(test)]
    pub(crate) fn of(items: impl IntoIterator<Item = (Id, Media)>) -> Self {
        Self { items: items.into_iter().collect(), ..Self::empty() }
    }

    /// Loads the media items `refs` name. Only public ones are kept, unless `drafts` (a
    /// preview: the editor sees the pictures and links the item will show, though the
    /// files of media not yet public answer 404 until it is published). An item that is
    /// missing or unreadable is left out, and logged. `t`: the language of the text they
    /// appear in.
    pub(crate) async fn load(cms: &Cms, refs: &[MediaRef], drafts: bool, base: &str, t: &'static Messages) -> Self {
        let mut items = HashMap::new();
        let now = cms.now();
        for r in refs {
            if items.contains_key(&r.id) {
                continue;
            }
            match cms.media(r.id).await {
                Ok(Some((record, media))) if drafts || record.meta.is_public_at(now) => {
                    items.insert(r.id, media);
                }
                Ok(Some(_)) => tracing::debug!(media = %r.id, field = %r.path, "media item not public: not shown"),
                Ok(None) => tracing::debug!(media = %r.id, field = %r.path, "no such media item: not shown"),
                Err(e) => {
                    tracing::warn!(media = %r.id, field = %r.path, error = %e, "media item unreadable: not shown")
                }
            }
        }
        Self { items, base: base.to_owned(), t }
    }

    /// The picture of an image reference: a library image (when loaded and an image) or
    /// an address outside the library, as before the library existed.
    pub(crate) fn picture(&self, image: &Image, sizes: &'static str, loading: Loading) -> Option<Picture> {
        let alt = if image.decorative { String::new() } else { image.alt.trim().to_owned() };
        match image.media {
            Some(id) => {
                let media = self.image(id)?;
                let alt = if image.decorative || !alt.is_empty() { alt } else { media.alt.trim().to_owned() };
                Some(self.library_picture(media, alt, image.decorative, sizes, loading))
            }
            None if !image.src.trim().is_empty() => Some(Picture {
                src: image.src.clone(),
                srcset: String::new(),
                webp_srcset: String::new(),
                sizes,
                width: None,
                height: None,
                alt,
                lazy: loading == Loading::Lazy,
                priority: loading == Loading::Priority,
                caption: String::new(),
            }),
            None => None,
        }
    }

    /// The `media:` image `id` of a Markdown text with its alternative text (the library's
    /// when the text gives none), as sanitized HTML allows it; `None` when not loaded.
    pub(crate) fn markdown_picture(&self, id: Id, alt: &str) -> Option<Picture> {
        let media = self.image(id)?;
        let alt = if alt.trim().is_empty() { media.alt.trim() } else { alt.trim() };
        Some(self.library_picture(media, alt.to_owned(), false, SIZES_COLUMN, Loading::Lazy))
    }

    /// The recording `id` with `caption` (the library title when empty); `None` when it is
    /// not loaded or not a video.
    pub(crate) fn video(&self, id: Id, caption: &str, expanded: bool) -> Option<Video> {
        let media = self.items.get(&id).filter(|m| m.file.is_video())?;
        let file = &media.file;
        let caption = if caption.trim().is_empty() { media.title.trim() } else { caption.trim() };
        Some(Video {
            src: file_href(&self.base, file.hash, &file.name),
            mime: essence(&file.content_type).to_owned(),
            details: format!("{}, {}", type_label(self.t, file), size_text(self.t, file.size)),
            caption: caption.to_owned(),
            transcript: paragraphs(&media.transcript),
            expanded,
            t: self.t,
        })
    }

    /// The download link of an attachment; `None` when its file is not loaded.
    pub(crate) fn attachment(&self, t: &Messages, attachment: &Attachment) -> Option<AttachmentLink> {
        let media = self.items.get(&attachment.media)?;
        let file = &media.file;
        let text = if attachment.title.trim().is_empty() { media.label() } else { attachment.title.trim() };
        Some(AttachmentLink {
            href: file_href(&self.base, file.hash, &file.name),
            text: text.to_owned(),
            mime: essence(&file.content_type).to_owned(),
            details: format!("{}, {}", type_label(t, file), size_text(t, file.size)),
        })
    }

    /// The download links of attachments, those not loaded left out.
    pub(crate) fn attachments(&self, t: &Messages, attachments: &[Attachment]) -> Vec<AttachmentLink> {
        attachments.iter().filter_map(|a| self.attachment(t, a)).collect()
    }

    fn image(&self, id: Id) -> Option<&Media> {
        let media = self.items.get(&id)?;
        if media.is_image() {
            Some(media)
        } else {
            tracing::debug!(media = %id, "a document where an image is shown: not shown");
            None
        }
    }

    fn library_picture(
        &self,
        media: &Media,
        alt: String,
        decorative: bool,
        sizes: &'static str,
        loading: Loading,
    ) -> Picture {
        let original = &media.file;
        let href = |f: &StoredFile| file_href(&self.base, original.hash, &f.name);
        // Variants narrower than the original, in the formats every browser shows.
        let plain: Vec<&StoredFile> = media
            .variants
            .iter()
            .filter(|v| is_plain_format(&v.content_type) && v.width.is_some())
            .filter(|v| original.width.is_none_or(|w| v.width < Some(w)))
            .collect();
        let widest = plain.iter().max_by_key(|v| v.width).copied();
        let src = href(widest.unwrap_or(original));
        let candidate = |f: &StoredFile| f.width.map(|w| format!("{} {w}w", href(f)));
        let mut srcset = String::new();
        let mut webp_srcset = String::new();
        if !plain.is_empty() {
            let mut entries: Vec<String> = plain.iter().filter_map(|f| candidate(f)).collect();
            entries.extend(candidate(original));
            srcset = entries.join(", ");
            // A WebP source only when it has a WebP copy for every width the <img> offers
            // below the original; the original itself closes its list too (a browser that
            // takes the WebP source shows JPEG and PNG as well), so wide screens still get
            // the full image.
            let webp: Vec<&StoredFile> = plain
                .iter()
                .filter_map(|p| {
                    media.variants.iter().find(|v| v.width == p.width && essence(&v.content_type) == "image/webp")
                })
                .collect();
            if webp.len() == plain.len() {
                let mut entries: Vec<String> = webp.iter().filter_map(|f| candidate(f)).collect();
                entries.extend(candidate(original));
                webp_srcset = entries.join(", ");
            }
        }
        let caption = if decorative || media.title.trim().is_empty() || media.title.trim() == alt {
            String::new()
        } else {
            media.title.trim().to_owned()
        };
        Picture {
            src,
            srcset,
            webp_srcset,
            sizes,
            width: original.width,
            height: original.height,
            alt,
            lazy: loading == Loading::Lazy,
            priority: loading == Loading::Priority,
            caption,
        }
    }
}

/// The paragraphs of a plain text: split at blank lines, each trimmed.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

/// The address of a stored file: `{base}/media/{hash}/{name}`, the name percent-encoded
/// as one path segment (so a space or a comma cannot split a `srcset`).
pub(crate) fn file_href(base: &str, hash: witryna_core::store::BlobHash, name: &str) -> String {
    format!("{base}/media/{hash}/{}", encode_segment(name))
}

/// Percent-encodes a path segment: everything but the unreserved characters of RFC 3986.
pub(crate) fn encode_segment(s: &str) -> String {
    percent_encode(s, b"")
}

/// Percent-encodes everything but the unreserved characters of RFC 3986 and `also_keep`.
pub(crate) fn percent_encode(s: &str, also_keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || also_keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A media type without its parameters, lower case.
fn essence(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or_default().trim()
}

/// Formats every browser shows in an `<img>` without a `<picture>` around it.
fn is_plain_format(content_type: &str) -> bool {
    matches!(essence(content_type), "image/jpeg" | "image/png" | "image/gif")
}

/// The short name of a file's type for readers: „PDF”, „DOCX”…; for a type not known here,
/// the file name's extension in capitals, else the catalogue's word for a file („plik”).
pub(crate) fn type_label(t: &Messages, file: &StoredFile) -> String {
    let known = match essence(&file.content_type).to_ascii_lowercase().as_str() {
        "application/pdf" => "PDF",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "DOCX",
        "application/msword" => "DOC",
        "application/vnd.oasis.opendocument.text" => "ODT",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "XLSX",
        "application/vnd.ms-excel" => "XLS",
        "application/vnd.oasis.opendocument.spreadsheet" => "ODS",
        "text/plain" => "TXT",
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        "image/webp" => "WebP",
        "image/gif" => "GIF",
        "video/mp4" => "MP4",
        "video/webm" => "WebM",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    match file.name.rsplit_once('.') {
        Some((_, ext)) if (1..=5).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            ext.to_ascii_uppercase()
        }
        _ => t.file.to_owned(),
    }
}

/// A file size as readers see it (the decimal separator from the catalogue), in binary units as Windows shows them (1 KB =
/// 1024 B, 1 MB = 1024 KB), with a non-breaking space before the unit: whole kilobytes
/// rounded up below a megabyte („75 KB”, a 10-byte file „1 KB”, never „0 KB”), megabytes
/// with one decimal and a decimal comma („1,2 MB”, „3 MB”). An empty file is „0 B”.
pub(crate) fn size_text(t: &Messages, bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * KB;
    const GB: u64 = 1024 * MB;
    if bytes == 0 {
        return "0\u{a0}B".to_owned();
    }
    let kb = bytes.div_ceil(KB);
    if kb < 1024 {
        return format!("{kb}\u{a0}KB");
    }
    let (unit, name) = if bytes < GB { (MB, "MB") } else { (GB, "GB") };
    // Tenths, rounded half up; integer arithmetic, so no float edge cases.
    let tenths = (u128::from(bytes) * 10 + u128::from(unit) / 2) / u128::from(unit);
    let (whole, tenth) = (tenths / 10, tenths % 10);
    if tenth == 0 {
        format!("{whole}\u{a0}{name}")
    } else {
        format!("{whole}{}{tenth}\u{a0}{name}", t.decimal_separator)
    }
}

#[cfg(test)]
mod tests {
    use witryna_core::store::BlobHash;

    use super::*;
    use crate::messages::PL;

    fn file(name: &str, content_type: &str, size: u64, width: Option<u32>, height: Option<u32>) -> StoredFile {
        StoredFile {
            hash: BlobHash::of(name.as_bytes()),
            name: name.into(),
            content_type: content_type.into(),
            size,
            width,
            height,
        }
    }

    fn set_with(media: Media) -> (MediaSet, Id) {
        let id = Id::new();
        (MediaSet::of([(id, media)]), id)
    }

    fn photo(variants: Vec<StoredFile>) -> Media {
        Media {
            title: "Spotkanie w klubie".into(),
            alt: "Uczestnicy przy stole".into(),
            file: file("Zdjęcie 1, sala.jpg", "image/jpeg", 300_000, Some(2000), Some(1000)),
            transcript: String::new(),
            variants,
        }
    }

    #[test]
    fn sizes_are_polish_and_never_zero_kilobytes() {
        assert_eq!(size_text(&PL, 0), "0\u{a0}B");
        assert_eq!(size_text(&PL, 10), "1\u{a0}KB");
        assert_eq!(size_text(&PL, 1024), "1\u{a0}KB");
        assert_eq!(size_text(&PL, 1025), "2\u{a0}KB");
        assert_eq!(size_text(&PL, 76_545), "75\u{a0}KB");
        assert_eq!(size_text(&PL, 245 * 1024), "245\u{a0}KB");
        assert_eq!(size_text(&PL, 1024 * 1024 - 1), "1\u{a0}MB", "no „1024 KB”");
        assert_eq!(size_text(&PL, 1_258_291), "1,2\u{a0}MB");
        assert_eq!(size_text(&PL, 3 * 1024 * 1024), "3\u{a0}MB");
        assert_eq!(size_text(&PL, 25 * 1024 * 1024 - 1), "25\u{a0}MB");
        assert_eq!(size_text(&PL, u64::MAX), "17179869184\u{a0}GB");
    }

    #[test]
    fn type_labels_come_from_the_media_type_then_the_name() {
        assert_eq!(type_label(&PL, &file("a.pdf", "application/pdf", 1, None, None)), "PDF");
        assert_eq!(type_label(&PL, &file("a.txt", "text/plain; charset=utf-8", 1, None, None)), "TXT");
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        assert_eq!(type_label(&PL, &file("a", docx, 1, None, None)), "DOCX");
        assert_eq!(type_label(&PL, &file("plan.rtf", "application/rtf", 1, None, None)), "RTF");
        assert_eq!(type_label(&PL, &file("plan.<b>", "application/x", 1, None, None)), "plik");
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("Zdjęcie 1, sala.jpg"), "Zdj%C4%99cie%201%2C%20sala.jpg");
        assert_eq!(encode_segment("a/b?c#d\"<"), "a%2Fb%3Fc%23d%22%3C");
    }

    #[test]
    fn a_photo_offers_its_variants_and_the_original() {
        let (set, id) = set_with(photo(vec![
            file("320.jpg", "image/jpeg", 10, Some(320), Some(160)),
            file("640.jpg", "image/jpeg", 20, Some(640), Some(320)),
            file("1280.jpg", "image/jpeg", 40, Some(1280), Some(640)),
        ]));
        let p = set.picture(&Image::library(id, "Opis"), SIZES_COLUMN, Loading::Lazy).unwrap();
        let h = BlobHash::of("Zdjęcie 1, sala.jpg".as_bytes());
        assert_eq!(p.src, format!("/media/{h}/1280.jpg"));
        assert_eq!(
            p.srcset,
            format!(
                "/media/{h}/320.jpg 320w, /media/{h}/640.jpg 640w, /media/{h}/1280.jpg 1280w, \
                 /media/{h}/Zdj%C4%99cie%201%2C%20sala.jpg 2000w"
            )
        );
        assert!(p.webp_srcset.is_empty(), "no WebP for every width");
        assert_eq!((p.width, p.height, p.alt.as_str(), p.lazy), (Some(2000), Some(1000), "Opis", true));
        assert_eq!(p.caption, "Spotkanie w klubie");
    }

    #[test]
    fn webp_only_when_every_width_has_one() {
        let strip = |webp_widths: &[u32]| {
            let mut variants = vec![
                file("320.png", "image/png", 10, Some(320), Some(20)),
                file("640.png", "image/png", 20, Some(640), Some(40)),
            ];
            for w in webp_widths {
                variants.push(file(&format!("{w}.webp"), "image/webp", 5, Some(*w), Some(w / 16)));
            }
            let media = Media {
                title: String::new(),
                alt: "Znaki funduszy".into(),
                file: file("pasek.png", "image/png", 100, Some(800), Some(50)),
                transcript: String::new(),
                variants,
            };
            let (set, id) = set_with(media);
            let image = Image { decorative: true, ..Image::library(id, "") };
            set.picture(&image, SIZES_COLUMN, Loading::Eager).unwrap()
        };
        let some = strip(&[640]);
        assert!(some.webp_srcset.is_empty());
        let all = strip(&[320, 640]);
        assert!(all.webp_srcset.contains("/320.webp 320w, ") && all.webp_srcset.ends_with("/pasek.png 800w"));
        assert!(all.srcset.contains("/320.png 320w") && !all.srcset.contains("webp"));
        assert_eq!((all.alt.as_str(), all.caption.as_str(), all.lazy), ("", "", false), "decorative");
    }

    #[test]
    fn missing_documents_and_small_images() {
        let (set, id) = set_with(Media {
            title: "Wniosek o zasiłek".into(),
            alt: String::new(),
            file: file("wniosek.pdf", "application/pdf", 76_545, None, None),
            transcript: String::new(),
            variants: Vec::new(),
        });
        assert!(set.picture(&Image::library(id, "x"), SIZES_COLUMN, Loading::Lazy).is_none(), "a document");
        assert!(set.picture(&Image::library(Id::new(), "x"), SIZES_COLUMN, Loading::Lazy).is_none(), "unknown");
        let link = set.attachment(&PL, &Attachment { media: id, title: String::new() }).unwrap();
        assert_eq!(link.text, "Wniosek o zasiłek");
        assert_eq!(link.details, "PDF, 75\u{a0}KB");
        assert_eq!(link.mime, "application/pdf");
        assert!(set.attachment(&PL, &Attachment { media: Id::new(), title: String::new() }).is_none());

        let (set, id) = set_with(Media {
            title: String::new(),
            alt: "Ikona".into(),
            file: file("ikona.png", "image/png", 100, Some(200), Some(200)),
            transcript: String::new(),
            variants: Vec::new(),
        });
        let p = set.picture(&Image::library(id, " "), SIZES_COLUMN, Loading::Priority).unwrap();
        assert!(p.src.ends_with("/ikona.png") && p.srcset.is_empty());
        assert_eq!((p.alt.as_str(), p.priority), ("Ikona", true), "the library's alt when none is given");
    }
}
