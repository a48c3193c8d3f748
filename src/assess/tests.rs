//! One Met and one Not Met test per rule of section 3, plus the edge cases of the contract.
//!
//! Every test starts from `full()`, a bundle that meets every item, and changes one thing.

use jiff::civil::{Date, date};

use super::*;
use crate::bundle::model::{
    AccessManagement, ApnTier, Availability, Capability, Category, CertLevel, DataSource,
    SupportPlan,
};

/// A platform bundle judged on 2026-11-20 that meets every item; one reference is given
/// here and `full()` copies it into four, the first two public.
const FULL: &str = r#"
format: 1
checklist: aws-ml-competency-2017-v1.0
as_of: 2026-11-20
category: platform
partner:
  name: Acme Analytics, Inc.
  website: https://acme-analytics.example
  apn_tier: advanced
  support_plan: business
  public_support_statement: https://acme-analytics.example/aws/ml
  certified_staff:
    - name: Dana Reyes
      certification: AWS Certified Solutions Architect - Associate
      level: associate
      expires: 2027-05-01
solution:
  name: Acme Forecast Studio
  regions: [us-east-1, eu-west-1, ap-southeast-2]
  availability: [marketplace]
  in_production: true
  lifecycle: Trains, deploys and monitors forecasting models.
  aws_ml_integration: Runs on Amazon SageMaker.
  predictive_functionality: Probabilistic demand forecasts.
  capabilities: [model-training]
  data_sources: [structured, unstructured]
architecture:
  overview: A control plane and a data plane.
  aws_services: [Amazon SageMaker]
  high_availability: Three Availability Zones.
  pillars:
    operational_excellence: Runbooks.
    security: Least privilege.
    reliability: Multi-AZ.
    performance_efficiency: Right-sized endpoints.
    cost_optimization: Spot training.
security:
  best_practices: Encryption everywhere.
  risk_and_compliance: SOC 2 Type II.
  deployment: saas
  asks_for_customer_credentials: false
  cross_account_roles: true
  governance:
    iam: Scoped roles.
    cloudtrail: Organisation trail.
references:
  - customer: Globex Retail
    public: true
    public_evidence:
      url: https://acme-analytics.example/case-studies/globex
      kind: case-study
      covers: [customer-name, partner-name, aws, problem, aws-usage, outcomes]
    problem: Stock-outs.
    proposal: Daily forecasts.
    aws_services:
      - service: Amazon SageMaker
        usage: Trains the model.
    third_party: []
    start: 2026-01-12
    end: 2026-06-30
    stage: production
    outcomes: Fewer stock-outs.
    lessons: Start with the data.
    documents: [docs/globex.pdf]
"#;

fn full() -> Bundle {
    let mut b: Bundle = serde_saphyr::from_str(FULL).expect("the test bundle parses");
    let first = b.references[0].clone();
    for (i, customer) in ["Initech", "Umbrella Foods", "Hooli"].iter().enumerate() {
        let mut r = first.clone();
        r.customer = Some(customer.to_string());
        r.public = i == 0;
        b.references.push(r);
    }
    b
}

fn checklist() -> &'static Checklist {
    crate::checklist::builtin("aws-ml-competency-2017-v1.0").expect("built in")
}

fn day(y: i16, m: i8, d: i8) -> crate::bundle::model::Day {
    crate::bundle::model::Day(date(y, m, d))
}

fn text(s: &str) -> Markdown {
    Some(s.to_string())
}

fn result<'a>(a: &'a Assessment, id: &str) -> &'a ItemResult {
    a.item(id).unwrap_or_else(|| panic!("item {id} is judged"))
}

#[track_caller]
fn assert_met(b: &Bundle, id: &str) {
    let a = evaluate(b, checklist());
    let r = result(&a, id);
    assert_eq!(r.computed, Status::Met, "{id}: {:?}", r.findings);
    assert_eq!(r.status, Status::Met, "{id}");
    assert!(r.findings.is_empty(), "{id}: {:?}", r.findings);
}

