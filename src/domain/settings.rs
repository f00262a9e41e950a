//! How a ward signs and files its reports: the administrative format (a Party body's,
//! Hướng dẫn 36-HD/VPTW; or a state body's, Nghị định 30/2020/NĐ-CP), the issuing body,
//! the number, the place, the signer and the recipients. Set once per ward (`qcdc
//! settings`), overridable for one report.

use serde::{Deserialize, Serialize};

/// Which administrative format a report is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocStyle {
    /// A Party body (Đảng ủy phường, chi bộ): issuing body on the left ("ĐẢNG BỘ …",
    /// "ĐẢNG ỦY PHƯỜNG …", "*", "Số: …-BC/ĐU"), "ĐẢNG CỘNG SẢN VIỆT NAM" on the right
    /// (Hướng dẫn 36-HD/VPTW, 2018).
    #[default]
    Party,
    /// A state body (UBND phường) or the Front: quốc hiệu and tiêu ngữ on the right
    /// (Nghị định 30/2020/NĐ-CP, Phụ lục I).
    State,
}

impl DocStyle {
    pub fn code(self) -> &'static str {
        match self {
            DocStyle::Party => "party",
            DocStyle::State => "state",
        }
    }

    pub fn from_code(s: &str) -> Option<DocStyle> {
        match crate::domain::text::fold(s).trim() {
            "party" | "dang" => Some(DocStyle::Party),
            "state" | "nha nuoc" | "chinh quyen" => Some(DocStyle::State),
            _ => None,
        }
    }
}

/// The ward's settings for the documents it signs. Empty fields are left as dotted
/// lines to fill in by hand.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DocSettings {
    pub style: DocStyle,
    /// The body above the issuer ("ĐẢNG BỘ TỈNH HÀ TĨNH", "UBND TỈNH …"); may be empty.
    pub superior: String,
    /// The issuing body ("ĐẢNG ỦY PHƯỜNG TRẦN PHÚ", "ỦY BAN NHÂN DÂN PHƯỜNG …").
    pub issuer: String,
    /// The document number ("70-BC/ĐU"), or empty to leave "Số: …".
    pub number: String,
    /// The place written before the date ("Hà Tĩnh", "Trần Phú").
    pub place: String,
    /// "T/M ĐẢNG ỦY", "TM. ỦY BAN NHÂN DÂN".
    pub signer_for: String,
    /// "BÍ THƯ", "CHỦ TỊCH".
    pub signer_title: String,
    pub signer_name: String,
    /// "Nơi nhận": one line each.
    pub recipients: Vec<String>,
}

impl DocSettings {
    /// Sensible defaults for a ward that has set nothing: a Party report of its Đảng ủy.
    pub fn defaults_for(ward: &str) -> DocSettings {
        let upper = ward.to_uppercase();
        DocSettings {
            style: DocStyle::Party,
            superior: String::new(),
            issuer: format!("ĐẢNG ỦY {upper}"),
            number: String::new(),
            place: String::new(),
            signer_for: "T/M ĐẢNG ỦY".into(),
            signer_title: "BÍ THƯ".into(),
            signer_name: String::new(),
            recipients: vec!["Như trên".into(), "Lưu Văn phòng Đảng ủy".into()],
        }
    }

    /// A chi bộ's report (`report --branch`): a Party document of the branch, under the
    /// ward's Party committee (the ward's issuer becomes the body above it), signed
    /// "T/M CHI BỘ / BÍ THƯ"; place kept, number and signer left to fill in (or given
    /// with --number, --signer).
    pub fn for_branch(&self, branch: &str) -> DocSettings {
        let superior = if self.style == DocStyle::Party && !self.issuer.trim().is_empty() {
            self.issuer.clone()
        } else {
            String::new()
        };
        DocSettings {
            style: DocStyle::Party,
            superior,
            issuer: branch.to_uppercase(),
            number: String::new(),
            place: self.place.clone(),
            signer_for: "T/M CHI BỘ".into(),
            signer_title: "BÍ THƯ".into(),
            signer_name: String::new(),
            recipients: vec!["Đảng ủy phường (để báo cáo)".into(), "Lưu Chi bộ".into()],
        }
    }

