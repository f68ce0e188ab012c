//! The archive's files: their names, reading their lines back, and writing one so that a crash
//! leaves either the old file or the new one whole (a temporary name, fsync, rename, fsync of
//! the directory).
//!
//! A file is gzip-compressed text, one record a line, each line the record's bytes exactly as
//! the live store held them (compact JSON, which never holds a raw newline): the audit tree's
//! leaves are hashes of those bytes, so they verify the same after archiving.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::bufread::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::error::StoreError;
use crate::report::month::Month;

/// The archive's directory inside the data directory.
pub const DIR: &str = "archive";
/// How an archive file's name ends.
pub const SUFFIX: &str = ".jsonl.gz";
/// How a file being written is named until it is complete: after its final name.
const TMP: &str = ".tmp";

/// A stream of archived or live records as `(seq, bytes)`.
pub type Records<'a> = Box<dyn Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + 'a>;

/// What an archive file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Device events, by month of receipt, in seq order.
    Events,
    /// Closed incidents as stored, by month of opening.
    Incidents,
    /// The log entries of those incidents (the feed's change messages), in seq order.
    Log,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Events => "events",
            Kind::Incidents => "incidents",
            Kind::Log => "log",
        }
    }
}

/// The name of the archive file of `kind` for `month`, e.g. `events-2025-10.jsonl.gz`.
pub fn file_name(kind: Kind, month: Month) -> String {
    format!("{}-{month}{SUFFIX}", kind.prefix())
}

/// What an archive file's name says: its kind and month; `None` for any other name.
pub fn parse_name(name: &str) -> Option<(Kind, Month)> {
    let stem = name.strip_suffix(SUFFIX)?;
    let (prefix, month) = stem.split_once('-')?;
    let kind = [Kind::Events, Kind::Incidents, Kind::Log]
        .into_iter()
        .find(|k| k.prefix() == prefix)?;
    let month = Month::parse(month).ok()?;
    Some((kind, month))
}

fn failed(file: &Path, message: impl std::fmt::Display) -> StoreError {
    StoreError::Archive {
        file: file.to_path_buf(),
        message: message.to_string(),
    }
}

/// The archive files of `kind` in the archive directory `dir`, by month; none when there is
/// no archive.
pub fn files(dir: &Path, kind: Kind) -> Result<BTreeMap<Month, PathBuf>, StoreError> {
    let mut found = BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(failed(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| failed(dir, e))?;
        let name = entry.file_name();
        if let Some((k, month)) = name.to_str().and_then(parse_name)
            && k == kind
        {
            found.insert(month, entry.path());
        }
    }
    Ok(found)
}

/// Every archive file's name in `dir`, sorted (what a backup carries).
pub fn all_names(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for kind in [Kind::Events, Kind::Incidents, Kind::Log] {
        for (month, _) in files(dir, kind)? {
            names.push(file_name(kind, month));
        }
    }
    names.sort();
    Ok(names)
}

/// Removes files a crash left half-written: they were never renamed into place, so what they
/// would have held is still in the live store.
pub fn remove_leftovers(dir: &Path) -> Result<(), StoreError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|e| failed(dir, e))?;
        let is_tmp = entry.file_name().to_str().is_some_and(|n| n.ends_with(TMP));
        if is_tmp {
            std::fs::remove_file(entry.path()).map_err(|e| failed(&entry.path(), e))?;
        }
    }
    Ok(())
}

/// One line of an archive file: its number (from 1) and its bytes, without the newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: u64,
    pub bytes: Vec<u8>,
}

/// The lines of an archive file, decompressed as they are read.
pub struct Lines {
    path: PathBuf,
    reader: BufReader<MultiGzDecoder<BufReader<File>>>,
    number: u64,
    done: bool,
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines").field("path", &self.path).finish()
    }
}

impl Lines {
    pub fn open(path: &Path) -> Result<Lines, StoreError> {
        let file = File::open(path).map_err(|e| failed(path, e))?;
        Ok(Lines {
            path: path.to_path_buf(),
            reader: BufReader::new(MultiGzDecoder::new(BufReader::new(file))),
            number: 0,
            done: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Iterator for Lines {
    type Item = Result<Line, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut bytes = Vec::new();
        match self.reader.read_until(b'\n', &mut bytes) {
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) => {
                self.number += 1;
                if bytes.last() == Some(&b'\n') {
                    bytes.pop();
                }
                Some(Ok(Line {
                    number: self.number,
                    bytes,
                }))
            }
            Err(e) => {
                self.done = true;
                let at = format!(
                    "cannot be read after line {} (damaged or cut short): {e}",
                    self.number
                );
                Some(Err(failed(&self.path, at)))
            }
        }
    }
}

/// The `seq` a record's JSON carries at its top level (events and change messages both do).
pub fn seq_of(path: &Path, line: &Line) -> Result<u64, StoreError> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    serde_json::from_slice::<Seq>(&line.bytes)
        .map(|s| s.seq)
        .map_err(|e| {
            failed(
                path,
                format!("line {} is not a stored record: {e}", line.number),
            )
        })
}

/// Writes `lines` to `path` as an archive file, replacing any file there only once the new one
/// is complete and on disk. Returns the bytes the file takes.
pub fn write(
    path: &Path,
    lines: impl Iterator<Item = Result<Vec<u8>, StoreError>>,
) -> Result<u64, StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TMP);
    let tmp = PathBuf::from(tmp);
    let written = write_tmp(&tmp, lines).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| failed(path, e))?;
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| failed(dir, e))?;
        std::fs::metadata(path)
            .map(|m| m.len())
            .map_err(|e| failed(path, e))
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn write_tmp(
    tmp: &Path,
    lines: impl Iterator<Item = Result<Vec<u8>, StoreError>>,
) -> Result<(), StoreError> {
    let file = File::create(tmp).map_err(|e| failed(tmp, e))?;
    let mut out = GzEncoder::new(BufWriter::new(file), Compression::default());
    for line in lines {
        let line = line?;
        if line.contains(&b'\n') {
            return Err(failed(tmp, "a record holds a newline and cannot be a line"));
        }
        out.write_all(&line)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|e| failed(tmp, e))?;
    }
    let file = out
        .finish()
        .and_then(|w| w.into_inner().map_err(|e| e.into_error()))
        .map_err(|e| failed(tmp, e))?;
    file.sync_all().map_err(|e| failed(tmp, e))
}

