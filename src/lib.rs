//! clustersim: a discrete-event simulator of Kubernetes-style clusters.
//!
//! # Concepts
//! - A [`scenario::Scenario`] describes a cluster (zones, node pools), a scheduler policy and
//!   workloads. It is loaded from YAML by [`scenario::load_file`] / [`scenario::load_str`], which
//!   report every error with file, line, column and field path.
//! - [`sim::run`] replays it in virtual time: integer milliseconds, an event list ordered by
//!   `(time, sequence)` ([`engine::EventQueue`]), and one scheduling pass after each instant.
//! - The scheduler ([`scheduler`]) follows the Kubernetes scheduling framework: filters, scores
//!   (0–100, weighted), select; policies are plug-ins looked up by name.
//! - Every random component draws from its own named stream ([`rng::stream`]), so the same
//!   scenario and seed reproduce byte for byte.
//! - Each event has one owner: a control loop in [`controllers`] (Batch arrivals, trace rows,
//!   Deployments), the [`kubelet`] (what happens to a pod on its node) or the [`cloud`] (node
//!   launches, spot interruptions, failures, outages, prices). [`sim`] only routes events and
//!   runs the scheduling pass; owners change the cluster through a [`sim::Context`].
//! - The cluster's state and the types describing it are in [`model`]; the layers above it
//!   ([`scheduler`], [`controllers`], [`scenario`]) depend on it, never the reverse.
//! - [`metrics`] integrates the state over time; [`output`] writes `summary.json`,
//!   `timeseries.csv`, `events.csv` and plots, each file atomically.
//!
//! # Example
//! ```
//! use clustersim::scenario::load_str;
//! use clustersim::sim::{RunOptions, run};
//!
//! let yaml = r#"
//! name: tiny
//! duration: 1h
//! cluster:
//!   pools:
//!     - { name: general, node: { cpu: 4, memory: 16Gi }, price_per_hour: 0.2, count: 2 }
//! workloads:
//!   - name: web
//!     kind: Deployment
//!     replicas: 3
//!     requests: { cpu: 1, memory: 1Gi }
//! "#;
//! let scenario = load_str(yaml, "tiny.yaml", None, &[]).expect("valid scenario");
//! let result = run(&scenario, RunOptions::default()).expect("runs");
//! assert_eq!(result.summary["deployments"]["web"]["availability"], 1.0);
//! // Two nodes at $0.20 an hour for one hour.
//! assert!((result.summary["cost"]["total_usd"].as_f64().unwrap() - 0.4).abs() < 1e-9);
//! ```

pub mod binpack;
pub mod cli;
pub mod cloud;
pub mod controllers;
pub mod convert;
pub mod cron;
pub mod dist;
pub mod engine;
pub mod kubelet;
pub mod metrics;
pub mod model;
pub mod output;
pub mod progress;
pub mod quantity;
pub mod reference_models;
pub mod research;
pub mod rng;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod suggest;
pub mod theory;
pub mod time;
