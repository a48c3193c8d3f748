//! Tables: column widths by where they shorten the table most, rows as chunks (split
//! across pages when tall), heads repeated on every page, verdict cells tinted.

use std::sync::Arc;

use super::flow::{Ctx, Flow, PageRef, TextStyle};
use super::frame::{Chunk, Item};
use super::theme::*;
use crate::pdf::fonts::FaceKind;
use crate::pdf::length::Pt;
use crate::pdf::model::{self, Inline, Status};
use crate::pdf::tags::{Artifact, Mark, NodeId, Role, Scope, Tree};
use crate::pdf::text::{self, Align, Atom, Line, Piece, Rgb};

/// The cells of one table row and how its columns are set.
struct Cells<'a> {
    atoms: &'a [Vec<Atom>],
    widths: &'a [Pt],
    aligns: &'a [Align],
    status: &'a [Option<Status>],
    bg: Option<Rgb>,
    /// Text set on lines of its own under the cells, across the columns before the last
    /// (a checklist item's requirement), with the width it spans.
    under: Option<(&'a [Atom], Pt)>,
}

/// Head of the column a reviewer writes in.
const NOTES_HEAD: &str = "Reviewer notes";
/// Head of the column that a table with a notes column sets under each row instead.
const UNDER_HEAD: &str = "Requirement";
/// Space between a row's cells and the text under them.
const UNDER_GAP: Pt = Pt(2.0);

