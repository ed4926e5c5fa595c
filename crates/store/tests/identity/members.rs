//! Memberships and roles, e-mail-domain rules, invitations and accepting them.

use chrono::Duration;
use converge_domain::Role::{self, Admin, Member, Owner, Viewer};
use converge_domain::UserId;
use converge_store::Store;

use super::{is_conflict, new_user, secs, t0, user, workspace};

async fn members_and_their_roles(store: &dyn Store) {
    let zeta = workspace(store, "zeta").await;
    let acme = workspace(store, "acme").await;
    let zoe = user(store, "zoe@example.in").await;
    let adam = user(store, "adam@example.in").await;
    store.put_member(zeta, zoe.id, Owner, t0()).await.unwrap();
    store.put_member(zeta, adam.id, Viewer, t0() + secs(1)).await.unwrap();
    store.put_member(zeta, adam.id, Admin, t0() + secs(2)).await.unwrap();
    store.put_member(acme, zoe.id, Member, t0() + secs(3)).await.unwrap();
    assert_eq!(store.member_role(zeta, adam.id).await.unwrap(), Some(Admin), "the role changed");
    assert_eq!(store.member_role(acme, adam.id).await.unwrap(), None);

    let members = store.members(zeta).await.unwrap();
    let got: Vec<_> = members.iter().map(|m| (m.user.clone(), m.role, m.joined_at)).collect();
    // By e-mail; a role change keeps the date joined.
    assert_eq!(got, vec![(adam.clone(), Admin, t0() + secs(1)), (zoe.clone(), Owner, t0())]);

    let memberships = store.memberships(zoe.id).await.unwrap();
    let expected = vec![
        (store.workspace(acme).await.unwrap().unwrap(), Member),
        (store.workspace(zeta).await.unwrap().unwrap(), Owner),
    ];
    assert_eq!(memberships, expected, "by slug, with the workspace's fields");
    assert_eq!(memberships[0].0.slug, "acme");
    assert!(store.memberships(UserId::new(adam.id.get() + zoe.id.get() + 1000)).await.unwrap().is_empty());

    assert_eq!(store.count_owners(zeta).await.unwrap(), 1);
    assert_eq!(store.count_owners(acme).await.unwrap(), 0);
    store.put_member(zeta, adam.id, Owner, t0()).await.unwrap();
    assert_eq!(store.count_owners(zeta).await.unwrap(), 2);
    assert_eq!(store.remove_member(zeta, adam.id, t0()).await.unwrap(), Some(vec![]), "a member without keys");
    assert_eq!(store.remove_member(zeta, adam.id, t0()).await.unwrap(), None, "no longer a member");
    assert_eq!(store.remove_member(acme, adam.id, t0()).await.unwrap(), None, "never was");
    assert_eq!(store.count_owners(zeta).await.unwrap(), 1);
    assert_eq!(store.members(zeta).await.unwrap().len(), 1);
}

