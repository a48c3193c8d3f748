//! Checks that need more than the schema: the checklist id, dates against each other,
//! capabilities against the category, reviews against the checklist, and the files the
//! bundle references (inside the folder, readable, diagrams that really decode).

use std::path::{Path, PathBuf};

use super::diag::{Diagnostic, closest};
use super::model::Bundle;
use super::schema::Found;
use super::yaml::{KeyPath, Located};
use super::{
    Diagram, ImageFormat, MAX_DIAGRAM_BYTES, MAX_DIAGRAM_DECODE_BYTES, MAX_DIAGRAM_PIXELS,
    MAX_DIAGRAM_SIDE, MAX_REFERENCES,
};
use crate::checklist::{self, Checklist};

pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub checklist: Option<&'static Checklist>,
    pub diagram: Option<Diagram>,
}

pub fn check(bundle: &Bundle, root: &Path, doc: &Located, yaml_path: &Path) -> Checked {
    let mut found = Vec::new();
    let top = KeyPath::default();

    let checklist = checklist::builtin(&bundle.checklist);
    if checklist.is_none() {
        let known: Vec<&str> = checklist::known_ids().collect();
        found.push(
            Found::at(
                top.key("checklist"),
                format!(
                    "unknown checklist `{}`; this dossier ships: {}",
                    bundle.checklist,
                    known.join(", ")
                ),
            )
            .hint(
                closest(&bundle.checklist, known.iter().copied())
                    .map(|c| format!("did you mean `{c}`?")),
            ),
        );
    }

    if bundle.references.len() > MAX_REFERENCES {
        found.push(Found::at(
            top.key("references"),
            format!(
                "{} references; a bundle may hold at most {MAX_REFERENCES}",
                bundle.references.len()
            ),
        ));
    }
    for (i, r) in bundle.references.iter().enumerate() {
        if let (Some(start), Some(end)) = (r.start, r.end)
            && end < start
        {
            found.push(Found::at(
                top.key("references").index(i).key("end"),
                format!("end {end} is before start {start}"),
            ));
        }
    }

    if let Some(checklist) = checklist {
        check_capabilities(bundle, checklist, &mut found);
        for (i, review) in bundle.reviews.iter().enumerate() {
            if checklist.item(&review.item).is_none() {
                let ids: Vec<&str> = checklist.items.iter().map(|i| i.id.as_str()).collect();
                found.push(
                    Found::at(
                        top.key("reviews").index(i).key("item"),
                        format!(
                            "checklist {} has no item \"{}\"; items are {}",
                            checklist.id,
                            review.item,
                            ids.join(", ")
                        ),
                    )
                    .hint(
                        closest(&review.item, ids.iter().copied())
                            .map(|c| format!("did you mean \"{c}\"?")),
                    ),
                );
            }
            if review.note.trim().is_empty() {
                found.push(Found::at(
                    top.key("reviews").index(i).key("note"),
                    "a review needs a note saying what was reviewed",
                ));
            }
        }
    }

    let mut diagram = None;
    if let Some(path) = &bundle.architecture.diagram {
        let key = top.key("architecture").key("diagram");
        match read_inside(root, &path.0).and_then(|bytes| decode_diagram(&path.0, bytes)) {
            Ok(d) => diagram = Some(d),
            Err(message) => found.push(Found::at(key, message)),
        }
    }
    for (i, r) in bundle.references.iter().enumerate() {
        for (j, doc_path) in r.documents.iter().enumerate() {
            if let Err(message) = check_readable(root, &doc_path.0) {
                found.push(Found::at(
                    top.key("references").index(i).key("documents").index(j),
                    message,
                ));
            }
        }
    }

    Checked {
        diagnostics: found
            .into_iter()
            .map(|f| f.into_diagnostic(yaml_path, doc))
            .collect(),
        checklist,
        diagram,
    }
}

fn check_capabilities(bundle: &Bundle, checklist: &Checklist, found: &mut Vec<Found>) {
    let Some(cat) = checklist.categories.get(bundle.category.key()) else {
        found.push(Found::at(
            KeyPath::default().key("category"),
            format!(
                "checklist {} has no category `{}`",
                checklist.id,
                bundle.category.key()
            ),
        ));
        return;
    };
    let allowed: Vec<&str> = cat.capabilities.iter().map(|c| c.key()).collect();
    for (i, cap) in bundle.solution.capabilities.iter().enumerate() {
        if !cat.capabilities.contains(cap) {
            found.push(Found::at(
                KeyPath::default()
                    .key("solution")
                    .key("capabilities")
                    .index(i),
                format!(
                    "`{}` is not a capability of category {}; allowed: {}",
                    cap.key(),
                    bundle.category.key(),
                    allowed.join(", ")
                ),
            ));
        }
    }
}

