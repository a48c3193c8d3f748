//! Pagination: chunks → pages. Keep-with-next groups, forced breaks, repeated table heads
//! and rows split across pages are decided here on plain data; a chunk taller than an
//! empty page is an error, never a loop.

use std::collections::BTreeMap;

use super::frame::{Anchors, Chunk, Geometry, Item, Page};
use crate::pdf::PdfError;
use crate::pdf::length::Pt;

/// Fills pages with chunks, honouring keep-with-next groups, forced breaks and repeated
/// table heads. Returns the pages and where each anchor landed.
pub(crate) fn paginate(
    chunks: Vec<Chunk>,
    geo: &Geometry,
) -> Result<(Vec<Page>, Anchors), PdfError> {
    // Chunks are taken out as they are placed: their items move onto the pages.
    let mut chunks = chunks;
    let chunks = chunks.as_mut_slice();
    let body = geo.body_height();
    let mut state = Pager {
        pages: vec![Page::default()],
        anchors: BTreeMap::new(),
        cursor: Pt::ZERO,
        empty: true,
        top: geo.top,
        closing: Vec::new(),
    };
    let mut i = 0;
    while i < chunks.len() {
        let mut j = i;
        while j + 1 < chunks.len() && chunks[j].keep_with_next && !chunks[j + 1].break_before {
            j += 1;
        }
        if chunks[i].break_before && !state.empty {
            state.new_page();
        }
        let need = group_height(&chunks[i..=j], state.empty);
        if state.cursor + need <= body + text_eps() {
            for c in &mut chunks[i..=j] {
                state.place(c);
            }
            i = j + 1;
            continue;
        }
        if !state.empty {
            state.new_page();
            continue;
        }
        // The group does not fit even an empty page: keep what fits together, break the rest.
        let mut placed = false;
        while i <= j {
            let need = group_height(&chunks[i..=i], state.empty);
            if state.cursor + need > body + text_eps() {
                break;
            }
            state.place(&mut chunks[i]);
            i += 1;
            placed = true;
        }
        if !placed {
            let c = &chunks[i];
            return Err(PdfError::DoesNotFit(format!(
                "content in \"{}\" is {:.0} pt tall but a page holds {:.0} pt",
                c.context,
                group_height(&chunks[i..=i], true).0,
                body.0
            )));
        }
    }
    Ok((state.pages, state.anchors))
}

fn text_eps() -> Pt {
    Pt(0.01)
}

/// Height a group needs; at the top of a page its first gap is dropped and a table head
/// is repeated.
fn group_height(group: &[Chunk], at_top: bool) -> Pt {
    let mut h = Pt::ZERO;
    for (k, c) in group.iter().enumerate() {
        if k > 0 || !at_top {
            h += c.space_before;
        }
        h += c.height;
    }
    if at_top && let Some(head) = group.first().and_then(|c| c.header.as_ref()) {
        h += head.height;
    }
    h
}

struct Pager {
    pages: Vec<Page>,
    anchors: Anchors,
    cursor: Pt,
    empty: bool,
    top: Pt,
    /// Closing items of the last chunk placed, already at their page position.
    closing: Vec<Item>,
}

impl Pager {
    fn new_page(&mut self) {
        let closing = std::mem::take(&mut self.closing);
        if let Some(page) = self.pages.last_mut() {
            page.items.extend(closing);
        }
        self.pages.push(Page::default());
        self.cursor = Pt::ZERO;
        self.empty = true;
    }

    fn place(&mut self, chunk: &mut Chunk) {
        // At the top of a page the gap above is dropped, also when a repeated head comes
        // first ([`group_height`] counts it so).
        let at_top = self.empty;
        if at_top && let Some(head) = &chunk.header {
            let head = head.clone();
            self.put(head.items.iter().cloned(), &head, Pt::ZERO, true);
        }
        let gap = if at_top { Pt::ZERO } else { chunk.space_before };
        let items = std::mem::take(&mut chunk.items);
        self.put(items.into_iter(), chunk, gap, at_top);
    }

