//! Drawing: laid-out pages → PDF bytes, with lopdf as the object model and writer. Content
//! streams are written here, page by page on all cores and deflated as each is made, so a
//! long packet never holds its pages' operators in full; fonts are subset to the glyphs used
//! and embedded as CID fonts with a ToUnicode map; images go in losslessly
//! ([`super::raster`]). Every item is drawn inside a marked-content sequence — content of
//! the structure element its mark names, or an artifact — and the structure tree is
//! written from what each page marked ([`super::tags`]). Then the outline, the document
//! info and an `/ID` derived from the content, so the same input always gives the same
//! bytes — also twice in one process.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

use super::PdfError;
use super::fonts::{FaceId, FontSet};
use super::layout::{Geometry, HeadingMark, Item, Layout, Page};
use super::length::Pt;
use super::metadata::DocInfo;
use super::tags::{self, Artifact, Mark, NodeId, Tree};
use super::text::{Rgb, Target};
use super::util::{deflate, text_string};

/// A subset face as the content streams use it: each original glyph's code in the subset,
/// and each code's width as the `/W` array gives it and as the layout measured it.
struct SubsetFace {
    /// Subset glyph id by original glyph id; 0 for glyphs not in the subset.
    remap: Vec<u16>,
    /// `/W` width (thousandths of an em, rounded as written) by subset glyph id.
    widths: Vec<i32>,
    /// Exact advance in thousandths of an em by subset glyph id.
    exact: Vec<f64>,
}

/// Writes the pages; `id` (a digest of the inputs) is the file identifier.
pub(crate) fn draw(
    mut layout: Layout,
    fonts: &FontSet,
    geo: &Geometry,
    assets: &BTreeMap<String, &[u8]>,
    info: &DocInfo,
    attachments: &[(String, Vec<u8>)],
    id: [u8; 16],
) -> Result<Vec<u8>, PdfError> {
    let mut doc = lopdf::Document::with_version("1.7");
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let faces = plan_fonts(&layout, fonts);
    let subsets: BTreeMap<FaceId, SubsetFace> =
        faces.iter().map(|f| (f.id, f.subset(fonts))).collect();
    let image_names = used_images(&layout, assets);
    let images: BTreeMap<String, usize> = image_names
        .iter()
        .enumerate()
        .map(|(k, name)| (name.to_string(), k + 1))
        .collect();
    let laid_pages = std::mem::take(&mut layout.pages);
    let painter = Painter {
        subsets: &subsets,
        images: &images,
        height: geo.height,
        tree: &layout.tags,
    };
    // Every face's program, the images with the attachments, and every page are jobs that
    // the threads take in turn (the fonts first: they are the biggest), so no thread waits
    // for another's last job for long.
    let pages: Vec<Mutex<Option<Page>>> = laid_pages
        .into_iter()
        .map(|p| Mutex::new(Some(p)))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let made = super::jobs::map_shared(faces.len() + 1 + pages.len(), threads, |k| {
        if let Some(face) = faces.get(k) {
            return face.programs(fonts).map(Made::Font);
        }
        if k == faces.len() {
            let rasters = image_names
                .iter()
                .map(|name| {
                    super::raster::xobject(assets[*name])
                        .map_err(|e| PdfError::Image(format!("{name}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let attached = super::attach::streams(attachments, &info.date)?;
            return Ok(Made::Others(rasters, attached));
        }
        let page = pages[k - faces.len() - 1]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| PdfError::Write("a page was painted twice".into()))?;
        painter.paint(page).map(Made::Page)
    });
    let (mut programs, mut rasters, mut attached, mut contents) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for made in made {
        match made? {
            Made::Font(p) => programs.push(p),
            Made::Others(r, a) => (rasters, attached) = (r, a),
            Made::Page(p) => contents.push(p),
        }
    }

    let mut font_resources = Dictionary::new();
    for (face, programs) in faces.iter().zip(programs) {
        let font = font_objects(&mut doc, face, fonts, &subsets[&face.id].widths, programs);
        font_resources.set(format!("F{}", face.id), Object::Reference(font));
    }
    let mut image_resources = Dictionary::new();
    for (k, image) in rasters.into_iter().enumerate() {
        let mut stream = image.stream;
        if let Some(mask) = image.smask {
            let mask_id = doc.add_object(mask);
            stream.dict.set("SMask", Object::Reference(mask_id));
        }
        image_resources.set(
            format!("Im{}", k + 1),
            Object::Reference(doc.add_object(stream)),
        );
    }
    let resources = doc.add_object(Dictionary::from_iter(vec![
        ("Font", Object::Dictionary(font_resources)),
        ("XObject", Object::Dictionary(image_resources)),
    ]));

    let pages_id = doc.new_object_id();
    // Reserved up front: a link may point at any page.
    let page_ids: Vec<ObjectId> = contents.iter().map(|_| doc.new_object_id()).collect();
    let media_box = Object::Array(vec![
        0.into(),
        0.into(),
        Object::Real(geo.width.0),
        Object::Real(geo.height.0),
    ]);
    let mut mcids = Vec::with_capacity(page_ids.len());
    let mut annotations = Vec::new();
    for (k, (painted, &page_id)) in contents.into_iter().zip(&page_ids).enumerate() {
        let mut stream = Stream::new(Dictionary::new(), painted.content);
        if painted.deflated {
            stream.dict.set("Filter", "FlateDecode");
        }
        // Already as small as it gets: the final pass must not try again.
        stream.allows_compression = false;
        let contents_id = doc.add_object(stream);
        let mut annots = Vec::new();
        for link in painted.links {
            let node = link.node;
            if let Some(annot) = link_annotation(link, &layout, &page_ids, geo.height) {
                let id = doc.add_object(annot);
                annots.push(Object::Reference(id));
                annotations.push(tags::Annotation { page: k, id, node });
            }
        }
        mcids.push(painted.mcids);
        let mut page = Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(pages_id)),
            ("MediaBox", media_box.clone()),
            ("Resources", Object::Reference(resources)),
            ("Contents", Object::Reference(contents_id)),
        ]);
        if !annots.is_empty() {
            page.set("Annots", Object::Array(annots));
            // Tab order follows the structure tree, as the annotations are in it.
            page.set("Tabs", Object::Name(b"S".to_vec()));
        }
        doc.objects.insert(page_id, Object::Dictionary(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Count", Object::Integer(page_ids.len() as i64)),
            (
                "Kids",
                Object::Array(page_ids.iter().map(|&id| Object::Reference(id)).collect()),
            ),
        ])),
    );
    finish(&mut doc, &layout, pages_id, &page_ids, geo, info, id);
    let struct_tree = tags::write(&mut doc, &layout.tags, &mcids, &page_ids, &annotations);
    let catalog = doc
        .catalog_mut()
        .map_err(|e| PdfError::Write(e.to_string()))?;
    catalog.set("StructTreeRoot", Object::Reference(struct_tree));
    catalog.set(
        "MarkInfo",
        Object::Dictionary(Dictionary::from_iter(vec![(
            "Marked",
            Object::Boolean(true),
        )])),
    );
    super::attach::add(&mut doc, attached)?;
    super::util::end_streams_cleanly(&mut doc);
    // Sized for the streams up front: growing by doubling held up to twice the file (a big
    // diagram's PDF is tens of MB).
    let streams: usize = doc
        .objects
        .values()
        .map(|o| match o {
            Object::Stream(s) => s.content.len() + 256,
            _ => 64,
        })
        .sum();
    let mut bytes = Vec::with_capacity(streams + streams / 32);
    doc.save_to(&mut bytes)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(bytes)
}

