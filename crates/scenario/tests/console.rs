//! The browser console checks one typed line at a time against what the
//! scenario has declared so far.

use kafkascope_scenario::{Checker, Command, Node};

#[test]
fn typed_lines_are_checked_against_the_run_so_far() {
    let mut checker = Checker::new();
    assert_eq!(
        checker.line(1, "crash 0"),
        Err(vec![
            "the scenario must start with cluster brokers=N (only say, say.zh and demo may come before it)"
                .to_string()
        ])
    );
    assert!(matches!(
        checker.line(2, "cluster brokers=2"),
        Ok(Some(Command::Cluster { .. }))
    ));
    assert_eq!(checker.brokers(), Some(2));
    assert_eq!(checker.line(3, "  # just a comment"), Ok(None));
    assert_eq!(
        checker.line(4, "crash 1"),
        Ok(Some(Command::Crash {
            node: Node::Broker(1)
        }))
    );
    assert_eq!(
        checker.line(5, "crash 2"),
        Err(vec![
            "broker 2 does not exist: the cluster has 2 brokers (0..1)".to_string()
        ])
    );
    assert_eq!(
        checker.line(6, "poll c"),
        Err(vec![
            "poll: consumer c is not declared (declare it with consumer c ...)".to_string()
        ])
    );
    assert!(checker.line(7, "consumer c group=g").is_ok());
    assert!(checker.line(8, "poll c").is_ok());
    assert_eq!(checker.finish(), None);
}

#[test]
fn a_declaration_with_a_bad_config_still_declares() {
    let mut checker = Checker::new();
    checker.line(1, "cluster brokers=1").unwrap();
    assert_eq!(
        checker.line(2, "producer p acks=3"),
        Err(vec![
            "acks=3 is not valid: expected one of 0, 1, -1, all".to_string()
        ])
    );
    assert!(checker.line(3, "flush p").is_ok());
    // A declaration that does not parse at all declares its name too.
    assert!(checker.line(4, "consumer c group=g extra").is_err());
    assert!(checker.line(5, "poll c").is_ok());
}
