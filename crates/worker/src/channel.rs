//! The reply pipe from a broker worker back to the router: a byte stream
//! in a `SharedArrayBuffer` ring, read with `Atomics`.
//!
//! Why not `postMessage` both ways: in step mode the router is the
//! simulator, which runs an event to the end before the next one — the
//! broker's outputs for this event decide what comes next. A worker cannot
//! receive a message in the middle of running code, but it can block on
//! `Atomics.wait` (a dedicated worker may; the page may not). So requests
//! go out as posted ArrayBuffers (transferred, not copied) and the router
//! blocks until the broker worker's reply is in the pipe.
//!
//! In live mode the router posts inputs without waiting and takes the
//! replies later ([`Channel::try_read`]); they are the same stream, in the
//! order the worker handled its messages, so a question asked meanwhile
//! is answered after the inputs before it and nothing is reordered. When
//! the router asks for it ([`Channel::want_bell`]), the writer says that
//! something arrived (the `ring` of [`Channel::write`]: the worker posts a
//! small message), which wakes a router idle on its event loop.
//!
//! Each reply is its length (`u32`, little-endian) and its bytes. A reply
//! larger than the ring goes through in pieces: the writer waits for room,
//! the reader takes what is there, so any size passes and neither side
//! can deadlock the other.
//!
//! Layout: four `i32`s — bytes written, bytes read (both counting up,
//! wrapping), the bell, unused — then [`CAPACITY`] bytes of ring.

use std::cell::RefCell;

use js_sys::{Atomics, Int32Array, SharedArrayBuffer, Uint8Array};

/// Bytes the ring holds (a power of two).
pub const CAPACITY: u32 = 4 << 20;
const HEADER: u32 = 16;

const WRITTEN: u32 = 0;
const READ: u32 = 1;
const BELL: u32 = 2;

pub struct Channel {
    buffer: SharedArrayBuffer,
    header: Int32Array,
    data: Uint8Array,
    /// The reader's bytes taken from the ring, not yet a whole reply.
    staged: RefCell<Staged>,
}

#[derive(Default)]
struct Staged {
    bytes: Vec<u8>,
    start: usize,
}

impl Staged {
    /// The next whole reply, if it is all here.
    fn take(&mut self) -> Option<Vec<u8>> {
        let rest = &self.bytes[self.start..];
        if rest.len() < 4 {
            return None;
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if rest.len() < 4 + len {
            return None;
        }
        let reply = rest[4..4 + len].to_vec();
        self.start += 4 + len;
        if self.start == self.bytes.len() {
            self.bytes.clear();
            self.start = 0;
        }
        Some(reply)
    }
}

fn err(what: &str, e: impl std::fmt::Debug) -> String {
    format!("{what} (is the page cross-origin isolated?): {e:?}")
}

impl Channel {
    /// A new channel (the router makes one per broker worker).
    pub fn new() -> Channel {
        Channel::over(SharedArrayBuffer::new(HEADER + CAPACITY))
    }

    /// The channel over `buffer` (the broker worker's side).
    pub fn over(buffer: SharedArrayBuffer) -> Channel {
        let header = Int32Array::new_with_byte_offset_and_length(&buffer, 0, 4);
        let data = Uint8Array::new_with_byte_offset_and_length(&buffer, HEADER, CAPACITY);
        Channel {
            buffer,
            header,
            data,
            staged: RefCell::default(),
        }
    }

    pub fn buffer(&self) -> &SharedArrayBuffer {
        &self.buffer
    }

    fn load(&self, at: u32) -> Result<u32, String> {
        Atomics::load(&self.header, at)
            .map(|v| v as u32)
            .map_err(|e| err("Atomics.load", e))
    }

    fn store(&self, at: u32, v: u32) -> Result<(), String> {
        Atomics::store(&self.header, at, v as i32).map_err(|e| err("Atomics.store", e))?;
        Atomics::notify(&self.header, at).map_err(|e| err("Atomics.notify", e))?;
        Ok(())
    }

    /// Blocks while slot `at` holds `v`, at most `ms`; false on timeout.
    fn wait_while(&self, at: u32, v: u32, ms: f64) -> Result<bool, String> {
        let r = Atomics::wait_with_timeout(&self.header, at, v as i32, ms.max(0.0))
            .map_err(|e| err("Atomics.wait", e))?;
        Ok(r != "timed-out")
    }

