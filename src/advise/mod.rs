//! Loaded bundle → advisories: evidence that is there but weak, found before a reviewer
//! finds it.
//!
//! An advisory changes no status. Each has a stable code (see [`CODES`]), a severity, the
//! key path with file, line and column, a message and, where one exists, a suggested fix.
//! `review` is pure: it reads the bundle, its source text and positions, and the data
//! shipped with the tool (AWS service names, region codes, the starter bundle).

mod services;
mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::PathBuf;

use annotate_snippets::Level;
use jiff::ToSpan;
use serde::Serialize;
use serde_json::{Value, json};

use crate::assess::filled;
use crate::bundle::diag::{Pos, SnippetMessage, closest, render_snippet};
use crate::bundle::model::{Markdown, Stage};
use crate::bundle::{KeyPath, Loaded, Seg, collect_strings, regions};
use crate::plural;

pub use services::{Catalog, Lookup, catalog};

/// How much an advisory matters. `dossier check --strict` fails on warnings only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Weak or wrong evidence a reviewer is likely to question; fix before submitting.
    Warning,
    /// Worth a look; often fine as it is.
    Note,
}

impl Severity {
    /// `warning` or `note`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One advisory code: its severity and what it is about.
#[derive(Debug)]
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    pub about: &'static str,
}

/// Every advisory code, in the order `README.md` lists them. Codes are stable: tools may
/// filter on them.
pub const CODES: [Code; 13] = [
    Code {
        code: "placeholder",
        severity: Severity::Warning,
        about: "TBD, TODO, XXX, lorem ipsum or a bracketed stand-in such as [Customer] left in",
    },
    Code {
        code: "starter-text",
        severity: Severity::Warning,
        about: "text still equal to what `dossier init` wrote",
    },
    Code {
        code: "aws-service-name",
        severity: Severity::Warning,
        about: "not an official AWS service name",
    },
    Code {
        code: "region-code",
        severity: Severity::Warning,
        about: "text names an AWS region code that AWS does not have",
    },
    Code {
        code: "outcome-not-measurable",
        severity: Severity::Warning,
        about: "outcomes with no number, percentage or amount",
    },
    Code {
        code: "text-too-short",
        severity: Severity::Warning,
        about: "problem, proposal, outcomes or lessons under 25 words",
    },
    Code {
        code: "text-too-long",
        severity: Severity::Note,
        about: "problem, proposal, outcomes or lessons over 600 words",
    },
    Code {
        code: "service-not-in-architecture",
        severity: Severity::Warning,
        about: "a reference uses a service that architecture.aws_services does not list",
    },
    Code {
        code: "service-not-in-references",
        severity: Severity::Note,
        about: "architecture.aws_services lists services no reference uses",
    },
    Code {
        code: "evidence-not-https",
        severity: Severity::Warning,
        about: "a public reference whose evidence URL is plain http",
    },
    Code {
        code: "barely-in-production",
        severity: Severity::Note,
        about: "a production reference that ended within 30 days of as_of",
    },
    Code {
        code: "diagram-alt-missing",
        severity: Severity::Warning,
        about: "an architecture diagram without architecture.diagram_alt",
    },
    Code {
        code: "image-alt-missing",
        severity: Severity::Warning,
        about: "an image in the text with no alternative text",
    },
];

/// Fewest and most words for the free-text fields of a reference.
pub const MIN_WORDS: usize = 25;
pub const MAX_WORDS: usize = 600;
/// A reference that ended this many days or fewer before `as_of` is barely in production.
pub const RECENT_END_DAYS: i64 = 30;

/// One finding that changes no status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advisory {
    pub code: &'static str,
    pub severity: Severity,
    /// Key path such as `references[2].problem`.
    pub key: String,
    /// The file it is in (`…/bundle.yaml`, as the user named it).
    pub file: PathBuf,
    /// Where in `file`; `None` only if the key has no position (it always has one for a
    /// bundle that loaded).
    pub pos: Option<Pos>,
    pub message: String,
    /// What to do about it, when there is something specific to do.
    pub fix: Option<String>,
}

impl Advisory {
    /// The advisory as JSON, for `check --json`.
    pub fn to_json(&self) -> Value {
        json!({
            "code": self.code,
            "severity": self.severity,
            "key": self.key,
            "file": self.file.display().to_string(),
            "line": self.pos.as_ref().map(|p| p.line),
            "column": self.pos.as_ref().map(|p| p.column),
            "message": self.message,
            "fix": self.fix,
        })
    }

    /// `file:line:column`.
    pub fn location(&self) -> String {
        match &self.pos {
            Some(p) => format!("{}:{}:{}", self.file.display(), p.line, p.column),
            None => self.file.display().to_string(),
        }
    }

