//! Runs the real `dossier` binary: the samples against samples/README.md, the `check --json`
//! shape of section 6, `init`, `schema`, and every invalid bundle under
//! `tests/fixtures/invalid/` with the diagnostics it must print.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;

use common::{MINIMAL, Run, copy_sample, dossier, path_str, repo, temp_bundle};

fn check_json(bundle: &Path) -> (i32, Value) {
    let run = dossier(&["check", path_str(bundle), "--json"]);
    assert!(
        run.code == 0 || run.code == 1,
        "exit {}: {}",
        run.code,
        run.stderr
    );
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("check --json prints JSON ({e}):\n{}", run.stdout));
    (run.code, json)
}

const ITEM_IDS: [&str; 16] = [
    "P1", "P2", "P3", "P4", "P5", "1.1", "1.2", "2.1", "2.5", "3.1", "3.2", "3.3", "4.1", "4.2",
    "4.3", "C",
];

// The samples ----------------------------------------------------------------------------

/// One row of a sample's expected-assessment table in samples/README.md.
#[derive(Debug)]
struct Expected {
    id: String,
    computed: &'static str,
    final_status: &'static str,
    /// `(status, by)` of the review column, e.g. `met (J. Smith)`.
    review: Option<(&'static str, String)>,
}

fn status_word(cell: &str) -> &'static str {
    match cell.trim().trim_matches('*') {
        "Met" => "met",
        "Not Met" => "not-met",
        other => panic!("unexpected status {other:?} in samples/README.md"),
    }
}

/// The expected table of the README section whose heading starts with `heading`.
fn expected_from_readme(heading: &str) -> Vec<Expected> {
    let readme = fs::read_to_string(repo("samples/README.md")).expect("samples/README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("README has a section {heading}"));
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | Item | Computed | Review | Final | Reason |
            if cells.len() < 6 || !ITEM_IDS.contains(&cells[1]) {
                return None;
            }
            let review = (!cells[3].is_empty()).then(|| {
                let (status, by) = cells[3].split_once(" (").expect("review is `status (by)`");
                let status = match status {
                    "met" => "met",
                    "not-met" => "not-met",
                    other => panic!("unexpected review status {other:?}"),
                };
                (status, by.trim_end_matches(')').to_string())
            });
            Some(Expected {
                id: cells[1].to_string(),
                computed: status_word(cells[2]),
                final_status: status_word(cells[4]),
                review,
            })
        })
        .collect()
}

fn assert_sample(name: &str, code: i32, computed: (u64, u64), final_counts: (u64, u64)) {
    let expected = expected_from_readme(&format!("`{name}/`"));
    let ids: Vec<&str> = expected.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ITEM_IDS, "the README table covers every item in order");

    let (exit, json) = check_json(&repo(&format!("samples/{name}")));
    assert_eq!(exit, code, "{name}: exit code");
    let items = json["items"].as_array().expect("items");
    assert_eq!(items.len(), expected.len());
    for (item, want) in items.iter().zip(&expected) {
        assert_eq!(item["id"], want.id.as_str());
        assert_eq!(
            item["computed"], want.computed,
            "{name} {}: computed",
            want.id
        );
        assert_eq!(
            item["status"], want.final_status,
            "{name} {}: final",
            want.id
        );
        match &want.review {
            None => assert!(item["review"].is_null(), "{name} {}: no review", want.id),
            Some((status, by)) => {
                assert_eq!(item["review"]["status"], *status, "{name} {}", want.id);
                assert_eq!(item["review"]["by"], by.as_str(), "{name} {}", want.id);
            }
        }
    }
    let count = |key: &str, status: &str| items.iter().filter(|i| i[key] == status).count() as u64;
    assert_eq!(
        (count("computed", "met"), count("computed", "not-met")),
        computed,
        "{name}: computed counts"
    );
    assert_eq!(
        (json["met"].as_u64(), json["not_met"].as_u64()),
        (Some(final_counts.0), Some(final_counts.1)),
        "{name}: final counts"
    );
}

#[test]
fn acme_forecast_meets_every_item() {
    assert_sample("acme-forecast", 0, (16, 0), (16, 0));
}

