//! The checklist template: what the law asks of each group and of the ward.

use super::period::{Granularity, Period};
use super::step::{Step, StepSet};
use super::vote::VoteRule;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The four pillars of Luật 10/2022/QH15, Chương II, Mục 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pillar {
    CongKhai,
    BanQuyetDinh,
    ThamGiaYKien,
    KiemTraGiamSat,
}

impl Pillar {
    pub const ALL: [Pillar; 4] = [
        Pillar::CongKhai,
        Pillar::BanQuyetDinh,
        Pillar::ThamGiaYKien,
        Pillar::KiemTraGiamSat,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Pillar::CongKhai => "cong-khai",
            Pillar::BanQuyetDinh => "ban-quyet-dinh",
            Pillar::ThamGiaYKien => "tham-gia-y-kien",
            Pillar::KiemTraGiamSat => "kiem-tra-giam-sat",
        }
    }

    pub fn from_code(s: &str) -> Option<Pillar> {
        Pillar::ALL.into_iter().find(|p| p.code() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Pillar::CongKhai => "Công khai thông tin",
            Pillar::BanQuyetDinh => "Nhân dân bàn và quyết định",
            Pillar::ThamGiaYKien => "Nhân dân tham gia ý kiến",
            Pillar::KiemTraGiamSat => "Nhân dân kiểm tra, giám sát",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Pillar::CongKhai => "Public disclosure",
            Pillar::BanQuyetDinh => "Residents discuss and decide",
            Pillar::ThamGiaYKien => "Residents are consulted",
            Pillar::KiemTraGiamSat => "Inspection and supervision",
        }
    }

    /// A short name for table rows.
    pub fn short_vi(self) -> &'static str {
        match self {
            Pillar::CongKhai => "Công khai",
            Pillar::BanQuyetDinh => "Bàn, quyết định",
            Pillar::ThamGiaYKien => "Tham gia ý kiến",
            Pillar::KiemTraGiamSat => "Kiểm tra, giám sát",
        }
    }

    pub fn short_en(self) -> &'static str {
        match self {
            Pillar::CongKhai => "Disclosure",
            Pillar::BanQuyetDinh => "Decide",
            Pillar::ThamGiaYKien => "Consultation",
            Pillar::KiemTraGiamSat => "Supervision",
        }
    }

    /// Articles of Luật 10/2022/QH15 that make up the pillar.
    pub fn articles(self) -> (u16, u16) {
        match self {
            Pillar::CongKhai => (11, 14),
            Pillar::BanQuyetDinh => (15, 24),
            Pillar::ThamGiaYKien => (25, 29),
            Pillar::KiemTraGiamSat => (30, 45),
        }
    }
}

