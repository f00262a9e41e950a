//! The human-editable data files: the checklist template and the demo ward.
//!
//! Both are TOML, embedded in the binary (so `qcdc init --demo` works from anywhere) and
//! validated when loaded: every error names the file and the line.

use crate::domain::date::{self, Date};
use crate::domain::entry::StepStatus;
use crate::domain::figure::Figure;
use crate::domain::period::Period;
use crate::domain::step::{Step, StepSet};
use crate::domain::template::{
    Citation, Evidence, Item, Law, Pillar, Recurrence, Scope, Section, Template,
};
use crate::domain::text;
use crate::domain::vote::{VoteCount, VoteForm, VoteRule};
use crate::domain::ward::MAX_HOUSEHOLDS;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

pub const TEMPLATE_FILE: &str = "data/template.toml";
pub const TEMPLATE_TOML: &str = include_str!("../data/template.toml");
pub const DEMO_FILE: &str = "data/demo-ward.toml";
pub const DEMO_TOML: &str = include_str!("../data/demo-ward.toml");

/// A problem in a data file, at a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct DataError {
    pub file: String,
    pub line: usize,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("{0}")]
    Syntax(String),
    #[error("duplicate item code {code:?} (first defined at line {first_line})")]
    DuplicateCode { code: String, first_line: usize },
    #[error("item code {0:?} must be upper-case letters, digits and '-'")]
    BadCode(String),
    #[error("unknown {what} {value:?} (expected one of: {expected})")]
    Unknown {
        what: &'static str,
        value: String,
        expected: String,
    },
    #[error("missing or empty {0}")]
    Missing(&'static str),
    #[error("citation {citation:?} must start with \"Điều {article}\"")]
    CitationMismatch { citation: String, article: u16 },
    #[error("step {0} is listed twice or out of motto order")]
    StepOrder(String),
    #[error("a vote rule is only for decisions (pillar ban-quyet-dinh)")]
    VoteOutsideDecisions,
    #[error("unknown item {0:?}: not in the template")]
    UnknownItem(String),
    #[error("unknown group {0:?}: not defined in this file")]
    UnknownGroup(String),
    #[error("duplicate name {0:?}")]
    DuplicateName(String),
    #[error("item {item} is {recurrence}: its period must be a {expected}, not {period}")]
    PeriodMismatch {
        item: String,
        recurrence: &'static str,
        expected: &'static str,
        period: String,
    },
    #[error("item {0} is for the ward as a whole: leave out the group")]
    WardItemWithGroup(String),
    #[error("item {0} is done by each group: name the group")]
    GroupItemWithoutGroup(String),
    #[error("step {step} does not apply to item {item}")]
    StepNotInItem { step: String, item: String },
    #[error("{0}")]
    Invalid(String),
}

impl DataError {
    /// The message in Vietnamese (the message in English is `to_string()`).
    pub fn message_vi(&self) -> String {
        let p = match &self.problem {
            Problem::Syntax(s) => format!("lỗi cú pháp TOML: {s}"),
            Problem::DuplicateCode { code, first_line } => {
                format!("mã mục {code:?} bị trùng (đã có ở dòng {first_line})")
            }
            Problem::BadCode(c) => format!("mã mục {c:?} chỉ được gồm chữ in hoa, số và dấu '-'"),
            Problem::Unknown {
                what,
                value,
                expected,
            } => format!("giá trị {what} không hợp lệ {value:?} (cần một trong: {expected})"),
            Problem::Missing(what) => format!("thiếu hoặc để trống {what}"),
            Problem::CitationMismatch { citation, article } => {
                format!("trích dẫn {citation:?} phải bắt đầu bằng \"Điều {article}\"")
            }
            Problem::StepOrder(s) => format!("bước {s} bị lặp hoặc sai thứ tự phương châm"),
            Problem::VoteOutsideDecisions => {
                "quy tắc biểu quyết chỉ dùng cho mục bàn và quyết định".into()
            }
            Problem::UnknownItem(c) => format!("không có mục {c:?} trong bộ mục"),
            Problem::UnknownGroup(g) => format!("không có tổ dân phố {g:?} trong tệp"),
            Problem::DuplicateName(n) => format!("tên {n:?} bị trùng"),
            Problem::PeriodMismatch {
                item,
                recurrence,
                period,
                ..
            } => format!("mục {item} ({recurrence}) không ghi theo kỳ {period}"),
            Problem::WardItemWithGroup(i) => format!("mục {i} là việc của cấp phường: bỏ tên tổ"),
            Problem::GroupItemWithoutGroup(i) => format!("mục {i} là việc của từng tổ: ghi tên tổ"),
            Problem::StepNotInItem { step, item } => {
                format!("bước {step} không áp dụng cho mục {item}")
            }
            Problem::Invalid(s) => s.clone(),
        };
        format!("{}:{}: {p}", self.file, self.line)
    }
}

fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset.min(src.len()))
        .map(|s| s.matches('\n').count() + 1)
        .unwrap_or(1)
}

fn syntax(file: &str, src: &str, e: toml::de::Error) -> DataError {
    let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(1);
    DataError {
        file: file.to_string(),
        line,
        problem: Problem::Syntax(e.message().to_string()),
    }
}

fn unknown(what: &'static str, value: &str, expected: &[&str]) -> Problem {
    Problem::Unknown {
        what,
        value: value.to_string(),
        expected: expected.join(", "),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
    /// Counted indicators (`domain::figure`), parsed by [`parse_figures`].
    #[serde(default)]
    figure: Vec<Spanned<RawFigure>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    code: String,
    title: String,
    #[serde(default)]
    title_en: String,
    section: String,
    unit: String,
    #[serde(default)]
    unit_en: String,
    total: Option<String>,
    citation: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    title: String,
    #[serde(default)]
    title_en: String,
    pillar: String,
    section: Option<String>,
    steps: Vec<String>,
    recurrence: String,
    scope: String,
    #[serde(default)]
    evidence: Vec<String>,
    law: Option<String>,
    article: Option<u16>,
    clause: Option<u16>,
    citation: Option<String>,
    vote: Option<String>,
    min_days: Option<u16>,
    #[serde(default)]
    retired: bool,
    retired_from: Option<String>,
}

/// Parse and validate a template file.
pub fn parse_template(file: &str, src: &str) -> Result<Template, DataError> {
    parse_template_and_figures(file, src).map(|(t, _)| t)
}

/// The figures (`[[figure]]`) of a template file, validated.
pub fn parse_figures(file: &str, src: &str) -> Result<Vec<Figure>, DataError> {
    parse_template_and_figures(file, src).map(|(_, f)| f)
}

/// Parse and validate a template file: its items and its figures.
pub fn parse_template_and_figures(
    file: &str,
    src: &str,
) -> Result<(Template, Vec<Figure>), DataError> {
    let raw: RawTemplate = toml::from_str(src).map_err(|e| syntax(file, src, e))?;
    let mut figures = Vec::with_capacity(raw.figure.len());
    let mut seen_fig: HashMap<String, usize> = HashMap::new();
    for spanned in raw.figure {
        let line = line_of(src, spanned.span().start);
        let at = |problem| DataError {
            file: file.to_string(),
            line,
            problem,
        };
        let f = convert_figure(spanned.into_inner()).map_err(at)?;
        if let Some(first) = seen_fig.insert(f.code.clone(), line) {
            return Err(at(Problem::DuplicateCode {
                code: f.code,
                first_line: first,
            }));
        }
        figures.push(f);
    }
    let mut items = Vec::with_capacity(raw.item.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for spanned in raw.item {
        let line = line_of(src, spanned.span().start);
        let at = |problem| DataError {
            file: file.to_string(),
            line,
            problem,
        };
        let item = convert_item(spanned.into_inner()).map_err(at)?;
        if let Some(first) = seen.insert(item.code.clone(), line) {
            return Err(at(Problem::DuplicateCode {
                code: item.code,
                first_line: first,
            }));
        }
        items.push(item);
    }
    Ok((Template { items }, figures))
}

fn convert_figure(r: RawFigure) -> Result<Figure, Problem> {
    use crate::domain::figure::{SECTIONS, Total};
    let code = r.code.trim().to_string();
    if code.is_empty()
        || code.len() > 16
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Problem::BadCode(code));
    }
    let title = text::clean(&r.title);
    if title.is_empty() {
        return Err(Problem::Missing("title"));
    }
    let section = r.section.trim().to_string();
    if !SECTIONS.contains(&section.as_str()) {
        return Err(unknown("section", &section, &SECTIONS));
    }
    let unit = text::clean(&r.unit);
    if unit.is_empty() {
        return Err(Problem::Missing("unit"));
    }
    let total = match r.total.as_deref().map(str::trim) {
        None | Some("sum") => Total::Sum,
        Some("last") => Total::Last,
        Some(other) => return Err(unknown("total", other, &["sum", "last"])),
    };
    Ok(Figure {
        code,
        title,
        title_en: text::clean(&r.title_en),
        section,
        unit,
        unit_en: text::clean(&r.unit_en),
        total,
        citation: text::clean(r.citation.as_deref().unwrap_or("")),
    })
}

