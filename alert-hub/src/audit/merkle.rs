//! The RFC 6962 Merkle tree over SHA-256 that makes the hub's records tamper-evident: leaf and
//! node hashes, the right frontier kept as records are appended (O(log n) hashes, so the tree
//! grows without re-reading what came before), and inclusion proofs for one leaf.

use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of nothing.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// The hash of a leaf whose bytes are `parts` one after another: SHA-256(0x00 || leaf).
pub fn leaf_hash(parts: &[&[u8]]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// The hash of an inner node: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The right frontier of a tree: the roots of the perfect subtrees its leaves split into,
/// largest (leftmost) first, one for each bit set in the size. It is all that is needed to
/// append a leaf and to compute the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// How many leaves the tree holds.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf by its hash, merging the subtrees it completes.
    pub fn append(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut size = self.size;
        while size & 1 == 1 {
            let Some(left) = self.hashes.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            size >>= 1;
        }
        self.hashes.push(hash);
        self.size += 1;
    }

    /// The root hash of the tree (RFC 6962's MTH).
    pub fn root(&self) -> Hash {
        let mut subtrees = self.hashes.iter().rev();
        let Some(&last) = subtrees.next() else {
            return EMPTY_ROOT;
        };
        subtrees.fold(last, |right, left| node_hash(left, &right))
    }

    /// The frontier as stored: the size as 8 big-endian bytes, then its hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(8 + 32 * self.hashes.len());
        bytes.extend_from_slice(&self.size.to_be_bytes());
        for hash in &self.hashes {
            bytes.extend_from_slice(hash);
        }
        bytes
    }

    /// A stored frontier, or what is wrong with it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Frontier, String> {
        let (size, rest) = bytes
            .split_first_chunk::<8>()
            .ok_or_else(|| format!("{} bytes is too short for a frontier", bytes.len()))?;
        let size = u64::from_be_bytes(*size);
        let expected = size.count_ones() as usize;
        if rest.len() != 32 * expected {
            return Err(format!(
                "a tree of {size} leaves has {expected} subtree hashes, not {} bytes of them",
                rest.len()
            ));
        }
        let hashes = rest
            .chunks_exact(32)
            .map(|c| {
                let mut hash = [0u8; 32];
                hash.copy_from_slice(c);
                hash
            })
            .collect();
        Ok(Frontier { size, hashes })
    }
}

/// The largest power of two smaller than `n` (n > 1).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// The root of the tree over `leaves` (leaf hashes), computed from all of them.
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [leaf] => *leaf,
        _ => {
            let (left, right) = leaves.split_at(split(leaves.len()));
            node_hash(&root_of(left), &root_of(right))
        }
    }
}

/// The inclusion proof (RFC 6962's PATH) of leaf `index` in the tree over `leaves`; `None`
/// when there is no such leaf.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut proof = Vec::new();
    path(leaves, index, &mut proof);
    Some(proof)
}

fn path(leaves: &[Hash], index: usize, proof: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let (left, right) = leaves.split_at(split(leaves.len()));
    if index < left.len() {
        path(left, index, proof);
        proof.push(root_of(right));
    } else {
        path(right, index - left.len(), proof);
        proof.push(root_of(left));
    }
}

