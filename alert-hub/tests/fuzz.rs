//! Fuzzing as property tests (issue 10, item 6): the device frame reader and the configuration
//! loader never panic, whatever they are given, and every refusal says what was wrong.
//! The long run is `cargo bench -p alert-hub --bench fuzz_frames`.
#![allow(clippy::expect_used)]

mod fuzz_input;

use std::path::Path;

use alert_hub::config::HubConfig;
use alert_hub::error::ConfigError;
use alert_hub::ingest::read_frame;
use fuzz_input::{Rng, SITE, demo_config, mutate, mutated, seed_frames};
use proptest::prelude::*;

/// Reads `bytes` as a device frame, as the hub would after the socket's UTF-8 check, and
/// checks that a refusal has a message.
fn read(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    match read_frame(&text, |site| site == SITE) {
        Ok(_) => Ok(()),
        Err(nack) if nack.message.trim().is_empty() => Err(format!(
            "a refusal without a message: {nack:?} for {text:?}"
        )),
        Err(_) => Ok(()),
    }
}

/// Loads `text` as a configuration and checks that a refusal names the file and, for each
/// problem, a line and what is wrong.
fn load(text: &str) -> Result<(), String> {
    let file = Path::new("/nonexistent/fuzz-site.toml");
    match HubConfig::parse(text, file) {
        Ok(_) => Ok(()),
        Err(ConfigError::Invalid { problems, .. }) if problems.is_empty() => {
            Err("refused without a problem".into())
        }
        Err(ConfigError::Invalid { problems, .. }) => match problems
            .iter()
            .find(|p| p.line == 0 || p.message.trim().is_empty())
        {
            Some(p) => Err(format!("a problem without a line or message: {p:?}")),
            None => Ok(()),
        },
        Err(e) if e.to_string().trim().is_empty() => Err(format!("an empty error: {e:?}")),
        Err(_) => Ok(()),
    }
}

#[test]
fn the_seed_frames_of_every_device_kind_are_accepted() {
    let seeds = seed_frames();
    let accepted = seeds
        .iter()
        .filter(|f| read_frame(f, |site| site == SITE).is_ok())
        .count();
    // Two frames of each of the 16 kinds a device may send.
    assert_eq!(accepted, 32, "the seeds start from valid frames");
}

#[test]
fn the_demo_configuration_loads() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site.toml");
    HubConfig::parse(demo_config(), &file).expect("the demo configuration is valid");
}

/// A `detail` nested deeper than JSON readers usually allow (serde_json stops at 128 levels)
/// is neither a crash nor a reason to lose the alarm: it is kept as the device wrote it.
#[test]
fn deep_nesting_in_a_detail_is_kept_as_sent() {
    let seed = &seed_frames()[0];
    for depth in [200, 30_000] {
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let frame = seed.replacen(r#""loop":3"#, &format!(r#""loop":{nested}"#), 1);
        let event = read_frame(&frame, |site| site == SITE).expect("accepted");
        assert!(event.detail.as_json().contains(&nested));
    }
    let nested = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let frame = seed.replacen(r#""loop":3"#, &format!(r#""loop":{nested}"#), 1);
    assert!(read_frame(&frame, |site| site == SITE).is_ok());
}

#[test]
fn deep_nesting_in_a_configuration_is_refused_with_a_message() {
    for depth in [200, 20_000] {
        for (open, close) in [("[", "]"), ("{a=", "}")] {
            let value = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let text = demo_config().replacen(
                "heartbeat_secs = 300",
                &format!("heartbeat_secs = {value}"),
                1,
            );
            let error = HubConfig::parse(&text, Path::new("site.toml")).expect_err("refused");
            assert!(error.to_string().contains("site.toml:"), "{error}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_as_a_frame_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        read(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn any_text_as_a_frame_never_panics(text in "\\PC{0,512}") {
        read(text.as_bytes()).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_frames_never_panic(seed in any::<u64>()) {
        let seeds = seed_frames();
        let mut rng = Rng::new(seed);
        for _ in 0..16 {
            read(&mutated(&mut rng, &seeds)).map_err(TestCaseError::fail)?;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_text_as_a_configuration_never_panics(text in "\\PC{0,1024}") {
        load(&text).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn mutated_configurations_never_panic(seed in any::<u64>()) {
        let seeds = [demo_config().to_string()];
        let mut rng = Rng::new(seed);
        let mut bytes = demo_config().as_bytes().to_vec();
        for _ in 0..1 + rng.below(6) {
            mutate(&mut rng, &mut bytes, &seeds);
        }
        load(&String::from_utf8_lossy(&bytes)).map_err(TestCaseError::fail)?;
    }
}
