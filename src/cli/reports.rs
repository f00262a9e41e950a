//! Commands for reports and data in bulk: `report`, `import groups|database`,
//! `export`, `template`, `backup`, `restore`, `check`, `rollup`.

use super::args::*;
use super::{
    EXIT_BUSY, EXIT_DATA, EXIT_OTHER, EXIT_USAGE, Failure, Out, open_service, parse_period,
};
use crate::domain::audit::Actor;
use crate::domain::period::Period;
use crate::domain::text;
use crate::i18n::Lang;
use crate::service::ServiceError;
use crate::store::{Store, StoreError};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What every command here needs from the command line.
pub struct Ctx<'a> {
    pub db: &'a Path,
    pub who: Actor,
    pub lang: Lang,
    pub ascii: bool,
    pub period: Option<&'a str>,
}

type CliResult = Result<(), Failure>;

impl Ctx<'_> {
    pub fn t<'s>(&self, vi: &'s str, en: &'s str) -> &'s str {
        self.lang.t(vi, en)
    }

    pub fn out(&self) -> Out {
        Out { ascii: self.ascii }
    }

    pub fn svc_err(&self) -> impl Fn(ServiceError) -> Failure + '_ {
        move |e| Failure::from_service(&e, self.lang)
    }

    /// The service for the database: through the ward server when one answers.
    pub fn service(&self) -> Result<Box<dyn crate::service::Service>, Failure> {
        open_service(self.db, self.who.clone(), self.lang)
    }

    /// Ask before going ahead: `Ok(true)` on yes. Without a terminal there is no one to
    /// ask: refused (exit 65) with `question` and how to say yes (`--yes`), nothing done.
    pub fn confirm(&self, question: &str, nothing_done: &str) -> Result<bool, Failure> {
        if !std::io::stdin().is_terminal() {
            return Err(Failure {
                code: EXIT_DATA,
                message: format!(
                    "{question}\n{nothing_done} {}",
                    self.t("Thêm --yes để vẫn làm.", "Add --yes to go ahead.")
                ),
            });
        }
        self.out().line(question);
        self.out()
            .print(self.t("Vẫn làm? [c/K] ", "Go ahead? [y/N] "));
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        let yes = matches!(
            answer.trim().to_lowercase().as_str(),
            "c" | "có" | "co" | "y" | "yes"
        );
        if !yes {
            self.out().line(nothing_done);
        }
        Ok(yes)
    }

    pub fn data(&self, vi: String, en: String) -> Failure {
        Failure {
            code: EXIT_DATA,
            message: if self.lang.is_en() { en } else { vi },
        }
    }

    fn read(&self, file: &Path) -> Result<Vec<u8>, Failure> {
        std::fs::read(file).map_err(|e| Failure {
            code: EXIT_DATA,
            message: format!(
                "{} {}: {e}",
                self.t("Không đọc được tệp", "Cannot read"),
                file.display()
            ),
        })
    }

    /// Bytes to `--out FILE` (whole or not at all) or standard output.
    pub fn emit(&self, out: Option<&Path>, bytes: &[u8], binary: bool) -> CliResult {
        self.emit_with(out, binary, &mut |w| w.write_all(bytes))
    }

    /// Write a document to `out` (atomically) or to stdout, as `write` produces it.
    /// Text carries names from the database: no escape sequence reaches a terminal or a
    /// file (a workbook is left as it is).
    fn emit_with(
        &self,
        out: Option<&Path>,
        binary: bool,
        write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> CliResult {
        let mut produce = |w: &mut dyn Write| -> std::io::Result<()> {
            if binary {
                write(w)
            } else {
                let mut p = crate::domain::text::PrintableWriter::new(w);
                let mut b = std::io::BufWriter::with_capacity(1 << 16, &mut p);
                write(&mut b)?;
                b.flush()?;
                drop(b);
                p.finish().map(|_| ())
            }
        };
        match out {
            None => {
                if binary && std::io::stdout().is_terminal() {
                    return Err(Failure {
                        code: EXIT_USAGE,
                        message: self
                            .t(
                                "Tệp Excel không in ra màn hình được: thêm --out TỆP.xlsx",
                                "An Excel file cannot go to the terminal: add --out FILE.xlsx",
                            )
                            .into(),
                    });
                }
                let mut so = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
                // A closed pipe (`| head`) is not an error worth a message.
                let _ = produce(&mut so).and_then(|_| so.flush());
                Ok(())
            }
            Some(path) => {
                super::write_file_atomically_with(path, &mut produce).map_err(|e| Failure {
                    code: EXIT_OTHER,
                    message: format!(
                        "{} {}: {e}",
                        self.t("Không ghi được", "Cannot write"),
                        path.display()
                    ),
                })
            }
        }
    }
}

fn store_failure(e: StoreError, lang: Lang) -> Failure {
    Failure::from_service(&ServiceError::Store(e), lang)
}

