//! The command-line runner every integration test uses: `dossier` (or any program) run to
//! the end with its exit code and output captured; the paths the tests hand it; and the
//! bundles they make: a minimal one, private copies of the samples, and edits saved the way
//! editors save them.
// Each test crate compiles this module on its own and uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod copy_dir;
pub use copy_dir::copy_dir;

/// What one run of a program gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The `dossier` binary under test as a command, for runs that need more than arguments (a
/// working folder, the environment, stdin); hand it to [`run`] or spawn it.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dossier"))
}

/// Runs `dossier` with `args` and waits for it.
pub fn dossier(args: &[&str]) -> Run {
    run(command().args(args))
}

/// Runs `cmd` to the end. A program that cannot start, or that a signal ends (a crash,
/// an abort), fails the test with what it wrote to stderr.
pub fn run(cmd: &mut Command) -> Run {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{program} cannot be started: {e}"));
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8");
    let Some(code) = out.status.code() else {
        panic!(
            "{program} ended by a signal ({}); stderr:\n{stderr}",
            out.status
        );
    };
    Run {
        code,
        stdout,
        stderr,
    }
}

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One of the sample bundles under `samples/`.
pub fn sample(name: &str) -> PathBuf {
    repo("samples").join(name)
}

/// A private copy of a sample bundle, in a fresh folder, to edit.
pub fn copy_sample(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_dir(&sample(name), tmp.path());
    tmp
}

/// Replaces a file the way editors do: write beside it, then rename over it.
pub fn replace(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(".dossier-test-edit.tmp");
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// Replaces the one occurrence of `from` in the bundle's `bundle.yaml` with `to`, saved the
/// way editors save.
pub fn edit(bundle: &Path, from: &str, to: &str) {
    let path = bundle.join("bundle.yaml");
    let text = std::fs::read_to_string(&path).expect("bundle.yaml");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} once in bundle.yaml"
    );
    replace(&path, text.replacen(from, to, 1).as_bytes());
}

/// A `templates` folder in `dir` whose `gaps.md` words the gaps section "Our wording: N
/// gaps."; returns the folder and that template, which [`reword_gaps`] edits.
pub fn gaps_template(dir: &Path) -> (PathBuf, PathBuf) {
    let templates = dir.join("templates");
    std::fs::create_dir(&templates).expect("templates");
    let gaps = templates.join("gaps.md");
    std::fs::write(
        &gaps,
        "## {{ sections.gaps.title }}\n\nOur wording: {{ gaps | length }} gaps.\n",
    )
    .expect("write");
    (templates, gaps)
}

/// Rewords the template [`gaps_template`] wrote to "Reworded: N gaps.", saved the way
/// editors save.
pub fn reword_gaps(gaps: &Path) {
    replace(
        gaps,
        b"## {{ sections.gaps.title }}\n\nReworded: {{ gaps | length }} gaps.\n",
    );
}

/// The options that show in every output: the reviewer edition on Letter paper, ragged
/// right, with the templates in `templates`.
pub fn shown_options(templates: &Path) -> Vec<&std::ffi::OsStr> {
    vec![
        "--edition".as_ref(),
        "reviewer".as_ref(),
        "--paper".as_ref(),
        "letter".as_ref(),
        "--ragged".as_ref(),
        "--templates".as_ref(),
        templates.as_os_str(),
    ]
}

/// `dossier render BUNDLE --out OUT ARGS…`, which must succeed.
pub fn render_with(bundle: &Path, out: &Path, args: &[&std::ffi::OsStr]) {
    let r = run(command()
        .arg("render")
        .arg(bundle)
        .arg("--out")
        .arg(out)
        .args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// A test path as the `&str` the command line takes.
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// A text file the test needs, naming it when it cannot be read.
pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The smallest bundle that loads: the keys every bundle needs, no references yet. The unit
/// tests include the same file, so there is one bundle to keep valid.
pub const MINIMAL: &str = include_str!("../fixtures/minimal/bundle.yaml");

/// A fresh bundle folder holding `bundle.yaml` with `yaml`.
pub fn temp_bundle(yaml: impl AsRef<[u8]>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("bundle.yaml"), yaml).expect("write bundle.yaml");
    tmp
}
