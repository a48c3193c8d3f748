//! Drawing: laid-out pages → PDF bytes. Writes the positioned items with printpdf (fonts
//! subset here, images embedded losslessly), then finishes the file with lopdf: a nested
//! outline, the document info, and an `/ID` derived from the content, so the same input
//! always gives the same bytes — also twice in one process.

use std::collections::BTreeMap;

use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, Destination, FontId, HighlightingMode,
    ImageCompression, ImageOptimizationOptions, LinkAnnotation, Op, PaintMode, ParsedFont,
    PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, TextItem, TextMatrix, XObject,
    XObjectId, XObjectTransform,
};

use super::PdfError;
use super::fonts::{FaceId, FontSet};
use super::layout::{Geometry, HeadingMark, Item, Layout};
use super::length::Pt;
use super::text::{Rgb, Target};

/// Document information written to the PDF's Info dictionary.
#[derive(Debug, Clone)]
pub(crate) struct DocInfo {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// A subset face: its glyph renumbering and the printpdf resource id.
struct SubsetFace {
    id: FontId,
    remap: BTreeMap<u16, u16>,
}

/// Writes the pages; `seed` (a digest of the inputs) becomes the file identifier.
pub(crate) fn draw(
    mut layout: Layout,
    fonts: &FontSet,
    geo: &Geometry,
    assets: &BTreeMap<String, Vec<u8>>,
    info: &DocInfo,
    attachments: &[(String, Vec<u8>)],
    seed: u64,
) -> Result<Vec<u8>, PdfError> {
    let mut doc = PdfDocument::new(&info.title);
    let subsets = embed_fonts(&mut doc, &layout, fonts)?;
    let images = embed_images(&mut doc, &layout, assets)?;

    let height = geo.height;
    // Each page's items are dropped once its operations exist: a long packet never holds
    // both in full.
    let laid_pages = std::mem::take(&mut layout.pages);
    let mut pages = Vec::with_capacity(laid_pages.len());
    for page in laid_pages {
        let mut ops = Vec::new();
        let mut in_text = false;
        let mut font_state: Option<(FaceId, Pt)> = None;
        let mut fill: Option<Rgb> = None;
        for item in &page.items {
            let is_text = matches!(item, Item::Text { .. });
            if is_text && !in_text {
                ops.push(Op::StartTextSection);
                in_text = true;
                font_state = None;
            } else if !is_text && in_text {
                ops.push(Op::EndTextSection);
                in_text = false;
            }
            match item {
                Item::Text {
                    x,
                    y,
                    face,
                    size,
                    color,
                    glyphs,
                } => {
                    let Some(sub) = subsets.get(face) else {
                        continue;
                    };
                    if font_state != Some((*face, *size)) {
                        ops.push(Op::SetFont {
                            font: PdfFontHandle::External(sub.id.clone()),
                            size: printpdf::Pt(size.0),
                        });
                        font_state = Some((*face, *size));
                    }
                    if fill != Some(*color) {
                        ops.push(Op::SetFillColor {
                            col: color_of(*color),
                        });
                        fill = Some(*color);
                    }
                    let cps = glyphs
                        .iter()
                        .map(|g| Codepoint {
                            gid: sub.remap.get(&g.gid).copied().unwrap_or(0),
                            // TJ numbers are thousandths of an em, positive to the left.
                            offset: -((g.extra + g.kern).0 / size.0) * 1000.0,
                            // A ligature maps to all its characters ("fi").
                            cid: Some(g.chars().collect()),
                        })
                        .collect();
                    ops.push(Op::SetTextMatrix {
                        matrix: TextMatrix::Translate(
                            printpdf::Pt(x.0),
                            printpdf::Pt((height - *y).0),
                        ),
                    });
                    ops.push(Op::ShowText {
                        items: vec![TextItem::GlyphIds(cps)],
                    });
                }
                Item::Rect { x, y, w, h, color } => {
                    if fill != Some(*color) {
                        ops.push(Op::SetFillColor {
                            col: color_of(*color),
                        });
                        fill = Some(*color);
                    }
                    ops.push(Op::DrawRectangle {
                        rectangle: rect(*x, height - *y - *h, *w, *h, Some(PaintMode::Fill)),
                    });
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    color,
                } => {
                    ops.push(Op::SetOutlineColor {
                        col: color_of(*color),
                    });
                    ops.push(Op::SetOutlineThickness {
                        pt: printpdf::Pt(width.0),
                    });
                    ops.push(Op::DrawLine {
                        line: printpdf::Line {
                            points: vec![point(*x1, height - *y1), point(*x2, height - *y2)],
                            is_closed: false,
                        },
                    });
                }
                Item::Image { x, y, w, h, src } => {
                    let Some(id) = images.get(src) else { continue };
                    ops.push(Op::UseXobject {
                        id: id.clone(),
                        transform: XObjectTransform {
                            translate_x: Some(printpdf::Pt(x.0)),
                            translate_y: Some(printpdf::Pt((height - *y - *h).0)),
                            scale_x: Some(w.0),
                            scale_y: Some(h.0),
                            // The image is a unit square: scale it to its size in points directly.
                            no_auto_scale: true,
                            ..XObjectTransform::default()
                        },
                    });
                }
                Item::Link { x, y, w, h, target } => {
                    let action = match target {
                        Target::Uri(u) => Actions::Uri(u.clone()),
                        Target::Anchor(a) => match layout.anchors.get(a) {
                            Some((page, top)) => Actions::Goto(Destination::Xyz {
                                page: page + 1,
                                left: Some(0.0),
                                top: Some((height - *top + Pt(12.0)).0),
                                zoom: None,
                            }),
                            None => continue,
                        },
                    };
                    let link = LinkAnnotation::new(
                        rect(*x, height - *y - *h, *w, *h, None),
                        action,
                        Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                        Some(ColorArray::Transparent),
                        Some(HighlightingMode::None),
                    );
                    ops.push(Op::LinkAnnotation { link });
                }
            }
        }
        if in_text {
            ops.push(Op::EndTextSection);
        }
        pages.push(PdfPage::new(
            printpdf::Mm::from(printpdf::Pt(geo.width.0)),
            printpdf::Mm::from(printpdf::Pt(geo.height.0)),
            ops,
        ));
    }
    doc.with_pages(pages);

    let opts = PdfSaveOptions {
        // Streams are compressed below, at a level chosen for speed.
        optimize: false,
        subset_fonts: true,
        secure: true,
        image_optimization: Some(ImageOptimizationOptions {
            quality: None,
            max_image_size: None,
            dither_greyscale: Some(false),
            convert_to_greyscale: Some(false),
            auto_optimize: Some(false),
            format: Some(ImageCompression::Flate),
        }),
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    // lopdf holds its own copy of every stream now; a big image need not be held twice more.
    drop(doc);
    finish(&mut lo, &layout, geo, info, seed)?;
    super::attach::embed(&mut lo, attachments, &info.date)?;
    compress(&mut lo)?;
    // Sized for the streams up front: growing by doubling held up to twice the file (a big
    // diagram's PDF is tens of MB).
    let streams: usize = lo
        .objects
        .values()
        .map(|o| match o {
            lopdf::Object::Stream(s) => s.content.len() + 256,
            _ => 64,
        })
        .sum();
    let mut bytes = Vec::with_capacity(streams + streams / 32);
    lo.save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(bytes)
}

/// zlib level for content streams and fonts. lopdf's `compress` uses 9, which spent most of
/// the PDF time in deflate for a file only a few per cent smaller than level COMPRESSION.
pub(super) const COMPRESSION: u32 = 6;

/// Deflates every stream that is not compressed already (page contents, fonts, ToUnicode
/// maps), on all cores; images and attachments arrive compressed and are left alone.
fn compress(doc: &mut lopdf::Document) -> Result<(), PdfError> {
    let mut streams: Vec<&mut lopdf::Stream> = doc
        .objects
        .values_mut()
        .filter_map(|object| match object {
            lopdf::Object::Stream(s) if s.allows_compression && !s.dict.has(b"Filter") => Some(s),
            _ => None,
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    // Interleaved shares: page streams come in order and are of similar size.
    let mut shares: Vec<Vec<&mut lopdf::Stream>> = (0..threads).map(|_| Vec::new()).collect();
    for (k, s) in streams.drain(..).enumerate() {
        shares[k % threads].push(s);
    }
    let deflate_all = |share: Vec<&mut lopdf::Stream>| -> Result<(), PdfError> {
        for stream in share {
            let compressed = deflate(&stream.content)?;
            if compressed.len() + 19 < stream.content.len() {
                stream.dict.set("Filter", "FlateDecode");
                stream.set_content(compressed);
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let jobs: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || deflate_all(share)))
            .collect();
        jobs.into_iter().try_for_each(|job| {
            job.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    })
}

/// zlib-compresses `data` at [`COMPRESSION`].
pub(super) fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(COMPRESSION),
    );
    encoder
        .write_all(data)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    encoder.finish().map_err(|e| PdfError::Write(e.to_string()))
}

fn color_of(c: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: c.0,
        g: c.1,
        b: c.2,
        icc_profile: None,
    })
}

fn point(x: Pt, y: Pt) -> printpdf::LinePoint {
    printpdf::LinePoint {
        p: printpdf::Point {
            x: printpdf::Pt(x.0),
            y: printpdf::Pt(y.0),
        },
        bezier: false,
    }
}

fn rect(x: Pt, y: Pt, w: Pt, h: Pt, mode: Option<PaintMode>) -> printpdf::Rect {
    printpdf::Rect {
        x: printpdf::Pt(x.0),
        y: printpdf::Pt(y.0),
        width: printpdf::Pt(w.0),
        height: printpdf::Pt(h.0),
        mode,
        winding_order: None,
    }
}

/// Subsets every face that is used and registers it under a fixed resource name, so
/// neither printpdf's random ids nor unused glyphs reach the file.
fn embed_fonts(
    doc: &mut PdfDocument,
    layout: &Layout,
    fonts: &FontSet,
) -> Result<BTreeMap<FaceId, SubsetFace>, PdfError> {
    let mut used: BTreeMap<FaceId, std::collections::BTreeSet<u16>> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text { face, glyphs, .. } = item {
                used.entry(*face)
                    .or_default()
                    .extend(glyphs.iter().map(|g| g.gid));
            }
        }
    }
    let mut out = BTreeMap::new();
    for (face_id, gids) in used {
        let face = fonts.face(face_id);
        let mut remapper = subsetter::GlyphRemapper::new();
        for &g in &gids {
            remapper.remap(g);
        }
        let bytes = subsetter::subset(&face.bytes, 0, &remapper)
            .map_err(|e| PdfError::Font(format!("cannot subset {}: {e}", face.name)))?;
        let mut warnings = Vec::new();
        let mut parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| {
            PdfError::Font(format!("subset of {} cannot be read back", face.name))
        })?;
        let remap: BTreeMap<u16, u16> = gids
            .iter()
            .filter_map(|&g| remapper.get(g).map(|n| (g, n)))
            .collect();
        // The six-letter tag marks a subset (ISO 32000-1, 9.6.4); derived from the glyph
        // set so it is stable for equal input and differs between different subsets.
        parsed.font_name = Some(format!("{}+{}", subset_tag(face_id, &gids), face.name));
        let id = FontId(format!("F{face_id}"));
        doc.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(parsed));
        out.insert(face_id, SubsetFace { id, remap });
    }
    Ok(out)
}

