//! [`MemoryStorage`]: files in memory, with the OS page cache and the disk
//! modelled separately so simulations can tell a process crash (the page
//! cache survives and is eventually written back) from a power loss (only
//! what was fsynced survives).

use std::collections::BTreeMap;

use crate::storage::{path, DurableChange, Storage, StorageError};

#[derive(Debug, Default, Clone)]
pub struct MemoryStorage {
    /// What reads see: the page cache over the disk.
    cache: BTreeMap<String, Vec<u8>>,
    /// What survives a power loss.
    disk: BTreeMap<String, Vec<u8>>,
    /// Per file, the lowest byte changed in the cache since its last sync.
    dirty_from: BTreeMap<String, u64>,
    /// Durable changes not yet drained by an asynchronous backend.
    changes: Vec<DurableChange>,
    /// Per file, the lowest byte changed in the page cache since the last
    /// [`MemoryStorage::take_page_cache_changes`] (0 when it was removed or
    /// replaced). One entry per file, so it stays small when never drained.
    cache_changed_from: BTreeMap<String, u64>,
    quota: Option<u64>,
    used: u64,
}

impl MemoryStorage {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that refuses writes taking it over `quota` bytes in total.
    pub fn with_quota(quota: u64) -> Self {
        MemoryStorage {
            quota: Some(quota),
            ..Self::default()
        }
    }

    /// Bytes held by all files (as the page cache sees them).
    pub fn used_bytes(&self) -> u64 {
        self.used
    }

    /// The process died (kill -9): the kernel still holds every written page
    /// and writes it back, so everything written so far becomes durable.
    pub fn crash(&mut self) {
        let dirty: Vec<String> = self.dirty_from.keys().cloned().collect();
        for p in dirty {
            self.sync_path(&p);
        }
    }

    /// The machine lost power: the page cache is gone, only synced bytes
    /// (and files) remain.
    pub fn power_off(&mut self) {
        // The cache reverts to the disk copy from each file's first dirty byte.
        let dirty: Vec<(String, u64)> = self
            .dirty_from
            .iter()
            .map(|(p, d)| (p.clone(), *d))
            .collect();
        for (p, d) in dirty {
            self.mark_cache_changed(&p, d);
        }
        self.cache = self.disk.clone();
        self.dirty_from.clear();
        self.used = self.cache.values().map(|f| f.len() as u64).sum();
    }

    /// The file as reads see it.
    pub fn cached(&self, path: &str) -> Option<&[u8]> {
        self.cache.get(path).map(Vec::as_slice)
    }

    /// The file as it is on disk (what a power loss would leave).
    pub fn durable(&self, path: &str) -> Option<&[u8]> {
        self.disk.get(path).map(Vec::as_slice)
    }

    /// All paths, sorted (for inspection and tests).
    pub fn paths(&self) -> Vec<String> {
        self.cache.keys().cloned().collect()
    }

    /// Drains the durable changes since the last call, in order. An
    /// asynchronous backend (IndexedDB) persists each one from [`Self::durable`].
    pub fn take_changes(&mut self) -> Vec<DurableChange> {
        std::mem::take(&mut self.changes)
    }

    /// Drains, per file, the lowest byte changed in the page cache (what
    /// reads see) since the last call; a file changed from byte 0 may have
    /// been removed ([`Self::cached`] is `None`) or replaced. An asynchronous
    /// backend that mirrors the page cache (IndexedDB with relaxed durability,
    /// so a restarted worker finds what a crashed process left in the OS
    /// cache) rewrites each file from that byte.
    pub fn take_page_cache_changes(&mut self) -> BTreeMap<String, u64> {
        std::mem::take(&mut self.cache_changed_from)
    }

    /// Overwrites bytes of a file in both layers (tests: bit rot, torn pages).
    pub fn corrupt(&mut self, path: &str, offset: usize, bytes: &[u8]) {
        self.mark_cache_changed(path, offset as u64);
        for layer in [&mut self.cache, &mut self.disk] {
            if let Some(f) = layer.get_mut(path) {
                let end = (offset + bytes.len()).min(f.len());
                if offset < end {
                    f[offset..end].copy_from_slice(&bytes[..end - offset]);
                }
            }
        }
    }

