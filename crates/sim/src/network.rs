//! The simulated network: a matrix of directed links indexed by node index.
//!
//! Each link is FIFO like a TCP connection: a message's arrival time is
//! `max(now + latency + delay, arrival of the previous message on the
//! link)`, and messages arriving at the same instant keep send order through
//! the queue's sequence number. So a later message never overtakes an
//! earlier one on the same link, whatever latencies the RNG draws.

use std::collections::VecDeque;

use crate::node::NodeId;
use crate::queue::InFlight;
use crate::rng::SimRng;
use crate::rules::LinkRules;

/// Default one-way latency bounds, in ms (inclusive).
pub const DEFAULT_LATENCY: (u64, u64) = (1, 3);

pub(crate) struct Link<M> {
    /// Arrival time of the last message scheduled on this link (FIFO floor).
    pub last_arrival: u64,
    /// Extra one-way delay from a `delay` rule, ms.
    pub extra_delay: u64,
    /// Cut by a partition: every arriving message is dropped.
    pub cut: bool,
    pub rules: LinkRules,
    /// Messages sent while held, in send order.
    pub held: VecDeque<InFlight<M>>,
}

impl<M> Default for Link<M> {
    fn default() -> Self {
        Link {
            last_arrival: 0,
            extra_delay: 0,
            cut: false,
            rules: LinkRules::default(),
            held: VecDeque::new(),
        }
    }
}

impl<M> Link<M> {
    /// Does arrival need a closer look than "deliver"? Kept as one cheap test
    /// on the hot path.
    #[inline]
    pub fn has_arrival_faults(&self) -> bool {
        self.cut || self.rules.has_drops()
    }

    /// Is any rule set on this link that `heal` would undo?
    pub fn has_rules(&self) -> bool {
        self.cut || self.extra_delay > 0 || !self.rules.is_empty()
    }
}

pub(crate) struct Network<M> {
    n: usize,
    links: Vec<Link<M>>,
    latency_min: u64,
    latency_max: u64,
    rng: SimRng,
}

impl<M> Network<M> {
    pub fn new(seed: u64) -> Self {
        Network {
            n: 0,
            links: Vec::new(),
            latency_min: DEFAULT_LATENCY.0,
            latency_max: DEFAULT_LATENCY.1,
            rng: SimRng::new(seed, 0),
        }
    }

    pub fn set_latency(&mut self, min: u64, max: u64) {
        assert!(min <= max, "latency min {min} > max {max}");
        self.latency_min = min;
        self.latency_max = max;
    }

    pub fn latency(&self) -> (u64, u64) {
        (self.latency_min, self.latency_max)
    }

    /// Grow the matrix by one node, keeping every existing link's state.
    pub fn add_node(&mut self) {
        let old_n = self.n;
        let n = old_n + 1;
        let mut old = std::mem::take(&mut self.links).into_iter();
        let mut links = Vec::with_capacity(n * n);
        for from in 0..n {
            for to in 0..n {
                if from < old_n && to < old_n {
                    links.push(old.next().expect("old link"));
                } else {
                    links.push(Link::default());
                }
            }
        }
        self.links = links;
        self.n = n;
    }

    #[inline]
    pub fn link(&self, from: NodeId, to: NodeId) -> &Link<M> {
        &self.links[from.index() * self.n + to.index()]
    }

    #[inline]
    pub fn link_mut(&mut self, from: NodeId, to: NodeId) -> &mut Link<M> {
        &mut self.links[from.index() * self.n + to.index()]
    }

    pub fn links(&self) -> impl Iterator<Item = &Link<M>> {
        self.links.iter()
    }

    pub fn links_mut(&mut self) -> impl Iterator<Item = &mut Link<M>> {
        self.links.iter_mut()
    }

    /// Arrival time for a message sent now on `from -> to`; advances the
    /// link's FIFO floor.
    #[inline]
    pub fn schedule_send(&mut self, now: u64, from: NodeId, to: NodeId) -> u64 {
        let latency = if self.latency_min == self.latency_max {
            self.latency_min
        } else {
            self.rng.range_inclusive(self.latency_min, self.latency_max)
        };
        let n = self.n;
        let link = &mut self.links[from.index() * n + to.index()];
        let at = (now + latency + link.extra_delay).max(link.last_arrival);
        link.last_arrival = at;
        at
    }

    /// Cut every link between different groups (both directions). Adds to
    /// earlier partitions; nodes in no group keep their links.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        for (gi, a_group) in groups.iter().enumerate() {
            for (gj, b_group) in groups.iter().enumerate() {
                if gi == gj {
                    continue;
                }
                for &a in a_group {
                    for &b in b_group {
                        if a != b {
                            self.link_mut(a, b).cut = true;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growing_keeps_link_state() {
        let mut net: Network<()> = Network::new(1);
        net.add_node();
        net.add_node();
        net.link_mut(NodeId(0), NodeId(1)).extra_delay = 7;
        net.link_mut(NodeId(1), NodeId(0)).cut = true;
        net.add_node();
        assert_eq!(net.link(NodeId(0), NodeId(1)).extra_delay, 7);
        assert!(net.link(NodeId(1), NodeId(0)).cut);
        assert!(!net.link(NodeId(0), NodeId(2)).cut);
        assert_eq!(net.link(NodeId(2), NodeId(1)).extra_delay, 0);
    }

    #[test]
    fn fifo_floor_and_latency_bounds() {
        let mut net: Network<()> = Network::new(3);
        net.add_node();
        net.add_node();
        net.set_latency(1, 50);
        let mut last = 0;
        for now in 0..200 {
            let at = net.schedule_send(now, NodeId(0), NodeId(1));
            assert!(at >= last, "overtook: {at} < {last}");
            assert!(at > now);
            last = at;
        }
    }

    #[test]
    fn partition_cuts_only_between_groups() {
        let mut net: Network<()> = Network::new(0);
        for _ in 0..4 {
            net.add_node();
        }
        net.partition(&[vec![NodeId(0), NodeId(1)], vec![NodeId(2)]]);
        let cut = |net: &Network<()>, a, b| net.link(NodeId(a), NodeId(b)).cut;
        assert!(!cut(&net, 0, 1));
        assert!(cut(&net, 0, 2) && cut(&net, 2, 0) && cut(&net, 1, 2) && cut(&net, 2, 1));
        for x in 0..3 {
            assert!(
                !cut(&net, 3, x) && !cut(&net, x, 3),
                "unnamed node 3 keeps links"
            );
        }
    }
}