/// Run one of this module's commands.
pub fn run(command: Command, cx: &Ctx) -> CliResult {
    match command {
        Command::Report(a) => report(cx, a),
        Command::Import(ImportCmd::Groups { file, dry_run }) => import_groups(cx, &file, dry_run),
        Command::Import(ImportCmd::Database { file }) => import_database(cx, &file),
        Command::Export(a) => export(cx, a),
        Command::Template(c) => template(cx, c),
        Command::Backup(a) => backup(cx, a),
        Command::Restore(a) => restore(cx, a),
        Command::Check(a) => check(cx, a),
        Command::Rollup(a) => rollup(cx, a),
        _ => Err(Failure {
            code: EXIT_OTHER,
            message: "not a report command".into(),
        }),
    }
}

fn report(cx: &Ctx, a: ReportArgs) -> CliResult {
    let lang = cx.lang;
    let svc = open_service(cx.db, cx.who.clone(), lang)?;
    let period = parse_period(cx.period, svc.as_ref(), lang)?;
    let branch = match &a.branch {
        None => None,
        Some(name) => {
            let branches = svc.branches().map_err(cx.svc_err())?;
            let b = crate::domain::ward::find_branch(&branches, name).ok_or_else(|| {
                let names = branches
                    .iter()
                    .map(|b| b.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                cx.data(
                    format!("Không có chi bộ {name:?}. Các chi bộ: {names}."),
                    format!("No branch {name:?}. The branches: {names}."),
                )
            })?;
            Some(b.clone())
        }
    };
    let options = crate::service::engine::ReportOptions {
        limit: (a.limit > 0).then_some(a.limit),
        branch: branch.as_ref().map(|b| b.id),
        ..Default::default()
    };
    let r = svc.report_with(period, options).map_err(cx.svc_err())?;
    // The process ends once the report is out: a city's report is half a million small
    // allocations, and freeing them one by one only delays the exit (6 ms at 1.2 M
    // entries).
    let r = &*Box::leak(Box::new(r));
    let other = |e: String| Failure {
        code: EXIT_OTHER,
        message: e,
    };
    let (bytes, binary): (Vec<u8>, bool) = match a.format {
        ReportFormat::Text => {
            let mut s = super::output::report_text(r, lang);
            s.push_str(&crate::export::report_text_tail(r, lang));
            s.push_str(&crate::export::figures::text(r, lang));
            let s = if cx.ascii { text::to_ascii(&s) } else { s };
            (s.into_bytes(), false)
        }
        ReportFormat::Json => {
            // Streamed: a city's report is tens of megabytes. Indented for a person at a
            // terminal, compact for a file or a pipe.
            let pretty = a.out.is_none() && std::io::stdout().is_terminal();
            return cx.emit_with(a.out.as_deref(), false, &mut |w| {
                // A concrete buffer in front of the `dyn Write`: serde_json writes a few
                // bytes at a time, and those must not each be a dynamic call.
                let mut w = std::io::BufWriter::with_capacity(1 << 16, text::JsonSafe::new(w));
                if pretty {
                    serde_json::to_writer_pretty(&mut w, r)?;
                } else {
                    serde_json::to_writer(&mut w, r)?;
                }
                w.write_all(b"\n")?;
                w.flush()
            });
        }
        ReportFormat::Md => {
            let mut md = crate::export::report_md(r, lang);
            md.push_str(&crate::export::figures::md(r, lang));
            let n = svc.narrative(r.period).map_err(cx.svc_err())?;
            md.push_str(&crate::export::narrative_md(&n, lang));
            (md.into_bytes(), false)
        }
        ReportFormat::Csv => (
            super::output::report_csv_with(
                r,
                lang,
                match a.csv {
                    CsvArg::Rfc4180 => super::output::CsvStyle::Rfc4180,
                    CsvArg::ViVn => super::output::CsvStyle::ViVn,
                },
            )
            .map_err(|e| other(e.to_string()))?,
            false,
        ),
        ReportFormat::Xlsx => {
            // The summary sheet is signed as the Word report is: the ward's settings,
            // with this report's --signer and --date.
            let mut settings = svc.doc_settings().map_err(cx.svc_err())?;
            if let Some(b) = &r.branch {
                settings = settings.for_branch(b);
            }
            let o = doc_options(cx, settings, &a.doc, svc.today())?;
            (
                crate::export::xlsx::report_xlsx(r, lang, &o.settings, o.date)
                    .map_err(|e| other(e.to_string()))?,
                true,
            )
        }
        ReportFormat::Docx => (docx(cx, svc.as_ref(), r, &a)?, true),
    };
    cx.emit(a.out.as_deref(), &bytes, binary)
}

/// The report as the Word document the ward signs: its settings (`qcdc settings`), with
/// this report's number, date, signer or style when given.
fn docx(
    cx: &Ctx,
    svc: &dyn crate::service::Service,
    r: &crate::service::report::Report,
    a: &ReportArgs,
) -> Result<Vec<u8>, Failure> {
    let mut settings = svc.doc_settings().map_err(cx.svc_err())?;
    if let Some(b) = &r.branch {
        settings = settings.for_branch(b);
    }
    let mut o = doc_options(cx, settings, &a.doc, svc.today())?;
    // The narrative is the ward's: a branch's report leaves its lines to fill in.
    if r.branch.is_none() {
        o.narrative = svc.narrative(r.period).map_err(cx.svc_err())?.written();
    }
    crate::export::docx::report_docx(r, &o, cx.lang).map_err(|e| Failure {
        code: EXIT_OTHER,
        message: e,
    })
}

/// Saved settings with one document's `--number`, `--signer`, `--style` and `--date`.
fn doc_options(
    cx: &Ctx,
    mut settings: crate::domain::settings::DocSettings,
    a: &DocArgs,
    today: crate::domain::date::Date,
) -> Result<crate::export::docx::DocxOptions, Failure> {
    let set = |settings: &mut crate::domain::settings::DocSettings, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            settings.set(k, v).map_err(|(vi, en)| cx.data(vi, en))?;
        }
        Ok::<(), Failure>(())
    };
    set(&mut settings, "number", &a.number)?;
    set(&mut settings, "signer-name", &a.signer)?;
    set(&mut settings, "style", &a.style)?;
    let date = match &a.date {
        None => today,
        Some(d) => crate::domain::date::parse(d).map_err(|_| {
            cx.data(
                format!("Ngày {d:?} không hợp lệ (ví dụ 15/12/2026)."),
                format!("Invalid date {d:?} (e.g. 15/12/2026)."),
            )
        })?,
    };
    Ok(crate::export::docx::DocxOptions {
        settings,
        date,
        narrative: Vec::new(),
    })
}

