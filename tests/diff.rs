//! Renewal comparison: `dossier diff` between last year's submission
//! (`samples/acme-forecast-2025`) and this year's (`samples/acme-forecast`), as text, as
//! JSON, from archives, and as the "Changes since the last submission" packet section.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;
use common::{dossier, path_str, repo};

fn diff_json(old: &Path, new: &Path) -> (i32, Value) {
    let r = dossier(&["diff", path_str(old), path_str(new), "--json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    (
        r.code,
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout)),
    )
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x[key].as_str().expect("string").to_string())
        .collect()
}

const OLD: &str = "samples/acme-forecast-2025";
const NEW: &str = "samples/acme-forecast";

#[test]
fn last_years_sample_has_the_gaps_the_renewal_closes() {
    let r = dossier(&["check", path_str(&repo(OLD)), "--json"]);
    assert_eq!(r.code, 1);
    let json: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(json["as_of"], "2025-11-20");
    assert_eq!(
        (json["met"].as_u64(), json["not_met"].as_u64()),
        (Some(11), Some(5))
    );
    let not_met: Vec<&str> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["status"] == "not-met")
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(not_met, ["P2", "P3", "P4", "1.2", "3.3"]);
}

#[test]
fn the_renewal_diff_has_the_expected_changes() {
    let (code, c) = diff_json(&repo(OLD), &repo(NEW));
    assert_eq!(code, 1, "changes found: exit 1");
    assert_eq!(c["old"]["as_of"], "2025-11-20");
    assert_eq!(c["new"]["as_of"], "2026-11-20");
    assert_eq!(
        (c["old"]["met"].as_u64(), c["new"]["met"].as_u64()),
        (Some(11), Some(16))
    );

    // Status changes, with the reasons that no longer apply.
    let items = c["items"].as_array().expect("items");
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["P2", "P3", "P4", "1.2", "3.3"]);
    for i in items {
        assert_eq!(i["old"], "not-met");
        assert_eq!(i["new"], "met");
        assert_eq!(i["change"], "now-met");
    }
    assert!(
        items[0]["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("`partner.support_plan` is developer")
    );
    assert!(
        items[4]["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("security.governance.cloudtrail")
    );

    // References, matched by customer name.
    let r = &c["references"];
    assert_eq!(
        strings(&r["added"], "customer"),
        ["Tidewater Energy Cooperative", "Meridian Health Supply"]
    );
    assert_eq!(
        strings(&r["dropped"], "customer"),
        ["Bayview Hotels", "Quarry Ridge Materials"]
    );
    assert_eq!(
        strings(&r["changed"], "customer"),
        ["Harbor Lane Grocers", "Copperline Logistics"]
    );
    let harbor = &r["changed"][0];
    let fields: Vec<&str> = harbor["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f.as_str().expect("field"))
        .collect();
    for f in [
        "public",
        "public_evidence",
        "start",
        "end",
        "stage",
        "outcomes",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert_eq!(harbor["qualifying_before"], false);
    assert_eq!(harbor["qualifying_now"], true);
    // Bayview and Quarry Ridge counted last year but started before this year's window;
    // Copperline's renewed project did not age out.
    assert_eq!(
        strings(&r["aged_out"], "customer"),
        ["Bayview Hotels", "Quarry Ridge Materials"]
    );
    assert_eq!(r["aged_out"][0]["start"], "2024-12-02");
    assert_eq!(r["aged_out"][0]["window_start"], "2025-11-20");
    assert_eq!(r["aged_out"][0]["still_listed"], false);

    // Text: exactly the fields that were edited, as a short word-level diff.
    assert_eq!(
        strings(&c["text"], "field"),
        [
            "solution.summary",
            "architecture.overview",
            "architecture.high_availability",
            "security.risk_and_compliance",
            "security.governance.cloudtrail",
        ]
    );
    let summary = &c["text"][0]["segments"];
    let removed: Vec<&Value> = summary
        .as_array()
        .expect("segments")
        .iter()
        .filter(|g| g["op"] != "same" && g["op"] != "gap")
        .collect();
    assert_eq!(removed.len(), 2);
    assert_eq!(
        (&removed[0]["op"], &removed[0]["text"]),
        (&Value::from("removed"), &Value::from("two"))
    );
    assert_eq!(
        (&removed[1]["op"], &removed[1]["text"]),
        (&Value::from("added"), &Value::from("five"))
    );
    let words: usize = summary
        .as_array()
        .expect("segments")
        .iter()
        .map(|g| g["text"].as_str().expect("text").split_whitespace().count())
        .sum();
    assert!(words < 20, "short: {words} words for a one-word change");
}

#[test]
fn the_text_report_shows_changes_item_by_item() {
    let r = dossier(&["diff", path_str(&repo(OLD)), path_str(&repo(NEW))]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for line in [
        "  P2 AWS Support: Not Met → Met",
        "      resolved: partner.support_plan is developer; needs business, enterprise-on-ramp or enterprise",
        "  + added:    Tidewater Energy Cooperative (2026-01-19 to 2026-07-31, production; qualifying)",
        "  - dropped:  Bayview Hotels (2024-12-02 to 2025-05-30, production; qualifying)",
        "  ! aged out: Quarry Ridge Materials started 2025-01-13, before the window start 2025-11-20; dropped",
        "    … a multi-tenant SaaS offering in [-two-] {+five+} AWS Regions and is also …",
    ] {
        assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
    }
}

#[test]
fn the_other_way_round_items_fall_back_to_not_met_with_their_reasons() {
    let (_, c) = diff_json(&repo(NEW), &repo(OLD));
    let p2 = &c["items"][0];
    assert_eq!(p2["id"], "P2");
    assert_eq!(
        (&p2["old"], &p2["new"]),
        (&Value::from("met"), &Value::from("not-met"))
    );
    assert_eq!(p2["change"], "now-not-met");
    assert!(
        p2["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("developer")
    );
}

#[test]
fn a_bundle_compared_with_itself_has_no_changes() {
    let (code, c) = diff_json(&repo(NEW), &repo(NEW));
    assert_eq!(code, 0);
    assert!(c["items"].as_array().expect("items").is_empty());
    assert!(c["text"].as_array().expect("text").is_empty());
    let r = dossier(&["diff", path_str(&repo(NEW)), path_str(&repo(NEW))]);
    assert!(r.stdout.ends_with("\nNo changes.\n"), "{}", r.stdout);
}

#[test]
fn references_kept_past_the_window_are_aged_out_and_still_listed() {
    // Last year's bundle judged a year later, unchanged: every reference is out of the window.
    let tmp = tempfile::tempdir().expect("temp");
    let copy = tmp.path().join("stale");
    fs::create_dir_all(copy.join("docs")).expect("mkdir");
    fs::create_dir_all(copy.join("diagrams")).expect("mkdir");
    for rel in [
        "diagrams/architecture.png",
        "docs/platform-runbook.pdf",
        "docs/harbor-lane-design.pdf",
        "docs/architecture-review.pdf",
        "docs/copperline-design.pdf",
    ] {
        fs::copy(repo(OLD).join(rel), copy.join(rel)).expect("copy");
    }
    let yaml = fs::read_to_string(repo(OLD).join("bundle.yaml")).expect("yaml");
    fs::write(
        copy.join("bundle.yaml"),
        yaml.replace("as_of: 2025-11-20", "as_of: 2026-11-20"),
    )
    .expect("write");
    let (_, c) = diff_json(&repo(OLD), &copy);
    let aged = &c["references"]["aged_out"];
    assert_eq!(
        strings(aged, "customer"),
        [
            "Bayview Hotels",
            "Harbor Lane Grocers",
            "Quarry Ridge Materials",
            "Copperline Logistics"
        ]
    );
    assert!(
        aged.as_array()
            .expect("aged")
            .iter()
            .all(|a| a["still_listed"] == true)
    );
    assert!(
        c["references"]["changed"]
            .as_array()
            .expect("changed")
            .is_empty()
    );
}

#[test]
fn archives_compare_like_the_bundles_they_hold() {
    let tmp = tempfile::tempdir().expect("temp");
    for b in [OLD, NEW] {
        let r = dossier(&[
            "archive",
            path_str(&repo(b)),
            "--into",
            path_str(tmp.path()),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let old = tmp.path().join("2025-11-20-acme-forecast-inc");
    let new = tmp.path().join("2026-11-20-acme-forecast-inc");
    assert_eq!(diff_json(&old, &new).1, diff_json(&repo(OLD), &repo(NEW)).1);
    // A bundle against an archive works too.
    assert_eq!(
        diff_json(&repo(OLD), &new).1,
        diff_json(&repo(OLD), &repo(NEW)).1
    );
}

#[test]
fn render_previous_adds_the_changes_section_to_all_three_renderings() {
    let out = tempfile::tempdir().expect("temp");
    let r = dossier(&[
        "render",
        path_str(&repo(NEW)),
        "--previous",
        path_str(&repo(OLD)),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = fs::read_to_string(out.path().join("packet.md")).expect("md");
    for want in [
        "- [Changes since the last submission](#changes-since-the-last-submission)",
        "\n## Changes since the last submission\n",
        "| **P2** AWS Support | Not Met | **Met** | Resolved: `partner.support_plan` is developer",
        "- **Dropped:** Bayview Hotels (2024-12-02 to 2025-05-30, production)",
        "- **Aged out:** Bayview Hotels started 2024-12-02, before this submission's window start 2025-11-20; dropped",
        "offering in ~~two~~ **five** AWS Regions",
    ] {
        assert!(md.contains(want), "packet.md lacks {want:?}");
    }
    // The section comes after the gaps, before the footer.
    let at = md.find("\n## Changes since").expect("section");
    assert!(md.find("\n## Gaps").expect("gaps") < at);

    let html = fs::read_to_string(out.path().join("packet.html")).expect("html");
    assert!(html.contains("id=\"changes-since-the-last-submission\""));
    assert!(
        html.contains("<del>two</del> <strong>five</strong>"),
        "word diff in HTML"
    );

    let text = Command::new("pdftotext")
        .arg(out.path().join("packet.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext must be installed (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Changes since the last submission"));
    assert!(text.contains("Reference changes"));

    // Without --previous there is no such section (the snapshots in tests/render.rs hold).
    let plain = tempfile::tempdir().expect("temp");
    let r = dossier(&[
        "render",
        path_str(&repo(NEW)),
        "--out",
        path_str(plain.path()),
        "--format",
        "md",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = fs::read_to_string(plain.path().join("packet.md")).expect("md");
    assert!(!md.contains("Changes since the last submission"));
}

#[test]
fn an_invalid_previous_bundle_is_an_error_and_writes_nothing() {
    let out = tempfile::tempdir().expect("temp");
    fs::write(out.path().join("bundle.yaml"), "format: 2\n").expect("write");
    let r = dossier(&[
        "render",
        path_str(&repo(NEW)),
        "--previous",
        path_str(&out.path().join("bundle.yaml")),
        "--out",
        path_str(&out.path().join("packet")),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("format"), "{}", r.stderr);
    assert!(!out.path().join("packet").exists());
}
