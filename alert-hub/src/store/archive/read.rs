//! Reading the archive back: an event by seq, an incident and its log by id, the incidents
//! opened in a time range (for the reports), and every event or log entry in seq order (for
//! `alert-hub verify`). These are the rare paths: a file is read from its start each time.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::files::{self, Kind, Line, Lines};
use super::select::month_of;
use crate::audit::verify::{Mismatch, Record};
use crate::error::StoreError;
use crate::protocol::{Change, LogEntry, StoredEvent};
use crate::report::month::Month;

fn corrupt(path: &Path, number: u64, source: serde_json::Error) -> StoreError {
    StoreError::Archive {
        file: path.to_path_buf(),
        message: format!("line {number} cannot be read: {source}"),
    }
}

/// The archived event `seq`, if the archive in `dir` holds it.
pub fn event(dir: &Path, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
    let Some((path, line)) = find(dir, Kind::Events, seq)? else {
        return Ok(None);
    };
    let event = serde_json::from_slice(&line.bytes).map_err(|e| corrupt(&path, line.number, e))?;
    Ok(Some(event))
}

/// The file and line of the archive in `dir` holding the record `seq` of `kind` (events or log
/// entries). Files are tried newest month first, skipping those whose first record comes
/// after `seq`, so that a lookup reads about one month's file.
pub fn find(dir: &Path, kind: Kind, seq: u64) -> Result<Option<(PathBuf, Line)>, StoreError> {
    for path in files::files(dir, kind)?.into_values().rev() {
        let mut lines = Lines::open(&path)?.peekable();
        if let Some(Ok(first)) = lines.peek()
            && files::seq_of(&path, first)? > seq
        {
            continue;
        }
        for line in lines {
            let line = line?;
            let at = files::seq_of(&path, &line)?;
            if at == seq {
                return Ok(Some((path, line)));
            }
            if at > seq {
                break;
            }
        }
    }
    Ok(None)
}

/// An archived incident's id and opening time, as far as the archive reads them to find one.
#[derive(serde::Deserialize)]
struct Slim {
    view: SlimView,
}

#[derive(serde::Deserialize)]
struct SlimView {
    id: String,
    #[serde(with = "time::serde::rfc3339")]
    opened_at: OffsetDateTime,
}

fn slim(path: &Path, line: &files::Line) -> Result<SlimView, StoreError> {
    serde_json::from_slice::<Slim>(&line.bytes)
        .map(|s| s.view)
        .map_err(|e| corrupt(path, line.number, e))
}

/// The archived incident `id` as stored (its JSON) with the month whose files hold it.
pub fn incident(dir: &Path, id: &str) -> Result<Option<(Month, Vec<u8>)>, StoreError> {
    for (month, path) in files::files(dir, Kind::Incidents)? {
        for line in Lines::open(&path)? {
            let line = line?;
            if slim(&path, &line)?.id == id {
                return Ok(Some((month, line.bytes)));
            }
        }
    }
    Ok(None)
}

/// The log of the archived incident `id`, whose files are `month`'s, in order.
pub fn incident_log(dir: &Path, month: Month, id: &str) -> Result<Vec<LogEntry>, StoreError> {
    #[derive(serde::Deserialize)]
    struct FeedChange {
        change: Change,
    }
    let path = dir.join(files::file_name(Kind::Log, month));
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut log = Vec::new();
    for line in Lines::open(&path)? {
        let line = line?;
        let message: FeedChange =
            serde_json::from_slice(&line.bytes).map_err(|e| corrupt(&path, line.number, e))?;
        if message.change.entry.incident == id {
            log.push(message.change.entry);
        }
    }
    Ok(log)
}

/// The JSON of every archived incident opened in `from..to`, with its opening time, oldest
/// first.
pub fn incidents_opened(
    dir: &Path,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Result<Vec<(OffsetDateTime, Vec<u8>)>, StoreError> {
    let (first, last) = (month_of(from), month_of(to));
    let mut found = Vec::new();
    for (month, path) in files::files(dir, Kind::Incidents)? {
        if month < first || month > last {
            continue;
        }
        for line in Lines::open(&path)? {
            let line = line?;
            let opened_at = slim(&path, &line)?.opened_at;
            if (from..to).contains(&opened_at) {
                found.push((opened_at, line.bytes));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    Ok(found)
}

/// Every archived record of `kind` (events or log entries) in seq order, as the verifier reads
/// them: the files of each month merged, since a month's records need not all come after the
/// month before's.
pub fn records(
    dir: &Path,
    kind: Kind,
) -> Result<Box<dyn Iterator<Item = Result<Record, Mismatch>>>, StoreError> {
    let mut merged: files::Records<'static> = Box::new(std::iter::empty());
    for path in files::files(dir, kind)?.into_values() {
        merged = Box::new(files::merge_by_seq(merged, files::records(&path)?));
    }
    Ok(Box::new(merged.map(|r| {
        r.map(|(seq, bytes)| Record { seq, bytes })
            .map_err(|e| Mismatch::Damaged(e.to_string()))
    })))
}

/// Two record streams in seq order merged in seq order: the archive's and the live store's. A
/// record found in both with the same bytes (left by a crash between writing the archive and
/// removing from the store) is read once; with other bytes, both are read and the verifier
/// names it.
pub fn merge_records(
    a: impl Iterator<Item = Result<Record, Mismatch>>,
    b: impl Iterator<Item = Result<Record, Mismatch>>,
) -> impl Iterator<Item = Result<Record, Mismatch>> {
    let mut a = a.peekable();
    let mut b = b.peekable();
    std::iter::from_fn(move || {
        let next_a = match a.peek() {
            Some(Err(_)) => return a.next(),
            Some(Ok(r)) => Some(r.seq),
            None => None,
        };
        let next_b = match b.peek() {
            Some(Err(_)) => return b.next(),
            Some(Ok(r)) => Some(r.seq),
            None => None,
        };
        match (next_a, next_b) {
            (Some(x), Some(y)) if x == y => {
                let first = a.next();
                if let (Some(Ok(r)), Some(Ok(other))) = (&first, b.peek())
                    && r.bytes == other.bytes
                {
                    b.next();
                }
                first
            }
            (Some(x), Some(y)) if y < x => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, what: &str) -> Result<Record, Mismatch> {
        Ok(Record {
            seq,
            bytes: what.as_bytes().to_vec(),
        })
    }

    #[test]
    fn the_archive_and_the_live_store_merge_in_seq_order_once_each() {
        let archive = [record(1, "a"), record(2, "b"), record(4, "d")];
        let live = [
            record(2, "b"),
            record(3, "c"),
            record(4, "changed"),
            record(5, "e"),
        ];
        let merged: Vec<(u64, String)> = merge_records(archive.into_iter(), live.into_iter())
            .map(|r| {
                let r = r.expect("ok");
                (r.seq, String::from_utf8(r.bytes).expect("text"))
            })
            .collect();
        assert_eq!(
            merged,
            vec![
                (1, "a".into()),
                (2, "b".into()),
                (3, "c".into()),
                (4, "d".into()),
                (4, "changed".into()),
                (5, "e".into())
            ]
        );
    }
}
