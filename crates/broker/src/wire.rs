//! What the router and a broker worker say to each other, and the codec.
//!
//! Each broker runs in its own web worker; the router (the simulator, in
//! another worker) hands it [`ToBroker`] messages and gets [`FromBroker`]
//! answers back, as compact binary ([postcard]). Every type inside
//! ([`Input`], [`Output`], [`crate::api::Msg`], [`BrokerConfig`] and what
//! they contain) derives serde's traits; the two fields a derive cannot
//! carry through postcard have their own (de)serializers here:
//! [`event_kind`] and [`json_value`].
//!
//! [`decode`] never panics: a message that does not decode is a
//! [`WireError`] saying which type, how long, at which byte and why.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use log::{MemoryStorage, Storage};

use crate::api::Msg;
use crate::query::{BrokerAnswer, BrokerQuery};
use crate::{BrokerConfig, Input, Output};

/// From the router to a broker worker.
// Boxing the config or the input would cost an allocation per message to
// save a copy; both are decoded once and moved in.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Serialize, Deserialize)]
pub enum ToBroker {
    /// Start the broker on its stored log directory: with `fresh`, an
    /// empty one (a new cluster); otherwise what is stored, after a crash
    /// (the page cache was written back) or, with `power_loss`, after a
    /// power-off (only synced bytes survived).
    Start {
        config: BrokerConfig,
        fresh: bool,
        power_loss: bool,
    },
    /// Feed one input at virtual time `now` ([`crate::Broker::handle`]).
    Handle { now: u64, input: Input },
    /// A read-only question about the broker's state.
    Query { query: BrokerQuery },
    /// The process dies (`power_off`: the machine loses power too, so the
    /// unsynced page cache is lost). Answered with [`FromBroker::Disk`].
    Kill { power_off: bool },
}

/// From a broker worker to the router.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromBroker {
    /// Everything one [`ToBroker::Handle`] produced, in order, and what
    /// went wrong in the background since the last reply (a write to
    /// IndexedDB that failed and will be retried).
    Outputs {
        outputs: Vec<Output>,
        notes: Vec<String>,
    },
    /// The answer to a [`ToBroker::Query`].
    Answer(BrokerAnswer),
    /// The worker could not do what it was asked (a message that did not
    /// decode, a log directory that did not open, ...).
    Failed { message: String },
    /// The broker started ([`ToBroker::Start`]) and takes inputs; `notes`
    /// name stored data that was damaged and cut off, and `disk` is the log
    /// directory the process found (what it recovers from: after a
    /// restart, what its store gave back, which is not what the last
    /// process left when the store was damaged meanwhile).
    Ready { notes: Vec<String>, disk: DiskFiles },
    /// The log directory a killed process left ([`ToBroker::Kill`]).
    Disk(DiskFiles),
}

/// A log directory as files (path, bytes), as its disk holds them: what a
/// killed broker process hands back, and what a restarted one finds.
pub type DiskFiles = Vec<(String, Vec<u8>)>;

/// The files of `disk` (its page cache: after a crash or power cut that is
/// also what is on disk).
pub fn disk_files(disk: &MemoryStorage) -> DiskFiles {
    disk.paths()
        .into_iter()
        .filter_map(|p| disk.cached(&p).map(|b| (p.clone(), b.to_vec())))
        .collect()
}

/// A log directory holding `files`, all on disk (what a new process over
/// a stored directory starts from).
pub fn disk_from_files(files: &DiskFiles) -> Result<MemoryStorage, String> {
    let mut disk = MemoryStorage::new();
    for (path, bytes) in files {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        disk.write_file(dir, name, bytes)
            .and_then(|()| disk.sync(dir, name))
            .map_err(|e| format!("restoring {path}: {e}"))?;
    }
    disk.take_changes();
    disk.take_page_cache_changes();
    Ok(disk)
}

/// The types [`encode`] and [`decode`] take: the envelopes, and what they
/// carry (for the router's own use and for tests). Sealed, because
/// `encode` relies on every one of them serializing without error.
pub trait WireMessage: Serialize + DeserializeOwned + sealed::Sealed {
    /// The type's name, for error messages.
    const NAME: &'static str;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! wire_messages {
    ($($t:ty => $name:literal),* $(,)?) => {
        $(
            impl sealed::Sealed for $t {}
            impl WireMessage for $t {
                const NAME: &'static str = $name;
            }
        )*
    };
}

wire_messages! {
    ToBroker => "ToBroker",
    FromBroker => "FromBroker",
    Input => "Input",
    Output => "Output",
    Msg => "Msg",
    BrokerConfig => "BrokerConfig",
}

