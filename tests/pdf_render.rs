//! Renders the packet fixture to PDF and checks the file with poppler-utils and qpdf.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use dossier::pdf::{Paper, PdfOptions, RenderedPdf, render};

#[path = "common/pdf_tool.rs"]
mod pdf_tool;
use pdf_tool::tool;

const FIXTURE: &str = include_str!("fixtures/pdf/packet.md");

fn assets() -> BTreeMap<String, &'static [u8]> {
    let png = include_bytes!("fixtures/pdf/architecture.png");
    BTreeMap::from([("assets/architecture.png".to_string(), &png[..])])
}

fn options() -> PdfOptions {
    PdfOptions {
        paper: Paper::A4,
        justify: true,
        title: "Acme Forecast Studio — AWS Machine Learning Competency application".into(),
        author: "Acme Analytics, Inc.".into(),
        subject: "AWS ML Competency application packet".into(),
        keywords: vec!["AWS".into(), "Machine Learning Competency".into()],
        date: "2026-03-31".into(),
        running_header: "Acme Analytics, Inc. · Acme Forecast Studio".into(),
        page_break_before: (1..=4)
            .map(|i| {
                format!(
                    "reference-{i}-{}",
                    [
                        "globex-retail",
                        "initech-logistics",
                        "umbrella-pharma",
                        "stark-energy"
                    ][i - 1]
                )
            })
            .collect(),
        toc_anchor: Some("contents".into()),
        font_dirs: Vec::new(),
        language: "en-US".into(),
        attachments: Default::default(),
        edition: "partner".into(),
        outside_inputs: Vec::new(),
    }
}

fn rendered(name: &str, opts: &PdfOptions) -> (RenderedPdf, PathBuf) {
    let out = render(FIXTURE, &assets(), opts).expect("fixture renders");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf_render");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    std::fs::write(&path, &out.bytes).expect("write pdf");
    (out, path)
}

