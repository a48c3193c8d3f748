//! Headless Chromium for the tests that open the packet in a real browser (tests/browser.rs,
//! tests/serve.rs), shared through `#[path]`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The installed Chromium, or `None` — the test then skips — when it is missing and
/// `DOSSIER_SKIP_BROWSER` is set. Missing without that variable fails the test: a browser
/// test that cannot run is not a pass.
pub fn chromium_or_skip() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        });
    if found.is_none() {
        if std::env::var_os("DOSSIER_SKIP_BROWSER").is_some() {
            eprintln!("skipped: no chromium and DOSSIER_SKIP_BROWSER is set");
        } else {
            panic!(
                "chromium is not installed: tests/run.sh installs it (or set DOSSIER_SKIP_BROWSER=1)"
            );
        }
    }
    found
}

/// Headless Chromium with its own profile folder and the flags that keep it off the
/// (closed) network: without them it keeps trying to reach it.
pub fn headless(bin: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}
