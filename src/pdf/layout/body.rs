//! The body: its top-level blocks laid out on several threads when there is enough text,
//! and remembered between passes ([`Memo`]) so that the passes which settle page numbers
//! redo only the blocks whose "p. N" changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::flow::{Ctx, Flow};
use super::frame::{Chunk, collect_headings};
use super::theme::heading_gap_after;
use crate::pdf::length::Pt;
use crate::pdf::model::{Block, Inline};
use crate::pdf::tags::Tree;

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
    /// The block's structure elements, numbered from 0 as its chunks' marks are.
    tags: Tree,
    warnings: Vec<String>,
    missing: BTreeMap<String, BTreeSet<char>>,
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
    /// The structure elements the chunks' marks point to, numbered from 0.
    tags: Tree,
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
        Block::Paragraph(i) | Block::Subheading(i) => inlines(i),
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
    /// The body's top-level blocks. What each block does to the flow (its heading path, its
    /// gap, whether it starts a page) follows from the blocks alone, so that is settled
    /// first; then the blocks are laid out or copied from the memo, on several threads when
    /// there is enough text, and put together in document order: the result is the same as
    /// one thread doing them one after the other.
    pub(super) fn body(
        &mut self,
        blocks: &[Block],
        all: &[Block],
        ctx: Ctx,
        memo: &mut Memo,
    ) -> Vec<Chunk> {
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
            let tags = match step {
                Step::Fresh { .. } => l.tags.clone(),
                _ => std::mem::take(&mut l.tags),
            };
            let base = self.tags.append(tags, self.parent.unwrap_or(0));
            for c in &mut l.chunks {
                for item in &mut c.items {
                    item.retag(base);
                }
            }
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
                        tags: l.tags,
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
        crate::pdf::jobs::map_shared(jobs.len(), threads, |i| self.lay(&jobs[i], ctx, all))
    }

    /// One job, with the warnings, missing characters and page numbers it gave kept apart.
    fn lay(&self, job: &Job, ctx: Ctx, all: &[Block]) -> Laid {
        let mut flow = Flow {
            fonts: self.fonts,
            images: self.images,
            settings: self.settings,
            page_of: self.page_of,
            known: self.known,
            levels: self.levels,
            tags: Tree::default(),
            parent: None,
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
                    tags: m.tags.clone(),
                    warnings: m.warnings.clone(),
                    missing: m.missing.clone(),
                    ..Laid::default()
                };
            }
        };
        Laid {
            chunks,
            kept,
            tags: flow.tags,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::fonts::FontSet;
    use crate::pdf::layout::frame::{Layout, Settings};
    use crate::pdf::layout::testing::*;
    use crate::pdf::layout::{layout, layout_with};
    use crate::pdf::model;

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
            assert_eq!(with.tags, fresh.tags);
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
}
