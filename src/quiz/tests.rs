//! The generator checked against the traces themselves, for many variants: each check reads
//! the trace its own way (the first segment after the pause, the state a socket is in just
//! after it, what recv() returned) and compares with the question's answer.

use std::collections::BTreeSet;

use synack_model::trace::{AppCallKind, AppResult, EventKind, Header, TcpState, Trace};
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::bank::COVERAGE;
use super::gen::{self, seg_text};
use super::score::Score;
use super::words::{self, Words};
use super::{check, parse_number, Answer, Question, Topic};
use crate::engine::labels::{Isns, Numbering};
use crate::i18n::Lang;

const VARIANTS: u32 = 12;

fn question(id: &str, v: u32, lang: Lang) -> (Option<Trace>, Question) {
    let item = gen::find(id).unwrap_or_else(|| panic!("no item {id}"));
    let t = gen::trace_for(item, v);
    let q = gen::ask(item, v, t.as_ref(), Words::table(lang))
        .unwrap_or_else(|| panic!("{id} v{v} {lang:?}: no question"));
    (t, q)
}

fn chosen(q: &Question) -> &str {
    match q.answer {
        Answer::Choice(c) => &q.choices[c],
        Answer::Number(_) => panic!("{}: not multiple choice", q.item),
    }
}

fn number(q: &Question) -> u64 {
    match q.answer {
        Answer::Number(n) => n,
        Answer::Choice(_) => panic!("{}: not a typed number", q.item),
    }
}

/// The first segment sent after the pause, as the ladder would show it next.
fn next_sent(t: &Trace, pause: u64) -> &synack_model::trace::Segment {
    t.events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::SegmentSent { segment, .. } if e.t > pause => Some(segment),
            _ => None,
        })
        .expect("a segment after the pause")
}

/// The state of the socket named `label` just after `t` (the state diagram's view).
fn state_after(t: &Trace, label_host: &str, from: TcpState, pause: u64) -> TcpState {
    let ids: Vec<_> = t
        .sockets
        .iter()
        .filter(|s| s.label == label_host || label_host.is_empty())
        .map(|s| s.id)
        .collect();
    t.events
        .iter()
        .filter(|e| e.t > pause)
        .find_map(|e| match e.kind {
            EventKind::StateChanged {
                socket,
                from: f,
                to,
            } if ids.contains(&socket) && f == from => Some(to),
            _ => None,
        })
        .expect("a transition after the pause")
}

#[test]
fn every_item_asks_a_well_formed_question_in_every_variant_and_language() {
    let mut ids = BTreeSet::new();
    for item in gen::all() {
        assert!(ids.insert(item.id), "duplicate id {}", item.id);
        for v in 0..VARIANTS {
            for lang in [Lang::Zh, Lang::En] {
                let (t, q) = question(item.id, v, lang);
                assert!(
                    !q.prompt.is_empty() && !q.explain.is_empty(),
                    "{} v{v}",
                    item.id
                );
                match q.answer {
                    Answer::Choice(c) => {
                        assert!(
                            q.choices.len() >= 2 && c < q.choices.len(),
                            "{} v{v}",
                            item.id
                        );
                        let set: BTreeSet<_> = q.choices.iter().collect();
                        assert_eq!(
                            set.len(),
                            q.choices.len(),
                            "{} v{v}: repeated choice {:?}",
                            item.id,
                            q.choices
                        );
                        assert!(
                            q.choices.len() <= 4,
                            "{}: keys 1–4 must reach every choice",
                            item.id
                        );
                    }
                    Answer::Number(_) => assert!(q.choices.is_empty()),
                }
                // Words a reader can read: no scenario-internal socket label, and Chinese
                // sentences run together without an English space between them.
                assert!(
                    !q.prompt
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .any(|w| w == "conn"),
                    "{} v{v}: {}",
                    item.id,
                    q.prompt
                );
                if lang == Lang::Zh {
                    for bad in ["。 ", " 现在", "？ "] {
                        assert!(!q.prompt.contains(bad), "{} v{v}: {:?}", item.id, q.prompt);
                    }
                }
                let traced = item.kind.scene(v).is_some();
                assert_eq!(traced, t.is_some(), "{}", item.id);
                assert_eq!(traced, q.pause_us.is_some(), "{}", item.id);
                if let (Some(t), Some(p)) = (&t, q.pause_us) {
                    assert!(p < t.duration_us, "{} v{v}: pause after the end", item.id);
                }
            }
        }
    }
}

