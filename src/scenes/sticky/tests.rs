//! The sticky-packets scene: its URL knobs and the facts its panel draws.

use super::analysis::*;
use super::*;

use synack_model::trace::Trace;

use crate::i18n::Lang;

fn run(id: &str, fix: StickyFix) -> Trace {
    synack_model::simulate(&scenario(&Knobs::default(), id, &Query::default(), fix)).unwrap()
}

#[test]
fn a_read_of_only_the_length_prefix_says_it_waits_for_the_body() {
    // Nagle sends the 4-byte header alone and holds data1 until it is acknowledged.
    let t = run("a", StickyFix::LengthPrefix);
    let rs = reads(&t);
    assert_eq!(describe_all(&rs[0]), "⟨len⟩");
    let steps = decode_steps(&t, &rs).unwrap().unwrap();
    assert!(steps[0].msgs.is_empty());
    assert_eq!(steps[0].waiting, Waiting::Body { have: 0, len: 300 });
    assert!(steps[0].waiting.text(Lang::En).unwrap().contains("0/300"));
    let last = steps.iter().rev().find(|s| !s.msgs.is_empty()).unwrap();
    assert_eq!(last.waiting, Waiting::Nothing);
    let d = run("d", StickyFix::Delimiter);
    assert_eq!(describe_all(&reads(&d)[0]), "data1 + ⟨\\n⟩ + data2 + ⟨\\n⟩");
}

#[test]
fn knobs_come_from_the_case_and_the_url() {
    let k = Knobs::default();
    let mut q = Query::default();
    assert_eq!(
        knobs_of(&k, StickyCase::B, &q),
        StickyKnobs::of(&k, StickyCase::B)
    );
    q.set("rsize", "1000");
    q.set("nagle", "0");
    q.set("mss", "nope");
    let sk = knobs_of(&k, StickyCase::D, &q);
    assert_eq!((sk.read_size, sk.nagle, sk.mss), (1000, false, 1460));
    for key in KNOB_KEYS {
        let mut x = sk.clone();
        assert!(knob_set(&mut x, key, &knob_get(&sk, key)), "{key}");
        assert_eq!(x, sk, "{key} round-trips");
    }
    let mut x = sk.clone();
    assert!(!knob_set(&mut x, "data1", "0"));
    assert!(!knob_set(&mut x, "gap", "-1"));
    assert!(!knob_set(&mut x, "rate", "NaN"));
    assert_eq!(x, sk);
    // A late reader with a 1000-byte buffer cuts data1 + data2 (600 B) no more.
    let t = synack_model::simulate(&scenario(&k, "d", &q, StickyFix::None)).unwrap();
    assert_eq!(
        reads(&t).iter().map(describe).collect::<Vec<_>>(),
        ["data1 + data2"]
    );
    assert_eq!(
        knob_query(&Query::parse("case=d&rsize=9&lang=zh")).encode(),
        "rsize=9"
    );
}

#[test]
fn the_nagle_stall_waits_for_the_delayed_ack_and_no_delay_does_not() {
    let k = Knobs::default();
    let with = synack_model::simulate(&stall(&k, false)).unwrap();
    let without = synack_model::simulate(&stall(&k, true)).unwrap();
    // The request, then (its reply made the connection interactive, so ACKs are delayed)
    // the first small write alone and the other five held by Nagle until its ACK: 3; with
    // TCP_NODELAY the request and each of the six writes: 7.
    assert_eq!(data_segments(&with), 3);
    assert_eq!(data_segments(&without), 7);
    assert!(delivery_time(&with).unwrap() > delivery_time(&without).unwrap() + 40_000);
    // Remedy ①'s price: data2 leaves a round trip + 100 ms after data1 instead of when
    // data1's ACK lets Nagle send it, so the last byte arrives later (+60 ms here).
    let q = Query::default();
    let arrive =
        |fix| arrival_time(&synack_model::simulate(&scenario(&k, "a", &q, fix)).unwrap()).unwrap();
    assert!(arrive(StickyFix::WaitBetweenSends) >= arrive(StickyFix::None) + 50_000);
}

#[test]
fn each_case_shows_its_chunking() {
    let d = |id| {
        reads(&run(id, StickyFix::None))
            .iter()
            .map(describe)
            .collect::<Vec<_>>()
    };
    assert_eq!(d("a"), ["data1", "data2"]);
    let b = d("b");
    assert_eq!(b.len(), 2, "{b:?}");
    assert!(b[0].starts_with("data1[0.."), "{b:?}");
    assert!(
        b[1].starts_with("data1[") && b[1].ends_with(" + data2"),
        "{b:?}"
    );
    let c = d("c");
    assert_eq!(c.len(), 2, "{c:?}");
    assert!(c[0].starts_with("data1 + data2[0.."), "{c:?}");
    assert!(c[1].starts_with("data2["), "{c:?}");
    assert_eq!(d("d"), ["data1 + data2"]);
}

#[test]
fn framing_parts_share_their_message_colour() {
    let t = run("c", StickyFix::LengthPrefix);
    assert_eq!(colour_slot(&t, "data1 length"), colour_slot(&t, "data1"));
    assert_ne!(colour_slot(&t, "data1"), colour_slot(&t, "data2"));
    let rs = reads(&t);
    assert!(rs.iter().flat_map(|r| &r.parts).any(|p| p.framing));
    // The framing bytes are not listed as data.
    assert!(!rs.iter().map(describe).any(|d| d.contains("length")));
}

#[test]
fn codecs_recover_both_messages_in_every_case() {
    for id in ["a", "b", "c", "d"] {
        for fix in [StickyFix::LengthPrefix, StickyFix::Delimiter] {
            let t = run(id, fix);
            let got = decode(&t, &reads(&t)).unwrap().unwrap();
            assert_eq!(got.len(), 2, "{id} {fix:?} {got:?}");
            assert!(got[0].starts_with("data1"), "{got:?}");
            assert!(got[1].starts_with("data2"), "{got:?}");
        }
    }
    assert!(decode(&run("a", StickyFix::None), &[]).is_none());
}
