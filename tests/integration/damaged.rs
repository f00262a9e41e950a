//! Damaged databases: truncated and flipped files, missing files, a database from a
//! newer qcdc (through the server and the TUI; the command line is in errors.rs), a
//! read-only folder, a full disk.
//!
//! Each must give a clear message and a non-zero exit — never a panic (exit 101,
//! "panicked" on stderr) and never a silent reset: the damaged files are left exactly
//! as they were, or, when sled can still read everything, every record is there.

use crate::common::*;
use crate::crash::{Rng, Tmux, tui_command};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Every file of a database folder (the seal aside: qcdc's own bookkeeping).
fn files(db: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if e.file_name() != "qcdc-seal" {
                let rel = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(db, db, &mut out);
    out
}

fn no_panic(r: &Run, ctx: &str) {
    assert_ne!(r.code, 101, "{ctx}: qcdc panicked:\n{}", r.stderr);
    assert!(
        !r.stderr.contains("panicked"),
        "{ctx}: qcdc panicked:\n{}",
        r.stderr
    );
}

/// Nothing but the damaged files themselves in the parent folder either (no trial copy
/// left behind, no new database beside them).
fn siblings(db: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(db.parent().expect("parent"))
        .expect("parent dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A small ward with a history: 24 marks after it was built, so sled's log has a tail
/// beyond its last snapshot.
fn ward_with_history() -> (Ward, String) {
    let w = small_ward();
    for i in 0..24 {
        let group = ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố Đồng Tâm"][i % 3];
        let status = ["doing", "done", "todo"][i % 3];
        w.ok(&[
            "mark",
            group,
            "CK-02",
            "biet",
            status,
            "--note",
            &format!("ghi chú {i}"),
        ]);
    }
    let log = w
        .ok(&["log", "--limit", "100000", "--format", "json"])
        .stdout;
    (w, log)
}

/// One way of damaging a database folder.
struct Damage {
    name: String,
    apply: Box<dyn Fn(&Path)>,
}

fn damage(name: impl Into<String>, apply: impl Fn(&Path) + 'static) -> Damage {
    Damage {
        name: name.into(),
        apply: Box::new(apply),
    }
}

fn snap_file(db: &Path) -> Option<PathBuf> {
    std::fs::read_dir(db)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("snap."))
        })
}

fn truncate(p: &Path, len: u64) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(p)
        .expect("open to truncate");
    f.set_len(len).expect("truncate");
}

fn flip(p: &Path, at: u64) {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(p)
        .expect("open to flip");
    let len = f.metadata().expect("len").len();
    if len == 0 {
        return;
    }
    let at = at.min(len.saturating_sub(4));
    let mut buf = [0u8; 4];
    f.seek(SeekFrom::Start(at)).expect("seek");
    let n = f.read(&mut buf).expect("read");
    for b in &mut buf[..n] {
        *b ^= 0xA5;
    }
    f.seek(SeekFrom::Start(at)).expect("seek");
    f.write_all(&buf[..n]).expect("write");
}

fn damages(db_len: u64, rng: &mut Rng) -> Vec<Damage> {
    let mut v = Vec::new();
    for k in 0..12u64 {
        let len = db_len * k / 12;
        v.push(damage(format!("db truncated to {len} bytes"), move |db| {
            truncate(&db.join("db"), len)
        }));
    }
    for k in 0..16u64 {
        let at = db_len * k / 16 + rng.below(db_len / 16);
        v.push(damage(
            format!("4 bytes flipped in db at {at}"),
            move |db| flip(&db.join("db"), at),
        ));
    }
    v.push(damage("snapshot truncated to 0", |db| {
        if let Some(s) = snap_file(db) {
            truncate(&s, 0)
        }
    }));
    v.push(damage("snapshot cut in half", |db| {
        if let Some(s) = snap_file(db) {
            let len = std::fs::metadata(&s).map(|m| m.len()).unwrap_or(0);
            truncate(&s, len / 2)
        }
    }));
    v.push(damage("bytes flipped in the snapshot", |db| {
        if let Some(s) = snap_file(db) {
            flip(&s, 40)
        }
    }));
    v.push(damage("snapshot deleted", |db| {
        if let Some(s) = snap_file(db) {
            std::fs::remove_file(s).expect("rm snap")
        }
    }));
    v.push(damage("conf emptied", |db| truncate(&db.join("conf"), 0)));
    v.push(damage("conf garbage", |db| {
        std::fs::write(db.join("conf"), "xin chào\n").expect("write conf")
    }));
    v.push(damage("conf deleted", |db| {
        std::fs::remove_file(db.join("conf")).expect("rm conf")
    }));
    v.push(damage("db deleted (a half-copied folder)", |db| {
        std::fs::remove_file(db.join("db")).expect("rm db")
    }));
    v
}

