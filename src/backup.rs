//! Backups and restore.
//!
//! A backup is the whole database as an export document (docs/export-json.md), read
//! consistently through the service (so also while the ward server runs), written to a
//! temporary file, flushed to disk and renamed into place: a backup file is complete or
//! absent. Its name carries the ward and the time (`qcdc-phuong-an-binh-20261122-153000.json`);
//! a `.sha256` file beside it lets `sha256sum -c` check it, and the document also
//! carries the checksum of its own content. The oldest backups beyond `keep` are removed.
//!
//! Restore verifies the file (JSON, checksum, consistency) before touching anything,
//! refuses while the database is open in another process, builds the new database
//! beside the old one, reads it back, and only then swaps the folders by renaming,
//! keeping the old database as `<db>.before-restore`.
//!
//! Nothing the size of the database is held: a backup is streamed from the store's
//! trees into the file (the checksum computed as it is written), and a restore reads
//! the file twice — once to verify it, once to write it in bounded batches.

use crate::domain::text;
use crate::i18n::Lang;
use crate::service::{Service, ServiceError};
use crate::store::snapshot::{ImportError, Verified, verify_document};
use crate::store::{Store, StoreError};
use crate::transfer::{ExportSummary, Problem};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum BackupError {
    Service(ServiceError),
    Io {
        path: PathBuf,
        detail: String,
    },
    /// The file is not a usable backup (not JSON, not ours, checksum wrong).
    Damaged {
        path: PathBuf,
        problem: Problem,
    },
    /// The document is readable but inconsistent.
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
    /// The database is open in another process.
    Locked {
        path: PathBuf,
    },
    /// The target is a folder that is not a qcdc database.
    NotADatabase {
        path: PathBuf,
    },
}

impl std::fmt::Display for BackupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for BackupError {}

impl From<ServiceError> for BackupError {
    fn from(e: ServiceError) -> Self {
        BackupError::Service(e)
    }
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Service(ServiceError::Store(e))
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |e| BackupError::Io {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

impl BackupError {
    pub fn message(&self, lang: Lang) -> String {
        let en = lang.is_en();
        match self {
            BackupError::Service(e) => e.message(lang),
            BackupError::Io { path, detail } => {
                if en {
                    format!("Cannot write or read {}: {detail}", path.display())
                } else {
                    format!("Không ghi/đọc được {}: {detail}", path.display())
                }
            }
            BackupError::Damaged { path, problem } => {
                if en {
                    format!(
                        "{} is not a usable backup: {}. Nothing was changed.",
                        path.display(),
                        problem.message(true)
                    )
                } else {
                    format!(
                        "{} không phải bản sao lưu dùng được: {}. Chưa thay đổi gì.",
                        path.display(),
                        problem.message(false)
                    )
                }
            }
            BackupError::Invalid { path, problems } => {
                let list: Vec<String> = problems.iter().take(10).map(|p| p.message(en)).collect();
                if en {
                    format!(
                        "{} is inconsistent ({} problems): {}. Nothing was changed.",
                        path.display(),
                        problems.len(),
                        list.join("; ")
                    )
                } else {
                    format!(
                        "{} không nhất quán ({} lỗi): {}. Chưa thay đổi gì.",
                        path.display(),
                        problems.len(),
                        list.join("; ")
                    )
                }
            }
            BackupError::Locked { path } => {
                if en {
                    format!(
                        "The database {} is open in another qcdc process (the TUI or the ward server). \
                         Close it, then restore. Nothing was changed.",
                        path.display()
                    )
                } else {
                    format!(
                        "Cơ sở dữ liệu {} đang được một chương trình qcdc khác mở (giao diện hoặc máy chủ phường). \
                         Hãy đóng nó rồi khôi phục. Chưa thay đổi gì.",
                        path.display()
                    )
                }
            }
            BackupError::NotADatabase { path } => {
                if en {
                    format!(
                        "{} holds files that are not a qcdc database; restore will not move them. \
                         Choose another --db.",
                        path.display()
                    )
                } else {
                    format!(
                        "{} chứa tệp không phải cơ sở dữ liệu qcdc; qcdc không di chuyển chúng. Chọn --db khác.",
                        path.display()
                    )
                }
            }
        }
    }
}

/// The backup folder when none is named: `backups` beside the database folder.
pub fn default_dir(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("backups")
}

/// "Phường An Bình" → "phuong-an-binh".
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in text::fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "ward".into() } else { out }
}

