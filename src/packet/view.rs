//! Bundle + assessment → the one serialisable view the templates receive.
//!
//! Every decision the packet shows (statuses, labels, dates as text, anchors, which fields
//! are missing) is made here, so templates only lay text out. Strings are raw user text;
//! templates escape them with the filters that `packet` registers (`inline`, `cell` and
//! `block` from `packet::escape`, and `reason`).

use serde::Serialize;

use crate::advise::{Advisory, Severity};
use crate::assess::{Assessment, ItemResult, Status, filled};
use crate::bundle::Loaded;
use crate::bundle::model::{Markdown, Reference};
use crate::checklist::Section;
use crate::diff::Changes;
use crate::edition::{Edition, NumberedSection};
use crate::slug::github_slug;

/// Where the diagram goes, relative to `packet.md`.
pub const ASSET_DIR: &str = "assets";

#[derive(Debug, Serialize)]
pub struct PacketView {
    pub title: String,
    pub partner: PartnerView,
    pub solution: SolutionView,
    pub category: CategoryView,
    pub checklist: ChecklistView,
    pub as_of: String,
    pub window_start: String,
    pub result: ResultView,
    pub sections: Sections,
    pub prerequisites: Vec<ItemView>,
    pub items: Vec<ItemView>,
    pub references: Vec<ReferenceView>,
    pub security: SecurityView,
    pub architecture: ArchitectureView,
    pub gaps: Vec<GapView>,
    /// Advisories (weak evidence that changes no status), warnings first; listed beside the gaps.
    pub advisories: Vec<AdvisoryView>,
    /// Heading labels of the eight 1.1 fields, in checklist order, keyed by field.
    pub field_titles: FieldTitles,
    /// Changes since the last submission (`render --previous`); `None` leaves the section out.
    pub changes: Option<Changes>,
    /// Who the packet is for: "partner", "reviewer" or "public".
    pub edition: Edition,
    /// The requirements each evidence section answers, quoted at its top in the reviewer edition.
    pub answers: Answers,
}

/// A checklist requirement, quoted.
#[derive(Debug, Serialize)]
pub struct Quote {
    pub id: String,
    pub title: String,
    pub requirement: String,
}

/// The requirements whose evidence is in each section (by the checklist's `evidence`).
#[derive(Debug, Serialize, Default)]
pub struct Answers {
    pub prerequisites: Vec<Quote>,
    pub references: Vec<Quote>,
    pub solution: Vec<Quote>,
    pub security: Vec<Quote>,
    pub architecture: Vec<Quote>,
}

#[derive(Debug, Serialize)]
pub struct Heading {
    pub title: String,
    pub anchor: String,
}

impl Heading {
    fn new(title: impl Into<String>) -> Self {
        let title = title.into();
        let anchor = github_slug(&title);
        Heading { title, anchor }
    }
}

#[derive(Debug, Serialize)]
pub struct Sections {
    pub contents: Heading,
    pub prerequisites: Heading,
    pub references: Heading,
    pub solution: Heading,
    pub security: Heading,
    pub architecture: Heading,
    pub checklist: Heading,
    pub gaps: Heading,
    /// The reviewer edition's last page.
    pub signoff: Heading,
}

