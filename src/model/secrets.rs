//! Secrets in container environments are never displayed or logged.

/// Name fragments that mark an environment variable as secret.
const SECRET_MARKERS: [&str; 7] = [
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "AUTH",
];

pub const MASK: &str = "********";

/// Does this variable name look like it holds a secret? Case-insensitive,
/// so `mysql_root_password` and `Api_Key` are caught too.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_MARKERS.iter().any(|m| upper.contains(m))
}

/// `NAME=value` with the value masked when the name looks secret.
/// An entry without `=` is returned as it is (it names an unset variable).
pub fn mask_env_entry(entry: &str) -> String {
    match entry.split_once('=') {
        Some((name, _)) if is_secret_name(name) => format!("{name}={MASK}"),
        _ => entry.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_masked() {
        assert_eq!(
            mask_env_entry("MARIADB_ROOT_PASSWORD=hunter2"),
            "MARIADB_ROOT_PASSWORD=********"
        );
        assert_eq!(
            mask_env_entry("aws_secret_access_key=abc=def"),
            "aws_secret_access_key=********"
        );
        assert_eq!(
            mask_env_entry("GITHUB_TOKEN=ghp_x"),
            "GITHUB_TOKEN=********"
        );
        assert_eq!(mask_env_entry("API_KEY=1"), "API_KEY=********");
    }

    #[test]
    fn ordinary_entries_are_kept() {
        assert_eq!(mask_env_entry("ZOO_MY_ID=1"), "ZOO_MY_ID=1");
        assert_eq!(mask_env_entry("PATH=/usr/bin"), "PATH=/usr/bin");
        assert_eq!(mask_env_entry("NO_VALUE"), "NO_VALUE");
    }
}
