//! `clustersim import`: Kubernetes manifests and a node list in, the equivalent native scenario
//! out, for editing. Running the written file gives the same results as a scenario that names
//! the manifests (`workloads: - manifests: [...]`, `cluster: {nodes: {manifests: ...}}`): both
//! go through the same translation (`scenario::manifests`).

use std::path::PathBuf;

use clap::Args;

use crate::cli::{Failure, print_out, print_warnings};
use crate::output::atomic::write_atomic;
use crate::scenario::yaml::{Located, LocatedKey, Node, Origin};
use crate::scenario::{self, InputErrors, emit, manifests};
use crate::time::SimDuration;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Manifest files or folders (multi-document YAML or JSON; folders are read recursively).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// A Node list (`kubectl get nodes -o yaml`); nodes alike in shape, labels and taints
    /// become one pool each.
    #[arg(long, value_name = "nodes.yaml")]
    pub nodes: Option<PathBuf>,
    /// The scenario file to write.
    #[arg(short = 'o', long = "output", value_name = "scenario.yaml")]
    pub output: PathBuf,
    /// The scenario's name [default: the output file's name].
    #[arg(long)]
    pub name: Option<String>,
    /// How long the scenario runs.
    #[arg(long, default_value = "24h", allow_hyphen_values = true, value_parser = crate::cli::until_arg)]
    pub duration: SimDuration,
    /// The scenario's seed.
    #[arg(long, default_value = "1", allow_negative_numbers = true, value_parser = crate::cli::seed_arg)]
    pub seed: u64,
    /// Run time of Job pods without a clustersim.io/duration annotation (a duration).
    #[arg(long, value_name = "DURATION", value_parser = job_duration_arg)]
    pub job_duration: Option<String>,
    /// Print nothing on success.
    #[arg(short, long)]
    pub quiet: bool,
}

const LABEL: &str = "clustersim import";

fn job_duration_arg(text: &str) -> Result<String, String> {
    crate::time::parse_duration(text).map(|_| text.to_string())
}

fn here(node: Node) -> Located {
    Located::new(node, Origin::File { line: 0, column: 0 })
}

fn key(name: &str) -> LocatedKey {
    LocatedKey {
        name: name.to_string(),
        origin: Origin::File { line: 0, column: 0 },
    }
}

fn path_node(p: &std::path::Path) -> Located {
    here(Node::Str(p.display().to_string()))
}

pub fn import(args: ImportArgs) -> Result<(), Failure> {
    let mut inputs = args.inputs.clone();
    inputs.extend(args.nodes.clone());
    super::check_output_file("-o", &args.output, &inputs)?;
    let name = args.name.clone().unwrap_or_else(|| {
        let stem = args
            .output
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem.is_empty() {
            "imported".into()
        } else {
            stem
        }
    });
    // The scenario a user would write to name the manifests, expanded like one.
    let mut entries = vec![
        (key("name"), here(Node::Str(name))),
        (key("seed"), here(Node::Int(i128::from(args.seed)))),
        (key("duration"), here(Node::Str(args.duration.to_string()))),
    ];
    let mut cluster = Vec::new();
    if let Some(nodes) = &args.nodes {
        cluster.push((
            key("nodes"),
            here(Node::Map(vec![(key("manifests"), path_node(nodes))])),
        ));
    }
    entries.push((key("cluster"), here(Node::Map(cluster))));
    let mut entry = vec![(
        key("manifests"),
        here(Node::Seq(
            args.inputs.iter().map(|p| path_node(p)).collect(),
        )),
    )];
    if let Some(d) = &args.job_duration {
        entry.push((key("job_duration"), here(Node::Str(d.clone()))));
    }
    entries.push((
        key("workloads"),
        here(Node::Seq(vec![here(Node::Map(entry))])),
    ));
    let mut root = here(Node::Map(entries));
    let (mut errors, mut notes, mut files) = (Vec::new(), Vec::new(), Vec::new());
    manifests::expand(&mut root, LABEL, None, &mut errors, &mut notes, &mut files);
    if !errors.is_empty() {
        return Err(InputErrors(errors).into());
    }
    let has_pools = matches!(
        root.get("cluster").and_then(|c| c.get("pools")).map(|p| &p.node),
        Some(Node::Seq(p)) if !p.is_empty()
    );
    if !has_pools {
        return Err(InputErrors::single(
            LABEL,
            "no nodes: give --nodes nodes.yaml (a Node list, as kubectl get nodes -o yaml \
             writes it), or include Node objects among the inputs",
        )
        .into());
    }
    let scenario = scenario::check_expanded(&root, LABEL, None)?;
    let mut text = header(&files);
    text.push_str(&emit::to_yaml(&root));
    write_atomic(&args.output, text.as_bytes())
        .map_err(|e| Failure::Internal(format!("cannot write {}: {e}", args.output.display())))?;
    let warnings: Vec<String> = notes.iter().map(|w| w.to_string()).collect();
    print_warnings(&warnings);
    if !args.quiet {
        print_out(&format!(
            "wrote {} ({} pools, {} workloads, {} priority classes, {} quotas)",
            args.output.display(),
            scenario.cluster.pools.len(),
            scenario.workloads.len(),
            scenario.priority_classes.len(),
            scenario.quotas.len()
        ));
    }
    Ok(())
}

/// The comment the file opens with: what made it, from which files (with their FNV-1a hashes).
fn header(files: &[PathBuf]) -> String {
    let mut out = format!(
        "# Written by clustersim {} import from Kubernetes manifests; edit freely.\n\
         # Each imported entry names the manifest it came from. Inputs (FNV-1a 64):\n",
        env!("CARGO_PKG_VERSION")
    );
    for f in files {
        let hash = std::fs::read(f)
            .map(|b| format!("{:016x}", crate::rng::fnv1a64(&b)))
            .unwrap_or_else(|_| "unreadable".into());
        out.push_str(&format!("#   {} {hash}\n", f.display()));
    }
    out
}
