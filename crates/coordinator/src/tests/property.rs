//! Random request sequences against the coordinator: it never panics,
//! answers every request at most once (and, once time runs on, exactly
//! once), and the group invariants hold after every step — including
//! across coordinator failovers rebuilt from the `__consumer_offsets` log.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::harness::*;
use crate::api::*;
use crate::coordinator::Coordinator;
use crate::group::Group;
use crate::state::GroupState::{self, *};
use protocol::ErrorCode;

const CLIENTS: usize = 4;

#[derive(Debug, Clone)]
enum Action {
    Join {
        client: usize,
        protocols: u8,
    },
    Sync {
        client: usize,
    },
    Heartbeat {
        client: usize,
    },
    Leave {
        client: usize,
    },
    Commit {
        client: usize,
        offset: i64,
        simple: bool,
    },
    Fetch,
    Advance {
        ms: i64,
    },
    AckAppends,
    FailAppend,
    Restart {
        client: usize,
    },
    Failover,
    Delete,
    TxnCommit {
        client: usize,
        producer: i64,
        offset: i64,
    },
    TxnMarker {
        producer: i64,
        commit: bool,
    },
}

fn action() -> impl Strategy<Value = Action> {
    let c = 0..CLIENTS;
    prop_oneof![
        4 => (c.clone(), 0u8..3).prop_map(|(client, protocols)| Action::Join { client, protocols }),
        3 => c.clone().prop_map(|client| Action::Sync { client }),
        3 => c.clone().prop_map(|client| Action::Heartbeat { client }),
        1 => c.clone().prop_map(|client| Action::Leave { client }),
        2 => (c.clone(), 0i64..100, any::<bool>()).prop_map(|(client, offset, simple)| Action::Commit { client, offset, simple }),
        1 => Just(Action::Fetch),
        4 => prop_oneof![1i64..60, 100i64..700].prop_map(|ms| Action::Advance { ms }),
        3 => Just(Action::AckAppends),
        1 => Just(Action::FailAppend),
        1 => c.prop_map(|client| Action::Restart { client }),
        1 => Just(Action::Failover),
        1 => Just(Action::Delete),
        2 => (0..CLIENTS, 0i64..2, 0i64..100).prop_map(|(client, producer, offset)| Action::TxnCommit { client, producer, offset }),
        2 => (0i64..2, any::<bool>()).prop_map(|(producer, commit)| Action::TxnMarker { producer, commit }),
    ]
}

#[derive(Debug, Clone, Default)]
struct Client {
    member_id: String,
    generation: i32,
    /// Member ids to assign to, when the last JoinGroup made us leader.
    leading: Option<Vec<String>>,
    /// A JoinGroup or SyncGroup of ours is parked.
    busy: Option<RequestId>,
}

struct World {
    h: Harness,
    clients: Vec<Client>,
    /// Request id -> client, for JoinGroup/SyncGroup responses.
    waiting: BTreeMap<RequestId, usize>,
    /// Requests whose sender has gone (restart): they may stay unanswered.
    abandoned: Vec<RequestId>,
    max_generation: Option<i32>,
    seed: u64,
    /// The last commit of each client (and, at CLIENTS + n, of producer n).
    commits: BTreeMap<usize, RequestId>,
    /// TxnOffsetCommits of each producer's current transaction.
    txn_commits: BTreeMap<i64, Vec<RequestId>>,
    /// A group was deleted while a commit was in flight: that commit still
    /// lands in the log and comes back on the next load (as in Kafka).
    resurrection_possible: bool,
}

fn property_config() -> crate::coordinator::CoordinatorConfig {
    crate::coordinator::CoordinatorConfig {
        offsets_retention_ms: 3_000,
        offsets_retention_check_interval_ms: 1_000,
        ..test_config()
    }
}

fn instance(client: usize) -> Option<String> {
    // clients 2 and 3 are static members
    (client >= 2).then(|| format!("instance-{client}"))
}

impl World {
    fn new() -> World {
        // Short offset retention, so expiration happens within a run.
        let mut h = Harness::with_config(property_config());
        h.auto_ack = false;
        World {
            h,
            clients: vec![Client::default(); CLIENTS],
            waiting: BTreeMap::new(),
            abandoned: Vec::new(),
            max_generation: None,
            seed: 100,
            commits: BTreeMap::new(),
            txn_commits: BTreeMap::new(),
            resurrection_possible: false,
        }
    }

    fn protocols(p: u8) -> Vec<(String, Vec<u8>)> {
        match p {
            0 => protocols(&["range"]),
            1 => protocols(&["range", "roundrobin"]),
            _ => vec![("range".into(), vec![1]), ("roundrobin".into(), vec![])],
        }
    }

