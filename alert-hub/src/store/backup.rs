//! Backups of the store: a snapshot of every record, taken between two commits (the writer
//! waits while it is written, so it holds whole commits only), and restoring one into a new
//! data directory.
//!
//! The file: the line `alert-hub backup 1`, then entries, each a kind byte (0 a store record,
//! 1 a file of the data directory such as `audit.key`), a 4-byte big-endian length and the key
//! (or file name), a 4-byte length and the value; then the byte 0xFF and the SHA-256 of
//! everything before it. A file cut short or changed is refused before anything is restored.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The first line of a backup file.
pub const MAGIC: &[u8] = b"alert-hub backup 1\n";
const RECORD: u8 = 0;
const FILE: u8 = 1;
const END: u8 = 0xFF;

/// Files of the data directory a backup carries besides the store (and the archive's files,
/// as `archive/<name>`).
pub const FILES: &[&str] = &[crate::audit::keys::KEY_FILE];

/// What a backup or a restore held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub records: u64,
    pub files: u64,
    pub bytes: u64,
}

/// Writes a backup file, hashing as it goes.
pub struct SnapshotWriter<W: Write> {
    out: W,
    hasher: Sha256,
    counts: Counts,
}

impl<W: Write> SnapshotWriter<W> {
    pub fn new(mut out: W) -> io::Result<SnapshotWriter<W>> {
        out.write_all(MAGIC)?;
        let mut hasher = Sha256::new();
        hasher.update(MAGIC);
        Ok(SnapshotWriter {
            out,
            hasher,
            counts: Counts {
                bytes: MAGIC.len() as u64,
                ..Counts::default()
            },
        })
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.hasher.update(bytes);
        self.counts.bytes += bytes.len() as u64;
        Ok(())
    }

    fn entry(&mut self, kind: u8, key: &[u8], value: &[u8]) -> io::Result<()> {
        let len = |b: &[u8]| {
            u32::try_from(b.len())
                .map(u32::to_be_bytes)
                .map_err(|_| io::Error::other("a record over 4 GiB cannot be backed up"))
        };
        self.put(&[kind])?;
        self.put(&len(key)?)?;
        self.put(key)?;
        self.put(&len(value)?)?;
        self.put(value)
    }

    /// Adds one record of the store.
    pub fn record(&mut self, key: &[u8], value: &[u8]) -> io::Result<()> {
        self.counts.records += 1;
        self.entry(RECORD, key, value)
    }

    /// Adds one file of the data directory.
    pub fn file(&mut self, name: &str, contents: &[u8]) -> io::Result<()> {
        self.counts.files += 1;
        self.entry(FILE, name.as_bytes(), contents)
    }

    /// Ends the file with its digest and flushes it.
    pub fn finish(mut self) -> io::Result<Counts> {
        self.put(&[END])?;
        let digest: [u8; 32] = self.hasher.clone().finalize().into();
        self.out.write_all(&digest)?;
        self.out.flush()?;
        self.counts.bytes += 32;
        Ok(self.counts)
    }
}

/// Writes a backup of every record of `db`, the files [`FILES`] of the data directory `dir`
/// and its archive files to `out`. The caller holds off commits meanwhile; the store is read
/// before the archive, so a record an archiving moves meanwhile is in one or the other.
pub(super) fn snapshot(
    db: &sled::Db,
    dir: &Path,
    out: &mut dyn Write,
) -> Result<Counts, crate::error::StoreError> {
    let failed = |source| crate::error::StoreError::System {
        what: "cannot write the backup",
        source,
    };
    let mut snapshot = SnapshotWriter::new(out).map_err(failed)?;
    for record in db.iter() {
        let (k, v) = record?;
        snapshot.record(&k, &v).map_err(failed)?;
    }
    for name in FILES {
        match std::fs::read(dir.join(name)) {
            Ok(contents) => snapshot.file(name, &contents).map_err(failed)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(failed(e)),
        }
    }
    let archive = dir.join(super::archive::DIR);
    for name in super::archive::files::all_names(&archive)? {
        let contents = std::fs::read(archive.join(&name)).map_err(failed)?;
        let name = format!("{}/{name}", super::archive::DIR);
        snapshot.file(&name, &contents).map_err(failed)?;
    }
    snapshot.finish().map_err(failed)
}

/// Why a backup file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] crate::error::StoreError),
}