/// A link area on a page, in PDF coordinates (origin bottom left): x1, y1, x2, y2; and the
/// `Link` element its annotation belongs to.
struct Link {
    rect: [f32; 4],
    target: Target,
    node: NodeId,
}

/// One page's content stream, the links to annotate it with, and the element each of its
/// marked-content sequences belongs to (by MCID).
struct Painted {
    content: Vec<u8>,
    deflated: bool,
    links: Vec<Link>,
    mcids: Vec<NodeId>,
}

/// Turns pages of items into content streams.
struct Painter<'a> {
    subsets: &'a BTreeMap<FaceId, SubsetFace>,
    images: &'a BTreeMap<String, usize>,
    height: Pt,
    tree: &'a Tree,
}

impl Painter<'_> {
    /// One page's content stream, deflated when that makes it smaller.
    fn paint(&self, page: Page) -> Result<Painted, PdfError> {
        let mut w = Content::default();
        let mut links = Vec::new();
        let height = self.height;
        for item in page.items {
            match item {
                Item::Text {
                    x,
                    y,
                    face,
                    size,
                    color,
                    glyphs,
                    mark,
                } => {
                    let Some(sub) = self.subsets.get(&face) else {
                        continue;
                    };
                    w.mark(mark, self.tree);
                    w.begin_text();
                    w.fill(color);
                    w.text(face, size, x.0, (height - y).0, sub, &glyphs);
                }
                Item::Rect {
                    x,
                    y,
                    w: width,
                    h,
                    color,
                } => {
                    w.mark(Mark::Artifact(Artifact::Layout), self.tree);
                    w.end_text();
                    w.fill(color);
                    w.nums(&[x.0, (height - y - h).0, width.0, h.0]);
                    w.op("re f");
                }
                Item::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    color,
                } => {
                    w.mark(Mark::Artifact(Artifact::Layout), self.tree);
                    w.end_text();
                    w.stroke(color, width.0);
                    w.nums(&[x1.0, (height - y1).0]);
                    w.op("m");
                    w.nums(&[x2.0, (height - y2).0]);
                    w.op("l S");
                }
                Item::Image {
                    x,
                    y,
                    w: width,
                    h,
                    src,
                    mark,
                } => {
                    let Some(n) = self.images.get(&src) else {
                        continue;
                    };
                    w.mark(mark, self.tree);
                    w.end_text();
                    // The image is a unit square: scale it to its size in points.
                    w.op("q");
                    w.nums(&[width.0, 0.0, 0.0, h.0, x.0, (height - y - h).0]);
                    w.op("cm");
                    w.raw(format!("/Im{n} Do Q\n").as_bytes());
                }
                Item::Link {
                    x,
                    y,
                    w: width,
                    h,
                    target,
                    node,
                } => links.push(Link {
                    rect: [x.0, (height - y - h).0, (x + width).0, (height - y).0],
                    target,
                    node,
                }),
            }
        }
        let (content, mcids) = w.finish();
        let (content, deflated) = deflated(content)?;
        Ok(Painted {
            content,
            deflated,
            links,
            mcids,
        })
    }
}

