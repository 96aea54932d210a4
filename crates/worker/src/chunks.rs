//! How a file is cut into IndexedDB values and put back together (pure, so
//! it is tested natively too).
//!
//! A file is stored as chunks `[name, 0]`, `[name, 1]`, ... of exactly
//! [`CHUNK_SIZE`] bytes except the last, plus its length. Chromium moves
//! values over 64 KiB out of its LevelDB into blob files, which is much
//! slower, so no chunk is larger.

/// Largest chunk stored as one IndexedDB value.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// The name a log path is stored under: Kafka's data-dir relative name.
/// The log crate joins `dir/name`, so a broker-level file (`dir` empty, e.g.
/// `replication-offset-checkpoint`) arrives as `/replication-offset-checkpoint`.
pub fn stored_name(path: &str) -> &str {
    path.strip_prefix('/').unwrap_or(path)
}

/// A stored name back as the log's `(dir, name)`.
pub fn split_stored(name: &str) -> (&str, &str) {
    name.rsplit_once('/').unwrap_or(("", name))
}

/// What to write for one changed file so its stored copy equals `content`,
/// given that its bytes before `from` are already stored.
#[derive(Debug, PartialEq, Eq)]
pub enum ChunkPlan<'a> {
    /// The file is gone: delete its chunks and its length.
    Remove,
    /// Delete chunks `first..` (stale tails of a shrunk file go too), put
    /// `chunks` as `first, first + 1, ...`, and record `len`.
    Rewrite {
        first: u32,
        chunks: Vec<&'a [u8]>,
        len: u64,
    },
}

pub fn plan(from: u64, content: Option<&[u8]>) -> ChunkPlan<'_> {
    let Some(bytes) = content else {
        return ChunkPlan::Remove;
    };
    let from = (from as usize).min(bytes.len());
    let first = from / CHUNK_SIZE;
    // The chunk holding `from` is rewritten whole from the image: no read
    // of the stored partial chunk is needed.
    let chunks = bytes[first * CHUNK_SIZE..].chunks(CHUNK_SIZE).collect();
    ChunkPlan::Rewrite {
        first: first as u32,
        chunks,
        len: bytes.len() as u64,
    }
}

/// One stored file read back.
#[derive(Debug, PartialEq, Eq)]
pub struct Assembled {
    /// The bytes that could be trusted (a prefix of the file).
    pub bytes: Vec<u8>,
    /// Why the rest was dropped, naming the file and the chunk.
    pub damage: Option<String>,
}

