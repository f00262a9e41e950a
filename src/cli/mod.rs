//! The command-line front end: parse, open the service, run one command, exit with a
//! code scripts can rely on (0 ok, 2 usage, 65 bad input, 75 database busy, 1 other).

pub mod args;
pub mod output;
pub mod reports;

use crate::data;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::period::Period;
use crate::domain::step::{Step, StepSet};
use crate::domain::text;
use crate::domain::vote::{VoteCount, VoteForm};
use crate::domain::ward::{GroupId, WARD_GROUP, Ward};
use crate::domain::{date, entry::StepStatus};
use crate::i18n::Lang;
use crate::service::local::LocalService;
use crate::service::{HistoryQuery, MarkRequest, NewGroup, Service, ServiceError, VoteRequest};
use crate::store::{Store, StoreError};
use args::*;
use clap::Parser;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const EXIT_OK: i32 = 0;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_DATA: i32 = 65;
pub const EXIT_BUSY: i32 = 75;
pub const EXIT_OTHER: i32 = 1;

/// A failure with its message already in the user's language.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    fn data(message: String) -> Failure {
        Failure {
            code: EXIT_DATA,
            message,
        }
    }

    pub fn from_service(e: &ServiceError, lang: Lang) -> Failure {
        Failure {
            code: e.exit_code(),
            message: e.message(lang),
        }
    }
}

type CliResult = Result<(), Failure>;

/// The default database: `<platform data dir>/ward.db`.
pub fn default_db_path(name: &str) -> PathBuf {
    directories::ProjectDirs::from("vn", "qcdc", "qcdc")
        .map(|d| d.data_dir().join(name))
        .unwrap_or_else(|| PathBuf::from(name))
}

pub fn actor(cli_member: Option<&str>) -> Actor {
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut os = Actor::os_user_from_env();
    // No USER in the environment (a service, a bare `env -i`): ask the system who this
    // process runs as, as the ward server asks it of its callers.
    #[cfg(unix)]
    if os == "unknown" {
        let name = text::clean(&crate::server::peer::user_name(
            crate::server::peer::my_uid(),
        ));
        if !name.is_empty() {
            os = name
                .chars()
                .take(crate::domain::ward::MAX_NAME_CHARS)
                .collect();
        }
    }
    let member = cli_member
        .map(|m| {
            text::clean(m)
                .chars()
                .take(crate::domain::ward::MAX_NAME_CHARS)
                .collect::<String>()
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| os.clone());
    Actor::new(member, os)
}

/// Open the service on an existing database.
/// Open the service for a database: through the ward server when one answers on its
/// socket, else directly. A member named with `--as` (different from the OS account)
/// is logged in, with a PIN from `QCDC_PIN` or asked on the terminal when needed.
pub fn open_service(path: &Path, actor: Actor, lang: Lang) -> Result<Box<dyn Service>, Failure> {
    let explicit = (actor.member != actor.os_user).then(|| actor.member.clone());
    let env_pin = std::env::var("QCDC_PIN").ok();
    #[cfg(unix)]
    {
        let socket = socket_for(path);
        if socket.exists() {
            use crate::client::{ConnectError, RemoteService};
            let mut pin = env_pin.clone();
            for attempt in 0..2 {
                match RemoteService::connect(&socket, explicit.as_deref(), pin.as_deref(), lang) {
                    Ok(r) => return Ok(Box::new(r)),
                    // Nothing answers: a socket file left by a crash. Work directly.
                    Err(ConnectError::NoServer(_)) => break,
                    Err(ConnectError::Refused {
                        kind: crate::server::protocol::RefuseKind::Login,
                        message,
                    }) => {
                        if attempt == 0
                            && pin.is_none()
                            && let Some(p) = ask_pin(explicit.as_deref().unwrap_or(""), lang)
                        {
                            pin = Some(p);
                            continue;
                        }
                        return Err(Failure {
                            code: EXIT_OTHER,
                            message,
                        });
                    }
                    Err(ConnectError::Refused { message, .. }) => {
                        return Err(Failure {
                            code: EXIT_OTHER,
                            message,
                        });
                    }
                    Err(ConnectError::Protocol(e)) => {
                        return Err(Failure {
                            code: EXIT_OTHER,
                            message: format!(
                                "{} {}: {e}",
                                lang.t(
                                    "Máy chủ qcdc trả lời sai giao thức ở",
                                    "The qcdc server answered wrongly on"
                                ),
                                socket.display()
                            ),
                        });
                    }
                }
            }
        }
    }
    let store = Store::open(path).map_err(|e| match e {
        StoreError::Locked { path } => locked_failure(&path, lang),
        other => Failure::from_service(&ServiceError::Store(other), lang),
    })?;
    local_service(store, actor, lang)
}

/// The service over a database this process has opened, logged in as `actor`'s
/// member when one is named (PIN from `QCDC_PIN` or asked on the terminal).
pub fn local_service(store: Store, actor: Actor, lang: Lang) -> Result<Box<dyn Service>, Failure> {
    let explicit = (actor.member != actor.os_user).then(|| actor.member.clone());
    let env_pin = std::env::var("QCDC_PIN").ok();
    let svc = LocalService::new(store, actor).with_lang(lang);
    if let Some(m) = explicit {
        let mut result = svc.login(&m, env_pin.as_deref());
        if matches!(result, Err(ServiceError::LoginRefused(_)))
            && env_pin.is_none()
            && let Some(p) = ask_pin(&m, lang)
        {
            result = svc.login(&m, Some(&p));
        }
        result.map_err(|e| Failure::from_service(&e, lang))?;
    }
    Ok(Box::new(svc))
}

/// The socket of a database's server: `QCDC_SOCKET`, or `<db>.sock`.
#[cfg(unix)]
pub fn socket_for(db: &Path) -> PathBuf {
    std::env::var_os("QCDC_SOCKET")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::server::default_socket(db))
}

