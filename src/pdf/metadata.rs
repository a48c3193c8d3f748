//! What the PDF says about itself → the objects that identify it as PDF/A-3a and PDF/UA-1:
//! the XMP metadata stream, an Info dictionary that agrees with it entry for entry, the sRGB
//! output intent and the document language. The XMP also records how the packet was made
//! (edition, paper, justification, dossier version), which `dossier verify` reads back to
//! render it again.
//!
//! Promises: the XMP is written uncompressed and from the same cleaned strings as the Info
//! dictionary (ISO 19005-3, 6.6.2.1 and 6.6.3); every property outside the schemas PDF/A
//! predefines — `pdfuaid:part` and the `dossier:` settings — is declared in the same packet
//! (6.6.2.3); nothing depends on the clock.

use lopdf::{Dictionary, Document, Object, Stream, StringFormat};

use super::Paper;
use super::util::{deflate, pdf_date, text_string};

/// The sRGB IEC 61966-2.1 display profile (ICC v2, from Debian's icc-profiles-free, Zlib
/// licence: src/data/LICENSE-sRGB-icc.txt). The pages paint in DeviceRGB, which PDF/A
/// allows only under an RGB output intent (6.2.3).
const SRGB_PROFILE: &[u8] = include_bytes!("../data/sRGB.icc");

/// The namespace of the render settings in the XMP.
const DOSSIER_NS: &str = "urn:dossier:packet:1.0#";

/// The program named as the PDF's producer, with its version.
pub(crate) const PRODUCER: &str = concat!("dossier ", env!("CARGO_PKG_VERSION"), " (lopdf)");

/// How a packet was made, as its PDF records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// `partner`, `reviewer` or `public`.
    pub edition: String,
    pub paper: Paper,
    pub justify: bool,
    /// The dossier version that wrote the file.
    pub version: String,
    /// Inputs the PDF does not carry (custom templates, extra fonts, a previous
    /// submission): a re-render without them may differ for that reason alone.
    pub outside_inputs: Vec<String>,
}

/// Document information, written to both the Info dictionary and the XMP.
#[derive(Debug, Clone)]
pub(crate) struct DocInfo {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// BCP 47 tag, never empty.
    pub language: String,
    pub edition: String,
    pub paper: Paper,
    pub justify: bool,
    pub outside_inputs: Vec<String>,
}

/// Adds the Info dictionary (in the trailer), the XMP stream and the output intent to
/// `doc`; returns the catalog entries that point at them, and `/Lang`.
pub(crate) fn add(doc: &mut Document, info: &DocInfo) -> Vec<(&'static str, Object)> {
    let fields = Fields::of(info);

    let date = Object::String(pdf_date(&info.date).into_bytes(), StringFormat::Literal);
    let mut dict = Dictionary::new();
    dict.set("Title", text_string(&fields.title));
    dict.set("Author", text_string(&fields.author));
    dict.set("Subject", text_string(&fields.subject));
    dict.set("Keywords", text_string(&fields.keywords));
    dict.set("Creator", text_string("dossier"));
    dict.set("Producer", text_string(PRODUCER));
    dict.set("CreationDate", date.clone());
    dict.set("ModDate", date);
    let info_id = doc.add_object(dict);
    doc.trailer.set("Info", Object::Reference(info_id));

    // Uncompressed, so that a reader (or a validator) finds it without decoding (6.6.2.1 asks
    // nothing of the filter, but veraPDF-style checkers flag a compressed XMP stream).
    let mut xmp = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp(info, &fields).into_bytes(),
    );
    xmp.allows_compression = false;
    let xmp_id = doc.add_object(xmp);

    let mut profile_dict = Dictionary::from_iter(vec![
        ("N", Object::Integer(3)),
        ("Alternate", Object::Name(b"DeviceRGB".to_vec())),
    ]);
    let profile = match deflate(SRGB_PROFILE) {
        Ok(z) if z.len() < SRGB_PROFILE.len() => {
            profile_dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            z
        }
        _ => SRGB_PROFILE.to_vec(),
    };
    let mut profile = Stream::new(profile_dict, profile);
    profile.allows_compression = false;
    let profile_id = doc.add_object(profile);
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        (
            "OutputConditionIdentifier",
            Object::String(b"sRGB IEC61966-2.1".to_vec(), StringFormat::Literal),
        ),
        (
            "RegistryName",
            Object::String(b"http://www.color.org".to_vec(), StringFormat::Literal),
        ),
        (
            "Info",
            Object::String(b"sRGB IEC61966-2.1".to_vec(), StringFormat::Literal),
        ),
        ("DestOutputProfile", Object::Reference(profile_id)),
    ]);

    vec![
        ("Metadata", Object::Reference(xmp_id)),
        (
            "OutputIntents",
            Object::Array(vec![Object::Dictionary(intent)]),
        ),
        ("Lang", text_string(&fields.language)),
    ]
}

