//! Bundle + checklist definition → assessment: every item Met or Not Met, with reasons that
//! name the bundle keys to fill in, reviewer decisions applied on top of the computed status.
//!
//! Pure: no I/O, no clock. `as_of` is the only date that matters.

use std::collections::BTreeSet;

use jiff::ToSpan;
use serde::Serialize;

use crate::bundle::Bundle;
use crate::bundle::model::{Cover, Deployment, Markdown, Reference, ReviewStatus, Stage};
use crate::checklist::{Checklist, Item, Rule};
use crate::plural;

/// Met or Not Met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Met,
    NotMet,
}

impl Status {
    /// "Met" / "Not Met", as the checklist writes them.
    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::NotMet => "Not Met",
        }
    }

    fn from_bool(ok: bool) -> Self {
        if ok { Status::Met } else { Status::NotMet }
    }
}

impl From<ReviewStatus> for Status {
    fn from(s: ReviewStatus) -> Self {
        match s {
            ReviewStatus::Met => Status::Met,
            ReviewStatus::NotMet => Status::NotMet,
        }
    }
}

/// A reviewer's decision as the assessment reports it.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewDecision {
    pub status: Status,
    pub note: String,
    pub by: Option<String>,
}

impl ReviewDecision {
    /// The decision as one reason line: `reviewer J. Smith: Not Met — note (computed: Met)`.
    pub fn reason(&self, computed: Status) -> String {
        format!(
            "reviewer{}: {} — {} (computed: {})",
            self.by
                .as_deref()
                .map(|b| format!(" {b}"))
                .unwrap_or_default(),
            self.status.label(),
            self.note,
            computed.label()
        )
    }
}

/// One problem behind a Not Met: what is wrong, and what to add or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The whole reason, with the per-reference or per-person details.
    pub reason: String,
    /// The reason without its details, short enough for a table cell.
    pub headline: String,
    pub fix: String,
}

impl Finding {
    fn new(reason: impl Into<String>, fix: impl Into<String>) -> Self {
        let reason = reason.into();
        Finding {
            headline: reason.clone(),
            reason,
            fix: fix.into(),
        }
    }

    /// Appends details ("references[3] (Hooli): …") to the reason, not to the headline.
    fn with_details(mut self, details: Vec<String>) -> Self {
        for d in details {
            self.reason.push_str("; ");
            self.reason.push_str(&d);
        }
        self
    }
}

/// The judgement of one checklist item.
#[derive(Debug, Clone)]
pub struct ItemResult {
    pub item: Item,
    /// Final status: the reviewer's when there is a review, else the computed one.
    pub status: Status,
    pub computed: Status,
    pub findings: Vec<Finding>,
    /// What was found in favour of the item, for the packet ("apn_tier is advanced").
    pub evidence: Vec<String>,
    pub review: Option<ReviewDecision>,
}

impl ItemResult {
    /// Why the item has its final status: the computed findings, after the reviewer's
    /// decision when a review makes or keeps it Not Met, so that every Not Met says why.
    pub fn reasons(&self) -> Vec<String> {
        let review = self
            .review
            .as_ref()
            .filter(|r| r.status == Status::NotMet)
            .map(|r| r.reason(self.computed));
        review
            .into_iter()
            .chain(self.findings.iter().map(|f| f.reason.clone()))
            .collect()
    }
}

/// How one customer reference fares against the rules.
#[derive(Debug, Clone)]
pub struct ReferenceResult {
    /// Display name: the customer, or `references[i]` when it is missing.
    pub name: String,
    pub qualifying: bool,
    pub publicly_endorsed: bool,
    /// Why it does not qualify (empty when it does).
    pub not_qualifying: Vec<String>,
    /// Why it is not publicly endorsed, when it is public and qualifying (or public at all).
    pub not_endorsed: Vec<String>,
    /// The 1.1 fields that are missing (by key).
    pub missing_fields: Vec<&'static str>,
}

/// The whole assessment.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub checklist_id: String,
    pub as_of: jiff::civil::Date,
    pub window_start: jiff::civil::Date,
    pub items: Vec<ItemResult>,
    pub references: Vec<ReferenceResult>,
}

