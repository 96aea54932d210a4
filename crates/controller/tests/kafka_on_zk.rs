//! A Kafka cluster's metadata life on the ZooKeeper server, driven by
//! hand: registration, controller election, topic creation, a broker's
//! session expiring, failover, and a zombie controller being fenced.

use std::collections::{BTreeMap, BTreeSet};

use kafkascope_controller::assignment::{
    assign_replicas_to_brokers, AssignmentStart, BrokerMetadata,
};
use kafkascope_controller::election::{leader_for_offline, remove_replica_from_isr, LeaderAndIsr};
use kafkascope_controller::kafka_zk;
use kafkascope_controller::zk::{
    ConnId, EventType, OpResult, SessionId, WatchedEvent, ZkMessage, ZkOutput, ZkRequest,
    ZkResponse, ZkServer, KAFKA_DEFAULT_SESSION_TIMEOUT_MS,
};
use kafkascope_controller::znodes::controller::decode_controller_epoch;
use kafkascope_controller::znodes::{
    paths, BrokerRegistration, ControllerRegistration, LeaderIsrAndControllerEpoch, TopicAssignment,
};

struct Cluster {
    zk: ZkServer,
    events: Vec<(ConnId, WatchedEvent)>,
}

impl Cluster {
    fn send(&mut self, now: u64, broker: u32, r: ZkRequest) -> ZkResponse {
        let out = self.zk.handle(now, ConnId(broker), 1, r);
        self.collect(out)
    }

    fn collect(&mut self, out: Vec<ZkOutput>) -> ZkResponse {
        let mut resp = ZkResponse::Closed;
        for o in out {
            match o.msg {
                ZkMessage::Watch { event } => self.events.push((o.to, event)),
                ZkMessage::Response { response, .. } => resp = response,
                _ => {}
            }
        }
        resp
    }

    fn connect(&mut self, now: u64, broker: u32) -> SessionId {
        match self.send(
            now,
            broker,
            ZkRequest::Connect {
                session_timeout_ms: KAFKA_DEFAULT_SESSION_TIMEOUT_MS,
                session_id: None,
            },
        ) {
            ZkResponse::Connected { session_id, .. } => session_id,
            r => panic!("{r:?}"),
        }
    }

    /// `KafkaController.elect`: read the epoch, try the multi.
    fn try_become_controller(&mut self, now: u64, broker: u32) -> Option<(i32, i32)> {
        if let ZkResponse::Error { .. } =
            self.send(now, broker, kafka_zk::create_controller_epoch_znode())
        {
            // Already there: fine.
        }
        let (epoch, version) = match self.send(
            now,
            broker,
            ZkRequest::GetData {
                path: paths::CONTROLLER_EPOCH.into(),
                watch: false,
            },
        ) {
            ZkResponse::Data { data, stat } => {
                (decode_controller_epoch(&data).unwrap(), stat.version)
            }
            r => panic!("{r:?}"),
        };
        let r = self.send(
            now,
            broker,
            kafka_zk::register_controller_and_increment_epoch(
                broker as i32,
                now as i64,
                epoch,
                version,
            ),
        );
        match r {
            ZkResponse::Multi { results } if matches!(results[0], OpResult::Create { .. }) => {
                Some((epoch + 1, version + 1))
            }
            _ => {
                self.send(now, broker, kafka_zk::watch_controller());
                None
            }
        }
    }

    fn state(&self, topic: &str, p: i32) -> (LeaderIsrAndControllerEpoch, i32) {
        let node = self
            .zk
            .tree()
            .get(&paths::partition_state(topic, p))
            .unwrap();
        (
            LeaderIsrAndControllerEpoch::decode(&node.data).unwrap(),
            node.stat.version,
        )
    }
}

