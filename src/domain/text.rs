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

/// The search key: no diacritics, no đ, lower case.
pub fn fold(s: &str) -> String {
    strip_diacritics(s).to_lowercase()
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
