//! The province roll-up: every ward's (or commune's) file merged into one summary, per
//! ward and per branch, with the province's totals per pillar and per report section,
//! and optionally a level between the two (`--by`: wards grouped by a former area, or
//! inside one ward its groups by khu phố or former ward).
//!
//! Each input is either a ward's export document (`qcdc export`, `qcdc backup`: the
//! report is computed here for the period asked, so every ward is counted the same way)
//! or a report document (`qcdc report --format json`: used as the ward computed it). All
//! must be for the same period. The result's JSON shape is in docs/rollup-json.md.
//!
//! Memory does not grow with the province: each file is read once, as a stream
//! ([`crate::transfer::read_stream`]: checksum and consistency checked on the way), the
//! ward's entries of the two years its report needs are kept compactly, its report is
//! computed, and only its figures (a row per ward and per branch) are kept. Two files
//! are read at once. A file that cannot be rolled up (damaged, of another period, a
//! ward twice) is reported by name; by default nothing is produced then, with
//! `keep_going` the others are rolled up and the failures listed.

use crate::domain::Completion;
use crate::domain::date::Date;
use crate::domain::entry::{EntryFacts, StepStatus};
use crate::domain::period::Period;
use crate::domain::template::{Item, Template};
use crate::domain::text;
use crate::domain::vote::VoteCount;
use crate::domain::ward::{Branch, Group, GroupId, Ward};
use crate::export::sheet::{
    Cell, Row, col, new_sheet, print_setup, ratio, row, strong, table, text as cell_text, title,
    widths,
};
use crate::i18n::Lang;
use crate::service::engine::{self, Source};
use crate::service::report::{Pct, PillarRow, Report};
use crate::service::sections;
use crate::transfer::{self, DocSink, EntryRef, Problem, StreamError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub const FORMAT: &str = "qcdc-rollup";
/// 2: the total's label, areas (`--by`), files left out (`--keep-going`).
pub const VERSION: u32 = 2;

/// The largest JSON report read (a report is read whole; a city's is tens of MB).
const MAX_REPORT: u64 = 512 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WardRow {
    pub ward: String,
    /// The file it came from.
    pub source: String,
    /// Its area (`--by` a grouping of wards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    pub branches: u32,
    pub groups: u32,
    pub households: u64,
    pub completion: Pct,
    pub previous: Option<Pct>,
    pub by_pillar: Vec<PillarRow>,
    /// Completion per report section I–VIII, in order.
    pub sections: Vec<Pct>,
    pub overdue: u32,
    pub votes: u32,
    pub votes_failed: u32,
    /// Groups that held at least one meeting in the period.
    pub groups_met: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchRow {
    pub ward: String,
    pub branch: String,
    pub groups: u32,
    pub households: u64,
    pub completion: Pct,
    pub previous: Option<Pct>,
    pub overdue: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionTotal {
    pub number: String,
    pub key: String,
    pub title: String,
    pub completion: Pct,
}

/// One area of `--by`: wards of a former area, or one ward's groups of a khu phố.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaRow {
    pub area: String,
    /// For an area inside a ward: the ward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ward: Option<String>,
    pub wards: u32,
    pub groups: u32,
    pub households: u64,
    pub completion: Pct,
    pub previous: Option<Pct>,
    pub overdue: u32,
}

/// A file left out of the roll-up (`keep_going`), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failed {
    pub source: String,
    pub problem: Problem,
}

impl Failed {
    pub fn message(&self, en: bool) -> String {
        format!("{}: {}", self.source, self.problem.message(en))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// Always "qcdc-rollup".
    pub format: String,
    pub version: u32,
    pub period: Period,
    pub period_label: String,
    pub today: Date,
    /// What the total row is called ("TỔNG CỘNG", or as asked: "TOÀN TỈNH"…).
    pub total_label: String,
    pub wards: Vec<WardRow>,
    pub branches: Vec<BranchRow>,
    /// Every ward's steps done over steps that apply.
    pub total: Pct,
    pub previous: Option<Pct>,
    pub by_pillar: Vec<PillarRow>,
    pub sections: Vec<SectionTotal>,
    pub households: u64,
    pub groups: u32,
    /// The level between ward and province, or inside a ward (`--by`): its name,
    /// whether it groups wards or groups, and its rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_level: Option<AreaLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<AreaRow>,
    /// Names in the `--by` file that matched nothing rolled up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmatched: Vec<String>,
    /// Files left out (`keep_going`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<Failed>,
    /// Counted figures summed across the wards (`qcdc figure`); empty when no ward
    /// recorded any for the period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<crate::service::figures::FigureTotal>,
}

impl Rollup {
    /// The wards, the most overdue first (then the lowest completion): the order of
    /// the workbook's overview.
    pub fn worst_first(&self) -> Vec<&WardRow> {
        let mut v: Vec<&WardRow> = self.wards.iter().collect();
        v.sort_by(|a, b| {
            b.overdue.cmp(&a.overdue).then(
                a.completion
                    .percent
                    .unwrap_or(100.0)
                    .total_cmp(&b.completion.percent.unwrap_or(100.0)),
            )
        });
        v
    }
}

// ---------------------------------------------------------------------------------
// Areas (`--by`)

/// What an area groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaLevel {
    /// Wards and communes, by a former area (the district they were in before
    /// 01/07/2025, a cluster…).
    Wards,
    /// Inside each ward, its groups (tổ dân phố) by khu phố or by the former ward they
    /// belonged to before the wards were merged.
    Groups,
}

/// A grouping read from a `--by` file: names (folded) → area, areas in the file's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    pub level: AreaLevel,
    pub label: Option<String>,
    map: HashMap<String, (String, String)>,
    order: Vec<String>,
}

impl Areas {
    pub fn new(level: AreaLevel, label: Option<String>, pairs: Vec<(String, String)>) -> Areas {
        let mut map = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for (name, area) in pairs {
            let area = text::clean(&area);
            if !order.contains(&area) {
                order.push(area.clone());
            }
            map.insert(text::fold(&text::clean(&name)), (name, area));
        }
        Areas {
            level,
            label: label.map(|l| text::clean(&l)).filter(|l| !l.is_empty()),
            map,
            order,
        }
    }

    fn of(&self, name: &str) -> Option<&str> {
        self.map
            .get(&text::fold(&text::clean(name)))
            .map(|(_, a)| a.as_str())
    }

