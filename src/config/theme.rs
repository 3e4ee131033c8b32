//! Themes: named `Style`s read from `themes/*.toml`.
//!
//! Six themes are compiled in (`BUILTIN_THEMES`) so the binary works
//! without any file; each is laid over the default, and a user theme in
//! `<config_dir>/themes/` only needs the values it changes. Colours are
//! written for 24-bit terminals and brought down to what the terminal can
//! show (`ColorDepth`, `Theme::for_depth`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Deserializer};

use super::error::ConfigError;

/// The themes compiled into the binary, "default" first: what `--theme`,
/// `theme =` and `:theme` accept without any file.
pub const BUILTIN_THEMES: &[&str] = &[
    "default",
    "light",
    "solarized",
    "high-contrast",
    "colorblind",
    "mono",
];

/// The text of each builtin, in `BUILTIN_THEMES` order.
const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("solarized", include_str!("../../themes/solarized.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// The theme `NO_COLOR` selects.
const NO_COLOR_THEME: &str = "mono";

/// Declares the style names once: the public struct, the file format and
/// the per-value overlay all follow from this list.
macro_rules! theme_styles {
    ($($(#[doc = $doc:expr])* $name:ident),* $(,)?) => {
        /// Every style the UI draws with.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Theme {
            $($(#[doc = $doc])* pub $name: Style,)*
        }

        #[derive(Deserialize, Default, Clone)]
        #[serde(deny_unknown_fields)]
        struct RawTheme {
            $(#[serde(default)] $name: Option<StyleSpec>,)*
        }

        impl RawTheme {
            /// `top`'s values win, value by value.
            fn overlay(self, top: RawTheme) -> RawTheme {
                RawTheme { $($name: StyleSpec::merge(self.$name, top.$name),)* }
            }

            fn build(&self) -> Theme {
                Theme { $($name: self.$name.as_ref().map(StyleSpec::style).unwrap_or_default(),)* }
            }
        }

        impl Theme {
            /// Every style with its table name in the theme file, in the
            /// order of the file.
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                vec![$((stringify!($name), self.$name),)*]
            }

            /// `f` applied to every style.
            fn map_styles(self, f: impl Fn(Style) -> Style) -> Theme {
                Theme { $($name: f(self.$name),)* }
            }
        }
    };
}

theme_styles! {
    /// Everything not styled otherwise.
    base,
    /// Table column headers.
    header,
    /// The row under the cursor.
    selected,
    /// Pane borders.
    border,
    /// Pane titles.
    title,
    /// Healthy / running / UP.
    status_ok,
    /// Degraded / starting / DRAIN.
    status_warn,
    /// Down / unhealthy / unreachable.
    status_bad,
    /// Secondary text.
    muted,
    /// Highlights (leader, primary).
    accent,
    /// Overlays: confirmations, help, wizard.
    dialog,
    /// The filter input and matches.
    filter,
    /// The footer bar.
    footer,
    /// Key names in hints and help.
    key,
}

/// One `[style]` table; every value optional so user themes can be partial.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<ColorSpec>,
    bg: Option<ColorSpec>,
    bold: Option<bool>,
    dim: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    reversed: Option<bool>,
}

impl StyleSpec {
    fn merge(base: Option<StyleSpec>, top: Option<StyleSpec>) -> Option<StyleSpec> {
        match (base, top) {
            (Some(b), Some(t)) => Some(StyleSpec {
                fg: t.fg.or(b.fg),
                bg: t.bg.or(b.bg),
                bold: t.bold.or(b.bold),
                dim: t.dim.or(b.dim),
                italic: t.italic.or(b.italic),
                underline: t.underline.or(b.underline),
                reversed: t.reversed.or(b.reversed),
            }),
            (b, t) => t.or(b),
        }
    }

    fn style(&self) -> Style {
        let mut style = Style::default();
        if let Some(ColorSpec(Some(c))) = self.fg {
            style = style.fg(c);
        }
        if let Some(ColorSpec(Some(c))) = self.bg {
            style = style.bg(c);
        }
        let flags = [
            (self.bold, Modifier::BOLD),
            (self.dim, Modifier::DIM),
            (self.italic, Modifier::ITALIC),
            (self.underline, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ];
        for (on, m) in flags {
            if on == Some(true) {
                style = style.add_modifier(m);
            }
        }
        style
    }
}

/// A colour as written in a theme; `None` is "none": no colour of the
/// style's own, which also clears one set by the theme underneath.
#[derive(Clone, Copy)]
struct ColorSpec(Option<Color>);

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let s = s.trim();
        // "default" reads naturally for "the terminal's colour".
        if s.eq_ignore_ascii_case("default") {
            return Ok(ColorSpec(Some(Color::Reset)));
        }
        if s.eq_ignore_ascii_case("none") {
            return Ok(ColorSpec(None));
        }
        Color::from_str(s).map(|c| ColorSpec(Some(c))).map_err(|_| {
            serde::de::Error::custom(format!(
                "expected a colour name (e.g. \"cyan\", \"light-red\"), an index 0-255, \
                     \"#rrggbb\" or \"none\", found `{s}`"
            ))
        })
    }
}

fn parse_raw(path: &Path, src: &str) -> Result<RawTheme, ConfigError> {
    toml::from_str(src).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        match (ConfigError::from_toml(path, src, &e), table_at(src, offset)) {
            // Every style has the same keys: `fg` alone does not say which
            // style's `fg` is wrong.
            (
                ConfigError::Parse {
                    path,
                    line,
                    column,
                    message,
                },
                Some(table),
            ) => ConfigError::Parse {
                path,
                line,
                column,
                message: format!("in [{table}]: {message}"),
            },
            (err, _) => err,
        }
    })
}

/// The name of the `[table]` whose body holds `offset`; `None` on the
/// table's header line itself (the error is then about the name) and
/// before the first table.
fn table_at(src: &str, offset: usize) -> Option<String> {
    let offset = (0..=offset.min(src.len()))
        .rev()
        .find(|&i| src.is_char_boundary(i))
        .unwrap_or(0);
    let line_start = src[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let is_header = |line: &str| line.trim_start().starts_with('[');
    let this_line = src[line_start..].lines().next().unwrap_or("");
    if is_header(this_line) {
        return None;
    }
    let header = src[..line_start].lines().rev().find(|l| is_header(l))?;
    let name = header.trim().trim_start_matches('[');
    let name = name.split(']').next().unwrap_or("").trim();
    (!name.is_empty()).then(|| name.to_string())
}

fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTIN_SOURCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}

/// A builtin as written, not yet laid over anything.
fn builtin_file(name: &str) -> Option<RawTheme> {
    let src = builtin_source(name)?;
    // Covered by tests; a broken builtin is a build defect, not user error.
    let path = PathBuf::from(format!("themes/{name}.toml"));
    Some(parse_raw(&path, src).unwrap_or_else(|e| panic!("builtin theme is invalid: {e}")))
}

fn default_raw() -> RawTheme {
    builtin_file("default").expect("the default theme is built in")
}

/// Builtin `name` laid over the default.
fn builtin_raw(name: &str) -> Option<RawTheme> {
    let file = builtin_file(name)?;
    Some(if name == "default" {
        file
    } else {
        default_raw().overlay(file)
    })
}

/// A name is a file stem, never a path: settings must not be able to
/// point outside the themes directory.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && !name.contains(char::is_control)
}

