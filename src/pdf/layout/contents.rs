//! The contents page: H2 and H3 after the Contents heading, with dot leaders and the
//! page numbers learnt by the previous pass.

use super::flow::{Ctx, Flow, PageRef, TextStyle, split_faces};
use super::frame::{Chunk, HeadingMark, Item, collect_headings};
use super::theme::{BODY_LEADING, BODY_SIZE, LEADER_DOT, MUTED, TEXT, baseline};
use crate::pdf::fonts::FaceKind;
use crate::pdf::length::Pt;
use crate::pdf::model::{self, Block, Inline};
use crate::pdf::text::{self, Align, Target};

impl Flow<'_> {
    /// The generated table of contents: H2 and H3 after the Contents heading, with pages.
    pub(super) fn toc(&mut self, all: &[Block], toc_anchor: &str, ctx: Ctx) -> Vec<Chunk> {
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
}
