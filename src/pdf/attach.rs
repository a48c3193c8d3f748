//! Finished PDF bytes + files → the same PDF carrying the files as PDF/A-3 associated files
//! (ISO 19005-3, 6.8): an `EmbeddedFiles` name tree and the catalog's `/AF` array, each
//! file with its MIME type, size, MD5 `/CheckSum`, date, relationship and description — so
//! the PDF alone is a complete record, and [`extract`] can tell whether it still is.
//!
//! Deterministic: attachments are ordered by name, their dates come from the caller (the
//! bundle's `as_of`), and lopdf writes objects in id order.

use md5::{Digest, Md5};

use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use super::PdfError;
use super::util::{decode_text, deflate, pdf_date, text_string};

/// Embeds `files` (name, bytes) in `pdf`. Names are unique, non-empty and become the
/// attachments' file names; `date` is `YYYY-MM-DD` and becomes their modification date.
/// [`super::render`] embeds its attachments before the one save; this re-reads a PDF.
pub fn attach(pdf: Vec<u8>, files: &[(String, Vec<u8>)], date: &str) -> Result<Vec<u8>, PdfError> {
    if files.is_empty() {
        return Ok(pdf);
    }
    let mut doc = Document::load_mem(&pdf)
        .map_err(|e| PdfError::Write(format!("reading the PDF to attach files: {e}")))?;
    add(&mut doc, streams(files, date)?)?;
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

/// The embedded-file streams of `files`, ordered by name, after checking the names and
/// the date. Text is deflated here; files that are compressed already (PNG, JPEG, PDF …)
/// are stored as they are. Needs no document, so it can run beside other work.
pub(crate) fn streams(
    files: &[(String, Vec<u8>)],
    date: &str,
) -> Result<Vec<(String, Stream)>, PdfError> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for pair in sorted.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(PdfError::Option(format!(
                "two attachments are named {:?}",
                pair[0].0
            )));
        }
    }
    if sorted.iter().any(|(n, _)| n.is_empty()) {
        return Err(PdfError::Option("an attachment has no name".into()));
    }
    super::check_date(date)?;
    let mod_date = pdf_date(date);

    let mut out = Vec::with_capacity(sorted.len());
    for (name, bytes) in sorted {
        let params = Dictionary::from_iter(vec![
            ("Size", Object::Integer(bytes.len() as i64)),
            (
                "ModDate",
                Object::String(mod_date.clone().into_bytes(), StringFormat::Literal),
            ),
            // ISO 32000-1, 7.11.4.2: the MD5 digest of the file's bytes, not of the
            // (possibly deflated) stream.
            (
                "CheckSum",
                Object::String(Md5::digest(bytes).to_vec(), StringFormat::Hexadecimal),
            ),
        ]);
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"EmbeddedFile".to_vec()));
        dict.set("Subtype", Object::Name(mime(name).as_bytes().to_vec()));
        dict.set("Params", params);
        // Text compresses well; PNG, JPEG and PDF files are compressed already, and
        // deflating them again only costs time.
        let text = matches!(mime(name), "application/yaml" | "application/json")
            || mime(name).starts_with("text/");
        let deflated = if text {
            Some(deflate(bytes).map_err(|e| PdfError::Write(e.to_string()))?)
                .filter(|z| z.len() < bytes.len())
        } else {
            None
        };
        let stream = match deflated {
            Some(z) => {
                dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
                Stream::new(dict, z)
            }
            None => Stream::new(dict, bytes.clone()),
        }
        .with_compression(false);
        out.push((name.clone(), stream));
    }
    Ok(out)
}