/// The rolling-up body's document settings from a TOML file of the keys `qcdc settings
/// set` takes (`recipients` a list or a ';'-separated line); none: dotted lines.
fn settings_file(
    cx: &Ctx,
    file: Option<&Path>,
) -> Result<crate::domain::settings::DocSettings, Failure> {
    let mut settings = crate::domain::settings::DocSettings {
        signer_for: String::new(),
        signer_title: String::new(),
        recipients: Vec::new(),
        ..Default::default()
    };
    let Some(file) = file else {
        return Ok(settings);
    };
    let bytes = cx.read(file)?;
    let name = file.display();
    let table: toml::Table = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| {
            cx.data(
                format!(
                    "{name} không phải tệp TOML đọc được (ví dụ: issuer = \"BAN DÂN VẬN TỈNH ỦY\")."
                ),
                format!(
                    "{name} is not a readable TOML file (e.g. issuer = \"BAN DÂN VẬN TỈNH ỦY\")."
                ),
            )
        })?;
    for (key, value) in table {
        let v = match value {
            toml::Value::String(v) => v,
            toml::Value::Array(list) => list
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect::<Vec<_>>()
                .join(";"),
            other => other.to_string(),
        };
        settings
            .set(&key.replace('_', "-"), &v)
            .map_err(|(vi, en)| cx.data(format!("{name}: {vi}"), format!("{name}: {en}")))?;
    }
    Ok(settings)
}

fn import_groups(cx: &Ctx, file: &Path, dry_run: bool) -> CliResult {
    let lang = cx.lang;
    let svc = open_service(cx.db, cx.who.clone(), lang)?;
    let bytes = cx.read(file)?;
    let name = file.display().to_string();
    let roster = crate::import::parse_roster(&name, &bytes)
        .map_err(|e| cx.data(e.message_vi(), e.to_string()))?;
    let c = svc.import_roster(roster, dry_run).map_err(cx.svc_err())?;
    let head = if dry_run {
        cx.t("Chạy thử (không ghi gì)", "Dry run (nothing written)")
    } else {
        cx.t("Đã nhập", "Imported")
    };
    let out = cx.out();
    out.line(&format!(
        "{head}: +{} {}, +{} {}, {} {}, {} {}",
        c.branches_added.len(),
        cx.t("chi bộ", "branches"),
        c.groups_added.len(),
        cx.t("tổ dân phố", "groups"),
        c.groups_changed.len(),
        cx.t("tổ cập nhật", "groups updated"),
        c.unchanged,
        cx.t("tổ không đổi", "unchanged")
    ));
    for b in &c.branches_added {
        out.line(&format!("  + {} {b}", cx.t("chi bộ", "branch")));
    }
    for g in &c.groups_added {
        out.line(&format!(
            "  + {} ({}, {} {})",
            g.name,
            g.branch,
            g.households,
            cx.t("hộ", "households")
        ));
    }
    for g in &c.groups_changed {
        let changes: Vec<String> = g
            .changes
            .iter()
            .map(|ch| {
                let field = match (ch.field.as_str(), lang.is_en()) {
                    ("branch", false) => "chi bộ",
                    ("households", false) => "số hộ",
                    ("leader", false) => "tổ trưởng",
                    ("front_head", false) => "trưởng ban công tác Mặt trận",
                    ("front_head", true) => "front committee head",
                    (f, _) => f,
                };
                format!("{field} {} → {}", ch.old, ch.new)
            })
            .collect();
        out.line(&format!("  ~ {}: {}", g.name, changes.join("; ")));
    }
    if !c.not_in_file.is_empty() {
        out.line(&format!(
            "  {} {} ({}): {}",
            c.not_in_file.len(),
            cx.t(
                "tổ có trong CSDL nhưng không có trong tệp",
                "stored groups are not in the file"
            ),
            cx.t("giữ nguyên", "kept as they are"),
            c.not_in_file.join("; ")
        ));
    }
    Ok(())
}

