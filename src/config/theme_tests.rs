use super::*;

fn all_styles(t: &Theme) -> Vec<Style> {
    t.styles().into_iter().map(|(_, s)| s).collect()
}

fn builtin(name: &str) -> Theme {
    Theme::builtin(name).unwrap_or_else(|| panic!("no builtin {name}"))
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
    // The key and the style it belongs to: every style has an `fg`.
    assert!(
        msg.starts_with("/cfg/themes/x.toml:3:6: in [header]: `fg`: expected a colour name"),
        "{msg}"
    );
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
    assert!(
        msg.starts_with("t.toml:3:1: in [header]: unknown key `blink`"),
        "{msg}"
    );
    let msg = Theme::from_toml(Path::new("t.toml"), "[header]\nbold = \"yes\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("t.toml:2:8: in [header]: expected a boolean for `bold`"),
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
    assert_eq!(Theme::load("light", dir).unwrap(), builtin("light"));
    let e = Theme::load("ocean", dir).unwrap_err();
    assert!(matches!(e, ConfigError::ThemeNotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("ocean.toml"), "{e}");

    std::fs::create_dir_all(dir.join("themes")).unwrap();
    std::fs::write(dir.join("themes/ocean.toml"), "[border]\nfg = \"blue\"\n").unwrap();
    let t = Theme::load("ocean", dir).unwrap();
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

#[test]
fn builtin_names_match_the_embedded_files() {
    let names: Vec<&str> = BUILTIN_SOURCES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, BUILTIN_THEMES);
    assert_eq!(BUILTIN_THEMES[0], "default");
    assert!(BUILTIN_THEMES.len() >= 6);
    for name in BUILTIN_THEMES {
        assert!(valid_name(name), "{name}");
    }
}

#[test]
fn every_builtin_parses_and_all_but_default_differ_from_it() {
    let default = Theme::builtin_default();
    assert_eq!(builtin("default"), default);
    for name in BUILTIN_THEMES {
        let t = builtin(name);
        if *name != "default" {
            assert_ne!(t, default, "{name}");
        }
        // States never look alike, not even without colour or with 16.
        for depth in [
            ColorDepth::TrueColor,
            ColorDepth::Ansi256,
            ColorDepth::Ansi16,
        ] {
            let t = t.clone().for_depth(depth);
            assert_ne!(t.status_ok, t.status_warn, "{name} {depth:?}");
            assert_ne!(t.status_warn, t.status_bad, "{name} {depth:?}");
            assert_ne!(t.status_ok, t.status_bad, "{name} {depth:?}");
            assert_ne!(t.selected, t.base, "{name} {depth:?}");
        }
    }
    assert_eq!(Theme::builtin("nope"), None);
    // Every builtin file writes every style, for the reader.
    for (name, src) in BUILTIN_SOURCES {
        for (style, _) in default.styles() {
            assert!(src.contains(&format!("\n[{style}]\n")), "{name}: [{style}]");
        }
    }
}

/// The values `Theme::no_color()` had before it became the "mono" file.
#[test]
fn mono_is_no_color_and_has_no_colour_anywhere() {
    let m = |m: Modifier| Style::default().add_modifier(m);
    let want = Theme {
        base: Style::default(),
        header: m(Modifier::BOLD),
        selected: m(Modifier::REVERSED | Modifier::BOLD),
        border: Style::default(),
        title: m(Modifier::BOLD),
        status_ok: Style::default(),
        status_warn: m(Modifier::BOLD),
        status_bad: m(Modifier::BOLD | Modifier::UNDERLINED),
        muted: m(Modifier::DIM),
        accent: m(Modifier::BOLD),
        dialog: Style::default(),
        filter: m(Modifier::UNDERLINED),
        footer: m(Modifier::REVERSED),
        key: m(Modifier::BOLD),
    };
    assert_eq!(builtin("mono"), want);
    assert_eq!(Theme::no_color(), want);
    for (name, s) in want.styles() {
        assert_eq!((s.fg, s.bg), (None, None), "{name}");
    }
}

#[test]
fn none_clears_a_colour_from_underneath() {
    let t = Theme::from_toml(Path::new("x.toml"), "[selected]\nbg = \"none\"\n").unwrap();
    assert_eq!(t.selected.bg, None);
    assert_eq!(t.selected.fg, Some(Color::Black));
}

#[test]
fn light_differs_from_default_where_it_matters() {
    let (light, dark) = (builtin("light"), Theme::builtin_default());
    for (name, (l, d)) in ["selected", "status_ok", "status_warn", "muted", "filter"]
        .iter()
        .zip([
            (light.selected, dark.selected),
            (light.status_ok, dark.status_ok),
            (light.status_warn, dark.status_warn),
            (light.muted, dark.muted),
            (light.filter, dark.filter),
        ])
    {
        assert_ne!(l, d, "{name}");
    }
    // No yellow or cyan text, unreadable on white.
    for (name, s) in light.styles() {
        for c in [s.fg, s.bg].into_iter().flatten() {
            assert!(
                !matches!(
                    c,
                    Color::Yellow | Color::LightYellow | Color::Cyan | Color::LightCyan
                ),
                "{name}: {c:?}"
            );
        }
    }
}

#[test]
fn colorblind_ok_and_bad_are_not_green_or_red_at_any_depth() {
    let t = builtin("colorblind");
    assert_eq!(t.status_ok.fg, Some(Color::Rgb(0x56, 0xb4, 0xe9)));
    assert_eq!(t.status_bad.fg, Some(Color::Rgb(0xe6, 0x9f, 0x00)));
    let green_or_red = [Color::Green, Color::LightGreen, Color::Red, Color::LightRed];
    let t16 = t.clone().for_depth(ColorDepth::Ansi16);
    for s in [t16.status_ok, t16.status_bad] {
        assert!(!green_or_red.contains(&s.fg.unwrap()), "{s:?}");
    }
    assert_eq!(t16.status_ok.fg, Some(Color::LightBlue));
    assert_eq!(t16.status_bad.fg, Some(Color::Yellow));
    let t256 = t.clone().for_depth(ColorDepth::Ansi256);
    assert_eq!(t256.status_ok.fg, Some(Color::Indexed(74)));
    assert_eq!(t256.status_bad.fg, Some(Color::Indexed(178)));
    // Not by hue alone: bad is bold and underlined, warn bold, ok plain.
    assert!(t
        .status_bad
        .add_modifier
        .contains(Modifier::BOLD | Modifier::UNDERLINED));
    assert!(t.status_warn.add_modifier.contains(Modifier::BOLD));
    assert!(!t.status_warn.add_modifier.contains(Modifier::UNDERLINED));
    assert!(t.status_ok.add_modifier.is_empty());
}

#[test]
fn user_file_is_laid_over_the_builtin_of_the_same_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("themes")).unwrap();
    std::fs::write(
        dir.join("themes/solarized.toml"),
        "[border]\nfg = \"blue\"\n",
    )
    .unwrap();
    let t = Theme::load("solarized", dir).unwrap();
    let solarized = builtin("solarized");
    assert_eq!(t.border, Style::default().fg(Color::Blue));
    assert_eq!(t.base, solarized.base);
    assert_eq!(t.selected, solarized.selected);
    assert_ne!(t.selected, Theme::builtin_default().selected);
}

