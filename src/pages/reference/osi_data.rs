//! The OSI and TCP/IP layer models, and the arithmetic of one HTTP request being wrapped in
//! headers on its way down the stack and unwrapped on the way up.
//!
//! Header sizes: TCP 20 bytes without options (RFC 9293 §3.1), IPv4 20 bytes without options
//! (RFC 791), Ethernet II 14 bytes of header + 4 bytes of FCS, with a 46-byte minimum payload
//! (IEEE 802.3); on the wire every frame is also preceded by 8 bytes of preamble + SFD and
//! followed by a 12-byte inter-frame gap, which are not part of the frame.
//!
//! The layer table's data units and what each layer adds are out of every build
//! (`crate::texts`): the page fetches `words/ref-osi.tsv` when it opens, one line per text in the
//! order of [`texts`]; the quiz's layer question, which quotes what a layer adds, has those in its
//! own file (`quiz::words`). The layers' names stay in: the animation draws them at first paint.

use crate::i18n::{Lang, T};
use crate::texts::{tx, Tx};

pub struct OsiLayer {
    pub num: u8,
    pub name: T,
    /// What it adds: in the table (`words/ref-osi.tsv`) and in the quiz's OSI question's
    /// explanation (`words/quiz-<lang>.tsv`, `quiz::bank::osi_texts`).
    pub adds: Tx,
    pub examples: &'static str,
    pub pdu: Tx,
}

/// Top (7) to bottom (1).
pub const OSI: [OsiLayer; 7] = [
    OsiLayer {
        num: 7,
        name: T::new("应用层", "Application"),
        adds: tx(
            "应用要说的话本身：请求、应答、邮件、查询",
            "What the application has to say: requests, replies, mail, queries",
        ),
        examples: "HTTP, DNS, SMTP, FTP, SSH",
        pdu: tx("数据 / 报文", "data / message"),
    },
    OsiLayer {
        num: 6,
        name: T::new("表示层", "Presentation"),
        adds: tx(
            "数据的表示：编码、压缩、加密",
            "How data is represented: encoding, compression, encryption",
        ),
        examples: "UTF-8, JSON, gzip, TLS",
        pdu: tx("数据", "data"),
    },
    OsiLayer {
        num: 5,
        name: T::new("会话层", "Session"),
        adds: tx(
            "对话的建立、维持和恢复",
            "Setting up, keeping and resuming a dialogue",
        ),
        examples: "RPC, NetBIOS, TLS session resumption",
        pdu: tx("数据", "data"),
    },
    OsiLayer {
        num: 4,
        name: T::new("传输层", "Transport"),
        adds: tx(
            "端口（进程到进程）；TCP 还有序号、确认、窗口",
            "Ports (process to process); TCP adds sequence numbers, ACKs and windows",
        ),
        examples: "TCP, UDP, QUIC (over UDP)",
        pdu: tx("段（TCP）/ 数据报（UDP）", "segment (TCP) / datagram (UDP)"),
    },
    OsiLayer {
        num: 3,
        name: T::new("网络层", "Network"),
        adds: tx(
            "IP 地址和路由：跨越多个网络把包送到目的主机",
            "IP addresses and routing: getting the packet across networks to its host",
        ),
        examples: "IPv4, IPv6, ICMP",
        pdu: tx("包 / 分组", "packet"),
    },
    OsiLayer {
        num: 2,
        name: T::new("数据链路层", "Data link"),
        adds: tx(
            "MAC 地址、成帧、校验（FCS）：在一段链路上送到下一跳",
            "MAC addresses, framing, error check (FCS): delivery over one hop",
        ),
        examples: "Ethernet, Wi-Fi (802.11), ARP",
        pdu: tx("帧", "frame"),
    },
    OsiLayer {
        num: 1,
        name: T::new("物理层", "Physical"),
        adds: tx(
            "把比特变成电信号、光或无线电",
            "Bits turned into voltages, light or radio",
        ),
        examples: "1000BASE-T, fibre, 802.11 radio",
        pdu: tx("比特", "bits"),
    },
];

/// Every text of the layer table, in its file's order: (key, text).
pub fn texts() -> Vec<(String, Tx)> {
    OSI.iter()
        .flat_map(|l| {
            [
                (format!("layer.{}.adds", l.num), l.adds),
                (format!("layer.{}.pdu", l.num), l.pdu),
            ]
        })
        .collect()
}

pub struct TcpIpLayer {
    pub name: T,
    /// The OSI layers it covers, top first.
    pub osi: &'static [u8],
}

