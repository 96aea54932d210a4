//! `kafkascope`: the playground's command line. One module per subcommand;
//! this file only parses arguments and dispatches. Every failure is one line
//! on stderr and exit code 2.

mod assign;
mod dump_log;
mod error;
mod partition;
mod run;

use clap::{Parser, Subcommand};
use std::io::{BufWriter, Write};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "kafkascope",
    version,
    about = "Kafkascope: Apache Kafka in a browser tab"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one of Kafka's consumer partition assignors and print each member's partitions.
    Assign(assign::Args),
    /// Print log segments and indexes as Kafka's kafka-dump-log.sh --files does.
    DumpLog(dump_log::Args),
    /// The partition Kafka's default partitioner picks for a key.
    Partition(partition::Args),
    /// Run scenario files on the simulated cluster.
    Run(run::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match &cli.command {
        Command::Assign(args) => assign::run(args, &mut out),
        Command::DumpLog(args) => dump_log::run(args, &mut out),
        Command::Partition(args) => partition::run(args, &mut out),
        // `run` owns its output and exit code.
        Command::Run(args) => {
            drop(out);
            return run::main(args);
        }
    }
    .and_then(|()| out.flush().map_err(error::CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Whatever was printed before the error still goes out.
            let _ = out.flush();
            eprintln!("kafkascope: {e}");
            ExitCode::from(2)
        }
    }
}
