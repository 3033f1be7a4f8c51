//! The capture reader's problems in the reader's language. The worker sends each problem as data
//! (`synack_capture::problem::Detail`: which check failed and its values, e.g.
//! `{"what":"caplen_over_snaplen","caplen":70000,"snaplen":65535,"interface":null}`), read back
//! here into the capture crate's own enums (built without its parsers); the sentences are ours,
//! in Chinese and English.

use synack_capture::protocol::Failure;
use synack_capture::{BlockKind, Detail, Layer};

use crate::i18n::Lang;

/// The rows of a sentence table: `Pattern => let x = …; ("中文", "English"),`. Each row's two
/// format strings read the pattern's bindings and its `let`s; the rows become one `match`, so
/// the table is exhaustive over the enum (a kind without a row is a compile error).
macro_rules! sentences {
    ($value:expr, $lang:expr; $( $pat:pat => $( let $p:pat = $v:expr; )* ($zh:literal, $en:literal $(,)?), )*) => {
        match $value {
            $( $pat => {
                $( let $p = $v; )*
                match $lang {
                    Lang::Zh => format!($zh),
                    Lang::En => format!($en),
                }
            } )*
        }
    };
}

/// One sentence for `detail`. Exhaustive: a kind of problem the reader gains is a compile error
/// here until it is worded.
pub fn problem_text(detail: &Detail, lang: Lang) -> String {
    use Detail::*;
    sentences! { detail, lang;
        FileTooShort { len } => (
            "文件只有 {len} 字节，不可能是 pcap 或 pcapng 抓包文件。",
            "The file is only {len} bytes long: too short for a pcap or pcapng capture.",
        ),
        UnknownMagic { first_bytes } => let hex = hex_bytes(first_bytes); (
            "不是 pcap 或 pcapng 文件：开头的字节是 {hex}（pcap 以 a1b2c3d4 或 d4c3b2a1 开头，pcapng 以 0a0d0d0a 开头）。",
            "Not a pcap or pcapng file: it starts with the bytes {hex} (pcap files start with a1b2c3d4 or d4c3b2a1, pcapng files with 0a0d0d0a).",
        ),
        ModifiedPcap => (
            "这是“修改版”（Kuznetzov）pcap，暂不支持；请先另存为 pcap 或 pcapng。",
            "This is a \"modified\" (Kuznetzov) pcap, which is not supported: save it as pcap or pcapng first.",
        ),
        PcapHeaderCut { len } => (
            "文件在 24 字节的 pcap 文件头里就结束了（只有 {len} 字节）。",
            "The file ends inside its 24-byte pcap header (it has {len} bytes).",
        ),
        RecordHeaderCut { left } => (
            "文件在这个包 16 字节的记录头里结束了（只剩 {left} 字节）。",
            "The file ends inside this packet's 16-byte record header ({left} bytes left).",
        ),
        CaplenAbsurd { caplen, max } => (
            "抓取长度 {caplen} 比任何真实的包都大（上限 {max}）：记录头已损坏，读取到此为止。",
            "Captured length {caplen} is more than any real packet ({max}): the record header is corrupt, so reading stops here.",
        ),
        PacketCut { caplen, left } => (
            "文件在这个包的中间结束了：抓取长度 {caplen}，只剩 {left} 字节。",
            "The file ends inside this packet: captured length {caplen}, only {left} bytes left.",
        ),
        RecordUnparsable => (
            "这个包的记录无法解析。",
            "This packet record could not be parsed.",
        ),
        CaplenOverSnaplen { caplen, snaplen, interface: Some(i) } => (
            "抓取长度 {caplen} 大于接口 {i} 的快照长度 {snaplen}；仍然读取这个包。",
            "Captured length {caplen} is larger than interface {i}'s snapshot length {snaplen}; the packet is read anyway.",
        ),
        CaplenOverSnaplen { caplen, snaplen, interface: None } => (
            "抓取长度 {caplen} 大于文件的快照长度 {snaplen}；仍然读取这个包。",
            "Captured length {caplen} is larger than the file's snapshot length {snaplen}; the packet is read anyway.",
        ),
        CaplenOverOrigLen { caplen: c, orig_len: o } => (
            "抓取长度 {c} 大于包的原始长度 {o}；帧长度仍按原始长度 {o} 计（和 Wireshark 一样）。",
            "Captured length {c} is larger than the packet's original length {o}; the frame still counts as {o} bytes long (as in Wireshark).",
        ),
        IpLengthBeyondPacket { version: v, claimed, on_wire } => (
            "IPv{v} 头部声称这个包有 {claimed} 字节，但从 IP 头起实际只有 {on_wire} 字节：按 {on_wire} 字节读取。",
            "The IPv{v} header claims {claimed} bytes, but the packet has only {on_wire} bytes from its IP header on: it is read as {on_wire} bytes.",
        ),
        UnsupportedCompression { compression } => let c = compression.name(); (
            "这个文件是用 {c} 压缩的，这里打不开：请先解压，再打开里面的 pcap 或 pcapng 文件（gzip 压缩的文件可以直接打开）。",
            "This file is compressed with {c}, which this page does not open: decompress it first and open the pcap or pcapng inside (gzip files open directly).",
        ),
        GzipCut { decompressed: d } => (
            "这个 gzip 文件提前结束了：只解压出 {d} 字节，抓包读到那里为止。",
            "This gzip file ends early: {d} bytes came out of it, and the capture is read up to there.",
        ),
        GzipCorrupt { decompressed: d, error: e } => (
            "这个 gzip 文件在解压出 {d} 字节后数据损坏（{e}），抓包读到那里为止。",
            "This gzip file's data is damaged after {d} bytes ({e}); the capture is read up to there.",
        ),
        GzipTooLarge { limit: l } => (
            "这个 gzip 文件解压后超过 {l} 字节，只读取前 {l} 字节。",
            "This gzip file decompresses to more than {l} bytes; only the first {l} are read.",
        ),
        BlockHeaderCut { left } => (
            "文件在一个块的头部结束了（只剩 {left} 字节）。",
            "The file ends inside a block header ({left} bytes left).",
        ),
        UnknownByteOrder { magic: m } => (
            "节头块的字节序标记 {m:#010x} 无法识别（应为 1a2b3c4d）。",
            "Section header block with an unknown byte-order magic {m:#010x} (expected 1a2b3c4d).",
        ),
        BlockLenAbsurd { len, max } => (
            "块长度 {len} 不可能（块至少 12 字节、是 4 的倍数、最多 {max} 字节）：读取到此为止。",
            "Block length {len} is impossible (a block is at least 12 bytes, a multiple of 4, and at most {max}): reading stops here.",
        ),
        BlockCut { len, left } => (
            "文件在这个块的中间结束了：块长度 {len}，只剩 {left} 字节。",
            "The file ends inside this block: its length is {len}, only {left} bytes left.",
        ),
        BlockLenMismatch { len, trailer: t } => (
            "块开头写的长度是 {len}，结尾却是 {t}；按 {len} 读取。",
            "Block length {len} at the start but {t} at the end; using {len}.",
        ),
        PacketBlockShort { len } => (
            "包块只有 {len} 字节，放不下它的固定字段；已跳过。",
            "Packet block of {len} bytes is too short for its fixed fields; skipped.",
        ),
        BlockUnparsable { block, block_type: t, ends_early } =>
            let (bz, be) = block_words(*block);
            let (wz, we) = if *ends_early {
                ("内容提前结束", "its contents end early")
            } else {
                ("字段互相矛盾", "its fields are inconsistent")
            }; (
            "{bz}（类型 {t:#x}）无法解析（{wz}）；已跳过。",
            "{be} of type {t:#x} could not be parsed ({we}); skipped.",
        ),
        BadTsresol { interface: i, tsresol: r } => (
            "接口 {i} 的时间精度 if_tsresol={r:#x} 不可能；按微秒处理。",
            "Interface {i} has an impossible time resolution if_tsresol={r:#x}; assuming microseconds.",
        ),
        SimplePacketNoInterface => (
            "简单包块出现在任何接口描述之前；已跳过。",
            "Simple packet block before any interface description; skipped.",
        ),
        UnknownInterface { interface: i, described: d } => (
            "这个包属于接口 {i}，但这一节只描述了 {d} 个接口；已跳过。",
            "The packet names interface {i}, but this section describes only {d}; skipped.",
        ),
        CaplenOverBlock { caplen: c, room } => (
            "抓取长度 {c} 大于装它的块（{room} 字节）；已跳过。",
            "Captured length {c} is larger than the block that holds it ({room} bytes); skipped.",
        ),
        UnknownLinkType { link_type: lt } => (
            "不支持链路层类型 {lt}（支持以太网、Linux cooked SLL/SLL2、原始 IPv4/IPv6、BSD 回环）；这种类型的包全部跳过。",
            "Link-layer type {lt} is not supported (supported: Ethernet, Linux cooked SLL/SLL2, raw IPv4/IPv6, BSD loopback); every packet of this type is skipped.",
        ),
        Undecodable { layer, min_len: Some(min), error } =>
            let (lz, le) = layer_words(*layer);
            let (ez, ee) = decoder_words(error); (
            "无法解码：{lz} 头不足 {min} 字节；已跳过。{ez}",
            "Could not decode the packet: its {le} header is shorter than {min} bytes; skipped.{ee}",
        ),
        Undecodable { layer, min_len: None, error } =>
            let (lz, le) = layer_words(*layer);
            let (ez, ee) = decoder_words(error); (
            "无法解码：{lz} 头有误；已跳过。{ez}",
            "Could not decode the packet: its {le} header is broken; skipped.{ee}",
        ),
    }
}

