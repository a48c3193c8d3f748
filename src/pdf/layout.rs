//! Layout: document model → pages of positioned items, all lengths in [`Pt`].
//!
//! Pure: takes blocks, fonts (plain data), image pixel sizes and the page numbers learnt
//! by a previous pass; gives pages whose items the drawing step only has to write. Blocks
//! are first flattened into [`Chunk`]s (a line, a table row, an image …) that carry their
//! own keep-together rules; [`paginate`] then fills pages, so widows, orphans, headings
//! kept with their text and repeated table heads are all decided on plain data. Content
//! taller than an empty page is an error, never a loop.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::PdfError;
use super::fonts::{FaceId, FaceKind, FontSet};
use super::length::Pt;
use super::model::{self, Block, Inline, Link, Status};
use super::text::{self, Align, Atom, Line, Piece, PlacedGlyph, Rgb, RunStyle, Target};

// ---- theme ---------------------------------------------------------------------------

const BODY_SIZE: Pt = Pt(10.5);
const BODY_LEADING: Pt = Pt(15.0);
const PARA_GAP: Pt = Pt(7.0);
const SMALL_SIZE: Pt = Pt(8.6);
const TABLE_LEADING: Pt = Pt(11.4);
const CELL_PAD_X: Pt = Pt(4.5);
const CELL_PAD_Y: Pt = Pt(3.6);
/// Table rows with at least this many lines may break between pages.
const MIN_SPLIT_ROW_LINES: usize = 4;
const CODE_LEADING: Pt = Pt(11.6);
const CODE_PAD: Pt = Pt(6.0);
const LIST_INDENT: Pt = Pt(18.0);
const QUOTE_INDENT: Pt = Pt(14.0);

const TEXT: Rgb = Rgb(0.11, 0.11, 0.13);
const MUTED: Rgb = Rgb(0.40, 0.42, 0.46);
/// Whether a word may take hyphens: e-mail addresses, domains, paths, identifiers and
/// anything with a digit (numbers, versions, instance types) stay whole.
fn may_hyphenate(chars: &[char]) -> bool {
    !(chars
        .iter()
        .any(|c| c.is_ascii_digit() || matches!(c, '@' | '/' | '_' | '\\'))
        || chars
            .windows(2)
            .any(|w| w[0] == '.' && w[1].is_alphanumeric()))
}

/// Side of a table-of-contents leader dot (a full stop of the body face is about this wide).
const LEADER_DOT: Pt = Pt(0.9);
const HEADING: Rgb = Rgb(0.07, 0.19, 0.35);
const ACCENT: Rgb = Rgb(0.16, 0.38, 0.62);
const LINK: Rgb = Rgb(0.08, 0.33, 0.66);
const MET: Rgb = Rgb(0.07, 0.45, 0.20);
const NOT_MET: Rgb = Rgb(0.72, 0.12, 0.10);
const MET_BG: Rgb = Rgb(0.89, 0.96, 0.90);
const NOT_MET_BG: Rgb = Rgb(0.99, 0.91, 0.90);
const RULE: Rgb = Rgb(0.78, 0.80, 0.84);
const CODE_BG: Rgb = Rgb(0.945, 0.953, 0.965);
const HEAD_BG: Rgb = Rgb(0.925, 0.937, 0.955);

// Noto's hhea ascender/descender, as fractions of the em: they centre text in its line box.
const ASCENT: f32 = 1.069;
const DESCENT: f32 = 0.293;

/// Offset of the baseline below the top of a line box.
fn baseline(size: Pt, leading: Pt) -> Pt {
    (leading - size * (ASCENT + DESCENT)) / 2.0 + size * ASCENT
}

// ---- output types --------------------------------------------------------------------

/// Page size and margins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    pub width: Pt,
    pub height: Pt,
    pub margin_x: Pt,
    pub top: Pt,
    pub bottom: Pt,
}

impl Geometry {
    /// ISO A4.
    pub(crate) fn a4() -> Geometry {
        Geometry {
            width: Pt(595.28),
            height: Pt(841.89),
            margin_x: Pt(72.0),
            top: Pt(78.0),
            bottom: Pt(72.0),
        }
    }

    /// US Letter.
    pub(crate) fn letter() -> Geometry {
        Geometry {
            width: Pt(612.0),
            height: Pt(792.0),
            margin_x: Pt(72.0),
            top: Pt(78.0),
            bottom: Pt(72.0),
        }
    }

    pub(crate) fn body_width(&self) -> Pt {
        self.width - self.margin_x * 2.0
    }

    pub(crate) fn body_height(&self) -> Pt {
        self.height - self.top - self.bottom
    }
}

/// Something to draw. `y` grows downwards from the top of the page (from the top of the
/// chunk, before pagination); text `y` is the baseline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Text {
        x: Pt,
        y: Pt,
        face: FaceId,
        size: Pt,
        color: Rgb,
        /// Shared: the memo keeps the chunks of each block beside the pages made from them.
        glyphs: Arc<[PlacedGlyph]>,
    },
    Rect {
        x: Pt,
        y: Pt,
        w: Pt,
        h: Pt,
        color: Rgb,
    },
    Line {
        x1: Pt,
        y1: Pt,
        x2: Pt,
        y2: Pt,
        width: Pt,
        color: Rgb,
    },
    Image {
        x: Pt,
        y: Pt,
        w: Pt,
        h: Pt,
        src: String,
    },
    Link {
        x: Pt,
        y: Pt,
        w: Pt,
        h: Pt,
        target: Target,
    },
}

impl Item {
    fn shift(&mut self, dy: Pt) {
        match self {
            Item::Text { y, .. }
            | Item::Rect { y, .. }
            | Item::Image { y, .. }
            | Item::Link { y, .. } => *y += dy,
            Item::Line { y1, y2, .. } => {
                *y1 += dy;
                *y2 += dy;
            }
        }
    }
}

/// An unbreakable slice of the flow: a line of text, a table row, an image.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chunk {
    pub height: Pt,
    /// Gap above; dropped at the top of a page.
    pub space_before: Pt,
    pub items: Vec<Item>,
    /// No page break between this chunk and the next.
    pub keep_with_next: bool,
    /// Starts a new page.
    pub break_before: bool,
    /// Drawn first when this chunk opens a page (a table's head row).
    pub header: Option<Arc<Chunk>>,
    /// Drawn below this chunk when it is the last on its page (the rule that closes a
    /// table row split across pages); relative to the chunk's top.
    pub closing: Vec<Item>,
    /// Heading anchors that point here.
    pub anchors: Vec<String>,
    /// Baseline of the first text line, to align list markers with it.
    pub baseline: Option<Pt>,
    /// Heading path, for error messages.
    pub context: Arc<str>,
}

/// One page of positioned items.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Page {
    pub items: Vec<Item>,
}

/// A heading, for the outline.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeadingMark {
    pub level: u8,
    pub title: String,
    pub anchor: String,
}

/// Anchor → (page index, y of the heading top).
pub(crate) type Anchors = BTreeMap<String, (usize, Pt)>;

/// The laid-out document.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub pages: Vec<Page>,
    pub anchors: Anchors,
    pub headings: Vec<HeadingMark>,
    pub warnings: Vec<String>,
}

/// What the layout needs from the options.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub geometry: Geometry,
    pub justify: bool,
    pub running_header: String,
    pub page_break_before: Vec<String>,
    pub toc_anchor: Option<String>,
    /// Hyphenation patterns for the text's language; `None` sets justified text unhyphenated.
    pub hyphenation: Option<super::hyphen::Dictionary>,
    /// Threads that may lay out blocks at the same time (the output does not depend on it).
    pub threads: usize,
}

// ---- entry point ---------------------------------------------------------------------

/// Lays out the document. `page_of` maps anchors to 1-based page numbers from a previous
/// pass (empty on the first), for the table of contents and "p. N" after internal links.
#[cfg(test)]
pub(crate) fn layout(
    blocks: &[Block],
    fonts: &FontSet,
    images: &BTreeMap<String, (u32, u32)>,
    settings: &Settings,
    page_of: &BTreeMap<String, usize>,
) -> Result<Layout, PdfError> {
    layout_with(
        blocks,
        fonts,
        images,
        settings,
        page_of,
        &mut Memo::default(),
    )
}

/// What one layout pass learnt that the next can reuse: the chunks of each top-level block
/// of the body, with the page numbers its text showed. The passes that settle page numbers
/// only redo the blocks whose "p. N" changed (and the contents).
#[derive(Default)]
pub(crate) struct Memo {
    blocks: HashMap<usize, MemoBlock>,
}

struct MemoBlock {
    gap: Option<Pt>,
    /// Every page number the block showed: anchor → the page it was shown as.
    labels: Vec<(String, Option<usize>)>,
    chunks: Vec<Chunk>,
    warnings: Vec<String>,
    missing: BTreeMap<String, BTreeSet<char>>,
}

/// [`layout`], reusing what earlier passes over the same blocks laid out.
pub(crate) fn layout_with(
    blocks: &[Block],
    fonts: &FontSet,
    images: &BTreeMap<String, (u32, u32)>,
    settings: &Settings,
    page_of: &BTreeMap<String, usize>,
    memo: &mut Memo,
) -> Result<Layout, PdfError> {
    let known: BTreeSet<String> = collect_headings(blocks)
        .into_iter()
        .map(|h| h.anchor)
        .collect();
    let mut flow = Flow {
        fonts,
        images,
        settings,
        page_of,
        known: &known,
        path: Vec::new(),
        missing: BTreeMap::new(),
        warnings: Vec::new(),
        context: Arc::from("title page"),
        labels: Vec::new(),
    };
    let geo = settings.geometry;
    let ctx = Ctx {
        x: geo.margin_x,
        width: geo.body_width(),
        color: TEXT,
        align: if settings.justify {
            Align::Justify
        } else {
            Align::Left
        },
    };

    let first_h2 = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 2, .. }))
        .unwrap_or(blocks.len());
    let mut chunks = flow.title_page(&blocks[..first_h2], ctx);
    let body = flow.body(&blocks[first_h2..], blocks, ctx, memo);
    chunks.extend(body);

    let (mut pages, anchors) = paginate(chunks, &geo)?;
    // The section in force on each page (the last H2 that starts on or before it).
    let mut section_of_page: Vec<String> = vec![String::new(); pages.len()];
    for h in collect_headings(blocks).iter().filter(|h| h.level == 2) {
        if let Some((page, _)) = anchors.get(&h.anchor) {
            for s in section_of_page.iter_mut().skip(*page) {
                s.clone_from(&h.title);
            }
        }
    }
    flow.decorate(&mut pages, &section_of_page);

    let mut warnings = flow.warnings;
    for (path, chars) in flow.missing {
        let list: Vec<String> = chars
            .iter()
            .map(|c| format!("'{c}' (U+{:04X})", *c as u32))
            .collect();
        warnings.push(format!(
            "{path}: no font has {}; drawn as a missing-glyph box (add a font with PdfOptions::font_dirs)",
            list.join(", ")
        ));
    }
    Ok(Layout {
        pages,
        anchors,
        headings: collect_headings(blocks),
        warnings,
    })
}

fn collect_headings(blocks: &[Block]) -> Vec<HeadingMark> {
    let mut out = Vec::new();
    fn walk(blocks: &[Block], out: &mut Vec<HeadingMark>) {
        for b in blocks {
            match b {
                Block::Heading {
                    level,
                    text,
                    anchor,
                    ..
                } => out.push(HeadingMark {
                    level: *level,
                    title: text.clone(),
                    anchor: anchor.clone(),
                }),
                Block::Quote(inner) => walk(inner, out),
                Block::List { items, .. } => items.iter().for_each(|i| walk(&i.blocks, out)),
                _ => {}
            }
        }
    }
    walk(blocks, &mut out);
    out
}

// ---- pagination ----------------------------------------------------------------------

/// Fills pages with chunks, honouring keep-with-next groups, forced breaks and repeated
/// table heads. Returns the pages and where each anchor landed.
pub(crate) fn paginate(
    chunks: Vec<Chunk>,
    geo: &Geometry,
) -> Result<(Vec<Page>, Anchors), PdfError> {
    // Chunks are taken out as they are placed: their items move onto the pages.
    let mut chunks = chunks;
    let chunks = chunks.as_mut_slice();
    let body = geo.body_height();
    let mut state = Pager {
        pages: vec![Page::default()],
        anchors: BTreeMap::new(),
        cursor: Pt::ZERO,
        empty: true,
        top: geo.top,
        closing: Vec::new(),
    };
    let mut i = 0;
    while i < chunks.len() {
        let mut j = i;
        while j + 1 < chunks.len() && chunks[j].keep_with_next && !chunks[j + 1].break_before {
            j += 1;
        }
        if chunks[i].break_before && !state.empty {
            state.new_page();
        }
        let need = group_height(&chunks[i..=j], state.empty);
        if state.cursor + need <= body + text_eps() {
            for c in &mut chunks[i..=j] {
                state.place(c);
            }
            i = j + 1;
            continue;
        }
        if !state.empty {
            state.new_page();
            continue;
        }
        // The group does not fit even an empty page: keep what fits together, break the rest.
        let mut placed = false;
        while i <= j {
            let need = group_height(&chunks[i..=i], state.empty);
            if state.cursor + need > body + text_eps() {
                break;
            }
            state.place(&mut chunks[i]);
            i += 1;
            placed = true;
        }
        if !placed {
            let c = &chunks[i];
            return Err(PdfError::DoesNotFit(format!(
                "content in \"{}\" is {:.0} pt tall but a page holds {:.0} pt",
                c.context,
                group_height(&chunks[i..=i], true).0,
                body.0
            )));
        }
    }
    Ok((state.pages, state.anchors))
}

