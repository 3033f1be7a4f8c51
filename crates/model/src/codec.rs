//! Framing codecs: how applications put message boundaries back into a TCP byte stream.
//!
//! Pure functions: encoders turn a message into bytes, decoders take the stream in whatever
//! chunks recv() returned and give back whole messages, however the chunks were cut
//! (the property tests feed random chunkings). Plus [`stream_bytes`], which rebuilds the
//! bytes a trace's recv() calls returned so the viewer can run a decoder over them.

use crate::trace::{MessageContent, PayloadSpan, Trace};

/// Length-prefix framing: a 4-byte big-endian length, then the message.
pub mod length_prefix {
    pub const HEADER: usize = 4;

    pub fn encode(msg: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + msg.len());
        out.extend_from_slice(&(msg.len() as u32).to_be_bytes());
        out.extend_from_slice(msg);
        out
    }

    /// Accumulates chunks; yields each message once its last byte is in.
    #[derive(Clone, Debug, Default)]
    pub struct Decoder {
        buf: Vec<u8>,
        /// Refuse frames longer than this (a corrupt or hostile length).
        pub max_len: Option<u32>,
    }

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Error {
        TooLong(u32),
    }

    impl Decoder {
        pub fn new() -> Decoder {
            Decoder::default()
        }

        pub fn with_max_len(max_len: u32) -> Decoder {
            Decoder {
                buf: Vec::new(),
                max_len: Some(max_len),
            }
        }

        pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
            self.buf.extend_from_slice(chunk);
            let mut out = Vec::new();
            let mut at = 0;
            while self.buf.len() - at >= HEADER {
                let len = u32::from_be_bytes([
                    self.buf[at],
                    self.buf[at + 1],
                    self.buf[at + 2],
                    self.buf[at + 3],
                ]);
                if self.max_len.is_some_and(|m| len > m) {
                    return Err(Error::TooLong(len));
                }
                let end = at + HEADER + len as usize;
                if self.buf.len() < end {
                    break;
                }
                out.push(self.buf[at + HEADER..end].to_vec());
                at = end;
            }
            self.buf.drain(..at);
            Ok(out)
        }

        /// Bytes of an incomplete frame held back.
        pub fn pending(&self) -> usize {
            self.buf.len()
        }
    }
}

/// Delimiter framing: each message is followed by one delimiter byte (which messages must
/// not contain; `escape` is left to the application).
pub mod delimiter {
    pub fn encode(msg: &[u8], delim: u8) -> Vec<u8> {
        let mut out = msg.to_vec();
        out.push(delim);
        out
    }

    #[derive(Clone, Debug)]
    pub struct Decoder {
        buf: Vec<u8>,
        delim: u8,
    }

    impl Decoder {
        pub fn new(delim: u8) -> Decoder {
            Decoder {
                buf: Vec::new(),
                delim,
            }
        }

        pub fn feed(&mut self, chunk: &[u8]) -> Vec<Vec<u8>> {
            let mut out = Vec::new();
            for &b in chunk {
                if b == self.delim {
                    out.push(std::mem::take(&mut self.buf));
                } else {
                    self.buf.push(b);
                }
            }
            out
        }

        pub fn pending(&self) -> usize {
            self.buf.len()
        }
    }
}

/// The bytes of some stream spans, as the application would have read them: framing
/// messages become their real bytes (length prefix, delimiter), opaque messages repeat
/// their label's bytes (never containing a delimiter or forming a length).
pub fn stream_bytes(t: &Trace, spans: &[PayloadSpan]) -> Vec<u8> {
    let mut out = Vec::new();
    for s in spans {
        let Some(m) = t.messages.get(s.message.0 as usize) else {
            out.resize(out.len() + (s.end - s.start) as usize, b'?');
            continue;
        };
        for i in s.start..s.end {
            let b = match m.content {
                Some(MessageContent::LengthPrefix { value }) => {
                    // Big-endian; a prefix longer than 4 bytes is zero-padded in front.
                    let from_end = (m.len - 1).saturating_sub(i) as usize;
                    if from_end < 4 {
                        value.to_be_bytes()[3 - from_end]
                    } else {
                        0
                    }
                }
                Some(MessageContent::Delimiter { byte }) => byte,
                None => {
                    let label = m.label.as_bytes();
                    let c = if label.is_empty() {
                        b'x'
                    } else {
                        label[i as usize % label.len()]
                    };
                    if c == b'\n' {
                        b' '
                    } else {
                        c
                    }
                }
            };
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_prefix_recovers_messages_from_odd_chunks() {
        let mut stream = length_prefix::encode(b"data1");
        stream.extend(length_prefix::encode(b""));
        stream.extend(length_prefix::encode(b"data2 is longer"));
        let mut d = length_prefix::Decoder::new();
        let mut got = Vec::new();
        for chunk in stream.chunks(3) {
            got.extend(d.feed(chunk).unwrap());
        }
        assert_eq!(
            got,
            vec![b"data1".to_vec(), Vec::new(), b"data2 is longer".to_vec()]
        );
        assert_eq!(d.pending(), 0);
        let mut d = length_prefix::Decoder::with_max_len(4);
        assert_eq!(
            d.feed(&length_prefix::encode(b"12345")),
            Err(length_prefix::Error::TooLong(5))
        );
    }

    #[test]
    fn delimiter_recovers_messages() {
        let mut d = delimiter::Decoder::new(b'\n');
        assert_eq!(d.feed(b"ab\ncd"), vec![b"ab".to_vec()]);
        assert_eq!(d.pending(), 2);
        assert_eq!(d.feed(b"\n\n"), vec![b"cd".to_vec(), Vec::new()]);
    }
}
