//! Set-up: installs what is missing, one progress line per step, and returns the context in
//! which every later command runs (toolchain and PATH).
//!
//! It is idempotent and quick the second time: every step first probes (dpkg-query, `--version`,
//! file comparisons) and only installs on a miss. Versions are pinned: Trunk here, wasm-bindgen-cli
//! from Cargo.lock (the crate is pinned with `=` in Cargo.toml), the npm tools by
//! `e2e/package-lock.json`. Debian packages come from Debian stable by name; the wasm32 sysroot is
//! rebuilt whenever Debian's rustc changes. See ../shared/notes/toolchain.md for why.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crate::cmd::{self, human, Cmd};

const TRUNK_VERSION: &str = "0.21.14";
/// The linked rustup toolchain that the sysroot route creates.
const SYNACK_TOOLCHAIN: &str = "synack";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// First line of the wasm-opt wrapper we install; lets a later run recognise (and update) it
/// without ever overwriting a wasm-opt that someone else put there.
const WRAPPER_MARKER: &str = "# synack set-up: wasm-opt from the pinned npm binaryen";

/// Debian packages, with why each is needed.
const APT_PACKAGES: &[(&str, &str)] = &[
    (
        "rustc-web",
        "Debian's rustc 1.96, used to build the wasm32 std",
    ),
    ("cargo-web", "its cargo"),
    ("rust-web-src", "std sources for the wasm32 sysroot"),
    ("lld-22", "the wasm linker of rustc-web"),
    ("rustfmt-web", "rustfmt matching rustc 1.96"),
    ("rust-web-clippy", "clippy matching rustc 1.96"),
    ("chromium", "headless browser for wasm and e2e tests"),
    (
        "chromium-driver",
        "chromedriver for wasm-bindgen-test-runner",
    ),
    ("fonts-noto-cjk", "Chinese text in screenshots"),
    ("iproute2", "network namespaces for the lab"),
    ("nftables", "packet drops for the lab"),
    ("tshark", "differential tests of the capture reader"),
];

/// Debian packages the tests can do without, asked for with the others: when apt cannot
/// install them (a mirror or release without them), the rest is installed without them and the
/// set-up says what is used instead.
const APT_OPTIONAL: &[(&str, &str)] = &[(
    "chromium-headless-shell",
    "the e2e suite's browser: chromium without its browser window, less CPU a page; without it the suite uses /usr/bin/chromium",
)];

/// Where every later command runs: the toolchain to select and the PATH to use.
pub struct Ctx {
    pub root: PathBuf,
    /// Passed as RUSTUP_TOOLCHAIN to every cargo/trunk child: rustup's proxy would otherwise
    /// hand down the toolchain that built xtask (stable on a fresh clone).
    pub toolchain: String,
    path: OsString,
    /// The `cargo install` of Trunk and wasm-bindgen-cli when one was missing (see [`Ctx::tools`]).
    tools: Mutex<Tools>,
}

/// Trunk and wasm-bindgen-cli take minutes to compile on a fresh machine, and most of the test
/// command (rustfmt, both clippy runs, the native tests with the lab's minute of real-kernel
/// timers) does not need them: they are installed in a background thread while that runs, and
/// the first step that needs them waits. On 2 cores this fills the gaps of the other builds
/// (linking, build scripts, the lab's sleeps) instead of leaving a core idle.
enum Tools {
    Installing(JoinHandle<io::Result<()>>),
    Ready,
    Failed(String),
}

impl Ctx {
    /// Waits until Trunk and wasm-bindgen-cli are installed (at once when they already were).
    pub fn tools(&self) -> io::Result<()> {
        let mut tools = self.tools.lock().unwrap_or_else(|e| e.into_inner());
        if let Tools::Installing(_) = &*tools {
            let Tools::Installing(handle) = std::mem::replace(&mut *tools, Tools::Ready) else {
                unreachable!()
            };
            println!("setup: waiting for the background install of trunk and wasm-bindgen-cli");
            let result = handle
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the install thread panicked")));
            if let Err(e) = result {
                *tools = Tools::Failed(e.to_string());
            }
        }
        match &*tools {
            Tools::Failed(why) => Err(io::Error::other(why.clone())),
            _ => Ok(()),
        }
    }