/// A message as postcard bytes.
pub fn encode<T: WireMessage>(value: &T) -> Vec<u8> {
    // postcard's serializer only fails for sequences of unknown length and
    // for errors a `Serialize` impl raises; the wire types have neither
    // (derived impls over sized collections, plus the two infallible ones
    // below), which the round-trip tests exercise for every variant.
    postcard::to_allocvec(value)
        .unwrap_or_else(|e| unreachable!("{} did not serialize: {e}", T::NAME))
}

/// A message back from postcard bytes: all of `bytes`, nothing left over.
pub fn decode<T: WireMessage>(bytes: &[u8]) -> Result<T, WireError> {
    take_custom_reason(); // nothing stale from an earlier failure
    let mut de = postcard::Deserializer::from_bytes(bytes);
    let result = T::deserialize(&mut de);
    // The slice flavor's remainder is the unread tail: its length gives
    // the byte decoding stopped at.
    let left = de.finalize().map_or(0, |rest| rest.len());
    let at = bytes.len() - left;
    let error = |reason: String| WireError {
        message: T::NAME,
        len: bytes.len(),
        at,
        reason,
    };
    match result {
        Ok(_) if left > 0 => Err(error(format!(
            "{left} bytes are left over after a complete message"
        ))),
        Ok(value) => Ok(value),
        Err(e) => Err(error(reason(e))),
    }
}

/// A message that did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// The type being decoded (`ToBroker`, `FromBroker`, ...).
    pub message: &'static str,
    /// The message's length in bytes.
    pub len: usize,
    /// The byte decoding stopped at (0-based; `len` when it ran out).
    pub at: usize,
    pub reason: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode a {} message ({} bytes): at byte {}: {}",
            self.message, self.len, self.at, self.reason
        )
    }
}

impl std::error::Error for WireError {}

fn reason(e: postcard::Error) -> String {
    use postcard::Error as E;
    match e {
        E::DeserializeUnexpectedEnd => "the message ends too early".into(),
        E::DeserializeBadVarint => "a number is not a valid varint or is too large".into(),
        E::DeserializeBadBool => "a bool is neither 0 nor 1".into(),
        E::DeserializeBadChar => "a char is not a Unicode scalar value".into(),
        E::DeserializeBadUtf8 => "a string is not valid UTF-8".into(),
        E::DeserializeBadOption => "an Option tag is neither 0 nor 1".into(),
        E::DeserializeBadEnum => "an enum tag is out of range".into(),
        // postcard drops the message a serde impl gives; ours are saved.
        E::SerdeDeCustom => take_custom_reason().unwrap_or_else(|| {
            "a value is not valid here (an unknown enum variant or a number out of range)".into()
        }),
        other => other.to_string(),
    }
}

std::thread_local! {
    /// The reason our own deserializers gave, which postcard's error loses.
    static CUSTOM_REASON: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn custom<E: serde::de::Error>(reason: String) -> E {
    let error = E::custom(&reason);
    CUSTOM_REASON.with(|r| *r.borrow_mut() = Some(reason));
    error
}

fn take_custom_reason() -> Option<String> {
    CUSTOM_REASON.with(|r| r.borrow_mut().take())
}

/// Event kinds are `&'static str` (the broker names them with literals);
/// a decoded kind is interned, leaking each distinct name once. The bounds
/// keep a hostile message from leaking without limit (the broker has a few
/// dozen kinds, each a short kebab-case name).
const MAX_EVENT_KINDS: usize = 1024;
const MAX_EVENT_KIND_LEN: usize = 64;
static EVENT_KINDS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// Deserializes [`Output::Event`]'s `kind` (a derive cannot produce a
/// `&'static str` from a message that does not live forever).
pub fn event_kind<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let kind = String::deserialize(d)?;
    if kind.len() > MAX_EVENT_KIND_LEN {
        return Err(custom(format!(
            "an event kind is {} bytes long (at most {MAX_EVENT_KIND_LEN})",
            kind.len()
        )));
    }
    let mut kinds = EVENT_KINDS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&known) = kinds.get(kind.as_str()) {
        return Ok(known);
    }
    if kinds.len() >= MAX_EVENT_KINDS {
        return Err(custom(format!(
            "event kind {kind:?} is one too many distinct kinds (at most {MAX_EVENT_KINDS})"
        )));
    }
    let kind: &'static str = Box::leak(kind.into_boxed_str());
    kinds.insert(kind);
    Ok(kind)
}

/// [`Output::Event`]'s `detail` as its JSON text: `serde_json::Value`'s own
/// impls need a self-describing format (`deserialize_any`), which postcard
/// is not. serde_json's parser also bounds nesting (128 levels), so a
/// hostile detail cannot overflow the stack.
pub mod json_value {
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn serialize<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text)
            .map_err(|e| super::custom(format!("an event detail is not valid JSON: {e}")))
    }
}

#[cfg(test)]
mod tests;
