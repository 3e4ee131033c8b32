//! A Docker host reached over TCP with mutual TLS (TESTBED.md §4): from the
//! config file's TLS paths and from DOCKER_HOST + DOCKER_TLS_VERIFY +
//! DOCKER_CERT_PATH; plain HTTP to the same port is refused.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

const NAME: &str = "tb-it-tls";
const ADDR: &str = "127.0.0.5";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.5 and a client certificate, named
/// as the docker CLI expects them in DOCKER_CERT_PATH (ca/cert/key.pem).
fn make_certs(dir: &Path) {
    std::fs::write(
        dir.join("server.ext"),
        format!("subjectAltName=IP:{ADDR}\nextendedKeyUsage=serverAuth\n"),
    )
    .unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=tugboat-test-ca",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ],
    );
    for (who, subject) in [
        ("server", "/CN=tugboat-test-host"),
        ("client", "/CN=tugboat-test-client"),
    ] {
        let key = format!("{who}-key.pem");
        let csr = format!("{who}.csr");
        let cert = format!("{who}-cert.pem");
        openssl(
            dir,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", &key, "-out",
                &csr,
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &format!("{who}.ext"),
                "-out",
                &cert,
            ],
        );
    }
    std::fs::copy(dir.join("client-cert.pem"), dir.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("client-key.pem"), dir.join("key.pem")).unwrap();
}

struct TlsHost;

impl Drop for TlsHost {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", NAME])
            .output();
    }
}

fn start_tls_host(certs: &Path) -> TlsHost {
    let _ = Command::new("docker")
        .args(["rm", "-f", "-v", NAME])
        .output();
    let mount = format!("{}:/certs:ro", certs.display());
    let publish = format!("{ADDR}:2376:2376");
    docker(&[
        "run",
        "-d",
        "--name",
        NAME,
        "--label",
        "io.tugboat.test=dind",
        "--cap-add=ALL",
        "--cap-drop=SYS_RESOURCE",
        "--security-opt",
        "seccomp=unconfined",
        "--security-opt",
        "apparmor=unconfined",
        "-v",
        "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "-v",
        &mount,
        "-p",
        &publish,
        "tugboat-test/dind:bookworm",
        "dockerd",
        "--tlsverify",
        "--tlscacert=/certs/ca.pem",
        "--tlscert=/certs/server-cert.pem",
        "--tlskey=/certs/server-key.pem",
        "-H",
        "tcp://0.0.0.0:2376",
    ]);
    let host = TlsHost;
    let start = Instant::now();
    while tls_docker(certs, &["info"]).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the TLS engine did not come up"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    host
}

fn tls_docker(certs: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("docker")
        .env("DOCKER_HOST", format!("tcp://{ADDR}:2376"))
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", certs)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into())
    }
}

