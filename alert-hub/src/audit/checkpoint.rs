//! Checkpoints in the C2SP tlog-checkpoint format: the origin line, the tree size, the root
//! hash in base64, then (as a signed note) a blank line and the signature lines.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::AuditError;
use super::merkle::Hash;
use super::note::{NoteSigner, NoteVerifier};

/// A tree size and root, named by the log's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

/// A checkpoint with the signed note that carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    /// The whole note: the checkpoint's text, a blank line and the signature lines.
    pub note: String,
}

impl Checkpoint {
    /// The checkpoint's text: three lines, each ending with a newline.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        )
    }

    /// Reads a checkpoint's text (extension lines after the root are allowed and ignored).
    pub fn parse(text: &str) -> Result<Checkpoint, AuditError> {
        let bad = |why: String| AuditError::Checkpoint(why);
        let mut lines = text.split_terminator('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("the first line, the origin, is empty".into()))?;
        let size = lines
            .next()
            .ok_or_else(|| bad("the second line, the tree size, is missing".into()))?;
        let size = size
            .parse::<u64>()
            .ok()
            .filter(|_| size == "0" || !size.starts_with('0'))
            .ok_or_else(|| bad(format!("\"{size}\" is not a tree size")))?;
        let root = lines
            .next()
            .ok_or_else(|| bad("the third line, the root hash, is missing".into()))?;
        let root = BASE64
            .decode(root)
            .ok()
            .and_then(|r| Hash::try_from(r).ok())
            .ok_or_else(|| bad(format!("\"{root}\" is not a base64 SHA-256 hash")))?;
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
        })
    }

    /// The checkpoint signed by `signer` (whose name should be the origin).
    pub fn sign(self, signer: &NoteSigner) -> Result<SignedCheckpoint, AuditError> {
        let note = signer.sign(&self.body())?;
        Ok(SignedCheckpoint {
            checkpoint: self,
            note,
        })
    }
}

impl SignedCheckpoint {
    /// Reads a signed checkpoint whose signature by `verifier` verifies.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<SignedCheckpoint, AuditError> {
        let text = verifier.open(note)?;
        let checkpoint = Checkpoint::parse(text)?;
        if checkpoint.origin != verifier.name() {
            return Err(AuditError::Checkpoint(format!(
                "the checkpoint's origin \"{}\" is not the key's name \"{}\"",
                checkpoint.origin,
                verifier.name()
            )));
        }
        Ok(SignedCheckpoint {
            checkpoint,
            note: note.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::merkle::EMPTY_ROOT;

    fn signer() -> NoteSigner {
        NoteSigner::new("hub.example/audit", [5; 32]).expect("key")
    }

    #[test]
    fn a_checkpoint_is_origin_size_and_base64_root_on_three_lines() {
        let checkpoint = Checkpoint {
            origin: "hub.example/audit".into(),
            size: 0,
            root: EMPTY_ROOT,
        };
        assert_eq!(
            checkpoint.body(),
            "hub.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
        assert_eq!(
            Checkpoint::parse(&checkpoint.body()).expect("parse"),
            checkpoint
        );
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_and_not_once_changed() {
        let checkpoint = Checkpoint {
            origin: "hub.example/audit".into(),
            size: 1234,
            root: [7; 32],
        };
        let signed = checkpoint.clone().sign(&signer()).expect("sign");
        assert!(signed.note.starts_with("hub.example/audit\n1234\n"));
        assert!(signed.note.contains("\n\n\u{2014} hub.example/audit "));
        let opened = SignedCheckpoint::open(&signed.note, &signer().verifier()).expect("opens");
        assert_eq!(opened.checkpoint, checkpoint);
        let forged = signed.note.replace("\n1234\n", "\n1233\n");
        assert!(SignedCheckpoint::open(&forged, &signer().verifier()).is_err());
    }

    #[test]
    fn a_bad_checkpoint_text_says_which_line_is_wrong() {
        for (text, expected) in [
            ("\n1\nAA==\n", "origin"),
            ("o\n", "tree size"),
            ("o\n-1\nAA==\n", "not a tree size"),
            ("o\n01\nAA==\n", "not a tree size"),
            ("o\n1\n", "root hash"),
            ("o\n1\nAA==\n", "not a base64 SHA-256"),
        ] {
            let err = Checkpoint::parse(text).expect_err(text);
            assert!(err.to_string().contains(expected), "{text:?}: {err}");
        }
    }
}
