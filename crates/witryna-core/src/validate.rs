//! Field-level validation: every failing field is reported with its path.

use std::fmt;

use serde::Serialize;

use crate::content::Content;

/// Deepest nesting of Markdown blocks and inlines (quotes in lists in quotes, emphasis in
/// links, ...) a text may have. Real pages stay far below; rendering very deep trees to
/// HTML and sanitizing them takes time that grows with the square of the depth (199 000
/// nested quotes took minutes), so deeper texts are refused and the renderer flattens
/// anything deeper that reaches it from elsewhere.
pub const MAX_MARKDOWN_DEPTH: usize = 32;

/// How deeply a CommonMark text nests: the most containers open at once.
pub fn markdown_depth(markdown: &str) -> usize {
    use pulldown_cmark::{Event, Options, Parser};
    let (mut depth, mut deepest) = (0usize, 0usize);
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Start(_) => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Whether a character may never appear in stored text: C0 controls other than tab, line
/// feed and carriage return, DEL, C1 controls, and Unicode noncharacters (U+FDD0–U+FDEF
/// and U+xFFFE/U+xFFFF). None of them is allowed in XML 1.0 or HTML text (feeds stop being
/// XML; pages carry raw control bytes).
pub fn is_forbidden_char(c: char) -> bool {
    let n = c as u32;
    matches!(n, 0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F..=0x9F | 0xFDD0..=0xFDEF) || n & 0xFFFE == 0xFFFE
}

/// Whether a link is an http(s) URL with a host, or a path of this site: no whitespace,
/// control characters or backslashes, and a path never starts with `//`.
pub fn is_safe_link(value: &str) -> bool {
    if value.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\\') {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => rest.split(['/', '?', '#']).next().is_some_and(|host| !host.is_empty()),
        None => value.starts_with('/') && !value.starts_with("//"),
    }
}

/// Whether a text holds a character [`is_forbidden_char`] refuses, scanning bytes: only a
/// control byte, 0xC2 before 0x80–0x9F (C1), or a lead byte 0xEF/0xF0–0xF4 (the planes'
/// noncharacters) can start one. A branch-free pass over 64-byte blocks (which the compiler
/// vectorises) clears ordinary pages at memory speed; only a block with a suspect byte is
/// looked at closely.
pub fn contains_forbidden_char(text: &str) -> bool {
    let suspect = |b: u8| {
        u8::from(b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | u8::from((b == 0x7F) | (b == 0xC2) | (b >= 0xEF))
    };
    let bytes = text.as_bytes();
    bytes.chunks(64).enumerate().any(|(n, block)| {
        block.iter().fold(0, |any, &b| any | suspect(b)) != 0
            && block.iter().enumerate().any(|(j, &b)| {
                let i = n * 64 + j;
                match b {
                    0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0x7F => true,
                    0xC2 => bytes.get(i + 1).is_some_and(|next| (0x80..=0x9F).contains(next)),
                    // A lead byte starts a character, so `i` is a boundary.
                    0xEF..=0xF4 => text[i..].chars().next().is_some_and(is_forbidden_char),
                    _ => false,
                }
            })
    })
}

/// Checks content the way every write is checked: the type's own
/// [`validate`](Content::validate), then every text in it — of every kind, built-in or an
/// integrator's, field by field through its JSON form — for forbidden characters
/// ([`is_forbidden_char`]). Errors name the field (`title`, `tags[0]`, `people[1].role`).
pub fn check_content<C: Content>(content: &C) -> Result<(), ValidationErrors> {
    let mut errors = content.validate().err().unwrap_or_default().0;
    match serde_json::to_value(content) {
        Ok(value) => forbidden_chars(&value, &mut String::new(), &mut errors),
        Err(e) => errors.push(FieldError { path: String::new(), code: "unserializable", message: e.to_string() }),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationErrors(errors))
    }
}

