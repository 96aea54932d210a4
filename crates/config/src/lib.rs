//! Kafka's config table: names, scopes, types, valid values and defaults as
//! in Apache Kafka 3.x (`KafkaConfig`, `LogConfig`/`TopicConfig`,
//! `ProducerConfig`, `ConsumerConfig`), with a one-line explanation in
//! English and in Simplified Chinese for the bilingual UI.
//!
//! Settings that exist only in the playground are named `kafkascope.*`.
//! A default of `"null"` means Kafka has no value (the client or broker
//! derives one, e.g. `log.retention.ms` falls back to `log.retention.hours`).

use std::fmt;

/// Where a config may be written: `cluster` takes broker configs, `topic
/// create` topic configs, `producer`/`consumer` their client configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Broker,
    Topic,
    Producer,
    Consumer,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Broker => "broker",
            Scope::Topic => "topic",
            Scope::Producer => "producer",
            Scope::Consumer => "consumer",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The type and valid values of a config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Bool,
    /// Kafka's INT, LONG and SHORT, with Kafka's validator bounds (inclusive).
    Int {
        min: i64,
        max: i64,
    },
    /// Kafka's DOUBLE with bounds (inclusive).
    Double {
        min: f64,
        max: f64,
    },
    /// One of a fixed set of strings (exact spelling).
    Choice(&'static [&'static str]),
    /// A comma-separated, non-empty list of strings from a fixed set.
    ChoiceList(&'static [&'static str]),
    /// Any non-empty string (ids, rack names).
    Text,
}

impl Kind {
    /// "expected ..." text used in error messages and the UI.
    pub fn expectation(&self) -> String {
        match self {
            Kind::Bool => "expected true or false".to_string(),
            Kind::Int { min, max } => match (*min, *max) {
                (i64::MIN, i64::MAX) => "expected an integer".to_string(),
                (min, i64::MAX) => format!("expected an integer >= {min}"),
                (min, max) if max == i32::MAX as i64 && min == i32::MIN as i64 => {
                    "expected a 32-bit integer".to_string()
                }
                (min, max) => format!("expected an integer from {min} to {max}"),
            },
            Kind::Double { min, max } => format!("expected a number from {min} to {max}"),
            Kind::Choice(values) => format!("expected one of {}", values.join(", ")),
            Kind::ChoiceList(values) => {
                format!("expected a comma-separated list of {}", values.join(", "))
            }
            Kind::Text => "expected a non-empty string".to_string(),
        }
    }
}

/// A validated config value.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    Bool(bool),
    Int(i64),
    Double(f64),
    /// A [`Kind::Choice`] or [`Kind::Text`] value, spelled as written.
    Str(String),
    /// A [`Kind::ChoiceList`] value, in the order written.
    List(Vec<String>),
}

impl ConfigValue {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ConfigValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            ConfigValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            ConfigValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigValue {
    /// Kafka's spelling of the value, as written after `NAME=` (unquoted).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Bool(b) => write!(f, "{b}"),
            ConfigValue::Int(i) => write!(f, "{i}"),
            ConfigValue::Double(d) => write!(f, "{d}"),
            ConfigValue::Str(s) => f.write_str(s),
            ConfigValue::List(items) => f.write_str(&items.join(",")),
        }
    }
}

/// One row of the config table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfigDef {
    /// Kafka's name, e.g. `min.insync.replicas`.
    pub name: &'static str,
    pub scope: Scope,
    pub kind: Kind,
    /// Kafka's default as Kafka documents it (`"null"`: no value).
    pub default: &'static str,
    /// For a topic config, the broker config that gives its default
    /// (`retention.ms` <- `log.retention.ms`), and the reverse for a broker one.
    pub synonym: Option<&'static str>,
    pub doc_en: &'static str,
    pub doc_zh: &'static str,
}

const I32: i64 = i32::MAX as i64;
const I16: i64 = i16::MAX as i64;
const ANY: i64 = i64::MAX;

const COMPRESSION_BROKER: &[&str] = &["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"];
const COMPRESSION_PRODUCER: &[&str] = &["none", "gzip", "snappy", "lz4", "zstd"];
const CLEANUP_POLICY: &[&str] = &["delete", "compact"];
const TIMESTAMP_TYPE: &[&str] = &["CreateTime", "LogAppendTime"];

/// Assignor names accepted by `partition.assignment.strategy`: the
/// playground's short names, Kafka's class names and their simple names.
pub const ASSIGNORS: &[&str] = &[
    "range",
    "roundrobin",
    "sticky",
    "cooperative-sticky",
    "RangeAssignor",
    "RoundRobinAssignor",
    "StickyAssignor",
    "CooperativeStickyAssignor",
    "org.apache.kafka.clients.consumer.RangeAssignor",
    "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    "org.apache.kafka.clients.consumer.StickyAssignor",
    "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
];

/// The short name (`range`, `roundrobin`, `sticky`, `cooperative-sticky`) of
/// any accepted spelling of an assignor.
pub fn assignor_short_name(name: &str) -> Option<&'static str> {
    let simple = name.rsplit('.').next().unwrap_or(name);
    match simple {
        "range" | "RangeAssignor" => Some("range"),
        "roundrobin" | "RoundRobinAssignor" => Some("roundrobin"),
        "sticky" | "StickyAssignor" => Some("sticky"),
        "cooperative-sticky" | "CooperativeStickyAssignor" => Some("cooperative-sticky"),
        _ => None,
    }
}

