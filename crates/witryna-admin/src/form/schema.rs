//! Reading a JSON Schema node as a form control: `$ref`s resolved, `Option`s unwrapped,
//! labels and hints taken from titles and doc comments.

use serde_json::{Map, Value};

/// How deep `$ref`s, `Option`s and `allOf`s may be stacked before a node counts as unknown.
const MAX_INDIRECTIONS: usize = 32;

/// What kind of text a string field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TextKind {
    /// One line.
    Line,
    /// A longer plain text: a textarea.
    Long,
    /// CommonMark: a textarea with `data-markdown`.
    Markdown,
    /// A UUID (one line, no spell checking).
    Uuid,
}

/// One choice of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Choice {
    /// The JSON string stored.
    pub(super) value: String,
    /// What the editor sees.
    pub(super) label: String,
}

/// The control a schema node becomes.
#[derive(Debug, Clone)]
pub(super) enum Shape<'a> {
    /// A struct: its properties (in the schema's order) and the required ones.
    Object {
        properties: &'a Map<String, Value>,
        required: Vec<&'a str>,
    },
    /// A list of items of one schema.
    List {
        items: &'a Value,
    },
    Text(TextKind),
    Date,
    DateTime,
    Time,
    /// An integer within bounds.
    Integer {
        min: i128,
        max: i128,
    },
    Number,
    /// `witryna_core::Money`: integer grosze shown as „1 515 830,74 zł”.
    Money,
    Bool,
    Enum(Vec<Choice>),
    /// Anything else (maps, tuples, unions): edited as JSON text.
    Json,
}

impl Shape<'_> {
    /// Whether the control is one input (not a fieldset of fields or items).
    pub(super) fn is_leaf(&self) -> bool {
        !matches!(self, Shape::Object { .. } | Shape::List { .. })
    }
}

/// A schema node read as a form control.
#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    pub(super) shape: Shape<'a>,
    /// `null` is allowed (`Option`).
    pub(super) nullable: bool,
    pub(super) title: Option<&'a str>,
    pub(super) description: Option<&'a str>,
    pub(super) default: Option<&'a Value>,
    /// The description of the referenced type (`Interval`'s format), for a field that has
    /// none of its own; never Money's (which speaks of its JSON form).
    pub(super) type_description: Option<&'a str>,
}

/// The root schema, for resolving `$ref`s.
#[derive(Debug, Clone, Copy)]
pub(super) struct Schemas<'a> {
    root: &'a Value,
}

impl<'a> Schemas<'a> {
    pub(super) fn new(root: &'a Value) -> Self {
        Self { root }
    }

