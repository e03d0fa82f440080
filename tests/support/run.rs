#![allow(dead_code)]
//! Running the `gwtrigger` binary as a user runs it: only the given environment (plus a clean
//! HOME and PATH, no instance metadata), stderr a pipe.

use std::process::{Command, Output};

pub struct Run {
    pub stderr: String,
    pub stdout: String,
    pub code: Option<i32>,
}

/// Runs `gwtrigger ARGS` with only the given environment (plus a clean HOME and PATH).
pub fn gwtrigger(args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().expect("temp home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_gwtrigger"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for (name, value) in env {
        command.env(name, value);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("gwtrigger runs");
    Run {
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        code: status.code(),
    }
}
