//! Loaded bundle + assessment → the packet files in memory (`packet.md` + `assets/`,
//! `packet.html`, `packet.pdf`). All three come from the one Markdown text the templates
//! produce; nothing here touches the file system.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::Error;
use crate::advise::Advisory;
use crate::assess::Assessment;
use crate::bundle::Loaded;
use crate::edition::Edition;
use crate::html;
use crate::output::OutputFile;
use crate::packet::{self, Packet, Templates};
use crate::pdf;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
    Pdf,
}

/// How to render: the one set of options `render`, `watch`, `serve` and `archive` pass on.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub formats: Vec<Format>,
    /// Who the packet is for.
    pub edition: Edition,
    pub templates: Option<PathBuf>,
    pub paper: pdf::Paper,
    pub justify: bool,
    pub font_dirs: Vec<PathBuf>,
    /// Files the PDF carries as attachments (name, bytes): the bundle as read and the
    /// assessment, so the PDF alone is a complete record. The date is `as_of`. Shared: the
    /// PDF of each edition takes them without a copy (a diagram may be tens of MB).
    pub attachments: Arc<[(String, Vec<u8>)]>,
    /// What changed since the last submission; shown as its own section when given.
    pub changes: Option<crate::diff::Changes>,
}

/// The defaults of `dossier render`: every format of the partner edition, A4, justified,
/// the built-in templates and fonts, no attachments, no changes.
impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            formats: vec![Format::Md, Format::Html, Format::Pdf],
            edition: Edition::Partner,
            templates: None,
            paper: pdf::Paper::A4,
            justify: true,
            font_dirs: Vec::new(),
            attachments: Arc::default(),
            changes: None,
        }
    }
}

/// The rendered files and anything the user should be warned about.
#[derive(Debug)]
pub struct Rendered {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<String>,
    /// The canonical Markdown, for callers that want it.
    pub markdown: String,
}

/// Renders every requested format of the edition `opts` names, from the bundle, its
/// assessment and its advisories. An edition that carries no attachments gets none, and
/// one checked for leaks is checked (`leak`) before anything is returned.
pub fn render(
    loaded: &Loaded,
    a: &Assessment,
    advisories: &[Advisory],
    opts: &RenderOptions,
) -> Result<Rendered, Error> {
    let edition = opts.edition;
    let templates = Templates::load(opts.templates.as_deref())?;
    let view = packet::view::build(loaded, a, advisories, edition, opts.changes.as_ref());
    let Packet {
        markdown,
        title,
        page_breaks,
        contents_anchor,
        diagram,
    } = templates.render(&view)?;
    let attachments: Arc<[(String, Vec<u8>)]> = if edition.carries_attachments() {
        Arc::clone(&opts.attachments)
    } else {
        Arc::default()
    };

    // The diagram, under the name the Markdown links to. HTML and PDF borrow its bytes;
    // the Markdown's file in `assets/` is the one copy made.
    let asset = match (&loaded.diagram, diagram) {
        (Some(d), Some(name)) => Some((name, d.bytes.as_slice(), d.format.mime())),
        _ => None,
    };

    // HTML and PDF render on threads of their own: HTML and Markdown are done while the
    // PDF, by far the slowest, is still laying out.
    let render_format = |format: Format| -> Result<(Vec<OutputFile>, Vec<String>), Error> {
        let mut files = Vec::new();
        let mut warnings = Vec::new();
        match format {
            Format::Md => {
                files.push(OutputFile {
                    rel: "packet.md".into(),
                    bytes: markdown.clone().into_bytes(),
                });
                if let Some((name, bytes, _)) = &asset {
                    files.push(OutputFile {
                        rel: name.into(),
                        bytes: bytes.to_vec(),
                    });
                }
            }
            Format::Html => {
                let assets: BTreeMap<String, (&[u8], &'static str)> = asset
                    .iter()
                    .map(|(n, b, m)| (n.clone(), (*b, *m)))
                    .collect();
                let page = html::render(
                    &markdown,
                    &html::HtmlOptions {
                        lang: "en",
                        page_break_before: &page_breaks,
                        toc_anchor: &contents_anchor,
                        assets: &assets,
                        extra_css: edition.page_css(),
                    },
                )?;
                files.push(OutputFile {
                    rel: "packet.html".into(),
                    bytes: page.into_bytes(),
                });
            }
            Format::Pdf => {
                let assets: BTreeMap<String, &[u8]> =
                    asset.iter().map(|(n, b, _)| (n.clone(), *b)).collect();
                let b = &loaded.bundle;
                let pdf_opts = pdf::PdfOptions {
                    paper: opts.paper,
                    justify: opts.justify,
                    title: title.clone(),
                    author: b.partner.name.trim().to_string(),
                    subject: format!(
                        "{} — application packet, judged as of {}",
                        loaded.checklist.name, a.as_of
                    ),
                    keywords: vec![
                        "AWS Machine Learning Competency".into(),
                        loaded.checklist.id.clone(),
                        b.category.key().into(),
                    ],
                    date: a.as_of.to_string(),
                    language: b.language.clone().unwrap_or_default(),
                    running_header: format!(
                        "{} · {}",
                        b.partner.name.trim(),
                        b.solution.name.trim()
                    ),
                    page_break_before: page_breaks.clone(),
                    toc_anchor: Some(contents_anchor.clone()),
                    font_dirs: opts.font_dirs.clone(),
                    attachments: Arc::clone(&attachments),
                    edition: edition_name(edition),
                    outside_inputs: outside_inputs(opts, edition),
                };
                let rendered = pdf::render(&markdown, &assets, &pdf_opts)
                    .map_err(|e| Error::Render(format!("PDF: {e}")))?;
                warnings.extend(rendered.warnings.into_iter().map(|w| format!("PDF: {w}")));
                files.push(OutputFile {
                    rel: "packet.pdf".into(),
                    bytes: rendered.bytes,
                });
            }
        }
        Ok((files, warnings))
    };
    let render_format = &render_format;
    let done: Vec<_> = std::thread::scope(|scope| {
        // Markdown is a copy: it is made here once the others are under way.
        let jobs: Vec<_> = sorted(&opts.formats)
            .into_iter()
            .map(|format| {
                (format != Format::Md).then(|| scope.spawn(move || render_format(format)))
            })
            .collect();
        jobs.into_iter()
            .map(|job| match job {
                Some(job) => job
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                None => render_format(Format::Md),
            })
            .collect()
    });
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for result in done {
        let (f, w) = result?;
        files.extend(f);
        warnings.extend(w);
    }
    if edition.checked_for_leaks() {
        crate::leak::check(&files, loaded)?;
    }
    Ok(Rendered {
        files,
        warnings,
        markdown,
    })
}

/// `partner`, `reviewer` or `public`, as `--edition` spells it.
pub fn edition_name(edition: Edition) -> String {
    use clap::ValueEnum;
    edition
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// What shaped the packet besides the bundle and the settings the PDF records — inputs a
/// PDF does not carry, so that re-rendering it from its own attachments may differ.
fn outside_inputs(opts: &RenderOptions, edition: Edition) -> Vec<String> {
    let mut out = Vec::new();
    if opts.templates.is_some() {
        out.push("templates".to_string());
    }
    if !opts.font_dirs.is_empty() {
        out.push("fonts".to_string());
    }
    if opts.changes.is_some() && edition.shows_changes() {
        out.push("previous".to_string());
    }
    out
}

fn sorted(formats: &[Format]) -> Vec<Format> {
    let mut f = formats.to_vec();
    f.sort();
    f.dedup();
    f
}
