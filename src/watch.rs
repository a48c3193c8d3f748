//! `dossier watch`: re-renders the packet whenever `bundle.yaml`, a file it references or a
//! `--templates` file changes, printing one line per rebuild. Takes the bundle path, the
//! output folder and the render options (`dossier render`'s: edition, paper, templates…);
//! promises that a failed rebuild leaves the last good output in place (`output::write_all`
//! is all-or-nothing). The watcher and the build step are shared with `serve`.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::Error;
use crate::assess;
use crate::bundle;
use crate::render::{self, Format, RenderOptions, Rendered};

/// How long the bundle folder must be quiet before a rebuild: an editor's save is often
/// several events (truncate, write, rename), and they should make one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// One successful build, in memory.
pub struct Build {
    pub rendered: Rendered,
    pub met: usize,
    pub not_met: usize,
    /// The files `bundle.yaml` references, relative to the bundle folder.
    pub inputs: Vec<String>,
}

/// Loads, assesses and renders the bundle, without writing anything.
pub fn build(bundle_path: &Path, opts: &RenderOptions) -> Result<Build, Error> {
    let loaded = bundle::load(bundle_path)?;
    let assessment = assess::evaluate(&loaded.bundle, loaded.checklist);
    let advisories = crate::advise::review(&loaded);
    let mut opts = opts.clone();
    if opts.formats.contains(&Format::Pdf) && opts.edition.carries_attachments() {
        // As `render` does: the PDF carries the bundle as read and the assessment.
        opts.attachments = crate::record::attachments(&loaded, &assessment)?.into();
    }
    let rendered = render::render(&loaded, &assessment, &advisories, &opts)?;
    let inputs = bundle::referenced_files(&loaded.bundle)
        .into_keys()
        .collect();
    Ok(Build {
        rendered,
        met: assessment.met(),
        not_met: assessment.not_met(),
        inputs,
    })
}

/// What the watcher thread tells the loop that waits for changes.
pub enum Signal {
    /// Files changed (debounced).
    Changed(Vec<PathBuf>),
    /// The watcher failed; the message says why.
    Failed(String),
    /// Ctrl-C or another reason to stop.
    Stop,
}

/// The changes in a bundle folder that matter for the packet.
pub struct Changes {
    rx: Receiver<Signal>,
    tx: Sender<Signal>,
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    yaml: PathBuf,
    ignore: Vec<PathBuf>,
    inputs: Vec<PathBuf>,
    /// The `--templates` folder: its `.md` files are inputs of every build.
    templates: Option<PathBuf>,
    last_build_failed: bool,
}

