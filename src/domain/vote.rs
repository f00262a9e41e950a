//! Validity of community decisions: Luật 10/2022/QH15 Điều 21 khoản 1; NĐ 61/2023 Điều 10.
//!
//! Approval is counted against **all** households of the group (not those present), so a
//! meeting attended by 60 % of households can never pass a two-thirds matter.

use serde::{Deserialize, Serialize};

/// Which threshold applies to a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoteRule {
    /// Điều 15 items 1–2 in one group: ≥ 2/3 of all households agree.
    TwoThirds,
    /// Điều 15 items 1–2 ward-wide: ≥ 2/3 of the groups agree (counted in groups).
    WardTwoThirds,
    /// Điều 15 items 3–6: > 50 % of all households agree.
    Majority,
    /// Hương ước, quy ước (NĐ 61/2023 Điều 10): a meeting needs > 50 % of households
    /// present, and > 50 % of all households must agree.
    HuongUoc,
}

impl VoteRule {
    pub const ALL: [VoteRule; 4] = [
        VoteRule::TwoThirds,
        VoteRule::WardTwoThirds,
        VoteRule::Majority,
        VoteRule::HuongUoc,
    ];

    pub fn code(self) -> &'static str {
        match self {
            VoteRule::TwoThirds => "two-thirds",
            VoteRule::WardTwoThirds => "ward-two-thirds",
            VoteRule::Majority => "majority",
            VoteRule::HuongUoc => "huong-uoc",
        }
    }

    pub fn from_code(s: &str) -> Option<VoteRule> {
        VoteRule::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The smallest number of agreeing units that passes, out of `total`.
    pub fn needed(self, total: u32) -> u32 {
        match self {
            // ≥ 2/3: ceil(2 × total / 3)
            VoteRule::TwoThirds | VoteRule::WardTwoThirds => {
                ((2 * total as u64).div_ceil(3)) as u32
            }
            // > 1/2: floor(total / 2) + 1
            VoteRule::Majority | VoteRule::HuongUoc => total / 2 + 1,
        }
    }

    /// The rule as the law states it, for display.
    pub fn describe_vi(self) -> &'static str {
        match self {
            VoteRule::TwoThirds => "cần ≥ 2/3 tổng số hộ",
            VoteRule::WardTwoThirds => "cần ≥ 2/3 số tổ dân phố",
            VoteRule::Majority => "cần > 50% tổng số hộ",
            VoteRule::HuongUoc => {
                "cần đại diện trên 50% số hộ dự họp; trên 50% tổng số hộ tán thành"
            }
        }
    }

    pub fn describe_en(self) -> &'static str {
        match self {
            VoteRule::TwoThirds => "needs ≥ 2/3 of all households",
            VoteRule::WardTwoThirds => "needs ≥ 2/3 of the groups",
            VoteRule::Majority => "needs > 50% of all households",
            VoteRule::HuongUoc => {
                "needs representatives of over 50% of households present; over 50% of all households agreeing"
            }
        }
    }

    /// Units counted: households, or groups for a ward-wide decision.
    pub fn counts_groups(self) -> bool {
        matches!(self, VoteRule::WardTwoThirds)
    }
}

/// How the decision was taken (Điều 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum VoteForm {
    #[default]
    Meeting,
    Ballot,
    Online,
}

impl VoteForm {
    pub fn code(self) -> &'static str {
        match self {
            VoteForm::Meeting => "meeting",
            VoteForm::Ballot => "ballot",
            VoteForm::Online => "online",
        }
    }

    pub fn from_code(s: &str) -> Option<VoteForm> {
        match crate::domain::text::fold(s).trim() {
            "meeting" | "hop" | "cuoc hop" => Some(VoteForm::Meeting),
            "ballot" | "phieu" => Some(VoteForm::Ballot),
            "online" | "truc tuyen" => Some(VoteForm::Online),
            _ => None,
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            VoteForm::Meeting => "họp cộng đồng",
            VoteForm::Ballot => "phát phiếu lấy ý kiến",
            VoteForm::Online => "biểu quyết trực tuyến",
        }
    }
}

/// The numbers of a meeting or ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteCount {
    /// All households of the group (or all groups, for a ward-wide decision).
    pub total: u32,
    /// Households represented (or ballots returned).
    pub present: u32,
    pub agree: u32,
    pub form: VoteForm,
}

/// Why numbers cannot be a real vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadCount {
    #[error("total households must be at least 1")]
    NoHouseholds,
    #[error("present ({present}) is more than the households ({total})")]
    PresentOverTotal { present: u32, total: u32 },
    #[error("agreeing ({agree}) is more than present ({present})")]
    AgreeOverPresent { agree: u32, present: u32 },
}