#[test]
fn damaged_files_are_refused_and_left_as_they_were_or_read_whole() {
    let mut rng = Rng::seeded("damage sweep");
    let (base, reference) = ward_with_history();
    let db_len = std::fs::metadata(base.db.join("db"))
        .expect("db file")
        .len();
    let (mut whole, mut refused, mut deep) = (0, 0, 0);
    for d in damages(db_len, &mut rng) {
        let w = Ward::empty();
        copy_dir(&base.db, &w.db);
        (d.apply)(&w.db);
        let before = files(&w.db);
        let around = siblings(&w.db);
        let r = w.run(&["log", "--limit", "100000", "--format", "json"]);
        no_panic(&r, &d.name);
        if r.code == 0 {
            // sled read past the damage: then every record must be there.
            assert_eq!(
                r.stdout, reference,
                "{}: opened, but the audit log differs (a silent loss)",
                d.name
            );
            whole += 1;
            continue;
        }
        refused += 1;
        assert_eq!(r.code, 1, "{}: {}", d.name, r.stderr);
        assert!(
            r.stderr.contains("bị hỏng") && r.stderr.contains("không xóa hay tạo lại"),
            "{}: not a clear message:\n{}",
            d.name,
            r.stderr
        );
        safe_step_first(&r.stderr, "sẽ mất", &d.name);
        assert!(
            files(&w.db) == before,
            "{}: the damaged files were changed",
            d.name
        );
        assert_eq!(siblings(&w.db), around, "{}: files left beside", d.name);
        if deep < 8 {
            // Writing, another language, init over it, the server: all refuse, and
            // nothing is changed.
            deep += 1;
            let en = w.run(&[
                "--lang",
                "en",
                "mark",
                "Tổ dân phố 1",
                "CK-02",
                "biet",
                "done",
            ]);
            no_panic(&en, &d.name);
            assert_eq!(en.code, 1, "{}: {}", d.name, en.stderr);
            assert!(
                en.stderr.contains("is damaged") && en.stderr.contains("backup"),
                "{}: {}",
                d.name,
                en.stderr
            );
            safe_step_first(&en.stderr, "would be lost", &d.name);
            // `qcdc check` itself: what it found, the files left, the restore last.
            let chk = w.run(&["check"]);
            no_panic(&chk, &d.name);
            assert_eq!(chk.code, 65, "{}: {}", d.name, chk.stderr);
            assert!(
                chk.stderr.contains("bị hỏng")
                    && chk.stderr.contains("để nguyên")
                    && chk.stderr.contains("mất các thay đổi sau bản đó"),
                "{}: {}",
                d.name,
                chk.stderr
            );
            let chk = w.run(&["--lang", "en", "check"]);
            assert!(
                chk.stderr.contains("is damaged")
                    && chk.stderr.contains("left as they are")
                    && chk.stderr.contains("changes made since it are lost"),
                "{}: {}",
                d.name,
                chk.stderr
            );
            let init = w.run(&["init", "--ward", "Phường Mới"]);
            no_panic(&init, &d.name);
            assert_ne!(init.code, 0, "{}: init over a damaged database", d.name);
            let serve = run_with_timeout(&w.db, &["serve"], Duration::from_secs(20));
            no_panic(&serve, &d.name);
            assert_ne!(serve.code, 0, "{}: the server started", d.name);
            assert!(
                files(&w.db) == before,
                "{}: the damaged files were changed",
                d.name
            );
            assert_eq!(siblings(&w.db), around, "{}: files left beside", d.name);
        }
    }
    eprintln!("damage sweep: {whole} read whole, {refused} refused untouched");
    assert!(
        refused >= 10,
        "the sweep hardly damaged anything ({refused})"
    );
}

