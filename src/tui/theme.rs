//! Colours from the 16-colour palette (Windows console, PuTTY), or none at all under
//! `NO_COLOR`, where selection is shown by reverse video.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub mono: bool,
    pub accent: Style,
    pub header: Style,
    pub selected: Style,
    pub dim: Style,
    pub done: Style,
    pub doing: Style,
    pub todo: Style,
    pub na: Style,
    pub warn: Style,
    pub error: Style,
    pub ok: Style,
    pub bar_full: Style,
    pub bar_empty: Style,
    pub branch: Style,
}

/// Overrides from the config file: colour names of the 16-colour palette.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeConfig {
    pub accent: Option<String>,
    pub selected_bg: Option<String>,
    pub done: Option<String>,
    pub doing: Option<String>,
    pub warn: Option<String>,
    pub error: Option<String>,
    pub bar: Option<String>,
}

pub fn parse_color(s: &str) -> Option<Color> {
    Some(
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '_', ' '], "")
            .as_str()
        {
            "black" => Color::Black,
            "red" => Color::Red,
            "green" => Color::Green,
            "yellow" => Color::Yellow,
            "blue" => Color::Blue,
            "magenta" => Color::Magenta,
            "cyan" => Color::Cyan,
            "gray" | "grey" => Color::Gray,
            "darkgray" | "darkgrey" => Color::DarkGray,
            "lightred" => Color::LightRed,
            "lightgreen" => Color::LightGreen,
            "lightyellow" => Color::LightYellow,
            "lightblue" => Color::LightBlue,
            "lightmagenta" => Color::LightMagenta,
            "lightcyan" => Color::LightCyan,
            "white" => Color::White,
            _ => return None,
        },
    )
}

impl Theme {
    pub fn color() -> Theme {
        Theme {
            mono: false,
            accent: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Black).bg(Color::Cyan),
            selected: Style::new().fg(Color::Black).bg(Color::LightCyan),
            dim: Style::new().fg(Color::DarkGray),
            done: Style::new().fg(Color::Green),
            doing: Style::new().fg(Color::Yellow),
            todo: Style::new(),
            na: Style::new().fg(Color::DarkGray),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new()
                .fg(Color::LightRed)
                .add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            bar_full: Style::new().fg(Color::Green),
            bar_empty: Style::new().fg(Color::DarkGray),
            branch: Style::new().add_modifier(Modifier::BOLD),
        }
    }

    /// No colour: only bold and reverse video, which every terminal shows.
    pub fn mono() -> Theme {
        let plain = Style::new();
        Theme {
            mono: true,
            accent: plain.add_modifier(Modifier::BOLD),
            header: plain.add_modifier(Modifier::REVERSED),
            selected: plain.add_modifier(Modifier::REVERSED),
            dim: plain,
            done: plain,
            doing: plain,
            todo: plain,
            na: plain,
            warn: plain.add_modifier(Modifier::BOLD),
            error: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            bar_full: plain,
            bar_empty: plain,
            branch: plain.add_modifier(Modifier::BOLD),
        }
    }

    /// Apply config overrides. Unknown colour names are errors (named in the message).
    pub fn with_config(mut self, c: &ThemeConfig) -> Result<Theme, String> {
        if self.mono {
            return Ok(self);
        }
        let get = |name: &str, v: &Option<String>| -> Result<Option<Color>, String> {
            match v {
                None => Ok(None),
                Some(s) => parse_color(s)
                    .map(Some)
                    .ok_or_else(|| format!("theme.{name} = {s:?}")),
            }
        };
        if let Some(col) = get("accent", &c.accent)? {
            self.accent = self.accent.fg(col);
            self.header = self.header.bg(col);
        }
        if let Some(col) = get("selected_bg", &c.selected_bg)? {
            self.selected = self.selected.bg(col);
        }
        if let Some(col) = get("done", &c.done)? {
            self.done = self.done.fg(col);
            self.ok = self.ok.fg(col);
        }
        if let Some(col) = get("doing", &c.doing)? {
            self.doing = self.doing.fg(col);
        }
        if let Some(col) = get("warn", &c.warn)? {
            self.warn = self.warn.fg(col);
        }
        if let Some(col) = get("error", &c.error)? {
            self.error = self.error.fg(col);
        }
        if let Some(col) = get("bar", &c.bar)? {
            self.bar_full = self.bar_full.fg(col);
        }
        Ok(self)
    }
}