#[test]
fn next_segment_answers_are_the_segment_after_the_pause() {
    let expect = [
        ("hs-synack", "server → client: SYN, ACK"),
        ("hs-ack-lost", "server → client: SYN, ACK"),
        ("hs-closed", "server → client: RST, ACK"),
        ("td-fin-ack", "server → client: ACK"),
        ("td-fin-retx", "server → client: FIN, ACK"),
    ];
    for (id, text) in expect {
        for v in 0..VARIANTS {
            let (t, q) = question(id, v, Lang::En);
            let t = t.unwrap();
            let seg = next_sent(&t, q.pause_us.unwrap());
            assert_eq!(chosen(&q), seg_text(&t, seg, Lang::En), "{id} v{v}");
            assert_eq!(chosen(&q), text, "{id} v{v}");
        }
    }
    // The retransmissions really are retransmissions.
    for id in ["hs-ack-lost", "td-fin-retx"] {
        let (t, q) = question(id, 3, Lang::En);
        assert!(
            next_sent(&t.unwrap(), q.pause_us.unwrap()).retransmission > 0,
            "{id}"
        );
    }
}

#[test]
fn next_state_answers_are_the_transition_after_the_pause() {
    let expect = [
        ("hs-syn-rcvd", "", TcpState::Listen, TcpState::SynReceived),
        (
            "hs-client-est",
            "client",
            TcpState::SynSent,
            TcpState::Established,
        ),
        (
            "td-close-wait",
            "conn",
            TcpState::Established,
            TcpState::CloseWait,
        ),
        (
            "td-fin-wait-2",
            "client",
            TcpState::FinWait1,
            TcpState::FinWait2,
        ),
        (
            "td-last-ack",
            "conn",
            TcpState::CloseWait,
            TcpState::LastAck,
        ),
        (
            "td-time-wait",
            "client",
            TcpState::FinWait2,
            TcpState::TimeWait,
        ),
        (
            "bl-half-open",
            "client 2",
            TcpState::SynSent,
            TcpState::Established,
        ),
    ];
    for (id, label, from, to) in expect {
        for v in 0..VARIANTS {
            let (t, q) = question(id, v, Lang::En);
            let t = t.unwrap();
            let pause = q.pause_us.unwrap();
            assert_eq!(state_after(&t, label, from, pause), to, "{id} v{v}");
            assert_eq!(chosen(&q), to.rfc_name(), "{id} v{v}");
            // Paused before it: the first such transition in the whole run comes after.
            assert_eq!(
                state_after(&t, label, from, 0),
                to,
                "{id} v{v}: an earlier transition"
            );
        }
    }
}

#[test]
fn typed_numbers_match_the_trace() {
    for v in 0..VARIANTS {
        // The SYN-ACK acknowledges ISN + 1 in every run, whatever ISNs the random seed gives.
        let (t, q) = question("hs-synack-ack", v, Lang::En);
        let t = t.unwrap();
        assert_eq!(number(&q), 1);
        let seg = next_sent(&t, q.pause_us.unwrap());
        let Header::Tcp(h) = &seg.header else {
            panic!()
        };
        assert!(h.flags.syn && h.flags.ack);
        assert_eq!(Isns::of_trace(&t).show(seg, h, Numbering::Relative).1, 1);

        // The ACK of a FIN with no data sent: 1 (SYN) + 1 (FIN).
        assert_eq!(number(&question("td-fin-ackno", v, Lang::En).1), 2, "v{v}");

        // RFC 6298's initial RTO, as the trace shows it: exactly 1 s in the RFC profile; on
        // Linux's timer wheel (HZ 250) a 1 s timer is level 1, up to 8 jiffies (32 ms) late.
        let (t, q) = question("hs-syn-rto", v, Lang::Zh);
        let linux = matches!(&t.unwrap().origin, synack_model::trace::Origin::Model { profile, .. } if profile == "linux");
        let ms = number(&q);
        if linux {
            assert!((1001..=1032).contains(&ms), "v{v}: {ms}");
            assert!(
                q.explain.contains("时间轮"),
                "v{v}: the explanation says why it is not 1000"
            );
        } else {
            assert_eq!(ms, 1000, "v{v}");
        }

        // TIME-WAIT: Linux 60 s, the RFC profile 2 × 2 min.
        let (t, q) = question("td-2msl", v, Lang::En);
        let linux = matches!(&t.unwrap().origin, synack_model::trace::Origin::Model { profile, .. } if profile == "linux");
        assert_eq!(number(&q), if linux { 60 } else { 240 }, "v{v}");

        // UDP: 10-byte buffer, 30-byte datagrams; boundaries: 20, 35, 50.
        assert_eq!(number(&question("udp-trunc", v, Lang::En).1), 10);
        assert_eq!(number(&question("udp-bound", v, Lang::En).1), 35);

        // Sticky D: both messages in one read. B: the first read is part of data1.
        assert_eq!(number(&question("st-recv-d", v, Lang::En).1), 600);
        let b = number(&question("st-recv-b", v, Lang::En).1);
        assert!(b > 0 && b < 2000, "v{v}: {b}");

        // The interview chapter's capture: tcp_synack_retries = 5.
        assert_eq!(number(&question("bl-synack-retx", 0, Lang::En).1), 5);

        // RFC 5681 §3.2: the third duplicate ACK triggers fast retransmit.
        assert_eq!(number(&question("win-dupack", v, Lang::En).1), 3, "v{v}");
        // RFC 5681 §3.1: after a timeout cwnd is the loss window, one segment (Linux too).
        assert_eq!(number(&question("win-rto-cwnd", v, Lang::Zh).1), 1, "v{v}");
    }
}

