//! Text for people: fitting names and titles into columns, bars, percentages, the
//! natural order of names, and the audit trail told in words. The command line, the TUI
//! and the exports all use these, so a name is cut the same way everywhere.

use crate::domain::Completion;
use crate::domain::audit::Change;
use crate::domain::date;
use crate::domain::entry::StepStatus;
use crate::domain::step::Step;
use crate::domain::vote::VoteForm;
use crate::i18n::Lang;
use crate::service::report::Pct;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cut or pad `s` to exactly `w` columns (a cut ends in "…").
pub fn fit(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    let total = width(s);
    for g in s.graphemes(true) {
        let gw = width(g);
        if total > w && used + gw > w.saturating_sub(1) {
            out.push('…');
            used += 1;
            break;
        }
        if used + gw > w {
            break;
        }
        out.push_str(g);
        used += gw;
    }
    while used < w {
        out.push(' ');
        used += 1;
    }
    out
}

/// The longest run of whole graphemes from the end of `s` that fits in `w` columns.
fn tail_cols(s: &str, w: usize) -> &str {
    let mut used = 0;
    let mut start = s.len();
    for (i, g) in s.grapheme_indices(true).rev() {
        let gw = width(g);
        if used + gw > w {
            break;
        }
        used += gw;
        start = i;
    }
    &s[start..]
}

/// The longest run of whole graphemes from the start of `s` that fits in `w` columns.
fn head_cols(s: &str, w: usize) -> &str {
    let mut used = 0;
    let mut end = 0;
    for (i, g) in s.grapheme_indices(true) {
        let gw = width(g);
        if used + gw > w {
            break;
        }
        used += gw;
        end = i + g.len();
    }
    &s[..end]
}

/// Fit a name into `w` columns keeping what tells names apart: its number ("Tổ dân phố
/// 15") and its end ("… đường Đinh Tiên Hoàng)"). First the usual abbreviations ("TDP",
/// "KDC", no "Chi bộ"), then a cut in the middle: "TDP 15 (khu…Đinh Tiên Hoàng)".
pub fn fit_name(s: &str, w: usize) -> String {
    if width(s) <= w {
        return fit(s, w);
    }
    let short = s
        .replacen("Tổ dân phố", "TDP", 1)
        .replacen("Khu dân cư", "KDC", 1);
    if width(&short) <= w {
        return fit(&short, w);
    }
    // In a list of branches "Chi bộ" says nothing: drop it before cutting.
    let short = short
        .strip_prefix("Chi bộ ")
        .map(str::to_string)
        .unwrap_or(short);
    if width(&short) <= w {
        return fit(&short, w);
    }
    if w < 4 {
        return fit(&short, w);
    }
    // The head: through the first number when there is one early on, else the first word.
    let head_end = match short.find(|c: char| c.is_ascii_digit()) {
        Some(i) if width(&short[..i]) <= w / 2 => {
            i + short[i..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(short.len() - i)
        }
        _ => short.find(' ').unwrap_or(short.len()),
    };
    let head = head_cols(&short[..head_end], w - 1);
    let rest = &short[head.len()..];
    let room = w - width(head) - 1;
    // The tail: whole words from the end when they fill most of the room, else columns.
    let mut tail = tail_cols(rest, room);
    if let Some(sp) = tail.find(' ')
        && tail.len() > sp + 1
        && width(&tail[sp..]) + 4 >= room
    {
        tail = &tail[sp + 1..];
    }
    // What the tail leaves over lengthens the head.
    let middle = &rest[..rest.len() - tail.len()];
    let extra = head_cols(middle, room - width(tail));
    let front = format!("{head}{extra}");
    fit(&format!("{}…{}", front.trim_end(), tail.trim_start()), w)
}

/// A bar of `w` cells, eighths for the last one.
pub fn bar(c: Completion, w: usize) -> String {
    // Nothing applies ("–"): no bar, not a full one.
    if c.applicable == 0 {
        return " ".repeat(w);
    }
    let eighths = (c.ratio() * (w * 8) as f64).round() as usize;
    let full = eighths / 8;
    let rem = eighths % 8;
    let mut s = "█".repeat(full);
    if full < w {
        s.push(match rem {
            0 => '░',
            1 => '▏',
            2 => '▎',
            3 => '▍',
            4 => '▌',
            5 => '▋',
            6 => '▊',
            _ => '▉',
        });
        s.push_str(&"░".repeat(w - full - 1));
    }
    s
}

/// "  66.7%", or "    – " when nothing applies.
pub fn pct(p: &Pct) -> String {
    match p.percent {
        Some(x) => format!("{x:5.1}%"),
        None => "    – ".to_string(),
    }
}

pub use crate::domain::text::natural_cmp;

fn step_name(s: Step, lang: Lang) -> &'static str {
    if lang.is_en() {
        s.name_en()
    } else {
        s.name_vi()
    }
}