fn locked_failure(path: &Path, lang: Lang) -> Failure {
    #[cfg(unix)]
    let sock = socket_for(path).display().to_string();
    #[cfg(not(unix))]
    let sock = String::new();
    Failure {
        code: EXIT_BUSY,
        message: format!(
            "{} {}",
            crate::service::store_message(
                &StoreError::Locked {
                    path: path.to_path_buf()
                },
                lang
            ),
            if sock.is_empty() {
                String::new()
            } else {
                lang.t(
                    &format!("(Không có máy chủ qcdc nào trả lời ở {sock}.)"),
                    &format!("(No qcdc server answers on {sock}.)"),
                )
                .to_string()
            }
        ),
    }
}

/// Ask for a member's PIN on the terminal, without echo. `None` without a terminal.
pub fn ask_pin(member: &str, lang: Lang) -> Option<String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return None;
    }
    let prompt = format!("{} {member}: ", lang.t("Mã PIN của", "PIN for"));
    rpassword::prompt_password(prompt)
        .ok()
        .map(|p| p.trim().to_string())
}

/// Entry point of the binary: returns the exit code.
/// When `main` began (the TUI's frame figures count from it).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn main() -> i32 {
    STARTED.get_or_init(std::time::Instant::now);
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let lang = cli.lang;
    let ascii = cli.ascii;
    let result = run(cli);
    // Every database this process opened is closed now: record that its files are as
    // a clean exit leaves them (see store::guard).
    crate::store::guard::seal_all();
    match result {
        Ok(()) => EXIT_OK,
        Err(f) => {
            let prefix = lang.t("Lỗi", "Error");
            // Messages quote file names, cells and headings: no escape sequence from
            // them reaches the terminal.
            let msg = text::printable(&format!("{prefix}: {}", f.message));
            let msg = if ascii { text::to_ascii(&msg) } else { msg };
            let _ = writeln!(std::io::stderr(), "{msg}");
            f.code
        }
    }
}

/// Print to stdout, ASCII-folded under `--ascii`.
struct Out {
    ascii: bool,
}

impl Out {
    fn print(&self, s: &str) {
        // Names come from the database: whatever got into it, no control character
        // reaches the terminal raw.
        let s = text::printable(s);
        let s = if self.ascii { text::to_ascii(&s) } else { s };
        let mut so = std::io::stdout().lock();
        let _ = so.write_all(s.as_bytes());
        let _ = so.flush();
    }