impl Assessment {
    /// Items whose final status is Met.
    pub fn met(&self) -> usize {
        self.items
            .iter()
            .filter(|i| i.status == Status::Met)
            .count()
    }

    /// Items whose final status is Not Met.
    pub fn not_met(&self) -> usize {
        self.items.len() - self.met()
    }

    /// The result for an item id.
    pub fn item(&self, id: &str) -> Option<&ItemResult> {
        self.items.iter().find(|i| i.item.id == id)
    }

    /// The object `check --json` prints (section 6 of the contract).
    pub fn to_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct JsonItem<'a> {
            id: &'a str,
            title: &'a str,
            status: Status,
            computed: Status,
            reasons: Vec<String>,
            review: Option<&'a ReviewDecision>,
        }
        #[derive(Serialize)]
        struct Json<'a> {
            checklist: &'a str,
            as_of: String,
            met: usize,
            not_met: usize,
            items: Vec<JsonItem<'a>>,
        }
        let json = Json {
            checklist: &self.checklist_id,
            as_of: self.as_of.to_string(),
            met: self.met(),
            not_met: self.not_met(),
            items: self
                .items
                .iter()
                .map(|r| JsonItem {
                    id: &r.item.id,
                    title: &r.item.title,
                    status: r.status,
                    computed: r.computed,
                    reasons: r.reasons(),
                    review: r.review.as_ref(),
                })
                .collect(),
        };
        serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
    }
}

/// Whether Markdown text is present and not just whitespace.
pub fn filled(m: &Markdown) -> bool {
    m.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// `as_of` minus the window, in calendar months; 29 February maps to 28 February.
pub fn window_start(as_of: jiff::civil::Date, months: i32) -> jiff::civil::Date {
    // jiff clamps the day to the end of the shorter month, which is what the contract asks.
    as_of
        .checked_sub(months.months())
        .unwrap_or(jiff::civil::Date::MIN)
}

/// Judges every item of `checklist` for `bundle`.
pub fn evaluate(bundle: &Bundle, checklist: &Checklist) -> Assessment {
    let as_of = bundle.as_of.0;
    let window_start = window_start(as_of, checklist.rules.window_months);
    let references: Vec<ReferenceResult> = bundle
        .references
        .iter()
        .enumerate()
        .map(|(i, r)| {
            judge_reference(
                i,
                r,
                bundle,
                as_of,
                (window_start, checklist.rules.window_months),
            )
        })
        .collect();
    let ctx = Ctx {
        bundle,
        checklist,
        as_of,
        window_start,
        references: &references,
    };
    let items = checklist
        .items
        .iter()
        .map(|item| {
            let (ok, findings, evidence) = ctx.judge(item.rule);
            let computed = Status::from_bool(ok && findings.is_empty());
            let review = bundle
                .reviews
                .iter()
                .rev()
                .find(|r| r.item == item.id)
                .map(|r| ReviewDecision {
                    status: r.status.into(),
                    note: r.note.trim().to_string(),
                    by: r.by.clone(),
                });
            ItemResult {
                item: item.clone(),
                status: review.as_ref().map_or(computed, |r| r.status),
                computed,
                findings,
                evidence,
                review,
            }
        })
        .collect();
    Assessment {
        checklist_id: checklist.id.clone(),
        as_of,
        window_start,
        items,
        references,
    }
}

fn reference_name(i: usize, r: &Reference) -> String {
    match r.customer.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => format!("references[{i}] ({c})"),
        _ => format!("references[{i}]"),
    }
}

/// The 1.1 fields of a reference that are not filled, by key.
fn missing_fields(r: &Reference) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !filled(&r.customer) {
        missing.push("customer");
    }
    if !filled(&r.problem) {
        missing.push("problem");
    }
    if !filled(&r.proposal) {
        missing.push("proposal");
    }
    if r.aws_services.is_empty()
        || r.aws_services
            .iter()
            .any(|s| s.service.trim().is_empty() || !filled(&s.usage))
    {
        missing.push("aws_services");
    }
    if r.third_party.is_none() {
        missing.push("third_party");
    }
    if r.start.is_none() {
        missing.push("start");
    }
    if r.end.is_none() {
        missing.push("end");
    }
    if !filled(&r.outcomes) {
        missing.push("outcomes");
    }
    if !filled(&r.lessons) {
        missing.push("lessons");
    }
    missing
}

