//! How a replica strip is marked: runs of one leader epoch (the strip's
//! slice of Kafka's `leader-epoch-checkpoint`, which lists each epoch with
//! the first offset appended in it) and a short tag per producer (`P1`,
//! `P2`, ...), so the page can say both in text and not only by colour.
//! Pure, so the page only renders it.

use std::ops::Range;

use crate::model::{Origin, RecordCell};

/// How many colour bands the page has for epochs (`epoch-band-0` ..);
/// epochs further apart share a band, their markers tell them apart.
pub const EPOCH_BANDS: i32 = 6;
/// How many border patterns the page has for producers (`producer-0` ..).
pub const PRODUCER_STYLES: usize = 6;

/// Consecutive cells of a strip appended in one leader epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpochRun {
    pub epoch: i32,
    /// The run's first and last offsets shown (the epoch may have begun
    /// before the strip's first offset).
    pub first: i64,
    pub last: i64,
    /// The run's cells: `cells[start..end]`.
    pub start: usize,
    pub end: usize,
}

/// Runs of equal epochs in `epochs`, oldest first: each run's epoch and
/// index range (a new run wherever an epoch differs from the one before).
pub fn runs_of(epochs: impl IntoIterator<Item = i32>) -> Vec<(i32, Range<usize>)> {
    let mut runs: Vec<(i32, Range<usize>)> = Vec::new();
    for (i, e) in epochs.into_iter().enumerate() {
        match runs.last_mut() {
            Some((epoch, r)) if *epoch == e => r.end = i + 1,
            _ => runs.push((e, i..i + 1)),
        }
    }
    runs
}

/// The strip's epoch runs, oldest first; a new run wherever a cell's
/// epoch differs from the cell before it.
pub fn epoch_runs(cells: &[RecordCell]) -> Vec<EpochRun> {
    runs_of(cells.iter().map(|c| c.epoch))
        .into_iter()
        .map(|(epoch, r)| EpochRun {
            epoch,
            first: cells[r.start].offset,
            last: cells[r.end - 1].offset,
            start: r.start,
            end: r.end,
        })
        .collect()
}

/// The colour band of an epoch (-1, "no epoch", gets one too).
pub fn epoch_band(epoch: i32) -> i32 {
    epoch.rem_euclid(EPOCH_BANDS)
}

/// Numbers producers for their tags: the view's producers in order
/// (`P1` is the first created), then any other name met in the cells, in
/// the order met. The same producer has the same tag in every partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerTags {
    names: Vec<String>,
}

impl ProducerTags {
    /// `producers`: the view's producers' names, in order.
    pub fn new<'a>(
        producers: impl IntoIterator<Item = &'a str>,
        cells: impl IntoIterator<Item = &'a RecordCell>,
    ) -> ProducerTags {
        let mut names: Vec<String> = producers.into_iter().map(str::to_string).collect();
        for c in cells {
            if let Some(p) = c.producer() {
                if !names.iter().any(|n| n == p) {
                    names.push(p.to_string());
                }
            }
        }
        ProducerTags { names }
    }

    /// 1-based.
    pub fn number(&self, producer: &str) -> Option<usize> {
        self.names.iter().position(|n| n == producer).map(|i| i + 1)
    }

    /// `P1`, `P2`, ...
    pub fn tag(&self, producer: &str) -> Option<String> {
        self.number(producer).map(|n| format!("P{n}"))
    }

    /// The border pattern of a producer (`producer-N`).
    pub fn style(&self, producer: &str) -> Option<usize> {
        self.number(producer).map(|n| (n - 1) % PRODUCER_STYLES)
    }
}

/// What a partition's legend lists: the producers whose records its
/// strips show (by number), the epochs, and whether markers or records
/// without a producer appear.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Legend {
    /// (number, name), by number.
    pub producers: Vec<(usize, String)>,
    /// Ascending.
    pub epochs: Vec<i32>,
    pub markers: bool,
    pub unattributed: bool,
}

impl Legend {
    pub fn of<'a>(tags: &ProducerTags, cells: impl IntoIterator<Item = &'a RecordCell>) -> Legend {
        let mut l = Legend::default();
        for c in cells {
            if !l.epochs.contains(&c.epoch) {
                l.epochs.push(c.epoch);
            }
            match &c.origin {
                Origin::Marker => l.markers = true,
                Origin::Producer(p) => {
                    if !l.producers.iter().any(|(_, n)| n == p) {
                        l.producers.push((tags.number(p).unwrap_or(0), p.clone()));
                    }
                }
                Origin::Unknown => l.unattributed = true,
            }
        }
        l.epochs.sort_unstable();
        l.producers.sort();
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(offset: i64, epoch: i32, producer: Option<&str>) -> RecordCell {
        RecordCell {
            offset,
            value: format!("v{offset}"),
            origin: producer.map_or(Origin::Unknown, |p| Origin::Producer(p.into())),
            epoch,
        }
    }

    #[test]
    fn runs_start_where_the_epoch_changes() {
        let cells = [
            cell(3, 0, Some("a")),
            cell(4, 0, Some("b")),
            cell(5, 2, Some("a")),
            cell(6, 3, None),
            cell(7, 3, None),
        ];
        let runs = epoch_runs(&cells);
        let got: Vec<_> = runs
            .iter()
            .map(|r| (r.epoch, r.first, r.last, r.start, r.end))
            .collect();
        assert_eq!(got, [(0, 3, 4, 0, 2), (2, 5, 5, 2, 3), (3, 6, 7, 3, 5)]);
        assert!(epoch_runs(&[]).is_empty());
        assert_eq!((epoch_band(7), epoch_band(-1)), (1, 5));
    }

    #[test]
    fn producers_are_numbered_in_creation_order_then_as_met() {
        let cells = [
            cell(0, 0, Some("bob")),
            cell(1, 0, Some("ghost")),
            cell(2, 0, None),
            RecordCell {
                origin: Origin::Marker,
                ..cell(3, 1, None)
            },
        ];
        let tags = ProducerTags::new(["alice", "bob"], &cells);
        assert_eq!(tags.tag("alice").as_deref(), Some("P1"));
        assert_eq!(tags.tag("bob").as_deref(), Some("P2"));
        assert_eq!(tags.tag("ghost").as_deref(), Some("P3"));
        assert_eq!(tags.tag("nobody"), None);
        assert_eq!(tags.style("ghost"), Some(2));
        let legend = Legend::of(&tags, &cells);
        assert_eq!(
            legend.producers,
            [(2, "bob".to_string()), (3, "ghost".to_string())]
        );
        assert_eq!(legend.epochs, [0, 1]);
        assert!(legend.markers && legend.unattributed);
    }
}
