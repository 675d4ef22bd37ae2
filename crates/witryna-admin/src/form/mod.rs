//! Edit forms generated from a kind's JSON Schema: [`render`] turns content JSON into the
//! fields of an HTML form, [`parse`] turns the submitted form back into content JSON.
//!
//! The schema is the kind's root schema with its `$defs` ([`root_schema`]); every shape the
//! built-in kinds and an integrator's kinds use is handled generically:
//!
//! | schema | control |
//! | --- | --- |
//! | `string` | one-line text; a textarea for long texts (`body`, `summary`, `description`…); a textarea with `data-markdown` when the description mentions Markdown or CommonMark |
//! | `string`, `format: date` | `<input type=date>` |
//! | `string`, `format: date-time` | `<input type=datetime-local>`, shown and read on the Europe/Warsaw clock, stored as UTC RFC 3339 |
//! | `string`, `format: partial-time` / `time` | `<input type=time>` |
//! | `integer` / `number` | text with `inputmode` (GOV.UK's advice instead of `type=number`) |
//! | `$ref` to `Money` | text with `inputmode=decimal`, „1 515 830,74 zł” |
//! | `boolean` | checkbox (a hidden `false` before it, so an unticked box is still sent) |
//! | `enum` / `oneOf` of `const`s | radios (optional ones get „Nie dotyczy”) |
//! | `type: [X, "null"]`, `anyOf: [X, null]` | the control of X; empty means `null` |
//! | `object` | `<fieldset>` + `<legend>`; an optional one is `null` when all its fields are empty |
//! | `array` | one control (or fieldset) per item with „Usuń”, „W górę”, „W dół”, and „Dodaj” after the list |
//! | anything else (maps, tuples) | a textarea holding JSON |
//!
//! Fields appear in the order of the schema's properties. serde_json keeps that order (the
//! struct's) only with its `preserve_order` feature (schemars' `preserve_order` turns it
//! on); without it properties come sorted by name, and the form shows the required ones
//! first, in the struct's order, then the others (weekday keys in week order).
//!
//! Input names are the core's field paths (`people[1].role`), so validation errors map onto
//! fields one to one; ids come from [`field_id`].
//!
//! A text that cannot be read (bad money, a date that does not exist, a time skipped by the
//! spring clock change) stays in [`Parsed::value`] as the text the editor typed, with an
//! error in [`Parsed::errors`]: render that value with those errors and the editor sees
//! their own text again. Such a value is not content: save only when `errors` is empty and
//! `list_op` is `None`.

mod parse;
mod render;
mod schema;
mod values;

#[cfg(test)]
mod tests;

use serde_json::Value;

/// The most items a list may have in a submitted form; items beyond are ignored.
pub const MAX_LIST_ITEMS: usize = 1000;

/// The rendered fields of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The fields, ready to put inside `<form>` (the form element, the CSRF token and the
    /// save button are the caller's).
    pub html: String,
    /// The errors in form order, for the GOV.UK error summary (link to `#{id}`).
    pub summary: Vec<SummaryEntry>,
}

/// One line of the error summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryEntry {
    /// The HTML id of the control (or fieldset) the error is shown on.
    pub id: String,
    /// The field's label, with the list items it is in („Role (People, pozycja 2)”).
    pub label: String,
    /// The error message.
    pub message: String,
}

/// A submitted form read back into content JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The content JSON. Where a text could not be read, the text itself (see the module
    /// documentation): render it again, do not save it.
    pub value: Value,
    /// Fields whose text could not be read: (path, Polish message).
    pub errors: Vec<(String, String)>,
    /// `Some` when a list button (`_op`) was pressed: re-show the form, do not save, and
    /// focus the element with this id (the new or moved item, or the list after a removal;
    /// empty when the operation named nothing that exists, e.g. a stale index).
    pub list_op: Option<String>,
}

/// Renders the form fields for `value` (the content JSON, an object) of a kind whose root
/// schema is `schema` (with its `$defs`, see [`root_schema`]). `errors` are validation
/// errors `(path, message)` with paths in the core's format (`title`, `tags[0]`,
/// `people[1].role`, `budget.co_financing`); an error whose path is not a field of the form
/// is shown on the nearest enclosing one, or above all fields.
pub fn render(schema: &Value, value: &Value, errors: &[(String, String)]) -> Rendered {
    render::render(schema, value, errors, None)
}

/// [`render`] for content in another language than the page's: its text fields carry
/// `lang` (a translation's form), so screen readers speak and browsers spell-check it right.
pub fn render_in(schema: &Value, value: &Value, errors: &[(String, String)], lang: Option<&str>) -> Rendered {
    render::render(schema, value, errors, lang)
}

