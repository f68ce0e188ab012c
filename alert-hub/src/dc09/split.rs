//! Frames cut from a byte stream: each runs from an `<LF>` to the next `<CR>`; bytes outside
//! frames are dropped, and so is a run too long to be a frame.

use crate::protocol::dc09::MAX_FRAME_BYTES;

/// Bytes received and not yet cut into frames.
#[derive(Debug, Default)]
pub struct Frames {
    buf: Vec<u8>,
}

impl Frames {
    /// Adds received bytes.
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, `<LF>` to `<CR>` inclusive, if one has arrived. A frame begins at
    /// the last `<LF>` before its `<CR>`; what precedes it is garbage and is dropped.
    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        loop {
            let Some(cr) = self.buf.iter().position(|&b| b == b'\r') else {
                self.drop_overlong();
                return None;
            };
            match self.buf[..cr].iter().rposition(|&b| b == b'\n') {
                Some(lf) => {
                    let frame = self.buf[lf..=cr].to_vec();
                    self.buf.drain(..=cr);
                    return Some(frame);
                }
                None => {
                    self.buf.drain(..=cr);
                }
            }
        }
    }

    /// Keeps at most one frame's worth of bytes from the last `<LF>`: anything longer without
    /// a `<CR>` cannot become a frame.
    fn drop_overlong(&mut self) {
        match self.buf.iter().rposition(|&b| b == b'\n') {
            None => self.buf.clear(),
            Some(lf) => {
                self.buf.drain(..lf);
                if self.buf.len() > MAX_FRAME_BYTES {
                    self.buf.clear();
                }
            }
        }
    }

    /// How many bytes wait for the rest of their frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_cut_from_garbage_and_halves() {
        let mut f = Frames::default();
        f.extend(b"junk\r\n\nAB");
        assert_eq!(f.next_frame(), None);
        f.extend(b"CD\r\nEF\r\n");
        assert_eq!(f.next_frame().as_deref(), Some(&b"\nABCD\r"[..]));
        assert_eq!(f.next_frame().as_deref(), Some(&b"\nEF\r"[..]));
        assert_eq!(f.next_frame(), None);
        assert_eq!(f.pending(), 1);
    }

    #[test]
    fn a_run_too_long_to_be_a_frame_is_dropped() {
        let mut f = Frames::default();
        f.extend(b"\n");
        f.extend(&vec![b'x'; MAX_FRAME_BYTES + 10]);
        assert_eq!(f.next_frame(), None);
        assert_eq!(f.pending(), 0);
        f.extend(b"\nok\r");
        assert_eq!(f.next_frame().as_deref(), Some(&b"\nok\r"[..]));
        let mut g = Frames::default();
        g.extend(&vec![b'y'; 100_000]);
        assert_eq!(g.next_frame(), None);
        assert_eq!(g.pending(), 0, "bytes without LF are never kept");
    }
}
