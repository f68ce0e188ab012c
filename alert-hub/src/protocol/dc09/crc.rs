//! The CRC of a DC-09 frame: CRC-16/ARC (polynomial 0x8005 reflected, initial value 0).

/// The CRC-16/ARC of `bytes`, as DC-09 computes it over a frame from its first `"`.
pub fn crc16(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_dc09_vector() {
        assert_eq!(crc16(br#""ADM-CID"0001L0#7099[#7099|1628 01 000]"#), 0xB0AC);
    }

    #[test]
    fn the_crc16_arc_check_value() {
        // The catalogue's check value for CRC-16/ARC over "123456789".
        assert_eq!(crc16(b"123456789"), 0xBB3D);
        assert_eq!(crc16(b""), 0);
    }
}
