//! Decorations: the running header and the "Page k of N" footer, added to pages once
//! pagination has placed everything.

use super::flow::{Flow, split_faces};
use super::frame::{Anchors, HeadingMark, Item, Page};
use super::theme::{MUTED, RULE};
use crate::pdf::fonts::{FaceKind, Glyph};
use crate::pdf::length::Pt;
use crate::pdf::tags::{Artifact, Mark};
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

    /// Running header (partner and solution left, the section in force at the top of the
    /// page right) and "Page k of N" footer on every page but the title page.
    pub(super) fn decorate(
        &mut self,
        pages: &mut [Page],
        headings: &[HeadingMark],
        anchors: &Anchors,
    ) {
        const HEADER: Mark = Mark::Artifact(Artifact::Header);
        let geo = self.settings.geometry;
        let sections = sections_at_top(headings, anchors, pages.len(), geo.top);
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
                extra.extend(text_items(glyphs, geo.margin_x, y, size, MUTED, HEADER));
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
                    HEADER,
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
                Mark::Artifact(Artifact::Footer),
            ));
            page.items.extend(extra);
        }
    }
}

/// The section each page starts in: the last H2 that begins on an earlier page or opens
/// this one. As in a printed report, a page whose top half continues one section and whose
/// lower half begins the next is headed by the one the reader is still in; the new
/// section's own heading on the page already names it.
fn sections_at_top(
    headings: &[HeadingMark],
    anchors: &Anchors,
    pages: usize,
    top: Pt,
) -> Vec<String> {
    let mut sections = vec![String::new(); pages];
    for h in headings.iter().filter(|h| h.level == 2) {
        let Some(&(page, y)) = anchors.get(&h.anchor) else {
            continue;
        };
        // Pagination drops the space above a chunk that opens a page, so a heading at the
        // top sits exactly at the body's top edge.
        let first = if y <= top { page } else { page + 1 };
        for s in sections.iter_mut().skip(first) {
            s.clone_from(&h.title);
        }
    }
    sections
}

fn text_items(glyphs: Vec<Glyph>, x: Pt, y: Pt, size: Pt, color: Rgb, mark: Mark) -> Vec<Item> {
    split_faces(glyphs)
        .into_iter()
        .map(|(face, (dx, glyphs))| Item::Text {
            x: x + dx,
            y,
            face,
            size,
            color,
            glyphs: glyphs.into(),
            mark,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, settings};
    use super::*;

    /// The running header's text on each page: the partner part, then the section.
    fn headers(l: &super::super::Layout) -> Vec<String> {
        l.pages
            .iter()
            .map(|p| {
                p.items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Text { glyphs, mark, .. }
                            if *mark == Mark::Artifact(Artifact::Header) =>
                        {
                            Some(glyphs.iter().flat_map(|g| g.chars()).collect::<String>())
                        }
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_page_is_headed_by_the_section_it_starts_in() {
        let filler = "Evidence of the kind a reviewer reads closely. ".repeat(120);
        let md = format!("# T\n\n## Alpha\n\n{filler}\n\n## Beta\n\nShort.\n\n## Ref B\n\nLast.\n");
        let l = run(&md);
        let top = settings().geometry.top;
        let (beta, y) = l.anchors["beta"];
        assert!(
            y > top,
            "Beta must begin below the top of page {beta} for this test"
        );
        let (ref_b, y) = l.anchors["ref-b"];
        assert_eq!(y, top, "Ref B opens page {ref_b}");
        let h = headers(&l);
        assert_eq!(h[0], "", "the title page has no header");
        assert_eq!(h[1], "AcmeAlpha");
        // Alpha runs on into the page where Beta begins: that page is still Alpha's.
        assert_eq!(h[beta], "AcmeAlpha", "{h:?}");
        // A section that opens its page names it.
        assert_eq!(h[ref_b], "AcmeRef B", "{h:?}");
    }
}