#[test]
fn unknown_name_lists_the_available_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let builtins: Vec<String> = BUILTIN_THEMES.iter().map(|n| n.to_string()).collect();
    // No themes dir at all: the builtins.
    assert_eq!(Theme::available(dir), builtins);
    std::fs::create_dir_all(dir.join("themes/dir.toml")).unwrap();
    for f in [
        "zeta.toml",
        "alpha.toml",
        "light.toml",
        "notes.txt",
        ".hidden.toml",
    ] {
        std::fs::write(dir.join("themes").join(f), "").unwrap();
    }
    let mut want = builtins.clone();
    want.extend(["alpha".to_string(), "zeta".to_string()]);
    assert_eq!(Theme::available(dir), want);

    let e = Theme::load("ocean", dir).unwrap_err();
    match &e {
        ConfigError::ThemeNotFound { available, .. } => assert_eq!(available, &want),
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.ends_with(
            "ocean.toml; available: default, light, solarized, high-contrast, colorblind, \
             mono, alpha, zeta)"
        ),
        "{msg}"
    );
    assert!(
        msg.starts_with("theme `ocean` not found (looked for "),
        "{msg}"
    );
}

#[test]
fn a_name_with_a_slash_is_refused_even_if_the_file_exists() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("themes/sub")).unwrap();
    std::fs::write(dir.join("themes/sub/x.toml"), "").unwrap();
    for name in ["sub/x", "sub\\x", "/etc/passwd"] {
        let e = Theme::load(name, dir).unwrap_err();
        assert!(
            matches!(e, ConfigError::ThemeNotFound { .. }),
            "{name}: {e:?}"
        );
    }
}

