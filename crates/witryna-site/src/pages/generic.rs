//! The pages of a kind the site has no template for (an integrator's job offer, say): a list
//! of its published items, newest first, and an item page rendered from the kind's JSON
//! Schema.
//!
//! The item page has the item's title as its `<h1>` ([`SearchParts::title`], else the first
//! text field), then its fields in the order of the stored JSON — the Cms stores content as
//! its type serializes, in declaration order, which is also the order of the schema's
//! properties (serde_json keeps a schema's maps sorted here, so the body gives the order).
//! Each field is shown by what its schema says:
//!
//! - its label is the schema's `title` (the first paragraph of a doc comment with more
//!   than one), else the first phrase of its `description` (a one-paragraph doc comment, up
//!   to the first `.`, `,`, `:`, `;` or `(`: `/// Stanowisko (position).` shows
//!   „Stanowisko”), else the field name with spaces for `_`;
//! - a text field whose `title` or `description` says "CommonMark" or "Markdown" (as the
//!   built-in types document theirs: `/// The article, CommonMark.`) is Markdown: rendered
//!   by [`crate::markdown::render`], which sanitizes it. Every other text is escaped;
//! - dates (`format` `date`, `date-time`, `partial-time`), [`Money`] (found by its
//!   schema: „4 500,00 zł”) and yes/no („tak”/„nie”) in the page's language, an enum value as its
//!   variant's description when the schema has one;
//! - a nested object is a heading one level down with its own definition list, a list of
//!   objects a heading over a list of definition lists, a list of values a list;
//! - empty values (null, blank text, empty lists) are left out.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use schemars::generate::SchemaSettings;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use witryna_core::Money;

use super::history::{record_table, RecordTable};
use super::{
    encode, find_record, layout, list_address, list_layout, list_page, list_place, published, serve, Found, Lang,
    Layout, PageError, Place, Rendered, Section,
};
use crate::markdown::{off_worker, render, renders_inline};
use crate::SiteState;

/// A JSON value that keeps its object members in order (serde_json's maps sort them).
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Text(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry()? {
            members.push(member);
        }
        Ok(Node::Object(members))
    }
}

/// A kind's JSON Schema and the definitions its `$ref`s point to.
struct ItemSchema {
    root: Value,
    definitions: Map<String, Value>,
    /// The reference a [`Money`] field has: how money is told from other integers.
    money: Value,
}

impl ItemSchema {
    fn of(section: &Section) -> Self {
        let mut generator = SchemaSettings::draft2020_12().into_generator();
        let root = section.kind.schema(&mut generator).to_value();
        let money = generator.subschema_for::<Money>().to_value();
        Self { root, definitions: generator.take_definitions(false), money }
    }

    /// `schema` with its `$ref`s followed to the definitions.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        // References chain briefly if at all; the bound stops a cycle.
        for _ in 0..8 {
            let name = schema.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next());
            match name.and_then(|name| self.definitions.get(name)) {
                Some(definition) => schema = definition,
                None => break,
            }
        }
        schema
    }

    /// The schema of a field's value: an optional field's `anyOf: [T, null]` is T.
    fn value_schema<'a>(&'a self, field: &'a Value) -> &'a Value {
        let some = field
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|branches| branches.iter().find(|b| b.get("type").and_then(Value::as_str) != Some("null")));
        self.resolve(some.unwrap_or(field))
    }

    /// Whether a field holds [`Money`] (or optional money).
    fn is_money(&self, field: &Value) -> bool {
        let Some(money) = self.money.get("$ref") else { return false };
        let branches = field.get("anyOf").and_then(Value::as_array).into_iter().flatten();
        std::iter::once(field).chain(branches).any(|schema| schema.get("$ref") == Some(money))
    }
}

/// The first phrase of a description: up to the first `.`, `,`, `:`, `;` or `(`.
fn first_phrase(text: &str) -> &str {
    text.split(['.', ',', ':', ';', '(', '\n']).next().unwrap_or_default().trim()
}

