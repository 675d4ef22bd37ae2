//! Two versions of an item compared for the revision screen: which fields differ, with a
//! line diff for long texts, and the comparison as an accessible HTML table.
//!
//! Content is flattened to one value per field, named as the core names fields (`title`,
//! `tags[0]`, `funding.programme`, `indicators[1].target`); empty texts, `null` and empty
//! lists count as no value. Labels come from the schema (see [`diff`]); [`Money`] is shown
//! as „1 515 830,74 zł”, yes/no as „tak”/„nie”.
//!
//! Field order: [`diff`] takes `serde_json::Value`s, whose objects (without serde_json's
//! `preserve_order` feature, as in this workspace) keep their members sorted by name, and so
//! does the schema: fields come in the order of the schema's `properties` as serde_json
//! gives them, which is alphabetical here. [`diff_stored`] reads the stored JSON texts
//! instead, which the Cms writes in the content type's declaration order (the order the
//! editor's form and the site use), and keeps that order.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{Map, Value};
use similar::{Algorithm, ChangeTag, TextDiff};
use witryna_core::content::escape_markup;
use witryna_core::Money;

use crate::schema::{label, prefix, Schemas};

/// One field that differs between two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    /// The field, as the core names fields: `title`, `tags[0]`, `funding.programme`.
    pub path: String,
    /// What the editor calls it: the labels of the path's fields joined with „ › ”, list
    /// items as „nr 1” („Measured results › nr 1 › The planned value”).
    pub label: String,
    /// The value in the earlier version; `None` when it had none.
    pub before: Option<String>,
    /// The value in the later version; `None` when it has none.
    pub after: Option<String>,
    /// For long texts (several lines, or more than [`LONG_TEXT_CHARS`] characters): the
    /// line diff. Empty for short values and for texts over [`MAX_LINE_DIFF_BYTES`] (see
    /// [`FieldDiff::too_long_for_lines`]).
    pub lines: Vec<Line>,
}

/// One line of a text's line diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// In both versions.
    Same(String),
    /// Only in the earlier version.
    Removed(String),
    /// Only in the later version.
    Added(String),
}

/// A text with more characters than this (or with a line break) gets a line diff.
pub const LONG_TEXT_CHARS: usize = 80;
/// A text longer than this, in bytes, is not compared line by line.
pub const MAX_LINE_DIFF_BYTES: usize = 512 * 1024;
/// The line diff gives up looking for the smallest diff after this long (it is still
/// correct, only coarser).
const LINE_DIFF_TIMEOUT: Duration = Duration::from_millis(300);
/// Deepest nesting of JSON compared.
const MAX_DEPTH: usize = 64;
/// Most fields compared per version.
const MAX_FIELDS: usize = 20_000;
/// Unchanged lines shown around a change; longer unchanged stretches are folded.
const CONTEXT_LINES: usize = 2;

impl FieldDiff {
    /// Whether the texts are too long to compare line by line ([`MAX_LINE_DIFF_BYTES`]).
    pub fn too_long_for_lines(&self) -> bool {
        self.lines.is_empty()
            && [&self.before, &self.after].iter().any(|v| v.as_ref().is_some_and(|t| t.len() > MAX_LINE_DIFF_BYTES))
    }
}

/// Fields that differ between two content JSONs of one kind whose root JSON Schema is
/// `schema` (schemars 1.x, definitions under `$defs`; see
/// [`root_schema`](crate::schema::root_schema)), in the schema's order, with a line diff
/// for long texts. Labels: the field's schema `title`, else the first sentence of its
/// `description`, else its name humanised (`apply_by` → „Apply by”).
pub fn diff(schema: &Value, before: &Value, after: &Value) -> Vec<FieldDiff> {
    let schemas = Schemas::new(schema);
    let before = Node::from_value(&schemas, Some(schema), before, 0);
    let after = Node::from_value(&schemas, Some(schema), after, 0);
    compare(&schemas, schema, &before, &after)
}

/// [`diff`] of two stored JSON texts (a record's `body`), keeping their member order (the
/// workspace builds serde_json with `preserve_order`): the content type's declaration
/// order, as the Cms stores it. An error when a text is not JSON (or nests deeper than
/// serde_json reads).
pub fn diff_stored(schema: &Value, before: &str, after: &str) -> Result<Vec<FieldDiff>, serde_json::Error> {
    Ok(diff(schema, &serde_json::from_str(before)?, &serde_json::from_str(after)?))
}

