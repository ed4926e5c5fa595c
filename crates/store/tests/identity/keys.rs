//! Listing and revoking API keys, and the audit log.

use converge_domain::{ApiKeyId, Scope, UserId, WorkspaceId};
use converge_store::{Actor, NewApiKey, NewAuditEntry, Store};
use serde_json::json;

use super::{hash, secs, t0, user, workspace};

fn key(workspace_id: WorkspaceId, n: u8, scopes: &[&str], label: &str) -> NewApiKey {
    NewApiKey {
        workspace_id,
        prefix: format!("cvg_{n:04}"),
        key_hash: hash(n),
        scopes: scopes.iter().map(|s| Scope::parse(s).unwrap()).collect(),
        label: label.into(),
        created_by: None,
    }
}

fn by(created_by: UserId, key: NewApiKey) -> NewApiKey {
    NewApiKey { created_by: Some(created_by), ..key }
}

async fn api_keys_are_listed_and_revoked(store: &dyn Store) {
    let ws = workspace(store, "acme").await;
    let other = workspace(store, "zeta").await;
    let ana = user(store, "ana@example.in").await;
    let etl = store.create_api_key(&key(ws, 1, &["read", "ingest"], "ETL")).await.unwrap();
    let admin = store.create_api_key(&by(ana.id, key(ws, 2, &["all"], ""))).await.unwrap();
    assert_eq!(admin.created_by, Some(ana.id), "the creator is stored with the key");
    let theirs = store.create_api_key(&key(other, 3, &["read"], "theirs")).await.unwrap();
    store.touch_api_keys(&[etl.id], t0() + secs(5)).await.unwrap();

    let keys = store.api_keys(ws).await.unwrap();
    let got: Vec<_> = keys.iter().map(|k| (k.id, k.prefix.as_str(), k.scopes.clone(), k.label.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (admin.id, "cvg_0002", vec![Scope::All], ""),
            (etl.id, "cvg_0001", vec![Scope::Read, Scope::Ingest], "ETL"),
        ],
        "newest first, scopes parsed"
    );
    assert_eq!((keys[0].created_by, keys[1].created_by), (Some(ana.id), None));
    assert_eq!((keys[0].created_at, keys[1].created_at), (admin.created_at, etl.created_at));
    assert_eq!((keys[0].last_used_at, keys[1].last_used_at), (None, Some(t0() + secs(5))));
    assert!(keys.iter().all(|k| k.workspace_id == ws && k.revoked_at.is_none()));

    assert!(!store.revoke_api_key(other, etl.id, t0()).await.unwrap(), "another workspace's key");
    assert!(store.api_key_by_hash(&hash(1)).await.unwrap().is_some());
    assert!(store.revoke_api_key(ws, etl.id, t0() + secs(10)).await.unwrap());
    assert!(!store.revoke_api_key(ws, etl.id, t0() + secs(11)).await.unwrap(), "already revoked");
    assert!(store.api_key_by_hash(&hash(1)).await.unwrap().is_none(), "a revoked key no longer authenticates");
    assert_eq!(store.api_key_by_hash(&hash(2)).await.unwrap().map(|g| g.key_id), Some(admin.id));
    let keys = store.api_keys(ws).await.unwrap();
    assert_eq!((keys.len(), keys[1].revoked_at, keys[0].revoked_at), (2, Some(t0() + secs(10)), None), "still listed");
    assert_eq!(store.api_keys(other).await.unwrap().iter().map(|k| k.id).collect::<Vec<_>>(), vec![theirs.id]);
}

