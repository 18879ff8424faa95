//! Files that hold secrets: created new, readable by their owner only.

use std::io::Write;
use std::path::Path;

/// Creates `path` with mode 0600 (on Unix) and writes `contents`; fails if it exists.
pub(crate) fn write_private_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }

    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}