fn compare(schemas: &Schemas<'_>, schema: &Value, before: &Node, after: &Node) -> Vec<FieldDiff> {
    let before = Flattener::run(schemas, schema, before);
    let after = Flattener::run(schemas, schema, after);
    let old: HashMap<&str, &Flat> = before.iter().map(|f| (f.path.as_str(), f)).collect();
    let new: HashMap<&str, &Flat> = after.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for path in merged_order(&before, &after) {
        if !seen.insert(path) {
            continue;
        }
        let (b, a) = (old.get(path).and_then(|f| f.text.clone()), new.get(path).and_then(|f| f.text.clone()));
        if b == a {
            continue;
        }
        let label = new.get(path).or_else(|| old.get(path)).map(|f| f.label.clone()).unwrap_or_default();
        let lines = line_diff(b.as_deref(), a.as_deref());
        out.push(FieldDiff { path: path.to_owned(), label, before: b, after: a, lines });
    }
    out
}

/// The paths of both versions in one order: the later version's, with a path only the
/// earlier one has placed after the last path before it that both have.
fn merged_order<'f>(before: &'f [Flat], after: &'f [Flat]) -> Vec<&'f str> {
    let in_after: HashSet<&str> = after.iter().map(|f| f.path.as_str()).collect();
    let mut removed: HashMap<Option<&str>, Vec<&str>> = HashMap::new();
    let mut anchor = None;
    for f in before {
        if in_after.contains(f.path.as_str()) {
            anchor = Some(f.path.as_str());
        } else {
            removed.entry(anchor).or_default().push(&f.path);
        }
    }
    let mut order: Vec<&str> = removed.remove(&None).unwrap_or_default();
    for f in after {
        order.push(&f.path);
        if let Some(gone) = removed.remove(&Some(f.path.as_str())) {
            order.extend(gone);
        }
    }
    order
}

/// A text's line diff, when it is long and not too long.
fn line_diff(before: Option<&str>, after: Option<&str>) -> Vec<Line> {
    let (old, new) = (before.unwrap_or(""), after.unwrap_or(""));
    let long = |t: &str| t.contains('\n') || t.chars().nth(LONG_TEXT_CHARS).is_some();
    if !(long(old) || long(new)) || old.len() > MAX_LINE_DIFF_BYTES || new.len() > MAX_LINE_DIFF_BYTES {
        return Vec::new();
    }
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).timeout(LINE_DIFF_TIMEOUT).diff_lines(old, new);
    diff.iter_all_changes()
        .map(|change| {
            let text = change.value().trim_end_matches(['\n', '\r']).to_owned();
            match change.tag() {
                ChangeTag::Equal => Line::Same(text),
                ChangeTag::Delete => Line::Removed(text),
                ChangeTag::Insert => Line::Added(text),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Content as an ordered tree.

/// A JSON value whose objects keep their members in a chosen order.
enum Node {
    Scalar(Value),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// A `Value`, its objects' members in the order of their schema's `properties` (members
    /// the schema does not name last, as the value has them).
    fn from_value(schemas: &Schemas<'_>, field: Option<&Value>, value: &Value, depth: usize) -> Node {
        if depth > MAX_DEPTH {
            return Node::Scalar(Value::Null);
        }
        match value {
            Value::Object(members) => {
                let schema = field.map(|f| schemas.for_value(f, value));
                let mut order: Vec<&String> = Vec::with_capacity(members.len());
                if let Some(Value::Object(properties)) = schema.and_then(|s| s.get("properties")) {
                    order.extend(properties.keys().filter(|k| members.contains_key(*k)));
                }
                let named: HashSet<&String> = order.iter().copied().collect();
                order.extend(members.keys().filter(|k| !named.contains(k)));
                let nodes = order
                    .into_iter()
                    .map(|key| {
                        let member = &members[key];
                        let member_field = schema.and_then(|s| schemas.property(s, key));
                        (key.clone(), Node::from_value(schemas, member_field, member, depth + 1))
                    })
                    .collect();
                Node::Object(nodes)
            }
            Value::Array(items) => {
                let schema = field.map(|f| schemas.for_value(f, value));
                let nodes = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        Node::from_value(schemas, schema.and_then(|s| schemas.item(s, i)), item, depth + 1)
                    })
                    .collect();
                Node::List(nodes)
            }
            scalar => Node::Scalar(scalar.clone()),
        }
    }

    /// A value of the same JSON type, to pick a schema branch with.
    fn shape(&self) -> Value {
        match self {
            Node::Scalar(v) => v.clone(),
            Node::List(_) => Value::Array(Vec::new()),
            Node::Object(_) => Value::Object(Map::new()),
        }
    }
}

/// One field's value in one version.
struct Flat {
    path: String,
    label: String,
    text: Option<String>,
}

struct Flattener<'s, 'v> {
    schemas: &'s Schemas<'v>,
    out: Vec<Flat>,
}

impl<'v> Flattener<'_, 'v> {
    fn run(schemas: &Schemas<'v>, schema: &'v Value, node: &Node) -> Vec<Flat> {
        let mut flattener = Flattener { schemas, out: Vec::new() };
        flattener.node(Some(schema), node, String::new(), String::new(), 0);
        flattener.out
    }

    fn node(&mut self, field: Option<&'v Value>, node: &Node, path: String, label_path: String, depth: usize) {
        if depth > MAX_DEPTH || self.out.len() >= MAX_FIELDS {
            return;
        }
        let join = |own: &str| if label_path.is_empty() { own.to_owned() } else { format!("{label_path} › {own}") };
        match node {
            Node::Object(members) => {
                let schema = field.map(|f| self.schemas.for_value(f, &node.shape()));
                for (key, member) in members {
                    let member_field = schema.and_then(|s| self.schemas.property(s, key));
                    let member_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    let member_label = join(&label(member_field, key));
                    self.node(member_field, member, member_path, member_label, depth + 1);
                }
            }
            Node::List(items) => {
                let schema = field.map(|f| self.schemas.for_value(f, &node.shape()));
                for (i, item) in items.iter().enumerate() {
                    let item_field = schema.and_then(|s| self.schemas.item(s, i));
                    let item_label = join(&format!("nr {}", i + 1));
                    self.node(item_field, item, format!("{path}[{i}]"), item_label, depth + 1);
                }
            }
            Node::Scalar(value) => {
                let text = match value {
                    Value::Null => None,
                    Value::Bool(yes) => Some(if *yes { "tak" } else { "nie" }.to_owned()),
                    Value::Number(n) => match n.as_i64() {
                        Some(grosze) if field.is_some_and(is_money) => Some(Money::from_grosze(grosze).to_string()),
                        _ => Some(n.to_string()),
                    },
                    Value::String(s) if s.is_empty() => None,
                    Value::String(s) => Some(s.clone()),
                    Value::Array(_) | Value::Object(_) => None,
                };
                let label = if label_path.is_empty() { label(field, "") } else { label_path };
                self.out.push(Flat { path, label, text });
            }
        }
    }
}

