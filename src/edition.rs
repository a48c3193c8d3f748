//! Editions of the packet. One pipeline renders all three: the view decides what each edition
//! shows and how it names things, the templates lay it out, and the reviewer's paragraph
//! numbers are added to the finished Markdown so that all three renderings carry them.
//!
//! - `partner` (the default): everything, for the partner preparing the application.
//! - `reviewer`: the checklist first with an empty "Reviewer notes" column, the requirement
//!   quoted at the top of every evidence section, paragraph numbers, a sign-off page.
//! - `public`: non-public customers anonymised, no document names, no reviewer decisions,
//!   no contact, no gaps; checked for leaks after rendering (see `leak`).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::bundle::model::Reference;

/// Who the packet is for.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Edition {
    /// The partner's own packet, with everything.
    #[default]
    Partner,
    /// The reviewer's printed copy: checklist first, notes column, paragraph numbers, sign-off.
    Reviewer,
    /// The publishable packet: nothing confidential.
    Public,
}

/// What each edition includes, asked of the edition rather than decided by comparing it
/// wherever it matters. Each answer is a `match`, so a new edition has to answer them all.
impl Edition {
    /// Whether the PDF carries the bundle as read and the assessment: they name everything
    /// the public edition withholds.
    pub fn carries_attachments(self) -> bool {
        match self {
            Edition::Partner | Edition::Reviewer => true,
            Edition::Public => false,
        }
    }

    /// Whether "Changes since the last submission" may appear (it quotes last year's text).
    pub fn shows_changes(self) -> bool {
        match self {
            Edition::Partner | Edition::Reviewer => true,
            Edition::Public => false,
        }
    }

    /// Whether the checklist is the reviewer's (its own title, a notes column), and the
    /// packet ends with a sign-off page.
    pub fn for_review(self) -> bool {
        match self {
            Edition::Reviewer => true,
            Edition::Partner | Edition::Public => false,
        }
    }

    /// Whether the evidence sections' paragraphs are numbered, for a reviewer to cite.
    pub fn numbers_paragraphs(self) -> bool {
        match self {
            Edition::Reviewer => true,
            Edition::Partner | Edition::Public => false,
        }
    }

    /// Whether non-public customers are named by their `anonymous_name`, documents are
    /// withheld, and reviewer decisions, the contact, gaps and advisories are left out.
    pub fn anonymises(self) -> bool {
        match self {
            Edition::Public => true,
            Edition::Partner | Edition::Reviewer => false,
        }
    }

    /// Whether the rendered files are searched for confidential text before anything is
    /// written (`leak`).
    pub fn checked_for_leaks(self) -> bool {
        match self {
            Edition::Public => true,
            Edition::Partner | Edition::Reviewer => false,
        }
    }

    /// Page styles added to the HTML packet's own (the partner page has none).
    pub fn page_css(self) -> &'static str {
        match self {
            Edition::Partner => "",
            Edition::Reviewer | Edition::Public => EDITIONS_CSS,
        }
    }
}

/// Page styles of the reviewer and public editions.
const EDITIONS_CSS: &str = include_str!("../templates/editions.css");

/// "A" for 1, … "Z" for 26, "AA" for 27: a customer's letter by its reference number.
pub fn letter(number: usize) -> String {
    let mut n = number.max(1);
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// How the public edition names reference `number` (1-based) when it is not public: its
/// `anonymous_name`, or "Customer C" by position.
pub fn anonymous_name(number: usize, r: &Reference) -> String {
    r.anonymous_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| format!("Customer {}", letter(number)), str::to_owned)
}

/// An H2 section whose paragraphs the reviewer edition numbers, with the label its
/// paragraphs get unless a heading inside names a checklist item.
#[derive(Debug, Clone)]
pub struct NumberedSection {
    pub title: String,
    pub label: String,
}

