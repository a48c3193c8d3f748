//! The yearly record of a submission: `dossier archive` writes a folder holding the three
//! renderings, the bundle exactly as it was read, `assessment.json` and a `MANIFEST` of
//! SHA-256 hashes; `dossier verify` checks the hashes and re-renders to prove the record.
//! A packet PDF is a record too: `dossier verify packet.pdf` re-renders it from the bundle it
//! carries, with the settings its metadata records, and compares the bytes.
//!
//! Promises: an archive is written beside its destination and renamed into place only when
//! complete, and never replaces an existing one; the renderings are made from the archived
//! copy of the bundle, so `verify` re-renders from exactly the bytes that produced them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::Error;
use crate::assess;
use crate::bundle::{self, Loaded};
use crate::output;
use crate::pdf::Paper;
use crate::record::{self, BUNDLE_DIR, Files};
use crate::render::{self, Format, RenderOptions};

/// The manifest's file name, at the top of the archive.
pub const MANIFEST: &str = "MANIFEST";
const MAGIC: &str = "dossier archive 1";
const SELF_HASH: &str = "manifest-sha256: ";

/// How the archived PDF is typeset; recorded in the manifest so `verify` can repeat it.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveOptions {
    pub paper: Paper,
    pub justify: bool,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            paper: Paper::A4,
            justify: true,
        }
    }
}

/// The archive folder name: `<as_of>-<partner-slug>`.
pub fn folder_name(loaded: &Loaded) -> String {
    format!(
        "{}-{}",
        loaded.bundle.as_of,
        partner_slug(&loaded.bundle.partner.name)
    )
}

/// Lower-case letters and digits of the partner name, words joined by `-`.
fn partner_slug(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = String::new();
    for w in words {
        if slug.chars().count() + w.chars().count() > 60 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(w);
    }
    if slug.is_empty() {
        "partner".into()
    } else {
        slug
    }
}

fn render_options(
    opts: &ArchiveOptions,
    attachments: std::sync::Arc<[(String, Vec<u8>)]>,
) -> RenderOptions {
    RenderOptions {
        paper: opts.paper,
        justify: opts.justify,
        attachments,
        ..RenderOptions::default()
    }
}

/// Every file of an archive but the manifest, rendered from `loaded`: path → bytes.
fn contents(
    loaded: &Loaded,
    bundle: &Files,
    opts: &ArchiveOptions,
) -> Result<(Files, Vec<String>), Error> {
    let a = assess::evaluate(&loaded.bundle, loaded.checklist);
    let advisories = crate::advise::review(loaded);
    // The archive holds the record the PDF carries, under the same names.
    let record: std::sync::Arc<[(String, Vec<u8>)]> = record::of(bundle, &a)?.into();
    let rendered = render::render(
        loaded,
        &a,
        &advisories,
        &render_options(opts, record.clone()),
    )?;
    let mut files = BTreeMap::new();
    for f in rendered.files {
        let rel = f.rel.to_string_lossy().replace('\\', "/");
        files.insert(rel, f.bytes);
    }
    for (k, v) in record.iter() {
        files.insert(k.clone(), v.clone());
    }
    Ok((files, rendered.warnings))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// What the manifest records besides the file list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    version: String,
    checklist: String,
    as_of: String,
    partner: String,
    paper: Paper,
    justify: bool,
}

fn manifest(header: &Header, files: &Files) -> String {
    let mut m = format!(
        "{MAGIC}\ndossier-version: {}\nchecklist: {}\nas-of: {}\npartner: {}\npaper: {}\ntext: {}\n\nsha256 size path\n",
        header.version,
        header.checklist,
        header.as_of,
        header.partner,
        match header.paper {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        },
        if header.justify {
            "justified"
        } else {
            "ragged"
        },
    );
    for (path, bytes) in files {
        m.push_str(&format!("{}  {}  {path}\n", sha256(bytes), bytes.len()));
    }
    let own = sha256(m.as_bytes());
    m.push_str(&format!("{SELF_HASH}{own}\n"));
    m
}

