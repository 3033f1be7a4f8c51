//! The packet inspector: a segment's header laid out as the RFC's header diagram
//! (32 bits per row), with the values filled in.

use yew::prelude::*;

use synack_model::trace::{Header, Segment};

use super::labels::{options_text, Isns, Numbering, SegKind, SegKindText};
use super::layout::{Arrow, Outcome};
use super::narration::drop_reason;
use crate::i18n::{Lang, T};

struct Field {
    name: T,
    bits: u32,
    value: String,
    hot: bool,
}

fn f(name: T, bits: u32, value: String) -> Field {
    Field {
        name,
        bits,
        value,
        hot: false,
    }
}

/// The first row of both headers: the source and destination ports.
fn ports(seg: &Segment) -> Vec<Field> {
    vec![
        f(
            T::new("源端口", "Source port"),
            16,
            seg.src.port.to_string(),
        ),
        f(
            T::new("目的端口", "Destination port"),
            16,
            seg.dst.port.to_string(),
        ),
    ]
}

fn tcp_fields(seg: &Segment, isns: &Isns, n: Numbering) -> Vec<Field> {
    let Header::Tcp(h) = &seg.header else {
        return Vec::new();
    };
    let (rseq, rack) = isns.show(seg, h, Numbering::Relative);
    let show = |abs: u32, rel: u32| match n {
        Numbering::Relative => format!("{rel}  ({abs})"),
        Numbering::Absolute => format!("{abs}  (rel {rel})"),
    };
    let mut v = ports(seg);
    v.extend([
        f(T::new("序号 seq", "Sequence number"), 32, show(h.seq, rseq)),
        f(
            T::new("确认号 ack", "Acknowledgment number"),
            32,
            if h.flags.ack {
                show(h.ack, rack)
            } else {
                "—".into()
            },
        ),
        f(
            T::new("首部长度", "Data offset"),
            4,
            format!("{} B", h.header_len),
        ),
        f(T::new("保留", "Rsvd"), 4, "0".into()),
    ]);
    let fl = h.flags;
    for (name, on) in [
        ("CWR", false),
        ("ECE", false),
        ("URG", fl.urg),
        ("ACK", fl.ack),
        ("PSH", fl.psh),
        ("RST", fl.rst),
        ("SYN", fl.syn),
        ("FIN", fl.fin),
    ] {
        v.push(Field {
            name: T::new(name, name),
            bits: 1,
            value: if on { "1".into() } else { "0".into() },
            hot: on,
        });
    }
    v.push(f(
        T::new("窗口", "Window"),
        16,
        match isns.window_shift(seg, h) {
            // The field, then what it means after the window-scale shift (RFC 7323 §2.3).
            Some(shift) => format!("{}  (× 2^{shift} = {})", h.window, isns.window(seg, h)),
            None => h.window.to_string(),
        },
    ));
    v.push(f(T::new("校验和", "Checksum"), 16, "·".into()));
    v.push(f(T::new("紧急指针", "Urgent pointer"), 16, "0".into()));
    let opts = options_text(h, true);
    if !opts.is_empty() {
        v.push(f(T::new("选项", "Options"), 32, opts));
    }
    v
}

fn udp_fields(seg: &Segment) -> Vec<Field> {
    let Header::Udp(u) = &seg.header else {
        return Vec::new();
    };
    let mut v = ports(seg);
    v.extend([
        f(T::new("长度", "Length"), 16, u.length.to_string()),
        f(T::new("校验和", "Checksum"), 16, "·".into()),
    ]);
    v
}

/// An ICMP error (RFC 792): type, code, checksum, the unused word, then the datagram it
/// quotes — its IP header and first 8 bytes, of which the ports say which flow was refused.
/// The segment's own ports are those turned around (`trace::Header::Icmp`), so the quoted
/// datagram went from `dst` to `src`. The type's and code's meanings, too long for an 8-bit
/// cell, are in `icmp_meaning`.
fn icmp_fields(seg: &Segment) -> Vec<Field> {
    let Header::Icmp(i) = &seg.header else {
        return Vec::new();
    };
    vec![
        f(T::new("类型", "Type"), 8, i.icmp_type.to_string()),
        f(T::new("代码", "Code"), 8, i.code.to_string()),
        f(T::new("校验和", "Checksum"), 16, "·".into()),
        f(T::new("未使用", "Unused"), 32, "0".into()),
        // What follows the ICMP header is the quoted IP packet: its length on the wire less
        // the ICMP packet's own IP header (20) and ICMP header (8).
        f(
            T::new(
                "被引用的报文（IP 首部 + 数据）",
                "Quoted packet (IP header + data)",
            ),
            32,
            format!("{} B", seg.wire_len.saturating_sub(28)),
        ),
        f(
            T::new("被引用报文的源端口", "Quoted source port"),
            16,
            seg.dst.port.to_string(),
        ),
        f(
            T::new("被引用报文的目的端口", "Quoted destination port"),
            16,
            seg.src.port.to_string(),
        ),
    ]
}