/// A damaged message offers the safe step (`qcdc check`) before a restore, and says
/// what a restore loses (issue 12: never a restore that loses work as the first advice).
fn safe_step_first(msg: &str, loss: &str, ctx: &str) {
    let check = msg.find("`qcdc check`");
    let restore = msg.find("`qcdc restore`");
    assert!(
        matches!((check, restore), (Some(c), Some(r)) if c < r),
        "{ctx}: the restore comes before `qcdc check`:\n{msg}"
    );
    assert!(
        msg.contains(loss),
        "{ctx}: the cost of a restore unsaid:\n{msg}"
    );
}

/// Run with a deadline (a server that starts would otherwise run forever).
fn run_with_timeout(db: &Path, args: &[&str], limit: Duration) -> Run {
    let mut c = qcdc(db);
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_half_copied_folder_is_damaged_and_never_offered_as_a_new_ward() {
    let w = small_ward();
    std::fs::remove_file(w.db.join("db")).expect("rm db");
    let before = files(&w.db);
    let r = w.fails(&["report"], 1);
    assert!(r.stderr.contains("the file db is missing"), "{}", r.stderr);
    let r = w.run(&["init", "--ward", "Phường Mới"]);
    assert_ne!(r.code, 0, "init over the remains of a database");
    assert!(files(&w.db) == before, "the remains were changed");
    // The TUI shows the message and exits; no first-run screen offering a new ward.
    if Tmux::or_skip("the TUI part of the half-copied folder test") {
        let cmd = tui_command(&w.db, "", "").replacen("exec ", "", 1) + "; echo EXIT=$?; sleep 5";
        let t = Tmux::start("halfcopy", &cmd, 100, 30);
        let s = t.wait_for("EXIT=");
        assert!(s.contains("EXIT=1"), "{s}");
        assert!(s.contains("bị hỏng"), "{s}");
        assert!(files(&w.db) == before, "the TUI changed the remains");
    }
}

/// Set the stored schema version as a newer qcdc would have.
fn set_schema(db: &Path, v: u32) {
    let sled_db = crate::common::sled_open(db);
    let meta = sled_db.open_tree("meta").expect("meta");
    meta.insert("schema", &v.to_be_bytes()).expect("insert");
    sled_db.flush().expect("flush");
}

#[test]
fn a_newer_schema_is_refused_by_the_server_and_the_tui_too() {
    let w = small_ward();
    set_schema(&w.db, qcdc::store::SCHEMA_VERSION + 1);
    let serve = run_with_timeout(&w.db, &["--lang", "en", "serve"], Duration::from_secs(20));
    no_panic(&serve, "serve");
    assert_eq!(serve.code, 1, "{}", serve.stderr);
    assert!(
        serve.stderr.contains("written by a newer qcdc"),
        "{}",
        serve.stderr
    );
    assert!(
        !qcdc::protocol::default_socket(&w.db).exists(),
        "a refusing server left a socket"
    );
    if Tmux::or_skip("the TUI part of the newer-schema test") {
        let cmd = tui_command(&w.db, "", "").replacen("exec ", "", 1) + "; echo EXIT=$?; sleep 5";
        let t = Tmux::start("newer", &cmd, 100, 30);
        let s = t.wait_for("EXIT=");
        assert!(s.contains("EXIT=1"), "{s}");
        assert!(s.contains("mới hơn"), "{s}");
    }
    let r = w.fails(&["report"], 1);
    assert!(r.stderr.contains("mới hơn"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------
// Read-only folders and full disks need root to set up (a tmpfs mount) or to run the
// binary as another user; without it they are skipped with the reason.

fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A small tmpfs mounted on a temporary folder, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Result<Tmpfs, String> {
        if !is_root() {
            return Err("mounting a tmpfs needs root".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, opt: &str) {
        let st = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{opt}")])
            .arg(self.path())
            .status()
            .expect("remount");
        assert!(st.success(), "remount {opt}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn check_read_only(db: &Path, how: &str, run: &dyn Fn(&[&str]) -> Run) {
    let before = files(db);
    for args in [
        &["report"][..],
        &["mark", "Tổ dân phố 1", "CK-02", "biet", "done"],
        &["--lang", "en", "log"],
        // Issue 12 (10): check called this database damaged ("restore it").
        &["check"],
    ] {
        let r = run(args);
        no_panic(&r, how);
        assert_eq!(r.code, 1, "{how} {args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("Không ghi được vào") || r.stderr.contains("Cannot write to"),
            "{how} {args:?}: not a clear message: {}",
            r.stderr
        );
    }
    assert!(files(db) == before, "{how}: the files were changed");
}

#[test]
fn a_read_only_database_gives_a_clear_message() {
    // A read-only file system stops root too.
    match Tmpfs::mount("8m") {
        Err(why) => eprintln!("note: read-only file system case skipped: {why}"),
        Ok(fs) => {
            let db = fs.path().join("ward.db");
            build_small_ward(&db);
            fs.remount("ro");
            check_read_only(&db, "read-only file system", &|args| run(&db, args));
            let serve = run_with_timeout(&db, &["serve"], Duration::from_secs(20));
            no_panic(&serve, "serve on a read-only file system");
            assert_ne!(serve.code, 0);
        }
    }
    // Permission bits: they do not stop root, so as root the binary runs as nobody.
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let w = small_ward();
    let mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    mode(w.dir.path(), 0o755);
    for e in std::fs::read_dir(&w.db).expect("db").flatten() {
        if e.path().is_file() {
            mode(&e.path(), 0o444);
        }
    }
    mode(&w.db.join("blobs"), 0o555);
    mode(&w.db, 0o555);
    let as_nobody = |args: &[&str]| {
        let mut c = qcdc(&w.db);
        c.args(args);
        if is_root() {
            c.uid(65534).gid(65534);
        }
        run_cmd(c)
    };
    let probe = as_nobody(&["--version"]);
    if probe.code != 0 {
        eprintln!(
            "note: permission case skipped: the binary does not run as uid 65534 ({})",
            probe.stderr.trim()
        );
    } else {
        check_read_only(&w.db, "read-only permissions", &as_nobody);
    }
    mode(&w.db, 0o755);
    mode(&w.db.join("blobs"), 0o755);
}

/// Fill the file system holding `dir` to its last few kilobytes.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).expect("filler");
    let block = vec![0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
    let len = std::fs::metadata(&filler).expect("filler").len();
    truncate(&filler, len.saturating_sub(8 * 1024));
    filler
}

#[test]
fn a_full_disk_refuses_the_write_and_keeps_everything_saved() {
    let fs = match Tmpfs::mount("3m") {
        Ok(fs) => fs,
        Err(why) => {
            eprintln!("note: full-disk test skipped: {why}");
            return;
        }
    };
    let db = fs.path().join("ward.db");
    build_small_ward(&db);
    let filler = fill(fs.path());
    let mut saved = Vec::new();
    let mut failure = None;
    for i in 0..400 {
        // Long notes fill sled's segment quickly.
        let note = format!("{i:04}").repeat(490);
        let r = run(
            &db,
            &[
                "mark",
                "Tổ dân phố 1",
                "CK-02",
                "biet",
                "done",
                "--note",
                &note,
            ],
        );
        no_panic(&r, &format!("mark {i} on a full disk"));
        if r.code == 0 {
            saved.push(note);
        } else {
            failure = Some(r);
            break;
        }
    }
    let r = failure.expect("the disk never filled up");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("đầy"),
        "not a clear message: {}",
        r.stderr
    );
    let en = run(
        &db,
        &[
            "--lang",
            "en",
            "mark",
            "Tổ dân phố 2",
            "CK-02",
            "biet",
            "done",
            "--note",
            &"x".repeat(1900),
        ],
    );
    no_panic(&en, "mark on a full disk, English");
    if en.code != 0 {
        assert!(
            en.stderr.contains("disk") && en.stderr.contains("full"),
            "{}",
            en.stderr
        );
    }
    // Room again: everything reported saved is there, and work goes on.
    std::fs::remove_file(&filler).expect("rm filler");
    let log = ok(&db, &["log", "--limit", "100000", "--format", "json"]).json();
    let notes: std::collections::HashSet<String> = log
        .as_array()
        .expect("log")
        .iter()
        .flat_map(|r| r["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "note")
        .filter_map(|c| c["new"].as_str().map(str::to_string))
        .collect();
    for n in &saved {
        assert!(
            notes.contains(n),
            "a write reported saved was lost on the full disk"
        );
    }
    ok(&db, &["mark", "Tổ dân phố 1", "CK-02", "kiemtra", "done"]);
    eprintln!(
        "full disk: {} writes saved before the disk filled",
        saved.len()
    );
}

#[test]
fn a_full_disk_under_the_ward_server_refuses_writes_and_keeps_reads() {
    use qcdc::service::{MarkRequest, Service};
    let fs = match Tmpfs::mount("3m") {
        Ok(fs) => fs,
        Err(why) => {
            eprintln!("note: full-disk server test skipped: {why}");
            return;
        }
    };
    let db = fs.path().join("ward.db");
    build_small_ward(&db);
    let mut server = crate::server::Server::start(&db);
    let svc = server.client(None);
    let g = svc.groups().expect("groups")[0].id;
    let filler = fill(fs.path());
    let mut saved = Vec::new();
    let mut failure = None;
    for i in 0..400 {
        let note = format!("{i:04}").repeat(490);
        let r = svc.mark(MarkRequest {
            group: g,
            item: "CK-02".into(),
            period: qcdc::domain::period::Period::Quarter(2026, 4),
            step: "biet".parse().expect("step"),
            status: "done".parse().expect("status"),
            note: Some(note.clone()),
            base_version: None,
        });
        match r {
            Ok(_) => saved.push(note),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let e = failure.expect("the disk never filled up");
    let m = e.message(qcdc::i18n::Lang::Vi);
    assert!(m.contains("đầy") && m.contains("khởi động lại"), "{m}");
    // Reads still work, and the server is still there.
    assert!(
        svc.report(qcdc::domain::period::Period::Quarter(2026, 4))
            .is_ok()
    );
    assert!(
        server.child.try_wait().expect("server").is_none(),
        "the server died"
    );
    // Space again, the server restarted: everything acknowledged is there.
    std::fs::remove_file(&filler).expect("rm filler");
    drop(svc);
    let _ = server.terminate();
    drop(server);
    let log = ok(&db, &["log", "--limit", "100000", "--format", "json"]).json();
    let notes: std::collections::HashSet<String> = log
        .as_array()
        .expect("log")
        .iter()
        .flat_map(|r| r["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "note")
        .filter_map(|c| c["new"].as_str().map(str::to_string))
        .collect();
    assert!(
        saved.iter().all(|n| notes.contains(n)),
        "a write the server acknowledged was lost on the full disk"
    );
    let server = crate::server::Server::start(&db);
    let svc = server.client(None);
    svc.mark(MarkRequest {
        group: g,
        item: "CK-02".into(),
        period: qcdc::domain::period::Period::Quarter(2026, 4),
        step: "kiemtra".parse().expect("step"),
        status: "done".parse().expect("status"),
        note: None,
        base_version: None,
    })
    .expect("writes work again after a restart");
}
