//! Research experiments that reproduce published results.

pub mod grid;
pub mod saturate;
