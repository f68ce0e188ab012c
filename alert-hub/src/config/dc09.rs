//! `[dc09]`: the SIA DC-09 receiver's address, its time window, and each panel account with
//! the source its events are stored as, its key and its zone table.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, Source};
use crate::protocol::dc09::Key;

/// The time window when `max_skew_secs` is not given: DC-09's own default.
pub const DEFAULT_MAX_SKEW_SECS: u64 = 40;

/// The widest time window allowed, in seconds: one hour.
pub const MAX_SKEW_SECS: u64 = 3600;

/// The DC-09 receiver as configured.
#[derive(Debug, Clone)]
pub struct Dc09Settings {
    /// Where it listens, TCP and UDP on the same port.
    pub listen: SocketAddr,
    /// Frames whose timestamp is further than this from the receiver's clock are refused.
    pub max_skew_secs: u64,
    /// The accounts by their number, in uppercase.
    pub accounts: HashMap<String, Dc09Account>,
}

/// One panel account.
#[derive(Debug, Clone)]
pub struct Dc09Account {
    /// Hexadecimal digits, in uppercase.
    pub account: String,
    /// The `[[sources]]` entry its events are stored as.
    pub source: String,
    /// With a key, only encrypted frames count.
    pub key: Option<Key>,
    /// Zone or user number → device and place.
    pub zones: HashMap<String, ZonePlace>,
}

/// Where a zone or user number of a panel is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZonePlace {
    pub device: String,
    pub building: Option<String>,
    pub floor: Option<String>,
    pub zone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDc09 {
    listen: Option<Spanned<String>>,
    max_skew_secs: Option<Spanned<u64>>,
    #[serde(default)]
    accounts: Vec<RawAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    account: Spanned<String>,
    source: Spanned<String>,
    key: Option<Spanned<String>>,
    #[serde(default)]
    zones: BTreeMap<String, Spanned<ZonePlace>>,
}