fn import_database(cx: &Ctx, file: &Path) -> CliResult {
    use crate::store::snapshot::ImportError;
    crate::store::set_page_cache(crate::store::SCAN_CACHE_BYTES);
    let lang = cx.lang;
    let fail = |e: ImportError| match e {
        ImportError::Io(e) => Failure {
            code: EXIT_DATA,
            message: format!(
                "{} {}: {e}",
                cx.t("Không đọc được tệp", "Cannot read"),
                file.display()
            ),
        },
        ImportError::Damaged(p) => cx.data(
            format!("{}: {}", file.display(), p.message(false)),
            format!("{}: {}", file.display(), p.message(true)),
        ),
        ImportError::Invalid(problems) => {
            let list = |en: bool| {
                problems
                    .iter()
                    .take(10)
                    .map(|p| p.message(en))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            cx.data(
                format!(
                    "{}: dữ liệu không nhất quán: {}",
                    file.display(),
                    list(false)
                ),
                format!("{}: inconsistent data: {}", file.display(), list(true)),
            )
        }
        ImportError::Store(e) => store_failure(e, lang),
    };
    let mut open = crate::backup::opener(file);
    let verified = crate::store::snapshot::verify_document(&mut open).map_err(fail)?;
    let store = Store::import_verified(cx.db, &mut open, &verified).map_err(fail)?;
    drop(store);
    let info = &verified.info;
    cx.out().line(&format!(
        "{} {}: {} {}, {} {}, {} {}, {} {} → {}",
        cx.t("Đã nạp", "Loaded"),
        info.ward,
        info.branches,
        cx.t("chi bộ", "branches"),
        info.groups,
        cx.t("tổ dân phố", "groups"),
        info.entries,
        cx.t("bản ghi", "entries"),
        info.audit,
        cx.t("dòng nhật ký", "audit records"),
        cx.db.display()
    ));
    Ok(())
}

fn export(cx: &Ctx, a: ExportArgs) -> CliResult {
    crate::store::set_page_cache(crate::store::SCAN_CACHE_BYTES);
    let svc = open_service(cx.db, cx.who.clone(), cx.lang)?;
    // Streamed from the store (or the ward server) into the file: a city's document is
    // a gigabyte. A service error stops the writing; the file is then not created.
    let mut failed = None;
    let written = cx.emit_with(a.out.as_deref(), false, &mut |w| {
        svc.export_to(w).map(|_| ()).map_err(|e| {
            let m = e.message(cx.lang);
            failed = Some(e);
            std::io::Error::other(m)
        })
    });
    match failed {
        Some(e) => Err(cx.svc_err()(e)),
        None => written,
    }
}

fn template(cx: &Ctx, c: TemplateCmd) -> CliResult {
    let lang = cx.lang;
    let svc = open_service(cx.db, cx.who.clone(), lang)?;
    let out = cx.out();
    let en = lang.is_en();
    let known = |code: &str| -> Result<String, Failure> {
        let t = svc.template().map_err(cx.svc_err())?;
        t.get(code)
            .map(|i| i.code.clone())
            .ok_or_else(|| cx.svc_err()(ServiceError::UnknownItem(code.to_string())))
    };
    match c {
        TemplateCmd::List { all, format } => {
            let t = svc.template().map_err(cx.svc_err())?;
            let items: Vec<_> = t.items.iter().filter(|i| all || !i.retired).collect();
            if format == ListFormat::Json {
                out.line(&crate::domain::text::json_pretty(&items));
                return Ok(());
            }
            for i in items {
                let retired = match (i.retired, i.retired_from) {
                    (false, _) => String::new(),
                    (true, None) => format!("  [{}]", cx.t("đã thôi", "retired")),
                    (true, Some(p)) => {
                        format!("  [{} {p}]", cx.t("thôi áp dụng từ", "retired from"))
                    }
                };
                out.line(&format!(
                    "{:<10} {:<18} {:<13} {}  ({}){retired}",
                    i.code,
                    if en {
                        i.pillar.short_en()
                    } else {
                        i.pillar.short_vi()
                    },
                    if en {
                        i.recurrence.name_en()
                    } else {
                        i.recurrence.name_vi()
                    },
                    i.title_in(en),
                    i.citation
                ));
            }
            Ok(())
        }
        TemplateCmd::Add {
            built_in: true,
            dry_run,
            ..
        } => {
            // A ward created by an older qcdc lacks the items added since (issue 13:
            // BQ-13, BQ-14, BQ-15): they are added as they ship, audited; items the
            // ward already has are left as the ward keeps them.
            let have = svc.template().map_err(cx.svc_err())?;
            let new: Vec<_> = crate::data::default_template()
                .items
                .into_iter()
                .filter(|i| have.get(&i.code).is_none())
                .collect();
            let r = svc.add_items(new, dry_run).map_err(cx.svc_err())?;
            let head = if dry_run {
                cx.t("Chạy thử (không ghi gì)", "Dry run (nothing written)")
            } else {
                cx.t("Đã thêm", "Added")
            };
            out.line(&format!(
                "{head}: {} {}{}",
                r.added.len(),
                cx.t("mục", "items"),
                if r.added.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.added.join(", "))
                }
            ));
            Ok(())
        }
        TemplateCmd::Add { file, dry_run, .. } => {
            let Some(file) = file else {
                return Err(cx.data(
                    "Cần tên tệp TOML hoặc --built-in.".into(),
                    "A TOML file or --built-in is needed.".into(),
                ));
            };
            let bytes = cx.read(&file)?;
            let name = file.display().to_string();
            let src = String::from_utf8(bytes).map_err(|_| {
                cx.data(
                    format!("{name}: tệp không phải văn bản UTF-8"),
                    format!("{name}: the file is not UTF-8 text"),
                )
            })?;
            let t = crate::data::parse_template(&name, &src)
                .map_err(|e| cx.data(e.message_vi(), e.to_string()))?;
            if t.items.is_empty() {
                return Err(cx.data(
                    format!("{name}: không có mục nào ([[item]])"),
                    format!("{name}: no items ([[item]])"),
                ));
            }
            let r = svc.add_items(t.items, dry_run).map_err(cx.svc_err())?;
            let head = if dry_run {
                cx.t("Chạy thử (không ghi gì)", "Dry run (nothing written)")
            } else {
                cx.t("Đã thêm", "Added")
            };
            out.line(&format!(
                "{head}: {} {}{}{}",
                r.added.len(),
                cx.t("mục", "items"),
                if r.added.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.added.join(", "))
                },
                if r.unchanged.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; {} {} ({})",
                        r.unchanged.len(),
                        cx.t("mục đã có, không đổi", "already there, unchanged"),
                        r.unchanged.join(", ")
                    )
                }
            ));
            Ok(())
        }
        TemplateCmd::Retire { code, from } => {
            let code = known(&code)?;
            let from = match from {
                None => Period::quarter_of(svc.today()),
                Some(p) => parse_period(Some(&p), svc.as_ref(), lang)?,
            };
            let item = svc
                .set_item_retired(code, Some(from))
                .map_err(cx.svc_err())?;
            out.line(&format!(
                "{} {} {} {from}. {}",
                cx.t("Đã thôi áp dụng", "Retired"),
                item.code,
                cx.t("từ kỳ", "from"),
                cx.t(
                    "Số liệu đã ghi được giữ nguyên; báo cáo các kỳ trước vẫn tính mục này.",
                    "Its entries are kept; reports of earlier periods still count it."
                )
            ));
            Ok(())
        }
        TemplateCmd::Reinstate { code } => {
            let code = known(&code)?;
            let item = svc.set_item_retired(code, None).map_err(cx.svc_err())?;
            out.line(&format!(
                "{} {}",
                cx.t("Đã áp dụng lại", "Reinstated"),
                item.code
            ));
            Ok(())
        }
    }
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn backup(cx: &Ctx, a: BackupArgs) -> CliResult {
    let lang = cx.lang;
    crate::store::set_page_cache(crate::store::SCAN_CACHE_BYTES);
    let svc = open_service(cx.db, cx.who.clone(), lang)?;
    let dir: PathBuf = a.dir.unwrap_or_else(|| crate::backup::default_dir(cx.db));
    let info = crate::backup::backup(svc.as_ref(), &dir, crate::backup::Keep::last(a.keep))
        .map_err(|e| Failure::from_backup(&e, lang))?;
    cx.out().line(&format!(
        "{}: {} ({}, sha256 {})",
        cx.t("Đã sao lưu", "Backed up"),
        info.path.display(),
        kb(info.bytes),
        &info.sha256[..16.min(info.sha256.len())]
    ));
    let rot = &info.rotation;
    if !rot.removed.is_empty() {
        cx.out().line(&format!(
            "{} {} {} (--keep {})",
            cx.t("Đã xóa", "Removed"),
            rot.removed.len(),
            cx.t("bản sao lưu cũ", "old backups"),
            a.keep
        ));
    }
    if rot.cleaned > 0 {
        cx.out().line(&format!(
            "{} {} {}",
            cx.t("Đã dọn", "Cleaned up"),
            rot.cleaned,
            cx.t(
                "tệp tạm của lần sao lưu bị ngắt",
                "temporary files of interrupted backups"
            ),
        ));
    }
    for p in &rot.ignored {
        eprintln!(
            "{} {}",
            p.display(),
            cx.t(
                "mang tên bản sao lưu của phường này nhưng không phải (hỏng hoặc của phường khác): không tính, không xóa.",
                "is named like a backup of this ward but is not one (damaged, or another ward's): not counted, not removed."
            )
        );
    }
    Ok(())
}

