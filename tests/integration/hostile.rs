//! Hostile and careless input: overlong names and notes, control characters and
//! terminal escape sequences (on the command line, over the socket, in the
//! environment, in a database written by something else), invalid UTF-8, huge and
//! negative numbers, dates out of range, formula-looking cells, and hand-crafted frames
//! sent to the ward server.
//!
//! Escape sequences must never reach a terminal raw (command-line output, TUI screens)
//! nor exported files; formulas must stay text in CSV and XLSX; nothing may panic.

use crate::common::*;
use crate::crash::{Tmux, tui_command};
use crate::server::Server;
use qcdc::protocol::{self, ClientMsg, Hello, Req, ServerMsg};
use qcdc::service::Service;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

/// Escape sequences a hostile name might carry: a window title (OSC 2), the clipboard
/// (OSC 52), clear screen, colours, cursor moves, a C1 CSI, BEL, backspace, a lone CR,
/// DEL.
const EVIL: [&str; 9] = [
    "\u{1b}]2;PWNED\u{7}",
    "\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}[31;1m",
    "\u{1b}[10A",
    "\u{9b}6n",
    "\u{7}\u{8}\u{8}",
    "giả\rmạo",
    "\u{7f}",
];

/// A control character that is not a line break, a tab or the CR of a CRLF.
fn raw_control(s: &str) -> Option<(usize, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        let ok = c == '\n' || c == '\t' || (c == '\r' && chars.get(i + 1) == Some(&'\n'));
        (c.is_control() && !ok).then_some((i, c))
    })
}

fn assert_clean(what: &str, s: &str) {
    if let Some((i, c)) = raw_control(s) {
        let from = s
            .char_indices()
            .nth(i.saturating_sub(20))
            .map(|(b, _)| b)
            .unwrap_or(0);
        let around: String = s[from..].chars().take(40).collect();
        panic!("{what}: raw control character {c:?} at char {i}: {around:?}");
    }
}

fn no_panic(r: &Run, ctx: &str) {
    assert_ne!(r.code, 101, "{ctx}: panicked\n{}", r.stderr);
    assert!(
        !r.stderr.contains("panicked"),
        "{ctx}: panicked\n{}",
        r.stderr
    );
}

