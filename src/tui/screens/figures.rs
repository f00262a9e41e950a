//! Two popups of issue 14: the counted figures of the group on screen for the quarter
//! (`F`), and the period's narrative — the report's four written sections — in a
//! multi-line editor (`N`). Their keys and their drawing.

use crate::domain::figure::{self, Figure};
use crate::domain::narrative::{self, Narrative};
use crate::domain::period::Period;
use crate::domain::ward::GroupId;
use crate::present::fit;
use crate::service::FigureSet;
use crate::tui::app::*;
use crate::tui::input::TextInput;
use crate::tui::textarea::TextArea;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The figures of one group (or the ward) for one quarter, one being edited perhaps.
#[derive(Debug, Clone, PartialEq)]
pub struct FiguresEdit {
    pub group: GroupId,
    pub group_name: String,
    pub period: Period,
    /// Every figure the template defines, with the value stored.
    pub rows: Vec<(Figure, Option<u64>)>,
    pub sel: usize,
    /// The value being typed for the selected figure.
    pub input: Option<TextInput>,
}

/// The four sections of a period's narrative, as stored and as being edited.
#[derive(Debug, Clone, PartialEq)]
pub struct NarrativeEdit {
    pub period: Period,
    pub stored: Narrative,
    pub texts: Vec<TextArea>,
    pub section: usize,
    /// Esc once with changes unsaved: the next Esc leaves them.
    pub leaving: bool,
}

impl NarrativeEdit {
    pub fn new(period: Period, stored: Narrative) -> NarrativeEdit {
        let texts = narrative::SECTIONS
            .iter()
            .map(|(k, _, _)| TextArea::new(stored.get(k).unwrap_or(""), narrative::MAX_CHARS))
            .collect();
        NarrativeEdit {
            period,
            stored,
            texts,
            section: 0,
            leaving: false,
        }
    }

    /// The sections whose text differs from what is stored, as (key, cleaned text).
    pub fn changed(&self) -> Vec<(String, String)> {
        narrative::SECTIONS
            .iter()
            .zip(&self.texts)
            .filter_map(|((k, _, _), t)| {
                let now = narrative::clean(&t.text());
                (now != self.stored.get(k).unwrap_or("")).then(|| (k.to_string(), now))
            })
            .collect()
    }
}

impl App {
    /// `F`: the figures of the group on screen for the period on screen (a quarter).
    #[must_use]
    pub fn ask_figures(&mut self) -> Option<Cmd> {
        if let Err((vi, en)) = figure::check_period(self.sel.period) {
            let msg = self.t(&vi, &en).to_string();
            self.fail(msg);
            return None;
        }
        Some(Cmd::OpenFigures {
            group: self.sel.group,
            period: self.sel.period,
        })
    }

    /// The values stored, from the runner: the popup opens (or is refreshed in place).
    pub fn show_figures(&mut self, group: GroupId, period: Period, values: &[(String, u64)]) {
        let rows: Vec<(Figure, Option<u64>)> = crate::data::default_figures()
            .into_iter()
            .map(|f| {
                let v = values.iter().find(|(c, _)| *c == f.code).map(|(_, v)| *v);
                (f, v)
            })
            .collect();
        let sel = match &self.popup {
            Some(Popup::Figures(e)) if e.group == group && e.period == period => e.sel,
            _ => 0,
        };
        self.popup = Some(Popup::Figures(Box::new(FiguresEdit {
            group,
            group_name: self.group_name(group),
            period,
            sel: sel.min(rows.len().saturating_sub(1)),
            rows,
            input: None,
        })));
    }

