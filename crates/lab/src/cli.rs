//! Command line (clap derive).

use std::path::PathBuf;

use clap::{value_parser, Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples (as root; every run happens in private network namespaces it removes again):
  synack-lab handshake --out handshake.json --pcap handshake.pcap
  synack-lab teardown --first server --watch-time-wait 65
  synack-lab sticky --count 10 --size 8 --read-delay-ms 100 --json
  synack-lab udp --pcap udp.pcap
  synack-lab backlog --backlog 1 --clients 4 --synack-retries 2 --send 5
  synack-lab backlog --preset real-capture --out overflow.json --pcap overflow.pcap   # 1-2 min, like a capture of a real accept-queue overflow
  synack-lab backlog --abort-on-overflow --clients 4
  synack-lab teardown --first both --delay-ms 20                       # FINs cross: CLOSING
  synack-lab loss --bytes 20000 --loss-pct 5 --delay-ms 20 --seed 7
  synack-lab loss --drop-data 3 --pcap loss.pcap                      # one scripted drop

Privileges: every experiment creates its own network namespace and captures with an AF_PACKET
socket, so it needs root (CAP_SYS_ADMIN for the namespace, CAP_NET_ADMIN for its sysctls and
interfaces, CAP_NET_RAW for the capture). Without them, handshake, teardown, sticky and udp still
run on the host's loopback with `--host` (states and socket calls only; packets too if the
process has CAP_NET_RAW); backlog and loss refuse, because they must change sysctls or create
interfaces.";

