//! Tests of what recover decides about a cut-off switchover's fence from
//! what the servers and balancers show now.

use super::*;

/// The fence as the cut-off job left it, before its promotion.
fn as_left() -> FenceNow {
    FenceNow {
        old_primary: "db1".into(),
        old_writable: false,
        writers_not_in_maint: Ok(Vec::new()),
        others_writable: Vec::new(),
        candidate_name: "db2".into(),
        candidate: Ok(CandidateNow {
            promoted: false,
            writable: false,
        }),
    }
}

fn refused(now: &FenceNow) -> String {
    match decide(now) {
        FenceRecovery::Refuse(why) => why,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn the_genuine_cases_go_back_or_forward() {
    assert_eq!(decide(&as_left()), FenceRecovery::Back);
    let promoted = FenceNow {
        candidate: Ok(CandidateNow {
            promoted: true,
            writable: true,
        }),
        ..as_left()
    };
    assert_eq!(decide(&promoted), FenceRecovery::Forward);
    // Cut before the fence: nothing serves differently after "back".
    let never_fenced = FenceNow {
        old_writable: true,
        ..as_left()
    };
    assert_eq!(decide(&never_fenced), FenceRecovery::Back);
    let unknown = FenceNow {
        candidate: Err("no answer".into()),
        ..as_left()
    };
    assert_eq!(
        decide(&unknown),
        FenceRecovery::KeepReadOnly("no answer".into())
    );
}

#[test]
fn a_later_switchover_to_another_server_is_refused() {
    // The candidate was promoted, then a later switchover made db3 the
    // primary: db2 replicates again and looks "not promoted".
    let later = FenceNow {
        others_writable: vec!["db3".into()],
        ..as_left()
    };
    let why = refused(&later);
    assert!(why.starts_with("db3 writable now"), "{why}");
    assert!(why.contains("the primary moved since"), "{why}");
}

#[test]
fn writers_out_of_maint_or_two_writable_servers_are_refused() {
    let repaired = FenceNow {
        writers_not_in_maint: Ok(vec!["db_writer/db1 is UP now".into()]),
        ..as_left()
    };
    assert!(refused(&repaired).contains("db_writer/db1 is UP now"));
    let unread = FenceNow {
        writers_not_in_maint: Err("balancer lb did not answer".into()),
        ..as_left()
    };
    assert!(refused(&unread).contains("cannot be read"));
    let both = FenceNow {
        old_writable: true,
        candidate: Ok(CandidateNow {
            promoted: true,
            writable: true,
        }),
        ..as_left()
    };
    assert!(refused(&both).contains("both the old primary db1 and the candidate db2"));
    let odd = FenceNow {
        candidate: Ok(CandidateNow {
            promoted: false,
            writable: true,
        }),
        ..as_left()
    };
    assert!(refused(&odd).contains("writable yet still replicates"));
}
