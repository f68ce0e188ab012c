//! The addresses of one site's hubs (the active hub and its standbys), as a person lists them:
//! comma-separated (`a,b`) or given one by one, each read by the rules of [`HubAddress`].

use crate::address::HubAddress;
use crate::error::{Error, Result};

/// One or more hub addresses, in the order given; never empty and without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubAddresses(Vec<HubAddress>);

impl HubAddresses {
    /// Reads a comma-separated list. A single address is read exactly as
    /// [`HubAddress::parse`] reads it, with the same errors; in a list, an unusable entry is
    /// named by its place (`hub address 2 of 3 …`), and an empty entry or a repeated hub is
    /// refused.
    pub fn parse(list: &str) -> Result<HubAddresses> {
        HubAddresses::from_values([list])
    }

    /// Reads addresses given one value at a time (a repeated option), each of which may itself
    /// be a comma-separated list.
    pub fn from_values<I, S>(values: I) -> Result<HubAddresses>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let entries: Vec<String> = values
            .into_iter()
            .flat_map(|v| {
                v.as_ref()
                    .split(',')
                    .map(|e| e.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        match entries.as_slice() {
            [] => Err(Error::BadAddress {
                address: String::new(),
                reason: "there is no host, such as 127.0.0.1:7400".into(),
            }),
            [only] => Ok(HubAddresses(vec![HubAddress::parse(only)?])),
            _ => read_list(&entries),
        }
    }

    /// How many addresses there are (at least one).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a list holds at least one address.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first address given.
    pub fn first(&self) -> &HubAddress {
        &self.0[0]
    }

    /// The address at `index`, counted round the list (index `len()` is the first again).
    pub fn at(&self, index: usize) -> &HubAddress {
        &self.0[index % self.0.len()]
    }

    /// The addresses in the order given.
    pub fn iter(&self) -> std::slice::Iter<'_, HubAddress> {
        self.0.iter()
    }

    /// The same hubs, each trusting the CA file at `path` besides the system's roots.
    pub fn with_ca_file(self, path: impl AsRef<std::path::Path>) -> Result<HubAddresses> {
        let path = path.as_ref();
        let hubs = self
            .0
            .into_iter()
            .map(|hub| hub.with_ca_file(path))
            .collect::<Result<Vec<_>>>()?;
        Ok(HubAddresses(hubs))
    }
}

impl From<HubAddress> for HubAddresses {
    fn from(hub: HubAddress) -> HubAddresses {
        HubAddresses(vec![hub])
    }
}

impl std::fmt::Display for HubAddresses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<String> = self.0.iter().map(HubAddress::to_string).collect();
        f.write_str(&names.join(","))
    }
}

fn read_list(entries: &[String]) -> Result<HubAddresses> {
    let count = entries.len();
    let mut hubs: Vec<HubAddress> = Vec::with_capacity(count);
    for (n, entry) in entries.iter().enumerate() {
        let bad = |reason: String| Error::BadAddressInList {
            position: n + 1,
            count,
            address: entry.clone(),
            reason,
        };
        if entry.is_empty() {
            return Err(bad(
                "it is empty: separate the addresses with single commas".into(),
            ));
        }
        let hub = HubAddress::parse(entry).map_err(|e| match e {
            Error::BadAddress { reason, .. } => bad(reason),
            other => bad(other.to_string()),
        })?;
        if let Some(before) = hubs.iter().position(|h| h.http_base() == hub.http_base()) {
            return Err(bad(format!("it is the same hub as address {}", before + 1)));
        }
        hubs.push(hub);
    }
    Ok(HubAddresses(hubs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_read_by_commas_and_by_repeated_values_alike() {
        let listed = HubAddresses::parse("http://10.0.0.1:7400, ws://10.0.0.2:7400").unwrap();
        let repeated = HubAddresses::from_values(["10.0.0.1:7400", "10.0.0.2:7400"]).unwrap();
        assert_eq!(listed, repeated);
        assert_eq!(listed.len(), 2);
        assert_eq!(listed.at(1).http_base(), "http://10.0.0.2:7400");
        assert_eq!(listed.at(2), listed.first(), "counted round the list");
        assert_eq!(
            listed.to_string(),
            "http://10.0.0.1:7400,http://10.0.0.2:7400"
        );
        let mixed = HubAddresses::from_values(["a:1,b:2", "c:3"]).unwrap();
        assert_eq!(mixed.len(), 3);
    }

    #[test]
    fn a_single_address_reads_and_fails_exactly_as_before() {
        let one = HubAddresses::parse("127.0.0.1:7400").unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one.first(), &HubAddress::parse("127.0.0.1:7400").unwrap());
        let list_error = HubAddresses::parse("ftp://x").unwrap_err().to_string();
        let single_error = HubAddress::parse("ftp://x").unwrap_err().to_string();
        assert_eq!(list_error, single_error);
    }

    #[test]
    fn the_wrong_entry_is_named_by_its_place_and_text() {
        let cases = [
            (
                "a:1,ftp://b",
                "hub address 2 of 2 (\"ftp://b\")",
                "use http://",
            ),
            ("a:1,,b:2", "hub address 2 of 3 (\"\")", "it is empty"),
            ("a:1,b:2,", "hub address 3 of 3", "it is empty"),
            (
                "http://a:1,ws://a:1",
                "hub address 2 of 2",
                "same hub as address 1",
            ),
            ("a:1,b:x", "hub address 2 of 2 (\"b:x\")", "host:port"),
        ];
        for (list, names, why) in cases {
            let message = HubAddresses::parse(list).unwrap_err().to_string();
            assert!(message.starts_with(names), "{list}: {message}");
            assert!(message.contains(why), "{list}: {message}");
        }
    }
}
