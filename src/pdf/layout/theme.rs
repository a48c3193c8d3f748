//! Theme: the sizes, gaps and colours every part of the layout shares.

use crate::pdf::length::Pt;
use crate::pdf::text::Rgb;

pub(super) const BODY_SIZE: Pt = Pt(10.5);
pub(super) const BODY_LEADING: Pt = Pt(15.0);
pub(super) const PARA_GAP: Pt = Pt(7.0);
pub(super) const SMALL_SIZE: Pt = Pt(8.6);
pub(super) const TABLE_LEADING: Pt = Pt(11.4);
pub(super) const CELL_PAD_X: Pt = Pt(4.5);
pub(super) const CELL_PAD_Y: Pt = Pt(3.6);
/// Table rows with at least this many lines may break between pages.
pub(super) const MIN_SPLIT_ROW_LINES: usize = 4;
pub(super) const CODE_LEADING: Pt = Pt(11.6);
pub(super) const CODE_PAD: Pt = Pt(6.0);
pub(super) const LIST_INDENT: Pt = Pt(18.0);
pub(super) const QUOTE_INDENT: Pt = Pt(14.0);

pub(super) const TEXT: Rgb = Rgb(0.11, 0.11, 0.13);
pub(super) const MUTED: Rgb = Rgb(0.40, 0.42, 0.46);
/// Side of a table-of-contents leader dot (a full stop of the body face is about this wide).
pub(super) const LEADER_DOT: Pt = Pt(0.9);
pub(super) const HEADING: Rgb = Rgb(0.07, 0.19, 0.35);
pub(super) const ACCENT: Rgb = Rgb(0.16, 0.38, 0.62);
pub(super) const LINK: Rgb = Rgb(0.08, 0.33, 0.66);
pub(super) const MET: Rgb = Rgb(0.07, 0.45, 0.20);
pub(super) const NOT_MET: Rgb = Rgb(0.72, 0.12, 0.10);
pub(super) const MET_BG: Rgb = Rgb(0.89, 0.96, 0.90);
pub(super) const NOT_MET_BG: Rgb = Rgb(0.99, 0.91, 0.90);
pub(super) const RULE: Rgb = Rgb(0.78, 0.80, 0.84);
pub(super) const CODE_BG: Rgb = Rgb(0.945, 0.953, 0.965);
pub(super) const HEAD_BG: Rgb = Rgb(0.925, 0.937, 0.955);

// Noto's hhea ascender/descender, as fractions of the em: they centre text in its line box.
const ASCENT: f32 = 1.069;
const DESCENT: f32 = 0.293;

/// Offset of the baseline below the top of a line box.
pub(super) fn baseline(size: Pt, leading: Pt) -> Pt {
    (leading - size * (ASCENT + DESCENT)) / 2.0 + size * ASCENT
}

/// Gap between a heading and the block after it.
pub(super) fn heading_gap_after(level: u8) -> Pt {
    match level {
        1 | 2 => Pt(8.0),
        3 => Pt(5.0),
        _ => Pt(3.0),
    }
}
