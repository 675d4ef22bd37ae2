//! The form module against the real schemas of the built-in kinds and the example job
//! offer: render → fill → parse round trips of the demo content, list buttons, money,
//! Warsaw times, hostile names, errors.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use witryna_core::kinds::Kinds;

use super::*;

#[path = "../../../../examples/custom_content/job_offer.rs"]
#[allow(dead_code, unreachable_pub)]
mod job_offer;

fn kinds() -> Kinds {
    Kinds::builtin().with::<job_offer::JobOffer>(job_offer::JobOffer::SPEC)
}

fn schema_of(kind: &str) -> Value {
    root_schema(kinds().get(kind).unwrap_or_else(|| panic!("kind {kind}")))
}

/// The canonical JSON of content, as the kind's check writes it.
fn canonical(kind: &str, content: &Value) -> String {
    let kinds = kinds();
    let k = kinds.get(kind).unwrap();
    match k.check(&content.to_string()) {
        Ok(checked) => checked.json().to_owned(),
        Err(e) => panic!("{kind} refuses {content:#}: {e}"),
    }
}

// ---------------------------------------------------------------------------------------
// A tiny reader of the rendered HTML: what a browser would submit.

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

fn has_flag(tag: &str, name: &str) -> bool {
    tag.split([' ', '>']).any(|w| w == name)
}

/// The name/value pairs a browser sends for the form, in document order; textarea line
/// breaks as CR LF, as browsers send them.
fn pairs_of(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        if rest.starts_with("<input ") {
            let end = rest.find('>').unwrap();
            let tag = &rest[..end];
            if let Some(name) = attr(tag, "name") {
                let value = attr(tag, "value").unwrap_or_default();
                match attr(tag, "type").as_deref() {
                    Some("checkbox" | "radio") => {
                        if has_flag(tag, "checked") {
                            out.push((name, value));
                        }
                    }
                    _ => out.push((name, value)),
                }
            }
            i = start + end;
        } else if rest.starts_with("<textarea ") {
            let end = rest.find('>').unwrap();
            let close = rest.find("</textarea>").unwrap();
            let content = &rest[end + 1..close];
            let content = content.strip_prefix('\n').unwrap_or(content);
            let name = attr(&rest[..end], "name").unwrap();
            out.push((name, unescape(content).replace('\n', "\r\n")));
            i = start + close;
        } else {
            i = start + 1;
        }
    }
    out
}

/// The text of an element's content without its tags.
fn text_of(fragment: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in fragment.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out)
}

/// What axe-core checks of a form that can be checked without a browser: unique ids,
/// a `<label for>` for every control, `aria-describedby` pointing at existing elements,
/// a legend first in every fieldset, unique accessible names of buttons, balanced tags.
fn assert_accessible(html: &str) {
    let mut ids = HashSet::new();
    let mut rest = html;
    while let Some(pos) = rest.find(" id=\"") {
        let start = pos + 5;
        let end = rest[start..].find('"').unwrap() + start;
        let id = &rest[start..end];
        assert!(ids.insert(id.to_owned()), "duplicate id {id}");
        rest = &rest[end..];
    }
    let labels: HashSet<String> = html
        .match_indices("<label ")
        .filter_map(|(i, _)| attr(&html[i..i + html[i..].find('>').unwrap()], "for"))
        .collect();
    for tag_start in ["<input ", "<textarea "] {
        for (i, _) in html.match_indices(tag_start) {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            if attr(tag, "type").as_deref() == Some("hidden") {
                continue;
            }
            let id = attr(tag, "id").unwrap_or_else(|| panic!("control without id: {tag}"));
            assert!(labels.contains(&id), "no label for {id}");
            if let Some(described) = attr(tag, "aria-describedby") {
                for d in described.split(' ') {
                    assert!(ids.contains(d), "{id} described by missing {d}");
                }
            }
        }
    }
    for (i, _) in html.match_indices("<fieldset") {
        let tag_end = i + html[i..].find('>').unwrap();
        let tag = &html[i..tag_end];
        if let Some(described) = attr(tag, "aria-describedby") {
            for d in described.split(' ') {
                assert!(ids.contains(d), "fieldset described by missing {d}");
            }
        }
        assert!(html[tag_end + 1..].trim_start().starts_with("<legend"), "fieldset without legend: {tag}");
    }
    let mut names = HashSet::new();
    for (i, _) in html.match_indices("<button ") {
        let close = i + html[i..].find("</button>").unwrap();
        let name = text_of(&html[i..close]);
        assert!(!name.trim().is_empty());
        assert!(names.insert(name.clone()), "two buttons named {name:?}");
    }
    for tag in ["div", "fieldset", "p", "label", "legend", "span", "button", "textarea"] {
        let open = html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        let close = html.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}> unbalanced");
    }
}