#[test]
fn tls_host_from_config_and_from_docker_env() {
    require_engine();
    let certs = tempfile::tempdir().unwrap();
    make_certs(certs.path());
    let _host = start_tls_host(certs.path());
    tls_docker(certs.path(), &["volume", "create", "tls-data"]).unwrap();
    // The engine starts empty: load the busybox image, then write a file of known size.
    let image = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "docker save {BUSYBOX} | DOCKER_HOST=tcp://{ADDR}:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH={} docker load",
            certs.path().display()
        ))
        .output()
        .unwrap();
    assert!(
        image.status.success(),
        "{}",
        String::from_utf8_lossy(&image.stderr)
    );
    tls_docker(
        certs.path(),
        &[
            "run",
            "--rm",
            "-v",
            "tls-data:/d",
            BUSYBOX,
            "sh",
            "-c",
            "head -c 50000 /dev/zero > /d/blob",
        ],
    )
    .unwrap();

    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(
        cfg.path().join("config.toml"),
        format!(
            "[[hosts]]\nname = \"secure\"\nurl = \"tcp://{ADDR}:2376\"\ntls_cert_path = \"{}\"\n",
            certs.path().display()
        ),
    )
    .unwrap();
    let (code, json, err) = run_tugboat(cfg.path(), &[], &["status", "--json"]);
    assert_eq!(code, 0, "{err}{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["hosts"][0]["name"], "secure");
    assert_eq!(report["hosts"][0]["state"], "up");
    assert_eq!(report["hosts"][0]["transport"], "tls");
    assert!(report["hosts"][0]["engine_version"]
        .as_str()
        .unwrap()
        .starts_with("20.10"));
    let vol = report["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "tls-data")
        .expect("volume listed");
    // Engine 20.10 over TLS: sizes come from the raw /system/df request.
    assert!(
        vol["size_bytes"].as_u64().unwrap() >= 50_000,
        "size over TLS: {vol}"
    );

    // The docker CLI's environment works the same way.
    let cert_path = certs.path().to_string_lossy().to_string();
    let env_host = format!("tcp://{ADDR}:2376");
    let env = [
        ("DOCKER_HOST", env_host.as_str()),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", cert_path.as_str()),
    ];
    let empty = tempfile::tempdir().unwrap();
    let (code, json, err) = run_tugboat(empty.path(), &env, &["status", "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["hosts"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(report["hosts"][0]["state"], "up");

    skip_verify_context_is_tls_unverified_and_half_material_an_error(certs.path());

    // Without TLS the engine refuses to talk: unreachable, exit 1.
    let (code, out, _) = run_tugboat(
        empty.path(),
        &[],
        &["--host", &format!("plain=tcp://{ADDR}:2376"), "status"],
    );
    assert_eq!(code, 1, "{out}");
}

/// A docker context as `docker context create` stores it, with `files`
/// copied from `certs` into its TLS directory.
fn write_context(dir: &Path, name: &str, skip_verify: bool, certs: &Path, files: &[&str]) {
    let meta = dir.join("contexts/meta").join(name);
    std::fs::create_dir_all(&meta).unwrap();
    let json = serde_json::json!({
        "Name": name,
        "Metadata": {},
        "Endpoints": {"docker": {"Host": format!("tcp://{ADDR}:2376"), "SkipTLSVerify": skip_verify}},
    });
    std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
    let tls = dir.join("contexts/tls").join(name).join("docker");
    std::fs::create_dir_all(&tls).unwrap();
    for f in files {
        std::fs::copy(certs.join(f), tls.join(f)).unwrap();
    }
}

/// `SkipTLSVerify` with the client pair and no CA: TLS that does not check
/// the engine's certificate, shown as such. A context with a CA but no
/// client pair is an error for that host, not a plain-text connection.
fn skip_verify_context_is_tls_unverified_and_half_material_an_error(certs: &Path) {
    // One context per run: two for the same URL would be merged into one.
    let status = |skip_verify: bool, files: &[&str]| {
        let cfg = tempfile::tempdir().unwrap();
        let docker_config = cfg.path().join("docker-cli");
        write_context(&docker_config, "ctx", skip_verify, certs, files);
        let dc = docker_config.to_string_lossy().to_string();
        let (code, json, err) =
            run_tugboat(cfg.path(), &[("DOCKER_CONFIG", &dc)], &["status", "--json"]);
        let report: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {err}{json}"));
        (code, report["hosts"][0].clone())
    };
    let (code, skipper) = status(true, &["cert.pem", "key.pem"]);
    assert_eq!(code, 0, "{skipper}");
    assert_eq!(skipper["state"], "up", "{skipper}");
    assert_eq!(skipper["transport"], "tls (unverified)");
    let (code, halfway) = status(false, &["ca.pem"]);
    assert_eq!(code, 1, "{halfway}");
    assert_eq!(halfway["state"], "unreachable", "{halfway}");
    assert_eq!(halfway["transport"], "tls");
    let error = halfway["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("TLS files missing") && error.contains("key.pem"),
        "{error}"
    );
}