/// RFC 1122's four layers. (Some textbooks split Link into data link + physical: five layers.)
pub const TCPIP: [TcpIpLayer; 4] = [
    TcpIpLayer {
        name: T::new("应用层", "Application"),
        osi: &[7, 6, 5],
    },
    TcpIpLayer {
        name: T::new("传输层", "Transport"),
        osi: &[4],
    },
    TcpIpLayer {
        name: T::new("网际层", "Internet"),
        osi: &[3],
    },
    TcpIpLayer {
        name: T::new("链路层", "Link"),
        osi: &[2, 1],
    },
];

// ---------------------------------------------------------------------------------------------
// One HTTP request, wrapped and unwrapped.

/// The request of the animation: a minimal HTTP/1.1 GET.
pub const HTTP_REQUEST: &str = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
pub const TCP_HEADER: usize = 20;
pub const IPV4_HEADER: usize = 20;
pub const ETH_HEADER: usize = 14;
pub const ETH_FCS: usize = 4;
pub const ETH_MIN_PAYLOAD: usize = 46;
pub const PREAMBLE_SFD: usize = 8;
pub const INTERFRAME_GAP: usize = 12;

/// Sizes of the request at each layer, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    pub http: usize,
    pub segment: usize,
    pub packet: usize,
    /// Zero bytes added so that the Ethernet payload reaches 46 bytes.
    pub padding: usize,
    pub frame: usize,
    /// Bits on the wire, preamble and SFD included (the gap after the frame is silence).
    pub wire_bits: usize,
}

pub fn sizes(http: usize) -> Sizes {
    let segment = http + TCP_HEADER;
    let packet = segment + IPV4_HEADER;
    let padding = ETH_MIN_PAYLOAD.saturating_sub(packet);
    let frame = ETH_HEADER + packet + padding + ETH_FCS;
    Sizes {
        http,
        segment,
        packet,
        padding,
        frame,
        wire_bits: (PREAMBLE_SFD + frame) * 8,
    }
}

/// A piece of the unit on screen, outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Eth,
    Ip,
    Tcp,
    Http,
    Pad,
    Fcs,
}

impl Part {
    pub fn bytes(self, s: &Sizes) -> usize {
        match self {
            Part::Eth => ETH_HEADER,
            Part::Ip => IPV4_HEADER,
            Part::Tcp => TCP_HEADER,
            Part::Http => s.http,
            Part::Pad => s.padding,
            Part::Fcs => ETH_FCS,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Part::Eth => "Eth",
            Part::Ip => "IP",
            Part::Tcp => "TCP",
            Part::Http => "HTTP",
            Part::Pad => "pad",
            Part::Fcs => "FCS",
        }
    }
}

/// Where the request is: a layer of the four-layer stack on one host, or the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Client(usize),
    Wire,
    Server(usize),
}

/// Client application → client link (4 steps), the wire, server link → server application.
pub const STEPS: usize = 9;
const WIRE: usize = 4;

/// Where step `i` is (clamped to the last step). Layer indices follow [`TCPIP`]: 0 = application.
pub fn place(i: usize) -> Place {
    let i = i.min(STEPS - 1);
    match i {
        0..WIRE => Place::Client(i),
        WIRE => Place::Wire,
        _ => Place::Server(STEPS - 1 - i),
    }
}

/// The unit at step `i`: going down, what the layer has just built; going up, what the layer
/// has just received (it strips its own header as it passes the rest up). So the picture is
/// symmetric around the wire.
pub fn parts(i: usize, s: &Sizes) -> Vec<Part> {
    let depth = match place(i) {
        Place::Client(l) | Place::Server(l) => l,
        Place::Wire => 3,
    };
    let mut v = Vec::new();
    if depth >= 3 {
        v.push(Part::Eth);
    }
    if depth >= 2 {
        v.push(Part::Ip);
    }
    if depth >= 1 {
        v.push(Part::Tcp);
    }
    v.push(Part::Http);
    if depth >= 3 {
        if s.padding > 0 {
            v.push(Part::Pad);
        }
        v.push(Part::Fcs);
    }
    v
}

pub fn total(parts: &[Part], s: &Sizes) -> usize {
    parts.iter().map(|p| p.bytes(s)).sum()
}

