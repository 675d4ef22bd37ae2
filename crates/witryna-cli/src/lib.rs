//! The library half of the `witryna` command: the export and import format, so other
//! tools (and the fuzz targets) use the same code as the command.

pub mod transfer;