impl Theme {
    /// The theme compiled into the binary from `themes/default.toml`.
    pub fn builtin_default() -> Theme {
        default_raw().build()
    }

    /// Builtin theme `name` (one of `BUILTIN_THEMES`), laid over the default.
    pub fn builtin(name: &str) -> Option<Theme> {
        builtin_raw(name).map(|raw| raw.build())
    }

    /// Parses theme text and lays it over the builtin default.
    /// `path` is only used in error messages.
    pub fn from_toml(path: &Path, src: &str) -> Result<Theme, ConfigError> {
        Ok(default_raw().overlay(parse_raw(path, src)?).build())
    }

    /// `<config_dir>/themes/<name>.toml` laid over the builtin of that
    /// name (over the default when there is none); without such a file the
    /// builtin alone. Neither: `ThemeNotFound`, listing what there is.
    pub fn load(name: &str, config_dir: &Path) -> Result<Theme, ConfigError> {
        let path = Theme::path(name, config_dir);
        let not_found = |path: PathBuf| ConfigError::ThemeNotFound {
            name: name.to_string(),
            path,
            available: Theme::available(config_dir),
        };
        if !valid_name(name) {
            return Err(not_found(path));
        }
        match std::fs::read_to_string(&path) {
            Ok(src) => {
                let under = builtin_raw(name).unwrap_or_else(default_raw);
                Ok(under.overlay(parse_raw(&path, &src)?).build())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Theme::builtin(name).ok_or_else(|| not_found(path))
            }
            Err(source) => Err(ConfigError::Io { path, source }),
        }
    }

