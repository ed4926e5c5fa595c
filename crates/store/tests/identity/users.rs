//! Users, their passwords and sign-ins, and linked identity-provider accounts.

use converge_domain::UserId;
use converge_store::Store;

use super::{is_conflict, new_user, secs, t0, user};

async fn users_are_unique_by_email(store: &dyn Store) {
    assert_eq!(store.count_users().await.unwrap(), 0);
    let ana = store.create_user(&new_user("ana@example.in", Some("$argon2id$v=19$ana")), t0()).await.unwrap();
    assert_eq!(
        (ana.email.as_str(), ana.name.as_deref(), ana.email_verified, ana.created_at, ana.last_login_at),
        ("ana@example.in", Some("ana"), false, t0(), None)
    );
    assert_eq!(store.user(ana.id).await.unwrap(), Some(ana.clone()));
    assert_eq!(store.user(UserId::new(ana.id.get() + 1000)).await.unwrap(), None);
    let again = store.create_user(&new_user("ana@example.in", None), t0() + secs(1)).await;
    assert!(is_conflict(again), "the e-mail is taken");

    let (found, password) = store.user_by_email("ana@example.in").await.unwrap().unwrap();
    assert_eq!((found, password.as_deref()), (ana.clone(), Some("$argon2id$v=19$ana")));
    let bo = user(store, "bo@example.in").await;
    assert_eq!(store.user_by_email("bo@example.in").await.unwrap(), Some((bo.clone(), None)), "no password");
    assert_eq!(store.user_by_email("nobody@example.in").await.unwrap(), None);

    store.set_password(bo.id, "$argon2id$v=19$bo").await.unwrap();
    let (_, password) = store.user_by_email("bo@example.in").await.unwrap().unwrap();
    assert_eq!(password.as_deref(), Some("$argon2id$v=19$bo"));
    assert_eq!(store.count_users().await.unwrap(), 2);
}

async fn record_login_verifies_and_stamps(store: &dyn Store) {
    let ana = user(store, "ana@example.in").await;
    store.record_login(ana.id, false, t0() + secs(5)).await.unwrap();
    let seen = store.user(ana.id).await.unwrap().unwrap();
    assert_eq!((seen.email_verified, seen.last_login_at), (false, Some(t0() + secs(5))));
    store.record_login(ana.id, true, t0() + secs(6)).await.unwrap();
    let seen = store.user(ana.id).await.unwrap().unwrap();
    assert_eq!((seen.email_verified, seen.last_login_at), (true, Some(t0() + secs(6))));
    store.record_login(ana.id, false, t0() + secs(7)).await.unwrap();
    let seen = store.user(ana.id).await.unwrap().unwrap();
    assert_eq!((seen.email_verified, seen.last_login_at), (true, Some(t0() + secs(7))), "verification stays");
    assert_eq!((seen.email, seen.created_at), (ana.email, ana.created_at));
}

async fn identities_link_once(store: &dyn Store) {
    let ana = user(store, "ana@example.in").await;
    let bo = user(store, "bo@example.in").await;
    let google = "https://accounts.google.com";
    assert_eq!(store.user_by_identity(google, "111").await.unwrap(), None);
    store.link_identity(google, "111", ana.id, t0()).await.unwrap();
    store.link_identity(google, "111", ana.id, t0() + secs(1)).await.unwrap();
    assert!(is_conflict(store.link_identity(google, "111", bo.id, t0()).await), "linked to someone else");
    assert_eq!(store.user_by_identity(google, "111").await.unwrap(), Some(ana.clone()));
    // The same subject at another issuer is another account.
    store.link_identity("https://login.example.in", "111", bo.id, t0()).await.unwrap();
    assert_eq!(store.user_by_identity("https://login.example.in", "111").await.unwrap(), Some(bo));
    assert_eq!(store.user_by_identity(google, "222").await.unwrap(), None);
    // A user may hold several accounts.
    store.link_identity(google, "333", ana.id, t0()).await.unwrap();
    assert_eq!(store.user_by_identity(google, "333").await.unwrap(), Some(ana));
}

super::on_both_backends!(users_are_unique_by_email, record_login_verifies_and_stamps, identities_link_once);
