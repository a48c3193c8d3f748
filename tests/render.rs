//! `dossier render`: the Markdown and HTML packets of the samples, hostile user text,
//! anchors, template overrides and all-or-nothing output.

use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

mod common;
use common::{Run, dossier, path_str, read, sample};

fn render(bundle: &Path, out: &Path, formats: &str) -> Run {
    dossier(&[
        "render",
        path_str(bundle),
        "--out",
        path_str(out),
        "--format",
        formats,
    ])
}

/// The HTML with the (large) embedded diagram replaced by its length, for snapshots.
fn redact_data_uris(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(";base64,") {
        let (head, tail) = rest.split_at(i + ";base64,".len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        out.push_str(&format!("<{} base64 chars>", end));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn sample_packets(name: &str) -> (String, String, tempfile::TempDir) {
    let out = tempfile::tempdir().expect("temp dir");
    let r = render(&sample(name), out.path(), "md,html");
    assert_eq!(r.code, 0, "{}", r.stderr);
    (
        read(&out.path().join("packet.md")),
        read(&out.path().join("packet.html")),
        out,
    )
}

#[test]
fn sample_packets_match_their_snapshots() {
    for name in ["acme-forecast", "northwind-vision"] {
        let (md, html, out) = sample_packets(name);
        insta::assert_snapshot!(format!("{name}.packet.md"), md);
        insta::assert_snapshot!(format!("{name}.packet.html"), redact_data_uris(&html));
        // The diagram is copied beside the Markdown and linked relatively; its title, the
        // visible caption, is short, and the long description stays in the alt text only.
        assert!(md.contains("](assets/architecture.png \"Architecture of "));
        let caption = html
            .split("<figcaption>")
            .nth(1)
            .and_then(|rest| rest.split("</figcaption>").next())
            .unwrap_or_default();
        assert!(
            caption.starts_with("Architecture of ") && caption.len() < 80,
            "{caption}"
        );
        assert!(out.path().join("assets/architecture.png").is_file());
    }
}

/// Anchors of every heading, computed as GitHub does.
fn heading_anchors(md: &str) -> Vec<String> {
    let mut slugger = dossier::slug::Slugger::default();
    let mut anchors = Vec::new();
    let mut text: Option<String> = None;
    for ev in Parser::new_ext(md, dossier::packet::escape::options()) {
        match ev {
            Event::Start(Tag::Heading { .. }) => text = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => {
                anchors.push(slugger.slug(&text.take().unwrap_or_default()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(s) = text.as_mut() {
                    s.push_str(&t);
                }
            }
            _ => {}
        }
    }
    anchors
}

fn internal_links(md: &str) -> Vec<String> {
    Parser::new_ext(md, dossier::packet::escape::options())
        .filter_map(|ev| match ev {
            Event::Start(Tag::Link { dest_url, .. }) if dest_url.starts_with('#') => {
                Some(dest_url[1..].to_string())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn every_internal_link_lands_on_a_heading() {
    for name in ["acme-forecast", "northwind-vision"] {
        let (md, html, _out) = sample_packets(name);
        let anchors = heading_anchors(&md);
        let links = internal_links(&md);
        assert!(
            links.len() > 20,
            "{name}: only {} internal links",
            links.len()
        );
        for l in &links {
            assert!(
                anchors.contains(l),
                "{name}: #{l} has no heading; anchors: {anchors:?}"
            );
            assert!(
                html.contains(&format!("id=\"{l}\"")),
                "{name}: HTML lacks id {l}"
            );
        }
    }
}

#[test]
fn packet_has_the_sections_of_the_contract_in_order() {
    let (md, _, _out) = sample_packets("northwind-vision");
    let order = [
        "# Northwind Inspect API",
        "## Contents",
        "## Prerequisites",
        "## Customer references",
        "### Reference 1: Brightwater Beverages",
        "#### Name of the customer",
        "#### Problem statement/definition",
        "#### What you proposed",
        "#### How AWS services were used as part of the solution",
        "#### Third party applications or solutions used",
        "#### Start and end dates of project",
        "#### Outcome(s)/results",
        "#### Lessons learned",
        "## Solution details",
        "## Security",
        "reference architecture",
        "## Completed checklist",
        "## Gaps",
    ];
    let mut at = 0;
    for needle in order {
        let found = md[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing or out of order"));
        at += found + needle.len();
    }
    // The checklist table has a row per item, each with six cells.
    let rows: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("## Completed checklist"))
        .filter(|l| l.starts_with("| **"))
        .collect();
    assert_eq!(rows.len(), 16);
    for row in rows {
        let cells = row.replace("\\|", "").matches('|').count() - 1;
        assert_eq!(cells, 6, "{row}");
    }
    // Gaps name what to add.
    assert!(md.contains("- **P2 AWS Support**"));
    assert!(md.contains("`partner.support_plan`"));
}

const HOSTILE: &str = r#"<script>alert("x")</script> <iframe src="https://evil.example/"></iframe> <style>body{display:none}</style> <img src=x onerror="alert(1)"> [click](javascript:alert(1)) A|B & "Co" <b>"#;

/// A valid bundle with hostile markup in every free-text field.
fn hostile_bundle(dir: &Path) {
    let h = HOSTILE.replace('"', "\\\"");
    let block = HOSTILE.replace('\n', " ");
    let yaml = format!(
        r##"format: 1
checklist: aws-ml-competency-2017-v1.0
as_of: 2026-11-20
category: platform
partner:
  name: "Evil <Corp> & \"Sons\" | Ltd"
  website: https://evil-corp.example
  apn_tier: advanced
  support_plan: business
  contact: {{ name: "{h}", email: "x@evil-corp.example" }}
  certified_staff:
    - {{ name: "{h}", certification: "{h}", level: associate, expires: 2027-01-01 }}
solution:
  name: "Solution <X> & \"Y\""
  summary: |
    {block}
    # Not a heading
  regions: [us-east-1, eu-west-1, ap-southeast-2]
  availability: [saas]
  in_production: true
  lifecycle: |
    {block}
  aws_ml_integration: |
    {block}
  predictive_functionality: |
    {block}
  capabilities: [model-training]
  data_sources: [structured, unstructured]
architecture:
  title: "Arch <i>itecture</i>"
  overview: |
    {block}
  aws_services: ["{h}"]
  high_availability: |
    {block}
  pillars:
    operational_excellence: |
      {block}
    security: |
      {block}
    reliability: |
      {block}
    performance_efficiency: |
      {block}
    cost_optimization: |
      {block}
security:
  best_practices: |
    {block}
  risk_and_compliance: |
    {block}
  deployment: saas
  asks_for_customer_credentials: false
  cross_account_roles: true
  governance:
    iam: |
      {block}
    cloudtrail: |
      {block}
references:
  - customer: "Globex <script>alert(2)</script> | & \"Q\""
    public: true
    public_evidence: {{ url: "https://evil-corp.example/case", kind: case-study, covers: [customer-name] }}
    problem: |
      {block}
    proposal: |
      {block}
    aws_services:
      - {{ service: "{h}", usage: "{h}" }}
    third_party: ["{h}"]
    start: 2026-01-01
    end: 2026-06-01
    stage: production
    outcomes: |
      {block}
    lessons: |
      {block}
    documents: ["docs/a <b>.pdf"]
reviews:
  - {{ item: "3.1", status: met, note: "{h}", by: "{h}" }}
"##
    );
    std::fs::create_dir_all(dir.join("docs")).expect("docs dir");
    std::fs::write(dir.join("docs/a <b>.pdf"), b"%PDF-1.4\n").expect("doc");
    std::fs::write(dir.join("bundle.yaml"), yaml).expect("bundle");
}

#[test]
fn hostile_markup_in_every_field_is_shown_as_text() {
    let bundle = tempfile::tempdir().expect("temp dir");
    hostile_bundle(bundle.path());
    let out = tempfile::tempdir().expect("temp dir");
    let r = render(bundle.path(), out.path(), "md,html");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = read(&out.path().join("packet.html"));
    let lower = html.to_lowercase();
    assert_eq!(
        lower.matches("<script").count(),
        0,
        "a script reached the page"
    );
    assert_eq!(lower.matches("<iframe").count(), 0);
    assert_eq!(
        lower.matches("<style").count(),
        1,
        "only the packet's own stylesheet"
    );
    // The text "javascript:" may show (it was typed), but never as a link target.
    for attr in [
        "href=\"javascript:",
        "src=\"javascript:",
        "href='javascript:",
    ] {
        assert!(!lower.contains(attr), "{attr} reached the page");
    }
    assert!(
        html.contains(" click A|B"),
        "the unsafe link keeps its text"
    );
    assert!(!lower.contains("<img src=x"));
    assert!(
        !lower.contains("<b>"),
        "raw tags from user text are text, not markup"
    );
    // No event-handler attribute inside any tag.
    for tag in html.split('<').skip(1) {
        let inside = tag.split('>').next().unwrap_or_default().to_lowercase();
        assert!(
            !inside
                .split_whitespace()
                .any(|w| w.starts_with("on") && w.contains('=')),
            "event handler in <{inside}>"
        );
    }
    // Names with <, & and " show as text.
    // Straight quotes are set as curly ones (smart punctuation), still as text.
    let partner = "Evil &lt;Corp&gt; &amp; “Sons” | Ltd";
    assert!(
        html.contains(partner),
        "partner name: {}",
        &html[html.find("Evil").unwrap_or(0)..][..80]
    );
    assert!(html.contains("Globex &lt;script&gt;alert(2)&lt;/script&gt; | &amp; “Q”"));
    assert!(html.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt;"));
    // A user's "# line" is not a heading of the packet: a run-in subheading.
    assert!(html.contains("<p class=\"subhead\"><strong>Not a heading</strong></p>"));

    // The Markdown keeps its structure: one H1, tables with their columns.
    let md = read(&out.path().join("packet.md"));
    assert_eq!(md.lines().filter(|l| l.starts_with("# ")).count(), 1);
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| **")).collect();
    assert_eq!(rows.len(), 16);
    for row in rows {
        let mut cells = 0;
        let mut prev = ' ';
        for c in row.chars() {
            if c == '|' && prev != '\\' {
                cells += 1;
            }
            prev = c;
        }
        assert_eq!(cells - 1, 6, "{row}");
    }
}

/// A bundle whose reference's proposal carries headings pasted from a document.
const HEADINGS_IN_PROSE: &str = concat!(
    include_str!("fixtures/minimal/bundle.yaml"),
    "references:
  - customer: Globex Retail
    proposal: |
      Daily forecasts per store.
      ## API surprises to watch out for
      The SDK retries throttled calls <b>silently</b>.

      Setext heading <i>too</i>
      ---
      - one
      - two
"
);

#[test]
fn a_heading_inside_prose_is_a_run_in_subheading_not_a_packet_heading() {
    let bundle = tempfile::tempdir().expect("temp dir");
    std::fs::write(bundle.path().join("bundle.yaml"), HEADINGS_IN_PROSE).expect("bundle");
    let out = tempfile::tempdir().expect("temp dir");
    let r = render(bundle.path(), out.path(), "md,html");
    assert_eq!(r.code, 0, "{}", r.stderr);

    let md = read(&out.path().join("packet.md"));
    assert!(
        md.contains(
            "Daily forecasts per store.\n\n**API surprises to watch out for**\n\nThe SDK retries"
        ),
        "{md}"
    );
    assert!(
        md.contains("\n**Setext heading &lt;i>too&lt;/i>**\n\n- one"),
        "{md}"
    );
    assert!(!md.contains("## API") && !md.contains("\\#"), "{md}");
    // Not in the contents, which lists the packet's own headings.
    assert_eq!(md.matches("API surprises").count(), 1, "{md}");

    let html = read(&out.path().join("packet.html"));
    assert!(
        html.contains("<p class=\"subhead\"><strong>API surprises to watch out for</strong></p>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<p class=\"subhead\"><strong>Setext heading &lt;i&gt;too&lt;/i&gt;</strong></p>"
        ),
        "{html}"
    );
    assert!(
        !html.contains("<b>") && !html.contains("<i>"),
        "raw HTML stays text"
    );
    assert!(!html.contains("## API"), "{html}");
    assert!(
        !html.contains("id=\"api-surprises"),
        "no heading anchor: {html}"
    );
    // The paragraphs around it stay plain paragraphs.
    assert!(html.contains("<p>Daily forecasts per store.</p>"), "{html}");
}

#[test]
fn a_failed_render_leaves_the_earlier_packet_untouched() {
    let out = tempfile::tempdir().expect("temp dir");
    let good = render(&sample("acme-forecast"), out.path(), "md,html");
    assert_eq!(good.code, 0, "{}", good.stderr);
    let before_md = std::fs::read(out.path().join("packet.md")).expect("md");
    let before_html = std::fs::read(out.path().join("packet.html")).expect("html");

    let bad = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        bad.path().join("bundle.yaml"),
        "format: 1\nchecklist: nope\n",
    )
    .expect("write");
    let r = render(bad.path(), out.path(), "md,html");
    assert_eq!(r.code, 2);
    assert_eq!(
        std::fs::read(out.path().join("packet.md")).expect("md"),
        before_md
    );
    assert_eq!(
        std::fs::read(out.path().join("packet.html")).expect("html"),
        before_html
    );
    let stray: Vec<_> = std::fs::read_dir(out.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".dossier"))
        .collect();
    assert!(stray.is_empty());

    // A broken template is a clear error too, and still nothing changes.
    let templates = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        templates.path().join("gaps.md"),
        "## Gaps\n{{ no_such_value }}\n",
    )
    .expect("write");
    let r = dossier(&[
        "render",
        path_str(&sample("acme-forecast")),
        "--out",
        path_str(out.path()),
        "--format",
        "md",
        "--templates",
        path_str(templates.path()),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("template"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(out.path().join("packet.md")).expect("md"),
        before_md
    );
}

#[test]
fn output_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let r = render(&sample("acme-forecast"), &file.join("out"), "md");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("a-file"), "{}", r.stderr);
}

#[test]
fn templates_folder_replaces_defaults_by_name() {
    let templates = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        templates.path().join("gaps.md"),
        "## {{ sections.gaps.title }}\n\nPartner-specific gap wording: {{ gaps | length }} gaps.\n",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("temp dir");
    let r = dossier(&[
        "render",
        path_str(&sample("northwind-vision")),
        "--out",
        path_str(out.path()),
        "--format",
        "md",
        "--templates",
        path_str(templates.path()),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let md = read(&out.path().join("packet.md"));
    assert!(md.contains("Partner-specific gap wording: 6 gaps."), "{md}");
    // The other templates are still the defaults.
    assert!(md.contains("## Completed checklist"));
    assert!(!out.path().join("packet.html").exists());
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    for dir in [&a, &b] {
        let r = render(&sample("northwind-vision"), dir.path(), "md,html");
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    for f in ["packet.md", "packet.html"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).expect("a"),
            std::fs::read(b.path().join(f)).expect("b"),
            "{f}"
        );
    }
}