fn text_eps() -> Pt {
    Pt(0.01)
}

/// Height a group needs; at the top of a page its first gap is dropped and a table head
/// is repeated.
fn group_height(group: &[Chunk], at_top: bool) -> Pt {
    let mut h = Pt::ZERO;
    for (k, c) in group.iter().enumerate() {
        if k > 0 || !at_top {
            h += c.space_before;
        }
        h += c.height;
    }
    if at_top && let Some(head) = group.first().and_then(|c| c.header.as_ref()) {
        h += head.height;
    }
    h
}

struct Pager {
    pages: Vec<Page>,
    anchors: Anchors,
    cursor: Pt,
    empty: bool,
    top: Pt,
    /// Closing items of the last chunk placed, already at their page position.
    closing: Vec<Item>,
}

impl Pager {
    fn new_page(&mut self) {
        let closing = std::mem::take(&mut self.closing);
        if let Some(page) = self.pages.last_mut() {
            page.items.extend(closing);
        }
        self.pages.push(Page::default());
        self.cursor = Pt::ZERO;
        self.empty = true;
    }

    fn place(&mut self, chunk: &mut Chunk) {
        // At the top of a page the gap above is dropped, also when a repeated head comes
        // first ([`group_height`] counts it so).
        let at_top = self.empty;
        if at_top && let Some(head) = &chunk.header {
            let head = head.clone();
            self.put(head.items.iter().cloned(), &head, Pt::ZERO, true);
        }
        let gap = if at_top { Pt::ZERO } else { chunk.space_before };
        let items = std::mem::take(&mut chunk.items);
        self.put(items.into_iter(), chunk, gap, at_top);
    }

    /// Puts `items` (the chunk's own, or a clone of a repeated head's) on the page.
    fn put(&mut self, items: impl Iterator<Item = Item>, chunk: &Chunk, gap: Pt, at_top: bool) {
        let y0 = self.cursor + gap;
        let page_index = self.pages.len() - 1;
        let origin = self.top + y0;
        let page = &mut self.pages[page_index];
        for mut item in items {
            // Decorations that reach up into the dropped gap (quote bars) stop at the page top.
            if at_top
                && let Item::Rect { y, h, .. } = &mut item
                && *y < Pt::ZERO
            {
                *h += *y;
                *y = Pt::ZERO;
            }
            item.shift(origin);
            page.items.push(item);
        }
        for a in &chunk.anchors {
            self.anchors.insert(a.clone(), (page_index, origin));
        }
        self.closing = chunk
            .closing
            .iter()
            .map(|item| {
                let mut item = item.clone();
                item.shift(origin);
                item
            })
            .collect();
        self.cursor = y0 + chunk.height;
        self.empty = false;
    }
}

// ---- flow: blocks → chunks -----------------------------------------------------------

/// The cells of one table row and how its columns are set.
struct Cells<'a> {
    atoms: &'a [Vec<Atom>],
    widths: &'a [Pt],
    aligns: &'a [Align],
    status: &'a [Option<Status>],
    bg: Option<Rgb>,
}

/// Where a block goes and how its text looks by default.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    x: Pt,
    width: Pt,
    color: Rgb,
    align: Align,
}

impl Ctx {
    fn indented(self, by: Pt) -> Ctx {
        Ctx {
            x: self.x + by,
            width: self.width - by,
            ..self
        }
    }
}

/// Base text style of a block.
#[derive(Debug, Clone, Copy)]
struct TextStyle {
    kind: FaceKind,
    size: Pt,
    leading: Pt,
    color: Rgb,
}

impl TextStyle {
    fn body(color: Rgb) -> TextStyle {
        TextStyle {
            kind: FaceKind::Regular,
            size: BODY_SIZE,
            leading: BODY_LEADING,
            color,
        }
    }
}

/// Whether an internal link shows its target page.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PageRef {
    /// "Reference architecture, p. 7" — on paper a reader cannot click.
    Shown,
    /// Nothing (table of contents, headings, captions).
    None,
}

struct Flow<'a> {
    fonts: &'a FontSet,
    images: &'a BTreeMap<String, (u32, u32)>,
    settings: &'a Settings,
    page_of: &'a BTreeMap<String, usize>,
    known: &'a BTreeSet<String>,
    /// Current heading texts by level, for warnings.
    path: Vec<(u8, String)>,
    missing: BTreeMap<String, BTreeSet<char>>,
    warnings: Vec<String>,
    context: Arc<str>,
    /// Page numbers shown since the body block being laid out began (for the memo).
    labels: Vec<(String, Option<usize>)>,
}

/// What the body does with the chunks of one of its top-level blocks.
enum Step {
    /// A heading's; it may start a page.
    Heading { start_page: bool },
    /// The `k`th block's, laid out afresh: into the memo.
    Fresh { k: usize, gap: Option<Pt> },
    /// The table of contents', or a block's from the memo: nothing.
    AsIs,
}

/// Work for a layout thread (one per [`Step`]), with the heading path the flow is in where
/// it starts.
struct Job<'b> {
    work: Work<'b>,
    path: Vec<(u8, String)>,
    context: Arc<str>,
    /// Bytes of text it lays out, or the like for a copy: the measure that decides on threads.
    cost: usize,
}

