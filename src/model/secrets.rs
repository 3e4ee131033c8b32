//! Secrets in containers' environments, commands, entrypoints and labels
//! are never displayed, exported or logged. One list decides which names
//! look secret (`is_secret_name`), and a password in a URL
//! (`scheme://user:password@host`, or a token alone in an http(s) URL's
//! user part) is masked whatever the name it is under. A value under a
//! harmless name is read as a command line too (`JAVA_OPTS=-Dx.password=…`,
//! `ARGS=--password=…`), with one exception kept on purpose: `-pX` is a
//! password only after a MySQL tool in the same value (`-p8080` is a port
//! far more often). `scrub_secret` blanks a known secret out of a
//! service's answer, in the escaped forms a server or client prints too.

pub const MASK: &str = "********";

/// Fragments that mark a name as secret wherever they appear in it
/// (`MARIADB_ROOT_PASSWORD`, `dbPassword`, `aws_secret_access_key`).
const SECRET_FRAGMENTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "PRIVATE",
    "APIKEY",
];

/// Words (a name split at `_`, `-`, `.` …) that mark a name as secret as a
/// whole word: `API_KEY`, `--ssl-key`, but not `KEYSPACE` or `MONKEY`.
const SECRET_WORDS: &[&str] = &["KEY"];

/// Word endings that mark a name as secret: `MYSQL_PWD`, `DB_PASS`,
/// `requirepass`, `masterauth`, `BASICAUTH`, but not `PASSIVE` (the ending
/// must end the word), `AUTHORS` (the `org.opencontainers.image.authors`
/// label is on many images) nor `AUTHENTICATION`
/// (`--default-authentication-plugin=…` names a plugin).
const SECRET_ENDINGS: &[&str] = &["PWD", "PASS", "AUTH"];

/// The shell's working directories: names that end like a secret and are
/// not one.
const NOT_SECRET_NAMES: &[&str] = &["PWD", "OLDPWD"];

/// Words that merely end in "pass".
const NOT_SECRET_WORDS: &[&str] = &["BYPASS", "COMPASS"];

/// Does this name (an environment variable, a label key, a command-line
/// option) look like it holds a secret? Case-insensitive.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if NOT_SECRET_NAMES.contains(&upper.as_str()) {
        return false;
    }
    if SECRET_FRAGMENTS.iter().any(|f| upper.contains(f)) {
        return true;
    }
    upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !NOT_SECRET_WORDS.contains(word))
        .any(|word| {
            SECRET_WORDS.contains(&word) || SECRET_ENDINGS.iter().any(|e| word.ends_with(e))
        })
}

/// `NAME=value` with the value masked when the name looks secret, and a
/// URL's password masked in any value. An entry without `=` is returned as
/// it is (it names an unset variable).
pub fn mask_env_entry(entry: &str) -> String {
    match entry.split_once('=') {
        Some((name, _)) if is_secret_name(name) => format!("{name}={MASK}"),
        Some((name, value)) => format!("{name}={}", mask_value(value)),
        None => entry.to_string(),
    }
}

/// A value under a harmless name, masked where it holds a secret: read as
/// a command line (`-Dx.password=…`, `--token …`, `mysql -pX`, URLs).
pub fn mask_value(value: &str) -> String {
    mask_command_line(value)
}

/// A label's value as it may be shown: masked when the key looks secret,
/// a URL's password masked in any other.
pub fn mask_label_value(key: &str, value: &str) -> String {
    if is_secret_name(key) {
        MASK.to_string()
    } else {
        mask_value(value)
    }
}

/// Would showing `value` under `name` show a secret? (The export replaces
/// such values by a variable rather than writing a masked, broken one.)
pub fn holds_secret(name: &str, value: &str) -> bool {
    is_secret_name(name) || mask_value(value) != value
}

/// Characters a URL scheme is made of (RFC 3986).
fn is_scheme_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
}

/// Where the word holding a URL ends: at white space, a quote, or the end.
fn is_word_end(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'`')
}

/// Whether the scheme that ends `before` (the text up to `://`) is one
/// whose user part alone is a token: http(s) and web sockets, also as the
/// last part of a compound scheme (`git+https`). Nothing asks for an http
/// user without a password, so one there is a token (GitHub's and
/// GitLab's clone URLs); ssh's, a database's or ftp's is a login name.
fn takes_token_alone(before: &str) -> bool {
    let scheme_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii() && is_scheme_char(c as u8)))
        .map_or(0, |(n, c)| n + c.len_utf8());
    let scheme = before[scheme_start..].to_ascii_lowercase();
    let last = scheme.rsplit('+').next().unwrap_or(&scheme);
    matches!(last, "http" | "https" | "ws" | "wss")
}

