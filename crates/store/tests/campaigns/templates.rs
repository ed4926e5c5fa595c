//! Saved templates on both backends: starters seeded once, names unique per workspace, workspaces apart.

use converge_domain::template::{TemplateInput, STARTERS};
use converge_domain::Channel;
use converge_store::{Store, StoreError};

use super::*;

fn draft(name: &str, channel: &str, body: &str) -> converge_domain::template::TemplateDraft {
    let input = TemplateInput {
        name: Some(name.into()),
        channel: Some(channel.into()),
        body: Some(body.into()),
        ..TemplateInput::default()
    };
    input.validate().unwrap()
}

async fn templates_are_seeded_once_and_kept_apart(store: &dyn Store) {
    let ws = store.create_workspace("tpl", "Tpl", &inr()).await.unwrap().id;
    let other = store.create_workspace("tpl2", "Other", &inr()).await.unwrap().id;
    // A member's own template may take a starter's name first: the starter is then skipped.
    store.create_template(ws, &draft("Offer (SMS)", "sms", "Mine: {{ brand }}"), t0()).await.unwrap();
    store.seed_starter_templates(ws, t0()).await.unwrap();
    let listed = store.list_templates(ws).await.unwrap();
    assert_eq!(listed.len(), STARTERS.len(), "the starters, one replaced by the member's own");
    let mine = listed.iter().find(|t| t.name == "Offer (SMS)").unwrap();
    assert!(!mine.starter && mine.body.starts_with("Mine"));
    for channel in Channel::ALL {
        assert_eq!(listed.iter().filter(|t| t.channel == channel).count(), 3, "{channel}");
    }
    let email = listed.iter().find(|t| t.name == "Welcome (e-mail)").unwrap();
    assert!(email.starter && email.subject.is_some() && email.preheader.is_some());
    // Deleted, a starter stays deleted: seeding happens once per workspace.
    assert!(store.delete_template(ws, email.id).await.unwrap());
    store.seed_starter_templates(ws, t0()).await.unwrap();
    assert_eq!(store.list_templates(ws).await.unwrap().len(), STARTERS.len() - 1);
    // Names are unique per workspace; another workspace can neither see nor change nor delete them.
    let taken = store.create_template(ws, &draft("Win-back (SMS)", "sms", "Hi"), t0()).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert!(store.list_templates(other).await.unwrap().is_empty());
    assert_eq!(store.template(other, mine.id).await.unwrap(), None);
    let edit = draft("Renamed", "whatsapp", "Hello {{ first_name }}");
    assert_eq!(store.update_template(other, mine.id, &edit, t0()).await.unwrap(), None);
    assert!(!store.delete_template(other, mine.id).await.unwrap());
    let edited = store.update_template(ws, mine.id, &edit, t0() + secs(5)).await.unwrap().unwrap();
    assert_eq!(
        (edited.name.as_str(), edited.channel, edited.updated_at),
        ("Renamed", Channel::Whatsapp, t0() + secs(5))
    );
    assert_eq!(store.template(ws, mine.id).await.unwrap(), Some(edited));
    let clash = store.update_template(ws, mine.id, &draft("Welcome (SMS)", "sms", "Hi"), t0()).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");
}

super::on_both_backends!(templates_are_seeded_once_and_kept_apart);
