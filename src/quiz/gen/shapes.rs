//! The question shapes several items share: the next segment on the wire, the next state of a
//! socket, a number to type.

use synack_model::read::flag_names;
use synack_model::trace::{SocketId, TcpState, Trace};

use super::read::{before, first_after, seg_text, sent, sock, tcp, transition};
use super::{place, Answer, Ctx, Draft, NextState};
use crate::engine::narration::{host_name, socket_name};
use crate::texts::{tx, Tx};

pub(super) const TEXTS: &[(&str, Tx)] = &[
    (
        "shape.next-segment",
        tx(
            "接下来线路上出现的报文是？",
            "What is the next segment on the wire?",
        ),
    ),
    (
        "shape.next-state",
        tx(
            "{who}现在是 {from}，下一个状态是？",
            "The {who} is in {from}. Which state does it enter next?",
        ),
    ),
];

/// "What is the next segment on the wire?" paused just before the first segment after `after`.
pub(super) fn next_segment(
    tr: &Trace,
    cx: &Ctx,
    after: u64,
    lead: &str,
    why: String,
) -> Option<Draft> {
    let all = sent(tr);
    let s = first_after(&all, after)?;
    let right = seg_text(tr, s.seg, cx.lang);
    let (a, b) = (
        host_name(tr, s.seg.src.host, cx.lang),
        host_name(tr, s.seg.dst.host, cx.lang),
    );
    let flags = tcp(s.seg)
        .map(|h| flag_names(h.flags))
        .unwrap_or_else(|| "UDP".into());
    const POOL: [&str; 6] = ["SYN, ACK", "ACK", "FIN, ACK", "RST", "SYN", "PSH, ACK"];
    let mut wrong = vec![format!("{b} → {a}: {flags}")];
    for k in 0..POOL.len() {
        wrong.push(format!(
            "{a} → {b}: {}",
            POOL[(cx.v as usize + k) % POOL.len()]
        ));
    }
    let (choices, c) = place(right, wrong, cx.v);
    Some(Draft {
        pause_us: Some(before(tr, s.t)),
        prompt: cx.join(lead, cx.t("shape.next-segment")),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: why,
    })
}

/// [`next_segment`] after the first segment lost on the way, paused when it was dropped.
pub(super) fn next_after_loss(tr: &Trace, cx: &Ctx, lead: &str, why: &str) -> Option<Draft> {
    let all = sent(tr);
    let lost = all.iter().find(|s| s.fate.is_some_and(|f| !f.1))?;
    next_segment(tr, cx, lost.fate?.0, lead, why.into())
}

/// "Which state does X enter next?" paused just before the transition.
pub(super) fn next_state(
    tr: &Trace,
    cx: &Ctx,
    (t, socket, from, to): (u64, SocketId, TcpState, TcpState),
    lead: &str,
    why: &str,
) -> Option<Draft> {
    // The states a connection passes through after LISTEN, in the model's order, CLOSED last:
    // wrong answers are taken from the neighbours of the right one.
    let near: Vec<TcpState> = TcpState::ALL[2..]
        .iter()
        .copied()
        .chain([TcpState::Closed])
        .collect();
    let i = near.iter().position(|s| *s == to).unwrap_or(0);
    let wrong: Vec<String> = [i + 1, i + 9, i + 2, i + 8, i + 3]
        .iter()
        .map(|k| near[k % near.len()])
        .filter(|s| *s != from)
        .map(|s| s.rfc_name().to_string())
        .collect();
    let (choices, c) = place(to.rfc_name().into(), wrong, cx.v);
    let who = socket_name(tr, socket, cx.lang);
    let q = cx.fill("shape.next-state", &[("who", &who), ("from", &from)]);
    Some(Draft {
        pause_us: Some(before(tr, t)),
        prompt: cx.join(lead, &q),
        choices,
        answer: Answer::Choice(c),
        unit: "",
        explain: why.into(),
    })
}

pub(super) fn typed(
    pause: u64,
    prompt: String,
    n: u64,
    unit: &'static str,
    explain: String,
) -> Draft {
    Draft {
        pause_us: Some(pause),
        prompt,
        choices: Vec::new(),
        answer: Answer::Number(n),
        unit,
        explain,
    }
}

/// The data row `n` of item `id` asked as [`next_state`]: the socket's first change out of
/// `n.from`; its lead and explanation are the item's texts in the quiz file.
pub(super) fn next_state_row(tr: &Trace, cx: &Ctx, id: &str, n: &NextState) -> Option<Draft> {
    let socket = sock(tr, n.socket)?;
    let change = transition(tr, |s, from| s == socket && from == n.from)?;
    let (lead, why) = (cx.t(&format!("{id}.lead")), cx.t(&format!("{id}.why")));
    next_state(tr, cx, change, lead, why)
}
