//! Evidence bundles: a folder with `bundle.yaml` → a validated, typed [`Bundle`].
//!
//! `load` either returns a bundle that satisfies every rule of the format (section 2 of the
//! contract), or every problem found, each with file, line, column and key path.

pub mod diag;
pub mod model;
pub(crate) mod regions;
mod schema;
mod validate;
mod yaml;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use diag::Diagnostic;
pub use model::Bundle;
pub use schema::{json_schema, parse_date};
pub(crate) use yaml::collect_strings;
pub use yaml::{KeyPath, Located, Place, Seg};

use crate::checklist::Checklist;

/// Largest `bundle.yaml` accepted by default. Real bundles are tens of kilobytes (the sample
/// with four references is 30 kB); a larger file is almost certainly not a bundle, and
/// refusing it early keeps memory and time bounded: the worst 1 MB bundle renders in about
/// a second and 300 MB (docs/fuzzing.md). [`BUNDLE_LIMIT_VAR`] raises it.
pub const MAX_BUNDLE_BYTES: u64 = 1024 * 1024;
/// Environment variable that sets the bundle size limit in whole megabytes (1 to
/// [`MAX_BUNDLE_LIMIT_MB`]), for benchmarks and unusually large packets.
pub const BUNDLE_LIMIT_VAR: &str = "DOSSIER_MAX_BUNDLE_MB";
/// Highest limit [`BUNDLE_LIMIT_VAR`] may set.
pub const MAX_BUNDLE_LIMIT_MB: u64 = 64;
/// Most references a bundle may hold.
pub const MAX_REFERENCES: usize = 2_000;
/// Largest diagram accepted, in pixels per side.
pub const MAX_DIAGRAM_SIDE: u32 = 12_000;
/// Most pixels a diagram may have (25 megapixels, e.g. 6000 × 4000; an A3 sheet at 300 dpi is
/// 17). The diagram is decoded to check it and again to embed it in the PDF, so this bounds
/// memory: 100 MB per decoded copy at 8-bit RGBA.
pub const MAX_DIAGRAM_PIXELS: u64 = 25_000_000;
/// Most memory the image decoder may allocate for one diagram.
pub const MAX_DIAGRAM_DECODE_BYTES: u64 = 256 * 1024 * 1024;
/// Largest diagram file accepted.
pub const MAX_DIAGRAM_BYTES: u64 = 32 * 1024 * 1024;

/// The bundle size limit in bytes: [`MAX_BUNDLE_BYTES`], or what [`BUNDLE_LIMIT_VAR`] says.
fn bundle_limit() -> Result<u64, String> {
    let Some(raw) = std::env::var_os(BUNDLE_LIMIT_VAR) else {
        return Ok(MAX_BUNDLE_BYTES);
    };
    raw.to_str()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|mb| (1..=MAX_BUNDLE_LIMIT_MB).contains(mb))
        .map(|mb| mb * 1_048_576)
        .ok_or_else(|| {
            format!(
                "cannot be checked against its size limit: {BUNDLE_LIMIT_VAR} is {raw:?}; it must be a whole number of megabytes from 1 to {MAX_BUNDLE_LIMIT_MB}"
            )
        })
}

/// A bundle that passed validation, with what the renderers need from its folder.
#[derive(Debug)]
pub struct Loaded {
    pub bundle: Bundle,
    pub checklist: &'static Checklist,
    /// The bundle folder.
    pub root: PathBuf,
    /// `bundle.yaml` as the user named it (for messages).
    pub yaml_path: PathBuf,
    /// The diagram, if any: its bundle path and bytes, already checked to decode.
    pub diagram: Option<Diagram>,
    /// The text of `bundle.yaml` (without a byte-order mark), for source snippets.
    pub source: String,
    /// The parsed document with the position in `source` of every key and value, for
    /// findings made after loading (advisories) that point at the bundle text.
    pub doc: Located,
}

/// The architecture diagram, read and checked.
#[derive(Debug, Clone)]
pub struct Diagram {
    pub path: String,
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Image formats accepted for diagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

impl ImageFormat {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
        }
    }
}