#[test]
fn zero_window_answer_is_what_the_sender_did() {
    for v in 0..VARIANTS {
        let (t, q) = question("win-zero", v, Lang::En);
        let t = t.unwrap();
        assert!(chosen(&q).contains("window probes"), "v{v}: {}", chosen(&q));
        // The trace agrees, read its own way: from the pause until an ACK with an open window
        // reaches the sender, the sender puts no data (beyond a 1-byte probe) on the wire.
        let pause = q.pause_us.unwrap();
        let mut open_ids = Vec::new();
        let mut data_while_closed = 0;
        let mut reopened = false;
        for e in t.events.iter().filter(|e| e.t >= pause) {
            match &e.kind {
                EventKind::SegmentSent { id, segment } => {
                    let Header::Tcp(h) = &segment.header else {
                        continue;
                    };
                    if segment.src.port == 80 && h.window > 0 {
                        open_ids.push(*id);
                    } else if segment.src.port != 80 && segment.payload_len > 1 {
                        data_while_closed += 1;
                    }
                }
                EventKind::SegmentArrived { id } if open_ids.contains(id) => {
                    reopened = true;
                    break;
                }
                _ => {}
            }
        }
        assert!(reopened, "v{v}: the window never reopened");
        assert_eq!(data_while_closed, 0, "v{v}: data sent into a closed window");
        let rst = t.events.iter().any(|e| {
            matches!(&e.kind, EventKind::SegmentSent { segment, .. }
            if matches!(&segment.header, Header::Tcp(h) if h.flags.rst))
        });
        assert!(!rst, "v{v}");
    }
}

#[test]
fn recv_answers_are_what_recv_returned_after_the_pause() {
    for id in ["st-recv-b", "st-recv-d", "udp-trunc"] {
        for v in 0..VARIANTS {
            let (t, q) = question(id, v, Lang::En);
            let t = t.unwrap();
            let got = t
                .events
                .iter()
                .filter(|e| e.t > q.pause_us.unwrap())
                .find_map(|e| match &e.kind {
                    EventKind::AppReturn {
                        call: AppCallKind::Recv,
                        result: AppResult::Data { len, .. },
                        ..
                    } => Some(*len as u64),
                    _ => None,
                })
                .unwrap();
            assert_eq!(number(&q), got, "{id} v{v}");
        }
    }
}

#[test]
fn sticky_case_question_names_the_case_that_was_run() {
    for v in 0..VARIANTS {
        let (_, q) = question("st-case", v, Lang::En);
        let case = v as usize % 4;
        assert_eq!(
            q.answer,
            Answer::Choice(case),
            "v{v}: the preset of case {case} shows another case"
        );
        let case_text = Words::table(Lang::En).get(&format!("st-case.c{case}"));
        assert!(chosen(&q).contains(case_text));
    }
}

