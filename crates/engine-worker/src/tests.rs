use super::*;

const START: &str = "cluster brokers=3\n\
                     topic create t partitions=1 replication-factor=3 assignment=0:1:2\n\
                     producer p acks=all\n";

fn update(r: Reply) -> Update {
    match r {
        Reply::Update(u) => *u,
        other => panic!("expected an update, got {other:?}"),
    }
}

fn submit(e: &mut Engine, text: &str) -> Update {
    update(e.handle(Request::Submit { text: text.into() }))
}

#[test]
fn console_lines_build_the_cluster_the_page_shows() {
    let mut e = Engine::new(7);
    submit(&mut e, START);
    submit(&mut e, "send p t value=v{i} count=4\nflush p\ntick 500\n");
    let u = submit(&mut e, "crash 0\nrun until leader t-0 == 1 timeout=60000\n");
    assert!(u.errors.is_empty(), "{:?}", u.errors);
    let p = u.view.partition("t-0").unwrap();
    assert_eq!(p.leader, Some(1));
    assert_eq!(p.isr, vec![1, 2]);
    let r1 = p.replicas.iter().find(|r| r.broker == 1).unwrap();
    assert_eq!((r1.leo, r1.hw), (4, 4));
    assert_eq!(u.seed, 7);
    assert!(u
        .script
        .ends_with("crash 0\nrun until leader t-0 == 1 timeout=60000\n"));
    assert_eq!(u.live_position, u.view.position);
    assert_eq!(u.rewound, None);
}

#[test]
fn a_bad_line_comes_back_as_an_error_with_its_line() {
    let mut e = Engine::new(1);
    submit(&mut e, START);
    let u = submit(&mut e, "tick 10\nsend nobody t value=x\n");
    assert_eq!(u.errors.len(), 1, "{:?}", u.errors);
    assert_eq!(u.errors[0].line, 2);
    assert!(u.errors[0].message.contains("nobody"));
    assert!(!u.script.contains("tick 10"));
    // A command that fails at run time is output, and the session goes on.
    let u = submit(&mut e, "crash 0\ncrash 0\n");
    assert!(u.errors.is_empty());
    assert!(
        u.output.iter().any(|l| l.starts_with("ERROR line 5")),
        "{:?}",
        u.output
    );
}

#[test]
fn rewind_steps_in_the_past_and_comes_back_live() {
    let mut e = Engine::new(3);
    submit(&mut e, START);
    let live = submit(&mut e, "send p t value=a count=3\nflush p\n");
    let end = live.live_position;
    let u = update(e.handle(Request::Replay { to: end / 2 }));
    let at = u.rewound.expect("rewound");
    assert!(at >= end / 2 && at < end, "{at} of {end}");
    assert_eq!(u.view.position, at);
    // Where it landed: the step (first..=last event) that reached it.
    let l = u.landing.expect("a landing");
    assert_eq!((l.asked, l.last), (end / 2, at));
    assert!(l.first <= end / 2, "{l:?}");
    assert_eq!(u.live_position, end);
    // Stepping while rewound moves through the past...
    let u = update(e.handle(Request::Step { n: 1 }));
    assert!(u.rewound.unwrap() > at);
    // ...and reaching the live end is live again.
    let u = update(e.handle(Request::Step { n: end }));
    assert_eq!(u.rewound, None);
    assert_eq!(u.view, live.view);
    update(e.handle(Request::Replay { to: 5 }));
    let u = update(e.handle(Request::Live));
    assert_eq!((u.rewound, u.view.position), (None, end));
    assert_eq!(u.landing, None);
    // A console line while rewound goes to the live session.
    update(e.handle(Request::Replay { to: 5 }));
    let u = submit(&mut e, "tick 10\n");
    assert_eq!(u.rewound, None);
    assert!(u.view.position >= end);
}

