//! Editor accounts (in progress).
