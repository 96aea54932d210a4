//! The group states of Kafka's classic protocol (`GroupMetadata.scala`) and
//! their valid transitions.

use std::fmt;

/// A classic group's state. The names are Kafka's, as DescribeGroups and
/// ListGroups report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupState {
    /// No members; the group lingers for its committed offsets (and is the
    /// state of "simple" groups that only commit offsets).
    Empty,
    /// A rebalance started: JoinGroup requests are parked until every known
    /// member rejoined or the rebalance timeout passed.
    PreparingRebalance,
    /// The join phase finished; waiting for the leader's SyncGroup with the
    /// assignment.
    CompletingRebalance,
    /// Every member has its assignment for the current generation.
    Stable,
    /// The group's metadata is gone (deleted, expired, or its
    /// `__consumer_offsets` partition moved away). Final.
    Dead,
}

impl GroupState {
    pub const ALL: [GroupState; 5] = [
        GroupState::Empty,
        GroupState::PreparingRebalance,
        GroupState::CompletingRebalance,
        GroupState::Stable,
        GroupState::Dead,
    ];

    /// Kafka's `validPreviousStates`: the states this one may be entered
    /// from. Anything else is a coordinator bug (Kafka throws
    /// `IllegalStateException`).
    pub fn valid_previous_states(self) -> &'static [GroupState] {
        use GroupState::*;
        match self {
            PreparingRebalance => &[Stable, CompletingRebalance, Empty],
            CompletingRebalance => &[PreparingRebalance],
            Stable => &[CompletingRebalance],
            Dead => &[Stable, PreparingRebalance, CompletingRebalance, Empty, Dead],
            Empty => &[PreparingRebalance],
        }
    }

    pub fn can_transition_to(self, target: GroupState) -> bool {
        target.valid_previous_states().contains(&self)
    }

    /// Kafka's `GroupState.toString`.
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }

    /// Case-insensitive, as ListGroups' state filter (KIP-518).
    pub fn parse(name: &str) -> Option<GroupState> {
        GroupState::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::GroupState::*;
    use super::*;

    // GroupMetadataTest: testCanRebalanceWhen* / testCannotRebalanceWhen*.
    #[test]
    fn can_rebalance_from_stable_completing_and_empty_only() {
        assert!(Stable.can_transition_to(PreparingRebalance));
        assert!(CompletingRebalance.can_transition_to(PreparingRebalance));
        assert!(Empty.can_transition_to(PreparingRebalance));
        assert!(!PreparingRebalance.can_transition_to(PreparingRebalance));
        assert!(!Dead.can_transition_to(PreparingRebalance));
    }

    // GroupMetadataTest: the valid and invalid transition tests.
    #[test]
    fn transitions_match_kafka() {
        let valid = [
            (Empty, PreparingRebalance),
            (PreparingRebalance, CompletingRebalance),
            (PreparingRebalance, Empty),
            (PreparingRebalance, Dead),
            (CompletingRebalance, Stable),
            (CompletingRebalance, PreparingRebalance),
            (CompletingRebalance, Dead),
            (Stable, PreparingRebalance),
            (Stable, Dead),
            (Empty, Dead),
            (Dead, Dead),
        ];
        for from in GroupState::ALL {
            for to in GroupState::ALL {
                assert_eq!(
                    from.can_transition_to(to),
                    valid.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip_case_insensitively() {
        for s in GroupState::ALL {
            assert_eq!(GroupState::parse(&s.name().to_lowercase()), Some(s));
        }
        assert_eq!(GroupState::parse("Rebalancing"), None);
    }
}
