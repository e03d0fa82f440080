//! The `gwtrigger` command line for people: `hash` (the same hash as the data source),
//! `mirror` (provider mirror trees) and `release` (signed registry releases). Each subcommand
//! lives in its own module; this one only parses arguments, sets up the runtime and turns errors
//! into exit codes.

mod connection;
mod doctor;
mod drift;
mod hash;
pub mod mirror;
mod release;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use connection::ConnectionArgs;

#[derive(Debug, Parser)]
#[command(
    name = "gwtrigger",
    version,
    about = "Redeployment hashes and diagnostics for API Gateway REST APIs",
    long_about = "Reads a live API Gateway REST API the way the gwtrigger Terraform provider does.\n\
                  `gwtrigger hash` prints the same hash as `data \"gwtrigger\"`."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the redeployment hash of a REST API (the data source's `hash`).
    Hash(hash::HashArgs),
    /// Compare what a stage serves with the live API (exit 0 in sync, 2 drift, 1 error).
    Drift(drift::DriftArgs),
    /// Run the 403 checklist for a stage/route (exit 0 pass or warn, 2 fail, 1 error).
    Doctor(doctor::DoctorArgs),
    /// Write a provider mirror tree (packed or unpacked) with h1/zh hashes.
    Mirror(mirror::MirrorArgs),
    /// Package prebuilt binaries into a signed registry release and a static registry tree.
    Release(release::ReleaseArgs),
}

/// A failure to report: a short summary and a detail that says how to fix it.
#[derive(Debug)]
pub struct CliError {
    pub summary: String,
    pub detail: String,
}

impl CliError {
    pub fn new(summary: impl Into<String>, detail: impl Into<String>) -> CliError {
        CliError {
            summary: summary.into(),
            detail: detail.into(),
        }
    }
}

/// Entry point of the `gwtrigger` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    // tonic and the AWS SDK both enable a rustls provider; pick one before any TLS is used.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let result = match &cli.command {
        Command::Hash(args) => runtime().and_then(|rt| rt.block_on(hash::run(args))),
        Command::Drift(args) => {
            return finish(runtime().and_then(|rt| rt.block_on(drift::run(args))))
        }
        Command::Doctor(args) => {
            return finish(runtime().and_then(|rt| rt.block_on(doctor::run(args))))
        }
        Command::Mirror(args) => {
            mirror::run(args).map_err(|err| CliError::new("Mirror failed", err.to_string()))
        }
        Command::Release(args) => {
            release::run(args).map_err(|err| CliError::new("Release failed", err.to_string()))
        }
    };
    match result {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("Error: {}\n\n{}", err.summary, err.detail);
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| {
            CliError::new(
                "Cannot start",
                format!("Could not start the async runtime: {err}"),
            )
        })
}

/// Logs go to stderr, filtered by GWTRIGGER_LOG (e.g. `debug`); quiet by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GWTRIGGER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Prints a (stdout, exit status) result of `drift`/`doctor`; errors exit 1.
fn finish(result: Result<(String, u8), CliError>) -> ExitCode {
    match result {
        Ok((output, code)) => {
            print!("{output}");
            ExitCode::from(code)
        }
        Err(err) => {
            eprintln!("Error: {}\n\n{}", err.summary, err.detail);
            ExitCode::FAILURE
        }
    }
}