enum Work<'b> {
    /// A block, with the gap that overrides its own; `keep`: with a copy for the memo.
    Block {
        block: &'b Block,
        gap: Option<Pt>,
        keep: bool,
    },
    /// The table of contents after the heading with this anchor.
    Toc(&'b str),
    /// A copy of a block laid out by an earlier pass. Copies are work too (an eighth of
    /// laying out, and most of a later pass): sharing them out halves it.
    Reuse(&'b MemoBlock),
}

/// A job's chunks, and what it reported, kept apart so that they are merged in order.
#[derive(Default)]
struct Laid {
    chunks: Vec<Chunk>,
    /// A copy of `chunks` for the memo, if the job was to keep one.
    kept: Vec<Chunk>,
    warnings: Vec<String>,
    missing: BTreeMap<String, BTreeSet<char>>,
    labels: Vec<(String, Option<usize>)>,
}

/// Text for one layout thread: a pass takes one more thread for every 8 KB of text (a copy
/// from the memo counts an eighth) begun, up to the cores. 8 KB is about 2 ms of work in a
/// release build, forty times what starting a thread costs; the sample packet's second pass
/// (12 KB, most of it the checklist table and the contents) takes 0.5 ms less on two.
const MIN_THREAD_TEXT: usize = 8 * 1024;

/// Bytes of text in a block.
fn text_len(block: &Block) -> usize {
    let inlines = |v: &[Inline]| v.iter().map(|i| i.text.len()).sum::<usize>();
    match block {
        Block::Heading { text, .. } => text.len(),
        Block::Paragraph(i) => inlines(i),
        Block::List { items, .. } => items.iter().flat_map(|i| &i.blocks).map(text_len).sum(),
        Block::Quote(inner) => inner.iter().map(text_len).sum(),
        Block::Code(code) => code.len(),
        Block::Table { head, rows, .. } => head
            .iter()
            .chain(rows.iter().flatten())
            .map(|c| inlines(c))
            .sum(),
        Block::Image { alt, .. } => alt.len(),
        Block::Rule => 0,
    }
}

impl Flow<'_> {
    fn enter_heading(&mut self, level: u8, text: &str) {
        self.path.retain(|(l, _)| *l < level);
        self.path.push((level, text.to_string()));
        let shown: Vec<&str> = self
            .path
            .iter()
            .filter(|(l, _)| *l >= 2)
            .map(|(_, t)| t.as_str())
            .collect();
        self.context = Arc::from(if shown.is_empty() {
            "title page".to_string()
        } else {
            shown.join(" › ")
        });
    }

    fn shape(&mut self, text: &str, kind: FaceKind, size: Pt) -> Vec<super::fonts::Glyph> {
        let mut missing = Vec::new();
        let glyphs = self.fonts.shape(text, kind, size, &mut missing);
        if !missing.is_empty() {
            self.missing
                .entry(self.context.to_string())
                .or_default()
                .extend(missing);
        }
        glyphs
    }

    // -- inline text --

    fn run_style(&self, s: &model::InlineStyle, base: &TextStyle) -> RunStyle {
        let bold = s.bold || s.status.is_some();
        let (kind, size) = if s.code {
            (FaceKind::Mono, base.size * 0.88)
        } else {
            (base.kind.with(bold, s.italic), base.size)
        };
        let link = match &s.link {
            Some(Link::External(u)) => Some(Target::Uri(u.clone())),
            Some(Link::Internal(a)) if self.known.contains(a) => Some(Target::Anchor(a.clone())),
            _ => None,
        };
        let color = match s.status {
            Some(Status::Met) => MET,
            Some(Status::NotMet) => NOT_MET,
            None if link.is_some() => LINK,
            None => base.color,
        };
        RunStyle {
            kind,
            size,
            color,
            link,
            strike: s.strike,
            code_bg: s.code,
        }
    }

    fn page_label(&mut self, anchor: &str) -> String {
        let page = self.page_of.get(anchor).copied();
        self.labels.push((anchor.to_string(), page));
        match page {
            Some(n) => n.to_string(),
            // First pass: a two-digit placeholder keeps the second pass's lines close.
            None => "00".to_string(),
        }
    }

    /// Inline runs → atoms for the line breaker.
    fn atoms(&mut self, inlines: &[Inline], base: &TextStyle, page_ref: PageRef) -> Vec<Atom> {
        let mut out = Vec::new();
        let mut word: Vec<Piece> = Vec::new();
        for (i, inline) in inlines.iter().enumerate() {
            if let Some(Link::Internal(a)) = &inline.style.link
                && !self.known.contains(a)
            {
                let w = format!(
                    "{}: the link to #{a} has no matching heading; it is shown as plain text",
                    self.context
                );
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
            }
            let style = self.run_style(&inline.style, base);
            if inline.text == "\n" {
                self.flush_word(&mut word, &mut out);
                out.push(Atom::Newline);
                continue;
            }
            // Code and verdicts ("Not Met") never break at their spaces, nor stretch them.
            let glue = style.code_bg || inline.style.status.is_some();
            self.push_text(&inline.text, &style, glue, &mut word, &mut out);
            // After the last run of an internal link, say which page it points to.
            if let (Some(Target::Anchor(a)), true) = (&style.link, page_ref != PageRef::None) {
                let next_same = inlines
                    .get(i + 1)
                    .is_some_and(|n| n.style.link == inline.style.link);
                if !next_same {
                    let mut s = style.clone();
                    s.kind = base.kind;
                    s.strike = false;
                    s.code_bg = false;
                    let label = self.page_label(a);
                    let suffix = format!(", p.\u{a0}{label}");
                    self.push_text(&suffix, &s, false, &mut word, &mut out);
                }
            }
        }
        self.flush_word(&mut word, &mut out);
        out
    }

    fn push_text(
        &mut self,
        text: &str,
        style: &RunStyle,
        glue: bool,
        word: &mut Vec<Piece>,
        out: &mut Vec<Atom>,
    ) {
        let mut buf = String::new();
        // Half the tokens are spaces: shaped once per run, not looked up in the cache each.
        let mut space: Option<Vec<super::fonts::Glyph>> = None;
        for c in text.chars() {
            match c {
                ' ' if glue => buf.push(c),
                ' ' | '\t' | '\n' | '\r' | '\u{200b}' => {
                    self.push_token(&buf, style, word);
                    buf.clear();
                    self.flush_word(word, out);
                    let glyphs = if c == '\u{200b}' {
                        Vec::new()
                    } else {
                        space
                            .get_or_insert_with(|| self.shape(" ", style.kind, style.size))
                            .clone()
                    };
                    out.push(Atom::Space(Piece {
                        style: style.clone(),
                        glyphs,
                    }));
                }
                _ => buf.push(c),
            }
        }
        self.push_token(&buf, style, word);
    }

    /// Shapes a space-free token onto the current word. A bare http(s) URL in unlinked
    /// text becomes a link, as GitHub shows it (trailing punctuation stays outside).
    fn push_token(&mut self, token: &str, style: &RunStyle, word: &mut Vec<Piece>) {
        if token.is_empty() {
            return;
        }
        let starts_with = |prefix: &str| {
            token
                .get(..prefix.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(prefix))
        };
        if style.link.is_none()
            && !style.code_bg
            && (starts_with("https://") || starts_with("http://"))
        {
            let url = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '"']);
            let rest = &token[url.len()..];
            let link_style = RunStyle {
                color: LINK,
                link: Some(Target::Uri(url.to_string())),
                ..style.clone()
            };
            let glyphs = self.shape(url, style.kind, style.size);
            word.push(Piece {
                style: link_style,
                glyphs,
            });
            if !rest.is_empty() {
                let glyphs = self.shape(rest, style.kind, style.size);
                word.push(Piece {
                    style: style.clone(),
                    glyphs,
                });
            }
            return;
        }
        let glyphs = self.shape(token, style.kind, style.size);
        word.push(Piece {
            style: style.clone(),
            glyphs,
        });
    }

    /// Adds hyphenation points to plain words, and break points after the hyphens of
    /// compounds ("multi-tenant"), for the justified line breaker.
    fn hyphenate(&mut self, atoms: Vec<Atom>) -> Vec<Atom> {
        let mut out = Vec::with_capacity(atoms.len());
        for atom in atoms {
            let Atom::Word(pieces) = &atom else {
                out.push(atom);
                continue;
            };
            let [piece] = pieces.as_slice() else {
                out.push(atom);
                continue;
            };
            if piece.style.code_bg || matches!(piece.style.link, Some(Target::Uri(_))) {
                out.push(atom);
                continue;
            }
            // Break points as character indices: (index, shows a hyphen when broken).
            let chars: Vec<char> = piece.glyphs.iter().flat_map(|g| g.chars()).collect();
            if !may_hyphenate(&chars) {
                out.push(atom);
                continue;
            }
            let mut cuts: Vec<(usize, bool)> = Vec::new();
            let mut start = 0;
            while start < chars.len() {
                if !chars[start].is_alphabetic() {
                    start += 1;
                    continue;
                }
                let end = chars[start..]
                    .iter()
                    .position(|c| !c.is_alphabetic())
                    .map_or(chars.len(), |p| start + p);
                let segment: String = chars[start..end].iter().collect();
                if let Some(dict) = &self.settings.hyphenation {
                    cuts.extend(
                        super::hyphen::points(dict, &segment)
                            .into_iter()
                            .map(|p| (start + p, true)),
                    );
                }
                // An explicit hyphen between letters is a break point that adds nothing.
                if chars.get(end) == Some(&'-')
                    && chars.get(end + 1).is_some_and(|c| c.is_alphabetic())
                    && end - start >= 2
                {
                    cuts.push((end + 1, false));
                }
                start = end;
            }
            if cuts.is_empty() {
                out.push(atom);
                continue;
            }
            let hyphen = Piece {
                style: piece.style.clone(),
                glyphs: self.shape("-", piece.style.kind, piece.style.size),
            };
            // The character index each glyph starts at (ligatures span several).
            let starts: Vec<usize> = std::iter::once(0)
                .chain(piece.glyphs.iter().scan(0, |n, g| {
                    *n += g.chars().count();
                    Some(*n)
                }))
                .collect();
            let mut from = 0;
            for (at, shows) in cuts {
                out.push(Atom::Word(vec![Piece {
                    style: piece.style.clone(),
                    glyphs: self.fragment(piece, &chars, &starts, from..at),
                }]));
                out.push(Atom::Hyphen(if shows {
                    hyphen.clone()
                } else {
                    Piece {
                        style: piece.style.clone(),
                        glyphs: Vec::new(),
                    }
                }));
                from = at;
            }
            out.push(Atom::Word(vec![Piece {
                style: piece.style.clone(),
                glyphs: self.fragment(piece, &chars, &starts, from..chars.len()),
            }]));
        }
        out
    }

    /// The glyphs for characters `range` of a word being hyphenated: a slice of its glyphs,
    /// or, where a cut falls inside a ligature ("dif|fer"), the fragment shaped on its own
    /// (`text::rejoin` restores the ligature if the word is not broken there).
    fn fragment(
        &mut self,
        piece: &Piece,
        chars: &[char],
        starts: &[usize],
        range: std::ops::Range<usize>,
    ) -> Vec<super::fonts::Glyph> {
        match (
            starts.binary_search(&range.start),
            starts.binary_search(&range.end),
        ) {
            (Ok(a), Ok(b)) => piece.glyphs[a..b].to_vec(),
            _ => {
                let text: String = chars[range].iter().collect();
                self.shape(&text, piece.style.kind, piece.style.size)
            }
        }
    }

    fn flush_word(&self, word: &mut Vec<Piece>, out: &mut Vec<Atom>) {
        if !word.is_empty() {
            out.push(Atom::Word(std::mem::take(word)));
        }
    }

    /// Items for one placed line whose box starts at `top`.
    fn line_items(
        &self,
        line: &Line,
        x: Pt,
        width: Pt,
        align: Align,
        top: Pt,
        style: &TextStyle,
    ) -> Vec<Item> {
        let runs = text::place_line(line, x, width, align);
        let base = top + baseline(style.size, style.leading);
        let mut back = Vec::new();
        let mut front = Vec::new();
        let mut links: Vec<Item> = Vec::new();
        for run in &runs {
            let w = run.width();
            let size = run.style.size;
            if run.style.code_bg {
                back.push(Item::Rect {
                    x: run.x - Pt(1.5),
                    y: base - size * 0.95,
                    w: w + Pt(3.0),
                    h: size * 1.3,
                    color: CODE_BG,
                });
            }
            // One text item per face (fallback fonts split a run).
            let mut pen = run.x;
            let mut start = 0;
            while start < run.glyphs.len() {
                let face = run.glyphs[start].face;
                let end = run.glyphs[start..]
                    .iter()
                    .position(|g| g.face != face)
                    .map_or(run.glyphs.len(), |p| start + p);
                let glyphs: Arc<[PlacedGlyph]> = Arc::from(&run.glyphs[start..end]);
                let seg_w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                front.push(Item::Text {
                    x: pen,
                    y: base,
                    face,
                    size,
                    color: run.style.color,
                    glyphs,
                });
                pen += seg_w;
                start = end;
            }
            if run.style.strike {
                let y = base - size * 0.27;
                front.push(Item::Line {
                    x1: run.x,
                    y1: y,
                    x2: run.x + w,
                    y2: y,
                    width: size * 0.06,
                    color: run.style.color,
                });
            }
            if let Some(target) = &run.style.link {
                let h = style.leading;
                match links.last_mut() {
                    Some(Item::Link {
                        x: lx,
                        w: lw,
                        target: t,
                        ..
                    }) if t == target && (*lx + *lw - run.x).0.abs() < 0.5 => {
                        *lw = run.x + w - *lx;
                    }
                    _ => links.push(Item::Link {
                        x: run.x,
                        y: top,
                        w,
                        h,
                        target: target.clone(),
                    }),
                }
            }
        }
        back.extend(front);
        back.extend(links);
        back
    }

    /// Text → chunks, one per line, glued against widows and orphans.
    fn text_chunks(
        &mut self,
        inlines: &[Inline],
        style: TextStyle,
        ctx: Ctx,
        page_ref: PageRef,
        space_before: Pt,
    ) -> Vec<Chunk> {
        let atoms = self.atoms(inlines, &style, page_ref);
        let lines = if ctx.align == Align::Justify {
            let atoms = self.hyphenate(atoms);
            let mut lines = text::break_justified(atoms, ctx.width);
            text::rejoin(&mut lines, |t, s| self.shape(t, s.kind, s.size));
            lines
        } else {
            text::break_lines(&atoms, ctx.width)
        };
        let n = lines.len();
        let mut chunks: Vec<Chunk> = lines
            .iter()
            .enumerate()
            .map(|(k, line)| Chunk {
                height: style.leading,
                space_before: if k == 0 { space_before } else { Pt::ZERO },
                items: self.line_items(line, ctx.x, ctx.width, ctx.align, Pt::ZERO, &style),
                baseline: Some(baseline(style.size, style.leading)),
                context: self.context.clone(),
                ..Chunk::default()
            })
            .collect();
        if n >= 2 {
            chunks[0].keep_with_next = true;
            chunks[n - 2].keep_with_next = true;
        }
        chunks
    }

    // -- blocks --

    /// The title page: the H1 (split at an em dash into title and subtitle), an accent
    /// rule, and what follows. A list of "**Label:** value" items becomes a two-column
    /// facts table rather than bullets.
    fn title_page(&mut self, blocks: &[Block], ctx: Ctx) -> Vec<Chunk> {
        let mut out = vec![Chunk {
            height: self.settings.geometry.body_height() * 0.16,
            context: self.context.clone(),
            ..Chunk::default()
        }];
        let left = Ctx {
            align: Align::Left,
            ..ctx
        };
        let mut rest = blocks;
        if let Some(Block::Heading {
            level: 1,
            inlines,
            anchor,
            text,
            ..
        }) = blocks.first()
        {
            self.enter_heading(1, text);
            let (title, subtitle) = split_title(inlines);
            let style = TextStyle {
                kind: FaceKind::Heading,
                size: Pt(28.0),
                leading: Pt(34.0),
                color: HEADING,
            };
            let mut chunks = self.text_chunks(&title, style, left, PageRef::None, Pt::ZERO);
            if let Some(first) = chunks.first_mut() {
                first.anchors.push(anchor.clone());
            }
            if !subtitle.is_empty() {
                let style = TextStyle {
                    kind: FaceKind::Regular,
                    size: Pt(15.0),
                    leading: Pt(20.0),
                    color: ACCENT,
                };
                chunks.extend(self.text_chunks(&subtitle, style, left, PageRef::None, Pt(6.0)));
            }
            for c in &mut chunks {
                c.keep_with_next = true;
            }
            out.extend(chunks);
            out.push(Chunk {
                height: Pt(34.0),
                items: vec![Item::Rect {
                    x: ctx.x,
                    y: Pt(16.0),
                    w: Pt(72.0),
                    h: Pt(3.0),
                    color: ACCENT,
                }],
                keep_with_next: true,
                context: self.context.clone(),
                ..Chunk::default()
            });
            rest = &blocks[1..];
        }
        for block in rest {
            match block {
                Block::List { start: None, items } => match facts(items) {
                    Some(rows) => out.extend(self.facts_table(&rows, ctx)),
                    None => out.extend(self.block(block, left, None)),
                },
                other => out.extend(self.block(other, left, None)),
            }
        }
        out
    }

    /// Label/value rows, labels in small sans capitals, hairlines between rows.
    fn facts_table(&mut self, rows: &[(String, Vec<Inline>)], ctx: Ctx) -> Vec<Chunk> {
        let label_style = TextStyle {
            kind: FaceKind::Heading,
            size: Pt(8.0),
            leading: BODY_LEADING,
            color: MUTED,
        };
        let value_style = TextStyle::body(TEXT);
        let labels: Vec<Vec<Atom>> = rows
            .iter()
            .map(|(label, _)| {
                let inl = vec![Inline {
                    text: label.to_uppercase(),
                    style: model::InlineStyle::default(),
                }];
                self.atoms(&inl, &label_style, PageRef::None)
            })
            .collect();
        let label_w = labels
            .iter()
            .map(|a| natural_widths(a).1)
            .fold(Pt::ZERO, Pt::max)
            .min(ctx.width * 0.35)
            + Pt(16.0);
        let value_x = ctx.x + label_w;
        let value_w = ctx.width - label_w;
        // Labels sit on the values' baseline.
        let label_top = baseline(value_style.size, value_style.leading)
            - baseline(label_style.size, label_style.leading);
        let pad = Pt(5.0);
        let n = rows.len();
        let mut out = Vec::new();
        for (k, ((_, value), label)) in rows.iter().zip(&labels).enumerate() {
            let atoms = self.atoms(value, &value_style, PageRef::Shown);
            let lines = text::break_lines(&atoms, value_w);
            let label_lines = text::break_lines(label, label_w - Pt(8.0));
            let mut items = Vec::new();
            for (i, line) in label_lines.iter().enumerate() {
                let top = pad + label_top + BODY_LEADING * i as f32;
                items.extend(self.line_items(line, ctx.x, label_w, Align::Left, top, &label_style));
            }
            for (i, line) in lines.iter().enumerate() {
                let top = pad + BODY_LEADING * i as f32;
                items.extend(self.line_items(
                    line,
                    value_x,
                    value_w,
                    Align::Left,
                    top,
                    &value_style,
                ));
            }
            let height = BODY_LEADING * lines.len().max(label_lines.len()) as f32 + pad * 2.0;
            items.push(Item::Line {
                x1: ctx.x,
                y1: Pt::ZERO,
                x2: ctx.x + ctx.width,
                y2: Pt::ZERO,
                width: if k == 0 { Pt(0.8) } else { Pt(0.4) },
                color: if k == 0 { HEADING } else { RULE },
            });
            if k + 1 == n {
                items.push(Item::Line {
                    x1: ctx.x,
                    y1: height,
                    x2: ctx.x + ctx.width,
                    y2: height,
                    width: Pt(0.8),
                    color: HEADING,
                });
            }
            out.push(Chunk {
                height,
                space_before: if k == 0 { PARA_GAP } else { Pt::ZERO },
                items,
                keep_with_next: k + 1 < n,
                context: self.context.clone(),
                ..Chunk::default()
            });
        }
        out
    }

    /// The body's top-level blocks. What each block does to the flow (its heading path, its
    /// gap, whether it starts a page) follows from the blocks alone, so that is settled
    /// first; then the blocks are laid out or copied from the memo, on several threads when
    /// there is enough text, and put together in document order: the result is the same as
    /// one thread doing them one after the other.
    fn body(&mut self, blocks: &[Block], all: &[Block], ctx: Ctx, memo: &mut Memo) -> Vec<Chunk> {
        let toc_anchor = self.settings.toc_anchor.clone();
        let mut steps = Vec::new();
        let mut jobs = Vec::new();
        let mut in_toc = false;
        let mut first_after_toc = false;
        let mut first = true;
        let mut after_heading: Option<Pt> = None;
        for (k, block) in blocks.iter().enumerate() {
            if let Block::Heading {
                level,
                anchor,
                text,
                ..
            } = block
            {
                if *level <= 2 {
                    if in_toc {
                        first_after_toc = true;
                    }
                    in_toc = false;
                }
                let start_page =
                    first || first_after_toc || self.settings.page_break_before.contains(anchor);
                let work = Work::Block {
                    block,
                    gap: after_heading.take(),
                    keep: false,
                };
                jobs.push(self.job(work, text.len()));
                steps.push(Step::Heading { start_page });
                self.enter_heading(*level, text);
                first = false;
                first_after_toc = false;
                after_heading = Some(heading_gap_after(*level));
                if toc_anchor.as_deref() == Some(anchor.as_str()) {
                    in_toc = true;
                    let cost = collect_headings(all).iter().map(|h| h.title.len()).sum();
                    jobs.push(self.job(Work::Toc(anchor), cost));
                    steps.push(Step::AsIs);
                    after_heading = None;
                }
                continue;
            }
            if in_toc && matches!(block, Block::List { .. }) {
                continue;
            }
            let gap = after_heading.take();
            match memo.blocks.get(&k).filter(|m| self.still_right(m, gap)) {
                Some(m) => {
                    jobs.push(self.job(Work::Reuse(m), text_len(block) / 8));
                    steps.push(Step::AsIs);
                }
                None => {
                    let work = Work::Block {
                        block,
                        gap,
                        keep: true,
                    };
                    jobs.push(self.job(work, text_len(block)));
                    steps.push(Step::Fresh { k, gap });
                }
            }
            // Headings inside it (in a quote or list) open their sections for what follows.
            for h in collect_headings(std::slice::from_ref(block)) {
                self.enter_heading(h.level, &h.title);
            }
        }

        let laid = self.lay_out(&jobs, ctx, all);
        let mut out = Vec::new();
        for (step, mut l) in steps.into_iter().zip(laid) {
            self.merge(&l.warnings, &l.missing);
            match step {
                Step::Heading { start_page } => {
                    if let Some(c) = l.chunks.first_mut() {
                        c.break_before |= start_page;
                    }
                }
                Step::Fresh { k, gap } => {
                    let m = MemoBlock {
                        gap,
                        labels: l.labels,
                        chunks: l.kept,
                        warnings: l.warnings,
                        missing: l.missing,
                    };
                    memo.blocks.insert(k, m);
                }
                Step::AsIs => {}
            }
            out.extend(l.chunks);
        }
        keep_colophon_with_text(blocks, &mut out);
        out
    }

    /// Whether a block laid out with the gap and page numbers of `m` looks the same now.
    fn still_right(&self, m: &MemoBlock, gap: Option<Pt>) -> bool {
        m.gap == gap
            && m.labels
                .iter()
                .all(|(a, p)| self.page_of.get(a).copied() == *p)
    }

    /// `work`, to be done where the flow is now.
    fn job<'b>(&self, work: Work<'b>, cost: usize) -> Job<'b> {
        Job {
            work,
            path: self.path.clone(),
            context: self.context.clone(),
            cost,
        }
    }

    /// Does the jobs, each on a flow of its own, and gives the results in job order.
    /// Threads take the next job as they finish one, rather than a fixed share: a table
    /// costs more than its text says, and a core may be busy with something else.
    fn lay_out(&self, jobs: &[Job], ctx: Ctx, all: &[Block]) -> Vec<Laid> {
        let cost: usize = jobs.iter().map(|j| j.cost).sum();
        let threads = self
            .settings
            .threads
            .min(cost.div_ceil(MIN_THREAD_TEXT))
            .max(1);
        super::jobs::map_shared(jobs.len(), threads, |i| self.lay(&jobs[i], ctx, all))
    }

    /// One job, with the warnings, missing characters and page numbers it gave kept apart.
    fn lay(&self, job: &Job, ctx: Ctx, all: &[Block]) -> Laid {
        let mut flow = Flow {
            fonts: self.fonts,
            images: self.images,
            settings: self.settings,
            page_of: self.page_of,
            known: self.known,
            path: job.path.clone(),
            missing: BTreeMap::new(),
            warnings: Vec::new(),
            context: job.context.clone(),
            labels: Vec::new(),
        };
        let (chunks, kept) = match job.work {
            Work::Block { block, gap, keep } => {
                let chunks = flow.block(block, ctx, gap);
                let kept = if keep { chunks.clone() } else { Vec::new() };
                (chunks, kept)
            }
            Work::Toc(anchor) => (flow.toc(all, anchor, ctx), Vec::new()),
            Work::Reuse(m) => {
                return Laid {
                    chunks: m.chunks.clone(),
                    warnings: m.warnings.clone(),
                    missing: m.missing.clone(),
                    ..Laid::default()
                };
            }
        };
        Laid {
            chunks,
            kept,
            warnings: flow.warnings,
            missing: flow.missing,
            labels: flow.labels,
        }
    }

    fn merge(&mut self, warnings: &[String], missing: &BTreeMap<String, BTreeSet<char>>) {
        for w in warnings {
            if !self.warnings.contains(w) {
                self.warnings.push(w.clone());
            }
        }
        for (path, chars) in missing {
            self.missing.entry(path.clone()).or_default().extend(chars);
        }
    }

    /// Blocks in a container (title page, list item, quote).
    fn blocks(&mut self, blocks: &[Block], ctx: Ctx) -> Vec<Chunk> {
        let mut out = Vec::new();
        let mut after_heading = None;
        for b in blocks {
            out.extend(self.block(b, ctx, after_heading.take()));
            if let Block::Heading { level, .. } = b {
                after_heading = Some(heading_gap_after(*level));
            }
        }
        out
    }

    /// One block; `gap` overrides its space before (used right after a heading).
    fn block(&mut self, block: &Block, ctx: Ctx, gap: Option<Pt>) -> Vec<Chunk> {
        let mut chunks = match block {
            Block::Heading {
                level,
                inlines,
                text,
                anchor,
            } => self.heading(*level, inlines, text, anchor, ctx),
            Block::Paragraph(inlines) => self.text_chunks(
                inlines,
                TextStyle::body(ctx.color),
                ctx,
                PageRef::Shown,
                PARA_GAP,
            ),
            Block::List { start, items } => self.list(*start, items, ctx, 0),
            Block::Quote(inner) => self.quote(inner, ctx),
            Block::Code(text) => self.code(text, ctx),
            Block::Table { aligns, head, rows } => self.table(aligns, head, rows, ctx),
            Block::Image { src, alt } => self.image(src, alt, ctx),
            Block::Rule => vec![Chunk {
                height: Pt(10.0),
                space_before: PARA_GAP,
                items: vec![Item::Line {
                    x1: ctx.x,
                    y1: Pt(5.0),
                    x2: ctx.x + ctx.width,
                    y2: Pt(5.0),
                    width: Pt(0.6),
                    color: RULE,
                }],
                context: self.context.clone(),
                ..Chunk::default()
            }],
        };
        if let (Some(g), Some(first)) = (gap, chunks.first_mut()) {
            first.space_before = g;
        }
        chunks
    }

    fn heading(
        &mut self,
        level: u8,
        inlines: &[Inline],
        text: &str,
        anchor: &str,
        ctx: Ctx,
    ) -> Vec<Chunk> {
        self.enter_heading(level, text);
        let (size, before) = match level {
            1 => (Pt(19.0), Pt(24.0)),
            2 => (Pt(15.5), Pt(22.0)),
            3 => (Pt(12.5), Pt(16.0)),
            _ => (Pt(10.8), Pt(12.0)),
        };
        let color = if level <= 3 { HEADING } else { TEXT };
        let style = TextStyle {
            kind: FaceKind::Heading,
            size,
            leading: size * 1.28,
            color,
        };
        // Headings are never justified, and their links are not decorated with pages.
        let plain: Vec<Inline> = inlines
            .iter()
            .map(|i| Inline {
                text: i.text.clone(),
                style: model::InlineStyle {
                    link: None,
                    ..i.style.clone()
                },
            })
            .collect();
        let mut chunks = self.text_chunks(
            &plain,
            style,
            Ctx {
                align: Align::Left,
                ..ctx
            },
            PageRef::None,
            before,
        );
        for c in &mut chunks {
            c.keep_with_next = true;
        }
        if level == 2
            && let Some(last) = chunks.last_mut()
        {
            // A hairline under section headings structures long packets.
            let y = last.height + Pt(3.0);
            last.items.push(Item::Line {
                x1: ctx.x,
                y1: y,
                x2: ctx.x + ctx.width,
                y2: y,
                width: Pt(0.5),
                color: RULE,
            });
            last.height += Pt(4.0);
        }
        if let Some(first) = chunks.first_mut() {
            first.anchors.push(anchor.to_string());
        }
        chunks
    }

    fn list(
        &mut self,
        start: Option<u64>,
        items: &[model::ListItem],
        ctx: Ctx,
        depth: usize,
    ) -> Vec<Chunk> {
        let mut out = Vec::new();
        let inner = ctx.indented(LIST_INDENT);
        for (n, item) in items.iter().enumerate() {
            let mut chunks = Vec::new();
            for (k, b) in item.blocks.iter().enumerate() {
                let mut c = match b {
                    Block::List { start, items } => self.list(*start, items, inner, depth + 1),
                    other => self.block(other, inner, None),
                };
                if let Some(first) = c.first_mut() {
                    first.space_before = if k == 0 { Pt(3.0) } else { Pt(4.0) };
                }
                chunks.extend(c);
            }
            if chunks.is_empty() {
                chunks.push(Chunk {
                    height: BODY_LEADING,
                    baseline: Some(baseline(BODY_SIZE, BODY_LEADING)),
                    context: self.context.clone(),
                    ..Chunk::default()
                });
            }
            let (marker, kind, color) = match (item.task, start) {
                (Some(true), _) => ("☑".to_string(), FaceKind::Regular, ACCENT),
                (Some(false), _) => ("☐".to_string(), FaceKind::Regular, MUTED),
                (None, Some(s)) => (format!("{}.", s + n as u64), FaceKind::Regular, ctx.color),
                (None, None) => (
                    ["•", "◦", "▪"][depth % 3].to_string(),
                    FaceKind::Regular,
                    ctx.color,
                ),
            };
            let glyphs = self.shape(&marker, kind, BODY_SIZE);
            let w: Pt = glyphs.iter().map(|g| g.advance).sum();
            let first = &mut chunks[0];
            let y = first.baseline.unwrap_or(baseline(BODY_SIZE, BODY_LEADING));
            let x = inner.x - Pt(5.0) - w;
            for (face, run) in split_faces(glyphs) {
                first.items.push(Item::Text {
                    x: x + run.0,
                    y,
                    face,
                    size: BODY_SIZE,
                    color,
                    glyphs: run.1.into(),
                });
            }
            out.extend(chunks);
        }
        if let Some(first) = out.first_mut() {
            first.space_before = PARA_GAP;
        }
        // Like a paragraph's lines: no lone first or last list line on a page.
        let n = out.len();
        if depth == 0 && n >= 2 {
            out[0].keep_with_next = true;
            out[n - 2].keep_with_next = true;
        }
        out
    }

    fn quote(&mut self, inner: &[Block], ctx: Ctx) -> Vec<Chunk> {
        let inner_ctx = Ctx {
            color: MUTED,
            ..ctx.indented(QUOTE_INDENT)
        };
        let mut chunks = self.blocks(inner, inner_ctx);
        for (k, c) in chunks.iter_mut().enumerate() {
            // The bar runs through the gaps between the quote's own chunks.
            let reach = if k == 0 { Pt::ZERO } else { c.space_before };
            c.items.insert(
                0,
                Item::Rect {
                    x: ctx.x + Pt(1.0),
                    y: -reach,
                    w: Pt(2.5),
                    h: c.height + reach,
                    color: RULE,
                },
            );
        }
        if let Some(first) = chunks.first_mut() {
            first.space_before = PARA_GAP;
        }
        chunks
    }

    fn code(&mut self, code: &str, ctx: Ctx) -> Vec<Chunk> {
        let style = TextStyle {
            kind: FaceKind::Mono,
            size: SMALL_SIZE,
            leading: CODE_LEADING,
            color: TEXT,
        };
        let run = RunStyle {
            kind: FaceKind::Mono,
            size: SMALL_SIZE,
            color: TEXT,
            link: None,
            strike: false,
            code_bg: false,
        };
        let inner_w = ctx.width - CODE_PAD * 2.0;
        let mut lines: Vec<Line> = Vec::new();
        for src in code.split('\n') {
            let expanded = src.replace('\t', "    ");
            // Spaces are significant in code: the whole line is one word, broken only if too long.
            let glyphs = self.shape(&expanded, FaceKind::Mono, SMALL_SIZE);
            let atoms = if glyphs.is_empty() {
                Vec::new()
            } else {
                vec![Atom::Word(vec![Piece {
                    style: run.clone(),
                    glyphs,
                }])]
            };
            let mut broken = text::break_lines(&atoms, inner_w);
            lines.append(&mut broken);
        }
        let n = lines.len();
        let mut chunks = Vec::new();
        for (k, line) in lines.iter().enumerate() {
            let top_pad = if k == 0 { CODE_PAD } else { Pt::ZERO };
            let bottom_pad = if k + 1 == n { CODE_PAD } else { Pt::ZERO };
            let height = top_pad + CODE_LEADING + bottom_pad;
            let mut items = vec![Item::Rect {
                x: ctx.x,
                y: Pt::ZERO,
                w: ctx.width,
                h: height,
                color: CODE_BG,
            }];
            items.extend(self.line_items(
                line,
                ctx.x + CODE_PAD,
                inner_w,
                Align::Left,
                top_pad,
                &style,
            ));
            chunks.push(Chunk {
                height,
                space_before: if k == 0 { PARA_GAP + Pt(2.0) } else { Pt::ZERO },
                items,
                context: self.context.clone(),
                baseline: Some(top_pad + baseline(SMALL_SIZE, CODE_LEADING)),
                ..Chunk::default()
            });
        }
        if n >= 2 {
            chunks[0].keep_with_next = true;
            chunks[n - 2].keep_with_next = true;
        }
        chunks
    }

    fn image(&mut self, src: &str, alt: &str, ctx: Ctx) -> Vec<Chunk> {
        let Some(&(pw, ph)) = self.images.get(src) else {
            self.warnings.push(format!(
                "{}: image {src} is not among the assets; its alt text is shown instead",
                self.context
            ));
            let inl = vec![Inline {
                text: format!("[Image: {alt}]"),
                style: model::InlineStyle {
                    italic: true,
                    ..Default::default()
                },
            }];
            return self.text_chunks(&inl, TextStyle::body(MUTED), ctx, PageRef::None, PARA_GAP);
        };
        let caption_style = TextStyle {
            kind: FaceKind::Italic,
            size: SMALL_SIZE,
            leading: TABLE_LEADING,
            color: MUTED,
        };
        let caption_lines = if alt.trim().is_empty() {
            Vec::new()
        } else {
            let inl = vec![Inline {
                text: alt.to_string(),
                style: model::InlineStyle::default(),
            }];
            let atoms = self.atoms(&inl, &caption_style, PageRef::None);
            text::break_lines(&atoms, ctx.width)
        };
        let caption_h = if caption_lines.is_empty() {
            Pt::ZERO
        } else {
            Pt(4.0) + TABLE_LEADING * caption_lines.len() as f32
        };
        let max_h = self.settings.geometry.body_height() - caption_h - Pt(2.0);
        let (w, h) = fit_image(pw, ph, ctx.width, max_h);
        let x = ctx.x + (ctx.width - w) / 2.0;
        let mut items = vec![Item::Image {
            x,
            y: Pt::ZERO,
            w,
            h,
            src: src.to_string(),
        }];
        for (k, line) in caption_lines.iter().enumerate() {
            let top = h + Pt(4.0) + TABLE_LEADING * k as f32;
            items.extend(self.line_items(
                line,
                ctx.x,
                ctx.width,
                Align::Center,
                top,
                &caption_style,
            ));
        }
        vec![Chunk {
            height: h + caption_h,
            space_before: PARA_GAP + Pt(4.0),
            items,
            context: self.context.clone(),
            ..Chunk::default()
        }]
    }

    fn table(
        &mut self,
        aligns: &[model::Align],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        ctx: Ctx,
    ) -> Vec<Chunk> {
        let ncols = head.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
        if ncols == 0 {
            return Vec::new();
        }
        let head_style = TextStyle {
            kind: FaceKind::Heading,
            size: SMALL_SIZE,
            leading: TABLE_LEADING,
            color: HEADING,
        };
        let cell_style = TextStyle {
            kind: FaceKind::Regular,
            size: SMALL_SIZE,
            leading: TABLE_LEADING,
            color: TEXT,
        };
        let empty: Vec<Inline> = Vec::new();
        let cell = |row: &Vec<Vec<Inline>>, c: usize| -> Vec<Inline> {
            row.get(c).cloned().unwrap_or_default()
        };
        // Shape every cell once; widths follow from the atoms.
        let head_atoms: Vec<Vec<Atom>> = (0..ncols)
            .map(|c| self.atoms(head.get(c).unwrap_or(&empty), &head_style, PageRef::None))
            .collect();
        let body_atoms: Vec<Vec<Vec<Atom>>> = rows
            .iter()
            .map(|r| {
                (0..ncols)
                    .map(|c| self.atoms(&cell(r, c), &cell_style, PageRef::Shown))
                    .collect()
            })
            .collect();
        let mut min_w = vec![Pt(12.0); ncols];
        let mut max_w = vec![Pt(12.0); ncols];
        let mut one_line: Vec<Vec<Pt>> = Vec::new();
        for row in std::iter::once(&head_atoms).chain(body_atoms.iter()) {
            let mut lens = Vec::with_capacity(ncols);
            for (c, atoms) in row.iter().enumerate() {
                let (lo, hi) = natural_widths(atoms);
                min_w[c] = min_w[c].max(lo.min(ctx.width * 0.3));
                max_w[c] = max_w[c].max(hi);
                lens.push(hi);
            }
            one_line.push(lens);
        }
        // The reviewer edition's empty "Reviewer notes" column is for handwriting; sized by
        // its content it would be a sliver.
        for (c, h) in head.iter().enumerate() {
            let text: String = h.iter().map(|i| i.text.as_str()).collect();
            if text.trim() == "Reviewer notes" {
                min_w[c] = min_w[c].max(ctx.width * 0.22);
                max_w[c] = max_w[c].max(min_w[c]);
            }
        }
        let widths = column_widths(&min_w, &max_w, &one_line, ctx.width, CELL_PAD_X * 2.0);
        let ctx = Ctx {
            width: widths.iter().copied().sum(),
            ..ctx
        };
        // A head row with no text at all (`| | |`, a key/value table) is not drawn.
        let has_head = head_atoms.iter().any(|a| !a.is_empty());
        let aligns: Vec<Align> = (0..ncols)
            .map(|c| match aligns.get(c) {
                Some(model::Align::Center) => Align::Center,
                Some(model::Align::Right) => Align::Right,
                _ => Align::Left,
            })
            .collect();

        let head_chunk = {
            let cells = Cells {
                atoms: &head_atoms,
                widths: &widths,
                aligns: &aligns,
                status: &[],
                bg: Some(HEAD_BG),
            };
            let mut ch = self
                .row_chunks(&cells, &head_style, ctx, false)
                .pop()
                .unwrap_or_default();
            ch.items.insert(
                0,
                Item::Line {
                    x1: ctx.x,
                    y1: Pt::ZERO,
                    x2: ctx.x + ctx.width,
                    y2: Pt::ZERO,
                    width: Pt(0.8),
                    color: HEADING,
                },
            );
            let y = ch.height;
            ch.items.push(Item::Line {
                x1: ctx.x,
                y1: y,
                x2: ctx.x + ctx.width,
                y2: y,
                width: Pt(0.6),
                color: HEADING,
            });
            ch.space_before = PARA_GAP + Pt(3.0);
            ch.keep_with_next = true;
            ch
        };
        let header = Arc::new(Chunk {
            space_before: Pt::ZERO,
            keep_with_next: false,
            ..head_chunk.clone()
        });
        let mut out = if has_head {
            vec![head_chunk]
        } else {
            Vec::new()
        };
        let n = body_atoms.len();
        let mut first_chunk_of_row = Vec::with_capacity(n);
        for (r, row) in body_atoms.iter().enumerate() {
            let status: Vec<Option<Status>> = (0..ncols)
                .map(|c| {
                    rows[r]
                        .get(c)
                        .and_then(|cell| cell.iter().find_map(|i| i.style.status))
                })
                .collect();
            let cells = Cells {
                atoms: row,
                widths: &widths,
                aligns: &aligns,
                status: &status,
                bg: None,
            };
            let mut slices = self.row_chunks(&cells, &cell_style, ctx, true);
            let rule = |y: Pt, w: Pt, color: Rgb| Item::Line {
                x1: ctx.x,
                y1: y,
                x2: ctx.x + ctx.width,
                y2: y,
                width: w,
                color,
            };
            // A row split over pages repeats the head on the next page with a line that
            // names the row it continues.
            let continued = (has_head && slices.len() > 1).then(|| {
                let label: String = rows[r]
                    .first()
                    .map(|c| c.iter().map(|i| i.text.as_str()).collect())
                    .unwrap_or_default();
                Arc::new(self.continuation_head(&header, label.trim(), ctx))
            });
            let last = slices.len() - 1;
            for (k, ch) in slices.iter_mut().enumerate() {
                let y = ch.height;
                if k == last {
                    let (w, color) = if r + 1 == n {
                        (Pt(0.8), HEADING)
                    } else {
                        (Pt(0.4), RULE)
                    };
                    ch.items.push(rule(y, w, color));
                } else {
                    ch.closing.push(rule(y, Pt(0.4), RULE));
                }
                if has_head {
                    ch.header = Some(match (&continued, k) {
                        (Some(cont), 1..) => cont.clone(),
                        _ => header.clone(),
                    });
                }
            }
            if !has_head && r == 0 {
                let first = &mut slices[0];
                first.items.insert(0, rule(Pt::ZERO, Pt(0.8), HEADING));
                first.space_before = PARA_GAP + Pt(3.0);
            }
            first_chunk_of_row.push(out.len());
            out.extend(slices);
        }
        // No lone first or last row on a page (the head is already glued to the first row).
        if n >= 2 {
            let second_row = first_chunk_of_row[1];
            out[second_row - 1].keep_with_next = true;
            let last_row = first_chunk_of_row[n - 1];
            out[last_row - 1].keep_with_next = true;
        }
        out
    }

    /// The repeated head for a page that opens inside a split row: the head row, then a
    /// line "P3 AWS Customer References (continued)".
    fn continuation_head(&mut self, header: &Chunk, label: &str, ctx: Ctx) -> Chunk {
        let style = TextStyle {
            kind: FaceKind::Italic,
            size: SMALL_SIZE,
            leading: TABLE_LEADING,
            color: MUTED,
        };
        let text = if label.is_empty() {
            "(continued)".to_string()
        } else {
            format!("{label} (continued)")
        };
        let inl = [Inline {
            text,
            style: model::InlineStyle::default(),
        }];
        let atoms = self.atoms(&inl, &style, PageRef::None);
        let inner = ctx.width - CELL_PAD_X * 2.0;
        let mut lines = text::break_lines(&atoms, inner);
        lines.truncate(1);
        let mut chunk = header.clone();
        chunk.header = None;
        let top = chunk.height + CELL_PAD_Y;
        for line in &lines {
            chunk.items.extend(self.line_items(
                line,
                ctx.x + CELL_PAD_X,
                inner,
                Align::Left,
                top,
                &style,
            ));
        }
        chunk.height += TABLE_LEADING + CELL_PAD_Y;
        chunk
    }

    /// One table row as chunks: whole when it is short, else one chunk per line so that it
    /// may break between pages (at least two lines on each side).
    fn row_chunks(
        &mut self,
        cells: &Cells,
        style: &TextStyle,
        ctx: Ctx,
        split: bool,
    ) -> Vec<Chunk> {
        let laid: Vec<Vec<Line>> = cells
            .atoms
            .iter()
            .zip(cells.widths)
            .map(|(atoms, w)| text::break_lines(atoms, *w - CELL_PAD_X * 2.0))
            .collect();
        let rows = laid
            .iter()
            .map(|l| {
                if l.len() == 1 && l[0].atoms.is_empty() {
                    1
                } else {
                    l.len()
                }
            })
            .max()
            .unwrap_or(1);
        let ranges: Vec<(usize, usize)> = if split && rows >= MIN_SPLIT_ROW_LINES {
            (0..rows).map(|k| (k, k + 1)).collect()
        } else {
            vec![(0, rows)]
        };
        let count = ranges.len();
        let mut out = Vec::with_capacity(count);
        for (s, &(from, to)) in ranges.iter().enumerate() {
            let pad_top = if from == 0 { CELL_PAD_Y } else { Pt::ZERO };
            let pad_bottom = if to == rows { CELL_PAD_Y } else { Pt::ZERO };
            let height = style.leading * (to - from) as f32 + pad_top + pad_bottom;
            let mut items = Vec::new();
            if let Some(bg) = cells.bg {
                items.push(Item::Rect {
                    x: ctx.x,
                    y: Pt::ZERO,
                    w: ctx.width,
                    h: height,
                    color: bg,
                });
            }
            let mut x = ctx.x;
            for (c, lines) in laid.iter().enumerate() {
                let w = cells.widths[c];
                let tint = match cells.status.get(c).copied().flatten() {
                    Some(Status::Met) => Some(MET_BG),
                    Some(Status::NotMet) => Some(NOT_MET_BG),
                    None => None,
                };
                if let Some(color) = tint {
                    items.push(Item::Rect {
                        x,
                        y: Pt::ZERO,
                        w,
                        h: height,
                        color,
                    });
                }
                for (k, line) in lines.iter().enumerate().take(to).skip(from) {
                    let top = pad_top + style.leading * (k - from) as f32;
                    // Narrow cells stay ragged even in a justified document: justifying
                    // a 60 pt column opens holes.
                    items.extend(self.line_items(
                        line,
                        x + CELL_PAD_X,
                        w - CELL_PAD_X * 2.0,
                        cells.aligns[c],
                        top,
                        style,
                    ));
                }
                x += w;
            }
            // Two lines at least on each side of a break inside the row.
            let keep_with_next = count > 1 && (s == 0 || s + 2 == count);
            out.push(Chunk {
                height,
                items,
                keep_with_next,
                context: self.context.clone(),
                ..Chunk::default()
            });
        }
        out
    }

    /// The generated table of contents: H2 and H3 after the Contents heading, with pages.
    fn toc(&mut self, all: &[Block], toc_anchor: &str, ctx: Ctx) -> Vec<Chunk> {
        let headings = collect_headings(all);
        let Some(pos) = headings.iter().position(|h| h.anchor == toc_anchor) else {
            return Vec::new();
        };
        let entries: Vec<HeadingMark> = headings[pos + 1..]
            .iter()
            .filter(|h| h.level == 2 || h.level == 3)
            .cloned()
            .collect();
        let mut out = Vec::new();
        let dot = self.shape(".", FaceKind::Regular, BODY_SIZE);
        let dot_w = dot.first().map(|g| g.advance).unwrap_or(Pt(2.6));
        for (k, h) in entries.iter().enumerate() {
            let (kind, indent, gap) = if h.level == 2 {
                (FaceKind::Bold, Pt::ZERO, Pt(8.0))
            } else {
                (FaceKind::Regular, Pt(16.0), Pt(2.0))
            };
            let style = TextStyle {
                kind,
                size: BODY_SIZE,
                leading: BODY_LEADING,
                color: TEXT,
            };
            let label = self.page_label(&h.anchor);
            let num = self.shape(&label, FaceKind::Regular, BODY_SIZE);
            let num_w: Pt = num.iter().map(|g| g.advance).sum();
            let text_w = ctx.width - indent - Pt(40.0);
            let inl = vec![Inline {
                text: h.title.clone(),
                style: model::InlineStyle::default(),
            }];
            let atoms = self.atoms(&inl, &style, PageRef::None);
            let lines = text::break_lines(&atoms, text_w);
            let mut items = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                items.extend(self.line_items(
                    line,
                    ctx.x + indent,
                    text_w,
                    Align::Left,
                    BODY_LEADING * i as f32,
                    &style,
                ));
            }
            let last_top = BODY_LEADING * (lines.len().saturating_sub(1)) as f32;
            let base = last_top + baseline(BODY_SIZE, BODY_LEADING);
            let num_x = ctx.x + ctx.width - num_w;
            for (face, run) in split_faces(num) {
                items.push(Item::Text {
                    x: num_x + run.0,
                    y: base,
                    face,
                    size: BODY_SIZE,
                    color: TEXT,
                    glyphs: run.1.into(),
                });
            }
            // Dot leaders on a fixed grid, so the dots of all entries line up. They are drawn,
            // not set as text: extracted text reads "Gaps 4", not forty full stops.
            let text_end =
                ctx.x + indent + lines.last().map(|l| l.width).unwrap_or(Pt::ZERO) + Pt(6.0);
            let stop = num_x - Pt(6.0);
            let step = Pt(5.0);
            let mut gx = ctx.x + step * ((text_end - ctx.x) / step).ceil();
            while gx + dot_w <= stop {
                items.push(Item::Rect {
                    x: gx + (dot_w - LEADER_DOT) / 2.0,
                    y: base - LEADER_DOT,
                    w: LEADER_DOT,
                    h: LEADER_DOT,
                    color: MUTED,
                });
                gx += step;
            }
            let height = BODY_LEADING * lines.len().max(1) as f32;
            items.push(Item::Link {
                x: ctx.x + indent,
                y: Pt::ZERO,
                w: ctx.width - indent,
                h: height,
                target: Target::Anchor(h.anchor.clone()),
            });
            let next_is_child = entries.get(k + 1).is_some_and(|n| n.level > h.level);
            out.push(Chunk {
                height,
                space_before: if k == 0 { Pt(10.0) } else { gap },
                items,
                keep_with_next: next_is_child,
                context: self.context.clone(),
                ..Chunk::default()
            });
        }
        out
    }

    /// Glyphs for `text`, shortened at a word boundary with "…" to fit `room` (or nothing
    /// if not even one word fits).
    fn fit_label(
        &mut self,
        text: &str,
        kind: FaceKind,
        size: Pt,
        room: Pt,
    ) -> Vec<super::fonts::Glyph> {
        let width = |g: &[super::fonts::Glyph]| -> Pt { g.iter().map(|g| g.advance).sum() };
        let glyphs = self.shape(text, kind, size);
        if width(&glyphs) <= room {
            return glyphs;
        }
        let words: Vec<&str> = text.split(' ').collect();
        for n in (1..words.len()).rev() {
            let short = format!(
                "{}…",
                words[..n].join(" ").trim_end_matches([',', ':', ';', '('])
            );
            let glyphs = self.shape(&short, kind, size);
            if width(&glyphs) <= room {
                return glyphs;
            }
        }
        Vec::new()
    }

    /// Running header (partner and solution left, the current section right) and
    /// "Page k of N" footer on every page but the title page.
    fn decorate(&mut self, pages: &mut [Page], sections: &[String]) {
        let geo = self.settings.geometry;
        let total = pages.len();
        let size = Pt(8.0);
        let header = self.settings.running_header.clone();
        for (i, page) in pages.iter_mut().enumerate().skip(1) {
            let mut extra = Vec::new();
            let y = geo.top - Pt(30.0);
            let mut left_end = geo.margin_x;
            if !header.is_empty() {
                let glyphs = self.shape(&header, FaceKind::Regular, size);
                left_end += glyphs.iter().map(|g| g.advance).sum();
                extra.extend(text_items(glyphs, geo.margin_x, y, size, MUTED));
            }
            let section = sections.get(i).map(String::as_str).unwrap_or("");
            if !section.is_empty() {
                let room = geo.width - geo.margin_x - left_end - Pt(24.0);
                let glyphs = self.fit_label(section, FaceKind::Italic, size, room);
                let w: Pt = glyphs.iter().map(|g| g.advance).sum();
                extra.extend(text_items(
                    glyphs,
                    geo.width - geo.margin_x - w,
                    y,
                    size,
                    MUTED,
                ));
            }
            if !header.is_empty() || !section.is_empty() {
                extra.push(Item::Line {
                    x1: geo.margin_x,
                    y1: y + Pt(6.0),
                    x2: geo.width - geo.margin_x,
                    y2: y + Pt(6.0),
                    width: Pt(0.4),
                    color: RULE,
                });
            }
            let label = format!("Page {} of {}", i + 1, total);
            let glyphs = self.shape(&label, FaceKind::Regular, size);
            let w: Pt = glyphs.iter().map(|g| g.advance).sum();
            let y = geo.height - geo.bottom + Pt(32.0);
            extra.extend(text_items(
                glyphs,
                geo.width - geo.margin_x - w,
                y,
                size,
                MUTED,
            ));
            page.items.extend(extra);
        }
    }
}

