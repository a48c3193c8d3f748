//! The public edition's leak check: after rendering, every confidential string of the bundle
//! (the names of customers that are not public, the contact's e-mail address, the names of
//! supporting documents) is searched in all renderings — the text of `packet.md` and
//! `packet.html`, and in the PDF its page text, metadata, outline, link targets, attachments
//! and every other string it holds. Any hit fails the render, so nothing is written.
//!
//! Matching ignores case and white space (a name broken across lines, or set without
//! spaces, still matches) and a hyphen at a line break (the PDF hyphenates). The refusal
//! shows, for each hit, every place in `bundle.yaml` that holds the text, as a source
//! snippet with its key path, line and column: that is where it has to be reworded.

use std::ops::Range;

use annotate_snippets::Level;
use lopdf::{Document, Object};

use crate::Error;
use crate::bundle::diag::{Pos, render_places};
use crate::bundle::{KeyPath, Loaded, collect_strings};
use crate::output::OutputFile;
use crate::pdf::decode_text;

/// A string that must not appear in the public edition, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub text: String,
    pub what: String,
    /// Matched only as a whole word with its capitals (a customer's short name such as
    /// "Meridian"); everything else matches anywhere, in any case.
    pub word: bool,
    /// The key that holds it by right (`references[2].customer`), which the public edition
    /// withholds; its other places in the bundle are what leaks.
    pub origin: KeyPath,
}

/// A secret found in the rendered files, and which of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub secret: Secret,
    /// `packet.md`, `packet.pdf (outline)`, …
    pub found_in: Vec<String>,
}