impl Changes {
    /// Starts watching the folder of the bundle at `bundle_path`, and the `templates`
    /// folder when there is one; changes under any of `ignore` (the output folder) never
    /// count.
    pub fn watch(
        bundle_path: &Path,
        ignore: &[PathBuf],
        templates: Option<&Path>,
    ) -> Result<Changes, Error> {
        let (root, yaml) = bundle::locate(bundle_path);
        let root = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        let yaml = root.join(yaml.file_name().unwrap_or("bundle.yaml".as_ref()));
        let (tx, rx) = mpsc::channel();
        let events = tx.clone();
        let mut debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
            let signal = match res {
                Ok(evs) => Signal::Changed(
                    evs.into_iter()
                        .filter(|e| changes_content(&e.kind))
                        .flat_map(|e| e.event.paths)
                        .collect(),
                ),
                Err(errors) => Signal::Failed(
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            };
            let _ = events.send(signal);
        })
        .map_err(|e| Error::Watch {
            dir: root.clone(),
            reason: e.to_string(),
        })?;
        debouncer
            .watch(&root, RecursiveMode::Recursive)
            .map_err(|e| Error::Watch {
                dir: root.clone(),
                reason: e.to_string(),
            })?;
        let templates = match templates {
            Some(dir) => {
                let dir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
                // Inside the bundle folder it is watched already.
                if !dir.starts_with(&root) {
                    debouncer
                        .watch(&dir, RecursiveMode::NonRecursive)
                        .map_err(|e| Error::Watch {
                            dir: dir.clone(),
                            reason: e.to_string(),
                        })?;
                }
                Some(dir)
            }
            None => None,
        };
        Ok(Changes {
            rx,
            tx,
            _debouncer: debouncer,
            inputs: vec![yaml.clone()],
            root,
            yaml,
            ignore: ignore
                .iter()
                .map(|p| p.canonicalize().unwrap_or_else(|_| absolute(p)))
                .collect(),
            templates,
            last_build_failed: true,
        })
    }

    /// A sender that makes `next` return `None` (for the Ctrl-C handler).
    pub fn stopper(&self) -> Sender<Signal> {
        self.tx.clone()
    }

    /// Records the outcome of a build: after a good one only its inputs count; after a
    /// failed one any file in the folder does (it may be the missing diagram appearing).
    pub fn built(&mut self, outcome: Result<&Build, ()>) {
        match outcome {
            Ok(b) => {
                self.inputs = vec![self.yaml.clone()];
                for rel in &b.inputs {
                    let path = self.root.join(rel);
                    // A referenced file may be a symlink inside the bundle; its target is
                    // what changes.
                    if let Ok(real) = path.canonicalize() {
                        self.inputs.push(real);
                    }
                    self.inputs.push(path);
                }
                self.last_build_failed = false;
            }
            Err(()) => self.last_build_failed = true,
        }
    }

    /// Blocks until files that matter change, returning them (relative to the bundle
    /// folder where possible), or `None` when told to stop.
    pub fn next(&self) -> Option<Vec<PathBuf>> {
        loop {
            match self.rx.recv().ok()? {
                Signal::Stop => return None,
                Signal::Failed(e) => eprintln!("warning: watching the bundle: {e}"),
                Signal::Changed(paths) => {
                    let mut relevant: Vec<PathBuf> = paths
                        .into_iter()
                        .filter(|p| self.matters(p))
                        .map(|p| {
                            p.strip_prefix(&self.root)
                                .map(Path::to_path_buf)
                                .unwrap_or(p)
                        })
                        .collect();
                    relevant.sort();
                    relevant.dedup();
                    if !relevant.is_empty() {
                        return Some(relevant);
                    }
                }
            }
        }
    }

    fn matters(&self, path: &Path) -> bool {
        if *path == self.yaml || self.inputs.iter().any(|i| i == path) {
            return true;
        }
        // Templates are read as every `*.md` file of the folder (`Templates::load`).
        if let Some(dir) = &self.templates
            && path.parent() == Some(dir.as_path())
            && path.extension().is_some_and(|e| e == "md")
        {
            return true;
        }
        if !self.last_build_failed || self.ignore.iter().any(|i| path.starts_with(i)) {
            return false;
        }
        // Editors' swap and backup files, version control, our own staging folders.
        let rel = path.strip_prefix(&self.root).unwrap_or(path);
        !rel.components().any(|c| {
            let name = c.as_os_str().to_string_lossy();
            name.starts_with('.') || name.ends_with('~') || name == "4913"
        })
    }
}

/// Whether an event can mean new content: not a mere open or read, which every build does
/// to the files it loads (and which would otherwise trigger the next build, forever).
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Calls `f` on Ctrl-C (and SIGTERM).
pub fn on_interrupt(f: impl Fn() + Send + 'static) -> Result<(), Error> {
    ctrlc::set_handler(f).map_err(|e| Error::Signals(e.to_string()))
}

/// `dossier watch BUNDLE --out DIR`: builds once, then after every change of the bundle or
/// the templates, until Ctrl-C.
pub fn run(bundle_path: &Path, out: &Path, opts: &RenderOptions) -> Result<i32, Error> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut changes = Changes::watch(bundle_path, &[out.to_path_buf()], opts.templates.as_deref())?;
    let stop = changes.stopper();
    on_interrupt(move || {
        let _ = stop.send(Signal::Stop);
    })?;
    eprintln!(
        "watching {} and the files it references; writing to {} (Ctrl-C stops)",
        bundle::locate(bundle_path).1.display(),
        out.display()
    );
    let mut why: Option<Vec<PathBuf>> = None;
    loop {
        let started = Instant::now();
        let result = build(bundle_path, opts).and_then(|b| {
            crate::output::write_all(out, &b.rendered.files)?;
            Ok(b)
        });
        let took = format_duration(started.elapsed());
        let after = match &why {
            None => String::new(),
            Some(paths) => format!(" after a change to {}", list(paths)),
        };
        match &result {
            Ok(b) => {
                for w in &b.rendered.warnings {
                    eprintln!("warning: {w}");
                }
                eprintln!(
                    "{}{after} in {took}: {} Met, {} Not Met",
                    if why.is_none() { "built" } else { "rebuilt" },
                    b.met,
                    b.not_met
                );
            }
            Err(e) => {
                eprint!("{}", e.render());
                eprintln!(
                    "build failed{after} in {took}; the last good packet in {} stays in place",
                    out.display()
                );
            }
        }
        changes.built(result.as_ref().map_err(|_| ()));
        match changes.next() {
            Some(paths) => why = Some(paths),
            None => break,
        }
    }
    eprintln!("stopped");
    Ok(0)
}

/// `paths` for a one-line message.
pub fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// A duration for people: milliseconds below a second, else seconds with two decimals.
pub fn format_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

/// `path` made absolute against the current folder, without resolving symlinks.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(Duration::from_millis(412)), "412 ms");
        assert_eq!(format_duration(Duration::from_millis(2346)), "2.35 s");
    }
}