/// Adds embedded-file streams (from [`streams`]) to `doc`: each with its file
/// specification, all in the catalog's `EmbeddedFiles` name tree and its `/AF` array.
pub(crate) fn add(doc: &mut Document, streams: Vec<(String, Stream)>) -> Result<(), PdfError> {
    if streams.is_empty() {
        return Ok(());
    }
    let mut tree = Vec::with_capacity(streams.len() * 2);
    let mut associated = Vec::with_capacity(streams.len());
    for (name, stream) in streams {
        let file_id = doc.add_object(stream);

        let mut spec = Dictionary::new();
        spec.set("Type", Object::Name(b"Filespec".to_vec()));
        spec.set(
            "F",
            Object::String(ascii_name(&name), StringFormat::Literal),
        );
        spec.set("UF", text_string(&name));
        spec.set(
            "EF",
            Dictionary::from_iter(vec![
                ("F", Object::Reference(file_id)),
                ("UF", Object::Reference(file_id)),
            ]),
        );
        let (relationship, description) = role(&name);
        spec.set(
            "AFRelationship",
            Object::Name(relationship.as_bytes().to_vec()),
        );
        spec.set("Desc", text_string(&description));
        let spec_id = doc.add_object(spec);
        associated.push(Object::Reference(spec_id));
        tree.push(Object::String(
            name.as_bytes().to_vec(),
            StringFormat::Literal,
        ));
        tree.push(Object::Reference(spec_id));
    }
    let embedded = doc.add_object(Dictionary::from_iter(vec![("Names", Object::Array(tree))]));

    doc.catalog_mut()
        .map_err(|e| PdfError::Write(format!("no catalog: {e}")))?
        .set("AF", Object::Array(associated));
    let catalog = doc
        .catalog()
        .map_err(|e| PdfError::Write(format!("no catalog: {e}")))?;
    // The catalog may already have a name dictionary (named destinations), direct or not.
    match catalog.get(b"Names").ok().cloned() {
        Some(Object::Reference(names_id)) => {
            doc.get_object_mut(names_id)
                .and_then(Object::as_dict_mut)
                .map_err(|e| PdfError::Write(format!("bad name dictionary: {e}")))?
                .set("EmbeddedFiles", Object::Reference(embedded));
        }
        existing => {
            let mut names = match existing {
                Some(Object::Dictionary(d)) => d,
                _ => Dictionary::new(),
            };
            names.set("EmbeddedFiles", Object::Reference(embedded));
            doc.catalog_mut()
                .map_err(|e| PdfError::Write(format!("no catalog: {e}")))?
                .set("Names", names);
        }
    }
    Ok(())
}

/// The attachment's `/AFRelationship` and `/Desc`, from where the record puts it
/// (`crate::record`): the bundle's files are what the packet was made from, the
/// assessment is data derived from them.
fn role(name: &str) -> (&'static str, String) {
    if name == crate::record::ASSESSMENT {
        (
            "Data",
            "The assessment of every checklist item, as dossier check --json prints it".into(),
        )
    } else if let Some(file) = name
        .strip_prefix(crate::record::BUNDLE_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        (
            "Source",
            format!("{file}: a file of the evidence bundle this packet was rendered from"),
        )
    } else {
        ("Unspecified", format!("{name}: an attached file"))
    }
}

/// One file a PDF carries, as [`extract`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    /// The name in the `EmbeddedFiles` name tree.
    pub name: String,
    pub bytes: Vec<u8>,
    /// Problems with the file's own record: a `/CheckSum` or `/Size` that its bytes no
    /// longer match, or a stream that does not decode.
    pub problems: Vec<String>,
}

/// The most one embedded file may inflate to when read back: a PDF from anywhere may hold
/// a few bytes that deflate to gigabytes.
const MAX_EXTRACTED: usize = 1 << 30;

