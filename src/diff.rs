//! Two assessed bundles (last submission, this one) → what changed between them: item
//! statuses with the reasons, customer references added, dropped or changed (matched by
//! customer name), references that aged out of the window, and a short word-level diff of
//! the solution, architecture and security text.
//!
//! Pure: no I/O, no clock. The same two bundles always give the same [`Changes`], which
//! `dossier diff` prints (text or `--json`) and the packet shows as "Changes since the last
//! submission".

use std::collections::BTreeMap;

use serde::Serialize;
use similar::{Algorithm, DiffTag};

use crate::assess::{Assessment, ItemResult, Status};
use crate::bundle::Bundle;
use crate::bundle::model::Reference;

/// The title of the packet section and of `dossier diff`'s report.
pub const TITLE: &str = "Changes since the last submission";

/// Words of unchanged text kept on each side of a change.
const CONTEXT_WORDS: usize = 5;
/// Longest run of added or removed words shown before it is shortened.
const MAX_RUN_WORDS: usize = 30;
/// Above this many words on either side a field is reported as rewritten, without a word
/// diff: the diff stays fast and short on any input.
const MAX_DIFF_WORDS: usize = 5_000;

/// Everything that changed from `old` to `new`.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    pub title: String,
    /// Anchor of the packet section.
    pub anchor: String,
    pub old: Side,
    pub new: Side,
    /// Items whose final status changed, in the new checklist's order.
    pub items: Vec<ItemChange>,
    pub references: ReferenceChanges,
    /// Solution, architecture and security text that changed, in bundle order.
    pub text: Vec<TextChange>,
}

impl Changes {
    /// Whether anything at all changed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
            && self.references.added.is_empty()
            && self.references.dropped.is_empty()
            && self.references.changed.is_empty()
            && self.references.aged_out.is_empty()
            && self.text.is_empty()
    }
}

/// One submission, in brief.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub as_of: String,
    pub window_start: String,
    pub partner: String,
    pub solution: String,
    pub checklist: String,
    pub met: usize,
    pub not_met: usize,
}

/// An item whose final status differs between the two submissions.
#[derive(Debug, Clone, Serialize)]
pub struct ItemChange {
    pub id: String,
    pub title: String,
    /// `None`: the item is not in that submission's checklist.
    pub old: Option<Status>,
    pub new: Option<Status>,
    /// "now-met", "now-not-met", "added" or "removed".
    pub change: &'static str,
    /// Why the Not Met side was Not Met: the new reasons for a regression, the resolved
    /// ones for an item that is now Met.
    pub reasons: Vec<String>,
}

/// Customer references compared by customer name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReferenceChanges {
    pub added: Vec<ReferenceSummary>,
    pub dropped: Vec<ReferenceSummary>,
    pub changed: Vec<ReferenceChange>,
    pub aged_out: Vec<AgedOut>,
}

/// A reference as one submission has it.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceSummary {
    pub customer: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub stage: Option<String>,
    pub qualifying: bool,
    pub publicly_endorsed: bool,
}

/// A reference in both submissions whose content differs.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceChange {
    pub customer: String,
    /// The bundle keys that differ (`stage`, `start`, `outcomes`, …), in bundle order.
    pub fields: Vec<String>,
    pub qualifying_before: bool,
    pub qualifying_now: bool,
}

/// A reference whose project started before this submission's 12-month window.
#[derive(Debug, Clone, Serialize)]
pub struct AgedOut {
    pub customer: String,
    pub start: String,
    /// This submission's window start; the reference started before it.
    pub window_start: String,
    /// The new bundle still lists it (where it no longer counts), or it was dropped.
    pub still_listed: bool,
}

/// One changed text field.
#[derive(Debug, Clone, Serialize)]
pub struct TextChange {
    /// The bundle key, `architecture.overview`.
    pub field: String,
    /// Human name, "Architecture overview".
    pub title: String,
    pub segments: Vec<Segment>,
}

/// A run of words of a word-level diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// "same", "removed", "added", or "gap" (unchanged words left out; `text` is "…").
    pub op: &'static str,
    pub text: String,
}

