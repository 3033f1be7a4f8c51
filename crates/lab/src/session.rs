//! What every loopback experiment shares: a private namespace (or the host, with `--host`),
//! the recorder with client and server hosts, the capture on `lo`, the sock_diag poller, a
//! deadline, a progress line, and the final assembly of trace + pcap.

use std::io::IsTerminal;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use synack_model::profile::Profile;
use synack_model::trace::{CutReason, CutShort, HostId, Trace};

use crate::cli::Common;
use crate::error::{LabError, Result};
use crate::recorder::{Recorder, SynQueueLimits};
use crate::sys::diag::Poller;
use crate::sys::netns::Netns;
use crate::sys::packet::Capture;
use crate::sys::signal;
use crate::sys::sock::Congestion;
use crate::wire::{self, Faults, Wire};

pub struct Session {
    /// The server's namespace (in loopback mode: the only one).
    pub ns: Netns,
    /// The client's namespace (the same as `ns` in loopback mode).
    pub client_ns: Netns,
    pub client_ip: Ipv4Addr,
    pub server_ip: Ipv4Addr,
    pub rec: Recorder,
    pub client: HostId,
    pub server: HostId,
    pub port: u16,
    pub warnings: Vec<String>,
    /// The congestion control every TCP socket of the experiment gets: the Linux profile's
    /// (see [`Congestion`]); `None` (the host's) only on `--host` where the kernel
    /// refuses it, with a warning.
    pub congestion: Option<Congestion>,
    pub deadline: Instant,
    pub timeout: f64,
    /// With a wire: the most a packet was delivered after its due time so far, µs.
    pub wire_late_us: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    capture: Option<Capture>,
    wire: Option<Wire>,
    pollers: Vec<(Poller, HostId)>,
    started: Instant,
    progress: Progress,
}

/// A finished run: the trace, the packets for the pcap, and warnings for the summary.
pub struct Finished {
    pub trace: Trace,
    pub pcap: Vec<(u64, Vec<u8>)>,
    pub warnings: Vec<String>,
}

/// Everything an experiment hands back to `main`.
#[derive(Debug)]
pub struct Outcome {
    pub summary: serde_json::Value,
    pub text: String,
    pub trace: Trace,
    pub pcap: Vec<(u64, Vec<u8>)>,
    /// False when the kernel did not behave as the experiment expected (exit status 1).
    pub ok: bool,
}

impl Outcome {
    /// The summary as JSON; the run's warnings close the text summary.
    pub fn new(
        summary: &impl serde::Serialize,
        mut text: String,
        warnings: &[String],
        trace: Trace,
        pcap: Vec<(u64, Vec<u8>)>,
        ok: bool,
    ) -> Outcome {
        for w in warnings {
            text.push_str(&format!("warning: {w}\n"));
        }
        Outcome {
            summary: serde_json::to_value(summary).unwrap_or_default(),
            text,
            trace,
            pcap,
            ok,
        }
    }
}

impl Session {
    /// Sets up namespace, capture and polling. `need_private`: the experiment must change
    /// sysctls, so `--host` is refused.
    pub fn start(
        experiment: &str,
        common: &Common,
        need_private: bool,
        udp: bool,
        default_timeout: f64,
    ) -> Result<Session> {
        Session::start_with(experiment, common, need_private, udp, default_timeout, None)
    }

