//! Block kinds: headings, paragraphs, lists, quotes, code, images and rules as chunks.
//! Tables have a module of their own.

use super::flow::{Ctx, Flow, PageRef, TextStyle, split_faces};
use super::frame::{Chunk, Item};
use super::theme::*;
use crate::pdf::fonts::FaceKind;
use crate::pdf::length::Pt;
use crate::pdf::model::{self, Block, Inline};
use crate::pdf::tags::{Mark, Role};
use crate::pdf::text::{self, Align, Atom, Line, Piece, RunStyle};

impl Flow<'_> {
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
    pub(super) fn block(&mut self, block: &Block, ctx: Ctx, gap: Option<Pt>) -> Vec<Chunk> {
        let mut chunks = match block {
            Block::Heading {
                level,
                inlines,
                text,
                anchor,
            } => self.heading(*level, inlines, text, anchor, ctx),
            Block::Paragraph(inlines) => {
                let p = self.tags.push(Role::P, self.parent);
                self.text_chunks(
                    inlines,
                    TextStyle::body(ctx.color),
                    ctx,
                    PageRef::Shown,
                    PARA_GAP,
                    p,
                )
            }
            // Set as the paragraph it is (its text is bold already), but kept with the
            // lines that follow, as a heading is.
            Block::Subheading(inlines) => {
                let p = self.tags.push(Role::P, self.parent);
                let mut chunks = self.text_chunks(
                    inlines,
                    TextStyle::body(ctx.color),
                    ctx,
                    PageRef::Shown,
                    PARA_GAP,
                    p,
                );
                chunks.iter_mut().for_each(|c| c.keep_with_next = true);
                chunks
            }
            Block::List { start, items } => self.list(*start, items, ctx, 0),
            Block::Quote(inner) => self.quote(inner, ctx),
            Block::Code(text) => self.code(text, ctx),
            Block::Table { aligns, head, rows } => self.table(aligns, head, rows, ctx),
            Block::Image { src, alt, title } => self.image(src, alt, title, ctx),
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
        let tag_level = self.levels.get(anchor).copied().unwrap_or(level);
        let h = self.tags.push(Role::H(tag_level), self.parent);
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
            h,
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
        let outer = self.parent;
        let list = self.tags.push(Role::L, outer);
        for (n, item) in items.iter().enumerate() {
            let li = self.tags.push(Role::LI, Some(list));
            let label = self.tags.push(Role::Lbl, Some(li));
            self.parent = Some(self.tags.push(Role::LBody, Some(li)));
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
            self.parent = outer;
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
                    mark: Mark::Content(label),
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
        let outer = self.parent;
        self.parent = Some(self.tags.push(Role::BlockQuote, outer));
        let mut chunks = self.blocks(inner, inner_ctx);
        self.parent = outer;
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
        let node = self.tags.push(Role::Code, self.parent);
        let run = RunStyle {
            kind: FaceKind::Mono,
            size: SMALL_SIZE,
            color: TEXT,
            link: None,
            strike: false,
            code_bg: false,
            mark: Mark::Content(node),
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

    fn image(&mut self, src: &str, alt: &str, title: &str, ctx: Ctx) -> Vec<Chunk> {
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
            let p = self.tags.push(Role::P, self.parent);
            return self.text_chunks(
                &inl,
                TextStyle::body(MUTED),
                ctx,
                PageRef::None,
                PARA_GAP,
                p,
            );
        };
        // A figure is read as its alternative text; with none in the Markdown, the file
        // name is all there is to say.
        let figure = self.tags.push_described(
            Role::Figure,
            self.parent,
            if alt.trim().is_empty() {
                format!("Image {src}")
            } else {
                alt.trim().to_string()
            },
        );
        let caption_style = TextStyle {
            kind: FaceKind::Italic,
            size: SMALL_SIZE,
            leading: TABLE_LEADING,
            color: MUTED,
        };
        // The visible caption is the image's title when it has one: the alternative text
        // may be a paragraph written for a screen reader, which reads the caption too.
        let caption = if title.trim().is_empty() { alt } else { title };
        let caption_lines = if caption.trim().is_empty() {
            Vec::new()
        } else {
            let inl = vec![Inline {
                text: caption.to_string(),
                style: model::InlineStyle::default(),
            }];
            let element = self.tags.push(Role::Caption, Some(figure));
            let atoms = self.atoms(&inl, &caption_style, PageRef::None, Mark::Content(element));
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
            mark: Mark::Content(figure),
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
}

/// Image size that fits the width (never enlarged beyond 1 px = 0.75 pt) and the height.
fn fit_image(px_w: u32, px_h: u32, max_w: Pt, max_h: Pt) -> (Pt, Pt) {
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
}