/// Compares two assessed bundles.
pub fn compare(
    old_bundle: &Bundle,
    old: &Assessment,
    new_bundle: &Bundle,
    new: &Assessment,
) -> Changes {
    Changes {
        title: TITLE.to_string(),
        anchor: crate::slug::github_slug(TITLE),
        old: side(old_bundle, old),
        new: side(new_bundle, new),
        items: item_changes(old, new),
        references: reference_changes(old_bundle, old, new_bundle, new),
        text: text_changes(old_bundle, new_bundle),
    }
}

fn side(b: &Bundle, a: &Assessment) -> Side {
    Side {
        as_of: a.as_of.to_string(),
        window_start: a.window_start.to_string(),
        partner: one_line(&b.partner.name),
        solution: one_line(&b.solution.name),
        checklist: a.checklist_id.clone(),
        met: a.met(),
        not_met: a.not_met(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn why_not_met(r: &ItemResult) -> Vec<String> {
    let mut reasons: Vec<String> = r.findings.iter().map(|f| f.reason.clone()).collect();
    if let Some(review) = &r.review
        && review.status == Status::NotMet
    {
        let by = review
            .by
            .as_deref()
            .map(|b| format!(" ({b})"))
            .unwrap_or_default();
        reasons.push(format!("reviewer{by}: {}", one_line(&review.note)));
    }
    reasons
}

fn item_changes(old: &Assessment, new: &Assessment) -> Vec<ItemChange> {
    let mut out = Vec::new();
    for n in &new.items {
        let o = old.item(&n.item.id);
        let (change, reasons) = match o {
            None => ("added", why_not_met(n)),
            Some(o) if o.status == n.status => continue,
            Some(o) if n.status == Status::Met => ("now-met", why_not_met(o)),
            Some(_) => ("now-not-met", why_not_met(n)),
        };
        out.push(ItemChange {
            id: n.item.id.clone(),
            title: n.item.title.clone(),
            old: o.map(|o| o.status),
            new: Some(n.status),
            change,
            reasons,
        });
    }
    for o in &old.items {
        if new.item(&o.item.id).is_none() {
            out.push(ItemChange {
                id: o.item.id.clone(),
                title: o.item.title.clone(),
                old: Some(o.status),
                new: None,
                change: "removed",
                reasons: Vec::new(),
            });
        }
    }
    out
}

/// How references are matched: the customer name without case or spacing differences, and
/// which occurrence of that name it is (two references may name the same customer).
type MatchKey = (String, usize);

fn match_keys(b: &Bundle) -> Vec<MatchKey> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    b.references
        .iter()
        .map(|r| {
            let name = one_line(r.customer.as_deref().unwrap_or("")).to_lowercase();
            let n = seen.entry(name.clone()).or_insert(0);
            *n += 1;
            (name, *n)
        })
        .collect()
}

fn summary(r: &Reference, judged: &crate::assess::ReferenceResult, name: &str) -> ReferenceSummary {
    ReferenceSummary {
        customer: name.to_string(),
        start: r.start.map(|d| d.to_string()),
        end: r.end.map(|d| d.to_string()),
        stage: r.stage.map(|s| s.title().to_string()),
        qualifying: judged.qualifying,
        publicly_endorsed: judged.publicly_endorsed,
    }
}

fn display_name(r: &Reference, judged: &crate::assess::ReferenceResult) -> String {
    match r.customer.as_deref().map(one_line) {
        Some(c) if !c.is_empty() => c,
        _ => judged.name.clone(),
    }
}

fn reference_changes(
    old_bundle: &Bundle,
    old: &Assessment,
    new_bundle: &Bundle,
    new: &Assessment,
) -> ReferenceChanges {
    let old_keys = match_keys(old_bundle);
    let new_keys = match_keys(new_bundle);
    let old_by_key: BTreeMap<&MatchKey, usize> =
        old_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let new_by_key: BTreeMap<&MatchKey, usize> =
        new_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let mut out = ReferenceChanges::default();

    for (i, key) in new_keys.iter().enumerate() {
        let (r, judged) = (&new_bundle.references[i], &new.references[i]);
        let name = display_name(r, judged);
        match old_by_key.get(key) {
            None => out.added.push(summary(r, judged, &name)),
            Some(&j) => {
                let fields = differing_fields(&old_bundle.references[j], r);
                if !fields.is_empty() {
                    out.changed.push(ReferenceChange {
                        customer: name.clone(),
                        fields,
                        qualifying_before: old.references[j].qualifying,
                        qualifying_now: judged.qualifying,
                    });
                }
            }
        }
        if let Some(start) = r.start
            && start.0 < new.window_start
        {
            out.aged_out.push(AgedOut {
                customer: name,
                start: start.to_string(),
                window_start: new.window_start.to_string(),
                still_listed: true,
            });
        }
    }
    for (j, key) in old_keys.iter().enumerate() {
        if new_by_key.contains_key(key) {
            continue;
        }
        let (r, judged) = (&old_bundle.references[j], &old.references[j]);
        let name = display_name(r, judged);
        // Dropped, and it would not have counted any more: it aged out of the window.
        if let Some(start) = r.start
            && start.0 >= old.window_start
            && start.0 < new.window_start
        {
            out.aged_out.push(AgedOut {
                customer: name.clone(),
                start: start.to_string(),
                window_start: new.window_start.to_string(),
                still_listed: false,
            });
        }
        out.dropped.push(summary(r, judged, &name));
    }
    out
}

/// The keys of two references (beyond the customer name) whose values differ, ignoring
/// differences in whitespace only.
fn differing_fields(old: &Reference, new: &Reference) -> Vec<String> {
    let (Ok(serde_json::Value::Object(o)), Ok(serde_json::Value::Object(n))) =
        (serde_json::to_value(old), serde_json::to_value(new))
    else {
        return Vec::new();
    };
    n.iter()
        .filter(|(k, _)| k.as_str() != "customer")
        .filter(|(k, v)| {
            let before = o
                .get(k.as_str())
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            normalised(&before) != normalised(v)
        })
        .map(|(k, _)| k.clone())
        .collect()
}

fn normalised(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(one_line(s)),
        Value::Array(a) => Value::Array(a.iter().map(normalised).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalised(v))).collect())
        }
        other => other.clone(),
    }
}