impl VoteCount {
    pub fn validate(&self) -> Result<(), BadCount> {
        if self.total == 0 {
            return Err(BadCount::NoHouseholds);
        }
        if self.present > self.total {
            return Err(BadCount::PresentOverTotal {
                present: self.present,
                total: self.total,
            });
        }
        if self.agree > self.present {
            return Err(BadCount::AgreeOverPresent {
                agree: self.agree,
                present: self.present,
            });
        }
        Ok(())
    }
}

/// Why a valid count fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shortfall {
    /// Not enough households agreed.
    Agreement,
    /// A meeting without enough households present to reach the threshold (Điều 19
    /// khoản 1 điểm b), or for a hương ước not more than half of them (NĐ 61/2023 Điều
    /// 10): the law goes on to a household ballot.
    Attendance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteVerdict {
    pub rule: VoteRule,
    pub passes: bool,
    pub needed: u32,
    pub agree: u32,
    pub total: u32,
    pub shortfall: Option<Shortfall>,
}

impl VoteVerdict {
    /// "Đạt: 205/300 hộ đồng ý, cần ≥ 2/3 tổng số hộ"
    pub fn summary_vi(&self) -> String {
        let unit = if self.rule.counts_groups() {
            "tổ"
        } else {
            "hộ"
        };
        let head = if self.passes {
            "Đạt"
        } else {
            "Không đạt"
        };
        let mut s = format!(
            "{head}: {}/{} {unit} đồng ý, {} (tối thiểu {})",
            self.agree,
            self.total,
            self.rule.describe_vi(),
            self.needed
        );
        if self.shortfall == Some(Shortfall::Attendance) {
            if self.rule == VoteRule::HuongUoc {
                s.push_str(
                    " — không đủ hộ dự — phát phiếu (Điều 19 khoản 1 điểm b; NĐ 61/2023 Điều 10 khoản 2)",
                );
            } else {
                s.push_str(" — không đủ hộ dự — phát phiếu (Điều 19 khoản 1 điểm b)");
            }
        }
        s
    }

    pub fn summary_en(&self) -> String {
        let unit = if self.rule.counts_groups() {
            "groups"
        } else {
            "households"
        };
        let head = if self.passes { "Passes" } else { "Fails" };
        let mut s = format!(
            "{head}: {}/{} {unit} agree, {} (at least {})",
            self.agree,
            self.total,
            self.rule.describe_en(),
            self.needed
        );
        if self.shortfall == Some(Shortfall::Attendance) {
            if self.rule == VoteRule::HuongUoc {
                s.push_str(
                    " — not enough households present — household ballot (Điều 19 khoản 1 điểm b; NĐ 61/2023 Điều 10 khoản 2)",
                );
            } else {
                s.push_str(
                    " — not enough households present — household ballot (Điều 19 khoản 1 điểm b)",
                );
            }
        }
        s
    }
}