/// Has `store` write its backup to `to`, a new file readable by its owner only, by way of
/// `<to>.partial`, renamed once complete and on disk (removed if the backup fails).
pub fn write_to(store: &dyn super::Store, to: &Path) -> Result<Counts, WriteError> {
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&partial)?;
    let mut out = io::BufWriter::new(file);
    let done = store
        .backup(&mut out)
        .map_err(WriteError::from)
        .and_then(|counts| {
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&partial, to)?;
            Ok(counts)
        });
    if done.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    done
}

/// One entry of a backup file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Record { key: Vec<u8>, value: Vec<u8> },
    File { name: String, contents: Vec<u8> },
}

/// Why a backup file cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}: not a backup of this hub ({})", .1.display(), .0)]
    NotABackup(String, PathBuf),
    #[error(
        "{}: the backup is damaged or cut short ({}); nothing was restored",
        .1.display(),
        .0
    )]
    Damaged(String, PathBuf),
    #[error(
        "{}: the data directory is not empty; restore into a new or empty directory",
        .0.display()
    )]
    NotEmpty(PathBuf),
    #[error("cannot restore into {}: {}", .0.display(), .1)]
    Store(PathBuf, String),
}

/// Reads a backup file, hashing what it reads.
struct HashingReader<'a, R: Read> {
    input: R,
    hasher: Sha256,
    path: &'a Path,
    bytes: u64,
}

impl<R: Read> HashingReader<'_, R> {
    fn damaged(&self, why: &str) -> BackupError {
        BackupError::Damaged(why.to_string(), self.path.to_path_buf())
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, BackupError> {
        let mut bytes = vec![0u8; n];
        self.input
            .read_exact(&mut bytes)
            .map_err(|e| match e.kind() {
                io::ErrorKind::UnexpectedEof => self.damaged("it ends early"),
                _ => BackupError::Io {
                    path: self.path.to_path_buf(),
                    source: e,
                },
            })?;
        self.hasher.update(&bytes);
        self.bytes += n as u64;
        Ok(bytes)
    }

    fn len(&mut self) -> Result<usize, BackupError> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
}

/// Reads every entry of a backup, calling `each` with them in order, then checks the digest
/// at the end: a caller that must not act on a damaged file reads it twice (see `restore`).
pub fn read_entries(
    input: impl Read,
    path: &Path,
    mut each: impl FnMut(Entry) -> Result<(), BackupError>,
) -> Result<Counts, BackupError> {
    let mut reader = HashingReader {
        input,
        hasher: Sha256::new(),
        path,
        bytes: 0,
    };
    let magic = reader
        .bytes(MAGIC.len())
        .map_err(|_| BackupError::NotABackup("it is too short".into(), path.to_path_buf()))?;
    if magic != MAGIC {
        return Err(BackupError::NotABackup(
            "it does not start with `alert-hub backup 1`".into(),
            path.to_path_buf(),
        ));
    }
    let mut counts = Counts::default();
    loop {
        let kind = reader.bytes(1)?[0];
        if kind == END {
            break;
        }
        let key_len = reader.len()?;
        let key = reader.bytes(key_len)?;
        let value_len = reader.len()?;
        let value = reader.bytes(value_len)?;
        let entry = match kind {
            RECORD => {
                counts.records += 1;
                Entry::Record { key, value }
            }
            FILE => {
                counts.files += 1;
                let name = String::from_utf8(key)
                    .map_err(|_| reader.damaged("a file name is not text"))?;
                Entry::File {
                    name,
                    contents: value,
                }
            }
            _ => return Err(reader.damaged(&format!("an entry of unknown kind {kind}"))),
        };
        each(entry)?;
    }
    let digest: [u8; 32] = reader.hasher.clone().finalize().into();
    if reader.bytes(32)? != digest {
        return Err(reader.damaged("its digest does not match its contents"));
    }
    counts.bytes = reader.bytes;
    Ok(counts)
}

/// Restores the backup at `from` into `dir`, which must be missing or empty: the file is read
/// once to check it whole, then again to write the store and the files it carries.
pub fn restore(from: &Path, dir: &Path) -> Result<Counts, BackupError> {
    let open = || {
        std::fs::File::open(from)
            .map(io::BufReader::new)
            .map_err(|source| BackupError::Io {
                path: from.to_path_buf(),
                source,
            })
    };
    let empty = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
    if !empty {
        return Err(BackupError::NotEmpty(dir.to_path_buf()));
    }
    read_entries(open()?, from, |_| Ok(()))?;
    let store_error =
        |e: &dyn std::fmt::Display| BackupError::Store(dir.to_path_buf(), e.to_string());
    let db = sled::Config::new()
        .path(dir)
        .open()
        .map_err(|e| store_error(&e))?;
    let mut batch = sled::Batch::default();
    let mut pending = 0;
    let counts = read_entries(open()?, from, |entry| {
        match entry {
            Entry::Record { key, value } => {
                batch.insert(key, value);
                pending += 1;
                if pending == 4096 {
                    db.apply_batch(std::mem::take(&mut batch))
                        .map_err(|e| store_error(&e))?;
                    pending = 0;
                }
            }
            Entry::File { name, contents } => write_file(dir, &name, &contents)?,
        }
        Ok(())
    })?;
    db.apply_batch(batch).map_err(|e| store_error(&e))?;
    db.flush().map_err(|e| store_error(&e))?;
    Ok(counts)
}

