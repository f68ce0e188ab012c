//! Plays cues through ALSA's command-line player, `aplay`: one child process per cue, fed the
//! synthesised PCM on its standard input, run from a worker thread so the screen never waits
//! on audio. Whether it can play is found out at run time, by a moment of silence played at
//! start; when the player is missing, opens no device, or later fails, every cue from then on
//! rings the terminal bell instead (the flashing rows never depend on sound). Nothing here
//! panics, and nothing here needs audio libraries to build.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::action::Cue;
use crate::sound::schedule::{Arrival, Schedule};
use crate::sound::tones;

/// ALSA's player (Debian's `alsa-utils`), looked up on `PATH`.
pub const APLAY: &str = "aplay";

/// The sample rate cues are synthesised at; ALSA's default device converts it if it must.
pub const SAMPLE_RATE: u32 = 48_000;

/// How long the silent play at start may take before the device counts as unusable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The silent play at start: 10 ms.
const PROBE_SAMPLES: usize = SAMPLE_RATE as usize / 100;

/// How often the worker looks whether the cue playing has ended.
const POLL: Duration = Duration::from_millis(20);

/// What cues sound through, as the operator is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// ALSA's player plays the synthesised tones.
    Aplay,
    /// The terminal bell, and why.
    Bell(BellReason),
}

/// Why cues ring the terminal bell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BellReason {
    /// The player could not be started: not installed, or not on `PATH`.
    NoPlayer,
    /// The player started, but its silent play at start failed: no sound device opened.
    NoDevice,
    /// The player worked at start, then failed to play a cue.
    PlayerFailed,
}

/// What the player's worker tells the console, from its own thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayerReport {
    /// What cues sound through from now on: sent after the check at start, and after a failure.
    Output(Output),
    /// A cue that was not heard because the player failed: sound it again (it rings the bell now).
    Unheard(Cue),
}

/// The player's arguments: raw signed 16-bit little-endian mono PCM at [`SAMPLE_RATE`] from
/// standard input, to ALSA's default device, printing nothing but errors.
pub fn player_args() -> Vec<String> {
    ["-q", "-t", "raw", "-f", "S16_LE", "-r"]
        .into_iter()
        .map(String::from)
        .chain([SAMPLE_RATE.to_string()])
        .chain(["-c", "1", "-"].into_iter().map(String::from))
        .collect()
}

/// Where cues go: the worker that runs the player, or the terminal bell.
#[derive(Debug)]
pub struct SoundOutput {
    output: Arc<Mutex<Option<Output>>>,
    worker: Option<mpsc::Sender<Message>>,
    thread: Option<JoinHandle<()>>,
}

enum Message {
    Play(Cue),
    Silence,
}

impl SoundOutput {
    /// Starts the worker that plays cues through `program` (the console uses [`APLAY`]) and
    /// returns at once. The worker first plays a moment of silence to learn whether a device
    /// opens, then sends the [`Output`] to `report`; cues played before then wait for it.
    pub fn start(
        program: impl Into<OsString>,
        report: impl Fn(PlayerReport) + Send + Sync + 'static,
    ) -> SoundOutput {
        let output = Arc::new(Mutex::new(None));
        let report: Arc<dyn Fn(PlayerReport) + Send + Sync> = Arc::new(report);
        let (tx, rx) = mpsc::channel();
        let worker = Worker {
            program: program.into(),
            output: output.clone(),
            report: report.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("sound".into())
            .spawn(move || worker.run(&rx));
        match thread {
            Ok(thread) => SoundOutput {
                output,
                worker: Some(tx),
                thread: Some(thread),
            },
            Err(_) => {
                let bell = Output::Bell(BellReason::NoPlayer);
                *lock(&output) = Some(bell);
                report(PlayerReport::Output(bell));
                SoundOutput {
                    output,
                    worker: None,
                    thread: None,
                }
            }
        }
    }

    /// True when cues play through the player rather than the bell; false until the check
    /// at start has succeeded, and for good after the player fails.
    pub fn has_device(&self) -> bool {
        self.worker.is_some() && *lock(&self.output) == Some(Output::Aplay)
    }

    /// Plays one cue (one cycle of the alarm, or a chime) without waiting for it: hands it to
    /// the worker, or rings the bell once the player is known not to work.
    pub fn play(&mut self, cue: Cue) {
        if !matches!(*lock(&self.output), Some(Output::Bell(_))) {
            if let Some(worker) = &self.worker {
                if worker.send(Message::Play(cue)).is_ok() {
                    return;
                }
                self.worker = None;
            }
        }
        ring_bell();
    }

    /// Stops the cue playing, and drops those waiting, at once.
    pub fn silence(&mut self) {
        if let Some(worker) = &self.worker {
            let _ = worker.send(Message::Silence);
        }
    }
}

impl Drop for SoundOutput {
    /// Stops what plays and waits for the worker to end, so no player outlives the console.
    fn drop(&mut self) {
        self.worker = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(output: &Mutex<Option<Output>>) -> std::sync::MutexGuard<'_, Option<Output>> {
    output.lock().unwrap_or_else(PoisonError::into_inner)
}

fn ring_bell() {
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x07");
    let _ = out.flush();
}

/// The worker thread's side: checks the player, then plays cues in [`Schedule`] order.
struct Worker {
    program: OsString,
    output: Arc<Mutex<Option<Output>>>,
    report: Arc<dyn Fn(PlayerReport) + Send + Sync>,
}

impl Worker {
    fn run(self, messages: &mpsc::Receiver<Message>) {
        if let Err(reason) = probe(&self.program) {
            return self.give_up(reason, Vec::new(), messages);
        }
        self.tell(Output::Aplay);
        let mut playback = Playback {
            program: &self.program,
            schedule: Schedule::default(),
            child: None,
        };
        loop {
            let message = if playback.child.is_some() {
                match messages.recv_timeout(POLL) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            } else {
                match messages.recv() {
                    Ok(message) => Some(message),
                    Err(_) => break,
                }
            };
            let result = match message {
                Some(Message::Play(cue)) => playback.play(cue),
                Some(Message::Silence) => {
                    playback.silence();
                    Ok(())
                }
                None => Ok(()),
            }
            .and_then(|()| playback.poll());
            if result.is_err() {
                playback.stop();
                let unheard = playback.schedule.take_all();
                return self.give_up(BellReason::PlayerFailed, unheard, messages);
            }
        }
        playback.stop();
    }

