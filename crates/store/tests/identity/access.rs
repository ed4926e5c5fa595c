//! Sessions, OpenID Connect login flows and first-owner setup tokens.

use converge_domain::UserId;
use converge_store::{LoginFlow, SessionRecord, Store};

use super::{hash, is_conflict, secs, t0, user};

fn session(user_id: UserId, last_seen: i64, lifetime: i64) -> SessionRecord {
    SessionRecord {
        user_id,
        csrf_token: format!("csrf-{user_id}-{last_seen}"),
        created_at: t0(),
        last_seen_at: t0() + secs(last_seen),
        expires_at: t0() + secs(lifetime),
    }
}

async fn sessions_live_and_end(store: &dyn Store) {
    let ana = user(store, "ana@example.in").await;
    let bo = user(store, "bo@example.in").await;
    let record = session(ana.id, 0, 86_400);
    store.create_session(&hash(1), &record).await.unwrap();
    assert!(is_conflict(store.create_session(&hash(1), &session(bo.id, 0, 60)).await));
    assert_eq!(store.session(&hash(1)).await.unwrap(), Some(record.clone()));
    assert_eq!(store.session(&hash(9)).await.unwrap(), None);

    store.touch_session(&hash(1), t0() + secs(60)).await.unwrap();
    let touched = store.session(&hash(1)).await.unwrap().unwrap();
    assert_eq!(touched, SessionRecord { last_seen_at: t0() + secs(60), ..record.clone() });
    store.touch_session(&hash(1), t0() + secs(30)).await.unwrap();
    assert_eq!(store.session(&hash(1)).await.unwrap(), Some(touched), "a late touch does not move it back");
    store.touch_session(&hash(9), t0()).await.unwrap();

    store.delete_session(&hash(1)).await.unwrap();
    assert_eq!(store.session(&hash(1)).await.unwrap(), None);
    store.delete_session(&hash(1)).await.unwrap();

    for n in 2..=4 {
        store.create_session(&hash(n), &session(ana.id, 0, 86_400)).await.unwrap();
    }
    store.create_session(&hash(5), &session(bo.id, 0, 86_400)).await.unwrap();
    assert_eq!(store.delete_user_sessions(ana.id).await.unwrap(), 3);
    assert_eq!(store.delete_user_sessions(ana.id).await.unwrap(), 0);
    assert!(store.session(&hash(5)).await.unwrap().is_some(), "another user's session stays");
}

async fn prune_ends_expired_and_idle_sessions(store: &dyn Store) {
    let ana = user(store, "ana@example.in").await;
    // (hash, last seen, absolute end) in seconds after t0.
    let cases = [(1, 150, 100), (2, 50, 86_400), (3, 500, 86_400), (4, 100, 200), (5, 150, 201)];
    for (n, last_seen, lifetime) in cases {
        store.create_session(&hash(n), &session(ana.id, last_seen, lifetime)).await.unwrap();
    }
    // At t0+200, idle since before t0+100: 1 has ended, 2 is idle; 4 ends exactly now and was seen exactly
    // at the idle limit, so neither "before" holds.
    assert_eq!(store.prune_sessions(t0() + secs(200), t0() + secs(100)).await.unwrap(), 2);
    for (n, alive) in [(1, false), (2, false), (3, true), (4, true), (5, true)] {
        assert_eq!(store.session(&hash(n)).await.unwrap().is_some(), alive, "session {n}");
    }
    assert_eq!(store.prune_sessions(t0() + secs(200), t0() + secs(100)).await.unwrap(), 0);
}

fn flow(provider: &str, lifetime: i64) -> LoginFlow {
    LoginFlow {
        provider: provider.into(),
        nonce: format!("nonce-{provider}"),
        pkce_verifier: format!("verifier-{provider}"),
        return_to: "/campaigns?tab=running".into(),
        created_at: t0(),
        expires_at: t0() + secs(lifetime),
        link_user_id: None,
    }
}

async fn login_flows_work_once(store: &dyn Store) {
    let google = flow("google", 600);
    store.put_login_flow(&hash(1), &google).await.unwrap();
    assert!(is_conflict(store.put_login_flow(&hash(1), &flow("okta", 600)).await));
    assert_eq!(store.take_login_flow(&hash(1), t0() + secs(599)).await.unwrap(), Some(google));
    assert_eq!(store.take_login_flow(&hash(1), t0() + secs(1)).await.unwrap(), None, "a state works once");
    assert_eq!(store.take_login_flow(&hash(9), t0()).await.unwrap(), None);

    store.put_login_flow(&hash(2), &flow("okta", 600)).await.unwrap();
    assert_eq!(store.take_login_flow(&hash(2), t0() + secs(600)).await.unwrap(), None, "expired");
    assert_eq!(store.take_login_flow(&hash(2), t0()).await.unwrap(), None, "and deleted");

    // Two callbacks racing with the same state: exactly one gets the flow.
    store.put_login_flow(&hash(3), &flow("google", 600)).await.unwrap();
    let state = hash(3);
    let (a, b) = tokio::join!(store.take_login_flow(&state, t0()), store.take_login_flow(&state, t0()));
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|f| f.is_some()).count(), 1);
}

async fn setup_tokens_work_once(store: &dyn Store) {
    store.create_setup_token(&hash(1), t0(), t0() + secs(3600)).await.unwrap();
    assert!(is_conflict(store.create_setup_token(&hash(1), t0(), t0() + secs(60)).await));
    assert!(store.use_setup_token(&hash(1), t0() + secs(1)).await.unwrap());
    assert!(!store.use_setup_token(&hash(1), t0() + secs(2)).await.unwrap(), "used");
    assert!(!store.use_setup_token(&hash(9), t0()).await.unwrap(), "unknown");

    store.create_setup_token(&hash(2), t0(), t0() + secs(60)).await.unwrap();
    assert!(!store.use_setup_token(&hash(2), t0() + secs(60)).await.unwrap(), "expired");

    store.create_setup_token(&hash(3), t0(), t0() + secs(60)).await.unwrap();
    let token = hash(3);
    let (a, b) = tokio::join!(store.use_setup_token(&token, t0()), store.use_setup_token(&token, t0()));
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|used| **used).count(), 1);
}

super::on_both_backends!(
    sessions_live_and_end,
    prune_ends_expired_and_idle_sessions,
    login_flows_work_once,
    setup_tokens_work_once,
);
