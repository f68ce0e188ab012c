//! Trust for `https://` and `wss://` hubs: the system's root certificates plus an optional CA
//! file, and the TLS handshake, whose failure names the hub.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::address::HubAddress;
use crate::error::{Error, Result};

/// The cryptography of every TLS connection of the project: rustls on *ring*, chosen over
/// aws-lc-rs to keep the build light (it has no post-quantum key exchange, which rustls
/// marks by deprecating it).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    #[allow(deprecated)]
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Whom a client trusts: the system's roots and, when given, the certificates of a CA file.
/// The rustls configuration is built on the first TLS connection and shared by clones.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trust {
    ca_file: Option<(PathBuf, Arc<Vec<CertificateDer<'static>>>)>,
    config: Arc<Mutex<Option<Arc<ClientConfig>>>>,
}

impl PartialEq for Trust {
    fn eq(&self, other: &Trust) -> bool {
        self.ca_file.as_ref().map(|(path, _)| path) == other.ca_file.as_ref().map(|(path, _)| path)
    }
}

impl Eq for Trust {}

impl Trust {
    /// The system's roots plus the certificates of the PEM file at `path`, which must hold at
    /// least one.
    pub(crate) fn with_ca_file(path: &Path) -> Result<Trust> {
        let bad = |reason: String| Error::BadCaFile {
            file: path.to_path_buf(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let certificates = CertificateDer::pem_slice_iter(&pem)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad(e.to_string()))?;
        if certificates.is_empty() {
            return Err(bad(
                "it holds no certificate (a PEM block BEGIN CERTIFICATE)".into(),
            ));
        }
        Ok(Trust {
            ca_file: Some((path.to_path_buf(), Arc::new(certificates))),
            config: Arc::default(),
        })
    }

    /// The CA file given, if any.
    pub(crate) fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_ref().map(|(path, _)| path.as_path())
    }

    fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let mut slot = self.config.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(config) = slot.as_ref() {
            return Ok(config.clone());
        }
        let mut roots = rustls::RootCertStore::empty();
        // Certificates of the system store that cannot be read are passed over, as a browser
        // does; the CA file's must all be usable.
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        if let Some((path, certificates)) = &self.ca_file {
            for certificate in certificates.iter() {
                roots
                    .add(certificate.clone())
                    .map_err(|e| Error::BadCaFile {
                        file: path.clone(),
                        reason: e.to_string(),
                    })?;
            }
        }
        let config = ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::BadCaFile {
                file: self.ca_file().map(Path::to_path_buf).unwrap_or_default(),
                reason: e.to_string(),
            })?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let config = Arc::new(config);
        *slot = Some(config.clone());
        Ok(config)
    }
}

impl HubAddress {
    /// The same hub, trusting the certificates of the CA file at `path` besides the system's
    /// roots. The file is read now: one that cannot be read or holds no certificate is
    /// [`Error::BadCaFile`].
    pub fn with_ca_file(self, path: impl AsRef<Path>) -> Result<HubAddress> {
        let trust = Trust::with_ca_file(path.as_ref())?;
        Ok(self.trusting(trust))
    }

    /// Opens TLS over `tcp` to this hub; a certificate that does not verify for its host is
    /// [`Error::Certificate`].
    pub(crate) async fn tls(&self, tcp: TcpStream) -> Result<TlsStream<TcpStream>> {
        let name =
            ServerName::try_from(self.host().to_string()).map_err(|e| Error::BadAddress {
                address: self.to_string(),
                reason: format!("{} cannot name a TLS server: {e}", self.host()),
            })?;
        let connector = TlsConnector::from(self.trust().client_config()?);
        connector.connect(name, tcp).await.map_err(|e| {
            let rustls = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            match rustls {
                Some(rustls::Error::InvalidCertificate(why)) => Error::Certificate {
                    host: self.authority().to_string(),
                    reason: why.to_string(),
                    ca_file: self.trust().ca_file().map(Path::to_path_buf),
                },
                _ => Error::Tls {
                    addr: self.authority().to_string(),
                    message: e.to_string(),
                },
            }
        })
    }
}
