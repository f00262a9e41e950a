//! Rosters: branches and groups from a ward's spreadsheet, as Excel or LibreOffice save
//! it: CSV (UTF-8 with or without a byte-order mark, UTF-16 "Unicode text", comma,
//! semicolon or tab, CRLF) or a workbook (xlsx, xls, ods — read with calamine).
//!
//! Columns are found by their Vietnamese headings in any order, with or without
//! diacritics: chi bộ, tổ dân phố (or khu phố), số hộ, and optionally tổ trưởng and
//! trưởng ban công tác Mặt trận. The heading row need not be the first: title rows above
//! it are skipped. Blank rows and a closing "Tổng cộng" row are skipped; an empty chi bộ
//! cell continues the chi bộ above (a merged cell). Names are stored in NFC. Every
//! problem names the file, the row and the column; one bad row rejects the whole file.

use crate::data::{BranchData, GroupData, WardData};
use crate::domain::step::StepSet;
use crate::domain::text;
use crate::domain::ward::{MAX_HOUSEHOLDS, MAX_NAME_CHARS};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(
        "{file}: the file is not UTF-8 text (in Excel save it as \"CSV UTF-8\", or import the .xlsx itself)"
    )]
    NotUtf8 { file: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: cannot read the workbook ({detail})")]
    Workbook { file: String, detail: String },
    #[error("{file}: row {row}: missing column {column:?} (found: {found})")]
    MissingColumn {
        file: String,
        row: usize,
        column: &'static str,
        found: String,
    },
    #[error("{file}: row {row}, column {column:?}: {problem}")]
    Cell {
        file: String,
        row: usize,
        column: String,
        problem: String,
        problem_vi: String,
    },
    #[error("{file}: row {row}: {problem}")]
    Row {
        file: String,
        row: usize,
        problem: String,
        problem_vi: String,
    },
}

impl ImportError {
    pub fn message_vi(&self) -> String {
        match self {
            ImportError::NotUtf8 { file } => format!(
                "{file}: tệp không phải văn bản UTF-8 (trong Excel hãy lưu dạng \"CSV UTF-8\", hoặc nhập thẳng tệp .xlsx)"
            ),
            ImportError::Empty { file } => format!("{file}: tệp trống"),
            ImportError::Workbook { file, detail } => {
                format!("{file}: không đọc được bảng tính ({detail})")
            }
            ImportError::MissingColumn {
                file,
                row,
                column,
                found,
            } => format!("{file}: dòng {row}: thiếu cột {column:?} (đang có: {found})"),
            ImportError::Cell {
                file,
                row,
                column,
                problem_vi,
                ..
            } => format!("{file}: dòng {row}, cột {column:?}: {problem_vi}"),
            ImportError::Row {
                file,
                row,
                problem_vi,
                ..
            } => format!("{file}: dòng {row}: {problem_vi}"),
        }
    }
}

/// A roster as read from a file: one row per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub rows: Vec<RosterRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterRow {
    /// The row in the file (1-based, as a spreadsheet shows it).
    pub row: usize,
    pub branch: String,
    pub group: String,
    pub households: u32,
    /// `None`: the file has no such column, or the cell is empty (keep what is stored).
    pub leader: Option<String>,
    pub front_head: Option<String>,
}

