//! Tests of the reference pages' pure parts (run in headless Chromium:
//! `cargo test --target wasm32-unknown-unknown`).

use wasm_bindgen_test::wasm_bindgen_test as test;

use super::osi::{initial_step, token_centre, Anim, AnimAction};
use super::osi_data::*;
use super::ports_data::{filter, texts, ProtoFilter, Reg, Transport, PORTS};
use crate::i18n::{Lang, T};

/// The descriptions as the page has them once their file is in.
fn descs() -> Vec<T> {
    texts().into_iter().map(|(_, t)| t.t).collect()
}

fn nums(q: &str, p: ProtoFilter) -> Vec<u16> {
    filter(&descs(), q, p).iter().map(|(p, _)| p.num).collect()
}

#[test]
fn ports_are_sorted_unique_and_cover_the_seed_table() {
    assert!(
        PORTS.windows(2).all(|w| w[0].num < w[1].num),
        "sorted, no duplicates"
    );
    let seed = [
        21, 23, 25, 53, 67, 68, 69, 79, 80, 99, 109, 110, 111, 113, 119, 135, 137, 139, 143, 161,
        443, 554, 1024, 1080, 1755, 4000, 5554, 5632, 8080,
    ];
    for n in seed {
        let p = PORTS.iter().find(|p| p.num == n);
        assert!(
            p.is_some_and(|p| p.seed),
            "chapter port {n} missing or not marked"
        );
    }
    assert_eq!(PORTS.iter().filter(|p| p.seed).count(), seed.len());
    let today = [
        22, 3306, 5432, 6379, 27017, 3000, 5173, 9229, 853, 3389, 5900, 8443, 11211, 9200, 2181,
        9092,
    ];
    for n in today {
        assert!(PORTS.iter().any(|p| p.num == n), "port {n} missing");
    }
    for p in PORTS {
        assert!(
            !p.desc.t.zh.is_empty() && !p.desc.t.en.is_empty() && !p.name.is_empty(),
            "{}",
            p.num
        );
        assert_eq!(
            p.keys,
            p.keys.to_lowercase(),
            "keys of {} must be lower case",
            p.num
        );
    }
}

#[test]
fn search_by_number_puts_the_exact_port_first() {
    let r = nums("80", ProtoFilter::All);
    assert_eq!(r.first(), Some(&80));
    assert!(r.contains(&8080) && r.contains(&8000), "{r:?}");
    assert!(!r.contains(&443), "{r:?}");
    assert_eq!(nums("6379", ProtoFilter::All), vec![6379]);
    assert_eq!(nums(" 22 ", ProtoFilter::All), vec![22]);
    assert!(nums("65000", ProtoFilter::All).is_empty());
}

#[test]
fn search_by_name_keys_and_description() {
    assert_eq!(nums("redis", ProtoFilter::All), vec![6379]);
    // Telnet's description mentions SSH; the SSH row itself comes first.
    assert_eq!(nums("SSH", ProtoFilter::All), vec![22, 23]);
    assert_eq!(nums("postgres", ProtoFilter::All), vec![5432]);
    assert_eq!(nums("mongo", ProtoFilter::All), vec![27017]);
    assert!(nums("dns", ProtoFilter::All).starts_with(&[53]));
    // Chinese description text is searchable too.
    let mail = nums("邮件", ProtoFilter::All);
    assert!(
        mail.contains(&25) && mail.contains(&110) && mail.contains(&143),
        "{mail:?}"
    );
}

#[test]
fn before_the_descriptions_are_in_the_search_finds_numbers_names_and_keys() {
    let without = |q: &str| -> Vec<u16> {
        filter(&[], q, ProtoFilter::All)
            .iter()
            .map(|(p, d)| {
                assert_eq!(*d, None, "no description yet");
                p.num
            })
            .collect()
    };
    assert_eq!(without("redis"), vec![6379]);
    assert_eq!(without("80").first(), Some(&80));
    // Telnet matches "ssh" only through its description.
    assert_eq!(without("ssh"), vec![22]);
    assert!(without("邮件").is_empty());
    assert_eq!(without("").len(), PORTS.len());
    // With them, each row has its own.
    for (p, d) in filter(&descs(), "", ProtoFilter::All) {
        assert_eq!(d, Some(p.desc.t), "{}", p.num);
    }
}

#[test]
fn protocol_words_and_chips_filter_by_transport() {
    let udp = nums("udp", ProtoFilter::All);
    assert!(
        udp.contains(&53) && udp.contains(&67) && udp.contains(&443),
        "{udp:?}"
    );
    assert!(!udp.contains(&22) && !udp.contains(&80), "{udp:?}");
    assert_eq!(udp, nums("", ProtoFilter::Udp));
    let tcp = nums("TCP", ProtoFilter::All);
    assert!(tcp.contains(&80) && tcp.contains(&53) && !tcp.contains(&67));
    // Words combine: DNS over UDP is 53 (and 853, DNS over QUIC), not the TCP-only ports.
    assert_eq!(nums("udp dns", ProtoFilter::All), vec![53, 853, 5353]);
    assert!(nums("ssh", ProtoFilter::Udp).is_empty());
    assert_eq!(nums("", ProtoFilter::All).len(), PORTS.len());
}