fn restore(cx: &Ctx, a: RestoreArgs) -> CliResult {
    use crate::backup::BackupError;
    let lang = cx.lang;
    crate::store::set_page_cache(crate::store::SCAN_CACHE_BYTES);
    // A failure of the checks below, kept whole (its exit code and message).
    let mut refused: Option<Failure> = None;
    let mut allow = |info: &crate::transfer::StreamInfo| -> Result<(), BackupError> {
        let stop = |f: Failure, refused: &mut Option<Failure>| {
            let message = f.message.clone();
            *refused = Some(f);
            BackupError::NotConfirmed { message }
        };
        // What is there now. A database that does not open is what restore is for:
        // then there is nothing to check against (whoever can write its files can
        // replace them anyway — SECURITY.md).
        if !cx.db.join("db").is_file() {
            return Ok(());
        }
        let store = match Store::open(cx.db) {
            Ok(s) => s,
            Err(StoreError::Locked { path }) => return Err(BackupError::Locked { path }),
            Err(_) => return Ok(()),
        };
        let current = store.ward().ok().map(|w| w.name);
        let svc = crate::app::connect::local_service(store, cx.who.clone(), lang)
            .map_err(|f| stop(f, &mut refused))?;
        let session = svc.session()?;
        let members = svc.members()?.len();
        drop(svc);
        if !session.bootstrap && session.role != crate::domain::member::Role::Admin {
            return Err(stop(
                Failure::new(
                    crate::app::exit::ExitCode::NoPerm,
                    cx.t(
                        "Không được phép: chỉ quản trị phường được khôi phục CSDL. Chưa thay đổi gì.",
                        "Not allowed: only a ward administrator may restore the database. Nothing was changed.",
                    ),
                ),
                &mut refused,
            ));
        }
        let mut reasons = Vec::new();
        if let Some(now) = current.filter(|n| *n != info.ward) {
            reasons.push(if lang.is_en() {
                format!(
                    "The backup is of another ward: {:?} would replace {now:?}.",
                    info.ward
                )
            } else {
                format!(
                    "Bản sao lưu là của phường khác: \"{}\" sẽ thay cho \"{now}\".",
                    info.ward
                )
            });
        }
        if members > 0 && info.members == 0 {
            reasons.push(if lang.is_en() {
                format!(
                    "The backup has no members, where this database has {members}: until an administrator \
                     is added again, anyone who opens the database is one."
                )
            } else {
                format!(
                    "Bản sao lưu không có thành viên nào (CSDL này có {members}): cho đến khi thêm lại \
                     quản trị, ai mở CSDL cũng có quyền quản trị."
                )
            });
        }
        if reasons.is_empty() || a.yes {
            return Ok(());
        }
        match cx.confirm(
            &reasons.join("\n"),
            cx.t("Chưa khôi phục gì.", "Nothing was restored."),
        ) {
            Ok(true) => Ok(()),
            Ok(false) => Err(stop(
                Failure::new(crate::app::exit::ExitCode::Ok, String::new()),
                &mut refused,
            )),
            Err(f) => Err(stop(f, &mut refused)),
        }
    };
    let result = crate::backup::restore_with(&a.file, cx.db, &mut allow);
    let info = match (result, refused) {
        (Err(_), Some(f)) if f.code == crate::app::exit::ExitCode::Ok => return Ok(()),
        (Err(_), Some(f)) => return Err(f),
        (r, _) => r.map_err(|e| Failure::from_backup(&e, lang))?,
    };
    let out = cx.out();
    out.line(&format!(
        "{} {} {} {}: {} {}, {} {}, {} {}",
        cx.t("Đã khôi phục", "Restored"),
        info.ward,
        cx.t("vào", "into"),
        cx.db.display(),
        info.groups,
        cx.t("tổ dân phố", "groups"),
        info.entries,
        cx.t("bản ghi", "entries"),
        info.audit,
        cx.t("dòng nhật ký", "audit records")
    ));
    if let Some(p) = info.previous {
        out.line(&format!(
            "{} {}",
            cx.t("CSDL cũ được giữ ở", "The previous database is kept at"),
            p.display()
        ));
    }
    Ok(())
}

