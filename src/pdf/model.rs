//! Packet Markdown → a small document model: blocks holding styled inline text.
//!
//! Takes the canonical packet Markdown (CommonMark + GFM tables, strikethrough, task lists),
//! gives [`Block`]s with GitHub heading anchors. Raw HTML is kept as literal text, never
//! interpreted. Nothing here knows about fonts or pages.

use pulldown_cmark::{Alignment, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use crate::slug::Slugger;

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Link {
    /// `#anchor` inside the document.
    Internal(String),
    /// An http(s) or mailto URL.
    External(String),
}

/// A checklist verdict recognised from a Strong span whose whole text is `Met` / `Not Met`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Met,
    NotMet,
}

/// Inline character style.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct InlineStyle {
    pub bold: bool,
    pub italic: bool,
    pub code: bool,
    pub strike: bool,
    pub link: Option<Link>,
    pub status: Option<Status>,
}

/// A run of text in one style; `"\n"` alone is a hard line break.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Inline {
    pub text: String,
    pub style: InlineStyle,
}

/// Column alignment of a GFM table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// One list item: an optional task checkbox and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ListItem {
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Heading {
        level: u8,
        inlines: Vec<Inline>,
        text: String,
        anchor: String,
    },
    Paragraph(Vec<Inline>),
    /// A paragraph of bold text only: a heading from inside a user's field (see
    /// `packet::escape::block`), set as a run-in subheading kept with what follows. Not a
    /// heading: no anchor, no outline entry.
    Subheading(Vec<Inline>),
    List {
        start: Option<u64>,
        items: Vec<ListItem>,
    },
    Quote(Vec<Block>),
    Code(String),
    Table {
        aligns: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Image {
        src: String,
        alt: String,
        /// The Markdown image title, the short visible caption; empty when none was given.
        title: String,
    },
    Rule,
}

/// Parses packet Markdown into blocks.
pub(crate) fn parse(markdown: &str) -> Vec<Block> {
    // The same dialect as the HTML, smart punctuation included.
    let mut events = Parser::new_ext(markdown, crate::packet::escape::options()).peekable();
    let mut builder = Builder {
        slugger: Slugger::default(),
        depth: 0,
    };
    builder.blocks(&mut events, None)
}

type Events<'a> = std::iter::Peekable<Parser<'a>>;

/// Quotes and lists nested deeper than this are flattened into their parent. The builder and
/// the layout recurse once per level, so without a cap `> > > …` a hundred thousand deep
/// overflows the stack; and no page has room for more indents than this anyway.
const MAX_NESTING: usize = 16;

struct Builder {
    slugger: Slugger,
    /// Quotes and list items open around the blocks being built.
    depth: usize,
}

/// Inline content, with images kept apart so a paragraph can be split around them.
enum Piece {
    Text(Inline),
    Image {
        src: String,
        alt: String,
        title: String,
    },
}

fn is_inline_start(ev: &Event) -> bool {
    match ev {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => false,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        ),
        _ => false,
    }
}

fn is_inline_event(ev: &Event) -> bool {
    matches!(
        ev,
        Event::Text(_)
            | Event::Code(_)
            | Event::InlineHtml(_)
            | Event::SoftBreak
            | Event::HardBreak
    ) || is_inline_start(ev)
        || matches!(
            ev,
            Event::End(
                TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Link
                    | TagEnd::Image
            )
        )
}