    /// With `wire`: client and server in two namespaces joined by the user-space wire.
    pub fn start_with(
        experiment: &str,
        common: &Common,
        need_private: bool,
        udp: bool,
        default_timeout: f64,
        wire: Option<Faults>,
    ) -> Result<Session> {
        if let Some(f) = wire {
            return Session::start_wire(experiment, common, udp, default_timeout, f);
        }
        let mut warnings = Vec::new();
        let ns = if common.host {
            if need_private {
                return Err(LabError::Usage(format!(
                    "{experiment} changes sysctls and cannot run on the host (drop --host; it needs root)"
                )));
            }
            Netns::host()
        } else {
            match Netns::new(experiment) {
                Ok(ns) => ns,
                Err(e) if e.is_permission() => {
                    return Err(LabError::Privilege {
                        experiment: experiment.into(),
                        capability: "CAP_SYS_ADMIN",
                        why: format!(
                            "to create a private network namespace{}",
                            if need_private {
                                ""
                            } else {
                                "; or run it unprivileged on the host's loopback with --host"
                            }
                        ),
                    })
                }
                Err(e) => return Err(e),
            }
        };
        let rec = Recorder::new(experiment);
        let lo = Ipv4Addr::LOCALHOST;
        let client = rec.host("client", lo, false);
        let server = rec.host("server", lo, true);
        let port = if ns.is_private() { common.port } else { 0 };
        let capture = match Capture::start(&ns, "lo") {
            Ok(c) => Some(c),
            Err(e) => {
                if ns.is_private() {
                    return Err(LabError::Privilege {
                        experiment: experiment.into(),
                        capability: "CAP_NET_RAW",
                        why: format!("for the AF_PACKET capture on lo: {e}"),
                    });
                }
                warnings.push(format!(
                    "no packet capture ({e}); states and socket calls only (CAP_NET_RAW would add packets)"
                ));
                None
            }
        };
        let poller = Poller::start(
            &ns,
            Duration::from_millis(common.poll_ms.max(1)),
            udp,
            ns.is_private(),
        )?;
        let linux = Congestion::of(&Profile::linux());
        let congestion = if ns.is_private() {
            Some(linux)
        } else {
            match linux.allowed()? {
                None => Some(linux),
                Some(host) => {
                    warnings.push(format!(
                        "TCP_CONGESTION {} refused without CAP_NET_ADMIN (not in tcp_allowed_congestion_control): the sockets use the host's {host}, which may pace, merge and restart differently from the model",
                        linux.name()
                    ));
                    None
                }
            }
        };
        let timeout = common.timeout.unwrap_or(default_timeout);
        Ok(Session {
            client_ns: ns.clone(),
            ns,
            client_ip: lo,
            server_ip: lo,
            rec,
            client,
            server,
            port,
            warnings,
            congestion,
            deadline: Instant::now() + Duration::from_secs_f64(timeout),
            timeout,
            capture,
            wire_late_us: None,
            wire: None,
            pollers: vec![(poller, server)],
            started: Instant::now(),
            progress: Progress::new(experiment, common.quiet),
        })
    }

    fn start_wire(
        experiment: &str,
        common: &Common,
        udp: bool,
        default_timeout: f64,
        faults: Faults,
    ) -> Result<Session> {
        if common.host {
            return Err(LabError::Usage(format!(
                "{experiment} cannot run on the host: it needs two private namespaces joined by the user-space wire (drop --host; it needs root)"
            )));
        }
        let wire = Wire::start(experiment, faults).map_err(|e| {
            if e.is_permission() {
                LabError::Privilege {
                    experiment: experiment.into(),
                    capability: "CAP_SYS_ADMIN and CAP_NET_ADMIN",
                    why: format!("to create two namespaces joined by TUN devices: {e}"),
                }
            } else if e.is_missing_tun() {
                // A machine (or container) without the TUN driver lacks the capability as
                // surely as an unprivileged process: the same exit status, its own reason.
                LabError::Privilege {
                    experiment: experiment.into(),
                    capability: "a TUN device (/dev/net/tun, the tun driver)",
                    why: format!("to join two namespaces by the user-space wire: {e}"),
                }
            } else {
                e
            }
        })?;
        let rec = Recorder::new(experiment);
        let client = rec.host("client", wire::CLIENT_IP, false);
        let server = rec.host("server", wire::SERVER_IP, true);
        let interval = Duration::from_millis(common.poll_ms.max(1));
        let pollers = vec![
            (Poller::start(&wire.server_ns, interval, udp, true)?, server),
            (Poller::start(&wire.client_ns, interval, udp, true)?, client),
        ];
        let timeout = common.timeout.unwrap_or(default_timeout);
        Ok(Session {
            ns: wire.server_ns.clone(),
            client_ns: wire.client_ns.clone(),
            client_ip: wire::CLIENT_IP,
            server_ip: wire::SERVER_IP,
            rec,
            client,
            server,
            port: common.port,
            warnings: Vec::new(),
            congestion: Some(Congestion::of(&Profile::linux())),
            deadline: Instant::now() + Duration::from_secs_f64(timeout),
            timeout,
            capture: None,
            wire_late_us: Some(wire.late_us.clone()),
            wire: Some(wire),
            pollers,
            started: Instant::now(),
            progress: Progress::new(experiment, common.quiet),
        })
    }

