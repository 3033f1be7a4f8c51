//! Tests of the engine's pure parts. They run in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown`, runner set in .cargo/config.toml).

use wasm_bindgen_test::wasm_bindgen_test as test;

use synack_model::trace::*;

use super::labels::{options_text, segment_label, Isns, Numbering, SegKind};
use super::ladder::{
    arrows_drawn, arrows_markup, axis_markup, cover_rule, dot_paths, label_anchor, marks_markup,
    reveal_y, show_unsent, state_group, unsent_changes, view_top_for, Geometry, MARKS_LEAD,
    SVG_CSS,
};
use super::layout::{Ladder, Outcome, TimeWarp, BREAK_PX, DELAY_PX};
use super::params::{self, Params, Profile, View};
use super::playback::{Action, Pace, Playback};
use super::Shared;
use crate::route::{Location, Query};
use yew::Reducible;

const C: HostId = HostId(0);
const S: HostId = HostId(1);

fn tcp(
    src: HostId,
    dst: HostId,
    seq: u32,
    ack: u32,
    // (SYN, ACK, FIN) flags.
    (syn, ackf, fin): (bool, bool, bool),
    len: u32,
) -> Segment {
    Segment {
        src: Addr {
            host: src,
            port: if src == C { 40000 } else { 80 },
        },
        dst: Addr {
            host: dst,
            port: if dst == C { 40000 } else { 80 },
        },
        header: Header::Tcp(TcpHeader {
            seq,
            ack,
            flags: TcpFlags {
                syn,
                ack: ackf,
                fin,
                ..Default::default()
            },
            window: 65535,
            header_len: if syn { 40 } else { 20 },
            options: if syn {
                TcpOptions {
                    mss: Some(1460),
                    window_scale: Some(7),
                    sack_permitted: true,
                    timestamps: Some((1, 0)),
                    sack: vec![],
                    order: vec![2, 4, 8, 1, 3],
                }
            } else {
                TcpOptions::default()
            },
        }),
        payload_len: len,
        payload: vec![],
        wire_len: 40 + len,
        retransmission: 0,
        network_duplicate: false,
    }
}

fn ev(t: Micros, kind: EventKind) -> Event {
    Event { t, kind }
}

/// A handshake by hand: ISNs 1000 (client) and 5000 (server), 20 ms one way; the first SYN is
/// lost and resent after a 1 s RTO.
fn handshake_trace() -> Trace {
    let sent = |t, id, seg| {
        ev(
            t,
            EventKind::SegmentSent {
                id: SegmentId(id),
                segment: seg,
            },
        )
    };
    let arrived = |t, id| ev(t, EventKind::SegmentArrived { id: SegmentId(id) });
    let mut syn_rtx = tcp(C, S, 1000, 0, (true, false, false), 0);
    syn_rtx.retransmission = 1;
    let events = vec![
        ev(
            0,
            EventKind::StateChanged {
                socket: SocketId(0),
                from: TcpState::Closed,
                to: TcpState::SynSent,
            },
        ),
        sent(0, 0, tcp(C, S, 1000, 0, (true, false, false), 0)),
        ev(
            10_000,
            EventKind::SegmentDropped {
                id: SegmentId(0),
                reason: DropReason::LinkLoss,
            },
        ),
        sent(1_000_000, 1, syn_rtx),
        arrived(1_020_000, 1),
        ev(
            1_020_000,
            EventKind::StateChanged {
                socket: SocketId(1),
                from: TcpState::Listen,
                to: TcpState::SynReceived,
            },
        ),
        sent(1_020_000, 2, tcp(S, C, 5000, 1001, (true, true, false), 0)),
        arrived(1_040_000, 2),
        ev(
            1_040_000,
            EventKind::StateChanged {
                socket: SocketId(0),
                from: TcpState::SynSent,
                to: TcpState::Established,
            },
        ),
        sent(1_040_000, 3, tcp(C, S, 1001, 5001, (false, true, false), 0)),
        arrived(1_060_000, 3),
        ev(
            1_060_000,
            EventKind::StateChanged {
                socket: SocketId(1),
                from: TcpState::SynReceived,
                to: TcpState::Established,
            },
        ),
    ];
    let mut t = Trace {
        version: TRACE_FORMAT_VERSION,
        origin: Origin::Model {
            scenario: "test".into(),
            profile: "linux".into(),
            seed: 1,
        },
        hosts: vec![
            Host {
                id: C,
                name: "client".into(),
                addr: "10.0.0.1".into(),
            },
            Host {
                id: S,
                name: "server".into(),
                addr: "10.0.0.2".into(),
            },
        ],
        sockets: vec![
            SocketInfo {
                id: SocketId(0),
                host: C,
                proto: Proto::Tcp,
                local_port: 40000,
                remote: None,
                listener: false,
                parent: None,
                created_us: 0,
                scripted: false,
                label: "client".into(),
            },
            SocketInfo {
                id: SocketId(1),
                host: S,
                proto: Proto::Tcp,
                local_port: 80,
                remote: None,
                listener: false,
                parent: None,
                created_us: 0,
                scripted: false,
                label: "server".into(),
            },
        ],
        messages: vec![],
        events,
        snapshots: vec![],
        duration_us: 1_060_000,
        cut_short: None,
    };
    t.build_snapshots(4);
    t
}

#[test]
fn arrows_slope_is_the_one_way_delay() {
    let l = Ladder::build(&handshake_trace(), None);
    assert_eq!(l.arrows.len(), 4);
    // 20 ms one way is drawn as DELAY_PX pixels.
    assert_arrivals_are_one_delay_tall(&l);
    for a in l.arrows.iter().filter(|a| a.outcome == Outcome::Arrived) {
        assert_ne!(a.from_lane, a.to_lane);
    }
    assert_eq!(l.arrows[0].from_lane, 0);
    assert_eq!(l.arrows[2].from_lane, 1);
}

#[test]
fn loopback_delays_are_drawn_as_tall_as_wan_delays() {
    // The backlog scene's real-capture case runs at 50 µs one way (the capture was on loopback):
    // its handshake must not collapse into one line at the top.
    let mut t = handshake_trace();
    for ev in &mut t.events {
        // Same conversation, every time divided by 400: 20 ms becomes 50 µs.
        ev.t /= 400;
    }
    t.duration_us /= 400;
    assert_arrivals_are_one_delay_tall(&Ladder::build(&t, None));
}

fn assert_arrivals_are_one_delay_tall(l: &Ladder) {
    for a in l.arrows.iter().filter(|a| a.outcome == Outcome::Arrived) {
        assert!(
            (a.y1 - a.y0 - DELAY_PX).abs() < 0.01,
            "{} -> {}",
            a.y0,
            a.y1
        );
    }
}

#[test]
fn a_lost_segment_stops_half_way_with_its_reason() {
    let l = Ladder::build(&handshake_trace(), None);
    let lost = &l.arrows[0];
    assert_eq!(lost.outcome, Outcome::LostOnPath(DropReason::LinkLoss));
    assert!(lost.lost());
    assert_eq!(lost.reach(), 0.5);
    assert!((lost.y1 - lost.y0 - DELAY_PX / 2.0).abs() < 0.01);
    let geo = Geometry::new(800.0);
    let (x0, _, x1, _) = geo.arrow_points(lost, 2);
    let full = geo.lane_x(1, 2) - geo.lane_x(0, 2);
    assert!(((x1 - x0) - full / 2.0).abs() < 0.01);
}

#[test]
fn long_idle_gaps_are_folded() {
    let l = Ladder::build(&handshake_trace(), None);
    assert_eq!(l.warp.folds.len(), 1, "the 1 s RTO wait is folded");
    let f = &l.warp.folds[0];
    assert!((f.y1 - f.y0 - BREAK_PX).abs() < 0.01);
    assert!(f.t1 - f.t0 > 900_000);
    // Far shorter than drawing 1 s at the busy scale.
    assert!(l.height < 600.0, "height {}", l.height);
}