/// What one drawing job made.
enum Made {
    Font(FontPrograms),
    /// The image streams and the attachments' streams.
    Others(Vec<super::raster::Image>, Vec<(String, Stream)>),
    Page(Painted),
}

/// A content stream being written, with the graphics state it has set so far (so each
/// operator that changes nothing is left out).
#[derive(Default)]
struct Content {
    out: Vec<u8>,
    in_text: bool,
    font: Option<(FaceId, u32)>,
    fill: Option<Rgb>,
    stroke: Option<(Rgb, f32)>,
    /// The open `TJ` array: its baseline, face, size and start, and where the viewer's pen
    /// is within it (thousandths of an em from the start).
    run: Option<Run>,
    /// The open marked-content sequence.
    marked: Option<Mark>,
    /// The element of each marked-content sequence so far, by MCID.
    mcids: Vec<NodeId>,
}

struct Run {
    y: f32,
    face: FaceId,
    size: f32,
    x: f32,
    pen: f64,
    /// Inside a `<…>` glyph string.
    in_hex: bool,
}

impl Content {
    /// The stream, and the element of each MCID in it.
    fn finish(mut self) -> (Vec<u8>, Vec<NodeId>) {
        self.end_text();
        if self.marked.is_some() {
            self.op("EMC");
        }
        (self.out, self.mcids)
    }

