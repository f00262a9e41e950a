//! `qcdc bench-gen`: realistic synthetic wards for the benchmarks (10 k, 100 k, 1 M
//! entries): Vietnamese names, several groups per branch, about half the steps done,
//! a few votes, spread over consecutive quarters. Deterministic for a given size.

use crate::data;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::domain::template::Scope;
use crate::domain::vote::{VoteCount, VoteForm};
use crate::domain::ward::{Branch, Group, WARD_GROUP, Ward};
use crate::store::{Store, StoreError};
use std::path::Path;

/// xorshift64*: deterministic, fast, good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const FAMILY: [&str; 10] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Minh", "Thanh", "Quang", "Ngọc"];
const GIVEN: [&str; 10] = [
    "An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Sơn", "Tâm",
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct GenSummary {
    pub groups: usize,
    pub branches: usize,
    pub periods: Vec<String>,
    pub entries: usize,
}

/// Create a database at `db` with `groups` groups and entries for `quarters`
/// consecutive quarters ending with 2026-Q4. `batch_bytes`: bytes per sled batch.
pub fn generate(
    db: &Path,
    groups: u32,
    quarters: u32,
    batch_bytes: usize,
) -> Result<GenSummary, StoreError> {
    let template = data::default_template();
    let ward = Ward {
        name: format!("Phường thử tải {groups} tổ"),
        steps: StepSet::Four,
        current_period: Some(Period::Quarter(2026, 4)),
        term: None,
    };
    let store = Store::create(db, &ward, &template)?;
    let per_branch = 4u32;
    let nb = groups.div_ceil(per_branch).max(1);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ groups as u64);
    let name = |rng: &mut Rng| {
        format!(
            "{} {} {}",
            FAMILY[rng.below(10) as usize],
            MIDDLE[rng.below(6) as usize],
            GIVEN[rng.below(10) as usize]
        )
    };
    let branches: Vec<Branch> = (1..=nb)
        .map(|i| Branch {
            id: i,
            name: format!("Chi bộ Khu phố {i}"),
        })
        .collect();
    let gs: Vec<Group> = (1..=groups)
        .map(|i| Group {
            id: i,
            branch: (i - 1) / per_branch + 1,
            name: format!("Tổ dân phố {i}"),
            leader: name(&mut rng),
            front_head: name(&mut rng),
            households: 100 + rng.below(400) as u32,
        })
        .collect();
    // The slots: consecutive quarters ending 2026-Q4, and their halves and years.
    let mut quarters_list = vec![Period::Quarter(2026, 4)];
    while (quarters_list.len() as u32) < quarters.max(1) {
        let Some(p) = quarters_list.last().and_then(|p| p.previous()) else {
            break;
        };
        quarters_list.push(p);
    }
    quarters_list.reverse();
    let mut slots: Vec<(Period, Vec<usize>)> = Vec::new();
    let active: Vec<_> = template.active().cloned().collect();
    for q in &quarters_list {
        for (i, item) in active.iter().enumerate() {
            let slot = q.slots(item.recurrence.granularity())[0];
            match slots.iter_mut().find(|(p, _)| *p == slot) {
                Some((_, v)) => {
                    if !v.contains(&i) {
                        v.push(i)
                    }
                }
                None => slots.push((slot, vec![i])),
            }
        }
    }
    let set = ward.steps;
    let years: Vec<u16> = {
        let mut y: Vec<u16> = slots.iter().map(|(p, _)| p.year()).collect();
        y.dedup();
        y
    };
    let owners: Vec<(u32, u32)> = std::iter::once((WARD_GROUP, gs.len() as u32))
        .chain(gs.iter().map(|g| (g.id, g.households)))
        .collect();
    let mut rng2 = Rng(0xD1B5_4A32_D192_ED03 ^ quarters as u64);
    let slots_ref = &slots;
    let active_ref = &active;
    // Group by group, year by year: the unit the store writes (a tally per group and
    // year), so memory stays at one group's year whatever the size.
    let mut units = owners
        .into_iter()
        .flat_map(move |(gid, hh)| years.clone().into_iter().map(move |year| (gid, hh, year)));
    let mut make = move |(gid, hh, year): (u32, u32, u16)| {
        let mut entries = Vec::new();
        for (slot, items) in slots_ref.iter().filter(|(p, _)| p.year() == year) {
            for i in items {
                let item = &active_ref[*i];
                if (item.scope == Scope::Ward) != (gid == WARD_GROUP) {
                    continue;
                }
                entries.push(synthetic_entry(&mut rng2, item, *slot, gid, hh, set));
            }
        }
        (gid, year, entries)
    };
    let mut stream = std::iter::from_fn(move || units.next().map(&mut make));
    let actor = crate::domain::audit::Actor::new("Nguyễn Thị Lan", "bench");
    let at_ms = 1_790_000_000_000;
    let n = store.bulk_load(&branches, &gs, &mut stream, &actor, at_ms, batch_bytes)?;
    Ok(GenSummary {
        groups: gs.len(),
        branches: branches.len(),
        periods: quarters_list.iter().map(|p| p.to_string()).collect(),
        entries: n,
    })
}

/// One entry as a cadre would have filled it in: about half the steps done, some in
/// progress or not applicable; a third of the decisions with a vote at a meeting, its
/// date and minutes; a responsible person.
fn synthetic_entry(
    rng: &mut Rng,
    item: &crate::domain::template::Item,
    slot: Period,
    gid: u32,
    hh: u32,
    set: StepSet,
) -> Entry {
    let mut e = Entry::new(gid, &item.code, slot);
    for s in item.applicable_steps(set) {
        e.steps[s.index()] = match rng.below(10) {
            0..=4 => StepStatus::Done,
            5..=6 => StepStatus::Doing,
            7 => StepStatus::NotApplicable,
            _ => StepStatus::Todo,
        };
    }
    if item.vote.is_some() && rng.below(3) == 0 {
        let present = hh / 2 + rng.below(hh as u64 / 2) as u32;
        let agree = present / 2 + rng.below(present as u64 / 2 + 1) as u32;
        e.evidence.vote = Some(VoteCount {
            total: hh,
            present,
            agree: agree.min(present),
            form: VoteForm::Meeting,
        });
        e.evidence.meeting_date = slot
            .start()
            .checked_add_days(chrono::Days::new(rng.below(80)));
        e.evidence.minutes = format!("BB-{:02}/{}", 1 + rng.below(40), slot.year());
    }
    e.evidence.responsible = format!(
        "{} {} {}",
        FAMILY[rng.below(10) as usize],
        MIDDLE[rng.below(6) as usize],
        GIVEN[rng.below(10) as usize]
    );
    e.version = 1;
    e
}
