//! Hosts as the command line names them: `--on HOST` checked against the
//! configured hosts (an unknown one is named, with the ones there are),
//! and every host's URL checked before anything connects.

use super::contract::CliError;
use super::Loaded;
use crate::config::HostSpec;

fn configured(loaded: &Loaded) -> String {
    let names: Vec<&str> = loaded.hosts.iter().map(|h| h.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// `--on HOST`, when given, must name a configured host.
pub fn check_on(loaded: &Loaded, on: Option<&str>) -> Result<(), CliError> {
    match on {
        Some(name) if !loaded.hosts.iter().any(|h| h.name == name) => Err(CliError::not_found(
            format!("no host `{name}` (configured: {})", configured(loaded)),
        )),
        _ => Ok(()),
    }
}

/// The host `--on` names, else the only one configured.
pub fn the_host(loaded: &Loaded, on: Option<&str>) -> Result<String, CliError> {
    check_on(loaded, on)?;
    match (on, loaded.hosts.as_slice()) {
        (Some(name), _) => Ok(name.to_string()),
        (None, [one]) => Ok(one.name.clone()),
        (None, []) => Err(CliError::usage("no Docker host configured")),
        (None, _) => Err(CliError::usage(format!(
            "several hosts are configured ({}): say which with --on HOST",
            configured(loaded)
        ))),
    }
}

/// The hosts (all, or only `on`) that did not answer the listing in
/// `inventory`: what was not found may be on them.
pub fn not_answering(inventory: &crate::model::Inventory, on: Option<&str>) -> Vec<String> {
    inventory
        .hosts
        .iter()
        .filter(|h| on.is_none_or(|o| o == h.name) && !h.is_up())
        .map(|h| h.name.clone())
        .collect()
}

/// A TCP URL whose host is a dotted number must be an IPv4 address
/// (`tcp://999.1.1.1:2375` is a typo, not a host that does not answer).
pub fn check_urls(hosts: &[HostSpec]) -> Result<(), CliError> {
    for h in hosts {
        let Some((scheme, rest)) = h.url.split_once("://") else {
            continue;
        };
        if !["tcp", "http", "https"].contains(&scheme.to_ascii_lowercase().as_str()) {
            continue;
        }
        let authority = rest.split('/').next().unwrap_or(rest);
        let authority = authority.rsplit('@').next().unwrap_or(authority);
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if !authority.ends_with(']') => {
                if !port.is_empty() && port.parse::<u16>().is_err() {
                    return Err(bad_url(h, &format!("`{port}` is not a port")));
                }
                host
            }
            _ => authority,
        };
        let dotted = host.contains('.') && host.chars().all(|c| c.is_ascii_digit() || c == '.');
        if dotted && host.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(bad_url(h, &format!("`{host}` is not an IPv4 address")));
        }
    }
    Ok(())
}

fn bad_url(h: &HostSpec, why: &str) -> CliError {
    CliError::usage(format!("host `{}`: bad URL `{}`: {why}", h.name, h.url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HostSource;

    fn spec(url: &str) -> HostSpec {
        HostSpec {
            name: "a".into(),
            url: url.into(),
            tls: None,
            source: HostSource::Flag,
        }
    }

    #[test]
    fn a_dotted_number_must_be_an_address_and_a_port_a_port() {
        let check = |url: &str| check_urls(&[spec(url)]).map_err(|e| e.message);
        for good in [
            "tcp://10.0.0.1:2375",
            "tcp://docker.example.com:2376",
            "https://h:2376/",
            "unix:///var/run/docker.sock",
            "ssh://me@10.0.0.2",
            "tcp://[::1]:2375",
            "tcp://[::1]",
        ] {
            assert_eq!(check(good), Ok(()), "{good}");
        }
        let e = check("tcp://999.1.1.1:2375").unwrap_err();
        assert!(e.contains("`999.1.1.1` is not an IPv4 address"), "{e}");
        let e = check("tcp://10.0.0.1:99999").unwrap_err();
        assert!(e.contains("`99999` is not a port"), "{e}");
    }
}
