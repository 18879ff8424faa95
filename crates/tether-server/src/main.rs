//! The `tether` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tether_server::config::{ServeArgs, Settings};
use tether_server::{app, telemetry};

#[derive(Parser)]
#[command(name = "tether", version, about = "Self-hosted integration hub")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub.
    Serve(ServeArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            if let Err(error) = telemetry::init(&args.log, args.log_format) {
                tracing::error!(error = %error, "invalid settings");
                return ExitCode::from(2);
            }
            let settings = match Settings::from_args(&args) {
                Ok(settings) => settings,
                Err(error) => {
                    tracing::error!(error = %error, "invalid settings");
                    return ExitCode::from(2);
                }
            };
            match app::serve(settings).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    let chain = tether_server::http::describe_error(&error);
                    tracing::error!(error = %chain, "hub stopped");
                    if error.is_configuration() {
                        ExitCode::from(2)
                    } else {
                        ExitCode::FAILURE
                    }
                }
            }
        }
    }
}
