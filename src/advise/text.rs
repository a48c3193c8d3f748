//! Text checks on one string: placeholders left in, word counts, whether a result is
//! measured, things that look like AWS region codes, and images with no alternative text.

use std::collections::BTreeSet;

/// Something found in a string: the text as written and its byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub text: String,
    pub offset: usize,
    pub kind: PlaceholderKind,
}

/// What kind of placeholder a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderKind {
    /// TBD, TBC, TODO, FIXME, XXX.
    Marker,
    /// "lorem ipsum" filler.
    Filler,
    /// A bracketed stand-in such as `[Customer]`.
    Bracketed,
}

/// Words written while a text is unfinished. TODO must be upper case ("todo" is a word in
/// some languages and tools); the others are matched in any case.
const MARKERS: [&str; 4] = ["TBD", "TBC", "FIXME", "TODO"];

/// The sources of the Markdown images in `text` whose alternative text is empty or blank,
/// in order.
pub fn images_without_alt(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = Vec::new();
    // The open image's source and the text of its brackets so far (images nest in links,
    // not in each other, but an image's brackets may hold another: the outer one counts).
    let mut open: Vec<(String, String)> = Vec::new();
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                open.push((dest_url.to_string(), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, alt)) = open.last_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((src, alt)) = open.pop() {
                    if alt.trim().is_empty() {
                        out.push(src);
                    } else if let Some((_, outer)) = open.last_mut() {
                        outer.push_str(&alt);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Alphanumeric runs with their byte offsets.
fn tokens(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

/// Placeholders in `text`: the first occurrence of each distinct one, in text order.
pub fn placeholders(text: &str) -> Vec<Hit> {
    let mut hits: Vec<Hit> = Vec::new();
    let mut push = |hit: Hit| {
        if !hits.iter().any(|h| h.text.eq_ignore_ascii_case(&hit.text)) {
            hits.push(hit);
        }
    };
    let toks = tokens(text);
    for (n, &(offset, tok)) in toks.iter().enumerate() {
        let upper = tok.to_ascii_uppercase();
        let marker = MARKERS
            .iter()
            .any(|m| upper == *m && (*m != "TODO" || tok == "TODO"))
            || (tok.len() >= 3 && upper.chars().all(|c| c == 'X'));
        if marker {
            push(Hit {
                text: tok.to_string(),
                offset,
                kind: PlaceholderKind::Marker,
            });
        }
        if tok.eq_ignore_ascii_case("lorem")
            && let Some(&(next, word)) = toks.get(n + 1)
            && word.eq_ignore_ascii_case("ipsum")
            && text[offset + tok.len()..next]
                .chars()
                .all(char::is_whitespace)
        {
            push(Hit {
                text: text[offset..next + word.len()].to_string(),
                offset,
                kind: PlaceholderKind::Filler,
            });
        }
    }
    for (offset, inner) in bracketed(text) {
        push(Hit {
            text: format!("[{inner}]"),
            offset,
            kind: PlaceholderKind::Bracketed,
        });
    }
    hits.sort_by_key(|h| h.offset);
    hits
}

/// `[Words]` that stand in for text still to be written, with the offset of `[`. Markdown
/// uses brackets too, so these are left alone: links and images (`[t](u)`, `![a](u)`,
/// `[t][r]`, `[r]: u`, and `[r]` when `[r]:` is defined in the same text), task-list boxes
/// (`[ ]`, `[x]`), and anything that is not a few words of plain text.
fn bracketed(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(rel) = text[i..].find('[') {
        let open = i + rel;
        i = open + 1;
        let Some(len) = text[open + 1..].find(['[', ']', '\n']) else {
            break;
        };
        let close = open + 1 + len;
        if bytes[close] != b']' {
            continue;
        }
        let inner = &text[open + 1..close];
        let before = open.checked_sub(1).map(|b| bytes[b]);
        let after = bytes.get(close + 1).copied();
        let plain = inner.chars().count() <= 40
            && inner.chars().next().is_some_and(char::is_alphabetic)
            && inner
                .chars()
                .all(|c| c.is_alphanumeric() || " -/'&.,".contains(c))
            && inner.split_whitespace().count() <= 6;
        let link = matches!(after, Some(b'(' | b'[' | b':'))
            || matches!(before, Some(b'!' | b']' | b'\\'))
            || text.contains(&format!("[{inner}]:"));
        let task = inner.eq_ignore_ascii_case("x") && {
            let line = text[..open].rsplit('\n').next().unwrap_or("").trim();
            matches!(line, "-" | "*" | "+")
                || line
                    .strip_suffix(['.', ')'])
                    .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        };
        if plain && !link && !task {
            out.push((open, inner));
        }
        i = close + 1;
    }
    out
}

/// Words in Markdown text: whitespace-separated tokens with a letter or digit in them, so
/// table rules and list bullets do not count.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Words that state a quantity without digits.
const QUANTITY_WORDS: [&str; 24] = [
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "fifty", "hundred", "thousand", "million", "billion", "percent", "half", "halved",
    "doubled", "tripled", "twice", "tenfold",
];

/// Whether a result is measured: a digit (numbers, percentages, amounts), or a quantity
/// written out in words ("halved", "three times", "two million").
pub fn has_quantity(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        || tokens(text).iter().any(|(_, t)| {
            let lower = t.to_lowercase();
            QUANTITY_WORDS.contains(&lower.as_str())
        })
}

/// Words that look like AWS region codes (`us-west-2`, `eu-central-7`, `us-wset-2`), with
/// their byte offsets: a known first part (`us`, `eu`, …, from the region list), then
/// letters-only parts, then a number. Availability Zones (`us-east-1a`) do not match.
pub fn region_like<'t>(text: &'t str, firsts: &BTreeSet<&str>) -> Vec<(usize, &'t str)> {
    let mut out = Vec::new();
    let mut start = None;
    let is_part = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let mut check = |s: usize, e: usize| {
        let word = text[s..e].trim_matches('-');
        let s = s + text[s..e].find(word).unwrap_or(0);
        let parts: Vec<&str> = word.split('-').collect();
        let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
            return;
        };
        if parts.len() >= 3
            && firsts.contains(first)
            && parts[1..parts.len() - 1]
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
            && (1..=2).contains(&last.len())
            && last.chars().all(|c| c.is_ascii_digit())
        {
            out.push((s, word));
        }
    };
    // Inside a word that has other characters (`Xus-west-1`, `us-west-1B`) nothing matches.
    let mut prev_alnum = false;
    for (i, c) in text.char_indices() {
        match (is_part(c), start) {
            (true, None) if !prev_alnum => start = Some(i),
            (false, Some(s)) => {
                if !c.is_alphanumeric() {
                    check(s, i);
                }
                start = None;
            }
            _ => {}
        }
        prev_alnum = c.is_alphanumeric() || c == '-';
    }
    if let Some(s) = start {
        check(s, text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_without_alt_text_are_found_and_described_ones_are_not() {
        let text = "See ![](a.png) and ![ ](b.png), but ![The flow](c.png) and [![](d.png)](e).\n";
        assert_eq!(images_without_alt(text), ["a.png", "b.png", "d.png"]);
        assert!(images_without_alt("no images, just [a link](x)").is_empty());
    }

    fn found(text: &str) -> Vec<String> {
        placeholders(text).into_iter().map(|h| h.text).collect()
    }

    #[test]
    fn markers_are_whole_words() {
        assert_eq!(found("Savings: TBD. tbd again"), ["TBD"]);
        assert_eq!(found("TODO: numbers; FIXME"), ["TODO", "FIXME"]);
        assert_eq!(found("call 555-XXXX"), ["XXXX"]);
        assert!(found("a todo list, TBDs, stxxx, TBDX, XX").is_empty());
    }

    #[test]
    fn lorem_ipsum_is_filler() {
        assert_eq!(found("Lorem  ipsum dolor sit amet"), ["Lorem  ipsum"]);
        assert!(found("lorem, ipsum").is_empty());
    }

    #[test]
    fn bracketed_stand_ins_but_not_markdown() {
        assert_eq!(found("[Customer] cut costs by [X]%"), ["[Customer]", "[X]"]);
        assert_eq!(found("for [customer name], see docs"), ["[customer name]"]);
        let markdown = "See [the docs](https://x.example), ![diagram](a.png), [ref][1], \
                        [Guide]\n\n[Guide]: https://x.example\n- [ ] open\n- [x] done\n\
                        [1]: https://y.example";
        assert!(found(markdown).is_empty(), "{:?}", found(markdown));
        assert!(found("a [12] citation, [a|b] and [ ]\n1. [x] done").is_empty());
    }

    #[test]
    fn offsets_point_at_the_placeholder() {
        let text = "Outcome: [Result] due TBD";
        for h in placeholders(text) {
            assert_eq!(&text[h.offset..h.offset + h.text.len()], h.text);
        }
    }

    #[test]
    fn counts_words_not_markup() {
        assert_eq!(word_count("| a | b |\n|---|---|\n- one, two"), 4);
        assert_eq!(word_count("  "), 0);
    }

    #[test]
    fn quantities_in_digits_or_words() {
        assert!(has_quantity("cut errors by 40%"));
        assert!(has_quantity("USD 1.2m"));
        assert!(has_quantity("review time halved"));
        assert!(!has_quantity(
            "The customer was very happy with the results."
        ));
    }

    #[test]
    fn region_like_words() {
        let firsts = BTreeSet::from(["us", "eu", "ap"]);
        let text =
            "in us-west-2 and eu-centrl-1 (not us-east-1a, ml.g5, xx-west-1, us-east, Xus-west-3)";
        let words: Vec<&str> = region_like(text, &firsts)
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(words, ["us-west-2", "eu-centrl-1"]);
        let (offset, w) = region_like("`us-west-9`", &firsts)[0];
        assert_eq!((offset, w), (1, "us-west-9"));
    }
}