impl Builder {
    /// Blocks until `end` (or the end of input).
    fn blocks(&mut self, ev: &mut Events, end: Option<TagEnd>) -> Vec<Block> {
        let mut out = Vec::new();
        // Quotes and lists opened beyond MAX_NESTING: their contents go straight into `out`.
        let mut flattened = 0usize;
        while let Some(peeked) = ev.peek() {
            if flattened > 0
                && let Event::End(e) = peeked
                && matches!(e, TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item)
            {
                if !matches!(e, TagEnd::Item) {
                    flattened -= 1;
                }
                ev.next();
                continue;
            }
            if let (Event::End(e), Some(want)) = (peeked, end)
                && *e == want
            {
                ev.next();
                break;
            }
            // Tight list items hold inline events directly: gather them into a paragraph.
            if is_inline_event(peeked) {
                let pieces = self.inlines_until(ev, |e| !is_inline_event(e));
                push_paragraph(&mut out, pieces);
                continue;
            }
            let Some(event) = ev.next() else { break };
            if self.depth >= MAX_NESTING
                && matches!(
                    event,
                    Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item)
                )
            {
                if !matches!(event, Event::Start(Tag::Item)) {
                    flattened += 1;
                }
                continue;
            }
            match event {
                Event::Start(Tag::Paragraph) => {
                    let pieces = self.inlines(ev, TagEnd::Paragraph);
                    if is_subheading(&pieces) {
                        out.push(Block::Subheading(texts(pieces)));
                    } else {
                        push_paragraph(&mut out, pieces);
                    }
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let inlines = texts(self.inlines(ev, TagEnd::Heading(level)));
                    let text: String = inlines.iter().map(|i| i.text.as_str()).collect();
                    let anchor = self.slugger.slug(&text);
                    out.push(Block::Heading {
                        level: heading_level(level),
                        inlines,
                        text,
                        anchor,
                    });
                }
                Event::Start(Tag::BlockQuote(_)) => {
                    self.depth += 1;
                    let inner = self.blocks(ev, Some(TagEnd::BlockQuote(None)));
                    self.depth -= 1;
                    out.push(Block::Quote(inner));
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    let mut text = String::new();
                    for e in ev.by_ref() {
                        match e {
                            Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    out.push(Block::Code(text.trim_end_matches('\n').to_string()));
                }
                Event::Start(Tag::List(start)) => {
                    let ordered = start.is_some();
                    let mut items = Vec::new();
                    loop {
                        match ev.next() {
                            Some(Event::Start(Tag::Item)) => {
                                let task = match ev.peek() {
                                    Some(Event::TaskListMarker(done)) => {
                                        let d = *done;
                                        ev.next();
                                        Some(d)
                                    }
                                    _ => None,
                                };
                                self.depth += 1;
                                let blocks = self.blocks(ev, Some(TagEnd::Item));
                                self.depth -= 1;
                                items.push(ListItem { task, blocks });
                            }
                            Some(Event::End(TagEnd::List(_))) | None => break,
                            Some(_) => {}
                        }
                    }
                    out.push(Block::List {
                        start: if ordered { start } else { None },
                        items,
                    });
                }
                Event::Start(Tag::Table(aligns)) => out.push(self.table(ev, aligns)),
                Event::Start(Tag::HtmlBlock) => {
                    // Raw HTML is shown as the literal text it is, never interpreted.
                    let mut text = String::new();
                    for e in ev.by_ref() {
                        match e {
                            Event::Html(t) | Event::Text(t) => text.push_str(&t),
                            Event::End(TagEnd::HtmlBlock) => break,
                            _ => {}
                        }
                    }
                    let text = text.trim_end().to_string();
                    if !text.is_empty() {
                        out.push(Block::Paragraph(vec![Inline {
                            text,
                            style: InlineStyle::default(),
                        }]));
                    }
                }
                Event::Rule => out.push(Block::Rule),
                Event::Html(t) => out.push(Block::Paragraph(vec![Inline {
                    text: t.trim_end().to_string(),
                    style: InlineStyle::default(),
                }])),
                Event::Start(_) => {
                    // Constructs not enabled (footnotes, metadata): skip to their end.
                    let mut depth = 1;
                    for e in ev.by_ref() {
                        match e {
                            Event::Start(_) => depth += 1,
                            Event::End(_) => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn table(&mut self, ev: &mut Events, aligns: Vec<Alignment>) -> Block {
        let aligns = aligns
            .into_iter()
            .map(|a| match a {
                Alignment::Center => Align::Center,
                Alignment::Right => Align::Right,
                Alignment::Left | Alignment::None => Align::Left,
            })
            .collect();
        let mut head = Vec::new();
        let mut rows = Vec::new();
        let mut row: Vec<Vec<Inline>> = Vec::new();
        loop {
            match ev.next() {
                Some(Event::Start(Tag::TableCell)) => {
                    row.push(texts(self.inlines(ev, TagEnd::TableCell)))
                }
                Some(Event::End(TagEnd::TableHead)) => head = std::mem::take(&mut row),
                Some(Event::End(TagEnd::TableRow)) => rows.push(std::mem::take(&mut row)),
                Some(Event::End(TagEnd::Table)) | None => break,
                Some(_) => {}
            }
        }
        Block::Table { aligns, head, rows }
    }

    fn inlines(&mut self, ev: &mut Events, end: TagEnd) -> Vec<Piece> {
        let pieces = self.inlines_until(ev, |e| matches!(e, Event::End(x) if *x == end));
        ev.next();
        pieces
    }

    /// Inline content up to (not including) the first event for which `stop` holds.
    fn inlines_until(&mut self, ev: &mut Events, stop: impl Fn(&Event) -> bool) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut style = InlineStyle::default();
        // (start index in `out`, tag) of open inline containers.
        let mut strong_starts: Vec<usize> = Vec::new();
        let mut links: Vec<Option<Link>> = Vec::new();
        // (src, title, alt) of the image being read.
        let mut image: Option<(String, String, String)> = None;
        while let Some(peeked) = ev.peek() {
            if stop(peeked) {
                break;
            }
            let Some(event) = ev.next() else { break };
            if let Some((_, _, alt)) = image.as_mut() {
                match event {
                    Event::End(TagEnd::Image) => {
                        if let Some((src, title, alt)) = image.take() {
                            out.push(Piece::Image { src, alt, title });
                        }
                    }
                    Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                    _ => {}
                }
                continue;
            }
            let mut push = |text: &str, style: &InlineStyle| {
                out.push(Piece::Text(Inline {
                    text: text.to_string(),
                    style: style.clone(),
                }));
            };
            match event {
                Event::Text(t) | Event::InlineHtml(t) | Event::Html(t) => push(&t, &style),
                Event::Code(t) => {
                    let mut s = style.clone();
                    s.code = true;
                    push(&t, &s);
                }
                Event::SoftBreak => push(" ", &style),
                Event::HardBreak => push("\n", &style),
                Event::Start(Tag::Emphasis) => style.italic = true,
                Event::End(TagEnd::Emphasis) => style.italic = false,
                Event::Start(Tag::Strong) => {
                    strong_starts.push(out.len());
                    style.bold = true;
                }
                Event::End(TagEnd::Strong) => {
                    let start = strong_starts.pop().unwrap_or(out.len());
                    style.bold = !strong_starts.is_empty();
                    mark_status(&mut out[start..]);
                }
                Event::Start(Tag::Strikethrough) => style.strike = true,
                Event::End(TagEnd::Strikethrough) => style.strike = false,
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }) => {
                    // An autolinked address (`<a@b.example>`) comes without its scheme.
                    let link = if link_type == LinkType::Email {
                        Some(Link::External(format!("mailto:{dest_url}")))
                    } else {
                        classify_link(&dest_url)
                    };
                    links.push(style.link.take());
                    style.link = link;
                }
                Event::End(TagEnd::Link) => style.link = links.pop().flatten(),
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => image = Some((dest_url.to_string(), title.to_string(), String::new())),
                _ => {}
            }
        }
        out
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn classify_link(url: &str) -> Option<Link> {
    if let Some(anchor) = url.strip_prefix('#') {
        return Some(Link::Internal(anchor.to_string()));
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return Some(Link::External(url.to_string()));
    }
    // A relative file link means nothing on paper; the text stays, unlinked.
    None
}

/// A Strong span whose whole text is exactly `Met` or `Not Met` is a checklist verdict.
fn mark_status(span: &mut [Piece]) {
    let text: String = span
        .iter()
        .map(|p| match p {
            Piece::Text(i) => i.text.as_str(),
            Piece::Image { .. } => "\u{fffc}",
        })
        .collect();
    let status = match text.as_str() {
        "Met" => Status::Met,
        "Not Met" => Status::NotMet,
        _ => return,
    };
    for p in span {
        if let Piece::Text(i) = p {
            i.style.status = Some(status);
        }
    }
}

/// Inline pieces as text only: images in headings and table cells show their alt text.
fn texts(pieces: Vec<Piece>) -> Vec<Inline> {
    pieces
        .into_iter()
        .map(|p| match p {
            Piece::Text(i) => i,
            Piece::Image { alt, .. } => Inline {
                text: alt,
                style: InlineStyle {
                    italic: true,
                    ..Default::default()
                },
            },
        })
        .collect()
}

/// Whether a paragraph's pieces are all bold text: the paragraph of one strong span that
/// `packet::escape::is_subheading` recognises in the Markdown events. A status (`**Met**`)
/// is a verdict, not a subheading.
fn is_subheading(pieces: &[Piece]) -> bool {
    pieces
        .iter()
        .any(|p| matches!(p, Piece::Text(i) if !i.text.trim().is_empty()))
        && pieces
            .iter()
            .all(|p| matches!(p, Piece::Text(i) if i.style.bold && i.style.status.is_none()))
}

/// A paragraph, split around its images so each image becomes a block of its own.
fn push_paragraph(out: &mut Vec<Block>, pieces: Vec<Piece>) {
    let mut current: Vec<Inline> = Vec::new();
    let flush = |current: &mut Vec<Inline>, out: &mut Vec<Block>| {
        if current.iter().any(|i| !i.text.trim().is_empty()) {
            out.push(Block::Paragraph(std::mem::take(current)));
        }
        current.clear();
    };
    for p in pieces {
        match p {
            Piece::Text(i) => current.push(i),
            Piece::Image { src, alt, title } => {
                flush(&mut current, out);
                out.push(Block::Image { src, alt, title });
            }
        }
    }
    flush(&mut current, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_github_anchors_in_document_order() {
        let blocks = parse("# Title\n\n## Lessons learned\n\n## Lessons learned\n");
        let anchors: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { anchor, .. } => Some(anchor.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(anchors, ["title", "lessons-learned", "lessons-learned-1"]);
    }

    #[test]
    fn status_spans_and_links_are_recognised() {
        let blocks = parse(
            "| S | E |\n|---|---|\n| **Met** | [Pre](#prerequisites) |\n| **Not Met** | **Met already** |\n",
        );
        let Block::Table { rows, .. } = &blocks[0] else {
            panic!("table expected: {blocks:?}")
        };
        assert_eq!(rows[0][0][0].style.status, Some(Status::Met));
        assert_eq!(
            rows[0][1][0].style.link,
            Some(Link::Internal("prerequisites".into()))
        );
        assert_eq!(rows[1][0][0].style.status, Some(Status::NotMet));
        assert_eq!(rows[1][1][0].style.status, None);
    }

    #[test]
    fn an_autolinked_address_links_to_mail() {
        let blocks = parse("Write to <a.b@example.com> or [c](c.md).\n");
        let Block::Paragraph(inl) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        let link = |text: &str| {
            inl.iter()
                .find(|i| i.text == text)
                .and_then(|i| i.style.link.clone())
        };
        assert_eq!(
            link("a.b@example.com"),
            Some(Link::External("mailto:a.b@example.com".into()))
        );
        assert_eq!(link("c"), None);
    }

    #[test]
    fn tight_nested_lists_and_tasks() {
        let blocks = parse("- [x] done\n- [ ] open **bold** tail\n  1. first\n  2. second\n");
        let Block::List { start: None, items } = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(items[0].task, Some(true));
        assert_eq!(items[1].task, Some(false));
        assert!(
            matches!(&items[1].blocks[0], Block::Paragraph(i) if i.len() == 3),
            "{:?}",
            items[1].blocks
        );
        assert!(matches!(
            items[1].blocks[1],
            Block::List { start: Some(1), .. }
        ));
    }

    #[test]
    fn deep_nesting_is_flattened_without_losing_text() {
        fn depth(blocks: &[Block]) -> usize {
            blocks
                .iter()
                .map(|b| match b {
                    Block::Quote(inner) => 1 + depth(inner),
                    Block::List { items, .. } => {
                        1 + items.iter().map(|i| depth(&i.blocks)).max().unwrap_or(0)
                    }
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        fn text(blocks: &[Block], out: &mut String) {
            for b in blocks {
                match b {
                    Block::Paragraph(inlines) => inlines.iter().for_each(|i| out.push_str(&i.text)),
                    Block::Quote(inner) => text(inner, out),
                    Block::List { items, .. } => items.iter().for_each(|i| text(&i.blocks, out)),
                    _ => {}
                }
            }
        }
        let quotes = format!("{}deep\n\nafter", "> ".repeat(100_000));
        let lists: String = (0..300)
            .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
            .collect();
        for md in [quotes, lists, format!("{}x\n", "> - ".repeat(5_000))] {
            let blocks = parse(&md);
            assert!(depth(&blocks) <= MAX_NESTING, "{}", depth(&blocks));
            let mut all = String::new();
            text(&blocks, &mut all);
            for word in ["deep", "item 0", "item 299"] {
                assert!(!md.contains(word) || all.contains(word), "{word} kept");
            }
        }
    }

    #[test]
    fn images_split_paragraphs_and_html_stays_text() {
        let blocks = parse(
            "Before ![Diagram](a.png) after ![The whole flow](b.png \"Flow\")\n\n<div>x</div>\n",
        );
        assert!(matches!(&blocks[1], Block::Image { src, alt, title }
                if src == "a.png" && alt == "Diagram" && title.is_empty()));
        assert!(matches!(&blocks[3], Block::Image { src, alt, title }
                if src == "b.png" && alt == "The whole flow" && title == "Flow"));
        assert!(matches!(&blocks[4], Block::Paragraph(i) if i[0].text.contains("<div>")));
    }

    #[test]
    fn a_paragraph_of_bold_text_only_is_a_subheading() {
        let md = "Intro.\n\n**API surprises to watch out for**\n\nThe SDK.\n\n**Status:** **Met**\n\n**a** **b**\n\n**Met**\n";
        let blocks = parse(md);
        let kinds: Vec<&str> = blocks
            .iter()
            .map(|b| match b {
                Block::Subheading(_) => "sub",
                Block::Paragraph(_) => "para",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["para", "sub", "para", "para", "para", "para"]);
        let Block::Subheading(inlines) = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert_eq!(inlines[0].text, "API surprises to watch out for");
        assert!(inlines[0].style.bold);
    }
}