fn prefix(ward: &str) -> String {
    format!("qcdc-{}-", slug(ward))
}

/// This ward's backups in `dir`, oldest first (the names sort by time).
pub fn list_backups(dir: &Path, ward: &str) -> Vec<PathBuf> {
    let pre = prefix(ward);
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&pre) && n.ends_with(".json"))
        })
        .collect();
    // "…-153000.json" before "…-153000-2.json" (a plain sort puts '-' before '.').
    out.sort_by_key(|p| {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let stem = name.trim_end_matches(".json").to_string();
        let stamp_len = pre.len() + "20260101-000000".len();
        let (stamp, rest) = stem.split_at(stamp_len.min(stem.len()));
        let n: u32 = rest.trim_start_matches('-').parse().unwrap_or(1);
        (stamp.to_string(), n)
    });
    out
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    pub removed: Vec<PathBuf>,
}

/// Back up what `svc` serves into `dir`, keeping the newest `keep` (0: all). This is
/// what `qcdc backup` runs (directly or through the ward server).
pub fn backup(svc: &dyn Service, dir: &Path, keep: usize) -> Result<BackupInfo, BackupError> {
    let ward = svc.ward()?.name;
    let mut failed = None;
    let info = write_backup(
        &ward,
        dir,
        keep,
        chrono::Local::now().naive_local(),
        &mut |w| {
            svc.export_to(w).map_err(|e| {
                let m = e.message(Lang::En);
                failed = Some(e);
                std::io::Error::other(m)
            })
        },
    );
    match (info, failed) {
        (Err(_), Some(e)) => Err(BackupError::Service(e)),
        (info, _) => info,
    }
}

/// Back up a store this process holds open (the ward server's daily backup: no
/// session, so no member's permissions are involved).
pub fn backup_store(store: &Store, dir: &Path, keep: usize) -> Result<BackupInfo, BackupError> {
    let ward = store.ward()?.name;
    let mut failed = None;
    let info = write_backup(
        &ward,
        dir,
        keep,
        chrono::Local::now().naive_local(),
        &mut |w| {
            store.export_to(w).map_err(|e| {
                let m = e.to_string();
                failed = Some(e);
                std::io::Error::other(m)
            })
        },
    );
    match (info, failed) {
        (Err(_), Some(e)) => Err(e.into()),
        (info, _) => info,
    }
}

/// How many daily backups the ward server keeps.
pub const SERVER_KEEP: usize = 14;

fn sync_dir(dir: &Path) {
    // Make the rename itself durable (Unix); elsewhere there is nothing to open.
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Write a file whole or not at all: a temporary file beside it, flushed, renamed.
pub fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    write_durably_with(path, &mut |w| w.write_all(bytes))
}

/// [`write_durably`] for a file written piece by piece; returns what `write` returns.
pub fn write_durably_with<T>(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<T>,
) -> Result<T, BackupError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        let out = write(&mut f)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        Ok(out)
    })();
    match result {
        Ok(out) => {
            sync_dir(dir);
            Ok(out)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(io(path)(e))
        }
    }
}

/// Write a new backup of the ward `ward` named for `now` (`export` writes the
/// document), then prune.
pub fn write_backup(
    ward: &str,
    dir: &Path,
    keep: usize,
    now: chrono::NaiveDateTime,
    export: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<ExportSummary>,
) -> Result<BackupInfo, BackupError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let stamp = now.format("%Y%m%d-%H%M%S").to_string();
    let base = format!("{}{stamp}", prefix(ward));
    let mut path = dir.join(format!("{base}.json"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{base}-{n}.json"));
        n += 1;
    }
    let (sum, bytes) = write_durably_with(&path, &mut |w| {
        let mut h = crate::transfer::HashingWriter::new(w);
        export(&mut h)?;
        Ok((h.hex(), h.bytes))
    })?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let side = PathBuf::from(format!("{}.sha256", path.display()));
    write_durably(&side, format!("{sum}  {file_name}\n").as_bytes())?;
    let mut removed = Vec::new();
    if keep > 0 {
        let all = list_backups(dir, ward);
        if all.len() > keep {
            for old in &all[..all.len() - keep] {
                if std::fs::remove_file(old).is_ok() {
                    let _ = std::fs::remove_file(format!("{}.sha256", old.display()));
                    removed.push(old.clone());
                }
            }
        }
    }
    Ok(BackupInfo {
        path,
        bytes,
        sha256: sum,
        removed,
    })
}

