//! GTID positions as one server states them, parsed against their grammar
//! before any of it goes into SQL run on another server: a server's answer
//! is foreign text (a replaced binary, a hostile admin, a proxy in between),
//! and only the parsed value is ever formatted back, so nothing but digits,
//! hex, `-`, `:`, `,` and tag letters can reach a statement.
//!
//! MariaDB: `domain-server-seq[,domain-server-seq…]` (`@@gtid_binlog_pos`,
//! `@@gtid_binlog_state`, `Gtid_IO_Pos`). MySQL: `uuid:interval[:interval…]
//! [,uuid:…]` with 8.4's optional tags (`uuid:1-5:tag_1:1-3`).

use std::fmt;

/// Longest position text tugboat accepts: far more than any cluster's
/// GTID state, short enough that a server cannot make one statement huge.
const MAX_TEXT: usize = 64 * 1024;
/// How much of a refused answer an error shows.
const SHOWN: usize = 160;

/// Why a server's text is not a GTID position (said without the text, which
/// the caller shows sanitized beside the server's name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GtidSyntax {
    #[error("longer than {MAX_TEXT} bytes")]
    TooLong,
    #[error("`{0}` is not domain-server-sequence")]
    MariadbPart(usize),
    #[error("item {0} is not uuid:interval[:interval…]")]
    MysqlPart(usize),
}

/// A server answered something other than a GTID position where one was
/// asked for: refused, nothing built from it was sent anywhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused: {server} answered {seen:?} for its {what}, which is not a GTID position ({why}); \
     nothing built from it was sent to any server"
)]
pub struct UnfitGtid {
    /// The container that answered.
    pub server: String,
    /// What was asked (`GTID position`, `binlog state`).
    pub what: &'static str,
    /// The answer, sanitized and cut short.
    pub seen: String,
    pub why: GtidSyntax,
}

impl UnfitGtid {
    pub fn new(server: &str, what: &'static str, text: &str, why: GtidSyntax) -> Self {
        let mut seen: String = text.chars().take(SHOWN).collect();
        if seen.len() < text.len() {
            seen.push('…');
        }
        Self {
            server: crate::model::sanitize(server),
            what,
            seen: crate::model::sanitize(&seen),
            why,
        }
    }
}

/// Items of a list answer: split at commas, each trimmed of white space
/// and of the `\n` the client's batch mode writes for a line break (MySQL
/// breaks long sets after their commas). Empty items are skipped: a
/// `CONCAT(a, ',', b)` of two lists has one when either is empty.
fn items(text: &str) -> Result<Vec<&str>, GtidSyntax> {
    if text.len() > MAX_TEXT {
        return Err(GtidSyntax::TooLong);
    }
    Ok(text
        .split(',')
        .map(|item| {
            let mut item = item.trim();
            while let Some(rest) = item.strip_prefix("\\n") {
                item = rest.trim_start();
            }
            item
        })
        .filter(|item| !item.is_empty())
        .collect())
}

/// A decimal number of ASCII digits only (no sign, no spaces).
fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// One MariaDB GTID: the last transaction of a domain by a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MariadbGtid {
    pub domain: u32,
    pub server: u32,
    pub seq: u64,
}

/// A MariaDB GTID list (empty: nothing written yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MariadbGtidList(pub Vec<MariadbGtid>);

impl MariadbGtidList {
    pub fn parse(text: &str) -> Result<Self, GtidSyntax> {
        let items = items(text)?;
        let parsed = items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let mut parts = item.split('-');
                let gtid = (|| {
                    let g = MariadbGtid {
                        domain: number(parts.next()?)?,
                        server: number(parts.next()?)?,
                        seq: number(parts.next()?)?,
                    };
                    parts.next().is_none().then_some(g)
                })();
                gtid.ok_or(GtidSyntax::MariadbPart(n + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(parsed))
    }
}

impl MariadbGtidList {
    /// The last sequence number of every domain: a domain's numbers grow
    /// whichever server wrote them, so the highest is how far it got.
    fn last_of_domains(&self) -> Vec<(u32, u64)> {
        let mut last: Vec<(u32, u64)> = Vec::new();
        for g in &self.0 {
            match last.iter_mut().find(|(d, _)| *d == g.domain) {
                Some((_, seq)) => *seq = (*seq).max(g.seq),
                None => last.push((g.domain, g.seq)),
            }
        }
        last
    }