/// The section of the ward's report an item's work is counted in (I–VIII: the headings a
/// ward reports upward, DOMAIN.md "Reporting rhythm"). Every template item names its
/// section explicitly; nothing is guessed from the title any more (issue 13: GS-02, the
/// annual meeting plan, landed in V because its title names the Ban TTND).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Section {
    #[serde(rename = "I")]
    Disclosure,
    #[serde(rename = "II")]
    Decisions,
    #[serde(rename = "III")]
    Consultation,
    #[serde(rename = "IV")]
    Inspection,
    #[serde(rename = "V")]
    InspectionBoard,
    #[serde(rename = "VI")]
    InvestmentBoard,
    #[serde(rename = "VII")]
    Petitions,
    #[serde(rename = "VIII")]
    Meetings,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Disclosure,
        Section::Decisions,
        Section::Consultation,
        Section::Inspection,
        Section::InspectionBoard,
        Section::InvestmentBoard,
        Section::Petitions,
        Section::Meetings,
    ];

    pub fn number(self) -> &'static str {
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"][self as usize]
    }

    /// "I" … "VIII" (also accepts the stable keys, e.g. "ban-ttnd").
    pub fn from_code(s: &str) -> Option<Section> {
        let s = s.trim();
        Section::ALL
            .into_iter()
            .find(|k| k.number().eq_ignore_ascii_case(s) || k.key() == s)
    }

    pub fn key(self) -> &'static str {
        match self {
            Section::Disclosure => "cong-khai",
            Section::Decisions => "ban-quyet-dinh",
            Section::Consultation => "tham-gia-y-kien",
            Section::Inspection => "kiem-tra-giam-sat",
            Section::InspectionBoard => "ban-ttnd",
            Section::InvestmentBoard => "ban-gsdtcd",
            Section::Petitions => "kien-nghi",
            Section::Meetings => "hop-to-dan-pho",
        }
    }

    pub fn title_vi(self) -> &'static str {
        match self {
            Section::Disclosure => "Kết quả thực hiện công khai thông tin",
            Section::Decisions => "Nhân dân bàn và quyết định",
            Section::Consultation => "Nhân dân tham gia ý kiến",
            Section::Inspection => "Nhân dân kiểm tra, giám sát",
            Section::InspectionBoard => "Hoạt động của Ban Thanh tra nhân dân",
            Section::InvestmentBoard => "Hoạt động của Ban Giám sát đầu tư của cộng đồng",
            Section::Petitions => "Kiến nghị, phản ánh, đơn thư của Nhân dân",
            Section::Meetings => "Kết quả tổ chức họp tổ dân phố",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            Section::Disclosure => "Public disclosure",
            Section::Decisions => "Residents discuss and decide",
            Section::Consultation => "Residents are consulted",
            Section::Inspection => "Inspection and supervision by residents",
            Section::InspectionBoard => "People's Inspection Board (Ban TTND)",
            Section::InvestmentBoard => "Community investment supervision board (Ban GSĐTCĐ)",
            Section::Petitions => "Residents' petitions and feedback",
            Section::Meetings => "Residential group meetings held",
        }
    }

    pub fn title(self, en: bool) -> &'static str {
        if en { self.title_en() } else { self.title_vi() }
    }

    /// The section a pillar's items go to unless they say otherwise (I–IV).
    pub fn of_pillar(p: Pillar) -> Section {
        match p {
            Pillar::CongKhai => Section::Disclosure,
            Pillar::BanQuyetDinh => Section::Decisions,
            Pillar::ThamGiaYKien => Section::Consultation,
            Pillar::KiemTraGiamSat => Section::Inspection,
        }
    }

    /// Whether an item of `pillar` may be reported in this section: I–III only hold
    /// their own pillar; IV–VII are parts of the fourth pillar (Điều 30–45); VIII (the
    /// group meetings) takes any pillar.
    pub fn fits(self, pillar: Pillar) -> bool {
        match self {
            Section::Disclosure | Section::Decisions | Section::Consultation => {
                Section::of_pillar(pillar) == self
            }
            Section::Inspection
            | Section::InspectionBoard
            | Section::InvestmentBoard
            | Section::Petitions => pillar == Pillar::KiemTraGiamSat,
            Section::Meetings => true,
        }
    }

    /// For item records written before the field existed (store schema ≤ 3, export
    /// documents of that time): the built-in item of the same code gives its section;
    /// a ward's own item falls back to the title words the old report used, so an old
    /// ward's report keeps its shape until the item is edited.
    pub fn legacy(code: &str, pillar: Pillar, title: &str) -> Section {
        use std::collections::HashMap;
        use std::sync::OnceLock;
        static BUILT_IN: OnceLock<HashMap<String, Section>> = OnceLock::new();
        let built_in = BUILT_IN.get_or_init(|| {
            crate::data::default_template()
                .items
                .into_iter()
                .map(|i| (i.code, i.section))
                .collect()
        });
        if let Some(s) = built_in.get(code) {
            return *s;
        }
        if pillar != Pillar::KiemTraGiamSat {
            return Section::of_pillar(pillar);
        }
        let t = crate::domain::text::fold(title);
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["ban ttnd", "thanh tra nhan dan"]) {
            Section::InspectionBoard
        } else if has(&["gsdtcd", "giam sat dau tu", "giam sat thi cong"]) {
            Section::InvestmentBoard
        } else if has(&["kien nghi", "phan anh", "khieu nai", "to cao", "don thu"]) {
            Section::Petitions
        } else {
            Section::Inspection
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recurrence {
    Continuous,
    Quarterly,
    HalfYearly,
    Yearly,
    Term,
    Event,
}

impl Recurrence {
    pub const ALL: [Recurrence; 6] = [
        Recurrence::Continuous,
        Recurrence::Quarterly,
        Recurrence::HalfYearly,
        Recurrence::Yearly,
        Recurrence::Term,
        Recurrence::Event,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Recurrence::Continuous => "continuous",
            Recurrence::Quarterly => "quarterly",
            Recurrence::HalfYearly => "half-yearly",
            Recurrence::Yearly => "yearly",
            Recurrence::Term => "term",
            Recurrence::Event => "event",
        }
    }

    pub fn from_code(s: &str) -> Option<Recurrence> {
        Recurrence::ALL.into_iter().find(|r| r.code() == s)
    }

    /// The period an entry of this item is kept for. Continuous, per-term and per-event
    /// duties are tracked once a year: "was it done (kept up, held) this year?".
    pub fn granularity(self) -> Granularity {
        match self {
            Recurrence::Quarterly => Granularity::Quarter,
            Recurrence::HalfYearly => Granularity::Half,
            _ => Granularity::Year,
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Recurrence::Continuous => "thường xuyên",
            Recurrence::Quarterly => "hằng quý",
            Recurrence::HalfYearly => "6 tháng",
            Recurrence::Yearly => "hằng năm",
            Recurrence::Term => "theo nhiệm kỳ",
            Recurrence::Event => "khi phát sinh",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Recurrence::Continuous => "continuous",
            Recurrence::Quarterly => "quarterly",
            Recurrence::HalfYearly => "half-yearly",
            Recurrence::Yearly => "yearly",
            Recurrence::Term => "per term",
            Recurrence::Event => "per event",
        }
    }
}

