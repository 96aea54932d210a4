//! English and 简体中文. Every visible string goes through [`Lang::t`],
//! keyed by its English text; a missing translation shows the English.
//! Kafka's own names (configs, metrics, `LEO`, `HW`, `ISR`, API names) stay
//! as Kafka spells them in both languages, as the seeds' notes do.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The `lang` attribute of the document.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn t(self, en: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Zh => entries().find(|(k, _)| *k == en).map_or(en, |(_, zh)| zh),
        }
    }

    /// [`Lang::t`] with each `{}` replaced by the next argument.
    pub fn f(self, en: &'static str, args: &[&dyn std::fmt::Display]) -> String {
        let mut out = String::new();
        let mut args = args.iter();
        let mut parts = self.t(en).split("{}");
        if let Some(first) = parts.next() {
            out.push_str(first);
        }
        for p in parts {
            if let Some(a) = args.next() {
                out.push_str(&a.to_string());
            }
            out.push_str(p);
        }
        out
    }
}

/// English -> 简体中文.
pub(crate) const ZH: &[(&str, &str)] = &[
    ("You had a session open ({} lines, seed {}). Resume it as it was, or start fresh?", "你上次打开的会话还在（{} 行，种子 {}）。按原样恢复，还是重新开始？"),
    ("Resume it", "恢复"),
    ("Start fresh", "重新开始"),
    ("Resumed the session you had open.", "已恢复上次打开的会话。"),
    ("Where the brokers run", "broker 在哪里运行"),
    ("Brokers", "Broker"),
    ("all in the engine's worker (memory)", "全部在引擎的 worker 中（内存）"),
    ("one web worker each, logs in IndexedDB", "每个一个 web worker，日志在 IndexedDB 中"),
    ("Each broker runs in its own web worker over its own IndexedDB database; the engine is the network and the clock, one event at a time, so the run is the same as in one worker.", "每个 broker 在自己的 web worker 中运行，使用自己的 IndexedDB 数据库；引擎充当网络和时钟，一次一个事件，所以运行结果与在一个 worker 中完全相同。"),
    ("Every broker runs in the engine's worker, its log in memory.", "所有 broker 都在引擎的 worker 中运行，日志在内存中。"),
    ("one web worker each, live (real time, in parallel)", "每个一个 web worker，实时运行（真实时间，并行）"),
    ("Live: each broker runs in its own web worker and they work at the same time; virtual time follows the real clock and messages take what postMessage takes (no simulated latency unless kafkascope.network.delay.ms is set). Console commands that wait (tick, run until, flush) still run in virtual time. A live run cannot be rewound or replayed the same.", "实时模式：每个 broker 在自己的 web worker 中运行，彼此同时工作；虚拟时间跟随真实时钟，消息耗时就是 postMessage 的耗时（除非设置了 kafkascope.network.delay.ms，否则没有模拟延迟）。需要等待的控制台命令（tick、run until、flush）仍在虚拟时间中运行。实时运行无法回退，也无法原样重放。"),
    ("This page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, as cargo xtask serve sends), so brokers cannot run in web workers here: they stay in the engine's worker.", "此页面没有跨源隔离（需要响应头 Cross-Origin-Opener-Policy: same-origin 和 Cross-Origin-Embedder-Policy: require-corp，cargo xtask serve 会发送它们），所以 broker 不能在这里的 web worker 中运行：它们留在引擎的 worker 中。"),
    ("Records for the throughput run", "吞吐量测试的记录数"),
    ("Measure throughput and latency", "测量吞吐量和延迟"),
    ("Replaces the session by the benchmark cluster (3 brokers, 3 partitions with RF=3, acks=all producers, a consumer), then measures produce->consume latency one record at a time and acknowledged records per second, with the engine worker's performance.now().", "用基准测试集群（3 个 broker，3 个 RF=3 的分区，acks=all 的生产者，一个消费者）替换当前会话，然后用引擎 worker 的 performance.now() 逐条测量生产到消费的延迟，以及每秒确认的记录数。"),
    ("Latency p50 / p99 (ms)", "延迟 p50 / p99（毫秒）"),
    ("Acknowledged records/s", "每秒确认的记录数"),
    ("records acknowledged so far", "条记录已确认"),
    ("Setup", "配置"),
    ("Stopped", "已停止"),
    ("Show the trace", "显示 trace"),
    ("Trace: {} events (JSON lines, as kafkascope run --json prints)", "Trace：{} 个事件（JSON lines，与 kafkascope run --json 的输出相同）"),
    ("A Kafka cluster running in this tab: the brokers, ZooKeeper and the clients run in a web worker; type scenario commands, step through time, break things.",
     "一个运行在本标签页中的 Kafka 集群：broker、ZooKeeper 和客户端运行在 Web Worker 中；输入场景命令、逐步推进时间、制造故障。"),
    ("Language", "语言"),
    ("Time", "时间"),
    ("Step", "单步"),
    ("Step 10", "前进 10 步"),
    ("Tick", "推进"),
    ("Tick (ms)", "推进（毫秒）"),
    ("Play", "播放"),
    ("Pause", "暂停"),
    ("Speed", "速度"),
    ("Virtual time", "虚拟时间"),
    ("Event", "事件"),
    ("{} ms", "{} 毫秒"),
    ("Viewing the past: event {} of {}.", "正在查看过去：第 {} 个事件（共 {} 个）。"),
    ("Back to live", "回到现在"),
    ("Tick and Play go on from the live end.", "“推进”和“播放”会先回到现在，再从那里继续。"),
    ("Reached: {} virtual ms per second", "实际达到：每秒 {} 虚拟毫秒"),
    ("(behind: {} asked)", "（跟不上：设定为 {}）"),
    ("Console", "控制台"),
    ("Scenario command", "场景命令"),
    ("Run", "运行"),
    ("Type a scenario-language line and press Enter; ↑ and ↓ recall earlier lines.",
     "输入一行场景语言命令并按回车；↑ 和 ↓ 可调出历史命令。"),
    ("error", "错误"),
    ("line {}: {}", "第 {} 行：{}"),
    ("{} line {}: {}", "{} 第 {} 行：{}"),
    ("Start a 3-broker cluster", "启动 3 个 broker 的集群"),
    ("No cluster yet. Start one, or type for example:", "还没有集群。启动一个，或者输入例如："),
    ("Scenario", "场景"),
    ("Load a scenario file", "加载场景文件"),
    ("Seed", "种子"),
    ("New session", "新会话"),
    ("Link to this session", "本会话的链接"),
    ("Save the scenario file", "保存场景文件"),
    ("Guided demos", "引导演示"),
    ("Load the demo", "加载演示"),
    // The guide beside the cluster (guide.rs) and fork and compare (compare.rs).
    ("Step through the demo", "逐步演示"),
    ("Guided demo", "引导演示"),
    ("Step {} of {}", "第 {} 步，共 {} 步"),
    ("Checks in this step", "本步的检查"),
    ("This step has no checks.", "本步没有检查。"),
    ("So far: {} PASS, {} FAIL.", "目前：{} 个 PASS，{} 个 FAIL。"),
    ("Previous step", "上一步"),
    ("Next step", "下一步"),
    ("Run to the end", "运行到结尾"),
    ("Back to step 1", "回到第 1 步"),
    ("Next step runs the demo up to its next narration; the other buttons replay it from its seed.",
     "“下一步”把演示运行到下一段讲解；其他按钮会从种子重放演示。"),
    ("The seed lines it explains ({})", "它讲解的笔记原文（{} 条）"),
    ("line {}", "第 {} 行"),
    ("(was {})", "（实际为 {}）"),
    ("Fork and compare", "分叉并对比"),
    ("Change the demo's settings and run it again from the same seed ({}) up to this step; the original and the fork are shown side by side, and both go on with the next steps.",
     "修改演示的配置，从同一个种子（{}）重新运行到当前这一步；原始运行和分叉并排显示，之后的步骤两者都会继续执行。"),
    ("edited", "已修改"),
    ("Fork and re-run", "分叉并重新运行"),
    ("Close the comparison", "关闭对比"),
    ("Original and fork at step {} of {}, both from seed {}: {} differences.",
     "原始运行与分叉，第 {} 步（共 {} 步），都从种子 {} 开始：{} 处不同。"),
    ("The fork changes no setting.", "分叉没有修改任何配置。"),
    ("First difference in the traces", "两次运行轨迹的第一个不同事件"),
    ("event {} at {} ms", "事件 {}，{} 毫秒"),
    ("The two runs took the same path so far.", "到目前为止，两次运行完全相同。"),
    ("Show the original at this event", "查看原始运行在这个事件时的状态"),
    ("Only the fork goes on:", "只有分叉继续运行："),
    ("Only the original goes on:", "只有原始运行继续："),
    ("Checks", "检查"),
    ("No checks ran yet.", "还没有运行任何检查。"),
    ("Line", "行"),
    ("Check", "检查"),
    ("Original", "原始"),
    ("Fork", "分叉"),
    ("Difference", "差异"),
    ("What", "项目"),
    ("differs", "不同"),
    ("same", "相同"),
    ("not reached", "未执行到"),
    ("HW on broker {}", "broker {} 上的 HW"),
    ("LEO on broker {}", "broker {} 上的 LEO"),
    ("Log on broker {}", "broker {} 上的日志"),
    ("(empty)", "（空）"),
    ("from offset {}:", "从偏移量 {} 起："),
    ("(not in this run)", "（此次运行中没有）"),
    ("Producers and groups", "生产者和消费者组"),
    ("Records acknowledged", "已确认的记录"),
    ("Acknowledged, then lost", "已确认但随后丢失"),
    ("Sends that failed", "失败的发送"),
    ("Assignment of {}", "{} 的分配"),
    ("Committed offset of {}", "{} 的已提交偏移量"),
    ("no difference", "没有不同"),
    ("{} differences", "{} 处不同"),
    ("Loaded {} from the link.", "已从链接加载 {}。"),
    ("Loaded {}.", "已加载 {}。"),
    ("the file {} could not be read: {}", "无法读取文件 {}：{}"),
    ("The scenario was not loaded:", "场景未加载："),
    ("Cluster", "集群"),
    ("Broker", "Broker"),
    ("State", "状态"),
    ("Controller", "控制器"),
    ("Registered in ZooKeeper", "已在 ZooKeeper 注册"),
    ("Cut off from", "与之断开"),
    ("Faults", "故障"),
    ("Crash", "崩溃"),
    ("Power off", "断电"),
    ("Shutdown", "受控关闭"),
    ("Restart", "重启"),
    ("Isolate", "隔离"),
    ("Heal the network", "恢复网络"),
    ("Send records", "发送记录"),
    ("Producer", "生产者"),
    ("Topic", "主题"),
    ("Key (optional)", "键（可选）"),
    ("Count", "数量"),
    ("Send", "发送"),
    ("Flush", "刷新（flush）"),
    ("Create producer p (acks=all)", "创建生产者 p（acks=all）"),
    ("{i} in a value is the record's number.", "值中的 {i} 会替换为记录的序号。"),
    ("up", "运行中"),
    ("crashed", "已崩溃"),
    ("powered off", "已断电"),
    ("stopped", "已停止"),
    ("yes", "是"),
    ("no", "否"),
    ("controller", "控制器"),
    ("ZooKeeper is up", "ZooKeeper 运行中"),
    ("ZooKeeper is down", "ZooKeeper 已停止"),
    ("No controller", "没有控制器"),
    ("Controller: broker {}", "控制器：broker {}"),
    ("ZooKeeper znodes", "ZooKeeper 节点（znode）"),
    ("ephemeral", "临时节点"),
    ("(no data)", "（无数据）"),
    ("Messages in flight", "传输中的消息"),
    ("Held", "被扣留"),
    ("none", "无"),
    ("Partitions", "分区"),
    ("No topics yet.", "还没有主题。"),
    ("Leader", "Leader"),
    ("no leader", "无 leader"),
    ("Leader epoch", "Leader epoch"),
    ("Replica", "副本"),
    ("Role", "角色"),
    ("leader", "leader"),
    ("follower", "follower"),
    ("In ISR", "在 ISR 中"),
    ("Log start", "日志起始偏移量"),
    ("broker down", "broker 已停止"),
    ("Log (newest offsets)", "日志（最新的偏移量）"),
    ("Open a partition to see each replica's log, LEO, HW and the ISR's history.", "展开一个分区，查看每个副本的日志、LEO、HW 以及 ISR 的变化历史。"),
    ("Playing: the newest {} events are listed; pause to list the last {}.", "播放中：只列出最新的 {} 个事件；暂停后列出最近的 {} 个。"),
    ("{} older offsets not shown", "未显示 {} 个更早的偏移量"),
    ("offset {}: {}", "偏移量 {}：{}"),
    ("below HW (committed)", "低于 HW（已提交）"),
    ("at or above HW (not yet committed)", "不低于 HW（尚未提交）"),
    ("ISR changes", "ISR 变化"),
    ("no changes yet", "暂无变化"),
    ("lag", "落后"),
    ("caught-up", "已追上"),
    ("new-partition", "新分区"),
    ("leader-election", "选举 leader"),
    ("unclean-election", "脏选举"),
    ("controlled-shutdown", "受控关闭"),
    ("preferred-replica-election", "优先副本选举"),
    ("replica-offline", "副本离线"),
    ("offline", "离线（无 leader）"),
    ("Producers", "生产者"),
    ("sends", "发送数"),
    ("incomplete", "未完成"),
    ("acked at offset {}", "已确认，偏移量 {}"),
    ("lost (was at offset {})", "已丢失（原偏移量 {}）"),
    ("failed: {}", "失败：{}"),
    ("Consumer groups", "消费者组"),
    ("generation {}", "第 {} 代"),
    ("Member", "成员"),
    ("Assignment", "分配"),
    ("Committed", "已提交"),
    ("Lag", "延迟"),
    ("Metrics", "指标"),
    ("Metric", "指标"),
    ("Value", "值"),
    ("Last change", "最近一次变化"),
    ("unchanged since the start", "从开始到现在没有变化"),
    ("Rewind to event {}, where it changed", "回退到第 {} 个事件（它在这里变化）"),
    ("Event log", "事件日志"),
    ("Click an event to see the cluster as it was right after it (replayed from the seed).",
     "点击一个事件，查看该事件刚发生后的集群（从种子重放）。"),
    ("The cluster engine failed: {}", "集群引擎出错：{}"),
    ("The cluster engine is starting…", "集群引擎启动中……"),
    ("Restart the cluster engine", "重启集群引擎"),
    ("Restarted the cluster engine.", "已重启集群引擎。"),
    ("Storage", "存储"),
    ("IndexedDB", "IndexedDB"),
    ("Segment", "段文件"),
    ("Records", "记录数"),
    ("Stored bytes", "已存储字节"),
    ("starting…", "启动中……"),
    ("online", "在线"),
    ("failed", "失败"),
    ("Each storage worker opens its own IndexedDB database and round-trips a record batch: a check that this browser can keep broker logs. The cluster's own broker workers are chosen under Where the brokers run.",
     "每个存储 worker 打开自己的 IndexedDB 数据库并写入、读回一个记录批次：检查这个浏览器能否保存 broker 日志。集群自己的 broker worker 在“broker 在哪里运行”中选择。"),
];

