//! Decorations: the running header and the "Page k of N" footer, added to pages once
//! pagination has placed everything.

use super::flow::{Flow, split_faces};
use super::frame::{Item, Page};
use super::theme::{MUTED, RULE};
use crate::pdf::fonts::{FaceKind, Glyph};
use crate::pdf::length::Pt;
use crate::pdf::text::Rgb;

impl Flow<'_> {
    /// Glyphs for `text`, shortened at a word boundary with "…" to fit `room` (or nothing
    /// if not even one word fits).
    fn fit_label(&mut self, text: &str, kind: FaceKind, size: Pt, room: Pt) -> Vec<Glyph> {
        let width = |g: &[Glyph]| -> Pt { g.iter().map(|g| g.advance).sum() };
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
    pub(super) fn decorate(&mut self, pages: &mut [Page], sections: &[String]) {
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

fn text_items(glyphs: Vec<Glyph>, x: Pt, y: Pt, size: Pt, color: Rgb) -> Vec<Item> {
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
