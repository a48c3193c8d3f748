//! The JSON Schema of `bundle.yaml`, generated from the types in `model`, and structural
//! validation of a parsed document against it.
//!
//! The same generated schema is printed by `dossier schema` for editors and used here to
//! find every structural problem at once (unknown keys, types, enums, dates, URLs, regions,
//! paths), each turned into a message a partner can act on.

use std::path::Path;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use schemars::generate::SchemaSettings;
use serde_json::Value;

use super::diag::{Diagnostic, closest};
use super::model::Bundle;
use super::regions;
use super::yaml::{KeyPath, Located};

/// The JSON Schema for editors: optional keys may be written empty (`null`).
pub fn json_schema() -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<Bundle>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        map.insert(
            "$id".into(),
            Value::String("https://dossier.invalid/schema/bundle-format-1.json".into()),
        );
    }
    value
}

/// The schema used for validation: the same types, without `null` alternatives, because
/// empty values are removed before validation (an empty optional key means "not given").
/// Draft 7 rather than the published schema's 2020-12: the validator for it builds in two
/// thirds of the time (its meta-schema is one document, not a set of vocabularies), and
/// every render waits for it; the test `validation_schema_keeps_no_keyword_beside_a_ref`
/// guards the one difference that could matter.
fn validation_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let generator = SchemaSettings::draft07().into_generator();
        let mut schema = generator.into_root_schema_for::<Bundle>().to_value();
        strip_null(&mut schema);
        schema
    })
}

/// Removes the `null` alternatives schemars adds for `Option` fields.
fn strip_null(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types[0].clone();
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("enum") {
                options.retain(|o| !o.is_null());
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(branches)) = map.get_mut(key) {
                    branches.retain(|b| b.get("type").and_then(Value::as_str) != Some("null"));
                    if branches.len() == 1 {
                        let only = branches.remove(0);
                        map.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, val) in inner {
                                map.entry(k).or_insert(val);
                            }
                        }
                    }
                }
            }
            for child in map.values_mut() {
                strip_null(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// Builds the validator now (see [`super::warm_up`]).
pub(super) fn warm_up() {
    validator();
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .should_validate_formats(true)
            .with_format("date", |s| parse_date(s).is_ok())
            .with_format("web-url", |s| check_web_url(s).is_ok())
            .with_format("aws-region", regions::is_known)
            .with_format("bundle-path", |s| check_bundle_path(s).is_ok())
            .build(validation_schema())
            // The schema is generated from our own types; a failure is a build defect.
            .expect("generated schema compiles")
    })
}

/// A problem found at a key path, before it is given a file position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: KeyPath,
    /// Point at the key itself rather than its value (unknown keys).
    pub at_key: bool,
    pub message: String,
    pub hint: Option<String>,
}

impl Found {
    /// A problem with the value at `path`.
    pub fn at(path: KeyPath, message: impl Into<String>) -> Self {
        Found {
            path,
            at_key: false,
            message: message.into(),
            hint: None,
        }
    }

    /// A problem with the document as a whole.
    pub fn at_root(message: impl Into<String>) -> Self {
        Found::at(KeyPath::default(), message)
    }

    /// Adds a hint line.
    pub fn hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// The diagnostic with file and position.
    pub fn into_diagnostic(self, file: &Path, doc: &Located) -> Diagnostic {
        let pos = if self.at_key {
            doc.key_pos(&self.path)
        } else {
            doc.value_pos(&self.path)
        };
        Diagnostic {
            file: file.to_path_buf(),
            pos,
            key: self.path.to_string(),
            message: self.message,
            hint: self.hint,
        }
    }
}

/// Every structural problem of the document.
pub fn check(doc: &Located) -> Vec<Found> {
    let instance = without_nulls(&doc.value);
    let schema = validation_schema();
    let mut found: Vec<Found> = validator()
        .iter_errors(&instance)
        .flat_map(|e| describe(&e, &instance, schema))
        .collect();
    found.dedup();
    found
}

