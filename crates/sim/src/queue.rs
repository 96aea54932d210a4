//! The one event queue: a binary min-heap of small `(time, seq, slot)` keys
//! over a slab of pending entries.
//!
//! Keys are 24 bytes and `Copy`, so sifting never moves a message; slots are
//! recycled through a free list, so after warm-up scheduling allocates
//! nothing. Cancelling (a timer re-armed, a crash) leaves a tombstone that is
//! skipped when popped: a slot is only reused once its heap key is gone.
//! A node that re-arms a far-off timer on every message would pile up
//! tombstones, so once they outnumber live entries the heap is compacted.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::node::{NodeId, TimerToken};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub time: u64,
    pub seq: u64,
    pub slot: u32,
}

impl Ord for Key {
    // Reversed: `BinaryHeap` is a max-heap and we want the earliest first.
    // `seq` is unique, so the order is total and never depends on the slot.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A message on the wire.
#[derive(Debug)]
pub(crate) struct InFlight<M> {
    pub from: NodeId,
    pub to: NodeId,
    pub id: u64,
    pub msg: M,
}

#[derive(Debug)]
pub(crate) enum Entry<M> {
    Message(InFlight<M>),
    Timer { node: NodeId, token: TimerToken },
    Cancelled,
    Free { next: u32 },
}

const NO_SLOT: u32 = u32::MAX;

pub(crate) struct EventQueue<M> {
    heap: BinaryHeap<Key>,
    slots: Vec<Entry<M>>,
    free: u32,
    next_seq: u64,
    /// Tombstones still in the heap.
    cancelled: usize,
}

/// Compact only past this many tombstones (and when they are the majority),
/// so small queues never pay for it.
const COMPACT_MIN: usize = 4096;

impl<M> EventQueue<M> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: NO_SLOT,
            next_seq: 0,
            cancelled: 0,
        }
    }

    /// Schedule `entry` at `time`; returns its slot (for cancelling).
    pub fn push(&mut self, time: u64, entry: Entry<M>) -> u32 {
        let slot = if self.free != NO_SLOT {
            let slot = self.free;
            match std::mem::replace(&mut self.slots[slot as usize], entry) {
                Entry::Free { next } => self.free = next,
                _ => unreachable!("free list points at a used slot"),
            }
            slot
        } else {
            self.slots.push(entry);
            (self.slots.len() - 1) as u32
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Key { time, seq, slot });
        slot
    }

    /// Time of the next live entry (tombstones at the top are discarded).
    pub fn peek_time(&mut self) -> Option<u64> {
        while let Some(key) = self.heap.peek() {
            if matches!(self.slots[key.slot as usize], Entry::Cancelled) {
                let key = self.heap.pop().expect("peeked");
                self.release(key.slot);
                self.cancelled -= 1;
            } else {
                return Some(key.time);
            }
        }
        None
    }

    /// The next live entry with its time, without taking it.
    pub fn peek(&mut self) -> Option<(u64, &Entry<M>)> {
        let time = self.peek_time()?;
        let key = self.heap.peek().expect("peek_time saw it");
        Some((time, &self.slots[key.slot as usize]))
    }

    /// Remove and return the next live entry with its time.
    pub fn pop(&mut self) -> Option<(u64, Entry<M>)> {
        while let Some(key) = self.heap.pop() {
            let entry = std::mem::replace(
                &mut self.slots[key.slot as usize],
                Entry::Free { next: self.free },
            );
            self.free = key.slot;
            if !matches!(entry, Entry::Cancelled) {
                return Some((key.time, entry));
            }
            self.cancelled -= 1;
        }
        None
    }

    /// Turn a pending entry into a tombstone and hand back what it held.
    pub fn cancel(&mut self, slot: u32) -> Entry<M> {
        let entry = std::mem::replace(&mut self.slots[slot as usize], Entry::Cancelled);
        debug_assert!(matches!(entry, Entry::Message(_) | Entry::Timer { .. }));
        self.cancelled += 1;
        if self.cancelled >= COMPACT_MIN && self.cancelled * 2 > self.heap.len() {
            self.compact();
        }
        entry
    }

    /// Drop every tombstone from the heap and free its slot. The order of
    /// live entries is untouched: it depends only on their keys.
    fn compact(&mut self) {
        let slots = &self.slots;
        let mut dead = Vec::with_capacity(self.cancelled);
        self.heap.retain(|k| {
            let live = !matches!(slots[k.slot as usize], Entry::Cancelled);
            if !live {
                dead.push(k.slot);
            }
            live
        });
        for slot in dead {
            self.release(slot);
        }
        self.cancelled = 0;
    }

    /// Entries in the heap, tombstones included.
    #[cfg(test)]
    pub fn heap_len(&self) -> usize {
        self.heap.len()
    }

    /// Keys of live messages matching `pred`, in delivery order.
    pub fn live_messages_where(&self, mut pred: impl FnMut(&InFlight<M>) -> bool) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .heap
            .iter()
            .filter(|k| matches!(&self.slots[k.slot as usize], Entry::Message(m) if pred(m)))
            .copied()
            .collect();
        keys.sort_by_key(|k| (k.time, k.seq));
        keys
    }

    /// The message in a slot, if it holds a live one.
    pub fn message(&self, slot: u32) -> Option<&InFlight<M>> {
        match &self.slots[slot as usize] {
            Entry::Message(m) => Some(m),
            _ => None,
        }
    }

    fn release(&mut self, slot: u32) {
        self.slots[slot as usize] = Entry::Free { next: self.free };
        self.free = slot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(token: u64) -> Entry<()> {
        Entry::Timer {
            node: NodeId(0),
            token,
        }
    }

    fn pop_token(q: &mut EventQueue<()>) -> Option<(u64, u64)> {
        q.pop().map(|(t, e)| match e {
            Entry::Timer { token, .. } => (t, token),
            other => panic!("unexpected {other:?}"),
        })
    }

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = EventQueue::new();
        q.push(5, timer(1));
        q.push(3, timer(2));
        q.push(5, timer(3));
        q.push(3, timer(4));
        let order: Vec<_> = std::iter::from_fn(|| pop_token(&mut q)).collect();
        assert_eq!(order, vec![(3, 2), (3, 4), (5, 1), (5, 3)]);
    }

    #[test]
    fn cancelled_entries_are_skipped_and_slots_reused_only_after_pop() {
        let mut q = EventQueue::new();
        let a = q.push(1, timer(1));
        q.push(2, timer(2));
        assert!(matches!(q.cancel(a), Entry::Timer { token: 1, .. }));
        // The tombstone's slot must not be handed out while its key is queued.
        let c = q.push(3, timer(3));
        assert_ne!(a, c);
        assert_eq!(q.peek_time(), Some(2));
        assert_eq!(pop_token(&mut q), Some((2, 2)));
        // Now slot `a` is free again and gets reused.
        let d = q.push(4, timer(4));
        assert_ne!(d, c);
        assert_eq!(pop_token(&mut q), Some((3, 3)));
        assert_eq!(pop_token(&mut q), Some((4, 4)));
        assert_eq!(pop_token(&mut q), None);
        assert_eq!(q.peek_time(), None);
    }

    #[test]
    fn tombstones_are_compacted_without_changing_order() {
        let mut q = EventQueue::new();
        let keep: Vec<u64> = (0..100).map(|i| i * 7 % 100).collect();
        for &t in &keep {
            q.push(1_000 + t, timer(t));
        }
        // A timer re-armed 100k times: one live entry, many tombstones.
        let mut slot = q.push(1_000_000, timer(999));
        for i in 0..100_000 {
            q.cancel(slot);
            slot = q.push(1_000_000 + i, timer(999));
        }
        assert!(
            q.heap_len() < 2 * COMPACT_MIN + 200,
            "heap: {}",
            q.heap_len()
        );
        let mut sorted = keep.clone();
        sorted.sort();
        for t in sorted {
            assert_eq!(pop_token(&mut q), Some((1_000 + t, t)));
        }
        assert_eq!(pop_token(&mut q), Some((1_099_999, 999)));
        assert_eq!(pop_token(&mut q), None);
    }

    #[test]
    fn slab_does_not_grow_in_steady_state() {
        let mut q = EventQueue::new();
        for i in 0..10 {
            q.push(i, timer(i));
        }
        for i in 10..10_000 {
            q.pop().unwrap();
            q.push(i, timer(i));
        }
        assert_eq!(q.slots.len(), 10);
    }
}