fn subset_tag(face: FaceId, gids: &std::collections::BTreeSet<u16>) -> String {
    let mut h = Fnv::new();
    h.write(&face.to_be_bytes());
    for g in gids {
        h.write(&g.to_be_bytes());
    }
    let mut v = h.finish();
    (0..6)
        .map(|_| {
            let c = (b'A' + (v % 26) as u8) as char;
            v /= 26;
            c
        })
        .collect()
}

/// Embeds each image once, losslessly (see [`super::raster`]). A broken image is an error
/// (a packet must not lose its diagram).
fn embed_images(
    doc: &mut PdfDocument,
    layout: &Layout,
    assets: &BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, XObjectId>, PdfError> {
    let mut out: BTreeMap<String, XObjectId> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Image { src, .. } = item {
                if out.contains_key(src) {
                    continue;
                }
                let Some(bytes) = assets.get(src) else {
                    continue;
                };
                let xobject = super::raster::xobject(bytes)
                    .map(XObject::External)
                    .map_err(|e| PdfError::Image(format!("{src}: {e}")))?;
                let id = XObjectId(format!("Im{}", out.len() + 1));
                doc.resources.xobjects.map.insert(id.clone(), xobject);
                out.insert(src.clone(), id);
            }
        }
    }
    Ok(out)
}