#[test]
fn a_tick_while_the_past_is_shown_keeps_it_and_time_runs_only_live() {
    let mut e = Engine::new(3);
    submit(&mut e, START);
    let live = submit(&mut e, "send p t value=a count=3\nflush p\n");
    let end = live.live_position;
    let at = update(e.handle(Request::Replay { to: end / 2 }))
        .rewound
        .expect("rewound");
    // A tick that arrives while rewound (the page was playing) neither
    // drops the past nor moves the live session, and says why.
    let u = update(e.handle(Request::Tick { ms: 100 }));
    assert_eq!(u.rewound, Some(at));
    assert_eq!(u.view.position, at);
    assert_eq!(u.live_position, end);
    assert!(!u.script.contains("tick"), "{}", u.script);
    assert_eq!(u.output, vec![TICK_IN_PAST.to_string()]);
    // Going live is asked for; ticks then run at the live end.
    update(e.handle(Request::Live));
    let u = update(e.handle(Request::Tick { ms: 100 }));
    assert_eq!(u.rewound, None);
    assert_eq!(u.view.now_ms, live.view.now_ms + 100);
    assert!(u.output.is_empty(), "{:?}", u.output);
}

#[test]
fn step_n_runs_n_simulator_events_and_tick_moves_the_clock_exactly() {
    let mut a = Engine::new(4);
    let mut b = Engine::new(4);
    submit(&mut a, START);
    let start = submit(&mut b, START);
    let ua = update(a.handle(Request::Step { n: 10 }));
    let mut ub = start.clone();
    for _ in 0..10 {
        ub = update(b.handle(Request::Step { n: 1 }));
    }
    // Step 10 is ten single steps (each a delivery, a timer or a drop;
    // one may log more than one trace event, so the position moves by at
    // least ten; only the script's `command` note differs: `step 10` or
    // `step`).
    let at = |u: &Update| (u.view.position, u.view.now_ms, u.view.in_flight.clone());
    assert_eq!(at(&ua), at(&ub));
    assert_eq!(ua.view.partitions, ub.view.partitions);
    assert!(ua.view.position >= start.view.position + 10);
    let u = update(a.handle(Request::Tick { ms: 250 }));
    assert_eq!(u.view.now_ms, ua.view.now_ms + 250);
}

#[test]
fn load_replaces_the_session_or_changes_nothing() {
    let mut e = Engine::new(1);
    submit(&mut e, START);
    let u = update(e.handle(Request::Load {
        script: "cluster brokers=2\nbogus line\n".into(),
        seed: 5,
    }));
    assert_eq!(u.errors[0].line, 2, "{:?}", u.errors);
    assert_eq!((u.seed, u.view.brokers.len()), (1, 3));
    let u = update(e.handle(Request::Load {
        script: "cluster brokers=2\nsay \"hello\"\n".into(),
        seed: 5,
    }));
    assert!(u.errors.is_empty(), "{:?}", u.errors);
    assert_eq!((u.seed, u.view.brokers.len()), (5, 2));
    assert!(
        u.output.iter().any(|l| l.contains("hello")),
        "{:?}",
        u.output
    );
    let u = update(e.handle(Request::New { seed: 8 }));
    assert_eq!(
        (u.seed, u.view.brokers.len(), u.script.as_str()),
        (8, 0, "")
    );
}

#[test]
fn steps_and_ticks_are_merged_into_the_script() {
    let mut e = Engine::new(2);
    submit(&mut e, START);
    for _ in 0..3 {
        e.handle(Request::Step { n: 2 });
    }
    let u = update(e.handle(Request::Tick { ms: 100 }));
    assert!(u.script.ends_with("step 6\ntick 100\n"), "{}", u.script);
}