/// A ladder layer written as one string, parsed as the page parses it (raw markup inside the
/// HTML stack, see `LadderAxis`): its one element, an SVG one.
fn parsed_layer(markup: &str) -> web_sys::Element {
    let host = crate::dom::document()
        .unwrap()
        .create_element("div")
        .unwrap();
    host.set_inner_html(markup);
    assert_eq!(host.child_element_count(), 1, "one element");
    let svg = host.first_element_child().unwrap();
    assert_eq!(
        svg.namespace_uri().as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
    svg
}

#[test]
fn the_time_axis_is_one_svg_with_each_lane_broken_at_its_folds_and_ticks_15_px_apart() {
    use wasm_bindgen::JsCast;
    let l = Ladder::build(&handshake_trace(), None);
    let f = &l.warp.folds[0];
    let svg = parsed_layer(&axis_markup(
        &l,
        Geometry::new(800.0),
        crate::i18n::Lang::En,
    ));
    assert_eq!(svg.get_attribute("class").as_deref(), Some("lad-axis"));
    assert_eq!(
        svg.get_attribute("viewBox").as_deref(),
        Some(format!("0 0 800.0 {:.1}", l.height.max(200.0)).as_str())
    );
    let all = |sel: &str| {
        let list = svg.query_selector_all(sel).unwrap();
        (0..list.length())
            .filter_map(|k| list.item(k)?.dyn_into::<web_sys::Element>().ok())
            .collect::<Vec<_>>()
    };
    let y = |e: &web_sys::Element, a: &str| e.get_attribute(a).unwrap().parse::<f64>().unwrap();
    // Per lane: solid to the fold, dashed across it, solid after it.
    assert_eq!(all("line.lane").len(), 4);
    let dashed = all("line.lane-fold");
    assert_eq!(dashed.len(), 2);
    for d in &dashed {
        assert_eq!((y(d, "y1"), y(d, "y2")), (f.y0, f.y1));
    }
    let labels = all("text.fold-lbl");
    assert_eq!(labels.len(), 1);
    assert!(labels[0]
        .text_content()
        .unwrap()
        .ends_with(" s idle, folded ⋯"));
    let ticks: Vec<f64> = all("text.tick").iter().map(|t| y(t, "y")).collect();
    assert!(ticks.len() >= 3, "{ticks:?}");
    assert!(ticks.windows(2).all(|w| w[1] - w[0] >= 15.0), "{ticks:?}");
    assert_eq!(
        all("text.tick")[0].text_content().as_deref(),
        Some("0.000 ms")
    );
}

#[test]
fn the_state_pills_are_one_svg_with_a_pill_per_state_change_named_by_its_rfc_state() {
    use wasm_bindgen::JsCast;
    let l = Ladder::build(&handshake_trace(), None);
    let svg = parsed_layer(&marks_markup(&l, Geometry::new(800.0)));
    assert_eq!(svg.get_attribute("class").as_deref(), Some("lad-marks"));
    assert_eq!(svg.get_attribute("aria-hidden").as_deref(), Some("true"));
    let list = svg.query_selector_all("g.pill").unwrap();
    let pills: Vec<web_sys::Element> = (0..list.length())
        .filter_map(|k| list.item(k)?.dyn_into::<web_sys::Element>().ok())
        .collect();
    assert_eq!(pills.len(), l.states.len(), "a pill per state change");
    for (g, m) in pills.iter().zip(&l.states) {
        let name = m.to.rfc_name();
        assert_eq!(g.get_attribute("data-state").as_deref(), Some(name));
        assert_eq!(
            g.get_attribute("class"),
            Some(format!("pill {}", state_group(m.to)))
        );
        let rect = g.query_selector("rect").unwrap().expect("a rect");
        assert_eq!(
            rect.namespace_uri().as_deref(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(rect.get_attribute("height").as_deref(), Some("18"));
        let text = g.query_selector("text").unwrap().expect("a text");
        assert_eq!(text.text_content().as_deref(), Some(name));
    }
    // Narrow drawings name the states in the header: the layer is there, empty.
    assert!(Geometry::new(360.0).narrow, "360 px draws narrow");
    let narrow = parsed_layer(&marks_markup(&l, Geometry::new(360.0)));
    assert_eq!(narrow.child_element_count(), 0);
}

#[test]
fn the_warp_is_monotonic_and_invertible() {
    let w = TimeWarp::new(&[0, 20_000, 40_000, 2_000_000, 2_020_000], 20_000.0);
    let mut prev = f64::NEG_INFINITY;
    for i in 0..=300 {
        let t = i as f64 * 7_000.0;
        let y = w.y(t);
        assert!(y > prev, "y must grow with t");
        prev = y;
        assert!((w.t(y) - t).abs() < 1.0, "t({y}) = {} != {t}", w.t(y));
    }
}

#[test]
fn in_flight_finds_what_is_on_the_wire() {
    let l = Ladder::build(&handshake_trace(), None);
    assert_eq!(l.in_flight(1_010_000.0), vec![1]);
    assert_eq!(l.in_flight(1_030_000.0), vec![2]);
    assert!(l.in_flight(1_500_000.0).is_empty());
}

/// The handshake, then a burst: three data segments sent at the same microsecond, a fourth
/// 5 ms later, each 20 ms on the wire.
fn burst_trace() -> Trace {
    let mut t = handshake_trace();
    for (id, at) in [
        (4, 1_100_000),
        (5, 1_100_000),
        (6, 1_100_000),
        (7, 1_105_000),
    ] {
        t.events.push(ev(
            at,
            EventKind::SegmentSent {
                id: SegmentId(id),
                segment: tcp(C, S, 1001, 5001, (false, true, false), 100),
            },
        ));
    }
    for (id, at) in [
        (4, 1_120_000),
        (5, 1_120_000),
        (6, 1_120_000),
        (7, 1_125_000),
    ] {
        t.events
            .push(ev(at, EventKind::SegmentArrived { id: SegmentId(id) }));
    }
    t.events.sort_by_key(|e| e.t);
    t.duration_us = 1_125_000;
    t.build_snapshots(4);
    t
}

#[test]
fn a_drawing_written_near_the_view_first_is_a_prefix_of_the_whole_with_its_own_arrows_heads() {
    let trace = burst_trace();
    let l = Ladder::build(&trace, None);
    let (geo, lang) = (Geometry::new(800.0), crate::i18n::Lang::En);
    let d = arrows_drawn(
        &l,
        &Isns::of_trace(&trace),
        geo,
        Numbering::Relative,
        lang,
        &[],
    );
    // Above the burst: the handshake's arrows only.
    let limit = l.arrows[4].y0 - 1.0;
    assert!(l.arrows[..4].iter().all(|a| a.y0 <= limit));
    let (near, written) = d.near(limit).expect("the burst starts below the limit");
    let heads_at = |m: &str| m.find("</g><g class=\"heads\"").unwrap();
    let (groups, all_groups) = (&near[..heads_at(&near)], &d.markup[..heads_at(&d.markup)]);
    assert!(
        all_groups.starts_with(groups),
        "not a prefix:\n{near}\n{}",
        d.markup
    );
    let segs = |m: &str| m.matches(" data-testid=\"segment\"").count();
    assert!(segs(groups) >= 1 && segs(groups) < segs(all_groups));
    assert_eq!(written, segs(groups));
    for k in 0..segs(all_groups) {
        let first = d.groups[k];
        assert_eq!(k < segs(groups), l.arrows[first].y0 <= limit, "group {k}");
    }
    // Each kind's heads: those of the arrows written, the start of the whole layer's.
    let paths = |m: &str| -> Vec<(String, String)> {
        m[heads_at(m)..]
            .split("<path class=\"")
            .skip(1)
            .map(|p| {
                let (class, rest) = p.split_once('"').unwrap();
                let d = rest
                    .split("d=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                (class.to_string(), d.to_string())
            })
            .collect()
    };
    let (mine, whole) = (paths(&near), paths(&d.markup));
    assert!(!mine.is_empty());
    for (class, path) in &mine {
        let full = &whole.iter().find(|(c, _)| c == class).unwrap().1;
        assert!(full.starts_with(path.as_str()), "{class}: {path} / {full}");
    }
    assert!(mine.iter().map(|p| p.1.len()).sum::<usize>() < whole.iter().map(|p| p.1.len()).sum());
    // Nothing below the limit: the whole drawing, no cut.
    assert!(d.near(l.height).is_none());
    // The time axis: its first ticks, down to the limit.
    let ticks = |m: &str| -> Vec<String> {
        m.split("<text x=\"4\" ")
            .skip(1)
            .map(|t| t.to_string())
            .collect()
    };
    let full = super::ladder::axis_markup(&l, geo, lang);
    let cut = super::ladder::axis_markup_to(&l, geo, lang, Some(limit));
    let (cut_ticks, full_ticks) = (ticks(&cut), ticks(&full));
    assert!(!cut_ticks.is_empty() && cut_ticks.len() < full_ticks.len());
    assert_eq!(
        cut_ticks[..cut_ticks.len() - 1],
        full_ticks[..cut_ticks.len() - 1]
    );
}

#[test]
fn packets_in_flight_are_dots_on_the_playhead_one_per_position() {
    let l = Ladder::build(&burst_trace(), None);
    let geo = Geometry::new(800.0);
    let (a, b) = (geo.lane_x(0, 2), geo.lane_x(1, 2));
    // Half-way for the burst, a quarter of the way for the later segment.
    let paths = dot_paths(&l, &geo, 1_110_000.0);
    assert_eq!(paths.len(), 1, "one kind in flight: {paths:?}");
    let (kind, d) = &paths[0];
    assert_eq!(*kind, SegKind::of(&l.arrows[4].segment));
    assert_eq!(d.matches('M').count(), 2, "the burst is one dot: {d}");
    let y = crate::num::fixed(l.warp.y(1_110_000.0), 1);
    for f in [0.5, 0.25] {
        let x = crate::num::fixed(a + (b - a) * f - 5.0, 1);
        assert!(
            d.contains(&format!("M{x} {y}a5 5")),
            "dot at {f} of the way: {d}"
        );
    }
    // The retransmitted SYN alone; nothing once everything has arrived.
    assert_eq!(dot_paths(&l, &geo, 1_010_000.0).len(), 1);
    assert!(dot_paths(&l, &geo, 1_125_000.0).is_empty());
}

#[test]
fn covers_reveal_arrows_at_the_playhead_and_states_a_little_further() {
    let l = Ladder::build(&handshake_trace(), None);
    // A state entered at this very moment: its pill (18 px tall, centred) shows whole.
    let m = &l.states[1];
    let y = l.warp.y(m.t as f64);
    assert!(reveal_y(y) + MARKS_LEAD >= m.y + 9.0);
    // An arrow's end is shown exactly when the playhead reaches it, not before.
    let a = &l.arrows[1];
    assert!(reveal_y(l.warp.y(a.t1 as f64)) >= a.y1);
    assert!(reveal_y(l.warp.y(a.t1 as f64 - 1_000.0)) < a.y1);
    // Before anything happens the lane tops stay clear.
    assert!(reveal_y(0.0) >= super::layout::TOP_PX - 12.0);
}

#[test]
fn a_label_at_the_covers_line_is_shown_whole_once_its_arrow_is_sent_and_hidden_before() {
    let trace = handshake_trace();
    let l = Ladder::build(&trace, None);
    let isns = Isns::of_trace(&trace);
    // A phone's narrow ladder (steep arrows) and a laptop's.
    for width in [360.0, 800.0] {
        let d = arrows_drawn(
            &l,
            &isns,
            Geometry::new(width),
            Numbering::Relative,
            crate::i18n::Lang::En,
            &[],
        );
        let places: Vec<(usize, f64, f64)> = d.places().collect();
        let mut crossed = 0;
        for (i, a) in l.arrows.iter().enumerate() {
            // At the step it is sent: nothing of it is hidden, and whatever of it the cover's
            // line crosses is drawn again over the cover.
            let at = reveal_y(a.y0);
            let (copies, hidden) = cover_rule(&l, &d, at);
            assert!(!hidden.contains(&i), "arrow {i} hidden as it is sent");
            for (k, &(seg, top, bottom)) in places.iter().enumerate() {
                if seg == i && top < at && bottom > at {
                    crossed += 1;
                    assert!(
                        copies.contains(&k),
                        "arrow {i}: {top:.1}–{bottom:.1} crosses {at:.1}, not shown whole"
                    );
                }
            }
            // Just before it is sent: nothing of it is copied, and what lies above the line
            // is hidden.
            let before = a.y0 - 2.0;
            let (copies, hidden) = cover_rule(&l, &d, before);
            for (k, &(seg, top, _)) in places.iter().enumerate() {
                if seg == i {
                    assert!(!copies.contains(&k), "arrow {i} shown before it is sent");
                    if top < before {
                        assert!(
                            hidden.contains(&i),
                            "arrow {i}'s label shows before it is sent"
                        );
                    }
                }
            }
        }
        // The labels beside their sender start above the line at the step it is sent.
        assert!(
            crossed > 0,
            "no label crosses the line at its send step ({width} px)"
        );
    }
}

#[test]
fn an_exported_frame_hides_the_labels_the_page_hides() {
    use wasm_bindgen::JsCast;
    let trace = handshake_trace();
    let l = Ladder::build(&trace, None);
    let isns = Isns::of_trace(&trace);
    let d = arrows_drawn(
        &l,
        &isns,
        Geometry::new(800.0),
        Numbering::Relative,
        crate::i18n::Lang::En,
        &[],
    );
    // A moment mid-run, just before an arrow leaves whose label already rises above the line.
    let (reveal, hidden) = l
        .arrows
        .iter()
        .map(|a| a.y0 - 2.0)
        .map(|y| (y, cover_rule(&l, &d, y).1))
        .find(|(_, hidden)| !hidden.is_empty())
        .expect("a moment with a label hidden");
    // The stack as the page draws it (`LadderView`): the static layer, and what its effect
    // writes into it at that moment, coming from the first frame (nothing hidden).
    let doc = crate::dom::document().unwrap();
    let h = crate::num::fixed(l.height.max(200.0), 1);
    let stack = doc.create_element("div").unwrap();
    stack.set_id("export-test-stack");
    stack.set_class_name("lad lad-stack");
    let reveal_at = crate::num::fixed(reveal, 1);
    stack.set_attribute("data-reveal", &reveal_at).unwrap();
    stack
        .set_attribute("data-reveal-marks", &reveal_at)
        .unwrap();
    stack.set_inner_html(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lad\" width=\"800\" height=\"{h}\" \
         viewBox=\"0 0 800 {h}\"><style>{SVG_CSS}</style><g class=\"segs\">{}</g></svg>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lad-live\" width=\"800\" height=\"{h}\" \
         viewBox=\"0 0 800 {h}\"></svg>",
        d.markup,
    ));
    let body = doc.body().unwrap();
    body.append_child(&stack).unwrap();
    let seg = |i: usize| {
        stack
            .query_selector(&format!("g.segs g.seg[data-seg=\"{i}\"]"))
            .ok()
            .flatten()
    };
    show_unsent(&[], &hidden, seg);
    // The arrows whose texts are hidden where `root` is drawn.
    let hidden_in = |root: &web_sys::Element| {
        let texts = root.query_selector_all("g.segs g.seg > text").unwrap();
        let mut segs: Vec<usize> = (0..texts.length())
            .filter_map(|k| texts.item(k)?.dyn_into::<web_sys::Element>().ok())
            .filter(|t| {
                let style = web_sys::window()
                    .unwrap()
                    .get_computed_style(t)
                    .unwrap()
                    .unwrap();
                style.get_property_value("visibility").unwrap() == "hidden"
            })
            .filter_map(|t| {
                t.closest("g.seg")
                    .ok()??
                    .get_attribute("data-seg")?
                    .parse()
                    .ok()
            })
            .collect();
        segs.dedup();
        segs
    };
    let on_page = hidden_in(&stack);
    assert_eq!(
        on_page, hidden,
        "the page hides the labels of the arrows not sent"
    );
    // The same, where a file's markup (an SVG of its own) is drawn.
    let hidden_in_file = |(svg, _, _): (String, f64, f64)| {
        let file = doc.create_element("div").unwrap();
        file.set_inner_html(&svg);
        body.append_child(&file).unwrap();
        let hidden = hidden_in(&file);
        file.remove();
        hidden
    };
    assert_eq!(
        hidden_in_file(super::export::stacked_svg(&stack).unwrap()),
        on_page,
        "the exported frame shows what the page shows"
    );
    // A handout shows the whole ladder, whatever the page hides at the moment.
    assert_eq!(
        hidden_in_file(super::handout::whole_ladder(&stack).unwrap()),
        Vec::<usize>::new(),
        "the handout hides nothing"
    );
    // Once those arrows are sent, the page shows their texts again and hides only what the
    // later moment hides: the effect writes the change from one set to the other.
    let later = hidden
        .iter()
        .filter_map(|&i| l.arrows.get(i))
        .map(|a| a.y0)
        .fold(reveal, f64::max)
        + 0.5;
    let hidden_later = cover_rule(&l, &d, later).1;
    assert!(hidden.iter().all(|i| !hidden_later.contains(i)));
    show_unsent(&hidden, &hidden_later, seg);
    assert_eq!(
        hidden_in(&stack),
        hidden_later,
        "the sent arrows' texts show"
    );
    stack.remove();
}

#[test]
fn the_hidden_texts_change_only_for_the_arrows_that_changed() {
    assert_eq!(unsent_changes(&[], &[]), []);
    assert_eq!(unsent_changes(&[2, 3], &[2, 3]), []);
    assert_eq!(
        unsent_changes(&[1, 3, 5], &[3, 4, 6]),
        [(1, false), (4, true), (5, false), (6, true)]
    );
    assert_eq!(unsent_changes(&[7], &[]), [(7, false)]);
    assert_eq!(unsent_changes(&[], &[0, 9]), [(0, true), (9, true)]);
}

#[test]
fn the_view_scrolls_only_when_the_playhead_leaves_it_and_then_puts_it_two_fifths_down() {
    // A drawing 1000 px tall, seen 300 px at a time.
    assert_eq!(view_top_for(0.0, 300.0, 150.0, 1000.0), None);
    // Within 30 px of the bottom, where an arrow ending there would be cut: 40 % down.
    assert_eq!(view_top_for(0.0, 300.0, 280.0, 1000.0), Some(160.0));
    // Above the view: back up, as far as the drawing's top.
    assert_eq!(view_top_for(500.0, 300.0, 100.0, 1000.0), Some(0.0));
    assert_eq!(view_top_for(500.0, 300.0, 505.0, 1000.0), Some(385.0));
    // At the end of the run: as far down as the drawing goes.
    assert_eq!(view_top_for(0.0, 300.0, 990.0, 1000.0), Some(700.0));
    // A drawing the view holds whole stays at its top.
    assert_eq!(view_top_for(0.0, 300.0, 290.0, 280.0), Some(0.0));
}

#[test]
fn the_arrows_markup_parses_to_one_group_per_arrow_with_escaped_text() {
    let mut l = Ladder::build(&handshake_trace(), None);
    // A capture's expert note may hold anything: it must stay text.
    l.notes.insert(
        2,
        super::layout::Note {
            text: "<b>retransmission</b> & \"dup\"".into(),
            warn: true,
        },
    );
    let isns = Isns::of_trace(&handshake_trace());
    let geo = Geometry::new(800.0);
    let markup = arrows_markup(
        &l,
        &isns,
        geo,
        Numbering::Relative,
        crate::i18n::Lang::En,
        &[],
    );
    let doc = web_sys::window().unwrap().document().unwrap();
    let g = doc
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
        .unwrap();
    g.set_inner_html(&markup);
    // One group of arrows (one node for Yew to move), then the arrowheads' group.
    assert_eq!(g.child_element_count(), 2);
    let arrows = g.first_element_child().unwrap();
    assert_eq!(arrows.child_element_count() as usize, l.arrows.len());
    let third = g.query_selector("[data-seg=\"2\"]").unwrap().unwrap();
    assert_eq!(
        third.namespace_uri().as_deref(),
        Some("http://www.w3.org/2000/svg")
    );
    let class = |e: &web_sys::Element| e.get_attribute("class").unwrap_or_default();
    assert!(
        class(&third).split(' ').any(|c| c == "warn"),
        "{}",
        class(&third)
    );
    assert!(
        third.query_selector("b").unwrap().is_none(),
        "no markup injected"
    );
    let text = third.text_content().unwrap();
    assert!(text.contains("<b>retransmission</b> & \"dup\""), "{text}");
    assert!(text.contains("SYN, ACK"), "{text}");
    // The lost SYN: dashed, crossed out, with its reason.
    let lost = g.query_selector("[data-seg=\"0\"]").unwrap().unwrap();
    assert!(
        class(&lost).split(' ').any(|c| c == "lost"),
        "{}",
        class(&lost)
    );
    assert!(lost.query_selector("line.x + line.x").unwrap().is_some());
    assert!(lost.text_content().unwrap().contains("lost on the link"));
    // Arrived arrows end in a head: one path of triangles per kind, after the arrows. Of the
    // two SYNs only the retransmitted one arrives: the lost one ends in its ✕ instead.
    let heads = g.last_element_child().unwrap();
    assert_eq!(heads.get_attribute("class").as_deref(), Some("heads"));
    let d = |kind: &str| {
        heads
            .query_selector(&format!("path.head.k-{kind}"))
            .unwrap()
            .and_then(|p| p.get_attribute("d"))
    };
    let synack = d("synack").expect("the SYN-ACK's head");
    assert_eq!(synack.matches('M').count(), 1, "{synack}");
    let syn = d("syn").expect("the retransmitted SYN's head");
    assert_eq!(syn.matches('M').count(), 1, "{syn}");
    assert_eq!(d("ack").map(|d| d.matches('M').count()), Some(1));
}

fn tcp_header(s: &Segment) -> &TcpHeader {
    match &s.header {
        Header::Tcp(h) => h,
        Header::Udp(_) | Header::Icmp(_) => panic!("not TCP"),
    }
}

#[test]
fn options_are_listed_in_their_wire_order_with_nops_only_in_the_inspector() {
    let t = handshake_trace();
    let EventKind::SegmentSent { segment, .. } = &t.events[1].kind else {
        panic!("event 1 is the SYN");
    };
    let mut h = tcp_header(segment).clone();
    assert_eq!(options_text(&h, true), "[MSS=1460 SACK_PERM TS NOP WS=7]");
    assert_eq!(options_text(&h, false), "[MSS=1460 SACK_PERM TS WS=7]");
    // Another stack's layout is shown as it was on the wire, not re-sorted.
    h.options.order = vec![1, 3, 2, 1, 1, 8, 4];
    assert_eq!(options_text(&h, false), "[WS=7 MSS=1460 TS SACK_PERM]");
    // A trace without the order (older or hand-written): Linux's order, no NOPs known.
    h.options.order.clear();
    assert_eq!(options_text(&h, true), "[MSS=1460 SACK_PERM TS WS=7]");
}

#[test]
fn labels_read_like_wireshark_relative_and_absolute() {
    let t = handshake_trace();
    let isns = Isns::of_trace(&t);
    let seg = |i: usize| match &t.events[i].kind {
        EventKind::SegmentSent { segment, .. } => segment.clone(),
        _ => panic!("event {i} is not a send"),
    };
    let (main, opts) = segment_label(&seg(1), &isns, Numbering::Relative);
    assert_eq!(main, "SYN seq=0 win=65535");
    assert_eq!(opts, "[MSS=1460 SACK_PERM TS WS=7]");
    let (main, _) = segment_label(&seg(6), &isns, Numbering::Relative);
    assert_eq!(main, "SYN, ACK seq=0 ack=1 win=65535");
    // Both SYNs carried WS=7, so from the third segment on the field is shifted by 7
    // (RFC 7323 §2.3) and the label shows bytes, as Wireshark's calculated window; the SYNs'
    // own windows are never scaled.
    let (main, opts) = segment_label(&seg(9), &isns, Numbering::Relative);
    assert_eq!(main, "ACK seq=1 ack=1 win=8388480");
    assert_eq!(opts, "");
    assert_eq!(isns.window_shift(&seg(9), tcp_header(&seg(9))), Some(7));
    assert_eq!(isns.window_shift(&seg(6), tcp_header(&seg(6))), None);
    // Scaling needs both sides: a trace in which only the client announced it does not scale.
    let mut one_sided = t.clone();
    if let EventKind::SegmentSent { segment, .. } = &mut one_sided.events[6].kind {
        if let Header::Tcp(h) = &mut segment.header {
            h.options.window_scale = None;
        }
    }
    let isns1 = Isns::of_trace(&one_sided);
    let (main, _) = segment_label(&seg(9), &isns1, Numbering::Relative);
    assert_eq!(main, "ACK seq=1 ack=1 win=65535");
    let (main, _) = segment_label(&seg(6), &isns, Numbering::Absolute);
    assert_eq!(main, "SYN, ACK seq=5000 ack=1001 win=65535");
    assert_eq!(SegKind::of(&seg(6)), SegKind::SynAck);
    assert_eq!(
        SegKind::of(&tcp(C, S, 1, 1, (false, true, true), 0)),
        SegKind::Fin
    );
    assert_eq!(
        SegKind::of(&tcp(C, S, 1, 1, (false, true, false), 5)),
        SegKind::Data
    );
}

#[test]
fn labels_of_a_real_model_trace() {
    let p = crate::scenes::page_params_for_test();
    let t = crate::scenes::run_for_test(crate::route::Route::Handshake, &p).expect("model runs");
    let l = Ladder::build(&t, None);
    let isns = Isns::of_trace(&t);
    let labels: Vec<String> = l
        .arrows
        .iter()
        .map(|a| segment_label(&a.segment, &isns, Numbering::Relative).0)
        .collect();
    assert!(labels[0].starts_with("SYN seq=0 "), "{labels:?}");
    assert!(labels[1].starts_with("SYN, ACK seq=0 ack=1 "), "{labels:?}");
    assert!(labels[2].starts_with("ACK seq=1 ack=1 "), "{labels:?}");
}

#[test]
fn labels_stay_upright() {
    // Right to left arrows must not turn their text upside down.
    let (_, _, a) = label_anchor(500.0, 100.0, 100.0, 160.0);
    assert!(a.abs() < 90.0, "{a}");
    let (mx, my, b) = label_anchor(100.0, 100.0, 500.0, 160.0);
    assert!((mx - 300.0).abs() < 1e-9 && (my - 130.0).abs() < 1e-9);
    assert!((a + b).abs() < 1e-9, "mirror images: {a} vs {b}");
}

fn all_set() -> Params {
    Params {
        case: "syn-lost".into(),
        latency_ms: 75,
        jitter_ms: 12,
        loss_pct: 12.5,
        seed: 987654321,
        profile: Profile::Rfc,
        t_us: Some(1_250_000),
        speed: 0.37,
        numbering: Numbering::Absolute,
        view: View::States,
        autoplay: true,
        embed: true,
        knobs: Default::default(),
    }
}

#[test]
fn every_url_parameter_round_trips() {
    let cases = ["normal", "syn-lost"];
    let p = all_set();
    let mut q = Query::parse("lang=zh&theme=dark");
    params::write_query(&p, &mut q);
    let hash = Location {
        route: None,
        path: "/handshake".into(),
        query: q,
    }
    .to_hash();
    let back = Location::parse(&hash);
    let (p2, notices) = params::from_query(&back.query, &cases);
    assert_eq!(notices, vec![]);
    assert_eq!(p2, p);
    // Keys the scene does not own survive.
    assert_eq!(back.query.get("lang"), Some("zh"));
    assert_eq!(back.query.get("theme"), Some("dark"));
    assert_eq!(back.query.get("t"), Some("1.25"));
}

#[test]
fn scene_knobs_round_trip_and_refuse_bad_values() {
    const SPECS: &[params::KnobSpec] = &[
        params::KnobSpec {
            key: "backlog",
            min: 0,
            max: 16,
        },
        params::KnobSpec {
            key: "abort",
            min: 0,
            max: 1,
        },
        params::KnobSpec {
            key: "clients",
            min: 1,
            max: 12,
        },
    ];
    let mut p = Params::defaults("overflow");
    p.knobs.insert("backlog".into(), 0);
    p.knobs.insert("abort".into(), 1);
    let mut q = Query::parse("clients=3&lang=en");
    params::write_knobs(&p, SPECS, &mut q);
    // Set knobs are written, unset ones removed, others kept.
    assert_eq!(q.get("backlog"), Some("0"));
    assert_eq!(q.get("abort"), Some("1"));
    assert_eq!(q.get("clients"), None);
    assert_eq!(q.get("lang"), Some("en"));
    let mut back = Params::defaults("overflow");
    let notices = params::read_knobs(&q, SPECS, |_| 7, &mut back);
    assert_eq!(notices, vec![]);
    assert_eq!(back.knobs, p.knobs);
    // Out of range, negative, not a number: refused, the case's value named in the notice.
    let q = Query::parse("backlog=17&abort=-1&clients=many");
    let mut bad = Params::defaults("overflow");
    let notices = params::read_knobs(&q, SPECS, |k| if k == "clients" { 4 } else { 1 }, &mut bad);
    assert!(bad.knobs.is_empty());
    let keys: Vec<_> = notices
        .iter()
        .map(|n| (n.key.as_str(), n.used.as_str()))
        .collect();
    assert_eq!(keys, [("backlog", "1"), ("abort", "1"), ("clients", "4")]);
    // Each notice says which values the knob takes.
    assert_eq!(
        notices[0].text(crate::i18n::Lang::En),
        "The link's backlog=17 is not valid (0–16); using 1 instead."
    );
    assert_eq!(
        notices[2].text(crate::i18n::Lang::Zh),
        "链接里的参数 clients=many 无效（允许 1–12），已改用 4。"
    );
}

#[test]
fn defaults_stay_out_of_the_url() {
    let mut q = Query::default();
    params::write_query(&Params::defaults("normal"), &mut q);
    assert_eq!(q.encode(), "case=normal");
}

#[test]
fn bad_values_fall_back_to_defaults_with_a_notice() {
    let cases = ["normal", "syn-lost"];
    let q = Query::parse("case=nope&latency=-3&jitter=9999&loss=abc&seed=x&profile=bsd&t=NaN&speed=50&seq=hex&view=3d&autoplay=maybe&embed=2");
    let (p, notices) = params::from_query(&q, &cases);
    let d = Params::defaults("normal");
    assert_eq!(p, d);
    let keys: Vec<&str> = notices.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "case", "latency", "jitter", "loss", "seed", "profile", "t", "speed", "seq", "view",
            "autoplay", "embed"
        ]
    );
    let text = notices[3].text(crate::i18n::Lang::En);
    assert!(text.contains("loss=abc") && text.contains('0'), "{text}");
    assert!(notices[3].text(crate::i18n::Lang::Zh).contains("loss=abc"));
}

#[test]
fn speed_slider_is_logarithmic_and_reaches_both_ends() {
    assert_eq!(params::speed_from_slider(0.0), 0.01);
    assert_eq!(params::speed_from_slider(1000.0), 2.0);
    let mid = params::speed_from_slider(500.0);
    assert!(mid > 0.1 && mid < 0.2, "{mid}");
    for s in [0.01, 0.1, 0.5, 1.0, 2.0] {
        let back = params::speed_from_slider(params::slider_from_speed(s));
        assert!((back - s).abs() / s < 0.02, "{s} -> {back}");
    }
}

#[test]
fn stepping_and_playing_move_through_the_moments() {
    let l = Shared::new(Ladder::build(&handshake_trace(), None));
    let pb = std::rc::Rc::new(Playback::new(l.clone(), 0.0, 1.0, false));
    // Real-time playback (a trace this short would otherwise step: `Pace::auto`).
    let pb = pb.reduce(Action::Pace(Some(Pace::Real)));
    let pb = pb.reduce(Action::Step(1));
    assert_eq!(pb.t, 10_000.0, "the loss at half-way is a moment");
    let pb = pb.reduce(Action::Step(1));
    assert_eq!(pb.t, 1_000_000.0, "stepping jumps the idle gap");
    let pb = pb.reduce(Action::Step(-1));
    assert_eq!(pb.t, 10_000.0);
    let pb = pb.reduce(Action::End);
    assert_eq!(pb.t, 1_060_000.0);
    let pb = pb.reduce(Action::Toggle);
    assert!(pb.playing);
    assert_eq!(pb.t, 0.0, "play at the end restarts");
    // 10 real ms at 1x is 10 simulated ms in a busy stretch.
    let pb = pb.reduce(Action::Tick(10.0));
    assert!((pb.t - 10_000.0).abs() < 1.0, "{}", pb.t);
    // Inside the fold time runs fast: 40 px of fold pass in the time of 40 px of busy drawing.
    let mut pb = pb.reduce(Action::Seek(30_000.0));
    for _ in 0..40 {
        pb = pb.reduce(Action::Tick(16.0));
    }
    assert!(pb.t > 1_000_000.0, "crossed the 1 s fold quickly: {}", pb.t);
    let pb = pb.reduce(Action::Seek(9e9));
    assert_eq!(pb.t, 1_060_000.0, "seek clamps");
}

#[test]
fn tick_times_stay_distinct_at_loopback_scale() {
    use super::ladder::fmt_ms;
    assert_eq!(fmt_ms(20_000), "20.0 ms");
    assert_eq!(fmt_ms(100), "0.100 ms");
    assert_eq!(fmt_ms(5_000), "5.000 ms");
    assert_eq!(fmt_ms(50), "0.050 ms");
    assert_eq!(fmt_ms(150), "0.150 ms");
    assert_eq!(fmt_ms(1_500_000), "1.500 s");
}

#[test]
fn any_url_text_parses_to_valid_parameters_that_round_trip() {
    // The URL parameter parser's fuzz test. proptest does not run inside this wasm-bindgen
    // harness, so the inputs come from the model's seeded RNG: 20,000 random hashes over an
    // alphabet rich in URL syntax, escapes, digits, signs and non-ASCII. Whatever the text, the
    // parser must not panic, every value it keeps must be in range, and the URL the app writes
    // for the result must read back without a notice and be written again unchanged (links stay
    // stable; numbers are written with at most 6 decimals, so the first write may round).
    const ALPHABET: &[char] = &[
        '#', '/', '?', '&', '=', '%', '+', '-', '.', 'e', 'E', '0', '1', '5', '9', 'a', 'b', 's',
        't', 'n', 'o', 'r', 'l', 'i', ' ', '中', 'é', '\u{0}', '\u{7f}', 'c', 'd', 'y', 'k', 'x',
    ];
    const KEYS: &[&str] = &[
        "case", "latency", "jitter", "loss", "seed", "profile", "t", "speed", "seq", "view",
        "autoplay", "embed", "lang", "theme",
    ];
    let cases = ["normal", "syn-lost"];
    let mut rng = synack_model::rng::Rng::new(2026);
    for _ in 0..20_000 {
        let mut s = String::from("#/handshake?");
        for _ in 0..rng.below(6) {
            // Mostly real keys with random values, sometimes random keys too.
            if rng.below(4) > 0 {
                s.push_str(KEYS[rng.below(KEYS.len() as u64) as usize]);
                s.push('=');
            }
            for _ in 0..rng.below(12) {
                s.push(ALPHABET[rng.below(ALPHABET.len() as u64) as usize]);
            }
            s.push('&');
        }
        let loc = Location::parse(&s);
        let (p, _) = params::from_query(&loc.query, &cases);
        assert!(
            cases.contains(&p.case.as_str()),
            "{s:?} → case {:?}",
            p.case
        );
        assert!(p.latency_ms <= params::LATENCY_MAX_MS, "{s:?}");
        assert!(p.jitter_ms <= params::JITTER_MAX_MS, "{s:?}");
        assert!((0.0..=params::LOSS_MAX_PCT).contains(&p.loss_pct), "{s:?}");
        assert!(
            (params::SPEED_MIN..=params::SPEED_MAX).contains(&p.speed),
            "{s:?}"
        );
        let mut q = Query::default();
        params::write_query(&p, &mut q);
        let back = Location::parse(&format!("#/handshake?{}", q.encode()));
        let (p2, notices) = params::from_query(&back.query, &cases);
        assert_eq!(notices, vec![], "{s:?}");
        assert_eq!(
            (p2.case.as_str(), p2.seed, p2.latency_ms),
            (p.case.as_str(), p.seed, p.latency_ms)
        );
        assert!(
            (p2.loss_pct - p.loss_pct).abs() < 1e-6 && (p2.speed - p.speed).abs() < 1e-6,
            "{s:?}"
        );
        let mut q2 = Query::default();
        params::write_query(&p2, &mut q2);
        assert_eq!(q2.encode(), q.encode(), "{s:?}");
    }
}

/// The scenes' default network: 20 ms one way, no loss, seed 1, Linux.
fn default_knobs() -> synack_model::presets::Knobs {
    synack_model::presets::Knobs {
        latency_ms: 20.0,
        jitter_ms: 0.0,
        loss_pct: 0.0,
        seed: 1,
        profile: synack_model::profile::ProfileId::Linux,
    }
}

#[test]
fn narration_names_the_socket_call_of_each_protocol() {
    use super::narration::sentence;
    use crate::i18n::Lang;
    use synack_model::presets::{self, StickyCase, StickyFix, UdpCase};
    let k = default_knobs();
    // A UDP socket reads with recvfrom(), a TCP one (the sticky-packet scene) with recv().
    let udp = synack_model::simulate(&presets::udp(&k, UdpCase::Boundaries)).unwrap();
    let tcp = synack_model::simulate(&presets::sticky(&k, StickyCase::A, StickyFix::None)).unwrap();
    for (trace, call, not) in [
        (&udp, "recvfrom()", "recv()"),
        (&tcp, "recv()", "recvfrom()"),
    ] {
        let isns = Isns::of_trace(trace);
        let reads: Vec<String> = (0..trace.events.len())
            .filter(|&i| {
                matches!(
                    trace.events[i].kind,
                    EventKind::AppReturn {
                        call: AppCallKind::Recv,
                        ..
                    }
                )
            })
            .filter_map(|i| sentence(trace, &isns, i, Lang::En, crate::i18n::Api::C))
            .collect();
        assert!(!reads.is_empty());
        for s in &reads {
            assert!(s.contains(call) && !s.contains(not), "{s}");
        }
    }
}

/// TCP vs UDP's UDP ladder with 16 messages each way, sent at t = 0 (the datagrams leave
/// together), drawn 600 px wide, and its markup parsed into an SVG `g`.
fn udp_burst() -> (Ladder, super::ladder::Drawn, web_sys::Element) {
    udp_burst_with(|_| {})
}

/// TCP vs UDP's trace for `messages` at 20 ms one way, `loss` % and `seed` (the page opens it
/// at 8 messages, 20 %, seed 3).
fn tcp_vs_udp_at_20_ms(messages: &str, loss: f64, seed: u64) -> synack_model::trace::Trace {
    let mut p = Params::defaults(messages);
    p.latency_ms = 20;
    p.loss_pct = loss;
    p.seed = seed;
    crate::scenes::run_for_test(crate::route::Route::TcpVsUdp, &p).unwrap()
}

/// [`udp_burst`], with `edit` made to the ladder before it is drawn.
fn udp_burst_with(
    edit: impl FnOnce(&mut Ladder),
) -> (Ladder, super::ladder::Drawn, web_sys::Element) {
    use crate::route::Route;
    let p = Params::defaults("16");
    let trace = crate::scenes::run_for_test(Route::TcpVsUdp, &p).unwrap();
    let mut l = Ladder::build(&trace, Some(synack_model::trace::Proto::Udp));
    edit(&mut l);
    let d = arrows_drawn(
        &l,
        &Isns::of_trace(&trace),
        Geometry::new(600.0),
        Numbering::Relative,
        crate::i18n::Lang::En,
        &[],
    );
    let doc = web_sys::window().unwrap().document().unwrap();
    let g = doc
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
        .unwrap();
    g.set_inner_html(&d.markup);
    (l, d, g)
}

#[test]
fn a_burst_on_one_path_gets_one_label_not_a_smear() {
    let (l, _, g) = udp_burst();
    let arrows = g.query_selector_all("g.seg").unwrap().length();
    let labels = g
        .query_selector_all("g.seg > text:not(.why):not(.opt)")
        .unwrap()
        .length();
    assert!(l.arrows.len() >= 16, "{} arrows", l.arrows.len());
    assert!(
        labels >= 1 && (labels as usize) < l.arrows.len() / 2,
        "{labels} labels for {} arrows",
        l.arrows.len()
    );
    // Every group of arrows (arrows drawn as one) can still be clicked.
    assert_eq!(g.query_selector_all("line.hit").unwrap().length(), arrows);
    // Far apart, every arrow keeps its label: the handshake's four (its first SYN is lost). On
    // a narrower drawing the SYN-ACK's label would cross the retransmitted SYN's, near the
    // server, and is left out (no_label_is_printed_over_another checks the geometry).
    let hs = Ladder::build(&handshake_trace(), None);
    let markup = arrows_markup(
        &hs,
        &Isns::of_trace(&handshake_trace()),
        Geometry::new(900.0),
        Numbering::Relative,
        crate::i18n::Lang::En,
        &[],
    );
    g.set_inner_html(&markup);
    assert_eq!(
        g.query_selector_all("g.seg > text:not(.why):not(.opt)")
            .unwrap()
            .length(),
        g.query_selector_all("g.seg").unwrap().length()
    );
}

/// The arrows a `g.seg` draws: its `data-seg`, then its `data-also` (ladder.rs `Group`).
fn members(e: &web_sys::Element) -> Vec<usize> {
    let also = e.get_attribute("data-also").unwrap_or_default();
    let first = e.get_attribute("data-seg").unwrap();
    std::iter::once(first.as_str())
        .chain(also.split(' ').filter(|v| !v.is_empty()))
        .map(|v| v.parse().unwrap())
        .collect()
}

#[test]
fn arrows_on_the_same_pixels_are_drawn_once_and_the_group_names_them_all() {
    use wasm_bindgen::JsCast;
    // 16 datagrams sent together land on a few shafts: one `g.seg` draws each shaft's arrows,
    // the first (its `data-seg`, what a click opens) and the others (`data-also`).
    let (l, d, g) = udp_burst();
    let segs = g.query_selector_all("g.seg").unwrap();
    let n = segs.length() as usize;
    assert!(
        n * 2 <= l.arrows.len(),
        "{n} arrows drawn for {} sent together",
        l.arrows.len()
    );
    assert_eq!(d.groups.len(), n);
    // Each arrow lies in exactly one group, and each group is written where its last arrow
    // was: in the order of their last arrows, so the one on top is the one drawn last.
    let mut seen = vec![false; l.arrows.len()];
    let mut last_before = None;
    for k in 0..n {
        let e: web_sys::Element = segs.item(k as u32).unwrap().dyn_into().unwrap();
        let m = members(&e);
        let first = m[0];
        assert_eq!(d.groups[k], first);
        assert!(m.windows(2).all(|w| w[0] < w[1]), "{m:?} in order");
        let last = *m.last().unwrap();
        assert!(
            last_before < Some(last),
            "group {k} written after its last arrow"
        );
        last_before = Some(last);
        for &i in &m {
            assert!(!seen[i], "arrow {i} in two groups");
            seen[i] = true;
            assert_eq!(d.group_of[i], k, "arrow {i}");
            // Drawn on the same pixels as the group's first arrow.
            assert_eq!(l.arrows[i].kind, l.arrows[first].kind);
            assert!((l.arrows[i].y0 - l.arrows[first].y0).abs() < 0.1);
            assert!((l.arrows[i].y1 - l.arrows[first].y1).abs() < 0.1);
        }
        // The selector the handout finds an arrow's group with.
        for &i in &m {
            let sel = format!("g.seg[data-seg=\"{i}\"], g.seg[data-also~=\"{i}\"]");
            assert_eq!(
                g.query_selector(&sel).unwrap().as_ref(),
                Some(&e),
                "arrow {i}"
            );
        }
        // A group says how many it stands for, to a screen reader.
        let name = e
            .query_selector("line.hit")
            .unwrap()
            .unwrap()
            .get_attribute("aria-label")
            .unwrap();
        if m.len() > 1 {
            let count = format!("the first of {} alike", m.len());
            assert!(name.contains(&count), "{name}");
        }
    }
    assert!(seen.iter().all(|s| *s), "every arrow is drawn");
    // A run of arrows drawn apart keeps one `g.seg` each: the handshake's.
    let hs = handshake_trace();
    let hl = Ladder::build(&hs, None);
    let hd = arrows_drawn(
        &hl,
        &Isns::of_trace(&hs),
        Geometry::new(900.0),
        Numbering::Relative,
        crate::i18n::Lang::En,
        &[],
    );
    assert_eq!(hd.groups, (0..hl.arrows.len()).collect::<Vec<_>>());
}

#[test]
fn arrows_on_the_same_pixels_are_drawn_once_even_when_other_shapes_come_between_them() {
    // The UDP column of 1,000 messages takes a few shafts in turn: grouping only runs of
    // neighbours left one `g.seg` per change of shaft (298 there). Here every other datagram of
    // the burst ends 6 px lower, so no two neighbours share a shape: grouped by shape over the
    // whole ladder, each shaft is still drawn about once.
    let (l, d, _) = udp_burst_with(|l| {
        for a in l.arrows.iter_mut().skip(1).step_by(2) {
            a.y1 += 6.0;
        }
    });
    let n = l.arrows.len();
    assert!(n >= 16, "{n} arrows");
    assert!(
        d.groups.len() * 4 <= n,
        "{} groups for {n} arrows on shafts taken in turn",
        d.groups.len()
    );
    // Every group's arrows share its first arrow's shaft.
    for (i, a) in l.arrows.iter().enumerate() {
        let first = &l.arrows[d.groups[d.group_of[i]]];
        assert!(
            (a.y0 - first.y0).abs() < 0.1 && (a.y1 - first.y1).abs() < 0.1,
            "arrow {i}"
        );
    }
}

/// Every label of `markup` as drawn by the browser: its rectangle (text length measured by the
/// browser, 12 px tall from 10 px above the baseline) in the frame of its transform, as four
/// corners in the SVG's coordinates.
fn drawn_label_boxes(markup: &str) -> Vec<(String, [(f64, f64); 4])> {
    use wasm_bindgen::JsCast;
    let doc = web_sys::window().unwrap().document().unwrap();
    let svg = doc
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "svg")
        .unwrap();
    svg.set_attribute("class", "lad").unwrap();
    svg.set_attribute("width", "600").unwrap();
    svg.set_attribute("height", "4000").unwrap();
    svg.set_inner_html(&format!(
        "<style>{}</style><g class=\"segs\">{markup}</g>",
        super::ladder::SVG_CSS
    ));
    doc.body().unwrap().append_child(&svg).unwrap();
    let texts = svg.query_selector_all("g.seg > text").unwrap();
    let mut out = Vec::new();
    for i in 0..texts.length() {
        let t: web_sys::Element = texts.item(i).unwrap().dyn_into().unwrap();
        let len_fn: js_sys::Function = js_sys::Reflect::get(&t, &"getComputedTextLength".into())
            .unwrap()
            .dyn_into()
            .unwrap();
        let len = len_fn.call0(&t).unwrap().as_f64().unwrap();
        let attr = |k: &str| t.get_attribute(k).unwrap_or_default();
        let num = |v: &str| v.trim().parse::<f64>().unwrap_or(0.0);
        // translate(x,y) rotate(d), or plain x/y for the drop reasons.
        let (tx, ty, deg) = match attr("transform").strip_prefix("translate(") {
            Some(rest) => {
                let (xy, rot) = rest.split_once(") rotate(").unwrap();
                let (x, y) = xy.split_once(',').unwrap();
                (num(x), num(y), num(rot.trim_end_matches(')')))
            }
            None => (num(&attr("x")), 0.0, 0.0),
        };
        let base = num(&attr("y"));
        let x0 = match attr("text-anchor").as_str() {
            "end" => -len,
            "middle" => -len / 2.0,
            _ => 0.0,
        };
        let (s, c) = (deg.to_radians().sin(), deg.to_radians().cos());
        let corner = |x: f64, y: f64| (tx + x * c - y * s, ty + x * s + y * c);
        let (y_top, y_bottom) = (base - 10.0, base + 2.0);
        out.push((
            t.text_content().unwrap_or_default(),
            [
                corner(x0, y_top),
                corner(x0 + len, y_top),
                corner(x0 + len, y_bottom),
                corner(x0, y_bottom),
            ],
        ));
    }
    svg.remove();
    out
}