    /// The root node (usually a `$ref` to the kind's struct).
    pub(super) fn root_node(&self) -> Node<'a> {
        self.node(self.root, None)
    }

    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        if pointer.is_empty() {
            return Some(self.root);
        }
        self.root.pointer(pointer)
    }

    /// Reads `schema` as a control; `key` is the property name (for long-text guessing).
    /// The label and hint come from the outermost node that has them: a property's doc
    /// comment, never the referenced type's.
    pub(super) fn node(&self, schema: &'a Value, key: Option<&str>) -> Node<'a> {
        let mut title = None;
        let mut description = None;
        let mut default = None;
        let mut nullable = false;
        let mut money = false;
        let mut type_description = None;
        let mut current = schema;
        let mut outermost = true;
        for _ in 0..MAX_INDIRECTIONS {
            let Some(obj) = current.as_object() else {
                break;
            };
            if outermost {
                title = obj.get("title").and_then(Value::as_str);
                description = obj.get("description").and_then(Value::as_str);
                default = obj.get("default");
                outermost = false;
            } else {
                if default.is_none() {
                    default = obj.get("default");
                }
                if let Some(d) = obj.get("description").and_then(Value::as_str) {
                    type_description = Some(d);
                }
            }
            if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
                if reference.rsplit('/').next() == Some("Money") {
                    money = true;
                }
                match self.resolve(reference) {
                    Some(target) => {
                        current = target;
                        continue;
                    }
                    None => break,
                }
            }
            if let Some(Value::Array(all)) = obj.get("allOf") {
                if all.len() == 1 && !obj.contains_key("type") {
                    current = &all[0];
                    continue;
                }
            }
            let union = obj.get("anyOf").or_else(|| obj.get("oneOf")).and_then(Value::as_array);
            if let Some(variants) = union {
                let (nulls, others): (Vec<&Value>, Vec<&Value>) = variants.iter().partition(|v| is_null_schema(v));
                if !nulls.is_empty() {
                    nullable = true;
                }
                if others.len() == 1 {
                    current = others[0];
                    continue;
                }
                if let Some(choices) = self.const_choices(&others) {
                    let shape = Shape::Enum(choices);
                    return Node { shape, nullable, title, description, default, type_description };
                }
                return Node { shape: Shape::Json, nullable, title, description, default, type_description };
            }
            let mut node = self.leaf_or_container(obj, key, money, nullable, title, description, default);
            if !matches!(node.shape, Shape::Money) {
                node.type_description = type_description;
            }
            return node;
        }
        Node { shape: Shape::Json, nullable, title, description, default, type_description }
    }

    #[allow(clippy::too_many_arguments)]
    fn leaf_or_container(
        &self,
        obj: &'a Map<String, Value>,
        key: Option<&str>,
        money: bool,
        mut nullable: bool,
        title: Option<&'a str>,
        description: Option<&'a str>,
        default: Option<&'a Value>,
    ) -> Node<'a> {
        let mut types: Vec<&str> = match obj.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if types.contains(&"null") {
            nullable = true;
            types.retain(|t| *t != "null");
        }
        let shape = if let Some(Value::Array(values)) = obj.get("enum") {
            if values.iter().any(Value::is_null) {
                nullable = true;
            }
            let strings: Option<Vec<&str>> = values.iter().filter(|v| !v.is_null()).map(Value::as_str).collect();
            match strings {
                Some(strings) if !strings.is_empty() => Shape::Enum(
                    strings.into_iter().map(|s| Choice { value: s.to_owned(), label: humanise(s) }).collect(),
                ),
                _ => Shape::Json,
            }
        } else if let Some(Value::String(c)) = obj.get("const") {
            Shape::Enum(vec![Choice { value: c.clone(), label: choice_label(obj, c) }])
        } else {
            match types.as_slice() {
                ["string"] => match obj.get("format").and_then(Value::as_str) {
                    Some("date") => Shape::Date,
                    Some("date-time") => Shape::DateTime,
                    Some("partial-time" | "time") => Shape::Time,
                    Some("uuid") => Shape::Text(TextKind::Uuid),
                    _ => Shape::Text(text_kind(key, description)),
                },
                ["integer"] if money => Shape::Money,
                ["integer"] => {
                    let (lo, hi) = format_bounds(obj.get("format").and_then(Value::as_str));
                    let min = obj.get("minimum").and_then(as_i128).map_or(lo, |m| m.max(lo));
                    let max = obj.get("maximum").and_then(as_i128).map_or(hi, |m| m.min(hi));
                    Shape::Integer { min, max }
                }
                ["number"] => Shape::Number,
                ["boolean"] => Shape::Bool,
                ["array"] => match obj.get("items") {
                    Some(items) if items.is_object() => Shape::List { items },
                    _ => Shape::Json,
                },
                ["object"] | [] => match obj.get("properties").and_then(Value::as_object) {
                    Some(properties) if !has_extra_properties(obj) => {
                        let required = obj
                            .get("required")
                            .and_then(Value::as_array)
                            .map(|r| r.iter().filter_map(Value::as_str).collect())
                            .unwrap_or_default();
                        Shape::Object { properties, required }
                    }
                    _ => Shape::Json,
                },
                _ => Shape::Json,
            }
        };
        Node { shape, nullable, title, description, default, type_description: None }
    }

    /// The choices of a `oneOf` whose variants are all string `const`s (or one-value `enum`s).
    fn const_choices(&self, variants: &[&'a Value]) -> Option<Vec<Choice>> {
        if variants.is_empty() {
            return None;
        }
        variants
            .iter()
            .map(|v| {
                let obj = v.as_object()?;
                let value = match (obj.get("const"), obj.get("enum")) {
                    (Some(Value::String(c)), _) => c.as_str(),
                    (None, Some(Value::Array(e))) if e.len() == 1 => e[0].as_str()?,
                    _ => return None,
                };
                Some(Choice { value: value.to_owned(), label: choice_label(obj, value) })
            })
            .collect()
    }
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
}

fn has_extra_properties(obj: &Map<String, Value>) -> bool {
    matches!(obj.get("additionalProperties"), Some(Value::Object(_)))
}

fn as_i128(v: &Value) -> Option<i128> {
    v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from)).or_else(|| {
        let f = v.as_f64()?;
        // Bounds written as floats (`1e3`): whole numbers only.
        (f.fract() == 0.0 && f.abs() < 1e30).then_some(f as i128)
    })
}

