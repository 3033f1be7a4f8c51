//! Size report of the release build in `dist/`: raw and gzipped size of every wasm, JS and CSS
//! file, and the first load counted two ways: the bytes before the first diagram is painted
//! (index.html and its stylesheet where index.html carries a prerendered frame of the link's
//! scene, see e2e/prerender.mjs) and the bytes before the page is interactive (index.html plus
//! everything it loads at start-up: the JS and the wasm too); then the builds of the other pages
//! that the first load fetches on demand (src/pages/load_full.rs), each as what opening one of
//! its pages downloads.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// First load (until interactive) above this (gzipped) fails the test command.
pub const LIMIT_GZ: u64 = 350_000;
/// First load (until interactive) above this (gzipped) gets a warning: the project's target
/// (issue #21: 150 KB).
pub const TARGET_GZ: u64 = 150_000;
/// The full build (every page but #/open: wasm, JS and the pages' stylesheets, gzipped) above
/// this gets a warning: the project's target (issue #21: 300 KB).
pub const FULL_TARGET_GZ: u64 = 300_000;

/// The builds fetched on demand (src/pages/load_full.rs, Cargo.toml's features): (label, file
/// stem, target). What opening one of their pages downloads: `<stem>.js`, `<stem>_bg.wasm`, the
/// pages' stylesheets (`full/*.css`, which both load) and the page's own text ([`TEXT_DIRS`]),
/// counted as the largest such file: the page that downloads the most.
pub const LAZY: &[(&str, &str, Option<u64>)] = &[
    (
        "FULL BUILD (every page but #/open)",
        "synack-full",
        Some(FULL_TARGET_GZ),
    ),
    ("OPEN BUILD (every page, #/open too)", "synack-open", None),
];

/// The folders of text a page fetches when it opens (`words/`: the files of src/texts.rs, a
/// scene's teaching paragraphs and its Node.js view's texts). Text moved out of a wasm into them
/// still counts: for the builds, as [`LAZY`] says.
pub const TEXT_DIRS: &[&str] = &["words/"];

/// Which page a file of [`TEXT_DIRS`] is for: the files of one page share it (a scene page in
/// the Node.js view downloads `<scene>.tsv` and `node-<scene>.tsv`, src/texts.rs's `Text`).
fn page_of_text(name: &str) -> &str {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.split('.').next().unwrap_or(file);
    stem.strip_prefix("node-").unwrap_or(stem)
}

pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gz: u64,
    pub first_load: bool,
    /// wasm only: (section group, raw, gzipped) for code, data and the rest.
    pub sections: Vec<(&'static str, u64, u64)>,
}

pub struct Report {
    pub files: Vec<FileSize>,
    /// The routes index.html paints before the wasm has arrived (its snapshots' `data-route`s).
    pub prerendered: Vec<String>,
    /// Modules the first-load JS imports (wasm-bindgen's snippets): each is fetched only once
    /// the module importing it has arrived and been parsed, a round trip before the app starts.
    pub chained: Vec<String>,
}

