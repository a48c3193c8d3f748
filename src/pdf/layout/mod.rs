//! Layout: document model → pages of positioned items, all lengths in [`Pt`].
//!
//! Pure: takes blocks, fonts (plain data), image pixel sizes and the page numbers learnt
//! by a previous pass; gives pages whose items the drawing step only has to write. Blocks
//! are first flattened into [`Chunk`]s (a line, a table row, an image …) that carry their
//! own keep-together rules; [`paginate`] then fills pages, so widows, orphans, headings
//! kept with their text and repeated table heads are all decided on plain data. Content
//! taller than an empty page is an error, never a loop.
//!
//! One module per concern: [`frame`] holds the types drawing reads, [`paginate`] fills
//! pages, and the flow ([`flow`], then one module per kind of content) turns blocks into
//! chunks.

mod blocks;
mod body;
mod contents;
mod decorate;
mod flow;
mod frame;
mod front;
mod inline;
mod paginate;
mod table;
#[cfg(test)]
mod testing;
mod theme;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub(crate) use body::Memo;
use flow::{Ctx, Flow};
use frame::collect_headings;
pub(crate) use frame::{Geometry, HeadingMark, Item, Layout, Page, Settings};
use paginate::paginate;
use theme::TEXT;

use super::PdfError;
use super::fonts::FontSet;
use super::model::Block;
use super::text::Align;

/// Lays out the document. `page_of` maps anchors to 1-based page numbers from a previous
/// pass (empty on the first), for the table of contents and "p. N" after internal links.
#[cfg(test)]
pub(crate) fn layout(
    blocks: &[Block],
    fonts: &FontSet,
    images: &BTreeMap<String, (u32, u32)>,
    settings: &Settings,
    page_of: &BTreeMap<String, usize>,
) -> Result<Layout, PdfError> {
    layout_with(
        blocks,
        fonts,
        images,
        settings,
        page_of,
        &mut Memo::default(),
    )
}