impl Flow<'_> {
    pub(super) fn table(
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
        let head_text = |c: usize| -> String {
            let text: String = head
                .get(c)
                .map(|h| h.iter().map(|i| i.text.as_str()).collect())
                .unwrap_or_default();
            text.trim().to_string()
        };
        // The reviewer's checklist has its notes column last. Its requirements are long:
        // in a column of their own they become towers of short lines, so each is set on
        // lines under its row instead, labelled with the column's head, and the other
        // columns share the width.
        let under = (ncols > 2 && head_text(ncols - 1) == NOTES_HEAD)
            .then(|| (0..ncols).find(|&c| head_text(c) == UNDER_HEAD))
            .flatten();
        let label = under.map(|c| Inline {
            text: format!("{}: ", head_text(c)),
            style: model::InlineStyle {
                italic: true,
                ..Default::default()
            },
        });
        // A head row with no text at all (`| | |`, a key/value table) is not drawn.
        let has_head = head.iter().flatten().any(|i| !i.text.is_empty());
        // Rows that each begin with bold text (the checklist's "**P1** APN Membership") are
        // named by their first cell: it is the header of its row.
        let row_headers = !rows.is_empty()
            && rows.iter().all(|r| {
                r.first()
                    .and_then(|c| c.first())
                    .is_some_and(|i| i.style.bold)
            });
        let table = self.tags.push(Role::Table, self.parent);
        let cell_mark =
            |tags: &mut Tree, tr: NodeId, role: Role| Mark::Content(tags.push(role, Some(tr)));
        // Every column keeps its cell in the structure, the one set under the rows too (its
        // head cell then stays empty: the label is in each of its cells).
        let head_marks: Vec<Mark> = if has_head {
            let thead = self.tags.push(Role::THead, Some(table));
            let tr = self.tags.push(Role::TR, Some(thead));
            (0..ncols)
                .map(|_| cell_mark(&mut self.tags, tr, Role::TH(Scope::Column)))
                .collect()
        } else {
            vec![Mark::Artifact(Artifact::Layout); ncols]
        };
        // Shape every cell once; widths follow from the atoms.
        let mut head_atoms: Vec<Vec<Atom>> = (0..ncols)
            .map(|c| {
                let inlines = head.get(c).unwrap_or(&empty);
                self.atoms(inlines, &head_style, PageRef::None, head_marks[c])
            })
            .collect();
        let tbody = (!rows.is_empty()).then(|| self.tags.push(Role::TBody, Some(table)));
        let mut body_atoms: Vec<Vec<Vec<Atom>>> = rows
            .iter()
            .map(|r| {
                let tr = self.tags.push(Role::TR, tbody);
                (0..ncols)
                    .map(|c| {
                        let role = if c == 0 && row_headers {
                            Role::TH(Scope::Row)
                        } else {
                            Role::TD
                        };
                        let mark = cell_mark(&mut self.tags, tr, role);
                        match &label {
                            Some(label) if Some(c) == under => {
                                let inl: Vec<Inline> =
                                    std::iter::once(label.clone()).chain(cell(r, c)).collect();
                                self.atoms(&inl, &cell_style, PageRef::Shown, mark)
                            }
                            _ => self.atoms(&cell(r, c), &cell_style, PageRef::Shown, mark),
                        }
                    })
                    .collect()
            })
            .collect();
        // The columns laid out side by side.
        let grid: Vec<usize> = (0..ncols).filter(|&c| Some(c) != under).collect();
        let under_atoms: Vec<Vec<Atom>> = match under {
            Some(c) => {
                head_atoms.remove(c);
                body_atoms.iter_mut().map(|row| row.remove(c)).collect()
            }
            None => Vec::new(),
        };
        let ncols = grid.len();
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
        for (g, &c) in grid.iter().enumerate() {
            if head_text(c) == NOTES_HEAD {
                min_w[g] = min_w[g].max(ctx.width * 0.22);
                max_w[g] = max_w[g].max(min_w[g]);
            }
        }
        let widths = column_widths(&min_w, &max_w, &one_line, ctx.width, CELL_PAD_X * 2.0);
        let ctx = Ctx {
            width: widths.iter().copied().sum(),
            ..ctx
        };
        let aligns: Vec<Align> = grid
            .iter()
            .map(|&c| match aligns.get(c) {
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
                under: None,
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
            let status: Vec<Option<Status>> = grid
                .iter()
                .map(|&c| {
                    rows[r]
                        .get(c)
                        .and_then(|cell| cell.iter().find_map(|i| i.style.status))
                })
                .collect();
            let span = ctx.width - widths.last().copied().unwrap_or(Pt::ZERO);
            let cells = Cells {
                atoms: row,
                widths: &widths,
                aligns: &aligns,
                status: &status,
                bg: None,
                under: under_atoms.get(r).map(|a| (a.as_slice(), span)),
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
        let atoms = self.atoms(
            &inl,
            &style,
            PageRef::None,
            Mark::Artifact(Artifact::Layout),
        );
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
        // Lines `rows..total` are the text under the cells; the gap above them belongs to
        // the chunk that holds the first.
        let under: Vec<Line> = match cells.under {
            Some((atoms, span)) if !atoms.is_empty() => {
                text::break_lines(atoms, span - CELL_PAD_X * 2.0)
            }
            _ => Vec::new(),
        };
        let total = rows + under.len();
        let gap_in = |from: usize, to: usize| {
            if !under.is_empty() && from <= rows && rows < to {
                UNDER_GAP
            } else {
                Pt::ZERO
            }
        };
        let ranges: Vec<(usize, usize)> = if split && total >= MIN_SPLIT_ROW_LINES {
            (0..total).map(|k| (k, k + 1)).collect()
        } else {
            vec![(0, total)]
        };
        let count = ranges.len();
        let mut out = Vec::with_capacity(count);
        for (s, &(from, to)) in ranges.iter().enumerate() {
            let pad_top = if from == 0 { CELL_PAD_Y } else { Pt::ZERO };
            let pad_bottom = if to == total { CELL_PAD_Y } else { Pt::ZERO };
            let height =
                style.leading * (to - from) as f32 + gap_in(from, to) + pad_top + pad_bottom;
            // Verdict tints end with the cells, above the text under them.
            let tint_h = if under.is_empty() {
                height
            } else {
                style.leading * (to.min(rows).saturating_sub(from)) as f32 + pad_top
            };
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
                if let Some(color) = tint
                    && from < rows
                {
                    items.push(Item::Rect {
                        x,
                        y: Pt::ZERO,
                        w,
                        h: tint_h,
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
            if let Some((_, span)) = cells.under {
                for (k, line) in under.iter().enumerate() {
                    let k = rows + k;
                    if k < from || k >= to {
                        continue;
                    }
                    let top = pad_top + style.leading * (k - from) as f32 + gap_in(from, to);
                    items.extend(self.line_items(
                        line,
                        ctx.x + CELL_PAD_X,
                        span - CELL_PAD_X * 2.0,
                        Align::Left,
                        top,
                        style,
                    ));
                }
                // The notes column, ruled off from the row so that it reads as a box to
                // write in.
                items.push(Item::Line {
                    x1: ctx.x + span,
                    y1: Pt::ZERO,
                    x2: ctx.x + span,
                    y2: height,
                    width: Pt(0.4),
                    color: RULE,
                });
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
}

/// (widest unbreakable word, whole text on one line) of a cell.
pub(super) fn natural_widths(atoms: &[Atom]) -> (Pt, Pt) {
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
fn column_widths(min: &[Pt], max: &[Pt], cells: &[Vec<Pt>], total: Pt, pad: Pt) -> Vec<Pt> {
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::pdf::layout::frame::{Geometry, Layout};
    use crate::pdf::layout::testing::*;

    /// Each text item of a layout's pages: (left, right, baseline, its text).
    fn texts(l: &Layout) -> Vec<(Pt, Pt, Pt, String)> {
        l.pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|i| match i {
                Item::Text { x, y, glyphs, .. } => {
                    let w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                    let text = glyphs.iter().flat_map(|g| g.chars()).collect();
                    Some((*x, *x + w, *y, text))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_table_with_a_notes_column_sets_each_requirement_under_its_row() {
        let requirement = "The partner must show evidence of this requirement. ".repeat(6);
        let table = |notes: &str| {
            run(&format!(
                "# T\n\n## A\n\n| Item | Requirement | Status | {notes} |\n|---|---|---|---|\n\
                 | **P1** Membership | {requirement} | **Not Met** | |\n| **P2** Support | short | **Met** | |\n"
            ))
        };
        let with_notes = texts(&table("Reviewer notes"));
        let find = |s: &str| {
            with_notes
                .iter()
                .find(|(_, _, _, t)| t.starts_with(s))
                .unwrap_or_else(|| panic!("no {s} in {with_notes:?}"))
        };
        let (item_x, _, item_y, _) = find("P1");
        let (label_x, _, label_y, _) = find("Requirement:");
        let (_, _, p2_y, _) = find("P2");
        let (notes_x, _, _, _) = find("Reviewer");
        // Under its row, from the table's left edge, before the next row; not in the head.
        assert_eq!(label_x, item_x);
        assert!(
            item_y < label_y && label_y < p2_y,
            "{item_y:?} {label_y:?} {p2_y:?}"
        );
        assert!(!with_notes.iter().any(|(.., t)| t == "Requirement"));
        // The requirement's lines stop where the notes column begins, which keeps at least
        // a fifth of the width.
        let under: Vec<_> = with_notes
            .iter()
            .filter(|(_, _, y, _)| *y >= *label_y && *y < *p2_y)
            .collect();
        assert!(under.len() >= 3, "{under:?}");
        for (_, right, _, t) in &under {
            assert!(
                *right <= *notes_x - CELL_PAD_X * 2.0,
                "{t:?} ends at {right:?}"
            );
        }
        let geo = Geometry::a4();
        let notes_w = geo.width - geo.margin_x - (*notes_x - CELL_PAD_X);
        assert!(notes_w >= geo.body_width() / 5.0, "{notes_w:?}");
        // Without a notes column the requirement stays a column of its own.
        let plain = texts(&table("Remarks"));
        assert!(plain.iter().any(|(.., t)| t == "Requirement"));
        assert!(!plain.iter().any(|(.., t)| t.starts_with("Requirement:")));
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
}
