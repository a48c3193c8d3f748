//! Bundle + assessment → the packet's canonical Markdown text, through tera templates.
//!
//! The default templates are embedded in the binary (and live in `templates/`); a
//! `--templates DIR` folder replaces any of them by name. Templates receive one view
//! (`view::build`) and compute nothing; every filter they may use is registered here.
//! [`Templates::render`] gives the [`Packet`]: the Markdown every format is made from.

pub mod escape;
pub mod view;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use tera::{Context, Kwargs, State, Tera};

use crate::Error;

pub use view::PacketView;

/// The default templates: (name, text). `packet.md` is the entry point.
pub const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    ("packet.md", include_str!("../../templates/packet.md")),
    (
        "prerequisites.md",
        include_str!("../../templates/prerequisites.md"),
    ),
    (
        "references.md",
        include_str!("../../templates/references.md"),
    ),
    ("solution.md", include_str!("../../templates/solution.md")),
    ("security.md", include_str!("../../templates/security.md")),
    (
        "architecture.md",
        include_str!("../../templates/architecture.md"),
    ),
    ("checklist.md", include_str!("../../templates/checklist.md")),
    ("gaps.md", include_str!("../../templates/gaps.md")),
    ("changes.md", include_str!("../../templates/changes.md")),
    (
        "reviewer-checklist.md",
        include_str!("../../templates/reviewer-checklist.md"),
    ),
    ("signoff.md", include_str!("../../templates/signoff.md")),
];

/// A template set ready to render: the defaults, with a user's folder layered on top.
pub struct Templates {
    /// Shared when it is the defaults: they are compiled once per process.
    tera: Arc<Tera>,
}

/// Compiles the embedded default templates now, so that a caller can do it on a thread of
/// its own while the bundle is read (see `cli`); [`Templates::load`] reuses them.
pub fn warm_up() {
    let _ = defaults();
}

/// The embedded templates, compiled once.
fn defaults() -> &'static Arc<Tera> {
    static DEFAULTS: OnceLock<Arc<Tera>> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        // Embedded and rendered by every test: a failure here is a build defect.
        Arc::new(compile(Vec::new()).expect("the embedded templates compile"))
    })
}

/// The defaults with `overrides` (name, text) replacing or joining them, compiled.
fn compile(overrides: Vec<(String, String)>) -> Result<Tera, Error> {
    let mut tera = Tera::new();
    // Filters first: tera checks filter names when templates are added.
    tera.register_filter("inline", |s: &str, _: Kwargs, _: &State| escape::inline(s));
    tera.register_filter("cell", |s: &str, _: Kwargs, _: &State| escape::cell(s));
    tera.register_filter("alt", |s: &str, _: Kwargs, _: &State| escape::alt(s));
    tera.register_filter("title", |s: &str, _: Kwargs, _: &State| escape::title(s));
    tera.register_filter("block", |s: &str, _: Kwargs, _: &State| escape::block(s));
    tera.register_filter("reason", |s: &str, _: Kwargs, _: &State| reason(s));
    tera.register_filter("plural", plural);
    let mut templates: Vec<(String, String)> = DEFAULT_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    for (name, text) in overrides {
        match templates.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = text,
            None => templates.push((name, text)),
        }
    }
    tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| Error::Template(format!("templates: {}", error_chain(&e))))?;
    Ok(tera)
}

impl Templates {
    /// The embedded defaults, plus every `*.md` file of `overrides` (same name replaces).
    pub fn load(overrides: Option<&Path>) -> Result<Self, Error> {
        let Some(dir) = overrides else {
            return Ok(Templates {
                tera: Arc::clone(defaults()),
            });
        };
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_file() && name.ends_with(".md") {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                found.push((name, text));
            }
        }
        if found.is_empty() {
            return Err(Error::Usage(format!(
                "{} holds no .md templates; the defaults are packet.md and the files it includes (see templates/ in the dossier source)",
                dir.display()
            )));
        }
        Ok(Templates {
            tera: Arc::new(compile(found)?),
        })
    }

    /// Renders the packet from the view: the templates' Markdown, paragraphs numbered
    /// where the edition numbers them, and the view's page breaks and names for the
    /// HTML and PDF writers.
    pub fn render(&self, view: &PacketView) -> Result<Packet, Error> {
        let mut ctx = Context::from_serialize(view)
            .map_err(|e| Error::Template(format!("packet view: {}", error_chain(&e))))?;
        ctx.insert(
            "generator",
            &format!("dossier {}", env!("CARGO_PKG_VERSION")),
        );
        let text = self
            .tera
            .render("packet.md", &ctx)
            .map_err(|e| Error::Template(format!("template packet.md: {}", error_chain(&e))))?;
        let mut markdown = tidy(&text);
        if view.edition.numbers_paragraphs() {
            markdown = crate::edition::number_paragraphs(
                &markdown,
                &view.numbered_sections(),
                &view.item_ids(),
            );
        }
        Ok(Packet {
            markdown,
            title: view.title.clone(),
            page_breaks: view.page_breaks(),
            contents_anchor: view.sections.contents.anchor.clone(),
            diagram: view.architecture.diagram.clone(),
        })
    }
}

/// The packet as text, with what the HTML and PDF writers need besides it.
#[derive(Debug)]
pub struct Packet {
    /// The canonical Markdown: every format is made from it.
    pub markdown: String,
    /// The packet's title, for the PDF's metadata.
    pub title: String,
    /// Anchors of the headings that start a new printed page.
    pub page_breaks: Vec<String>,
    /// The anchor of the contents heading.
    pub contents_anchor: String,
    /// Where the Markdown links the diagram (`assets/architecture.png`), if there is one.
    pub diagram: Option<String>,
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

/// Our own reason text: `code` spans stay code, everything else is escaped as plain text.
pub fn reason(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // Unbalanced backticks: treat it all as text.
        return escape::inline(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 {
                format!("`{}`", p.replace('|', "\\|"))
            } else if p.is_empty() {
                String::new()
            } else {
                let lead = if p.starts_with(' ') { " " } else { "" };
                let trail = if p.ends_with(' ') && !p.trim().is_empty() {
                    " "
                } else {
                    ""
                };
                format!("{lead}{}{trail}", escape::inline(p))
            }
        })
        .collect()
}

/// `{{ n | plural(one="region", many="regions") }}`: "1 region", "2 regions".
fn plural(n: i64, kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let one = kwargs.must_get::<&str>("one")?;
    let many = kwargs.must_get::<&str>("many")?;
    Ok(match usize::try_from(n) {
        Ok(n) => crate::plural::count(n, one, many),
        Err(_) => format!("{n} {many}"),
    })
}

/// Collapses runs of blank lines left by template control flow and ends with one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        // Trailing spaces stay: two of them are a user's hard line break.
        let line = if line.trim().is_empty() { "" } else { line };
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    let trimmed = out.trim_matches('\n');
    format!("{trimmed}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plural_filter_is_registered_and_agrees_with_its_count() {
        let template = r#"{% for n in [0, 1, 2] %}{{ n | plural(one="document", many="documents") }}; {% endfor %}"#;
        let tera = compile(vec![("packet.md".into(), template.into())]).expect("compiles");
        let text = tera.render("packet.md", &Context::new()).expect("renders");
        assert_eq!(text, "0 documents; 1 document; 2 documents; ");
    }
}
