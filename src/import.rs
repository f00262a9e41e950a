//! Rosters: branches and groups from a ward's CSV (as Excel or LibreOffice save it).
//!
//! Columns, found by their Vietnamese headings in any order (with or without
//! diacritics): chi bộ, tổ dân phố, số hộ, tổ trưởng, and optionally trưởng ban công tác
//! Mặt trận. UTF-8 with or without a byte-order mark, comma or semicolon, CRLF, blank
//! rows skipped. Every problem names the row and the column; one bad row rejects the file.

use crate::data::{BranchData, GroupData, WardData};
use crate::domain::step::StepSet;
use crate::domain::text;
use crate::domain::ward::{MAX_HOUSEHOLDS, MAX_NAME_CHARS};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: the file is not UTF-8 text (save it as \"CSV UTF-8\")")]
    NotUtf8 { file: String },
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: row 1: missing column {column:?} (found: {found})")]
    MissingColumn {
        file: String,
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
            ImportError::NotUtf8 { file } => {
                format!("{file}: tệp không phải văn bản UTF-8 (hãy lưu dạng \"CSV UTF-8\")")
            }
            ImportError::Empty { file } => format!("{file}: tệp trống"),
            ImportError::MissingColumn {
                file,
                column,
                found,
            } => format!("{file}: dòng 1: thiếu cột {column:?} (đang có: {found})"),
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

#[derive(Clone, Copy, PartialEq, Eq)]
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
    if h.contains("mat tran") || h.contains("bctmt") {
        Some(Col::FrontHead)
    } else if h.contains("chi bo") {
        Some(Col::Branch)
    } else if h.contains("so ho") || h == "ho" {
        Some(Col::Households)
    } else if h.contains("to truong") {
        Some(Col::Leader)
    } else if h.contains("to dan pho") || h == "tdp" || h.contains("khu pho") || h == "to" {
        Some(Col::Group)
    } else {
        None
    }
}

const HEADINGS: [(Col, &str); 4] = [
    (Col::Branch, "chi bộ"),
    (Col::Group, "tổ dân phố"),
    (Col::Households, "số hộ"),
    (Col::Leader, "tổ trưởng"),
];

/// Parse a roster. `ward_name` and `steps` fill the ward fields of the result (they are
/// not changed by an import).
pub fn parse_groups_csv(file: &str, bytes: &[u8]) -> Result<WardData, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let src = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8 {
        file: file.to_string(),
    })?;
    // Excel on Windows writes CRLF; the csv reader counts lines right only with LF.
    let src = &src.replace("\r\n", "\n");
    let first_line = src
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or(ImportError::Empty {
            file: file.to_string(),
        })?;
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else if first_line.matches('\t').count() > first_line.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(src.as_bytes());
    let mut records = rdr.records();
    let mut header_row = 0usize;
    let header = loop {
        match records.next() {
            None => {
                return Err(ImportError::Empty {
                    file: file.to_string(),
                });
            }
            Some(Err(e)) => {
                return Err(ImportError::Row {
                    file: file.to_string(),
                    row: e.position().map(|p| p.line() as usize).unwrap_or(1),
                    problem: e.to_string(),
                    problem_vi: format!("không đọc được dòng CSV ({e})"),
                });
            }
            Some(Ok(r)) => {
                header_row = r
                    .position()
                    .map(|p| p.line() as usize)
                    .unwrap_or(header_row + 1);
                if r.iter().any(|c| !c.trim().is_empty()) {
                    break r;
                }
            }
        }
    };
    let cols: Vec<Option<Col>> = header.iter().map(classify).collect();
    let find = |c: Col| cols.iter().position(|x| *x == Some(c));
    let found = header
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    for (c, name) in HEADINGS {
        if find(c).is_none() {
            return Err(ImportError::MissingColumn {
                file: file.to_string(),
                column: name,
                found,
            });
        }
    }
    let (ib, ig, ih, il) = (
        find(Col::Branch).unwrap_or(0),
        find(Col::Group).unwrap_or(0),
        find(Col::Households).unwrap_or(0),
        find(Col::Leader).unwrap_or(0),
    );
    let ifh = find(Col::FrontHead);
    let heading = |i: usize| header.get(i).unwrap_or("").trim().to_string();

    let mut branches: Vec<BranchData> = Vec::new();
    let mut seen_groups: Vec<(String, usize)> = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| ImportError::Row {
            file: file.to_string(),
            row: e.position().map(|p| p.line() as usize).unwrap_or(0),
            problem: e.to_string(),
            problem_vi: format!("không đọc được dòng CSV ({e})"),
        })?;
        let row = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| text::clean(rec.get(i).unwrap_or(""));
        let bad = |i: usize, en: String, vi: String| ImportError::Cell {
            file: file.to_string(),
            row,
            column: heading(i),
            problem: en,
            problem_vi: vi,
        };
        let (branch, group, hh, leader) = (cell(ib), cell(ig), cell(ih), cell(il));
        let front = ifh.map(cell).unwrap_or_default();
        if branch.is_empty() {
            return Err(bad(ib, "empty".into(), "bỏ trống".into()));
        }
        if group.is_empty() {
            return Err(bad(ig, "empty".into(), "bỏ trống".into()));
        }
        for (i, v) in [(ib, &branch), (ig, &group), (il, &leader)] {
            if v.chars().count() > MAX_NAME_CHARS {
                return Err(bad(
                    i,
                    format!("longer than {MAX_NAME_CHARS} characters"),
                    format!("dài quá {MAX_NAME_CHARS} ký tự"),
                ));
            }
        }
        let digits: String = hh
            .chars()
            .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
            .collect();
        let households = digits
            .parse::<u32>()
            .ok()
            .filter(|h| (1..=MAX_HOUSEHOLDS).contains(h))
            .ok_or_else(|| {
                bad(
                    ih,
                    format!("{hh:?} is not a number of households (1 to {MAX_HOUSEHOLDS})"),
                    format!("{hh:?} không phải số hộ hợp lệ (từ 1 đến {MAX_HOUSEHOLDS})"),
                )
            })?;
        let gkey = text::fold(&group);
        if let Some((_, first)) = seen_groups.iter().find(|(k, _)| *k == gkey) {
            return Err(bad(
                ig,
                format!("group {group:?} already listed on row {first}"),
                format!("tổ {group:?} đã có ở dòng {first}"),
            ));
        }
        seen_groups.push((gkey, row));
        let g = GroupData {
            name: group,
            households,
            leader,
            front_head: front,
        };
        match branches
            .iter_mut()
            .find(|b| text::fold(&b.name) == text::fold(&branch))
        {
            Some(b) => b.groups.push(g),
            None => branches.push(BranchData {
                name: branch,
                groups: vec![g],
            }),
        }
    }
    Ok(WardData {
        name: String::new(),
        steps: StepSet::Four,
        current_period: None,
        branches,
        entries: Vec::new(),
    })
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
                ..
            }
        ));
        let src = "chi bộ,tổ dân phố,số hộ,tổ trưởng\nA,Tổ 1,100,X\nA,to 1,100,Y\n";
        let e = parse_groups_csv("r.csv", src.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("row 3"), "{e}");
        assert!(parse_groups_csv("r.csv", b"\xff\xfe").is_err());
        assert!(parse_groups_csv("r.csv", b"").is_err());
        let e = parse_groups_csv(
            "r.csv",
            "chi bộ,tổ dân phố,số hộ,tổ trưởng\nA,Tổ 1,-5,X\n".as_bytes(),
        )
        .unwrap_err();
        assert!(matches!(e, ImportError::Cell { row: 2, .. }));
    }
}
