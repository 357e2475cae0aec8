//! OpenAPI documents as JSON Schema: load Clerk's official files (OpenAPI 3.0, YAML) or a
//! generated one (OpenAPI 3.1, JSON) and validate bodies against their schemas.
//!
//! OpenAPI 3.0 schemas are not JSON Schema: `nullable` and boolean `exclusiveMinimum` are
//! translated to their 2020-12 forms, so one validator serves both kinds of document.

use std::path::Path;

use serde_json::{Map, Value};

/// A document could not be loaded or a schema not compiled.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is neither JSON nor YAML: {detail}")]
    Parse { path: String, detail: String },
    #[error("no schema named {0} in the document")]
    UnknownSchema(String),
    #[error("no {method} {path} {status} response with a JSON schema in the document")]
    UnknownResponse {
        method: String,
        path: String,
        status: u16,
    },
    #[error("schema does not compile: {0}")]
    Compile(String),
}

/// The status every operation may answer: a missing or wrong secret key (CONTRACT §3).
pub const GLOBAL_STATUS: u16 = 401;

/// An OpenAPI document whose schemas are JSON Schema 2020-12.
#[derive(Debug, Clone)]
pub struct Spec {
    document: Value,
}

/// A compiled schema of a [`Spec`].
pub struct BodySchema {
    validator: jsonschema::Validator,
    name: String,
}

impl std::fmt::Debug for BodySchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodySchema")
            .field("name", &self.name)
            .finish()
    }
}

impl BodySchema {
    /// Every way `body` breaks the schema, as `path: problem` lines; empty when it is valid.
    pub fn violations(&self, body: &Value) -> Vec<String> {
        self.validator
            .iter_errors(body)
            .map(|error| format!("{} at `{}`: {error}", self.name, error.instance_path()))
            .collect()
    }
}