fn describe_missing(field: &str) -> &'static str {
    match field {
        "aws_services" => "`aws_services` (each entry with a usage)",
        "third_party" => "`third_party` (write [] for none)",
        "customer" => "`customer`",
        "problem" => "`problem`",
        "proposal" => "`proposal`",
        "start" => "`start`",
        "end" => "`end`",
        "outcomes" => "`outcomes`",
        "lessons" => "`lessons`",
        _ => "a field",
    }
}

fn judge_reference(
    i: usize,
    r: &Reference,
    bundle: &Bundle,
    as_of: jiff::civil::Date,
    (window_start, window_months): (jiff::civil::Date, i32),
) -> ReferenceResult {
    let missing = missing_fields(r);
    let mut why = Vec::new();
    match r.start {
        None => {}
        Some(s) if s.0 < window_start => why.push(format!(
            "`start` {s} is before the {window_months}-month window that opens {window_start}"
        )),
        Some(s) if s.0 > as_of => why.push(format!("`start` {s} is after as_of {as_of}")),
        Some(_) => {}
    }
    if let Some(e) = r.end
        && e.0 > as_of
    {
        why.push(format!(
            "`end` {e} is after as_of {as_of}: the project is not yet completed"
        ));
    }
    match r.stage {
        Some(Stage::Production) => {}
        Some(other) => why.push(format!(
            "`stage` is {}; only production counts",
            kebab(&other)
        )),
        None => why.push("`stage` is not given (it must be production)".into()),
    }
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|f| describe_missing(f)).collect();
        why.push(format!("missing {}", list.join(", ")));
    }
    if r.documents.is_empty() {
        why.push("no supporting documents in `documents`".into());
    }
    let qualifying = why.is_empty();

    let mut not_endorsed = Vec::new();
    if r.public {
        match &r.public_evidence {
            None => not_endorsed.push("`public_evidence` is missing".to_string()),
            Some(ev) => {
                match &ev.url {
                    None => not_endorsed.push("`public_evidence.url` is missing".into()),
                    Some(url) => {
                        let partner_host = bundle.partner.website.host();
                        let host = url.host();
                        let on_site = match (&host, &partner_host) {
                            (Some(h), Some(p)) => on_partner_site(h, p),
                            _ => false,
                        };
                        if !on_site {
                            not_endorsed.push(format!(
                                "`public_evidence.url` is on {}, not on the partner website {} or a subdomain of it",
                                host.as_deref().unwrap_or("an unknown host"),
                                partner_host.as_deref().unwrap_or("(unknown)")
                            ));
                        }
                    }
                }
                let missing_covers: Vec<&str> = Cover::ALL
                    .iter()
                    .filter(|c| !ev.covers.contains(c))
                    .map(|c| c.key())
                    .collect();
                if !missing_covers.is_empty() {
                    not_endorsed.push(format!(
                        "`public_evidence.covers` lacks {}",
                        missing_covers.join(", ")
                    ));
                }
            }
        }
    } else {
        not_endorsed.push(NOT_PUBLIC.into());
    }
    let publicly_endorsed = qualifying && not_endorsed.is_empty();
    ReferenceResult {
        name: reference_name(i, r),
        qualifying,
        publicly_endorsed,
        not_qualifying: why,
        not_endorsed,
        missing_fields: missing,
    }
}

const NOT_PUBLIC: &str = "`public` is not true";

/// Whether `host` is the partner website's host or a subdomain of it. A leading `www.` on
/// the website names the same site, so `acme.example` and `blog.acme.example` count for
/// `https://www.acme.example`; a look-alike such as `evilacme.example` never does.
fn on_partner_site(host: &str, partner_host: &str) -> bool {
    let site = partner_host.strip_prefix("www.").unwrap_or(partner_host);
    host == partner_host || host == site || host.ends_with(&format!(".{site}"))
}

