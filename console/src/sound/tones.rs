//! The tone of each priority as a list of beeps and pauses, and its synthesis into samples
//! and into the PCM bytes the player is fed.

use alert_hub::protocol::Priority;
use time::Duration;

use crate::action::Cue;

/// A beep at `hz` (or silence when `hz` is 0) lasting `ms` milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub hz: f32,
    pub ms: u32,
}

const fn on(hz: f32, ms: u32) -> Segment {
    Segment { hz, ms }
}

const fn off(ms: u32) -> Segment {
    Segment { hz: 0.0, ms }
}

/// The fire tone: temporal-three (ISO 8201 / NFPA 72), three 0.5 s beeps 0.5 s apart, then
/// 1.5 s of silence; 4 s per cycle.
pub const TEMPORAL_THREE: [Segment; 6] = [
    on(950.0, 500),
    off(500),
    on(950.0, 500),
    off(500),
    on(950.0, 500),
    off(1500),
];

const P2_CHIME: [Segment; 4] = [
    on(880.0, 250),
    on(660.0, 250),
    on(880.0, 250),
    on(660.0, 250),
];
const P3_CHIME: [Segment; 3] = [on(660.0, 300), off(150), on(660.0, 300)];
const P4_CHIME: [Segment; 1] = [on(440.0, 400)];
/// Falling low tones, unlike any alarm: the console has lost the hub.
const LINK_LOST: [Segment; 5] = [
    on(523.0, 300),
    on(392.0, 300),
    on(262.0, 600),
    off(300),
    on(262.0, 600),
];

/// The beeps and pauses of a cue. P1 is always temporal-three; the lesser priorities each
/// have their own shorter pattern.
pub fn pattern(cue: Cue) -> &'static [Segment] {
    let priority = match cue {
        Cue::Alarm(p) | Cue::Chime(p) => p,
        Cue::LinkLost => return &LINK_LOST,
    };
    match priority {
        Priority::P1 => &TEMPORAL_THREE,
        Priority::P2 => &P2_CHIME,
        Priority::P3 => &P3_CHIME,
        Priority::P4 => &P4_CHIME,
    }
}

/// How long one play of the cue's pattern lasts.
pub fn cycle_length(cue: Cue) -> Duration {
    Duration::milliseconds(pattern(cue).iter().map(|s| i64::from(s.ms)).sum())
}

/// Mono samples of `segments` at `sample_rate`, each beep a sine with 5 ms ramps so it does
/// not click.
pub fn synthesize(segments: &[Segment], sample_rate: u32) -> Vec<f32> {
    let ramp = (sample_rate / 200).max(1) as usize;
    let mut samples = Vec::new();
    for segment in segments {
        let n = (u64::from(sample_rate) * u64::from(segment.ms) / 1000) as usize;
        if segment.hz <= 0.0 {
            samples.extend(std::iter::repeat_n(0.0, n));
            continue;
        }
        let step = std::f32::consts::TAU * segment.hz / sample_rate as f32;
        samples.extend((0..n).map(|i| {
            let envelope = (i.min(n - 1 - i) as f32 / ramp as f32).min(1.0);
            0.5 * envelope * (step * i as f32).sin()
        }));
    }
    samples
}

/// The cue as signed 16-bit little-endian mono PCM at `sample_rate` (`aplay -f S16_LE -c 1`).
pub fn pcm(cue: Cue, sample_rate: u32) -> Vec<u8> {
    pcm_s16le(&synthesize(pattern(cue), sample_rate))
}

/// Samples in [-1, 1] as signed 16-bit little-endian bytes, two per sample.
pub fn pcm_s16le(samples: &[f32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|s| ((s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16).to_le_bytes())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fire_tone_is_temporal_three() {
        let p = pattern(Cue::Alarm(Priority::P1));
        let beeps: Vec<_> = p.iter().filter(|s| s.hz > 0.0).collect();
        assert_eq!(beeps.len(), 3);
        assert!(beeps.iter().all(|b| b.ms == 500));
        assert_eq!(p[1].ms, 500);
        assert_eq!(p[3].ms, 500);
        assert_eq!(p[5], off(1500));
        assert_eq!(cycle_length(Cue::Alarm(Priority::P1)), Duration::seconds(4));
    }

    #[test]
    fn each_priority_has_its_own_tone() {
        let all = [Priority::P1, Priority::P2, Priority::P3, Priority::P4]
            .map(|p| pattern(Cue::Chime(p)));
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn synthesis_has_the_right_length_silences_and_bounds() {
        let samples = synthesize(&TEMPORAL_THREE, 8000);
        assert_eq!(samples.len(), 4 * 8000);
        assert!(samples[4000..8000].iter().all(|s| *s == 0.0), "first pause");
        assert!(samples[..4000].iter().any(|s| s.abs() > 0.4), "first beep");
        assert!(samples.iter().all(|s| s.abs() <= 0.5));
        assert_eq!(samples[0], 0.0, "ramps in from silence");
    }

    #[test]
    fn pcm_is_signed_16_bit_little_endian_two_bytes_a_sample() {
        assert_eq!(
            pcm_s16le(&[0.0, 0.5, -0.5, 1.0, -1.0, 2.0]),
            [
                0, 0, 0x00, 0x40, 0x00, 0xc0, 0xff, 0x7f, 0x01, 0x80, 0xff, 0x7f
            ]
        );
        let alarm = pcm(Cue::Alarm(Priority::P1), 8000);
        assert_eq!(alarm.len(), 2 * 4 * 8000);
        assert!(alarm[8000..16000].iter().all(|b| *b == 0), "first pause");
    }
}
