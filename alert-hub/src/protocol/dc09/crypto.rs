//! DC-09 encryption: AES-128/192/256 in CBC mode with a zero IV over the part of a frame after
//! its `[`, written as hexadecimal; the plaintext begins with padding up to the first `|`.

use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

use super::FrameError;

const BLOCK: usize = 16;

/// An account's AES key: 16, 24 or 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(Vec<u8>);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(AES-{}, hidden)", self.0.len() * 8)
    }
}

impl Key {
    /// A key written as 32, 48 or 64 hexadecimal digits; the error says what is wrong with it.
    pub fn from_hex(hex: &str) -> Result<Key, String> {
        let bytes = decode_hex(hex)
            .map_err(|at| format!("character {} of the key is not a hexadecimal digit", at + 1))?;
        match bytes.len() {
            16 | 24 | 32 => Ok(Key(bytes)),
            n => Err(format!(
                "the key has {n} bytes ({} hexadecimal digits); AES needs 16, 24 or 32 bytes \
                 (32, 48 or 64 digits)",
                hex.len()
            )),
        }
    }

    /// The key's size in bits: 128, 192 or 256.
    pub fn bits(&self) -> usize {
        self.0.len() * 8
    }
}

/// Bytes from hexadecimal digits; the error is the index of the first wrong character (an
/// odd count is wrong at its end).
pub fn decode_hex(hex: &str) -> Result<Vec<u8>, usize> {
    let digits = hex.as_bytes();
    if let Some(at) = digits.iter().position(|b| !b.is_ascii_hexdigit()) {
        return Err(at);
    }
    if digits.len() % 2 == 1 {
        return Err(digits.len());
    }
    let value = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    };
    Ok(digits
        .chunks(2)
        .map(|pair| (value(pair[0]) << 4) | value(pair[1]))
        .collect())
}

/// Uppercase hexadecimal, as DC-09 writes encrypted parts.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    out
}

/// Encrypts `text` (what follows the padding: `data]…_timestamp`) with padding drawn from
/// `pad_seed`, and returns the hexadecimal cipher text. The padding is at least one character,
/// never `[`, `]` or `|`, and makes the plaintext a whole number of blocks.
pub fn seal(key: &Key, text: &str, pad_seed: &[u8]) -> String {
    let used = (text.len() + 1) % BLOCK;
    let pad_len = if used == 0 { BLOCK } else { BLOCK - used };
    let mut plain = Vec::with_capacity(pad_len + 1 + text.len());
    for i in 0..pad_len {
        let seed = pad_seed
            .get(i % pad_seed.len().max(1))
            .copied()
            .unwrap_or(0);
        // Printable characters from '0' (0x30) to 'Z' (0x5A): none of them is [ ] or |.
        plain.push(b'0' + (seed.wrapping_add(i as u8 * 7)) % 43);
    }
    plain.push(b'|');
    plain.extend_from_slice(text.as_bytes());
    let sealed = match key.0.len() {
        16 => encrypt::<aes::Aes128>(&key.0, &mut plain),
        24 => encrypt::<aes::Aes192>(&key.0, &mut plain),
        _ => encrypt::<aes::Aes256>(&key.0, &mut plain),
    };
    encode_hex(sealed)
}

fn encrypt<'a, C>(key: &[u8], plain: &'a mut [u8]) -> &'a [u8]
where
    C: aes::cipher::BlockCipher + aes::cipher::BlockEncryptMut + aes::cipher::KeyInit,
{
    let len = plain.len();
    match cbc::Encryptor::<C>::new_from_slices(key, &[0u8; BLOCK]) {
        Ok(cipher) => cipher
            .encrypt_padded_mut::<NoPadding>(plain, len)
            .unwrap_or(&[]),
        Err(_) => &[],
    }
}