    /// A command in the project root with the chosen toolchain and PATH.
    pub fn cmd(&self, program: &str) -> Cmd {
        Cmd::new(program)
            .env("RUSTUP_TOOLCHAIN", &self.toolchain)
            .env("PATH", &self.path)
            .cwd(&self.root)
    }

    pub fn cargo(&self) -> Cmd {
        self.cmd("cargo")
    }
}

fn step(name: &str, msg: impl AsRef<str>) {
    println!("setup: {name:<24} {}", msg.as_ref());
}

fn fail(name: &str, what: &str, log: &Path) -> io::Error {
    let tail = cmd::tail(log, 25);
    io::Error::other(format!(
        "set-up step `{name}` failed: {what}\n--- last lines of {} ---\n{tail}",
        log.display()
    ))
}

pub fn run(root: &Path) -> io::Result<Ctx> {
    let started = Instant::now();
    let logs = root.join("target/xtask");
    let home = home_dir()?;
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cargo"))
        .join("bin");

    // Started first when rustup has a default toolchain to compile them with: that needs nothing
    // from apt, so the downloads and the sysroot build below overlap the compile.
    let mut tools = rustup_default()
        .map(|default| cargo_tools(root, &default, &home, &logs))
        .transpose()?;
    apt_packages(&logs)?;
    let toolchain = rust_toolchain(root, &logs)?;
    let tools = match tools.take() {
        Some(t) => t,
        None => cargo_tools(root, &toolchain, &home, &logs)?,
    };
    let node_bin = node_tools(root, &logs)?;
    wasm_opt_wrapper(&cargo_bin, &node_bin)?;

    // Children find the pinned wasm-opt first, then ~/.cargo/bin (trunk, wasm-bindgen).
    let mut dirs = vec![node_bin, cargo_bin];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    let path = std::env::join_paths(dirs).map_err(io::Error::other)?;
    step("ready", format!("in {}", human(started.elapsed())));
    Ok(Ctx {
        root: root.to_owned(),
        toolchain,
        path,
        tools: Mutex::new(tools),
    })
}

fn home_dir() -> io::Result<PathBuf> {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .ok_or_else(|| io::Error::other("HOME is not set"))
}

// ---------------------------------------------------------------------------------------------
// Debian packages

