//! What a segment is called: its kind's colour and name, and its Wireshark-style label.
//!
//! Sequence numbers are shown relative to each direction's initial sequence number by default,
//! as Wireshark does ([`Isns`], from the model's `read` module).

use synack_model::read::flag_names;
pub use synack_model::read::{Isns, Numbering, SegKind};
use synack_model::trace::{Header, Segment, TcpHeader};

use crate::i18n::Lang;

/// A segment's kind in the page's words: its colour token and its name. The kinds
/// themselves, like the numbering below, are the model's reading of a trace
/// ([`synack_model::read`]), so that the ladder, the open page and the quiz agree.
pub trait SegKindText {
    /// CSS class suffix; also the colour token name (`--syn`...).
    fn css(self) -> &'static str;
    fn name(self, lang: Lang) -> &'static str;
}

impl SegKindText for SegKind {
    fn css(self) -> &'static str {
        match self {
            SegKind::Syn => "syn",
            SegKind::SynAck => "synack",
            SegKind::Ack => "ack",
            SegKind::Data => "data",
            SegKind::Fin => "fin",
            SegKind::Rst => "rst",
            SegKind::Udp => "udp",
            // An ICMP port unreachable is UDP's refusal, as RST is TCP's: drawn in its colour.
            SegKind::Icmp => "rst",
        }
    }

    fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (SegKind::Syn, _) => "SYN",
            (SegKind::SynAck, _) => "SYN-ACK",
            (SegKind::Ack, _) => "ACK",
            (SegKind::Data, Lang::Zh) => "数据",
            (SegKind::Data, Lang::En) => "data",
            (SegKind::Fin, _) => "FIN",
            (SegKind::Rst, _) => "RST",
            (SegKind::Udp, Lang::Zh) => "UDP 数据报",
            (SegKind::Udp, Lang::En) => "UDP datagram",
            (SegKind::Icmp, Lang::Zh) => "ICMP 端口不可达",
            (SegKind::Icmp, Lang::En) => "ICMP port unreachable",
        }
    }
}

/// The two lines of an arrow's label: the main line (`SYN, ACK seq=0 ack=1 win=65535`, the
/// window scaled as RFC 7323 says once the handshake agreed on scaling)
/// and the options line (`[MSS=1460 SACK_PERM TS WS=7]`, empty when there are none).
pub fn segment_label(seg: &Segment, isns: &Isns, n: Numbering) -> (String, String) {
    match &seg.header {
        Header::Udp(u) => {
            let mut s = format!("UDP len={}", u.length.saturating_sub(8));
            if let Some(p) = seg.payload.first() {
                let _ = std::fmt::Write::write_fmt(&mut s, format_args!(" ({})", p.message.0 + 1));
            }
            (s, String::new())
        }
        // As Wireshark names it: "Destination unreachable (Port unreachable)" is type 3, code 3.
        Header::Icmp(i) => (
            format!("ICMP type={} code={}", i.icmp_type, i.code),
            String::new(),
        ),
        Header::Tcp(h) => {
            let (seq, ack) = isns.show(seg, h, n);
            let mut s = format!("{} seq={seq}", flag_names(h.flags));
            if h.flags.ack {
                s.push_str(&format!(" ack={ack}"));
            }
            s.push_str(&format!(" win={}", isns.window(seg, h)));
            if seg.payload_len > 0 {
                s.push_str(&format!(" len={}", seg.payload_len));
            }
            (s, options_text(h, false))
        }
    }
}

/// The options in the order they were on the wire (`TcpOptions::order`; Linux writes a SYN's
/// as MSS, SACK_PERM, TS, NOP, WS), or in that order when the trace did not record it. `nops`:
/// show the NOPs that pad them to 4-byte words (the inspector, which also shows the header
/// length they make up); the ladder's labels leave them out.
pub fn options_text(h: &TcpHeader, nops: bool) -> String {
    use synack_model::trace::option_kind as k;
    let o = &h.options;
    let canonical = [
        k::MSS,
        k::SACK_PERMITTED,
        k::TIMESTAMPS,
        k::WINDOW_SCALE,
        k::SACK,
    ];
    let order: &[u8] = if o.order.is_empty() {
        &canonical
    } else {
        &o.order
    };
    let v: Vec<String> = order
        .iter()
        .filter_map(|&kind| match kind {
            k::MSS => o.mss.map(|m| format!("MSS={m}")),
            k::SACK_PERMITTED => o.sack_permitted.then(|| "SACK_PERM".to_string()),
            k::TIMESTAMPS => o.timestamps.map(|_| "TS".to_string()),
            // The shift count as carried on the wire (RFC 7323 §2.2), not the multiplier.
            k::WINDOW_SCALE => o.window_scale.map(|ws| format!("WS={ws}")),
            k::SACK => (!o.sack.is_empty()).then(|| format!("SACK×{}", o.sack.len())),
            k::NOP => nops.then(|| "NOP".to_string()),
            _ => None,
        })
        .collect();
    if v.is_empty() {
        String::new()
    } else {
        format!("[{}]", v.join(" "))
    }
}

/// The retransmission / duplicate mark after the label, as Wireshark's expert info.
pub fn mark(seg: &Segment, lang: Lang) -> Option<String> {
    if seg.network_duplicate {
        return Some(match lang {
            Lang::Zh => "网络复制".into(),
            Lang::En => "network duplicate".into(),
        });
    }
    (seg.retransmission > 0).then(|| match lang {
        Lang::Zh => format!("第 {} 次重传", seg.retransmission),
        Lang::En => format!("retransmission #{}", seg.retransmission),
    })
}