impl Report {
    pub fn first_load_gz(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.first_load)
            .map(|f| f.gz)
            .sum()
    }

    /// Bytes (gzipped) before the first diagram is painted on a prerendered route: index.html and
    /// the stylesheets it links (a stylesheet holds back the first paint; the JS and the wasm do
    /// not). None when index.html carries no prerendered frame (then it is the whole first load).
    pub fn first_paint_gz(&self) -> Option<u64> {
        (!self.prerendered.is_empty()).then(|| {
            self.files
                .iter()
                .filter(|f| f.first_load && (f.name == "index.html" || f.name.ends_with(".css")))
                .map(|f| f.gz)
                .sum()
        })
    }

    /// (raw, gzipped) of what opening a page of the on-demand build `stem` downloads (see
    /// [`LAZY`]); None when dist/ has no such build.
    pub fn lazy_build(&self, stem: &str) -> Option<(u64, u64)> {
        let (js, wasm) = (format!("{stem}.js"), format!("{stem}_bg.wasm"));
        if !self.files.iter().any(|f| f.name == wasm) {
            return None;
        }
        let (raw, gz) = self
            .files
            .iter()
            .filter(|f| {
                f.name == js
                    || f.name == wasm
                    || (f.name.starts_with("full/") && f.name.ends_with(".css"))
            })
            .fold((0, 0), |(r, g), f| (r + f.raw, g + f.gz));
        let (text_raw, text_gz) = self.largest_page_text();
        Some((raw + text_raw, gz + text_gz))
    }

    /// (raw, gzipped) of the files of [`TEXT_DIRS`] that one page fetches when it opens, for the
    /// page that fetches the most (by gzipped size; each file is gzipped on its own, as it is
    /// served).
    pub fn largest_page_text(&self) -> (u64, u64) {
        let mut pages: Vec<(&str, u64, u64)> = Vec::new();
        for f in self
            .files
            .iter()
            .filter(|f| TEXT_DIRS.iter().any(|d| f.name.starts_with(d)))
        {
            let page = page_of_text(&f.name);
            match pages.iter_mut().find(|(p, _, _)| *p == page) {
                Some((_, raw, gz)) => (*raw, *gz) = (*raw + f.raw, *gz + f.gz),
                None => pages.push((page, f.raw, f.gz)),
            }
        }
        pages
            .into_iter()
            .map(|(_, raw, gz)| (raw, gz))
            .max_by_key(|&(_, gz)| gz)
            .unwrap_or((0, 0))
    }

    pub fn first_load_raw(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.first_load)
            .map(|f| f.raw)
            .sum()
    }

    pub fn print(&self) {
        println!("{:<44} {:>11} {:>11}  first load", "file", "raw", "gzip -9");
        for f in &self.files {
            println!(
                "{:<44} {:>11} {:>11}  {}",
                f.name,
                kb(f.raw),
                kb(f.gz),
                if f.first_load { "yes" } else { "" }
            );
        }
        for f in self.files.iter().filter(|f| !f.sections.is_empty()) {
            let parts: Vec<String> = f
                .sections
                .iter()
                .map(|(name, raw, gz)| format!("{name} {} ({} gz)", kb(*raw), kb(*gz)))
                .collect();
            println!("  {}: {}", f.name, parts.join(", "));
        }
        for ext in ["wasm", "js", "css", "tsv"] {
            let (raw, gz) = self
                .files
                .iter()
                .filter(|f| f.name.ends_with(&format!(".{ext}")))
                .fold((0, 0), |(r, g), f| (r + f.raw, g + f.gz));
            println!(
                "{:<44} {:>11} {:>11}",
                format!("all .{ext}"),
                kb(raw),
                kb(gz)
            );
        }
        if let Some(gz) = self.first_paint_gz() {
            println!(
                "{:<44} {:>11} {:>11}  (index.html + stylesheet: the diagram of {} is painted \
                 before the wasm arrives on a wide window)",
                "FIRST LOAD until the first diagram",
                "",
                kb(gz),
                self.prerendered.join(", ")
            );
        }
        println!(
            "{:<44} {:>11} {:>11}  (target {}, limit {})",
            "FIRST LOAD until interactive",
            kb(self.first_load_raw()),
            kb(self.first_load_gz()),
            kb(TARGET_GZ),
            kb(LIMIT_GZ)
        );
        for (label, stem, target) in LAZY {
            if let Some((raw, gz)) = self.lazy_build(stem) {
                println!(
                    "{:<44} {:>11} {:>11}  (on demand: {stem}.js, {stem}_bg.wasm, full/*.css, \
                     the largest page text{})",
                    label,
                    kb(raw),
                    kb(gz),
                    target.map_or(String::new(), |t| format!("; target {}", kb(t)))
                );
            }
        }
    }
}

/// 1 KB = 1000 bytes throughout (the stricter reading of the limits).
pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

pub fn measure(dist: &Path) -> io::Result<Report> {
    let index = fs::read_to_string(dist.join("index.html"))
        .map_err(|e| io::Error::other(format!("{}: {e}", dist.join("index.html").display())))?;
    let mut referenced = referenced_files(&index);
    // The JS modules' own static imports (wasm-bindgen's snippets) load at start-up too.
    let mut chained = Vec::new();
    for js in referenced.clone().iter().filter(|f| f.ends_with(".js")) {
        if let Ok(text) = fs::read_to_string(dist.join(js)) {
            for file in referenced_files(&text) {
                if !referenced.contains(&file) {
                    referenced.push(file.clone());
                    chained.push(file);
                }
            }
        }
    }
    let mut files = Vec::new();
    for path in walk(dist)? {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css" | "html" | "tsv") {
            continue;
        }
        let bytes = fs::read(&path)?;
        let mut sections = Vec::new();
        if ext == "wasm" {
            for (group, body) in wasm_section_groups(&bytes) {
                sections.push((group, body.len() as u64, gzip_len(&body)?));
            }
        }
        files.push(FileSize {
            first_load: name == "index.html" || referenced.iter().any(|r| r == &name),
            raw: bytes.len() as u64,
            gz: gzip_len(&bytes)?,
            name,
            sections,
        });
    }
    files.sort_by(|a, b| b.first_load.cmp(&a.first_load).then(a.name.cmp(&b.name)));
    Ok(Report {
        files,
        prerendered: prerendered_routes(&index),
        chained,
    })
}

