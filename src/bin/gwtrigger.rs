//! The `gwtrigger` CLI; see `gwtrigger::cli`.

fn main() -> std::process::ExitCode {
    gwtrigger::cli::main()
}