    /// Read a `--by` file: TOML (`label = "…"`, then a `[wards]` or a `[groups]` table of
    /// name = area) or CSV (a heading row whose first column says which: phường/xã/ward or
    /// tổ/group; the second column's heading names the level).
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Areas, Problem> {
        let bad = |en: String, vi: String| Problem::new(name.to_string(), en, vi);
        let src = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| bad("not UTF-8 text".into(), "không phải văn bản UTF-8".into()))?;
        if name.to_ascii_lowercase().ends_with(".toml") {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct File {
                label: Option<String>,
                wards: Option<toml::Table>,
                groups: Option<toml::Table>,
            }
            let f: File = toml::from_str(src).map_err(|e| {
                let m = e.to_string().replace('\n', " ");
                bad(m.clone(), m)
            })?;
            let (level, table) = match (f.wards, f.groups) {
                (Some(t), None) => (AreaLevel::Wards, t),
                (None, Some(t)) => (AreaLevel::Groups, t),
                _ => {
                    return Err(bad(
                        "needs one table, [wards] (ward = area) or [groups] (group = khu phố or former ward)".into(),
                        "cần đúng một bảng: [wards] (phường, xã = khu vực) hoặc [groups] (tổ dân phố = khu phố hoặc phường cũ)".into(),
                    ));
                }
            };
            let mut pairs = Vec::new();
            for (k, v) in table {
                let Some(a) = v.as_str() else {
                    return Err(bad(
                        format!("the area of {k:?} is not text"),
                        format!("khu vực của {k:?} không phải chữ"),
                    ));
                };
                pairs.push((k, a.to_string()));
            }
            return Ok(Areas::new(level, f.label, pairs));
        }
        let first = src.lines().next().unwrap_or("");
        let delim = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first.bytes().filter(|b| b == d).count())
            .unwrap_or(b',');
        let mut rd = csv::ReaderBuilder::new()
            .delimiter(delim)
            .has_headers(true)
            .flexible(true)
            .from_reader(src.as_bytes());
        let head = rd
            .headers()
            .map_err(|e| bad(e.to_string(), e.to_string()))?
            .clone();
        let h0 = text::fold(head.get(0).unwrap_or("")).trim().to_string();
        let level = if ["to", "to dan pho", "group", "groups"].contains(&h0.as_str()) {
            AreaLevel::Groups
        } else if [
            "phuong",
            "xa",
            "phuong, xa",
            "phuong/xa",
            "phuong xa",
            "ward",
            "wards",
            "commune",
            "don vi",
        ]
        .contains(&h0.as_str())
        {
            AreaLevel::Wards
        } else {
            return Err(bad(
                format!(
                    "the first heading {:?} says neither wards (\"phường, xã\") nor groups (\"tổ dân phố\")",
                    head.get(0).unwrap_or("")
                ),
                format!(
                    "tiêu đề cột đầu {:?} không phải \"phường, xã\" hay \"tổ dân phố\"",
                    head.get(0).unwrap_or("")
                ),
            ));
        };
        let label = head.get(1).map(str::to_string);
        let mut pairs = Vec::new();
        for (i, rec) in rd.records().enumerate() {
            let rec = rec.map_err(|e| bad(e.to_string(), e.to_string()))?;
            let (n, a) = (
                rec.get(0).unwrap_or("").trim(),
                rec.get(1).unwrap_or("").trim(),
            );
            if n.is_empty() && a.is_empty() {
                continue;
            }
            if n.is_empty() || a.is_empty() {
                return Err(bad(
                    format!("row {}: a name and an area are both needed", i + 2),
                    format!("dòng {}: cần cả tên và khu vực", i + 2),
                ));
            }
            pairs.push((n.to_string(), a.to_string()));
        }
        Ok(Areas::new(level, label, pairs))
    }
}

// ---------------------------------------------------------------------------------
// Reading the inputs

/// What a file is, from its first fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// An export document, with the period its ward works on.
    Export { current: Option<Period> },
    /// A JSON report of a period.
    Report { period: Period },
}

fn not_ours() -> Problem {
    Problem::new(
        "format",
        "neither a qcdc export nor a qcdc JSON report",
        "không phải tệp xuất hay báo cáo JSON của qcdc",
    )
}

/// Tell an export document from a report by reading the first few fields.
pub fn read_head(r: &mut dyn Read) -> Result<Head, Problem> {
    let mut f = transfer::Framer::new(r, false);
    let err = |e: StreamError| e.into_problem();
    if !f.begin().map_err(err)? {
        return Err(not_ours());
    }
    let mut first = true;
    let mut export = false;
    while let Some(name) = f.field(first).map_err(err)? {
        first = false;
        f.value().map_err(err)?;
        match name.as_str() {
            "format" => {
                let v: serde_json::Value = serde_json::from_slice(&f.scratch)
                    .map_err(|e| err(StreamError::Doc(transfer::read_shape(e))))?;
                if v.as_str() != Some(transfer::FORMAT) {
                    return Err(not_ours());
                }
                export = true;
            }
            "ward" if export => {
                let w: Ward = serde_json::from_slice(&f.scratch)
                    .map_err(|e| transfer::read_shape(format!("ward: {e}")))?;
                return Ok(Head::Export {
                    current: w.current_period,
                });
            }
            "period" if !export => {
                let p: Period = serde_json::from_slice(&f.scratch).map_err(|e| {
                    Problem::new(
                        "JSON",
                        format!("a report of an unknown shape ({e})"),
                        format!("báo cáo không đúng cấu trúc ({e})"),
                    )
                })?;
                return Ok(Head::Report { period: p });
            }
            _ => {}
        }
    }
    Err(if export {
        transfer::read_shape("missing field `ward`")
    } else {
        not_ours()
    })
}

/// One ward's figures: all the roll-up keeps of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct WardFigures {
    pub row: WardRow,
    pub branches: Vec<BranchRow>,
    /// Per group (branch name, group name, households, completion, previous, overdue):
    /// kept only for areas inside a ward.
    pub groups: Vec<GroupFigures>,
    /// The ward's counted figures for the period (its report's).
    pub figures: Vec<crate::service::figures::FigureRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupFigures {
    pub name: String,
    pub households: u64,
    pub completion: Pct,
    pub previous: Option<Pct>,
    pub overdue: u32,
}

/// What a ward's figures are computed from.
#[derive(Debug, Clone, Copy)]
pub struct Counting {
    pub period: Period,
    pub today: Date,
    pub en: bool,
    /// Keep the figures of each group (areas inside a ward).
    pub groups: bool,
}

/// One stored entry as the report counts it, compact: its item by index, its minutes
/// in the ward's text arena.
struct Fact {
    year: u16,
    group: GroupId,
    period: Period,
    item: u16,
    steps: [StepStatus; 6],
    meeting_date: Option<Date>,
    vote: Option<VoteCount>,
    minutes: (u32, u32),
    /// A further occurrence's entry key ("BQ-01#2", issue 13) in the text buffer.
    key: Option<(u32, u32)>,
}

/// The export document's pieces a ward's report needs; entries of other years are
/// passed over as they are read.
struct WardReader {
    years: [u16; 2],
    ward: Option<Ward>,
    branches: Vec<Branch>,
    groups: Vec<Group>,
    items: Vec<Item>,
    codes: HashMap<String, u16>,
    facts: Vec<Fact>,
    text: String,
    /// The start of the earliest quarter or half holding an entry, in any year: the
    /// ward's first data (periods before it are "no data", not 0 %).
    first: Option<crate::domain::date::Date>,
    /// The figures recorded (`qcdc figure`), from the export's raw `figures` tree.
    figure_values: Vec<crate::domain::figure::FigureValue>,
}

impl WardReader {
    fn new(period: Period) -> WardReader {
        let previous = period.previous().unwrap_or(period);
        WardReader {
            years: [period.year(), previous.year()],
            ward: None,
            branches: Vec::new(),
            groups: Vec::new(),
            items: Vec::new(),
            codes: HashMap::new(),
            first: None,
            facts: Vec::new(),
            text: String::new(),
            figure_values: Vec::new(),
        }
    }
}

