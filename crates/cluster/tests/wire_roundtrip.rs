//! Every scenario with its brokers behind the broker worker's wire codec
//! (`broker::wire`): each broker is started with a `ToBroker::Start` that
//! went through bytes, every input it gets is a decoded
//! `ToBroker::Handle`, every output the simulator sees is a decoded
//! `FromBroker::Outputs`, and each crossing decodes to the value sent. The
//! runs must be the runs without the codec, event for event.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::Path;
use std::rc::Rc;

use broker::query::{BrokerAnswer, BrokerQuery};
use broker::wire::{self, FromBroker, ToBroker, WireMessage};
use broker::{BrokerConfig, Input, Output};
use kafkascope_cluster::host::{BrokerHosts, LoopbackHosts, RemoteBroker, Start};
use kafkascope_cluster::runner::{preflight, run, run_hosted, RunOptions};
use log::MemoryStorage;

mod common;

/// `value` as the other side of a worker boundary decodes it, checked to
/// be the same value.
fn across<T: WireMessage + Debug>(value: T) -> T {
    let bytes = wire::encode(&value);
    let back: T = wire::decode(&bytes).unwrap_or_else(|e| panic!("{e}\nof {value:?}"));
    assert_eq!(format!("{back:?}"), format!("{value:?}"));
    back
}

/// What crossed, for the coverage check at the end.
#[derive(Default)]
struct Seen {
    apis: BTreeSet<&'static str>,
    messages: u64,
}

/// [`LoopbackHosts`] with every crossing going through the codec.
struct WireHosts {
    inner: LoopbackHosts,
    seen: Rc<RefCell<Seen>>,
}

impl BrokerHosts for WireHosts {
    fn spawn(
        &mut self,
        config: &BrokerConfig,
        start: Start,
    ) -> Result<Box<dyn RemoteBroker>, String> {
        let sent = ToBroker::Start {
            config: config.clone(),
            power_loss: start == Start::AfterPowerLoss,
        };
        let ToBroker::Start { config, power_loss } = across(sent) else {
            unreachable!("across() checked the variant")
        };
        assert_eq!(power_loss, start == Start::AfterPowerLoss);
        Ok(Box::new(WireBroker {
            inner: self.inner.spawn(&config, start)?,
            seen: self.seen.clone(),
        }))
    }
}

struct WireBroker {
    inner: Box<dyn RemoteBroker>,
    seen: Rc<RefCell<Seen>>,
}

impl RemoteBroker for WireBroker {
    fn handle(&mut self, now: u64, input: Input) -> Result<Vec<Output>, String> {
        if let Input::Message { msg, .. } = &input {
            let mut seen = self.seen.borrow_mut();
            seen.apis.insert(msg.api());
            seen.messages += 1;
        }
        let ToBroker::Handle { now, input } = across(ToBroker::Handle { now, input }) else {
            unreachable!("across() checked the variant")
        };
        let outputs = self.inner.handle(now, input)?;
        let FromBroker::Outputs(outputs) = across(FromBroker::Outputs(outputs)) else {
            unreachable!("across() checked the variant")
        };
        Ok(outputs)
    }

    // Queries travel as the router's own bytes (`ToBroker::Query`); their
    // encoding is not the codec's.
    fn query(&self, query: &BrokerQuery) -> Result<BrokerAnswer, String> {
        self.inner.query(query)
    }

    fn kill(&mut self, power_off: bool) -> Result<MemoryStorage, String> {
        let ToBroker::Kill { power_off } = across(ToBroker::Kill { power_off }) else {
            unreachable!("across() checked the variant")
        };
        self.inner.kill(power_off)
    }
}

#[test]
fn every_scenario_runs_the_same_with_its_brokers_behind_the_codec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let files = common::scenario_files(&root);
    assert!(
        files.len() >= 40,
        "expected the scenario library, found {files:?}"
    );
    let seen = Rc::new(RefCell::new(Seen::default()));
    let opts = RunOptions::default();
    for f in &files {
        let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
        let source = std::fs::read_to_string(f).expect("readable");
        let s = scenario::parse(&name, &source).expect("parses");
        preflight(&s).expect("supported");
        let here = run(&s, &opts);
        let hosts = WireHosts {
            inner: LoopbackHosts::default(),
            seen: seen.clone(),
        };
        let wired = run_hosted(&s, &opts, Some(Rc::new(RefCell::new(hosts))));
        assert_eq!(here.lines, wired.lines, "{name}: printed results differ");
        assert_eq!(here.expects, wired.expects, "{name}: expects differ");
        assert_eq!(here.failure, wired.failure, "{name}: failure differs");
        assert_eq!(here.trace_hash, wired.trace_hash, "{name}: runs differ");
    }
    // The scenarios reach every API the broker speaks but StopReplica
    // (partition reassignment is not in the language; the broker crate's
    // wire tests round-trip it).
    let seen = seen.borrow();
    for api in [
        "Produce",
        "Fetch",
        "OffsetsForLeaderEpoch",
        "LeaderAndIsr",
        "UpdateMetadata",
        "ControlledShutdown",
        "Metadata",
        "FindCoordinator",
        "JoinGroup",
        "SyncGroup",
        "Heartbeat",
        "OffsetCommit",
        "OffsetFetch",
        "LeaveGroup",
        "TxnOffsetCommit",
        "InitProducerId",
        "AddPartitionsToTxn",
        "AddOffsetsToTxn",
        "EndTxn",
        "WriteTxnMarkers",
        "ListOffsets",
        "ZooKeeper",
    ] {
        assert!(
            seen.apis.contains(api),
            "no {api} crossed; seen: {:?}",
            seen.apis
        );
    }
    eprintln!(
        "{} messages crossed the codec, {} APIs: {:?}",
        seen.messages,
        seen.apis.len(),
        seen.apis
    );
}
