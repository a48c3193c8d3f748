//! The `dossier` binary: parse the command line, run, map the outcome to an exit code.

/// mimalloc instead of the system allocator: layout and PDF writing allocate many small
/// short-lived vectors (glyph runs, operations), where glibc's malloc spent about a quarter
/// of the render time (docs/performance.md). Built without transparent huge pages, which
/// would double a small render's resident memory.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = dossier::cli::main();
    std::process::exit(code);
}