/// Removes `null` members of mappings: `lessons:` with nothing after it is "not given".
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn describe(e: &jsonschema::ValidationError<'_>, root: &Value, schema: &Value) -> Vec<Found> {
    let path = KeyPath::from_pointer(e.instance_path().as_str(), root);
    let instance: &Value = e.instance();
    match e.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known = known_keys(schema, &path);
            unexpected
                .iter()
                .map(|key| {
                    let hint = closest(key, known.iter().map(String::as_str))
                        .map(|c| format!("did you mean `{c}`?"))
                        .or_else(|| {
                            (!known.is_empty())
                                .then(|| format!("known keys here: {}", known.join(", ")))
                        });
                    Found {
                        path: path.key(key),
                        at_key: true,
                        message: format!("unknown key `{key}`"),
                        hint,
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or("?");
            // The path names the missing key; its position falls back to the mapping
            // that should hold it.
            let hint = if path.0.is_empty() {
                format!("add `{name}:` at the top level of bundle.yaml")
            } else {
                format!("add `{name}:` under `{path}`")
            };
            vec![Found {
                path: path.key(name),
                at_key: true,
                message: "required key is missing or empty".into(),
                hint: Some(hint),
            }]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => type_name(&t.to_string()),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| type_name(&t.to_string()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let hint = (expected == "text" && (instance.is_number() || instance.is_boolean()))
                .then(|| format!("put it in quotes: \"{instance}\""));
            vec![
                Found::at(
                    path,
                    format!("expected {expected}, found {}", describe_value(instance)),
                )
                .hint(hint),
            ]
        }
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<&str> = options
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let given = instance
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| instance.to_string());
            let hint =
                closest(&given, allowed.iter().copied()).map(|c| format!("did you mean `{c}`?"));
            vec![
                Found::at(
                    path,
                    format!("`{given}` is not one of: {}", allowed.join(", ")),
                )
                .hint(hint),
            ]
        }
        ValidationErrorKind::Format { format } => {
            let s = instance.as_str().unwrap_or_default();
            let (message, hint) = match format.as_str() {
                "date" => (
                    parse_date(s)
                        .err()
                        .unwrap_or_else(|| "not a valid date".into()),
                    Some("write dates as YYYY-MM-DD, for example 2026-03-31".to_string()),
                ),
                "web-url" => (
                    check_web_url(s).err().unwrap_or_default(),
                    Some("write the full address, for example https://www.example.com/page".into()),
                ),
                "aws-region" => (
                    format!("`{s}` is not an AWS region code"),
                    closest(s, regions::all().iter().copied())
                        .map(|c| format!("did you mean `{c}`?")),
                ),
                "bundle-path" => (check_bundle_path(s).err().unwrap_or_default(), None),
                other => (format!("not a valid {other}"), None),
            };
            vec![Found::at(path, message).hint(hint)]
        }
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. }
            if path.to_string() == "format" =>
        {
            vec![Found::at(
                path,
                format!("bundle format {instance} is not supported; this dossier reads format 1"),
            )]
        }
        ValidationErrorKind::MinLength { .. } => vec![Found::at(path, "must not be empty")],
        ValidationErrorKind::Pattern { .. } => Vec::new(), // the format check says it better
        _ => vec![Found::at(path, e.to_string())],
    }
}

fn type_name(json_type: &str) -> String {
    match json_type {
        "string" => "text",
        "object" => "a mapping (key: value lines)",
        "array" => "a list",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "nothing",
        other => other,
    }
    .to_string()
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text \"{}\"", truncate(s, 40)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The property names the schema allows at `path` (for "did you mean").
fn known_keys(schema: &Value, path: &KeyPath) -> Vec<String> {
    use super::yaml::Seg;
    let mut node = resolve(schema, schema);
    for seg in &path.0 {
        let next = match seg {
            Seg::Key(k) => node.get("properties").and_then(|p| p.get(k)),
            Seg::Index(_) => node.get("items"),
        };
        match next {
            Some(n) => node = resolve(schema, n),
            None => return Vec::new(),
        }
    }
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows `$ref` and the first object-like branch of `anyOf`/`oneOf`/`allOf`.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let target = r.strip_prefix('#').and_then(|ptr| root.pointer(ptr));
            match target {
                Some(t) => node = t,
                None => return node,
            }
        } else if let Some(branches) = ["anyOf", "oneOf", "allOf"]
            .iter()
            .find_map(|k| node.get(*k).and_then(Value::as_array))
        {
            match branches
                .iter()
                .find(|b| b.get("$ref").is_some() || b.get("properties").is_some())
            {
                Some(b) => node = b,
                None => return node,
            }
        } else {
            return node;
        }
    }
    node
}

