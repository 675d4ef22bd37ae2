//! Field-level validation: every failing field is reported with its path.

use std::fmt;

use serde::Serialize;

/// One failing field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FieldError {
    /// Path of the field, e.g. `budget.co_financing` or `indicators[2].label`.
    pub path: String,
    /// Machine-readable reason, e.g. `required`, `too_long`, `exceeds_total`.
    pub code: &'static str,
    /// Human-readable explanation (English; frontends may translate by `code`).
    pub message: String,
}

/// All failing fields of one value. Never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

    /// Checks that a value is an absolute http(s) URL or a site-relative path (`/...`).
    pub fn link(&mut self, field: &str, value: &str) {
        let ok = (value.starts_with("https://") || value.starts_with("http://") || value.starts_with('/'))
            && !value.chars().any(char::is_whitespace);
        if !ok {
            self.error(field, "invalid_link", "must be an http(s) URL or a path starting with /");
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
    fn email_and_link() {
        let mut v = Validator::new();
        v.email("a", "mops@kalisz.pl");
        v.email("b", "mops.kalisz.pl");
        v.link("c", "/klauzula-informacyjna");
        v.link("d", "javascript:alert(1)");
        let err = v.finish().unwrap_err();
        assert!(err.has("b") && err.has("d") && !err.has("a") && !err.has("c"));
    }
}
