//! The packet PDF's logical structure as outside readers see it. Both samples are rendered
//! in every edition, on both papers, justified and ragged; then PDFium (pypdfium2, the
//! engine in Chrome) reads the structure tree of every page with the text of each element,
//! and page-validation checks the file against PDF/UA-1 and PDF/A-3a, with no rule failing
//! (tests/pdf_tags.py does both).
//! Every page must be tagged, with no text outside the tree but the running header and
//! footer; headings must never skip a level; the contents page must be a TOC of links; the
//! checklist table must have column and row headers; the diagram must be a figure with the
//! alternative text the Markdown gives it; link annotations must sit in Link elements.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{path_str, repo};
use serde_json::Value;

/// The Python the test tools were installed into; its absence fails the test.
fn python() -> PathBuf {
    let python = repo(".test-tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/run.sh, which installs page-validation and pypdfium2 \
         (tests/tools/requirements.txt) into .test-tools/venv",
        python.display()
    );
    python
}

/// One rendering to check.
struct Case {
    sample: &'static str,
    edition: &'static str,
    letter_ragged: bool,
}

impl Case {
    fn name(&self) -> String {
        let look = if self.letter_ragged {
            "letter-ragged"
        } else {
            "a4-justified"
        };
        format!("{}-{}-{look}", self.sample, self.edition)
    }
}

/// Every sample in every edition; each once on A4 justified and once on Letter ragged, so
/// that every value of every option is seen.
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for sample in ["acme-forecast", "northwind-vision"] {
        for edition in ["partner", "reviewer", "public"] {
            for letter_ragged in [false, true] {
                out.push(Case {
                    sample,
                    edition,
                    letter_ragged,
                });
            }
        }
    }
    out
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("pdf_tags")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Renders a case (Markdown and PDF) and returns its output folder.
fn render(case: &Case) -> PathBuf {
    let out = tmp(&case.name());
    let mut args = vec!["render", "--format", "md,pdf", "--edition", case.edition];
    if case.letter_ragged {
        args.extend(["--paper", "letter", "--ragged"]);
    }
    let sample = common::sample(case.sample);
    args.extend([path_str(&sample), "--out", path_str(&out)]);
    let run = common::dossier(&args);
    assert_eq!(run.code, 0, "{}: {}", case.name(), run.stderr);
    out
}

/// Runs tests/pdf_tags.py over the PDFs: one JSON report each.
fn probe(pdfs: &[PathBuf]) -> Vec<Value> {
    let out = Command::new(python())
        .arg(repo("tests/pdf_tags.py"))
        .args(pdfs)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "tests/pdf_tags.py failed (run tests/run.sh if a package is missing): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON report"))
        .collect()
}

/// Every element on a page, depth first, with the path of types that leads to it.
fn walk<'v>(e: &'v Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, &'v Value)>) {
    path.push(kind(e).to_string());
    out.push((path.clone(), e));
    for k in e["kids"].as_array().into_iter().flatten() {
        walk(k, path, out);
    }
    path.pop();
}

fn kind(e: &Value) -> &str {
    e["type"].as_str().unwrap_or("")
}

fn text(e: &Value) -> &str {
    e["text"].as_str().unwrap_or("")
}

fn kids(e: &Value) -> Vec<&Value> {
    e["kids"].as_array().into_iter().flatten().collect()
}

/// The alternative text the Markdown gives the first image.
fn markdown_alt(dir: &Path) -> String {
    let md = std::fs::read_to_string(dir.join("packet.md")).expect("packet.md");
    let start = md.find("![").expect("an image in the packet") + 2;
    let end = start + md[start..].find("](").expect("image syntax");
    md[start..end].to_string()
}

#[test]
fn every_page_is_tagged_as_readers_expect() {
    let cases = cases();
    // Renders in parallel: a dozen renders of a debug build one after the other are slow.
    let dirs: Vec<PathBuf> = std::thread::scope(|s| {
        let handles: Vec<_> = cases.iter().map(|c| s.spawn(|| render(c))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("render thread"))
            .collect()
    });
    let pdfs: Vec<PathBuf> = dirs.iter().map(|d| d.join("packet.pdf")).collect();
    let reports = probe(&pdfs);
    assert_eq!(reports.len(), cases.len());
    for ((case, dir), report) in cases.iter().zip(&dirs).zip(&reports) {
        check(case, dir, report);
    }
}

