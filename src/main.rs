use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    tugboat::cli::run(tugboat::cli::Cli::parse())
}
