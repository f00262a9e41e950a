//! Ward → branches (chi bộ) → residential groups (tổ dân phố).

use super::period::Period;
use super::step::StepSet;
use serde::{Deserialize, Serialize};

pub type BranchId = u32;
/// Group ids start at 1; [`WARD_GROUP`] stands for the ward itself (ward-scope items).
pub type GroupId = u32;

/// The pseudo-group that holds the entries of ward-scope items.
pub const WARD_GROUP: GroupId = 0;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ward {
    pub name: String,
    pub steps: StepSet,
    /// The period the ward is working on, when it is not today's quarter (the demo).
    pub current_period: Option<Period>,
    /// The current term of the tổ trưởng and with it of the Ban TTND (Luật 10/2022/QH15
    /// Điều 36 khoản 2: the board's term follows the tổ trưởng's). Per-term items fall due
    /// in its last year; unset, they count only when an election or report is registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<Term>,
}

/// A term, by years (inclusive): "2021-2026".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    pub start: u16,
    pub end: u16,
}

impl Term {
    /// The year per-term duties fall due: the term's last (the election of the next
    /// term, NĐ 59/2023 Điều 6–8; the term report, NĐ 59/2023 Điều 14 khoản 3).
    pub fn due_year(self) -> u16 {
        self.end
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

impl std::str::FromStr for Term {
    type Err = String;
    fn from_str(s: &str) -> Result<Term, String> {
        let bad = || format!("invalid term {s:?} (expected years such as 2021-2026)");
        let (a, b) = s.trim().split_once(['-', '–']).ok_or_else(bad)?;
        let start: u16 = a.trim().parse().map_err(|_| bad())?;
        let end: u16 = b.trim().parse().map_err(|_| bad())?;
        let ok = |y: u16| (super::period::MIN_YEAR..=super::period::MAX_YEAR).contains(&y);
        if !ok(start) || !ok(end) || end <= start || end - start > 10 {
            return Err(bad());
        }
        Ok(Term { start, end })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub id: BranchId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub branch: BranchId,
    pub name: String,
    pub leader: String,
    /// Trưởng ban công tác Mặt trận.
    pub front_head: String,
    /// Số hộ: the denominator of every vote.
    pub households: u32,
}

/// Upper bound on households in one group: far above any real group, low enough that
/// arithmetic on counts never overflows.
pub const MAX_HOUSEHOLDS: u32 = 100_000;
/// Upper bound on names typed by users.
pub const MAX_NAME_CHARS: usize = 200;
/// Upper bound on notes.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// The denominator the law counts a decision against (Luật 10/2022/QH15 Điều 21 khoản
/// 1): all households of the group; for a ward-wide decision, all groups of the ward.
/// Both the command line and the TUI start a vote from this number.
pub fn vote_total(group: GroupId, groups: &[Group]) -> u32 {
    if group == WARD_GROUP {
        groups.len() as u32
    } else {
        groups
            .iter()
            .find(|g| g.id == group)
            .map(|g| g.households)
            .unwrap_or(0)
    }
}

/// The branch a user named, ignoring diacritics, case and the "Chi bộ" prefix
/// ("khu pho 9" is "Chi bộ Khu phố 9").
pub fn find_branch<'a>(branches: &'a [Branch], name: &str) -> Option<&'a Branch> {
    let key = |s: &str| {
        let f = super::text::fold(s);
        let f = f.trim();
        f.strip_prefix("chi bo")
            .map(str::trim)
            .unwrap_or(f)
            .to_string()
    };
    let want = key(name);
    branches.iter().find(|b| key(&b.name) == want).or_else(|| {
        let hits: Vec<&Branch> = branches
            .iter()
            .filter(|b| key(&b.name).contains(&want))
            .collect();
        (hits.len() == 1).then(|| hits[0])
    })
}
