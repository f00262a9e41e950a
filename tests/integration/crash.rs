//! Crash campaign: writes through the command line, the ward server and the TUI (in
//! tmux), the writer killed with SIGKILL at random moments — and command-line writes
//! killed on a snapshot write (strace's fault injection), which left an unfinished
//! `snap.*.generating` that sled 0.34.7 took for the newest snapshot (sled #1527) —, the
//! database reopened and checked after every kill (it must open: a healthy database is
//! never reported damaged):
//!
//! - every write that was reported saved is there (each carries a unique note, or is
//!   counted on a cell only the TUI touches);
//! - the audit log matches the state: sequence numbers without holes, each change
//!   starts from the value the previous one left, replaying every change from empty
//!   entries gives exactly the stored entries, and each entry's version is the number
//!   of audited changes to it;
//! - the report's summaries match a recomputation from the entries (each group's
//!   checklist, summed).
//!
//! The short run (at least 50 kills) is part of `cargo test`. `QCDC_LONG=1` runs the
//! long campaign (`QCDC_CRASH_KILLS` sets its number of kills, default 1000);
//! `QCDC_CRASH_SEED` replays a campaign. Also here: the terminal of an editing user
//! disappearing (SSH drop), in direct mode and against the ward server.

use crate::common::*;
use crate::server::Server;
use qcdc::domain::audit::{Actor, AuditRecord};
use qcdc::domain::entry::Entry;
use qcdc::domain::period::Period;
use qcdc::domain::ward::WARD_GROUP;
use qcdc::service::local::LocalService;
use qcdc::service::{MarkRequest, Service};
use qcdc::store::Store;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// xorshift64*: a campaign is replayable from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn seeded(what: &str) -> Rng {
        let seed = std::env::var("QCDC_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
                    | 1
            });
        eprintln!("{what}: seed {seed} (QCDC_CRASH_SEED={seed} replays it)");
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

pub fn long_run() -> bool {
    std::env::var_os("QCDC_LONG").is_some_and(|v| !v.is_empty() && v != "0")
}

// ---------------------------------------------------------------------------------
// tmux, for the TUI (shared with hostile.rs)

