//! Commands about the ward itself: `init`, `branch`, `group`, `member`, `serve`,
//! `bench-gen`.

use super::args::*;
use super::reports::Ctx;
use super::{CliResult, Failure, output};
use crate::app::exit::ExitCode;
use crate::domain::period::Period;
use crate::domain::step::StepSet;
use crate::service::{NewGroup, ServiceError};
use std::io::IsTerminal;
use std::path::Path;

/// `qcdc init`: a new ward, or the demo ward. Never touches an existing ward.
pub fn init(cx: &Ctx, a: &InitArgs) -> CliResult {
    let lang = cx.lang;
    let svc = if a.demo {
        crate::app::ward::create_demo(cx.db, cx.who.clone(), lang)?
    } else {
        let steps = StepSet::from_count(a.steps).ok_or_else(|| {
            Failure::new(
                ExitCode::Usage,
                lang.t("--steps phải là 4 hoặc 6.", "--steps must be 4 or 6."),
            )
        })?;
        crate::app::ward::create_ward(
            cx.db,
            a.ward.as_deref().unwrap_or(""),
            steps,
            cx.who.clone(),
            lang,
        )?
    };
    use crate::service::Service;
    let ward = svc.ward().map_err(cx.svc_err())?;
    let groups = svc.groups().map_err(cx.svc_err())?;
    cx.out().line(&format!(
        "{} {} ({} {}, {} {}) {} {}",
        cx.t("Đã tạo", "Created"),
        ward.name,
        groups.len(),
        cx.t("tổ dân phố", "groups"),
        ward.steps.count(),
        cx.t("bước", "steps"),
        cx.t("tại", "at"),
        cx.db.display()
    ));
    Ok(())
}

