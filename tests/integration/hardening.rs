//! Issue 12, the parts a cadre or an attacker meets through the ward server and in
//! direct mode: roles that follow member changes, PINs that resist guessing, bounded
//! connections and handshakes, a client that does not freeze, one contract in both
//! modes (language, exit codes), and identity from the system.

use crate::common::*;
use crate::server::Server;
use qcdc::client::RemoteService;
use qcdc::domain::entry::StepStatus;
use qcdc::domain::member::Role;
use qcdc::domain::period::Period;
use qcdc::domain::step::Step;
use qcdc::i18n::Lang;
use qcdc::protocol::{self, ClientMsg, Hello, RefuseKind, ServerMsg};
use qcdc::service::{MarkRequest, NewMember, Service, ServiceError};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

fn member(name: &str, role: Role, branches: &[&str], pin: Option<&str>) -> NewMember {
    NewMember {
        name: name.into(),
        role,
        branches: branches.iter().map(|s| s.to_string()).collect(),
        groups: vec![],
        unix_user: None,
        pin: pin.map(str::to_string),
    }
}

fn mark_of(svc: &dyn Service, group: &str) -> MarkRequest {
    MarkRequest {
        group: svc.find_group(group).expect("group").id,
        item: "CK-02".into(),
        period: Period::Quarter(2026, 4),
        step: Step::Biet,
        status: StepStatus::Doing,
        note: None,
        base_version: None,
    }
}

