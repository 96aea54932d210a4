//! 简体中文 for the record inspector (kept apart from `i18n::ZH` so views
//! added in parallel do not edit one table). `Lang::t` looks here too.

pub const ZH: &[(&str, &str)] = &[
    ("Record inspector", "消息检查器"),
    ("Replicas now", "现在的各副本"),
    ("What happened to it", "它经历了什么"),
    ("The trace says nothing about it yet.", "trace 里还没有关于它的记录。"),
    ("Committed: the leader holds it below its high watermark.", "已提交：领导者持有它，且它在高水位之下。"),
    ("Not committed yet: the leader holds it, but the HW has not passed it.", "尚未提交：领导者持有它，但 HW 还没有越过它。"),
    ("Unavailable: the partition has no leader; a replica still holds it.", "不可用：分区没有领导者；仍有副本持有它。"),
    ("Deleted by retention.", "已被保留策略删除。"),
    ("Never appended to any log.", "从未写入任何日志。"),
    ("Lost: ", "已丢失："),
    ("no replica holds it, and the trace does not say why.", "没有副本持有它，trace 也没有说明原因。"),
    ("Gone, but never acknowledged to the producer (not a loss): ", "已消失，但从未向生产者确认（不算丢失）："),
    (
        "broker {} became leader (leader epoch {}) in an unclean election, from outside the ISR, without it; only {} had it.",
        "broker {} 通过非干净选举（来自 ISR 之外）成为领导者（leader epoch {}），它没有这条消息；只有 {} 有。",
    ),
    (
        "broker {} became leader (leader epoch {}) without it: it had never been copied beyond {}.",
        "broker {} 成为领导者（leader epoch {}）时没有这条消息：它从未被复制到 {} 之外。",
    ),
    ("(the controller's write is in ZooKeeper; its answer is not in the trace yet)", "（控制器已写入 ZooKeeper，但它的应答还没有出现在 trace 中）"),
    ("every copy ({}) was unflushed when its broker lost power.", "所有副本（{}）在 broker 断电时都还没有刷盘。"),
    ("the last copy was truncated on broker {}.", "最后一份副本在 broker {} 上被截断。"),
    ("offset {}", "offset {}"),
    ("appended in leader epoch {}", "写入于 leader epoch {}"),
    ("send {}", "发送 {}"),
    ("value {}", "值 {}"),
    ("holds this record", "持有这条消息"),
    ("holds another record there: {} ({})", "该位置是另一条消息：{}（{}）"),
    ("has nothing at this offset", "这个 offset 上没有消息"),
    ("sent", "发出"),
    ("carried by ", "承载它的消息："),
    ("producer {} sent it in a Produce request: ", "生产者 {} 在一个 Produce 请求中发送了它："),
    ("the Produce request was dropped ({}): ", "Produce 请求被丢弃（{}）："),
    ("appended to the leader's log on broker {} in leader epoch {}", "写入 broker {} 上领导者的日志（leader epoch {}）"),
    ("broker {} copied it from leader {}", "broker {} 从领导者 {} 复制了它"),
    ("the HW of leader {} passed it (HW {}): committed", "领导者 {} 的 HW 越过了它（HW {}）：已提交"),
    ("producer {} counted it as sent without an answer (acks=0)", "生产者 {} 没等应答就把它算作已发送（acks=0）"),
    ("producer {} got its ack: offset {}", "生产者 {} 收到确认：offset {}"),
    ("producer {} will send it again after {}", "生产者 {} 因 {} 将重新发送它"),
    ("producer {}'s send failed: {}", "生产者 {} 发送失败：{}"),
    ("consumer {} fetched it from broker {}", "消费者 {} 从 broker {} 拉取了它"),
    ("poll() of consumer {} returned it to the application", "消费者 {} 的 poll() 把它交给了应用"),
    ("group {} committed offset {} past it (by consumer {})", "消费组 {} 提交了越过它的 offset {}（由消费者 {}）"),
    ("new leader: {} (leader epoch {}, {})", "新领导者：{}（leader epoch {}，{}）"),
    ("it holds this record", "它持有这条消息"),
    ("it does not hold this record", "它没有这条消息"),
    ("broker {} truncated its log to offset {} ({} rule): this record is gone from it", "broker {} 把日志截断到 offset {}（{} 规则）：这条消息从它上面消失了"),
    ("broker {}, which holds it, went down", "持有它的 broker {} 停止了"),
    ("broker {} recovered its log to LEO {} without it: it was not flushed when the power went", "broker {} 恢复日志到 LEO {}，其中没有它：断电时它还没有刷盘"),
    ("retention on broker {} moved the log start to {}", "broker {} 上的保留策略把日志起点移到了 {}"),
    ("Inspect offset {} on broker {}: {}", "检查 offset {}（broker {}）的消息：{}"),
    ("Inspect this record", "检查这条消息"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_translation_is_unique_non_empty_and_keeps_its_placeholders() {
        crate::i18n::check_table(super::ZH);
    }
}
