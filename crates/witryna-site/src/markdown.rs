//! CommonMark bodies to safe HTML: pulldown-cmark renders, ammonia sanitizes, so a
//! `<script>` or an `onerror=` in content never reaches the page.
//!
//! Images of the media library (`![opis](media:<id>)`) become the same responsive
//! `<img>` (in a `<picture>` when there is WebP) as the templates' pictures, looked up in a
//! [`MediaSet`] loaded before rendering; one not in the set renders nothing. A video of the
//! library embedded the same way becomes a `<video controls>` with a download link and its
//! transcript folded under it. The sanitizer lets through what those need: `srcset`,
//! `sizes`, `loading` and `decoding` on `<img>`, `<picture>` with `<source type srcset
//! sizes>`, and `<video controls preload src>` — a `srcset` or a video's `src` only with
//! site paths and http(s) addresses.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use askama::Template;
use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use witryna_core::content::media_url;
use witryna_core::validate::MAX_MARKDOWN_DEPTH;

use crate::media::{MediaSet, PictureHtml, VideoHtml};

fn shift(level: HeadingLevel) -> HeadingLevel {
    use HeadingLevel::*;
    match level {
        H1 => H2,
        H2 => H3,
        H3 => H4,
        H4 => H5,
        H5 | H6 => H6,
    }
}

/// Renders CommonMark as sanitized HTML. Headings move one level down (`#` → `<h2>`):
/// the page's title is its only `<h1>`. Containers nested deeper than
/// [`MAX_MARKDOWN_DEPTH`] are flattened (their text stays): validation refuses such
/// texts, and this keeps one that came in some other way from costing minutes.
///
/// Images of the media library (`media:`) are left out: pages render them through a
/// loaded set of media items (see [`crate::render_markdown_with_media`]).
pub fn render(markdown: &str) -> String {
    render_with(markdown, &MediaSet::empty())
}

/// [`render`] with the `media:` images found in `media` as responsive pictures (the others
/// left out).
pub(crate) fn render_with(markdown: &str, media: &MediaSet) -> String {
    // For each open container: whether it was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut kept = 0usize;
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let videos = std::cell::Cell::new(0usize);
    let parser = LibraryImages { events, media, videos: &videos }.filter_map(move |event| match event {
        Event::Start(tag) => {
            let keep = kept < MAX_MARKDOWN_DEPTH;
            open.push(keep);
            kept += usize::from(keep);
            keep.then(|| match tag {
                Tag::Heading { level, id, classes, attrs } => {
                    Event::Start(Tag::Heading { level: shift(level), id, classes, attrs })
                }
                other => Event::Start(other),
            })
        }
        Event::End(tag) => {
            let keep = open.pop().unwrap_or(false);
            kept -= usize::from(keep);
            keep.then(|| match tag {
                TagEnd::Heading(level) => Event::End(TagEnd::Heading(shift(level))),
                other => Event::End(other),
            })
        }
        other => Some(other),
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    let html = SANITIZER.clean(&unsafe_html).to_string();
    // A video is a block (a figure, a download paragraph, the transcript) where Markdown has
    // an inline image: the parser closes the paragraph around it, leaving empty ones.
    if videos.get() > 0 {
        html.replace("<p></p>", "")
    } else {
        html
    }
}

/// Replaces each `media:` image (its start, alternative text and end) by the picture of
/// the media item, or by nothing.
struct LibraryImages<'m, I> {
    events: I,
    media: &'m MediaSet,
    /// How many videos were put in.
    videos: &'m std::cell::Cell<usize>,
}

impl<'e, I: Iterator<Item = Event<'e>>> Iterator for LibraryImages<'_, I> {
    type Item = Event<'e>;

    fn next(&mut self) -> Option<Event<'e>> {
        loop {
            let event = self.events.next()?;
            let Event::Start(Tag::Image { dest_url, .. }) = &event else { return Some(event) };
            let Some(id) = media_url(dest_url) else { return Some(event) };
            // The image's own events: its alternative text, maybe nested images.
            let mut alt = String::new();
            let mut depth = 1usize;
            for inner in self.events.by_ref() {
                match inner {
                    Event::Start(Tag::Image { .. }) => depth += 1,
                    Event::End(TagEnd::Image) => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                    _ => {}
                }
            }
            let Ok(id) = id else { continue };
            let html = if let Some(pic) = self.media.markdown_picture(id, &alt) {
                PictureHtml { pic: &pic }.render()
            } else if let Some(video) = self.media.video(id, &alt, false) {
                self.videos.set(self.videos.get() + 1);
                VideoHtml { video: &video }.render()
            } else {
                tracing::debug!(url = %dest_url, "media image or video not shown");
                continue;
            };
            match html {
                Ok(html) => return Some(Event::InlineHtml(CowStr::from(html))),
                Err(e) => tracing::warn!(error = %e, "picture or video template failed"),
            }
        }
    }
}

