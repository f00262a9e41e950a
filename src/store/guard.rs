//! Keeping a damaged database as it is: a content seal, and a trial open on a copy
//! before sled touches the real files.
//!
//! sled repairs its log whenever it opens a database: everything after the last message
//! it can read in the newest segment is overwritten, torn segments are cleared, blob
//! files past the recovered point are deleted and a new snapshot is written. After a
//! crash that is right (the torn tail holds no write that was acknowledged). After
//! damage — a flipped byte, a truncated or half-copied file — it overwrites what could
//! still be read, and when the result does not open the user is left with less than
//! they brought.
//!
//! **The seal.** On a clean exit qcdc writes `qcdc-seal` in the database folder: every
//! file's name, size, modification time, (Unix) inode change time and inode, and the
//! CRC-32 of its content. At the next open:
//!
//! - a file whose size, times and inode are those of the seal has not been written since
//!   (the kernel sets the change time on every write, truncation or `utimes`, and no
//!   system call sets it back: `touch -r`, `cp -a` and rsync cannot fake it) and is not
//!   read; any other file (copied, touched, everything on Windows, which has no change
//!   time in Rust's standard library) is hashed and compared with the seal;
//! - every content as sealed: the real files are opened directly, the seal removed (if
//!   this process dies, the next one checks again);
//! - a content that differs although the size and modification time are the sealed
//!   ones: no write leaves a file so — it was made to look sealed (`touch -r`, a `cp -a`
//!   or rsync of a damaged folder with its seal) or changed on the medium. The database
//!   is reported damaged ([`StoreError::Corrupt`], naming the files) and sled never
//!   opens the real files; a trial on a copy only adds to the message whether the rest
//!   reads;
//! - no seal, other files than it lists, or a content that differs with a size or time
//!   that shows the write (after a crash, a copy without the seal, a restore, the first
//!   open by this version, damage that changed the time): the folder is copied beside the database
//!   and the copy opened and read through (every tree, every record). Only when that
//!   works are the real files opened (sled then recovers them the same way). When it
//!   fails, the real files are left untouched and the caller gets `Corrupt`. When no copy
//!   can be made (a read-only or full disk, a busy database) the database is opened as
//!   before.
//!
//! Cost: the open of a sealed, untouched folder reads no file (Unix); the clean exit
//! hashes the files written since the open — `db` every time, as sled writes it when it
//! opens the database: about 0.8 ms per MB here, 30 ms at 38 MB, 260 ms at 357 MB
//! (BENCHMARKS.md). The hashing is done at exit because the seal must hold the content
//! somewhere, and doing it at open too would double it. A trial copies the folder, only
//! in the unusual cases above.
//!
//! **Unfinished snapshots.** sled 0.34.7 takes the `snap.*` file whose name sorts last,
//! so a `snap.<lsn>.generating` left by a process killed while writing it (empty or
//! half-written) made a healthy database unopenable (sled #1527). Before anything else,
//! while this process holds the database's lock exclusively (no other process has it
//! open), such files are removed, logged (`tracing`) and reported as a [`Notice`] the
//! front end prints.
//!
//! The same on Unix and Windows: the lock is fs2's (sled's own, `flock` on Unix,
//! `LockFileEx` on Windows), taken shared so the copy can read the file through other
//! handles (a Windows lock is mandatory: an exclusive one would refuse our own copy);
//! the copy's name is built from ASCII only (no character Windows refuses, no name
//! past the 255-character limit); a copy left by a killed process is recognised by its
//! process id (`kill(pid, 0)` on Unix, `OpenProcess` on Windows).

use super::StoreError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The seal's file name inside the database folder (sled ignores other files).
pub const SEAL: &str = "qcdc-seal";

/// The seal's first line: the format (1 had no content hashes and is never trusted).
/// Version 3: CRC-32 checksums (version 2 held SHA-256: read as no seal, so the next
/// open of such a folder makes the trial on a copy once).
const SEAL_HEAD: &str = "qcdc-seal 3";

/// Databases this process has opened (after a successful check) or created, with the
/// files as the seal found them at open (a file unchanged since then is not hashed again
/// when the process seals): they are sealed when the process exits cleanly
/// ([`seal_all`]).
static OPENED: Mutex<Option<HashMap<PathBuf, Vec<FileSeal>>>> = Mutex::new(None);

