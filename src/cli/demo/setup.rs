//! What `tugboat demo` needs before it makes anything: an engine that
//! answers and the images its clusters run. Where tugboat's source tree is
//! at hand, `scripts/testbed.sh` (the test command's set-up: it starts
//! dockerd as root and builds the test images offline) provides both,
//! after asking; elsewhere the demo says which command gets them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::super::headless::ask;
use super::super::interrupt::{say, warn};
use super::DemoError;
use crate::config::{HostSpec, Settings, LOCAL_ENGINE_URL};
use crate::create::images::has_image;
use crate::create::spec::{AppSpec, DatabaseSpec, ZookeeperSpec};
use crate::docker::{snapshot, HostHandle};

/// The images the demo's clusters run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoImages {
    pub zookeeper: String,
    pub mariadb: String,
    pub haproxy: String,
    pub app: String,
}

/// One image the demo needs: the template's default (the official image)
/// or, when only that is there, the test image `scripts/testbed.sh` builds
/// with the same interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub what: &'static str,
    pub official: String,
    pub test: &'static str,
}

/// The four images, each with the test image that stands in for it.
pub fn wanted() -> [Wanted; 4] {
    [
        Wanted {
            what: "ZooKeeper",
            official: ZookeeperSpec::default().image,
            test: "tugboat-test/zookeeper:3.8",
        },
        Wanted {
            what: "MariaDB",
            official: DatabaseSpec::default().image,
            test: "tugboat-test/mariadb:10.11",
        },
        Wanted {
            what: "HAProxy",
            official: DatabaseSpec::default().haproxy_image,
            test: "tugboat-test/haproxy:2.6",
        },
        Wanted {
            what: "the app (nginx)",
            official: AppSpec::default().image,
            test: "tugboat-test/nginx:1.22",
        },
    ]
}

/// The images to run, from the host's tags: the official one when it is
/// there, else the test image; the ones with neither are the error.
pub fn choose(local: &[String]) -> Result<DemoImages, Vec<Wanted>> {
    let mut picked = Vec::new();
    let mut missing = Vec::new();
    for w in wanted() {
        if has_image(local, &w.official) {
            picked.push(w.official.clone());
        } else if has_image(local, w.test) {
            picked.push(w.test.to_string());
        } else {
            missing.push(w);
        }
    }
    match (missing.is_empty(), picked.as_slice()) {
        (true, [zookeeper, mariadb, haproxy, app]) => Ok(DemoImages {
            zookeeper: zookeeper.clone(),
            mariadb: mariadb.clone(),
            haproxy: haproxy.clone(),
            app: app.clone(),
        }),
        _ => Err(missing),
    }
}

/// `scripts/testbed.sh` of tugboat's own source tree: the one it was built
/// from, else the current directory's (a checkout it runs in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Testbed {
    pub script: PathBuf,
}

impl Testbed {
    pub fn locate() -> Option<Testbed> {
        let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let here = std::env::current_dir().ok();
        std::iter::once(built_from)
            .chain(here)
            .find_map(|dir| Testbed::in_tree(&dir))
    }

    /// The script in `dir`, if `dir` is tugboat's source tree (its
    /// Cargo.toml names the package): another project's script of the
    /// same name is never run as root.
    pub fn in_tree(dir: &Path) -> Option<Testbed> {
        let script = dir.join("scripts").join("testbed.sh");
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
        let ours = manifest.lines().any(|l| l.trim() == "name = \"tugboat\"");
        (ours && script.is_file()).then_some(Testbed { script })
    }

    /// The command line as the user would type it.
    pub fn command(&self) -> String {
        let script = self.script.display();
        if is_root() {
            format!("{script}")
        } else {
            format!("sudo {script}")
        }
    }