/// A parsed manifest.
#[derive(Debug)]
struct Manifest {
    header: Header,
    /// path → (sha256, size)
    files: BTreeMap<String, (String, u64)>,
    /// The manifest's own checksum line matches its text.
    intact: bool,
}

fn parse_manifest(text: &str) -> Result<Manifest, String> {
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err(format!("does not start with {MAGIC:?}"));
    }
    let mut fields = BTreeMap::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let (k, v) = line
            .split_once(": ")
            .ok_or_else(|| format!("unreadable header line {line:?}"))?;
        fields.insert(k, v);
    }
    let field = |k: &str| {
        fields
            .get(k)
            .map(|v| v.to_string())
            .ok_or_else(|| format!("no {k:?} line"))
    };
    let header = Header {
        version: field("dossier-version")?,
        checklist: field("checklist")?,
        as_of: field("as-of")?,
        partner: field("partner")?,
        paper: match field("paper")?.as_str() {
            "a4" => Paper::A4,
            "letter" => Paper::Letter,
            other => return Err(format!("unknown paper {other:?}")),
        },
        justify: match field("text")?.as_str() {
            "justified" => true,
            "ragged" => false,
            other => return Err(format!("unknown text setting {other:?}")),
        },
    };
    if lines.next() != Some("sha256 size path") {
        return Err("no file list".into());
    }
    let mut files = BTreeMap::new();
    let mut own = None;
    for line in lines {
        if let Some(h) = line.strip_prefix(SELF_HASH) {
            own = Some(h.to_string());
            break;
        }
        let mut parts = line.splitn(3, "  ");
        let (Some(hash), Some(size), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("unreadable file line {line:?}"));
        };
        let size: u64 = size
            .parse()
            .map_err(|_| format!("unreadable size in {line:?}"))?;
        files.insert(path.to_string(), (hash.to_string(), size));
    }
    let intact = match (own, text.find(SELF_HASH)) {
        (Some(h), Some(at)) => sha256(&text.as_bytes()[..at]) == h,
        _ => false,
    };
    Ok(Manifest {
        header,
        files,
        intact,
    })
}

/// What `dossier archive` made.
#[derive(Debug)]
pub struct Archived {
    pub dir: PathBuf,
    pub files: usize,
    pub warnings: Vec<String>,
}

/// Archives the bundle at `input` into `into/<as_of>-<partner-slug>/`.
pub fn archive(input: &Path, into: &Path, opts: &ArchiveOptions) -> Result<Archived, Error> {
    let loaded = bundle::load(input)?;
    let bundle_bytes = record::bundle_files(&loaded)?;
    let target = into.join(folder_name(&loaded));
    if target.symlink_metadata().is_ok() {
        return Err(already_exists(&target));
    }
    let cannot = |e: std::io::Error| Error::Output {
        dir: into.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(into).map_err(cannot)?;
    // Dropped, or on Ctrl-C, the staging folder goes with everything in it.
    let staging = output::Staging::new_in(into, ".dossier-archive-").map_err(cannot)?;

    // Render from the copy, not the original: what is archived is what was rendered.
    let copy = staging.hold(|stage| {
        let copy_dir = stage.join(BUNDLE_DIR);
        for (rel, bytes) in &bundle_bytes {
            output::stop_if_interrupted()?;
            write_file(&copy_dir.join(rel), bytes)?;
        }
        Ok(bundle::load(&copy_dir)?)
    })?;
    // In memory only, so outside `hold`: Ctrl-C meanwhile removes the staging folder at once.
    let (files, warnings) = contents(&copy, &bundle_bytes, opts)?;
    let header = Header {
        version: env!("CARGO_PKG_VERSION").to_string(),
        checklist: copy.checklist.id.clone(),
        as_of: copy.bundle.as_of.to_string(),
        partner: copy
            .bundle
            .partner
            .name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        paper: opts.paper,
        justify: opts.justify,
    };
    staging.hold(|stage| {
        for (rel, bytes) in &files {
            if !rel.starts_with(&format!("{BUNDLE_DIR}/")) {
                output::stop_if_interrupted()?;
                write_file(&stage.join(rel), bytes)?;
            }
        }
        write_file(&stage.join(MANIFEST), manifest(&header, &files).as_bytes())?;
        sync_dir(stage);
        Ok(())
    })?;

    // rename(2) refuses to replace a non-empty folder, so even an archive that appeared
    // since the check above is never overwritten.
    if target.symlink_metadata().is_ok() {
        return Err(already_exists(&target));
    }
    staging.persist(&target).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::DirectoryNotEmpty => {
            already_exists(&target)
        }
        _ => Error::io(&target, e),
    })?;
    sync_dir(into);
    Ok(Archived {
        dir: target,
        files: files.len() + 1,
        warnings,
    })
}

