//! Scripted peers: a host whose side of a TCP connection is written out segment by segment,
//! the way kernel TCP tests (packetdrill) script the remote end. At a given time the script
//! sends a segment with exactly these flags, sequence and acknowledgment numbers, window,
//! options and payload length; in between it states what the modelled stack must send back,
//! with `"*"` for "anything" and a time tolerance. The first expectation that fails stops the
//! run; the error names the line, the expected and the actual segment.
//!
//! Sequence numbers are relative, as in packetdrill and in `tcpdump`'s default output: the
//! script's own from its `isn`, the stack's from the ISN of the first SYN it sends. The window
//! is the raw 16-bit field (the receiver scales it by the shift the script's SYN announced,
//! RFC 7323 §2.3).

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::scenario::ScenarioError;
use crate::trace::{Micros, Segment, TcpFlags, TcpHeader, TcpOptions};

/// The script of one host (`hosts[].script`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerScript {
    /// The port the script's segments come from (and the stack's go to).
    pub port: u16,
    /// Where the script's segments go, "host:port". Optional when the stack speaks first
    /// (connects to the script): the address of its first segment is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The script's initial sequence number: its `seq` values are relative to it.
    #[serde(default)]
    pub isn: u32,
    /// How far an expected segment may arrive from the time its line names, unless the line
    /// gives its own (packetdrill's default tolerance is 4 ms too).
    #[serde(default = "default_tolerance")]
    pub tolerance_us: Micros,
    pub lines: Vec<ScriptLine>,
}

fn default_tolerance() -> Micros {
    4_000
}

/// One line: send a segment, or expect one. Its time is `at_us` (absolute) or `after_us`
/// past the previous line's time (a sent segment's send time, an expected one's arrival);
/// neither means "right after the previous line".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_us: Option<Micros>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_us: Option<Micros>,
    /// For `expect` with a time: this line's tolerance instead of the script's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance_us: Option<Micros>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send: Option<SegmentSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<SegmentSpec>,
}

/// A number, or `"*"`: anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pat<T> {
    Any,
    Is(T),
}

impl<T: PartialEq> Pat<T> {
    fn matches(&self, v: &T) -> bool {
        match self {
            Pat::Any => true,
            Pat::Is(x) => x == v,
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Pat<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        if v == "*" {
            return Ok(Pat::Any);
        }
        serde_json::from_value(v)
            .map(Pat::Is)
            .map_err(|e| D::Error::custom(format!("{e}, or \"*\" for any")))
    }
}

impl<T: Serialize> Serialize for Pat<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Pat::Any => s.serialize_str("*"),
            Pat::Is(v) => v.serialize(s),
        }
    }
}

/// A segment to send or to expect. In `send`, a missing `seq` is the script's next sequence
/// number and a missing `ack` acknowledges everything the stack has sent so far; in
/// `expect`, a missing field matches anything (as `"*"` does).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSpec {
    /// `S` SYN, `F` FIN, `R` RST, `P` PSH, `.` ACK, as tcpdump prints them: `"S"`, `"S."`,
    /// `"."`, `"P."`, `"F."`, `"R"`. In `expect`, `"*"` matches any flags.
    pub flags: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<Pat<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack: Option<Pat<u32>>,
    /// The raw 16-bit window field. `send` default: 65535.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub win: Option<Pat<u16>>,
    /// Payload bytes. `send` default: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub len: Option<Pat<u32>>,
    /// `send`: the options to put in. `expect`: the options the segment must carry, exactly
    /// (absent: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<OptionsSpec>,
}

/// TCP options as a script writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    /// The shift count (RFC 7323 §2.3: 0..=14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_scale: Option<u8>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sack_permitted: bool,
    /// Timestamps present (RFC 7323 §3). Sent with TSval = the script's clock in
    /// milliseconds and TSecr = the last TSval the stack sent; expected: present, any value.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub timestamps: bool,
    /// `send` only: timestamps with this TSval instead of the clock's (an old one, to test
    /// PAWS, RFC 7323 §5); implies `timestamps`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tsval: Option<u32>,
    /// SACK blocks `[left, right)`, relative to the stack's ISN (RFC 2018).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sack: Vec<(u32, u32)>,
}