    /// `load`, then brought down to what the terminal shows.
    pub fn load_for(
        name: &str,
        config_dir: &Path,
        depth: ColorDepth,
    ) -> Result<Theme, ConfigError> {
        Theme::load(name, config_dir).map(|t| t.for_depth(depth))
    }

    /// The names `load` takes: the builtins in `BUILTIN_THEMES` order,
    /// then the `*.toml` files in `<config_dir>/themes/`, sorted, each
    /// name once.
    pub fn available(config_dir: &Path) -> Vec<String> {
        let entries = std::fs::read_dir(config_dir.join("themes"));
        let mut user: Vec<String> = entries
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|p| p.extension() == Some(OsStr::new("toml")) && p.is_file())
            .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
            .filter(|n| valid_name(n) && !BUILTIN_THEMES.contains(&n.as_str()))
            .collect();
        user.sort();
        user.dedup();
        BUILTIN_THEMES
            .iter()
            .map(|n| n.to_string())
            .chain(user)
            .collect()
    }

    /// Where `load` looks for theme `name`.
    pub fn path(name: &str, config_dir: &Path) -> PathBuf {
        config_dir.join("themes").join(format!("{name}.toml"))
    }

    /// The builtin "mono": no colours at all, only modifiers, so the
    /// selection, warnings and errors stay visible on a monochrome
    /// terminal (or with NO_COLOR).
    pub fn no_color() -> Theme {
        Theme::builtin(NO_COLOR_THEME).expect("the mono theme is built in")
    }

    /// `no_color()` when the `NO_COLOR` env var is set and non-empty
    /// (<https://no-color.org>), else `self`.
    pub fn apply_no_color_env(self) -> Theme {
        self.apply_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// `apply_no_color_env` with the variable's value passed in.
    pub fn apply_no_color(self, no_color: Option<&OsStr>) -> Theme {
        if no_color_set(no_color) {
            Theme::no_color()
        } else {
            self
        }
    }

    /// Every colour brought down to what a terminal of `depth` shows.
    pub fn for_depth(self, depth: ColorDepth) -> Theme {
        if depth == ColorDepth::TrueColor {
            return self;
        }
        self.map_styles(|s| Style {
            fg: s.fg.map(|c| depth.adapt(c)),
            bg: s.bg.map(|c| depth.adapt(c)),
            underline_color: s.underline_color.map(|c| depth.adapt(c)),
            ..s
        })
    }

    /// The theme to start with, and a warning to show when it is not the
    /// one asked for. `requested` (`--theme`) wins over `settings_theme`
    /// (`theme =` in config.toml); `NO_COLOR` (non-empty) selects "mono"
    /// unless `--theme` was given. A theme that cannot be loaded (a bad
    /// file, an unknown name) gives the builtin default (mono under
    /// `NO_COLOR`) and a warning naming the file, line and key.
    pub fn resolve(
        requested: Option<&str>,
        settings_theme: &str,
        config_dir: &Path,
        no_color: Option<&OsStr>,
        depth: ColorDepth,
    ) -> (Theme, Option<String>) {
        let no_color = no_color_set(no_color);
        let name = match requested {
            Some(name) => name,
            None if no_color => NO_COLOR_THEME,
            None => settings_theme,
        };
        match Theme::load_for(name, config_dir, depth) {
            Ok(theme) => (theme, None),
            Err(e) => {
                let (fallback, which) = if no_color {
                    (Theme::no_color(), NO_COLOR_THEME)
                } else {
                    (Theme::builtin_default(), "default")
                };
                // The consequence first: a long path may not leave room.
                let warning = format!("theme {name} not used, {which} instead: {e}");
                (fallback.for_depth(depth), Some(warning))
            }
        }
    }
}

fn no_color_set(no_color: Option<&OsStr>) -> bool {
    no_color.is_some_and(|v| !v.is_empty())
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// 24-bit: every `#rrggbb` as written.
    TrueColor,
    /// The xterm 256-colour palette.
    Ansi256,
    /// The 16 named ANSI colours.
    Ansi16,
}

