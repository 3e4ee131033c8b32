//! What a test reads back of the files tugboat wrote under a directory:
//! every file with its bytes, every directory, a file's permission bits.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// (path, bytes) of every file under `dir`, at any depth (none when `dir`
/// is missing).
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, bytes));
        }
    }
    out
}

/// Every file under `dir`, read as text, one after the other.
pub fn files_text(dir: &Path) -> String {
    files(dir)
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes))
        .collect()
}

/// `dir` and every directory under it.
pub fn dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(dirs(&e.path()));
        }
    }
    out
}

/// The permission bits of `path` (`0o600`).
pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