/// Whether each group carries the item out, or the ward as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    Group,
    Ward,
}

/// The kind of evidence an item needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// Niêm yết: posted at the ward office and the group's nhà văn hóa.
    Posting,
    /// Loa truyền thanh.
    Loudspeaker,
    /// Passed on through the tổ trưởng.
    Relay,
    /// Cuộc họp cộng đồng dân cư.
    Meeting,
    /// Phiếu lấy ý kiến hộ gia đình.
    Ballot,
    /// A document: plan, decision, report, minutes.
    Document,
    /// A periodic report.
    Report,
}

impl Evidence {
    pub const ALL: [Evidence; 7] = [
        Evidence::Posting,
        Evidence::Loudspeaker,
        Evidence::Relay,
        Evidence::Meeting,
        Evidence::Ballot,
        Evidence::Document,
        Evidence::Report,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Evidence::Posting => "posting",
            Evidence::Loudspeaker => "loudspeaker",
            Evidence::Relay => "relay",
            Evidence::Meeting => "meeting",
            Evidence::Ballot => "ballot",
            Evidence::Document => "document",
            Evidence::Report => "report",
        }
    }

    pub fn from_code(s: &str) -> Option<Evidence> {
        Evidence::ALL.into_iter().find(|e| e.code() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Evidence::Posting => "niêm yết",
            Evidence::Loudspeaker => "loa truyền thanh",
            Evidence::Relay => "thông báo qua tổ trưởng",
            Evidence::Meeting => "họp cộng đồng",
            Evidence::Ballot => "phiếu lấy ý kiến",
            Evidence::Document => "văn bản",
            Evidence::Report => "báo cáo",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Evidence::Posting => "posting",
            Evidence::Loudspeaker => "loudspeaker",
            Evidence::Relay => "relay via group leader",
            Evidence::Meeting => "community meeting",
            Evidence::Ballot => "household ballot",
            Evidence::Document => "document",
            Evidence::Report => "report",
        }
    }
}