    /// True when packets are recorded (a capture on lo, or the wire); false on the host
    /// without CAP_NET_RAW.
    pub fn captures_packets(&self) -> bool {
        self.capture.is_some() || self.wire.is_some()
    }

    /// sock_diag sockets in each namespace of the run (server first).
    pub fn diag_fds(&self) -> Result<Vec<std::os::fd::OwnedFd>> {
        let mut v = Vec::new();
        self.ns.enter()?;
        v.push(crate::sys::diag::open()?);
        if self.wire.is_some() {
            self.client_ns.enter()?;
            v.push(crate::sys::diag::open()?);
        }
        Ok(v)
    }

    /// Fails with `Timeout` once the run's deadline passed, `Interrupted` after Ctrl-C.
    pub fn check(&self, what: &str) -> Result<()> {
        signal::check()?;
        if Instant::now() >= self.deadline {
            return Err(LabError::Timeout {
                what: what.into(),
                secs: self.timeout,
            });
        }
        Ok(())
    }

    /// Sleeps up to `d` (bounded by the deadline), updating the progress line.
    pub fn wait(&mut self, d: Duration, what: &str) -> Result<()> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            self.check(what)?;
            self.progress
                .show(what, self.started.elapsed(), self.timeout);
            std::thread::sleep(Duration::from_millis(20).min(end - Instant::now().min(end)));
        }
        Ok(())
    }

    pub fn tick(&mut self, what: &str) {
        self.progress
            .show(what, self.started.elapsed(), self.timeout);
    }

    /// Ends the run whatever the experiment's body returned. On success: its value and the
    /// trace. On Ctrl-C, SIGTERM or the deadline: capture and polling are stopped as usual and
    /// the trace recorded so far comes back inside `LabError::CutShort`, marked `cut_short`,
    /// so `main` writes it (and the pcap) before it reports the cause. Other errors pass
    /// through (the guards still clean up).
    pub fn finish_with<T>(
        self,
        body: Result<T>,
        max_syn_backlog: Option<u32>,
    ) -> Result<(T, Finished)> {
        let cause = match body {
            Ok(v) => return Ok((v, self.assemble(max_syn_backlog)?)),
            Err(e @ (LabError::Interrupted { .. } | LabError::Timeout { .. })) => e,
            Err(e) => return Err(e),
        };
        let experiment = self.progress.name.clone();
        eprintln!(
            "synack-lab: {}: stopped; cleaning up and writing what was recorded so far (a second Ctrl-C exits at once)",
            match &cause {
                LabError::Interrupted { signal } => signal::name(*signal).to_string(),
                _ => format!("--timeout {} s ran out", self.timeout),
            }
        );
        let mut f = self.assemble(max_syn_backlog)?;
        let why = match cause {
            LabError::Interrupted { .. } => CutReason::Interrupted,
            _ => CutReason::Timeout,
        };
        f.trace.cut_short = Some(CutShort {
            why,
            message: format!("cut short: {cause}"),
        });
        let summary = serde_json::json!({
            "experiment": experiment,
            "cut_short": f.trace.cut_short,
        });
        let mut text = format!(
            "{experiment}: cut short after {:.1} s ({} events recorded so far)\n",
            f.trace.duration_us as f64 / 1e6,
            f.trace.events.len()
        );
        for w in &f.warnings {
            text.push_str(&format!("warning: {w}\n"));
        }
        Err(LabError::CutShort {
            cause: Box::new(cause),
            partial: Box::new(Outcome {
                summary,
                text,
                trace: f.trace,
                pcap: f.pcap,
                ok: false,
            }),
        })
    }

    /// Stops capture and polling and assembles the trace.
    /// `max_syn_backlog`: the experiment's tcp_max_syn_backlog, `None` to read the
    /// namespace's.
    fn assemble(mut self, max_syn_backlog: Option<u32>) -> Result<Finished> {
        // One last poll interval so the final states are seen.
        std::thread::sleep(Duration::from_millis(20));
        self.progress.clear();
        let mut samples = Vec::new();
        let mut budget_full = Vec::new();
        for (p, host) in std::mem::take(&mut self.pollers) {
            let (smp, full) = p.stop()?;
            if full {
                budget_full.push(format!(
                    "sock_diag samples ({} socket entries)",
                    crate::sys::diag::MAX_STORED_SOCKETS
                ));
            }
            samples.push((smp, host));
        }
        let packets = match self.capture.take() {
            Some(c) => {
                let (pk, full) = c.stop()?;
                if full {
                    budget_full.push(format!(
                        "captured packets ({} MiB)",
                        crate::sys::packet::MAX_CAPTURED_BYTES >> 20
                    ));
                }
                pk
            }
            None => Vec::new(),
        };
        // On the host's shared loopback, keep only our server ports' traffic and sockets.
        let private = self.ns.is_private();
        let ports = self.rec.server_ports();
        let ours = |a: u16, b: u16| private || ports.contains(&a) || ports.contains(&b);
        self.rec
            .add_loopback_capture(&packets, &|p| ours(p.sport, p.dport));
        for (smp, _) in &mut samples {
            for sample in smp.iter_mut() {
                sample
                    .sockets
                    .retain(|d| ours(d.local.port(), d.remote.port()));
            }
        }
        if let Some(w) = self.wire.take() {
            if w.priority.get() == Some(&crate::sys::RelayPriority::Refused) {
                self.warnings.push(
                    "the wire's relay got no real-time priority (SCHED_FIFO needs CAP_SYS_NICE): on a busy machine it may hand packets over milliseconds late (lab_late_us says how late)"
                        .into(),
                );
            }
            let wp = w.stop()?;
            let unparsed = self.rec.add_wire_capture(&wp);
            if unparsed > 0 {
                self.warnings.push(format!(
                    "the wire did not relay {unparsed} packet(s) that were not IPv4 TCP/UDP"
                ));
            }
        }
        // What bounds the SYN queue: the experiment's tcp_max_syn_backlog, else the
        // namespace's, and its tcp_syncookies (each namespace has its own copy; the server's
        // is the one with the listener).
        let read = |key: &'static str| -> Option<u32> {
            self.ns
                .run("sysctl", move || crate::sys::netns::read_sysctl(key))
                .ok()
                .and_then(|v| v.trim().parse().ok())
        };
        let syn_limits = SynQueueLimits {
            max_syn_backlog: max_syn_backlog.or_else(|| read("net.ipv4.tcp_max_syn_backlog")),
            syncookies: read("net.ipv4.tcp_syncookies").unwrap_or(1),
            abort_on_overflow: read("net.ipv4.tcp_abort_on_overflow") == Some(1),
        };
        for (smp, host) in &samples {
            self.rec.add_diag(smp, syn_limits, *host);
        }
        let mut trace = self.rec.finish(&kernel_release());
        if !budget_full.is_empty() {
            let message = format!(
                "recording stopped at the budget for {}; the run went on, unrecorded",
                budget_full.join(" and ")
            );
            self.warnings.push(message.clone());
            trace.cut_short = Some(CutShort {
                why: CutReason::CaptureBudget,
                message,
            });
        }
        let pcap = self.rec.pcap_packets();
        Ok(Finished {
            trace,
            pcap,
            warnings: self.warnings.clone(),
        })
    }
}

