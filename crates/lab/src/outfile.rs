//! Output files written whole or not at all: the trace, the pcap, the model's trace next to
//! them, a recording's three files, the scenarios `explore --keep` and `sweep --save` keep.
//!
//! A regular file is written into `<path>.part` and renamed over `path` only once every byte
//! is out: a full disk, an I/O error or a second Ctrl-C (which exits at once) never leaves a
//! half-written file under the real name, and an old file of that name stays as it was until
//! the new one is whole. A failed write removes its `.part` file.
//!
//! Anything else the user names — `/dev/null`, `/dev/stdout`, a FIFO, a terminal — is written
//! in place: renaming over it would replace the device node (as root, `/dev/null` itself)
//! with a regular file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{LabError, Result};

/// True when `path` names something that exists and is not a regular file or a directory
/// (following symlinks): a character device, a FIFO, a socket.
pub fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Writes `path` with `fill` (see the module's comment), through a buffer; `fill` may stream.
pub fn write(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let shown = path.display();
    if is_special(path) {
        let file = File::options()
            .write(true)
            .open(path)
            .map_err(|e| io_error(format!("opening {shown}"), e))?;
        let mut out = BufWriter::new(file);
        return fill(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| io_error(format!("writing {shown}"), e));
    }
    let target = target_of(path);
    let part = part_of(&target);
    let written = File::create(&part)
        .map_err(|e| io_error(format!("writing {}", part.display()), e))
        .and_then(|file| {
            let mut out = BufWriter::new(file);
            fill(&mut out).and_then(|()| out.flush()).map_err(|e| {
                let _ = std::fs::remove_file(&part);
                io_error(
                    format!(
                        "writing {} ({shown} was not written{})",
                        part.display(),
                        if target.exists() {
                            "; the old one is kept as it was"
                        } else {
                            ""
                        }
                    ),
                    e,
                )
            })
        });
    written?;
    std::fs::rename(&part, &target).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        io_error(
            format!("renaming {} to {}", part.display(), target.display()),
            e,
        )
    })
}

/// `write` of bytes already in memory.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write(path, |w| w.write_all(bytes))
}

/// The folder `option` names (`--keep`, `--save`, `--dir`), created if missing and checked
/// writable before a run of many minutes starts: a file in its place or a folder the user
/// cannot write to is refused at once, not after the first finding.
///
/// The folders this call created are removed again, if still empty, when the returned guard
/// drops without `kept`: a run refused later (no privilege, a bad case name) leaves nothing
/// behind it.
pub fn folder(dir: &Path, option: &str) -> Result<NewFolders> {
    let shown = dir.display();
    if dir.exists() && !dir.is_dir() {
        return Err(LabError::Usage(format!(
            "{option} {shown} is not a folder; give a folder (it is created if missing)"
        )));
    }
    // Deepest first: the order `remove_dir` needs.
    let created = NewFolders(
        dir.ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect(),
    );
    std::fs::create_dir_all(dir).map_err(|e| io_error(format!("creating {shown}"), e))?;
    let probe = dir.join(format!(".synack-lab-probe-{}", std::process::id()));
    File::create(&probe).map_err(|e| {
        LabError::Usage(format!(
            "cannot write into {option} {shown} ({e}); nothing was run"
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(created)
}

/// The folders `folder` created, deepest first; see there.
#[must_use = "dropped at once, the new folders are removed at once"]
pub struct NewFolders(Vec<PathBuf>);

impl NewFolders {
    /// The run went through: the folders stay, even empty (`explore --keep` that found nothing
    /// names a folder the user will look in).
    pub fn kept(mut self) {
        self.0.clear();
    }
}

impl Drop for NewFolders {
    fn drop(&mut self) {
        // `remove_dir` removes only an empty folder: one a cut-short run wrote into stays.
        for d in &self.0 {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
        }
    }
}

/// Checks before a run that `path` can be written the way `write` will write it: into
/// `<path>.part` beside the file it names (through a symlink, beside the file it points to),
/// then renamed. A folder that refuses new files (`/proc`, a read-only mount) is refused here,
/// before the run, not after it. A device or FIFO is written in place and not checked: opening
/// a FIFO would block until a reader came.
pub fn check(path: &Path) -> Result<()> {
    if is_special(path) {
        return Ok(());
    }
    if path.is_dir() {
        return Err(LabError::Usage(format!(
            "{} is a directory; give a file name",
            path.display()
        )));
    }
    let part = part_of(&target_of(path));
    let existed = part.exists();
    File::options()
        .append(true)
        .create(true)
        .open(&part)
        .map_err(|e| {
            LabError::Usage(format!(
                "cannot write {} ({e}, creating {}); nothing was run",
                path.display(),
                part.display()
            ))
        })?;
    if !existed {
        let _ = std::fs::remove_file(&part);
    }
    Ok(())
}

/// The file a write to `path` replaces: through a symlink, the file it points to, not the link.
fn target_of(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

/// `<path>.part`.
pub fn part_of(path: &Path) -> PathBuf {
    let mut part = path.as_os_str().to_owned();
    part.push(".part");
    PathBuf::from(part)
}

fn io_error(what: String, source: io::Error) -> LabError {
    LabError::Io { what, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("synack-outfile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_write_that_fails_halfway_leaves_the_old_file_as_it_was_and_no_part_file() {
        let d = dir("fail");
        let p = d.join("trace.json");
        std::fs::write(&p, "old").unwrap();
        let e = write(&p, |w| {
            w.write_all(b"{\"events\": [")?;
            Err(io::Error::from_raw_os_error(libc::ENOSPC))
        })
        .unwrap_err();
        assert!(e.to_string().contains("was not written"), "{e}");
        assert!(e.to_string().contains("the old one is kept"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert!(!part_of(&p).exists());
        let _ = std::fs::remove_dir_all(d);
    }

    #[test]
    fn writing_through_a_symlink_replaces_the_file_it_points_to_and_keeps_the_link() {
        let d = dir("link");
        let real = d.join("real.json");
        let link = d.join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_bytes(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        let _ = std::fs::remove_dir_all(d);
    }
}
