//! `tugboat create --from SPEC` on the local engine: the dry run and the
//! read-only refusal. Each template's whole journey (create, verify,
//! operate, destroy) is in tests/journeys.rs.

mod common;
mod create_common;

use common::*;
use create_common::*;

#[test]
fn dry_run_prints_the_plan_and_read_only_refuses_before_anything() {
    require_engine();
    let name = unique("ro");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = app_spec(&name, BUSYBOX, "/", None);
    let (code, out, _) = create(dir.path(), &spec, &["--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(&format!("create container {name}-lb on local")),
        "{out}"
    );
    assert!(objects_of(&name).is_empty());

    std::fs::write(dir.path().join("spec.toml"), &spec).unwrap();
    let spec_path = dir.path().join("spec.toml").display().to_string();
    let (code, out, err) = tugboat(
        dir.path(),
        &["--read-only", "create", "--from", &spec_path, "--yes"],
    );
    assert_eq!(code, 3, "refused: nothing ran: {out}\n{err}");
    assert!(
        out.contains("refused: read-only mode (--read-only) changes nothing"),
        "{out}"
    );
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).unwrap();
    assert!(audit.contains("refused"), "{audit}");

    // A bad spec names its file and field.
    std::fs::write(
        dir.path().join("spec.toml"),
        format!("name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nmembers = 0\n"),
    )
    .unwrap();
    let (code, _, err) = tugboat(dir.path(), &["create", "--from", &spec_path, "--yes"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("spec.toml:zookeeper.members: at least 1 member"),
        "{err}"
    );
}
