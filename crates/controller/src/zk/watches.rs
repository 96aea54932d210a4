//! One-shot watches (ZooKeeper's `WatchManager` pair): data watches set by
//! getData/exists, child watches set by getChildren, each keyed by path
//! and removed when it fires.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::messages::{SessionId, WatchedEvent};
use super::tree::{Trigger, WatchKind};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watches {
    data: BTreeMap<String, BTreeSet<SessionId>>,
    child: BTreeMap<String, BTreeSet<SessionId>>,
}

impl Watches {
    pub fn add_data(&mut self, path: &str, session: SessionId) {
        self.data
            .entry(path.to_string())
            .or_default()
            .insert(session);
    }

    pub fn add_child(&mut self, path: &str, session: SessionId) {
        self.child
            .entry(path.to_string())
            .or_default()
            .insert(session);
    }

    /// Paths `session` has a data watch on, sorted.
    pub fn data_of(&self, session: SessionId) -> Vec<&str> {
        watched_by(&self.data, session)
    }

    /// Paths `session` has a child watch on, sorted.
    pub fn child_of(&self, session: SessionId) -> Vec<&str> {
        watched_by(&self.child, session)
    }

    /// Drops every watch of a closed or expired session.
    pub fn remove_session(&mut self, session: SessionId) {
        for map in [&mut self.data, &mut self.child] {
            for watchers in map.values_mut() {
                watchers.remove(&session);
            }
            map.retain(|_, w| !w.is_empty());
        }
    }

    /// Removes and returns the watches `triggers` hit, in trigger order
    /// then session order. A session watching a deleted node both ways
    /// hears one NodeDeleted (as `DataTree.deleteNode` suppresses the
    /// duplicate).
    pub fn fire(&mut self, triggers: &[Trigger]) -> Vec<(SessionId, WatchedEvent)> {
        let mut fired = Vec::new();
        for t in triggers {
            let mut targets: BTreeSet<SessionId> = BTreeSet::new();
            if matches!(t.kind, WatchKind::Data | WatchKind::Both) {
                targets.extend(self.data.remove(&t.path).unwrap_or_default());
            }
            if matches!(t.kind, WatchKind::Child | WatchKind::Both) {
                targets.extend(self.child.remove(&t.path).unwrap_or_default());
            }
            fired.extend(targets.into_iter().map(|s| {
                (
                    s,
                    WatchedEvent {
                        event_type: t.event_type,
                        path: t.path.clone(),
                    },
                )
            }));
        }
        fired
    }
}

fn watched_by(watches: &BTreeMap<String, BTreeSet<SessionId>>, s: SessionId) -> Vec<&str> {
    watches
        .iter()
        .filter(|(_, w)| w.contains(&s))
        .map(|(p, _)| p.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zk::messages::EventType;

    fn trigger(path: &str, event_type: EventType, kind: WatchKind) -> Trigger {
        Trigger {
            path: path.into(),
            event_type,
            kind,
        }
    }

    #[test]
    fn watches_are_one_shot_and_kind_specific() {
        let mut w = Watches::default();
        let (a, b) = (SessionId(1), SessionId(2));
        w.add_data("/p", a);
        w.add_child("/p", b);
        let fired = w.fire(&[trigger("/p", EventType::NodeDataChanged, WatchKind::Data)]);
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].0, a);
        assert!(w
            .fire(&[trigger("/p", EventType::NodeDataChanged, WatchKind::Data)])
            .is_empty());
        assert_eq!(w.child_of(b), vec!["/p"]);
        w.add_data("/p", b);
        let fired = w.fire(&[trigger("/p", EventType::NodeDeleted, WatchKind::Both)]);
        assert_eq!(fired.len(), 1, "one NodeDeleted per session");
        assert!(w.child_of(b).is_empty() && w.data_of(b).is_empty());
    }

    #[test]
    fn removing_a_session_drops_its_watches_only() {
        let mut w = Watches::default();
        w.add_data("/p", SessionId(1));
        w.add_data("/p", SessionId(2));
        w.add_child("/q", SessionId(1));
        w.remove_session(SessionId(1));
        assert!(w.data_of(SessionId(1)).is_empty());
        assert!(w.child_of(SessionId(1)).is_empty());
        assert_eq!(w.data_of(SessionId(2)), vec!["/p"]);
    }
}