#[test]
fn udp_second_read_is_the_next_datagram() {
    for v in 0..VARIANTS {
        let (_, q) = question("udp-second", v, Lang::En);
        assert_eq!(chosen(&q), "msg 2 [0..10)", "v{v}");
    }
}

#[test]
fn backlog_overflow_answer_follows_abort_on_overflow() {
    for v in 0..VARIANTS {
        let (t, q) = question("bl-overflow", v, Lang::En);
        let t = t.unwrap();
        let abort = v % 2 == 1;
        assert!(q.prompt.contains(if abort { "= 1" } else { "= 0" }));
        assert_eq!(q.answer, Answer::Choice(if abort { 1 } else { 0 }), "v{v}");
        // And the trace agrees: a RST to client 2 exists only with abort on; otherwise the
        // SYN-ACK is retransmitted.
        let port = t
            .sockets
            .iter()
            .find(|s| s.label == "client 2")
            .unwrap()
            .local_port;
        let rst = t.events.iter().any(|e| {
            matches!(&e.kind, EventKind::SegmentSent { segment, .. }
            if matches!(&segment.header, Header::Tcp(h) if h.flags.rst) && segment.dst.port == port)
        });
        let synack_retx = t.events.iter().any(|e| matches!(&e.kind, EventKind::SegmentSent { segment, .. }
            if matches!(&segment.header, Header::Tcp(h) if h.flags.syn && h.flags.ack) && segment.retransmission > 0));
        assert_eq!(synack_retx, !abort, "v{v}");
        assert!(rst, "v{v}: the connection ends in a RST either way");
    }
}

#[test]
fn answers_are_not_always_in_the_same_place() {
    let mut places = BTreeSet::new();
    for v in 0..VARIANTS {
        if let Answer::Choice(c) = question("c-why3", v, Lang::En).1.answer {
            places.insert(c);
        }
    }
    assert!(places.len() >= 3, "{places:?}");
}

#[test]
fn new_variants_change_the_numbers_in_the_questions() {
    // The one-way delay differs, so the SYN reaches the server at another time.
    let a = question("hs-synack", 0, Lang::En).1.pause_us;
    let b = question("hs-synack", 1, Lang::En).1.pause_us;
    assert_ne!(a, b, "latency differs between variants");
    let ports: BTreeSet<_> = (0..VARIANTS)
        .map(|v| question("port", v, Lang::En).1.prompt)
        .collect();
    assert!(ports.len() > 5);
}

#[test]
fn every_seed_question_is_covered_by_existing_items() {
    let ids: BTreeSet<_> = gen::all().map(|i| i.id).collect();
    let mut used = BTreeSet::new();
    for (q, items) in COVERAGE {
        assert!(!items.is_empty(), "{} has no item", q.en);
        for id in *items {
            assert!(ids.contains(id), "{}: unknown item {id}", q.en);
            used.insert(*id);
        }
    }
    // The interview chapter's headings (## …), by keyword: each must appear in the table.
    for key in [
        "特性",
        "区别",
        "n:m",
        "粘包是怎么回事",
        "为什么 UDP 不会粘包",
        "backlog",
        "端口",
        "OSI",
        "三次握手",
        "为什么是三次",
        "四次挥手",
        "为什么是四次",
        "2MSL",
    ] {
        assert!(
            COVERAGE.iter().any(|(q, _)| q.zh.contains(key)),
            "chapter question '{key}' not in the table"
        );
    }
    // And every item serves some chapter question.
    for id in &ids {
        assert!(used.contains(id), "item {id} covers no chapter question");
    }
    // Every topic has questions.
    for t in Topic::ALL {
        assert!(gen::all().any(|i| i.topic == t), "{t:?}");
    }
}

#[test]
fn checking_answers() {
    let (_, q) = question("hs-synack-ack", 0, Lang::En);
    assert_eq!(check(&q, None, "1"), Some(true));
    assert_eq!(check(&q, None, " +1 "), Some(true));
    assert_eq!(check(&q, None, "2"), Some(false));
    assert_eq!(check(&q, None, "one"), None);
    assert_eq!(check(&q, None, ""), None);
    assert_eq!(check(&q, None, "-1"), None);
    let (_, q) = question("c-udp-header", 0, Lang::En);
    let Answer::Choice(c) = q.answer else {
        panic!()
    };
    assert_eq!(check(&q, Some(c), ""), Some(true));
    assert_eq!(check(&q, Some((c + 1) % q.choices.len()), ""), Some(false));
    assert_eq!(check(&q, None, ""), None);
    assert_eq!(check(&q, Some(9), ""), None);
    assert_eq!(parse_number("60,000"), Some(60_000));
    assert_eq!(parse_number("1.5"), None);
}

