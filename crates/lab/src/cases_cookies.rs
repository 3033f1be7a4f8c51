//! The cases of `tcp_syncookies = 2` (ip-sysctl.rst: "send out syncookies unconditionally"):
//! every SYN is answered with a cookie SYN-ACK and no request is kept (`tcp_conn_request`:
//! `want_cookie`, `inet_reqsk_free` after `tcp_v4_send_synack`); the ACK that returns the
//! cookie creates the connection (`cookie_v4_check`), whatever it carries.

use synack_model::profile::ProfileOverrides;
use synack_model::scenario::{Action, FaultRule, Scenario, SegmentMatch, Step};

/// The cases, in the order `compare all` and `record` run them.
pub const NAMES: [&str; 2] = ["syncookies-always", "syncookies-always-ack-lost"];

/// The scenario of case `name`: a handshake-normal-like exchange with tcp_syncookies 2.
pub fn scenario(name: &str) -> Option<Scenario> {
    let ms = |m: u64| m * 1000;
    let lost = match name {
        "syncookies-always" => false,
        "syncookies-always-ack-lost" => true,
        _ => return None,
    };
    let mut sc = crate::cases::scenario("handshake-normal")?;
    sc.name = format!("lab/{name}");
    sc.description = if lost {
        "tcp_syncookies=2 and the handshake's last ACK lost: the client's first data segment \
         carries the same acknowledgment, returns the cookie and creates the connection"
    } else {
        "tcp_syncookies=2: a cookie SYN-ACK (window scale and SACK kept in its timestamp), no \
         request kept, the final ACK makes the connection"
    }
    .into();
    sc.tuning = ProfileOverrides {
        syncookies: Some(true),
        syncookies_always: Some(true),
        ..ProfileOverrides::default()
    };
    for a in &mut sc.apps {
        if a.socket == "listener" {
            a.steps.push(Step::now(Action::Recv { max: 65_536 }));
        } else {
            a.steps.push(Step::at(ms(150), Action::send(5)));
        }
    }
    if lost {
        sc.faults
            .push(FaultRule::drop("client", SegmentMatch::PureAck, Some(1)));
    }
    Some(sc)
}
