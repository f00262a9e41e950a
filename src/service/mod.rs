//! The service layer: everything a user can do, as one trait.
//!
//! The TUI and the CLI call only [`Service`]. [`local::LocalService`] implements it over
//! the store in this process; the ward server adds an implementation that talks to a
//! server over a socket, and nothing above this trait knows which one it has.

pub mod agenda;
pub mod engine;
pub mod figures;
pub mod local;
#[cfg(test)]
mod reference;
pub mod report;
pub mod sections;

use crate::data::WardData;
use crate::domain::audit::{Actor, AuditRecord};
use crate::domain::date::Date;
use crate::domain::entry::{Entry, StepStatus, Warning};
use crate::domain::member::{Member, Needed, Role, Session};
use crate::domain::period::Period;
use crate::domain::step::Step;
use crate::domain::template::{Item, Template};
use crate::domain::vote::{BadCount, VoteCount, VoteVerdict};
use crate::domain::ward::{Branch, Group, GroupId, Ward};
use crate::domain::{Completion, text};
use crate::i18n::Lang;
use crate::store::{LoadSummary, StoreError};
pub use report::Report;
use serde::Serialize;

/// One row of a group's checklist for a period.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ChecklistRow {
    pub item: Item,
    /// The period the entry is kept for (a yearly item in a quarter view: the year).
    pub slot: Period,
    pub entry: Entry,
    pub completion: Completion,
    pub overdue: bool,
    pub verdict: Option<VoteVerdict>,
    pub warnings: Vec<Warning>,
    /// False for an item that arises (per event, or per term outside the term's last
    /// year) with nothing registered for the slot: shown so it can be registered, but
    /// no duty yet — not counted, never overdue (issue 13). True, though nothing is
    /// stored, for the Ban TTND member's election in a year the group held its tổ
    /// trưởng election while the ward has set no term (Điều 36 khoản 2).
    #[serde(default = "registered_default")]
    pub registered: bool,
}

fn registered_default() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NewGroup {
    pub branch: String,
    pub name: String,
    pub households: u32,
    pub leader: String,
    pub front_head: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MarkRequest {
    pub group: GroupId,
    pub item: String,
    pub period: Period,
    pub step: Step,
    pub status: StepStatus,
    pub note: Option<String>,
    pub base_version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct VoteRequest {
    pub group: GroupId,
    pub item: String,
    pub period: Period,
    pub count: VoteCount,
    pub date: Option<Date>,
    pub base_version: Option<u64>,
    /// A vote dated after today is refused unless it is marked planned (issue 13:
    /// dates honest); a planned vote is not a result until its day.
    #[serde(default)]
    pub planned: bool,
}

/// A whole entry as edited in the detail form: steps and evidence replace the stored
/// ones, if the stored version is still `base_version`.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EntryEdit {
    pub entry: Entry,
    pub base_version: Option<u64>,
}

/// A figure to record: `value: None` removes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FigureSet {
    pub group: GroupId,
    pub code: String,
    pub period: Period,
    pub value: Option<u64>,
}

/// Undo or redo, optionally only if `expect` is still the record it would reverse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct UndoRequest {
    pub redo: bool,
    pub expect: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct HistoryQuery {
    pub group: Option<GroupId>,
    pub item: Option<String>,
    pub period: Option<Period>,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize, Serialize)]
pub struct NewMember {
    pub name: String,
    pub role: Role,
    /// Branch names, for a branch editor.
    pub branches: Vec<String>,
    /// Group names, for a group leader.
    pub groups: Vec<String>,
    pub unix_user: Option<String>,
    /// 4–12 digits; stored only as an argon2 hash.
    pub pin: Option<String>,
}

/// A change pushed by the ward server to every connected client.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
pub struct Notice {
    /// The audit sequence number of the change.
    pub seq: u64,
    pub group: GroupId,
    pub item: String,
    pub period: String,
    pub who: String,
}

