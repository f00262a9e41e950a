//! The motto steps: "dân biết, dân bàn, dân làm, dân kiểm tra" (+ "dân giám sát, dân thụ hưởng").

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One step of the motto. The order of the variants is the order of the motto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Biet,
    Ban,
    Lam,
    KiemTra,
    GiamSat,
    ThuHuong,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Biet,
        Step::Ban,
        Step::Lam,
        Step::KiemTra,
        Step::GiamSat,
        Step::ThuHuong,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> Option<Step> {
        Step::ALL.get(i).copied()
    }

    /// The ASCII form used on the command line and in data files.
    pub fn code(self) -> &'static str {
        match self {
            Step::Biet => "biet",
            Step::Ban => "ban",
            Step::Lam => "lam",
            Step::KiemTra => "kiemtra",
            Step::GiamSat => "giamsat",
            Step::ThuHuong => "thuhuong",
        }
    }

    /// The Vietnamese name, with diacritics.
    pub fn name_vi(self) -> &'static str {
        match self {
            Step::Biet => "Dân biết",
            Step::Ban => "Dân bàn",
            Step::Lam => "Dân làm",
            Step::KiemTra => "Dân kiểm tra",
            Step::GiamSat => "Dân giám sát",
            Step::ThuHuong => "Dân thụ hưởng",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Step::Biet => "Informed",
            Step::Ban => "Discuss",
            Step::Lam => "Carry out",
            Step::KiemTra => "Inspect",
            Step::GiamSat => "Supervise",
            Step::ThuHuong => "Benefit",
        }
    }

    /// A short column heading (one word).
    pub fn short_vi(self) -> &'static str {
        match self {
            Step::Biet => "Biết",
            Step::Ban => "Bàn",
            Step::Lam => "Làm",
            Step::KiemTra => "K.tra",
            Step::GiamSat => "G.sát",
            Step::ThuHuong => "T.hưởng",
        }
    }

    pub fn short_en(self) -> &'static str {
        match self {
            Step::Biet => "Know",
            Step::Ban => "Disc",
            Step::Lam => "Do",
            Step::KiemTra => "Insp",
            Step::GiamSat => "Supv",
            Step::ThuHuong => "Bnft",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown step {0:?}")]
pub struct UnknownStep(pub String);

impl Step {
    /// The step whose ASCII code is exactly `code` (the audit trail's field names).
    pub fn from_code(code: &str) -> Option<Step> {
        Step::ALL.iter().copied().find(|s| s.code() == code)
    }
}

impl FromStr for Step {
    type Err = UnknownStep;

    /// Accepts the ASCII codes and the Vietnamese names with or without diacritics
    /// ("biet", "Dân biết", "dan kiem tra", "kiem-tra").
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(step) = Step::from_code(s) {
            return Ok(step);
        }
        let folded: String = crate::domain::text::fold(s)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let key = folded.strip_prefix("dan").unwrap_or(&folded);
        match key {
            "biet" => Ok(Step::Biet),
            "ban" => Ok(Step::Ban),
            "lam" => Ok(Step::Lam),
            "kiemtra" => Ok(Step::KiemTra),
            "giamsat" => Ok(Step::GiamSat),
            "thuhuong" => Ok(Step::ThuHuong),
            _ => Err(UnknownStep(s.to_string())),
        }
    }
}

/// The ordered list of steps a ward tracks: the classic four or the six-step form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepSet {
    Four,
    Six,
}

impl StepSet {
    pub fn steps(self) -> &'static [Step] {
        match self {
            StepSet::Four => &Step::ALL[..4],
            StepSet::Six => &Step::ALL[..],
        }
    }

    pub fn count(self) -> u8 {
        self.steps().len() as u8
    }

    pub fn from_count(n: u8) -> Option<StepSet> {
        match n {
            4 => Some(StepSet::Four),
            6 => Some(StepSet::Six),
            _ => None,
        }
    }

    pub fn contains(self, step: Step) -> bool {
        self.steps().contains(&step)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    #[default]
    Todo,
    Doing,
    Done,
    #[serde(rename = "na")]
    NotApplicable,
}

impl StepStatus {
    pub const ALL: [StepStatus; 4] = [
        StepStatus::Todo,
        StepStatus::Doing,
        StepStatus::Done,
        StepStatus::NotApplicable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StepStatus::Todo => "todo",
            StepStatus::Doing => "doing",
            StepStatus::Done => "done",
            StepStatus::NotApplicable => "na",
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            StepStatus::Todo => "chưa làm",
            StepStatus::Doing => "đang làm",
            StepStatus::Done => "đã xong",
            StepStatus::NotApplicable => "không áp dụng",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            StepStatus::Todo => "to do",
            StepStatus::Doing => "in progress",
            StepStatus::Done => "done",
            StepStatus::NotApplicable => "not applicable",
        }
    }

    /// The next status when a user toggles a step: todo → doing → done → todo.
    /// "Không áp dụng" is set deliberately, never reached by toggling.
    pub fn toggled(self) -> StepStatus {
        match self {
            StepStatus::Todo => StepStatus::Doing,
            StepStatus::Doing => StepStatus::Done,
            StepStatus::Done | StepStatus::NotApplicable => StepStatus::Todo,
        }
    }

    pub fn to_u8(self) -> u8 {
        self as u8
    }

    pub fn from_u8(v: u8) -> Option<StepStatus> {
        StepStatus::ALL.get(v as usize).copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?}")]
pub struct UnknownStatus(pub String);

impl FromStr for StepStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = super::text::fold(s);
        match k.trim() {
            "todo" | "chua lam" | "chua" => Ok(StepStatus::Todo),
            "doing" | "dang lam" | "dang" => Ok(StepStatus::Doing),
            "done" | "da xong" | "xong" => Ok(StepStatus::Done),
            "na" | "n/a" | "khong ap dung" | "kad" => Ok(StepStatus::NotApplicable),
            _ => Err(UnknownStatus(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_parse_from_ascii_and_vietnamese() {
        assert_eq!("biet".parse::<Step>().unwrap(), Step::Biet);
        assert_eq!("Dân kiểm tra".parse::<Step>().unwrap(), Step::KiemTra);
        assert_eq!("kiem-tra".parse::<Step>().unwrap(), Step::KiemTra);
        assert_eq!("THUHUONG".parse::<Step>().unwrap(), Step::ThuHuong);
        assert!("nghi".parse::<Step>().is_err());
    }

    #[test]
    fn four_step_form_is_a_prefix_of_six() {
        assert_eq!(StepSet::Four.steps(), &StepSet::Six.steps()[..4]);
        assert!(!StepSet::Four.contains(Step::GiamSat));
    }
}