/// Two streams of `(seq, bytes)` in seq order, merged in seq order; on equal seqs the first
/// stream's record is kept and the second's dropped.
pub fn merge_by_seq<A, B>(a: A, b: B) -> impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>>
where
    A: Iterator<Item = Result<(u64, Vec<u8>), StoreError>>,
    B: Iterator<Item = Result<(u64, Vec<u8>), StoreError>>,
{
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || {
        let next_a = match a.peek() {
            Some(Err(_)) => return a.next(),
            Some(Ok((seq, _))) => Some(*seq),
            None => None,
        };
        let next_b = match b.peek() {
            Some(Err(_)) => return b.next(),
            Some(Ok((seq, _))) => Some(*seq),
            None => None,
        };
        match (next_a, next_b) {
            (Some(x), Some(y)) if x == y => {
                b.next();
                a.next()
            }
            (Some(x), Some(y)) if y < x => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        }
    })
}

/// The records of the archive file at `path` as `(seq, bytes)`, in the order written.
pub fn records(
    path: &Path,
) -> Result<impl Iterator<Item = Result<(u64, Vec<u8>), StoreError>> + use<>, StoreError> {
    let lines = Lines::open(path)?;
    let path = path.to_path_buf();
    Ok(lines.map(move |line| {
        let line = line?;
        Ok((seq_of(&path, &line)?, line.bytes))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64) -> Result<(u64, Vec<u8>), StoreError> {
        Ok((seq, format!("{{\"seq\":{seq}}}").into_bytes()))
    }

    #[test]
    fn names_say_kind_and_month_and_nothing_else_parses() {
        let month = Month::parse("2025-10").expect("month");
        assert_eq!(file_name(Kind::Events, month), "events-2025-10.jsonl.gz");
        assert_eq!(parse_name("log-2025-10.jsonl.gz"), Some((Kind::Log, month)));
        for other in [
            "events-2025-10.jsonl.gz.tmp",
            "events-2025-13.jsonl.gz",
            "notes-2025-10.jsonl.gz",
            "../events-2025-10.jsonl.gz",
            "events-2025-10.jsonl",
        ] {
            assert_eq!(parse_name(other), None, "{other}");
        }
    }

    #[test]
    fn a_written_file_reads_back_line_for_line_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("archive").join("events-2025-10.jsonl.gz");
        let bytes = write(&path, (1..=3).map(|s| record(s).map(|r| r.1))).expect("write");
        assert!(bytes > 0);
        let back: Vec<(u64, Vec<u8>)> = records(&path)
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(
            back,
            (1..=3).map(|s| record(s).expect("r")).collect::<Vec<_>>()
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("archive"))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("events-2025-10.jsonl.gz")]
        );
        let err = write(&path, [Ok(b"{\"seq\":1}\n{}".to_vec())].into_iter())
            .expect_err("a newline in a record");
        assert!(err.to_string().contains("newline"), "{err}");
        assert_eq!(
            records(&path).expect("open").count(),
            3,
            "the old file stays"
        );
    }

    #[test]
    fn merging_keeps_seq_order_and_one_of_each_seq() {
        let a = [1, 4, 6].into_iter().map(record);
        let b = [2, 4, 7].into_iter().map(record);
        let seqs: Vec<u64> = merge_by_seq(a, b).map(|r| r.expect("ok").0).collect();
        assert_eq!(seqs, vec![1, 2, 4, 6, 7]);
    }

    #[test]
    fn a_damaged_file_is_named_with_the_last_line_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events-2025-10.jsonl.gz");
        write(&path, (1..=500).map(|s| record(s).map(|r| r.1))).expect("write");
        let mut bytes = std::fs::read(&path).expect("read");
        let cut = bytes.len() / 2;
        bytes.truncate(cut);
        std::fs::write(&path, &bytes).expect("write");
        let err = records(&path)
            .expect("open")
            .find_map(Result::err)
            .expect("an error");
        let text = err.to_string();
        assert!(text.contains("events-2025-10.jsonl.gz"), "{text}");
        assert!(text.contains("cannot be read after line"), "{text}");
    }
}
