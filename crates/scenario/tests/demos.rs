//! The demo extension: `demo` header lines, `say.zh`, their rules and
//! errors, and `demo()` / `parse_demo()` (what the UI lists).

use kafkascope_scenario::*;

const SEED: &str = "004_b6897ffb7d1866c9.txt";

/// A complete, valid demo.
fn good() -> String {
    format!(
        "\
demo title acks=all keeps what it acknowledges
demo title.zh acks=all 不会丢失已确认的消息
demo teaches \"acks=all waits for the ISR # not a comment\"
demo teaches.zh acks=all 等待 ISR 中所有副本
demo seed {SEED} \"`-1(all`：producer等待broker的ack\"
demo seed.en -1 (all): the producer waits for the ack.
cluster brokers=1
say The leader is broker 0.
say.zh 领导者是 broker 0。
tick 10
say Done.
say.zh 完成。
expect controller == 0
"
    )
}

fn errors(src: &str) -> Vec<String> {
    match parse("d.scn", src) {
        Ok(_) => panic!("expected errors in:\n{src}"),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

fn one(line: &str) -> Command {
    match parse_command(line) {
        Ok(Some(c)) => c,
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn demo_lines_and_say_zh_parse_and_print_back() {
    let cases: &[(&str, Command, &str)] = &[
        (
            "say.zh   领导者宕机了。  # comment",
            Command::SayZh {
                text: "领导者宕机了。".into(),
            },
            "say.zh 领导者宕机了。",
        ),
        (
            "say.zh \"第 #1 步\"",
            Command::SayZh {
                text: "第 #1 步".into(),
            },
            "say.zh \"第 #1 步\"",
        ),
        (
            "demo title The ISR",
            Command::Demo(DemoLine::Title {
                lang: Lang::En,
                text: "The ISR".into(),
            }),
            "demo title The ISR",
        ),
        (
            "demo teaches.zh 同步副本集合",
            Command::Demo(DemoLine::Teaches {
                lang: Lang::Zh,
                text: "同步副本集合".into(),
            }),
            "demo teaches.zh 同步副本集合",
        ),
        (
            "demo seed 001_4ea3ad582985d3f0.txt \"12.ISR列表:存储着和leader保持同步的副本列表\"",
            Command::Demo(DemoLine::Seed {
                file: "001_4ea3ad582985d3f0.txt".into(),
                quote: "12.ISR列表:存储着和leader保持同步的副本列表".into(),
            }),
            "demo seed 001_4ea3ad582985d3f0.txt 12.ISR列表:存储着和leader保持同步的副本列表",
        ),
        (
            "demo seed 004_b6897ffb7d1866c9.txt \"# Broker-文件存储与清理\"",
            Command::Demo(DemoLine::Seed {
                file: SEED.into(),
                quote: "# Broker-文件存储与清理".into(),
            }),
            "demo seed 004_b6897ffb7d1866c9.txt \"# Broker-文件存储与清理\"",
        ),
        (
            "demo seed.en The ISR list.",
            Command::Demo(DemoLine::SeedEn {
                text: "The ISR list.".into(),
            }),
            "demo seed.en The ISR list.",
        ),
    ];
    for (line, command, printed) in cases {
        let c = one(line);
        assert_eq!(&c, command, "{line}");
        assert_eq!(c.to_string(), *printed, "printing {line}");
        assert_eq!(one(printed), c, "re-parsing {printed}");
    }
}

#[test]
fn bad_demo_lines_say_what_is_wrong() {
    let err = |line: &str| parse_command(line).unwrap_err();
    assert_eq!(err("say.zh"), ["say.zh: missing TEXT (usage: say.zh TEXT)"]);
    assert_eq!(
        err("demo"),
        ["demo: missing FIELD (usage: demo (title | title.zh | teaches | teaches.zh | seed.en) TEXT | demo seed FILE \"QUOTE\")"]
    );
    assert_eq!(
        err("demo teachs x"),
        ["demo: unknown field teachs (did you mean teaches?)"]
    );
    assert!(err("demo title")[0].starts_with("demo title: missing TEXT"));
    assert!(err("demo seed")[0].starts_with("demo seed: missing FILE"));
    assert_eq!(
        err("demo seed notes.txt 高水位"),
        ["demo seed: notes.txt is not a seed file name (like 004_b6897ffb7d1866c9.txt)"]
    );
    assert!(
        err(&format!("demo seed {SEED}"))[0].starts_with("demo seed: missing the quoted seed line")
    );
}

#[test]
fn demo_returns_metadata_and_bilingual_steps() {
    let d = parse_demo("d.scn", &good()).unwrap().expect("a demo");
    assert_eq!(d.file, "d.scn");
    assert_eq!(d.title.en, "acks=all keeps what it acknowledges");
    assert_eq!(d.title.get(Lang::Zh), "acks=all 不会丢失已确认的消息");
    assert_eq!(d.teaches.en, "acks=all waits for the ISR # not a comment");
    assert_eq!(
        d.seeds,
        vec![SeedLine {
            file: SEED.into(),
            quote: "`-1(all`：producer等待broker的ack".into(),
            en: "-1 (all): the producer waits for the ack.".into(),
        }]
    );
    assert_eq!(
        d.steps,
        vec![
            Narration {
                line: 8,
                text: Bilingual {
                    en: "The leader is broker 0.".into(),
                    zh: "领导者是 broker 0。".into()
                }
            },
            Narration {
                line: 11,
                text: Bilingual {
                    en: "Done.".into(),
                    zh: "完成。".into()
                }
            },
        ]
    );
    // The scenario prints back to text that yields the same demo.
    let s = parse("d.scn", &good()).unwrap();
    assert_eq!(parse_demo("d.scn", &s.to_string()).unwrap(), Some(d));
}

#[test]
fn a_scenario_without_demo_header_is_no_demo() {
    let src = "cluster brokers=1\nsay hello\nsay.zh 你好\nsay bye\n";
    assert_eq!(parse_demo("s.scn", src).unwrap(), None);
}

#[test]
fn say_zh_attaches_to_the_say_right_before_it() {
    assert_eq!(
        errors("cluster brokers=1\nsay.zh 你好\n"),
        ["d.scn:2: say.zh must come right after the say it translates"]
    );
    assert_eq!(
        errors("cluster brokers=1\nsay hi\ntick 1\nsay.zh 你好\n"),
        ["d.scn:4: say.zh must come right after the say it translates"]
    );
    assert_eq!(
        errors("cluster brokers=1\nsay hi\nsay.zh 你好\nsay.zh 你好\n"),
        ["d.scn:4: say.zh must come right after the say it translates"]
    );
    assert_eq!(
        errors("cluster brokers=1\nsay hi\nsay.zh hello\n"),
        ["d.scn:3: say.zh: the text has no Chinese characters"]
    );
    // Blank and comment lines between them are fine.
    assert!(parse(
        "d.scn",
        "cluster brokers=1\nsay hi\n\n# note\nsay.zh 你好\n"
    )
    .is_ok());
}

#[test]
fn a_demo_is_complete_and_bilingual() {
    let without = |prefix: &str| -> String {
        good()
            .lines()
            .filter(|l| !l.starts_with(prefix))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    assert_eq!(
        errors(&without("demo title.zh")),
        ["d.scn:1: a demo needs demo title.zh"]
    );
    assert_eq!(
        errors(&without("demo teaches ")),
        ["d.scn:1: a demo needs demo teaches"]
    );
    assert_eq!(
        errors(&without("demo seed.en")),
        ["d.scn:5: demo seed has no demo seed.en after it (its English rendering)"]
    );
    assert_eq!(
        errors(&without("demo seed")),
        ["d.scn:1: a demo needs at least one demo seed FILE \"QUOTE\" (the seed line it explains)"]
    );
    assert_eq!(
        errors(&good().replace("say.zh 完成。\n", "")),
        ["d.scn:11: say has no say.zh right after it: a demo narrates every step in English and Chinese"]
    );
    assert_eq!(
        errors(&good().replace(
            "demo title.zh acks=all 不会丢失已确认的消息",
            "demo title.zh acks=all"
        )),
        ["d.scn:2: demo title.zh: the text has no Chinese characters"]
    );
    assert_eq!(
        errors(&good().replace("`-1(all`：producer等待broker的ack", "acks=all")),
        ["d.scn:5: demo seed: the quote has no Chinese characters (quote the seed line as written)"]
    );
}

#[test]
fn demo_lines_form_the_header() {
    let src = good().replace("tick 10\n", "tick 10\ndemo title again\n");
    assert_eq!(
        errors(&src),
        [
            "d.scn:11: demo lines are the header: write them before cluster (line 7)",
            "d.scn:11: demo title given twice (first on line 1)"
        ]
    );
    assert_eq!(
        errors(&good().replace("demo seed.en", "say x\nsay.zh 某\ndemo seed.en")),
        [
            "d.scn:5: demo seed has no demo seed.en after it (its English rendering)",
            "d.scn:8: demo seed.en must come right after the demo seed it translates",
        ]
    );
}
