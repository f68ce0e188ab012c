//! Plays cues: through the sound card with the `sound` feature when one opens, otherwise as the
//! terminal bell. Never fails: any trouble with audio means "bell only".

use std::io::Write;

use crate::action::Cue;

/// Where cues go.
#[derive(Debug)]
pub struct SoundOutput {
    #[cfg(feature = "sound")]
    device: Option<std::sync::mpsc::Sender<device::Message>>,
}

impl SoundOutput {
    /// Opens the default sound card (with the `sound` feature); open before the terminal enters
    /// the alternate screen. Falls back to the bell on any error.
    pub fn open() -> SoundOutput {
        SoundOutput {
            #[cfg(feature = "sound")]
            device: device::spawn(),
        }
    }

    /// Bell only, whatever the build: for tests and headless runs.
    pub fn bell_only() -> SoundOutput {
        SoundOutput {
            #[cfg(feature = "sound")]
            device: None,
        }
    }

    /// True when cues play through a sound card rather than the bell.
    pub fn has_device(&self) -> bool {
        #[cfg(feature = "sound")]
        {
            self.device.is_some()
        }
        #[cfg(not(feature = "sound"))]
        {
            false
        }
    }

    /// Plays one cue (one cycle of the alarm, or a chime).
    pub fn play(&mut self, cue: Cue) {
        #[cfg(feature = "sound")]
        if let Some(tx) = &self.device {
            if tx.send(device::Message::Play(cue)).is_ok() {
                return;
            }
            self.device = None;
        }
        let _ = cue;
        ring_bell();
    }

    /// Stops whatever is playing.
    pub fn silence(&mut self) {
        #[cfg(feature = "sound")]
        if let Some(tx) = &self.device {
            let _ = tx.send(device::Message::Silence);
        }
    }
}

fn ring_bell() {
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

#[cfg(feature = "sound")]
mod device {
    //! The rodio side: a thread that owns the output stream and plays synthesized cues.

    use std::num::NonZero;
    use std::sync::mpsc;
    use std::time::Duration;

    use crate::action::Cue;
    use crate::sound::tones;

    pub enum Message {
        Play(Cue),
        Silence,
    }

    /// Opens the default output on its own thread; `None` when there is no usable device.
    pub fn spawn() -> Option<mpsc::Sender<Message>> {
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("sound".into())
            .spawn(move || run(rx, ready_tx))
            .ok()?;
        match ready_rx.recv_timeout(Duration::from_secs(3)) {
            Ok(true) => Some(tx),
            _ => None,
        }
    }

    fn run(rx: mpsc::Receiver<Message>, ready: mpsc::SyncSender<bool>) {
        let mut sink = match rodio::DeviceSinkBuilder::open_default_sink() {
            Ok(sink) => sink,
            Err(_) => {
                let _ = ready.send(false);
                return;
            }
        };
        sink.log_on_drop(false);
        let rate = sink.config().sample_rate();
        let player = rodio::Player::connect_new(sink.mixer());
        let _ = ready.send(true);
        for message in rx {
            match message {
                Message::Play(cue) => {
                    let samples = tones::synthesize(tones::pattern(cue), rate.get());
                    player.append(rodio::buffer::SamplesBuffer::new(
                        NonZero::<u16>::MIN,
                        rate,
                        samples,
                    ));
                    player.play();
                }
                Message::Silence => player.clear(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bell_only_output_never_claims_a_device() {
        let mut out = SoundOutput::bell_only();
        assert!(!out.has_device());
        out.silence();
    }
}
