//! Headquarters' data directory is its own: the directory 0700 and every
//! file in it 0600 (the SQLite database, its WAL and shared-memory files,
//! headquarters' key, the TLS keys and certificates), whatever the
//! operator's umask, so that another account on the machine reads nothing
//! (issue 16: they were 0644 in a 0755 folder). A directory or a file left
//! looser by an older version is tightened when headquarters opens it.
//! Sealing the personal fields inside the database (so that a copied file
//! shows no name) is not done yet: docs/SECURITY.md, "Headquarters at rest".

use std::path::Path;

/// Creates `dir` if need be and makes it 0700.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, 0o700)
}

/// Creates `path` empty with mode 0600 if it does not exist (so that SQLite,
/// which gives its WAL and shared-memory files the database file's mode,
/// makes those 0600 too), and makes it 0600 if it does.
/// An existing file is never opened here: closing any descriptor of a file
/// drops every POSIX lock this process holds on it, SQLite's included (an
/// `Hq` opened beside a running one in the same process then read a
/// half-written page: "disk I/O error").
pub fn private_file(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        match o.open(path) {
            Ok(_) => {}
            // Created by another opener meanwhile: only its mode is ours to fix.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    set_mode(path, 0o600)
}

/// Makes every file directly in `dir` 0600 and every directory 0700, one
/// level deep (the data directory holds files and `tls/`).
pub fn tighten(dir: &Path) -> std::io::Result<()> {
    set_mode(dir, 0o700)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            set_mode(&path, 0o700)?;
            for inner in std::fs::read_dir(&path)? {
                let inner = inner?;
                if inner.file_type()?.is_file() {
                    set_mode(&inner.path(), 0o600)?;
                }
            }
        } else if kind.is_file() {
            set_mode(&path, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if now != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}