#[test]
fn packet_pdf_is_valid_complete_and_deterministic() {
    let opts = options();
    let (first, path) = rendered("packet.pdf", &opts);
    assert!(
        first.warnings.is_empty(),
        "unexpected warnings: {:?}",
        first.warnings
    );

    // Same input, same process: same bytes.
    let again = render(FIXTURE, &assets(), &opts).expect("renders again");
    assert!(first.bytes == again.bytes, "two renders differ");

    // Small: subset fonts, one diagram.
    assert!(
        first.bytes.len() < 600_000,
        "PDF is {} bytes",
        first.bytes.len()
    );

    // Structurally clean.
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("qpdf installed");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success() && report.contains("No syntax or stream encoding errors"),
        "qpdf --check: {report}{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // Every font embedded and subset.
    let fonts = tool("pdffonts", &[], &path);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 5, "fonts: {fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object ID
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "font not embedded+subset+unicode: {row}"
        );
        assert!(cols[0].as_bytes()[6] == b'+', "subset tag missing: {row}");
    }

    // The text is there and extractable, in order.
    let text = tool("pdftotext", &["-layout"], &path).replace('\u{a0}', " ");
    let text_plain = tool("pdftotext", &[], &path);
    for needle in [
        "Acme Forecast Studio",
        "Contents",
        "Reference 1: Globex Retail",
        "Lessons learned",
        "πρόβλεψη ζήτησης",
        "прогноз объёма",
        "Not Met",
        "Page 2 of",
        "estimator = sagemaker",
    ] {
        assert!(
            text.contains(needle) || text_plain.contains(needle),
            "missing text {needle:?}"
        );
    }
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("missing {s:?}"));
    assert!(pos("Prerequisites") < pos("Customer references") && pos("Security") < pos("Gaps"));

    // The TOC has page numbers, and tables show the target page of internal links.
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let refs_page = pages
        .iter()
        .position(|p| p.contains("Reference 2: Initech Logistics") && !p.contains("Contents"))
        .expect("reference 2 page")
        + 1;
    let toc = pages[1];
    assert!(
        toc.lines()
            .any(|l| l.contains("Reference 2: Initech Logistics")
                && l.trim_end().ends_with(&refs_page.to_string())),
        "TOC lacks page {refs_page}: {toc}"
    );
    let arch_page = pages
        .iter()
        .position(|p| p.contains("Architecture diagram"))
        .expect("architecture page")
        + 1;
    let checklist = pages
        .iter()
        .find(|p| p.contains("Reviewer"))
        .expect("checklist page");
    let flat = checklist.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Reference") && flat.contains(&format!("p. {arch_page}")),
        "no page reference to p. {arch_page}: {flat}"
    );

    // No word outside the margins (72 pt each side on A4).
    let bbox = tool("pdftotext", &["-bbox"], &path);
    let mut words = 0;
    for line in bbox.lines().filter(|l| l.contains("<word ")) {
        let attr = |k: &str| -> f64 {
            let start = line.find(&format!("{k}=\"")).expect("attr") + k.len() + 2;
            line[start..]
                .split('"')
                .next()
                .and_then(|v| v.parse().ok())
                .expect("number")
        };
        words += 1;
        assert!(
            attr("xMin") >= 71.0 && attr("xMax") <= 595.28 - 71.0,
            "word outside margins: {line}"
        );
        assert!(
            attr("yMin") >= 30.0 && attr("yMax") <= 841.89 - 30.0,
            "word outside the page body: {line}"
        );
    }
    assert!(words > 2000, "only {words} words");

    // The diagram is embedded, losslessly.
    let images = tool("pdfimages", &["-list"], &path);
    let img_rows: Vec<&str> = images.lines().skip(2).collect();
    assert_eq!(img_rows.len(), 1, "{images}");
    assert!(
        img_rows[0].contains("1600")
            && img_rows[0].contains("900")
            && !img_rows[0].contains("jpeg"),
        "{images}"
    );

    // Links: internal ones jump inside the file, external ones open the URL.
    let qdf = path.with_extension("qdf.pdf");
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&path)
        .arg(&qdf)
        .status()
        .expect("qpdf");
    assert!(status.success());
    let expanded = String::from_utf8_lossy(&std::fs::read(&qdf).expect("qdf")).into_owned();
    assert!(
        expanded.matches("/S /GoTo").count() >= 20,
        "internal links missing"
    );
    assert!(
        expanded.contains("/URI (https://docs.aws.amazon.com/sagemaker/latest/dg/security.html)"),
        "bare URL not linked"
    );

    // Outline and metadata.
    let info = tool("pdfinfo", &[], &path);
    assert!(
        info.contains("Author:          Acme Analytics, Inc."),
        "{info}"
    );
    assert!(
        info.contains("CreationDate:") && info.contains("2026"),
        "{info}"
    );
    assert!(info.contains("Page size:       595.28 x 841.89"), "{info}");
    let raw = String::from_utf8_lossy(&first.bytes);
    assert!(raw.contains("/Outlines"), "no outline");
    let outline = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(&path)
        .output()
        .expect("qpdf");
    let outline = String::from_utf8_lossy(&outline.stdout);
    assert!(
        outline.contains("Customer references")
            && outline.contains("Reference 4: Stark Energy")
            && outline.contains("\"kids\""),
        "{outline}"
    );
}

#[test]
fn letter_and_ragged_right_render_too() {
    let opts = PdfOptions {
        paper: Paper::Letter,
        justify: false,
        ..options()
    };
    let (out, path) = rendered("packet-letter.pdf", &opts);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let info = tool("pdfinfo", &[], &path);
    assert!(info.contains("Page size:       612 x 792"), "{info}");
}

#[test]
fn unknown_characters_are_warned_about_with_their_section() {
    let md = "# T\n\n## Contents\n\n## Customer references\n\n### Reference 1\n\n#### Lessons learned\n\n漢字 and 😀\n";
    let out = render(md, &BTreeMap::new(), &options()).expect("renders");
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(
        out.warnings[0].contains("Customer references › Reference 1 › Lessons learned"),
        "{}",
        out.warnings[0]
    );
}

#[test]
fn bad_images_and_dates_are_errors() {
    let md = "# T\n\n## A\n\n![x](a.png)\n";
    let broken = BTreeMap::from([("a.png".to_string(), &b"not an image"[..])]);
    assert!(render(md, &broken, &options()).is_err());
    let opts = PdfOptions {
        date: "March 2026".into(),
        ..options()
    };
    assert!(render(md, &BTreeMap::new(), &opts).is_err());
}

