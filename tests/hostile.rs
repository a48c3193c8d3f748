//! Hostile and broken input that has to be made at run time (too big, or about permissions,
//! signals and folders) rather than committed under `tests/fixtures/invalid/`: dossier must
//! refuse it with a clear message, never crash, and never lose or half-write a file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{
    MINIMAL, Run, command, copy_dir, copy_sample, dossier, path_str, repo, run, temp_bundle,
};

/// Every file under `dir` with its bytes and modification time: "exactly as it was".
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, Option<std::time::SystemTime>)> {
    fn walk(
        root: &Path,
        dir: &Path,
        out: &mut BTreeMap<String, (Vec<u8>, Option<std::time::SystemTime>)>,
    ) {
        for entry in fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            let meta = fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                out.insert(format!("{rel}/"), (Vec::new(), None));
                walk(root, &path, out);
            } else {
                out.insert(
                    rel,
                    (fs::read(&path).unwrap_or_default(), meta.modified().ok()),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn staging_folders(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".dossier-staging"))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether this process can open a file it has no permission for (root can).
#[cfg(unix)]
fn permissions_are_enforced() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("temp dir");
    let probe = tmp.path().join("probe");
    fs::write(&probe, "x").expect("write");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).expect("chmod");
    fs::File::open(&probe).is_err()
}

/// The user `nobody`, whom root becomes to run dossier where permissions must apply.
#[cfg(unix)]
const NOBODY: u32 = 65534;

/// Runs dossier as a user that file permissions apply to: this user, or, when the tests run
/// as root (as CI does), `nobody` through util-linux's `setpriv`. Root reads and writes
/// regardless of modes, so without this the permission tests would observe nothing.
#[cfg(unix)]
struct Unprivileged {
    /// Set when running as root: dossier runs as `nobody`.
    as_nobody: bool,
    bin: PathBuf,
    /// A copy of the binary when `nobody` cannot reach the one cargo built.
    _copy: Option<tempfile::TempDir>,
}

#[cfg(unix)]
impl Unprivileged {
    fn new() -> Unprivileged {
        let built = PathBuf::from(assert_cmd::cargo::cargo_bin!("dossier"));
        if permissions_are_enforced() {
            return Unprivileged {
                as_nobody: false,
                bin: built,
                _copy: None,
            };
        }
        let mut me = Unprivileged {
            as_nobody: true,
            bin: built.clone(),
            _copy: None,
        };
        if !me
            .command(&["--version"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            // The build folder may be closed to other users: run a copy from a folder
            // everyone can enter.
            let copy = tempfile::tempdir().expect("temp dir");
            open_to_everyone(copy.path());
            let bin = copy.path().join("dossier");
            fs::copy(&built, &bin).expect("copy the binary");
            me.bin = bin;
            me._copy = Some(copy);
        }
        let works = me.command(&["--version"]).output();
        if !works.as_ref().is_ok_and(|o| o.status.success()) {
            panic!(
                "running as root, and `setpriv --reuid={NOBODY}` (util-linux) cannot run dossier \
                 as nobody, so permissions cannot be tested: {works:?}"
            );
        }
        eprintln!("running dossier as nobody (uid {NOBODY}): this user is root");
        me
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = if self.as_nobody {
            let mut c = Command::new("setpriv");
            c.args([
                format!("--reuid={NOBODY}"),
                format!("--regid={NOBODY}"),
                "--clear-groups".to_string(),
                "--".to_string(),
            ])
            .arg(&self.bin);
            c
        } else {
            Command::new(&self.bin)
        };
        cmd.args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Run {
        run(&mut self.command(args))
    }

    /// Gives `path` to the user dossier runs as, so that its mode alone decides access.
    fn give(&self, path: &Path) {
        if self.as_nobody {
            std::os::unix::fs::chown(path, Some(NOBODY), Some(NOBODY)).expect("chown");
        }
    }
}

/// Makes `dir` and everything below it readable (and folders enterable) by every user: temp
/// folders are made 0700, which would shut `nobody` out before any mode under test applies.
#[cfg(unix)]
fn open_to_everyone(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).expect("chmod");
    for entry in fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            open_to_everyone(&entry.path());
        } else {
            fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o644)).expect("chmod");
        }
    }
}

// Size and resource limits -----------------------------------------------------------------

