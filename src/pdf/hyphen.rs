//! Hyphenation: Liang's algorithm over the TeX patterns that the `hyphenation` crate embeds
//! (hyph-utf8's, one dictionary per language).
//!
//! Takes a BCP 47 language tag and a word, gives the character offsets where the word may be
//! hyphenated. Only words of letters in lower case, or capitalised like the first word of a
//! sentence, are hyphenated (TeX's `\uchyph=1`): product names in camel case ("SageMaker"),
//! acronyms, numbers and identifiers stay whole.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use hyphenation::{Hyphenator as _, Language, Load, Standard};

use super::shards::{SHARDS, Sharded};

/// A loaded dictionary for one language, with the words it has hyphenated; cheap to clone.
#[derive(Clone)]
pub(crate) struct Dictionary(Arc<Patterns>);

struct Patterns {
    standard: Standard,
    /// Word → break points. Prose repeats its words: most lookups hit.
    seen: Sharded<Box<str>, Box<[usize]>>,
}

/// Words remembered per dictionary; beyond this (a bundle of random letters) points are
/// computed without remembering them.
const MAX_REMEMBERED: usize = 200_000;

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dictionary({})", self.0.standard.language().code())
    }
}

/// The language a BCP 47 tag names, as far as hyphenation goes: the exact tag if the crate
/// knows it ("en-gb", "de-1996"), else a usual spelling of it ("de-DE", "pt-BR"), else its
/// primary subtag ("fr-CA" → "fr"); English means American English.
pub(crate) fn language(tag: &str) -> Option<Language> {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    let primary = tag.split('-').next().unwrap_or("");
    let alias = match tag.as_str() {
        "en" => Some("en-us"),
        "de" | "de-de" | "de-at" | "de-lu" | "de-li" => Some("de-1996"),
        "de-ch" => Some("de-ch-1901"),
        "el" | "el-gr" => Some("el-monoton"),
        "sr" => Some("sr-cyrl"),
        "mn" => Some("mn-cyrl"),
        _ => None,
    };
    Language::try_from_code(&tag)
        .or_else(|| alias.and_then(Language::try_from_code))
        .or_else(|| Language::try_from_code(primary))
}

/// The dictionary for a language, loaded once per process.
pub(crate) fn dictionary(lang: Language) -> Option<Dictionary> {
    static LOADED: OnceLock<Mutex<HashMap<Language, Option<Dictionary>>>> = OnceLock::new();
    let loaded = LOADED.get_or_init(Default::default);
    let mut map = loaded.lock().ok()?;
    map.entry(lang)
        .or_insert_with(|| {
            Standard::from_embedded(lang).ok().map(|standard| {
                Dictionary(Arc::new(Patterns {
                    standard,
                    seen: Sharded::default(),
                }))
            })
        })
        .clone()
}

/// Character offsets inside `word` where a hyphen may go (a break before that character).
pub(crate) fn points(dict: &Dictionary, word: &str) -> Vec<usize> {
    let mut chars = word.chars();
    let plain = chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphabetic() && !c.is_uppercase());
    if !plain {
        return Vec::new();
    }
    if let Some(points) = dict.0.seen.shard(word).and_then(|s| s.get(word).cloned()) {
        return points.into_vec();
    }
    let lower = word.to_lowercase();
    // Lower-casing can change byte lengths (rarely): then offsets would not line up.
    if lower.chars().count() != word.chars().count() {
        return Vec::new();
    }
    let hyphenated = dict.0.standard.hyphenate(&lower);
    let points: Vec<usize> = hyphenated
        .breaks
        .iter()
        .map(|&byte| lower[..byte].chars().count())
        .collect();
    if let Some(mut seen) = dict.0.seen.shard(word)
        && seen.len() < MAX_REMEMBERED / SHARDS
    {
        seen.insert(word.into(), points.as_slice().into());
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hyphenated(tag: &str, word: &str) -> String {
        let dict = dictionary(language(tag).expect("known language")).expect("embedded");
        let pts = points(&dict, word);
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
    fn liang_patterns_and_limits() {
        assert_eq!(hyphenated("en-US", "hyphenation"), "hy-phen-a-tion");
        assert_eq!(hyphenated("en-US", "Explanations"), "Ex-pla-na-tions");
        // Three letters at least after the last hyphen in English.
        assert_eq!(hyphenated("en-US", "table"), "table");
        assert_eq!(hyphenated("en-US", "confirmations"), "con-fir-ma-tions");
        // Capitalised words hyphenate as TeX does; camel case, acronyms and short words not.
        assert_eq!(hyphenated("en-US", "Customers"), "Cus-tomers");
        assert_eq!(hyphenated("en-US", "SageMaker"), "SageMaker");
        assert_eq!(hyphenated("en-US", "wMAPE"), "wMAPE");
        assert_eq!(hyphenated("en-US", "AWS"), "AWS");
        assert_eq!(hyphenated("en-US", "cat"), "cat");
        // No letters, no hyphens.
        assert_eq!(hyphenated("en-US", "1234567"), "1234567");
    }

    #[test]
    fn language_tags_resolve() {
        assert_eq!(language("en-US"), Some(Language::EnglishUS));
        assert_eq!(language("en"), Some(Language::EnglishUS));
        assert_eq!(language("en-GB"), Some(Language::EnglishGB));
        assert_eq!(language("de-DE"), Some(Language::German1996));
        assert_eq!(language("fr-CA"), Some(Language::French));
        assert_eq!(language("tlh"), None);
        assert_eq!(hyphenated("de", "Silbentrennung"), "Sil-ben-tren-nung");
    }
}