/// What went wrong importing `path`, as a backup error.
pub fn import_error(path: &Path, e: ImportError) -> BackupError {
    match e {
        ImportError::Io(e) => io(path)(e),
        ImportError::Damaged(problem) => BackupError::Damaged {
            path: path.to_path_buf(),
            problem,
        },
        ImportError::Invalid(problems) => BackupError::Invalid {
            path: path.to_path_buf(),
            problems,
        },
        ImportError::Store(e) => e.into(),
    }
}

/// Opens `path` anew for each reading of a document.
pub fn opener(path: &Path) -> impl FnMut() -> std::io::Result<Box<dyn std::io::Read>> + '_ {
    move || std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn std::io::Read>)
}

/// Read a backup (or any export document) through and verify it: JSON, ours,
/// checksum, consistency. Nothing of it is held but what importing it needs.
pub fn verify_backup(path: &Path) -> Result<Verified, BackupError> {
    verify_document(&mut opener(path)).map_err(|e| import_error(path, e))
}

/// Take the lock sled takes on an existing database, or say it is open elsewhere.
/// Holding the returned file keeps other qcdc processes out until it is dropped.
pub fn lock_database(db: &Path) -> Result<Option<std::fs::File>, BackupError> {
    use fs2::FileExt;
    let file = db.join("db");
    if !file.is_file() {
        return Ok(None);
    }
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&file)
        .map_err(io(&file))?;
    match f.try_lock_exclusive() {
        Ok(()) => Ok(Some(f)),
        Err(_) => Err(BackupError::Locked {
            path: db.to_path_buf(),
        }),
    }
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "ward.db".into());
    db.with_file_name(format!("{name}{suffix}"))
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RestoreInfo {
    pub ward: String,
    pub groups: usize,
    pub entries: usize,
    pub audit: usize,
    /// Where the database that was replaced now is.
    pub previous: Option<PathBuf>,
}

/// Does this folder look like something sled wrote (even damaged)?
fn sled_like(dir: &Path) -> bool {
    ["conf", "db", "blobs", "snap"].iter().any(|f| {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n == *f || n.starts_with("snap."))
            })
    })
}

/// Replace the database at `db` with the backup `file` (see the module doc).
pub fn restore(file: &Path, db: &Path) -> Result<RestoreInfo, BackupError> {
    let verified = verify_backup(file)?;
    let empty = std::fs::read_dir(db)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if db.exists() && (!db.is_dir() || (!empty && !sled_like(db))) {
        return Err(BackupError::NotADatabase {
            path: db.to_path_buf(),
        });
    }
    let _lock = lock_database(db)?;
    let tmp = sibling(db, ".restore-tmp");
    if tmp.exists() {
        // Left by an interrupted restore: it never became the database.
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    let info = RestoreInfo {
        ward: verified.info.ward.clone(),
        groups: verified.info.groups,
        entries: verified.info.entries as usize,
        audit: verified.info.audit as usize,
        previous: None,
    };
    let sha = verified.info.sha256.clone();
    let tmp_path = tmp.clone();
    let built = (move || -> Result<(), BackupError> {
        let tmp = tmp_path;
        let store = Store::import_verified(&tmp, &mut opener(file), &verified)
            .map_err(|e| import_error(file, e))?;
        drop(store);
        drop(verified);
        // Read it back from disk: the database must hold exactly the backup (its
        // document, streamed into the checksum only).
        let store = Store::reopen(&tmp)?;
        let back = store.export_checksum()?;
        if back.sha256 != sha {
            return Err(BackupError::Io {
                path: tmp.clone(),
                detail: "the restored database does not read back as the backup".into(),
            });
        }
        Ok(())
    })();
    if let Err(e) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let mut previous = None;
    if db.exists() {
        let mut aside = sibling(db, ".before-restore");
        if aside.exists() {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            aside = sibling(db, &format!(".before-restore-{stamp}"));
        }
        std::fs::rename(db, &aside).map_err(io(db))?;
        previous = Some(aside);
    }
    if let Err(e) = std::fs::rename(&tmp, db) {
        // Put the old one back rather than leave no database.
        if let Some(p) = &previous {
            let _ = std::fs::rename(p, db);
        }
        return Err(io(db)(e));
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent);
    }
    Ok(RestoreInfo { previous, ..info })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_tidy() {
        assert_eq!(slug("Phường Bến Thành"), "phuong-ben-thanh");
        assert_eq!(slug("  Đồng / Tâm  "), "dong-tam");
        assert_eq!(slug("!!"), "ward");
    }
}
