//! A kind's JSON Schema read as the editor and the site read it: definitions behind
//! `$ref`s, the branch of `anyOf` a value takes, Markdown fields, and Polish labels. Shared
//! by the site's version comparisons ([`crate::diff`]) and the editor's forms and advice.

use serde_json::Value;

/// The root schema of a kind as the editor's forms and the comparisons take it: the kind's schema with
/// the definitions it refers to under `$defs`.
pub fn root_schema(kind: &witryna_core::Kind) -> Value {
    let mut generator = schemars::SchemaGenerator::default();
    let schema = kind.schema(&mut generator);
    let mut root = match serde_json::to_value(schema) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            let mut map = serde_json::Map::new();
            map.insert("allOf".to_owned(), Value::Array(vec![other]));
            map
        }
        Err(_) => serde_json::Map::new(),
    };
    let defs = generator.take_definitions(true);
    if !defs.is_empty() {
        root.insert("$defs".to_owned(), Value::Object(defs));
    }
    Value::Object(root)
}

/// A root schema and the lookups in it.
#[derive(Clone, Copy)]
pub struct Schemas<'a> {
    root: &'a Value,
}

impl<'a> Schemas<'a> {
    /// Lookups in a root schema (as [`root_schema`] makes it).
    pub fn new(root: &'a Value) -> Self {
        Self { root }
    }

