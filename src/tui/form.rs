//! The entry detail form: steps, dates, vote numbers, minutes, people, note.
//! Each field is validated as it is typed; the verdict of a vote is computed live.

use super::input::TextInput;
use crate::domain::date;
use crate::domain::entry::{Entry, StepStatus};
use crate::domain::step::{Step, StepSet};
use crate::domain::template::{Evidence, Item};
use crate::domain::vote::{self, VoteCount, VoteForm, VoteVerdict};
use crate::domain::ward::{MAX_HOUSEHOLDS, MAX_NAME_CHARS, MAX_NOTE_CHARS};
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Step(Step),
    PostedFrom,
    PostedTo,
    MeetingDate,
    Households,
    Present,
    Agree,
    Form,
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
            Field::Minutes => ("Số biên bản / văn bản", "Minutes reference"),
            Field::Responsible => ("Người phụ trách", "Responsible person"),
            Field::Note => ("Ghi chú", "Note"),
        };
        lang.t(vi, en).to_string()
    }

    pub fn is_text(self) -> bool {
        !matches!(self, Field::Step(_) | Field::Form)
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
    pub fields: Vec<Field>,
    pub sel: usize,
    inputs: Vec<(Field, TextInput)>,
    /// Set when a save met someone else's newer version: the current stored entry.
    pub conflict: Option<Entry>,
}

fn date_text(d: Option<crate::domain::date::Date>) -> String {
    d.map(date::format_vi).unwrap_or_default()
}

impl EntryForm {
    pub fn new(item: &Item, group_name: &str, entry: &Entry, set: StepSet) -> EntryForm {
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
        fields.extend([Field::Minutes, Field::Responsible, Field::Note]);
        let e = &entry.evidence;
        let v = e.vote;
        let num =
            |f: fn(&VoteCount) -> u32| v.as_ref().map(|v| f(v).to_string()).unwrap_or_default();
        let inputs = vec![
            (
                Field::PostedFrom,
                TextInput::new(&date_text(e.posted_from), 10),
            ),
            (Field::PostedTo, TextInput::new(&date_text(e.posted_to), 10)),
            (
                Field::MeetingDate,
                TextInput::new(&date_text(e.meeting_date), 10),
            ),
            (Field::Households, TextInput::new(&num(|v| v.total), 7)),
            (Field::Present, TextInput::new(&num(|v| v.present), 7)),
            (Field::Agree, TextInput::new(&num(|v| v.agree), 7)),
            (Field::Minutes, TextInput::new(&e.minutes, MAX_NAME_CHARS)),
            (
                Field::Responsible,
                TextInput::new(&e.responsible, MAX_NAME_CHARS),
            ),
            (Field::Note, TextInput::new(&e.note, MAX_NOTE_CHARS)),
        ];
        EntryForm {
            item: item.clone(),
            group_name: group_name.to_string(),
            base: entry.clone(),
            steps: entry.steps,
            vote_form: v.map(|v| v.form).unwrap_or_default(),
            fields,
            sel: 0,
            inputs,
            conflict: None,
        }
    }

    pub fn selected(&self) -> Field {
        self.fields.get(self.sel).copied().unwrap_or(Field::Note)
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

    pub fn next(&mut self) {
        self.sel = (self.sel + 1) % self.fields.len().max(1);
    }

    pub fn prev(&mut self) {
        let n = self.fields.len().max(1);
        self.sel = (self.sel + n - 1) % n;
    }

    /// Space / ←→ on a choice field.
    pub fn cycle(&mut self, back: bool) {
        match self.selected() {
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
            _ => {}
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

    /// The vote as typed, if all three numbers are there and valid.
    fn count(&self, lang: Lang) -> Result<Option<VoteCount>, Vec<(Field, String)>> {
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
        match (t, p, a) {
            (None, None, None) => Ok(None),
            (Some(total), Some(present), Some(agree)) => {
                let c = VoteCount {
                    total,
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
            _ => {
                let missing = [
                    (Field::Households, t),
                    (Field::Present, p),
                    (Field::Agree, a),
                ]
                .into_iter()
                .filter(|(_, v)| v.is_none())
                .map(|(f, _)| {
                    (
                        f,
                        lang.t("cần nhập đủ ba số", "all three numbers are needed")
                            .to_string(),
                    )
                })
                .collect();
                Err(missing)
            }
        }
    }

    /// Errors by field, and the entry to save when there are none.
    pub fn validate(&self, lang: Lang) -> (Vec<(Field, String)>, Option<Entry>) {
        let mut errs = Vec::new();
        let mut date_of = |f| match self.parse_date(f, lang) {
            Ok(d) => d,
            Err(e) => {
                errs.push((f, e));
                None
            }
        };
        let (pf, pt, md) = (
            date_of(Field::PostedFrom),
            date_of(Field::PostedTo),
            date_of(Field::MeetingDate),
        );
        if let (Some(a), Some(b)) = (pf, pt)
            && b < a
        {
            errs.push((
                Field::PostedTo,
                lang.t("trước ngày niêm yết", "before the posting date")
                    .into(),
            ));
        }
        let count = match self.count(lang) {
            Ok(c) => c,
            Err(e) => {
                errs.extend(e);
                None
            }
        };
        if !errs.is_empty() {
            return (errs, None);
        }
        let mut e = self.base.clone();
        e.steps = self.steps;
        e.evidence.posted_from = pf;
        e.evidence.posted_to = pt;
        e.evidence.meeting_date = md;
        e.evidence.vote = count;
        e.evidence.minutes = self.text(Field::Minutes);
        e.evidence.responsible = self.text(Field::Responsible);
        e.evidence.note = self.text(Field::Note);
        (errs, Some(e))
    }

    pub fn error_for(&self, f: Field, lang: Lang) -> Option<String> {
        self.validate(lang)
            .0
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
        EntryForm::new(&item, "Tổ 1", &e, StepSet::Four)
    }

    fn type_into(f: &mut EntryForm, field: Field, s: &str) {
        let i = f.input_mut(field).unwrap();
        i.clear();
        i.insert(s);
    }

    #[test]
    fn verdict_is_computed_live_from_the_numbers() {
        let mut f = form("BQ-01");
        type_into(&mut f, Field::Households, "300");
        type_into(&mut f, Field::Present, "250");
        assert_eq!(f.verdict(Lang::Vi), None);
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
    fn a_valid_form_gives_the_entry_to_save() {
        let mut f = form("BQ-01");
        f.cycle(false);
        f.cycle(false);
        type_into(&mut f, Field::MeetingDate, "10/08/2026");
        type_into(&mut f, Field::Note, "Họp tại nhà văn hóa");
        let (errs, e) = f.validate(Lang::Vi);
        assert!(errs.is_empty());
        let e = e.unwrap();
        assert_eq!(e.steps[0], StepStatus::Done);
        assert_eq!(e.evidence.meeting_date, date::parse("2026-08-10").ok());
        assert!(f.is_dirty(Lang::Vi));
    }
}
