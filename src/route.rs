//! Hash routing: `#/<path>?<query>`.
//!
//! The hash keeps `dist/` working on any static host (no server rewrite rules) and inside
//! iframes. Parameters live after `?` inside the hash so one string is the whole deep link.
//! Everything here is pure so it can be tested without a browser.

use crate::i18n::T;

/// One table of every page: `Variant = path, test id, title, blurb;`. It makes [`Route`],
/// `Route::ALL` (in this order, the order of the site's lists) and the four lookups, so a page
/// is one line here and none of them can be forgotten. Paths and ids are part of old links and
/// of the tests' hooks: change them only with a redirect.
macro_rules! routes {
    ($( $variant:ident = $path:literal, $id:literal, $title:expr, $blurb:expr; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Route { $( $variant ),* }

        impl Route {
            pub const ALL: &'static [Route] = &[$( Route::$variant ),*];

            /// The path inside the hash, e.g. `/ref/ports`. Other parts of the project link to
            /// these.
            pub fn path(self) -> &'static str {
                match self { $( Route::$variant => $path ),* }
            }

            /// Stable id for test hooks: `data-testid="page-<id>"`.
            pub fn id(self) -> &'static str {
                match self { $( Route::$variant => $id ),* }
            }

            pub fn title(self) -> T {
                match self { $( Route::$variant => $title ),* }
            }

            pub fn blurb(self) -> T {
                match self { $( Route::$variant => $blurb ),* }
            }
        }
    };
}

routes! {
    Landing = "/", "landing", T::new("synack", "synack"), T::new("", "");
    Handshake = "/handshake", "handshake",
        T::new("三次握手", "Three-way handshake"),
        T::new(
            "SYN、SYN-ACK、ACK：序号怎样同步，丢了任何一个会怎样。",
            "SYN, SYN-ACK, ACK: how sequence numbers sync, and what happens when one is lost.",
        );
    Teardown = "/teardown", "teardown",
        T::new("四次挥手", "Four-way teardown"),
        T::new(
            "FIN 与 ACK 各走两趟，TIME-WAIT 为什么要等 2MSL。",
            "FIN and ACK in both directions, and why TIME-WAIT waits 2MSL.",
        );
    TcpVsUdp = "/tcp-vs-udp", "tcp-vs-udp",
        T::new("TCP 与 UDP 对比", "TCP vs UDP"),
        T::new(
            "同一批消息、同一条有损网络：可靠有序的流，对比有边界但会丢的报文。",
            "Same messages, same lossy link: a reliable ordered stream against bounded, losable datagrams.",
        );
    Sticky = "/sticky", "sticky",
        T::new("TCP 粘包", "TCP sticky packets"),
        T::new(
            "data1 和 data2 为什么会粘在一起，三种解决办法各有什么代价。",
            "Why data1 and data2 arrive glued together, and what each of three fixes costs.",
        );
    Udp = "/udp", "udp",
        T::new("UDP 消息边界与 n:m", "UDP boundaries and n:m"),
        T::new(
            "每次 recvfrom() 取一个完整报文；缓冲区太小会截断；多对多。",
            "Each recvfrom() takes one whole datagram; a small buffer truncates; many to many.",
        );
    Backlog = "/backlog", "backlog",
        T::new("listen backlog 队列", "The listen backlog"),
        T::new(
            "SYN 队列与 accept 队列被填满时，Linux 会做什么。",
            "What Linux does when the SYN queue and the accept queue fill up.",
        );
    Window = "/window", "window",
        T::new("滑动窗口与拥塞控制", "Sliding window and congestion"),
        T::new(
            "发送窗口、接收窗口、cwnd 与 ssthresh 随时间变化。",
            "Send window, receive window, cwnd and ssthresh over time.",
        );
    RefTcpUdp = "/ref/tcp-udp", "ref-tcp-udp",
        T::new("TCP/UDP 特性对照表", "TCP/UDP feature table"),
        T::new(
            "TCP 的特性与 TCP/UDP 区别，每一行都链接到演示它的场景。",
            "TCP's features and the TCP/UDP differences, each row linked to its scene.",
        );
    RefPorts = "/ref/ports", "ref-ports",
        T::new("常用端口", "Common ports"),
        T::new(
            "按端口号、名称或协议筛选的常用端口表。",
            "Common ports, filterable by number, name and protocol.",
        );
    RefOsi = "/ref/osi", "ref-osi",
        T::new("OSI 七层与 TCP/IP 四层", "OSI and TCP/IP layers"),
        T::new(
            "一次 HTTP 请求沿协议栈向下再向上，每层加上自己的头部。",
            "One HTTP request going down the stack and up again, each layer adding its header.",
        );
    Quiz = "/quiz", "quiz",
        T::new("面试模式", "Interview mode"),
        T::new(
            "动画暂停，猜下一个报文、状态或确认号。",
            "The animation pauses; guess the next packet, state or ack number.",
        );
    Open = "/open", "open",
        T::new("打开抓包 / 实验记录", "Open a capture / lab trace"),
        T::new(
            "导入 pcap/pcapng 抓包或 synack-lab 实验记录，用同样的视图查看。",
            "Import a pcap/pcapng capture or a synack-lab trace and view it the same way.",
        );
}

