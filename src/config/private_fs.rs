//! Every file tugboat writes is private to the user running it: the audit
//! log, the log file, the crash journal, saved specs, backup archives and
//! their manifests can all hold names, plans, dumps or passwords that other
//! local users have no business reading. Files are 0600, the directories
//! tugboat creates are 0700.
//!
//! The mode is given at creation (so there is no moment where the file is
//! readable by others) and set again on the open handle, which fixes a file
//! that existed before with a wider mode, and a umask that would otherwise
//! have taken bits away from 0600 too.

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of every file tugboat creates.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory tugboat creates.
pub const DIR_MODE: u32 = 0o700;

/// Create `dir` and its missing parents, each 0700. A directory that
/// exists already keeps its mode: it may be a shared one the user chose
/// (a backup directory); the files in it are private anyway.
pub fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// The parent directory of `path`, created private when missing.
fn parent_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => create_private_dir_all(dir),
        _ => Ok(()),
    }
}

/// `file` is exactly 0600, whatever the umask or its mode before.
fn tighten(file: &File) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(FILE_MODE))
}

/// A new file at `path`, failing if one exists (partial archives,
/// manifests: a name taken by someone else is never written through).
pub fn create_new_private(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)?;
    tighten(&file)?;
    Ok(file)
}

/// `path` opened for appending, created when missing (with its
/// directory); an existing file is made private too.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    parent_dir(path)?;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(path)?;
    tighten(&file)?;
    Ok(file)
}

/// Replace the content of `path` with `bytes` (creating it and its
/// directory when missing); an existing file is made private first, before
/// anything new is in it.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    parent_dir(path)?;
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)?;
    tighten(&file)?;
    file.write_all(bytes)
}

/// `path` opened for reading only when it is a regular file (a symlink to
/// one is followed). The open itself does not wait: a FIFO planted where a
/// manifest or an archive should be would otherwise block until someone
/// writes to it; the type is then checked on the open handle, so what is
/// read is what was checked.
pub fn open_regular_file(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = rustix::fs::open(path, flags, Mode::empty())?;
    let file = File::from(fd);
    let kind = file.metadata()?.file_type();
    if !kind.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a regular file (a {})", file_kind(kind)),
        ));
    }
    Ok(file)
}

/// What a non-regular file is, for messages.
fn file_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "directory"
    } else if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "device"
    } else {
        "special file"
    }
}

/// Why a directory tugboat would keep its data in is not trusted: another
/// local user could have put there what tugboat reads (a crash journal
/// that `recover` acts on, a config naming hosts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirProblem {
    #[error("it is a symbolic link")]
    Symlink,
    #[error("it is not a directory")]
    NotADirectory,
    #[error("it belongs to uid {owner}, not to uid {ours} running tugboat")]
    NotOurs { owner: u32, ours: u32 },
    #[error("others can write in it (mode {mode:o})")]
    WritableByOthers { mode: u32 },
    #[error("{0}")]
    Unreadable(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: refused as tugboat's directory: {problem}", path.display())]
pub struct UnsafeDir {
    pub path: std::path::PathBuf,
    pub problem: DirProblem,
}

/// Whether a symbolic link is taken where a directory is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// A user's own data directory may be a link to another disk.
    Follow,
    /// A name in a directory others can write (the temp dir), or inside
    /// one tugboat acts on: a link there may be anyone's.
    Refuse,
}

/// `dir`, when it exists, is a directory of the effective user that no
/// one else can write; then what is in it came from this user (or root).
/// Missing is fine: tugboat creates it private.
pub fn check_own_dir(dir: &Path, links: Links) -> Result<(), UnsafeDir> {
    use std::os::unix::fs::MetadataExt;
    let unsafe_dir = |problem| UnsafeDir {
        path: dir.to_path_buf(),
        problem,
    };
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() && links == Links::Follow => std::fs::metadata(dir),
        other => other,
    };
    let meta = match meta {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(unsafe_dir(DirProblem::Unreadable(e.to_string()))),
    };
    if meta.file_type().is_symlink() {
        return Err(unsafe_dir(DirProblem::Symlink));
    }
    if !meta.is_dir() {
        return Err(unsafe_dir(DirProblem::NotADirectory));
    }
    let ours = rustix::process::geteuid().as_raw();
    if meta.uid() != ours {
        return Err(unsafe_dir(DirProblem::NotOurs {
            owner: meta.uid(),
            ours,
        }));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(unsafe_dir(DirProblem::WritableByOthers {
            mode: meta.mode() & 0o7777,
        }));
    }
    Ok(())
}