fn apt_packages(logs: &Path) -> io::Result<()> {
    const NAME: &str = "apt packages";
    if cmd::on_path("dpkg-query").is_none() {
        step(
            NAME,
            "not a Debian machine: skipped (install chromium, chromedriver, node/npm and a CJK font yourself)",
        );
        return Ok(());
    }
    let names: Vec<&str> = APT_PACKAGES
        .iter()
        .chain(APT_OPTIONAL)
        .map(|(n, _)| *n)
        .collect();
    let out = Cmd::new("dpkg-query")
        .args(["-W", "-f=${Package} ${db:Status-Abbrev}\\n"])
        .args(&names)
        .read()?;
    let installed: Vec<&str> = out
        .text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, status)| status.starts_with("ii"))
        .map(|(name, _)| name)
        .collect();
    let mut missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !installed.contains(n))
        .collect();
    // Node may come from Debian or from elsewhere (its own npm inside); ask apt only when absent.
    if cmd::on_path("node").is_none() || cmd::on_path("npm").is_none() {
        missing.extend(["nodejs", "npm"]);
    }
    if missing.is_empty() {
        step(NAME, format!("ok ({} installed)", names.len()));
        return Ok(());
    }

    let sudo = if is_root() {
        None
    } else if cmd::on_path("sudo").is_some() {
        Some("sudo")
    } else {
        return Err(io::Error::other(format!(
            "missing Debian packages and not root: apt-get install {}",
            missing.join(" ")
        )));
    };
    let apt = |args: &[&str]| {
        let c = match sudo {
            Some(s) => Cmd::new(s).arg("apt-get"),
            None => Cmd::new("apt-get"),
        };
        c.env("DEBIAN_FRONTEND", "noninteractive").args(args)
    };
    let log = logs.join("setup-apt.log");
    step(
        NAME,
        format!("installing {} (log {})", missing.join(" "), log.display()),
    );
    let t = Instant::now();
    if !apt(&["update", "-q"]).run_logged(&log)?.success() {
        return Err(fail(NAME, "apt-get update", &log));
    }
    let install_log = logs.join("setup-apt-install.log");
    let install = |names: &[&str], log: &Path| {
        let mut args = vec!["install", "-y", "-q"];
        args.extend(names);
        apt(&args).run_logged(log).map(|s| s.success())
    };
    if install(&missing, &install_log)? {
        step(NAME, format!("installed in {}", human(t.elapsed())));
        return Ok(());
    }
    // Once more without the optional packages: one apt cannot find must not stop the set-up.
    let optional = |n: &&str| APT_OPTIONAL.iter().any(|(o, _)| o == n);
    let (left_out, required): (Vec<&str>, Vec<&str>) = missing.iter().copied().partition(optional);
    let again_log = logs.join("setup-apt-install-required.log");
    if left_out.is_empty() {
        return Err(fail(NAME, "apt-get install", &install_log));
    }
    if !(required.is_empty() || install(&required, &again_log)?) {
        return Err(fail(NAME, "apt-get install", &again_log));
    }
    step(
        NAME,
        format!(
            "installed in {}, without {} (apt could not install it; see {}): {}",
            human(t.elapsed()),
            left_out.join(" "),
            install_log.display(),
            APT_OPTIONAL
                .iter()
                .filter(|(n, _)| left_out.contains(n))
                .map(|(_, why)| *why)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    Ok(())
}

fn is_root() -> bool {
    Cmd::new("id")
        .arg("-u")
        .read()
        .map(|o| o.text.trim() == "0")
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------
// Rust toolchain with a wasm32 std

/// Returns the rustup toolchain to use. Prefers rustup's default when it already has a wasm32
/// std (`rustup target add` worked there); otherwise builds Debian's rustc 1.96 into a sysroot
/// with a wasm32 std, links it as the toolchain `synack` and selects it for the project
/// directory (`rustup override`, keyed by the absolute path, hence redone for every clone).
fn rust_toolchain(root: &Path, logs: &Path) -> io::Result<String> {
    const NAME: &str = "rust toolchain";
    if cmd::on_path("rustup").is_none() {
        return Err(io::Error::other(
            "rustup is not on PATH: install it (https://rustup.rs) and run again",
        ));
    }
    if let Some(default) = rustup_default() {
        if has_wasm_std(&default) {
            step(
                NAME,
                format!("{default} has the {WASM_TARGET} std: using it"),
            );
            return Ok(default);
        }
    }

    let sysroot = sysroot_dir();
    let debian_rustc = Cmd::new("/usr/bin/rustc").arg("-vV").read().map_err(|_| {
        io::Error::other("no wasm32 std in rustup and no /usr/bin/rustc (Debian's rustc-web)")
    })?;
    let stamp = fs::read_to_string(sysroot.join("rustc-vV.txt")).unwrap_or_default();
    let linked = Cmd::new("rustup")
        .args(["toolchain", "list"])
        .read()?
        .text
        .lines()
        .any(|l| l.split_whitespace().next() == Some(SYNACK_TOOLCHAIN));
    let release = debian_rustc
        .text
        .lines()
        .find_map(|l| l.strip_prefix("release: "))
        .unwrap_or("?")
        .to_owned();
    let mut what = if stamp == debian_rustc.text && linked && has_wasm_std(SYNACK_TOOLCHAIN) {
        format!("{SYNACK_TOOLCHAIN} = Debian rustc {release} + wasm32 sysroot (ok)")
    } else {
        let log = logs.join("setup-sysroot.log");
        step(
            NAME,
            format!(
                "building the wasm32 sysroot in {} (about 30 s; log {})",
                sysroot.display(),
                log.display()
            ),
        );
        let t = Instant::now();
        let status = Cmd::new("sh")
            .arg(root.join("xtask/scripts/make-sysroot.sh"))
            .arg(&sysroot)
            .run_logged(&log)?;
        if !status.success() || !has_wasm_std(SYNACK_TOOLCHAIN) {
            return Err(fail(NAME, "make-sysroot.sh", &log));
        }
        format!(
            "{SYNACK_TOOLCHAIN} = Debian rustc {release} + wasm32 sysroot (built in {})",
            human(t.elapsed())
        )
    };

    let canonical = root.canonicalize()?;
    let overridden = Cmd::new("rustup")
        .args(["override", "list"])
        .read()?
        .text
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some((PathBuf::from(parts.next()?), parts.next()?.to_owned()))
        })
        .any(|(dir, tc)| dir == canonical && tc == SYNACK_TOOLCHAIN);
    if !overridden {
        let out = Cmd::new("rustup")
            .args(["override", "set", SYNACK_TOOLCHAIN])
            .cwd(root)
            .read()?;
        if !out.ok() {
            return Err(io::Error::other(format!(
                "rustup override set {SYNACK_TOOLCHAIN} failed:\n{}",
                out.text
            )));
        }
        what.push_str(&format!(", override set for {}", canonical.display()));
    }
    step(NAME, what);
    Ok(SYNACK_TOOLCHAIN.to_owned())
}