async fn domain_rules(store: &dyn Store) {
    let acme = workspace(store, "acme").await;
    let zeta = workspace(store, "zeta").await;
    let domains = |list: &[(&str, Role)]| list.iter().map(|(d, r)| (d.to_string(), *r)).collect::<Vec<_>>();
    store.set_workspace_domains(acme, &domains(&[("example.in", Member), ("corp.example", Viewer)])).await.unwrap();
    assert_eq!(
        store.workspace_domains(acme).await.unwrap(),
        domains(&[("corp.example", Viewer), ("example.in", Member)]),
        "by domain"
    );
    store.set_workspace_domains(acme, &domains(&[("example.in", Admin)])).await.unwrap();
    assert_eq!(store.workspace_domains(acme).await.unwrap(), domains(&[("example.in", Admin)]), "replaced");
    store.set_workspace_domains(zeta, &domains(&[("example.in", Viewer)])).await.unwrap();
    // Listed is not proven: nobody joins through an unverified domain.
    assert!(store.workspaces_for_domain("example.in").await.unwrap().is_empty());
    let records = store.workspace_domain_records(acme).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!((records[0].domain.as_str(), records[0].role, records[0].verified_at), ("example.in", Admin, None));
    let token = records[0].verify_token.clone();
    assert_eq!(token.len(), 32, "128 random bits, hex: {token}");
    assert_ne!(token, store.workspace_domain_records(zeta).await.unwrap()[0].verify_token, "per workspace");
    assert!(!store.mark_domain_verified(acme, "elsewhere.in", t0()).await.unwrap(), "not listed");
    assert!(store.mark_domain_verified(acme, "example.in", t0()).await.unwrap());
    assert!(store.mark_domain_verified(zeta, "example.in", t0() + secs(1)).await.unwrap());
    assert!(store.mark_domain_verified(acme, "example.in", t0() + secs(9)).await.unwrap(), "again");
    assert_eq!(store.workspaces_for_domain("example.in").await.unwrap(), vec![(acme, Admin), (zeta, Viewer)]);
    // Saving the list again (a role change, another domain) keeps the token and the proof.
    store.set_workspace_domains(acme, &domains(&[("example.in", Member), ("new.in", Viewer)])).await.unwrap();
    let records = store.workspace_domain_records(acme).await.unwrap();
    assert_eq!(
        (records[0].role, records[0].verify_token.as_str(), records[0].verified_at),
        (Member, token.as_str(), Some(t0()))
    );
    assert_eq!((records[1].domain.as_str(), records[1].verified_at), ("new.in", None));
    assert!(store.workspaces_for_domain("new.in").await.unwrap().is_empty());
    store.set_workspace_domains(acme, &domains(&[("example.in", Admin)])).await.unwrap();
    assert!(store.workspaces_for_domain("corp.example").await.unwrap().is_empty());

    let twice = domains(&[("other.in", Member), ("other.in", Viewer)]);
    assert!(is_conflict(store.set_workspace_domains(acme, &twice).await));
    assert_eq!(store.workspace_domains(acme).await.unwrap(), domains(&[("example.in", Admin)]), "nothing changed");

    store.set_workspace_domains(acme, &[]).await.unwrap();
    assert!(store.workspace_domains(acme).await.unwrap().is_empty());
    assert_eq!(store.workspaces_for_domain("example.in").await.unwrap(), vec![(zeta, Viewer)]);
}

async fn invitations_are_listed_replaced_and_revoked(store: &dyn Store) {
    let ws = workspace(store, "acme").await;
    let other = workspace(store, "zeta").await;
    let inviter = user(store, "owner@example.in").await;
    let week = Duration::days(7);
    let first =
        store.create_invitation(ws, "new@example.in", Member, Some(inviter.id), t0(), t0() + week, None).await.unwrap();
    assert_eq!(
        (first.workspace_id, first.email.as_str(), first.role, first.invited_by),
        (ws, "new@example.in", Member, Some(inviter.id))
    );
    assert_eq!((first.created_at, first.expires_at, first.accepted_at), (t0(), t0() + week, None));

    let later = t0() + secs(10);
    let again = store.create_invitation(ws, "new@example.in", Admin, None, later, later + week, None).await.unwrap();
    assert_eq!((again.role, again.invited_by, again.created_at, again.expires_at), (Admin, None, later, later + week));
    let short =
        store.create_invitation(ws, "short@example.in", Viewer, None, t0() + secs(5), t0() + secs(60), None).await;
    let short = short.unwrap();
    store.create_invitation(other, "new@example.in", Viewer, None, t0(), t0() + week, None).await.unwrap();
    // Newest first; the re-invitation replaced the first one.
    assert_eq!(store.invitations(ws).await.unwrap(), vec![again.clone(), short.clone()]);

    assert!(!store.revoke_invitation(other, short.id).await.unwrap(), "another workspace's id");
    assert!(store.revoke_invitation(ws, short.id).await.unwrap());
    assert!(!store.revoke_invitation(ws, short.id).await.unwrap(), "already gone");
    assert_eq!(store.invitations(ws).await.unwrap(), vec![again]);
    assert_eq!(store.invitations(other).await.unwrap().len(), 1);
}