/// lopdf finishing: Info dictionary, nested outline, viewer preferences, file identifier.
fn finish(
    doc: &mut lopdf::Document,
    layout: &Layout,
    geo: &Geometry,
    info: &DocInfo,
    seed: u64,
) -> Result<(), PdfError> {
    use lopdf::{Dictionary, Object, StringFormat};

    doc.version = "1.7".to_string();
    let date = pdf_date(&info.date);
    let mut dict = Dictionary::new();
    dict.set("Title", text_string(&info.title));
    dict.set("Author", text_string(&info.author));
    dict.set("Subject", text_string(&info.subject));
    dict.set("Keywords", text_string(&info.keywords.join(", ")));
    dict.set("Creator", text_string("dossier"));
    dict.set(
        "Producer",
        text_string(concat!(
            "dossier ",
            env!("CARGO_PKG_VERSION"),
            " (printpdf)"
        )),
    );
    dict.set(
        "CreationDate",
        Object::String(date.clone().into_bytes(), StringFormat::Literal),
    );
    dict.set(
        "ModDate",
        Object::String(date.into_bytes(), StringFormat::Literal),
    );
    let info_id = doc.add_object(dict);
    doc.trailer.set("Info", Object::Reference(info_id));

    let id = format!(
        "{seed:016x}{:016x}",
        seed.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15
    );
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone().into_bytes(), StringFormat::Hexadecimal),
            Object::String(id.into_bytes(), StringFormat::Hexadecimal),
        ]),
    );

    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| PdfError::Write(format!("no catalog: {e}")))?;
    let page_ids: Vec<lopdf::ObjectId> = doc.get_pages().into_values().collect();
    let outline = build_outline(
        doc,
        &layout.headings,
        &layout.anchors,
        &page_ids,
        geo.height,
    );
    let catalog = doc
        .get_object_mut(root_id)
        .and_then(Object::as_dict_mut)
        .map_err(|e| PdfError::Write(format!("bad catalog: {e}")))?;
    catalog.set(
        "Lang",
        Object::String(b"en".to_vec(), StringFormat::Literal),
    );
    catalog.set(
        "ViewerPreferences",
        Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))]),
    );
    if let Some(outline_id) = outline {
        catalog.set("Outlines", Object::Reference(outline_id));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    Ok(())
}