/// Asserts the item is Not Met and every needle appears in its reasons; returns them.
#[track_caller]
fn assert_not_met(b: &Bundle, id: &str, needles: &[&str]) -> String {
    let a = evaluate(b, checklist());
    let r = result(&a, id);
    assert_eq!(r.computed, Status::NotMet, "{id} should be Not Met");
    assert_eq!(r.status, Status::NotMet, "{id}");
    let reasons: Vec<&str> = r.findings.iter().map(|f| f.reason.as_str()).collect();
    let joined = reasons.join("\n");
    for needle in needles {
        assert!(
            joined.contains(needle),
            "{id}: reasons lack {needle:?}:\n{joined}"
        );
    }
    for f in &r.findings {
        assert!(!f.fix.trim().is_empty(), "{id}: a finding without a fix");
    }
    joined
}

#[test]
fn the_full_bundle_meets_every_item() {
    let a = evaluate(&full(), checklist());
    let not_met: Vec<(&str, &Vec<Finding>)> = a
        .items
        .iter()
        .filter(|r| r.computed != Status::Met)
        .map(|r| (r.item.id.as_str(), &r.findings))
        .collect();
    assert!(not_met.is_empty(), "{not_met:?}");
    assert_eq!((a.met(), a.not_met()), (16, 0));
    assert_eq!(a.window_start, date(2025, 11, 20));
    assert!(a.references.iter().all(|r| r.qualifying));
    assert_eq!(
        a.references.iter().filter(|r| r.publicly_endorsed).count(),
        2
    );
}

// P1 ------------------------------------------------------------------------------------

#[test]
fn p1_met_with_advanced_or_premier() {
    let mut b = full();
    assert_met(&b, "P1");
    b.partner.apn_tier = Some(ApnTier::Premier);
    assert_met(&b, "P1");
}

#[test]
fn p1_not_met_below_advanced_or_missing() {
    let mut b = full();
    b.partner.apn_tier = Some(ApnTier::Select);
    assert_not_met(
        &b,
        "P1",
        &["`partner.apn_tier` is select", "advanced or premier"],
    );
    b.partner.apn_tier = None;
    assert_not_met(&b, "P1", &["`partner.apn_tier` is not given"]);
}

// P2 ------------------------------------------------------------------------------------

#[test]
fn p2_met_with_business_or_enterprise_plans() {
    let mut b = full();
    for plan in [
        SupportPlan::Business,
        SupportPlan::EnterpriseOnRamp,
        SupportPlan::Enterprise,
    ] {
        b.partner.support_plan = Some(plan);
        assert_met(&b, "P2");
    }
}

#[test]
fn p2_not_met_with_developer_or_missing() {
    let mut b = full();
    b.partner.support_plan = Some(SupportPlan::Developer);
    assert_not_met(&b, "P2", &["`partner.support_plan` is developer"]);
    b.partner.support_plan = None;
    assert_not_met(&b, "P2", &["`partner.support_plan` is not given"]);
}

// P3 ------------------------------------------------------------------------------------

#[test]
fn p3_met_with_four_qualifying_and_two_endorsed() {
    assert_met(&full(), "P3");
}

#[test]
fn p3_not_met_with_three_qualifying() {
    let mut b = full();
    b.references[3].stage = Some(Stage::Pilot);
    assert_not_met(
        &b,
        "P3",
        &[
            "3 of 4 `references` qualify",
            "references[3] (Hooli)",
            "`stage` is pilot",
        ],
    );
}

#[test]
fn p3_not_met_with_one_endorsed() {
    let mut b = full();
    b.references[1].public = false;
    let reasons = assert_not_met(
        &b,
        "P3",
        &[
            "1 publicly endorsed reference (qualifying",
            "`public: true`",
        ],
    );
    assert!(!reasons.contains("qualify;"), "{reasons}");
    assert!(!reasons.contains("(s)"), "{reasons}");
}

