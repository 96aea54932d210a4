//! 简体中文 for the partition view's strips (leader-epoch markers, producer
//! tags and their legend), kept apart from `i18n::ZH` so views added in
//! parallel do not edit one table. `Lang::t` looks here after the others.

pub const ZH: &[(&str, &str)] = &[
    ("Legend of the log strips", "日志条的图例"),
    ("Producers:", "生产者："),
    ("producer {}", "生产者 {}"),
    ("no producer", "无生产者"),
    (
        "no producer (a record none of the scenario's producers sent)",
        "无生产者（不是场景中任何生产者发送的消息）",
    ),
    (
        "transaction marker (a control record, no producer)",
        "事务标记（控制消息，没有生产者）",
    ),
    ("Leader epochs:", "Leader epoch："),
    ("epoch {}", "epoch {}"),
    ("leader epoch {}", "leader epoch {}"),
    (
        "leader epoch {}: offsets {} to {} shown",
        "leader epoch {}：图中 offset {} 至 {}",
    ),
    ("offset {}: transaction marker {}", "偏移量 {}：事务标记 {}"),
    // The fork comparison's logs that differ only in their epochs.
    ("epoch {}:", "epoch {}："),
];

#[cfg(test)]
mod tests {
    /// Every text the partition view shows in English has a Chinese entry
    /// in one of the tables (`lang.t("...")` and `lang.f("...")`).
    #[test]
    fn every_partition_view_string_is_translated() {
        let src = include_str!("ui/partitions.rs");
        let mut keys: Vec<&str> = Vec::new();
        for pat in ["lang.t(\"", "lang.f(\""] {
            for (i, _) in src.match_indices(pat) {
                let rest = &src[i + pat.len()..];
                keys.push(&rest[..rest.find('"').expect("closing quote")]);
            }
        }
        assert!(keys.len() > 25, "{keys:?}");
        // Kafka's own terms keep their English (`Leader epoch`), so the
        // key is looked for, not a different text.
        let known = |k: &str| {
            crate::i18n::ZH
                .iter()
                .chain(crate::i18n_views::ZH)
                .chain(crate::i18n_clients::ZH)
                .chain(crate::i18n_inspector::ZH)
                .chain(super::ZH)
                .any(|(en, _)| *en == k)
        };
        for k in keys {
            assert!(known(k), "no Chinese for {k:?}");
        }
    }

    #[test]
    fn every_translation_is_unique_non_empty_and_not_shadowed() {
        crate::i18n::check_table(super::ZH);
    }
}