/// Why a bundle could not be loaded: every problem found, and the source for snippets.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
    pub source: Option<String>,
}

impl LoadError {
    fn one(d: Diagnostic) -> Self {
        LoadError {
            diagnostics: vec![d],
            source: None,
        }
    }

    /// All diagnostics as source snippets, followed by a count.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.diagnostics {
            out.push_str(&d.render(self.source.as_deref()));
            out.push_str("\n\n");
        }
        let n = self.diagnostics.len();
        out.push_str(&format!(
            "error: the bundle has {}; nothing was written\n",
            crate::plural::count(n, "problem", "problems")
        ));
        out
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Builds the schema validator (1–2 ms) and reads the built-in checklists, which [`load`]
/// needs, so that a caller can do it on a thread of its own while the bundle file is read
/// and parsed.
pub fn warm_up() {
    schema::warm_up();
    let _ = crate::checklist::builtin("");
}

/// Splits what the user named (a folder or its `bundle.yaml`) into folder and YAML path.
pub fn locate(input: &Path) -> (PathBuf, PathBuf) {
    if input.is_dir() {
        (input.to_path_buf(), input.join("bundle.yaml"))
    } else {
        let root = match input.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        (root, input.to_path_buf())
    }
}

/// Reads and validates the bundle at `input` (a folder or its `bundle.yaml`).
pub fn load(input: &Path) -> Result<Loaded, LoadError> {
    let (root, yaml_path) = locate(input);
    let source = read_source(&yaml_path).map_err(|d| LoadError::one(*d))?;
    let with_source = |diagnostics: Vec<Diagnostic>| LoadError {
        diagnostics,
        source: Some(source.clone()),
    };

    let doc = yaml::parse(&source).map_err(|e| {
        with_source(vec![Diagnostic {
            file: yaml_path.clone(),
            pos: e.pos,
            key: e.key,
            message: e.message,
            hint: e.hint,
        }])
    })?;
    if doc.value.is_null() {
        return Err(LoadError::one(Diagnostic::file(
            &yaml_path,
            "bundle.yaml is empty; `dossier init DIR` writes a starter bundle",
        )));
    }

    // The typed reading and the file checks, which the bundle most often passes, go first:
    // meanwhile `warm_up` may still be building the schema validator. When the schema
    // finds problems, both are redone on the parts without them.
    let typed = serde_json::from_value::<Bundle>(doc.value.clone());
    let checked = typed
        .as_ref()
        .ok()
        .map(|b| validate::check(b, &root, &doc, &yaml_path));
    let mut found = schema::check(&doc);
    let structurally_valid = found.is_empty();
    let (typed, checked) = match (typed, checked) {
        (Ok(bundle), checked) if structurally_valid => (Some(bundle), checked),
        (Err(e), _) if structurally_valid => {
            found.push(schema::Found::at_root(format!(
                "does not fit the format: {e}"
            )));
            (None, None)
        }
        _ => {
            // The bundle is invalid already, but the checks that need a typed bundle
            // (files, dates against each other, reviews) still run on the parts without
            // structural problems, so that every problem is reported in one go.
            let typed = without_problems(&doc.value, &found)
                .and_then(|v| serde_json::from_value::<Bundle>(v).ok());
            let checked = typed
                .as_ref()
                .map(|b| validate::check(b, &root, &doc, &yaml_path));
            (typed, checked)
        }
    };

    let mut diagnostics: Vec<Diagnostic> = found
        .into_iter()
        .map(|f| f.into_diagnostic(&yaml_path, &doc))
        .collect();
    let mut loaded = None;
    if let (Some(bundle), Some(checked)) = (typed, checked) {
        diagnostics.extend(checked.diagnostics);
        if structurally_valid && let Some(checklist) = checked.checklist {
            loaded = Some(Loaded {
                bundle,
                checklist,
                root,
                yaml_path: yaml_path.clone(),
                diagram: checked.diagram,
                source: source.clone(),
                doc,
            });
        }
    }
    if !diagnostics.is_empty() {
        diagnostics.sort_by_key(|d| d.pos.as_ref().map(|p| (p.line, p.column)));
        return Err(with_source(diagnostics));
    }
    loaded.ok_or_else(|| {
        with_source(vec![Diagnostic::file(
            &yaml_path,
            "the bundle could not be checked",
        )])
    })
}

