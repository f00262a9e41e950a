//! The entry form's model: the fields an item has (and only those), their values, and
//! their validation. Errors are shown at a field once it has been edited or a save was
//! tried; a step tick never needs vote figures.

use super::drafts::Draft;
use super::input::TextInput;
use crate::domain::date;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::step::{Step, StepSet};
use crate::domain::template::{Evidence, Item};
use crate::domain::vote::{self, VoteCount, VoteForm, VoteVerdict};
use crate::domain::ward::{MAX_HOUSEHOLDS, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Step(Step),
    PostedFrom,
    PostedTo,
    MeetingDate,
    Households,
    Present,
    Agree,
    Form,
    /// "Bầu, cho thôi" (Điều 15 khoản 4, 5): this occurrence removes the person.
    Removal,
    Minutes,
    Responsible,
    Note,
}

impl Field {
    pub fn label(self, lang: Lang) -> String {
        let (vi, en) = match self {
            Field::Step(s) => {
                return if lang.is_en() {
                    s.name_en()
                } else {
                    s.name_vi()
                }
                .to_string();
            }
            Field::PostedFrom => ("Niêm yết từ ngày", "Posted from"),
            Field::PostedTo => ("Niêm yết đến ngày", "Posted until"),
            Field::MeetingDate => ("Ngày họp / phát phiếu", "Meeting / ballot date"),
            Field::Households => ("Tổng số hộ", "All households"),
            Field::Present => ("Số hộ dự (phiếu về)", "Households present"),
            Field::Agree => ("Số hộ đồng ý", "Households agreeing"),
            Field::Form => ("Hình thức", "Form"),
            Field::Removal => ("Cho thôi (không bầu)", "Removal, not election"),
            Field::Minutes => ("Số biên bản / văn bản", "Minutes reference"),
            Field::Responsible => ("Người phụ trách", "Responsible person"),
            Field::Note => ("Ghi chú", "Note"),
        };
        lang.t(vi, en).to_string()
    }

    pub fn is_text(self) -> bool {
        !matches!(self, Field::Step(_) | Field::Form | Field::Removal)
    }

    fn max_chars(self) -> usize {
        match self {
            Field::PostedFrom | Field::PostedTo | Field::MeetingDate => 10,
            Field::Households | Field::Present | Field::Agree => 7,
            Field::Note => MAX_NOTE_CHARS,
            _ => MAX_NAME_CHARS,
        }
    }
}

