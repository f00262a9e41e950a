//! Vietnamese text: NFC storage, diacritic-insensitive search, a "không dấu" display form.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalise to NFC (Unikey/EVKey and some files deliver NFD) and trim surrounding space.
pub fn nfc(s: &str) -> String {
    s.trim().nfc().collect()
}

/// Replace control characters (including ESC, so no terminal escape sequence survives)
/// by spaces, normalise to NFC and trim. Every piece of user text goes through this.
pub fn clean(s: &str) -> String {
    let replaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    nfc(&replaced)
}

/// Text about to be written to a terminal: line breaks and tabs stay, every other
/// control character (ESC, BEL, CSI, a lone CR…) is shown escaped (`\u{1b}`), so no
/// escape sequence from a file, a database or an error message acts on the terminal.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// [`printable`] for output that may be text (reports, exports): UTF-8 text is made
/// printable, anything else (a workbook) is left as it is.
pub fn printable_bytes(bytes: Vec<u8>) -> Vec<u8> {
    if !needs_escaping(&bytes) {
        return bytes;
    }
    match String::from_utf8(bytes) {
        Ok(s) => printable(&s).into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

/// Whether UTF-8 `b` holds a control character [`printable`] would escape: C0 but tab,
/// newline and CR before newline; DEL; C1 (U+0080–U+009F, `C2 80`–`C2 9F`). A byte scan,
/// so the common case (nothing to escape) costs no copy.
fn needs_escaping(b: &[u8]) -> bool {
    // Candidates are rare (C0, DEL, and C2 which starts C1 and also '·'); a plain
    // predicate over the bytes lets the compiler scan many at a time.
    let mut at = 0;
    while let Some(i) = b[at..]
        .iter()
        .position(|&c| c < 0x20 || c == 0x7F || c == 0xC2)
    {
        let i = at + i;
        match b[i] {
            b'\n' | b'\t' => {}
            b'\r' if b.get(i + 1) == Some(&b'\n') => {}
            0xC2 if !b.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)) => {}
            _ => return true,
        }
        at = i + 1;
    }
    false
}

/// A writer that passes UTF-8 text through [`printable`] on its way: what a report
/// streams to the terminal or a file carries no control character, however long it is,
/// without being held in memory whole.
pub struct PrintableWriter<W: std::io::Write> {
    inner: W,
    /// An incomplete UTF-8 sequence or a CR waiting for what follows.
    carry: Vec<u8>,
}

impl<W: std::io::Write> PrintableWriter<W> {
    pub fn new(inner: W) -> Self {
        PrintableWriter {
            inner,
            carry: Vec::new(),
        }
    }

