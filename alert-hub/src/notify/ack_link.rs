//! Acknowledgement links: an unguessable address per incident and contact which, when the
//! contact follows it (from the e-mail or the webhook's receiver), acknowledges the incident's
//! notification trees so they stop escalating. The incident itself still needs an operator.

use sha2::{Digest, Sha256};

/// Makes and checks acknowledgement links with the hub's secret.
#[derive(Debug, Clone)]
pub struct AckLinks {
    secret: [u8; 32],
    /// The hub's address as contacts reach it; without it there are no links.
    base: Option<String>,
}

impl AckLinks {
    pub fn new(secret: [u8; 32], base: Option<String>) -> AckLinks {
        AckLinks { secret, base }
    }

    /// The token of one contact's link for one incident.
    pub fn token(&self, incident: &str, contact: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(self.secret);
        hash.update(incident.as_bytes());
        hash.update([0]);
        hash.update(contact.as_bytes());
        hash.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The link a contact follows to acknowledge, when the hub has a public address.
    pub fn url(&self, incident: &str, contact: &str) -> Option<String> {
        let base = self.base.as_ref()?;
        Some(format!(
            "{base}/v1/ack/{incident}/{contact}/{}",
            self.token(incident, contact)
        ))
    }

    /// Whether `token` is the one this hub made for the incident and contact.
    pub fn verify(&self, incident: &str, contact: &str, token: &str) -> bool {
        crate::secret::same_secret(token, &self.token(incident, contact))
    }
}

/// A new random secret for the links (read from the operating system's random source).
pub fn new_secret() -> std::io::Result<[u8; 32]> {
    use std::io::Read;
    let mut secret = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut secret)?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_verifies_only_for_its_incident_and_contact() {
        let links = AckLinks::new([7; 32], Some("http://hub.example:7400".into()));
        let url = links.url("INC-000001", "zhou").expect("a link");
        let token = url.rsplit('/').next().expect("token");
        assert!(url.starts_with("http://hub.example:7400/v1/ack/INC-000001/zhou/"));
        assert!(links.verify("INC-000001", "zhou", token));
        assert!(!links.verify("INC-000002", "zhou", token));
        assert!(!links.verify("INC-000001", "wang", token));
        assert!(!links.verify("INC-000001", "zhou", "00"));
        let other = AckLinks::new([8; 32], None);
        assert!(
            !other.verify("INC-000001", "zhou", token),
            "another hub's secret"
        );
        assert_eq!(
            other.url("INC-000001", "zhou"),
            None,
            "no public address, no link"
        );
    }
}
