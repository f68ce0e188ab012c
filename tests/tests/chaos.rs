//! The short chaos run (issue 10, item 6): three cycles of the real hub streaming events from
//! several devices and killed with SIGKILL at a random moment; every acknowledged event is
//! stored exactly once at the end. The long run is the `chaos` binary (see the README).

use system_tests::chaos::{self, Options};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_kill_9_cycles_keep_every_acked_event_exactly_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = Options {
        cycles: 3,
        seed: 7,
        ..Options::default()
    };
    let report = chaos::run(dir.path(), &options, |line| eprintln!("{line}")).await;
    eprintln!("{}", report.summary());
    assert_eq!(report.restarts.len(), 3, "restarted after each kill");
    assert!(
        report.acked_per_cycle.iter().all(|&n| n > 0),
        "events were acked in every cycle: {:?}",
        report.acked_per_cycle
    );
    assert!(
        report.lost.is_empty(),
        "acked events lost: {:?}",
        report.lost
    );
    assert!(
        report.duplicates.is_empty(),
        "stored twice: {:?}",
        report.duplicates
    );
    assert!(report.renumbered.is_empty(), "{:?}", report.renumbered);
    assert_eq!(report.nacks, 0, "valid frames refused");
    assert!(report.stored >= report.acked, "every acked event is stored");
}
