//! The backup directory: which archives are complete (a valid manifest
//! whose size matches the archive) and which are leftovers of an
//! interrupted or failed backup. A complete archive always has its
//! manifest: the manifest is renamed into place first, the archive last.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::backup::{
    Manifest, ARCHIVE_SUFFIX, DUMP_SUFFIX, MANIFEST_FORMAT, MANIFEST_SUFFIX, PARTIAL_SUFFIX,
};
use crate::config::private_fs::open_regular_file;
pub use crate::ops::base::backup_error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupEntry {
    pub archive: PathBuf,
    pub manifest: Manifest,
}

/// A file that is not (or not yet) a usable backup, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leftover {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// Oldest first.
    pub complete: Vec<BackupEntry>,
    pub incomplete: Vec<Leftover>,
}

impl Listing {
    /// Complete backups of one volume taken on one host, oldest first.
    pub fn of_volume<'a>(
        &'a self,
        host: &'a str,
        volume: &'a str,
    ) -> impl Iterator<Item = &'a BackupEntry> + 'a {
        self.complete
            .iter()
            .filter(move |e| e.manifest.host == host && e.manifest.volume == volume)
    }
}

/// A manifest is a few hundred bytes (its users' names make it grow);
/// anything past this is not one, and is not read into memory whole.
pub const MANIFEST_LIMIT: u64 = 1 << 20;

/// Read a manifest; an error when missing, unreadable, not a regular file,
/// larger than `MANIFEST_LIMIT` or not ours.
pub fn read_manifest(path: &Path) -> Result<Manifest, StoreError> {
    let text = read_bounded(path)?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| StoreError::NotAManifest {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    if m.format != MANIFEST_FORMAT {
        return Err(StoreError::UnknownFormat {
            path: path.to_path_buf(),
            found: m.format,
        });
    }
    // A manifest is foreign text: its checksum is compared and shown in
    // part, so anything but 64 hex digits is refused here.
    if m.sha256.len() != 64 || !m.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::NotAManifest {
            path: path.to_path_buf(),
            detail: "its sha256 is not 64 hexadecimal digits".into(),
        });
    }
    Ok(m)
}