    /// Write what is held back and return the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        let rest = std::mem::take(&mut self.carry);
        let text = String::from_utf8_lossy(&rest);
        self.inner.write_all(printable(&text).as_bytes())?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: std::io::Write> std::io::Write for PrintableWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let joined;
        let data: &[u8] = if self.carry.is_empty() {
            buf
        } else {
            let mut d = std::mem::take(&mut self.carry);
            d.extend_from_slice(buf);
            joined = d;
            &joined
        };
        // Hold back a trailing incomplete sequence, and a trailing CR (whether it is
        // kept depends on the next byte).
        let mut end = data.len();
        for i in (data.len().saturating_sub(3)..data.len()).rev() {
            let b = data[i];
            if b & 0xC0 == 0x80 {
                continue;
            }
            let need = match b {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            if i + need > data.len() {
                end = i;
            }
            break;
        }
        if end > 0 && data[end - 1] == b'\r' {
            end -= 1;
        }
        let (now, later) = data.split_at(end);
        if needs_escaping(now) {
            let text = String::from_utf8_lossy(now);
            self.inner.write_all(printable(&text).as_bytes())?;
        } else {
            self.inner.write_all(now)?;
        }
        self.carry = later.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// JSON that stays JSON on a terminal and in every reader: serde_json leaves DEL and the
/// C1 controls (U+0080–U+009F) raw inside strings. That is valid JSON, but a terminal
/// acts on them (U+009B is CSI), and [`printable`]'s `\u{9b}` would make it invalid.
/// Here they become `\u007f`, `\u009b`: the same JSON value, only ASCII escapes. (In
/// serde_json's output these bytes occur only inside strings.)
pub fn json_safe(s: String) -> String {
    if !s.bytes().any(|b| b == 0x7F || b == 0xC2) {
        return s;
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Pretty JSON of `v`, [`json_safe`].
pub fn json_pretty<T: serde::Serialize + ?Sized>(v: &T) -> String {
    json_safe(serde_json::to_string_pretty(v).unwrap_or_default())
}

/// [`json_safe`] as a writer, for JSON streamed to a file or a terminal.
pub struct JsonSafe<W: std::io::Write> {
    pub inner: W,
    /// The last byte written was 0xC2 (perhaps the start of a C1 control).
    held_c2: bool,
}

impl<W: std::io::Write> JsonSafe<W> {
    pub fn new(inner: W) -> Self {
        JsonSafe {
            inner,
            held_c2: false,
        }
    }
}

impl<W: std::io::Write> std::io::Write for JsonSafe<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        if self.held_c2 {
            let Some(&b) = rest.first() else {
                return Ok(0);
            };
            self.held_c2 = false;
            if (0x80..=0x9F).contains(&b) {
                write!(self.inner, "\\u{:04x}", b)?;
                rest = &rest[1..];
            } else {
                self.inner.write_all(&[0xC2])?;
            }
        }
        while let Some(i) = rest.iter().position(|&b| b == 0x7F || b == 0xC2) {
            self.inner.write_all(&rest[..i])?;
            if rest[i] == 0x7F {
                self.inner.write_all(b"\\u007f")?;
                rest = &rest[i + 1..];
                continue;
            }
            match rest.get(i + 1) {
                None => {
                    self.held_c2 = true;
                    rest = &[];
                }
                Some(&n) if (0x80..=0x9F).contains(&n) => {
                    write!(self.inner, "\\u{:04x}", n)?;
                    rest = &rest[i + 2..];
                }
                Some(_) => {
                    self.inner.write_all(&[0xC2])?;
                    rest = &rest[i + 1..];
                }
            }
        }
        self.inner.write_all(rest)?;
        Ok(buf.len())
    }

    /// A 0xC2 held back stays held: the rest of its character is still to come.
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Remove diacritics, keep case: "Tổ dân phố Đông" → "To dan pho Dong".
pub fn strip_diacritics(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            other => other,
        })
        .collect()
}

/// For consoles without Vietnamese fonts ("không dấu"): no diacritics, and the few
/// symbols qcdc draws replaced by ASCII. Anything else outside ASCII becomes '?'.
pub fn to_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in strip_diacritics(s).chars() {
        match c {
            c if c.is_ascii() => out.push(c),
            '█' | '▉' | '▊' | '▋' | '▌' | '▍' | '▎' | '▏' => out.push('#'),
            '░' | '▒' => out.push('-'),
            '·' | '•' => out.push('.'),
            '→' => out.push_str("->"),
            '←' => out.push_str("<-"),
            '✓' | '✔' => out.push('x'),
            '✗' | '✘' => out.push('!'),
            '…' => out.push_str("..."),
            '≥' => out.push_str(">="),
            '≤' => out.push_str("<="),
            '—' | '–' | '─' | '━' => out.push('-'),
            '│' | '┃' => out.push('|'),
            '▲' | '↑' => out.push('^'),
            '▼' | '↓' => out.push('v'),
            '▶' | '►' | '›' | '»' => out.push('>'),
            '◀' | '◄' | '‹' | '«' => out.push('<'),
            '×' => out.push('x'),
            '“' | '”' | '„' => out.push('"'),
            '‘' | '’' => out.push('\''),
            '◆' | '●' => out.push('*'),
            '\u{a0}' => out.push(' '),
            _ => out.push('?'),
        }
    }
    out
}