    fn step(&mut self, a: &Action) {
        match *a {
            Action::Join { client, protocols } => {
                if self.clients[client].busy.is_some() {
                    return;
                }
                let mut req = self.h.join_request(
                    GROUP,
                    &self.clients[client].member_id,
                    PROTOCOL_TYPE,
                    Self::protocols(protocols),
                );
                req.group_instance_id = instance(client);
                req.require_known_member_id = req.group_instance_id.is_none();
                req.supports_skip_assignment = client == 3;
                let rid = self.h.send_join(req);
                self.clients[client].busy = Some(rid);
                self.waiting.insert(rid, client);
            }
            Action::Sync { client } => {
                let cl = &self.clients[client];
                if cl.busy.is_some() || cl.member_id.is_empty() {
                    return;
                }
                let assignments = cl
                    .leading
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, m)| (m.clone(), vec![1, i as u8]))
                    .collect();
                let rid = self.h.send(Request::SyncGroup(SyncGroupRequest {
                    group_id: GROUP.into(),
                    generation_id: cl.generation,
                    member_id: cl.member_id.clone(),
                    group_instance_id: instance(client),
                    protocol_type: Some("consumer".into()),
                    protocol_name: None,
                    assignments,
                }));
                self.clients[client].busy = Some(rid);
                self.waiting.insert(rid, client);
            }
            Action::Heartbeat { client } => {
                let cl = self.clients[client].clone();
                self.h.heartbeat_static(
                    GROUP,
                    &cl.member_id,
                    instance(client).as_deref(),
                    cl.generation,
                );
            }
            Action::Leave { client } => {
                let cl = self.clients[client].clone();
                if cl.busy.is_some() || cl.member_id.is_empty() {
                    return;
                }
                self.h
                    .leave(GROUP, vec![(&cl.member_id, instance(client).as_deref())]);
                self.clients[client] = Client::default();
            }
            Action::Commit {
                client,
                offset,
                simple,
            } => {
                // Two identical commits in flight, the first failing, leave
                // the log ahead of the cache (in Kafka too): commit one at a
                // time, like a consumer's commitSync.
                if self.commit_in_flight(client) {
                    return;
                }
                let cl = self.clients[client].clone();
                let (member, generation) = if simple {
                    (String::new(), -1)
                } else {
                    (cl.member_id.clone(), cl.generation)
                };
                let rid =
                    self.h
                        .send_commit(GROUP, &member, generation, &[("t", client as i32, offset)]);
                self.commits.insert(client, rid);
            }
            Action::Fetch => {
                let r = self.h.fetch(GROUP, None);
                assert_eq!(r.error_code, ErrorCode::None);
            }
            Action::Advance { ms } => self.h.advance(ms),
            Action::AckAppends => self.h.ack_all(),
            Action::FailAppend => {
                if !self.h.pending_appends.is_empty() {
                    // Lost tombstones (acks=0) bring offsets back on reload.
                    self.resurrection_possible |= self.h.pending_appends[0].required_acks == 0;
                    self.h.fail_next_append(ErrorCode::NotEnoughReplicas);
                }
            }
            Action::Restart { client } => {
                if let Some(rid) = self.clients[client].busy.take() {
                    self.abandoned.push(rid);
                }
                self.clients[client] = Client::default();
            }
            Action::Failover => self.failover(),
            Action::TxnCommit {
                client,
                producer,
                offset,
            } => {
                // A producer sends one TxnOffsetCommit at a time.
                let who = CLIENTS + producer as usize;
                if self.commit_in_flight(who) {
                    return;
                }
                let cl = self.clients[client].clone();
                let rid = self
                    .h
                    .send(Request::TxnOffsetCommit(TxnOffsetCommitRequest {
                        transactional_id: format!("txn-{producer}"),
                        group_id: GROUP.into(),
                        producer_id: 500 + producer,
                        producer_epoch: 0,
                        generation_id: cl.generation,
                        member_id: cl.member_id.clone(),
                        group_instance_id: instance(client),
                        partitions: vec![OffsetCommitRequestPartition {
                            topic: "t".into(),
                            partition_index: client as i32,
                            committed_offset: offset,
                            committed_leader_epoch: -1,
                            committed_metadata: None,
                        }],
                    }));
                self.commits.insert(who, rid);
                self.txn_commits.entry(producer).or_default().push(rid);
            }
            Action::TxnMarker { producer, commit } => {
                // The transaction coordinator writes markers only after the
                // producer's writes are acknowledged, and a producer whose
                // TxnOffsetCommit failed can only abort.
                let pid = 500 + producer;
                if self
                    .h
                    .pending_appends
                    .iter()
                    .any(|a| a.transactional && a.producer_id == pid)
                {
                    return;
                }
                let sent = self.txn_commits.remove(&producer).unwrap_or_default();
                let all_ok = sent.iter().all(|rid| match &self.h.responses[rid] {
                    Response::TxnOffsetCommit(r) => {
                        r.partitions.iter().all(|p| p.error_code == ErrorCode::None)
                    }
                    other => panic!("{other:?}"),
                });
                self.h.write_marker(pid, commit && all_ok);
            }
            Action::Delete => {
                // Also open transactions: their COMMIT marker still lands
                // (Kafka deletes only offsets already committed).
                self.resurrection_possible |= !self.h.pending_appends.is_empty()
                    || self
                        .h
                        .c
                        .group(GROUP)
                        .is_some_and(|g| !g.pending_txn_offset_commits.is_empty());
                let rid = self.h.send(Request::DeleteGroups(DeleteGroupsRequest {
                    groups_names: vec![GROUP.into()],
                }));
                if let Response::DeleteGroups(r) = &self.h.responses[&rid] {
                    if r.results[0].1 == ErrorCode::None {
                        assert_eq!(self.h.c.state(GROUP), None);
                        self.max_generation = None;
                    }
                }
            }
        }
        self.deliver();
        self.check();
    }

    fn commit_in_flight(&self, who: usize) -> bool {
        self.commits
            .get(&who)
            .is_some_and(|rid| !self.h.responses.contains_key(rid))
    }

    /// The broker loses leadership of the partition; another coordinator
    /// loads its log.
    fn failover(&mut self) {
        let p = self.h.c.partition_for(GROUP);
        // With nothing in flight, the log holds exactly what the coordinator
        // knows of the offsets.
        let settled = self.h.pending_appends.is_empty() && !self.resurrection_possible;
        self.resurrection_possible = false;
        let offsets_before = committed_offsets(&self.h.c);
        let out = self.h.c.unload(self.h.now, p);
        self.h.process(out);
        // What was in flight fails with the old leader.
        while !self.h.pending_appends.is_empty() {
            self.h.fail_next_append(ErrorCode::NotLeaderOrFollower);
        }
        // The old coordinator is done with the group: Dead and gone.
        assert_eq!(self.h.c.state(GROUP), None);
        assert!(
            self.h
                .state_changes
                .iter()
                .any(|(g, _, to)| g == GROUP && *to == Dead)
                || self.h.c.group(GROUP).is_none()
        );
        assert_eq!(self.h.heartbeat(GROUP, "x", 1), ErrorCode::NotCoordinator);

        self.seed += 1;
        let mut c = Coordinator::new(property_config(), self.seed);
        c.begin_loading(p);
        let out = c
            .load(self.h.now, p, self.h.load_records(p))
            .expect("our own records load");
        self.h.c = c;
        self.h.process(out);
        if settled {
            assert_eq!(
                committed_offsets(&self.h.c),
                offsets_before,
                "offsets lost or resurrected in failover"
            );
        }
        self.max_generation = self.h.c.generation(GROUP);
    }

    /// Hand JoinGroup/SyncGroup responses to their clients.
    fn deliver(&mut self) {
        let done: Vec<RequestId> = self
            .waiting
            .keys()
            .copied()
            .filter(|rid| self.h.responses.contains_key(rid))
            .collect();
        for rid in done {
            let client = self.waiting.remove(&rid).unwrap();
            let cl = &mut self.clients[client];
            if cl.busy == Some(rid) {
                cl.busy = None;
            } else {
                continue; // answered after the client restarted
            }
            match &self.h.responses[&rid] {
                Response::JoinGroup(r) => match r.error_code {
                    ErrorCode::None => {
                        cl.member_id = r.member_id.clone();
                        cl.generation = r.generation_id;
                        cl.leading = (r.leader == r.member_id && !r.skip_assignment)
                            .then(|| r.members.iter().map(|m| m.member_id.clone()).collect());
                    }
                    ErrorCode::MemberIdRequired => cl.member_id = r.member_id.clone(),
                    ErrorCode::UnknownMemberId | ErrorCode::FencedInstanceId => {
                        *cl = Client::default()
                    }
                    _ => {}
                },
                Response::SyncGroup(r) => {
                    if matches!(
                        r.error_code,
                        ErrorCode::UnknownMemberId | ErrorCode::FencedInstanceId
                    ) {
                        *cl = Client::default();
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn check(&mut self) {
        let Some(g) = self.h.c.group(GROUP) else {
            // gone (deleted, expired): a new group starts over
            self.max_generation = None;
            return;
        };
        check_group(g);
        // generation only grows (within one coordinator's life of the group)
        if let Some(max) = self.max_generation {
            assert!(
                g.generation_id() >= max,
                "generation went from {max} to {}",
                g.generation_id()
            );
        }
        self.max_generation = Some(g.generation_id());
        // a rebalance in progress always has its deadline
        if g.state() == PreparingRebalance {
            assert!(g
                .join_op
                .is_some_and(|op| self.h.c.cx.timers.next_deadline().is_some() && op.token.0 > 0));
        }
    }
}

fn committed_offsets(c: &Coordinator) -> Vec<((String, i32), i64)> {
    c.group(GROUP)
        .map(|g| {
            g.all_offsets()
                .map(|(tp, om)| (tp.clone(), om.offset))
                .collect()
        })
        .unwrap_or_default()
}

fn check_group(g: &Group) {
    let state: GroupState = g.state();
    assert_ne!(state, Dead, "Dead groups leave the cache");
    // leader
    match g.leader_id() {
        Some(l) => assert!(g.has(l), "leader {l} is not a member"),
        None => assert_eq!(g.size(), 0, "members without a leader"),
    }
    // static members map both ways
    for (instance, member) in &g.static_members {
        assert_eq!(
            g.members[member].group_instance_id.as_deref(),
            Some(instance.as_str())
        );
    }
    for m in g.members() {
        if let Some(i) = &m.group_instance_id {
            assert_eq!(g.static_member_id(i), Some(m.member_id.as_str()));
        }
        assert!(!g.is_pending_member(&m.member_id));
        if m.is_awaiting_sync() {
            assert_eq!(
                state, CompletingRebalance,
                "parked SyncGroup outside CompletingRebalance"
            );
        }
        if m.is_awaiting_join() {
            assert!(
                matches!(state, PreparingRebalance | Stable),
                "parked JoinGroup in {state}"
            );
        }
    }
    // Every expected SyncGroup is from a member, or from the replaced id
    // of a static member (Kafka keeps those until the sync deadline).
    for m in &g.pending_sync_members {
        assert!(
            g.has(m) || m.starts_with("instance-"),
            "{m} expected to sync"
        );
    }
    match state {
        Empty => assert_eq!(g.size(), 0),
        Stable => {
            let protocol = g.protocol_name().expect("Stable groups have a protocol");
            for m in g.members() {
                assert!(
                    !m.assignment.is_empty(),
                    "member {} of a Stable group has no assignment",
                    m.member_id
                );
                assert!(!m.is_new);
                assert!(m.metadata(protocol).is_some());
            }
        }
        CompletingRebalance => {
            let protocol = g.protocol_name().expect("a generation has a protocol");
            for m in g.members() {
                assert!(m.metadata(protocol).is_some());
            }
        }
        _ => {}
    }
}

fn run(actions: &[Action]) {
    let mut w = World::new();
    for a in actions {
        w.step(a);
    }
    // Let time run: every request still awaited gets its answer.
    for _ in 0..40 {
        w.h.ack_all();
        w.h.advance(20_000);
        w.deliver();
        w.check();
    }
    w.h.ack_all();
    for (rid, client) in &w.waiting {
        assert!(
            w.abandoned.contains(rid),
            "request {rid} of client {client} never answered"
        );
    }
}

proptest! {
    // PROPTEST_CASES raises the count for a longer soak.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_request_sequences(actions in prop::collection::vec(action(), 1..80)) {
        run(&actions);
    }
}

/// A fixed, long sequence so the test exercises a full life even when
/// proptest's cases are short.
#[test]
fn scripted_life_of_a_group() {
    use Action::*;
    let mut actions = vec![];
    for round in 0..20 {
        for client in 0..CLIENTS {
            actions.push(Join {
                client,
                protocols: (round % 3) as u8,
            });
            actions.push(Advance { ms: 30 });
            actions.push(AckAppends);
        }
        actions.push(Advance { ms: 120 });
        for client in 0..CLIENTS {
            actions.push(Sync { client });
            actions.push(AckAppends);
            actions.push(Commit {
                client,
                offset: round,
                simple: false,
            });
            actions.push(AckAppends);
            actions.push(Heartbeat { client });
        }
        if round % 5 == 4 {
            actions.push(Failover);
        }
        if round % 7 == 6 {
            actions.push(Restart { client: 2 });
            actions.push(Leave { client: 1 });
        }
    }
    run(&actions);
}