/// Renders `content`, submits the form as a browser would, parses it: the kind's check
/// must accept the result and store exactly what it stored before.
fn round_trip(kind: &str, content: &Value) -> Vec<(String, String)> {
    let schema = schema_of(kind);
    let before = canonical(kind, content);
    let stored: Value = serde_json::from_str(&before).unwrap();
    let rendered = render(&schema, &stored, &[]);
    assert!(rendered.summary.is_empty());
    assert_accessible(&rendered.html);
    let pairs = pairs_of(&rendered.html);
    let parsed = parse(&schema, &pairs);
    assert_eq!(parsed.errors, Vec::<(String, String)>::new(), "{kind}: {content:#}");
    assert_eq!(parsed.list_op, None);
    let after = canonical(kind, &parsed.value);
    assert_eq!(after, before, "{kind} round trip");
    pairs
}

/// Every item of the demo data file, with its kind.
fn demo_items() -> Vec<(&'static str, Value)> {
    let demo = witryna_core::demo::data_without_files();
    let mut items = vec![("accessibility", demo["settings"].clone())];
    for (section, kind) in [("pages", "page"), ("units", "unit"), ("programmes", "programme"), ("news", "news")] {
        for entry in demo[section].as_array().unwrap() {
            items.push((kind, entry["content"].clone()));
        }
    }
    items
}

/// Items using what the demo does not: a cover, an event time, exceptions, phones, money
/// in a job offer, markup and line breaks in texts.
fn extra_items() -> Vec<(&'static str, Value)> {
    vec![
        (
            "news",
            json!({
                "title": "Tytuł z <script>alert(\"x\")</script> & 'cudzysłowami'",
                "lead": "",
                "body": "\nZaczyna się od nowej linii.\n\n- punkt &amp; <b>nie pogrubienie</b>\n",
                "author": "MOPS Kalisz",
                "tags": [],
                "cover": { "src": "/media/a.jpg", "alt": "Uczestnicy spotkania \"przy stole\"" },
                "event": { "date": "2025-03-30", "time": "10:30:00", "participants": 0 }
            }),
        ),
        (
            "unit",
            json!({
                "name": "Punkt konsultacyjny",
                "address": { "street": "ul. Graniczna 1A", "postal_code": "62-800", "city": "Kalisz" },
                "phones": ["62 765 69 50", "+48 62 765 69 51"],
                "email": "punkt@example.pl",
                "office_hours": {
                    "weekly": { "mon": ["08:00-12:00", "12:30-16:00"], "sat": ["09:00-11:00"] },
                    "exceptions": [
                        { "date": "2025-11-21", "hours": [], "note": "Dzień Pracownika Socjalnego" },
                        { "date": "2025-12-24", "hours": ["08:00-12:00"] }
                    ],
                    "closed_on_public_holidays": false
                }
            }),
        ),
        (
            "job-offer",
            json!({
                "position": "Pracownik socjalny",
                "unit": "Dział Pomocy Środowiskowej",
                "description": "## Wymagania\n\n- wykształcenie wyższe",
                "apply_by": "2026-01-31",
                "salary_from": 151583074
            }),
        ),
        (
            "job-offer",
            json!({
                "position": "Asystent rodziny",
                "unit": "DPS",
                "description": "Opis.",
                "apply_by": "2026-02-28"
            }),
        ),
        (
            "programme",
            json!({
                "name": "Bez budżetu",
                "beneficiary": "MOPS",
                "budget": { "own_contribution": 1 },
                "indicators": [{ "label": "Uczestnicy", "achieved": 0 }]
            }),
        ),
    ]
}

#[test]
fn every_demo_item_survives_render_fill_parse() {
    let mut seen = HashSet::new();
    for (kind, content) in demo_items().into_iter().chain(extra_items()) {
        round_trip(kind, &content);
        seen.insert(kind);
    }
    assert_eq!(seen.len(), 6, "every kind: {seen:?}");
}

