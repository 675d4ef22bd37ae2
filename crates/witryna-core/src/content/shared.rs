//! Shared fields of a translation group: the non-linguistic fields a kind names in
//! [`Content::SHARED`](super::Content::SHARED) (money, dates, office hours, media ids) are
//! the source's. A translation shows the source's current values ([`overlay`]); a write of
//! a translation may leave them empty (they are filled in) or repeat them, but a different
//! value is refused ([`conflict`]) — silently keeping or dropping it would lose someone's
//! work.
//!
//! A path is a dot-separated list of object keys (`budget`, `event.date`).

use serde_json::Value;

/// Sets every shared path of `target` to the source's value: a path missing in the source
/// is removed from the target (an absent parent object removes the target's whole parent,
/// since a child cannot exist without it).
pub fn overlay(source: &Value, target: &mut Value, paths: &[&str]) {
    for path in paths {
        let keys: Vec<&str> = path.split('.').collect();
        overlay_path(source, target, &keys);
    }
}

fn overlay_path(source: &Value, target: &mut Value, keys: &[&str]) {
    let (Some((key, rest)), Some(target)) = (keys.split_first(), target.as_object_mut()) else { return };
    let from = source.get(*key);
    match (from, rest.is_empty()) {
        (Some(Value::Object(_)), false) if target.get(*key).is_some_and(Value::is_object) => {
            overlay_path(from.expect("matched"), target.get_mut(*key).expect("checked"), rest);
        }
        (Some(value), _) => {
            target.insert((*key).to_owned(), value.clone());
        }
        (None, _) => {
            target.remove(*key);
        }
    }
}

/// The first shared path where `given` holds a value that is not empty and differs from
/// the source's; `None` when every shared value is empty or the source's.
pub fn conflict(source: &Value, given: &Value, paths: &[&str]) -> Option<String> {
    paths
        .iter()
        .find(|path| {
            let keys: Vec<&str> = path.split('.').collect();
            conflicts_at(Some(source), given, &keys)
        })
        .map(|p| (*p).to_owned())
}

fn conflicts_at(source: Option<&Value>, given: &Value, keys: &[&str]) -> bool {
    let Some((key, rest)) = keys.split_first() else {
        return !is_empty(given) && source.is_none_or(|s| s != given);
    };
    match given.get(*key) {
        None => false,
        Some(child) if rest.is_empty() || child.is_object() => {
            conflicts_at(source.and_then(|s| s.get(*key)).filter(|v| !v.is_null()), child, rest)
        }
        // A parent that is null or not an object holds nothing at the path.
        Some(_) => false,
    }
}

/// Null, `""`, `[]`, or an object of empty values: nothing a writer meant to set.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PATHS: &[&str] = &["budget", "event.date", "cover.media"];

    #[test]
    fn the_source_wins_every_shared_path_and_nothing_else() {
        let source = json!({"title": "Pl", "budget": {"total": 100}, "event": {"date": "2026-01-02", "place": "Sala"}, "cover": null});
        let mut t = json!({"title": "Uk", "budget": null, "event": {"date": "2025-01-01", "place": "Зала"}, "cover": {"media": "x", "alt": "a"}});
        overlay(&source, &mut t, PATHS);
        assert_eq!(
            t,
            json!({"title": "Uk", "budget": {"total": 100}, "event": {"date": "2026-01-02", "place": "Зала"}, "cover": null})
        );
        let mut missing_parent = json!({"title": "En"});
        overlay(&source, &mut missing_parent, &["event.date"]);
        assert_eq!(missing_parent["event"], json!({"date": "2026-01-02", "place": "Sala"}), "the parent comes whole");
    }

    #[test]
    fn empty_or_equal_shared_values_pass_and_different_ones_are_named() {
        let source = json!({"budget": {"total": 100}, "event": {"date": "2026-01-02"}, "cover": null});
        let same = json!({"budget": {"total": 100}, "event": {"date": "2026-01-02", "place": "x"}});
        assert_eq!(conflict(&source, &same, PATHS), None);
        let empty = json!({"budget": null, "event": null, "cover": {"media": null, "alt": "opis"}});
        assert_eq!(conflict(&source, &empty, PATHS), None);
        let drift = json!({"budget": {"total": 99}});
        assert_eq!(conflict(&source, &drift, PATHS).as_deref(), Some("budget"));
        let extra = json!({"cover": {"media": "x"}});
        assert_eq!(conflict(&source, &extra, PATHS).as_deref(), Some("cover.media"), "a value the source lacks");
    }
}
