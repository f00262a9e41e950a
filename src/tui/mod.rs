//! The terminal interface.

use crate::cli::Failure;
use crate::domain::audit::Actor;
use crate::i18n::Lang;
use std::path::PathBuf;

pub struct Launch {
    pub db: PathBuf,
    pub actor: Actor,
    pub lang: Lang,
    pub ascii: bool,
    pub branch: Option<String>,
    pub period: Option<String>,
    pub demo: bool,
}

pub fn launch(_l: Launch) -> Result<(), Failure> {
    Err(Failure {
        code: 1,
        message: "TUI not built yet".into(),
    })
}
