//! The AWS region codes dossier accepts, from botocore's endpoint data (see the header of
//! `src/data/aws-regions.txt` for the version and how to regenerate it).

use std::collections::BTreeSet;
use std::sync::OnceLock;

const LIST: &str = include_str!("../data/aws-regions.txt");

/// Every known region code.
pub fn all() -> &'static BTreeSet<&'static str> {
    static SET: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether `code` is a real AWS region code.
pub fn is_known(code: &str) -> bool {
    all().contains(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_real_regions_only() {
        assert!(super::is_known("us-east-1"));
        assert!(super::is_known("ap-southeast-2"));
        assert!(!super::is_known("us-east-7"));
        assert!(!super::is_known("US-EAST-1"));
    }
}