#[test]
fn the_demos_are_listed_and_load() {
    let mut e = Engine::new(1);
    let Reply::Demos(list) = e.handle(Request::Demos) else {
        panic!("expected the demo list")
    };
    assert!(list.len() >= 16, "{} demos", list.len());
    let acks = list.iter().find(|d| d.file == "01-acks.scn").unwrap();
    assert!(acks.title_en.contains("acks=0"), "{}", acks.title_en);
    assert!(!acks.title_zh.is_empty() && !acks.teaches_zh.is_empty());
    let u = update(e.handle(Request::LoadDemo {
        file: "02-isr.scn".into(),
        seed: 4,
    }));
    assert!(u.errors.is_empty(), "{:?}", u.errors);
    assert_eq!(u.seed, 4);
    assert!(u.script.starts_with("# "), "{}", &u.script[..40]);
    assert!(!u.view.brokers.is_empty());
    assert!(
        u.output.iter().all(|l| !l.starts_with("FAIL")),
        "{:?}",
        u.output
    );
    let u = update(e.handle(Request::LoadDemo {
        file: "nope.scn".into(),
        seed: 4,
    }));
    assert_eq!(u.errors[0].message, "there is no demo \"nope.scn\"");
    assert_eq!(u.seed, 4, "the loaded demo stays");
}

#[test]
fn narration_follows_the_language() {
    let mut e = Engine::new(1);
    update(e.handle(Request::Language { zh: true }));
    let u = update(e.handle(Request::LoadDemo {
        file: "02-isr.scn".into(),
        seed: 4,
    }));
    let chinese = |l: &String| l.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    assert!(u.output[0].starts_with("演示："), "{:?}", &u.output[..3]);
    let zh_position = u.live_position;
    // Back to English: the session is replayed, narration in English.
    let u = update(e.handle(Request::Language { zh: false }));
    assert!(u.errors.is_empty() && u.output.is_empty());
    assert_eq!(u.seed, 4);
    let u = update(e.handle(Request::LoadDemo {
        file: "02-isr.scn".into(),
        seed: 4,
    }));
    assert!(u.output[0].starts_with("Demo: "), "{:?}", &u.output[..3]);
    assert!(!u
        .output
        .iter()
        .filter(|l| l.starts_with("Demo"))
        .any(chinese));
    // A rewind replays in the session's language: the same event numbers.
    update(e.handle(Request::Language { zh: true }));
    let u = update(e.handle(Request::Replay { to: 50 }));
    assert_eq!(u.live_position, zh_position);
    assert!(u.rewound.is_some());
    // A new session keeps the language.
    e.handle(Request::New { seed: 2 });
    let u = submit(&mut e, "cluster brokers=1\nsay \"hi\"\nsay.zh \"嗨\"\n");
    assert_eq!(u.output, ["嗨"]);
}

fn trace(e: &mut Engine) -> String {
    match e.handle(Request::Trace) {
        Reply::Trace { json_lines } => json_lines,
        other => panic!("expected a trace, got {other:?}"),
    }
}

#[test]
fn brokers_move_to_hosted_processes_and_the_run_stays_the_same() {
    let mut e = Engine::new(11);
    submit(&mut e, START);
    let before = submit(
        &mut e,
        "send p t value=v{i} count=3\nflush p\ncrash 1\ntick 1000\nrestart 1\ntick 3000\n",
    );
    let trace_here = trace(&mut e);
    let hosts: Hosts = std::rc::Rc::new(std::cell::RefCell::new(
        cluster::host::LoopbackHosts::default(),
    ));
    e.set_worker_hosts(Ok(hosts));
    assert_eq!(e.processes_needed(&Request::Brokers { workers: true }), 4);
    let moved = update(e.handle(Request::Brokers { workers: true }));
    assert!(moved.brokers_in_workers);
    assert!(moved.errors.is_empty(), "{:?}", moved.errors);
    assert_eq!(
        moved.view, before.view,
        "the same cluster, brokers elsewhere"
    );
    assert_eq!(trace(&mut e), trace_here);
    // Crashing and restarting a hosted broker goes on as before.
    assert_eq!(
        e.processes_needed(&Request::Submit {
            text: "restart 2\n".into()
        }),
        1
    );
    let u = submit(&mut e, "crash 2\ntick 1000\nrestart 2\ntick 3000\n");
    assert!(
        u.output.iter().all(|l| !l.starts_with("ERROR")),
        "{:?}",
        u.output
    );
    let p = u.view.partition("t-0").unwrap();
    assert!(p.replicas.iter().all(|r| r.leo == 3), "{p:?}");
    let back = update(e.handle(Request::Brokers { workers: false }));
    assert!(!back.brokers_in_workers);
    assert_eq!(back.view, u.view);
}