#[test]
fn score_counts_streaks_and_survives_bad_storage() {
    let mut s = Score::default();
    s.record(Topic::Handshake, true);
    s.record(Topic::Handshake, true);
    s.record(Topic::Ports, false);
    s.record(Topic::Ports, true);
    assert_eq!(s.per[&Topic::Handshake], (2, 2));
    assert_eq!(s.per[&Topic::Ports], (1, 2));
    assert_eq!((s.streak, s.best), (1, 2));
    assert_eq!(s.totals(), (3, 4));
    assert_eq!(Score::decode(&s.encode()), s);
    for bad in [
        "",
        "garbage",
        "v2;best=3",
        "v1;best=x;hs=5/3;zz=1/2;td=a/b;run=",
        "v1;;;=",
    ] {
        let d = Score::decode(bad);
        assert!(d.per.is_empty() && d.best == 0, "{bad}: {d:?}");
    }
    // Partly readable: the good fields are kept.
    let d = Score::decode("v1;best=7;run=2;hs=1/1;nope;udp=3/x");
    assert_eq!((d.best, d.streak, d.per.len()), (7, 2, 1));
}

/// Every text of the quiz file is asked for by some item in some variant and language, and
/// no lookup found a problem (a missing key, a template whose placeholders, in either
/// language, are not exactly the names its generator fills): no text is left unchecked.
#[test]
fn every_text_of_the_quiz_file_is_used_and_every_template_filled_as_written() {
    words::checked::take_problems();
    for item in gen::all() {
        // The port and OSI questions quote a text per port or layer, one per variant in turn
        // (29 ports of the interview chapter, 19 protocol names): every one of them is asked.
        let variants = match item.kind {
            gen::Kind::Port | gen::Kind::OsiLayer => 64,
            _ => VARIANTS,
        };
        for v in 0..variants {
            for lang in [Lang::Zh, Lang::En] {
                question(item.id, v, lang);
            }
        }
    }
    assert_eq!(words::checked::take_problems(), Vec::<String>::new());
    let used = words::checked::all_used();
    let unused: Vec<String> = words::texts()
        .into_iter()
        .map(|(k, _)| k)
        .filter(|k| !used.contains(k))
        .collect();
    assert!(unused.is_empty(), "quiz texts no item asks for: {unused:?}");
}

/// A template whose placeholder is misspelt in one language is caught, and so is a key the
/// file lacks: the check above is not vacuous.
#[test]
fn a_misspelt_placeholder_or_a_missing_text_is_caught() {
    let texts = words::texts();
    let at = texts
        .iter()
        .position(|(k, _)| k == "hs-synack-ack.explain")
        .expect("the template");
    let mut table: Vec<crate::i18n::T> = texts.iter().map(|(_, t)| t.t).collect();
    let good = table[at];
    assert!(good.en.contains("{ack}"));
    let en: &'static str = Box::leak(good.en.replace("{ack}", "{akc}").into_boxed_str());
    table[at] = crate::i18n::T::new(good.zh, en);
    let table: &'static [crate::i18n::T] = Box::leak(table.into_boxed_slice());
    let item = gen::find("hs-synack-ack").expect("the item");
    let t = gen::trace_for(item, 0);
    words::checked::take_problems();
    for lang in [Lang::Zh, Lang::En] {
        gen::ask(item, 0, t.as_ref(), Words::new(table, lang));
        let problems = words::checked::take_problems();
        assert!(
            problems.iter().any(|p| p.contains("hs-synack-ack.explain")),
            "{lang:?}: a misspelt placeholder went unnoticed: {problems:?}"
        );
    }
    // The table as written asks it without a problem; a key that is not there is one.
    gen::ask(item, 0, t.as_ref(), Words::table(Lang::En));
    assert_eq!(words::checked::take_problems(), Vec::<String>::new());
    assert_eq!(Words::table(Lang::En).get("hs-synack-ack.nothing"), "");
    assert_eq!(words::checked::take_problems().len(), 1);
}