#[test]
fn font_dirs_add_fallback_faces() {
    // Thai is in none of the shipped faces; the fixture is Noto Sans Thai (see its README).
    let thai =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fonts/NotoSansThai-Regular.ttf");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf_fonts");
    std::fs::create_dir_all(&dir).expect("font dir");
    std::fs::copy(&thai, dir.join("NotoSansThai-Regular.ttf")).expect("copy font");
    let md = "# T\n\n## Contents\n\n## A\n\nภาษาไทย\n";
    let without = render(md, &BTreeMap::new(), &options()).expect("renders");
    assert_eq!(without.warnings.len(), 1, "{:?}", without.warnings);
    let opts = PdfOptions {
        font_dirs: vec![dir],
        ..options()
    };
    let with = render(md, &BTreeMap::new(), &opts).expect("renders");
    assert!(with.warnings.is_empty(), "{:?}", with.warnings);
}

/// Glyphs drawn on all pages: the two-byte codes in the content streams' TJ arrays.
fn drawn_glyphs(path: &Path) -> usize {
    let qdf = path.with_extension("qdf.pdf");
    let out = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(path)
        .arg(&qdf)
        .output()
        .expect("qpdf must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&std::fs::read(&qdf).expect("qdf")).into_owned();
    text.split("%% Contents for page")
        .skip(1)
        .map(|page| {
            let body = &page[..page.find("endstream").expect("stream end")];
            // Glyph strings are runs of four-digit codes: `<00410042>`.
            body.split('<')
                .skip(1)
                .filter_map(|s| s.split_once('>'))
                .filter(|(hex, _)| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(|(hex, _)| hex.len() / 4)
                .sum::<usize>()
        })
        .sum()
}

#[test]
fn ligatures_are_drawn_and_extract_as_letters() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf_ligatures");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let write = |name: &str, body: &str| {
        let md = format!("# T\n\n## A\n\n{body}\n");
        let out = render(&md, &BTreeMap::new(), &options()).expect("renders");
        let path = dir.join(name);
        std::fs::write(&path, &out.bytes).expect("write pdf");
        path
    };
    let with = write("ligatures.pdf", "office workflow fit");
    // The same number of letters, none of them forming a ligature.
    let without = write("no-ligatures.pdf", "oxxxce workxlow xit");
    let text = tool("pdftotext", &[], &with);
    assert!(text.contains("office workflow fit"), "{text}");
    // ffi, fl and fi each drawn as one glyph: four glyphs fewer.
    assert_eq!(drawn_glyphs(&without) - drawn_glyphs(&with), 4);
    // The ToUnicode map gives the ffi glyph all three letters (UTF-16BE).
    let qdf = std::fs::read(with.with_extension("qdf.pdf")).expect("qdf");
    assert!(String::from_utf8_lossy(&qdf).contains("<006600660069>"));
}

#[test]
fn run_in_subheadings_stay_with_the_text_after_them_and_out_of_the_outline() {
    // Short blocks, so that page ends fall at every point of the pattern, among them
    // right after a subheading.
    let mut md =
        String::from("# Packet\n\n## Contents\n\n- [Evidence](#evidence)\n\n## Evidence\n\n");
    for n in 1..=160 {
        md.push_str(&format!(
            "**Subheading {n}**\n\nFollowing {n}: {}\n\n",
            "evidence ".repeat(12 + n % 9)
        ));
    }
    let out = render(&md, &BTreeMap::new(), &options()).expect("renders");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf_render");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("subheadings.pdf");
    std::fs::write(&path, &out.bytes).expect("write pdf");

    let text = tool("pdftotext", &[], &path);
    assert!(text.matches('\u{c}').count() > 8, "several pages");
    assert!(!text.contains("**"), "the asterisks are markup, not text");
    for n in 1..=160 {
        let heading = format!("Subheading {n}\n");
        let at = text
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading:?} not in the text"));
        let next = text[at + heading.len()..].trim_start();
        assert!(
            next.starts_with(&format!("Following {n}:")),
            "Subheading {n} is not followed by its text on the same page: {:?}",
            &next[..next.len().min(80)]
        );
    }
    let outline = Command::new("qpdf")
        .args(["--json", "--json-key=outlines"])
        .arg(&path)
        .output()
        .expect("qpdf must be installed");
    let outline = String::from_utf8_lossy(&outline.stdout);
    assert!(outline.contains("Evidence"), "{outline}");
    assert!(!outline.contains("Subheading"), "{outline}");
}
