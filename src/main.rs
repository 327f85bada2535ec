//! The `clustersim` command: a thin front end over [`clustersim::cli`].

fn main() -> std::process::ExitCode {
    clustersim::cli::main()
}