/// Outline from H2–H4 (and any H1 after the title), nested by level, in document order.
fn build_outline(
    doc: &mut lopdf::Document,
    headings: &[HeadingMark],
    anchors: &BTreeMap<String, (usize, Pt)>,
    page_ids: &[lopdf::ObjectId],
    height: Pt,
) -> Option<lopdf::ObjectId> {
    use lopdf::{Dictionary, Object};

    let flat: Vec<(u8, Node)> = headings
        .iter()
        .enumerate()
        // The first H1 is the document title: the title page, not a section.
        .filter(|(i, h)| h.level <= 4 && !(*i == 0 && h.level == 1))
        .filter_map(|(_, h)| {
            let (page, top) = anchors.get(&h.anchor)?;
            let page_id = page_ids.get(*page)?;
            let dest = Object::Array(vec![
                Object::Reference(*page_id),
                Object::Name(b"XYZ".to_vec()),
                Object::Integer(0),
                Object::Real((height - *top + Pt(12.0)).0),
                Object::Null,
            ]);
            Some((
                h.level,
                Node {
                    title: h.title.clone(),
                    dest,
                    children: Vec::new(),
                },
            ))
        })
        .collect();
    let roots = nest(flat);
    if roots.is_empty() {
        return None;
    }

    fn write(
        doc: &mut lopdf::Document,
        parent: lopdf::ObjectId,
        nodes: Vec<Node>,
    ) -> (Option<lopdf::ObjectId>, Option<lopdf::ObjectId>, i64) {
        let ids: Vec<lopdf::ObjectId> = nodes.iter().map(|_| doc.new_object_id()).collect();
        let mut count = 0;
        for (k, node) in nodes.into_iter().enumerate() {
            let id = ids[k];
            let mut dict = Dictionary::new();
            dict.set("Title", text_string(&node.title));
            dict.set("Parent", Object::Reference(parent));
            dict.set("Dest", node.dest);
            if k > 0 {
                dict.set("Prev", Object::Reference(ids[k - 1]));
            }
            if let Some(next) = ids.get(k + 1) {
                dict.set("Next", Object::Reference(*next));
            }
            let (first, last, n) = write(doc, id, node.children);
            if let (Some(f), Some(l)) = (first, last) {
                dict.set("First", Object::Reference(f));
                dict.set("Last", Object::Reference(l));
                // Negative: children start closed, so the outline opens as a table of sections.
                dict.set("Count", Object::Integer(-n));
            }
            doc.objects.insert(id, Object::Dictionary(dict));
            count += 1;
        }
        (ids.first().copied(), ids.last().copied(), count)
    }
    let outline_id = doc.new_object_id();
    let (first, last, n) = write(doc, outline_id, roots);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(f), Some(l)) = (first, last) {
        dict.set("First", Object::Reference(f));
        dict.set("Last", Object::Reference(l));
    }
    dict.set("Count", Object::Integer(n));
    doc.objects.insert(outline_id, Object::Dictionary(dict));
    Some(outline_id)
}

