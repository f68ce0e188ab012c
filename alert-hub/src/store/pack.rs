//! Packs: the append-only logs (device events, feed changes) store a group commit's records a
//! few at a time under one key, not one key each. sled's cost is mostly per insert, so a pack of
//! up to [`MAX_ITEMS`] records or [`MAX_BYTES`] costs about what one record did. A pack is keyed
//! by the sequence number of its last record, so the pack holding `seq` is the first key at or
//! after `seq`, and the last key is the last sequence number stored.
//!
//! A pack is its records one after another, each a 4-byte big-endian length and the record's
//! bytes (JSON). A value that starts with `{` is one bare record, as stores written before
//! packs hold them.

/// At most this many records in one pack.
pub const MAX_ITEMS: usize = 32;
/// A pack is closed once it holds this many bytes.
pub const MAX_BYTES: usize = 8 * 1024;

/// Splits records, in sequence order, into packs: (the last record's seq, the pack).
pub fn pack<'a>(records: impl IntoIterator<Item = (u64, &'a [u8])>) -> Vec<(u64, Vec<u8>)> {
    let mut packs = Vec::new();
    let mut current = Vec::new();
    let (mut items, mut last) = (0, 0);
    for (seq, bytes) in records {
        // Records are device frames (at most 64 KiB) and feed messages: far below 4 GiB. A
        // length that did not fit would read back as a record cut short, never as another one.
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        current.extend_from_slice(&len.to_be_bytes());
        current.extend_from_slice(bytes);
        (items, last) = (items + 1, seq);
        if items == MAX_ITEMS || current.len() >= MAX_BYTES {
            packs.push((seq, std::mem::take(&mut current)));
            items = 0;
        }
    }
    if items > 0 {
        packs.push((last, current));
    }
    packs
}

/// The records of a stored pack, or what is wrong with it.
pub fn unpack(value: &[u8]) -> Result<Vec<&[u8]>, String> {
    if value.first() == Some(&b'{') {
        return Ok(vec![value]);
    }
    let mut records = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| format!("{} stray bytes after the last record", rest.len()))?;
        let len = u32::from_be_bytes(*len) as usize;
        if tail.len() < len {
            return Err(format!(
                "a record of {len} bytes is cut short at {} bytes",
                tail.len()
            ));
        }
        let (record, tail) = tail.split_at(len);
        records.push(record);
        rest = tail;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: u64, size: usize) -> Vec<(u64, Vec<u8>)> {
        (1..=n).map(|seq| (seq, vec![b'a'; size])).collect()
    }

    fn packed(records: &[(u64, Vec<u8>)]) -> Vec<(u64, Vec<u8>)> {
        pack(records.iter().map(|(s, r)| (*s, r.as_slice())))
    }

    #[test]
    fn small_records_go_thirty_two_to_a_pack_keyed_by_the_last() {
        let packs = packed(&records(70, 20));
        let keys: Vec<u64> = packs.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec![32, 64, 70]);
        let counts: Vec<usize> = packs
            .iter()
            .map(|(_, p)| unpack(p).expect("unpack").len())
            .collect();
        assert_eq!(counts, vec![32, 32, 6]);
    }

    #[test]
    fn a_pack_closes_once_it_holds_eight_kib() {
        let packs = packed(&records(10, 3000));
        let counts: Vec<usize> = packs
            .iter()
            .map(|(_, p)| unpack(p).expect("unpack").len())
            .collect();
        assert_eq!(counts, vec![3, 3, 3, 1]);
        assert_eq!(packs.last().map(|(k, _)| *k), Some(10));
    }

    #[test]
    fn every_record_comes_back_whole_and_in_order() {
        let input: Vec<(u64, Vec<u8>)> = (5..=9)
            .map(|seq| (seq, format!("{{\"seq\":{seq}}}").into_bytes()))
            .collect();
        let packs = packed(&input);
        assert_eq!(packs.len(), 1);
        let back: Vec<&[u8]> = unpack(&packs[0].1).expect("unpack");
        let expected: Vec<&[u8]> = input.iter().map(|(_, r)| r.as_slice()).collect();
        assert_eq!(back, expected);
        assert!(packed(&[]).is_empty());
    }

    #[test]
    fn a_bare_record_from_an_older_store_reads_as_a_pack_of_one() {
        let bare = br#"{"seq":3}"#;
        assert_eq!(unpack(bare).expect("bare"), vec![&bare[..]]);
    }

    #[test]
    fn a_damaged_pack_is_refused_with_what_is_wrong() {
        let (_, mut pack) = packed(&records(2, 10)).remove(0);
        pack.truncate(pack.len() - 3);
        let err = unpack(&pack).expect_err("cut short");
        assert!(err.contains("cut short"), "{err}");
        let err = unpack(&[0, 0]).expect_err("stray");
        assert!(err.contains("stray"), "{err}");
    }
}
