//! The public edition's leak check: after rendering, every confidential string of the bundle
//! (the names of customers that are not public, the contact's e-mail address, the names of
//! supporting documents) is searched in all renderings — the text of `packet.md` and
//! `packet.html`, and in the PDF its page text, metadata, outline, link targets, attachments
//! and every other string it holds. Any hit fails the render, so nothing is written.
//!
//! Matching ignores case and white space (a name broken across lines, or set without
//! spaces, still matches) and a hyphen at a line break (the PDF hyphenates).

use lopdf::{Document, Object};

use crate::Error;
use crate::bundle::Loaded;
use crate::output::OutputFile;

/// A string that must not appear in the public edition, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub text: String,
    pub what: String,
    /// Matched only as a whole word with its capitals (a customer's short name such as
    /// "Meridian"); everything else matches anywhere, in any case.
    pub word: bool,
}

/// Every confidential string of the bundle.
pub fn secrets(loaded: &Loaded) -> Vec<Secret> {
    let b = &loaded.bundle;
    let mut out: Vec<Secret> = Vec::new();
    let mut push = |text: &str, what: String, word: bool| {
        let text = text.trim();
        // One or two characters would match almost any packet; nothing that short names anything.
        if text.chars().filter(|c| !c.is_whitespace()).count() < 3
            || out.iter().any(|s| s.text == text)
        {
            return;
        }
        out.push(Secret {
            text: text.to_string(),
            what,
            word,
        });
    };
    for (i, r) in b.references.iter().enumerate() {
        if !r.public
            && let Some(c) = &r.customer
        {
            push(
                c,
                format!("the customer of references[{i}], which is not public (`public: false`)"),
                false,
            );
            // Text about a customer calls it by its short name ("Meridian distributes …").
            if let Some(short) = short_name(c) {
                push(
                    short,
                    format!(
                        "the short name of the customer of references[{i}], which is not public"
                    ),
                    true,
                );
            }
        }
    }
    if let Some(email) = b.partner.contact.as_ref().and_then(|c| c.email.as_deref()) {
        push(
            email,
            "the contact e-mail address (`partner.contact.email`)".into(),
            false,
        );
    }
    for (i, r) in b.references.iter().enumerate() {
        for (j, d) in r.documents.iter().enumerate() {
            let what = format!("a supporting document name (`references[{i}].documents[{j}]`)");
            push(&d.0, what.clone(), false);
            if let Some(name) = std::path::Path::new(&d.0).file_name() {
                push(&name.to_string_lossy(), what, false);
            }
        }
    }
    out
}

