//! The first owner: a one-time setup link printed at first start, or `converge admin create`.

use std::io::BufRead;

use anyhow::Context;
use chrono::{Duration, Utc};
use converge_domain::Role;
use converge_store::{Actor, NewAuditEntry, NewUser, Store};

use crate::auth::{password, session};
use crate::config::Settings;

/// When nobody can sign in yet, prints a one-time setup token (valid `auth.setup_link_hours`) to the
/// console, never to the logs. Each start without an account prints a new one.
pub async fn announce_setup(store: &dyn Store, settings: &Settings, port: u16) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let token = session::random_token();
    let now = Utc::now();
    let hours = settings.auth.setup_link_hours.max(1);
    store.create_setup_token(&session::hash_token(&token), now, now + Duration::hours(hours)).await?;
    let base = settings.auth.public_url.clone().unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
    let base = base.trim_end_matches('/');
    let body = format!(r#"{{"token": "{token}", "email": "you@example.com", "password": "at least 10 characters"}}"#);
    eprintln!();
    eprintln!("Nobody can sign in yet. Create the first owner within {hours} h: open");
    eprintln!("  {base}/setup?token={token}");
    eprintln!("or use the one-time token over the API:");
    eprintln!("  curl -X POST {base}/api/v1/auth/setup -H 'Content-Type: application/json' -d '{body}'");
    eprintln!("or run `converge admin create --email you@example.com` (password on standard input).");
    eprintln!();
    Ok(())
}

/// Creates a local account (or gives an existing one a password) and makes it an owner of `workspace`.
pub async fn create_owner(store: &dyn Store, email: &str, name: Option<String>, workspace: &str) -> anyhow::Result<()> {
    let email = email.trim().to_lowercase();
    converge_domain::Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let ws = store.workspace_by_slug(workspace).await?.with_context(|| format!("no workspace `{workspace}`"))?;
    eprintln!("password for {email} (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    password::check_policy(&secret).map_err(|e| anyhow::anyhow!("password {e}"))?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret)).await??;
    let now = Utc::now();
    let user = match store.user_by_email(&email).await? {
        Some((user, _)) => {
            store.set_password(user.id, &hash).await?;
            store.delete_user_sessions(user.id).await?;
            user
        }
        None => {
            let new = NewUser { email: email.clone(), name, password_hash: Some(hash), email_verified: false };
            store.create_user(&new, now).await?
        }
    };
    store.put_member(ws.id, user.id, Role::Owner, now).await?;
    let entry = NewAuditEntry {
        workspace_id: Some(ws.id),
        actor: Actor::default(),
        action: "member.role_change".into(),
        target: format!("user:{}", user.id),
        details: serde_json::json!({"role": "owner", "via": "converge admin create"}),
    };
    store.record_audit(&entry, now).await?;
    eprintln!("{email} is an owner of workspace {}", ws.slug);
    Ok(())
}

/// `converge domain verify`: lists `domain` for `workspace` (with `role`, or the listed rule's role, or
/// member) and marks it proven, as the operator vouches for it. Refuses what the API refuses (public webmail,
/// malformed names, the owner role).
pub async fn assign_domain(store: &dyn Store, workspace: &str, domain: &str, role: Option<&str>) -> anyhow::Result<()> {
    let domain = crate::http::workspace::domains::parse_domain(domain).map_err(|e| anyhow::anyhow!("--domain: {e}"))?;
    let role = role.map(Role::parse).transpose().map_err(|e| anyhow::anyhow!("--role: {e}"))?;
    if role == Some(Role::Owner) {
        anyhow::bail!("--role: must be admin, member or viewer (owners are named, not joined)");
    }
    let ws = store.workspace_by_slug(workspace).await?.with_context(|| format!("no workspace `{workspace}`"))?;
    let mut rules = store.workspace_domains(ws.id).await?;
    let role = match rules.iter_mut().find(|(listed, _)| *listed == domain) {
        Some((_, listed_role)) => {
            *listed_role = role.unwrap_or(*listed_role);
            *listed_role
        }
        None => {
            let role = role.unwrap_or(Role::Member);
            rules.push((domain.clone(), role));
            role
        }
    };
    if rules.len() > crate::http::workspace::domains::MAX_DOMAINS {
        anyhow::bail!("workspace `{workspace}` already lists the most domains it may");
    }
    store.set_workspace_domains(ws.id, &rules).await?;
    let now = Utc::now();
    store.mark_domain_verified(ws.id, &domain, now).await?;
    let entry = NewAuditEntry {
        workspace_id: Some(ws.id),
        actor: Actor::default(),
        action: "workspace.domain_verify".into(),
        target: format!("workspace:{}", ws.id),
        details: serde_json::json!({"domain": domain, "role": role, "how": "converge domain verify"}),
    };
    store.record_audit(&entry, now).await?;
    eprintln!("{domain} is a verified domain of workspace {}: its people join as {role}", ws.slug);
    Ok(())
}