#[test]
fn a_50_mb_bundle_yaml_is_refused_by_its_size_without_being_read() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let yaml = tmp.path().join("bundle.yaml");
    let file = fs::File::create(&yaml).expect("create");
    // Sparse: 50 MB that cost nothing to make. Were it read, it would fail as "not UTF-8"
    // or as YAML instead of by its size.
    file.set_len(50 * 1024 * 1024).expect("set_len");
    drop(file);
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is 50.0 MB; bundle.yaml may be at most 1 MB"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_size_cap_is_one_megabyte_unless_the_environment_raises_it() {
    // The sample with 1.5 MB of YAML comments after it: a valid bundle over the default cap.
    let tmp = copy_sample("acme-forecast");
    let yaml = tmp.path().join("bundle.yaml");
    let mut text = fs::read_to_string(&yaml).expect("read");
    for _ in 0..(3 * 1024 * 1024 / 2 / 64) {
        text.push_str(&format!("# {}\n", "x".repeat(61)));
    }
    fs::write(&yaml, text).expect("write");
    let with = |value: Option<&str>| {
        let mut cmd = command();
        cmd.args(["check", path_str(tmp.path())]);
        match value {
            Some(v) => cmd.env("DOSSIER_MAX_BUNDLE_MB", v),
            None => cmd.env_remove("DOSSIER_MAX_BUNDLE_MB"),
        };
        let r = run(&mut cmd);
        (r.code, r.stderr)
    };
    let (code, err) = with(None);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is 1.5 MB; bundle.yaml may be at most 1 MB"),
        "{err}"
    );
    assert!(
        err.contains("DOSSIER_MAX_BUNDLE_MB raises the limit"),
        "{err}"
    );
    let (code, err) = with(Some("2"));
    assert_eq!(code, 0, "{err}");
    for bad in ["0", "65", "1.5", "lots"] {
        let (code, err) = with(Some(bad));
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(
            err.contains(&format!(
                "DOSSIER_MAX_BUNDLE_MB is \"{bad}\"; it must be a whole number of megabytes from 1 to 64"
            )),
            "{bad}: {err}"
        );
    }
}

