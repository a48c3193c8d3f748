//! Front matter: the title page, with the title split from its subtitle and a list of
//! "**Label:** value" items set as a facts table.

use super::flow::{Ctx, Flow, PageRef, TextStyle};
use super::frame::{Chunk, Item};
use super::table::natural_widths;
use super::theme::{ACCENT, BODY_LEADING, HEADING, MUTED, PARA_GAP, RULE, TEXT, baseline};
use crate::pdf::fonts::FaceKind;
use crate::pdf::length::Pt;
use crate::pdf::model::{self, Block, Inline};
use crate::pdf::text::{self, Align, Atom};

impl Flow<'_> {
    /// The title page: the H1 (split at an em dash into title and subtitle), an accent
    /// rule, and what follows. A list of "**Label:** value" items becomes a two-column
    /// facts table rather than bullets.
    pub(super) fn title_page(&mut self, blocks: &[Block], ctx: Ctx) -> Vec<Chunk> {
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
