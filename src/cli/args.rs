//! The command line. This is what users script against: keep it stable.

use crate::i18n::Lang;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "qcdc",
    version,
    about = "Theo dõi thực hiện dân chủ ở cơ sở (Luật 10/2022/QH15) cho phường và tổ dân phố\n\
             Grassroots democracy checklists for a ward and its residential groups",
    long_about = None
)]
pub struct Cli {
    /// Cơ sở dữ liệu / database folder [default: the platform data directory]
    #[arg(long, global = true, env = "QCDC_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Ngôn ngữ / language
    #[arg(long, global = true, env = "QCDC_LANG", value_enum, default_value_t = Lang::Vi)]
    pub lang: Lang,

    /// Người đang làm việc (ghi vào nhật ký) / who is working (recorded in the audit log)
    #[arg(long = "as", global = true, env = "QCDC_MEMBER", value_name = "NAME")]
    pub member: Option<String>,

    /// Chỉ dùng ký tự ASCII, hiện tiếng Việt không dấu / ASCII only, Vietnamese without diacritics
    #[arg(long, global = true)]
    pub ascii: bool,

    /// Giao diện: mở ở chi bộ này / TUI: open on this branch
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,

    /// Kỳ báo cáo / reporting period: 2026, 2026-H1, 2026-Q3
    #[arg(long, global = true, value_name = "P")]
    pub period: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tạo cơ sở dữ liệu mới / create a database
    Init(InitArgs),
    /// Mở giao diện trên phường mẫu (CSDL riêng) / open the TUI on the demo ward (separate database)
    Demo {
        /// Mở ở chi bộ này / open on this branch
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
    },
    /// Chi bộ / Party branches
    #[command(subcommand)]
    Branch(BranchCmd),
    /// Tổ dân phố / residential groups
    #[command(subcommand)]
    Group(GroupCmd),
    /// Nhập danh sách / import a roster
    #[command(subcommand)]
    Import(ImportCmd),
    /// Danh mục việc của một tổ / a group's checklist
    Items(ItemsArgs),
    /// Đánh dấu một bước / mark a step
    Mark(MarkArgs),
    /// Ghi kết quả họp, phát phiếu / record a meeting or ballot
    Vote(VoteArgs),
    /// Việc đến hạn và quá hạn, sớm nhất trước / what falls due and what is late
    Due(DueArgs),
    /// Việc phát sinh: đăng ký khi có / items that arise: register an occurrence
    #[command(subcommand)]
    Event(EventCmd),
    /// Báo cáo / report
    Report(ReportArgs),
    /// Nhật ký thay đổi / audit trail
    Log(LogArgs),
    /// Hoàn tác thay đổi gần nhất của bạn / undo your last change
    Undo(UndoArgs),
    /// Làm lại thay đổi vừa hoàn tác / redo the change you just undid
    Redo(UndoArgs),
    /// Xuất toàn bộ CSDL ra JSON / export the whole database as JSON
    Export(ExportArgs),
    /// Bộ mục: xem, thêm mục của phường, thôi áp dụng / the checklist template
    #[command(subcommand)]
    Template(TemplateCmd),
    /// Sao lưu / write a consistent backup
    Backup(BackupArgs),
    /// Khôi phục từ bản sao lưu / restore from a backup
    Restore(RestoreArgs),
    /// Kiểm tra CSDL / verify a database
    Check(CheckArgs),
    /// Tổng hợp nhiều phường / roll several wards up into one summary
    Rollup(RollupArgs),
    /// Tạo dữ liệu thử tải / generate a synthetic ward for the benchmarks
    #[command(hide = true)]
    BenchGen {
        /// Số tổ / number of groups
        #[arg(long)]
        groups: u32,
        /// Số quý liên tiếp (đến 2026-Q4) / consecutive quarters (ending 2026-Q4)
        #[arg(long, default_value_t = 4)]
        periods: u32,
        /// Kilobytes of records per sled batch (see BENCHMARKS.md for how batch size
        /// moves memory and time)
        #[arg(long, default_value_t = 256)]
        batch_kb: usize,
    },
    /// Thành viên và quyền / members and roles
    #[command(subcommand)]
    Member(MemberCmd),
    /// Thiết lập văn bản: thể thức, cơ quan ban hành, số, người ký, nơi nhận / how the
    /// ward signs its documents
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Phần viết của báo cáo kỳ --period: đánh giá chung, hạn chế, nhiệm vụ, kiến nghị /
    /// the report's written sections for --period
    #[command(subcommand)]
    Narrative(NarrativeCmd),
    /// Biên bản điền sẵn từ minh chứng: niem-yet, ket-thuc-niem-yet, hop (.docx) /
    /// minutes filled in from an entry's evidence (.docx)
    Document(DocumentArgs),
    /// Chỉ tiêu đếm được (đơn thư, đối thoại, đóng góp…) của một tổ hoặc phường, theo quý
    /// --period / counted figures of a group or the ward, per quarter --period
    #[command(subcommand)]
    Figure(FigureCmd),
    /// Máy chủ phường: nhiều người dùng chung một CSDL / the ward server: several users on one database
    // Unix only (Unix sockets, the caller's account from the kernel). Kept, hidden, on
    // Windows so that `qcdc serve` there says why it is missing rather than "no such
    // command".
    #[command(hide = cfg!(not(unix)))]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Tên phường / ward name
    #[arg(long, required_unless_present = "demo", conflicts_with = "demo")]
    pub ward: Option<String>,
    /// 4 bước (dân biết, bàn, làm, kiểm tra) hoặc 6 bước (+ giám sát, thụ hưởng)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(4..=6))]
    pub steps: u8,
    /// Nạp phường mẫu / load the demo ward
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum BranchCmd {
    /// Thêm chi bộ / add a branch
    Add { name: String },
    /// Danh sách chi bộ / list branches
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum GroupCmd {
    /// Thêm tổ dân phố / add a group
    Add {
        name: String,
        /// Chi bộ / branch
        #[arg(long, value_name = "B")]
        branch: String,
        /// Số hộ / number of households
        #[arg(long)]
        households: u32,
        /// Tổ trưởng / group leader
        #[arg(long, default_value = "")]
        leader: String,
        /// Trưởng ban công tác Mặt trận / front committee head
        #[arg(long, default_value = "")]
        front_head: String,
    },
    /// Danh sách tổ / list groups
    List(ListArgs),
}

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Nhập chi bộ và tổ từ CSV (cột: chi bộ, tổ dân phố, số hộ, tổ trưởng)
    Groups {
        file: PathBuf,
        /// Chỉ xem sẽ thay đổi gì / show what would change, write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Nhập toàn bộ CSDL từ tệp JSON (vào CSDL trống) / a whole database from a JSON export (into an empty one)
    Database { file: PathBuf },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Ghi ra tệp / write to a file
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum TemplateCmd {
    /// Danh sách mục / list the items
    List {
        /// Cả mục đã thôi áp dụng / retired items too
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Thêm mục của phường từ tệp TOML / add the ward's own items from a TOML file
    Add {
        #[arg(required_unless_present = "built_in")]
        file: Option<PathBuf>,
        /// Thêm các mục có sẵn của qcdc mà phường chưa có (mục mới của bản này) / add
        /// the built-in items this ward does not have yet (new in this version)
        #[arg(long, conflicts_with = "file")]
        built_in: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Thôi áp dụng một mục (giữ số liệu) / retire an item (its history is kept)
    Retire {
        code: String,
        /// Từ kỳ / from the period [default: this quarter]
        #[arg(long, value_name = "P")]
        from: Option<String>,
    },
    /// Áp dụng lại / reinstate a retired item
    Reinstate { code: String },
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Thư mục sao lưu / backup folder [default: beside the database]
    pub dir: Option<PathBuf>,
    /// Giữ N bản gần nhất / keep the last N backups
    #[arg(long, default_value_t = 14)]
    pub keep: usize,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Tệp sao lưu / the backup file
    pub file: PathBuf,
    /// Không hỏi khi bản sao lưu là của phường khác hoặc không có thành viên / do not ask
    /// when the backup is another ward's or has no members
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
    /// Dựng lại số liệu tổng hợp và chỉ mục từ các bản ghi, rồi kiểm tra / rebuild the
    /// summaries and the name index from the records, then check
    #[arg(long)]
    pub repair: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RollupFormat {
    Text,
    Json,
    Md,
    Xlsx,
    /// Văn bản Word theo thể thức hành chính / a Word document in the administrative format
    Docx,
}

#[derive(Debug, Args)]
pub struct RollupArgs {
    /// Tệp xuất (hoặc báo cáo JSON) của các phường, xã / the wards' export files (or
    /// JSON reports)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = RollupFormat::Text)]
    pub format: RollupFormat,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Nhóm theo khu vực: tệp TOML/CSV phường, xã → khu vực, hoặc tổ dân phố → khu phố /
    /// phường cũ / group by area: a TOML or CSV file mapping wards to areas, or groups to
    /// khu phố or former wards
    #[arg(long, value_name = "FILE")]
    pub by: Option<PathBuf>,
    /// Tên dòng tổng (mặc định "TỔNG CỘNG"; ví dụ "TOÀN TỈNH") / the total row's label
    #[arg(long, value_name = "TEXT")]
    pub total_label: Option<String>,
    /// Tổng hợp các tệp đọc được, liệt kê tệp lỗi / roll up what can be read and list
    /// the files that cannot (default: nothing unless every file is good)
    #[arg(long)]
    pub keep_going: bool,
    /// Hiện tiến độ trên stderr (tự bật khi là màn hình) / show progress on stderr
    /// (on by itself at a terminal)
    #[arg(long)]
    pub progress: bool,
    /// (docx) Tệp TOML thiết lập văn bản của cơ quan tổng hợp (style, superior, issuer,
    /// number, place, signer-for, signer-title, signer-name, recipients) / the rolling-up
    /// body's document settings, as a TOML file
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    #[command(flatten)]
    pub doc: DocArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ItemsArgs {
    /// Tên tổ dân phố, hoặc "phuong" cho việc cấp phường / group name, or "ward"
    pub group: String,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct MarkArgs {
    pub group: String,
    pub item: String,
    /// biet ban lam kiemtra giamsat thuhuong
    pub step: String,
    /// todo doing done na
    pub status: String,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct VoteArgs {
    pub group: String,
    pub item: String,
    /// Tổng số hộ [mặc định: số hộ của tổ] / all households [default: the group's]
    #[arg(long)]
    pub households: Option<u32>,
    /// Số hộ dự / households present (or ballots returned)
    #[arg(long)]
    pub present: u32,
    /// Số hộ đồng ý / households agreeing
    #[arg(long)]
    pub agree: u32,
    /// Ngày họp / meeting date (2026-08-10 or 10/08/2026)
    #[arg(long)]
    pub date: Option<String>,
    /// meeting | ballot | online
    #[arg(long, default_value = "meeting")]
    pub form: String,
    /// Cuộc họp dự kiến (ngày sau hôm nay) / a planned meeting (a date after today)
    #[arg(long)]
    pub planned: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DueArgs {
    #[command(subcommand)]
    pub action: Option<DueCmd>,
    /// Số ngày tới / days ahead
    #[arg(long, default_value_t = 14)]
    pub days: u32,
    /// Chỉ một tổ ("phuong" cho cấp phường) / one group only ("ward")
    #[arg(long, value_name = "G")]
    pub group: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// Recording a law deadline as done (issue 13), so the agenda and the report's late
/// list stay true.
#[derive(Debug, Subcommand)]
pub enum DueCmd {
    /// Ghi một hạn theo luật là đã làm (mã hạn như trong `qcdc due`: send-result,
    /// meeting-notice, disclose…) / record a law deadline as done (its code as `qcdc due`
    /// shows it)
    Done(DueDoneArgs),
    /// Bỏ ghi đã làm của một hạn / take back a deadline recorded done
    Undo(DueUndoArgs),
}

#[derive(Debug, Args)]
pub struct DueDoneArgs {
    /// Tổ dân phố ("phuong" cho việc cấp phường) / group ("ward" for ward items)
    pub group: String,
    /// Mã mục hoặc lần phát sinh, ví dụ BQ-01, BQ-01#2 / item code or occurrence key
    pub item: String,
    /// Mã hạn, ví dụ send-result / the deadline's code
    pub code: String,
    /// Ngày đã làm, mặc định hôm nay / the day it was done, today by default
    #[arg(long, value_name = "NGÀY")]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct DueUndoArgs {
    /// Tổ dân phố ("phuong" cho việc cấp phường) / group ("ward" for ward items)
    pub group: String,
    /// Mã mục hoặc lần phát sinh / item code or occurrence key
    pub item: String,
    /// Mã hạn / the deadline's code
    pub code: String,
}

#[derive(Debug, Subcommand)]
pub enum EventCmd {
    /// Đăng ký một lần phát sinh (quyết định, hỗ trợ, dự án, bầu cử…): từ đó mục mới
    /// được tính và theo dõi hạn / register an occurrence; only then is the item counted
    Add(EventAddArgs),
}

#[derive(Debug, Args)]
pub struct EventAddArgs {
    /// Tổ dân phố ("phuong" cho việc cấp phường) / group ("ward" for ward items)
    pub group: String,
    /// Mã mục, ví dụ BQ-01 / item code
    pub item: String,
    /// Ngày phát sinh / the day it arose (2026-08-10 or 10/08/2026)
    #[arg(long)]
    pub date: String,
    /// Tên việc, ví dụ "Đường hẻm 12" / what it is
    #[arg(long)]
    pub title: Option<String>,
    /// (BQ-04, BQ-05) Cho thôi, không phải bầu: sau khi cho thôi Tổ trưởng, UBND phường
    /// quyết định bầu mới trong 60 ngày (NĐ 59/2023 Điều 9 khoản 3) / a removal, not an
    /// election
    #[arg(long)]
    pub removal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Csv,
    Md,
    Xlsx,
    /// Văn bản Word theo thể thức hành chính / a Word document in the administrative format
    Docx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Báo cáo của một chi bộ (các tổ của chi bộ, không gồm việc cấp phường); tên không
    /// cần dấu, có thể bỏ "Chi bộ" / one Party branch's report (its groups, without the
    /// ward's own items); the name without diacritics or "Chi bộ" will do
    #[arg(long, value_name = "CHI BỘ")]
    pub branch: Option<String>,
    /// Ghi ra tệp / write to a file
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Số dòng tối đa mỗi danh sách (quá hạn, biểu quyết, cuộc họp, tổ chưa xong); 0 là
    /// tất cả / most rows per list (overdue, votes, meetings, groups pending); 0 for all
    #[arg(long, value_name = "N", default_value_t = crate::service::engine::DEFAULT_LIMIT)]
    pub limit: usize,
    /// (csv) rfc4180 cho chương trình (mặc định) · vi-vn cho Excel/LibreOffice tiếng Việt: dấu ';'
    /// và dấu phẩy thập phân / rfc4180 for programs (default), vi-vn for a Vietnamese spreadsheet
    #[arg(long, value_name = "KIỂU", default_value = "rfc4180")]
    pub csv: CsvArg,
    #[command(flatten)]
    pub doc: DocArgs,
}

/// What one Word document may set besides the saved settings.
#[derive(Debug, Args)]
pub struct DocArgs {
    /// (docx) Số văn bản, thay thiết lập / document number, for this document
    #[arg(long, value_name = "SỐ")]
    pub number: Option<String>,
    /// (docx) Ngày ký, mặc định hôm nay / the date written on it, today by default
    #[arg(long, value_name = "DD/MM/YYYY")]
    pub date: Option<String>,
    /// (docx) Người ký, thay thiết lập / the signer's name, for this document
    #[arg(long, value_name = "TÊN")]
    pub signer: Option<String>,
    /// (docx) party | state: thể thức của Đảng hay của chính quyền / Party or state format
    #[arg(long, value_name = "KIỂU")]
    pub style: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvArg {
    Rfc4180,
    #[value(name = "vi-vn")]
    ViVn,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Xem thiết lập / show the settings
    Show(ListArgs),
    /// Đặt một thiết lập (style, superior, issuer, number, place, signer-for, signer-title,
    /// signer-name, recipients — phân cách bằng ';') / set one setting
    Set { key: String, value: String },
}

#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// Tổ dân phố (hoặc "phường" cho việc cấp phường) / the group ("phường": the ward)
    pub group: String,
    /// Mã nội dung, ví dụ CK-01, BQ-01 / the item's code
    pub item: String,
    /// niem-yet | ket-thuc-niem-yet | hop
    #[arg(long, value_name = "LOẠI")]
    pub kind: String,
    /// Ghi ra tệp .docx / write to this file
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Ngày ghi trên biên bản, mặc định hôm nay / the date written on it, today by default
    #[arg(long, value_name = "DD/MM/YYYY")]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FigureCmd {
    /// Các chỉ tiêu và số liệu của kỳ: toàn phường, hoặc của một tổ ("phuong": cấp
    /// phường) / the figures of the period: the whole ward's, or one group's
    List {
        group: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Ghi số liệu của một tổ (hoặc "phuong") cho quý --period / record a group's (or the
    /// ward's) value for the quarter --period
    Set {
        group: String,
        /// Mã chỉ tiêu (DON-01) hoặc đầu tên / the figure's code or the start of its title
        code: String,
        /// Số nguyên không âm; "1.500.000" được / a whole number of 0 or more
        #[arg(allow_hyphen_values = true)]
        value: String,
    },
    /// Xoá số liệu đã ghi / remove a recorded value
    Clear { group: String, code: String },
}

#[derive(Debug, Subcommand)]
pub enum NarrativeCmd {
    /// Xem các phần đã viết / show the written sections
    Show(ListArgs),
    /// Viết một phần (danh-gia, han-che, nhiem-vu, kien-nghi): từ --file, từ stdin
    /// (--file -) hoặc mở trình soạn thảo ($VISUAL, $EDITOR) / write one section: from
    /// --file, stdin (--file -) or the editor
    Set {
        section: String,
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Xoá một phần / clear one section
    Clear { section: String },
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// Chỉ khi thay đổi thuộc tổ này; nếu không, hỏi trước / only if the change is in this
    /// group; else ask first (refused without a terminal unless --yes)
    #[arg(long, value_name = "G")]
    pub group: Option<String>,
    /// Không hỏi / do not ask
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[arg(long)]
    pub group: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum MemberCmd {
    /// Thêm hoặc sửa thành viên / add or replace a member
    Add {
        name: String,
        /// admin | branch | group | viewer
        #[arg(long)]
        role: String,
        /// Chi bộ (cho biên tập chi bộ), có thể lặp lại / branch (for a branch editor), repeatable
        #[arg(long = "branch", value_name = "B")]
        branches: Vec<String>,
        /// Tổ (cho tổ trưởng) / group (for a group leader), repeatable
        #[arg(long = "group", value_name = "G")]
        groups: Vec<String>,
        /// Tài khoản Unix trên máy chủ phường / the Unix account on the ward server
        #[arg(long, value_name = "U")]
        unix_user: Option<String>,
        /// Đặt mã PIN (hỏi khi chạy, hoặc lấy từ QCDC_NEW_PIN) / set a PIN (asked, or from QCDC_NEW_PIN)
        #[arg(long)]
        pin: bool,
    },
    /// Danh sách thành viên / list members
    List(ListArgs),
    /// Mở khóa thành viên bị khóa do nhập sai PIN / unlock a member locked out by wrong PINs
    Unlock { name: String },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Ổ cắm Unix / the Unix socket [default: <db>.sock]
    #[arg(long, env = "QCDC_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Sao lưu hằng ngày vào thư mục này / daily backups into this folder
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
}
