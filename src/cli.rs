//! The command line: `check`, `render`, `archive`, `verify`, `diff`, `init`, `schema`,
//! `watch` and `serve`. Parses arguments, runs the pipeline, prints diagnostics to stderr and
//! data to stdout, and returns the exit code.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::Error;
use crate::advise;
use crate::assess::{self, Status};
use crate::bundle;
use crate::edition::Edition;
use crate::render::{self, Format, RenderOptions};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PaperArg {
    A4,
    Letter,
}

impl From<PaperArg> for crate::pdf::Paper {
    fn from(paper: PaperArg) -> Self {
        match paper {
            PaperArg::A4 => crate::pdf::Paper::A4,
            PaperArg::Letter => crate::pdf::Paper::Letter,
        }
    }
}

/// How the packet looks and whom it is for: the options `render`, `watch` and `serve` take.
#[derive(Debug, Clone, clap::Args)]
struct PacketArgs {
    /// Folder of templates that replace the built-in ones by name (packet.md, references.md, …).
    #[arg(long)]
    templates: Option<PathBuf>,
    /// PDF paper size.
    #[arg(long, value_enum, default_value = "a4")]
    paper: PaperArg,
    /// Set PDF text ragged-right instead of justified.
    #[arg(long)]
    ragged: bool,
    /// Folder of extra fonts (.ttf/.otf) used for characters the shipped fonts lack.
    #[arg(long = "font-dir")]
    font_dirs: Vec<PathBuf>,
    /// Who the packet is for: partner (everything), reviewer (checklist first, notes
    /// column, numbered paragraphs, sign-off page) or public (non-public customers
    /// anonymised, no documents, decisions, contact or gaps; checked for leaks).
    #[arg(long, value_enum, default_value = "partner")]
    edition: Edition,
}

/// What `watch` writes and `serve` serves: everything `render` writes by default.
const ALL_FORMATS: [Format; 3] = [Format::Md, Format::Html, Format::Pdf];

impl PacketArgs {
    /// The render options these arguments give, for `formats`.
    fn options(&self, formats: Vec<Format>) -> RenderOptions {
        RenderOptions {
            formats,
            edition: self.edition,
            templates: self.templates.clone(),
            paper: self.paper.into(),
            justify: !self.ragged,
            font_dirs: self.font_dirs.clone(),
            ..RenderOptions::default()
        }
    }
}

