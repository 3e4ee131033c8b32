//! A small tar archive (ustar) of text files, for the engine's archive API:
//! how config files get into a container before it starts. Pure.

use super::error::TarError;

const BLOCK: usize = 512;

/// `value` as zero-padded octal filling `field` (the last byte NUL).
fn octal(field: &mut [u8], value: u64) {
    let width = field.len() - 1;
    let text = format!("{value:0width$o}");
    field[..width].copy_from_slice(&text.as_bytes()[text.len() - width..]);
    field[width] = 0;
}

fn header(path: &str, size: usize) -> Result<[u8; BLOCK], TarError> {
    let mut h = [0u8; BLOCK];
    let (prefix, name) = if path.len() <= 100 {
        ("", path)
    } else {
        // Long paths split at a `/` into prefix (≤155) and name (≤100).
        let cut = path
            .char_indices()
            .filter(|(i, c)| *c == '/' && *i <= 155 && path.len() - i - 1 <= 100)
            .map(|(i, _)| i)
            .next()
            .ok_or_else(|| TarError::PathTooLong(path.into()))?;
        (&path[..cut], &path[cut + 1..])
    };
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size as u64);
    octal(&mut h[136..148], 0);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    // The checksum is computed with its own field read as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    Ok(h)
}

/// A tar of `files` (absolute path, content), paths relative to `/`.
pub fn tar_of(files: &[(String, String)]) -> Result<Vec<u8>, TarError> {
    let mut out = Vec::new();
    for (path, content) in files {
        let rel = path.trim_start_matches('/');
        if rel.is_empty() || rel.split('/').any(|p| p == "..") {
            return Err(TarError::NotAFilePath(path.clone()));
        }
        out.extend_from_slice(&header(rel, content.len())?);
        out.extend_from_slice(content.as_bytes());
        let pad = (BLOCK - content.len() % BLOCK) % BLOCK;
        out.extend(std::iter::repeat_n(0u8, pad));
    }
    // Two empty blocks end the archive.
    out.extend(std::iter::repeat_n(0u8, BLOCK * 2));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_makes_a_header_its_padded_content_and_the_end() {
        let tar = tar_of(&[("/etc/app.cfg".into(), "hello\n".into())]).unwrap();
        assert_eq!(tar.len(), BLOCK * 4);
        assert_eq!(&tar[..11], b"etc/app.cfg");
        assert_eq!(&tar[124..135], b"00000000006");
        assert_eq!(&tar[257..262], b"ustar");
        assert_eq!(&tar[BLOCK..BLOCK + 6], b"hello\n");
        // The stored checksum matches the header with spaces in its place.
        let mut h = tar[..BLOCK].to_vec();
        let stored = std::str::from_utf8(&h[148..154]).unwrap().to_string();
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|b| u64::from(*b)).sum();
        assert_eq!(u64::from_str_radix(&stored, 8).unwrap(), sum);
    }

    #[test]
    fn bad_paths_are_refused() {
        assert!(tar_of(&[("/".into(), String::new())]).is_err());
        assert!(tar_of(&[("/a/../b".into(), String::new())]).is_err());
        let long = format!("/{}/{}", "d".repeat(120), "f".repeat(50));
        let tar = tar_of(&[(long, "x".into())]).unwrap();
        assert_eq!(&tar[..50], "f".repeat(50).as_bytes());
        assert_eq!(&tar[345..465], "d".repeat(120).as_bytes());
    }
}
