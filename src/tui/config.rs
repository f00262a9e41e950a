//! The TUI's config file: `<platform config dir>/config.toml`.
//!
//! ```toml
//! mouse = true            # click to select, wheel to scroll
//! [keys]
//! toggle = ["space", "t"] # replaces the defaults of that action
//! [theme]
//! accent = "blue"         # any of the 16 palette colours
//! ```

use super::keymap::{Keymap, KeymapError};
use super::theme::ThemeConfig;
use crate::i18n::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "yes")]
    pub mouse: bool,
    #[serde(default)]
    pub keys: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    pub theme: ThemeConfig,
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mouse: true,
            keys: BTreeMap::new(),
            theme: ThemeConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {source}")]
    Keys { path: String, source: KeymapError },
    #[error("{path}: unknown colour in {what}")]
    Colour { path: String, what: String },
}

impl ConfigError {
    pub fn message(&self, lang: Lang) -> String {
        let head = lang.t("Tệp cấu hình có lỗi", "The config file has an error");
        let body = match self {
            ConfigError::Parse { path, message } => format!("{path}: {message}"),
            ConfigError::Keys { path, source } => format!("{path}: {}", source.message(lang)),
            ConfigError::Colour { path, what } => format!(
                "{path}: {} {what}",
                lang.t("tên màu không hợp lệ ở", "unknown colour in")
            ),
        };
        format!(
            "{head}: {body}. {}",
            lang.t(
                "Sửa hoặc xóa tệp rồi mở lại.",
                "Fix or remove the file, then start again."
            )
        )
    }
}

pub fn default_path() -> Option<PathBuf> {
    std::env::var_os("QCDC_CONFIG")
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("vn", "qcdc", "qcdc")
                .map(|d| d.config_dir().join("config.toml"))
        })
}

impl Config {
    /// Read the config file; a missing file is the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let src = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(ConfigError::Parse {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        let src = String::from_utf8(src).map_err(|_| ConfigError::Parse {
            path: path.display().to_string(),
            message: "not UTF-8".into(),
        })?;
        Config::parse(&path.display().to_string(), &src)
    }

    pub fn parse(path: &str, src: &str) -> Result<Config, ConfigError> {
        toml::from_str(src).map_err(|e: toml::de::Error| ConfigError::Parse {
            path: path.to_string(),
            message: e.message().to_string(),
        })
    }

    pub fn keymap(&self, path: &str) -> Result<Keymap, ConfigError> {
        let o: BTreeMap<String, Vec<String>> = self
            .keys
            .iter()
            .map(|(k, v)| (k.clone(), v.list()))
            .collect();
        Keymap::build(&o).map_err(|source| ConfigError::Keys {
            path: path.to_string(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicting_bindings_are_named_in_the_error() {
        let c = Config::parse("c.toml", "[keys]\ntoggle = \"q\"\n").unwrap();
        let e = c.keymap("c.toml").unwrap_err();
        let m = e.message(Lang::En);
        assert!(
            m.contains("quit") && m.contains("toggle") && m.contains("c.toml"),
            "{m}"
        );
    }

    #[test]
    fn unknown_settings_are_rejected() {
        assert!(Config::parse("c.toml", "mose = false\n").is_err());
        let c = Config::parse("c.toml", "mouse = false\n[theme]\naccent = \"blue\"\n").unwrap();
        assert!(!c.mouse);
    }

    #[test]
    fn missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(Some(&dir.path().join("none.toml"))).unwrap();
        assert!(c.mouse);
    }
}