/// Whether `proof` shows the leaf hashed `leaf` at `index` in a tree of `size` leaves whose
/// root is `root` (the verification of RFC 9162, section 2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// Lower-case hex of a hash, as the verifier prints it.
pub fn hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    //! The vectors are those of the Certificate Transparency reference implementations
    //! (transparency-dev/merkle `testonly/constants.go` and its inclusion-proof vectors).

    use super::*;

    fn h(hex: &str) -> Hash {
        let mut hash = [0u8; 32];
        for (i, byte) in hash.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
        }
        hash
    }

    fn inputs() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|s| {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
                .collect()
        })
        .collect()
    }

    fn leaves() -> Vec<Hash> {
        inputs().iter().map(|i| leaf_hash(&[i])).collect()
    }

    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn the_empty_tree_has_the_hash_of_nothing_as_its_root() {
        assert_eq!(
            hex(&Frontier::new().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(root_of(&[]), EMPTY_ROOT);
    }

    #[test]
    fn leaf_hashes_match_the_reference_vectors() {
        let leaves = leaves();
        assert_eq!(leaves[0], h(ROOTS[0]));
        assert_eq!(
            leaves[1],
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7")
        );
        assert_eq!(
            leaves[7],
            h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1")
        );
        // A leaf given in parts hashes as the parts joined.
        assert_eq!(leaf_hash(&[b"ab", b"c"]), leaf_hash(&[b"abc"]));
    }

    #[test]
    fn the_frontier_gives_every_reference_root_as_leaves_are_appended() {
        let mut frontier = Frontier::new();
        for (n, leaf) in leaves().into_iter().enumerate() {
            frontier.append(leaf);
            assert_eq!(frontier.size(), n as u64 + 1);
            assert_eq!(hex(&frontier.root()), ROOTS[n], "size {}", n + 1);
            assert_eq!(hex(&root_of(&leaves()[..=n])), ROOTS[n]);
        }
        // Size 7 keeps the subtrees of 4, 2 and 1 leaves.
        let mut seven = Frontier::new();
        leaves()[..7].iter().for_each(|l| seven.append(*l));
        assert_eq!(
            seven.hashes,
            vec![
                h(ROOTS[3]),
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            ]
        );
    }

    #[test]
    fn a_stored_frontier_reads_back_and_a_damaged_one_is_refused() {
        let mut frontier = Frontier::new();
        for n in 0..1000u32 {
            frontier.append(leaf_hash(&[&n.to_be_bytes()]));
        }
        let bytes = frontier.to_bytes();
        assert_eq!(bytes.len(), 8 + 32 * 1000u32.count_ones() as usize);
        let back = Frontier::from_bytes(&bytes).expect("reads back");
        assert_eq!(back, frontier);
        let mut more = back.clone();
        more.append(leaf_hash(&[b"next"]));
        frontier.append(leaf_hash(&[b"next"]));
        assert_eq!(more.root(), frontier.root());
        let err = Frontier::from_bytes(&bytes[..bytes.len() - 1]).expect_err("cut");
        assert!(err.contains("1000 leaves"), "{err}");
        assert!(Frontier::from_bytes(&[0; 3]).is_err());
    }

    /// (1-based leaf, tree size, proof) from the reference inclusion vectors.
    fn reference_proofs() -> Vec<(usize, usize, Vec<Hash>)> {
        vec![
            (1, 1, vec![]),
            (
                1,
                8,
                vec![
                    h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                ],
            ),
            (
                6,
                8,
                vec![
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                    h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
            (
                3,
                3,
                vec![h(
                    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                )],
            ),
            (
                2,
                5,
                vec![
                    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                ],
            ),
        ]
    }

    #[test]
    fn inclusion_proofs_match_the_reference_vectors_and_verify() {
        let leaves = leaves();
        for (leaf, size, expected) in reference_proofs() {
            let proof = inclusion_proof(&leaves[..size], leaf - 1).expect("a leaf");
            assert_eq!(proof, expected, "leaf {leaf} of {size}");
            let root = h(ROOTS[size - 1]);
            let (index, size) = ((leaf - 1) as u64, size as u64);
            assert!(verify_inclusion(
                index,
                size,
                &leaves[leaf - 1],
                &proof,
                &root
            ));
        }
        assert!(inclusion_proof(&leaves[..3], 3).is_none());
    }

    #[test]
    fn a_wrong_proof_leaf_index_size_or_root_does_not_verify() {
        let leaves = leaves();
        let root = h(ROOTS[7]);
        let proof = inclusion_proof(&leaves, 5).expect("proof");
        let leaf = leaves[5];
        assert!(verify_inclusion(5, 8, &leaf, &proof, &root));
        assert!(!verify_inclusion(4, 8, &leaf, &proof, &root), "wrong index");
        assert!(!verify_inclusion(7, 8, &leaf, &proof, &root), "wrong index");
        assert!(!verify_inclusion(5, 16, &leaf, &proof, &root), "wrong size");
        assert!(!verify_inclusion(5, 4, &leaf, &proof, &root), "wrong size");
        assert!(
            !verify_inclusion(8, 8, &leaf, &proof, &root),
            "past the end"
        );
        assert!(
            !verify_inclusion(5, 8, &leaves[4], &proof, &root),
            "wrong leaf"
        );
        assert!(
            !verify_inclusion(5, 8, &leaf, &proof, &EMPTY_ROOT),
            "wrong root"
        );
        assert!(
            !verify_inclusion(5, 8, &leaf, &proof[..2], &root),
            "cut short"
        );
        let mut longer = proof.clone();
        longer.push(root);
        assert!(!verify_inclusion(5, 8, &leaf, &longer, &root), "trailing");
        for i in 0..proof.len() {
            let mut flipped = proof.clone();
            flipped[i][0] ^= 8;
            assert!(!verify_inclusion(5, 8, &leaf, &flipped, &root), "bit {i}");
        }
    }

    #[test]
    fn every_leaf_of_trees_up_to_forty_proves_against_the_frontier_root() {
        let all: Vec<Hash> = (0..40u32).map(|n| leaf_hash(&[&n.to_le_bytes()])).collect();
        let mut frontier = Frontier::new();
        for size in 1..=all.len() {
            frontier.append(all[size - 1]);
            let root = frontier.root();
            assert_eq!(root, root_of(&all[..size]));
            for index in 0..size {
                let proof = inclusion_proof(&all[..size], index).expect("proof");
                assert!(
                    verify_inclusion(index as u64, size as u64, &all[index], &proof, &root),
                    "leaf {index} of {size}"
                );
            }
        }
    }
}
