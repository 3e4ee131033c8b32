use super::*;

fn all_styles(t: &Theme) -> Vec<Style> {
    vec![
        t.base,
        t.header,
        t.selected,
        t.border,
        t.title,
        t.status_ok,
        t.status_warn,
        t.status_bad,
        t.muted,
        t.accent,
        t.dialog,
        t.filter,
        t.footer,
        t.key,
    ]
}

#[test]
fn builtin_default_has_the_documented_values() {
    let t = Theme::builtin_default();
    assert_eq!(
        t.selected,
        Style::default()
            .fg(Color::Black)
            .bg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    );
    assert_eq!(
        t.status_bad,
        Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
    );
    assert_eq!(t.status_ok, Style::default().fg(Color::Green));
    assert_eq!(t.border, Style::default().fg(Color::DarkGray));
    assert_eq!(
        t.filter,
        Style::default()
            .fg(Color::Yellow)
            .add_modifier(Modifier::UNDERLINED)
    );
    assert_eq!(t.base, Style::default());
}

#[test]
fn user_values_override_builtin_value_by_value() {
    let src = "[selected]\nbg = \"#102030\"\nbold = false\n\n[muted]\nitalic = true\n";
    let t = Theme::from_toml(Path::new("/t/mine.toml"), src).unwrap();
    // bg and bold replaced, fg kept from the builtin.
    assert_eq!(
        t.selected,
        Style::default()
            .fg(Color::Black)
            .bg(Color::Rgb(0x10, 0x20, 0x30))
    );
    assert_eq!(
        t.muted,
        Style::default()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC)
    );
    // Untouched styles are the builtin ones.
    assert_eq!(t.status_bad, Theme::builtin_default().status_bad);
}

#[test]
fn colour_forms() {
    let src = "[accent]\nfg = \"light-red\"\nbg = \"42\"\n[base]\nfg = \"default\"\nbg = \"Bright Blue\"\n";
    let t = Theme::from_toml(Path::new("x.toml"), src).unwrap();
    assert_eq!(t.accent.fg, Some(Color::LightRed));
    assert_eq!(t.accent.bg, Some(Color::Indexed(42)));
    assert_eq!(t.base.fg, Some(Color::Reset));
    assert_eq!(t.base.bg, Some(Color::LightBlue));
}

#[test]
fn bad_colour_has_file_line_col() {
    let src = "[header]\nbold = true\nfg = \"chartreuse-ish\"\n";
    let msg = Theme::from_toml(Path::new("/cfg/themes/x.toml"), src)
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("/cfg/themes/x.toml:3:6: "), "{msg}");
    assert!(msg.contains("expected a colour name"), "{msg}");
    assert!(msg.contains("chartreuse-ish"), "{msg}");
}

#[test]
fn unknown_style_or_key_is_rejected_by_name() {
    let msg = Theme::from_toml(Path::new("t.toml"), "[selcted]\nfg = \"red\"\n")
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("t.toml:1:"), "{msg}");
    assert!(msg.contains("unknown key `selcted`"), "{msg}");
    let msg = Theme::from_toml(Path::new("t.toml"), "[header]\n\nblink = true\n")
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("t.toml:3:1: "), "{msg}");
    assert!(msg.contains("`blink`"), "{msg}");
    let msg = Theme::from_toml(Path::new("t.toml"), "[header]\nbold = \"yes\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("t.toml:2:8: expected a boolean for `bold`"),
        "{msg}"
    );
}

#[test]
fn load_prefers_user_file_then_builtin_default() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // No file: "default" is the builtin, anything else is not found.
    assert_eq!(
        Theme::load("default", dir).unwrap(),
        Theme::builtin_default()
    );
    let e = Theme::load("solarized", dir).unwrap_err();
    assert!(matches!(e, ConfigError::ThemeNotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("solarized.toml"), "{e}");

    std::fs::create_dir_all(dir.join("themes")).unwrap();
    std::fs::write(
        dir.join("themes/solarized.toml"),
        "[border]\nfg = \"blue\"\n",
    )
    .unwrap();
    let t = Theme::load("solarized", dir).unwrap();
    assert_eq!(t.border, Style::default().fg(Color::Blue));
    assert_eq!(t.selected, Theme::builtin_default().selected);

    // A user default.toml overrides the builtin too.
    std::fs::write(dir.join("themes/default.toml"), "[title]\nfg = \"red\"\n").unwrap();
    let t = Theme::load("default", dir).unwrap();
    assert_eq!(t.title.fg, Some(Color::Red));

    std::fs::write(dir.join("themes/broken.toml"), "[title]\nfg = 1\n").unwrap();
    let msg = Theme::load("broken", dir).unwrap_err().to_string();
    let want = format!("{}:2:6: ", dir.join("themes/broken.toml").display());
    assert!(msg.starts_with(&want), "{msg}");
}

#[test]
fn theme_names_cannot_escape_the_themes_dir() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("evil.toml"), "").unwrap();
    for name in ["../evil", "", ".hidden", "a/b"] {
        let e = Theme::load(name, tmp.path()).unwrap_err();
        assert!(
            matches!(e, ConfigError::ThemeNotFound { .. }),
            "{name}: {e:?}"
        );
    }
}

#[test]
fn no_color_has_modifiers_only() {
    let t = Theme::no_color();
    for s in all_styles(&t) {
        assert_eq!(s.fg, None);
        assert_eq!(s.bg, None);
        assert_eq!(s.underline_color, None);
    }
    assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
    assert!(t.status_warn.add_modifier.contains(Modifier::BOLD));
    assert!(t.status_bad.add_modifier.contains(Modifier::BOLD));
    // Bad must look different from warn without colour.
    assert_ne!(t.status_bad, t.status_warn);
}

#[test]
fn no_color_env_value_decides() {
    let colour = Theme::builtin_default();
    assert_eq!(colour.clone().apply_no_color(None), colour);
    assert_eq!(colour.clone().apply_no_color(Some(OsStr::new(""))), colour);
    assert_eq!(
        colour.apply_no_color(Some(OsStr::new("1"))),
        Theme::no_color()
    );
}