    /// The advisory as a snippet of `source` with a caret under the text it is about.
    pub fn render(&self, source: &str) -> String {
        let level = match self.severity {
            Severity::Warning => Level::WARNING,
            Severity::Note => Level::NOTE,
        };
        let title = format!("{}: {}", self.key, self.message);
        render_snippet(&SnippetMessage {
            level,
            code: Some(self.code),
            title: &title,
            file: &self.file,
            pos: self.pos.as_ref(),
            key: &self.key,
            source: Some(source),
            help: self.fix.as_deref(),
        })
    }
}

/// The severity of `code`.
fn severity(code: &str) -> Severity {
    CODES
        .iter()
        .find(|c| c.code == code)
        .map_or(Severity::Note, |c| c.severity)
}

/// Reads the data [`review`] compares with (service names, the starter's text) now, so that
/// a caller can do it on a thread of its own while the bundle is read.
pub fn warm_up() {
    let _ = catalog();
    let _ = starter_texts();
}

/// Every advisory for a loaded bundle, in source order.
pub fn review(loaded: &Loaded) -> Vec<Advisory> {
    let mut r = Reviewer::new(loaded);
    r.texts();
    r.service_names();
    r.references();
    r.consistency();
    r.alt_texts();
    let mut out = r.out;
    out.sort_by_key(|a| {
        (
            a.pos.as_ref().map(|p| (p.line, p.column)),
            CODES.iter().position(|c| c.code == a.code),
        )
    });
    out
}

/// Advisories for `dossier check`: warnings, then notes, each as a source snippet.
pub fn report(advisories: &[Advisory], source: &str) -> String {
    let mut out = String::new();
    let count = |s: Severity| advisories.iter().filter(|a| a.severity == s).count();
    let (warnings, notes) = (count(Severity::Warning), count(Severity::Note));
    if advisories.is_empty() {
        let _ = writeln!(out, "\nAdvisories: none.");
        return out;
    }
    let _ = writeln!(
        out,
        "\nAdvisories: {}, {}. They change no status; `--strict` fails on warnings.",
        plural::count(warnings, "warning", "warnings"),
        plural::count(notes, "note", "notes")
    );
    for (severity, heading, n) in [
        (Severity::Warning, "Warnings", warnings),
        (Severity::Note, "Notes", notes),
    ] {
        if n == 0 {
            continue;
        }
        let _ = writeln!(out, "\n{heading} ({n}):\n");
        for a in advisories.iter().filter(|a| a.severity == severity) {
            let _ = writeln!(out, "{}\n", a.render(source));
        }
    }
    out
}

/// Collects advisories, with what it needs to place them in the source.
struct Reviewer<'a> {
    loaded: &'a Loaded,
    /// Start of every key and value in the source, sorted: the value after a string ends
    /// the search for text inside that string.
    starts: Vec<usize>,
    out: Vec<Advisory>,
}