/// The name of a vote form in the user's language.
pub fn vote_form_label(f: VoteForm, lang: Lang) -> &'static str {
    match (f, lang.is_en()) {
        (VoteForm::Meeting, false) => "họp cộng đồng dân cư",
        (VoteForm::Ballot, false) => "phát phiếu lấy ý kiến hộ",
        (VoteForm::Online, false) => "biểu quyết trực tuyến",
        (VoteForm::Meeting, true) => "community meeting",
        (VoteForm::Ballot, true) => "household ballot",
        (VoteForm::Online, true) => "online vote",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntryForm {
    pub item: Item,
    pub group_name: String,
    /// The stored entry the form started from (its version guards the save).
    pub base: Entry,
    pub steps: [StepStatus; 6],
    pub vote_form: VoteForm,
    /// [`crate::domain::entry::Evidence::removal`], for "bầu, cho thôi" items.
    pub removal: bool,
    /// The fields this item has, in order: its steps, then its evidence.
    pub fields: Vec<Field>,
    pub sel: usize,
    inputs: Vec<(Field, TextInput)>,
    /// The law's denominator (the group's households, or the ward's groups), used when
    /// "Tổng số hộ" is left empty.
    pub default_total: u32,
    /// Fields edited since the form opened: their errors are shown.
    pub touched: Vec<Field>,
    /// A save was tried: every error is shown.
    pub tried: bool,
    /// Set when a save met someone else's newer version: the current stored entry.
    pub conflict: Option<Entry>,
}

fn date_text(d: Option<date::Date>) -> String {
    d.map(date::format_vi).unwrap_or_default()
}

impl EntryForm {
    pub fn new(
        item: &Item,
        group_name: &str,
        entry: &Entry,
        set: StepSet,
        default_total: u32,
    ) -> EntryForm {
        let mut fields: Vec<Field> = item.applicable_steps(set).map(Field::Step).collect();
        let ev = &item.evidence;
        let posting = ev.contains(&Evidence::Posting) || item.min_days.is_some();
        let meeting = ev.contains(&Evidence::Meeting)
            || ev.contains(&Evidence::Ballot)
            || item.vote.is_some();
        if posting {
            fields.extend([Field::PostedFrom, Field::PostedTo]);
        }
        if meeting {
            fields.push(Field::MeetingDate);
        }
        if item.vote.is_some() {
            fields.extend([Field::Households, Field::Present, Field::Agree, Field::Form]);
        }
        // Electing or removing (Điều 15 khoản 4, 5): which one this occurrence is.
        let c = &item.citation;
        if c.law == crate::domain::template::Law::Luat10_2022
            && c.article == 15
            && matches!(c.clause, Some(4 | 5))
        {
            fields.push(Field::Removal);
        }
        fields.extend([Field::Minutes, Field::Responsible, Field::Note]);
        let e = &entry.evidence;
        let v = e.vote;
        let num =
            |f: fn(&VoteCount) -> u32| v.as_ref().map(|v| f(v).to_string()).unwrap_or_default();
        let inputs = fields
            .iter()
            .filter(|f| f.is_text())
            .map(|f| {
                let value = match f {
                    Field::PostedFrom => date_text(e.posted_from),
                    Field::PostedTo => date_text(e.posted_to),
                    Field::MeetingDate => date_text(e.meeting_date),
                    Field::Households => num(|v| v.total),
                    Field::Present => num(|v| v.present),
                    Field::Agree => num(|v| v.agree),
                    Field::Minutes => e.minutes.clone(),
                    Field::Responsible => e.responsible.clone(),
                    Field::Note => e.note.clone(),
                    Field::Step(_) | Field::Form | Field::Removal => String::new(),
                };
                (*f, TextInput::new(&value, f.max_chars()))
            })
            .collect();
        EntryForm {
            item: item.clone(),
            group_name: group_name.to_string(),
            base: entry.clone(),
            steps: entry.steps,
            vote_form: v.map(|v| v.form).unwrap_or_default(),
            removal: e.removal,
            fields,
            sel: 0,
            inputs,
            default_total,
            touched: Vec::new(),
            tried: false,
            conflict: None,
        }
    }

    /// The form as a cadre left it, to keep on disk.
    pub fn to_draft(&self) -> Draft {
        Draft {
            group: self.base.group,
            // The entry's key: an occurrence's ("BQ-01#2"), not only the item's code.
            item: self.base.item.clone(),
            slot: self.base.period,
            group_name: self.group_name.clone(),
            base_version: self.base.version,
            steps: self.steps,
            vote_form: self.vote_form,
            removal: self.removal,
            texts: self
                .inputs
                .iter()
                .map(|(f, i)| (*f, i.value().to_string()))
                .collect(),
            sel: self.sel,
        }
    }

    /// Put a kept draft's values back into a form opened on the current entry. A draft
    /// made on an older version says so (the save then asks to confirm the overwrite).
    pub fn apply_draft(&mut self, d: &Draft) {
        self.steps = d.steps;
        self.vote_form = d.vote_form;
        self.removal = d.removal;
        for (f, v) in &d.texts {
            if let Some(i) = self.input_mut(*f) {
                i.clear();
                i.insert(v);
                self.touched.push(*f);
            }
        }
        self.sel = d.sel.min(self.fields.len().saturating_sub(1));
        if d.base_version != self.base.version {
            self.conflict = Some(self.base.clone());
        }
    }

    pub fn selected(&self) -> Field {
        self.fields.get(self.sel).copied().unwrap_or(Field::Note)
    }

    pub fn has(&self, f: Field) -> bool {
        self.fields.contains(&f)
    }

    pub fn input(&self, f: Field) -> Option<&TextInput> {
        self.inputs.iter().find(|(k, _)| *k == f).map(|(_, i)| i)
    }

    pub fn input_mut(&mut self, f: Field) -> Option<&mut TextInput> {
        self.inputs
            .iter_mut()
            .find(|(k, _)| *k == f)
            .map(|(_, i)| i)
    }

    /// The input of the selected field, marked as edited.
    pub fn edit_selected(&mut self) -> Option<&mut TextInput> {
        let f = self.selected();
        if !self.touched.contains(&f) {
            self.touched.push(f);
        }
        self.input_mut(f)
    }

    pub fn next(&mut self) {
        self.sel = (self.sel + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.sel = (self.sel + n - 1) % n;
    }

    /// Space / ←→ on a choice field.
    pub fn cycle(&mut self, back: bool) {
        let f = self.selected();
        if !self.touched.contains(&f) {
            self.touched.push(f);
        }
        match f {
            Field::Step(s) => {
                let order = StepStatus::ALL;
                let i = order
                    .iter()
                    .position(|x| *x == self.steps[s.index()])
                    .unwrap_or(0);
                let n = order.len();
                self.steps[s.index()] = order[if back { (i + n - 1) % n } else { (i + 1) % n }];
            }
            Field::Form => {
                let order = [VoteForm::Meeting, VoteForm::Ballot, VoteForm::Online];
                let i = order.iter().position(|x| *x == self.vote_form).unwrap_or(0);
                self.vote_form = order[if back { (i + 2) % 3 } else { (i + 1) % 3 }];
            }
            Field::Removal => self.removal = !self.removal,
            _ => {}
        }
    }

    /// `x` on a step: not applicable.
    pub fn set_not_applicable(&mut self) {
        if let Field::Step(s) = self.selected() {
            self.steps[s.index()] = StepStatus::NotApplicable;
            self.touched.push(Field::Step(s));
        }
    }

    fn text(&self, f: Field) -> String {
        self.input(f).map(|i| i.cleaned()).unwrap_or_default()
    }

    fn parse_date(&self, f: Field, lang: Lang) -> Result<Option<date::Date>, String> {
        let t = self.text(f);
        if t.is_empty() {
            return Ok(None);
        }
        date::parse(&t).map(Some).map_err(|_| {
            lang.t(
                "ngày không hợp lệ (dd/mm/yyyy)",
                "invalid date (dd/mm/yyyy)",
            )
            .to_string()
        })
    }

    fn parse_num(&self, f: Field, lang: Lang) -> Result<Option<u32>, String> {
        let t = self.text(f);
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<u32>()
            .ok()
            .filter(|n| *n <= MAX_HOUSEHOLDS)
            .map(Some)
            .ok_or_else(|| {
                format!(
                    "{} 0–{MAX_HOUSEHOLDS}",
                    lang.t("cần một số từ", "needs a whole number")
                )
            })
    }

    /// The vote as typed. No present and no agreeing count: no vote (a step tick never
    /// needs one). An empty total is the law's denominator ([`Self::default_total`]).
    fn count(&self, lang: Lang) -> Result<Option<VoteCount>, Vec<(Field, String)>> {
        if self.item.vote.is_none() {
            return Ok(self.base.evidence.vote);
        }
        let mut errs = Vec::new();
        let mut get = |f| match self.parse_num(f, lang) {
            Ok(v) => v,
            Err(e) => {
                errs.push((f, e));
                None
            }
        };
        let (t, p, a) = (
            get(Field::Households),
            get(Field::Present),
            get(Field::Agree),
        );
        if !errs.is_empty() {
            return Err(errs);
        }
        let (present, agree) = match (p, a) {
            (None, None) => return Ok(None),
            (Some(p), Some(a)) => (p, a),
            (None, Some(_)) => {
                return Err(vec![(
                    Field::Present,
                    lang.t("cần số hộ dự", "households present are needed")
                        .into(),
                )]);
            }
            (Some(_), None) => {
                return Err(vec![(
                    Field::Agree,
                    lang.t("cần số hộ đồng ý", "households agreeing are needed")
                        .into(),
                )]);
            }
        };
        let c = VoteCount {
            total: t.unwrap_or(self.default_total),
            present,
            agree,
            form: self.vote_form,
        };
        match c.validate() {
            Ok(()) => Ok(Some(c)),
            Err(vote::BadCount::NoHouseholds) => Err(vec![(
                Field::Households,
                lang.t("phải ít nhất 1", "must be at least 1").into(),
            )]),
            Err(vote::BadCount::PresentOverTotal { .. }) => Err(vec![(
                Field::Present,
                lang.t("lớn hơn tổng số hộ", "more than all households")
                    .into(),
            )]),
            Err(vote::BadCount::AgreeOverPresent { .. }) => Err(vec![(
                Field::Agree,
                lang.t("lớn hơn số hộ dự", "more than present").into(),
            )]),
        }
    }

    /// Errors by field (of the fields this item has), and the entry to save when there
    /// are none. Values of fields the form does not show are kept as stored.
    pub fn validate(&self, lang: Lang) -> (Vec<(Field, String)>, Option<Entry>) {
        let mut errs = Vec::new();
        let mut e = self.base.clone();
        e.steps = self.steps;
        if self.has(Field::Removal) {
            e.evidence.removal = self.removal;
        }
        let date_of = |f: Field, errs: &mut Vec<(Field, String)>| {
            if !self.has(f) {
                return None;
            }
            match self.parse_date(f, lang) {
                Ok(d) => Some(d),
                Err(m) => {
                    errs.push((f, m));
                    None
                }
            }
        };
        if let Some(d) = date_of(Field::PostedFrom, &mut errs) {
            e.evidence.posted_from = d;
        }
        if let Some(d) = date_of(Field::PostedTo, &mut errs) {
            e.evidence.posted_to = d;
        }
        if let Some(d) = date_of(Field::MeetingDate, &mut errs) {
            e.evidence.meeting_date = d;
        }
        if self.has(Field::PostedTo)
            && let (Some(a), Some(b)) = (e.evidence.posted_from, e.evidence.posted_to)
            && b < a
            && !errs.iter().any(|(f, _)| *f == Field::PostedTo)
        {
            errs.push((
                Field::PostedTo,
                lang.t("trước ngày niêm yết", "before the posting date")
                    .into(),
            ));
        }
        match self.count(lang) {
            Ok(c) => e.evidence.vote = c,
            Err(v) => errs.extend(v),
        }
        e.evidence.minutes = self.text(Field::Minutes);
        e.evidence.responsible = self.text(Field::Responsible);
        e.evidence.note = self.text(Field::Note);
        if errs.is_empty() {
            (errs, Some(e))
        } else {
            (errs, None)
        }
    }

    /// The errors to show now: of edited fields, or all after a save was tried.
    pub fn shown_errors(&self, lang: Lang) -> Vec<(Field, String)> {
        let (errs, _) = self.validate(lang);
        errs.into_iter()
            .filter(|(f, _)| self.tried || self.touched.contains(f))
            .collect()
    }

    pub fn error_for(&self, f: Field, lang: Lang) -> Option<String> {
        self.shown_errors(lang)
            .into_iter()
            .find(|(k, _)| *k == f)
            .map(|(_, e)| e)
    }

    /// The live verdict while numbers are typed.
    pub fn verdict(&self, lang: Lang) -> Option<VoteVerdict> {
        let rule = self.item.vote?;
        let c = self.count(lang).ok()??;
        vote::verdict(rule, &c).ok()
    }

    /// Whether the form holds anything the stored entry does not.
    pub fn is_dirty(&self, lang: Lang) -> bool {
        match self.validate(lang).1 {
            Some(e) => e != self.base,
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data;
    use crate::domain::period::Period;

    fn form(code: &str) -> EntryForm {
        let t = data::default_template();
        let item = t.get(code).unwrap().clone();
        let e = Entry::new(1, &item.code, Period::Year(2026));
        EntryForm::new(&item, "Tổ 1", &e, StepSet::Four, 300)
    }

    fn type_into(f: &mut EntryForm, field: Field, s: &str) {
        let i = f.input_mut(field).unwrap();
        i.clear();
        i.insert(s);
        f.touched.push(field);
    }

    #[test]
    fn an_item_without_a_vote_has_no_vote_fields_and_saves_posting_dates() {
        let mut f = form("CK-01");
        assert!(!f.has(Field::Households) && !f.has(Field::Present));
        assert!(f.input(Field::Agree).is_none());
        assert!(!f.is_dirty(Lang::Vi), "opening a form changes nothing");
        type_into(&mut f, Field::PostedTo, "31/07/2026");
        let (errs, e) = f.validate(Lang::Vi);
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            e.unwrap().evidence.posted_to,
            date::parse("2026-07-31").ok()
        );
    }

    #[test]
    fn a_step_tick_on_a_decision_needs_no_vote_figures() {
        let mut f = form("BQ-01");
        assert!(f.shown_errors(Lang::Vi).is_empty(), "no errors on opening");
        f.cycle(false);
        f.tried = true;
        let (errs, e) = f.validate(Lang::Vi);
        assert!(errs.is_empty(), "{errs:?}");
        let e = e.unwrap();
        assert_eq!(e.steps[0], StepStatus::Doing);
        assert_eq!(e.evidence.vote, None);
    }

    #[test]
    fn verdict_is_computed_live_from_the_numbers_with_the_roster_total() {
        let mut f = form("BQ-01");
        type_into(&mut f, Field::Present, "250");
        assert_eq!(f.verdict(Lang::Vi), None);
        // Not shown yet (the field was not touched), but a save would say it.
        assert_eq!(f.error_for(Field::Agree, Lang::Vi), None);
        let (errs, _) = f.validate(Lang::Vi);
        assert_eq!(errs, vec![(Field::Agree, "cần số hộ đồng ý".to_string())]);
        type_into(&mut f, Field::Agree, "205");
        let v = f.verdict(Lang::Vi).unwrap();
        assert!(v.passes);
        assert_eq!(
            v.summary_vi(),
            "Đạt: 205/300 hộ đồng ý, cần ≥ 2/3 tổng số hộ (tối thiểu 200)"
        );
    }

    #[test]
    fn invalid_input_is_reported_beside_the_field_and_not_saved() {
        let mut f = form("BQ-01");
        type_into(&mut f, Field::MeetingDate, "31/02/2026");
        type_into(&mut f, Field::Households, "300");
        type_into(&mut f, Field::Present, "301");
        type_into(&mut f, Field::Agree, "abc");
        let (errs, entry) = f.validate(Lang::Vi);
        assert!(entry.is_none());
        assert!(errs.iter().any(|(k, _)| *k == Field::MeetingDate));
        assert!(errs.iter().any(|(k, _)| *k == Field::Agree));
        type_into(&mut f, Field::Agree, "200");
        let (errs, _) = f.validate(Lang::Vi);
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(errs.iter().any(|(k, _)| *k == Field::Present));
        type_into(&mut f, Field::Present, "250");
        type_into(&mut f, Field::Agree, "260");
        assert_eq!(
            f.error_for(Field::Agree, Lang::En).as_deref(),
            Some("more than present")
        );
    }

    #[test]
    fn untouched_errors_wait_for_a_save_attempt() {
        let t = data::default_template();
        let item = t.get("CK-01").unwrap().clone();
        let mut e = Entry::new(1, "CK-01", Period::Year(2026));
        e.evidence.posted_from = date::parse("2026-07-10").ok();
        e.evidence.posted_to = date::parse("2026-07-01").ok();
        let mut f = EntryForm::new(&item, "Tổ 1", &e, StepSet::Four, 0);
        assert!(f.shown_errors(Lang::Vi).is_empty());
        f.tried = true;
        assert_eq!(f.shown_errors(Lang::Vi).len(), 1);
    }

    #[test]
    fn a_draft_round_trips_through_its_disk_form() {
        let mut f = form("BQ-01");
        f.cycle(false);
        type_into(&mut f, Field::Note, "Họp tại nhà văn hóa");
        let d = f.to_draft();
        let mut g = form("BQ-01");
        g.apply_draft(&d);
        assert_eq!(g.validate(Lang::Vi).1, f.validate(Lang::Vi).1);
        assert!(g.conflict.is_none());
    }
}