const PARTITIONERS: &[&str] = &[
    "org.apache.kafka.clients.producer.RoundRobinPartitioner",
    "org.apache.kafka.clients.producer.UniformStickyPartitioner",
    "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
    "RoundRobinPartitioner",
    "UniformStickyPartitioner",
    "DefaultPartitioner",
];

const fn def(
    name: &'static str,
    scope: Scope,
    kind: Kind,
    default: &'static str,
    doc_en: &'static str,
    doc_zh: &'static str,
) -> ConfigDef {
    ConfigDef {
        name,
        scope,
        kind,
        default,
        synonym: None,
        doc_en,
        doc_zh,
    }
}

/// A topic config and the broker config (`log.*` etc.) that is its default.
const fn topic(
    name: &'static str,
    broker_name: &'static str,
    kind: Kind,
    default: &'static str,
    doc_en: &'static str,
    doc_zh: &'static str,
) -> ConfigDef {
    ConfigDef {
        name,
        scope: Scope::Topic,
        kind,
        default,
        synonym: Some(broker_name),
        doc_en,
        doc_zh,
    }
}

const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max }
}

use Kind::{Bool, Choice, ChoiceList, Text};
use Scope::{Broker, Consumer, Producer};

// One table per scope: a program that only needs the clients' (the page's
// producer and consumer forms) links only theirs.

