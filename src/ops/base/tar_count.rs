//! Counting what a tar stream holds while it passes through, chunk by
//! chunk, without keeping it: the backup manifest's file count and content
//! size come from here, and an emptiness check stops after two entries.
//! Pure: it only reads the bytes it is given.

use serde::Serialize;

const BLOCK: usize = 512;
/// A pax header larger than this is not believed (it is only read for `size`).
const PAX_LIMIT: u64 = 1 << 16;

/// What a tar stream held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TarCounts {
    /// Regular files.
    pub files: u64,
    pub dirs: u64,
    /// Symbolic and hard links, devices, fifos.
    pub others: u64,
    /// Bytes of regular-file content.
    pub content_bytes: u64,
    /// Bytes of the tar stream itself.
    pub tar_bytes: u64,
}

impl TarCounts {
    /// Every member (file, directory, link…), metadata headers excluded.
    pub fn entries(&self) -> u64 {
        self.files + self.dirs + self.others
    }
}

#[derive(Debug, Default)]
pub struct TarCounter {
    counts: TarCounts,
    header: Vec<u8>,
    /// Data bytes (with padding) of the current member still to pass.
    skip: u64,
    /// Collecting a pax extended header's data, for a `size=` override.
    pax: Option<Vec<u8>>,
    pax_size: Option<u64>,
    /// Saw the zero block that ends the archive.
    ended: bool,
    bad: Option<String>,
}

impl TarCounter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn counts(&self) -> TarCounts {
        self.counts
    }

    /// Saw the end-of-archive block: the stream was not cut short.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// The first malformed header, if any.
    pub fn error(&self) -> Option<&str> {
        self.bad.as_deref()
    }

    pub fn feed(&mut self, mut bytes: &[u8]) {
        self.counts.tar_bytes = self.counts.tar_bytes.saturating_add(bytes.len() as u64);
        while !bytes.is_empty() && self.bad.is_none() {
            if self.skip > 0 {
                let n = (self.skip.min(bytes.len() as u64)) as usize;
                if let Some(pax) = self.pax.as_mut() {
                    pax.extend_from_slice(&bytes[..n]);
                }
                self.skip -= n as u64;
                bytes = &bytes[n..];
                if self.skip == 0 {
                    if let Some(pax) = self.pax.take() {
                        self.pax_size = pax_size(&pax);
                    }
                }
                continue;
            }
            let want = BLOCK - self.header.len();
            let n = want.min(bytes.len());
            self.header.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            if self.header.len() == BLOCK {
                let header = std::mem::take(&mut self.header);
                self.on_header(&header);
            }
        }
    }

    fn on_header(&mut self, h: &[u8]) {
        if self.ended || h.iter().all(|&b| b == 0) {
            self.ended = true;
            return;
        }
        let Some(size) = header_size(&h[124..136]) else {
            self.bad = Some("a tar header with an unreadable size".into());
            return;
        };
        let kind = h[156];
        let size = match kind {
            b'0' | 0 | b'7' => self.pax_size.take().unwrap_or(size),
            _ => size,
        };
        match kind {
            b'x' => {
                if size <= PAX_LIMIT {
                    self.pax = Some(Vec::with_capacity(size as usize));
                }
            }
            b'g' | b'L' | b'K' => {}
            b'0' | 0 | b'7' => {
                self.counts.files += 1;
                let Some(total) = self.counts.content_bytes.checked_add(size) else {
                    self.bad = Some(format!(
                        "a tar member of {size} bytes: more than any volume"
                    ));
                    return;
                };
                self.counts.content_bytes = total;
            }
            b'5' => self.counts.dirs += 1,
            _ => self.counts.others += 1,
        }
        // Links, directories and devices carry no data whatever `size` says.
        let data = match kind {
            b'1' | b'2' | b'3' | b'4' | b'5' | b'6' => 0,
            _ => size,
        };
        // Padded to whole blocks: a size near 2^64 (base-256 allows it)
        // cannot be padded, and no stream could carry it anyway.
        let Some(padded) = data.div_ceil(BLOCK as u64).checked_mul(BLOCK as u64) else {
            self.bad = Some(format!(
                "a tar member of {data} bytes: more than any volume"
            ));
            return;
        };
        self.skip = padded;
        if self.skip == 0 {
            if let Some(pax) = self.pax.take() {
                self.pax_size = pax_size(&pax);
            }
        }
    }
}

