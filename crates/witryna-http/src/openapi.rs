//! The OpenAPI 3.1 document, made from the route table [`crate::api::build`] fills and the
//! JSON Schemas of its bodies (schemars, JSON Schema 2020-12 as OpenAPI 3.1 uses).

use schemars::Schema;
use serde_json::{json, Map, Value};

use crate::api::{Access, Operation, Precondition};

/// The problem details every error answers with (see `error::problem`).
fn problem_schema(field_error: Schema) -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "urn:witryna:problem:…"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": field_error, "description": "the failing fields"},
            "current_version": {"type": "integer", "description": "on 412: the item's current version"}
        }
    })
}

fn parameters(op: &Operation) -> Vec<Value> {
    let path_params = op.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).map(|name| {
        let (description, schema) = match name {
            "key" => ("slug or id", json!({"type": "string"})),
            "id" => ("id", json!({"type": "string", "format": "uuid"})),
            "version" => ("version number", json!({"type": "integer", "minimum": 1})),
            _ => (name, json!({"type": "string"})),
        };
        json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema})
    });
    let mut out: Vec<Value> = path_params.collect();
    // An empty value (`limit=`) is the same as leaving the parameter out (`extract::Params`).
    for p in &op.query {
        let mut param = json!({"name": p.name, "in": "query", "required": false, "allowEmptyValue": true,
            "description": p.description, "schema": p.schema});
        if p.repeated {
            param["style"] = json!("form");
            param["explode"] = json!(true);
        }
        out.push(param);
    }
    if op.access == Access::Preview {
        out.push(json!({"name": "preview", "in": "query", "required": false, "allowEmptyValue": true,
            "description": "true: drafts, scheduled and archived items too (an editor token is needed)",
            "schema": {"type": "boolean"}}));
    }
    if op.if_match != Precondition::None {
        let required = op.if_match == Precondition::Required;
        out.push(json!({"name": "If-Match", "in": "header", "required": required,
            "description": "the ETag of the version the change is based on (a list of ETags, or *); \
                            412 unless it names the current one",
            "schema": {"type": "string"}}));
    }
    if op.conditional {
        out.push(json!({"name": "If-None-Match", "in": "header", "required": false,
            "description": "ETags the client has (or *); 304 when one is the current ETag",
            "schema": {"type": "string"}}));
    }
    out
}

fn operation(op: &Operation) -> Value {
    let mut responses = Map::new();
    for status in op.success {
        let mut success = json!({"description": status.canonical_reason().unwrap_or("OK")});
        if let Some(schema) = &op.response {
            success["content"] = json!({"application/json": {"schema": schema}});
        }
        responses.insert(status.as_u16().to_string(), success);
    }
    if op.conditional {
        responses.insert("304".into(), json!({"description": "Not Modified: If-None-Match names the current ETag"}));
    }
    if op.redirects_old_slugs {
        responses.insert(
            "301".into(),
            json!({"description": "Moved Permanently: an old slug; Location is the URL with the current one",
                   "headers": {"Location": {"required": true, "schema": {"type": "string"}}}}),
        );
    }
    responses.insert(
        "default".into(),
        json!({"description": "error", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
    );
    let id: String = format!("{}{}", op.method.as_str().to_lowercase(), op.path)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut o = json!({
        "operationId": id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters(op),
        "responses": responses,
    });
    if let Some(schema) = &op.request {
        o["requestBody"] = json!({"required": !op.request_optional, "content": {op.request_type: {"schema": schema}}});
    }
    match op.access {
        Access::Public => {}
        Access::Preview => {
            o["security"] = json!([{}, {"bearer": []}]);
            o["description"] = json!("Anyone may read; preview=true needs a bearer token with the editor role.");
        }
        Access::Editor | Access::Admin => {
            let role = if op.access == Access::Admin { "admin" } else { "editor" };
            o["security"] = json!([{"bearer": []}]);
            o["description"] = json!(format!("Needs a bearer token with the {role} role."));
            // The same fact for machines (clients, the access test): who may call it.
            o["x-required-role"] = json!(role);
        }
    }
    o
}

/// The document for the route table's operations, the schemas they refer to, and the
/// schema of one failing field (which problem details list).
pub(crate) fn document(ops: &[Operation], mut schemas: Map<String, Value>, field_error: Schema) -> Value {
    let mut paths = Map::new();
    for op in ops {
        let entry = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        entry[op.method.as_str().to_lowercase()] = operation(op);
    }
    schemas.insert("Problem".into(), problem_schema(field_error));
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Witryna API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "JSON API of Witryna, a CMS for public-service websites. Errors are application/problem+json (RFC 9457)."
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}
