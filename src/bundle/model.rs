//! The typed bundle, format 1: one Rust type per section of `bundle.yaml`.
//!
//! These types are the single source of the JSON Schema (`dossier schema`), of the
//! structural validation in `bundle::load`, and of what the assessment reads. Only the keys
//! the contract marks *required* are required here; every other gap is a Not Met finding,
//! not a parse error, so optional values are `Option`s and lists default to empty.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Day(pub jiff::civil::Date);

impl JsonSchema for Day {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar date, YYYY-MM-DD.",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
        })
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebUrl(pub String);

impl JsonSchema for WebUrl {
    fn schema_name() -> Cow<'static, str> {
        "WebUrl".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "web-url",
            "description": "An absolute http or https URL.",
            "pattern": "^[hH][tT][tT][pP][sS]?://"
        })
    }
}

impl WebUrl {
    /// The lower-cased host name, if the URL parses and has one.
    pub fn host(&self) -> Option<String> {
        url::Url::parse(&self.0)
            .ok()?
            .host_str()
            .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
    }
}

/// An AWS region code such as `eu-west-1`; checked against the list shipped with the tool.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionCode(pub String);

impl JsonSchema for RegionCode {
    fn schema_name() -> Cow<'static, str> {
        "RegionCode".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "aws-region",
            "description": "An AWS region code, for example us-east-1.",
            "examples": ["us-east-1", "eu-west-1", "ap-southeast-2"]
        })
    }
}

/// A path to a file inside the bundle folder, relative to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BundlePath(pub String);

impl JsonSchema for BundlePath {
    fn schema_name() -> Cow<'static, str> {
        "BundlePath".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "bundle-path",
            "minLength": 1,
            "description": "A file inside the bundle folder, relative to it; no '..' and no absolute paths."
        })
    }
}

/// Markdown text (CommonMark with GFM tables, strikethrough and task lists).
pub type Markdown = Option<String>;

/// The whole `bundle.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "dossier evidence bundle, format 1")]
pub struct Bundle {
    /// Bundle format version; this dossier reads format 1.
    #[schemars(range(min = 1, max = 1))]
    pub format: u32,
    /// Id of the checklist definition the bundle is judged against.
    pub checklist: String,
    /// The date the application is judged on.
    pub as_of: Day,
    /// The competency category applied for.
    pub category: Category,
    /// BCP 47 tag of the language the packet is written in, for hyphenating the PDF
    /// ("en-US" when absent; e.g. "en-GB", "de").
    pub language: Option<String>,
    /// The APN partner applying.
    pub partner: Partner,
    /// The machine-learning product or solution.
    pub solution: Solution,
    /// The reference architecture (item 2.5 and prerequisite P4).
    #[serde(default)]
    pub architecture: Architecture,
    /// Security and governance (items 3.1–3.3).
    #[serde(default)]
    pub security: Security,
    /// The customer references, in packet order (items 1.1, 1.2 and prerequisite P3).
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Reviewer decisions that override computed statuses.
    #[serde(default)]
    pub reviews: Vec<Review>,
}

/// Competency category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    DataServices,
    Platform,
    SaasApi,
}

