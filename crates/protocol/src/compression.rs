//! Compression codecs of the records section (attributes bits 0-2).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

/// Decompressed output is capped here so a hostile batch cannot make us
/// allocate without bound.
pub const MAX_DECOMPRESSED: usize = 256 << 20;

impl Compression {
    pub fn id(self) -> u8 {
        match self {
            Self::None => 0,
            Self::Gzip => 1,
            Self::Snappy => 2,
            Self::Lz4 => 3,
            Self::Zstd => 4,
        }
    }

    pub fn from_id(id: u8) -> Option<Self> {
        Some(match id {
            0 => Self::None,
            1 => Self::Gzip,
            2 => Self::Snappy,
            3 => Self::Lz4,
            4 => Self::Zstd,
            _ => return None,
        })
    }

    /// Kafka's `compression.type` / dump-log `compresscodec` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Snappy => "snappy",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::None, Self::Gzip, Self::Snappy, Self::Lz4, Self::Zstd]
            .into_iter()
            .find(|c| c.name() == name)
    }
}

/// Appends `data` compressed with `codec` to `out`.
pub fn compress(codec: Compression, data: &[u8], out: &mut Vec<u8>) {
    match codec {
        Compression::None => out.extend_from_slice(data),
        other => unimplemented!("{} compression is being written", other.name()),
    }
}

/// Decompresses `data`; output over `limit` bytes is an error.
pub fn decompress(codec: Compression, data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    match codec {
        Compression::None if data.len() <= limit => Ok(data.to_vec()),
        Compression::None => Err(format!("more than {limit} bytes")),
        other => Err(format!("{} decompression is being written", other.name())),
    }
}