/// Everything a user does.
pub trait Service {
    /// Who is working (member and OS user) in this session.
    fn actor(&self) -> Actor;
    /// The session: who, with which role.
    fn session(&self) -> Result<Session, ServiceError>;
    /// Switch the session to a member (PIN checked when the member has one).
    fn login(&self, member: &str, pin: Option<&str>) -> Result<Session, ServiceError>;
    fn members(&self) -> Result<Vec<Member>, ServiceError>;
    /// Add or replace a member. Ward administrators only (anyone before the first).
    fn add_member(&self, member: NewMember) -> Result<Member, ServiceError>;
    /// Set (or clear) the ward's current term of the tổ trưởng and Ban TTND (Điều 36
    /// khoản 2): per-term items fall due in its last year. Ward administrators only.
    fn set_term(
        &self,
        _term: Option<crate::domain::ward::Term>,
    ) -> Result<crate::domain::ward::Ward, ServiceError> {
        Err(unsupported())
    }
    /// How the ward signs and files its documents.
    fn doc_settings(&self) -> Result<crate::domain::settings::DocSettings, ServiceError> {
        Err(unsupported())
    }
    /// Replace the document settings. Ward administrators only.
    fn set_doc_settings(
        &self,
        _settings: crate::domain::settings::DocSettings,
    ) -> Result<(), ServiceError> {
        Err(unsupported())
    }
    /// The narrative written for a period (đánh giá, hạn chế, nhiệm vụ, kiến nghị).
    fn narrative(
        &self,
        _period: Period,
    ) -> Result<crate::domain::narrative::Narrative, ServiceError> {
        Err(unsupported())
    }
    /// Write one section of a period's narrative (empty text: remove it), audited;
    /// those who may edit the ward's own items. `false`: it already read so.
    fn set_narrative(
        &self,
        _period: Period,
        _section: &str,
        _text: &str,
    ) -> Result<bool, ServiceError> {
        Err(unsupported())
    }
    /// The figures recorded for the quarters within `period` (all when `None`).
    fn figure_values(
        &self,
        _period: Option<Period>,
    ) -> Result<Vec<crate::domain::figure::FigureValue>, ServiceError> {
        Err(unsupported())
    }
    /// Record (or with `value: None` remove) a group's (or the ward's) figure for a
    /// quarter, audited and undoable; those who may edit the group. `None`: it already
    /// read so.
    fn set_figure(&self, _req: FigureSet) -> Result<Option<AuditRecord>, ServiceError> {
        Err(unsupported())
    }
    /// Clear a member's failed PIN attempts and lock-out. Ward administrators only.
    fn unlock_member(&self, _name: &str) -> Result<(), ServiceError> {
        Err(unsupported())
    }
    /// Changes made by others, as they happen (the ward server pushes them; a service
    /// in this process has no one else to hear from).
    fn subscribe(&self) -> Option<std::sync::mpsc::Receiver<Notice>> {
        None
    }
    /// Today, as the service sees it (overdue is counted from it).
    fn today(&self) -> Date;
    fn ward(&self) -> Result<Ward, ServiceError>;
    fn branches(&self) -> Result<Vec<Branch>, ServiceError>;
    fn groups(&self) -> Result<Vec<Group>, ServiceError>;
    fn template(&self) -> Result<Template, ServiceError>;
    /// A group by name, ignoring diacritics and case (see [`find_group`]).
    fn find_group(&self, name: &str) -> Result<Group, ServiceError> {
        find_group(&self.groups()?, name)
    }
    fn add_branch(&self, name: &str) -> Result<Branch, ServiceError>;
    fn add_group(&self, group: NewGroup) -> Result<Group, ServiceError>;
    /// Load branches, groups (and entries) from a roster or the demo, all or nothing.
    /// With `dry_run`, say what would change and write nothing.
    fn load(&self, data: &WardData, dry_run: bool) -> Result<LoadSummary, ServiceError>;
    /// A group's checklist (or the ward's, for [`crate::domain::ward::WARD_GROUP`]).
    fn checklist(&self, group: GroupId, period: Period) -> Result<Vec<ChecklistRow>, ServiceError>;
    fn mark(&self, req: MarkRequest) -> Result<Entry, ServiceError>;
    fn record_vote(&self, req: VoteRequest) -> Result<(Entry, VoteVerdict), ServiceError>;
    fn save_entry(&self, edit: EntryEdit) -> Result<Entry, ServiceError>;
    /// The report for a period (lists cut to the default limit).
    fn report(&self, period: Period) -> Result<Report, ServiceError> {
        self.report_with(period, engine::ReportOptions::default())
    }
    fn report_with(
        &self,
        period: Period,
        options: engine::ReportOptions,
    ) -> Result<Report, ServiceError>;
    fn history(&self, q: HistoryQuery) -> Result<Vec<AuditRecord>, ServiceError>;
    /// What [`Service::undo`] would reverse now for this actor, changing nothing: the
    /// audit record of their last change (or, for a redo, of their last undo).
    fn undo_plan(&self, redo: bool) -> Result<Option<AuditRecord>, ServiceError>;
    /// Undo this actor's last change (or redo their last undo), as a new audited change
    /// that names the record it reverses. With `expect`, only if that record is still
    /// the one to reverse (the TUI asks first, and someone may write in between).
    /// `None`: nothing to undo or redo.
    fn undo(&self, req: UndoRequest) -> Result<Option<AuditRecord>, ServiceError>;
    /// Undo this actor's last change, whatever it is.
    fn undo_last(&self) -> Result<Option<AuditRecord>, ServiceError> {
        self.undo(UndoRequest {
            redo: false,
            expect: None,
        })
    }
    /// The periods that hold data, oldest first.
    fn periods(&self) -> Result<Vec<Period>, ServiceError>;

