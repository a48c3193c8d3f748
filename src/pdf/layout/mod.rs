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

use body::Memo;
use flow::{Ctx, Flow};
use frame::collect_headings;
pub(crate) use frame::{Geometry, HeadingMark, Item, Layout, Page, Settings};
use paginate::paginate;
use theme::TEXT;

use super::PdfError;
use super::fonts::FontSet;
use super::model::Block;
use super::tags::Tree;
use super::text::Align;

/// Layout passes before page numbers are taken as settled (two suffice in practice: page
/// numbers only change line breaks when they gain a digit).
const MAX_PASSES: usize = 5;

/// Lays the document out until the page numbers it prints (contents, "p. N") are the pages
/// the headings land on. After [`MAX_PASSES`] passes the last is used as it is, with a
/// warning that names the sections whose pages still moved.
pub(crate) fn settle(
    blocks: &[Block],
    fonts: &FontSet,
    images: &BTreeMap<String, (u32, u32)>,
    settings: &Settings,
) -> Result<Layout, PdfError> {
    settle_within(blocks, fonts, images, settings, MAX_PASSES)
}

/// [`settle`] with at most `passes` passes.
fn settle_within(
    blocks: &[Block],
    fonts: &FontSet,
    images: &BTreeMap<String, (u32, u32)>,
    settings: &Settings,
    passes: usize,
) -> Result<Layout, PdfError> {
    let mut page_of = BTreeMap::new();
    let mut memo = Memo::default();
    let mut laid = layout_with(blocks, fonts, images, settings, &page_of, &mut memo)?;
    for pass in 1.. {
        let learnt: BTreeMap<String, usize> = laid
            .anchors
            .iter()
            .map(|(a, (page, _))| (a.clone(), page + 1))
            .collect();
        if learnt == page_of {
            break;
        }
        if pass >= passes {
            let warning = unsettled(pass, &laid.headings, &page_of, &learnt);
            laid.warnings.push(warning);
            break;
        }
        page_of = learnt;
        // The old pages go before the new ones are made: a long packet never holds both.
        drop(std::mem::take(&mut laid.pages));
        laid = layout_with(blocks, fonts, images, settings, &page_of, &mut memo)?;
    }
    Ok(laid)
}

/// The warning for a layout whose last pass still moved headings: the sections that moved
/// (as heading paths, the first few), from which page to which.
fn unsettled(
    passes: usize,
    headings: &[HeadingMark],
    shown: &BTreeMap<String, usize>,
    landed: &BTreeMap<String, usize>,
) -> String {
    const NAMED: usize = 3;
    let mut path: Vec<(u8, &str)> = Vec::new();
    let mut moved = Vec::new();
    for h in headings {
        path.retain(|(level, _)| *level < h.level);
        path.push((h.level, &h.title));
        let (Some(&to), from) = (landed.get(&h.anchor), shown.get(&h.anchor)) else {
            continue;
        };
        if from == Some(&to) {
            continue;
        }
        let name: Vec<&str> = path
            .iter()
            .filter(|(level, _)| *level >= 2)
            .map(|(_, title)| *title)
            .collect();
        let name = if name.is_empty() {
            h.title.as_str().into()
        } else {
            name.join(" › ")
        };
        moved.push(match from {
            Some(from) => format!("\"{name}\" (shown as page {from}, now on page {to})"),
            None => format!("\"{name}\" (now on page {to})"),
        });
    }
    let more = moved.len().saturating_sub(NAMED);
    moved.truncate(NAMED);
    let mut list = moved.join(", ");
    if more > 0 {
        list += &format!(" and {more} more");
    }
    let passes = match passes {
        1 => "1 pass".to_string(),
        n => format!("{n} passes"),
    };
    format!(
        "layout did not settle after {passes}: {list} moved in the last; the contents and \
         \"p. N\" references to them may be a page off"
    )
}

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
fn layout_with(
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
    let levels = heading_levels(&collect_headings(blocks));
    let mut flow = Flow {
        fonts,
        images,
        settings,
        page_of,
        known: &known,
        levels: &levels,
        tags: Tree::document(),
        parent: Some(0),
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
    flow.decorate(&mut pages, &collect_headings(blocks), &anchors);

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
        tags: flow.tags,
    })
}

