//! Checklist definitions shipped with the binary: item ids, titles, requirement text quoted
//! from the checklist, and the parameters of each rule.
//!
//! Definitions are data (`src/checklists/*.yaml`, embedded at build time); the rules they
//! name are implemented in `assess`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::bundle::model::{ApnTier, Capability, CertLevel, DataSource, SupportPlan};

/// Every checklist definition compiled into the binary: (id, YAML text).
const BUILTIN: &[(&str, &str)] = &[(
    "aws-ml-competency-2017-v1.0",
    include_str!("checklists/aws-ml-competency-2017-v1.0.yaml"),
)];

/// One checklist definition.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    pub id: String,
    pub name: String,
    pub version: String,
    pub published: String,
    pub rules: Rules,
    pub reference_fields: Vec<ReferenceField>,
    pub categories: BTreeMap<String, CategoryDef>,
    pub items: Vec<Item>,
}

/// Rule parameters.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub window_months: i32,
    pub min_references: usize,
    pub min_public_references: usize,
    pub min_regions: usize,
    pub apn_tiers: Vec<ApnTier>,
    pub support_plans: Vec<SupportPlan>,
    pub certification_levels: Vec<CertLevel>,
}

/// One of the eight fields of item 1.1, under the checklist's own name.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceField {
    pub key: String,
    pub title: String,
}

/// A competency category: its characteristics and allowed capability values.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    pub title: String,
    pub characteristics: String,
    pub capabilities: Vec<Capability>,
    /// Data sources a solution of this category must support (all of them).
    pub data_sources: Vec<DataSource>,
}

/// One checklist item.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub group: String,
    pub title: String,
    pub rule: Rule,
    /// The packet section holding the evidence.
    pub evidence: Section,
    pub requirement: String,
}

/// The checks dossier knows how to make; section 3 of the bundle format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    ApnTier,
    SupportPlan,
    QualifyingReferences,
    ProductOrSolution,
    Certification,
    ReferenceFields,
    PublicReferences,
    SolutionCapabilities,
    BestPractices,
    SecurityBestPractices,
    SecurityControl,
    Governance,
    Production,
    Lifecycle,
    Availability,
    Category,
}

/// Sections of the packet, for "where is the evidence" links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    Prerequisites,
    References,
    Solution,
    Security,
    Architecture,
}

impl Checklist {
    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The checklist's title for one of the 1.1 fields (falls back to the key).
    pub fn field_title<'a>(&'a self, key: &'a str) -> &'a str {
        self.reference_fields
            .iter()
            .find(|f| f.key == key)
            .map_or(key, |f| f.title.as_str())
    }
}

/// Ids of the checklists this build knows.
pub fn known_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(id, _)| *id)
}

/// The built-in checklist with this id.
pub fn builtin(id: &str) -> Option<&'static Checklist> {
    static PARSED: OnceLock<Vec<Checklist>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            BUILTIN
                .iter()
                .map(|(_, text)| {
                    // Embedded and covered by a test: a failure here is a build defect.
                    serde_saphyr::from_str(text).expect("embedded checklist definition parses")
                })
                .collect()
        })
        .iter()
        .find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_definitions_parse_and_match_their_ids() {
        for id in known_ids() {
            let c = builtin(id).expect("known id loads");
            assert_eq!(c.id, id);
        }
    }

    #[test]
    fn ml_2017_has_every_item_of_the_contract_in_order() {
        let c = builtin("aws-ml-competency-2017-v1.0").expect("built in");
        let ids: Vec<&str> = c.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "P1", "P2", "P3", "P4", "P5", "1.1", "1.2", "2.1", "2.5", "3.1", "3.2", "3.3",
                "4.1", "4.2", "4.3", "C"
            ]
        );
        assert_eq!(c.reference_fields.len(), 8);
        assert_eq!(c.rules.min_references, 4);
    }

    #[test]
    fn requirement_text_is_quoted_from_the_checklist() {
        let source = include_str!("../tests/fixtures/aws-ml-competency-checklist-2017-v1.0.txt");
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        // The checklist text carries HTML tags, bullets and TeX for "≥"; compare words only.
        let mut plain = String::new();
        let mut in_tag = false;
        for ch in source.chars() {
            match ch {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                '▪' | '•' | '$' => {}
                _ if !in_tag => plain.push(ch),
                _ => {}
            }
        }
        let source = flat(&plain.replace("\\geq", "≥"));
        let c = builtin("aws-ml-competency-2017-v1.0").expect("built in");
        for item in c.items.iter().filter(|i| i.id != "C") {
            // Bullets are joined with "; " in the definition; every piece must be verbatim.
            for piece in flat(&item.requirement).split("; ") {
                let piece = piece.trim_end_matches('.').trim_end_matches(':');
                assert!(
                    source.contains(piece),
                    "item {}: {piece:?} is not in the checklist",
                    item.id
                );
            }
        }
        for cat in c.categories.values() {
            assert!(
                source.contains(&flat(&cat.characteristics)),
                "{}",
                cat.title
            );
        }
    }
}
