//! Saved segments on both backends.

pub(crate) mod postgres;
pub(crate) mod sqlite;