struct Ctx<'a> {
    bundle: &'a Bundle,
    checklist: &'a Checklist,
    as_of: jiff::civil::Date,
    window_start: jiff::civil::Date,
    references: &'a [ReferenceResult],
}

type Judgement = (bool, Vec<Finding>, Vec<String>);

fn need_filled(m: &Markdown, key: &str, what: &str, findings: &mut Vec<Finding>) {
    if !filled(m) {
        findings.push(Finding::new(
            format!("`{key}` is empty"),
            format!("Describe {what} in `{key}`."),
        ));
    }
}

fn list_words<T: std::fmt::Display>(items: &[T]) -> String {
    let words: Vec<String> = items.iter().map(ToString::to_string).collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

fn kebab<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Ctx<'_> {
    fn judge(&self, rule: Rule) -> Judgement {
        let b = self.bundle;
        let rules = &self.checklist.rules;
        let mut f = Vec::new();
        let mut ev = Vec::new();
        match rule {
            Rule::ApnTier => {
                let allowed: Vec<String> = rules.apn_tiers.iter().map(kebab).collect();
                match b.partner.apn_tier {
                    Some(t) if rules.apn_tiers.contains(&t) => {
                        ev.push(format!("APN tier: {}", t.aws_name()));
                    }
                    Some(t) => f.push(Finding::new(
                        format!("`partner.apn_tier` is {}; needs {}", kebab(&t), list_words(&allowed)),
                        format!("Reach the {} APN tier and set `partner.apn_tier`.", list_words(&allowed)),
                    )),
                    None => f.push(Finding::new(
                        "`partner.apn_tier` is not given",
                        format!("Set `partner.apn_tier` ({}).", list_words(&allowed)),
                    )),
                }
            }
            Rule::SupportPlan => {
                let allowed: Vec<String> = rules.support_plans.iter().map(kebab).collect();
                match b.partner.support_plan {
                    Some(p) if rules.support_plans.contains(&p) => {
                        ev.push(format!("AWS Support plan: {}", p.aws_name()));
                    }
                    Some(p) => f.push(Finding::new(
                        format!("`partner.support_plan` is {}; needs {}", kebab(&p), list_words(&allowed)),
                        format!("Move to a {} Support plan and set `partner.support_plan`.", list_words(&allowed)),
                    )),
                    None => f.push(Finding::new(
                        "`partner.support_plan` is not given",
                        format!("Set `partner.support_plan` ({}).", list_words(&allowed)),
                    )),
                }
            }
            Rule::QualifyingReferences => {
                let qualifying = self.references.iter().filter(|r| r.qualifying).count();
                let endorsed = self.references.iter().filter(|r| r.publicly_endorsed).count();
                ev.push(format!(
                    "{}, {endorsed} publicly endorsed; projects started on or after {}",
                    plural::count(qualifying, "qualifying reference", "qualifying references"),
                    self.window_start
                ));
                if qualifying < rules.min_references {
                    let reason = format!(
                        "{qualifying} of {} `references` {}; {} {} needed",
                        self.references.len(),
                        plural::pick(qualifying, "qualifies", "qualify"),
                        rules.min_references,
                        plural::pick(rules.min_references, "is", "are")
                    );
                    let details = self
                        .references
                        .iter()
                        .filter(|r| !r.qualifying)
                        .map(|r| format!("{}: {}", r.name, r.not_qualifying.join(", ")))
                        .collect();
                    f.push(Finding::new(
                        reason,
                        format!(
                            "Add or complete references until {} {}: production projects started on or after {} and ended by {}, with all eight 1.1 fields and at least one document in `documents`.",
                            rules.min_references, plural::pick(rules.min_references, "qualifies", "qualify"), self.window_start, self.as_of
                        ),
                    ).with_details(details));
                }
                if endorsed < rules.min_public_references {
                    f.push(self.public_finding(endorsed));
                }
            }
            Rule::ReferenceFields => {
                let complete: Vec<&ReferenceResult> = self
                    .references
                    .iter()
                    .zip(&b.references)
                    .filter(|(r, src)| {
                        r.missing_fields.is_empty() && src.end.is_some_and(|e| e.0 <= self.as_of)
                    })
                    .map(|(r, _)| r)
                    .collect();
                ev.push(format!(
                    "{} with all eight fields",
                    plural::count(complete.len(), "reference", "references")
                ));
                if complete.len() < rules.min_references {
                    let reason = format!(
                        "{} of {} `references` {} all eight fields with an `end` date by {}; {} {} needed",
                        complete.len(),
                        self.references.len(),
                        plural::pick(complete.len(), "has", "have"),
                        self.as_of,
                        rules.min_references,
                        plural::pick(rules.min_references, "is", "are")
                    );
                    let mut details = Vec::new();
                    for (r, src) in self.references.iter().zip(&b.references) {
                        let mut gaps: Vec<String> = r
                            .missing_fields
                            .iter()
                            .map(|k| describe_missing(k).to_string())
                            .collect();
                        if let Some(e) = src.end
                            && e.0 > self.as_of
                        {
                            gaps.push(format!("`end` {e} is after as_of"));
                        }
                        if !gaps.is_empty() {
                            details.push(format!("{}: missing {}", r.name, gaps.join(", ")));
                        }
                    }
                    f.push(Finding::new(
                        reason,
                        format!(
                            "Give at least {} every 1.1 field: customer, problem, proposal, aws_services with usage, third_party, start, end, outcomes, lessons.",
                            plural::count(rules.min_references, "reference", "references")
                        ),
                    ).with_details(details));
                }
            }
            Rule::PublicReferences => {
                let endorsed = self.references.iter().filter(|r| r.publicly_endorsed).count();
                ev.push(plural::count(
                    endorsed,
                    "publicly endorsed reference",
                    "publicly endorsed references",
                ));
                if endorsed < rules.min_public_references {
                    f.push(self.public_finding(endorsed));
                }
            }
            Rule::ProductOrSolution => {
                let regions: BTreeSet<&str> =
                    b.solution.regions.iter().map(|r| r.0.as_str()).collect();
                if regions.len() < rules.min_regions {
                    f.push(Finding::new(
                        format!(
                            "`solution.regions` lists {}; {} {} needed",
                            plural::count(regions.len(), "distinct region", "distinct regions"),
                            rules.min_regions,
                            plural::pick(rules.min_regions, "is", "are")
                        ),
                        format!(
                            "List at least {} in `solution.regions`.",
                            plural::count(rules.min_regions, "AWS region", "AWS regions")
                        ),
                    ));
                } else {
                    ev.push(format!(
                        "Available in {}",
                        plural::count(regions.len(), "region", "regions")
                    ));
                }
                if b.partner.public_support_statement.is_none() {
                    f.push(Finding::new(
                        "`partner.public_support_statement` is not given",
                        "Publish the AWS public support statement on your website and give its URL in `partner.public_support_statement`.",
                    ));
                }
                need_filled(&b.architecture.overview, "architecture.overview", "the reference architecture", &mut f);
                for (key, title, text) in b.architecture.pillars.entries() {
                    need_filled(text, &format!("architecture.pillars.{key}"), &format!("how the architecture is optimised for {}", title.to_lowercase()), &mut f);
                }
            }
            Rule::Certification => {
                let levels: Vec<String> = rules.certification_levels.iter().map(kebab).collect();
                let valid: Vec<&str> = b
                    .partner
                    .certified_staff
                    .iter()
                    .filter(|s| {
                        rules.certification_levels.contains(&s.level)
                            && s.expires.is_some_and(|e| e.0 >= self.as_of)
                    })
                    .map(|s| s.name.as_str())
                    .collect();
                if valid.is_empty() {
                    let reason = format!(
                        "`partner.certified_staff` has no {} certification valid on {}",
                        list_words(&levels),
                        self.as_of
                    );
                    let mut details = Vec::new();
                    for (i, s) in b.partner.certified_staff.iter().enumerate() {
                        let why = if !rules.certification_levels.contains(&s.level) {
                            format!("`level` is {}", kebab(&s.level))
                        } else {
                            match s.expires {
                                Some(e) => format!("`expires` {e} is before as_of"),
                                None => "no `expires` date".to_string(),
                            }
                        };
                        details.push(format!("partner.certified_staff[{i}] ({}): {why}", s.name));
                    }
                    f.push(Finding::new(
                        reason,
                        format!(
                            "List at least one person in `partner.certified_staff` with an {} certification whose `expires` is on or after {}.",
                            list_words(&levels),
                            self.as_of
                        ),
                    ).with_details(details));
                } else {
                    ev.push(format!("Certified: {}", valid.join(", ")));
                }
            }
            Rule::SolutionCapabilities => {
                need_filled(&b.solution.aws_ml_integration, "solution.aws_ml_integration", "how the solution integrates with or uses AWS Machine Learning services", &mut f);
                need_filled(&b.solution.predictive_functionality, "solution.predictive_functionality", "the predictive or process-control functionality", &mut f);
            }
            Rule::BestPractices => {
                need_filled(&b.architecture.overview, "architecture.overview", "the architectural overview", &mut f);
                need_filled(&b.architecture.high_availability, "architecture.high_availability", "the patterns for highly available, reliable infrastructure", &mut f);
                if b.architecture.aws_services.iter().all(|s| s.trim().is_empty()) {
                    f.push(Finding::new(
                        "`architecture.aws_services` is empty",
                        "List the AWS services the architecture uses in `architecture.aws_services`.",
                    ));
                } else {
                    ev.push(format!("{} AWS services in the architecture", b.architecture.aws_services.len()));
                }
            }
            Rule::SecurityBestPractices => {
                need_filled(&b.security.best_practices, "security.best_practices", "how the solution follows AWS Security Best Practices", &mut f);
                need_filled(&b.security.risk_and_compliance, "security.risk_and_compliance", "alignment with AWS Risk and Compliance", &mut f);
            }
            Rule::SecurityControl => match b.security.deployment {
                Some(Deployment::Saas) => {
                    if b.security.asks_for_customer_credentials != Some(false) {
                        f.push(Finding::new(
                            match b.security.asks_for_customer_credentials {
                                Some(true) => "`security.asks_for_customer_credentials` is true: a SaaS solution must not ask for customers' AWS credentials",
                                _ => "`security.asks_for_customer_credentials` is not given",
                            },
                            "Stop asking customers for AWS credentials and set `security.asks_for_customer_credentials: false`.",
                        ));
                    }
                    if b.security.cross_account_roles != Some(true) {
                        f.push(Finding::new(
                            match b.security.cross_account_roles {
                                Some(false) => "`security.cross_account_roles` is false: SaaS access controls must use cross-account roles",
                                _ => "`security.cross_account_roles` is not given",
                            },
                            "Implement access through cross-account IAM roles and set `security.cross_account_roles: true`.",
                        ));
                    }
                    if f.is_empty() {
                        ev.push("SaaS: no customer credentials; cross-account roles".into());
                    }
                }
                Some(Deployment::CustomerDeployed) => {
                    if b.security.access_management.is_empty() {
                        f.push(Finding::new(
                            "`security.access_management` is empty",
                            "List the access-management features (identity-federation, iam-users, iam-roles) in `security.access_management`.",
                        ));
                    } else {
                        let titles: Vec<&str> = b.security.access_management.iter().map(|a| a.title()).collect();
                        ev.push(format!("Customer-deployed with {}", titles.join(", ")));
                    }
                }
                None => f.push(Finding::new(
                    "`security.deployment` is not given",
                    "Set `security.deployment` to saas or customer-deployed and fill in its controls.",
                )),
            },
            Rule::Governance => {
                need_filled(&b.security.governance.iam, "security.governance.iam", "how the solution uses AWS Identity and Access Management", &mut f);
                need_filled(&b.security.governance.cloudtrail, "security.governance.cloudtrail", "how the solution uses AWS CloudTrail", &mut f);
            }
            Rule::Production => {
                if b.solution.in_production != Some(true) {
                    f.push(Finding::new(
                        "`solution.in_production` is not true",
                        "Set `solution.in_production: true` once the solution operates in commercial production on AWS.",
                    ));
                }
                let in_prod = b.references.iter().filter(|r| r.stage == Some(Stage::Production)).count();
                if in_prod == 0 {
                    f.push(Finding::new(
                        "no reference has `stage: production`",
                        "Add a reference whose project is in production (`stage: production`).",
                    ));
                } else {
                    ev.push(format!(
                        "{} in production",
                        plural::count(in_prod, "reference", "references")
                    ));
                }
            }
            Rule::Lifecycle => need_filled(&b.solution.lifecycle, "solution.lifecycle", "how the platform develops, distributes or enhances the Machine Learning lifecycle", &mut f),
            Rule::Availability => {
                if b.solution.availability.is_empty() {
                    f.push(Finding::new(
                        "`solution.availability` is empty",
                        "List how the solution is offered in `solution.availability` (quick-start, marketplace, saas, saas-api).",
                    ));
                } else {
                    let titles: Vec<&str> = b.solution.availability.iter().map(|a| a.title()).collect();
                    ev.push(titles.join(", "));
                }
            }
            Rule::Category => {
                let key = b.category.key();
                match self.checklist.categories.get(key) {
                    None => f.push(Finding::new(
                        format!("the checklist has no category `{key}`"),
                        "Choose one of the checklist's categories in `category`.",
                    )),
                    Some(cat) => {
                        let allowed: Vec<&str> = cat.capabilities.iter().map(|c| c.key()).collect();
                        if !b.solution.capabilities.iter().any(|c| cat.capabilities.contains(c)) {
                            f.push(Finding::new(
                                format!("`solution.capabilities` lists none of the {} capabilities", cat.title),
                                format!("List at least one of {} in `solution.capabilities`.", allowed.join(", ")),
                            ));
                        }
                        let missing: Vec<String> = cat
                            .data_sources
                            .iter()
                            .filter(|d| !b.solution.data_sources.contains(d))
                            .map(kebab)
                            .collect();
                        if !missing.is_empty() {
                            f.push(Finding::new(
                                format!("`solution.data_sources` lacks {}", missing.join(" and ")),
                                format!("State that the platform supports {} data in `solution.data_sources`.", missing.join(" and ")),
                            ));
                        }
                        if f.is_empty() {
                            let caps: Vec<&str> = b.solution.capabilities.iter().map(|c| c.key()).collect();
                            ev.push(format!("{}: {}", cat.title, caps.join(", ")));
                        }
                    }
                }
            }
        }
        (f.is_empty(), f, ev)
    }

    fn public_finding(&self, endorsed: usize) -> Finding {
        let rules = &self.checklist.rules;
        let reason = format!(
            "{} (qualifying, `public: true`, `public_evidence` on the partner website covering all six points); {} {} needed",
            plural::count(
                endorsed,
                "publicly endorsed reference",
                "publicly endorsed references"
            ),
            rules.min_public_references,
            plural::pick(rules.min_public_references, "is", "are")
        );
        let mut details = Vec::new();
        for r in self.references.iter().filter(|r| !r.publicly_endorsed) {
            if r.not_endorsed.iter().any(|w| w == NOT_PUBLIC) {
                continue;
            }
            let mut why = r.not_endorsed.clone();
            if !r.qualifying {
                why.insert(0, "does not qualify".into());
            }
            details.push(format!("{}: {}", r.name, why.join(", ")));
        }
        Finding::new(
            reason,
            format!(
                "Make at least {} public: `public: true` with `public_evidence.url` on your website (or a subdomain) and `covers` listing all six points.",
                plural::count(
                    rules.min_public_references,
                    "qualifying reference",
                    "qualifying references"
                )
            ),
        )
        .with_details(details)
    }
}

#[cfg(test)]
mod tests;