impl Roster {
    /// As ward data for [`crate::service::Service::load`] (new groups only).
    pub fn to_ward_data(&self) -> WardData {
        let mut branches: Vec<BranchData> = Vec::new();
        for r in &self.rows {
            let g = GroupData {
                name: r.group.clone(),
                households: r.households,
                leader: r.leader.clone().unwrap_or_default(),
                front_head: r.front_head.clone().unwrap_or_default(),
            };
            match branches
                .iter_mut()
                .find(|b| text::fold(&b.name) == text::fold(&r.branch))
            {
                Some(b) => b.groups.push(g),
                None => branches.push(BranchData {
                    name: r.branch.clone(),
                    groups: vec![g],
                }),
            }
        }
        WardData {
            name: String::new(),
            steps: StepSet::Four,
            current_period: None,
            branches,
            entries: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Branch,
    Group,
    Households,
    Leader,
    FrontHead,
}

fn classify(header: &str) -> Option<Col> {
    let h = text::fold(header);
    let h: String = h.split_whitespace().collect::<Vec<_>>().join(" ");
    let h = h.trim_matches(|c: char| !c.is_alphanumeric());
    if h.contains("bi thu") || h.contains("nhan khau") || h.contains("to pho") {
        // The branch secretary's name, residents, deputy leader: not ours.
        None
    } else if h.contains("mat tran") || h.contains("bctmt") {
        Some(Col::FrontHead)
    } else if h.contains("chi bo") {
        Some(Col::Branch)
    } else if h.contains("so ho") || h == "ho" || h == "ho gia dinh" {
        Some(Col::Households)
    } else if h.contains("to truong") {
        Some(Col::Leader)
    } else if h.contains("to dan pho")
        || h == "tdp"
        || h.contains("khu pho")
        || h.contains("khu dan cu")
        || h == "to"
    {
        Some(Col::Group)
    } else {
        None
    }
}

const REQUIRED: [(Col, &str); 3] = [
    (Col::Branch, "chi bộ"),
    (Col::Group, "tổ dân phố"),
    (Col::Households, "số hộ"),
];

/// How many rows from the top the heading row is looked for.
const HEADER_SCAN: usize = 30;

/// Read a roster from a CSV file or a workbook, told apart by their first bytes.
pub fn parse_roster(file: &str, bytes: &[u8]) -> Result<Roster, ImportError> {
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if zip || ole {
        parse_roster_workbook(file, bytes)
    } else {
        parse_roster_csv(file, bytes)
    }
}

/// The old entry point: a CSV roster as ward data.
pub fn parse_groups_csv(file: &str, bytes: &[u8]) -> Result<WardData, ImportError> {
    parse_roster_csv(file, bytes).map(|r| r.to_ward_data())
}

fn decode_text(file: &str, bytes: &[u8]) -> Result<String, ImportError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        // UTF-16 little-endian: Excel's "Unicode Text".
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16(&units).map_err(|_| ImportError::NotUtf8 {
            file: file.to_string(),
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes)
        .map(str::to_string)
        .map_err(|_| ImportError::NotUtf8 {
            file: file.to_string(),
        })
}

/// Rows of a CSV text with their line numbers, for one delimiter.
fn csv_rows(
    file: &str,
    src: &str,
    delimiter: u8,
) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(src.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| ImportError::Row {
            file: file.to_string(),
            row: e.position().map(|p| p.line() as usize).unwrap_or(0),
            problem: e.to_string(),
            problem_vi: format!("không đọc được dòng CSV ({e})"),
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        out.push((line, rec.iter().map(str::to_string).collect()));
    }
    Ok(out)
}

pub fn parse_roster_csv(file: &str, bytes: &[u8]) -> Result<Roster, ImportError> {
    let src = decode_text(file, bytes)?;
    // Excel on Windows writes CRLF; the csv reader counts lines right only with LF.
    let src = src.replace("\r\n", "\n").replace('\r', "\n");
    if src.trim().is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    // Try each delimiter; the one whose heading row is found wins (title rows above the
    // heading make counting delimiters on the first line unreliable).
    let mut first_err = None;
    for d in [b';', b',', b'\t'] {
        let rows = match csv_rows(file, &src, d) {
            Ok(r) => r,
            Err(e) => {
                first_err.get_or_insert(e);
                continue;
            }
        };
        if find_header(&rows).is_ok() {
            return parse_table(file, &rows);
        }
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    // No heading anywhere: report against the delimiter the first line suggests.
    let first = src.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let d = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| first.matches(*d as char).count())
        .unwrap_or(b',');
    let rows = csv_rows(file, &src, d)?;
    parse_table(file, &rows)
}

fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

pub fn parse_roster_workbook(file: &str, bytes: &[u8]) -> Result<Roster, ImportError> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| ImportError::Workbook {
            file: file.to_string(),
            detail: e.to_string(),
        })?;
    let sheets = wb.worksheets();
    let mut first_problem = None;
    for (name, range) in &sheets {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let rows: Vec<(usize, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, r)| {
                // Columns left of the used range are empty: keep positions as Excel's.
                let mut cells = vec![String::new(); c0 as usize];
                cells.extend(r.iter().map(cell_text));
                (r0 as usize + i + 1, cells)
            })
            .collect();
        let label = if sheets.len() > 1 {
            format!("{file} [{name}]")
        } else {
            file.to_string()
        };
        match find_header(&rows) {
            Ok(_) => return parse_table(&label, &rows),
            Err(e) => {
                first_problem.get_or_insert((label, rows, e));
            }
        }
    }
    match first_problem {
        Some((label, rows, _))
            if rows
                .iter()
                .any(|(_, r)| r.iter().any(|c| !c.trim().is_empty())) =>
        {
            parse_table(&label, &rows)
        }
        _ => Err(ImportError::Empty {
            file: file.to_string(),
        }),
    }
}

