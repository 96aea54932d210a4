//! Every client config the scenario language accepts is implemented by the
//! simulated client: none is accepted by the checker and then refused (or,
//! worse, ignored) when the run starts.

use kafkascope_cluster::consumer_node::consumer_config;
use kafkascope_cluster::producer::ProducerConfig;
use scenario::config::{CONSUMER_CONFIGS, PRODUCER_CONFIGS};

/// Kafka's default, or a valid value where the default is "no value".
fn sample(name: &str, default: &'static str) -> &'static str {
    match (name, default) {
        ("transactional.id", _) => "tx",
        ("group.instance.id", _) => "instance-1",
        ("group.id", _) => "g",
        (_, d) => d,
    }
}

#[test]
fn every_producer_config_is_implemented() {
    let mut missing = Vec::new();
    for d in PRODUCER_CONFIGS {
        let mut c = ProducerConfig::default();
        if let Err(e) = c.set(d.name, sample(d.name, d.default)) {
            missing.push(format!("{}: {e}", d.name));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_consumer_config_is_implemented() {
    let mut missing = Vec::new();
    for d in CONSUMER_CONFIGS {
        let v = sample(d.name, d.default);
        if v == "null" {
            missing.push(format!("{}: no sample value", d.name));
            continue;
        }
        if let Err(e) = consumer_config("c", Some("g"), &[(d.name.into(), v.into())]) {
            missing.push(format!("{}: {e}", d.name));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn the_network_delay_setting_is_applied() {
    use kafkascope_cluster::runner::{run_source, RunOptions};
    let run = |delay: &str| {
        let src = format!(
            "cluster brokers=1 seed=1 {delay}\ntopic create t partitions=1 replication-factor=1\nproducer p acks=1\nsend p t value=x\nflush p\nexpect acked p == 1\n"
        );
        let r = run_source("d.scn", &src, &RunOptions::default()).expect("runs");
        assert!(r.ok(), "{:?}", r.lines);
        r.cluster.expect("cluster").sim.now()
    };
    // Metadata and Produce round trips at 100 ms each way take far longer.
    assert!(run("kafkascope.network.delay.ms=100") >= run("") + 300);
    let bad = run_source(
        "d.scn",
        "cluster brokers=1 kafkascope.network.delay.ms=0\n",
        &RunOptions::default(),
    );
    assert!(bad.is_err());
}