async fn accepting_joins_open_invitations_only(store: &dyn Store) {
    let [invited, kept, upgraded, expired, someone_else] = [
        workspace(store, "a").await,
        workspace(store, "b").await,
        workspace(store, "c").await,
        workspace(store, "d").await,
        workspace(store, "e").await,
    ];
    let new = user(store, "new@example.in").await;
    let week = Duration::days(7);
    let invite = |ws, email, role, expires_at| store.create_invitation(ws, email, role, None, t0(), expires_at, None);
    invite(invited, "new@example.in", Admin, t0() + week).await.unwrap();
    invite(kept, "new@example.in", Viewer, t0() + week).await.unwrap();
    invite(upgraded, "new@example.in", Admin, t0() + week).await.unwrap();
    invite(expired, "new@example.in", Owner, t0() + secs(60)).await.unwrap();
    invite(someone_else, "other@example.in", Admin, t0() + week).await.unwrap();
    store.put_member(kept, new.id, Member, t0()).await.unwrap();
    store.put_member(upgraded, new.id, Viewer, t0()).await.unwrap();

    let at = t0() + secs(60);
    let open = store.open_invitations("new@example.in", at).await.unwrap();
    assert_eq!(
        open.iter().map(|i| (i.workspace_id, i.role)).collect::<Vec<_>>(),
        [(invited, Admin), (kept, Viewer), (upgraded, Admin)]
    );
    assert_eq!(store.open_invitations("new@example.in", t0()).await.unwrap().len(), 4, "not expired yet");
    assert!(store.open_invitations("nobody@example.in", t0()).await.unwrap().is_empty());
    assert_eq!(store.accept_invitations("new@example.in", new.id, at).await.unwrap(), vec![invited, kept, upgraded]);
    assert_eq!(store.member_role(invited, new.id).await.unwrap(), Some(Admin));
    assert_eq!(store.member_role(kept, new.id).await.unwrap(), Some(Member), "the higher role stays");
    assert_eq!(store.member_role(upgraded, new.id).await.unwrap(), Some(Admin), "the higher role wins");
    assert_eq!(store.member_role(expired, new.id).await.unwrap(), None, "expired at the instant of accepting");
    assert_eq!(store.member_role(someone_else, new.id).await.unwrap(), None);
    let joined = store.members(invited).await.unwrap();
    assert_eq!((joined.len(), joined[0].joined_at), (1, at));

    for ws in [invited, kept, upgraded] {
        assert_eq!(store.invitations(ws).await.unwrap()[0].accepted_at, Some(at), "marked accepted");
    }
    assert_eq!(store.invitations(expired).await.unwrap()[0].accepted_at, None);
    assert_eq!(store.invitations(someone_else).await.unwrap()[0].accepted_at, None);
    assert!(store.open_invitations("new@example.in", at).await.unwrap().is_empty(), "none left open");

    // Accepting again does nothing, even after a demotion.
    store.put_member(invited, new.id, Viewer, at).await.unwrap();
    assert!(store.accept_invitations("new@example.in", new.id, at + secs(1)).await.unwrap().is_empty());
    assert_eq!(store.member_role(invited, new.id).await.unwrap(), Some(Viewer));
    let accepted = store.invitations(invited).await.unwrap()[0].id;
    assert!(!store.revoke_invitation(invited, accepted).await.unwrap(), "an accepted invitation is not pending");

    // Re-inviting reopens it.
    let again = store.create_invitation(invited, "new@example.in", Admin, None, at, at + week, None).await.unwrap();
    assert_eq!(again.accepted_at, None);
    assert_eq!(store.accept_invitations("new@example.in", new.id, at + secs(2)).await.unwrap(), vec![invited]);
    assert_eq!(store.member_role(invited, new.id).await.unwrap(), Some(Admin));
}