#[test]
fn corrections_of_the_seed_are_in_the_data() {
    let get = |n: u16| PORTS.iter().find(|p| p.num == n).unwrap();
    assert_eq!(get(1024).reg, Reg::Reserved);
    assert!(get(1024).desc.t.en.contains("1024–49151"));
    assert!(get(113).desc.t.en.contains("Not a Windows"));
    assert!(get(4000).dated && get(5554).dated);
    assert_eq!(get(4000).reg, Reg::Convention);
    assert_eq!(get(53).tr, Transport::Both);
}

#[test]
fn header_arithmetic_for_the_request() {
    assert_eq!(HTTP_REQUEST.len(), 47);
    let s = sizes(HTTP_REQUEST.len());
    assert_eq!(s.segment, 47 + 20);
    assert_eq!(s.packet, 47 + 20 + 20);
    assert_eq!(s.padding, 0);
    assert_eq!(s.frame, 14 + 87 + 4);
    assert_eq!(s.wire_bits, (8 + 105) * 8);
}

#[test]
fn tiny_payloads_are_padded_to_the_ethernet_minimum() {
    // An empty segment (a bare ACK): 40 bytes of IP, padded by 6 to 46, frame 64 bytes.
    let s = sizes(0);
    assert_eq!((s.packet, s.padding, s.frame), (40, 6, 64));
    assert_eq!(sizes(6).padding, 0);
    assert_eq!(sizes(5).frame, 64);
}

#[test]
fn steps_go_down_across_and_up_symmetrically() {
    let s = sizes(HTTP_REQUEST.len());
    let t: Vec<usize> = (0..STEPS).map(|i| total(&parts(i, &s), &s)).collect();
    assert_eq!(t, vec![47, 67, 87, 105, 105, 105, 87, 67, 47]);
    assert_eq!(place(0), Place::Client(0));
    assert_eq!(place(3), Place::Client(3));
    assert_eq!(place(4), Place::Wire);
    assert_eq!(place(5), Place::Server(3));
    assert_eq!(place(8), Place::Server(0));
    assert_eq!(place(99), Place::Server(0), "clamped");
    assert_eq!(
        parts(3, &s),
        vec![Part::Eth, Part::Ip, Part::Tcp, Part::Http, Part::Fcs]
    );
    assert_eq!(parts(1, &s), vec![Part::Tcp, Part::Http]);
    // The picture is a function of the step: same step, same token position.
    assert_eq!(token_centre(2), token_centre(2));
    assert_ne!(token_centre(2), token_centre(6));
    for (i, total) in t.iter().enumerate().take(STEPS) {
        for lang in [Lang::Zh, Lang::En] {
            let n = narration(i, &s, lang);
            assert!(
                n.contains(&total.to_string()) || i == 4,
                "step {i} {lang:?}: {n}"
            );
        }
    }
    assert!(narration(4, &s, Lang::En).contains("904 bits"));
}

#[test]
fn the_layer_tables_line_up() {
    let covered: Vec<u8> = TCPIP.iter().flat_map(|l| l.osi.iter().copied()).collect();
    assert_eq!(covered, vec![7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(OSI.iter().map(|l| l.num).collect::<Vec<_>>(), covered);
}

#[test]
fn playback_steps_and_stops() {
    let a = Anim {
        step: 0,
        playing: false,
    };
    assert_eq!(a.apply(AnimAction::Prev).step, 0);
    assert_eq!(a.apply(AnimAction::Next).step, 1);
    assert_eq!(a.apply(AnimAction::Set(100)).step, STEPS - 1);
    assert_eq!(a.apply(AnimAction::Tick), a, "no tick while paused");
    let mut p = a.apply(AnimAction::Toggle);
    assert!(p.playing);
    for _ in 0..STEPS + 3 {
        p = p.apply(AnimAction::Tick);
    }
    assert_eq!(
        p,
        Anim {
            step: STEPS - 1,
            playing: false
        },
        "stops at the end"
    );
    assert_eq!(
        p.apply(AnimAction::Toggle),
        Anim {
            step: 0,
            playing: true
        },
        "replays"
    );
    assert_eq!(p.apply(AnimAction::First).step, 0);
}

#[test]
fn step_parameter_is_one_based_and_forgiving() {
    assert_eq!(initial_step(Some("4")), 3);
    assert_eq!(initial_step(Some("9")), 8);
    for bad in ["0", "10", "-1", "x", ""] {
        assert_eq!(initial_step(Some(bad)), 0, "{bad}");
    }
    assert_eq!(initial_step(None), 0);
}
