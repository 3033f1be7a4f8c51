//! Command line (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples (as root; every run happens in private network namespaces it removes again):
  synack-lab handshake --out handshake.json --pcap handshake.pcap
  synack-lab teardown --first server --watch-time-wait 65
  synack-lab sticky --count 10 --size 8 --read-delay-ms 100 --json
  synack-lab udp --pcap udp.pcap
  synack-lab backlog --backlog 1 --clients 4 --synack-retries 2 --send 5
  synack-lab backlog --preset seed --out seed.json --pcap seed.pcap   # 1-2 min, like the seed capture
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
    /// segment, state change and call (times within 5 % or 10 ms). Exit status 1 on any
    /// difference.
    Compare {
        /// A case (handshake-normal, teardown-abort, ... see the README), `all`, or a
        /// scenario .json file.
        case: String,
        #[command(flatten)]
        common: Common,
    },
    /// Runs every compare case on this kernel and writes each one's scenario, trace and pcap
    /// into the repository's recordings folder, named after the kernel version.
    Record {
        /// Only these cases (default: all).
        cases: Vec<String>,
        /// Folder holding the per-kernel folders (default: tests/kernel-recordings).
        #[arg(long)]
        dir: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Runs the model on a scenario file and writes its trace (no kernel involved): to stdout,
    /// with the summary on stderr, unless `--out FILE` or `--json` is given.
    Sim {
        scenario: PathBuf,
        #[command(flatten)]
        common: Common,
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
    /// Upper bound for the whole run, seconds (every wait is bounded by it).
    #[arg(long, value_name = "SECS", global = true)]
    pub timeout: Option<f64>,
    /// TCP port of the server.
    #[arg(long, default_value_t = 9999, global = true)]
    pub port: u16,
    /// sock_diag polling interval, milliseconds (states shorter than this may be missed).
    #[arg(long, default_value_t = 1, global = true)]
    pub poll_ms: u64,
    /// One-way delay, ms, of a user-space wire between a client namespace and a server
    /// namespace (10.47.0.1 ↔ 10.47.0.2). 0 = both ends on one namespace's loopback. Default:
    /// 20 for backlog and loss, 0 for the others. A delay makes short states (SYN-SENT,
    /// FIN-WAIT-1) visible to sock_diag and lets two FINs cross.
    #[arg(long, global = true)]
    pub delay_ms: Option<u64>,
    /// Run on the host's loopback instead of a private namespace (unprivileged fallback;
    /// the port becomes ephemeral, no sysctls are changed).
    #[arg(long, global = true)]
    pub host: bool,
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
    /// Milliseconds between the first and the second close (the half-closed period).
    #[arg(long, default_value_t = 200)]
    pub gap_ms: u64,
    /// Seconds to keep watching TIME-WAIT. Linux's TIME-WAIT is fixed at 60 s
    /// (TCP_TIMEWAIT_LEN, not a sysctl): use 65 or more to see it end.
    #[arg(long, default_value_t = 2.0)]
    pub watch_time_wait: f64,
    /// Abortive close (SO_LINGER 0): the first closer sends RST instead of FIN; no TIME-WAIT.
    #[arg(long)]
    pub abort: bool,
}

#[derive(Args, Debug, Clone)]
pub struct StickyOpts {
    /// Number of small writes.
    #[arg(long, default_value_t = 10)]
    pub count: u32,
    /// Bytes per write.
    #[arg(long, default_value_t = 8)]
    pub size: u32,
    /// Only this mode (default: run Nagle on, then TCP_NODELAY, and compare).
    #[arg(long, value_enum)]
    pub mode: Option<NagleMode>,
    /// The reader waits this long before its first recv() (0 = reads at once).
    #[arg(long, default_value_t = 0)]
    pub read_delay_ms: u64,
    /// recv() buffer size.
    #[arg(long, default_value_t = 1024)]
    pub buf: usize,
    /// Microseconds between writes (0 = back to back).
    #[arg(long, default_value_t = 0)]
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
    /// The seed chapter's capture: a full accept queue on port 9999, a client whose handshake
    /// completed on its side sending 5 bytes, tcp_synack_retries 5, the RST after 1-2 minutes.
    Seed,
}

#[derive(Args, Debug, Clone)]
pub struct BacklogOpts {
    /// listen() backlog; Linux's accept queue holds backlog+1 connections.
    #[arg(long, default_value_t = 1)]
    pub backlog: i32,
    /// Number of clients connecting, one after another.
    #[arg(long, default_value_t = 3)]
    pub clients: u32,
    /// Accept one connection every this many milliseconds (default: never accept).
    #[arg(long)]
    pub accept_every_ms: Option<u64>,
    /// Bytes each client sends right after connecting (the seed's client sends 5).
    #[arg(long, default_value_t = 0)]
    pub send: u32,
    /// net.ipv4.tcp_synack_retries in the namespace.
    #[arg(long, default_value_t = 2)]
    pub synack_retries: u32,
    /// net.ipv4.tcp_abort_on_overflow=1: answer the overflowing ACK with an RST.
    #[arg(long)]
    pub abort_on_overflow: bool,
    /// net.ipv4.tcp_max_syn_backlog in the namespace.
    #[arg(long, default_value_t = 128)]
    pub max_syn_backlog: u32,
    /// net.ipv4.tcp_syncookies (0, 1 or 2).
    #[arg(long, default_value_t = 1)]
    pub syncookies: u32,
    /// Milliseconds between two clients' connect() calls (default: 1.5 × the wire delay, so
    /// a later SYN arrives after the first handshake completed but before the second one did
    /// — that is how a real request, not a SYN cookie, meets a full accept queue).
    #[arg(long)]
    pub gap_ms: Option<u64>,
    /// Seconds to watch after the last client (default: until the SYN-ACK retries are spent
    /// and a following client retransmission had time to draw the RST).
    #[arg(long)]
    pub watch: Option<f64>,
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
}

#[derive(Args, Debug, Clone)]
pub struct LossOpts {
    /// Bytes the client sends to the server.
    #[arg(long, default_value_t = 20_000)]
    pub bytes: u32,
    /// Extra random delay 0..jitter ms per packet (this reorders).
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Random loss, percent, both directions (the model's `loss_pct`).
    #[arg(long, default_value_t = 0.0)]
    pub loss_pct: f64,
    /// Random duplication, percent (the model's `duplicate_pct`).
    #[arg(long, default_value_t = 0.0)]
    pub dup_pct: f64,
    /// Drop the n-th data segment the client sends (1-based, retransmissions count), like the
    /// model's fault rule `{from: client, matches: data, nth: n, action: drop}`.
    #[arg(long, value_delimiter = ',')]
    pub drop_data: Vec<u32>,
    /// PRNG seed for loss/duplication/jitter.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