#[test]
fn counts_in_reasons_and_evidence_agree_with_their_nouns() {
    let mut b = full();
    b.references.truncate(1);
    let a = evaluate(&b, checklist());
    let p3 = result(&a, "P3");
    let reasons: Vec<&str> = p3.findings.iter().map(|f| f.reason.as_str()).collect();
    assert!(
        reasons[0].starts_with("1 of 1 `references` qualifies; 4 are needed"),
        "{reasons:?}"
    );
    assert_eq!(
        p3.evidence[0],
        "1 qualifying reference, 1 publicly endorsed; projects started on or after 2025-11-20"
    );
    assert_eq!(
        result(&a, "1.2").evidence,
        ["1 publicly endorsed reference"]
    );
    assert_eq!(result(&a, "4.1").evidence, ["1 reference in production"]);
    let fields = &result(&a, "1.1").findings[0].reason;
    assert!(
        fields.starts_with("1 of 1 `references` has all eight fields"),
        "{fields}"
    );
}

#[test]
fn a_reference_without_documents_or_end_does_not_qualify() {
    let mut b = full();
    b.references[2].documents.clear();
    b.references[3].end = None;
    assert_not_met(
        &b,
        "P3",
        &[
            "references[2] (Umbrella Foods): no supporting documents in `documents`",
            "references[3] (Hooli): missing `end`",
        ],
    );
}

#[test]
fn a_reference_that_ends_after_as_of_or_starts_after_it_does_not_qualify() {
    let mut b = full();
    b.references[2].end = Some(day(2026, 11, 21));
    b.references[3].start = Some(day(2026, 11, 21));
    b.references[3].end = Some(day(2026, 11, 30));
    let a = evaluate(&b, checklist());
    assert!(!a.references[2].qualifying);
    assert!(!a.references[3].qualifying);
    assert_not_met(
        &b,
        "P3",
        &[
            "`end` 2026-11-21 is after as_of 2026-11-20",
            "`start` 2026-11-21 is after as_of",
        ],
    );
}

// P4 ------------------------------------------------------------------------------------

#[test]
fn p4_met_with_three_regions_statement_overview_and_pillars() {
    assert_met(&full(), "P4");
}

#[test]
fn p4_not_met_with_two_regions() {
    let mut b = full();
    b.solution.regions.pop();
    assert_not_met(
        &b,
        "P4",
        &["`solution.regions` lists 2 distinct regions; 3 are needed"],
    );
    // One is singular.
    b.solution.regions.pop();
    let reasons = assert_not_met(&b, "P4", &["lists 1 distinct region; 3 are needed"]);
    assert!(!reasons.contains("(s)"), "{reasons}");
}

#[test]
fn p4_not_met_without_support_statement_or_a_pillar() {
    let mut b = full();
    b.partner.public_support_statement = None;
    b.architecture.pillars.cost_optimization = None;
    let reasons = assert_not_met(
        &b,
        "P4",
        &[
            "`partner.public_support_statement` is not given",
            "`architecture.pillars.cost_optimization` is empty",
        ],
    );
    assert!(!reasons.contains("regions"), "{reasons}");
}

#[test]
fn p4_not_met_without_overview() {
    let mut b = full();
    b.architecture.overview = None;
    assert_not_met(&b, "P4", &["`architecture.overview` is empty"]);
}

#[test]
fn duplicate_region_codes_count_once() {
    let mut b = full();
    b.solution.regions = ["us-east-1", "us-east-1", "eu-west-1"]
        .iter()
        .map(|r| crate::bundle::model::RegionCode(r.to_string()))
        .collect();
    assert_not_met(&b, "P4", &["lists 2 distinct regions; 3 are needed"]);
    b.solution
        .regions
        .push(crate::bundle::model::RegionCode("ap-southeast-2".into()));
    assert_met(&b, "P4");
}

// P5 ------------------------------------------------------------------------------------

#[test]
fn p5_met_with_a_current_associate_or_higher() {
    let mut b = full();
    for level in [
        CertLevel::Associate,
        CertLevel::Professional,
        CertLevel::Specialty,
    ] {
        b.partner.certified_staff[0].level = level;
        assert_met(&b, "P5");
    }
}

