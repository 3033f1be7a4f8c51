//! Size report of the release build in `dist/`: raw and gzipped size of every wasm, JS and CSS
//! file, and the first-load total (index.html plus what it loads at start-up).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// First load above this (gzipped) fails the test command.
pub const LIMIT_GZ: u64 = 350_000;
/// First load above this (gzipped) gets a warning: the project's target.
pub const TARGET_GZ: u64 = 200_000;

pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gz: u64,
    pub first_load: bool,
}

pub struct Report {
    pub files: Vec<FileSize>,
}

impl Report {
    pub fn first_load_gz(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.first_load)
            .map(|f| f.gz)
            .sum()
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
        for ext in ["wasm", "js", "css"] {
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
        println!(
            "{:<44} {:>11} {:>11}  (target {}, limit {})",
            "FIRST LOAD",
            kb(self.first_load_raw()),
            kb(self.first_load_gz()),
            kb(TARGET_GZ),
            kb(LIMIT_GZ)
        );
    }
}

/// 1 KB = 1000 bytes throughout (the stricter reading of the limits).
pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

pub fn measure(dist: &Path) -> io::Result<Report> {
    let index = fs::read_to_string(dist.join("index.html"))
        .map_err(|e| io::Error::other(format!("{}: {e}", dist.join("index.html").display())))?;
    let referenced = referenced_files(&index);
    let mut files = Vec::new();
    for path in walk(dist)? {
        let name = path
            .strip_prefix(dist)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css" | "html") {
            continue;
        }
        let bytes = fs::read(&path)?;
        files.push(FileSize {
            first_load: name == "index.html" || referenced.iter().any(|r| r == &name),
            raw: bytes.len() as u64,
            gz: gzip_len(&bytes)?,
            name,
        });
    }
    files.sort_by(|a, b| b.first_load.cmp(&a.first_load).then(a.name.cmp(&b.name)));
    Ok(Report { files })
}

/// Files that index.html loads at start-up: every `href="…"`/`src="…"` pointing into the site
/// (Trunk emits `<link rel="modulepreload" href="/synack-….js">`, `<link rel="preload"
/// href="/synack-…_bg.wasm">`, the stylesheet, and an inline module script that imports the JS
/// and fetches the wasm by the same names).
fn referenced_files(index: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "from '", "init('", "module_or_path: '"] {
        for piece in index.split(attr).skip(1) {
            let Some(end) = piece.find(['"', '\'']) else {
                continue;
            };
            let url = &piece[..end];
            if url.contains("://") || url.starts_with("data:") || url.starts_with('#') {
                continue;
            }
            let file = url.trim_start_matches("./").trim_start_matches('/');
            let file = file.split(['?', '#']).next().unwrap_or(file);
            if !file.is_empty() && !out.iter().any(|f| f == file) {
                out.push(file.to_owned());
            }
        }
    }
    out
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
    fn gzip_shrinks_repetitive_data() {
        let n = gzip_len(&[b'a'; 10_000]).unwrap();
        assert!(n > 0 && n < 200, "{n}");
    }
}