/// The range of schemars' integer formats; what JSON can carry otherwise.
fn format_bounds(format: Option<&str>) -> (i128, i128) {
    match format {
        Some("int8") => (i8::MIN.into(), i8::MAX.into()),
        Some("int16") => (i16::MIN.into(), i16::MAX.into()),
        Some("int32") => (i32::MIN.into(), i32::MAX.into()),
        Some("uint8") => (0, u8::MAX.into()),
        Some("uint16") => (0, u16::MAX.into()),
        Some("uint32") => (0, u32::MAX.into()),
        Some("uint64" | "uint") => (0, u64::MAX.into()),
        _ => (i64::MIN.into(), u64::MAX.into()),
    }
}

/// Plain texts longer than a line, by field name.
const LONG_TEXT_NAMES: &[&str] = &[
    "body",
    "summary",
    "description",
    "lead",
    "objective",
    "effects",
    "content",
    "reason",
    "notes",
    "text",
    "building_accessibility",
    "mobile_apps",
    "transcript",
];

fn text_kind(key: Option<&str>, description: Option<&str>) -> TextKind {
    let description = description.unwrap_or("").to_lowercase();
    if description.contains("markdown") || description.contains("commonmark") {
        TextKind::Markdown
    } else if key.is_some_and(|k| LONG_TEXT_NAMES.contains(&k) || k.ends_with("_notice") || k.ends_with("_text"))
        || description.contains("free text")
        || description.starts_with("text of")
    {
        TextKind::Long
    } else {
        TextKind::Line
    }
}

fn choice_label(obj: &Map<String, Value>, value: &str) -> String {
    if let Some(t) = obj.get("title").and_then(Value::as_str) {
        return clean(t);
    }
    match obj.get("description").and_then(Value::as_str) {
        Some(d) => split_first_sentence(d).0,
        None => humanise(value),
    }
}

/// The label and hint of a field: its title (hint: the description), else the first
/// sentence of its description (hint: the rest), else its name humanised.
pub(super) fn label_and_hint(node: &Node<'_>, key: &str) -> (String, Option<String>) {
    let markdown = matches!(node.shape, Shape::Text(TextKind::Markdown));
    let (label, hint) = match (node.title, node.description) {
        (Some(t), d) => (clean(t), d.map(clean)),
        (None, Some(d)) => {
            let (first, rest) = split_first_sentence(d);
            (first, (!rest.is_empty()).then_some(rest))
        }
        (None, None) => (humanise(key), None),
    };
    let label = if markdown { strip_markdown_mention(&label) } else { label };
    let label = if label.is_empty() { humanise(key) } else { label };
    (label, hint.filter(|h| !h.is_empty()))
}

