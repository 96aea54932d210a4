//! Fault rules on one directed link: hold and drop, optionally limited to one
//! API. Partitions and delays live in the network (they are per link, not
//! per message kind).
//!
//! A hold applies when a message is *sent* (the sender's connection is
//! stuck; messages already on the wire still arrive), a drop when it
//! *arrives*. Holding at send time is what keeps FIFO across a release:
//! everything still in flight on the link was sent before the held
//! messages, so scheduling the released ones behind it is the send order.

use serde::Serialize;

/// Which messages a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ApiFilter {
    /// Every message on the link.
    Any,
    /// Only messages whose [`Message::api`](crate::Message::api) is this name.
    Api(String),
}

impl ApiFilter {
    pub fn from_option(api: Option<&str>) -> Self {
        match api {
            Some(name) => ApiFilter::Api(name.to_string()),
            None => ApiFilter::Any,
        }
    }

    pub fn matches(&self, api: &str) -> bool {
        match self {
            ApiFilter::Any => true,
            ApiFilter::Api(name) => name == api,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DropRule {
    pub filter: ApiFilter,
    /// `None`: drop every matching message until healed.
    pub remaining: Option<u64>,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct LinkRules {
    holds: Vec<ApiFilter>,
    drops: Vec<DropRule>,
}

impl LinkRules {
    pub fn is_empty(&self) -> bool {
        self.holds.is_empty() && self.drops.is_empty()
    }

    pub fn has_drops(&self) -> bool {
        !self.drops.is_empty()
    }

    /// Is a message of `api` being sent now to be held?
    #[inline]
    pub fn holds(&self, api: &str) -> bool {
        !self.holds.is_empty() && self.holds.iter().any(|f| f.matches(api))
    }

    /// Is a message of `api` arriving now to be dropped? The first matching
    /// counted rule is charged, and removed once spent.
    pub fn drops(&mut self, api: &str) -> bool {
        let Some(i) = self.drops.iter().position(|r| r.filter.matches(api)) else {
            return false;
        };
        if let Some(n) = &mut self.drops[i].remaining {
            *n -= 1;
            if *n == 0 {
                self.drops.remove(i);
            }
        }
        true
    }

    pub fn add_hold(&mut self, filter: ApiFilter) {
        if !self.holds.contains(&filter) {
            self.holds.push(filter);
        }
    }

    /// Remove hold rules: all of them for `Any`, else the ones for that API.
    pub fn remove_holds(&mut self, filter: &ApiFilter) {
        match filter {
            ApiFilter::Any => self.holds.clear(),
            ApiFilter::Api(_) => self.holds.retain(|f| f != filter),
        }
    }

    /// `count == Some(0)` adds nothing.
    pub fn add_drop(&mut self, filter: ApiFilter, count: Option<u64>) {
        if count != Some(0) {
            self.drops.push(DropRule {
                filter,
                remaining: count,
            });
        }
    }

    pub fn clear(&mut self) {
        self.holds.clear();
        self.drops.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(s: &str) -> ApiFilter {
        ApiFilter::Api(s.into())
    }

    #[test]
    fn counted_drop_is_spent_then_removed() {
        let mut r = LinkRules::default();
        r.add_drop(api("Fetch"), Some(2));
        assert!(!r.drops("Produce"));
        assert!(r.drops("Fetch"));
        assert!(r.drops("Fetch"));
        assert!(!r.drops("Fetch"));
        assert!(r.is_empty());
    }

    #[test]
    fn unlimited_drop_and_hold_filters() {
        let mut r = LinkRules::default();
        r.add_drop(ApiFilter::Any, None);
        for _ in 0..100 {
            assert!(r.drops("X"));
        }
        r.clear();
        assert!(r.is_empty());
        r.add_hold(api("Fetch"));
        assert!(r.holds("Fetch"));
        assert!(!r.holds("Produce"));
        r.add_hold(ApiFilter::Any);
        assert!(r.holds("Produce"));
        r.remove_holds(&api("Fetch"));
        assert!(r.holds("Fetch"), "link-wide hold still on");
        r.remove_holds(&ApiFilter::Any);
        assert!(!r.holds("Fetch"));
    }

    #[test]
    fn zero_count_is_no_rule_and_first_matching_rule_is_charged() {
        let mut r = LinkRules::default();
        r.add_drop(api("A"), Some(0));
        assert!(r.is_empty());
        r.add_drop(api("A"), Some(1));
        r.add_drop(ApiFilter::Any, Some(1));
        assert!(r.drops("A")); // charges the "A" rule
        assert!(r.drops("A")); // then the catch-all
        assert!(!r.drops("A"));
    }
}
