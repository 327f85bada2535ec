//! clustersim: a discrete-event simulator of Kubernetes-style clusters.

pub mod dist;
pub mod engine;
pub mod output;
pub mod quantity;
pub mod rng;
pub mod scenario;
pub mod suggest;
pub mod time;
