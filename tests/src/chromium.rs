//! Pages opened in headless Chromium, as a person would open them: the DOM after the page has
//! loaded, and a PNG screenshot to look at. Chromium is required: a test that needs it fails
//! with a message saying how to install it, never passes without it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The flags that keep a headless Chromium quiet on a closed network (no background
/// connections, no first-run work) and usable as root.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// Chromium's path; fails the test, saying why, when it is not installed.
pub fn require() -> PathBuf {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new(name).arg("--version").output()
            && out.status.success()
        {
            return PathBuf::from(name);
        }
    }
    panic!(
        "Chromium is needed for this test and was not found on PATH: install it \
         (e.g. apt-get install chromium) and run the test again"
    )
}

/// A page as Chromium loaded it.
#[derive(Debug)]
pub struct Opened {
    /// The document after loading, serialised.
    pub dom: String,
    /// The screenshot.
    pub png: PathBuf,
    /// The screenshot's size in pixels, read from its header.
    pub size: (u32, u32),
}

/// Opens `page` (an HTML file) at `width`×`height`, writes the screenshot to `png` and reads
/// back the loaded DOM.
pub fn open(page: &Path, png: &Path, width: u32, height: u32) -> Opened {
    let browser = require();
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().expect("a profile directory");
    let run = |extra: &[String]| {
        let out = Command::new(&browser)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={width},{height}"))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "chromium failed on {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&[format!("--screenshot={}", png.display())]);
    let dom = String::from_utf8_lossy(&run(&["--dump-dom".to_string()]).stdout).into_owned();
    let bytes = std::fs::read(png).expect("the screenshot was written");
    Opened {
        dom,
        png: png.to_path_buf(),
        size: png_size(&bytes),
    }
}

/// Width and height from a PNG's IHDR chunk; (0, 0) for anything that is not a PNG.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    if bytes.len() < 24 || bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
        return (0, 0);
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (word(16), word(20))
}