/// The 6 levels of each channel in the xterm 256-colour cube (16-231).
const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The 16 named colours with xterm's default values, in index order.
const ANSI16: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

type Rgb = (u8, u8, u8);

/// Squared distance in RGB.
fn distance(a: Rgb, b: Rgb) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The xterm-256 index nearest `rgb`: the nearest point of the 6x6x6 cube
/// or of the grey ramp (232-255), whichever is closer (the cube on a tie).
/// The 16 system colours are left out: terminals redefine them.
fn nearest_256(rgb: Rgb) -> u8 {
    let level = |v: u8| {
        (0..CUBE.len())
            .min_by_key(|&i| (i32::from(CUBE[i]) - i32::from(v)).unsigned_abs())
            .unwrap_or(0)
    };
    let (r, g, b) = (level(rgb.0), level(rgb.1), level(rgb.2));
    let cube = (CUBE[r], CUBE[g], CUBE[b]);
    let cube_index = 16 + 36 * r + 6 * g + b;
    let (grey, grey_distance) = (0..24u8)
        .map(|i| (i, distance(rgb, grey_rgb(i))))
        .min_by_key(|&(_, d)| d)
        .unwrap_or((0, u32::MAX));
    if grey_distance < distance(rgb, cube) {
        232 + grey
    } else {
        cube_index as u8
    }
}

/// Step `i` (0-23) of the grey ramp: 8, 18, ..., 238.
fn grey_rgb(i: u8) -> Rgb {
    let v = 8 + 10 * i;
    (v, v, v)
}

/// The colour of xterm-256 index `i` (the first 16 with xterm's defaults).
fn indexed_rgb(i: u8) -> Rgb {
    match i {
        0..=15 => ANSI16[usize::from(i)].1,
        16..=231 => {
            let n = usize::from(i - 16);
            (CUBE[n / 36], CUBE[n / 6 % 6], CUBE[n % 6])
        }
        _ => grey_rgb(i - 232),
    }
}

/// The named colour nearest `rgb` (the first in index order on a tie).
fn nearest_16(rgb: Rgb) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, c)| distance(rgb, *c))
        .map(|(named, _)| *named)
        .unwrap_or(Color::Reset)
}

impl ColorDepth {
    /// From `COLORTERM` and `TERM`: "truecolor" or "24bit" in COLORTERM is
    /// 24-bit, a TERM with "256color" the 256 palette, anything else (and
    /// TERM=dumb whatever COLORTERM says) the 16 named colours.
    pub fn detect(colorterm: Option<&str>, term: Option<&str>) -> ColorDepth {
        let term = term.unwrap_or("").trim();
        if term == "dumb" {
            return ColorDepth::Ansi16;
        }
        let colorterm = colorterm.unwrap_or("").trim();
        if colorterm.eq_ignore_ascii_case("truecolor") || colorterm.eq_ignore_ascii_case("24bit") {
            ColorDepth::TrueColor
        } else if term.contains("256color") {
            ColorDepth::Ansi256
        } else {
            ColorDepth::Ansi16
        }
    }

    /// `detect` with this process's `COLORTERM` and `TERM`.
    pub fn from_env() -> ColorDepth {
        let var = |name: &str| std::env::var(name).ok();
        ColorDepth::detect(var("COLORTERM").as_deref(), var("TERM").as_deref())
    }

    /// `color` as a terminal of this depth can show it: `Rgb` to the
    /// nearest xterm-256 index (Ansi256), `Rgb` and indexes 16-255 to the
    /// nearest named colour (Ansi16; 0-15 to the colour they name).
    pub fn adapt(self, color: Color) -> Color {
        match (self, color) {
            (ColorDepth::TrueColor, c) => c,
            (ColorDepth::Ansi256, Color::Rgb(r, g, b)) => Color::Indexed(nearest_256((r, g, b))),
            (ColorDepth::Ansi256, c) => c,
            (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => nearest_16((r, g, b)),
            (ColorDepth::Ansi16, Color::Indexed(i)) if i < 16 => ANSI16[usize::from(i)].0,
            (ColorDepth::Ansi16, Color::Indexed(i)) => nearest_16(indexed_rgb(i)),
            (ColorDepth::Ansi16, c) => c,
        }
    }
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
