//! A socket's way through the TCP states (RFC 9293 §3.3.2).

use crate::trace::{EventKind, Micros, SocketId, TcpState, Trace};

/// Every state change of the trace in order: (time, socket, from, to).
pub fn state_changes(
    trace: &Trace,
) -> impl Iterator<Item = (Micros, SocketId, TcpState, TcpState)> + '_ {
    trace.events.iter().filter_map(|e| match e.kind {
        EventKind::StateChanged { socket, from, to } => Some((e.t, socket, from, to)),
        _ => None,
    })
}

/// The states `socket` went through: the state it left first, then each state it entered.
/// Empty when it never changed state.
pub fn states_of(trace: &Trace, socket: SocketId) -> Vec<TcpState> {
    let mut v = Vec::new();
    for (_, s, from, to) in state_changes(trace) {
        if s == socket {
            if v.is_empty() {
                v.push(from);
            }
            v.push(to);
        }
    }
    v
}

/// "SYN-SENT → ESTABLISHED → FIN-WAIT-1" (RFC names), or "—" for no states.
pub fn path_text(states: &[TcpState]) -> String {
    if states.is_empty() {
        return "—".into();
    }
    states
        .iter()
        .map(|s| s.rfc_name())
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_reads_with_rfc_names_and_arrows() {
        use TcpState::*;
        assert_eq!(
            path_text(&[SynSent, Established, FinWait1]),
            "SYN-SENT → ESTABLISHED → FIN-WAIT-1"
        );
        assert_eq!(path_text(&[]), "—");
    }

    #[test]
    fn a_sockets_states_start_with_the_state_it_left_first() {
        let t = crate::simulate(&crate::presets::handshake(
            &crate::presets::Knobs::default(),
            crate::presets::HandshakeCase::Normal,
        ))
        .expect("the preset runs");
        let client = t.sockets.iter().find(|s| s.label == "client").unwrap().id;
        assert_eq!(
            states_of(&t, client),
            [TcpState::Closed, TcpState::SynSent, TcpState::Established]
        );
    }
}