#[test]
fn p5_not_met_with_foundational_only() {
    let mut b = full();
    b.partner.certified_staff[0].level = CertLevel::Foundational;
    assert_not_met(
        &b,
        "P5",
        &[
            "`partner.certified_staff` has no",
            "partner.certified_staff[0] (Dana Reyes): `level` is foundational",
        ],
    );
}

#[test]
fn p5_not_met_without_staff_or_expiry() {
    let mut b = full();
    b.partner.certified_staff[0].expires = None;
    assert_not_met(&b, "P5", &["no `expires` date"]);
    b.partner.certified_staff.clear();
    assert_not_met(&b, "P5", &["`partner.certified_staff` has no"]);
}

#[test]
fn a_certification_counts_through_its_expiry_day() {
    let mut b = full();
    b.partner.certified_staff[0].expires = Some(day(2026, 11, 20));
    assert_met(&b, "P5");
    b.partner.certified_staff[0].expires = Some(day(2026, 11, 19));
    assert_not_met(&b, "P5", &["`expires` 2026-11-19 is before as_of"]);
}

// 1.1 -----------------------------------------------------------------------------------

#[test]
fn item_1_1_met_with_four_complete_references() {
    let mut b = full();
    // 1.1 does not look at stage, the window or documents.
    for r in &mut b.references {
        r.stage = Some(Stage::Pilot);
        r.start = Some(day(2020, 1, 1));
        r.documents.clear();
    }
    assert_met(&b, "1.1");
}

#[test]
fn item_1_1_not_met_when_a_field_is_missing() {
    let mut b = full();
    b.references[1].lessons = None;
    b.references[2].third_party = None;
    b.references[3].aws_services[0].usage = text("  ");
    assert_not_met(
        &b,
        "1.1",
        &[
            "1 of 4 `references` has all eight fields",
            "references[1] (Initech): missing `lessons`",
            "references[2] (Umbrella Foods): missing `third_party` (write [] for none)",
            "references[3] (Hooli): missing `aws_services` (each entry with a usage)",
        ],
    );
}

#[test]
fn item_1_1_not_met_when_an_end_is_after_as_of() {
    let mut b = full();
    b.references[0].end = Some(day(2026, 12, 1));
    assert_not_met(
        &b,
        "1.1",
        &["references[0] (Globex Retail)", "`end` 2026-12-01"],
    );
}

#[test]
fn third_party_empty_list_states_none() {
    let mut b = full();
    b.references[0].third_party = Some(Vec::new());
    assert_met(&b, "1.1");
    let a = evaluate(&b, checklist());
    assert!(a.references[0].missing_fields.is_empty());
}

// 1.2 -----------------------------------------------------------------------------------

#[test]
fn item_1_2_met_with_two_endorsed() {
    assert_met(&full(), "1.2");
}

#[test]
fn item_1_2_not_met_when_covers_are_incomplete() {
    let mut b = full();
    if let Some(ev) = b.references[0].public_evidence.as_mut() {
        ev.covers.retain(|c| *c != Cover::Outcomes);
    }
    assert_not_met(
        &b,
        "1.2",
        &[
            "1 publicly endorsed",
            "references[0] (Globex Retail): `public_evidence.covers` lacks outcomes",
        ],
    );
}

#[test]
fn item_1_2_not_met_without_evidence_url() {
    let mut b = full();
    if let Some(ev) = b.references[1].public_evidence.as_mut() {
        ev.url = None;
    }
    assert_not_met(
        &b,
        "1.2",
        &["references[1] (Initech): `public_evidence.url` is missing"],
    );
    b.references[1].public_evidence = None;
    assert_not_met(
        &b,
        "1.2",
        &["references[1] (Initech): `public_evidence` is missing"],
    );
}

#[test]
fn a_public_reference_that_does_not_qualify_is_not_endorsed() {
    let mut b = full();
    b.references[0].stage = Some(Stage::ProofOfConcept);
    let a = evaluate(&b, checklist());
    assert!(!a.references[0].publicly_endorsed);
    assert_not_met(
        &b,
        "1.2",
        &["references[0] (Globex Retail): does not qualify"],
    );
}

