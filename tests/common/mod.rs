//! Helpers shared by the integration tests that drive the real `dossier` binary.
// Each test crate compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `dossier` with `args` and waits for it.
pub fn dossier(args: &[&str]) -> Run {
    let out = assert_cmd::cargo::cargo_bin_cmd!("dossier")
        .args(args)
        .output()
        .expect("dossier runs");
    Run {
        code: out.status.code().expect("dossier exits with a code"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A test path as the `&str` the command line takes.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// The smallest bundle that loads: the keys every bundle needs, no references yet.
pub const MINIMAL: &str = "format: 1
checklist: aws-ml-competency-2017-v1.0
as_of: 2026-11-20
category: platform
partner:
  name: Acme Analytics, Inc.
  website: https://acme-analytics.example
solution:
  name: Acme Forecast Studio
";

/// A fresh bundle folder holding `bundle.yaml` with `yaml`.
pub fn temp_bundle(yaml: impl AsRef<[u8]>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("bundle.yaml"), yaml).expect("write bundle.yaml");
    tmp
}
