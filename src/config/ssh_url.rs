//! `ssh://[user@]host[:port][/]` split into the parts ssh takes as separate
//! arguments (`-l USER`, `-p PORT`, `HOST`), so none of them can be read
//! as another ssh option and the port is never lost.

use super::error::UrlError;

/// An ssh:// URL's parts. `host` is bare: an IPv6 address loses its brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshUrl {
    pub user: Option<String>,
    pub host: String,
    /// None: ssh's own default or a `Port` line in `~/.ssh/config`.
    pub port: Option<u16>,
}

/// Parses `url`, which must start with `ssh://` (any case). Refuses what ssh
/// could misread or what the docker CLI refuses too: a path or query, a
/// password, an unbracketed IPv6 address, a host or user starting with `-`.
pub fn parse_ssh_url(url: &str) -> Result<SshUrl, UrlError> {
    let rest = url
        .split_once("://")
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("ssh"))
        .map(|(_, rest)| rest)
        .ok_or_else(|| UrlError::Unsupported { url: url.into() })?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err(UrlError::SshExtra { url: url.into() });
    }
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host_port)) => (Some(user), host_port),
        None => (None, authority),
    };
    if let Some(user) = user {
        if user.contains(':') {
            return Err(UrlError::SshPassword);
        }
        if user.starts_with('-') {
            return Err(UrlError::SshOptionLike {
                url: url.into(),
                part: "user",
            });
        }
        if !is_safe_user(user) {
            return Err(UrlError::SshBadUser { url: url.into() });
        }
    }
    if host_port.starts_with('-') {
        return Err(UrlError::SshOptionLike {
            url: url.into(),
            part: "host",
        });
    }
    let (host, port) = split_host_port(url, host_port)?;
    Ok(SshUrl {
        user: user.map(str::to_string),
        host: host.to_string(),
        port,
    })
}