impl DocSink for WardReader {
    fn restart(&mut self) {
        let years = self.years;
        *self = WardReader::new(Period::Year(2000));
        self.years = years;
    }
    fn ward(&mut self, w: &Ward) -> Result<(), Problem> {
        self.ward = Some(w.clone());
        Ok(())
    }
    fn branch(&mut self, b: &Branch) -> Result<(), Problem> {
        self.branches.push(b.clone());
        Ok(())
    }
    fn group(&mut self, g: &Group) -> Result<(), Problem> {
        self.groups.push(g.clone());
        Ok(())
    }
    fn raw(
        &mut self,
        raw: &std::collections::BTreeMap<String, Vec<[String; 2]>>,
    ) -> Result<(), Problem> {
        // Figures are carried raw (the document does not model their tree): read them
        // as the store writes them.
        for [k, v] in raw.get(crate::store::figures::TREE).into_iter().flatten() {
            let f = transfer::unhex(k)
                .zip(transfer::unhex(v))
                .and_then(|(k, v)| crate::store::figures::decode(&k, &v))
                .ok_or_else(|| transfer::read_shape("unreadable figure in `raw`"))?;
            self.figure_values.push(f);
        }
        Ok(())
    }
    fn item(&mut self, i: &Item) -> Result<(), Problem> {
        if self.items.len() < u16::MAX as usize {
            self.codes.insert(i.code.clone(), self.items.len() as u16);
        }
        self.items.push(i.clone());
        Ok(())
    }
    fn entry(&mut self, e: &EntryRef<'_>, period: Period, _json: &[u8]) -> Result<(), Problem> {
        if !matches!(period, Period::Year(_)) {
            let start = period.start();
            self.first = Some(self.first.map_or(start, |f| f.min(start)));
        }
        let year = period.year();
        if !self.years.contains(&year) {
            return Ok(());
        }
        // An entry of an unknown item is a problem the validator reports.
        let (code, occ) = crate::domain::template::split_occurrence(e.item.as_ref());
        let Some(&item) = self.codes.get(code) else {
            return Ok(());
        };
        let key = (occ > 1).then(|| {
            let start = self.text.len() as u32;
            self.text.push_str(e.item.as_ref());
            (start, e.item.len() as u32)
        });
        let m = &e.evidence.minutes;
        let start = self.text.len() as u32;
        self.text.push_str(m);
        self.facts.push(Fact {
            year,
            group: e.group,
            period,
            item,
            steps: e.steps,
            meeting_date: e.evidence.meeting_date,
            vote: e.evidence.vote,
            minutes: (start, m.len() as u32),
            key,
        });
        Ok(())
    }
}

/// A ward's report from what [`WardReader`] kept.
fn report_of(r: WardReader, c: &Counting) -> Result<Report, Problem> {
    let ward = r
        .ward
        .ok_or_else(|| transfer::read_shape("missing field `ward`"))?;
    let first = r
        .first
        .unwrap_or_else(|| crate::service::report::first_data(&[], None, c.today));
    let mut facts = r.facts;
    let figure_values = r.figure_values;
    facts.sort_by_key(|f| (f.year, f.group));
    let template = Template { items: r.items };
    let src = Source {
        ward: &ward,
        branches: &r.branches,
        groups: &r.groups,
        template: &template,
        today: c.today,
        en: c.en,
    };
    let text = r.text.as_str();
    let items = &template.items;
    let read = |year: u16,
                from: GroupId,
                to: Option<GroupId>,
                each: &mut engine::EachGroup<'_>|
     -> Result<(), std::convert::Infallible> {
        let mut i = facts.partition_point(|f| (f.year, f.group) < (year, from));
        let mut list: Vec<EntryFacts<'_>> = Vec::new();
        while i < facts.len() && facts[i].year == year && to.is_none_or(|t| facts[i].group < t) {
            let g = facts[i].group;
            list.clear();
            while i < facts.len() && facts[i].year == year && facts[i].group == g {
                let f = &facts[i];
                let (s, n) = (f.minutes.0 as usize, f.minutes.1 as usize);
                let item: &str = match f.key {
                    Some((ks, kn)) => text.get(ks as usize..(ks + kn) as usize).unwrap_or(""),
                    None => &items[f.item as usize].code,
                };
                list.push(EntryFacts {
                    period: f.period,
                    item,
                    steps: f.steps,
                    meeting_date: f.meeting_date,
                    vote: f.vote,
                    minutes: text.get(s..s + n).unwrap_or(""),
                    // A roll-up counts figures, not the law's deadlines of each entry.
                    posted_from: None,
                    occurred: None,
                    met: 0,
                    rounds: crate::domain::entry::Rounds::None,
                    removal: false,
                });
                i += 1;
            }
            each(g, &list);
        }
        Ok(())
    };
    let opts = engine::ReportOptions {
        limit: Some(0),
        ..engine::ReportOptions::default()
    };
    // One thread per ward: the roll-up reads two wards at once.
    match engine::build_split(&src, c.period, &opts, &read, usize::MAX) {
        Ok(mut rep) => {
            rep.drop_periods_before(first);
            rep.figures = crate::service::figures::for_report(
                &rep,
                &crate::data::default_figures(),
                &figure_values,
                &r.groups,
                &r.branches,
                None,
                c.en,
            );
            Ok(rep)
        }
        Err(never) => match never {},
    }
}

/// A ward's figures from its report.
pub fn figures_of(r: &Report, source: &str, keep_groups: bool) -> WardFigures {
    let households: u64 = if r.counts.households > 0 {
        r.counts.households
    } else {
        r.branches
            .iter()
            .flat_map(|b| &b.groups)
            .map(|g| g.households as u64)
            .sum()
    };
    let groups: u32 = r.branches.iter().map(|b| b.groups.len() as u32).sum();
    let row = WardRow {
        ward: r.ward.clone(),
        source: source.to_string(),
        area: None,
        branches: r.branches.len() as u32,
        groups,
        households,
        completion: r.completion.clone(),
        previous: r.previous.as_ref().map(|p| p.completion.clone()),
        by_pillar: r.by_pillar.clone(),
        sections: r.sections.iter().map(|s| s.completion.clone()).collect(),
        overdue: r.overdue_count(),
        votes: r.votes_count(),
        votes_failed: r.votes_failed_count(),
        groups_met: r.meeting_groups.iter().filter(|g| g.meetings > 0).count() as u32,
    };
    let branches = r
        .branches
        .iter()
        .map(|b| BranchRow {
            ward: r.ward.clone(),
            branch: b.name.clone(),
            groups: b.groups.len() as u32,
            households: b.groups.iter().map(|g| g.households as u64).sum(),
            completion: b.completion.clone(),
            previous: r.previous.as_ref().and_then(|p| {
                p.branches
                    .iter()
                    .find(|(n, _)| *n == b.name)
                    .map(|(_, c)| c.clone())
            }),
            overdue: b.groups.iter().map(|g| g.overdue).sum(),
        })
        .collect();
    let groups = if keep_groups {
        let before: HashMap<&str, &Pct> = r
            .previous
            .iter()
            .flat_map(|p| &p.groups)
            .map(|g| (g.name.as_str(), &g.completion))
            .collect();
        r.branches
            .iter()
            .flat_map(|b| &b.groups)
            .map(|g| GroupFigures {
                name: g.name.clone(),
                households: g.households as u64,
                completion: g.completion.clone(),
                previous: before.get(g.name.as_str()).map(|p| (*p).clone()),
                overdue: g.overdue,
            })
            .collect()
    } else {
        Vec::new()
    };
    WardFigures {
        row,
        branches,
        groups,
        figures: r.figures.clone(),
    }
}

