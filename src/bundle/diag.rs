//! Bundle diagnostics: one problem each, with file, line, column and key path, printed as a
//! source snippet with a caret (annotate-snippets).

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// Where in a source file a problem is: 1-based line and column plus the byte range.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
    pub bytes: Range<usize>,
}

/// One problem found in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in, as the user named it (usually `…/bundle.yaml`).
    pub file: PathBuf,
    /// Position in `file`; `None` when the problem is about the file as a whole.
    pub pos: Option<Pos>,
    /// Key path such as `references[2].start`; empty for the document root.
    pub key: String,
    pub message: String,
    /// An extra line such as `did you mean "lessons"?`.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A problem with the file as a whole (unreadable, too large, not UTF-8 …).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            pos: None,
            key: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:column`, or just the file when there is no position.
    pub fn location(&self) -> String {
        match &self.pos {
            Some(p) => format!("{}:{}:{}", self.file.display(), p.line, p.column),
            None => self.file.display().to_string(),
        }
    }

    /// The diagnostic as a snippet of `source` with a caret under the offending text.
    pub fn render(&self, source: Option<&str>) -> String {
        let title = if self.key.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.key, self.message)
        };
        render_snippet(&SnippetMessage {
            level: Level::ERROR,
            code: None,
            title: &title,
            file: &self.file,
            pos: self.pos.as_ref(),
            key: &self.key,
            source,
            help: self.hint.as_deref(),
        })
    }
}

/// What one source-snippet message says; shared by errors and advisories.
pub(crate) struct SnippetMessage<'a> {
    pub level: Level<'a>,
    /// A code shown after the level, as in `warning[placeholder]`.
    pub code: Option<&'a str>,
    pub title: &'a str,
    pub file: &'a std::path::Path,
    pub pos: Option<&'a Pos>,
    pub key: &'a str,
    pub source: Option<&'a str>,
    pub help: Option<&'a str>,
}

/// Renders a message as a snippet of its source with a caret under the text it is about,
/// or with a `note: in FILE:LINE:COL` line when there is no source to show.
pub(crate) fn render_snippet(m: &SnippetMessage<'_>) -> String {
    let path = m.file.display().to_string();
    let mut title = m.level.clone().primary_title(m.title);
    if let Some(code) = m.code {
        title = title.id(code);
    }
    let mut group = Group::with_title(title);
    match (m.pos, m.source) {
        (Some(pos), Some(src)) if pos.bytes.end <= src.len() => {
            let label = if m.key.is_empty() {
                "here".to_string()
            } else {
                format!("key {}", m.key)
            };
            let bytes = widen_empty(src, pos.bytes.clone());
            group = group.element(
                Snippet::source(src)
                    .path(path.as_str())
                    .fold(true)
                    .annotation(AnnotationKind::Primary.span(bytes).label(label)),
            );
        }
        _ => {
            let at = match m.pos {
                Some(p) => format!("{path}:{}:{}", p.line, p.column),
                None => path.clone(),
            };
            group = group.element(Level::NOTE.message(format!("in {at}")));
        }
    }
    if let Some(help) = m.help {
        group = group.element(Level::HELP.message(help));
    }
    let report: [Group<'_>; 1] = [group];
    Renderer::plain().render(&report)
}

/// Renders one message about several places of `source`: a snippet with a caret for each,
/// labelled with its key path, each headed by its own `file:line:column`.
pub(crate) fn render_places(
    level: Level<'_>,
    title: &str,
    file: &std::path::Path,
    source: &str,
    places: &[(String, Pos)],
    help: Option<&str>,
) -> String {
    let path = file.display().to_string();
    let mut group = Group::with_title(level.primary_title(title));
    for (key, pos) in places.iter().filter(|(_, p)| p.bytes.end <= source.len()) {
        group = group.element(
            Snippet::source(source)
                .path(path.as_str())
                .fold(true)
                .annotation(
                    AnnotationKind::Primary
                        .span(widen_empty(source, pos.bytes.clone()))
                        .label(format!("key {key}")),
                ),
        );
    }
    if let Some(help) = help {
        group = group.element(Level::HELP.message(help));
    }
    let report: [Group<'_>; 1] = [group];
    Renderer::plain().render(&report)
}

/// An empty span renders no caret; point at one character instead.
fn widen_empty(src: &str, bytes: Range<usize>) -> Range<usize> {
    if bytes.start < bytes.end {
        return bytes;
    }
    let start = bytes.start.min(src.len());
    let end = src[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    start..end
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location())?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// The "did you mean" candidate closest to `word`, if one is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_only() {
        let keys = ["lessons", "outcomes", "problem"];
        assert_eq!(closest("lesons", keys), Some("lessons"));
        assert_eq!(closest("Outcome", keys), Some("outcomes"));
        assert_eq!(closest("budget", keys), None);
    }

    #[test]
    fn render_points_at_the_key() {
        let src = "format: 1\nas_of: 2026-13-01\n";
        let d = Diagnostic {
            file: "b/bundle.yaml".into(),
            pos: Some(Pos {
                line: 2,
                column: 8,
                bytes: 17..27,
            }),
            key: "as_of".into(),
            message: "not a valid date".into(),
            hint: Some("write YYYY-MM-DD".into()),
        };
        let out = d.render(Some(src));
        assert!(out.contains("b/bundle.yaml:2:8"), "{out}");
        assert!(out.contains("as_of: not a valid date"), "{out}");
        assert!(out.contains("^^^^^^^^^^"), "{out}");
        assert!(out.contains("help: write YYYY-MM-DD"), "{out}");
    }
}