/// Broker configs; broker synonyms of topic configs are listed here too.
pub static BROKER_CONFIGS: &[ConfigDef] = &[
    def("broker.rack", Broker, Text, "null",
        "Rack of the broker; rack-aware replica assignment spreads replicas across racks (set per broker with racks=).",
        "broker 所在的机架；按机架分配副本时会把副本分散到不同机架（用 racks= 为每个 broker 设置）。"),
    def("min.insync.replicas", Broker, int(1, I32), "1",
        "With acks=all, the fewest in-sync replicas that must have a write before it is acknowledged.",
        "acks=all 时，一条写入被确认前至少要有多少个同步副本（ISR）写入成功。"),
    def("unclean.leader.election.enable", Broker, Bool, "false",
        "Let an out-of-sync replica become leader when no ISR member is alive, at the risk of losing data.",
        "当 ISR 中没有存活副本时，允许不同步的副本当选 leader，代价是可能丢数据。"),
    def("replica.lag.time.max.ms", Broker, int(0, ANY), "30000",
        "A follower that has not caught up to the leader's log end for this long is removed from the ISR.",
        "follower 超过这么久没有追上 leader 的日志末端（LEO），就会被移出 ISR。"),
    def("replica.fetch.wait.max.ms", Broker, int(0, I32), "500",
        "Longest time a follower's fetch request waits at the leader for new data.",
        "follower 的拉取请求在 leader 上等待新数据的最长时间。"),
    def("replica.fetch.min.bytes", Broker, int(0, I32), "1",
        "Bytes a follower's fetch waits for before the leader answers.",
        "leader 回复 follower 拉取请求前至少要积累的字节数。"),
    def("replica.fetch.max.bytes", Broker, int(0, I32), "1048576",
        "Bytes a follower tries to fetch per partition in one request.",
        "follower 每次请求中对每个分区尝试拉取的字节数。"),
    def("replica.fetch.backoff.ms", Broker, int(0, I32), "1000",
        "How long a follower waits before fetching again after a fetch error.",
        "follower 拉取出错后，等待多久再重新拉取。"),
    def("replica.high.watermark.checkpoint.interval.ms", Broker, int(0, ANY), "5000",
        "How often each broker writes its replicas' high watermarks to disk.",
        "broker 把各副本高水位（HW）写入磁盘检查点文件的间隔。"),
    def("log.segment.bytes", Broker, int(14, I32), "1073741824",
        "Size at which a partition's active log segment is rolled into a new one.",
        "分区的活跃日志段达到这个大小时，滚动生成新的日志段。"),
    def("log.index.interval.bytes", Broker, int(0, I32), "4096",
        "Bytes appended between two entries of the sparse offset index.",
        "稀疏偏移量索引中，两个索引项之间追加的字节数。"),
    def("log.index.size.max.bytes", Broker, int(4, I32), "10485760",
        "Largest size of an offset index file; a full index rolls the segment.",
        "偏移量索引文件的最大大小；索引写满时日志段会滚动。"),
    def("log.retention.ms", Broker, int(-1, ANY), "null",
        "How long a segment is kept after its newest record; -1 keeps it forever (null: use log.retention.minutes/hours).",
        "日志段在其最新一条消息之后保留多久；-1 表示永久保留（为 null 时使用 log.retention.minutes/hours）。"),
    def("log.retention.minutes", Broker, int(-1, I32), "null",
        "Retention time in minutes, used when log.retention.ms is not set.",
        "以分钟计的保留时间，未设置 log.retention.ms 时生效。"),
    def("log.retention.hours", Broker, int(-1, I32), "168",
        "Retention time in hours, used when neither log.retention.ms nor log.retention.minutes is set.",
        "以小时计的保留时间，log.retention.ms 和 log.retention.minutes 都未设置时生效。"),
    def("log.retention.bytes", Broker, int(-1, ANY), "-1",
        "Largest size a partition's log may grow to before old segments are deleted; -1 means no limit.",
        "分区日志允许的最大总大小，超过后删除旧日志段；-1 表示不限制。"),
    def("log.retention.check.interval.ms", Broker, int(1, ANY), "300000",
        "How often the broker checks whether segments are due for deletion.",
        "broker 检查日志段是否到期应删除的间隔。"),
    def("log.roll.ms", Broker, int(1, ANY), "null",
        "Age after which the active segment is rolled even if not full (null: use log.roll.hours).",
        "活跃日志段即使没写满，达到这个时长也会滚动（为 null 时使用 log.roll.hours）。"),
    def("log.roll.hours", Broker, int(1, I32), "168",
        "Segment roll time in hours, used when log.roll.ms is not set.",
        "以小时计的日志段滚动时间，未设置 log.roll.ms 时生效。"),
    def("log.cleanup.policy", Broker, ChoiceList(CLEANUP_POLICY), "delete",
        "Default cleanup policy: delete old segments, compact to the last record per key, or both.",
        "默认清理策略：删除旧日志段、按 key 压缩只保留最后一条，或两者兼用。"),
    def("log.cleaner.delete.retention.ms", Broker, int(0, ANY), "86400000",
        "How long tombstones are kept in a compacted topic before they are removed.",
        "压缩（compact）主题中墓碑消息在被清除前保留的时间。"),
    def("log.cleaner.min.compaction.lag.ms", Broker, int(0, ANY), "0",
        "Youngest a record may be and still be compacted.",
        "消息至少要存在多久才可以被压缩。"),
    def("log.cleaner.min.cleanable.ratio", Broker, Kind::Double { min: 0.0, max: 1.0 }, "0.5",
        "Share of a log that must be uncompacted (dirty) before the cleaner compacts it.",
        "日志中未压缩（脏）部分达到这个比例时，清理线程才会对其进行压缩。"),
    def("log.cleaner.backoff.ms", Broker, int(0, ANY), "15000",
        "How long the log cleaner sleeps when there is nothing to clean.",
        "没有可清理的日志时，清理线程休眠的时间。"),
    def("log.flush.interval.messages", Broker, int(1, ANY), "9223372036854775807",
        "Messages appended to a partition before its log is flushed (fsync) to disk.",
        "分区累计追加多少条消息后把日志刷（fsync）到磁盘。"),
    def("log.flush.interval.ms", Broker, int(0, ANY), "null",
        "Longest a message may stay in the page cache before a flush (null: use log.flush.scheduler.interval.ms).",
        "消息在页缓存中停留多久后必须刷盘（为 null 时使用 log.flush.scheduler.interval.ms）。"),
    def("log.flush.scheduler.interval.ms", Broker, int(0, ANY), "9223372036854775807",
        "How often the flusher checks whether a log is due to be flushed.",
        "刷盘线程检查日志是否需要刷盘的间隔。"),
    def("log.message.timestamp.type", Broker, Choice(TIMESTAMP_TYPE), "CreateTime",
        "Whether a record's timestamp is the producer's create time or the broker's append time.",
        "消息时间戳使用生产者的创建时间（CreateTime）还是 broker 的追加时间（LogAppendTime）。"),
    def("message.max.bytes", Broker, int(0, I32), "1048588",
        "Largest record batch the broker accepts.",
        "broker 接受的最大消息批次大小。"),
    def("compression.type", Broker, Choice(COMPRESSION_BROKER), "producer",
        "Compression of stored batches; producer keeps whatever the producer used.",
        "存储消息批次时使用的压缩方式；producer 表示保留生产者使用的压缩方式。"),
    def("zookeeper.session.timeout.ms", Broker, int(0, I32), "18000",
        "A broker whose ZooKeeper session is silent this long loses its ephemeral znodes and is considered dead.",
        "broker 的 ZooKeeper 会话超过这个时间没有心跳，其临时节点被删除，broker 被视为下线。"),
    def("auto.leader.rebalance.enable", Broker, Bool, "true",
        "Periodically move leadership back to each partition's preferred replica.",
        "定期把分区的 leader 切回其优先副本（preferred replica）。"),
    def("leader.imbalance.check.interval.seconds", Broker, int(1, ANY), "300",
        "How often the controller checks for leadership imbalance.",
        "controller 检查 leader 分布是否失衡的间隔（秒）。"),
    def("leader.imbalance.per.broker.percentage", Broker, int(0, I32), "10",
        "Share of non-preferred leaders a broker may have before a rebalance is triggered.",
        "broker 上非优先副本担任 leader 的比例超过这个百分比时触发重新平衡。"),
    def("auto.create.topics.enable", Broker, Bool, "true",
        "Create a topic automatically when a client produces to or fetches metadata for an unknown one.",
        "客户端向不存在的主题发送消息或请求其元数据时，自动创建该主题。"),
    def("num.partitions", Broker, int(1, I32), "1",
        "Partitions of an automatically created topic.",
        "自动创建的主题的分区数。"),
    def("default.replication.factor", Broker, int(1, I32), "1",
        "Replication factor of an automatically created topic.",
        "自动创建的主题的副本因子。"),
    def("offsets.topic.replication.factor", Broker, int(1, I16), "3",
        "Replication factor of __consumer_offsets, where groups commit their offsets.",
        "__consumer_offsets 主题（消费者组提交位移的地方）的副本因子。"),
    def("offsets.topic.num.partitions", Broker, int(1, I32), "50",
        "Partitions of __consumer_offsets; a group's coordinator is the leader of its partition.",
        "__consumer_offsets 的分区数；消费者组的协调者是其所在分区的 leader。"),
    def("offsets.retention.minutes", Broker, int(1, I32), "10080",
        "How long committed offsets of an empty group are kept.",
        "消费者组变为空后，其已提交位移保留的时间（分钟）。"),
    def("transaction.state.log.replication.factor", Broker, int(1, I16), "3",
        "Replication factor of __transaction_state.",
        "__transaction_state 主题的副本因子。"),
    def("transaction.state.log.min.isr", Broker, int(1, I32), "2",
        "min.insync.replicas of __transaction_state.",
        "__transaction_state 主题的 min.insync.replicas。"),
    def("transaction.state.log.num.partitions", Broker, int(1, I32), "50",
        "Partitions of __transaction_state; a transactional id's coordinator leads its partition.",
        "__transaction_state 的分区数；事务 ID 的协调者是其所在分区的 leader。"),
    def("transaction.max.timeout.ms", Broker, int(1, I32), "900000",
        "Largest transaction.timeout.ms a producer may ask for.",
        "生产者可以申请的最大 transaction.timeout.ms。"),
    def("group.initial.rebalance.delay.ms", Broker, int(0, I32), "3000",
        "How long the coordinator waits for more members before the first rebalance of an empty group.",
        "空消费者组第一次重平衡前，协调者等待更多成员加入的时间。"),
    def("group.min.session.timeout.ms", Broker, int(0, I32), "6000",
        "Smallest session.timeout.ms a consumer may ask for.",
        "消费者可以设置的最小 session.timeout.ms。"),
    def("group.max.session.timeout.ms", Broker, int(0, I32), "1800000",
        "Largest session.timeout.ms a consumer may ask for.",
        "消费者可以设置的最大 session.timeout.ms。"),
    def("controlled.shutdown.enable", Broker, Bool, "true",
        "On shutdown, ask the controller to move leadership away first.",
        "关闭 broker 时先请 controller 把其上的 leader 迁走（受控关闭）。"),
    def("controlled.shutdown.max.retries", Broker, int(0, I32), "3",
        "How many times a controlled shutdown is retried before the broker stops anyway.",
        "受控关闭失败时的重试次数，用完后 broker 直接关闭。"),
    def("kafkascope.truncation", Broker, Choice(&["leader-epoch", "high-watermark"]), "leader-epoch",
        "Playground only: how a follower truncates after a leader change: by leader epoch (KIP-101) or to its own high watermark (before Kafka 0.11).",
        "仅限演示：leader 切换后 follower 如何截断日志：按 leader epoch（KIP-101），或按自己的高水位（Kafka 0.11 之前的做法）。"),
    def("kafkascope.network.delay.ms", Broker, int(0, ANY), "1",
        "Playground only: virtual one-way delay of every message on the network.",
        "仅限演示：网络上每条消息的单向虚拟延迟（毫秒）。"),
];