    /// Records and reports what cues sound through; the record first, so a cue reported
    /// unheard after it is played as the bell, not handed back here.
    fn tell(&self, output: Output) {
        *lock(&self.output) = Some(output);
        (self.report)(PlayerReport::Output(output));
    }

    /// From now on the bell: reports `unheard`, and every cue still sent here, as unheard
    /// until the console drops its [`SoundOutput`].
    fn give_up(&self, reason: BellReason, unheard: Vec<Cue>, messages: &mpsc::Receiver<Message>) {
        self.tell(Output::Bell(reason));
        for cue in unheard {
            (self.report)(PlayerReport::Unheard(cue));
        }
        for message in messages {
            if let Message::Play(cue) = message {
                (self.report)(PlayerReport::Unheard(cue));
            }
        }
    }
}

/// The player failed: it could not be started, exited with an error, or could not be asked.
struct Failed;

/// The cue playing as a child process, and the cues waiting for it.
struct Playback<'a> {
    program: &'a OsStr,
    schedule: Schedule,
    child: Option<Child>,
}

impl Playback<'_> {
    fn play(&mut self, cue: Cue) -> Result<(), Failed> {
        match self.schedule.arrive(cue) {
            Arrival::Start(cue) => self.start(cue),
            Arrival::CutShort(cue) => {
                self.stop();
                self.start(cue)
            }
            Arrival::Wait => Ok(()),
        }
    }

    fn silence(&mut self) {
        self.stop();
        self.schedule.clear();
    }

    /// Looks whether the cue playing has ended, and starts the next one when it has.
    fn poll(&mut self) -> Result<(), Failed> {
        let Some(child) = &mut self.child else {
            return Ok(());
        };
        match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) if status.success() => {
                self.child = None;
                match self.schedule.finished() {
                    Some(next) => self.start(next),
                    None => Ok(()),
                }
            }
            Ok(Some(_)) | Err(_) => Err(Failed),
        }
    }

    fn start(&mut self, cue: Cue) -> Result<(), Failed> {
        let child = spawn_player(self.program, tones::pcm(cue, SAMPLE_RATE)).map_err(|_| Failed)?;
        self.child = Some(child);
        Ok(())
    }

    /// Kills the cue playing, if any, and reaps it.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Plays a moment of silence through `program` to learn whether it starts and opens a device.
fn probe(program: &OsStr) -> Result<(), BellReason> {
    let silence = vec![0; 2 * PROBE_SAMPLES];
    let mut child = spawn_player(program, silence).map_err(|_| BellReason::NoPlayer)?;
    let deadline = Instant::now() + PROBE_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(BellReason::NoDevice);
            }
        }
    }
}

/// Starts `program` with [`player_args`] and feeds it `pcm` from a thread of its own, which
/// ends when all is written or the player has gone. The player's errors go to the console's
/// stderr (a log file while the screen is up); its standard output goes nowhere.
fn spawn_player(program: &OsStr, pcm: Vec<u8>) -> std::io::Result<Child> {
    let mut child = Command::new(program)
        .args(player_args())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    let stdin = child.stdin.take();
    let feed = std::thread::Builder::new()
        .name("sound-feed".into())
        .spawn(move || {
            if let Some(mut stdin) = stdin {
                let _ = stdin.write_all(&pcm);
            }
        });
    if let Err(e) = feed {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    Ok(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_player_is_asked_for_raw_16_bit_mono_from_stdin() {
        assert_eq!(
            player_args(),
            [
                "-q", "-t", "raw", "-f", "S16_LE", "-r", "48000", "-c", "1", "-"
            ]
        );
    }
}