    /// Import a roster: add new branches and groups, update stored groups (households,
    /// leader, front head, branch). All or nothing; `dry_run` only says what would change.
    fn import_roster(
        &self,
        _roster: crate::import::Roster,
        _dry_run: bool,
    ) -> Result<crate::store::roster::RosterChanges, ServiceError> {
        Err(unsupported())
    }

    /// Add a ward's own checklist items (already validated like the default template).
    fn add_items(
        &self,
        _items: Vec<Item>,
        _dry_run: bool,
    ) -> Result<crate::store::items::ItemsAdded, ServiceError> {
        Err(unsupported())
    }

    /// Retire an item from a period on, keeping its history (`None`: put it back).
    fn set_item_retired(&self, _code: String, _from: Option<Period>) -> Result<Item, ServiceError> {
        Err(unsupported())
    }

    /// The whole database as one versioned document, read consistently while others
    /// write (backups, moving a ward, the district roll-up).
    fn export(&self) -> Result<crate::transfer::ExportDoc, ServiceError> {
        Err(unsupported())
    }

    /// The same document written to `w` as it is read, whatever the database's size
    /// (`qcdc export`, `qcdc backup`; through the ward server, streamed over the
    /// socket). Ward administrators only.
    fn export_to(
        &self,
        _w: &mut dyn std::io::Write,
    ) -> Result<crate::transfer::ExportSummary, ServiceError> {
        Err(unsupported())
    }

    /// Read and verify every stored record.
    fn check(&self) -> Result<crate::store::snapshot::CheckReport, ServiceError> {
        Err(unsupported())
    }

    /// Rebuild what is derived from the records (summaries, the name index); ward
    /// administrators only. Returns how many derived records were rewritten.
    fn repair(&self) -> Result<usize, ServiceError> {
        Err(unsupported())
    }

    /// The period to show when the user names none: the ward's working period, else
    /// today's quarter.
    fn default_period(&self) -> Result<Period, ServiceError> {
        Ok(self
            .ward()?
            .current_period
            .unwrap_or_else(|| Period::quarter_of(self.today())))
    }
}

/// What a service without an operation answers (see the defaults above).
fn unsupported() -> ServiceError {
    ServiceError::Remote("this operation is not available over this connection".into())
}

/// Find a group by name, ignoring diacritics and case ("to dan pho 1" finds
/// "Tổ dân phố 1"); an exact match wins over a folded one.
pub fn find_group(groups: &[Group], name: &str) -> Result<Group, ServiceError> {
    let name = text::clean(name);
    if let Some(g) = groups.iter().find(|g| g.name == name) {
        return Ok(g.clone());
    }
    let folded: Vec<&Group> = groups
        .iter()
        .filter(|g| text::fold(&g.name) == text::fold(&name))
        .collect();
    match folded.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ServiceError::UnknownGroup(name)),
        many => Err(ServiceError::AmbiguousGroup(
            name,
            many.iter().map(|g| g.name.clone()).collect(),
        )),
    }
}

