//! Running external commands: echo them, stream their output, and keep a copy to parse.

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Environment variables that `cargo run` and rustup's proxy put into xtask's own environment.
/// They describe how *xtask* was built, not what the spawned tools should use, so they are
/// removed from every child (`CARGO` would make Trunk's cargo_metadata call the toolchain that
/// built xtask; `RUSTUP_TOOLCHAIN` is set explicitly, see `Ctx`).
const INHERITED_FROM_CARGO_RUN: &[&str] = &[
    "CARGO",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_PKG_NAME",
    "CARGO_PKG_VERSION",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "RUSTUP_TOOLCHAIN",
];

/// A command to run, with the environment changes to apply to it.
#[derive(Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    envs: Vec<(OsString, Option<OsString>)>,
    cwd: Option<PathBuf>,
}

/// What a finished command printed (stdout and stderr interleaved by line) and how it ended.
pub struct Output {
    pub status: ExitStatus,
    pub text: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.status.success()
    }
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let mut envs: Vec<(OsString, Option<OsString>)> = INHERITED_FROM_CARGO_RUN
            .iter()
            .map(|k| (OsString::from(k), None))
            .collect();
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("CARGO_PKG_") || k.starts_with("CARGO_BIN_") {
                envs.push((key, None));
            }
        }
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            envs,
            cwd: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        for (k, v) in &self.envs {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        if let Some(dir) = &self.cwd {
            c.current_dir(dir);
        }
        c
    }

    fn echo(&self) {
        println!("$ {self}");
        let _ = io::stdout().flush();
    }

    /// Runs with the terminal attached, echoing the command line first.
    pub fn run(&self) -> io::Result<ExitStatus> {
        self.echo();
        self.command().status().map_err(|e| self.spawn_error(e))
    }

    /// Runs, echoing the command line, printing its output as it comes and keeping a copy.
    pub fn run_tee(&self) -> io::Result<Output> {
        self.echo();
        let mut command = self.command();
        if io::stdout().is_terminal() {
            command.env("CARGO_TERM_COLOR", "always");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(e))?;
        let text = Arc::new(Mutex::new(String::new()));
        let out = tee(child.stdout.take().expect("piped"), text.clone(), false);
        let err = tee(child.stderr.take().expect("piped"), text.clone(), true);
        let status = child.wait()?;
        let _ = out.join();
        let _ = err.join();
        let text = std::mem::take(&mut *text.lock().expect("tee lock"));
        Ok(Output { status, text })
    }

    /// Runs silently and returns what it printed (for probes such as `trunk --version`).
    pub fn read(&self) -> io::Result<Output> {
        let out = self
            .command()
            .stdin(Stdio::null())
            .output()
            .map_err(|e| self.spawn_error(e))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok(Output {
            status: out.status,
            text,
        })
    }

    /// Runs with all output going to `log` (for long installs that would drown the progress
    /// lines); on failure the caller shows the log's tail.
    pub fn run_logged(&self, log: &Path) -> io::Result<ExitStatus> {
        if let Some(dir) = log.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create(log)?;
        let mut header = file.try_clone()?;
        writeln!(header, "$ {self}")?;
        self.command()
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .status()
            .map_err(|e| self.spawn_error(e))
    }

    /// Starts the command in the background with stdout piped (servers); see `Background`.
    pub fn spawn_piped(&self) -> io::Result<Background> {
        self.echo();
        let child = self
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| self.spawn_error(e))?;
        Ok(Background { child })
    }

    fn spawn_error(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("cannot run `{self}`: {e}"))
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in &self.envs {
            // PATH is long and always the same: leave it out of the echoed line.
            if let (Some(v), false) = (v, k == "PATH") {
                write!(f, "{}={} ", k.to_string_lossy(), v.to_string_lossy())?;
            }
        }
        write!(f, "{}", self.program.to_string_lossy())?;
        for a in &self.args {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'') {
                write!(f, " '{}'", a.replace('\'', "'\\''"))?;
            } else {
                write!(f, " {a}")?;
            }
        }
        Ok(())
    }
}

fn tee<R: Read + Send + 'static>(
    stream: R,
    sink: Arc<Mutex<String>>,
    to_stderr: bool,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if to_stderr {
                        let _ = io::stderr().write_all(&buf);
                    } else {
                        let _ = io::stdout().write_all(&buf);
                    }
                    let line = String::from_utf8_lossy(&buf);
                    sink.lock().expect("tee lock").push_str(&strip_ansi(&line));
                }
            }
        }
    })
}

/// A background process (a static server) that is killed when dropped, so no early return or
/// panic can leave it running.
pub struct Background {
    child: Child,
}

impl Background {
    /// Reads stdout lines until one satisfies `pick`, for at most `timeout`.
    pub fn wait_for_line(
        &mut self,
        timeout: Duration,
        pick: impl Fn(&str) -> Option<String> + Send + 'static,
    ) -> io::Result<String> {
        let stdout = self.child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut found = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !found {
                    if let Some(v) = pick(&line) {
                        found = true;
                        let _ = tx.send(v);
                        continue;
                    }
                }
                println!("{line}");
            }
        });
        let start = Instant::now();
        rx.recv_timeout(timeout).map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "no ready line after {:.0?} (process {})",
                    start.elapsed(),
                    self.child.id()
                ),
            )
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Removes ANSI escape sequences (colours) so the output can be parsed.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                // CSI: parameters and intermediates up to a final byte in @..~
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Last `n` lines of a file (to show why a logged install failed).
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Whether an executable with this name is on PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// "12.3 s" or "4 min 05 s".
pub fn human(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", (s / 60.0) as u64, (s as u64) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_colours() {
        assert_eq!(
            strip_ansi("\u{1b}[1m\u{1b}[32mtest result\u{1b}[0m: ok."),
            "test result: ok."
        );
        assert_eq!(strip_ansi("plain ℹ pass 3"), "plain ℹ pass 3");
    }

    #[test]
    fn displays_env_and_quotes() {
        let c = Cmd::new("cargo")
            .env("RUSTUP_TOOLCHAIN", "synack")
            .args(["fmt", "--", "a b"]);
        assert_eq!(c.to_string(), "RUSTUP_TOOLCHAIN=synack cargo fmt -- 'a b'");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human(Duration::from_millis(1234)), "1.2 s");
        assert_eq!(human(Duration::from_secs(185)), "3 min 05 s");
    }
}