/// Whether a field holds [`Money`] (or optional money): its schema refers to `Money`.
fn is_money(field: &Value) -> bool {
    let refers = |schema: &Value| Schemas::reference_name(schema) == Some("Money");
    let mut branches = ["anyOf", "oneOf", "allOf"].into_iter().filter_map(|k| field.get(k).and_then(Value::as_array));
    refers(field) || branches.any(|b| b.iter().any(refers))
}

// ---------------------------------------------------------------------------------------
// HTML.

/// The Polish form of a count: `one` for 1, `few` for 2–4 (not 12–14), `many` otherwise.
fn plural(n: usize, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
        few
    } else {
        many
    }
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_markup(text, &mut out);
    out
}

/// Which version a cell shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Before,
    After,
}

const NOTHING: &str = "<span class=\"brak\">(brak)</span>";

/// A removed (`<del>`) or added (`<ins>`) text, with a prefix for screen readers, which do
/// not announce those elements by default.
fn marked(side: Side, text: &str) -> String {
    let shown = if text.is_empty() { "(pusty wiersz)".to_owned() } else { escaped(text) };
    match side {
        Side::Before => format!("<del><span class=\"sr\">usunięto: </span>{shown}</del>"),
        Side::After => format!("<ins><span class=\"sr\">dodano: </span>{shown}</ins>"),
    }
}

