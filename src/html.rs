//! Packet Markdown → one self-contained HTML page (CSS inlined, diagram as a `data:` URI,
//! no scripts, no external requests).
//!
//! The page is produced from the same Markdown text as `packet.md`, so the two cannot
//! disagree. Raw HTML anywhere in that text is shown as text; links other than http(s),
//! mailto and in-page anchors are dropped; images other than the packet's own assets are
//! replaced by their description.

use std::collections::{BTreeMap, HashSet};

use base64::Engine;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use serde::Serialize;
use tera::{Context, Tera};

use crate::Error;
use crate::packet::escape;
use crate::slug::Slugger;

const SHELL: &str = include_str!("../templates/packet.html");
const CSS: &str = include_str!("../templates/packet.css");

/// What the page needs besides the Markdown.
pub struct HtmlOptions<'a> {
    /// `lang` of the page.
    pub lang: &'a str,
    /// Anchors of headings that start a new printed page (one per customer reference).
    pub page_break_before: &'a [String],
    /// Anchor of the contents section, which becomes the navigation.
    pub toc_anchor: &'a str,
    /// Image bytes by the path the Markdown uses (`assets/architecture.png`).
    pub assets: &'a BTreeMap<String, (&'a [u8], &'static str)>,
    /// Appended to the page's CSS (the editions' styles); empty for none.
    pub extra_css: &'a str,
}

#[derive(Serialize)]
struct Page {
    lang: String,
    title: String,
    css: String,
    header: String,
    nav: String,
    main: String,
}

/// Renders the packet page.
pub fn render(markdown: &str, opts: &HtmlOptions<'_>) -> Result<String, Error> {
    // U+0000 becomes U+FFFD, as CommonMark asks (pulldown-cmark passes it through); the
    // asset marks are then the page's only NULs.
    let markdown = if markdown.contains(ASSET_MARK) {
        std::borrow::Cow::Owned(markdown.replace(ASSET_MARK, "\u{fffd}"))
    } else {
        std::borrow::Cow::Borrowed(markdown)
    };
    let events: Vec<Event<'_>> = Parser::new_ext(&markdown, escape::options()).collect();
    let events = safe_events(events, opts);

    // Split: the H1 title, the title block before the first H2, the contents section, the rest.
    let mut title = String::new();
    let mut header = Vec::new();
    let mut nav = Vec::new();
    let mut main = Vec::new();
    #[derive(PartialEq)]
    enum Part {
        Title,
        Header,
        Nav,
        Main,
    }
    let mut part = Part::Header;
    // Inside the contents section's own heading, which is left out: the nav has its label.
    let mut in_toc_heading = false;
    for ev in events {
        match &ev {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) if title.is_empty() => {
                part = Part::Title;
                continue;
            }
            Event::End(TagEnd::Heading(HeadingLevel::H1)) if part == Part::Title => {
                part = Part::Header;
                continue;
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                id,
                ..
            }) => {
                if id.as_deref() == Some(opts.toc_anchor) {
                    part = Part::Nav;
                    in_toc_heading = true;
                } else {
                    part = Part::Main;
                }
            }
            _ => {}
        }
        if in_toc_heading {
            if matches!(ev, Event::End(TagEnd::Heading(HeadingLevel::H2))) {
                in_toc_heading = false;
            }
            continue;
        }
        match part {
            Part::Title => {
                if let Event::Text(t) | Event::Code(t) = &ev {
                    title.push_str(t);
                }
            }
            Part::Header => header.push(ev),
            Part::Nav => nav.push(ev),
            Part::Main => main.push(ev),
        }
    }

    let to_html = |evs: Vec<Event<'_>>| {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, evs.into_iter());
        wrap_tables(&out)
    };
    let page = Page {
        lang: opts.lang.to_string(),
        title: title.clone(),
        css: if opts.extra_css.is_empty() {
            CSS.to_string()
        } else {
            format!("{CSS}{}", opts.extra_css)
        },
        header: format!("<h1>{}</h1>\n{}", html_escape(&title), to_html(header)),
        nav: to_html(nav),
        main: to_html(main),
    };
    let mut tera = Tera::new();
    tera.add_raw_template("packet.html", SHELL)
        .map_err(|e| Error::Render(format!("HTML shell: {e}")))?;
    let ctx = Context::from_serialize(&page).map_err(|e| Error::Render(e.to_string()))?;
    let shell = tera
        .render("packet.html", &ctx)
        .map_err(|e| Error::Render(format!("HTML shell: {e}")))?;
    Ok(splice_assets(&shell, opts.assets))
}

