//! Every step of every case has a paragraph, in two languages.

use std::ops::Range;

use synack_model::trace::{EventKind, Trace};

use crate::engine::teach::{is_key_step, paragraph, Row, Teach};
use crate::i18n::Lang;
use crate::route::Query;
use crate::scenes::{SceneDef, ALL};

/// Steps no row explains, and why: (scene id, case id or "" for all, what).
const NOT_EXPLAINED: &[(&str, &str, &str)] = &[];

/// `scene`'s table for `case`, as a scene page gives it to the player.
fn teach(scene: &SceneDef, case: &str) -> Teach {
    Teach {
        rows: scene.teach,
        case: case.to_string().into(),
        node: None,
    }
}

/// The trace of `case` at its scene's own defaults.
fn run_case(s: &SceneDef, case: &str) -> Trace {
    let mut p = s.base_params();
    p.case = case.to_string();
    s.run(&p, &Query::default()).expect("the case runs")
}

/// The moments of a trace as the player steps through them: each run of events at one time.
fn moments(trace: &Trace) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut first = 0;
    while first < trace.events.len() {
        let t = trace.events[first].t;
        let end = first + trace.events[first..].partition_point(|e| e.t == t);
        out.push(first..end);
        first = end;
    }
    out
}

#[test]
fn every_key_step_of_every_case_of_every_scene_finds_a_paragraph() {
    let mut missing = Vec::new();
    for s in ALL {
        for case in (s.cases)() {
            let trace = run_case(s, case);
            for (i, e) in trace.events.iter().enumerate() {
                if !is_key_step(&e.kind) {
                    continue;
                }
                let found = s
                    .teach
                    .iter()
                    .any(|r| r.for_case(case) && r.on.matches(&trace, i));
                if !found && !excepted(s.route.id(), case) {
                    missing.push(format!("{} {case} @{}: {:?}", s.route.id(), e.t, e.kind));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} steps without a paragraph:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

fn excepted(scene: &str, case: &str) -> bool {
    NOT_EXPLAINED
        .iter()
        .any(|(s, c, _)| *s == scene && (c.is_empty() || *c == case))
}

#[test]
fn every_paragraph_is_written_in_both_languages_and_they_differ() {
    for s in ALL {
        for r in s.teach {
            let (zh, en) = (r.text.get(Lang::Zh), r.text.get(Lang::En));
            assert!(
                !zh.trim().is_empty() && !en.trim().is_empty(),
                "{:?}: {r:?}",
                s.route
            );
            assert_ne!(zh, en, "{:?}", s.route);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{:?}: {zh}",
                s.route
            );
            assert!(
                en.is_ascii() || en.chars().all(|c| !('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{:?}: {en}",
                s.route
            );
        }
    }
}

#[test]
fn every_row_names_only_cases_its_scene_has_and_is_shown_somewhere() {
    for s in ALL {
        let cases = (s.cases)();
        for r in s.teach {
            for c in r.cases {
                assert!(
                    cases.contains(c),
                    "{:?}: unknown case {c} in {r:?}",
                    s.route
                );
            }
        }
        // Each row is the one shown at some moment of some case: otherwise it is text no one
        // ever reads (an earlier row always wins where it matches).
        let mut shown = vec![false; s.teach.len()];
        for case in &cases {
            let trace = run_case(s, case);
            for moment in moments(&trace) {
                if let Some(text) = paragraph(&teach(s, case), &trace, moment) {
                    let k = s
                        .teach
                        .iter()
                        .position(|r: &Row| r.text == text && r.for_case(case));
                    if let Some(k) = k {
                        shown[k] = true;
                    }
                }
            }
        }
        let never: Vec<_> = s
            .teach
            .iter()
            .zip(&shown)
            .filter(|(_, s)| !**s)
            .map(|(r, _)| r.text.en)
            .collect();
        assert!(
            never.is_empty(),
            "{:?}: rows never shown:\n{}",
            s.route,
            never.join("\n")
        );
    }
}

#[test]
fn a_moment_without_a_matching_row_shows_nothing() {
    let s = ALL
        .iter()
        .find(|s| s.route.id() == "handshake")
        .expect("the handshake scene");
    let p = s.base_params();
    let trace = s.run(&p, &Query::default()).expect("runs");
    // The accept() return of the normal handshake is told by the narration; no row is about
    // a call returning, so the moment of that event alone shows nothing.
    let i = trace
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::AppReturn { .. }))
        .expect("accept() returns");
    assert_eq!(paragraph(&teach(s, &p.case), &trace, i..i + 1), None);
    let syn = trace
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::SegmentSent { .. }))
        .expect("a SYN");
    assert!(paragraph(&teach(s, &p.case), &trace, syn..syn + 1).is_some());
}

#[test]
fn the_handshake_ack_and_the_ack_from_time_wait_get_different_paragraphs() {
    let s = ALL
        .iter()
        .find(|s| s.route.id() == "teardown")
        .expect("the teardown scene");
    let mut p = s.base_params();
    p.case = "last-ack-lost".into();
    let trace = s.run(&p, &Query::default()).expect("runs");
    let acks: Vec<usize> = (0..trace.events.len())
        .filter(|&i| match &trace.events[i].kind {
            EventKind::SegmentSent { segment, .. } => {
                synack_model::read::SegKind::of(segment) == synack_model::read::SegKind::Ack
                    && trace.hosts[segment.src.host.0 as usize].name == "client"
            }
            _ => false,
        })
        .collect();
    let moment = |i: usize| {
        let t = trace.events[i].t;
        let first = trace.events.partition_point(|e| e.t < t);
        let end = trace.events.partition_point(|e| e.t <= t);
        paragraph(&teach(s, &p.case), &trace, first..end).expect("a paragraph")
    };
    let (handshake, from_time_wait) = (moment(acks[0]), moment(*acks.last().expect("acks")));
    assert_ne!(handshake, from_time_wait);
    assert!(handshake.en.contains("handshake"), "{}", handshake.en);
    assert!(
        from_time_wait.en.contains("TIME-WAIT"),
        "{}",
        from_time_wait.en
    );
}

#[test]
fn every_moment_a_datagram_arrives_or_an_application_reads_has_a_paragraph_in_the_udp_scenes() {
    // In the scenes about datagrams, their arrival in a queue and the reads that take them out
    // are where boundaries, truncation, loss and order show: each needs its words.
    for s in ALL
        .iter()
        .filter(|s| ["udp", "tcp-vs-udp"].contains(&s.route.id()))
    {
        for case in (s.cases)() {
            let trace = run_case(s, case);
            for moment in moments(&trace) {
                let t = trace.events[moment.start].t;
                let matters = trace.events[moment.clone()].iter().any(|e| {
                    matches!(
                        e.kind,
                        EventKind::SegmentArrived { .. }
                            | EventKind::AppReturn {
                                result: synack_model::trace::AppResult::Data { .. },
                                ..
                            }
                    )
                });
                assert!(
                    !matters || paragraph(&teach(s, case), &trace, moment).is_some(),
                    "{} {case}: nothing explains the moment at {t} µs",
                    s.route.id()
                );
            }
        }
    }
}
