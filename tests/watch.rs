//! `dossier watch`: every format is rebuilt after an edit of `bundle.yaml` or of a file it
//! references, other files are ignored, a broken bundle prints its diagnostics and leaves
//! the last good packet in place, and Ctrl-C stops it cleanly.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// Generous: a debug build renders the PDF in a few seconds, and CI machines vary.
const PATIENCE: Duration = Duration::from_secs(60);

#[path = "common/running.rs"]
mod running;
use running::Running as Watch;

mod common;
use common::{
    command, copy_dir, edit, gaps_template, render_with, replace, repo, reword_gaps, sample,
    shown_options,
};

#[path = "common/pdf_tool.rs"]
mod pdf_tool;
use pdf_tool::tool;

fn start_watch(bundle: &Path, out: &Path) -> Watch {
    Watch::start(
        &[
            "watch".as_ref(),
            bundle.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
        "watch",
        PATIENCE,
    )
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn rebuilds_on_change_and_keeps_the_last_good_packet_when_the_bundle_breaks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("bundle");
    let out = dir.path().join("out");
    copy_dir(&sample("northwind-vision"), &bundle);
    let mut watch = start_watch(&bundle, &out);
    let line = watch.wait_line(|l| l.starts_with("built in ") || l.starts_with("build failed"));
    assert!(line.ends_with(": 10 Met, 6 Not Met"), "{line}");
    let html = String::from_utf8(read(out.join("packet.html"))).expect("UTF-8");
    assert!(html.contains("<title>Northwind Inspect API"));
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "script-free on disk"
    );
    let first_pdf = read(out.join("packet.pdf"));
    assert!(out.join("assets").is_dir());
    // The same files as `dossier render` writes.
    let rendered = dir.path().join("rendered");
    let status = command()
        .arg("render")
        .arg(&bundle)
        .arg("--out")
        .arg(&rendered)
        .stderr(Stdio::null())
        .status()
        .expect("render runs");
    assert!(status.success());
    for name in ["packet.md", "packet.html", "packet.pdf"] {
        assert!(
            read(out.join(name)) == read(rendered.join(name)),
            "{name} as render writes it"
        );
    }

    // A file the bundle does not reference changes nothing; an edit of bundle.yaml rebuilds
    // every format.
    std::fs::write(bundle.join("notes.txt"), "not part of the bundle").expect("notes");
    edit(
        &bundle,
        "  name: Northwind Inspect API\n",
        "  name: Northwind Inspect Live\n",
    );
    let line = watch.wait_line(|l| l.starts_with("rebuilt"));
    assert!(
        line.starts_with("rebuilt after a change to bundle.yaml in "),
        "{line}"
    );
    let md = String::from_utf8(read(out.join("packet.md"))).expect("UTF-8");
    assert!(md.starts_with("# Northwind Inspect Live"), "{md:.80}");
    let html = String::from_utf8(read(out.join("packet.html"))).expect("UTF-8");
    assert!(html.contains("<title>Northwind Inspect Live"));
    assert_ne!(read(out.join("packet.pdf")), first_pdf, "PDF rebuilt");

    // A referenced file (the diagram) counts too.
    let diagram = bundle.join("diagrams/architecture.png");
    let png = read(diagram.clone());
    replace(&diagram, &png);
    let line = watch.wait_line(|l| l.starts_with("rebuilt"));
    assert!(
        line.starts_with("rebuilt after a change to diagrams/architecture.png in "),
        "{line}"
    );

    // Broken: the diagnostics with file, line and key, and the last good packet stays.
    let good: Vec<Vec<u8>> = ["packet.md", "packet.html", "packet.pdf"]
        .iter()
        .map(|f| read(out.join(f)))
        .collect();
    edit(&bundle, "format: 1", "format: 7");
    let line = watch.wait_line(|l| l.starts_with("build failed"));
    assert!(
        line.starts_with("build failed after a change to bundle.yaml in "),
        "{line}"
    );
    assert!(line.ends_with("stays in place"), "{line}");
    let stderr = watch.seen.join("\n");
    assert!(stderr.contains("error: format:"), "{stderr}");
    assert!(stderr.contains("bundle.yaml:7:9"), "{stderr}");
    let now: Vec<Vec<u8>> = ["packet.md", "packet.html", "packet.pdf"]
        .iter()
        .map(|f| read(out.join(f)))
        .collect();
    assert!(now == good, "the last good packet is untouched");

    // Fixed: rebuilt.
    edit(&bundle, "format: 7", "format: 1");
    let line = watch.wait_line(|l| l.starts_with("rebuilt") || l.starts_with("build failed"));
    assert!(
        line.starts_with("rebuilt after a change to bundle.yaml in "),
        "{line}"
    );

    let stderr = watch.interrupt();
    assert_eq!(stderr.last().map(String::as_str), Some("stopped"));
    assert!(
        !stderr.iter().any(|l| l.contains("notes.txt")),
        "an unreferenced file never triggers a rebuild:\n{}",
        stderr.join("\n")
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".dossier-staging")),
        "{names:?}"
    );
}

#[test]
fn takes_the_options_render_takes_and_rebuilds_when_a_template_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("bundle");
    let out = dir.path().join("out");
    copy_dir(&sample("northwind-vision"), &bundle);
    let (templates, gaps) = gaps_template(dir.path());
    let fonts = repo("tests/fixtures/fonts");
    let mut args = shown_options(&templates);
    args.extend(["--font-dir".as_ref(), fonts.as_os_str()]);
    let mut watch_args: Vec<&std::ffi::OsStr> = vec![
        "watch".as_ref(),
        bundle.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    watch_args.extend(&args);
    let mut watch = Watch::start(&watch_args, "watch", PATIENCE);
    let line = watch.wait_line(|l| l.starts_with("built in ") || l.starts_with("build failed"));
    assert!(line.starts_with("built in "), "{line}");

    // What watch writes is what render writes with the same options.
    let rendered = dir.path().join("rendered");
    render_with(&bundle, &rendered, &args);
    for name in ["packet.md", "packet.html", "packet.pdf"] {
        assert!(
            read(out.join(name)) == read(rendered.join(name)),
            "{name} as render writes it with the same options"
        );
    }
    let md = String::from_utf8(read(out.join("packet.md"))).expect("UTF-8");
    assert!(
        md.contains("## Checklist for review"),
        "the reviewer edition"
    );
    assert!(md.contains("Our wording: 6 gaps."), "the templates folder");
    let info = tool("pdfinfo", &[], &out.join("packet.pdf"));
    assert!(info.contains("612 x 792"), "Letter paper: {info}");

    // A template is an input like the bundle's files.
    reword_gaps(&gaps);
    let line = watch.wait_line(|l| l.starts_with("rebuilt") || l.starts_with("build failed"));
    assert!(line.starts_with("rebuilt after a change to "), "{line}");
    assert!(line.contains("gaps.md in "), "{line}");
    let md = String::from_utf8(read(out.join("packet.md"))).expect("UTF-8");
    assert!(md.contains("Reworded: 6 gaps."), "{md}");

    let stderr = watch.interrupt();
    assert_eq!(stderr.last().map(String::as_str), Some("stopped"));
}
