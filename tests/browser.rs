//! The HTML packet in a real browser: headless Chromium loads it from disk with no network
//! requests and no console messages, the diagram decodes, the status badges and contents are
//! there, and nothing overflows at phone width; in every edition of both samples, at 1280
//! and 800 pixels, no table breaks a word across lines or lets a cell's content spill out of
//! it; and axe-core finds no accessibility violation (WCAG 2.0, 2.1 and 2.2, A and AA, and
//! its best practices).
//!
//! Needs `chromium` and axe-core in `.test-tools/node_modules`, which `tests/run.sh`
//! installs. Set `DOSSIER_SKIP_BROWSER=1` to skip on a machine without Chromium; otherwise a
//! missing browser or axe-core is a failure, not a pass.

use std::path::Path;
use std::process::Command;

mod common;
use common::command;

#[path = "common/chromium.rs"]
mod chromium;
use chromium::{chromium_or_skip, headless};

#[path = "common/devtools.rs"]
mod devtools;
use devtools::Browser;

/// Headless Chromium at `width` pixels, with time to load the page.
fn browser(bin: &Path, profile: &Path, width: u32) -> Command {
    let mut cmd = headless(bin, profile);
    cmd.args(["--hide-scrollbars", "--virtual-time-budget=5000"])
        .arg(format!("--window-size={width},1400"));
    cmd
}

/// Runs the probe page and returns the JSON it left on `<body data-test=…>`.
fn probe(bin: &Path, page: &Path, width: u32) -> (serde_json::Value, String) {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = browser(bin, profile.path(), width)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let marker = "data-test=\"";
    let start = dom
        .find(marker)
        .unwrap_or_else(|| panic!("probe did not run; stderr:\n{stderr}"))
        + marker.len();
    let end = start + dom[start..].find('"').expect("attribute ends");
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let value: serde_json::Value = serde_json::from_str(&json).expect("probe JSON");
    (value, stderr)
}

/// Blocks every fetch except inline styles, `data:` images and the probe itself, so any
/// request the page tries shows up as a violation.
const CSP: &str = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">"#;

const PROBE: &str = r#"<script>
const violations = [];
document.addEventListener('securitypolicyviolation', e => violations.push(e.blockedURI));
addEventListener('load', () => {
  const img = document.images[0];
  const r = {
    image_decoded: !!img && img.complete && img.naturalWidth > 0,
    image_width: img ? img.naturalWidth : 0,
    h1: document.querySelector('h1') ? document.querySelector('h1').textContent : null,
    nav_links: document.querySelectorAll('nav.toc a').length,
    met_badges: document.querySelectorAll('.status.met').length,
    not_met_badges: document.querySelectorAll('.status.not-met').length,
    th: document.querySelectorAll('th').length,
    text: document.body.innerText.slice(0, 20000),
    overflow: document.documentElement.scrollWidth > innerWidth + 1,
    violations: violations,
    requests: performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:')),
    dash_cells: [...document.querySelectorAll(':is(#completed-checklist, #checklist-for-review) + p + .table-wrap tbody td')].filter(c => c.textContent.trim() === '—').length,
    dash_cells_shown: [...document.querySelectorAll(':is(#completed-checklist, #checklist-for-review) + p + .table-wrap tbody td')].filter(c => c.textContent.trim() === '—' && c.getBoundingClientRect().width > 1).map(c => c.closest('tr').cells[0].textContent),
    badge_colour: (() => { const b = document.querySelector('.status.not-met'); return b ? getComputedStyle(b).color : null; })(),
  };
  document.body.setAttribute('data-test', JSON.stringify(r));
});
</script>"#;