/// Renders a comparison as an HTML table: a caption, a column of field names and one
/// column per version (`before_label`, `after_label`: „Wersja 3”). Removed text is in
/// `<del>`, added in `<ins>`, each with a visually hidden „usunięto: ” / „dodano: ” (class
/// `sr`) so screen readers say it and colour is never the only sign. Long unchanged
/// stretches of a text are folded. Everything is escaped. With no differences, a paragraph
/// saying so.
pub fn render_html(diffs: &[FieldDiff], before_label: &str, after_label: &str) -> String {
    let (before_label, after_label) = (escaped(before_label), escaped(after_label));
    if diffs.is_empty() {
        return format!("<p>Wersje {before_label} i {after_label} nie różnią się.</p>\n");
    }
    let mut html = format!(
        "<table class=\"zmiany\">\n<caption>Zmiany między wersjami: {before_label} i {after_label}</caption>\n\
         <thead><tr><th scope=\"col\">Pole</th><th scope=\"col\">{before_label}</th>\
         <th scope=\"col\">{after_label}</th></tr></thead>\n<tbody>\n"
    );
    for d in diffs {
        let (before, after) = if !d.lines.is_empty() {
            let hidden = folded(&d.lines);
            (lines_cell(&d.lines, &hidden, Side::Before), lines_cell(&d.lines, &hidden, Side::After))
        } else if d.too_long_for_lines() {
            (too_long_cell(d.before.as_deref()), too_long_cell(d.after.as_deref()))
        } else {
            let cell = |side, value: Option<&str>| value.map_or_else(|| NOTHING.to_owned(), |v| marked(side, v));
            (cell(Side::Before, d.before.as_deref()), cell(Side::After, d.after.as_deref()))
        };
        html.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{before}</td><td>{after}</td></tr>\n",
            escaped(&d.label)
        ));
    }
    html.push_str("</tbody>\n</table>\n");
    html
}

fn too_long_cell(value: Option<&str>) -> String {
    match value {
        None => NOTHING.to_owned(),
        Some(text) => {
            let n = text.chars().count();
            let start = escaped(prefix(text, 200));
            format!(
                "<p>Tekst zbyt długi, by porównać wiersze ({n} {}).</p><p>{start}…</p>",
                plural(n, "znak", "znaki", "znaków")
            )
        }
    }
}

/// Which lines are folded away: unchanged lines further than [`CONTEXT_LINES`] from a
/// change, in stretches long enough to be worth folding.
fn folded(lines: &[Line]) -> Vec<bool> {
    let mut hidden = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        if !matches!(lines[i], Line::Same(_)) {
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && matches!(lines[i], Line::Same(_)) {
            i += 1;
        }
        let keep_head = if start == 0 { 0 } else { CONTEXT_LINES };
        let keep_tail = if i == lines.len() { 0 } else { CONTEXT_LINES };
        if i - start > keep_head + keep_tail + 1 {
            for h in &mut hidden[start + keep_head..i - keep_tail] {
                *h = true;
            }
        }
    }
    hidden
}

