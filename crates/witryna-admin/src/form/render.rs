//! Content JSON → the fields of an HTML form (GOV.UK Design System patterns, Polish).

use std::fmt::Write as _;

use serde_json::Value;
use witryna_core::content::escape_markup;

use super::schema::{label_and_hint, ordered_properties, Choice, Node, Schemas, Shape, TextKind};
use super::{field_id, join, segments, values, Rendered, Seg, SummaryEntry};

/// Below this depth an absent optional object is not drawn (a recursive type would
/// otherwise draw forever).
const MAX_EMPTY_DEPTH: usize = 8;
/// Below this depth nothing is drawn.
const MAX_DEPTH: usize = 48;
/// Up to this many choices are radios; more are one `<select>`.
const MAX_RADIOS: usize = 8;

/// The id of the block holding errors that belong to no field.
pub(super) const GENERAL_ERRORS_ID: &str = "form-errors";

const MARKDOWN_HINT: &str = "Można używać Markdown: **pogrubienie**, ## nagłówek, - lista.";
const MONEY_HINT: &str = "Kwota w złotych, np. 1 515 830,74 zł.";
const OPTIONAL_OBJECT_HINT: &str = "Jeśli nie dotyczy, zostaw wszystkie pola puste.";
const JSON_HINT: &str = "Wartość w formacie JSON.";
const OPTIONAL: &str = " (opcjonalnie)";

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    escape_markup(text, &mut out);
    out
}

/// One validation error, with the path of the field it is shown on.
struct Routed<'e> {
    shown_on: String,
    path: &'e str,
    message: &'e str,
    used: bool,
}

/// What a field is drawn with.
struct Field<'k> {
    path: String,
    /// The property name (for a list item: the list's).
    key: &'k str,
    /// The label as text (for the error summary).
    label: String,
    /// The label as HTML (may carry visually hidden words).
    label_html: String,
    hint: Option<String>,
    optional: bool,
    /// The list items the field is in („People, pozycja 2”), for unique names.
    context: String,
    /// The list items its own fields are in (for a list item: itself too).
    inner_context: String,
    /// Item buttons, drawn at the end of the field.
    actions: String,
    depth: usize,
}

impl Field<'_> {
    fn summary_label(&self) -> String {
        if self.context.is_empty() {
            self.label.clone()
        } else {
            format!("{} ({})", self.label, self.context)
        }
    }

    fn legend(&self) -> String {
        if self.optional {
            format!("{}{OPTIONAL}", self.label_html)
        } else {
            self.label_html.clone()
        }
    }
}

struct Renderer<'a, 'e> {
    schemas: Schemas<'a>,
    /// The language of the words typed (`lang` on text fields), when not the page's.
    lang: Option<&'a str>,
    errors: Vec<Routed<'e>>,
    html: String,
    summary: Vec<SummaryEntry>,
}

pub(super) fn render<'a>(
    schema: &'a Value,
    value: &Value,
    errors: &[(String, String)],
    lang: Option<&'a str>,
) -> Rendered {
    let schemas = Schemas::new(schema);
    let routed = errors
        .iter()
        .map(|(path, message)| Routed { shown_on: route(schemas, value, path), path, message, used: false })
        .collect();
    let mut r = Renderer { schemas, lang, errors: routed, html: String::new(), summary: Vec::new() };
    let root = schemas.root_node();
    if let Shape::Object { properties, required } = &root.shape {
        r.properties(properties, required, Some(value), "", "", 0);
    }
    // Errors that belong to no field of the form (the root, unknown fields) go above it.
    let general: Vec<(String, String)> =
        r.errors.iter().filter(|e| !e.used).map(|e| (e.path.to_owned(), e.message.to_owned())).collect();
    if general.is_empty() {
        return Rendered { html: r.html, summary: r.summary };
    }
    let mut html = format!(
        "<div class=\"field field--error\" id=\"{GENERAL_ERRORS_ID}\" tabindex=\"-1\">\
         <p class=\"error-message\" id=\"{GENERAL_ERRORS_ID}-error\">"
    );
    let mut summary = Vec::with_capacity(general.len() + r.summary.len());
    for (i, (path, message)) in general.iter().enumerate() {
        if i > 0 {
            html.push_str("<br>");
        }
        let text = if path.is_empty() { message.clone() } else { format!("{path}: {message}") };
        let _ = write!(html, "<span class=\"visually-hidden\">Błąd:</span> {}", esc(&text));
        let label = if path.is_empty() { "Formularz".to_owned() } else { path.clone() };
        summary.push(SummaryEntry { id: GENERAL_ERRORS_ID.to_owned(), label, message: message.clone() });
    }
    html.push_str("</p></div>\n");
    html.push_str(&r.html);
    summary.extend(r.summary);
    Rendered { html, summary }
}

