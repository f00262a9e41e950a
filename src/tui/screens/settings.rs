//! Issue 14: the ward's document settings (`S`) — which administrative format, the
//! issuing body, the number, the place, the signer and the recipients its reports are
//! printed with — and the minutes written from an entry's stored evidence (Ctrl+P in
//! the checklist or the entry form). Their keys and their drawing.

use crate::domain::settings::DocSettings;
use crate::domain::ward::MAX_NAME_CHARS;
use crate::present::fit;
use crate::tui::app::*;
use crate::tui::input::TextInput;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The settings as stored, one being edited perhaps.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsEdit {
    pub stored: DocSettings,
    pub sel: usize,
    /// The value being typed for the selected setting (recipients: one line, ';'
    /// between them, since names hold commas).
    pub input: Option<TextInput>,
    /// Why the last save was refused, shown in the popup.
    pub error: Option<String>,
}

impl SettingsEdit {
    pub fn key(&self) -> &'static str {
        DocSettings::KEYS[self.sel.min(DocSettings::KEYS.len() - 1)]
    }
}

/// The name of a setting on screen.
fn label(key: &str, en: bool) -> &'static str {
    let (vi, e) = match key {
        "style" => ("Kiểu văn bản", "Style"),
        "superior" => ("Cơ quan cấp trên", "Superior body"),
        "issuer" => ("Cơ quan ban hành", "Issuing body"),
        "number" => ("Số văn bản", "Number"),
        "place" => ("Địa danh", "Place"),
        "signer-for" => ("Thay mặt", "Signed for"),
        "signer-title" => ("Chức vụ người ký", "Signer's title"),
        "signer-name" => ("Người ký", "Signer"),
        "recipients" => ("Nơi nhận (cách nhau ;)", "Recipients (; between)"),
        _ => ("", ""),
    };
    if en { e } else { vi }
}

impl App {
    /// Ctrl+P on a checklist row: its minutes, from what is stored.
    #[must_use]
    pub fn ask_minutes_of_row(&mut self) -> Option<Cmd> {
        let Some(row) = self.selected_row() else {
            self.fail(self.t(
                "Chọn một mục trong danh mục để ghi biên bản.",
                "Choose an item in the checklist to write its minutes.",
            ));
            return None;
        };
        let (item, key, group) = (row.item.clone(), row.entry.item.clone(), row.entry.group);
        self.ask_minutes(&item, group, key)
    }

    /// The minutes of an entry, if its item has any (a posting, a meeting or a vote).
    #[must_use]
    pub fn ask_minutes(
        &mut self,
        item: &crate::domain::template::Item,
        group: crate::domain::ward::GroupId,
        key: String,
    ) -> Option<Cmd> {
        if crate::app::minutes::kinds_of(item).is_empty() {
            let msg = format!(
                "{} {}",
                item.code,
                self.t(
                    "không có việc niêm yết, cuộc họp hay biểu quyết nào để lập biên bản.",
                    "has no posting, meeting or vote to write minutes of.",
                )
            );
            self.fail(msg);
            return None;
        }
        Some(Cmd::WriteMinutes {
            group,
            item: key,
            period: self.sel.period,
        })
    }

    /// `S`: the ward's document settings.
    #[must_use]
    pub fn ask_settings(&mut self) -> Option<Cmd> {
        Some(Cmd::OpenSettings)
    }

    /// The settings stored, from the runner: the popup opens (or is refreshed in place).
    pub fn show_settings(&mut self, stored: DocSettings) {
        let sel = match &self.popup {
            Some(Popup::Settings(e)) => e.sel,
            _ => 0,
        };
        self.popup = Some(Popup::Settings(Box::new(SettingsEdit {
            stored,
            sel,
            input: None,
            error: None,
        })));
    }