#[test]
fn registration_election_failover_and_fencing() {
    let mut c = Cluster {
        zk: ZkServer::default(),
        events: Vec::new(),
    };
    let mut now = 0;
    for b in 0..3u32 {
        c.connect(now, b);
        for r in kafka_zk::create_top_level_paths() {
            c.send(now, b, r);
        }
        let reg = BrokerRegistration::new(b as i32, &format!("broker-{b}"), 9092, None, now as i64);
        assert!(matches!(
            c.send(now, b, kafka_zk::register_broker(&reg)),
            ZkResponse::Created { .. }
        ));
    }
    // Broker 0 wins; 1 and 2 lose and watch /controller.
    let (epoch, epoch_version) = c
        .try_become_controller(now, 0)
        .expect("first candidate wins");
    assert_eq!((epoch, epoch_version), (1, 1));
    assert_eq!(c.try_become_controller(now, 1), None);
    assert_eq!(c.try_become_controller(now, 2), None);
    let controller =
        ControllerRegistration::decode(&c.zk.tree().get(paths::CONTROLLER).unwrap().data).unwrap();
    assert_eq!(controller.broker_id, 0);
    for r in kafka_zk::controller_watches() {
        c.send(now, 0, r);
    }

    // Create topic "t": 1 partition on all three brokers, fixed start 1.
    let brokers: Vec<BrokerMetadata> = (0..3).map(|id| BrokerMetadata::new(id, None)).collect();
    let replicas =
        assign_replicas_to_brokers(&brokers, 1, 3, AssignmentStart::fixed(1), -1).unwrap();
    assert_eq!(replicas[&0], vec![1, 0, 2]);
    let assignment =
        TopicAssignment::from_replicas(Some("AAAAAAAAAAAAAAAAAAAAAQ".into()), &replicas);
    for r in kafka_zk::create_topic("t", &[("min.insync.replicas", "2")], &assignment) {
        assert!(matches!(c.send(now, 1, r), ZkResponse::Created { .. }));
    }
    assert!(c.events.contains(&(
        ConnId(0),
        WatchedEvent {
            event_type: EventType::NodeChildrenChanged,
            path: "/brokers/topics".into()
        }
    )));
    let initial = LeaderAndIsr::initial(1, vec![1, 0, 2]).with_controller_epoch(epoch);
    let states = BTreeMap::from([(0, initial.clone())]);
    for r in kafka_zk::create_partition_states("t", &states, epoch_version) {
        assert!(matches!(c.send(now, 0, r), ZkResponse::Multi { .. }));
    }
    assert_eq!(
        c.zk.tree()
            .get("/brokers/topics/t/partitions/0/state")
            .unwrap()
            .data,
        br#"{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,0,2]}"#.to_vec()
    );

    // The leader shrinks the ISR itself (broker 2 lagging), conditionally
    // on the state's version, and tells the controller.
    let shrunk = LeaderAndIsr::from_state(&initial).new_leader_and_isr(1, vec![1, 0]);
    let update = kafka_zk::leader_update_isr("t", 0, &shrunk.with_controller_epoch(epoch), 0);
    assert!(matches!(
        c.send(now, 1, update.clone()),
        ZkResponse::DataSet { .. }
    ));
    assert_eq!(
        c.send(now, 1, update),
        ZkResponse::Error {
            err: kafkascope_controller::zk::ZkErrorCode::BadVersion
        },
        "a stale zkVersion is refused"
    );

    // Broker 1 (the leader) goes silent; the others keep pinging.
    c.events.clear();
    while now < 20_000 {
        now += 6_000;
        c.send(now, 0, ZkRequest::Ping);
        c.send(now, 2, ZkRequest::Ping);
        let (out, _) = c.zk.tick(now);
        c.collect(out);
    }
    assert!(c.zk.tree().get("/brokers/ids/1").is_none());
    assert!(c.events.contains(&(
        ConnId(0),
        WatchedEvent {
            event_type: EventType::NodeChildrenChanged,
            path: "/brokers/ids".into()
        }
    )));

    // The controller elects a new leader for t-0 and writes it, fenced.
    let (state, version) = c.state("t", 0);
    let live: BTreeSet<i32> = [0, 2].into();
    let elected = leader_for_offline(
        &LeaderAndIsr::from_state(&state),
        &replicas[&0],
        &live,
        false,
    )
    .unwrap();
    assert_eq!(
        (
            elected.leader_and_isr.leader,
            elected.leader_and_isr.isr.clone()
        ),
        (0, vec![0])
    );
    let r = c.send(
        now,
        0,
        kafka_zk::update_leader_and_isr(
            "t",
            0,
            &elected.leader_and_isr.with_controller_epoch(epoch),
            version,
            epoch_version,
        ),
    );
    assert!(!kafka_zk::is_controller_moved(&r), "{r:?}");
    assert_eq!(c.state("t", 0).0.leader, 0);

    // The controller's session is expired by force (a long GC pause):
    // broker 2 hears /controller go and takes over in epoch 2.
    c.events.clear();
    let session0 = c.zk.session_of(ConnId(0)).unwrap();
    let out = c.zk.expire_session(now, session0);
    c.collect(out);
    assert!(c.events.contains(&(
        ConnId(2),
        WatchedEvent {
            event_type: EventType::NodeDeleted,
            path: "/controller".into()
        }
    )));
    let (epoch2, epoch2_version) = c
        .try_become_controller(now, 2)
        .expect("broker 2 takes over");
    assert_eq!((epoch2, epoch2_version), (2, 2));

    // The zombie (old controller, new session) still thinks it is in epoch
    // 1: its write is fenced by the epoch check.
    c.connect(now, 0);
    let (state, version) = c.state("t", 0);
    let zombie =
        remove_replica_from_isr(&LeaderAndIsr::from_state(&state), 0).with_controller_epoch(epoch);
    let r = c.send(
        now,
        0,
        kafka_zk::update_leader_and_isr("t", 0, &zombie, version, epoch_version),
    );
    assert!(kafka_zk::is_controller_moved(&r), "{r:?}");
    assert_eq!(
        c.state("t", 0),
        (state, version),
        "the fenced write changed nothing"
    );

    // An ISR change notification is numbered by the parent's cversion.
    let r = c.send(
        now,
        2,
        kafka_zk::isr_change_notification(&[
            kafkascope_controller::znodes::notifications::TopicPartition::new("t", 0),
        ]),
    );
    assert_eq!(
        r,
        ZkResponse::Created {
            path: "/isr_change_notification/isr_change_0000000000".into()
        }
    );

    // The UI's view: depth-first, readable data.
    let rows: Vec<(String, String)> =
        c.zk.tree()
            .iter()
            .map(|v| (v.path.clone(), v.data_utf8().into_owned()))
            .collect();
    assert!(rows
        .iter()
        .any(|(p, d)| p == "/controller_epoch" && d == "2"));
    assert!(rows
        .iter()
        .any(|(p, d)| p == "/controller" && d.contains(r#""brokerid":2"#)));
}