fn status_name(s: StepStatus, lang: Lang) -> &'static str {
    if lang.is_en() {
        s.name_en()
    } else {
        s.name_vi()
    }
}

/// A field of an entry as people call it ("Dân biết", "Ngày họp / phát phiếu").
pub fn field_name(field: &str, lang: Lang) -> String {
    if let Some(s) = field.strip_prefix("step:").and_then(Step::from_code) {
        return step_name(s, lang).to_string();
    }
    if let Some(k) = field.strip_prefix("narrative:")
        && let Some((_, vi, en)) = crate::domain::narrative::SECTIONS
            .iter()
            .find(|(key, _, _)| *key == k)
    {
        return lang.t(vi, en).to_string();
    }
    let (vi, en) = match field {
        "value" => ("Số liệu", "Value"),
        "posted_from" => ("Niêm yết từ ngày", "Posted from"),
        "posted_to" => ("Niêm yết đến ngày", "Posted until"),
        "meeting_date" => ("Ngày họp / phát phiếu", "Meeting / ballot date"),
        "vote" => ("Biểu quyết", "Vote"),
        "minutes" => ("Số biên bản / văn bản", "Minutes"),
        "responsible" => ("Người phụ trách", "Responsible"),
        "note" => ("Ghi chú", "Note"),
        "occurred" => ("Ngày phát sinh", "Arose on"),
        "title" => ("Tên việc", "What arose"),
        "rounds" => (
            "Các vòng họp / phát phiếu trước",
            "Earlier meetings / ballots",
        ),
        "group_votes" => ("Kết quả từng tổ", "Each group's result"),
        "met" => ("Hạn luật định đã làm", "Law deadlines done"),
        "removal" => ("Cho thôi (không phải bầu)", "Removal (not an election)"),
        other => return other.to_string(),
    };
    lang.t(vi, en).to_string()
}

