use super::*;
use crate::model::testing::Rng;

#[test]
fn plain_text_is_unchanged() {
    assert_eq!(sanitize("zk-1 büro ✓ 日本"), "zk-1 büro ✓ 日本");
}

#[test]
fn csi_sequences_are_removed() {
    assert_eq!(sanitize("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
    assert_eq!(sanitize("\u{1b}[2J\u{1b}[Hclear"), "clear");
    assert_eq!(sanitize("\u{1b}[?1049h\u{1b}[38;5;196mx"), "x");
}

#[test]
fn osc_title_and_clipboard_writes_are_removed() {
    assert_eq!(sanitize("x\u{1b}]0;pwned\u{7}y"), "xy");
    assert_eq!(sanitize("x\u{1b}]52;c;ZXZpbA==\u{1b}\\y"), "xy");
    assert_eq!(sanitize("x\u{1b}]8;;http://e\u{9c}y"), "xy");
}

#[test]
fn dcs_sos_pm_apc_are_removed() {
    assert_eq!(sanitize("a\u{1b}Pq#0;2;0;0;0\u{1b}\\b"), "ab");
    assert_eq!(sanitize("a\u{1b}Xsos\u{7}b"), "ab");
    assert_eq!(sanitize("a\u{1b}^pm\u{7}b"), "ab");
    assert_eq!(sanitize("a\u{1b}_apc\u{1b}\\b"), "ab");
}

#[test]
fn short_escapes_are_removed() {
    assert_eq!(sanitize("a\u{1b}cb\u{1b}7c\u{1b}(Bd"), "abcd");
    assert_eq!(sanitize("a\u{1b}"), "a");
}

#[test]
fn c1_controls_are_removed() {
    assert_eq!(sanitize("a\u{9b}31mb"), "ab");
    assert_eq!(sanitize("a\u{9d}0;t\u{9c}b"), "ab");
    assert_eq!(sanitize("a\u{90}dcs\u{9c}b"), "ab");
    assert_eq!(sanitize("a\u{85}b\u{9c}c"), "a?b?c");
}

#[test]
fn unterminated_strings_keep_the_rest() {
    assert_eq!(sanitize("x\u{1b}]0;title and more"), "x0;title and more");
    assert_eq!(sanitize("x\u{1b}Pdcs text"), "xdcs text");
    assert_eq!(sanitize("x\u{9d}0;osc text"), "x0;osc text");
    assert_eq!(sanitize("x\u{1b}_apc\u{1b}[31mred"), "xapcred");
    // The rest is sanitized too, and a later complete sequence still goes.
    assert_eq!(sanitize("a\u{1b}]b\u{202e}c"), "ab?c");
    assert_eq!(sanitize("a\u{1b}]b\u{1b}]c"), "abc");
}

#[test]
fn unterminated_csi_keeps_the_rest() {
    assert_eq!(sanitize("x\u{1b}[12;"), "x12;");
    assert_eq!(sanitize("x\u{9b}1;2"), "x1;2");
    assert_eq!(sanitize("x\u{1b}[31\u{7}y"), "x31?y");
    assert_eq!(sanitize("x\u{1b}[ünicode"), "xünicode");
}

#[test]
fn many_unterminated_introducers_stay_fast() {
    let text = "\u{1b}]".repeat(200_000);
    let started = std::time::Instant::now();
    assert_eq!(sanitize(&text), "");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn other_controls_become_visible() {
    assert_eq!(sanitize("a\rb\u{7}c\u{8}\u{7f}"), "a?b?c??");
    assert_eq!(sanitize("a\tb"), "a b");
    assert_eq!(sanitize("a\nb"), "a?b");
    assert_eq!(sanitize_multiline("a\nb"), "a\nb");
    assert_eq!(sanitize_multiline("a\r\nb"), "a?\nb");
}

#[test]
fn bidi_overrides_are_neutralised() {
    assert_eq!(sanitize("abc\u{202e}def"), "abc?def");
    assert_eq!(sanitize("a\u{2066}b\u{2069}c\u{61c}d"), "a?b?c?d");
}

#[test]
fn format_characters_and_separators_are_neutralised() {
    for c in [
        '\u{ad}',
        '\u{61c}',
        '\u{180e}',
        '\u{200b}',
        '\u{200c}',
        '\u{200d}',
        '\u{200e}',
        '\u{200f}',
        '\u{2028}',
        '\u{2029}',
        '\u{202a}',
        '\u{202d}',
        '\u{2060}',
        '\u{2064}',
        '\u{2066}',
        '\u{2069}',
        '\u{feff}',
        '\u{fff9}',
        '\u{fffb}',
        '\u{e0000}',
        '\u{e0001}',
        '\u{e0041}',
        '\u{e007f}',
    ] {
        assert_eq!(sanitize(&format!("a{c}b")), "a?b", "U+{:04X}", c as u32);
        assert!(is_dangerous(c));
    }
    for c in [
        'a',
        'é',
        '✓',
        '\u{fffd}',
        '\u{2010}',
        '\u{e0080}',
        '\u{1f600}',
    ] {
        assert!(!is_dangerous(c), "U+{:04X}", c as u32);
    }
}

#[test]
fn no_escape_byte_survives_any_input() {
    let nasty = "\u{1b}\u{1b}[\u{1b}]\u{1b}P\u{9b}\u{9d}\u{1b}(";
    for s in [nasty, "\u{1b}", "\u{1b}[", "tail\u{1b}"] {
        let out = sanitize(s);
        assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
    }
}

#[test]
fn json_escape_covers_c1_bidi_format_and_tags() {
    let value = serde_json::json!({"s": "a\u{9b}b\u{202e}c\u{200b}d\u{e0041}e\u{1b}f"});
    let text = escape_json(&serde_json::to_string_pretty(&value).unwrap());
    assert!(
        !text.chars().any(|c| c != '\n' && is_dangerous(c)),
        "{text}"
    );
    assert!(
        text.contains("\\u009b") && text.contains("\\u202e"),
        "{text}"
    );
    assert!(text.contains("\\udb40\\udc41"), "{text}");
    // Still JSON, and the same value.
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back, value);
}

#[test]
fn yaml_escape_writes_astral_characters_whole() {
    assert_eq!(
        escape_yaml("\"a\u{e0041}b\u{85}\""),
        "\"a\\U000e0041b\\u0085\""
    );
}

#[test]
fn nothing_dangerous_survives_random_input() {
    let mut rng = Rng(0x7e57_5a41_7113_0001);
    for _ in 0..20_000 {
        let text = rng.foreign_text(64, &[]);
        let one = sanitize(&text);
        assert!(
            !one.chars().any(|c| c.is_control() || is_dangerous(c)),
            "{text:?} -> {one:?}"
        );
        let many = sanitize_multiline(&text);
        assert!(
            !many.chars().any(|c| c != '\n' && is_dangerous(c)),
            "{text:?} -> {many:?}"
        );
        // Sanitized text is a fixed point: reading it back changes nothing.
        assert_eq!(sanitize(&one), one);
        assert_eq!(sanitize_multiline(&many), many);
    }
}
