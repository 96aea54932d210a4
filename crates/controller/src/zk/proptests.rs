//! Random operation sequences against the server keep the tree's
//! invariants: every node's parent exists and lists it, ephemeral nodes
//! have no children and belong to live sessions, stats agree with the
//! data, failed multis change nothing, no session outlives its deadline.

use proptest::prelude::*;

use super::messages::{ConnId, CreateMode, Op, ZkMessage, ZkRequest, ZkResponse};
use super::path;
use super::server::ZkServer;

const PATHS: [&str; 7] = ["/a", "/a/b", "/a/b/c", "/b", "/b/x", "/a/s-", "/b/x/"];

#[derive(Clone, Debug)]
enum Step {
    Connect(u32),
    Resume(u32, usize),
    Disconnect(u32),
    Request(u32, ZkRequest),
    Tick,
}

fn arb_path() -> impl Strategy<Value = String> {
    prop::sample::select(PATHS.to_vec()).prop_map(str::to_string)
}

fn arb_mode() -> impl Strategy<Value = CreateMode> {
    prop::sample::select(vec![
        CreateMode::Persistent,
        CreateMode::PersistentSequential,
        CreateMode::Ephemeral,
        CreateMode::EphemeralSequential,
    ])
}

fn arb_version() -> impl Strategy<Value = i32> {
    prop_oneof![Just(-1), 0..3i32]
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (arb_path(), arb_mode()).prop_map(|(path, mode)| Op::Create {
            path,
            data: b"x".to_vec(),
            mode
        }),
        (arb_path(), arb_version()).prop_map(|(path, version)| Op::Delete { path, version }),
        (
            arb_path(),
            arb_version(),
            prop::collection::vec(any::<u8>(), 0..4)
        )
            .prop_map(|(path, version, data)| Op::SetData {
                path,
                data,
                version
            }),
        (arb_path(), arb_version()).prop_map(|(path, version)| Op::Check { path, version }),
    ]
}

fn arb_request() -> impl Strategy<Value = ZkRequest> {
    prop_oneof![
        Just(ZkRequest::Ping),
        Just(ZkRequest::CloseSession),
        (arb_path(), arb_mode()).prop_map(|(path, mode)| ZkRequest::Create {
            path,
            data: b"d".to_vec(),
            mode
        }),
        (arb_path(), arb_version()).prop_map(|(path, version)| ZkRequest::Delete { path, version }),
        (arb_path(), arb_version()).prop_map(|(path, version)| ZkRequest::SetData {
            path,
            data: b"v".to_vec(),
            version
        }),
        (arb_path(), any::<bool>()).prop_map(|(path, watch)| ZkRequest::Exists { path, watch }),
        (arb_path(), any::<bool>())
            .prop_map(|(path, watch)| ZkRequest::GetChildren { path, watch }),
        (arb_path(), any::<bool>()).prop_map(|(path, watch)| ZkRequest::GetData { path, watch }),
        prop::collection::vec(arb_op(), 0..4).prop_map(|ops| ZkRequest::Multi { ops }),
    ]
}

fn arb_step() -> impl Strategy<Value = Step> {
    let conn = 0..3u32;
    prop_oneof![
        1 => conn.clone().prop_map(Step::Connect),
        1 => (conn.clone(), 0..4usize).prop_map(|(c, i)| Step::Resume(c, i)),
        1 => conn.clone().prop_map(Step::Disconnect),
        8 => (conn, arb_request()).prop_map(|(c, r)| Step::Request(c, r)),
        1 => Just(Step::Tick),
    ]
}

fn check_invariants(zk: &ZkServer, now: u64) -> Result<(), TestCaseError> {
    let tree = zk.tree();
    for (p, node) in tree.nodes() {
        prop_assert_eq!(node.stat.data_length as usize, node.data.len(), "{}", p);
        prop_assert_eq!(
            node.stat.num_children as usize,
            node.children.len(),
            "{}",
            p
        );
        for child in &node.children {
            prop_assert!(
                tree.get(&path::join(p, child)).is_some(),
                "{} lists missing {}",
                p,
                child
            );
        }
        if let Some(parent) = path::parent(p) {
            let parent_node = tree.get(parent);
            prop_assert!(parent_node.is_some(), "{} has no parent", p);
            prop_assert!(parent_node.unwrap().children.contains(path::name(p)));
        }
        if node.stat.ephemeral_owner != 0 {
            prop_assert!(node.children.is_empty(), "ephemeral {} has children", p);
            prop_assert!(
                zk.sessions().any(|s| s.id.0 == node.stat.ephemeral_owner),
                "ephemeral {} outlived its session",
                p
            );
        }
    }
    for s in zk.sessions() {
        prop_assert!(s.expires_at > now, "session {} should have expired", s.id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_operations_keep_tree_invariants(
        steps in prop::collection::vec((arb_step(), 0..8_000u64), 1..60)
    ) {
        let mut zk = ZkServer::default();
        let mut now = 0;
        let mut seen_sessions = Vec::new();
        for (step, dt) in steps {
            now += dt;
            match step {
                Step::Connect(c) | Step::Resume(c, _) => {
                    let session_id = match step {
                        Step::Resume(_, i) => seen_sessions.get(i).copied(),
                        _ => None,
                    };
                    let out = zk.handle(now, ConnId(c), 0, ZkRequest::Connect {
                        session_timeout_ms: 18_000,
                        session_id,
                    });
                    for o in out {
                        if let ZkMessage::Response { response: ZkResponse::Connected { session_id, .. }, .. } = o.msg {
                            seen_sessions.push(session_id);
                        }
                    }
                }
                Step::Disconnect(c) => {
                    zk.disconnect(ConnId(c));
                    zk.tick(now);
                }
                Step::Tick => {
                    let (_, next) = zk.tick(now);
                    prop_assert_eq!(next, zk.next_deadline());
                }
                Step::Request(c, request) => {
                    let is_multi = matches!(request, ZkRequest::Multi { .. });
                    // Expire first so "before" is the state the multi sees.
                    zk.tick(now);
                    let before = zk.tree().clone();
                    let out = zk.handle(now, ConnId(c), 1, request);
                    let failed_multi = out.iter().any(|o| matches!(
                        &o.msg,
                        ZkMessage::Response { response: ZkResponse::Multi { results }, .. }
                            if results.iter().any(|r| matches!(r, super::messages::OpResult::Error { .. }))
                    ));
                    if is_multi && failed_multi {
                        prop_assert_eq!(zk.tree(), &before, "a failed multi changed the tree");
                        let fired = out.iter().any(|o| matches!(o.msg, ZkMessage::Watch { .. }));
                        prop_assert!(!fired, "a failed multi fired a watch");
                    }
                }
            }
            check_invariants(&zk, now)?;
        }
    }
}
