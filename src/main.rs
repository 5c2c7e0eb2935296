//! The `medfaq` command: a thin shell over the library's [`medfaq::cli`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = medfaq::cli::Cli::parse();
    // `serve` sets up its own logging from its config; the other commands only report
    // warnings (or what RUST_LOG asks for) on standard error.
    if !matches!(cli.command, medfaq::cli::Command::Serve { .. }) {
        tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .with_writer(std::io::stderr)
            .init();
    }
    ExitCode::from(medfaq::cli::run(cli))
}
