//! The simulator's view of a Kafka cluster: one node enum (broker, the
//! ZooKeeper server, clients), the message newtype the simulator carries,
//! and the fixed mapping between Kafka addresses and simulator node ids.

use broker::api::{Addr, BrokerId, Msg};
use broker::{Broker, Output};

use crate::host::BrokerHost;
use controller::zk::{ConnId, ZkMessage, ZkServer};
use sim::{Input, Message, NodeId, Outputs};

use crate::consumer_node::ConsumerNode;
use crate::producer::Producer;

/// What travels on the simulated network: the broker crate's `Msg`. A
/// newtype because the simulator's `Message` trait and `Msg` live in
/// other crates.
#[derive(Debug)]
pub struct Wire(pub Msg);

impl Message for Wire {
    fn api(&self) -> &'static str {
        match self.0.api() {
            // Kafka's `ApiKeys` name, which scenarios write in `type=`
            // (the broker crate spells it with an s).
            "OffsetsForLeaderEpoch" => "OffsetForLeaderEpoch",
            name => name,
        }
    }

    fn detail(&self) -> serde_json::Value {
        serde_json::Value::String(self.0.detail())
    }
}

/// Node ids are dense and fixed by construction: brokers `0..N` first (so a
/// broker's node id is its broker id), then `zk`, then clients in the order
/// the scenario declares them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Topology {
    pub brokers: u32,
}

impl Topology {
    pub fn zk(self) -> NodeId {
        NodeId(self.brokers)
    }

    pub fn broker(self, id: BrokerId) -> NodeId {
        NodeId(id as u32)
    }

    pub fn client(self, n: u32) -> NodeId {
        NodeId(self.brokers + 1 + n)
    }

    pub fn node(self, addr: Addr) -> NodeId {
        match addr {
            Addr::Broker(b) => self.broker(b),
            Addr::Zk => self.zk(),
            Addr::Client(n) => self.client(n),
        }
    }

    pub fn addr(self, id: NodeId) -> Addr {
        match id.0 {
            b if b < self.brokers => Addr::Broker(b as BrokerId),
            z if z == self.brokers => Addr::Zk,
            c => Addr::Client(c - self.brokers - 1),
        }
    }
}

/// One simulated process.
pub enum ClusterNode {
    /// Boxed: a broker is much larger than the other processes.
    Broker(Box<BrokerNode>),
    Zk(ZkNode),
    /// Boxed: the producer with its transaction manager is large.
    Producer(Box<Producer>),
    /// Boxed: the consumer's state is large.
    Consumer(Box<ConsumerNode>),
}

impl sim::Node for ClusterNode {
    type Msg = Wire;

    fn handle(&mut self, now: u64, input: Input<Wire>, out: &mut Outputs<'_, Wire>) {
        match self {
            ClusterNode::Broker(b) => b.handle(now, input, out),
            ClusterNode::Zk(z) => z.handle(now, input, out),
            ClusterNode::Producer(p) => {
                let topo = p.topology();
                let mut buf = Vec::new();
                match input {
                    Input::Start | Input::Restart => p.start(now, &mut buf),
                    Input::Message { from, msg } => {
                        p.on_message(now, topo.addr(from), msg.0, &mut buf)
                    }
                    Input::Timer { token } => p.on_timer(now, token, &mut buf),
                }
                apply_outputs(topo, &mut buf, out);
            }
            ClusterNode::Consumer(c) => c.handle(now, input, out),
        }
    }
}

/// Turns a broker's (or client's) outputs into simulator actions.
pub(crate) fn apply_outputs(
    topo: Topology,
    buf: &mut Vec<Output>,
    out: &mut Outputs<'_, Wire>,
) -> bool {
    let mut stopped = false;
    for o in buf.drain(..) {
        match o {
            Output::Send { to, msg } => out.send(topo.node(to), Wire(msg)),
            Output::SetTimer {
                token,
                at,
                background,
            } => {
                if background {
                    out.set_background_timer(token, at)
                } else {
                    out.set_timer(token, at)
                }
            }
            Output::CancelTimer(token) => {
                out.cancel_timer(token);
            }
            Output::Event { kind, detail } => out.event(kind, || detail),
            Output::Stopped => stopped = true,
        }
    }
    stopped
}