    fn line(&self, s: &str) {
        self.print(&format!("{s}\n"));
    }
}

fn parse_period(s: Option<&str>, svc: &dyn Service, lang: Lang) -> Result<Period, Failure> {
    match s {
        None => svc
            .default_period()
            .map_err(|e| Failure::from_service(&e, lang)),
        Some(p) => p.parse().map_err(|_| {
            Failure::data(
                lang.t(
                    &format!(
                        "Kỳ báo cáo {p:?} không hợp lệ. Ghi theo dạng 2026, 2026-H1 hoặc 2026-Q3."
                    ),
                    &format!("Invalid period {p:?}. Use 2026, 2026-H1 or 2026-Q3."),
                )
                .to_string(),
            )
        }),
    }
}

fn resolve_group(svc: &dyn Service, name: &str, lang: Lang) -> Result<GroupId, Failure> {
    resolve_group_named(svc, name, lang).map(|(id, _)| id)
}

/// The group a user named (ignoring diacritics and case) and its name as stored, for
/// messages ("to 1" is Tổ 1).
fn resolve_group_named(
    svc: &dyn Service,
    name: &str,
    lang: Lang,
) -> Result<(GroupId, String), Failure> {
    let f = text::fold(name);
    if matches!(f.trim(), "phuong" | "ward" | "cap phuong") {
        return Ok((WARD_GROUP, lang.t("Cấp phường", "Ward").to_string()));
    }
    svc.find_group(name)
        .map(|g| (g.id, g.name))
        .map_err(|e| Failure::from_service(&e, lang))
}

