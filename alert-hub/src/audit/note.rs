//! C2SP signed notes with Ed25519 keys: the key names and hashes, the verifier key text that is
//! published, the private key text kept in a file, and signing and opening a note.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::AuditError;

/// The signature type byte of an Ed25519 key in the signed-note format.
const ED25519: u8 = 0x01;
/// What starts every signature line: an em dash and a space.
const SIGNATURE_LINE: &str = "\u{2014} ";

/// A named Ed25519 key that signs notes.
#[derive(Debug, Clone)]
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

/// A named Ed25519 public key that verifies notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
}

/// The 4-byte key hash: the first bytes of SHA-256(name || "\n" || 0x01 || public key).
fn key_hash(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([ED25519]);
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

fn hex4(bytes: [u8; 4]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A key name is non-empty, printable, and holds no space and no `+`.
fn check_name(name: &str) -> Result<(), AuditError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '+')
    {
        return Err(AuditError::Key(format!(
            "\"{name}\" cannot name a key: a key name is not empty and holds no space or `+`"
        )));
    }
    Ok(())
}

/// The parts of a key text: name, key hash (hex) and base64 key, after `prefix`.
fn key_parts<'a>(text: &'a str, prefix: &str) -> Result<(&'a str, &'a str, Vec<u8>), AuditError> {
    let bad = |why: &str| AuditError::Key(format!("not a key ({why})"));
    let rest = text
        .trim()
        .strip_prefix(prefix)
        .ok_or_else(|| bad("wrong prefix"))?;
    let mut parts = rest.splitn(3, '+');
    let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("it has no name, key hash and key separated by `+`"));
    };
    check_name(name)?;
    let key = BASE64
        .decode(key)
        .map_err(|e| bad(&format!("its key is not base64: {e}")))?;
    Ok((name, hash, key))
}