/// Puts file `name` (recorded as `len` bytes) back together from its
/// chunks in key order: `(index, bytes or None when the value is not a byte
/// array)`. Stops at the first missing, malformed or wrongly sized chunk and
/// keeps what came before it.
pub fn assemble(
    name: &str,
    len: u64,
    chunks: impl IntoIterator<Item = (u32, Option<Vec<u8>>)>,
) -> Assembled {
    let len = len as usize;
    let mut bytes = Vec::with_capacity(len);
    let mut damage = None;
    let mut expected = 0u32;
    for (index, value) in chunks {
        if bytes.len() >= len {
            // A stale chunk past the end (a torn shrink): harmless, skipped.
            break;
        }
        let want = (len - bytes.len()).min(CHUNK_SIZE);
        let problem = match value {
            _ if index != expected => Some(format!("chunk {expected} is missing")),
            None => Some(format!("chunk {index} is not a byte array")),
            Some(v) if v.len() != want => {
                let keep = v.len().min(want);
                bytes.extend_from_slice(&v[..keep]);
                Some(format!(
                    "chunk {index} holds {} bytes instead of {want}",
                    v.len()
                ))
            }
            Some(v) => {
                bytes.extend_from_slice(&v);
                None
            }
        };
        if problem.is_some() {
            damage = problem;
            break;
        }
        expected += 1;
    }
    if damage.is_none() && bytes.len() < len {
        damage = Some(format!("chunk {expected} is missing"));
    }
    let damage = damage.map(|why| {
        format!(
            "{name}: {why}; kept the first {} of {len} bytes",
            bytes.len()
        )
    });
    Assembled { bytes, damage }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn file(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn stored(bytes: &[u8]) -> Vec<(u32, Option<Vec<u8>>)> {
        bytes
            .chunks(CHUNK_SIZE)
            .enumerate()
            .map(|(i, c)| (i as u32, Some(c.to_vec())))
            .collect()
    }

    #[test]
    fn names_follow_the_data_dir_layout() {
        assert_eq!(
            stored_name("/replication-offset-checkpoint"),
            "replication-offset-checkpoint"
        );
        assert_eq!(split_stored("replication-offset-checkpoint").0, "");
        assert_eq!(
            split_stored(stored_name("t-0/00000000000000000000.log")),
            ("t-0", "00000000000000000000.log")
        );
    }

    #[test]
    fn appends_rewrite_only_from_the_changed_chunk() {
        let f = file(CHUNK_SIZE * 2 + 10);
        match plan(CHUNK_SIZE as u64 + 5, Some(&f)) {
            ChunkPlan::Rewrite { first, chunks, len } => {
                assert_eq!(first, 1);
                assert_eq!(chunks.len(), 2);
                assert_eq!(chunks[0], &f[CHUNK_SIZE..CHUNK_SIZE * 2]);
                assert_eq!(chunks[1].len(), 10);
                assert_eq!(len, f.len() as u64);
            }
            other => panic!("{other:?}"),
        }
        // A file truncated to a chunk boundary writes nothing but its length.
        let g = file(CHUNK_SIZE);
        assert_eq!(
            plan(CHUNK_SIZE as u64 + 7, Some(&g)),
            ChunkPlan::Rewrite {
                first: 1,
                chunks: vec![],
                len: CHUNK_SIZE as u64
            }
        );
        assert_eq!(plan(0, None), ChunkPlan::Remove);
    }

    #[test]
    fn whole_files_come_back() {
        for len in [0, 1, CHUNK_SIZE, CHUNK_SIZE * 3 + 1] {
            let f = file(len);
            let a = assemble("t-0/a.log", len as u64, stored(&f));
            assert_eq!(a.damage, None, "{len}");
            assert_eq!(a.bytes, f);
        }
        // Stale chunks past the recorded length are ignored.
        let f = file(CHUNK_SIZE);
        let mut chunks = stored(&f);
        chunks.push((1, Some(vec![9; 5])));
        assert_eq!(assemble("x", CHUNK_SIZE as u64, chunks).bytes, f);
    }

    #[test]
    fn damage_keeps_the_good_prefix_and_says_where() {
        let f = file(CHUNK_SIZE * 3);
        let mut missing = stored(&f);
        missing.remove(1);
        let a = assemble("t-0/a.log", f.len() as u64, missing);
        assert_eq!(a.bytes, &f[..CHUNK_SIZE]);
        assert_eq!(
            a.damage.as_deref(),
            Some("t-0/a.log: chunk 1 is missing; kept the first 65536 of 196608 bytes")
        );

        let mut not_bytes = stored(&f);
        not_bytes[2].1 = None;
        let a = assemble("t-0/a.log", f.len() as u64, not_bytes);
        assert_eq!(a.bytes.len(), CHUNK_SIZE * 2);
        assert!(a.damage.unwrap().contains("chunk 2 is not a byte array"));

        let mut short = stored(&f);
        short[0].1 = Some(vec![0; 100]);
        let a = assemble("t-0/a.log", f.len() as u64, short);
        assert_eq!(a.bytes.len(), 100);
        assert!(a
            .damage
            .unwrap()
            .contains("chunk 0 holds 100 bytes instead of 65536"));

        let tail_lost = stored(&f)[..2].to_vec();
        let a = assemble("t-0/a.log", f.len() as u64, tail_lost);
        assert_eq!(a.bytes.len(), CHUNK_SIZE * 2);
        assert!(a.damage.unwrap().contains("chunk 2 is missing"));
    }
}