/// /opt/synack-rust when writable (root, as on these machines), else under the user's data dir.
fn sysroot_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SYNACK_SYSROOT") {
        return PathBuf::from(dir);
    }
    let opt = PathBuf::from("/opt/synack-rust");
    if is_root() || opt.exists() {
        opt
    } else {
        data_dir().join("rust-sysroot")
    }
}

fn rustup_default() -> Option<String> {
    let out = Cmd::new("rustup").arg("default").read().ok()?;
    // "stable-x86_64-unknown-linux-gnu (default)"
    out.ok()
        .then(|| out.text.split_whitespace().next().map(str::to_owned))
        .flatten()
}

fn has_wasm_std(toolchain: &str) -> bool {
    let Ok(out) = Cmd::new("rustc")
        .env("RUSTUP_TOOLCHAIN", toolchain)
        .args(["--print", "sysroot"])
        .read()
    else {
        return false;
    };
    if !out.ok() {
        return false;
    }
    let lib = Path::new(out.text.trim()).join(format!("lib/rustlib/{WASM_TARGET}/lib"));
    fs::read_dir(lib)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------
// cargo-installed tools (Trunk, wasm-bindgen-cli)

/// The wasm-bindgen version in Cargo.lock: wasm-bindgen-cli must be exactly that version, or
/// Trunk would try to download one.
fn wasm_bindgen_version(root: &Path) -> io::Result<String> {
    let lock = fs::read_to_string(root.join("Cargo.lock"))?;
    lock.split("[[package]]")
        .find(|p| p.contains("\nname = \"wasm-bindgen\"\n"))
        .and_then(|p| {
            p.lines()
                .find_map(|l| l.strip_prefix("version = \""))
                .map(|v| v.trim_end_matches('"').to_owned())
        })
        .ok_or_else(|| io::Error::other("wasm-bindgen not found in Cargo.lock"))
}

/// One tool to `cargo install`: crate, executable, pinned version, extra flags.
struct CargoTool {
    krate: &'static str,
    bin: &'static str,
    version: String,
    extra: &'static [&'static str],
}