/// `dir` made 0700 when missing (its parent must exist: the temp dir), then
/// checked as `check_own_dir` without following a link. The create fails
/// on any name already there, so a planted one is found by the check.
pub fn ensure_own_dir(dir: &Path) -> Result<(), UnsafeDir> {
    match DirBuilder::new().mode(DIR_MODE).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(UnsafeDir {
                path: dir.to_path_buf(),
                problem: DirProblem::Unreadable(e.to_string()),
            })
        }
    }
    check_own_dir(dir, Links::Refuse)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_their_directories_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a/b/audit.jsonl");
        open_private_append(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&dir.path().join("a/b")), 0o700);

        let spec = dir.path().join("specs/zk.toml");
        write_private(&spec, b"name = \"zk\"\n").unwrap();
        assert_eq!(mode(&spec), 0o600);
        assert_eq!(mode(&dir.path().join("specs")), 0o700);

        let partial = dir.path().join("x.tar.gz.partial");
        create_new_private(&partial).unwrap();
        assert_eq!(mode(&partial), 0o600);
    }

    #[test]
    fn existing_wide_files_are_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tugboat.log");
        std::fs::write(&log, "old\n").unwrap();
        std::fs::set_permissions(&log, Permissions::from_mode(0o644)).unwrap();
        let mut f = open_private_append(&log).unwrap();
        f.write_all(b"new\n").unwrap();
        assert_eq!(mode(&log), 0o600);
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "old\nnew\n");

        let spec = dir.path().join("spec.toml");
        std::fs::write(&spec, "old").unwrap();
        std::fs::set_permissions(&spec, Permissions::from_mode(0o666)).unwrap();
        write_private(&spec, b"new").unwrap();
        assert_eq!(mode(&spec), 0o600);
        assert_eq!(std::fs::read_to_string(&spec).unwrap(), "new");
    }

    #[test]
    fn a_taken_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json.partial");
        std::fs::write(&path, "someone's").unwrap();
        let e = create_new_private(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "someone's");
    }

    #[test]
    fn an_existing_directory_keeps_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("backups");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, Permissions::from_mode(0o755)).unwrap();
        create_private_dir_all(&shared.join("db")).unwrap();
        assert_eq!(mode(&shared), 0o755);
        assert_eq!(mode(&shared.join("db")), 0o700);
    }

    #[test]
    fn only_regular_files_are_opened_and_a_fifo_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.json");
        std::fs::write(&file, "{}").unwrap();
        let mut text = String::new();
        io::Read::read_to_string(&mut open_regular_file(&file).unwrap(), &mut text).unwrap();
        assert_eq!(text, "{}");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open_regular_file(&link).is_ok());

        // No writer ever comes: a blocking open would hang this test.
        let fifo = dir.path().join("fifo.json");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = open_regular_file(&fifo).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a FIFO)");
        let e = open_regular_file(dir.path()).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
    }

    #[test]
    fn an_own_dir_is_made_private_and_a_planted_one_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join("tugboat-1000");
        ensure_own_dir(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700);
        // Made already, by this user, private: taken again.
        ensure_own_dir(&fresh).unwrap();

        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::set_permissions(&elsewhere, Permissions::from_mode(0o700)).unwrap();
        let link = tmp.path().join("tugboat-link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let e = ensure_own_dir(&link).unwrap_err();
        assert_eq!(e.problem, DirProblem::Symlink);
        assert!(e.to_string().contains("symbolic link"), "{e}");
        // A user's own data dir may be a link; a link's target is checked.
        check_own_dir(&link, Links::Follow).unwrap();

        let wide = tmp.path().join("tugboat-wide");
        std::fs::create_dir(&wide).unwrap();
        std::fs::set_permissions(&wide, Permissions::from_mode(0o777)).unwrap();
        let e = ensure_own_dir(&wide).unwrap_err();
        assert_eq!(e.problem, DirProblem::WritableByOthers { mode: 0o777 });
        std::fs::set_permissions(&wide, Permissions::from_mode(0o1770)).unwrap();
        assert!(ensure_own_dir(&wide).is_err());

        let file = tmp.path().join("tugboat-file");
        std::fs::write(&file, "").unwrap();
        let e = ensure_own_dir(&file).unwrap_err();
        assert_eq!(e.problem, DirProblem::NotADirectory);
        check_own_dir(&tmp.path().join("missing"), Links::Refuse).unwrap();
    }

    /// Another user's directory (the tests run as root: chown makes one).
    #[test]
    fn a_dir_owned_by_another_user_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tmp.path().join("tugboat-theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::set_permissions(&theirs, Permissions::from_mode(0o700)).unwrap();
        let ours = rustix::process::geteuid().as_raw();
        let other = if ours == 4242 { 4243 } else { 4242 };
        std::os::unix::fs::chown(&theirs, Some(other), None)
            .expect("the tests run as root, to make another user's directory");
        let e = ensure_own_dir(&theirs).unwrap_err();
        assert_eq!(e.problem, DirProblem::NotOurs { owner: other, ours });
    }
}