/// One version's cell of a line diff.
fn lines_cell(lines: &[Line], hidden: &[bool], side: Side) -> String {
    let mut out = String::new();
    let mut shown_any = false;
    let mut i = 0;
    while i < lines.len() {
        if hidden[i] {
            let start = i;
            while i < lines.len() && hidden[i] {
                i += 1;
            }
            let n = i - start;
            out.push_str(&format!(
                "<div class=\"pominiete\">… {n} {} bez zmian …</div>",
                plural(n, "wiersz", "wiersze", "wierszy")
            ));
            shown_any = true;
            continue;
        }
        match (&lines[i], side) {
            (Line::Same(text), _) if text.trim().is_empty() => {}
            (Line::Same(text), _) => {
                out.push_str(&format!("<div>{}</div>", escaped(text)));
                shown_any = true;
            }
            (Line::Removed(text), Side::Before) | (Line::Added(text), Side::After) => {
                out.push_str(&format!("<div>{}</div>", marked(side, text)));
                shown_any = true;
            }
            _ => {}
        }
        i += 1;
    }
    if shown_any {
        out
    } else {
        NOTHING.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use witryna_core::Kinds;

    use super::*;

    fn demo(section: &str, i: usize) -> Value {
        let demo = witryna_core::demo::data_without_files();
        demo[section][i]["content"].clone()
    }

    fn schema(kind: &str) -> Value {
        crate::schema::root_schema(Kinds::builtin().get(kind).unwrap())
    }

    fn paths(diffs: &[FieldDiff]) -> Vec<&str> {
        diffs.iter().map(|d| d.path.as_str()).collect()
    }

    /// The demo news item and a copy with its title, one sentence of its body and its tags
    /// edited.
    fn edited_news() -> (Value, Value) {
        let before = demo("news", 0);
        let mut after = before.clone();
        after["title"] = json!("Spotkanie informacyjne w KIS");
        let body = before["body"].as_str().unwrap();
        assert!(body.contains("uczestniczyły 42 osoby"));
        after["body"] = json!(body.replace("uczestniczyły 42 osoby", "uczestniczyły 43 osoby"));
        after["tags"] = json!(["kis", "spotkania", "projekty"]);
        (before, after)
    }

    #[test]
    fn an_edited_copy_differs_in_exactly_the_edited_fields() {
        let (before, after) = edited_news();
        let schema = schema("news");
        assert!(diff(&schema, &before, &before).is_empty());
        let diffs = diff(&schema, &before, &after);
        assert_eq!(paths(&diffs), ["title", "body", "tags[2]"], "the schema's (declaration) order");

        let title = &diffs[0];
        assert_eq!(title.label, "Tytuł");
        assert_eq!(title.before.as_deref(), Some("Spotkanie informacyjne w Klubie Integracji Społecznej"));
        assert_eq!(title.after.as_deref(), Some("Spotkanie informacyjne w KIS"));
        assert!(title.lines.is_empty(), "a short value has no line diff");

        let tag = &diffs[2];
        assert_eq!((tag.before.as_deref(), tag.after.as_deref()), (None, Some("projekty")));
        assert_eq!(tag.label, "Tagi › nr 3");

        let body = &diffs[1];
        let removed: Vec<&Line> = body.lines.iter().filter(|l| matches!(l, Line::Removed(_))).collect();
        let added: Vec<&Line> = body.lines.iter().filter(|l| matches!(l, Line::Added(_))).collect();
        assert_eq!((removed.len(), added.len()), (1, 1), "{:#?}", body.lines);
        assert!(matches!(removed[0], Line::Removed(l) if l.starts_with("W dniu 2 lutego") && l.ends_with("42 osoby.")));
        assert!(matches!(added[0], Line::Added(l) if l.ends_with("43 osoby.")));
        let same = body.lines.iter().filter(|l| matches!(l, Line::Same(_))).count();
        assert_eq!(same + 1, before["body"].as_str().unwrap().lines().count());
    }

    #[test]
    fn stored_bodies_keep_the_declaration_order() {
        let (before, after) = edited_news();
        let news = Kinds::builtin().get("news").copied().unwrap();
        let stored = |v: &Value| news.check(&v.to_string()).unwrap().json().to_owned();
        let diffs = diff_stored(&schema("news"), &stored(&before), &stored(&after)).unwrap();
        assert_eq!(paths(&diffs), ["title", "body", "tags[2]"]);
        assert!(diff_stored(&schema("news"), "{", "{}").is_err());

        // A field gone from the later version stays where it was.
        let after = r#"{"title":"T","author":"A"}"#;
        let diffs = diff_stored(&schema("news"), r#"{"title":"T","lead":"L","body":"B","author":"A"}"#, after).unwrap();
        assert_eq!(paths(&diffs), ["lead", "body"]);
        assert_eq!((diffs[0].before.as_deref(), diffs[0].after.as_deref()), (Some("L"), None));
    }

    #[test]
    fn nested_fields_lists_and_money() {
        let before = demo("programmes", 0);
        let mut after = before.clone();
        after["budget"]["total"] = json!(151_583_075);
        after["period"]["end"] = json!("2018-12-31");
        after["indicators"][0]["achieved"] = json!(20);
        after["partners"] = json!([]);
        after["funding"]["fund"] = Value::Null;
        let diffs = diff(&schema("programme"), &before, &after);
        assert_eq!(
            paths(&diffs),
            [
                "funding.fund",
                "period.end",
                "partners[0].name",
                "partners[0].role",
                "budget.total",
                "indicators[0].achieved"
            ]
        );
        let total = &diffs[4];
        assert_eq!(total.label, "Budżet › Wartość projektu");
        assert_eq!(total.before, Some(Money::from_grosze(151_583_074).to_string()));
        assert_eq!(total.after, Some(Money::from_grosze(151_583_075).to_string()));
        assert_eq!(diffs[5].label, "Wskaźniki › nr 1 › Wartość osiągnięta");
        assert_eq!((diffs[5].before.as_deref(), diffs[5].after.as_deref()), (None, Some("20")));
        assert_eq!(diffs[0].after, None, "null is no value");

        let flags =
            diff(&schema("accessibility"), &json!({ "high_contrast": true }), &json!({ "high_contrast": false }));
        assert_eq!((flags[0].before.as_deref(), flags[0].after.as_deref()), (Some("tak"), Some("nie")));
        assert_eq!(flags[0].label, "Tryb wysokiego kontrastu");
    }

    #[test]
    fn the_html_is_escaped_and_says_what_changed() {
        let (before, mut after) = edited_news();
        after["author"] = json!("<script>alert('x')</script> & co");
        let diffs = diff(&schema("news"), &before, &after);
        let html = render_html(&diffs, "Wersja 3 <b>", "Wersja 4");
        assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"), "{html}");
        for expected in [
            "<caption>Zmiany między wersjami: Wersja 3 &lt;b&gt; i Wersja 4</caption>",
            "<th scope=\"col\">Pole</th><th scope=\"col\">Wersja 3 &lt;b&gt;</th><th scope=\"col\">Wersja 4</th>",
            "<tr><th scope=\"row\">Tytuł</th><td><del><span class=\"sr\">usunięto: </span>Spotkanie informacyjne w \
             Klubie Integracji Społecznej</del></td><td><ins><span class=\"sr\">dodano: </span>Spotkanie informacyjne \
             w KIS</ins></td></tr>",
            "<td><span class=\"brak\">(brak)</span></td><td><ins><span class=\"sr\">dodano: </span>projekty</ins></td>",
            "<div><ins><span class=\"sr\">dodano: </span>W dniu 2 lutego 2017 r.",
            "uczestniczyły 43 osoby.</ins></div>",
            "wierszy bez zmian …</div>",
        ] {
            assert!(html.contains(expected), "{expected}\n{html}");
        }
        assert_eq!(render_html(&[], "Wersja 1", "Wersja 2"), "<p>Wersje Wersja 1 i Wersja 2 nie różnią się.</p>\n");
    }

    #[test]
    fn long_unchanged_stretches_are_folded() {
        let text: Vec<String> = (1..=20).map(|i| format!("Wiersz {i}")).collect();
        let mut edited = text.clone();
        edited[10] = "Wiersz zmieniony".to_owned();
        let lines = line_diff(Some(&text.join("\n")), Some(&edited.join("\n")));
        let hidden = folded(&lines);
        let cell = lines_cell(&lines, &hidden, Side::After);
        assert!(
            cell.starts_with("<div class=\"pominiete\">… 8 wierszy bez zmian …</div><div>Wiersz 9</div>"),
            "{cell}"
        );
        assert!(cell.contains("<ins><span class=\"sr\">dodano: </span>Wiersz zmieniony</ins>"), "{cell}");
        assert!(cell.ends_with("<div>Wiersz 13</div><div class=\"pominiete\">… 7 wierszy bez zmian …</div>"), "{cell}");
        assert_eq!(plural(22, "wiersz", "wiersze", "wierszy"), "wiersze");
        assert_eq!(plural(12, "wiersz", "wiersze", "wierszy"), "wierszy");
    }

    #[test]
    fn texts_too_long_are_not_compared_line_by_line() {
        let long = "Akapit.\n".repeat(MAX_LINE_DIFF_BYTES / 8 + 1);
        let diffs = diff(&schema("page"), &json!({ "body": long }), &json!({ "body": format!("{long}Nowy.") }));
        assert_eq!(diffs.len(), 1);
        assert!(diffs[0].lines.is_empty() && diffs[0].too_long_for_lines());
        let html = render_html(&diffs, "Wersja 1", "Wersja 2");
        assert!(html.contains("<p>Tekst zbyt długi, by porównać wiersze ("), "{html}");
        assert!(html.len() < 2_000, "the texts themselves are not repeated");
    }

    #[test]
    fn odd_input_never_panics() {
        let schema = schema("news");
        let mut deep = json!("x");
        for _ in 0..2_000 {
            deep = Value::Array(vec![deep]);
        }
        let diffs = diff(&schema, &deep, &json!({ "title": "T" }));
        assert_eq!(paths(&diffs), ["title"], "nesting past the limit is not compared");
        for (a, b) in
            [(json!(null), json!(1)), (json!("a"), json!(["a"])), (json!({ "x": { "y": [1] } }), json!({ "x": 2 }))]
        {
            let _ = render_html(&diff(&schema, &a, &b), "A", "B");
            let _ = render_html(&diff(&json!({ "$ref": "#" }), &a, &b), "A", "B");
            let _ = diff_stored(&json!(3), &a.to_string(), &b.to_string()).unwrap();
        }
        let deep_text = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(diff_stored(&schema, &deep_text, "1").is_err(), "serde_json's depth limit");
        let duplicate = diff_stored(&schema, r#"{"title":"a","title":"b"}"#, r#"{"title":"c"}"#).unwrap();
        assert_eq!(paths(&duplicate), ["title"]);
    }
}