    /// The root schema.
    pub fn root(&self) -> &'a Value {
        self.root
    }

    /// The definition a `$ref` points to.
    fn definition(&self, reference: &str) -> Option<&'a Value> {
        if let Some(pointer) = reference.strip_prefix('#') {
            if pointer.is_empty() || pointer.starts_with('/') {
                if let Some(found) = self.root.pointer(pointer) {
                    return Some(found);
                }
            }
        }
        let name = reference.rsplit('/').next()?;
        ["$defs", "definitions"].iter().find_map(|key| self.root.get(*key)?.get(name))
    }

    /// The name of the definition `schema` refers to (`Money`), if it is a reference.
    pub fn reference_name(schema: &Value) -> Option<&str> {
        schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
    }

    /// `schema` with `$ref`s (and one-element `allOf`s) followed.
    pub fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        // References chain briefly if at all; the bound stops a cycle.
        for _ in 0..16 {
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                match self.definition(reference) {
                    Some(definition) if !std::ptr::eq(definition, schema) => schema = definition,
                    _ => break,
                }
            } else if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
                schema = only;
            } else {
                break;
            }
        }
        schema
    }

    /// The schema `value` is read with when its field's schema is `field`: references
    /// followed and, of `anyOf`/`oneOf` branches, the first that fits the value.
    pub fn for_value(&self, field: &'a Value, value: &Value) -> &'a Value {
        let mut schema = self.resolve(field);
        for _ in 0..8 {
            let branches = ["anyOf", "oneOf"].iter().find_map(|key| schema.get(*key).and_then(Value::as_array));
            let Some(branches) = branches else { break };
            let fitting = branches.iter().map(|b| self.resolve(b)).find(|b| fits(b, value));
            match fitting {
                Some(branch) if !std::ptr::eq(branch, schema) => schema = branch,
                _ => break,
            }
        }
        schema
    }

    /// The schema of an object's member `name`, when the object's schema says.
    pub fn property(&self, object: &'a Value, name: &str) -> Option<&'a Value> {
        object
            .get("properties")
            .and_then(|p| p.get(name))
            .or_else(|| object.get("additionalProperties").filter(|a| a.is_object()))
    }

    /// The schema of an array's item `index`.
    pub fn item(&self, array: &'a Value, index: usize) -> Option<&'a Value> {
        array.get("prefixItems").and_then(|p| p.get(index)).or_else(|| array.get("items").filter(|i| i.is_object()))
    }
}

/// The JSON type of a value, as a schema's `type` names it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether a (resolved) branch of `anyOf`/`oneOf` can hold `value`.
fn fits(branch: &Value, value: &Value) -> bool {
    let given = json_type(value);
    let named = |t: &str| t == given || (t == "number" && given == "integer");
    match branch.get("type") {
        Some(Value::String(t)) => named(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(named),
        _ => {
            if let Some(constant) = branch.get("const") {
                constant == value
            } else if branch.get("properties").is_some() {
                value.is_object()
            } else if branch.get("items").is_some() {
                value.is_array()
            } else {
                !value.is_null()
            }
        }
    }
}

/// Whether a text field is Markdown: its `title` or `description` says so.
pub fn is_markdown(field: &Value) -> bool {
    ["title", "description"].iter().filter_map(|key| field.get(*key).and_then(Value::as_str)).any(|text| {
        let text = text.to_lowercase();
        text.contains("commonmark") || text.contains("markdown")
    })
}

/// A field's label: its schema `title`, else the first sentence of its `description`, else
/// its name with spaces for `_` and a capital first letter.
pub fn label(field: Option<&Value>, name: &str) -> String {
    let text =
        |key: &str| field.and_then(|f| f.get(key)).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
    if let Some(title) = text("title") {
        return title.replace('`', "");
    }
    if let Some(sentence) = text("description").map(first_sentence).filter(|s| !s.is_empty()) {
        return sentence;
    }
    let words = name.replace('_', " ");
    let mut chars = words.trim().chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Words written with a dot that does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "np", "ul", "al", "pl", "os", "r", "tzw", "tj", "nr", "por", "zob", "ok", "godz", "ust", "art", "pkt", "str",
    "itd", "itp", "m.in", "ds", "wg", "tel", "dr", "mgr", "inż", "prof", "św", "im", "pn", "pt", "e.g", "i.e", "etc",
    "vs", "no", "approx",
];

/// The first sentence of a text: up to a `.`, `!` or `?` followed by a space or the end, not
/// counting the dots of abbreviations („e.g.”, „ul.”, „np.”); without the final dot and
/// code marks.
fn first_sentence(text: &str) -> String {
    let text = text.split("\n\n").next().unwrap_or_default();
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let after = &text[i + c.len_utf8()..];
        if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
            continue;
        }
        let word = text[..i].rsplit(char::is_whitespace).next().unwrap_or_default();
        let word = word.trim_start_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        let abbreviation =
            c == '.' && (word.contains('.') || word.chars().count() == 1 || ABBREVIATIONS.contains(&word.as_str()));
        if !abbreviation || after.is_empty() {
            end = if c == '.' { i } else { i + c.len_utf8() };
            break;
        }
    }
    text[..end].replace('`', "").split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------
// The walk.

/// The longest start of `text` of at most `max` bytes that ends between characters.
pub fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_and_first_sentences() {
        assert_eq!(
            first_sentence("Tags for filtering (e.g. `kis`, `projekty`)."),
            "Tags for filtering (e.g. kis, projekty)"
        );
        assert_eq!(
            first_sentence("Street and number („ul. Graniczna 1A”). More."),
            "Street and number („ul. Graniczna 1A”)"
        );
        assert_eq!(first_sentence("Headline. Shown in lists."), "Headline");
        assert_eq!(first_sentence("Czy to jest pytanie? Tak."), "Czy to jest pytanie?");
        assert_eq!(label(Some(&json!({ "title": "Opis", "description": "CommonMark." })), "description"), "Opis");
        assert_eq!(
            label(Some(&json!({ "description": "Stanowisko (position)." })), "position"),
            "Stanowisko (position)"
        );
        assert_eq!(label(None, "apply_by"), "Apply by");
        assert_eq!(label(Some(&json!({ "description": "  " })), "ąb"), "Ąb");
    }

    #[test]
    fn prefixes_end_between_characters() {
        assert_eq!(prefix("żółw", 3), "ż");
    }
}
