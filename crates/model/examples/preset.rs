//! Prints a preset's trace as text: `cargo run -p synack-model --example preset -- handshake normal`.
use synack_model::presets::{self, HandshakeCase, Knobs, TeardownCase};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let k = Knobs::default();
    let s = match (args.first().map(String::as_str), args.get(1)) {
        (Some("handshake"), Some(c)) => {
            presets::handshake(&k, HandshakeCase::from_id(c).expect("case"))
        }
        (Some("teardown"), Some(c)) => {
            presets::teardown(&k, TeardownCase::from_id(c).expect("case"))
        }
        (Some("backlog"), Some(c)) if c == "seed" => presets::backlog(
            &Knobs {
                latency_ms: 0.05,
                ..k.clone()
            },
            &presets::BacklogKnobs::real_capture(),
        ),
        (Some("backlog"), _) => presets::backlog(&k, &presets::BacklogKnobs::default()),
        (Some("sticky"), Some(c)) => presets::sticky(
            &k,
            presets::StickyCase::from_id(c).expect("case"),
            args.get(2)
                .and_then(|f| presets::StickyFix::from_id(f))
                .unwrap_or(presets::StickyFix::None),
        ),
        (Some("window"), Some(c)) => {
            presets::window(&k, presets::WindowCase::from_id(c).expect("case"))
        }
        (Some("udp"), Some(c)) => presets::udp(&k, presets::UdpCase::from_id(c).expect("case")),
        (Some("tcp-vs-udp"), n) => {
            presets::tcp_vs_udp(&k, n.and_then(|n| n.parse().ok()).unwrap_or(3))
        }
        (Some("file"), Some(path)) => synack_model::scenario::Scenario::from_json(
            &std::fs::read_to_string(path).expect("read"),
        )
        .expect("parse"),
        _ => {
            eprintln!(
                "usage: preset handshake|teardown <case> | tcp-vs-udp [n] | file <scenario.json>"
            );
            std::process::exit(2);
        }
    };
    let t = synack_model::simulate(&s).expect("simulate");
    print!("{}", synack_model::text::log(&t));
}