/// The legal texts the template cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Law {
    /// Luật Thực hiện dân chủ ở cơ sở 10/2022/QH15.
    #[serde(rename = "10/2022/QH15")]
    Luat10_2022,
    /// Nghị định 59/2023/NĐ-CP.
    #[serde(rename = "59/2023/NĐ-CP")]
    Nd59_2023,
    /// Nghị định 61/2023/NĐ-CP (hương ước, quy ước).
    #[serde(rename = "61/2023/NĐ-CP")]
    Nd61_2023,
}

impl Law {
    pub const ALL: [Law; 3] = [Law::Luat10_2022, Law::Nd59_2023, Law::Nd61_2023];

    pub fn code(self) -> &'static str {
        match self {
            Law::Luat10_2022 => "10/2022/QH15",
            Law::Nd59_2023 => "59/2023/NĐ-CP",
            Law::Nd61_2023 => "61/2023/NĐ-CP",
        }
    }

    pub fn from_code(s: &str) -> Option<Law> {
        let k = crate::domain::text::fold(s).replace(' ', "");
        Law::ALL
            .into_iter()
            .find(|l| crate::domain::text::fold(l.code()) == k)
    }

    pub fn short_vi(self) -> &'static str {
        match self {
            Law::Luat10_2022 => "Luật 10/2022/QH15",
            Law::Nd59_2023 => "NĐ 59/2023/NĐ-CP",
            Law::Nd61_2023 => "NĐ 61/2023/NĐ-CP",
        }
    }
}

/// Where an item comes from in the law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub law: Law,
    pub article: u16,
    pub clause: Option<u16>,
    /// The full reference as people write it, e.g. "Điều 11 khoản 2; Điều 13 khoản 2".
    pub text: String,
}

impl fmt::Display for Citation {
    /// Each act after its own articles, as legal texts cite: "Điều 15 khoản 3; Điều 21
    /// khoản 1, 2 Luật 10/2022/QH15; Điều 9, 10 Nghị định 61/2023/NĐ-CP". A part of the
    /// text that names another act ("Nghị định 61/2023/NĐ-CP Điều 9, 10") belongs to it;
    /// the others to the item's own law.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The act by its full name, as the parts that name their own act write it.
        let own = match self.law {
            Law::Luat10_2022 => "Luật 10/2022/QH15",
            Law::Nd59_2023 => "Nghị định 59/2023/NĐ-CP",
            Law::Nd61_2023 => "Nghị định 61/2023/NĐ-CP",
        };
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for part in self
            .text
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let named = ["Nghị định ", "NĐ ", "Luật ", "Bộ luật ", "Thông tư "]
                .iter()
                .any(|a| part.starts_with(a));
            let (act, refs) = match part.find(" Điều ") {
                Some(i) if named => (&part[..i], &part[i + 1..]),
                _ => (own, part),
            };
            match groups.last_mut() {
                Some((a, r)) if *a == act => r.push(refs),
                _ => groups.push((act, vec![refs])),
            }
        }
        for (i, (act, refs)) in groups.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{} {act}", refs.join("; "))?;
        }
        Ok(())
    }
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredItem")]
pub struct Item {
    /// Stable code, e.g. "CK-01". Entries refer to items by it.
    pub code: String,
    pub title: String,
    pub title_en: String,
    pub pillar: Pillar,
    /// The report section (I–VIII) the item is counted in.
    pub section: Section,
    /// The motto steps this item goes through, in motto order.
    pub steps: Vec<Step>,
    pub recurrence: Recurrence,
    pub scope: Scope,
    pub evidence: Vec<Evidence>,
    pub citation: Citation,
    /// For decisions (Điều 15): the validity rule of Điều 21.
    pub vote: Option<VoteRule>,
    /// Minimum duration in days (posting ≥ 30, consultation ≥ 20, loudspeaker ≥ 3).
    pub min_days: Option<u16>,
    /// A retired item keeps its history but no longer appears on new checklists.
    pub retired: bool,
    /// When a ward retires an item: the first period it no longer applies to. Periods
    /// that began before it still count the item (their history stays in the reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_from: Option<Period>,
}

