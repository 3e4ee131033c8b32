//! Editing haproxy.cfg text so that servers added or removed through the
//! runtime API are still there (or still gone) after a reload. Pure text in,
//! text out; the runner reads and writes the file inside the container.

use super::error::StepError;

/// Keywords that `add server` accepts at runtime and that make sense to
/// copy from a sibling server (no names, ids or cookies of the sibling).
const RUNTIME_KEYWORDS: &[&str] = &[
    "check",
    "inter",
    "fastinter",
    "downinter",
    "rise",
    "fall",
    "weight",
    "maxconn",
    "maxqueue",
    "slowstart",
];
/// Those of them that take a value.
const WITH_VALUE: &[&str] = &[
    "inter",
    "fastinter",
    "downinter",
    "rise",
    "fall",
    "weight",
    "maxconn",
    "maxqueue",
    "slowstart",
];

const SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "resolvers",
    "peers",
    "userlist",
    "program",
    "http-errors",
    "ring",
    "cache",
    "mailers",
];

fn words(line: &str) -> Vec<&str> {
    line.split('#')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

/// Line ranges (start, end exclusive) of the `backend NAME` or `listen
/// NAME` section.
fn section(cfg: &[&str], backend: &str) -> Option<(usize, usize)> {
    let start = cfg.iter().position(|l| {
        let w = words(l);
        w.len() >= 2 && matches!(w[0], "backend" | "listen") && w[1] == backend
    })?;
    let end = cfg[start + 1..]
        .iter()
        .position(|l| words(l).first().is_some_and(|w| SECTIONS.contains(w)))
        .map_or(cfg.len(), |i| start + 1 + i);
    Some((start, end))
}

fn is_server(line: &str, name: Option<&str>) -> bool {
    let w = words(line);
    w.first() == Some(&"server") && name.is_none_or(|n| w.get(1) == Some(&n))
}

/// The `server` lines of a backend section.
pub fn server_lines<'a>(cfg: &'a str, backend: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = cfg.lines().collect();
    let Some((start, end)) = section(&lines, backend) else {
        return Vec::new();
    };
    lines[start..end]
        .iter()
        .copied()
        .filter(|l| is_server(l, None))
        .collect()
}

/// The backend's `default-server` keywords and a sibling server's, as
/// arguments for a runtime `add server` (the sibling's win).
pub fn runtime_options(cfg: &str, backend: &str) -> Vec<String> {
    let lines: Vec<&str> = cfg.lines().collect();
    let mut sources: Vec<Vec<&str>> = Vec::new();
    if let Some((start, end)) = section(&lines, backend) {
        for l in &lines[start..end] {
            let w = words(l);
            match w.first() {
                Some(&"default-server") => sources.push(w[1..].to_vec()),
                Some(&"server") if sources.len() < 2 && w.len() > 3 => {
                    sources.push(w[3..].to_vec())
                }
                _ => {}
            }
        }
    }
    let mut options: Vec<(String, Option<String>)> = Vec::new();
    for source in sources {
        let mut i = 0;
        while i < source.len() {
            let key = source[i];
            let value = WITH_VALUE
                .contains(&key)
                .then(|| source.get(i + 1).map(|v| v.to_string()))
                .flatten();
            if RUNTIME_KEYWORDS.contains(&key) {
                options.retain(|(k, _)| k != key);
                options.push((key.to_string(), value.clone()));
            }
            i += if value.is_some() { 2 } else { 1 };
        }
    }
    options
        .into_iter()
        .flat_map(|(k, v)| std::iter::once(k).chain(v))
        .collect()
}

/// The config line for a new server: indented and with the keywords of the
/// backend's first server; addressed by name when the first server is (a
/// name survives the container getting another address), else by `ip`.
pub fn new_server_line(cfg: &str, backend: &str, server: &str, ip: &str, port: u16) -> String {
    let sibling = server_lines(cfg, backend).first().map(|l| l.to_string());
    let (indent, by_name, rest) = match &sibling {
        Some(line) => {
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            let w = words(line);
            let host = w
                .get(2)
                .map_or("", |a| a.rsplit_once(':').map_or(*a, |(h, _)| h));
            let by_name = host.parse::<std::net::IpAddr>().is_err();
            (indent, by_name, w.get(3..).unwrap_or_default().join(" "))
        }
        None => ("    ".to_string(), false, String::new()),
    };
    let address = if by_name { server } else { ip };
    let line = format!("{indent}server {server} {address}:{port} {rest}");
    line.trim_end().to_string()
}

/// Why haproxy.cfg cannot be edited as asked: the file is not as the plan
/// expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CfgEditError {
    #[error("no backend {0} in haproxy.cfg")]
    NoBackend(String),
    #[error("haproxy.cfg already has server {server} in {backend}")]
    ServerExists { backend: String, server: String },
    #[error("haproxy.cfg has no server {server} in {backend}")]
    NoServer { backend: String, server: String },
}

impl From<CfgEditError> for StepError {
    /// A config file not as planned fails the step, in words.
    fn from(e: CfgEditError) -> Self {
        Self::Failed(e.to_string())
    }
}

fn backend_of(lines: &[&str], backend: &str) -> Result<(usize, usize), CfgEditError> {
    section(lines, backend).ok_or_else(|| CfgEditError::NoBackend(backend.into()))
}

