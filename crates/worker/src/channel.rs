//! The reply channel from a broker worker back to the router: a
//! `SharedArrayBuffer` and `Atomics.wait`.
//!
//! Why not `postMessage` both ways: the router is the simulator, which
//! runs an event to the end before the next one — the broker's outputs for
//! this event decide what comes next. A worker cannot receive a message
//! in the middle of running code, but it can block on `Atomics.wait` (a
//! dedicated worker may; the page may not). So requests go out as posted
//! ArrayBuffers (transferred, not copied) and the router blocks until the
//! broker worker has written its reply here. Replies larger than the
//! buffer go in chunks, the writer waiting for each to be taken.
//!
//! Layout: two `i32`s — the state and the length of the chunk in the
//! buffer — then [`CAPACITY`] bytes of data.

use js_sys::{Atomics, Int32Array, SharedArrayBuffer, Uint8Array};

/// Bytes of reply the buffer holds at once.
pub const CAPACITY: u32 = 1 << 20;
const HEADER: u32 = 8;

const STATE: u32 = 0;
const LEN: u32 = 1;

/// Nothing to read (the router waits).
const IDLE: i32 = 0;
/// A chunk with more to follow.
const CHUNK: i32 = 1;
/// The last chunk of a reply.
const LAST: i32 = 2;
/// The router copied the chunk; the writer may put the next one.
const TAKEN: i32 = 3;

pub struct Channel {
    buffer: SharedArrayBuffer,
    header: Int32Array,
    data: Uint8Array,
}

impl Channel {
    /// A new channel (the router makes one per broker worker).
    pub fn new() -> Channel {
        Channel::over(SharedArrayBuffer::new(HEADER + CAPACITY))
    }

    /// The channel over `buffer` (the broker worker's side).
    pub fn over(buffer: SharedArrayBuffer) -> Channel {
        let header = Int32Array::new_with_byte_offset_and_length(&buffer, 0, 2);
        let data = Uint8Array::new_with_byte_offset_and_length(&buffer, HEADER, CAPACITY);
        Channel {
            buffer,
            header,
            data,
        }
    }

    pub fn buffer(&self) -> &SharedArrayBuffer {
        &self.buffer
    }

    fn state(&self) -> Result<i32, String> {
        Atomics::load(&self.header, STATE).map_err(|e| format!("Atomics.load: {e:?}"))
    }

    fn set_state(&self, state: i32) -> Result<(), String> {
        Atomics::store(&self.header, STATE, state).map_err(|e| format!("Atomics.store: {e:?}"))?;
        Atomics::notify(&self.header, STATE).map_err(|e| format!("Atomics.notify: {e:?}"))?;
        Ok(())
    }

    /// Blocks while the state is `state`, at most `ms`; false on timeout.
    fn wait_while(&self, state: i32, ms: f64) -> Result<bool, String> {
        let r = Atomics::wait_with_timeout(&self.header, STATE, state, ms.max(0.0))
            .map_err(|e| format!("Atomics.wait (is the page cross-origin isolated?): {e:?}"))?;
        Ok(r != "timed-out")
    }

    /// The broker worker's side: puts `reply` in the channel, in chunks if
    /// it must, returning once the router has the last chunk to read.
    pub fn write(&self, reply: &[u8], timeout_ms: f64) -> Result<(), String> {
        let mut chunks = reply.chunks(CAPACITY as usize).peekable();
        let empty: &[u8] = &[];
        if chunks.peek().is_none() {
            return self.put(empty, LAST);
        }
        while let Some(chunk) = chunks.next() {
            if chunks.peek().is_none() {
                return self.put(chunk, LAST);
            }
            self.put(chunk, CHUNK)?;
            let deadline = js_sys::Date::now() + timeout_ms;
            while self.state()? == CHUNK {
                let left = deadline - js_sys::Date::now();
                if left <= 0.0 || !self.wait_while(CHUNK, left)? {
                    return Err(format!(
                        "the router did not take a reply chunk within {timeout_ms} ms"
                    ));
                }
            }
        }
        Ok(())
    }

    fn put(&self, chunk: &[u8], state: i32) -> Result<(), String> {
        self.data.subarray(0, chunk.len() as u32).copy_from(chunk);
        Atomics::store(&self.header, LEN, chunk.len() as i32)
            .map_err(|e| format!("Atomics.store: {e:?}"))?;
        self.set_state(state)
    }

    /// The router's side: blocks until a whole reply is in, at most
    /// `timeout_ms` between chunks.
    pub fn read(&self, timeout_ms: f64) -> Result<Vec<u8>, String> {
        let mut reply = Vec::new();
        let mut deadline = js_sys::Date::now() + timeout_ms;
        loop {
            match self.state()? {
                s @ (CHUNK | LAST) => {
                    let len = Atomics::load(&self.header, LEN)
                        .map_err(|e| format!("Atomics.load: {e:?}"))?
                        .clamp(0, CAPACITY as i32) as u32;
                    let start = reply.len();
                    reply.resize(start + len as usize, 0);
                    self.data.subarray(0, len).copy_to(&mut reply[start..]);
                    if s == LAST {
                        self.set_state(IDLE)?;
                        return Ok(reply);
                    }
                    self.set_state(TAKEN)?;
                    deadline = js_sys::Date::now() + timeout_ms;
                }
                s => {
                    let left = deadline - js_sys::Date::now();
                    if left <= 0.0 || !self.wait_while(s, left)? {
                        return Err(format!("no answer within {timeout_ms} ms"));
                    }
                }
            }
        }
    }
}

impl Default for Channel {
    fn default() -> Self {
        Channel::new()
    }
}