    /// Cuts a file in both layers (tests: a torn tail after power loss).
    pub fn chop(&mut self, path: &str, len: usize) {
        self.mark_cache_changed(path, len as u64);
        for layer in [&mut self.cache, &mut self.disk] {
            if let Some(f) = layer.get_mut(path) {
                f.truncate(len);
            }
        }
        self.recount();
    }

    fn recount(&mut self) {
        self.used = self.cache.values().map(|f| f.len() as u64).sum();
    }

    fn mark_cache_changed(&mut self, p: &str, from: u64) {
        match self.cache_changed_from.get_mut(p) {
            Some(d) => *d = (*d).min(from),
            None => {
                self.cache_changed_from.insert(p.to_string(), from);
            }
        }
    }

    fn mark_dirty(&mut self, p: &str, from: u64) {
        self.mark_cache_changed(p, from);
        match self.dirty_from.get_mut(p) {
            Some(d) => *d = (*d).min(from),
            None => {
                self.dirty_from.insert(p.to_string(), from);
            }
        }
    }

    fn sync_path(&mut self, p: &str) {
        let Some(from) = self.dirty_from.remove(p) else {
            return;
        };
        let Some(c) = self.cache.get(p) else {
            return;
        };
        let d = self.disk.entry(p.to_string()).or_default();
        // Only the changed tail is copied: appends cost their own size.
        let from = from.min(d.len() as u64).min(c.len() as u64) as usize;
        d.truncate(from);
        d.extend_from_slice(&c[from..]);
        self.changes.push(DurableChange::Written {
            path: p.to_string(),
            from: from as u64,
        });
    }

    fn check_quota(&self, p: &str, growth: u64) -> Result<(), StorageError> {
        if let Some(quota) = self.quota {
            if self.used + growth > quota {
                return Err(StorageError::QuotaExceeded {
                    path: p.to_string(),
                    needed: growth,
                    used: self.used,
                    quota,
                });
            }
        }
        Ok(())
    }
}

