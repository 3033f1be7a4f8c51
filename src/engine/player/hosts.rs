//! The hosts' panels beside the diagram: per host, its sockets at the playhead with their
//! state, running timers, queues and window variables.

use yew::prelude::*;

use synack_model::trace::{Addr, Proto, Snapshot, SocketInfo, TcpState, Trace, WindowState};

use super::gauges::{timer_ring, QueueBar};
use crate::engine::labels::{Isns, Numbering};
use crate::engine::ladder::state_group;
use crate::engine::layout::Ladder;
use crate::engine::narration::localize_name;
use crate::engine::Shared;
use crate::i18n::{Lang, T};

/// The pill of a scripted peer's end (a scenario's `hosts[].script`), in place of a state.
const SCRIPTED: T = T::new("脚本", "script");

/// What the panels are drawn from. A plain function of it, not a component: its playhead
/// changes on every frame of playback, so a component's props check would never skip it.
pub struct Props {
    pub trace: Shared<Trace>,
    pub ladder: Shared<Ladder>,
    pub isns: Shared<Isns>,
    pub t: f64,
    pub numbering: Numbering,
    pub only: Option<Proto>,
    pub lang: Lang,
}

/// One panel per lane of the ladder, in the ladder's order.
pub fn view(p: &Props) -> Html {
    let (trace, ladder, t, lang) = (&*p.trace, &*p.ladder, p.t, p.lang);
    let snap = trace.view_at(t as u64);
    let states_now = ladder.states_at(t);
    let panels = ladder.lanes.iter().enumerate().map(|(lane, host)| {
        let (name, addr) = trace
            .hosts
            .iter()
            .find(|h| h.id == *host)
            .map(|h| (localize_name(&h.name, lang), h.addr.clone()))
            .unwrap_or_default();
        let socks = trace
            .sockets
            .iter()
            .filter(|s| s.host == *host && p.only.is_none_or(|o| o == s.proto))
            // A listener's children appear when they are created.
            .filter(|s| (s.created_us as f64) <= t || s.parent.is_none())
            .map(|s| {
                let state = snap
                    .sockets
                    .get(&s.id)
                    .and_then(|v| v.state)
                    .or_else(|| states_now.get(&s.id).map(|(_, st, _)| *st));
                socket_line(p, &snap, s, state)
            });
        html! {
            <div class={classes!("host-panel", format!("side-{}", lane.min(1)))} data-testid={format!("host-{lane}")}>
                <div class="host-name"><strong>{ name }</strong><span class="mono">{ format!(" {addr}") }</span></div>
                { for socks }
            </div>
        }
    });
    panels.collect()
}

/// Which direction's sequence space a number is in: the socket's own (`snd_*`) or its peer's
/// (`rcv_nxt`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    Out,
    In,
}

/// The window variables as the panel prints them; `number` numbers a value of a direction as
/// the ladder does (`None`: no ISN known for that direction). "—" where a number means nothing
/// yet. `rcv_nxt` means something once the peer's SYN has arrived, never in CLOSED, LISTEN or
/// SYN-SENT, where the model holds 0: relative to the peer's ISN that 0 wraps to 2^32 − ISN,
/// a plausible number whenever the ISN is above 2^31 (the window scene's client showed
/// rcv_nxt=1355499211 in SYN-SENT), so the state decides, not the number's size.
fn window_line(
    w: &WindowState,
    state: Option<TcpState>,
    number: impl Fn(Dir, u32) -> Option<u32>,
) -> String {
    let shown = |v: Option<u32>| v.map_or_else(|| "—".to_string(), |v| v.to_string());
    let peer_syn_in = !matches!(
        state,
        None | Some(TcpState::Closed | TcpState::Listen | TcpState::SynSent)
    );
    let una = shown(number(Dir::Out, w.snd_una));
    let nxt = shown(number(Dir::Out, w.snd_nxt));
    let rcv = shown(number(Dir::In, w.rcv_nxt).filter(|_| peer_syn_in));
    format!(
        "snd_una={una} snd_nxt={nxt} rcv_nxt={rcv} wnd={} cwnd={}",
        w.snd_wnd, w.cwnd
    )
}

/// A socket's line: label, state pill, running timers, queues and window variables.
fn socket_line(p: &Props, snap: &Snapshot, s: &SocketInfo, state: Option<TcpState>) -> Html {
    let (t, lang) = (p.t, p.lang);
    let view = snap.sockets.get(&s.id);
    let pill = match (s.proto, state) {
        // A scripted peer's end runs no TCP: it has no state to show.
        _ if s.scripted => html! { <span class="pill script">{ SCRIPTED.get(lang) }</span> },
        (Proto::Udp, _) => html! { <span class="pill udp">{"UDP"}</span> },
        (Proto::Tcp, Some(st)) => html! {
            <span class={classes!("pill", state_group(st))} data-state={st.rfc_name()}>{ st.rfc_name() }</span>
        },
        (Proto::Tcp, None) => {
            html! { <span class="pill g-closed">{ TcpState::Closed.rfc_name() }</span> }
        }
    };
    let timers = p
        .ladder
        .timers
        .iter()
        .filter(|x| x.socket == s.id && (x.set as f64) <= t && x.end.is_none_or(|e| (e as f64) > t))
        .map(|x| timer_ring(x, t, lang));
    let queues = view.into_iter().flat_map(|v| {
        v.queues
            .iter()
            .filter(|(_, (_, cap))| *cap > 0)
            .map(|(k, (len, cap))| html! { <QueueBar kind={*k} len={*len} cap={*cap} {lang} /> })
    });
    let win = view.and_then(|v| v.window).map(|w| {
        // Numbered like the ladder's labels (relative to each direction's ISN, unless the
        // viewer chose absolute numbers).
        let me = Addr {
            host: s.host,
            port: s.local_port,
        };
        let text = window_line(&w, state, |dir, v| match (s.remote, dir) {
            (Some(peer), Dir::Out) => p.isns.value(me, peer, v, p.numbering),
            (Some(peer), Dir::In) => p.isns.value(peer, me, v, p.numbering),
            (None, _) => Some(v),
        });
        html! { <span class="win mono">{ text }</span> }
    });
    html! {
        <div class="sock" data-testid={format!("sock-{}", s.id.0)}>
            <span class="sock-label">{ panel_label(s, lang) }</span>
            { pill }
            { for timers }
            { for queues }
            { for win }
        </div>
    }
}

