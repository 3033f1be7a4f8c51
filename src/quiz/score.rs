//! The score: right/asked per topic, the current streak and the best one. Stored in
//! localStorage as one short line (`v1;best=4;run=2;hs=3/5;td=1/1`); anything unreadable is
//! ignored field by field, and missing or throwing storage just means nothing is remembered.

use std::collections::BTreeMap;

use super::Topic;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// (right, asked) per topic.
    pub per: BTreeMap<Topic, (u32, u32)>,
    pub streak: u32,
    pub best: u32,
}

impl Score {
    pub fn record(&mut self, topic: Topic, right: bool) {
        let e = self.per.entry(topic).or_default();
        e.1 = e.1.saturating_add(1);
        if right {
            e.0 = e.0.saturating_add(1);
            self.streak = self.streak.saturating_add(1);
            self.best = self.best.max(self.streak);
        } else {
            self.streak = 0;
        }
    }

    pub fn totals(&self) -> (u32, u32) {
        self.per
            .values()
            .fold((0, 0), |(r, a), (x, y)| (r + x, a + y))
    }

    pub fn encode(&self) -> String {
        let mut s = format!("v1;best={};run={}", self.best, self.streak);
        for (t, (r, a)) in &self.per {
            s.push_str(&format!(";{}={r}/{a}", t.code()));
        }
        s
    }

    /// Reads what [`Score::encode`] wrote; bad fields are skipped, never fatal.
    pub fn decode(s: &str) -> Score {
        let mut out = Score::default();
        let mut parts = s.split(';');
        if parts.next() != Some("v1") {
            return out;
        }
        for p in parts {
            let Some((k, v)) = p.split_once('=') else {
                continue;
            };
            match k {
                "best" => out.best = v.parse().unwrap_or(0),
                "run" => out.streak = v.parse().unwrap_or(0),
                _ => {
                    let (Some(t), Some((r, a))) = (Topic::from_code(k), v.split_once('/')) else {
                        continue;
                    };
                    if let (Ok(r), Ok(a)) = (r.parse::<u32>(), a.parse::<u32>()) {
                        if r <= a {
                            out.per.insert(t, (r, a));
                        }
                    }
                }
            }
        }
        out.best = out.best.max(out.streak);
        out
    }
}

const KEY: &str = "synack.quiz";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load() -> Score {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|s| Score::decode(&s))
        .unwrap_or_default()
}

pub fn save(s: &Score) {
    if let Some(st) = storage() {
        let _ = st.set_item(KEY, &s.encode());
    }
}