impl<'a> Reviewer<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        Reviewer {
            loaded,
            starts: loaded.doc.starts(),
            out: Vec::new(),
        }
    }

    fn push(
        &mut self,
        code: &'static str,
        path: &KeyPath,
        pos: Option<Pos>,
        message: String,
        fix: Option<String>,
    ) {
        self.out.push(Advisory {
            code,
            severity: severity(code),
            key: path.to_string(),
            file: self.loaded.yaml_path.clone(),
            pos,
            message,
            fix,
        });
    }

    fn value_pos(&self, path: &KeyPath) -> Option<Pos> {
        self.loaded.doc.value_pos(path)
    }

    fn key_pos(&self, path: &KeyPath) -> Option<Pos> {
        self.loaded.doc.key_pos(path)
    }

    /// Position of `needle` inside the string value at `path`, found in the source between
    /// the value's start and whatever comes next; the value's own position when the source
    /// spells it differently (escapes, folded lines).
    fn pos_in_value(&self, path: &KeyPath, needle: &str) -> Option<Pos> {
        let value = self.value_pos(path)?;
        let source = &self.loaded.source;
        let start = value.bytes.start.min(source.len());
        let end = self
            .starts
            .iter()
            .find(|&&s| s > start)
            .copied()
            .unwrap_or(source.len())
            .min(source.len());
        let Some(found) = source.get(start..end).and_then(|s| s.find(needle)) else {
            return Some(value);
        };
        let at = start + found;
        let line_start = source[..at].rfind('\n').map_or(0, |n| n + 1);
        Some(Pos {
            line: source[..at].matches('\n').count() as u64 + 1,
            column: source[line_start..at].chars().count() as u64 + 1,
            bytes: at..at + needle.len(),
        })
    }

    /// Placeholders, starter text and region codes, in every string of the bundle.
    fn texts(&mut self) {
        let mut strings = Vec::new();
        collect_strings(&self.loaded.doc.value, KeyPath::default(), &mut strings);
        let starter = starter_texts();
        let region_firsts: BTreeSet<&str> = regions::all()
            .iter()
            .filter_map(|r| r.split('-').next())
            .collect();
        for (path, s) in strings {
            for hit in text::placeholders(&s) {
                let (message, fix) = match hit.kind {
                    text::PlaceholderKind::Marker => (
                        format!("placeholder `{}` left in the text", hit.text),
                        "replace it with the real content, or remove it",
                    ),
                    text::PlaceholderKind::Filler => (
                        format!("filler text `{}` left in", hit.text),
                        "replace the filler with the real content",
                    ),
                    text::PlaceholderKind::Bracketed => (
                        format!("bracketed stand-in `{}` left in the text", hit.text),
                        "replace it with the real name or value",
                    ),
                };
                let pos = self.pos_in_value(&path, &hit.text);
                self.push("placeholder", &path, pos, message, Some(fix.into()));
            }
            if starter
                .get(&pattern(&path))
                .is_some_and(|t| t.trim() == s.trim())
            {
                let pos = self.value_pos(&path);
                self.push(
                    "starter-text",
                    &path,
                    pos,
                    format!(
                        "still the starter text `{}` that `dossier init` wrote",
                        s.trim()
                    ),
                    Some("replace it with the partner's own value".into()),
                );
            }
            if pattern(&path) != "solution.regions[]" {
                let mut seen = BTreeSet::new();
                for (_, word) in text::region_like(&s, &region_firsts) {
                    if regions::is_known(word) || !seen.insert(word) {
                        continue;
                    }
                    let pos = self.pos_in_value(&path, word);
                    let fix = match closest(word, regions::all().iter().copied()) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "check the code against the list of AWS Regions".into(),
                    };
                    self.push(
                        "region-code",
                        &path,
                        pos,
                        format!(
                            "`{word}` looks like an AWS region code, but AWS has no such region"
                        ),
                        Some(fix),
                    );
                }
            }
        }
    }

    /// Images without alternative text: the diagram without `diagram_alt`, and Markdown
    /// images with empty brackets in any text. A reader who cannot see them gets nothing.
    fn alt_texts(&mut self) {
        let b = &self.loaded.bundle;
        let top = KeyPath::default();
        if b.architecture.diagram.is_some()
            && b.architecture
                .diagram_alt
                .as_deref()
                .is_none_or(|a| a.trim().is_empty())
        {
            let path = top.key("architecture").key("diagram");
            let pos = self.value_pos(&path);
            let generated = crate::packet::view::diagram_alt(b);
            self.push(
                "diagram-alt-missing",
                &path,
                pos,
                format!(
                    "the architecture diagram has no alternative text; the packet describes it only as \"{generated}\""
                ),
                Some(
                    "add `architecture.diagram_alt`: a sentence or two saying what the diagram shows, for readers who cannot see it"
                        .into(),
                ),
            );
        }
        let mut strings = Vec::new();
        collect_strings(&self.loaded.doc.value, top, &mut strings);
        for (path, s) in strings {
            if !s.contains("![") {
                continue;
            }
            for src in text::images_without_alt(&s) {
                let pos = self.pos_in_value(&path, "![]");
                self.push(
                    "image-alt-missing",
                    &path,
                    pos,
                    format!("the image `{src}` has no alternative text"),
                    Some(format!(
                        "say what it shows between the brackets: `![what it shows]({src})`"
                    )),
                );
            }
        }
    }

    /// Every service name in the architecture and the references.
    fn service_names(&mut self) {
        let loaded: &'a Loaded = self.loaded;
        let b = &loaded.bundle;
        let top = KeyPath::default();
        let mut names: Vec<(KeyPath, String, bool)> = Vec::new();
        for (i, s) in b.architecture.aws_services.iter().enumerate() {
            names.push((
                top.key("architecture").key("aws_services").index(i),
                s.clone(),
                false,
            ));
        }
        for (i, r) in b.references.iter().enumerate() {
            for (j, s) in r.aws_services.iter().enumerate() {
                let path = top
                    .key("references")
                    .index(i)
                    .key("aws_services")
                    .index(j)
                    .key("service");
                names.push((path, s.service.clone(), true));
            }
        }
        for (path, name, in_reference) in names {
            if name.trim().is_empty() {
                continue;
            }
            if let Lookup::Unknown { suggestion } = catalog().lookup(&name) {
                let fix = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if in_reference => "write the service's official name, as AWS does (`Amazon SageMaker`, `AWS Lambda`); a product that is not an AWS service belongs in `third_party`".into(),
                    None => "write the service's official name, as AWS does (`Amazon SageMaker`, `AWS Lambda`)".into(),
                };
                let pos = self.value_pos(&path);
                self.push(
                    "aws-service-name",
                    &path,
                    pos,
                    format!("`{}` is not an official AWS service name", name.trim()),
                    Some(fix),
                );
            }
        }
    }

    /// Per reference: measurable outcomes, text lengths, https evidence, recent end.
    fn references(&mut self) {
        let loaded: &'a Loaded = self.loaded;
        let b = &loaded.bundle;
        let as_of = b.as_of.0;
        for (i, r) in b.references.iter().enumerate() {
            let at = KeyPath::default().key("references").index(i);
            let fields: [(&str, &Markdown, &str); 4] = [
                (
                    "problem",
                    &r.problem,
                    "say who the customer is, what was wrong and what it cost them",
                ),
                (
                    "proposal",
                    &r.proposal,
                    "say what you proposed, how it used AWS and how it was rolled out",
                ),
                (
                    "outcomes",
                    &r.outcomes,
                    "give the measured results and when they were measured",
                ),
                (
                    "lessons",
                    &r.lessons,
                    "say what you learned and what you would do differently",
                ),
            ];
            for (key, text, what) in fields {
                if !filled(text) {
                    continue;
                }
                let text = text.as_deref().unwrap_or_default();
                let path = at.key(key);
                let words = text::word_count(text);
                if words < MIN_WORDS {
                    let pos = self.key_pos(&path);
                    self.push(
                        "text-too-short",
                        &path,
                        pos,
                        format!(
                            "only {} (fewer than {MIN_WORDS})",
                            plural::count(words, "word", "words")
                        ),
                        Some(what.to_string()),
                    );
                } else if words > MAX_WORDS {
                    let pos = self.key_pos(&path);
                    self.push(
                        "text-too-long",
                        &path,
                        pos,
                        format!("{words} words (more than {MAX_WORDS})"),
                        Some("keep the essentials here and move the detail into a supporting document".into()),
                    );
                }
                if key == "outcomes" && !text::has_quantity(text) {
                    let pos = self.key_pos(&path);
                    self.push(
                        "outcome-not-measurable",
                        &path,
                        pos,
                        "the outcomes state no number, percentage or amount".into(),
                        Some("add a measured result, such as \"forecast error fell from 18% to 9%\" or \"USD 1.2 million saved a year\"".into()),
                    );
                }
            }

            if r.public
                && let Some(url) = r.public_evidence.as_ref().and_then(|e| e.url.as_ref())
                && url
                    .0
                    .trim_start()
                    .get(..7)
                    .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
            {
                let path = at.key("public_evidence").key("url");
                let pos = self.value_pos(&path);
                self.push(
                    "evidence-not-https",
                    &path,
                    pos,
                    "the public evidence is served over plain http".into(),
                    Some(format!("link the https address: {}", https(&url.0))),
                );
            }

            if r.stage == Some(Stage::Production)
                && let Some(end) = r.end
                && end.0 <= as_of
                && as_of
                    .checked_sub(RECENT_END_DAYS.days())
                    .is_ok_and(|from| end.0 >= from)
            {
                let days = end.0.until(as_of).map_or(0, |s| s.get_days());
                let path = at.key("end");
                let pos = self.value_pos(&path);
                self.push(
                    "barely-in-production",
                    &path,
                    pos,
                    format!(
                        "the project ended {end}, {} before as_of ({as_of}): barely in production",
                        plural::count(usize::try_from(days).unwrap_or_default(), "day", "days")
                    ),
                    Some("a reviewer may ask for results from production; state them in `outcomes` with the period they cover".into()),
                );
            }
        }
    }

    /// Services in references but not in the architecture, and the reverse.
    fn consistency(&mut self) {
        let loaded: &'a Loaded = self.loaded;
        let b = &loaded.bundle;
        let top = KeyPath::default();
        // A misspelt name counts as the service it was meant to be: the misspelling has its
        // own advisory, and should not also make the two lists disagree.
        let identity = |name: &str| {
            let known = |n: &str| match catalog().lookup(n) {
                Lookup::Known { id } => Some(id),
                Lookup::Unknown { suggestion } => {
                    suggestion.and_then(|s| match catalog().lookup(&s) {
                        Lookup::Known { id } => Some(id),
                        Lookup::Unknown { .. } => None,
                    })
                }
            };
            known(name).unwrap_or_else(|| {
                format!(
                    "?{}",
                    name.split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase()
                )
            })
        };
        let architecture: BTreeMap<String, (usize, &str)> = b
            .architecture
            .aws_services
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.trim().is_empty())
            .rev()
            .map(|(i, s)| (identity(s), (i, s.trim())))
            .collect();
        let mut used = BTreeSet::new();
        for (i, r) in b.references.iter().enumerate() {
            for (j, s) in r.aws_services.iter().enumerate() {
                if s.service.trim().is_empty() {
                    continue;
                }
                let id = identity(&s.service);
                if !architecture.is_empty() && !architecture.contains_key(&id) {
                    let path = top
                        .key("references")
                        .index(i)
                        .key("aws_services")
                        .index(j)
                        .key("service");
                    let pos = self.value_pos(&path);
                    let who = r
                        .customer
                        .as_deref()
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map_or_else(|| format!("reference {}", i + 1), |c| c.to_string());
                    self.push(
                        "service-not-in-architecture",
                        &path,
                        pos,
                        format!(
                            "{who} uses `{}`, which `architecture.aws_services` does not list",
                            s.service.trim()
                        ),
                        Some(format!(
                            "add `{}` to `architecture.aws_services`, or correct the reference",
                            s.service.trim()
                        )),
                    );
                }
                used.insert(id);
            }
        }
        if used.is_empty() {
            return;
        }
        let mut unused: Vec<(usize, &str)> = architecture
            .iter()
            .filter(|(id, _)| !used.contains(*id))
            .map(|(_, v)| *v)
            .collect();
        unused.sort();
        if !unused.is_empty() {
            let names: Vec<String> = unused.iter().map(|(_, n)| format!("`{n}`")).collect();
            let path = top.key("architecture").key("aws_services");
            let pos = self.key_pos(&path);
            self.push(
                "service-not-in-references",
                &path,
                pos,
                format!(
                    "{} {} in no reference's `aws_services`: {}",
                    plural::count(names.len(), "service", "services"),
                    plural::pick(names.len(), "appears", "appear"),
                    names.join(", ")
                ),
                Some("fine for shared infrastructure; otherwise show in a reference how the service was used, or drop it from the architecture".into()),
            );
        }
    }
}

