//! CommonMark bodies to safe HTML: pulldown-cmark renders, ammonia sanitizes, so a
//! `<script>` or an `onerror=` in content never reaches the page.

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

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
/// the page's title is its only `<h1>`.
pub fn render(markdown: &str) -> String {
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                Event::Start(Tag::Heading { level: shift(level), id, classes, attrs })
            }
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shift(level))),
            other => other,
        });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&unsafe_html).to_string()
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
    fn commonmark_with_shifted_headings() {
        let html = render("# Tytuł\n\n1. pierwszy\n2. drugi\n\n- a\n- b\n\n**ważne**");
        assert!(html.contains("<h2>Tytuł</h2>"), "{html}");
        assert!(html.contains("<ol>") && html.contains("<ul>") && html.contains("<strong>ważne</strong>"), "{html}");
    }
}
