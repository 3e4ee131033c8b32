use super::*;

fn args(a: &[&str]) -> Vec<String> {
    mask_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

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
    for name in [
        "MYSQL_PWD",
        "DB_PASS",
        "pass",
        "REDIS_PASSWD",
        "dbPassword",
        "SSH_PRIVATE_KEY",
        "TLS_KEY",
        "apikey",
        "SERVICE_CREDENTIALS",
        "traefik.http.middlewares.a.basicauth.users",
        "GPG_PASSPHRASE",
        "AUTH",
        "requirepass",
        "masterauth",
        "DBPWD",
    ] {
        assert!(is_secret_name(name), "{name}");
    }
}

#[test]
fn ordinary_names_are_not_secret() {
    for name in [
        "PATH",
        "PWD",
        "OLDPWD",
        "PASSIVE_MODE",
        "FTP_PASSIVE",
        "PROXY_BYPASS",
        "KEYSPACE",
        "MONKEY",
        "ZOO_MY_ID",
        "org.opencontainers.image.authors",
        "default-authentication-plugin",
        "io.tugboat.cluster",
        "com.docker.compose.project",
    ] {
        assert!(!is_secret_name(name), "{name}");
    }
    assert_eq!(mask_env_entry("ZOO_MY_ID=1"), "ZOO_MY_ID=1");
    assert_eq!(mask_env_entry("PATH=/usr/bin"), "PATH=/usr/bin");
    assert_eq!(mask_env_entry("PWD=/srv"), "PWD=/srv");
    assert_eq!(mask_env_entry("NO_VALUE"), "NO_VALUE");
}

#[test]
fn url_passwords_are_masked_whatever_the_name() {
    assert_eq!(
        mask_env_entry("DATABASE_URL=postgres://u:hunter2@h/db"),
        "DATABASE_URL=postgres://u:********@h/db"
    );
    assert_eq!(
        mask_url_passwords("a mysql://root:p@ss/w0rd@db:3306/x and redis://:pw@r:6379"),
        "a mysql://root:********@db:3306/x and redis://:********@r:6379"
    );
    assert_eq!(
        mask_url_passwords("\"amqp://guest:guest@mq\""),
        "\"amqp://guest:********@mq\""
    );
    assert_eq!(
        mask_url_passwords("ünï https://u:pä@h ü"),
        "ünï https://u:********@h ü"
    );
    // No password: nothing to mask.
    for kept in [
        "ssh://deploy@host",
        "https://example.com/a?b=c",
        "tcp://10.0.0.1:2376",
        "://u:p@h",
        "http://u:@h",
        "https://h/path?mail=a@b",
        "",
    ] {
        assert_eq!(mask_url_passwords(kept), kept);
    }
}

#[test]
fn labels_are_masked_by_key_and_url() {
    assert_eq!(mask_label_value("com.example.db-password", "x"), MASK);
    assert_eq!(
        mask_label_value("com.example.dsn", "postgres://app:s3cret@db/app"),
        "postgres://app:********@db/app"
    );
    assert_eq!(mask_label_value("io.tugboat.cluster", "shop"), "shop");
    assert!(holds_secret("DSN", "postgres://app:s3cret@db/app"));
    assert!(holds_secret("DB_PASS", "x"));
    assert!(!holds_secret("MODE", "postgres://app@db/app"));
}

#[test]
fn command_passwords_are_masked() {
    assert_eq!(
        args(&["mysqld", "--password=hunter2", "--port=3306"]),
        ["mysqld", "--password=********", "--port=3306"]
    );
    assert_eq!(
        args(&["redis-server", "--requirepass", "x", "--masterauth", "y"]),
        [
            "redis-server",
            "--requirepass",
            "********",
            "--masterauth",
            "********"
        ]
    );
    assert_eq!(
        args(&["app", "--db-pass", "hunter2", "--verbose"]),
        ["app", "--db-pass", "********", "--verbose"]
    );
    // A flag without its value leaves the next option alone.
    assert_eq!(
        args(&["app", "--password", "--verbose"]),
        ["app", "--password", "--verbose"]
    );
    assert_eq!(
        args(&["/usr/bin/mysql", "-uroot", "-phunter2", "-p"]),
        ["/usr/bin/mysql", "-uroot", "-p********", "-p"]
    );
    // `-p` of any other program is not a password (a port, a path).
    assert_eq!(args(&["app", "-p8080"]), ["app", "-p8080"]);
    assert_eq!(
        args(&["env", "MYSQL_PWD=hunter2", "DEBUG=1", "app"]),
        ["env", "MYSQL_PWD=********", "DEBUG=1", "app"]
    );
    assert_eq!(
        args(&["app", "--url=postgres://u:pw@h/db"]),
        ["app", "--url=postgres://u:********@h/db"]
    );
    assert_eq!(
        args(&["sh", "-c", "mysqladmin ping -uroot -p\"$PW\"  && echo ok"]),
        ["sh", "-c", "mysqladmin ping -uroot -p********  && echo ok"]
    );
    assert_eq!(
        args(&[
            "docker-entrypoint.sh",
            "mariadbd",
            "--log-bin",
            "--server-id=1"
        ]),
        [
            "docker-entrypoint.sh",
            "mariadbd",
            "--log-bin",
            "--server-id=1"
        ]
    );
}

