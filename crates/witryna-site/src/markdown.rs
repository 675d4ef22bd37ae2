//! CommonMark bodies to safe HTML: pulldown-cmark renders, ammonia sanitizes, so a
//! `<script>` or an `onerror=` in content never reaches the page.

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use witryna_core::validate::MAX_MARKDOWN_DEPTH;

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
pub fn render(markdown: &str) -> String {
    // For each open container: whether it was kept.
    let mut open: Vec<bool> = Vec::new();
    let mut kept = 0usize;
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).filter_map(move |event| {
            match event {
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
            }
        });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&unsafe_html).to_string()
}

/// Longest text rendered on the async worker itself. Rendering and sanitizing costs about
/// 30 µs per KiB (release build, 2026-11-25): up to here that is less than handing the text
/// to another thread and back; longer texts (up to 6 ms for 200 KiB) go to the blocking pool.
const INLINE_MAX: usize = 4 * 1024;

/// Runs `work`, which renders about `size` bytes of Markdown, on the async worker when that
/// is short and on the blocking pool otherwise, so a long text never holds up the workers
/// that answer every other request. An error only if the task failed.
pub(crate) async fn off_worker<T: Send + 'static>(
    size: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    if size <= INLINE_MAX {
        return Ok(work());
    }
    tokio::task::spawn_blocking(work).await
}

/// [`render`] through [`off_worker`].
pub(crate) async fn render_blocking(markdown: String) -> Result<String, tokio::task::JoinError> {
    off_worker(markdown.len(), move || render(&markdown)).await
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
    fn commonmark_with_shifted_headings() {
        let html = render("# Tytuł\n\n1. pierwszy\n2. drugi\n\n- a\n- b\n\n**ważne**");
        assert!(html.contains("<h2>Tytuł</h2>"), "{html}");
        assert!(html.contains("<ol>") && html.contains("<ul>") && html.contains("<strong>ważne</strong>"), "{html}");
    }
}