/// Marks where an asset's base64 goes (`\0N\0`, N its place in [`HtmlOptions::assets`]).
/// NUL cannot reach the page otherwise: `render` replaces it in the Markdown, and the shell
/// and CSS have none.
const ASSET_MARK: char = '\0';

/// The page with each asset mark replaced by the asset's base64, built at its final size
/// in one go: a diagram of tens of MB is encoded once, not copied through every step
/// (events, HTML, template context, template output).
fn splice_assets(page: &str, assets: &BTreeMap<String, (&[u8], &'static str)>) -> String {
    enum Part<'a> {
        Text(&'a str),
        Asset(&'a [u8]),
    }
    let engine = &base64::engine::general_purpose::STANDARD;
    let data: Vec<&[u8]> = assets.values().map(|(bytes, _)| *bytes).collect();
    // Splits at the marks: text, asset, text, asset, ..., text.
    let mut parts = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(ASSET_MARK) {
        let after = &rest[at + 1..];
        let asset = after.find(ASSET_MARK).and_then(|end| {
            let n: usize = after[..end].parse().ok()?;
            Some((data.get(n)?, end))
        });
        match asset {
            Some((bytes, end)) => {
                parts.push(Part::Text(&rest[..at]));
                parts.push(Part::Asset(bytes));
                rest = &after[end + 1..];
            }
            None => {
                parts.push(Part::Text(&rest[..=at]));
                rest = after;
            }
        }
    }
    parts.push(Part::Text(rest));
    let size = parts
        .iter()
        .map(|part| match part {
            Part::Text(text) => text.len(),
            Part::Asset(bytes) => base64::encoded_len(bytes.len(), true).unwrap_or(0),
        })
        .sum();
    let mut out = String::with_capacity(size);
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Asset(bytes) => engine.encode_string(bytes, &mut out),
        }
    }
    out
}

