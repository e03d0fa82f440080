//! The `gwtrigger` command line for people: hash, mirror, drift, doctor.
//! TEMPORARY wiring (mirror branch only) so the mirror e2e tests can run; the lead's CLI replaces it.
use clap::Parser;

#[derive(Parser)]
#[command(name = "gwtrigger")]
enum Command {
    /// Write a provider mirror.
    Mirror(gwtrigger::cli::mirror::MirrorArgs),
}

fn main() -> std::process::ExitCode {
    let Command::Mirror(args) = Command::parse();
    match gwtrigger::cli::mirror::run(&args) {
        Ok(text) => {
            print!("{text}");
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("Error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
