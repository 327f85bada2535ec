//! Output directories written as a whole.
//!
//! A command (`run`, `compare`, `binpack`) writes its set of files into a temporary sibling of
//! the output directory, `.<name>.tmp-<pid>`, and [`OutputDir::commit`] puts the set in place:
//! 1. the old directory, if any, is renamed aside to `.<name>.old-<pid>`;
//! 2. the temporary directory is renamed to the output directory's name;
//! 3. entries of the old directory that belong to another command (`compare/` inside a run's
//!    directory) are moved across, and the old directory is removed.
//!
//! So a reader sees the old complete set or the new one, never a mix, and files of an earlier
//! run never stay beside the new ones (a rerun without `--events` leaves no `events.csv`).
//! Between steps 1 and 2 (a few microseconds) the output directory does not exist; a process
//! killed right there leaves the old set complete in `.<name>.old-<pid>`, and the next command
//! writing to the same place puts it back before it starts. The next command also removes
//! whatever else a killed one left: temporary directories, `*.tmp` files.
//!
//! A directory that holds files the command does not own (your own files, or a shared
//! directory such as `results/` for `binpack`), the current directory or one of its ancestors,
//! a symbolic link or a file-system root is never renamed. There the files are replaced one by
//! one, each atomically by a rename from a temporary directory inside it, and the command's
//! files that the new set lacks are removed; other files are left alone.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Prefix of the temporary directory made inside an output directory that is updated in place.
const INNER_TMP: &str = ".clustersim-tmp-";

/// How the output set reaches its directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Renamed into place as a whole from a sibling directory.
    Swap,
    /// File by file from a temporary directory inside the output directory.
    InPlace,
}

/// An output directory being written; its contents appear only on [`OutputDir::commit`].
pub struct OutputDir {
    target: PathBuf,
    staging: PathBuf,
    /// The output directory's parent and name (for the sibling temporary directories).
    parent: PathBuf,
    name: String,
    owned: &'static [&'static str],
    carried: &'static [&'static str],
    mode: Mode,
    committed: bool,
}

fn pid_of(suffix: &str) -> Option<u32> {
    suffix.parse().ok()
}

