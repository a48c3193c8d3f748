//! Packet Markdown → PDF: a print-quality, deterministic rendering of the same text as
//! `packet.md` and `packet.html`.
//!
//! Pipeline: Markdown events → [`model`] (blocks of styled text) → [`layout`] (pure: pages of
//! positioned items, in [`length::Pt`], each marked as content of a structure element or as
//! an artifact, with the element tree in [`tags`]) → [`draw`] (content streams, fonts,
//! images and the structure tree as lopdf objects). Layout runs until the page numbers it prints (table of contents, "p. N" after internal links) are the pages the
//! headings land on. Same input, same bytes: no clock, no random ids.

pub mod attach;
mod draw;
mod fonts;
mod hyphen;
pub mod inspect;
mod jobs;
mod layout;
mod length;
mod metadata;
mod model;
mod raster;
mod shards;
mod tags;
mod text;
mod util;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

pub use metadata::Recorded;
pub(crate) use util::decode_text;

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

/// How the packet is typeset and what the PDF says about itself.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    pub paper: Paper,
    /// true = justified, false = ragged right.
    pub justify: bool,
    /// Document title (metadata).
    pub title: String,
    /// The partner name.
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// "YYYY-MM-DD" (the bundle's as_of): creation and modification date.
    pub date: String,
    /// e.g. "Acme Analytics, Inc. · Acme Forecast Studio".
    pub running_header: String,
    /// Heading anchors that start a new page (one per customer reference).
    pub page_break_before: Vec<String>,
    /// Anchor of the "Contents" H2: its Markdown list is replaced by a generated TOC with page numbers.
    pub toc_anchor: Option<String>,
    /// Extra fallback fonts (.ttf/.otf) tried after the shipped ones.
    pub font_dirs: Vec<PathBuf>,
    /// BCP 47 tag of the text's language, for hyphenation and the catalog's `/Lang`; empty
    /// means "en-US".
    pub language: String,
    /// Files embedded in the PDF (name, bytes), e.g. the bundle itself; see [`attach`].
    pub attachments: std::sync::Arc<[(String, Vec<u8>)]>,
    /// The edition (`partner`, `reviewer`, `public`), recorded in the metadata.
    pub edition: String,
    /// Inputs the PDF does not carry (`templates`, `fonts`, `previous`), recorded in the
    /// metadata so that `dossier verify` can say why a re-render may differ.
    pub outside_inputs: Vec<String>,
}

/// The finished PDF and what the reader should know about it.
#[derive(Debug, Clone)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    /// E.g. characters no font has, links to missing headings, missing images.
    pub warnings: Vec<String>,
}