impl Route {
    pub fn from_path(path: &str) -> Option<Route> {
        let p = path.trim_end_matches('/');
        let p = if p.is_empty() { "/" } else { p };
        // Paths are matched without regard to case: `#/HANDSHAKE` is the handshake scene.
        Route::ALL
            .iter()
            .copied()
            .find(|r| r.path().eq_ignore_ascii_case(p))
    }

    pub fn href(self) -> String {
        format!("#{}", self.path())
    }

    /// The reference pages and tools, listed apart from the scenes on the landing page.
    pub fn is_reference(self) -> bool {
        matches!(
            self,
            Route::RefTcpUdp | Route::RefPorts | Route::RefOsi | Route::Quiz | Route::Open
        )
    }
}

/// The query part of a hash: ordered key/value pairs, percent-decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(s: &str) -> Query {
        Query(
            s.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(p), String::new()),
                })
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Replaces the first value of `key` (keeping its position) or appends it.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A parsed location hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// `None` for an unknown path (shown as not-found).
    pub route: Option<Route>,
    /// The path as written, for the not-found page.
    pub path: String,
    pub query: Query,
}

impl Location {
    /// Parses `#/handshake?loss=10` (the leading `#` is optional; empty means the landing page).
    pub fn parse(hash: &str) -> Location {
        let h = hash.strip_prefix('#').unwrap_or(hash);
        let (path, query) = h.split_once('?').unwrap_or((h, ""));
        let path = decode(path);
        let path = if path.is_empty() {
            "/".to_string()
        } else if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        Location {
            route: Route::from_path(&path),
            path,
            query: Query::parse(query),
        }
    }

    pub fn to_hash(&self) -> String {
        if self.query.is_empty() {
            format!("#{}", self.path)
        } else {
            format!("#{}?{}", self.path, self.query.encode())
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (and a few that are safe in
/// a fragment's query and keep links readable: `,` `:`).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decodes; `+` is a space (form style); a broken escape is kept as written.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |c: u8| (c as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_route_round_trips_through_its_path() {
        for &r in Route::ALL {
            assert_eq!(Location::parse(&r.href()).route, Some(r), "{r:?}");
        }
    }

    #[test]
    fn empty_hash_and_trailing_slash() {
        assert_eq!(Location::parse("").route, Some(Route::Landing));
        assert_eq!(Location::parse("#").route, Some(Route::Landing));
        assert_eq!(
            Location::parse("#/handshake/").route,
            Some(Route::Handshake)
        );
        assert_eq!(Location::parse("#handshake").route, Some(Route::Handshake));
    }

    #[test]
    fn unknown_paths_are_not_found_and_keep_their_text() {
        let l = Location::parse("#/nope?x=1");
        assert_eq!(l.route, None);
        assert_eq!(l.path, "/nope");
    }

    #[test]
    fn query_parses_decodes_and_re_encodes() {
        let l = Location::parse("#/handshake?case=syn-lost&loss=10&seed=7&t=1.25&name=a%20b%26c");
        assert_eq!(l.query.get("case"), Some("syn-lost"));
        assert_eq!(l.query.get("t"), Some("1.25"));
        assert_eq!(l.query.get("name"), Some("a b&c"));
        assert_eq!(Location::parse(&l.to_hash()), l);
    }

    #[test]
    fn broken_escapes_survive() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
        assert_eq!(decode("%E4%B8%AD"), "中");
        assert_eq!(encode("中"), "%E4%B8%AD");
    }
}