/// Gives headings their GitHub anchors and a class where a printed page should break;
/// neutralises raw HTML, unsafe links and foreign images; marks Met / Not Met.
fn safe_events<'a>(events: Vec<Event<'a>>, opts: &HtmlOptions<'_>) -> Vec<Event<'a>> {
    let breaks: HashSet<&str> = opts.page_break_before.iter().map(String::as_str).collect();
    let mut slugger = Slugger::default();
    let mut out = Vec::with_capacity(events.len());
    let mut link_stack: Vec<bool> = Vec::new();
    let mut in_cell = false;
    let mut in_heading = false;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            // A cell that says only "—" (no reasons, no decision) is marked, so the page can
            // leave the line out of a checklist card while the cell stays for screen readers.
            Event::Start(Tag::TableCell)
                if matches!(
                    (events.get(i + 1), events.get(i + 2)),
                    (Some(Event::Text(t)), Some(Event::End(TagEnd::TableCell))) if t.as_ref() == "—"
                ) =>
            {
                out.push(events[i].clone());
                out.push(Event::Html(CowStr::from("<span class=\"none\">—</span>")));
                out.push(events[i + 2].clone());
                i += 3;
                continue;
            }
            Event::Start(Tag::TableCell) => {
                in_cell = true;
                out.push(events[i].clone());
            }
            Event::End(TagEnd::TableCell) => {
                in_cell = false;
                out.push(events[i].clone());
            }
            Event::Text(t) if in_cell => out.extend(dates_kept_whole(t)),
            Event::End(TagEnd::Heading(_)) => {
                in_heading = false;
                out.push(events[i].clone());
            }
            // Not in a heading, whose text also makes the page title and the anchor.
            Event::Code(t) if !in_heading && t.chars().count() <= SHORT_CODE => {
                out.push(Event::Html(CowStr::from(format!(
                    "<code class=\"whole\">{}</code>",
                    html_escape(t)
                ))));
            }
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => {
                in_heading = true;
                let text = heading_text(&events[i + 1..]);
                let anchor = slugger.slug(&text);
                let mut classes = classes.clone();
                if breaks.contains(anchor.as_str()) {
                    classes.push(CowStr::from("page-break"));
                }
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(anchor)),
                    classes,
                    attrs: attrs.clone(),
                }));
            }
            Event::Html(raw) | Event::InlineHtml(raw) => out.push(Event::Text(raw.clone())),
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // An autolinked address (`<a@b.example>`) comes without its scheme; the
                // writer adds `mailto:`.
                let ok = *link_type == LinkType::Email || safe_href(dest_url);
                link_stack.push(ok);
                if ok {
                    out.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: dest_url.clone(),
                        title: title.clone(),
                        id: id.clone(),
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if link_stack.pop().unwrap_or(false) {
                    out.push(Event::End(TagEnd::Link));
                }
            }
            // A heading from a user's field (a paragraph of strong text): a run-in subheading,
            // kept with what follows when printed.
            Event::Start(Tag::Paragraph) if escape::is_subheading(&events[i..]) => {
                out.push(Event::Html(CowStr::from("<p class=\"subhead\">")));
            }
            // A paragraph holding only an image becomes a figure (a figure may not sit in a <p>).
            Event::Start(Tag::Paragraph)
                if matches!(events.get(i + 1), Some(Event::Start(Tag::Image { .. })))
                    && image_end(&events, i + 1).is_some_and(|end| {
                        matches!(events.get(end + 1), Some(Event::End(TagEnd::Paragraph)))
                    }) =>
            {
                let end = image_end(&events, i + 1).unwrap_or(i + 1);
                let inner = safe_events(events[i + 1..=end].to_vec(), opts);
                out.extend(inner);
                i = end + 2;
                continue;
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                // Collect the alt text up to the end of the image.
                let mut alt = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Image)) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        alt.push_str(t);
                    }
                    j += 1;
                }
                match opts
                    .assets
                    .iter()
                    .position(|(name, _)| name == dest_url.as_ref())
                {
                    Some(n) => {
                        // The base64 goes in last, by `splice_assets`.
                        let mime = opts.assets.values().nth(n).map_or("", |(_, m)| *m);
                        out.push(Event::Html(CowStr::from(format!(
                            "<figure><img src=\"data:{mime};base64,{ASSET_MARK}{n}{ASSET_MARK}\" alt=\"{}\"{}><figcaption>{}</figcaption></figure>",
                            html_escape(&alt),
                            if title.is_empty() {
                                String::new()
                            } else {
                                format!(" title=\"{}\"", html_escape(title))
                            },
                            // The alt text describes the image for those who cannot see
                            // it; the visible caption is the short title when there is one,
                            // so a screen reader does not read the long description twice.
                            html_escape(if title.is_empty() { &alt } else { title })
                        ))));
                    }
                    None => out.push(Event::Text(CowStr::from(format!("[image: {alt}]")))),
                }
                i = j + 1;
                continue;
            }
            Event::Start(Tag::Strong) => {
                // **Met** / **Not Met** become status badges (colour and words).
                if let (Some(Event::Text(t)), Some(Event::End(TagEnd::Strong))) =
                    (events.get(i + 1), events.get(i + 2))
                {
                    let class = match t.as_ref() {
                        "Met" => Some("met"),
                        "Not Met" => Some("not-met"),
                        _ => None,
                    };
                    if let Some(class) = class {
                        out.push(Event::Html(CowStr::from(format!(
                            "<strong class=\"status {class}\">{}</strong>",
                            html_escape(t)
                        ))));
                        i += 3;
                        continue;
                    }
                }
                out.push(events[i].clone());
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
}

/// Code spans up to this many characters are kept on one line: a narrow column or a line's
/// end would otherwise break a name like `text-too-short` at its hyphens, which reads as two
/// names. Longer ones may still break there, or they would widen a table column too much.
const SHORT_CODE: usize = 20;