/// A title "Product — what this is" as (title, subtitle); no em dash, no subtitle.
fn split_title(inlines: &[Inline]) -> (Vec<Inline>, Vec<Inline>) {
    let mut title = Vec::new();
    let mut subtitle = Vec::new();
    for inline in inlines {
        if !subtitle.is_empty() {
            subtitle.push(inline.clone());
            continue;
        }
        match inline.text.split_once(" — ") {
            Some((head, tail)) => {
                title.push(Inline {
                    text: head.to_string(),
                    style: inline.style.clone(),
                });
                subtitle.push(Inline {
                    text: tail.to_string(),
                    style: inline.style.clone(),
                });
            }
            None => title.push(inline.clone()),
        }
    }
    (title, subtitle)
}

/// A bullet list whose every item is one paragraph "**Label:** value", as (label, value).
fn facts(items: &[model::ListItem]) -> Option<Vec<(String, Vec<Inline>)>> {
    items
        .iter()
        .map(|item| {
            let [Block::Paragraph(inlines)] = item.blocks.as_slice() else {
                return None;
            };
            let (first, rest) = inlines.split_first()?;
            let label = first.text.trim().strip_suffix(':')?;
            if !first.style.bold || item.task.is_some() || label.is_empty() {
                return None;
            }
            let mut value = rest.to_vec();
            if let Some(v) = value.first_mut() {
                v.text = v.text.trim_start().to_string();
            }
            Some((label.to_string(), value))
        })
        .collect()
}