/// Whether two convex quadrilaterals overlap by more than `slack` pixels (separating axes).
fn quads_overlap(a: &[(f64, f64); 4], b: &[(f64, f64); 4], slack: f64) -> bool {
    for quad in [a, b] {
        for i in 0..4 {
            let (p, q) = (quad[i], quad[(i + 1) % 4]);
            let axis = (p.1 - q.1, q.0 - p.0);
            let n = (axis.0 * axis.0 + axis.1 * axis.1).sqrt().max(1e-9);
            let proj = |pts: &[(f64, f64); 4]| {
                pts.iter()
                    .map(|v| (v.0 * axis.0 + v.1 * axis.1) / n)
                    .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)))
            };
            let ((a0, a1), (b0, b1)) = (proj(a), proj(b));
            if a1 - slack <= b0 || b1 - slack <= a0 {
                return false;
            }
        }
    }
    true
}

#[test]
fn no_label_is_printed_over_another() {
    use crate::route::Route;
    // The scenes' own default networks (TCP vs UDP: 20 % loss, seed 3) and busier ones.
    let mut cases: Vec<(String, Trace, Option<Proto>)> = Vec::new();
    for (n, loss, seed) in [
        ("8", 20.0, 3),
        ("16", 20.0, 3),
        ("64", 5.0, 1),
        ("16", 40.0, 7),
    ] {
        let t = tcp_vs_udp_at_20_ms(n, loss, seed);
        for proto in [Some(Proto::Tcp), Some(Proto::Udp)] {
            cases.push((
                format!("tcp-vs-udp {n} loss {loss} seed {seed} {proto:?}"),
                t.clone(),
                proto,
            ));
        }
    }
    for (route, ids) in [
        (
            Route::Handshake,
            synack_model::presets::HandshakeCase::ALL
                .iter()
                .map(|c| c.id())
                .collect::<Vec<_>>(),
        ),
        (
            Route::Teardown,
            synack_model::presets::TeardownCase::ALL
                .iter()
                .map(|c| c.id())
                .collect::<Vec<_>>(),
        ),
    ] {
        for id in ids {
            let mut p = Params::defaults(id);
            p.latency_ms = 20;
            let t = crate::scenes::run_for_test(route, &p).unwrap();
            cases.push((format!("{route:?} {id}"), t, None));
        }
    }
    for (what, trace, proto) in cases {
        let l = Ladder::build(&trace, proto);
        let markup = arrows_markup(
            &l,
            &Isns::of_trace(&trace),
            Geometry::new(440.0),
            Numbering::Relative,
            crate::i18n::Lang::En,
            &[],
        );
        let boxes = drawn_label_boxes(&markup);
        for (i, (ta, a)) in boxes.iter().enumerate() {
            for (tb, b) in &boxes[i + 1..] {
                assert!(
                    !quads_overlap(a, b, 1.0),
                    "{what}: \"{ta}\" {a:?} is printed over \"{tb}\" {b:?}"
                );
            }
        }
    }
}

