//! The ward server with a real socket: live updates, concurrency, roles, hostile
//! clients, crashes.

use crate::common::{TODAY, Ward, demo_ward, qcdc, small_ward};
use qcdc::client::RemoteService;
use qcdc::domain::entry::StepStatus;
use qcdc::domain::member::Role;
use qcdc::domain::period::Period;
use qcdc::domain::step::Step;
use qcdc::i18n::Lang;
use qcdc::protocol::{self, ClientMsg, Hello, RefuseKind, Req, ServerMsg};
use qcdc::service::{MarkRequest, NewMember, Service, find_group};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A `qcdc serve` child process; stopped with SIGTERM on drop.
pub struct Server {
    pub child: Child,
    pub socket: PathBuf,
}

impl Server {
    pub fn start(db: &Path) -> Server {
        // The default socket, so the command line finds the server by itself.
        let socket = qcdc::protocol::default_socket(db);
        let child = qcdc(db)
            .args(["serve"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start qcdc serve");
        let start = Instant::now();
        while UnixStream::connect(&socket).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "server did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, socket }
    }

    pub fn client(&self, member: Option<&str>) -> RemoteService {
        RemoteService::connect(&self.socket, member, None, Lang::Vi)
            .unwrap_or_else(|e| panic!("connect: {e:?}"))
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) with a valid pid and signal.
        unsafe {
            libc_kill(self.child.id() as i32, 15);
        }
        self.child.wait().expect("wait")
    }
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.terminate();
        }
    }
}

fn group_id(svc: &dyn Service, name: &str) -> u32 {
    find_group(&svc.groups().expect("groups"), name)
        .expect("group")
        .id
}

fn mark(group: u32, item: &str, step: Step, status: StepStatus) -> MarkRequest {
    MarkRequest {
        group,
        item: item.into(),
        period: Period::Quarter(2026, 4),
        step,
        status,
        note: None,
        base_version: None,
    }
}

#[test]
fn a_change_by_one_client_reaches_another_within_a_second() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let a = server.client(None);
    let b = server.client(None);
    let notices = b.subscribe().expect("remote services push notices");
    let g = group_id(&a, "Tổ dân phố 1");
    a.mark(mark(g, "CK-02", Step::Biet, StepStatus::Done))
        .expect("mark");
    let n = notices
        .recv_timeout(Duration::from_secs(1))
        .expect("B hears of A's change within 1 s");
    assert_eq!((n.group, n.item.as_str()), (g, "CK-02"));
    let row = b
        .checklist(g, Period::Quarter(2026, 4))
        .expect("checklist")
        .into_iter()
        .find(|r| r.item.code == "CK-02")
        .expect("row");
    assert_eq!(row.entry.status(Step::Biet), StepStatus::Done);
    // The CLI finds the server by itself and goes through it (no exit 75).
    let r = w.run(&["mark", "Tổ dân phố 2", "CK-02", "biet", "done"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(notices.recv_timeout(Duration::from_secs(1)).is_ok());
}

#[test]
fn eight_clients_making_500_edits_each_lose_none() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let probe = server.client(None);
    let before = probe.history(Default::default()).expect("history").len();
    let groups: Vec<u32> = probe
        .groups()
        .expect("groups")
        .iter()
        .map(|g| g.id)
        .collect();
    let items = ["CK-02", "CK-15"];
    let steps = [Step::Biet, Step::KiemTra];
    let socket = server.socket.clone();
    let handles: Vec<_> = (0..8)
        .map(|c| {
            let socket = socket.clone();
            let groups = groups.clone();
            std::thread::spawn(move || {
                let svc = RemoteService::connect(&socket, None, None, Lang::Vi).expect("connect");
                // Each client owns one (group, item, step) cell and flips it 500 times,
                // so every edit changes something and is audited.
                let g = groups[c % groups.len()];
                let item = items[(c / groups.len()) % 2];
                let step = steps[c / (groups.len() * 2)];
                for i in 0..500 {
                    let status = if i % 2 == 0 {
                        StepStatus::Done
                    } else {
                        StepStatus::Todo
                    };
                    svc.mark(mark(g, item, step, status)).expect("mark");
                }
                (g, item, step)
            })
        })
        .collect();
    let cells: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("client"))
        .collect();
    let after = probe.history(Default::default()).expect("history").len();
    assert_eq!(after - before, 4000, "exactly one audit record per edit");
    let mut versions = std::collections::BTreeMap::new();
    for (g, item, step) in cells {
        let row = probe
            .checklist(g, Period::Quarter(2026, 4))
            .expect("checklist")
            .into_iter()
            .find(|r| r.item.code == item)
            .expect("row");
        assert_eq!(
            row.entry.status(step),
            StepStatus::Todo,
            "500 flips end at todo"
        );
        versions.insert((g, item), row.entry.version);
    }
    // Two clients may share an entry (different steps): versions add up to every edit.
    assert_eq!(versions.values().sum::<u64>(), 4000);
}