/// Reads a submitted form (urlencoded pairs in document order) back into content JSON,
/// guided by the schema: numbers are numbers, empty optional fields are `null`, an absent
/// checkbox is `false`. Pairs whose names start with `_` (CSRF token, version, buttons)
/// are not content; unknown names and list indexes beyond the next item or
/// [`MAX_LIST_ITEMS`] are ignored. When the button pressed was a list operation
/// (`_op=add:<path>`, `remove:<path>[i]`, `up:<path>[i]`, `down:<path>[i]`) it is applied
/// and [`Parsed::list_op`] says so.
pub fn parse(schema: &Value, pairs: &[(String, String)]) -> Parsed {
    parse::parse(schema, pairs)
}

/// The texts of a stored value labelled by the form's field titles, in form order (what a
/// translator reads beside the form); numbers, dates, choices and media ids are left out.
pub fn texts(schema: &Value, value: &Value) -> Vec<(String, String)> {
    schema::texts(schema, value)
}

/// Whether a property is `readOnly` (a media item's file): set by the system, not the form.
pub(crate) fn is_read_only(schema: &Value) -> bool {
    schema.get("readOnly") == Some(&Value::Bool(true))
}

/// Puts the stored read-only properties of `stored` into a parsed form value.
pub fn keep_read_only(schema: &Value, value: &mut Value, stored: &Value) {
    let (Some(properties), Some(out)) = (schema.get("properties").and_then(Value::as_object), value.as_object_mut())
    else {
        return;
    };
    for (key, property) in properties {
        if is_read_only(property) {
            match stored.get(key) {
                Some(v) => out.insert(key.clone(), v.clone()),
                None => out.remove(key),
            };
        }
    }
}

/// Turns every field the schema marks `x-witryna-media` (`image`, `video` or `file`) into a choice
/// among `choices(kind)`: (id, label) pairs of the media library.
pub fn offer_media(schema: &mut Value, choices: &dyn Fn(&str) -> Vec<(String, String)>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(kind)) = map.get("x-witryna-media").cloned().as_ref() {
                let consts: Vec<Value> = choices(kind)
                    .into_iter()
                    .map(|(id, label)| serde_json::json!({"const": id, "title": label}))
                    .collect();
                let nullable = map.get("anyOf").is_some();
                for key in ["anyOf", "$ref", "type", "format"] {
                    map.remove(key);
                }
                if nullable {
                    map.insert("anyOf".into(), serde_json::json!([{"oneOf": consts}, {"type": "null"}]));
                } else {
                    map.insert("oneOf".into(), Value::Array(consts));
                }
                return;
            }
            for v in map.values_mut() {
                offer_media(v, choices);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| offer_media(v, choices)),
        _ => {}
    }
}

/// The HTML id of the field at a core path: `people[1].role` → `f-people-1-role`.
pub fn field_id(path: &str) -> String {
    let mut id = String::with_capacity(path.len() + 2);
    id.push_str("f-");
    for c in path.chars() {
        match c {
            '[' | '.' | '-' => {
                if !id.ends_with('-') {
                    id.push('-');
                }
            }
            ']' => {}
            c if c.is_alphanumeric() || c == '_' => id.push(c),
            _ => id.push('_'),
        }
    }
    if id.len() > 2 && id.ends_with('-') {
        id.pop();
    }
    id
}

/// One step of a field path: a property or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// The most steps a path may have (deeper names are not fields of any form).
const MAX_PATH_DEPTH: usize = 64;

/// Splits a core path (`people[1].role`) into steps; `None` when it is not one. The empty
/// path is the root.
pub(crate) fn segments(path: &str) -> Option<Vec<Seg>> {
    fn key(s: &str) -> Option<(&str, &str)> {
        let end = s.find(['.', '[', ']']).unwrap_or(s.len());
        if end == 0 || s[end..].starts_with(']') {
            return None;
        }
        Some(s.split_at(end))
    }
    let mut segs = Vec::new();
    if path.is_empty() {
        return Some(segs);
    }
    let (first, mut rest) = key(path)?;
    segs.push(Seg::Key(first.to_owned()));
    while !rest.is_empty() {
        if segs.len() >= MAX_PATH_DEPTH {
            return None;
        }
        if let Some(r) = rest.strip_prefix('.') {
            let (k, r) = key(r)?;
            segs.push(Seg::Key(k.to_owned()));
            rest = r;
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let digits = &r[..close];
            if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            segs.push(Seg::Index(digits.parse().ok()?));
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some(segs)
}

/// The core path of steps (`people[1].role`).
pub(crate) fn join(segs: &[Seg]) -> String {
    let mut path = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Seg::Index(i) => {
                path.push('[');
                path.push_str(&i.to_string());
                path.push(']');
            }
        }
    }
    path
}

pub use witryna_site::schema::root_schema;