/// Octal (NUL/space terminated), or base-256 when the high bit is set:
/// GNU's two's complement, so 0xff first means negative, which no size is.
/// None when unreadable, negative or past u64 (checked, never wrapped).
fn header_size(field: &[u8]) -> Option<u64> {
    if field[0] & 0x80 != 0 {
        if field[0] & 0x40 != 0 {
            return None;
        }
        let mut v: u64 = (field[0] & 0x3f) as u64;
        for &b in &field[1..] {
            v = v.checked_mul(256)?.checked_add(b as u64)?;
        }
        return Some(v);
    }
    let text: String = field
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// `NN size=1234\n` records of a pax header.
fn pax_size(data: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(data);
    text.lines().find_map(|record| {
        let (_, kv) = record.split_once(' ')?;
        kv.strip_prefix("size=")?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: u8, size: u64) -> Vec<u8> {
        let mut h = vec![0u8; BLOCK];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let size = format!("{size:011o}");
        h[124..135].copy_from_slice(size.as_bytes());
        h[156] = kind;
        h
    }

    fn member(name: &str, kind: u8, data: &[u8]) -> Vec<u8> {
        let mut out = header(name, kind, data.len() as u64);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
        out
    }

    fn sample() -> Vec<u8> {
        let mut tar = Vec::new();
        tar.extend(member("v/", b'5', b""));
        tar.extend(member("v/a", b'0', &[7u8; 1000]));
        tar.extend(member("v/link", b'2', b""));
        tar.extend(member("././@PaxHeader", b'x', b"16 size=700000\n"));
        tar.extend(header("v/big", b'0', 0));
        tar.extend(vec![1u8; 700_000usize.div_ceil(BLOCK) * BLOCK]);
        tar.extend(vec![0u8; BLOCK * 2]);
        tar
    }

    #[test]
    fn counts_members_whatever_the_chunking() {
        let tar = sample();
        for chunk in [1, 7, 512, 513, 4096, tar.len()] {
            let mut c = TarCounter::new();
            for piece in tar.chunks(chunk) {
                c.feed(piece);
            }
            let n = c.counts();
            assert_eq!(c.error(), None);
            assert_eq!((n.files, n.dirs, n.others), (2, 1, 1), "chunk {chunk}");
            assert_eq!(n.content_bytes, 701_000);
            assert_eq!(n.tar_bytes, tar.len() as u64);
            assert_eq!(n.entries(), 4);
        }
    }

    #[test]
    fn base256_sizes_are_read() {
        let mut field = [0u8; 12];
        field[0] = 0x80;
        field[10] = 0x01;
        field[11] = 0x02;
        assert_eq!(header_size(&field), Some(258));
        assert_eq!(header_size(b"00000000017\0"), Some(15));
        assert_eq!(header_size(b"zz\0\0\0\0\0\0\0\0\0\0"), None);
    }

    /// A header whose size field is base-256 (GNU binary): 0x80, then
    /// the 11 bytes of `rest`, big-endian.
    fn binary_header(kind: u8, rest: [u8; 11]) -> Vec<u8> {
        let mut h = header("v/huge", kind, 0);
        h[124] = 0x80;
        h[125..136].copy_from_slice(&rest);
        h
    }

    #[test]
    fn a_base256_size_past_u64_is_an_error_not_a_wrap() {
        // 88 bits of 0xff: past u64 as read.
        let mut c = TarCounter::new();
        c.feed(&binary_header(b'0', [0xff; 11]));
        assert_eq!(c.error(), Some("a tar header with an unreadable size"));
        assert_eq!(c.counts().files, 0);
        // Exactly u64::MAX fits the field but not its padding to blocks.
        let mut rest = [0u8; 11];
        rest[3..].copy_from_slice(&u64::MAX.to_be_bytes());
        let mut c = TarCounter::new();
        c.feed(&binary_header(b'0', rest));
        assert!(c.error().unwrap().contains("more than any volume"), "{c:?}");
        // A negative size (0xff: two's complement) is no size.
        let mut field = [0xffu8; 12];
        field[11] = 0xfe;
        assert_eq!(header_size(&field), None);
    }

    #[test]
    fn content_sizes_that_sum_past_u64_are_an_error() {
        let mut half = [0u8; 11];
        half[3..].copy_from_slice(&(u64::MAX / 2 + 1).to_be_bytes());
        // Only the header is fed: the count is made when it is read.
        let mut c = TarCounter::new();
        c.feed(&binary_header(b'0', half));
        assert_eq!(c.error(), None);
        assert_eq!(c.counts().content_bytes, u64::MAX / 2 + 1);
        let mut c2 = TarCounter::new();
        c2.counts.content_bytes = u64::MAX / 2 + 1;
        c2.feed(&binary_header(b'0', half));
        assert!(
            c2.error().unwrap().contains("more than any volume"),
            "{c2:?}"
        );
        assert_eq!(c2.counts().content_bytes, u64::MAX / 2 + 1);
    }

    #[test]
    fn garbage_is_reported_not_counted() {
        let mut c = TarCounter::new();
        let mut h = header("v/x", b'0', 0);
        h[124..128].copy_from_slice(b"9z9z");
        c.feed(&h);
        assert!(c.error().is_some());
    }
}