/// Whether every candidate of a `srcset` is a site path or an http(s) address (what
/// [`MediaSet`] writes; no `javascript:` or `data:` through raw HTML).
fn safe_srcset(value: &str) -> bool {
    value
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .all(|candidate| safe_media_url(candidate.split_ascii_whitespace().next().unwrap_or_default()))
}

/// Whether a media address is a site path or an http(s) address.
fn safe_media_url(url: &str) -> bool {
    (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("https://") || url.starts_with("http://")
}

/// The sanitizer: ammonia's defaults, links with `rel="noopener noreferrer"`, and what the
/// library's pictures need.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.link_rel(Some("noopener noreferrer"))
        .add_tags(["picture", "source", "video"])
        .add_tag_attributes("img", ["srcset", "sizes", "loading", "decoding"])
        .add_tag_attributes("source", ["srcset", "sizes", "type"])
        .add_tag_attributes("video", ["controls", "preload", "src"])
        // The classes the site's stylesheet gives a recording (`templates/video.html`).
        .add_allowed_classes("figure", ["nagranie"])
        .add_allowed_classes("p", ["pobierz-nagranie"])
        .add_allowed_classes("details", ["zapis"])
        .attribute_filter(|element, attribute, value| {
            let keep = match (element, attribute) {
                (_, "srcset") => safe_srcset(value),
                ("video", "src") => safe_media_url(value),
                ("video", "preload") => matches!(value, "none" | "metadata"),
                (_, "loading") => matches!(value, "lazy" | "eager"),
                (_, "decoding") => matches!(value, "async" | "sync" | "auto"),
                ("source", "type") => value.starts_with("image/"),
                _ => true,
            };
            keep.then_some(Cow::Borrowed(value))
        });
    b
});

/// Longest text, in characters, rendered on the async worker itself. Rendering and
/// sanitizing costs about 30 µs per 1 000 characters (release build, 2026-11-25): up to here
/// that is less than handing the text to another thread and back; longer texts (up to 6 ms
/// for 200 000) go to the blocking pool. Characters, not bytes: the sanitizer's work goes by
/// character, and a Ukrainian text has two bytes to each (counted in bytes, the same news
/// item went to the blocking pool in Ukrainian only, and its page served at 60 % of the
/// Polish one's rate; see BENCHMARKS.md).
const INLINE_MAX: usize = 4 * 1024;

/// Whether rendering `text` is short enough for the async worker ([`INLINE_MAX`]).
pub(crate) fn renders_inline(text: &str) -> bool {
    // Bytes bound characters from above: most texts are decided without counting.
    text.len() <= INLINE_MAX || text.chars().count() <= INLINE_MAX
}

/// Runs `work` on the async worker when it is short ([`renders_inline`]) and on the
/// blocking pool otherwise, so a long text never holds up the workers that answer every
/// other request. An error only if the task failed.
pub(crate) async fn off_worker<T: Send + 'static>(
    inline: bool,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    if inline {
        return Ok(work());
    }
    tokio::task::spawn_blocking(work).await
}