/// The text fields compared, in bundle order: key, title, and the words of each side.
fn text_fields(b: &Bundle) -> Vec<(String, String, Vec<String>)> {
    fn words(m: &Option<String>) -> Vec<String> {
        m.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }
    let s = &b.solution;
    let a = &b.architecture;
    let sec = &b.security;
    let mut out = vec![
        ("solution.summary", "Solution summary", words(&s.summary)),
        (
            "solution.aws_ml_integration",
            "Integration with AWS ML services (2.1)",
            words(&s.aws_ml_integration),
        ),
        (
            "solution.predictive_functionality",
            "Predictive functionality (2.1)",
            words(&s.predictive_functionality),
        ),
        (
            "solution.lifecycle",
            "Machine learning lifecycle (4.2)",
            words(&s.lifecycle),
        ),
        ("architecture.title", "Architecture title", words(&a.title)),
        (
            "architecture.overview",
            "Architecture overview (2.5)",
            words(&a.overview),
        ),
        (
            "architecture.high_availability",
            "High availability (2.5)",
            words(&a.high_availability),
        ),
    ]
    .into_iter()
    .map(|(k, t, w)| (k.to_string(), t.to_string(), w))
    .collect::<Vec<_>>();
    // Service names are compared whole: "Amazon S3" is one token, not two words.
    out.push((
        "architecture.aws_services".into(),
        "AWS services in the architecture".into(),
        a.aws_services
            .iter()
            .map(|x| one_line(x))
            .filter(|x| !x.is_empty())
            .map(|x| format!("{x};"))
            .collect(),
    ));
    for (key, title, text) in a.pillars.entries() {
        out.push((
            format!("architecture.pillars.{key}"),
            format!("Well-Architected pillar: {title}"),
            words(text),
        ));
    }
    for (k, t, m) in [
        (
            "security.best_practices",
            "Security best practices (3.1)",
            &sec.best_practices,
        ),
        (
            "security.risk_and_compliance",
            "Risk and compliance (3.1)",
            &sec.risk_and_compliance,
        ),
        (
            "security.governance.iam",
            "AWS Identity and Access Management (3.3)",
            &sec.governance.iam,
        ),
        (
            "security.governance.cloudtrail",
            "AWS CloudTrail (3.3)",
            &sec.governance.cloudtrail,
        ),
    ] {
        out.push((k.to_string(), t.to_string(), words(m)));
    }
    out
}