/// Every file in `doc`'s `EmbeddedFiles` name tree, in tree order, with each one checked
/// against the `/CheckSum` and `/Size` recorded beside it.
pub fn extract(doc: &Document) -> Vec<Embedded> {
    let resolve = |o: &Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let Some(names) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Names").ok())
        .and_then(resolve)
        .and_then(|n| {
            n.as_dict()
                .ok()?
                .get(b"EmbeddedFiles")
                .ok()
                .and_then(resolve)
        })
    else {
        return Vec::new();
    };
    let mut pairs = Vec::new();
    collect_names(doc, &names, &mut pairs, 0);
    let mut out = Vec::new();
    for (name, spec) in pairs {
        let name = decode_text(&name);
        let stream = resolve(&spec)
            .and_then(|s| s.as_dict().ok()?.get(b"EF").ok().and_then(resolve))
            .and_then(|ef| {
                let ef = ef.as_dict().ok()?;
                ef.get(b"UF")
                    .or_else(|_| ef.get(b"F"))
                    .ok()
                    .and_then(resolve)
            });
        let Some(Object::Stream(stream)) = stream else {
            out.push(Embedded {
                name,
                bytes: Vec::new(),
                problems: vec!["has no embedded file stream".into()],
            });
            continue;
        };
        let mut problems = Vec::new();
        let bytes = if stream.dict.get(b"Filter").is_ok() {
            stream
                .decompressed_content_with_limit(MAX_EXTRACTED)
                .unwrap_or_else(|e| {
                    problems.push(format!("its stream does not decode ({e})"));
                    Vec::new()
                })
        } else {
            stream.content.clone()
        };
        let params = stream.dict.get(b"Params").ok().and_then(resolve);
        let params = params.as_ref().and_then(|p| p.as_dict().ok());
        match params.and_then(|p| p.get(b"CheckSum").ok()?.as_str().ok()) {
            Some(sum) if sum == Md5::digest(&bytes).as_slice() => {}
            Some(_) => {
                problems.push("its bytes no longer match the /CheckSum recorded beside them".into())
            }
            None => problems.push("has no /CheckSum to check its bytes against".into()),
        }
        if let Some(size) = params.and_then(|p| p.get(b"Size").ok()?.as_i64().ok())
            && size != bytes.len() as i64
        {
            problems.push(format!(
                "{} bytes, where its /Size records {size}",
                bytes.len()
            ));
        }
        out.push(Embedded {
            name,
            bytes,
            problems,
        });
    }
    out
}

/// The (key, value) pairs of a name tree, leaves and kids alike; deep trees are cut off
/// rather than followed into a loop.
fn collect_names(doc: &Document, node: &Object, out: &mut Vec<(Vec<u8>, Object)>, depth: usize) {
    let Some(dict) = (match node {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }) else {
        return;
    };
    if depth > 32 {
        return;
    }
    if let Ok(names) = dict.get(b"Names").and_then(Object::as_array) {
        for kv in names.chunks(2) {
            if let [Object::String(key, _), value] = kv {
                out.push((key.clone(), value.clone()));
            }
        }
    }
    if let Ok(kids) = dict.get(b"Kids").and_then(Object::as_array) {
        for kid in kids {
            collect_names(doc, kid, out, depth + 1);
        }
    }
}

/// The MIME type for the attachment's `/Subtype`, from its extension.
fn mime(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("yaml" | "yml") => "application/yaml",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("md") => "text/markdown",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}

