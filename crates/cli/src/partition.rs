//! `kafkascope partition`: the default partitioner's choice for a key,
//! `toPositive(murmur2(key)) % numPartitions`, or the raw murmur2 hash.

use crate::error::{CliError, Result};
use protocol::partitioner_hash::{murmur2, partition_for_key};
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// The record key (its UTF-8 bytes are hashed, as StringSerializer does).
    #[arg(long)]
    key: String,
    /// Number of partitions of the topic.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    partitions: Option<u32>,
    /// Print Kafka's murmur2 of the key as a signed int32 instead.
    #[arg(long)]
    hash: bool,
}

pub fn run(args: &Args, out: &mut impl Write) -> Result<()> {
    let key = args.key.as_bytes();
    if args.hash {
        writeln!(out, "{}", murmur2(key))?;
        return Ok(());
    }
    let n = args
        .partitions
        .ok_or_else(|| CliError("--partitions N is required (or --hash)".into()))?;
    let p = partition_for_key(key, n).ok_or_else(|| CliError("no partitions".into()))?;
    writeln!(out, "{p}")?;
    Ok(())
}
