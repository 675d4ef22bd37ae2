//! The library half of the `witryna` command: the export and import format, so other
//! tools (and the fuzz targets) use the same code as the command.

pub mod transfer;

use witryna_core::Kinds;

/// The kinds the `witryna` command's site has: the built-in ones, and the accounts' kinds
/// (API tokens, users, sessions, setup links: stored, exported and imported, never shown).
pub fn kinds() -> Kinds {
    witryna_webhooks::kinds(witryna_accounts::kinds(Kinds::builtin()))
}