/// `text` with each ISO date (`2026-08-14`) in a `<time>` element, which the page's CSS keeps
/// on one line: a table cell would otherwise break a date after one of its hyphens.
fn dates_kept_whole(text: &str) -> Vec<Event<'static>> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let is_date = |at: usize| {
        at + 10 <= b.len()
            && digits(at..at + 4)
            && b[at + 4] == b'-'
            && digits(at + 5..at + 7)
            && b[at + 7] == b'-'
            && digits(at + 8..at + 10)
            && (at == 0 || !b[at - 1].is_ascii_digit())
            && b.get(at + 10).is_none_or(|c| !c.is_ascii_digit())
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < b.len() {
        if is_date(at) {
            if start < at {
                out.push(Event::Text(CowStr::from(text[start..at].to_string())));
            }
            let date = &text[at..at + 10];
            out.push(Event::Html(CowStr::from(format!(
                "<time datetime=\"{date}\">{date}</time>"
            ))));
            at += 10;
            start = at;
        } else {
            at += 1;
        }
    }
    if start < b.len() {
        out.push(Event::Text(CowStr::from(text[start..].to_string())));
    }
    out
}

/// Index of the `End(Image)` matching the image that starts at `start`.
fn image_end(events: &[Event<'_>], start: usize) -> Option<usize> {
    events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Image)))
        .map(|p| start + p)
}

