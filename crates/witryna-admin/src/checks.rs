//! The content check before publishing (ATAG 2.0 part B): advice to the author about the
//! accessibility of what they wrote. Advice never blocks saving or publishing; validation
//! ([`Kind::check`]) does that.
//!
//! [`check`] walks a content JSON together with its kind's JSON Schema. Which texts are
//! Markdown is decided as the site decides (`witryna-site`'s generic pages): a text field
//! whose schema `title` or `description` mentions "Markdown" or "CommonMark". It looks at:
//!
//! - titles and names (fields `title`, `name`, and with [`check_kind`] the field the kind
//!   takes its title from) and Markdown headings written in CAPITALS;
//! - in Markdown: skipped heading levels, links without text or with vague text („kliknij
//!   tutaj”), images without alternative text, very long paragraphs, tables whose header
//!   row is empty, and HTML tables without `<th>` or images without `alt`.
//!
//! About heading levels: the site renders a body's `#` as `<h2>` (`witryna-site`'s
//! `markdown::render` moves every heading one level down, since the page's title is its only
//! `<h1>`). So a `#` in a body is not advice: it is the body's top level. A body's first
//! heading may be `#` or `##` (a programme's body sits under the template's own `<h2>`), and
//! every following heading may go at most one level deeper than the one before it.
//!
//! The work is bounded: nesting deeper than [`MAX_DEPTH`], more than [`MAX_NODES`] values,
//! Markdown past [`MAX_MARKDOWN_BYTES`] per text and more than [`MAX_ADVICE`] pieces of
//! advice are not looked at; no input makes it panic.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;
use witryna_core::Kind;
use witryna_site::schema::{is_markdown, prefix, Schemas};

/// One piece of advice about the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// The field, as the core names fields: `body`, `sections[1].text`, `funding.programme`.
    pub path: String,
    /// What is wrong and what to do, in plain Polish.
    pub message: String,
    /// A short text (at most [`EXCERPT_CHARS`] characters) that shows where: the link, the
    /// heading, the start of the paragraph.
    pub excerpt: Option<String>,
}

/// Longest excerpt, in characters.
pub const EXCERPT_CHARS: usize = 80;
/// A paragraph with more words than this is advice.
pub const LONG_PARAGRAPH_WORDS: usize = 150;
/// A title or heading with at least this many letters...
pub const CAPITALS_MIN_LETTERS: usize = 8;
/// ...more than this share of them upper-case is written in capitals.
pub const CAPITALS_SHARE: f64 = 0.7;
/// Deepest nesting of JSON looked at.
pub const MAX_DEPTH: usize = 64;
/// Most JSON values looked at.
pub const MAX_NODES: usize = 100_000;
/// Longest Markdown text looked at, in bytes; only the start of a longer one is checked.
pub const MAX_MARKDOWN_BYTES: usize = 1024 * 1024;
/// Most Markdown looked at over the whole content, in bytes.
pub const MAX_TOTAL_MARKDOWN_BYTES: usize = 4 * 1024 * 1024;
/// Most pieces of advice returned.
pub const MAX_ADVICE: usize = 200;

/// Link texts that do not say where a link leads (compared lower-case, trimmed, without
/// punctuation).
const VAGUE_LINK_TEXTS: &[&str] = &[
    "kliknij tutaj",
    "kliknij tu",
    "tutaj",
    "tu",
    "więcej",
    "czytaj więcej",
    "czytaj dalej",
    "link",
    "kliknij",
    "here",
    "click here",
    "more",
    "read more",
];

/// Checks a content JSON of a kind whose root JSON Schema is `schema` (schemars 1.x, its
/// definitions under `$defs`; see [`form::root_schema`](witryna_site::schema::root_schema)). Title-like fields are `title` and
/// `name`, at any depth.
pub fn check(schema: &Value, value: &Value) -> Vec<Advice> {
    Checker::new(schema, None).run(value)
}

/// [`check`] for an item of `kind`: also the top-level field the kind's title comes from
/// (a job offer's `position`, say) is title-like.
pub fn check_kind(kind: &Kind, value: &Value) -> Vec<Advice> {
    let schema = witryna_site::schema::root_schema(kind);
    let field = title_field(kind, value);
    Checker::new(&schema, field.as_deref()).run(value)
}