fn run(cli: Cli) -> CliResult {
    let lang = cli.lang;
    let out = Out { ascii: cli.ascii };
    let svc_err = |e: ServiceError| Failure::from_service(&e, lang);
    let db = cli.db.clone().unwrap_or_else(|| default_db_path("ward.db"));
    let who = actor(cli.member.as_deref());
    let command = match cli.command {
        None => {
            return crate::tui::launch(crate::tui::Launch {
                db,
                actor: who,
                lang,
                ascii: cli.ascii,
                branch: cli.branch,
                period: cli.period,
                demo: false,
            });
        }
        Some(c) => c,
    };
    match command {
        Command::Demo { branch } => crate::tui::launch(crate::tui::Launch {
            db: cli.db.unwrap_or_else(|| default_db_path("demo.db")),
            actor: who,
            lang,
            ascii: cli.ascii,
            branch: branch.or(cli.branch),
            period: cli.period,
            demo: true,
        }),
        Command::Init(a) => {
            let svc = init(&db, &a, who, lang)?;
            let ward = svc.ward().map_err(svc_err)?;
            let groups = svc.groups().map_err(svc_err)?;
            out.line(&format!(
                "{} {} ({} {}, {} {}) {} {}",
                lang.t("Đã tạo", "Created"),
                ward.name,
                groups.len(),
                lang.t("tổ dân phố", "groups"),
                ward.steps.count(),
                lang.t("bước", "steps"),
                lang.t("tại", "at"),
                db.display()
            ));
            Ok(())
        }
        Command::Branch(b) => {
            let svc = open_service(&db, who, lang)?;
            match b {
                BranchCmd::Add { name } => {
                    let b = svc.add_branch(&name).map_err(svc_err)?;
                    out.line(&format!(
                        "{} {}",
                        lang.t("Đã thêm chi bộ", "Added branch"),
                        b.name
                    ));
                }
                BranchCmd::List(l) => {
                    let branches = svc.branches().map_err(svc_err)?;
                    let groups = svc.groups().map_err(svc_err)?;
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
                        out.line(&serde_json::to_string_pretty(&v).unwrap_or_default());
                    } else {
                        for b in &branches {
                            let n = groups.iter().filter(|g| g.branch == b.id).count();
                            out.line(&format!("{}  ({n} {})", b.name, lang.t("tổ", "groups")));
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Group(g) => {
            let svc = open_service(&db, who, lang)?;
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
                        .map_err(svc_err)?;
                    out.line(&format!(
                        "{} {} ({} {})",
                        lang.t("Đã thêm", "Added"),
                        g.name,
                        g.households,
                        lang.t("hộ", "households")
                    ));
                }
                GroupCmd::List(l) => {
                    let branches = svc.branches().map_err(svc_err)?;
                    let groups = svc.groups().map_err(svc_err)?;
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
                        out.line(&serde_json::to_string_pretty(&v).unwrap_or_default());
                    } else {
                        for g in &groups {
                            out.line(&format!(
                                "{}  {:>5} {}  {}  ({})",
                                output::fit(&g.name, 28),
                                g.households,
                                lang.t("hộ", "hh"),
                                output::fit(&g.leader, 24),
                                bname(g.branch)
                            ));
                        }
                    }
                }
            }
            Ok(())
        }
        Command::Items(a) => {
            let svc = open_service(&db, who, lang)?;
            let period = parse_period(cli.period.as_deref(), svc.as_ref(), lang)?;
            let gid = resolve_group(svc.as_ref(), &a.group, lang)?;
            let ward = svc.ward().map_err(svc_err)?;
            let rows = svc.checklist(gid, period).map_err(svc_err)?;
            if a.format == ListFormat::Json {
                let v: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        let steps: serde_json::Map<String, serde_json::Value> = r
                            .item
                            .applicable_steps(ward.steps)
                            .map(|s| (s.code().to_string(), serde_json::json!(r.entry.status(s).code())))
                            .collect();
                        serde_json::json!({
                            "code": r.item.code, "title": r.item.title, "pillar": r.item.pillar.code(),
                            "period": r.slot.to_string(), "steps": steps,
                            "completion": crate::service::report::Pct::from(r.completion),
                            "overdue": r.overdue, "version": r.entry.version,
                            "citation": r.item.citation.to_string(),
                        })
                    })
                    .collect();
                out.line(&serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                print_items(&out, &ward, &rows, period, lang);
            }
            Ok(())
        }
        Command::Mark(a) => {
            let svc = open_service(&db, who, lang)?;
            let period = parse_period(cli.period.as_deref(), svc.as_ref(), lang)?;
            let (gid, gname) = resolve_group_named(svc.as_ref(), &a.group, lang)?;
            let step: Step = a.step.parse().map_err(|_| {
                Failure::data(format!(
                    "{} {:?} ({}: biet ban lam kiemtra giamsat thuhuong)",
                    lang.t("Bước không hợp lệ", "Unknown step"),
                    a.step,
                    lang.t("dùng", "use")
                ))
            })?;
            let status: StepStatus = a.status.parse().map_err(|_| {
                Failure::data(format!(
                    "{} {:?} ({}: todo doing done na)",
                    lang.t("Trạng thái không hợp lệ", "Unknown status"),
                    a.status,
                    lang.t("dùng", "use")
                ))
            })?;
            let template = svc.template().map_err(svc_err)?;
            let code = template
                .get(&a.item)
                .map(|i| i.code.clone())
                .ok_or_else(|| svc_err(ServiceError::UnknownItem(a.item.clone())))?;
            let entry = svc
                .mark(MarkRequest {
                    group: gid,
                    item: code.clone(),
                    period,
                    step,
                    status,
                    note: a.note,
                    base_version: None,
                })
                .map_err(svc_err)?;
            let ward = svc.ward().map_err(svc_err)?;
            let item = template.get(&code).cloned();
            let c = item
                .as_ref()
                .map(|i| entry.completion(i, ward.steps))
                .unwrap_or_default();
            out.line(&format!(
                "{}: {} · {} · {} → {} ({}). {} {}/{}",
                lang.t("Đã lưu", "Saved"),
                gname,
                code,
                if lang.is_en() {
                    step.name_en()
                } else {
                    step.name_vi()
                },
                if lang.is_en() {
                    status.name_en()
                } else {
                    status.name_vi()
                },
                entry.period,
                lang.t("Mục hoàn thành", "Item completion"),
                c.done,
                c.applicable
            ));
            Ok(())
        }
        Command::Vote(a) => {
            let svc = open_service(&db, who, lang)?;
            let period = parse_period(cli.period.as_deref(), svc.as_ref(), lang)?;
            let gid = resolve_group(svc.as_ref(), &a.group, lang)?;
            let form = VoteForm::from_code(&a.form).ok_or_else(|| {
                Failure::data(format!(
                    "{} {:?} (meeting | ballot | online)",
                    lang.t("Hình thức không hợp lệ", "Unknown form"),
                    a.form
                ))
            })?;
            let d = match a.date.as_deref() {
                None => None,
                Some(s) => Some(date::parse(s).map_err(|_| {
                    Failure::data(format!(
                        "{} {s:?} ({})",
                        lang.t("Ngày không hợp lệ", "Invalid date"),
                        lang.t(
                            "ví dụ 10/08/2026 hoặc 2026-08-10",
                            "e.g. 2026-08-10 or 10/08/2026"
                        )
                    ))
                })?),
            };
            let template = svc.template().map_err(svc_err)?;
            let code = template
                .get(&a.item)
                .map(|i| i.code.clone())
                .ok_or_else(|| svc_err(ServiceError::UnknownItem(a.item.clone())))?;
            // The law counts against all households of the group (or all groups, for a
            // ward-wide decision): that is the default, and a different total is noted.
            let expected = expected_total(svc.as_ref(), gid).map_err(svc_err)?;
            let total = a.households.unwrap_or(expected);
            let (_, v) = svc
                .record_vote(VoteRequest {
                    group: gid,
                    item: code,
                    period,
                    count: VoteCount {
                        total,
                        present: a.present,
                        agree: a.agree,
                        form,
                    },
                    date: d,
                    base_version: None,
                })
                .map_err(svc_err)?;
            out.line(&if lang.is_en() {
                v.summary_en()
            } else {
                v.summary_vi()
            });
            if total != expected {
                let note = if lang.is_en() {
                    format!(
                        "Note: the roster gives {expected} for this group; the vote was counted against {total}. \
                         If the group has changed, update its number of households."
                    )
                } else {
                    format!(
                        "Lưu ý: theo danh sách, tổ có {expected} hộ; biểu quyết được tính trên {total} hộ. \
                         Nếu số hộ của tổ đã thay đổi, hãy cập nhật danh sách."
                    )
                };
                let _ = writeln!(std::io::stderr(), "{note}");
            }
            Ok(())
        }
        c @ (Command::Report(_)
        | Command::Import(_)
        | Command::Export(_)
        | Command::Template(_)
        | Command::Backup(_)
        | Command::Restore(_)
        | Command::Check(_)
        | Command::Rollup(_)) => reports::run(
            c,
            &reports::Ctx {
                db: &db,
                who,
                lang,
                ascii: cli.ascii,
                period: cli.period.as_deref(),
            },
        ),
        Command::Log(a) => {
            let svc = open_service(&db, who, lang)?;
            let group = match &a.group {
                None => None,
                Some(g) => Some(resolve_group(svc.as_ref(), g, lang)?),
            };
            let recs = svc
                .history(HistoryQuery {
                    group,
                    limit: a.limit,
                    ..Default::default()
                })
                .map_err(svc_err)?;
            if a.format == ListFormat::Json {
                out.line(&serde_json::to_string_pretty(&recs).unwrap_or_default());
            } else {
                let groups = svc.groups().map_err(svc_err)?;
                for r in &recs {
                    out.line(&log_line(r, &groups, lang));
                }
            }
            Ok(())
        }
        Command::Undo => {
            let svc = open_service(&db, who, lang)?;
            match svc.undo_last().map_err(svc_err)? {
                None => out.line(lang.t(
                    "Không có thay đổi nào của bạn để hoàn tác.",
                    "Nothing of yours to undo.",
                )),
                Some(r) => {
                    let groups = svc.groups().map_err(svc_err)?;
                    out.line(&format!(
                        "{}: {}",
                        lang.t("Đã hoàn tác", "Undone"),
                        log_line(&r, &groups, lang)
                    ));
                }
            }
            Ok(())
        }
        Command::BenchGen {
            groups,
            periods,
            batch_kb,
        } => {
            let start = std::time::Instant::now();
            let s = crate::bench::generate(&db, groups, periods, batch_kb.saturating_mul(1024))
                .map_err(|e| Failure::from_service(&ServiceError::Store(e), lang))?;
            out.line(&format!(
                "{} entries, {} groups, {} branches, {} quarters, {:.2} s",
                s.entries,
                s.groups,
                s.branches,
                s.periods.len(),
                start.elapsed().as_secs_f64()
            ));
            Ok(())
        }
        Command::Member(m) => {
            let svc = open_service(&db, who, lang)?;
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
                            lang.t("Vai trò không hợp lệ", "Unknown role")
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
                        .map_err(svc_err)?;
                    out.line(&format!(
                        "{} {} ({})",
                        lang.t("Đã lưu thành viên", "Saved member"),
                        m.name,
                        if lang.is_en() {
                            m.role.name_en()
                        } else {
                            m.role.name_vi()
                        }
                    ));
                }
                MemberCmd::List(l) => {
                    let members = svc.members().map_err(svc_err)?;
                    if l.format == ListFormat::Json {
                        out.line(&serde_json::to_string_pretty(&members).unwrap_or_default());
                    } else {
                        let branches = svc.branches().map_err(svc_err)?;
                        let groups = svc.groups().map_err(svc_err)?;
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
                                    format!(" · {}", scope.join(", "))
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
        #[cfg(unix)]
        Command::Serve(a) => {
            let socket = a
                .socket
                .unwrap_or_else(|| crate::server::default_socket(&db));
            crate::server::serve(&db, &socket, lang, a.backup_dir)
        }
    }
}

/// A new PIN: from `QCDC_NEW_PIN`, or typed twice on the terminal.
fn new_pin(member: &str, lang: Lang) -> Result<String, Failure> {
    if let Ok(p) = std::env::var("QCDC_NEW_PIN") {
        return Ok(p.trim().to_string());
    }
    let first = ask_pin(member, lang).ok_or_else(|| {
        Failure::data(
            lang.t(
                "Cần nhập mã PIN trên cửa sổ dòng lệnh (hoặc đặt QCDC_NEW_PIN).",
                "The PIN must be typed on a terminal (or set QCDC_NEW_PIN).",
            )
            .into(),
        )
    })?;
    let again = ask_pin(member, lang).unwrap_or_default();
    if first != again {
        return Err(Failure::data(
            lang.t("Hai lần nhập mã PIN không khớp.", "The two PINs differ.")
                .into(),
        ));
    }
    Ok(first)
}

/// The denominator the law uses for a vote of `gid`: its households, or for the ward
/// itself the number of groups.
fn expected_total(svc: &dyn Service, gid: GroupId) -> Result<u32, ServiceError> {
    let groups = svc.groups()?;
    Ok(if gid == WARD_GROUP {
        groups.len() as u32
    } else {
        groups
            .iter()
            .find(|g| g.id == gid)
            .map(|g| g.households)
            .unwrap_or(0)
    })
}

/// Write a whole file or nothing: a temporary file beside it, then a rename.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file_atomically_with(path, &mut |w| w.write_all(bytes))
}

/// [`write_file_atomically`] for a document written piece by piece.
pub fn write_file_atomically_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir)?;
    let written = {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut tmp.1);
        write(&mut w).and_then(|_| w.flush())
    };
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp.0);
        return Err(e);
    }
    tmp.1.sync_all()?;
    drop(tmp.1);
    std::fs::rename(&tmp.0, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp.0);
    })
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for i in 0..100u32 {
        let p = dir.join(format!(".qcdc-{}-{i}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no temporary file name free"))
}

