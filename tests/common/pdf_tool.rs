//! Runs a poppler or qpdf tool on a PDF and returns what it printed; shared by the test
//! files that read PDFs through `#[path]`.

use std::path::Path;
use std::process::Command;

/// `cmd ARGS… PDF` (`pdftotext` writes to stdout, not to a file beside the PDF); fails the
/// test when the tool is missing or exits with an error.
pub fn tool(cmd: &str, args: &[&str], pdf: &Path) -> String {
    let mut command = Command::new(cmd);
    command.args(args).arg(pdf);
    if cmd == "pdftotext" {
        command.arg("-");
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{cmd} must be installed (poppler-utils, qpdf): {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