fn text_changes(old: &Bundle, new: &Bundle) -> Vec<TextChange> {
    text_fields(old)
        .into_iter()
        .zip(text_fields(new))
        .filter(|((_, _, o), (_, _, n))| o != n)
        .map(|((_, _, o), (field, title, n))| TextChange {
            field,
            title,
            segments: word_diff(&o, &n),
        })
        .collect()
}

/// A short word-level diff: changed runs with a few words of context, long unchanged
/// stretches left out, long added or removed runs shortened.
pub fn word_diff(old: &[String], new: &[String]) -> Vec<Segment> {
    if old.len() > MAX_DIFF_WORDS || new.len() > MAX_DIFF_WORDS {
        return vec![Segment {
            op: "gap",
            text: format!(
                "rewritten: {} before, {} now (too long for a word diff)",
                crate::plural::count(old.len(), "word", "words"),
                crate::plural::count(new.len(), "word", "words")
            ),
        }];
    }
    let ops = similar::capture_diff_slices(Algorithm::Myers, old, new);
    let mut out: Vec<Segment> = Vec::new();
    let last = ops.len().saturating_sub(1);
    for (i, op) in ops.iter().enumerate() {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                let words = &old[o];
                let keep_before = if i == 0 { 0 } else { CONTEXT_WORDS };
                let keep_after = if i == last { 0 } else { CONTEXT_WORDS };
                if words.len() <= keep_before + keep_after + 2 {
                    push(&mut out, "same", words);
                } else {
                    push(&mut out, "same", &words[..keep_before]);
                    out.push(Segment {
                        op: "gap",
                        text: "…".into(),
                    });
                    push(&mut out, "same", &words[words.len() - keep_after..]);
                }
            }
            DiffTag::Delete => push_run(&mut out, "removed", &old[o]),
            DiffTag::Insert => push_run(&mut out, "added", &new[n]),
            DiffTag::Replace => {
                push_run(&mut out, "removed", &old[o]);
                push_run(&mut out, "added", &new[n]);
            }
        }
    }
    out
}

fn push(out: &mut Vec<Segment>, op: &'static str, words: &[String]) {
    if !words.is_empty() {
        out.push(Segment {
            op,
            text: words.join(" "),
        });
    }
}

fn push_run(out: &mut Vec<Segment>, op: &'static str, words: &[String]) {
    if words.len() <= MAX_RUN_WORDS {
        push(out, op, words);
    } else {
        let shown = &words[..MAX_RUN_WORDS];
        out.push(Segment {
            op,
            text: format!(
                "{} … ({})",
                shown.join(" "),
                crate::plural::count(words.len() - MAX_RUN_WORDS, "more word", "more words")
            ),
        });
    }
}