/// An item as stored or sent: records written before `section` existed lack it.
#[derive(Deserialize)]
struct StoredItem {
    code: String,
    title: String,
    title_en: String,
    pillar: Pillar,
    #[serde(default)]
    section: Option<Section>,
    steps: Vec<Step>,
    recurrence: Recurrence,
    scope: Scope,
    evidence: Vec<Evidence>,
    citation: Citation,
    vote: Option<VoteRule>,
    min_days: Option<u16>,
    retired: bool,
    #[serde(default)]
    retired_from: Option<Period>,
}

impl From<StoredItem> for Item {
    fn from(s: StoredItem) -> Item {
        let section = s
            .section
            .unwrap_or_else(|| Section::legacy(&s.code, s.pillar, &s.title));
        Item {
            code: s.code,
            title: s.title,
            title_en: s.title_en,
            pillar: s.pillar,
            section,
            steps: s.steps,
            recurrence: s.recurrence,
            scope: s.scope,
            evidence: s.evidence,
            citation: s.citation,
            vote: s.vote,
            min_days: s.min_days,
            retired: s.retired,
            retired_from: s.retired_from,
        }
    }
}

impl Item {
    /// The steps that count for this item in a ward using `set`.
    pub fn applicable_steps(&self, set: StepSet) -> impl Iterator<Item = Step> + '_ {
        self.steps.iter().copied().filter(move |s| set.contains(*s))
    }

    /// Whether the item applies to entries kept for `slot`: always unless retired; a
    /// retired item with `retired_from` still applies to periods that began before it.
    pub fn in_force(&self, slot: Period) -> bool {
        match (self.retired, self.retired_from) {
            (false, _) => true,
            (true, None) => false,
            (true, Some(from)) => slot.start() < from.start(),
        }
    }

    /// Whether the item is a duty of `slot` only once an occurrence is registered
    /// (issue 13): an item that arises per event (a decision, a relief, a project) is
    /// neither expected nor overdue until it has happened; a per-term item falls due in
    /// the last year of the ward's term (`term`) and otherwise only when an election or
    /// report is registered — and always so when the ward has not set its term, except
    /// that then a group's held tổ trưởng election opens its term and makes the Ban TTND
    /// member's election due that year (Điều 36 khoản 2; [`Item::follows_group_term`],
    /// decided where the group's entries are at hand: the report engine, the reference
    /// report and the checklist).
    pub fn needs_registration(
        &self,
        slot: Period,
        term: Option<crate::domain::ward::Term>,
    ) -> bool {
        match self.recurrence {
            Recurrence::Event => true,
            Recurrence::Term => term.is_none_or(|t| slot.year() != t.due_year()),
            _ => false,
        }
    }

    /// A group's per-term item cited Luật 10/2022/QH15 Điều `article` khoản `clause`:
    /// known by its citation, not its code, so a ward's renamed codes still work.
    fn group_term_item(&self, article: u16, clause: u16) -> bool {
        self.scope == Scope::Group
            && self.recurrence == Recurrence::Term
            && self.citation.law == Law::Luat10_2022
            && self.citation.article == article
            && self.citation.clause == Some(clause)
    }

    /// The election (or removal) of the tổ trưởng (Luật 10/2022/QH15 Điều 15 khoản 4,
    /// BQ-04): held, it opens the group's term when the ward has set none.
    pub fn opens_group_term(&self) -> bool {
        self.group_term_item(15, 4)
    }

    /// The election (or removal) of the group's member of the Ban Thanh tra nhân dân
    /// (Điều 15 khoản 5, BQ-05), whose term follows the tổ trưởng's (Điều 36 khoản 2):
    /// when the ward has set no term it is due, registered or not, in the year of the
    /// group's held tổ trưởng election.
    pub fn follows_group_term(&self) -> bool {
        self.group_term_item(15, 5)
    }

    pub fn title_in(&self, en: bool) -> &str {
        if en && !self.title_en.is_empty() {
            &self.title_en
        } else {
            &self.title
        }
    }
}

/// The whole template: items in display order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub items: Vec<Item>,
}

