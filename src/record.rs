//! Loaded bundle + assessment → the record a packet carries: the bundle's files exactly as
//! read (under `bundle/`) and `assessment.json`. Every caller — `render`, `watch`, `archive`
//! and `verify` — takes the record from here, so the PDF's attachments and an archive's files
//! are named and made the same way everywhere.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use crate::Error;
use crate::assess::Assessment;
use crate::bundle::{self, Loaded};

/// The folder, inside an archive and among a PDF's attachments, that holds the bundle.
pub const BUNDLE_DIR: &str = "bundle";
/// The assessment's file name (inside archives and as a PDF attachment).
pub const ASSESSMENT: &str = "assessment.json";

/// Files by their `/`-separated path: an archive's, or a bundle's.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The assessment as archived and attached: the `check --json` object, pretty, one newline.
pub fn assessment_json(a: &Assessment) -> Result<Vec<u8>, Error> {
    let mut text = serde_json::to_string_pretty(&a.to_json())
        .map_err(|e| Error::Json(format!("assessment JSON: {e}")))?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// The bundle as files: `bundle.yaml` (its bytes as on disk, whatever the file was called)
/// and every file it references, by their normalised path inside the bundle folder.
pub fn bundle_files(loaded: &Loaded) -> Result<Files, Error> {
    let mut files = BTreeMap::new();
    let yaml = std::fs::read(&loaded.yaml_path).map_err(|e| Error::io(&loaded.yaml_path, e))?;
    files.insert("bundle.yaml".to_string(), yaml);
    for rel in bundle::referenced_files(&loaded.bundle).keys() {
        let name = normalise(rel)?;
        if name == "bundle.yaml" {
            // The YAML of a bundle given as `other-name.yaml` would be replaced by this file
            // in the copy; refuse rather than archive something that does not re-render.
            return Err(Error::Usage(format!(
                "the bundle references a file named bundle.yaml next to {}; rename it to archive or attach the bundle",
                loaded.yaml_path.display()
            )));
        }
        let bytes = match &loaded.diagram {
            // The diagram's bytes as they were checked and rendered.
            Some(d) if normalise(&d.path).ok().as_deref() == Some(name.as_str()) => d.bytes.clone(),
            _ => {
                let path = loaded.root.join(&name);
                std::fs::read(&path).map_err(|e| Error::io(&path, e))?
            }
        };
        files.insert(name, bytes);
    }
    Ok(files)
}

/// A bundle path as `a/b/c`: no `.` segments, no doubled slashes. `bundle::load` has
/// already refused `..` and absolute paths; anything else odd is refused here too.
pub(crate) fn normalise(rel: &str) -> Result<String, Error> {
    let mut parts = Vec::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => match p.to_str() {
                Some(s) if !s.contains('\n') && !s.contains('\r') => parts.push(s),
                _ => {
                    return Err(Error::Usage(format!(
                        "the bundle file {rel:?} has a name that cannot be archived"
                    )));
                }
            },
            Component::CurDir => {}
            _ => {
                return Err(Error::Usage(format!(
                    "the bundle file {rel:?} is not inside the bundle folder"
                )));
            }
        }
    }
    if parts.is_empty() {
        return Err(Error::Usage(format!("the bundle file {rel:?} has no name")));
    }
    Ok(parts.join("/"))
}

/// The record of a bundle read from disk: [`bundle_files`], then [`of`].
pub fn attachments(loaded: &Loaded, a: &Assessment) -> Result<Vec<(String, Vec<u8>)>, Error> {
    of(&bundle_files(loaded)?, a)
}

/// The record of a packet, as the PDF carries it and an archive holds it: the bundle's
/// files under `bundle/`, and the assessment.
pub fn of(bundle: &Files, a: &Assessment) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut out: Vec<(String, Vec<u8>)> = bundle
        .iter()
        .map(|(k, v)| (format!("{BUNDLE_DIR}/{k}"), v.clone()))
        .collect();
    out.push((ASSESSMENT.to_string(), assessment_json(a)?));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_paths_are_normalised() {
        assert_eq!(normalise("./docs//a.pdf").expect("ok"), "docs/a.pdf");
        assert!(normalise("../a.pdf").is_err());
        assert!(normalise("/etc/passwd").is_err());
        assert!(normalise("a\nb").is_err());
    }
}
