//! Writing results: atomic files, CSV and JSON, plots, terminal tables.

pub mod atomic;
