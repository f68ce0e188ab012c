//! The sound player with real child processes on real pipes: a fake `aplay`, a shell script in
//! a temporary directory, records its arguments and what it is fed, fails, or plays forever.
//! Waits are generous bounds, never the thing tested.
#![cfg(unix)]
#![allow(clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use alert_hub::protocol::Priority;
use console::action::Cue;
use console::sound::player::{BellReason, Output, PlayerReport, SAMPLE_RATE, SoundOutput};
use console::sound::tones;

const WAIT: Duration = Duration::from_secs(10);

/// A fake player: `body` runs under `/bin/sh` with `$dir` set to its own directory.
struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new(body: &str) -> Fake {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let script = format!("#!/bin/sh\ndir='{}'\n{body}\n", dir.path().display());
        // Written by a child process, so no file descriptor of ours on the script can leak into
        // a player another test is starting at that moment (which would make running the
        // script fail with "text file busy").
        let mut writer = Command::new("/bin/sh")
            .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
            .arg(dir.path().join("aplay"))
            .stdin(Stdio::piped())
            .spawn()
            .expect("/bin/sh starts");
        let mut stdin = writer.stdin.take().expect("piped");
        std::io::Write::write_all(&mut stdin, script.as_bytes()).expect("the script is written");
        drop(stdin);
        assert!(writer.wait().expect("/bin/sh ends").success());
        Fake { dir }
    }

    fn program(&self) -> PathBuf {
        self.dir.path().join("aplay")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Waits until the fake has created `name`.
    fn wait_for(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        let deadline = Instant::now() + WAIT;
        while !path.exists() {
            assert!(
                Instant::now() < deadline,
                "the fake player never wrote {name}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        path
    }

    /// Waits until the pid the fake wrote last is no longer `old`, and returns it.
    fn wait_for_new_pid(&self, old: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let pid = std::fs::read_to_string(self.path("pid")).expect("the pid file");
            if pid.trim() != old {
                return pid.trim().to_string();
            }
            assert!(Instant::now() < deadline, "the next cue never started");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Records each call `n` (the check at start is call 0) as `n.args` and `n.pcm`, then `n.done`.
const RECORDER: &str = r#"n=$(ls "$dir" | grep -c '\.done$')
printf '%s\n' "$@" > "$dir/$n.args"
cat > "$dir/$n.pcm"
: > "$dir/$n.done""#;

/// Passes the check at start, then fails every play.
const FAILS_AFTER_THE_CHECK: &str = r#"cat > /dev/null
if [ -e "$dir/checked" ]; then exit 1; fi
: > "$dir/checked""#;

/// Passes the check at start, then plays "forever", writing its pid to `pid`.
const PLAYS_FOREVER: &str = r#"if [ -e "$dir/checked" ]; then
  echo $$ > "$dir/pid.new" && mv "$dir/pid.new" "$dir/pid"
  exec sleep 60
fi
cat > /dev/null
: > "$dir/checked""#;

fn start(program: impl AsRef<Path>) -> (SoundOutput, mpsc::Receiver<PlayerReport>) {
    let (tx, rx) = mpsc::channel();
    let sound = SoundOutput::start(program.as_ref(), move |report| {
        let _ = tx.send(report);
    });
    (sound, rx)
}

fn next(reports: &mpsc::Receiver<PlayerReport>) -> PlayerReport {
    reports
        .recv_timeout(WAIT)
        .expect("the player reports within the bound")
}

fn alive(pid: &str) -> bool {
    Command::new("/bin/sh")
        .args(["-c", "kill -0 \"$1\"", "sh", pid])
        .stderr(Stdio::null())
        .status()
        .expect("/bin/sh starts")
        .success()
}

fn wait_gone(pid: &str) {
    let deadline = Instant::now() + WAIT;
    while alive(pid) {
        assert!(Instant::now() < deadline, "player {pid} still runs");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_p1_alarm_is_fed_to_the_player_as_its_synthesised_pcm_after_a_silent_check() {
    let fake = Fake::new(RECORDER);
    let (mut sound, reports) = start(fake.program());
    assert_eq!(next(&reports), PlayerReport::Output(Output::Aplay));
    assert!(sound.has_device());

    sound.play(Cue::Alarm(Priority::P1));
    fake.wait_for("1.done");

    let check = std::fs::read(fake.path("0.pcm")).unwrap();
    assert!(
        !check.is_empty() && check.iter().all(|b| *b == 0),
        "the check is silent"
    );
    let args = std::fs::read_to_string(fake.path("1.args")).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "-q", "-t", "raw", "-f", "S16_LE", "-r", "48000", "-c", "1", "-"
        ]
    );
    let fed = std::fs::read(fake.path("1.pcm")).unwrap();
    let expected = tones::pcm(Cue::Alarm(Priority::P1), SAMPLE_RATE);
    assert_eq!(expected.len(), 2 * 4 * 48_000, "4 s of 16-bit mono");
    assert!(fed == expected, "fed {} bytes, not the alarm's", fed.len());
    drop(sound);
    assert!(reports.try_iter().next().is_none(), "nothing failed");
}

#[test]
fn losing_the_hub_and_a_chime_reach_the_player_too() {
    let fake = Fake::new(RECORDER);
    let (mut sound, reports) = start(fake.program());
    assert_eq!(next(&reports), PlayerReport::Output(Output::Aplay));
    for (n, cue) in [(1, Cue::LinkLost), (2, Cue::Chime(Priority::P2))] {
        sound.play(cue);
        fake.wait_for(&format!("{n}.done"));
        let fed = std::fs::read(fake.path(&format!("{n}.pcm"))).unwrap();
        assert!(fed == tones::pcm(cue, SAMPLE_RATE), "{cue:?}");
    }
}

#[test]
fn a_player_that_does_not_exist_means_the_bell() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sound, reports) = start(dir.path().join("no-such-aplay"));
    assert_eq!(
        next(&reports),
        PlayerReport::Output(Output::Bell(BellReason::NoPlayer))
    );
    assert!(!sound.has_device());
    sound.silence();
}

#[test]
fn a_player_that_fails_its_check_means_the_bell_and_a_cue_waiting_for_it_comes_back() {
    // The check waits for `go`, so the cue is certainly played while it runs.
    let fake = Fake::new(
        r#"cat > /dev/null
while [ ! -e "$dir/go" ]; do sleep 0.01; done
exit 1"#,
    );
    let (mut sound, reports) = start(fake.program());
    sound.play(Cue::Alarm(Priority::P1));
    std::fs::write(fake.path("go"), "").unwrap();
    assert_eq!(
        next(&reports),
        PlayerReport::Output(Output::Bell(BellReason::NoDevice))
    );
    assert_eq!(
        next(&reports),
        PlayerReport::Unheard(Cue::Alarm(Priority::P1))
    );
    assert!(!sound.has_device());
}

#[test]
fn a_player_that_fails_later_means_the_bell_from_then_on_and_the_cue_comes_back() {
    let fake = Fake::new(FAILS_AFTER_THE_CHECK);
    let (mut sound, reports) = start(fake.program());
    assert_eq!(next(&reports), PlayerReport::Output(Output::Aplay));
    sound.play(Cue::Chime(Priority::P2));
    assert_eq!(
        next(&reports),
        PlayerReport::Output(Output::Bell(BellReason::PlayerFailed))
    );
    assert_eq!(
        next(&reports),
        PlayerReport::Unheard(Cue::Chime(Priority::P2))
    );
    assert!(!sound.has_device());
    sound.silence();
}

#[test]
fn silence_kills_the_player_at_once_and_the_next_cue_plays() {
    let fake = Fake::new(PLAYS_FOREVER);
    let (mut sound, reports) = start(fake.program());
    assert_eq!(next(&reports), PlayerReport::Output(Output::Aplay));

    sound.play(Cue::Alarm(Priority::P1));
    let first = std::fs::read_to_string(fake.wait_for("pid")).unwrap();
    let first = first.trim();
    assert!(alive(first));
    sound.silence();
    wait_gone(first);
    assert!(sound.has_device(), "being silenced is not failing");

    sound.play(Cue::LinkLost);
    let second = fake.wait_for_new_pid(first);
    drop(sound);
    assert!(!alive(&second), "dropping the output stops the player");
    assert!(reports.try_iter().next().is_none(), "nothing failed");
}

#[test]
fn an_alarm_cuts_a_lesser_cue_short() {
    let fake = Fake::new(PLAYS_FOREVER);
    let (mut sound, reports) = start(fake.program());
    assert_eq!(next(&reports), PlayerReport::Output(Output::Aplay));
    sound.play(Cue::Chime(Priority::P4));
    let chime = std::fs::read_to_string(fake.wait_for("pid")).unwrap();
    sound.play(Cue::Alarm(Priority::P1));
    wait_gone(chime.trim());
    let alarm = fake.wait_for_new_pid(chime.trim());
    assert!(alive(&alarm));
}