/// Writes a file the backup carries, readable by its owner only; only the files a backup
/// takes are written, never a path elsewhere.
fn write_file(dir: &Path, name: &str, contents: &[u8]) -> Result<(), BackupError> {
    let archived = name
        .strip_prefix(super::archive::DIR)
        .and_then(|n| n.strip_prefix('/'))
        .filter(|n| super::archive::files::parse_name(n).is_some());
    if !FILES.contains(&name) && archived.is_none() {
        return Err(BackupError::Damaged(
            format!("it carries a file \"{name}\" no backup takes"),
            dir.to_path_buf(),
        ));
    }
    let path = dir.join(name);
    if archived.is_some() {
        let archive = dir.join(super::archive::DIR);
        std::fs::create_dir_all(&archive).map_err(|source| BackupError::Io {
            path: archive,
            source,
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(&path)
        .and_then(|mut f| f.write_all(contents).and_then(|()| f.sync_all()))
        .map_err(|source| BackupError::Io { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = SnapshotWriter::new(&mut out).expect("writer");
        writer
            .record(b"e\0\0\0\0\0\0\0\x01", b"{\"seq\":1}")
            .expect("record");
        writer.record(b"A", &[0; 8]).expect("record");
        writer.file("audit.key", b"PRIVATE+KEY+x").expect("file");
        let counts = writer.finish().expect("finish");
        assert_eq!((counts.records, counts.files), (2, 1));
        assert_eq!(counts.bytes, out.len() as u64);
        out
    }

    fn entries(bytes: &[u8]) -> Result<Vec<Entry>, BackupError> {
        let mut all = Vec::new();
        read_entries(bytes, Path::new("b.hubbackup"), |e| {
            all.push(e);
            Ok(())
        })?;
        Ok(all)
    }

    #[test]
    fn a_snapshot_reads_back_entry_for_entry() {
        let bytes = snapshot();
        assert!(bytes.starts_with(MAGIC));
        let all = entries(&bytes).expect("reads");
        assert_eq!(all.len(), 3);
        assert_eq!(
            all[2],
            Entry::File {
                name: "audit.key".into(),
                contents: b"PRIVATE+KEY+x".to_vec()
            }
        );
    }

    #[test]
    fn a_changed_cut_or_foreign_file_is_refused() {
        let bytes = snapshot();
        let mut changed = bytes.clone();
        changed[MAGIC.len() + 12] ^= 1;
        let err = entries(&changed).expect_err("changed");
        assert!(err.to_string().contains("digest does not match"), "{err}");
        let err = entries(&bytes[..bytes.len() - 40]).expect_err("cut");
        assert!(err.to_string().contains("ends early"), "{err}");
        let err = entries(b"PK\x03\x04 a zip file, not a backup").expect_err("foreign");
        assert!(err.to_string().contains("not a backup"), "{err}");
    }

    #[test]
    fn restoring_refuses_a_directory_that_holds_anything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("b.hubbackup");
        std::fs::write(&file, snapshot()).expect("write");
        let target = dir.path().join("data");
        std::fs::create_dir(&target).expect("dir");
        std::fs::write(target.join("notes.txt"), "mine").expect("write");
        let err = restore(&file, &target).expect_err("not empty");
        assert!(matches!(err, BackupError::NotEmpty(_)), "{err}");
        let fresh = dir.path().join("fresh");
        let counts = restore(&file, &fresh).expect("restores");
        assert_eq!((counts.records, counts.files), (2, 1));
        assert_eq!(
            std::fs::read(fresh.join("audit.key")).expect("key"),
            b"PRIVATE+KEY+x"
        );
        let db = sled::open(&fresh).expect("store");
        assert_eq!(db.get(b"A").expect("get").as_deref(), Some(&[0u8; 8][..]));
    }
}