fn forbidden_chars(value: &serde_json::Value, path: &mut String, errors: &mut Vec<FieldError>) {
    use serde_json::Value;
    let len = path.len();
    match value {
        Value::String(s) => {
            if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| is_forbidden_char(*c)) {
                let message = format!("must not contain the control character U+{:04X} (at character {i})", c as u32);
                errors.push(FieldError { path: path.clone(), code: "control_character", message });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                forbidden_chars(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                if !path.is_empty() {
                    path.push('.');
                }
                if key.chars().any(is_forbidden_char) {
                    let message = "a key must not contain control characters".to_owned();
                    errors.push(FieldError { path: path.clone(), code: "control_character", message });
                } else {
                    path.push_str(key);
                    forbidden_chars(item, path, errors);
                }
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Why JSON could not be read as a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Not JSON at all (syntax, truncation, trailing characters): the whole text is wrong.
    Malformed(String),
    /// JSON of the wrong shape: an unknown, missing or mistyped field, named by its path.
    Shape(FieldError),
}

/// Reads JSON as `T`, naming the failing field. Syntax is checked over the whole text
/// first, so a truncated body is `Malformed` even when a wrong field comes before the cut.
pub fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| DecodeError::Malformed(e.to_string()))?;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        // The syntax was checked above: whatever fails now is the shape (an array of the
        // wrong length where a struct is read from one, say), not malformed JSON.
        let message = e.into_inner().to_string();
        let code = if message.starts_with("unknown field") {
            "unknown_field"
        } else if message.starts_with("missing field") {
            "missing_field"
        } else {
            "invalid_value"
        };
        let path = if path == "." { String::new() } else { path };
        // serde names a missing field in the message, not the path: add it.
        let path = match (code, message.split('`').nth(1)) {
            ("missing_field", Some(name)) if path.is_empty() => name.to_owned(),
            ("missing_field", Some(name)) => format!("{path}.{name}"),
            _ => path,
        };
        // serde_json appends " at line 1 column 7"; the path says where.
        let message = message.rfind(" at line ").map_or(message.clone(), |i| message[..i].to_owned());
        DecodeError::Shape(FieldError { path, code, message })
    })?;
    Ok(value)
}

/// One failing field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// Path of the field, e.g. `budget.co_financing` or `indicators[2].label`.
    pub path: String,
    /// Machine-readable reason, e.g. `required`, `too_long`, `exceeds_total`.
    pub code: &'static str,
    /// Human-readable explanation (English; frontends may translate by `code`).
    pub message: String,
}

/// All failing fields of one value. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, thiserror::Error, schemars::JsonSchema)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid content: ")?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{}: {}", e.path, e.message)?;
        }
        Ok(())
    }
}

impl ValidationErrors {
    /// A single-field error.
    pub fn single(path: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self(vec![FieldError { path: path.into(), code, message: message.into() }])
    }

    /// The failing fields.
    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    /// Whether a field with this path failed.
    pub fn has(&self, path: &str) -> bool {
        self.0.iter().any(|e| e.path == path)
    }
}

/// Collects field errors while a value is checked; `finish` turns them into a result.
///
/// Paths are built with [`Validator::nested`] and [`Validator::each`], so nested structs
/// report `parent.child[3].field` without knowing where they sit.
#[derive(Debug, Default)]
pub struct Validator {
    prefix: String,
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty validator at the root.
    pub fn new() -> Self {
        Self::default()
    }

    fn path(&self, field: &str) -> String {
        match (self.prefix.is_empty(), field.is_empty()) {
            (true, _) => field.to_owned(),
            (false, true) => self.prefix.clone(),
            (false, false) if field.starts_with('[') => format!("{}{field}", self.prefix),
            (false, false) => format!("{}.{field}", self.prefix),
        }
    }

    /// Records an error on `field` (relative to the current prefix).
    pub fn error(&mut self, field: &str, code: &'static str, message: impl Into<String>) {
        let path = self.path(field);
        self.errors.push(FieldError { path, code, message: message.into() });
    }

