//! A thin layer over rust_xlsxwriter for report sheets: one set of formats, tables
//! written from rows of typed cells, and the print set-up a ward's report needs (A4,
//! landscape when wide, one page wide, header rows repeated, page numbers).
//!
//! Every piece of text is written with `write_string`, never as a formula; text that a
//! spreadsheet would take for a formula (`=`, `+`, `-`, `@` first) also gets the quote
//! prefix, so it stays text when someone edits the cell.

use crate::domain::date::Date;
use chrono::Datelike;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};

/// One cell of a table.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A fraction (0.443), shown as a percentage; `None` leaves the cell empty.
    Pct(Option<f64>),
    /// A change in percentage points (+2.5), signed.
    Points(Option<f64>),
    Date(Option<Date>),
    Blank,
}

pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A completion as a fraction, or empty when nothing applies.
pub fn ratio(done: u32, applicable: u32) -> Cell {
    Cell::Pct((applicable > 0).then(|| done as f64 / applicable as f64))
}

/// A column of a table: heading and width in characters.
pub struct Col {
    pub head: String,
    pub width: f64,
}

pub fn col(head: impl Into<String>, width: f64) -> Col {
    Col {
        head: head.into(),
        width,
    }
}

/// A row of a table; `strong` rows (totals, branches) are bold and shaded.
pub struct Row {
    pub cells: Vec<Cell>,
    pub strong: bool,
}

pub fn row(cells: Vec<Cell>) -> Row {
    Row {
        cells,
        strong: false,
    }
}

pub fn strong(cells: Vec<Cell>) -> Row {
    Row {
        cells,
        strong: true,
    }
}

pub struct Formats {
    pub title: Format,
    pub subtitle: Format,
    pub heading: Format,
    pub head: Format,
    /// The signature block: plain, bold and italic, centred, no border.
    pub sign: Format,
    pub sign_bold: Format,
    pub sign_date: Format,
    text: Format,
    int: Format,
    pct: Format,
    points: Format,
    date: Format,
    text_b: Format,
    int_b: Format,
    pct_b: Format,
    points_b: Format,
    date_b: Format,
}

impl Formats {
    pub fn new() -> Formats {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_font_name("Times New Roman")
            .set_font_size(11);
        let shade = Color::RGB(0xEDF2F9);
        let b = |f: &Format| f.clone().set_bold().set_background_color(shade);
        let text = cell.clone().set_text_wrap();
        let int = cell.clone().set_num_format("#,##0");
        let pct = cell.clone().set_num_format("0.0%");
        let points = cell.clone().set_num_format("+0.0;-0.0;0.0");
        let date = cell.clone().set_num_format("dd/mm/yyyy");
        let base = Format::new().set_font_name("Times New Roman");
        Formats {
            title: base.clone().set_bold().set_font_size(14),
            subtitle: base.clone().set_italic().set_font_size(11),
            heading: base.clone().set_bold().set_font_size(12),
            head: cell
                .clone()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xD9E1F2)),
            sign: base
                .clone()
                .set_font_size(12)
                .set_align(FormatAlign::Center),
            sign_bold: base
                .clone()
                .set_font_size(12)
                .set_bold()
                .set_align(FormatAlign::Center),
            sign_date: base
                .clone()
                .set_font_size(12)
                .set_italic()
                .set_align(FormatAlign::Center),
            text_b: b(&text),
            int_b: b(&int),
            pct_b: b(&pct),
            points_b: b(&points),
            date_b: b(&date),
            text,
            int,
            pct,
            points,
            date,
        }
    }
}

impl Default for Formats {
    fn default() -> Self {
        Formats::new()
    }
}

