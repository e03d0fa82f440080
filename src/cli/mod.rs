//! The `gwtrigger` command line for people: `hash` (the same hash as the data source), `drift`
//! and `doctor` (what a stage serves, the 403 checklist), `mirror` (provider mirror trees) and
//! `release` (signed registry releases). Each subcommand lives in its own module; this one only
//! parses arguments, sets up the runtime and logging, and turns errors into exit codes.

mod connection;
mod doctor;
mod drift;
mod hash;
pub mod mirror;
mod release;

use std::io::IsTerminal;
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
    /// Compare what a stage serves with the live API and name live methods without an
    /// integration (exit 0 in sync, 2 drift or a method without an integration, 1 error).
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

/// The AWS layer's messages already name the CLI's flags (the settings say they are the CLI's).
impl From<crate::aws::AwsError> for CliError {
    fn from(err: crate::aws::AwsError) -> CliError {
        CliError::new(err.summary(), err.detail())
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

/// Logs go to stderr, filtered by GWTRIGGER_LOG (e.g. `debug`, `aws_config=debug`). By default
/// only gwtrigger's own warnings: the AWS SDK's log lines (a credential chain's WARN with a
/// debug dump, say) would only repeat, worse, what the error message says. Colour only on a
/// terminal, and never with NO_COLOR.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GWTRIGGER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .try_init();
}

/// gwtrigger's own warnings; every other target is off.
const DEFAULT_LOG_FILTER: &str = "gwtrigger=warn";

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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::aws::{FrontEnd, Setting, MAX_RETRIES_LIMIT};

    /// `--help` text of one argument of one subcommand.
    fn help(subcommand: &str, arg: &str) -> String {
        let command = Cli::command();
        let sub = command.find_subcommand(subcommand).expect(subcommand);
        let arg = sub
            .get_arguments()
            .find(|a| a.get_id() == arg)
            .unwrap_or_else(|| panic!("{subcommand} has no {arg}"));
        arg.get_help().map(ToString::to_string).unwrap_or_default()
    }

    fn long_flags(subcommand: &str) -> Vec<String> {
        let command = Cli::command();
        let sub = command.find_subcommand(subcommand).expect(subcommand);
        sub.get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect()
    }

    #[test]
    fn every_cli_setting_name_is_a_real_flag_or_an_aws_variable() {
        let reading_commands = ["hash", "drift", "doctor"];
        for setting in Setting::ALL {
            let name = FrontEnd::Cli.name(setting);
            let flags: Vec<&str> = name
                .split(|c: char| c.is_whitespace() || c == '`')
                .filter(|word| word.starts_with("--"))
                .collect();
            assert!(
                !flags.is_empty() || name.starts_with("AWS_"),
                "{setting:?} is named {name:?}: neither a flag nor an AWS variable"
            );
            for flag in flags {
                // A setting of the read (stage) needs only the commands that take it.
                let takers: Vec<&str> = reading_commands
                    .into_iter()
                    .filter(|c| long_flags(c).iter().any(|f| f == flag))
                    .collect();
                assert!(!takers.is_empty(), "{setting:?}: no command takes {flag}");
                if setting != Setting::StageName {
                    assert_eq!(takers, reading_commands, "{setting:?}: {flag}");
                }
            }
        }
    }

    #[test]
    fn help_lists_what_the_code_accepts() {
        let exclude = help("hash", "exclude");
        for name in crate::canonical::Aspect::ALL.map(crate::canonical::Aspect::name) {
            assert!(exclude.contains(name), "{name} missing in {exclude:?}");
        }
        let region = help("hash", "region");
        assert!(
            region.contains("AWS_REGION") && region.contains("AWS_DEFAULT_REGION"),
            "{region}"
        );
        let retries = help("drift", "max_retries");
        assert!(
            retries.contains(&format!("0-{MAX_RETRIES_LIMIT}")),
            "{retries}"
        );
        let mode = help("doctor", "retry_mode");
        for name in crate::aws::RetryMode::NAMES {
            assert!(mode.contains(name), "{mode}");
        }
        Cli::command().debug_assert();
    }

    #[test]
    fn flags_make_settings_named_for_the_cli() {
        let cli = Cli::try_parse_from([
            "gwtrigger",
            "hash",
            "--rest-api-id",
            "abc",
            "--max-retries",
            "3",
            "--retry-mode",
            "legacy",
            "--endpoint-url",
            "notaurl",
        ])
        .unwrap();
        let Command::Hash(args) = cli.command else {
            panic!("not hash")
        };
        let settings = args.connection.settings();
        assert_eq!(settings.front_end, FrontEnd::Cli);
        assert_eq!(settings.max_retries, Some(3));
        assert_eq!(settings.retry_mode, Some(crate::aws::RetryMode::Standard));
        let bad = Cli::try_parse_from([
            "gwtrigger",
            "hash",
            "--rest-api-id",
            "a",
            "--retry-mode",
            "fast",
        ]);
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("standard or adaptive"));
        for (value, problem) in [
            (
                "-1",
                "--max-retries is -1; use a whole number from 0 to 100",
            ),
            ("101", "--max-retries is 101;"),
            ("two", "\"two\" is not a whole number"),
        ] {
            let bad = Cli::try_parse_from(["gwtrigger", "drift", "--max-retries", value]);
            let message = bad.unwrap_err().to_string();
            assert!(message.contains(problem), "{message}");
        }
    }

    #[tokio::test]
    async fn a_bad_flag_is_named_as_the_flag() {
        let cli = Cli::try_parse_from([
            "gwtrigger",
            "drift",
            "--rest-api-id",
            "abc",
            "--stage",
            "dev",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            "notaurl",
        ])
        .unwrap();
        let Command::Drift(args) = cli.command else {
            panic!("not drift")
        };
        let err = args.connection.client().await.unwrap_err();
        assert!(
            err.detail
                .starts_with("--endpoint-url = \"notaurl\" is not a valid URL"),
            "{}",
            err.detail
        );
        assert!(!err.detail.contains("endpoints"), "{}", err.detail);
    }
}
