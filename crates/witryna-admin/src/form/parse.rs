//! A submitted form → content JSON, and the list buttons (`_op`).
//!
//! Names are checked against the schema before anything is stored, list indexes may only
//! name an existing item or the next one, and every list stops at [`MAX_LIST_ITEMS`]: the
//! work and memory are linear in the size of the submission, whatever it holds.

use serde_json::{Map, Value};

use super::schema::{Node, Schemas, Shape};
use super::{field_id, join, segments, values, Parsed, Seg, MAX_LIST_ITEMS};

/// Deeper than this, objects are not built (a recursive type with nothing submitted).
const MAX_DEPTH: usize = 48;

const CHOOSE_ONE: &str = "Wybierz jedną z możliwości.";
const BAD_JSON: &str = "Wpisz poprawną wartość JSON.";

/// The submitted texts, shaped as the schema is.
#[derive(Debug)]
enum Tree {
    Leaf(String),
    Map(Vec<(String, Tree)>),
    List(Vec<Tree>),
}

impl Tree {
    fn empty_for(shape: &Shape<'_>) -> Tree {
        match shape {
            Shape::Object { .. } => Tree::Map(Vec::new()),
            Shape::List { .. } => Tree::List(Vec::new()),
            _ => Tree::Leaf(String::new()),
        }
    }

    fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, t)| t),
            _ => None,
        }
    }
}

pub(super) fn parse(schema: &Value, pairs: &[(String, String)]) -> Parsed {
    let schemas = Schemas::new(schema);
    let root = schemas.root_node();
    let mut tree = Tree::Map(Vec::new());
    let mut op = None;
    for (name, text) in pairs {
        if name.starts_with('_') {
            if name == "_op" {
                op = Some(text.as_str());
            }
            continue;
        }
        insert(schemas, &root, &mut tree, name, text);
    }
    let mut errors = Vec::new();
    let mut value = match root.shape {
        Shape::Object { .. } => build(schemas, &root, Some(&tree), "", &mut errors, 0).0,
        _ => Value::Null,
    };
    let list_op = op.map(|op| apply_op(schemas, &root, &mut value, op, &mut errors));
    Parsed { value, errors, list_op }
}

/// Stores one submitted text where its name says, if the name is a field of the schema
/// and its indexes name existing items or the next one.
fn insert(schemas: Schemas<'_>, root: &Node<'_>, tree: &mut Tree, name: &str, text: &str) {
    let Some(segs) = segments(name) else {
        return;
    };
    if segs.is_empty() {
        return;
    }
    // First the schema and the indexes, without changing anything.
    let mut nodes = Vec::with_capacity(segs.len());
    let mut node = root.clone();
    let mut at = Some(&*tree);
    for seg in &segs {
        let child = match (seg, &node.shape) {
            (Seg::Key(k), Shape::Object { properties, .. }) => match properties.get(k.as_str()) {
                Some(schema) => {
                    at = at.and_then(|t| t.get(k));
                    schemas.node(schema, Some(k))
                }
                None => return,
            },
            (Seg::Index(i), Shape::List { items }) => {
                let len = match at {
                    Some(Tree::List(list)) => list.len(),
                    _ => 0,
                };
                if *i > len || *i >= MAX_LIST_ITEMS {
                    return;
                }
                at = match at {
                    Some(Tree::List(list)) => list.get(*i),
                    _ => None,
                };
                schemas.node(items, None)
            }
            _ => return,
        };
        nodes.push(Tree::empty_for(&child.shape));
        node = child;
    }
    if !node.shape.is_leaf() {
        return;
    }
    // Then store it, making the objects and items on the way.
    let mut slot = tree;
    for (seg, empty) in segs.into_iter().zip(nodes) {
        slot = match (seg, slot) {
            (Seg::Key(k), Tree::Map(entries)) => {
                let pos = match entries.iter().position(|(key, _)| *key == k) {
                    Some(pos) => pos,
                    None => {
                        entries.push((k, empty));
                        entries.len() - 1
                    }
                };
                &mut entries[pos].1
            }
            (Seg::Index(i), Tree::List(list)) => {
                if i == list.len() {
                    list.push(empty);
                }
                &mut list[i]
            }
            _ => return,
        };
    }
    *slot = Tree::Leaf(text.to_owned());
}