    /// Puts what follows in a marked-content sequence for `mark`, unless it already is.
    /// Sequences enclose whole text objects (`BT` … `ET`), never part of one, and never
    /// nest.
    fn mark(&mut self, mark: Mark, tree: &Tree) {
        if self.marked == Some(mark) {
            return;
        }
        self.end_text();
        if self.marked.is_some() {
            self.op("EMC");
        }
        match mark {
            Mark::Content(node) => {
                let mcid = self.mcids.len();
                self.mcids.push(node);
                self.raw(b"/");
                self.raw(tree.node(node).role.name().as_bytes());
                self.raw(b" <</MCID ");
                self.raw(itoa::Buffer::new().format(mcid).as_bytes());
                self.raw(b">> BDC\n");
            }
            Mark::Artifact(Artifact::Header) => {
                self.op("/Artifact <</Type /Pagination /Subtype /Header>> BDC")
            }
            Mark::Artifact(Artifact::Footer) => {
                self.op("/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
            }
            Mark::Artifact(Artifact::Layout) => self.op("/Artifact BMC"),
        }
        self.marked = Some(mark);
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    fn op(&mut self, op: &str) {
        self.out.extend_from_slice(op.as_bytes());
        self.out.push(b'\n');
    }

    fn nums(&mut self, values: &[f32]) {
        for &v in values {
            number(&mut self.out, f64::from(v));
            self.out.push(b' ');
        }
    }

    fn begin_text(&mut self) {
        if !self.in_text {
            self.op("BT");
            self.in_text = true;
        }
    }

    fn end_text(&mut self) {
        self.close_run();
        if self.in_text {
            self.op("ET");
            self.in_text = false;
        }
    }

    fn close_run(&mut self) {
        if let Some(run) = self.run.take() {
            self.raw(if run.in_hex { b">] TJ\n" } else { b"] TJ\n" });
        }
    }

    fn fill(&mut self, color: Rgb) {
        if self.fill != Some(color) {
            self.close_run();
            self.nums(&[color.0, color.1, color.2]);
            self.op("rg");
            self.fill = Some(color);
        }
    }

    fn stroke(&mut self, color: Rgb, width: f32) {
        if self.stroke != Some((color, width)) {
            self.nums(&[color.0, color.1, color.2]);
            self.op("RG");
            self.nums(&[width]);
            self.op("w");
            self.stroke = Some((color, width));
        }
    }

    /// Shows glyphs starting at (`x`, `y`). Text on the baseline of the open run, in its
    /// face and size, joins that `TJ` array (one array per line keeps viewers' text
    /// selection whole); a number moves the pen wherever the viewer's advance — the `/W`
    /// width — strays from the layout's by half a thousandth of an em or more, so the
    /// position is never off by more than that.
    fn text(
        &mut self,
        face: FaceId,
        size: Pt,
        x: f32,
        y: f32,
        sub: &SubsetFace,
        glyphs: &[super::text::PlacedGlyph],
    ) {
        let size_bits = size.0.to_bits();
        if self.font != Some((face, size_bits)) {
            self.close_run();
            self.raw(format!("/F{face} ").as_bytes());
            self.nums(&[size.0]);
            self.op("Tf");
            self.font = Some((face, size_bits));
        }
        let em = 1000.0 / f64::from(size.0);
        let joins = self
            .run
            .as_ref()
            .is_some_and(|r| r.y == y && r.face == face && r.size == size.0);
        if !joins {
            self.close_run();
            self.raw(b"1 0 0 1 ");
            self.nums(&[x, y]);
            self.raw(b"Tm\n[");
            self.run = Some(Run {
                y,
                face,
                size: size.0,
                x,
                pen: 0.0,
                in_hex: false,
            });
        }
        let Some(mut run) = self.run.take() else {
            return;
        };
        let mut target = f64::from(x - run.x) * em;
        self.adjust(&mut run, target);
        for g in glyphs {
            let code = sub.remap.get(usize::from(g.gid)).copied().unwrap_or(0);
            if !run.in_hex {
                self.out.push(b'<');
                run.in_hex = true;
            }
            hex4(&mut self.out, code);
            run.pen += f64::from(sub.widths[usize::from(code)]);
            // The layout's advance: the face's own plus kerning and justification.
            target += sub.exact[usize::from(code)] + f64::from((g.kern + g.extra).0) * em;
            self.adjust(&mut run, target);
        }
        self.run = Some(run);
    }

    /// Moves the pen of `run` to `target` if it is half a unit or more away (`TJ` numbers
    /// are thousandths of an em, positive to the left).
    fn adjust(&mut self, run: &mut Run, target: f64) {
        let n = (run.pen - target).round();
        if n != 0.0 {
            if run.in_hex {
                self.out.push(b'>');
                run.in_hex = false;
            } else if self.out.last().is_some_and(u8::is_ascii_digit) {
                // Two numbers in a row need a space between them ("-1 -300", not "-1-300").
                self.out.push(b' ');
            }
            number(&mut self.out, n);
            run.pen -= n;
        }
    }
}

/// Writes a number as PDF wants it: at most three decimals, no exponent, no trailing zeros.
fn number(out: &mut Vec<u8>, v: f64) {
    let milli = (v * 1000.0).round() as i64;
    if milli < 0 {
        out.push(b'-');
    }
    let milli = milli.unsigned_abs();
    let mut buf = itoa::Buffer::new();
    out.extend_from_slice(buf.format(milli / 1000).as_bytes());
    let frac = milli % 1000;
    if frac != 0 {
        let digits = [
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        let len = 3 - digits.iter().rev().take_while(|&&d| d == b'0').count();
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
}

/// Four upper-case hex digits.
fn hex4(out: &mut Vec<u8>, code: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((code >> shift) & 0xf)]);
    }
}

/// The annotation for a link; `None` for an anchor that is not in the document.
fn link_annotation(
    link: Link,
    layout: &Layout,
    page_ids: &[ObjectId],
    height: Pt,
) -> Option<Dictionary> {
    // What the link says, for a reader that lists links out of context.
    let contents = match (&layout.tags.node(link.node).text, &link.target) {
        (Some(text), _) if !text.trim().is_empty() => text.clone(),
        (_, Target::Uri(uri)) => uri.clone(),
        (_, Target::Anchor(anchor)) => format!("#{anchor}"),
    };
    let action = match link.target {
        Target::Uri(uri) => Dictionary::from_iter(vec![
            ("S", Object::Name(b"URI".to_vec())),
            (
                "URI",
                Object::String(uri.into_bytes(), StringFormat::Literal),
            ),
        ]),
        Target::Anchor(anchor) => {
            let (page, top) = layout.anchors.get(&anchor)?;
            Dictionary::from_iter(vec![
                ("S", Object::Name(b"GoTo".to_vec())),
                ("D", destination(*page_ids.get(*page)?, *top, height)),
            ])
        }
    };
    Some(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Annot".to_vec())),
        ("Subtype", Object::Name(b"Link".to_vec())),
        (
            "Rect",
            Object::Array(link.rect.iter().map(|&v| Object::Real(v)).collect()),
        ),
        // No border, no highlight: the text's own colour marks the link.
        ("Border", Object::Array(vec![0.into(), 0.into(), 0.into()])),
        ("H", Object::Name(b"N".to_vec())),
        // Printed with the page (PDF/A-3, 6.3.2: the Print flag set, Hidden and NoView clear).
        ("F", Object::Integer(4)),
        ("A", Object::Dictionary(action)),
        ("Contents", text_string(&contents)),
    ]))
}

