//! Reproducible renderings, `dossier archive` / `dossier verify`, and the bundle and
//! assessment carried inside the PDF.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{Run, command, copy_dir, path_str, repo, run};

/// Every file below `dir`, by `/`-separated relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if entry.file_type().expect("type").is_dir() {
                walk(&entry.path(), &rel, out);
            } else {
                out.insert(rel, fs::read(entry.path()).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// The PDF with every stream decompressed, so that text inside it can be searched.
fn pdf_plain(bytes: &[u8]) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(bytes).expect("PDF loads");
    doc.decompress();
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("saves");
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The `check --json` object without the advisories, which are not part of the assessment.
fn assessment_of(bundle: &Path) -> serde_json::Value {
    let out = run(command().args(["check", path_str(bundle), "--json"]));
    let mut json: serde_json::Value = serde_json::from_str(&out.stdout).expect("check --json");
    if let Some(map) = json.as_object_mut() {
        map.remove("advisories");
    }
    json
}

fn parse(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("JSON")
}

// Reproducibility -------------------------------------------------------------------------

#[test]
fn renderings_are_identical_across_folders_environments_and_working_directories() {
    let a = tempfile::tempdir().expect("temp");
    let b = tempfile::tempdir().expect("temp");
    let bundle_a = a.path().join("bundles/northwind");
    let bundle_b = b.path().join("elsewhere/deeper/nv-copy");
    copy_dir(&repo("samples/northwind-vision"), &bundle_a);
    copy_dir(&repo("samples/northwind-vision"), &bundle_b);

    // Relative paths from inside the first folder, UTC and the C locale…
    let first = run(command()
        .current_dir(a.path())
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .args(["render", "bundles/northwind", "--out", "out"]));
    assert_eq!(first.code, 0, "{}", first.stderr);
    // …absolute paths from the root, another time zone and locale.
    let second = run(command()
        .current_dir("/")
        .env("TZ", "Pacific/Chatham")
        .env("LC_ALL", "de_DE.UTF-8")
        .env("LANG", "fr_FR.UTF-8")
        .args([
            "render",
            path_str(&bundle_b.join("bundle.yaml")),
            "--out",
            path_str(&b.path().join("out")),
        ]));
    assert_eq!(second.code, 0, "{}", second.stderr);

    let one = files(&a.path().join("out"));
    let two = files(&b.path().join("out"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        [
            "assets/architecture.png",
            "packet.html",
            "packet.md",
            "packet.pdf"
        ]
    );
    for (name, bytes) in &one {
        assert!(two[name] == *bytes, "{name} differs between the two runs");
    }
    // No path of either machine leaks into any output, not even inside PDF streams.
    let pdf = pdf_plain(&one["packet.pdf"]);
    for dir in [a.path(), b.path()] {
        let dir = path_str(dir);
        for (name, bytes) in &one {
            assert!(!contains(bytes, dir), "{name} contains {dir}");
        }
        assert!(!contains(&pdf, dir), "the PDF's streams contain {dir}");
    }
    assert!(!contains(&pdf, "/bundles/northwind"));
}

// The PDF as a complete record -------------------------------------------------------------

#[test]
fn the_pdf_carries_the_bundle_and_the_assessment_as_attachments() {
    let out = tempfile::tempdir().expect("temp");
    let sample = repo("samples/northwind-vision");
    let r = run(command().args([
        "render",
        path_str(&sample),
        "--out",
        path_str(out.path()),
        "--format",
        "pdf",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pdf = out.path().join("packet.pdf");

    let list = run(Command::new("pdfdetach").arg("-list").arg(&pdf));
    assert_eq!(list.code, 0, "pdfdetach must be installed: {}", list.stderr);
    let names: Vec<String> = list
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": ").map(|(_, n)| n.to_string()))
        .collect();
    let mut want = vec![
        "assessment.json".to_string(),
        "bundle/bundle.yaml".to_string(),
        "bundle/diagrams/architecture.png".to_string(),
    ];
    for doc in fs::read_dir(sample.join("docs")).expect("docs") {
        let name = doc.expect("entry").file_name();
        want.push(format!("bundle/docs/{}", name.to_string_lossy()));
    }
    want.sort();
    assert_eq!(
        names, want,
        "every bundle file and the assessment, nothing else"
    );

    let assessment = assessment_of(&sample);
    for (i, name) in names.iter().enumerate() {
        let saved = out.path().join(format!("attachment-{i}"));
        let r = run(Command::new("pdfdetach")
            .arg("-save")
            .arg((i + 1).to_string())
            .arg("-o")
            .arg(&saved)
            .arg(&pdf));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let got = fs::read(&saved).expect("extracted");
        match name.strip_prefix("bundle/") {
            Some(rel) => assert!(
                got == fs::read(sample.join(rel)).expect("sample file"),
                "{name} comes back byte for byte"
            ),
            None => assert_eq!(parse(&got), assessment, "the assessment"),
        }
    }
}

// Archive and verify ------------------------------------------------------------------------

/// A small bundle (so that verifying it many times stays quick) with a diagram and a document.
fn small_bundle(dir: &Path) {
    fs::create_dir_all(dir.join("diagrams")).expect("mkdir");
    fs::create_dir_all(dir.join("docs")).expect("mkdir");
    fs::copy(
        repo("samples/acme-forecast/diagrams/architecture.png"),
        dir.join("diagrams/arch.png"),
    )
    .expect("diagram");
    fs::write(dir.join("docs/design.pdf"), "%PDF-1.4 design notes\n").expect("doc");
    fs::write(
        dir.join("bundle.yaml"),
        "format: 1\nchecklist: aws-ml-competency-2017-v1.0\nas_of: 2026-11-20\ncategory: platform\n\
         partner:\n  name: Small Shop, Ltd.\n  website: https://small.example\n\
         solution:\n  name: Tiny Forecast\n\
         architecture:\n  overview: One service.\n  diagram: diagrams/arch.png\n\
         references:\n  - customer: Globex\n    documents: [docs/design.pdf]\n",
    )
    .expect("yaml");
}

fn archive(bundle: &Path, into: &Path) -> Run {
    run(command().args(["archive", path_str(bundle), "--into", path_str(into)]))
}

fn verify(dir: &Path) -> Run {
    run(command().args(["verify", path_str(dir)]))
}

#[test]
fn archive_holds_renderings_bundle_assessment_and_manifest_and_verifies() {
    let into = tempfile::tempdir().expect("temp");
    let r = archive(&repo("samples/acme-forecast"), into.path());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = into.path().join("2026-11-20-acme-forecast-inc");
    let all = files(&dir);

    // The bundle exactly as read: the YAML and every file it references, nothing else.
    let bundle: Vec<&String> = all.keys().filter(|k| k.starts_with("bundle/")).collect();
    let mut want = vec![
        "bundle/bundle.yaml".to_string(),
        "bundle/diagrams/architecture.png".into(),
    ];
    for doc in fs::read_dir(repo("samples/acme-forecast/docs")).expect("docs") {
        let name = doc.expect("entry").file_name();
        want.push(format!("bundle/docs/{}", name.to_string_lossy()));
    }
    want.sort();
    assert_eq!(bundle, want.iter().collect::<Vec<_>>());
    for rel in &want {
        let original = fs::read(repo("samples/acme-forecast").join(&rel["bundle/".len()..]))
            .expect("original");
        assert!(all[rel] == original, "{rel} is a byte-exact copy");
    }
    for f in [
        "packet.md",
        "packet.html",
        "packet.pdf",
        "assets/architecture.png",
    ] {
        assert!(all.contains_key(f), "{f}");
    }
    assert_eq!(
        parse(&all["assessment.json"]),
        assessment_of(&repo("samples/acme-forecast"))
    );

    // The manifest: version, checklist, and a SHA-256 and size for every other file.
    let manifest = String::from_utf8(all["MANIFEST"].clone()).expect("utf-8");
    assert!(manifest.contains(&format!("dossier-version: {}\n", env!("CARGO_PKG_VERSION"))));
    assert!(manifest.contains("checklist: aws-ml-competency-2017-v1.0\n"));
    for (rel, bytes) in &all {
        if rel == "MANIFEST" {
            continue;
        }
        let line = format!("  {}  {rel}\n", bytes.len());
        assert!(manifest.contains(&line), "MANIFEST lists {rel}: {manifest}");
    }
    // The renderings are those of `dossier render`.
    let out = tempfile::tempdir().expect("temp");
    let r = run(command().args([
        "render",
        path_str(&repo("samples/acme-forecast")),
        "--out",
        path_str(out.path()),
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in ["packet.md", "packet.html", "packet.pdf"] {
        assert!(
            fs::read(out.path().join(f)).expect("rendered") == all[f],
            "{f} as rendered"
        );
    }

    let v = verify(&dir);
    assert_eq!(v.code, 0, "{}{}", v.stdout, v.stderr);
    assert!(v.stdout.starts_with("ok: 13 files match"), "{}", v.stdout);
}

#[test]
fn a_flipped_byte_in_any_archived_file_fails_verify_and_names_it() {
    let tmp = tempfile::tempdir().expect("temp");
    small_bundle(&tmp.path().join("bundle"));
    let r = archive(&tmp.path().join("bundle"), &tmp.path().join("archives"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let original = tmp.path().join("archives/2026-11-20-small-shop-ltd");
    assert_eq!(verify(&original).code, 0);

    let names: Vec<String> = files(&original).into_keys().collect();
    assert_eq!(names.len(), 9, "{names:?}");
    // One damaged copy per file (and three places in the manifest), verified in parallel.
    let mut cases: Vec<(String, f64)> = names.iter().map(|n| (n.clone(), 0.5)).collect();
    cases.push(("MANIFEST".into(), 0.0));
    cases.push(("MANIFEST".into(), 0.99));
    let handles: Vec<_> = cases
        .into_iter()
        .enumerate()
        .map(|(i, (name, at))| {
            let copy = tmp.path().join(format!("damaged-{i}"));
            copy_dir(&original, &copy);
            let path = copy.join(&name);
            let mut bytes = fs::read(&path).expect("read");
            let pos = ((bytes.len() - 1) as f64 * at) as usize;
            bytes[pos] ^= 0x01;
            fs::write(&path, bytes).expect("write");
            std::thread::spawn(move || (name, verify(&copy)))
        })
        .collect();
    for h in handles {
        let (name, v) = h.join().expect("thread");
        assert_eq!(v.code, 1, "{name}: {}{}", v.stdout, v.stderr);
        assert!(
            v.stdout
                .lines()
                .any(|l| l.starts_with(&format!("differs: {name}:"))),
            "{name} is named:\n{}",
            v.stdout
        );
    }
}

#[test]
fn verify_reports_added_and_missing_files() {
    let tmp = tempfile::tempdir().expect("temp");
    small_bundle(&tmp.path().join("bundle"));
    assert_eq!(
        archive(&tmp.path().join("bundle"), &tmp.path().join("a")).code,
        0
    );
    let dir = tmp.path().join("a/2026-11-20-small-shop-ltd");
    fs::write(dir.join("bundle/docs/extra.pdf"), "x").expect("write");
    fs::remove_file(dir.join("packet.html")).expect("remove");
    let v = verify(&dir);
    assert_eq!(v.code, 1);
    assert!(
        v.stdout
            .contains("differs: bundle/docs/extra.pdf: not in the manifest"),
        "{}",
        v.stdout
    );
    assert!(
        v.stdout.contains("differs: packet.html: missing"),
        "{}",
        v.stdout
    );

    let not_archive = verify(tmp.path());
    assert_eq!(not_archive.code, 2);
    assert!(
        not_archive.stderr.contains("not a dossier archive"),
        "{}",
        not_archive.stderr
    );
}

#[test]
fn a_second_archive_for_the_same_date_and_partner_is_refused() {
    let tmp = tempfile::tempdir().expect("temp");
    small_bundle(&tmp.path().join("bundle"));
    let into = tmp.path().join("archives");
    assert_eq!(archive(&tmp.path().join("bundle"), &into).code, 0);
    let dir = into.join("2026-11-20-small-shop-ltd");
    let before = files(&dir);

    // The bundle changed since, but the date and partner are the same.
    let yaml = tmp.path().join("bundle/bundle.yaml");
    let text = fs::read_to_string(&yaml).expect("yaml");
    fs::write(&yaml, text.replace("One service.", "Two services.")).expect("write");
    let again = archive(&tmp.path().join("bundle"), &into);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(files(&dir) == before, "the first archive is untouched");
    let left: Vec<String> = fs::read_dir(&into)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        left,
        ["2026-11-20-small-shop-ltd"],
        "no staging folder is left behind"
    );

    // An invalid bundle archives nothing.
    fs::write(&yaml, "format: 2\n").expect("write");
    let bad = archive(&tmp.path().join("bundle"), &tmp.path().join("other"));
    assert_eq!(bad.code, 2);
    assert!(!tmp.path().join("other").exists() || files(&tmp.path().join("other")).is_empty());
}
