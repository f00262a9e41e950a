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