/// Topic configs, each with the broker config that is its default.
pub static TOPIC_CONFIGS: &[ConfigDef] = &[
    topic("min.insync.replicas", "min.insync.replicas", int(1, I32), "1",
        "With acks=all, the fewest in-sync replicas that must have a write before it is acknowledged.",
        "acks=all 时，一条写入被确认前至少要有多少个同步副本（ISR）写入成功。"),
    topic("unclean.leader.election.enable", "unclean.leader.election.enable", Bool, "false",
        "Let an out-of-sync replica become leader when no ISR member is alive, at the risk of losing data.",
        "当 ISR 中没有存活副本时，允许不同步的副本当选 leader，代价是可能丢数据。"),
    topic("retention.ms", "log.retention.ms", int(-1, ANY), "604800000",
        "How long a segment is kept after its newest record; -1 keeps it forever.",
        "日志段在其最新一条消息之后保留多久；-1 表示永久保留。"),
    topic("retention.bytes", "log.retention.bytes", int(-1, ANY), "-1",
        "Largest size a partition's log may grow to before old segments are deleted; -1 means no limit.",
        "分区日志允许的最大总大小，超过后删除旧日志段；-1 表示不限制。"),
    topic("segment.bytes", "log.segment.bytes", int(14, I32), "1073741824",
        "Size at which the active log segment is rolled into a new one.",
        "活跃日志段达到这个大小时滚动生成新的日志段。"),
    topic("segment.ms", "log.roll.ms", int(1, ANY), "604800000",
        "Age after which the active segment is rolled even if not full.",
        "活跃日志段即使没写满，达到这个时长也会滚动。"),
    topic("segment.index.bytes", "log.index.size.max.bytes", int(4, I32), "10485760",
        "Largest size of an offset index file.",
        "偏移量索引文件的最大大小。"),
    topic("index.interval.bytes", "log.index.interval.bytes", int(0, I32), "4096",
        "Bytes appended between two entries of the sparse offset index.",
        "稀疏偏移量索引中，两个索引项之间追加的字节数。"),
    topic("cleanup.policy", "log.cleanup.policy", ChoiceList(CLEANUP_POLICY), "delete",
        "Delete old segments, compact to the last record per key, or both (compact,delete).",
        "删除旧日志段、按 key 压缩只保留最后一条，或两者兼用（compact,delete）。"),
    topic("delete.retention.ms", "log.cleaner.delete.retention.ms", int(0, ANY), "86400000",
        "How long tombstones are kept in a compacted topic before they are removed.",
        "压缩主题中墓碑消息在被清除前保留的时间。"),
    topic("min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms", int(0, ANY), "0",
        "Youngest a record may be and still be compacted.",
        "消息至少要存在多久才可以被压缩。"),
    topic("min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", Kind::Double { min: 0.0, max: 1.0 }, "0.5",
        "Share of the log that must be uncompacted before the cleaner compacts it.",
        "日志中未压缩部分达到这个比例时才进行压缩。"),
    topic("flush.messages", "log.flush.interval.messages", int(1, ANY), "9223372036854775807",
        "Messages appended before the log is flushed (fsync) to disk.",
        "累计追加多少条消息后把日志刷（fsync）到磁盘。"),
    topic("flush.ms", "log.flush.interval.ms", int(0, ANY), "9223372036854775807",
        "Longest a message may stay in the page cache before a flush.",
        "消息在页缓存中停留多久后必须刷盘。"),
    topic("message.timestamp.type", "log.message.timestamp.type", Choice(TIMESTAMP_TYPE), "CreateTime",
        "Whether a record's timestamp is the producer's create time or the broker's append time.",
        "消息时间戳使用生产者的创建时间还是 broker 的追加时间。"),
    topic("max.message.bytes", "message.max.bytes", int(0, I32), "1048588",
        "Largest record batch this topic accepts.",
        "该主题接受的最大消息批次大小。"),
    topic("compression.type", "compression.type", Choice(COMPRESSION_BROKER), "producer",
        "Compression of stored batches; producer keeps whatever the producer used.",
        "存储消息批次时使用的压缩方式；producer 表示保留生产者使用的压缩方式。"),
];