/// Map the period a user gave to the period an item's entry is kept for.
/// The slot a new mark, vote or evidence goes to: as [`slot_for`], and refused when the
/// item is retired for that slot (issue 13: retired items could still be marked).
pub fn slot_for_write(item: &Item, period: Period) -> Result<Period, ServiceError> {
    let slot = slot_for(item, period)?;
    if !item.in_force(slot) {
        return Err(ServiceError::Retired {
            item: item.code.clone(),
            from: item.retired_from,
        });
    }
    Ok(slot)
}

pub fn slot_for(item: &Item, period: Period) -> Result<Period, ServiceError> {
    let g = item.recurrence.granularity();
    match period.slots(g).as_slice() {
        [one] => Ok(*one),
        _ => Err(ServiceError::PeriodTooCoarse {
            item: item.code.clone(),
            recurrence: item.recurrence,
            period,
        }),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("unknown group {0:?}")]
    UnknownGroup(String),
    #[error("group name {0:?} matches several groups: {1:?}")]
    AmbiguousGroup(String, Vec<String>),
    #[error("unknown branch {0:?}")]
    UnknownBranch(String),
    #[error("unknown item {0:?}")]
    UnknownItem(String),
    #[error("a {0} named {1:?} already exists")]
    Duplicate(&'static str, String),
    #[error("item {item} is done {}; name a period of that length inside {period}", recurrence.name_en())]
    PeriodTooCoarse {
        item: String,
        recurrence: crate::domain::Recurrence,
        period: Period,
    },
    #[error("step {step} does not apply to item {item}")]
    StepNotInItem { step: Step, item: String },
    #[error("item {item} is retired{}: it takes no new marks (its history stays in the reports)", from.map(|p| format!(" from {p}")).unwrap_or_default())]
    Retired { item: String, from: Option<Period> },
    #[error("this ward tracks four steps; {0} is in the six-step form only")]
    StepNotTracked(Step),
    #[error("item {0} is not a decision with a vote threshold")]
    NotADecision(String),
    #[error("item {item} belongs to {}", if *ward_scope { "the ward as a whole" } else { "each group" })]
    WrongScope { item: String, ward_scope: bool },
    #[error("{0}")]
    BadCount(#[from] BadCount),
    /// What was about to be undone is no longer the last change (someone, or another
    /// window, wrote in between). Nothing was changed.
    #[error("your last change is no longer #{expected}; nothing was undone — look again")]
    UndoMoved { expected: u64 },
    #[error("{en}")]
    Invalid { vi: String, en: String },
    /// A figure an undo would restore was changed since (by someone else, or another
    /// window): nothing was changed.
    #[error("figure {code} was changed since (it now reads {}); nothing was undone — look again", if now.is_empty() { "nothing" } else { now.as_str() })]
    FigureChanged { code: String, now: String },
    #[error("someone else changed this entry (now version {})", current.version)]
    Conflict { current: Box<Entry> },
    #[error("{0}")]
    Remote(String),
    /// An error the ward server answered, in the client's language, with the exit code
    /// the server gave it (so a command fails the same way directly or through it).
    #[error("{message}")]
    Server { code: i32, message: String },
    #[error("not allowed for a {}: this needs {}", role.name_en(), needed_en(needed, group_name))]
    Forbidden {
        needed: Needed,
        role: Role,
        group_name: String,
    },
    #[error(
        "cannot log in as {0:?}: unknown member, wrong PIN, or the member belongs to another account"
    )]
    LoginRefused(String),
    #[error(
        "{0:?} is locked after too many wrong PINs; a ward administrator can unlock it: qcdc member unlock {0:?}"
    )]
    LoginLocked(String),
    #[error("too many wrong PINs for {member:?}: wait {seconds} s and try again")]
    LoginWait { member: String, seconds: u64 },
}

