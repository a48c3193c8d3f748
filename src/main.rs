//! The `dossier` binary: parse the command line, run, map the outcome to an exit code.

fn main() {
    let code = dossier::cli::main();
    std::process::exit(code);
}
