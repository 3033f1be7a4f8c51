//! Text that stays out of the wasm: files a page fetches when it opens (`static/words/`, copied
//! next to the page by index.html), one mechanism for all of them.
//!
//! Words are most of what a page's tables weigh, and most pages need only a few of them: a
//! scene's teaching paragraphs, its Node.js view. The builds compile the tables (what each entry
//! is for) but not their words; a page downloads only the files of what it shows, once (the
//! browser caches them like the other files of the site), after its first paint, and draws and
//! plays without waiting for them. [`Text`] is the one list of such files. Each is lines of
//! `key TAB zh TAB en`, one per entry of its table, in table order (or `key TAB words`, for a
//! text with a file per language, [`Text::lang`]); the tables in the source are
//! where the words are written: a test keeps every file equal to its table (`SYNACK_BLESS=1`
//! rewrites them, `scenes::teach::tests`), and the tests' own builds keep the words in the
//! tables. A file that does not fit its table (keys, order, count: another version of the app)
//! is not trusted; a file that cannot be had (a page opened from `file://`, a host that does not
//! serve it) makes the page say so ([`Text::failed`]) and stay usable.

use crate::i18n::{Lang, T};
use crate::scenes::SceneDef;

/// Every file of text a page fetches: its table, and so its name and keys.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Text {
    /// A scene's teaching paragraphs (`scenes::teach`): one line per row of its table, each
    /// keyed by the scene's id (`words/<scene>.tsv`).
    Words(&'static SceneDef),
    /// A scene's texts in the Node.js view (`scenes::node_text`), by the scene's id: one line
    /// per entry of the scene (`words/node-<scene>.tsv`), fetched only by a page in that view
    /// (the full build's: the first load hands that view over to it).
    #[cfg(feature = "full")]
    Node(&'static str),
    /// The TCP/UDP reference page's texts (`pages::reference::tcp_udp_data`),
    /// `words/ref-tcp-udp.tsv`.
    #[cfg(feature = "full")]
    RefTcpUdp,
    /// The OSI reference page's layer table (`pages::reference::osi_data`), `words/ref-osi.tsv`.
    #[cfg(feature = "full")]
    RefOsi,
    /// The ports page's descriptions (`pages::reference::ports_data`), by port number,
    /// `words/ref-ports.tsv`.
    #[cfg(feature = "full")]
    RefPorts,
    /// Interview mode's questions in one language: the conceptual items and the generators'
    /// sentence templates (`quiz::words`), `words/quiz-zh.tsv` or `words/quiz-en.tsv`. The
    /// largest file (40 KB, 16 KB gzipped in both languages): a reader gets the half in the
    /// language shown, and the other half if the language is switched.
    #[cfg(feature = "full")]
    Quiz(Lang),
}

impl Text {
    /// Its file's name in `words/`, without `.tsv`.
    pub fn name(self) -> String {
        match self {
            Text::Words(s) => s.route.id().to_string(),
            #[cfg(feature = "full")]
            Text::Node(id) => format!("node-{id}"),
            #[cfg(feature = "full")]
            Text::RefTcpUdp => "ref-tcp-udp".to_string(),
            #[cfg(feature = "full")]
            Text::RefOsi => "ref-osi".to_string(),
            #[cfg(feature = "full")]
            Text::RefPorts => "ref-ports".to_string(),
            #[cfg(feature = "full")]
            Text::Quiz(lang) => format!("quiz-{}", lang.code()),
        }
    }

    /// The language of its file, for a text with a file per language (its lines are
    /// `key TAB words`); `None`: both languages in one file.
    pub fn lang(self) -> Option<Lang> {
        #[cfg(feature = "full")]
        if let Text::Quiz(lang) = self {
            return Some(lang);
        }
        None
    }

    /// Where the page finds it: relative to the page, so that a site copied under a sub-folder
    /// (a course site) finds it too.
    pub fn path(self) -> String {
        format!("./words/{}.tsv", self.name())
    }

    /// The keys of its lines, in order.
    pub fn keys(self) -> Vec<String> {
        match self {
            Text::Words(s) => vec![s.route.id().to_string(); s.teach.len()],
            #[cfg(feature = "full")]
            Text::Node(id) => crate::scenes::node_text::keys(id),
            #[cfg(feature = "full")]
            Text::RefTcpUdp => crate::pages::reference::tcp_udp_data::texts()
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
            #[cfg(feature = "full")]
            Text::RefOsi => crate::pages::reference::osi_data::texts()
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
            #[cfg(feature = "full")]
            Text::RefPorts => crate::pages::reference::ports_data::texts()
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
            #[cfg(feature = "full")]
            Text::Quiz(_) => crate::quiz::words::texts()
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
        }
    }

    /// What the page says when the file could not be had (the page names the file after it).
    pub fn failed(self) -> T {
        match self {
            Text::Words(_) => T::new(
                "这个场景的讲解段落没能加载：网站没有提供这个文件，或网络断了。动画、旁白和所有控件照常可用。文件：",
                "This scene's step explanations could not be loaded: the site does not serve their file, or the network is down. The animation, the narration and every control work without them. File:",
            ),
            #[cfg(feature = "full")]
            Text::Node(_) => T::new(
                "Node.js 视图的文字没能加载：网站没有提供这个文件，或网络断了。这里显示的是 C 视图的说明，动画、旁白和所有控件照常可用。文件：",
                "The Node.js view's texts could not be loaded: the site does not serve their file, or the network is down. The C view's texts are shown instead; the animation, the narration and every control work. File:",
            ),
            #[cfg(feature = "full")]
            Text::RefTcpUdp => T::new(
                "这一页的表格文字没能加载：网站没有提供这个文件，或网络断了。其他页面照常可用。文件：",
                "This page's tables could not be loaded: the site does not serve their file, or the network is down. Every other page works. File:",
            ),
            #[cfg(feature = "full")]
            Text::RefOsi => T::new(
                "分层对照表的文字没能加载：网站没有提供这个文件，或网络断了。下面的封装动画和其他页面照常可用。文件：",
                "The layer table's words could not be loaded: the site does not serve their file, or the network is down. The animation below and every other page work. File:",
            ),
            #[cfg(feature = "full")]
            Text::RefPorts => T::new(
                "端口说明没能加载：网站没有提供这个文件，或网络断了。端口表和按端口号、名称、协议的搜索照常可用，只是没有说明，也搜不到说明里的词。文件：",
                "The ports' descriptions could not be loaded: the site does not serve their file, or the network is down. The table and the search by number, name and protocol work; only the descriptions, and searching their words, are missing. File:",
            ),
            #[cfg(feature = "full")]
            Text::Quiz(_) => T::new(
                "题目的文字没能加载：网站没有提供这个文件，或网络断了。题目范围、换题和得分照常可用，其他页面也都能用。文件：",
                "The questions' words could not be loaded: the site does not serve their file, or the network is down. The topic filter, the question buttons, the score and every other page still work. File:",
            ),
        }
    }

    /// Every file there is, in the order of the scenes.
    #[cfg(test)]
    pub fn all() -> Vec<Text> {
        let scenes = crate::scenes::ALL.iter().copied();
        let words = scenes
            .clone()
            .filter(|s| !s.teach.is_empty())
            .map(Text::Words);
        let node = scenes
            .map(|s| s.route.id())
            .filter(|id| !crate::scenes::node_text::keys(id).is_empty())
            .map(Text::Node);
        words
            .chain(node)
            .chain([Text::RefTcpUdp, Text::RefOsi, Text::RefPorts])
            .chain([Lang::Zh, Lang::En].map(Text::Quiz))
            .collect()
    }

    /// Its words as its table gives them, in order.
    #[cfg(test)]
    pub fn table(self) -> Vec<T> {
        match self {
            Text::Words(s) => s.teach.iter().map(|r| r.text).collect(),
            #[cfg(feature = "full")]
            Text::Node(id) => crate::scenes::node_text::table(id),
            #[cfg(feature = "full")]
            Text::RefTcpUdp => crate::pages::reference::tcp_udp_data::texts()
                .into_iter()
                .map(|(_, t)| t.t)
                .collect(),
            #[cfg(feature = "full")]
            Text::RefOsi => crate::pages::reference::osi_data::texts()
                .into_iter()
                .map(|(_, t)| t.t)
                .collect(),
            #[cfg(feature = "full")]
            Text::RefPorts => crate::pages::reference::ports_data::texts()
                .into_iter()
                .map(|(_, t)| t.t)
                .collect(),
            #[cfg(feature = "full")]
            Text::Quiz(_) => crate::quiz::words::texts()
                .into_iter()
                .map(|(_, t)| t.t)
                .collect(),
        }
    }

    /// Its file as its table gives it.
    #[cfg(test)]
    pub fn file(self) -> String {
        let lang = self.lang();
        self.keys()
            .iter()
            .zip(self.table())
            .map(|(k, t)| match lang {
                Some(l) => format!("{k}\t{}\n", t.get(l)),
                None => format!("{k}\t{}\t{}\n", t.zh, t.en),
            })
            .collect()
    }
}

/// A text of a table whose words are in a fetched file: its words in the tests (which write and
/// check the file), nothing in the builds, where the page finds them in the file by the text's
/// key. Lets a table keep its shape (which entry has a text) without its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tx {
    #[cfg(test)]
    pub t: T,
}