/// The top-level text field whose value is the kind's title, when there is one.
fn title_field(kind: &Kind, value: &Value) -> Option<String> {
    // Content nests far less; serde_json would not read it back, and writing it out would
    // recurse as deep as it goes.
    if nests_deeper(value, MAX_DEPTH) {
        return None;
    }
    let title = kind.title(&value.to_string()).filter(|t| !t.trim().is_empty())?;
    let members = value.as_object()?;
    let same = |name: &str| members.get(name).and_then(Value::as_str) == Some(title.as_str());
    let preferred = ["title", "name"].into_iter().find(|name| same(name)).map(str::to_owned);
    preferred.or_else(|| members.keys().find(|name| same(name)).cloned())
}

/// Whether `value` nests deeper than `max`, found without recursion.
fn nests_deeper(value: &Value, max: usize) -> bool {
    let mut stack = vec![(value, 0usize)];
    while let Some((value, depth)) = stack.pop() {
        if depth > max {
            return true;
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|v| (v, depth + 1))),
            Value::Object(members) => stack.extend(members.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    false
}

/// What a text field is, for the capitals advice.
#[derive(Clone, Copy)]
enum TitleLike {
    Title,
    Name,
}

struct Checker<'a> {
    schemas: Schemas<'a>,
    /// The top-level field the kind's title comes from.
    title_field: Option<&'a str>,
    advice: Vec<Advice>,
    nodes: usize,
    markdown_bytes: usize,
}

impl<'a> Checker<'a> {
    fn new(schema: &'a Value, title_field: Option<&'a str>) -> Self {
        Self { schemas: Schemas::new(schema), title_field, advice: Vec::new(), nodes: 0, markdown_bytes: 0 }
    }

    fn run(mut self, value: &Value) -> Vec<Advice> {
        let root = self.schemas.root();
        self.value(Some(root), None, false, value, String::new(), 0);
        self.advice
    }

    fn full(&self) -> bool {
        self.advice.len() >= MAX_ADVICE
    }

    fn push(&mut self, path: &str, message: String, excerpt: Option<String>) {
        if !self.full() {
            self.advice.push(Advice { path: path.to_owned(), message, excerpt });
        }
    }

