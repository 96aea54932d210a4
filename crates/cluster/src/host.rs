//! Where a broker process runs.
//!
//! In the simulator every broker is a [`broker::Broker`] in the same thread
//! ([`BrokerHost::Local`]). In the browser each broker runs in its own web
//! worker over its IndexedDB log directory and the cluster reaches it
//! through [`RemoteBroker`] ([`BrokerHost::Remote`]): the same inputs go in,
//! the same outputs come back, so the simulator's scheduling (and its
//! trace) is the same wherever the brokers run. Anything the cluster wants
//! to know about a broker is asked with a [`BrokerQuery`], answered by the
//! same [`broker::query::answer`] on both paths.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use broker::api::BrokerId;
use broker::query::{answer, BrokerAnswer, BrokerQuery};
use broker::wire::{decode, encode, FromBroker, ToBroker, WireMessage};
use broker::{Broker, BrokerConfig, Output};
use log::{MemoryStorage, Shared};

/// A broker process running outside the simulator's thread.
pub trait RemoteBroker {
    /// Runs one input through the broker; its outputs, in order. An error
    /// means the process is gone (the cluster then treats it as crashed).
    fn handle(&mut self, now: u64, input: broker::Input) -> Result<Vec<Output>, String>;

    /// Asks the running broker a question.
    fn query(&self, query: &BrokerQuery) -> Result<BrokerAnswer, String>;

    /// `kill -9` (or, with `power_off`, a power cut): the process ends.
    /// Returns its log directory as it now is on disk: what a restart will
    /// recover (page cache kept after a kill, only flushed data after a
    /// power cut), for looking at a broker that is down.
    fn kill(&mut self, power_off: bool) -> Result<MemoryStorage, String>;

    /// What the process reported that did not stop it (a damaged stored
    /// chunk cut off at start, a write to storage that failed and will be
    /// retried), since the last call.
    fn take_notes(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// How a broker process starts over its log directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// A new, empty log directory (a new cluster).
    Fresh,
    /// After `crash`: what the page cache held is there.
    AfterCrash,
    /// After `power-off`: only what was flushed is there.
    AfterPowerLoss,
}

/// Starts broker processes outside the simulator's thread.
pub trait BrokerHosts {
    fn spawn(
        &mut self,
        config: &BrokerConfig,
        start: Start,
    ) -> Result<Box<dyn RemoteBroker>, String>;
}

/// One broker process: here, or behind [`RemoteBroker`].
// Not boxed: `ClusterNode` boxes the whole node already, and the local
// broker is the simulator's hot path.
#[allow(clippy::large_enum_variant)]
pub enum BrokerHost {
    Local(Broker),
    Remote(Box<dyn RemoteBroker>),
}

impl BrokerHost {
    /// Runs `input`, appending the outputs to `out`.
    pub fn handle(
        &mut self,
        now: u64,
        input: broker::Input,
        out: &mut Vec<Output>,
    ) -> Result<(), String> {
        match self {
            BrokerHost::Local(b) => {
                b.handle(now, input, out);
                Ok(())
            }
            BrokerHost::Remote(r) => {
                out.extend(r.handle(now, input)?);
                Ok(())
            }
        }
    }

    pub fn query(&self, query: &BrokerQuery) -> Result<BrokerAnswer, String> {
        match self {
            BrokerHost::Local(b) => Ok(answer(b, query)),
            BrokerHost::Remote(r) => r.query(query),
        }
    }

    /// The broker itself when it runs here (invariant watches read it
    /// directly, every event).
    pub fn local(&self) -> Option<&Broker> {
        match self {
            BrokerHost::Local(b) => Some(b),
            BrokerHost::Remote(_) => None,
        }
    }
}

pub use broker::wire::{disk_files, disk_from_files, DiskFiles};

/// Brokers hosted in this thread behind [`RemoteBroker`], each over its
/// own log directory, which survives its process only as files (as the
/// browser's broker workers keep theirs in IndexedDB): a restarted broker
/// starts over a directory rebuilt from the files its last process left.
/// Inputs, outputs, questions and answers go through the broker worker's
/// codec ([`broker::wire`]) both ways.
/// Tests use it to check that a run with hosted brokers is the same run.
#[derive(Default)]
pub struct LoopbackHosts {
    /// What each broker's last process left on disk.
    disks: Rc<RefCell<BTreeMap<BrokerId, DiskFiles>>>,
}

impl BrokerHosts for LoopbackHosts {
    fn spawn(
        &mut self,
        config: &BrokerConfig,
        start: Start,
    ) -> Result<Box<dyn RemoteBroker>, String> {
        let id = config.broker_id;
        let disk = match start {
            Start::Fresh => MemoryStorage::new(),
            Start::AfterCrash | Start::AfterPowerLoss => disk_from_files(
                self.disks
                    .borrow()
                    .get(&id)
                    .ok_or_else(|| format!("broker {id} has no log directory to restart over"))?,
            )?,
        };
        let disk = Shared::new(disk);
        Ok(Box::new(LoopbackBroker {
            broker: Broker::new(config.clone(), disk.clone()),
            disk,
            disks: self.disks.clone(),
        }))
    }
}

struct LoopbackBroker {
    broker: Broker,
    disk: Shared<MemoryStorage>,
    disks: Rc<RefCell<BTreeMap<BrokerId, DiskFiles>>>,
}

/// `msg` as the other side decodes it: everything a loopback broker
/// takes and gives goes through the worker's codec.
fn through<T: WireMessage>(msg: &T) -> Result<T, String> {
    decode(&encode(msg)).map_err(|e| e.to_string())
}

impl RemoteBroker for LoopbackBroker {
    fn handle(&mut self, now: u64, input: broker::Input) -> Result<Vec<Output>, String> {
        let ToBroker::Handle { now, input } = through(&ToBroker::Handle { now, input })? else {
            return Err("ToBroker::Handle came back as another message".into());
        };
        let mut outputs = Vec::new();
        self.broker.handle(now, input, &mut outputs);
        match through(&FromBroker::Outputs {
            outputs,
            notes: Vec::new(),
        })? {
            FromBroker::Outputs { outputs, .. } => Ok(outputs),
            _ => Err("FromBroker::Outputs came back as another message".into()),
        }
    }

    fn query(&self, query: &BrokerQuery) -> Result<BrokerAnswer, String> {
        let ToBroker::Query { query } = through(&ToBroker::Query {
            query: query.clone(),
        })?
        else {
            return Err("ToBroker::Query came back as another message".into());
        };
        match through(&FromBroker::Answer(answer(&self.broker, &query)))? {
            FromBroker::Answer(a) => Ok(a),
            _ => Err("FromBroker::Answer came back as another message".into()),
        }
    }

    fn kill(&mut self, power_off: bool) -> Result<MemoryStorage, String> {
        let mut disk = self.disk.borrow_mut();
        if power_off {
            disk.power_off();
        } else {
            disk.crash();
        }
        let files = disk_files(&disk);
        self.disks
            .borrow_mut()
            .insert(self.broker.id(), files.clone());
        // The directory as the next process will find it.
        disk_from_files(&files)
    }
}