/// Builds the JSON of one field from what was submitted for it. The flag says whether
/// anything was filled in (an optional object with nothing filled in is `null`).
fn build(
    schemas: Schemas<'_>,
    node: &Node<'_>,
    tree: Option<&Tree>,
    path: &str,
    errors: &mut Vec<(String, String)>,
    depth: usize,
) -> (Value, bool) {
    let text = match tree {
        Some(Tree::Leaf(s)) => Some(s.as_str()),
        _ => None,
    };
    let err = |errors: &mut Vec<(String, String)>, message: &str| errors.push((path.to_owned(), message.to_owned()));
    match &node.shape {
        Shape::Object { properties, .. } => {
            if depth > MAX_DEPTH {
                return (Value::Null, false);
            }
            if !node.nullable {
                return build_object(schemas, properties, tree, path, errors, depth);
            }
            // Optional: only when something in it was filled in, and only then its errors.
            let mut inner = Vec::new();
            let (value, filled) = build_object(schemas, properties, tree, path, &mut inner, depth);
            if !filled {
                return (Value::Null, false);
            }
            errors.extend(inner);
            (value, true)
        }
        Shape::List { items } => {
            let list = match tree {
                Some(Tree::List(list)) if !list.is_empty() => list,
                // `Option<Vec<_>>` with no items: none.
                _ if node.nullable => return (Value::Null, false),
                _ => return (Value::Array(Vec::new()), false),
            };
            let item = schemas.node(items, None);
            let values = list
                .iter()
                .enumerate()
                .map(|(i, t)| build(schemas, &item, Some(t), &format!("{path}[{i}]"), errors, depth + 1).0)
                .collect::<Vec<_>>();
            let filled = !values.is_empty();
            (Value::Array(values), filled)
        }
        Shape::Bool if node.nullable => match text.map(str::trim) {
            Some("true") => (Value::Bool(true), true),
            Some("false") => (Value::Bool(false), true),
            _ => (Value::Null, false),
        },
        Shape::Bool => {
            let on = text.is_some_and(|t| !t.is_empty() && t != "false");
            (Value::Bool(on), on)
        }
        Shape::Text(_) => match text {
            Some(t) => {
                let t = normalise_newlines(t);
                let blank = t.trim().is_empty();
                if blank && node.nullable {
                    (Value::Null, false)
                } else {
                    (Value::String(t), !blank)
                }
            }
            None if node.nullable => (Value::Null, false),
            None => (node.default.cloned().unwrap_or_else(|| Value::String(String::new())), false),
        },
        Shape::Enum(choices) => {
            let t = text.map(str::trim).unwrap_or("");
            if t.is_empty() {
                return match (node.nullable, node.default) {
                    (true, _) => (Value::Null, false),
                    (false, Some(d)) => (d.clone(), false),
                    (false, None) => {
                        err(errors, CHOOSE_ONE);
                        (Value::Null, false)
                    }
                };
            }
            if choices.iter().any(|c| c.value == t) {
                (Value::String(t.to_owned()), true)
            } else {
                err(errors, CHOOSE_ONE);
                (Value::Null, true)
            }
        }
        shape => {
            let t = text.map(str::trim).unwrap_or("");
            if t.is_empty() {
                if node.nullable {
                    return (Value::Null, false);
                }
                if let Some(d) = node.default {
                    return (d.clone(), false);
                }
                let required = match shape {
                    Shape::Date => values::DATE_REQUIRED,
                    Shape::DateTime => values::DATETIME_REQUIRED,
                    Shape::Time => values::TIME_REQUIRED,
                    Shape::Money => values::MONEY_REQUIRED,
                    Shape::Json => BAD_JSON,
                    _ => values::NUMBER_REQUIRED,
                };
                err(errors, required);
                return (Value::Null, false);
            }
            let read = match shape {
                Shape::Date => values::parse_date(t).map(Value::String),
                Shape::DateTime => values::parse_datetime(t).map(Value::String),
                Shape::Time => values::parse_time(t).map(Value::String),
                Shape::Money => values::parse_money(t).map(Value::from),
                Shape::Integer { min, max } => values::parse_integer(t, *min, *max),
                Shape::Number => values::parse_number(t),
                _ => serde_json::from_str(t).map_err(|_| BAD_JSON.to_owned()),
            };
            match read {
                Ok(v) => (v, true),
                Err(message) => {
                    err(errors, &message);
                    // The editor's own text, to be shown again with the error.
                    (Value::String(text.unwrap_or("").to_owned()), true)
                }
            }
        }
    }
}

fn build_object(
    schemas: Schemas<'_>,
    properties: &Map<String, Value>,
    tree: Option<&Tree>,
    path: &str,
    errors: &mut Vec<(String, String)>,
    depth: usize,
) -> (Value, bool) {
    let mut map = Map::new();
    let mut filled = false;
    for (key, schema) in properties {
        // Read-only parts (a media item's file) are not in the form: the caller keeps the
        // stored ones.
        if super::is_read_only(schema) {
            continue;
        }
        let child = schemas.node(schema, Some(key));
        let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let child_tree = tree.and_then(|t| t.get(key));
        let (value, f) = build(schemas, &child, child_tree, &child_path, errors, depth + 1);
        filled |= f;
        map.insert(key.clone(), value);
    }
    (Value::Object(map), filled)
}

/// Browsers send textarea line breaks as CR LF.
fn normalise_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

