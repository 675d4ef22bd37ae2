//! The OpenAPI 3.1 document, made from the operations [`crate::api::build`] registered
//! and the JSON Schemas of their bodies (schemars, JSON Schema 2020-12 as OpenAPI 3.1 uses).

use serde_json::{json, Map, Value};

use crate::api::{Access, Operation};

fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            "current_version": {"type": "integer", "description": "on 412: the item's current version"}
        }
    })
}

fn parameters(op: &Operation) -> Vec<Value> {
    let path_params = op.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).map(|name| {
        let description = match name {
            "key" => "slug or id",
            "version" => "version number",
            _ => name,
        };
        json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
    });
    let query = op
        .query
        .iter()
        .map(|(name, description)| json!({"name": name, "in": "query", "description": description, "schema": {"type": "string"}}));
    let mut out: Vec<Value> = path_params.chain(query).collect();
    if op.method == axum::http::Method::PUT && op.path.contains("{key}") {
        out.push(json!({"name": "If-Match", "in": "header", "required": true, "description": "the ETag of the version the change is based on", "schema": {"type": "string"}}));
    }
    out
}

fn operation(op: &Operation) -> Value {
    let mut responses = Map::new();
    let success = match &op.response {
        Some(schema) => json!({"description": op.success.canonical_reason().unwrap_or("OK"),
                               "content": {"application/json": {"schema": schema}}}),
        None => json!({"description": op.success.canonical_reason().unwrap_or("OK")}),
    };
    responses.insert(op.success.as_u16().to_string(), success);
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
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    if matches!(op.access, Access::Editor | Access::Admin) {
        let role = if op.access == Access::Admin { "admin" } else { "editor" };
        o["security"] = json!([{"bearer": []}]);
        o["description"] = json!(format!("Needs a bearer token with the {role} role."));
    }
    o
}

/// The document for a list of operations and the schemas they refer to.
pub(crate) fn document(ops: &[Operation], mut schemas: Map<String, Value>) -> Value {
    let mut paths = Map::new();
    for op in ops {
        let entry = paths.entry(op.path.clone()).or_insert_with(|| json!({}));
        entry[op.method.as_str().to_lowercase()] = operation(op);
    }
    schemas.insert("Problem".into(), problem_schema());
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
