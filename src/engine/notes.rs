//! Teacher notes: a short text attached to a step (an event index of the trace), carried in the
//! link's `notes=` key so that a copied link or an embed code brings them along.
//!
//! The key's value is base64url (RFC 4648 §5, no padding) of the notes compressed with a small
//! LZ77 ([`compress`]): a link stays short enough to paste into a course page, and no
//! compression crate is linked into the app. Reading is strict and bounded: a value that does not
//! decode, or decodes to more than [`MAX_BYTES`], is an [`Error`] the page names, never a panic
//! or a blank page.

/// One note: the step (event index) it belongs to and its text (markdown-light, see
/// [`crate::engine::player`]'s notes view).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub event: usize,
    pub text: String,
}

/// The most text a link may carry once decompressed, and the longest note.
pub const MAX_BYTES: usize = 16_000;
pub const MAX_NOTE_CHARS: usize = 2_000;
/// The longest `notes=` value read (about a dozen long paragraphs compressed).
pub const MAX_LINK_CHARS: usize = 12_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    TooLong,
    NotBase64,
    Corrupt,
}

impl Error {
    pub fn text(&self, lang: crate::i18n::Lang) -> &'static str {
        use crate::i18n::T;
        match self {
            Error::TooLong => T::new(
                "链接里的教师批注太长，未能读取。",
                "The teacher notes in this link are too long to read.",
            ),
            Error::NotBase64 | Error::Corrupt => T::new(
                "链接里的教师批注已损坏（可能被截断），未能读取。",
                "The teacher notes in this link are damaged (perhaps cut short) and could not be read.",
            ),
        }
        .get(lang)
    }
}

/// The notes as the link's `notes=` value ("" for none).
pub fn encode(notes: &[Note]) -> String {
    if notes.is_empty() {
        return String::new();
    }
    // `<event>,<byte length>;<text>` per note: the text may hold any character.
    let mut raw = String::new();
    for n in notes {
        raw.push_str(&format!("{},{};{}", n.event, n.text.len(), n.text));
    }
    base64url(&compress(raw.as_bytes()))
}

/// Reads a `notes=` value: the notes sorted by step, one per step (the last one kept).
pub fn decode(value: &str) -> Result<Vec<Note>, Error> {
    if value.len() > MAX_LINK_CHARS {
        return Err(Error::TooLong);
    }
    let packed = from_base64url(value).ok_or(Error::NotBase64)?;
    let raw = decompress(&packed, MAX_BYTES)?;
    let raw = String::from_utf8(raw).map_err(|_| Error::Corrupt)?;
    let mut notes: Vec<Note> = Vec::new();
    let mut rest = raw.as_str();
    while !rest.is_empty() {
        let (head, tail) = rest.split_once(';').ok_or(Error::Corrupt)?;
        let (event, len) = head.split_once(',').ok_or(Error::Corrupt)?;
        let event: usize = event.parse().map_err(|_| Error::Corrupt)?;
        let len: usize = len.parse().map_err(|_| Error::Corrupt)?;
        let text = tail.get(..len).ok_or(Error::Corrupt)?;
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(Error::TooLong);
        }
        set(&mut notes, event, text);
        rest = &tail[len..];
    }
    Ok(notes)
}