/// A stored field value as people read it: statuses by name, dates as dd/mm/yyyy,
/// a vote as "65/96 hộ đồng ý (70 dự), họp", empty as "trống".
pub fn field_value(field: &str, value: &str, lang: Lang) -> String {
    // A removal or an election (issue 13): yes or no, never "empty".
    if field == "removal" {
        return if value == "1" {
            lang.t("có", "yes")
        } else {
            lang.t("không", "no")
        }
        .to_string();
    }
    if value.is_empty() {
        return lang.t("trống", "empty").to_string();
    }
    if field.starts_with("step:") {
        return value
            .parse::<StepStatus>()
            .map(|s| status_name(s, lang).to_string())
            .unwrap_or_else(|_| value.to_string());
    }
    match field {
        "posted_from" | "posted_to" | "meeting_date" | "occurred" => date::parse(value)
            .map(date::format_vi)
            .unwrap_or_else(|_| value.to_string()),
        "vote" => {
            let p: Vec<&str> = value.split('/').collect();
            match p.as_slice() {
                [total, present, agree, form] => {
                    let form = VoteForm::from_code(form)
                        .map(|f| vote_form_name(f, lang))
                        .unwrap_or(form);
                    if lang.is_en() {
                        format!("{agree}/{total} agreeing ({present} present), {form}")
                    } else {
                        format!("{agree}/{total} đồng ý ({present} dự), {form}")
                    }
                }
                _ => value.to_string(),
            }
        }
        // Law deadlines recorded done, "send-result=2026-12-02" a line (issue 13).
        "met" => value
            .lines()
            .map(|l| match l.split_once('=') {
                Some((code, d)) => format!(
                    "{code} {}",
                    date::parse(d)
                        .map(date::format_vi)
                        .unwrap_or_else(|_| d.to_string())
                ),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => format!("“{value}”"),
    }
}

/// " — đã làm 05/12/2026", " — QUÁ HẠN" or nothing: a law deadline's state as the
/// entry form and `qcdc items` show it, judged by [`crate::domain::entry::is_late`]
/// (the rule of the agenda and the report's late list).
pub fn deadline_state(
    d: &crate::domain::entry::Deadline,
    complete: bool,
    today: date::Date,
    lang: Lang,
) -> String {
    match d.done {
        Some(on) => format!(" — {} {}", lang.t("đã làm", "done"), date::format_vi(on)),
        None if crate::domain::entry::is_late(d, false, complete, today) => {
            format!(" — {}", lang.t("QUÁ HẠN", "LATE"))
        }
        None => String::new(),
    }
}

/// How a vote was taken, in the user's language.
pub fn vote_form_name(f: VoteForm, lang: Lang) -> &'static str {
    match (f, lang.is_en()) {
        (VoteForm::Meeting, false) => "họp",
        (VoteForm::Ballot, false) => "phát phiếu",
        (VoteForm::Online, false) => "trực tuyến",
        (VoteForm::Meeting, true) => "meeting",
        (VoteForm::Ballot, true) => "ballot",
        (VoteForm::Online, true) => "online",
    }
}

/// One change as a sentence: "Dân biết: chưa làm → đang làm".
pub fn change(c: &Change, lang: Lang) -> String {
    format!(
        "{}: {} → {}",
        field_name(&c.field, lang),
        field_value(&c.field, &c.old, lang),
        field_value(&c.field, &c.new, lang)
    )
}

/// What an audited action was, in words.
pub fn action_name(action: &str, lang: Lang) -> String {
    let (vi, en) = match action {
        "mark" => ("đánh dấu bước", "marked a step"),
        "vote" => ("ghi biểu quyết", "recorded a vote"),
        "edit" => ("sửa minh chứng", "edited the evidence"),
        "undo" => ("hoàn tác", "undid"),
        "redo" => ("làm lại", "redid"),
        "add-branch" => ("thêm chi bộ", "added a branch"),
        "add-group" => ("thêm tổ dân phố", "added a group"),
        "load" => ("nạp dữ liệu", "loaded data"),
        "import" => ("nhập danh sách", "imported a roster"),
        "add-member" | "member" => ("lưu thành viên", "saved a member"),
        "settings" => ("đổi thiết lập văn bản", "changed the document settings"),
        "figure" => ("ghi số liệu chỉ tiêu", "recorded a figure"),
        "narrative" => (
            "viết phần nhận xét của báo cáo",
            "wrote the report's narrative",
        ),
        "login-failed" => ("nhập sai mã PIN", "entered a wrong PIN"),
        "login-locked" => ("bị khóa do nhập sai PIN", "locked out by wrong PINs"),
        "login-unlock" => ("mở khóa thành viên", "unlocked a member"),
        other => return other.to_string(),
    };
    lang.t(vi, en).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14 (6): "–" (nothing applies) drew a full bar, as if all were done.
    #[test]
    fn nothing_applicable_draws_no_bar() {
        let none = Completion {
            done: 0,
            applicable: 0,
        };
        assert_eq!(bar(none, 10), " ".repeat(10));
        let all = Completion {
            done: 4,
            applicable: 4,
        };
        assert_eq!(bar(all, 4), "████");
        let half = Completion {
            done: 1,
            applicable: 2,
        };
        assert_eq!(bar(half, 4), "██░░");
    }

    #[test]
    fn long_names_keep_their_number_and_their_end() {
        let n = "Tổ dân phố 15 (khu dân cư chung cư Nguyễn Trãi, đường Đinh Tiên Hoàng)";
        for w in [14, 18, 22, 28, 36, 44] {
            let f = fit_name(n, w);
            assert_eq!(width(&f), w, "{f:?}");
            assert!(f.starts_with("TDP 15"), "{w}: {f:?}");
            assert!(f.trim_end().ends_with("Hoàng)"), "{w}: {f:?}");
        }
        assert_eq!(fit_name("Tổ dân phố 3", 20), "Tổ dân phố 3        ");
        assert_eq!(fit_name("Tổ dân phố 12", 8), "TDP 12  ");
        // Numberless names keep their first word and their end.
        let f = fit_name("Chi bộ Khu phố Đồng Tâm Xuân Hòa Thịnh", 18);
        assert!(
            f.starts_with("Khu") && f.trim_end().ends_with("Thịnh"),
            "{f:?}"
        );
    }

    #[test]
    fn names_keep_their_distinguishing_end() {
        assert_eq!(fit_name("Tổ dân phố Đồng Tâm", 14), "TDP Đồng Tâm  ");
        assert_eq!(fit_name("Chi bộ Khu dân cư Đồng Tâm", 14), "KDC Đồng Tâm  ");
        let f = fit_name("Chi bộ Khu dân cư Đồng Tâm mở rộng", 16);
        assert_eq!(f.trim_end(), "KDC…Tâm mở rộng");
        assert_eq!(width(&f), 16);
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
    }

    /// The audit trail reads issue 13's fields as people say them.
    #[test]
    fn a_removal_and_an_occurrence_day_read_as_words() {
        assert_eq!(field_value("removal", "1", Lang::Vi), "có");
        assert_eq!(field_value("removal", "", Lang::Vi), "không");
        assert_eq!(field_value("removal", "1", Lang::En), "yes");
        assert_eq!(
            field_value("occurred", "2026-03-02", Lang::Vi),
            "02/03/2026"
        );
    }

    #[test]
    fn names_sort_by_their_numbers() {
        let mut v = vec![
            "Tổ dân phố 10",
            "Tổ dân phố 2",
            "Tổ dân phố 1",
            "Tổ dân phố 1A",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "Tổ dân phố 1",
                "Tổ dân phố 1A",
                "Tổ dân phố 2",
                "Tổ dân phố 10"
            ]
        );
        // Equal without diacritics is still an order, never "equal".
        assert_ne!(natural_cmp("Đông", "Dong"), std::cmp::Ordering::Equal);
    }

    #[test]
    fn changes_read_as_sentences() {
        let c = Change {
            field: "step:biet".into(),
            old: "todo".into(),
            new: "doing".into(),
        };
        assert_eq!(change(&c, Lang::Vi), "Dân biết: chưa làm → đang làm");
        let v = Change {
            field: "vote".into(),
            old: String::new(),
            new: "96/70/65/meeting".into(),
        };
        assert_eq!(
            change(&v, Lang::Vi),
            "Biểu quyết: trống → 65/96 đồng ý (70 dự), họp"
        );
        assert_eq!(
            change(&v, Lang::En),
            "Vote: empty → 65/96 agreeing (70 present), meeting"
        );
        let d = Change {
            field: "posted_to".into(),
            old: "2026-07-01".into(),
            new: "2026-07-31".into(),
        };
        assert_eq!(
            change(&d, Lang::Vi),
            "Niêm yết đến ngày: 01/07/2026 → 31/07/2026"
        );
    }
}