/// What the guard did that the user should hear about (printed by the front end in the
/// user's language, [`take_notices`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Unfinished snapshot files a killed process left (sled 0.34.7 would take the
    /// newest name even when it is empty, sled issue #1527), removed before the open.
    StaleSnapshots { path: PathBuf, files: Vec<String> },
}

static NOTICES: Mutex<Vec<Notice>> = Mutex::new(Vec::new());

/// The notices gathered since the last call.
pub fn take_notices() -> Vec<Notice> {
    std::mem::take(&mut *NOTICES.lock().unwrap_or_else(|p| p.into_inner()))
}

fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn opened_contains(path: &Path) -> bool {
    let g = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    g.as_ref().is_some_and(|s| s.contains_key(&key(path)))
}

/// Remember a database this process has checked or created.
pub fn remember(path: &Path) {
    remember_with(path, Vec::new());
}

fn remember_with(path: &Path, files: Vec<FileSeal>) {
    let mut g = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    g.get_or_insert_with(HashMap::new).insert(key(path), files);
}

/// One file of the folder as the seal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileSeal {
    /// The name inside the folder (`blobs/…` for a blob).
    name: String,
    len: u64,
    /// Modification time, nanoseconds since 1970.
    mtime: u128,
    /// Unix: the inode's change time (nanoseconds) and its device and inode numbers.
    /// The kernel sets the change time on every write, truncation, rename or `utimes`
    /// and no system call sets it back, so a file whose change time and inode are
    /// those of the seal has not been written since. Elsewhere 0: the hash decides.
    ctime: u128,
    ino: String,
    /// CRC-32 of the content, hex; empty while not computed.
    sha: String,
}

impl FileSeal {
    /// Same file, untouched since it was sealed, as far as metadata can tell (only
    /// where the change time exists: elsewhere the content is always hashed).
    fn untouched(&self, other: &FileSeal) -> bool {
        cfg!(unix)
            && self.name == other.name
            && self.len == other.len
            && self.mtime == other.mtime
            && self.ctime == other.ctime
            && self.ino == other.ino
    }

    fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            self.name, self.len, self.mtime, self.ctime, self.ino, self.sha
        )
    }

    fn parse(line: &str) -> Option<FileSeal> {
        let mut f = line.split('\t');
        let s = FileSeal {
            name: f.next()?.to_string(),
            len: f.next()?.parse().ok()?,
            mtime: f.next()?.parse().ok()?,
            ctime: f.next()?.parse().ok()?,
            ino: f.next()?.to_string(),
            sha: f.next()?.to_string(),
        };
        (f.next().is_none() && s.sha.len() == 8).then_some(s)
    }
}

