//! `dossier init`: a starter bundle with every key and a comment on each.

use std::path::Path;

use crate::Error;

const STARTER: &str = include_str!("data/starter-bundle.yaml");

/// The starter `bundle.yaml`, judged on `as_of`.
pub fn bundle_yaml(as_of: jiff::civil::Date) -> String {
    STARTER.replace("{AS_OF}", &as_of.to_string())
}

/// Writes a starter bundle into `dir`, which must be missing or empty.
pub fn init(dir: &Path, as_of: jiff::civil::Date) -> Result<(), Error> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Usage(format!(
                "{} is not empty; `dossier init` only writes into a new or empty folder",
                dir.display()
            )));
        }
    }
    for sub in ["", "diagrams", "docs"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
    }
    let path = dir.join("bundle.yaml");
    std::fs::write(&path, bundle_yaml(as_of)).map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// Every property name anywhere in the schema, with the path that leads to it.
    fn schema_keys(schema: &Value, node: &Value, path: &str, out: &mut Vec<String>) {
        let node = match node.get("$ref").and_then(Value::as_str) {
            Some(r) => schema.pointer(r.trim_start_matches('#')).unwrap_or(node),
            None => node,
        };
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            for (k, v) in props {
                out.push(format!("{path}{k}"));
                schema_keys(schema, v, &format!("{path}{k}."), out);
            }
        }
        for key in ["items", "anyOf", "oneOf"] {
            match node.get(key) {
                Some(Value::Array(branches)) => {
                    for b in branches {
                        schema_keys(schema, b, path, out);
                    }
                }
                Some(v @ Value::Object(_)) => schema_keys(schema, v, path, out),
                _ => {}
            }
        }
    }

    #[test]
    fn the_starter_has_every_key_of_the_schema_with_a_comment() {
        let schema = crate::bundle::json_schema();
        let mut keys = Vec::new();
        schema_keys(&schema, &schema, "", &mut keys);
        assert!(keys.len() > 60, "{keys:?}");
        let text = super::bundle_yaml(jiff::civil::date(2026, 11, 20));
        for key in keys {
            let leaf = key.rsplit('.').next().unwrap_or(&key);
            let line = text
                .lines()
                .find(|l| {
                    let t = l.trim_start().trim_start_matches('#').trim_start();
                    let t = t.trim_start_matches("- ");
                    t.starts_with(&format!("{leaf}:"))
                })
                .unwrap_or_else(|| panic!("the starter lacks `{key}`"));
            assert!(line.contains('#'), "`{key}` has no comment: {line}");
        }
    }

    #[test]
    fn the_starter_is_a_valid_bundle() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bundle = dir.path().join("b");
        super::init(&bundle, jiff::civil::date(2026, 11, 20)).expect("written");
        let loaded = crate::bundle::load(&bundle).expect("the starter loads");
        assert_eq!(loaded.bundle.partner.name, "Your Company, Inc.");
    }
}
