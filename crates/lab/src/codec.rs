//! The length-prefix framing used by the sticky experiment: each message is preceded by its
//! length as a 4-byte big-endian integer — the usual cure for TCP's lack of message
//! boundaries. The model crate is getting its own `synack_model::codec`; once it exists on the
//! `model` branch the sticky experiment should call that instead, so lab and model frame bytes
//! identically. Until then this is the lab's copy.

/// Frames one message.
pub fn encode(msg: &[u8]) -> Vec<u8> {
    let mut out = (msg.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(msg);
    out
}

/// Feeds received chunks in whatever pieces recv() returned; yields whole messages.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Vec<u8>> {
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        loop {
            if self.buf.len() < 4 {
                break;
            }
            let n =
                u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize;
            if self.buf.len() < 4 + n {
                break;
            }
            out.push(self.buf[4..4 + n].to_vec());
            self.buf.drain(..4 + n);
        }
        out
    }

    /// Bytes of an incomplete message still waiting.
    #[cfg(test)]
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_messages_from_any_split() {
        let msgs: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; i as usize * 3 + 1]).collect();
        let wire: Vec<u8> = msgs.iter().flat_map(|m| encode(m)).collect();
        for cut in 1..wire.len() {
            let mut d = Decoder::default();
            let mut got = Vec::new();
            for c in wire.chunks(cut) {
                got.extend(d.push(c));
            }
            assert_eq!(got, msgs, "chunk size {cut}");
            assert_eq!(d.pending(), 0);
        }
    }
}