/// Read one file (`open` gives it, again for a second reading of the checksum) and
/// compute the ward's figures for the period: an export is read as a stream and
/// verified (checksum, consistency), a report is read whole and must be of the period.
pub fn ward_figures(
    source: &str,
    open: &mut dyn FnMut() -> std::io::Result<Box<dyn Read>>,
    head: &Head,
    c: &Counting,
) -> Result<WardFigures, Problem> {
    let io = |e: std::io::Error| StreamError::Io(e).into_problem();
    match head {
        Head::Report { period } => {
            if *period != c.period {
                return Err(Problem::new(
                    "period",
                    format!("this report is for {period}, the roll-up for {}", c.period),
                    format!(
                        "báo cáo này của kỳ {period}, bảng tổng hợp là kỳ {}",
                        c.period
                    ),
                ));
            }
            let mut bytes = Vec::new();
            open()
                .map_err(io)?
                .take(MAX_REPORT + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            if bytes.len() as u64 > MAX_REPORT {
                return Err(Problem::new(
                    "JSON",
                    format!("a report larger than {} MiB", MAX_REPORT >> 20),
                    format!("báo cáo lớn hơn {} MiB", MAX_REPORT >> 20),
                ));
            }
            let r: Report = serde_json::from_slice(&bytes).map_err(|e| {
                Problem::new(
                    "JSON",
                    format!("a report of an unknown shape ({e})"),
                    format!("báo cáo không đúng cấu trúc ({e})"),
                )
            })?;
            drop(bytes);
            Ok(figures_of(&r, source, c.groups))
        }
        Head::Export { .. } => {
            let mut w = WardReader::new(c.period);
            let (info, _) = transfer::read_verified(open, &mut w).map_err(|e| e.into_problem())?;
            if let Some(p) = info.problems.into_iter().next() {
                return Err(p);
            }
            let r = report_of(w, c)?;
            Ok(figures_of(&r, source, c.groups))
        }
    }
}

/// [`read_head`] and [`ward_figures`] of a document in memory (tests, fuzzing).
pub fn figures_of_bytes(
    bytes: &[u8],
    period: Option<Period>,
    today: Date,
) -> Result<WardFigures, Problem> {
    let head = read_head(&mut &bytes[..])?;
    let period = match (&head, period) {
        (_, Some(p)) => p,
        (Head::Report { period }, None) => *period,
        (Head::Export { current }, None) => current.unwrap_or_else(|| Period::quarter_of(today)),
    };
    let c = Counting {
        period,
        today,
        en: false,
        groups: false,
    };
    let mut open = || Ok(Box::new(std::io::Cursor::new(bytes.to_vec())) as Box<dyn Read>);
    ward_figures("-", &mut open, &head, &c)
}

/// Pick the period: the one asked, else the reports' own, else the wards' working
/// period when they agree (`today`'s quarter for a ward without one).
pub fn choose_period(
    heads: &[(String, Head)],
    asked: Option<Period>,
    today: Date,
) -> Result<Period, Problem> {
    if let Some(p) = asked {
        return Ok(p);
    }
    if let Some(p) = heads.iter().find_map(|(_, h)| match h {
        Head::Report { period } => Some(*period),
        Head::Export { .. } => None,
    }) {
        return Ok(p);
    }
    let mut periods = heads.iter().map(|(_, h)| match h {
        Head::Export { current } => current.unwrap_or_else(|| Period::quarter_of(today)),
        Head::Report { period } => *period,
    });
    let first = periods.next().unwrap_or_else(|| Period::quarter_of(today));
    if periods.any(|p| p != first) {
        return Err(Problem::new(
            "--period",
            "the wards work on different periods: name one with --period",
            "các phường đang ở các kỳ khác nhau: hãy ghi --period",
        ));
    }
    Ok(first)
}

/// How a roll-up is made.
pub struct Options<'a> {
    pub period: Option<Period>,
    pub today: Date,
    pub lang: Lang,
    /// Roll up what can be, listing the files that cannot (else: nothing then).
    pub keep_going: bool,
    /// Files read at once.
    pub threads: usize,
    pub areas: Option<&'a Areas>,
    /// The total row's name; `None`: "TỔNG CỘNG" / "TOTAL".
    pub total_label: Option<String>,
    /// Told (files done, files in all) while the files are read, a few times a second.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

/// Why a roll-up produced nothing: the period could not be chosen, or files failed
/// (all of them, or any without `keep_going`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollupError {
    Period(Problem),
    Files(Vec<Failed>),
}

