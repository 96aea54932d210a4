//! The timeline's pure part: where a scrubber move asks a replay to stop,
//! and where the replay landed, in words. A replay from the seed stops
//! only between steps of the run (a delivery, a timer, a console line's own
//! events), because the events of one step happen at once, as Kafka
//! handles one request at once.

use kafkascope_view::engine::Landing;

use crate::i18n::Lang;

/// The event a scrubber move at `n` asks the replay for. A replay stops
/// only between steps (a step's events happen at once), so moving back to
/// an event inside the step shown would land on that same step again (an
/// arrow key could never get past it): it asks for the end of the step
/// before instead.
pub fn scrub_target(n: u64, shown: u64, landing: Option<Landing>) -> u64 {
    match landing {
        Some(l) if l.last == shown && n < shown && n >= l.first => l.first.saturating_sub(1),
        _ => n,
    }
}

/// Where the replay landed, in words, when it is not exactly the event
/// asked for, or that event is one of several that happen at once.
pub fn landing_text(lang: Lang, l: &Landing) -> String {
    let mut parts = Vec::new();
    if l.first < l.last {
        parts.push(lang.f(
            "Events {}–{} happen at once (one delivery, timer or console line, as Kafka handles one request at once): a replay stops only after all of them.",
            &[&l.first, &l.last],
        ));
    }
    if l.asked != l.last {
        parts.push(lang.f(
            "You asked for event {}; the nearest point a replay can stop at is event {}.",
            &[&l.asked, &l.last],
        ));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: Landing = Landing {
        asked: 12,
        first: 10,
        last: 14,
    };

    #[test]
    fn moving_back_inside_the_step_shown_asks_for_the_step_before() {
        // Left arrow from 14: 13 is inside events 10-14, so ask for 9.
        assert_eq!(scrub_target(13, 14, Some(STEP)), 9);
        assert_eq!(scrub_target(10, 14, Some(STEP)), 9);
        // Further back, or forward, or live: as asked.
        assert_eq!(scrub_target(8, 14, Some(STEP)), 8);
        assert_eq!(scrub_target(15, 14, Some(STEP)), 15);
        assert_eq!(scrub_target(13, 20, None), 13);
        // A landing of another view (not the one shown) is not used.
        assert_eq!(scrub_target(13, 16, Some(STEP)), 13);
        // The run's first step: nothing before it but the start.
        let start = Landing {
            asked: 0,
            first: 1,
            last: 6,
        };
        assert_eq!(scrub_target(5, 6, Some(start)), 0);
    }

    #[test]
    fn the_landing_is_said_in_words() {
        assert_eq!(
            landing_text(Lang::En, &STEP),
            "Events 10–14 happen at once (one delivery, timer or console line, as Kafka handles one request at once): a replay stops only after all of them. You asked for event 12; the nearest point a replay can stop at is event 14."
        );
        let whole = Landing { asked: 14, ..STEP };
        assert!(landing_text(Lang::En, &whole).starts_with("Events 10–14 happen at once"));
        assert!(!landing_text(Lang::En, &whole).contains("You asked"));
        let zh = landing_text(Lang::Zh, &STEP);
        assert!(
            zh.contains("10–14") && zh.contains("12") && !zh.contains("happen"),
            "{zh}"
        );
    }
}
