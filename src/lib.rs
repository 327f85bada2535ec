//! clustersim: a discrete-event simulator of Kubernetes-style clusters.

pub mod cli;
pub mod dist;
pub mod engine;
pub mod metrics;
pub mod model;
pub mod output;
pub mod progress;
pub mod quantity;
pub mod reference_models;
pub mod rng;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod suggest;
pub mod theory;
pub mod time;
pub mod workload;