#[test]
fn asking_for_workers_where_there_are_none_says_why_and_changes_nothing() {
    let mut e = Engine::new(3);
    submit(&mut e, START);
    e.set_worker_hosts(Err("this page is not cross-origin isolated".into()));
    let u = update(e.handle(Request::Brokers { workers: true }));
    assert!(!u.brokers_in_workers);
    assert_eq!(
        u.output,
        vec!["ERROR this page is not cross-origin isolated".to_string()]
    );
    assert_eq!(
        e.processes_needed(&Request::Submit { text: START.into() }),
        0
    );
}

#[test]
fn a_guided_demo_steps_forks_and_ends_through_requests() {
    let mut e = Engine::new(5);
    // No guide yet: stepping one is refused, not a panic.
    let u = update(e.handle(Request::GuideStep { step: 2 }));
    assert!(
        u.errors[0].message.contains("no guided demo"),
        "{:?}",
        u.errors
    );
    let u = update(e.handle(Request::GuideDemo {
        file: "01-acks.scn".into(),
        seed: 11,
    }));
    assert!(u.errors.is_empty(), "{:?}", u.errors);
    let g = u.guide.unwrap();
    assert_eq!((g.step, g.file.as_str()), (1, "01-acks.scn"));
    assert!(u.compare.is_none());
    let u = update(e.handle(Request::GuideStep { step: 2 }));
    assert_eq!(u.guide.as_ref().unwrap().step, 2);
    assert!(
        u.output.iter().any(|l| l.starts_with("Broker 0's answers")),
        "{:?}",
        u.output
    );
    // Fork with acks=all for `fast`; a console line goes to both runs.
    let mut fast = g
        .config
        .iter()
        .find(|c| c.text == "producer fast acks=1")
        .unwrap()
        .clone();
    fast.text = "producer fast acks=all".into();
    let u = update(e.handle(Request::Fork {
        lines: vec![fast.clone()],
    }));
    assert_eq!(u.guide.as_ref().unwrap().fork, vec![fast]);
    let c = u.compare.unwrap();
    assert_eq!(c.seed, 11);
    let u = submit(&mut e, "tick 50\n");
    let c2 = u.compare.unwrap();
    assert!(c2.original_position > c.original_position);
    assert!(c2.fork_position > c.fork_position);
    // Unfork keeps the guide; loading a script ends it.
    let u = update(e.handle(Request::Unfork));
    assert!(u.compare.is_none() && u.guide.is_some());
    let u = update(e.handle(Request::Load {
        script: START.into(),
        seed: 2,
    }));
    assert!(u.guide.is_none());
    // Loading a demo whole shows it at its last step.
    let u = update(e.handle(Request::LoadDemo {
        file: "01-acks.scn".into(),
        seed: 11,
    }));
    let g = u.guide.unwrap();
    assert!(g.at_end());
    assert_eq!(g.failed, 0);
}

#[test]
fn a_focused_segment_view_follows_the_shown_cluster() {
    use kafkascope_view::inspect::{Focus, SegmentRef};
    let mut e = Engine::new(8);
    let u = submit(
        &mut e,
        "cluster brokers=1\ntopic create t partitions=1 replication-factor=1 segment.bytes=400\nproducer p acks=1 batch.size=1\ntick 1000\n",
    );
    let created = u.live_position;
    let u = submit(
        &mut e,
        "send p t value=value-{i} count=10\nflush p\ntick 100\n",
    );
    assert_eq!(u.segments, None, "nothing asked for");
    let focus = Focus {
        segment: Some(SegmentRef {
            partition: "t-0".into(),
            broker: 0,
            base_offset: Some(0),
        }),
        record: None,
    };
    let u = update(e.handle(Request::Focus(focus)));
    let live = u.segments.expect("the segment view");
    assert!(live.segments.len() >= 2, "{live:?}");
    let first = live.detail.as_ref().unwrap();
    assert_eq!(first.batches[0].base_offset, 0);
    // Every later update carries it, for the cluster shown: in the past
    // (the topic created, nothing sent) there is one empty segment...
    let u = update(e.handle(Request::Replay { to: created }));
    let past = u.segments.unwrap();
    assert_eq!(past.segments.len(), 1, "{past:?}");
    assert!(past.detail.unwrap().batches.is_empty());
    // ... and before that no log at all.
    let u = update(e.handle(Request::Replay { to: 5 }));
    assert_eq!(
        u.segments.unwrap().problem.as_deref(),
        Some("broker 0 has no log of t-0")
    );
    let u = update(e.handle(Request::Live));
    assert_eq!(u.segments.as_ref(), Some(&live));
    let u = update(e.handle(Request::Focus(Focus::default())));
    assert_eq!(u.segments, None);
}