fn needed_en(n: &Needed, group: &str) -> String {
    match n {
        Needed::Admin => "a ward administrator".into(),
        Needed::BranchOf(_) => format!("the branch editor of {group:?} or a ward administrator"),
        Needed::GroupOf(_) => {
            format!("the group leader of {group:?}, its branch editor, or a ward administrator")
        }
    }
}

fn needed_vi(n: &Needed, group: &str) -> String {
    match n {
        Needed::Admin => "quyền quản trị phường".into(),
        Needed::BranchOf(_) => {
            format!("quyền biên tập chi bộ của tổ {group:?} hoặc quản trị phường")
        }
        Needed::GroupOf(_) => format!(
            "là tổ trưởng của tổ {group:?}, biên tập chi bộ của tổ đó, hoặc quản trị phường"
        ),
    }
}

impl ServiceError {
    pub fn invalid(vi: impl Into<String>, en: impl Into<String>) -> ServiceError {
        ServiceError::Invalid {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// What went wrong and what to do, in the user's language.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return match self {
                ServiceError::Store(e) => store_message(e, lang),
                other => other.to_string(),
            };
        }
        match self {
            ServiceError::Store(e) => store_message(e, lang),
            ServiceError::UnknownGroup(n) => {
                format!("Không có tổ dân phố {n:?}. Xem danh sách bằng `qcdc group list`.")
            }
            ServiceError::AmbiguousGroup(n, many) => format!(
                "Tên {n:?} khớp với nhiều tổ: {}. Hãy ghi đúng dấu.",
                many.join("; ")
            ),
            ServiceError::UnknownBranch(n) => format!(
                "Không có chi bộ {n:?}. Xem danh sách bằng `qcdc branch list` hoặc thêm bằng `qcdc branch add`."
            ),
            ServiceError::UnknownItem(c) => {
                format!("Không có mục {c:?} trong bộ mục. Xem mã mục bằng `qcdc items TỔ`.")
            }
            ServiceError::Duplicate(what, n) => {
                let w = match *what {
                    "branch" => "chi bộ",
                    "group" => "tổ dân phố",
                    _ => what,
                };
                format!("Đã có {w} tên {n:?}.")
            }
            ServiceError::PeriodTooCoarse {
                item,
                recurrence,
                period,
            } => format!(
                "Mục {item} thực hiện {}: hãy ghi kỳ ngắn hơn nằm trong {period} (ví dụ {}-Q1).",
                recurrence.name_vi(),
                period.year()
            ),
            ServiceError::StepNotInItem { step, item } => {
                format!("Bước \"{}\" không áp dụng cho mục {item}.", step.name_vi())
            }
            ServiceError::Retired { item, from } => format!(
                "Mục {item} đã thôi áp dụng{}: không ghi thêm được (số liệu cũ vẫn giữ trong báo cáo). \
                 Xem `qcdc template list --all`; quản trị phường có thể `qcdc template reinstate {item}`.",
                from.map(|p| format!(" từ kỳ {p}")).unwrap_or_default()
            ),
            ServiceError::StepNotTracked(step) => format!(
                "Phường đang theo dõi 4 bước; \"{}\" chỉ có trong phương châm 6 bước.",
                step.name_vi()
            ),
            ServiceError::NotADecision(c) => {
                format!("Mục {c} không phải nội dung biểu quyết có ngưỡng thông qua.")
            }
            ServiceError::WrongScope { item, ward_scope } => {
                if *ward_scope {
                    format!("Mục {item} là việc của cấp phường, không ghi cho từng tổ.")
                } else {
                    format!("Mục {item} là việc của từng tổ dân phố.")
                }
            }
            ServiceError::BadCount(b) => match b {
                BadCount::NoHouseholds => "Tổng số hộ phải ít nhất là 1.".into(),
                BadCount::PresentOverTotal { present, total } => {
                    format!("Số hộ dự ({present}) lớn hơn tổng số hộ ({total}).")
                }
                BadCount::AgreeOverPresent { agree, present } => {
                    format!("Số hộ đồng ý ({agree}) lớn hơn số hộ dự ({present}).")
                }
            },
            ServiceError::Invalid { vi, .. } => vi.clone(),
            ServiceError::FigureChanged { code, now } => format!(
                "Số liệu {code} đã được sửa sau đó (nay là {}); chưa hoàn tác gì. Hãy xem lại rồi làm lại.",
                if now.is_empty() {
                    "trống"
                } else {
                    now.as_str()
                }
            ),
            ServiceError::UndoMoved { expected } => format!(
                "Thay đổi cuối cùng của bạn không còn là #{expected} (vừa có thay đổi mới); chưa hoàn tác gì. Hãy xem lại rồi làm lại."
            ),
            ServiceError::Conflict { current } => format!(
                "Người khác vừa sửa mục này (nay là phiên bản {}). Xem giá trị hiện tại rồi sửa lại.",
                current.version
            ),
            ServiceError::Remote(s) => s.clone(),
            ServiceError::Server { message, .. } => message.clone(),
            ServiceError::Forbidden {
                needed,
                role,
                group_name,
            } => format!(
                "Không được phép: bạn đang có quyền {}; việc này cần {}.",
                role.name_vi(),
                needed_vi(needed, group_name)
            ),
            ServiceError::LoginRefused(m) => format!(
                "Không đăng nhập được với tên {m:?}: không có thành viên này, sai mã PIN, hoặc thành viên thuộc tài khoản khác."
            ),
            ServiceError::LoginLocked(m) => format!(
                "Thành viên {m:?} đã bị khóa vì nhập sai mã PIN quá nhiều lần. Nhờ quản trị phường mở khóa: qcdc member unlock {m:?}"
            ),
            ServiceError::LoginWait { member, seconds } => {
                format!("Nhập sai mã PIN của {member:?} nhiều lần: chờ {seconds} giây rồi thử lại.")
            }
        }
    }
}

