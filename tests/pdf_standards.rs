//! Every PDF dossier writes is PDF/A-3a and PDF/UA-1: both samples in every edition, on A4
//! justified and on Letter `--ragged`, checked by an independent validator (`page-validation`,
//! which passes the veraPDF corpus, profiles "3a" and "ua1") and by `qpdf --check`.
//!
//! The validator lives in `.test-tools/venv`, installed by `tests/run.sh`; without it these
//! tests fail and say so.

mod common;

#[path = "common/pdf_tool.rs"]
mod pdf_tool;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{MINIMAL, dossier, path_str, repo, temp_bundle};

const SAMPLES: &[&str] = &["acme-forecast", "northwind-vision"];

/// The virtual environment's Python, after checking that the validator imports.
fn validator_python() -> PathBuf {
    let python = repo(".test-tools/venv/bin/python");
    let ok = Command::new(&python)
        .args(["-c", "import page"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the PDF validator `page-validation` is not installed in {}: run tests/run.sh \
         (it installs tests/tools/requirements.txt into .test-tools/venv)",
        python.display()
    );
    python
}

/// Validates every PDF in one Python process: path → profile → failed rule → first message.
const VALIDATE: &str = r#"
import json, sys, page
out = {}
for path in sys.argv[1:]:
    out[path] = {}
    for profile in ("3a", "ua1"):
        report = page.validate_pdf(path, profile=profile)
        failed = {}
        for f in report.failures:
            failed.setdefault(f.rule_id, f.message)
        out[path][profile] = failed
print(json.dumps(out))
"#;

type Failures = BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>;

fn validate(pdfs: &[PathBuf]) -> Failures {
    let python = validator_python();
    let out = Command::new(python)
        .arg("-c")
        .arg(VALIDATE)
        .args(pdfs)
        .output()
        .expect("the validator runs");
    assert!(
        out.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the validator prints JSON")
}

/// Renders `bundle`'s PDF with `args` into `dir`; `Err(stderr)` when dossier refuses.
fn render(bundle: &Path, dir: &Path, args: &[&str]) -> Result<PathBuf, String> {
    let mut all = vec![
        "render",
        path_str(bundle),
        "--out",
        path_str(dir),
        "--format",
        "pdf",
    ];
    all.extend_from_slice(args);
    let run = dossier(&all);
    if run.code != 0 {
        return Err(run.stderr);
    }
    Ok(dir.join("packet.pdf"))
}

#[test]
fn every_packet_pdf_passes_pdfa_3a_and_pdfua_1_and_qpdf_check() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut pdfs = Vec::new();
    let mut problems = Vec::new();
    let settings: [(&str, &[&str]); 2] = [
        ("a4-justified", &["--paper", "a4"]),
        ("letter-ragged", &["--paper", "letter", "--ragged"]),
    ];
    for sample in SAMPLES {
        for edition in ["partner", "reviewer", "public"] {
            for (name, args) in settings {
                let dir = work.path().join(format!("{sample}-{edition}-{name}"));
                let mut all = vec!["--edition", edition];
                all.extend_from_slice(args);
                match render(&repo(&format!("samples/{sample}")), &dir, &all) {
                    Ok(pdf) => pdfs.push(pdf),
                    Err(stderr) => problems.push(format!("{sample} {edition} {name}: {stderr}")),
                }
            }
        }
    }
    // A public edition that renders whatever the samples say: no attachments, no record.
    let minimal = temp_bundle(MINIMAL);
    match render(
        minimal.path(),
        &work.path().join("minimal-public"),
        &["--edition", "public"],
    ) {
        Ok(pdf) => pdfs.push(pdf),
        Err(stderr) => problems.push(format!("minimal public: {stderr}")),
    }

    for (pdf, profiles) in validate(&pdfs) {
        let case = Path::new(&pdf)
            .parent()
            .and_then(Path::file_name)
            .map_or(pdf.clone(), |n| n.to_string_lossy().into_owned());
        for (profile, failed) in profiles {
            for (rule, message) in failed {
                problems.push(format!("{case} ({profile}): {rule}: {message}"));
            }
        }
    }
    for pdf in &pdfs {
        // `qpdf --check` exits 0 with warnings too; a clean file has none.
        let out = pdf_tool::tool("qpdf", &["--check"], pdf);
        if out.contains("WARNING") || !out.contains("No syntax or stream encoding errors") {
            problems.push(format!("qpdf --check {}: {out}", pdf.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "{} PDFs checked:\n{}",
        pdfs.len(),
        problems.join("\n")
    );
}
