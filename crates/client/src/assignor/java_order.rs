//! Where Kafka's result depends on the iteration order of a Java
//! `HashMap<String, _>` (the sticky assignor deciding which members keep
//! `maxQuota` partitions), we reproduce that order so our assignments are
//! the ones Kafka's tests expect. A `HashMap` built by `put`s from the
//! default capacity iterates bucket by bucket, bucket =
//! `(h ^ (h >>> 16)) & (capacity - 1)` with `h = String.hashCode()`;
//! within a bucket, in insertion order (here: member id order).

/// `String.hashCode()`: over UTF-16 code units, wrapping.
pub fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The capacity of a default `HashMap` after `n` puts (16, doubled each
/// time the size exceeds 3/4 of it).
fn capacity_for(n: usize) -> usize {
    let mut capacity = 16;
    while n > capacity * 3 / 4 {
        capacity *= 2;
    }
    capacity
}

/// `keys` (given in insertion order) in the order a Java `HashMap` holding
/// them iterates.
pub fn java_hash_map_order<'a>(keys: impl IntoIterator<Item = &'a String>) -> Vec<&'a String> {
    let keys: Vec<&String> = keys.into_iter().collect();
    let mask = capacity_for(keys.len()) - 1;
    let mut ordered: Vec<(usize, usize, &String)> = keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let h = java_string_hash(k) as u32;
            (((h ^ (h >> 16)) as usize) & mask, i, k)
        })
        .collect();
    ordered.sort_unstable_by_key(|(bucket, i, _)| (*bucket, *i));
    ordered.into_iter().map(|(_, _, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_is_javas() {
        assert_eq!(java_string_hash(""), 0);
        assert_eq!(java_string_hash("a"), 97);
        // "consumer1".hashCode() in Java.
        assert_eq!(java_string_hash("consumer1"), 3873962747u32 as i32);
    }

    #[test]
    fn order_follows_buckets() {
        let keys: Vec<String> = ["consumer1", "consumer2", "consumer3"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let order: Vec<&str> = java_hash_map_order(&keys)
            .into_iter()
            .map(String::as_str)
            .collect();
        // Buckets 12, 11, 10 of 16.
        assert_eq!(order, ["consumer3", "consumer2", "consumer1"]);
    }
}
