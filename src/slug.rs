//! Heading anchors, computed the way GitHub computes them, so the links in `packet.md`
//! work on GitHub and the same ids serve the HTML page and the PDF's internal links.

use std::collections::HashMap;

/// The GitHub anchor of one heading text, before de-duplication: lower-cased, every
/// character that is not a letter, digit, space, `-` or `_` dropped, spaces turned into `-`.
pub fn github_slug(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// Hands out unique anchors for a document: a repeated heading gets `-1`, `-2`, … as on GitHub.
#[derive(Debug, Default)]
pub struct Slugger {
    seen: HashMap<String, usize>,
}

impl Slugger {
    /// The anchor for the next heading with this text.
    pub fn slug(&mut self, text: &str) -> String {
        // The algorithm of github-slugger, which GitHub uses for README anchors.
        let base = github_slug(text);
        let mut candidate = base.clone();
        while self.seen.contains_key(&candidate) {
            let count = self.seen.entry(base.clone()).or_insert(0);
            *count += 1;
            candidate = format!("{base}-{count}");
        }
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_github_for_punctuation_and_case() {
        assert_eq!(
            github_slug("1.1 Customer References"),
            "11-customer-references"
        );
        assert_eq!(
            github_slug("Reference 2: Globex Retail, Inc."),
            "reference-2-globex-retail-inc"
        );
        assert_eq!(github_slug("Ünïcode names — kept"), "ünïcode-names--kept");
    }

    #[test]
    fn repeated_headings_get_numbered() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("Lessons learned"), "lessons-learned");
        assert_eq!(s.slug("Lessons learned"), "lessons-learned-1");
        assert_eq!(s.slug("Lessons learned"), "lessons-learned-2");
    }
}