/// Is the process that made a temporary entry still running? (Linux: `/proc/<pid>`; elsewhere
/// every leftover counts as abandoned.)
fn alive(pid: u32) -> bool {
    pid != std::process::id() && Path::new("/proc").join(pid.to_string()).exists()
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn entry_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for e in fs::read_dir(dir)? {
        names.push(e?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// A file left by an interrupted [`crate::output::atomic::AtomicFile`]: `<name>.<pid>.tmp`.
fn atomic_leftover(name: &str) -> Option<u32> {
    let stem = name.strip_suffix(".tmp")?;
    pid_of(stem.rsplit_once('.')?.1)
}

impl OutputDir {
    /// Starts writing the files named `owned` for the directory `target`. Entries named in
    /// `carried` (another command's output kept inside this one) survive a commit. Leftovers of
    /// killed commands writing to the same place are cleaned up first.
    pub fn create(
        target: &Path,
        owned: &'static [&'static str],
        carried: &'static [&'static str],
    ) -> io::Result<Self> {
        let meta = fs::symlink_metadata(target);
        if let Ok(m) = &meta
            && !m.is_dir()
            && !m.file_type().is_symlink()
        {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not a directory", target.display()),
            ));
        }
        // `.`, `..` and `dir/..` have no usable name: name them by their real path.
        let named = if target.file_name().is_some() && !target.ends_with("..") {
            target.to_path_buf()
        } else {
            fs::canonicalize(target)?
        };
        let parent = named
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .map(Path::to_path_buf);
        let name = named
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut dir = OutputDir {
            target: target.to_path_buf(),
            staging: PathBuf::new(),
            parent: parent.clone().unwrap_or_default(),
            name,
            owned,
            carried,
            mode: Mode::Swap,
            committed: false,
        };
        if parent.is_none() || dir.name.is_empty() {
            dir.mode = Mode::InPlace;
        } else {
            fs::create_dir_all(&dir.parent).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot create the directory {}: {e}", dir.parent.display()),
                )
            })?;
            dir.recover_siblings()?;
        }
        match fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => dir.mode = Mode::InPlace,
            Ok(_) if dir.is_cwd_or_ancestor() || dir.has_foreign_entries()? => {
                dir.mode = Mode::InPlace
            }
            _ => {}
        }
        if target.is_dir() {
            dir.remove_inner_leftovers()?;
        }
        dir.staging = match dir.mode {
            Mode::Swap => dir.sibling("tmp", std::process::id()),
            Mode::InPlace => {
                fs::create_dir_all(target)?;
                target.join(format!("{INNER_TMP}{}", std::process::id()))
            }
        };
        remove_any(&dir.staging)?;
        fs::create_dir(&dir.staging)?;
        Ok(dir)
    }

    /// Where the command writes its files until [`OutputDir::commit`].
    pub fn path(&self) -> &Path {
        &self.staging
    }

    fn sibling(&self, kind: &str, pid: u32) -> PathBuf {
        self.parent.join(format!(".{}.{kind}-{pid}", self.name))
    }

    fn is_cwd_or_ancestor(&self) -> bool {
        match (std::env::current_dir(), fs::canonicalize(&self.target)) {
            (Ok(cwd), Ok(target)) => fs::canonicalize(cwd).is_ok_and(|c| c.starts_with(target)),
            _ => false,
        }
    }

    /// Does the output directory hold anything this command neither writes nor carries over?
    fn has_foreign_entries(&self) -> io::Result<bool> {
        if !self.target.is_dir() {
            return Ok(false);
        }
        Ok(entry_names(&self.target)?.iter().any(|n| {
            !self.owned.contains(&n.as_str())
                && !self.carried.contains(&n.as_str())
                && !n.starts_with(INNER_TMP)
                && atomic_leftover(n).is_none()
        }))
    }

    /// Cleans up after killed commands that wrote to the same place: removes abandoned
    /// temporary siblings, and puts back an old directory renamed aside but never replaced.
    fn recover_siblings(&self) -> io::Result<()> {
        let tmp = format!(".{}.tmp-", self.name);
        let old = format!(".{}.old-", self.name);
        for n in entry_names(&self.parent)? {
            let path = self.parent.join(&n);
            if let Some(pid) = n.strip_prefix(&tmp).and_then(pid_of) {
                if !alive(pid) {
                    remove_any(&path)?;
                }
            } else if let Some(pid) = n.strip_prefix(&old).and_then(pid_of) {
                if alive(pid) {
                    continue;
                }
                if fs::symlink_metadata(&self.target).is_err() {
                    // Killed between the two renames: the old set is complete; restore it.
                    fs::rename(&path, &self.target)?;
                } else {
                    // Killed after the new set was in place: bring back what was carried.
                    self.carry_over(&path)?;
                    remove_any(&path)?;
                }
            }
        }
        Ok(())
    }

    /// Removes temporary files and directories that killed commands left inside the output
    /// directory (from in-place updates, or from before output sets were written whole).
    fn remove_inner_leftovers(&self) -> io::Result<()> {
        for n in entry_names(&self.target)? {
            let pid = n
                .strip_prefix(INNER_TMP)
                .and_then(pid_of)
                .or_else(|| atomic_leftover(&n));
            if let Some(pid) = pid
                && !alive(pid)
            {
                remove_any(&self.target.join(&n))?;
            }
        }
        Ok(())
    }

    /// Moves the carried entries of `old` into the output directory, unless it has them.
    fn carry_over(&self, old: &Path) -> io::Result<()> {
        for c in self.carried {
            let (from, to) = (old.join(c), self.target.join(c));
            if fs::symlink_metadata(&from).is_ok() && fs::symlink_metadata(&to).is_err() {
                fs::rename(&from, &to)?;
            }
        }
        Ok(())
    }

    /// Puts the new set in place (see the module documentation).
    pub fn commit(mut self) -> io::Result<()> {
        let result = match self.mode {
            Mode::Swap if self.has_foreign_entries()? => self.replace_files(),
            Mode::Swap => self.swap(),
            Mode::InPlace => self.replace_files(),
        };
        if result.is_ok() {
            self.committed = true;
            // Best effort: make the renames durable.
            if let Ok(d) = fs::File::open(&self.parent) {
                let _ = d.sync_all();
            }
        }
        result
    }

    fn swap(&mut self) -> io::Result<()> {
        if fs::symlink_metadata(&self.target).is_err() {
            return fs::rename(&self.staging, &self.target);
        }
        let aside = self.sibling("old", std::process::id());
        remove_any(&aside)?;
        fs::rename(&self.target, &aside)?;
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            let _ = fs::rename(&aside, &self.target);
            return Err(e);
        }
        self.carry_over(&aside)?;
        remove_any(&aside)
    }

    /// File by file: each staged file renamed over its old version, owned files the new set
    /// lacks removed, then the staging directory.
    fn replace_files(&mut self) -> io::Result<()> {
        for name in self.owned {
            let (staged, target) = (self.staging.join(name), self.target.join(name));
            if staged.exists() {
                fs::rename(&staged, &target)?;
            } else {
                remove_any(&target)?;
            }
        }
        remove_any(&self.staging)
    }
}

