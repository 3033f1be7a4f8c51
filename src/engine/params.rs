//! Scene parameters <-> URL query. Every parameter and the playhead live in the URL, so a link
//! reproduces exactly what its sender saw. Bad values fall back to defaults and say so.

use synack_model::VecMap;

use crate::i18n::Lang;
use crate::num::{self, math};
use crate::route::Query;

use super::labels::Numbering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Linux,
    Rfc,
}

impl Profile {
    pub fn code(self) -> &'static str {
        match self {
            Profile::Linux => "linux",
            Profile::Rfc => "rfc",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Ladder,
    States,
}

pub const SPEED_MIN: f64 = 0.01;
pub const SPEED_MAX: f64 = 2.0;
pub const LATENCY_MAX_MS: u32 = 2_000;
pub const JITTER_MAX_MS: u32 = 500;
pub const LOSS_MAX_PCT: f64 = 90.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// The scene's what-if case id ("syn-lost"...). Validated by the scene.
    pub case: String,
    /// One-way delay, ms.
    pub latency_ms: u32,
    pub jitter_ms: u32,
    pub loss_pct: f64,
    pub seed: u64,
    pub profile: Profile,
    /// Playhead, µs. `None`: start of the trace.
    pub t_us: Option<u64>,
    pub speed: f64,
    pub numbering: Numbering,
    pub view: View,
    pub autoplay: bool,
    pub embed: bool,
    /// The scene's own knobs set away from its case's values, by URL key (see [`KnobSpec`]).
    /// Ordered, so the URL writes them in a stable order (a sorted `Vec`, not a `BTreeMap`:
    /// first-load size, see `synack_model::vecmap`).
    pub knobs: VecMap<String, u32>,
}

/// A scene's own whole-number knob in the URL (a backlog size, a client count…): its key and
/// the range a link may ask for. Switches are knobs with the range 0..=1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KnobSpec {
    pub key: &'static str,
    pub min: u32,
    pub max: u32,
}

/// Reads the scene's own knobs from the query; a value outside its range or not a number is
/// left out with a notice, and the case's own value (`case_value`) stays.
pub fn read_knobs(
    q: &Query,
    specs: &[KnobSpec],
    case_value: impl Fn(&str) -> u32,
    p: &mut Params,
) -> Vec<Notice> {
    let mut notices = Vec::new();
    for s in specs {
        if let Some(v) = q.get(s.key) {
            match v.trim().parse::<u32>() {
                Ok(x) if (s.min..=s.max).contains(&x) => {
                    p.knobs.insert(s.key.to_string(), x);
                }
                _ => notices.push(Notice {
                    key: s.key.into(),
                    given: v.into(),
                    used: case_value(s.key).to_string(),
                    range: Some((s.min.into(), s.max.into())),
                }),
            }
        }
    }
    notices
}

/// Writes the scene's own knobs into `q`, removing those no longer set.
pub fn write_knobs(p: &Params, specs: &[KnobSpec], q: &mut Query) {
    for s in specs {
        match p.knobs.get(s.key) {
            Some(v) => q.set(s.key, v.to_string()),
            None => q.remove(s.key),
        }
    }
}

impl Params {
    pub fn defaults(case: &str) -> Params {
        Params {
            case: case.to_string(),
            latency_ms: 40,
            jitter_ms: 0,
            loss_pct: 0.0,
            seed: 1,
            profile: Profile::Linux,
            t_us: None,
            speed: 0.1,
            numbering: Numbering::Relative,
            view: View::Ladder,
            autoplay: false,
            embed: false,
            knobs: VecMap::new(),
        }
    }
}

/// A URL value we could not use.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notice {
    pub key: String,
    pub given: String,
    pub used: String,
    /// The whole numbers the key accepts, where it is a bounded count: said in the notice, so
    /// a reader who asked for too many learns how many they may ask for.
    pub range: Option<(u64, u64)>,
}

impl Notice {
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "链接里的参数 {}={} 无效{}，已改用 {}。",
                self.key,
                self.given,
                self.range
                    .map(|(a, b)| format!("（允许 {a}–{b}）"))
                    .unwrap_or_default(),
                self.used
            ),
            Lang::En => format!(
                "The link's {}={} is not valid{}; using {} instead.",
                self.key,
                self.given,
                self.range
                    .map(|(a, b)| format!(" ({a}–{b})"))
                    .unwrap_or_default(),
                self.used
            ),
        }
    }
}