/// Files that index.html loads at start-up: every `href=…`/`src=…` pointing into the site
/// (the stylesheet, Trunk's `<link rel="modulepreload" href="/synack-….js">`), the JS module
/// the loader imports and the wasm it fetches (Trunk.toml's `pattern_script`, or Trunk's default
/// loader: `module_or_path: '…'`). Also used on a JS file, for the modules it imports. Values
/// may be quoted with `"`, `'` or a backtick, or not at all: Trunk's minifier drops quotes.
fn referenced_files(index: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [
        "href=",
        "src=",
        "from ",
        // A dynamic import (index.html's loader imports the app's module this way, so that a
        // module the browser refuses is caught and said on the page).
        "import(",
        "init(",
        "module_or_path: ",
        "fetch(",
    ] {
        for piece in index.split(attr).skip(1) {
            let piece = piece.trim_start();
            let (value, ends): (&str, &[char]) = match piece.chars().next() {
                Some(q @ ('"' | '\'' | '`')) => (
                    &piece[1..],
                    if q == '"' {
                        &['"']
                    } else if q == '`' {
                        &['`']
                    } else {
                        &['\'']
                    },
                ),
                _ if attr.ends_with('=') => (piece, &[' ', '>', '\n', '\t']),
                _ => continue,
            };
            let Some(end) = value.find(ends) else {
                continue;
            };
            let url = &value[..end];
            if url.contains("://") || url.starts_with("data:") || url.starts_with('#') {
                continue;
            }
            // Every file of the site is at its root or below, and so are the JS modules that
            // import relative paths: "./snippets/…" and "/snippets/…" name the same file.
            let file = url.trim_start_matches("./").trim_start_matches('/');
            let file = file.split(['?', '#']).next().unwrap_or(file);
            if !file.is_empty() && !out.iter().any(|f| f == file) {
                out.push(file.to_owned());
            }
        }
    }
    out
}

/// The routes of index.html's prerendered frames: the `data-route` of each snapshot's script
/// (e2e/prerender.mjs writes `data-route="/handshake"`; an HTML minifier may drop the quotes).
fn prerendered_routes(index: &str) -> Vec<String> {
    index
        .split("data-route=")
        .skip(1)
        .filter_map(|rest| {
            let value = match rest.strip_prefix(['"', '\'']) {
                Some(quoted) => &quoted[..quoted.find(['"', '\''])?],
                None => &rest[..rest.find(|c: char| c.is_ascii_whitespace() || c == '>')?],
            };
            Some(format!("#{value}"))
        })
        .fold(Vec::new(), |mut routes, r| {
            // One entry per language: each route once.
            if !routes.contains(&r) {
                routes.push(r);
            }
            routes
        })
}

fn walk(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

/// The wasm's sections in three groups, `code` (function bodies), `data` (static data: text,
/// tables) and `other` (types, imports, exports, ...), so a jump in size points at its cause.
/// Empty if the file does not parse as wasm.
fn wasm_section_groups(wasm: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut groups: Vec<(&'static str, Vec<u8>)> =
        vec![("code", vec![]), ("data", vec![]), ("other", vec![])];
    for (id, body) in wasm_sections(wasm).unwrap_or_default() {
        let g = match id {
            10 => 0,
            11 => 1,
            _ => 2,
        };
        groups[g].1.extend_from_slice(body);
    }
    groups.retain(|(_, b)| !b.is_empty());
    groups
}

/// (section id, body) of every section; None if `wasm` is not a wasm module.
fn wasm_sections(wasm: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    if wasm.get(..4)? != b"\0asm" {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        let (len, next) = leb128(wasm, i + 1)?;
        let end = next.checked_add(len)?;
        out.push((id, wasm.get(next..end)?));
        i = end;
    }
    Some(out)
}

fn leb128(b: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        let byte = *b.get(i)?;
        i += 1;
        v |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some((v, i));
        }
        shift += 7;
    }
}

/// Code that is big for what it does and easy to pull in by accident, found by a symbol-name
/// fragment (legacy or v0 mangling), with what to use instead.
pub struct Bloat {
    pub frag: &'static str,
    pub advice: &'static str,
    /// Gone from the first load and the full build, and kept out: linking it again fails the
    /// size check there instead of warning.
    pub forbidden: bool,
}

const fn bloat_of(frag: &'static str, advice: &'static str, forbidden: bool) -> Bloat {
    Bloat {
        frag,
        advice,
        forbidden,
    }
}