/// The TUI in a tmux session of its own (its own tmux server socket).
pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn available() -> bool {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// `false` (with a note) when tmux is missing outside CI; in CI it must be there.
    pub fn or_skip(what: &str) -> bool {
        if Tmux::available() {
            return true;
        }
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is missing in CI: .ci/run must install it"
        );
        eprintln!("note: tmux is not installed; {what} did not run");
        false
    }

    pub fn start(name: &str, cmd: &str, w: u16, h: u16) -> Tmux {
        let socket = format!("qcdc-rob-{}-{name}", std::process::id());
        let st = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-s", "rob", "-x", &w.to_string(), "-y", &h.to_string()])
            .arg(cmd)
            .status()
            .expect("tmux new-session");
        assert!(st.success(), "tmux new-session failed");
        Tmux { socket }
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let _ = self.tmux().args(["send-keys", "-t", "rob", k]).status();
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn screen(&self) -> String {
        self.tmux()
            .args(["capture-pane", "-p", "-t", "rob"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// A tmux format value of the pane (`#{pane_title}`, `#{pane_pid}`…).
    pub fn format(&self, f: &str) -> String {
        self.tmux()
            .args(["display-message", "-p", "-t", "rob", f])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }

    pub fn wait_for(&self, what: &str) -> String {
        self.wait_until(what, |s| s.contains(what))
    }

    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "waited 20 s for {what}; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The process in the pane (the command is started with `exec`).
    pub fn pane_pid(&self) -> i32 {
        self.format("#{pane_pid}").parse().expect("pane pid")
    }

    pub fn kill_session(&self) {
        let _ = self.tmux().args(["kill-session", "-t", "rob"]).status();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .tmux()
            .arg("kill-server")
            .stderr(Stdio::null())
            .status();
    }
}

pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The shell command that runs qcdc (replacing the shell, so the pane's pid is qcdc's).
pub fn tui_command(db: &Path, env: &str, args: &str) -> String {
    let cfg = db.with_file_name("no-config.toml");
    format!(
        "exec env TERM=xterm-256color QCDC_TODAY={TODAY} USER={OS_USER} QCDC_CONFIG={} {env} {} --db {} {args}",
        shell_quote(&cfg.display().to_string()),
        shell_quote(env!("CARGO_BIN_EXE_qcdc")),
        shell_quote(&db.display().to_string()),
    )
}

pub fn pid_alive(pid: i32) -> bool {
    // Until it is reaped: a zombie leader may still have threads closing its files (and
    // releasing sled's lock). tmux and our own waits reap promptly.
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

pub fn wait_pid_gone(pid: i32, within: Duration) -> bool {
    let start = Instant::now();
    while pid_alive(pid) {
        if start.elapsed() > within {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

fn sigkill(pid: i32) {
    // SAFETY: kill(2) with a pid we started and a valid signal.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

// ---------------------------------------------------------------------------------
// What must hold after every kill

/// Writes that were reported saved.
#[derive(Default)]
pub struct Ledger {
    /// Unique notes carried by marks (CLI and server).
    pub notes: HashSet<String>,
    /// Vote values ("total/present/agree/form") of acknowledged votes.
    pub votes: Vec<String>,
    /// Audit sequence numbers of acknowledged undos.
    pub undos: Vec<u64>,
    /// Acknowledged toggles of the one cell only the TUI touches.
    pub tui_marks: u64,
}

/// The cell the TUI toggles: the first group's first item, first step.
const TUI_ITEM: &str = "CK-01";

pub struct Checked {
    pub audit: usize,
    pub entries: usize,
    /// Toggles of the TUI's cell in the audit log (a killed toggle may have landed).
    pub tui: u64,
}

fn key_of(r: &AuditRecord) -> (u32, String, String) {
    (r.group, r.item.clone(), r.period.clone())
}

/// Open the database (no writer is running) and check everything; panics with the
/// reason when something does not hold.
pub fn verify(db: &Path, ledger: &Ledger, context: &str) -> Checked {
    // sled's lock is released when the killed writer's last thread is gone; give a
    // slow teardown a moment.
    let start = Instant::now();
    let store = loop {
        match Store::open(db) {
            Ok(s) => break s,
            Err(qcdc::store::StoreError::Locked { .. })
                if start.elapsed() < Duration::from_secs(10) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{context}: the database does not open after a kill: {e}"),
        }
    };
    let mut recs = store.audit(usize::MAX, &|_| true).expect("audit");
    recs.reverse();
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(
            r.seq,
            i as u64 + 1,
            "{context}: audit sequence has a hole or a duplicate at #{}",
            r.seq
        );
    }
    // Replay every entry change from empty entries.
    let mut replay: BTreeMap<(u32, String, String), (Entry, u64)> = BTreeMap::new();
    for r in recs.iter().filter(|r| !r.item.is_empty()) {
        let period: Period = r
            .period
            .parse()
            .unwrap_or_else(|_| panic!("{context}: audit #{} has period {:?}", r.seq, r.period));
        let (e, n) = replay
            .entry(key_of(r))
            .or_insert_with(|| (Entry::new(r.group, &r.item, period), 0));
        for c in &r.changes {
            assert_eq!(
                e.field_value(&c.field),
                c.old,
                "{context}: audit #{} changes {} from {:?}, but the changes before it left {:?}",
                r.seq,
                c.field,
                c.old,
                e.field_value(&c.field)
            );
            e.set_field(&c.field, &c.new)
                .unwrap_or_else(|x| panic!("{context}: audit #{}: {x}", r.seq));
        }
        *n += 1;
    }
    let mut stored = 0usize;
    let mut seen = HashSet::new();
    for p in store.periods().expect("periods") {
        for e in store.entries_of(p).expect("entries") {
            stored += 1;
            let k = (e.group, e.item.clone(), e.period.to_string());
            let (r, n) = replay.get(&k).unwrap_or_else(|| {
                panic!(
                    "{context}: entry {k:?} (version {}) has no audit record",
                    e.version
                )
            });
            assert_eq!(
                e.version, *n,
                "{context}: entry {k:?} is at version {} but has {n} audited changes",
                e.version
            );
            assert_eq!(
                (&e.steps, &e.evidence),
                (&r.steps, &r.evidence),
                "{context}: entry {k:?} differs from the replay of its audit records"
            );
            seen.insert(k);
        }
    }
    for k in replay.keys() {
        assert!(
            seen.contains(k),
            "{context}: audited entry {k:?} is not stored"
        );
    }
    // Every acknowledged write is there.
    let mut notes = HashSet::new();
    let mut votes = HashSet::new();
    let mut undos = HashSet::new();
    for r in &recs {
        for c in &r.changes {
            match c.field.as_str() {
                "note" => {
                    notes.insert(c.new.clone());
                }
                "vote" => {
                    votes.insert(c.new.clone());
                }
                _ => {}
            }
        }
        if r.undoes.is_some() {
            undos.insert(r.seq);
        }
    }
    for n in &ledger.notes {
        assert!(
            notes.contains(n),
            "{context}: the write with note {n:?} was reported saved and is lost"
        );
    }
    for v in &ledger.votes {
        assert!(
            votes.contains(v),
            "{context}: the vote {v} was reported saved and is lost"
        );
    }
    for u in &ledger.undos {
        assert!(
            undos.contains(u),
            "{context}: the undo #{u} was reported done and is lost"
        );
    }
    let groups = store.groups().expect("groups");
    let first = groups.iter().map(|g| g.id).min().unwrap_or(0);
    let tui = recs
        .iter()
        .filter(|r| {
            r.group == first
                && r.item == TUI_ITEM
                && r.changes.iter().any(|c| c.field == "step:biet")
        })
        .count() as u64;
    assert!(
        tui == ledger.tui_marks || tui == ledger.tui_marks + 1,
        "{context}: {} toggles were shown saved in the TUI, the audit log has {tui}",
        ledger.tui_marks
    );
    // The report's summaries against a recomputation from the entries.
    let today = qcdc::domain::date::parse(TODAY).expect("today");
    let svc = LocalService::new(store.clone(), Actor::new("verify", "verify")).with_today(today);
    let period = Period::Quarter(2026, 4);
    let report = svc.report(period).expect("report");
    let sum = |group: u32| {
        svc.checklist(group, period)
            .expect("checklist")
            .iter()
            // Items that arise and were not registered are no duty (issue 13).
            .filter(|r| r.registered)
            .fold((0u32, 0u32), |(d, a), r| {
                (d + r.completion.done, a + r.completion.applicable)
            })
    };
    let mut total = sum(WARD_GROUP);
    assert_eq!(
        (
            report.ward_level.completion.done,
            report.ward_level.completion.applicable
        ),
        total,
        "{context}: the report's ward-level summary"
    );
    for b in &report.branches {
        let mut branch = (0, 0);
        for g in &b.groups {
            let s = sum(g.id);
            assert_eq!(
                (g.completion.done, g.completion.applicable),
                s,
                "{context}: the report's summary of {}",
                g.name
            );
            branch = (branch.0 + s.0, branch.1 + s.1);
        }
        assert_eq!(
            (b.completion.done, b.completion.applicable),
            branch,
            "{context}: the report's summary of {}",
            b.name
        );
        total = (total.0 + branch.0, total.1 + branch.1);
    }
    assert_eq!(
        (report.completion.done, report.completion.applicable),
        total,
        "{context}: the report's ward total"
    );
    Checked {
        audit: recs.len(),
        entries: stored,
        tui,
    }
}

// ---------------------------------------------------------------------------------
// Writers

const GROUPS: [&str; 3] = ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố Đồng Tâm"];
/// (item, step) pairs the CLI and the server mark: group items of the small ward.
const CELLS: [(&str, &str); 4] = [
    ("CK-02", "biet"),
    ("CK-02", "kiemtra"),
    ("CK-15", "biet"),
    ("CK-15", "kiemtra"),
];
const STATUSES: [&str; 4] = ["todo", "doing", "done", "na"];

/// One command-line write, killed after `delay` unless it finished. `true`: the kill
/// hit it while it ran.
fn cli_write(db: &Path, rng: &mut Rng, n: u64, delay: Duration, ledger: &mut Ledger) -> bool {
    cli_write_as(db, rng, n, delay, ledger, None)
}

/// [`cli_write`], or with `Some(k)` run under strace and SIGKILLed on its `k`-th
/// write(2) — the calls of a snapshot (sled writes its log with pwrite(2)).
fn cli_write_as(
    db: &Path,
    rng: &mut Rng,
    n: u64,
    delay: Duration,
    ledger: &mut Ledger,
    strace_kill: Option<u64>,
) -> bool {
    let group = *rng.pick(&GROUPS);
    let op = rng.below(20);
    let mut c = qcdc(db);
    let mut note = None;
    let mut vote = None;
    if op < 15 {
        let (item, step) = *rng.pick(&CELLS);
        let token = format!("crash-{n}-{}", rng.below(1_000_000));
        let status = *rng.pick(&STATUSES);
        c.args(["mark", group, item, step, status, "--note"])
            .arg(&token);
        note = Some(token);
    } else if op < 18 {
        let households = match group {
            "Tổ dân phố 1" => 300,
            "Tổ dân phố 2" => 186,
            _ => 245,
        };
        let present = 100 + rng.below(86) as u32;
        let agree = rng.below(u64::from(present) + 1) as u32;
        c.args(["vote", group, "BQ-01", "--present"])
            .arg(present.to_string())
            .arg("--agree")
            .arg(agree.to_string())
            .args(["--date", "2026-11-15"]);
        vote = Some(format!("{households}/{present}/{agree}/meeting"));
    } else {
        c.arg("undo");
    }
    if let Some(k) = strace_kill {
        c = crate::seal::under_strace_kill(&c, k);
    }
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn qcdc");
    let start = Instant::now();
    let mut finished = None;
    while start.elapsed() < delay {
        if let Ok(Some(st)) = child.try_wait() {
            finished = Some(st);
            break;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    if finished.is_none() {
        let _ = child.kill();
    }
    let out = child.wait_with_output().expect("wait");
    if !out.status.success() {
        // Killed (or, rarely, a refused undo: nothing of this actor's left).
        return out.status.code().is_none();
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    if let Some(t) = note {
        ledger.notes.insert(t);
    }
    if let Some(v) = vote {
        ledger.votes.push(v);
    }
    if let Some(rest) = stdout.split("Đã hoàn tác: #").nth(1)
        && let Some(seq) = rest.split_whitespace().next().and_then(|s| s.parse().ok())
    {
        ledger.undos.push(seq);
    }
    false
}

/// How long an unhurried `mark` takes here: the kills land within it.
fn calibrate(db: &Path) -> Duration {
    let mut best = Duration::from_secs(10);
    for i in 0..3 {
        let start = Instant::now();
        let r = run(
            db,
            &[
                "mark",
                "Tổ dân phố 1",
                "CK-02",
                "biet",
                "doing",
                "--note",
                &format!("calibrate-{i}"),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        best = best.min(start.elapsed());
    }
    best
}

/// The ward server under three writing clients, killed after `delay`.
fn server_round(db: &Path, n: u64, delay: Duration, ledger: &mut Ledger) {
    let mut server = Server::start(db);
    let socket = server.socket.clone();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let probe = server.client(None);
    let groups: Vec<u32> = probe
        .groups()
        .expect("groups")
        .iter()
        .map(|g| g.id)
        .collect();
    drop(probe);
    let handles: Vec<_> = (0..3)
        .map(|c| {
            let socket = socket.clone();
            let acked = acked.clone();
            let groups = groups.clone();
            std::thread::spawn(move || {
                let Ok(svc) =
                    qcdc::client::RemoteService::connect(&socket, None, None, qcdc::i18n::Lang::Vi)
                else {
                    return;
                };
                for i in 0u32.. {
                    let (item, step) = CELLS[(c + i as usize) % CELLS.len()];
                    let token = format!("srv-{n}-{c}-{i}");
                    let req = MarkRequest {
                        group: groups[(c + i as usize) % groups.len()],
                        item: item.into(),
                        period: Period::Quarter(2026, 4),
                        step: step.parse().expect("step"),
                        status: STATUSES[i as usize % 4].parse().expect("status"),
                        note: Some(token.clone()),
                        base_version: None,
                    };
                    match svc.mark(req) {
                        Ok(_) => acked.lock().expect("lock").push(token),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(delay);
    let _ = server.child.kill();
    let _ = server.child.wait();
    for h in handles {
        let _ = h.join();
    }
    ledger
        .notes
        .extend(acked.lock().expect("lock").iter().cloned());
}

/// The step glyph of `item` in the TUI's first step column ("Biết").
fn tui_cell(screen: &str, item: &str) -> Option<char> {
    let lines: Vec<&str> = screen.lines().collect();
    let head = lines.iter().find(|l| l.contains("Biết"))?;
    let col = head
        .char_indices()
        .position(|(i, _)| head[i..].starts_with("Biết"))?;
    let row = lines.iter().find(|l| l.contains(item))?;
    // The glyph sits somewhere under the four letters of the heading.
    row.chars()
        .skip(col)
        .take(4)
        .find(|c| matches!(c, '·' | '~' | '✓' | '–'))
}

fn next_glyph(g: char) -> char {
    match g {
        '·' => '~',
        '~' => '✓',
        _ => '·',
    }
}

/// The TUI in direct mode: a few toggles shown saved, then a toggle killed after
/// `delay`. Returns whether the kill hit a running process.
fn tui_round(db: &Path, n: u64, toggles: u32, delay: Duration, ledger: &mut Ledger) -> bool {
    let t = Tmux::start(&format!("crash{n}"), &tui_command(db, "", ""), 100, 30);
    t.wait_for("Tổ dân phố 1");
    t.wait_until("the checklist", |s| tui_cell(s, TUI_ITEM).is_some());
    t.keys(&["Tab"]);
    for _ in 0..toggles {
        let before = tui_cell(&t.screen(), TUI_ITEM).expect("cell");
        t.keys(&["Space"]);
        let want = next_glyph(before);
        t.wait_until(&format!("{TUI_ITEM} to show {want}"), |s| {
            tui_cell(s, TUI_ITEM) == Some(want)
        });
        ledger.tui_marks += 1;
    }
    let pid = t.pane_pid();
    let _ = Command::new("tmux")
        .args(["-L", &t.socket, "send-keys", "-t", "rob", "Space"])
        .status();
    std::thread::sleep(delay);
    let was_alive = pid_alive(pid);
    sigkill(pid);
    assert!(
        wait_pid_gone(pid, Duration::from_secs(5)),
        "the TUI survived SIGKILL"
    );
    was_alive
}

/// Unfinished snapshots (`snap.*.generating`) in the database folder.
fn unfinished_snapshots(db: &Path) -> usize {
    std::fs::read_dir(db)
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.starts_with("snap.") && n.ends_with(".generating")
                })
                .count()
        })
        .unwrap_or(0)
}

/// The campaign: `kills` SIGKILLs spread over the writers, a check after each. The
/// snapshot writer (`snap_share` percent of the rounds, when strace can inject faults)
/// is a command-line write killed on one of the write(2) calls of the snapshot sled
/// writes when it opens the database, leaving an empty or half-written
/// `snap.*.generating` (sled #1527).
fn campaign(kills: u64, tui_share: u64, server_share: u64, snap_share: u64) {
    let started = Instant::now();
    let mut rng = Rng::seeded("crash campaign");
    let w = small_ward();
    let tui = Tmux::or_skip("the TUI part of the crash campaign");
    let base = calibrate(&w.db);
    let mut ledger = Ledger::default();
    for i in 0..3 {
        ledger.notes.insert(format!("calibrate-{i}"));
    }
    let strace = crate::seal::strace_works();
    if !strace {
        eprintln!(
            "note: strace is missing or may not trace here: the campaign's snapshot kills are skipped"
        );
    }
    let (mut done, mut by_cli, mut by_server, mut by_tui, mut rounds) = (0u64, 0, 0, 0, 0u64);
    let (mut by_snap, mut snaps_left, mut snap_tries) = (0u64, 0u64, 0u64);
    let mut last = verify(&w.db, &ledger, "before the campaign");
    while done < kills {
        rounds += 1;
        assert!(
            rounds < kills * 10,
            "too few kills landed: {done} in {rounds} rounds"
        );
        let roll = rng.below(100);
        let context;
        if tui && roll < tui_share {
            let delay = Duration::from_millis(rng.below(60));
            let toggles = rng.below(3) as u32;
            if tui_round(&w.db, rounds, toggles, delay, &mut ledger) {
                done += 1;
                by_tui += 1;
            }
            context = format!("kill {done} (TUI, round {rounds})");
        } else if strace && roll < tui_share + snap_share {
            // sled writes a snapshot when it opens a log that grew since its last one:
            // a write that finishes (and seals the folder, so no trial copy is opened
            // next), then one killed on write(2) call 1, 2 or 3 of that snapshot (its
            // body, length, checksum).
            cli_write_as(
                &w.db,
                &mut rng,
                rounds,
                Duration::from_secs(60),
                &mut ledger,
                None,
            );
            let k = 1 + rng.below(3);
            let killed = cli_write_as(
                &w.db,
                &mut rng,
                rounds,
                Duration::from_secs(60),
                &mut ledger,
                Some(k),
            );
            let left = unfinished_snapshots(&w.db);
            if killed {
                done += 1;
                snap_tries += 1;
                // The k-th write(2) of the process is a snapshot's when sled takes one
                // at open (the log grew since the last); rarely it is not (seen once in
                // 60 under load) and the kill lands on another write.
                if left > 0 {
                    by_snap += 1;
                    snaps_left += left as u64;
                } else {
                    by_cli += 1;
                }
            }
            context = format!(
                "kill {done} (snapshot write #{k}, {left} unfinished snapshot left, round {rounds})"
            );
        } else if roll < tui_share + snap_share + server_share {
            let delay = Duration::from_millis(50 + rng.below(400));
            server_round(&w.db, rounds, delay, &mut ledger);
            done += 1;
            by_server += 1;
            context = format!("kill {done} (server, round {rounds})");
        } else {
            let max = base.as_micros() as u64 * 13 / 10;
            let delay = Duration::from_micros(rng.below(max.max(1)));
            if cli_write(&w.db, &mut rng, rounds, delay, &mut ledger) {
                done += 1;
                by_cli += 1;
            }
            context = format!("kill {done} (command line, round {rounds})");
        }
        last = verify(&w.db, &ledger, &context);
        // What the last, killed toggle did is known now.
        ledger.tui_marks = last.tui;
    }
    // A clean open leaves no trial copies or seals in a bad state behind.
    let r = w.run(&["report", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("qcdc-check"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "trial copies left behind: {leftovers:?}"
    );
    // The snapshot kills did leave unfinished snapshots (the case is real): most of
    // them, and every one that counted left one.
    assert!(
        snap_tries == 0 || by_snap * 2 >= snap_tries,
        "only {by_snap} of {snap_tries} kills aimed at a snapshot write left an unfinished snapshot"
    );
    assert!(snaps_left >= by_snap);
    let verified = ledger.notes.len() + ledger.votes.len() + ledger.undos.len();
    eprintln!(
        "crash campaign: {done} kills ({by_cli} command line, {by_snap} on a snapshot write \
         leaving {snaps_left} unfinished snapshots, {by_server} server, {by_tui} TUI) in {rounds} rounds, \
         {verified} acknowledged writes + {} TUI toggles verified, {} audit records, {} entries, {:.1} s",
        ledger.tui_marks,
        last.audit,
        last.entries,
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn crash_campaign_short() {
    if long_run() {
        // The long campaign below covers it.
        return;
    }
    campaign(60, 15, 20, 15);
}

#[test]
fn crash_campaign_long() {
    if !long_run() {
        eprintln!("note: the long crash campaign runs with QCDC_LONG=1");
        return;
    }
    let kills = std::env::var("QCDC_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    campaign(kills, 10, 15, 10);
}

// ---------------------------------------------------------------------------------
// SSH drop: the terminal of an editing user disappears

/// Open sockets of a process (the server: its listener and two per client).
fn sockets_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

fn wait_sockets(pid: u32, want: usize) -> usize {
    let start = Instant::now();
    loop {
        let n = sockets_of(pid);
        if n == want || start.elapsed() > Duration::from_secs(10) {
            return n;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Toggle the TUI's first cell `n` times, each shown saved.
fn toggles(t: &Tmux, n: u32) {
    for _ in 0..n {
        let before = tui_cell(&t.screen(), TUI_ITEM).expect("cell");
        t.keys(&["Space"]);
        let want = next_glyph(before);
        t.wait_until(&format!("{TUI_ITEM} to show {want}"), |s| {
            tui_cell(s, TUI_ITEM) == Some(want)
        });
    }
}

fn tui_audit_count(db: &Path) -> usize {
    let w = run(db, &["log", "--limit", "100000", "--format", "json"]);
    assert_eq!(w.code, 0, "{}", w.stderr);
    w.json()
        .as_array()
        .expect("log")
        .iter()
        .filter(|r| r["item"] == TUI_ITEM)
        .count()
}

#[test]
fn ssh_drop_in_direct_mode_loses_nothing_and_frees_the_database() {
    if !Tmux::or_skip("the SSH-drop test") {
        return;
    }
    for how in ["kill-session", "SIGHUP"] {
        let w = small_ward();
        let t = Tmux::start(&format!("drop-{how}"), &tui_command(&w.db, "", ""), 100, 30);
        t.wait_until("the checklist", |s| tui_cell(s, TUI_ITEM).is_some());
        t.keys(&["Tab"]);
        toggles(&t, 3);
        // An unsaved form is open when the line drops: it is not acknowledged.
        t.keys(&["Enter"]);
        let pid = t.pane_pid();
        if how == "SIGHUP" {
            // SAFETY: kill(2) with a pid we started.
            unsafe {
                libc::kill(pid, libc::SIGHUP);
            }
        } else {
            // The pty goes away as when an SSH connection drops.
            t.kill_session();
        }
        assert!(
            wait_pid_gone(pid, Duration::from_secs(10)),
            "{how}: qcdc still runs after its terminal went away"
        );
        // Nothing acknowledged is lost, and the database is free for the next user.
        assert_eq!(tui_audit_count(&w.db), 3, "{how}");
        let r = w.run(&["mark", "Tổ dân phố 2", "CK-02", "biet", "done"]);
        assert_eq!(r.code, 0, "{how}: the database stayed locked: {}", r.stderr);
        verify(
            &w.db,
            &Ledger {
                tui_marks: 3,
                ..Ledger::default()
            },
            how,
        );
    }
}

#[test]
fn ssh_drop_of_a_server_client_is_noticed_and_the_others_carry_on() {
    if !Tmux::or_skip("the SSH-drop test") {
        return;
    }
    let w = small_ward();
    let server = Server::start(&w.db);
    let spid = server.child.id();
    let observer = server.client(None);
    let notices = observer.subscribe().expect("notices");
    // The listener, the signal thread's pipe, and the observer's connection.
    std::thread::sleep(Duration::from_millis(300));
    let base = sockets_of(spid);
    let t = Tmux::start("drop-server", &tui_command(&w.db, "", ""), 100, 30);
    t.wait_until("the checklist", |s| tui_cell(s, TUI_ITEM).is_some());
    assert_eq!(
        wait_sockets(spid, base + 2),
        base + 2,
        "the TUI works through the server"
    );
    t.keys(&["Tab"]);
    toggles(&t, 2);
    for _ in 0..2 {
        notices
            .recv_timeout(Duration::from_secs(2))
            .expect("the observer hears of the TUI's changes");
    }
    let pid = t.pane_pid();
    t.kill_session();
    assert!(
        wait_pid_gone(pid, Duration::from_secs(10)),
        "qcdc still runs after its terminal went away"
    );
    assert_eq!(
        wait_sockets(spid, base),
        base,
        "the server still holds the dead client's connection"
    );
    // Later writes still reach the others.
    let writer = server.client(None);
    let g = writer
        .groups()
        .expect("groups")
        .iter()
        .find(|g| g.name == "Tổ dân phố 2")
        .expect("group")
        .id;
    writer
        .mark(MarkRequest {
            group: g,
            item: "CK-02".into(),
            period: Period::Quarter(2026, 4),
            step: "biet".parse().expect("step"),
            status: "done".parse().expect("status"),
            note: None,
            base_version: None,
        })
        .expect("a write after the drop");
    let n = notices
        .recv_timeout(Duration::from_secs(2))
        .expect("the observer hears of later writes");
    assert_eq!(n.group, g);
    let marks = observer
        .history(Default::default())
        .expect("history")
        .iter()
        .filter(|r| r.item == TUI_ITEM)
        .count();
    assert_eq!(marks, 2, "the dropped user's saved changes are there");
}