/// A document that ends in a short paragraph (the "Generated by" colophon), perhaps after a
/// thematic break, keeps it on the page of the text before it: a last page holding one
/// line of small print looks like a mistake.
fn keep_colophon_with_text(blocks: &[Block], chunks: &mut [Chunk]) {
    const MAX_LINES: usize = 2;
    let Some(Block::Paragraph(_)) = blocks.last() else {
        return;
    };
    // The paragraph's lines are the trailing chunks without a gap of their own.
    let n = chunks.len();
    let Some(start) = (0..n).rev().find(|&k| chunks[k].space_before > Pt::ZERO) else {
        return;
    };
    if n - start > MAX_LINES || chunks[start].break_before {
        return;
    }
    let rule_before = matches!(blocks.iter().rev().nth(1), Some(Block::Rule));
    let glue_from = if rule_before {
        start.saturating_sub(2)
    } else {
        start.saturating_sub(1)
    };
    for c in &mut chunks[glue_from..start] {
        c.keep_with_next = true;
    }
}

fn heading_gap_after(level: u8) -> Pt {
    match level {
        1 | 2 => Pt(8.0),
        3 => Pt(5.0),
        _ => Pt(3.0),
    }
}

/// Splits glyphs into runs of one face: (x offset, glyphs).
fn split_faces(glyphs: Vec<super::fonts::Glyph>) -> Vec<(FaceId, (Pt, Vec<PlacedGlyph>))> {
    let mut out: Vec<(FaceId, (Pt, Vec<PlacedGlyph>))> = Vec::new();
    let mut pen = Pt::ZERO;
    for g in glyphs {
        let pg = PlacedGlyph {
            face: g.face,
            gid: g.gid,
            ch: g.ch,
            lig: g.lig,
            advance: g.advance,
            kern: g.kern,
            extra: Pt::ZERO,
        };
        match out.last_mut() {
            Some((f, (_, v))) if *f == g.face => v.push(pg),
            _ => out.push((g.face, (pen, vec![pg]))),
        }
        pen += g.advance;
    }
    out
}

