//! What every loopback experiment shares: a private namespace (or the host, with `--host`),
//! the recorder with client and server hosts, the capture on `lo`, the sock_diag poller, a
//! deadline, a progress line, and the final assembly of trace + pcap.

use std::io::IsTerminal;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use synack_model::trace::{HostId, Trace};

use crate::cli::Common;
use crate::error::{LabError, Result};
use crate::recorder::{Recorder, SynQueueLimits};
use crate::sys::diag::Poller;
use crate::sys::netns::Netns;
use crate::sys::packet::Capture;
use crate::sys::signal;
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
            deadline: Instant::now() + Duration::from_secs_f64(timeout),
            timeout,
            capture,
            wire_late_us: None,
            wire: None,
            pollers: vec![(poller, server)],
            started: Instant::now(),
            progress: Progress::new(experiment),
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
            deadline: Instant::now() + Duration::from_secs_f64(timeout),
            timeout,
            capture: None,
            wire_late_us: Some(wire.late_us.clone()),
            wire: Some(wire),
            pollers,
            started: Instant::now(),
            progress: Progress::new(experiment),
        })
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

    /// Stops capture and polling and assembles the trace.
    /// `max_syn_backlog`: the experiment's tcp_max_syn_backlog, 0 to read the namespace's.
    pub fn finish(mut self, max_syn_backlog: u32) -> Result<Finished> {
        // One last poll interval so the final states are seen.
        std::thread::sleep(Duration::from_millis(20));
        self.progress.clear();
        let mut samples = Vec::new();
        for (p, host) in std::mem::take(&mut self.pollers) {
            samples.push((p.stop()?, host));
        }
        let packets = match self.capture.take() {
            Some(c) => c.stop()?,
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
            max_syn_backlog: if max_syn_backlog > 0 {
                max_syn_backlog
            } else {
                read("net.ipv4.tcp_max_syn_backlog").unwrap_or(0)
            },
            syncookies: read("net.ipv4.tcp_syncookies").unwrap_or(1),
        };
        for (smp, host) in &samples {
            self.rec.add_diag(smp, syn_limits, *host);
        }
        let trace = self.rec.finish(&kernel_release());
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

/// A one-line progress display on stderr (only when stderr is a terminal).
pub struct Progress {
    name: String,
    tty: bool,
    last: Option<Instant>,
}

impl Progress {
    pub fn new(name: &str) -> Progress {
        Progress {
            name: name.into(),
            tty: std::io::stderr().is_terminal(),
            last: None,
        }
    }

    pub fn show(&mut self, what: &str, elapsed: Duration, limit: f64) {
        if !self.tty
            || self
                .last
                .is_some_and(|l| l.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        eprint!(
            "\r\x1b[2K{}: {what} … {:.1} s (limit {limit:.0} s, Ctrl-C stops and cleans up)",
            self.name,
            elapsed.as_secs_f64()
        );
    }

    pub fn clear(&mut self) {
        if self.tty && self.last.is_some() {
            eprint!("\r\x1b[2K");
        }
    }
}