/// The https form of an http URL.
fn https(url: &str) -> String {
    let url = url.trim();
    format!("https://{}", &url[7.min(url.len())..])
}

/// A key path with list indices left out (`references[].customer`), to compare a bundle's
/// keys with the starter's, which has one reference.
fn pattern(path: &KeyPath) -> String {
    let mut out = String::new();
    for seg in &path.0 {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(_) => out.push_str("[]"),
        }
    }
    out
}

/// Starter values that are real choices, not stand-ins: they stay as they are.
const STARTER_CHOICES: [&str; 5] = [
    "format",
    "checklist",
    "as_of",
    "category",
    "architecture.title",
];

/// The text values `dossier init` writes, by key pattern (`partner.name` →
/// `Your Company, Inc.`). `architecture.title` is left out: "Reference architecture" is
/// also the packet's default title, so keeping it is a choice, not an oversight.
fn starter_texts() -> &'static BTreeMap<String, String> {
    static TEXTS: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(read_starter_texts)
}

fn read_starter_texts() -> BTreeMap<String, String> {
    let yaml = crate::starter::bundle_yaml(jiff::civil::date(2000, 1, 1));
    let Ok(value) = serde_saphyr::from_str::<Value>(&yaml) else {
        return BTreeMap::new();
    };
    let mut strings = Vec::new();
    collect_strings(&value, KeyPath::default(), &mut strings);
    strings
        .into_iter()
        .map(|(p, s)| (pattern(&p), s))
        .filter(|(p, s)| !s.trim().is_empty() && !STARTER_CHOICES.contains(&p.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once() {
        let codes: BTreeSet<&str> = CODES.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), CODES.len());
    }

    #[test]
    fn starter_texts_are_the_stand_ins() {
        let t = starter_texts();
        assert_eq!(
            t.get("partner.name").map(String::as_str),
            Some("Your Company, Inc.")
        );
        assert_eq!(
            t.get("solution.name").map(String::as_str),
            Some("Your ML Solution")
        );
        assert!(t.contains_key("partner.website"));
        assert!(!t.contains_key("checklist"));
        assert!(!t.contains_key("architecture.title"));
    }

    #[test]
    fn http_becomes_https() {
        assert_eq!(https("http://a.example/x"), "https://a.example/x");
    }
}
