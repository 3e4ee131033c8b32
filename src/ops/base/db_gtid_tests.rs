use super::*;

/// Text a hostile or broken server may answer instead of a position.
const HOSTILE: &[&str] = &[
    "0-1-5'",
    "0-1-5', 0); \\! touch /tmp/pwned; SELECT ('",
    "0-1-5\\'); \\! touch /tmp/pwned #",
    "0-1-5\n\\! touch /tmp/pwned",
    "0-1-5\0",
    "0-1-5;DROP TABLE t",
    "0-1-５",
    "0-1-5 0-1-6",
    "0-1",
    "0-1-5-6",
    "-1-1-5",
    "+0-1-5",
    "0-1-18446744073709551616",
    "4294967296-1-5",
    "0x1-1-5",
    "ü",
];

#[test]
fn mariadb_lists_parse_and_format_back_the_same() {
    for (text, want) in [
        ("", ""),
        ("0-1-42", "0-1-42"),
        ("0-1-42,1-2-8", "0-1-42,1-2-8"),
        (" 0-1-42 ,\n1-2-8\n", "0-1-42,1-2-8"),
        // `CONCAT(state, ',', slave_pos)` with an empty side.
        ("0-1-42,", "0-1-42"),
        (",0-1-42", "0-1-42"),
        (
            "0-4294967295-18446744073709551615",
            "0-4294967295-18446744073709551615",
        ),
    ] {
        let got = MariadbGtidList::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(got.to_string(), want, "{text:?}");
    }
    assert_eq!(
        MariadbGtidList::parse("3-2-7").unwrap().0,
        [MariadbGtid {
            domain: 3,
            server: 2,
            seq: 7
        }]
    );
}

#[test]
fn mariadb_lists_refuse_anything_else() {
    for text in HOSTILE {
        assert!(MariadbGtidList::parse(text).is_err(), "{text:?} was taken");
    }
    assert_eq!(
        MariadbGtidList::parse("0-1-2,0-1-x"),
        Err(GtidSyntax::MariadbPart(2))
    );
    // A MySQL set is not a MariaDB list.
    assert!(MariadbGtidList::parse("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5").is_err());
    let long = "0-1-1,".repeat(20_000);
    assert_eq!(MariadbGtidList::parse(&long), Err(GtidSyntax::TooLong));
}

const UUID: &str = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

#[test]
fn mysql_sets_parse_and_format_back_the_same() {
    let two = format!("{UUID}:1-5:7,4d22fb58-71ca-11e1-9e33-c80aa9429562:1-3");
    for (text, want) in [
        (String::new(), String::new()),
        (format!("{UUID}:1-5"), format!("{UUID}:1-5")),
        (two.clone(), two.clone()),
        // Upper case from some versions; the batch client's `\n` after a comma.
        (
            format!(
                "{}:1-5:7,\\n4d22fb58-71ca-11e1-9e33-c80aa9429562:1-3",
                UUID.to_uppercase()
            ),
            two.clone(),
        ),
        (
            format!("{UUID}:1-5,\n 4d22fb58-71ca-11e1-9e33-c80aa9429562:1-3:7-7"),
            { format!("{UUID}:1-5,4d22fb58-71ca-11e1-9e33-c80aa9429562:1-3:7") },
        ),
        // MySQL 8.4's tagged GTIDs.
        (
            format!("{UUID}:1-5:Domain_1:1-3:11"),
            format!("{UUID}:1-5:domain_1:1-3:11"),
        ),
    ] {
        let got = MysqlGtidSet::parse(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(got.to_string(), want, "{text:?}");
    }
}

#[test]
fn mysql_sets_refuse_anything_else() {
    for text in HOSTILE {
        assert!(MysqlGtidSet::parse(text).is_err(), "{text:?} was taken");
    }
    for bad in [
        UUID.to_string(),
        format!("{UUID}:"),
        format!("{UUID}:0"),
        format!("{UUID}:5-1"),
        format!("{UUID}:1-5:tag"),
        format!("{UUID}:a:b:1"),
        format!("{UUID}:1-5'"),
        format!("{UUID}:1-5:1tag:1"),
        format!("{UUID}:1-5:{}:1", "t".repeat(33)),
        format!("{UUID}:1-5:t\\!ag:1"),
        format!("{}:1", &UUID[1..]),
        format!("{}g:1", &UUID[..35]),
        format!("{UUID}:1-5\\n,x"),
        "0-1-42".to_string(),
    ] {
        assert!(MysqlGtidSet::parse(&bad).is_err(), "{bad:?} was taken");
    }
    assert_eq!(
        MysqlGtidSet::parse(&format!("{UUID}:1,{UUID}:x")),
        Err(GtidSyntax::MysqlPart(2))
    );
}

/// Only the grammar's characters come back out, whatever went in.
#[test]
fn formatted_positions_hold_only_grammar_characters() {
    let fits = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | ',' | '_'))
    };
    let m = MariadbGtidList::parse("0-1-42,\n 1-2-8")
        .unwrap()
        .to_string();
    assert!(fits(&m), "{m}");
    let s = MysqlGtidSet::parse(&format!("{UUID}:1-5:x_1:3,\\n{UUID}:9"))
        .unwrap()
        .to_string();
    assert!(fits(&s), "{s}");
}