/// Builds the AWS Machine Learning Competency application packet from an evidence bundle.
#[derive(Debug, Parser)]
#[command(name = "dossier", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Subcommand)]
enum Command {
    /// Judge every checklist item, list the gaps and the advisories (exit 0 all Met, 1 any
    /// Not Met, 2 invalid).
    Check {
        /// The bundle folder or its bundle.yaml.
        bundle: PathBuf,
        /// Print the assessment and the advisories as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Also exit 1 when any advisory is a warning.
        #[arg(long)]
        strict: bool,
    },
    /// Write the packet (packet.md + assets/, packet.html, packet.pdf) into a folder.
    Render {
        /// The bundle folder or its bundle.yaml; with several, each packet goes into
        /// OUT/<bundle folder name>/ and they render in parallel.
        #[arg(required = true, num_args = 1.., value_name = "BUNDLE")]
        bundles: Vec<PathBuf>,
        /// Output folder; files are replaced only when every format succeeded.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Formats to write, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "md,html,pdf")]
        format: Vec<Format>,
        #[command(flatten)]
        packet: PacketArgs,
        /// Last year's bundle or archive: adds a "Changes since the last submission" section.
        #[arg(long)]
        previous: Option<PathBuf>,
    },
    /// Archive the submission: renderings, the bundle as read, assessment.json and a MANIFEST
    /// of SHA-256 hashes, in DIR/<as_of>-<partner>/ (never overwritten).
    Archive {
        /// The bundle folder or its bundle.yaml.
        bundle: PathBuf,
        /// Folder that holds the archives.
        #[arg(long)]
        into: PathBuf,
        /// PDF paper size.
        #[arg(long, value_enum, default_value = "a4")]
        paper: PaperArg,
        /// Set PDF text ragged-right instead of justified.
        #[arg(long)]
        ragged: bool,
    },
    /// Check an archive or a packet PDF: every hash in the archive's MANIFEST or every
    /// checksum of the PDF's embedded files, and that re-rendering the bundle gives
    /// identical files (exit 0 intact, 1 anything differs, 2 neither an archive nor a
    /// dossier PDF that carries its bundle).
    Verify {
        /// The archive folder (DIR/<as_of>-<partner>) or a packet.pdf.
        archive: PathBuf,
    },
    /// Compare two submissions, each a bundle or an archive folder (exit 0 no changes,
    /// 1 changes, 2 invalid).
    Diff {
        /// Last submission: bundle folder, bundle.yaml or archive folder.
        old: PathBuf,
        /// This submission: bundle folder, bundle.yaml or archive folder.
        new: PathBuf,
        /// Print the changes as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Write a starter bundle with every key, commented, into a new or empty folder.
    Init {
        /// The folder to create.
        dir: PathBuf,
    },
    /// Print the JSON Schema of bundle.yaml (for editor completion).
    Schema,
    /// Re-render the packet whenever the bundle, a file it references or a template changes
    /// (Ctrl-C stops).
    Watch {
        /// The bundle folder or its bundle.yaml.
        bundle: PathBuf,
        /// Output folder; a failed rebuild leaves the last good packet in place.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        #[command(flatten)]
        packet: PacketArgs,
    },
    /// Serve the HTML packet, and the PDF at /packet.pdf, with live reload while you edit the
    /// bundle (Ctrl-C stops).
    Serve {
        /// The bundle folder or its bundle.yaml.
        bundle: PathBuf,
        /// Port to listen on; 0 picks a free one (the URL is printed).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on. Anything but loopback lets other machines read the packet.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        #[command(flatten)]
        packet: PacketArgs,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
        }
    };
    let outcome = run(cli.command);
    crate::output::wait_if_interrupted();
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprint!("{}", e.render());
            e.exit_code()
        }
    }
}