/// "Type 3: destination unreachable; code 3: port unreachable" (RFC 792's names; RFC 1122
/// §3.2.2.1 for the codes), for an ICMP error.
fn icmp_meaning(seg: &Segment, lang: Lang) -> Option<String> {
    let Header::Icmp(i) = &seg.header else {
        return None;
    };
    let type_name = match i.icmp_type {
        3 => T::new("目的不可达", "destination unreachable"),
        4 => T::new("源抑制", "source quench"),
        5 => T::new("重定向", "redirect"),
        11 => T::new("超时", "time exceeded"),
        12 => T::new("参数问题", "parameter problem"),
        _ => T::new("其他", "other"),
    };
    let code_name = match (i.icmp_type, i.code) {
        (3, 0) => Some(T::new("网络不可达", "net unreachable")),
        (3, 1) => Some(T::new("主机不可达", "host unreachable")),
        (3, 2) => Some(T::new("协议不可达", "protocol unreachable")),
        (3, 3) => Some(T::new("端口不可达", "port unreachable")),
        (3, 4) => Some(T::new(
            "需要分片但设置了 DF",
            "fragmentation needed and DF set",
        )),
        _ => None,
    };
    let (t, c) = (type_name.get(lang), code_name.map(|c| c.get(lang)));
    Some(match (lang, c) {
        (Lang::Zh, Some(c)) => format!("类型 {}：{t}；代码 {}：{c}。", i.icmp_type, i.code),
        (Lang::Zh, None) => format!("类型 {}：{t}；代码 {}。", i.icmp_type, i.code),
        (Lang::En, Some(c)) => format!("Type {}: {t}; code {}: {c}.", i.icmp_type, i.code),
        (Lang::En, None) => format!("Type {}: {t}; code {}.", i.icmp_type, i.code),
    })
}

/// What the inspector shows: a clicked packet. A plain function of it, not a component: its
/// close callback is made anew with each render of the player, so a component's props check
/// would never skip it.
pub struct Props<'a> {
    pub arrow: &'a Arrow,
    pub isns: &'a Isns,
    pub numbering: Numbering,
    pub lang: Lang,
    pub on_close: Callback<()>,
    /// "10.0.0.1:50000 → 10.0.0.2:80"
    pub endpoints: String,
}

pub fn inspector(p: &Props) -> Html {
    let lang = p.lang;
    let seg = &p.arrow.segment;
    let fields = match seg.header {
        Header::Udp(_) => udp_fields(seg),
        Header::Icmp(_) => icmp_fields(seg),
        Header::Tcp(_) => tcp_fields(seg, p.isns, p.numbering),
    };
    let cells = fields.iter().map(|x| {
        html! {
            <div class={classes!("hd-cell", x.hot.then_some("hot"), (x.bits == 1).then_some("bit"))}
                 style={format!("grid-column: span {}", x.bits)}>
                <span class="hd-name">{ x.name.get(lang) }</span>
                <span class="hd-val mono">{ x.value.clone() }</span>
            </div>
        }
    });
    let kind = SegKind::of(seg);
    let fate = match &p.arrow.outcome {
        Outcome::Arrived => T::new("已送达", "delivered").get(lang).to_string(),
        Outcome::InFlight => T::new("记录结束时仍在途中", "still in flight at the end")
            .get(lang)
            .to_string(),
        Outcome::LostOnPath(r) | Outcome::Discarded(r) => format!("✕ {}", drop_reason(r, lang)),
    };
    let close = p.on_close.reform(|_: MouseEvent| ());
    html! {
        <section class="inspector" data-testid="inspector" aria-label={T::new("报文详情", "Packet details").get(lang)}>
            <header>
                <span class={classes!("kind-swatch", format!("k-{}", kind.css()))}>{ kind.name(lang) }</span>
                <span class="mono">{ p.endpoints.clone() }</span>
                <span class="insp-fate">{ fate }</span>
                <button class="chip" onclick={close} aria-label="close">{"✕"}</button>
            </header>
            <div class="hd-ruler mono" aria-hidden="true">
                <span>{"0"}</span><span>{"8"}</span><span>{"16"}</span><span>{"24"}</span><span>{"31"}</span>
            </div>
            <div class="hd-grid">{ for cells }</div>
            if let Some(m) = icmp_meaning(seg, lang) {
                <p class="insp-foot" data-testid="icmp-meaning">{ m }</p>
            }
            <p class="insp-foot">
                { match lang {
                    Lang::Zh => format!("载荷 {} 字节；IP 层总长 {} 字节{}。", seg.payload_len, seg.wire_len,
                        if seg.retransmission > 0 { format!("；第 {} 次重传", seg.retransmission) } else { String::new() }),
                    Lang::En => format!("Payload {} bytes; {} bytes on the wire at the IP layer{}.", seg.payload_len, seg.wire_len,
                        if seg.retransmission > 0 { format!("; retransmission #{}", seg.retransmission) } else { String::new() }),
                } }
            </p>
        </section>
    }
}