    /// A value whose field schema is `field`; `name` is its member name, `markdown` whether
    /// the list it is in holds Markdown.
    fn value(
        &mut self,
        field: Option<&'a Value>,
        name: Option<&str>,
        markdown: bool,
        value: &Value,
        path: String,
        depth: usize,
    ) {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES || self.full() {
            return;
        }
        let schema = field.map(|f| self.schemas.for_value(f, value));
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    let member_field = schema.and_then(|s| self.schemas.property(s, key));
                    let member_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    self.value(member_field, Some(key), false, member, member_path, depth + 1);
                }
            }
            Value::Array(items) => {
                let markdown = markdown || field.is_some_and(is_markdown) || schema.is_some_and(is_markdown);
                for (i, item) in items.iter().enumerate() {
                    let item_field = schema.and_then(|s| self.schemas.item(s, i));
                    self.value(item_field, None, markdown, item, format!("{path}[{i}]"), depth + 1);
                }
            }
            Value::String(text) => {
                let title_like = match name {
                    Some("title") => Some(TitleLike::Title),
                    Some("name") => Some(TitleLike::Name),
                    Some(n) if depth == 1 && self.title_field == Some(n) => Some(TitleLike::Title),
                    _ => None,
                };
                if let Some(kind) = title_like {
                    if in_capitals(text) {
                        let message = match kind {
                            TitleLike::Title => capitals_message("Tytuł jest napisany", "go"),
                            TitleLike::Name => capitals_message("Nazwa jest napisana", "ją"),
                        };
                        self.push(&path, message, excerpt(text));
                    }
                }
                let markdown = markdown || field.is_some_and(is_markdown) || schema.is_some_and(is_markdown);
                if markdown {
                    self.markdown(&path, text);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Checks one Markdown text.
    fn markdown(&mut self, path: &str, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let left = MAX_TOTAL_MARKDOWN_BYTES.saturating_sub(self.markdown_bytes);
        let limit = MAX_MARKDOWN_BYTES.min(left);
        let source = prefix(text, limit);
        self.markdown_bytes += source.len();
        if source.len() < text.len() {
            let message = "Tekst jest bardzo długi, dlatego sprawdzono tylko jego początek. \
                           Rozważ podzielenie go na kilka stron."
                .to_owned();
            self.push(path, message, None);
            if source.trim().is_empty() {
                return;
            }
        }
        let found = MarkdownCheck::run(source);
        for (message, excerpt) in found {
            self.push(path, message, excerpt);
        }
    }
}

/// `text` as an excerpt: whitespace collapsed, at most [`EXCERPT_CHARS`] characters;
/// `None` when blank.
fn excerpt(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut count = 0;
    for word in text.split_whitespace() {
        for piece in [if out.is_empty() { "" } else { " " }, word] {
            for c in piece.chars() {
                if count == EXCERPT_CHARS {
                    // Replace the last character with an ellipsis.
                    out.pop();
                    out.push('…');
                    return Some(out);
                }
                out.push(c);
                count += 1;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Whether a text is written in capitals: at least [`CAPITALS_MIN_LETTERS`] letters, more
/// than [`CAPITALS_SHARE`] of them upper-case.
pub fn in_capitals(text: &str) -> bool {
    let (mut letters, mut upper) = (0usize, 0usize);
    for c in text.chars().take(10_000) {
        if c.is_uppercase() {
            upper += 1;
            letters += 1;
        } else if c.is_lowercase() {
            letters += 1;
        }
    }
    letters >= CAPITALS_MIN_LETTERS && upper as f64 > CAPITALS_SHARE * letters as f64
}

fn capitals_message(what: &str, pronoun: &str) -> String {
    format!(
        "{what} wielkimi literami. Taki tekst czyta się trudniej, a niektóre czytniki ekranu \
         literują go znak po znaku. Napisz {pronoun} zwykłymi literami: wielka litera tylko na \
         początku i w nazwach własnych."
    )
}

/// The Polish word for `n` words.
fn words_pl(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        _ if n == 1 => "słowo",
        (2..=4, r) if !(12..=14).contains(&r) => "słowa",
        _ => "słów",
    }
}

fn hashes(level: u8) -> String {
    "#".repeat(usize::from(level))
}

/// Link text as compared with [`VAGUE_LINK_TEXTS`].
fn normalised(text: &str) -> String {
    let kept: String =
        text.chars().filter(|c| c.is_alphanumeric() || c.is_whitespace()).flat_map(char::to_lowercase).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An element being read: where it starts and its text so far.
struct Open {
    start: usize,
    text: String,
}

impl Open {
    fn at(range: &Range<usize>) -> Self {
        Self { start: range.start, text: String::new() }
    }
}

/// One Markdown text being checked.
struct MarkdownCheck<'s> {
    source: &'s str,
    found: Vec<(String, Option<String>)>,
    /// The level of the last heading (Markdown `#` count).
    last_heading: Option<u8>,
    heading: Option<(u8, Range<usize>, String)>,
    link: Option<Open>,
    image: Option<Open>,
    /// The start of the paragraph being read, its words so far and whether a word is open.
    paragraph: Option<(usize, usize, bool)>,
    /// The start of a table's header row and whether it has text.
    table_head: Option<(usize, bool)>,
    html: String,
}

impl<'s> MarkdownCheck<'s> {
    fn run(source: &'s str) -> Vec<(String, Option<String>)> {
        let mut check = MarkdownCheck {
            source,
            found: Vec::new(),
            last_heading: None,
            heading: None,
            link: None,
            image: None,
            paragraph: None,
            table_head: None,
            html: String::new(),
        };
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
            if check.found.len() >= MAX_ADVICE {
                break;
            }
            check.event(event, range);
        }
        check.html_checks();
        check.found
    }

    fn source_excerpt(&self, range: Range<usize>) -> Option<String> {
        self.source.get(range).and_then(excerpt)
    }

    fn add(&mut self, message: String, excerpt: Option<String>) {
        if self.found.len() < MAX_ADVICE {
            self.found.push((message, excerpt));
        }
    }

    fn text(&mut self, text: &str) {
        for open in [self.link.as_mut(), self.image.as_mut()].into_iter().flatten() {
            open.text.push_str(text);
        }
        if let Some((_, _, heading)) = self.heading.as_mut() {
            heading.push_str(text);
        }
        if let Some((_, has_text)) = self.table_head.as_mut() {
            *has_text |= !text.trim().is_empty();
        }
        if let Some((_, words, in_word)) = self.paragraph.as_mut() {
            for c in text.chars() {
                if c.is_whitespace() {
                    *in_word = false;
                } else if !*in_word {
                    *words += 1;
                    *in_word = true;
                }
            }
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Text(t) | Event::Code(t) => self.text(&t),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            Event::Html(html) | Event::InlineHtml(html) if self.html.len() < MAX_MARKDOWN_BYTES => {
                self.html.push_str(&html);
            }
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some((level as u8, range, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::Paragraph) => self.paragraph = Some((range.start, 0, false)),
            Event::End(TagEnd::Paragraph) => {
                if let Some((start, words, _)) = self.paragraph.take() {
                    if words > LONG_PARAGRAPH_WORDS {
                        let message = format!(
                            "Akapit ma {words} {}. Długi akapit trudno przeczytać i zrozumieć. Podziel go \
                             na krótsze (najwyżej około {LONG_PARAGRAPH_WORDS} słów): jedna myśl w jednym \
                             akapicie, wyliczenia jako lista punktów.",
                            words_pl(words)
                        );
                        let excerpt = self.source_excerpt(start..range.end);
                        self.add(message, excerpt);
                    }
                }
            }
            Event::Start(Tag::Link { .. }) => self.link = Some(Open::at(&range)),
            Event::End(TagEnd::Link) => {
                if let Some(link) = self.link.take() {
                    self.end_link(link, range.end);
                }
            }
            Event::Start(Tag::Image { .. }) => self.image = Some(Open::at(&range)),
            Event::End(TagEnd::Image) => {
                if let Some(image) = self.image.take() {
                    if image.text.trim().is_empty() {
                        let message = "Obrazek nie ma tekstu alternatywnego. Opisz w nawiasach kwadratowych, \
                                       co na nim widać, np. ![Uczestnicy spotkania w Klubie Integracji \
                                       Społecznej](…). Jeśli obrazek jest tylko ozdobą, opis może zostać pusty."
                            .to_owned();
                        let excerpt = self.source_excerpt(image.start..range.end);
                        self.add(message, excerpt);
                    }
                }
            }
            Event::Start(Tag::TableHead) => self.table_head = Some((range.start, false)),
            Event::End(TagEnd::TableHead) => {
                if let Some((start, false)) = self.table_head.take() {
                    let message = "Tabela nie ma nagłówków kolumn: komórki pierwszego wiersza są puste. \
                                   Wpisz w nich, co zawiera każda kolumna; czytnik ekranu odczytuje te nazwy \
                                   przy każdej komórce."
                        .to_owned();
                    let excerpt = self.source_excerpt(start..range.end);
                    self.add(message, excerpt);
                }
            }
            _ => {}
        }
    }

    fn end_heading(&mut self) {
        let Some((level, range, text)) = self.heading.take() else { return };
        let excerpt = self.source_excerpt(range);
        match self.last_heading {
            None if level > 2 => {
                let message = format!(
                    "Pierwszy nagłówek w tekście ma poziom {level} ({}), a wyższych poziomów nad nim nie \
                     ma. Czytniki ekranu pokazują nagłówki jak spis treści. Zacznij od # (na stronie to \
                     nagłówek zaraz pod tytułem) i schodź o jeden poziom naraz.",
                    hashes(level)
                );
                self.add(message, excerpt.clone());
            }
            Some(last) if level > last + 1 => {
                let message = format!(
                    "Po nagłówku {} jest od razu nagłówek {}: pominięto poziom {}. Czytniki ekranu \
                     pokazują nagłówki jak spis treści, więc poziomy nie powinny mieć luk. Zmień ten \
                     nagłówek na {} albo dodaj nad nim brakujący.",
                    hashes(last),
                    hashes(level),
                    hashes(last + 1),
                    hashes(last + 1)
                );
                self.add(message, excerpt.clone());
            }
            _ => {}
        }
        self.last_heading = Some(level);
        if in_capitals(&text) {
            self.add(capitals_message("Nagłówek jest napisany", "go"), excerpt);
        }
    }

    fn end_link(&mut self, link: Open, end: usize) {
        let excerpt = self.source_excerpt(link.start..end);
        let text = link.text.trim();
        if text.is_empty() {
            let message = "Link nie ma tekstu, więc czytnik ekranu nie powie, dokąd prowadzi. Wpisz w \
                           nawiasach kwadratowych, co jest pod linkiem, np. [Klauzula informacyjna](…)."
                .to_owned();
            self.add(message, excerpt);
        } else if VAGUE_LINK_TEXTS.contains(&normalised(text).as_str()) {
            let message = format!(
                "Tekst linku „{text}” nie mówi, dokąd link prowadzi; czytniki ekranu często czytają same \
                 linki, bez zdania wokół. Wpisz w nawiasach kwadratowych, co jest pod linkiem, np. \
                 [Regulamin rekrutacji (PDF)](…) zamiast [kliknij tutaj](…)."
            );
            self.add(message, excerpt);
        }
    }

    /// Tables without `<th>` and images without `alt` in the text's HTML. One pass each: a
    /// tag's end is looked for once, and the next tag is looked for after it, so texts full
    /// of unclosed tags cost time in proportion to their length.
    fn html_checks(&mut self) {
        let html = std::mem::take(&mut self.html);
        let lower = html.to_ascii_lowercase();
        let mut from = 0;
        while let Some(start) = next_tag(&lower, "table", from) {
            let end = lower[start..].find("</table").map_or(lower.len(), |e| start + e);
            if next_tag(&lower[..end], "th", start).is_none() {
                let message = "Tabela w HTML nie ma komórek nagłówka (<th>). Oznacz nagłówki kolumn \
                               znacznikiem <th scope=\"col\"> albo zapisz tabelę w Markdown, gdzie pierwszy \
                               wiersz jest nagłówkiem."
                    .to_owned();
                self.add(message, html.get(start..end).and_then(excerpt));
            }
            from = end.max(start + 1);
        }
        let mut from = 0;
        while let Some(start) = next_tag(&lower, "img", from) {
            let end = lower[start..].find('>').map_or(lower.len(), |e| start + e + 1);
            let has_alt = lower[start + 4..end.max(start + 4)]
                .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
                .any(|attribute| attribute == "alt" || attribute.starts_with("alt="));
            if !has_alt {
                let message = "Obrazek w HTML (<img>) nie ma atrybutu alt. Dodaj alt=\"opis tego, co widać\"; \
                               dla obrazka, który jest tylko ozdobą, alt=\"\"."
                    .to_owned();
                self.add(message, html.get(start..end).and_then(excerpt));
            }
            from = end.max(start + 1);
        }
    }
}

/// Where the next opening tag `<{name}` at or after `from` starts in lower-case HTML.
fn next_tag(html: &str, name: &str, from: usize) -> Option<usize> {
    let open = format!("<{name}");
    html.get(from..)?.match_indices(open.as_str()).map(|(i, _)| from + i).find(|i| {
        let after = html.as_bytes().get(i + open.len());
        after.is_none_or(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
    })
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;
    use witryna_core::kinds::{KindSpec, Labels};
    use witryna_core::{Content, Kinds, ValidationErrors};

    use super::*;

    /// A kind with Markdown inside a list of objects, for paths like `sections[1].text`.
    #[derive(Serialize, Deserialize, schemars::JsonSchema)]
    struct Guide {
        /// Tytuł.
        title: String,
        /// Sekcje.
        sections: Vec<Section>,
    }

    #[derive(Serialize, Deserialize, schemars::JsonSchema)]
    struct Section {
        /// Nagłówek sekcji.
        heading: String,
        /// Treść sekcji, Markdown.
        text: String,
    }

    /// The example job offer's shape: its title is `position`.
    #[derive(Serialize, Deserialize, schemars::JsonSchema)]
    struct JobOffer {
        /// Stanowisko (position).
        position: String,
        /// Opis stanowiska, CommonMark.
        description: String,
    }

    impl Content for JobOffer {
        const KIND: &'static str = "job-offer";

        fn title(&self) -> &str {
            &self.position
        }

        fn validate(&self) -> Result<(), ValidationErrors> {
            Ok(())
        }
    }

    fn demo() -> Value {
        witryna_core::demo::data_without_files()
    }

    fn kind(name: &str) -> Kind {
        *Kinds::builtin().get(name).unwrap()
    }

    fn body_advice(markdown: &str) -> Vec<Advice> {
        let news = json!({ "title": "Aktualność", "body": markdown, "author": "MOPS Kalisz" });
        check_kind(&kind("news"), &news)
    }

    fn messages(advice: &[Advice]) -> Vec<&str> {
        advice.iter().map(|a| a.message.as_str()).collect()
    }

    #[test]
    fn the_demo_content_needs_no_advice() {
        let demo = demo();
        let mut checked = 0;
        for (section, name) in [("pages", "page"), ("units", "unit"), ("programmes", "programme"), ("news", "news")] {
            for (i, entry) in demo[section].as_array().unwrap().iter().enumerate() {
                let advice = check_kind(&kind(name), &entry["content"]);
                assert!(advice.is_empty(), "{section}[{i}]: {advice:#?}");
                checked += 1;
            }
        }
        assert!(check_kind(&kind("accessibility"), &demo["settings"]).is_empty());
        assert!(check_kind(&kind("activity-information"), &demo["activity"]["content"]).is_empty());
        assert_eq!(checked, 14);
    }

    /// Seed 000 (`../shared/seeds/000_16faa87d5dea7258.txt`, MOPS Kalisz) headed its news
    /// in capitals; the demo file writes the title in sentence case.
    #[test]
    fn the_capitals_title_of_seed_000_is_advice() {
        let mut news = demo()["news"][0]["content"].clone();
        news["title"] = json!("SPOTKANIE INFORMACYJNE W KLUBIE INTEGRACJI SPOŁECZNEJ");
        for advice in
            [check_kind(&kind("news"), &news), check(&witryna_site::schema::root_schema(&kind("news")), &news)]
        {
            assert_eq!(advice.len(), 1, "{advice:#?}");
            assert_eq!(advice[0].path, "title");
            assert!(advice[0].message.starts_with("Tytuł jest napisany wielkimi literami."), "{}", advice[0].message);
            assert_eq!(advice[0].excerpt.as_deref(), Some("SPOTKANIE INFORMACYJNE W KLUBIE INTEGRACJI SPOŁECZNEJ"));
        }
        let mut programme = demo()["programmes"][0]["content"].clone();
        programme["name"] = json!("RÓWNI NA STARCIE");
        programme["people"][0]["name"] = json!("WITOLD ULATOWSKI");
        let advice = check_kind(&kind("programme"), &programme);
        let paths: Vec<&str> = advice.iter().map(|a| a.path.as_str()).collect();
        assert_eq!(paths, ["name", "people[0].name"]);
        assert!(advice[0].message.starts_with("Nazwa jest napisana wielkimi literami."));

        assert!(in_capitals("RÓWNI NA STARCIE"));
        assert!(!in_capitals("Spotkanie w MOPS Kalisz i PCPR"), "acronyms in a sentence");
        assert!(!in_capitals("KIS MOPS"), "fewer than 8 letters");
        assert!(!in_capitals("2017-02-03 09:41:08"));
    }

    #[test]
    fn the_field_a_kind_takes_its_title_from_is_a_title() {
        let kinds = Kinds::empty().with::<JobOffer>(KindSpec {
            api_segment: "job-offers",
            site_section: "/oferty-pracy",
            labels: Labels { singular: "Oferta pracy", plural: "Oferty pracy", add_new: "Dodaj ofertę pracy" },
        });
        let offer = json!({ "position": "PRACOWNIK SOCJALNY", "description": "Zakres obowiązków." });
        let advice = check_kind(kinds.get("job-offer").unwrap(), &offer);
        assert_eq!(advice.len(), 1, "{advice:#?}");
        assert_eq!((advice[0].path.as_str(), advice[0].excerpt.as_deref()), ("position", Some("PRACOWNIK SOCJALNY")));
        assert!(check(&schemars::schema_for!(JobOffer).to_value(), &offer).is_empty(), "without the kind: a text");
    }

    #[test]
    fn vague_and_empty_links_are_found_where_they_are() {
        let schema = schemars::schema_for!(Guide).to_value();
        let guide = json!({
            "title": "Jak złożyć wniosek",
            "sections": [
                { "heading": "Wniosek", "text": "Pobierz [wniosek o zasiłek celowy (PDF)](/wniosek.pdf)." },
                { "heading": "KLIKNIJ TUTAJ", "text": "Regulamin: [Kliknij tutaj!](/regulamin.pdf). \
                  Zobacz też [ więcej… ](/x), [](/pusty) i [![Logo EFS](/efs.png)](/efs)." }
            ]
        });
        let advice = check(&schema, &guide);
        assert_eq!(advice.len(), 3, "{advice:#?}");
        assert!(advice.iter().all(|a| a.path == "sections[1].text"), "{advice:#?}");
        assert_eq!(advice[0].excerpt.as_deref(), Some("[Kliknij tutaj!](/regulamin.pdf)"));
        assert!(advice[0].message.starts_with("Tekst linku „Kliknij tutaj!” nie mówi"), "{}", advice[0].message);
        assert_eq!(advice[1].excerpt.as_deref(), Some("[ więcej… ](/x)"));
        assert_eq!(advice[2].excerpt.as_deref(), Some("[](/pusty)"));
        assert!(advice[2].message.starts_with("Link nie ma tekstu"));

        let advice = body_advice("Program spotkania [czytaj więcej](/program).");
        assert_eq!(messages(&advice).len(), 1);
        assert_eq!(advice[0].path, "body");
        let mut programme = demo()["programmes"][3]["content"].clone();
        programme["recruitment"] = json!("Formularz jest [tutaj](/formularz).");
        let advice = check_kind(&kind("programme"), &programme);
        assert_eq!(advice.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(), ["recruitment"], "an optional field");
        let news = json!({ "title": "T", "lead": "[tutaj](/x)", "body": "Treść.", "author": "MOPS" });
        assert!(check_kind(&kind("news"), &news).is_empty(), "a lead is not Markdown");
    }

    #[test]
    fn heading_levels_follow_the_site() {
        // The site shows `#` as <h2>: a body may start with it, or with `##`.
        assert!(body_advice("# Godziny pracy\n\nOd 7:30.\n\n## Poniedziałek\n\nDo 17:00.").is_empty());
        assert!(body_advice("## Grudzień 2014\n\n### Szczegóły\n\n## Styczeń 2015").is_empty());
        let advice = body_advice("# Godziny\n\n### Poniedziałek\n\n## Wtorek\n\n#### Środa");
        assert_eq!(advice.len(), 2, "{advice:#?}");
        assert!(advice[0].message.starts_with("Po nagłówku # jest od razu nagłówek ###: pominięto poziom ##."));
        assert_eq!(advice[0].excerpt.as_deref(), Some("### Poniedziałek"));
        assert!(advice[1].message.starts_with("Po nagłówku ## jest od razu nagłówek ####: pominięto poziom ###."));
        let advice = body_advice("Wstęp.\n\n### Na początku");
        assert_eq!(advice.len(), 1);
        assert!(advice[0].message.starts_with("Pierwszy nagłówek w tekście ma poziom 3 (###)"));
        let advice = body_advice("## GODZINY PRACY OŚRODKA\n\nOd 7:30.");
        assert_eq!(advice.len(), 1);
        assert!(advice[0].message.starts_with("Nagłówek jest napisany wielkimi literami."));
        assert_eq!(advice[0].excerpt.as_deref(), Some("## GODZINY PRACY OŚRODKA"));
    }

    #[test]
    fn images_tables_and_long_paragraphs() {
        let advice = body_advice("Zdjęcia: ![](/a.jpg) i ![Uczestnicy spotkania](/b.jpg)");
        assert_eq!(advice.len(), 1);
        assert!(advice[0].message.starts_with("Obrazek nie ma tekstu alternatywnego."));
        assert_eq!(advice[0].excerpt.as_deref(), Some("![](/a.jpg)"));

        let words = |n: usize| vec!["słowo"; n].join(" ");
        assert!(body_advice(&words(150)).is_empty());
        let advice = body_advice(&format!("Krótki.\n\n{}\n{}", words(100), words(51)));
        assert_eq!(advice.len(), 1);
        assert!(advice[0].message.starts_with("Akapit ma 151 słów."), "{}", advice[0].message);
        assert_eq!(advice[0].excerpt.as_ref().map(|e| e.chars().count()), Some(EXCERPT_CHARS));
        assert!(advice[0].excerpt.as_ref().unwrap().ends_with('…'));
        assert!(body_advice(&words(152))[0].message.starts_with("Akapit ma 152 słowa."));

        let empty_head = "| | |\n|---|---|\n| poniedziałek | 7:30–17:00 |";
        let advice = body_advice(empty_head);
        assert_eq!(advice.len(), 1);
        assert!(advice[0].message.starts_with("Tabela nie ma nagłówków kolumn"));
        assert!(body_advice("| Dzień | Godziny |\n|---|---|\n| poniedziałek | 7:30–17:00 |").is_empty());
        let advice = body_advice("<table>\n<tr><td>pon</td><td>7:30</td></tr>\n</table>");
        assert_eq!(advice.len(), 1);
        assert!(advice[0].message.starts_with("Tabela w HTML nie ma komórek nagłówka"));
        assert!(body_advice("<table>\n<tr><th scope=\"col\">Dzień</th></tr>\n</table>").is_empty());
        assert!(body_advice("<table><thead><tr><td>Dzień</td></tr></thead></table>").len() == 1, "<thead> is not <th>");
        assert!(body_advice("```\n<table><tr><td>x</td></tr></table>\n```").is_empty(), "code is not HTML");
        assert_eq!(body_advice("<img src=\"/a.png\">").len(), 1);
        assert!(body_advice("<img src=\"/a.png\" alt=\"\">").is_empty());
    }

    #[test]
    fn odd_input_never_panics() {
        let schema = witryna_site::schema::root_schema(&kind("news"));
        let mut deep = json!("SPOTKANIE INFORMACYJNE");
        for _ in 0..2_000 {
            deep = Value::Array(vec![deep]);
        }
        assert!(check(&schema, &deep).is_empty());
        assert!(check_kind(&kind("news"), &deep).is_empty());
        for value in [json!(null), json!("x"), json!(1.5), json!({ "body": 3, "title": ["A"] })] {
            assert!(check_kind(&kind("news"), &value).is_empty());
        }
        for odd_schema in [
            json!(null),
            json!({ "$ref": "#" }),
            json!({ "$ref": "#/$defs/A", "$defs": { "A": { "$ref": "#/$defs/B" }, "B": { "$ref": "#/$defs/A" } } }),
            json!({ "anyOf": [{ "$ref": "#" }, { "$ref": "#/nope" }], "properties": { "body": { "$ref": "x" } } }),
            json!({ "properties": { "body": { "description": "Markdown", "anyOf": [true, 3] } } }),
        ] {
            let _ = check(&odd_schema, &json!({ "title": "BARDZO WAŻNE OGŁOSZENIE", "body": "[tutaj](/x)" }));
        }
        // Huge and pathological Markdown: only the start is checked, advice is capped.
        let huge = "[](/x) ".repeat(300_000);
        let advice = body_advice(&huge);
        assert_eq!(advice.len(), MAX_ADVICE);
        assert!(advice[0].message.starts_with("Tekst jest bardzo długi"));
        for text in [">".repeat(200_000), "[".repeat(500_000), "*a".repeat(300_000), "<table".repeat(200_000)] {
            let _ = body_advice(&text);
        }
        let multibyte = "ż".repeat(MAX_MARKDOWN_BYTES);
        assert_eq!(body_advice(&multibyte).len(), 1, "cut between characters");
        assert_eq!(excerpt(" \n "), None);
    }
}
