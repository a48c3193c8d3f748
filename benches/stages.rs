//! Stage benchmarks (divan): load, assess, and each output format through the public API.
//!
//!   cargo bench --bench stages
//!
//! Runs on the sample packet, and on `target/synth-100` when it exists
//! (`cargo run --release --example synth -- 100 target/synth-100`). The Markdown stage is the
//! template rendering every format starts from; HTML and PDF include it, so their own cost
//! is the difference. `benches/whole-process.sh` measures the whole command.

use std::path::{Path, PathBuf};

use dossier::render::{Format, RenderOptions};

fn main() {
    divan::main();
}

const BUNDLES: &[&str] = &["samples/acme-forecast", "target/synth-100"];

fn bundle(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    path.join("bundle.yaml").is_file().then_some(path)
}

fn loaded(rel: &str) -> Option<(dossier::bundle::Loaded, dossier::assess::Assessment)> {
    let loaded = dossier::bundle::load(&bundle(rel)?).expect("bundle loads");
    let assessment = dossier::assess::evaluate(&loaded.bundle, loaded.checklist);
    Some((loaded, assessment))
}

fn options(formats: &[Format]) -> RenderOptions {
    RenderOptions {
        formats: formats.to_vec(),
        ..RenderOptions::default()
    }
}

#[divan::bench(args = BUNDLES)]
fn load(b: divan::Bencher, rel: &str) {
    let Some(path) = bundle(rel) else { return };
    b.bench(|| dossier::bundle::load(&path).expect("bundle loads"));
}

#[divan::bench(args = BUNDLES)]
fn assess(b: divan::Bencher, rel: &str) {
    let Some((loaded, _)) = loaded(rel) else {
        return;
    };
    b.bench(|| dossier::assess::evaluate(&loaded.bundle, loaded.checklist));
}

fn render(b: divan::Bencher, rel: &str, formats: &[Format]) {
    let Some((loaded, assessment)) = loaded(rel) else {
        return;
    };
    let opts = options(formats);
    // The advisories are found inside the loop, as every render of the command line does.
    b.bench(|| {
        let advisories = dossier::advise::review(&loaded);
        dossier::render::render(&loaded, &assessment, &advisories, &opts).expect("renders")
    });
}

#[divan::bench(args = BUNDLES)]
fn markdown(b: divan::Bencher, rel: &str) {
    render(b, rel, &[Format::Md]);
}

#[divan::bench(args = BUNDLES)]
fn html(b: divan::Bencher, rel: &str) {
    render(b, rel, &[Format::Html]);
}

#[divan::bench(args = BUNDLES, sample_count = 10)]
fn pdf(b: divan::Bencher, rel: &str) {
    render(b, rel, &[Format::Pdf]);
}

/// All three formats, rendered in parallel as `dossier render` does.
#[divan::bench(args = BUNDLES, sample_count = 10)]
fn all_formats(b: divan::Bencher, rel: &str) {
    render(b, rel, &[Format::Md, Format::Html, Format::Pdf]);
}
