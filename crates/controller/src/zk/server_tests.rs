use super::*;
use crate::zk::messages::{CreateMode, EventType, Op, OpResult, WatchedEvent, ZkRequest};

const A: ConnId = ConnId(1);
const B: ConnId = ConnId(2);

fn connect(zk: &mut ZkServer, now: u64, conn: ConnId) -> SessionId {
    let out = zk.handle(
        now,
        conn,
        0,
        ZkRequest::Connect {
            session_timeout_ms: KAFKA_DEFAULT_SESSION_TIMEOUT_MS,
            session_id: None,
        },
    );
    match &out[..] {
        [ZkOutput {
            msg:
                ZkMessage::Response {
                    response: ZkResponse::Connected { session_id, .. },
                    ..
                },
            ..
        }] => *session_id,
        other => panic!("unexpected {other:?}"),
    }
}

fn req(
    zk: &mut ZkServer,
    now: u64,
    conn: ConnId,
    r: ZkRequest,
) -> (ZkResponse, Vec<(ConnId, WatchedEvent)>) {
    let out = zk.handle(now, conn, 1, r);
    let mut events = Vec::new();
    let mut response = None;
    for o in out {
        match o.msg {
            ZkMessage::Watch { event } => {
                assert!(response.is_none(), "watch events come before the response");
                events.push((o.to, event));
            }
            ZkMessage::Response { response: r, .. } => response = Some(r),
            other => panic!("unexpected {other:?}"),
        }
    }
    (response.expect("a response"), events)
}

fn create(path: &str, mode: CreateMode) -> ZkRequest {
    ZkRequest::Create {
        path: path.into(),
        data: b"d".to_vec(),
        mode,
    }
}

fn ev(t: EventType, p: &str) -> WatchedEvent {
    WatchedEvent {
        event_type: t,
        path: p.into(),
    }
}