fn check(cx: &Ctx, a: CheckArgs) -> CliResult {
    let lang = cx.lang;
    // sled may panic on damaged files: report that as damage, not a crash.
    let db = cx.db.to_path_buf();
    let who = cx.who.clone();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let repair = a.repair;
    let result = std::panic::catch_unwind(move || {
        let svc = open_service(&db, who, lang)?;
        let fixed = if repair {
            Some(svc.repair().map_err(|e| Failure::from_service(&e, lang))?)
        } else {
            None
        };
        svc.check()
            .map(|r| (r, fixed))
            .map_err(|e| Failure::from_service(&e, lang))
    });
    std::panic::set_hook(hook);
    let damaged = |what: String| {
        Failure {
        code: EXIT_DATA,
        message: format!(
            "{} {} ({what}). {}",
            cx.t("Cơ sở dữ liệu bị hỏng:", "The database is damaged:"),
            cx.db.display(),
            cx.t(
                "Các tệp được để nguyên. Hãy chép thư mục sang nơi an toàn trước. Khi nó không còn đọc được, `qcdc restore TỆP-SAO-LƯU` đưa về bản sao lưu gần nhất — mất các thay đổi sau bản đó.",
                "Its files were left as they are. Copy the folder somewhere safe first. When it cannot be read any more, `qcdc restore BACKUP-FILE` brings back the latest backup — the changes made since it are lost."
            )
        ),
    }
    };
    let report = match result {
        // Only a database that does not open as one is damaged: a refused --repair, a
        // wrong PIN, a read-only disk or a busy database keep their own message.
        Ok(Err(f)) => {
            return Err(match Store::open(cx.db) {
                Err(StoreError::Corrupt { detail, .. }) => damaged(detail),
                _ => f,
            });
        }
        Ok(Ok(r)) => r,
        Err(p) => {
            let what = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(damaged(what));
        }
    };
    let (report, fixed) = report;
    let out = cx.out();
    if a.format == ListFormat::Json {
        out.line(&crate::domain::text::json_pretty(&report));
    } else {
        if let Some(n) = fixed {
            out.line(&format!(
                "{} {n} {}",
                cx.t("Đã dựng lại", "Rebuilt"),
                cx.t("bản ghi tổng hợp.", "derived records.")
            ));
        }
        out.line(&format!(
            "{} {}: {} {}, {} {}, {} {}, {} {}, {} {}",
            cx.t("Kiểm tra", "Checked"),
            cx.db.display(),
            report.branches,
            cx.t("chi bộ", "branches"),
            report.groups,
            cx.t("tổ dân phố", "groups"),
            report.items,
            cx.t("mục", "items"),
            report.entries,
            cx.t("bản ghi", "entries"),
            report.audit,
            cx.t("dòng nhật ký", "audit records")
        ));
        if report.problems.is_empty() {
            out.line(cx.t("Không phát hiện lỗi.", "No problem found."));
        } else {
            out.line(&format!(
                "{} {}:",
                report.problems.len(),
                cx.t("lỗi", "problems")
            ));
            for p in &report.problems {
                out.line(&format!("  - {}", p.message(lang.is_en())));
            }
        }
    }
    if report.problems.is_empty() {
        return Ok(());
    }
    let all_derived = report
        .problems
        .iter()
        .all(crate::store::snapshot::repairable);
    Err(Failure {
        code: EXIT_DATA,
        message: if all_derived {
            cx.t(
                "Chỉ các bản ghi tổng hợp bị lệch (xem trên). Chạy `qcdc check --repair`: dựng lại chúng từ số liệu đã nhập, không mất gì.",
                "Only derived records are out of step (see above). Run `qcdc check --repair`: it rebuilds them from what was entered; nothing is lost.",
            )
        } else {
            cx.t(
                "Có bản ghi không đọc được (xem trên). Chưa sửa gì. Hãy sao một bản của thư mục trước; `qcdc export` vẫn lưu được phần đọc được; khôi phục bản sao lưu gần nhất (`qcdc restore`) sẽ mất các thay đổi sau bản đó.",
                "Some records cannot be read (see above). Nothing was changed. Copy the folder first; `qcdc export` still saves what can be read; restoring the latest backup (`qcdc restore`) loses the changes made since it.",
            )
        }
        .into(),
    })
}