#[test]
fn the_form_shows_what_editors_read() {
    let schema = schema_of("programme");
    let content = &demo_items().into_iter().find(|(k, _)| *k == "programme").unwrap().1;
    let stored: Value = serde_json::from_str(&canonical("programme", content)).unwrap();
    let html = render(&schema, &stored, &[]).html;
    // Money in Polish, with a decimal keyboard.
    assert!(html.contains("name=\"budget.total\" value=\"1 515 830,74 zł\" inputmode=\"decimal\""), "{html}");
    // Markdown: a textarea with the preview hook and the hint.
    assert!(html.contains("<textarea class=\"textarea\" id=\"f-body\" name=\"body\" rows=\"15\" data-markdown"));
    assert!(html.contains("data-markdown aria-describedby=\"f-body-hint\""), "{html}");
    assert!(html.contains("Można używać Markdown: **pogrubienie**, ## nagłówek, - lista."));
    // Labels from the schema titles (Polish), hints from the descriptions; optional fields marked.
    assert!(html.contains("<label class=\"label\" for=\"f-body\">Opis projektu (opcjonalnie)</label>"), "{html}");
    assert!(html.contains("<label class=\"label\" for=\"f-name\">Nazwa projektu</label>"));
    // Dates.
    assert!(html.contains("type=\"date\" id=\"f-period-start\" name=\"period.start\" value=\"2016-10-01\""));
    // A list of objects: fieldsets numbered, buttons with unique names, „Dodaj” after.
    assert!(
        html.contains("<legend class=\"legend\">Pozycja 2 z 2<span class=\"visually-hidden\"> – Osoby</span></legend>"),
        "{html}"
    );
    assert!(html.contains("<button type=\"submit\" name=\"_op\" value=\"remove:people[1]\" formnovalidate class=\"button-secondary\">Usuń pozycję 2<span class=\"visually-hidden\"> – Osoby</span></button>"));
    assert!(html.contains("value=\"up:people[1]\""));
    assert!(!html.contains("value=\"up:people[0]\""), "no „W górę” on the first");
    assert!(!html.contains("value=\"down:people[1]\""), "no „W dół” on the last");
    assert!(html.contains(">Dodaj: Osoby<"));
    // A list of strings: one input per item.
    assert!(html.contains("name=\"tags[1]\" value=\"kalisz\""));
    // Integers.
    assert!(html.contains("name=\"indicators[0].target\" value=\"20\" inputmode=\"numeric\""));

    let settings = render(&schema_of("accessibility"), &demo_items()[0].1, &[]).html;
    // Enumerations as radios in a fieldset; checkboxes with a hidden „false”.
    assert!(settings.contains("<input class=\"radio__input\" type=\"radio\" id=\"f-declaration-status--1\" name=\"declaration.status\" value=\"partial\" checked><label class=\"radio__label\" for=\"f-declaration-status--1\">Częściowo zgodna</label>"), "{settings}");
    assert!(settings.contains("<input type=\"hidden\" name=\"high_contrast\" value=\"false\">\n<input class=\"checkbox__input\" type=\"checkbox\" id=\"f-high_contrast\" name=\"high_contrast\" value=\"true\" checked aria-describedby=\"f-high_contrast-hint\">"));
    // Weekday lists with Polish day names; the interval format as their hint.
    let unit = render(&schema_of("unit"), &json!({"name": "x", "office_hours": {"weekly": {}}}), &[]).html;
    assert!(unit.contains(">Poniedziałek (opcjonalnie)</legend>"), "{unit}");
    assert!(unit.contains("Od–do, czas polski, np. 07:30-15:30; otwarcie przed zamknięciem."));
    assert!(unit.contains("Jeśli nie dotyczy, zostaw wszystkie pola puste."), "optional address");
    assert_accessible(&unit);
}

#[test]
fn user_text_never_becomes_markup() {
    let schema = schema_of("page");
    let evil = json!({ "title": "\"><script>alert(1)</script>", "summary": "</textarea><b>x</b>", "body": "<img src=x onerror=alert(1)>" });
    let html = render(&schema, &evil, &[("title".into(), "<i>zły</i>".into())]).html;
    assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>") && !html.contains("<i>"));
    assert!(html.contains("&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;"));
    assert!(html.contains("&lt;i&gt;zły&lt;/i&gt;"));
    let parsed = parse(&schema, &pairs_of(&html));
    assert_eq!(parsed.value["title"], evil["title"]);
    assert_eq!(parsed.value["summary"], evil["summary"]);
}

fn programme() -> Value {
    json!({
        "name": "Program",
        "beneficiary": "MOPS",
        "people": [
            { "name": "Anna", "role": "koordynatorka" },
            { "name": "Bartosz", "role": "" },
            { "name": "Celina", "role": "trenerka" }
        ],
        "tags": ["a", "b"],
        "budget": { "total": 100000, "co_financing": 200000 }
    })
}