/// Roll up the files (see the module doc).
pub fn rollup_files(files: &[PathBuf], o: &Options) -> Result<Rollup, RollupError> {
    let en = o.lang.is_en();
    let name = |p: &Path| p.display().to_string();
    let open = |p: &Path| {
        let p = p.to_path_buf();
        move || std::fs::File::open(&p).map(|f| Box::new(f) as Box<dyn Read>)
    };
    let mut failed: Vec<(usize, Failed)> = Vec::new();
    let mut heads: Vec<(usize, String, Head)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let head = open(f)()
            .map_err(|e| StreamError::Io(e).into_problem())
            .and_then(|mut r| read_head(&mut r));
        match head {
            Ok(h) => heads.push((i, name(f), h)),
            Err(problem) => failed.push((
                i,
                Failed {
                    source: name(f),
                    problem,
                },
            )),
        }
    }
    let named: Vec<(String, Head)> = heads
        .iter()
        .map(|(_, n, h)| (n.clone(), h.clone()))
        .collect();
    let period = choose_period(&named, o.period, o.today).map_err(RollupError::Period)?;
    let c = Counting {
        period,
        today: o.today,
        en,
        groups: o.areas.is_some_and(|a| a.level == AreaLevel::Groups),
    };
    // The files are shared out as they are taken; results come back by position.
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let total = heads.len();
    let work = || {
        let mut out = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::SeqCst);
            let Some((i, source, head)) = heads.get(k) else {
                break;
            };
            let r = ward_figures(source, &mut open(&files[*i]), head, &c);
            out.push((*i, source.clone(), r));
            done.fetch_add(1, Ordering::SeqCst);
        }
        out
    };
    let threads = o.threads.clamp(1, total.max(1));
    let results: Vec<(usize, String, Result<WardFigures, Problem>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        if let Some(progress) = o.progress {
            let mut last = usize::MAX;
            while workers.iter().any(|w| !w.is_finished()) {
                let d = done.load(Ordering::SeqCst);
                if d != last {
                    progress(d, total);
                    last = d;
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            progress(done.load(Ordering::SeqCst), total);
        }
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut results = results;
    results.sort_by_key(|(i, _, _)| *i);
    let mut wards: Vec<WardFigures> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for (i, source, r) in results {
        match r {
            Ok(f) => {
                if let Some(other) = seen.get(&f.row.ward) {
                    failed.push((
                        i,
                        Failed {
                            source,
                            problem: Problem::new(
                                "ward",
                                format!("ward {:?} is also in {other}", f.row.ward),
                                format!("phường {:?} đã có trong {other}", f.row.ward),
                            ),
                        },
                    ));
                } else {
                    seen.insert(f.row.ward.clone(), source);
                    wards.push(f);
                }
            }
            Err(problem) => failed.push((i, Failed { source, problem })),
        }
    }
    failed.sort_by_key(|(i, _)| *i);
    let failed: Vec<Failed> = failed.into_iter().map(|(_, f)| f).collect();
    if (!failed.is_empty() && !o.keep_going) || wards.is_empty() {
        return Err(RollupError::Files(failed));
    }
    let mut r = merge(wards, period, o);
    r.failed = failed;
    Ok(r)
}

fn sum(pcts: impl Iterator<Item = Completion>) -> Pct {
    pcts.sum::<Completion>().into()
}

/// The province from its wards' figures.
pub fn merge(wards: Vec<WardFigures>, period: Period, o: &Options) -> Rollup {
    let figures = crate::service::figures::across_wards(wards.iter().map(|w| w.figures.as_slice()));
    let en = o.lang.is_en();
    let mut rows: Vec<WardRow> = Vec::with_capacity(wards.len());
    let mut branches = Vec::new();
    let mut areas = Vec::new();
    let mut used: std::collections::HashSet<String> = Default::default();
    let unassigned = if en {
        "(no area)"
    } else {
        "(chưa xếp khu vực)"
    };
    if let Some(a) = o.areas
        && a.level == AreaLevel::Groups
    {
        for w in &wards {
            let mut by: Vec<(String, AreaRow)> = Vec::new();
            for g in &w.groups {
                let area = match a.of(&g.name) {
                    Some(x) => {
                        used.insert(text::fold(&text::clean(&g.name)));
                        x.to_string()
                    }
                    None => unassigned.to_string(),
                };
                let at = match by.iter().position(|(k, _)| *k == area) {
                    Some(i) => i,
                    None => {
                        by.push((
                            area.clone(),
                            AreaRow {
                                area: area.clone(),
                                ward: Some(w.row.ward.clone()),
                                wards: 1,
                                groups: 0,
                                households: 0,
                                completion: Completion::default().into(),
                                previous: Some(Completion::default().into()),
                                overdue: 0,
                            },
                        ));
                        by.len() - 1
                    }
                };
                let row = &mut by[at].1;
                row.groups += 1;
                row.households += g.households;
                row.completion = (row.completion.completion() + g.completion.completion()).into();
                row.previous = match (&row.previous, &g.previous) {
                    (Some(x), Some(y)) => Some((x.completion() + y.completion()).into()),
                    _ => None,
                };
                row.overdue += g.overdue;
            }
            by.sort_by_key(|(k, _)| a.order.iter().position(|x| x == k).unwrap_or(usize::MAX));
            areas.extend(by.into_iter().map(|(_, r)| r));
        }
    }
    for w in wards {
        let mut row = w.row;
        if let Some(a) = o.areas
            && a.level == AreaLevel::Wards
        {
            row.area = Some(match a.of(&row.ward) {
                Some(x) => {
                    used.insert(text::fold(&text::clean(&row.ward)));
                    x.to_string()
                }
                None => unassigned.to_string(),
            });
        }
        rows.push(row);
        branches.extend(w.branches);
    }
    if let Some(a) = o.areas
        && a.level == AreaLevel::Wards
    {
        let mut names: Vec<String> = a.order.clone();
        if rows.iter().any(|w| w.area.as_deref() == Some(unassigned)) {
            names.push(unassigned.to_string());
        }
        for name in names {
            let of: Vec<&WardRow> = rows
                .iter()
                .filter(|w| w.area.as_deref() == Some(name.as_str()))
                .collect();
            if of.is_empty() {
                continue;
            }
            areas.push(AreaRow {
                area: name.clone(),
                ward: None,
                wards: of.len() as u32,
                groups: of.iter().map(|w| w.groups).sum(),
                households: of.iter().map(|w| w.households).sum(),
                completion: sum(of.iter().map(|w| w.completion.completion())),
                previous: of.iter().all(|w| w.previous.is_some()).then(|| {
                    sum(of
                        .iter()
                        .filter_map(|w| w.previous.as_ref().map(|p| p.completion())))
                }),
                overdue: of.iter().map(|w| w.overdue).sum(),
            });
        }
    }
    let unmatched: Vec<String> = o
        .areas
        .map(|a| {
            let mut v: Vec<String> = a
                .map
                .iter()
                .filter(|(k, _)| !used.contains(*k))
                .map(|(_, (n, _))| n.clone())
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    let by_pillar = crate::domain::Pillar::ALL
        .iter()
        .map(|p| PillarRow {
            pillar: *p,
            name: if en { p.name_en() } else { p.name_vi() }.to_string(),
            completion: sum(rows.iter().filter_map(|w| {
                w.by_pillar
                    .iter()
                    .find(|x| x.pillar == *p)
                    .map(|x| x.completion.completion())
            })),
        })
        .collect();
    let section_totals = sections::SectionKey::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| SectionTotal {
            number: k.number().into(),
            key: k.key().into(),
            title: k.title(en).into(),
            completion: sum(rows
                .iter()
                .filter_map(|w| w.sections.get(i).map(|s| s.completion()))),
        })
        .collect();
    let previous = rows.iter().all(|w| w.previous.is_some()).then(|| {
        sum(rows
            .iter()
            .filter_map(|w| w.previous.as_ref().map(|p| p.completion())))
    });
    Rollup {
        format: FORMAT.into(),
        version: VERSION,
        period,
        period_label: if en {
            period.label_en()
        } else {
            period.label_vi()
        },
        today: o.today,
        total_label: o
            .total_label
            .as_deref()
            .map(text::clean)
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| if en { "TOTAL" } else { "TỔNG CỘNG" }.into()),
        total: sum(rows.iter().map(|w| w.completion.completion())),
        previous,
        households: rows.iter().map(|w| w.households).sum(),
        groups: rows.iter().map(|w| w.groups).sum(),
        wards: rows,
        branches,
        by_pillar,
        sections: section_totals,
        area_label: o.areas.and_then(|a| a.label.clone()),
        area_level: o.areas.map(|a| a.level),
        areas,
        unmatched,
        failed: Vec::new(),
        figures,
    }
}

fn pct_s(p: &Pct) -> String {
    p.percent
        .map(|x| format!("{x:.1}%"))
        .unwrap_or_else(|| "–".into())
}

fn change(now: &Pct, before: Option<&Pct>) -> String {
    match (now.percent, before.and_then(|b| b.percent)) {
        (Some(a), Some(b)) => format!("{:+.1}", a - b),
        _ => String::new(),
    }
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The level's name for headings: as the `--by` file names it, else "Khu vực".
fn area_heading(r: &Rollup, en: bool) -> String {
    r.area_label.clone().unwrap_or_else(|| {
        match (r.area_level, en) {
            (Some(AreaLevel::Groups), false) => "Khu phố",
            (Some(AreaLevel::Groups), true) => "Area",
            (_, false) => "Khu vực",
            (_, true) => "Area",
        }
        .to_string()
    })
}

pub fn rollup_md(r: &Rollup, lang: Lang) -> String {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let mut o = format!(
        "# {} — {}\n\n{} ({}): **{}** ({} {}, {} {}, {} {})",
        t(
            "Tổng hợp thực hiện dân chủ ở cơ sở",
            "Grassroots democracy roll-up"
        ),
        r.period_label,
        t("Hoàn thành chung", "Overall completion"),
        md(&r.total_label),
        pct_s(&r.total),
        r.wards.len(),
        t("phường, xã", "wards and communes"),
        r.groups,
        t("tổ dân phố", "groups"),
        r.households,
        t("hộ", "households")
    );
    if let Some(p) = &r.previous {
        o.push_str(&format!(
            "; {} {} ({} {})",
            t("kỳ trước", "previous period"),
            pct_s(p),
            change(&r.total, Some(p)),
            t("điểm %", "points")
        ));
    }
    o.push_str(&format!(
        "\n\n## {}\n\n| {} | {} | {} | {} | {} | {} | {} |\n|---|---:|---:|---:|---:|---:|---:|\n",
        t("Theo phường, xã", "By ward and commune"),
        t("Phường, xã", "Ward/commune"),
        t("Số tổ", "Groups"),
        t("Số hộ", "Households"),
        t("Hoàn thành", "Completion"),
        t("Tăng/giảm", "Change"),
        t("Quá hạn", "Overdue"),
        t("Biểu quyết không đạt", "Failed votes")
    ));
    for w in &r.wards {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {}/{} |\n",
            md(&w.ward),
            w.groups,
            w.households,
            pct_s(&w.completion),
            change(&w.completion, w.previous.as_ref()),
            w.overdue,
            w.votes_failed,
            w.votes
        ));
    }
    o.push_str(&format!(
        "| **{}** | {} | {} | {} | {} | {} | {}/{} |\n",
        md(&r.total_label),
        r.groups,
        r.households,
        pct_s(&r.total),
        change(&r.total, r.previous.as_ref()),
        r.wards.iter().map(|w| w.overdue).sum::<u32>(),
        r.wards.iter().map(|w| w.votes_failed).sum::<u32>(),
        r.wards.iter().map(|w| w.votes).sum::<u32>(),
    ));
    if !r.areas.is_empty() {
        let inside = r.area_level == Some(AreaLevel::Groups);
        let h = area_heading(r, en);
        o.push_str(&format!(
            "\n## {} {}\n\n| {}{} | {} | {} | {} | {} | {} |\n|{}---|---:|---:|---:|---:|---:|\n",
            t("Theo", "By"),
            h.to_lowercase(),
            if inside {
                format!("{} | ", t("Phường, xã", "Ward/commune"))
            } else {
                String::new()
            },
            md(&h),
            if inside {
                t("Số tổ", "Groups")
            } else {
                t("Số phường, xã", "Wards")
            },
            t("Số hộ", "Households"),
            t("Hoàn thành", "Completion"),
            t("Tăng/giảm", "Change"),
            t("Quá hạn", "Overdue"),
            if inside { "---|" } else { "" }
        ));
        for a in &r.areas {
            o.push_str(&format!(
                "| {}{} | {} | {} | {} | {} | {} |\n",
                a.ward
                    .as_deref()
                    .map(|w| format!("{} | ", md(w)))
                    .unwrap_or_default(),
                md(&a.area),
                if inside { a.groups } else { a.wards },
                a.households,
                pct_s(&a.completion),
                change(&a.completion, a.previous.as_ref()),
                a.overdue
            ));
        }
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} |\n|---|---:|\n",
        t("Theo trụ cột", "By pillar"),
        t("Trụ cột", "Pillar"),
        t("Hoàn thành", "Completion")
    ));
    for p in &r.by_pillar {
        o.push_str(&format!("| {} | {} |\n", p.name, pct_s(&p.completion)));
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} |\n|---|---:|\n",
        t("Theo phần báo cáo", "By report section"),
        t("Phần", "Section"),
        t("Hoàn thành", "Completion")
    ));
    for s in &r.sections {
        o.push_str(&format!(
            "| {}. {} | {} |\n",
            s.number,
            s.title,
            pct_s(&s.completion)
        ));
    }
    o.push_str(&format!(
        "\n## {}\n\n| {} | {} | {} | {} | {} | {} |\n|---|---|---:|---:|---:|---:|\n",
        t("Theo chi bộ", "By branch"),
        t("Phường, xã", "Ward/commune"),
        t("Chi bộ", "Branch"),
        t("Số tổ", "Groups"),
        t("Số hộ", "Households"),
        t("Hoàn thành", "Completion"),
        t("Tăng/giảm", "Change")
    ));
    for b in &r.branches {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md(&b.ward),
            md(&b.branch),
            b.groups,
            b.households,
            pct_s(&b.completion),
            change(&b.completion, b.previous.as_ref())
        ));
    }
    if !r.failed.is_empty() {
        o.push_str(&format!(
            "\n## {}\n\n",
            t("Tệp chưa tổng hợp được", "Files not rolled up")
        ));
        for f in &r.failed {
            o.push_str(&format!("- {}\n", md(&f.message(en))));
        }
    }
    o
}

