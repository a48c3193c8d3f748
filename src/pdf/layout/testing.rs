//! What the layout tests share: chunks marked with an id, small pages, and whole
//! documents laid out from Markdown.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::frame::{Chunk, Geometry, Item, Layout, Page, Settings};
use super::layout;
use crate::pdf::fonts::FontSet;
use crate::pdf::length::Pt;
use crate::pdf::model;
use crate::pdf::text::Rgb;

pub(super) fn line_chunk(h: f32) -> Chunk {
    Chunk {
        height: Pt(h),
        context: Arc::from("test"),
        ..Chunk::default()
    }
}

pub(super) fn small_geo(body: f32) -> Geometry {
    Geometry {
        width: Pt(300.0),
        height: Pt(body + 100.0),
        margin_x: Pt(50.0),
        top: Pt(50.0),
        bottom: Pt(50.0),
    }
}

pub(super) fn page_of_each(pages: &[Page]) -> Vec<usize> {
    pages.iter().map(|p| p.items.len()).collect()
}

pub(super) fn marked(h: f32, id: usize) -> Chunk {
    let mut c = line_chunk(h);
    c.items.push(Item::Rect {
        x: Pt(0.0),
        y: Pt(0.0),
        w: Pt(1.0),
        h: Pt(1.0),
        color: Rgb(id as f32, 0.0, 0.0),
    });
    c
}

pub(super) fn ids(page: &Page) -> Vec<usize> {
    page.items
        .iter()
        .filter_map(|i| match i {
            Item::Rect { color, .. } => Some(color.0 as usize),
            _ => None,
        })
        .collect()
}

pub(super) fn settings() -> Settings {
    Settings {
        geometry: Geometry::a4(),
        justify: true,
        running_header: "Acme".into(),
        page_break_before: vec!["ref-b".into()],
        toc_anchor: Some("contents".into()),
        hyphenation: crate::pdf::hyphen::language("en-US").and_then(crate::pdf::hyphen::dictionary),
        threads: 2,
    }
}

/// The text of every line of a layout, lines ended by a newline.
pub(super) fn all_text(l: &Layout) -> String {
    let mut out = String::new();
    for page in &l.pages {
        let mut y = None;
        for item in &page.items {
            if let Item::Text { y: ty, glyphs, .. } = item {
                if y.is_some_and(|y| y != *ty) {
                    out.push('\n');
                }
                y = Some(*ty);
                out.extend(glyphs.iter().flat_map(|g| g.chars()));
            }
        }
        out.push('\n');
    }
    out
}

pub(super) fn run(md: &str) -> Layout {
    let fonts = FontSet::shipped().expect("fonts");
    let blocks = model::parse(md);
    layout(
        &blocks,
        &fonts,
        &BTreeMap::new(),
        &settings(),
        &BTreeMap::new(),
    )
    .expect("layout")
}