/// With the inspector open, every update's story (its passes kept
/// between updates) is the one read from the whole trace again, while
/// records arrive, after a crash, rewound and back at the live end.
#[test]
fn an_open_inspectors_story_is_the_full_reads_at_every_update() {
    use kafkascope_view::inspect::{Focus, RecordRef};
    let mut e = Engine::new(3);
    submit(
        &mut e,
        "cluster brokers=3\ntopic create t partitions=4 replication-factor=3\nproducer p acks=1 linger.ms=5\nsend p t value=v{i} count=2000\n",
    );
    let full = |e: &Engine, r: &RecordRef| {
        let shown = e.past.as_ref().unwrap_or(&e.live);
        shown.cluster().map(|c| c.record_story_in_full(r))
    };
    let mut record = RecordRef::Send {
        send_id: "p:1000".into(),
    };
    for _ in 0..2 {
        let focus = Focus {
            segment: None,
            record: Some(record.clone()),
        };
        let mut u = update(e.handle(Request::Focus(focus)));
        let mut told = 0;
        for i in 0..40 {
            assert_eq!(u.record, full(&e, &record), "{record:?} at update {i}");
            told += usize::from(u.record.as_ref().is_some_and(|s| s.steps.len() > 3));
            u = match i {
                10 => submit(&mut e, "crash 0\n"),
                20 => update(e.handle(Request::Replay {
                    to: u.live_position / 2,
                })),
                21 => update(e.handle(Request::Live)),
                _ => update(e.handle(Request::Tick { ms: 100 })),
            };
        }
        assert!(told > 20, "{record:?}: {told} {:?}", u.record);
        // Then the same record asked for by its offset.
        let story = u.record.expect("a story");
        record = RecordRef::Offset {
            partition: story.partition,
            offset: story.offset.expect("appended"),
            broker: None,
        };
    }
}

