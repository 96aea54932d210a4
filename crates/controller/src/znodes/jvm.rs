//! The iteration order of the JVM maps Kafka hands to Jackson.
//!
//! Kafka writes znode JSON with `Json.encodeAsBytes(map.asJava)`; Jackson
//! emits a map's entries in the map's own iteration order, which for Scala
//! and Java hash maps follows the keys' `String.hashCode`. To be
//! byte-identical we compute that order the way each map does (Scala 2.13,
//! which Kafka 3.x ships by default, and JDK 9+ `Properties`).

/// Java's `String.hashCode` (over UTF-16 code units, wrapping).
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, u| h.wrapping_mul(31).wrapping_add(u as i32))
}

/// Order of `scala.collection.mutable.HashMap` (2.13) holding `keys`,
/// inserted in the given order into a map built from `initial_size`
/// elements (`mutable.Map(a -> 1, b -> 2)` has 2; `mutable.Map()` has 0).
///
/// 2.13's table: index `h ^ (h >>> 16)` masked by the power-of-two length,
/// buckets kept sorted by that (signed) hash, iterated from index 0.
pub fn scala_mutable_hash_map_order<'a>(keys: &[&'a str], initial_size: usize) -> Vec<&'a str> {
    const LOAD_FACTOR: f64 = 0.75;
    fn table_size_for(capacity: usize) -> usize {
        // Integer.highestOneBit((capacity - 1) max 4) * 2, capped at 2^30.
        let c = capacity.saturating_sub(1).max(4);
        (1usize << (usize::BITS - c.leading_zeros())).min(1 << 30)
    }
    let mut len = if initial_size > 0 {
        table_size_for(((initial_size + 1) as f64 / LOAD_FACTOR) as usize)
    } else {
        16
    };
    let mut distinct: Vec<&str> = Vec::new();
    for k in keys {
        if distinct.contains(k) {
            continue;
        }
        // put0 grows before inserting when the new size reaches the threshold.
        if distinct.len() + 1 >= (len as f64 * LOAD_FACTOR) as usize {
            len *= 2;
        }
        distinct.push(k);
    }
    let improved = |k: &str| {
        let h = java_string_hash(k);
        h ^ ((h as u32) >> 16) as i32
    };
    let mut order = distinct;
    // Stable: equal hashes keep insertion order, as the bucket list does.
    order.sort_by_key(|k| {
        let h = improved(k);
        ((h as u32 as usize) & (len - 1), h)
    });
    order
}

/// Scala's `Hashing.improve`, applied by the 2.13 immutable `HashMap`.
fn scala_improve(hcode: i32) -> u32 {
    let mut h = hcode.wrapping_add(!(hcode.wrapping_shl(9)));
    h ^= ((h as u32) >> 14) as i32;
    h = h.wrapping_add(h.wrapping_shl(4));
    (h ^ ((h as u32) >> 10) as i32) as u32
}

/// Order of an immutable Scala `Map` built from `keys` in this order
/// (`Map(a -> 1, ...)`, `seq.toMap`): `Map1`..`Map4` keep insertion order;
/// from 5 entries on it is a CHAMP `HashMap`, iterated node by node:
/// a node's own entries by their 5-bit hash slice, then its sub-nodes.
pub fn scala_immutable_map_order<'a>(keys: &[&'a str]) -> Vec<&'a str> {
    let mut distinct: Vec<&str> = Vec::new();
    for k in keys {
        if !distinct.contains(k) {
            distinct.push(k);
        }
    }
    if distinct.len() <= 4 {
        return distinct;
    }
    let entries: Vec<(u32, &str)> = distinct
        .iter()
        .map(|k| (scala_improve(java_string_hash(k)), *k))
        .collect();
    let mut out = Vec::with_capacity(entries.len());
    champ_walk(&entries, 0, &mut out);
    out
}

