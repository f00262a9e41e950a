//! Unsaved forms kept on disk, so that quitting, a crash or a dropped SSH session loses
//! nothing typed: one small JSON file per database and member in the platform state
//! folder (`~/.local/state/qcdc/drafts/` on Linux, the local app-data folder on
//! Windows; `QCDC_STATE_DIR` overrides it). Offered back on the next start.
//!
//! The file is written whole to a temporary file and renamed over the old one after
//! every change, so it is either the old or the new list, never half of one.

use super::form::Field;
use crate::domain::entry::StepStatus;
use crate::domain::period::Period;
use crate::domain::vote::VoteForm;
use crate::domain::ward::GroupId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which entry a draft belongs to: group, item code, the period its entry is kept for.
pub type DraftKey = (GroupId, String, Period);

/// An entry form as a cadre left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub group: GroupId,
    pub item: String,
    pub slot: Period,
    pub group_name: String,
    /// The version of the entry the form was opened on.
    pub base_version: u64,
    pub steps: [StepStatus; 6],
    pub vote_form: VoteForm,
    /// Drafts kept before the removal flag existed read as "not a removal".
    #[serde(default)]
    pub removal: bool,
    pub texts: Vec<(Field, String)>,
    pub sel: usize,
}

impl Draft {
    pub fn key(&self) -> DraftKey {
        (self.group, self.item.clone(), self.slot)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct DraftFile {
    version: u32,
    database: String,
    member: String,
    drafts: Vec<Draft>,
}

/// Where one database's drafts for one member live.
#[derive(Debug, Clone)]
pub struct DraftStore {
    path: PathBuf,
    database: String,
    member: String,
}

/// The state folder: `QCDC_STATE_DIR`, else the platform's.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("QCDC_STATE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("vn", "qcdc", "qcdc").map(|d| {
        d.state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| d.data_local_dir().to_path_buf())
    })
}

/// A short, stable, file-name-safe tag of a text (FNV-1a, 64 bits).
fn tag(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

impl DraftStore {
    /// The drafts of `member` on the database at `db`, kept under `dir`.
    pub fn new(dir: &Path, db: &Path, member: &str) -> DraftStore {
        let database = std::fs::canonicalize(db)
            .unwrap_or_else(|_| db.to_path_buf())
            .display()
            .to_string();
        let path = dir
            .join("drafts")
            .join(format!("{}-{}.json", tag(&database), tag(member)));
        DraftStore {
            path,
            database,
            member: member.to_string(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The drafts kept; a missing file is none, an unreadable one is set aside (renamed
    /// `.bad`) so that it is neither lost nor read again.
    pub fn load(&self) -> BTreeMap<DraftKey, Draft> {
        let Ok(bytes) = std::fs::read(&self.path) else {
            return BTreeMap::new();
        };
        match serde_json::from_slice::<DraftFile>(&bytes) {
            Ok(f) if f.version == 1 => f.drafts.into_iter().map(|d| (d.key(), d)).collect(),
            _ => {
                let _ = std::fs::rename(&self.path, self.path.with_extension("bad"));
                BTreeMap::new()
            }
        }
    }

    /// Keep exactly these drafts (none: the file is removed).
    pub fn save<'a>(&self, drafts: impl Iterator<Item = &'a Draft>) -> std::io::Result<()> {
        let drafts: Vec<Draft> = drafts.cloned().collect();
        if drafts.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let file = DraftFile {
            version: 1,
            database: self.database.clone(),
            member: self.member.clone(),
            drafts,
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.path.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(group: GroupId, item: &str) -> Draft {
        Draft {
            group,
            item: item.into(),
            slot: Period::Quarter(2026, 4),
            group_name: format!("Tổ {group}"),
            base_version: 3,
            steps: [StepStatus::Done; 6],
            vote_form: VoteForm::Ballot,
            removal: false,
            texts: vec![(Field::Note, "Ghi chú có dấu".into())],
            sel: 2,
        }
    }

    #[test]
    fn drafts_survive_a_restart_per_database_and_member() {
        let dir = tempfile::tempdir().unwrap();
        let lan = DraftStore::new(dir.path(), Path::new("/srv/a.db"), "Lan");
        let minh = DraftStore::new(dir.path(), Path::new("/srv/a.db"), "Minh");
        let (a, b) = (draft(1, "CK-01"), draft(3, "BQ-01"));
        lan.save([&a, &b].into_iter()).unwrap();
        let back = lan.load();
        assert_eq!(back.len(), 2);
        assert_eq!(back[&a.key()], a);
        assert!(minh.load().is_empty(), "another member's drafts are apart");
        lan.save(std::iter::empty()).unwrap();
        assert!(!lan.path().exists());
    }

    #[test]
    fn an_unreadable_file_is_set_aside_not_lost() {
        let dir = tempfile::tempdir().unwrap();
        let s = DraftStore::new(dir.path(), Path::new("x.db"), "Lan");
        std::fs::create_dir_all(s.path().parent().unwrap()).unwrap();
        std::fs::write(s.path(), b"{not json").unwrap();
        assert!(s.load().is_empty());
        assert!(s.path().with_extension("bad").exists());
    }
}