/// Producer configs.
pub static PRODUCER_CONFIGS: &[ConfigDef] = &[
    def("acks", Producer, Choice(&["0", "1", "-1", "all"]), "all",
        "Acknowledgement the producer waits for: 0 none, 1 the leader's write, all (-1) the whole ISR.",
        "生产者等待的确认：0 不等待，1 等 leader 写入，all（-1）等 ISR 全部写入。"),
    def("enable.idempotence", Producer, Bool, "true",
        "Give the producer an id and sequence numbers so that retries never write a record twice.",
        "为生产者分配 ID 和序列号，重试时不会重复写入同一条消息（幂等）。"),
    def("linger.ms", Producer, int(0, ANY), "0",
        "How long the producer waits for more records to fill a batch before sending it.",
        "生产者发送批次前，为凑满批次而等待更多消息的时间。"),
    def("batch.size", Producer, int(0, I32), "16384",
        "Bytes of records the producer collects per partition into one batch.",
        "生产者为每个分区攒成一个批次的字节数上限。"),
    def("buffer.memory", Producer, int(0, ANY), "33554432",
        "Memory for records waiting to be sent; send() blocks when it is full.",
        "用于缓存待发送消息的内存；写满时 send() 会阻塞。"),
    def("compression.type", Producer, Choice(COMPRESSION_PRODUCER), "none",
        "Compression of the batches the producer sends.",
        "生产者发送批次时使用的压缩方式。"),
    def("max.in.flight.requests.per.connection", Producer, int(1, I32), "5",
        "Unacknowledged requests per broker; above 1 without idempotence, retries can reorder records.",
        "每个连接上未确认请求的最大数量；未开启幂等时大于 1，重试可能导致乱序。"),
    def("retries", Producer, int(0, I32), "2147483647",
        "How many times a failed send is retried (within delivery.timeout.ms).",
        "发送失败后的重试次数（受 delivery.timeout.ms 限制）。"),
    def("retry.backoff.ms", Producer, int(0, ANY), "100",
        "Wait before retrying a failed request.",
        "重试失败请求前的等待时间。"),
    def("request.timeout.ms", Producer, int(0, I32), "30000",
        "How long the producer waits for a response before retrying or failing the request.",
        "生产者等待请求响应的最长时间，超时后重试或失败。"),
    def("delivery.timeout.ms", Producer, int(0, I32), "120000",
        "Upper bound on the time to report success or failure of a send, retries included.",
        "从 send() 到报告成功或失败的时间上限，包括所有重试。"),
    def("max.block.ms", Producer, int(0, ANY), "60000",
        "How long send() may block waiting for metadata or buffer space.",
        "send() 因等待元数据或缓冲区空间而阻塞的最长时间。"),
    def("max.request.size", Producer, int(0, I32), "1048576",
        "Largest produce request the producer sends.",
        "生产者发送的单个请求的最大大小。"),
    def("partitioner.class", Producer, Choice(PARTITIONERS), "null",
        "Partitioner class; null uses the built-in one (murmur2 of the key, sticky without a key).",
        "分区器类；为 null 时使用内置分区器（有 key 时按 key 的 murmur2 哈希，无 key 时粘性分区）。"),
    def("partitioner.ignore.keys", Producer, Bool, "false",
        "Ignore keys when choosing a partition (always sticky).",
        "选择分区时忽略 key（始终使用粘性分区）。"),
    def("transactional.id", Producer, Text, "null",
        "Stable id of a transactional producer; a new instance with the same id fences the old one.",
        "事务生产者的固定 ID；同一 ID 的新实例会隔离（fence）旧实例。"),
    def("transaction.timeout.ms", Producer, int(0, I32), "60000",
        "Longest a transaction may stay open before the coordinator aborts it.",
        "事务保持打开的最长时间，超时后由协调者中止。"),
    def("metadata.max.age.ms", Producer, int(0, ANY), "300000",
        "How often the producer refreshes metadata even without errors.",
        "即使没有出错，生产者也会定期刷新元数据的间隔。"),
];

