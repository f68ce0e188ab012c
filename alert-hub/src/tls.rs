//! TLS for the hub's listener: the certificate and key read from the configured PEM files,
//! swapped for newly read ones on SIGHUP without touching the connections already open.

use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::error::TlsError;

/// The hub's TLS identity: the files it came from and the server configuration read from them.
/// Every new handshake uses the configuration current when it starts.
#[derive(Debug)]
pub struct ServerTls {
    files: TlsFiles,
    current: RwLock<Arc<ServerConfig>>,
}

impl ServerTls {
    /// Reads the certificate chain and key; an unreadable file, a file without a certificate
    /// or key, or a key that is not the certificate's is an error naming the file.
    pub fn load(files: &TlsFiles) -> Result<Arc<ServerTls>, TlsError> {
        let config = server_config(files)?;
        Ok(Arc::new(ServerTls {
            files: files.clone(),
            current: RwLock::new(config),
        }))
    }

    /// Reads the files again and uses them for every handshake from now on; on an error the
    /// configuration in use is kept and the error returned. Open connections are untouched.
    pub fn reload(&self) -> Result<(), TlsError> {
        let config = server_config(&self.files)?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = config;
        Ok(())
    }

    /// The files the identity is read from.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// An acceptor for one new connection, with the identity current now.
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(
            self.current
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        )
    }
}

/// The rustls server configuration for `files`, on the ring provider, speaking HTTP/1.1.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = certificates(&files.cert)?;
    let key = private_key(&files.key)?;
    let provider = hub_client::crypto_provider();
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Unusable {
            message: e.to_string(),
        })?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Mismatch {
            cert: files.cert.clone(),
            key: files.key.clone(),
            message: e.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(file: &Path, what: &'static str) -> Result<Vec<u8>, TlsError> {
    std::fs::read(file).map_err(|source| TlsError::Read {
        what,
        file: file.to_path_buf(),
        source,
    })
}

/// The certificates of a PEM file, the server's own first.
fn certificates(file: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read(file, "certificate")?;
    let bad = |message: String| TlsError::Bad {
        what: "certificate",
        file: file.to_path_buf(),
        message,
    };
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if chain.is_empty() {
        return Err(bad(
            "it holds no certificate (a PEM block BEGIN CERTIFICATE)".into(),
        ));
    }
    Ok(chain)
}

/// The private key of a PEM file.
fn private_key(file: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read(file, "key")?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| TlsError::Bad {
        what: "key",
        file: file.to_path_buf(),
        message: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "it holds no private key (a PEM block BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY \
                 or BEGIN EC PRIVATE KEY)"
                    .into()
            }
            other => other.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    fn files(dir: &Path, cert: &str, key: &str) -> TlsFiles {
        TlsFiles {
            cert: write(dir, "cert.pem", cert),
            key: write(dir, "key.pem", key),
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = tempfile::tempdir().expect("dir");
        let files = TlsFiles {
            cert: dir.path().join("nowhere.pem"),
            key: dir.path().join("key.pem"),
        };
        let error = ServerTls::load(&files).expect_err("missing").to_string();
        assert!(
            error.starts_with(&format!(
                "cannot read the TLS certificate {}: ",
                files.cert.display()
            )),
            "{error}"
        );
    }

    #[test]
    fn files_without_a_certificate_or_a_key_say_what_they_lack() {
        let dir = tempfile::tempdir().expect("dir");
        let files = files(dir.path(), "not pem at all\n", "");
        let error = ServerTls::load(&files).expect_err("no cert").to_string();
        assert!(error.contains("cert.pem"), "{error}");
        assert!(error.contains("holds no certificate"), "{error}");
    }
}