/// Decrypts the hexadecimal cipher text that begins at byte `offset` of the frame and returns
/// what follows the padding's `|`.
pub fn open(key: &Key, hex: &str, offset: usize) -> Result<String, FrameError> {
    let mut bytes = decode_hex(hex).map_err(|at| FrameError::BadHex {
        offset: offset + at,
    })?;
    if bytes.is_empty() || bytes.len() % BLOCK != 0 {
        return Err(FrameError::BadCipherLength { len: bytes.len() });
    }
    let plain = match key.0.len() {
        16 => decrypt::<aes::Aes128>(&key.0, &mut bytes),
        24 => decrypt::<aes::Aes192>(&key.0, &mut bytes),
        _ => decrypt::<aes::Aes256>(&key.0, &mut bytes),
    }
    .ok_or(FrameError::BadCipherLength { len: hex.len() / 2 })?;
    let bar = plain
        .iter()
        .position(|&b| b == b'|')
        .ok_or(FrameError::BadPadding)?;
    let text = &plain[bar + 1..];
    if let Some(at) = text.iter().position(|b| !(0x20..0x7F).contains(b)) {
        return Err(FrameError::NotText { at: bar + 1 + at });
    }
    Ok(String::from_utf8_lossy(text).into_owned())
}

fn decrypt<'a, C>(key: &[u8], bytes: &'a mut [u8]) -> Option<&'a [u8]>
where
    C: aes::cipher::BlockCipher + aes::cipher::BlockDecryptMut + aes::cipher::KeyInit,
{
    let cipher = cbc::Decryptor::<C>::new_from_slices(key, &[0u8; BLOCK]).ok()?;
    cipher.decrypt_padded_mut::<NoPadding>(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY128: &str = "000102030405060708090A0B0C0D0E0F";

    #[test]
    fn the_fips_197_aes_128_vector_through_cbc_with_a_zero_iv() {
        // FIPS-197 C.1: one block under a zero IV is the plain AES block cipher.
        let key = Key::from_hex(KEY128).expect("key");
        let mut block = decode_hex("00112233445566778899AABBCCDDEEFF").expect("hex");
        let sealed = encrypt::<aes::Aes128>(&key.0, &mut block).to_vec();
        assert_eq!(encode_hex(&sealed), "69C4E0D86A7B0430D8CDB78070B4C55A");
    }

    #[test]
    fn what_is_sealed_opens_with_each_key_size() {
        for hex in [KEY128, &"AB".repeat(24), &"CD".repeat(32)] {
            let key = Key::from_hex(hex).expect("key");
            for text in [
                "]",
                "#1234|1110 01 003]_12:00:00,12-05-2026",
                &"x".repeat(15),
            ] {
                let sealed = seal(&key, text, b"seed");
                assert_eq!(sealed.len() % 32, 0, "whole blocks");
                assert_eq!(open(&key, &sealed, 0).expect("opens"), text);
            }
        }
    }

    #[test]
    fn a_wrong_key_or_broken_cipher_text_is_refused() {
        let key = Key::from_hex(KEY128).expect("key");
        let other = Key::from_hex(&"11".repeat(16)).expect("key");
        let sealed = seal(&key, "#1234|1110 01 003]_12:00:00,12-05-2026", b"s");
        assert!(open(&other, &sealed, 0).is_err());
        assert_eq!(
            open(&key, &sealed[..30], 40),
            Err(FrameError::BadCipherLength { len: 15 })
        );
        let mut bad = sealed.clone();
        bad.replace_range(4..5, "G");
        assert_eq!(open(&key, &bad, 40), Err(FrameError::BadHex { offset: 44 }));
    }

    #[test]
    fn plaintext_without_a_bar_is_bad_padding() {
        let key = Key::from_hex(KEY128).expect("key");
        let mut block = *b"no bar in here!!";
        let sealed = encode_hex(encrypt::<aes::Aes128>(&key.0, &mut block));
        assert_eq!(open(&key, &sealed, 0), Err(FrameError::BadPadding));
    }

    #[test]
    fn keys_of_the_wrong_size_or_digits_are_refused_with_why() {
        assert!(
            Key::from_hex(&"00".repeat(20))
                .unwrap_err()
                .contains("20 bytes")
        );
        assert!(Key::from_hex("zz").unwrap_err().contains("character 1"));
        assert_eq!(Key::from_hex(&"00".repeat(24)).map(|k| k.bits()), Ok(192));
    }
}