#[test]
fn roles_are_enforced_by_the_server_for_every_kind_of_write() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let admin = server.client(None);
    let member = |name: &str, role, branches: &[&str], groups: &[&str]| NewMember {
        name: name.into(),
        role,
        branches: branches.iter().map(|s| s.to_string()).collect(),
        groups: groups.iter().map(|s| s.to_string()).collect(),
        unix_user: None,
        pin: None,
    };
    admin
        .add_member(member("Quản trị", Role::Admin, &[], &[]))
        .expect("first admin");
    // The bootstrap is over for new connections: they must say who they are.
    let admin = server.client(Some("Quản trị"));
    admin
        .add_member(member(
            "Biên tập",
            Role::BranchEditor,
            &["Chi bộ Hòa Bình"],
            &[],
        ))
        .expect("editor");
    admin
        .add_member(member(
            "Tổ trưởng",
            Role::GroupLeader,
            &[],
            &["Tổ dân phố 2"],
        ))
        .expect("leader");
    admin
        .add_member(member("Người xem", Role::Viewer, &[], &[]))
        .expect("viewer");
    let editor = server.client(Some("Biên tập"));
    let leader = server.client(Some("Tổ trưởng"));
    let viewer = server.client(Some("Người xem"));
    let anonymous = server.client(None);
    let g1 = group_id(&admin, "Tổ dân phố 1");
    let g2 = group_id(&admin, "Tổ dân phố 2");
    let g3 = group_id(&admin, "Tổ dân phố Đồng Tâm");

    fn refused<T: std::fmt::Debug>(r: Result<T, qcdc::service::ServiceError>, needs: &str) {
        let e = r.expect_err("refused");
        let m = e.message(Lang::Vi);
        assert!(m.contains("Không được phép") && m.contains(needs), "{m}");
    }
    // Entries.
    editor
        .mark(mark(g1, "CK-02", Step::Biet, StepStatus::Done))
        .expect("editor, own branch");
    refused(
        editor.mark(mark(g3, "CK-02", Step::Biet, StepStatus::Done)),
        "biên tập chi bộ",
    );
    leader
        .mark(mark(g2, "CK-02", Step::Biet, StepStatus::Done))
        .expect("leader, own group");
    refused(
        leader.mark(mark(g1, "CK-02", Step::Biet, StepStatus::Done)),
        "tổ trưởng",
    );
    refused(
        viewer.mark(mark(g2, "CK-02", Step::Biet, StepStatus::Done)),
        "quyền chỉ xem",
    );
    refused(
        anonymous.mark(mark(g2, "CK-02", Step::Biet, StepStatus::Done)),
        "chỉ xem",
    );
    refused(
        leader.mark(mark(
            qcdc::domain::ward::WARD_GROUP,
            "CK-16",
            Step::Biet,
            StepStatus::Done,
        )),
        "quản trị phường",
    );
    let vote = |g| qcdc::service::VoteRequest {
        group: g,
        item: "BQ-01".into(),
        period: Period::Quarter(2026, 4),
        count: qcdc::domain::vote::VoteCount {
            total: 300,
            present: 250,
            agree: 205,
            form: qcdc::domain::vote::VoteForm::Meeting,
        },
        date: None,
        base_version: None,
        planned: false,
    };
    refused(leader.record_vote(vote(g1)), "tổ trưởng");
    admin.record_vote(vote(g1)).expect("admin votes");
    let row = admin
        .checklist(g1, Period::Quarter(2026, 4))
        .expect("rows")
        .into_iter()
        .find(|r| r.item.code == "BQ-01")
        .expect("row");
    refused(
        viewer.save_entry(qcdc::service::EntryEdit {
            entry: row.entry.clone(),
            base_version: Some(row.entry.version),
        }),
        "quyền chỉ xem",
    );
    // Structure and members: administrators only.
    refused(editor.add_branch("Chi bộ mới"), "quản trị phường");
    refused(
        leader.add_group(qcdc::service::NewGroup {
            branch: "Chi bộ Hòa Bình".into(),
            name: "Tổ mới".into(),
            households: 100,
            leader: String::new(),
            front_head: String::new(),
        }),
        "quản trị phường",
    );
    refused(
        editor.add_member(member("X", Role::Admin, &[], &[])),
        "quản trị phường",
    );
    let roster = qcdc::data::WardData {
        name: String::new(),
        steps: qcdc::domain::StepSet::Four,
        current_period: None,
        branches: vec![],
        entries: vec![],
    };
    refused(viewer.load(&roster, false), "quản trị phường");
    // Undo of a change the member may no longer make: the leader's own change is fine.
    leader.undo_last().expect("leader undoes own change");
    // The audit trail names the member and the Unix account from the socket.
    let h = admin.history(Default::default()).expect("history");
    let rec = h
        .iter()
        .find(|r| r.actor.member == "Biên tập")
        .expect("editor's record");
    assert!(!rec.actor.os_user.is_empty() && rec.actor.os_user != "Biên tập");
}