fn run(command: Command) -> Result<i32, Error> {
    match command {
        Command::Check {
            bundle,
            json,
            strict,
        } => {
            let loaded = bundle::load(&bundle)?;
            let assessment = assess::evaluate(&loaded.bundle, loaded.checklist);
            let advisories = advise::review(&loaded);
            if json {
                let mut value = assessment.to_json();
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert(
                        "advisories".into(),
                        advisories.iter().map(advise::Advisory::to_json).collect(),
                    );
                }
                let text =
                    serde_json::to_string_pretty(&value).map_err(|e| Error::Json(e.to_string()))?;
                println!("{text}");
            } else {
                print!(
                    "{}",
                    crate::report::check_table(&loaded.bundle, &assessment)
                );
                print!("{}", advise::report(&advisories, &loaded.source));
            }
            let all_met = assessment.items.iter().all(|i| i.status == Status::Met);
            let warned = advisories
                .iter()
                .any(|a| a.severity == advise::Severity::Warning);
            Ok(if all_met && !(strict && warned) { 0 } else { 1 })
        }
        Command::Render {
            bundles,
            out,
            format,
            packet,
            previous,
        } => {
            if bundles.len() > 1 {
                return render_many(bundles, &out, previous.is_some(), |bundle, out| {
                    Command::Render {
                        bundles: vec![bundle],
                        out,
                        format: format.clone(),
                        packet: packet.clone(),
                        previous: None,
                    }
                });
            }
            let bundle = bundles[0].clone();
            // What the render needs and keeps for the whole process is built while the
            // bundle is read and judged, in the order the render needs it: the schema
            // validator and checklists, the templates, the advisories' data, then fonts
            // and hyphenation patterns.
            let pdf = format.contains(&Format::Pdf);
            let default_templates = packet.templates.is_none();
            std::thread::spawn(move || {
                bundle::warm_up();
                if default_templates {
                    crate::packet::warm_up();
                }
                advise::warm_up();
                if pdf {
                    crate::pdf::warm_up();
                }
            });
            let loaded = bundle::load(&bundle)?;
            let assessment = assess::evaluate(&loaded.bundle, loaded.checklist);
            let advisories = advise::review(&loaded);
            let mut opts = packet.options(format);
            if let Some(old) = &previous {
                opts.changes = Some(compare_with(old, &loaded, &assessment)?);
            }
            let attachments =
                if opts.formats.contains(&Format::Pdf) && opts.edition.carries_attachments() {
                    crate::record::attachments(&loaded, &assessment)?
                } else {
                    Vec::new()
                };
            opts.attachments = attachments.into();
            let rendered = render::render(&loaded, &assessment, &advisories, &opts)?;
            let mut protected = vec![loaded.yaml_path.clone()];
            protected.extend(
                bundle::referenced_files(&loaded.bundle)
                    .keys()
                    .map(|rel| loaded.root.join(rel)),
            );
            crate::output::refuse_to_replace(&out, &rendered.files, &protected)?;
            crate::output::clean_up_on_interrupt()?;
            crate::output::write_all(&out, &rendered.files)?;
            for w in &rendered.warnings {
                eprintln!("warning: {w}");
            }
            let names: Vec<String> = rendered
                .files
                .iter()
                .map(|f| out.join(&f.rel).display().to_string())
                .collect();
            eprintln!(
                "wrote {} ({} Met, {} Not Met)",
                names.join(", "),
                assessment.met(),
                assessment.not_met()
            );
            Ok(0)
        }
        Command::Archive {
            bundle,
            into,
            paper,
            ragged,
        } => archive(&bundle, &into, paper, ragged),
        Command::Verify { archive } => verify(&archive),
        Command::Diff { old, new, json } => diff(&old, &new, json),
        Command::Init { dir } => {
            // The starter's `as_of` is today (UTC); the partner edits it.
            let days = jiff::Timestamp::now().as_second().div_euclid(86_400);
            let today = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().days(days))
                .map_err(|e| Error::Clock(e.to_string()))?;
            crate::starter::init(&dir, today)?;
            eprintln!(
                "wrote a starter bundle to {}; fill it in, then run `dossier check {}`",
                dir.join("bundle.yaml").display(),
                dir.display()
            );
            Ok(0)
        }
        Command::Watch {
            bundle,
            out,
            packet,
        } => crate::watch::run(&bundle, &out, &packet.options(ALL_FORMATS.to_vec())),
        Command::Serve {
            bundle,
            port,
            bind,
            packet,
        } => crate::serve::run(&bundle, bind, port, &packet.options(ALL_FORMATS.to_vec())),
        Command::Schema => {
            let text = serde_json::to_string_pretty(&bundle::json_schema())
                .map_err(|e| Error::Json(e.to_string()))?;
            println!("{text}");
            Ok(0)
        }
    }
}