pub fn branch(cx: &Ctx, b: BranchCmd) -> CliResult {
    let svc = cx.service()?;
    let out = cx.out();
    match b {
        BranchCmd::Add { name } => {
            let b = svc.add_branch(&name).map_err(cx.svc_err())?;
            out.line(&format!(
                "{} {}",
                cx.t("Đã thêm chi bộ", "Added branch"),
                b.name
            ));
        }
        BranchCmd::List(l) => {
            let branches = svc.branches().map_err(cx.svc_err())?;
            let groups = svc.groups().map_err(cx.svc_err())?;
            if l.format == ListFormat::Json {
                let v: Vec<_> = branches
                    .iter()
                    .map(|b| {
                        serde_json::json!({
                            "id": b.id,
                            "name": b.name,
                            "groups": groups.iter().filter(|g| g.branch == b.id).map(|g| g.name.clone()).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                out.line(&crate::domain::text::json_pretty(&v));
            } else {
                for b in &branches {
                    let n = groups.iter().filter(|g| g.branch == b.id).count();
                    out.line(&format!("{}  ({n} {})", b.name, cx.t("tổ", "groups")));
                }
            }
        }
    }
    Ok(())
}

pub fn group(cx: &Ctx, g: GroupCmd) -> CliResult {
    let svc = cx.service()?;
    let out = cx.out();
    match g {
        GroupCmd::Add {
            name,
            branch,
            households,
            leader,
            front_head,
        } => {
            let g = svc
                .add_group(NewGroup {
                    branch,
                    name,
                    households,
                    leader,
                    front_head,
                })
                .map_err(cx.svc_err())?;
            out.line(&format!(
                "{} {} ({} {})",
                cx.t("Đã thêm", "Added"),
                g.name,
                g.households,
                cx.t("hộ", "households")
            ));
        }
        GroupCmd::List(l) => {
            let branches = svc.branches().map_err(cx.svc_err())?;
            let groups = svc.groups().map_err(cx.svc_err())?;
            let bname = |id| {
                branches
                    .iter()
                    .find(|b| b.id == id)
                    .map(|b| b.name.clone())
                    .unwrap_or_default()
            };
            if l.format == ListFormat::Json {
                let v: Vec<_> = groups
                    .iter()
                    .map(|g| {
                        serde_json::json!({
                            "id": g.id, "name": g.name, "branch": bname(g.branch),
                            "households": g.households, "leader": g.leader, "front_head": g.front_head,
                        })
                    })
                    .collect();
                out.line(&crate::domain::text::json_pretty(&v));
            } else {
                for g in &groups {
                    out.line(&format!(
                        "{}  {:>5} {}  {}  ({})",
                        output::fit_name(&g.name, 28),
                        g.households,
                        cx.t("hộ", "hh"),
                        output::fit(&g.leader, 24),
                        bname(g.branch)
                    ));
                }
            }
        }
    }
    Ok(())
}

pub fn member(cx: &Ctx, m: MemberCmd) -> CliResult {
    let lang = cx.lang;
    let svc = cx.service()?;
    let out = cx.out();
    match m {
        MemberCmd::Add {
            name,
            role,
            branches,
            groups,
            unix_user,
            pin,
        } => {
            let role = crate::domain::member::Role::from_code(&role).ok_or_else(|| {
                Failure::data(format!(
                    "{} {role:?} (admin | branch | group | viewer)",
                    cx.t("Vai trò không hợp lệ", "Unknown role")
                ))
            })?;
            let pin = if pin {
                Some(new_pin(&name, lang)?)
            } else {
                None
            };
            let m = svc
                .add_member(crate::service::NewMember {
                    name,
                    role,
                    branches,
                    groups,
                    unix_user,
                    pin,
                })
                .map_err(cx.svc_err())?;
            out.line(&format!(
                "{} {} ({})",
                cx.t("Đã lưu thành viên", "Saved member"),
                m.name,
                if lang.is_en() {
                    m.role.name_en()
                } else {
                    m.role.name_vi()
                }
            ));
        }
        MemberCmd::Unlock { name } => {
            svc.unlock_member(&name).map_err(cx.svc_err())?;
            out.line(&format!("{} {name}", cx.t("Đã mở khóa", "Unlocked")));
        }
        MemberCmd::List(l) => {
            let members = svc.members().map_err(cx.svc_err())?;
            if l.format == ListFormat::Json {
                out.line(&crate::domain::text::json_pretty(&members));
            } else {
                let branches = svc.branches().map_err(cx.svc_err())?;
                let groups = svc.groups().map_err(cx.svc_err())?;
                for m in &members {
                    let scope: Vec<String> = m
                        .branches
                        .iter()
                        .filter_map(|b| {
                            branches.iter().find(|x| x.id == *b).map(|x| x.name.clone())
                        })
                        .chain(m.groups.iter().filter_map(|g| {
                            groups.iter().find(|x| x.id == *g).map(|x| x.name.clone())
                        }))
                        .collect();
                    out.line(&format!(
                        "{}  {}{}{}{}",
                        output::fit(&m.name, 24),
                        if lang.is_en() {
                            m.role.name_en()
                        } else {
                            m.role.name_vi()
                        },
                        if scope.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", scope.join("; "))
                        },
                        m.unix_user
                            .as_deref()
                            .map(|u| format!(" · unix:{u}"))
                            .unwrap_or_default(),
                        if m.has_pin { " · PIN" } else { "" }
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `qcdc settings show|set`: how the ward signs and files its documents.
pub fn settings(cx: &Ctx, c: SettingsCmd) -> CliResult {
    let svc = cx.service()?;
    let out = cx.out();
    match c {
        SettingsCmd::Show(l) => {
            let s = svc.doc_settings().map_err(cx.svc_err())?;
            let term = svc.ward().map_err(cx.svc_err())?.term;
            let shown = TermShown::new(term, cx.lang.is_en());
            if l.format == ListFormat::Json {
                let mut v = serde_json::to_value(&s).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert("term".into(), shown.json());
                }
                out.line(&crate::domain::text::json_pretty(&v));
            } else {
                for k in crate::domain::settings::DocSettings::KEYS {
                    out.line(&format!("{k:<13} {}", s.get(k).unwrap_or_default()));
                }
                out.line(&format!(
                    "{:<13} {} — {} · {}",
                    "term", shown.value, shown.rule, TERM_ARTICLE
                ));
            }
        }
        SettingsCmd::Set { key, value } if key == "term" => {
            // The tổ trưởng's and Ban TTND's term (Điều 36 khoản 2), not a document
            // setting: kept with the ward. An empty value clears it.
            let term = if value.trim().is_empty() {
                None
            } else {
                Some(value.parse::<crate::domain::ward::Term>().map_err(|en| {
                    cx.data(
                        format!("Nhiệm kỳ không hợp lệ {value:?} (ví dụ 2021-2026)."),
                        en,
                    )
                })?)
            };
            svc.set_term(term).map_err(cx.svc_err())?;
            out.line(&format!(
                "{}: term",
                cx.t("Đã lưu thiết lập", "Saved setting")
            ));
        }
        SettingsCmd::Set { key, value } => {
            let mut s = svc.doc_settings().map_err(cx.svc_err())?;
            s.set(&key, &value).map_err(|(vi, en)| cx.data(vi, en))?;
            svc.set_doc_settings(s).map_err(cx.svc_err())?;
            out.line(&format!(
                "{}: {key}",
                cx.t("Đã lưu thiết lập", "Saved setting")
            ));
        }
    }
    Ok(())
}

/// Where the Ban TTND's term is tied to the tổ trưởng's.
const TERM_ARTICLE: &str = "Điều 36 khoản 2 Luật 10/2022/QH15";

/// The term per-term items follow, as `settings show` says it: the ward's term when
/// set, else each group's from its latest held tổ trưởng election.
struct TermShown {
    term: Option<crate::domain::ward::Term>,
    /// The term, or "not set".
    value: String,
    /// What follows from it, in the user's language.
    rule: String,
}

impl TermShown {
    fn new(term: Option<crate::domain::ward::Term>, en: bool) -> TermShown {
        let (value, rule) = match (term, en) {
            (Some(t), false) => (
                t.to_string(),
                format!(
                    "việc theo nhiệm kỳ đến hạn trong năm cuối nhiệm kỳ ({})",
                    t.due_year()
                ),
            ),
            (Some(t), true) => (
                t.to_string(),
                format!(
                    "per-term items fall due in the term's last year ({})",
                    t.due_year()
                ),
            ),
            (None, false) => (
                "chưa đặt".into(),
                "nhiệm kỳ của mỗi tổ theo lần bầu Tổ trưởng tổ dân phố gần nhất đã tổ chức; \
                 nhiệm kỳ Ban Thanh tra nhân dân theo nhiệm kỳ Tổ trưởng, nên trong năm bầu, \
                 việc bầu thành viên Ban Thanh tra nhân dân đại diện tổ đến hạn"
                    .into(),
            ),
            (None, true) => (
                "not set".into(),
                "each group's term follows its latest held election of the tổ trưởng; the \
                 People's Inspection Board's term follows the tổ trưởng's, so in that year \
                 the group's member of the board falls due for election"
                    .into(),
            ),
        };
        TermShown { term, value, rule }
    }

    /// `settings show --format json`'s `term`: the years when set (null otherwise),
    /// what the term follows ("ward" or "group-election"), the rule and its article.
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "value": self.term.map(|t| t.to_string()),
            "start": self.term.map(|t| t.start),
            "end": self.term.map(|t| t.end),
            "follows": if self.term.is_some() { "ward" } else { "group-election" },
            "rule": self.rule,
            "article": TERM_ARTICLE,
        })
    }
}

/// A new PIN: from `QCDC_NEW_PIN`, or typed twice on the terminal.
fn new_pin(member: &str, lang: crate::i18n::Lang) -> Result<String, Failure> {
    use crate::app::connect::ask_pin;
    if let Ok(p) = std::env::var("QCDC_NEW_PIN") {
        return Ok(p.trim().to_string());
    }
    let first = ask_pin(member, lang).ok_or_else(|| {
        Failure::data(lang.t(
            "Cần nhập mã PIN trên cửa sổ dòng lệnh (hoặc đặt QCDC_NEW_PIN).",
            "The PIN must be typed on a terminal (or set QCDC_NEW_PIN).",
        ))
    })?;
    let again = ask_pin(member, lang).unwrap_or_default();
    if first != again {
        return Err(Failure::data(
            lang.t("Hai lần nhập mã PIN không khớp.", "The two PINs differ."),
        ));
    }
    Ok(first)
}

pub fn bench_gen(cx: &Ctx, groups: u32, periods: u32, batch_kb: usize) -> CliResult {
    let start = std::time::Instant::now();
    let s = crate::bench::generate(cx.db, groups, periods, batch_kb.saturating_mul(1024))
        .map_err(|e| Failure::from_service(&ServiceError::Store(e), cx.lang))?;
    cx.out().line(&format!(
        "{} entries, {} groups, {} branches, {} quarters, {:.2} s",
        s.entries,
        s.groups,
        s.branches,
        s.periods.len(),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

#[cfg(unix)]
pub fn serve(cx: &Ctx, a: ServeArgs) -> CliResult {
    let socket = a
        .socket
        .unwrap_or_else(|| crate::protocol::default_socket(cx.db));
    crate::server::serve(cx.db, &socket, cx.lang, a.backup_dir)
}

/// Windows: no ward server (it needs Unix sockets and the caller's account from the
/// kernel). Say so, and what a Windows office does instead.
#[cfg(not(unix))]
pub fn serve(cx: &Ctx, _a: ServeArgs) -> CliResult {
    Err(Failure::new(
        ExitCode::Usage,
        cx.lang.t(
            "Máy chủ phường (`qcdc serve`) chỉ chạy trên Linux. Trên máy Windows, mỗi lúc một cửa sổ qcdc mở \
             cơ sở dữ liệu; để nhiều người dùng chung, đặt máy chủ phường trên một máy Linux và vào bằng SSH \
             (xem README).",
            "The ward server (`qcdc serve`) runs on Linux only. On a Windows PC one qcdc window at a time opens \
             the database; for several users at once, run the ward server on a Linux machine and connect over \
             SSH (see the README).",
        ),
    ))
}

/// `qcdc narrative show|set|clear`: what the ward writes beside its figures, per period
/// (placed in the Word and Markdown reports).
pub fn narrative(cx: &Ctx, c: NarrativeCmd) -> CliResult {
    use crate::domain::narrative::SECTIONS;
    let svc = cx.service()?;
    let period = super::parse_period(cx.period, svc.as_ref(), cx.lang)?;
    let out = cx.out();
    let label = |p: Period| {
        if cx.lang.is_en() {
            p.label_en()
        } else {
            p.label_vi()
        }
    };
    let saved = |changed: bool, key: &str| {
        out.line(&if changed {
            format!(
                "{} {key} ({}) ✓",
                cx.t("Đã lưu phần", "Saved section"),
                label(period)
            )
        } else {
            format!(
                "{} {key}: {}",
                cx.t("Không đổi", "Unchanged"),
                cx.t("nội dung như đã lưu.", "the text is as stored.")
            )
        })
    };
    match c {
        NarrativeCmd::Show(l) => {
            let n = svc.narrative(period).map_err(cx.svc_err())?;
            if l.format == ListFormat::Json {
                out.line(&crate::domain::text::json_pretty(&n));
            } else {
                out.line(&label(period));
                for (k, vi, en) in SECTIONS {
                    out.line("");
                    out.line(&format!("{} ({k})", cx.t(vi, en).to_uppercase()));
                    out.line(&crate::domain::text::printable(
                        n.get(k).unwrap_or(cx.t("(chưa viết)", "(not written)")),
                    ));
                }
            }
        }
        NarrativeCmd::Clear { section } => {
            let key = section_or_fail(cx, &section)?;
            let changed = svc.set_narrative(period, key, "").map_err(cx.svc_err())?;
            saved(changed, key);
        }
        NarrativeCmd::Set { section, file } => {
            let key = section_or_fail(cx, &section)?;
            let text = match file.as_deref() {
                Some(f) if f == Path::new("-") => read_stdin(cx)?,
                Some(f) => {
                    let bytes = std::fs::read(f).map_err(|e| {
                        cx.data(
                            format!("Không đọc được tệp {}: {e}", f.display()),
                            format!("Cannot read {}: {e}", f.display()),
                        )
                    })?;
                    utf8_or_fail(cx, bytes, &f.display().to_string())?
                }
                None if !std::io::stdin().is_terminal() => read_stdin(cx)?,
                None => {
                    let current = svc.narrative(period).map_err(cx.svc_err())?;
                    edit_in_editor(cx, current.get(key).unwrap_or(""))?
                }
            };
            let changed = svc
                .set_narrative(period, key, &text)
                .map_err(cx.svc_err())?;
            saved(changed, key);
        }
    }
    Ok(())
}

fn section_or_fail(cx: &Ctx, section: &str) -> Result<&'static str, Failure> {
    crate::domain::narrative::section_key(section).ok_or_else(|| {
        let keys = crate::domain::narrative::keys();
        cx.data(
            format!("Không có phần {section:?} trong báo cáo; các phần: {keys}."),
            format!("No section {section:?} in the report; the sections: {keys}."),
        )
    })
}

fn utf8_or_fail(cx: &Ctx, bytes: Vec<u8>, what: &str) -> Result<String, Failure> {
    // A file saved by Notepad may start with a byte-order mark.
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|_| {
        cx.data(
            format!("{what} không phải văn bản UTF-8: hãy lưu lại tệp với bảng mã UTF-8."),
            format!("{what} is not UTF-8 text: save the file as UTF-8."),
        )
    })
}

fn read_stdin(cx: &Ctx) -> Result<String, Failure> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
        cx.data(
            format!("Không đọc được đầu vào: {e}"),
            format!("Cannot read standard input: {e}"),
        )
    })?;
    utf8_or_fail(cx, bytes, cx.t("Đầu vào", "The input"))
}

/// Open the user's editor ($VISUAL, $EDITOR; else nano, or Notepad on Windows) on a
/// private temporary file holding `current`, and read it back when the editor exits.
fn edit_in_editor(cx: &Ctx, current: &str) -> Result<String, Failure> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|e| !e.trim().is_empty())
        })
        .unwrap_or_else(|| if cfg!(windows) { "notepad" } else { "nano" }.to_string());
    // A new file of our own in the temporary folder (readable by this account only).
    let file = std::env::temp_dir().join(format!(
        "qcdc-narrative-{}-{}.txt",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    open.open(&file)
        .and_then(|mut f| {
            // As a text file ends: with a line break, so that what is typed after it
            // starts a line of its own.
            let initial = if current.is_empty() {
                String::new()
            } else {
                format!("{current}\n")
            };
            std::io::Write::write_all(&mut f, initial.as_bytes())
        })
        .map_err(|e| {
            cx.data(
                format!("Không ghi được tệp tạm: {e}"),
                format!("Cannot write a temporary file: {e}"),
            )
        })?;
    let result = run_editor(cx, &editor, &file);
    let _ = std::fs::remove_file(&file);
    result
}

fn run_editor(cx: &Ctx, editor: &str, file: &Path) -> Result<String, Failure> {
    // The editor may carry arguments ("code --wait"): split on spaces, as git does.
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("nano");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(file)
        .status()
        .map_err(|e| {
            cx.data(
                format!("Không mở được trình soạn thảo {editor:?}: {e}. Đặt biến EDITOR, hoặc dùng --file."),
                format!("Cannot start the editor {editor:?}: {e}. Set EDITOR, or use --file."),
            )
        })?;
    if !status.success() {
        return Err(cx.data(
            format!("Trình soạn thảo {editor:?} báo lỗi ({status}); không lưu gì."),
            format!("The editor {editor:?} failed ({status}); nothing saved."),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        cx.data(
            format!("Không đọc lại được tệp tạm: {e}"),
            format!("Cannot read the temporary file back: {e}"),
        )
    })?;
    utf8_or_fail(cx, bytes, cx.t("Nội dung", "The text"))
}