/// The `/F` file name: printable ASCII as is, anything else as `_` (`/UF` has the real name).
fn ascii_name(name: &str) -> Vec<u8> {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c as u8
            } else {
                b'_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_pdf() -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let page_id = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(pages_id)),
            (
                "MediaBox",
                Object::Array(vec![0.into(), 0.into(), 100.into(), 100.into()]),
            ),
        ]));
        doc.objects.insert(
            pages_id,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(vec![Object::Reference(page_id)])),
                ("Count", Object::Integer(1)),
            ])),
        );
        let catalog = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages_id)),
        ]));
        doc.trailer.set("Root", Object::Reference(catalog));
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("saves");
        out
    }

    fn attached(pdf: &[u8]) -> Vec<(String, Vec<u8>)> {
        let doc = Document::load_mem(pdf).expect("loads");
        let names = doc
            .catalog()
            .and_then(|c| c.get(b"Names"))
            .and_then(Object::as_dict)
            .and_then(|n| n.get(b"EmbeddedFiles"))
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .and_then(|d| d.get(b"Names"))
            .and_then(Object::as_array)
            .expect("name tree")
            .clone();
        names
            .chunks(2)
            .map(|kv| {
                let name = String::from_utf8(kv[0].as_str().expect("key").to_vec()).expect("utf-8");
                let spec = doc
                    .get_dictionary(kv[1].as_reference().expect("ref"))
                    .expect("spec");
                let file = spec
                    .get(b"EF")
                    .and_then(Object::as_dict)
                    .and_then(|ef| ef.get(b"F"))
                    .and_then(Object::as_reference)
                    .expect("EF");
                let stream = doc
                    .get_object(file)
                    .and_then(Object::as_stream)
                    .expect("stream");
                (name, stream.get_plain_content().expect("content"))
            })
            .collect()
    }

    #[test]
    fn attachments_come_back_sorted_and_intact_and_output_is_stable() {
        let files = vec![
            ("bundle/bundle.yaml".to_string(), b"format: 1\n".to_vec()),
            ("assessment.json".to_string(), vec![b'{'; 5000]),
        ];
        let once = attach(tiny_pdf(), &files, "2026-11-20").expect("attaches");
        let twice = attach(tiny_pdf(), &files, "2026-11-20").expect("attaches");
        assert_eq!(once, twice);
        let got = attached(&once);
        assert_eq!(got[0], files[1]);
        assert_eq!(got[1], files[0]);
    }

    #[test]
    fn duplicate_names_and_bad_dates_are_refused() {
        let dup = vec![("a".to_string(), vec![]), ("a".to_string(), vec![1])];
        assert!(attach(tiny_pdf(), &dup, "2026-11-20").is_err());
        let one = vec![("a".to_string(), vec![])];
        assert!(attach(tiny_pdf(), &one, "20.11.2026").is_err());
        assert_eq!(attach(vec![1, 2], &[], "x").expect("no-op"), vec![1, 2]);
    }

    #[test]
    fn the_record_is_associated_files_with_roles_and_checksums() {
        let files = vec![
            ("bundle/bundle.yaml".to_string(), b"format: 1\n".to_vec()),
            ("assessment.json".to_string(), b"{}\n".to_vec()),
        ];
        let pdf = attach(tiny_pdf(), &files, "2026-11-20").expect("attaches");
        let doc = Document::load_mem(&pdf).expect("loads");
        let af = doc
            .catalog()
            .and_then(|c| c.get(b"AF"))
            .and_then(Object::as_array)
            .expect("/AF")
            .clone();
        assert_eq!(af.len(), 2);
        let roles: Vec<Vec<u8>> = af
            .iter()
            .map(|r| {
                let spec = doc
                    .get_dictionary(r.as_reference().expect("ref"))
                    .expect("spec");
                assert!(spec.get(b"Desc").is_ok() && spec.get(b"UF").is_ok());
                spec.get(b"AFRelationship")
                    .and_then(Object::as_name)
                    .expect("a name")
                    .to_vec()
            })
            .collect();
        // Sorted by name: assessment.json, then the bundle file.
        assert_eq!(roles, vec![b"Data".to_vec(), b"Source".to_vec()]);
        let found = extract(&doc);
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.problems.is_empty()), "{found:?}");
        assert_eq!(found[1].bytes, b"format: 1\n");
    }

    #[test]
    fn a_file_changed_after_embedding_no_longer_matches_its_checksum() {
        let files = vec![("bundle/bundle.yaml".to_string(), b"format: 1\n".to_vec())];
        let pdf = attach(tiny_pdf(), &files, "2026-11-20").expect("attaches");
        let mut doc = Document::load_mem(&pdf).expect("loads");
        let id = doc
            .objects
            .iter()
            .find(|(_, o)| {
                o.as_stream().is_ok_and(|s| {
                    s.dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"EmbeddedFile")
                })
            })
            .map(|(id, _)| *id)
            .expect("the embedded file");
        doc.get_object_mut(id)
            .and_then(Object::as_stream_mut)
            .expect("stream")
            .set_plain_content(b"format: 2\n".to_vec());
        let found = extract(&doc);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].problems.iter().any(|p| p.contains("/CheckSum")),
            "{:?}",
            found[0].problems
        );
    }
}