fn fmt_f(v: f64) -> String {
    // Short and exact enough for a URL: up to 6 decimals, trailing zeros trimmed.
    let s = num::fixed(v, 6);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// Parses the query. `cases`: the scene's valid case ids (the first is the default).
pub fn from_query(q: &Query, cases: &[&str]) -> (Params, Vec<Notice>) {
    from_query_with(
        q,
        cases,
        Params::defaults(cases.first().copied().unwrap_or("")),
    )
}

/// As [`from_query`], starting from a scene's own defaults.
pub fn from_query_with(q: &Query, cases: &[&str], base: Params) -> (Params, Vec<Notice>) {
    let default_case = base.case.clone();
    let default_case = default_case.as_str();
    let mut p = base;
    let mut notices = Vec::new();
    let mut bad = |key: &str, given: &str, used: String| {
        notices.push(Notice {
            key: key.into(),
            given: given.into(),
            used,
            range: None,
        })
    };

    if let Some(v) = q.get("case") {
        if cases.contains(&v) {
            p.case = v.to_string();
        } else {
            bad("case", v, default_case.into());
        }
    }
    if let Some(v) = q.get("latency") {
        match v.trim().parse::<u32>() {
            Ok(x) if x <= LATENCY_MAX_MS => p.latency_ms = x,
            _ => bad("latency", v, p.latency_ms.to_string()),
        }
    }
    if let Some(v) = q.get("jitter") {
        match v.trim().parse::<u32>() {
            Ok(x) if x <= JITTER_MAX_MS => p.jitter_ms = x,
            _ => bad("jitter", v, p.jitter_ms.to_string()),
        }
    }
    if let Some(v) = q.get("loss") {
        match num::parse_f64(v.trim()).ok_or(()) {
            Ok(x) if x.is_finite() && (0.0..=LOSS_MAX_PCT).contains(&x) => p.loss_pct = x,
            _ => bad("loss", v, fmt_f(p.loss_pct)),
        }
    }
    if let Some(v) = q.get("seed") {
        match v.trim().parse::<u64>() {
            Ok(x) => p.seed = x,
            _ => bad("seed", v, p.seed.to_string()),
        }
    }
    if let Some(v) = q.get("profile") {
        match v.trim() {
            "linux" => p.profile = Profile::Linux,
            "rfc" => p.profile = Profile::Rfc,
            _ => bad("profile", v, p.profile.code().into()),
        }
    }
    if let Some(v) = q.get("t") {
        match num::parse_f64(v.trim()).ok_or(()) {
            Ok(x) if x.is_finite() && (0.0..1.0e6).contains(&x) => {
                p.t_us = Some((x * 1e6).round() as u64)
            }
            _ => bad("t", v, "0".into()),
        }
    }
    if let Some(v) = q.get("speed") {
        match num::parse_f64(v.trim()).ok_or(()) {
            Ok(x) if x.is_finite() && (SPEED_MIN..=SPEED_MAX).contains(&x) => p.speed = x,
            _ => bad("speed", v, fmt_f(p.speed)),
        }
    }
    if let Some(v) = q.get("seq") {
        match v.trim() {
            "rel" => p.numbering = Numbering::Relative,
            "abs" => p.numbering = Numbering::Absolute,
            _ => bad("seq", v, "rel".into()),
        }
    }
    if let Some(v) = q.get("view") {
        match v.trim() {
            "ladder" => p.view = View::Ladder,
            "states" => p.view = View::States,
            _ => bad("view", v, "ladder".into()),
        }
    }
    for (key, slot) in [("autoplay", &mut p.autoplay), ("embed", &mut p.embed)] {
        if let Some(v) = q.get(key) {
            match v.trim() {
                "1" | "true" => *slot = true,
                "0" | "false" => *slot = false,
                _ => notices.push(Notice {
                    key: key.into(),
                    given: v.into(),
                    used: "0".into(),
                    range: None,
                }),
            }
        }
    }
    (p, notices)
}

/// Writes the parameters into `q` (keeping keys it does not own, like `lang` and `theme`).
/// Defaults are left out so links stay short; the case is always written.
pub fn write_query(p: &Params, q: &mut Query) {
    write_query_with(p, &Params::defaults(&p.case), q)
}

/// As [`write_query`], leaving out values equal to the scene's own defaults `d`.
pub fn write_query_with(p: &Params, d: &Params, q: &mut Query) {
    let mut put = |k: &str, v: Option<String>| match v {
        Some(v) => q.set(k, v),
        None => q.remove(k),
    };
    put("case", Some(p.case.clone()));
    put(
        "latency",
        (p.latency_ms != d.latency_ms).then(|| p.latency_ms.to_string()),
    );
    put(
        "jitter",
        (p.jitter_ms != d.jitter_ms).then(|| p.jitter_ms.to_string()),
    );
    put(
        "loss",
        (p.loss_pct != d.loss_pct).then(|| fmt_f(p.loss_pct)),
    );
    put("seed", (p.seed != d.seed).then(|| p.seed.to_string()));
    put(
        "profile",
        (p.profile != d.profile).then(|| p.profile.code().to_string()),
    );
    put(
        "t",
        p.t_us.filter(|&t| t > 0).map(|t| fmt_f(t as f64 / 1e6)),
    );
    put("speed", (p.speed != d.speed).then(|| fmt_f(p.speed)));
    put(
        "seq",
        (p.numbering == Numbering::Absolute).then(|| "abs".to_string()),
    );
    put(
        "view",
        (p.view == View::States).then(|| "states".to_string()),
    );
    put("autoplay", p.autoplay.then(|| "1".to_string()));
    put("embed", p.embed.then(|| "1".to_string()));
}

/// Slider position (0..=1000) <-> speed, logarithmic so 0.01× and 2× are both reachable.
pub fn speed_from_slider(pos: f64) -> f64 {
    let x = num::clamp(pos / 1000.0, 0.0, 1.0);
    let s = SPEED_MIN * math::pow(SPEED_MAX / SPEED_MIN, x);
    // Round to 3 significant digits so URLs stay tidy.
    let mag = math::pow(10.0, math::log10(s).floor() - 2.0);
    num::clamp((s / mag).round() * mag, SPEED_MIN, SPEED_MAX)
}

pub fn slider_from_speed(speed: f64) -> f64 {
    let s = num::clamp(speed, SPEED_MIN, SPEED_MAX);
    (math::ln(s / SPEED_MIN) / math::ln(SPEED_MAX / SPEED_MIN) * 1000.0).round()
}

pub fn fmt_speed(s: f64) -> String {
    format!("{}×", fmt_f((s * 1000.0).round() / 1000.0))
}

pub fn fmt_secs(t_us: f64) -> String {
    format!("{} s", num::fixed(t_us / 1e6, 3))
}
