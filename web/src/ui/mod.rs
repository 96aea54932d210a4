//! The page's panels. Each is a function component that takes the latest
//! [`Snap`] and, if it acts, the [`Send`] callback to the engine.

use std::rc::Rc;

use kafkascope_view::engine::{Request, Update};
use yew::Callback;

pub use checks::Checks;

pub mod charts;
pub mod checks;
pub mod clients;
pub mod cluster;
pub mod config_table;
pub mod console;
pub mod consumers;
pub mod events;
pub mod focus;
pub mod inspector;
pub mod links;
pub mod metrics;
pub mod partitions;
pub mod producer_editor;
pub mod reached;
pub mod runtime;
pub mod scenario;
pub mod segments;
pub mod time;

/// Sends a request to the engine worker.
pub type Send = Callback<Request>;

/// The engine's latest update; compared by identity (a new reply is a new
/// snapshot), so panels re-render only when something came in.
#[derive(Clone, Debug)]
pub struct Snap(pub Rc<Update>);

impl PartialEq for Snap {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A list of broker ids as Kafka prints an ISR: `[1,2]`.
pub fn ids(v: &[i32]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(",")
    )
}