#[test]
fn list_buttons_add_remove_and_move() {
    let schema = schema_of("programme");
    let html = render(&schema, &programme(), &[]).html;
    let pairs = pairs_of(&html);
    let press = |op: &str| {
        let mut p = pairs.clone();
        p.push(("_op".into(), op.into()));
        parse(&schema, &p)
    };
    let names = |v: &Value| -> Vec<String> {
        v["people"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
    };

    let added = press("add:people");
    assert_eq!(added.list_op.as_deref(), Some("f-people-3"));
    assert_eq!(names(&added.value), ["Anna", "Bartosz", "Celina", ""]);
    assert_eq!(added.value["people"][3], json!({ "name": "", "role": "", "organisation": null }));
    // The new item is drawn empty, numbered, with its buttons.
    let again = render(&schema, &added.value, &[]).html;
    assert!(again.contains("id=\"f-people-3\"") && again.contains("Pozycja 4 z 4"));
    assert_accessible(&again);

    let removed = press("remove:people[1]");
    assert_eq!(removed.list_op.as_deref(), Some("f-people"));
    assert_eq!(names(&removed.value), ["Anna", "Celina"]);

    let up = press("up:people[2]");
    assert_eq!(up.list_op.as_deref(), Some("f-people-1"));
    assert_eq!(names(&up.value), ["Anna", "Celina", "Bartosz"]);

    let down = press("down:people[0]");
    assert_eq!(down.list_op.as_deref(), Some("f-people-1"));
    assert_eq!(names(&down.value), ["Bartosz", "Anna", "Celina"]);

    // Lists of strings too.
    let tags = press("remove:tags[0]");
    assert_eq!(tags.value["tags"], json!(["b"]));
    assert_eq!(press("add:tags").value["tags"], json!(["a", "b", ""]));
    assert_eq!(press("add:tags").list_op.as_deref(), Some("f-tags-2"));

    // Nothing moves past the ends; a stale index changes nothing but still re-shows.
    assert_eq!(names(&press("up:people[0]").value), ["Anna", "Bartosz", "Celina"]);
    assert_eq!(names(&press("down:people[2]").value), ["Anna", "Bartosz", "Celina"]);
    let stale = press("remove:people[7]");
    assert_eq!(names(&stale.value), ["Anna", "Bartosz", "Celina"]);
    assert_eq!(stale.list_op.as_deref(), Some("f-people"));
    for bogus in ["explode:people[0]", "add:name", "add:nope", "remove:people", "up:", "add:people[", ""] {
        let p = press(bogus);
        assert_eq!(names(&p.value), ["Anna", "Bartosz", "Celina"], "{bogus}");
        assert!(p.list_op.is_some());
    }

    // Nested lists: a list in an item, and in an optional part that is still empty.
    let schema = schema_of("unit");
    let unit =
        json!({"name": "x", "office_hours": {"weekly": {}, "exceptions": [{"date": "2025-11-21", "hours": []}]}});
    let mut p = pairs_of(&render(&schema, &unit, &[]).html);
    p.push(("_op".into(), "add:office_hours.exceptions[0].hours".into()));
    let parsed = parse(&schema, &p);
    assert_eq!(parsed.value["office_hours"]["exceptions"][0]["hours"], json!([""]));
    assert_eq!(parsed.list_op.as_deref(), Some("f-office_hours-exceptions-0-hours-0"));
    let html = render(&schema, &parsed.value, &[]).html;
    assert!(
        html.contains(">Dodaj: Godziny tego dnia<span class=\"visually-hidden\"> (Wyjątki, pozycja 1)</span>"),
        "{html}"
    );
    assert_accessible(&html);
}

#[test]
fn errors_move_with_their_items() {
    let schema = schema_of("programme");
    let mut pairs = pairs_of(&render(&schema, &programme(), &[]).html);
    for (name, value) in &mut pairs {
        if name == "budget.total" || name == "budget.own_contribution" {
            *value = "12,3,4".into();
        }
    }
    pairs.push(("indicators[0].label".into(), "x".into()));
    pairs.push(("indicators[0].target".into(), "dużo".into()));
    pairs.push(("indicators[1].label".into(), "y".into()));
    pairs.push(("indicators[1].target".into(), "-1".into()));
    let mut moved = pairs.clone();
    moved.push(("_op".into(), "up:indicators[1]".into()));
    let parsed = parse(&schema, &moved);
    let paths: Vec<&str> = parsed.errors.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["budget.total", "budget.own_contribution", "indicators[1].target", "indicators[0].target"]);
    pairs.push(("_op".into(), "remove:indicators[0]".into()));
    let parsed = parse(&schema, &pairs);
    let errors: Vec<(&str, &str)> = parsed.errors.iter().map(|(p, m)| (p.as_str(), m.as_str())).collect();
    assert_eq!(errors[2], ("indicators[0].target", "Wpisz liczbę nie mniejszą niż 0."));
    assert_eq!(errors.len(), 3);
    // The editor's text stays, to be shown again.
    assert_eq!(parsed.value["budget"]["total"], json!("12,3,4"));
    let html = render(&schema, &parsed.value, &parsed.errors).html;
    assert!(html.contains("name=\"budget.total\" value=\"12,3,4\""));
}