/// Why a PDF could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// A font could not be read, parsed or subset.
    Font(String),
    /// An image could not be decoded.
    Image(String),
    /// Something is taller than an empty page.
    DoesNotFit(String),
    /// An option has an unusable value.
    Option(String),
    /// The PDF could not be assembled.
    Write(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Font(m) => write!(f, "font error: {m}"),
            PdfError::Image(m) => write!(f, "image error: {m}"),
            PdfError::DoesNotFit(m) => write!(f, "content does not fit on a page: {m}"),
            PdfError::Option(m) => write!(f, "invalid PDF option: {m}"),
            PdfError::Write(m) => write!(f, "cannot write the PDF: {m}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// The language hyphenation and the catalog's `/Lang` assume when the bundle names none.
const DEFAULT_LANGUAGE: &str = "en-US";

/// Loads what every PDF render needs and keeps for the whole process — the shipped fonts
/// and the English hyphenation patterns — so that a caller can do it on a thread of its own
/// while it reads the bundle. Rendering does it anyway when it has not been done.
pub fn warm_up() {
    let _ = fonts::FontSet::shipped();
    let _ = hyphen::language(DEFAULT_LANGUAGE).and_then(hyphen::dictionary);
}

/// Renders packet Markdown to PDF. `assets` maps image paths as written in the Markdown to
/// their PNG/JPEG bytes (borrowed: a diagram of tens of MB is not copied to be drawn).
pub fn render(
    markdown: &str,
    assets: &BTreeMap<String, &[u8]>,
    opts: &PdfOptions,
) -> Result<RenderedPdf, PdfError> {
    check_date(&opts.date)?;
    let fonts = fonts::FontSet::load(&opts.font_dirs)?;
    let blocks = model::parse(markdown);
    let images = image_sizes(&blocks, assets)?;
    let settings = layout::Settings {
        geometry: match opts.paper {
            Paper::A4 => layout::Geometry::a4(),
            Paper::Letter => layout::Geometry::letter(),
        },
        justify: opts.justify,
        running_header: opts.running_header.clone(),
        page_break_before: opts.page_break_before.clone(),
        toc_anchor: opts.toc_anchor.clone(),
        hyphenation: hyphen::language(if opts.language.is_empty() {
            DEFAULT_LANGUAGE
        } else {
            &opts.language
        })
        .and_then(hyphen::dictionary),
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };

    // The file identifier digests all the input, attachments too (a megabyte for the
    // sample, half a millisecond): it is worked out beside the layout.
    let (mut laid, id) = std::thread::scope(|scope| {
        let id = scope.spawn(|| file_id(markdown, assets, opts));
        let laid = layout::settle(&blocks, &fonts, &images, &settings);
        let id = id
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        laid.map(|laid| (laid, id))
    })?;

    let info = metadata::DocInfo {
        title: opts.title.clone(),
        author: opts.author.clone(),
        subject: opts.subject.clone(),
        keywords: opts.keywords.clone(),
        date: opts.date.clone(),
        language: if opts.language.is_empty() {
            DEFAULT_LANGUAGE.to_string()
        } else {
            opts.language.clone()
        },
        edition: opts.edition.clone(),
        paper: opts.paper,
        justify: opts.justify,
        outside_inputs: opts.outside_inputs.clone(),
    };
    let mut warnings = std::mem::take(&mut laid.warnings);
    let bytes = draw::draw(
        laid,
        &fonts,
        &settings.geometry,
        assets,
        &info,
        &opts.attachments,
        id,
    )?;
    Ok(RenderedPdf {
        bytes,
        warnings: {
            if settings.hyphenation.is_none() && settings.justify {
                warnings.push(format!(
                    "no hyphenation patterns for language \"{}\"; justified text is set without hyphens",
                    opts.language
                ));
            }
            warnings
        },
    })
}

/// The file identifier: the first 16 bytes of a SHA-256 digest of everything that
/// determines the output, so equal input gives an equal file. Each variable-length part is
/// preceded by its length, so that no two inputs run together into the same bytes.
fn file_id(markdown: &str, assets: &BTreeMap<String, &[u8]>, opts: &PdfOptions) -> [u8; 16] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(markdown.as_bytes());
    for (k, v) in assets
        .iter()
        .map(|(k, v)| (k, *v))
        .chain(opts.attachments.iter().map(|(k, v)| (k, v.as_slice())))
    {
        part(k.as_bytes());
        part(v);
    }
    for s in [
        &opts.title,
        &opts.author,
        &opts.subject,
        &opts.date,
        &opts.running_header,
        &opts.language,
        &opts.edition,
        &opts.outside_inputs.join(", "),
    ] {
        part(s.as_bytes());
    }
    part(&[u8::from(opts.justify), opts.paper as u8]);
    let digest = h.finalize();
    digest[..16]
        .try_into()
        .expect("a SHA-256 digest has 32 bytes")
}

/// The document date must be a real calendar day (it becomes the PDF's creation date).
fn check_date(date: &str) -> Result<(), PdfError> {
    crate::bundle::parse_date(date)
        .map(drop)
        .map_err(|e| PdfError::Option(format!("date: {e}")))
}

/// Pixel sizes of the images the document shows (layout needs them, not the pixels).
fn image_sizes(
    blocks: &[model::Block],
    assets: &BTreeMap<String, &[u8]>,
) -> Result<BTreeMap<String, (u32, u32)>, PdfError> {
    fn walk<'b>(blocks: &'b [model::Block], out: &mut Vec<&'b str>) {
        for b in blocks {
            match b {
                model::Block::Image { src, .. } => out.push(src),
                model::Block::Quote(inner) => walk(inner, out),
                model::Block::List { items, .. } => items.iter().for_each(|i| walk(&i.blocks, out)),
                _ => {}
            }
        }
    }
    let mut srcs = Vec::new();
    walk(blocks, &mut srcs);
    let mut out = BTreeMap::new();
    for src in srcs {
        let Some(bytes) = assets.get(src) else {
            continue;
        };
        let dims = ::image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| PdfError::Image(format!("{src}: {e}")))?
            .into_dimensions()
            .map_err(|e| PdfError::Image(format!("{src}: {e}")))?;
        out.insert(src.to_string(), dims);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso() {
        assert!(check_date("2026-03-31").is_ok());
        for bad in [
            "2026-3-31",
            "31.03.2026",
            "2026-13-01",
            "2026-02-30",
            "",
            "2026-03-3x",
        ] {
            assert!(check_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_file_id_follows_every_input_and_parts_never_run_together() {
        let opts = PdfOptions {
            title: "Packet".into(),
            attachments: vec![("bundle.yaml".to_string(), b"partner: x".to_vec())].into(),
            ..PdfOptions::default()
        };
        let assets = BTreeMap::from([("d.png".to_string(), &[1, 2, 3][..])]);
        let id = file_id("# Packet", &assets, &opts);
        assert_eq!(id, file_id("# Packet", &assets, &opts));

        let other_attachment = PdfOptions {
            attachments: vec![("bundle.yaml".to_string(), b"partner: y".to_vec())].into(),
            ..opts.clone()
        };
        let other_asset = BTreeMap::from([("d.png".to_string(), &[1, 2, 4][..])]);
        // The same bytes split differently between the title and the author.
        let moved = PdfOptions {
            title: "Pack".into(),
            author: "et".into(),
            ..opts.clone()
        };
        let justified = PdfOptions {
            justify: true,
            ..opts.clone()
        };
        for changed in [
            file_id("# Packet!", &assets, &opts),
            file_id("# Packet", &assets, &other_attachment),
            file_id("# Packet", &other_asset, &opts),
            file_id("# Packet", &assets, &moved),
            file_id("# Packet", &assets, &justified),
        ] {
            assert_ne!(changed, id);
        }
    }
}
