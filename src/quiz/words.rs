//! The quiz's words: every sentence its questions are made of, out of the builds and in one
//! fetched file per language, `words/quiz-zh.tsv` and `words/quiz-en.tsv` (`crate::texts::Text::Quiz`),
//! like a scene's teaching texts.
//!
//! The words are still written in the source, each next to the code that uses it: the
//! conceptual items' question, choices and explanation in `bank::CONCEPTS`, a "which state
//! next?" item's lead and explanation in its `NextState`, and each topic's `TEXTS` table for
//! the sentences its generators build (`gen/*.rs`, `bank.rs`). [`texts`] lists them all in the
//! file's order; a test keeps the shipped file equal to it (`crate::texts::tests`).
//!
//! A generator's sentence with numbers in it is a template: `{name}` marks where
//! [`Words::fill`] puts a value the generator computed from the trace (the answers are never
//! stored, only the words around them). In the tests' builds every lookup checks that the key
//! exists and that the template's placeholders, in both languages, are exactly the names the
//! generator fills (`checked`); running every item in every variant (`quiz::tests`) then fails
//! on a typo in either.

use std::fmt::Display;

use crate::i18n::{Lang, T};
use crate::texts::Tx;

use super::gen::{self, Kind};

/// Every text of the quiz file, in its order: (key, text). Keys of an item's own texts start
/// with its id.
pub fn texts() -> Vec<(String, Tx)> {
    let mut out = Vec::new();
    for item in gen::all() {
        match item.kind {
            Kind::Concept(q, choices, why) => {
                out.push((format!("{}.q", item.id), q));
                for (i, c) in choices.into_iter().enumerate() {
                    out.push((format!("{}.c{i}", item.id), c));
                }
                out.push((format!("{}.why", item.id), why));
            }
            Kind::NextState(n) => {
                out.push((format!("{}.lead", item.id), n.lead));
                out.push((format!("{}.why", item.id), n.why));
            }
            _ => {}
        }
    }
    for table in gen::TEXTS {
        out.extend(table.iter().map(|(k, t)| (k.to_string(), *t)));
    }
    out.extend(super::bank::port_texts());
    out.extend(super::bank::osi_texts());
    out
}

/// The keys of [`texts`], computed once.
fn keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| texts().into_iter().map(|(k, _)| k).collect())
}

/// The quiz file's words, as fetched (in [`texts`]' order), looked up by key in one language.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Words {
    words: &'static [T],
    lang: Lang,
}

impl Words {
    pub fn new(words: &'static [T], lang: Lang) -> Words {
        Words { words, lang }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The words as the source writes them (the tests' builds).
    #[cfg(test)]
    pub fn table(lang: Lang) -> Words {
        static TABLE: std::sync::OnceLock<Vec<T>> = std::sync::OnceLock::new();
        let words = TABLE.get_or_init(|| texts().into_iter().map(|(_, t)| t.t).collect());
        Words::new(words, lang)
    }

    fn text(&self, key: &str) -> T {
        let found = keys()
            .iter()
            .position(|k| k == key)
            .and_then(|i| self.words.get(i).copied());
        #[cfg(test)]
        {
            checked::used(key);
            if found.is_none() {
                checked::problem(format!("no text {key:?}"));
            }
        }
        // A key the file lacks is a bug the tests catch; a build shows nothing rather than crash.
        found.unwrap_or(T::new("", ""))
    }

    /// The text at `key`, in the page's language.
    pub fn get(&self, key: &str) -> &'static str {
        let t = self.text(key);
        #[cfg(test)]
        if [t.zh, t.en].iter().any(|s| !placeholders(s).is_empty()) {
            checked::problem(format!(
                "{key:?} is a template, asked for without its values"
            ));
        }
        t.get(self.lang)
    }

    /// The template at `key` with each `{name}` replaced by its value in `args`.
    pub fn fill(&self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let t = self.text(key);
        #[cfg(test)]
        {
            let mut given: Vec<&str> = args.iter().map(|(n, _)| *n).collect();
            given.sort_unstable();
            for s in [t.zh, t.en] {
                let mut wanted = placeholders(s);
                wanted.sort_unstable();
                wanted.dedup();
                if wanted != given {
                    checked::problem(format!(
                        "{key:?}: the template has {wanted:?}, its generator fills {given:?}"
                    ));
                }
            }
        }
        let mut out = String::new();
        let mut rest = t.get(self.lang);
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            out.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            match args.iter().find(|(n, _)| *n == name) {
                Some((_, v)) => out.push_str(&v.to_string()),
                None => out.push_str(&rest[open..=close]),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }
}

/// The `{name}`s of a template, in order.
#[cfg(test)]
pub fn placeholders(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        out.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    out
}

/// What the lookups of this thread saw (the tests' builds): the keys asked for (a test checks
/// that running every item uses every text of the file, so none is left unchecked) and the
/// problems found (a missing key, a template whose placeholders are not what its generator
/// fills), which the tests require to be none. Recorded rather than panicking, so that a test
/// can also check that a typo is caught (a panic cannot be caught in the wasm run).
#[cfg(test)]
pub mod checked {
    use std::cell::RefCell;

    thread_local! {
        static USED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
        static PROBLEMS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    pub fn used(key: &str) {
        USED.with(|u| {
            let mut u = u.borrow_mut();
            if !u.iter().any(|k| k == key) {
                u.push(key.to_string());
            }
        });
    }

    pub fn problem(p: String) {
        PROBLEMS.with(|v| v.borrow_mut().push(p));
    }

    pub fn all_used() -> Vec<String> {
        USED.with(|u| u.borrow().clone())
    }

    /// The problems found so far on this thread; the list is emptied.
    pub fn take_problems() -> Vec<String> {
        PROBLEMS.with(|v| std::mem::take(&mut *v.borrow_mut()))
    }
}