impl Category {
    /// The value as written in `bundle.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            Category::DataServices => "data-services",
            Category::Platform => "platform",
            Category::SaasApi => "saas-api",
        }
    }

    /// The name the checklist gives the category.
    pub fn title(self) -> &'static str {
        match self {
            Category::DataServices => "Data Services",
            Category::Platform => "Platform Providers",
            Category::SaasApi => "SaaS/API Providers",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// Legal name of the partner.
    pub name: String,
    /// The partner's website; public references must live on this host or a subdomain.
    pub website: WebUrl,
    /// APN tier (prerequisite P1).
    pub apn_tier: Option<ApnTier>,
    /// AWS Support plan (prerequisite P2).
    pub support_plan: Option<SupportPlan>,
    /// Landing page of the AWS public support statement (prerequisite P4).
    pub public_support_statement: Option<WebUrl>,
    /// Who answers questions about the application.
    pub contact: Option<Contact>,
    /// Staff holding AWS certifications (prerequisite P5).
    #[serde(default)]
    pub certified_staff: Vec<CertifiedStaff>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ApnTier {
    Registered,
    Select,
    Advanced,
    Premier,
}

// The bundle spells values as kebab-case keys; the packet shows the names AWS uses for the
// tiers, plans and certification levels, as a reviewer knows them.

impl ApnTier {
    /// The tier's name as AWS writes it.
    pub fn aws_name(self) -> &'static str {
        match self {
            ApnTier::Registered => "Registered",
            ApnTier::Select => "Select",
            ApnTier::Advanced => "Advanced",
            ApnTier::Premier => "Premier",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SupportPlan {
    Basic,
    Developer,
    Business,
    EnterpriseOnRamp,
    Enterprise,
}

impl SupportPlan {
    /// The plan's name as AWS writes it.
    pub fn aws_name(self) -> &'static str {
        match self {
            SupportPlan::Basic => "Basic",
            SupportPlan::Developer => "Developer",
            SupportPlan::Business => "Business",
            SupportPlan::EnterpriseOnRamp => "Enterprise On-Ramp",
            SupportPlan::Enterprise => "Enterprise",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertifiedStaff {
    pub name: String,
    /// The certification's full name.
    pub certification: Option<String>,
    pub level: CertLevel,
    pub expires: Option<Day>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CertLevel {
    Foundational,
    Associate,
    Professional,
    Specialty,
}

impl CertLevel {
    /// The certification level's name as AWS writes it.
    pub fn aws_name(self) -> &'static str {
        match self {
            CertLevel::Foundational => "Foundational",
            CertLevel::Associate => "Associate",
            CertLevel::Professional => "Professional",
            CertLevel::Specialty => "Specialty",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// Product or solution name.
    pub name: String,
    /// Markdown: what the solution is.
    pub summary: Markdown,
    /// AWS regions the solution is available in (prerequisite P4 needs three).
    #[serde(default)]
    pub regions: Vec<RegionCode>,
    /// How customers get it (item 4.3).
    #[serde(default)]
    pub availability: Vec<Availability>,
    /// The solution operates in commercial production on AWS (item 4.1).
    pub in_production: Option<bool>,
    /// Markdown: how it develops, distributes or enhances the ML lifecycle (item 4.2).
    pub lifecycle: Markdown,
    /// Markdown: how it integrates with or uses AWS ML services (item 2.1).
    pub aws_ml_integration: Markdown,
    /// Markdown: predictive or process-control functionality (item 2.1).
    pub predictive_functionality: Markdown,
    /// Category-specific capabilities (item C); allowed values depend on `category`.
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// Data sources supported; the platform category needs both.
    #[serde(default)]
    pub data_sources: Vec<DataSource>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Availability {
    QuickStart,
    Marketplace,
    Saas,
    SaasApi,
}

impl Availability {
    /// Human wording for the packet.
    pub fn title(self) -> &'static str {
        match self {
            Availability::QuickStart => "AWS Quick Start",
            Availability::Marketplace => "AWS Marketplace",
            Availability::Saas => "Managed offering (SaaS) on AWS",
            Availability::SaasApi => "Managed offering with RESTful APIs",
        }
    }
}

/// Every capability of every category; `bundle::load` checks it fits the bundle's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    DataAnnotation,
    DataTransformation,
    DataAugmentation,
    DataGeneration,
    DataNormalization,
    DataManagement,
    ModelTraining,
    ModelEvaluation,
    ModelDeployment,
    ExperimentManagement,
    OfflinePrediction,
    OnlinePrediction,
    PredictionMonitoring,
    ComputerVision,
    Nlp,
    Recommendation,
    AnomalyDetection,
    EventPrediction,
}

impl Capability {
    /// The value as written in `bundle.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            Capability::DataAnnotation => "data-annotation",
            Capability::DataTransformation => "data-transformation",
            Capability::DataAugmentation => "data-augmentation",
            Capability::DataGeneration => "data-generation",
            Capability::DataNormalization => "data-normalization",
            Capability::DataManagement => "data-management",
            Capability::ModelTraining => "model-training",
            Capability::ModelEvaluation => "model-evaluation",
            Capability::ModelDeployment => "model-deployment",
            Capability::ExperimentManagement => "experiment-management",
            Capability::OfflinePrediction => "offline-prediction",
            Capability::OnlinePrediction => "online-prediction",
            Capability::PredictionMonitoring => "prediction-monitoring",
            Capability::ComputerVision => "computer-vision",
            Capability::Nlp => "nlp",
            Capability::Recommendation => "recommendation",
            Capability::AnomalyDetection => "anomaly-detection",
            Capability::EventPrediction => "event-prediction",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DataSource {
    Structured,
    Unstructured,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Architecture {
    /// Section title in the packet.
    pub title: Option<String>,
    /// Markdown: the architectural overview (item 2.5).
    pub overview: Markdown,
    /// PNG or JPEG inside the bundle folder.
    pub diagram: Option<BundlePath>,
    /// What the diagram shows, in a sentence or two, for readers who cannot see it: the
    /// image's alternative text in all three renderings. Without it the packet says
    /// "Architecture diagram of <solution>" and names the services listed.
    pub diagram_alt: Option<String>,
    /// AWS services the architecture uses.
    #[serde(default)]
    pub aws_services: Vec<String>,
    /// Markdown: patterns for highly available, reliable infrastructure (item 2.5).
    pub high_availability: Markdown,
    /// The five Well-Architected pillars; all are needed for prerequisite P4.
    #[serde(default)]
    pub pillars: Pillars,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pillars {
    pub operational_excellence: Markdown,
    pub security: Markdown,
    pub reliability: Markdown,
    pub performance_efficiency: Markdown,
    pub cost_optimization: Markdown,
}

impl Pillars {
    /// The pillars in Well-Architected order, with their keys and titles.
    pub fn entries(&self) -> [(&'static str, &'static str, &Markdown); 5] {
        [
            (
                "operational_excellence",
                "Operational excellence",
                &self.operational_excellence,
            ),
            ("security", "Security", &self.security),
            ("reliability", "Reliability", &self.reliability),
            (
                "performance_efficiency",
                "Performance efficiency",
                &self.performance_efficiency,
            ),
            (
                "cost_optimization",
                "Cost optimization",
                &self.cost_optimization,
            ),
        ]
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// Markdown: alignment with AWS Security Best Practices (item 3.1).
    pub best_practices: Markdown,
    /// Markdown: alignment with AWS Risk and Compliance (item 3.1).
    pub risk_and_compliance: Markdown,
    /// How the product is deployed (item 3.2).
    pub deployment: Option<Deployment>,
    /// SaaS: whether the solution asks customers for their AWS credentials (must be false).
    pub asks_for_customer_credentials: Option<bool>,
    /// SaaS: whether all access is through cross-account roles (must be true).
    pub cross_account_roles: Option<bool>,
    /// Customer-deployed: access-management features offered.
    #[serde(default)]
    pub access_management: Vec<AccessManagement>,
    /// Governance (item 3.3).
    #[serde(default)]
    pub governance: Governance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Deployment {
    Saas,
    CustomerDeployed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccessManagement {
    IdentityFederation,
    IamUsers,
    IamRoles,
}

impl AccessManagement {
    /// Human wording for the packet.
    pub fn title(self) -> &'static str {
        match self {
            AccessManagement::IdentityFederation => "identity federation",
            AccessManagement::IamUsers => "IAM users",
            AccessManagement::IamRoles => "IAM roles",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    /// Markdown: use of AWS Identity and Access Management.
    pub iam: Markdown,
    /// Markdown: use of AWS CloudTrail.
    pub cloudtrail: Markdown,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// 1.1 Name of the customer.
    pub customer: Option<String>,
    /// Whether the customer endorses the reference publicly.
    #[serde(default)]
    pub public: bool,
    /// How the public edition names a non-public customer, such as
    /// "Customer C (a healthcare provider)"; "Customer C" (by position) when absent.
    pub anonymous_name: Option<String>,
    /// Where the public evidence lives; needed when `public: true`.
    pub public_evidence: Option<PublicEvidence>,
    /// Markdown: 1.1 problem statement/definition.
    pub problem: Markdown,
    /// Markdown: 1.1 what you proposed.
    pub proposal: Markdown,
    /// 1.1 how AWS services were used.
    #[serde(default)]
    pub aws_services: Vec<ServiceUse>,
    /// 1.1 third-party applications or solutions; `[]` states "none".
    pub third_party: Option<Vec<String>>,
    /// 1.1 project start date.
    pub start: Option<Day>,
    /// 1.1 project end date.
    pub end: Option<Day>,
    /// Project stage; only production counts.
    pub stage: Option<Stage>,
    /// Markdown: 1.1 outcome(s)/results.
    pub outcomes: Markdown,
    /// Markdown: 1.1 lessons learned.
    pub lessons: Markdown,
    /// Supporting documentation, files inside the bundle folder.
    #[serde(default)]
    pub documents: Vec<BundlePath>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicEvidence {
    pub url: Option<WebUrl>,
    pub kind: Option<EvidenceKind>,
    /// Which of the six points the public evidence covers.
    #[serde(default)]
    pub covers: Vec<Cover>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    CaseStudy,
    WhitePaper,
    BlogPost,
    Other,
}

impl EvidenceKind {
    /// Human wording for the packet.
    pub fn title(self) -> &'static str {
        match self {
            EvidenceKind::CaseStudy => "case study",
            EvidenceKind::WhitePaper => "white paper",
            EvidenceKind::BlogPost => "blog post",
            EvidenceKind::Other => "other public evidence",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Cover {
    CustomerName,
    PartnerName,
    Aws,
    Problem,
    AwsUsage,
    Outcomes,
}

impl Cover {
    /// All six points public evidence must cover, in checklist order.
    pub const ALL: [Cover; 6] = [
        Cover::CustomerName,
        Cover::PartnerName,
        Cover::Aws,
        Cover::Problem,
        Cover::AwsUsage,
        Cover::Outcomes,
    ];

    /// The value as written in `bundle.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            Cover::CustomerName => "customer-name",
            Cover::PartnerName => "partner-name",
            Cover::Aws => "aws",
            Cover::Problem => "problem",
            Cover::AwsUsage => "aws-usage",
            Cover::Outcomes => "outcomes",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceUse {
    /// The AWS service's official name.
    pub service: String,
    /// How the service was used in the project.
    pub usage: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    Production,
    Pilot,
    ProofOfConcept,
}

impl Stage {
    /// Human wording for the packet.
    pub fn title(self) -> &'static str {
        match self {
            Stage::Production => "production",
            Stage::Pilot => "pilot",
            Stage::ProofOfConcept => "proof of concept",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The checklist item id, quoted: "3.1".
    pub item: String,
    /// The reviewer's decision.
    pub status: ReviewStatus,
    /// Why; required with every review.
    #[schemars(length(min = 1))]
    pub note: String,
    /// Who decided.
    pub by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewStatus {
    Met,
    NotMet,
}