#[test]
fn depth_is_detected_from_colorterm_and_term() {
    use ColorDepth::*;
    let d = ColorDepth::detect;
    assert_eq!(d(Some("truecolor"), Some("xterm-256color")), TrueColor);
    assert_eq!(d(Some("24bit"), Some("xterm")), TrueColor);
    assert_eq!(d(Some("TrueColor"), None), TrueColor);
    assert_eq!(d(None, Some("xterm-256color")), Ansi256);
    assert_eq!(d(Some("yes"), Some("screen-256color")), Ansi256);
    assert_eq!(d(None, Some("xterm")), Ansi16);
    assert_eq!(d(None, Some("linux")), Ansi16);
    assert_eq!(d(None, None), Ansi16);
    assert_eq!(d(Some("truecolor"), Some("dumb")), Ansi16);
    assert_eq!(d(None, Some("dumb")), Ansi16);
}

/// Expected values worked out by hand from the cube levels (0, 95, 135,
/// 175, 215, 255) and the grey ramp (8 + 10 i at 232 + i).
#[test]
fn rgb_to_256_takes_the_nearer_of_cube_and_grey_ramp() {
    // Solarized base03 (0,43,54): cube (0,0,95)=17 is 3530 away, grey 28
    // (234) only 1685.
    assert_eq!(nearest_256((0x00, 0x2b, 0x36)), 234);
    // base02 (7,54,66): cube (0,95,95)=23 is 2571 away, grey 38 (235) 2001.
    assert_eq!(nearest_256((0x07, 0x36, 0x42)), 235);
    // yellow (181,137,0): cube (175,135,0) = 16+36*3+6*2 = 136, 40 away.
    assert_eq!(nearest_256((0xb5, 0x89, 0x00)), 136);
    // red (220,50,47): cube (215,95,0) = 16+144+6 = 166 (4259) beats
    // (215,0,0)=160 (4734): 50 is nearer 95 than 0 by a hair.
    assert_eq!(nearest_256((0xdc, 0x32, 0x2f)), 166);
    // Exact points.
    assert_eq!(nearest_256((0, 0, 0)), 16);
    assert_eq!(nearest_256((255, 255, 255)), 231);
    assert_eq!(nearest_256((95, 135, 175)), 16 + 36 + 12 + 3);
    assert_eq!(nearest_256((128, 128, 128)), 244); // grey 128 = 8 + 10*12
    assert_eq!(nearest_256((8, 8, 8)), 232);
    assert_eq!(nearest_256((238, 238, 238)), 255);
    // Round trip over the whole cube and ramp.
    for i in 16..=255u8 {
        assert_eq!(nearest_256(indexed_rgb(i)), i, "{i}");
    }
}