/// Every `scheme://user:password@host` in `text` with its password
/// masked. The userinfo ends at the last `@` of the word, not at the first
/// `/`: generated passwords hold `/` and `@` unescaped often enough, and
/// masking a bit too much beats showing part of a password.
pub fn mask_url_passwords(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let sep = from + found;
        let start = sep + 3;
        from = start;
        let has_scheme = sep > 0 && is_scheme_char(bytes[sep - 1]);
        let end = bytes[start..]
            .iter()
            .position(|&c| is_word_end(c))
            .map_or(bytes.len(), |n| start + n);
        let Some(at) = text[start..end].rfind('@').map(|n| start + n) else {
            continue;
        };
        let userinfo = &text[start..at];
        let Some(colon) = userinfo.find(':') else {
            // `ssh://deploy@host`, `postgres://app@db`: a user alone is no
            // secret, but in an http(s) URL it is a token (`https://TOKEN@host`).
            let token = has_scheme
                && takes_token_alone(&text[..sep])
                && !userinfo.is_empty()
                && !userinfo.contains(['/', '?', '#']);
            if token {
                out.push_str(&text[copied..start]);
                out.push_str(MASK);
                copied = at;
                from = at + 1;
            }
            continue;
        };
        let user = &userinfo[..colon];
        if !has_scheme || user.contains(['/', '?', '#']) || colon + 1 == userinfo.len() {
            continue;
        }
        // ASCII positions only, so every slice is on a char boundary.
        out.push_str(&text[copied..start + colon + 1]);
        out.push_str(MASK);
        copied = at;
        from = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Programs whose `-pPASSWORD` is a password (the MySQL/MariaDB clients
/// and tools: `mysql`, `mysqladmin`, `mariadb-dump`, …).
fn takes_dash_p_password(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    base.starts_with("mysql") || base.starts_with("mariadb")
}

/// Masks a command line word by word, remembering what came before: an
/// option whose name looks secret takes the next word as its value, and
/// after a MySQL tool `-pX` is a password.
#[derive(Default)]
struct ArgMasker {
    mysql: bool,
    value_next: bool,
}

impl ArgMasker {
    fn word(&mut self, w: &str) -> String {
        if std::mem::take(&mut self.value_next) && !w.starts_with('-') {
            return MASK.into();
        }
        if takes_dash_p_password(w) {
            self.mysql = true;
        }
        if let Some(option) = w.strip_prefix("--") {
            match option.split_once('=') {
                Some((name, _)) if is_secret_name(name) => return format!("--{name}={MASK}"),
                Some(_) => {}
                None => self.value_next = is_secret_name(option),
            }
        } else if self.mysql && w.len() > 2 && w.starts_with("-p") {
            return format!("-p{MASK}");
        } else if let Some((name, _)) = w.split_once('=') {
            // `MYSQL_PWD=x mysql …`, `env DB_PASS=x …`, `-e TOKEN=x`.
            let is_name = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-');
            if is_name && is_secret_name(name) {
                return format!("{name}={MASK}");
            }
        }
        mask_url_passwords(w)
    }

    /// One argument, which may itself be a command line (`sh -c "…"`):
    /// white space is kept as it was.
    fn arg(&mut self, arg: &str) -> String {
        let mut out = String::with_capacity(arg.len());
        let mut rest = arg;
        while !rest.is_empty() {
            let space = rest.len() - rest.trim_start().len();
            out.push_str(&rest[..space]);
            rest = &rest[space..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if end > 0 {
                out.push_str(&self.word(&rest[..end]));
            }
            rest = &rest[end..];
        }
        out
    }
}

/// A container's command or entrypoint (program and arguments) with
/// passwords masked: `--password=X`, `--password X`, `-pX` after a MySQL
/// tool, `NAME=X` when the name looks secret, and URL passwords.
pub fn mask_args(args: &[String]) -> Vec<String> {
    let mut masker = ArgMasker::default();
    args.iter().map(|a| masker.arg(a)).collect()
}

/// `mask_args` for a command already joined into one line (the engine's
/// container list gives it so).
pub fn mask_command_line(line: &str) -> String {
    ArgMasker::default().arg(line)
}

/// `text` (a service's answer to statements that held `secret`) with the
/// secret blanked out in every form it may be printed in: as it is; with
/// quotes doubled (as tugboat quotes it, and a server repeats a statement
/// near an error); backslash-escaped (as a server quotes a value, and the
/// client's batch output writes `\\`, tabs, line breaks and NULs); in hex
/// either case. And on any line, whatever follows `PASSWORD=`: a server's
/// error cuts the statement it repeats at some length, which may fall
/// inside the password, leaving a part no whole form matches.
pub fn scrub_secret(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_string();
    }
    let doubled = secret.replace('\'', "''");
    let hex: String = secret.bytes().map(|b| format!("{b:02X}")).collect();
    let mut forms = vec![
        secret.to_string(),
        doubled.clone(),
        backslash_escaped(secret),
        backslash_escaped(&doubled),
        batch_escaped(secret),
        batch_escaped(&doubled),
        hex.to_ascii_lowercase(),
        hex,
    ];
    // Longest first: a shorter form may be part of a longer one.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut out = text.to_string();
    for form in &forms {
        out = out.replace(form.as_str(), "***");
    }
    out.split_inclusive('\n')
        .map(blank_after_password)
        .collect()
}

/// `s` as MySQL/MariaDB escape it in a string or in batch output.
fn backslash_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// `s` as the client's batch output writes it (quotes as they are).
fn batch_escaped(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\0', "\\0")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// A line with what follows its first `PASSWORD=` (any case) blanked.
fn blank_after_password(line: &str) -> String {
    const KEY: &str = "password=";
    // ASCII lower-casing keeps every byte where it was.
    match line.to_ascii_lowercase().find(KEY) {
        Some(at) => {
            let end = at + KEY.len();
            let newline = if line.ends_with('\n') { "\n" } else { "" };
            format!("{}***{newline}", &line[..end])
        }
        None => line.to_string(),
    }
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