fn text_items(glyphs: Vec<super::fonts::Glyph>, x: Pt, y: Pt, size: Pt, color: Rgb) -> Vec<Item> {
    split_faces(glyphs)
        .into_iter()
        .map(|(face, (dx, glyphs))| Item::Text {
            x: x + dx,
            y,
            face,
            size,
            color,
            glyphs: glyphs.into(),
        })
        .collect()
}

/// (widest unbreakable word, whole text on one line) of a cell.
fn natural_widths(atoms: &[Atom]) -> (Pt, Pt) {
    let mut widest = Pt::ZERO;
    let mut line = Pt::ZERO;
    let mut longest_line = Pt::ZERO;
    for a in atoms {
        match a {
            Atom::Word(p) => {
                let w: Pt = p.iter().map(Piece::width).sum();
                if w <= WHOLE_WORD {
                    // Dates and short compounds ("2026-03-01") are never split.
                    widest = widest.max(w);
                } else {
                    // Long words (URLs, identifiers) break after `/`, `-` …: only their
                    // longest segment must fit.
                    let mut seg = Pt::ZERO;
                    for g in p.iter().flat_map(|p| p.glyphs.iter()) {
                        seg += g.advance;
                        widest = widest.max(seg);
                        if text::is_soft_break_after(g.ch) {
                            seg = Pt::ZERO;
                        }
                    }
                }
                line += w;
            }
            Atom::Space(p) => line += p.width(),
            Atom::Hyphen(_) => {}
            Atom::Newline => {
                longest_line = longest_line.max(line);
                line = Pt::ZERO;
            }
        }
    }
    (widest, longest_line.max(line))
}

/// Words up to this wide set a table column's minimum width whole.
const WHOLE_WORD: Pt = Pt(64.0);

/// Estimated height of a table, in lines: per row, a soft maximum (a high power mean) over
/// its cells of one-line width ÷ column width. Smooth, so that widening either of two
/// equally tall cells counts, and convex, so handing out width greedily works.
fn table_cost(cells: &[Vec<Pt>], widths: &[Pt], pad: Pt) -> f32 {
    const P: i32 = 8;
    // Word wrap wastes about half a word per line, which hurts narrow columns most: without
    // this, a column long in a few rows ends up a tower one word wide.
    const WRAP_LOSS: Pt = Pt(16.0);
    cells
        .iter()
        .map(|row| {
            row.iter()
                .zip(widths)
                .map(|(len, w)| {
                    let lines = if *len <= *w - pad {
                        1.0
                    } else {
                        *len / (*w - pad - WRAP_LOSS).max(Pt(1.0))
                    };
                    lines.powi(P)
                })
                .sum::<f32>()
                .powf(1.0 / P as f32)
        })
        // Squared: a 20-line row reads worse than two 10-line rows.
        .map(|h| h * h)
        .sum()
}

/// Column widths that fill `total`: every column gets its minimum (widest word); the rest
/// goes, a sliver at a time, to the column where it shortens the table most. `cells` holds
/// each row's one-line cell widths. A table whose cells all fit on one line keeps its
/// natural width.
pub(crate) fn column_widths(
    min: &[Pt],
    max: &[Pt],
    cells: &[Vec<Pt>],
    total: Pt,
    pad: Pt,
) -> Vec<Pt> {
    let (min, max) = padded(min, max, pad);
    let sum_min: Pt = min.iter().copied().sum();
    let sum_max: Pt = max.iter().copied().sum();
    if sum_min >= total {
        return min.iter().map(|w| total * (*w / sum_min)).collect();
    }
    if sum_max <= total {
        return max;
    }
    const STEPS: usize = 240;
    let step = (total - sum_min) / STEPS as f32;
    let mut w = min;
    for _ in 0..STEPS {
        let mut best: Option<(f32, usize)> = None;
        for c in 0..w.len() {
            if w[c] + step > max[c] + Pt(0.01) {
                continue;
            }
            w[c] += step;
            let cost = table_cost(cells, &w, pad);
            w[c] -= step;
            if best.is_none_or(|(b, _)| cost < b - 1e-6) {
                best = Some((cost, c));
            }
        }
        match best {
            Some((_, c)) => w[c] += step,
            None => break,
        }
    }
    w
}

fn padded(min: &[Pt], max: &[Pt], pad: Pt) -> (Vec<Pt>, Vec<Pt>) {
    let min: Vec<Pt> = min.iter().map(|w| *w + pad).collect();
    let max: Vec<Pt> = max
        .iter()
        .zip(&min)
        .map(|(w, lo)| (*w + pad).max(*lo))
        .collect();
    (min, max)
}