/// Prefixes every top-level paragraph and list item of the numbered sections with a bold
/// paragraph number such as `**2.5-2**`, counted per label through the whole packet. A
/// heading that starts with an item id (`P1 APN Membership`) or ends with one in parentheses
/// (`Risk and compliance (3.1)`) switches the label for what follows it, down to the next
/// heading of its level or above. Tables, block quotes and images are not numbered.
pub fn number_paragraphs(
    markdown: &str,
    sections: &[NumberedSection],
    item_ids: &[String],
) -> String {
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut counters: std::collections::BTreeMap<String, usize> = Default::default();
    // Label per heading level (index 0 = H2 … 4 = H6); None outside numbered sections.
    let mut labels: [Option<String>; 5] = Default::default();
    let mut current: Option<String> = None;
    let mut depth = 0usize;
    let mut list_depth_item_pending = false;
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut paragraph_pending = false;

    let events: Vec<(Event<'_>, std::ops::Range<usize>)> =
        Parser::new_ext(markdown, crate::packet::escape::options())
            .into_offset_iter()
            .collect();
    let mut next_number = |label: &str| {
        let n = counters.entry(label.to_string()).or_insert(0);
        *n += 1;
        format!("**{label}-{n}** ")
    };
    for (n, (ev, range)) in events.iter().enumerate() {
        if let Some((_, text)) = &mut heading {
            match ev {
                Event::Text(t) | Event::Code(t) => {
                    text.push_str(t);
                    continue;
                }
                Event::End(TagEnd::Heading(_)) => {}
                _ => continue,
            }
        }
        if list_depth_item_pending {
            list_depth_item_pending = false;
            if let Some(label) = &current
                && !matches!(ev, Event::Start(Tag::Image { .. }))
            {
                // The item's first content: its text, or a loose item's first paragraph.
                inserts.push((range.start, next_number(label)));
            }
        }
        if paragraph_pending {
            paragraph_pending = false;
            if let Some(label) = &current
                && !matches!(ev, Event::Start(Tag::Image { .. }))
            {
                inserts.push((range.start, next_number(label)));
            }
        }
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((*level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((level, text)) = heading.take() else {
                    continue;
                };
                let text = text.trim();
                let idx = match level {
                    HeadingLevel::H1 => {
                        labels = Default::default();
                        current = None;
                        continue;
                    }
                    HeadingLevel::H2 => 0,
                    HeadingLevel::H3 => 1,
                    HeadingLevel::H4 => 2,
                    HeadingLevel::H5 => 3,
                    HeadingLevel::H6 => 4,
                };
                let inherited = if idx == 0 {
                    sections
                        .iter()
                        .find(|s| s.title == text)
                        .map(|s| s.label.clone())
                } else {
                    labels[idx - 1].clone()
                };
                let label = inherited.map(|l| item_in(text, item_ids).unwrap_or(l));
                for l in labels.iter_mut().skip(idx) {
                    *l = label.clone();
                }
                current = label;
            }
            // A subheading is not a paragraph to cite.
            Event::Start(Tag::Paragraph)
                if depth == 0
                    && !crate::packet::escape::is_subheading(
                        events[n..].iter().map(|(e, _)| e),
                    ) =>
            {
                paragraph_pending = true
            }
            Event::Start(Tag::Item) if depth == 1 => {
                list_depth_item_pending = true;
                depth += 1;
            }
            Event::Start(
                Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_),
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Table
                | TagEnd::FootnoteDefinition,
            ) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(markdown.len() + inserts.len() * 10);
    let mut last = 0;
    for (at, text) in inserts {
        out.push_str(&markdown[last..at]);
        out.push_str(&text);
        last = at;
    }
    out.push_str(&markdown[last..]);
    out
}

/// The checklist item a heading names: a leading id (`P1 …`) or a trailing `(3.1)`.
fn item_in(heading: &str, ids: &[String]) -> Option<String> {
    ids.iter()
        .find(|id| {
            heading
                .strip_prefix(id.as_str())
                .is_some_and(|rest| rest.starts_with(' '))
                || heading.ends_with(&format!("({id})"))
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_edition_answers_what_it_includes() {
        use Edition::*;
        let answers = |e: Edition| {
            (
                e.carries_attachments(),
                e.shows_changes(),
                e.for_review(),
                e.numbers_paragraphs(),
                e.anonymises(),
                e.checked_for_leaks(),
                !e.page_css().is_empty(),
            )
        };
        assert_eq!(
            answers(Partner),
            (true, true, false, false, false, false, false)
        );
        assert_eq!(
            answers(Reviewer),
            (true, true, true, true, false, false, true)
        );
        assert_eq!(
            answers(Public),
            (false, false, false, false, true, true, true)
        );
    }

    #[test]
    fn letters_run_past_z() {
        assert_eq!(letter(1), "A");
        assert_eq!(letter(3), "C");
        assert_eq!(letter(26), "Z");
        assert_eq!(letter(27), "AA");
    }

    #[test]
    fn paragraphs_are_numbered_per_item() {
        let md = "# T\n\nintro\n\n## Security\n\nfirst\n\n**A subheading**\n\n### Best practices (3.1)\n\none\n\n- a\n- b\n\n> quoted\n\n| x |\n|---|\n| y |\n\n### Controls (3.2)\n\ntwo\n\n## Checklist\n\nnot numbered\n";
        let sections = [NumberedSection {
            title: "Security".into(),
            label: "3".into(),
        }];
        let ids: Vec<String> = ["3.1", "3.2"].iter().map(|s| s.to_string()).collect();
        let out = number_paragraphs(md, &sections, &ids);
        assert!(out.contains("\nintro\n"), "{out}");
        assert!(out.contains("**3-1** first"), "{out}");
        assert!(out.contains("\n**A subheading**\n"), "{out}");
        assert!(out.contains("**3.1-1** one"), "{out}");
        assert!(out.contains("- **3.1-2** a\n- **3.1-3** b"), "{out}");
        assert!(out.contains("> quoted"), "{out}");
        assert!(out.contains("| y |"), "{out}");
        assert!(out.contains("**3.2-1** two"), "{out}");
        assert!(out.contains("\nnot numbered"), "{out}");
    }
}