/// `render A B C --out DIR`: each bundle into DIR/<its folder name>/, as many at once as
/// there are cores. Each is written all-or-nothing on its own; diagnostics and messages are
/// printed per bundle, in argument order, and the exit code is the worst of them.
fn render_many(
    bundles: Vec<PathBuf>,
    out: &std::path::Path,
    has_previous: bool,
    command_for: impl Fn(PathBuf, PathBuf) -> Command,
) -> Result<i32, Error> {
    if has_previous {
        return Err(Error::Usage(
            "--previous compares one bundle; render several bundles without it".into(),
        ));
    }
    let mut jobs = Vec::with_capacity(bundles.len());
    let mut seen = std::collections::BTreeMap::new();
    for bundle in bundles {
        let name = bundle_folder_name(&bundle)?;
        if let Some(other) = seen.insert(name.clone(), bundle.clone()) {
            return Err(Error::Usage(format!(
                "{} and {} would both be written to {}; render them separately",
                other.display(),
                bundle.display(),
                out.join(&name).display()
            )));
        }
        jobs.push(command_for(bundle, out.join(name)));
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<i32, Error>>>> =
        jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let result = run(job.clone());
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    let mut code = 0;
    for (job, slot) in jobs.iter().zip(results) {
        let result = slot
            .into_inner()
            .ok()
            .flatten()
            .unwrap_or(Err(Error::WorkerStopped));
        if let (Err(e), Command::Render { bundles, .. }) = (&result, job) {
            eprintln!("{}:", bundles[0].display());
            eprint!("{}", e.render());
        }
        code = code.max(result.unwrap_or_else(|e| e.exit_code()));
    }
    Ok(code)
}

/// The folder a bundle's packet goes into under `--out`: the bundle folder's own name.
fn bundle_folder_name(bundle: &std::path::Path) -> Result<String, Error> {
    let folder = if bundle
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml")
    {
        bundle.parent().unwrap_or(bundle)
    } else {
        bundle
    };
    let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
    folder
        .components()
        .rev()
        .find_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .ok_or_else(|| {
            Error::Usage(format!(
                "{} has no folder name to write its packet under",
                bundle.display()
            ))
        })
}

/// Loads the previous submission (a bundle or an archive) and compares it with this one.
fn compare_with(
    old: &std::path::Path,
    new: &bundle::Loaded,
    new_assessment: &assess::Assessment,
) -> Result<crate::diff::Changes, Error> {
    let previous = bundle::load(&crate::archive::bundle_input(old))?;
    let before = assess::evaluate(&previous.bundle, previous.checklist);
    Ok(crate::diff::compare(
        &previous.bundle,
        &before,
        &new.bundle,
        new_assessment,
    ))
}

fn archive(
    bundle: &std::path::Path,
    into: &std::path::Path,
    paper: PaperArg,
    ragged: bool,
) -> Result<i32, Error> {
    let opts = crate::archive::ArchiveOptions {
        paper: paper.into(),
        justify: !ragged,
    };
    crate::output::clean_up_on_interrupt()?;
    let done = crate::archive::archive(bundle, into, &opts)?;
    for w in &done.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "archived {} in {}; check it any time with `dossier verify {}`",
        crate::plural::count(done.files, "file", "files"),
        done.dir.display(),
        done.dir.display()
    );
    Ok(0)
}

fn verify(dir: &std::path::Path) -> Result<i32, Error> {
    // A packet PDF is checked against the bundle it carries; a folder is an archive.
    let v = if dir.is_file() {
        crate::archive::verify_pdf(dir)?
    } else {
        crate::archive::verify(dir)?
    };
    for n in &v.notes {
        println!("note: {n}");
    }
    if v.problems.is_empty() {
        use crate::plural::{count, pick};
        let n = v.matching;
        let what = if dir.is_file() {
            let verb = pick(n, "matches its checksum", "match their checksums");
            format!("{} {verb}", count(n, "embedded file", "embedded files"))
        } else {
            format!(
                "{} {}",
                count(n, "file", "files"),
                pick(n, "matches", "match")
            ) + " the manifest"
        };
        println!("ok: {what}, and the packet re-renders identically");
        Ok(0)
    } else {
        for p in &v.problems {
            println!("differs: {p}");
        }
        println!(
            "{} in {}",
            crate::plural::count(v.problems.len(), "problem", "problems"),
            dir.display()
        );
        Ok(1)
    }
}

fn diff(old: &std::path::Path, new: &std::path::Path, json: bool) -> Result<i32, Error> {
    let new_loaded = bundle::load(&crate::archive::bundle_input(new))?;
    let new_assessment = assess::evaluate(&new_loaded.bundle, new_loaded.checklist);
    let changes = compare_with(old, &new_loaded, &new_assessment)?;
    if json {
        let text =
            serde_json::to_string_pretty(&changes).map_err(|e| Error::Json(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", crate::diff::report(&changes));
    }
    Ok(if changes.is_empty() { 0 } else { 1 })
}