#[test]
fn money_as_editors_type_it() {
    for (text, grosze) in [
        ("1 515 830,74 zł", 151_583_074),
        ("1\u{a0}515\u{a0}830,74\u{a0}zł", 151_583_074),
        ("1515830.74", 151_583_074),
        ("1 515 830,74", 151_583_074),
        ("1515830,74zł", 151_583_074),
        ("1.515.830,74 zł", 151_583_074),
        ("  12,5 ", 1250),
        ("12.5 PLN", 1250),
        ("1 000", 100_000),
        ("1.000", 100_000),
        ("0,05 zł", 5),
    ] {
        assert_eq!(values::parse_money(text), Ok(grosze), "{text}");
    }
    for bad in ["", "zł", "12,345", "1 23,00", "dwa złote", "1,2,3", "99999999999999999999"] {
        assert!(values::parse_money(bad).is_err(), "{bad}");
    }
    assert_eq!(values::show_money(151_583_074), "1 515 830,74 zł");

    let schema = schema_of("job-offer");
    let form = |salary: &str| {
        parse(
            &schema,
            &[
                ("position".into(), "P".into()),
                ("unit".into(), "U".into()),
                ("description".into(), "D".into()),
                ("apply_by".into(), "2026-01-31".into()),
                ("salary_from".into(), salary.into()),
            ],
        )
    };
    assert_eq!(form("6 045,83 zł").value["salary_from"], json!(604_583));
    assert_eq!(form("").value["salary_from"], Value::Null, "empty optional money is null");
    let bad = form("6 045,8 3");
    assert_eq!(bad.errors.len(), 1);
    assert_eq!(bad.errors[0].0, "salary_from");
    assert_eq!(bad.errors[0].1, "Popraw odstępy w kwocie. Wpisz ją tak: 1 515 830,74 zł.");
    assert_eq!(bad.value["salary_from"], json!("6 045,8 3"), "shown again as typed");
    assert!(form("12 zł 50").errors[0].1.starts_with("Kwota nie może zawierać znaku „z”"));
}

/// A schema with what the built-in kinds do not use: date-times, string enums, uuids,
/// floats, a map, times.
fn synthetic() -> Value {
    json!({
        "type": "object",
        "properties": {
            "starts_at": { "type": "string", "format": "date-time", "description": "Start." },
            "ends_at": { "type": ["string", "null"], "format": "date-time", "description": "End, if known." },
            "colour": { "type": "string", "enum": ["red", "green"], "description": "Colour." },
            "shade": { "anyOf": [{ "$ref": "#/$defs/Shade" }, { "type": "null" }], "description": "Shade." },
            "id": { "type": "string", "format": "uuid" },
            "ratio": { "type": "number", "default": 1.5 },
            "extra": { "type": "object", "additionalProperties": { "type": "string" } },
            "at": { "type": "string", "format": "partial-time" },
            "when": { "type": "string", "format": "date" },
            "flags": { "type": ["array", "null"], "items": { "type": "string" } },
            "agreed": { "type": ["boolean", "null"], "description": "Agreed?" }
        },
        "required": ["starts_at", "colour", "id", "extra", "at", "when"],
        "$defs": {
            "Shade": { "oneOf": [
                { "const": "light", "description": "Jasny." },
                { "const": "dark", "description": "Ciemny." }
            ] }
        }
    })
}

fn submit(schema: &Value, fields: &[(&str, &str)]) -> Parsed {
    let pairs: Vec<(String, String)> = fields.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
    parse(schema, &pairs)
}