impl Spec {
    /// Reads a JSON or YAML OpenAPI document from a file.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses a JSON or YAML OpenAPI document; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SpecError> {
        let document: Value = match serde_json::from_str(text) {
            Ok(document) => document,
            Err(_) => yaml_serde::from_str(text).map_err(|error| SpecError::Parse {
                path: origin.to_owned(),
                detail: error.to_string(),
            })?,
        };
        let is_openapi_30 = document
            .get("openapi")
            .and_then(Value::as_str)
            .is_some_and(|version| version.starts_with("3.0"));
        let document = if is_openapi_30 {
            to_json_schema(document)
        } else {
            document
        };
        Ok(Self { document })
    }

    /// The whole document (schemas translated).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The schema `#/components/schemas/{name}`.
    pub fn schema(&self, name: &str) -> Result<BodySchema, SpecError> {
        let pointer = format!("/components/schemas/{}", escape_pointer(name));
        if self.document.pointer(&pointer).is_none() {
            return Err(SpecError::UnknownSchema(name.to_owned()));
        }
        self.compile(&format!("#{pointer}"), name)
    }

    /// The JSON schema of the `status` response of `method path` (`path` as the document
    /// writes it, such as `/sessions/{session_id}`), following response `$ref`s.
    pub fn response_schema(
        &self,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<BodySchema, SpecError> {
        let unknown = || SpecError::UnknownResponse {
            method: method.to_uppercase(),
            path: path.to_owned(),
            status,
        };
        let operation = format!("/paths/{}/{}", escape_pointer(path), method.to_lowercase());
        let mut pointer = format!("{operation}/responses/{status}");
        let mut response = self.document.pointer(&pointer).ok_or_else(unknown)?;
        // Follow `$ref`s to shared responses (`#/components/responses/...`).
        for _ in 0..8 {
            let Some(reference) = response.get("$ref").and_then(Value::as_str) else {
                break;
            };
            pointer = reference.trim_start_matches('#').to_owned();
            response = self.document.pointer(&pointer).ok_or_else(unknown)?;
        }
        let schema = format!("{pointer}/content/application~1json/schema");
        if self.document.pointer(&schema).is_none() {
            return Err(unknown());
        }
        self.compile(
            &format!("#{schema}"),
            &format!("{} {path} {status}", method.to_uppercase()),
        )
    }

    /// The operations of the document: `(method, path, operationId, documented statuses)`.
    pub fn operations(&self) -> Vec<(String, String, String, Vec<u16>)> {
        let Some(paths) = self.document.get("paths").and_then(Value::as_object) else {
            return Vec::new();
        };
        paths
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(move |(method, operation)| {
                        let id = operation.get("operationId")?.as_str()?.to_owned();
                        let statuses = operation
                            .get("responses")?
                            .as_object()?
                            .keys()
                            .filter_map(|status| status.parse().ok())
                            .collect();
                        Some((method.clone(), path.clone(), id, statuses))
                    })
            })
            .collect()
    }

    /// The documented path template that `path` (concrete, starting with `/v1`) is an instance
    /// of. Documents whose server URL already ends in `/v1` (Clerk's own) list paths without it.
    pub fn path_template(&self, path: &str) -> Option<String> {
        let paths = self.document.get("paths")?.as_object()?;
        let candidates = [path, path.strip_prefix("/v1").unwrap_or(path)];
        candidates.into_iter().find_map(|candidate| {
            paths
                .keys()
                .find(|template| template_matches(template, candidate))
                .cloned()
        })
    }

    /// The statuses documented for `method path` (a template), ascending.
    /// Whether `status` is documented for the operation, or is the status every operation may
    /// answer whatever its responses list: 401 for a missing or wrong secret key (CONTRACT §3).
    pub fn documents_status(&self, method: &str, template: &str, status: u16) -> bool {
        status == GLOBAL_STATUS || self.statuses(method, template).contains(&status)
    }

    pub fn statuses(&self, method: &str, template: &str) -> Vec<u16> {
        let pointer = format!(
            "/paths/{}/{}/responses",
            escape_pointer(template),
            method.to_lowercase()
        );
        let mut statuses: Vec<u16> = self
            .document
            .pointer(&pointer)
            .and_then(Value::as_object)
            .map(|responses| {
                responses
                    .keys()
                    .filter_map(|status| status.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        statuses.sort_unstable();
        statuses
    }

    fn compile(&self, reference: &str, name: &str) -> Result<BodySchema, SpecError> {
        let mut root = Map::new();
        root.insert("$ref".to_owned(), Value::String(uri_fragment(reference)));
        for section in ["components", "paths"] {
            if let Some(value) = self.document.get(section) {
                root.insert(section.to_owned(), value.clone());
            }
        }
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&Value::Object(root))
            .map_err(|error| SpecError::Compile(error.to_string()))?;
        Ok(BodySchema {
            validator,
            name: name.to_owned(),
        })
    }
}

/// Percent-encodes what a URI fragment cannot hold as is, such as the braces of path templates.
fn uri_fragment(reference: &str) -> String {
    let mut encoded = String::with_capacity(reference.len());
    for byte in reference.bytes() {
        let allowed = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/#%".contains(&byte);
        if allowed {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Whether a concrete path fits a template such as `/sessions/{session_id}`.
fn template_matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    template.len() == path.len()
        && template.iter().zip(&path).all(|(expected, actual)| {
            (expected.starts_with('{') && expected.ends_with('}') && !actual.is_empty())
                || expected == actual
        })
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Rewrites OpenAPI 3.0 schema keywords into JSON Schema 2020-12, everywhere in the document.
fn to_json_schema(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(to_json_schema).collect()),
        Value::Object(object) => {
            let mut object: Map<String, Value> = object
                .into_iter()
                .map(|(key, value)| (key, to_json_schema(value)))
                .collect();
            translate_exclusive_bound(&mut object, "exclusiveMinimum", "minimum");
            translate_exclusive_bound(&mut object, "exclusiveMaximum", "maximum");
            if object.remove("nullable") == Some(Value::Bool(true)) {
                make_nullable(object)
            } else {
                Value::Object(object)
            }
        }
        other => other,
    }
}

/// `exclusiveMinimum: true, minimum: n` (3.0) becomes `exclusiveMinimum: n` (2020-12).
fn translate_exclusive_bound(object: &mut Map<String, Value>, exclusive: &str, bound: &str) {
    match object.get(exclusive) {
        Some(Value::Bool(true)) => {
            if let Some(limit) = object.remove(bound) {
                object.insert(exclusive.to_owned(), limit);
            } else {
                object.remove(exclusive);
            }
        }
        Some(Value::Bool(false)) => {
            object.remove(exclusive);
        }
        _ => {}
    }
}

/// A schema that also accepts `null`.
fn make_nullable(mut object: Map<String, Value>) -> Value {
    if let Some(values) = object.get_mut("enum").and_then(Value::as_array_mut)
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match object.get("type").cloned() {
        Some(Value::String(kind)) => {
            object.insert(
                "type".to_owned(),
                Value::Array(vec![Value::String(kind), Value::String("null".to_owned())]),
            );
            Value::Object(object)
        }
        Some(Value::Array(mut kinds)) => {
            if !kinds.contains(&Value::String("null".to_owned())) {
                kinds.push(Value::String("null".to_owned()));
            }
            object.insert("type".to_owned(), Value::Array(kinds));
            Value::Object(object)
        }
        _ => serde_json::json!({ "anyOf": [Value::Object(object), { "type": "null" }] }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const DOCUMENT: &str = r#"
openapi: 3.0.3
paths:
  /things/{id}:
    get:
      operationId: GetThing
      responses:
        '200':
          $ref: '#/components/responses/Thing'
components:
  responses:
    Thing:
      description: ok
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Thing'
  schemas:
    Thing:
      type: object
      additionalProperties: false
      properties:
        name: { type: string, nullable: true }
        kind: { type: string, enum: [a, b], nullable: true }
        size: { type: integer, minimum: 0, exclusiveMinimum: true }
        parent: { $ref: '#/components/schemas/Thing', nullable: true }
      required: [name]
"#;

    fn spec() -> Spec {
        Spec::parse(DOCUMENT, "test").expect("parses")
    }

    #[test]
    fn nullable_fields_accept_null_and_their_type_only() {
        let schema = spec().schema("Thing").expect("compiles");
        assert!(
            schema
                .violations(&json!({"name": null, "kind": null, "parent": null}))
                .is_empty()
        );
        assert!(
            schema
                .violations(&json!({"name": "x", "kind": "a"}))
                .is_empty()
        );
        assert_eq!(schema.violations(&json!({"name": 1})).len(), 1);
        assert_eq!(
            schema.violations(&json!({"name": "x", "kind": "c"})).len(),
            1
        );
    }

    #[test]
    fn boolean_exclusive_bounds_become_numeric() {
        let schema = spec().schema("Thing").expect("compiles");
        assert_eq!(schema.violations(&json!({"name": "x", "size": 0})).len(), 1);
        assert!(
            schema
                .violations(&json!({"name": "x", "size": 1}))
                .is_empty()
        );
    }

    #[test]
    fn additional_properties_false_is_enforced() {
        let schema = spec().schema("Thing").expect("compiles");
        assert_eq!(
            schema.violations(&json!({"name": "x", "extra": 1})).len(),
            1
        );
    }

    #[test]
    fn responses_are_found_through_refs() {
        let schema = spec()
            .response_schema("get", "/things/{id}", 200)
            .expect("found");
        assert!(schema.violations(&json!({"name": "x"})).is_empty());
        assert!(spec().response_schema("get", "/things/{id}", 404).is_err());
    }

    #[test]
    fn concrete_paths_find_their_template_with_or_without_the_version_prefix() {
        let spec = spec();
        assert_eq!(
            spec.path_template("/things/abc").as_deref(),
            Some("/things/{id}")
        );
        assert_eq!(
            spec.path_template("/v1/things/abc").as_deref(),
            Some("/things/{id}")
        );
        assert_eq!(spec.path_template("/things/abc/more"), None);
        assert_eq!(spec.statuses("GET", "/things/{id}"), vec![200]);
    }

    #[test]
    fn operations_list_their_statuses() {
        assert_eq!(
            spec().operations(),
            vec![(
                "get".to_owned(),
                "/things/{id}".to_owned(),
                "GetThing".to_owned(),
                vec![200]
            )]
        );
    }
}