/// The entry key of the `n`-th occurrence (from 1) of an item in one period: the code
/// for the first, "BQ-01#2" for the second (issue 13: two decisions in one year are two
/// entries, each with its own evidence).
pub fn occurrence_key(code: &str, n: u32) -> String {
    if n <= 1 {
        code.to_string()
    } else {
        format!("{code}#{n}")
    }
}

/// An entry key split into the item code and the occurrence number (1 for a plain
/// code). A key with a malformed suffix is taken whole (and matches no item).
pub fn split_occurrence(key: &str) -> (&str, u32) {
    match key.rsplit_once('#') {
        Some((code, n)) => match n.parse::<u32>() {
            Ok(n) if n >= 2 && !n.to_string().starts_with('0') => (code, n),
            _ => (key, 1),
        },
        None => (key, 1),
    }
}

impl Template {
    /// The item of a code or of an occurrence key ("BQ-01#2" is BQ-01).
    pub fn get(&self, code: &str) -> Option<&Item> {
        let (code, _) = split_occurrence(code.trim());
        self.items
            .iter()
            .find(|i| i.code.eq_ignore_ascii_case(code))
    }

    pub fn active(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.retired)
    }
}

#[cfg(test)]
mod citation_tests {
    use super::*;

    fn cite(law: Law, text: &str) -> String {
        Citation {
            law,
            article: 15,
            clause: None,
            text: text.into(),
        }
        .to_string()
    }

    /// Issue 14 (6): "…; Nghị định 59/2023/NĐ-CP Điều 11 Luật 10/2022/QH15" read as
    /// Điều 11 of the law. Each act now follows its own articles.
    #[test]
    fn each_act_follows_its_own_articles() {
        assert_eq!(
            cite(
                Law::Luat10_2022,
                "Điều 15 khoản 3; Điều 21 khoản 1, 2; Nghị định 61/2023/NĐ-CP Điều 9, 10, 11"
            ),
            "Điều 15 khoản 3; Điều 21 khoản 1, 2 Luật 10/2022/QH15; \
             Điều 9, 10, 11 Nghị định 61/2023/NĐ-CP"
        );
        assert_eq!(
            cite(Law::Luat10_2022, "Điều 11 khoản 1"),
            "Điều 11 khoản 1 Luật 10/2022/QH15"
        );
        assert_eq!(
            cite(
                Law::Nd59_2023,
                "Điều 11; Luật 10/2022/QH15 Điều 39 khoản 3; Điều 12"
            ),
            "Điều 11 Nghị định 59/2023/NĐ-CP; Điều 39 khoản 3 Luật 10/2022/QH15; \
             Điều 12 Nghị định 59/2023/NĐ-CP"
        );
    }
}

#[cfg(test)]
mod term_tests {
    use super::*;

    /// Luật 10/2022/QH15 Điều 36 khoản 2: the Ban TTND member's term follows the tổ
    /// trưởng's. The two items are known by their citations (Điều 15 khoản 4 and 5),
    /// so a ward that renames its codes keeps the rule; a ward-scope per-term item
    /// (GS-04) is neither.
    #[test]
    fn term_items_are_known_by_citation_dieu_15_khoan_4_5_dieu_36_khoan_2() {
        let t = crate::data::default_template();
        let opens: Vec<&str> = t
            .items
            .iter()
            .filter(|i| i.opens_group_term())
            .map(|i| i.code.as_str())
            .collect();
        let follows: Vec<&str> = t
            .items
            .iter()
            .filter(|i| i.follows_group_term())
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!((opens, follows), (vec!["BQ-04"], vec!["BQ-05"]));
        let mut renamed = t.get("BQ-05").unwrap().clone();
        renamed.code = "TDP-BAN-TTND".into();
        assert!(renamed.follows_group_term());
        renamed.citation.clause = Some(3);
        assert!(!renamed.follows_group_term(), "another clause");
        let mut ward = t.get("BQ-04").unwrap().clone();
        ward.scope = Scope::Ward;
        assert!(
            !ward.opens_group_term(),
            "a ward-scope item opens no group's term"
        );
        assert!(!t.get("GS-04").unwrap().follows_group_term());
    }
}