#[test]
fn a_drop_reason_is_written_once_round_crosses_that_lie_on_each_other() {
    use crate::i18n::Lang;
    use wasm_bindgen::JsCast;
    // TCP vs UDP's burst of 200 datagrams at 20 % loss: the lost ones leave together and end on
    // one ✕. Its reason was written eight times round it, a line apart on both sides.
    let trace = tcp_vs_udp_at_20_ms("200", 20.0, 3);
    let l = Ladder::build(&trace, Some(Proto::Udp));
    let lost = l.arrows.iter().filter(|a| a.lost()).count();
    assert!(lost > 8, "{lost} lost datagrams");
    let doc = web_sys::window().unwrap().document().unwrap();
    for lang in [Lang::En, Lang::Zh] {
        let d = arrows_drawn(
            &l,
            &Isns::of_trace(&trace),
            Geometry::new(440.0),
            Numbering::Relative,
            lang,
            &[],
        );
        let g = doc
            .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
            .unwrap();
        g.set_inner_html(&d.markup);
        // Each drop reason written: its text and the centre of its group's ✕.
        let whys = g.query_selector_all("g.seg > text.why").unwrap();
        let mut said: Vec<(String, f64, f64)> = Vec::new();
        for k in 0..whys.length() {
            let t: web_sys::Element = whys.item(k).unwrap().dyn_into().unwrap();
            let x = t
                .parent_element()
                .unwrap()
                .query_selector("line.x")
                .unwrap()
                .unwrap();
            let at = |a: &str| x.get_attribute(a).unwrap().parse::<f64>().unwrap() + 6.0;
            said.push((t.text_content().unwrap(), at("x1"), at("y1")));
        }
        assert!(!said.is_empty(), "{lang:?}: no drop reason written");
        for (i, (a, ax, ay)) in said.iter().enumerate() {
            for (b, bx, by) in &said[i + 1..] {
                assert!(
                    a != b || (ax - bx).abs() > 12.0 || (ay - by).abs() > 12.0,
                    "{lang:?}: \"{a}\" is written again for the ✕ at ({ax}, {ay})"
                );
            }
        }
        // Every lost datagram is still drawn, by a group of its own or with others.
        let drawn: usize = (0..g.query_selector_all("g.seg").unwrap().length())
            .map(|k| {
                let e: web_sys::Element = g
                    .query_selector_all("g.seg")
                    .unwrap()
                    .item(k)
                    .unwrap()
                    .dyn_into()
                    .unwrap();
                members(&e).len()
            })
            .sum();
        assert_eq!(drawn, l.arrows.len(), "{lang:?}");
        assert_eq!(d.group_of.len(), l.arrows.len());
    }
}