/// Consumer configs.
pub static CONSUMER_CONFIGS: &[ConfigDef] = &[
    def("group.id", Consumer, Text, "null",
        "The consumer group the consumer joins (same as group=).",
        "消费者加入的消费者组（与 group= 相同）。"),
    def("group.instance.id", Consumer, Text, "null",
        "Static membership id: a restart within session.timeout.ms keeps the assignment without a rebalance.",
        "静态成员 ID：在 session.timeout.ms 内重启不会触发重平衡，保持原有分配。"),
    def("enable.auto.commit", Consumer, Bool, "true",
        "Commit the positions of delivered records automatically, from poll(), every auto.commit.interval.ms.",
        "每隔 auto.commit.interval.ms 在 poll() 中自动提交已交付消息的位移。"),
    def("auto.commit.interval.ms", Consumer, int(0, I32), "5000",
        "Interval of automatic offset commits.",
        "自动提交位移的间隔。"),
    def("auto.offset.reset", Consumer, Choice(&["earliest", "latest", "none"]), "latest",
        "Where to start without a committed offset: earliest, latest, or none (fail).",
        "没有已提交位移时从哪里开始消费：earliest 最早，latest 最新，none 直接报错。"),
    def("partition.assignment.strategy", Consumer, ChoiceList(ASSIGNORS),
        "org.apache.kafka.clients.consumer.RangeAssignor,org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        "Assignors the consumer supports, preferred first: range, roundrobin, sticky, cooperative-sticky.",
        "消费者支持的分区分配策略，优先的在前：range、roundrobin、sticky、cooperative-sticky。"),
    def("session.timeout.ms", Consumer, int(0, I32), "45000",
        "A member whose heartbeats stop for this long is removed from the group.",
        "成员停止心跳超过这个时间，就会被移出消费者组。"),
    def("heartbeat.interval.ms", Consumer, int(0, I32), "3000",
        "Interval of heartbeats to the group coordinator.",
        "向组协调者发送心跳的间隔。"),
    def("max.poll.interval.ms", Consumer, int(1, I32), "300000",
        "Longest gap between two poll() calls before the consumer leaves the group.",
        "两次 poll() 之间的最长间隔，超过后消费者会离开消费者组。"),
    def("max.poll.records", Consumer, int(1, I32), "500",
        "Most records one poll() returns.",
        "一次 poll() 最多返回的消息条数。"),
    def("fetch.min.bytes", Consumer, int(0, I32), "1",
        "Bytes the broker waits for before answering a fetch.",
        "broker 回复拉取请求前至少要积累的字节数。"),
    def("fetch.max.bytes", Consumer, int(0, I32), "52428800",
        "Most bytes one fetch response returns.",
        "一次拉取响应最多返回的字节数。"),
    def("max.partition.fetch.bytes", Consumer, int(0, I32), "1048576",
        "Most bytes per partition one fetch response returns.",
        "一次拉取响应中每个分区最多返回的字节数。"),
    def("fetch.max.wait.ms", Consumer, int(0, I32), "500",
        "Longest the broker holds a fetch waiting for fetch.min.bytes.",
        "broker 为凑够 fetch.min.bytes 而挂起拉取请求的最长时间。"),
    def("isolation.level", Consumer, Choice(&["read_uncommitted", "read_committed"]), "read_uncommitted",
        "read_committed hides records of open and aborted transactions (reads up to the LSO).",
        "read_committed 隐藏未完成和已中止事务的消息（只读到 LSO 为止）。"),
    def("request.timeout.ms", Consumer, int(0, I32), "30000",
        "How long the consumer waits for a response before retrying or failing the request.",
        "消费者等待请求响应的最长时间，超时后重试或失败。"),
    def("retry.backoff.ms", Consumer, int(0, ANY), "100",
        "Wait before retrying a failed request.",
        "重试失败请求前的等待时间。"),
    def("default.api.timeout.ms", Consumer, int(0, I32), "60000",
        "Timeout of blocking consumer calls such as commitSync() without an explicit timeout.",
        "未显式指定超时的阻塞调用（如 commitSync()）的超时时间。"),
];

/// The configs of `scope`, in the table's order.
pub fn table(scope: Scope) -> &'static [ConfigDef] {
    match scope {
        Scope::Broker => BROKER_CONFIGS,
        Scope::Topic => TOPIC_CONFIGS,
        Scope::Producer => PRODUCER_CONFIGS,
        Scope::Consumer => CONSUMER_CONFIGS,
    }
}

/// Every config the playground knows: broker, topic, producer, consumer.
pub fn all() -> impl Iterator<Item = &'static ConfigDef> {
    [
        BROKER_CONFIGS,
        TOPIC_CONFIGS,
        PRODUCER_CONFIGS,
        CONSUMER_CONFIGS,
    ]
    .into_iter()
    .flatten()
}

/// The config `name` in `scope`.
pub fn lookup(scope: Scope, name: &str) -> Option<&'static ConfigDef> {
    table(scope).iter().find(|d| d.name == name)
}

/// Every scope's definition of `name` (e.g. `compression.type` is a broker,
/// a topic and a producer config).
pub fn lookup_any(name: &str) -> impl Iterator<Item = &'static ConfigDef> + '_ {
    all().filter(move |d| d.name == name)
}

/// Validates `name=value` for `scope`; the error is the full message, e.g.
/// `acks=2 is not valid: expected one of 0, 1, -1, all`.
pub fn validate(scope: Scope, name: &str, value: &str) -> Result<ConfigValue, String> {
    let Some(def) = lookup(scope, name) else {
        return Err(unknown_config(scope, name));
    };
    check_value(def, value)
}