/// Image size that fits the width (never enlarged beyond 1 px = 0.75 pt) and the height.
pub(crate) fn fit_image(px_w: u32, px_h: u32, max_w: Pt, max_h: Pt) -> (Pt, Pt) {
    let pw = px_w.max(1) as f32;
    let ph = px_h.max(1) as f32;
    let natural = Pt(pw * 0.75);
    let mut w = natural.min(max_w);
    let mut h = w * (ph / pw);
    if h > max_h {
        h = max_h;
        w = h * (pw / ph);
    }
    (w, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_chunk(h: f32) -> Chunk {
        Chunk {
            height: Pt(h),
            context: Arc::from("test"),
            ..Chunk::default()
        }
    }

    fn small_geo(body: f32) -> Geometry {
        Geometry {
            width: Pt(300.0),
            height: Pt(body + 100.0),
            margin_x: Pt(50.0),
            top: Pt(50.0),
            bottom: Pt(50.0),
        }
    }

    fn page_of_each(pages: &[Page]) -> Vec<usize> {
        pages.iter().map(|p| p.items.len()).collect()
    }

    fn marked(h: f32, id: usize) -> Chunk {
        let mut c = line_chunk(h);
        c.items.push(Item::Rect {
            x: Pt(0.0),
            y: Pt(0.0),
            w: Pt(1.0),
            h: Pt(1.0),
            color: Rgb(id as f32, 0.0, 0.0),
        });
        c
    }

    fn ids(page: &Page) -> Vec<usize> {
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Rect { color, .. } => Some(color.0 as usize),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn pages_break_when_full() {
        let chunks: Vec<Chunk> = (0..10).map(|i| marked(15.0, i)).collect();
        let (pages, _) = paginate(chunks.clone(), &small_geo(60.0)).expect("fits");
        assert_eq!(page_of_each(&pages), vec![4, 4, 2]);
    }

    #[test]
    fn orphans_and_widows_move_with_their_neighbour() {
        // A paragraph of 5 lines, glued as text_chunks does, after 3 lines of filler:
        // a page of 5 lines would leave one orphan line; it must move.
        let mut chunks: Vec<Chunk> = (0..3).map(|i| marked(10.0, i)).collect();
        let mut para: Vec<Chunk> = (3..8).map(|i| marked(10.0, i)).collect();
        para[0].keep_with_next = true;
        para[3].keep_with_next = true;
        chunks.extend(para);
        let (pages, _) = paginate(chunks.clone(), &small_geo(40.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![0, 1, 2]);
        assert_eq!(ids(&pages[1]), vec![3, 4, 5]);
        // …and the widow rule keeps the last two lines together.
        assert_eq!(ids(&pages[2]), vec![6, 7]);
    }

    #[test]
    fn headings_stay_with_following_text() {
        let mut chunks: Vec<Chunk> = (0..3).map(|i| marked(10.0, i)).collect();
        let mut heading = marked(10.0, 3);
        heading.keep_with_next = true;
        chunks.push(heading);
        chunks.push(marked(10.0, 4));
        let (pages, _) = paginate(chunks.clone(), &small_geo(40.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![0, 1, 2]);
        assert_eq!(ids(&pages[1]), vec![3, 4]);
    }

    #[test]
    fn forced_breaks_start_a_new_page_and_gaps_vanish_at_the_top() {
        let mut b = marked(10.0, 1);
        b.break_before = true;
        b.space_before = Pt(20.0);
        b.anchors.push("ref-1".into());
        let chunks = vec![marked(10.0, 0), b];
        let geo = small_geo(400.0);
        let (pages, anchors) = paginate(chunks.clone(), &geo).expect("fits");
        assert_eq!(pages.len(), 2);
        assert_eq!(anchors["ref-1"], (1, geo.top));
    }

    #[test]
    fn split_tables_repeat_their_head_row() {
        let mut head = marked(12.0, 100);
        head.keep_with_next = true;
        let header = Arc::new(Chunk {
            keep_with_next: false,
            ..head.clone()
        });
        let mut chunks = vec![head];
        for i in 0..6 {
            let mut row = marked(12.0, i);
            row.header = Some(header.clone());
            chunks.push(row);
        }
        let (pages, _) = paginate(chunks.clone(), &small_geo(40.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![100, 0, 1]);
        assert_eq!(ids(&pages[1]), vec![100, 2, 3]);
        assert_eq!(ids(&pages[2]), vec![100, 4, 5]);
    }

    #[test]
    fn closing_items_are_drawn_only_where_a_page_ends() {
        let closing = |c: &mut Chunk| {
            c.closing.push(Item::Rect {
                x: Pt(0.0),
                y: Pt(10.0),
                w: Pt(1.0),
                h: Pt(1.0),
                color: Rgb(99.0, 0.0, 0.0),
            })
        };
        let mut chunks: Vec<Chunk> = (0..5).map(|i| marked(10.0, i)).collect();
        chunks.iter_mut().for_each(closing);
        let (pages, _) = paginate(chunks.clone(), &small_geo(30.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![0, 1, 2, 99]);
        // The document's last chunk closes nothing: its own rule ends the table.
        assert_eq!(ids(&pages[1]), vec![3, 4]);
    }

    #[test]
    fn tall_table_rows_split_between_pages_with_a_continued_head() {
        let words: Vec<String> = (0..2500).map(|i| format!("w{i}")).collect();
        let md = format!(
            "# T\n\n## A\n\n| Item | Requirement | Status |\n|---|---|---|\n             | P1 Short | short | Met |\n| P3 Long | {} | Not Met |\n| P4 After | short | Met |\n",
            words.join(" ")
        );
        // Taller than a page: whole rows could not be placed at all.
        let l = run(&md);
        let tokens: BTreeSet<String> = l
            .pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                Item::Text { glyphs, .. } => Some(glyphs.iter().map(|g| g.ch).collect::<String>()),
                _ => None,
            })
            .flat_map(|t| t.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        for w in &words {
            assert!(tokens.contains(w), "lost {w}");
        }
        let table_pages: Vec<String> = l.pages[1..]
            .iter()
            .map(|p| {
                all_text(&Layout {
                    pages: vec![p.clone()],
                    ..l.clone()
                })
            })
            .collect();
        assert!(table_pages.len() >= 3, "{} pages", table_pages.len());
        for page in &table_pages[1..] {
            let mut lines = page.lines().filter(|t| !t.trim().is_empty());
            // Running header, then the repeated head row, then the continuation line.
            let head: Vec<&str> = lines
                .by_ref()
                .skip_while(|t| !t.contains("Item"))
                .take(2)
                .collect();
            assert!(head[0].contains("Requirement"), "{page}");
            if page.contains("P4") && !page.contains("w2499") {
                continue;
            }
            assert_eq!(head[1], "P3 Long (continued)", "{page}");
        }
        // Every table page is full but the last: rows no longer leave half-empty pages.
        let geo = Geometry::a4();
        for page in &l.pages[1..l.pages.len() - 1] {
            let bottom = page
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Text { y, .. } if *y < geo.height - geo.bottom => Some(*y),
                    _ => None,
                })
                .fold(Pt::ZERO, Pt::max);
            assert!(
                bottom > geo.height - geo.bottom - Pt(30.0),
                "page ends at {bottom:?}"
            );
        }
    }

    #[test]
    fn a_closing_colophon_never_sits_alone_on_the_last_page() {
        // Fill the page exactly so that the colophon would be pushed onto a page of its own.
        let base = |n: usize| {
            let body: Vec<String> = (0..n)
                .map(|i| format!("Line number {i} of the body."))
                .collect();
            format!(
                "# T\n\n## A\n\n{}\n\n---\n\n*Generated by dossier.*\n",
                body.join("\n\n")
            )
        };
        let mut tried = 0;
        for n in 20..60 {
            let l = run(&base(n));
            let last = all_text(&Layout {
                pages: vec![l.pages.last().unwrap().clone()],
                ..l.clone()
            });
            let lines: Vec<&str> = last.lines().filter(|t| !t.trim().is_empty()).collect();
            assert!(
                lines.iter().any(|t| t.contains("Line number")),
                "n = {n}: the last page holds only {lines:?}"
            );
            tried += 1;
        }
        assert_eq!(tried, 40);
    }

    #[test]
    fn content_taller_than_a_page_is_an_error() {
        let chunks = vec![marked(10.0, 0), marked(500.0, 1)];
        let err = paginate(chunks.clone(), &small_geo(100.0)).expect_err("cannot fit");
        assert!(matches!(err, PdfError::DoesNotFit(_)), "{err}");
    }

    #[test]
    fn over_tall_glued_groups_degrade_instead_of_looping() {
        let mut chunks: Vec<Chunk> = (0..8).map(|i| marked(10.0, i)).collect();
        for c in &mut chunks {
            c.keep_with_next = true;
        }
        let (pages, _) = paginate(chunks.clone(), &small_geo(30.0)).expect("fits");
        assert_eq!(pages.len(), 3);
    }

    #[test]
    fn images_scale_to_the_width_and_keep_their_aspect() {
        let (w, h) = fit_image(1600, 800, Pt(450.0), Pt(700.0));
        assert_eq!((w, h), (Pt(450.0), Pt(225.0)));
        // Small images are not blown up.
        let (w, _) = fit_image(200, 100, Pt(450.0), Pt(700.0));
        assert_eq!(w, Pt(150.0));
        // Tall images are limited by the page height.
        let (w, h) = fit_image(500, 2000, Pt(450.0), Pt(600.0));
        assert_eq!(h, Pt(600.0));
        assert!((w.0 - 150.0).abs() < 0.01);
    }

    #[test]
    fn columns_go_where_they_shorten_the_table() {
        // One row: the short column gets just enough for one line, the rest goes to the long one.
        let w = column_widths(
            &[Pt(10.0), Pt(30.0)],
            &[Pt(20.0), Pt(400.0)],
            &[vec![Pt(20.0), Pt(400.0)]],
            Pt(200.0),
            Pt(0.0),
        );
        let sum: Pt = w.iter().copied().sum();
        assert!((sum.0 - 200.0).abs() < 0.1, "{w:?}");
        assert!((w[0].0 - 20.0).abs() < 1.0, "{w:?}");
        // A checklist: long requirement texts, a verdict, reasons only in some rows. The
        // requirement column must get the most room, the rare reasons much less.
        let rows: Vec<Vec<Pt>> = (0..12)
            .map(|r| {
                let reasons = if r % 4 == 0 { 600.0 } else { 10.0 };
                vec![
                    Pt(60.0),
                    Pt(900.0 + 100.0 * r as f32),
                    Pt(30.0),
                    Pt(reasons),
                ]
            })
            .collect();
        let w = column_widths(
            &[Pt(40.0), Pt(50.0), Pt(30.0), Pt(40.0)],
            &[Pt(60.0), Pt(2000.0), Pt(30.0), Pt(600.0)],
            &rows,
            Pt(450.0),
            Pt(9.0),
        );
        assert!(w[1] > w[3] * 1.5, "{w:?}");
        assert_eq!(w[2], Pt(39.0), "{w:?}");
        // Narrow content keeps its natural width.
        let w = column_widths(
            &[Pt(10.0), Pt(10.0)],
            &[Pt(40.0), Pt(60.0)],
            &[vec![Pt(40.0), Pt(60.0)]],
            Pt(200.0),
            Pt(8.0),
        );
        assert_eq!(w, vec![Pt(48.0), Pt(68.0)]);
        // Too-wide minimums are scaled down to fit.
        let w = column_widths(
            &[Pt(150.0), Pt(150.0)],
            &[Pt(300.0), Pt(300.0)],
            &[vec![Pt(300.0), Pt(300.0)]],
            Pt(200.0),
            Pt(0.0),
        );
        assert_eq!(w, vec![Pt(100.0), Pt(100.0)]);
    }

    fn settings() -> Settings {
        Settings {
            geometry: Geometry::a4(),
            justify: true,
            running_header: "Acme".into(),
            page_break_before: vec!["ref-b".into()],
            toc_anchor: Some("contents".into()),
            hyphenation: super::super::hyphen::language("en-US")
                .and_then(super::super::hyphen::dictionary),
            threads: 2,
        }
    }

    #[test]
    fn addresses_numbers_and_paths_take_no_hyphens() {
        let ok = |w: &str| may_hyphenate(&w.chars().collect::<Vec<_>>());
        assert!(ok("straightforward"));
        assert!(ok("multi-tenant"));
        assert!(ok("Explanations:"));
        assert!(!ok("procurement@northwind.example"));
        assert!(!ok("www.example.com"));
        assert!(!ok("https://docs.aws.amazon.com/sagemaker"));
        assert!(!ok("partner.support_plan"));
        assert!(!ok("ml.g5.xlarge"));
        assert!(!ok("1,000,000"));
    }

    #[test]
    fn justified_paragraphs_hyphenate_words_but_not_urls() {
        let long = "Characterisation ".repeat(3);
        let md = format!(
            "## A\n\n{long}internationalisation https://internationalisation.example.com/administration/configuration \
             {long}procurement@internationalisation.example.com {long}\n"
        );
        let text = all_text(&run(&md));
        assert!(
            text.contains("https://internationalisation.example.com/administration/configuration"),
            "the URL is whole:\n{text}"
        );
        assert!(
            text.contains("procurement@internationalisation.example.com"),
            "the address is whole:\n{text}"
        );
    }

    #[test]
    fn hyphens_inside_ligatures_break_them_only_where_used() {
        // "dif-fer-ent" hyphenates between the two f of its ligature. Shifting the words by
        // a few letters makes some layouts break there.
        let mut broken = 0;
        for shift in 0..24 {
            let md = format!(
                "## A\n\n{} {}\n",
                "x".repeat(shift + 1),
                "different ".repeat(80)
            );
            let l = run(&md);
            let text = all_text(&l);
            let splits = text.matches("dif-\nferent").count();
            broken += splits;
            let whole = text.replace("-\n", "").matches("different").count();
            assert_eq!(whole, 80, "{text}");
            let ff = l
                .pages
                .iter()
                .flat_map(|p| &p.items)
                .filter_map(|i| match i {
                    Item::Text { glyphs, .. } => Some(glyphs.iter()),
                    _ => None,
                })
                .flatten()
                .filter(|g| g.lig.is_some_and(|l| l.text() == "ff"))
                .count();
            // Every "different" not broken between its f's keeps the ligature.
            assert_eq!(ff, 80 - splits, "{text}");
        }
        assert!(broken > 0, "no layout broke inside the ligature");
    }

    /// The text of every line of a layout, lines ended by a newline.
    fn all_text(l: &Layout) -> String {
        let mut out = String::new();
        for page in &l.pages {
            let mut y = None;
            for item in &page.items {
                if let Item::Text { y: ty, glyphs, .. } = item {
                    if y.is_some_and(|y| y != *ty) {
                        out.push('\n');
                    }
                    y = Some(*ty);
                    out.extend(glyphs.iter().flat_map(|g| g.chars()));
                }
            }
            out.push('\n');
        }
        out
    }

    fn run(md: &str) -> Layout {
        let fonts = FontSet::shipped().expect("fonts");
        let blocks = model::parse(md);
        layout(
            &blocks,
            &fonts,
            &BTreeMap::new(),
            &settings(),
            &BTreeMap::new(),
        )
        .expect("layout")
    }

    #[test]
    fn later_passes_from_the_memo_match_a_fresh_layout() {
        let filler = "Evidence of the kind a reviewer reads closely. ".repeat(60);
        let md = format!(
            "# T\n\n## Contents\n\n- [A](#a)\n\n## A\n\n{filler}\n\n### Ref B\n\n{filler} \u{4e2d}\n\n\
             ## C\n\n[see A](#a) and [see Ref B](#ref-b) and [nowhere](#nowhere)\n\n{filler}\n"
        );
        let fonts = FontSet::shipped().expect("fonts");
        let blocks = model::parse(&md);
        let images = BTreeMap::new();
        let mut memo = Memo::default();
        let mut page_of = BTreeMap::new();
        for _ in 0..3 {
            let with = layout_with(&blocks, &fonts, &images, &settings(), &page_of, &mut memo)
                .expect("layout");
            let fresh = layout(&blocks, &fonts, &images, &settings(), &page_of).expect("layout");
            assert_eq!(with.pages, fresh.pages);
            assert_eq!(with.anchors, fresh.anchors);
            assert_eq!(with.warnings, fresh.warnings);
            assert_eq!(with.warnings.len(), 2, "{:?}", with.warnings);
            page_of = fresh
                .anchors
                .iter()
                .map(|(a, (p, _))| (a.clone(), p + 1))
                .collect();
        }
        assert!(
            all_text(&layout(&blocks, &fonts, &images, &settings(), &page_of).expect("layout"))
                .contains("see A, p.")
        );
    }

    #[test]
    fn a_block_from_the_memo_still_opens_the_headings_inside_it() {
        // The quote shows no page number, so later passes reuse it; the paragraph after it
        // does, so they lay it out again — still in the section the quote's heading opened.
        let filler = "Evidence of the kind a reviewer reads closely. ".repeat(80);
        let md =
            format!("# T\n\n## A\n\n{filler}\n\n> ### Quoted\n>\n> text\n\n[see A](#a) \u{4e2d}\n");
        let fonts = FontSet::shipped().expect("fonts");
        let blocks = model::parse(&md);
        let images = BTreeMap::new();
        let mut memo = Memo::default();
        let mut page_of = BTreeMap::new();
        for _ in 0..2 {
            let with = layout_with(&blocks, &fonts, &images, &settings(), &page_of, &mut memo)
                .expect("layout");
            let fresh = layout(&blocks, &fonts, &images, &settings(), &page_of).expect("layout");
            assert_eq!(with.warnings, fresh.warnings);
            assert!(
                with.warnings[0].starts_with("A › Quoted:"),
                "{:?}",
                with.warnings
            );
            page_of = fresh
                .anchors
                .iter()
                .map(|(a, (p, _))| (a.clone(), p + 1))
                .collect();
        }
    }

    #[test]
    fn blocks_laid_out_on_several_threads_come_out_as_on_one() {
        let mut md = String::from("# Packet — parallel\n\n## Contents\n\n- [S](#s)\n\n");
        for i in 0..40u32 {
            let filler = format!("Evidence {i} of the kind a reviewer reads closely. ").repeat(12);
            let cjk = char::from_u32(0x4e00 + i).expect("a CJK character");
            let j = (i * 7) % 40;
            md += &format!(
                "## Section {i}\n\n{filler} See [section {j}](#section-{j}), [gone](#nowhere-{i}) {cjk}.\n\n\
                 ### Part {i}\n\n| Item | Note |\n|---|---|\n| a{i} | {filler} |\n| b | [back](#section-0) |\n\n\
                 > #### Quoted {i}\n>\n> {cjk}\n\n- one {i}\n- two\n\n![Diagram {i}](missing-{i}.png)\n\n"
            );
        }
        let fonts = FontSet::shipped().expect("fonts");
        let blocks = model::parse(&md);
        // Enough text for four threads.
        assert!(blocks.iter().map(text_len).sum::<usize>() > 4 * MIN_THREAD_TEXT);
        let images = BTreeMap::new();
        let passes = |threads: usize| {
            let settings = Settings {
                threads,
                ..settings()
            };
            let mut memo = Memo::default();
            let mut page_of = BTreeMap::new();
            let mut out = Vec::new();
            for _ in 0..3 {
                let l = layout_with(&blocks, &fonts, &images, &settings, &page_of, &mut memo)
                    .expect("layout");
                page_of = l
                    .anchors
                    .iter()
                    .map(|(a, (p, _))| (a.clone(), p + 1))
                    .collect();
                out.push(l);
            }
            let memo: BTreeMap<usize, String> = memo
                .blocks
                .iter()
                .map(|(k, m)| {
                    let m = (m.gap, &m.labels, &m.chunks, &m.warnings, &m.missing);
                    (*k, format!("{m:?}"))
                })
                .collect();
            (out, memo)
        };
        let (one, one_memo) = passes(1);
        let (four, four_memo) = passes(4);
        for (n, (a, b)) in one.iter().zip(&four).enumerate() {
            let differs = a.pages.iter().zip(&b.pages).position(|(x, y)| x != y);
            assert!(a.pages == b.pages, "pass {n}: page {differs:?} differs");
            assert_eq!(a.anchors, b.anchors);
            assert_eq!(a.headings, b.headings);
            assert_eq!(a.warnings, b.warnings);
        }
        assert_eq!(one_memo, four_memo);
        // In document order: each section's link, then its image (after the quote's heading);
        // then the characters no font has, by section.
        let w = &one[2].warnings;
        for i in 0..40 {
            let link = format!("Section {i}: the link to #nowhere-{i} ");
            let image = format!("Section {i} › Part {i} › Quoted {i}: image missing-{i}.png ");
            assert!(w[2 * i].starts_with(&link), "{w:#?}");
            assert!(w[2 * i + 1].starts_with(&image), "{w:#?}");
        }
        assert!(w[80].starts_with("Section 0: no font has '一'"), "{w:#?}");
        assert!(w[81].starts_with("Section 0 › Part 0 › Quoted 0: no font has '一'"));
        assert_eq!(w.len(), 80 + 2 * 40, "{w:?}");
    }

    #[test]
    fn whole_documents_lay_out_with_title_toc_and_breaks() {
        let md = "# T\n\nintro\n\n## Contents\n\n- [A](#a)\n\n## A\n\ntext\n\n### Ref B\n\nmore\n\n## C\n\n[see A](#a)\n";
        let l = run(md);
        // Title page, contents, A, then Ref B forced onto its own page.
        assert_eq!(l.pages.len(), 4);
        assert_eq!(l.anchors["contents"].0, 1);
        assert_eq!(l.anchors["a"].0, 2);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    }

    #[test]
    fn no_text_leaves_the_margins() {
        let long = "word ".repeat(400)
            + "https://example.com/an/extremely/long/url/that/has/no/spaces/at/all/and/keeps/going/and/going/forever";
        let md = format!("# T\n\n## A\n\n{long}\n\n| a | b |\n|---|---|\n| {long} | x |\n");
        let l = run(&md);
        let geo = Geometry::a4();
        for page in &l.pages {
            for item in &page.items {
                if let Item::Text { x, glyphs, .. } = item {
                    let w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                    assert!(
                        *x >= geo.margin_x - Pt(0.5),
                        "starts left of the margin: {x:?}"
                    );
                    assert!(
                        *x + w <= geo.width - geo.margin_x + Pt(0.5),
                        "ends right of the margin: {:?}",
                        *x + w
                    );
                }
            }
        }
    }

    #[test]
    fn missing_characters_are_reported_with_their_section() {
        let l = run("# T\n\n## Gaps\n\n### Lessons\n\n漢字\n");
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(
            l.warnings[0].contains("Gaps › Lessons") && l.warnings[0].contains("U+6F22"),
            "{}",
            l.warnings[0]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// (height, keep with next, break before, repeats a head) for each chunk.
        fn chunks() -> impl Strategy<Value = Vec<(u8, bool, bool, bool)>> {
            prop::collection::vec(
                (
                    1u8..=60,
                    any::<bool>(),
                    prop::bool::weighted(0.1),
                    any::<bool>(),
                ),
                1..80,
            )
        }

        /// Markdown of headings, paragraphs (some with over-long words), lists and tables.
        fn documents() -> impl Strategy<Value = String> {
            let word = prop_oneof![
                8 => "[a-z]{1,12}",
                1 => "[a-z]{30,90}",
                1 => "https://example\\.com/[a-z/]{10,60}",
            ];
            let para = prop::collection::vec(word, 1..200).prop_map(|w| w.join(" "));
            let block = prop_oneof![
                4 => para.clone(),
                1 => "[A-Z][a-z]{2,20}".prop_map(|t| format!("### {t}")),
                1 => prop::collection::vec(para.clone(), 1..6)
                    .prop_map(|items| items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n")),
                1 => prop::collection::vec((para.clone(), para), 1..8).prop_map(|rows| {
                    let body: Vec<String> = rows.iter().map(|(a, b)| format!("| {a} | {b} |")).collect();
                    format!("| A | B |\n|---|---|\n{}", body.join("\n"))
                }),
            ];
            prop::collection::vec(block, 1..12)
                .prop_map(|b| format!("# T\n\n## Body\n\n{}\n", b.join("\n\n")))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]

            #[test]
            fn whole_documents_keep_their_words_inside_the_margins_on_no_empty_page(md in documents()) {
                let l = run(&md);
                let geo = Geometry::a4();
                let mut words: Vec<String> = Vec::new();
                for page in &l.pages {
                    let mut texts = 0;
                    for item in &page.items {
                        if let Item::Text { x, y, glyphs, .. } = item {
                            let w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                            prop_assert!(*x >= geo.margin_x - Pt(0.5), "left of the margin");
                            prop_assert!(*x + w <= geo.width - geo.margin_x + Pt(0.5), "right of the margin");
                            prop_assert!(*y > Pt::ZERO && *y < geo.height, "off the page");
                            texts += 1;
                            words.push(glyphs.iter().flat_map(|g| g.chars()).collect());
                        }
                    }
                    prop_assert!(texts > 0, "an empty page");
                }
                // Every letter of the source comes back (hyphens and line breaks aside).
                let letters = |s: &str| s.chars().filter(char::is_ascii_lowercase).count();
                let source = md.lines().filter(|l| !l.starts_with('#')).map(letters).sum::<usize>();
                let set: usize = words.iter().map(|w| letters(w)).sum();
                // The running header and footers add letters; none may go missing.
                prop_assert!(set >= source, "{} letters set, {} in the source", set, source);
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn pagination_places_everything_once_in_order_within_the_page(spec in chunks()) {
                const HEAD: usize = 999;
                let geo = small_geo(100.0);
                let header = Arc::new(marked(12.0, HEAD));
                let input: Vec<Chunk> = spec
                    .iter()
                    .enumerate()
                    .map(|(id, &(h, keep, brk, head))| {
                        let mut c = marked(f32::from(h), id);
                        c.keep_with_next = keep;
                        c.break_before = brk;
                        c.space_before = Pt(4.0);
                        c.header = head.then(|| header.clone());
                        c
                    })
                    .collect();
                // Every chunk (with its head) fits an empty page, so pagination must succeed.
                let (pages, _) = paginate(input, &geo).expect("every chunk fits a page");
                let mut seen = Vec::new();
                for page in &pages {
                    let own: Vec<usize> = ids(page).into_iter().filter(|&i| i != HEAD).collect();
                    prop_assert!(!own.is_empty(), "a page without content");
                    for item in &page.items {
                        if let Item::Rect { y, color, .. } = item {
                            let id = color.0 as usize;
                            let h = if id == HEAD { Pt(12.0) } else { Pt(f32::from(spec[id].0)) };
                            prop_assert!(*y >= geo.top - Pt(0.01), "above the body");
                            prop_assert!(*y + h <= geo.top + geo.body_height() + Pt(0.01), "below the body");
                        }
                    }
                    seen.extend(own);
                }
                prop_assert_eq!(seen, (0..spec.len()).collect::<Vec<_>>());
            }
        }
    }
}