impl Checker<'_> {
    /// The `[dc09]` table, checked against the sources; `None` without one.
    pub(super) fn dc09(
        &mut self,
        raw: Option<Spanned<RawDc09>>,
        sources: &HashMap<String, Source>,
    ) -> Option<Dc09Settings> {
        let raw = raw?;
        let table = raw.span();
        let raw = raw.into_inner();
        let listen = match &raw.listen {
            None => {
                let at = Spanned::new(table, ());
                let m = "needs listen = \"address:port\", e.g. \"0.0.0.0:7409\"".to_string();
                self.problem(&at, "dc09.listen".into(), m);
                None
            }
            Some(l) => match l.get_ref().parse::<SocketAddr>() {
                Ok(addr) => Some(addr),
                Err(_) => {
                    let m = format!(
                        "\"{}\" is not an address and port, e.g. \"0.0.0.0:7409\"",
                        l.get_ref()
                    );
                    self.problem(l, "dc09.listen".into(), m);
                    None
                }
            },
        };
        let max_skew_secs = match raw.max_skew_secs {
            Some(s) if *s.get_ref() == 0 || *s.get_ref() > MAX_SKEW_SECS => {
                let m = format!("must be from 1 to {MAX_SKEW_SECS} seconds");
                self.problem(&s, "dc09.max_skew_secs".into(), m);
                DEFAULT_MAX_SKEW_SECS
            }
            Some(s) => *s.get_ref(),
            None => DEFAULT_MAX_SKEW_SECS,
        };
        let mut accounts = HashMap::new();
        for (n, a) in raw.accounts.into_iter().enumerate() {
            let number = a.account.get_ref().to_ascii_uppercase();
            if accounts.contains_key(&number) {
                let m = format!("account {number} is given twice");
                self.problem(&a.account, format!("dc09.accounts[{n}].account"), m);
                continue;
            }
            if let Some(account) = self.dc09_account(a, n, sources) {
                accounts.insert(number, account);
            }
        }
        Some(Dc09Settings {
            listen: listen?,
            max_skew_secs,
            accounts,
        })
    }

    fn dc09_account(
        &mut self,
        raw: RawAccount,
        n: usize,
        sources: &HashMap<String, Source>,
    ) -> Option<Dc09Account> {
        let at = format!("dc09.accounts[{n}]");
        let mut ok = true;
        let account = raw.account.get_ref();
        if !(3..=16).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_hexdigit()) {
            let m = format!("\"{account}\" is not an account: 3 to 16 hexadecimal digits");
            self.problem(&raw.account, format!("{at}.account"), m);
            ok = false;
        }
        if !sources.contains_key(raw.source.get_ref()) {
            let m = format!(
                "source \"{}\" is not defined in [[sources]]",
                raw.source.get_ref()
            );
            self.problem(&raw.source, format!("{at}.source"), m);
            ok = false;
        }
        let key = match &raw.key {
            None => None,
            Some(k) => match Key::from_hex(k.get_ref()) {
                Ok(key) => Some(key),
                Err(m) => {
                    self.problem(k, format!("{at}.key"), m);
                    ok = false;
                    None
                }
            },
        };
        let mut zones = HashMap::new();
        for (number, place) in raw.zones {
            if place.get_ref().device.trim().is_empty() {
                let m = format!("zone \"{number}\" needs a device");
                self.problem(&place, format!("{at}.zones.{number}.device"), m);
                ok = false;
            }
            zones.insert(number, place.into_inner());
        }
        ok.then(|| Dc09Account {
            account: raw.account.into_inner().to_ascii_uppercase(),
            source: raw.source.into_inner(),
            key,
            zones,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::HubConfig;

    const BASE: &str = "[[sites]]\nid = \"gg\"\nname = \"Green Garden\"\n\n\
        [[sources]]\nid = \"fp-b2\"\nsite = \"gg\"\nkind = \"fire_panel\"\ntoken = \"0123456789abcdef\"\n";

    fn parse(dc09: &str) -> Result<HubConfig, String> {
        HubConfig::parse(&format!("{BASE}\n{dc09}"), Path::new("site.toml"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_issue_example_reads() {
        let config = parse(
            "[dc09]\nlisten = \"127.0.0.1:7409\"\nmax_skew_secs = 40\n\n\
             [[dc09.accounts]]\naccount = \"12ab\"\nsource = \"fp-b2\"\n\
             key = \"000102030405060708090A0B0C0D0E0F\"\n\
             [dc09.accounts.zones]\n\
             \"003\" = { device = \"smoke-B2-07F-03\", building = \"B2\", floor = \"7\", zone = \"7F east corridor\" }\n",
        )
        .expect("valid");
        let dc09 = config.dc09.expect("[dc09]");
        assert_eq!(dc09.listen.port(), 7409);
        assert_eq!(dc09.max_skew_secs, 40);
        let account = &dc09.accounts["12AB"];
        assert_eq!(account.source, "fp-b2");
        assert_eq!(account.key.as_ref().map(|k| k.bits()), Some(128));
        assert_eq!(account.zones["003"].device, "smoke-B2-07F-03");
        assert_eq!(account.zones["003"].floor.as_deref(), Some("7"));
    }

    #[test]
    fn no_dc09_table_means_no_receiver() {
        assert!(parse("").expect("valid").dc09.is_none());
    }

    #[test]
    fn each_problem_names_its_line_and_field() {
        let e = parse(
            "[dc09]\nlisten = \"127.0.0.1:7409\"\nmax_skew_secs = 0\n\n\
             [[dc09.accounts]]\naccount = \"12G4\"\nsource = \"fp-b2\"\n\n\
             [[dc09.accounts]]\naccount = \"5678\"\nsource = \"nobody\"\nkey = \"0011\"\n",
        )
        .expect_err("refused");
        // BASE has 9 lines and a blank one follows it.
        assert!(
            e.contains("site.toml:13: dc09.max_skew_secs: must be from 1"),
            "{e}"
        );
        assert!(
            e.contains("site.toml:16: dc09.accounts[0].account: \"12G4\" is not an account"),
            "{e}"
        );
        assert!(
            e.contains("site.toml:21: dc09.accounts[1].source: source \"nobody\" is not defined"),
            "{e}"
        );
        assert!(
            e.contains("site.toml:22: dc09.accounts[1].key: the key has 2 bytes"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_address_or_a_repeated_account_is_refused() {
        let e = parse(
            "[dc09]\nlisten = \"localhost\"\n\n\
             [[dc09.accounts]]\naccount = \"1234\"\nsource = \"fp-b2\"\n\n\
             [[dc09.accounts]]\naccount = \"1234\"\nsource = \"fp-b2\"\n",
        )
        .expect_err("refused");
        assert!(
            e.contains("dc09.listen: \"localhost\" is not an address"),
            "{e}"
        );
        assert!(
            e.contains("dc09.accounts[1].account: account 1234 is given twice"),
            "{e}"
        );
    }
}