impl Drop for OutputDir {
    /// An uncommitted set is removed, so a failed command leaves nothing half-written.
    fn drop(&mut self) {
        if !self.committed && !self.staging.as_os_str().is_empty() {
            let _ = remove_any(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNED: &[&str] = &["a.txt", "b.txt", "c.txt"];
    const CARRIED: &[&str] = &["nested"];

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("clustersim-outdir-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_set(target: &Path, files: &[(&str, &str)]) -> io::Result<()> {
        let out = OutputDir::create(target, OWNED, CARRIED)?;
        for (name, text) in files {
            fs::write(out.path().join(name), text).unwrap();
        }
        out.commit()
    }

    fn listing(dir: &Path) -> Vec<String> {
        entry_names(dir).unwrap()
    }

    #[test]
    fn a_new_set_replaces_the_old_one_whole_and_keeps_carried_entries() {
        let root = scratch("swap");
        let target = root.join("out");
        write_set(&target, &[("a.txt", "1"), ("b.txt", "1"), ("c.txt", "1")]).unwrap();
        fs::create_dir(target.join("nested")).unwrap();
        fs::write(target.join("nested/x"), "kept").unwrap();
        // The second set has no c.txt: the old one must not stay beside the new files.
        write_set(&target, &[("a.txt", "2"), ("b.txt", "2")]).unwrap();
        assert_eq!(listing(&target), ["a.txt", "b.txt", "nested"]);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "2");
        assert_eq!(fs::read_to_string(target.join("nested/x")).unwrap(), "kept");
        assert_eq!(listing(&root), ["out"], "no temporary sibling is left");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_uncommitted_set_leaves_nothing() {
        let root = scratch("drop");
        let target = root.join("out");
        write_set(&target, &[("a.txt", "1")]).unwrap();
        let out = OutputDir::create(&target, OWNED, CARRIED).unwrap();
        fs::write(out.path().join("a.txt"), "half").unwrap();
        drop(out);
        assert_eq!(listing(&root), ["out"]);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "1");
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn leftovers_of_killed_commands_are_cleaned_up_or_restored() {
        let root = scratch("recover");
        let target = root.join("out");
        // (sibling or inner leftover, what the next command must do with it). The pid is one no
        // process has: PIDs are far below u32::MAX.
        let dead = u32::MAX;
        fs::create_dir_all(root.join(format!(".out.tmp-{dead}"))).unwrap();
        let old = root.join(format!(".out.old-{dead}"));
        fs::create_dir_all(old.join("nested")).unwrap();
        fs::write(old.join("a.txt"), "old").unwrap();
        // Killed between the renames: no `out`, the old set aside. It is restored...
        let out = OutputDir::create(&target, OWNED, CARRIED).unwrap();
        assert_eq!(listing(&target), ["a.txt", "nested"]);
        drop(out);
        // ...and a leftover of an atomic file inside it is removed by the next command.
        fs::write(target.join(format!("b.txt.{dead}.tmp")), "x").unwrap();
        write_set(&target, &[("a.txt", "new")]).unwrap();
        assert_eq!(listing(&root), ["out"]);
        assert_eq!(listing(&target), ["a.txt", "nested"]);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn directories_with_other_files_are_updated_file_by_file() {
        let root = scratch("in-place");
        let target = root.join("shared");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("mine.txt"), "the user's").unwrap();
        write_set(&target, &[("a.txt", "1"), ("c.txt", "1")]).unwrap();
        write_set(&target, &[("a.txt", "2")]).unwrap();
        assert_eq!(listing(&target), ["a.txt", "mine.txt"]);
        assert_eq!(fs::read_to_string(target.join("a.txt")).unwrap(), "2");
        assert_eq!(listing(&root), ["shared"]);
        // A file where the directory should be is an error, not clobbered.
        let file = root.join("file");
        fs::write(&file, "x").unwrap();
        assert!(OutputDir::create(&file, OWNED, CARRIED).is_err());
        fs::remove_dir_all(&root).unwrap();
    }
}