pub const BLOAT: &[Bloat] = &[
    // Forbidden: the first load and the full build print every number through crate::num.
    bloat_of("flt2dec", "float formatting ({:.1}, {} or {:?} on f64, f64::clamp): use crate::num::{fixed, shortest, clamp}", true),
    bloat_of("dec2flt", "float parsing (str::parse::<f64>): use crate::num::parse_f64", false),
    bloat_of("to_lowercase", "Unicode case tables (str::to_lowercase/to_uppercase): use to_ascii_lowercase", false),
    bloat_of("to_uppercase", "Unicode case tables (str::to_uppercase): use to_ascii_uppercase", false),
    bloat_of("libm_math", "libm (f64 sin/cos/pow/ln/exp/atan2...): use crate::num::math", false),
    bloat_of("serde_json", "JSON is for #/open, in the open build only (the `open` feature, Cargo.toml)", true),
];

/// Which [`BLOAT`] entries the linked (pre-wasm-opt) wasm contains, judged by its `name`
/// section, with how many functions each. Empty when the file has no names.
pub fn bloat(wasm: &[u8]) -> Vec<(&'static Bloat, usize)> {
    let names = function_names(wasm).unwrap_or_default();
    BLOAT
        .iter()
        .filter_map(|b| {
            let n = names.iter().filter(|n| n.contains(b.frag)).count();
            (n > 0).then_some((b, n))
        })
        .collect()
}

/// Code bytes by crate in the linked (pre-wasm-opt) wasm, largest first, judged by each
/// function's symbol name: where the bytes are, before guessing what to move out of the first
/// load. Empty when the file has no names. Generic code counts under the crate that defines it
/// (a Yew component's body is inlined into `yew`'s `CompStateInner::view`), and wasm-opt
/// shrinks every crate afterwards, so these are proportions, not the shipped sizes.
pub fn code_by_crate(wasm: &[u8]) -> Vec<(String, usize)> {
    group_code(wasm, crate_of)
}

/// Code bytes of the linked wasm's functions grouped by monomorphization family: the demangled
/// name without its hash and with every `<…>` collapsed to `<_>`, so that the 34 copies of
/// `<yew::…::CompStateInner<_> as …>::view` (one per component) are one row, with how many
/// copies; largest first. The lever for generic code is the number of copies (fewer components,
/// a non-generic inner function), for one big function its own body.
pub fn code_by_family(wasm: &[u8]) -> Vec<(String, usize, usize)> {
    let mut by: Vec<(String, usize, usize)> = Vec::new();
    for (name, size) in function_sizes(wasm) {
        let fam = family_of(&demangle(&name));
        match by.iter_mut().find(|(f, _, _)| *f == fam) {
            Some((_, n, copies)) => (*n, *copies) = (*n + size, *copies + 1),
            None => by.push((fam, size, 1)),
        }
    }
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by
}

/// The linked wasm's functions by code bytes, largest first, demangled (hash dropped).
pub fn largest_functions(wasm: &[u8]) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = function_sizes(wasm)
        .into_iter()
        .map(|(name, size)| (demangle(&name), size))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all
}

fn group_code(wasm: &[u8], key: fn(&str) -> String) -> Vec<(String, usize)> {
    let mut by: Vec<(String, usize)> = Vec::new();
    for (name, size) in function_sizes(wasm) {
        let k = key(&name);
        match by.iter_mut().find(|(c, _)| *c == k) {
            Some((_, n)) => *n += size,
            None => by.push((k, size)),
        }
    }
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by
}

/// (symbol name, code bytes) of every function body, from the code and `name` sections; empty
/// when the module has no names.
fn function_sizes(wasm: &[u8]) -> Vec<(String, usize)> {
    let Some(sections) = wasm_sections(wasm) else {
        return vec![];
    };
    let names = function_names(wasm).unwrap_or_default();
    if names.is_empty() {
        return vec![];
    }
    let imported = sections
        .iter()
        .find(|(id, _)| *id == 2)
        .and_then(|(_, body)| imported_functions(body))
        .unwrap_or(0);
    let mut out = Vec::new();
    if let Some((_, code)) = sections.iter().find(|(id, _)| *id == 10) {
        let Some((count, mut i)) = leb128(code, 0) else {
            return vec![];
        };
        for k in 0..count {
            let Some((len, body)) = leb128(code, i) else {
                break;
            };
            let name = names.get(imported + k).map_or("?", String::as_str);
            out.push((name.to_owned(), body - i + len));
            i = body + len;
        }
    }
    out
}

