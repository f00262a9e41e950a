//! The narrative of a report: what a ward writes in words beside its figures — the
//! sections of the reports wards send upward (đánh giá chung; hạn chế, nguyên nhân;
//! nhiệm vụ, giải pháp; kiến nghị, đề xuất), one text per section and period.

use super::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use unicode_normalization::UnicodeNormalization;

/// The sections, in report order: key, Vietnamese heading, English heading.
pub const SECTIONS: [(&str, &str, &str); 4] = [
    (
        "danh-gia",
        "Đánh giá chung, ưu điểm",
        "Assessment, strengths",
    ),
    ("han-che", "Hạn chế, nguyên nhân", "Shortcomings and causes"),
    ("nhiem-vu", "Nhiệm vụ, giải pháp", "Tasks and measures"),
    ("kien-nghi", "Kiến nghị, đề xuất", "Recommendations"),
];

/// The most characters one section keeps (a few printed pages).
pub const MAX_CHARS: usize = 20_000;

/// A period's narrative: written sections by key; a missing one is not written yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    pub sections: BTreeMap<String, String>,
}

impl Narrative {
    /// The text of a section, if written.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.sections
            .get(key)
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }

    /// The written sections in report order, as (key, text).
    pub fn written(&self) -> Vec<(String, String)> {
        SECTIONS
            .iter()
            .filter_map(|(k, _, _)| self.get(k).map(|t| (k.to_string(), t.to_string())))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.written().is_empty()
    }
}

/// The section a user named: its key ("han-che"), or its heading or the start of it,
/// with or without diacritics ("hạn chế", "han che", "kien nghi").
pub fn section_key(name: &str) -> Option<&'static str> {
    let want = text::fold(name.trim()).replace(['-', '_'], " ");
    if want.is_empty() {
        return None;
    }
    SECTIONS
        .iter()
        .map(|(k, vi, en)| (*k, *vi, *en))
        .find_map(|(k, vi, en)| {
            let names = [k.replace('-', " "), text::fold(vi), text::fold(en)];
            names.iter().any(|n| n.starts_with(&want)).then_some(k)
        })
}

/// A section's text as stored: NFC, line breaks as `\n`, no other control characters,
/// no trailing spaces on a line, no blank lines at either end.
pub fn clean(s: &str) -> String {
    let lines: Vec<String> = s
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        // Not `text::clean`, which trims both ends: a line's indentation is the
        // writer's.
        .map(|l| {
            let no_controls: String = l
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            no_controls.nfc().collect::<String>().trim_end().to_string()
        })
        .collect();
    let start = lines.iter().position(|l| !l.is_empty());
    let end = lines.iter().rposition(|l| !l.is_empty());
    match (start, end) {
        (Some(a), Some(b)) => lines[a..=b].join("\n"),
        _ => String::new(),
    }
}

/// Whether a cleaned text may be stored: (Vietnamese, English) message when not.
pub fn check(text: &str) -> Result<(), (String, String)> {
    let n = text.chars().count();
    if n > MAX_CHARS {
        return Err((
            format!("Nội dung dài {n} ký tự, quá {MAX_CHARS}: hãy rút gọn."),
            format!("The text is {n} characters long, over {MAX_CHARS}: shorten it."),
        ));
    }
    Ok(())
}

/// The accepted section names, for messages.
pub fn keys() -> String {
    SECTIONS
        .iter()
        .map(|(k, _, _)| *k)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_found_by_key_heading_or_start_with_or_without_diacritics() {
        assert_eq!(section_key("han-che"), Some("han-che"));
        assert_eq!(section_key("Hạn chế"), Some("han-che"));
        assert_eq!(section_key("han che, nguyen nhan"), Some("han-che"));
        assert_eq!(section_key("kiến nghị"), Some("kien-nghi"));
        assert_eq!(section_key("Tasks"), Some("nhiem-vu"));
        assert_eq!(section_key("đánh giá"), Some("danh-gia"));
        assert_eq!(section_key("x"), None);
        assert_eq!(section_key(""), None);
    }

    #[test]
    fn text_is_cleaned_line_by_line() {
        assert_eq!(
            clean("\r\n\n  Tốt\u{7}.  \r\nCòn hạn chế\t \n\n"),
            "  Tốt .\nCòn hạn chế"
        );
        // NFC: a decomposed "ế" is stored composed.
        assert_eq!(clean("che\u{302}\u{301}"), "chế");
        assert!(check(&"a".repeat(MAX_CHARS)).is_ok());
        assert!(check(&"a".repeat(MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn written_sections_come_in_report_order() {
        let mut n = Narrative::default();
        n.sections.insert("kien-nghi".into(), "Đề nghị".into());
        n.sections.insert("danh-gia".into(), "Tốt".into());
        n.sections.insert("han-che".into(), "  ".into());
        assert_eq!(
            n.written(),
            vec![
                ("danh-gia".to_string(), "Tốt".to_string()),
                ("kien-nghi".to_string(), "Đề nghị".to_string())
            ]
        );
    }
}
