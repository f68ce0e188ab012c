//! Comparing secrets (bearer tokens, acknowledgement-link tokens) in constant time: every
//! comparison of a presented secret with a known one goes through [`same_secret`] or
//! [`same_digest`], so that neither the time taken nor a length check says how close a guess came.

use sha2::{Digest, Sha256};

/// The SHA-256 digest of a secret, as configured tokens are kept.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Whether two digests are equal, looking at every byte whatever the first difference.
pub fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

/// Whether a presented secret is the expected one: both are hashed first, so the comparison
/// takes the same time whatever their lengths and wherever they differ.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    same_digest(&digest(presented), &digest(expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_secrets_match_and_any_difference_does_not() {
        let token = "demo-operator-li-wei";
        assert!(same_secret(token, token));
        assert!(!same_secret(token, "demo-operator-li-weI"));
        assert!(!same_secret(token, "demo-operator-li-wei "));
        assert!(!same_secret(token, "demo-operator-li-we"));
        assert!(!same_secret(token, ""));
        assert!(same_secret("", ""));
    }

    #[test]
    fn digests_differ_in_their_last_byte() {
        let a = digest("a");
        let mut b = a;
        b[31] ^= 1;
        assert!(same_digest(&a, &a));
        assert!(!same_digest(&a, &b));
    }
}