fn convert_item(r: RawItem) -> Result<Item, Problem> {
    let code = r.code.trim().to_string();
    if code.is_empty()
        || !code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Problem::BadCode(code));
    }
    let title = text::clean(&r.title);
    if title.is_empty() {
        return Err(Problem::Missing("title"));
    }
    let pillar = Pillar::from_code(r.pillar.trim())
        .ok_or_else(|| unknown("pillar", &r.pillar, &Pillar::ALL.map(|p| p.code())))?;
    // The report section is named, never guessed from the title (issue 13).
    let section_s = r.section.ok_or(Problem::Missing("section (I–VIII)"))?;
    let section = Section::from_code(&section_s)
        .ok_or_else(|| unknown("section", &section_s, &Section::ALL.map(|s| s.number())))?;
    if !section.fits(pillar) {
        return Err(Problem::Invalid(format!(
            "section {} ({}) does not hold items of pillar {}",
            section.number(),
            section.key(),
            pillar.code()
        )));
    }
    if r.steps.is_empty() {
        return Err(Problem::Missing("steps"));
    }
    let mut steps: Vec<Step> = Vec::new();
    for s in &r.steps {
        let step = Step::ALL
            .into_iter()
            .find(|st| st.code() == s.trim())
            .ok_or_else(|| unknown("step", s, &Step::ALL.map(|s| s.code())))?;
        if steps.last().is_some_and(|last| *last >= step) {
            return Err(Problem::StepOrder(s.clone()));
        }
        steps.push(step);
    }
    let recurrence = Recurrence::from_code(r.recurrence.trim()).ok_or_else(|| {
        unknown(
            "recurrence",
            &r.recurrence,
            &Recurrence::ALL.map(|r| r.code()),
        )
    })?;
    let scope = match r.scope.trim() {
        "group" => Scope::Group,
        "ward" => Scope::Ward,
        other => return Err(unknown("scope", other, &["group", "ward"])),
    };
    let evidence = r
        .evidence
        .iter()
        .map(|e| {
            Evidence::from_code(e.trim())
                .ok_or_else(|| unknown("evidence", e, &Evidence::ALL.map(|e| e.code())))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let law_s = r.law.ok_or(Problem::Missing("law (citation)"))?;
    let law = Law::from_code(&law_s)
        .ok_or_else(|| unknown("law", &law_s, &Law::ALL.map(|l| l.code())))?;
    let article = r.article.ok_or(Problem::Missing("article (citation)"))?;
    let citation_text = text::clean(r.citation.as_deref().unwrap_or(""));
    if citation_text.is_empty() {
        return Err(Problem::Missing("citation"));
    }
    let expected_head = format!("Điều {article}");
    let rest = citation_text.strip_prefix(&expected_head);
    if rest.is_none_or(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
        return Err(Problem::CitationMismatch {
            citation: citation_text,
            article,
        });
    }
    let vote = match r.vote.as_deref() {
        None => None,
        Some(v) => Some(
            VoteRule::from_code(v.trim())
                .ok_or_else(|| unknown("vote", v, &VoteRule::ALL.map(|r| r.code())))?,
        ),
    };
    if vote.is_some() && pillar != Pillar::BanQuyetDinh {
        return Err(Problem::VoteOutsideDecisions);
    }
    if r.min_days == Some(0) {
        return Err(Problem::Invalid("min_days must be at least 1".into()));
    }
    let retired_from = match r.retired_from.as_deref() {
        None => None,
        Some(p) => Some(
            p.trim()
                .parse::<Period>()
                .map_err(|e| Problem::Invalid(e.to_string()))?,
        ),
    };
    Ok(Item {
        code,
        title,
        title_en: text::clean(&r.title_en),
        pillar,
        section,
        steps,
        recurrence,
        scope,
        evidence,
        citation: Citation {
            law,
            article,
            clause: r.clause,
            text: citation_text,
        },
        vote,
        min_days: r.min_days,
        retired: r.retired || retired_from.is_some(),
        retired_from,
    })
}

/// The figures of the template shipped with qcdc (validated by a unit test).
pub fn default_figures() -> Vec<Figure> {
    static FIGURES: std::sync::OnceLock<Vec<Figure>> = std::sync::OnceLock::new();
    FIGURES
        .get_or_init(|| {
            parse_figures(TEMPLATE_FILE, TEMPLATE_TOML).unwrap_or_else(|e| panic!("{e}"))
        })
        .clone()
}

/// The template shipped with qcdc.
pub fn default_template() -> Template {
    // The embedded file is validated by a unit test, so this cannot fail in a release.
    parse_template(TEMPLATE_FILE, TEMPLATE_TOML).unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------------
// The demo ward

/// A ward described in a data file, ready to load into an empty database.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WardData {
    pub name: String,
    pub steps: StepSet,
    pub current_period: Option<Period>,
    pub branches: Vec<BranchData>,
    pub entries: Vec<EntryData>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BranchData {
    pub name: String,
    pub groups: Vec<GroupData>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupData {
    pub name: String,
    pub households: u32,
    pub leader: String,
    pub front_head: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EntryData {
    /// `None` for ward-scope items.
    pub group: Option<String>,
    pub item: String,
    pub period: Period,
    pub steps: Vec<(Step, StepStatus)>,
    pub posted_from: Option<Date>,
    pub posted_to: Option<Date>,
    pub meeting_date: Option<Date>,
    pub vote: Option<VoteCount>,
    pub minutes: String,
    pub responsible: String,
    pub note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWardFile {
    ward: Spanned<RawWard>,
    #[serde(default)]
    branch: Vec<Spanned<RawBranch>>,
    #[serde(default)]
    entry: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWard {
    name: String,
    #[serde(default = "four")]
    steps: u8,
    current_period: Option<String>,
}

fn four() -> u8 {
    4
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBranch {
    name: String,
    #[serde(default)]
    group: Vec<Spanned<RawGroup>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: String,
    households: i64,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    front_head: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    group: Option<String>,
    item: String,
    period: String,
    #[serde(default)]
    steps: BTreeMap<String, String>,
    posted_from: Option<String>,
    posted_to: Option<String>,
    meeting_date: Option<String>,
    households: Option<i64>,
    present: Option<i64>,
    agree: Option<i64>,
    vote_form: Option<String>,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    note: String,
}

/// Parse and validate a ward file against a template.
pub fn parse_ward(file: &str, src: &str, template: &Template) -> Result<WardData, DataError> {
    let raw: RawWardFile = toml::from_str(src).map_err(|e| syntax(file, src, e))?;
    let err = |span: std::ops::Range<usize>, problem| DataError {
        file: file.to_string(),
        line: line_of(src, span.start),
        problem,
    };
    let ward_span = raw.ward.span();
    let ward = raw.ward.into_inner();
    let name = text::clean(&ward.name);
    if name.is_empty() {
        return Err(err(ward_span, Problem::Missing("ward name")));
    }
    let steps = StepSet::from_count(ward.steps).ok_or_else(|| {
        err(
            ward_span.clone(),
            unknown("steps", &ward.steps.to_string(), &["4", "6"]),
        )
    })?;
    let current_period = match ward.current_period {
        None => None,
        Some(p) => Some(
            p.parse::<Period>()
                .map_err(|e| err(ward_span.clone(), Problem::Invalid(e.to_string())))?,
        ),
    };

    let mut branches = Vec::new();
    let mut group_households: HashMap<String, u32> = HashMap::new();
    let mut branch_names = std::collections::HashSet::new();
    for b in raw.branch {
        let span = b.span();
        let b = b.into_inner();
        let bname = text::clean(&b.name);
        if bname.is_empty() {
            return Err(err(span, Problem::Missing("branch name")));
        }
        if !branch_names.insert(text::fold(&bname)) {
            return Err(err(span, Problem::DuplicateName(bname)));
        }
        let mut groups = Vec::new();
        for g in b.group {
            let gspan = g.span();
            let g = g.into_inner();
            let gname = text::clean(&g.name);
            if gname.is_empty() {
                return Err(err(gspan, Problem::Missing("group name")));
            }
            let households = u32::try_from(g.households)
                .ok()
                .filter(|h| (1..=MAX_HOUSEHOLDS).contains(h))
                .ok_or_else(|| {
                    err(
                        gspan.clone(),
                        Problem::Invalid(format!(
                            "households must be between 1 and {MAX_HOUSEHOLDS}, not {}",
                            g.households
                        )),
                    )
                })?;
            if group_households
                .insert(text::fold(&gname), households)
                .is_some()
            {
                return Err(err(gspan, Problem::DuplicateName(gname)));
            }
            groups.push(GroupData {
                name: gname,
                households,
                leader: text::clean(&g.leader),
                front_head: text::clean(&g.front_head),
            });
        }
        branches.push(BranchData {
            name: bname,
            groups,
        });
    }

    let mut entries = Vec::new();
    for e in raw.entry {
        let span = e.span();
        let e = e.into_inner();
        let at = |p| err(span.clone(), p);
        let item = template
            .get(&e.item)
            .ok_or_else(|| at(Problem::UnknownItem(e.item.clone())))?;
        let period: Period = e
            .period
            .parse()
            .map_err(|x: crate::domain::period::BadPeriod| at(Problem::Invalid(x.to_string())))?;
        let g = item.recurrence.granularity();
        if period.granularity() != g {
            return Err(at(Problem::PeriodMismatch {
                item: item.code.clone(),
                recurrence: item.recurrence.code(),
                expected: granularity_name(g),
                period: period.to_string(),
            }));
        }
        let group = match (item.scope, e.group) {
            (Scope::Ward, Some(_)) => {
                return Err(at(Problem::WardItemWithGroup(item.code.clone())));
            }
            (Scope::Group, None) => {
                return Err(at(Problem::GroupItemWithoutGroup(item.code.clone())));
            }
            (Scope::Ward, None) => None,
            (Scope::Group, Some(gname)) => {
                let gname = text::clean(&gname);
                if !group_households.contains_key(&text::fold(&gname)) {
                    return Err(at(Problem::UnknownGroup(gname)));
                }
                Some(gname)
            }
        };
        let mut steps = Vec::new();
        for (s, status) in &e.steps {
            let step = Step::ALL
                .into_iter()
                .find(|st| st.code() == s.trim())
                .ok_or_else(|| at(unknown("step", s, &Step::ALL.map(|s| s.code()))))?;
            if !item.steps.contains(&step) {
                return Err(at(Problem::StepNotInItem {
                    step: s.clone(),
                    item: item.code.clone(),
                }));
            }
            let status = status.parse::<StepStatus>().map_err(|_| {
                at(unknown(
                    "status",
                    status,
                    &StepStatus::ALL.map(|s| s.code()),
                ))
            })?;
            steps.push((step, status));
        }
        let d = |s: &Option<String>| -> Result<Option<Date>, DataError> {
            s.as_deref()
                .map(|s| date::parse(s).map_err(|x| at(Problem::Invalid(x.to_string()))))
                .transpose()
        };
        let (posted_from, posted_to, meeting_date) =
            (d(&e.posted_from)?, d(&e.posted_to)?, d(&e.meeting_date)?);
        if let (Some(a), Some(b)) = (posted_from, posted_to)
            && b < a
        {
            return Err(at(Problem::Invalid(
                "posted_to is before posted_from".into(),
            )));
        }
        let vote = match (e.households, e.present, e.agree) {
            (None, None, None) => None,
            (Some(t), Some(p), Some(a)) => {
                let n = |v: i64| u32::try_from(v).ok().filter(|v| *v <= MAX_HOUSEHOLDS);
                let form = match e.vote_form.as_deref() {
                    None => VoteForm::Meeting,
                    Some(f) => VoteForm::from_code(f).ok_or_else(|| {
                        at(unknown("vote_form", f, &["meeting", "ballot", "online"]))
                    })?,
                };
                let count = VoteCount {
                    total: n(t)
                        .ok_or_else(|| at(Problem::Invalid(format!("bad households {t}"))))?,
                    present: n(p)
                        .ok_or_else(|| at(Problem::Invalid(format!("bad present {p}"))))?,
                    agree: n(a).ok_or_else(|| at(Problem::Invalid(format!("bad agree {a}"))))?,
                    form,
                };
                count
                    .validate()
                    .map_err(|x| at(Problem::Invalid(x.to_string())))?;
                Some(count)
            }
            _ => {
                return Err(at(Problem::Invalid(
                    "households, present and agree go together".into(),
                )));
            }
        };
        entries.push(EntryData {
            group,
            item: item.code.clone(),
            period,
            steps,
            posted_from,
            posted_to,
            meeting_date,
            vote,
            minutes: text::clean(&e.minutes),
            responsible: text::clean(&e.responsible),
            note: text::clean(&e.note),
        });
    }
    Ok(WardData {
        name,
        steps,
        current_period,
        branches,
        entries,
    })
}

pub fn granularity_name(g: crate::domain::Granularity) -> &'static str {
    match g {
        crate::domain::Granularity::Quarter => "quarter (2026-Q3)",
        crate::domain::Granularity::Half => "half-year (2026-H1)",
        crate::domain::Granularity::Year => "year (2026)",
    }
}

/// The demo ward shipped with qcdc.
pub fn demo_ward(template: &Template) -> WardData {
    parse_ward(DEMO_FILE, DEMO_TOML, template).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = r#"
[[item]]
code = "CK-01"
title = "Công khai kế hoạch"
pillar = "cong-khai"
section = "I"
steps = ["biet", "kiemtra"]
recurrence = "yearly"
scope = "group"
evidence = ["posting"]
law = "10/2022/QH15"
article = 11
clause = 1
citation = "Điều 11 khoản 1"
"#;

    #[test]
    fn embedded_template_and_demo_are_valid() {
        let t = parse_template(TEMPLATE_FILE, TEMPLATE_TOML).unwrap();
        assert!(t.items.len() >= 30);
        let w = parse_ward(DEMO_FILE, DEMO_TOML, &t).unwrap();
        assert!(w.branches.iter().map(|b| b.groups.len()).sum::<usize>() >= 9);
        assert!(w.branches.len() >= 6);
        assert!(w.branches.iter().any(|b| b.groups.len() > 1));
        let f = default_figures();
        assert!(f.len() >= 15, "{}", f.len());
        // NĐ 61/2023/NĐ-CP Điều 16 khoản 1 điểm b, c, d: recognised, not recognised,
        // amended, suspended, annulled hương ước are counted.
        for code in ["HU-01", "HU-02", "HU-03", "HU-04", "HU-05"] {
            let h = f.iter().find(|x| x.code == code).unwrap();
            assert!(h.citation.starts_with("Điều 16 khoản 1"), "{code}");
        }
    }

    #[test]
    fn figure_errors_name_the_line() {
        let src = "[[figure]]\ncode = \"A-1\"\ntitle = \"x\"\nsection = \"IX\"\nunit = \"đơn\"\n";
        let e = parse_figures("t.toml", src).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.to_string().contains("section"), "{e}");
        let src = "[[figure]]\ncode = \"a\"\ntitle = \"x\"\nsection = \"I\"\nunit = \"đơn\"\n";
        assert!(matches!(
            parse_figures("t.toml", src).unwrap_err().problem,
            Problem::BadCode(_)
        ));
        let one = "[[figure]]\ncode = \"A-1\"\ntitle = \"x\"\nsection = \"I\"\nunit = \"đơn\"\ntotal = \"avg\"\n";
        assert!(
            parse_figures("t.toml", one)
                .unwrap_err()
                .to_string()
                .contains("total")
        );
        let twice = "[[figure]]\ncode = \"A-1\"\ntitle = \"x\"\nsection = \"I\"\nunit = \"đơn\"\n\n[[figure]]\ncode = \"A-1\"\ntitle = \"y\"\nsection = \"I\"\nunit = \"đơn\"\n";
        let e = parse_figures("t.toml", twice).unwrap_err();
        assert_eq!(e.line, 7);
    }

    #[test]
    fn a_good_item_parses() {
        let t = parse_template("t.toml", ITEM).unwrap();
        assert_eq!(t.items[0].citation.law, Law::Luat10_2022);
        assert_eq!(t.items[0].steps, vec![Step::Biet, Step::KiemTra]);
    }

    #[test]
    fn duplicate_code_names_file_and_both_lines() {
        let src = format!("{ITEM}\n{ITEM}");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert_eq!(e.file, "t.toml");
        assert!(e.line > 2, "{e}");
        assert!(
            matches!(e.problem, Problem::DuplicateCode { first_line: 2, .. }),
            "{e}"
        );
    }

    #[test]
    fn unknown_pillar_and_step_are_errors_at_the_item_line() {
        let src = ITEM.replace("cong-khai", "cong-khia");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.to_string().contains("unknown pillar \"cong-khia\""),
            "{e}"
        );
        let src = ITEM.replace("\"kiemtra\"]", "\"kiem\"]");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert!(e.to_string().contains("unknown step \"kiem\""), "{e}");
        assert!(
            e.message_vi().starts_with("t.toml:2:"),
            "{}",
            e.message_vi()
        );
    }

    #[test]
    fn missing_citation_is_an_error() {
        let src = ITEM.replace("citation = \"Điều 11 khoản 1\"\n", "");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert_eq!(e.problem, Problem::Missing("citation"));
        let src = ITEM.replace("Điều 11 khoản 1", "Điều 12 khoản 1");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert!(matches!(e.problem, Problem::CitationMismatch { .. }));
        let src = ITEM.replace("Điều 11 khoản 1", "Điều 110");
        assert!(parse_template("t.toml", &src).is_err());
    }

    /// Issue 13: the report section is named in the file, never guessed from the title;
    /// I–III hold only their own pillar (Luật 10/2022/QH15 Chương II Mục 1–3).
    #[test]
    fn the_section_is_required_and_must_fit_the_pillar() {
        let src = ITEM.replace("section = \"I\"\n", "");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert_eq!(e.problem, Problem::Missing("section (I–VIII)"));
        assert_eq!(e.line, 2);
        let src = ITEM.replace("section = \"I\"", "section = \"IX\"");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert!(e.to_string().contains("unknown section \"IX\""), "{e}");
        let src = ITEM.replace("section = \"I\"", "section = \"V\"");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert!(e.to_string().contains("section V"), "{e}");
        let t = parse_template(
            "t.toml",
            &ITEM.replace("section = \"I\"", "section = \"cong-khai\""),
        )
        .unwrap();
        assert_eq!(t.items[0].section, Section::Disclosure);
    }

    /// GS-02 (the annual meeting plan, NĐ 59/2023 Điều 10) is section IV though its title
    /// names the Ban TTND; the boards' own work is V (Điều 36–40) and VI (Điều 41–45).
    #[test]
    fn built_in_items_name_their_sections_gs_02_is_iv() {
        let t = default_template();
        let sec = |c: &str| t.get(c).unwrap().section;
        assert_eq!(sec("GS-02"), Section::Inspection);
        assert_eq!(sec("GS-01"), Section::Inspection);
        assert_eq!(sec("GS-05"), Section::InspectionBoard);
        assert_eq!(sec("GS-12"), Section::InvestmentBoard);
        assert_eq!(sec("GS-17"), Section::Petitions);
        assert_eq!(sec("BQ-13"), Section::Decisions);
        for i in &t.items {
            assert!(i.section.fits(i.pillar), "{}", i.code);
        }
    }

    /// An item record written before the field existed reads with the built-in item's
    /// section (GS-02 → IV), and a ward's own item with the old title rule.
    #[test]
    fn stored_items_without_a_section_read_with_the_built_in_one() {
        let t = default_template();
        let mut v = serde_json::to_value(t.get("GS-02").unwrap()).unwrap();
        v.as_object_mut().unwrap().remove("section");
        let back: Item = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(back.section, Section::Inspection);
        v["code"] = "PH-01".into();
        let own: Item = serde_json::from_value(v).unwrap();
        assert_eq!(own.section, Section::InspectionBoard);
        let round: Item =
            serde_json::from_str(&serde_json::to_string(t.get("GS-05").unwrap()).unwrap()).unwrap();
        assert_eq!(&round, t.get("GS-05").unwrap());
    }

    #[test]
    fn toml_syntax_errors_carry_their_line() {
        let src = format!("{ITEM}\n[[item]]\ncode = \n");
        let e = parse_template("t.toml", &src).unwrap_err();
        assert!(matches!(e.problem, Problem::Syntax(_)));
        assert_eq!(e.line, 17);
    }

    #[test]
    fn ward_file_errors_name_the_line() {
        let t = parse_template("t.toml", ITEM).unwrap();
        let src = "[ward]\nname = \"P\"\n\n[[branch]]\nname = \"B\"\n[[branch.group]]\nname = \"T1\"\nhouseholds = 100\n\n[[entry]]\ngroup = \"T2\"\nitem = \"CK-01\"\nperiod = \"2026\"\n";
        let e = parse_ward("w.toml", src, &t).unwrap_err();
        assert_eq!(e.line, 10);
        assert_eq!(e.problem, Problem::UnknownGroup("T2".into()));
        let src2 = src.replace("T2", "T1").replace("\"2026\"", "\"2026-Q1\"");
        let e = parse_ward("w.toml", &src2, &t).unwrap_err();
        assert!(matches!(e.problem, Problem::PeriodMismatch { .. }), "{e}");
        let src3 = src
            .replace("T2", "T1")
            .replace("households = 100", "households = -5");
        assert!(parse_ward("w.toml", &src3, &t).is_err());
    }
}