/// Probes Trunk and wasm-bindgen-cli; installs the missing ones in a background thread.
fn cargo_tools(root: &Path, toolchain: &str, home: &Path, logs: &Path) -> io::Result<Tools> {
    let wanted = [
        // wasm-bindgen-cli first: the wasm tests need it before the release build needs Trunk.
        // No --locked: one of its locked dependencies does not resolve (toolchain.md).
        CargoTool {
            krate: "wasm-bindgen-cli",
            bin: "wasm-bindgen",
            version: wasm_bindgen_version(root)?,
            extra: &[],
        },
        CargoTool {
            krate: "trunk",
            bin: "trunk",
            version: TRUNK_VERSION.to_owned(),
            extra: &["--locked"],
        },
    ];
    let mut missing = Vec::new();
    for tool in wanted {
        let name = format!("{} {}", tool.krate, tool.version);
        let installed = Cmd::new(tool.bin)
            .arg("--version")
            .read()
            .ok()
            .filter(|o| o.ok())
            .map(|o| o.text.trim().to_owned());
        // "trunk 0.21.14", "wasm-bindgen 0.2.130"
        if installed
            .as_deref()
            .and_then(|v| v.split_whitespace().nth(1))
            == Some(&tool.version)
        {
            step(&name, "ok");
            continue;
        }
        let log = logs.join(format!("setup-{}.log", tool.krate));
        let was = installed.unwrap_or_else(|| "not installed".into());
        step(
            &name,
            format!(
                "installing in the background ({was}; a few minutes on 2 cores; log {})",
                log.display()
            ),
        );
        missing.push((tool, name, log));
    }
    if missing.is_empty() {
        return Ok(Tools::Ready);
    }
    let toolchain = toolchain.to_owned();
    let home = home.to_owned();
    Ok(Tools::Installing(thread::spawn(move || {
        for (tool, name, log) in missing {
            let t = Instant::now();
            // Run from $HOME so the project's .cargo/config.toml does not apply to the install.
            // Trunk's manifest asks for fat LTO with one codegen unit: its whole optimisation
            // and code generation then run on one core at the end of the build. A dev tool
            // gains nothing from that, so the install uses the ordinary optimised profile.
            let status = Cmd::new("cargo")
                .env("RUSTUP_TOOLCHAIN", &toolchain)
                .env("CARGO_PROFILE_RELEASE_LTO", "false")
                .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
                .args(["install", tool.krate, "--version", &tool.version])
                .args(tool.extra)
                .cwd(&home)
                .run_logged(&log)?;
            if !status.success() {
                return Err(fail(&name, "cargo install", &log));
            }
            step(&name, format!("installed in {}", human(t.elapsed())));
        }
        Ok(())
    })))
}

// ---------------------------------------------------------------------------------------------
// npm tools (binaryen's wasm-opt, playwright-core)

fn data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("/tmp"))
        .join("synack")
}

/// Installs `e2e/package.json` + `e2e/package-lock.json` with `npm ci` into a stable folder
/// outside the clone (so the wasm-opt wrapper keeps working when a clone is deleted) and links
/// `e2e/node_modules` to it. Returns the folder holding the tools' executables.
fn node_tools(root: &Path, logs: &Path) -> io::Result<PathBuf> {
    const NAME: &str = "node tools";
    let dir = data_dir().join("node-tools");
    let files = ["package.json", "package-lock.json"];
    let same = files.iter().all(|f| {
        let ours = fs::read(root.join("e2e").join(f));
        ours.is_ok() && ours.ok() == fs::read(dir.join(f)).ok()
    });
    let modules = dir.join("node_modules");
    let bin = modules.join(".bin");
    let complete = bin.join("wasm-opt").exists() && modules.join("playwright-core").exists();
    if !(same && complete) {
        let log = logs.join("setup-npm.log");
        step(
            NAME,
            format!("npm ci in {} (log {})", dir.display(), log.display()),
        );
        let t = Instant::now();
        fs::create_dir_all(&dir)?;
        for f in files {
            fs::copy(root.join("e2e").join(f), dir.join(f))?;
        }
        let status = Cmd::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .cwd(&dir)
            .run_logged(&log)?;
        if !status.success() {
            return Err(fail(NAME, "npm ci", &log));
        }
        step(NAME, format!("installed in {}", human(t.elapsed())));
    }

    // e2e/*.mjs import 'playwright-core': node resolves it through e2e/node_modules.
    let link = root.join("e2e/node_modules");
    match fs::symlink_metadata(&link) {
        Ok(m) if m.file_type().is_symlink() => {
            if fs::read_link(&link)? != modules {
                fs::remove_file(&link)?;
                std::os::unix::fs::symlink(&modules, &link)?;
            }
        }
        Ok(_) => {} // a real node_modules someone installed by hand: leave it
        Err(_) => std::os::unix::fs::symlink(&modules, &link)?,
    }

    let wasm_opt = Cmd::new(bin.join("wasm-opt")).arg("--version").read()?;
    let pinned = format!("version_{}", binaryen_major(root)?);
    if !wasm_opt.text.contains(&pinned) {
        return Err(io::Error::other(format!(
            "wasm-opt says `{}`, expected {pinned}",
            wasm_opt.text.trim()
        )));
    }
    let playwright = package_version(&modules.join("playwright-core/package.json"));
    step(
        NAME,
        format!("ok (wasm-opt {pinned}, playwright-core {playwright})"),
    );
    Ok(bin)
}