/// Removing a member revokes the keys they created in that workspace, and only those.
async fn removing_a_member_revokes_the_keys_they_created(store: &dyn Store) {
    let ws = workspace(store, "acme").await;
    let other = workspace(store, "zeta").await;
    let mia = user(store, "mia@example.in").await;
    let ana = user(store, "ana@example.in").await;
    for w in [ws, other] {
        store.put_member(w, mia.id, converge_domain::Role::Admin, t0()).await.unwrap();
    }
    let hers = store.create_api_key(&by(mia.id, key(ws, 1, &["read"], "hers"))).await.unwrap();
    let gone = store.create_api_key(&by(mia.id, key(ws, 2, &["read"], "already revoked"))).await.unwrap();
    store.create_api_key(&by(ana.id, key(ws, 3, &["read"], "ana's"))).await.unwrap();
    let cli = store.create_api_key(&key(ws, 4, &["read"], "cli")).await.unwrap();
    store.create_api_key(&by(mia.id, key(other, 5, &["read"], "hers, other workspace"))).await.unwrap();
    assert!(store.revoke_api_key(ws, gone.id, t0() + secs(1)).await.unwrap());

    let revoked = store.remove_member(ws, mia.id, t0() + secs(9)).await.unwrap();
    assert_eq!(revoked, Some(vec![hers.id]), "her live key in this workspace");
    assert!(store.api_key_by_hash(&hash(1)).await.unwrap().is_none(), "her key no longer authenticates");
    for n in [3, 4, 5] {
        assert!(store.api_key_by_hash(&hash(n)).await.unwrap().is_some(), "key {n} is not hers here");
    }
    let keys = store.api_keys(ws).await.unwrap();
    let at = |id: ApiKeyId| keys.iter().find(|k| k.id == id).and_then(|k| k.revoked_at);
    assert_eq!((at(hers.id), at(gone.id), at(cli.id)), (Some(t0() + secs(9)), Some(t0() + secs(1)), None));
}

async fn audit_log_pages_newest_first(store: &dyn Store) {
    let ws = workspace(store, "acme").await;
    let other = workspace(store, "zeta").await;
    let ana = user(store, "ana@example.in").await;
    let key = store.create_api_key(&key(ws, 1, &["campaigns"], "bot")).await.unwrap();
    let details = json!({"from": "viewer", "to": "admin", "nested": {"n": 1.5, "list": [1, "two", null, true]},
        "text": "₹ 1,000 — \"quoted\""});
    let entries = [
        (Some(ws), Actor { user_id: Some(ana.id), key_id: None }, "member.role_change", "user:7", details.clone()),
        (Some(other), Actor::default(), "auth.login", "user:8", json!({})),
        (Some(ws), Actor { user_id: None, key_id: Some(key.id) }, "campaign.launch", "campaign:9", json!({"n": 3})),
        (None, Actor::default(), "auth.login_failed", "", json!({"email": "x@example.in"})),
        (Some(ws), Actor::default(), "campaign.finish", "campaign:9", json!([])),
    ];
    for (i, (workspace_id, actor, action, target, details)) in entries.into_iter().enumerate() {
        let entry = NewAuditEntry { workspace_id, actor, action: action.into(), target: target.into(), details };
        store.record_audit(&entry, t0() + secs(i as i64)).await.unwrap();
    }

    let first = store.audit_log(ws, None, 2).await.unwrap();
    let summary = |page: &[converge_store::AuditEntry]| page.iter().map(|e| e.action.clone()).collect::<Vec<_>>();
    assert_eq!(summary(&first), ["campaign.finish", "campaign.launch"]);
    assert!(first[0].id > first[1].id);
    assert_eq!((first[0].actor, first[0].at, &first[0].details), (Actor::default(), t0() + secs(4), &json!([])));
    assert_eq!((first[1].actor.key_id, first[1].actor.user_id, first[1].workspace_id), (Some(key.id), None, Some(ws)));
    let second = store.audit_log(ws, Some(first[1].id), 2).await.unwrap();
    assert_eq!(summary(&second), ["member.role_change"]);
    let role_change = &second[0];
    assert_eq!(
        (role_change.actor, role_change.target.as_str()),
        (Actor { user_id: Some(ana.id), key_id: None }, "user:7")
    );
    assert_eq!((&role_change.details, role_change.at), (&details, t0()), "details round-trip");
    assert!(store.audit_log(ws, Some(second[0].id), 2).await.unwrap().is_empty());

    let theirs = store.audit_log(other, None, 50).await.unwrap();
    assert_eq!(summary(&theirs), ["auth.login"], "another workspace's log is its own");
    assert_eq!(store.audit_log(ws, None, 50).await.unwrap().len(), 3);
}

super::on_both_backends!(
    api_keys_are_listed_and_revoked,
    removing_a_member_revokes_the_keys_they_created,
    audit_log_pages_newest_first
);