/// The strings both the Info dictionary and the XMP carry, cleaned once so that the two
/// cannot disagree: XML 1.0 has no place for most control characters.
struct Fields {
    title: String,
    author: String,
    subject: String,
    keywords: String,
    language: String,
}

impl Fields {
    fn of(info: &DocInfo) -> Fields {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_control() && c != '\t' && c != '\n' {
                        ' '
                    } else {
                        c
                    }
                })
                .collect()
        };
        Fields {
            title: clean(&info.title),
            author: clean(&info.author),
            subject: clean(&info.subject),
            keywords: clean(&info.keywords.join(", ")),
            language: clean(&info.language),
        }
    }
}

/// Text for XML content or a double-quoted attribute.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn paper_name(paper: Paper) -> &'static str {
    match paper {
        Paper::A4 => "a4",
        Paper::Letter => "letter",
    }
}

/// The XMP packet. One `rdf:Description`, properties in a fixed order.
fn xmp(info: &DocInfo, f: &Fields) -> String {
    let date = format!("{}T00:00:00Z", info.date);
    let lang = escape(&f.language);
    let mut x = String::with_capacity(4096);
    // No `bytes` or `encoding` attribute in the packet header (6.6.2.1).
    x.push_str("<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    x.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str("<rdf:Description rdf:about=\"\"\n");
    for (prefix, uri) in [
        ("dc", "http://purl.org/dc/elements/1.1/"),
        ("xmp", "http://ns.adobe.com/xap/1.0/"),
        ("pdf", "http://ns.adobe.com/pdf/1.3/"),
        ("pdfaid", "http://www.aiim.org/pdfa/ns/id/"),
        ("pdfuaid", "http://www.aiim.org/pdfua/ns/id/"),
        ("pdfaExtension", "http://www.aiim.org/pdfa/ns/extension/"),
        ("pdfaSchema", "http://www.aiim.org/pdfa/ns/schema#"),
        ("pdfaProperty", "http://www.aiim.org/pdfa/ns/property#"),
        ("dossier", DOSSIER_NS),
    ] {
        x.push_str(&format!("  xmlns:{prefix}=\"{uri}\"\n"));
    }
    x.push_str(">\n");
    let alt = |v: &str| {
        format!(
            "<rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt>",
            escape(v)
        )
    };
    x.push_str("<dc:format>application/pdf</dc:format>\n");
    x.push_str(&format!("<dc:title>{}</dc:title>\n", alt(&f.title)));
    x.push_str(&format!(
        "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
        escape(&f.author)
    ));
    x.push_str(&format!(
        "<dc:description>{}</dc:description>\n",
        alt(&f.subject)
    ));
    x.push_str(&format!(
        "<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n"
    ));
    x.push_str(&format!(
        "<pdf:Keywords>{}</pdf:Keywords>\n",
        escape(&f.keywords)
    ));
    x.push_str(&format!(
        "<pdf:Producer>{}</pdf:Producer>\n",
        escape(PRODUCER)
    ));
    x.push_str("<xmp:CreatorTool>dossier</xmp:CreatorTool>\n");
    x.push_str(&format!("<xmp:CreateDate>{date}</xmp:CreateDate>\n"));
    x.push_str(&format!("<xmp:ModifyDate>{date}</xmp:ModifyDate>\n"));
    x.push_str(&format!("<xmp:MetadataDate>{date}</xmp:MetadataDate>\n"));
    x.push_str("<pdfaid:part>3</pdfaid:part>\n");
    x.push_str("<pdfaid:conformance>A</pdfaid:conformance>\n");
    x.push_str("<pdfuaid:part>1</pdfuaid:part>\n");
    x.push_str(&format!(
        "<dossier:version>{}</dossier:version>\n",
        escape(env!("CARGO_PKG_VERSION"))
    ));
    x.push_str(&format!(
        "<dossier:edition>{}</dossier:edition>\n",
        escape(&info.edition)
    ));
    x.push_str(&format!(
        "<dossier:paper>{}</dossier:paper>\n",
        paper_name(info.paper)
    ));
    x.push_str(&format!(
        "<dossier:text>{}</dossier:text>\n",
        if info.justify { "justified" } else { "ragged" }
    ));
    x.push_str(&format!(
        "<dossier:outsideInputs>{}</dossier:outsideInputs>\n",
        escape(&info.outside_inputs.join(", "))
    ));
    x.push_str("<pdfaExtension:schemas><rdf:Bag>\n");
    schema(
        &mut x,
        "PDF/UA identification",
        "http://www.aiim.org/pdfua/ns/id/",
        "pdfuaid",
        &[(
            "part",
            "Integer",
            "The part of ISO 14289 the document conforms to",
        )],
    );
    schema(
        &mut x,
        "dossier render settings",
        DOSSIER_NS,
        "dossier",
        &[
            ("version", "Text", "The dossier version that wrote the PDF"),
            (
                "edition",
                "Text",
                "The packet edition: partner, reviewer or public",
            ),
            ("paper", "Text", "The paper size: a4 or letter"),
            (
                "text",
                "Text",
                "How paragraphs are set: justified or ragged",
            ),
            (
                "outsideInputs",
                "Text",
                "Inputs the PDF does not carry: templates, fonts, previous",
            ),
        ],
    );
    x.push_str("</rdf:Bag></pdfaExtension:schemas>\n");
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n");
    // Room to edit the metadata in place, as XMP writers conventionally leave.
    for _ in 0..20 {
        x.push_str(&" ".repeat(99));
        x.push('\n');
    }
    x.push_str("<?xpacket end=\"w\"?>");
    x
}

