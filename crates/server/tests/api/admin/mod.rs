//! Workspace administration over HTTP: members and roles, invitations, allowed domains, API keys, audit log.

mod api_keys;
mod domains;
mod invitations;
mod members;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{AdminSession, TestApp};

/// The newest audit entries of the session's workspace.
pub async fn audit_entries(app: &TestApp, who: &AdminSession) -> Vec<Value> {
    let response = app.admin_request(who, Method::GET, "/api/v1/audit?limit=200").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().cloned().unwrap_or_default()
}

/// The newest audit entry with `action`.
pub async fn last_audit(app: &TestApp, who: &AdminSession, action: &str) -> Value {
    let entries = audit_entries(app, who).await;
    entries.into_iter().find(|e| e["action"] == action).unwrap_or_else(|| panic!("no `{action}` audit entry"))
}
