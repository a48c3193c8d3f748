//! `dossier verify packet.pdf`: the PDF re-rendered from the bundle it carries, with the
//! settings it records. Exit 0 identical, 1 when anything differs (saying what), 2 when the
//! file is not a dossier packet or carries no bundle. The tampering is done with lopdf, as
//! another PDF program would: objects rewritten and the file saved anew.

mod common;

use std::path::{Path, PathBuf};

use common::{MINIMAL, dossier, path_str, repo, temp_bundle};
use lopdf::{Document, Object, ObjectId, Stream};

/// Renders the PDF of `bundle` with `args` into a fresh folder; returns the folder (kept
/// alive by the caller) and the PDF's path.
fn render(bundle: &Path, args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let out = tempfile::tempdir().expect("temp dir");
    let mut all = vec!["render", path_str(bundle), "--out", path_str(out.path())];
    all.extend_from_slice(&["--format", "pdf"]);
    all.extend_from_slice(args);
    let run = dossier(&all);
    assert_eq!(run.code, 0, "render failed: {}", run.stderr);
    let pdf = out.path().join("packet.pdf");
    (out, pdf)
}

/// The embedded file stream named `name` in the catalog's EmbeddedFiles name tree, and its
/// file specification.
fn embedded(doc: &Document, name: &str) -> (ObjectId, ObjectId) {
    let names = doc
        .catalog()
        .and_then(|c| c.get(b"Names"))
        .and_then(|n| match n {
            Object::Reference(id) => doc.get_dictionary(*id),
            Object::Dictionary(d) => Ok(d),
            _ => panic!("Names is neither a dictionary nor a reference"),
        })
        .and_then(|n| n.get(b"EmbeddedFiles"))
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .and_then(|d| d.get(b"Names"))
        .and_then(Object::as_array)
        .expect("an EmbeddedFiles name tree")
        .clone();
    for kv in names.chunks(2) {
        if kv[0].as_str().expect("a name") == name.as_bytes() {
            let spec = kv[1].as_reference().expect("a file specification");
            let file = doc
                .get_dictionary(spec)
                .and_then(|s| s.get(b"EF"))
                .and_then(Object::as_dict)
                .and_then(|ef| ef.get(b"F"))
                .and_then(Object::as_reference)
                .expect("/EF /F");
            return (file, spec);
        }
    }
    panic!("no attachment named {name}");
}

fn save(doc: &mut Document, path: &Path) {
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("saves");
    std::fs::write(path, bytes).expect("writes");
}

fn verify(pdf: &Path) -> common::Run {
    dossier(&["verify", path_str(pdf)])
}

#[test]
fn an_untouched_packet_verifies_in_every_setting_it_records() {
    for args in [
        &[][..],
        &["--edition", "reviewer", "--paper", "letter", "--ragged"][..],
    ] {
        let (_out, pdf) = render(&repo("samples/acme-forecast"), args);
        let run = verify(&pdf);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("ok:"), "{}", run.stdout);
    }
}

/// Renders the acme sample's PDF, lets `tamper` change it as another PDF program would
/// (objects rewritten, the file saved anew) and verifies it: exit 1. Returns what verify said.
fn verify_tampered(tamper: impl FnOnce(&mut Document)) -> String {
    let (_out, pdf) = render(&repo("samples/acme-forecast"), &[]);
    let mut doc = Document::load(&pdf).expect("loads");
    tamper(&mut doc);
    save(&mut doc, &pdf);
    let run = verify(&pdf);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    run.stdout
}

/// Replaces the data of stream `id` with `edit` of its decoded data, stored unfiltered;
/// returns the stream, whose dictionary is otherwise left as it was.
fn rewrite(doc: &mut Document, id: ObjectId, edit: impl FnOnce(Vec<u8>) -> Vec<u8>) -> &mut Stream {
    let stream = doc
        .get_object_mut(id)
        .and_then(Object::as_stream_mut)
        .expect("a stream");
    let content = stream.decompressed_content().expect("inflates");
    stream.set_plain_content(edit(content));
    stream.dict.remove(b"Filter");
    stream
}

/// Misspells the partner's name in the embedded bundle.yaml ("Acme" becomes "Acne");
/// returns the file's stream.
fn misspell_bundle_yaml(doc: &mut Document) -> &mut Stream {
    let (file, _) = embedded(doc, "bundle/bundle.yaml");
    rewrite(doc, file, |bytes| {
        let yaml = String::from_utf8(bytes).expect("utf-8");
        assert!(yaml.contains("Acme"), "the sample names its partner");
        yaml.replacen("Acme", "Acne", 1).into_bytes()
    })
}