#[test]
fn more_references_than_the_cap_are_refused() {
    let mut yaml = format!("{MINIMAL}references:\n");
    for i in 0..2001 {
        yaml.push_str(&format!("  - customer: Customer {i}\n"));
    }
    let tmp = temp_bundle(&yaml);
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("references: 2001 references; a bundle may hold at most 2000"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn the_readme_quotes_the_messages_of_the_caps() {
    // Each cap made to refuse, and its message exactly as the README's Limits section quotes
    // it: changing a cap or its wording without the README fails here.
    let readme = fs::read_to_string(repo("README.md")).expect("README.md");
    let limits = &readme[readme.find("## Limits").expect("a Limits section")..];
    let limits = &limits[..limits[3..].find("\n## ").expect("a next section") + 3];

    let big_yaml = tempfile::tempdir().expect("temp dir");
    let file = fs::File::create(big_yaml.path().join("bundle.yaml")).expect("create");
    file.set_len(50 * 1024 * 1024).expect("set_len");
    drop(file);

    let mut yaml = format!("{MINIMAL}references:\n");
    for i in 0..2001 {
        yaml.push_str(&format!("  - customer: Customer {i}\n"));
    }
    let many_references = temp_bundle(&yaml);

    let big_diagram = temp_bundle(format!(
        "{MINIMAL}architecture:\n  diagram: diagrams/a.png\n"
    ));
    fs::create_dir(big_diagram.path().join("diagrams")).expect("mkdir");
    let file = fs::File::create(big_diagram.path().join("diagrams/a.png")).expect("create");
    file.set_len(40 * 1024 * 1024).expect("set_len");
    drop(file);

    let huge_png = bundle_with_diagram(&black_png(20_000, 20_000));
    fs::rename(
        huge_png.path().join("diagrams/architecture.png"),
        huge_png.path().join("diagrams/a.png"),
    )
    .expect("rename");
    let yaml = huge_png.path().join("bundle.yaml");
    let text = fs::read_to_string(&yaml).expect("read");
    fs::write(&yaml, text.replace("architecture.png", "a.png")).expect("write");

    let pipe = tempfile::tempdir().expect("temp dir");
    let made = Command::new("mkfifo")
        .arg(pipe.path().join("bundle.yaml"))
        .status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");

    let cases: [(PathBuf, &str); 7] = [
        (
            big_yaml.path().to_path_buf(),
            "is 50.0 MB; bundle.yaml may be at most 1 MB (put long documents in files and reference them; DOSSIER_MAX_BUNDLE_MB raises the limit)",
        ),
        (
            pipe.path().join("bundle.yaml"),
            "is not a regular file (a pipe or a device?); give the bundle's bundle.yaml",
        ),
        (
            repo("tests/fixtures/invalid/alias-bomb"),
            "invalid YAML: the document expands to more than 200000 values (aliases such as `*name` repeat whole subtrees); a bundle is far smaller",
        ),
        (
            repo("tests/fixtures/invalid/deep-nesting"),
            "invalid YAML: nested more than 32 levels deep; a bundle needs about six",
        ),
        (
            many_references.path().to_path_buf(),
            "references: 2001 references; a bundle may hold at most 2000",
        ),
        (
            big_diagram.path().to_path_buf(),
            "\"diagrams/a.png\" is 40 MB; a diagram may be at most 32 MB",
        ),
        (
            huge_png.path().to_path_buf(),
            "\"diagrams/a.png\" is too large (20000×20000 pixels); a diagram may have at most 25 megapixels and 12000 pixels per side: export it at a smaller size",
        ),
    ];
    for (bundle, message) in cases {
        let run = dossier(&["check", path_str(&bundle)]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(message), "{message}\n{}", run.stderr);
        assert!(
            limits.contains(message),
            "the README does not quote: {message}"
        );
    }
}

/// A PNG of `width` × `height` 8-bit grey pixels, all black, built by hand so that even a
/// 400-megapixel image costs a few megabytes and milliseconds: the zlib stream is one literal
/// zero followed by back-references of 258 bytes (fixed Huffman codes).
fn black_png(width: u32, height: u32) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most-significant bit first.
        fn code(&mut self, code: u64, len: u32) {
            let reversed = (0..len).fold(0, |r, i| r | ((code >> i) & 1) << (len - 1 - i));
            self.put(reversed, len);
        }
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
            }
        }
        !crc
    }
    fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        png.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    }

    // Every row is a filter byte (0) and `width` zero pixels: the raw stream is all zeros.
    let raw = u64::from(height) * (u64::from(width) + 1);
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0b0011_0000, 8); // literal 0
    let mut left = raw - 1;
    while left > 0 {
        let run = left.min(258);
        if run < 3 {
            for _ in 0..run {
                bits.code(0b0011_0000, 8);
            }
        } else if run == 258 {
            bits.code(0b1100_0101, 8); // length code 285
            bits.code(0, 5); // distance 1
        } else {
            // Lengths 3–10 are codes 257–264 (7 bits each, no extra bits); longer tails are
            // split into pieces of 10.
            let mut r = run;
            while r > 0 {
                let piece = if r > 10 && r - 10 < 3 {
                    r - 3
                } else {
                    r.min(10)
                };
                bits.code(piece - 3 + 1, 7); // code 257 + (piece - 3), as 7-bit 0000001 + …
                bits.code(0, 5);
                r -= piece;
            }
        }
        left -= run;
    }
    bits.code(0, 7); // end of block (256)
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    // Adler-32 of all zeros: a = 1, b = count.
    let adler = (((raw % 65521) as u32) << 16) | 1;
    bits.out.extend(adler.to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, deflate, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &bits.out);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn bundle_with_diagram(png: &[u8]) -> tempfile::TempDir {
    let tmp = temp_bundle(format!(
        "{MINIMAL}architecture:\n  diagram: diagrams/architecture.png\n"
    ));
    fs::create_dir(tmp.path().join("diagrams")).expect("mkdir");
    fs::write(tmp.path().join("diagrams/architecture.png"), png).expect("write png");
    tmp
}

#[test]
fn the_hand_made_png_is_a_real_png() {
    // Guards the generator: a small one must decode to the promised size and pixels.
    let png = black_png(300, 7);
    let img = image::load_from_memory(&png).expect("decodes");
    assert_eq!((img.width(), img.height()), (300, 7));
    assert!(img.to_luma8().pixels().all(|p| p.0 == [0]));
    let run = dossier(&["check", path_str(bundle_with_diagram(&png).path())]);
    assert_eq!(run.code, 1, "a valid bundle with gaps: {}", run.stderr);
}