/// A field's label (see the module's documentation).
fn label(field: &Value, name: &str) -> String {
    let text = |key: &str| field.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
    if let Some(title) = text("title") {
        return title.to_owned();
    }
    match text("description").map(first_phrase).filter(|p| !p.is_empty()) {
        Some(phrase) => phrase.to_owned(),
        None => {
            let words = name.replace('_', " ");
            let mut chars = words.chars();
            chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// Whether a text field is Markdown: its documentation says so.
fn is_markdown(field: &Value) -> bool {
    ["title", "description"].iter().filter_map(|key| field.get(*key).and_then(Value::as_str)).any(|text| {
        let text = text.to_lowercase();
        text.contains("commonmark") || text.contains("markdown")
    })
}

/// What a field shows.
enum Shown {
    Text(String),
    /// Rendered and sanitized Markdown.
    Html(String),
    List(Vec<String>),
}

/// An element the fields are nested in.
#[derive(Clone, Copy)]
enum Element {
    Dl,
    Section,
    Ul,
    Li,
}

impl Element {
    fn name(self) -> &'static str {
        match self {
            Element::Dl => "dl",
            Element::Section => "section",
            Element::Ul => "ul",
            Element::Li => "li",
        }
    }
}

/// One piece of the fields in document order: the nesting flattened into opening and
/// closing parts, since a template cannot recurse.
enum Part {
    Open(Element),
    Close(Element),
    Heading { level: u8, label: String },
    Field { label: String, value: Shown },
}

/// Lays out an item's fields as [`Part`]s.
struct Layouter<'a> {
    /// The catalogue of the page's language (dates, money, yes/no).
    t: Lang,
    schema: &'a ItemSchema,
    parts: Vec<Part>,
    /// Whether a `<dl>` is open for the next field.
    in_list: bool,
}

impl Layouter<'_> {
    fn field(&mut self, label: String, value: Shown) {
        if !self.in_list {
            self.parts.push(Part::Open(Element::Dl));
            self.in_list = true;
        }
        self.parts.push(Part::Field { label, value });
    }

    fn end_list(&mut self) {
        if self.in_list {
            self.parts.push(Part::Close(Element::Dl));
            self.in_list = false;
        }
    }

    /// A heading at `level` over what `content` lays out; nothing when that is nothing.
    fn section(&mut self, level: u8, label: String, content: impl FnOnce(&mut Self)) {
        self.end_list();
        let start = self.parts.len();
        self.parts.extend([Part::Open(Element::Section), Part::Heading { level, label }]);
        content(self);
        self.end_list();
        if self.parts.len() == start + 2 {
            self.parts.truncate(start);
        } else {
            self.parts.push(Part::Close(Element::Section));
        }
    }

    /// The members of an object whose schema is `schema`; headings inside at `level`.
    fn object(&mut self, schema: &Value, members: &[(String, Node)], level: u8) {
        let properties = schema.get("properties");
        for (name, node) in members {
            let field = properties.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
            self.member(field, label(field, name), node, level);
        }
        self.end_list();
    }

    fn member(&mut self, field: &Value, label: String, node: &Node, level: u8) {
        let schema = self.schema.value_schema(field);
        let inner = level.saturating_add(1).min(6);
        match node {
            Node::Object(members) => self.section(level, label, |l| l.object(schema, members, inner)),
            Node::List(items) if items.iter().any(|item| matches!(item, Node::Object(_))) => {
                let item_field = schema.get("items").unwrap_or(&Value::Null);
                let item_schema = self.schema.value_schema(item_field);
                self.section(level, label.clone(), |l| {
                    l.parts.push(Part::Open(Element::Ul));
                    for item in items {
                        l.parts.push(Part::Open(Element::Li));
                        match item {
                            Node::Object(members) => l.object(item_schema, members, inner),
                            other => {
                                if let Some(text) = l.text(item_field, other) {
                                    l.field(label.clone(), Shown::Text(text));
                                }
                                l.end_list();
                            }
                        }
                        l.parts.push(Part::Close(Element::Li));
                    }
                    l.parts.push(Part::Close(Element::Ul));
                });
            }
            Node::List(items) => {
                let item_field = schema.get("items").unwrap_or(&Value::Null);
                let texts: Vec<String> = items.iter().filter_map(|item| self.text(item_field, item)).collect();
                if !texts.is_empty() {
                    self.field(label, Shown::List(texts));
                }
            }
            Node::Text(markdown) if is_markdown(field) => {
                if !markdown.trim().is_empty() {
                    self.field(label, Shown::Html(render(markdown)));
                }
            }
            other => {
                if let Some(text) = self.text(field, other) {
                    self.field(label, Shown::Text(text));
                }
            }
        }
    }

    /// A value as one line of text; `None` when empty.
    fn text(&self, field: &Value, node: &Node) -> Option<String> {
        let schema = self.schema.value_schema(field);
        match node {
            Node::Null => None,
            Node::Bool(yes) => Some(if *yes { self.t.yes } else { self.t.no }.to_owned()),
            Node::Number(n) if self.schema.is_money(field) => n.as_i64().map(self.t.money),
            Node::Number(n) => Some(n.to_string()),
            Node::Text(text) if text.trim().is_empty() => None,
            Node::Text(text) => Some(formatted(self.t, schema, text)),
            Node::List(items) => {
                let item_field = schema.get("items").unwrap_or(&Value::Null);
                let texts: Vec<String> = items.iter().filter_map(|item| self.text(item_field, item)).collect();
                (!texts.is_empty()).then(|| texts.join(", "))
            }
            Node::Object(members) => {
                let properties = schema.get("properties");
                let texts: Vec<String> = members
                    .iter()
                    .filter_map(|(name, node)| {
                        let field = properties.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
                        Some(format!("{}: {}", label(field, name), self.text(field, node)?))
                    })
                    .collect();
                (!texts.is_empty()).then(|| texts.join("; "))
            }
        }
    }
}

