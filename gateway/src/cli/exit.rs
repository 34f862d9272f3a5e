//! Exit codes (sysexits, design.md §5) and the one-line reason printed on stderr.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Usage = 2,
    DataRejected = 65,
    Unavailable = 69,
    Internal = 70,
    Io = 74,
    Config = 78,
}

/// A failed command: its exit code and a one-line reason.
#[derive(Debug)]
pub struct CliError {
    pub exit: Exit,
    pub reason: String,
}

impl CliError {
    pub fn new(exit: Exit, reason: impl Into<String>) -> Self {
        CliError {
            exit,
            reason: reason.into(),
        }
    }
}

impl From<crate::config::ConfigError> for CliError {
    fn from(e: crate::config::ConfigError) -> Self {
        CliError::new(Exit::Config, format!("configuration: {e}"))
    }
}

impl From<crate::startup::StartError> for CliError {
    fn from(e: crate::startup::StartError) -> Self {
        let exit = match &e {
            crate::startup::StartError::Store(_) => Exit::Unavailable,
            crate::startup::StartError::Bind { .. } => Exit::Unavailable,
            crate::startup::StartError::DataDir(..) => Exit::Io,
            crate::startup::StartError::Tls(_) => Exit::Config,
            crate::startup::StartError::Validation(_) => Exit::Config,
        };
        CliError::new(exit, e.to_string())
    }
}

pub fn code(exit: Exit) -> ExitCode {
    ExitCode::from(exit as u8)
}