/// „What the unit does, CommonMark” → „What the unit does”: the Markdown hint says it.
fn strip_markdown_mention(label: &str) -> String {
    let mut out = label.to_owned();
    for mention in [", CommonMark", " (CommonMark)", ", Markdown", " (Markdown)", "CommonMark", "Markdown"] {
        if let Some(pos) = out.find(mention) {
            let rest = out[pos + mention.len()..].to_owned();
            out.truncate(pos);
            out.push_str(&rest);
            break;
        }
    }
    let trimmed = out.trim().trim_end_matches([',', ';', ':']).trim_end();
    if trimmed.is_empty() {
        label.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Doc-comment text made plain: `code` spans lose their backticks, `[text](target)` links
/// keep their text, line breaks become spaces.
pub(super) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            if let Some(close) = rest.find("](") {
                if let Some(end) = rest[close..].find(')') {
                    let inner = &rest[1..close];
                    if !inner.contains('[') && !inner.contains('\n') {
                        out.extend(inner.chars().filter(|c| *c != '`'));
                        rest = &rest[close + end + 1..];
                        continue;
                    }
                }
            }
        }
        if c != '`' {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words that end in a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] =
    &["e.g", "i.e", "etc", "vs", "np", "tj", "tzw", "ul", "al", "nr", "ok", "r", "ust", "art", "pkt"];

/// The first sentence of a description (without its full stop) and the rest. A sentence
/// ends at `.`, `!` or `?` followed by white space and a capital letter, outside brackets
/// and quotes and not after an abbreviation, or at a blank line.
pub(super) fn split_first_sentence(text: &str) -> (String, String) {
    let text = text.trim();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut depth: i32 = 0;
    let mut end = None;
    for (i, &(pos, c)) in chars.iter().enumerate() {
        match c {
            '(' | '[' | '„' | '«' => depth += 1,
            ')' | ']' | '”' | '»' => depth = (depth - 1).max(0),
            '\n' if text[pos + 1..].trim_start_matches([' ', '\t']).starts_with('\n') => {
                end = Some((pos, pos));
                break;
            }
            ';' if depth == 0 && chars.get(i + 1).is_some_and(|&(_, n)| n.is_whitespace()) => {
                end = Some((pos, pos + 1));
                break;
            }
            '.' | '!' | '?' if depth == 0 => {
                let next = chars.get(i + 1).map(|&(_, n)| n);
                let after = chars[i + 1..].iter().map(|&(_, n)| n).find(|n| !n.is_whitespace());
                let boundary = match next {
                    None => true,
                    Some(n) if n.is_whitespace() => after.is_none_or(char::is_uppercase),
                    _ => false,
                };
                if boundary && !(c == '.' && ends_with_abbreviation(&text[..pos])) {
                    end = Some((pos, pos + c.len_utf8()));
                    break;
                }
            }
            _ => {}
        }
    }
    let (first, rest) = match end {
        Some((stop, next)) => {
            let first = &text[..stop];
            let keep = text[stop..next].chars().next().filter(|c| *c != '.' && *c != ';');
            let first = match keep {
                Some(mark) => format!("{first}{mark}"),
                None => first.to_owned(),
            };
            (first, &text[next..])
        }
        None => (text.strip_suffix('.').unwrap_or(text).to_owned(), ""),
    };
    (clean(&first), capitalise(&clean(rest)))
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether `serde_json` keeps the order properties were written in (its `preserve_order`
/// feature, which schemars' `preserve_order` turns on); without it they come sorted by name.
fn keeps_declaration_order() -> bool {
    static KEEPS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *KEEPS.get_or_init(|| {
        let mut probe = Map::new();
        probe.insert("b".to_owned(), Value::Null);
        probe.insert("a".to_owned(), Value::Null);
        probe.keys().next().map(String::as_str) == Some("b")
    })
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The properties of an object in the order the form shows them: the struct's own order
/// when the schema keeps it. Otherwise (names sorted) the required ones first in the
/// order `required` lists them (the struct's), then the rest; weekday keys in week order.
pub(super) fn ordered_properties<'a>(
    properties: &'a Map<String, Value>,
    required: &[&str],
) -> Vec<(&'a String, &'a Value)> {
    let mut list: Vec<(&String, &Value)> = properties.iter().collect();
    if keeps_declaration_order() {
        return list;
    }
    let rank = |key: &str| {
        if let Some(i) = required.iter().position(|r| *r == key) {
            (0, i)
        } else if let Some(d) = WEEKDAYS.iter().position(|d| *d == key) {
            (1, d)
        } else {
            (2, 0)
        }
    };
    list.sort_by_key(|(k, _)| rank(k));
    list
}

fn ends_with_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    let word = word.to_lowercase();
    ABBREVIATIONS.contains(&word.as_str()) || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic))
}

/// `sign_language_info` → „Sign language info”; weekday keys → Polish weekday names.
pub(super) fn humanise(key: &str) -> String {
    let day = match key {
        "mon" => Some("Poniedziałek"),
        "tue" => Some("Wtorek"),
        "wed" => Some("Środa"),
        "thu" => Some("Czwartek"),
        "fri" => Some("Piątek"),
        "sat" => Some("Sobota"),
        "sun" => Some("Niedziela"),
        _ => None,
    };
    if let Some(day) = day {
        return day.to_owned();
    }
    let words = key.replace(['_', '-'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => key.to_owned(),
    }
}

/// The texts of `value` labelled by the schema's field titles, in form order — what a
/// translator reads beside the form (`Tytuł`, `Wydarzenie › Miejsce`, `Załączniki 2 › Tytuł`).
/// Only words: numbers, dates, choices and media ids are left out.
pub(crate) fn texts(root: &Value, value: &Value) -> Vec<(String, String)> {
    let schemas = Schemas::new(root);
    let mut out = Vec::new();
    collect_texts(&schemas, &schemas.root_node(), value, "", &mut out, 0);
    out
}

fn collect_texts(
    schemas: &Schemas<'_>,
    node: &Node<'_>,
    value: &Value,
    label: &str,
    out: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    let join = |title: &str| if label.is_empty() { title.to_owned() } else { format!("{label} › {title}") };
    match (&node.shape, value) {
        (Shape::Object { properties, .. }, Value::Object(map)) => {
            for (key, schema) in properties.iter() {
                let (Some(child), false) = (map.get(key), super::is_read_only(schema)) else { continue };
                let child_node = schemas.node(schema, Some(key));
                let title = join(child_node.title.unwrap_or(key));
                collect_texts(schemas, &child_node, child, &title, out, depth + 1);
            }
        }
        (Shape::List { items }, Value::Array(list)) => {
            let item = schemas.node(items, None);
            for (i, child) in list.iter().enumerate() {
                collect_texts(schemas, &item, child, &format!("{label} {}", i + 1), out, depth + 1);
            }
        }
        (Shape::Text(_), Value::String(text)) if !text.trim().is_empty() => out.push((label.to_owned(), text.clone())),
        _ => {}
    }
}