/// [`layout`], reusing what earlier passes over the same blocks laid out.
pub(crate) fn layout_with(
    blocks: &[Block],
    fonts: &FontSet,
    images: &BTreeMap<String, (u32, u32)>,
    settings: &Settings,
    page_of: &BTreeMap<String, usize>,
    memo: &mut Memo,
) -> Result<Layout, PdfError> {
    let known: BTreeSet<String> = collect_headings(blocks)
        .into_iter()
        .map(|h| h.anchor)
        .collect();
    let mut flow = Flow {
        fonts,
        images,
        settings,
        page_of,
        known: &known,
        path: Vec::new(),
        missing: BTreeMap::new(),
        warnings: Vec::new(),
        context: Arc::from("title page"),
        labels: Vec::new(),
    };
    let geo = settings.geometry;
    let ctx = Ctx {
        x: geo.margin_x,
        width: geo.body_width(),
        color: TEXT,
        align: if settings.justify {
            Align::Justify
        } else {
            Align::Left
        },
    };

    let first_h2 = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { level: 2, .. }))
        .unwrap_or(blocks.len());
    let mut chunks = flow.title_page(&blocks[..first_h2], ctx);
    let body = flow.body(&blocks[first_h2..], blocks, ctx, memo);
    chunks.extend(body);

    let (mut pages, anchors) = paginate(chunks, &geo)?;
    // The section in force on each page (the last H2 that starts on or before it).
    let mut section_of_page: Vec<String> = vec![String::new(); pages.len()];
    for h in collect_headings(blocks).iter().filter(|h| h.level == 2) {
        if let Some((page, _)) = anchors.get(&h.anchor) {
            for s in section_of_page.iter_mut().skip(*page) {
                s.clone_from(&h.title);
            }
        }
    }
    flow.decorate(&mut pages, &section_of_page);

    let mut warnings = flow.warnings;
    for (path, chars) in flow.missing {
        let list: Vec<String> = chars
            .iter()
            .map(|c| format!("'{c}' (U+{:04X})", *c as u32))
            .collect();
        warnings.push(format!(
            "{path}: no font has {}; drawn as a missing-glyph box (add a font with PdfOptions::font_dirs)",
            list.join(", ")
        ));
    }
    Ok(Layout {
        pages,
        anchors,
        headings: collect_headings(blocks),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::length::Pt;
    use testing::*;

    #[test]
    fn whole_documents_lay_out_with_title_toc_and_breaks() {
        let md = "# T\n\nintro\n\n## Contents\n\n- [A](#a)\n\n## A\n\ntext\n\n### Ref B\n\nmore\n\n## C\n\n[see A](#a)\n";
        let l = run(md);
        // Title page, contents, A, then Ref B forced onto its own page.
        assert_eq!(l.pages.len(), 4);
        assert_eq!(l.anchors["contents"].0, 1);
        assert_eq!(l.anchors["a"].0, 2);
        assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    }

    #[test]
    fn no_text_leaves_the_margins() {
        let long = "word ".repeat(400)
            + "https://example.com/an/extremely/long/url/that/has/no/spaces/at/all/and/keeps/going/and/going/forever";
        let md = format!("# T\n\n## A\n\n{long}\n\n| a | b |\n|---|---|\n| {long} | x |\n");
        let l = run(&md);
        let geo = Geometry::a4();
        for page in &l.pages {
            for item in &page.items {
                if let Item::Text { x, glyphs, .. } = item {
                    let w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                    assert!(
                        *x >= geo.margin_x - Pt(0.5),
                        "starts left of the margin: {x:?}"
                    );
                    assert!(
                        *x + w <= geo.width - geo.margin_x + Pt(0.5),
                        "ends right of the margin: {:?}",
                        *x + w
                    );
                }
            }
        }
    }

    #[test]
    fn missing_characters_are_reported_with_their_section() {
        let l = run("# T\n\n## Gaps\n\n### Lessons\n\n漢字\n");
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(
            l.warnings[0].contains("Gaps › Lessons") && l.warnings[0].contains("U+6F22"),
            "{}",
            l.warnings[0]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Markdown of headings, paragraphs (some with over-long words), lists and tables.
        fn documents() -> impl Strategy<Value = String> {
            let word = prop_oneof![
                8 => "[a-z]{1,12}",
                1 => "[a-z]{30,90}",
                1 => "https://example\\.com/[a-z/]{10,60}",
            ];
            let para = prop::collection::vec(word, 1..200).prop_map(|w| w.join(" "));
            let block = prop_oneof![
                4 => para.clone(),
                1 => "[A-Z][a-z]{2,20}".prop_map(|t| format!("### {t}")),
                1 => prop::collection::vec(para.clone(), 1..6)
                    .prop_map(|items| items.iter().map(|i| format!("- {i}")).collect::<Vec<_>>().join("\n")),
                1 => prop::collection::vec((para.clone(), para), 1..8).prop_map(|rows| {
                    let body: Vec<String> = rows.iter().map(|(a, b)| format!("| {a} | {b} |")).collect();
                    format!("| A | B |\n|---|---|\n{}", body.join("\n"))
                }),
            ];
            prop::collection::vec(block, 1..12)
                .prop_map(|b| format!("# T\n\n## Body\n\n{}\n", b.join("\n\n")))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]

            #[test]
            fn whole_documents_keep_their_words_inside_the_margins_on_no_empty_page(md in documents()) {
                let l = run(&md);
                let geo = Geometry::a4();
                let mut words: Vec<String> = Vec::new();
                for page in &l.pages {
                    let mut texts = 0;
                    for item in &page.items {
                        if let Item::Text { x, y, glyphs, .. } = item {
                            let w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                            prop_assert!(*x >= geo.margin_x - Pt(0.5), "left of the margin");
                            prop_assert!(*x + w <= geo.width - geo.margin_x + Pt(0.5), "right of the margin");
                            prop_assert!(*y > Pt::ZERO && *y < geo.height, "off the page");
                            texts += 1;
                            words.push(glyphs.iter().flat_map(|g| g.chars()).collect());
                        }
                    }
                    prop_assert!(texts > 0, "an empty page");
                }
                // Every letter of the source comes back (hyphens and line breaks aside).
                let letters = |s: &str| s.chars().filter(char::is_ascii_lowercase).count();
                let source = md.lines().filter(|l| !l.starts_with('#')).map(letters).sum::<usize>();
                let set: usize = words.iter().map(|w| letters(w)).sum();
                // The running header and footers add letters; none may go missing.
                prop_assert!(set >= source, "{} letters set, {} in the source", set, source);
            }
        }
    }
}