pub const fn tx(zh: &'static str, en: &'static str) -> Tx {
    // Unused outside the tests, so the strings are in no build's binary.
    #[cfg(not(test))]
    let _ = (zh, en);
    Tx {
        #[cfg(test)]
        t: T::new(zh, en),
    }
}

/// The words of `file`, in order, if its lines have exactly `keys` (a file from another version
/// of the app is not trusted to name the same entries). Blank lines are ignored. `lang`: a file
/// of one language ([`Text::lang`]), whose words are then given as both of a [`T`]'s.
pub fn parse(file: &'static str, keys: &[String], lang: Option<Lang>) -> Option<Vec<T>> {
    let mut words = Vec::with_capacity(keys.len());
    let mut lines = file.lines().filter(|l| !l.is_empty());
    for key in keys {
        let line = lines.next()?;
        let (k, t) = match lang {
            Some(_) => {
                let (k, w) = line.split_once('\t')?;
                (k, T::new(w, w))
            }
            None => {
                let mut cols = line.splitn(3, '\t');
                let (k, zh, en) = (cols.next()?, cols.next()?, cols.next()?);
                (k, T::new(zh, en))
            }
        };
        if k != key {
            return None;
        }
        words.push(t);
    }
    (lines.next().is_none() && !words.is_empty()).then_some(words)
}

