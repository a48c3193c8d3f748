//! English hyphenation: Liang's algorithm over the Plain TeX patterns (`hyphen.us`, Knuth's
//! `hyphen.tex` as groff ships it, included unmodified as its licence asks).
//!
//! Takes a word, gives the character offsets where it may be hyphenated. Only plain
//! lower-case words are hyphenated: names ("Functions" in "AWS Step Functions",
//! "SageMaker"), numbers and identifiers stay whole.

use std::collections::HashMap;
use std::sync::OnceLock;

const PATTERNS: &str = include_str!("hyphen.us");

/// Letters kept whole at the start and end of a word (TeX's \lefthyphenmin, \righthyphenmin).
const LEFT_MIN: usize = 2;
const RIGHT_MIN: usize = 3;

struct Patterns {
    /// Letters of a pattern → its inter-letter values (one more than the letters).
    values: HashMap<String, Vec<u8>>,
    /// Exceptions: lower-case word → break offsets.
    exceptions: HashMap<String, Vec<usize>>,
    longest: usize,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let mut values = HashMap::new();
        let mut exceptions = HashMap::new();
        let mut longest = 0;
        // \patterns{ … } then \hyphenation{ … }; `%` starts a comment.
        let mut section = 0;
        for line in PATTERNS.lines() {
            let line = line.split('%').next().unwrap_or("");
            if line.contains("\\patterns{") {
                section = 1;
                continue;
            }
            if line.contains("\\hyphenation{") {
                section = 2;
                continue;
            }
            for token in line.split_whitespace() {
                if token == "}" {
                    section = 0;
                    continue;
                }
                match section {
                    1 => {
                        let mut letters = String::new();
                        let mut vals = vec![0u8];
                        for c in token.chars() {
                            if let Some(d) = c.to_digit(10) {
                                if let Some(last) = vals.last_mut() {
                                    *last = d as u8;
                                }
                            } else {
                                letters.push(c);
                                vals.push(0);
                            }
                        }
                        longest = longest.max(letters.chars().count());
                        values.insert(letters, vals);
                    }
                    2 => {
                        let mut offsets = Vec::new();
                        let mut word = String::new();
                        for c in token.chars() {
                            if c == '-' {
                                offsets.push(word.chars().count());
                            } else {
                                word.push(c);
                            }
                        }
                        exceptions.insert(word, offsets);
                    }
                    _ => {}
                }
            }
        }
        Patterns {
            values,
            exceptions,
            longest,
        }
    })
}

/// Character offsets inside `word` where a hyphen may go (a break before that character).
pub(crate) fn points(word: &str) -> Vec<usize> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < LEFT_MIN + RIGHT_MIN
        || !chars.iter().all(|c| c.is_ascii_alphabetic())
        || chars.iter().any(char::is_ascii_uppercase)
    {
        return Vec::new();
    }
    let lower: String = word.to_ascii_lowercase();
    let p = patterns();
    if let Some(ex) = p.exceptions.get(&lower) {
        return ex.clone();
    }
    // Liang: the maximum value each pattern found in ".word." puts between two letters.
    let dotted: Vec<char> = std::iter::once('.')
        .chain(lower.chars())
        .chain(std::iter::once('.'))
        .collect();
    let mut best = vec![0u8; dotted.len() + 1];
    let mut key = String::new();
    for start in 0..dotted.len() {
        key.clear();
        for &c in dotted.iter().skip(start).take(p.longest) {
            key.push(c);
            if let Some(vals) = p.values.get(&key) {
                for (k, v) in vals.iter().enumerate() {
                    let slot = &mut best[start + k];
                    *slot = (*slot).max(*v);
                }
            }
        }
    }
    // best[i + 1] sits between word characters i - 1 and i (the leading dot shifts by one).
    (LEFT_MIN..=n - RIGHT_MIN)
        .filter(|&i| best[i + 1] % 2 == 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hyphenated(word: &str) -> String {
        let pts = points(word);
        let mut out = String::new();
        for (i, c) in word.chars().enumerate() {
            if pts.contains(&i) {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn knuths_examples_and_limits() {
        assert_eq!(hyphenated("hyphenation"), "hy-phen-ation");
        // Knuth's exception list wins over the patterns.
        assert_eq!(hyphenated("table"), "ta-ble");
        assert_eq!(hyphenated("confirmations"), "con-fir-ma-tions");
        assert_eq!(hyphenated("Customers"), "Customers");
        // Product names, identifiers and short words stay whole.
        assert_eq!(hyphenated("SageMaker"), "SageMaker");
        assert_eq!(hyphenated("wMAPE"), "wMAPE");
        assert_eq!(hyphenated("cat"), "cat");
    }
}
