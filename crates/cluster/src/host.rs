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
//!
//! Two ways to run a remote broker's inputs:
//! - **step** ([`RemoteBroker::handle`]): the cluster waits for the
//!   outputs of each input before the next event, so the run (and its
//!   trace) is the simulator's;
//! - **live** ([`RemoteBroker::post`], then [`RemoteBroker::poll`] or
//!   [`RemoteBroker::wait`]): the cluster hands the input over and goes on;
//!   the outputs come back later, in posting order per broker, and the
//!   cluster applies them when they arrive (`Cluster::collect`), so brokers
//!   work at the same time. [`BrokerHosts::live`] says which.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
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

    /// Live mode: hands `input` to the process without waiting for its
    /// outputs (they come out of [`RemoteBroker::poll`] later, in order).
    fn post(&mut self, now: u64, input: broker::Input) -> Result<(), String>;

    /// Live mode: the outputs of posted inputs that are complete, one list
    /// per input in posting order, without waiting.
    fn poll(&mut self) -> Result<Vec<Vec<Output>>, String>;

    /// Live mode: like [`RemoteBroker::poll`] but waits until at least one
    /// posted input is complete (when one is pending). An error also when
    /// the process takes too long.
    fn wait(&mut self) -> Result<Vec<Vec<Output>>, String>;

    /// Posted inputs whose outputs were not taken yet.
    fn pending(&self) -> usize;

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

/// A broker process just started, and the log directory it found.
pub struct Spawned {
    pub process: Box<dyn RemoteBroker>,
    /// What the process starts over (and recovers from): after a restart,
    /// what its store gave back, which is not what the last process left
    /// when the store was damaged while the broker was down. The cluster
    /// shows a replica the broker has not opened yet from this.
    pub found: MemoryStorage,
}

/// Starts broker processes outside the simulator's thread.
pub trait BrokerHosts {
    fn spawn(&mut self, config: &BrokerConfig, start: Start) -> Result<Spawned, String>;

    /// Do the brokers started from now on run live (inputs posted, outputs
    /// applied when they come back) rather than one input at a time?
    fn live(&self) -> bool {
        false
    }

    /// Switches [`BrokerHosts::live`] for the brokers started from now on;
    /// false if these hosts cannot run brokers live.
    fn set_live(&mut self, _on: bool) -> bool {
        false
    }
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

    /// The process behind [`RemoteBroker`], if the broker runs elsewhere.
    pub fn remote(&mut self) -> Option<&mut dyn RemoteBroker> {
        match self {
            BrokerHost::Local(_) => None,
            BrokerHost::Remote(r) => Some(r.as_mut()),
        }
    }

