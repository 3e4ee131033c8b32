use std::process::ExitCode;

fn main() -> ExitCode {
    tugboat::cli::main()
}