pub fn log_line(r: &AuditRecord, groups: &[crate::domain::ward::Group], lang: Lang) -> String {
    let gname = if r.group == WARD_GROUP {
        if r.item.is_empty() {
            String::new()
        } else {
            lang.t("Cấp phường", "Ward").to_string()
        }
    } else {
        groups
            .iter()
            .find(|g| g.id == r.group)
            .map(|g| g.name.clone())
            .unwrap_or_else(|| format!("#{}", r.group))
    };
    let changes: Vec<String> = r
        .changes
        .iter()
        .map(|c| {
            let show = |v: &str| {
                if v.is_empty() {
                    "∅".to_string()
                } else {
                    v.to_string()
                }
            };
            format!("{}: {} → {}", c.field, show(&c.old), show(&c.new))
        })
        .collect();
    format!(
        "#{} {}  {}  {}  {} {} {}  {}",
        r.seq,
        r.at_local_string(),
        r.actor.label(),
        r.action,
        gname,
        r.item,
        r.period,
        changes.join("; ")
    )
}

fn print_items(
    out: &Out,
    ward: &Ward,
    rows: &[crate::service::ChecklistRow],
    period: Period,
    lang: Lang,
) {
    let steps = ward.steps.steps();
    let mut head = format!(
        "{} {}\n{:<7} ",
        ward.name,
        if lang.is_en() {
            period.label_en()
        } else {
            period.label_vi()
        },
        lang.t("Mã", "Code")
    );
    for s in steps {
        head.push_str(&output::fit(
            if lang.is_en() {
                s.short_en()
            } else {
                s.short_vi()
            },
            7,
        ));
    }
    head.push_str(lang.t("Nội dung", "Item"));
    out.line(&head);
    let mut pillar = None;
    for r in rows {
        if pillar != Some(r.item.pillar) {
            pillar = Some(r.item.pillar);
            out.line(&format!(
                "— {} —",
                if lang.is_en() {
                    r.item.pillar.name_en()
                } else {
                    r.item.pillar.name_vi()
                }
            ));
        }
        let mut line = format!("{:<7} ", r.item.code);
        for s in steps {
            let cell = if r.item.steps.contains(s) {
                match r.entry.status(*s) {
                    StepStatus::Done => "[x]",
                    StepStatus::Doing => "[~]",
                    StepStatus::Todo => "[ ]",
                    StepStatus::NotApplicable => "n/a",
                }
            } else {
                " · "
            };
            line.push_str(&output::fit(cell, 7));
        }
        line.push_str(r.item.title_in(lang.is_en()));
        if r.slot != period {
            line.push_str(&format!(" ({})", r.slot));
        }
        if r.overdue {
            line.push_str(lang.t("  ! quá hạn", "  ! overdue"));
        }
        out.line(&line);
    }
}