    pub fn figures_key(&mut self, mut e: Box<FiguresEdit>, k: &KeyEvent) -> Option<Cmd> {
        let close = k.code == KeyCode::Esc || ctrl(k, 'c');
        let save = ctrl(k, 's') || k.code == KeyCode::F(2);
        if let Some(mut input) = e.input.take() {
            // Typing a value: Enter or Ctrl+S saves it, Esc leaves it.
            if close {
                self.popup = Some(Popup::Figures(e));
                return None;
            }
            if k.code == KeyCode::Enter || save {
                let typed = input.cleaned();
                let value = if typed.is_empty() {
                    None
                } else {
                    match figure::parse_value(&typed) {
                        Ok(v) => Some(v),
                        Err((vi, en)) => {
                            let msg = self.t(&vi, &en).to_string();
                            self.fail(msg);
                            e.input = Some(input);
                            self.popup = Some(Popup::Figures(e));
                            return None;
                        }
                    }
                };
                let code = e.rows.get(e.sel)?.0.code.clone();
                let cmd = Cmd::SetFigure(FigureSet {
                    group: e.group,
                    code,
                    period: e.period,
                    value,
                });
                self.popup = Some(Popup::Figures(e));
                return Some(cmd);
            }
            crate::tui::screens::popups::edit_input(&mut input, k);
            e.input = Some(input);
            self.popup = Some(Popup::Figures(e));
            return None;
        }
        if close {
            return None;
        }
        let n = e.rows.len();
        match k.code {
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                e.sel = (e.sel + 1).min(n.saturating_sub(1))
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => e.sel = e.sel.saturating_sub(1),
            KeyCode::Home => e.sel = 0,
            KeyCode::End => e.sel = n.saturating_sub(1),
            KeyCode::PageDown => e.sel = (e.sel + 10).min(n.saturating_sub(1)),
            KeyCode::PageUp => e.sel = e.sel.saturating_sub(10),
            KeyCode::Enter | KeyCode::Char('e') => {
                let v = e.rows.get(e.sel).and_then(|(_, v)| *v);
                e.input = Some(TextInput::new(
                    &v.map(|v| v.to_string()).unwrap_or_default(),
                    24,
                ));
            }
            KeyCode::Char(c)
                if c.is_ascii_digit() && !k.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                // A digit starts a new value at once.
                e.input = Some(TextInput::new(&c.to_string(), 24));
            }
            KeyCode::Delete | KeyCode::Backspace => {
                // Remove the stored value (no data, not 0).
                let (f, v) = e.rows.get(e.sel)?;
                if v.is_some() {
                    let cmd = Cmd::SetFigure(FigureSet {
                        group: e.group,
                        code: f.code.clone(),
                        period: e.period,
                        value: None,
                    });
                    self.popup = Some(Popup::Figures(e));
                    return Some(cmd);
                }
            }
            _ => {}
        }
        self.popup = Some(Popup::Figures(e));
        None
    }

    /// A figure was stored: the popup shows it.
    pub fn figure_stored(&mut self, code: &str, value: Option<u64>, saved: String) {
        if let Some(Popup::Figures(e)) = &mut self.popup
            && let Some(row) = e.rows.iter_mut().find(|(f, _)| f.code == code)
        {
            row.1 = value;
            e.input = None;
        }
        self.info(saved);
    }

    /// `N`: the narrative of the period on screen.
    #[must_use]
    pub fn ask_narrative(&mut self) -> Option<Cmd> {
        Some(Cmd::OpenNarrative(self.sel.period))
    }

    pub fn show_narrative(&mut self, period: Period, n: Narrative) {
        self.popup = Some(Popup::Narrative(Box::new(NarrativeEdit::new(period, n))));
    }

    pub fn narrative_key(&mut self, mut e: Box<NarrativeEdit>, k: &KeyEvent) -> Option<Cmd> {
        let close = k.code == KeyCode::Esc || ctrl(k, 'c');
        if ctrl(k, 's') || k.code == KeyCode::F(2) {
            let changed = e.changed();
            if changed.is_empty() {
                self.info(self.t("Không có gì thay đổi.", "Nothing changed."));
                self.popup = Some(Popup::Narrative(e));
                return None;
            }
            let period = e.period;
            self.popup = Some(Popup::Narrative(e));
            return Some(Cmd::SaveNarrative {
                period,
                sections: changed,
            });
        }
        if close {
            if e.changed().is_empty() || e.leaving {
                return None;
            }
            e.leaving = true;
            self.fail(self.t(
                "Chưa lưu: Ctrl+S để lưu, Esc lần nữa để bỏ các thay đổi.",
                "Not saved: Ctrl+S saves, Esc again drops the changes.",
            ));
            self.popup = Some(Popup::Narrative(e));
            return None;
        }
        e.leaving = false;
        let n = e.texts.len();
        let t = &mut e.texts[e.section];
        match k.code {
            KeyCode::Tab => e.section = (e.section + 1) % n,
            KeyCode::BackTab => e.section = (e.section + n - 1) % n,
            KeyCode::Enter => t.newline(),
            KeyCode::Backspace => t.backspace(),
            KeyCode::Delete => t.delete(),
            KeyCode::Left => t.left(),
            KeyCode::Right => t.right(),
            KeyCode::Up => t.up(),
            KeyCode::Down => t.down(),
            KeyCode::Home => t.home(),
            KeyCode::End => t.end(),
            KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                t.insert(&c.to_string())
            }
            _ => {}
        }
        self.popup = Some(Popup::Narrative(e));
        None
    }

    /// The changed sections were stored.
    pub fn narrative_stored(&mut self, sections: &[(String, String)], saved: String) {
        if let Some(Popup::Narrative(e)) = &mut self.popup {
            for (k, text) in sections {
                if text.is_empty() {
                    e.stored.sections.remove(k);
                } else {
                    e.stored.sections.insert(k.clone(), text.clone());
                }
            }
            e.leaving = false;
        }
        self.info(saved);
    }

    pub fn draw_figures(&self, area: Rect, buf: &mut Buffer, e: &FiguresEdit) {
        let en = self.lang().is_en();
        let r = Self::popup_area(area, 76, 20);
        let inner = self.frame(
            r,
            buf,
            format!(
                " {} — {} — {} ",
                self.t("Chỉ tiêu", "Figures"),
                e.group_name,
                self.period_label(e.period)
            ),
        );
        if inner.height < 3 {
            return;
        }
        let list_h = inner.height.saturating_sub(2) as usize;
        let off = scroll_offset(e.sel, list_h);
        let value_w = 16usize;
        let unit_w = 10usize;
        let title_w = (inner.width as usize).saturating_sub(value_w + unit_w + 3);
        for (i, (f, v)) in e.rows.iter().enumerate().skip(off).take(list_h) {
            let y = inner.y + (i - off) as u16;
            let selected = i == e.sel;
            let style = if selected {
                self.theme.selected
            } else {
                Style::new()
            };
            let mark = if selected { self.g().pointer } else { " " };
            buf.set_string(
                inner.x,
                y,
                fit(&format!("{mark} {}", f.title_in(en)), title_w),
                style,
            );
            let vx = inner.x + title_w as u16 + 1;
            match (&e.input, selected) {
                (Some(input), true) => self.draw_input(
                    buf,
                    Rect::new(vx, y, value_w as u16, 1),
                    input,
                    self.theme.accent,
                    true,
                ),
                _ => {
                    let shown = figure::show(*v, en);
                    buf.set_string(
                        vx,
                        y,
                        format!("{shown:>value_w$}"),
                        if v.is_some() { style } else { self.theme.dim },
                    );
                }
            }
            buf.set_string(
                vx + value_w as u16 + 1,
                y,
                fit(f.unit_in(en), unit_w),
                self.theme.dim,
            );
        }
        let hint = self.t(
            "Enter/số: sửa · Enter: lưu · Del: xoá số liệu · Esc: đóng (– là chưa có số liệu)",
            "Enter/digit: edit · Enter: save · Del: remove · Esc: close (– is no data)",
        );
        Paragraph::new(hint)
            .style(self.theme.dim)
            .wrap(Wrap { trim: true })
            .render(
                Rect::new(inner.x, inner.y + list_h as u16, inner.width, 2),
                buf,
            );
    }

    pub fn draw_narrative(&self, area: Rect, buf: &mut Buffer, e: &NarrativeEdit) {
        // The whole screen but the header and the status and key lines (which say
        // "Đã lưu" and what went wrong).
        let r = Rect::new(
            area.x + 1,
            area.y + 1,
            area.width.saturating_sub(2),
            area.height.saturating_sub(3),
        );
        let inner = self.frame(
            r,
            buf,
            format!(
                " {} — {} ",
                self.t("Phần viết của báo cáo", "The report's narrative"),
                self.period_label(e.period)
            ),
        );
        if inner.height < 5 || inner.width < 10 {
            return;
        }
        // The sections as numbered tabs (a changed one marked '*'), then the title of
        // the one being written: all four fit at any width.
        let changed: Vec<String> = e.changed().into_iter().map(|(k, _)| k).collect();
        let mut x = inner.x;
        for (i, (k, _, _)) in narrative::SECTIONS.iter().enumerate() {
            let label = format!(
                " {}{} ",
                i + 1,
                if changed.iter().any(|c| c == k) {
                    "*"
                } else {
                    " "
                }
            );
            let style = if i == e.section {
                self.theme.selected
            } else {
                self.theme.dim
            };
            buf.set_string(x, inner.y, &label, style);
            x += label.len() as u16;
        }
        let (_, vi, en) = narrative::SECTIONS[e.section];
        let room = (inner.x + inner.width).saturating_sub(x + 1) as usize;
        buf.set_string(
            x + 1,
            inner.y,
            fit(&self.t(vi, en).to_uppercase(), room),
            self.theme.accent,
        );
        let text_area = Rect::new(
            inner.x,
            inner.y + 2,
            inner.width,
            inner.height.saturating_sub(4),
        );
        let t = &e.texts[e.section];
        let (rows, (cy, cx)) = t.wrapped(text_area.width as usize);
        let off = scroll_offset(cy, text_area.height as usize);
        for (i, row) in rows
            .iter()
            .enumerate()
            .skip(off)
            .take(text_area.height as usize)
        {
            buf.set_string(
                text_area.x,
                text_area.y + (i - off) as u16,
                row,
                Style::new(),
            );
        }
        let y = text_area.y + (cy - off) as u16;
        if y < text_area.y + text_area.height && (cx as u16) < text_area.width {
            self.draw_cursor(buf, text_area.x + cx as u16, y);
        }
        let hint = self.t(
            "Tab: phần sau · Enter: xuống dòng · Ctrl+S: lưu các phần đã sửa (*) · Esc: đóng",
            "Tab: next section · Enter: new line · Ctrl+S: save the changed sections (*) · Esc: close",
        );
        Paragraph::new(hint)
            .style(self.theme.dim)
            .wrap(Wrap { trim: true })
            .render(
                Rect::new(inner.x, inner.y + inner.height - 2, inner.width, 2),
                buf,
            );
    }
}
