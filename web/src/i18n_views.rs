//! 简体中文 for the charts, inspectors and editors (kept apart from
//! `i18n::ZH` so views added in parallel do not edit one table).
//! `Lang::t` looks here after `i18n::ZH`.

pub const ZH: &[(&str, &str)] = &[
    ("Charts", "图表"),
    (
        "One sample per virtual second; the newest {} seconds.",
        "每个虚拟秒采样一次；显示最近 {} 秒。",
    ),
    (
        "No samples yet: start a cluster and let time pass.",
        "还没有采样：先启动集群，再让时间推进。",
    ),
    ("Throughput (records/s)", "吞吐量（条/秒）"),
    ("consumed by poll()", "poll() 取走的消息"),
    ("Consumer lag (records)", "消费者延迟（条）"),
    ("HW and LEO of the leader", "领导者的 HW 与 LEO"),
    ("Partition", "分区"),
    ("Nothing to draw yet.", "暂时没有可画的数据。"),
    ("now", "当前"),
    ("max", "最大"),
    ("(not drawn)", "（未绘出）"),
    ("Unit", "单位"),
    ("records/s", "条/秒"),
    ("bytes/s", "字节/秒"),
    ("requests/s", "请求/秒"),
    ("records", "条"),
    ("count", "累计次数"),
    ("Segments", "段文件"),
    ("Show its segments", "查看它的段文件"),
    ("Close", "关闭"),
    (
        "broker down: read from its disk",
        "broker 已停止：从它的磁盘读取",
    ),
    ("Segment file", "段文件名"),
    ("Base offset", "起始 offset"),
    ("Next offset", "下一个 offset"),
    ("Batches", "批次数"),
    ("Bytes", "字节"),
    ("active", "活跃段"),
    ("Batches of {}", "{} 中的批次"),
    ("Position", "位置"),
    ("Flags", "标志"),
    ("valid", "有效"),
    ("INVALID", "无效"),
    ("… and {} more batches.", "……还有 {} 个批次。"),
    ("… and {} more index entries.", "……还有 {} 个索引项。"),
    ("no entries", "没有索引项"),
    ("Links", "链路"),
    ("Messages between nodes by Kafka API: on the wire, held by a hold rule, dropped so far (a cut, a drop rule, a receiver down).",
     "节点之间按 Kafka API 统计的消息：在网络上的、被 hold 规则扣住的、至今被丢弃的（网络分区、drop 规则、接收方宕机）。"),
    ("No messages between nodes right now.", "此刻节点之间没有消息。"),
    ("From", "从"),
    ("To", "到"),
    ("On the wire", "在网络上"),
    ("Dropped", "已丢弃"),
    ("cut", "已断开"),
    ("Faults on this link", "这条链路上的故障"),
    ("Kafka API", "Kafka API"),
    ("every API", "所有 API"),
    ("Hold", "扣住"),
    ("Release", "放行"),
    (
        "Queue this link's messages (of the API chosen) and deliver none until released.",
        "把这条链路上（所选 API 的）消息排队扣住，放行之前一条也不投递。",
    ),
    ("Messages", "消息数"),
    ("Drop the next N", "丢弃接下来的 N 条"),
    ("Delay (ms)", "延迟（毫秒）"),
    ("Slow this link", "让这条链路变慢"),
    (
        "To slow a follower, delay the leader's link to it (or both directions). A delay applies to every API. The console line heal undoes every rule.",
        "要让一个 follower 变慢，就延迟 leader 到它的链路（或两个方向都延迟）。延迟作用于所有 API。控制台命令 heal 撤销所有规则。",
    ),
    ("Fault on any link", "任意链路上的故障"),
    (
        "Any direction between two nodes, quiet or not: brokers, ZooKeeper, producers and consumers. A link to a client or ZooKeeper gets a row in the table only while it carries messages.",
        "任意两个节点之间的任一方向，无论有没有消息：broker、ZooKeeper、生产者和消费者。到客户端或 ZooKeeper 的链路只有在有消息时才会在表格中占一行。",
    ),
    ("Choose two different nodes.", "请选择两个不同的节点。"),
    ("Cut both ways", "双向断开"),
    (
        "Cut both directions between the two nodes (a network partition); other links keep working.",
        "断开这两个节点之间的两个方向（网络分区）；其他链路照常工作。",
    ),
    (
        "Undo every partition, hold, drop and delay rule.",
        "撤销所有 partition、hold、drop 和 delay 规则。",
    ),
    ("producer {}", "生产者 {}"),
    ("consumer {}", "消费者 {}"),
    (
        "Events {}–{} happen at once (one delivery, timer or console line, as Kafka handles one request at once): a replay stops only after all of them.",
        "第 {}–{} 个事件是同时发生的（一次投递、一个定时器或一行控制台命令，就像 Kafka 一次处理完一个请求）：重放只能停在它们全部完成之后。",
    ),
    (
        "You asked for event {}; the nearest point a replay can stop at is event {}.",
        "你选择的是第 {} 个事件；重放能停下的最近位置是第 {} 个事件。",
    ),
    ("Timeline", "时间线"),
    (
        "Every direction between two brokers is listed, quiet or not.",
        "两个 broker 之间的每个方向都会列出，无论有没有消息。",
    ),
    ("event {} of {}", "第 {} 个事件，共 {} 个"),
    (
        "Drag or use the arrow keys to see the cluster after an earlier event (replayed from the seed); the right end is live.",
        "拖动或用方向键查看集群在较早某个事件之后的样子（从种子重放）；最右端是实时状态。",
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_translation_is_unique_non_empty_and_not_shadowed() {
        crate::i18n::check_table(super::ZH);
    }
}
