//! Byte buffers that carry no bytes: only *which* application message each byte belongs to.
//!
//! The model never needs real payload bytes; following message spans instead lets the viewer
//! colour every byte by its message, lets the sticky-packet scenes show exactly which parts of
//! `data1`/`data2` a recv() returned, and lets the property tests check that the receiver got
//! every byte once and in order (the spans it reads must concatenate to the spans sent).

use std::collections::VecDeque;

use crate::trace::PayloadSpan;

/// Appends `span` to `out`, merging with the previous span when contiguous.
pub fn push_span(out: &mut Vec<PayloadSpan>, span: PayloadSpan) {
    if span.end <= span.start {
        return;
    }
    if let Some(last) = out.last_mut() {
        if last.message == span.message && last.end == span.start {
            last.end = span.end;
            return;
        }
    }
    out.push(span);
}

/// The sub-range `[skip, skip+take)` of a list of spans.
pub fn slice_spans(spans: &[PayloadSpan], skip: u32, take: u32) -> Vec<PayloadSpan> {
    let mut out = Vec::new();
    for_each_in_range(spans, skip, take, |s| push_span(&mut out, s));
    out
}

/// Calls `f` with each piece of the sub-range `[skip, skip+take)` of a list of spans, in
/// order, without collecting them: the hot paths push them straight into a [`SpanQueue`]
/// instead of allocating a vector per segment.
pub fn for_each_in_range(
    spans: &[PayloadSpan],
    mut skip: u32,
    mut take: u32,
    mut f: impl FnMut(PayloadSpan),
) {
    if take == 0 {
        return;
    }
    for s in spans {
        let len = s.end - s.start;
        if skip >= len {
            skip -= len;
            continue;
        }
        let n = (len - skip).min(take);
        f(PayloadSpan {
            message: s.message,
            start: s.start + skip,
            end: s.start + skip + n,
        });
        skip = 0;
        take -= n;
        if take == 0 {
            break;
        }
    }
}

/// Removes the first `n` bytes of a list of spans in place (what `slice_spans(spans, n, ..)`
/// would return for a merged list, without a new vector).
pub fn drop_front(spans: &mut Vec<PayloadSpan>, mut n: u32) {
    let mut whole = 0;
    for s in spans.iter_mut() {
        let len = s.end - s.start;
        if n >= len {
            n -= len;
            whole += 1;
        } else {
            s.start += n;
            break;
        }
    }
    spans.drain(..whole);
}

pub fn spans_len(spans: &[PayloadSpan]) -> u32 {
    spans.iter().map(|s| s.end - s.start).sum()
}

/// A stream of spans addressed by absolute stream offset. `head` is the offset of the first
/// byte still held (not yet acknowledged / not yet read), `tail` the offset after the last.
#[derive(Clone, Debug, Default)]
pub struct SpanQueue {
    /// (stream offset of the span's first byte, span)
    spans: VecDeque<(u64, PayloadSpan)>,
    pub head: u64,
    pub tail: u64,
}

impl SpanQueue {
    pub fn len(&self) -> u64 {
        self.tail - self.head
    }

    pub fn is_empty(&self) -> bool {
        self.tail == self.head
    }

    pub fn push(&mut self, span: PayloadSpan) {
        let n = (span.end - span.start) as u64;
        if n == 0 {
            return;
        }
        if let Some((_, last)) = self.spans.back_mut() {
            if last.message == span.message && last.end == span.start {
                last.end = span.end;
                self.tail += n;
                return;
            }
        }
        self.spans.push_back((self.tail, span));
        self.tail += n;
    }

    pub fn push_all(&mut self, spans: &[PayloadSpan]) {
        for s in spans {
            self.push(*s);
        }
    }

    /// Appends the sub-range `[skip, skip+take)` of `spans` (no intermediate vector).
    pub fn push_range(&mut self, spans: &[PayloadSpan], skip: u32, take: u32) {
        for_each_in_range(spans, skip, take, |s| self.push(s));
    }

    /// Drops everything before stream offset `upto`.
    pub fn release_to(&mut self, upto: u64) {
        let upto = upto.min(self.tail);
        if upto <= self.head {
            return;
        }
        while let Some((start, span)) = self.spans.front_mut() {
            let len = (span.end - span.start) as u64;
            if *start + len <= upto {
                self.spans.pop_front();
            } else {
                if *start < upto {
                    let cut = (upto - *start) as u32;
                    span.start += cut;
                    *start = upto;
                }
                break;
            }
        }
        self.head = upto;
    }

    /// The spans covering `[from, from+len)` (clamped to what is held).
    pub fn slice(&self, from: u64, len: u64) -> Vec<PayloadSpan> {
        let from = from.max(self.head);
        let to = (from + len).min(self.tail);
        let mut out = Vec::new();
        if to <= from {
            return out;
        }
        // Find the first span containing `from`: spans are sorted by offset.
        let idx = self
            .spans
            .partition_point(|(start, s)| *start + (s.end - s.start) as u64 <= from);
        for (start, s) in self.spans.iter().skip(idx) {
            if *start >= to {
                break;
            }
            let a = from.max(*start) - *start;
            let b = to.min(*start + (s.end - s.start) as u64) - *start;
            push_span(
                &mut out,
                PayloadSpan {
                    message: s.message,
                    start: s.start + a as u32,
                    end: s.start + b as u32,
                },
            );
        }
        out
    }

    /// Takes up to `max` bytes from the front (an application read).
    pub fn take_front(&mut self, max: u64) -> Vec<PayloadSpan> {
        let n = max.min(self.len());
        let out = self.slice(self.head, n);
        self.release_to(self.head + n);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::MessageId;

    fn sp(m: u32, a: u32, b: u32) -> PayloadSpan {
        PayloadSpan {
            message: MessageId(m),
            start: a,
            end: b,
        }
    }

    #[test]
    fn slicing_and_releasing_keep_message_ranges() {
        let mut q = SpanQueue::default();
        q.push(sp(0, 0, 5));
        q.push(sp(1, 0, 10));
        assert_eq!(q.len(), 15);
        assert_eq!(q.slice(3, 4), vec![sp(0, 3, 5), sp(1, 0, 2)]);
        q.release_to(6);
        assert_eq!(q.slice(0, 100), vec![sp(1, 1, 10)]);
        assert_eq!(q.take_front(4), vec![sp(1, 1, 5)]);
        assert_eq!(q.head, 10);
        assert_eq!(
            slice_spans(&[sp(0, 0, 5), sp(1, 0, 10)], 4, 3),
            vec![sp(0, 4, 5), sp(1, 0, 2)]
        );
    }

    #[test]
    fn in_place_forms_agree_with_slicing() {
        let spans = [sp(0, 0, 5), sp(1, 0, 10), sp(2, 3, 7)];
        for skip in 0..=19 {
            for take in 0..=(19 - skip) {
                let mut q = SpanQueue::default();
                q.push(sp(9, 0, 1));
                q.push_range(&spans, skip, take);
                let mut want = SpanQueue::default();
                want.push(sp(9, 0, 1));
                want.push_all(&slice_spans(&spans, skip, take));
                assert_eq!(
                    q.slice(0, 100),
                    want.slice(0, 100),
                    "skip {skip} take {take}"
                );
                assert_eq!(q.tail, want.tail);
            }
            let mut v = spans.to_vec();
            drop_front(&mut v, skip);
            assert_eq!(v, slice_spans(&spans, skip, 19 - skip), "drop {skip}");
        }
    }
}