fn evidence_url(b: &mut Bundle, i: usize, url: &str) {
    if let Some(ev) = b.references[i].public_evidence.as_mut() {
        ev.url = Some(crate::bundle::model::WebUrl(url.to_string()));
    }
}

#[test]
fn evidence_on_another_domain_is_not_endorsed() {
    let mut b = full();
    evidence_url(&mut b, 1, "https://globex-retail.example/news/acme");
    assert_not_met(
        &b,
        "1.2",
        &[
            "`public_evidence.url` is on globex-retail.example, not on the partner website acme-analytics.example",
        ],
    );
}

#[test]
fn evidence_on_a_subdomain_of_the_website_is_endorsed() {
    let mut b = full();
    evidence_url(&mut b, 1, "https://blog.acme-analytics.example/globex");
    assert_met(&b, "1.2");
    evidence_url(&mut b, 1, "https://BLOG.Acme-Analytics.example./globex");
    assert_met(&b, "1.2");
}

#[test]
fn evidence_on_a_look_alike_host_is_not_endorsed() {
    for url in [
        "https://evilacme-analytics.example/globex",
        "https://acme-analytics.example.evil.example/globex",
        "https://acme-analytics.example@evil.example/globex",
    ] {
        let mut b = full();
        evidence_url(&mut b, 1, url);
        assert_not_met(&b, "1.2", &["not on the partner website"]);
    }
}

#[test]
fn a_www_website_covers_the_bare_domain_and_its_subdomains() {
    let mut b = full();
    b.partner.website = crate::bundle::model::WebUrl("https://www.acme-analytics.example".into());
    // The first reference is on the bare host; the second moves to a subdomain.
    evidence_url(&mut b, 1, "https://blog.acme-analytics.example/globex");
    assert_met(&b, "1.2");
    evidence_url(&mut b, 1, "https://wwwacme-analytics.example/globex");
    assert_not_met(&b, "1.2", &["wwwacme-analytics.example"]);
}

// 2.1 -----------------------------------------------------------------------------------

#[test]
fn item_2_1_met_with_integration_and_predictive_text() {
    assert_met(&full(), "2.1");
}

#[test]
fn item_2_1_not_met_without_integration_or_predictive_text() {
    let mut b = full();
    b.solution.aws_ml_integration = None;
    assert_not_met(&b, "2.1", &["`solution.aws_ml_integration` is empty"]);
    let mut b = full();
    b.solution.predictive_functionality = text("\n\n");
    assert_not_met(&b, "2.1", &["`solution.predictive_functionality` is empty"]);
}

// 2.5 -----------------------------------------------------------------------------------

#[test]
fn item_2_5_met_with_overview_availability_and_services() {
    assert_met(&full(), "2.5");
}

#[test]
fn item_2_5_not_met_without_high_availability_or_services() {
    let mut b = full();
    b.architecture.high_availability = None;
    b.architecture.aws_services = vec!["  ".into()];
    assert_not_met(
        &b,
        "2.5",
        &[
            "`architecture.high_availability` is empty",
            "`architecture.aws_services` is empty",
        ],
    );
    let mut b = full();
    b.architecture.overview = None;
    assert_not_met(&b, "2.5", &["`architecture.overview` is empty"]);
}

// 3.1 -----------------------------------------------------------------------------------

#[test]
fn item_3_1_met_with_both_texts() {
    assert_met(&full(), "3.1");
}

#[test]
fn item_3_1_not_met_without_either_text() {
    let mut b = full();
    b.security.best_practices = None;
    b.security.risk_and_compliance = text(" ");
    assert_not_met(
        &b,
        "3.1",
        &[
            "`security.best_practices` is empty",
            "`security.risk_and_compliance` is empty",
        ],
    );
}

// 3.2 -----------------------------------------------------------------------------------

#[test]
fn item_3_2_saas_met_without_credentials_and_with_cross_account_roles() {
    assert_met(&full(), "3.2");
}

