//! `kafkascope assign`: run one of Kafka's consumer partition assignors on
//! a group described on the command line and print each member's
//! partitions, one line per member in name order:
//!
//! ```text
//! c1: t1-0,t1-1,t2-0,t2-1
//! c2: none
//! ```
//!
//! Partitions are sorted by topic, then partition; a member that gets
//! nothing prints `none` (as the scenario language writes "or none").
//! `--member NAME:T1,T2[:owned=T-0,T-1][:instance=ID]` subscribes NAME to
//! T1,T2; `owned` is what it owns now (sent as the eager sticky assignor's
//! user data, or as the cooperative one's owned partitions), with
//! `--generation G` as the generation it was assigned in; `instance` makes
//! it a static member (`group.instance.id`).

use crate::error::{CliError, Result};
use client::assignor::{
    assignor_by_name, serialize_topic_partition_assignment, CooperativeStickyAssignor, MemberData,
    Subscription, TopicPartition,
};
use std::collections::BTreeMap;
use std::io::Write;

const STRATEGIES: &str = "range, roundrobin, sticky, cooperative-sticky";

#[derive(clap::Args)]
#[command(
    after_help = "Prints one line per member, in name order: NAME: t-0,t-1 (sorted by topic, \
                  then partition), or NAME: none when it gets nothing."
)]
pub struct Args {
    /// range | roundrobin | sticky | cooperative-sticky
    #[arg(long)]
    strategy: String,
    /// TOPIC:PARTITIONS, e.g. orders:6 (repeatable)
    #[arg(long = "topic", value_name = "TOPIC:PARTITIONS")]
    topics: Vec<String>,
    /// NAME:T1,T2[:owned=T-0,T-1][:instance=ID] (repeatable)
    #[arg(long = "member", value_name = "SPEC")]
    members: Vec<String>,
    /// Generation in which the members' owned partitions were assigned.
    #[arg(long, allow_hyphen_values = true)]
    generation: Option<i32>,
}

struct MemberSpec {
    name: String,
    topics: Vec<String>,
    owned: Vec<TopicPartition>,
    instance: Option<String>,
}

pub fn run(args: &Args, out: &mut impl Write) -> Result<()> {
    let assignor = assignor_by_name(&args.strategy).ok_or_else(|| {
        CliError(format!(
            "unknown strategy '{}' (expected one of: {STRATEGIES})",
            args.strategy
        ))
    })?;
    let partitions_per_topic = parse_topics(&args.topics)?;
    if args.members.is_empty() {
        return Err(CliError(
            "at least one --member NAME:TOPICS is required".into(),
        ));
    }
    let mut subscriptions = BTreeMap::new();
    for spec in &args.members {
        let member = parse_member(spec)?;
        check_declared(&member, &partitions_per_topic)?;
        let subscription = subscription_for(&member, &args.strategy, args.generation);
        if subscriptions
            .insert(member.name.clone(), subscription)
            .is_some()
        {
            return Err(CliError(format!("member '{}' given twice", member.name)));
        }
    }

    let assignment = assignor.assign(&partitions_per_topic, &subscriptions);
    for (member, mut partitions) in assignment {
        partitions.sort();
        let list: Vec<String> = partitions.iter().map(ToString::to_string).collect();
        let list = if list.is_empty() {
            "none".to_string()
        } else {
            list.join(",")
        };
        writeln!(out, "{member}: {list}")?;
    }
    Ok(())
}

fn parse_topics(specs: &[String]) -> Result<BTreeMap<String, i32>> {
    let mut topics = BTreeMap::new();
    for spec in specs {
        let (name, count) = spec.split_once(':').ok_or_else(|| {
            CliError(format!(
                "malformed --topic '{spec}' (expected TOPIC:PARTITIONS)"
            ))
        })?;
        let count: i32 = count.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
            CliError(format!(
                "malformed --topic '{spec}': partitions must be a number >= 1"
            ))
        })?;
        if name.is_empty() {
            return Err(CliError(format!(
                "malformed --topic '{spec}': empty topic name"
            )));
        }
        if topics.insert(name.to_string(), count).is_some() {
            return Err(CliError(format!("topic '{name}' declared twice")));
        }
    }
    Ok(topics)
}

fn parse_member(spec: &str) -> Result<MemberSpec> {
    let malformed = |why: &str| CliError(format!("malformed --member '{spec}': {why}"));
    let mut fields = spec.split(':');
    let name = fields.next().unwrap_or_default();
    if name.is_empty() {
        return Err(malformed("empty member name"));
    }
    let topics: Vec<String> = fields
        .next()
        .ok_or_else(|| malformed("expected NAME:T1,T2[:owned=T-0,T-1][:instance=ID]"))?
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if topics.is_empty() {
        return Err(malformed("no topics"));
    }
    let mut member = MemberSpec {
        name: name.to_string(),
        topics,
        owned: Vec::new(),
        instance: None,
    };
    for field in fields {
        match field.split_once('=') {
            Some(("owned", list)) => {
                for p in list.split(',').filter(|p| !p.is_empty()) {
                    member.owned.push(parse_partition(p).ok_or_else(|| {
                        malformed(&format!("owned partition '{p}' is not TOPIC-PARTITION"))
                    })?);
                }
            }
            Some(("instance", id)) if !id.is_empty() => member.instance = Some(id.to_string()),
            _ => {
                return Err(malformed(&format!(
                    "unknown field '{field}' (expected owned=... or instance=...)"
                )))
            }
        }
    }
    Ok(member)
}

/// `orders-3` → (orders, 3); topic names may contain '-'.
fn parse_partition(s: &str) -> Option<TopicPartition> {
    let (topic, partition) = s.rsplit_once('-')?;
    let partition: i32 = partition.parse().ok().filter(|p| *p >= 0)?;
    (!topic.is_empty()).then(|| TopicPartition::new(topic, partition))
}

fn check_declared(member: &MemberSpec, topics: &BTreeMap<String, i32>) -> Result<()> {
    for t in &member.topics {
        if !topics.contains_key(t) {
            return Err(CliError(format!(
                "member '{}' subscribes to topic '{t}', which no --topic declares",
                member.name
            )));
        }
    }
    for p in &member.owned {
        match topics.get(&p.topic) {
            None => {
                return Err(CliError(format!(
                    "member '{}' owns {p}, but no --topic declares '{}'",
                    member.name, p.topic
                )))
            }
            Some(n) if p.partition >= *n => {
                return Err(CliError(format!(
                    "member '{}' owns {p}, but '{}' has {n} partitions",
                    member.name, p.topic
                )))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Owned partitions reach each assignor the way a Kafka client sends them:
/// the subscription's owned partitions and generation, and the assignor's
/// user data: the StickyAssignor's previous assignment (V1 with a
/// generation, V0 without) or the CooperativeStickyAssignor's generation.
fn subscription_for(member: &MemberSpec, strategy: &str, generation: Option<i32>) -> Subscription {
    let mut sub = Subscription::new(member.topics.iter().cloned())
        .with_owned_partitions(member.owned.clone());
    sub.generation_id = generation;
    sub.group_instance_id = member.instance.clone();
    sub.user_data = match strategy {
        "sticky" if !member.owned.is_empty() || generation.is_some() => {
            Some(serialize_topic_partition_assignment(&MemberData {
                partitions: member.owned.clone(),
                generation,
            }))
        }
        "cooperative-sticky" => generation.map(CooperativeStickyAssignor::subscription_user_data),
        _ => None,
    };
    sub
}
