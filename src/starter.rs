//! `dossier init`: a starter bundle with every key and a comment on each.

use std::path::Path;

use crate::Error;

const STARTER: &str = include_str!("data/starter-bundle.yaml");

/// The starter `bundle.yaml`, judged on `as_of`.
pub fn bundle_yaml(as_of: jiff::civil::Date) -> String {
    STARTER.replace("{AS_OF}", &as_of.to_string())
}

/// Writes a starter bundle into `dir`, which must be missing or empty.
pub fn init(dir: &Path, as_of: jiff::civil::Date) -> Result<(), Error> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        if entries.next().is_some() {
            return Err(Error::Usage(format!(
                "{} is not empty; `dossier init` only writes into a new or empty folder",
                dir.display()
            )));
        }
    }
    for sub in ["", "diagrams", "docs"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
    }
    let path = dir.join("bundle.yaml");
    std::fs::write(&path, bundle_yaml(as_of)).map_err(|e| Error::io(&path, e))
}