#[test]
fn item_3_2_saas_not_met_when_asking_for_credentials() {
    let mut b = full();
    b.security.asks_for_customer_credentials = Some(true);
    assert_not_met(
        &b,
        "3.2",
        &["`security.asks_for_customer_credentials` is true"],
    );
    b.security.asks_for_customer_credentials = None;
    assert_not_met(
        &b,
        "3.2",
        &["`security.asks_for_customer_credentials` is not given"],
    );
}

#[test]
fn item_3_2_saas_not_met_without_cross_account_roles() {
    let mut b = full();
    b.security.cross_account_roles = Some(false);
    assert_not_met(&b, "3.2", &["`security.cross_account_roles` is false"]);
    b.security.cross_account_roles = None;
    assert_not_met(&b, "3.2", &["`security.cross_account_roles` is not given"]);
}

#[test]
fn item_3_2_customer_deployed_met_with_access_management() {
    let mut b = full();
    b.security.deployment = Some(Deployment::CustomerDeployed);
    // The SaaS answers do not matter for a customer-deployed product.
    b.security.asks_for_customer_credentials = Some(true);
    b.security.access_management = vec![AccessManagement::IamRoles];
    assert_met(&b, "3.2");
}

#[test]
fn item_3_2_customer_deployed_not_met_without_access_management() {
    let mut b = full();
    b.security.deployment = Some(Deployment::CustomerDeployed);
    assert_not_met(&b, "3.2", &["`security.access_management` is empty"]);
}

#[test]
fn item_3_2_not_met_without_deployment() {
    let mut b = full();
    b.security.deployment = None;
    assert_not_met(&b, "3.2", &["`security.deployment` is not given"]);
}

// 3.3 -----------------------------------------------------------------------------------

#[test]
fn item_3_3_met_with_iam_and_cloudtrail() {
    assert_met(&full(), "3.3");
}

#[test]
fn item_3_3_not_met_without_cloudtrail_or_iam() {
    let mut b = full();
    b.security.governance.cloudtrail = None;
    let reasons = assert_not_met(&b, "3.3", &["`security.governance.cloudtrail` is empty"]);
    assert!(!reasons.contains("governance.iam"), "{reasons}");
    b.security.governance.iam = text("\t");
    assert_not_met(&b, "3.3", &["`security.governance.iam` is empty"]);
}

// 4.1 -----------------------------------------------------------------------------------

#[test]
fn item_4_1_met_in_production_with_a_production_reference() {
    let mut b = full();
    for r in b.references.iter_mut().skip(1) {
        r.stage = Some(Stage::Pilot);
    }
    assert_met(&b, "4.1");
}

#[test]
fn item_4_1_not_met_when_not_in_production() {
    let mut b = full();
    b.solution.in_production = Some(false);
    assert_not_met(&b, "4.1", &["`solution.in_production` is not true"]);
    b.solution.in_production = None;
    assert_not_met(&b, "4.1", &["`solution.in_production` is not true"]);
}

#[test]
fn item_4_1_not_met_without_a_production_reference() {
    let mut b = full();
    for r in &mut b.references {
        r.stage = Some(Stage::Pilot);
    }
    assert_not_met(&b, "4.1", &["no reference has `stage: production`"]);
}

// 4.2 / 4.3 -----------------------------------------------------------------------------

#[test]
fn item_4_2_met_with_lifecycle() {
    assert_met(&full(), "4.2");
}

#[test]
fn item_4_2_not_met_without_lifecycle() {
    let mut b = full();
    b.solution.lifecycle = None;
    assert_not_met(&b, "4.2", &["`solution.lifecycle` is empty"]);
}

#[test]
fn item_4_3_met_with_any_availability() {
    let mut b = full();
    for option in [
        Availability::QuickStart,
        Availability::Marketplace,
        Availability::Saas,
        Availability::SaasApi,
    ] {
        b.solution.availability = vec![option];
        assert_met(&b, "4.3");
    }
}

#[test]
fn item_4_3_not_met_without_availability() {
    let mut b = full();
    b.solution.availability.clear();
    assert_not_met(&b, "4.3", &["`solution.availability` is empty"]);
}

