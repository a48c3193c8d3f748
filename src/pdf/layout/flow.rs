//! The flow: the state with which blocks become chunks (fonts, settings, the heading path
//! for messages, the page numbers learnt by the previous pass), and what every kind of
//! block needs from it. The kinds themselves are in the sibling modules, each an
//! `impl Flow` of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::frame::Settings;
use super::theme::{BODY_LEADING, BODY_SIZE};
use crate::pdf::fonts::{FaceId, FaceKind, FontSet, Glyph};
use crate::pdf::length::Pt;
use crate::pdf::text::{Align, PlacedGlyph, Rgb};

/// Where a block goes and how its text looks by default.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx {
    pub(super) x: Pt,
    pub(super) width: Pt,
    pub(super) color: Rgb,
    pub(super) align: Align,
}

impl Ctx {
    pub(super) fn indented(self, by: Pt) -> Ctx {
        Ctx {
            x: self.x + by,
            width: self.width - by,
            ..self
        }
    }
}

/// Base text style of a block.
#[derive(Debug, Clone, Copy)]
pub(super) struct TextStyle {
    pub(super) kind: FaceKind,
    pub(super) size: Pt,
    pub(super) leading: Pt,
    pub(super) color: Rgb,
}

impl TextStyle {
    pub(super) fn body(color: Rgb) -> TextStyle {
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
pub(super) enum PageRef {
    /// "Reference architecture, p. 7" — on paper a reader cannot click.
    Shown,
    /// Nothing (table of contents, headings, captions).
    None,
}

/// Turns blocks into chunks; each layout thread has one of its own.
pub(super) struct Flow<'a> {
    pub(super) fonts: &'a FontSet,
    pub(super) images: &'a BTreeMap<String, (u32, u32)>,
    pub(super) settings: &'a Settings,
    pub(super) page_of: &'a BTreeMap<String, usize>,
    pub(super) known: &'a BTreeSet<String>,
    /// Current heading texts by level, for warnings.
    pub(super) path: Vec<(u8, String)>,
    pub(super) missing: BTreeMap<String, BTreeSet<char>>,
    pub(super) warnings: Vec<String>,
    pub(super) context: Arc<str>,
    /// Page numbers shown since the body block being laid out began (for the memo).
    pub(super) labels: Vec<(String, Option<usize>)>,
}

impl Flow<'_> {
    pub(super) fn enter_heading(&mut self, level: u8, text: &str) {
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

    pub(super) fn shape(&mut self, text: &str, kind: FaceKind, size: Pt) -> Vec<Glyph> {
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
}

/// Splits glyphs into runs of one face: (x offset, glyphs).
pub(super) fn split_faces(glyphs: Vec<Glyph>) -> Vec<(FaceId, (Pt, Vec<PlacedGlyph>))> {
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