/// A destination showing the page with `top` (layout coordinates) a little below the
/// window's top edge.
fn destination(page: ObjectId, top: Pt, height: Pt) -> Object {
    Object::Array(vec![
        Object::Reference(page),
        Object::Name(b"XYZ".to_vec()),
        Object::Integer(0),
        Object::Real((height - top + Pt(12.0)).0),
        Object::Null,
    ])
}

/// `data` deflated, if that saves more than the `/Filter /FlateDecode` entry costs.
fn deflate_if_smaller(data: &[u8]) -> Result<Option<Vec<u8>>, PdfError> {
    let compressed = deflate(data).map_err(|e| PdfError::Write(e.to_string()))?;
    Ok((compressed.len() + 19 < data.len()).then_some(compressed))
}

/// A face the pages use: its glyphs, their codes in the subset, and the characters each
/// stands for (the first occurrence decides: one glyph, one ToUnicode string).
struct FacePlan {
    id: FaceId,
    glyphs: BTreeMap<u16, String>,
    remapper: subsetter::GlyphRemapper,
    /// The six-letter tag marks a subset (ISO 32000-1, 9.6.4); derived from the glyph set
    /// so it is stable for equal input and differs between different subsets.
    base_font: String,
}

/// A face's embedded font program (with its length before deflating) and ToUnicode map,
/// each deflated when that makes it smaller (the flag says whether it was).
struct FontPrograms {
    program: (Vec<u8>, usize, bool),
    to_unicode: (Vec<u8>, bool),
}

/// Every face the pages use, in face order, with the glyphs each needs.
fn plan_fonts(layout: &Layout, fonts: &FontSet) -> Vec<FacePlan> {
    let mut used: BTreeMap<FaceId, BTreeMap<u16, String>> = BTreeMap::new();
    // Glyphs met so far, by face: a bit per glyph id is quicker than a map lookup for each
    // of a long packet's million glyphs.
    let mut seen: BTreeMap<FaceId, Vec<u64>> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text { face, glyphs, .. } = item {
                let bits = seen.entry(*face).or_insert_with(|| vec![0; 1 << 10]);
                for g in glyphs.iter() {
                    let (word, bit) = (usize::from(g.gid) / 64, 1 << (g.gid % 64));
                    if bits[word] & bit == 0 {
                        bits[word] |= bit;
                        used.entry(*face)
                            .or_default()
                            .insert(g.gid, g.chars().collect());
                    }
                }
            }
        }
    }
    used.into_iter()
        .map(|(id, glyphs)| {
            let gids: BTreeSet<u16> = glyphs.keys().copied().collect();
            let mut remapper = subsetter::GlyphRemapper::new();
            for &g in &gids {
                remapper.remap(g);
            }
            let base_font = format!("{}+{}", subset_tag(id, &gids), fonts.face(id).name);
            FacePlan {
                id,
                glyphs,
                remapper,
                base_font,
            }
        })
        .collect()
}