fn champ_walk<'a>(entries: &[(u32, &'a str)], shift: u32, out: &mut Vec<&'a str>) {
    if shift >= 32 {
        // Full hash collision: a collision node, insertion order.
        out.extend(entries.iter().map(|(_, k)| *k));
        return;
    }
    let mask = |h: u32| (h >> shift) & 31;
    let mut slots: Vec<u32> = entries.iter().map(|(h, _)| mask(*h)).collect();
    slots.sort_unstable();
    slots.dedup();
    let mut nodes = Vec::new();
    for slot in slots {
        let here: Vec<(u32, &str)> = entries
            .iter()
            .filter(|(h, _)| mask(*h) == slot)
            .copied()
            .collect();
        if here.len() == 1 {
            out.push(here[0].1);
        } else {
            nodes.push(here);
        }
    }
    for node in nodes {
        champ_walk(&node, shift + 5, out);
    }
}

/// Order of a `java.util.Properties` (JDK 9+, backed by a
/// `ConcurrentHashMap` of initial table 16) with `keys` put in this order:
/// bins by `(h ^ (h >>> 16)) & 0x7fffffff`, each bin in insertion order.
/// (After a resize, at 12+ keys, ConcurrentHashMap may reverse part of a
/// bin holding colliding keys; that corner is not modelled.)
pub fn java_properties_order<'a>(keys: &[&'a str]) -> Vec<&'a str> {
    let mut distinct: Vec<&str> = Vec::new();
    let mut len = 16usize;
    for k in keys {
        if distinct.contains(k) {
            continue;
        }
        distinct.push(k);
        // addCount: resize once the count reaches 0.75 × table length.
        if distinct.len() >= len - (len >> 2) {
            len *= 2;
        }
    }
    let spread = |k: &str| {
        let h = java_string_hash(k);
        ((h ^ ((h as u32) >> 16) as i32) & 0x7fff_ffff) as usize
    };
    let mut order = distinct;
    order.sort_by_key(|k| spread(k) & (len - 1));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_codes() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        assert_eq!(java_string_hash("0"), 48);
        assert_eq!(java_string_hash("10"), 1567);
        // Known value: "hello".hashCode() == 99162322.
        assert_eq!(java_string_hash("hello"), 99162322);
        // The classic collision, and wrapping into negative.
        assert_eq!(java_string_hash("Aa"), 2112);
        assert_eq!(java_string_hash("BB"), 2112);
        assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    }

    #[test]
    fn small_immutable_maps_keep_insertion_order() {
        assert_eq!(
            scala_immutable_map_order(&["version", "brokerid", "timestamp"]),
            vec!["version", "brokerid", "timestamp"]
        );
        assert_eq!(scala_immutable_map_order(&["b", "a", "b"]), vec!["b", "a"]);
    }

    #[test]
    fn champ_order_of_partition_state_keys() {
        assert_eq!(
            scala_immutable_map_order(&[
                "version",
                "leader",
                "leader_epoch",
                "controller_epoch",
                "isr"
            ]),
            vec![
                "controller_epoch",
                "leader",
                "version",
                "leader_epoch",
                "isr"
            ]
        );
    }

    #[test]
    fn mutable_map_orders() {
        assert_eq!(
            scala_mutable_hash_map_order(
                &[
                    "version",
                    "partitions",
                    "adding_replicas",
                    "removing_replicas",
                    "topic_id"
                ],
                4
            ),
            vec![
                "partitions",
                "topic_id",
                "adding_replicas",
                "removing_replicas",
                "version"
            ]
        );
        // Partition ids "0".."9" hash to 48..57 and land in order; "10"
        // (1567) lands in the last bucket of 16.
        let ids: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            scala_mutable_hash_map_order(&refs, 0),
            vec!["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
        );
        // With 12 entries the table grows to 32: "11" (1568) lands in
        // bucket 0, "0".."9" in 16..25, "10" in 31.
        let ids: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            scala_mutable_hash_map_order(&refs, 0),
            vec!["11", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
        );
    }

    #[test]
    fn properties_order_is_by_bin() {
        // "a" = 97 → bin 1, "b" = 98 → bin 2 regardless of insertion order.
        assert_eq!(java_properties_order(&["b", "a"]), vec!["a", "b"]);
    }
}