impl OptionsSpec {
    /// Option bytes on the wire, padded to 4 as Linux lays them out (NOPs).
    fn wire_bytes(&self) -> u32 {
        let mut n = 0;
        if self.mss.is_some() {
            n += 4;
        }
        if self.window_scale.is_some() {
            n += 4; // NOP + 3
        }
        n += match (self.sack_permitted, self.timestamps || self.tsval.is_some()) {
            (true, true) => 12, // SACK-permitted packed with timestamps
            (false, true) => 12,
            (true, false) => 4,
            (false, false) => 0,
        };
        if !self.sack.is_empty() {
            n += 4 + 8 * self.sack.len() as u32; // NOP NOP kind len + blocks
        }
        n
    }

    fn of(o: &TcpOptions, stack_isn: u32) -> OptionsSpec {
        OptionsSpec {
            mss: o.mss,
            window_scale: o.window_scale,
            sack_permitted: o.sack_permitted,
            timestamps: o.timestamps.is_some(),
            tsval: None,
            sack: o
                .sack
                .iter()
                .map(|&(l, r)| (l.wrapping_sub(stack_isn), r.wrapping_sub(stack_isn)))
                .collect(),
        }
    }
}

/// Parsed flags: SYN, ACK, FIN, RST, PSH.
fn parse_flags(s: &str) -> Result<TcpFlags, String> {
    let mut f = TcpFlags::default();
    for c in s.chars() {
        let bit = match c {
            'S' => &mut f.syn,
            '.' => &mut f.ack,
            'F' => &mut f.fin,
            'R' => &mut f.rst,
            'P' => &mut f.psh,
            _ => {
                return Err(format!(
                    "\"{s}\": '{c}' is no flag (S SYN, F FIN, R RST, P PSH, . ACK)"
                ))
            }
        };
        if *bit {
            return Err(format!("\"{s}\": '{c}' twice"));
        }
        *bit = true;
    }
    Ok(f)
}

fn flags_text(f: TcpFlags) -> String {
    let mut s = String::new();
    for (on, c) in [
        (f.syn, 'S'),
        (f.fin, 'F'),
        (f.rst, 'R'),
        (f.psh, 'P'),
        (f.ack, '.'),
    ] {
        if on {
            s.push(c);
        }
    }
    s
}

fn same_flags(a: TcpFlags, b: TcpFlags) -> bool {
    (a.syn, a.ack, a.fin, a.rst, a.psh) == (b.syn, b.ack, b.fin, b.rst, b.psh)
}

/// The time a line names, given the previous line's time.
fn line_time(l: &ScriptLine, prev: Micros) -> Micros {
    match (l.at_us, l.after_us) {
        (Some(at), _) => at,
        (None, Some(after)) => prev + after,
        (None, None) => prev,
    }
}