fn forbidden<T: std::fmt::Debug>(r: Result<T, ServiceError>) {
    match r {
        Err(ServiceError::Server { message, .. }) | Err(ServiceError::Remote(message)) => {
            assert!(message.contains("Không được phép"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Issue 12 (7): a branch editor demoted to viewer kept writing on the connection his
/// TUI held; a connection opened during the bootstrap stayed admin.
#[test]
fn roles_follow_member_changes_on_open_connections() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let early = server.client(None);
    early
        .add_member(member("Quản trị", Role::Admin, &[], None))
        .expect("first admin, during the bootstrap");
    // The connection that made the first admin was an administrator only because there
    // were none: now it is whoever its account is — nobody, so it may only look.
    forbidden(early.mark(mark_of(&early, "Tổ dân phố 1")));
    let admin = server.client(Some("Quản trị"));
    admin
        .add_member(member("Biên tập", Role::BranchEditor, &[BRANCH_1], None))
        .expect("editor");
    let editor = server.client(Some("Biên tập"));
    editor
        .mark(mark_of(&editor, "Tổ dân phố 1"))
        .expect("the editor edits their branch");
    admin
        .add_member(member("Biên tập", Role::Viewer, &[], None))
        .expect("demoted");
    forbidden(editor.mark(mark_of(&editor, "Tổ dân phố 1")));
}

/// Issue 12 (6): 4,365 logins in 52 s found a 4-digit PIN, nothing logged.
#[test]
fn wrong_pins_are_slowed_logged_and_end_the_connection() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let boot = server.client(None);
    boot.add_member(member("Lan", Role::Admin, &[], Some("246813")))
        .expect("admin with a PIN");
    // One connection: three wrong PINs and it is closed.
    let c = server.client(None);
    for pin in ["111111", "222222", "333333"] {
        assert!(c.login("Lan", Some(pin)).is_err());
    }
    let after = c.login("Lan", Some("246813"));
    assert!(after.is_err(), "the connection is closed: {after:?}");
    // A new connection right away: the member's next try is not heard yet.
    let wait = RemoteService::connect(&server.socket, Some("Lan"), Some("246813"), Lang::En);
    match wait {
        Err(qcdc::client::ConnectError::Refused {
            kind: RefuseKind::Login,
            message,
        }) => assert!(message.contains("wait"), "{message}"),
        other => panic!("{:?}", other.err()),
    }
    // Every failure is in the audit log with the account it came from.
    std::thread::sleep(Duration::from_millis(1_100));
    let lan = RemoteService::connect(&server.socket, Some("Lan"), Some("246813"), Lang::Vi)
        .expect("the right PIN after the wait");
    let log = lan.history(Default::default()).expect("log");
    let failed: Vec<_> = log.iter().filter(|r| r.action == "login-failed").collect();
    assert_eq!(failed.len(), 3, "{log:?}");
    assert!(failed.iter().all(|r| r.actor.os_user == me()));
}

/// After MAX_PIN_FAILURES the member is locked until an administrator unlocks it; the
/// right PIN does not open it.
#[test]
fn a_member_is_locked_after_ten_wrong_pins_until_unlocked() {
    use qcdc::service::local::{LocalService, MAX_PIN_FAILURES};
    use qcdc::store::Store;
    let w = small_ward();
    {
        let store = Store::open(&w.db).expect("open");
        // Minh sets up the ward; once he is its first administrator his session is his.
        let boot = LocalService::new(store, qcdc::domain::audit::Actor::new("Minh", "minh"));
        boot.add_member(member("Minh", Role::Admin, &[], None))
            .expect("minh");
        boot.add_member(member("Lan", Role::Admin, &[], Some("246813")))
            .expect("lan");
        // Nine failures long ago (no wait left), as a guesser over days would leave.
        boot.store()
            .login_failed(
                "Lan",
                qcdc::store::records::LoginsV1 {
                    failures: MAX_PIN_FAILURES - 1,
                    last_ms: 0,
                    locked: false,
                },
                &qcdc::domain::audit::Actor::new("x", "x"),
                0,
            )
            .expect("state");
        let svc = LocalService::new(
            boot.store().clone(),
            qcdc::domain::audit::Actor::new("x", "x"),
        );
        assert!(matches!(
            svc.login("Lan", Some("000000")),
            Err(ServiceError::LoginLocked(_))
        ));
        assert!(matches!(
            svc.login("Lan", Some("246813")),
            Err(ServiceError::LoginLocked(_))
        ));
    }
    // The message says who can unlock it and how; the command line does it.
    let r = w.fails(&["--as", "Lan", "branch", "add", "X"], 77);
    assert!(r.stderr.contains("qcdc member unlock"), "{}", r.stderr);
    w.ok(&["--as", "Minh", "member", "unlock", "Lan"]);
    let mut c = qcdc(&w.db);
    c.args(["--as", "Lan", "branch", "add", "Chi bộ mới"])
        .env("QCDC_PIN", "246813");
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.log().iter().any(|r| r["action"] == "login-unlock"));
}

fn hello() -> ClientMsg {
    ClientMsg::Hello(Hello {
        magic: protocol::MAGIC.into(),
        protocol: protocol::PROTOCOL,
        version: "test".into(),
        member: None,
        pin: None,
        lang: None,
    })
}

/// Issue 12 (9): 1,100 connections of one member locked everyone out.
#[test]
fn connections_from_one_account_are_capped() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let mut held = Vec::new();
    for _ in 0..qcdc::server::MAX_PER_ACCOUNT {
        held.push(server.client(None));
    }
    match RemoteService::connect(&server.socket, None, None, Lang::Vi) {
        Err(qcdc::client::ConnectError::Refused {
            kind: RefuseKind::Busy,
            message,
        }) => assert!(message.contains("quá nhiều kết nối"), "{message}"),
        other => panic!("{:?}", other.err()),
    }
    // The command line says the same, with the busy exit code.
    let r = w.fails(&["group", "list"], 75);
    assert!(r.stderr.contains("quá nhiều kết nối"), "{}", r.stderr);
    drop(held.pop());
    std::thread::sleep(Duration::from_millis(200));
    server.client(None).ward().expect("a place freed up");
}

/// Issue 12 (9): one byte a second kept a handshake open forever.
#[test]
fn a_hello_trickled_a_byte_at_a_time_is_cut_at_the_deadline() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let mut s = UnixStream::connect(&server.socket).expect("connect");
    let mut frame = Vec::new();
    protocol::write_frame(&mut frame, &hello()).expect("frame");
    let start = Instant::now();
    let mut cut = false;
    for b in &frame {
        if s.write_all(&[*b]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
        if start.elapsed() > qcdc::server::HELLO_DEADLINE + Duration::from_secs(3) {
            break;
        }
    }
    if !cut {
        // The server hangs up: a read sees the end (or the refusal).
        s.set_read_timeout(Some(Duration::from_secs(3)))
            .expect("timeout");
        let got = protocol::read_frame::<_, ServerMsg>(&mut s);
        assert!(
            !matches!(got, Ok(ServerMsg::Welcome { .. })),
            "a trickled hello was welcomed after {:?}",
            start.elapsed()
        );
    }
    assert!(start.elapsed() < qcdc::server::HELLO_DEADLINE + Duration::from_secs(4));
}

/// Issue 12 (11): a server that stops answering froze the TUI.
#[test]
fn a_server_that_never_answers_gives_an_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("mute.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = protocol::read_frame::<_, ClientMsg>(&mut conn);
            let session =
                qcdc::domain::member::Session::viewer(qcdc::domain::audit::Actor::new("x", "x"));
            let _ = protocol::write_frame(
                &mut conn,
                &ServerMsg::Welcome {
                    protocol: protocol::PROTOCOL,
                    version: "mute".into(),
                    session,
                },
            );
            // Read requests, answer none.
            std::thread::spawn(
                move || while protocol::read_frame::<_, ClientMsg>(&mut conn).is_ok() {},
            );
        }
    });
    let svc = RemoteService::connect(&socket, None, None, Lang::Vi)
        .expect("welcome")
        .with_reply_timeout(Duration::from_millis(500));
    let start = Instant::now();
    let e = svc.ward().expect_err("no answer");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        e.message(Lang::Vi).contains("không trả lời"),
        "{}",
        e.message(Lang::Vi)
    );
}