/// Spreadsheet formula injection: a cell starting with = + - @ (or tab/CR) is run as a
/// formula by Excel. Prefix such text with an apostrophe so it stays text.
pub fn neutralise_formula(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The search key: no diacritics, no đ, lower case.
pub fn fold(s: &str) -> String {
    strip_diacritics(s).to_lowercase()
}

/// Names in the order people count them: "Tổ dân phố 2" before "Tổ dân phố 10",
/// letters compared without diacritics first (then exactly, so the order is total).
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digit = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if digit.is_some_and(|x| x != d) {
                out.push((digit.unwrap_or(false), &s[start..i]));
                start = i;
            }
            digit = Some(d);
        }
        if start < s.len() {
            out.push((digit.unwrap_or(false), &s[start..]));
        }
        out
    }
    let (ra, rb) = (runs(a), runs(b));
    for (x, y) in ra.iter().zip(rb.iter()) {
        let o = match (x, y) {
            ((true, p), (true, q)) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            ((_, p), (_, q)) => fold(p).cmp(&fold(q)),
        };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    ra.len().cmp(&rb.len()).then_with(|| a.cmp(b))
}

/// Diacritic- and case-insensitive substring search: "dan ban" matches "Dân bàn".
pub fn matches(haystack: &str, needle: &str) -> bool {
    let needle = fold(needle);
    let needle = needle.trim();
    needle.is_empty() || fold(haystack).contains(needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_its_value_and_loses_its_raw_controls() {
        use std::io::Write;
        let names = ["a\u{9b}31m", "\u{7f}x", "Tổ · \u{85}\u{80}\u{9f}", "plain"];
        for name in names {
            let pretty = serde_json::to_string_pretty(&name).unwrap();
            let safe = json_safe(pretty.clone());
            assert!(
                !safe
                    .chars()
                    .any(|c| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c))
            );
            assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), name);
            // The writer gives the same bytes however the input is cut.
            for cut in 0..=pretty.len() {
                let mut w = JsonSafe::new(Vec::new());
                w.write_all(&pretty.as_bytes()[..cut]).unwrap();
                w.flush().unwrap();
                w.write_all(&pretty.as_bytes()[cut..]).unwrap();
                assert_eq!(String::from_utf8(w.inner).unwrap(), safe, "cut at {cut}");
            }
        }
    }

    #[test]
    fn the_printable_writer_escapes_controls_split_across_writes() {
        use std::io::Write;
        let input = "Tổ\u{1b}[31m 1\u{9b}2J\r\nok\rx\n".as_bytes();
        for cut in 0..input.len() {
            let mut w = PrintableWriter::new(Vec::new());
            w.write_all(&input[..cut]).unwrap();
            w.write_all(&input[cut..]).unwrap();
            let out = String::from_utf8(w.finish().unwrap()).unwrap();
            assert_eq!(
                out,
                printable(std::str::from_utf8(input).unwrap()),
                "cut at {cut}"
            );
        }
        assert!(!needs_escaping("Tổ dân phố\r\n\tà".as_bytes()));
        assert!(needs_escaping(b"a\rb"));
    }
    use proptest::prelude::*;

    #[test]
    fn search_ignores_diacritics_and_d_stroke() {
        assert!(matches("Dân bàn và quyết định", "dan ban"));
        assert!(matches("Tổ dân phố Đồng Tâm", "dong tam"));
        assert!(matches("Tổ dân phố Đồng Tâm", "ĐỒNG"));
        assert!(!matches("Dân biết", "dan ban"));
    }

    #[test]
    fn decomposed_input_is_stored_composed() {
        let nfd = "To\u{302}\u{309} da\u{302}n pho\u{302}\u{301}";
        assert_eq!(nfc(nfd), "Tổ dân phố");
    }

    #[test]
    fn ascii_form_keeps_meaning() {
        assert_eq!(
            to_ascii("Đạt: 205/300 hộ — cần ≥ 2/3 ✓"),
            "Dat: 205/300 ho - can >= 2/3 x"
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(
            neutralise_formula("=cmd|' /C calc'!A0"),
            "'=cmd|' /C calc'!A0"
        );
        assert_eq!(neutralise_formula("Tổ 1"), "Tổ 1");
    }

    #[test]
    fn control_characters_never_survive() {
        assert_eq!(clean("a\u{1b}[31mb\tc\n"), "a [31mb c");
    }

    proptest! {
        #[test]
        fn fold_is_ascii_for_vietnamese_letters(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐ ]{0,40}") {
            prop_assert!(fold(&s).is_ascii());
        }

        #[test]
        fn nfc_is_idempotent(s in "\\PC{0,40}") {
            let once = nfc(&s);
            prop_assert_eq!(nfc(&once), once.clone());
        }
    }
}