/// Validates `value` for the config `def` (found already), with the same
/// message as [`validate`].
pub fn check_value(def: &ConfigDef, value: &str) -> Result<ConfigValue, String> {
    parse_value(&def.kind, value).ok_or_else(|| {
        format!(
            "{}={value} is not valid: {}",
            def.name,
            def.kind.expectation()
        )
    })
}

fn parse_value(kind: &Kind, value: &str) -> Option<ConfigValue> {
    match kind {
        // Kafka parses booleans case-insensitively.
        Kind::Bool => match value.to_ascii_lowercase().as_str() {
            "true" => Some(ConfigValue::Bool(true)),
            "false" => Some(ConfigValue::Bool(false)),
            _ => None,
        },
        Kind::Int { min, max } => value
            .parse::<i64>()
            .ok()
            .filter(|v| (*min..=*max).contains(v))
            .map(ConfigValue::Int),
        Kind::Double { min, max } => value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= *min && *v <= *max)
            .map(ConfigValue::Double),
        Kind::Choice(values) => values
            .contains(&value)
            .then(|| ConfigValue::Str(value.to_string())),
        Kind::ChoiceList(values) => {
            let items: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
            let ok = items.iter().all(|i| values.contains(&i.as_str()));
            ok.then_some(ConfigValue::List(items))
        }
        Kind::Text => (!value.is_empty()).then(|| ConfigValue::Str(value.to_string())),
    }
}