#[test]
fn every_drop_reason_reads_as_a_whole_sentence_in_both_languages() {
    use super::narration::drop_sentence;
    let all = [
        DropReason::LinkLoss,
        DropReason::Fault { rule: 0 },
        DropReason::Mtu,
        DropReason::AcceptQueueFull,
        DropReason::SynAcceptQueueFull,
        DropReason::SynQueueFull,
        DropReason::BacklogFull,
        DropReason::NoSocket,
        DropReason::OutOfWindow,
        DropReason::ReceiveBufferFull,
        DropReason::Other {
            why: "a test".into(),
        },
    ];
    // A new reason must be added above (and get its own sentence): this match does not compile
    // without it.
    for r in &all {
        match r {
            DropReason::LinkLoss
            | DropReason::Fault { .. }
            | DropReason::Mtu
            | DropReason::AcceptQueueFull
            | DropReason::SynAcceptQueueFull
            | DropReason::SynQueueFull
            | DropReason::BacklogFull
            | DropReason::NoSocket
            | DropReason::OutOfWindow
            | DropReason::ReceiveBufferFull
            | DropReason::Other { .. } => {}
        }
    }
    for r in &all {
        let en = drop_sentence(r, "SYN", "server", crate::i18n::Lang::En);
        let zh = drop_sentence(r, "SYN", "服务器", crate::i18n::Lang::Zh);
        assert!(en.ends_with('.') && en.contains("SYN"), "{en}");
        assert!(zh.ends_with('。') && zh.contains("SYN"), "{zh}");
        // The old template glued a reason phrase after "is": "The ACK is accept queue full".
        for broken in [
            " is accept",
            " is no socket",
            " is SYN queue",
            " is receive",
            " is the",
        ] {
            assert!(!en.contains(broken), "{en}");
        }
        assert!(!zh.contains(" 。") && !zh.contains("  "), "{zh}");
    }
    let syn_accept = drop_sentence(
        &DropReason::SynAcceptQueueFull,
        "SYN",
        "server",
        crate::i18n::Lang::En,
    );
    assert!(syn_accept.contains("accept queue") && !syn_accept.contains("SYN queue"));
}