fn check(case: &Case, dir: &Path, report: &Value) {
    let name = case.name();
    let failures: Vec<String> = report["failures"]
        .as_object()
        .expect("failures")
        .iter()
        .map(|(rule, msg)| format!("{rule}: {msg}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: fails PDF/UA-1 or PDF/A-3a: {failures:#?}"
    );

    let pages = report["pages"].as_array().expect("pages");
    let mut headings: Vec<(u32, String)> = Vec::new();
    let mut all: Vec<(usize, Vec<String>, &Value)> = Vec::new();
    for (k, page) in pages.iter().enumerate() {
        let n = k + 1;
        assert_eq!(
            page["unmarked_text"], 0,
            "{name}: page {n} has text that is neither tagged nor an artifact"
        );
        let roots = page["roots"].as_array().expect("roots");
        assert!(!roots.is_empty(), "{name}: page {n} has no structure");
        let mut elements = Vec::new();
        for root in roots {
            walk(root, &mut Vec::new(), &mut elements);
        }
        let links = elements.iter().filter(|(_, e)| kind(e) == "Link").count();
        let annots = page["links"].as_u64().unwrap_or(0) as usize;
        assert!(
            annots == 0 || links > 0,
            "{name}: page {n} has {annots} link annotations and no Link element"
        );
        for (_, e) in &elements {
            let t = text(e);
            // Running header and footer are artifacts: no element reads them.
            assert!(
                !t.contains(&format!("Page {n} of ")),
                "{name}: page {n}: the footer is in a {}",
                kind(e)
            );
            if let Some(level) = kind(e).strip_prefix('H').and_then(|l| l.parse().ok())
                && headings.last().is_none_or(|(_, last)| last != t)
            {
                headings.push((level, t.to_string()));
            }
        }
        all.extend(elements.into_iter().map(|(p, e)| (n, p, e)));
    }

    // Headings: the title first, then never more than one level deeper than the last.
    let (first, title) = headings.first().expect("headings");
    assert_eq!(*first, 1, "{name}: the first heading is {title}");
    assert!(
        title.starts_with(match case.sample {
            "acme-forecast" => "Acme Forecast Studio",
            _ => "Northwind",
        }),
        "{name}: title {title:?}"
    );
    for w in headings.windows(2) {
        assert!(
            w[1].0 <= w[0].0 + 1,
            "{name}: heading {:?} (H{}) follows {:?} (H{})",
            w[1].1,
            w[1].0,
            w[0].1,
            w[0].0
        );
    }
    assert!(
        headings
            .iter()
            .any(|(l, t)| *l == 2 && t == "Customer references"),
        "{name}: {headings:?}"
    );

    // The contents page: a TOC whose entries are links to the sections.
    let toc = all
        .iter()
        .find(|(_, _, e)| kind(e) == "TOC")
        .unwrap_or_else(|| panic!("{name}: no TOC"));
    let entries = kids(toc.2);
    assert!(
        entries.len() > 5,
        "{name}: {} contents entries",
        entries.len()
    );
    for entry in &entries {
        assert_eq!(kind(entry), "TOCI", "{name}");
        let link = kids(entry);
        assert!(
            link.iter()
                .any(|l| kind(l) == "Link" && !text(l).is_empty()),
            "{name}: contents entry {:?} is no link",
            text(entry)
        );
    }
    assert!(
        entries.iter().any(|e| text(e).starts_with("Prerequisites")),
        "{name}: contents {:?}",
        entries.iter().map(|e| text(e)).collect::<Vec<_>>()
    );

    // The checklist table: the item column is a header for its row, the head row's cells
    // head their columns.
    let th = |scope: &str, starts: &str| {
        all.iter().any(|(_, path, e)| {
            kind(e) == "TH"
                && e["scope"] == scope
                && text(e).starts_with(starts)
                && path.iter().any(|p| p == "Table")
        })
    };
    assert!(th("Column", "Item"), "{name}: no Item column header");
    assert!(th("Column", "Status"), "{name}: no Status column header");
    assert!(th("Row", "P1"), "{name}: P1 is not a row header");
    for (n, path, e) in &all {
        if kind(e) == "TH" {
            assert!(
                !e["scope"].is_null(),
                "{name}: page {n}: a TH without Scope"
            );
        }
        if matches!(kind(e), "TD" | "TH") {
            assert_eq!(path[path.len() - 2], "TR", "{name}: page {n}: {path:?}");
        }
        if kind(e) == "LI" {
            // An item continued from the page before shows only the rest of its body.
            let parts: Vec<&str> = kids(e).iter().map(|k| kind(k)).collect();
            assert!(
                parts == ["Lbl", "LBody"] || parts == ["LBody"],
                "{name}: page {n}: list item {:?} holds {parts:?}",
                text(e)
            );
        }
    }

    // The diagram: a figure with the Markdown's alternative text (set with typographic
    // quotes, as the Markdown's text is).
    let alt = markdown_alt(dir);
    let straight = |s: &str| s.replace(['‘', '’'], "'").replace(['“', '”'], "\"");
    assert!(
        all.iter().any(
            |(_, _, e)| kind(e) == "Figure" && straight(e["alt"].as_str().unwrap_or("")) == alt
        ),
        "{name}: no Figure with alt {alt:?}"
    );

    // The reviewer edition quotes each requirement.
    if case.edition == "reviewer" {
        assert!(
            all.iter().any(|(_, _, e)| kind(e) == "BlockQuote"
                && text(e).starts_with("APN Partner must")),
            "{name}: no quoted requirement"
        );
    }
}
