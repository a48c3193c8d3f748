//! Frame types: what layout gives drawing (pages of positioned [`Item`]s, anchors,
//! headings, warnings) and the [`Chunk`]s pagination works on. These types are the only
//! contract between layout and drawing.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::pdf::fonts::FaceId;
use crate::pdf::length::Pt;
use crate::pdf::model::Block;
use crate::pdf::text::{PlacedGlyph, Rgb, Target};

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
    pub(super) fn shift(&mut self, dy: Pt) {
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
    pub hyphenation: Option<crate::pdf::hyphen::Dictionary>,
    /// Threads that may lay out blocks at the same time (the output does not depend on it).
    pub threads: usize,
}

/// Every heading of the document, nested ones (in quotes and lists) included, in order.
pub(super) fn collect_headings(blocks: &[Block]) -> Vec<HeadingMark> {
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