/// The real location of a bundle file, refusing anything that resolves outside the folder
/// (including through symlinks).
fn resolve_inside(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let root_real = root
        .canonicalize()
        .map_err(|e| format!("the bundle folder cannot be resolved: {e}"))?;
    let joined = root.join(rel);
    let real = joined.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("file \"{rel}\" not found in the bundle folder"),
        std::io::ErrorKind::PermissionDenied => {
            format!("file \"{rel}\" cannot be read: permission denied")
        }
        _ => format!("file \"{rel}\" cannot be read: {e}"),
    })?;
    if !real.starts_with(&root_real) {
        return Err(format!(
            "\"{rel}\" points outside the bundle folder (through a symlink); files must be inside it"
        ));
    }
    if !real.is_file() {
        return Err(format!("\"{rel}\" is not a file"));
    }
    Ok(real)
}

fn check_readable(root: &Path, rel: &str) -> Result<(), String> {
    let real = resolve_inside(root, rel)?;
    std::fs::File::open(&real)
        .map(drop)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                format!("file \"{rel}\" cannot be read: permission denied")
            }
            _ => format!("file \"{rel}\" cannot be read: {e}"),
        })
}

fn read_inside(root: &Path, rel: &str) -> Result<Vec<u8>, String> {
    let real = resolve_inside(root, rel)?;
    let len = std::fs::metadata(&real).map(|m| m.len()).unwrap_or(0);
    if len > MAX_DIAGRAM_BYTES {
        return Err(format!(
            "\"{rel}\" is {} MB; a diagram may be at most {} MB",
            len / 1_048_576,
            MAX_DIAGRAM_BYTES / 1_048_576
        ));
    }
    std::fs::read(&real).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            format!("file \"{rel}\" cannot be read: permission denied")
        }
        _ => format!("file \"{rel}\" cannot be read: {e}"),
    })
}

/// Checks that the bytes are a PNG or JPEG that decodes completely, within the size limits:
/// by decoding it, or for a PDF-ready PNG (`png::pdf_ready`) by its structure and CRCs.
fn decode_diagram(rel: &str, bytes: Vec<u8>) -> Result<Diagram, String> {
    if bytes.is_empty() {
        return Err(format!(
            "\"{rel}\" is an empty file; export the diagram as PNG"
        ));
    }
    let format = match ::image::guess_format(&bytes) {
        Ok(::image::ImageFormat::Png) => ImageFormat::Png,
        Ok(::image::ImageFormat::Jpeg) => ImageFormat::Jpeg,
        _ => {
            return Err(format!(
                "\"{rel}\" is not a PNG or JPEG image; export the diagram as PNG"
            ));
        }
    };
    // `limited`: within the side and memory limits; without, only to read the header.
    let reader = |limited: bool| {
        let mut reader = ::image::ImageReader::new(std::io::Cursor::new(&bytes));
        reader.set_format(match format {
            ImageFormat::Png => ::image::ImageFormat::Png,
            ImageFormat::Jpeg => ::image::ImageFormat::Jpeg,
        });
        if limited {
            let mut limits = ::image::Limits::default();
            limits.max_image_width = Some(MAX_DIAGRAM_SIDE);
            limits.max_image_height = Some(MAX_DIAGRAM_SIDE);
            limits.max_alloc = Some(MAX_DIAGRAM_DECODE_BYTES);
            reader.limits(limits);
        } else {
            reader.no_limits();
        }
        reader
    };
    let too_large = |what: String| {
        format!(
            "\"{rel}\" is too large ({what}); a diagram may have at most {} megapixels and \
             {MAX_DIAGRAM_SIDE} pixels per side: export it at a smaller size",
            MAX_DIAGRAM_PIXELS / 1_000_000
        )
    };
    let failed = |e: ::image::ImageError| match e {
        ::image::ImageError::Limits(_) => too_large(format!(
            "it needs more than {} MB to decode",
            MAX_DIAGRAM_DECODE_BYTES / 1_048_576
        )),
        other => format!("\"{rel}\" does not decode as {}: {other}", format.mime()),
    };
    // The common diagram — 8-bit grey or RGB, not interlaced — goes into the PDF as its
    // compressed data, never decoded; its chunk structure and every CRC are checked instead
    // (a truncated or damaged file fails here). Other PNGs and JPEGs are decoded in full.
    if format == ImageFormat::Png {
        let png = crate::png::parse(&bytes)
            .map_err(|e| format!("\"{rel}\" does not decode as {}: {e}", format.mime()))?;
        let (width, height) = (png.width, png.height);
        if u64::from(width) * u64::from(height) > MAX_DIAGRAM_PIXELS
            || width.max(height) > MAX_DIAGRAM_SIDE
        {
            return Err(too_large(format!("{width}×{height} pixels")));
        }
        if png.pdf_ready() {
            return Ok(Diagram {
                path: rel.to_string(),
                width,
                height,
                bytes,
                format,
            });
        }
    }
    // The header alone says how big the picture is: refuse before allocating pixels.
    let (width, height) = reader(false).into_dimensions().map_err(failed)?;
    if u64::from(width) * u64::from(height) > MAX_DIAGRAM_PIXELS
        || width.max(height) > MAX_DIAGRAM_SIDE
    {
        return Err(too_large(format!("{width}×{height} pixels")));
    }
    let img = reader(true).decode().map_err(failed)?;
    Ok(Diagram {
        path: rel.to_string(),
        width: img.width(),
        height: img.height(),
        bytes,
        format,
    })
}