/// Checks a script before the run: every line is one of send/expect, flags are flags and
/// not contradictory, options fit and are ones the stack can read, times never go backwards.
/// `at` is the script's path in the scenario (`hosts[1].script`).
pub fn validate(s: &PeerScript, at: &str) -> Result<(), ScenarioError> {
    use crate::scenario::ranges::{TIME_US, WINDOW_SCALE};
    let bad = |field: String, why: String| ScenarioError::Invalid(format!("{field}: {why}"));
    if !TIME_US.contains(&s.tolerance_us) {
        return Err(ScenarioError::OutOfRange {
            field: format!("{at}.tolerance_us"),
            value: s.tolerance_us.to_string(),
            range: format!("{}..={}", TIME_US.start(), TIME_US.end()),
        });
    }
    let mut last_at: Option<(usize, Micros)> = None;
    for (i, l) in s.lines.iter().enumerate() {
        let here = format!("{at}.lines[{i}]");
        for (name, v) in [
            ("at_us", l.at_us),
            ("after_us", l.after_us),
            ("tolerance_us", l.tolerance_us),
        ] {
            if let Some(v) = v {
                if !TIME_US.contains(&v) {
                    return Err(ScenarioError::OutOfRange {
                        field: format!("{here}.{name}"),
                        value: v.to_string(),
                        range: format!("{}..={}", TIME_US.start(), TIME_US.end()),
                    });
                }
            }
        }
        if l.at_us.is_some() && l.after_us.is_some() {
            return Err(bad(
                here,
                "give at_us (absolute) or after_us (after the previous line), not both".into(),
            ));
        }
        if let Some(t) = l.at_us {
            if let Some((j, prev)) = last_at {
                if t < prev {
                    return Err(bad(
                        format!("{here}.at_us"),
                        format!("time goes backwards: {t} µs comes after line {j}'s {prev} µs"),
                    ));
                }
            }
            last_at = Some((i, t));
        }
        let (spec, send) = match (&l.send, &l.expect) {
            (Some(s), None) => (s, true),
            (None, Some(e)) => (e, false),
            _ => {
                return Err(bad(
                    here,
                    "a line is either {\"send\": …} or {\"expect\": …}".into(),
                ))
            }
        };
        let here = format!("{here}.{}", if send { "send" } else { "expect" });
        if send || spec.flags != "*" {
            let f = parse_flags(&spec.flags).map_err(|e| bad(format!("{here}.flags"), e))?;
            if f.syn && f.rst {
                return Err(bad(
                    format!("{here}.flags"),
                    format!(
                        "\"{}\": SYN and RST in one segment contradict each other",
                        spec.flags
                    ),
                ));
            }
            if send && !f.syn && !f.ack && !f.rst {
                return Err(bad(
                    format!("{here}.flags"),
                    format!(
                        "\"{}\": a segment other than a SYN or a RST must carry ACK ('.'; RFC 9293 §3.10.7.4)",
                        spec.flags
                    ),
                ));
            }
        }
        if send {
            for (name, any) in [
                ("seq", matches!(spec.seq, Some(Pat::Any))),
                ("ack", matches!(spec.ack, Some(Pat::Any))),
                ("win", matches!(spec.win, Some(Pat::Any))),
                ("len", matches!(spec.len, Some(Pat::Any))),
            ] {
                if any {
                    return Err(bad(
                        format!("{here}.{name}"),
                        "\"*\" only matches in expect; a sent segment needs a value".into(),
                    ));
                }
            }
            if let Some(Pat::Is(n)) = spec.len {
                if n > 65_495 {
                    return Err(ScenarioError::OutOfRange {
                        field: format!("{here}.len"),
                        value: n.to_string(),
                        range: "0..=65495".into(),
                    });
                }
            }
        }
        if let Some(o) = &spec.options {
            if let Some(ws) = o.window_scale {
                if !WINDOW_SCALE.contains(&ws) {
                    return Err(ScenarioError::OutOfRange {
                        field: format!("{here}.options.window_scale"),
                        value: ws.to_string(),
                        range: "0..=14 (RFC 7323 §2.3)".into(),
                    });
                }
            }
            if o.mss == Some(0) {
                return Err(ScenarioError::OutOfRange {
                    field: format!("{here}.options.mss"),
                    value: "0".into(),
                    range: "1..=65535".into(),
                });
            }
            if send {
                let syn = spec.flags.contains('S');
                for (name, on) in [
                    ("mss", o.mss.is_some()),
                    ("window_scale", o.window_scale.is_some()),
                    ("sack_permitted", o.sack_permitted),
                ] {
                    if on && !syn {
                        return Err(bad(
                            format!("{here}.options.{name}"),
                            "only a SYN may carry it (RFC 9293 §3.2, RFC 7323 §2.2, RFC 2018 §2)"
                                .into(),
                        ));
                    }
                }
                let bytes = o.wire_bytes();
                if bytes > 40 {
                    return Err(bad(
                        format!("{here}.options"),
                        format!(
                            "{bytes} bytes of options; a TCP header has room for 40 ({} SACK blocks at most{})",
                            if o.timestamps { 3 } else { 4 },
                            if o.timestamps { " beside timestamps" } else { "" }
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// What went wrong with a script at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptFailure {
    pub host: String,
    /// Index into `lines`.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ScriptFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "script of \"{}\", lines[{}]: {}",
            self.host, self.line, self.message
        )
    }
}

/// A segment in the script's relative numbers, for messages: `S. seq=0 ack=1 win=65535
/// len=0 <mss 1460,sackOK,TS,wscale 7>`.
pub fn describe(seg: &Segment, seq_base: u32, ack_base: u32) -> String {
    let crate::trace::Header::Tcp(h) = &seg.header else {
        return "a UDP datagram".into();
    };
    let mut s = format!(
        "{} seq={} ",
        flags_text(h.flags),
        h.seq.wrapping_sub(seq_base)
    );
    if h.flags.ack {
        s += &format!("ack={} ", h.ack.wrapping_sub(ack_base));
    }
    s += &format!("win={} len={}", h.window, seg.payload_len);
    let o = OptionsSpec::of(&h.options, ack_base);
    let o_text = options_text(&o);
    if !o_text.is_empty() {
        s += &format!(" <{o_text}>");
    }
    s
}

fn options_text(o: &OptionsSpec) -> String {
    let mut parts = Vec::new();
    if let Some(m) = o.mss {
        parts.push(format!("mss {m}"));
    }
    if o.sack_permitted {
        parts.push("sackOK".into());
    }
    match o.tsval {
        Some(v) => parts.push(format!("TS val {v}")),
        None if o.timestamps => parts.push("TS".into()),
        None => {}
    }
    if let Some(w) = o.window_scale {
        parts.push(format!("wscale {w}"));
    }
    for (l, r) in &o.sack {
        parts.push(format!("sack {l}:{r}"));
    }
    parts.join(",")
}

fn pat_text<T: std::fmt::Display>(p: &Option<Pat<T>>) -> String {
    match p {
        None | Some(Pat::Any) => "*".into(),
        Some(Pat::Is(v)) => v.to_string(),
    }
}

fn expected_text(e: &SegmentSpec) -> String {
    let mut s = format!(
        "{} seq={} ack={} win={} len={}",
        e.flags,
        pat_text(&e.seq),
        pat_text(&e.ack),
        pat_text(&e.win),
        pat_text(&e.len)
    );
    if let Some(o) = &e.options {
        s += &format!(" <{}>", options_text(o));
    }
    s
}

/// A script while it runs: where it is and what it learned of the stack. The model's event
/// loop (`sim::peer`) drives it, and so does `synack-lab`, which plays the script against the
/// real kernel through a TUN device: one expectation checker for both.
#[derive(Clone, Debug)]
pub struct PeerRun {
    pub host_name: String,
    pub local: crate::trace::Addr,
    pub remote: Option<crate::trace::Addr>,
    /// Its entry in the trace's socket list.
    pub socket: crate::trace::SocketId,
    pub script: PeerScript,
    /// The next line to run.
    pub pc: usize,
    /// The previous line's time (send time or arrival time).
    pub prev_t: Micros,
    /// The stack's ISN, from its first SYN.
    pub stack_isn: Option<u32>,
    /// The script's next relative sequence number.
    pub snd_nxt: u32,
    /// Relative: everything the stack has sent up to here (the default `ack`).
    pub rcv_nxt: u32,
    /// The last TSval the stack sent (echoed as TSecr).
    pub ts_recent: u32,
    /// A send is waiting in the event queue.
    pub scheduled: bool,
    pub failed: bool,
}

impl PeerRun {
    pub fn new(host_name: String, local: crate::trace::Addr, script: PeerScript) -> PeerRun {
        PeerRun {
            host_name,
            local,
            remote: None,
            socket: crate::trace::SocketId(0),
            script,
            pc: 0,
            prev_t: 0,
            stack_isn: None,
            snd_nxt: 0,
            rcv_nxt: 0,
            ts_recent: 0,
            scheduled: false,
            failed: false,
        }
    }

    pub fn fail(&mut self, line: usize, message: String) -> ScriptFailure {
        self.failed = true;
        ScriptFailure {
            host: self.host_name.clone(),
            line,
            message,
        }
    }

    /// The time the current line names (for a send: when it goes).
    pub fn current_time(&self) -> Option<Micros> {
        self.script
            .lines
            .get(self.pc)
            .map(|l| line_time(l, self.prev_t))
    }

    /// Builds the segment of the current `send` line at `now` and moves on.
    pub fn take_send(&mut self, now: Micros) -> Result<Segment, ScriptFailure> {
        let i = self.pc;
        let l = self.script.lines[i].clone();
        let spec = l.send.as_ref().expect("take_send is called on send lines");
        let Some(remote) = self.remote else {
            return Err(self.fail(
                i,
                "nowhere to send: give the script a \"remote\" (\"host:port\"), or let the stack speak first".into(),
            ));
        };
        let flags = parse_flags(&spec.flags).map_err(|e| self.fail(i, e))?;
        let seq_rel = match spec.seq {
            Some(Pat::Is(v)) => v,
            _ => self.snd_nxt,
        };
        let ack_rel = match spec.ack {
            Some(Pat::Is(v)) => v,
            _ => self.rcv_nxt,
        };
        let ack = if flags.ack {
            match self.stack_isn {
                Some(isn) => isn.wrapping_add(ack_rel),
                None => {
                    return Err(self.fail(
                        i,
                        "ACK set, but the stack has sent no SYN yet, so there is no ISN to acknowledge relative to".into(),
                    ))
                }
            }
        } else {
            0
        };
        let len = match spec.len {
            Some(Pat::Is(v)) => v,
            _ => 0,
        };
        let win = match spec.win {
            Some(Pat::Is(v)) => v,
            _ => 65_535,
        };
        let o = spec.options.clone().unwrap_or_default();
        let stack_isn = self.stack_isn.unwrap_or(0);
        let options = TcpOptions {
            mss: o.mss,
            window_scale: o.window_scale,
            sack_permitted: o.sack_permitted,
            timestamps: match o.tsval {
                Some(v) => Some((v, self.ts_recent)),
                None => o
                    .timestamps
                    .then_some(((now / 1000) as u32, self.ts_recent)),
            },
            sack: o
                .sack
                .iter()
                .map(|&(l, r)| (stack_isn.wrapping_add(l), stack_isn.wrapping_add(r)))
                .collect(),
            // A script names options, not their layout: the order is not recorded.
            order: Vec::new(),
        };
        let header_len = 20 + o.wire_bytes();
        let end = seq_rel
            .wrapping_add(len)
            .wrapping_add(flags.syn as u32 + flags.fin as u32);
        // The script's next sequence number follows what it sent, unless this was an old
        // sequence number (a probe, a retransmission): then it stays where it was.
        if end.wrapping_sub(self.snd_nxt) as i32 > 0 {
            self.snd_nxt = end;
        }
        self.prev_t = now;
        self.pc += 1;
        Ok(Segment {
            src: self.local,
            dst: remote,
            header: crate::trace::Header::Tcp(TcpHeader {
                seq: self.script.isn.wrapping_add(seq_rel),
                ack,
                flags,
                window: win,
                header_len: header_len as u8,
                options,
            }),
            payload_len: len,
            payload: Vec::new(),
            wire_len: crate::tcp::socket::IP_HEADER + header_len + len,
            retransmission: 0,
            network_duplicate: false,
        })
    }

    /// A segment from the stack reached the script at `now`: it must be what the current
    /// line expects.
    pub fn receive(&mut self, seg: &Segment, now: Micros) -> Result<(), ScriptFailure> {
        let crate::trace::Header::Tcp(h) = &seg.header else {
            return Ok(()); // a script speaks TCP; UDP to it is dropped by the caller
        };
        if self.pc >= self.script.lines.len() && !self.script.lines.is_empty() {
            // Like packetdrill: once the last line has run, the test is over; what the stack
            // sends after it (its ACK of the last segment, a later retransmission) is not
            // judged.
            return Ok(());
        }
        if self.remote.is_none() {
            self.remote = Some(seg.src);
        }
        if h.flags.syn && self.stack_isn.is_none() {
            self.stack_isn = Some(h.seq);
        }
        if let Some((tsval, _)) = h.options.timestamps {
            self.ts_recent = tsval;
        }
        let stack_isn = self.stack_isn.unwrap_or(h.seq);
        let end = h
            .seq
            .wrapping_sub(stack_isn)
            .wrapping_add(seg.payload_len)
            .wrapping_add(h.flags.syn as u32 + h.flags.fin as u32);
        if end.wrapping_sub(self.rcv_nxt) as i32 > 0 {
            self.rcv_nxt = end;
        }
        let actual = describe(seg, stack_isn, self.script.isn);
        let i = self.pc;
        let Some(line) = self.script.lines.get(i).cloned() else {
            return Err(self.fail(
                i.saturating_sub(1),
                format!("the script has ended, but the stack sent {actual} at {now} µs"),
            ));
        };
        let Some(e) = &line.expect else {
            let when = line_time(&line, self.prev_t);
            return Err(self.fail(
                i,
                format!(
                    "the stack sent {actual} at {now} µs, before this line's send at {when} µs (expected nothing)"
                ),
            ));
        };
        let mut wrong = Vec::new();
        if e.flags != "*" {
            let want = parse_flags(&e.flags).map_err(|m| self.fail(i, m))?;
            if !same_flags(want, h.flags) {
                wrong.push("flags");
            }
        }
        if !e
            .seq
            .unwrap_or(Pat::Any)
            .matches(&h.seq.wrapping_sub(stack_isn))
        {
            wrong.push("seq");
        }
        let ack_rel = h.ack.wrapping_sub(self.script.isn);
        if !e.ack.unwrap_or(Pat::Any).matches(&ack_rel) {
            wrong.push("ack");
        }
        if !e.win.unwrap_or(Pat::Any).matches(&h.window) {
            wrong.push("win");
        }
        if !e.len.unwrap_or(Pat::Any).matches(&seg.payload_len) {
            wrong.push("len");
        }
        if let Some(o) = &e.options {
            if *o != OptionsSpec::of(&h.options, stack_isn) {
                wrong.push("options");
            }
        }
        let has_time = line.at_us.is_some() || line.after_us.is_some();
        let when = line_time(&line, self.prev_t);
        let tol = line.tolerance_us.unwrap_or(self.script.tolerance_us);
        if has_time && now.abs_diff(when) > tol {
            wrong.push("time");
        }
        if !wrong.is_empty() {
            let at = if has_time {
                format!(" at {when} µs (±{tol})")
            } else {
                String::new()
            };
            return Err(self.fail(
                i,
                format!(
                    "expected {}{at}, got {actual} at {now} µs (differs in {})",
                    expected_text(e),
                    wrong.join(", ")
                ),
            ));
        }
        self.prev_t = now;
        self.pc += 1;
        Ok(())
    }

    /// The run ended: a line still waiting is an error.
    pub fn at_end(&mut self, now: Micros) -> Result<(), ScriptFailure> {
        let i = self.pc;
        match self.script.lines.get(i).cloned() {
            None => Ok(()),
            Some(l) => match &l.expect {
                Some(e) => Err(self.fail(
                    i,
                    format!(
                        "expected {}, but nothing more came (the run ended at {now} µs)",
                        expected_text(e)
                    ),
                )),
                None => Err(self.fail(i, format!("the run ended at {now} µs before this send"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_as_tcpdump_prints_them() {
        let f = parse_flags("S.").unwrap();
        assert!(f.syn && f.ack && !f.fin);
        assert_eq!(flags_text(parse_flags("P.").unwrap()), "P.");
        assert!(parse_flags("SX").unwrap_err().contains("'X' is no flag"));
        assert!(parse_flags("SS").unwrap_err().contains("twice"));
    }

    #[test]
    fn a_wildcard_reads_and_writes_as_a_star() {
        let s: SegmentSpec =
            serde_json::from_str(r#"{"flags": ".", "seq": "*", "ack": 1}"#).unwrap();
        assert_eq!(s.seq, Some(Pat::Any));
        assert_eq!(s.ack, Some(Pat::Is(1)));
        assert!(serde_json::to_string(&s).unwrap().contains(r#""seq":"*""#));
        let e = serde_json::from_str::<SegmentSpec>(r#"{"flags": ".", "seq": "x"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("or \"*\" for any"), "{e}");
    }
}