async fn an_invitee_answers_one_invitation_addressed_to_them(store: &dyn Store) {
    let [a, b, c] = [workspace(store, "a").await, workspace(store, "b").await, workspace(store, "c").await];
    let new = user(store, "new@example.in").await;
    let mallory = user(store, "mallory@example.in").await;
    let week = Duration::days(7);
    let to_a = store.create_invitation(a, "new@example.in", Member, None, t0(), t0() + week, None).await.unwrap();
    let to_b = store.create_invitation(b, "new@example.in", Admin, None, t0(), t0() + week, None).await.unwrap();
    let short = store.create_invitation(c, "new@example.in", Viewer, None, t0(), t0() + secs(60), None).await.unwrap();
    store.put_member(b, new.id, Owner, t0()).await.unwrap();

    // Someone else cannot accept or decline it, even knowing its id.
    assert_eq!(store.accept_invitation(to_a.id, "mallory@example.in", mallory.id, t0()).await.unwrap(), None);
    assert_eq!(store.decline_invitation(to_a.id, "mallory@example.in", t0()).await.unwrap(), None);
    assert_eq!(store.member_role(a, mallory.id).await.unwrap(), None);

    assert_eq!(store.accept_invitation(to_a.id, "new@example.in", new.id, t0()).await.unwrap(), Some((a, Member)));
    assert_eq!(store.member_role(a, new.id).await.unwrap(), Some(Member));
    assert_eq!(store.accept_invitation(to_a.id, "new@example.in", new.id, t0()).await.unwrap(), None, "once");
    assert_eq!(store.decline_invitation(to_a.id, "new@example.in", t0()).await.unwrap(), None, "accepted");
    assert_eq!(store.invitations(a).await.unwrap()[0].accepted_at, Some(t0()));
    // An existing higher role stays; only this one invitation was answered.
    assert_eq!(store.accept_invitation(to_b.id, "new@example.in", new.id, t0()).await.unwrap(), Some((b, Owner)));
    assert_eq!(store.open_invitations("new@example.in", t0()).await.unwrap(), vec![short.clone()]);

    // Expired: neither accepted nor declined.
    let late = t0() + secs(60);
    assert_eq!(store.accept_invitation(short.id, "new@example.in", new.id, late).await.unwrap(), None);
    assert_eq!(store.decline_invitation(short.id, "new@example.in", late).await.unwrap(), None);
    assert_eq!(store.decline_invitation(short.id, "new@example.in", t0()).await.unwrap(), Some(c));
    assert!(store.invitations(c).await.unwrap().is_empty(), "declined: gone");
    assert_eq!(store.member_role(c, new.id).await.unwrap(), None);
}

async fn a_link_accepts_its_own_invitation_only(store: &dyn Store) {
    let [a, b] = [workspace(store, "link-a").await, workspace(store, "link-b").await];
    let week = Duration::days(7);
    let (ta, tb, replaced) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    store.create_invitation(a, "new@example.in", Member, None, t0(), t0() + week, Some(&replaced)).await.unwrap();
    let to_a = store.create_invitation(a, "new@example.in", Member, None, t0(), t0() + week, Some(&ta)).await.unwrap();
    let to_b = store.create_invitation(b, "new@example.in", Admin, None, t0(), t0() + week, Some(&tb)).await.unwrap();
    // Whatever address the caller put in, the account is the invitation's.
    let account = new_user("someone-else@example.in", None);
    // Re-inviting replaced the first link: it makes no account.
    assert_eq!(store.invitation_by_token(&replaced, t0()).await.unwrap(), None);
    assert!(store.join_with_new_account(&replaced, &account, t0()).await.unwrap().is_none());
    assert!(store.user_by_email("new@example.in").await.unwrap().is_none());
    assert_eq!(store.invitation_by_token(&ta, t0()).await.unwrap(), Some(to_a.clone()));
    let (user, accepted) = store.join_with_new_account(&ta, &account, t0()).await.unwrap().unwrap();
    assert_eq!((user.email.as_str(), accepted.id, accepted.workspace_id), ("new@example.in", to_a.id, a));
    assert!(store.user_by_email("someone-else@example.in").await.unwrap().is_none());
    assert_eq!(store.member_role(a, user.id).await.unwrap(), Some(Member));
    // Once; and the other workspace's invitation of the same address is still waiting for its own answer.
    assert!(store.join_with_new_account(&ta, &account, t0()).await.unwrap().is_none());
    assert_eq!(store.member_role(b, user.id).await.unwrap(), None);
    assert_eq!(store.open_invitations("new@example.in", t0()).await.unwrap(), vec![to_b.clone()]);
    // The address has an account now: b's link is a conflict and stays open, nothing written.
    let again = store.join_with_new_account(&tb, &account, t0()).await;
    assert!(matches!(again, Err(converge_store::StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.invitation_by_token(&tb, t0()).await.unwrap(), Some(to_b));
    // Expired links name nothing.
    assert_eq!(store.invitation_by_token(&tb, t0() + week).await.unwrap(), None);
    assert!(store.join_with_new_account(&tb, &account, t0() + week).await.unwrap().is_none());
}

super::on_both_backends!(
    a_link_accepts_its_own_invitation_only,
    members_and_their_roles,
    domain_rules,
    invitations_are_listed_replaced_and_revoked,
    accepting_joins_open_invitations_only,
    an_invitee_answers_one_invitation_addressed_to_them,
);
