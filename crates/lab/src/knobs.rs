//! Every field of the model's profile (`synack_model::profile::Profile`), and how the lab sets
//! it on the kernel: one row per field, in one table ([`KNOBS`]). A scenario's `tuning` may
//! name a field whose row says how to set it; any other field is refused with the row's
//! reason, so a run never claims a setting the kernel did not have. A field added to the
//! profile fails `every_profile_field_has_exactly_one_row` until it has its row here.
//!
//! The ways a field reaches the kernel:
//! - a sysctl of the namespace (`/proc/sys/net/...`), written in both namespaces: each has its
//!   own copy, so nothing on the host changes, and each host's own `hosts[i].tuning` goes into
//!   its namespace alone;
//! - a metric of the route to the peer (`ip route replace … initcwnd N`, rtnetlink's
//!   RTA_METRICS), in both namespaces: per route, so per namespace too;
//! - a module parameter (`/sys/module/tcp_cubic/parameters/…`): global, shared with every other
//!   namespace and program on the machine, so it is set for the run and restored after it,
//!   also on an error and on Ctrl-C (`ModuleGuard`, `sys::signal::restore_on_exit`);
//! - the congestion control module of each socket (TCP_CONGESTION);
//! - measured from the machine and written into the scenario before the model sees it.

use std::process::Command;

use synack_model::profile::ProfileOverrides;
use synack_model::scenario::Scenario;

use crate::error::{LabError, Result};
use crate::sys::netns::Netns;

/// How a tuning field's value is written into its sysctl.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// As it is (a count; a boolean as 0/1).
    Plain,
    /// The field is in µs, the sysctl in whole seconds (`proc_dointvec_jiffies`).
    Seconds,
    /// The field is in µs, the sysctl in whole milliseconds, kept as milliseconds
    /// (`proc_dointvec_minmax`, `proc_douintvec_minmax`).
    Millis,
    /// The field is in µs, the sysctl in whole milliseconds kept in jiffies
    /// (`proc_dointvec_ms_jiffies`: `msecs_to_jiffies`, rounded up to the tick): any value is
    /// taken and reads back rounded (50 reads 52 at HZ 250), as the model rounds it.
    MillisInJiffies,
    /// A boolean field whose sysctl turns the behaviour on with this value and off with 0.
    On(u8),
    /// Number `i` (from 0) of the sysctl's three (tcp_rmem's and tcp_wmem's min, default,
    /// max): the lab keeps the namespace's other two (`with_nth`).
    Nth(usize),
}

/// `current` (a vector sysctl as the kernel prints it) with its number `i` (from 0) replaced
/// by `value`, tab-separated as the kernel prints it back.
pub fn with_nth(current: &str, i: usize, value: &str) -> String {
    let mut v: Vec<&str> = current.split_whitespace().collect();
    if let Some(x) = v.get_mut(i) {
        *x = value;
    }
    v.join("\t")
}