impl FacePlan {
    /// The subset as the content streams use it.
    fn subset(&self, fonts: &FontSet) -> SubsetFace {
        let face = fonts.face(self.id);
        let em = 1000.0 / f64::from(face.metrics().units_per_em);
        let count = usize::from(self.remapper.num_gids());
        let last = self.glyphs.keys().next_back().copied();
        let mut sub = SubsetFace {
            remap: vec![0; last.map_or(0, |g| usize::from(g) + 1)],
            widths: vec![0; count],
            exact: vec![0.0; count],
        };
        for &gid in self.glyphs.keys() {
            let Some(code) = self.remapper.get(gid) else {
                continue;
            };
            let exact = f64::from(face.advance_units(gid)) * em;
            sub.remap[usize::from(gid)] = code;
            sub.widths[usize::from(code)] = exact.round() as i32;
            sub.exact[usize::from(code)] = exact;
        }
        sub
    }

    /// The subset font program and the ToUnicode map, deflated.
    fn programs(&self, fonts: &FontSet) -> Result<FontPrograms, PdfError> {
        let face = fonts.face(self.id);
        let program = subsetter::subset(&face.bytes, 0, &self.remapper)
            .map_err(|e| PdfError::Font(format!("cannot subset {}: {e}", face.name)))?;
        let mut to_unicode: Vec<(u16, &str)> = self
            .glyphs
            .iter()
            .filter_map(|(&gid, chars)| Some((self.remapper.get(gid)?, chars.as_str())))
            .collect();
        to_unicode.sort_unstable();
        let plain = program.len();
        let (program, program_deflated) = deflated(program)?;
        Ok(FontPrograms {
            program: (program, plain, program_deflated),
            to_unicode: deflated(to_unicode_cmap(&to_unicode))?,
        })
    }
}

/// `bytes` deflated if that makes them smaller, and whether it did.
fn deflated(bytes: Vec<u8>) -> Result<(Vec<u8>, bool), PdfError> {
    Ok(match deflate_if_smaller(&bytes)? {
        Some(z) => (z, true),
        None => (bytes, false),
    })
}

/// A stream made (and deflated, if so) beforehand, with `entries` after its `/Length`: the
/// final pass leaves it alone.
fn ready_stream(entries: Vec<(&str, Object)>, (content, deflated): (Vec<u8>, bool)) -> Stream {
    let mut stream = Stream::new(Dictionary::new(), content);
    for (key, value) in entries {
        stream.dict.set(key, value);
    }
    if deflated {
        stream.dict.set("Filter", "FlateDecode");
    }
    stream.allows_compression = false;
    stream
}

/// The objects of one embedded TrueType subset — a Type0 font with Identity-H encoding
/// (codes are subset glyph ids), its `/W` widths and a ToUnicode map; returns the Type0
/// font's id.
fn font_objects(
    doc: &mut lopdf::Document,
    plan: &FacePlan,
    fonts: &FontSet,
    widths: &[i32],
    programs: FontPrograms,
) -> ObjectId {
    let metrics = fonts.face(plan.id).metrics();
    let base_font = plan.base_font.as_str();
    let scale = |v: i16| {
        Object::Integer((f64::from(v) * 1000.0 / f64::from(metrics.units_per_em)).round() as i64)
    };
    // ItalicAngle: degrees counter-clockwise from vertical, so an italic is negative.
    let (rise, run) = metrics.caret_slope;
    let italic_angle = if rise == 0 {
        0
    } else {
        (-f64::from(run).atan2(f64::from(rise)).to_degrees()).round() as i64
    };
    // Flags (ISO 32000-1, table 123): non-symbolic, italic when slanted.
    let flags = (1 << 5) | if italic_angle == 0 { 0 } else { 1 << 6 };
    // No table holds the stem width; the convention estimates it from the weight class.
    let stem_v = if metrics.weight == 0 {
        80
    } else {
        50 + (f64::from(metrics.weight) / 65.0).powi(2).round() as i64
    };
    let (program, plain, deflated) = programs.program;
    let file_id = doc.add_object(ready_stream(
        vec![("Length1", Object::Integer(plain as i64))],
        (program, deflated),
    ));
    let [x_min, y_min, x_max, y_max] = metrics.bbox;
    let descriptor = doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"FontDescriptor".to_vec())),
        ("FontName", Object::Name(base_font.as_bytes().to_vec())),
        ("Flags", Object::Integer(flags)),
        (
            "FontBBox",
            Object::Array(vec![scale(x_min), scale(y_min), scale(x_max), scale(y_max)]),
        ),
        ("ItalicAngle", Object::Integer(italic_angle)),
        ("Ascent", scale(metrics.ascent)),
        ("Descent", scale(metrics.descent)),
        ("CapHeight", scale(metrics.cap_height)),
        ("StemV", Object::Integer(stem_v)),
        ("FontFile2", Object::Reference(file_id)),
    ]));
    // Subset glyph ids are consecutive from 0: one run of widths says it all.
    let w = Object::Array(vec![
        Object::Integer(0),
        Object::Array(
            widths
                .iter()
                .map(|&w| Object::Integer(i64::from(w)))
                .collect(),
        ),
    ]);
    let descendant = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"CIDFontType2".to_vec())),
        ("BaseFont", Object::Name(base_font.as_bytes().to_vec())),
        (
            "CIDSystemInfo",
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Registry", Object::string_literal("Adobe")),
                ("Ordering", Object::string_literal("Identity")),
                ("Supplement", Object::Integer(0)),
            ])),
        ),
        ("FontDescriptor", Object::Reference(descriptor)),
        ("W", w),
        ("CIDToGIDMap", Object::Name(b"Identity".to_vec())),
    ]);
    let cmap = doc.add_object(ready_stream(Vec::new(), programs.to_unicode));
    doc.add_object(Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Font".to_vec())),
        ("Subtype", Object::Name(b"Type0".to_vec())),
        ("BaseFont", Object::Name(base_font.as_bytes().to_vec())),
        ("Encoding", Object::Name(b"Identity-H".to_vec())),
        (
            "DescendantFonts",
            Object::Array(vec![Object::Dictionary(descendant)]),
        ),
        ("ToUnicode", Object::Reference(cmap)),
    ]))
}