/// Issue 12 (11): through the server, `--lang en` reports came back in Vietnamese and
/// every error exited 1.
#[test]
fn the_same_language_and_exit_codes_directly_and_through_the_server() {
    let w = small_ward();
    let direct_en = w.ok(&["--lang", "en", "report", "--format", "json"]).json();
    let direct_bad = w.fails(&["mark", "Tổ dân phố 1", "XX-99", "biet", "done"], 65);
    let direct_busy = w.run(&[
        "vote",
        "Tổ dân phố 1",
        "CK-02",
        "--present",
        "1",
        "--agree",
        "1",
    ]);
    let server = Server::start(&w.db);
    let remote_en = w.ok(&["--lang", "en", "report", "--format", "json"]).json();
    assert_eq!(
        remote_en["sections"][0]["title"], direct_en["sections"][0]["title"],
        "section names in the client's language"
    );
    assert_eq!(
        remote_en["by_pillar"][0]["name"],
        direct_en["by_pillar"][0]["name"]
    );
    let remote_bad = w.fails(&["mark", "Tổ dân phố 1", "XX-99", "biet", "done"], 65);
    assert_eq!(remote_bad.stderr, direct_bad.stderr);
    let remote_busy = w.run(&[
        "vote",
        "Tổ dân phố 1",
        "CK-02",
        "--present",
        "1",
        "--agree",
        "1",
    ]);
    assert_eq!(remote_busy.code, direct_busy.code, "{}", remote_busy.stderr);
    drop(server);
}

/// Issue 12 (5): the documented deployment let every member of the group read the
/// database (PIN hashes) and the backups.
#[test]
fn the_server_keeps_its_data_folders_private() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let w = small_ward();
    let backups = w.dir.path().join("backups");
    std::fs::create_dir(&backups).expect("backups");
    for d in [&w.db, &backups] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let socket = w.dir.path().join("ward.sock");
    let child = qcdc(&w.db)
        .args(["serve", "--socket"])
        .arg(&socket)
        .arg("--backup-dir")
        .arg(&backups)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve");
    let start = Instant::now();
    while UnixStream::connect(&socket).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The daily backup is written at start.
    while std::fs::read_dir(&backups).expect("list").next().is_none() {
        assert!(start.elapsed() < Duration::from_secs(20), "no backup");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    for d in [&w.db, &backups] {
        let mode = std::fs::metadata(d).expect("meta").mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", d.display());
    }
    for f in std::fs::read_dir(&backups).expect("list") {
        let f = f.expect("entry").path();
        let mode = std::fs::metadata(&f).expect("meta").mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", f.display());
    }
    // SAFETY: kill(2) with a valid pid.
    unsafe {
        libc::kill(child.id() as i32, 15);
    }
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("0700"), "the change is said: {err}");

    // A folder of another account that others can write to is refused.
    if me() == "root" {
        let foreign = w.dir.path().join("foreign.db");
        crate::common::build_small_ward(&foreign);
        std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        std::os::unix::fs::chown(&foreign, Some(65534), None).expect("chown");
        let r = run(
            &foreign,
            &[
                "serve",
                "--socket",
                &w.dir.path().join("f.sock").display().to_string(),
            ],
        );
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(r.stderr.contains("người khác ghi được"), "{}", r.stderr);
    }
}

