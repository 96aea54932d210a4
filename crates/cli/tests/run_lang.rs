//! `kafkascope run --lang zh`: a demo's Chinese header and narration.

mod common;
use common::run;

fn demo() -> String {
    format!(
        "{}/../../tests/scenarios/demos/15-controller-failover.scn",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn lang_zh_prints_the_chinese_header_and_narration() {
    let (code, out, err) = run(&["run", &demo(), "--lang", "zh"]);
    assert_eq!(code, 0, "{err}");
    let first: Vec<&str> = out.lines().take(2).collect();
    assert_eq!(
        first,
        [
            "演示：通过 ZooKeeper 完成控制器故障转移",
            "要点：每个 broker 都在 /brokers/ids 下注册一个临时节点，第一个创建临时节点 /controller 的 broker 就是控制器。这个 broker 宕机后，它的 ZooKeeper 会话过期，它的临时节点随之消失，其余 broker 抢着创建 /controller。胜出者为宕机 broker 上的分区选举新的领导者：按副本分配（AR）顺序，选第一个存活且在 ISR 中的副本。",
        ]
    );
    assert!(out.contains("\n会话过期：ZooKeeper 删除 broker 2 的临时节点"));
    assert!(!out.contains("The session expires"));
    assert!(out.contains("PASS line "));
}

#[test]
fn lang_en_is_the_default_and_bad_languages_are_refused() {
    let (code, out, _) = run(&["run", &demo()]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Demo: Controller failover through ZooKeeper\n"));
    assert!(out.contains("\nThe session expires: ZooKeeper deletes"));
    assert!(!out.contains("会话过期"));
    let (code, _, err) = run(&["run", &demo(), "--lang", "fr"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unknown language fr: use en or zh"), "{err}");
}