/// The heading row: the first of the top rows that names the required columns. Else the
/// row that came closest, with the first column it lacks.
fn find_header(rows: &[(usize, Vec<String>)]) -> Result<usize, (usize, &'static str)> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, cells)) in rows
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| c.iter().any(|x| !x.trim().is_empty()))
        .take(HEADER_SCAN)
    {
        let cols: Vec<Option<Col>> = cells.iter().map(|c| classify(c)).collect();
        let have = REQUIRED
            .iter()
            .filter(|(c, _)| cols.contains(&Some(*c)))
            .count();
        if have == REQUIRED.len() {
            return Ok(i);
        }
        if best.is_none_or(|(_, n)| have > n) {
            best = Some((i, have));
        }
    }
    let (i, _) = best.unwrap_or((0, 0));
    let cols: Vec<Option<Col>> = rows
        .get(i)
        .map(|(_, c)| c.iter().map(|x| classify(x)).collect())
        .unwrap_or_default();
    let missing = REQUIRED
        .iter()
        .find(|(c, _)| !cols.contains(&Some(*c)))
        .map(|(_, n)| *n)
        .unwrap_or("tổ dân phố");
    Err((i, missing))
}

/// A number of households: "245", "1.230", "1,230", "1 230".
fn households(s: &str) -> Option<u32> {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let plain = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let digits = if plain(&s) {
        s
    } else {
        // Thousands separators: groups of three digits after the first.
        let parts: Vec<&str> = s.split(['.', ',']).collect();
        let grouped = parts.len() > 1
            && (1..=3).contains(&parts[0].len())
            && parts.iter().all(|p| plain(p))
            && parts[1..].iter().all(|p| p.len() == 3);
        if !grouped {
            return None;
        }
        parts.concat()
    };
    digits
        .parse::<u32>()
        .ok()
        .filter(|h| (1..=MAX_HOUSEHOLDS).contains(h))
}

fn is_total_row(cells: &[String]) -> bool {
    cells.iter().any(|c| {
        let f = text::fold(c);
        let f = f.trim().trim_end_matches(':').trim();
        f == "cong" || f.starts_with("tong cong") || f == "tong" || f.starts_with("tong so")
    })
}

