//! The audit trail: who changed what, when, from what to what.

use serde::{Deserialize, Serialize};

/// Who is working: the member named at start (shared PCs) and the OS account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub member: String,
    pub os_user: String,
}

impl Actor {
    pub fn new(member: impl Into<String>, os_user: impl Into<String>) -> Actor {
        Actor {
            member: member.into(),
            os_user: os_user.into(),
        }
    }

    /// The OS user of this process as the environment says (USER on Unix, USERNAME on
    /// Windows): only a fallback where the system names nobody — an environment
    /// variable is not an identity (see `app::connect::actor`).
    pub fn os_user_from_env() -> String {
        // Cleaned: the name goes into the audit log that other people read, and an
        // environment variable can hold terminal escape sequences.
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .map(|u| {
                super::text::clean(&u)
                    .chars()
                    .take(super::ward::MAX_NAME_CHARS)
                    .collect::<String>()
            })
            .unwrap_or_default();
        if name.is_empty() {
            "unknown".to_string()
        } else {
            name
        }
    }

    pub fn label(&self) -> String {
        if self.member == self.os_user || self.member.is_empty() {
            self.os_user.clone()
        } else {
            format!("{} ({})", self.member, self.os_user)
        }
    }
}

/// One field changed by an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: u64,
    /// Milliseconds since the Unix epoch, UTC.
    pub at_ms: i64,
    pub actor: Actor,
    /// What was done: "mark", "vote", "edit", "undo", "add-branch", "add-group", "init"…
    pub action: String,
    pub group: u32,
    pub item: String,
    pub period: String,
    pub changes: Vec<Change>,
    /// For an undo: the record it reverses.
    pub undoes: Option<u64>,
}

impl AuditRecord {
    pub fn at_local_string(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.at_ms)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%d/%m/%Y %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default()
    }
}
