use super::*;

fn shop_on_db1() -> DbCredential {
    DbCredential {
        host: "db1".into(),
        binding: Binding::Cluster("shop".into()),
        user: "monitor".into(),
        password: Secret::new("hunter2"),
    }
}

/// One entry as the config file would hold it.
fn raw(toml_text: &str) -> Result<DbCredential, String> {
    #[derive(Deserialize)]
    struct File {
        credentials: Spanned<RawCredential>,
    }
    let file: File = toml::from_str(&format!("[credentials]\n{toml_text}")).unwrap();
    resolve(file.credentials, &|var| {
        (var == "SHOP_PW").then(|| "from-env".to_string())
    })
    .map_err(|(_, m)| m)
}

#[test]
fn secrets_never_show_in_debug() {
    let c = shop_on_db1();
    assert!(!format!("{c:?}").contains("hunter2"));
    assert_eq!(c.password.expose(), "hunter2");
}

#[test]
fn entries_are_bound_to_a_host_and_one_target() {
    let c = raw("host = \"db1\"\ncluster = \"shop\"\npassword_env = \"SHOP_PW\"\n").unwrap();
    assert_eq!(c.host, "db1");
    assert_eq!(c.binding, Binding::Cluster("shop".into()));
    assert_eq!((c.user.as_str(), c.password.expose()), ("root", "from-env"));
    let c = raw("host = \"db1\"\ncontainer = \"legacy\"\npassword = \"p\"\n").unwrap();
    assert_eq!(c.binding, Binding::Container("legacy".into()));

    // An entry of an older file, bound to nothing but a name: refused, saying how to fix it.
    let e = raw("cluster = \"shop\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("host = \"NAME\""), "{e}");
    let e = raw("host = \" \"\ncontainer = \"legacy\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("`host"), "{e}");
    let e =
        raw("host = \"db1\"\ncluster = \"a\"\ncontainer = \"b\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("either `cluster` or `container`"), "{e}");
    let e = raw("host = \"db1\"\npassword = \"p\"\n").unwrap_err();
    assert!(e.contains("either `cluster` or `container`"), "{e}");
}