/// [`render_with`] through [`off_worker`].
pub(crate) async fn render_blocking(markdown: String, media: &Arc<MediaSet>) -> Result<String, tokio::task::JoinError> {
    let media = Arc::clone(media);
    off_worker(renders_inline(&markdown), move || render_with(&markdown, &media)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_never_pass() {
        let html =
            render("Tekst <script>alert(1)</script> i <img src=x onerror=alert(2)> oraz [link](javascript:alert(3))");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn deep_nesting_is_flattened_quickly() {
        let html = render(&format!("{}głęboko", ">".repeat(199_000)));
        assert_eq!(html.matches("<blockquote>").count(), MAX_MARKDOWN_DEPTH, "{}", &html[..200]);
        assert!(html.contains("głęboko"));
    }

    #[test]
    fn library_images_become_responsive_pictures_that_survive_sanitizing() {
        use witryna_core::content::{Media, StoredFile};
        use witryna_core::store::BlobHash;
        use witryna_core::Id;

        let stored = |name: &str, content_type: &str, width: u32| StoredFile {
            hash: BlobHash::of(name.as_bytes()),
            name: name.into(),
            content_type: content_type.into(),
            size: 1000,
            width: Some(width),
            height: Some(width / 2),
        };
        let media = Media {
            title: "Logo".into(),
            alt: "Znaki funduszy".into(),
            file: stored("pasek \"1\".png", "image/png", 1600),
            transcript: String::new(),
            variants: vec![
                stored("320.png", "image/png", 320),
                stored("320.webp", "image/webp", 320),
                stored("640.png", "image/png", 640),
                stored("640.webp", "image/webp", 640),
            ],
        };
        let (id, missing) = (Id::new(), Id::new());
        let set = MediaSet::of([(id, media)]);
        let md = format!(
            "Przed ![Uczestnicy & „goście” \"x\"](media:{id}) po.\n\n![Brak](media:{missing}) \
             ![Zły](media:zle) ![](media:{id}) ![Zwykły](/a.png)"
        );
        let html = render_with(&md, &set);
        let h = BlobHash::of(b"pasek \"1\".png");
        assert!(html.contains("<picture><source type=\"image/webp\" srcset=\""), "{html}");
        assert!(html.contains(&format!("/media/{h}/pasek%20%221%22.png 1600w")), "{html}");
        assert!(html.contains(&format!("src=\"/media/{h}/640.png\"")), "{html}");
        assert!(html.contains("width=\"1600\" height=\"800\""), "{html}");
        assert!(html.contains("sizes=\"(min-width: 48rem) 46rem, calc(100vw - 2rem)\""), "{html}");
        assert!(html.contains("loading=\"lazy\" decoding=\"async\""), "{html}");
        assert!(html.contains("alt=\"Uczestnicy &amp; „goście” &quot;x&quot;\""), "{html}");
        assert!(html.contains("alt=\"Znaki funduszy\""), "the library's text when the Markdown gives none: {html}");
        assert!(!html.contains("Brak") && !html.contains("Zły") && !html.contains("media:"), "{html}");
        assert!(html.contains("<img src=\"/a.png\" alt=\"Zwykły\">"), "other images as before: {html}");
        assert_eq!(html.matches("<picture>").count(), 2, "{html}");
        assert!(!render(&md).contains("<picture"), "without media, library images render nothing");
    }

    #[test]
    fn library_videos_play_with_a_download_link_and_their_transcript() {
        use witryna_core::content::{Media, StoredFile};
        use witryna_core::store::BlobHash;
        use witryna_core::Id;

        let file = StoredFile {
            hash: BlobHash::of(b"pjm"),
            name: "informacja pjm.webm".into(),
            content_type: "video/webm".into(),
            size: 48 * 1024,
            width: None,
            height: None,
        };
        let transcript = "MOPS pomaga <ludziom>.\r\n\r\nDo MOPS możesz przyjść.".into();
        let media = Media { title: "Informacja w PJM".into(), alt: String::new(), file, transcript, variants: vec![] };
        let id = Id::new();
        let html = render_with(&format!("Obejrzyj:\n\n![](media:{id})\n\nKoniec."), &MediaSet::of([(id, media)]));
        let src = format!("/media/{}/informacja%20pjm.webm", BlobHash::of(b"pjm"));
        assert!(html.contains(&format!("<video controls=\"\" preload=\"metadata\" src=\"{src}\">")), "{html}");
        assert!(html.contains("<figcaption>Informacja w PJM</figcaption>"), "the library title: {html}");
        assert!(html.contains("Pobierz nagranie <span>(WebM, 48&nbsp;KB)</span>"), "{html}");
        assert!(html.contains("<details class=\"zapis\"><summary>Zapis treści nagrania</summary>"), "{html}");
        assert!(html.contains("<figure class=\"nagranie\">"), "the stylesheet's classes stay: {html}");
        assert!(html.contains("<p>MOPS pomaga &lt;ludziom&gt;.</p>\n<p>Do MOPS możesz przyjść.</p>"), "{html}");
        assert!(html.starts_with("<p>Obejrzyj:</p>") && html.trim_end().ends_with("<p>Koniec.</p>"), "{html}");
        // Raw HTML gets no script-like source and no autoplay.
        let raw = render("<video src=\"javascript:alert(1)\" autoplay onplay=\"x()\" controls></video>");
        assert!(!raw.contains("javascript") && !raw.contains("autoplay") && !raw.contains("onplay"), "{raw}");
    }

    #[test]
    fn raw_pictures_cannot_smuggle_urls() {
        let html = render(
            "<picture><source type=\"text/html\" srcset=\"javascript:alert(1) 1x\">\
             <img src=\"/a.png\" srcset=\"data:image/png;base64,xx 1x, /b.png 2x\" loading=\"x\" alt=\"a\"></picture>",
        );
        assert!(!html.contains("javascript") && !html.contains("data:") && !html.contains("text/html"), "{html}");
        assert!(!html.contains("loading"), "{html}");
        let ok = render("<img src=\"/a.png\" srcset=\"/a.png 1x, https://x.pl/b.png 2x\" alt=\"a\">");
        assert!(ok.contains("srcset=\"/a.png 1x, https://x.pl/b.png 2x\""), "{ok}");
    }

    #[test]
    fn commonmark_with_shifted_headings() {
        let html = render("# Tytuł\n\n1. pierwszy\n2. drugi\n\n- a\n- b\n\n**ważne**");
        assert!(html.contains("<h2>Tytuł</h2>"), "{html}");
        assert!(html.contains("<ol>") && html.contains("<ul>") && html.contains("<strong>ważne</strong>"), "{html}");
    }
}