fn heading_text(rest: &[Event<'_>]) -> String {
    let mut text = String::new();
    for ev in rest {
        match ev {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::InlineHtml(t) | Event::Html(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

/// Links that may appear in the page: web, mail and in-page anchors.
fn safe_href(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || lower.starts_with('#')
}

/// In one pass into a string sized for the result: the page can hold a diagram of tens of
/// MB as base64, and two `str::replace` calls held three growing copies of it at once.
fn wrap_tables(html: &str) -> String {
    let (open, close) = ("<table>", "</table>");
    let tables = html.matches(open).count();
    let mut out = String::with_capacity(html.len() + tables * 32);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix(open) {
            out.push_str("<div class=\"table-wrap\"><table>");
            rest = after;
        } else if let Some(after) = rest.strip_prefix(close) {
            out.push_str("</table></div>");
            rest = after;
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for an HTML attribute or element.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(md: &str) -> String {
        page_with(md, &BTreeMap::new())
    }

    /// The page of `md` with these assets; a page break before `reference-1-x`.
    fn page_with(md: &str, assets: &BTreeMap<String, (&[u8], &'static str)>) -> String {
        render(
            md,
            &HtmlOptions {
                lang: "en",
                page_break_before: &["reference-1-x".to_string()],
                toc_anchor: "contents",
                assets,
                extra_css: "",
            },
        )
        .expect("renders")
    }

    #[test]
    fn hostile_markup_is_shown_as_text() {
        let html = page(
            "# T\n\n## Body\n\n<script>alert(1)</script>\n\nx <iframe src=y></iframe> [a](javascript:alert(1)) ![i](https://evil.example/x.png) <b onclick=\"z\">b</b>\n",
        );
        let body = html.split("<main").nth(1).expect("main");
        assert!(!body.contains("<script"), "{body}");
        assert!(!body.contains("<iframe"), "{body}");
        assert!(!body.contains("javascript:"), "{body}");
        assert!(!body.contains("<b onclick"), "{body}");
        assert!(!body.contains("evil.example"), "{body}");
        assert!(body.contains("&lt;script&gt;"), "{body}");
    }

    #[test]
    fn headings_get_github_anchors_and_page_breaks() {
        let html = page(
            "# T\n\n## Contents\n\n- [x](#reference-1-x)\n\n## Refs\n\n### Reference 1: X\n\ntext\n",
        );
        assert!(
            html.contains("<h3 id=\"reference-1-x\" class=\"page-break\">"),
            "{html}"
        );
        assert!(html.contains("<nav"), "{html}");
        assert!(html.contains("href=\"#reference-1-x\""), "{html}");
    }

    #[test]
    fn images_are_inlined_as_their_own_base64_once_each() {
        let assets: BTreeMap<String, (&[u8], &'static str)> = [
            ("a.png".to_string(), (&[1, 2, 3, 4, 5][..], "image/png")),
            (
                "b.jpg".to_string(),
                (&[0xff, 0xd8, 0xff, 0][..], "image/jpeg"),
            ),
        ]
        .into();
        // NUL in the Markdown must not be taken for an asset mark.
        let md = "# T\n\n## A\n\n![second](b.jpg)\n\nnul \u{0}0\u{0} here\n\n![first](a.png)\n";
        let html = page_with(md, &assets);
        assert!(
            html.contains("src=\"data:image/jpeg;base64,/9j/AA==\" alt=\"second\""),
            "{html}"
        );
        assert!(
            html.contains("src=\"data:image/png;base64,AQIDBAU=\" alt=\"first\""),
            "{html}"
        );
        assert!(html.contains("nul \u{fffd}0\u{fffd} here"), "{html}");
        assert!(!html.contains('\0'));
    }

    #[test]
    fn a_figure_caption_is_the_title_when_there_is_one_else_the_alt_text() {
        let assets: BTreeMap<String, (&[u8], &'static str)> =
            [("a.png".to_string(), (&b"xyz"[..], "image/png"))].into();
        let md =
            "# T\n\n![A long description of every box](a.png \"Short\")\n\n![Only alt](a.png)\n";
        let html = page_with(md, &assets);
        assert!(
            html.contains("alt=\"A long description of every box\" title=\"Short\"><figcaption>Short</figcaption>"),
            "{html}"
        );
        assert!(
            html.contains("alt=\"Only alt\"><figcaption>Only alt</figcaption>"),
            "{html}"
        );
        assert!(!html.contains("<figcaption>A long"), "{html}");
    }

    #[test]
    fn an_autolinked_address_links_to_mail() {
        let html = page("# T\n\nWrite to <a.b@example.com>.\n");
        assert!(
            html.contains("<a href=\"mailto:a.b@example.com\">a.b@example.com</a>"),
            "{html}"
        );
    }

    #[test]
    fn asset_marks_without_an_asset_are_left_alone() {
        let assets: BTreeMap<String, (&[u8], &'static str)> =
            [("a.png".to_string(), (&b"xyz"[..], "image/png"))].into();
        let page = "a\u{0}0\u{0}b\u{0}7\u{0}c\u{0}x";
        let spliced = splice_assets(page, &assets);
        assert_eq!(spliced, "aeHl6b\u{0}7\u{0}c\u{0}x");
        assert_eq!(spliced.capacity(), spliced.len());
    }

    #[test]
    fn dates_in_table_cells_and_short_code_names_are_kept_whole() {
        let html = page(
            "| Expires | Code |\n|---|---|\n| 2026-08-14, until 2027-01-31 | `text-too-short` |\n\
             | 12026-08-14 | `a-code-name-longer-than-twenty` |\n\nOn 2026-08-14 in prose \
             (`text-too-short`).\n\n## The `short-code` heading\n",
        );
        assert!(
            html.contains(
                "<td><time datetime=\"2026-08-14\">2026-08-14</time>, until \
                 <time datetime=\"2027-01-31\">2027-01-31</time></td>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<code class=\"whole\">text-too-short</code>"),
            "{html}"
        );
        // Not a date (five digits of year), a long code name, and prose are left alone.
        assert!(html.contains("<td>12026-08-14</td>"), "{html}");
        assert!(
            html.contains("<code>a-code-name-longer-than-twenty</code>"),
            "{html}"
        );
        assert!(html.contains("On 2026-08-14 in prose"), "{html}");
        // A short code name at a line's end in prose is kept whole too; one in a heading
        // stays plain code.
        assert!(
            html.contains("prose (<code class=\"whole\">text-too-short</code>)"),
            "{html}"
        );
        assert!(
            html.contains("The <code>short-code</code> heading"),
            "{html}"
        );
        assert!(
            html.contains("time, code.whole { white-space: nowrap; }"),
            "the CSS keeps them whole"
        );
    }

    #[test]
    fn a_cell_that_says_only_a_dash_is_marked() {
        let html = page("| Reasons | Decision |\n|---|---|\n| — | — approved |\n");
        assert!(
            html.contains("<td><span class=\"none\">—</span></td>"),
            "{html}"
        );
        assert!(html.contains("<td>— approved</td>"), "{html}");
    }

    #[test]
    fn status_words_become_badges() {
        let html = page("# T\n\n## A\n\n**Met** and **Not Met** and **Metric**\n");
        assert!(html.contains("<strong class=\"status met\">Met</strong>"));
        assert!(html.contains("<strong class=\"status not-met\">Not Met</strong>"));
        assert!(html.contains("<strong>Metric</strong>"));
    }
}