/// `qcdc init`: a new ward, or the demo ward. Never touches an existing ward.
pub fn init(db: &Path, a: &InitArgs, who: Actor, lang: Lang) -> Result<LocalService, Failure> {
    let template = data::default_template();
    let svc_err = |e: StoreError| Failure::from_service(&ServiceError::Store(e), lang);
    if a.demo {
        return create_demo(db, who, lang);
    }
    let name = text::clean(a.ward.as_deref().unwrap_or(""));
    if name.is_empty() {
        return Err(Failure::data(
            lang.t("Tên phường không được để trống.", "The ward name is empty.")
                .into(),
        ));
    }
    let steps = StepSet::from_count(a.steps).ok_or_else(|| Failure {
        code: EXIT_USAGE,
        message: lang
            .t("--steps phải là 4 hoặc 6.", "--steps must be 4 or 6.")
            .into(),
    })?;
    let ward = Ward {
        name,
        steps,
        current_period: None,
    };
    let store = Store::create(db, &ward, &template).map_err(svc_err)?;
    Ok(LocalService::new(store, who).with_lang(lang))
}

pub fn create_demo(db: &Path, who: Actor, lang: Lang) -> Result<LocalService, Failure> {
    let template = data::default_template();
    let demo = data::demo_ward(&template);
    let ward = Ward {
        name: demo.name.clone(),
        steps: demo.steps,
        current_period: demo.current_period,
    };
    let store = Store::create(db, &ward, &template)
        .map_err(|e| Failure::from_service(&ServiceError::Store(e), lang))?;
    let svc = LocalService::new(store, who).with_lang(lang);
    svc.load(&demo, false)
        .map_err(|e| Failure::from_service(&e, lang))?;
    Ok(svc)
}
