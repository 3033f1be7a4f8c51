//! The lab's error type: every failure names what was being attempted and, for missing
//! privileges, which capability would fix it.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// A system call or file operation failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    /// The experiment needs a privilege this process does not have.
    #[error("{experiment} needs {capability} ({why}); run as root, or grant it with `sudo setcap cap_sys_admin,cap_net_admin,cap_net_raw+ep <binary>`")]
    Privilege {
        experiment: String,
        capability: &'static str,
        why: String,
    },
    /// A bounded wait ran out.
    #[error(
        "timed out after {secs:.1} s waiting for {what} (raise --timeout if the machine is slow)"
    )]
    Timeout { what: String, secs: f64 },
    /// SIGINT (Ctrl-C) or SIGTERM.
    #[error("interrupted by {}; everything this run created has been removed", crate::sys::signal::name(*signal))]
    Interrupted { signal: i32 },
    /// The run stopped early (Ctrl-C, a timeout, a budget): `partial` holds what was recorded
    /// until then, with the trace's `cut_short` mark set; `main` writes it, then reports
    /// `cause` and exits with its status.
    #[error("{cause}")]
    CutShort {
        cause: Box<LabError>,
        partial: Box<crate::session::Outcome>,
    },
    /// A run of many cases or points stopped early (Ctrl-C, SIGTERM, `--timeout`): `done` is
    /// the report of those that finished, which `main` prints before `cause`; the exit status
    /// is `cause`'s.
    #[error("{cause}; stopped after {finished} of {total} {what}{}", kept_note(.finished))]
    Partial {
        cause: Box<LabError>,
        done: String,
        finished: usize,
        total: usize,
        what: &'static str,
        /// The `--json` report of those that finished (`with_json`), which `main` prints on
        /// stdout with a `stopped` member saying why and after how many.
        json: Option<Box<serde_json::Value>>,
    },
    /// Bad options or input files.
    #[error("{0}")]
    Usage(String),
    /// Something the kernel told us that we could not understand.
    #[error("unexpected kernel answer: {0}")]
    Protocol(String),
}

pub type Result<T> = std::result::Result<T, LabError>;

fn kept_note(finished: &usize) -> &'static str {
    if *finished > 0 {
        ", whose results are kept above"
    } else {
        ""
    }
}

/// Adds "what we were doing" to an `io::Error`.
pub trait Context<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| LabError::Io {
            what: what(),
            source,
        })
    }
}

/// Turns a libc return value (-1 = error, errno set) into a `Result`.
pub fn cvt(ret: libc::c_int, what: impl FnOnce() -> String) -> Result<libc::c_int> {
    if ret < 0 {
        Err(LabError::Io {
            what: what(),
            source: io::Error::last_os_error(),
        })
    } else {
        Ok(ret)
    }
}

/// `cvt` for `ssize_t` returns.
pub fn cvt_size(ret: libc::ssize_t, what: impl FnOnce() -> String) -> Result<usize> {
    if ret < 0 {
        Err(LabError::Io {
            what: what(),
            source: io::Error::last_os_error(),
        })
    } else {
        Ok(ret as usize)
    }
}

impl LabError {
    /// For a run of `total` cases or points of which `finished` are reported in `done`: the
    /// error keeps that report ([`LabError::Partial`]), so that a Ctrl-C, a timeout or one
    /// point the kernel refused costs none of the runs before it (and a Ctrl-C says how far
    /// the run got even before the first finished).
    pub fn keep_partial(
        self,
        done: &str,
        finished: usize,
        total: usize,
        what: &'static str,
    ) -> LabError {
        // One run's trace so far (a scenario cut short) is written for a run of one case;
        // of many, the report of those that finished is kept, and the cause said.
        let this = match self {
            LabError::CutShort { cause, .. } => *cause,
            e => e,
        };
        // Nothing to keep: the error alone, unless a signal or timeout stopped the run.
        if finished == 0
            && !matches!(
                this,
                LabError::Interrupted { .. } | LabError::Timeout { .. }
            )
        {
            return this;
        }
        LabError::Partial {
            cause: Box::new(this),
            done: done.to_string(),
            finished,
            total,
            what,
            json: None,
        }
    }

    /// A [`LabError::Partial`] with the `--json` report of the runs that finished (built only
    /// when the run stopped: a closure); any other error as it is.
    pub fn with_json(mut self, report: impl FnOnce() -> serde_json::Value) -> LabError {
        if let LabError::Partial { json, .. } = &mut self {
            *json = Some(Box::new(report()));
        }
        self
    }

    /// Process exit status: 1 for failures, 2 for usage, 3 for missing privileges,
    /// 128 + the signal when interrupted (130 for Ctrl-C, 143 for SIGTERM: the shell
    /// convention).
    pub fn exit_code(&self) -> i32 {
        match self {
            LabError::Usage(_) => 2,
            LabError::Privilege { .. } => 3,
            LabError::Interrupted { signal } => 128 + signal,
            LabError::CutShort { cause, .. } | LabError::Partial { cause, .. } => cause.exit_code(),
            _ => 1,
        }
    }

    /// True when an `io::Error` inside is EPERM/EACCES, i.e. a missing capability.
    pub fn is_permission(&self) -> bool {
        matches!(self, LabError::Io { source, .. }
            if matches!(source.raw_os_error(), Some(libc::EPERM) | Some(libc::EACCES)))
    }

    /// True when opening or setting up /dev/net/tun failed because there is none: no device
    /// node (ENOENT) or no tun driver behind it (ENODEV, ENXIO).
    pub fn is_missing_tun(&self) -> bool {
        matches!(self, LabError::Io { what, source }
        if what.to_ascii_lowercase().contains("tun")
            && matches!(
                source.raw_os_error(),
                Some(libc::ENOENT) | Some(libc::ENODEV) | Some(libc::ENXIO)
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tun_device_is_told_apart_from_other_missing_files() {
        let e = |what: &str, errno| LabError::Io {
            what: what.into(),
            source: io::Error::from_raw_os_error(errno),
        };
        assert!(e("opening /dev/net/tun", libc::ENOENT).is_missing_tun());
        assert!(e("TUNSETIFF syn0 (needs CAP_NET_ADMIN)", libc::ENODEV).is_missing_tun());
        assert!(!e("reading /proc/sys/net/ipv4/tcp_rmem", libc::ENOENT).is_missing_tun());
        assert!(!e("opening /dev/net/tun", libc::EPERM).is_missing_tun());
    }
}