/// How the lab sets one profile field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Knob {
    /// A sysctl of the namespace (ip-sysctl.rst's name), written in both namespaces.
    Sysctl(&'static str, Unit),
    /// A metric of the route to the peer (ip-route(8)'s name), a count, in both namespaces.
    Route(&'static str),
    /// A boolean module parameter (`/sys/module/<module>/parameters/<name>`): global to the
    /// machine, set for the run and restored after.
    Module(&'static str, &'static str),
    /// Each socket's congestion control module (TCP_CONGESTION, `sock::Congestion`).
    Congestion,
    /// Measured on the machine at run time and written into the scenario (`runner::Machine`).
    Machine,
    /// No kernel setting the lab can make: why.
    Fixed(&'static str),
}

/// Every profile field, one row each, in the profile's order.
pub const KNOBS: &[(&str, Knob)] = &[
    ("mss", Knob::Machine),
    // `null` (no option) is tcp_window_scaling 0, which the runner writes; a shift is the
    // machine's (tcp_rmem[2] and net.core.rmem_max, measured).
    ("window_scale", Knob::Machine),
    (
        "wscale_space",
        Knob::Fixed("the machine's tcp_rmem[2] and net.core.rmem_max: the lab measures the shift they give (window_scale)"),
    ),
    ("window_round_up", Knob::Fixed("__tcp_select_window's rule, no setting")),
    (
        "initial_window_mss_multiple",
        Knob::Fixed("tcp_select_initial_window's rule, no setting"),
    ),
    // `tcp_select_initial_window`: the route's RTAX_INITRWND caps the handshake's window.
    ("initial_rwnd_segments", Knob::Route("initrwnd")),
    ("sack_permitted", Knob::Sysctl("net.ipv4.tcp_sack", Unit::Plain)),
    // One sysctl for two profile fields: 0, 1, or 2 without `timestamps_offset`
    // (`runner::timestamps_sysctl`).
    ("timestamps", Knob::Sysctl("net.ipv4.tcp_timestamps", Unit::Plain)),
    (
        "timestamps_offset",
        Knob::Sysctl("net.ipv4.tcp_timestamps", Unit::Plain),
    ),
    (
        "isn_tick_ns",
        Knob::Fixed("secure_tcp_seq's clock (ns >> 6), no setting"),
    ),
    (
        "time_wait_reopen",
        Knob::Fixed("tcp_timewait_state_process's rule, no setting"),
    ),
    (
        "time_wait_socket",
        Knob::Fixed("tcp_time_wait's timewait socket, no setting"),
    ),
    // tcp_rmem[1] / 2 (`tcp_full_space` at the initial 50 % scaling ratio), measured.
    ("recv_buffer", Knob::Machine),
    ("rcv_skb_overhead", Knob::Machine),
    (
        "min_recv_buffer",
        Knob::Fixed("SOCK_MIN_RCVBUF, a constant of the kernel's build"),
    ),
    (
        "udp_recv_buffer",
        Knob::Fixed("the RFC picture's payload limit, read only with udp_rmem_default 0"),
    ),
    (
        "udp_rmem_default",
        Knob::Fixed("net.core.rmem_default is read-only inside a network namespace on 6.18 (only the host's may write it), and the lab does not change the host's"),
    ),
    (
        "udp_skb_pad",
        Knob::Fixed("the receiving device's headroom: the TUN devices' 64, the profile's value"),
    ),
    // net.core.rmem_max / wmem_max: read-only in a child namespace on 6.18; the machine's
    // are measured and written into the scenario.
    ("rmem_max", Knob::Machine),
    ("wmem_max", Knob::Machine),
    // tcp_wmem[1]: `tcp_init_sock` gives a new socket this sk_sndbuf as it is (a connection
    // inherits its listener's, `sk_clone_lock`), and `tcp_init_buffer_space` then grows it as
    // the handshake ends (`tcp_sndbuf_expand`, to 46080 on the lab's wire: so a smaller value
    // changes nothing a program can see, a larger one holds a larger write at once).
    // proc_dointvec_minmax with SYSCTL_ONE as its floor, like its neighbours: 1 and up.
    ("send_buffer", Knob::Sysctl("net.ipv4.tcp_wmem", Unit::Nth(1))),
    // tcp_wmem[2]: `tcp_sndbuf_expand` grows sk_sndbuf no further (it can even bring a buffer
    // below tcp_wmem[1] down to it: `min(sndmem, tcp_wmem[2])`). proc_dointvec_minmax with
    // SYSCTL_ONE as its floor: 1 and up; the model's 0 (a buffer that never grows) is no kernel
    // setting (`check`).
    ("send_buffer_max", Knob::Sysctl("net.ipv4.tcp_wmem", Unit::Nth(2))),
    (
        "min_send_buffer",
        Knob::Fixed("SOCK_MIN_SNDBUF, a constant of the kernel's build"),
    ),
    (
        "rto_initial_us",
        Knob::Fixed("TCP_TIMEOUT_INIT: no sysctl or route metric on 6.18 (only a BPF program's TCP_BPF_TIMEOUT_INIT)"),
    ),
    // Since 6.11 (`tcp_rto_min`: a route's locked rto_min would win; the lab sets none).
    (
        "rto_min_us",
        // In µs, 1 to 2^31 − 1 (the model's `check_tuning` range, as the sysctl table's):
        // the kernel rounds it up to jiffies where it uses it (`tcp_init_sock`), and so
        // does the model (`Profile::rto_min`); above tcp_rto_max_ms it is taken too.
        Knob::Sysctl("net.ipv4.tcp_rto_min_us", Unit::Plain),
    ),
    (
        "rto_max_us",
        // 1,000 to 120,000 whole ms (6.15+; the model's range too), rounded up to jiffies
        // (`Profile::rto_max`).
        Knob::Sysctl("net.ipv4.tcp_rto_max_ms", Unit::Millis),
    ),
    (
        "synack_rto_max_us",
        Knob::Fixed("TCP_RTO_MAX: reqsk_timer_handler caps a request's SYN-ACK timer with the constant, not tcp_rto_max_ms"),
    ),
    ("rto_min_on_variance", Knob::Fixed("tcp_set_rto's rule, no setting")),
    (
        "rtt_every_ack",
        Knob::Fixed("tcp_ack_update_rtt's rule, no setting"),
    ),
    (
        "clock_granularity_us",
        Knob::Fixed("one jiffy: CONFIG_HZ, a build option of the kernel"),
    ),
    (
        "timer_wheel",
        Knob::Fixed("the kernel's timer wheel (kernel/time/timer.c), no setting"),
    ),
    // Where the wheel's ticks fall: read from /proc/timer_list at time zero (`sys::ticks`).
    ("timer_wheel_origin_us", Knob::Machine),
    // The kernel's TCP clock (CLOCK_MONOTONIC) at time zero: the phase of a SYN cookie's
    // TSval (`cookie_init_timestamp`), read with the ticks (`sys::ticks`).
    ("ts_clock_origin_us", Knob::Machine),
    ("syn_retries", Knob::Sysctl("net.ipv4.tcp_syn_retries", Unit::Plain)),
    (
        "syn_linear_timeouts",
        Knob::Sysctl("net.ipv4.tcp_syn_linear_timeouts", Unit::Plain),
    ),
    (
        "retries_as_time_budget",
        Knob::Fixed("tcp_model_timeout's rule, no setting"),
    ),
    (
        "synack_retries",
        Knob::Sysctl("net.ipv4.tcp_synack_retries", Unit::Plain),
    ),
    ("data_retries", Knob::Sysctl("net.ipv4.tcp_retries2", Unit::Plain)),
    // The kernel's 0 means 8 while the RTO is below TCP_RTO_MAX (`tcp_orphan_retries`); a
    // scenario names the count it wants, which the sysctl then holds as it is.
    (
        "orphan_retries",
        Knob::Sysctl("net.ipv4.tcp_orphan_retries", Unit::Plain),
    ),
    ("time_wait_us", Knob::Fixed("TCP_TIMEWAIT_LEN, a constant")),
    // Two numbers, written tab-separated as the kernel prints them (`sysctl_value`).
    (
        "local_port_range",
        Knob::Sysctl("net.ipv4.ip_local_port_range", Unit::Plain),
    ),
    ("tw_reuse", Knob::Sysctl("net.ipv4.tcp_tw_reuse", Unit::Plain)),
    ("rfc1337", Knob::Sysctl("net.ipv4.tcp_rfc1337", Unit::Plain)),
    // Whole milliseconds (`proc_douintvec_minmax`, 1 to TCP_PAWS_MSL s).
    (
        "tw_reuse_delay_us",
        Knob::Sysctl("net.ipv4.tcp_tw_reuse_delay", Unit::Millis),
    ),
    (
        "no_metrics_save",
        Knob::Sysctl("net.ipv4.tcp_no_metrics_save", Unit::Plain),
    ),
    ("msl_us", Knob::Fixed("shown for reference; Linux has no MSL")),
    (
        "fin_wait2_timeout_us",
        Knob::Sysctl("net.ipv4.tcp_fin_timeout", Unit::Seconds),
    ),
    (
        "delayed_ack_us",
        Knob::Fixed("TCP_ATO_MIN, a constant (a BPF program's TCP_BPF_DELACK_MAX aside)"),
    ),
    (
        "ack_every_segments",
        Knob::Fixed("__tcp_ack_snd_check's rule, no setting"),
    ),
    ("quickack_max", Knob::Fixed("TCP_MAX_QUICKACKS, a constant")),
    ("nagle_minshall", Knob::Fixed("tcp_nagle_check's rule, no setting")),
    (
        "autocorking",
        Knob::Sysctl("net.ipv4.tcp_autocorking", Unit::Plain),
    ),
    (
        "tx_done_at_xmit",
        Knob::Fixed("the device's: the lab's TUN wire orphans every skb in tun_net_xmit (true)"),
    ),
    // The machine's scheduler: how soon a woken reader gets a CPU, no setting; a run gives
    // the model the lab machine's (`wire::READER_WAKE_US`).
    ("reader_wake_us", Knob::Machine),
    // A woken writer's wait for a CPU, likewise (`wire::WRITER_WAKE_US`).
    ("writer_wake_us", Knob::Machine),
    (
        "min_tso_segs",
        Knob::Sysctl("net.ipv4.tcp_min_tso_segs", Unit::Plain),
    ),
    // `tcp_init_cwnd`: the route's RTAX_INITCWND, else TCP_INIT_CWND.
    ("initial_cwnd_segments", Knob::Route("initcwnd")),
    (
        "initial_ssthresh_segments",
        Knob::Fixed("a route's ssthresh reaches a connection only through the tcp_metrics entry an earlier connection left, and only with tcp_no_ssthresh_metrics_save 0 (tcp_init_metrics): no setting of one run"),
    ),
    (
        "slow_start_abc_limit",
        Knob::Fixed("tcp_slow_start's rule, no setting"),
    ),
    (
        "syn_loss_cwnd_one_after",
        Knob::Fixed("tcp_init_transfer's rule (total_retrans > 1), no setting"),
    ),
    // Tail loss probes: tcp_early_retrans 3 (the default) or 4 enable them, 0-2 do not
    // (`tcp_schedule_loss_probe`).
    (
        "tail_loss_probe",
        Knob::Sysctl("net.ipv4.tcp_early_retrans", Unit::On(3)),
    ),
    // RACK loss detection was bit 0x1 of tcp_recovery (TCP_RACK_LOSS_DETECTION). Linux 6.17
    // removed RFC 6675's duplicate-ACK loss detection ("tcp: remove obsolete and unused
    // RFC3517/RFC6675 loss recovery code"): `tcp_identify_packet_loss` runs RACK for every
    // SACK connection, and `tcp_time_to_recover` is `lost_out != 0`. Measured on 6.18
    // (tcp_recovery 0, three segments, the 2nd lost): RACK's reordering timer resends it at
    // 217 ms, where RFC 6675 would have waited for the loss probe at 280 ms.
    (
        "rack",
        Knob::Fixed("tcp_recovery's RACK bit (0x1) does nothing since Linux 6.17: RACK is the only loss detection with SACK; `rack` false (RFC 6675's duplicate-ACK rule) is Linux before 6.17 or the textbook"),
    ),
    // F-RTO (RFC 5682): `tcp_enter_loss` tests the sysctl for non-zero; 2 is the default.
    ("frto", Knob::Sysctl("net.ipv4.tcp_frto", Unit::Plain)),
    // `tcp_retrans_try_collapse` returns at once when it is 0.
    (
        "retrans_collapse",
        Knob::Sysctl("net.ipv4.tcp_retrans_collapse", Unit::On(1)),
    ),
    // `tcp_rcvbuf_grow` (and `tcp_rcv_space_adjust`) return at once when it is 0.
    (
        "moderate_rcvbuf",
        Knob::Sysctl("net.ipv4.tcp_moderate_rcvbuf", Unit::On(1)),
    ),
    // tcp_rmem[2]: `tcp_rcvbuf_grow` and `tcp_clamp_window` grow sk_rcvbuf no further.
    ("rcvbuf_max", Knob::Sysctl("net.ipv4.tcp_rmem", Unit::Nth(2))),
    // `tcp_dsack_set` records nothing when it is 0.
    ("dsack", Knob::Sysctl("net.ipv4.tcp_dsack", Unit::On(1))),
    // `__tcp_ack_snd_check`'s SACK compression: the cap (0 turns it off), the longest wait
    // and the hrtimer's slack, both in ns as the model keeps them.
    (
        "comp_sack_nr",
        Knob::Sysctl("net.ipv4.tcp_comp_sack_nr", Unit::Plain),
    ),
    (
        "comp_sack_delay_ns",
        Knob::Sysctl("net.ipv4.tcp_comp_sack_delay_ns", Unit::Plain),
    ),
    (
        "comp_sack_slack_ns",
        Knob::Sysctl("net.ipv4.tcp_comp_sack_slack_ns", Unit::Plain),
    ),
    // The ICMP error rate limit toward one peer, in ms (`proc_dointvec_ms_jiffies`); the
    // model's token bucket is `inet_peer_xrlim_allow`'s.
    (
        "icmp_ratelimit_us",
        Knob::Sysctl("net.ipv4.icmp_ratelimit", Unit::MillisInJiffies),
    ),
    // Out-of-window ACKs, in ms (`proc_dointvec_ms_jiffies`): `tcp_oow_rate_limited`.
    (
        "invalid_ratelimit_us",
        Knob::Sysctl("net.ipv4.tcp_invalid_ratelimit", Unit::MillisInJiffies),
    ),
    // 0: Reno, 717: CUBIC; any other beta is tcp_cubic's global `beta` parameter (`check`).
    ("loss_beta_1024", Knob::Congestion),
    ("hystart", Knob::Module("tcp_cubic", "hystart")),
    ("prr", Knob::Fixed("tcp_cwnd_reduction, always on since Linux 3.2")),
    // 0 or 1; the model's 2 (RFC 5681 §4.1's restart) is no kernel setting (`check`).
    (
        "slow_start_after_idle",
        Knob::Sysctl("net.ipv4.tcp_slow_start_after_idle", Unit::Plain),
    ),
    // tp->reordering starts at tcp_reordering (`tcp_init_sock`): the duplicate ACKs (or
    // SACKed segments) before a loss is assumed (`tcp_time_to_recover`), and the SACKed count
    // past which RACK's reordering window is 0 (`tcp_rack_reo_wnd`).
    (
        "dupack_threshold",
        Knob::Sysctl("net.ipv4.tcp_reordering", Unit::Plain),
    ),
    (
        "persist_probe_max",
        Knob::Fixed("tcp_probe_timer's limit is tcp_retries2: set data_retries"),
    ),
    ("probe_with_data", Knob::Fixed("tcp_xmit_probe_skb's rule, no setting")),
    ("somaxconn", Knob::Sysctl("net.core.somaxconn", Unit::Plain)),
    (
        "max_syn_backlog",
        Knob::Sysctl("net.ipv4.tcp_max_syn_backlog", Unit::Plain),
    ),
    (
        "abort_on_overflow",
        Knob::Sysctl("net.ipv4.tcp_abort_on_overflow", Unit::Plain),
    ),
    // One sysctl for two profile fields: 0, 1, or 2 with `syncookies_always`
    // (`runner::syncookies_sysctl`).
    ("syncookies", Knob::Sysctl("net.ipv4.tcp_syncookies", Unit::Plain)),
    (
        "syncookies_always",
        Knob::Sysctl("net.ipv4.tcp_syncookies", Unit::Plain),
    ),
    ("backlog_model", Knob::Fixed("Linux has two queues; no setting")),
    (
        "syn_drop_rule",
        Knob::Fixed("the rule of the running kernel's version, no setting"),
    ),
    (
        "rst_on_close_with_unread",
        Knob::Fixed("tcp_close's rule, no setting"),
    ),
    (
        "rst_challenge_ack",
        Knob::Fixed("tcp_validate_incoming's rule, no setting"),
    ),
    (
        "old_before_rcv_wup",
        Knob::Fixed("tcp_sequence's rule, no setting"),
    ),
    (
        "syn_resend_after_bad_ack",
        Knob::Fixed("tcp_rcv_synsent_state_process's rule, no setting"),
    ),
    (
        "fin_waits_for_cwnd",
        Knob::Fixed("tcp_cwnd_test's rule, no setting"),
    ),
    ("linux_errno", Knob::Fixed("the kernel's errors, no setting")),
];

/// The row of profile field `field`.
pub fn knob(field: &str) -> Option<Knob> {
    KNOBS.iter().find(|(f, _)| *f == field).map(|&(_, k)| k)
}

/// The sysctl and unit of `field`, if it is one.
pub fn sysctl_for(field: &str) -> Option<(&'static str, Unit)> {
    match knob(field)? {
        Knob::Sysctl(key, unit) => Some((key, unit)),
        _ => None,
    }
}

/// The fields a scenario may tune, for messages.
fn settable() -> String {
    KNOBS
        .iter()
        .filter(|(_, k)| !matches!(k, Knob::Machine | Knob::Fixed(_)))
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sysctl's text for a tuning value, or why the value cannot be written exactly.
pub fn sysctl_value(
    field: &str,
    v: &serde_json::Value,
    unit: Unit,
) -> std::result::Result<String, String> {
    if let serde_json::Value::Bool(b) = v {
        let on = match unit {
            Unit::On(on) => on,
            _ => 1,
        };
        return Ok(if *b { on } else { 0 }.to_string());
    }
    // A vector sysctl (`ip_local_port_range`): its numbers, tab-separated, as the kernel
    // prints them back.
    if let (serde_json::Value::Array(xs), Unit::Plain) = (v, unit) {
        let ns: Option<Vec<String>> = xs
            .iter()
            .map(|x| x.as_u64().map(|n| n.to_string()))
            .collect();
        return ns
            .map(|ns| ns.join("\t"))
            .ok_or_else(|| format!("tuning {field:?} = {v} is not a list of whole numbers"));
    }
    let n = v
        .as_u64()
        .ok_or_else(|| format!("tuning {field:?} = {v} is not a whole number"))?;
    let (per, name) = match unit {
        Unit::On(_) => return Err(format!("tuning {field:?} = {v} is not true or false")),
        Unit::Plain | Unit::Nth(_) => return Ok(n.to_string()),
        Unit::Seconds => (1_000_000, "whole seconds"),
        Unit::Millis | Unit::MillisInJiffies => (1_000, "whole milliseconds"),
    };
    if n % per != 0 {
        return Err(format!(
            "tuning {field:?} = {n} µs: its sysctl holds {name}"
        ));
    }
    Ok((n / per).to_string())
}

/// Why the lab cannot set the scenario's `tuning`, or a host's own `hosts[i].tuning`, on the
/// kernel, if it cannot. A host's tuning is checked as the scenario's is (each host is its own
/// namespace with its own sysctls and routes), and what one namespace cannot have on its own
/// is refused there: a module parameter (global to the machine) and a field measured from the
/// machine (`Knob::Machine`; only `window_scale: null`, tcp_window_scaling 0, is a sysctl).
pub fn check(sc: &Scenario) -> std::result::Result<(), String> {
    check_overrides(&sc.tuning)?;
    for (i, h) in sc.hosts.iter().enumerate() {
        let mss = sc.host_tuning(i).mss;
        if mss.is_some_and(|m| m < MIN_ADVMSS) {
            return Err(format!(
                "tuning \"mss\" {} for host {:?}: the lab plays a host's MSS as its device's MTU \
                 (MSS + 40), and the kernel announces at least ip_rt_min_advmss ({MIN_ADVMSS}) \
                 whatever the MTU (`ipv4_default_advmss`), where the model would announce the \
                 clamp",
                mss.unwrap_or_default(),
                h.name
            ));
        }
        let udp = sc
            .sockets
            .iter()
            .find(|s| s.host == h.name && s.proto == synack_model::trace::Proto::Udp);
        if let (true, Some(s)) = (device_mtu(mss) < crate::wire::MTU, udp) {
            return Err(format!(
                "host {:?} has its own MTU {} (tuning \"mss\" {}) and UDP socket {:?}: the \
                 kernel fragments that host's datagrams at its device's MTU, where the model's \
                 `mss` clamps TCP only and its link keeps the wire's MTU {}",
                h.name,
                device_mtu(mss),
                mss.unwrap_or_default(),
                s.label,
                crate::wire::MTU
            ));
        }
    }
    for (i, h) in sc.hosts.iter().enumerate() {
        // The messages name the field as `tuning "x"`: here it is the host's.
        let at = |e: String| format!("hosts[{i}].{e} (host {:?})", h.name);
        check_overrides(&h.tuning).map_err(at)?;
        let tuning = serde_json::to_value(&h.tuning).unwrap_or_default();
        for k in tuning.as_object().into_iter().flat_map(|m| m.keys()) {
            match knob(k) {
                Some(Knob::Module(module, param)) => {
                    return Err(at(format!(
                        "tuning {k:?} is {module}'s module parameter {param}, global to the \
                         machine: one host cannot have it without the other (set it in the \
                         scenario's `tuning`)"
                    )))
                }
                // A host's MSS is its own TUN end's MTU (`device_mtu`), set in its namespace.
                Some(Knob::Machine) if k != "window_scale" && k != "mss" => {
                    return Err(at(format!(
                        "tuning {k:?} is measured from the machine, which both namespaces share"
                    )))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The least MSS the kernel announces, whatever the MTU: `ip_rt_min_advmss`
/// (net.ipv4.route.min_adv_mss, 256), the floor of `ipv4_default_advmss`.
pub const MIN_ADVMSS: u16 = 256;

/// The MTU of a host's TUN end (`syn0` in its namespace) for its MSS clamp `mss` (the
/// scenario's `tuning.mss` with its own `hosts[i].tuning.mss` on top): MSS + 20 (IPv4) + 20
/// (TCP), so that the kernel announces that MSS (`ipv4_default_advmss`: device MTU − 40) as
/// the model does (its `mss` clamps what the link's MTU gives, `set_route_mtu`). A clamp at
/// or above the wire's MSS (1460; 65495 is the model's "no clamp") changes nothing in the
/// model, and leaves the device at the wire's MTU: a larger device MTU would have the kernel
/// announce the larger MSS, which the model's link (the wire's MTU) caps.
pub fn device_mtu(mss: Option<u16>) -> u32 {
    mss.map_or(crate::wire::MTU, |m| (m as u32 + 40).min(crate::wire::MTU))
}

/// Why the lab cannot set overrides `t` (the scenario's `tuning` or a host's) in a namespace,
/// if it cannot; the message names the field as `tuning "x"`.
fn check_overrides(t: &ProfileOverrides) -> std::result::Result<(), String> {
    let tuning = serde_json::to_value(t).unwrap_or_default();
    let Some(map) = tuning.as_object() else {
        return Ok(());
    };
    if t.fin_wait2_timeout_us == Some(None) {
        return Err(
            "tuning \"fin_wait2_timeout_us\" null is the textbook's orphan that waits for the \
             FIN forever, which no kernel setting gives (tcp_fin_timeout 0 still waits 3.5 \
             RTOs, tcp_fin_time)"
                .into(),
        );
    }
    for (k, v) in map {
        match knob(k) {
            None => return Err(format!("tuning {k:?} is no profile field")),
            Some(Knob::Machine) => {}
            Some(Knob::Fixed(why)) => {
                return Err(format!(
                    "tuning {k:?} is no setting the lab can make on the kernel ({why}); it sets {}",
                    settable()
                ))
            }
            Some(Knob::Sysctl(_, unit)) => {
                sysctl_value(k, v, unit)?;
            }
            Some(Knob::Route(metric)) => {
                // ip-route(8): a metric of 0 is "not set" (the kernel's own default).
                if v.as_u64().is_none_or(|n| n == 0) {
                    return Err(format!(
                        "tuning {k:?} = {v}: the route's {metric} is a count of at least 1"
                    ));
                }
            }
            Some(Knob::Module(..)) => {
                if !v.is_boolean() {
                    return Err(format!("tuning {k:?} = {v} is not true or false"));
                }
            }
            Some(Knob::Congestion) => {
                if !matches!(v.as_u64(), Some(0 | 717)) {
                    return Err(format!(
                        "tuning {k:?} = {v}: the lab gives each socket Reno (0) or CUBIC (717); \
                         another beta is tcp_cubic's global `beta` parameter, which it does not \
                         change"
                    ));
                }
            }
        }
    }
    if t.slow_start_after_idle.is_some_and(|v| v > 1) {
        return Err(
            "tuning \"slow_start_after_idle\" 2 is RFC 5681 §4.1's restart, which no kernel \
             setting gives (tcp_slow_start_after_idle is 0 or 1)"
                .into(),
        );
    }
    if t.send_buffer_max == Some(0) {
        return Err(
            "tuning \"send_buffer_max\" 0 is the textbook's send buffer that never grows, which \
             no kernel setting gives (tcp_wmem's numbers are 1 and up; use a socket's \
             send_buffer, SO_SNDBUF, for a fixed one)"
                .into(),
        );
    }
    if t.min_tso_segs == Some(0) {
        return Err(
            "tuning \"min_tso_segs\" 0 is the textbook's one segment at a time, which no kernel \
             setting gives (tcp_min_tso_segs is 1-255)"
                .into(),
        );
    }
    // Sysctls whose kernel range is narrower than the model's (which also keeps textbook
    // values): refused here, before any namespace is made, rather than by the kernel's
    // EINVAL halfway through a run.
    for (field, value, lo, hi, why) in [
        (
            "syn_retries",
            t.syn_retries,
            1,
            127,
            "tcp_syn_retries is 1-127 (tcp_syn_retries_min, MAX_TCP_SYNCNT)",
        ),
        (
            "dupack_threshold",
            t.dupack_threshold,
            1,
            TCP_MAX_REORDERING,
            "tcp_reordering is 1 up to tcp_max_reordering, 300 in the lab's namespaces",
        ),
    ] {
        if let Some(v) = value.filter(|v| !(lo..=hi).contains(v)) {
            return Err(format!(
                "tuning {field:?} = {v}: the kernel refuses it ({why}; measured on 6.18)"
            ));
        }
    }
    Ok(())
}

/// net.ipv4.tcp_max_reordering as a new namespace has it, which the lab does not change: the
/// ceiling of tcp_reordering (6.18 refuses 301 with it at 300, takes 400 with it at 500).
const TCP_MAX_REORDERING: u32 = 300;

/// The route metrics overrides `t` tune (a host's, `Scenario::host_tuning`), as `ip route`
/// arguments ("initcwnd", "4").
pub fn route_metrics(t: &ProfileOverrides) -> Vec<(&'static str, String)> {
    let tuning = serde_json::to_value(t).unwrap_or_default();
    let mut v = Vec::new();
    if let Some(map) = tuning.as_object() {
        for (k, x) in map {
            if let (Some(Knob::Route(metric)), Some(n)) = (knob(k), x.as_u64()) {
                v.push((metric, n.to_string()));
            }
        }
    }
    v
}

/// Replaces the route to `peer` from `local` on `dev` with one carrying `metrics`, inside `ns`
/// (`ip route replace`: the kernel's own route of the point-to-point address has the same
/// destination, table and priority, so it is this one that changes).
pub fn set_route_metrics(
    ns: &Netns,
    dev: &str,
    local: std::net::Ipv4Addr,
    peer: std::net::Ipv4Addr,
    metrics: &[(&'static str, String)],
) -> Result<()> {
    if metrics.is_empty() {
        return Ok(());
    }
    let mut args: Vec<String> = [
        "route",
        "replace",
        &format!("{peer}/32"),
        "dev",
        dev,
        "proto",
        "kernel",
        "scope",
        "link",
        "src",
        &local.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (m, v) in metrics {
        args.push((*m).to_string());
        args.push(v.clone());
    }
    // A child process inherits the namespace of the thread that forks it, which
    // `Netns::run` has moved into `ns`.
    ns.run("ip route", move || {
        let out = Command::new("ip")
            .args(&args)
            .output()
            .map_err(|e| LabError::Io {
                what: "running `ip route replace` (iproute2's ip, for the route metrics)".into(),
                source: e,
            })?;
        if !out.status.success() {
            return Err(LabError::Usage(format!(
                "ip {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    })
}

/// Module parameters set for a run, restored (to what they were) when dropped: at the run's
/// end, on an error, and on Ctrl-C (the run unwinds through it). A second Ctrl-C exits at once
/// and restores them from the signal handler (`sys::signal::restore_on_exit`); only `kill -9`
/// leaves them set.
pub struct ModuleGuard {
    restore: Vec<(String, String)>,
}

impl ModuleGuard {
    /// Sets the module parameters the scenario tunes and returns the guard, with a warning for
    /// each (they are global: every namespace and program on the machine sees them).
    pub fn set(sc: &Scenario) -> Result<(ModuleGuard, Vec<String>)> {
        let mut g = ModuleGuard {
            restore: Vec::new(),
        };
        let mut warnings = Vec::new();
        let tuning = serde_json::to_value(&sc.tuning).unwrap_or_default();
        let Some(map) = tuning.as_object() else {
            return Ok((g, warnings));
        };
        for (k, v) in map {
            let (Some(Knob::Module(module, param)), Some(on)) = (knob(k), v.as_bool()) else {
                continue;
            };
            let path = format!("/sys/module/{module}/parameters/{param}");
            let old = std::fs::read_to_string(&path).map_err(|e| LabError::Io {
                what: format!("reading {path} (is the {module} module loaded?)"),
                source: e,
            })?;
            let old = old.trim().to_string();
            let new = if on { "1" } else { "0" };
            // Registered before the write, so that a second Ctrl-C between the two still
            // writes the old value back.
            crate::sys::signal::restore_on_exit(&path, &old);
            g.restore.push((path.clone(), old.clone()));
            std::fs::write(&path, new).map_err(|e| LabError::Io {
                what: format!("writing {path} (needs root)"),
                source: e,
            })?;
            warnings.push(format!(
                "{module}'s {param} is a module parameter, global to the machine: {new} for this \
                 run (it was {old}) and restored after it; other programs' {module} connections \
                 saw it too"
            ));
        }
        Ok((g, warnings))
    }
}

impl Drop for ModuleGuard {
    fn drop(&mut self) {
        for (path, old) in self.restore.drain(..).rev() {
            if let Err(e) = std::fs::write(&path, &old) {
                eprintln!("synack-lab: could not restore {path} to {old}: {e}");
            }
            crate::sys::signal::restored(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use synack_model::profile::Profile;

    /// The profile's fields, as a scenario's `tuning` names them.
    fn profile_fields() -> Vec<String> {
        serde_json::to_value(Profile::linux())
            .ok()
            .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect()))
            .unwrap_or_default()
    }

    #[test]
    fn every_profile_field_has_exactly_one_row() {
        let mut fields = profile_fields();
        fields.sort();
        let mut rows: Vec<String> = KNOBS.iter().map(|(f, _)| f.to_string()).collect();
        rows.sort();
        assert_eq!(fields, rows);
    }

    #[test]
    fn the_scenario_format_names_every_field_the_lab_sets_and_how() {
        let doc = include_str!("../../../docs/scenario-format.md");
        let section = doc
            .split("## Tuning on the real kernel")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("docs/scenario-format.md has the section");
        for (f, k) in KNOBS {
            assert!(
                section.contains(&format!("`{f}`")),
                "{f} is not in the section"
            );
            match k {
                Knob::Sysctl(key, _) => {
                    let short = key.rsplit('.').next().unwrap_or(key);
                    assert!(section.contains(short), "{f}: {key} is not in the section");
                }
                Knob::Route(m) | Knob::Module(_, m) => {
                    assert!(section.contains(m), "{f}: {m} is not in the section");
                }
                _ => {}
            }
        }
    }

    fn with(json: &str) -> Scenario {
        let mut sc = crate::cases::scenario("handshake-normal").expect("a case");
        sc.tuning = serde_json::from_str(json).expect("tuning");
        sc
    }

    #[test]
    fn a_vector_sysctl_takes_the_value_in_its_place_and_keeps_the_namespace_s_other_numbers() {
        let wmem = "4096\t16384\t4194304";
        assert_eq!(with_nth(wmem, 1, "262144"), "4096\t262144\t4194304");
        assert_eq!(with_nth(wmem, 2, "60000"), "4096\t16384\t60000");
        // As the kernel prints it back after `sysctl -w` with spaces.
        assert_eq!(with_nth("4096 16384 4194304", 1, "1"), "4096\t1\t4194304");
    }

    #[test]
    fn each_kind_of_knob_accepts_its_values_and_refuses_others_with_the_reason() {
        assert_eq!(check(&with(r#"{"rto_min_us": 100000}"#)), Ok(()));
        assert_eq!(check(&with(r#"{"rto_min_us": 101000}"#)), Ok(()));
        assert_eq!(check(&with(r#"{"initial_cwnd_segments": 4}"#)), Ok(()));
        assert_eq!(
            route_metrics(&with(r#"{"initial_cwnd_segments": 4}"#).tuning),
            vec![("initcwnd", "4".to_string())]
        );
        assert_eq!(check(&with(r#"{"hystart": false}"#)), Ok(()));
        assert_eq!(check(&with(r#"{"loss_beta_1024": 0}"#)), Ok(()));
        let e = check(&with(r#"{"loss_beta_1024": 512}"#)).unwrap_err();
        assert!(e.contains("global `beta`"), "{e}");
        let e = check(&with(r#"{"min_tso_segs": 0}"#)).unwrap_err();
        assert!(e.contains("1-255"), "{e}");
        assert_eq!(check(&with(r#"{"min_tso_segs": 4}"#)), Ok(()));
        assert_eq!(check(&with(r#"{"send_buffer_max": 60000}"#)), Ok(()));
        assert_eq!(check(&with(r#"{"send_buffer": 262144}"#)), Ok(()));
        assert_eq!(
            sysctl_for("send_buffer"),
            Some(("net.ipv4.tcp_wmem", Unit::Nth(1)))
        );
        let e = check(&with(r#"{"send_buffer_max": 0}"#)).unwrap_err();
        assert!(e.contains("never grows"), "{e}");
        assert_eq!(check(&with(r#"{"dupack_threshold": 5}"#)), Ok(()));
        let e = check(&with(r#"{"rack": false}"#)).unwrap_err();
        assert!(e.contains("since Linux 6.17"), "{e}");
        let e = check(&with(r#"{"delayed_ack_us": 1000}"#)).unwrap_err();
        assert!(
            e.contains("TCP_ATO_MIN") && e.contains("initial_cwnd_segments"),
            "{e}"
        );
        let e = check(&with(r#"{"udp_rmem_default": 4096}"#)).unwrap_err();
        assert!(e.contains("read-only inside a network namespace"), "{e}");
    }

    /// `sc` with host `i`'s own tuning from `json`.
    fn with_host(i: usize, json: &str) -> Scenario {
        let mut sc = crate::cases::scenario("handshake-normal").expect("a case");
        sc.hosts[i].tuning = serde_json::from_str(json).expect("tuning");
        sc
    }

    #[test]
    fn a_host_s_own_tuning_is_checked_as_the_scenario_s_and_a_field_it_cannot_have_alone_is_refused_by_name(
    ) {
        // A sysctl or route metric of one namespace: each host can have its own.
        for ok in [
            r#"{"sack_permitted": false, "timestamps": false}"#,
            r#"{"window_scale": null}"#,
            r#"{"rcvbuf_max": 1048576, "initial_cwnd_segments": 4}"#,
            r#"{"syncookies": true, "syncookies_always": true}"#,
            r#"{"loss_beta_1024": 0}"#,
        ] {
            for i in 0..2 {
                assert_eq!(check(&with_host(i, ok)), Ok(()), "hosts[{i}] {ok}");
            }
        }
        // As the scenario's `tuning` is checked, named as the host's.
        let e = check(&with_host(1, r#"{"min_tso_segs": 0}"#)).unwrap_err();
        assert!(
            e.starts_with("hosts[1].tuning \"min_tso_segs\"") && e.contains("1-255"),
            "{e}"
        );
        let e = check(&with_host(0, r#"{"delayed_ack_us": 1000}"#)).unwrap_err();
        assert!(
            e.starts_with("hosts[0].tuning \"delayed_ack_us\"") && e.contains("TCP_ATO_MIN"),
            "{e}"
        );
        let e = check(&with_host(1, r#"{"syn_retries": 200}"#)).unwrap_err();
        assert!(e.starts_with("hosts[1].tuning \"syn_retries\""), "{e}");
        // A module parameter is global; the scenario's `tuning` may have it, a host not.
        assert_eq!(check(&with(r#"{"hystart": false}"#)), Ok(()));
        let e = check(&with_host(1, r#"{"hystart": false}"#)).unwrap_err();
        assert!(
            e.starts_with("hosts[1].tuning \"hystart\"") && e.contains("global"),
            "{e}"
        );
        // Measured from the machine the namespaces share; `window_scale` only as null
        // (tcp_window_scaling 0) or measured, `mss` as the host's own MTU (`device_mtu`).
        assert_eq!(check(&with_host(0, r#"{"mss": 536}"#)), Ok(()));
        for field in ["recv_buffer", "rmem_max", "reader_wake_us"] {
            let e = check(&with_host(1, &format!(r#"{{"{field}": 1000}}"#))).unwrap_err();
            assert!(
                e.starts_with(&format!("hosts[1].tuning {field:?}")) && e.contains("measured"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_host_s_mss_is_its_device_s_mtu_less_40_and_no_more_than_the_wire_s() {
        assert_eq!(device_mtu(None), 1500);
        assert_eq!(device_mtu(Some(536)), 576);
        assert_eq!(device_mtu(Some(1000)), 1040);
        assert_eq!(device_mtu(Some(256)), 296);
        // At or above the wire's MSS the model's clamp does nothing, and the device keeps the
        // wire's MTU (65495 is the model's "no clamp").
        assert_eq!(device_mtu(Some(1460)), 1500);
        assert_eq!(device_mtu(Some(9000)), 1500);
        assert_eq!(device_mtu(Some(65_495)), 1500);
        // The scenario's `mss` is each host's, a host's own on top.
        let mut sc = with(r#"{"mss": 1000}"#);
        sc.hosts[1].tuning.mss = Some(536);
        assert_eq!(device_mtu(sc.host_tuning(0).mss), 1040);
        assert_eq!(device_mtu(sc.host_tuning(1).mss), 576);
    }

    #[test]
    fn a_host_s_mss_below_the_kernel_s_floor_or_with_udp_behind_it_is_refused() {
        // ip_rt_min_advmss: a 200-byte clamp would be a SYN's 256 on the kernel.
        let e = check(&with_host(1, r#"{"mss": 200}"#)).unwrap_err();
        assert!(
            e.contains("\"mss\" 200") && e.contains("ip_rt_min_advmss"),
            "{e}"
        );
        let e = check(&with(r#"{"mss": 255}"#)).unwrap_err();
        assert!(e.contains("\"mss\" 255"), "{e}");
        assert_eq!(check(&with_host(1, r#"{"mss": 256}"#)), Ok(()));
        // A UDP socket on a host behind a smaller MTU: the kernel would fragment its
        // datagrams there, the model not.
        let mut sc = with_host(0, r#"{"mss": 536}"#);
        let host = sc.hosts[0].name.clone();
        sc.sockets[0].host = host.clone();
        sc.sockets[0].proto = synack_model::trace::Proto::Udp;
        let e = check(&sc).unwrap_err();
        assert!(
            e.contains(&format!("host {host:?} has its own MTU 576")),
            "{e}"
        );
        // Not with a clamp that leaves the wire's MTU.
        sc.hosts[0].tuning.mss = Some(1460);
        assert_eq!(check(&sc), Ok(()));
    }

    #[test]
    fn each_host_s_route_metrics_are_the_scenario_s_with_its_own_on_top() {
        let mut sc = with(r#"{"initial_cwnd_segments": 4, "initial_rwnd_segments": 20}"#);
        sc.hosts[1].tuning = serde_json::from_str(r#"{"initial_cwnd_segments": 10}"#).unwrap();
        let mut client = route_metrics(&sc.host_tuning(0));
        let mut server = route_metrics(&sc.host_tuning(1));
        client.sort();
        server.sort();
        assert_eq!(
            client,
            vec![
                ("initcwnd", "4".to_string()),
                ("initrwnd", "20".to_string())
            ]
        );
        assert_eq!(
            server,
            vec![
                ("initcwnd", "10".to_string()),
                ("initrwnd", "20".to_string())
            ]
        );
    }

    #[test]
    fn a_value_the_kernel_refuses_is_refused_before_the_run_with_the_kernel_s_range() {
        // Measured on 6.18 in a fresh namespace: tcp_reordering takes 300 and refuses 301
        // (tcp_max_reordering 300), tcp_syn_retries refuses 0; the model's ranges take both.
        assert_eq!(check(&with(r#"{"dupack_threshold": 300}"#)), Ok(()));
        let e = check(&with(r#"{"dupack_threshold": 301}"#)).unwrap_err();
        assert!(e.contains("tcp_max_reordering"), "{e}");
        assert_eq!(check(&with(r#"{"syn_retries": 127}"#)), Ok(()));
        let e = check(&with(r#"{"syn_retries": 0}"#)).unwrap_err();
        assert!(e.contains("1-127"), "{e}");
    }

    #[test]
    fn a_sysctl_value_is_written_in_its_unit() {
        let v = |f: &str, x: serde_json::Value| {
            let (_, unit) = sysctl_for(f).expect("a sysctl");
            sysctl_value(f, &x, unit)
        };
        assert_eq!(v("rto_min_us", 40_000.into()), Ok("40000".into()));
        // Off the clock tick too: the kernel rounds it up to jiffies where it uses it.
        assert_eq!(v("rto_min_us", 250_000.into()), Ok("250000".into()));
        assert_eq!(v("dupack_threshold", 7.into()), Ok("7".into()));
        assert_eq!(v("tail_loss_probe", true.into()), Ok("3".into()));
        assert_eq!(v("retrans_collapse", false.into()), Ok("0".into()));
        assert!(v("retrans_collapse", 1.into()).is_err());
    }
}
