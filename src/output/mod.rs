//! Writing results: output directories written as a whole, atomic files, CSV and JSON, plots,
//! terminal tables.

pub mod atomic;
pub mod dir;
pub mod event_log;
pub mod plot;
pub mod report;
pub mod run_report;
pub mod table;
