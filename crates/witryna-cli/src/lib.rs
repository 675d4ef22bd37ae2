//! The library half of the `witryna` command: the export and import format, so other
//! tools (and the fuzz targets) use the same code as the command.

pub mod transfer;

use witryna_core::Kinds;
use witryna_http::auth::ApiToken;

/// The kinds the `witryna` command's site has: the built-in ones, and API tokens (stored,
/// exported and imported, never shown).
pub fn kinds() -> Kinds {
    Kinds::builtin().with_internal::<ApiToken>()
}