    /// Puts `items` (the chunk's own, or a clone of a repeated head's) on the page.
    fn put(&mut self, items: impl Iterator<Item = Item>, chunk: &Chunk, gap: Pt, at_top: bool) {
        let y0 = self.cursor + gap;
        let page_index = self.pages.len() - 1;
        let origin = self.top + y0;
        let page = &mut self.pages[page_index];
        for mut item in items {
            // Decorations that reach up into the dropped gap (quote bars) stop at the page top.
            if at_top
                && let Item::Rect { y, h, .. } = &mut item
                && *y < Pt::ZERO
            {
                *h += *y;
                *y = Pt::ZERO;
            }
            item.shift(origin);
            page.items.push(item);
        }
        for a in &chunk.anchors {
            self.anchors.insert(a.clone(), (page_index, origin));
        }
        self.closing = chunk
            .closing
            .iter()
            .map(|item| {
                let mut item = item.clone();
                item.shift(origin);
                item
            })
            .collect();
        self.cursor = y0 + chunk.height;
        self.empty = false;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pdf::layout::testing::*;
    use crate::pdf::text::Rgb;

    #[test]
    fn pages_break_when_full() {
        let chunks: Vec<Chunk> = (0..10).map(|i| marked(15.0, i)).collect();
        let (pages, _) = paginate(chunks.clone(), &small_geo(60.0)).expect("fits");
        assert_eq!(page_of_each(&pages), vec![4, 4, 2]);
    }

    #[test]
    fn orphans_and_widows_move_with_their_neighbour() {
        // A paragraph of 5 lines, glued as text_chunks does, after 3 lines of filler:
        // a page of 5 lines would leave one orphan line; it must move.
        let mut chunks: Vec<Chunk> = (0..3).map(|i| marked(10.0, i)).collect();
        let mut para: Vec<Chunk> = (3..8).map(|i| marked(10.0, i)).collect();
        para[0].keep_with_next = true;
        para[3].keep_with_next = true;
        chunks.extend(para);
        let (pages, _) = paginate(chunks.clone(), &small_geo(40.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![0, 1, 2]);
        assert_eq!(ids(&pages[1]), vec![3, 4, 5]);
        // …and the widow rule keeps the last two lines together.
        assert_eq!(ids(&pages[2]), vec![6, 7]);
    }

    #[test]
    fn headings_stay_with_following_text() {
        let mut chunks: Vec<Chunk> = (0..3).map(|i| marked(10.0, i)).collect();
        let mut heading = marked(10.0, 3);
        heading.keep_with_next = true;
        chunks.push(heading);
        chunks.push(marked(10.0, 4));
        let (pages, _) = paginate(chunks.clone(), &small_geo(40.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![0, 1, 2]);
        assert_eq!(ids(&pages[1]), vec![3, 4]);
    }

    #[test]
    fn forced_breaks_start_a_new_page_and_gaps_vanish_at_the_top() {
        let mut b = marked(10.0, 1);
        b.break_before = true;
        b.space_before = Pt(20.0);
        b.anchors.push("ref-1".into());
        let chunks = vec![marked(10.0, 0), b];
        let geo = small_geo(400.0);
        let (pages, anchors) = paginate(chunks.clone(), &geo).expect("fits");
        assert_eq!(pages.len(), 2);
        assert_eq!(anchors["ref-1"], (1, geo.top));
    }

    #[test]
    fn split_tables_repeat_their_head_row() {
        let mut head = marked(12.0, 100);
        head.keep_with_next = true;
        let header = Arc::new(Chunk {
            keep_with_next: false,
            ..head.clone()
        });
        let mut chunks = vec![head];
        for i in 0..6 {
            let mut row = marked(12.0, i);
            row.header = Some(header.clone());
            chunks.push(row);
        }
        let (pages, _) = paginate(chunks.clone(), &small_geo(40.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![100, 0, 1]);
        assert_eq!(ids(&pages[1]), vec![100, 2, 3]);
        assert_eq!(ids(&pages[2]), vec![100, 4, 5]);
    }

    #[test]
    fn closing_items_are_drawn_only_where_a_page_ends() {
        let closing = |c: &mut Chunk| {
            c.closing.push(Item::Rect {
                x: Pt(0.0),
                y: Pt(10.0),
                w: Pt(1.0),
                h: Pt(1.0),
                color: Rgb(99.0, 0.0, 0.0),
            })
        };
        let mut chunks: Vec<Chunk> = (0..5).map(|i| marked(10.0, i)).collect();
        chunks.iter_mut().for_each(closing);
        let (pages, _) = paginate(chunks.clone(), &small_geo(30.0)).expect("fits");
        assert_eq!(ids(&pages[0]), vec![0, 1, 2, 99]);
        // The document's last chunk closes nothing: its own rule ends the table.
        assert_eq!(ids(&pages[1]), vec![3, 4]);
    }

    #[test]
    fn content_taller_than_a_page_is_an_error() {
        let chunks = vec![marked(10.0, 0), marked(500.0, 1)];
        let err = paginate(chunks.clone(), &small_geo(100.0)).expect_err("cannot fit");
        assert!(matches!(err, PdfError::DoesNotFit(_)), "{err}");
    }

    #[test]
    fn over_tall_glued_groups_degrade_instead_of_looping() {
        let mut chunks: Vec<Chunk> = (0..8).map(|i| marked(10.0, i)).collect();
        for c in &mut chunks {
            c.keep_with_next = true;
        }
        let (pages, _) = paginate(chunks.clone(), &small_geo(30.0)).expect("fits");
        assert_eq!(pages.len(), 3);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// (height, keep with next, break before, repeats a head) for each chunk.
        fn chunks() -> impl Strategy<Value = Vec<(u8, bool, bool, bool)>> {
            prop::collection::vec(
                (
                    1u8..=60,
                    any::<bool>(),
                    prop::bool::weighted(0.1),
                    any::<bool>(),
                ),
                1..80,
            )
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn pagination_places_everything_once_in_order_within_the_page(spec in chunks()) {
                const HEAD: usize = 999;
                let geo = small_geo(100.0);
                let header = Arc::new(marked(12.0, HEAD));
                let input: Vec<Chunk> = spec
                    .iter()
                    .enumerate()
                    .map(|(id, &(h, keep, brk, head))| {
                        let mut c = marked(f32::from(h), id);
                        c.keep_with_next = keep;
                        c.break_before = brk;
                        c.space_before = Pt(4.0);
                        c.header = head.then(|| header.clone());
                        c
                    })
                    .collect();
                // Every chunk (with its head) fits an empty page, so pagination must succeed.
                let (pages, _) = paginate(input, &geo).expect("every chunk fits a page");
                let mut seen = Vec::new();
                for page in &pages {
                    let own: Vec<usize> = ids(page).into_iter().filter(|&i| i != HEAD).collect();
                    prop_assert!(!own.is_empty(), "a page without content");
                    for item in &page.items {
                        if let Item::Rect { y, color, .. } = item {
                            let id = color.0 as usize;
                            let h = if id == HEAD { Pt(12.0) } else { Pt(f32::from(spec[id].0)) };
                            prop_assert!(*y >= geo.top - Pt(0.01), "above the body");
                            prop_assert!(*y + h <= geo.top + geo.body_height() + Pt(0.01), "below the body");
                        }
                    }
                    seen.extend(own);
                }
                prop_assert_eq!(seen, (0..spec.len()).collect::<Vec<_>>());
            }
        }
    }
}
