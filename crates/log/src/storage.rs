//! The file-level interface through which a [`Log`](crate::Log) persists and
//! reloads its partition directory.
//!
//! The log itself is synchronous and keeps every segment's bytes in memory
//! (the browser has no mmap), so storage only has to *receive* writes and hand
//! files back whole on open. That shape lets an implementation keep its own
//! in-memory copy and persist asynchronously (IndexedDB): it records which
//! files changed durably ([`DurableChange`]) and the owner drains them.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Why a storage operation failed. Always names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    NotFound {
        path: String,
    },
    /// Writing would take the store over its quota (browser: IndexedDB quota).
    QuotaExceeded {
        path: String,
        needed: u64,
        used: u64,
        quota: u64,
    },
    /// A write or truncate past the end of the file.
    OutOfBounds {
        path: String,
        offset: u64,
        len: u64,
    },
    AlreadyExists {
        path: String,
    },
    /// Anything else an implementation reports (message from the backend).
    Other {
        path: String,
        message: String,
    },
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound { path } => write!(f, "{path}: no such file"),
            Self::QuotaExceeded {
                path,
                needed,
                used,
                quota,
            } => write!(
                f,
                "{path}: storage quota exceeded (writing {needed} bytes with {used} of {quota} bytes used)"
            ),
            Self::OutOfBounds { path, offset, len } => {
                write!(f, "{path}: offset {offset} is past the end of the file ({len} bytes)")
            }
            Self::AlreadyExists { path } => write!(f, "{path}: file already exists"),
            Self::Other { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for StorageError {}

/// Joins a partition directory and a file name the way every store names files.
pub fn path(dir: &str, name: &str) -> String {
    format!("{dir}/{name}")
}

/// Files of partition directories (`topic-0/00000000000000000000.log`).
///
/// Writes land in a volatile layer (the OS page cache); [`Storage::sync`] makes
/// one file durable (fsync). Which layer survives which failure is the
/// implementation's business ([`MemoryStorage`](crate::MemoryStorage) models both).
pub trait Storage {
    /// Names (not paths) of the files in `dir`, sorted.
    fn list(&self, dir: &str) -> Result<Vec<String>, StorageError>;
    /// The whole file.
    fn read(&self, dir: &str, name: &str) -> Result<Vec<u8>, StorageError>;
    /// The file's length, `None` when it does not exist.
    fn len(&self, dir: &str, name: &str) -> Option<u64>;
    /// Writes `data` at `offset` (at most the current length: no holes),
    /// creating the file when it does not exist.
    fn write_at(
        &mut self,
        dir: &str,
        name: &str,
        offset: u64,
        data: &[u8],
    ) -> Result<(), StorageError>;
    /// Appends at the end, creating the file when it does not exist.
    fn append(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError>;
    /// Cuts the file to `len` bytes (at most its length).
    fn truncate(&mut self, dir: &str, name: &str, len: u64) -> Result<(), StorageError>;
    /// Removes the file; removing a missing file is not an error (Kafka's `deleteIfExists`).
    fn delete(&mut self, dir: &str, name: &str) -> Result<(), StorageError>;
    /// Renames within `dir`, replacing `to` (atomic, like `Files.move(ATOMIC_MOVE)`).
    fn rename(&mut self, dir: &str, from: &str, to: &str) -> Result<(), StorageError>;
    /// Makes the file's current contents durable (fsync).
    fn sync(&mut self, dir: &str, name: &str) -> Result<(), StorageError>;
    /// Replaces the whole file with `data` (small metadata files: checkpoints).
    fn write_file(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError> {
        self.write_at(dir, name, 0, data)?;
        self.truncate(dir, name, data.len() as u64)
    }
}

/// One store shared by several logs (a broker's partitions share one disk),
/// while the owner keeps a handle to crash or inspect it.
#[derive(Debug, Default)]
pub struct Shared<S>(Rc<RefCell<S>>);

impl<S> Clone for Shared<S> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<S> Shared<S> {
    pub fn new(inner: S) -> Self {
        Shared(Rc::new(RefCell::new(inner)))
    }
    pub fn borrow(&self) -> std::cell::Ref<'_, S> {
        self.0.borrow()
    }
    pub fn borrow_mut(&self) -> std::cell::RefMut<'_, S> {
        self.0.borrow_mut()
    }
}

impl<S: Storage> Storage for Shared<S> {
    fn list(&self, dir: &str) -> Result<Vec<String>, StorageError> {
        self.0.borrow().list(dir)
    }
    fn read(&self, dir: &str, name: &str) -> Result<Vec<u8>, StorageError> {
        self.0.borrow().read(dir, name)
    }
    fn len(&self, dir: &str, name: &str) -> Option<u64> {
        self.0.borrow().len(dir, name)
    }
    fn write_at(
        &mut self,
        dir: &str,
        name: &str,
        offset: u64,
        data: &[u8],
    ) -> Result<(), StorageError> {
        self.0.borrow_mut().write_at(dir, name, offset, data)
    }
    fn append(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError> {
        self.0.borrow_mut().append(dir, name, data)
    }
    fn truncate(&mut self, dir: &str, name: &str, len: u64) -> Result<(), StorageError> {
        self.0.borrow_mut().truncate(dir, name, len)
    }
    fn delete(&mut self, dir: &str, name: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().delete(dir, name)
    }
    fn rename(&mut self, dir: &str, from: &str, to: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().rename(dir, from, to)
    }
    fn sync(&mut self, dir: &str, name: &str) -> Result<(), StorageError> {
        self.0.borrow_mut().sync(dir, name)
    }
    fn write_file(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError> {
        self.0.borrow_mut().write_file(dir, name, data)
    }
}

/// Boxed stores (`Box<dyn Storage>`) are stores too.
impl<T: Storage + ?Sized> Storage for Box<T> {
    fn list(&self, dir: &str) -> Result<Vec<String>, StorageError> {
        (**self).list(dir)
    }
    fn read(&self, dir: &str, name: &str) -> Result<Vec<u8>, StorageError> {
        (**self).read(dir, name)
    }
    fn len(&self, dir: &str, name: &str) -> Option<u64> {
        (**self).len(dir, name)
    }
    fn write_at(
        &mut self,
        dir: &str,
        name: &str,
        offset: u64,
        data: &[u8],
    ) -> Result<(), StorageError> {
        (**self).write_at(dir, name, offset, data)
    }
    fn append(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError> {
        (**self).append(dir, name, data)
    }
    fn truncate(&mut self, dir: &str, name: &str, len: u64) -> Result<(), StorageError> {
        (**self).truncate(dir, name, len)
    }
    fn delete(&mut self, dir: &str, name: &str) -> Result<(), StorageError> {
        (**self).delete(dir, name)
    }
    fn rename(&mut self, dir: &str, from: &str, to: &str) -> Result<(), StorageError> {
        (**self).rename(dir, from, to)
    }
    fn sync(&mut self, dir: &str, name: &str) -> Result<(), StorageError> {
        (**self).sync(dir, name)
    }
    fn write_file(&mut self, dir: &str, name: &str, data: &[u8]) -> Result<(), StorageError> {
        (**self).write_file(dir, name, data)
    }
}

/// A durable change an asynchronous backend must persist. For `Written`, the
/// bytes before `from` are unchanged since the previous change of that file:
/// keep `min(from, persisted len, durable len)` bytes of the persisted copy
/// and append the rest of `MemoryStorage::durable(path)` (skip it when the
/// file no longer exists: a later change removed or renamed it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurableChange {
    Written { path: String, from: u64 },
    Deleted { path: String },
}