#[test]
fn times_are_shown_and_read_in_warsaw() {
    let schema = synthetic();
    let value = json!({
        "starts_at": "2025-07-01T08:00:00Z",
        "ends_at": "2025-01-15T23:30:15Z",
        "colour": "green",
        "shade": null,
        "id": "0190a5b4-7c2e-7b3a-9f00-000000000001",
        "ratio": 2.25,
        "extra": { "a": "b" },
        "at": "09:05:00",
        "when": "2025-03-15",
        "flags": ["x"],
        "agreed": false
    });
    let rendered = render(&schema, &value, &[]);
    let html = &rendered.html;
    assert_accessible(html);
    assert!(
        html.contains("type=\"datetime-local\" id=\"f-starts_at\" name=\"starts_at\" value=\"2025-07-01T10:00\""),
        "summer: UTC+2 {html}"
    );
    assert!(html.contains("name=\"ends_at\" value=\"2025-01-16T00:30:15\" step=\"1\""), "winter: UTC+1, seconds kept");
    assert!(html.contains("type=\"time\" id=\"f-at\" name=\"at\" value=\"09:05\""));
    assert!(html.contains("value=\"2,25\" inputmode=\"decimal\""));
    assert!(html.contains("name=\"id\" value=\"0190a5b4-7c2e-7b3a-9f00-000000000001\" spellcheck=\"false\""));
    assert!(
        html.contains("value=\"\" checked><label class=\"radio__label\" for=\"f-shade\">Nie dotyczy</label>"),
        "{html}"
    );
    assert!(html.contains("value=\"green\" checked>"));
    let parsed = parse(&schema, &pairs_of(html));
    assert_eq!(parsed.errors, vec![]);
    assert_eq!(parsed.value, value, "round trip");

    let base = [("colour", "red"), ("id", "x"), ("extra", "{}"), ("at", "10:00"), ("when", "15.03.2025")];
    let with = |at: &str| {
        let mut f = vec![("starts_at", at)];
        f.extend(base);
        submit(&schema, &f)
    };
    let p = with("2025-03-15T14:30");
    assert_eq!((p.value["starts_at"].clone(), p.errors.clone()), (json!("2025-03-15T13:30:00Z"), vec![]));
    assert_eq!(p.value["at"], json!("10:00:00"));
    assert_eq!(p.value["when"], json!("2025-03-15"));
    assert_eq!(p.value["ends_at"], Value::Null);
    assert_eq!(p.value["shade"], Value::Null);
    assert_eq!(p.value["ratio"], json!(1.5), "absent: the default");
    assert_eq!((&p.value["flags"], &p.value["agreed"]), (&Value::Null, &Value::Null), "Option<Vec>, Option<bool>");
    assert!(
        html.contains(
            "name=\"agreed\" value=\"false\" checked><label class=\"radio__label\" for=\"f-agreed--2\">Nie</label>"
        ),
        "{html}"
    );
    // 30 March 2025: the clocks jump from 2:00 to 3:00 — 2:30 never happens.
    let gap = with("2025-03-30T02:30");
    assert_eq!(gap.errors, vec![("starts_at".to_owned(), values::DST_GAP.to_owned())]);
    assert_eq!(gap.value["starts_at"], json!("2025-03-30T02:30"), "the editor's text, shown again");
    assert!(render(&schema, &gap.value, &gap.errors).html.contains("value=\"2025-03-30T02:30\""));
    assert_eq!(with("2025-03-30T03:00").value["starts_at"], json!("2025-03-30T01:00:00Z"));
    // 26 October 2025: 2:30 happens twice; the earlier (summer time) is taken.
    assert_eq!(with("2025-10-26T02:30").value["starts_at"], json!("2025-10-26T00:30:00Z"));
    assert_eq!(with("2025-10-26T03:30").value["starts_at"], json!("2025-10-26T02:30:00Z"));
    assert_eq!(with("2025-03-15T14:30:00+00:00").value["starts_at"], json!("2025-03-15T14:30:00Z"));
    let bad = with("jutro");
    assert_eq!(bad.errors[0].0, "starts_at");
    let empty = with("");
    assert_eq!(empty.errors, vec![("starts_at".to_owned(), values::DATETIME_REQUIRED.to_owned())]);

    let p = submit(
        &schema,
        &[("colour", "blue"), ("at", "25:00"), ("when", "2025-02-30"), ("extra", "{"), ("shade", "dark")],
    );
    let paths: Vec<&str> = p.errors.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["starts_at", "colour", "extra", "at", "when"], "{p:?}");
    assert_eq!(p.value["shade"], json!("dark"));
    assert_eq!(p.value["id"], json!(""));
}