    /// The broker worker's side: appends `reply`, waiting for room at
    /// most `timeout_ms` at a time. If the router asked to be told, `ring`
    /// is called once the reply is in — or before waiting for room, so a
    /// router asleep on its event loop comes to make it.
    pub fn write(&self, reply: &[u8], timeout_ms: f64, ring: impl Fn()) -> Result<(), String> {
        self.put(&(reply.len() as u32).to_le_bytes(), timeout_ms, &ring)?;
        self.put(reply, timeout_ms, &ring)?;
        self.bell(&ring)
    }

    fn bell(&self, ring: &impl Fn()) -> Result<(), String> {
        if Atomics::exchange(&self.header, BELL, 0).map_err(|e| err("Atomics", e))? == 1 {
            ring();
        }
        Ok(())
    }

    fn put(&self, mut bytes: &[u8], timeout_ms: f64, ring: &impl Fn()) -> Result<(), String> {
        while !bytes.is_empty() {
            let written = self.load(WRITTEN)?;
            let read = self.load(READ)?;
            let free = CAPACITY - written.wrapping_sub(read);
            if free == 0 {
                self.bell(ring)?;
                if !self.wait_while(READ, read, timeout_ms)? {
                    return Err(format!(
                        "the router took nothing from a full reply pipe within {timeout_ms} ms"
                    ));
                }
                continue;
            }
            let n = free.min(bytes.len() as u32);
            let at = written % CAPACITY;
            let first = n.min(CAPACITY - at);
            self.data
                .subarray(at, at + first)
                .copy_from(&bytes[..first as usize]);
            if first < n {
                self.data
                    .subarray(0, n - first)
                    .copy_from(&bytes[first as usize..n as usize]);
            }
            self.store(WRITTEN, written.wrapping_add(n))?;
            bytes = &bytes[n as usize..];
        }
        Ok(())
    }

    /// The router's side: takes every byte in the ring (making room for
    /// the writer); returns the count of bytes written seen.
    fn drain(&self) -> Result<u32, String> {
        let written = self.load(WRITTEN)?;
        let read = self.load(READ)?;
        let n = written.wrapping_sub(read);
        if n == 0 {
            return Ok(written);
        }
        let mut staged = self.staged.borrow_mut();
        let start = staged.bytes.len();
        staged.bytes.resize(start + n as usize, 0);
        let at = read % CAPACITY;
        let first = n.min(CAPACITY - at);
        self.data
            .subarray(at, at + first)
            .copy_to(&mut staged.bytes[start..start + first as usize]);
        if first < n {
            self.data
                .subarray(0, n - first)
                .copy_to(&mut staged.bytes[start + first as usize..]);
        }
        drop(staged);
        self.store(READ, written)?;
        Ok(written)
    }

    /// The router's side: the next whole reply if it is in, without
    /// waiting.
    pub fn try_read(&self) -> Result<Option<Vec<u8>>, String> {
        if let Some(r) = self.staged.borrow_mut().take() {
            return Ok(Some(r));
        }
        self.drain()?;
        Ok(self.staged.borrow_mut().take())
    }

    /// The router's side: blocks until a whole reply is in, at most
    /// `timeout_ms` without any byte arriving.
    pub fn read(&self, timeout_ms: f64) -> Result<Vec<u8>, String> {
        loop {
            if let Some(r) = self.staged.borrow_mut().take() {
                return Ok(r);
            }
            let seen = self.drain()?;
            if let Some(r) = self.staged.borrow_mut().take() {
                return Ok(r);
            }
            if self.load(WRITTEN)? == seen && !self.wait_while(WRITTEN, seen, timeout_ms)? {
                return Err(format!("no answer within {timeout_ms} ms"));
            }
        }
    }

    /// The router's side: the next reply written will ring the bell
    /// (see the module docs).
    pub fn want_bell(&self) -> Result<(), String> {
        Atomics::store(&self.header, BELL, 1).map_err(|e| err("Atomics.store", e))?;
        Ok(())
    }
}

impl Default for Channel {
    fn default() -> Self {
        Channel::new()
    }
}
