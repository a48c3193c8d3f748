//! Official AWS service names, shipped as data → whether a written name is one, which
//! service it names, and the closest official name when it is not.
//!
//! `src/data/aws-services.txt` is generated from botocore (see its header and
//! `update_aws_services.py`); `src/data/aws-service-aliases.txt` adds, by hand, names AWS
//! markets that no API model carries. A name is accepted when it is exactly one of those
//! names, or one of them followed by a feature ("Amazon SageMaker Ground Truth" names
//! Amazon SageMaker). Anything else gets a suggestion: the same name in another spelling
//! or with the other prefix ("Sagemaker", "Amazon Lambda"), else a near miss.

use std::collections::HashMap;
use std::sync::OnceLock;

const GENERATED: &str = include_str!("../data/aws-services.txt");
const ALIASES: &str = include_str!("../data/aws-service-aliases.txt");

/// The accepted names and the service each one names.
#[derive(Debug)]
pub struct Catalog {
    /// Every accepted name with its service id, in file order (generated, then aliases).
    names: Vec<(String, String)>,
    /// Name → service id; the first line that lists a name wins.
    by_name: HashMap<String, String>,
}

/// What a written service name is.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// An official name, or one followed by a feature; `id` is the botocore service id.
    Known { id: String },
    /// Not an official name; `suggestion` is the closest one, if any is close.
    Unknown { suggestion: Option<String> },
}

/// The catalog built from the shipped data.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    // The data files are part of the binary and checked by a unit test, so an error here is
    // a build defect; an empty catalog would flag every name, so fail loudly instead.
    CATALOG.get_or_init(|| Catalog::parse(GENERATED, ALIASES).expect("valid service data"))
}

impl Catalog {
    /// Parses `ID: NAME | NAME` lines; every alias id must be a generated id.
    pub fn parse(generated: &str, aliases: &str) -> Result<Catalog, String> {
        let mut catalog = Catalog {
            names: Vec::new(),
            by_name: HashMap::new(),
        };
        for (file, text) in [
            ("aws-services.txt", generated),
            ("aws-service-aliases.txt", aliases),
        ] {
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let Some((id, names)) = line.split_once(": ") else {
                    return Err(format!("{file}:{}: expected `ID: NAME | NAME`", n + 1));
                };
                let id = id.trim();
                if file != "aws-services.txt" && !catalog.names.iter().any(|(_, i)| i == id) {
                    return Err(format!("{file}:{}: unknown service id `{id}`", n + 1));
                }
                for name in names.split('|') {
                    let name = collapse(name);
                    if name.is_empty() {
                        return Err(format!("{file}:{}: empty name", n + 1));
                    }
                    catalog
                        .by_name
                        .entry(name.clone())
                        .or_insert_with(|| id.to_string());
                    catalog.names.push((name, id.to_string()));
                }
            }
        }
        Ok(catalog)
    }

    /// Number of distinct accepted names.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether the catalog has no names.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// What `written` is: a known service (and which) or not, with a suggestion.
    pub fn lookup(&self, written: &str) -> Lookup {
        let w = collapse(written);
        if let Some(id) = self.by_name.get(&w) {
            return Lookup::Known { id: id.clone() };
        }
        // An official name followed by a feature: the longest such name decides the service.
        if let Some((_, id)) = self
            .names
            .iter()
            .filter(|(n, _)| starts_with_word(&w, n, false))
            .max_by_key(|(n, _)| n.len())
        {
            return Lookup::Known { id: id.clone() };
        }
        Lookup::Unknown {
            suggestion: self.suggest(&w),
        }
    }

    fn suggest(&self, w: &str) -> Option<String> {
        let wc = core(w);
        if wc.is_empty() {
            return None;
        }
        // Shorter names first: the short form is what partners write.
        let shortest = |a: &&(String, String), b: &&(String, String)| {
            a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0))
        };
        // The same name in other capitals, spacing or prefix: "Sagemaker", "Amazon Lambda".
        if let Some((n, _)) = self
            .names
            .iter()
            .filter(|(n, _)| core(n) == wc)
            .min_by(shortest)
        {
            return Some(n.clone());
        }
        // An official name in other capitals, followed by a feature.
        if let Some((n, _)) = self
            .names
            .iter()
            .filter(|(n, _)| starts_with_word(w, n, true))
            .max_by_key(|(n, _)| n.len())
        {
            return Some(format!("{n}{}", &w[n.len()..]));
        }
        // A near miss; very short names are too ambiguous to guess at.
        let len = wc.chars().count();
        if len < 4 {
            return None;
        }
        let limit = (len / 4).max(1);
        self.names
            .iter()
            .map(|entry| (strsim::damerau_levenshtein(&wc, &core(&entry.0)), entry))
            .filter(|(d, _)| *d <= limit)
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| shortest(&a.1, &b.1)))
            .map(|(_, (n, _))| n.clone())
    }
}