/// Does a spreadsheet read this text as a formula?
fn formula_like(s: &str) -> bool {
    matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// Write text as text, never a formula.
pub fn put_text(
    ws: &mut Worksheet,
    r: RowNum,
    c: u16,
    s: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if formula_like(s) {
        ws.write_string_with_format(r, c, s, &f.clone().set_quote_prefix())?;
    } else {
        ws.write_string_with_format(r, c, s, f)?;
    }
    Ok(())
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

pub fn put(
    ws: &mut Worksheet,
    fm: &Formats,
    r: RowNum,
    c: u16,
    cell: &Cell,
    strong: bool,
) -> Result<(), XlsxError> {
    let pick = |plain: &Format, bold: &Format| if strong { bold.clone() } else { plain.clone() };
    match cell {
        Cell::Text(s) => put_text(ws, r, c, s, &pick(&fm.text, &fm.text_b))?,
        Cell::Int(n) => {
            ws.write_number_with_format(r, c, *n as f64, &pick(&fm.int, &fm.int_b))?;
        }
        Cell::Pct(Some(x)) => {
            ws.write_number_with_format(r, c, *x, &pick(&fm.pct, &fm.pct_b))?;
        }
        Cell::Points(Some(x)) => {
            ws.write_number_with_format(r, c, *x, &pick(&fm.points, &fm.points_b))?;
        }
        Cell::Date(Some(d)) => {
            ws.write_datetime_with_format(r, c, excel_date(*d)?, &pick(&fm.date, &fm.date_b))?;
        }
        Cell::Pct(None) | Cell::Points(None) | Cell::Date(None) | Cell::Blank => {
            ws.write_blank(r, c, &pick(&fm.text, &fm.text_b))?;
        }
    }
    Ok(())
}

/// How many lines `s` takes in a wrapped cell `width` characters wide (greedy word
/// wrap; a Times New Roman character is a little narrower than Excel's width unit).
pub fn lines(s: &str, width: f64, bold: bool) -> usize {
    let per = ((width.max(3.0) - 0.5) * if bold { 1.0 } else { 1.1 }).floor() as usize;
    let per = per.max(1);
    s.split('\n')
        .map(|para| {
            let mut n = 1;
            let mut used = 0;
            for word in para.split(' ') {
                let w = word.chars().count();
                let need = if used == 0 { w } else { used + 1 + w };
                if need <= per {
                    used = need;
                } else if used == 0 {
                    n += (w - 1) / per;
                    used = w % per;
                } else {
                    n += 1 + (w.max(1) - 1) / per;
                    used = w % per;
                }
            }
            n
        })
        .sum()
}

/// Make a row tall enough for its wrapped text: spreadsheets do not grow rows of a
/// file they open, so a long title would be cut off on paper.
fn fit_height(
    ws: &mut Worksheet,
    r: RowNum,
    cols: &[Col],
    texts: &[(usize, &str)],
    bold: bool,
) -> Result<(), XlsxError> {
    let n = texts
        .iter()
        .map(|(i, s)| {
            let w = cols
                .get(*i)
                .map(|c| c.width)
                .filter(|w| *w > 0.0)
                .unwrap_or(8.43);
            lines(s, w, bold)
        })
        .max()
        .unwrap_or(1);
    if n > 1 {
        ws.set_row_height(r, (n as f64 * 14.0 + 2.0).min(409.0))?;
    }
    Ok(())
}

/// Write a table with its heading row at `r`; returns the row after it. Rows are made
/// tall enough for their wrapped text, given the columns' widths.
pub fn table(
    ws: &mut Worksheet,
    fm: &Formats,
    r: RowNum,
    cols: &[Col],
    rows: &[Row],
) -> Result<RowNum, XlsxError> {
    for (i, c) in cols.iter().enumerate() {
        put_text(ws, r, i as u16, &c.head, &fm.head)?;
    }
    let heads: Vec<(usize, &str)> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.head.as_str()))
        .collect();
    fit_height(ws, r, cols, &heads, true)?;
    let mut at = r + 1;
    for row in rows {
        let mut texts = Vec::new();
        for (i, cell) in row.cells.iter().enumerate() {
            put(ws, fm, at, i as u16, cell, row.strong)?;
            if let Cell::Text(s) = cell {
                texts.push((i, s.as_str()));
            }
        }
        fit_height(ws, at, cols, &texts, row.strong)?;
        at += 1;
    }
    Ok(at)
}

/// Column widths, taking the widest seen per column (tables on one sheet share columns).
pub fn widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    Ok(())
}

/// A title (bold, large) and a subtitle line, merged across `ncols` columns.
pub fn title(
    ws: &mut Worksheet,
    fm: &Formats,
    r: RowNum,
    ncols: u16,
    title: &str,
    subtitle: &str,
) -> Result<RowNum, XlsxError> {
    let last = ncols.saturating_sub(1);
    if last > 0 {
        ws.merge_range(r, 0, r, last, "", &fm.title)?;
        ws.merge_range(r + 1, 0, r + 1, last, "", &fm.subtitle)?;
    }
    put_text(ws, r, 0, title, &fm.title)?;
    put_text(ws, r + 1, 0, subtitle, &fm.subtitle)?;
    ws.set_row_height(r, 20)?;
    Ok(r + 2)
}

/// Print set-up: A4, landscape when `wide`, one page wide, the rows up to `head_row`
/// repeated on every page, page numbers in the footer.
pub fn print_setup(
    ws: &mut Worksheet,
    wide: bool,
    head_row: Option<RowNum>,
    footer_left: &str,
    lang_vi: bool,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    if wide {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.4, 0.6, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    if let Some(h) = head_row {
        ws.set_repeat_rows(h, h)?;
        ws.set_freeze_panes(h + 1, 0)?;
    }
    // '&' starts a code in header and footer text: double it in names.
    let left: String = footer_left.replace('&', "&&").chars().take(120).collect();
    let page = if lang_vi {
        "Trang &P/&N"
    } else {
        "Page &P of &N"
    };
    ws.set_footer(format!("&L&8{left}&R&8{page}"));
    Ok(())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
pub fn sheet_name(s: &str) -> String {
    s.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect::<String>()
        .trim_matches('\'')
        .to_string()
}

pub fn new_sheet<'a>(wb: &'a mut Workbook, name: &str) -> Result<&'a mut Worksheet, XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(name))?;
    Ok(ws)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal() {
        assert_eq!(sheet_name("a/b:c"), "a-b-c");
        assert_eq!(sheet_name(&"x".repeat(40)).chars().count(), 31);
        assert!(formula_like("=1+1") && formula_like("-5") && !formula_like("Tổ 1"));
        assert_eq!(lines("Tổ dân phố 1", 20.0, false), 1);
        assert_eq!(
            lines(
                "Công khai kế hoạch phát triển kinh tế - xã hội hằng năm",
                20.0,
                false
            ),
            3
        );
        assert_eq!(lines("a\nb", 20.0, false), 2);
    }
}
