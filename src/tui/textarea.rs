//! A multi-line text editor for the report's narrative: lines of NFC text edited by
//! grapheme (a Vietnamese letter with its marks is one step of the cursor, however it
//! was typed), soft-wrapped to the width it is drawn in.

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextArea {
    lines: Vec<String>,
    /// Cursor: line, and grapheme within it.
    row: usize,
    col: usize,
    max_chars: usize,
}

fn graphemes(s: &str) -> usize {
    s.graphemes(true).count()
}

fn byte_at(s: &str, g: usize) -> usize {
    s.grapheme_indices(true)
        .nth(g)
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}

impl TextArea {
    /// `text` as stored (lines joined by `\n`); the cursor at its end.
    pub fn new(text: &str, max_chars: usize) -> TextArea {
        let mut t = TextArea {
            lines: vec![String::new()],
            row: 0,
            col: 0,
            max_chars,
        };
        t.insert(text);
        t
    }

    /// The text, lines joined by `\n`.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// (line, grapheme) of the cursor.
    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    fn chars(&self) -> usize {
        self.lines.iter().map(|l| l.chars().count()).sum::<usize>() + self.lines.len() - 1
    }

    /// Insert typed or pasted text at the cursor: line breaks (`\n`, `\r\n`, `\r`)
    /// start new lines, other control characters become spaces; each line is kept NFC.
    /// Text past `max_chars` is left out.
    pub fn insert(&mut self, s: &str) {
        let s = s.replace("\r\n", "\n").replace('\r', "\n");
        for (i, part) in s.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            let clean: String = part
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            if clean.is_empty() {
                continue;
            }
            let room = self.max_chars.saturating_sub(self.chars());
            let clean: String = clean.chars().take(room).collect();
            if clean.is_empty() {
                return;
            }
            let line = &self.lines[self.row];
            let (before, after) = line.split_at(byte_at(line, self.col));
            let left: String = format!("{before}{clean}").nfc().collect();
            let whole: String = format!("{left}{after}").nfc().collect();
            self.col = graphemes(&left).min(graphemes(&whole));
            self.lines[self.row] = whole;
        }
    }

    /// Split the line at the cursor.
    pub fn newline(&mut self) {
        if self.max_chars > 0 && self.chars() >= self.max_chars {
            return;
        }
        let line = &self.lines[self.row];
        let at = byte_at(line, self.col);
        let rest = line[at..].to_string();
        self.lines[self.row].truncate(at);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    /// Delete the grapheme before the cursor, or join the line to the one above.
    pub fn backspace(&mut self) {
        if self.col > 0 {
            let line = &self.lines[self.row];
            let (a, b) = (byte_at(line, self.col - 1), byte_at(line, self.col));
            self.lines[self.row].replace_range(a..b, "");
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = graphemes(&self.lines[self.row]);
            self.lines[self.row].push_str(&line);
        }
    }

    /// Delete the grapheme under the cursor, or join the next line to this one.
    pub fn delete(&mut self) {
        let line = &self.lines[self.row];
        if self.col < graphemes(line) {
            let (a, b) = (byte_at(line, self.col), byte_at(line, self.col + 1));
            self.lines[self.row].replace_range(a..b, "");
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = graphemes(&self.lines[self.row]);
        }
    }

    pub fn right(&mut self) {
        if self.col < graphemes(&self.lines[self.row]) {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub fn up(&mut self) {
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(graphemes(&self.lines[self.row]));
        } else {
            self.col = 0;
        }
    }

    pub fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(graphemes(&self.lines[self.row]));
        } else {
            self.col = graphemes(&self.lines[self.row]);
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = graphemes(&self.lines[self.row]);
    }

    /// The text wrapped to `width` columns: the rows to draw, and the row and column of
    /// the cursor among them. A row breaks after its last space when a grapheme would
    /// pass the width (inside a word longer than the row, before that grapheme); one
    /// column stays free for the cursor after a row's last grapheme.
    pub fn wrapped(&self, width: usize) -> (Vec<String>, (usize, usize)) {
        let room = width.max(2) - 1;
        let mut rows = Vec::new();
        let mut cursor = (0, 0);
        for (li, line) in self.lines.iter().enumerate() {
            let gs: Vec<&str> = line.graphemes(true).collect();
            // Where each row of this line starts, in graphemes.
            let mut starts = vec![0usize];
            let mut w = 0;
            let mut last_space: Option<usize> = None;
            for (i, g) in gs.iter().enumerate() {
                let gw = g.width();
                let start = *starts.last().expect("one start");
                if w + gw > room && i > start {
                    let brk = match last_space {
                        Some(sp) if sp >= start && sp < i => sp + 1,
                        _ => i,
                    };
                    starts.push(brk);
                    w = gs[brk..i].iter().map(|g| g.width()).sum();
                    last_space = (brk..i).rev().find(|&j| gs[j] == " ");
                }
                if *g == " " {
                    last_space = Some(i);
                }
                w += gw;
            }
            let first_row = rows.len();
            for (r, &start) in starts.iter().enumerate() {
                let end = starts.get(r + 1).copied().unwrap_or(gs.len());
                rows.push(gs[start..end].concat());
                if li == self.row && start <= self.col && (self.col < end || r + 1 == starts.len())
                {
                    let x = gs[start..self.col.min(gs.len())]
                        .iter()
                        .map(|g| g.width())
                        .sum();
                    cursor = (first_row + r, x);
                }
            }
        }
        (rows, cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_lines_and_joining_them_back() {
        let mut t = TextArea::new("", 1000);
        t.insert("Tốt");
        t.newline();
        t.insert("Chưa");
        assert_eq!(t.text(), "Tốt\nChưa");
        t.home();
        t.backspace();
        assert_eq!(t.text(), "TốtChưa");
        assert_eq!(t.cursor(), (0, 3));
        t.newline();
        t.up();
        t.end();
        t.delete();
        assert_eq!(t.text(), "TốtChưa");
    }

    #[test]
    fn decomposed_vietnamese_is_stored_composed_and_edited_by_grapheme() {
        let mut t = TextArea::new("", 1000);
        // "hạn chế" typed as base letters and combining marks.
        t.insert("ha\u{323}n che\u{302}\u{301}");
        assert_eq!(t.text(), "hạn chế");
        assert_eq!(t.cursor(), (0, 7));
        t.backspace();
        assert_eq!(t.text(), "hạn ch");
        // A mark typed after its letter joins it.
        t.insert("e");
        t.insert("\u{302}");
        assert_eq!(t.text(), "hạn chê");
        assert_eq!(t.cursor(), (0, 7));
    }

    #[test]
    fn pasted_text_keeps_its_lines_and_loses_control_characters() {
        let mut t = TextArea::new("", 1000);
        t.insert("một\r\nhai\tba\u{1b}[31m\rbốn");
        assert_eq!(t.text(), "một\nhai ba [31m\nbốn");
        assert_eq!(t.cursor(), (2, 3));
        let mut small = TextArea::new("", 5);
        small.insert("abcdefgh");
        assert_eq!(small.text(), "abcde");
        small.newline();
        assert_eq!(small.text(), "abcde");
    }

    #[test]
    fn wrapping_keeps_the_cursor_on_screen() {
        let t = TextArea::new("aaaa bbbb cccc", 1000);
        let (rows, cur) = t.wrapped(6);
        assert_eq!(rows, vec!["aaaa ", "bbbb ", "cccc"]);
        assert_eq!(cur, (2, 4));
        // Words are not cut where a space allows.
        let t = TextArea::new("ab cdef", 1000);
        assert_eq!(t.wrapped(6).0, vec!["ab ", "cdef"]);
        let t = TextArea::new("abcdefgh", 1000);
        let (rows, cur) = t.wrapped(4);
        assert_eq!(rows, vec!["abc", "def", "gh"]);
        assert_eq!(cur, (2, 2));
        let mut t = TextArea::new("ab\n\ncd", 100);
        t.up();
        let (rows, cur) = t.wrapped(10);
        assert_eq!(rows, vec!["ab", "", "cd"]);
        assert_eq!(cur, (1, 0));
    }
}