/// Run and keep stdout as bytes (exported files, invalid UTF-8).
fn run_bytes(db: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = qcdc(db).args(args).output().expect("run qcdc");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every output a user looks at: lists, checklists, the log, reports in every text
/// format, to the terminal and to files.
fn check_every_output(w: &Ward, ctx: &str) {
    for args in [
        &["branch", "list"][..],
        &["group", "list"],
        &["group", "list", "--format", "json"],
        &["items", "Tổ dân phố 1"],
        &["log"],
        &["log", "--format", "json"],
        &["report"],
        &["report", "--format", "md"],
        &["report", "--format", "csv"],
        &["report", "--format", "json"],
        &["member", "list"],
    ] {
        let (code, out, err) = run_bytes(&w.db, args);
        assert_eq!(code, 0, "{ctx} {args:?}: {err}");
        assert_clean(&format!("{ctx} {args:?}"), &String::from_utf8_lossy(&out));
        assert_clean(&format!("{ctx} {args:?} stderr"), &err);
    }
    for (fmt, file) in [("csv", "r.csv"), ("md", "r.md"), ("json", "r.json")] {
        let path = w.dir.path().join(file);
        let p = path.display().to_string();
        let (code, _, err) = run_bytes(&w.db, &["report", "--format", fmt, "--out", &p]);
        assert_eq!(code, 0, "{ctx} report {fmt}: {err}");
        let bytes = std::fs::read(&path).expect("exported file");
        assert_clean(
            &format!("{ctx}: exported {file}"),
            &String::from_utf8_lossy(&bytes),
        );
    }
}

#[test]
fn escape_sequences_typed_on_the_command_line_never_reach_a_terminal_or_a_file() {
    let w = small_ward();
    let branch = format!("Chi bộ {}Đỏ", EVIL.concat());
    w.ok(&["branch", "add", &branch]);
    for (i, e) in EVIL.iter().enumerate() {
        let r = w.run(&[
            "group",
            "add",
            &format!("Tổ {i}{e} X"),
            "--branch",
            &branch,
            "--households",
            "100",
            "--leader",
            &format!("Trưởng {e}"),
        ]);
        assert_eq!(r.code, 0, "{e:?}: {}", r.stderr);
        assert_clean(&format!("group add {e:?}"), &r.stdout);
        let r = w.run(&[
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            ["done", "todo"][i % 2],
            "--note",
            &format!("ghi chú {e} hết"),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_clean("mark", &r.stdout);
    }
    // Stored cleaned: the escape character itself is gone, the visible rest stays.
    let groups = w.groups();
    assert!(
        groups.iter().any(|g| g["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Tổ 0 ]2;PWNED") && n.ends_with(" X"))),
        "{groups:?}"
    );
    check_every_output(&w, "typed");
    // The member names and the Unix account in the environment too.
    let mut c = qcdc(&w.db);
    c.env("USER", "kẻ\u{1b}]2;PWNED\u{7}xấu").args([
        "--as",
        "Người\u{1b}[2Jlạ",
        "mark",
        "Tổ dân phố 2",
        "CK-02",
        "biet",
        "done",
    ]);
    let r = run_cmd(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = w.log();
    // USER is not an identity: the account comes from the system, whatever it says.
    assert_eq!(
        log[0]["actor"]["os_user"],
        crate::common::me(),
        "{:?}",
        log[0]
    );
    assert_eq!(log[0]["actor"]["member"], "Người [2Jlạ");
    check_every_output(&w, "environment");
    // An error message quoting the input.
    let r = w.run(&["mark", "Tổ\u{1b}]2;PWNED\u{7}9", "CK-02", "biet", "done"]);
    assert_eq!(r.code, 65);
    assert_clean("error message", &r.stderr);
    let csv = w.dir.path().join("evil.csv");
    std::fs::write(
        &csv,
        "chi bộ,tổ dân phố,số hộ,tổ trưởng,\u{1b}]2;PWNED\u{7}\nA,\u{1b}[2J,100,B,x\n",
    )
    .expect("csv");
    let r = w.run(&["import", "groups", &csv.display().to_string()]);
    no_panic(&r, "import");
    assert_clean("import message", &r.stderr);
    assert_clean("import output", &r.stdout);
}

/// Write a group straight into sled, as an older or foreign program might have: the
/// name is not cleaned.
fn plant_raw_group(db: &Path, id: u32, name: &str) {
    use qcdc::store::records::{GroupV2, encode};
    let sled_db = crate::common::sled_open(db);
    let groups = sled_db.open_tree("groups").expect("groups");
    let branches = sled_db.open_tree("branches").expect("branches");
    let (bid, _) = branches
        .iter()
        .next()
        .expect("a branch")
        .expect("branch record");
    let branch = u32::from_be_bytes(bid.as_ref().try_into().expect("u32 key"));
    groups
        .insert(
            id.to_be_bytes(),
            encode(&GroupV2 {
                branch,
                name: name.into(),
                leader: format!("Lãnh đạo {}", EVIL.concat()),
                front_head: String::new(),
                households: 120,
            }),
        )
        .expect("insert");
    sled_db.flush().expect("flush");
}

#[test]
fn escape_sequences_already_in_a_database_stay_inert() {
    let w = small_ward();
    plant_raw_group(&w.db, 77, &format!("Tổ Lạ{}Cuối", EVIL.concat()));
    check_every_output(&w, "planted");
    if !Tmux::or_skip("the TUI part of the planted-name test") {
        return;
    }
    let t = Tmux::start("planted", &tui_command(&w.db, "", ""), 120, 40);
    let s = t.wait_for("Tổ Lạ");
    let title = t.format("#{pane_title}");
    assert!(
        !title.contains("PWNED"),
        "the window title was set: {title:?}"
    );
    assert!(
        s.contains("Phường Thử Nghiệm"),
        "the screen was cleared:\n{s}"
    );
    assert!(s.contains("Tổ dân phố 1"), "the screen was cleared:\n{s}");
    // Open the planted group's checklist and its history: still inert.
    for _ in 0..6 {
        t.keys(&["Down"]);
    }
    std::thread::sleep(Duration::from_millis(300));
    let title = t.format("#{pane_title}");
    assert!(!title.contains("PWNED"), "{title:?}");
    t.keys(&["q"]);
}

#[test]
fn overlong_names_notes_and_members_are_refused_or_bounded() {
    let w = small_ward();
    let before = w.log().len();
    let long_name = "Tổ rất dài ".repeat(20); // 220 characters
    let r = w.fails(&["branch", "add", &long_name], 65);
    assert!(
        r.stderr.contains("quá dài") && r.stderr.contains("200"),
        "{}",
        r.stderr
    );
    let r = w.fails(
        &[
            "group",
            "add",
            &long_name,
            "--branch",
            BRANCH_1,
            "--households",
            "10",
        ],
        65,
    );
    assert!(r.stderr.contains("quá dài"), "{}", r.stderr);
    let r = w.fails(
        &[
            "group",
            "add",
            "Tổ 9",
            "--branch",
            BRANCH_1,
            "--households",
            "10",
            "--leader",
            &long_name,
        ],
        65,
    );
    assert!(r.stderr.contains("quá dài"), "{}", r.stderr);
    let note = "ghi chú ".repeat(300); // 2 400 characters
    let r = w.fails(
        &[
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            "done",
            "--note",
            &note,
        ],
        65,
    );
    assert!(r.stderr.contains("2000"), "{}", r.stderr);
    // 100 KiB in one argument (Linux takes at most 128 KiB): refused at once.
    let huge = "x".repeat(100 * 1024);
    let start = Instant::now();
    w.fails(&["branch", "add", &huge], 65);
    w.fails(
        &[
            "mark",
            "Tổ dân phố 1",
            "CK-02",
            "biet",
            "done",
            "--note",
            &huge,
        ],
        65,
    );
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "slow on a huge argument"
    );
    assert_eq!(w.log().len(), before, "a refused write left a trace");
    // A name to work as is bounded before it reaches the audit log.
    w.ok(&[
        "--as",
        &huge,
        "mark",
        "Tổ dân phố 1",
        "CK-02",
        "biet",
        "done",
    ]);
    let log = w.log();
    let member = log[0]["actor"]["member"].as_str().expect("member");
    assert!(member.chars().count() <= 200, "{} characters", member.len());
    // A roster row with an overlong name names its row and column.
    let csv = w.dir.path().join("dai.csv");
    std::fs::write(
        &csv,
        format!("chi bộ,tổ dân phố,số hộ,tổ trưởng\nCB,Tổ 1,10,A\nCB,{long_name},10,B\n"),
    )
    .expect("csv");
    let r = w.fails(&["import", "groups", &csv.display().to_string()], 65);
    assert!(r.stderr.contains("3"), "{}", r.stderr);
}

#[test]
fn invalid_utf8_in_files_and_arguments_is_refused_cleanly() {
    use std::os::unix::ffi::OsStrExt;
    let w = small_ward();
    let before = w.log().len();
    for (name, bytes) in [
        (
            "latin1.csv",
            &b"chi b\xf4,t\xf4 d\xe2n ph\xf4,s\xf4 h\xf4,t\xf4 tr\xfeong\nA,B,1,C\n"[..],
        ),
        (
            "mid.csv",
            b"chi bo,to dan pho,so ho,to truong\nA,T1,10,X\nA,T\xff\xfe2,10,Y\n",
        ),
        ("utf16.csv", b"\xff\xfec\x00h\x00i\x00"),
        ("binary.csv", &[0u8, 159, 146, 150, 0, 1, 2, 3, 255][..]),
        ("empty.csv", b""),
        ("bom-only.csv", b"\xef\xbb\xbf"),
    ] {
        let p = w.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        let r = w.run(&["import", "groups", &p.display().to_string()]);
        no_panic(&r, name);
        assert_eq!(r.code, 65, "{name}: {}", r.stderr);
        assert_clean(name, &r.stderr);
    }
    // A spreadsheet that is not one.
    let p = w.dir.path().join("fake.xlsx");
    std::fs::write(&p, b"PK\x03\x04 not really a zip").expect("write");
    let r = w.run(&["import", "groups", &p.display().to_string()]);
    no_panic(&r, "fake.xlsx");
    assert_ne!(r.code, 0);
    // Arguments that are not UTF-8: a usage error, not a crash.
    let out = qcdc(&w.db)
        .arg("branch")
        .arg("add")
        .arg(std::ffi::OsStr::from_bytes(b"Chi b\xf4"))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(w.log().len(), before);
}

#[test]
fn huge_negative_and_impossible_numbers_and_dates_are_refused() {
    let w = small_ward();
    let before = w.log().len();
    let add = |hh: &str| {
        w.run(&[
            "group",
            "add",
            "Tổ Số",
            "--branch",
            BRANCH_1,
            "--households",
            hh,
        ])
    };
    for hh in [
        "-5",
        "4294967296",
        "99999999999999999999",
        "1e9",
        "0x10",
        "",
    ] {
        let r = add(hh);
        no_panic(&r, hh);
        assert_eq!(r.code, 2, "households {hh:?}: {}", r.stderr);
    }
    for hh in ["0", "100001", "4294967295"] {
        let r = add(hh);
        assert_eq!(r.code, 65, "households {hh:?}: {}", r.stderr);
    }
    let vote = |extra: &[&str]| {
        let mut a = vec!["vote", "Tổ dân phố 1", "BQ-01"];
        a.extend_from_slice(extra);
        w.run(&a)
    };
    for (extra, code) in [
        (&["--present", "-1", "--agree", "0"][..], 2),
        (&["--present", "99999999999", "--agree", "1"], 2),
        (&["--present", "301", "--agree", "1"], 65),
        (&["--present", "10", "--agree", "11"], 65),
        (&["--households", "0", "--present", "0", "--agree", "0"], 65),
        (
            &[
                "--households",
                "4294967295",
                "--present",
                "1",
                "--agree",
                "1",
            ],
            65,
        ),
        (
            &["--present", "250", "--agree", "205", "--date", "31/02/2026"],
            65,
        ),
        (
            &["--present", "250", "--agree", "205", "--date", "01/01/1899"],
            65,
        ),
        (
            &["--present", "250", "--agree", "205", "--date", "9999-12-31"],
            65,
        ),
        (
            &[
                "--present",
                "250",
                "--agree",
                "205",
                "--date",
                "+262142-12-31",
            ],
            65,
        ),
        (
            &[
                "--present",
                "250",
                "--agree",
                "205",
                "--date",
                "10/08/2026 hôm nay",
            ],
            65,
        ),
    ] {
        let r = vote(extra);
        no_panic(&r, &format!("{extra:?}"));
        assert_eq!(r.code, code, "vote {extra:?}: {}", r.stderr);
    }
    for p in [
        "1999",
        "3000",
        "65536",
        "2026-Q0",
        "2026-Q99999999999",
        "-2026",
        "２０２６",
    ] {
        let r = w.run(&[&format!("--period={p}"), "report"]);
        no_panic(&r, p);
        assert_eq!(r.code, 65, "period {p:?}: {}", r.stderr);
    }
    let r = w.run(&["log", "--limit", "18446744073709551615"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run(&["log", "--limit", "99999999999999999999999"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Households in a roster: every bad count names its row.
    let csv = w.dir.path().join("so.csv");
    for hh in [
        "-5",
        "1e9",
        "99999999999999999999",
        "١٢٣",
        "0",
        "100001",
        "NaN",
    ] {
        std::fs::write(
            &csv,
            format!("chi bộ,tổ dân phố,số hộ,tổ trưởng\nCB,Tổ X,{hh},A\n"),
        )
        .expect("csv");
        let r = w.run(&["import", "groups", &csv.display().to_string()]);
        no_panic(&r, hh);
        assert_eq!(r.code, 65, "roster households {hh:?}: {}", r.stderr);
        assert!(r.stderr.contains("dòng 2"), "{hh}: {}", r.stderr);
    }
    assert_eq!(w.log().len(), before, "a refused write left a trace");
}

#[test]
fn formula_looking_names_stay_text_in_csv_and_xlsx() {
    let w = small_ward();
    let formulas = [
        "=cmd|' /C calc'!A0",
        "+SUM(1,2)",
        "-2+3",
        "@HYPERLINK(\"http://x\")",
        "=1+1",
    ];
    w.ok(&["branch", "add", formulas[0]]);
    for (i, f) in formulas.iter().enumerate() {
        w.ok(&[
            "group",
            "add",
            "--branch",
            formulas[0],
            "--households",
            &format!("{}", 10 + i),
            "--",
            f,
        ]);
    }
    let (code, csv, err) = run_bytes(&w.db, &["report", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let csv = String::from_utf8(csv).expect("utf-8");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let mut seen = 0;
    for rec in rdr.records() {
        let rec = rec.expect("csv record");
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r'])
                    && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
                "a formula-looking cell in the CSV: {cell:?}"
            );
            if formulas.iter().any(|f| cell == format!("'{f}")) {
                seen += 1;
            }
        }
    }
    assert!(
        seen >= formulas.len(),
        "the names are in the CSV, quoted ({seen})"
    );
    // XLSX: text cells, no formula anywhere.
    let xlsx = w.dir.path().join("r.xlsx");
    let r = w.run(&[
        "report",
        "--format",
        "xlsx",
        "--out",
        &xlsx.display().to_string(),
    ]);
    if r.code == 2 {
        eprintln!("note: no XLSX report in this build; the XLSX part did not run");
        return;
    }
    assert_eq!(r.code, 0, "{}", r.stderr);
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&xlsx).expect("open the xlsx");
    let mut texts = 0;
    for name in wb.sheet_names().to_vec() {
        if let Ok(f) = wb.worksheet_formula(&name) {
            assert!(
                f.used_cells().all(|(_, _, v)| v.is_empty()),
                "sheet {name} holds formulas"
            );
        }
        let range = wb.worksheet_range(&name).expect("sheet");
        for (_, _, v) in range.used_cells() {
            if let calamine::Data::String(s) = v
                && formulas.iter().any(|f| s.contains(f))
            {
                texts += 1;
            }
        }
    }
    assert!(
        texts >= formulas.len(),
        "the names are in the XLSX as text ({texts})"
    );
}

// ---------------------------------------------------------------------------------
// The ward server and hand-crafted frames

fn raw(socket: &Path) -> UnixStream {
    let s = UnixStream::connect(socket).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

fn hello(member: Option<String>) -> ClientMsg {
    ClientMsg::Hello(Hello {
        magic: protocol::MAGIC.into(),
        protocol: protocol::PROTOCOL,
        version: "hostile".into(),
        member,
        pin: None,
        lang: None,
    })
}

/// A connection past the handshake.
fn session(socket: &Path, member: Option<String>) -> UnixStream {
    let mut s = raw(socket);
    protocol::write_frame(&mut s, &hello(member)).expect("hello");
    match protocol::read_frame::<_, ServerMsg>(&mut s).expect("answer") {
        ServerMsg::Welcome { .. } => s,
        other => panic!("{other:?}"),
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = (body.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(body);
    v
}

/// Read until the server closes the connection (or 10 s pass).
fn closed(mut s: UnixStream) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// One request on a raw connection: `Ok` or the refusal's message.
fn call(s: &mut UnixStream, id: u64, req: Req) -> Result<serde_json::Value, String> {
    protocol::write_frame(s, &ClientMsg::Request { id, req }).expect("request");
    loop {
        match protocol::read_frame::<_, ServerMsg>(s).expect("response") {
            ServerMsg::Response { id: rid, result } if rid == id => {
                return result.map_err(|e| e.en);
            }
            _ => continue,
        }
    }
}

#[test]
fn hand_crafted_frames_close_only_their_connection_and_cost_little() {
    let w = small_ward();
    let server = Server::start(&w.db);
    let keeper = server.client(None);
    let pid = server.child.id();
    // Deeply nested JSON, invalid escapes, numbers beyond any integer, wrong types.
    let nested = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    let bodies: Vec<Vec<u8>> = vec![
        nested.clone().into_bytes(),
        br#"{"Request":{"id":1,"req":{"Branches":[1,2,3]}}}"#.to_vec(),
        br#"{"Request":{"id":1e400,"req":"Ping"}}"#.to_vec(),
        br#"{"Request":{"id":-1,"req":"Ping"}}"#.to_vec(),
        br#"{"Request":{"id":1,"req":{"AddBranch":"\ud800"}}}"#.to_vec(),
        br#"{"Request":{"id":1,"req":{"Report":"2026-Q9"}}}"#.to_vec(),
        br#"{"Request":{"id":1,"req":{"Checklist":{"group":4294967296,"period":"2026"}}}}"#
            .to_vec(),
        b"\xff\xfe\xfd".to_vec(),
        Vec::new(),
    ];
    for (i, body) in bodies.iter().enumerate() {
        // Before the hello, and after it.
        let mut s = raw(&server.socket);
        s.write_all(&frame(body)).expect("write");
        assert!(closed(s), "frame {i} before hello: connection left open");
        let mut s = session(&server.socket, None);
        s.write_all(&frame(body)).expect("write");
        assert!(closed(s), "frame {i} after hello: connection left open");
    }
    // Announcing 32 MiB and sending a byte: the buffer grows with what arrives, so
    // thirty such clients cost the server little memory.
    let before = rss_kib(pid);
    let mut hogs = Vec::new();
    for _ in 0..30 {
        let mut s = session(&server.socket, None);
        s.write_all(&protocol::MAX_FRAME.to_be_bytes())
            .expect("length");
        s.write_all(b"{").expect("a byte");
        hogs.push(s);
    }
    std::thread::sleep(Duration::from_millis(500));
    let grown = rss_kib(pid).saturating_sub(before);
    assert!(
        grown < 200 * 1024,
        "30 announced 32 MiB frames cost {grown} KiB of server memory"
    );
    drop(hogs);
    // Fifty connections that never say hello do not stop a real client.
    let idle: Vec<UnixStream> = (0..50).map(|_| raw(&server.socket)).collect();
    let start = Instant::now();
    assert!(keeper.ward().is_ok());
    let other = server.client(None);
    assert!(other.groups().is_ok());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "idle connections slowed the server"
    );
    drop(idle);
    // The others carried on; nothing was written by the bad frames.
    assert!(keeper.ward().is_ok());
    let h = keeper.history(Default::default()).expect("history");
    assert!(h.iter().all(|r| r.action != "add-branch" || r.seq <= 2));
    assert!(rss_kib(pid) > 0, "the server is still running");
}

#[test]
fn hostile_requests_are_refused_or_cleaned_by_the_service() {
    use qcdc::data::{BranchData, EntryData, GroupData, WardData};
    use qcdc::domain::entry::Entry;
    use qcdc::domain::period::Period;
    let w = small_ward();
    let server = Server::start(&w.db);
    // The first connection is the bootstrap administrator; a 1 MB name to work as is
    // bounded before it reaches the audit log.
    let mut s = session(&server.socket, Some(format!("Kẻ{}", "x".repeat(1 << 20))));
    let evil = EVIL.concat();
    let data = WardData {
        name: String::new(),
        steps: qcdc::domain::StepSet::Four,
        current_period: None,
        branches: vec![BranchData {
            name: format!("Chi bộ {evil}Mới"),
            groups: vec![GroupData {
                name: format!("Tổ {evil}Mới"),
                households: 50,
                leader: format!("Ông {evil}"),
                front_head: String::new(),
            }],
        }],
        entries: vec![],
    };
    call(
        &mut s,
        1,
        Req::Load {
            data: data.clone(),
            dry_run: false,
        },
    )
    .expect("load");
    let mut too_many = data.clone();
    too_many.branches[0].name = "Chi bộ khác".into();
    too_many.branches[0].groups[0].name = "Tổ khác".into();
    too_many.branches[0].groups[0].households = u32::MAX;
    assert!(
        call(
            &mut s,
            2,
            Req::Load {
                data: too_many,
                dry_run: false
            }
        )
        .is_err()
    );
    let mut long = data.clone();
    long.branches[0].name = "B".repeat(10_000);
    assert!(
        call(
            &mut s,
            3,
            Req::Load {
                data: long,
                dry_run: true
            }
        )
        .is_err()
    );
    // An entry for a quarterly item given a year, steps it does not have, a date out of
    // range: refused.
    let bad_entry = |f: &dyn Fn(&mut EntryData)| {
        let mut d = data.clone();
        d.branches.clear();
        let mut e = EntryData {
            group: Some("Tổ dân phố 1".into()),
            item: "CK-02".into(),
            period: Period::Quarter(2026, 4),
            steps: vec![],
            posted_from: None,
            posted_to: None,
            meeting_date: None,
            vote: None,
            minutes: String::new(),
            responsible: String::new(),
            note: String::new(),
        };
        f(&mut e);
        d.entries = vec![e];
        d
    };
    for (i, d) in [
        bad_entry(&|e| e.period = Period::Year(2026)),
        bad_entry(&|e| {
            e.steps = vec![(
                "lam".parse().expect("step"),
                "done".parse().expect("status"),
            )]
        }),
        bad_entry(&|e| e.meeting_date = chrono::NaiveDate::from_ymd_opt(200_000, 1, 1)),
        bad_entry(&|e| e.group = None),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(
            call(
                &mut s,
                10 + i as u64,
                Req::Load {
                    data: d,
                    dry_run: false
                }
            )
            .is_err(),
            "bad entry {i} was loaded"
        );
    }
    // Dates chrono accepts and users cannot type: refused, and no panic anywhere.
    let svc = server.client(None);
    let g = svc.groups().expect("groups")[0].id;
    let row = svc
        .checklist(g, Period::Quarter(2026, 4))
        .expect("checklist")
        .into_iter()
        .find(|r| r.item.code == "BQ-01")
        .expect("BQ-01");
    for d in [
        chrono::NaiveDate::MAX,
        chrono::NaiveDate::MIN,
        chrono::NaiveDate::from_ymd_opt(1, 1, 1).expect("date"),
    ] {
        let mut e: Entry = row.entry.clone();
        e.evidence.meeting_date = Some(d);
        e.evidence.posted_from = Some(d);
        let r = call(
            &mut s,
            20,
            Req::SaveEntry(qcdc::service::EntryEdit {
                entry: e,
                base_version: None,
            }),
        );
        assert!(r.is_err(), "date {d} was saved");
        let mut v = qcdc::service::VoteRequest {
            group: g,
            item: "BQ-01".into(),
            period: Period::Quarter(2026, 4),
            count: qcdc::domain::vote::VoteCount {
                total: 300,
                present: 250,
                agree: 205,
                form: qcdc::domain::vote::VoteForm::Meeting,
            },
            date: Some(d),
            base_version: None,
            planned: false,
        };
        assert!(
            call(&mut s, 21, Req::Vote(v.clone())).is_err(),
            "vote dated {d}"
        );
        v.count.total = u32::MAX;
        v.date = None;
        assert!(
            call(&mut s, 22, Req::Vote(v)).is_err(),
            "vote of u32::MAX households"
        );
    }
    // What was loaded is clean, and the audit log names a bounded member.
    let groups = svc.groups().expect("groups");
    let planted = groups
        .iter()
        .find(|g| g.name.starts_with("Tổ ") && g.name.ends_with("Mới"))
        .expect("loaded group");
    assert!(raw_control(&planted.name).is_none(), "{:?}", planted.name);
    assert!(
        raw_control(&planted.leader).is_none(),
        "{:?}",
        planted.leader
    );
    let h = svc.history(Default::default()).expect("history");
    for r in &h {
        assert!(
            r.actor.member.chars().count() <= 200,
            "member of #{}",
            r.seq
        );
        assert!(raw_control(&r.actor.label()).is_none());
    }
    assert!(
        h.iter().all(|r| r.action != "edit" && r.action != "vote"),
        "a refused write left a trace"
    );
    check_every_output(&w, "through the server");
}

#[test]
fn a_socket_planted_by_another_account_is_not_trusted() {
    // The socket folder is group-writable: while the server is down, a member of the
    // group could plant a socket there and collect the PINs sent in the hello. The
    // client talks only to a process running as root, as itself, or as the folder's
    // owner. Here "another account" is nobody (uid 65534); that needs root.
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("note: the planted-socket test needs root (to run a process as another user)");
        return;
    }
    let w = small_ward();
    let chmod = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
    };
    // The impostor's own database, and a folder anyone may write to (owned by root).
    let fake = w.dir.path().join("fake.db");
    build_small_ward(&fake);
    let st = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&fake)
        .status()
        .expect("chown");
    assert!(st.success());
    chmod(w.dir.path(), 0o777);
    let run = w.dir.path().join("run");
    std::fs::create_dir(&run).expect("run dir");
    chmod(&run, 0o777);
    let socket = run.join("ward.sock");
    let mut impostor = qcdc(&fake)
        .args(["serve", "--socket"])
        .arg(&socket)
        .uid(65534)
        .gid(65534)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("impostor");
    let start = Instant::now();
    while UnixStream::connect(&socket).is_err() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = impostor.kill();
            let _ = impostor.wait();
            eprintln!("note: the planted-socket test could not run a server as uid 65534");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let r = qcdc::client::RemoteService::connect(
        &socket,
        Some("Lan"),
        Some("2468"),
        qcdc::i18n::Lang::En,
    );
    let refused = matches!(&r, Err(qcdc::client::ConnectError::Protocol(m)) if m.contains("not the ward server"));
    // The command line refuses too, instead of working through the impostor.
    let mut c = qcdc(&w.db);
    c.env("QCDC_SOCKET", &socket).args(["report"]);
    let cli = run_cmd(c);
    let _ = impostor.kill();
    let _ = impostor.wait();
    assert!(
        refused,
        "the client talked to a server run by another account: {:?}",
        r.err()
    );
    assert_eq!(cli.code, 1, "{}", cli.stderr);
    assert!(
        cli.stderr.contains("không phải máy chủ phường"),
        "{}",
        cli.stderr
    );
}