/// The path of the field an error at `path` is shown on: the path itself when the form
/// has that field, else its nearest enclosing field, else the root (`""`).
fn route(schemas: Schemas<'_>, value: &Value, path: &str) -> String {
    let Some(segs) = segments(path) else {
        return String::new();
    };
    let mut node = schemas.root_node();
    let mut current = Some(value);
    let mut valid = 0;
    for seg in &segs {
        match (seg, &node.shape) {
            (Seg::Key(k), Shape::Object { properties, .. }) => match properties.get(k.as_str()) {
                Some(schema) => {
                    node = schemas.node(schema, Some(k));
                    current = current.and_then(|v| v.get(k.as_str()));
                }
                None => break,
            },
            (Seg::Index(i), Shape::List { items }) => match current.and_then(Value::as_array).and_then(|a| a.get(*i)) {
                Some(item) => {
                    current = Some(item);
                    node = schemas.node(items, None);
                }
                None => break,
            },
            _ => break,
        }
        valid += 1;
    }
    join(&segs[..valid])
}

impl<'a, 'e> Renderer<'a, 'e> {
    /// The messages of the errors shown on `path`, in their order.
    fn take_errors(&mut self, path: &str) -> Vec<&'e str> {
        let mut found = Vec::new();
        for e in &mut self.errors {
            if !e.used && e.shown_on == path {
                e.used = true;
                found.push(e.message);
            }
        }
        found
    }

    fn note_errors(&mut self, f: &Field<'_>, id: &str, messages: &[&str]) {
        for m in messages {
            self.summary.push(SummaryEntry { id: id.to_owned(), label: f.summary_label(), message: (*m).to_owned() });
        }
    }

    /// The fields of an object's properties, in the schema's order.
    fn properties(
        &mut self,
        properties: &'a serde_json::Map<String, Value>,
        required: &[&str],
        value: Option<&Value>,
        prefix: &str,
        context: &str,
        depth: usize,
    ) {
        for (key, schema) in ordered_properties(properties, required) {
            if super::is_read_only(schema) {
                continue;
            }
            let node = self.schemas.node(schema, Some(key));
            let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
            let own = value.and_then(|v| v.as_object()).and_then(|o| o.get(key));
            let child = own.or(node.default);
            let (label, hint) = label_and_hint(&node, key);
            let hint = hint.or_else(|| leaf_type_hint(&node));
            let optional = !required.contains(&key.as_str()) && (node.nullable || !matches!(node.shape, Shape::Bool));
            let field = Field {
                path,
                key,
                label_html: esc(&label),
                label,
                hint,
                optional,
                context: context.to_owned(),
                inner_context: context.to_owned(),
                actions: String::new(),
                depth: depth + 1,
            };
            self.node(&node, child, &field);
        }
    }

    fn node(&mut self, node: &Node<'a>, value: Option<&Value>, f: &Field<'_>) {
        if f.depth > MAX_DEPTH {
            return;
        }
        match &node.shape {
            Shape::Object { properties, required } => {
                let absent = value.is_none_or(Value::is_null);
                if absent && f.depth > MAX_EMPTY_DEPTH {
                    return;
                }
                self.object(node, properties, required, value, f);
            }
            Shape::List { items } => self.list(items, value, f),
            Shape::Bool if node.nullable => {
                let yes_no = [
                    Choice { value: "true".to_owned(), label: "Tak".to_owned() },
                    Choice { value: "false".to_owned(), label: "Nie".to_owned() },
                ];
                self.radios(node, &yes_no, value, f);
            }
            Shape::Bool => self.checkbox(value, f),
            Shape::Enum(choices) if choices.len() > MAX_RADIOS => self.select(node, choices, value, f),
            Shape::Enum(choices) => self.radios(node, choices, value, f),
            _ => self.input(node, value, f),
        }
    }

    fn group_start(&mut self, errors: &[&str]) {
        self.html.push_str(if errors.is_empty() {
            "<div class=\"field\">\n"
        } else {
            "<div class=\"field field--error\">\n"
        });
    }

    /// Writes the hint and the error message; answers the `aria-describedby` ids.
    fn hint_and_error(&mut self, id: &str, hints: &[&str], errors: &[&str]) -> String {
        let mut described = Vec::new();
        let hints: Vec<&str> = hints.iter().copied().filter(|h| !h.is_empty()).collect();
        if !hints.is_empty() {
            let hint_id = format!("{id}-hint");
            let text = hints.iter().map(|h| esc(h)).collect::<Vec<_>>().join(" ");
            let _ = writeln!(self.html, "<div class=\"hint\" id=\"{hint_id}\">{text}</div>");
            described.push(hint_id);
        }
        if !errors.is_empty() {
            let error_id = format!("{id}-error");
            let _ = write!(self.html, "<p class=\"error-message\" id=\"{error_id}\">");
            for (i, e) in errors.iter().enumerate() {
                if i > 0 {
                    self.html.push_str("<br>");
                }
                let _ = write!(self.html, "<span class=\"visually-hidden\">Błąd:</span> {}", esc(e));
            }
            self.html.push_str("</p>\n");
            described.push(error_id);
        }
        described.join(" ")
    }

    fn object(
        &mut self,
        node: &Node<'a>,
        properties: &'a serde_json::Map<String, Value>,
        required: &[&'a str],
        value: Option<&Value>,
        f: &Field<'_>,
    ) {
        let id = field_id(&f.path);
        let errors = self.take_errors(&f.path);
        self.note_errors(f, &id, &errors);
        self.group_start(&errors);
        let _ = write!(self.html, "<fieldset class=\"fieldset\" id=\"{id}\" tabindex=\"-1\"");
        let at = self.html.len();
        let _ = writeln!(self.html, ">\n<legend class=\"legend\">{}</legend>", f.legend());
        let mut hints = vec![f.hint.as_deref().unwrap_or("")];
        if node.nullable {
            hints.push(OPTIONAL_OBJECT_HINT);
        }
        let described = self.hint_and_error(&id, &hints, &errors);
        if !described.is_empty() {
            self.html.insert_str(at, &format!(" aria-describedby=\"{described}\""));
        }
        let value = value.filter(|v| !v.is_null());
        self.properties(properties, required, value, &f.path, &f.inner_context, f.depth);
        self.html.push_str(&f.actions);
        self.html.push_str("</fieldset>\n</div>\n");
    }

    fn list(&mut self, items_schema: &'a Value, value: Option<&Value>, f: &Field<'_>) {
        let id = field_id(&f.path);
        let errors = self.take_errors(&f.path);
        self.note_errors(f, &id, &errors);
        let item_node = self.schemas.node(items_schema, Some(f.key));
        let items: &[Value] = value.and_then(Value::as_array).map_or(&[], Vec::as_slice);
        self.group_start(&errors);
        let _ = write!(self.html, "<fieldset class=\"fieldset list\" id=\"{id}\" tabindex=\"-1\"");
        let at = self.html.len();
        let _ = writeln!(self.html, ">\n<legend class=\"legend\">{}</legend>", f.legend());
        let item_hint = leaf_type_hint(&item_node).or_else(|| {
            let (label, hint) = label_and_hint(&item_node, "");
            (item_node.shape.is_leaf() && (item_node.title.is_some() || item_node.description.is_some()))
                .then(|| [label, hint.unwrap_or_default()].join(" ").trim().to_owned())
        });
        let hints = [f.hint.as_deref().unwrap_or(""), item_hint.as_deref().unwrap_or("")];
        let described = self.hint_and_error(&id, &hints, &errors);
        if !described.is_empty() {
            self.html.insert_str(at, &format!(" aria-describedby=\"{described}\""));
        }
        let list_label = &f.label;
        let in_context = if f.context.is_empty() { String::new() } else { format!(" ({})", f.context) };
        if items.is_empty() {
            self.html.push_str("<p class=\"list__empty\">Brak pozycji.</p>\n");
        }
        let count = items.len();
        for (i, item) in items.iter().enumerate() {
            let n = i + 1;
            let item_path = format!("{}[{i}]", f.path);
            let whose = esc(&format!(" – {list_label}{in_context}"));
            let mut actions = String::from("<div class=\"list__actions\">\n");
            let button = |actions: &mut String, op: &str, text: &str, hidden: &str| {
                let _ = writeln!(
                    actions,
                    "<button type=\"submit\" name=\"_op\" value=\"{op}:{}\" formnovalidate class=\"button-secondary\">{text}<span class=\"visually-hidden\">{hidden}</span></button>",
                    esc(&item_path)
                );
            };
            if i > 0 {
                button(&mut actions, "up", "W górę", &format!(": pozycja {n}{whose}"));
            }
            if n < count {
                button(&mut actions, "down", "W dół", &format!(": pozycja {n}{whose}"));
            }
            button(&mut actions, "remove", &format!("Usuń pozycję {n}"), &whose);
            actions.push_str("</div>\n");
            let inner_context = if f.inner_context.is_empty() {
                format!("{list_label}, pozycja {n}")
            } else {
                format!("{}; {list_label}, pozycja {n}", f.inner_context)
            };
            let label = format!("Pozycja {n} z {count}");
            let field = Field {
                label_html: format!("{label}<span class=\"visually-hidden\">{whose}</span>"),
                label: format!("{list_label}, pozycja {n}"),
                path: item_path,
                key: f.key,
                hint: None,
                optional: false,
                context: f.inner_context.clone(),
                inner_context,
                actions,
                depth: f.depth + 1,
            };
            self.node(&item_node, Some(item), &field);
        }
        let _ = writeln!(
            self.html,
            "<div class=\"list__add\"><button type=\"submit\" name=\"_op\" value=\"add:{}\" formnovalidate class=\"button-secondary\">Dodaj: {}{}</button></div>",
            esc(&f.path),
            esc(list_label),
            if in_context.is_empty() {
                String::new()
            } else {
                format!("<span class=\"visually-hidden\">{}</span>", esc(&in_context))
            }
        );
        self.html.push_str(&f.actions);
        self.html.push_str("</fieldset>\n</div>\n");
    }

    fn checkbox(&mut self, value: Option<&Value>, f: &Field<'_>) {
        let id = field_id(&f.path);
        let errors = self.take_errors(&f.path);
        self.note_errors(f, &id, &errors);
        self.group_start(&errors);
        let checked = value.and_then(Value::as_bool).unwrap_or(false);
        let name = esc(&f.path);
        let error_at = self.html.len();
        let _ =
            writeln!(self.html, "<div class=\"checkbox\">\n<input type=\"hidden\" name=\"{name}\" value=\"false\">");
        let _ = write!(
            self.html,
            "<input class=\"checkbox__input\" type=\"checkbox\" id=\"{id}\" name=\"{name}\" value=\"true\""
        );
        if checked {
            self.html.push_str(" checked");
        }
        let attrs_at = self.html.len();
        let _ = writeln!(self.html, ">\n<label class=\"checkbox__label\" for=\"{id}\">{}</label>", f.label_html);
        // The hint follows the label, the error precedes the box (GOV.UK's order).
        let mut described = Vec::new();
        if let Some(h) = f.hint.as_deref().filter(|h| !h.is_empty()) {
            let _ = writeln!(self.html, "<div class=\"hint\" id=\"{id}-hint\">{}</div>", esc(h));
            described.push(format!("{id}-hint"));
        }
        self.html.push_str("</div>\n");
        if !errors.is_empty() {
            let mut p = format!("<p class=\"error-message\" id=\"{id}-error\">");
            for (i, e) in errors.iter().enumerate() {
                if i > 0 {
                    p.push_str("<br>");
                }
                let _ = write!(p, "<span class=\"visually-hidden\">Błąd:</span> {}", esc(e));
            }
            p.push_str("</p>\n");
            described.push(format!("{id}-error"));
            let attrs = format!(" aria-describedby=\"{}\" aria-invalid=\"true\"", described.join(" "));
            self.html.insert_str(attrs_at, &attrs);
            self.html.insert_str(error_at, &p);
        } else if !described.is_empty() {
            self.html.insert_str(attrs_at, &format!(" aria-describedby=\"{}\"", described.join(" ")));
        }
        self.html.push_str(&f.actions);
        self.html.push_str("</div>\n");
    }

    /// A long list of choices (files of the media library): one `<select>`.
    fn select(&mut self, node: &Node<'a>, choices: &[Choice], value: Option<&Value>, f: &Field<'_>) {
        let id = field_id(&f.path);
        let errors = self.take_errors(&f.path);
        self.note_errors(f, &id, &errors);
        self.group_start(&errors);
        let _ = writeln!(self.html, "<label for=\"{id}\">{}</label>", f.label_html);
        let described = self.hint_and_error(&id, &[f.hint.as_deref().unwrap_or("")], &errors);
        let current = value.and_then(Value::as_str).unwrap_or("");
        let invalid = if errors.is_empty() { "" } else { " aria-invalid=\"true\"" };
        let _ = write!(self.html, "<select id=\"{id}\" name=\"{}\"{invalid}", esc(&f.path));
        if !described.is_empty() {
            let _ = write!(self.html, " aria-describedby=\"{described}\"");
        }
        self.html.push_str(">\n");
        let empty = if node.nullable { "Nie dotyczy" } else { "Wybierz…" };
        let _ = writeln!(self.html, "<option value=\"\">{empty}</option>");
        for c in choices {
            let selected = if c.value == current { " selected" } else { "" };
            let _ = writeln!(self.html, "<option value=\"{}\"{selected}>{}</option>", esc(&c.value), esc(&c.label));
        }
        self.html.push_str("</select>\n");
        self.html.push_str(&f.actions);
        self.html.push_str("</div>\n");
    }

    fn radios(&mut self, node: &Node<'a>, choices: &[Choice], value: Option<&Value>, f: &Field<'_>) {
        let id = field_id(&f.path);
        let errors = self.take_errors(&f.path);
        self.note_errors(f, &id, &errors);
        self.group_start(&errors);
        self.html.push_str("<fieldset class=\"fieldset\"");
        let at = self.html.len();
        let _ = writeln!(self.html, ">\n<legend class=\"legend\">{}</legend>", f.legend());
        let described = self.hint_and_error(&id, &[f.hint.as_deref().unwrap_or("")], &errors);
        if !described.is_empty() {
            self.html.insert_str(at, &format!(" aria-describedby=\"{described}\""));
        }
        let current = match value {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        let current = current.as_deref();
        let mut options: Vec<(&str, &str)> = Vec::with_capacity(choices.len() + 1);
        if node.nullable {
            options.push(("", "Nie dotyczy"));
        }
        options.extend(choices.iter().map(|c| (c.value.as_str(), c.label.as_str())));
        let name = esc(&f.path);
        let invalid = if errors.is_empty() { "" } else { " aria-invalid=\"true\"" };
        self.html.push_str("<div class=\"radios\">\n");
        for (i, (v, label)) in options.iter().enumerate() {
            let option_id = if i == 0 { id.clone() } else { format!("{id}--{i}") };
            let checked = match current {
                Some(c) => c == *v,
                None => v.is_empty(),
            };
            let _ = writeln!(
                self.html,
                "<div class=\"radio\"><input class=\"radio__input\" type=\"radio\" id=\"{option_id}\" name=\"{name}\" value=\"{}\"{}{invalid}><label class=\"radio__label\" for=\"{option_id}\">{}</label></div>",
                esc(v),
                if checked { " checked" } else { "" },
                esc(label)
            );
        }
        self.html.push_str("</div>\n</fieldset>\n");
        self.html.push_str(&f.actions);
        self.html.push_str("</div>\n");
    }

    /// A text input or textarea.
    fn input(&mut self, node: &Node<'a>, value: Option<&Value>, f: &Field<'_>) {
        let id = field_id(&f.path);
        let errors = self.take_errors(&f.path);
        self.note_errors(f, &id, &errors);
        self.group_start(&errors);
        let label = if f.optional { format!("{}{OPTIONAL}", f.label_html) } else { f.label_html.clone() };
        let _ = writeln!(self.html, "<label class=\"label\" for=\"{id}\">{label}</label>");
        let shown = display(&node.shape, value);
        let mut hints = vec![f.hint.as_deref().unwrap_or("")];
        let mut attrs = String::new();
        let mut kind = "text";
        let mut area: Option<(&str, bool)> = None;
        match &node.shape {
            Shape::Text(TextKind::Markdown) => {
                hints.push(MARKDOWN_HINT);
                area = Some(("15", true));
            }
            Shape::Text(TextKind::Long) => area = Some(("5", false)),
            Shape::Text(TextKind::Uuid) => attrs.push_str(" spellcheck=\"false\" autocapitalize=\"none\""),
            Shape::Text(TextKind::Line) => {
                if f.key.contains("email") {
                    attrs.push_str(" inputmode=\"email\" spellcheck=\"false\" autocapitalize=\"none\"");
                } else if f.key.contains("phone") {
                    attrs.push_str(" inputmode=\"tel\"");
                } else if f.key.contains("url") || f.key == "src" || f.key == "href" {
                    attrs.push_str(" inputmode=\"url\" spellcheck=\"false\" autocapitalize=\"none\"");
                }
            }
            Shape::Date => kind = "date",
            Shape::DateTime => {
                kind = "datetime-local";
                if let Some(step) = value.and_then(Value::as_str).and_then(|s| values::show_datetime(s).1) {
                    let _ = write!(attrs, " step=\"{step}\"");
                }
            }
            Shape::Time => {
                kind = "time";
                if shown.len() > 5 {
                    attrs.push_str(" step=\"1\"");
                }
            }
            Shape::Integer { .. } => attrs.push_str(" inputmode=\"numeric\" spellcheck=\"false\""),
            Shape::Number => attrs.push_str(" inputmode=\"decimal\" spellcheck=\"false\""),
            Shape::Money => {
                hints.push(MONEY_HINT);
                attrs.push_str(" inputmode=\"decimal\" spellcheck=\"false\"");
            }
            Shape::Json => {
                hints.push(JSON_HINT);
                area = Some(("6", false));
                attrs.push_str(" spellcheck=\"false\"");
            }
            Shape::Object { .. } | Shape::List { .. } | Shape::Bool | Shape::Enum(_) => {}
        }
        // Words in another language are spoken and spell-checked in it (a translation).
        if let (Some(lang), Shape::Text(TextKind::Line | TextKind::Long | TextKind::Markdown)) =
            (self.lang, &node.shape)
        {
            let _ = write!(attrs, " lang=\"{lang}\"");
        }
        // A one-line field holding line breaks keeps them in a textarea (an input drops them).
        if area.is_none() && kind == "text" && shown.contains(['\n', '\r']) {
            area = Some(("3", false));
        }
        let described = self.hint_and_error(&id, &hints, &errors);
        if !described.is_empty() {
            let _ = write!(attrs, " aria-describedby=\"{described}\"");
        }
        if !errors.is_empty() {
            attrs.push_str(" aria-invalid=\"true\"");
        }
        let name = esc(&f.path);
        match area {
            Some((rows, markdown)) => {
                // The line break after the start tag is dropped by HTML parsers, so a text
                // that starts with one keeps it.
                let _ = writeln!(
                    self.html,
                    "<textarea class=\"textarea\" id=\"{id}\" name=\"{name}\" rows=\"{rows}\"{}{attrs}>\n{}</textarea>",
                    if markdown { " data-markdown" } else { "" },
                    esc(&shown)
                );
            }
            None => {
                let _ = writeln!(
                    self.html,
                    "<input class=\"input input--{kind}\" type=\"{kind}\" id=\"{id}\" name=\"{name}\" value=\"{}\"{attrs}>",
                    esc(&shown)
                );
            }
        }
        self.html.push_str(&f.actions);
        self.html.push_str("</div>\n");
    }
}

/// The hint a leaf field takes from its type when it has no doc comment of its own
/// (an interval's format).
fn leaf_type_hint(node: &Node<'_>) -> Option<String> {
    if node.shape.is_leaf() && node.description.is_none() && node.title.is_none() {
        node.type_description.map(super::schema::clean)
    } else {
        None
    }
}

/// The text a leaf control shows for a stored value.
fn display(shape: &Shape<'_>, value: Option<&Value>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    match (shape, value) {
        (_, Value::Null) => String::new(),
        (Shape::Json, v) => serde_json::to_string_pretty(v).unwrap_or_default(),
        (Shape::DateTime, Value::String(s)) => values::show_datetime(s).0,
        (Shape::Time, Value::String(s)) => values::show_time(s),
        (_, Value::String(s)) => s.clone(),
        (Shape::Money, Value::Number(n)) => n.as_i64().map_or_else(|| n.to_string(), values::show_money),
        (Shape::Number, Value::Number(n)) => values::show_number(n),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, v) => serde_json::to_string(v).unwrap_or_default(),
    }
}
