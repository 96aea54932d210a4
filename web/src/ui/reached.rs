//! Beside the speed select while playing: the speed reached (virtual ms per
//! real second, measured by [`crate::pace::Pace`]), marked when it is short
//! of the speed asked for. Not a live region: it changes on every update.

use yew::prelude::*;

use crate::i18n::Lang;
use crate::pace::Pace;

#[derive(Properties, PartialEq)]
pub struct ReachedProps {
    pub lang: Lang,
    pub playing: bool,
    /// Virtual ms per real ms asked for.
    pub speed: f64,
    /// The virtual clock shown now.
    pub now_ms: u64,
}

#[function_component(ReachedSpeed)]
pub fn reached_speed(p: &ReachedProps) -> Html {
    let pace = use_mut_ref(Pace::default);
    // A new speed is measured afresh.
    {
        let pace = pace.clone();
        use_effect_with((p.speed * 1000.0) as u64, move |_| {
            pace.borrow_mut().reset()
        });
    }
    let rate = if p.playing {
        let mut pace = pace.borrow_mut();
        pace.note(js_sys::Date::now(), p.now_ms);
        pace.rate()
    } else {
        pace.borrow_mut().reset();
        None
    };
    let Some(rate) = rate else {
        return html! {};
    };
    let behind = Pace::behind(rate, p.speed);
    let lang = p.lang;
    html! {
        <span id="speed-reached" class={classes!("reached", behind.then_some("behind"))}
            data-rate={format!("{rate:.0}")} data-behind={behind.to_string()}>
            { lang.f("Reached: {} virtual ms per second", &[&format!("{rate:.0}")]) }
            if behind {
                { " " }<strong>{ lang.f("(behind: {} asked)", &[&format!("{:.0}", p.speed * 1000.0)]) }</strong>
            }
        </span>
    }
}
