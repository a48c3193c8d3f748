//! PDF bytes → what `dossier verify` needs to know of a packet: the render settings its
//! metadata records, the files it carries (each checked against its own `/CheckSum`), and,
//! given a second rendering, where the two differ — page by page, then attachments and
//! metadata — so that a difference is named, not just found.

use lopdf::{Document, Object};

use super::attach::{Embedded, extract};
use super::metadata::{Recorded, recorded};

/// A PDF read back.
#[derive(Debug)]
pub struct Packet {
    /// How dossier made it; `None` for a PDF that records no dossier settings.
    pub recorded: Option<Recorded>,
    /// The embedded files, in name-tree order.
    pub attachments: Vec<Embedded>,
}

/// Reads `bytes` as a PDF; the error says why it is not one.
pub fn read(bytes: &[u8]) -> Result<Packet, String> {
    let doc = load(bytes)?;
    Ok(Packet {
        recorded: recorded(&doc),
        attachments: extract(&doc),
    })
}

fn load(bytes: &[u8]) -> Result<Document, String> {
    if !bytes.starts_with(b"%PDF-") {
        return Err("it does not start with a PDF header".into());
    }
    Document::load_mem(bytes).map_err(|e| e.to_string())
}

/// Where `kept` (the PDF as found) differs from `fresh` (rendered again from its own
/// bundle), one line each; empty when the bytes are equal.
pub fn differences(kept: &[u8], fresh: &[u8]) -> Vec<String> {
    if kept == fresh {
        return Vec::new();
    }
    let (kept_doc, fresh_doc) = match (load(kept), load(fresh)) {
        (Ok(k), Ok(f)) => (k, f),
        (Err(e), _) | (_, Err(e)) => {
            return vec![format!(
                "the PDF differs and cannot be compared part by part: {e}"
            )];
        }
    };
    let mut out = Vec::new();
    let (kept_pages, fresh_pages) = (page_contents(&kept_doc), page_contents(&fresh_doc));
    if kept_pages.len() != fresh_pages.len() {
        out.push(format!(
            "the PDF has {} pages; the embedded bundle renders to {}",
            kept_pages.len(),
            fresh_pages.len()
        ));
    }
    let differing: Vec<usize> = kept_pages
        .iter()
        .zip(&fresh_pages)
        .enumerate()
        .filter(|(_, (k, f))| k != f)
        .map(|(n, _)| n + 1)
        .collect();
    for (first, last) in runs(&differing) {
        out.push(if first == last {
            format!("page {first}: differs from what the embedded bundle renders to")
        } else {
            format!("pages {first}–{last}: differ from what the embedded bundle renders to")
        });
    }
    let (kept_files, fresh_files) = (extract(&kept_doc), extract(&fresh_doc));
    let names = |files: &[Embedded]| files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    if names(&kept_files) != names(&fresh_files) {
        out.push(format!(
            "the PDF carries the files [{}]; rendering again attaches [{}]",
            names(&kept_files).join(", "),
            names(&fresh_files).join(", ")
        ));
    } else {
        for (k, f) in kept_files.iter().zip(&fresh_files) {
            if k.bytes != f.bytes {
                out.push(format!(
                    "{}: differs from the file rendering again attaches",
                    k.name
                ));
            }
        }
    }
    if metadata(&kept_doc) != metadata(&fresh_doc) {
        out.push("the document metadata (XMP or Info) differs".into());
    }
    if out.is_empty() {
        out.push(
            "the file's bytes differ, though its pages, attachments and metadata match \
             (saved again by another PDF program?)"
                .into(),
        );
    }
    out
}

/// Ascending numbers as runs of consecutive ones: 1 2 3 5 → (1, 3), (5, 5).
fn runs(numbers: &[usize]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for &n in numbers {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == n => *last = n,
            _ => out.push((n, n)),
        }
    }
    out
}

/// Every page's content, decoded and joined when a page has several streams.
fn page_contents(doc: &Document) -> Vec<Vec<u8>> {
    doc.get_pages()
        .into_values()
        .map(|id| doc.get_page_content(id))
        .collect()
}

/// The XMP text and the Info dictionary's entries, for comparison.
fn metadata(doc: &Document) -> (Vec<u8>, Vec<(Vec<u8>, Object)>) {
    let xmp = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok()?.as_reference().ok())
        .and_then(|id| doc.get_object(id).ok()?.as_stream().ok())
        .map(|s| s.get_plain_content().unwrap_or_else(|_| s.content.clone()))
        .unwrap_or_default();
    let info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| o.as_reference().ok())
        .and_then(|id| doc.get_dictionary(id).ok())
        .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    (xmp, info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differing_pages_are_named_in_runs() {
        assert_eq!(runs(&[1, 2, 3, 5, 7, 8]), [(1, 3), (5, 5), (7, 8)]);
        assert!(runs(&[]).is_empty());
    }

    #[test]
    fn equal_bytes_have_no_differences_and_other_bytes_are_never_silent() {
        assert!(differences(b"%PDF-1.7 same", b"%PDF-1.7 same").is_empty());
        let found = differences(b"%PDF-1.7 one", b"%PDF-1.7 two");
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