    /// Run it against the engine at `url` (its docker CLI calls go there),
    /// its progress on this terminal; as root through sudo when needed.
    pub async fn run(&self, url: &str) -> Result<(), DemoError> {
        say(format!("running {} ...", self.command()));
        let mut cmd = if is_root() {
            tokio::process::Command::new("bash")
        } else {
            let mut c = tokio::process::Command::new("sudo");
            c.arg("bash");
            c
        };
        cmd.arg(&self.script).env("DOCKER_HOST", url);
        let status = cmd.status().await.map_err(|e| DemoError::Testbed {
            command: self.command(),
            why: e.to_string(),
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(DemoError::Testbed {
                command: self.command(),
                why: status.to_string(),
            })
        }
    }
}

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// The engine testbed.sh starts: the default local socket.
pub fn is_local_default(url: &str) -> bool {
    url == LOCAL_ENGINE_URL || url == "unix:///run/docker.sock"
}

/// The testbed for this host's engine: only the default local one, and
/// only with tugboat's source tree at hand.
fn testbed_for(host: &HostSpec) -> Option<Testbed> {
    is_local_default(&host.url).then(Testbed::locate).flatten()
}

/// How to start an engine by hand, for the message that stops the demo.
pub fn start_hint(host: &HostSpec) -> String {
    if is_local_default(&host.url) {
        "start one, then run `tugboat demo` again:\n    \
         sudo systemctl start docker    # where systemd manages it\n    \
         sudo dockerd &                 # otherwise (Debian: sudo apt-get install docker.io first)"
            .into()
    } else {
        format!(
            "start the engine of host {} ({}), or run the demo on this machine's: \
             `tugboat --host local={LOCAL_ENGINE_URL} demo`",
            host.name, host.url
        )
    }
}

/// A handle on the engine once it answers, and whether testbed.sh ran to
/// get there. An engine that does not answer is started with testbed.sh
/// when it can be (asked first, unless `yes`).
pub async fn ensure_engine(
    host: &HostSpec,
    settings: &Settings,
    yes: bool,
) -> Result<(HostHandle, bool), DemoError> {
    let why = match snapshot(host, settings).await {
        Ok(s) => return Ok((s.handle, false)),
        Err(e) => e.to_string(),
    };
    warn(format!(
        "tugboat: no Docker engine answers at {} (host {}): {why}",
        host.url, host.name
    ));
    let Some(testbed) = testbed_for(host) else {
        return Err(DemoError::EngineDown {
            hint: start_hint(host),
        });
    };
    let down = || DemoError::EngineDown {
        hint: format!(
            "{}\n    {}   # or this, as `tugboat demo --yes` does (it builds the images too)",
            start_hint(host),
            testbed.command()
        ),
    };
    let question = format!(
        "Start one with `{}`? It starts dockerd as root and builds tugboat's test \
         images offline from Debian packages (minutes the first time). [y/N] ",
        testbed.command()
    );
    if !yes && !ask(&question, "y") {
        return Err(down());
    }
    testbed.run(&host.url).await?;
    for _ in 0..20 {
        if let Ok(s) = snapshot(host, settings).await {
            return Ok((s.handle, true));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(down())
}

/// The images, built by testbed.sh when some are missing and it can (and
/// did not run already): asked first, unless `yes`.
pub async fn ensure_images(
    host: &HostSpec,
    handle: &HostHandle,
    yes: bool,
    testbed_ran: bool,
) -> Result<DemoImages, DemoError> {
    let list = || async {
        handle
            .local_images()
            .await
            .map_err(|e| DemoError::Engine(format!("listing the images on {}: {e}", host.name)))
    };
    let missing = match choose(&list().await?) {
        Ok(images) => return Ok(images),
        Err(missing) => missing,
    };
    let names: Vec<String> = missing.iter().map(|w| w.official.clone()).collect();
    say(format!(
        "host {} has neither the official nor the test image of: {}",
        host.name,
        names.join(", ")
    ));
    let testbed = if testbed_ran { None } else { testbed_for(host) };
    if let Some(testbed) = testbed {
        let question = format!(
            "Build the test images with `{}` (offline, from Debian packages; minutes the \
             first time)? [y/N] ",
            testbed.command()
        );
        if yes || ask(&question, "y") {
            testbed.run(&host.url).await?;
            return choose(&list().await?).map_err(|m| missing_error(host, &m));
        }
    }
    Err(missing_error(host, &missing))
}

fn missing_error(host: &HostSpec, missing: &[Wanted]) -> DemoError {
    let lines = missing
        .iter()
        .map(|w| {
            format!(
                "{}: `docker pull {}` on {} (or build {} with scripts/testbed.sh from tugboat's source)",
                w.what, w.official, host.name, w.test
            )
        })
        .collect();
    DemoError::ImagesMissing(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_images_win_and_test_images_stand_in() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let test = tags(&[
            "tugboat-test/zookeeper:3.8",
            "tugboat-test/mariadb:10.11",
            "tugboat-test/haproxy:2.6",
            "tugboat-test/nginx:1.22",
        ]);
        let got = choose(&test).unwrap();
        assert_eq!(got.zookeeper, "tugboat-test/zookeeper:3.8");
        assert_eq!(got.app, "tugboat-test/nginx:1.22");
        let mut both = test.clone();
        both.push("haproxy:3.0".into());
        assert_eq!(choose(&both).unwrap().haproxy, "haproxy:3.0");
        let missing = choose(&test[..2]).unwrap_err();
        let names: Vec<&str> = missing.iter().map(|w| w.official.as_str()).collect();
        assert_eq!(names, ["haproxy:3.0", "nginx:1.27"]);
    }

    #[test]
    fn the_testbed_is_found_only_in_tugboats_tree() {
        let tree = Testbed::in_tree(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(tree.script.ends_with("scripts/testbed.sh"));
        let other = tempfile::tempdir().unwrap();
        std::fs::create_dir(other.path().join("scripts")).unwrap();
        std::fs::write(other.path().join("scripts/testbed.sh"), "#!/bin/sh\n").unwrap();
        std::fs::write(other.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        assert_eq!(Testbed::in_tree(other.path()), None);
    }

    #[test]
    fn only_the_default_socket_is_started_by_the_testbed() {
        assert!(is_local_default("unix:///var/run/docker.sock"));
        assert!(!is_local_default("unix:///tmp/other.sock"));
        assert!(!is_local_default("tcp://10.0.0.5:2375"));
        let spec = |url: &str| HostSpec {
            name: "db1".into(),
            url: url.into(),
            tls: None,
            source: crate::config::HostSource::Flag,
        };
        assert!(start_hint(&spec(LOCAL_ENGINE_URL)).contains("sudo dockerd &"));
        assert!(start_hint(&spec("tcp://10.0.0.5:2375")).contains("host db1"));
    }
}