    pub fn settings_key(&mut self, mut e: Box<SettingsEdit>, k: &KeyEvent) -> Option<Cmd> {
        let close = k.code == KeyCode::Esc || ctrl(k, 'c');
        let save = ctrl(k, 's') || k.code == KeyCode::F(2);
        if let Some(mut input) = e.input.take() {
            if close {
                e.error = None;
                self.popup = Some(Popup::Settings(e));
                return None;
            }
            if k.code == KeyCode::Enter || save {
                let key = e.key();
                let value = input.cleaned();
                // Checked here so a bad value is said at once; the runner sets it again
                // on the settings as stored and the service checks them before storing.
                let mut next = e.stored.clone();
                if let Err((vi, en)) = next.set(key, &value).and_then(|_| next.check()) {
                    let msg = self.t(&vi, &en).to_string();
                    e.error = Some(msg.clone());
                    self.fail(msg);
                    e.input = Some(input);
                    self.popup = Some(Popup::Settings(e));
                    return None;
                }
                e.input = Some(input);
                self.popup = Some(Popup::Settings(e));
                return Some(Cmd::SetSetting {
                    key: key.to_string(),
                    value,
                });
            }
            crate::tui::screens::popups::edit_input(&mut input, k);
            e.input = Some(input);
            self.popup = Some(Popup::Settings(e));
            return None;
        }
        if close {
            return None;
        }
        let n = DocSettings::KEYS.len();
        match k.code {
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => e.sel = (e.sel + 1).min(n - 1),
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => e.sel = e.sel.saturating_sub(1),
            KeyCode::Home => e.sel = 0,
            KeyCode::End => e.sel = n - 1,
            KeyCode::Enter | KeyCode::Char('e') => {
                let key = e.key();
                let max = if key == "recipients" {
                    30 * (MAX_NAME_CHARS + 2)
                } else {
                    MAX_NAME_CHARS
                };
                e.error = None;
                e.input = Some(TextInput::new(&e.stored.get(key).unwrap_or_default(), max));
            }
            _ => {}
        }
        self.popup = Some(Popup::Settings(e));
        None
    }

    /// The service stored the settings: the popup shows them, then "Đã lưu".
    pub fn settings_stored(&mut self, stored: DocSettings, saved: String) {
        if let Some(Popup::Settings(e)) = &mut self.popup {
            e.stored = stored;
            e.input = None;
            e.error = None;
        }
        self.info(saved);
    }

    /// The service refused: the reason in the popup and on the status line; the value
    /// typed stays in its input, nothing stored.
    pub fn settings_refused(&mut self, reason: String) {
        if let Some(Popup::Settings(e)) = &mut self.popup {
            e.error = Some(reason.clone());
        }
        self.fail(reason);
    }

    pub fn draw_settings(&self, area: Rect, buf: &mut Buffer, e: &SettingsEdit) {
        let en = self.lang().is_en();
        let r = Self::popup_area(area, 76, 14);
        let inner = self.frame(
            r,
            buf,
            format!(
                " {} ",
                self.t(
                    "Thiết lập văn bản của phường",
                    "The ward's document settings"
                )
            ),
        );
        if inner.height < 3 {
            return;
        }
        let label_w = 24usize.min(inner.width as usize / 2);
        let value_w = (inner.width as usize).saturating_sub(label_w + 3);
        let list_h = (inner.height as usize).saturating_sub(3);
        let off = scroll_offset(e.sel, list_h);
        for (i, key) in DocSettings::KEYS.iter().enumerate().skip(off).take(list_h) {
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
                fit(&format!("{mark} {}", label(key, en)), label_w),
                style,
            );
            let vx = inner.x + label_w as u16 + 1;
            match (&e.input, selected) {
                (Some(input), true) => self.draw_input(
                    buf,
                    Rect::new(vx, y, value_w as u16 + 2, 1),
                    input,
                    self.theme.accent,
                    true,
                ),
                _ => {
                    let v = e.stored.get(key).unwrap_or_default();
                    if v.is_empty() {
                        buf.set_string(
                            vx,
                            y,
                            fit(
                                self.t("(để trống: điền tay)", "(blank: filled by hand)"),
                                value_w,
                            ),
                            self.theme.dim,
                        );
                    } else {
                        buf.set_string(vx, y, fit(&v, value_w), style);
                    }
                }
            }
        }
        let bottom = Rect::new(inner.x, inner.y + list_h as u16, inner.width, 3);
        match &e.error {
            Some(err) => Paragraph::new(err.as_str())
                .style(self.theme.error)
                .wrap(Wrap { trim: true })
                .render(bottom, buf),
            None => Paragraph::new(self.t(
                "Enter: sửa · Enter: lưu (chỉ quản trị phường) · Esc: đóng · kiểu: party (Đảng) hoặc state (chính quyền)",
                "Enter: edit · Enter: save (ward administrators) · Esc: close · style: party or state",
            ))
            .style(self.theme.dim)
            .wrap(Wrap { trim: true })
            .render(bottom, buf),
        }
    }
}
