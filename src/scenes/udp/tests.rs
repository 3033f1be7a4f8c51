//! The UDP scene: what was sent and what each recvfrom() returned.

use synack_model::presets::{self, Knobs, UdpCase};
use synack_model::trace::Trace;

use super::analysis::*;

fn run(id: &str) -> Trace {
    let case = UdpCase::from_id(id).expect("a UDP case");
    synack_model::simulate(&presets::udp(&Knobs::default(), case)).unwrap()
}

#[test]
fn each_recvfrom_is_one_whole_datagram() {
    let g = received(&run("boundaries"));
    let v: Vec<_> = g
        .iter()
        .map(|g| (g.label.as_str(), g.len, g.truncated))
        .collect();
    assert_eq!(v, [("msg 1", 20, 0), ("msg 2", 35, 0), ("msg 3", 50, 0)]);
}

#[test]
fn truncation_keeps_the_head_and_counts_the_rest() {
    let g = received(&run("truncation"));
    assert_eq!(g.len(), 2);
    assert!(g
        .iter()
        .all(|g| g.len == 10 && g.truncated == 20 && g.msg_len == 30));
    assert_eq!(
        g[1].label, "msg 2",
        "the next read starts on the next datagram"
    );
}

#[test]
fn loss_duplicate_and_reordering_are_marked() {
    let t = run("unreliable");
    let g = received(&t);
    let v: Vec<_> = g
        .iter()
        .map(|g| (g.label.as_str(), g.duplicate, g.out_of_order))
        .collect();
    assert_eq!(
        v,
        [
            ("msg 1", false, false),
            ("msg 3", false, false),
            ("msg 3", true, false),
            ("msg 5", false, false),
            ("msg 4", false, true),
        ]
    );
    let s = sent(&t);
    let lost: Vec<_> = s
        .iter()
        .filter(|s| s.lost.is_some())
        .map(|s| s.label.as_str())
        .collect();
    assert_eq!(lost, ["msg 2"]);
    assert_eq!(s.iter().filter(|s| s.copy).count(), 1);
}

#[test]
fn many_senders_and_multicast_members() {
    let g = received(&run("many-senders"));
    let froms: std::collections::BTreeSet<_> = g.iter().filter_map(|g| g.from).collect();
    assert_eq!(froms.len(), 3, "three senders, one socket");
    let t = run("multicast");
    let g = received(&t);
    let sockets: std::collections::BTreeSet<_> = g.iter().map(|g| g.socket).collect();
    assert_eq!(
        (g.len(), sockets.len()),
        (6, 3),
        "each member gets each message"
    );
    assert!(g.iter().all(|g| !g.duplicate && !g.out_of_order));
    assert_eq!(sent(&t).len(), 4, "one copy per member host");
}

#[test]
fn unknown_case_falls_back_to_boundaries() {
    let params = crate::engine::params::Params::defaults("nope");
    let nope = (super::SCENE.scenario)(&Knobs::default(), &params, &Default::default());
    let nope = synack_model::simulate(&nope).unwrap();
    assert_eq!(received(&nope).len(), received(&run("boundaries")).len());
}
