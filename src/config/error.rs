//! Errors from reading configuration, with positions a human can jump to.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while reading config, themes or host sources.
///
/// Every variant's `Display` is a complete, single-line message meant to be
/// shown to the user as-is (on stderr before the TUI starts).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Syntax error, wrong type, unknown key or invalid value in a TOML file.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A `--host` flag that is not `NAME=URL`.
    #[error("--host expects NAME=URL, got `{value}`")]
    BadHostFlag { value: String },

    /// A host URL whose scheme tugboat cannot connect with.
    #[error(
        "{origin}: unsupported URL `{url}` for host `{name}` \
         (expected unix://, tcp://, http://, https:// or ssh://)"
    )]
    UnsupportedScheme {
        /// Where the URL came from, e.g. "--host" or "DOCKER_HOST".
        origin: String,
        name: String,
        url: String,
    },

    /// A URL with a known scheme that tugboat still cannot use.
    #[error("{origin}: host `{name}`: {source}")]
    BadHostUrl {
        origin: String,
        name: String,
        #[source]
        source: UrlError,
    },

    /// Two explicitly configured hosts share a name but not a URL.
    #[error(
        "host name `{name}` is used for both `{first_url}` ({first_origin}) \
         and `{second_url}` ({second_origin}); give one of them another name"
    )]
    DuplicateHost {
        name: String,
        first_url: String,
        first_origin: String,
        second_url: String,
        second_origin: String,
    },

    /// `settings.theme` (or `--theme`) names a theme that does not exist.
    #[error(
        "theme `{name}` not found (looked for {}; available: {})",
        path.display(),
        available.join(", ")
    )]
    ThemeNotFound {
        name: String,
        path: PathBuf,
        /// The builtins, then the user's theme files.
        available: Vec<String>,
    },

    /// The config or data directory could hold another user's files.
    #[error(transparent)]
    UnsafeDir(#[from] super::private_fs::UnsafeDir),
}

/// Why tugboat cannot connect with a host URL. Callers that know where the
/// URL came from say so in a `ConfigError` instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// ssh would take it for an option (`-oProxyCommand=…` runs a command).
    #[error("`{url}`: the ssh {part} starts with `-`, so ssh would read it as an option")]
    SshOptionLike { url: String, part: &'static str },
    #[error(
        "`{url}`: not a host name or address ssh can take \
         (letters, digits, `.`, `-`, `_`; an IPv6 address in brackets)"
    )]
    SshBadHost { url: String },
    #[error(
        "`{url}`: not a user name tugboat gives ssh (letters, digits, `.`, `_`, `-`, `@`; \
         ssh hands it to a shell for `%r`)"
    )]
    SshBadUser { url: String },
    #[error("`{url}`: `{port}` is not a port number (1-65535)")]
    SshBadPort { url: String, port: String },
    /// No URL in the message: it would repeat the password.
    #[error("an ssh:// URL cannot hold a password; use a key or ssh-agent")]
    SshPassword,
    /// ssh names a host only; the docker CLI refuses a path or query too.
    #[error("`{url}`: nothing may follow the host in an ssh:// URL (no path, query or fragment)")]
    SshExtra { url: String },
    #[error("unsupported URL `{url}` (expected unix://, tcp://, http://, https:// or ssh://)")]
    Unsupported { url: String },
}

impl ConfigError {
    /// Turns a `toml` deserialization error into a positioned message.
    ///
    /// `toml`'s own `Display` is a multi-line snippet; we want one line in
    /// the `file:line:col: message` form editors and terminals recognise.
    pub(crate) fn from_toml(path: &Path, src: &str, err: &toml::de::Error) -> ConfigError {
        let offset = err.span().map(|s| s.start).unwrap_or(0);
        let (line, column) = line_col(src, offset);
        let key = key_at(src, offset);
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: humanize(err.message(), key.as_deref()),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    // Step back to a char boundary so slicing never panics.
    let offset = (0..=offset)
        .rev()
        .find(|&i| src.is_char_boundary(i))
        .unwrap_or(0);
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The key of a `key = value` line when `offset` points into the value.
///
/// Type errors from serde only say what was expected; naming the key makes
/// the message actionable without opening the file.
fn key_at(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    let line_start = src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    // The text right before the value must be `key =`; taking the last key
    // also works inside inline tables (`{ name = "a", url = 1 }`).
    let before = src[line_start..offset].trim_end().strip_suffix('=')?;
    let before = before.trim_end().trim_end_matches('"');
    let is_key = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-');
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_key(c))
        .last()
        .map(|(i, _)| i)?;
    Some(before[start..].to_string())
}

/// Rewrites serde's wording for people editing TOML: "key" rather than
/// "field", "expected Y for `key`, found X" rather than "invalid type: X,
/// expected Y", and no Rust type names.
fn humanize(message: &str, key: Option<&str>) -> String {
    let message = message
        .trim()
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key")
        .replace("expected u64", "expected a whole number")
        .replace("expected usize", "expected a whole number");
    let Some(key) = key else {
        return message;
    };
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    if let Some((found, expected)) = rest.and_then(|r| r.split_once(", expected ")) {
        return format!("expected {expected} for `{key}`, found {found}");
    }
    if message.contains(&format!("`{key}`")) {
        return message;
    }
    format!("`{key}`: {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_chars() {
        let src = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // 'é' is two bytes but one column.
        let eq = src.find(" = \"").unwrap();
        assert_eq!(line_col(src, eq), (2, 3));
        assert_eq!(line_col(src, 10_000), (3, 1));
    }

    #[test]
    fn key_is_found_only_on_assignment_lines() {
        let src = "[x]\nurl = 3\n";
        let off = src.find('3').unwrap();
        assert_eq!(key_at(src, off).as_deref(), Some("url"));
        assert_eq!(key_at(src, 1), None);
        let src = "hosts = [{ name = \"a\", url = 1 }]";
        let off = src.find('1').unwrap();
        assert_eq!(key_at(src, off).as_deref(), Some("url"));
    }

    #[test]
    fn invalid_type_is_reworded_with_the_key() {
        let m = humanize("invalid type: integer `3`, expected a string", Some("url"));
        assert_eq!(m, "expected a string for `url`, found integer `3`");
        let m = humanize("unknown field `x`", Some("x"));
        assert_eq!(m, "unknown key `x`");
        let m = humanize("invalid value: integer `-1`, expected u64", Some("n"));
        assert_eq!(m, "expected a whole number for `n`, found integer `-1`");
        let m = humanize("must be positive", Some("n"));
        assert_eq!(m, "`n`: must be positive");
        assert_eq!(humanize("boom\n", None), "boom");
    }

    #[test]
    fn parse_error_display_has_file_line_col() {
        let e = ConfigError::Parse {
            path: PathBuf::from("/c/config.toml"),
            line: 3,
            column: 8,
            message: "expected a string for `url`".into(),
        };
        assert_eq!(
            e.to_string(),
            "/c/config.toml:3:8: expected a string for `url`"
        );
        let e = ConfigError::BadHostFlag {
            value: "foo".into(),
        };
        assert_eq!(e.to_string(), "--host expects NAME=URL, got `foo`");
    }
}
