//! Keeping a damaged database as it is: a trial open on a copy before sled touches the
//! real files.
//!
//! sled repairs its log whenever it opens a database: everything after the last message
//! it can read in the newest segment is overwritten, torn segments are cleared, blob
//! files past the recovered point are deleted and a new snapshot is written. After a
//! crash that is right (the torn tail holds no write that was acknowledged). After
//! damage — a flipped byte, a truncated or half-copied file — it overwrites what could
//! still be read, and when the result does not open the user is left with less than
//! they brought.
//!
//! So the real files are opened directly only when they are exactly as a clean exit of
//! qcdc left them: on exit, qcdc writes a seal (`qcdc-seal` in the database folder:
//! every file's name, size and modification time). Otherwise — after a crash, a copy
//! from another machine, a restore, damage, or the first open by this version — the
//! folder is first copied beside the database and the copy is opened and read through
//! (every tree, every record). Only when that works are the real files opened (sled
//! then recovers them the same way). When it fails, the real files are left untouched
//! and the caller gets [`StoreError::Corrupt`].
//!
//! The copy costs one read and write of the database, and happens only in those
//! unusual cases. When it cannot be made (a read-only or full disk), the database is
//! opened as before.
//!
//! The same on Unix and Windows: the lock is fs2's (sled's own, `flock` on Unix,
//! `LockFileEx` on Windows), taken shared so the copy can read the file through other
//! handles (a Windows lock is mandatory: an exclusive one would refuse our own copy);
//! the copy's name is built from ASCII only (no character Windows refuses, no name
//! past the 255-character limit); a copy left by a killed process is recognised by its
//! process id (`kill(pid, 0)` on Unix, `OpenProcess` on Windows).

use super::StoreError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The seal's file name inside the database folder (sled ignores other files).
pub const SEAL: &str = "qcdc-seal";

/// Databases this process has opened (after a successful check) or created: they are
/// sealed when the process exits cleanly ([`seal_all`]).
static OPENED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn opened_contains(path: &Path) -> bool {
    let g = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    g.as_ref().is_some_and(|s| s.contains(&key(path)))
}

/// Remember a database this process has checked or created.
pub fn remember(path: &Path) {
    let mut g = OPENED.lock().unwrap_or_else(|p| p.into_inner());
    g.get_or_insert_with(HashSet::new).insert(key(path));
}

/// What the seal records: every file of the folder (and of `blobs/`) with its size and
/// modification time in nanoseconds, sorted.
fn fingerprint(path: &Path) -> Option<String> {
    let mut lines = Vec::new();
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
            lines.push(format!("{prefix}{name}\t{}\t{mtime}", md.len()));
        }
    }
    lines.sort();
    Some(lines.join("\n") + "\n")
}

fn seal_matches(path: &Path) -> bool {
    match (std::fs::read_to_string(path.join(SEAL)), fingerprint(path)) {
        (Ok(seal), Some(now)) => seal == now,
        _ => false,
    }
}

/// Write the seal of every database this process opened or created. Called when the
/// process ends cleanly, after its stores are closed (a seal that does not match only
/// costs a trial open next time).
pub fn seal_all() {
    let paths: Vec<PathBuf> = {
        let g = OPENED.lock().unwrap_or_else(|p| p.into_inner());
        g.iter().flatten().cloned().collect()
    };
    for p in paths {
        if let Some(fp) = fingerprint(&p) {
            let tmp = p.join(format!("{SEAL}.tmp"));
            if std::fs::write(&tmp, fp).is_err() || std::fs::rename(&tmp, p.join(SEAL)).is_err() {
                // A full disk: no seal (the next open checks a copy, or opens as before).
                let _ = std::fs::remove_file(&tmp);
            }
        }
    }
}

/// Before sled opens `path` (a folder that looks like a sled database): make sure its
/// recovery cannot destroy a damaged database. `Ok` when the real files may be opened.
pub fn preflight(path: &Path) -> Result<(), StoreError> {
    if opened_contains(path) {
        return Ok(());
    }
    if seal_matches(path) {
        // Files as a clean exit left them. The seal goes now: if this process dies,
        // the next one checks again.
        let _ = std::fs::remove_file(path.join(SEAL));
        remember(path);
        return Ok(());
    }
    let result = trial(path);
    if result.is_ok() {
        let _ = std::fs::remove_file(path.join(SEAL));
        remember(path);
    }
    result
}

fn trial(path: &Path) -> Result<(), StoreError> {
    // Hold a lock on `db` while copying, so no other process writes under us: sled
    // takes the same lock exclusively, so while this shared one is held no qcdc opens
    // the database. Busy: let the real open say so.
    let Ok(lock) = std::fs::OpenOptions::new().read(true).open(path.join("db")) else {
        return Ok(());
    };
    // fs2's, not std's `File::try_lock_shared` (Rust 1.89, past our minimum version).
    if fs2::FileExt::try_lock_shared(&lock).is_err() {
        return Ok(());
    }
    let Some(copy) = copy_beside(path) else {
        // No room or no permission for a copy: open as before.
        return Ok(());
    };
    drop(lock);
    let outcome = read_through(&copy.0);
    drop(copy);
    outcome.map_err(|detail| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail,
    })
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
}