#[test]
fn times_below_ten_milliseconds_have_one_format() {
    use super::ladder::fmt_ms;
    for us in [50, 100, 150, 1_000, 2_500, 9_999] {
        let s = fmt_ms(us);
        let decimals = s
            .trim_end_matches(" ms")
            .split('.')
            .nth(1)
            .map_or(0, str::len);
        assert_eq!(decimals, 3, "{us} µs → {s}");
    }
}

#[test]
fn multicast_narration_names_the_receivers_as_the_case_does() {
    use super::narration::sentence;
    use synack_model::presets::{self, Knobs, UdpCase};
    let t = synack_model::simulate(&presets::udp(&Knobs::default(), UdpCase::Multicast)).unwrap();
    let isns = Isns::of_trace(&t);
    let said: Vec<String> = (0..t.events.len())
        .filter_map(|i| sentence(&t, &isns, i, crate::i18n::Lang::En, crate::i18n::Api::C))
        .collect();
    assert!(said.iter().any(|s| s.contains("receiver 3")), "{said:#?}");
    assert!(!said.iter().any(|s| s.contains("server 2")), "{said:#?}");
}

/// The narration, in `lang`, of two scenes with numbered hosts (the backlog's real capture: clients
/// 1 and 2; UDP multicast: receivers 1-3).
fn numbered_scenes_narration(lang: crate::i18n::Lang) -> Vec<Vec<String>> {
    use super::narration::sentence;
    use synack_model::presets::{self, BacklogKnobs, Knobs, UdpCase};
    let backlog = presets::backlog(&Knobs::default(), &BacklogKnobs::real_capture());
    let multicast = presets::udp(&Knobs::default(), UdpCase::Multicast);
    [backlog, multicast]
        .iter()
        .map(|scenario| {
            let t = synack_model::simulate(scenario).unwrap();
            let isns = Isns::of_trace(&t);
            (0..t.events.len())
                .filter_map(|i| sentence(&t, &isns, i, lang, crate::i18n::Api::C))
                .collect()
        })
        .collect()
}

