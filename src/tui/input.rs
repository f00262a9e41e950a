//! A one-line text field: NFC-normalised, edited by grapheme, paste-friendly.
//!
//! Unikey/EVKey on Windows type Vietnamese by sending Backspace and a new character in
//! quick succession, and some IMEs send decomposed (NFD) sequences; every event is
//! applied in order, and the value is renormalised after each one, so no character is
//! lost and a combining mark joins the letter before it.

use crate::domain::text;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    value: String,
    /// Cursor position in graphemes.
    cursor: usize,
    max_chars: usize,
}

impl TextInput {
    pub fn new(value: &str, max_chars: usize) -> TextInput {
        let value: String = value.nfc().collect();
        let cursor = value.graphemes(true).count();
        TextInput {
            value,
            cursor,
            max_chars,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn len(&self) -> usize {
        self.value.graphemes(true).count()
    }

    fn byte_at(&self, g: usize) -> usize {
        self.value
            .grapheme_indices(true)
            .nth(g)
            .map(|(i, _)| i)
            .unwrap_or(self.value.len())
    }

    /// Insert typed or pasted text at the cursor. Control characters (newlines from a
    /// paste, escape sequences) become spaces, never raw bytes in the value.
    pub fn insert(&mut self, s: &str) {
        let clean: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if clean.is_empty() {
            return;
        }
        let at = self.byte_at(self.cursor);
        let (before, after) = self.value.split_at(at);
        let left: String = format!("{before}{clean}").nfc().collect();
        let mut value: String = format!("{left}{after}").nfc().collect();
        if self.max_chars > 0 && value.chars().count() > self.max_chars {
            value = value.chars().take(self.max_chars).collect();
        }
        let cursor = left.graphemes(true).count();
        self.value = value;
        self.cursor = cursor.min(self.len());
    }

    pub fn backspace(&mut self) {
        if self.cursor == 0 {
            return;
        }
        let start = self.byte_at(self.cursor - 1);
        let end = self.byte_at(self.cursor);
        self.value.replace_range(start..end, "");
        self.cursor -= 1;
    }

    pub fn delete(&mut self) {
        if self.cursor >= self.len() {
            return;
        }
        let start = self.byte_at(self.cursor);
        let end = self.byte_at(self.cursor + 1);
        self.value.replace_range(start..end, "");
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    pub fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }

    /// The trimmed, cleaned value to store.
    pub fn cleaned(&self) -> String {
        text::clean(&self.value)
    }

    /// What fits in `width` columns with the cursor visible: the text scrolled
    /// sideways as needed, and the cursor's column within it. The cursor may sit just
    /// after the last character, so one column is kept free for it.
    pub fn window(&self, width: usize) -> (String, usize) {
        use unicode_width::UnicodeWidthStr;
        if width == 0 {
            return (String::new(), 0);
        }
        let gs: Vec<&str> = self.value.graphemes(true).collect();
        let w = |g: &str| UnicodeWidthStr::width(g).max(1);
        // Start as far left as possible while the cursor's column stays inside.
        let mut start = 0;
        let before = |start: usize| -> usize { gs[start..self.cursor].iter().map(|g| w(g)).sum() };
        while start < self.cursor && before(start) + 1 > width {
            start += 1;
        }
        let col = before(start);
        let mut out = String::new();
        let mut used = 0;
        for g in &gs[start..] {
            if used + w(g) > width {
                break;
            }
            out.push_str(g);
            used += w(g);
        }
        (out, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_typing_composes() {
        let mut t = TextInput::new("", 100);
        for piece in ["T", "o", "\u{302}", "\u{309}", " ", "1"] {
            t.insert(piece);
        }
        assert_eq!(t.value(), "Tổ 1");
        assert_eq!(t.cursor(), 4);
    }

    #[test]
    fn backspace_removes_a_whole_grapheme() {
        let mut t = TextInput::new("Tổ", 100);
        t.backspace();
        assert_eq!(t.value(), "T");
    }

    #[test]
    fn unikey_style_backspace_and_retype_loses_nothing() {
        // Unikey (telex) turns "tieng" + "s" into "tiếng" by erasing and retyping.
        let mut t = TextInput::new("", 100);
        for c in ["t", "i", "e", "n", "g"] {
            t.insert(c);
        }
        for _ in 0..3 {
            t.backspace();
        }
        t.insert("ế");
        t.insert("n");
        t.insert("g");
        assert_eq!(t.value(), "tiếng");
    }

    #[test]
    fn paste_with_newlines_and_escapes_is_flattened() {
        let mut t = TextInput::new("", 100);
        t.insert("a\nb\u{1b}[2Jc");
        assert_eq!(t.value(), "a b [2Jc");
    }

    #[test]
    fn editing_in_the_middle() {
        let mut t = TextInput::new("Dân bàn", 100);
        t.home();
        t.right();
        t.delete();
        t.insert("â");
        assert_eq!(t.value(), "Dân bàn");
        t.end();
        t.left();
        t.backspace();
        assert_eq!(t.value(), "Dân bn");
    }

    #[test]
    fn a_long_value_scrolls_to_keep_the_cursor_in_view() {
        let mut t = TextInput::new("", 500);
        let long = "Họp tại nhà văn hóa tổ dân phố, có đại diện 70 hộ tham dự và ý kiến";
        t.insert(long);
        let (shown, col) = t.window(20);
        assert!(shown.chars().count() <= 20);
        assert_eq!(col, 19, "{shown:?}");
        assert!(long.ends_with(&shown), "{shown:?}");
        t.home();
        let (shown, col) = t.window(20);
        assert_eq!(col, 0);
        assert!(long.starts_with(&shown));
        let (short, col) = TextInput::new("abc", 10).window(10);
        assert_eq!((short.as_str(), col), ("abc", 3));
    }

    #[test]
    fn length_is_capped() {
        let mut t = TextInput::new("", 5);
        t.insert("abcdefgh");
        assert_eq!(t.value(), "abcde");
    }
}