/// A `YYYY-MM-DD` date; the error says what is wrong with it.
pub fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!(
            "\"{}\" is not a date in the form YYYY-MM-DD",
            truncate(s, 40)
        ));
    }
    s.parse::<jiff::civil::Date>()
        .map_err(|_| format!("{s} is not a day of the calendar"))
}

/// An absolute `http`/`https` URL with a host.
pub fn check_web_url(s: &str) -> Result<(), String> {
    let shown = truncate(s, 60);
    let url = url::Url::parse(s).map_err(|e| format!("\"{shown}\" is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "\"{shown}\" must be an http or https URL, not {}:",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("\"{shown}\" has no host name"));
    }
    Ok(())
}

/// A relative path that stays inside the bundle folder, judged by its text alone (the
/// file-system checks, including symlinks, come later).
pub fn check_bundle_path(s: &str) -> Result<(), String> {
    let p = Path::new(s);
    if s.trim().is_empty() {
        return Err("the path is empty".into());
    }
    if p.is_absolute()
        || s.starts_with('/')
        || s.starts_with('\\')
        || s.contains(':') && s.len() > 1 && s.as_bytes()[1] == b':'
    {
        return Err(format!(
            "\"{s}\" is an absolute path; give a path relative to the bundle folder"
        ));
    }
    if p.components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
        || s.split(['/', '\\']).any(|part| part == "..")
    {
        return Err(format!(
            "\"{s}\" leaves the bundle folder (`..`); files must be inside it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draft 7 ignores every keyword beside a `$ref`: schemars must have moved them into an
    /// `allOf`, or the validation schema would check less than the published one.
    #[test]
    fn validation_schema_keeps_no_keyword_beside_a_ref() {
        fn walk(v: &Value, at: &str, refs: &mut usize) {
            match v {
                Value::Object(map) => {
                    if map.contains_key("$ref") {
                        *refs += 1;
                        let beside: Vec<&String> = map
                            .keys()
                            .filter(|k| {
                                !matches!(
                                    k.as_str(),
                                    "$ref" | "description" | "title" | "default" | "examples"
                                )
                            })
                            .collect();
                        assert!(beside.is_empty(), "{at}: {beside:?} beside $ref");
                    }
                    for (k, child) in map {
                        walk(child, &format!("{at}/{k}"), refs);
                    }
                }
                Value::Array(items) => {
                    for (i, child) in items.iter().enumerate() {
                        walk(child, &format!("{at}/{i}"), refs);
                    }
                }
                _ => {}
            }
        }
        let schema = validation_schema();
        assert_eq!(
            schema.get("$schema").and_then(Value::as_str),
            Some("http://json-schema.org/draft-07/schema#")
        );
        let mut refs = 0;
        walk(schema, "", &mut refs);
        assert!(
            refs > 10,
            "the schema refers to its definitions ({refs} refs)"
        );
    }

    #[test]
    fn dates_must_exist_on_the_calendar() {
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2026-02-29").is_err());
        assert!(parse_date("2026-13-01").is_err());
        assert!(parse_date("2026-1-5").is_err());
        assert!(parse_date("20260105").is_err());
    }

    #[test]
    fn urls_must_be_absolute_web_urls() {
        assert!(check_web_url("https://acme.example/x").is_ok());
        assert!(check_web_url("ftp://acme.example/").is_err());
        assert!(check_web_url("acme.example/case").is_err());
        assert!(check_web_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn paths_stay_inside_the_bundle() {
        assert!(check_bundle_path("docs/design.pdf").is_ok());
        assert!(check_bundle_path("docs/Überblick 2026.pdf").is_ok());
        assert!(check_bundle_path("../secret.pdf").is_err());
        assert!(check_bundle_path("docs/../../x").is_err());
        assert!(check_bundle_path("/etc/passwd").is_err());
        assert!(check_bundle_path("C:\\x.pdf").is_err());
    }

    #[test]
    fn published_schema_lists_every_section() {
        let s = json_schema();
        let props = s["properties"].as_object().expect("object schema");
        for key in [
            "format",
            "partner",
            "solution",
            "architecture",
            "security",
            "references",
            "reviews",
        ] {
            assert!(props.contains_key(key), "{key}");
        }
        assert_eq!(s["additionalProperties"], Value::Bool(false));
    }
}