#[test]
fn a_focused_record_story_follows_the_shown_cluster() {
    use kafkascope_view::inspect::{Focus, Holds, LossReason, RecordRef, Step, Verdict};
    let mut e = Engine::new(5);
    submit(
        &mut e,
        "cluster brokers=2\ntopic create t partitions=1 replication-factor=2 assignment=0:1\nproducer p acks=1\ndrop 0->1 type=Fetch\nsend p t value=v{i} count=2\ntick 1000\n",
    );
    let focus = Focus {
        segment: None,
        record: Some(RecordRef::Send {
            send_id: "p:2".into(),
        }),
    };
    let u = update(e.handle(Request::Focus(focus)));
    let before = u.record.expect("the record's story");
    assert_eq!(before.offset, Some(1));
    assert_eq!(before.verdict, Verdict::NotCommitted);
    let acked = before
        .steps
        .iter()
        .find(|s| matches!(s.step, Step::Acked { .. }))
        .expect("acked")
        .n;
    // The leader dies with the only copy; broker 1 is elected.
    let u = submit(&mut e, "crash 0\nrun until leader t-0 == 1 timeout=60000\n");
    let lost = u.record.unwrap();
    assert!(lost.acked);
    let Verdict::Lost(LossReason::ElectedWithout {
        broker: 1,
        leader_epoch: 1,
        unclean: false,
        ref holders,
        ..
    }) = lost.verdict
    else {
        panic!("{:?}", lost.verdict);
    };
    // `run until` stopped once ZooKeeper named broker 1, before the
    // controller heard back: the election's event is not in the trace yet.
    assert!(matches!(
        lost.verdict,
        Verdict::Lost(LossReason::ElectedWithout { n: None, .. })
    ));
    assert_eq!(holders, &[0]);
    let h: Vec<_> = lost
        .holders
        .iter()
        .map(|h| (h.broker, h.broker_up, h.holds.clone()))
        .collect();
    assert_eq!(h, [(0, false, Holds::This), (1, true, Holds::Nothing)]);
    // Rewound to its ack, the story is the past's.
    let u = update(e.handle(Request::Replay { to: acked }));
    assert_eq!(u.record.unwrap().verdict, Verdict::NotCommitted);
    update(e.handle(Request::Live));
    // The old leader returns as a follower and truncates it.
    let u = submit(
        &mut e,
        "heal\nrestart 0\nrun until isr t-0 == 0,1 timeout=60000\n",
    );
    let gone = u.record.unwrap();
    assert!(gone.steps.iter().any(|s| matches!(&s.step,
        Step::Truncated { broker: 0, to: 0, rule } if rule == "leader-epoch")));
    assert!(gone.holders.iter().all(|h| h.holds == Holds::Nothing));
    // A later record, asked for by a broker's copy: replicated, committed.
    submit(&mut e, "send p t value=w0\nflush p\ntick 1000\n");
    let focus = Focus {
        segment: None,
        record: Some(RecordRef::Offset {
            partition: "t-0".into(),
            offset: 0,
            broker: Some(1),
        }),
    };
    let kept = update(e.handle(Request::Focus(focus))).record.unwrap();
    assert_eq!(kept.verdict, Verdict::Committed);
    assert_eq!(
        (
            kept.leader_epoch,
            kept.send_id.as_deref(),
            kept.value.as_deref()
        ),
        (Some(1), Some("p:3"), Some("w0"))
    );
    assert!(kept
        .steps
        .iter()
        .any(|s| s.step == Step::HwCrossed { broker: 1, hw: 1 }));
    assert!(kept.steps.iter().any(|s| matches!(&s.step,
        Step::Replicated { broker: 0, leader: 1, response: Some(r) } if r.from == "1" && r.to == "0")));
    assert!(kept.holders.iter().all(|h| h.holds == Holds::This));
    let u = update(e.handle(Request::Focus(Focus::default())));
    assert_eq!(u.record, None);
}

/// An engine whose brokers run on live loopback hosts.
fn live_engine(seed: u64) -> Engine {
    let mut e = Engine::new(seed);
    let hosts: Hosts = std::rc::Rc::new(std::cell::RefCell::new(
        cluster::host::LoopbackHosts::default(),
    ));
    e.set_worker_hosts(Ok(hosts));
    e
}

#[test]
fn live_brokers_run_on_the_real_clock_and_refuse_a_rewind() {
    let mut e = live_engine(4);
    submit(&mut e, START);
    assert_eq!(e.advance_live(10, 0.0), None, "nothing runs live yet");
    assert_eq!(e.processes_needed(&Request::LiveBrokers), 3);
    let u = update(e.handle(Request::LiveBrokers));
    assert!(u.brokers_in_workers && u.brokers_live, "{:?}", u.output);
    assert!(e.is_live());
    submit(&mut e, "send p t value=v{i} count=50\n");
    let start = e.live.cluster().unwrap().sim.now();
    for ms in 1..=200 {
        let pace = e.advance_live(1, ms as f64 * 1000.0).expect("live");
        assert!(!pace.behind);
    }
    // The clock moved with the calls, and the records got through.
    let u = update(e.handle(Request::Tick { ms: 5_000 }));
    assert_eq!(
        e.live.cluster().unwrap().sim.now(),
        start + 200,
        "a tick only refreshes"
    );
    let p = u.view.partition("t-0").unwrap();
    assert!(p.replicas.iter().all(|r| r.leo == 50), "{p:?}");
    assert_eq!(
        p.replicas[0].hw, 50,
        "the leader's high watermark: acks=all"
    );
    let r = update(e.handle(Request::Replay { to: 3 }));
    assert_eq!(r.rewound, None);
    assert!(
        r.output[0].starts_with("ERROR a live run cannot be rewound"),
        "{:?}",
        r.output
    );
    // Back to step mode: the script again, deterministic.
    let back = update(e.handle(Request::Brokers { workers: true }));
    assert!(back.brokers_in_workers && !back.brokers_live);
    assert_eq!(e.advance_live(1, 0.0), None);
}

