//! Assessment → the text `dossier check` prints: a table of items and a gap list.

use std::fmt::Write;

use crate::assess::{Assessment, Status};
use crate::bundle::Bundle;

const REASON_WIDTH: usize = 72;

/// The checklist table and the gaps, for a terminal.
pub fn check_table(bundle: &Bundle, a: &Assessment) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {}\nchecklist {}, judged as of {}\n",
        bundle.partner.name, bundle.solution.name, a.checklist_id, a.as_of
    );
    let title_width = a
        .items
        .iter()
        .map(|i| i.item.title.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{:<5} {:<title_width$}  {:<8} Reasons",
        "Item", "Title", "Status"
    );
    let _ = writeln!(
        out,
        "{} {}  {} {}",
        "-".repeat(5),
        "-".repeat(title_width),
        "-".repeat(8),
        "-".repeat(REASON_WIDTH.min(40))
    );
    let indent = 5 + 1 + title_width + 2 + 8 + 1;
    for r in &a.items {
        let mut reasons: Vec<String> = r.findings.iter().map(|f| f.reason.clone()).collect();
        if let Some(review) = &r.review {
            reasons.insert(0, review.reason(r.computed));
        }
        let mut lines = Vec::new();
        for reason in &reasons {
            lines.extend(wrap(reason, REASON_WIDTH));
        }
        let first = lines.first().cloned().unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<5} {:<title_width$}  {:<8} {}",
            r.item.id,
            r.item.title,
            r.status.label(),
            first
        )
        .map(|_| ());
        for l in lines.iter().skip(1) {
            let _ = writeln!(out, "{:indent$}{l}", "");
        }
    }
    let _ = writeln!(out, "\n{} Met, {} Not Met", a.met(), a.not_met());
    let gaps: Vec<_> = a
        .items
        .iter()
        .filter(|r| r.status == Status::NotMet)
        .collect();
    if !gaps.is_empty() {
        let _ = writeln!(out, "\nGaps — what to add to turn each Not Met into Met:");
        for r in gaps {
            let _ = writeln!(out, "\n{} {}", r.item.id, r.item.title);
            if r.findings.is_empty()
                && let Some(review) = &r.review
            {
                {
                    for l in wrap(&format!("Reviewer decision: {}", review.note), REASON_WIDTH) {
                        let _ = writeln!(out, "  {l}");
                    }
                }
            }
            for f in &r.findings {
                for (n, l) in wrap(&f.fix, REASON_WIDTH).iter().enumerate() {
                    let _ = writeln!(out, "  {} {l}", if n == 0 { "-" } else { " " });
                }
            }
        }
    }
    out
}

/// Greedy word wrap at `width` characters; long words stay whole.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_word_boundaries() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(
            wrap("averyveryverylongword x", 5),
            ["averyveryverylongword", "x"]
        );
        assert!(wrap("   ", 5).is_empty());
    }
}
