//! The console's queries and the demo's devices against the real hub, embedded in-process on a
//! loopback port with the demo configuration: history with its filters, an incident's full
//! log, the running drills, and the demo's scripted minute as the hub records it.

use hub_client::HubAddress;
use std::collections::HashMap;

use alert_hub::protocol::{EventKind, IncidentEvent, IncidentView, Priority};
use console::demo::devices::Player;
use console::demo::hub::EmbeddedHub;
use console::demo::{OPERATOR_TOKEN, script};
use console::queries::{HistoryFilter, HubHttp, HubQueries};
use time::{Duration, OffsetDateTime};

/// Plays the whole demo script at once (its times are kept in the events).
async fn play_script(hub: &EmbeddedHub) -> OffsetDateTime {
    let start = OffsetDateTime::now_utc();
    let mut player = Player::new(hub.address());
    for entry in script::schedule(start) {
        let what = format!("{:?}", entry.what);
        player
            .play(entry)
            .await
            .unwrap_or_else(|e| panic!("{e}: {what}"));
    }
    start
}

fn by_kind(incidents: &[IncidentView]) -> HashMap<(EventKind, bool), &IncidentView> {
    incidents
        .iter()
        .map(|i| ((i.kind, i.drill.is_some()), i))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_minute_gives_the_hub_a_realistic_board() {
    let hub = EmbeddedHub::start().await.unwrap();
    let data = hub.data_dir().to_path_buf();
    assert!(data.exists());
    let start = play_script(&hub).await;
    let queries = HubHttp::new(hub.address(), OPERATOR_TOKEN);
    let all = queries.history(&HistoryFilter::default()).await.unwrap();
    let board = by_kind(&all);

    let fire = board[&(EventKind::FireAlarm, false)];
    assert_eq!(fire.priority, Priority::P1);
    assert!(fire.confirmed_by_two_detectors, "{fire:?}");
    assert_eq!(fire.devices.len(), 2);
    let drill = board[&(EventKind::ElevatorEntrapment, true)];
    assert_eq!(drill.drill.as_deref(), Some(script::DRILL_ID));
    assert_eq!(drill.location.site, "riverside-plaza");
    let real_lift = board[&(EventKind::ElevatorEntrapment, false)];
    assert_eq!(real_lift.location.site, "green-garden");
    assert!(board[&(EventKind::AccessHeldOpen, false)].restored);
    for kind in [
        EventKind::AccessForced,
        EventKind::FireSupervisory,
        EventKind::FireTrouble,
    ] {
        assert!(board.contains_key(&(kind, false)), "{kind}");
    }
    assert_eq!(all.len(), 7, "{all:#?}");
    let drill_at: Vec<_> = all.iter().map(|i| i.drill.is_some()).collect();
    assert_eq!(
        drill_at,
        [false, false, false, false, false, false, true],
        "every real incident, P3 and P4 included, above the drill P1"
    );

    let drills = queries.drills().await.unwrap();
    assert_eq!(drills.len(), 1);
    assert_eq!(drills[0].id, script::DRILL_ID);
    assert_eq!(
        queries.on_test().await,
        Ok(Vec::new()),
        "nothing is on test"
    );

    let record = queries.incident(&fire.id).await.unwrap();
    assert_eq!(record.incident.id, fire.id);
    assert!(
        record.incident.playbook.is_some(),
        "the incident comes with its playbook"
    );
    let log = record.log;
    assert!(matches!(log[0].event, IncidentEvent::Opened { .. }));
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq), "oldest first");
    assert!(
        log.iter()
            .any(|e| matches!(e.event, IncidentEvent::ConfirmedByTwoDetectors { .. }))
    );
    assert!(
        log.iter()
            .any(|e| matches!(e.event, IncidentEvent::PriorityRaised { .. }))
    );

    let fires = HistoryFilter {
        kind: Some(EventKind::FireAlarm),
        ..HistoryFilter::default()
    };
    let only = queries.history(&fires).await.unwrap();
    assert_eq!(only.len(), 1);
    let riverside = HistoryFilter {
        site: Some("riverside-plaza".into()),
        from: Some(start - Duration::minutes(1)),
        ..HistoryFilter::default()
    };
    let there = queries.history(&riverside).await.unwrap();
    assert_eq!(there.len(), 3, "trouble, forced door, drill: {there:#?}");
    let later = HistoryFilter {
        from: Some(start + Duration::hours(1)),
        ..HistoryFilter::default()
    };
    assert!(queries.history(&later).await.unwrap().is_empty());
    let before = HistoryFilter {
        to: Some(start),
        ..HistoryFilter::default()
    };
    assert!(queries.history(&before).await.unwrap().is_empty());

    hub.stop().await.unwrap();
    assert!(!data.exists(), "the demo's data goes with the hub");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_come_back_as_the_hubs_sentence() {
    let hub = EmbeddedHub::start().await.unwrap();
    let queries = HubHttp::new(
        HubAddress::parse(&format!("ws://{}", hub.addr)).unwrap(),
        OPERATOR_TOKEN,
    );
    let missing = queries.incident("INC-424242").await.unwrap_err();
    assert!(missing.contains("404"), "{missing}");
    assert!(missing.contains("no incident INC-424242"), "{missing}");

    let stranger = HubHttp::new(hub.address(), "not-a-token");
    let refused = stranger.drills().await.unwrap_err();
    assert!(refused.contains("401"), "{refused}");
    assert!(refused.contains("bearer token"), "{refused}");

    // TLS asked of a hub that serves plain HTTP: the error names the hub and TLS.
    let secure = HubHttp::new(
        HubAddress::parse(&format!("https://{}", hub.addr)).unwrap(),
        OPERATOR_TOKEN,
    );
    let no_tls = secure.drills().await.unwrap_err();
    assert!(no_tls.contains(&hub.addr.to_string()), "{no_tls}");
    assert!(
        no_tls.contains("no TLS connection could be made"),
        "{no_tls}"
    );
    hub.stop().await.unwrap();

    let gone = queries.drills().await.unwrap_err();
    assert!(gone.contains("could not be reached"), "{gone}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drills_screen_gets_the_years_calendar_of_every_site_from_the_hub() {
    let hub = EmbeddedHub::start().await.unwrap();
    let queries = HubHttp::new(hub.address(), OPERATOR_TOKEN);
    let year = OffsetDateTime::now_utc().year();
    let calendar = queries.calendar(year).await.unwrap();
    assert!(calendar.iter().all(|i| i.entry.due.year() == year));
    assert!(
        calendar
            .windows(2)
            .all(|w| w[0].entry.due <= w[1].entry.due),
        "by due date"
    );
    let lift = format!("{year}-q2-lift-rescue-green-garden");
    let lift = calendar
        .iter()
        .find(|i| i.entry.id == lift)
        .unwrap_or_else(|| panic!("{lift} is not on the calendar"));
    assert_eq!(lift.entry.due.to_string(), format!("{year}-06-30"));
    let sites: std::collections::BTreeSet<&str> =
        calendar.iter().map(|i| i.entry.site.as_str()).collect();
    assert!(sites.len() > 1, "every site of the hub: {sites:?}");
    hub.stop().await.unwrap();
}
