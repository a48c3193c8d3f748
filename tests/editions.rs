//! `render --edition reviewer|public` on the samples: the reviewer's checklist, requirement
//! boxes, paragraph numbers and sign-off page; the public edition's anonymised customers and
//! its leak check (a confidential name planted anywhere fails the render, nothing written).
//! Uses `pdftotext`, `pdfdetach` and `qpdf` (poppler-utils, qpdf).

use std::path::{Path, PathBuf};

mod common;
use common::{Run, command, copy_dir, read, run, sample};

#[path = "common/pdf_tool.rs"]
mod pdf_tool;
use pdf_tool::tool;

fn render(bundle: &Path, out: &Path, edition: &str) -> Run {
    run(command()
        .args(["render", "--edition", edition, "--out"])
        .arg(out)
        .arg(bundle))
}

fn pdf_text(pdf: &Path) -> String {
    tool("pdftotext", &[], pdf)
}

/// The PDF with every object uncompressed, so metadata, outline titles and link targets can be
/// searched as text.
fn pdf_objects(pdf: &Path, dir: &Path) -> String {
    let q = dir.join("qdf.pdf");
    std::fs::copy(pdf, &q).expect("copy the PDF");
    tool(
        "qpdf",
        &["--qdf", "--object-streams=disable", "--replace-input"],
        &q,
    );
    String::from_utf8_lossy(&std::fs::read(&q).unwrap()).into_owned()
}

/// A copy of a sample to change, in `dir`.
fn copy_of(name: &str, dir: &Path) -> PathBuf {
    let b = dir.join(name);
    copy_dir(&sample(name), &b);
    b
}

/// Confidential strings of acme-forecast that the public edition must not contain.
const ACME_SECRETS: &[&str] = &[
    "Meridian Health Supply",
    "Meridian",
    "Copperline Logistics",
    "Copperline",
    "maya.lindqvist@acme-forecast.example",
    "meridian-design.pdf",
    "copperline-design.pdf",
    "harbor-lane-design.pdf",
    "architecture-review.pdf",
];

#[test]
fn reviewer_edition_puts_the_checklist_first_and_ends_with_a_sign_off() {
    for name in ["acme-forecast", "northwind-vision"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let r = render(&sample(name), &out, "reviewer");
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        let md = read(&out.join("packet.md"));
        let pos = |s: &str| md.find(s).unwrap_or_else(|| panic!("{name}: no {s:?}"));
        // The checklist comes first, with an empty notes column and the evidence's section.
        assert!(
            pos("## Checklist for review") < pos("## Prerequisites"),
            "{name}"
        );
        assert!(
            md.contains("| Item | Requirement | Status | Reasons | Evidence | Reviewer notes |")
        );
        assert!(
            md.contains("](#prerequisites) | |"),
            "{name}: notes cell not empty"
        );
        assert!(!md.contains("## Completed checklist"), "{name}");
        // Every evidence section quotes its requirement.
        for q in [
            "> **Requirement 1.1 Customer References:**",
            "> **Requirement 2.1 Solution Capabilities:**",
            "> **Requirement 3.1 Security Best Practices:**",
            "> **Requirement 2.5 AWS Best Practices:**",
        ] {
            assert!(md.contains(q), "{name}: no {q:?}");
        }
        let references = md.matches("> **Requirement 1.1 ").count();
        assert_eq!(references, md.matches("\n### Reference ").count(), "{name}");
        // Paragraph numbers, per item, in order.
        for n in [
            "**P1-1**",
            "**1.1-1**",
            "**1.1-2**",
            "**2.1-1**",
            "**3.1-1**",
            "**3.2-1**",
            "**2.5-1**",
        ] {
            assert!(md.contains(n), "{name}: no {n}");
        }
        assert!(pos("**1.1-1**") < pos("**1.1-2**"));
        // The sign-off is last and starts its own page.
        assert!(pos("## Reviewer sign-off") > pos("## Gaps"), "{name}");
        assert!(md.contains("**Signature:**") && md.contains("**Reviewer name:**"));
        let html = read(&out.join("packet.html"));
        assert!(
            html.contains("id=\"reviewer-sign-off\" class=\"page-break\""),
            "{name}"
        );
        assert!(
            html.contains("#checklist-for-review + p + .table-wrap"),
            "{name}: no CSS"
        );
        let text = pdf_text(&out.join("packet.pdf"));
        let pages: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        let last = pages.last().unwrap();
        assert!(
            last.contains("Reviewer sign-off") && last.contains("Signature"),
            "{name}"
        );
        assert!(!pages[pages.len() - 2].contains("Reviewer name"), "{name}");
        assert!(
            text.contains("Reviewer notes") && text.contains("1.1-1"),
            "{name}"
        );
    }
}

