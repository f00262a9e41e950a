//! Exit codes scripts can rely on, and failures that carry their message.
//!
//! `0` ok · `2` usage · `65` bad input data (nothing was written) · `75` the database is
//! busy (open in another process) or the entry changed under you · `77` not allowed (a
//! role that may not do this, a login refused or locked) · `1` anything else.
//! The same failure gets the same code whether the command ran directly or through the
//! ward server (the server sends the code with its error).

use crate::backup::BackupError;
use crate::service::ServiceError;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitCode {
    Ok,
    /// Anything else: a server that refused, a terminal error, a permission.
    Other,
    /// The command line itself is wrong (clap uses 2 too).
    Usage,
    /// The input data is wrong; nothing was written (`EX_DATAERR`).
    Data,
    /// Try again later: the database is busy, or the entry changed (`EX_TEMPFAIL`).
    Busy,
    /// Not allowed: the member's role, or a login refused or locked (`EX_NOPERM`).
    NoPerm,
}

impl ExitCode {
    pub const ALL: [ExitCode; 6] = [
        ExitCode::Ok,
        ExitCode::Other,
        ExitCode::Usage,
        ExitCode::Data,
        ExitCode::Busy,
        ExitCode::NoPerm,
    ];

    pub fn code(self) -> i32 {
        match self {
            ExitCode::Ok => 0,
            ExitCode::Other => 1,
            ExitCode::Usage => 2,
            ExitCode::Data => 65,
            ExitCode::Busy => 75,
            ExitCode::NoPerm => 77,
        }
    }

    /// The code a peer sent (the ward server's errors); unknown numbers are `Other`.
    pub fn from_code(n: i32) -> ExitCode {
        ExitCode::ALL
            .into_iter()
            .find(|c| c.code() == n)
            .unwrap_or(ExitCode::Other)
    }
}

impl From<&StoreError> for ExitCode {
    fn from(e: &StoreError) -> ExitCode {
        match e {
            StoreError::Locked { .. } | StoreError::Conflict { .. } => ExitCode::Busy,
            StoreError::Invalid(_) => ExitCode::Data,
            _ => ExitCode::Other,
        }
    }
}

impl From<&ServiceError> for ExitCode {
    fn from(e: &ServiceError) -> ExitCode {
        match e {
            ServiceError::Store(s) => ExitCode::from(s),
            ServiceError::Server { code, .. } => ExitCode::from_code(*code),
            ServiceError::Remote(_) => ExitCode::Other,
            ServiceError::Forbidden { .. }
            | ServiceError::LoginRefused(_)
            | ServiceError::LoginLocked(_) => ExitCode::NoPerm,
            ServiceError::LoginWait { .. } => ExitCode::Busy,
            ServiceError::Conflict { .. }
            | ServiceError::UndoMoved { .. }
            | ServiceError::FigureChanged { .. } => ExitCode::Busy,
            ServiceError::UnknownGroup(_)
            | ServiceError::AmbiguousGroup(..)
            | ServiceError::UnknownBranch(_)
            | ServiceError::UnknownItem(_)
            | ServiceError::Duplicate(..)
            | ServiceError::PeriodTooCoarse { .. }
            | ServiceError::StepNotInItem { .. }
            | ServiceError::Retired { .. }
            | ServiceError::StepNotTracked(_)
            | ServiceError::NotADecision(_)
            | ServiceError::WrongScope { .. }
            | ServiceError::BadCount(_)
            | ServiceError::Invalid { .. } => ExitCode::Data,
        }
    }
}

impl From<&BackupError> for ExitCode {
    fn from(e: &BackupError) -> ExitCode {
        match e {
            BackupError::Service(e) => ExitCode::from(e),
            BackupError::Locked { .. } => ExitCode::Busy,
            BackupError::Damaged { .. }
            | BackupError::Invalid { .. }
            | BackupError::NotADatabase { .. }
            | BackupError::NotConfirmed { .. } => ExitCode::Data,
            BackupError::Forbidden { .. } => ExitCode::NoPerm,
            BackupError::Io { .. } | BackupError::Interrupted { .. } => ExitCode::Other,
        }
    }
}

pub const EXIT_OK: ExitCode = ExitCode::Ok;
pub const EXIT_USAGE: ExitCode = ExitCode::Usage;
pub const EXIT_DATA: ExitCode = ExitCode::Data;
pub const EXIT_BUSY: ExitCode = ExitCode::Busy;
pub const EXIT_OTHER: ExitCode = ExitCode::Other;

/// A failure with its message already in the user's language.
#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
}

impl Failure {
    pub fn new(code: ExitCode, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    pub fn data(message: impl Into<String>) -> Failure {
        Failure::new(ExitCode::Data, message)
    }

    pub fn from_service(e: &ServiceError, lang: crate::i18n::Lang) -> Failure {
        Failure::new(ExitCode::from(e), e.message(lang))
    }

    pub fn from_store(e: StoreError, lang: crate::i18n::Lang) -> Failure {
        Failure::from_service(&ServiceError::Store(e), lang)
    }

    pub fn from_backup(e: &BackupError, lang: crate::i18n::Lang) -> Failure {
        Failure::new(ExitCode::from(e), e.message(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_are_other() {
        for c in ExitCode::ALL {
            assert_eq!(ExitCode::from_code(c.code()), c);
        }
        assert_eq!(ExitCode::from_code(3), ExitCode::Other);
    }

    #[test]
    fn a_server_error_keeps_the_code_the_server_sent() {
        let e = ServiceError::Server {
            code: 65,
            message: "x".into(),
        };
        assert_eq!(ExitCode::from(&e), ExitCode::Data);
    }
}