#[test]
fn a_20000_by_20000_png_is_refused_from_its_header() {
    let png = black_png(20_000, 20_000);
    assert!(png.len() < 4 * 1024 * 1024, "{} bytes", png.len());
    let tmp = bundle_with_diagram(&png);
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "architecture.diagram: \"diagrams/architecture.png\" is too large (20000×20000 pixels); \
             a diagram may have at most 25 megapixels"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_diagram_just_over_the_pixel_cap_is_refused_and_one_at_it_accepted() {
    let over = bundle_with_diagram(&black_png(5_000, 5_001));
    let run = dossier(&["check", path_str(over.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("(5000×5001 pixels)"), "{}", run.stderr);
    let at = bundle_with_diagram(&black_png(5_000, 5_000));
    let run = dossier(&["check", path_str(at.path())]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn markdown_nested_a_hundred_thousand_deep_renders_in_every_format() {
    // Found by hand while measuring the worst inputs: the PDF model recursed once per level
    // and overflowed the stack (a crash, exit by SIGABRT).
    let yaml = MINIMAL.replace(
        "  name: Acme Forecast Studio\n",
        &format!(
            "  name: Acme Forecast Studio\n  lifecycle: |\n    {}deep\n  predictive_functionality: |\n    {}x\n",
            "> ".repeat(100_000),
            "> - ".repeat(5_000)
        ),
    );
    let tmp = temp_bundle(&yaml);
    let out = tempfile::tempdir().expect("temp dir");
    let run = dossier(&[
        "render",
        path_str(tmp.path()),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.path().join("packet.pdf").is_file());
}

// Files and names ---------------------------------------------------------------------------

#[test]
fn file_names_with_spaces_and_non_ascii_letters_are_accepted() {
    let tmp = copy_sample("acme-forecast");
    let root = tmp.path();
    let yaml = root.join("bundle.yaml");
    let text = fs::read_to_string(&yaml).expect("read");
    fs::rename(
        root.join("diagrams/architecture.png"),
        root.join("diagrams/Architektur Übersicht.png"),
    )
    .expect("rename");
    fs::rename(
        root.join("docs/harbor-lane-design.pdf"),
        root.join("docs/Étude de cas Harbor Lane — 2026.pdf"),
    )
    .expect("rename");
    assert!(
        text.contains("diagrams/architecture.png") && text.contains("docs/harbor-lane-design.pdf")
    );
    let text = text
        .replace(
            "diagrams/architecture.png",
            "\"diagrams/Architektur Übersicht.png\"",
        )
        .replace(
            "docs/harbor-lane-design.pdf",
            "\"docs/Étude de cas Harbor Lane — 2026.pdf\"",
        );
    fs::write(&yaml, text).expect("write");

    let run = dossier(&["check", path_str(root)]);
    assert_eq!(run.code, 0, "all Met, as the sample: {}", run.stderr);
    let out = tempfile::tempdir().expect("temp dir");
    let run = dossier(&[
        "render",
        path_str(root),
        "--out",
        path_str(out.path()),
        "--format",
        "md,html",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = fs::read_to_string(out.path().join("packet.md")).expect("packet.md");
    assert!(md.contains("Étude de cas Harbor Lane — 2026.pdf"), "{md}");
    assert!(out.path().join("assets/architecture.png").is_file());
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported_by_name() {
    use std::os::unix::fs::PermissionsExt;
    let user = Unprivileged::new();
    let tmp = temp_bundle(format!(
        "{MINIMAL}references:\n  - customer: Globex Retail\n    documents: [docs/design.pdf]\n"
    ));
    fs::create_dir(tmp.path().join("docs")).expect("mkdir");
    let doc = tmp.path().join("docs/design.pdf");
    fs::write(&doc, "%PDF-1.4").expect("write");
    open_to_everyone(tmp.path());
    // Everything else is readable: the run gets as far as the document and no further.
    let run = user.run(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 1, "readable, with gaps: {}", run.stderr);

    fs::set_permissions(&doc, fs::Permissions::from_mode(0o000)).expect("chmod");
    let run = user.run(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "references[0].documents[0]: file \"docs/design.pdf\" cannot be read: permission denied"
        ),
        "{}",
        run.stderr
    );
    let out = tempfile::tempdir().expect("temp dir");
    open_to_everyone(out.path());
    user.give(out.path());
    let run = user.run(&[
        "render",
        path_str(tmp.path()),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("\"docs/design.pdf\" cannot be read"),
        "{}",
        run.stderr
    );
    assert!(snapshot(out.path()).is_empty(), "render wrote nothing");

    fs::set_permissions(&doc, fs::Permissions::from_mode(0o644)).expect("chmod");
    let yaml = tmp.path().join("bundle.yaml");
    fs::set_permissions(&yaml, fs::Permissions::from_mode(0o000)).expect("chmod");
    let run = user.run(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(path_str(&yaml))
            && run.stderr.contains("cannot be read: permission denied"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn pipes_and_folders_where_files_belong_are_refused_without_blocking() {
    let tmp = temp_bundle(format!(
        "{MINIMAL}architecture:\n  diagram: diagrams/architecture.png\nreferences:\n  - customer: Globex Retail\n    documents: [docs]\n"
    ));
    fs::create_dir(tmp.path().join("diagrams")).expect("mkdir");
    fs::create_dir(tmp.path().join("docs")).expect("mkdir");
    let fifo = tmp.path().join("diagrams/architecture.png");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let run = dossier(&["check", path_str(tmp.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("architecture.diagram: \"diagrams/architecture.png\" is not a file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("references[0].documents[0]: \"docs\" is not a file"),
        "{}",
        run.stderr
    );

    // bundle.yaml itself a pipe: opening it would wait for a writer forever.
    let other = tempfile::tempdir().expect("temp dir");
    let yaml = other.path().join("bundle.yaml");
    let made = Command::new("mkfifo").arg(&yaml).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let run = dossier(&["check", path_str(&yaml)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is not a regular file"),
        "{}",
        run.stderr
    );
}

// Nothing lost ------------------------------------------------------------------------------

/// An output folder holding a good packet of acme-forecast and a file of the user's.
fn out_with_good_packet() -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("temp dir");
    fs::write(out.path().join("notes.txt"), "mine").expect("write");
    let run = dossier(&[
        "render",
        path_str(&repo("samples/acme-forecast")),
        "--out",
        path_str(out.path()),
        "--format",
        "md,html",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

#[test]
fn a_failed_render_leaves_the_earlier_packet_exactly_as_it_was() {
    let out = out_with_good_packet();
    let before = snapshot(out.path());
    assert!(before.contains_key("packet.md") && before.contains_key("packet.html"));

    // An invalid bundle.
    let bad = repo("tests/fixtures/invalid/truncated-png");
    let run = dossier(&["render", path_str(&bad), "--out", path_str(out.path())]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(snapshot(out.path()), before, "after an invalid bundle");

    // A valid bundle whose templates fail.
    let templates = tempfile::tempdir().expect("temp dir");
    fs::write(templates.path().join("packet.md"), "{% if %}").expect("write");
    let run = dossier(&[
        "render",
        path_str(&repo("samples/northwind-vision")),
        "--out",
        path_str(out.path()),
        "--templates",
        path_str(templates.path()),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(snapshot(out.path()), before, "after a template error");
    assert!(staging_folders(out.path()).is_empty());
}

#[test]
fn a_failure_while_renaming_into_place_puts_the_earlier_files_back() {
    // `assets` is a file, so `assets/architecture.png` cannot be put in place, after
    // `packet.md` already was: the earlier packet.md must come back.
    let out = out_with_good_packet();
    fs::remove_dir_all(out.path().join("assets")).expect("rm assets");
    fs::write(out.path().join("assets"), "in the way").expect("write");
    let before = snapshot(out.path());
    let run = dossier(&[
        "render",
        path_str(&repo("samples/northwind-vision")),
        "--out",
        path_str(out.path()),
        "--format",
        "md,html",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("assets"), "{}", run.stderr);
    let after = snapshot(out.path());
    let names = |m: &BTreeMap<String, _>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&after), names(&before));
    for (name, (bytes, _)) in &before {
        assert_eq!(&after[name].0, bytes, "{name} is as it was");
    }
}

#[test]
fn rendering_never_writes_to_the_bundle() {
    let bundle = copy_sample("northwind-vision");
    let before = snapshot(bundle.path());
    let out = tempfile::tempdir().expect("temp dir");
    let run = dossier(&[
        "render",
        path_str(bundle.path()),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot(bundle.path()), before);

    // Output pointed into the bundle so that it would replace one of the bundle's files.
    let tmp = temp_bundle(format!(
        "{MINIMAL}references:\n  - customer: Globex Retail\n    documents: [packet.md]\n"
    ));
    fs::write(tmp.path().join("packet.md"), "the partner's own notes").expect("write");
    let before = snapshot(tmp.path());
    let run = dossier(&[
        "render",
        path_str(tmp.path()),
        "--out",
        path_str(tmp.path()),
        "--format",
        "md",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("is a file of the bundle; choose an output folder outside the bundle"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(tmp.path()), before);
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_cannot_be_written_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    // Works for every user: the output folder's place is taken by a file.
    let tmp = tempfile::tempdir().expect("temp dir");
    let blocker = tmp.path().join("out");
    fs::write(&blocker, "a file").expect("write");
    let run = dossier(&[
        "render",
        path_str(&repo("samples/acme-forecast")),
        "--out",
        path_str(&blocker.join("packet")),
        "--format",
        "md",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: cannot write into the output folder"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(&blocker).expect("read"), "a file");

    // A folder its owner made read-only; as root the owner is `nobody`, who runs dossier.
    let user = Unprivileged::new();
    let out = out_with_good_packet();
    let bundle = copy_sample("northwind-vision");
    open_to_everyone(bundle.path());
    open_to_everyone(out.path());
    user.give(out.path());
    let before = snapshot(out.path());
    fs::set_permissions(out.path(), fs::Permissions::from_mode(0o555)).expect("chmod");
    let render = user.run(&[
        "render",
        path_str(bundle.path()),
        "--out",
        path_str(out.path()),
        "--format",
        "md,html",
    ]);
    let archive = user.run(&[
        "archive",
        path_str(bundle.path()),
        "--into",
        path_str(out.path()),
    ]);
    fs::set_permissions(out.path(), fs::Permissions::from_mode(0o755)).expect("chmod back");
    let message = format!(
        "error: cannot write into the output folder {}: permission denied; nothing was written",
        out.path().display()
    );
    for (what, run) in [("render", render), ("archive", archive)] {
        assert_eq!(run.code, 2, "{what}: {}", run.stderr);
        assert!(run.stderr.contains(&message), "{what}: {}", run.stderr);
    }
    assert_eq!(snapshot(out.path()), before);
}

// Interrupts --------------------------------------------------------------------------------

/// acme-forecast with its references repeated `times` times: a long render.
fn big_bundle(times: usize) -> tempfile::TempDir {
    let tmp = copy_sample("acme-forecast");
    let yaml = tmp.path().join("bundle.yaml");
    let text = fs::read_to_string(&yaml).expect("read");
    let start = text.find("\nreferences:\n").expect("references") + 1;
    let end = text.find("\nreviews:").expect("reviews") + 1;
    let items = &text[start + "references:\n".len()..end];
    let mut big = text[..start].to_string();
    big.push_str("references:\n");
    for _ in 0..times {
        big.push_str(items);
    }
    big.push_str(&text[end..]);
    fs::write(&yaml, big).expect("write");
    tmp
}

#[cfg(unix)]
fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{name}");
}

/// Runs dossier with `args` and sends it SIG`sig` the first time `now(elapsed)` says so
/// (polled every 200 µs while it runs); returns how it ended and whether the signal went.
#[cfg(unix)]
fn interrupt(
    args: &[&str],
    sig: &str,
    mut now: impl FnMut(Duration) -> bool,
) -> (std::process::ExitStatus, bool) {
    let mut child = command()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    let mut signalled = false;
    while started.elapsed() < Duration::from_secs(120) {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        if now(started.elapsed()) {
            signal(child.id(), sig);
            signalled = true;
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    (child.wait().expect("wait"), signalled)
}

#[cfg(unix)]
#[test]
fn an_interrupted_render_leaves_no_half_written_files() {
    let bundle = big_bundle(12);
    let out = out_with_good_packet();
    let mut before = snapshot(out.path());
    // The new packet, to recognise it if a signal arrives after the commit started.
    let reference = tempfile::tempdir().expect("temp dir");
    let run = dossier(&[
        "render",
        path_str(bundle.path()),
        "--out",
        path_str(reference.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let complete = snapshot(reference.path());

    let mut caught_staging = false;
    for (attempt, sig) in ["INT", "TERM", "INT", "TERM", "INT", "TERM"]
        .iter()
        .enumerate()
    {
        // Even attempts: signal as soon as the staging folder appears, while files are being
        // written. Odd attempts: signal while still rendering in memory.
        let args = [
            "render",
            path_str(bundle.path()),
            "--out",
            path_str(out.path()),
        ];
        let (status, signalled) = interrupt(&args, sig, |elapsed| {
            let staging = !staging_folders(out.path()).is_empty();
            let now = (attempt % 2 == 0 && staging)
                || (attempt % 2 == 1 && elapsed > Duration::from_millis(300));
            caught_staging |= now && staging;
            now
        });
        assert!(
            staging_folders(out.path()).is_empty(),
            "attempt {attempt}: a staging folder was left: {status:?}"
        );
        let now = snapshot(out.path());
        eprintln!(
            "attempt {attempt}: SIG{sig} {}, exit {status:?}, folder {}",
            if signalled {
                "sent"
            } else {
                "not sent (finished first)"
            },
            if now == before {
                "as before"
            } else {
                "holds the new packet"
            }
        );
        let names = |m: &BTreeMap<String, (Vec<u8>, _)>| -> Vec<String> {
            m.keys().filter(|k| *k != "notes.txt").cloned().collect()
        };
        if now == before {
            assert!(
                signalled,
                "attempt {attempt}: the render finished but wrote nothing"
            );
            assert!(!status.success(), "attempt {attempt}: {status:?}");
        } else {
            // The signal came after the commit had begun (or the render won the race): the
            // new packet is there, whole.
            assert_eq!(names(&now), names(&complete), "attempt {attempt}");
            for (name, (bytes, _)) in &complete {
                assert_eq!(&now[name].0, bytes, "attempt {attempt}: {name} is whole");
            }
            // Put the earlier packet back for the next attempt.
            fs::remove_dir_all(out.path()).expect("rm");
            let again = out_with_good_packet();
            copy_dir(again.path(), out.path());
            before = snapshot(out.path());
        }
        assert_eq!(
            fs::read_to_string(out.path().join("notes.txt")).expect("notes"),
            "mine"
        );
    }
    eprintln!("signalled while the staging folder existed: {caught_staging}");
}

/// Hidden folders dossier works in (`.dossier-staging-*`, `.dossier-archive-*`).
fn hidden_work_folders(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dossier-"))
        .collect()
}

#[cfg(unix)]
#[test]
fn an_interrupted_archive_leaves_the_archive_folder_as_it_was() {
    let bundle = big_bundle(40);
    // The archive folder holds another partner's archive and a file of the user's.
    let into = tempfile::tempdir().expect("temp dir");
    fs::write(into.path().join("notes.txt"), "mine").expect("write");
    let run = dossier(&[
        "archive",
        path_str(&repo("samples/northwind-vision")),
        "--into",
        path_str(into.path()),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let before = snapshot(into.path());

    let mut caught_working = 0;
    for (attempt, sig) in ["INT", "TERM", "INT", "TERM"].iter().enumerate() {
        // Signal once the staging folder exists: while the bundle is copied into it, or
        // (mostly) while the packet is rendered in memory with the folder already made.
        let args = [
            "archive",
            path_str(bundle.path()),
            "--into",
            path_str(into.path()),
        ];
        let (status, signalled) =
            interrupt(&args, sig, |_| !hidden_work_folders(into.path()).is_empty());
        let left = hidden_work_folders(into.path());
        assert!(
            left.is_empty(),
            "attempt {attempt}: SIG{sig} left {left:?} ({status:?})"
        );
        let now = snapshot(into.path());
        if now == before {
            assert!(
                signalled,
                "attempt {attempt}: archive finished but wrote nothing"
            );
            assert_eq!(
                status.code(),
                Some(130),
                "attempt {attempt}: SIG{sig} is handled, not fatal"
            );
            caught_working += 1;
        } else {
            // The signal came after the archive was renamed into place: it must be whole.
            let made: Vec<String> = fs::read_dir(into.path())
                .expect("read_dir")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir() && !before.contains_key(&format!("{}/", name_of(p))))
                .map(|p| path_str(&p).to_string())
                .collect();
            assert_eq!(made.len(), 1, "attempt {attempt}: {made:?}");
            let verified = dossier(&["verify", &made[0]]);
            assert_eq!(verified.code, 0, "attempt {attempt}: {}", verified.stderr);
            fs::remove_dir_all(&made[0]).expect("rm");
            assert_eq!(snapshot(into.path()), before, "attempt {attempt}");
        }
        eprintln!("attempt {attempt}: SIG{sig}, exit {status:?}");
    }
    // The folder exists for the whole render of a large bundle: most signals land there.
    assert!(caught_working > 0, "no signal arrived while archiving");
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .expect("a name")
        .to_string_lossy()
        .into_owned()
}

// Network and credentials ---------------------------------------------------------------------

/// Whether `program args… true` runs: `unshare` and `strace` may be missing, or refused by a
/// container's seccomp profile.
#[cfg(unix)]
fn wrapper_works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .arg("true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn render_and_archive_need_no_network_and_read_no_credentials() {
    use std::os::unix::process::CommandExt;

    // HOME is an empty folder but for traps: the files where AWS SDKs, git, curl, docker and
    // ssh keep credentials are named pipes. Opening one to read it would block for good, so
    // a dossier that looked at any of them would never finish.
    let home = tempfile::tempdir().expect("temp dir");
    let traps = [
        ".aws/credentials",
        ".aws/config",
        ".netrc",
        ".git-credentials",
        ".docker/config.json",
        ".ssh/id_ed25519",
        ".config/gcloud/credentials.db",
    ];
    for rel in traps {
        let path = home.path().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let made = Command::new("mkfifo").arg(&path).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo {rel}");
    }
    let bundle = copy_sample("acme-forecast");
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("packet");
    let into = work.path().join("archives");
    let trace = work.path().join("trace");

    // Empty network namespace where the kernel allows one; `-r` maps this user to root in a
    // new user namespace, which is what an unprivileged user needs for `-n`.
    let unshare: Option<&[&str]> = [&["-n"][..], &["-rn"][..]]
        .into_iter()
        .find(|args| wrapper_works("unshare", args));
    let strace_args = [
        "-f",
        "-qq",
        "-e",
        "trace=network,open,openat,openat2,creat",
        "-o",
        path_str(&trace),
    ];
    let strace = wrapper_works("strace", &["-f", "-o", "/dev/null"]);
    eprintln!(
        "network namespace: {}; strace: {}",
        if unshare.is_some() {
            "empty"
        } else {
            "unavailable, junk proxies only"
        },
        if strace {
            "traced"
        } else {
            "unavailable, traps only"
        }
    );

    let bin = assert_cmd::cargo::cargo_bin!("dossier");
    let run = |args: &[&str]| -> (Option<i32>, String) {
        let mut cmd = match unshare {
            Some(u) => {
                let mut c = Command::new("unshare");
                c.args(u);
                c
            }
            None => Command::new("env"),
        };
        if strace {
            cmd.arg("strace").args(strace_args);
        }
        cmd.arg(bin).args(args);
        // Nothing of the caller's environment but PATH; everything a library could take for
        // network or credential settings is junk that would fail if used.
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .env("AWS_ACCESS_KEY_ID", "AKIAJUNKJUNKJUNKJUNK")
            .env("AWS_SECRET_ACCESS_KEY", "junk/junk/junk")
            .env("AWS_SESSION_TOKEN", "junk")
            .env("AWS_PROFILE", "junk")
            .env("AWS_REGION", "xx-junk-1")
            .env("AWS_DEFAULT_REGION", "xx-junk-1")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                home.path().join(".aws/credentials"),
            )
            .env("AWS_CONFIG_FILE", home.path().join(".aws/config"))
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
            .env("SSL_CERT_FILE", home.path().join(".netrc"))
            .env("NO_PROXY", "")
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for proxy in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
        ] {
            cmd.env(proxy, "http://127.0.0.1:9");
        }
        let mut child = cmd.spawn().expect("spawn");
        let started = Instant::now();
        while child.try_wait().expect("try_wait").is_none() {
            if started.elapsed() > Duration::from_secs(120) {
                // The process group holds only what this test started.
                let _ = Command::new("kill")
                    .args(["-KILL", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                panic!("dossier {args:?} never finished: did it open a credentials file?");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().expect("output");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if strace {
            let trace = fs::read_to_string(&trace).expect("strace wrote its trace");
            let home = path_str(home.path());
            for line in trace.lines() {
                // "PID call(args) = result", or "PID <... call resumed>…" when -f interleaves.
                let call = line
                    .split_once(' ')
                    .map_or(line, |(_, rest)| rest.trim_start());
                let call = call.strip_prefix("<... ").unwrap_or(call);
                let name: String = call
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if name.is_empty() {
                    continue; // signals and exits
                }
                assert!(
                    ["open", "openat", "openat2", "creat"].contains(&name.as_str()),
                    "dossier {args:?} made a network call: {line}"
                );
                assert!(
                    !(call.contains(home)
                        || call.contains("/.aws/")
                        || call.contains("/.ssh/")
                        || call.contains("credentials")
                        || call.contains(".netrc")),
                    "dossier {args:?} opened something credential-like: {line}"
                );
            }
            // The trace is real: it saw the bundle being read.
            assert!(trace.contains("bundle.yaml"), "{trace}");
        }
        (output.status.code(), stderr)
    };

    let (code, stderr) = run(&["render", path_str(bundle.path()), "--out", path_str(&out)]);
    assert_eq!(code, Some(0), "{stderr}");
    for file in ["packet.md", "packet.html", "packet.pdf"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let (code, stderr) = run(&[
        "archive",
        path_str(bundle.path()),
        "--into",
        path_str(&into),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let archive = fs::read_dir(&into)
        .expect("read_dir")
        .next()
        .expect("an archive")
        .expect("entry")
        .path();
    let (code, stderr) = run(&["verify", path_str(&archive)]);
    assert_eq!(code, Some(0), "{stderr}");
    // Nothing was written into HOME either (listed, not read: the traps would block).
    fn names(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("read_dir").filter_map(Result::ok) {
            let path = entry.path();
            if entry.file_type().expect("type").is_dir() {
                names(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("inside");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut in_home = Vec::new();
    names(home.path(), home.path(), &mut in_home);
    in_home.retain(|k| !traps.contains(&k.as_str()));
    assert!(in_home.is_empty(), "{in_home:?}");
}