fn parse_table(file: &str, rows: &[(usize, Vec<String>)]) -> Result<Roster, ImportError> {
    if rows
        .iter()
        .all(|(_, r)| r.iter().all(|c| c.trim().is_empty()))
    {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let hi = match find_header(rows) {
        Ok(i) => i,
        Err((i, missing)) => {
            let (row, cells) = &rows[i.min(rows.len() - 1)];
            return Err(ImportError::MissingColumn {
                file: file.to_string(),
                row: *row,
                column: missing,
                found: cells
                    .iter()
                    .map(|h| h.trim().to_string())
                    .filter(|h| !h.is_empty())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    };
    let header = &rows[hi].1;
    let cols: Vec<Option<Col>> = header.iter().map(|h| classify(h)).collect();
    let find = |c: Col| cols.iter().position(|x| *x == Some(c));
    let (ib, ig, ih) = (
        find(Col::Branch).unwrap_or(0),
        find(Col::Group).unwrap_or(0),
        find(Col::Households).unwrap_or(0),
    );
    let il = find(Col::Leader);
    let ifh = find(Col::FrontHead);
    let heading = |i: usize| header.get(i).map(|h| text::clean(h)).unwrap_or_default();

    let mut out: Vec<RosterRow> = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut last_branch: Option<String> = None;
    for (row, rec) in &rows[hi + 1..] {
        let row = *row;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| text::clean(rec.get(i).map(String::as_str).unwrap_or(""));
        let bad = |i: usize, en: String, vi: String| ImportError::Cell {
            file: file.to_string(),
            row,
            column: heading(i),
            problem: en,
            problem_vi: vi,
        };
        let (mut branch, group, hh) = (cell(ib), cell(ig), cell(ih));
        if group.is_empty() && is_total_row(rec) {
            continue;
        }
        if branch.is_empty() {
            match &last_branch {
                Some(b) => branch = b.clone(),
                None => return Err(bad(ib, "empty".into(), "bỏ trống".into())),
            }
        }
        last_branch = Some(branch.clone());
        if group.is_empty() {
            return Err(bad(ig, "empty".into(), "bỏ trống".into()));
        }
        let leader = il.map(cell).filter(|s| !s.is_empty());
        let front_head = ifh.map(cell).filter(|s| !s.is_empty());
        for (i, v) in [
            (Some(ib), Some(&branch)),
            (Some(ig), Some(&group)),
            (il, leader.as_ref()),
            (ifh, front_head.as_ref()),
        ] {
            if let (Some(i), Some(v)) = (i, v)
                && v.chars().count() > MAX_NAME_CHARS
            {
                return Err(bad(
                    i,
                    format!("longer than {MAX_NAME_CHARS} characters"),
                    format!("dài quá {MAX_NAME_CHARS} ký tự"),
                ));
            }
        }
        let households = households(&hh).ok_or_else(|| {
            bad(
                ih,
                format!("{hh:?} is not a number of households (1 to {MAX_HOUSEHOLDS})"),
                format!("{hh:?} không phải số hộ hợp lệ (từ 1 đến {MAX_HOUSEHOLDS})"),
            )
        })?;
        let gkey = text::fold(&group);
        if let Some(first) = seen.get(&gkey) {
            return Err(bad(
                ig,
                format!("group {group:?} already listed on row {first}"),
                format!("tổ {group:?} đã có ở dòng {first}"),
            ));
        }
        seen.insert(gkey, row);
        out.push(RosterRow {
            row,
            branch,
            group,
            households,
            leader,
            front_head,
        });
    }
    if out.is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    Ok(Roster { rows: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_semicolons_crlf_and_blank_rows() {
        let src = "\u{feff}Chi bộ;Tổ dân phố;Số hộ;Tổ trưởng\r\nChi bộ 1;Tổ 1;120;Lê Văn A\r\n;;;\r\nChi bộ 1;Tổ 2;1.230;Phạm Thị B\r\nChi bộ 2;Tổ 3;300;\r\n";
        let w = parse_groups_csv("r.csv", src.as_bytes()).unwrap();
        assert_eq!(w.branches.len(), 2);
        assert_eq!(w.branches[0].groups.len(), 2);
        assert_eq!(w.branches[0].groups[1].households, 1230);
    }

    #[test]
    fn headings_without_diacritics_in_any_order() {
        let src = "so ho,to truong,to dan pho,chi bo\n150,An,Tổ 9,CB 9\n";
        let w = parse_groups_csv("r.csv", src.as_bytes()).unwrap();
        assert_eq!(w.branches[0].groups[0].name, "Tổ 9");
    }

    #[test]
    fn decomposed_names_are_stored_composed() {
        let src = "chi bộ,tổ dân phố,số hộ,tổ trưởng\nCB,To\u{302}\u{309} 1,100,X\n";
        let w = parse_groups_csv("r.csv", src.as_bytes()).unwrap();
        assert_eq!(w.branches[0].groups[0].name, "Tổ 1");
    }

    #[test]
    fn bad_households_names_row_and_column() {
        let src = "Chi bộ,Tổ dân phố,Số hộ,Tổ trưởng\nCB,Tổ 1,100,A\nCB,Tổ 2,mười,B\n";
        let e = parse_groups_csv("r.csv", src.as_bytes()).unwrap_err();
        match &e {
            ImportError::Cell { row, column, .. } => {
                assert_eq!(*row, 3);
                assert_eq!(column, "Số hộ");
            }
            other => panic!("{other:?}"),
        }
        assert!(e.message_vi().contains("dòng 3, cột \"Số hộ\""));
    }

    #[test]
    fn missing_column_and_duplicates_are_rejected() {
        let e = parse_groups_csv("r.csv", b"Chi bo,To dan pho,To truong\nA,B,C\n").unwrap_err();
        assert!(matches!(
            e,
            ImportError::MissingColumn {
                column: "số hộ",
                row: 1,
                ..
            }
        ));
        let src = "chi bộ,tổ dân phố,số hộ,tổ trưởng\nA,Tổ 1,100,X\nA,to 1,100,Y\n";
        let e = parse_groups_csv("r.csv", src.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("row 3"), "{e}");
        assert!(parse_groups_csv("r.csv", b"\xff\xfe\x00\xd8").is_err());
        assert!(parse_groups_csv("r.csv", b"\xc3\x28").is_err());
        assert!(parse_groups_csv("r.csv", b"").is_err());
        let e = parse_groups_csv(
            "r.csv",
            "chi bộ,tổ dân phố,số hộ,tổ trưởng\nA,Tổ 1,-5,X\n".as_bytes(),
        )
        .unwrap_err();
        assert!(matches!(e, ImportError::Cell { row: 2, .. }));
    }

    #[test]
    fn title_rows_merged_branches_and_a_total_row() {
        let src = "DANH SÁCH TỔ DÂN PHỐ PHƯỜNG AN BÌNH;;;;\n\
                   (kèm theo báo cáo);;;;\n\
                   ;;;;\n\
                   STT;Chi bộ;Tên tổ dân phố;Số hộ gia đình;Bí thư chi bộ\n\
                   1;Chi bộ 1;Tổ 1;120;Ông A\n\
                   2;;Tổ 2;1 230;Ông A\n\
                   3;Chi bộ 2;Tổ 3;300;Bà B\n\
                   ;Tổng cộng;;1.650;\n";
        let r = parse_roster_csv("r.csv", src.as_bytes()).unwrap();
        assert_eq!(r.rows.len(), 3);
        assert_eq!(
            r.rows[1].branch, "Chi bộ 1",
            "a merged chi bộ cell continues"
        );
        assert_eq!(r.rows[1].households, 1230);
        assert_eq!(r.rows[1].row, 6);
        assert_eq!(r.rows[0].leader, None, "no tổ trưởng column");
    }

    #[test]
    fn utf16_unicode_text_from_excel() {
        let src = "Chi bộ\tTổ dân phố\tSố hộ\r\nCB\tTổ 1\t100\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for u in src.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let r = parse_roster("r.txt", &bytes).unwrap();
        assert_eq!(r.rows[0].group, "Tổ 1");
    }

    #[test]
    fn household_numbers() {
        assert_eq!(households("1.230"), Some(1230));
        assert_eq!(households("1,230"), Some(1230));
        assert_eq!(households("245"), Some(245));
        assert_eq!(households("12,5"), None);
        assert_eq!(households("0"), None);
        assert_eq!(households(""), None);
    }
}