#[test]
fn rgb_and_high_indexes_to_the_nearest_named_colour() {
    let d = ColorDepth::Ansi16;
    // base03 (0,43,54) is 4765 from black, far from anything else.
    assert_eq!(d.adapt(Color::Rgb(0x00, 0x2b, 0x36)), Color::Black);
    // yellow (181,137,0): 5200 from yellow (205,205,0), 19145 from dark gray.
    assert_eq!(d.adapt(Color::Rgb(0xb5, 0x89, 0x00)), Color::Yellow);
    // red (220,50,47): 4934 from red, 5934 from light red.
    assert_eq!(d.adapt(Color::Rgb(0xdc, 0x32, 0x2f)), Color::Red);
    // base01 (88,110,117): 1910 from dark gray (127,127,127).
    assert_eq!(d.adapt(Color::Rgb(0x58, 0x6e, 0x75)), Color::DarkGray);
    assert_eq!(d.adapt(Color::Rgb(250, 250, 250)), Color::White);
    // Indexed 0-15 are the colours they name.
    assert_eq!(d.adapt(Color::Indexed(1)), Color::Red);
    assert_eq!(d.adapt(Color::Indexed(8)), Color::DarkGray);
    assert_eq!(d.adapt(Color::Indexed(15)), Color::White);
    // 28 is (0,135,0): 4900 from green, 18225 from black.
    assert_eq!(d.adapt(Color::Indexed(28)), Color::Green);
    // 160 is (215,0,0): 100 from red.
    assert_eq!(d.adapt(Color::Indexed(160)), Color::Red);
    // 244 is grey 128: 3 from dark gray.
    assert_eq!(d.adapt(Color::Indexed(244)), Color::DarkGray);
    assert_eq!(d.adapt(Color::Indexed(255)), Color::Gray);
    // Named colours and reset stay.
    for c in [Color::Cyan, Color::Reset, Color::LightMagenta] {
        assert_eq!(d.adapt(c), c);
        assert_eq!(ColorDepth::Ansi256.adapt(c), c);
    }
    // 256 leaves indexes alone and maps rgb.
    assert_eq!(
        ColorDepth::Ansi256.adapt(Color::Indexed(42)),
        Color::Indexed(42)
    );
    assert_eq!(
        ColorDepth::Ansi256.adapt(Color::Rgb(0x00, 0x2b, 0x36)),
        Color::Indexed(234)
    );
    assert_eq!(
        ColorDepth::TrueColor.adapt(Color::Rgb(1, 2, 3)),
        Color::Rgb(1, 2, 3)
    );
}

#[test]
fn for_depth_maps_every_style_fg_bg_and_underline() {
    let solarized = builtin("solarized");
    let t = solarized.clone().for_depth(ColorDepth::Ansi256);
    assert_eq!(
        t.base.fg,
        Some(Color::Indexed(nearest_256((0x83, 0x94, 0x96))))
    );
    assert_eq!(t.base.bg, Some(Color::Indexed(234)));
    assert_eq!(t.status_warn.fg, Some(Color::Indexed(136)));
    assert_eq!(t.status_warn.add_modifier, Modifier::BOLD, "modifiers kept");
    let t = solarized.clone().for_depth(ColorDepth::Ansi16);
    for (name, s) in t.styles() {
        for c in [s.fg, s.bg].into_iter().flatten() {
            assert!(
                !matches!(c, Color::Rgb(..) | Color::Indexed(_)),
                "{name}: {c:?}"
            );
        }
    }
    assert_eq!(t.base.bg, Some(Color::Black));
    assert_eq!(t.status_bad.fg, Some(Color::Red));
    assert_eq!(
        solarized.clone().for_depth(ColorDepth::TrueColor),
        solarized
    );
    let styled = Style::default().underline_color(Color::Rgb(0xdc, 0x32, 0x2f));
    let t = Theme {
        key: styled,
        ..Theme::builtin_default()
    };
    let t = t.for_depth(ColorDepth::Ansi16);
    assert_eq!(t.key.underline_color, Some(Color::Red));
}

#[test]
fn load_for_is_load_then_for_depth() {
    let tmp = tempfile::tempdir().unwrap();
    let got = Theme::load_for("solarized", tmp.path(), ColorDepth::Ansi16).unwrap();
    assert_eq!(got, builtin("solarized").for_depth(ColorDepth::Ansi16));
    assert!(Theme::load_for("ocean", tmp.path(), ColorDepth::Ansi16).is_err());
}

fn resolve(
    requested: Option<&str>,
    settings: &str,
    dir: &Path,
    no_color: Option<&str>,
) -> (Theme, Option<String>) {
    Theme::resolve(
        requested,
        settings,
        dir,
        no_color.map(OsStr::new),
        ColorDepth::TrueColor,
    )
}