/// A text in the form its schema's `format` or enum gives it; as it is otherwise.
fn formatted(t: Lang, schema: &Value, text: &str) -> String {
    let shown = match schema.get("format").and_then(Value::as_str) {
        Some("date") => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| t.date(d)),
        Some("date-time") => DateTime::parse_from_rfc3339(text).ok().map(|at| t.datetime(at.with_timezone(&Utc))),
        Some("partial-time" | "time") => {
            NaiveTime::parse_from_str(text, "%H:%M:%S%.f").ok().map(|t| t.format("%H:%M").to_string())
        }
        _ => None,
    };
    shown.or_else(|| variant(schema, text)).unwrap_or_else(|| text.to_owned())
}

/// An enum value's description (`oneOf: [{const, description}, …]`), when it has one.
fn variant(schema: &Value, value: &str) -> Option<String> {
    let variants = schema.get("oneOf")?.as_array()?;
    let variant = variants.iter().find(|v| v.get("const").and_then(Value::as_str) == Some(value))?;
    let phrase = first_phrase(variant.get("description")?.as_str()?);
    (!phrase.is_empty()).then(|| phrase.to_owned())
}

/// An item's title as lists, search results and the sitemap show it: its content's title,
/// else its first text field, else the kind's singular name.
pub(super) fn title_of(section: &Section, body: &str) -> String {
    if let Some(title) = section.kind.title(body).filter(|t| !t.trim().is_empty()) {
        return title;
    }
    let first_text = match serde_json::from_str(body) {
        Ok(Node::Object(members)) => members.into_iter().find_map(|(_, node)| match node {
            Node::Text(text) if !text.trim().is_empty() => Some(text),
            _ => None,
        }),
        _ => None,
    };
    first_text.unwrap_or_else(|| section.spec.labels.singular.to_owned())
}

/// An item's lead (summary), as lists and the feed show it; empty when it has none.
pub(super) fn lead_of(section: &Section, body: &str) -> String {
    section.kind.search_parts(body).map(|parts| parts.lead).unwrap_or_default()
}

/// The fields of an item, as the item page and the feed show them.
#[derive(Template)]
#[template(path = "generic_fields.html")]
struct Fields<'a> {
    parts: &'a [Part],
}