#[test]
fn the_live_measurement_reports_latency_then_throughput() {
    let mut e = live_engine(9);
    let refused = update(e.handle(Request::Measure(MeasureSpec::default())));
    assert!(refused.measure.is_none());
    assert!(
        refused.output[0].contains("needs the brokers in web workers"),
        "{:?}",
        refused.output
    );
    update(e.handle(Request::LiveBrokers));
    let spec = MeasureSpec {
        records: 3_000,
        value_bytes: 100,
        samples: 20,
    };
    assert_eq!(e.processes_needed(&Request::Measure(spec.clone())), 3);
    let u = update(e.handle(Request::Measure(spec.clone())));
    assert!(
        u.errors.is_empty() && u.output.iter().all(|l| !l.starts_with("ERROR")),
        "{u:?}"
    );
    let mut us = 0.0;
    for _ in 0..60_000 {
        us += 250.0;
        let pace = e
            .advance_live(u64::from((us as u64).is_multiple_of(1000)), us)
            .expect("live");
        if !pace.measuring {
            break;
        }
    }
    let m = update(e.handle(Request::Tick { ms: 100 }))
        .measure
        .expect("a report");
    assert_eq!(m.problem, None);
    assert!(m.done);
    assert_eq!(m.samples, 20);
    let (p50, p99) = (m.p50_us.unwrap(), m.p99_us.unwrap());
    assert!(p50 > 0 && p50 <= p99, "{m:?}");
    assert_eq!(m.acked, 3_000);
    assert!(
        m.records_per_s.unwrap() > 0 && m.elapsed_us.unwrap() > 0,
        "{m:?}"
    );
    assert!(m.events > 0, "{m:?}");
}

#[test]
fn a_forms_lines_are_checked_now_and_after_every_change_of_the_script() {
    let mut e = Engine::new(3);
    submit(&mut e, START);
    let check = |e: &mut Engine, lines: &[&str]| match e.handle(Request::Check {
        form: "producer".into(),
        lines: lines.iter().map(|l| l.to_string()).collect(),
    }) {
        Reply::Checked(c) => c,
        other => panic!("expected checks, got {other:?}"),
    };
    // The console's own checks: `p` exists, `q` may be created.
    let c = check(&mut e, &["producer p"]);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].form, "producer");
    assert_eq!(c[0].lines, ["producer p"]);
    assert!(c[0].errors.iter().any(|m| m.contains('p')), "{c:?}");
    let c = check(&mut e, &["producer q acks=1 enable.idempotence=true"]);
    assert_eq!(c[0].errors.len(), 1, "{c:?}");
    assert!(check(&mut e, &["producer q"])[0].errors.is_empty());
    // Nothing was run: checking is not submitting.
    let u = submit(&mut e, "tick 10\n");
    assert!(!u.script.contains("producer q"));
    assert!(u.checks[0].errors.is_empty(), "{:?}", u.checks);
    // Once the console creates q, the next update says the form's q exists.
    let u = submit(&mut e, "producer q\n");
    assert_eq!(u.checks[0].lines, ["producer q"]);
    assert!(!u.checks[0].errors.is_empty(), "{:?}", u.checks);
    // No lines: the form is no longer checked.
    assert!(check(&mut e, &[]).is_empty());
    assert!(submit(&mut e, "tick 10\n").checks.is_empty());
}