#[test]
fn a_refusal_names_the_server_and_shows_the_answer_sanitized_and_cut() {
    let text = format!("0-1-5'\x1b[31m\\! touch /tmp/pwned{}", "x".repeat(500));
    let why = MariadbGtidList::parse(&text).unwrap_err();
    let e = UnfitGtid::new("shop-db2", "GTID position", &text, why).to_string();
    assert!(e.starts_with("refused: shop-db2 answered \"0-1-5'"), "{e}");
    assert!(e.contains("\\\\! touch /tmp/pwned"), "{e}");
    assert!(!e.contains('\x1b'), "{e}");
    assert!(e.len() < 400, "{e}");
    assert!(e.contains("nothing built from it was sent"), "{e}");
    // Cut on a character boundary, even in multi-byte text.
    let e = UnfitGtid::new(
        "db",
        "GTID position",
        &"é".repeat(400),
        GtidSyntax::MariadbPart(1),
    );
    assert!(e.seen.ends_with('…'), "{}", e.seen);
}

/// Text made of grammar pieces and hostile ones, many thousands of ways:
/// nothing panics, and whatever parses formats to grammar characters only
/// and parses back to the same value.
#[test]
fn whatever_parses_round_trips_through_grammar_characters_only() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "42",
        "-",
        ":",
        ",",
        "'",
        "\\",
        "\\n",
        "\n",
        " ",
        "é",
        "_t",
        "x",
        "\0",
        "3e11fa47-71ca-11e1-9e33-c80aa9429562",
        "18446744073709551616",
        "4294967296",
    ];
    let fits = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | ',' | '_'))
    };
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut taken = 0;
    for _ in 0..30_000 {
        let len = 1 + next(9);
        let text: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
        if let Ok(list) = MariadbGtidList::parse(&text) {
            let out = list.to_string();
            assert!(fits(&out), "{text:?} -> {out:?}");
            assert_eq!(MariadbGtidList::parse(&out), Ok(list), "{text:?}");
            taken += 1;
        }
        if let Ok(set) = MysqlGtidSet::parse(&text) {
            let out = set.to_string();
            assert!(fits(&out), "{text:?} -> {out:?}");
            assert_eq!(MysqlGtidSet::parse(&out), Ok(set), "{text:?}");
            taken += 1;
        }
    }
    // The generator does make positions, not only garbage.
    assert!(taken > 100, "{taken}");
}

#[test]
fn mariadb_positions_compare_by_domain_whoever_wrote_them() {
    let list = |t: &str| MariadbGtidList::parse(t).unwrap();
    // One more of the dead primary's transactions: further by one.
    assert_eq!(
        list("0-1-344").beyond(&list("0-1-343")),
        vec![(0, 344, 343)]
    );
    assert!(list("0-1-343").beyond(&list("0-1-344")).is_empty());
    // A domain's numbers go on under a new primary's server id.
    assert!(list("0-1-344").beyond(&list("0-2-350")).is_empty());
    assert_eq!(
        list("0-2-351").beyond(&list("0-1-350")),
        vec![(0, 351, 350)]
    );
    // A domain the other never saw.
    assert_eq!(list("0-1-5,1-3-2").beyond(&list("0-1-5")), vec![(1, 2, 0)]);
    assert!(list("").beyond(&list("0-1-5")).is_empty());
    // Received and applied in one: the furthest of each.
    let both = list("0-1-343").merged(&list("0-1-344,1-1-2"));
    assert_eq!(both.to_string(), "0-1-344,1-1-2");
}