    /// Live inputs posted to the process and not answered yet.
    pub fn pending(&self) -> usize {
        match self {
            BrokerHost::Local(_) => 0,
            BrokerHost::Remote(r) => r.pending(),
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
/// Tests use it to check that a run with hosted brokers is the same run,
/// and ([`LoopbackHosts::live`]) that live brokers whose outputs come back
/// late and out of step with each other still make a working cluster.
#[derive(Default)]
pub struct LoopbackHosts {
    /// What each broker's last process left on disk.
    disks: Rc<RefCell<BTreeMap<BrokerId, DiskFiles>>>,
    /// Live: how fast the brokers get through their posted inputs.
    pace: Option<Pace>,
}

/// How many posted inputs loopback brokers complete at each
/// [`RemoteBroker::poll`]: a seeded random number between none and all of
/// them, drawn per broker and per poll, so brokers fall behind and catch
/// up independently (what workers on a busy machine do). Shared by every
/// broker of the hosts; [`Pace::pause`] stops completions (a `wait` still
/// completes one: it stands for time passing).
#[derive(Clone)]
pub struct Pace(Rc<RefCell<PaceState>>);

struct PaceState {
    rng: u64,
    paused: bool,
    /// Posted inputs not completed, per broker.
    busy: BTreeMap<BrokerId, usize>,
    /// The most brokers that had inputs in hand at the same time.
    most_busy: usize,
}

impl Pace {
    fn draw(&self, pending: usize) -> usize {
        let mut s = self.0.borrow_mut();
        if s.paused || pending == 0 {
            return 0;
        }
        // xorshift64*: enough for spreading completions.
        s.rng ^= s.rng >> 12;
        s.rng ^= s.rng << 25;
        s.rng ^= s.rng >> 27;
        let r = s.rng.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (r % (pending as u64 + 1)) as usize
    }

    fn posted(&self, b: BrokerId, delta: isize) {
        let mut s = self.0.borrow_mut();
        let n = s.busy.entry(b).or_default();
        *n = n.saturating_add_signed(delta);
        let busy = s.busy.values().filter(|&&n| n > 0).count();
        s.most_busy = s.most_busy.max(busy);
    }

    /// The most brokers that had inputs in hand at the same time.
    pub fn most_busy_at_once(&self) -> usize {
        self.0.borrow().most_busy
    }

    /// Stops (`true`) or resumes completing posted inputs on `poll`.
    pub fn pause(&self, on: bool) {
        self.0.borrow_mut().paused = on;
    }
}

impl LoopbackHosts {
    /// Live loopback brokers, completing their inputs at a pace drawn from
    /// `seed`.
    pub fn live(seed: u64) -> LoopbackHosts {
        LoopbackHosts {
            disks: Rc::default(),
            pace: Some(Pace(Rc::new(RefCell::new(PaceState {
                rng: seed | 1,
                paused: false,
                busy: BTreeMap::new(),
                most_busy: 0,
            })))),
        }
    }

    /// The pace of live hosts, to pause it.
    pub fn pace(&self) -> Option<Pace> {
        self.pace.clone()
    }

    /// Each broker's stored log directory (what its next process starts
    /// over), for tests to damage it while the broker is down, as a
    /// browser can damage a broker worker's IndexedDB chunk.
    pub fn stored_files(&self) -> Rc<RefCell<BTreeMap<BrokerId, DiskFiles>>> {
        self.disks.clone()
    }
}

impl BrokerHosts for LoopbackHosts {
    fn spawn(&mut self, config: &BrokerConfig, start: Start) -> Result<Spawned, String> {
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
        // As a worker reports it: through the codec.
        let found = match through(&FromBroker::Ready {
            notes: Vec::new(),
            disk: disk_files(&disk),
        })? {
            FromBroker::Ready { disk, .. } => disk_from_files(&disk)?,
            _ => return Err("FromBroker::Ready came back as another message".into()),
        };
        let disk = Shared::new(disk);
        let process = Box::new(LoopbackBroker {
            broker: Broker::new(config.clone(), disk.clone()),
            disk,
            disks: self.disks.clone(),
            posted: VecDeque::new(),
            pace: self.pace.clone(),
        });
        Ok(Spawned { process, found })
    }

    fn live(&self) -> bool {
        self.pace.is_some()
    }

    fn set_live(&mut self, on: bool) -> bool {
        match (on, self.pace.is_some()) {
            (true, false) => self.pace = LoopbackHosts::live(1).pace,
            (false, true) => self.pace = None,
            _ => {}
        }
        true
    }
}

struct LoopbackBroker {
    broker: Broker,
    disk: Shared<MemoryStorage>,
    disks: Rc<RefCell<BTreeMap<BrokerId, DiskFiles>>>,
    /// Live: inputs posted and not run yet, in order.
    posted: VecDeque<(u64, broker::Input)>,
    pace: Option<Pace>,
}

impl LoopbackBroker {
    /// Runs the oldest `n` posted inputs; their outputs as the router
    /// decodes them.
    fn complete(&mut self, n: usize) -> Result<Vec<Vec<Output>>, String> {
        let mut done = Vec::with_capacity(n);
        for _ in 0..n {
            let Some((now, input)) = self.posted.pop_front() else {
                break;
            };
            done.push(self.run(now, input)?);
            if let Some(p) = &self.pace {
                p.posted(self.broker.id(), -1);
            }
        }
        Ok(done)
    }

    fn run(&mut self, now: u64, input: broker::Input) -> Result<Vec<Output>, String> {
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
        self.run(now, input)
    }

    fn post(&mut self, now: u64, input: broker::Input) -> Result<(), String> {
        let ToBroker::Handle { now, input } = through(&ToBroker::Handle { now, input })? else {
            return Err("ToBroker::Handle came back as another message".into());
        };
        self.posted.push_back((now, input));
        if let Some(p) = &self.pace {
            p.posted(self.broker.id(), 1);
        }
        Ok(())
    }

    fn poll(&mut self) -> Result<Vec<Vec<Output>>, String> {
        let n = match &self.pace {
            Some(p) => p.draw(self.posted.len()),
            None => self.posted.len(),
        };
        self.complete(n)
    }

    fn wait(&mut self) -> Result<Vec<Vec<Output>>, String> {
        let n = match &self.pace {
            Some(p) => p.draw(self.posted.len()).max(1),
            None => self.posted.len(),
        };
        self.complete(n)
    }

    fn pending(&self) -> usize {
        self.posted.len()
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
        // A worker runs what it was sent before the kill, in order (its
        // outputs are lost with the process).
        let n = self.posted.len();
        self.complete(n)?;
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