fn already_exists(target: &Path) -> Error {
    Error::Usage(format!(
        "{} already exists; an archive is never overwritten (move it away to archive again)",
        target.display()
    ))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Best effort: make a rename durable. Not every platform can open a folder for syncing.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The outcome of `dossier verify`.
#[derive(Debug, Default)]
pub struct Verification {
    /// Files whose hash and size match the manifest.
    pub matching: usize,
    /// Everything that differs, one line each, naming the file.
    pub problems: Vec<String>,
    /// Worth knowing, not a failure (an archive made by another dossier version).
    pub notes: Vec<String>,
}

/// Checks an archive folder: every hash in its manifest, no extra files, and that
/// re-rendering the archived bundle gives the archived renderings byte for byte.
pub fn verify(dir: &Path) -> Result<Verification, Error> {
    let manifest_path = dir.join(MANIFEST);
    let text = std::fs::read(&manifest_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Usage(format!(
            "{} is not a dossier archive: it has no {MANIFEST}",
            dir.display()
        )),
        _ => Error::io(&manifest_path, e),
    })?;
    let text = String::from_utf8_lossy(&text);
    let mut v = Verification::default();
    let m = match parse_manifest(&text) {
        Ok(m) => m,
        Err(e) => {
            // A folder with a MANIFEST is taken for an archive: an unreadable manifest is
            // damage to report (exit 1), like any other file.
            v.problems.push(format!(
                "{MANIFEST}: damaged, cannot be read as a dossier manifest ({e})"
            ));
            return Ok(v);
        }
    };
    if !m.intact {
        v.problems.push(format!(
            "{MANIFEST}: its own checksum does not match its text (edited or damaged)"
        ));
    }
    let current = env!("CARGO_PKG_VERSION");
    if m.header.version != current {
        v.notes.push(format!(
            "archived with dossier {}, checked with dossier {current}: renderings may differ for that reason alone",
            m.header.version
        ));
    }

    // 1. Every listed file, by hash and size.
    for (rel, (hash, size)) in &m.files {
        let path = dir.join(rel);
        match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                v.problems.push(format!("{rel}: missing"));
            }
            Err(e) => v.problems.push(format!("{rel}: cannot be read: {e}")),
            Ok(bytes) => {
                if bytes.len() as u64 != *size {
                    v.problems.push(format!(
                        "{rel}: {}, the manifest records {size}",
                        crate::plural::count(bytes.len(), "byte", "bytes")
                    ));
                } else if sha256(&bytes) != *hash {
                    v.problems
                        .push(format!("{rel}: SHA-256 differs from the manifest"));
                } else {
                    v.matching += 1;
                }
            }
        }
    }
    // 2. Nothing unlisted.
    let mut on_disk = BTreeSet::new();
    list_files(dir, "", &mut on_disk).map_err(|e| Error::io(dir, e))?;
    for rel in on_disk {
        if rel != MANIFEST && !m.files.contains_key(&rel) {
            v.problems.push(format!(
                "{rel}: not in the manifest (added after archiving)"
            ));
        }
    }

    // 3. Re-render from the archived bundle.
    let opts = ArchiveOptions {
        paper: m.header.paper,
        justify: m.header.justify,
    };
    let copy_dir = dir.join(BUNDLE_DIR);
    let loaded = match bundle::load(&copy_dir) {
        Ok(l) => l,
        Err(e) => {
            v.problems.push(format!(
                "{BUNDLE_DIR}/bundle.yaml: the archived bundle no longer loads ({})",
                crate::plural::count(e.diagnostics.len(), "problem", "problems")
            ));
            for d in &e.diagnostics {
                v.problems.push(format!("  {d}"));
            }
            return Ok(v);
        }
    };
    if loaded.checklist.id != m.header.checklist {
        v.problems.push(format!(
            "{BUNDLE_DIR}/bundle.yaml: judged against {}, the manifest records {}",
            loaded.checklist.id, m.header.checklist
        ));
    }
    let bundle_bytes = record::bundle_files(&loaded)?;
    let (fresh, _) = contents(&loaded, &bundle_bytes, &opts)?;
    for (rel, bytes) in &fresh {
        if rel.starts_with(&format!("{BUNDLE_DIR}/")) {
            continue;
        }
        match m.files.get(rel) {
            None => v.problems.push(format!(
                "{rel}: re-rendering produces it, but the archive does not hold it"
            )),
            Some((hash, _)) if *hash != sha256(bytes) => v.problems.push(format!(
                "{rel}: re-rendering from the archived bundle gives different bytes"
            )),
            Some(_) => {}
        }
    }
    for rel in m.files.keys() {
        if !rel.starts_with(&format!("{BUNDLE_DIR}/")) && !fresh.contains_key(rel) {
            v.problems.push(format!(
                "{rel}: in the archive, but re-rendering does not produce it"
            ));
        }
    }
    for rel in bundle_bytes.keys() {
        let rel = format!("{BUNDLE_DIR}/{rel}");
        if !m.files.contains_key(&rel) {
            v.problems.push(format!(
                "{rel}: the archived bundle needs it, but the manifest does not list it"
            ));
        }
    }
    Ok(v)
}