#[test]
fn chromium_loads_the_packet_offline_with_the_diagram_and_statuses() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let out = tempfile::tempdir().expect("temp dir");
    let status = command()
        .args([
            "render",
            "samples/northwind-vision",
            "--format",
            "html",
            "--out",
        ])
        .arg(out.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("dossier runs");
    assert!(status.success());
    let page = out.path().join("packet.html");
    let html = std::fs::read_to_string(&page).expect("page");

    // The page as written carries no script at all; the probe is added to a copy.
    assert!(!html.to_lowercase().contains("<script"));
    let probe_page = out.path().join("probe.html");
    let probed = html
        .replacen("<head>", &format!("<head>\n{CSP}"), 1)
        .replace("</body>", &format!("{PROBE}</body>"));
    std::fs::write(&probe_page, probed).expect("probe page");

    for width in [1200, 390] {
        let (r, logs) = probe(&bin, &probe_page, width);
        assert_eq!(
            r["image_decoded"], true,
            "diagram did not decode at {width}px"
        );
        assert!(r["image_width"].as_u64().unwrap_or(0) > 500);
        assert_eq!(
            r["h1"].as_str(),
            Some("Northwind Inspect API — AWS Machine Learning Competency application")
        );
        assert!(r["nav_links"].as_u64().unwrap_or(0) >= 12, "{r}");
        // 16 checklist rows plus the prerequisite statuses.
        assert!(r["met_badges"].as_u64().unwrap_or(0) >= 10, "{r}");
        assert!(r["not_met_badges"].as_u64().unwrap_or(0) >= 6, "{r}");
        assert!(r["th"].as_u64().unwrap_or(0) >= 6);
        assert_eq!(r["badge_colour"].as_str(), Some("rgb(163, 35, 28)"));
        // A Met item's card shows no "Reasons: —" or "Reviewer decision: —" line, yet its
        // row keeps those cells for screen readers.
        assert!(r["dash_cells"].as_u64().unwrap_or(0) >= 10, "{r}");
        assert_eq!(
            r["dash_cells_shown"],
            serde_json::json!([]),
            "empty lines shown at {width}px"
        );
        let text = r["text"].as_str().unwrap_or_default();
        assert!(text.contains("Not Met") && text.contains("Brightwater Beverages"));
        assert_eq!(
            r["overflow"], false,
            "page wider than the window at {width}px"
        );
        // The page requested nothing, and logged nothing to the console.
        assert_eq!(
            r["violations"],
            serde_json::json!([]),
            "blocked requests at {width}px"
        );
        assert_eq!(
            r["requests"],
            serde_json::json!([]),
            "requests at {width}px"
        );
        assert!(
            !logs.contains("CONSOLE("),
            "console output at {width}px:\n{logs}"
        );
    }

    // Screenshots of the real page, desktop and phone, for people to look at.
    for (width, name) in [(1200, "desktop.png"), (390, "phone.png")] {
        let profile = tempfile::tempdir().expect("profile dir");
        let shot = out.path().join(name);
        let status = browser(&bin, profile.path(), width)
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("chromium runs");
        assert!(status.status.success());
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000, "{name}");
    }
}

// Every edition of both samples -------------------------------------------------------------

const SAMPLES: [&str; 2] = ["acme-forecast", "northwind-vision"];
const EDITIONS: [&str; 3] = ["partner", "reviewer", "public"];

/// The HTML packet of `sample` in `edition`, rendered into `out`.
fn sample_page(sample: &str, edition: &str, out: &Path) -> std::path::PathBuf {
    let html = out.join(edition);
    let run = common::run(
        command()
            .arg("render")
            .arg(common::sample(sample))
            .args(["--format", "html", "--edition", edition, "--out"])
            .arg(&html),
    );
    assert_eq!(run.code, 0, "{sample} {edition}: {}", run.stderr);
    html.join("packet.html")
}

/// Opens the HTML packet of every edition of both samples at 1280 and 800 pixels wide in one
/// browser and hands each page to `look`, with a label naming sample, edition and width.
fn each_page(bin: &Path, mut look: impl FnMut(&mut Browser, &str)) {
    let mut browser = Browser::start(bin);
    for sample in SAMPLES {
        for edition in EDITIONS {
            let out = tempfile::tempdir().expect("temp dir");
            let page = sample_page(sample, edition, out.path());
            for width in [1280, 800] {
                browser.set_width(width);
                browser.open(&page);
                look(&mut browser, &format!("{sample} {edition} at {width}px"));
            }
        }
    }
}