/// A login name ssh may pass on as it is: ssh puts the user into a
/// `ProxyCommand` or `Match exec` of `~/.ssh/config` for `%r`, run by a
/// shell, so only letters, digits, `.`, `_`, `-` and `@` (e-mail-like and
/// domain logins; nothing a shell or ssh reads in it) are taken.
fn is_safe_user(user: &str) -> bool {
    !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port<'a>(url: &str, host_port: &'a str) -> Result<(&'a str, Option<u16>), UrlError> {
    let bad_host = || UrlError::SshBadHost { url: url.into() };
    let (host, port, allowed): (&str, Option<&str>, &[char]) =
        if let Some(v6) = host_port.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(bad_host)?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(bad_host)?),
            };
            (host, port, &[':', '.', '%'])
        } else {
            match host_port.split_once(':') {
                Some((host, port)) => (host, Some(port), &['.', '-', '_']),
                None => (host_port, None, &['.', '-', '_']),
            }
        };
    // Names and addresses only: no spaces, shell or ssh `%` tokens that a
    // ProxyCommand in ~/.ssh/config would expand.
    let fits = |c: char| c.is_ascii_alphanumeric() || allowed.contains(&c);
    if host.is_empty() || !host.chars().all(fits) {
        return Err(bad_host());
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|&n| n != 0 && p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| UrlError::SshBadPort {
                    url: url.into(),
                    port: p.into(),
                })?,
        ),
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> (Option<String>, String, Option<u16>) {
        let got = parse_ssh_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        (got.user, got.host, got.port)
    }

    fn parts(
        user: Option<&str>,
        host: &str,
        port: Option<u16>,
    ) -> (Option<String>, String, Option<u16>) {
        (user.map(str::to_string), host.to_string(), port)
    }

    #[test]
    fn user_host_and_port_are_split() {
        assert_eq!(ok("ssh://edge"), parts(None, "edge", None));
        assert_eq!(ok("ssh://edge/"), parts(None, "edge", None));
        assert_eq!(ok("ssh://ops@edge"), parts(Some("ops"), "edge", None));
        assert_eq!(
            ok("ssh://ops@edge:2222"),
            parts(Some("ops"), "edge", Some(2222))
        );
        assert_eq!(
            ok("ssh://ops@edge:2222/"),
            parts(Some("ops"), "edge", Some(2222))
        );
        assert_eq!(ok("SSH://10.0.0.5:22"), parts(None, "10.0.0.5", Some(22)));
        assert_eq!(
            ok("ssh://db-3.example_x"),
            parts(None, "db-3.example_x", None)
        );
        // A user may hold an `@` (an e-mail-like login): the last one splits.
        assert_eq!(ok("ssh://a@b@edge"), parts(Some("a@b"), "edge", None));
    }

    #[test]
    fn bracketed_ipv6_with_and_without_port() {
        assert_eq!(ok("ssh://[::1]"), parts(None, "::1", None));
        assert_eq!(
            ok("ssh://root@[::1]:2222"),
            parts(Some("root"), "::1", Some(2222))
        );
        assert_eq!(ok("ssh://[fd00::5]:22/"), parts(None, "fd00::5", Some(22)));
        for bad in ["ssh://::1", "ssh://[::1", "ssh://[::1]2222", "ssh://[]:22"] {
            let e = parse_ssh_url(bad).unwrap_err();
            assert_eq!(e, UrlError::SshBadHost { url: bad.into() }, "{bad}");
        }
    }

    #[test]
    fn ports_must_be_numbers_in_range() {
        for (url, port) in [
            ("ssh://h:", ""),
            ("ssh://h:0", "0"),
            ("ssh://h:65536", "65536"),
            ("ssh://h:+22", "+22"),
            ("ssh://h:22x", "22x"),
            ("ssh://[::1]:-1", "-1"),
        ] {
            let e = parse_ssh_url(url).unwrap_err();
            assert_eq!(
                e,
                UrlError::SshBadPort {
                    url: url.into(),
                    port: port.into()
                },
                "{url}"
            );
            assert!(e.to_string().contains("1-65535"), "{e}");
        }
    }

    /// ssh reads an argument starting with `-` as an option (`-oProxyCommand=…`
    /// runs a command): such a host or user is refused, with the reason.
    #[test]
    fn option_like_host_or_user_is_refused() {
        let e = parse_ssh_url("ssh://-oProxyCommand=touch%20x").unwrap_err();
        assert!(
            matches!(e, UrlError::SshOptionLike { part: "host", .. }),
            "{e:?}"
        );
        let e = parse_ssh_url("ssh://-edge:2222").unwrap_err();
        assert!(
            e.to_string().contains("ssh would read it as an option"),
            "{e}"
        );
        let e = parse_ssh_url("ssh://ops@-edge").unwrap_err();
        assert!(matches!(e, UrlError::SshOptionLike { part: "host", .. }));
        let e = parse_ssh_url("ssh://-l@edge").unwrap_err();
        assert!(matches!(e, UrlError::SshOptionLike { part: "user", .. }));
    }

    #[test]
    fn other_malformed_urls_are_refused() {
        let e = parse_ssh_url("ssh://ops:hunter2@edge").unwrap_err();
        assert_eq!(e, UrlError::SshPassword);
        // The password is not repeated in the message.
        assert!(!e.to_string().contains("hunter2"), "{e}");
        for extra in [
            "ssh://edge/x",
            "ssh://edge?a=b",
            "ssh://edge#f",
            "ssh://edge//",
        ] {
            let e = parse_ssh_url(extra).unwrap_err();
            assert_eq!(e, UrlError::SshExtra { url: extra.into() }, "{extra}");
        }
        for host in [
            "ssh://",
            "ssh://ops@",
            "ssh://ed ge",
            "ssh://a;b",
            "ssh://%h",
        ] {
            let e = parse_ssh_url(host).unwrap_err();
            assert_eq!(e, UrlError::SshBadHost { url: host.into() }, "{host}");
        }
        for user in [
            "ssh://@edge",
            "ssh://o ps@edge",
            "ssh://o\nps@edge",
            // What a shell running ssh's ProxyCommand would read for `%r`.
            "ssh://o$(touch${IFS}x)@edge",
            "ssh://o`id`@edge",
            "ssh://o;id@edge",
            "ssh://o'x@edge",
            "ssh://o\"x@edge",
            "ssh://o|x@edge",
            "ssh://o&x@edge",
            "ssh://o>x@edge",
            "ssh://o\\x@edge",
            "ssh://%h@edge",
            "ssh://o*@edge",
            "ssh://ö@edge",
        ] {
            let e = parse_ssh_url(user).unwrap_err();
            assert_eq!(e, UrlError::SshBadUser { url: user.into() }, "{user}");
            assert!(e.to_string().contains(user), "{e}");
        }
        assert_eq!(
            ok("ssh://deploy.bot_1-x@edge"),
            parts(Some("deploy.bot_1-x"), "edge", None)
        );
        let e = parse_ssh_url("tcp://edge").unwrap_err();
        assert!(matches!(e, UrlError::Unsupported { .. }), "{e:?}");
    }
}