pub fn rollup_text(r: &Rollup, lang: Lang) -> String {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let mut o = format!(
        "{} · {} · {} {}\n{}: {}\n\n",
        t("Tổng hợp", "Roll-up"),
        r.period_label,
        r.wards.len(),
        t("phường, xã", "wards and communes"),
        r.total_label,
        pct_s(&r.total)
    );
    for w in &r.wards {
        o.push_str(&format!(
            "{:<36} {:>4} {} {:>8} {:>7}\n",
            w.ward,
            w.groups,
            t("tổ", "groups"),
            pct_s(&w.completion),
            change(&w.completion, w.previous.as_ref())
        ));
        for b in r.branches.iter().filter(|b| b.ward == w.ward) {
            o.push_str(&format!(
                "  {:<34} {:>4} {} {:>8} {:>7}\n",
                b.branch,
                b.groups,
                t("tổ", "groups"),
                pct_s(&b.completion),
                change(&b.completion, b.previous.as_ref())
            ));
        }
    }
    if !r.areas.is_empty() {
        o.push_str(&format!(
            "\n{} {}\n",
            t("Theo", "By"),
            area_heading(r, en).to_lowercase()
        ));
        for a in &r.areas {
            let name = match &a.ward {
                Some(w) => format!("{w} · {}", a.area),
                None => a.area.clone(),
            };
            o.push_str(&format!(
                "{:<36} {:>8} {:>7}\n",
                name,
                pct_s(&a.completion),
                change(&a.completion, a.previous.as_ref())
            ));
        }
    }
    if !r.failed.is_empty() {
        o.push_str(&format!(
            "\n{}:\n",
            t("Tệp chưa tổng hợp được", "Files not rolled up")
        ));
        for f in &r.failed {
            o.push_str(&format!("  {}\n", f.message(en)));
        }
    }
    o
}