/// Whether `w` is `name` followed by a space and more (`ignore_case`: ASCII case aside).
fn starts_with_word(w: &str, name: &str, ignore_case: bool) -> bool {
    w.len() > name.len()
        && w.is_char_boundary(name.len())
        && w[name.len()..].starts_with(' ')
        && if ignore_case {
            w[..name.len()].eq_ignore_ascii_case(name)
        } else {
            w.starts_with(name)
        }
}

/// Whitespace collapsed to single spaces, trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of a name that identifies the service: lower case, without an
/// "Amazon"/"AWS" prefix, letters and digits only ("Amazon SageMaker" → "sagemaker").
fn core(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let rest = ["amazon ", "aws "]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    rest.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> Option<String> {
        match catalog().lookup(name) {
            Lookup::Known { id } => Some(id),
            Lookup::Unknown { .. } => None,
        }
    }

    fn suggestion(name: &str) -> Option<String> {
        match catalog().lookup(name) {
            Lookup::Known { id } => panic!("{name} is known as {id}"),
            Lookup::Unknown { suggestion } => suggestion,
        }
    }

    #[test]
    fn the_shipped_data_parses_and_aliases_name_real_services() {
        let c = Catalog::parse(GENERATED, ALIASES).expect("valid data");
        assert!(c.len() > 400, "{}", c.len());
        assert!(Catalog::parse(GENERATED, "nosuchservice: Amazon Nothing").is_err());
        assert!(Catalog::parse("s3 Amazon S3", "").is_err());
    }

    #[test]
    fn full_names_short_names_and_aliases_are_known() {
        assert_eq!(known("Amazon SageMaker").as_deref(), Some("sagemaker"));
        assert_eq!(
            known("Amazon SageMaker Service").as_deref(),
            Some("sagemaker")
        );
        assert_eq!(
            known("Amazon Simple Storage Service").as_deref(),
            Some("s3")
        );
        assert_eq!(known("Amazon S3").as_deref(), Some("s3"));
        assert_eq!(known("AWS IAM").as_deref(), Some("iam"));
        assert_eq!(known("AWS KMS").as_deref(), Some("kms"));
        assert_eq!(known("Elastic Load Balancing").as_deref(), Some("elb"));
        assert_eq!(known("Amazon Data Firehose").as_deref(), Some("firehose"));
        assert_eq!(known("  Amazon   EKS ").as_deref(), Some("eks"));
    }

    #[test]
    fn a_service_followed_by_a_feature_names_that_service() {
        assert_eq!(
            known("Amazon SageMaker Ground Truth").as_deref(),
            Some("sagemaker")
        );
        assert_eq!(
            known("Amazon Kinesis Data Streams").as_deref(),
            Some("kinesis")
        );
        // The longest official name decides.
        assert_eq!(
            known("Amazon Kinesis Video Streams Media").as_deref(),
            Some("kinesis-video-media")
        );
        assert_eq!(known("Amazon SageMakerX"), None);
    }

    #[test]
    fn near_misses_get_the_official_name() {
        assert_eq!(suggestion("Sagemaker").as_deref(), Some("Amazon SageMaker"));
        assert_eq!(suggestion("SageMaker").as_deref(), Some("Amazon SageMaker"));
        assert_eq!(suggestion("Amazon Lambda").as_deref(), Some("AWS Lambda"));
        assert_eq!(suggestion("S3").as_deref(), Some("Amazon S3"));
        assert_eq!(
            suggestion("Amazon Rekogniton").as_deref(),
            Some("Amazon Rekognition")
        );
        assert_eq!(
            suggestion("Amazon Sagemaker Ground Truth").as_deref(),
            Some("Amazon SageMaker Ground Truth")
        );
        assert_eq!(suggestion("Snowflake"), None);
        assert_eq!(suggestion("dbt"), None);
    }
}