/// The text of a regular file of at most `MANIFEST_LIMIT` bytes; never
/// waits on a FIFO (see `open_regular_file`).
fn read_bounded(path: &Path) -> Result<String, StoreError> {
    use std::io::Read;
    let file = open_regular_file(path).map_err(|e| io_error(path, &e))?;
    let mut bytes = Vec::new();
    file.take(MANIFEST_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, &e))?;
    if bytes.len() as u64 > MANIFEST_LIMIT {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            limit: MANIFEST_LIMIT,
        });
    }
    String::from_utf8(bytes).map_err(|e| StoreError::NotAManifest {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

fn io_error(path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// The archive's manifest, checked to describe this archive as it is on
/// disk (name and size); the checksum is verified separately, by reading.
pub fn manifest_for(archive: &Path) -> Result<Manifest, StoreError> {
    let manifest_path = super::backup::manifest_path(archive);
    let m = read_manifest(&manifest_path).map_err(|e| StoreError::NoManifest {
        archive: archive.to_path_buf(),
        cause: Box::new(e),
    })?;
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if m.archive != name {
        return Err(StoreError::DescribesOther {
            archive: archive.to_path_buf(),
            described: m.archive,
        });
    }
    let size = std::fs::metadata(archive)
        .map_err(|e| io_error(archive, &e))?
        .len();
    if size != m.archive_bytes {
        return Err(StoreError::SizeDiffers {
            archive: archive.to_path_buf(),
            size,
            expected: m.archive_bytes,
        });
    }
    Ok(m)
}

/// Every backup in `dir`; a missing directory holds none.
pub fn list(dir: &Path) -> Result<Listing, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Listing::default()),
        Err(e) => return Err(io_error(dir, &e)),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut listing = Listing::default();
    for name in &names {
        let path = dir.join(name);
        if name.ends_with(PARTIAL_SUFFIX) {
            listing.incomplete.push(Leftover {
                path,
                reason: "being written, or left by an interrupted backup".into(),
            });
        } else if name.ends_with(ARCHIVE_SUFFIX) || name.ends_with(DUMP_SUFFIX) {
            match manifest_for(&path) {
                Ok(manifest) => listing.complete.push(BackupEntry {
                    archive: path,
                    manifest,
                }),
                Err(reason) => listing.incomplete.push(Leftover {
                    path,
                    reason: reason.to_string(),
                }),
            }
        } else if let Some(stem) = name.strip_suffix(MANIFEST_SUFFIX) {
            let paired = [ARCHIVE_SUFFIX, DUMP_SUFFIX]
                .iter()
                .any(|suffix| names.contains(&format!("{stem}{suffix}")));
            if !paired {
                listing.incomplete.push(Leftover {
                    path,
                    reason: "a manifest without its archive".into(),
                });
            }
        }
    }
    listing.complete.sort_by_key(|e| e.manifest.unix_time);
    Ok(listing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::plans::backup::{manifest_path, partial_path};

    fn manifest(archive: &str, bytes: u64) -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            kind: crate::ops::plans::backup::KIND_VOLUME.into(),
            container: None,
            volume: "data".into(),
            host: "local".into(),
            time: "2026-11-23T04:30:01Z".into(),
            unix_time: 1,
            archive: archive.into(),
            compression: "gzip".into(),
            archive_bytes: bytes,
            sha256: "00".repeat(32),
            tar_bytes: 0,
            content_bytes: 0,
            files: 0,
            dirs: 1,
            others: 0,
            users: vec![],
            paused: vec![],
            helper_image: "busybox".into(),
        }
    }

    #[test]
    fn only_archives_with_a_matching_manifest_are_complete() {
        let dir = tempfile::tempdir().unwrap();
        let write =
            |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
        let good = dir.path().join("data-1.tar.gz");
        write("data-1.tar.gz", b"12345");
        let m = serde_json::to_string(&manifest("data-1.tar.gz", 5)).unwrap();
        std::fs::write(manifest_path(&good), m).unwrap();
        // Wrong size: truncated or grown after the manifest was written.
        write("data-2.tar.gz", b"123");
        let m = serde_json::to_string(&manifest("data-2.tar.gz", 5)).unwrap();
        std::fs::write(manifest_path(&dir.path().join("data-2.tar.gz")), m).unwrap();
        write("data-3.tar.gz", b"no manifest");
        std::fs::write(partial_path(&dir.path().join("data-4.tar.gz")), b"x").unwrap();
        write("data-5.manifest.json", b"{}");
        write("notes.txt", b"ignored");

        let listing = list(dir.path()).unwrap();
        assert_eq!(listing.complete.len(), 1);
        assert_eq!(listing.complete[0].archive, good);
        assert_eq!(listing.of_volume("local", "data").count(), 1);
        assert_eq!(listing.of_volume("other", "data").count(), 0);
        let reasons: Vec<&str> = listing
            .incomplete
            .iter()
            .map(|l| l.reason.as_str())
            .collect();
        assert_eq!(listing.incomplete.len(), 4, "{reasons:?}");
        assert!(reasons.iter().any(|r| r.contains("manifest says 5")));
        assert!(reasons.iter().any(|r| r.contains("no valid manifest")));
        assert!(reasons.iter().any(|r| r.contains("interrupted")));
        assert!(reasons.iter().any(|r| r.contains("without its archive")));
    }

    /// A non-ASCII checksum (shown cut to 12 characters) is refused, not
    /// sliced through the middle of a character.
    #[test]
    fn a_manifest_whose_sha256_is_not_hex_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data-1.manifest.json");
        for bad in ["é".repeat(32), "00".into(), "zz".repeat(32)] {
            let mut m = manifest("data-1.tar.gz", 5);
            m.sha256 = bad.clone();
            std::fs::write(&path, serde_json::to_string(&m).unwrap()).unwrap();
            let e = read_manifest(&path).unwrap_err();
            assert!(e.to_string().contains("sha256"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_huge_manifest_or_a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data-1.manifest.json");
        // Valid JSON, padded with spaces past the limit.
        let mut text = serde_json::to_string(&manifest("data-1.tar.gz", 5)).unwrap();
        text.push_str(&" ".repeat(MANIFEST_LIMIT as usize));
        std::fs::write(&path, &text).unwrap();
        let e = read_manifest(&path).unwrap_err();
        assert!(
            matches!(e, StoreError::TooLarge { limit, .. } if limit == MANIFEST_LIMIT),
            "{e}"
        );
        // The same manifest within the limit reads.
        std::fs::write(&path, text.trim_end()).unwrap();
        assert_eq!(read_manifest(&path).unwrap().archive, "data-1.tar.gz");

        // A FIFO where a manifest should be: no writer ever comes, so a
        // blocking open would hang listing the directory.
        std::fs::remove_file(&path).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        std::fs::write(dir.path().join("data-1.tar.gz"), b"12345").unwrap();
        let e = read_manifest(&path).unwrap_err();
        assert!(e.to_string().contains("not a regular file (a FIFO)"), "{e}");
        let listing = list(dir.path()).unwrap();
        assert!(listing.complete.is_empty());
        assert!(
            listing.incomplete[0].reason.contains("FIFO"),
            "{:?}",
            listing.incomplete
        );
    }

    #[test]
    fn a_missing_directory_holds_nothing() {
        let listing = list(Path::new("/nonexistent/tugboat-backups")).unwrap();
        assert!(listing.complete.is_empty() && listing.incomplete.is_empty());
    }
}