/// "47 49 46 38": a file's first bytes as the reader found them.
fn hex_bytes(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hex.join(" ")
}

/// A pcapng block's kind, in Chinese and English.
fn block_words(block: BlockKind) -> (&'static str, &'static str) {
    match block {
        BlockKind::Packet => ("包块", "Packet block"),
        BlockKind::Interface => ("接口描述块", "Interface description block"),
        BlockKind::Section => ("节头块", "Section header block"),
        BlockKind::Other => ("块", "Block"),
    }
}

/// A header layer's name, in Chinese and English.
fn layer_words(layer: Layer) -> (&'static str, &'static str) {
    match layer {
        Layer::Ethernet => ("以太网", "Ethernet"),
        Layer::Loopback => ("回环", "loopback"),
        Layer::Sll => ("Linux cooked", "Linux cooked"),
        Layer::Sll2 => ("Linux cooked v2", "Linux cooked v2"),
        Layer::Ip => ("IP", "IP"),
        Layer::Tcp => ("TCP", "TCP"),
        Layer::Udp => ("UDP", "UDP"),
    }
}

/// The header decoder's own words (etherparse, English), quoted after the sentence: a value,
/// like the numbers.
fn decoder_words(error: &Option<String>) -> (String, String) {
    match error {
        Some(e) => (format!("（解码器：{e}）"), format!(" (decoder: {e})")),
        None => (String::new(), String::new()),
    }
}