    /// Checks that a text is not blank and at most `max` characters long.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.error(field, "required", "must not be empty");
        } else {
            self.max_len(field, value, max);
        }
    }

    /// Checks an optional text: when present, as [`Validator::text`].
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.text(field, v, max);
        }
    }

    /// Checks that a text is at most `max` characters long (blank allowed).
    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        let len = value.chars().count();
        if len > max {
            self.error(field, "too_long", format!("must be at most {max} characters, got {len}"));
        }
    }

    /// Checks a CommonMark text: as [`Validator::text`] (or [`Validator::max_len`] when
    /// `required` is false), and nested at most [`MAX_MARKDOWN_DEPTH`] deep.
    pub fn markdown(&mut self, field: &str, value: &str, max: usize, required: bool) {
        let before = self.errors.len();
        if required {
            self.text(field, value, max);
        } else {
            self.max_len(field, value, max);
        }
        if self.errors.len() == before {
            crate::content::media::check_markdown_images(self, field, value);
            let depth = markdown_depth(value);
            if depth > MAX_MARKDOWN_DEPTH {
                let message =
                    format!("nests {depth} levels deep (quotes, lists, emphasis); at most {MAX_MARKDOWN_DEPTH}");
                self.error(field, "too_deep", message);
            }
        }
    }

    /// Checks every string of a list with [`Validator::text`], as `field[i]`.
    pub fn texts(&mut self, field: &str, values: &[String], max: usize) {
        for (i, v) in values.iter().enumerate() {
            self.text(&format!("{field}[{i}]"), v, max);
        }
    }

    /// Checks that a value looks like an e-mail address (`local@domain.tld`).
    pub fn email(&mut self, field: &str, value: &str) {
        let ok = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(char::is_whitespace)
        });
        if !ok {
            self.error(field, "invalid_email", "must be an e-mail address");
        }
    }

    /// Checks that a value is an absolute http(s) URL or a site path (`/...`; not `//host`,
    /// which browsers treat as another site, and no backslashes, which some treat as `/`).
    pub fn link(&mut self, field: &str, value: &str) {
        if !is_safe_link(value) {
            self.error(field, "invalid_link", "must be an http(s) URL or a path starting with a single /");
        }
    }

    /// Checks a link target that may also be a fragment on the same page (`#tresc`), as
    /// keyboard shortcuts and skip links use; never a `javascript:` or other scheme.
    pub fn href(&mut self, field: &str, value: &str) {
        let fragment = value
            .strip_prefix('#')
            .is_some_and(|f| !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || "-_.:".contains(c)));
        if !fragment && !is_safe_link(value) {
            self.error(field, "invalid_link", "must be #fragment, a path starting with a single /, or an http(s) URL");
        }
    }

    /// Runs `check` with `field` appended to the path prefix.
    pub fn nested(&mut self, field: &str, check: impl FnOnce(&mut Validator)) {
        let saved = std::mem::take(&mut self.prefix);
        self.prefix = if saved.is_empty() {
            field.to_owned()
        } else if field.starts_with('[') {
            format!("{saved}{field}")
        } else {
            format!("{saved}.{field}")
        };
        check(self);
        self.prefix = saved;
    }

    /// Runs `check` for every element of a list, with `field[i]` as prefix.
    pub fn each<T>(&mut self, field: &str, items: &[T], mut check: impl FnMut(&mut Validator, &T)) {
        for (i, item) in items.iter().enumerate() {
            self.nested(&format!("{field}[{i}]"), |v| check(v, item));
        }
    }

    /// Whether nothing failed so far.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing failed, otherwise every collected error.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_paths_are_joined() {
        let mut v = Validator::new();
        v.text("title", " ", 10);
        v.nested("budget", |v| v.error("total", "x", "bad"));
        v.each("indicators", &["a", ""], |v, s| v.text("label", s, 5));
        let err = v.finish().unwrap_err();
        let paths: Vec<_> = err.fields().iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["title", "budget.total", "indicators[1].label"]);
    }

    #[test]
    fn forbidden_characters_are_named_by_path() {
        for c in ['\u{0}', '\u{1}', '\u{1f}', '\u{7f}', '\u{85}', '\u{fffe}', '\u{ffff}', '\u{1fffe}', '\u{fdd0}'] {
            assert!(is_forbidden_char(c), "{:04X}", c as u32);
        }
        for c in ['\t', '\n', '\r', ' ', 'ą', '\u{a0}', '\u{fffd}', '😀'] {
            assert!(!is_forbidden_char(c), "{:04X}", c as u32);
            assert!(!contains_forbidden_char(&format!("a{c}b")), "{:04X}", c as u32);
        }
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32).filter(|c| is_forbidden_char(*c)) {
            assert!(contains_forbidden_char(&format!("ą{c}b")), "the byte scan misses U+{:04X}", c as u32);
        }
        let mut errors = Vec::new();
        let value = serde_json::json!({"title": "A\u{1}B", "tags": ["ok", "a\u{1f}b"], "people": [{"role": "x\u{fffe}"}], "body": "a\tb\n"});
        forbidden_chars(&value, &mut String::new(), &mut errors);
        let paths: Vec<_> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["title", "tags[1]", "people[0].role"]);
    }

    #[test]
    fn markdown_depth_is_bounded() {
        assert_eq!(markdown_depth("zwykły *tekst*"), 2);
        let mut v = Validator::new();
        v.markdown("body", &">".repeat(199_000), 200_000, true);
        v.markdown("ok", "> cytat\n> - lista **mocno**", 1000, true);
        let err = v.finish().unwrap_err();
        assert_eq!(err.fields().len(), 1);
        assert_eq!((err.fields()[0].path.as_str(), err.fields()[0].code), ("body", "too_deep"));
    }

    #[test]
    fn email_and_link() {
        let mut v = Validator::new();
        v.email("a", "mops@kalisz.pl");
        v.email("b", "mops.kalisz.pl");
        v.link("c", "/klauzula-informacyjna");
        v.link("d", "javascript:alert(1)");
        v.link("e", "//evil.example/x");
        v.link("f", "/\\evil.example");
        v.link("g", "https://");
        v.href("h", "#tresc");
        v.href("i", "javascript:alert(1)");
        v.href("j", "JavaScript:alert(1)");
        v.href("k", "HTTPS://mops.example.pl/");
        let err = v.finish().unwrap_err();
        for bad in ["b", "d", "e", "f", "g", "i", "j"] {
            assert!(err.has(bad), "{bad} should fail");
        }
        for good in ["a", "c", "h", "k"] {
            assert!(!err.has(good), "{good} should pass");
        }
    }
}