    /// The settings' names as `qcdc settings set` takes them.
    pub const KEYS: [&'static str; 9] = [
        "style",
        "superior",
        "issuer",
        "number",
        "place",
        "signer-for",
        "signer-title",
        "signer-name",
        "recipients",
    ];

    /// Set one setting from its text form; recipients are separated by ';' (names hold
    /// commas). `Err`: what was wrong, in both languages.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), (String, String)> {
        let v = crate::domain::text::clean(value);
        match key {
            "style" => {
                self.style = DocStyle::from_code(&v).ok_or_else(|| {
                    (
                        format!("Kiểu văn bản {v:?} không hợp lệ: party (của Đảng) hoặc state (của chính quyền, Mặt trận)."),
                        format!("Unknown document style {v:?}: party or state."),
                    )
                })?
            }
            "superior" => self.superior = v,
            "issuer" => self.issuer = v,
            "number" => self.number = v,
            "place" => self.place = v,
            "signer-for" => self.signer_for = v,
            "signer-title" => self.signer_title = v,
            "signer-name" => self.signer_name = v,
            "recipients" => {
                self.recipients = v
                    .split(';')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect()
            }
            other => {
                return Err((
                    format!(
                        "Không có thiết lập {other:?}. Các thiết lập: {}.",
                        Self::KEYS.join(", ")
                    ),
                    format!(
                        "No setting {other:?}. The settings: {}.",
                        Self::KEYS.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// One setting's value as text (recipients joined with "; ").
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "style" => self.style.code().to_string(),
            "superior" => self.superior.clone(),
            "issuer" => self.issuer.clone(),
            "number" => self.number.clone(),
            "place" => self.place.clone(),
            "signer-for" => self.signer_for.clone(),
            "signer-title" => self.signer_title.clone(),
            "signer-name" => self.signer_name.clone(),
            "recipients" => self.recipients.join("; "),
            _ => return None,
        })
    }

    /// Every text bounded, as everything users type.
    pub fn check(&self) -> Result<(), (String, String)> {
        let all = [
            &self.superior,
            &self.issuer,
            &self.number,
            &self.place,
            &self.signer_for,
            &self.signer_title,
            &self.signer_name,
        ];
        if all
            .iter()
            .any(|s| s.chars().count() > crate::domain::ward::MAX_NAME_CHARS)
            || self.recipients.len() > 30
            || self
                .recipients
                .iter()
                .any(|r| r.chars().count() > crate::domain::ward::MAX_NAME_CHARS)
        {
            return Err((
                "Thiết lập quá dài (mỗi dòng tối đa 200 ký tự, tối đa 30 nơi nhận).".into(),
                "A setting is too long (200 characters a line, 30 recipients at most).".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_set_and_read_back_with_recipients_split_on_semicolons() {
        let mut s = DocSettings::defaults_for("Phường Trần Phú");
        assert_eq!(s.issuer, "ĐẢNG ỦY PHƯỜNG TRẦN PHÚ");
        s.set("style", "state").unwrap();
        s.set("recipients", "Ban Thường vụ Tỉnh ủy, Ban Dân vận; Lưu VP")
            .unwrap();
        assert_eq!(s.style, DocStyle::State);
        assert_eq!(
            s.recipients,
            ["Ban Thường vụ Tỉnh ủy, Ban Dân vận", "Lưu VP"]
        );
        assert_eq!(
            s.get("recipients").unwrap(),
            "Ban Thường vụ Tỉnh ủy, Ban Dân vận; Lưu VP"
        );
        assert!(s.set("colour", "x").is_err());
        assert!(s.set("style", "kingdom").is_err());
    }
}