/// A new item's value: empty texts, unticked boxes, `null` optional parts.
fn blank(schemas: Schemas<'_>, node: &Node<'_>, depth: usize) -> Value {
    if let Some(d) = node.default {
        return d.clone();
    }
    if node.nullable {
        return Value::Null;
    }
    blank_of_shape(schemas, node, depth)
}

fn blank_of_shape(schemas: Schemas<'_>, node: &Node<'_>, depth: usize) -> Value {
    match &node.shape {
        Shape::Object { properties, .. } if depth < MAX_DEPTH => Value::Object(
            properties.iter().map(|(k, s)| (k.clone(), blank(schemas, &schemas.node(s, Some(k)), depth + 1))).collect(),
        ),
        Shape::List { .. } => Value::Array(Vec::new()),
        Shape::Bool => Value::Bool(false),
        Shape::Text(_) => Value::String(String::new()),
        _ => Value::Null,
    }
}

/// Applies a list button (`add:path`, `remove:path[i]`, `up:path[i]`, `down:path[i]`);
/// answers the id to focus (empty when the button named nothing that exists).
fn apply_op(
    schemas: Schemas<'_>,
    root: &Node<'_>,
    value: &mut Value,
    op: &str,
    errors: &mut Vec<(String, String)>,
) -> String {
    let Some((verb, path)) = op.split_once(':') else {
        return String::new();
    };
    let Some(segs) = segments(path) else {
        return String::new();
    };
    if verb == "add" {
        let Some((list, items)) = list_at(schemas, root, value, &segs, true) else {
            return String::new();
        };
        if list.len() >= MAX_LIST_ITEMS {
            return field_id(path);
        }
        let item = schemas.node(items, None);
        list.push(blank_of_shape(schemas, &item, 0));
        return field_id(&format!("{path}[{}]", list.len() - 1));
    }
    let Some((Seg::Index(i), parent)) = segs.split_last().map(|(l, p)| (l.clone(), p)) else {
        return String::new();
    };
    let list_path = join(parent);
    let Some((list, _)) = list_at(schemas, root, value, parent, false) else {
        return String::new();
    };
    if i >= list.len() {
        return field_id(&list_path);
    }
    match verb {
        "remove" => {
            list.remove(i);
            renumber(errors, parent, |j| match j {
                j if j == i => None,
                j if j > i => Some(j - 1),
                j => Some(j),
            });
            field_id(&list_path)
        }
        "up" | "down" => {
            let other = if verb == "up" { i.checked_sub(1) } else { Some(i + 1).filter(|o| *o < list.len()) };
            let Some(other) = other else {
                return field_id(&format!("{list_path}[{i}]"));
            };
            list.swap(i, other);
            renumber(errors, parent, |j| {
                Some(if j == i {
                    other
                } else if j == other {
                    i
                } else {
                    j
                })
            });
            field_id(&format!("{list_path}[{other}]"))
        }
        _ => String::new(),
    }
}

/// The list at `segs` and its item schema; with `create`, absent or `null` objects on the
/// way are made (adding an item to a list in an optional part fills that part in).
fn list_at<'v, 'a>(
    schemas: Schemas<'a>,
    root: &Node<'a>,
    value: &'v mut Value,
    segs: &[Seg],
    create: bool,
) -> Option<(&'v mut Vec<Value>, &'a Value)> {
    let mut node = root.clone();
    let mut at = value;
    for seg in segs {
        match (seg, &node.shape) {
            (Seg::Key(k), Shape::Object { properties, .. }) => {
                let child = schemas.node(properties.get(k.as_str())?, Some(k));
                if !at.is_object() {
                    if !create || !at.is_null() {
                        return None;
                    }
                    *at = blank_of_shape(schemas, &node, 0);
                }
                let map = at.as_object_mut()?;
                if !map.contains_key(k.as_str()) {
                    if !create {
                        return None;
                    }
                    map.insert(k.clone(), blank(schemas, &child, 0));
                }
                at = map.get_mut(k.as_str())?;
                node = child;
            }
            (Seg::Index(i), Shape::List { items }) => {
                at = at.as_array_mut()?.get_mut(*i)?;
                node = schemas.node(items, None);
            }
            _ => return None,
        }
    }
    let Shape::List { items } = node.shape else {
        return None;
    };
    if at.is_null() && create {
        *at = Value::Array(Vec::new());
    }
    Some((at.as_array_mut()?, items))
}

/// Moves the errors of a list's items with them (`None`: the item is gone).
fn renumber(errors: &mut Vec<(String, String)>, list: &[Seg], new_index: impl Fn(usize) -> Option<usize>) {
    errors.retain_mut(|(path, _)| {
        let Some(mut segs) = segments(path) else {
            return true;
        };
        if segs.len() <= list.len() || segs[..list.len()] != *list {
            return true;
        }
        let Seg::Index(j) = segs[list.len()] else {
            return true;
        };
        match new_index(j) {
            Some(n) => {
                segs[list.len()] = Seg::Index(n);
                *path = join(&segs);
                true
            }
            None => false,
        }
    });
}