/// A legacy-mangled (`_ZN…E`) symbol as Rust writes the path, without its hash
/// (`_ZN4core3fmt5write17h…E` is `core::fmt::write`); other names (v0 `_R…`, imports,
/// wasm-bindgen's shims) unchanged.
fn demangle(symbol: &str) -> String {
    let Some(mut rest) = symbol.strip_prefix("_ZN") else {
        return symbol.to_owned();
    };
    let mut parts: Vec<&str> = Vec::new();
    loop {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Some(len) = rest[..digits].parse::<usize>().ok() else {
            break;
        };
        let Some(part) = rest.get(digits..digits + len) else {
            return symbol.to_owned();
        };
        // A segment starting with an escape has a `_` before it (`_$LT$impl…`), not part of it.
        parts.push(
            part.strip_prefix('_')
                .filter(|p| p.starts_with('$'))
                .unwrap_or(part),
        );
        rest = &rest[digits + len..];
    }
    if parts.last().is_some_and(|h| {
        h.len() == 17 && h.starts_with('h') && h[1..].bytes().all(|b| b.is_ascii_hexdigit())
    }) {
        parts.pop();
    }
    let mut path = parts.join("::");
    for (from, to) in [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$u20$", " "),
        ("$RF$", "&"),
        ("$BP$", "*"),
        ("$C$", ","),
        ("$u27$", "'"),
        ("$u5b$", "["),
        ("$u5d$", "]"),
        ("$u7b$", "{"),
        ("$u7d$", "}"),
        ("$u3b$", ";"),
        ("$u2b$", "+"),
        ("$u3d$", "="),
        ("$LP$", "("),
        ("$RP$", ")"),
        ("..", "::"),
    ] {
        path = path.replace(from, to);
    }
    path
}

/// A demangled name with every list of generic arguments collapsed to `<_>`: the family all
/// the monomorphizations of one generic function share. A qualified path (`<T as Trait>::f`,
/// a `<` at the start or after `::`) stays, its generic arguments collapsed too.
fn family_of(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // One entry per open `<`: true for generic arguments (skipped), false for a qualified path.
    let mut open: Vec<bool> = Vec::new();
    let mut prev = ' ';
    for c in name.chars() {
        let skipping = open.contains(&true);
        match c {
            '<' => {
                let args = prev.is_ascii_alphanumeric() || prev == '_';
                if !skipping {
                    out.push_str(if args { "<_>" } else { "<" });
                }
                open.push(args || skipping);
            }
            '>' if !open.is_empty() => {
                if open.pop() == Some(false) {
                    out.push('>');
                }
            }
            _ if !skipping => out.push(c),
            _ => {}
        }
        prev = c;
    }
    out
}

/// How many of the module's functions are imports (the name section numbers them first).
fn imported_functions(imports: &[u8]) -> Option<usize> {
    let (count, mut i) = leb128(imports, 0)?;
    let mut funcs = 0;
    for _ in 0..count {
        for _ in 0..2 {
            let (len, j) = leb128(imports, i)?;
            i = j + len;
        }
        let kind = *imports.get(i)?;
        i += 1;
        match kind {
            0 => {
                funcs += 1;
                i = leb128(imports, i)?.1;
            }
            1 => {
                let (flags, j) = leb128(imports, i + 1)?;
                i = leb128(imports, j)?.1;
                if flags & 1 == 1 {
                    i = leb128(imports, i)?.1;
                }
            }
            2 => {
                let (flags, j) = leb128(imports, i)?;
                i = leb128(imports, j)?.1;
                if flags & 1 == 1 {
                    i = leb128(imports, i)?.1;
                }
            }
            3 => i += 2,
            4 => i = leb128(imports, i + 1)?.1,
            _ => return None,
        }
    }
    Some(funcs)
}

/// The crate a symbol belongs to: the first path segment of a legacy (`_ZN…`) or v0 (`_R…`)
/// mangled name, looking inside `<…>` of an impl (`<yew::…::CompStateInner<C> as …>` is
/// `yew`); other names (imports, wasm-bindgen's shims) are `other`.
fn crate_of(symbol: &str) -> String {
    let ident = |s: &str| -> Option<String> {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let len: usize = s[..digits].parse().ok()?;
        let name = s.get(digits..digits + len)?;
        let name = name.strip_prefix("_$LT$").unwrap_or(name);
        let end = name.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
        Some(name[..end.unwrap_or(name.len())].to_string())
    };
    let found = if let Some(rest) = symbol.strip_prefix("_ZN") {
        ident(rest)
    } else if symbol.starts_with("_R") {
        // v0: the first crate root, `C` + optional `s<disambiguator>_` + <len><name>.
        symbol.find("Cs").and_then(|at| {
            let after = &symbol[at + 2..];
            let skip = after.find('_')? + 1;
            ident(&after[skip..])
        })
    } else {
        None
    };
    found
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "other".into())
}