#[test]
fn numbered_names_are_spaced_from_the_chinese_that_follows_in_chinese_narration() {
    // "客户端 1的应用调用 connect()" ran the number into the Chinese; the app's Chinese spaces
    // the two scripts ("TCP 服务器"), and punctuation follows a name directly ("客户端 1。").
    for said in numbered_scenes_narration(crate::i18n::Lang::Zh) {
        let run_in = |s: &String| {
            s.chars()
                .zip(s.chars().skip(1))
                .any(|(a, b)| a.is_ascii_digit() && matches!(b, '\u{3400}'..='\u{9FFF}'))
        };
        assert!(!said.iter().any(run_in), "{said:#?}");
        assert!(
            said.iter()
                .any(|s| s.contains("客户端 1 的") || s.contains("接收方 1 的")),
            "{said:#?}"
        );
    }
}

#[test]
fn numbered_hosts_take_no_article_in_english_narration() {
    for said in numbered_scenes_narration(crate::i18n::Lang::En) {
        let numbered = |s: &String, article: &str| {
            ["client", "server", "receiver", "sender"]
                .iter()
                .any(|w| (1..10).any(|n| s.contains(&format!("{article} {w} {n}"))))
        };
        assert!(
            !said
                .iter()
                .any(|s| numbered(s, "The") || numbered(s, "the") || s.contains("reaches host of")),
            "{said:#?}"
        );
        assert!(
            said.iter()
                .any(|s| s.starts_with("Client 1") || s.starts_with("Receiver 1")),
            "{said:#?}"
        );
    }
}

#[test]
fn every_colour_of_the_svg_stylesheets_is_a_token_the_export_writes_into_the_file() {
    use super::tokens::{vars_used, TOKENS};
    for (name, css) in [
        ("ladder", super::ladder::SVG_CSS),
        ("state diagram", super::state_diagram::SD_CSS),
    ] {
        let used = vars_used(css);
        assert!(used.len() > 10, "{name}: {used:?}");
        for v in used {
            assert!(
                TOKENS.contains(&v),
                "{name} uses {v}, which the export does not write"
            );
        }
        // One source: a hex colour here would not follow the theme.
        assert!(!css.contains('#'), "{name} has a colour of its own");
    }
}

#[test]
fn vars_used_reads_the_name_with_or_without_a_fallback() {
    let css = ".a{fill:var(--ink)} .b{stroke:var( --lost , red)}";
    assert_eq!(super::tokens::vars_used(css), ["--ink", "--lost"]);
}