/// One `pdfaExtension` schema declaration: (name, value type, description) per property.
fn schema(x: &mut String, name: &str, uri: &str, prefix: &str, props: &[(&str, &str, &str)]) {
    x.push_str("<rdf:li rdf:parseType=\"Resource\">\n");
    x.push_str(&format!("<pdfaSchema:schema>{name}</pdfaSchema:schema>\n"));
    x.push_str(&format!(
        "<pdfaSchema:namespaceURI>{uri}</pdfaSchema:namespaceURI>\n"
    ));
    x.push_str(&format!(
        "<pdfaSchema:prefix>{prefix}</pdfaSchema:prefix>\n"
    ));
    x.push_str("<pdfaSchema:property><rdf:Seq>\n");
    for (name, value_type, description) in props {
        x.push_str("<rdf:li rdf:parseType=\"Resource\">\n");
        x.push_str(&format!("<pdfaProperty:name>{name}</pdfaProperty:name>\n"));
        x.push_str(&format!(
            "<pdfaProperty:valueType>{value_type}</pdfaProperty:valueType>\n"
        ));
        x.push_str("<pdfaProperty:category>internal</pdfaProperty:category>\n");
        x.push_str(&format!(
            "<pdfaProperty:description>{description}</pdfaProperty:description>\n"
        ));
        x.push_str("</rdf:li>\n");
    }
    x.push_str("</rdf:Seq></pdfaSchema:property>\n</rdf:li>\n");
}