// C -------------------------------------------------------------------------------------

#[test]
fn c_platform_met_with_a_capability_and_both_data_sources() {
    assert_met(&full(), "C");
}

#[test]
fn c_platform_not_met_without_capability_or_unstructured_data() {
    let mut b = full();
    b.solution.capabilities.clear();
    assert_not_met(
        &b,
        "C",
        &["`solution.capabilities` lists none of the Platform Providers capabilities"],
    );
    let mut b = full();
    b.solution.data_sources = vec![DataSource::Structured];
    assert_not_met(&b, "C", &["`solution.data_sources` lacks unstructured"]);
}

#[test]
fn c_data_services_met_and_not_met() {
    let mut b = full();
    b.category = Category::DataServices;
    b.solution.data_sources.clear();
    b.solution.capabilities = vec![Capability::DataAnnotation];
    assert_met(&b, "C");
    // A capability of another category does not count (bundle::load refuses it anyway).
    b.solution.capabilities = vec![Capability::ModelTraining];
    assert_not_met(
        &b,
        "C",
        &["`solution.capabilities` lists none of the Data Services capabilities"],
    );
}

#[test]
fn c_saas_api_met_and_not_met() {
    let mut b = full();
    b.category = Category::SaasApi;
    b.solution.data_sources.clear();
    b.solution.capabilities = vec![Capability::ComputerVision];
    assert_met(&b, "C");
    b.solution.capabilities.clear();
    assert_not_met(
        &b,
        "C",
        &["`solution.capabilities` lists none of the SaaS/API Providers capabilities"],
    );
}

// The 12-month window --------------------------------------------------------------------

#[test]
fn window_start_is_twelve_calendar_months_back() {
    assert_eq!(window_start(date(2026, 11, 20), 12), date(2025, 11, 20));
    assert_eq!(window_start(date(2028, 2, 29), 12), date(2027, 2, 28));
    assert_eq!(window_start(date(2026, 3, 31), 1), date(2026, 2, 28));
}

/// Moves every reference to start on `start` (ending a day after) and judges P3.
fn with_starts(as_of: Date, start: Date) -> Assessment {
    let mut b = full();
    b.as_of = crate::bundle::model::Day(as_of);
    for r in &mut b.references {
        r.start = Some(crate::bundle::model::Day(start));
        r.end = Some(crate::bundle::model::Day(start.tomorrow().expect("a day")));
    }
    // The certification must still be valid on the later as_of dates.
    b.partner.certified_staff[0].expires = Some(day(2030, 1, 1));
    evaluate(&b, checklist())
}

#[test]
fn a_start_exactly_on_the_window_start_qualifies() {
    let a = with_starts(date(2026, 11, 20), date(2025, 11, 20));
    assert!(a.references.iter().all(|r| r.qualifying));
    assert_eq!(result(&a, "P3").computed, Status::Met);
}

#[test]
fn a_start_one_day_before_the_window_does_not_qualify() {
    let a = with_starts(date(2026, 11, 20), date(2025, 11, 19));
    assert!(a.references.iter().all(|r| !r.qualifying));
    let p3 = result(&a, "P3");
    assert_eq!(p3.computed, Status::NotMet);
    assert!(
        p3.findings[0]
            .reason
            .contains("`start` 2025-11-19 is before the 12-month window that opens 2025-11-20"),
        "{:?}",
        p3.findings
    );
}

#[test]
fn on_29_february_the_window_starts_on_28_february() {
    let a = with_starts(date(2028, 2, 29), date(2027, 2, 28));
    assert_eq!(a.window_start, date(2027, 2, 28));
    assert!(a.references.iter().all(|r| r.qualifying));
    let a = with_starts(date(2028, 2, 29), date(2027, 2, 27));
    assert!(a.references.iter().all(|r| !r.qualifying));
}

// Filled markdown ---------------------------------------------------------------------