/// A ToUnicode CMap (Adobe technical note 5411) from two-byte codes to the text each glyph
/// stands for — several characters for a ligature, UTF-16BE with surrogate pairs.
fn to_unicode_cmap(entries: &[(u16, &str)]) -> Vec<u8> {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    // At most 100 entries per block (the note's limit).
    for block in entries.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", block.len()));
        for (code, text) in block {
            out.push_str(&format!("<{code:04X}> <"));
            for unit in text.encode_utf16() {
                out.push_str(&format!("{unit:04X}"));
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out.into_bytes()
}

fn subset_tag(face: FaceId, gids: &BTreeSet<u16>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(face.to_be_bytes());
    for g in gids {
        h.update(g.to_be_bytes());
    }
    let digest = h.finalize();
    let mut v = u64::from_be_bytes(
        digest[..8]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes"),
    );
    (0..6)
        .map(|_| {
            let c = (b'A' + (v % 26) as u8) as char;
            v /= 26;
            c
        })
        .collect()
}

/// The images the pages show that `assets` has, in the order they first appear.
fn used_images<'a>(layout: &Layout, assets: &'a BTreeMap<String, &[u8]>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Image { src, .. } = item
                && let Some((name, _)) = assets.get_key_value(src)
                && !out.contains(&name.as_str())
            {
                out.push(name);
            }
        }
    }
    out
}

/// The catalog (with the metadata, output intent and language of [`super::metadata`]),
/// nested outline, viewer preferences and file identifier.
fn finish(
    doc: &mut lopdf::Document,
    layout: &Layout,
    pages_id: ObjectId,
    page_ids: &[ObjectId],
    geo: &Geometry,
    info: &DocInfo,
    id: [u8; 16],
) {
    let described = super::metadata::add(doc, info);

    // Both halves the same: the file is made new each time, never updated in place.
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.to_vec(), StringFormat::Hexadecimal),
            Object::String(id.to_vec(), StringFormat::Hexadecimal),
        ]),
    );

    let outline = build_outline(doc, &layout.headings, &layout.anchors, page_ids, geo.height);
    let mut catalog = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Catalog".to_vec())),
        ("Pages", Object::Reference(pages_id)),
        (
            "ViewerPreferences",
            Object::Dictionary(Dictionary::from_iter(vec![(
                "DisplayDocTitle",
                Object::Boolean(true),
            )])),
        ),
    ]);
    for (key, value) in described {
        catalog.set(key, value);
    }
    if let Some(outline_id) = outline {
        catalog.set("Outlines", Object::Reference(outline_id));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", Object::Reference(catalog_id));
}

