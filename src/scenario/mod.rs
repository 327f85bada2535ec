//! Scenario files: YAML in, a validated [`Scenario`] out.
//!
//! Loading happens in three steps, so every error can name its file, line, column and field:
//! 1. `yaml`: parse the text into a tree whose every node knows its line and column;
//! 2. `overrides`: apply `--set PATH=VALUE` overrides to the tree;
//! 3. `parse`: walk the tree into the typed model, collecting every error instead of stopping
//!    at the first, then check cross-references (zones, names) and load trace files.

pub mod error;
pub mod model;

pub use error::{InputError, InputErrors};
pub use model::*;
