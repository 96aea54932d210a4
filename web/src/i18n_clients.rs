//! 简体中文 for the producer and consumer panels (kept apart from
//! `i18n::ZH` so panels added in parallel do not edit one table).
//! `Lang::t` looks here after `i18n_views::ZH`.

pub const ZH: &[(&str, &str)] = &[
    (
        "partition= given by the application",
        "应用程序指定了 partition=",
    ),
    ("key ignored by the partitioner", "分区器忽略了 key"),
    ("no key", "没有 key"),
    (
        "a new sticky partition, picked at random among those with a leader",
        "新的粘性分区，在有 leader 的分区中随机挑选",
    ),
    (
        "the topic's current sticky partition (until its batch is sent)",
        "该主题当前的粘性分区（直到它的批次发出）",
    ),
    (
        "RoundRobinPartitioner: counter {} mod {} partitions with a leader",
        "RoundRobinPartitioner：计数器 {} 对 {} 个有 leader 的分区取模",
    ),
    ("New producer", "新建生产者"),
    ("New consumer", "新建消费者"),
    ("Name", "名称"),
    ("Config", "配置"),
    ("Kafka's default", "Kafka 默认值"),
    ("What it does", "作用"),
    ("(default: {})", "（默认：{}）"),
    ("Create the producer", "创建生产者"),
    ("Create the consumer", "创建消费者"),
    ("Line it writes", "将写入的命令"),
    ("Fix the errors first.", "请先修正错误。"),
    (
        "Leave a field empty to keep Kafka's default.",
        "字段留空即使用 Kafka 的默认值。",
    ),
    ("Topics to subscribe to", "要订阅的主题"),
    ("Partition (optional)", "分区（可选）"),
    ("Record", "记录"),
    ("Key", "键"),
    ("Chosen partition", "选中的分区"),
    ("Why", "原因"),
    ("Fate", "结果"),
    ("in flight", "发送中"),
    ("Effective configs", "生效的配置"),
    ("set", "已设置"),
    ("default", "默认"),
    ("Kill (crash)", "杀掉（crash）"),
    ("Consumers", "消费者"),
    ("Poll", "Poll"),
    ("Process", "处理（process）"),
    ("Commit", "提交（commit）"),
    ("Seek", "Seek"),
    ("to", "到"),
    ("offset, beginning or end", "偏移量、beginning 或 end"),
    ("running", "运行中"),
    ("killed", "已杀掉"),
    ("closed", "已关闭"),
    ("Last rebalance", "上次再均衡"),
    ("− revoked, + added, × lost", "− 撤销，+ 新增，× 丢失"),
    ("delivered", "已交付"),
    ("processed", "已处理"),
    ("committed", "已提交"),
    ("Actions of {}", "{} 的操作"),
    ("Configs of {}", "{} 的配置"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_translation_is_unique_non_empty_and_not_shadowed() {
        crate::i18n::check_table(super::ZH);
    }
}