/// One outline entry and the entries below it.
struct Node {
    title: String,
    dest: lopdf::Object,
    children: Vec<Node>,
}

/// Nests a flat, ordered heading list: each entry takes the following deeper entries as
/// children (a skipped level, H2 → H4, simply nests one deeper).
fn nest(flat: Vec<(u8, Node)>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    let mut iter = flat.into_iter().peekable();
    while let Some((level, mut node)) = iter.next() {
        let mut deeper = Vec::new();
        while let Some((l, _)) = iter.peek() {
            if *l <= level {
                break;
            }
            if let Some(x) = iter.next() {
                deeper.push(x);
            }
        }
        node.children = nest(deeper);
        out.push(node);
    }
    out
}

/// A PDF text string: ASCII as is, anything else as UTF-16BE with a byte-order mark.
fn text_string(s: &str) -> lopdf::Object {
    if s.is_ascii() {
        return lopdf::Object::String(s.as_bytes().to_vec(), lopdf::StringFormat::Literal);
    }
    let mut bytes = vec![0xfe, 0xff];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    lopdf::Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

/// `YYYY-MM-DD` → `D:YYYYMMDD000000Z`; anything else was rejected by `render`.
fn pdf_date(date: &str) -> String {
    format!("D:{}000000Z", date.replace('-', ""))
}

/// FNV-1a, 64 bit: a stable digest (std's hasher may change between releases).
pub(crate) struct Fnv(u64);

impl Fnv {
    pub(crate) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}
