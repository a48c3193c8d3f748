//! Markdown escaping for user text going into the packet.
//!
//! Three contexts: `inline` (names and short values inside a sentence), `cell` (a GFM table
//! cell), and `block` (a user's Markdown field, which keeps its lists, tables, emphasis and
//! links, shows raw HTML as text, and turns its headings into run-in subheadings so that
//! they do not break the packet's structure).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Characters that start Markdown syntax anywhere in a line.
const ALWAYS: &[char] = &['\\', '`', '*', '<', '|', '~'];

/// Escapes plain text so it shows literally inside a Markdown paragraph, escaping only what
/// would be read as syntax, so `packet.md` stays readable as plain text.
pub fn inline(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    let mut out = String::with_capacity(flat.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let escape = match c {
            c if ALWAYS.contains(&c) => true,
            // Intraword underscores never start emphasis ("as_of").
            '_' => {
                !(prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric))
            }
            // "](" , "][" and "]:" make links; a lone bracket is text.
            ']' => matches!(next, Some('(' | '[' | ':')),
            '&' => looks_like_entity(&chars[i..].iter().collect::<String>()),
            // Only at the start do these begin a block: heading, quote, list, task box.
            '#' | '>' | '-' | '+' | '=' | '[' => i == 0,
            // "2026. A year" would start an ordered list.
            '.' | ')' => {
                prev.is_some_and(|p| p.is_ascii_digit())
                    && chars[..i].iter().all(char::is_ascii_digit)
                    && next.is_none_or(|n| n == ' ')
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes plain text for a GFM table cell: inline escaping, and line breaks become spaces.
pub fn cell(text: &str) -> String {
    inline(text)
}

/// Escapes plain text for an image's alternative text (`![…](src)`): inline escaping, and
/// every bracket, since an unmatched one would end the text early.
pub fn alt(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let inlined = inline(text);
    let mut escaped = false;
    for c in inlined.chars() {
        if matches!(c, '[' | ']') && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

/// Escapes plain text for an image's or link's title (`![…](src "…")`): inline escaping, and
/// every double quote, since an unescaped one would end the title early.
pub fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut escaped = false;
    for c in inline(text).chars() {
        if c == '"' && !escaped {
            out.push('\\');
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    out
}

fn looks_like_entity(s: &str) -> bool {
    // "&amp;", "&#123;", "&#x1F;" — only these would be decoded by a Markdown renderer.
    let rest = &s[1..];
    let end = rest.find(';');
    match end {
        Some(n) if n > 0 && n <= 32 => rest[..n]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '#'),
        _ => false,
    }
}

/// Makes a user's Markdown field safe to embed in the packet: raw HTML is shown as text,
/// and a heading becomes a paragraph of strong text of its own (the packet owns the heading
/// structure, so a pasted `## Risks` must not enter the contents or the PDF outline; the
/// renderers set such a paragraph as a run-in subheading, see [`is_subheading`]). The
/// result ends without trailing blank lines. Everything else is kept as written.
pub fn block(markdown: &str) -> String {
    let text = markdown.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim_matches('\n');
    // Byte edits to make, (range, replacement), and ranges whose '<' must be neutralised.
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut html_ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let events: Vec<(Event<'_>, std::ops::Range<usize>)> = Parser::new_ext(text, options())
        .into_offset_iter()
        .collect();
    for (n, (event, range)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                let inner: Vec<&std::ops::Range<usize>> = events[n + 1..]
                    .iter()
                    .take_while(|(e, _)| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .map(|(_, r)| r)
                    .collect();
                edits.extend(heading_to_strong(text, range.clone(), &inner));
            }
            Event::Html(_) | Event::InlineHtml(_) => html_ranges.push(range.clone()),
            Event::Start(Tag::HtmlBlock) => html_ranges.push(range.clone()),
            _ => {}
        }
    }
    edits.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    let copy = |out: &mut String, from: usize, to: usize| {
        for (i, c) in text[from..to].char_indices() {
            if c == '<' && html_ranges.iter().any(|r| r.contains(&(from + i))) {
                out.push_str("&lt;");
            } else {
                out.push(c);
            }
        }
    };
    for (range, with) in edits {
        if range.start < at {
            continue;
        }
        copy(&mut out, at, range.start);
        out.push_str(&with);
        at = range.end;
    }
    copy(&mut out, at, text.len());
    out.trim_end().to_string()
}

/// The edits that turn the heading at `range` (its inline content at `inner`) into a
/// paragraph of strong text, set apart by blank lines so that it neither runs into the text
/// around it nor turns a following `---` into a heading underline. An empty heading shows
/// its `#` as text.
fn heading_to_strong(
    text: &str,
    range: std::ops::Range<usize>,
    inner: &[&std::ops::Range<usize>],
) -> Vec<(std::ops::Range<usize>, String)> {
    // To the end of the heading's last line, trailing spaces included.
    let trimmed = range.start + text[range.clone()].trim_end().len();
    let line_end = text[trimmed..]
        .find('\n')
        .map_or(text.len(), |n| trimmed + n);
    let end = if text[trimmed..line_end].trim().is_empty() {
        line_end
    } else {
        trimmed
    };
    // A blank line inside a block quote keeps the quote's markers.
    let line_start = text[..range.start].rfind('\n').map_or(0, |p| p + 1);
    let quote: String = text[line_start..range.start]
        .chars()
        .filter(|c| *c == '>')
        .collect();
    let has_text = |line: &str| {
        !line
            .trim_matches(|c: char| c == '>' || c.is_whitespace())
            .is_empty()
    };
    let text_before = line_start > 0
        && text[..line_start - 1]
            .rsplit('\n')
            .next()
            .is_some_and(has_text);
    let text_after = text[end..]
        .strip_prefix('\n')
        .and_then(|rest| rest.split('\n').next())
        .is_some_and(has_text);
    let blank_after = if text_after {
        format!("\n{quote}")
    } else {
        String::new()
    };
    let mut edits = Vec::new();
    if text_before {
        edits.push((line_start..line_start, format!("{quote}\n")));
    }
    let (Some(from), Some(to)) = (
        inner.iter().map(|r| r.start).min(),
        inner.iter().map(|r| r.end).max(),
    ) else {
        let hash = text[range.start..]
            .find('#')
            .map_or(range.start, |n| range.start + n);
        edits.push((hash..hash, "\\".to_string()));
        edits.push((end..end, blank_after));
        return edits;
    };
    // `**` cannot wrap text that has `**` of its own; `__` can.
    let mark = if text[from..to].contains("**") {
        "__"
    } else {
        "**"
    };
    edits.push((range.start..from, mark.to_string()));
    edits.push((to..end, format!("{mark}{blank_after}")));
    edits
}

/// Whether `events`, starting at a paragraph, hold a paragraph that is one strong span and
/// nothing else: the form a heading inside a user's field takes (see [`block`]), which HTML
/// and PDF set as a run-in subheading kept with what follows, and the reviewer's numbering
/// passes over. (`**Status:** **Met**` is two spans: a line of text, not a subheading.)
pub fn is_subheading<'e, 'a: 'e>(events: impl IntoIterator<Item = &'e Event<'a>>) -> bool {
    let mut events = events.into_iter();
    if !matches!(events.next(), Some(Event::Start(Tag::Paragraph)))
        || !matches!(events.next(), Some(Event::Start(Tag::Strong)))
    {
        return false;
    }
    let mut strong = 1usize;
    let mut text = false;
    for ev in events.by_ref() {
        match ev {
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => {
                strong -= 1;
                if strong == 0 {
                    break;
                }
            }
            Event::Text(_) | Event::Code(_) | Event::InlineHtml(_) => text = true,
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Paragraph) => return false,
            _ => {}
        }
    }
    text && matches!(events.next(), Some(Event::End(TagEnd::Paragraph)))
}

/// The Markdown dialect of the packet: CommonMark plus GFM tables, strikethrough, task lists,
/// and smart punctuation (curly quotes, en/em dashes, ellipses) so HTML and PDF set it alike;
/// packet.md itself keeps the straight characters as written.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html_of(md: &str) -> String {
        let mut out = String::new();
        pulldown_cmark::html::push_html(&mut out, Parser::new_ext(md, options()));
        out
    }

    #[test]
    fn alt_text_keeps_its_brackets_inside_the_image() {
        let md = format!("![{}](a.png)", alt("Flow [batch] ] and *more*"));
        let html = html_of(&md);
        assert!(
            html.contains(r#"alt="Flow [batch] ] and *more*""#),
            "{md} → {html}"
        );
    }

    #[test]
    fn title_keeps_its_quotes_inside_the_title() {
        let md = format!(
            "![x](a.png \"Architecture of {}\")",
            title(r#"The "Best" *AI* \ Co"#)
        );
        let html = html_of(&md);
        assert!(
            html.contains(r#"title="Architecture of The &quot;Best&quot; *AI* \ Co""#),
            "{md} → {html}"
        );
    }

    #[test]
    fn inline_text_shows_literally() {
        for name in [
            "A|B <script> & *co*",
            "# Not a heading",
            "1. Not a list",
            "AT&T &amp; Co",
            "- dash",
        ] {
            let html = html_of(&inline(name));
            assert!(!html.contains("<script>"), "{html}");
            assert!(
                !html.contains("<em>")
                    && !html.contains("<h1")
                    && !html.contains("<ol")
                    && !html.contains("<ul"),
                "{name}: {html}"
            );
        }
        assert!(html_of(&inline("AT&amp;T")).contains("AT&amp;amp;T"));
    }

    /// The text a Markdown renderer shows for `md`, if it is one plain paragraph.
    /// The text of a Markdown paragraph, `None` if it has any markup. Smart punctuation is
    /// off here: it changes dashes and quotes on purpose, while escaping is about markup.
    fn plain_text(md: &str) -> Option<String> {
        let mut text = String::new();
        for ev in Parser::new_ext(md, options() - Options::ENABLE_SMART_PUNCTUATION) {
            match ev {
                Event::Start(Tag::Paragraph) | Event::End(pulldown_cmark::TagEnd::Paragraph) => {}
                Event::Text(t) => text.push_str(&t),
                _ => return None,
            }
        }
        Some(text)
    }

    #[test]
    fn inline_round_trips_every_combination_of_syntax_characters() {
        let pieces = [
            "#", "##", ">", "-", "+", "*", "_", "__", "`", "~~", "[", "]", "](x)", "[a]", "(", ")",
            "!", "<", "<b>", "&", "&amp;", "&#35;", "|", "\\", "1.", "2)", "=", "---", "x",
            "as_of", " ", ":",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in ["", " ", "x", "_y", "*"] {
                    let input = format!("{a}{c}{b}");
                    let flat = input.split_whitespace().collect::<Vec<_>>().join(" ");
                    if flat.is_empty() {
                        continue;
                    }
                    let shown = plain_text(&inline(&input));
                    assert_eq!(
                        shown.as_deref(),
                        Some(flat.as_str()),
                        "input {input:?} → {:?}",
                        inline(&input)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 4000);
    }

    #[test]
    fn inline_leaves_harmless_characters_alone() {
        assert_eq!(
            inline("partner.as_of references[3] (Globex) 1.5 #1"),
            "partner.as_of references[3] (Globex) 1.5 #1"
        );
    }

    #[test]
    fn cells_keep_pipes_inside_the_cell() {
        let md = format!("| a | b |\n|---|---|\n| {} | x |\n", cell("left | right"));
        let html = html_of(&md);
        assert_eq!(html.matches("<td>").count(), 2, "{html}");
        assert!(html.contains("left | right"), "{html}");
    }

    #[test]
    fn block_keeps_markdown_but_not_html_or_headings() {
        let user = "Intro with **bold** and a [link](https://x.example).\n\n# Sneaky heading\n\n- item `Vec<u8>`\n- item two\n\n<script>alert(1)</script>\n\nSetext\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText <img src=x onerror=alert(1)> end";
        let html = html_of(&block(user));
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(
            html.contains("<li>item <code>Vec&lt;u8&gt;</code></li>"),
            "{html}"
        );
        assert!(html.contains("<table>"), "{html}");
        assert!(!html.contains("<h1") && !html.contains("<h2"), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(
            html.contains("<p><strong>Sneaky heading</strong></p>"),
            "{html}"
        );
        assert!(html.contains("<p><strong>Setext</strong></p>"), "{html}");
    }

    fn subheadings(md: &str) -> Vec<bool> {
        let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
        (0..events.len())
            .filter(|&i| matches!(events[i], Event::Start(Tag::Paragraph)))
            .map(|i| is_subheading(&events[i..]))
            .collect()
    }

    #[test]
    fn a_heading_in_a_field_becomes_a_strong_paragraph_of_its_own() {
        let cases = [
            (
                "Intro.\n## API surprises to watch out for\nThe SDK retries.",
                "Intro.\n\n**API surprises to watch out for**\n\nThe SDK retries.",
            ),
            ("### Closed `code` heading ###", "**Closed `code` heading**"),
            ("Setext\n===\n\nText", "**Setext**\n\nText"),
            (
                "> Quoted\n> ## In a quote\n> text",
                "> Quoted\n>\n> **In a quote**\n>\n> text",
            ),
            ("- ## In a list\n  text", "- **In a list**\n\n  text"),
            ("## A **bold** word", "__A **bold** word__"),
            ("## Use <b>this</b>", "**Use &lt;b>this&lt;/b>**"),
            ("Text\n\n##\n\nMore", "Text\n\n\\##\n\nMore"),
        ];
        for (input, want) in cases {
            assert_eq!(block(input), want, "{input:?}");
            let html = html_of(&block(input));
            assert!(!html.contains("<h"), "{input:?}: {html}");
            assert!(!html.contains("<b>"), "{input:?}: {html}");
        }
        assert_eq!(
            subheadings(&block("Intro.\n## Risks\nText.")),
            [false, true, false]
        );
        assert_eq!(
            subheadings(&block("> ## In a quote\n> text")),
            [true, false]
        );
        assert_eq!(subheadings(&block("## A **bold** word")), [true]);
    }

    #[test]
    fn only_a_paragraph_of_strong_text_is_a_subheading() {
        assert_eq!(
            subheadings(
                "**Risks**\n\n**Risks:** text\n\n*Risks*\n\n**a** **b**\n\n![x](y.png)\n\n**`code` and *more***"
            ),
            [true, false, false, false, false, true]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever a field holds, the packet gets no heading and no raw HTML from it.
            #[test]
            fn a_field_never_adds_headings_or_html(text in "[#>=*_`<a-c \n\t1.)+-]{0,60}") {
                let out = block(&text);
                for ev in Parser::new_ext(&out, options()) {
                    prop_assert!(
                        !matches!(ev, Event::Start(Tag::Heading { .. }) | Event::Html(_) | Event::InlineHtml(_)),
                        "{text:?} → {out:?}: {ev:?}"
                    );
                }
            }
        }
    }
}