/// What a page says where a file of its text could not be had: which text, that the page works
/// without it, and the file (to tell a host what to serve).
pub fn failed_notice(text: Text, lang: Lang) -> yew::Html {
    yew::html! {
        <p class="notice" data-testid="text-error" data-file={text.name()} role="status">
            { text.failed().get(lang) }{" "}<code>{ text.path() }</code>
        </p>
    }
}

/// What a page has of a file.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fetched {
    /// Not in yet.
    Loading,
    /// Its words, in table order.
    In(&'static [T]),
    /// It could not be had, or does not fit its table: the page says so ([`Text::failed`]).
    Failed,
}

#[cfg(not(test))]
pub use fetch::{now, use_text};

/// The words of a reference table kept in `text`'s file: fetched in the builds
/// ([`use_text`]); the tests' builds, which fetch nothing, take them from the table's own
/// `texts` (its entries' [`Tx`] keep their words there).
#[yew::hook]
pub fn use_table_words(text: Text, texts: fn() -> Vec<(String, Tx)>) -> Fetched {
    #[cfg(not(test))]
    {
        let _ = texts;
        use_text(Some(text))
    }
    #[cfg(test)]
    {
        let _ = text;
        let words: Vec<T> = texts().into_iter().map(|(_, t)| t.t).collect();
        Fetched::In(Box::leak(words.into_boxed_slice()))
    }
}

/// The fetch, once per file for the page's life.
#[cfg(not(test))]
mod fetch {
    use std::cell::RefCell;

    use super::{parse, Fetched, Text};

    /// A file: asked for (who waits for it: a page's state, to set once it is in), or had (the
    /// file leaked once: the page keeps it for its life).
    enum Fetch {
        Waiting(Vec<yew::UseStateSetter<(Option<Text>, Fetched)>>),
        Done(Fetched),
    }