/// `value` without the keys that structural problems were found at, or `None` when a
/// problem concerns the whole document. A problem inside a list drops the whole list:
/// removing one element would renumber the others and misplace their diagnostics.
fn without_problems(
    value: &serde_json::Value,
    found: &[schema::Found],
) -> Option<serde_json::Value> {
    use yaml::Seg;
    let mut value = value.clone();
    for f in found {
        let mut path = f.path.0.clone();
        while let Some(Seg::Index(_)) = path.last() {
            path.pop();
        }
        let Some(Seg::Key(key)) = path.pop() else {
            return None;
        };
        let pointer: String = path
            .iter()
            .map(|seg| match seg {
                Seg::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => format!("/{i}"),
            })
            .collect();
        if let Some(serde_json::Value::Object(map)) = value.pointer_mut(&pointer) {
            map.remove(&key);
        }
    }
    Some(value)
}

/// Reads `bundle.yaml` as UTF-8 text, within the size limit, without a byte-order mark.
fn read_source(path: &Path) -> Result<String, Box<Diagnostic>> {
    use std::io::Read;
    // Opening a named pipe or a device would block or never end: look before opening.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return Err(Box::new(Diagnostic::file(
            path,
            "is not a regular file (a pipe or a device?); give the bundle's bundle.yaml",
        )));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => {
                "not found: give a bundle folder or its bundle.yaml".to_string()
            }
            std::io::ErrorKind::PermissionDenied => "cannot be read: permission denied".into(),
            _ => format!("cannot be read: {e}"),
        };
        Box::new(Diagnostic::file(path, what))
    })?;
    let meta = file
        .metadata()
        .map_err(|e| Box::new(Diagnostic::file(path, format!("cannot be read: {e}"))))?;
    if meta.is_dir() {
        return Err(Box::new(Diagnostic::file(
            path,
            "is a folder, not a YAML file",
        )));
    }
    let limit = bundle_limit().map_err(|what| Box::new(Diagnostic::file(path, what)))?;
    if meta.len() > limit {
        return Err(Box::new(Diagnostic::file(
            path,
            format!(
                "is {:.1} MB; bundle.yaml may be at most {} MB (put long documents in files and reference them; {BUNDLE_LIMIT_VAR} raises the limit)",
                meta.len() as f64 / 1_048_576.0,
                limit / 1_048_576
            ),
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // `take` guards against a file that grows while we read it.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Box::new(Diagnostic::file(path, format!("cannot be read: {e}"))))?;
    if bytes.len() as u64 > limit {
        return Err(Box::new(Diagnostic::file(
            path,
            "grew past the size limit while being read",
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&good[line_start..]).chars().count() as u64 + 1;
            Err(Box::new(Diagnostic {
                file: path.to_path_buf(),
                pos: Some(diag::Pos {
                    line,
                    column,
                    bytes: 0..0,
                }),
                key: String::new(),
                message: format!(
                    "is not UTF-8 text: invalid byte 0x{:02X}",
                    bytes[e.valid_up_to()]
                ),
                hint: Some("save the file as UTF-8".into()),
            }))
        }
    }
}

/// Files the bundle references, by role; used by renderers and by archiving.
pub fn referenced_files(bundle: &Bundle) -> BTreeMap<String, &'static str> {
    let mut files = BTreeMap::new();
    if let Some(d) = &bundle.architecture.diagram {
        files.insert(d.0.clone(), "diagram");
    }
    for r in &bundle.references {
        for doc in &r.documents {
            files.insert(doc.0.clone(), "document");
        }
    }
    files
}