/// Messages for database problems: the cause and what to do.
pub fn store_message(e: &StoreError, lang: Lang) -> String {
    let p = |p: &std::path::Path| p.display().to_string();
    match (e, lang) {
        // Unix: the other process may be a TUI; for several users there is the ward server.
        #[cfg(unix)]
        (StoreError::Locked { path }, Lang::Vi) => format!(
            "Cơ sở dữ liệu {} đang được một chương trình qcdc khác mở (sled chỉ cho một tiến trình). \
             Hãy đóng chương trình kia, hoặc để nhiều người cùng dùng thì chạy `qcdc serve --db {}`.",
            p(path),
            p(path)
        ),
        #[cfg(unix)]
        (StoreError::Locked { path }, Lang::En) => format!(
            "The database {} is open in another qcdc process (sled allows one process per database). \
             Close the other one, or for several users at once run `qcdc serve --db {}`.",
            p(path),
            p(path)
        ),
        // Windows has no ward server (`qcdc serve` is Unix-only): on an office PC the other
        // process is a qcdc window, perhaps left open under another Windows account.
        #[cfg(not(unix))]
        (StoreError::Locked { path }, Lang::Vi) => format!(
            "Cơ sở dữ liệu {} đang mở trong một cửa sổ qcdc khác trên máy này (có thể ở một tài khoản Windows khác). \
             Mỗi lúc chỉ một cửa sổ qcdc mở được cơ sở dữ liệu: hãy đóng cửa sổ qcdc kia rồi thử lại.",
            p(path)
        ),
        #[cfg(not(unix))]
        (StoreError::Locked { path }, Lang::En) => format!(
            "The database {} is open in another qcdc window on this PC (perhaps under another Windows account). \
             One qcdc window at a time can open it: close the other qcdc window, then try again.",
            p(path)
        ),
        (StoreError::NotFound { path }, Lang::Vi) => format!(
            "Chưa có cơ sở dữ liệu ở {}. Tạo mới bằng `qcdc init --ward \"Tên phường\"` hoặc `qcdc init --demo`.",
            p(path)
        ),
        (StoreError::NotFound { path }, Lang::En) => format!(
            "No database at {}. Create one with `qcdc init --ward \"Ward name\"` or `qcdc init --demo`.",
            p(path)
        ),
        (StoreError::NotInitialized { path }, Lang::Vi) => format!(
            "{} không phải cơ sở dữ liệu qcdc (không có phường). Kiểm tra đường dẫn --db; qcdc không ghi đè thư mục này.",
            p(path)
        ),
        (StoreError::NotInitialized { path }, Lang::En) => format!(
            "{} is not a qcdc database (it holds no ward). Check the --db path; qcdc will not overwrite it.",
            p(path)
        ),
        (StoreError::AlreadyInitialized { path }, Lang::Vi) => format!(
            "{} đã có dữ liệu của một phường; qcdc không ghi đè. Chọn đường dẫn khác bằng --db.",
            p(path)
        ),
        (StoreError::AlreadyInitialized { path }, Lang::En) => format!(
            "{} already holds a ward; qcdc will not overwrite it. Choose another path with --db.",
            p(path)
        ),
        (
            StoreError::TooNew {
                path,
                found,
                supported,
            },
            Lang::Vi,
        ) => format!(
            "Cơ sở dữ liệu {} do phiên bản qcdc mới hơn ghi (lược đồ {found}, bản này đọc tới {supported}). \
             Hãy cập nhật qcdc; dữ liệu không bị thay đổi.",
            p(path)
        ),
        (
            StoreError::TooNew {
                path,
                found,
                supported,
            },
            Lang::En,
        ) => format!(
            "The database {} was written by a newer qcdc (schema {found}; this one reads up to {supported}). \
             Update qcdc; nothing was changed.",
            p(path)
        ),
        (StoreError::Corrupt { path, detail }, Lang::Vi) => format!(
            "Cơ sở dữ liệu {} bị hỏng ({detail}). qcdc không xóa hay tạo lại nó, và để nguyên các tệp như hiện có. \
             Hãy chép thư mục này sang nơi an toàn trước, rồi chạy `qcdc check` để biết phần nào còn đọc được. \
             Chỉ khôi phục bản sao lưu (`qcdc restore`) khi chắc dữ liệu không còn đọc được: mọi thay đổi sau bản sao lưu đó sẽ mất.",
            p(path)
        ),
        (StoreError::Corrupt { path, detail }, Lang::En) => format!(
            "The database {} is damaged ({detail}). qcdc will not wipe or recreate it, and leaves its files as they are. \
             Copy the folder somewhere safe first, then run `qcdc check` to see what can still be read. \
             Restore a backup (`qcdc restore`) only once you know the data cannot be read: every change made since that backup would be lost.",
            p(path)
        ),
        (StoreError::NotWritable { path, detail }, Lang::Vi) => format!(
            "Không ghi được vào {} ({detail}). Kiểm tra quyền ghi hoặc chọn thư mục khác bằng --db.",
            p(path)
        ),
        (StoreError::NotWritable { path, detail }, Lang::En) => format!(
            "Cannot write to {} ({detail}). Check permissions or choose another folder with --db.",
            p(path)
        ),
        (StoreError::DiskFull { path }, Lang::Vi) => format!(
            "Ổ đĩa chứa {} đã đầy: thay đổi vừa rồi không được xác nhận là đã lưu (những gì đã báo \"Đã lưu\" vẫn còn). \
             Hãy giải phóng dung lượng rồi làm lại; trên máy chủ phường, sau đó khởi động lại máy chủ (systemctl restart qcdc).",
            p(path)
        ),
        (StoreError::DiskFull { path }, Lang::En) => format!(
            "The disk holding {} is full: the last change was not confirmed saved (everything reported saved is kept). \
             Free some space, then try again; on the ward server, restart the server after that (systemctl restart qcdc).",
            p(path)
        ),
        (StoreError::Io { path, detail }, Lang::Vi) => {
            format!("Lỗi cơ sở dữ liệu ở {}: {detail}", p(path))
        }
        (StoreError::Io { path, detail }, Lang::En) => {
            format!("Database error at {}: {detail}", p(path))
        }
        (StoreError::Conflict { current }, Lang::Vi) => format!(
            "Người khác vừa sửa mục này (nay là phiên bản {}).",
            current.version
        ),
        (StoreError::Conflict { current }, Lang::En) => format!(
            "Someone else changed this entry (now version {}).",
            current.version
        ),
        (StoreError::Invalid(s), _) => s.clone(),
    }
}
