//! Every (status, event) pair of the campaign machine, and the `can_transition` relation it implies.

use chrono::{DateTime, Duration, Utc};

use crate::campaign::{CampaignEvent, CampaignStatus, TransitionError};

use CampaignStatus::*;

fn now() -> DateTime<Utc> {
    "2025-06-01T12:00:00Z".parse().unwrap()
}

fn past() -> DateTime<Utc> {
    now() - Duration::minutes(5)
}

fn future() -> DateTime<Utc> {
    now() + Duration::hours(1)
}

/// Every event kind, with the guard arguments that let it succeed where it can.
fn events() -> [CampaignEvent; 6] {
    [
        CampaignEvent::Schedule,
        CampaignEvent::Launch { now: now(), send_at: past() },
        CampaignEvent::Pause,
        CampaignEvent::Resume { now: now(), send_at: past() },
        CampaignEvent::Cancel,
        CampaignEvent::Finish { pending: 0 },
    ]
}

#[test]
fn every_status_and_event() {
    let table: [(CampaignStatus, [Option<CampaignStatus>; 6]); 6] = [
        // from      schedule         launch         pause         resume         cancel           finish
        (Draft, [Some(Scheduled), None, None, None, Some(Cancelled), None]),
        (Scheduled, [None, Some(Running), Some(Paused), None, Some(Cancelled), None]),
        (Running, [None, None, Some(Paused), None, Some(Cancelled), Some(Completed)]),
        (Paused, [None, None, None, Some(Running), Some(Cancelled), None]),
        (Completed, [None, None, None, None, None, None]),
        (Cancelled, [None, None, None, None, None, None]),
    ];
    for (from, outcomes) in table {
        for (event, expected) in events().into_iter().zip(outcomes) {
            let result = from.transition(event);
            match expected {
                Some(to) => {
                    assert_eq!(result, Ok(to), "{from} + {}", event.name());
                    assert!(CampaignStatus::can_transition(from, to), "{from} → {to}");
                }
                None => assert_eq!(
                    result,
                    Err(TransitionError::NotAllowed { from, event: event.name() }),
                    "{from} + {}",
                    event.name()
                ),
            }
        }
    }
}

#[test]
fn guards_depend_on_time_and_pending_messages() {
    let launch_early = Scheduled.transition(CampaignEvent::Launch { now: now(), send_at: future() });
    assert_eq!(launch_early, Err(TransitionError::NotDue { send_at: future() }));
    let launch_on_time = Scheduled.transition(CampaignEvent::Launch { now: now(), send_at: now() });
    assert_eq!(launch_on_time, Ok(Running));
    assert_eq!(Paused.transition(CampaignEvent::Resume { now: now(), send_at: future() }), Ok(Scheduled));
    assert_eq!(Paused.transition(CampaignEvent::Resume { now: now(), send_at: now() }), Ok(Running));
    assert_eq!(
        Running.transition(CampaignEvent::Finish { pending: 3 }),
        Err(TransitionError::StillPending { pending: 3 })
    );
}

#[test]
fn can_transition_is_exactly_the_reachable_pairs() {
    let mut events = events().to_vec();
    events.push(CampaignEvent::Resume { now: now(), send_at: future() });
    for from in CampaignStatus::ALL {
        for to in CampaignStatus::ALL {
            let reachable = events.iter().any(|event| from.transition(*event) == Ok(to));
            assert_eq!(CampaignStatus::can_transition(from, to), reachable, "{from} → {to}");
        }
    }
}

#[test]
fn final_statuses_absorb_nothing() {
    for status in CampaignStatus::ALL {
        assert_eq!(status.is_final(), matches!(status, Completed | Cancelled));
        if status.is_final() {
            assert!(CampaignStatus::ALL.iter().all(|to| !CampaignStatus::can_transition(status, *to)));
        }
    }
}

#[test]
fn names_parse_and_serialize_in_lowercase() {
    for status in CampaignStatus::ALL {
        assert_eq!(CampaignStatus::parse(&status.as_str().to_uppercase()), Ok(status));
        assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{status}\""));
    }
    assert!(CampaignStatus::parse("done").is_err());
}

#[test]
fn errors_read_as_sentences() {
    let err = Completed.transition(CampaignEvent::Pause).unwrap_err();
    assert_eq!(err.to_string(), "cannot pause a completed campaign");
    let err = Running.transition(CampaignEvent::Finish { pending: 2 }).unwrap_err();
    assert_eq!(err.to_string(), "cannot finish while 2 messages are pending");
}