/// `uname -r`.
pub fn kernel_release() -> String {
    // SAFETY: uname fills a struct we own.
    unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return "unknown".into();
        }
        std::ffi::CStr::from_ptr(u.release.as_ptr())
            .to_string_lossy()
            .into_owned()
    }
}

/// A one-line progress display on stderr: only when stderr is a terminal, not with `--quiet`,
/// and only once a run has lasted two seconds (short runs stay silent).
pub struct Progress {
    name: String,
    tty: bool,
    started: Instant,
    last: Option<Instant>,
}

/// Runs shorter than this print no progress line.
const PROGRESS_AFTER: Duration = Duration::from_secs(2);

impl Progress {
    pub fn new(name: &str, quiet: bool) -> Progress {
        Progress {
            name: name.into(),
            tty: !quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            last: None,
        }
    }

    pub fn show(&mut self, what: &str, elapsed: Duration, limit: f64) {
        self.line(&format!(
            "{what} … {:.1} s (limit {limit:.0} s, Ctrl-C stops and cleans up)",
            elapsed.as_secs_f64()
        ));
    }

    /// Shows `text` after the experiment's name, at most ten times a second.
    pub fn line(&mut self, text: &str) {
        if !self.tty
            || self.started.elapsed() < PROGRESS_AFTER
            || self
                .last
                .is_some_and(|l| l.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        eprint!("\r\x1b[2K{}: {text}", self.name);
    }

    pub fn clear(&mut self) {
        if self.tty && self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}