/// The first word of a customer name of several words, when it can stand for the name:
/// four letters or more and not an article ("Meridian" of "Meridian Health Supply").
fn short_name(name: &str) -> Option<&str> {
    let mut words = name.split_whitespace();
    let first = words.next()?;
    let first = if matches!(first, "The" | "the") {
        words.next()?
    } else {
        first
    };
    let first = first.trim_end_matches(|c: char| !c.is_alphanumeric());
    (words.next().is_some() && first.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .then_some(first)
}

/// Searches every secret in every rendered file; `Err` names each hit and where it appeared.
pub fn check(files: &[OutputFile], secrets: &[Secret]) -> Result<(), Error> {
    let mut places: Vec<(String, String)> = Vec::new();
    for f in files {
        match f.rel.to_str().unwrap_or_default() {
            "packet.md" => places.push((
                "packet.md".into(),
                unescape_markdown(&String::from_utf8_lossy(&f.bytes)),
            )),
            "packet.html" => places.push((
                "packet.html".into(),
                unescape_html(&String::from_utf8_lossy(&f.bytes)),
            )),
            "packet.pdf" => places.extend(pdf_places(&f.bytes)?),
            // The diagram: image bytes, not text.
            _ => {}
        }
    }
    let places: Vec<(String, Vec<String>, String)> = places
        .into_iter()
        .map(|(name, text)| {
            let words = dehyphenate(&text);
            (name, haystacks(&text), words)
        })
        .collect();
    let mut hits = Vec::new();
    for s in secrets {
        // Anchors and named destinations carry the slug: `meridian-health-supply`.
        let needles = [squash(&s.text), squash(&crate::slug::github_slug(&s.text))];
        let found: Vec<&str> = places
            .iter()
            .filter(|(_, hay, words)| {
                if s.word {
                    has_word(words, &s.text)
                } else {
                    hay.iter()
                        .any(|h| needles.iter().any(|n| !n.is_empty() && h.contains(n)))
                }
            })
            .map(|(name, _, _)| name.as_str())
            .collect();
        if !found.is_empty() {
            hits.push(format!(
                "  - {:?}, {}, appears in {}",
                s.text,
                s.what,
                found.join(", ")
            ));
        }
    }
    if hits.is_empty() {
        return Ok(());
    }
    Err(Error::Leak(format!(
        "the public edition would publish confidential text, so nothing was written:\n{}\n  hint: remove or reword it in bundle.yaml (non-public customers appear in the public edition only as their `anonymous_name`)",
        hits.join("\n")
    )))
}

/// Lower case without white space; with and without hyphens at line ends.
fn haystacks(text: &str) -> Vec<String> {
    vec![squash(text), squash(&dehyphenate(text))]
}

/// The text without hyphens at line ends, joined to the next line's word.
fn dehyphenate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, '-' | '\u{ad}' | '\u{2010}')
            && chars.peek().is_some_and(|n| *n == '\n' || *n == '\r')
        {
            while chars.peek().is_some_and(|n| n.is_whitespace()) {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `word` in `text` with letters or digits on neither side.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{ad}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `\*` → `*`: the packet escapes Markdown punctuation in user text.
fn unescape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            continue;
        }
        out.push(c);
    }
    out
}

fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The PDF read back: (where, text) for its pages, metadata, outline, link targets,
/// attachments and any other string it holds.
fn pdf_places(bytes: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let fail =
        |e: lopdf::Error| Error::Render(format!("leak check: cannot read the PDF back: {e}"));
    let doc = Document::load_mem(bytes).map_err(fail)?;
    let mut places = Vec::new();

    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut text = String::new();
    for p in &pages {
        text.push_str(&doc.extract_text(&[*p]).map_err(fail)?);
        text.push('\n');
    }
    places.push(("packet.pdf (text)".to_string(), text));

    let info = doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let mut by_kind: std::collections::BTreeMap<&'static str, String> = Default::default();
    for (id, obj) in &doc.objects {
        let (dict, stream) = match obj {
            Object::Dictionary(d) => (d, None),
            Object::Stream(s) => (&s.dict, Some(s)),
            _ => continue,
        };
        let kind = if Some(*id) == info {
            "metadata"
        } else if let Some(s) = stream {
            match name_of(dict.get(b"Type").ok()) {
                Some(b"EmbeddedFile") => {
                    let content = s
                        .decompressed_content()
                        .unwrap_or_else(|_| s.content.clone());
                    push(
                        &mut by_kind,
                        "attachments",
                        &String::from_utf8_lossy(&content),
                    );
                    "attachments"
                }
                Some(b"Metadata") => {
                    let content = s
                        .decompressed_content()
                        .unwrap_or_else(|_| s.content.clone());
                    push(&mut by_kind, "metadata", &String::from_utf8_lossy(&content));
                    "metadata"
                }
                // Page contents and fonts: glyph codes, read as page text above.
                _ => continue,
            }
        } else {
            kind_of(dict).unwrap_or("other strings")
        };
        walk(&Object::Dictionary(dict.clone()), kind, &mut by_kind);
    }
    for (kind, text) in by_kind {
        places.push((format!("packet.pdf ({kind})"), text));
    }
    Ok(places)
}

fn push(
    by_kind: &mut std::collections::BTreeMap<&'static str, String>,
    kind: &'static str,
    text: &str,
) {
    let slot = by_kind.entry(kind).or_default();
    slot.push_str(text);
    slot.push('\n');
}