/// Checks a packet PDF: every file it carries against its `/CheckSum`, the dossier version
/// that made it, and that rendering the carried bundle again, with the edition, paper and
/// justification the PDF records, gives the same bytes. A file that is not a PDF, a PDF
/// that dossier did not write and one that carries no bundle (the public edition) are
/// errors: there is nothing to verify.
pub fn verify_pdf(path: &Path) -> Result<Verification, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let packet = crate::pdf::inspect::read(&bytes)
        .map_err(|e| Error::Usage(format!("{} is not a PDF: {e}", path.display())))?;
    let Some(recorded) = packet.recorded else {
        return Err(Error::Usage(format!(
            "{} is not a dossier packet: its metadata records no dossier render settings",
            path.display()
        )));
    };
    let bundle_prefix = format!("{BUNDLE_DIR}/");
    if !packet
        .attachments
        .iter()
        .any(|f| f.name.starts_with(&bundle_prefix))
    {
        let why = if recorded.edition == "public" {
            "it is the public edition, which never carries one".to_string()
        } else {
            format!("this {} edition was made without it", recorded.edition)
        };
        return Err(Error::Usage(format!(
            "{} carries no bundle to render again: {why}; verify the partner or reviewer edition's PDF, or the archive",
            path.display()
        )));
    }

    let mut v = Verification::default();
    for f in &packet.attachments {
        if f.problems.is_empty() {
            v.matching += 1;
        }
        for p in &f.problems {
            v.problems.push(format!("{}: {p}", f.name));
        }
    }
    let current = env!("CARGO_PKG_VERSION");
    if recorded.version != current {
        v.problems.push(format!(
            "made by dossier {}, checked with dossier {current}: renderings may differ for that reason alone",
            recorded.version
        ));
    }
    if !recorded.outside_inputs.is_empty() {
        v.notes.push(format!(
            "made with inputs the PDF does not carry ({}); a difference may come from them",
            recorded.outside_inputs.join(", ")
        ));
    }
    let Ok(edition) =
        <crate::edition::Edition as clap::ValueEnum>::from_str(&recorded.edition, false)
    else {
        v.problems.push(format!(
            "the PDF records an edition this dossier does not know: {:?}",
            recorded.edition
        ));
        return Ok(v);
    };

    // The carried bundle, written out as it was read, and loaded like any other.
    let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    for f in &packet.attachments {
        let Some(rel) = f.name.strip_prefix(&bundle_prefix) else {
            continue;
        };
        match record::normalise(rel) {
            Ok(rel) => write_file(&tmp.path().join(&rel), &f.bytes)?,
            Err(_) => v.problems.push(format!(
                "{}: the name leaves the bundle folder; the file was not extracted",
                f.name
            )),
        }
    }
    let loaded = match bundle::load(tmp.path()) {
        Ok(l) => l,
        Err(e) => {
            v.problems.push(format!(
                "{BUNDLE_DIR}/bundle.yaml: the embedded bundle does not load ({} problem{})",
                e.diagnostics.len(),
                if e.diagnostics.len() == 1 { "" } else { "s" }
            ));
            for d in &e.diagnostics {
                v.problems.push(format!("  {d}"));
            }
            return Ok(v);
        }
    };
    let a = assess::evaluate(&loaded.bundle, loaded.checklist);
    let advisories = crate::advise::review(&loaded);
    let opts = RenderOptions {
        formats: vec![Format::Pdf],
        edition,
        paper: recorded.paper,
        justify: recorded.justify,
        attachments: record::attachments(&loaded, &a)?.into(),
        ..RenderOptions::default()
    };
    let fresh = render::render(&loaded, &a, &advisories, &opts)?;
    let Some(pdf) = fresh
        .files
        .iter()
        .find(|f| f.rel == Path::new("packet.pdf"))
    else {
        return Err(Error::Render("rendering again made no PDF".into()));
    };
    v.problems
        .extend(crate::pdf::inspect::differences(&bytes, &pdf.bytes));
    Ok(v)
}