    /// The domains where this position got further than `other`: (domain,
    /// this one's last sequence number, `other`'s, 0 when it has none).
    pub fn beyond(&self, other: &Self) -> Vec<(u32, u64, u64)> {
        let theirs = other.last_of_domains();
        self.last_of_domains()
            .into_iter()
            .filter_map(|(domain, seq)| {
                let have = theirs
                    .iter()
                    .find(|(d, _)| *d == domain)
                    .map_or(0, |(_, s)| *s);
                (seq > have).then_some((domain, seq, have))
            })
            .collect()
    }

    /// Both positions in one: the furthest of each (domain, server).
    pub fn merged(mut self, other: &Self) -> Self {
        for g in &other.0 {
            match self
                .0
                .iter_mut()
                .find(|m| (m.domain, m.server) == (g.domain, g.server))
            {
                Some(m) => m.seq = m.seq.max(g.seq),
                None => self.0.push(*g),
            }
        }
        self
    }
}

impl fmt::Display for MariadbGtidList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, g) in self.0.iter().enumerate() {
            let sep = if n == 0 { "" } else { "," };
            write!(f, "{sep}{}-{}-{}", g.domain, g.server, g.seq)?;
        }
        Ok(())
    }
}

/// One element after a MySQL set's uuid: a tag that names the intervals
/// after it (MySQL 8.4), or an interval of transaction numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MysqlElement {
    /// Lower case, as MySQL normalises tags.
    Tag(String),
    Interval {
        first: u64,
        last: u64,
    },
}

/// One server's transactions in a MySQL GTID set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MysqlUuidSet {
    /// 36 characters, lower case hex and dashes.
    pub uuid: String,
    pub elements: Vec<MysqlElement>,
}

/// A MySQL GTID set (empty: nothing executed yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MysqlGtidSet(pub Vec<MysqlUuidSet>);

/// `8-4-4-4-12` hex digits, as MySQL prints a server's uuid.
fn uuid(s: &str) -> Option<String> {
    let groups: Vec<&str> = s.split('-').collect();
    let fits = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()));
    fits.then(|| s.to_ascii_lowercase())
}

/// A tag: a letter or `_`, then up to 31 letters, digits or `_`.
fn tag(s: &str) -> Option<String> {
    let mut chars = s.chars();
    let first = chars.next()?;
    let fits = (first.is_ascii_alphabetic() || first == '_')
        && s.len() <= 32
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    fits.then(|| s.to_ascii_lowercase())
}

fn element(s: &str) -> Option<MysqlElement> {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        let (first, last) = s.split_once('-').unwrap_or((s, s));
        let (first, last) = (number(first)?, number(last)?);
        (first >= 1 && first <= last).then_some(MysqlElement::Interval { first, last })
    } else {
        tag(s).map(MysqlElement::Tag)
    }
}

impl MysqlGtidSet {
    pub fn parse(text: &str) -> Result<Self, GtidSyntax> {
        let items = items(text)?;
        let parsed = items
            .iter()
            .enumerate()
            .map(|(n, item)| {
                let set = (|| {
                    let mut parts = item.split(':');
                    let uuid = uuid(parts.next()?)?;
                    let elements: Vec<MysqlElement> = parts.map(element).collect::<Option<_>>()?;
                    // Every tag names at least one interval after it.
                    let ends_well = matches!(elements.last(), Some(MysqlElement::Interval { .. }));
                    let tags_used = elements
                        .windows(2)
                        .all(|w| !matches!(w, [MysqlElement::Tag(_), MysqlElement::Tag(_)]));
                    (ends_well && tags_used).then_some(MysqlUuidSet { uuid, elements })
                })();
                set.ok_or(GtidSyntax::MysqlPart(n + 1))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(parsed))
    }
}

impl fmt::Display for MysqlGtidSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, set) in self.0.iter().enumerate() {
            let sep = if n == 0 { "" } else { "," };
            write!(f, "{sep}{}", set.uuid)?;
            for e in &set.elements {
                match e {
                    MysqlElement::Tag(t) => write!(f, ":{t}")?,
                    MysqlElement::Interval { first, last } if first == last => {
                        write!(f, ":{first}")?
                    }
                    MysqlElement::Interval { first, last } => write!(f, ":{first}-{last}")?,
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "db_gtid_tests.rs"]
mod tests;