/// An item as the generic page shows it.
pub(super) struct Described {
    pub(super) title: String,
    parts: Vec<Part>,
}

impl Described {
    /// The fields as HTML (for the feed).
    pub(super) fn fields(&self) -> Result<String, askama::Error> {
        Fields { parts: &self.parts }.render()
    }
}

/// Lays out a stored body of the section's kind.
fn lay_out(t: Lang, section: &Section, body: &str) -> Result<Described, PageError> {
    let node: Node = serde_json::from_str(body).map_err(|e| PageError::Internal(format!("stored body: {e}")))?;
    let schema = ItemSchema::of(section);
    let mut layouter = Layouter { t, schema: &schema, parts: Vec::new(), in_list: false };
    match &node {
        Node::Object(members) => layouter.object(schema.resolve(&schema.root), members, 2),
        other => {
            layouter.member(&schema.root, section.spec.labels.singular.to_owned(), other, 2);
            layouter.end_list();
        }
    }
    Ok(Described { title: title_of(section, body), parts: layouter.parts })
}

/// [`lay_out`] off the async workers when the body is long (its Markdown is rendered here).
pub(super) async fn describe(t: Lang, section: &Section, body: String) -> Result<Described, PageError> {
    let section = *section;
    off_worker(renders_inline(&body), move || lay_out(t, &section, &body)).await?
}

struct Row {
    href: String,
    title: String,
    lead: String,
    date: String,
    datetime: String,
}

#[derive(Template)]
#[template(path = "generic_list.html")]
struct ListPage {
    layout: Layout,
    t: Lang,
    heading: &'static str,
    /// `Some("pl")` when the heading is the kind's Polish name on a page in another language.
    heading_lang: Option<&'static str>,
    rows: Vec<Row>,
    older: Option<String>,
    /// On a page in another language: the Polish list, where more is published.
    polish_href: Option<String>,
}