#[test]
fn an_edited_bundle_yaml_inside_the_pdf_is_found() {
    // The file's checksum and size are left as they were: an edit in place.
    let said = verify_tampered(|doc| {
        misspell_bundle_yaml(doc);
    });
    assert!(
        said.contains("bundle/bundle.yaml") && said.contains("/CheckSum"),
        "names the file and the checksum: {said}"
    );
}

#[test]
fn an_edited_bundle_with_a_forged_checksum_still_renders_to_other_pages() {
    let said = verify_tampered(|doc| {
        let stream = misspell_bundle_yaml(doc);
        let edited = stream.content.clone();
        // A careful forger updates the checksum and size too.
        let mut params = stream
            .dict
            .get(b"Params")
            .and_then(Object::as_dict)
            .expect("/Params")
            .clone();
        params.set(
            "CheckSum",
            Object::String(md5_of(&edited).to_vec(), lopdf::StringFormat::Hexadecimal),
        );
        params.set("Size", Object::Integer(edited.len() as i64));
        stream.dict.set("Params", params);
    });
    assert!(
        said.contains("page"),
        "says the pages differ from what the embedded bundle renders to: {said}"
    );
    assert!(!said.contains("/CheckSum"), "{said}");
}

/// MD5 as the PDF's `/CheckSum` holds it, computed here independently of the writer.
fn md5_of(bytes: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(bytes).into()
}

#[test]
fn a_changed_page_with_its_attachments_left_alone_is_found() {
    let said = verify_tampered(|doc| {
        let page_id = doc.get_pages()[&2];
        let contents = doc
            .get_dictionary(page_id)
            .and_then(|p| p.get(b"Contents"))
            .and_then(Object::as_reference)
            .expect("page 2 has one content stream");
        rewrite(doc, contents, |mut content| {
            // A white box over part of the page: what someone hiding a line would draw.
            content.extend_from_slice(b"\nq 1 1 1 rg 72 400 300 40 re f Q\n");
            content
        });
    });
    assert!(said.contains("page 2"), "names the page: {said}");
    assert!(!said.contains("/CheckSum"), "{said}");
}

#[test]
fn a_packet_made_by_another_dossier_version_is_reported() {
    let said = verify_tampered(|doc| {
        let xmp = doc
            .catalog()
            .and_then(|c| c.get(b"Metadata"))
            .and_then(Object::as_reference)
            .expect("/Metadata");
        let stream = doc
            .get_object_mut(xmp)
            .and_then(Object::as_stream_mut)
            .expect("a stream");
        let text = String::from_utf8(stream.content.clone()).expect("utf-8");
        let version = format!("<dossier:version>{}<", env!("CARGO_PKG_VERSION"));
        assert!(text.contains(&version), "the XMP records the version");
        stream.set_content(
            text.replace(&version, "<dossier:version>0.0.1<")
                .into_bytes(),
        );
    });
    assert!(said.contains("dossier 0.0.1"), "{said}");
}

#[test]
fn a_public_edition_carries_no_bundle_to_verify() {
    let bundle = temp_bundle(MINIMAL);
    let (_out, pdf) = render(bundle.path(), &["--edition", "public"]);
    let run = verify(&pdf);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("carries no bundle") && run.stderr.contains("public"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_pdf_dossier_did_not_write_and_a_file_that_is_no_pdf_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let foreign = dir.path().join("foreign.pdf");
    let mut doc = Document::with_version("1.7");
    let pages = doc.new_object_id();
    let page = doc.add_object(lopdf::Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Page".to_vec())),
        ("Parent", Object::Reference(pages)),
    ]));
    doc.objects.insert(
        pages,
        Object::Dictionary(lopdf::Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(vec![Object::Reference(page)])),
            ("Count", Object::Integer(1)),
        ])),
    );
    let catalog = doc.add_object(lopdf::Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(pages)),
    ]));
    doc.trailer.set("Root", Object::Reference(catalog));
    save(&mut doc, &foreign);
    let run = verify(&foreign);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("not a dossier packet"),
        "{}",
        run.stderr
    );

    let text = dir.path().join("notes.pdf");
    std::fs::write(&text, "just some notes\n").expect("writes");
    let run = verify(&text);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not a PDF"), "{}", run.stderr);
}
