//! Importing a roster: new branches and groups are added, groups already stored (same
//! name, ignoring diacritics and case) get the roster's households, leader, front
//! committee head and branch. All in one transaction with its audit records; a roster
//! that changes nothing writes nothing.

use super::records::*;
use super::{NEXT_BRANCH, NEXT_GROUP, Store, StoreError, u32_of};
use crate::domain::audit::{Actor, AuditRecord, Change};
use crate::domain::text::{clean, fold};
use crate::domain::ward::{Branch, Group, MAX_HOUSEHOLDS, MAX_NAME_CHARS, WARD_GROUP};
use crate::import::Roster;
use serde::{Deserialize, Serialize};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedGroup {
    pub name: String,
    pub branch: String,
    pub households: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedGroup {
    pub name: String,
    /// Fields: "branch", "households", "leader", "front_head".
    pub changes: Vec<Change>,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterChanges {
    pub branches_added: Vec<String>,
    pub groups_added: Vec<AddedGroup>,
    pub groups_changed: Vec<ChangedGroup>,
    /// Groups of the file already stored exactly so.
    pub unchanged: usize,
    /// Stored groups the file does not list: kept as they are.
    pub not_in_file: Vec<String>,
}

impl RosterChanges {
    pub fn writes_nothing(&self) -> bool {
        self.branches_added.is_empty()
            && self.groups_added.is_empty()
            && self.groups_changed.is_empty()
    }
}

struct Plan {
    changes: RosterChanges,
    next_branch: u32,
    next_group: u32,
    new_branches: Vec<Branch>,
    /// (before, after); `before` is `None` for a new group.
    groups: Vec<(Option<Group>, Group)>,
}

fn check_row(r: &crate::import::RosterRow) -> Result<(), StoreError> {
    let bad = |m: String| StoreError::Invalid(format!("row {}: {m}", r.row));
    if clean(&r.group).is_empty() || clean(&r.branch).is_empty() {
        return Err(bad("empty name".into()));
    }
    for s in [
        Some(&r.group),
        Some(&r.branch),
        r.leader.as_ref(),
        r.front_head.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        if s.chars().count() > MAX_NAME_CHARS {
            return Err(bad(format!("longer than {MAX_NAME_CHARS} characters")));
        }
    }
    if !(1..=MAX_HOUSEHOLDS).contains(&r.households) {
        return Err(bad(format!("{} households", r.households)));
    }
    Ok(())
}

impl Store {
    fn plan_roster(&self, roster: &Roster) -> Result<Plan, StoreError> {
        let branches = self.branches()?;
        let stored = self.groups()?;
        let mut next_branch = self.next_id(NEXT_BRANCH)?;
        let mut next_group = self.next_id(NEXT_GROUP)?;
        let mut all_branches = branches.clone();
        let mut plan = Plan {
            changes: RosterChanges::default(),
            next_branch,
            next_group,
            new_branches: Vec::new(),
            groups: Vec::new(),
        };
        let mut seen = std::collections::HashSet::new();
        // Looked up by folded name for every row: indexes, not scans (a city's roster
        // has 100,000 rows).
        let mut branch_by_name: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for (i, b) in all_branches.iter().enumerate() {
            branch_by_name.entry(fold(&b.name)).or_insert(i);
        }
        let mut group_by_name: std::collections::HashMap<String, &Group> =
            std::collections::HashMap::new();
        for g in &stored {
            group_by_name.entry(fold(&g.name)).or_insert(g);
        }
        let mut branch_names: std::collections::HashMap<u32, String> = all_branches
            .iter()
            .map(|b| (b.id, b.name.clone()))
            .collect();
        for r in &roster.rows {
            check_row(r)?;
            let gname = clean(&r.group);
            let gkey = fold(&gname);
            if !seen.insert(gkey.clone()) {
                return Err(StoreError::Invalid(format!(
                    "row {}: group {gname:?} is listed twice",
                    r.row
                )));
            }
            let bname = clean(&r.branch);
            let bkey = fold(&bname);
            let branch = match branch_by_name.get(&bkey) {
                Some(&i) => all_branches[i].clone(),
                None => {
                    let b = Branch {
                        id: next_branch,
                        name: bname.clone(),
                    };
                    next_branch += 1;
                    plan.changes.branches_added.push(bname.clone());
                    plan.new_branches.push(b.clone());
                    branch_by_name.insert(bkey, all_branches.len());
                    branch_names.insert(b.id, b.name.clone());
                    all_branches.push(b.clone());
                    b
                }
            };
            let leader = r.leader.as_deref().map(clean);
            let front = r.front_head.as_deref().map(clean);
            match group_by_name.get(&gkey).copied() {
                None => {
                    let g = Group {
                        id: next_group,
                        branch: branch.id,
                        name: gname.clone(),
                        leader: leader.unwrap_or_default(),
                        front_head: front.unwrap_or_default(),
                        households: r.households,
                    };
                    next_group += 1;
                    plan.changes.groups_added.push(AddedGroup {
                        name: gname,
                        branch: branch.name.clone(),
                        households: r.households,
                    });
                    plan.groups.push((None, g));
                }
                Some(old) => {
                    let mut new = old.clone();
                    new.branch = branch.id;
                    new.households = r.households;
                    if let Some(l) = leader {
                        new.leader = l;
                    }
                    if let Some(f) = front {
                        new.front_head = f;
                    }
                    let bname_of = |id| branch_names.get(&id).cloned().unwrap_or_default();
                    let mut changes = Vec::new();
                    let mut diff = |field: &str, a: String, b: String| {
                        if a != b {
                            changes.push(Change {
                                field: field.into(),
                                old: a,
                                new: b,
                            });
                        }
                    };
                    diff("branch", bname_of(old.branch), bname_of(new.branch));
                    diff(
                        "households",
                        old.households.to_string(),
                        new.households.to_string(),
                    );
                    diff("leader", old.leader.clone(), new.leader.clone());
                    diff("front_head", old.front_head.clone(), new.front_head.clone());
                    if changes.is_empty() {
                        plan.changes.unchanged += 1;
                    } else {
                        plan.changes.groups_changed.push(ChangedGroup {
                            name: old.name.clone(),
                            changes,
                        });
                        plan.groups.push((Some(old.clone()), new));
                    }
                }
            }
        }
        plan.changes.not_in_file = stored
            .iter()
            .filter(|g| !seen.contains(&fold(&g.name)))
            .map(|g| g.name.clone())
            .collect();
        plan.next_branch = next_branch;
        plan.next_group = next_group;
        Ok(plan)
    }

    /// Import a roster (see the module doc). With `dry_run`, only say what would change.
    pub fn apply_roster(
        &self,
        roster: &Roster,
        actor: &Actor,
        at_ms: i64,
        dry_run: bool,
    ) -> Result<RosterChanges, StoreError> {
        for _ in 0..10 {
            let base_branch = self.next_id(NEXT_BRANCH)?;
            let base_group = self.next_id(NEXT_GROUP)?;
            let plan = self.plan_roster(roster)?;
            if dry_run || plan.changes.writes_nothing() {
                return Ok(plan.changes);
            }
            let c = &plan.changes;
            let mut records = vec![AuditRecord {
                seq: 0,
                at_ms,
                actor: actor.clone(),
                action: "import".into(),
                group: WARD_GROUP,
                item: String::new(),
                period: String::new(),
                changes: vec![Change {
                    field: "roster".into(),
                    old: String::new(),
                    new: format!(
                        "+{} branches, +{} groups, {} groups changed",
                        c.branches_added.len(),
                        c.groups_added.len(),
                        c.groups_changed.len()
                    ),
                }],
                undoes: None,
            }];
            for (old, new) in &plan.groups {
                let changes = match old {
                    None => vec![
                        Change {
                            field: "group".into(),
                            old: String::new(),
                            new: new.name.clone(),
                        },
                        Change {
                            field: "households".into(),
                            old: String::new(),
                            new: new.households.to_string(),
                        },
                    ],
                    Some(o) => c
                        .groups_changed
                        .iter()
                        .find(|x| x.name == o.name)
                        .map(|x| x.changes.clone())
                        .unwrap_or_default(),
                };
                records.push(AuditRecord {
                    seq: 0,
                    at_ms,
                    actor: actor.clone(),
                    action: if old.is_none() {
                        "add-group".into()
                    } else {
                        "update-group".into()
                    },
                    group: new.id,
                    item: String::new(),
                    period: String::new(),
                    changes,
                    undoes: None,
                });
            }
            let result = (
                &self.branches,
                &self.groups,
                &self.group_names,
                &self.log,
                &self.meta,
            )
                .transaction(|(tb, tg, tn, tl, tm)| {
                    // Someone else wrote first: plan again.
                    let retry = || ConflictableTransactionError::Abort(());
                    let nb = tm.get(NEXT_BRANCH)?.and_then(|v| u32_of(&v)).unwrap_or(1);
                    let ng = tm.get(NEXT_GROUP)?.and_then(|v| u32_of(&v)).unwrap_or(1);
                    if nb != base_branch || ng != base_group {
                        return Err(retry());
                    }
                    for b in &plan.new_branches {
                        tb.insert(
                            &b.id.to_be_bytes(),
                            encode(&BranchV1 {
                                name: b.name.clone(),
                            }),
                        )?;
                    }
                    for (old, new) in &plan.groups {
                        let key = new.id.to_be_bytes();
                        let current = tg.get(key)?;
                        let expected = old.as_ref().map(|o| encode(&GroupV2::from(o)));
                        if current.as_deref() != expected.as_deref() {
                            return Err(retry());
                        }
                        tg.insert(&key, encode(&GroupV2::from(new)))?;
                        if let Some(o) = old {
                            tn.remove(super::layout::group_name_key(&o.name, o.id))?;
                        }
                        tn.insert(super::layout::group_name_key(&new.name, new.id), &[])?;
                    }
                    tm.insert(NEXT_BRANCH, &plan.next_branch.to_be_bytes())?;
                    tm.insert(NEXT_GROUP, &plan.next_group.to_be_bytes())?;
                    super::layout::tx_append_audit(tl, tm, &records, &|| ())?;
                    Ok(())
                });
            match result {
                Ok(()) => {
                    self.flush()?;
                    return Ok(plan.changes);
                }
                Err(TransactionError::Abort(())) => continue,
                Err(TransactionError::Storage(e)) => return Err(self.map_err(e)),
            }
        }
        Err(StoreError::Io {
            path: self.path.clone(),
            detail: "the roster could not be written: the database kept changing".into(),
        })
    }
}