/// Function names from the wasm `name` custom section (subsection 1).
fn function_names(wasm: &[u8]) -> Option<Vec<String>> {
    for (id, body) in wasm_sections(wasm)? {
        if id != 0 {
            continue;
        }
        let (len, i) = leb128(body, 0)?;
        if body.get(i..i + len)? != b"name" {
            continue;
        }
        let mut i = i + len;
        let mut out = Vec::new();
        while i < body.len() {
            let sub = body[i];
            let (size, j) = leb128(body, i + 1)?;
            if sub == 1 {
                let (count, mut k) = leb128(body, j)?;
                for _ in 0..count {
                    let (_, k1) = leb128(body, k)?;
                    let (n, k2) = leb128(body, k1)?;
                    out.push(String::from_utf8_lossy(body.get(k2..k2 + n)?).into_owned());
                    k = k2 + n;
                }
            }
            i = j + size;
        }
        return Some(out);
    }
    None
}

/// Gzipped size with `gzip -9` (what a static host serves; std has no deflate).
fn gzip_len(bytes: &[u8]) -> io::Result<u64> {
    let mut child = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| io::Error::other(format!("cannot run gzip: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| io::Error::other("gzip writer"))??;
    Ok(out.stdout.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_trunk_index_loads() {
        let html = r#"<link rel="modulepreload" href="/synack-abc.js" crossorigin>
<link rel="preload" href="/synack-abc_bg.wasm" crossorigin as="fetch" type="application/wasm">
<link rel="stylesheet" href="/style-123.css" integrity="sha384-x"/>
<a href="https://example.invalid/">x</a>
<script type="module">import init, * as bindings from '/synack-abc.js';
const wasm = await init({ module_or_path: '/synack-abc_bg.wasm' });</script>"#;
        assert_eq!(
            referenced_files(html),
            ["synack-abc.js", "synack-abc_bg.wasm", "style-123.css"]
        );
    }

    #[test]
    fn finds_what_our_loader_and_the_js_load() {
        // Trunk.toml's pattern_script and pattern_preload, as Trunk fills them in.
        let html = r#"<script>
  self.synackWasm = WebAssembly.compileStreaming(fetch("/synack-abc_bg.wasm")).catch(() =>
    fetch("/synack-abc_bg.wasm").then((r) => r.arrayBuffer()).then((b) => WebAssembly.compile(b)));
</script>
<script type="module">
  import init from "/synack-abc.js";
</script>
<link rel="modulepreload" href="/synack-abc.js" crossorigin="anonymous">"#;
        assert_eq!(
            referenced_files(html),
            ["synack-abc.js", "synack-abc_bg.wasm"]
        );
        // The same, minified by Trunk (`minify = "on_release"`).
        let html = r#"<script>self.synackWasm=WebAssembly.compileStreaming(fetch(`/synack-abc_bg.wasm`))</script><script type=module>import init from "/synack-abc.js";</script><link href=/style-1.css integrity=sha384-x rel=stylesheet><link crossorigin href=/synack-abc.js rel=modulepreload></head>"#;
        let mut found = referenced_files(html);
        found.sort();
        assert_eq!(
            found,
            ["style-1.css", "synack-abc.js", "synack-abc_bg.wasm"]
        );
        // wasm-bindgen's JS imports its snippets relative to itself.
        let js = "import { f } from './snippets/synack-123/inline0.js';\nexport function g() {}";
        assert_eq!(referenced_files(js), ["snippets/synack-123/inline0.js"]);
    }

    #[test]
    fn counts_the_real_loader_and_names_chained_modules() {
        // Trunk.toml's own pattern_script, filled in as Trunk does: it loads the JS and the wasm,
        // and nothing else at start-up (the full build's loader only runs on demand).
        let toml = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Trunk.toml"))
            .unwrap();
        let quotes = "'''";
        let script = toml
            .split(&format!("pattern_script = {quotes}"))
            .nth(1)
            .unwrap();
        let script = script.split(quotes).next().unwrap();
        let html = script
            .replace("{base}", "/")
            .replace("{wasm}", "synack-abc_bg.wasm")
            .replace("{js}", "synack-abc.js");
        let mut found = referenced_files(&html);
        found.sort();
        assert_eq!(found, ["synack-abc.js", "synack-abc_bg.wasm"]);

        // A dist whose JS imports a snippet: the snippet counts, and is named as chained.
        let dir = std::env::temp_dir().join(format!("synack-size-{}", std::process::id()));
        fs::create_dir_all(dir.join("snippets/x")).unwrap();
        fs::write(dir.join("index.html"), &html).unwrap();
        fs::write(
            dir.join("synack-abc.js"),
            "import { f } from './snippets/x/inline0.js';",
        )
        .unwrap();
        fs::write(dir.join("synack-abc_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        fs::write(dir.join("snippets/x/inline0.js"), "export function f() {}").unwrap();
        let report = measure(&dir).unwrap();
        assert_eq!(report.chained, ["snippets/x/inline0.js"]);
        assert!(
            report.files.iter().all(|f| f.first_load),
            "every file here is first load"
        );
        // Without the import, nothing is chained.
        fs::write(dir.join("synack-abc.js"), "export function g() {}").unwrap();
        assert!(measure(&dir).unwrap().chained.is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reads_wasm_sections_and_names() {
        // A module with one empty function named "core::num::flt2dec::x" and a data segment.
        let name = b"core::num::flt2dec::x";
        let mut names = vec![1u8, 0, name.len() as u8];
        names.extend_from_slice(name);
        let mut sub = vec![1u8, names.len() as u8];
        sub.extend_from_slice(&names);
        let mut custom = vec![4u8];
        custom.extend_from_slice(b"name");
        custom.extend_from_slice(&sub);
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type: () -> ()
        m.extend_from_slice(&[3, 2, 1, 0]); // function 0 has type 0
        m.extend_from_slice(&[10, 4, 1, 2, 0, 0x0b]); // code: one empty body
        m.extend_from_slice(&[11, 7, 1, 0, 0x41, 0, 0x0b, 1, b'x']); // data: "x" at 0
        m.push(0);
        m.push(custom.len() as u8);
        m.extend_from_slice(&custom);
        let groups: Vec<_> = wasm_section_groups(&m)
            .into_iter()
            .map(|(g, b)| (g, b.len()))
            .collect();
        assert_eq!(
            groups,
            [("code", 4), ("data", 7), ("other", 4 + 2 + custom.len())]
        );
        assert_eq!(function_names(&m).unwrap(), ["core::num::flt2dec::x"]);
        let found = bloat(&m);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0.frag, found[0].1), ("flt2dec", 1));
        assert!(found[0].0.forbidden);
        // Its one body (size byte + 2 bytes); the name is not a mangled symbol.
        assert_eq!(code_by_crate(&m), [("other".to_string(), 3)]);
        assert!(wasm_section_groups(b"not wasm").is_empty());
    }

    #[test]
    fn symbols_are_counted_under_their_crate() {
        assert_eq!(
            crate_of("_ZN12synack_model3sim3Sim7advance17h0123456789abcdefE"),
            "synack_model"
        );
        // An impl: the crate of the type inside `<…>`.
        assert_eq!(
            crate_of("_ZN121_$LT$yew..html..component..lifecycle..CompStateInner$LT$COMP$GT$$u20$as$u20$yew..html..component..lifecycle..Stateful$GT$4view17hdfee5d9221f1cc18E"),
            "yew"
        );
        assert_eq!(
            crate_of("_RNvXs7_NtNtCs9ygY0Dp2cG_4core3fmt5floatdNtB7_7Display3fmt"),
            "core"
        );
        assert_eq!(crate_of("__wbindgen_malloc"), "other");
    }

    #[test]
    fn symbols_are_demangled_and_grouped_by_family() {
        let view = "_ZN121_$LT$yew..html..component..lifecycle..CompStateInner$LT$COMP$GT$$u20$as$u20$yew..html..component..lifecycle..Stateful$GT$4view17hdfee5d9221f1cc18E";
        assert_eq!(
            demangle(view),
            "<yew::html::component::lifecycle::CompStateInner<COMP> as \
             yew::html::component::lifecycle::Stateful>::view"
        );
        assert_eq!(
            family_of(&demangle(view)),
            "<yew::html::component::lifecycle::CompStateInner<_> as \
             yew::html::component::lifecycle::Stateful>::view"
        );
        // An inherent impl's segment (`_$LT$impl…`) and nested generic arguments.
        let reconcile = "_ZN3yew10dom_bundle5bnode98_$LT$impl$u20$yew..dom_bundle..traits..Reconcilable$u20$for$u20$yew..virtual_dom..vnode..VNode$GT$9reconcile17h0123456789abcdefE";
        assert_eq!(
            demangle(reconcile),
            "yew::dom_bundle::bnode::<impl yew::dom_bundle::traits::Reconcilable for \
             yew::virtual_dom::vnode::VNode>::reconcile"
        );
        assert_eq!(
            family_of("alloc::rc::Rc<core::cell::RefCell<alloc::vec::Vec<u8>>>::drop_slow"),
            "alloc::rc::Rc<_>::drop_slow"
        );
        assert_eq!(family_of("__wbindgen_malloc"), "__wbindgen_malloc");
        assert_eq!(demangle("_RNvCs1_4core3fmt"), "_RNvCs1_4core3fmt");
    }

    #[test]
    fn functions_are_listed_by_size_and_family() {
        // Three functions: two copies of one generic function (4 and 5 bytes with their size
        // byte) and one other (3 bytes), named in the name section.
        let names: &[&[u8]] = &[
            b"_ZN5alloc2rc12Rc$LT$u8$GT$9drop_slow17h0000000000000001E",
            b"_ZN5alloc2rc13Rc$LT$u16$GT$9drop_slow17h0000000000000002E",
            b"_ZN6synack5start17h0000000000000003E",
        ];
        let mut entries = vec![names.len() as u8];
        for (i, n) in names.iter().enumerate() {
            entries.extend_from_slice(&[i as u8, n.len() as u8]);
            entries.extend_from_slice(n);
        }
        // Sizes above 127 take two bytes of LEB128.
        let leb = |n: usize| -> Vec<u8> {
            if n < 128 {
                vec![n as u8]
            } else {
                vec![(n & 0x7f) as u8 | 0x80, (n >> 7) as u8]
            }
        };
        let mut custom = vec![4u8];
        custom.extend_from_slice(b"name");
        custom.push(1);
        custom.extend(leb(entries.len()));
        custom.extend_from_slice(&entries);
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        m.extend_from_slice(&[3, 4, 3, 0, 0, 0]);
        // Bodies (size, no locals, nops, end).
        m.extend_from_slice(&[10, 13, 3, 3, 0, 1, 0x0b, 4, 0, 1, 1, 0x0b, 2, 0, 0x0b]);
        m.push(0);
        m.extend(leb(custom.len()));
        m.extend_from_slice(&custom);
        assert_eq!(
            code_by_family(&m),
            [
                ("alloc::rc::Rc<_>::drop_slow".to_string(), 9, 2),
                ("synack::start".to_string(), 3, 1)
            ]
        );
        assert_eq!(
            largest_functions(&m),
            [
                ("alloc::rc::Rc<u16>::drop_slow".to_string(), 5),
                ("alloc::rc::Rc<u8>::drop_slow".to_string(), 4),
                ("synack::start".to_string(), 3)
            ]
        );
        assert_eq!(
            code_by_crate(&m),
            [("alloc".to_string(), 9), ("synack".to_string(), 3)]
        );
    }

    #[test]
    fn names_the_routes_index_html_paints_before_the_wasm() {
        let html = r#"<div id="app"></div>
    <script type="text/plain" class="synack-pre" data-route="/handshake" data-lang="en"><p>route</p></script>
    <script type=text/plain class=synack-pre data-route=/teardown data-lang=zh><p>x</p></script><script type=text/plain class=synack-pre data-lang=en data-route=/teardown>y</script>
    <script>const shown = snapshots.find((s) => s.dataset.route === "/");</script>"#;
        assert_eq!(prerendered_routes(html), ["#/handshake", "#/teardown"]);
        assert!(prerendered_routes("<div id=app></div>").is_empty());
    }

    #[test]
    fn an_on_demand_build_counts_its_js_wasm_the_page_sheets_and_the_largest_page_text() {
        let file = |name: &str, raw, gz| FileSize {
            name: name.into(),
            raw,
            gz,
            first_load: false,
            sections: vec![],
        };
        let report = Report {
            files: vec![
                file("synack-full.js", 10, 1),
                file("synack-full_bg.wasm", 100, 20),
                file("synack-open.js", 1000, 300),
                file("synack-open_bg.wasm", 5000, 4000),
                file("full/open.css", 7, 2),
                file("style-1.css", 50_000, 50_000),
                file("words/a.tsv", 900, 30),
                file("words/b.tsv", 800, 40),
                // Page a in the Node.js view fetches both of its files: 50 in all.
                file("words/node-a.tsv", 100, 20),
            ],
            prerendered: vec![],
            chained: vec![],
        };
        assert_eq!(report.largest_page_text(), (1000, 50));
        assert_eq!(report.lazy_build("synack-full"), Some((1117, 73)));
        assert_eq!(report.lazy_build("synack-open"), Some((7007, 4352)));
        assert_eq!(report.lazy_build("synack-none"), None);
        assert_eq!(page_of_text("words/node-tcp-vs-udp.tsv"), "tcp-vs-udp");
        assert_eq!(page_of_text("words/tcp-vs-udp.tsv"), "tcp-vs-udp");
    }

    #[test]
    fn gzip_shrinks_repetitive_data() {
        let n = gzip_len(&[b'a'; 10_000]).unwrap();
        assert!(n > 0 && n < 200, "{n}");
    }
}