impl NoteSigner {
    /// A signer named `name` with the Ed25519 key made from `seed`.
    pub fn new(name: &str, seed: [u8; 32]) -> Result<NoteSigner, AuditError> {
        check_name(name)?;
        Ok(NoteSigner {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// Reads the private key text `PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>`.
    pub fn from_text(text: &str) -> Result<NoteSigner, AuditError> {
        let (name, hash, key) = key_parts(text, "PRIVATE+KEY+")?;
        let Some((&ED25519, seed)) = key.split_first() else {
            return Err(AuditError::Key("not an Ed25519 private key".into()));
        };
        let seed = <[u8; 32]>::try_from(seed)
            .map_err(|_| AuditError::Key(format!("a key of {} bytes, not 32", seed.len())))?;
        let signer = NoteSigner::new(name, seed)?;
        if hash != hex4(key_hash(name, &signer.key.verifying_key())) {
            return Err(AuditError::Key(format!(
                "the key hash {hash} does not match the key"
            )));
        }
        Ok(signer)
    }

    /// The private key text, to be kept in a file only its owner reads.
    pub fn to_text(&self) -> String {
        let public = self.key.verifying_key();
        let mut key = vec![ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex4(key_hash(&self.name, &public)),
            BASE64.encode(key)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier of this signer's notes.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// `text` (which ends with a newline) signed: the text, a blank line, and the signature.
    pub fn sign(&self, text: &str) -> Result<String, AuditError> {
        if !text.ends_with('\n') {
            return Err(AuditError::Note("a note's text ends with a newline".into()));
        }
        let signature = self.key.sign(text.as_bytes());
        let mut blob = key_hash(&self.name, &self.key.verifying_key()).to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        Ok(format!(
            "{text}\n{SIGNATURE_LINE}{} {}\n",
            self.name,
            BASE64.encode(blob)
        ))
    }
}

impl NoteVerifier {
    /// Reads the verifier key text `<name>+<hash>+<base64(0x01 || public key)>`.
    pub fn from_text(text: &str) -> Result<NoteVerifier, AuditError> {
        let (name, hash, key) = key_parts(text, "")?;
        let Some((&ED25519, key)) = key.split_first() else {
            return Err(AuditError::Key("not an Ed25519 public key".into()));
        };
        let key = <[u8; 32]>::try_from(key)
            .ok()
            .and_then(|k| VerifyingKey::from_bytes(&k).ok())
            .ok_or_else(|| AuditError::Key("not a valid Ed25519 public key".into()))?;
        if hash != hex4(key_hash(name, &key)) {
            return Err(AuditError::Key(format!(
                "the key hash {hash} does not match the key"
            )));
        }
        Ok(NoteVerifier {
            name: name.to_string(),
            key,
        })
    }

    /// The verifier key text, as published.
    pub fn to_text(&self) -> String {
        let mut key = vec![ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex4(key_hash(&self.name, &self.key)),
            BASE64.encode(key)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text of `note` once a signature of this key on it verifies; signatures of other
    /// keys are ignored.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, AuditError> {
        let bad = |why: String| AuditError::Note(why);
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| bad("a signed note has its text, a blank line and signatures".into()))?;
        let (text, signatures) = (&note[..=split], &note[split + 2..]);
        if !signatures.ends_with('\n') {
            return Err(bad("the signatures do not end with a newline".into()));
        }
        let id = key_hash(&self.name, &self.key);
        for line in signatures.lines() {
            let line = line
                .strip_prefix(SIGNATURE_LINE)
                .ok_or_else(|| bad(format!("\"{line}\" is not a signature line")))?;
            let Some((name, blob)) = line.split_once(' ') else {
                return Err(bad(format!("\"{line}\" has no key name and signature")));
            };
            let blob = BASE64
                .decode(blob)
                .map_err(|e| bad(format!("the signature of {name} is not base64: {e}")))?;
            if name != self.name || blob.get(..4) != Some(&id[..]) {
                continue;
            }
            let signature = <[u8; 64]>::try_from(&blob[4..])
                .map(|s| Signature::from_bytes(&s))
                .map_err(|_| bad(format!("the signature of {name} is not 64 bytes")))?;
            return self
                .key
                .verify_strict(text.as_bytes(), &signature)
                .map(|()| text)
                .map_err(|_| bad(format!("the signature of {name} does not verify")));
        }
        Err(bad(format!("the note has no signature of {}", self.name)))
    }
}

#[cfg(test)]
mod tests {
    //! The key and note are the example of the signed-note reference implementation
    //! (golang.org/x/mod/sumdb/note, `note_test.go`); Ed25519 signatures are deterministic, so
    //! ours must match it byte for byte.

    use super::*;

    const SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                        then you don't know what your problem is.\n";
    const SIGNATURE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn the_reference_key_signs_the_reference_note_byte_for_byte() {
        let signer = NoteSigner::from_text(SKEY).expect("the reference key");
        assert_eq!(signer.to_text(), SKEY);
        assert_eq!(signer.verifier().to_text(), VKEY);
        let note = signer.sign(TEXT).expect("sign");
        assert_eq!(note, format!("{TEXT}\n{SIGNATURE}"));
        let verifier = NoteVerifier::from_text(VKEY).expect("verifier");
        assert_eq!(verifier.open(&note).expect("verifies"), TEXT);
    }

    #[test]
    fn a_changed_text_or_signature_or_another_key_does_not_verify() {
        let verifier = NoteVerifier::from_text(VKEY).expect("verifier");
        let note = format!("{TEXT}\n{SIGNATURE}");
        let changed = note.replace("cryptography", "cryptographY");
        let err = verifier.open(&changed).expect_err("changed text");
        assert!(err.to_string().contains("does not verify"), "{err}");
        let other = NoteSigner::new("PeterNeumann", [9; 32]).expect("key");
        let err = other.verifier().open(&note).expect_err("another key");
        assert!(err.to_string().contains("no signature of"), "{err}");
        assert!(verifier.open(TEXT).is_err(), "no signature at all");
        let cut = &note[..note.len() - 10];
        assert!(verifier.open(cut).is_err(), "cut short");
    }

    #[test]
    fn mangled_keys_are_refused_with_what_is_wrong() {
        let wrong_hash = VKEY.replace("c74f20a3", "c74f20a4");
        let err = NoteVerifier::from_text(&wrong_hash).expect_err("hash");
        assert!(err.to_string().contains("does not match"), "{err}");
        assert!(NoteVerifier::from_text("PeterNeumann+c74f20a3").is_err());
        assert!(NoteSigner::from_text(VKEY).is_err());
        assert!(NoteSigner::new("two words", [1; 32]).is_err());
        assert!(NoteSigner::new("a+b", [1; 32]).is_err());
        let made = NoteSigner::new("alert-hub/test", [3; 32]).expect("key");
        let back = NoteSigner::from_text(&made.to_text()).expect("reads back");
        assert_eq!(back.verifier(), made.verifier());
    }
}