#[test]
fn a_joined_command_line_is_masked_too() {
    assert_eq!(
        mask_command_line("docker-entrypoint.sh mysqld --password=x --port 3306"),
        "docker-entrypoint.sh mysqld --password=******** --port 3306"
    );
    assert_eq!(
        mask_command_line("mariadb -h db -psecret -e 'select 1'"),
        "mariadb -h db -p******** -e 'select 1'"
    );
}

#[test]
fn secrets_inside_harmless_named_values_are_masked() {
    for (entry, want) in [
        (
            "JAVA_OPTS=-Xmx1g -Dspring.datasource.password=hunter2 -Dx=1",
            "JAVA_OPTS=-Xmx1g -Dspring.datasource.password=******** -Dx=1",
        ),
        (
            "JAVA_TOOL_OPTIONS=-Djavax.net.ssl.keyStorePassword=hunter2",
            "JAVA_TOOL_OPTIONS=-Djavax.net.ssl.keyStorePassword=********",
        ),
        ("ARGS=--password=hunter2 -v", "ARGS=--password=******** -v"),
        ("ARGS=--db-token hunter2 -v", "ARGS=--db-token ******** -v"),
        (
            "EXTRA=mysql -uroot -phunter2 -e 'select 1'",
            "EXTRA=mysql -uroot -p******** -e 'select 1'",
        ),
        (
            "REPO=https://ghp_abc123@github.com/o/r.git",
            "REPO=https://********@github.com/o/r.git",
        ),
        (
            "SRC=git+https://glpat-xyz@gitlab.example/o/r",
            "SRC=git+https://********@gitlab.example/o/r",
        ),
        (
            "HOOK=wss://tok@push.example/x",
            "HOOK=wss://********@push.example/x",
        ),
    ] {
        assert_eq!(mask_env_entry(entry), want, "{entry}");
        let (name, value) = entry.split_once('=').unwrap();
        assert!(holds_secret(name, value), "{entry}");
    }
}

/// What the masking leaves alone: `-p` of other programs (a port), a login
/// name alone in ssh, database and ftp URLs, ordinary options and values.
#[test]
fn harmless_values_are_left_as_they_are() {
    for entry in [
        "PORTS=-p8080 -p 9090",
        "OPTS=-Xmx1g -Dfile.encoding=UTF-8",
        "ZOO_SERVERS=server.1=zk1:2888:3888;2181 server.2=zk2:2888:3888;2181",
        "DSN=postgres://app@db/app",
        "GIT=ssh://git@github.com/o/r.git",
        "MIRROR=ftp://anonymous@ftp.example/pub",
        "URL=https://example.com/a?mail=a@b",
        "URL=https://@example.com",
        "LANG=C.UTF-8",
        "MYSQL_DATABASE=mysql_app",
    ] {
        assert_eq!(mask_env_entry(entry), entry);
        let (name, value) = entry.split_once('=').unwrap();
        assert!(!holds_secret(name, value), "{entry}");
    }
    assert_eq!(
        mask_label_value("com.example.opts", "-Dadmin.password=x"),
        "-Dadmin.password=********"
    );
    // Non-ASCII before a scheme is no scheme character.
    assert_eq!(mask_url_passwords("ühttps://tok@h"), "ühttps://********@h");
    assert_eq!(mask_url_passwords("ü://tok@h"), "ü://tok@h");
}

#[test]
fn a_scrubbed_answer_holds_no_form_of_the_secret() {
    let secret = "p'w\\x\"1\t2";
    let other_hex = "70277C5C78223109322";
    let answers = [
        format!(
            "ERROR 1064: near '{}' at line 1",
            secret.replace('\'', "''")
        ),
        format!("Access denied for '{secret}'"),
        "quoted p\\'w\\\\x\\\"1\\t2 here".to_string(),
        "batch p'w\\\\x\"1\\t2 here".to_string(),
        format!("hex {} / {}", "7027775C7822310932", "7027775c7822310932"),
    ];
    for answer in &answers {
        let got = scrub_secret(answer, secret);
        assert!(got.contains("***"), "{answer:?} -> {got:?}");
        for form in ["p'w", "p''w", "w\\x", "w\\\\x", "70277", "1\t2", "1\\t2"] {
            assert!(!got.contains(form), "{answer:?} -> {got:?} shows {form:?}");
        }
    }
    assert_eq!(scrub_secret(other_hex, secret), other_hex);
    assert_eq!(scrub_secret("nothing here", secret), "nothing here");
    assert_eq!(scrub_secret("text", ""), "text");
}

#[test]
fn a_statement_cut_inside_the_password_shows_none_of_it() {
    let echoed = "--------------\n\
                  CHANGE MASTER TO MASTER_HOST='db1', MASTER_USER='repl', MASTER_PASSWORD='r3pl-Pa\n\
                  --------------\n\
                  ERROR 1064 (42000) at line 1: near 'MASTER_password='r3pl-Pa' at line 1";
    let got = scrub_secret(echoed, "r3pl-Pa55-long");
    assert!(!got.contains("r3pl"), "{got}");
    assert!(got.contains("MASTER_PASSWORD=***\n"), "{got}");
    assert!(got.contains("MASTER_USER='repl'"), "{got}");
    assert!(got.starts_with("--------------\n"), "{got}");
}