/// Sets the note of step `event` (an empty text removes it), keeping the list sorted.
pub fn set(notes: &mut Vec<Note>, event: usize, text: &str) {
    let text = text.trim();
    match notes.binary_search_by_key(&event, |n| n.event) {
        Ok(i) if text.is_empty() => {
            notes.remove(i);
        }
        Ok(i) => notes[i].text = text.to_string(),
        Err(_) if text.is_empty() => {}
        Err(i) => notes.insert(
            i,
            Note {
                event,
                text: text.to_string(),
            },
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// LZ77, byte-oriented. A control byte `c` below 0x80 is followed by `c + 1` literal bytes; from
// 0x80 up it copies `(c & 0x7f) + MIN_MATCH` bytes from `offset` bytes back, the offset in the
// next two bytes (little-endian, 1..=65535). Greedy matching over a 4096-entry hash of 3-byte
// prefixes: notes are short prose, where this roughly halves the size.

const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 0x7f + MIN_MATCH;
const MAX_LITERALS: usize = 0x80;

pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 8);
    let mut table = vec![usize::MAX; 4096];
    let hash = |i: usize| {
        let v = (input[i] as usize) << 16 | (input[i + 1] as usize) << 8 | input[i + 2] as usize;
        (v.wrapping_mul(2_654_435_761) >> 12) & 4095
    };
    let mut literals_from = 0;
    let flush = |out: &mut Vec<u8>, from: usize, to: usize| {
        for chunk in input[from..to].chunks(MAX_LITERALS) {
            out.push((chunk.len() - 1) as u8);
            out.extend_from_slice(chunk);
        }
    };
    let mut i = 0;
    while i + MIN_MATCH <= input.len() {
        let h = hash(i);
        let candidate = table[h];
        table[h] = i;
        if candidate != usize::MAX && i - candidate <= 0xffff {
            let len = input[candidate..]
                .iter()
                .zip(&input[i..])
                .take(MAX_MATCH)
                .take_while(|(a, b)| a == b)
                .count();
            if len >= MIN_MATCH {
                flush(&mut out, literals_from, i);
                let offset = (i - candidate) as u16;
                out.push(0x80 | (len - MIN_MATCH) as u8);
                out.extend_from_slice(&offset.to_le_bytes());
                i += len;
                literals_from = i;
                continue;
            }
        }
        i += 1;
    }
    flush(&mut out, literals_from, input.len());
    out
}

/// The inverse of [`compress`]; more than `limit` bytes of output, an offset before the start
/// or a token cut short is [`Error::Corrupt`] (or [`Error::TooLong`]).
pub fn decompress(input: &[u8], limit: usize) -> Result<Vec<u8>, Error> {
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let c = input[i] as usize;
        i += 1;
        if c < 0x80 {
            let lits = input.get(i..i + c + 1).ok_or(Error::Corrupt)?;
            out.extend_from_slice(lits);
            i += c + 1;
        } else {
            let off = input.get(i..i + 2).ok_or(Error::Corrupt)?;
            let offset = u16::from_le_bytes([off[0], off[1]]) as usize;
            i += 2;
            if offset == 0 || offset > out.len() {
                return Err(Error::Corrupt);
            }
            // Byte by byte: a match may overlap what it copies (a run).
            let start = out.len() - offset;
            for k in 0..(c & 0x7f) + MIN_MATCH {
                out.push(out[start + k]);
            }
        }
        if out.len() > limit {
            return Err(Error::TooLong);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// base64url without padding (RFC 4648 §5): safe in a URL's hash as it is.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (k, &b)| n | (b as u32) << (16 - 8 * k));
        for k in 0..=chunk.len() {
            out.push(B64[(n >> (18 - 6 * k) & 63) as usize] as char);
        }
    }
    out
}

pub fn from_base64url(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| B64.iter().position(|&d| d == c).map(|v| v as u32);
    let text = text.trim_end_matches('=').as_bytes();
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        let mut n = 0u32;
        for (k, &c) in chunk.iter().enumerate() {
            n |= digit(c)? << (18 - 6 * k);
        }
        for k in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * k)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(event: usize, text: &str) -> Note {
        Note {
            event,
            text: text.into(),
        }
    }

    #[test]
    fn notes_survive_the_round_trip_through_a_link() {
        let notes = vec![
            note(0, "First **the SYN**: its seq is the client's *ISN*."),
            note(3, "注意 `ack = ISN + 1`；见 [RFC 9293](https://www.rfc-editor.org/rfc/rfc9293)。\n\nA second; paragraph, with a comma."),
            note(12, ";,;;"),
        ];
        let link = encode(&notes);
        assert!(link
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(decode(&link), Ok(notes));
        assert_eq!(encode(&[]), "");
        assert_eq!(decode(""), Ok(vec![]));
    }

    #[test]
    fn repeated_prose_compresses_to_well_under_its_size() {
        let text = "The server answers the SYN with a SYN-ACK. ".repeat(20);
        let packed = compress(text.as_bytes());
        assert!(
            packed.len() * 4 < text.len(),
            "{} of {}",
            packed.len(),
            text.len()
        );
        assert_eq!(
            decompress(&packed, MAX_BYTES).as_deref(),
            Ok(text.as_bytes())
        );
    }

    #[test]
    fn every_length_and_byte_value_round_trips_through_base64url_and_lz() {
        let mut rng = synack_model::rng::Rng::new(7);
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    if i % 7 < 3 {
                        b'a' + (i % 3) as u8
                    } else {
                        rng.below(256) as u8
                    }
                })
                .collect();
            assert_eq!(from_base64url(&base64url(&bytes)), Some(bytes.clone()));
            assert_eq!(
                decompress(&compress(&bytes), MAX_BYTES),
                Ok(bytes.clone()),
                "{len}"
            );
        }
    }

    #[test]
    fn a_damaged_or_oversized_link_is_an_error_not_a_panic() {
        let link = encode(&[note(1, "hello, hello, hello world")]);
        assert_eq!(decode(&link[..link.len() - 3]), Err(Error::Corrupt));
        assert_eq!(decode("abc*"), Err(Error::NotBase64));
        assert_eq!(decode("A"), Err(Error::NotBase64));
        // An offset before the start of the output.
        assert_eq!(decode(&base64url(&[0x80, 5, 0])), Err(Error::Corrupt));
        // A run that expands past the limit: one literal, then copies of it.
        let mut bomb = vec![0, b'x'];
        for _ in 0..200 {
            bomb.extend_from_slice(&[0xff, 1, 0]);
        }
        assert_eq!(decode(&base64url(&bomb)), Err(Error::TooLong));
        assert_eq!(decode(&"A".repeat(MAX_LINK_CHARS + 4)), Err(Error::TooLong));
        let long = encode(&[note(0, &"x".repeat(MAX_NOTE_CHARS + 1))]);
        assert_eq!(decode(&long), Err(Error::TooLong));
        // Random text never panics.
        let mut rng = synack_model::rng::Rng::new(11);
        for _ in 0..2000 {
            let s: String = (0..rng.below(40))
                .map(|_| B64[rng.below(64) as usize] as char)
                .collect();
            let _ = decode(&s);
        }
    }

    #[test]
    fn setting_an_empty_text_removes_the_note_and_the_list_stays_sorted() {
        let mut notes = vec![];
        set(&mut notes, 5, "five");
        set(&mut notes, 1, " one ");
        set(&mut notes, 9, "nine");
        assert_eq!(
            notes,
            vec![note(1, "one"), note(5, "five"), note(9, "nine")]
        );
        set(&mut notes, 5, "  ");
        set(&mut notes, 1, "uno");
        assert_eq!(notes, vec![note(1, "uno"), note(9, "nine")]);
    }
}