/// Every confidential string of the bundle.
pub fn secrets(loaded: &Loaded) -> Vec<Secret> {
    let b = &loaded.bundle;
    let mut out: Vec<Secret> = Vec::new();
    let mut push = |text: &str, what: String, word: bool, origin: KeyPath| {
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
            origin,
        });
    };
    let reference = |i: usize| KeyPath::default().key("references").index(i);
    for (i, r) in b.references.iter().enumerate() {
        if !r.public
            && let Some(c) = &r.customer
        {
            push(
                c,
                format!("the customer of references[{i}], which is not public (`public: false`)"),
                false,
                reference(i).key("customer"),
            );
            // Text about a customer calls it by its short name ("Meridian distributes …").
            if let Some(short) = short_name(c) {
                push(
                    short,
                    format!(
                        "the short name of the customer of references[{i}], which is not public"
                    ),
                    true,
                    reference(i).key("customer"),
                );
            }
        }
    }
    if let Some(email) = b.partner.contact.as_ref().and_then(|c| c.email.as_deref()) {
        push(
            email,
            "the contact e-mail address (`partner.contact.email`)".into(),
            false,
            KeyPath::default()
                .key("partner")
                .key("contact")
                .key("email"),
        );
    }
    for (i, r) in b.references.iter().enumerate() {
        for (j, d) in r.documents.iter().enumerate() {
            let what = format!("a supporting document name (`references[{i}].documents[{j}]`)");
            let origin = reference(i).key("documents").index(j);
            push(&d.0, what.clone(), false, origin.clone());
            if let Some(name) = std::path::Path::new(&d.0).file_name() {
                push(&name.to_string_lossy(), what, false, origin);
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

/// Searches every confidential string of the bundle in every rendered file; `Err` names
/// each hit, the files it appeared in, and every place in `bundle.yaml` that holds it.
pub fn check(files: &[OutputFile], loaded: &Loaded) -> Result<(), Error> {
    let hits = find(files, &secrets(loaded))?;
    if hits.is_empty() {
        return Ok(());
    }
    Err(Error::Leak(report(&hits, loaded)))
}

/// Every secret that appears in `files`, with where.
pub fn find(files: &[OutputFile], secrets: &[Secret]) -> Result<Vec<Hit>, Error> {
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
        let needles = needles(s);
        let found_in: Vec<String> = places
            .iter()
            .filter(|(_, hay, words)| {
                if s.word {
                    has_word(words, &s.text)
                } else {
                    hay.iter()
                        .any(|h| needles.iter().any(|n| !n.is_empty() && h.contains(n)))
                }
            })
            .map(|(name, _, _)| name.clone())
            .collect();
        if !found_in.is_empty() {
            hits.push(Hit {
                secret: s.clone(),
                found_in,
            });
        }
    }
    Ok(hits)
}

/// What a secret is searched as, squashed: its text, and its slug (anchors and named
/// destinations carry `meridian-health-supply`).
fn needles(s: &Secret) -> [String; 2] {
    [squash(&s.text), squash(&crate::slug::github_slug(&s.text))]
}

/// The refusal: one source snippet per hit, with a caret under every place in the bundle
/// that holds the text (its defining key only when nothing else does).
fn report(hits: &[Hit], loaded: &Loaded) -> String {
    let starts = loaded.doc.starts();
    let mut strings = Vec::new();
    collect_strings(&loaded.doc.value, KeyPath::default(), &mut strings);

    let mut out = String::from(
        "the public edition would publish confidential text, so nothing was written\n",
    );
    for (n, hit) in hits.iter().enumerate() {
        let s = &hit.secret;
        let mut at = places_in_bundle(loaded, &starts, &strings, s);
        if at.iter().any(|(key, _)| *key != s.origin) {
            at.retain(|(key, _)| *key != s.origin);
        }
        let title = format!(
            "{:?}, {}, appears in {}",
            s.text,
            s.what,
            hit.found_in.join(", ")
        );
        let places: Vec<(String, Pos)> = at.into_iter().map(|(k, p)| (k.to_string(), p)).collect();
        let help = (n + 1 == hits.len()).then_some(
            "reword it in bundle.yaml where marked (non-public customers appear in the public edition only as their `anonymous_name`)",
        );
        out.push('\n');
        out.push_str(&render_places(
            Level::ERROR,
            &title,
            &loaded.yaml_path,
            &loaded.source,
            &places,
            help,
        ));
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// Every string of the bundle that holds `s`, with the position of each occurrence in the
/// source: found between the value's start and whatever comes next, or the value's own
/// position when the source spells it differently (escapes in quoted strings).
fn places_in_bundle(
    loaded: &Loaded,
    starts: &[usize],
    strings: &[(KeyPath, String)],
    s: &Secret,
) -> Vec<(KeyPath, Pos)> {
    let source = &loaded.source;
    let needles = needles(s);
    let mut out = Vec::new();
    for (path, value) in strings {
        let holds = if s.word {
            has_word(value, &s.text)
        } else {
            let hay = squash(value);
            needles.iter().any(|n| !n.is_empty() && hay.contains(n))
        };
        let Some(place) = holds.then(|| loaded.doc.places.get(path)).flatten() else {
            continue;
        };
        let from = place.value.bytes.start.min(source.len());
        let to = starts
            .iter()
            .find(|&&at| at > from)
            .copied()
            .unwrap_or(source.len())
            .min(source.len());
        let region = source.get(from..to).unwrap_or_default();
        let found = if s.word {
            word_ranges(region, &s.text)
        } else {
            needles
                .iter()
                .find_map(|n| Some(loose_ranges(region, n)).filter(|r| !r.is_empty()))
                .unwrap_or_default()
        };
        if found.is_empty() {
            out.push((path.clone(), place.value.clone()));
        }
        for r in found {
            out.push((path.clone(), pos_of(source, from + r.start..from + r.end)));
        }
    }
    out
}

/// Byte ranges of `word` in `text` with letters or digits on neither side.
fn word_ranges(text: &str, word: &str) -> Vec<Range<usize>> {
    text.match_indices(word)
        .filter(|(at, _)| {
            let before = text[..*at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .map(|(at, _)| at..at + word.len())
        .collect()
}

/// Byte ranges in `text` that spell `needle` (lower case, no white space) in any case and
/// with any white space between its characters: a name folded across YAML lines.
fn loose_ranges(text: &str, needle: &str) -> Vec<Range<usize>> {
    let want: Vec<char> = needle.chars().collect();
    let mut out = Vec::new();
    if want.is_empty() {
        return out;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut k = 0;
        let mut j = i;
        while j < chars.len() && k < want.len() {
            let c = chars[j].1;
            if c.is_whitespace() || c == '\u{ad}' {
                if k == 0 {
                    break;
                }
                j += 1;
                continue;
            }
            let lower: Vec<char> = c.to_lowercase().collect();
            if want.get(k..k + lower.len()) != Some(lower.as_slice()) {
                break;
            }
            k += lower.len();
            j += 1;
        }
        if k == want.len() {
            let end = chars.get(j).map_or(text.len(), |(b, _)| *b);
            out.push(chars[i].0..end);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Line, column and range of `bytes` in `source`.
fn pos_of(source: &str, bytes: Range<usize>) -> Pos {
    let line_start = source[..bytes.start].rfind('\n').map_or(0, |n| n + 1);
    Pos {
        line: source[..bytes.start].matches('\n').count() as u64 + 1,
        column: source[line_start..bytes.start].chars().count() as u64 + 1,
        bytes,
    }
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
        Object::String(bytes, _) => push(by_kind, kind, &decode_text(bytes)),
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
            origin: KeyPath::default(),
        }
    }

    /// The secrets of `secrets` found in `files`, each as `text: where, where`.
    fn found(files: &[OutputFile], secrets: &[Secret]) -> Vec<String> {
        find(files, secrets)
            .expect("readable")
            .into_iter()
            .map(|h| format!("{}: {}", h.secret.text, h.found_in.join(", ")))
            .collect()
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
        let hit = |t: &str| !found(&[file("packet.md", t)], std::slice::from_ref(&word)).is_empty();
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
        let hits = found(
            &files,
            &[
                secret("Meridian Health Supply"),
                secret("A*B Corp"),
                secret("Smith & Co"),
            ],
        );
        assert_eq!(
            hits,
            [
                "Meridian Health Supply: packet.md",
                "A*B Corp: packet.md",
                "Smith & Co: packet.html"
            ]
        );
    }

    #[test]
    fn clean_files_pass() {
        let files = [file("packet.md", "Customer C (a healthcare provider)")];
        assert!(found(&files, &[secret("Meridian Health Supply")]).is_empty());
    }

    #[test]
    fn text_is_located_in_any_case_and_across_folded_lines() {
        let text = "intro: We thank MERIDIAN health\n  supply and Meridian's staff.\n";
        let ranges = loose_ranges(text, &squash("Meridian Health Supply"));
        assert_eq!(ranges.len(), 1);
        assert_eq!(&text[ranges[0].clone()], "MERIDIAN health\n  supply");
        let words = word_ranges(text, "Meridian");
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].start, text.find("Meridian's").unwrap_or_default());
        assert!(word_ranges("Meridianite", "Meridian").is_empty());
    }

    /// The smallest bundle that loads (nine lines, ending in the solution's name), with a
    /// confidential customer's short name in its solution summary and the reference's lessons.
    const LEAKY: &str = concat!(
        include_str!("../tests/fixtures/minimal/bundle.yaml"),
        "  summary: |
    Forecasts for retailers.

    Meridian now plans its stock with us.
references:
  - customer: Meridian Health Supply
    public: false
    lessons: >-
      Meridian's buyers trusted a forecast only
      with its interval.
"
    );

    fn load(yaml: &str) -> (tempfile::TempDir, Loaded) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("bundle.yaml"), yaml).expect("write");
        let loaded = crate::bundle::load(dir.path()).expect("the bundle loads");
        (dir, loaded)
    }

    #[test]
    fn the_refusal_points_at_every_place_in_the_bundle_that_holds_the_text() {
        let (_dir, loaded) = load(LEAKY);
        let files = [file("packet.md", "Meridian now plans its stock with us.")];
        let err = check(&files, &loaded).expect_err("leaks").to_string();
        assert!(
            err.contains("\"Meridian\", the short name of the customer of references[0], which is not public, appears in packet.md"),
            "{err}"
        );
        // Both places, by key path, line and column; not the customer key itself.
        assert!(err.contains("bundle.yaml:13:5"), "{err}");
        assert!(err.contains("key solution.summary"), "{err}");
        assert!(err.contains("bundle.yaml:18:7"), "{err}");
        assert!(err.contains("key references[0].lessons"), "{err}");
        assert!(!err.contains("key references[0].customer"), "{err}");
        assert!(err.contains("^^^^^^^^"), "{err}");
        assert!(err.contains("help: reword it in bundle.yaml"), "{err}");
    }

    #[test]
    fn a_secret_held_only_by_its_own_key_points_there() {
        let (_dir, loaded) = load(LEAKY);
        // A template printed the customer name itself: only its own key holds it.
        let files = [file("packet.md", "Meridian Health Supply")];
        let err = check(&files, &loaded).expect_err("leaks").to_string();
        assert!(
            err.contains("\"Meridian Health Supply\", the customer of references[0]"),
            "{err}"
        );
        assert!(err.contains("key references[0].customer"), "{err}");
        assert!(err.contains("bundle.yaml:15:15"), "{err}");
    }
}