/// A socket's label in its host's panel, with its port. A connection a listener made is called
/// so where its label is the scenarios' word for it ("conn", "tcp conn", "conn 2", "conn #2",
/// or the model's "server conn 3" while it waits in the queue), keeping its number when there
/// is one; a label the scenario chose is kept; a label that already ends with the port (a
/// capture's "client :41002") does not get it twice.
fn panel_label(s: &SocketInfo, lang: Lang) -> String {
    // The scenarios' and the model's own words for it; a label the scenario chose ("second")
    // is kept.
    let generic = s.label.split_whitespace().any(|w| w == "conn");
    let name = if s.parent.is_some() && generic {
        let word = match lang {
            Lang::Zh => "已连接套接字",
            Lang::En => "connection",
        };
        let n = s
            .label
            .rsplit_once(' ')
            .map(|(_, n)| n.trim_start_matches('#'));
        match n.filter(|n| n.parse::<u32>().is_ok()) {
            Some(n) => format!("{word} {n}"),
            None => word.to_string(),
        }
    } else {
        localize_name(&s.label, lang)
    };
    let port = format!(":{}", s.local_port);
    if name.ends_with(&port) {
        name
    } else {
        format!("{name} {port}")
    }
}

#[cfg(test)]
mod tests {
    use super::{panel_label, window_line, Dir};
    use crate::i18n::Lang;
    use synack_model::trace::{HostId, Proto, SocketId, SocketInfo, TcpState, WindowState};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn sock(label: &str, child: bool) -> SocketInfo {
        SocketInfo {
            id: SocketId(3),
            host: HostId(1),
            proto: Proto::Tcp,
            local_port: 80,
            remote: None,
            listener: false,
            parent: child.then_some(SocketId(1)),
            created_us: 0,
            scripted: false,
            label: label.into(),
        }
    }

    #[test]
    fn a_listeners_connection_is_named_so_in_both_languages_whatever_its_scenario_label() {
        // "tcp conn" (TCP vs UDP) and the model's "server conn 1" (in the accept queue) showed
        // as they were, in English on the Chinese page too.
        for (label, en, zh) in [
            ("conn", "connection :80", "已连接套接字 :80"),
            ("tcp conn", "connection :80", "已连接套接字 :80"),
            ("conn 2", "connection 2 :80", "已连接套接字 2 :80"),
            ("server conn 1", "connection 1 :80", "已连接套接字 1 :80"),
            ("conn #3", "connection 3 :80", "已连接套接字 3 :80"),
        ] {
            assert_eq!(panel_label(&sock(label, true), Lang::En), en, "{label}");
            assert_eq!(panel_label(&sock(label, true), Lang::Zh), zh, "{label}");
        }
        // A connection the scenario named keeps its name, as does a socket of its own.
        assert_eq!(panel_label(&sock("second", true), Lang::Zh), "second :80");
        assert_eq!(panel_label(&sock("server", false), Lang::Zh), "服务器 :80");
        assert_eq!(
            panel_label(&sock("tcp server", false), Lang::En),
            "TCP server :80"
        );
    }

    #[test]
    fn rcv_nxt_is_a_dash_until_the_peers_syn_has_arrived_whatever_the_peers_isn() {
        // The client in SYN-SENT holds rcv_nxt 0; numbered relative to a peer ISN above 2^31
        // it became 2^32 − ISN, which looked like a real number.
        let (own_isn, peer_isn) = (100_u32, 2_939_468_085_u32);
        let relative = |dir: Dir, v: u32| {
            Some(v.wrapping_sub(if dir == Dir::Out { own_isn } else { peer_isn }))
        };
        let w = |rcv_nxt| WindowState {
            snd_una: own_isn,
            snd_nxt: own_isn + 1,
            snd_wnd: 0,
            rcv_nxt,
            rcv_wnd: 65535,
            cwnd: 14600,
            ssthresh: u32::MAX,
            in_flight: 1,
            srtt_us: 0,
            rto_us: 1_000_000,
        };
        for state in [TcpState::SynSent, TcpState::Listen, TcpState::Closed] {
            assert_eq!(
                window_line(&w(0), Some(state), relative),
                "snd_una=0 snd_nxt=1 rcv_nxt=— wnd=0 cwnd=14600",
                "{state:?}"
            );
        }
        assert_eq!(
            window_line(&w(peer_isn + 1), Some(TcpState::Established), relative),
            "snd_una=0 snd_nxt=1 rcv_nxt=1 wnd=0 cwnd=14600"
        );
        // Absolute numbers: the same 0 means nothing either; a number without an ISN to count
        // from is a dash.
        assert_eq!(
            window_line(&w(0), Some(TcpState::SynSent), |_, v| Some(v)),
            "snd_una=100 snd_nxt=101 rcv_nxt=— wnd=0 cwnd=14600"
        );
        assert_eq!(
            window_line(&w(5), Some(TcpState::SynReceived), |_, _| None),
            "snd_una=— snd_nxt=— rcv_nxt=— wnd=0 cwnd=14600"
        );
    }
}
