//! The guided demo library (`tests/scenarios/demos/`), compiled in so that
//! a UI, native or wasm, can list and play the demos without any IO.
//! `tests/library.rs` checks that this list is exactly that directory.

use crate::{demo::parse_demo, Demo, ScenarioError};

/// Every demo file, as (file name, source), in file-name order.
pub const DEMO_FILES: &[(&str, &str)] = &[
    (
        "01-acks.scn",
        include_str!("../../../tests/scenarios/demos/01-acks.scn"),
    ),
    (
        "02-isr.scn",
        include_str!("../../../tests/scenarios/demos/02-isr.scn"),
    ),
    (
        "03-leo-hw.scn",
        include_str!("../../../tests/scenarios/demos/03-leo-hw.scn"),
    ),
    (
        "04-kip101-high-watermark.scn",
        include_str!("../../../tests/scenarios/demos/04-kip101-high-watermark.scn"),
    ),
    (
        "04-kip101-leader-epoch.scn",
        include_str!("../../../tests/scenarios/demos/04-kip101-leader-epoch.scn"),
    ),
    (
        "05-unclean-election.scn",
        include_str!("../../../tests/scenarios/demos/05-unclean-election.scn"),
    ),
    (
        "06-power-failure.scn",
        include_str!("../../../tests/scenarios/demos/06-power-failure.scn"),
    ),
    (
        "07-idempotent-producer.scn",
        include_str!("../../../tests/scenarios/demos/07-idempotent-producer.scn"),
    ),
    (
        "08-transactions.scn",
        include_str!("../../../tests/scenarios/demos/08-transactions.scn"),
    ),
    (
        "09-ordering.scn",
        include_str!("../../../tests/scenarios/demos/09-ordering.scn"),
    ),
    (
        "10-partitioners.scn",
        include_str!("../../../tests/scenarios/demos/10-partitioners.scn"),
    ),
    (
        "11-consumer-groups.scn",
        include_str!("../../../tests/scenarios/demos/11-consumer-groups.scn"),
    ),
    (
        "12-rebalances.scn",
        include_str!("../../../tests/scenarios/demos/12-rebalances.scn"),
    ),
    (
        "13-offset-commits.scn",
        include_str!("../../../tests/scenarios/demos/13-offset-commits.scn"),
    ),
    (
        "14-segments-and-retention.scn",
        include_str!("../../../tests/scenarios/demos/14-segments-and-retention.scn"),
    ),
    (
        "15-controller-failover.scn",
        include_str!("../../../tests/scenarios/demos/15-controller-failover.scn"),
    ),
    (
        "16-why-kafka-is-fast.scn",
        include_str!("../../../tests/scenarios/demos/16-why-kafka-is-fast.scn"),
    ),
];

/// The source of a demo file by name (`01-acks.scn`).
pub fn demo_source(file: &str) -> Option<&'static str> {
    DEMO_FILES.iter().find(|(f, _)| *f == file).map(|(_, s)| *s)
}

/// Every demo's metadata and narration, in file order, or the errors of
/// the files that are not valid demos (none, as the tests check).
pub fn demos() -> Result<Vec<Demo>, Vec<ScenarioError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (file, source) in DEMO_FILES {
        match parse_demo(file, source) {
            Ok(Some(d)) => out.push(d),
            Ok(None) => errors.push(ScenarioError {
                file: file.to_string(),
                line: 1,
                message: "not a demo: it has no demo header".to_string(),
            }),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