/// Major version of binaryen in the lockfile (132 gives wasm-opt `version_132`).
fn binaryen_major(root: &Path) -> io::Result<String> {
    let lock = fs::read_to_string(root.join("e2e/package-lock.json"))?;
    lock.split("\"node_modules/binaryen\"")
        .nth(1)
        .and_then(|rest| rest.split("\"version\": \"").nth(1))
        .and_then(|v| v.split('.').next())
        .map(str::to_owned)
        .ok_or_else(|| io::Error::other("binaryen not found in e2e/package-lock.json"))
}

fn package_version(package_json: &Path) -> String {
    fs::read_to_string(package_json)
        .ok()
        .and_then(|t| {
            t.split("\"version\": \"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into())
}

/// Puts a small `wasm-opt` script into ~/.cargo/bin (on PATH) so that plain `trunk serve` in the
/// project finds the pinned wasm-opt too, not only the commands xtask runs.
fn wasm_opt_wrapper(cargo_bin: &Path, node_bin: &Path) -> io::Result<()> {
    const NAME: &str = "wasm-opt on PATH";
    let wrapper = cargo_bin.join("wasm-opt");
    let script = format!(
        "#!/bin/sh\n{WRAPPER_MARKER} (see the project's README).\nexec \"{}\" \"$@\"\n",
        node_bin.join("wasm-opt").display()
    );
    match fs::read_to_string(&wrapper) {
        Ok(existing) if existing == script => step(NAME, "ok"),
        Ok(existing) if !existing.contains(WRAPPER_MARKER) => step(
            NAME,
            format!(
                "left alone: {} is not ours; `trunk serve` uses it, `cargo xtask` uses the pinned one",
                wrapper.display()
            ),
        ),
        _ => {
            use std::os::unix::fs::PermissionsExt;
            fs::create_dir_all(cargo_bin)?;
            fs::write(&wrapper, script)?;
            fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))?;
            step(NAME, format!("wrote {}", wrapper.display()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    #[test]
    fn reads_the_pinned_wasm_bindgen_from_the_lockfile() {
        let v = wasm_bindgen_version(&root()).unwrap();
        let manifest = fs::read_to_string(root().join("Cargo.toml")).unwrap();
        // `wasm-bindgen = "=V"` or, with features, `wasm-bindgen = { version = "=V", … }`.
        let pinned = manifest
            .lines()
            .filter(|l| l.trim_start().starts_with("wasm-bindgen ="))
            .any(|l| l.contains(&format!("\"={v}\"")));
        assert!(
            pinned,
            "Cargo.toml must pin wasm-bindgen to the Cargo.lock version {v}"
        );
    }

    #[test]
    fn reads_binaryen_major_from_the_npm_lockfile() {
        let major = binaryen_major(&root()).unwrap();
        assert!(major.parse::<u32>().unwrap() >= 132, "{major}");
    }
}