impl Sections {
    fn for_section(&self, s: Section) -> &Heading {
        match s {
            Section::Prerequisites => &self.prerequisites,
            Section::References => &self.references,
            Section::Solution => &self.solution,
            Section::Security => &self.security,
            Section::Architecture => &self.architecture,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PartnerView {
    pub name: String,
    pub website: String,
    pub apn_tier: String,
    pub support_plan: String,
    pub public_support_statement: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub certified_staff: Vec<CertView>,
}

#[derive(Debug, Serialize)]
pub struct CertView {
    pub name: String,
    pub certification: String,
    pub level: String,
    pub expires: String,
    /// "valid", "expired" or "does not count" (level below associate).
    pub standing: String,
}

#[derive(Debug, Serialize)]
pub struct SolutionView {
    pub name: String,
    pub summary: Option<String>,
    pub regions: Vec<String>,
    pub availability: Vec<String>,
    pub in_production: String,
    pub lifecycle: Option<String>,
    pub aws_ml_integration: Option<String>,
    pub predictive_functionality: Option<String>,
    pub capabilities: Vec<String>,
    pub data_sources: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CategoryView {
    pub key: String,
    pub title: String,
    pub characteristics: String,
}

#[derive(Debug, Serialize)]
pub struct ChecklistView {
    pub id: String,
    pub name: String,
    pub version: String,
    pub published: String,
}

#[derive(Debug, Serialize)]
pub struct ResultView {
    pub met: usize,
    pub not_met: usize,
    pub total: usize,
    /// "14 Met · 2 Not Met"
    pub summary: String,
    pub all_met: bool,
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub id: String,
    pub title: String,
    pub group: String,
    pub requirement: String,
    pub status: String,
    pub met: bool,
    pub computed: String,
    /// The reviewer changed the computed status.
    pub overridden: bool,
    pub reasons: Vec<String>,
    /// The reasons without their per-reference details, for the checklist table.
    pub headlines: Vec<String>,
    pub evidence: Vec<String>,
    pub review: Option<ReviewView>,
    /// One line for the checklist table's "Reviewer decision" column.
    pub review_summary: String,
    pub evidence_section: EvidenceLink,
}

#[derive(Debug, Serialize)]
pub struct ReviewView {
    pub status: String,
    pub note: String,
    pub by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EvidenceLink {
    pub title: String,
    pub anchor: String,
}

#[derive(Debug, Serialize)]
pub struct FieldTitles {
    pub customer: String,
    pub problem: String,
    pub proposal: String,
    pub aws_services: String,
    pub third_party: String,
    pub dates: String,
    pub outcomes: String,
    pub lessons: String,
}

#[derive(Debug, Serialize)]
pub struct ReferenceView {
    pub number: usize,
    pub heading: Heading,
    pub customer: Option<String>,
    pub problem: Option<String>,
    pub proposal: Option<String>,
    pub aws_services: Vec<ServiceView>,
    /// `None`: not stated; `Some([])`: none.
    pub third_party: Option<Vec<String>>,
    pub dates: Option<String>,
    pub stage: String,
    pub outcomes: Option<String>,
    pub lessons: Option<String>,
    pub public: bool,
    pub public_evidence: Option<PublicEvidenceView>,
    pub documents: Vec<String>,
    /// The public edition names no documents; this says how many there are instead (0
    /// in the other editions, which name them).
    pub documents_withheld: usize,
    pub qualifying: bool,
    pub not_qualifying: Vec<String>,
    pub publicly_endorsed: bool,
    pub not_endorsed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ServiceView {
    pub service: String,
    pub usage: String,
}

#[derive(Debug, Serialize)]
pub struct PublicEvidenceView {
    pub url: Option<String>,
    pub kind: String,
    pub covers: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct SecurityView {
    pub best_practices: Option<String>,
    pub risk_and_compliance: Option<String>,
    pub deployment: String,
    pub controls: Vec<String>,
    pub iam: Option<String>,
    pub cloudtrail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ArchitectureView {
    pub overview: Option<String>,
    /// Path of the diagram relative to the packet (`assets/architecture.png`).
    pub diagram: Option<String>,
    /// The diagram's alternative text: `architecture.diagram_alt`, or a description made
    /// from the solution name and the services listed.
    pub diagram_alt: String,
    pub aws_services: Vec<String>,
    pub high_availability: Option<String>,
    pub pillars: Vec<PillarView>,
}

#[derive(Debug, Serialize)]
pub struct PillarView {
    pub title: String,
    pub text: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct GapView {
    pub id: String,
    pub title: String,
    pub fixes: Vec<String>,
    pub evidence_section: EvidenceLink,
}

#[derive(Debug, Serialize)]
pub struct AdvisoryView {
    pub code: String,
    /// "warning" or "note".
    pub severity: String,
    /// "Warning" or "Note", to start a sentence.
    pub severity_title: String,
    /// Key path in `bundle.yaml`, such as `references[2].problem`.
    pub key: String,
    /// Line in `bundle.yaml`.
    pub line: Option<u64>,
    /// Our text; bundle values appear in `code` spans (use the `reason` filter).
    pub message: String,
    pub fix: Option<String>,
}

/// The advisories as the packet lists them: warnings first, each in the bundle's order.
fn advisory_views(advisories: &[Advisory]) -> Vec<AdvisoryView> {
    let mut advisories: Vec<&Advisory> = advisories.iter().collect();
    advisories.sort_by_key(|a| a.severity);
    advisories
        .into_iter()
        .map(|a| AdvisoryView {
            code: a.code.to_string(),
            severity: a.severity.label().to_string(),
            severity_title: match a.severity {
                Severity::Warning => "Warning".into(),
                Severity::Note => "Note".into(),
            },
            key: a.key.clone(),
            line: a.pos.as_ref().map(|p| p.line),
            message: a.message.clone(),
            // The terminal prints fixes as lower-case help lines; the packet wants sentences.
            fix: a.fix.as_ref().map(|f| {
                let mut chars = f.chars();
                let mut s: String = chars
                    .next()
                    .map(|c| c.to_uppercase().collect())
                    .unwrap_or_default();
                s.push_str(chars.as_str());
                if !s.ends_with(['.', '?', '!']) {
                    s.push('.');
                }
                s
            }),
        })
        .collect()
}

fn text(m: &Markdown) -> Option<String> {
    filled(m).then(|| m.as_deref().unwrap_or_default().trim().to_string())
}

fn kebab<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The diagram's alternative text as the bundle gives it, or one made from the solution
/// name and the services the architecture lists (the `diagram-alt-missing` advisory asks
/// for a real one).
pub fn diagram_alt(b: &crate::bundle::model::Bundle) -> String {
    if let Some(alt) = b
        .architecture
        .diagram_alt
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        return alt.to_string();
    }
    let services: Vec<&str> = b
        .architecture
        .aws_services
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let name = b.solution.name.trim();
    match services.as_slice() {
        [] => format!("Architecture diagram of {name}"),
        [one] => format!("Architecture diagram of {name}, built on {one}"),
        [rest @ .., last] => format!(
            "Architecture diagram of {name}, built on {} and {last}",
            rest.join(", ")
        ),
    }
}

/// The file name the diagram gets inside `assets/`.
pub fn diagram_asset_name(loaded: &Loaded) -> Option<String> {
    loaded.diagram.as_ref().map(|d| {
        let ext = match d.format {
            crate::bundle::ImageFormat::Png => "png",
            crate::bundle::ImageFormat::Jpeg => "jpg",
        };
        format!("{ASSET_DIR}/architecture.{ext}")
    })
}

/// Builds the view of one edition (mdBook's `make_data`) from the bundle, its assessment
/// and its advisories, and the changes since the last submission when there are any.
pub fn build(
    loaded: &Loaded,
    a: &Assessment,
    advisories: &[Advisory],
    edition: Edition,
    changes: Option<&Changes>,
) -> PacketView {
    let b = &loaded.bundle;
    let c = loaded.checklist;
    let category = c.categories.get(b.category.key());
    let architecture_title = b
        .architecture
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or("Reference architecture");
    let sections = Sections {
        contents: Heading::new("Contents"),
        prerequisites: Heading::new("Prerequisites"),
        references: Heading::new("Customer references"),
        solution: Heading::new("Solution details"),
        security: Heading::new("Security"),
        architecture: Heading::new(architecture_title),
        // Another title for the reviewer's table, whose columns differ (packet.css sizes
        // the columns of the one under "Completed checklist").
        checklist: Heading::new(if edition.for_review() {
            "Checklist for review"
        } else {
            "Completed checklist"
        }),
        gaps: Heading::new("Gaps"),
        signoff: Heading::new("Reviewer sign-off"),
    };
    let item_view =
        |r: &ItemResult| item_view(r, &sections, category.map(|c| c.characteristics.as_str()));
    let items: Vec<ItemView> = a.items.iter().map(item_view).collect();
    let prerequisites = a
        .items
        .iter()
        .filter(|r| r.item.id.starts_with('P'))
        .map(item_view)
        .collect();

    let references = b
        .references
        .iter()
        .zip(&a.references)
        .enumerate()
        .map(|(i, (r, judged))| reference_view(i + 1, r, judged, edition))
        .collect();

    let gaps = a
        .items
        .iter()
        .filter(|r| r.status == Status::NotMet)
        .map(|r| {
            let mut fixes: Vec<String> = r.findings.iter().map(|f| f.fix.clone()).collect();
            if fixes.is_empty()
                && let Some(review) = &r.review
            {
                fixes.push(format!(
                    "The reviewer marked this item Not Met: {}",
                    review.note
                ));
            }
            let s = sections.for_section(r.item.evidence);
            GapView {
                id: r.item.id.clone(),
                title: r.item.title.clone(),
                fixes,
                evidence_section: EvidenceLink {
                    title: s.title.clone(),
                    anchor: s.anchor.clone(),
                },
            }
        })
        .collect();

    let quotes = |section: &Heading| -> Vec<Quote> {
        items
            .iter()
            .filter(|i| i.evidence_section.anchor == section.anchor)
            .map(|i| Quote {
                id: i.id.clone(),
                title: i.title.clone(),
                requirement: i.requirement.clone(),
            })
            .collect()
    };
    let answers = Answers {
        prerequisites: quotes(&sections.prerequisites),
        references: quotes(&sections.references),
        solution: quotes(&sections.solution),
        security: quotes(&sections.security),
        architecture: quotes(&sections.architecture),
    };

    let certification_levels = &c.rules.certification_levels;
    let field = |k: &str| c.field_title(k).to_string();
    let mut view = PacketView {
        title: format!(
            "{} — AWS Machine Learning Competency application",
            b.solution.name.trim()
        ),
        partner: PartnerView {
            name: b.partner.name.trim().to_string(),
            website: b.partner.website.0.clone(),
            apn_tier: b
                .partner
                .apn_tier
                .map_or("not stated".into(), |t| t.aws_name().into()),
            support_plan: b
                .partner
                .support_plan
                .map_or("not stated".into(), |p| p.aws_name().into()),
            public_support_statement: b
                .partner
                .public_support_statement
                .as_ref()
                .map(|u| u.0.clone()),
            contact_name: b.partner.contact.as_ref().and_then(|c| c.name.clone()),
            contact_email: b.partner.contact.as_ref().and_then(|c| c.email.clone()),
            certified_staff: b
                .partner
                .certified_staff
                .iter()
                .map(|s| CertView {
                    name: s.name.clone(),
                    certification: s.certification.clone().unwrap_or_default(),
                    level: s.level.aws_name().into(),
                    expires: s
                        .expires
                        .map_or("no expiry given".into(), |e| e.to_string()),
                    standing: if !certification_levels.contains(&s.level) {
                        "does not count (level)".into()
                    } else if s.expires.is_some_and(|e| e.0 >= a.as_of) {
                        "valid".into()
                    } else {
                        "expired or undated".into()
                    },
                })
                .collect(),
        },
        solution: SolutionView {
            name: b.solution.name.trim().to_string(),
            summary: text(&b.solution.summary),
            regions: {
                let mut seen = Vec::new();
                for r in &b.solution.regions {
                    if !seen.contains(&r.0) {
                        seen.push(r.0.clone());
                    }
                }
                seen
            },
            availability: b
                .solution
                .availability
                .iter()
                .map(|x| x.title().to_string())
                .collect(),
            in_production: match b.solution.in_production {
                Some(true) => "Yes".into(),
                Some(false) => "No".into(),
                None => "Not stated".into(),
            },
            lifecycle: text(&b.solution.lifecycle),
            aws_ml_integration: text(&b.solution.aws_ml_integration),
            predictive_functionality: text(&b.solution.predictive_functionality),
            capabilities: b
                .solution
                .capabilities
                .iter()
                .map(|x| x.key().to_string())
                .collect(),
            data_sources: b.solution.data_sources.iter().map(kebab).collect(),
        },
        category: CategoryView {
            key: b.category.key().to_string(),
            title: category.map_or_else(|| b.category.title().to_string(), |c| c.title.clone()),
            characteristics: category
                .map(|c| c.characteristics.clone())
                .unwrap_or_default(),
        },
        checklist: ChecklistView {
            id: c.id.clone(),
            name: c.name.clone(),
            version: c.version.clone(),
            published: c.published.clone(),
        },
        as_of: a.as_of.to_string(),
        window_start: a.window_start.to_string(),
        result: ResultView {
            met: a.met(),
            not_met: a.not_met(),
            total: a.items.len(),
            summary: format!("{} Met · {} Not Met", a.met(), a.not_met()),
            all_met: a.not_met() == 0,
        },
        prerequisites,
        items,
        references,
        security: SecurityView {
            best_practices: text(&b.security.best_practices),
            risk_and_compliance: text(&b.security.risk_and_compliance),
            deployment: match b.security.deployment {
                Some(crate::bundle::model::Deployment::Saas) => {
                    "SaaS, operated by the partner".into()
                }
                Some(crate::bundle::model::Deployment::CustomerDeployed) => {
                    "Deployed by the customer".into()
                }
                None => "Not stated".into(),
            },
            controls: security_controls(b),
            iam: text(&b.security.governance.iam),
            cloudtrail: text(&b.security.governance.cloudtrail),
        },
        architecture: ArchitectureView {
            overview: text(&b.architecture.overview),
            diagram: diagram_asset_name(loaded),
            diagram_alt: diagram_alt(b),
            aws_services: b
                .architecture
                .aws_services
                .iter()
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .collect(),
            high_availability: text(&b.architecture.high_availability),
            pillars: b
                .architecture
                .pillars
                .entries()
                .iter()
                .map(|(_, title, t)| PillarView {
                    title: title.to_string(),
                    text: text(t),
                })
                .collect(),
        },
        gaps,
        advisories: advisory_views(advisories),
        field_titles: FieldTitles {
            customer: field("customer"),
            problem: field("problem"),
            proposal: field("proposal"),
            aws_services: field("aws_services"),
            third_party: field("third_party"),
            dates: field("dates"),
            outcomes: field("outcomes"),
            lessons: field("lessons"),
        },
        sections,
        changes: changes.filter(|_| edition.shows_changes()).cloned(),
        edition,
        answers,
    };
    if edition.anonymises() {
        redact(&mut view, loaded);
    }
    view
}

/// The public edition leaves out reviewer decisions, the contact, the gaps and advisories,
/// and names non-public customers in our own text (reasons, evidence) by their public name.
fn redact(view: &mut PacketView, loaded: &Loaded) {
    let renames: Vec<(String, String)> = loaded
        .bundle
        .references
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.public)
        .filter_map(|(i, r)| {
            text(&r.customer).map(|c| (c, crate::edition::anonymous_name(i + 1, r)))
        })
        .collect();
    let rename = |s: &mut String| {
        for (from, to) in &renames {
            if s.contains(from.as_str()) {
                *s = s.replace(from.as_str(), to);
            }
        }
    };
    for item in view.items.iter_mut().chain(view.prerequisites.iter_mut()) {
        item.reasons.iter_mut().for_each(rename);
        item.headlines.iter_mut().for_each(rename);
        item.evidence.iter_mut().for_each(rename);
        item.review = None;
        item.review_summary = "—".into();
        item.overridden = false;
    }
    for r in &mut view.references {
        r.not_qualifying.iter_mut().for_each(rename);
        r.not_endorsed.iter_mut().for_each(rename);
    }
    view.partner.contact_name = None;
    view.partner.contact_email = None;
    view.gaps.clear();
    view.advisories.clear();
}

impl PacketView {
    /// The sections whose paragraphs the reviewer edition numbers, with their default label.
    pub fn numbered_sections(&self) -> Vec<NumberedSection> {
        let s = &self.sections;
        [
            (&s.prerequisites, "P"),
            (&s.references, "1.1"),
            (&s.solution, "2.1"),
            (&s.security, "3.1"),
            (&s.architecture, "2.5"),
        ]
        .into_iter()
        .map(|(h, label)| NumberedSection {
            title: h.title.clone(),
            label: label.into(),
        })
        .collect()
    }

    /// Every checklist item id, for paragraph labels.
    pub fn item_ids(&self) -> Vec<String> {
        self.items.iter().map(|i| i.id.clone()).collect()
    }

    /// Headings that start a new printed page: every customer reference, and in the
    /// reviewer edition the sign-off.
    pub fn page_breaks(&self) -> Vec<String> {
        let mut breaks: Vec<String> = self
            .references
            .iter()
            .map(|r| r.heading.anchor.clone())
            .collect();
        // Reviewers take the checklist out of the printout: it starts a page of its own.
        breaks.push(self.sections.checklist.anchor.clone());
        if self.edition.for_review() {
            breaks.push(self.sections.signoff.anchor.clone());
        }
        breaks
    }
}

fn security_controls(b: &crate::bundle::Bundle) -> Vec<String> {
    use crate::bundle::model::Deployment;
    let yes_no = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not stated",
    };
    match b.security.deployment {
        Some(Deployment::Saas) => vec![
            format!(
                "Asks customers for their AWS credentials: {}",
                yes_no(b.security.asks_for_customer_credentials)
            ),
            format!(
                "All access through cross-account roles: {}",
                yes_no(b.security.cross_account_roles)
            ),
        ],
        Some(Deployment::CustomerDeployed) => {
            if b.security.access_management.is_empty() {
                vec!["Access management features: none stated".into()]
            } else {
                let t: Vec<&str> = b
                    .security
                    .access_management
                    .iter()
                    .map(|x| x.title())
                    .collect();
                vec![format!("Access management features: {}", t.join(", "))]
            }
        }
        None => Vec::new(),
    }
}

fn item_view(r: &ItemResult, sections: &Sections, characteristics: Option<&str>) -> ItemView {
    let requirement = if r.item.id == "C" {
        characteristics.unwrap_or(&r.item.requirement).to_string()
    } else {
        r.item.requirement.clone()
    };
    let review = r.review.as_ref().map(|rv| ReviewView {
        status: rv.status.label().to_string(),
        note: rv.note.clone(),
        by: rv.by.clone(),
    });
    let review_summary = match &r.review {
        None => "—".to_string(),
        Some(rv) => {
            let by = rv
                .by
                .as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
            format!("{}{by}: {}", rv.status.label(), rv.note)
        }
    };
    let s = sections.for_section(r.item.evidence);
    ItemView {
        id: r.item.id.clone(),
        title: r.item.title.clone(),
        group: r.item.group.clone(),
        requirement,
        status: r.status.label().to_string(),
        met: r.status == Status::Met,
        computed: r.computed.label().to_string(),
        overridden: r.status != r.computed,
        reasons: r.findings.iter().map(|f| f.reason.clone()).collect(),
        headlines: r.findings.iter().map(|f| f.headline.clone()).collect(),
        evidence: r.evidence.clone(),
        review,
        review_summary,
        evidence_section: EvidenceLink {
            title: s.title.clone(),
            anchor: s.anchor.clone(),
        },
    }
}

fn reference_view(
    number: usize,
    r: &Reference,
    judged: &crate::assess::ReferenceResult,
    edition: Edition,
) -> ReferenceView {
    let public_edition = edition.anonymises();
    // The heading (and so its anchor, the outline and every link) uses the shown name.
    let customer = if public_edition && !r.public {
        Some(crate::edition::anonymous_name(number, r))
    } else {
        text(&r.customer)
    };
    let heading = match &customer {
        Some(c) => Heading::new(format!("Reference {number}: {c}")),
        None => Heading::new(format!("Reference {number} (customer not named)")),
    };
    let dates = match (r.start, r.end) {
        (Some(s), Some(e)) => Some(format!("{s} to {e}")),
        (Some(s), None) => Some(format!("{s} to (no end date)")),
        (None, Some(e)) => Some(format!("(no start date) to {e}")),
        (None, None) => None,
    };
    ReferenceView {
        number,
        heading,
        customer,
        problem: text(&r.problem),
        proposal: text(&r.proposal),
        aws_services: r
            .aws_services
            .iter()
            .map(|s| ServiceView {
                service: s.service.trim().to_string(),
                usage: s.usage.as_deref().map(str::trim).unwrap_or("").to_string(),
            })
            .collect(),
        third_party: r.third_party.clone(),
        dates,
        stage: r
            .stage
            .map_or("not stated".into(), |s| s.title().to_string()),
        outcomes: text(&r.outcomes),
        lessons: text(&r.lessons),
        public: r.public,
        public_evidence: r.public_evidence.as_ref().map(|e| PublicEvidenceView {
            url: e.url.as_ref().map(|u| u.0.clone()),
            kind: e
                .kind
                .map_or("not stated".into(), |k| k.title().to_string()),
            covers: e.covers.iter().map(|c| c.key().to_string()).collect(),
        }),
        documents: if public_edition {
            Vec::new()
        } else {
            r.documents.iter().map(|d| d.0.clone()).collect()
        },
        documents_withheld: if public_edition { r.documents.len() } else { 0 },
        qualifying: judged.qualifying,
        not_qualifying: judged.not_qualifying.clone(),
        publicly_endorsed: judged.publicly_endorsed,
        not_endorsed: judged.not_endorsed.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::model::{ApnTier, CertLevel, SupportPlan};

    fn northwind() -> (Loaded, Assessment) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/northwind-vision");
        let loaded = crate::bundle::load(&dir).expect("the sample loads");
        let a = crate::assess::evaluate(&loaded.bundle, loaded.checklist);
        (loaded, a)
    }

    #[test]
    fn the_view_lists_the_advisories_it_is_given_warnings_first() {
        let (loaded, a) = northwind();
        let advisories = crate::advise::review(&loaded);
        assert!(
            advisories.iter().any(|x| x.severity == Severity::Note)
                && advisories.iter().any(|x| x.severity == Severity::Warning),
            "the sample has warnings and notes"
        );
        let view = build(&loaded, &a, &advisories, Edition::Partner, None);
        assert_eq!(view.advisories.len(), advisories.len());
        let first_note = view.advisories.iter().position(|v| v.severity == "note");
        assert!(
            first_note.is_some_and(|n| view.advisories[n..].iter().all(|v| v.severity == "note"))
        );
        // Found once, beside the assessment: the view does not look for more.
        let none = build(&loaded, &a, &[], Edition::Partner, None);
        assert!(none.advisories.is_empty());
    }

    #[test]
    fn tiers_plans_and_levels_read_as_aws_names_them() {
        let (mut loaded, _) = northwind();
        let p = &mut loaded.bundle.partner;
        p.apn_tier = Some(ApnTier::Advanced);
        p.support_plan = Some(SupportPlan::EnterpriseOnRamp);
        p.certified_staff.truncate(1);
        p.certified_staff[0].level = CertLevel::Professional;
        let a = crate::assess::evaluate(&loaded.bundle, loaded.checklist);
        let view = build(&loaded, &a, &[], Edition::Partner, None);
        assert_eq!(view.partner.apn_tier, "Advanced");
        assert_eq!(view.partner.support_plan, "Enterprise On-Ramp");
        assert_eq!(view.partner.certified_staff[0].level, "Professional");
        // The judgement's own evidence line names the tier the same way.
        let p1 = view
            .prerequisites
            .iter()
            .find(|i| i.id == "P1")
            .expect("P1");
        assert!(
            p1.evidence.iter().any(|e| e == "APN tier: Advanced"),
            "{:?}",
            p1.evidence
        );
        loaded.bundle.partner.support_plan = None;
        let view = build(&loaded, &a, &[], Edition::Partner, None);
        assert_eq!(view.partner.support_plan, "not stated");
    }

    #[test]
    fn the_public_edition_drops_changes_and_advisories() {
        let (loaded, a) = northwind();
        let advisories = crate::advise::review(&loaded);
        let changes = crate::diff::compare(&loaded.bundle, &a, &loaded.bundle, &a);
        let partner = build(&loaded, &a, &advisories, Edition::Partner, Some(&changes));
        assert!(partner.changes.is_some());
        let public = build(&loaded, &a, &advisories, Edition::Public, Some(&changes));
        assert!(public.changes.is_none());
        assert!(public.advisories.is_empty());
        assert!(public.gaps.is_empty());
    }
}