/// A broker process. The `Broker` is rebuilt from its storage on restart
/// (see `Cluster::restart`); `stopped` is set when a controlled shutdown
/// completes, for the cluster to take the process out of the network;
/// `failed` when a remote process could not be reached (the cluster then
/// treats it as crashed and reports why).
pub struct BrokerNode {
    pub host: BrokerHost,
    pub id: BrokerId,
    pub topo: Topology,
    pub stopped: bool,
    pub failed: Option<String>,
    /// Live: inputs are posted to the remote process and its outputs
    /// applied when they come back ([`BrokerNode::apply_completed`]).
    pub live: bool,
    buf: Vec<Output>,
}

impl BrokerNode {
    pub fn new(broker: Broker, topo: Topology) -> Self {
        let id = broker.id();
        BrokerNode::hosted(BrokerHost::Local(broker), id, topo)
    }

    pub fn hosted(host: BrokerHost, id: BrokerId, topo: Topology) -> Self {
        BrokerNode {
            host,
            id,
            topo,
            stopped: false,
            failed: None,
            live: false,
            buf: Vec::new(),
        }
    }

    fn handle(&mut self, now: u64, input: Input<Wire>, out: &mut Outputs<'_, Wire>) {
        let input = match input {
            // A restart is a new process over the old disk: the cluster has
            // already put a fresh `Broker` in place, which starts as new.
            Input::Start | Input::Restart => broker::Input::Start,
            Input::Message { from, msg } => broker::Input::Message {
                from: self.topo.addr(from),
                msg: msg.0,
            },
            Input::Timer { token } => broker::Input::Timer(token),
        };
        self.run(now, input, out);
    }

    pub(crate) fn run(&mut self, now: u64, input: broker::Input, out: &mut Outputs<'_, Wire>) {
        if self.failed.is_some() {
            return;
        }
        if self.live {
            if let Some(r) = self.host.remote() {
                if let Err(e) = r.post(now, input) {
                    self.failed = Some(e);
                }
                return;
            }
        }
        if let Err(e) = self.host.handle(now, input, &mut self.buf) {
            self.buf.clear();
            self.failed = Some(e);
            return;
        }
        if apply_outputs(self.topo, &mut self.buf, out) {
            self.stopped = true;
        }
    }
}

impl BrokerNode {
    /// Live: applies the outputs of inputs the remote process finished
    /// (in order), now, as if the broker had just sent them: the network's
    /// rules in force now apply to every message.
    pub(crate) fn apply_completed(&mut self, done: Vec<Vec<Output>>, out: &mut Outputs<'_, Wire>) {
        for mut outputs in done {
            if apply_outputs(self.topo, &mut outputs, out) {
                self.stopped = true;
            }
        }
    }
}

/// The ZooKeeper server. Connections are simulator node ids; the session
/// expiry check is a background timer (a cluster whose only pending work
/// is "sessions would expire if nobody pinged" is idle).
pub struct ZkNode {
    pub server: ZkServer,
    pub topo: Topology,
}

/// The one timer of the ZooKeeper node.
const ZK_EXPIRY: u64 = 1;

/// The admin tool's connection (`kafka-topics.sh --zookeeper`): not a node
/// of the network, its requests are handled in place by the runner.
pub const ADMIN_CONN: ConnId = ConnId(u32::MAX);

impl ZkNode {
    pub fn new(topo: Topology) -> Self {
        ZkNode {
            server: ZkServer::default(),
            topo,
        }
    }

    fn handle(&mut self, now: u64, input: Input<Wire>, out: &mut Outputs<'_, Wire>) {
        let outputs = match input {
            Input::Start | Input::Restart => Vec::new(),
            Input::Message {
                from,
                msg: Wire(Msg::Zk(m)),
            } => self.server.handle_message(now, ConnId(from.0), m),
            Input::Message { .. } => Vec::new(),
            Input::Timer { .. } => self.server.tick(now).0,
        };
        self.send_all(outputs, out);
    }

    /// Sends the server's outputs (those for the admin connection are
    /// returned instead) and re-arms the expiry timer.
    pub(crate) fn send_all(
        &mut self,
        outputs: Vec<controller::zk::ZkOutput>,
        out: &mut Outputs<'_, Wire>,
    ) -> Vec<ZkMessage> {
        let mut admin = Vec::new();
        for o in outputs {
            if o.to == ADMIN_CONN {
                admin.push(o.msg);
            } else {
                out.send(NodeId(o.to.0), Wire(Msg::Zk(o.msg)));
            }
        }
        match self.server.next_deadline() {
            Some(at) if out.timer(ZK_EXPIRY) != Some(at) => out.set_background_timer(ZK_EXPIRY, at),
            Some(_) => {}
            None => {
                out.cancel_timer(ZK_EXPIRY);
            }
        }
        admin
    }
}