/// The message for a config name that `scope` does not have: says where the
/// name belongs if it is another scope's, else suggests the closest name.
pub fn unknown_config(scope: Scope, name: &str) -> String {
    if let Some(other) = lookup_any(name).next() {
        let mut msg = format!("{name} is a {} config, not a {scope} config", other.scope);
        // A topic config on `cluster` (or the reverse) has a synonym here.
        let synonym = all().find_map(|d| {
            if d.scope == other.scope && d.name == name {
                d.synonym.filter(|s| lookup(scope, s).is_some())
            } else if d.scope == scope && d.synonym == Some(name) {
                Some(d.name)
            } else {
                None
            }
        });
        if let Some(s) = synonym {
            msg.push_str(&format!(" (did you mean {s}?)"));
        }
        return msg;
    }
    let names = table(scope).iter().map(|d| d.name);
    match suggest(name, names.clone()) {
        Some(s) => format!("unknown {scope} config {name} (did you mean {s}?)"),
        // A client has few settings: name them all.
        None if matches!(scope, Scope::Producer | Scope::Consumer) => format!(
            "unknown {scope} config {name} ({scope} configs: {})",
            names.collect::<Vec<_>>().join(", ")
        ),
        None => format!("unknown {scope} config {name}"),
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be a
/// plausible typo (at most a third of the word's length, 1 to 3 edits).
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = word.chars().count();
    let limit = (len / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| {
            (
                edit_distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        // As many edits as the word has letters is another word, not a typo.
        .filter(|(d, _)| *d <= limit && *d < len)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scopes_table_holds_that_scope_only() {
        for scope in [
            Scope::Broker,
            Scope::Topic,
            Scope::Producer,
            Scope::Consumer,
        ] {
            assert!(!table(scope).is_empty());
            assert!(table(scope).iter().all(|d| d.scope == scope), "{scope}");
        }
        assert_eq!(
            all().count(),
            [
                Scope::Broker,
                Scope::Topic,
                Scope::Producer,
                Scope::Consumer
            ]
            .map(|s| table(s).len())
            .iter()
            .sum::<usize>()
        );
    }

    #[test]
    fn every_default_is_valid() {
        for d in all() {
            if d.default != "null" {
                assert!(
                    parse_value(&d.kind, d.default).is_some(),
                    "{} default {}",
                    d.name,
                    d.default
                );
            }
        }
    }

    #[test]
    fn names_are_unique_per_scope_and_documented() {
        let configs: Vec<&ConfigDef> = all().collect();
        for (i, a) in configs.iter().enumerate() {
            assert!(!a.doc_en.is_empty() && !a.doc_zh.is_empty(), "{}", a.name);
            for b in &configs[i + 1..] {
                assert!(
                    !(a.name == b.name && a.scope == b.scope),
                    "{} twice",
                    a.name
                );
            }
        }
    }

    #[test]
    fn topic_synonyms_are_broker_configs_with_the_same_kind() {
        for d in TOPIC_CONFIGS {
            let broker = lookup(Scope::Broker, d.synonym.unwrap()).expect(d.name);
            assert_eq!(broker.kind, d.kind, "{}", d.name);
        }
    }

    #[test]
    fn contract_configs_exist() {
        let by_scope = [
            (Scope::Producer, "acks"),
            (Scope::Broker, "min.insync.replicas"),
            (Scope::Topic, "min.insync.replicas"),
            (Scope::Broker, "unclean.leader.election.enable"),
            (Scope::Broker, "replica.lag.time.max.ms"),
            (Scope::Producer, "enable.idempotence"),
            (Scope::Producer, "linger.ms"),
            (Scope::Producer, "batch.size"),
            (Scope::Producer, "max.in.flight.requests.per.connection"),
            (Scope::Producer, "retries"),
            (Scope::Producer, "delivery.timeout.ms"),
            (Scope::Consumer, "enable.auto.commit"),
            (Scope::Consumer, "auto.commit.interval.ms"),
            (Scope::Consumer, "auto.offset.reset"),
            (Scope::Consumer, "partition.assignment.strategy"),
            (Scope::Consumer, "session.timeout.ms"),
            (Scope::Consumer, "heartbeat.interval.ms"),
            (Scope::Consumer, "max.poll.records"),
            (Scope::Consumer, "isolation.level"),
            (Scope::Consumer, "group.instance.id"),
            (Scope::Producer, "transactional.id"),
            (Scope::Broker, "log.segment.bytes"),
            (Scope::Broker, "log.index.interval.bytes"),
            (Scope::Broker, "log.retention.ms"),
            (Scope::Broker, "log.retention.bytes"),
            (Scope::Topic, "cleanup.policy"),
            (Scope::Broker, "log.flush.interval.messages"),
            (Scope::Broker, "kafkascope.truncation"),
        ];
        for (scope, name) in by_scope {
            assert!(lookup(scope, name).is_some(), "{scope} {name}");
        }
    }

    #[test]
    fn validates_values_with_kafka_style_messages() {
        assert_eq!(
            validate(Scope::Producer, "acks", "2").unwrap_err(),
            "acks=2 is not valid: expected one of 0, 1, -1, all"
        );
        assert_eq!(
            validate(Scope::Producer, "acks", "all"),
            Ok(ConfigValue::Str("all".into()))
        );
        assert_eq!(
            validate(Scope::Producer, "acks", "-1"),
            Ok(ConfigValue::Str("-1".into()))
        );
        assert_eq!(
            validate(Scope::Topic, "min.insync.replicas", "0").unwrap_err(),
            "min.insync.replicas=0 is not valid: expected an integer from 1 to 2147483647"
        );
        assert_eq!(
            validate(Scope::Consumer, "enable.auto.commit", "yes").unwrap_err(),
            "enable.auto.commit=yes is not valid: expected true or false"
        );
        assert_eq!(
            validate(Scope::Consumer, "enable.auto.commit", "FALSE"),
            Ok(ConfigValue::Bool(false))
        );
        assert_eq!(
            validate(Scope::Producer, "linger.ms", "-5").unwrap_err(),
            "linger.ms=-5 is not valid: expected an integer >= 0"
        );
        assert_eq!(
            validate(
                Scope::Consumer,
                "partition.assignment.strategy",
                "range,CooperativeStickyAssignor"
            ),
            Ok(ConfigValue::List(vec![
                "range".into(),
                "CooperativeStickyAssignor".into()
            ]))
        );
        assert!(validate(
            Scope::Consumer,
            "partition.assignment.strategy",
            "range,,sticky"
        )
        .is_err());
        assert_eq!(
            validate(Scope::Topic, "cleanup.policy", "compact,delete"),
            Ok(ConfigValue::List(vec!["compact".into(), "delete".into()]))
        );
        assert_eq!(
            validate(Scope::Broker, "kafkascope.truncation", "hw").unwrap_err(),
            "kafkascope.truncation=hw is not valid: expected one of leader-epoch, high-watermark"
        );
        assert_eq!(
            validate(Scope::Topic, "min.cleanable.dirty.ratio", "1.5").unwrap_err(),
            "min.cleanable.dirty.ratio=1.5 is not valid: expected a number from 0 to 1"
        );
        assert_eq!(
            validate(Scope::Topic, "min.cleanable.dirty.ratio", "0.25"),
            Ok(ConfigValue::Double(0.25))
        );
    }

    #[test]
    fn unknown_names_get_suggestions() {
        assert_eq!(
            validate(Scope::Producer, "ack", "1").unwrap_err(),
            "unknown producer config ack (did you mean acks?)"
        );
        assert_eq!(
            unknown_config(Scope::Consumer, "max.pol.records"),
            "unknown consumer config max.pol.records (did you mean max.poll.records?)"
        );
        let zzz = unknown_config(Scope::Producer, "zzz");
        assert!(
            zzz.starts_with(
                "unknown producer config zzz (producer configs: acks, enable.idempotence, "
            ),
            "{zzz}"
        );
        assert!(zzz.ends_with(", metadata.max.age.ms)"), "{zzz}");
        let bogus = unknown_config(Scope::Consumer, "bogus");
        assert!(
            bogus.starts_with("unknown consumer config bogus (consumer configs: group.id, "),
            "{bogus}"
        );
        assert_eq!(
            unknown_config(Scope::Broker, "zzz"),
            "unknown broker config zzz"
        );
        assert_eq!(
            unknown_config(Scope::Broker, "retention.ms"),
            "retention.ms is a topic config, not a broker config (did you mean log.retention.ms?)"
        );
        assert_eq!(
            unknown_config(Scope::Topic, "log.segment.bytes"),
            "log.segment.bytes is a broker config, not a topic config (did you mean segment.bytes?)"
        );
        assert_eq!(
            unknown_config(Scope::Producer, "session.timeout.ms"),
            "session.timeout.ms is a consumer config, not a producer config"
        );
    }

    #[test]
    fn assignor_names_normalise() {
        assert_eq!(
            assignor_short_name("org.apache.kafka.clients.consumer.RangeAssignor"),
            Some("range")
        );
        assert_eq!(
            assignor_short_name("CooperativeStickyAssignor"),
            Some("cooperative-sticky")
        );
        assert_eq!(assignor_short_name("roundrobin"), Some("roundrobin"));
        assert_eq!(assignor_short_name("FancyAssignor"), None);
        for a in ASSIGNORS {
            assert!(assignor_short_name(a).is_some(), "{a}");
        }
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
        assert_eq!(suggest("crsh", ["crash", "close"]), Some("crash"));
        assert_eq!(suggest("xyzzy", ["crash"]), None);
    }
}