/// One plain sentence for step `i`.
pub fn narration(i: usize, s: &Sizes, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match i.min(STEPS - 1) {
        0 => {
            if zh {
                format!(
                    "客户端浏览器写好 HTTP 请求：{} 字节的文本，交给 TCP 套接字。",
                    s.http
                )
            } else {
                format!("The client's browser writes the HTTP request, {} bytes of text, into a TCP socket.", s.http)
            }
        }
        1 => {
            if zh {
                format!("TCP 加上 {TCP_HEADER} 字节首部（端口、序号、确认号、窗口、校验和），成为 {} 字节的段。", s.segment)
            } else {
                format!("TCP adds a {TCP_HEADER}-byte header (ports, sequence and ack numbers, window, checksum): a {}-byte segment.", s.segment)
            }
        }
        2 => {
            if zh {
                format!("IP 加上 {IPV4_HEADER} 字节首部（源/目的 IP、TTL、协议号 6），成为 {} 字节的包。", s.packet)
            } else {
                format!("IP adds a {IPV4_HEADER}-byte header (source and destination IP, TTL, protocol 6): an {}-byte packet.", s.packet)
            }
        }
        3 => {
            if zh {
                format!("以太网加上 {ETH_HEADER} 字节首部（目的/源 MAC、类型 0x0800）和 {ETH_FCS} 字节 FCS 校验，成为 {} 字节的帧。", s.frame)
            } else {
                format!("Ethernet adds a {ETH_HEADER}-byte header (destination and source MAC, type 0x0800) and a {ETH_FCS}-byte FCS: a {}-byte frame.", s.frame)
            }
        }
        4 => {
            if zh {
                format!("物理层把帧连同 {PREAMBLE_SFD} 字节前导码发成 {} 个比特；帧之后还要留 {INTERFRAME_GAP} 字节的帧间隙。", s.wire_bits)
            } else {
                format!("The physical layer sends the frame plus an {PREAMBLE_SFD}-byte preamble as {} bits; a {INTERFRAME_GAP}-byte gap follows.", s.wire_bits)
            }
        }
        5 => {
            if zh {
                format!("服务器网卡收到 {} 字节的帧：FCS 校验通过、目的 MAC 是自己，去掉以太网首尾，把 {} 字节交给 IP。", s.frame, s.packet)
            } else {
                format!("The server's NIC receives the {}-byte frame: the FCS checks out and the MAC is its own, so it strips the Ethernet header and trailer and hands {} bytes to IP.", s.frame, s.packet)
            }
        }
        6 => {
            if zh {
                format!("IP 收到 {} 字节的包：目的地址是本机、协议号 6，去掉 IP 首部，把 {} 字节交给 TCP。", s.packet, s.segment)
            } else {
                format!("IP receives the {}-byte packet: its own address, protocol 6. It strips its header and hands {} bytes to TCP.", s.packet, s.segment)
            }
        }
        7 => {
            if zh {
                format!("TCP 收到 {} 字节的段：按目的端口 80 找到连接，核对序号并回 ACK，去掉首部，把 {} 字节放进接收缓冲区。", s.segment, s.http)
            } else {
                format!("TCP receives the {}-byte segment, finds the connection by port 80, checks the sequence number and ACKs, strips its header and queues {} bytes for the application.", s.segment, s.http)
            }
        }
        _ => {
            if zh {
                format!(
                    "服务器程序 read() 到完全相同的 {} 字节请求。它看不到任何一层首部。",
                    s.http
                )
            } else {
                format!("The server program's read() returns the very same {} bytes. It sees none of the headers.", s.http)
            }
        }
    }
}

/// The fields of a header, for the list under the animation.
pub fn fields(part: Part, s: &Sizes, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match part {
        Part::Http => {
            if zh {
                "请求行 GET /index.html HTTP/1.1 + Host 头 + 空行".into()
            } else {
                "request line GET /index.html HTTP/1.1 + Host header + blank line".into()
            }
        }
        Part::Tcp => {
            if zh {
                "源端口 50000 → 目的端口 80，seq，ack，标志 PSH+ACK，窗口，校验和（无选项；Linux 默认带 12 字节时间戳选项，即 32 字节）".into()
            } else {
                "src port 50000 → dst port 80, seq, ack, flags PSH+ACK, window, checksum (no options; Linux adds 12 bytes of timestamps by default, making 32)".into()
            }
        }
        Part::Ip => {
            if zh {
                format!(
                    "版本 4，总长度 {}，TTL 64，协议 6（TCP），192.0.2.10 → 198.51.100.80",
                    s.packet
                )
            } else {
                format!("version 4, total length {}, TTL 64, protocol 6 (TCP), 192.0.2.10 → 198.51.100.80", s.packet)
            }
        }
        Part::Eth => {
            if zh {
                "目的 MAC（下一跳，通常是路由器）、源 MAC、类型 0x0800（IPv4）".into()
            } else {
                "destination MAC (the next hop, usually a router), source MAC, type 0x0800 (IPv4)"
                    .into()
            }
        }
        Part::Pad => {
            if zh {
                format!("{} 字节填充，使以太网载荷达到最小 46 字节", s.padding)
            } else {
                format!(
                    "{} bytes of padding up to the 46-byte minimum payload",
                    s.padding
                )
            }
        }
        Part::Fcs => {
            if zh {
                "帧尾的 CRC-32 校验，接收方据此丢弃损坏的帧".into()
            } else {
                "CRC-32 at the end; the receiver drops a damaged frame".into()
            }
        }
    }
}