/// Every file of the folder (and of `blobs/`) with its size and times, sorted by name,
/// without hashes. `None` when the folder cannot be listed.
fn list_files(path: &Path) -> Option<Vec<FileSeal>> {
    let mut files = Vec::new();
    for (dir, prefix) in [(path.to_path_buf(), ""), (path.join("blobs"), "blobs/")] {
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(_) if !prefix.is_empty() => continue,
            Err(_) => return None,
        };
        for e in rd {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(SEAL) {
                // The seal and its temporary file.
                continue;
            }
            // On Windows the directory listing's size and time of a file can lag
            // behind its writes; ask the file itself.
            #[cfg(windows)]
            let md = std::fs::metadata(e.path()).ok()?;
            #[cfg(not(windows))]
            let md = e.metadata().ok()?;
            if !md.is_file() {
                continue;
            }
            let mtime = md
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos();
            #[cfg(unix)]
            let (ctime, ino) = {
                use std::os::unix::fs::MetadataExt;
                let ns = i128::from(md.ctime()) * 1_000_000_000 + i128::from(md.ctime_nsec());
                (
                    u128::try_from(ns).unwrap_or(0),
                    format!("{}.{}", md.dev(), md.ino()),
                )
            };
            #[cfg(not(unix))]
            let (ctime, ino) = (0u128, "-".to_string());
            files.push(FileSeal {
                name: format!("{prefix}{name}"),
                len: md.len(),
                mtime,
                ctime,
                ino,
                sha: String::new(),
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Some(files)
}

/// A checksum of a file's content, hex: CRC-32 (crc32fast, with the CPU's carry-less
/// multiply), with the length beside it in the seal. The seal catches accidents — a
/// flipped byte, a half-copied file — not someone who can rewrite the folder and its
/// seal, and it is computed on every clean exit: at several GB/s instead of SHA-256's
/// 1.4 GB/s (260 ms a command on the 357 MB test database).
fn hash_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("{:08x}", h.finalize()))
}

fn read_seal(path: &Path) -> Option<Vec<FileSeal>> {
    let text = std::fs::read_to_string(path.join(SEAL)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != SEAL_HEAD {
        return None;
    }
    lines.map(FileSeal::parse).collect()
}

/// What the seal says about the folder now.
enum SealState {
    /// No seal (the last process did not exit cleanly, or the folder was never sealed
    /// by this version), or the files are not the ones it lists: check a copy.
    Absent,
    /// Every file has the content the seal recorded: open. The files as found.
    Intact(Vec<FileSeal>),
    /// The same files, but these have another content than at qcdc's last clean exit
    /// with the size and modification time it recorded: damage made to look sealed.
    Changed(Vec<String>),
}

fn seal_state(path: &Path) -> SealState {
    let (Some(sealed), Some(mut now)) = (read_seal(path), list_files(path)) else {
        return SealState::Absent;
    };
    if sealed.len() != now.len() || sealed.iter().zip(&now).any(|(s, n)| s.name != n.name) {
        return SealState::Absent;
    }
    let (mut hidden, mut written) = (Vec::new(), false);
    for (s, n) in sealed.iter().zip(now.iter_mut()) {
        if n.untouched(s) {
            // Not written since the seal (the kernel's change time says so): no read.
            n.sha = s.sha.clone();
            continue;
        }
        // Copied, touched, or written behind qcdc's back: the content decides.
        match hash_file(&path.join(&n.name)) {
            Ok(h) if h == s.sha => n.sha = h,
            // A write shows in the size or the time: a change that kept both was made to
            // look as sealed (`touch -r`, a copy of a damaged folder with its seal) or
            // happened on the medium.
            _ if n.len == s.len && n.mtime == s.mtime => hidden.push(n.name.clone()),
            _ => written = true,
        }
    }
    if !hidden.is_empty() {
        SealState::Changed(hidden)
    } else if written {
        // Written after the seal, as any write would show: the trial decides, as after
        // a crash.
        SealState::Absent
    } else {
        SealState::Intact(now)
    }
}

/// The seal of a folder: every file with its times and its hash (reusing the hash of a
/// file `known` already holds when it has not been written since).
fn seal_text(path: &Path, known: &[FileSeal]) -> Option<String> {
    let mut files = list_files(path)?;
    let mut out = format!("{SEAL_HEAD}\n");
    for f in &mut files {
        f.sha = match known.iter().find(|k| f.untouched(k) && !k.sha.is_empty()) {
            Some(k) => k.sha.clone(),
            None => hash_file(&path.join(&f.name)).ok()?,
        };
        out.push_str(&f.line());
        out.push('\n');
    }
    Some(out)
}

/// Write the seal of every database this process opened or created. Called when the
/// process ends cleanly, after its stores are closed (a seal that does not match only
/// costs a trial open next time).
pub fn seal_all() {
    let dbs: Vec<(PathBuf, Vec<FileSeal>)> = {
        let g = OPENED.lock().unwrap_or_else(|p| p.into_inner());
        g.iter()
            .flatten()
            .map(|(p, f)| (p.clone(), f.clone()))
            .collect()
    };
    for (p, known) in dbs {
        // The files must hold still while they are hashed: a shared lock on `db` (sled
        // takes it exclusively) keeps any other qcdc from opening the database meanwhile.
        // Another process has it open already: no seal (the next open checks a copy).
        // sled's I/O threads let go of the file a moment after the last handle is
        // dropped: wait for them a little.
        let Ok(lock) = std::fs::File::open(p.join("db")) else {
            continue;
        };
        let start = std::time::Instant::now();
        let locked = loop {
            if fs2::FileExt::try_lock_shared(&lock).is_ok() {
                break true;
            }
            if start.elapsed() > std::time::Duration::from_secs(1) {
                break false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        if !locked {
            continue;
        }
        if let Some(text) = seal_text(&p, &known) {
            let tmp = p.join(format!("{SEAL}.tmp"));
            if std::fs::write(&tmp, text).is_err() || std::fs::rename(&tmp, p.join(SEAL)).is_err() {
                // A full disk: no seal (the next open checks a copy, or opens as before).
                let _ = std::fs::remove_file(&tmp);
            }
        }
        drop(lock);
    }
}

/// Unfinished snapshots (`snap.<lsn>.generating`) a killed process left behind. sled
/// 0.34.7 reads the snapshot whose name sorts last, unfinished or not (sled #1527), so an
/// empty or half-written one makes a healthy database fail to open. sled writes such a
/// file, fsyncs it and renames it to `snap.<lsn>` before it removes the previous
/// snapshot, and a snapshot only summarises the log: without the unfinished file the
/// folder is the one a kill just before sled created it would have left, which sled
/// recovers. Removed only while this process holds the database's lock (sled's own,
/// exclusive on `db`), so a running qcdc's snapshot in the making is never touched.
/// Returns the names removed.
fn remove_stale_snapshots(path: &Path) -> Vec<String> {
    let stale = |name: &str| name.starts_with("snap.") && name.ends_with(".generating");
    let Ok(rd) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    let found: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| stale(n))
        .collect();
    if found.is_empty() {
        return found;
    }
    let Ok(lock) = std::fs::OpenOptions::new().read(true).open(path.join("db")) else {
        return Vec::new();
    };
    if fs2::FileExt::try_lock_exclusive(&lock).is_err() {
        // Another process has the database open: the file may be its snapshot in the
        // making. Leave it; that process renames or removes it.
        return Vec::new();
    }
    let mut removed = Vec::new();
    for name in found {
        let file = path.join(&name);
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        match std::fs::remove_file(&file) {
            Ok(()) => {
                tracing::warn!(
                    database = %path.display(),
                    file = %name,
                    bytes = len,
                    "removed an unfinished snapshot a killed process left (sled #1527)"
                );
                removed.push(name);
            }
            Err(e) => tracing::warn!(
                database = %path.display(),
                file = %name,
                error = %e,
                "cannot remove an unfinished snapshot"
            ),
        }
    }
    drop(lock);
    if !removed.is_empty() {
        NOTICES
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Notice::StaleSnapshots {
                path: path.to_path_buf(),
                files: removed.clone(),
            });
    }
    removed
}

/// Before sled opens `path` (a folder that looks like a sled database): make sure its
/// recovery cannot destroy a damaged database. `Ok` when the real files may be opened.
pub fn preflight(path: &Path) -> Result<(), StoreError> {
    // First, and also for a database this process has opened before (a server after a
    // restore, a long-lived process): another process may have been killed on it since.
    remove_stale_snapshots(path);
    if opened_contains(path) {
        return Ok(());
    }
    match seal_state(path) {
        SealState::Intact(files) => {
            // Files as a clean exit left them. The seal goes now: if this process dies,
            // the next one checks again.
            let _ = std::fs::remove_file(path.join(SEAL));
            remember_with(path, files);
            Ok(())
        }
        SealState::Changed(files) => {
            // A clean exit sealed these files and their content changed since: never let
            // sled's recovery at them (it would cut the log at the first changed byte
            // and carry on). A trial on a copy says whether the rest still reads.
            let trial = match trial_run(path) {
                Some(Ok(())) => format!(
                    "a copy opens and reads through; if you changed the folder yourself, \
                     delete its file {SEAL} and qcdc will check it again"
                ),
                Some(Err(e)) => format!("a copy does not open either: {e}"),
                None => "no copy could be made to check it".into(),
            };
            Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!(
                    "{} changed since qcdc last closed the database cleanly, though its size \
                     and modification time are still the ones qcdc sealed ({trial})",
                    files.join(", ")
                ),
            })
        }
        SealState::Absent => {
            let result = match trial_run(path) {
                Some(Err(e)) => Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: format!("a trial open of a copy failed: {e}"),
                }),
                // No copy could be made (busy, read-only, full): open as before.
                _ => Ok(()),
            };
            if result.is_ok() {
                let _ = std::fs::remove_file(path.join(SEAL));
                remember(path);
            }
            result
        }
    }
}