fn name_of(o: Option<&Object>) -> Option<&[u8]> {
    match o {
        Some(Object::Name(n)) => Some(n.as_slice()),
        _ => None,
    }
}

/// What a dictionary is, where that says where its strings would show.
fn kind_of(dict: &lopdf::Dictionary) -> Option<&'static str> {
    let name = |k: &[u8]| name_of(dict.get(k).ok());
    if dict.has(b"Title") && (dict.has(b"Parent") || dict.has(b"First")) {
        Some("outline")
    } else if matches!(name(b"Type"), Some(b"Annot"))
        || matches!(name(b"Subtype"), Some(b"Link"))
        || ["A", "URI", "D", "Dest", "Dests"]
            .iter()
            .any(|k| dict.has(k.as_bytes()))
    {
        Some("link targets")
    } else if matches!(name(b"Type"), Some(b"Filespec")) || dict.has(b"EmbeddedFiles") {
        Some("attachments")
    } else {
        None
    }
}

/// Every string and name inside `o`, decoded (UTF-16BE with a BOM, otherwise bytewise),
/// filed under `kind`, or under the kind of the nested dictionary that holds it (a page
/// holds its link annotations directly).
fn walk(
    o: &Object,
    kind: &'static str,
    by_kind: &mut std::collections::BTreeMap<&'static str, String>,
) {
    match o {
        Object::String(bytes, _) => push(by_kind, kind, &decode(bytes)),
        Object::Name(n) => push(by_kind, kind, &String::from_utf8_lossy(n)),
        Object::Array(a) => a.iter().for_each(|x| walk(x, kind, by_kind)),
        Object::Dictionary(d) => {
            let kind = kind_of(d).unwrap_or(kind);
            for (k, v) in d.iter() {
                push(by_kind, kind, &String::from_utf8_lossy(k));
                walk(v, kind, by_kind);
            }
        }
        _ => {}
    }
}

fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        // PDFDocEncoding agrees with Latin-1 for letters.
        Err(_) => bytes.iter().map(|b| *b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str, text: &str) -> OutputFile {
        OutputFile {
            rel: rel.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn secret(t: &str) -> Secret {
        Secret {
            text: t.into(),
            what: "test".into(),
            word: false,
        }
    }

    #[test]
    fn short_names_match_as_words() {
        assert_eq!(short_name("Meridian Health Supply"), Some("Meridian"));
        assert_eq!(short_name("The Home Depot"), Some("Home"));
        assert_eq!(short_name("Globex"), None);
        assert_eq!(short_name("ABC Corp"), None);
        let word = Secret {
            word: true,
            ..secret("Summit")
        };
        let hit = |t: &str| check(&[file("packet.md", t)], std::slice::from_ref(&word)).is_err();
        assert!(hit("Summit needs 100% inspection"));
        assert!(hit("as Sum-\nmit's plant"));
        assert!(!hit("the summit of the year"));
        assert!(!hit("Summitry"));
    }

    #[test]
    fn a_name_across_a_line_break_or_escaped_is_found() {
        let files = [
            file(
                "packet.md",
                "We thank Meridian\nHealth Sup-\nply and A\\*B Corp.",
            ),
            file("packet.html", "<p>Smith &amp; Co</p>"),
        ];
        let err = check(
            &files,
            &[
                secret("Meridian Health Supply"),
                secret("A*B Corp"),
                secret("Smith & Co"),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("\"Meridian Health Supply\""), "{err}");
        assert!(err.contains("\"A*B Corp\""), "{err}");
        assert!(
            err.contains("\"Smith & Co\", test, appears in packet.html"),
            "{err}"
        );
    }

    #[test]
    fn clean_files_pass() {
        let files = [file("packet.md", "Customer C (a healthcare provider)")];
        assert!(check(&files, &[secret("Meridian Health Supply")]).is_ok());
    }
}
