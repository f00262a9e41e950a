//! Members and roles: who may change what.
//!
//! Enforced by the service (direct mode and the server alike), not only hidden in the UI.

use super::audit::Actor;
use super::ward::{BranchId, GroupId, WARD_GROUP};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything, including members and the template.
    Admin,
    /// The groups of their branches.
    BranchEditor,
    /// Their own group.
    GroupLeader,
    /// Read only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::BranchEditor,
        Role::GroupLeader,
        Role::Viewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::BranchEditor => "branch",
            Role::GroupLeader => "group",
            Role::Viewer => "viewer",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        match super::text::fold(s).trim() {
            "admin" | "quan tri" => Some(Role::Admin),
            "branch" | "branch-editor" | "chi bo" => Some(Role::BranchEditor),
            "group" | "group-leader" | "to truong" | "to" => Some(Role::GroupLeader),
            "viewer" | "xem" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Role::Admin => "quản trị phường",
            Role::BranchEditor => "biên tập chi bộ",
            Role::GroupLeader => "tổ trưởng",
            Role::Viewer => "chỉ xem",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Admin => "ward administrator",
            Role::BranchEditor => "branch editor",
            Role::GroupLeader => "group leader",
            Role::Viewer => "viewer",
        }
    }

    /// The u8 stored on disk.
    pub fn to_u8(self) -> u8 {
        self as u8
    }

    pub fn from_u8(v: u8) -> Option<Role> {
        Role::ALL.get(v as usize).copied()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub role: Role,
    /// For branch editors.
    pub branches: Vec<BranchId>,
    /// For group leaders.
    pub groups: Vec<GroupId>,
    /// The Unix account this member logs in with on the ward server, if fixed.
    pub unix_user: Option<String>,
    pub has_pin: bool,
}

/// Who is working in a session, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub actor: Actor,
    pub role: Role,
    pub branches: Vec<BranchId>,
    pub groups: Vec<GroupId>,
    /// No members are defined yet: everyone is an administrator until one is added.
    pub bootstrap: bool,
}

/// What a refused action needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Needed {
    Admin,
    /// A branch editor of the group's branch, or an administrator.
    BranchOf(GroupId),
    /// The group's leader, its branch editor, or an administrator.
    GroupOf(GroupId),
}

impl Session {
    pub fn admin(actor: Actor, bootstrap: bool) -> Session {
        Session {
            actor,
            role: Role::Admin,
            branches: vec![],
            groups: vec![],
            bootstrap,
        }
    }

    pub fn viewer(actor: Actor) -> Session {
        Session {
            actor,
            role: Role::Viewer,
            branches: vec![],
            groups: vec![],
            bootstrap: false,
        }
    }

    pub fn for_member(m: &Member, os_user: &str) -> Session {
        Session {
            actor: Actor::new(m.name.clone(), os_user),
            role: m.role,
            branches: m.branches.clone(),
            groups: m.groups.clone(),
            bootstrap: false,
        }
    }

    pub fn require_admin(&self) -> Result<(), Needed> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Needed::Admin)
        }
    }

    /// May this session change the entries of `group` (in branch `branch`)?
    pub fn may_edit_group(&self, group: GroupId, branch: Option<BranchId>) -> Result<(), Needed> {
        let ok = match self.role {
            Role::Admin => true,
            Role::Viewer => false,
            Role::BranchEditor => {
                group != WARD_GROUP && branch.is_some_and(|b| self.branches.contains(&b))
            }
            Role::GroupLeader => group != WARD_GROUP && self.groups.contains(&group),
        };
        if ok {
            Ok(())
        } else if group == WARD_GROUP {
            Err(Needed::Admin)
        } else if self.role == Role::GroupLeader {
            Err(Needed::GroupOf(group))
        } else {
            Err(Needed::BranchOf(group))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role, branches: Vec<u32>, groups: Vec<u32>) -> Session {
        Session::for_member(
            &Member {
                name: "A".into(),
                role,
                branches,
                groups,
                unix_user: None,
                has_pin: false,
            },
            "a",
        )
    }

    #[test]
    fn each_role_edits_what_it_should() {
        let admin = member(Role::Admin, vec![], vec![]);
        let editor = member(Role::BranchEditor, vec![2], vec![]);
        let leader = member(Role::GroupLeader, vec![], vec![7]);
        let viewer = member(Role::Viewer, vec![], vec![]);
        assert!(admin.may_edit_group(WARD_GROUP, None).is_ok());
        assert!(editor.may_edit_group(5, Some(2)).is_ok());
        assert_eq!(editor.may_edit_group(5, Some(3)), Err(Needed::BranchOf(5)));
        assert_eq!(editor.may_edit_group(WARD_GROUP, None), Err(Needed::Admin));
        assert!(leader.may_edit_group(7, Some(1)).is_ok());
        assert_eq!(leader.may_edit_group(8, Some(1)), Err(Needed::GroupOf(8)));
        assert!(viewer.may_edit_group(7, Some(1)).is_err());
        assert!(editor.require_admin().is_err());
    }

    #[test]
    fn roles_parse_in_both_languages() {
        assert_eq!(Role::from_code("tổ trưởng"), Some(Role::GroupLeader));
        assert_eq!(Role::from_code("admin"), Some(Role::Admin));
        assert_eq!(Role::from_u8(Role::Viewer.to_u8()), Some(Role::Viewer));
    }
}