/// The render settings a dossier PDF records, read from its XMP; `None` when the PDF has
/// no XMP or the XMP names no dossier settings (a PDF dossier did not write).
pub fn recorded(doc: &Document) -> Option<Recorded> {
    let id = doc
        .catalog()
        .ok()?
        .get(b"Metadata")
        .ok()?
        .as_reference()
        .ok()?;
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let bytes = stream
        .get_plain_content()
        .unwrap_or_else(|_| stream.content.clone());
    let text = String::from_utf8(bytes).ok()?;
    if !text.contains(DOSSIER_NS) {
        return None;
    }
    let field = |name: &str| -> Option<String> {
        let open = format!("<dossier:{name}>");
        let close = format!("</dossier:{name}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&close)?;
        Some(unescape(&text[start..end]))
    };
    Some(Recorded {
        edition: field("edition")?,
        paper: match field("paper")?.as_str() {
            "a4" => Paper::A4,
            "letter" => Paper::Letter,
            _ => return None,
        },
        justify: match field("text")?.as_str() {
            "justified" => true,
            "ragged" => false,
            _ => return None,
        },
        version: field("version")?,
        outside_inputs: field("outsideInputs")
            .unwrap_or_default()
            .split(", ")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// The inverse of [`escape`].
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> DocInfo {
        DocInfo {
            title: "Acme & Co <Forecast>".into(),
            author: "Acme\u{7}Analytics".into(),
            subject: "Application packet".into(),
            keywords: vec!["AWS".into(), "ml".into()],
            date: "2026-11-20".into(),
            language: "de-CH".into(),
            edition: "reviewer".into(),
            paper: Paper::Letter,
            justify: false,
            outside_inputs: vec!["templates".into()],
        }
    }

    fn doc_with(info: &DocInfo) -> Document {
        let mut doc = Document::with_version("1.7");
        let entries = add(&mut doc, info);
        let catalog = doc.add_object(Dictionary::from_iter(entries));
        doc.trailer.set("Root", Object::Reference(catalog));
        doc
    }

    #[test]
    fn the_settings_come_back_from_the_xmp() {
        let info = info();
        let doc = doc_with(&info);
        assert_eq!(
            recorded(&doc),
            Some(Recorded {
                edition: "reviewer".into(),
                paper: Paper::Letter,
                justify: false,
                version: env!("CARGO_PKG_VERSION").into(),
                outside_inputs: vec!["templates".into()],
            })
        );
    }

    #[test]
    fn info_and_xmp_say_the_same_and_the_xmp_is_plain_xml() {
        let info = info();
        let doc = doc_with(&info);
        let info_dict = doc
            .trailer
            .get(b"Info")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .expect("info");
        let author = info_dict
            .get(b"Author")
            .and_then(Object::as_str)
            .expect("author");
        // The control character became a space in both places.
        assert_eq!(author, b"Acme Analytics");
        let xmp_id = doc
            .catalog()
            .and_then(|c| c.get(b"Metadata"))
            .and_then(Object::as_reference)
            .expect("metadata");
        let stream = doc
            .get_object(xmp_id)
            .and_then(Object::as_stream)
            .expect("stream");
        assert!(
            stream.dict.get(b"Filter").is_err(),
            "XMP must stay uncompressed"
        );
        let text = String::from_utf8(stream.content.clone()).expect("utf-8");
        assert!(text.contains("<rdf:li>Acme Analytics</rdf:li>"));
        assert!(text.contains("Acme &amp; Co &lt;Forecast&gt;"));
        assert!(text.contains("<xmp:CreateDate>2026-11-20T00:00:00Z</xmp:CreateDate>"));
        assert!(text.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(text.contains("<pdfuaid:part>1</pdfuaid:part>"));
        assert!(text.contains("<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"));
        assert!(!text.contains("encoding="));
        let lang = doc
            .catalog()
            .and_then(|c| c.get(b"Lang"))
            .and_then(Object::as_str)
            .expect("lang");
        assert_eq!(lang, b"de-CH");
    }

    #[test]
    fn a_pdf_without_dossier_settings_records_nothing() {
        let mut doc = Document::with_version("1.7");
        let catalog = doc.add_object(Dictionary::from_iter(vec![(
            "Type",
            Object::Name(b"Catalog".to_vec()),
        )]));
        doc.trailer.set("Root", Object::Reference(catalog));
        assert_eq!(recorded(&doc), None);
    }

    #[test]
    fn the_output_profile_is_an_rgb_display_profile() {
        // ICC header: the device class at byte 12, the colour space at byte 16.
        assert_eq!(&SRGB_PROFILE[12..16], b"mntr");
        assert_eq!(&SRGB_PROFILE[16..20], b"RGB ");
        assert_eq!(&SRGB_PROFILE[36..40], b"acsp");
    }
}
