//! The symbols the TUI draws, in two sets: Unicode, and plain ASCII for consoles without
//! the fonts (`--ascii`, `TERM=linux`, `TERM=vt100`, a locale that is not UTF-8). Every
//! symbol has an ASCII form of one column, so `--ascii` never prints `?`.

use ratatui::symbols::border;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    pub ascii: bool,
    /// The field or line under the cursor in a form or list.
    pub pointer: &'static str,
    pub done: &'static str,
    pub doing: &'static str,
    pub todo: &'static str,
    pub na: &'static str,
    pub overdue: &'static str,
    pub failed: &'static str,
    pub draft: &'static str,
    pub ward: &'static str,
    pub bar_full: &'static str,
    pub bar_empty: &'static str,
    pub up_down: &'static str,
    pub arrow: &'static str,
    pub more_below: &'static str,
    pub more_above: &'static str,
    pub rising: &'static str,
    pub falling: &'static str,
    pub sep: &'static str,
    pub border: border::Set<'static>,
}

pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Glyphs {
    pub const UNICODE: Glyphs = Glyphs {
        ascii: false,
        pointer: "▶",
        done: "✓",
        doing: "~",
        todo: "·",
        na: "–",
        overdue: "!",
        failed: "✗",
        draft: "*",
        ward: "◆",
        bar_full: "█",
        bar_empty: "░",
        up_down: "↑↓",
        arrow: "→",
        more_below: "▼",
        more_above: "▲",
        rising: "▲",
        falling: "▼",
        sep: "·",
        border: border::PLAIN,
    };

    pub const ASCII: Glyphs = Glyphs {
        ascii: true,
        pointer: ">",
        done: "x",
        doing: "~",
        todo: ".",
        na: "-",
        overdue: "!",
        failed: "X",
        draft: "*",
        ward: "*",
        bar_full: "#",
        bar_empty: "-",
        up_down: "^v",
        arrow: ">",
        more_below: "v",
        more_above: "^",
        rising: "^",
        falling: "v",
        sep: "|",
        border: ASCII_BORDER,
    };

    pub fn new(ascii: bool) -> Glyphs {
        if ascii {
            Glyphs::ASCII
        } else {
            Glyphs::UNICODE
        }
    }
}

/// What the terminal can show, from the environment: `TERM` and the locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermCaps {
    /// Only ASCII can be trusted to show (Linux console fonts, vt100, a C locale).
    pub ascii_only: bool,
    /// No colour at all (vt100, dumb).
    pub no_colour: bool,
}

impl TermCaps {
    /// `QCDC_GLYPHS=unicode` (or `ascii`) overrides what `TERM` and the locale suggest.
    pub fn from_env() -> TermCaps {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        TermCaps::from_vars(
            get("TERM").as_deref(),
            get("LC_ALL")
                .or_else(|| get("LC_CTYPE"))
                .or_else(|| get("LANG"))
                .as_deref(),
            get("QCDC_GLYPHS").as_deref(),
        )
    }

    pub fn from_vars(term: Option<&str>, locale: Option<&str>, force: Option<&str>) -> TermCaps {
        let term = term.unwrap_or("").to_ascii_lowercase();
        let no_colour = term == "dumb" || term.starts_with("vt");
        // The Linux virtual console's fonts have no Vietnamese; vt terminals are ASCII.
        let term_ascii = term == "linux" || no_colour;
        // A locale that names a charset other than UTF-8 (C, POSIX, vi_VN.TCVN…). None
        // set at all says nothing (Windows, some SSH set-ups) and is taken as Unicode.
        let locale_ascii = locale.is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            !(l.contains("utf-8") || l.contains("utf8"))
        });
        let ascii_only = match force.map(|f| f.to_ascii_lowercase()) {
            Some(f) if f == "unicode" => false,
            Some(f) if f == "ascii" => true,
            _ => term_ascii || locale_ascii,
        };
        TermCaps {
            ascii_only,
            no_colour,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ascii_glyph_is_one_ascii_column() {
        let g = Glyphs::ASCII;
        for s in [
            g.pointer,
            g.done,
            g.doing,
            g.todo,
            g.na,
            g.overdue,
            g.failed,
            g.draft,
            g.ward,
            g.bar_full,
            g.bar_empty,
            g.arrow,
            g.more_below,
            g.more_above,
            g.rising,
            g.falling,
            g.sep,
        ] {
            assert!(s.is_ascii() && s.len() == 1, "{s:?}");
        }
        assert!(g.up_down.is_ascii());
    }

    #[test]
    fn consoles_without_unicode_get_ascii_and_vt100_no_colour() {
        let c = |t, l| TermCaps::from_vars(Some(t), l, None);
        assert!(!c("xterm-256color", Some("vi_VN.UTF-8")).ascii_only);
        assert!(!c("xterm-256color", None).ascii_only);
        assert!(c("linux", Some("C.UTF-8")).ascii_only);
        assert!(!c("linux", Some("C.UTF-8")).no_colour);
        assert!(c("vt100", None).ascii_only && c("vt100", None).no_colour);
        assert!(c("xterm", Some("C")).ascii_only);
        assert!(c("xterm", Some("POSIX")).ascii_only);
        assert!(!c("screen", Some("en_US.utf8")).ascii_only);
        let forced = TermCaps::from_vars(Some("linux"), Some("C"), Some("unicode"));
        assert!(!forced.ascii_only);
    }
}