/// Decide whether a count passes its rule. The count must be valid.
pub fn verdict(rule: VoteRule, count: &VoteCount) -> Result<VoteVerdict, BadCount> {
    count.validate()?;
    let needed = rule.needed(count.total);
    // A meeting whose attendance cannot reach the threshold is decided by a household
    // ballot (Điều 19 khoản 1 điểm b), whatever the rule; a hương ước meeting needs
    // representatives of more than half the households besides (NĐ 61/2023 Điều 10).
    let attendance_ok = match (rule, count.form) {
        (VoteRule::HuongUoc, VoteForm::Meeting) => {
            count.present > count.total / 2 && count.present >= needed
        }
        (_, VoteForm::Meeting) => count.present >= needed,
        _ => true,
    };
    let agreement_ok = count.agree >= needed;
    let shortfall = if !attendance_ok {
        Some(Shortfall::Attendance)
    } else if !agreement_ok {
        Some(Shortfall::Agreement)
    } else {
        None
    };
    Ok(VoteVerdict {
        rule,
        passes: shortfall.is_none(),
        needed,
        agree: count.agree,
        total: count.total,
        shortfall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn meeting(total: u32, present: u32, agree: u32) -> VoteCount {
        VoteCount {
            total,
            present,
            agree,
            form: VoteForm::Meeting,
        }
    }

    /// Điều 19 khoản 1 điểm b: for every rule, a meeting whose attendance cannot reach
    /// the threshold is "không đủ hộ dự — phát phiếu"; a ballot with the same numbers is
    /// simply not passed.
    #[test]
    fn a_meeting_short_of_attendance_goes_to_a_ballot_for_every_rule_dieu_19_khoan_1_diem_b() {
        for rule in [VoteRule::TwoThirds, VoteRule::Majority, VoteRule::HuongUoc] {
            let needed = rule.needed(300);
            let v = verdict(rule, &meeting(300, needed - 1, needed - 1)).unwrap();
            assert_eq!(v.shortfall, Some(Shortfall::Attendance), "{rule:?}");
            assert!(
                v.summary_vi()
                    .contains("không đủ hộ dự — phát phiếu (Điều 19 khoản 1 điểm b"),
                "{}",
                v.summary_vi()
            );
            let ballot = VoteCount {
                form: VoteForm::Ballot,
                ..meeting(300, needed - 1, needed - 1)
            };
            assert_eq!(
                verdict(rule, &ballot).unwrap().shortfall,
                Some(Shortfall::Agreement)
            );
            // Enough present but too few agreeing is a plain failure.
            let v = verdict(rule, &meeting(300, needed, needed - 1)).unwrap();
            assert_eq!(v.shortfall, Some(Shortfall::Agreement), "{rule:?}");
        }
    }

    #[test]
    fn two_thirds_of_all_households_needed_for_contributions() {
        assert!(
            verdict(VoteRule::TwoThirds, &meeting(300, 250, 200))
                .unwrap()
                .passes
        );
        assert!(
            !verdict(VoteRule::TwoThirds, &meeting(300, 250, 199))
                .unwrap()
                .passes
        );
        assert_eq!(VoteRule::TwoThirds.needed(300), 200);
        assert_eq!(VoteRule::TwoThirds.needed(301), 201);
    }

    #[test]
    fn more_than_half_of_all_households_for_other_decisions() {
        assert!(
            verdict(VoteRule::Majority, &meeting(201, 150, 101))
                .unwrap()
                .passes
        );
        assert!(
            !verdict(VoteRule::Majority, &meeting(201, 150, 100))
                .unwrap()
                .passes
        );
        // Exactly half is not more than half.
        assert!(
            !verdict(VoteRule::Majority, &meeting(200, 200, 100))
                .unwrap()
                .passes
        );
    }

    #[test]
    fn a_meeting_of_60_percent_cannot_reach_two_thirds_so_a_ballot_follows_dieu_19_khoan_1_diem_b()
    {
        // 60 % present, all agree: 180 of 300 is below 2/3 of all households, and no
        // meeting of 180 could reach it — the law goes on to a household ballot.
        let v = verdict(VoteRule::TwoThirds, &meeting(300, 180, 180)).unwrap();
        assert!(!v.passes);
        assert_eq!(v.shortfall, Some(Shortfall::Attendance));
    }

    #[test]
    fn huong_uoc_meeting_needs_more_than_half_present() {
        let v = verdict(VoteRule::HuongUoc, &meeting(200, 100, 100)).unwrap();
        assert_eq!(v.shortfall, Some(Shortfall::Attendance));
        let ballot = VoteCount {
            form: VoteForm::Ballot,
            ..meeting(200, 150, 101)
        };
        assert!(verdict(VoteRule::HuongUoc, &ballot).unwrap().passes);
        assert!(
            verdict(VoteRule::HuongUoc, &meeting(200, 101, 101))
                .unwrap()
                .passes
        );
    }

    #[test]
    fn impossible_counts_are_rejected() {
        assert_eq!(meeting(0, 0, 0).validate(), Err(BadCount::NoHouseholds));
        assert!(matches!(
            meeting(10, 11, 1).validate(),
            Err(BadCount::PresentOverTotal { .. })
        ));
        assert!(matches!(
            meeting(10, 5, 6).validate(),
            Err(BadCount::AgreeOverPresent { .. })
        ));
    }

    #[test]
    fn verdict_text_names_rule_and_numbers() {
        let v = verdict(VoteRule::TwoThirds, &meeting(300, 250, 205)).unwrap();
        assert_eq!(
            v.summary_vi(),
            "Đạt: 205/300 hộ đồng ý, cần ≥ 2/3 tổng số hộ (tối thiểu 200)"
        );
    }

    proptest! {
        #[test]
        fn thresholds_agree_with_exact_fractions(total in 1u32..100_000, agree_frac in 0.0f64..=1.0) {
            let agree = ((total as f64) * agree_frac) as u32;
            let c = meeting(total, total, agree);
            let two = verdict(VoteRule::TwoThirds, &c).unwrap().passes;
            prop_assert_eq!(two, 3 * agree as u64 >= 2 * total as u64);
            let maj = verdict(VoteRule::Majority, &c).unwrap().passes;
            prop_assert_eq!(maj, 2 * agree as u64 > total as u64);
        }
    }
}