/// Some table has a Chinese entry for `en` (which may equal it, as
/// Kafka's names do).
#[cfg(test)]
pub(crate) fn has_entry(en: &str) -> bool {
    entries().any(|(k, _)| *k == en)
}

/// Every table's entries, in lookup order (the first match wins).
fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    ZH.iter()
        .chain(crate::i18n_views::ZH)
        .chain(crate::i18n_clients::ZH)
        .chain(crate::i18n_inspector::ZH)
        .chain(crate::i18n_partitions::ZH)
}

/// What every table of translations must satisfy: each Chinese text is
/// non-empty, keeps its English key's `{}` placeholders (in order, no
/// numbered ones), each key appears once, and the lookup finds this very
/// entry (no other table shadows it).
#[cfg(test)]
pub(crate) fn check_table(table: &[(&'static str, &'static str)]) {
    for (i, (en, zh)) in table.iter().enumerate() {
        assert!(!zh.trim().is_empty(), "{en}");
        assert!(
            !zh.contains("{0}") && !zh.contains("{1}"),
            "{zh}: only {{}} in order"
        );
        assert_eq!(en.matches("{}").count(), zh.matches("{}").count(), "{en}");
        assert!(
            table[..i].iter().all(|(k, _)| k != en),
            "duplicate key {en}"
        );
        assert_eq!(Lang::Zh.t(en), *zh, "{en} is shadowed by another table");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_looked_up_and_english_is_the_fallback() {
        assert_eq!(Lang::Zh.t("Step"), "单步");
        assert_eq!(Lang::En.t("Step"), "Step");
        assert_eq!(Lang::Zh.t("not a key"), "not a key");
        assert_eq!(
            Lang::Zh.f("Viewing the past: event {} of {}.", &[&3, &10]),
            "正在查看过去：第 3 个事件（共 10 个）。"
        );
        assert_eq!(Lang::En.f("line {}: {}", &[&2, &"bad"]), "line 2: bad");
    }

    #[test]
    fn every_translation_is_unique_non_empty_and_keeps_its_placeholders() {
        check_table(ZH);
    }
}
