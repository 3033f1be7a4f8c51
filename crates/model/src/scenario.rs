//! Scenarios: the input of a run, as data (JSON). Documented in `docs/scenario-format.md`.
//!
//! A scenario names hosts, the network between them, scripted faults, sockets and the
//! applications' scripts of socket calls, plus the profile and the seed.

use serde::{Deserialize, Serialize};

use crate::profile::{ProfileId, ProfileOverrides};
use crate::trace::{Micros, Proto};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub profile: ProfileId,
    /// Single profile constants changed for this run (sysctls such as `synack_retries`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub tuning: ProfileOverrides,
    pub hosts: Vec<HostSpec>,
    #[serde(default)]
    pub network: NetworkSpec,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultRule>,
    /// Multicast groups (name → address), joined by UDP sockets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupSpec>,
    pub sockets: Vec<SocketSpec>,
    #[serde(default)]
    pub apps: Vec<AppScript>,
    #[serde(default)]
    pub limits: Limits,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostSpec {
    pub name: String,
    /// Shown as the host's address ("10.0.0.1").
    pub addr: String,
}

/// One direction of the network (or both, as the default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkSpec {
    /// One-way propagation delay.
    pub latency_us: Micros,
    /// Extra delay drawn uniformly from 0..=jitter_us per packet.
    pub jitter_us: Micros,
    /// Bits per second; 0 means no serialisation delay.
    pub bandwidth_bps: u64,
    /// Largest IP packet; bigger ones are dropped (DF set).
    pub mtu: u32,
    /// Random loss, percent (0-100).
    pub loss_pct: f64,
    /// Random duplication, percent.
    pub duplicate_pct: f64,
    /// Percent of packets held back by an extra `latency_us + jitter_us` so later ones
    /// overtake them.
    pub reorder_pct: f64,
}

impl Default for LinkSpec {
    fn default() -> LinkSpec {
        LinkSpec {
            latency_us: 20_000,
            jitter_us: 0,
            bandwidth_bps: 0,
            mtu: 1500,
            loss_pct: 0.0,
            duplicate_pct: 0.0,
            reorder_pct: 0.0,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkSpec {
    /// Applies to every direction without an override.
    #[serde(default)]
    pub default: LinkSpec,
    /// Per-direction overrides (host names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directions: Vec<DirectionSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectionSpec {
    pub from: String,
    pub to: String,
    pub link: LinkSpec,
}

/// Which segments a fault rule matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentMatch {
    #[default]
    Any,
    /// SYN without ACK.
    Syn,
    SynAck,
    /// ACK with no data and no SYN/FIN/RST.
    PureAck,
    /// Carries payload (TCP or UDP).
    Data,
    Fin,
    Rst,
    Udp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FaultAction {
    Drop,
    /// Deliver later by this much.
    Delay {
        by_us: Micros,
    },
    /// Deliver an extra copy.
    Duplicate,
}

/// "Drop the 3rd segment from A", "drop every SYN-ACK", "delay the FIN by 2 s".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Sending host name (any if absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default)]
    pub matches: SegmentMatch,
    /// Only the n-th matching segment (1-based); every match if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    /// Only segments sent at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_us: Option<Micros>,
    /// Only segments sent before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_us: Option<Micros>,
    #[serde(flatten)]
    pub action: FaultAction,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSpec {
    pub name: String,
    pub addr: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SocketSpec {
    /// Name used by scripts and shown in the viewer.
    pub label: String,
    pub host: String,
    pub proto: Proto,
    /// 0: an ephemeral port chosen by the host (from 40000 up).
    #[serde(default)]
    pub port: u16,
    /// SO_RCVBUF override, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recv_buffer: Option<u32>,
    /// SO_SNDBUF override, bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_buffer: Option<u32>,
    /// TCP_NODELAY from the start.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_delay: bool,
    /// SO_REUSEADDR (UDP: several sockets on one port, each gets multicast copies).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reuse_addr: bool,
    /// Multicast groups (names from `groups`) this UDP socket joins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub join: Vec<String>,
}

/// A script of socket calls. Steps run in order; each starts at the later of its `at_us`
/// (absolute), `after_us` past the previous step's return, and that return.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppScript {
    /// The socket the script starts on (a label from `sockets`).
    pub socket: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_us: Option<Micros>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_us: Option<Micros>,
    /// Run this step (and the following ones) on another socket, by label; accepted
    /// connections are labelled by their `accept` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    #[serde(flatten)]
    pub action: Action,
}

impl Step {
    pub fn now(action: Action) -> Step {
        Step {
            at_us: None,
            after_us: None,
            on: None,
            action,
        }
    }
    pub fn at(at_us: Micros, action: Action) -> Step {
        Step {
            at_us: Some(at_us),
            ..Step::now(action)
        }
    }
    pub fn after(after_us: Micros, action: Action) -> Step {
        Step {
            after_us: Some(after_us),
            ..Step::now(action)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Action {
    /// TCP: active open to "host:port"; blocks until established or failed.
    /// UDP: sets the default destination.
    Connect {
        to: String,
    },
    Listen {
        backlog: u32,
    },
    /// Blocks until a connection is in the accept queue; following steps use it.
    Accept {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Send `len` bytes, optionally as a named message (followed byte by byte in the trace).
    Send {
        len: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Framing bytes (a length prefix, a delimiter) rather than opaque data.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<crate::trace::MessageContent>,
    },
    /// UDP sendto "host:port" or "group:port".
    SendTo {
        to: String,
        len: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// recv()/recvfrom() with a buffer of `max` bytes; blocks until something is there.
    Recv {
        max: u32,
    },
    /// A read loop: recv(max) again and again until it returns 0 (EOF) or an error. Each
    /// call shows in the trace.
    RecvLoop {
        max: u32,
    },
    Shutdown,
    Close,
    /// close() with SO_LINGER {on, 0}: RST.
    Abort,
    SetNoDelay {
        on: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Stop the run at this time even if things are still happening.
    pub max_time_us: Micros,
    /// Stop after this many trace events.
    pub max_events: usize,
    /// A snapshot every this many events.
    pub snapshot_every: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_time_us: 3_600_000_000,
            max_events: 4_000_000,
            snapshot_every: 256,
        }
    }
}

/// Why a scenario cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    UnknownHost(String),
    UnknownSocket(String),
    UnknownGroup(String),
    BadAddress(String),
    Invalid(String),
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioError::UnknownHost(h) => write!(f, "unknown host \"{h}\""),
            ScenarioError::UnknownSocket(s) => write!(f, "unknown socket \"{s}\""),
            ScenarioError::UnknownGroup(g) => write!(f, "unknown multicast group \"{g}\""),
            ScenarioError::BadAddress(a) => {
                write!(f, "bad address \"{a}\" (expected \"host:port\")")
            }
            ScenarioError::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        serde_json::from_str(text).map_err(|e| ScenarioError::Invalid(format!("scenario: {e}")))
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serialises")
    }
}

/// Percent → parts per million, clamped to 0..=100 %. NaN counts as 0.
pub(crate) fn pct_to_ppm(pct: f64) -> u32 {
    if pct.is_nan() || pct <= 0.0 {
        0
    } else if pct >= 100.0 {
        1_000_000
    } else {
        (pct * 10_000.0).round() as u32
    }
}