#[test]
fn the_sign_off_counts_one_not_met_in_the_singular() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = copy_of("acme-forecast", dir.path());
    let yaml = read(&bundle.join("bundle.yaml")).replacen(
        "  - item: \"3.1\"\n    status: met\n",
        "  - item: \"3.1\"\n    status: not-met\n",
        1,
    );
    std::fs::write(bundle.join("bundle.yaml"), yaml).unwrap();
    let out = dir.path().join("out");
    let r = render(&bundle, &out, "reviewer");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = read(&out.join("packet.md"));
    assert!(
        md.contains("The evidence meets 15 of 16 checklist items; 1 is Not Met."),
        "{md}"
    );
}

#[test]
fn partner_edition_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(render(&sample("northwind-vision"), &a, "partner").code, 0);
    let o = command()
        .args(["render", "--out"])
        .arg(&b)
        .arg(sample("northwind-vision"))
        .output()
        .unwrap();
    assert!(o.status.success());
    for f in ["packet.md", "packet.html", "packet.pdf"] {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn public_edition_of_both_samples_renders() {
    // Their text says "the customer" where it means a non-public one.
    for name in ["acme-forecast", "northwind-vision"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let r = render(&sample(name), &out, "public");
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(out.join("packet.pdf").is_file(), "{name}");
    }
}

#[test]
fn a_bundle_whose_prose_names_a_private_customer_is_refused_with_where_to_fix_it() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/leaks/customer-short-name-in-prose");
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        render(&fixture, &dir.path().join("partner"), "partner").code,
        0
    );
    let out = dir.path().join("out");
    let r = render(&fixture, &out, "public");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "\"Meridian\", the short name of the customer of references[0], which is not public, appears in packet.md, packet.html, packet.pdf (text)"
        ),
        "{}",
        r.stderr
    );
    // Both places, each under a caret with its key path, line and column.
    for (at, key) in [
        ("bundle.yaml:19:7", "^^^^^^^^ key references[0].problem"),
        ("bundle.yaml:22:17", "^^^^^^^^ key references[0].lessons"),
    ] {
        assert!(r.stderr.contains(at), "{at}: {}", r.stderr);
        assert!(r.stderr.contains(key), "{key}: {}", r.stderr);
    }
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().next().is_none());
}