/// `cfg` with `line` added after the backend's last server line (or at the
/// end of its section).
pub fn add_server(
    cfg: &str,
    backend: &str,
    server: &str,
    line: &str,
) -> Result<String, CfgEditError> {
    let mut lines: Vec<&str> = cfg.lines().collect();
    let (start, end) = backend_of(&lines, backend)?;
    if lines[start..end].iter().any(|l| is_server(l, Some(server))) {
        return Err(CfgEditError::ServerExists {
            backend: backend.into(),
            server: server.into(),
        });
    }
    let at = lines[start..end]
        .iter()
        .rposition(|l| is_server(l, None))
        .map_or_else(
            || {
                // After the section's last non-blank line.
                lines[start..end]
                    .iter()
                    .rposition(|l| !l.trim().is_empty())
                    .map_or(end, |i| start + i + 1)
            },
            |i| start + i + 1,
        );
    lines.insert(at, line);
    Ok(joined(lines, cfg))
}

/// The index of the backend's `server NAME` line.
fn server_line(lines: &[&str], backend: &str, server: &str) -> Result<usize, CfgEditError> {
    let (start, end) = backend_of(lines, backend)?;
    lines[start..end]
        .iter()
        .position(|l| is_server(l, Some(server)))
        .map(|i| start + i)
        .ok_or_else(|| CfgEditError::NoServer {
            backend: backend.into(),
            server: server.into(),
        })
}

/// `cfg` without the backend's `server NAME` line.
pub fn remove_server(cfg: &str, backend: &str, server: &str) -> Result<String, CfgEditError> {
    let mut lines: Vec<&str> = cfg.lines().collect();
    let i = server_line(&lines, backend, server)?;
    lines.remove(i);
    Ok(joined(lines, cfg))
}

/// `cfg` with the backend's `server NAME` line in service (`enabled`) or
/// in maintenance from the start (`disabled`), so a reload keeps the state
/// set at runtime. Its other keywords and comment stay.
pub fn set_server_enabled(
    cfg: &str,
    backend: &str,
    server: &str,
    enabled: bool,
) -> Result<String, CfgEditError> {
    let mut lines: Vec<String> = cfg.lines().map(str::to_string).collect();
    let refs: Vec<&str> = cfg.lines().collect();
    let i = server_line(&refs, backend, server)?;
    let line = &lines[i];
    let (body, comment) = match line.split_once('#') {
        Some((b, c)) => (b, format!(" #{c}")),
        None => (line.as_str(), String::new()),
    };
    let indent: String = body.chars().take_while(|c| c.is_whitespace()).collect();
    let mut w: Vec<&str> = body
        .split_whitespace()
        .filter(|w| !matches!(*w, "disabled" | "enabled"))
        .collect();
    if !enabled {
        w.push("disabled");
    }
    lines[i] = format!("{indent}{}{comment}", w.join(" "));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    Ok(joined(refs, cfg))
}

fn joined(lines: Vec<&str>, original: &str) -> String {
    let mut out = lines.join("\n");
    if original.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &str = "global\n    stats socket /var/run/haproxy.sock level admin\n\
        defaults\n    mode http\n\
        frontend fe\n    bind :8080\n    default_backend be_app\n\
        backend be_app\n    option httpchk GET /\n    default-server check inter 1s fall 2 rise 2\n\
        \x20   server web1 shop-web-1:8080 weight 10 # first\n\
        \x20   server web2 shop-web-2:8080\n\
        \n\
        backend be_ip\n    server a 172.18.0.2:80 check\n";

    #[test]
    fn a_new_server_goes_after_the_last_one_and_is_removable() {
        let line = new_server_line(CFG, "be_app", "shop-web-3", "172.18.0.9", 8080);
        assert_eq!(line, "    server shop-web-3 shop-web-3:8080 weight 10");
        let added = add_server(CFG, "be_app", "shop-web-3", &line).unwrap();
        let servers = server_lines(&added, "be_app");
        assert_eq!(servers.len(), 3);
        assert_eq!(servers[2], line);
        assert_eq!(
            server_lines(&added, "be_ip").len(),
            1,
            "other backend untouched"
        );
        let text = |e: CfgEditError| e.to_string();
        assert_eq!(
            add_server(&added, "be_app", "shop-web-3", &line).map_err(text),
            Err("haproxy.cfg already has server shop-web-3 in be_app".into())
        );
        let removed = remove_server(&added, "be_app", "shop-web-3").unwrap();
        assert_eq!(removed, CFG);
        assert_eq!(
            remove_server(CFG, "be_app", "nope").map_err(text),
            Err("haproxy.cfg has no server nope in be_app".into())
        );
        assert_eq!(
            add_server(CFG, "be_nope", "x", "server x 1.2.3.4:1").map_err(text),
            Err("no backend be_nope in haproxy.cfg".into())
        );
    }

    #[test]
    fn addresses_follow_the_siblings_style() {
        let line = new_server_line(CFG, "be_ip", "b", "172.18.0.3", 80);
        assert_eq!(line, "    server b 172.18.0.3:80 check");
    }

    #[test]
    fn runtime_options_merge_default_server_and_sibling() {
        assert_eq!(
            runtime_options(CFG, "be_app"),
            ["check", "inter", "1s", "fall", "2", "rise", "2", "weight", "10"]
        );
        assert_eq!(runtime_options(CFG, "be_ip"), ["check"]);
        assert!(runtime_options(CFG, "none").is_empty());
    }

    #[test]
    fn a_server_is_put_in_and_out_of_service_keeping_its_keywords() {
        let off = set_server_enabled(CFG, "be_app", "web1", false).unwrap();
        assert!(
            off.contains("    server web1 shop-web-1:8080 weight 10 disabled # first\n"),
            "{off}"
        );
        assert!(off.contains("    server web2 shop-web-2:8080\n"), "{off}");
        let on = set_server_enabled(&off, "be_app", "web1", true).unwrap();
        assert_eq!(on, CFG, "back as it was");
        let again = set_server_enabled(&off, "be_app", "web1", false).unwrap();
        assert_eq!(again, off, "disabled once");
        assert!(set_server_enabled(CFG, "be_app", "nope", true).is_err());
    }
}