    thread_local! {
        /// (file name, its fetch), for the files asked for so far.
        static FETCHES: RefCell<Vec<(String, Fetch)>> = const { RefCell::new(Vec::new()) };
    }

    /// What the page has of `text` now; `None`: not asked for yet.
    pub fn now(text: Text) -> Option<Fetched> {
        let name = text.name();
        FETCHES.with(|f| {
            f.borrow()
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, f)| match f {
                    Fetch::Waiting(_) => Fetched::Loading,
                    Fetch::Done(w) => *w,
                })
        })
    }

    /// The words of `text` (`None`: nothing to fetch, [`Fetched::In`] nothing):
    /// [`Fetched::Loading`] until its file is in. It is fetched once, after the page's first
    /// paint (this hook's effect). The state remembers whose words it holds: when `text` changes
    /// (the quiz's file of the other language), the render before the effect has run shows what
    /// the page has of the new one, not the old one's words.
    #[yew::hook]
    pub fn use_text(text: Option<Text>) -> Fetched {
        let shown = move || text.map_or(Fetched::In(&[]), |t| now(t).unwrap_or(Fetched::Loading));
        let words = yew::use_state(|| (text, shown()));
        {
            let words = words.clone();
            crate::hooks::use_effect_on(text, move |_| {
                let Some(text) = text else {
                    if *words != (None, Fetched::In(&[])) {
                        words.set((None, Fetched::In(&[])));
                    }
                    return;
                };
                let name = text.name();
                let start = FETCHES.with(|f| {
                    let mut f = f.borrow_mut();
                    match f.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, Fetch::Waiting(w))) => {
                            w.push(words.setter());
                            false
                        }
                        Some((_, Fetch::Done(_))) => false,
                        None => {
                            f.push((name.clone(), Fetch::Waiting(vec![words.setter()])));
                            true
                        }
                    }
                });
                let now = (Some(text), shown());
                if *words != now {
                    words.set(now);
                }
                if start {
                    wasm_bindgen_futures::spawn_local(async move {
                        let file = crate::dom::fetch_text(&text.path()).await.ok();
                        let got = file
                            .and_then(|t| {
                                parse(Box::leak(t.into_boxed_str()), &text.keys(), text.lang())
                            })
                            .map_or(Fetched::Failed, |w| {
                                Fetched::In(Box::leak(w.into_boxed_slice()))
                            });
                        let waiting = FETCHES.with(|f| {
                            let mut f = f.borrow_mut();
                            let entry = f.iter_mut().find(|(n, _)| *n == name);
                            entry.map(|(_, e)| std::mem::replace(e, Fetch::Done(got)))
                        });
                        if let Some(Fetch::Waiting(w)) = waiting {
                            for set in w {
                                set.set((Some(text), got));
                            }
                        }
                    });
                }
            });
        }
        match *words {
            (t, got) if t == text => got,
            _ => shown(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenes::ALL;

    /// The files as shipped (`static/words/`): (name, file). Compiled in so that the wasm run of
    /// the tests checks them too; a test keeps this list equal to [`Text::all`].
    const SHIPPED: &[(&str, &str)] = &[
        ("handshake", include_str!("../static/words/handshake.tsv")),
        ("teardown", include_str!("../static/words/teardown.tsv")),
        ("tcp-vs-udp", include_str!("../static/words/tcp-vs-udp.tsv")),
        ("sticky", include_str!("../static/words/sticky.tsv")),
        ("udp", include_str!("../static/words/udp.tsv")),
        ("backlog", include_str!("../static/words/backlog.tsv")),
        ("window", include_str!("../static/words/window.tsv")),
        (
            "node-handshake",
            include_str!("../static/words/node-handshake.tsv"),
        ),
        (
            "node-teardown",
            include_str!("../static/words/node-teardown.tsv"),
        ),
        (
            "node-tcp-vs-udp",
            include_str!("../static/words/node-tcp-vs-udp.tsv"),
        ),
        (
            "node-sticky",
            include_str!("../static/words/node-sticky.tsv"),
        ),
        ("node-udp", include_str!("../static/words/node-udp.tsv")),
        (
            "node-backlog",
            include_str!("../static/words/node-backlog.tsv"),
        ),
        (
            "node-window",
            include_str!("../static/words/node-window.tsv"),
        ),
        (
            "ref-tcp-udp",
            include_str!("../static/words/ref-tcp-udp.tsv"),
        ),
        ("ref-osi", include_str!("../static/words/ref-osi.tsv")),
        ("ref-ports", include_str!("../static/words/ref-ports.tsv")),
        ("quiz-zh", include_str!("../static/words/quiz-zh.tsv")),
        ("quiz-en", include_str!("../static/words/quiz-en.tsv")),
    ];

    #[test]
    fn every_text_has_its_file_and_every_file_is_a_text() {
        let names: Vec<String> = Text::all().iter().map(|t| t.name()).collect();
        let shipped: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
        assert_eq!(shipped, names, "SHIPPED lists Text::all(), in its order");
        #[cfg(not(target_arch = "wasm32"))]
        {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static/words");
            let mut on_disk: Vec<String> = std::fs::read_dir(dir)
                .expect("static/words")
                .map(|e| {
                    e.expect("an entry")
                        .file_name()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            on_disk.sort();
            let mut wanted: Vec<String> = names.iter().map(|n| format!("{n}.tsv")).collect();
            wanted.sort();
            assert_eq!(on_disk, wanted, "one file per text in {dir}, no other");
        }
        // Every scene has its words; the Node view's files are the scenes it speaks of.
        assert_eq!(
            Text::all()
                .iter()
                .filter(|t| matches!(t, Text::Words(_)))
                .count(),
            ALL.len()
        );
    }

    #[test]
    fn each_file_is_its_tables_words_in_their_order() {
        #[cfg(not(target_arch = "wasm32"))]
        let bless = std::env::var_os("SYNACK_BLESS").is_some();
        for (t, (name, shipped)) in Text::all().into_iter().zip(SHIPPED) {
            let file = t.file();
            #[cfg(not(target_arch = "wasm32"))]
            if bless {
                let path = format!("{}/static/words/{name}.tsv", env!("CARGO_MANIFEST_DIR"));
                std::fs::write(path, &file).expect("write a words file");
                continue;
            }
            assert!(
                *shipped == file,
                "static/words/{name}.tsv differs from its table: rerun with SYNACK_BLESS=1 to rewrite it"
            );
            let table = t.table();
            assert!(
                table
                    .iter()
                    .all(|w| !(w.zh.contains(['\t', '\n']) || w.en.contains(['\t', '\n']))),
                "{name}: a text with a tab or a line break would break the file's lines"
            );
            assert!(
                table.iter().all(|w| !w.zh.is_empty() && !w.en.is_empty()),
                "{name}: every entry has its words in both languages"
            );
            let file: &'static str = Box::leak(file.into_boxed_str());
            // A file of one language gives its words as both of each text's.
            let words = match t.lang() {
                Some(l) => table.iter().map(|w| T::new(w.get(l), w.get(l))).collect(),
                None => table,
            };
            assert_eq!(parse(file, &t.keys(), t.lang()), Some(words), "{name}");
        }
    }

    #[test]
    fn a_file_that_does_not_fit_its_table_gives_no_words() {
        for t in [Text::Words(ALL[0]), Text::Node("backlog")] {
            let keys = t.keys();
            let file = t.file();
            let lines: Vec<&str> = file.lines().collect();
            // An entry short (another version of the app), one too many, two swapped, none.
            let short = lines[1..].join("\n");
            let long = format!("{file}{}\n", lines[0]);
            let mut swapped = lines.clone();
            swapped.swap(0, lines.len() - 1);
            let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
            assert_eq!(parse(leak(short), &keys, None), None, "{t:?} short");
            assert_eq!(parse(leak(long), &keys, None), None, "{t:?} long");
            if keys[0] != keys[lines.len() - 1] {
                assert_eq!(
                    parse(leak(swapped.join("\n")), &keys, None),
                    None,
                    "{t:?} swapped"
                );
            }
            assert_eq!(parse("", &keys, None), None);
            assert_eq!(parse("teardown\tzh\ten\n", &keys, None), None);
            assert!(parse(leak(file), &keys, None).is_some());
        }
    }
}