fn rollup(cx: &Ctx, a: RollupArgs) -> CliResult {
    use crate::rollup::{Areas, Options, RollupError};
    let lang = cx.lang;
    let en = lang.is_en();
    let today = crate::service::local::today_from_env();
    let asked = match cx.period {
        None => None,
        Some(p) => Some(p.parse::<Period>().map_err(|_| {
            cx.data(
                format!("Kỳ báo cáo {p:?} không hợp lệ. Ghi theo dạng 2026, 2026-H1 hoặc 2026-Q3."),
                format!("Invalid period {p:?}. Use 2026, 2026-H1 or 2026-Q3."),
            )
        })?),
    };
    // The document's settings first: a bad file is said before minutes of reading.
    let doc = match a.format {
        RollupFormat::Docx => Some(doc_options(
            cx,
            settings_file(cx, a.settings.as_deref())?,
            &a.doc,
            today,
        )?),
        _ => None,
    };
    let areas = match &a.by {
        None => None,
        Some(f) => {
            let bytes = cx.read(f)?;
            Some(
                Areas::parse(&f.display().to_string(), &bytes)
                    .map_err(|p| cx.data(p.message(false), p.message(true)))?,
            )
        }
    };
    // A line on stderr, rewritten in place at a terminal; with --progress elsewhere, a
    // line a second at most.
    let tty = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let last = std::sync::Mutex::new(std::time::Instant::now());
    let show = |done: usize, total: usize| {
        let line = format!(
            "{} {done}/{total} {}…",
            cx.t("Đang tổng hợp", "Rolling up"),
            cx.t("tệp", "files")
        );
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        if tty {
            // Only a run long enough to wonder about.
            if started.elapsed() >= std::time::Duration::from_millis(500) || done == total {
                eprint!("\r{line}");
            }
        } else if done == total || last.elapsed() >= std::time::Duration::from_secs(1) {
            eprintln!("{line}");
            *last = std::time::Instant::now();
        }
    };
    let o = Options {
        period: asked,
        today,
        lang,
        keep_going: a.keep_going,
        threads: 2,
        areas: areas.as_ref(),
        total_label: a.total_label.clone(),
        progress: (tty || a.progress).then_some(&show as &(dyn Fn(usize, usize) + Sync)),
    };
    let result = crate::rollup::rollup_files(&a.files, &o);
    if tty && started.elapsed() >= std::time::Duration::from_millis(500) {
        eprintln!();
    }
    let r = match result {
        Ok(r) => r,
        Err(RollupError::Period(p)) => return Err(cx.data(p.message(false), p.message(true))),
        Err(RollupError::Files(failed)) => {
            let list: Vec<String> = failed.iter().map(|f| f.message(en)).collect();
            let head = if failed.len() == 1 {
                String::new()
            } else if a.keep_going {
                format!(
                    "{} ({}):\n  ",
                    cx.t(
                        "Không tệp nào tổng hợp được",
                        "None of the files could be rolled up"
                    ),
                    failed.len()
                )
            } else {
                format!(
                    "{} {} ({}):\n  ",
                    failed.len(),
                    cx.t(
                        "tệp không tổng hợp được; chưa ghi gì",
                        "files cannot be rolled up; nothing was written"
                    ),
                    cx.t(
                        "--keep-going để tổng hợp các tệp còn lại",
                        "--keep-going rolls up the others"
                    )
                )
            };
            let msg = format!("{head}{}", list.join("\n  "));
            return Err(Failure {
                code: EXIT_DATA,
                message: msg,
            });
        }
    };
    for f in &r.failed {
        eprintln!(
            "{}: {}",
            cx.t("Bỏ qua", "Left out"),
            text::printable(&f.message(en))
        );
    }
    if !r.unmatched.is_empty() {
        eprintln!(
            "{} ({}): {}",
            cx.t(
                "Tên trong tệp --by không khớp phường, xã hay tổ nào",
                "Names in the --by file that match nothing rolled up"
            ),
            r.unmatched.len(),
            text::printable(&r.unmatched.join("; "))
        );
    }
    let (bytes, binary) = match a.format {
        RollupFormat::Text => {
            let mut s = crate::rollup::rollup_text(&r, lang);
            s.push_str(&crate::export::figures::rollup_text(&r, lang));
            let s = if cx.ascii { text::to_ascii(&s) } else { s };
            (s.into_bytes(), false)
        }
        RollupFormat::Md => {
            let mut md = crate::rollup::rollup_md(&r, lang);
            md.push_str(&crate::export::figures::rollup_md(&r, lang));
            (md.into_bytes(), false)
        }
        RollupFormat::Json => {
            // Streamed: a province's roll-up is megabytes.
            return cx.emit_with(a.out.as_deref(), false, &mut |w| {
                let mut w = std::io::BufWriter::with_capacity(1 << 16, text::JsonSafe::new(w));
                serde_json::to_writer_pretty(&mut w, &r)?;
                w.write_all(b"\n")?;
                w.flush()
            });
        }
        RollupFormat::Xlsx => (
            crate::rollup::rollup_xlsx(&r, lang).map_err(|e| Failure {
                code: EXIT_OTHER,
                message: e.to_string(),
            })?,
            true,
        ),
        RollupFormat::Docx => {
            let o = match doc {
                Some(o) => o,
                None => doc_options(cx, settings_file(cx, None)?, &a.doc, today)?,
            };
            (
                crate::export::docx::rollup_docx(&r, &o, lang).map_err(|e| Failure {
                    code: EXIT_OTHER,
                    message: e,
                })?,
                true,
            )
        }
    };
    let _ = EXIT_BUSY;
    cx.emit(a.out.as_deref(), &bytes, binary)
}