/// Outline from H2–H4 (and any H1 after the title), nested by level, in document order.
fn build_outline(
    doc: &mut lopdf::Document,
    headings: &[HeadingMark],
    anchors: &BTreeMap<String, (usize, Pt)>,
    page_ids: &[lopdf::ObjectId],
    height: Pt,
) -> Option<lopdf::ObjectId> {
    let flat: Vec<(u8, Node)> = headings
        .iter()
        .enumerate()
        // The first H1 is the document title: the title page, not a section.
        .filter(|(i, h)| h.level <= 4 && !(*i == 0 && h.level == 1))
        .filter_map(|(_, h)| {
            let (page, top) = anchors.get(&h.anchor)?;
            let page_id = page_ids.get(*page)?;
            let dest = destination(*page_id, *top, height);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::tags::Role;
    use crate::pdf::text::PlacedGlyph;

    fn number_text(v: f64) -> String {
        let mut out = Vec::new();
        number(&mut out, v);
        String::from_utf8(out).expect("ASCII")
    }

    #[test]
    fn numbers_have_at_most_three_decimals_and_no_trailing_zeros() {
        assert_eq!(number_text(0.0), "0");
        assert_eq!(number_text(12.5), "12.5");
        assert_eq!(number_text(-0.25), "-0.25");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(841.8898), "841.89");
        assert_eq!(number_text(1.0004), "1");
        assert_eq!(number_text(-0.0004), "0");
        assert_eq!(number_text(0.0005), "0.001");
    }

    /// The viewer advances by the rounded `/W` width; a `TJ` number moves the pen back to
    /// where the layout put the next glyph once the two are half a unit or more apart, and
    /// text further along the same baseline joins the array.
    #[test]
    fn tj_numbers_keep_glyphs_where_the_layout_put_them() {
        let sub = SubsetFace {
            remap: vec![0, 1, 2],
            widths: vec![0, 500, 600],
            exact: vec![0.0, 500.4, 600.0],
        };
        let glyph = |gid: u16, kern: f32| PlacedGlyph {
            face: 0,
            gid,
            ch: 'a',
            lig: None,
            advance: Pt(0.0),
            kern: Pt(kern),
            extra: Pt::ZERO,
        };
        let mut c = Content::default();
        c.begin_text();
        // 10 pt: a thousandth of an em is 0.01 pt. Kerning of -0.5 pt after glyph 2.
        c.text(
            0,
            Pt(10.0),
            72.0,
            700.0,
            &sub,
            &[glyph(1, 0.0), glyph(2, -0.5), glyph(1, 0.0)],
        );
        // The next word, 3 pt after where the layout ended the first (15.508 pt in).
        c.text(
            0,
            Pt(10.0),
            72.0 + 15.508 + 3.0,
            700.0,
            &sub,
            &[glyph(2, 0.0)],
        );
        let out = String::from_utf8(c.finish().0).expect("ASCII");
        assert_eq!(
            out,
            "BT\n/F0 10 Tf\n1 0 0 1 72 700 Tm\n[<00010002>50<0001>-1 -300<0002>] TJ\nET\n"
        );
    }

    /// Each change of element or artifact closes the text object and the sequence, so
    /// sequences never nest and never cut a `BT` … `ET` in two; MCIDs count up per page.
    #[test]
    fn marked_content_encloses_whole_text_objects() {
        let mut tree = Tree::document();
        let p = tree.push(Role::P, Some(0));
        let link = tree.push(Role::Link, Some(p));
        let sub = SubsetFace {
            remap: vec![0, 1],
            widths: vec![0, 500],
            exact: vec![0.0, 500.0],
        };
        let glyph = PlacedGlyph {
            face: 0,
            gid: 1,
            ch: 'a',
            lig: None,
            advance: Pt(5.0),
            kern: Pt::ZERO,
            extra: Pt::ZERO,
        };
        let mut c = Content::default();
        for (mark, x) in [
            (Mark::Content(p), 72.0),
            (Mark::Content(p), 77.0),
            (Mark::Content(link), 82.0),
            (Mark::Artifact(Artifact::Footer), 90.0),
            (Mark::Content(p), 95.0),
        ] {
            c.mark(mark, &tree);
            c.begin_text();
            c.text(0, Pt(10.0), x, 700.0, &sub, std::slice::from_ref(&glyph));
        }
        let (out, mcids) = c.finish();
        let out = String::from_utf8(out).expect("ASCII");
        assert_eq!(mcids, [p, link, p]);
        let ops: Vec<&str> = out
            .lines()
            .filter(|l| l.ends_with("BDC") || *l == "EMC" || *l == "BT" || *l == "ET")
            .collect();
        assert_eq!(
            ops,
            [
                "/P <</MCID 0>> BDC",
                "BT",
                "ET",
                "EMC",
                "/Link <</MCID 1>> BDC",
                "BT",
                "ET",
                "EMC",
                "/Artifact <</Type /Pagination /Subtype /Footer>> BDC",
                "BT",
                "ET",
                "EMC",
                "/P <</MCID 2>> BDC",
                "BT",
                "ET",
                "EMC",
            ]
        );
    }
}
