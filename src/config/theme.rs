//! Themes: named `Style`s read from `themes/*.toml`.
//!
//! The builtin default is compiled in so the binary works without any
//! file; a user theme only needs the values it changes.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Deserializer};

use super::error::ConfigError;

const BUILTIN_DEFAULT: &str = include_str!("../../themes/default.toml");

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
        if let Some(c) = &self.fg {
            style = style.fg(c.0);
        }
        if let Some(c) = &self.bg {
            style = style.bg(c.0);
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

#[derive(Clone, Copy)]
struct ColorSpec(Color);

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let s = s.trim();
        // "default" reads naturally for "the terminal's colour".
        if s.eq_ignore_ascii_case("default") {
            return Ok(ColorSpec(Color::Reset));
        }
        Color::from_str(s).map(ColorSpec).map_err(|_| {
            serde::de::Error::custom(format!(
                "expected a colour name (e.g. \"cyan\", \"light-red\"), an index 0-255 \
                 or \"#rrggbb\", found `{s}`"
            ))
        })
    }
}

fn parse_raw(path: &Path, src: &str) -> Result<RawTheme, ConfigError> {
    toml::from_str(src).map_err(|e| ConfigError::from_toml(path, src, &e))
}

fn builtin_raw() -> RawTheme {
    // Covered by tests; a broken builtin is a build defect, not user error.
    parse_raw(Path::new("themes/default.toml"), BUILTIN_DEFAULT)
        .unwrap_or_else(|e| panic!("builtin theme is invalid: {e}"))
}

impl Theme {
    /// The theme compiled into the binary from `themes/default.toml`.
    pub fn builtin_default() -> Theme {
        builtin_raw().build()
    }

    /// Parses theme text and lays it over the builtin default.
    /// `path` is only used in error messages.
    pub fn from_toml(path: &Path, src: &str) -> Result<Theme, ConfigError> {
        Ok(builtin_raw().overlay(parse_raw(path, src)?).build())
    }

    /// `<config_dir>/themes/<name>.toml` over the builtin default; the
    /// builtin alone for "default" when no such file exists.
    pub fn load(name: &str, config_dir: &Path) -> Result<Theme, ConfigError> {
        let path = Theme::path(name, config_dir);
        // A name is a file stem, never a path: settings must not be able
        // to point outside the themes directory.
        let valid = !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\'])
            && !name.contains(char::is_control);
        if !valid {
            return Err(ConfigError::ThemeNotFound {
                name: name.to_string(),
                path,
            });
        }
        match std::fs::read_to_string(&path) {
            Ok(src) => Theme::from_toml(&path, &src),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if name == "default" {
                    Ok(Theme::builtin_default())
                } else {
                    Err(ConfigError::ThemeNotFound {
                        name: name.to_string(),
                        path,
                    })
                }
            }
            Err(source) => Err(ConfigError::Io { path, source }),
        }
    }

    /// Where `load` looks for theme `name`.
    pub fn path(name: &str, config_dir: &Path) -> PathBuf {
        config_dir.join("themes").join(format!("{name}.toml"))
    }

    /// No colours at all, only modifiers, so the selection, warnings and
    /// errors stay visible on a monochrome terminal (or with NO_COLOR).
    pub fn no_color() -> Theme {
        let m = |m: Modifier| Style::default().add_modifier(m);
        Theme {
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
        }
    }

    /// `no_color()` when the `NO_COLOR` env var is set and non-empty
    /// (<https://no-color.org>), else `self`.
    pub fn apply_no_color_env(self) -> Theme {
        self.apply_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// `apply_no_color_env` with the variable's value passed in.
    pub fn apply_no_color(self, no_color: Option<&OsStr>) -> Theme {
        match no_color {
            Some(v) if !v.is_empty() => Theme::no_color(),
            _ => self,
        }
    }
}

#[cfg(test)]
#[path = "theme_tests.rs"]
mod tests;
