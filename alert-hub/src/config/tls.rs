//! The `[tls]` part of the site configuration: the certificate and key the hub serves
//! `https://` and `wss://` with, and whether plain HTTP may be served off loopback.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::Checker;

/// How the hub meets its clients: over TLS with these files, or in plain HTTP.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// The certificate chain and key; `None` serves plain HTTP.
    pub files: Option<TlsFiles>,
    /// Plain HTTP on an address other than loopback (a warning is logged); refused otherwise.
    pub allow_plain: bool,
}

/// Where the hub's certificate and key are, resolved against the configuration file's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM: the server certificate first, then any intermediate certificates.
    pub cert: PathBuf,
    /// PEM: the private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTls {
    cert: Option<Spanned<String>>,
    key: Option<Spanned<String>>,
    #[serde(default)]
    allow_plain: bool,
}

impl Checker<'_> {
    /// `[tls]`: both files or neither, each path relative to the configuration `file`.
    pub(super) fn tls(&mut self, raw: RawTls, file: &Path) -> TlsSettings {
        let folder = file.parent().unwrap_or(Path::new("."));
        let files = match (raw.cert, raw.key) {
            (Some(cert), Some(key)) => {
                let cert = self.tls_path(cert, "tls.cert", folder);
                let key = self.tls_path(key, "tls.key", folder);
                cert.zip(key).map(|(cert, key)| TlsFiles { cert, key })
            }
            (Some(cert), None) => {
                let m = "give the private key's file too: key = \"key.pem\"".to_string();
                self.problem(&cert, "tls.key".into(), m);
                None
            }
            (None, Some(key)) => {
                let m = "give the certificate's file too: cert = \"cert.pem\"".to_string();
                self.problem(&key, "tls.cert".into(), m);
                None
            }
            (None, None) => None,
        };
        TlsSettings {
            files,
            allow_plain: raw.allow_plain,
        }
    }

    fn tls_path(&mut self, path: Spanned<String>, field: &str, folder: &Path) -> Option<PathBuf> {
        if path.get_ref().trim().is_empty() {
            let m = "is empty: give the path of a PEM file, relative to this file".to_string();
            self.problem(&path, field.into(), m);
            return None;
        }
        Some(folder.join(path.get_ref()))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::HubConfig;

    const BASE: &str = "[[sites]]\nid = \"s\"\nname = \"S\"\n";

    fn parse(tls: &str) -> Result<HubConfig, String> {
        let text = format!("{BASE}{tls}");
        HubConfig::parse(&text, Path::new("/etc/hub/site.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn the_files_are_found_beside_the_configuration() {
        let config = parse("[tls]\ncert = \"tls/cert.pem\"\nkey = \"/srv/key.pem\"\n").unwrap();
        let files = config.tls.files.unwrap();
        assert_eq!(files.cert, Path::new("/etc/hub/tls/cert.pem"));
        assert_eq!(files.key, Path::new("/srv/key.pem"));
        assert!(!config.tls.allow_plain);
    }

    #[test]
    fn without_tls_the_hub_is_plain_and_plain_is_not_allowed_off_loopback() {
        let config = parse("").unwrap();
        assert_eq!(config.tls, Default::default());
        assert!(
            parse("[tls]\nallow_plain = true\n")
                .unwrap()
                .tls
                .allow_plain
        );
    }

    #[test]
    fn a_certificate_without_its_key_names_the_line_and_field() {
        let error = parse("[tls]\ncert = \"cert.pem\"\n").unwrap_err();
        assert_eq!(
            error,
            "/etc/hub/site.toml:5: tls.key: give the private key's file too: key = \"key.pem\""
        );
        let error = parse("[tls]\nkey = \"key.pem\"\n").unwrap_err();
        assert!(
            error.starts_with("/etc/hub/site.toml:5: tls.cert: "),
            "{error}"
        );
        let error = parse("[tls]\ncert = \"\"\nkey = \"k.pem\"\n").unwrap_err();
        assert!(
            error.starts_with("/etc/hub/site.toml:5: tls.cert: is empty"),
            "{error}"
        );
        let error = parse("[tls]\ncertificate = \"c.pem\"\n").unwrap_err();
        assert!(error.contains("unknown field `certificate`"), "{error}");
    }
}