#[test]
fn hostile_names_are_ignored() {
    let schema = schema_of("programme");
    let mut pairs: Vec<(String, String)> = [
        "people[99999999].name",
        "people[99999999999999999999].name",
        "people[1].name",
        "people[0]",
        "people[0].name.x",
        "people[-1].name",
        "people[].name",
        "people[0]]",
        "a[",
        "]]",
        "[0]",
        "",
        ".",
        "name.",
        ".name",
        "name[0]",
        "tags[0][0]",
        "tags.x",
        "budget",
        "budget.total[0]",
        "colour",
        "__proto__",
        "tags[3]",
        "indicators[0].target.x",
    ]
    .iter()
    .map(|n| ((*n).to_owned(), "x".to_owned()))
    .collect();
    pairs.push(("name".into(), "Nazwa".into()));
    pairs.push(("_csrf".into(), "token".into()));
    pairs.push(("_version".into(), "3".into()));
    let parsed = parse(&schema, &pairs);
    assert_eq!(parsed.errors, vec![]);
    assert_eq!(parsed.list_op, None);
    assert_eq!(parsed.value["name"], json!("Nazwa"));
    assert_eq!(parsed.value["people"], json!([]));
    assert_eq!(parsed.value["tags"], json!([]));
    assert_eq!(parsed.value["budget"], Value::Null);
    assert!(parsed.value.get("colour").is_none() && parsed.value.get("_csrf").is_none());

    // Indexes may only name an item or the next one, and lists stop at the cap.
    let many: Vec<(String, String)> =
        (0..MAX_LIST_ITEMS + 50).map(|i| ("tags[".to_owned() + &i.to_string() + "]", format!("t{i}"))).collect();
    assert_eq!(parse(&schema, &many).value["tags"].as_array().unwrap().len(), MAX_LIST_ITEMS);
    let skipping = [("tags[0]".to_owned(), "a".to_owned()), ("tags[2]".to_owned(), "c".to_owned())];
    assert_eq!(parse(&schema, &skipping).value["tags"], json!(["a"]));
    let mut full = many.clone();
    full.truncate(MAX_LIST_ITEMS);
    full.push(("_op".into(), "add:tags".into()));
    assert_eq!(parse(&schema, &full).value["tags"].as_array().unwrap().len(), MAX_LIST_ITEMS);

    // Long and deep names cost their length, nothing more.
    let deep = "people[0].".repeat(10_000) + "name";
    let long = "x".repeat(100_000);
    let parsed = parse(&schema, &[(deep, "x".into()), (long.clone(), long.clone()), ("name".into(), long)]);
    assert_eq!(parsed.value["people"], json!([]));
}

#[test]
fn errors_land_on_their_fields_and_in_the_summary() {
    let schema = schema_of("programme");
    let errors: Vec<(String, String)> = [
        ("people[1].role", "must not be empty"),
        ("budget.co_financing", "co-financing 2 000,00 zł is above the total 1 000,00 zł"),
        ("name", "must not be empty"),
        ("tags[1]", "too long"),
        ("colour", "unknown field"),
        ("people[7].name", "no such item"),
        ("indicators", "list at least one"),
        ("name", "second problem"),
        ("people[2]", "duplicate person"),
    ]
    .iter()
    .map(|(p, m)| ((*p).to_owned(), (*m).to_owned()))
    .collect();
    let rendered = render(&schema, &programme(), &errors);
    let html = &rendered.html;
    assert_accessible(html);
    // The error before the control, the control invalid and described by its hint and the error.
    let role = html.find("id=\"f-people-1-role-error\"").unwrap();
    let input = html.find("<input class=\"input input--text\" type=\"text\" id=\"f-people-1-role\"").unwrap();
    assert!(role < input);
    let tag = &html[input..input + html[input..].find('>').unwrap()];
    assert_eq!(attr(tag, "aria-describedby").as_deref(), Some("f-people-1-role-hint f-people-1-role-error"));
    assert!(tag.contains("aria-invalid=\"true\""));
    assert!(html.contains("<p class=\"error-message\" id=\"f-people-1-role-error\"><span class=\"visually-hidden\">Błąd:</span> must not be empty</p>"));
    let group = html[..role].rfind("<div class=\"field").unwrap();
    assert!(html[group..].starts_with("<div class=\"field field--error\">"));
    // Two errors on one field: one message block, both in the summary.
    assert!(html.contains("must not be empty<br><span class=\"visually-hidden\">Błąd:</span> second problem</p>"));
    // Money errors with the hint.
    let co = &html[html.find("f-budget-co_financing-error").unwrap()..];
    assert!(co.starts_with("f-budget-co_financing-error\""));
    // A list-level error on the list's fieldset.
    assert!(html.contains("<fieldset class=\"fieldset list\" id=\"f-indicators\" tabindex=\"-1\" aria-describedby=\"f-indicators-hint f-indicators-error\">"), "{html}");

    let summary: Vec<(&str, &str, &str)> =
        rendered.summary.iter().map(|s| (s.id.as_str(), s.label.as_str(), s.message.as_str())).collect();
    assert_eq!(summary[0], ("form-errors", "colour", "unknown field"), "no such field: above the form");
    assert!(html.starts_with("<div class=\"field field--error\" id=\"form-errors\""));
    let ids: Vec<&str> = summary.iter().map(|s| s.0).collect();
    // Form order (the schema's order of properties), every error once.
    let mut positions: Vec<usize> = ids[1..].iter().map(|id| html.find(&format!("id=\"{id}\"")).unwrap()).collect();
    let sorted = {
        let mut s = positions.clone();
        s.sort_unstable();
        s
    };
    assert_eq!(positions, sorted, "{summary:?}");
    positions.dedup();
    assert_eq!(summary.len(), errors.len());
    let by_id: HashMap<&str, Vec<(&str, &str)>> = summary.iter().fold(HashMap::new(), |mut m, s| {
        m.entry(s.0).or_default().push((s.1, s.2));
        m
    });
    assert_eq!(by_id["f-people-1-role"], [("Rola (Osoby, pozycja 2)", "must not be empty")]);
    assert_eq!(by_id["f-people"], [("Osoby", "no such item")], "nearest field");
    assert_eq!(by_id["f-people-2"], [("Osoby, pozycja 3", "duplicate person")]);
    assert_eq!(by_id["f-tags-1"], [("Tagi, pozycja 2", "too long")]);
    assert_eq!(by_id["f-name"], [("Nazwa projektu", "must not be empty"), ("Nazwa projektu", "second problem")]);
    assert_eq!(by_id["f-budget-co_financing"][0].0, "Dofinansowanie");
    assert_eq!(by_id["f-indicators"][0].1, "list at least one");

    // A radio group's error links to its first radio.
    let settings = schema_of("accessibility");
    let r = render(&settings, &demo_items()[0].1, &[("declaration.status".into(), "zła".into())]);
    assert_eq!(r.summary[0].id, "f-declaration-status");
    assert!(r
        .html
        .contains("id=\"f-declaration-status\" name=\"declaration.status\" value=\"full\" aria-invalid=\"true\">"));
    assert_accessible(&r.html);
}