#[test]
fn whitespace_only_markdown_is_not_filled() {
    assert!(!filled(&None));
    assert!(!filled(&text("")));
    assert!(!filled(&text(" \n\t\r\n ")));
    assert!(filled(&text("  x  ")));
    let mut b = full();
    b.solution.lifecycle = text("   \n\n  \t\n");
    assert_not_met(&b, "4.2", &["`solution.lifecycle` is empty"]);
    b.references[0].customer = text("   ");
    let a = evaluate(&b, checklist());
    assert_eq!(a.references[0].missing_fields, ["customer"]);
    assert_eq!(a.references[0].name, "references[0]");
}

// Reviews -----------------------------------------------------------------------------

fn review(item: &str, status: ReviewStatus) -> crate::bundle::model::Review {
    crate::bundle::model::Review {
        item: item.into(),
        status,
        note: "  Checked the design document.  ".into(),
        by: Some("J. Smith".into()),
    }
}

#[test]
fn a_review_overrides_the_status_and_keeps_computed_visible() {
    let mut b = full();
    b.solution.lifecycle = None;
    b.reviews.push(review("4.2", ReviewStatus::Met));
    let a = evaluate(&b, checklist());
    let r = result(&a, "4.2");
    assert_eq!(r.status, Status::Met);
    assert_eq!(r.computed, Status::NotMet);
    assert!(!r.findings.is_empty(), "the computed reasons stay");
    let rev = r.review.as_ref().expect("review kept");
    assert_eq!(rev.note, "Checked the design document.");
    assert_eq!(rev.by.as_deref(), Some("J. Smith"));
    assert_eq!((a.met(), a.not_met()), (16, 0));

    let json = a.to_json();
    let item = &json["items"][13];
    assert_eq!(item["id"], "4.2");
    assert_eq!(item["status"], "met");
    assert_eq!(item["computed"], "not-met");
    assert_eq!(item["review"]["status"], "met");
    assert_eq!(item["reasons"][0], "`solution.lifecycle` is empty");
}

#[test]
fn a_not_met_review_overrides_a_computed_met() {
    let mut b = full();
    b.reviews.push(review("3.1", ReviewStatus::NotMet));
    let a = evaluate(&b, checklist());
    let r = result(&a, "3.1");
    assert_eq!((r.status, r.computed), (Status::NotMet, Status::Met));
    assert_eq!((a.met(), a.not_met()), (15, 1));
    // Other items are untouched.
    assert!(result(&a, "3.2").review.is_none());

    // Every Not Met says why: here the reviewer's decision and note are the reason.
    let json = a.to_json();
    let item = &json["items"][9];
    assert_eq!(item["id"], "3.1");
    assert_eq!(
        item["reasons"],
        serde_json::json!([
            "reviewer J. Smith: Not Met — Checked the design document. (computed: Met)"
        ])
    );
    assert!(result(&a, "3.1").findings.is_empty());
}

#[test]
fn a_not_met_review_of_a_computed_not_met_comes_before_the_findings() {
    let mut b = full();
    b.solution.lifecycle = None;
    let mut r = review("4.2", ReviewStatus::NotMet);
    r.by = None;
    b.reviews.push(r);
    let reasons = result(&evaluate(&b, checklist()), "4.2").reasons();
    assert_eq!(
        reasons,
        [
            "reviewer: Not Met — Checked the design document. (computed: Not Met)",
            "`solution.lifecycle` is empty"
        ]
    );
}

#[test]
fn the_last_review_of_an_item_wins() {
    let mut b = full();
    b.reviews.push(review("P1", ReviewStatus::NotMet));
    b.reviews.push(review("P1", ReviewStatus::Met));
    let a = evaluate(&b, checklist());
    assert_eq!(result(&a, "P1").status, Status::Met);
}

#[test]
fn json_items_follow_checklist_order() {
    let json = evaluate(&full(), checklist()).to_json();
    let ids: Vec<&str> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "P1", "P2", "P3", "P4", "P5", "1.1", "1.2", "2.1", "2.5", "3.1", "3.2", "3.3", "4.1",
            "4.2", "4.3", "C"
        ]
    );
    assert_eq!(json["as_of"], "2026-11-20");
    assert_eq!(json["met"], 16);
}