impl Storage for MemoryStorage {
    fn list(&self, dir: &str) -> Result<Vec<String>, StorageError> {
        let prefix = format!("{dir}/");
        Ok(self
            .cache
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k[prefix.len()..].to_string())
            .filter(|n| !n.contains('/'))
            .collect())
    }

    fn read(&self, dir: &str, name: &str) -> Result<Vec<u8>, StorageError> {
        let p = path(dir, name);
        self.cache
            .get(&p)
            .cloned()
            .ok_or(StorageError::NotFound { path: p })
    }

    fn len(&self, dir: &str, name: &str) -> Option<u64> {
        self.cache.get(&path(dir, name)).map(|f| f.len() as u64)
    }

    fn write_at(
        &mut self,
        dir: &str,
        name: &str,
        offset: u64,
        data: &[u8],
    ) -> Result<(), StorageError> {
        let p = path(dir, name);
        let len = self.cache.get(&p).map_or(0, |f| f.len() as u64);
        if offset > len {
            return Err(StorageError::OutOfBounds {
                path: p,
                offset,
                len,
            });
        }
        let growth = (offset + data.len() as u64).saturating_sub(len);
        self.check_quota(&p, growth)?;
        let f = self.cache.entry(p.clone()).or_default();
        let at = offset as usize;
        let overlap = (f.len() - at).min(data.len());
        f[at..at + overlap].copy_from_slice(&data[..overlap]);
        f.extend_from_slice(&data[overlap..]);
        self.used += growth;
        self.mark_dirty(&p, offset);
        Ok(())
    }

    fn append(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError> {
        let p = path(dir, name);
        self.check_quota(&p, data.len() as u64)?;
        let f = self.cache.entry(p.clone()).or_default();
        let from = f.len() as u64;
        f.extend_from_slice(data);
        self.used += data.len() as u64;
        self.mark_dirty(&p, from);
        Ok(())
    }

    fn truncate(&mut self, dir: &str, name: &str, len: u64) -> Result<(), StorageError> {
        let p = path(dir, name);
        let f = self
            .cache
            .get_mut(&p)
            .ok_or_else(|| StorageError::NotFound { path: p.clone() })?;
        let cur = f.len() as u64;
        if len > cur {
            return Err(StorageError::OutOfBounds {
                path: p,
                offset: len,
                len: cur,
            });
        }
        f.truncate(len as usize);
        self.used -= cur - len;
        self.mark_dirty(&p, len);
        Ok(())
    }

    fn delete(&mut self, dir: &str, name: &str) -> Result<(), StorageError> {
        // Unlinking is a metadata operation: modelled as immediately durable.
        let p = path(dir, name);
        if let Some(f) = self.cache.remove(&p) {
            self.used -= f.len() as u64;
            self.mark_cache_changed(&p, 0);
        }
        self.dirty_from.remove(&p);
        if self.disk.remove(&p).is_some() {
            self.changes.push(DurableChange::Deleted { path: p });
        }
        Ok(())
    }

    fn rename(&mut self, dir: &str, from: &str, to: &str) -> Result<(), StorageError> {
        let pf = path(dir, from);
        let pt = path(dir, to);
        let f = self
            .cache
            .remove(&pf)
            .ok_or_else(|| StorageError::NotFound { path: pf.clone() })?;
        if let Some(old) = self.cache.insert(pt.clone(), f) {
            self.used -= old.len() as u64;
        }
        self.mark_cache_changed(&pf, 0);
        self.mark_cache_changed(&pt, 0);
        self.dirty_from.remove(&pt);
        if let Some(d) = self.dirty_from.remove(&pf) {
            self.dirty_from.insert(pt.clone(), d);
        }
        // The rename itself is durable (journaled metadata); unsynced data
        // stays unsynced under the new name.
        match self.disk.remove(&pf) {
            Some(d) => {
                self.disk.insert(pt.clone(), d);
                self.changes.push(DurableChange::Deleted { path: pf });
                self.changes
                    .push(DurableChange::Written { path: pt, from: 0 });
            }
            None => {
                if self.disk.remove(&pt).is_some() {
                    self.changes
                        .push(DurableChange::Deleted { path: pt.clone() });
                }
                self.mark_dirty(&pt, 0);
            }
        }
        Ok(())
    }

    fn sync(&mut self, dir: &str, name: &str) -> Result<(), StorageError> {
        let p = path(dir, name);
        if !self.cache.contains_key(&p) {
            return Err(StorageError::NotFound { path: p });
        }
        self.sync_path(&p);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_off_keeps_only_synced_bytes() {
        let mut s = MemoryStorage::new();
        s.append("t-0", "a.log", b"hello").unwrap();
        s.sync("t-0", "a.log").unwrap();
        s.append("t-0", "a.log", b" world").unwrap();
        s.append("t-0", "b.log", b"new").unwrap();
        assert_eq!(s.read("t-0", "a.log").unwrap(), b"hello world");
        s.power_off();
        assert_eq!(s.read("t-0", "a.log").unwrap(), b"hello");
        assert_eq!(s.len("t-0", "b.log"), None);
        assert_eq!(s.used_bytes(), 5);
    }

    #[test]
    fn crash_keeps_the_page_cache() {
        let mut s = MemoryStorage::new();
        s.append("t-0", "a.log", b"hello").unwrap();
        s.crash();
        s.power_off();
        assert_eq!(s.read("t-0", "a.log").unwrap(), b"hello");
    }

    #[test]
    fn truncate_then_sync_shrinks_the_disk_copy() {
        let mut s = MemoryStorage::new();
        s.append("d", "f", b"abcdef").unwrap();
        s.sync("d", "f").unwrap();
        s.truncate("d", "f", 2).unwrap();
        s.append("d", "f", b"XY").unwrap();
        s.sync("d", "f").unwrap();
        assert_eq!(s.durable("d/f").unwrap(), b"abXY");
        let ch = s.take_changes();
        assert_eq!(
            ch,
            vec![
                DurableChange::Written {
                    path: "d/f".into(),
                    from: 0
                },
                DurableChange::Written {
                    path: "d/f".into(),
                    from: 2
                },
            ]
        );
        assert!(s.take_changes().is_empty());
    }

    #[test]
    fn quota_is_enforced_with_a_clear_error() {
        let mut s = MemoryStorage::with_quota(8);
        s.append("d", "f", b"12345").unwrap();
        let e = s.append("d", "f", b"6789").unwrap_err();
        assert!(matches!(
            e,
            StorageError::QuotaExceeded {
                needed: 4,
                used: 5,
                quota: 8,
                ..
            }
        ));
        assert!(e.to_string().contains("d/f"), "{e}");
        s.truncate("d", "f", 1).unwrap();
        s.append("d", "f", b"6789").unwrap();
        assert_eq!(s.used_bytes(), 5);
    }

    #[test]
    fn list_is_per_directory_and_rename_moves_durability() {
        let mut s = MemoryStorage::new();
        s.append("t-0", "x.cleaned", b"1").unwrap();
        s.sync("t-0", "x.cleaned").unwrap();
        s.append("t-1", "y", b"2").unwrap();
        s.append("t-0/sub", "z", b"3").unwrap();
        s.rename("t-0", "x.cleaned", "x.log").unwrap();
        assert_eq!(s.list("t-0").unwrap(), vec!["x.log".to_string()]);
        s.power_off();
        assert_eq!(s.read("t-0", "x.log").unwrap(), b"1");
        assert_eq!(
            s.write_at("t-0", "x.log", 5, b"!").unwrap_err(),
            StorageError::OutOfBounds {
                path: "t-0/x.log".into(),
                offset: 5,
                len: 1
            }
        );
    }

    /// What an asynchronous backend (IndexedDB) does: apply each drained
    /// change by copying the durable bytes from `from` on.
    fn apply(
        mirror: &mut BTreeMap<String, Vec<u8>>,
        s: &MemoryStorage,
        changes: Vec<DurableChange>,
    ) {
        for c in changes {
            match c {
                DurableChange::Deleted { path } => {
                    mirror.remove(&path);
                }
                DurableChange::Written { path, from } => {
                    // Later changes may have deleted or renamed it already.
                    let Some(d) = s.durable(&path) else { continue };
                    let f = mirror.entry(path).or_default();
                    let from = (from as usize).min(f.len()).min(d.len());
                    f.truncate(from);
                    f.extend_from_slice(&d[from..]);
                }
            }
        }
    }

    /// What a page-cache mirror does: rewrite each changed file from its
    /// first changed byte, or remove it.
    fn apply_cache(
        mirror: &mut BTreeMap<String, Vec<u8>>,
        s: &MemoryStorage,
        changes: BTreeMap<String, u64>,
    ) {
        for (path, from) in changes {
            match s.cached(&path) {
                None => {
                    mirror.remove(&path);
                }
                Some(c) => {
                    let f = mirror.entry(path).or_default();
                    let from = (from as usize).min(f.len()).min(c.len());
                    f.truncate(from);
                    f.extend_from_slice(&c[from..]);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn drained_changes_rebuild_the_disk_and_the_page_cache(ops in proptest::collection::vec((0u8..8, 0u8..3, 0usize..20), 1..60)) {
            let mut s = MemoryStorage::new();
            let mut mirror = BTreeMap::new();
            let mut cache_mirror = BTreeMap::new();
            let names = ["a", "b", "c"];
            for (op, f, n) in ops {
                let name = names[f as usize];
                match op {
                    0 | 1 => s.append("d", name, &vec![n as u8; n]).unwrap(),
                    2 => {
                        let len = s.len("d", name).unwrap_or(0);
                        let at = (n as u64).min(len);
                        s.write_at("d", name, at, &[7, 7, 7]).unwrap();
                    }
                    3 => {
                        if let Some(len) = s.len("d", name) {
                            s.truncate("d", name, (n as u64).min(len)).unwrap();
                        }
                    }
                    4 => s.delete("d", name).unwrap(),
                    5 => {
                        let to = names[(f as usize + 1) % 3];
                        if s.len("d", name).is_some() {
                            s.rename("d", name, to).unwrap();
                        }
                    }
                    6 => {
                        if s.len("d", name).is_some() {
                            s.sync("d", name).unwrap();
                        }
                    }
                    _ => {
                        if n < 3 {
                            s.power_off();
                        } else {
                            s.crash();
                        }
                    }
                }
                if n % 4 == 0 {
                    let changes = s.take_changes();
                    apply(&mut mirror, &s, changes);
                }
                if n % 3 == 0 {
                    let changes = s.take_page_cache_changes();
                    apply_cache(&mut cache_mirror, &s, changes);
                }
            }
            let changes = s.take_changes();
            apply(&mut mirror, &s, changes);
            let disk: BTreeMap<String, Vec<u8>> = s.disk.clone();
            proptest::prop_assert_eq!(mirror, disk);
            let changes = s.take_page_cache_changes();
            apply_cache(&mut cache_mirror, &s, changes);
            proptest::prop_assert_eq!(cache_mirror, s.cache.clone());
        }
    }
}
