//! Minutes filled in from an entry's evidence (issue 14), below both front ends: which
//! records an item has, the [`MinutesInput`] built from a checklist row, and the file
//! the TUI writes (`qcdc document` writes where `--out` says).

use crate::domain::date::Date;
use crate::domain::template::{Evidence, Item};
use crate::export::docx::minutes::{MinutesInput, MinutesKind};
use crate::i18n::Lang;
use crate::present;
use crate::service::ChecklistRow;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The records an item has: a posting (niêm yết) has its record and the record of its
/// end; a meeting, vote or ballot (Điều 21 Luật 10/2022/QH15) has the meeting's.
pub fn kinds_of(item: &Item) -> Vec<MinutesKind> {
    let mut kinds = Vec::new();
    if item.evidence.contains(&Evidence::Posting) {
        kinds.extend([MinutesKind::Posting, MinutesKind::PostingEnd]);
    }
    if item.vote.is_some()
        || item.evidence.contains(&Evidence::Meeting)
        || item.evidence.contains(&Evidence::Ballot)
    {
        kinds.push(MinutesKind::Meeting);
    }
    kinds
}

/// The name of a kind as `qcdc document --kind` takes it.
pub fn kind_name(k: MinutesKind) -> &'static str {
    match k {
        MinutesKind::Posting => MinutesKind::NAMES[0],
        MinutesKind::PostingEnd => MinutesKind::NAMES[1],
        MinutesKind::Meeting => MinutesKind::NAMES[2],
    }
}

/// What a record is filled in from: the ward, the group (`None` for the ward's own
/// item), the place from the ward's settings, and the row's item, evidence and verdict.
pub fn input_from(
    row: &ChecklistRow,
    ward: &str,
    group: Option<&str>,
    place: &str,
    kind: MinutesKind,
    date: Date,
) -> MinutesInput {
    let item = &row.item;
    let e = &row.entry.evidence;
    MinutesInput {
        kind,
        ward: ward.to_string(),
        group: group.map(str::to_string),
        place: place.to_string(),
        item_code: item.code.clone(),
        // An occurrence names what arose ("… (Bê tông hóa hẻm 12)").
        item_title: if e.title.trim().is_empty() {
            item.title.clone()
        } else {
            format!("{} ({})", item.title, e.title.trim())
        },
        citation: item.citation.to_string(),
        period_label: row.slot.label_vi(),
        posted_from: e.posted_from,
        posted_to: e.posted_to,
        min_days: item.min_days.map(u32::from),
        meeting_date: e.meeting_date,
        form: e
            .vote
            .map(|v| present::vote_form_name(v.form, Lang::Vi).to_string()),
        total: e.vote.map(|v| v.total),
        present: e.vote.map(|v| v.present),
        agree: e.vote.map(|v| v.agree),
        verdict: row.verdict.as_ref().map(|v| v.summary_vi()),
        minutes_no: e.minutes.clone(),
        responsible: e.responsible.clone(),
        note: e.note.clone(),
        date,
    }
}

/// A plain ASCII piece of a file name: "Tổ dân phố 1" → "to-dan-pho-1".
fn slug(s: &str) -> String {
    let folded = crate::domain::text::fold(s);
    let mut out = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// "bien-ban-hop-BQ-01-to-dan-pho-1-2026-Q4.docx": the kind, the item, the unit and the
/// period, ASCII only, so it travels by mail and USB stick unharmed.
pub fn file_name(kind: MinutesKind, item: &str, unit: &str, slot: &str) -> String {
    let item: String = item
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!(
        "bien-ban-{}-{item}-{}-{}.docx",
        kind_name(kind),
        slug(unit),
        slug(slot).to_uppercase()
    )
}

/// Where the TUI puts a record: the user's documents folder, else the database's.
pub fn documents_dir(db: &Path) -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(Path::to_path_buf))
        .filter(|d| d.is_dir())
        .unwrap_or_else(|| {
            db.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        })
}

/// Write `bytes` to `path` whole or not at all: a temporary file in the same folder,
/// flushed to disk, then renamed over the name.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut last = None;
    for i in 0..100u32 {
        let tmp = dir.join(format!(".qcdc-minutes-{}-{i}.tmp", std::process::id()));
        let mut f = match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                last = Some(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let done = f.write_all(bytes).and_then(|_| f.sync_all()).and_then(|_| {
            drop(f);
            std::fs::rename(&tmp, path)
        });
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        return done;
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_ascii_and_say_what_they_hold() {
        assert_eq!(
            file_name(MinutesKind::Meeting, "BQ-01", "Tổ dân phố 1", "2026"),
            "bien-ban-hop-BQ-01-to-dan-pho-1-2026.docx"
        );
        assert_eq!(
            file_name(
                MinutesKind::PostingEnd,
                "CK-01",
                "Phường Đông Hà",
                "2026-Q4"
            ),
            "bien-ban-ket-thuc-niem-yet-CK-01-phuong-dong-ha-2026-Q4.docx"
        );
    }

    #[test]
    fn an_atomic_write_leaves_the_whole_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.docx");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