/// Copy the folder beside the database and read the copy through. `None`: no copy
/// could be made (another process holds the database, a read-only or full disk).
fn trial_run(path: &Path) -> Option<Result<(), String>> {
    // Hold a lock on `db` while copying, so no other process writes under us: sled
    // takes the same lock exclusively, so while this shared one is held no qcdc opens
    // the database. Busy: let the real open say so.
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .open(path.join("db"))
        .ok()?;
    // fs2's, not std's `File::try_lock_shared` (Rust 1.89, past our minimum version).
    fs2::FileExt::try_lock_shared(&lock).ok()?;
    // No room or no permission for a copy: `None`.
    let copy = copy_beside(path)?;
    drop(lock);
    let outcome = read_through(&copy.0);
    drop(copy);
    Some(outcome)
}

/// A temporary copy beside the database, removed on drop.
struct Copy(PathBuf);

impl Drop for Copy {
    fn drop(&mut self) {
        // Windows refuses to delete a file that is still open, and sled's I/O threads
        // let go of the copy's files a moment after the last handle is dropped: retry
        // for a while (a copy still left is removed by the next trial in that folder).
        let start = std::time::Instant::now();
        while std::fs::remove_dir_all(&self.0).is_err()
            && cfg!(windows)
            && self.0.exists()
            && start.elapsed() < std::time::Duration::from_secs(3)
        {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

/// The start of a trial copy's name for the database named `name`: ASCII letters,
/// digits, `.`, `-` and `_` only (anything else becomes `_`), at most 64 of them, so
/// the name is one every file system takes (Windows refuses `<>:"/\|?*` and control
/// characters, and every name past 255 UTF-16 units).
fn copy_prefix(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    format!(".{safe}.qcdc-check-")
}

/// The process id in a trial copy's name, if `file` is one of this database's copies.
fn copy_pid(file: &str, prefix: &str) -> Option<u32> {
    file.strip_prefix(prefix)?.split('-').next()?.parse().ok()
}

fn copy_beside(path: &Path) -> Option<Copy> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let prefix = copy_prefix(&path.file_name()?.to_string_lossy());
    remove_stale_copies(parent, &prefix);
    for i in 0..100u32 {
        let dst = parent.join(format!("{prefix}{}-{i}", std::process::id()));
        match std::fs::create_dir(&dst) {
            Ok(()) => {
                let copy = Copy(dst);
                return copy_dir(path, &copy.0).ok().map(|_| copy);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return None,
        }
    }
    None
}

/// Copies left by a process killed during its trial (its pid no longer runs).
fn remove_stale_copies(parent: &Path, prefix: &str) {
    let Ok(rd) = std::fs::read_dir(parent) else {
        return;
    };
    for e in rd.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = copy_pid(&file, prefix) else {
            continue;
        };
        if pid != std::process::id() && process_gone(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Does no process with this id run any more? (`false` when unsure: a copy is only
/// removed when its process is certainly gone.)
#[cfg(unix)]
fn process_gone(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) with signal 0 only asks whether the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

#[cfg(windows)]
fn process_gone(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{
        CloseHandle, ERROR_INVALID_PARAMETER, GetLastError, STILL_ACTIVE,
    };
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    // SAFETY: OpenProcess has no preconditions; a handle it returns is closed below.
    let h = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if h.is_null() {
        // No such process; access denied means it runs (under another account).
        // SAFETY: GetLastError has no preconditions.
        return unsafe { GetLastError() } == ERROR_INVALID_PARAMETER;
    }
    let mut code = 0u32;
    // SAFETY: `h` is a valid process handle and `code` is valid for a write.
    let ok = unsafe { GetExitCodeProcess(h, &mut code) } != 0;
    // SAFETY: `h` came from OpenProcess and is closed once.
    unsafe { CloseHandle(h) };
    ok && code != STILL_ACTIVE as u32
}

/// Elsewhere no way to ask is wired in: never remove another process's copy.
#[cfg(not(any(unix, windows)))]
fn process_gone(_pid: u32) -> bool {
    false
}

fn copy_dir(src: &Path, dst: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(src)? {
        let e = e?;
        let to = dst.join(e.file_name());
        let ty = e.file_type()?;
        if ty.is_dir() {
            std::fs::create_dir(&to)?;
            copy_dir(&e.path(), &to)?;
        } else if ty.is_file() && e.file_name() != SEAL {
            std::fs::copy(e.path(), &to)?;
        }
    }
    Ok(())
}

/// Open the copy with sled (its recovery runs on the copy) and read every key and
/// value of every tree. `Err`: what went wrong, for the message.
fn read_through(copy: &Path) -> Result<(), String> {
    let run = || -> Result<(), String> {
        let db = sled::Config::new()
            .path(copy)
            .mode(sled::Mode::HighThroughput)
            .open()
            .map_err(|e| describe(&e))?;
        for name in db.tree_names() {
            let tree = db.open_tree(&name).map_err(|e| describe(&e))?;
            for kv in tree.iter() {
                kv.map_err(|e| describe(&e))?;
            }
        }
        // No ward, a newer schema: the real open says so in its own words.
        Ok(())
    };
    // sled asserts on some damage instead of returning an error: that is damage too.
    // The default hook stays quiet meanwhile (no "panicked" line for a damaged file).
    let quiet = QuietPanics::new();
    let r = std::panic::catch_unwind(run)
        .unwrap_or_else(|_| Err("sled stopped on a damaged structure".into()));
    drop(quiet);
    r
}

fn describe(e: &sled::Error) -> String {
    match e {
        sled::Error::Corruption { .. } => "sled reported corruption".into(),
        other => other.to_string(),
    }
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Silences the panic hook for the current thread's trial open, then restores it.
struct QuietPanics {
    prev: Option<PanicHook>,
}

impl QuietPanics {
    fn new() -> QuietPanics {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        QuietPanics { prev: Some(prev) }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            std::panic::set_hook(prev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_name_holds_only_characters_every_file_system_takes() {
        // The name an earlier version gave, so its leftovers are still recognised.
        assert_eq!(copy_prefix("ward.db"), ".ward.db.qcdc-check-");
        let p = copy_prefix("Phường 1: <Tổ>?|*\"\\/.db");
        assert!(
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')),
            "{p}"
        );
        assert!(p.ends_with(".db.qcdc-check-"), "{p}");
        let long = copy_prefix(&"Tổ dân phố ".repeat(40));
        // Room left for the process id and the counter under 255.
        assert!(long.len() <= 64 + ".qcdc-check-".len() + 1, "{long}");
    }

    #[test]
    fn a_copy_is_known_by_its_database_and_process_id() {
        let p = copy_prefix("ward.db");
        assert_eq!(copy_pid(".ward.db.qcdc-check-4242-7", &p), Some(4242));
        assert_eq!(copy_pid(".demo.db.qcdc-check-4242-7", &p), None);
        assert_eq!(copy_pid(".ward.db.qcdc-check-x-7", &p), None);
        assert_eq!(copy_pid("ward.db", &p), None);
    }

    #[test]
    fn a_process_is_gone_once_it_has_exited_and_not_while_it_runs() {
        assert!(!process_gone(std::process::id()));
        // This test binary, run again to list its tests, then waited for.
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .arg("--list")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let pid = child.id();
        child.wait().unwrap();
        drop(child);
        assert!(process_gone(pid), "pid {pid}");
    }

    #[test]
    fn a_stale_copy_is_removed_and_a_live_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = copy_prefix("ward.db");
        let stale = dir.path().join(format!("{p}4000000-0"));
        let live = dir.path().join(format!("{p}{}-0", std::process::id()));
        let other = dir.path().join(".demo.db.qcdc-check-4000000-0");
        for d in [&stale, &live, &other] {
            std::fs::create_dir(d).unwrap();
        }
        remove_stale_copies(dir.path(), &p);
        assert!(!stale.exists());
        assert!(live.exists(), "this process runs");
        assert!(other.exists(), "another database's copy");
    }

    /// A folder with a `db` and a `conf`, sealed as a clean exit would.
    fn sealed_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("conf"), b"segment_size: 524288\n").unwrap();
        std::fs::write(dir.path().join("db"), vec![7u8; 100_000]).unwrap();
        std::fs::create_dir(dir.path().join("blobs")).unwrap();
        let text = seal_text(dir.path(), &[]).unwrap();
        std::fs::write(dir.path().join(SEAL), text).unwrap();
        dir
    }

    fn flip_keeping_mtime(file: &Path, at: u64) {
        use std::io::{Read, Seek, SeekFrom, Write};
        let mtime = std::fs::metadata(file).unwrap().modified().unwrap();
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(file)
            .unwrap();
        let mut b = [0u8; 1];
        f.seek(SeekFrom::Start(at)).unwrap();
        f.read_exact(&mut b).unwrap();
        b[0] ^= 0x01;
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(&b).unwrap();
        // `touch -r`: the time put back.
        f.set_modified(mtime).unwrap();
    }

    #[test]
    fn a_seal_line_reads_back() {
        let f = FileSeal {
            name: "blobs/1".into(),
            len: 12,
            mtime: 1_796_233_126_953_794_970,
            ctime: 1_796_233_126_953_794_971,
            ino: "2049.77".into(),
            sha: "ab".repeat(4),
        };
        assert_eq!(FileSeal::parse(&f.line()), Some(f));
        assert_eq!(FileSeal::parse("db\t1\t2"), None, "the first format");
    }

    #[test]
    fn an_untouched_sealed_folder_is_intact() {
        let dir = sealed_folder();
        assert!(matches!(seal_state(dir.path()), SealState::Intact(_)));
    }

    #[test]
    fn a_byte_changed_under_the_sealed_size_and_time_is_caught_by_the_hash() {
        let dir = sealed_folder();
        flip_keeping_mtime(&dir.path().join("db"), 5_000);
        match seal_state(dir.path()) {
            SealState::Changed(files) => assert_eq!(files, vec!["db".to_string()]),
            _ => panic!("a flipped byte with its time put back passed as sealed"),
        }
    }

    #[test]
    fn a_copy_with_other_times_but_the_same_content_is_intact() {
        let dir = sealed_folder();
        let db = dir.path().join("db");
        let bytes = std::fs::read(&db).unwrap();
        std::fs::remove_file(&db).unwrap();
        std::fs::write(&db, bytes).unwrap();
        let f = std::fs::File::options().write(true).open(&db).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(9))
            .unwrap();
        assert!(matches!(seal_state(dir.path()), SealState::Intact(_)));
    }

    #[test]
    fn a_write_that_shows_in_the_time_goes_to_the_trial_and_an_old_seal_too() {
        let dir = sealed_folder();
        std::fs::write(dir.path().join("db"), vec![8u8; 100_000]).unwrap();
        let f = std::fs::File::options()
            .write(true)
            .open(dir.path().join("db"))
            .unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(9))
            .unwrap();
        assert!(matches!(seal_state(dir.path()), SealState::Absent));
        let dir = sealed_folder();
        std::fs::write(dir.path().join(SEAL), "conf\t21\t1\ndb\t100000\t1\n").unwrap();
        assert!(matches!(seal_state(dir.path()), SealState::Absent));
    }

    #[test]
    fn stale_snapshots_go_only_while_no_other_handle_holds_the_lock() {
        let dir = sealed_folder();
        let gen0 = dir.path().join("snap.7FFFFFFFFFFFFFFF.generating");
        let gen1 = dir.path().join("snap.0000000000000100.generating");
        let done = dir.path().join("snap.0000000000000001");
        std::fs::write(&gen0, b"").unwrap();
        std::fs::write(&gen1, b"half a snapshot").unwrap();
        std::fs::write(&done, b"a finished snapshot").unwrap();
        // Another open of the database (sled's lock, exclusive on `db`): kept.
        let held = std::fs::File::open(dir.path().join("db")).unwrap();
        fs2::FileExt::lock_exclusive(&held).unwrap();
        assert!(remove_stale_snapshots(dir.path()).is_empty());
        assert!(gen0.exists() && gen1.exists());
        drop(held);
        let mut gone = remove_stale_snapshots(dir.path());
        gone.sort();
        assert_eq!(
            gone,
            vec![
                "snap.0000000000000100.generating".to_string(),
                "snap.7FFFFFFFFFFFFFFF.generating".to_string()
            ]
        );
        assert!(!gen0.exists() && !gen1.exists());
        assert!(done.exists(), "a finished snapshot stays");
        assert!(take_notices().iter().any(|n| matches!(
            n,
            Notice::StaleSnapshots { files, .. } if files.len() == 2
        )));
    }
}