/// Every file below `dir`, as `/`-separated paths relative to the archive.
fn list_files(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        if entry.file_type()?.is_dir() {
            list_files(&entry.path(), &rel, out)?;
        } else {
            out.insert(rel);
        }
    }
    Ok(())
}

/// What `dossier diff` and `render --previous` accept: a bundle (folder or YAML) or an
/// archive folder, whose archived bundle is then used.
pub fn bundle_input(path: &Path) -> PathBuf {
    if path.join(MANIFEST).is_file() && path.join(BUNDLE_DIR).is_dir() {
        path.join(BUNDLE_DIR)
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_slugs_are_plain() {
        assert_eq!(partner_slug("Acme Forecast, Inc."), "acme-forecast-inc");
        assert_eq!(partner_slug("  Nörd  & Co.  "), "nörd-co");
        assert_eq!(partner_slug("!!!"), "partner");
        assert!(partner_slug(&"word ".repeat(40)).len() <= 60);
    }

    #[test]
    fn manifests_round_trip_and_check_themselves() {
        let header = Header {
            version: "0.1.0".into(),
            checklist: "aws-ml-competency-2017-v1.0".into(),
            as_of: "2026-11-20".into(),
            partner: "Acme".into(),
            paper: Paper::Letter,
            justify: false,
        };
        let mut files = BTreeMap::new();
        files.insert("packet.md".to_string(), b"# x\n".to_vec());
        files.insert("bundle/docs/a b.pdf".to_string(), vec![0, 1, 2]);
        let text = manifest(&header, &files);
        let m = parse_manifest(&text).expect("parses");
        assert!(m.intact);
        assert_eq!(m.header, header);
        assert_eq!(m.files["bundle/docs/a b.pdf"].1, 3);
        assert_eq!(m.files["packet.md"].0, sha256(b"# x\n"));
        let edited = text.replace("Acme", "Acne");
        assert!(!parse_manifest(&edited).expect("parses").intact);
    }
}