#[test]
fn node_narration_of_a_tcp_close_relates_destroy_to_the_end_the_texts_teach() {
    use super::narration::sentence;
    use crate::i18n::{Api, Lang};
    use synack_model::presets::{self, Knobs, TeardownCase};
    let t = synack_model::simulate(&presets::teardown(
        &Knobs::default(),
        TeardownCase::ClientCloses,
    ))
    .unwrap();
    let isns = Isns::of_trace(&t);
    for lang in [Lang::Zh, Lang::En] {
        let said: Vec<String> = (0..t.events.len())
            .filter_map(|i| sentence(&t, &isns, i, lang, Api::Node))
            .collect();
        let close = said.iter().find(|s| s.contains("socket.destroy()"));
        let close = close.unwrap_or_else(|| panic!("{lang:?}: no close call in {said:#?}"));
        assert!(
            close.contains("socket.end()") && close.contains("close(2)"),
            "{close}"
        );
    }
}

#[test]
fn node_narration_of_a_write_past_the_high_water_mark_says_false_then_drain() {
    // The window scene's 200 KB write: in Node, socket.write() returns false at once (more
    // than the 16 KiB highWaterMark) and 'drain' comes when the kernel has taken the last
    // bytes, which is when the model's blocking send() returns (the send buffer grows with
    // cwnd, `tcp_sndbuf_expand`), rounds of ACKs after the call.
    use super::narration::sentence;
    use crate::i18n::{Api, Lang};
    use synack_model::presets::{self, Knobs, WindowCase};
    let t =
        synack_model::simulate(&presets::window(&Knobs::default(), WindowCase::SlowStart)).unwrap();
    let isns = Isns::of_trace(&t);
    for (lang, falsy, drain) in [
        (Lang::En, "returns false at once", "emits 'drain'"),
        (Lang::Zh, "立即返回 false", "触发 'drain' 事件"),
    ] {
        let said: Vec<(u64, String)> = (0..t.events.len())
            .filter_map(|i| sentence(&t, &isns, i, lang, Api::Node).map(|s| (t.events[i].t, s)))
            .collect();
        let call = said.iter().find(|(_, s)| s.contains(falsy));
        let back = said.iter().find(|(_, s)| s.contains(drain));
        let (Some(call), Some(back)) = (call, back) else {
            panic!("{lang:?}: {said:#?}");
        };
        assert!(back.0 > call.0 + 40_000, "{call:?} {back:?}");
        assert!(
            !said.iter().any(|(_, s)| s.contains("returns true")),
            "{said:#?}"
        );
    }
}

#[test]
fn a_stretched_ladder_keeps_its_header_and_draws_time_taller() {
    let l = Ladder::build(&handshake_trace(), None);
    let s = l.stretched(2.0);
    let top = super::layout::TOP_PX;
    // The header stays where it is; every y under it is twice as far from it.
    assert!((s.warp.y(0.0) - top).abs() < 1e-9);
    for (a, b) in l.arrows.iter().zip(&s.arrows) {
        assert_eq!(a.id, b.id, "the same arrows in the same order");
        assert!((b.y0 - (top + 2.0 * (a.y0 - top))).abs() < 1e-9);
        assert!((b.y1 - b.y0 - 2.0 * (a.y1 - a.y0)).abs() < 1e-9);
    }
    for (a, b) in l.states.iter().zip(&s.states) {
        assert!((b.y - (top + 2.0 * (a.y - top))).abs() < 1e-9);
    }
    // The warp agrees with the arrows, inside folds and past the last event, both ways.
    for t in [
        0.0,
        10_000.0,
        500_000.0,
        1_050_000.0,
        l.duration as f64 + 5_000.0,
    ] {
        let y = s.warp.y(t);
        assert!((y - (top + 2.0 * (l.warp.y(t) - top))).abs() < 1e-6, "{t}");
        assert!((s.warp.t(y) - t).abs() < 1e-3, "{t}");
    }
    for (a, b) in l.warp.folds.iter().zip(&s.warp.folds) {
        assert!((b.y1 - b.y0 - 2.0 * (a.y1 - a.y0)).abs() < 1e-9);
    }
    // The time axis doubles, the margin under the last event does not.
    let bottom = super::layout::BOTTOM_PX;
    assert!((s.height - l.height - (l.height - bottom - top)).abs() < 1e-9);
}

#[test]
fn a_fin_on_a_shaft_full_of_labels_keeps_its_flags() {
    // TCP vs UDP as the page opens it (20 ms, 20 % loss, seed 3): the client's last ACK, its
    // data and its FIN, PSH leave together on one shaft, drawn in the TCP column of a laptop
    // (411 px). The three places along the arrow went to the first two, and the FIN's label,
    // even its flags alone, was left out.
    let trace = tcp_vs_udp_at_20_ms("8", 20.0, 3);
    let l = Ladder::build(&trace, Some(synack_model::trace::Proto::Tcp));
    let isns = Isns::of_trace(&trace);
    let doc = web_sys::window().unwrap().document().unwrap();
    let g = doc
        .create_element_ns(Some("http://www.w3.org/2000/svg"), "g")
        .unwrap();
    for width in [411.0, 368.0, 600.0] {
        let markup = arrows_markup(
            &l,
            &isns,
            Geometry::new(width),
            Numbering::Relative,
            crate::i18n::Lang::En,
            &[],
        );
        g.set_inner_html(&markup);
        let fins = g
            .query_selector_all("g.seg[data-kind=fin]")
            .unwrap()
            .length();
        assert!(fins >= 2, "{width}: {fins} FINs");
        for kind in ["syn", "synack", "fin", "rst"] {
            let segs = g
                .query_selector_all(&format!("g.seg[data-kind={kind}]"))
                .unwrap();
            for i in 0..segs.length() {
                let seg: web_sys::Element =
                    wasm_bindgen::JsCast::dyn_into(segs.item(i).unwrap()).unwrap();
                let text = seg
                    .query_selector("text:not(.why):not(.opt)")
                    .unwrap()
                    .and_then(|t| t.text_content())
                    .unwrap_or_default();
                let flags = if kind == "synack" {
                    "SYN"
                } else {
                    &kind.to_uppercase()
                };
                assert!(
                    text.starts_with(flags),
                    "{width}: a {kind} arrow reads {text:?}"
                );
            }
        }
    }
}

#[test]
fn a_timer_is_narrated_by_its_timeout_and_the_wheels_firing_only_as_the_firing() {
    use super::narration::sentence;
    use super::narration::timer_title;
    use crate::i18n::{Api, Lang};
    use synack_model::presets::{self, HandshakeCase, TeardownCase};
    let first_timer = |t: &Trace, kind: TimerKind| {
        t.events
            .iter()
            .position(|e| matches!(e.kind, EventKind::TimerSet { timer, .. } if timer == kind))
            .unwrap()
    };
    let say =
        |t: &Trace, i: usize, lang: Lang| sentence(t, &Isns::of_trace(t), i, lang, Api::C).unwrap();
    // Linux: the SYN's RTO is TCP_TIMEOUT_INIT, 1 s; the wheel fires it at 1.016 s.
    let t = synack_model::simulate(&presets::handshake(
        &default_knobs(),
        HandshakeCase::SynLost,
    ))
    .unwrap();
    let i = first_timer(&t, TimerKind::Retransmit);
    assert_eq!(
        say(&t, i, Lang::En),
        "The client starts its retransmission timer (timeout 1 s; Linux's timer wheel fires it 16 ms late, after 1.016 s)."
    );
    assert_eq!(
        say(&t, i, Lang::Zh),
        "客户端启动重传定时器（超时 1 秒；Linux 的时间轮晚 16 毫秒，在 1.016 秒后才触发）。"
    );
    assert_eq!(
        timer_title(TimerKind::Retransmit, Some(1_000_000), 1_016_000, Lang::En),
        "retransmission timer: timeout 1 s; Linux's timer wheel fires it 16 ms late, after 1.016 s"
    );
    // TIME-WAIT asks for TCP_TIMEWAIT_LEN, 60 s, and fires a second later.
    let t = synack_model::simulate(&presets::teardown(
        &default_knobs(),
        TeardownCase::ClientCloses,
    ))
    .unwrap();
    let tw = say(&t, first_timer(&t, TimerKind::TimeWait), Lang::En);
    assert!(
        tw.contains("(timeout 60 s;") && tw.contains("1.024 s late, after 61.024 s"),
        "{tw}"
    );
    // The RFC textbook's timer fires on time: one number, as before.
    let k = synack_model::presets::Knobs {
        profile: synack_model::profile::ProfileId::Rfc,
        ..default_knobs()
    };
    let t = synack_model::simulate(&presets::handshake(&k, HandshakeCase::SynLost)).unwrap();
    let i = first_timer(&t, TimerKind::Retransmit);
    assert_eq!(
        say(&t, i, Lang::En),
        "The client starts its retransmission timer (1.000 s)."
    );
    assert_eq!(
        say(&t, i, Lang::Zh),
        "客户端启动重传定时器，1.000 秒后到期。"
    );
    // A lab recording knows only the time left: that is what it says.
    assert_eq!(
        timer_title(TimerKind::TimeWait, None, 59_000_000, Lang::En),
        "TIME-WAIT (2MSL) timer: expires after 59.000 s"
    );
}

#[test]
fn the_warm_up_draws_the_ladders_of_every_scene_run_one_loss_step_away() {
    use crate::scenes::warm::warm_up;
    for scene in crate::scenes::ALL {
        for loss in [0.0, params::LOSS_MAX_PCT] {
            let mut p = scene.base_params();
            p.loss_pct = loss;
            let near = Params {
                loss_pct: if loss == 0.0 { 1.0 } else { loss - 1.0 },
                ..p.clone()
            };
            let t = scene.run(&near, &Query::default()).unwrap();
            let protos = if scene.split_by_proto {
                vec![Some(Proto::Tcp), Some(Proto::Udp)]
            } else {
                vec![None]
            };
            let arrows: usize = protos
                .into_iter()
                .map(|proto| Ladder::build(&t, proto).arrows.len())
                .sum();
            let warmed = warm_up(scene, &p, &Query::default(), crate::i18n::Lang::Zh);
            assert_eq!(warmed, arrows, "{scene:?} loss {loss}");
            assert!(warmed > 0, "{scene:?} loss {loss}");
        }
    }
}