/// The structure level of each heading, by anchor: its Markdown level, but never more than
/// one deeper than the heading before it (a reader navigating by headings must not find a
/// level missing).
fn heading_levels(headings: &[HeadingMark]) -> BTreeMap<String, u8> {
    let mut last = 0;
    headings
        .iter()
        .map(|h| {
            last = h.level.min(last + 1);
            (h.anchor.clone(), last)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::length::Pt;
    use crate::pdf::model;
    use crate::pdf::tags::{Artifact, Mark, NodeId, Role, Scope};
    use testing::*;

    /// The element of every text item on each page, and the artifacts' kinds.
    fn marks(l: &Layout) -> Vec<Vec<Mark>> {
        l.pages
            .iter()
            .map(|p| {
                p.items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Text { mark, .. } => Some(*mark),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    fn roles_of(l: &Layout, page: usize) -> Vec<Role> {
        let mut out: Vec<Role> = Vec::new();
        for m in &marks(l)[page] {
            if let Mark::Content(n) = m {
                let role = l.tags.node(*n).role;
                if out.last() != Some(&role) {
                    out.push(role);
                }
            }
        }
        out
    }

    #[test]
    fn every_text_item_is_content_of_an_element_or_page_furniture() {
        let filler = "Evidence of the kind a reviewer reads closely. ".repeat(100);
        let rows: String = (0..60)
            .map(|i| format!("| **R{i}** row | cell {i} |\n"))
            .collect();
        let md = format!(
            "# T\n\n## A\n\n{filler}\n\n#### Deep\n\n- one [link](#a)\n- two\n\n\
             | Item | Value |\n|---|---|\n{rows}"
        );
        let l = run(&md);
        let tags = &l.tags;
        assert_eq!(tags.node(0).role, Role::Document);
        // The paragraph runs from page 2 onto page 3 and is one element there.
        let m = marks(&l);
        let para = |page: &[Mark]| {
            page.iter()
                .find_map(|m| match m {
                    Mark::Content(n) if tags.node(*n).role == Role::P => Some(*n),
                    _ => None,
                })
                .expect("a paragraph")
        };
        assert_eq!(para(&m[1]), para(&m[2]));
        // An H4 after an H2 is tagged H3: no level is skipped.
        let headings: Vec<Role> = (0..tags.len() as NodeId)
            .map(|n| tags.node(n).role)
            .filter(|r| matches!(r, Role::H(_)))
            .collect();
        assert_eq!(headings, [Role::H(1), Role::H(2), Role::H(3)]);
        // Running header and footer are artifacts; all else is content.
        for (k, page) in m.iter().enumerate().skip(1) {
            let artifacts: Vec<&Mark> = page
                .iter()
                .filter(|m| matches!(m, Mark::Artifact(_)))
                .collect();
            assert!(
                artifacts.contains(&&Mark::Artifact(Artifact::Header))
                    && artifacts.contains(&&Mark::Artifact(Artifact::Footer)),
                "page {k}: {artifacts:?}"
            );
        }
        // Lists, links and the table's cells.
        let all: Vec<Role> = (0..l.pages.len()).flat_map(|p| roles_of(&l, p)).collect();
        for role in [
            Role::Lbl,
            Role::Link,
            Role::TH(Scope::Column),
            Role::TH(Scope::Row),
            Role::TD,
        ] {
            assert!(all.contains(&role), "{role:?} in {all:?}");
        }
        for node in 1..tags.len() as NodeId {
            let n = tags.node(node);
            let parent = tags.node(n.parent.expect("a parent")).role;
            match n.role {
                Role::LI => assert_eq!(parent, Role::L),
                Role::Lbl | Role::LBody => assert_eq!(parent, Role::LI),
                Role::TH(_) | Role::TD => assert_eq!(parent, Role::TR),
                Role::TR => assert!(matches!(parent, Role::THead | Role::TBody)),
                Role::Link => assert!(matches!(parent, Role::P | Role::TocItem)),
                _ => {}
            }
        }
        // Every link area belongs to a Link element.
        for item in l.pages.iter().flat_map(|p| &p.items) {
            if let Item::Link { node, .. } = item {
                assert_eq!(tags.node(*node).role, Role::Link);
            }
        }
        // The table goes over a page: its head, repeated there, is read only once.
        let last = l.pages.len() - 1;
        let first_on_last = m[last]
            .iter()
            .find(|m| !matches!(m, Mark::Artifact(Artifact::Header)))
            .expect("text on the last page");
        assert_eq!(first_on_last, &Mark::Artifact(Artifact::Layout));
        assert!(roles_of(&l, last).contains(&Role::TH(Scope::Row)));
        assert!(!roles_of(&l, last).contains(&Role::TH(Scope::Column)));
    }

    /// Page numbers as a pass shows them to the next.
    fn pages(l: &Layout) -> BTreeMap<String, usize> {
        l.anchors
            .iter()
            .map(|(a, (p, _))| (a.clone(), p + 1))
            .collect()
    }

    #[test]
    fn a_layout_that_does_not_settle_names_the_sections_that_moved() {
        // The first pass shows "p. 00" after each link; the second "p. 2". Enough links
        // make the paragraph a line shorter, and filler puts the heading after it just
        // below the end of a page: on the second pass it moves back a page, so two passes
        // do not settle. The search finds such a document rather than hard-coding widths.
        let fonts = FontSet::shipped().expect("fonts");
        let images = BTreeMap::new();
        let doc = |links: usize, filler: usize| {
            let filler: String = (0..filler)
                .map(|i| format!("Filler line {i}.\n\n"))
                .collect();
            let links = "the evidence in [section A](#a) ".repeat(links);
            let md = format!("# T\n\n## A\n\n{links}\n\n{filler}## B\n\n### Moving\n\ntext\n");
            model::parse(&md)
        };
        let passes = |blocks: &[Block]| {
            let first =
                layout(blocks, &fonts, &images, &settings(), &BTreeMap::new()).expect("layout");
            let second =
                layout(blocks, &fonts, &images, &settings(), &pages(&first)).expect("layout");
            (pages(&first), pages(&second), second.anchors["moving"].1)
        };
        let links = (1..40)
            .find(|&n| {
                let blocks = doc(n, 0);
                let first = layout(&blocks, &fonts, &images, &settings(), &BTreeMap::new())
                    .expect("layout");
                let (_, _, y) = passes(&blocks);
                first.anchors["moving"].1 != y
            })
            .expect("some number of links shortens the paragraph");
        let mut moved = 0;
        for filler in 0..45 {
            let blocks = doc(links, filler);
            let (first, second, _) = passes(&blocks);
            let two = settle_within(&blocks, &fonts, &images, &settings(), 2).expect("layout");
            let warned: Vec<&String> = two
                .warnings
                .iter()
                .filter(|w| w.starts_with("layout did not settle"))
                .collect();
            if first == second {
                assert!(warned.is_empty(), "{warned:?}");
                continue;
            }
            moved += 1;
            assert_eq!(warned.len(), 1, "{:?}", two.warnings);
            let named = format!(
                "\"B › Moving\" (shown as page {}, now on page {})",
                first["moving"], second["moving"]
            );
            assert!(warned[0].contains(&named), "{} lacks {named}", warned[0]);
            assert!(warned[0].contains("after 2 passes"), "{}", warned[0]);
            // Five passes settle it, and then nothing is said.
            let settled = settle(&blocks, &fonts, &images, &settings()).expect("layout");
            assert!(
                !settled
                    .warnings
                    .iter()
                    .any(|w| w.contains("did not settle")),
                "{:?}",
                settled.warnings
            );
        }
        assert!(moved > 0, "no document moved a heading between passes");
    }

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