pub fn rollup_xlsx(r: &Rollup, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let en = lang.is_en();
    let t = |vi: &'static str, e: &'static str| if en { e } else { vi };
    let fm = crate::export::sheet::Formats::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sub = format!(
        "{} · {} {}, {} {}, {} {}",
        r.period_label,
        r.wards.len(),
        t("phường, xã", "wards and communes"),
        r.groups,
        t("tổ dân phố", "groups"),
        r.households,
        t("hộ", "households")
    );
    let footer = format!("{} — {}", t("Tổng hợp", "Roll-up"), r.period_label);
    let pct = |p: &Pct| ratio(p.done, p.applicable);
    let points = |now: &Pct, before: Option<&Pct>| {
        Cell::Points(match (now.percent, before.and_then(|b| b.percent)) {
            (Some(a), Some(b)) => Some(((a - b) * 10.0).round() / 10.0),
            _ => None,
        })
    };
    let overdue_total: u64 = r.wards.iter().map(|w| w.overdue as u64).sum();
    let by_area = r.area_level == Some(AreaLevel::Wards);
    let area_h = area_heading(r, en);
    {
        // The province at a glance: every ward, the most overdue first, and the total.
        let ws = new_sheet(&mut wb, t("Tổng quan", "Overview"))?;
        let mut cols = vec![
            col(t("STT", "No."), 5.0),
            col(t("Phường, xã", "Ward/commune"), 28.0),
        ];
        if by_area {
            cols.push(col(area_h.clone(), 18.0));
        }
        cols.extend([
            col(t("Số tổ", "Groups"), 8.0),
            col(t("Số hộ", "Households"), 10.0),
            col(t("Tỷ lệ hoàn thành", "Completion"), 11.0),
            col(t("Kỳ trước", "Previous"), 9.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 9.0),
            col(t("Việc quá hạn", "Overdue"), 9.0),
            col(t("Biểu quyết không đạt", "Failed votes"), 10.0),
        ]);
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t(
                "TỔNG HỢP KẾT QUẢ THỰC HIỆN DÂN CHỦ Ở CƠ SỞ — PHƯỜNG, XÃ QUÁ HẠN NHIỀU NHẤT TRƯỚC",
                "GRASSROOTS DEMOCRACY ROLL-UP — MOST OVERDUE FIRST",
            ),
            &sub,
        )?;
        let mut rows: Vec<Row> = r
            .worst_first()
            .into_iter()
            .enumerate()
            .map(|(i, w)| {
                let mut cells = vec![Cell::Int(i as u64 + 1), cell_text(&w.ward)];
                if by_area {
                    cells.push(cell_text(w.area.clone().unwrap_or_default()));
                }
                cells.extend([
                    Cell::Int(w.groups as u64),
                    Cell::Int(w.households),
                    pct(&w.completion),
                    w.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                    points(&w.completion, w.previous.as_ref()),
                    Cell::Int(w.overdue as u64),
                    Cell::Int(w.votes_failed as u64),
                ]);
                row(cells)
            })
            .collect();
        let mut cells = vec![Cell::Blank, cell_text(&r.total_label)];
        if by_area {
            cells.push(Cell::Blank);
        }
        cells.extend([
            Cell::Int(r.groups as u64),
            Cell::Int(r.households),
            pct(&r.total),
            r.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
            points(&r.total, r.previous.as_ref()),
            Cell::Int(overdue_total),
            Cell::Int(r.wards.iter().map(|w| w.votes_failed as u64).sum()),
        ]);
        rows.push(strong(cells));
        let head = at + 1;
        let next = table(ws, &fm, head, &cols, &rows)?;
        if !r.failed.is_empty() {
            crate::export::sheet::put_text(
                ws,
                next + 1,
                1,
                t(
                    "Chưa tổng hợp được (tệp hỏng, sai kỳ hoặc trùng phường):",
                    "Not rolled up (damaged, another period or a ward twice):",
                ),
                &fm.subtitle,
            )?;
            for (k, f) in (next + 2..).zip(r.failed.iter()) {
                crate::export::sheet::put_text(ws, k, 1, &f.message(en), &fm.subtitle)?;
            }
        }
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), &footer, !en)?;
        ws.set_freeze_panes(head + 1, 2)?;
    }
    if !r.areas.is_empty() {
        let inside = r.area_level == Some(AreaLevel::Groups);
        let ws = new_sheet(
            &mut wb,
            &format!("{} {}", t("Theo", "By"), area_h.to_lowercase()),
        )?;
        let mut cols = vec![col(t("STT", "No."), 5.0)];
        if inside {
            cols.push(col(t("Phường, xã", "Ward/commune"), 26.0));
        }
        cols.push(col(area_h.clone(), 26.0));
        cols.push(if inside {
            col(t("Số tổ", "Groups"), 8.0)
        } else {
            col(t("Số phường, xã", "Wards"), 9.0)
        });
        if !inside {
            cols.push(col(t("Số tổ", "Groups"), 8.0));
        }
        cols.extend([
            col(t("Số hộ", "Households"), 10.0),
            col(t("Đã xong", "Done"), 9.0),
            col(t("Phải làm", "Applicable"), 9.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
            col(t("Kỳ trước", "Previous"), 9.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 9.0),
            col(t("Quá hạn", "Overdue"), 8.0),
        ]);
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            &format!(
                "{} {}",
                t("TỔNG HỢP THEO", "ROLL-UP BY"),
                area_h.to_uppercase()
            ),
            &sub,
        )?;
        let mut rows: Vec<Row> = r
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut cells = vec![Cell::Int(i as u64 + 1)];
                if inside {
                    cells.push(cell_text(a.ward.clone().unwrap_or_default()));
                }
                cells.push(cell_text(&a.area));
                cells.push(Cell::Int(if inside { a.groups } else { a.wards } as u64));
                if !inside {
                    cells.push(Cell::Int(a.groups as u64));
                }
                cells.extend([
                    Cell::Int(a.households),
                    Cell::Int(a.completion.done as u64),
                    Cell::Int(a.completion.applicable as u64),
                    pct(&a.completion),
                    a.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                    points(&a.completion, a.previous.as_ref()),
                    Cell::Int(a.overdue as u64),
                ]);
                row(cells)
            })
            .collect();
        if !inside {
            let mut cells = vec![Cell::Blank, cell_text(&r.total_label)];
            cells.extend([
                Cell::Int(r.wards.len() as u64),
                Cell::Int(r.groups as u64),
                Cell::Int(r.households),
                Cell::Int(r.total.done as u64),
                Cell::Int(r.total.applicable as u64),
                pct(&r.total),
                r.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                points(&r.total, r.previous.as_ref()),
                Cell::Int(overdue_total),
            ]);
            rows.push(strong(cells));
        }
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), &footer, !en)?;
    }
    {
        let ws = new_sheet(&mut wb, t("Theo phường, xã", "By ward"))?;
        let mut cols = vec![
            col(t("STT", "No."), 5.0),
            col(t("Phường, xã", "Ward/commune"), 28.0),
            col(t("Số chi bộ", "Branches"), 8.0),
            col(t("Số tổ", "Groups"), 8.0),
            col(t("Số hộ", "Households"), 10.0),
            col(t("Đã xong", "Done"), 9.0),
            col(t("Phải làm", "Applicable"), 9.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
            col(t("Kỳ trước", "Previous"), 9.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 9.0),
        ];
        for p in &r.by_pillar {
            cols.push(col(
                if en {
                    p.pillar.short_en()
                } else {
                    p.pillar.short_vi()
                },
                10.0,
            ));
        }
        for s in &r.sections {
            cols.push(col(s.number.clone(), 7.0));
        }
        cols.push(col(t("Quá hạn", "Overdue"), 8.0));
        cols.push(col(t("Biểu quyết", "Votes"), 9.0));
        cols.push(col(t("Không đạt", "Failed"), 9.0));
        cols.push(col(t("Tổ đã họp", "Groups met"), 9.0));
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t(
                "TỔNG HỢP KẾT QUẢ THỰC HIỆN DÂN CHỦ Ở CƠ SỞ THEO PHƯỜNG, XÃ",
                "GRASSROOTS DEMOCRACY ROLL-UP BY WARD AND COMMUNE",
            ),
            &sub,
        )?;
        let mut rows: Vec<Row> = r
            .wards
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let mut cells = vec![
                    Cell::Int(i as u64 + 1),
                    cell_text(&w.ward),
                    Cell::Int(w.branches as u64),
                    Cell::Int(w.groups as u64),
                    Cell::Int(w.households),
                    Cell::Int(w.completion.done as u64),
                    Cell::Int(w.completion.applicable as u64),
                    pct(&w.completion),
                    w.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                    points(&w.completion, w.previous.as_ref()),
                ];
                cells.extend(w.by_pillar.iter().map(|p| pct(&p.completion)));
                cells.extend(
                    (0..r.sections.len())
                        .map(|i| w.sections.get(i).map(pct).unwrap_or(Cell::Blank)),
                );
                cells.extend([
                    Cell::Int(w.overdue as u64),
                    Cell::Int(w.votes as u64),
                    Cell::Int(w.votes_failed as u64),
                    Cell::Int(w.groups_met as u64),
                ]);
                row(cells)
            })
            .collect();
        let mut cells = vec![
            Cell::Blank,
            cell_text(&r.total_label),
            Cell::Int(r.wards.iter().map(|w| w.branches as u64).sum()),
            Cell::Int(r.groups as u64),
            Cell::Int(r.households),
            Cell::Int(r.total.done as u64),
            Cell::Int(r.total.applicable as u64),
            pct(&r.total),
            r.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
            points(&r.total, r.previous.as_ref()),
        ];
        cells.extend(r.by_pillar.iter().map(|p| pct(&p.completion)));
        cells.extend(r.sections.iter().map(|s| pct(&s.completion)));
        cells.extend([
            Cell::Int(overdue_total),
            Cell::Int(r.wards.iter().map(|w| w.votes as u64).sum()),
            Cell::Int(r.wards.iter().map(|w| w.votes_failed as u64).sum()),
            Cell::Int(r.wards.iter().map(|w| w.groups_met as u64).sum()),
        ]);
        rows.push(strong(cells));
        let head = at + 1;
        let next = table(ws, &fm, head, &cols, &rows)?;
        // What the section numbers stand for.
        for (at, s) in (next + 1..).zip(r.sections.iter()) {
            crate::export::sheet::put_text(
                ws,
                at,
                1,
                &format!("{}. {}", s.number, s.title),
                &fm.subtitle,
            )?;
        }
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, true, Some(head), &footer, !en)?;
        ws.set_freeze_panes(head + 1, 2)?;
    }
    {
        let ws = new_sheet(&mut wb, t("Theo chi bộ", "By branch"))?;
        let cols = [
            col(t("STT", "No."), 5.0),
            col(t("Phường, xã", "Ward/commune"), 26.0),
            col(t("Chi bộ", "Branch"), 28.0),
            col(t("Số tổ", "Groups"), 8.0),
            col(t("Số hộ", "Households"), 10.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
            col(t("Kỳ trước", "Previous"), 9.0),
            col(t("Tăng/ giảm (điểm)", "Change (points)"), 9.0),
            col(t("Quá hạn", "Overdue"), 8.0),
        ];
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t("TỔNG HỢP THEO CHI BỘ", "ROLL-UP BY BRANCH"),
            &sub,
        )?;
        let rows: Vec<Row> = r
            .branches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                row(vec![
                    Cell::Int(i as u64 + 1),
                    cell_text(&b.ward),
                    cell_text(&b.branch),
                    Cell::Int(b.groups as u64),
                    Cell::Int(b.households),
                    pct(&b.completion),
                    b.previous.as_ref().map(pct).unwrap_or(Cell::Blank),
                    points(&b.completion, b.previous.as_ref()),
                    Cell::Int(b.overdue as u64),
                ])
            })
            .collect();
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, false, Some(head), &footer, !en)?;
    }
    {
        let ws = new_sheet(&mut wb, t("Theo trụ cột", "By pillar"))?;
        let cols = [
            col(t("Nội dung", "Pillar / section"), 52.0),
            col(t("Đã xong", "Done"), 10.0),
            col(t("Phải làm", "Applicable"), 10.0),
            col(t("Tỷ lệ", "Rate"), 9.0),
        ];
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t(
                "TỔNG HỢP THEO TRỤ CỘT VÀ PHẦN BÁO CÁO",
                "BY PILLAR AND REPORT SECTION",
            ),
            &sub,
        )?;
        let mut rows: Vec<Row> = r
            .by_pillar
            .iter()
            .map(|p| {
                row(vec![
                    cell_text(&p.name),
                    Cell::Int(p.completion.done as u64),
                    Cell::Int(p.completion.applicable as u64),
                    pct(&p.completion),
                ])
            })
            .collect();
        rows.extend(r.sections.iter().map(|s| {
            row(vec![
                cell_text(format!("{}. {}", s.number, s.title)),
                Cell::Int(s.completion.done as u64),
                Cell::Int(s.completion.applicable as u64),
                pct(&s.completion),
            ])
        }));
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, false, Some(head), &footer, !en)?;
    }
    if !r.figures.is_empty() {
        // Counted figures summed across the wards: one table on its own sheet.
        let ws = new_sheet(&mut wb, t("Chỉ tiêu", "Figures"))?;
        let cols = [
            col(t("Mã", "Code"), 9.0),
            col(t("Chỉ tiêu", "Figure"), 52.0),
            col(t("Đơn vị", "Unit"), 11.0),
            col(t("Tổng", "Total"), 18.0),
            col(t("Số đơn vị ghi", "Reporting"), 10.0),
        ];
        let at = title(
            ws,
            &fm,
            0,
            cols.len() as u16,
            t("CÁC CHỈ TIÊU ĐẾM ĐƯỢC", "COUNTED FIGURES"),
            &sub,
        )?;
        let rows: Vec<Row> = r
            .figures
            .iter()
            .map(|f| {
                row(vec![
                    cell_text(&f.code),
                    cell_text(&f.title),
                    cell_text(&f.unit),
                    f.total.map(Cell::Int).unwrap_or(Cell::Blank),
                    Cell::Int(f.wards as u64),
                ])
            })
            .collect();
        let head = at + 1;
        table(ws, &fm, head, &cols, &rows)?;
        widths(ws, &cols.iter().map(|c| c.width).collect::<Vec<_>>())?;
        print_setup(ws, false, Some(head), &footer, !en)?;
    }
    wb.save_to_buffer()
}
