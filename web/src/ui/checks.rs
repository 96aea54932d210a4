//! The forms' lines checked by the engine worker ([`Request::Check`]): the
//! page has no parser, so a form asks the engine and shows its answer
//! once it is for the lines the form shows now.

use std::rc::Rc;

use kafkascope_view::engine::{FormCheck, Request};
use yew::prelude::*;

use super::Send;
use crate::client_forms::checked;

/// The engine's latest checks and how to ask for more.
#[derive(Clone, PartialEq)]
pub struct Checks {
    /// From the last `Reply::Checked` or update (both carry every form's).
    pub answers: Rc<Vec<FormCheck>>,
    /// Bumped when a new engine worker replaces a failed one: it has not
    /// been asked yet.
    pub epoch: u32,
    pub send: Send,
}

/// Asks the engine to check `lines` for `form` whenever they change, and
/// to forget the form when it goes. `Some(errors)` once the engine has
/// answered for exactly these lines; `None` until then.
#[hook]
pub fn use_check(checks: &Checks, form: &'static str, lines: &[String]) -> Option<Vec<String>> {
    {
        let send = checks.send.clone();
        use_effect_with((lines.to_vec(), checks.epoch), move |(lines, _)| {
            send.emit(Request::Check {
                form: form.into(),
                lines: lines.clone(),
            });
        });
    }
    {
        let send = checks.send.clone();
        use_effect_with((), move |_| {
            move || {
                send.emit(Request::Check {
                    form: form.into(),
                    lines: Vec::new(),
                })
            }
        });
    }
    checked(&checks.answers, form, lines).map(<[String]>::to_vec)
}