#[derive(Parser, Debug)]
#[command(
    name = "synack-lab",
    version,
    about = "Runs synack's TCP/UDP experiments on this machine's Linux kernel and writes the same trace format as the model (+ pcap)",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Three-way handshake on loopback: SYN, SYN-ACK, ACK with their options, then a close.
    Handshake {
        #[command(flatten)]
        common: Common,
    },
    /// Four-way teardown: who closes first (client, server, or both at once), and TIME-WAIT.
    Teardown {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: TeardownOpts,
    },
    /// "Sticky packets" (粘包): many small writes, Nagle vs TCP_NODELAY, what each recv()
    /// returns, and a length-prefix codec recovering the messages.
    Sticky {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: StickyOpts,
    },
    /// UDP keeps message boundaries: datagrams, truncation (MSG_TRUNC), several senders,
    /// SO_REUSEADDR and multicast n:m.
    Udp {
        #[command(flatten)]
        common: Common,
    },
    /// The listen backlog: a slow (or absent) accept(), M clients, the accept queue overflowing.
    Backlog {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: BacklogOpts,
    },
    /// A transfer through a user-space wire that drops, delays, duplicates and reorders
    /// (seeded), between two namespaces joined by TUN devices.
    Loss {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        opts: LossOpts,
    },
    /// Runs one scenario on this kernel and in the model, and diffs them strictly: every
    /// segment, state change and call (times within 5 % or 10 ms). A scripted peer
    /// (`hosts[].script`) is played by the wire against the kernel and checked line by line.
    /// Exit status 1 on any difference or failed expectation.
    Compare {
        /// A case (handshake-normal, teardown-abort, ... see the README), `all`, a recording's
        /// name (tests/kernel-recordings/linux-*/NAME.scenario.json), or a scenario .json file.
        case: String,
        #[command(flatten)]
        common: Common,
    },
    /// Runs every compare case on this kernel and writes each one's scenario, trace and pcap
    /// into the repository's recordings folder, named after the kernel version.
    Record {
        /// Only these cases (default: all, then the checked-in recordings made from scenario
        /// files), or scenario .json files (each recorded under its file name).
        cases: Vec<String>,
        /// Folder holding the per-kernel folders (default: tests/kernel-recordings).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Of the cases (all of them, the sweep's recorded points included, in the lab's case
        /// order), only those whose place in the list is K modulo N
        /// ("K/N"). The drift test turns K with the day, so that each run re-records a share and
        /// N runs cover them all.
        #[arg(long, value_name = "K/N", value_parser = share)]
        share: Option<(usize, usize)>,
        #[command(flatten)]
        common: Common,
    },
    /// Varies the compare cases one parameter at a time (sysctls, socket options, the link's
    /// delay, one lost segment) and compares each point on this kernel and in the model: one
    /// line a point, then every point where they differ with its first difference. A point
    /// `case+axis=value` is a case `compare` and `record` take too. Exit status 1 on any
    /// difference.
    Sweep {
        /// Only these axes (default: all; `--list` names them).
        axes: Vec<String>,
        /// Only the points of this case (repeatable).
        #[arg(long = "case", value_name = "CASE")]
        only: Vec<String>,
        /// Write each differing point's scenario into this folder (run it again with
        /// `compare FILE`).
        #[arg(long, value_name = "DIR")]
        save: Option<PathBuf>,
        /// List the axes, their values and cases, and run nothing.
        #[arg(long)]
        list: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Draws scenarios nobody wrote from a seed (conversations: one or two clients, a delay,
    /// scripts of 2-8 calls a side, sometimes a dropped or held-back segment and one or two
    /// sweep axes; listen backlogs with 2-5 clients; UDP senders and receivers; a client that
    /// connects again while its last connection is in TIME-WAIT) and compares each on this
    /// kernel and in the model, as `compare FILE` does: one line a scenario. Exit status 1 if
    /// any differ.
    Explore {
        /// The seed: the same seed draws the same scenarios.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// How many scenarios, 1-100000.
        #[arg(long, default_value_t = 20, value_parser = value_parser!(u64).range(1..=100_000))]
        count: u64,
        /// The first scenario's index: `--from 34 --count 1` draws scenario 34 of the seed
        /// alone, as the full run drew it.
        #[arg(long, value_name = "I", default_value_t = 0, value_parser = value_parser!(u64).range(0..=100_000))]
        from: u64,
        /// Write each differing scenario into this folder (run it again with `compare FILE`).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Runs the model on a scenario file and writes its trace (no kernel involved): to stdout,
    /// with the summary on stderr, unless `--out FILE` or `--json` is given.
    Sim {
        scenario: PathBuf,
        #[command(flatten)]
        common: Common,
        /// Event budget of the run (the scenario's `limits.max_events`, default 1,000,000:
        /// about 180 MB), 1-20000000. A run that reaches it stops with a trace marked cut short.
        #[arg(long, value_name = "N", value_parser = value_parser!(u64).range(1..=synack_model::scenario::MAX_EVENTS_CEILING as u64))]
        max_events: Option<u64>,
    },
}

/// Options every experiment takes.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Print the result as JSON on stdout (the human summary goes to stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Write the trace (docs/trace-format.md) here.
    #[arg(long, value_name = "trace.json", global = true)]
    pub out: Option<PathBuf>,
    /// Write the captured packets here as a classic pcap file.
    #[arg(long, value_name = "out.pcap", global = true)]
    pub pcap: Option<PathBuf>,
    /// Upper bound for the whole run, seconds, 0.1-86400 (every wait is bounded by it; at the
    /// limit the run stops and writes what it recorded, marked cut short).
    #[arg(long, value_name = "SECS", global = true, value_parser = float_in(0.1, 86_400.0))]
    pub timeout: Option<f64>,
    /// TCP port of the server, 1-65535.
    #[arg(long, default_value_t = 9999, global = true, value_parser = value_parser!(u16).range(1..))]
    pub port: u16,
    /// sock_diag polling interval, milliseconds, 1-1000 (states shorter than this may be
    /// missed).
    #[arg(long, default_value_t = 1, global = true, value_parser = value_parser!(u64).range(1..=1000))]
    pub poll_ms: u64,
    /// One-way delay, ms, of a user-space wire between a client namespace and a server
    /// namespace (10.47.0.1 ↔ 10.47.0.2). 0 = both ends on one namespace's loopback. Default:
    /// 20 for backlog and loss, 0 for the others. A delay makes short states (SYN-SENT,
    /// FIN-WAIT-1) visible to sock_diag and lets two FINs cross. 0-10000. Not with --host
    /// (the wire needs namespaces and TUN devices).
    #[arg(long, global = true, value_parser = value_parser!(u64).range(0..=10_000))]
    pub delay_ms: Option<u64>,
    /// Run on the host's loopback instead of a private namespace (unprivileged fallback;
    /// the port becomes ephemeral, no sysctls are changed, no wire delay).
    #[arg(long, global = true)]
    pub host: bool,
    /// No progress line (it shows on a terminal once a run has lasted 2 s).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum First {
    Client,
    Server,
    /// Both sides close at the same moment (FINs cross: CLOSING, if the timing allows).
    Both,
}

#[derive(Args, Debug, Clone)]
pub struct TeardownOpts {
    /// Who calls close() first.
    #[arg(long, value_enum, default_value_t = First::Client)]
    pub first: First,
    /// Milliseconds between the first and the second close (the half-closed period), 0-600000.
    #[arg(long, default_value_t = 200, value_parser = value_parser!(u64).range(0..=600_000))]
    pub gap_ms: u64,
    /// Seconds to keep watching TIME-WAIT, 0-600. Linux's TIME-WAIT is fixed at 60 s
    /// (TCP_TIMEWAIT_LEN, not a sysctl): use 65 or more to see it end.
    #[arg(long, default_value_t = 2.0, value_parser = float_in(0.0, 600.0))]
    pub watch_time_wait: f64,
    /// Abortive close (SO_LINGER 0): the first closer sends RST instead of FIN; no TIME-WAIT.
    #[arg(long)]
    pub abort: bool,
}

#[derive(Args, Debug, Clone)]
pub struct StickyOpts {
    /// Number of small writes, 1-10000 (and count × size at most 4 MiB). 10,000 writes take
    /// about 2 s and 110 MB; the recording's cost grows faster than the count.
    #[arg(long, default_value_t = 10, value_parser = value_parser!(u32).range(1..=10_000))]
    pub count: u32,
    /// Bytes per write, 1-4194304 (4 MiB).
    #[arg(long, default_value_t = 8, value_parser = value_parser!(u32).range(1..=4 << 20))]
    pub size: u32,
    /// Only this mode (default: run Nagle on, then TCP_NODELAY, and compare).
    #[arg(long, value_enum)]
    pub mode: Option<NagleMode>,
    /// The reader waits this long before its first recv() (0 = reads at once), 0-600000.
    #[arg(long, default_value_t = 0, value_parser = value_parser!(u64).range(0..=600_000))]
    pub read_delay_ms: u64,
    /// recv() buffer size, 1-16777216.
    #[arg(long, default_value_t = 1024, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=16 << 20))]
    pub buf: usize,
    /// Microseconds between writes (0 = back to back), 0-1000000.
    #[arg(long, default_value_t = 0, value_parser = value_parser!(u64).range(0..=1_000_000))]
    pub gap_us: u64,
    /// Keep Linux TCP autocorking on (it can merge writes even with TCP_NODELAY while earlier
    /// data still sits in the device queue). Off by default so that the Nagle effect is alone.
    #[arg(long)]
    pub autocork: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NagleMode {
    Nagle,
    Nodelay,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Like a capture of a real accept-queue overflow: a full accept queue on port 9999, a
    /// client whose handshake completed on its side sending 5 bytes, tcp_synack_retries 5,
    /// the RST after 1-2 minutes.
    // Clap hides an alias from --help; it keeps older command lines working.
    #[value(alias = "seed")]
    RealCapture,
}

#[derive(Args, Debug, Clone)]
pub struct BacklogOpts {
    /// listen() backlog, 0-4096; Linux's accept queue holds backlog+1 connections (the
    /// kernel clamps a larger backlog to net.core.somaxconn, 4096).
    #[arg(long, default_value_t = 1, value_parser = value_parser!(i32).range(0..=4096))]
    pub backlog: i32,
    /// Number of clients connecting, one after another, 1-1000.
    #[arg(long, default_value_t = 3, value_parser = value_parser!(u32).range(1..=1000))]
    pub clients: u32,
    /// Accept one connection every this many milliseconds, 1-600000 (default: never accept).
    #[arg(long, value_parser = value_parser!(u64).range(1..=600_000))]
    pub accept_every_ms: Option<u64>,
    /// Bytes each client sends right after connecting (the capture's client sends 5),
    /// 0-65536.
    #[arg(long, default_value_t = 0, value_parser = value_parser!(u32).range(0..=65_536))]
    pub send: u32,
    /// net.ipv4.tcp_synack_retries in the namespace, 0-255 (a u8 sysctl).
    #[arg(long, default_value_t = 2, value_parser = value_parser!(u32).range(0..=255))]
    pub synack_retries: u32,
    /// net.ipv4.tcp_abort_on_overflow=1: answer the overflowing ACK with an RST.
    #[arg(long)]
    pub abort_on_overflow: bool,
    /// net.ipv4.tcp_max_syn_backlog in the namespace, 0-1048576 (without syncookies, 0 drops
    /// every SYN behind one queued request).
    #[arg(long, default_value_t = 128, value_parser = value_parser!(u32).range(0..=1 << 20))]
    pub max_syn_backlog: u32,
    /// net.ipv4.tcp_syncookies: 0 (off), 1 (when the SYN queue overflows) or 2 (always).
    #[arg(long, default_value_t = 1, value_parser = value_parser!(u32).range(0..=2))]
    pub syncookies: u32,
    /// Milliseconds between two clients' connect() calls (default: 1.5 × the wire delay, so
    /// a later SYN arrives after the first handshake completed but before the second one did
    /// — that is how a real request, not a SYN cookie, meets a full accept queue). 0-60000.
    #[arg(long, value_parser = value_parser!(u64).range(0..=60_000))]
    pub gap_ms: Option<u64>,
    /// Seconds to watch after the last client, 0-3600 (default: until the SYN-ACK retries are
    /// spent and a following client retransmission had time to draw the RST).
    #[arg(long, value_parser = float_in(0.0, 3600.0))]
    pub watch: Option<f64>,
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
}

#[derive(Args, Debug, Clone)]
pub struct LossOpts {
    /// Bytes the client sends to the server, 1-16777216 (16 MiB).
    #[arg(long, default_value_t = 20_000, value_parser = value_parser!(u32).range(1..=16 << 20))]
    pub bytes: u32,
    /// Extra random delay 0..jitter ms per packet (this reorders), 0-10000.
    #[arg(long, default_value_t = 0, value_parser = value_parser!(u64).range(0..=10_000))]
    pub jitter_ms: u64,
    /// Random loss, percent, both directions (the model's `loss_pct`), 0-100.
    #[arg(long, default_value_t = 0.0, value_parser = float_in(0.0, 100.0))]
    pub loss_pct: f64,
    /// Random duplication, percent (the model's `duplicate_pct`), 0-100.
    #[arg(long, default_value_t = 0.0, value_parser = float_in(0.0, 100.0))]
    pub dup_pct: f64,
    /// Drop the n-th data segment the client sends (1-based, retransmissions count), like the
    /// model's fault rule `{from: client, matches: data, nth: n, action: drop}`. 1-1000000.
    #[arg(long, value_delimiter = ',', value_parser = value_parser!(u32).range(1..=1_000_000))]
    pub drop_data: Vec<u32>,
    /// PRNG seed for loss/duplication/jitter.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// A value parser for a decimal option in `lo..=hi`: NaN, infinities and out-of-range values
/// are refused by clap before anything runs ("invalid value 'nan' for '--timeout \<SECS\>': …").
fn float_in(lo: f64, hi: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |text: &str| {
        let v: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("not a number (allowed: {lo}..={hi})"))?;
        if v.is_finite() && (lo..=hi).contains(&v) {
            Ok(v)
        } else {
            Err(format!("{v} is not in {lo}..={hi}"))
        }
    }
}

impl Cmd {
    /// The options every subcommand shares.
    pub fn common(&self) -> &Common {
        match self {
            Cmd::Handshake { common }
            | Cmd::Teardown { common, .. }
            | Cmd::Sticky { common, .. }
            | Cmd::Udp { common }
            | Cmd::Backlog { common, .. }
            | Cmd::Loss { common, .. }
            | Cmd::Compare { common, .. }
            | Cmd::Record { common, .. }
            | Cmd::Sweep { common, .. }
            | Cmd::Explore { common, .. }
            | Cmd::Sim { common, .. } => common,
        }
    }
}

/// "K/N" with K < N.
fn share(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s.split_once('/').ok_or("expected K/N, such as 0/3")?;
    let (k, n): (usize, usize) = (
        k.parse().map_err(|_| format!("{k:?} is not a number"))?,
        n.parse().map_err(|_| format!("{n:?} is not a number"))?,
    );
    if k >= n {
        return Err(format!("K must be below N in K/N, not {k}/{n}"));
    }
    Ok((k, n))
}