/// Why the capture reader could not answer a request, in `lang`. Exhaustive, like
/// [`problem_text`]: a new kind of refusal is a compile error here until it is worded.
pub fn failure_text(failure: &Failure, lang: Lang) -> String {
    use Failure::*;
    sentences! { failure, lang;
        NoCapture => ("还没有打开抓包文件。", "No capture file is open yet."),
        NoBytes => (
            "抓包读取器没有收到文件的内容。",
            "The capture reader did not receive the file's contents.",
        ),
        Unreadable { message } => ("文件读不出来：{message}", "The file could not be read: {message}"),
        BadFilter { message } => ("过滤条件看不懂：{message}", "The filter cannot be read: {message}"),
        NoSuchConversation { id } => (
            "这个文件里没有第 {id} 号会话。",
            "This file has no conversation #{id}.",
        ),
        NoTrace { id, message } => (
            "会话 #{id} 画不成图：{message}",
            "Conversation #{id} cannot be drawn: {message}",
        ),
        BadRequest { message } => (
            "页面和抓包读取器对不上（可能是新旧两个版本），请刷新页面：{message}",
            "The page and the capture reader do not understand each other (perhaps two versions of the site): reload the page. {message}",
        ),
    }
}

/// The reader's name for a kind of detail (`"caplen_over_snaplen"`, its `what` in the JSON), for
/// the page's `data-what` attribute.
pub fn what(detail: &Detail) -> String {
    serde_json::to_value(detail)
        .ok()
        .and_then(|v| v["what"].as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_kind_the_reader_reports_is_worded_in_both_languages() {
        for d in Detail::examples() {
            // As the page gets it: written by the worker, read back here.
            let v = serde_json::to_value(&d).unwrap();
            let read: Detail = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(read, d);
            let zh = problem_text(&read, Lang::Zh);
            let en = problem_text(&read, Lang::En);
            assert!(cjk(&zh), "{zh}");
            assert!(!cjk(&en), "{en}");
            // Every number the reader found is in both sentences.
            for (k, n) in v.as_object().unwrap() {
                if let Some(n) = n
                    .as_u64()
                    .filter(|_| k != "block_type" && k != "magic" && k != "tsresol")
                {
                    assert!(
                        zh.contains(&n.to_string()) && en.contains(&n.to_string()),
                        "{k}={n}: {zh} / {en}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_refusal_of_the_reader_is_worded_in_both_languages() {
        let all = [
            Failure::NoCapture,
            Failure::NoBytes,
            Failure::Unreadable {
                message: "end of file".into(),
            },
            Failure::BadFilter {
                message: "unknown word".into(),
            },
            Failure::NoSuchConversation { id: 42 },
            Failure::NoTrace {
                id: 42,
                message: "no packets".into(),
            },
            Failure::BadRequest {
                message: "missing field".into(),
            },
        ];
        for f in &all {
            let (zh, en) = (failure_text(f, Lang::Zh), failure_text(f, Lang::En));
            assert!(cjk(&zh), "{zh}");
            assert!(!cjk(&en) && !en.is_empty(), "{en}");
            if let Failure::NoSuchConversation { id } | Failure::NoTrace { id, .. } = f {
                assert!(zh.contains(&id.to_string()) && en.contains(&id.to_string()));
            }
        }
    }

    #[test]
    fn values_and_places_read_naturally() {
        let d = Detail::CaplenOverSnaplen {
            caplen: 70000,
            snaplen: 65535,
            interface: Some(2),
        };
        assert_eq!(
            problem_text(&d, Lang::En),
            "Captured length 70000 is larger than interface 2's snapshot length 65535; the packet is read anyway."
        );
        assert_eq!(
            problem_text(&d, Lang::Zh),
            "抓取长度 70000 大于接口 2 的快照长度 65535；仍然读取这个包。"
        );
        let d = Detail::UnknownMagic {
            first_bytes: [0x47, 0x49, 0x46, 0x38],
        };
        assert!(problem_text(&d, Lang::Zh).contains("47 49 46 38"));
    }
}
