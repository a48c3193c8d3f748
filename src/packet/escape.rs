//! Markdown escaping for user text going into the packet.
//!
//! Three contexts: `inline` (names and short values inside a sentence), `cell` (a GFM table
//! cell), and `block` (a user's Markdown field, which keeps its lists, tables, emphasis and
//! links but loses raw HTML and headings that would break the packet's structure).

use pulldown_cmark::{Event, Options, Parser, Tag};

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
/// headings become plain paragraphs (the packet owns the heading structure), and the
/// result ends without trailing blank lines. Everything else is kept as written.
pub fn block(markdown: &str) -> String {
    let text = markdown.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim_matches('\n');
    // Byte edits to make: (position, insertion) and ranges whose '<' must be neutralised.
    let mut inserts: Vec<(usize, &str)> = Vec::new();
    let mut html_ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let parser = Parser::new_ext(text, options()).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                let line_start = text[..range.start].rfind('\n').map_or(0, |p| p + 1);
                let first_non_space = text[line_start..]
                    .find(|c: char| c != ' ' && c != '>')
                    .map_or(line_start, |p| line_start + p);
                if text[first_non_space..].starts_with('#') {
                    inserts.push((first_non_space, "\\"));
                } else {
                    // Setext heading: break its underline so it is plain text.
                    let slice = &text[range.clone()];
                    if let Some(nl) = slice.trim_end_matches('\n').rfind('\n') {
                        let underline = range.start + nl + 1;
                        let offset = text[underline..]
                            .find(|c: char| c != ' ')
                            .map_or(underline, |p| underline + p);
                        inserts.push((offset, "\\"));
                    }
                }
            }
            Event::Html(_) | Event::InlineHtml(_) => html_ranges.push(range),
            Event::Start(Tag::HtmlBlock) => html_ranges.push(range),
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut inserts = inserts.into_iter().peekable();
    for (i, c) in text.char_indices() {
        while let Some(&(at, s)) = inserts.peek() {
            if at <= i {
                out.push_str(s);
                inserts.next();
            } else {
                break;
            }
        }
        if c == '<' && html_ranges.iter().any(|r| r.contains(&i)) {
            out.push_str("&lt;");
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_string()
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
        assert!(html.contains("# Sneaky heading"), "{html}");
    }
}