/// Every table cell on the page that is laid out broader than a pixel (a header shown only
/// to screen readers is clipped to one): a word broken across lines anywhere but after a
/// hyphen, dash or slash it contains, a date or a code name of up to 20 characters broken
/// at all, and content wider than its cell.
const TABLE_PROBLEMS: &str = r#"(() => {
  const problems = [];
  const breakable = new Set(['-', '\u2010', '\u2013', '\u2014', '/']);
  const whole = (node, word) => {
    const code = node.parentElement.closest('code');
    return /\d{4}-\d{2}-\d{2}/.test(word) || (code !== null && code.textContent.length <= 20);
  };
  const line = rects => new Set([...rects].filter(r => r.width > 0).map(r => Math.round(r.top)));
  const where = cell => {
    let el = cell.closest('.table-wrap');
    while (el && !/^H[1-4]$/.test(el.tagName)) el = el.previousElementSibling;
    const row = cell.closest('tr');
    return (el ? el.id : '?') + ', row ' + [...row.parentNode.children].indexOf(row) + ' of ' + row.parentNode.tagName.toLowerCase() + ', cell ' + (cell.cellIndex + 1);
  };
  for (const cell of document.querySelectorAll('th, td')) {
    const box = cell.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (cell.scrollWidth > cell.clientWidth) {
      problems.push('spills out of its cell by ' + (cell.scrollWidth - cell.clientWidth) + 'px: ' + where(cell) + ': ' + JSON.stringify(cell.innerText.slice(0, 80)));
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      const words = /\S+/g;
      for (let m; (m = words.exec(node.data));) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (line(range.getClientRects()).size <= 1) continue;
        // Which lines each character is on: a new line may start only after a hyphen, and
        // not even there in a date or a short code name.
        const unbreakable = whole(node, m[0]);
        let previous = null;
        for (let i = 0; i < m[0].length; i++) {
          range.setStart(node, m.index + i);
          range.setEnd(node, m.index + i + 1);
          const top = [...line(range.getClientRects())][0];
          if (top === undefined) continue;
          if (previous !== null && top !== previous && (unbreakable || !breakable.has(m[0][i - 1]))) {
            problems.push('word broken across lines: ' + JSON.stringify(m[0].slice(0, i) + '|' + m[0].slice(i)) + ' in ' + where(cell));
          }
          previous = top;
        }
      }
    }
  }
  return problems;
})()"#;

#[test]
fn tables_break_lines_only_between_words_and_no_cell_spills_in_any_edition() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let mut problems = Vec::new();
    let mut checked_cells = 0;
    each_page(&bin, |browser, page| {
        let cells = browser.eval("document.querySelectorAll('th, td').length");
        checked_cells += cells.as_u64().unwrap_or(0);
        let found = browser.eval(TABLE_PROBLEMS);
        for p in found.as_array().expect("a list of problems") {
            problems.push(format!("{page}: {}", p.as_str().unwrap_or_default()));
        }
    });
    // The samples' pages have a few hundred cells each; none measured would prove nothing.
    assert!(checked_cells > 1000, "only {checked_cells} cells measured");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// axe-core as `tests/run.sh` installs it.
fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".test-tools/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is not installed at {} ({e}): run tests/run.sh, which installs it",
            path.display()
        )
    })
}

/// WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2 added AA rules only), and axe's best
/// practices; each violation as its rule, what it asks, and up to three of the elements.
const AXE_RUN: &str = r#"axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
  resultTypes: ['violations'],
}).then(r => ({
  rules: r.passes.length + r.violations.length + r.incomplete.length + r.inapplicable.length,
  violations: r.violations.map(v => v.id + ' (' + v.help + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')),
}))"#;

#[test]
fn axe_core_finds_no_accessibility_violation_in_any_edition() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let axe = axe_source();
    let mut violations = Vec::new();
    // Both widths: the contents links' spacing (target-size) depends on the layout.
    each_page(&bin, |browser, page| {
        browser.eval(&format!("{axe}\n;true"));
        let result = browser.eval(AXE_RUN);
        let rules = result["rules"].as_u64().unwrap_or(0);
        assert!(rules > 50, "{page}: axe ran only {rules} rules: {result}");
        for v in result["violations"].as_array().expect("violations") {
            violations.push(format!("{page}: {}", v.as_str().unwrap_or_default()));
        }
    });
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_reviewer_checklist_shows_no_empty_reasons_line() {
    let Some(bin) = chromium_or_skip() else {
        return;
    };
    let out = tempfile::tempdir().expect("temp dir");
    let page = sample_page("northwind-vision", "reviewer", out.path());
    let probe_page = out.path().join("probe.html");
    let html = std::fs::read_to_string(&page).expect("page");
    let probed = html
        .replacen("<head>", &format!("<head>\n{CSP}"), 1)
        .replace("</body>", &format!("{PROBE}</body>"));
    std::fs::write(&probe_page, probed).expect("probe page");
    let (r, _) = probe(&bin, &probe_page, 1200);
    // Met items with "—" for their reasons, kept in the row but not shown.
    assert!(r["dash_cells"].as_u64().unwrap_or(0) >= 9, "{r}");
    assert_eq!(r["dash_cells_shown"], serde_json::json!([]), "{r}");
}
