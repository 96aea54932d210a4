//! One member of a classic group (Kafka's `MemberMetadata`).

use crate::api::RequestId;
use crate::timers::TimerToken;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub member_id: String,
    pub group_instance_id: Option<String>,
    pub client_id: String,
    pub client_host: String,
    pub rebalance_timeout_ms: i32,
    pub session_timeout_ms: i32,
    pub protocol_type: String,
    /// (name, metadata), in the member's order of preference.
    pub supported_protocols: Vec<(String, Vec<u8>)>,
    /// The member's assignment for the current generation (empty until the
    /// leader's SyncGroup is stored).
    pub assignment: Vec<u8>,
    /// The parked JoinGroup (Kafka's `awaitingJoinCallback`).
    pub awaiting_join: Option<RequestId>,
    /// The parked SyncGroup (Kafka's `awaitingSyncCallback`).
    pub awaiting_sync: Option<RequestId>,
    /// Added in the current rebalance and not yet through a join
    /// completion; such members expire after `NEW_MEMBER_JOIN_TIMEOUT_MS`
    /// even while their JoinGroup is parked.
    pub is_new: bool,
    /// The live session-expiry timer, if any.
    pub heartbeat_timer: Option<TimerToken>,
}

impl Member {
    pub fn is_static(&self) -> bool {
        self.group_instance_id.is_some()
    }

    pub fn is_awaiting_join(&self) -> bool {
        self.awaiting_join.is_some()
    }

    pub fn is_awaiting_sync(&self) -> bool {
        self.awaiting_sync.is_some()
    }

    /// Kafka's `hasSatisfiedHeartbeat` at the moment a heartbeat deadline is
    /// checked. Kafka's `heartbeatSatisfied` flag is only ever true inside
    /// `completeAndScheduleNextExpiration` (set, used to complete the old
    /// deadline, cleared), so outside it this is the whole rule: members
    /// parked in a rebalance are alive, unless they are new.
    pub fn has_satisfied_heartbeat(&self) -> bool {
        !self.is_new && (self.is_awaiting_join() || self.is_awaiting_sync())
    }

    /// The metadata for `protocol`, if this member supports it.
    pub fn metadata(&self, protocol: &str) -> Option<&[u8]> {
        self.supported_protocols
            .iter()
            .find(|(name, _)| name == protocol)
            .map(|(_, m)| m.as_slice())
    }

    /// Same protocols, same order, same metadata bytes.
    pub fn matches(&self, protocols: &[(String, Vec<u8>)]) -> bool {
        self.supported_protocols == protocols
    }

    /// The member's vote in `selectProtocol`: its most preferred protocol
    /// among the candidates.
    pub fn vote<'a>(&'a self, candidates: &[&str]) -> Option<&'a str> {
        self.supported_protocols
            .iter()
            .map(|(name, _)| name.as_str())
            .find(|name| candidates.contains(name))
    }
}

#[cfg(test)]
pub(crate) fn test_member(id: &str, protocols: &[(&str, &[u8])]) -> Member {
    Member {
        member_id: id.to_string(),
        group_instance_id: None,
        client_id: "clientId".into(),
        client_host: "clientHost".into(),
        rebalance_timeout_ms: 60_000,
        session_timeout_ms: 10_000,
        protocol_type: "consumer".into(),
        supported_protocols: protocols
            .iter()
            .map(|(n, m)| (n.to_string(), m.to_vec()))
            .collect(),
        assignment: Vec::new(),
        awaiting_join: None,
        awaiting_sync: None,
        is_new: false,
        heartbeat_timer: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // MemberMetadataTest.testMatchesSupportedProtocols
    #[test]
    fn matches_supported_protocols() {
        let m = test_member("m", &[("range", &[0]), ("roundrobin", &[1])]);
        let p = |v: &[(&str, &[u8])]| -> Vec<(String, Vec<u8>)> {
            v.iter().map(|(n, m)| (n.to_string(), m.to_vec())).collect()
        };
        assert!(m.matches(&p(&[("range", &[0]), ("roundrobin", &[1])])));
        assert!(!m.matches(&p(&[("range", &[0])])));
        assert!(!m.matches(&p(&[("range", &[1]), ("roundrobin", &[1])])));
        assert!(!m.matches(&p(&[("roundrobin", &[1]), ("range", &[0])])));
    }

    // MemberMetadataTest.testVoteForPreferredProtocol / testVoteRaisesOnNoSupportedProtocols
    #[test]
    fn votes_for_preferred_protocol() {
        let m = test_member("m", &[("range", &[]), ("roundrobin", &[])]);
        assert_eq!(m.vote(&["range", "roundrobin"]), Some("range"));
        assert_eq!(m.vote(&["blah", "roundrobin"]), Some("roundrobin"));
        assert_eq!(m.vote(&["blah", "blah2"]), None);
    }

    // MemberMetadataTest.testMetadata / testMetadataRaisesOnUnsupportedProtocol
    #[test]
    fn metadata_by_protocol() {
        let m = test_member("m", &[("range", &[0]), ("roundrobin", &[1])]);
        assert_eq!(m.metadata("range"), Some(&[0u8][..]));
        assert_eq!(m.metadata("roundrobin"), Some(&[1u8][..]));
        assert_eq!(m.metadata("blah"), None);
    }

    #[test]
    fn parked_members_satisfy_heartbeats_unless_new() {
        let mut m = test_member("m", &[("range", &[])]);
        assert!(!m.has_satisfied_heartbeat());
        m.awaiting_join = Some(1);
        assert!(m.has_satisfied_heartbeat());
        m.is_new = true;
        assert!(!m.has_satisfied_heartbeat());
        m.is_new = false;
        m.awaiting_join = None;
        m.awaiting_sync = Some(2);
        assert!(m.has_satisfied_heartbeat());
    }
}
