//! # witryna-admin
//!
//! The editor interface of Witryna, mounted at `/admin`: Polish, server-rendered, every
//! task done with plain HTML forms (JavaScript only enhances), checked with axe-core.

pub mod checks;
pub mod diff;
pub mod form;
