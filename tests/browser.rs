//! The HTML packet in a real browser: headless Chromium loads it from disk with no network
//! requests and no console messages, the diagram decodes, the status badges and contents are
//! there, and nothing overflows at phone width.
//!
//! Needs `chromium` (Debian package; `.ci/run` installs it). Set `DOSSIER_SKIP_BROWSER=1` to
//! skip on a machine without it; otherwise a missing browser is a failure, not a pass.

use std::path::Path;
use std::process::Command;

mod common;
use common::command;

#[path = "common/chromium.rs"]
mod chromium;
use chromium::{chromium_or_skip, headless};

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