/// The report `dossier diff` prints: plain text, one block per kind of change.
pub fn report(c: &Changes) -> String {
    let mut s = String::new();
    let label = |st: Option<Status>| st.map_or("absent", Status::label);
    s.push_str(&format!(
        "{}: {} (as of {}, {} Met, {} Not Met) → {} (as of {}, {} Met, {} Not Met)\n",
        c.title,
        c.old.solution,
        c.old.as_of,
        c.old.met,
        c.old.not_met,
        c.new.solution,
        c.new.as_of,
        c.new.met,
        c.new.not_met
    ));
    if c.is_empty() {
        s.push_str("\nNo changes.\n");
        return s;
    }
    s.push_str("\nChecklist items:\n");
    if c.items.is_empty() {
        s.push_str("  no item changed status\n");
    }
    for i in &c.items {
        s.push_str(&format!(
            "  {} {}: {} → {}\n",
            i.id,
            i.title,
            label(i.old),
            label(i.new)
        ));
        let lead = if i.change == "now-met" {
            "resolved"
        } else {
            "because"
        };
        for r in &i.reasons {
            s.push_str(&format!("      {lead}: {}\n", r.replace('`', "")));
        }
    }
    let r = &c.references;
    s.push_str("\nCustomer references:\n");
    if r.added.is_empty() && r.dropped.is_empty() && r.changed.is_empty() && r.aged_out.is_empty() {
        s.push_str("  no changes\n");
    }
    let brief = |x: &ReferenceSummary| {
        format!(
            "{} ({} to {}, {}; {})",
            x.customer,
            x.start.as_deref().unwrap_or("no start"),
            x.end.as_deref().unwrap_or("no end"),
            x.stage.as_deref().unwrap_or("stage not stated"),
            if x.qualifying {
                "qualifying"
            } else {
                "not qualifying"
            }
        )
    };
    for x in &r.added {
        s.push_str(&format!("  + added:    {}\n", brief(x)));
    }
    for x in &r.dropped {
        s.push_str(&format!("  - dropped:  {}\n", brief(x)));
    }
    for x in &r.changed {
        let q = match (x.qualifying_before, x.qualifying_now) {
            (false, true) => "; now qualifying",
            (true, false) => "; no longer qualifying",
            _ => "",
        };
        s.push_str(&format!(
            "  ~ changed:  {}: {}{q}\n",
            x.customer,
            x.fields.join(", ")
        ));
    }
    for x in &r.aged_out {
        s.push_str(&format!(
            "  ! aged out: {} started {}, before the window start {}{}\n",
            x.customer,
            x.start,
            x.window_start,
            if x.still_listed {
                "; still listed, no longer counts"
            } else {
                "; dropped"
            }
        ));
    }
    s.push_str("\nText:\n");
    if c.text.is_empty() {
        s.push_str("  no changes\n");
    }
    for t in &c.text {
        s.push_str(&format!("  {} ({}):\n    ", t.title, t.field));
        let parts: Vec<String> = t
            .segments
            .iter()
            .map(|g| match g.op {
                "removed" => format!("[-{}-]", g.text),
                "added" => format!("{{+{}+}}", g.text),
                _ => g.text.clone(),
            })
            .collect();
        s.push_str(&parts.join(" "));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn render(segs: &[Segment]) -> String {
        segs.iter()
            .map(|g| match g.op {
                "removed" => format!("[-{}-]", g.text),
                "added" => format!("{{+{}+}}", g.text),
                _ => g.text.clone(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn word_diff_marks_replaced_words_with_context() {
        let d = word_diff(
            &words("SOC 2 Type I report, period ending 2025-06-30"),
            &words("SOC 2 Type II report, period ending 2026-06-30"),
        );
        assert_eq!(
            render(&d),
            "SOC 2 Type [-I-] {+II+} report, period ending [-2025-06-30-] {+2026-06-30+}"
        );
    }

    #[test]
    fn long_unchanged_stretches_become_a_gap() {
        let old: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        let mut new = old.clone();
        new[50] = "changed".into();
        let d = word_diff(&old, &new);
        assert_eq!(
            render(&d),
            "… w45 w46 w47 w48 w49 [-w50-] {+changed+} w51 w52 w53 w54 w55 …"
        );
    }

    #[test]
    fn long_insertions_are_shortened_and_huge_fields_not_diffed() {
        let new: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let d = word_diff(&[], &new);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].text.ends_with("w29 … (10 more words)"),
            "{}",
            d[0].text
        );
        let huge: Vec<String> = (0..MAX_DIFF_WORDS + 1).map(|i| i.to_string()).collect();
        let d = word_diff(&huge, &[]);
        assert_eq!(d[0].op, "gap");
        assert!(d[0].text.starts_with("rewritten"));
    }

    #[test]
    fn equal_text_has_no_changes() {
        let d = word_diff(
            &words("a b c d e f g h i j k l"),
            &words("a b c d e f g h i j k l"),
        );
        assert!(d.iter().all(|s| s.op == "same" || s.op == "gap"), "{d:?}");
    }
}
