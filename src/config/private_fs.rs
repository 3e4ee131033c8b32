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
}
