//! Bundle loading: arbitrary bytes as `bundle.yaml` in a folder that also holds a small valid
//! diagram and a supporting document, so the file checks run too. A bundle that loads is
//! assessed as well. Anything but a clean `Ok` or `Err` (panic, overflow, hang, memory blow-up)
//! is a finding.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// A 1×1 grey PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x68, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x81, 0x77, 0xCD, 0x72, 0xB6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fn bundle_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("dossier-fuzz-bundle-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("diagrams")).expect("diagrams folder");
        std::fs::create_dir_all(dir.join("docs")).expect("docs folder");
        std::fs::write(dir.join("diagrams/architecture.png"), PNG).expect("diagram");
        std::fs::write(dir.join("docs/design.pdf"), b"%PDF-1.4\n").expect("document");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = bundle_dir();
    std::fs::write(dir.join("bundle.yaml"), data).expect("write bundle.yaml");
    match dossier::bundle::load(dir) {
        Ok(loaded) => {
            let assessment = dossier::assess::evaluate(&loaded.bundle, loaded.checklist);
            let _ = assessment.to_json();
        }
        Err(e) => {
            let _ = e.render();
        }
    }
});