#[test]
fn a_pin_is_required_for_a_member_that_has_one() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let admin = server.client(None);
    admin
        .add_member(NewMember {
            name: "Lan".into(),
            role: Role::Admin,
            branches: vec![],
            groups: vec![],
            unix_user: None,
            pin: Some("2468".into()),
        })
        .expect("admin with PIN");
    let refused = RemoteService::connect(&server.socket, Some("Lan"), Some("1111"), Lang::En);
    match refused {
        Err(qcdc::client::ConnectError::Refused {
            kind: RefuseKind::Login,
            message,
        }) => {
            assert!(message.contains("wrong PIN"), "{message}")
        }
        other => panic!("{:?}", other.err()),
    }
    let ok = RemoteService::connect(&server.socket, Some("Lan"), Some("2468"), Lang::Vi)
        .expect("right PIN");
    assert_eq!(ok.session().expect("session").role, Role::Admin);
    // From the command line, the PIN comes from QCDC_PIN.
    let mut c = qcdc(&w.db);
    c.args(["--as", "Lan", "branch", "add", "Chi bộ mới"])
        .env("QCDC_PIN", "2468");
    let r = crate::common::run_cmd(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut c = qcdc(&w.db);
    c.args(["--as", "Lan", "branch", "add", "Chi bộ khác"])
        .env("QCDC_PIN", "0000");
    let r = crate::common::run_cmd(c);
    assert_eq!(r.code, 77, "{}", r.stderr);
}

fn raw(socket: &Path) -> UnixStream {
    let s = UnixStream::connect(socket).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s
}

fn hello(protocol: u32) -> ClientMsg {
    ClientMsg::Hello(Hello {
        magic: protocol::MAGIC.into(),
        protocol,
        version: "test".into(),
        member: None,
        pin: None,
        lang: None,
    })
}