#[test]
fn every_demo_form_is_accessible_with_every_field_in_error() {
    for (kind, content) in demo_items().into_iter().chain(extra_items()) {
        let schema = schema_of(kind);
        let stored: Value = serde_json::from_str(&canonical(kind, &content)).unwrap();
        // An error on every field the form has.
        let names: Vec<(String, String)> = pairs_of(&render(&schema, &stored, &[]).html)
            .into_iter()
            .map(|(n, _)| (n, "Błąd testowy".to_owned()))
            .collect();
        let rendered = render(&schema, &stored, &names);
        assert_accessible(&rendered.html);
        assert!(!rendered.summary.iter().any(|s| s.id == "form-errors"), "{kind}: every name is a field");
        let ids: HashSet<&str> = rendered.summary.iter().map(|s| s.id.as_str()).collect();
        for id in ids {
            assert!(rendered.html.contains(&format!("id=\"{id}\"")), "{kind}: summary links to {id}");
        }
    }
}

#[test]
fn ids_and_labels() {
    assert_eq!(field_id("people[1].role"), "f-people-1-role");
    assert_eq!(field_id("title"), "f-title");
    assert_eq!(field_id("tags[0]"), "f-tags-0");
    assert_eq!(field_id("funding.period.end"), "f-funding-period-end");
    assert_eq!(field_id("a b\"<"), "f-a_b__");
    use super::schema::split_first_sentence as first;
    assert_eq!(first("Headline."), ("Headline".into(), String::new()));
    assert_eq!(
        first("Street and number („ul. Graniczna 1A”)."),
        ("Street and number („ul. Graniczna 1A”)".into(), String::new())
    );
    assert_eq!(
        first("Tags for filtering (e.g. `kis`, `projekty`)."),
        ("Tags for filtering (e.g. kis, projekty)".into(), String::new())
    );
    assert_eq!(
        first("Font size. Pick one, e.g. A+. Then save.\nMore."),
        ("Font size".into(), "Pick one, e.g. A+. Then save. More.".into())
    );
    assert_eq!(first("Jak wyłączyć cookies? Tak."), ("Jak wyłączyć cookies?".into(), "Tak.".into()));
    assert_eq!(first("See [`Meta`](crate::Meta) first.\n\nThen this."), ("See Meta first".into(), "Then this.".into()));
    assert_eq!(
        first("Intervals of that day; empty means closed all day."),
        ("Intervals of that day".into(), "Empty means closed all day.".into())
    );
    assert_eq!(super::schema::humanise("sign_language_info"), "Sign language info");
}

#[test]
fn fields_come_in_the_structs_order() {
    let position = |html: &str, id: &str| html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id}"));
    let news = render(&schema_of("news"), &json!({}), &[]).html;
    let order: Vec<usize> = ["f-title", "f-body", "f-author"].iter().map(|id| position(&news, id)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{news}");
    assert!(news[news.find(" name=\"").unwrap()..].starts_with(" name=\"title\""), "the title first");
    let unit = render(&schema_of("unit"), &json!({"name": "x"}), &[]).html;
    let days: Vec<usize> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| position(&unit, &format!("f-office_hours-weekly-{d}")))
        .collect();
    assert!(days.windows(2).all(|w| w[0] < w[1]), "weekdays in week order");
    assert!(position(&unit, "f-name") < position(&unit, "f-address"));
}