fn events_of(out: &[ZkOutput]) -> Vec<(ConnId, WatchedEvent)> {
    out.iter()
        .filter_map(|o| match &o.msg {
            ZkMessage::Watch { event } => Some((o.to, event.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn session_timeout_is_negotiated_within_bounds() {
    let mut zk = ZkServer::default();
    let out = zk.handle(
        0,
        A,
        0,
        ZkRequest::Connect {
            session_timeout_ms: 100_000,
            session_id: None,
        },
    );
    assert!(matches!(
        &out[0].msg,
        ZkMessage::Response {
            response: ZkResponse::Connected {
                session_timeout_ms: 40_000,
                ..
            },
            ..
        }
    ));
}

#[test]
fn requests_without_a_session_get_sessionexpired() {
    let mut zk = ZkServer::default();
    let (r, _) = req(&mut zk, 0, A, ZkRequest::Ping);
    assert_eq!(
        r,
        ZkResponse::Error {
            err: ZkErrorCode::SessionExpired
        }
    );
}

#[test]
fn expiry_removes_ephemerals_and_fires_watches() {
    let mut zk = ZkServer::default();
    let broker = connect(&mut zk, 0, A);
    let controller = connect(&mut zk, 0, B);
    req(&mut zk, 0, A, create("/brokers", CreateMode::Persistent));
    req(
        &mut zk,
        0,
        A,
        create("/brokers/ids", CreateMode::Persistent),
    );
    let (r, _) = req(
        &mut zk,
        0,
        A,
        create("/brokers/ids/1", CreateMode::Ephemeral),
    );
    assert_eq!(
        r,
        ZkResponse::Created {
            path: "/brokers/ids/1".into()
        }
    );
    assert_eq!(
        zk.tree()
            .get("/brokers/ids/1")
            .unwrap()
            .stat
            .ephemeral_owner,
        broker.0
    );
    req(
        &mut zk,
        0,
        B,
        ZkRequest::GetChildren {
            path: "/brokers/ids".into(),
            watch: true,
        },
    );
    req(
        &mut zk,
        0,
        B,
        ZkRequest::Exists {
            path: "/brokers/ids/1".into(),
            watch: true,
        },
    );
    // The controller keeps pinging; the broker goes silent.
    let mut now = 0;
    while now < 17_000 {
        now += 6_000;
        req(&mut zk, now, B, ZkRequest::Ping);
        let (out, _) = zk.tick(now);
        assert!(out.is_empty(), "nothing expires before the timeout ({now})");
    }
    // 18000 ms after the last request, rounded up to the 2000 ms tick.
    assert_eq!(zk.session(broker).unwrap().expires_at, 20_000);
    let (out, next) = zk.tick(20_000);
    assert!(zk.session(broker).is_none());
    assert!(zk.session(controller).is_some());
    assert!(zk.tree().get("/brokers/ids/1").is_none());
    assert_eq!(
        events_of(&out),
        vec![
            (B, ev(EventType::NodeDeleted, "/brokers/ids/1")),
            (B, ev(EventType::NodeChildrenChanged, "/brokers/ids")),
        ]
    );
    assert!(out
        .iter()
        .any(|o| o.to == A && o.msg == ZkMessage::SessionExpired { session_id: broker }));
    assert_eq!(next, Some(zk.session(controller).unwrap().expires_at));
    // Watches are one-shot: a second change fires nothing.
    let (_, events) = req(
        &mut zk,
        now,
        B,
        create("/brokers/ids/2", CreateMode::Persistent),
    );
    assert!(events.is_empty());
}

#[test]
fn any_request_keeps_the_session_alive() {
    let mut zk = ZkServer::default();
    let s = connect(&mut zk, 0, A);
    for now in (5_000..100_000).step_by(5_000) {
        req(
            &mut zk,
            now,
            A,
            ZkRequest::Exists {
                path: "/x".into(),
                watch: false,
            },
        );
        zk.tick(now);
    }
    assert!(zk.session(s).is_some());
}

#[test]
fn a_late_request_does_not_revive_an_expired_session() {
    let mut zk = ZkServer::default();
    let s = connect(&mut zk, 0, A);
    req(&mut zk, 0, A, create("/e", CreateMode::Ephemeral));
    let out = zk.handle(50_000, A, 9, ZkRequest::Ping);
    assert_eq!(
        out.iter().map(|o| o.msg.clone()).collect::<Vec<_>>(),
        vec![
            ZkMessage::SessionExpired { session_id: s },
            ZkMessage::Response {
                xid: 9,
                response: ZkResponse::Error {
                    err: ZkErrorCode::SessionExpired
                }
            }
        ]
    );
    assert!(zk.session(s).is_none());
    assert!(zk.tree().get("/e").is_none());
}

#[test]
fn reconnect_resumes_a_live_session_and_refuses_an_expired_one() {
    let mut zk = ZkServer::default();
    let s = connect(&mut zk, 0, A);
    req(&mut zk, 0, A, create("/e", CreateMode::Ephemeral));
    zk.disconnect(A);
    let out = zk.handle(
        10_000,
        B,
        5,
        ZkRequest::Connect {
            session_timeout_ms: 18_000,
            session_id: Some(s),
        },
    );
    assert!(matches!(
        &out[0].msg,
        ZkMessage::Response { response: ZkResponse::Connected { session_id, .. }, .. } if *session_id == s
    ));
    assert_eq!(zk.session_of(B), Some(s));
    assert!(zk.tree().get("/e").is_some());
    zk.disconnect(B);
    zk.tick(40_000);
    let out = zk.handle(
        40_000,
        B,
        6,
        ZkRequest::Connect {
            session_timeout_ms: 18_000,
            session_id: Some(s),
        },
    );
    assert_eq!(out[0].msg, ZkMessage::SessionExpired { session_id: s });
}

#[test]
fn a_restarted_client_gets_nodeexists_until_its_old_session_expires() {
    // Kafka's "node already exists and owner does not match current session".
    let mut zk = ZkServer::default();
    let old = connect(&mut zk, 0, A);
    req(&mut zk, 0, A, create("/b", CreateMode::Ephemeral));
    let new = connect(&mut zk, 1_000, A);
    assert_ne!(old, new);
    let (r, _) = req(&mut zk, 1_000, A, create("/b", CreateMode::Ephemeral));
    assert_eq!(
        r,
        ZkResponse::Error {
            err: ZkErrorCode::NodeExists
        }
    );
    req(&mut zk, 10_000, A, ZkRequest::Ping);
    zk.tick(20_000);
    assert!(zk.session(old).is_none());
    let (r, _) = req(&mut zk, 20_000, A, create("/b", CreateMode::Ephemeral));
    assert_eq!(r, ZkResponse::Created { path: "/b".into() });
    assert_eq!(zk.tree().get("/b").unwrap().stat.ephemeral_owner, new.0);
}

#[test]
fn close_session_removes_ephemerals_without_expiry_notice() {
    let mut zk = ZkServer::default();
    connect(&mut zk, 0, A);
    connect(&mut zk, 0, B);
    req(&mut zk, 0, A, create("/controller", CreateMode::Ephemeral));
    req(
        &mut zk,
        0,
        B,
        ZkRequest::Exists {
            path: "/controller".into(),
            watch: true,
        },
    );
    let (r, events) = req(&mut zk, 1, A, ZkRequest::CloseSession);
    assert_eq!(r, ZkResponse::Closed);
    assert_eq!(events, vec![(B, ev(EventType::NodeDeleted, "/controller"))]);
    assert_eq!(zk.session_of(A), None);
}

#[test]
fn watches_fire_for_create_change_delete_and_children() {
    let mut zk = ZkServer::default();
    connect(&mut zk, 0, A);
    connect(&mut zk, 0, B);
    let watch_exists = |zk: &mut ZkServer| {
        let (r, _) = req(
            zk,
            0,
            B,
            ZkRequest::Exists {
                path: "/t".into(),
                watch: true,
            },
        );
        r
    };
    assert_eq!(watch_exists(&mut zk), ZkResponse::Exists { stat: None });
    let (_, e) = req(&mut zk, 1, A, create("/t", CreateMode::Persistent));
    assert_eq!(e, vec![(B, ev(EventType::NodeCreated, "/t"))]);

    req(
        &mut zk,
        1,
        B,
        ZkRequest::GetData {
            path: "/t".into(),
            watch: true,
        },
    );
    let (_, e) = req(
        &mut zk,
        2,
        A,
        ZkRequest::SetData {
            path: "/t".into(),
            data: b"x".to_vec(),
            version: -1,
        },
    );
    assert_eq!(e, vec![(B, ev(EventType::NodeDataChanged, "/t"))]);

    req(
        &mut zk,
        2,
        B,
        ZkRequest::GetChildren {
            path: "/t".into(),
            watch: true,
        },
    );
    let (_, e) = req(&mut zk, 3, A, create("/t/c", CreateMode::Persistent));
    assert_eq!(e, vec![(B, ev(EventType::NodeChildrenChanged, "/t"))]);
    req(
        &mut zk,
        3,
        A,
        ZkRequest::Delete {
            path: "/t/c".into(),
            version: -1,
        },
    );

    // Data and child watch on the same node: one NodeDeleted.
    watch_exists(&mut zk);
    req(
        &mut zk,
        3,
        B,
        ZkRequest::GetChildren {
            path: "/t".into(),
            watch: true,
        },
    );
    let (_, e) = req(
        &mut zk,
        4,
        A,
        ZkRequest::Delete {
            path: "/t".into(),
            version: -1,
        },
    );
    assert_eq!(e, vec![(B, ev(EventType::NodeDeleted, "/t"))]);
}

#[test]
fn get_data_on_a_missing_node_sets_no_watch() {
    let mut zk = ZkServer::default();
    let b = connect(&mut zk, 0, B);
    let (r, _) = req(
        &mut zk,
        0,
        B,
        ZkRequest::GetData {
            path: "/nope".into(),
            watch: true,
        },
    );
    assert_eq!(
        r,
        ZkResponse::Error {
            err: ZkErrorCode::NoNode
        }
    );
    assert!(zk.data_watches_of(b).is_empty());
}

#[test]
fn multi_is_all_or_nothing() {
    let mut zk = ZkServer::default();
    connect(&mut zk, 0, A);
    connect(&mut zk, 0, B);
    req(
        &mut zk,
        0,
        A,
        create("/controller_epoch", CreateMode::Persistent),
    );
    req(
        &mut zk,
        0,
        B,
        ZkRequest::Exists {
            path: "/a".into(),
            watch: true,
        },
    );
    let before = zk.tree().clone();
    let zxid = zk.last_zxid();
    let (r, e) = req(
        &mut zk,
        1,
        A,
        ZkRequest::Multi {
            ops: vec![
                Op::Create {
                    path: "/a".into(),
                    data: vec![],
                    mode: CreateMode::Persistent,
                },
                Op::Check {
                    path: "/controller_epoch".into(),
                    version: 7,
                },
                Op::Delete {
                    path: "/a".into(),
                    version: -1,
                },
            ],
        },
    );
    assert_eq!(
        r,
        ZkResponse::Multi {
            results: vec![
                OpResult::Error {
                    err: ZkErrorCode::Ok
                },
                OpResult::Error {
                    err: ZkErrorCode::BadVersion
                },
                OpResult::Error {
                    err: ZkErrorCode::RuntimeInconsistency
                },
            ]
        }
    );
    assert!(e.is_empty(), "a failed multi fires no watch");
    assert_eq!(zk.tree(), &before);
    assert_eq!(zk.last_zxid(), zxid);

    let (r, e) = req(
        &mut zk,
        2,
        A,
        ZkRequest::Multi {
            ops: vec![
                Op::Check {
                    path: "/controller_epoch".into(),
                    version: 0,
                },
                Op::Create {
                    path: "/a".into(),
                    data: vec![],
                    mode: CreateMode::Persistent,
                },
                Op::Create {
                    path: "/a/s-".into(),
                    data: vec![],
                    mode: CreateMode::PersistentSequential,
                },
                Op::SetData {
                    path: "/a".into(),
                    data: b"1".to_vec(),
                    version: 0,
                },
            ],
        },
    );
    let ZkResponse::Multi { results } = r else {
        panic!("{r:?}")
    };
    assert_eq!(results[0], OpResult::Check);
    assert_eq!(
        results[2],
        OpResult::Create {
            path: "/a/s-0000000000".into()
        }
    );
    assert!(matches!(&results[3], OpResult::SetData { stat } if stat.version == 1));
    assert_eq!(e, vec![(B, ev(EventType::NodeCreated, "/a"))]);
    // One transaction: one zxid for every op.
    assert_eq!(zk.last_zxid(), zxid + 1);
    assert_eq!(
        zk.tree().get("/a/s-0000000000").unwrap().stat.czxid,
        zxid + 1
    );
}

#[test]
fn expire_session_on_demand() {
    let mut zk = ZkServer::default();
    let s = connect(&mut zk, 0, A);
    req(&mut zk, 0, A, create("/e", CreateMode::Ephemeral));
    let out = zk.expire_session(5, s);
    assert_eq!(out.len(), 1);
    assert!(zk.tree().get("/e").is_none());
    assert_eq!(zk.next_deadline(), None);
}

#[test]
fn invalid_paths_are_badarguments() {
    let mut zk = ZkServer::default();
    connect(&mut zk, 0, A);
    for r in [
        ZkRequest::GetData {
            path: "no-slash".into(),
            watch: true,
        },
        ZkRequest::Exists {
            path: "/a/".into(),
            watch: true,
        },
        ZkRequest::GetChildren {
            path: "//".into(),
            watch: false,
        },
        create("/a/../b", CreateMode::Persistent),
    ] {
        let (resp, _) = req(&mut zk, 0, A, r);
        assert_eq!(
            resp,
            ZkResponse::Error {
                err: ZkErrorCode::BadArguments
            }
        );
    }
}

#[test]
fn server_snapshot_round_trips_through_json() {
    let mut zk = ZkServer::default();
    let s = connect(&mut zk, 0, A);
    req(&mut zk, 0, A, create("/e", CreateMode::Ephemeral));
    req(
        &mut zk,
        0,
        A,
        ZkRequest::Exists {
            path: "/x".into(),
            watch: true,
        },
    );
    let json = serde_json::to_string(&zk).unwrap();
    let mut back: ZkServer = serde_json::from_str(&json).unwrap();
    assert_eq!(back.tree(), zk.tree());
    assert_eq!(back.session(s), zk.session(s));
    assert_eq!(back.data_watches_of(s), vec!["/x"]);
    // The copy behaves like the original: the watch fires there too.
    let (_, events) = req(&mut back, 1, A, create("/x", CreateMode::Persistent));
    assert_eq!(events, vec![(A, ev(EventType::NodeCreated, "/x"))]);
}