#[test]
fn resolve_flag_wins_over_config_and_no_color_over_config_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(
        resolve(None, "default", dir, None),
        (Theme::builtin_default(), None)
    );
    assert_eq!(resolve(None, "light", dir, None), (builtin("light"), None));
    assert_eq!(
        resolve(Some("solarized"), "light", dir, None),
        (builtin("solarized"), None)
    );
    // NO_COLOR beats the config file, not an explicit flag; empty is unset.
    assert_eq!(
        resolve(None, "light", dir, Some("1")),
        (Theme::no_color(), None)
    );
    assert_eq!(
        resolve(Some("light"), "default", dir, Some("1")),
        (builtin("light"), None)
    );
    assert_eq!(
        resolve(None, "light", dir, Some("")),
        (builtin("light"), None)
    );
    // A user's mono.toml is what NO_COLOR gets.
    std::fs::create_dir_all(dir.join("themes")).unwrap();
    std::fs::write(dir.join("themes/mono.toml"), "[border]\ndim = true\n").unwrap();
    let (t, warning) = resolve(None, "default", dir, Some("1"));
    assert_eq!(warning, None);
    assert_eq!(t.border, Style::default().add_modifier(Modifier::DIM));
    // The depth applies to what was chosen.
    let (t, _) = Theme::resolve(Some("solarized"), "default", dir, None, ColorDepth::Ansi256);
    assert_eq!(t.base.bg, Some(Color::Indexed(234)));
}

#[test]
fn resolve_falls_back_to_default_with_a_warning_naming_line_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("themes")).unwrap();
    let bad = dir.join("themes/mine.toml");
    std::fs::write(
        &bad,
        "[header]\nbold = true\n\n[status_bad]\nfg = \"blood\"\n",
    )
    .unwrap();
    let (t, warning) = resolve(None, "mine", dir, None);
    assert_eq!(t, Theme::builtin_default());
    let warning = warning.unwrap();
    assert!(
        warning.contains(&format!(
            "{}:5:6: in [status_bad]: `fg`: expected a colour name",
            bad.display()
        )),
        "{warning}"
    );
    assert!(
        warning.contains(" not used, default instead: "),
        "{warning}"
    );

    // An unknown key names itself; the fallback keeps the depth.
    std::fs::write(&bad, "[footer]\nfg = \"red\"\nblinking = true\n").unwrap();
    let (t, warning) = Theme::resolve(Some("mine"), "light", dir, None, ColorDepth::Ansi16);
    assert_eq!(t, Theme::builtin_default().for_depth(ColorDepth::Ansi16));
    let warning = warning.unwrap();
    assert!(
        warning.contains(&format!(
            "{}:3:1: in [footer]: unknown key `blinking`",
            bad.display()
        )),
        "{warning}"
    );

    // An unknown name lists what there is.
    let (t, warning) = resolve(None, "ocean", dir, None);
    assert_eq!(t, Theme::builtin_default());
    let warning = warning.unwrap();
    assert!(warning.contains("theme `ocean` not found"), "{warning}");
    assert!(warning.contains("available: default, light"), "{warning}");
    assert!(warning.contains("mine"), "{warning}");

    // Under NO_COLOR the fallback has no colour either.
    let (t, warning) = resolve(Some("ocean"), "default", dir, Some("1"));
    assert_eq!(t, Theme::no_color());
    assert!(warning.unwrap().contains(" not used, mono instead: "));
}

#[test]
fn table_is_found_for_body_lines_only() {
    let src = "[a]\nx = 1\n\n[ b ]\n# c\ny = 2\n";
    assert_eq!(table_at(src, 0), None);
    assert_eq!(table_at(src, src.find("x =").unwrap()), Some("a".into()));
    assert_eq!(table_at(src, src.find("[ b").unwrap() + 2), None);
    assert_eq!(table_at(src, src.find("y =").unwrap()), Some("b".into()));
    assert_eq!(table_at("x = 1\n", 2), None);
    assert_eq!(table_at(src, 10_000), Some("b".into()));
}
