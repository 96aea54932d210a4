//! The page's segment view: a replica's segments and one segment's batches
//! and index entries, from the running broker (a [`BrokerQuery::Segments`])
//! or, for a broker that is down, from what its disk would recover.

use broker::api::TopicPartition;
use broker::query::{BrokerAnswer, BrokerQuery};
use broker::segment_dump::{segments_of, SegmentsAnswer};
use kafkascope_view::inspect::{
    BatchInfo, SegmentDetail, SegmentInfo, SegmentRef, SegmentsView, INSPECT_LEN,
};

use crate::cluster::Cluster;

/// `t-0` as a topic and partition; `None` if it is not one.
pub fn parse_partition(name: &str) -> Option<TopicPartition> {
    let (topic, p) = name.rsplit_once('-')?;
    let p: i32 = p.parse().ok()?;
    (!topic.is_empty() && p >= 0).then(|| TopicPartition::new(topic, p))
}

impl Cluster {
    /// What the segment view shows for `r`; a replica or segment that does
    /// not exist is a `problem`, never a panic.
    pub fn segments_view(&self, r: &SegmentRef) -> SegmentsView {
        let broker_up =
            r.broker >= 0 && (r.broker as u32) < self.brokers() && self.broker_up(r.broker);
        let mut view = SegmentsView {
            partition: r.partition.clone(),
            broker: r.broker,
            broker_up,
            segments: Vec::new(),
            detail: None,
            problem: None,
        };
        let Some(tp) = parse_partition(&r.partition) else {
            view.problem = Some(format!("{:?} is not a partition (topic-N)", r.partition));
            return view;
        };
        if r.broker < 0 || r.broker as u32 >= self.brokers() {
            view.problem = Some(format!("there is no broker {}", r.broker));
            return view;
        }
        let answer = if broker_up {
            match self.query(
                r.broker,
                &BrokerQuery::Segments {
                    tp: tp.clone(),
                    base: r.base_offset,
                    limit: INSPECT_LEN,
                },
            ) {
                Some(BrokerAnswer::Segments(a)) => a,
                Some(other) => self.wrong_answer(r.broker, "Segments", other),
                None => None,
            }
        } else {
            self.open_from_disk(r.broker, &tp)
                .map(|log| segments_of(&log, r.base_offset, INSPECT_LEN))
        };
        let Some(SegmentsAnswer { segments, dump }) = answer else {
            view.problem = Some(format!("broker {} has no log of {tp}", r.broker));
            return view;
        };
        view.segments = segments
            .into_iter()
            .map(|s| SegmentInfo {
                base_offset: s.base_offset,
                next_offset: s.next_offset,
                bytes: s.bytes,
                batches: s.batches,
                file: s.file,
                active: s.active,
            })
            .collect();
        if let (Some(base), None) = (r.base_offset, &dump) {
            view.problem = Some(format!(
                "{tp} on broker {} has no segment at {base}",
                r.broker
            ));
        }
        view.detail = dump.map(|d| SegmentDetail {
            base_offset: d.base_offset,
            batches: d
                .batches
                .into_iter()
                .map(|b| {
                    let h = b.header;
                    BatchInfo {
                        position: b.position,
                        base_offset: h.base_offset,
                        last_offset: h.last_offset(),
                        count: h.records_count,
                        producer_id: h.producer_id,
                        producer_epoch: h.producer_epoch,
                        base_sequence: h.base_sequence,
                        partition_leader_epoch: h.partition_leader_epoch,
                        size: h.size_in_bytes() as u32,
                        crc_valid: b.crc_valid,
                        compression: h.compression().map_or_else(
                            || format!("codec {}", h.compression_id()),
                            |c| c.name().to_string(),
                        ),
                        transactional: h.is_transactional(),
                        control: h.is_control(),
                        max_timestamp: h.max_timestamp,
                    }
                })
                .collect(),
            more_batches: d.more_batches,
            offset_index: d.offset_index,
            time_index: d.time_index,
            more_index: d.more_index,
        });
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    fn seg(partition: &str, broker: i32, base: Option<i64>) -> SegmentRef {
        SegmentRef {
            partition: partition.into(),
            broker,
            base_offset: base,
        }
    }

    /// Small segments and a dense index, so a few records roll segments.
    fn rolled() -> Session {
        let mut s = Session::new(3);
        let out = s
            .submit(
                "cluster brokers=2\n\
                 topic create t partitions=1 replication-factor=2 assignment=0:1 segment.bytes=400 index.interval.bytes=1\n\
                 producer p acks=all batch.size=1 compression.type=gzip\n\
                 send p t value=value-{i} count=12\n\
                 flush p\n\
                 tick 1000\n",
            )
            .unwrap();
        assert!(out.lines.is_empty(), "{:?}", out.lines);
        let layout = s
            .cluster()
            .unwrap()
            .log_layout(0, &TopicPartition::new("t", 0));
        assert!(layout.unwrap().segments.len() >= 2, "the log rolled");
        s
    }

    #[test]
    fn segments_batches_and_indexes_of_a_running_replica() {
        let s = rolled();
        let c = s.cluster().unwrap();
        let v = c.segments_view(&seg("t-0", 0, None));
        assert_eq!(v.problem, None);
        assert!(v.broker_up);
        let layout = c.log_layout(0, &TopicPartition::new("t", 0)).unwrap();
        let bases: Vec<i64> = v.segments.iter().map(|s| s.base_offset).collect();
        assert_eq!(bases, layout.segments);
        assert_eq!(v.segments.iter().filter(|s| s.active).count(), 1);
        assert!(v.segments.last().unwrap().active);
        assert_eq!(v.segments[0].file, "00000000000000000000.log");
        assert!(v.detail.is_none());

        let v = c.segments_view(&seg("t-0", 0, Some(0)));
        let d = v.detail.unwrap();
        assert!(!d.batches.is_empty());
        // The batches tile the segment: each starts where the last ended.
        for w in d.batches.windows(2) {
            assert_eq!(w[1].base_offset, w[0].last_offset + 1);
            assert_eq!(w[1].position, w[0].position + w[0].size as u64);
        }
        let b = &d.batches[0];
        assert!(b.crc_valid);
        assert_eq!(b.compression, "gzip");
        assert_eq!(b.count as i64, b.last_offset - b.base_offset + 1);
        // The idempotent producer's id, epoch and sequence are in the header.
        assert!(b.producer_id >= 0 && b.base_sequence == 0, "{b:?}");
        assert_eq!(d.batches.len(), v.segments[0].batches);
        // index.interval.bytes=1: an index entry per batch.
        let index: Vec<i64> = d.offset_index.iter().map(|(o, _)| *o).collect();
        let starts: Vec<i64> = d.batches.iter().map(|b| b.last_offset).collect();
        assert!(
            !index.is_empty() && index.iter().all(|o| starts.contains(o) || *o == 0),
            "{index:?} {starts:?}"
        );
        assert!(!d.time_index.is_empty());
    }

    #[test]
    fn a_down_broker_is_read_from_its_disk_and_bad_refs_are_problems() {
        let mut s = rolled();
        s.submit("crash 1\ntick 100\n").unwrap();
        let c = s.cluster().unwrap();
        let v = c.segments_view(&seg("t-0", 1, Some(0)));
        assert!(!v.broker_up);
        assert_eq!(v.problem, None);
        assert!(v.segments.len() >= 2, "{v:?}");
        assert!(v.detail.unwrap().batches.iter().all(|b| b.crc_valid));

        let v = c.segments_view(&seg("t-0", 7, None));
        assert_eq!(v.problem.as_deref(), Some("there is no broker 7"));
        let v = c.segments_view(&seg("nope", 0, None));
        assert!(v.problem.unwrap().contains("not a partition"));
        let v = c.segments_view(&seg("u-0", 0, None));
        assert_eq!(v.problem.as_deref(), Some("broker 0 has no log of u-0"));
        let v = c.segments_view(&seg("t-0", 0, Some(5)));
        assert!(v.problem.unwrap().contains("no segment at 5"));
    }

    #[test]
    fn partition_names_parse() {
        assert_eq!(
            parse_partition("a-b-3"),
            Some(TopicPartition::new("a-b", 3))
        );
        assert_eq!(parse_partition("t"), None);
        assert_eq!(parse_partition("-1"), None);
    }
}
