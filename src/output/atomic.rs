//! Atomic file writes: write to a temporary file beside the target, then rename.
//!
//! An interrupted run leaves either the previous file or a `*.tmp` file, never a truncated file
//! under the real name.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written; it appears under its real name only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: impl AsRef<Path>) -> io::Result<Self> {
        let target = target.as_ref().to_path_buf();
        if let Some(dir) = target.parent()
            && !dir.as_os_str().is_empty()
        {
            fs::create_dir_all(dir)?;
        }
        let mut temp_name = target.file_name().unwrap_or_default().to_os_string();
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = target.with_file_name(temp_name);
        let writer = BufWriter::with_capacity(1 << 16, File::create(&temp)?);
        Ok(AtomicFile {
            target,
            temp,
            writer: Some(writer),
        })
    }

    /// Flushes, syncs and renames the file into place. On failure (a full disk at the flush, a
    /// rename refused) the temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let result = self.finish();
        if result.is_err() {
            let _ = fs::remove_file(&self.temp);
        }
        result
    }

    fn finish(&mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("writer present until commit");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&self.temp, &self.target)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer
            .as_mut()
            .expect("writer present until commit")
            .flush()
    }
}

impl Drop for AtomicFile {
    /// An uncommitted file is removed, so a failed run leaves no temporary behind.
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `target` atomically.
pub fn write_atomic(target: impl AsRef<Path>, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::create(target)?;
    f.write_all(bytes)?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_appears_only_on_commit() {
        let dir = std::env::temp_dir().join(format!("clustersim-atomic-{}", std::process::id()));
        let target = dir.join("out.csv");
        let _ = fs::remove_file(&target);
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"a,b\n1,2\n").unwrap();
        assert!(!target.exists(), "not visible before commit");
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n1,2\n");

        let mut g = AtomicFile::create(&target).unwrap();
        g.write_all(b"half").unwrap();
        drop(g); // interrupted: the old file stays whole, no temp file is left
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n1,2\n");
        let leftovers = fs::read_dir(&dir).unwrap().filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        });
        assert_eq!(leftovers.count(), 0);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_commit_leaves_no_temp_file() {
        // The rename fails (the target is a non-empty directory), after the writer was taken:
        // the temporary file must go all the same, as it must when the flush hits a full disk.
        let dir =
            std::env::temp_dir().join(format!("clustersim-atomic-fail-{}", std::process::id()));
        let target = dir.join("out.csv");
        fs::create_dir_all(target.join("occupied")).unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"a,b\n").unwrap();
        assert!(f.commit().is_err());
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["out.csv"], "only the directory that was in the way");
        fs::remove_dir_all(&dir).unwrap();
    }
}
