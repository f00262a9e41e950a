//! Backups and restore.
//!
//! A backup is the whole database as an export document (docs/export-json.md), read
//! consistently through the service (so also while the ward server runs), written to a
//! temporary file, flushed to disk and renamed into place: a backup file is complete or
//! absent. Its name carries the ward and the time (`qcdc-phuong-an-binh-20261122-153000.json`);
//! a `.sha256` file beside it lets `sha256sum -c` check it, and the document also
//! carries the checksum of its own content. The oldest backups beyond `keep` are removed.
//!
//! The rotation counts and removes only files that verify as this ward's backups;
//! killed backups' temporary files are cleaned up by the next one.
//!
//! Restore verifies the file (JSON, checksum, consistency) before touching anything,
//! refuses while the database is open in another process, builds the new database
//! beside the old one, reads it back, and only then swaps the folders by renaming,
//! keeping the old database as `<db>.before-restore`. A marker written before the swap
//! and removed after lets the next open finish or undo a swap that was cut short.
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
    /// The caller may not do this (restore needs a ward administrator); the message is
    /// already in the caller's language.
    Forbidden {
        message: String,
    },
    /// A restore that needed a yes did not get one; the message says why and how.
    NotConfirmed {
        message: String,
    },
    /// A restore was interrupted and what it left cannot be put right automatically.
    Interrupted {
        db: PathBuf,
        detail: String,
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
            BackupError::Forbidden { message } | BackupError::NotConfirmed { message } => {
                message.clone()
            }
            BackupError::Interrupted { db, detail } => {
                if en {
                    format!(
                        "A restore into {} was interrupted and cannot be finished automatically: {detail}. \
                         Nothing was deleted; ask for help before moving the folders by hand.",
                        db.display()
                    )
                } else {
                    format!(
                        "Một lần khôi phục vào {} bị ngắt và không tự hoàn tất được: {detail}. \
                         Chưa xóa gì; hãy nhờ hỗ trợ trước khi tự di chuyển các thư mục.",
                        db.display()
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

/// The time stamp and the counter in a backup's name (`…-20261122-153000-2.json` →
/// ("20261122-153000", 2)); `None` for a name that is not one of `pre`'s backups.
fn stamp_of(pre: &str, path: &Path) -> Option<(String, u32)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_prefix(pre)?.strip_suffix(".json")?;
    let (stamp, rest) = stem.split_at_checked("20260101-000000".len())?;
    let date_ok = stamp.bytes().enumerate().all(|(i, b)| {
        if i == 8 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    let n = match rest {
        "" => 1,
        r => r.strip_prefix('-')?.parse().ok()?,
    };
    date_ok.then(|| (stamp.to_string(), n))
}

/// Files named like this ward's backups in `dir`, oldest first (the names sort by
/// time). Only names: [`is_backup_of`] says whether one really is.
pub fn list_backups(dir: &Path, ward: &str) -> Vec<PathBuf> {
    let pre = prefix(ward);
    let mut out: Vec<((String, u32), PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter_map(|p| stamp_of(&pre, &p).map(|k| (k, p)))
        .collect();
    // "…-153000.json" before "…-153000-2.json" (a plain sort puts '-' before '.').
    out.sort();
    out.into_iter().map(|(_, p)| p).collect()
}

/// Is `path` a backup of the ward `ward` whose content matches its checksum? (Read
/// through: a file that only looks like one — planted, cut short, another ward's with
/// a name that folds the same — is never counted, nor removed, by the rotation.)
pub fn is_backup_of(path: &Path, ward: &str) -> bool {
    verify_backup(path).is_ok_and(|v| v.info.ward == ward && v.info.checksum_ok())
}

/// How many backups a rotation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every one (`qcdc backup --keep 0`).
    All,
    /// The newest `n` (`qcdc backup --keep N`).
    Last(usize),
    /// Every backup of the `n` most recent days that have one (the ward server's daily
    /// backups: however often it restarts, older days are not pushed out).
    Days(usize),
}

impl Keep {
    /// `--keep N`: 0 keeps all.
    pub fn last(n: usize) -> Keep {
        if n == 0 { Keep::All } else { Keep::Last(n) }
    }
}

/// What a rotation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Rotation {
    /// Old backups removed (each with its `.sha256`).
    pub removed: Vec<PathBuf>,
    /// Files named like this ward's backups that are not (another ward's, damaged,
    /// foreign): neither counted nor removed.
    pub ignored: Vec<PathBuf>,
    /// Temporary files of backups that were killed while writing, removed.
    pub cleaned: usize,
}

/// Remove this ward's oldest verified backups beyond `keep`; never a file that does
/// not verify as one of its backups. `fresh` (just written and checked) is not read again.
pub fn rotate(dir: &Path, ward: &str, keep: Keep, fresh: Option<&Path>) -> Rotation {
    let mut rot = Rotation {
        cleaned: clean_stale_temporaries(dir, ward),
        ..Rotation::default()
    };
    if keep == Keep::All {
        return rot;
    }
    let pre = prefix(ward);
    let mut valid = Vec::new();
    for p in list_backups(dir, ward) {
        if Some(p.as_path()) == fresh || is_backup_of(&p, ward) {
            valid.push(p);
        } else {
            rot.ignored.push(p);
        }
    }
    let doomed: Vec<PathBuf> = match keep {
        Keep::All => Vec::new(),
        Keep::Last(n) => valid[..valid.len().saturating_sub(n)].to_vec(),
        Keep::Days(n) => {
            let day = |p: &Path| stamp_of(&pre, p).map(|(s, _)| s[..8].to_string());
            let mut days: Vec<String> = valid.iter().filter_map(|p| day(p)).collect();
            days.sort();
            days.dedup();
            let first_kept = days.len().saturating_sub(n);
            let kept = &days[first_kept..];
            valid
                .into_iter()
                .filter(|p| day(p).is_none_or(|d| !kept.contains(&d)))
                .collect()
        }
    };
    for old in doomed {
        if std::fs::remove_file(&old).is_ok() {
            let _ = std::fs::remove_file(format!("{}.sha256", old.display()));
            rot.removed.push(old);
        }
    }
    rot
}

/// Does `dir` hold a verified backup of `ward` taken on `day`? (The ward server backs
/// up when it starts only if not: a day of restarts is one backup, not fourteen.)
pub fn has_backup_of_day(dir: &Path, ward: &str, day: chrono::NaiveDate) -> bool {
    let pre = prefix(ward);
    let want = day.format("%Y%m%d").to_string();
    list_backups(dir, ward)
        .iter()
        .rev()
        .filter(|p| stamp_of(&pre, p).is_some_and(|(s, _)| s.starts_with(&want)))
        .any(|p| is_backup_of(p, ward))
}

/// Temporary files a killed backup left (`.qcdc-<ward>-….tmp`): each is locked while
/// its writer lives, so one that can be locked, and has not changed for a minute, is
/// an orphan. Returns how many were removed.
fn clean_stale_temporaries(dir: &Path, ward: &str) -> usize {
    use fs2::FileExt;
    let pre = format!(".{}", prefix(ward));
    let mut n = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !(name.starts_with(&pre) && name.ends_with(".tmp")) {
            continue;
        }
        let path = e.path();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        let Ok(f) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
        else {
            continue;
        };
        if old && f.try_lock_exclusive().is_ok() {
            drop(f);
            if std::fs::remove_file(&path).is_ok() {
                n += 1;
            }
        }
    }
    n
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// What the rotation did.
    pub rotation: Rotation,
}

/// Back up what `svc` serves into `dir`, then rotate (see [`rotate`]). This is
/// what `qcdc backup` runs (directly or through the ward server).
pub fn backup(svc: &dyn Service, dir: &Path, keep: Keep) -> Result<BackupInfo, BackupError> {
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
pub fn backup_store(store: &Store, dir: &Path, keep: Keep) -> Result<BackupInfo, BackupError> {
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

/// The ward server keeps the backups of the last 14 days that have one.
pub const SERVER_KEEP: Keep = Keep::Days(14);

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
        // Held while this process writes: a file nobody holds is a killed writer's
        // orphan, which the next backup removes. (Not every file system locks.)
        let _ = fs2::FileExt::try_lock_exclusive(&f);
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
    keep: Keep,
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
    let rotation = rotate(dir, ward, keep, Some(&path));
    Ok(BackupInfo {
        path,
        bytes,
        sha256: sum,
        rotation,
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
/// Holding the returned file keeps other qcdc processes out until it is dropped. A
/// database this process has just closed is waited for a moment: sled lets go of its
/// lock from its own threads, shortly after the handle is dropped.
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
    let start = std::time::Instant::now();
    loop {
        match f.try_lock_exclusive() {
            Ok(()) => return Ok(Some(f)),
            Err(_) if start.elapsed() < std::time::Duration::from_secs(2) => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(_) => {
                return Err(BackupError::Locked {
                    path: db.to_path_buf(),
                });
            }
        }
    }
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "ward.db".into());
    db.with_file_name(format!("{name}{suffix}"))
}

/// Tests stop a restore at a named point as a power cut would (`QCDC_FAILPOINT`).
fn failpoint(name: &str) {
    if std::env::var("QCDC_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
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

/// Written (durably) beside the database before a restore swaps the folders, removed
/// after: its presence means the swap may have been cut short.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct RestoreMarker {
    /// The backup being restored (for the message).
    backup: String,
    /// What the replaced database is renamed to: `<db><aside>`.
    aside: String,
}

const RESTORE_TMP: &str = ".restore-tmp";
const RESTORE_MARKER: &str = ".restoring";

/// What finishing an interrupted restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// The new database was in place or ready: the restore is complete; the replaced
    /// one is at `previous` (if there was one).
    Completed {
        backup: String,
        previous: Option<PathBuf>,
    },
    /// The swap had not begun (or only the old database was moved): it is back as it
    /// was before the restore.
    RolledBack { backup: String },
}

impl Resumed {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Resumed::Completed { backup, previous } => {
                let prev = previous.as_ref().map(|p| p.display().to_string());
                if lang.is_en() {
                    format!(
                        "A restore from {backup} was interrupted; it has now been completed.{}",
                        prev.map(|p| format!(" The previous database is kept at {p}."))
                            .unwrap_or_default()
                    )
                } else {
                    format!(
                        "Lần khôi phục từ {backup} bị ngắt giữa chừng; nay đã hoàn tất.{}",
                        prev.map(|p| format!(" CSDL cũ được giữ ở {p}."))
                            .unwrap_or_default()
                    )
                }
            }
            Resumed::RolledBack { backup } => {
                if lang.is_en() {
                    format!(
                        "A restore from {backup} was interrupted before it replaced the database; \
                         the database is as it was. Run `qcdc restore` again if you still want it."
                    )
                } else {
                    format!(
                        "Lần khôi phục từ {backup} bị ngắt trước khi thay CSDL; CSDL vẫn như trước. \
                         Chạy lại `qcdc restore` nếu vẫn cần khôi phục."
                    )
                }
            }
        }
    }
}

/// Finish or undo a restore that was cut short (killed, power cut) between writing
/// its marker and removing it — never leave "no database" while the data sits beside
/// it. `Ok(None)`: there was none, or the database is in use (the restore is then long
/// complete). Every open of a database calls this first.
pub fn resume_restore(db: &Path) -> Result<Option<Resumed>, BackupError> {
    let marker = sibling(db, RESTORE_MARKER);
    if !marker.is_file() {
        return Ok(None);
    }
    let interrupted = |detail: String| BackupError::Interrupted {
        db: db.to_path_buf(),
        detail,
    };
    let m: RestoreMarker = std::fs::read(&marker)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| interrupted(format!("{} cannot be read", marker.display())))?;
    if !m.aside.starts_with(".before-restore") || m.aside.contains(['/', '\\']) {
        return Err(interrupted(format!(
            "{} names {:?}",
            marker.display(),
            m.aside
        )));
    }
    let tmp = sibling(db, RESTORE_TMP);
    let aside = sibling(db, &m.aside);
    let db_there = db.is_dir() && sled_like(db);
    let _lock = if db_there {
        match lock_database(db) {
            Ok(l) => l,
            Err(BackupError::Locked { .. }) => return Ok(None),
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    #[cfg(windows)]
    drop(_lock);
    let done = |r: Resumed| -> Result<Option<Resumed>, BackupError> {
        std::fs::remove_file(&marker).map_err(io(&marker))?;
        if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
            sync_dir(parent);
        }
        Ok(Some(r))
    };
    let backup = m.backup.clone();
    match (db_there, tmp.is_dir(), aside.is_dir()) {
        // Nothing was swapped yet: the new copy goes, the database stays.
        (true, true, _) => {
            std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
            done(Resumed::RolledBack { backup })
        }
        // Both renames happened; only the marker was left.
        (true, false, aside_there) => done(Resumed::Completed {
            backup,
            previous: aside_there.then_some(aside),
        }),
        // The old database was moved aside, the new one (complete and verified before
        // the marker was written) not yet moved in: finish.
        (false, true, aside_there) => {
            if db.exists() {
                // An empty folder in the way (nothing of sled's in it).
                std::fs::remove_dir(db).map_err(io(db))?;
            }
            std::fs::rename(&tmp, db).map_err(io(db))?;
            done(Resumed::Completed {
                backup,
                previous: aside_there.then_some(aside),
            })
        }
        // Only the old database, moved aside: put it back.
        (false, false, true) => {
            if db.exists() {
                std::fs::remove_dir(db).map_err(io(db))?;
            }
            std::fs::rename(&aside, db).map_err(io(db))?;
            done(Resumed::RolledBack { backup })
        }
        (false, false, false) => Err(interrupted(format!(
            "neither {} nor {} is there",
            tmp.display(),
            aside.display()
        ))),
    }
}

/// Replace the database at `db` with the backup `file` (see the module doc).
pub fn restore(file: &Path, db: &Path) -> Result<RestoreInfo, BackupError> {
    restore_with(file, db, &mut |_| Ok(()))
}

/// [`restore`], asking `allow` first — with what the verified backup holds, before
/// anything is touched — whether it may go ahead (the command line checks the role,
/// and asks before replacing another ward or ending the member list).
pub fn restore_with(
    file: &Path,
    db: &Path,
    allow: &mut dyn FnMut(&crate::transfer::StreamInfo) -> Result<(), BackupError>,
) -> Result<RestoreInfo, BackupError> {
    let verified = verify_backup(file)?;
    let empty = std::fs::read_dir(db)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if db.exists() && (!db.is_dir() || (!empty && !sled_like(db))) {
        return Err(BackupError::NotADatabase {
            path: db.to_path_buf(),
        });
    }
    allow(&verified.info)?;
    resume_restore(db)?;
    let lock = lock_database(db)?;
    let tmp = sibling(db, RESTORE_TMP);
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
    let mut aside_suffix = ".before-restore".to_string();
    if sibling(db, &aside_suffix).exists() {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        aside_suffix = format!(".before-restore-{stamp}");
    }
    let aside = sibling(db, &aside_suffix);
    // From here a cut leaves the marker, and the next open finishes or undoes the swap.
    let marker = sibling(db, RESTORE_MARKER);
    let m = RestoreMarker {
        backup: file.display().to_string(),
        aside: aside_suffix,
    };
    write_durably(
        &marker,
        serde_json::to_string(&m).unwrap_or_default().as_bytes(),
    )?;
    failpoint("restore-before-swap");
    // Windows does not rename a folder with a file open in it: the lock goes first
    // (the window is the marker's to cover).
    #[cfg(windows)]
    drop(lock);
    let mut previous = None;
    if db.exists() {
        std::fs::rename(db, &aside).map_err(io(db))?;
        previous = Some(aside);
    }
    failpoint("restore-between-renames");
    if let Err(e) = std::fs::rename(&tmp, db) {
        // Put the old one back rather than leave no database.
        if let Some(p) = &previous {
            let _ = std::fs::rename(p, db);
        }
        let _ = std::fs::remove_file(&marker);
        return Err(io(db)(e));
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent);
    }
    failpoint("restore-before-unmark");
    #[cfg(not(windows))]
    drop(lock);
    std::fs::remove_file(&marker).map_err(io(&marker))?;
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
