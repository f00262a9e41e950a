//! Issue 14: the narrative a ward writes beside its figures — per period, from a file,
//! standard input or the editor, stored cleaned and audited, placed in the Word and
//! Markdown reports, carried by backup and restore, refused with a reason.

use crate::common::*;

fn stored(w: &Ward, period: &str) -> serde_json::Value {
    w.ok(&["--period", period, "narrative", "show", "--format", "json"])
        .json()["sections"]
        .clone()
}

#[test]
fn a_written_narrative_is_stored_audited_and_placed_in_the_word_and_markdown_reports() {
    let w = demo_ward();
    // A file as Notepad saves it: a byte-order mark and CRLF line ends.
    let file = w.dir.path().join("danh-gia.txt");
    std::fs::write(
        &file,
        "\u{feff}Các tổ dân phố niêm yết đầy đủ, đúng hạn.  \r\n\r\nSố hộ dự họp tăng so với quý trước.\r\n\r\n",
    )
    .unwrap();
    let r = w.ok(&[
        "--period",
        "2026-Q4",
        "narrative",
        "set",
        "Đánh giá",
        "--file",
        file.to_str().unwrap(),
    ]);
    assert!(r.stdout.contains("danh-gia"), "{}", r.stdout);
    // Standard input, a section named without diacritics.
    let mut c = qcdc(&w.db);
    c.args(["--period", "2026-Q4", "narrative", "set", "han che"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Tổ dân phố 8 chưa họp đủ.\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let s = stored(&w, "2026-Q4");
    assert_eq!(
        s["danh-gia"],
        "Các tổ dân phố niêm yết đầy đủ, đúng hạn.\n\nSố hộ dự họp tăng so với quý trước."
    );
    assert_eq!(s["han-che"], "Tổ dân phố 8 chưa họp đủ.");
    // Another period has its own narrative.
    assert_eq!(stored(&w, "2026-Q3"), serde_json::json!({}));

    // Audited: who, what, the text before and after.
    let log = w.ok(&["log", "--limit", "2", "--format", "json"]).json();
    let last = &log.as_array().unwrap()[0];
    assert_eq!(last["action"], "narrative");
    assert_eq!(last["period"], "2026-Q4");
    assert_eq!(last["changes"][0]["field"], "narrative:han-che");
    assert_eq!(last["changes"][0]["new"], "Tổ dân phố 8 chưa họp đủ.");
    let text = w.ok(&["log", "--limit", "1"]).stdout;
    assert!(text.contains("Hạn chế, nguyên nhân"), "{text}");

    // Placed in the Word report under III, in order, one paragraph per line.
    let docx = w.dir.path().join("q4.docx");
    w.ok(&[
        "--period",
        "2026-Q4",
        "report",
        "--format",
        "docx",
        "--out",
        docx.to_str().unwrap(),
    ]);
    let t = crate::documents::docx_text(&std::fs::read(&docx).unwrap());
    let iii = t.find("III. ĐÁNH GIÁ CHUNG").expect("section III");
    let a = t
        .find("Các tổ dân phố niêm yết đầy đủ")
        .expect("written text");
    let b = t.find("Tổ dân phố 8 chưa họp đủ.").expect("written text");
    let iv = t.find("IV. NHIỆM VỤ, GIẢI PHÁP").expect("section IV");
    assert!(iii < a && a < b && b < iv, "{t}");
    // Sections not written stay dotted lines to fill by hand.
    assert!(t[iv..].contains("……"), "{}", &t[iv..]);

    // And in Markdown.
    let md = w
        .ok(&["--period", "2026-Q4", "report", "--format", "md"])
        .stdout;
    assert!(md.contains("### Hạn chế, nguyên nhân"), "{md}");
    assert!(md.contains("Số hộ dự họp tăng so với quý trước."), "{md}");
    // A period with nothing written: no narrative heading.
    let md3 = w
        .ok(&["--period", "2026-Q3", "report", "--format", "md"])
        .stdout;
    assert!(!md3.contains("Đánh giá, nhiệm vụ, kiến nghị"), "{md3}");

    // Clearing removes it.
    w.ok(&["--period", "2026-Q4", "narrative", "clear", "han-che"]);
    assert!(stored(&w, "2026-Q4").get("han-che").is_none());
}

/// `qcdc narrative set SECTION` at a terminal opens $VISUAL on the current text; what
/// the editor leaves in the file is stored.
#[cfg(unix)]
#[test]
fn the_editor_opens_on_the_current_text_and_what_it_saves_is_stored() {
    use crate::crash::{Tmux, shell_quote};
    if std::env::var_os("QCDC_TEST_RUNNER").is_some() || !Tmux::or_skip("the narrative editor") {
        return;
    }
    let w = demo_ward();
    let first = w.dir.path().join("first.txt");
    std::fs::write(&first, "Kiến nghị đầu.\n").unwrap();
    w.ok(&[
        "--period",
        "2026-Q4",
        "narrative",
        "set",
        "kien-nghi",
        "--file",
        first.to_str().unwrap(),
    ]);
    // An "editor" that checks it was given the current text, then adds a line to it,
    // as a person would.
    let editor = w.dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\ngrep -q 'Kiến nghị đầu.' \"$1\" || exit 3\n\
         printf 'Đề nghị phường hỗ trợ kinh phí.\\n' >> \"$1\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cmd = format!(
        "env VISUAL={} QCDC_TODAY={TODAY} USER={OS_USER} {} --db {} --period 2026-Q4 \
         narrative set kien-nghi; echo EXIT=$?; sleep 30",
        shell_quote(editor.to_str().unwrap()),
        shell_quote(env!("CARGO_BIN_EXE_qcdc")),
        shell_quote(w.db.to_str().unwrap()),
    );
    let t = Tmux::start("narrative-editor", &cmd, 80, 24);
    let screen = t.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_eq!(
        stored(&w, "2026-Q4")["kien-nghi"],
        "Kiến nghị đầu.\nĐề nghị phường hỗ trợ kinh phí."
    );
}

#[test]
fn bad_narratives_are_refused_with_a_reason_and_nothing_is_stored() {
    let w = demo_ward();
    let file = w.dir.path().join("t.txt");
    std::fs::write(&file, "Nội dung.").unwrap();
    let f = file.to_str().unwrap();
    let r = w.fails(&["narrative", "set", "tong-ket", "--file", f], 65);
    assert!(r.stderr.contains("danh-gia, han-che"), "{}", r.stderr);
    let r = w.fails(
        &["--lang", "en", "narrative", "set", "tong-ket", "--file", f],
        65,
    );
    assert!(r.stderr.contains("No section"), "{}", r.stderr);
    // Not UTF-8 (a file saved in a legacy code page).
    std::fs::write(&file, b"T\xf4 d\xe2n ph\xf4").unwrap();
    let r = w.fails(&["narrative", "set", "danh-gia", "--file", f], 65);
    assert!(r.stderr.contains("UTF-8"), "{}", r.stderr);
    // Too long.
    std::fs::write(&file, "a".repeat(20_001)).unwrap();
    let r = w.fails(&["narrative", "set", "danh-gia", "--file", f], 65);
    assert!(r.stderr.contains("20000"), "{}", r.stderr);
    // A file that is not there.
    let r = w.fails(
        &["narrative", "set", "danh-gia", "--file", "khong-co.txt"],
        65,
    );
    assert!(r.stderr.contains("khong-co.txt"), "{}", r.stderr);
    assert_eq!(stored(&w, "2026-Q4"), serde_json::json!({}));

    // Members: a viewer may not write it.
    w.ok(&[
        "member",
        "add",
        "Quản trị",
        "--role",
        "admin",
        "--unix-user",
        &me(),
    ]);
    w.ok(&["member", "add", "Người xem", "--role", "viewer"]);
    std::fs::write(&file, "Nội dung.").unwrap();
    w.fails(
        &[
            "--as",
            "Người xem",
            "narrative",
            "set",
            "danh-gia",
            "--file",
            f,
        ],
        77,
    );
    assert_eq!(stored(&w, "2026-Q4"), serde_json::json!({}));
}

#[test]
fn backup_and_restore_carry_the_narrative() {
    let w = demo_ward();
    let file = w.dir.path().join("t.txt");
    std::fs::write(&file, "Nhiệm vụ quý tới: họp đủ các tổ.").unwrap();
    w.ok(&[
        "--period",
        "2026-Q4",
        "narrative",
        "set",
        "nhiem-vu",
        "--file",
        file.to_str().unwrap(),
    ]);
    let dir = w.dir.path().join("bk");
    w.ok(&["backup", dir.to_str().unwrap()]);
    let backup = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a backup");
    w.ok(&["--period", "2026-Q4", "narrative", "clear", "nhiem-vu"]);
    assert_eq!(stored(&w, "2026-Q4"), serde_json::json!({}));
    w.ok(&["restore", backup.to_str().unwrap(), "--yes"]);
    assert_eq!(
        stored(&w, "2026-Q4")["nhiem-vu"],
        "Nhiệm vụ quý tới: họp đủ các tổ."
    );
}