#[test]
fn public_edition_names_no_confidential_customer_document_or_contact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = render(&sample("acme-forecast"), &out, "public");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = read(&out.join("packet.md"));
    let html = read(&out.join("packet.html"));
    let pdf = out.join("packet.pdf");
    let text = pdf_text(&pdf);
    let objects = pdf_objects(&pdf, dir.path());
    for s in ACME_SECRETS {
        for (what, hay) in [
            ("md", &md),
            ("html", &html),
            ("pdf text", &text),
            ("pdf objects", &objects),
        ] {
            assert!(!hay.contains(s), "{s:?} in {what}");
        }
        let slug = s.to_lowercase().replace(' ', "-");
        assert!(!objects.contains(&slug), "{slug:?} in the PDF objects");
    }
    // Anonymised by the bundle's name, or by position; headings and anchors follow.
    assert!(md.contains("### Reference 3: Customer C (a healthcare supplier)"));
    assert!(md.contains("](#reference-4-customer-d-a-parcel-carrier)"));
    assert!(md.contains("2 supporting documents, not named in this edition."));
    // No reviewer decisions, no gaps, no contact; the public references stay named.
    assert!(md.contains("Harbor Lane Grocers"));
    assert!(!md.contains("Reviewer decision") && !md.contains("J. Smith"));
    assert!(!md.contains("## Gaps") && !md.contains("**Contact:**"));
    assert!(!md.contains("Advisories"));
    // The PDF carries no attachments (the bundle names everything withheld).
    let listed = tool("pdfdetach", &["-list"], &pdf);
    assert!(listed.starts_with("0 embedded files"), "{listed}");
}

#[test]
fn a_confidential_name_planted_in_another_reference_fails_the_public_render() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = copy_of("acme-forecast", dir.path());
    let yaml = read(&bundle.join("bundle.yaml"));
    // Tidewater (public) thanks Meridian Health Supply (not public) in its outcomes.
    let (head, tail) = yaml
        .split_once("  - customer: Tidewater Energy Cooperative\n")
        .unwrap();
    let tail = tail.replacen(
        "    outcomes: |\n",
        "    outcomes: |\n      Shared with Meridian Health Supply, who ran the same pilot.\n",
        1,
    );
    std::fs::write(
        bundle.join("bundle.yaml"),
        format!("{head}  - customer: Tidewater Energy Cooperative\n{tail}"),
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("packet.md"), "earlier packet").unwrap();
    let r = render(&bundle, &out, "public");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("\"Meridian Health Supply\", the customer of references[2]"),
        "{}",
        r.stderr
    );
    for place in ["packet.md", "packet.html", "packet.pdf (text)"] {
        assert!(r.stderr.contains(place), "{place} not named: {}", r.stderr);
    }
    // Where to fix it: the key, line and column in bundle.yaml, under a caret.
    let written = read(&bundle.join("bundle.yaml"));
    let line = written
        .lines()
        .position(|l| l.contains("Shared with Meridian Health Supply"))
        .expect("planted")
        + 1;
    assert!(
        r.stderr.contains(&format!("bundle.yaml:{line}:19")),
        "line {line} not named: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("^^^^^^^^^^^^^^^^^^^^^^ key references[1].outcomes"),
        "{}",
        r.stderr
    );
    // Nothing written: the earlier packet is untouched and no other file appeared.
    assert_eq!(read(&out.join("packet.md")), "earlier packet");
    assert!(!out.join("packet.pdf").exists() && !out.join("packet.html").exists());
}

#[test]
fn the_leak_check_reads_the_pdf_outline_and_link_targets() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = copy_of("acme-forecast", dir.path());
    let yaml = read(&bundle.join("bundle.yaml"))
        // A heading: into the PDF outline.
        .replacen(
            "\n  title: ",
            "\n  title: Copperline Logistics edition of the ",
            1,
        )
        // A URL: into a link annotation.
        .replacen(
            "public_support_statement: https://acme-forecast.example/",
            "public_support_statement: https://acme-forecast.example/meridian-health-supply/",
            1,
        );
    std::fs::write(bundle.join("bundle.yaml"), yaml).unwrap();
    let r = render(&bundle, &dir.path().join("out"), "public");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = |name: &str| {
        r.stderr
            .lines()
            .find(|l| l.contains(&format!("\"{name}\", the customer")))
            .unwrap_or_else(|| panic!("{name} not reported: {}", r.stderr))
            .to_string()
    };
    assert!(
        line("Copperline Logistics").contains("packet.pdf (outline)"),
        "{}",
        r.stderr
    );
    assert!(
        line("Meridian Health Supply").contains("packet.pdf (link targets)"),
        "{}",
        r.stderr
    );
}