#[test]
fn northwind_vision_has_the_documented_gaps() {
    assert_sample("northwind-vision", 1, (9, 7), (10, 6));
    let (_, json) = check_json(&repo("samples/northwind-vision"));
    let reasons = |id: &str| -> String {
        let item = json["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["id"] == id))
            .expect("item");
        item["reasons"].to_string()
    };
    assert!(reasons("P2").contains("partner.support_plan"));
    assert!(reasons("P3").contains("Redwood Solar Components"));
    assert!(reasons("P3").contains("`start` 2025-09-15"));
    assert!(reasons("P4").contains("solution.regions"));
    assert!(reasons("P5").contains("2026-08-14"));
    assert!(reasons("1.2").contains("engineering.lakeside-grocers.example"));
    assert!(reasons("3.3").contains("security.governance.cloudtrail"));
    assert!(reasons("4.2").contains("solution.lifecycle"));
}

#[test]
fn check_accepts_the_yaml_file_and_prints_a_table() {
    let run = dossier(&[
        "check",
        path_str(&repo("samples/northwind-vision/bundle.yaml")),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("10 Met, 6 Not Met"), "{}", run.stdout);
    assert!(run.stdout.contains("Gaps"), "{}", run.stdout);
    assert!(
        run.stdout.contains("reviewer R. Alvarez: Met"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);

    let run = dossier(&["check", path_str(&repo("samples/acme-forecast"))]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("16 Met, 0 Not Met"), "{}", run.stdout);
    assert!(!run.stdout.contains("Gaps"), "{}", run.stdout);
}

// The JSON of section 6 ------------------------------------------------------------------

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn check_json_has_the_shape_of_section_6() {
    let (_, json) = check_json(&repo("samples/northwind-vision"));
    assert_eq!(
        keys(&json),
        BTreeSet::from([
            "checklist",
            "as_of",
            "met",
            "not_met",
            "items",
            "advisories"
        ])
    );
    assert_eq!(json["checklist"], "aws-ml-competency-2017-v1.0");
    assert_eq!(json["as_of"], "2026-11-20");
    // The keys come in the order section 6 writes them, for people reading the output.
    let ordered: Vec<&str> = json
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    // `advisories` comes last, after the assessment's own keys.
    assert_eq!(
        ordered,
        [
            "checklist",
            "as_of",
            "met",
            "not_met",
            "items",
            "advisories"
        ]
    );
    let item_keys: Vec<&str> = json["items"][0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        item_keys,
        ["id", "title", "status", "computed", "reasons", "review"]
    );
    let items = json["items"].as_array().expect("items is a list");
    let ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, ITEM_IDS);
    let mut met = 0;
    for item in items {
        assert_eq!(
            keys(item),
            BTreeSet::from(["id", "title", "status", "computed", "reasons", "review"]),
            "{item}"
        );
        assert!(item["title"].as_str().is_some_and(|t| !t.is_empty()));
        for key in ["status", "computed"] {
            assert!(
                item[key] == "met" || item[key] == "not-met",
                "{key}: {}",
                item[key]
            );
        }
        if item["status"] == "met" {
            met += 1;
        }
        let reasons = item["reasons"].as_array().expect("reasons is a list");
        assert!(reasons.iter().all(Value::is_string));
        // Every Not Met, computed or final, says why; an item Met both ways has nothing to say.
        assert_eq!(
            reasons.is_empty(),
            item["computed"] == "met" && item["status"] == "met",
            "{item}"
        );
        match &item["review"] {
            Value::Null => assert_eq!(item["status"], item["computed"]),
            review => {
                assert_eq!(keys(review), BTreeSet::from(["status", "note", "by"]));
                assert_eq!(review["status"], item["status"]);
                assert!(review["note"].as_str().is_some_and(|n| !n.is_empty()));
            }
        }
    }
    assert_eq!(json["met"], met);
    assert_eq!(json["not_met"], 16 - met);
    assert_eq!(items[0]["title"], "APN Membership");
    assert_eq!(items[13]["title"], "Platform");
}

#[test]
fn check_json_gives_a_reviewed_not_met_the_reviewer_decision_as_its_reason() {
    let yaml = MINIMAL.replace(
        "  website: https://acme-analytics.example\n",
        "  website: https://acme-analytics.example\n  apn_tier: advanced\n",
    ) + "reviews:\n  - item: P1\n    status: not-met\n    note: The tier lapsed in October.\n    by: J. Smith\n";
    let tmp = temp_bundle(yaml);
    let (_, json) = check_json(tmp.path());
    let p1 = &json["items"][0];
    assert_eq!(
        (&p1["id"], &p1["computed"], &p1["status"]),
        (
            &Value::from("P1"),
            &Value::from("met"),
            &Value::from("not-met")
        )
    );
    assert_eq!(
        p1["reasons"],
        serde_json::json!([
            "reviewer J. Smith: Not Met — The tier lapsed in October. (computed: Met)"
        ])
    );
    // The text table says the same.
    let run = dossier(&["check", path_str(tmp.path())]);
    assert!(
        run.stdout
            .contains("reviewer J. Smith: Not Met — The tier lapsed in"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_json_writes_nothing_to_stderr() {
    let run = dossier(&["check", path_str(&repo("samples/acme-forecast")), "--json"]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

// init and schema --------------------------------------------------------------------------

#[test]
fn init_writes_a_valid_bundle_with_gaps() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("new-bundle");
    let run = dossier(&["init", path_str(&dir)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.join("bundle.yaml").is_file());

    let run = dossier(&["check", path_str(&dir)]);
    assert_eq!(
        run.code, 1,
        "the starter is valid but has gaps:\n{}",
        run.stderr
    );
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("0 Met, 16 Not Met"), "{}", run.stdout);
}

#[test]
fn init_into_an_existing_empty_dir_works() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = dossier(&["init", path_str(tmp.path())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(tmp.path().join("bundle.yaml").is_file());
}

#[test]
fn init_refuses_a_non_empty_dir() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mine = tmp.path().join("notes.txt");
    fs::write(&mine, "keep me").expect("write");
    let run = dossier(&["init", path_str(tmp.path())]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    assert!(!tmp.path().join("bundle.yaml").exists());
    assert_eq!(fs::read_to_string(&mine).expect("read"), "keep me");
}

#[test]
fn schema_prints_the_json_schema() {
    let run = dossier(&["schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).expect("schema is JSON");
    assert!(schema["properties"]["references"].is_object(), "{schema}");
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org"))
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for key in [
        "format",
        "checklist",
        "as_of",
        "category",
        "partner",
        "solution",
    ] {
        assert!(required.contains(&key), "{key} is required");
    }
}

#[test]
fn the_samples_conform_to_the_published_schema() {
    let run = dossier(&["schema"]);
    let schema: Value = serde_json::from_str(&run.stdout).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for name in ["acme-forecast", "northwind-vision"] {
        let text =
            fs::read_to_string(repo(&format!("samples/{name}/bundle.yaml"))).expect("sample");
        let value: Value = serde_saphyr::from_str(&text).expect("sample is YAML");
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    let wrong: Value = serde_json::json!({"format": 1, "refrences": []});
    assert!(!validator.is_valid(&wrong));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(dossier(&["check"]).code, 2);
    assert_eq!(dossier(&["frobnicate"]).code, 2);
    let run = dossier(&["check", "/nonexistent/dossier-bundle"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not found"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let tmp = tempfile::tempdir().expect("temp dir");
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bundle.yaml"), "{}", run.stderr);
}

// Invalid bundles ----------------------------------------------------------------------

/// What `check` must print for one fixture under tests/fixtures/invalid/.
struct Invalid {
    name: &'static str,
    /// `line:column` of the problem; "" for a problem with the file as a whole.
    at: &'static str,
    /// The key path, as printed before the message; "" when the problem has none.
    key: &'static str,
    message: &'static str,
    /// The `help:` line, when there is one.
    hint: Option<&'static str>,
}

const INVALID: &[Invalid] = &[
    Invalid {
        name: "unknown-key-did-you-mean",
        at: "12:5",
        key: "references[0].lesons",
        message: "unknown key `lesons`",
        hint: Some("did you mean `lessons`?"),
    },
    Invalid {
        name: "bad-enum-with-hint",
        at: "8:13",
        key: "partner.apn_tier",
        message: "`advance` is not one of: registered, select, advanced, premier",
        hint: Some("did you mean `advanced`?"),
    },
    Invalid {
        name: "malformed-date",
        at: "3:8",
        key: "as_of",
        message: "\"20/11/2026\" is not a date in the form YYYY-MM-DD",
        hint: Some("write dates as YYYY-MM-DD"),
    },
    Invalid {
        name: "impossible-date-feb-30",
        at: "12:12",
        key: "references[0].start",
        message: "2026-02-30 is not a day of the calendar",
        hint: Some("write dates as YYYY-MM-DD"),
    },
    Invalid {
        name: "end-before-start",
        at: "15:10",
        key: "references[1].end",
        message: "end 2026-01-12 is before start 2026-06-30",
        hint: None,
    },
    Invalid {
        name: "bad-url",
        at: "7:12",
        key: "partner.website",
        message: "\"acme-analytics.example\" is not a URL",
        hint: Some("write the full address, for example https://"),
    },
    Invalid {
        name: "unknown-region-with-hint",
        at: "10:35",
        key: "solution.regions[2]",
        message: "`eu-wset-1` is not an AWS region code",
        hint: Some("did you mean `eu-west-1`?"),
    },
    Invalid {
        name: "capability-outside-category",
        at: "10:35",
        key: "solution.capabilities[1]",
        message: "`model-training` is not a capability of category saas-api; allowed: computer-vision, nlp, recommendation, anomaly-detection, event-prediction",
        hint: None,
    },
    Invalid {
        name: "review-of-unknown-item",
        at: "11:11",
        key: "reviews[0].item",
        message: "checklist aws-ml-competency-2017-v1.0 has no item \"3.4\"",
        hint: Some("did you mean \"3.1\"?"),
    },
    Invalid {
        name: "missing-required-key",
        at: "5:1",
        key: "partner.name",
        message: "required key is missing",
        hint: Some("add `name:` under `partner`"),
    },
    Invalid {
        name: "list-where-mapping-expected",
        at: "11:3",
        key: "security",
        message: "expected a mapping (key: value lines), found a list",
        hint: None,
    },
    Invalid {
        name: "yaml-syntax-error",
        at: "11:13",
        key: "",
        message: "invalid YAML:",
        hint: Some("check the indentation and the brackets"),
    },
    Invalid {
        name: "duplicate-key",
        at: "11:3",
        key: "solution.in_production",
        message: "duplicate key",
        hint: Some("`solution.in_production` is already set on line 10"),
    },
    Invalid {
        name: "parent-dir-path",
        at: "12:17",
        key: "references[0].documents[0]",
        message: "\"docs/../../secret.pdf\" leaves the bundle folder",
        hint: None,
    },
    Invalid {
        name: "absolute-path",
        at: "11:12",
        key: "architecture.diagram",
        message: "\"/etc/passwd\" is an absolute path",
        hint: None,
    },
    Invalid {
        name: "missing-file",
        at: "12:17",
        key: "references[0].documents[0]",
        message: "file \"docs/globex-design.pdf\" not found in the bundle folder",
        hint: None,
    },
    Invalid {
        name: "diagram-png-that-is-text",
        at: "11:12",
        key: "architecture.diagram",
        message: "\"diagrams/architecture.png\" is not a PNG or JPEG image",
        hint: None,
    },
    Invalid {
        name: "truncated-png",
        at: "11:12",
        key: "architecture.diagram",
        message: "\"diagrams/architecture.png\" does not decode as image/png",
        hint: None,
    },
    Invalid {
        name: "format-2",
        at: "1:9",
        key: "format",
        message: "bundle format 2 is not supported; this dossier reads format 1",
        hint: None,
    },
    Invalid {
        name: "unknown-checklist-id",
        at: "2:12",
        key: "checklist",
        message: "unknown checklist `aws-ml-competency-2018-v1.0`; this dossier ships: aws-ml-competency-2017-v1.0",
        hint: Some("did you mean `aws-ml-competency-2017-v1.0`?"),
    },
    Invalid {
        name: "not-utf8",
        at: "6:12",
        key: "",
        message: "is not UTF-8 text: invalid byte 0xE9",
        hint: Some("save the file as UTF-8"),
    },
    Invalid {
        name: "tab-indentation",
        at: "11:2",
        key: "",
        message: "invalid YAML: tabs disallowed",
        hint: Some("YAML indents with spaces only"),
    },
    Invalid {
        name: "root-is-a-list",
        at: "1:1",
        key: "",
        message: "expected a mapping (key: value lines), found a list",
        hint: None,
    },
    Invalid {
        name: "format-is-text",
        at: "1:9",
        key: "format",
        message: "expected a whole number, found the text \"one\"",
        hint: None,
    },
    Invalid {
        name: "reference-is-text",
        at: "11:5",
        key: "references[0]",
        message: "expected a mapping (key: value lines), found the text \"Globex Retail, 2026\"",
        hint: None,
    },
    Invalid {
        name: "usage-is-a-list",
        at: "14:16",
        key: "references[0].aws_services[0].usage",
        message: "expected text, found a list",
        hint: None,
    },
    Invalid {
        name: "unknown-top-level-key",
        at: "10:1",
        key: "refrences",
        message: "unknown key `refrences`",
        hint: Some("did you mean `references`?"),
    },
    Invalid {
        name: "date-month-13",
        at: "12:12",
        key: "references[0].start",
        message: "2026-13-01 is not a day of the calendar",
        hint: Some("write dates as YYYY-MM-DD"),
    },
    Invalid {
        name: "url-not-http",
        at: "7:12",
        key: "partner.website",
        message: "\"ftp://acme-analytics.example\" must be an http or https URL",
        hint: Some("write the full address"),
    },
    Invalid {
        name: "empty-bundle-yaml",
        at: "",
        key: "",
        message: "bundle.yaml is empty",
        hint: None,
    },
    Invalid {
        name: "empty-diagram",
        at: "11:12",
        key: "architecture.diagram",
        message: "\"diagrams/architecture.png\" is an empty file",
        hint: None,
    },
    Invalid {
        name: "diagram-jpeg-that-is-text",
        at: "11:12",
        key: "architecture.diagram",
        message: "\"diagrams/architecture.jpg\" is not a PNG or JPEG image",
        hint: None,
    },
    Invalid {
        name: "alias-bomb",
        at: "16:17",
        key: "",
        message: "invalid YAML: the document expands to more than 200000 values",
        hint: None,
    },
    Invalid {
        name: "deep-nesting",
        at: "11:47",
        key: "",
        message: "invalid YAML: nested more than 32 levels deep",
        hint: None,
    },
];

#[track_caller]
fn assert_invalid(bundle: &Path, case: &Invalid) -> Run {
    let run = dossier(&["check", path_str(bundle), "--json"]);
    let name = case.name;
    assert_eq!(run.code, 2, "{name}: exit code\n{}", run.stderr);
    assert!(run.stdout.is_empty(), "{name}: stdout {}", run.stdout);
    let err = &run.stderr;
    let place = if case.at.is_empty() {
        "in ".to_string()
    } else {
        format!("bundle.yaml:{}", case.at)
    };
    assert!(err.contains(&place), "{name}: position {}\n{err}", case.at);
    if case.at.is_empty() {
        assert!(!err.contains("bundle.yaml:"), "{name}: no position\n{err}");
    }
    let title = if case.key.is_empty() {
        format!("error: {}", case.message)
    } else {
        format!("error: {}: {}", case.key, case.message)
    };
    assert!(err.contains(&title), "{name}: {title:?}\n{err}");
    match case.hint {
        Some(hint) => assert!(
            err.contains(&format!("help: {hint}")),
            "{name}: hint {hint:?}\n{err}"
        ),
        None => assert!(!err.contains("help:"), "{name}: unexpected hint\n{err}"),
    }
    assert!(
        err.contains("the bundle has 1 problem; nothing was written"),
        "{name}: exactly one problem\n{err}"
    );
    run
}

#[test]
fn every_invalid_fixture_fails_with_its_diagnostic() {
    for case in INVALID {
        assert_invalid(
            &repo(&format!("tests/fixtures/invalid/{}", case.name)),
            case,
        );
    }
}

#[test]
fn every_invalid_fixture_has_an_expectation() {
    let mut listed: BTreeSet<&str> = INVALID.iter().map(|c| c.name).collect();
    listed.insert("several-errors-reported-together");
    let on_disk: BTreeSet<String> = fs::read_dir(repo("tests/fixtures/invalid"))
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    assert_eq!(listed, on_disk);
}

#[test]
fn several_errors_in_one_file_are_reported_together_in_order() {
    let run = dossier(&[
        "check",
        path_str(&repo(
            "tests/fixtures/invalid/several-errors-reported-together",
        )),
    ]);
    assert_eq!(run.code, 2);
    let err = &run.stderr;
    let expected = [
        (
            "bundle.yaml:8:17",
            "error: partner.support_plan: `buisness`",
        ),
        (
            "bundle.yaml:11:24",
            "error: solution.regions[1]: `us-esat-1`",
        ),
        (
            "bundle.yaml:12:18",
            "error: solution.in_production: expected true or false",
        ),
        (
            "bundle.yaml:15:12",
            "error: references[0].start: 2026-13-01",
        ),
        (
            "bundle.yaml:16:5",
            "error: references[0].outcome: unknown key `outcome`",
        ),
        // The checks after the structural ones still run on the rest of the bundle.
        (
            "bundle.yaml:18:17",
            "error: references[0].documents[0]: file \"docs/globex-design.pdf\" not found",
        ),
        (
            "bundle.yaml:21:10",
            "error: references[1].end: end 2026-01-12 is before start 2026-06-30",
        ),
        (
            "bundle.yaml:23:11",
            "error: reviews[0].item: checklist aws-ml-competency-2017-v1.0 has no item \"3.4\"",
        ),
    ];
    let mut last = None;
    for (at, title) in expected {
        let t = err.find(title).unwrap_or_else(|| panic!("{title}\n{err}"));
        let a = err[t..].find(at).unwrap_or_else(|| panic!("{at}\n{err}"));
        assert!(
            last.is_none_or(|l| t > l),
            "{title} comes after the previous one\n{err}"
        );
        assert!(a < 400, "{at} belongs to {title}\n{err}");
        last = Some(t);
    }
    assert!(err.contains("help: did you mean `business`?"), "{err}");
    assert!(err.contains("help: did you mean `us-east-1`?"), "{err}");
    assert!(err.contains("help: did you mean `outcomes`?"), "{err}");
    assert!(
        err.contains("the bundle has 8 problems; nothing was written"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_out_of_the_bundle_is_refused() {
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.pdf");
    fs::write(&secret, "%PDF-1.4 not yours").expect("write");
    let tmp = temp_bundle(format!(
        "{MINIMAL}references:\n  - customer: Globex Retail\n    documents: [docs/inside.pdf, docs/design.pdf]\n"
    ));
    let docs = tmp.path().join("docs");
    fs::create_dir(&docs).expect("docs");
    fs::write(docs.join("real.pdf"), "%PDF-1.4").expect("write");
    // A symlink that stays inside the bundle is fine; one that leaves it is not.
    std::os::unix::fs::symlink("real.pdf", docs.join("inside.pdf")).expect("symlink");
    std::os::unix::fs::symlink(&secret, docs.join("design.pdf")).expect("symlink");
    assert_invalid(
        tmp.path(),
        &Invalid {
            name: "symlink-out-of-bundle",
            at: "12:34",
            key: "references[0].documents[1]",
            message: "\"docs/design.pdf\" points outside the bundle folder",
            hint: None,
        },
    );
}

#[test]
fn an_alias_bomb_fails_cleanly() {
    let mut yaml =
        String::from("format: 1\nlol: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        yaml.push_str(&format!("l{i}: &l{i} [{refs}]\n"));
    }
    let tmp = temp_bundle(yaml);
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("invalid YAML: the document expands to more than"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("bundle.yaml:"), "{}", run.stderr);
}

#[test]
fn deep_nesting_fails_cleanly() {
    const DEPTH: usize = 20_000;
    for yaml in [
        format!(
            "format: 1\nsolution: {}{}\n",
            "[".repeat(DEPTH),
            "]".repeat(DEPTH)
        ),
        format!(
            "format: 1\nsolution: {}x{}\n",
            "{a: ".repeat(DEPTH),
            "}".repeat(DEPTH)
        ),
        format!("format: 1\nsolution: {}\n", "[".repeat(DEPTH)),
    ] {
        let tmp = temp_bundle(yaml);
        let run = dossier(&["check", path_str(tmp.path())]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr
                .contains("invalid YAML: nested more than 32 levels deep"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("bundle.yaml:2:"), "{}", run.stderr);
    }
}

fn bom_crlf(text: &str) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(text.replace('\n', "\r\n").into_bytes());
    bytes
}

#[test]
fn a_bom_and_crlf_line_endings_are_accepted() {
    for name in ["acme-forecast", "northwind-vision"] {
        let tmp = copy_sample(name);
        let yaml = tmp.path().join("bundle.yaml");
        let text = fs::read_to_string(&yaml).expect("read");
        fs::write(&yaml, bom_crlf(&text)).expect("write");
        let (code, mut json) = check_json(tmp.path());
        let (want_code, mut want) = check_json(&repo(&format!("samples/{name}")));
        assert_eq!(code, want_code, "{name}");
        // Advisories name the file as given; their lines and columns must still agree.
        for j in [&mut json, &mut want] {
            for a in j["advisories"].as_array_mut().expect("advisories") {
                a["file"] = Value::Null;
            }
        }
        assert_eq!(json, want, "{name}: the same assessment");
    }
}

#[test]
fn positions_are_right_in_a_bom_crlf_file() {
    let text = fs::read_to_string(repo(
        "tests/fixtures/invalid/bad-enum-with-hint/bundle.yaml",
    ))
    .expect("fixture");
    let tmp = temp_bundle(bom_crlf(&text));
    let run = assert_invalid(
        tmp.path(),
        &Invalid {
            name: "bad-enum-bom-crlf",
            at: "8:13",
            key: "partner.apn_tier",
            message: "`advance` is not one of",
            hint: Some("did you mean `advanced`?"),
        },
    );
    // The snippet shows the line without a stray carriage return.
    assert!(run.stderr.contains("apn_tier: advance\n"), "{}", run.stderr);
}

#[test]
fn an_empty_bundle_yaml_is_refused() {
    let tmp = temp_bundle("# nothing yet\n");
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("bundle.yaml is empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn several_bundles_render_into_one_folder_each_and_an_invalid_one_fails_alone() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = dossier(&[
        "render",
        path_str(&repo("samples/acme-forecast")),
        path_str(&repo("tests/fixtures/invalid/truncated-png/bundle.yaml")),
        path_str(&repo("samples/northwind-vision/bundle.yaml")),
        "--out",
        path_str(out.path()),
        "--format",
        "md",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for good in ["acme-forecast", "northwind-vision"] {
        assert!(
            out.path().join(good).join("packet.md").is_file(),
            "{good}: {}",
            run.stderr
        );
    }
    // The invalid bundle is named with its diagnostics, and nothing is written for it.
    assert!(!out.path().join("truncated-png").exists());
    assert!(
        run.stderr.contains("truncated-png/bundle.yaml:")
            && run.stderr.contains("does not decode as image/png"),
        "{}",
        run.stderr
    );

    // Two bundles with the same folder name would overwrite each other: refused up front.
    let same = dossier(&[
        "render",
        path_str(&repo("samples/acme-forecast")),
        path_str(&repo("samples/acme-forecast/bundle.yaml")),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(same.code, 2);
    assert!(
        same.stderr.contains("would both be written"),
        "{}",
        same.stderr
    );
}