#[test]
fn a_protocol_mismatch_is_refused_with_both_versions_named() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let mut s = raw(&server.socket);
    protocol::write_frame(&mut s, &hello(999)).expect("hello");
    match protocol::read_frame::<_, ServerMsg>(&mut s).expect("answer") {
        ServerMsg::Refused {
            kind:
                RefuseKind::ProtocolMismatch {
                    server: sp,
                    client: 999,
                },
            vi,
            en,
        } => {
            assert_eq!(sp, protocol::PROTOCOL);
            assert!(
                vi.contains("không khớp") && en.contains("999"),
                "{vi} / {en}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn garbage_oversized_and_truncated_frames_close_only_that_connection() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let keeper = server.client(None);
    let closed = |mut s: UnixStream| {
        let mut buf = [0u8; 64];
        let start = Instant::now();
        loop {
            match std::io::Read::read(&mut s, &mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut =>
                {
                    panic!("connection not closed")
                }
                Err(_) => return,
            }
            assert!(start.elapsed() < Duration::from_secs(5));
        }
    };
    // Garbage instead of a hello.
    let mut s = raw(&server.socket);
    s.write_all(b"\x00\x00\x00\x05\xff\xfe\x00ab")
        .expect("write");
    closed(s);
    // A 4 GiB length: refused before allocating.
    let mut s = raw(&server.socket);
    s.write_all(&u32::MAX.to_be_bytes()).expect("write");
    closed(s);
    // After a good hello: an oversized request, then garbage, then a truncated frame.
    for bad in [
        &u32::MAX.to_be_bytes()[..],
        b"\x00\x00\x00\x03abc",
        b"\x00\x00\x01\x00{\"Requ",
    ] {
        let mut s = raw(&server.socket);
        protocol::write_frame(&mut s, &hello(protocol::PROTOCOL)).expect("hello");
        let _: ServerMsg = protocol::read_frame(&mut s).expect("welcome");
        s.write_all(bad).expect("write");
        if bad.len() > 8 {
            // Truncated: the client goes away mid-frame.
            drop(s);
        } else {
            closed(s);
        }
    }
    // The others carry on, and nothing half-written appeared.
    assert!(keeper.ward().is_ok());
    let h = keeper.history(Default::default()).expect("history");
    assert!(
        h.iter().all(|r| r.action != "mark"),
        "no write came from the bad clients"
    );
}

#[test]
fn a_client_killed_mid_request_leaves_no_partial_write() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let probe = server.client(None);
    let g = group_id(&probe, "Tổ dân phố 1");
    // A request whose connection dies right after it is sent: applied whole or not at all.
    for i in 0..20 {
        let mut s = raw(&server.socket);
        protocol::write_frame(&mut s, &hello(protocol::PROTOCOL)).expect("hello");
        let _: ServerMsg = protocol::read_frame(&mut s).expect("welcome");
        let status = if i % 2 == 0 {
            StepStatus::Done
        } else {
            StepStatus::Todo
        };
        let req = ClientMsg::Request {
            id: 1,
            req: Req::Mark(mark(g, "CK-02", Step::Biet, status)),
        };
        protocol::write_frame(&mut s, &req).expect("request");
        drop(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    let rows = probe.checklist(g, Period::Quarter(2026, 4)).expect("rows");
    let e = &rows
        .iter()
        .find(|r| r.item.code == "CK-02")
        .expect("row")
        .entry;
    let h = probe.history(Default::default()).expect("history");
    let marks = h.iter().filter(|r| r.action == "mark").count() as u64;
    assert_eq!(
        e.version, marks,
        "every applied mark is audited, nothing half-written"
    );
}

#[test]
fn every_acknowledged_write_survives_a_kill_9_of_the_server() {
    let w = demo_ward();
    let mut server = Server::start(&w.db);
    let probe = server.client(None);
    let groups: Vec<u32> = probe
        .groups()
        .expect("groups")
        .iter()
        .map(|g| g.id)
        .collect();
    let socket = server.socket.clone();
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let handles: Vec<_> = (0..4)
        .map(|c| {
            let socket = socket.clone();
            let groups = groups.clone();
            let acked = acked.clone();
            std::thread::spawn(move || {
                let Ok(svc) = RemoteService::connect(&socket, None, None, Lang::Vi) else {
                    return;
                };
                for i in 0u32.. {
                    let g = groups[(c as usize + i as usize) % groups.len()];
                    let status = if (i / 10) % 2 == 0 {
                        StepStatus::Doing
                    } else {
                        StepStatus::Done
                    };
                    match svc.mark(mark(g, "CK-15", Step::Biet, status)) {
                        Ok(e) => acked.lock().expect("lock").push((g, e.version, status)),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: kill(2) with a valid pid.
    unsafe {
        libc_kill(server.child.id() as i32, 9);
    }
    let _ = server.child.wait();
    for h in handles {
        let _ = h.join();
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() > 20, "the load ran ({} writes)", acked.len());
    // Restart on the same database: the stale socket is replaced.
    let server = Server::start(&w.db);
    let svc = server.client(None);
    for g in groups {
        let rows = svc.checklist(g, Period::Quarter(2026, 4)).expect("rows");
        let e = &rows
            .iter()
            .find(|r| r.item.code == "CK-15")
            .expect("row")
            .entry;
        let last = acked
            .iter()
            .filter(|(x, _, _)| *x == g)
            .max_by_key(|(_, v, _)| *v);
        if let Some((_, v, status)) = last {
            assert!(
                e.version >= *v,
                "group {g}: acknowledged version {v}, found {}",
                e.version
            );
            if e.version == *v {
                assert_eq!(e.status(Step::Biet), *status);
            }
        }
    }
}

#[test]
fn sigterm_flushes_and_removes_the_socket_and_a_second_server_is_refused() {
    let w = small_ward();
    let mut server = Server::start(&w.db);
    let second = qcdc(&w.db)
        .args(["serve", "--socket"])
        .arg(&server.socket)
        .output()
        .expect("second server");
    assert_ne!(second.status.code(), Some(0));
    let msg = String::from_utf8_lossy(&second.stderr);
    assert!(
        msg.contains("đang bị một tiến trình qcdc khác mở") || msg.contains("Đã có một máy chủ"),
        "{msg}"
    );
    let status = server.terminate();
    assert_eq!(status.code(), Some(0));
    assert!(!server.socket.exists(), "socket removed on exit");
}

#[test]
fn the_socket_is_group_shared_and_not_world_accessible() {
    use std::os::unix::fs::PermissionsExt;
    let w = Ward::empty();
    crate::common::build_small_ward(&w.db);
    let sock_dir = w.dir.path().join("run").join("qcdc");
    let socket = sock_dir.join("ward.sock");
    let mut child = qcdc(&w.db)
        .args(["serve", "--socket"])
        .arg(&socket)
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let start = Instant::now();
    while UnixStream::connect(&socket).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(50));
    }
    let mode = std::fs::metadata(&socket)
        .expect("socket")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o660);
    let dmode = std::fs::metadata(&sock_dir)
        .expect("dir")
        .permissions()
        .mode()
        & 0o7777;
    assert_eq!(dmode, 0o2770);
    let _ = TODAY;
    // SAFETY: kill(2) with a valid pid.
    unsafe {
        libc_kill(child.id() as i32, 15);
    }
    let _ = child.wait();
}