pub(super) async fn list(
    s: SiteState,
    headers: HeaderMap,
    t: Lang,
    section: Section,
    cursor: Option<String>,
) -> Response {
    let cms = s.cms.clone();
    let address = list_address(&section.list_path(t), cursor.as_deref());
    serve(&s, &headers, t, address, list_place(section), |ctx| async move {
        let (records, older) = list_page(&cms, t, &section, cursor).await?;
        let rows = records
            .iter()
            .map(|record| {
                let (title, lead) = (title_of(&section, &record.body), lead_of(&section, &record.body));
                let (date, datetime) = published(t, &record.meta);
                Row { href: section.item_href(t, &record.meta.slug), title, lead, date, datetime }
            })
            .collect();
        let (heading, heading_lang) = section.plural(t);
        let page = ListPage {
            layout: list_layout(&ctx, &section),
            t,
            heading,
            heading_lang,
            rows,
            older,
            polish_href: section.polish_list(t),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[derive(Template)]
#[template(path = "generic_item.html")]
struct ItemPage {
    layout: Layout,
    /// The metryczka.
    record: RecordTable,
    /// The catalogue of the content's language (Polish on a fallback).
    t: Lang,
    title: String,
    date: String,
    datetime: String,
    parts: Vec<Part>,
    section: String,
    back: String,
}

pub(super) async fn item(s: SiteState, headers: HeaderMap, t: Lang, section: Section, slug: String) -> Response {
    let cms = s.cms.clone();
    serve(&s, &headers, t, section.item_href(t, &encode(&slug)), Place::Home, |mut ctx| async move {
        let record = match find_record(&cms, &mut ctx, &section, &slug).await? {
            Found::Item(record) => record,
            Found::Moved(to) => return Ok(Rendered::Redirect(to)),
        };
        let c = ctx.content;
        let (date, datetime) = published(c, &record.meta);
        let meta = record.meta;
        let described = describe(c, &section, record.body).await?;
        let list = section.list_path(ctx.t);
        let page = ItemPage {
            layout: layout(&ctx, &described.title, &section.crumbs(&ctx, &described.title), &list),
            record: record_table(c, &section, &meta),
            t: c,
            title: described.title,
            date,
            datetime,
            parts: described.parts,
            section: section.list_path(c),
            back: (c.back_to_section)(section.plural(c).0),
        };
        Ok(Rendered::Html(page.render()?))
    })
    .await
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use witryna_core::Kinds;

    use super::*;
    use crate::messages::PL;

    /// A programme through the generic page: nested objects, lists of objects and values,
    /// dates and money, all from the schema.
    #[test]
    fn any_content_is_laid_out_from_its_schema() {
        let kinds = Kinds::builtin();
        let programme = kinds.get("programme").unwrap();
        let body = json!({
            "name": "Równi <na> starcie",
            "beneficiary": "MOPS Kalisz",
            "period": { "start": "2017-01-01", "end": "2018-06-30" },
            "target_groups": ["seniorzy", "rodziny"],
            "budget": { "total": 151_583_074, "co_financing": 144_003_920, "own_contribution": 7_579_154 },
            "indicators": [{ "label": "uczestnicy", "target": 145, "unit": "osób" }],
            "recruitment": "Zgłoszenia **do piątku**."
        });
        let checked = programme.check(&body.to_string()).unwrap();
        let described = lay_out(&PL, &Section::of(programme).unwrap(), checked.json()).unwrap();
        assert_eq!(described.title, "Równi <na> starcie");
        let html = described.fields().unwrap();
        for expected in [
            "<dt>Nazwa projektu</dt><dd>Równi &#60;na&#62; starcie</dd>",
            "<section>\n<h2>Okres realizacji</h2>\n<dl>\n  <dt>Data rozpoczęcia</dt><dd>1 stycznia 2017</dd>",
            "<dt>Grupy docelowe</dt><dd><ul><li>seniorzy</li><li>rodziny</li></ul></dd>",
            "<dt>Wartość projektu</dt><dd>1 515 830,74 zł</dd>",
            "<h2>Wskaźniki</h2>\n<ul>\n<li>\n<dl>\n  <dt>Nazwa wskaźnika</dt><dd>uczestnicy</dd>",
            "<dt>Wartość docelowa</dt><dd>145</dd>",
            "<dt>Rekrutacja</dt><dd><div class=\"tresc\"><p>Zgłoszenia <strong>do piątku</strong>.</p>",
        ] {
            assert!(html.contains(expected), "{expected}\n{html}");
        }
        assert!(!html.contains("<dt>Streszczenie"), "empty fields are left out: {html}");
        assert!(
            html.find("<dt>Nazwa projektu").unwrap() < html.find("<h2>Okres realizacji").unwrap(),
            "declaration order"
        );
        // Stored before some validation, say: nothing in `funding` to show.
        let body = json!({ "name": "Bez finansowania", "funding": { "programme": " ", "fund": null } });
        let html = lay_out(&PL, &Section::of(programme).unwrap(), &body.to_string()).unwrap().fields().unwrap();
        assert!(!html.contains("<section>"), "an object with nothing to show has no heading: {html}");
    }

    #[test]
    fn labels_and_values_follow_the_schema() {
        assert_eq!(label(&json!({}), "apply_by"), "Apply by");
        assert_eq!(label(&json!({ "description": "Stanowisko (position)." }), "position"), "Stanowisko");
        assert_eq!(label(&json!({ "title": "Opis", "description": "CommonMark." }), "description"), "Opis");
        assert!(is_markdown(&json!({ "description": "Opis, Markdown." })));
        assert!(!is_markdown(&json!({ "description": "Opis." })));
        let status = json!({ "oneOf": [{ "const": "partial", "description": "„częściowo zgodna”: list them." }] });
        assert_eq!(formatted(&PL, &status, "partial"), "„częściowo zgodna”");
        assert_eq!(formatted(&PL, &json!({ "format": "partial-time" }), "10:00:00"), "10:00");
        assert_eq!(
            formatted(&PL, &json!({ "format": "date" }), "nie-data"),
            "nie-data",
            "a text that is not a date stays"
        );
        assert_eq!(formatted(&crate::messages::EN, &json!({ "format": "date" }), "2026-12-03"), "3 December 2026");
    }
}
