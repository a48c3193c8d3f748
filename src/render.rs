//! Loaded bundle + assessment → the packet files in memory (`packet.md` + `assets/`,
//! `packet.html`, `packet.pdf`). All three come from the one Markdown text the templates
//! produce; nothing here touches the file system.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::Error;
use crate::assess::Assessment;
use crate::bundle::Loaded;
use crate::edition::Edition;
use crate::html;
use crate::output::OutputFile;
use crate::packet::{self, Templates};
use crate::pdf;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
    Pdf,
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub formats: Vec<Format>,
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

/// The rendered files and anything the user should be warned about.
#[derive(Debug)]
pub struct Rendered {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<String>,
    /// The canonical Markdown, for callers that want it.
    pub markdown: String,
}

/// Renders every requested format of the partner edition.
pub fn render(loaded: &Loaded, a: &Assessment, opts: &RenderOptions) -> Result<Rendered, Error> {
    render_edition(loaded, a, opts, Edition::Partner)
}

/// Renders every requested format of one edition. The public edition carries no
/// attachments, and is checked for confidential text (`leak`) before anything is returned.
pub fn render_edition(
    loaded: &Loaded,
    a: &Assessment,
    opts: &RenderOptions,
    edition: Edition,
) -> Result<Rendered, Error> {
    let templates = Templates::load(opts.templates.as_deref())?;
    let mut view = packet::view::build_edition(loaded, a, edition);
    if edition != Edition::Public {
        view.changes = opts.changes.clone();
    }
    let mut markdown = templates.render(&view)?;
    if edition == Edition::Reviewer {
        markdown = crate::edition::number_paragraphs(
            &markdown,
            &view.numbered_sections(),
            &view.item_ids(),
        );
    }
    let page_breaks = view.page_breaks();
    // The bundle and assessment name everything the public edition withholds.
    let attachments: Arc<[(String, Vec<u8>)]> = if edition == Edition::Public {
        Arc::default()
    } else {
        Arc::clone(&opts.attachments)
    };

    // The diagram, under the name the Markdown links to. HTML and PDF borrow its bytes;
    // the Markdown's file in `assets/` is the one copy made.
    let asset = match (&loaded.diagram, packet::view::diagram_asset_name(loaded)) {
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
                        toc_anchor: &view.sections.contents.anchor,
                        assets: &assets,
                        extra_css: if edition == Edition::Partner {
                            ""
                        } else {
                            EDITIONS_CSS
                        },
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
                    title: view.title.clone(),
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
                    toc_anchor: Some(view.sections.contents.anchor.clone()),
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
    if edition == Edition::Public {
        crate::leak::check(&files, loaded)?;
    }
    Ok(Rendered {
        files,
        warnings,
        markdown,
    })
}

/// Page styles of the reviewer and public editions (the partner page is unchanged).
const EDITIONS_CSS: &str = include_str!("../templates/editions.css");

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
    if opts.changes.is_some() && edition != Edition::Public {
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