/// Issue 12 (10): a 5-million-character template title was accepted.
#[test]
fn an_item_with_an_overlong_title_is_refused() {
    use qcdc::service::local::LocalService;
    let w = small_ward();
    let store = qcdc::store::Store::open(&w.db).expect("open");
    let svc = LocalService::new(store, qcdc::domain::audit::Actor::new("a", "a"));
    let mut item = qcdc::data::default_template().items[0].clone();
    item.code = "PH-01".into();
    item.title = "x".repeat(5_000_000);
    let e = svc.add_items(vec![item], false).expect_err("refused");
    assert!(matches!(e, ServiceError::Invalid { .. }), "{e:?}");
    assert!(svc.template().expect("template").get("PH-01").is_none());
}

/// Issue 12 (10): every server start wrote a backup and kept 14, so 14 restarts
/// replaced two weeks of daily backups.
#[test]
fn restarts_of_the_server_do_not_crowd_out_the_daily_backups() {
    let w = small_ward();
    let dir = w.dir.path().join("daily");
    // Two weeks of daily backups before today (copies of one, named for their days).
    w.ok(&["backup", &host_path(&dir), "--keep", "0"]);
    let first = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let today = chrono::Local::now().date_naive();
    let mut old = Vec::new();
    for back in 1..=13 {
        let day = today - chrono::Duration::days(back);
        let p = dir.join(format!(
            "qcdc-phuong-thu-nghiem-{}-020000.json",
            day.format("%Y%m%d")
        ));
        std::fs::copy(&first, &p).unwrap();
        old.push(p);
    }
    std::fs::remove_file(&first).unwrap();
    std::fs::remove_file(format!("{}.sha256", first.display())).unwrap();
    let socket = w.dir.path().join("s.sock");
    let serve = |n: usize| -> String {
        let child = qcdc(&w.db)
            .args(["serve", "--socket"])
            .arg(&socket)
            .arg("--backup-dir")
            .arg(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("serve");
        let start = Instant::now();
        // The backup thread says what it did; wait for that, then stop.
        let mut seen = 0;
        while seen == 0 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "start {n}: no word from the backup"
            );
            std::thread::sleep(Duration::from_millis(100));
            seen = std::fs::read_dir(&dir)
                .unwrap()
                .filter(|e| {
                    let name = e
                        .as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .to_string();
                    name.contains(&today.format("%Y%m%d").to_string()) && name.ends_with(".json")
                })
                .count();
            if n > 0 {
                // Later starts write nothing: give the thread its moment, then look.
                std::thread::sleep(Duration::from_millis(1500));
                break;
            }
        }
        // SAFETY: kill(2) with a valid pid and signal.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let out = child.wait_with_output().expect("wait");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let said = serve(0);
    assert!(said.contains("backup: "), "{said}");
    for n in 1..=5 {
        let said = serve(n);
        assert!(
            said.contains("already has today's backup"),
            "start {n}: {said}"
        );
    }
    let todays: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains(&today.format("%Y%m%d").to_string()) && n.ends_with(".json"))
        .collect();
    assert_eq!(todays.len(), 1, "{todays:?}");
    for p in &old {
        assert!(p.exists(), "{} was pushed out by restarts", p.display());
    }
}
