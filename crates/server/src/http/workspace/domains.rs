//! Allowed e-mail domains: people who sign in with a verified address at one of these domains join the
//! workspace with the domain's role, *once the workspace has proven the domain*: listing a domain gives it a
//! random token; the workspace publishes `converge-verify=<token>` as a TXT record at `_converge.<domain>` and
//! asks `POST …/domains/{domain}/verify`, which checks it with a real resolver (`auth::domain_proof`). The
//! operator can also assign a proven domain directly (`converge domain verify`). An unproven domain joins
//! nobody. Public webmail domains are refused (anyone can get an address there).

use std::collections::HashSet;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use converge_domain::{FieldErrors, Role, WorkspaceId};
use converge_store::{NewAuditEntry, WorkspaceDomain};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::admin_role;
use crate::auth::domain_proof::{self, ProofError};
use crate::auth::Caller;
use crate::http::auth::audit;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::Body;
use crate::http::path::Path;
use crate::state::SharedState;

/// At most this many domains per workspace.
pub const MAX_DOMAINS: usize = 50;

/// Domains where anyone can get an address: never a way into a workspace.
const PUBLIC_WEBMAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.co.in",
    "ymail.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "mail.com",
    "rediffmail.com",
    "zohomail.com",
    "yandex.com",
];

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DomainRule {
    /// A lower-case host name such as `brand.in` (not a public webmail domain).
    #[schema(max_length = 253, pattern = "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")]
    pub domain: String,
    /// admin, member or viewer (never owner).
    #[schema(schema_with = crate::http::schemas::joinable_role)]
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainsBody {
    /// The whole new list (replaces the old one; `[]` clears it).
    #[schema(max_items = 50)]
    pub domains: Vec<DomainRule>,
}

/// An allowed domain as listed: its rule, whether it is proven, and the record that proves it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DomainView {
    pub domain: String,
    pub role: Role,
    /// Whether the domain is proven: only then do people of this domain join.
    pub verified: bool,
    pub verified_at: Option<DateTime<Utc>>,
    /// Where to publish the proof: a TXT record at this name…
    pub txt_name: String,
    /// …with exactly this value.
    pub txt_value: String,
}

fn rules(domains: Vec<(String, Role)>) -> Vec<DomainRule> {
    domains.into_iter().map(|(domain, role)| DomainRule { domain, role: role.as_str().into() }).collect()
}

fn view(record: WorkspaceDomain) -> DomainView {
    DomainView {
        txt_name: domain_proof::record_name(&record.domain),
        txt_value: domain_proof::record_value(&record.verify_token),
        verified: record.verified_at.is_some(),
        verified_at: record.verified_at,
        domain: record.domain,
        role: record.role,
    }
}

async fn views(state: &SharedState, workspace_id: WorkspaceId) -> ApiResult<Vec<DomainView>> {
    Ok(state.store.workspace_domain_records(workspace_id).await?.into_iter().map(view).collect())
}

/// Checks and normalises (trims, lower-cases) a domain.
pub(crate) fn parse_domain(raw: &str) -> Result<String, String> {
    let domain = raw.trim().to_ascii_lowercase();
    if domain.is_empty() {
        return Err("must not be empty".into());
    }
    if domain.contains('@') {
        return Err("give the domain only, without `@` (e.g. `brand.in`)".into());
    }
    if domain.len() > 253 {
        return Err("must be at most 253 characters".into());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err("must be a host name with at least one dot (e.g. `brand.in`)".into());
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !labels.iter().all(label_ok) {
        return Err("must be a host name: labels of letters, digits and inner hyphens, separated by dots".into());
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Err("must be a host name, not an IP address".into());
    }
    if PUBLIC_WEBMAIL.contains(&domain.as_str()) {
        return Err(format!("`{domain}` is a public webmail domain: anyone could join; invite people instead"));
    }
    Ok(domain)
}

/// The allowed domains, the role each grants, and each one's proof.
#[utoipa::path(get, path = "/api/v1/workspace/domains", tag = "workspace", security(("api_key" = [])),
    responses((status = 200, body = Vec<DomainView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_domains(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<Vec<DomainView>>> {
    admin_role(&caller)?;
    Ok(Json(views(&state, caller.workspace_id()).await?))
}

/// Replace the allowed domains. A domain kept keeps its proof; a new one starts unproven (it joins nobody
/// until verified).
#[utoipa::path(put, path = "/api/v1/workspace/domains", tag = "workspace", request_body = DomainsBody,
    security(("api_key" = [])),
    responses((status = 200, body = Vec<DomainView>), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_domains(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<Body<DomainsBody>, ApiError>,
) -> ApiResult<Json<Vec<DomainView>>> {
    admin_role(&caller)?;
    let Body(body) = body?;
    let mut errors = FieldErrors::default();
    if body.domains.len() > MAX_DOMAINS {
        errors.push("domains", format!("at most {MAX_DOMAINS} domains"));
    }
    let mut seen = HashSet::new();
    let mut domains = Vec::with_capacity(body.domains.len());
    for (i, rule) in body.domains.iter().enumerate() {
        let domain = match parse_domain(&rule.domain) {
            Ok(domain) if !seen.insert(domain.clone()) => {
                errors.push(format!("domains[{i}].domain"), "is listed twice");
                None
            }
            Ok(domain) => Some(domain),
            Err(e) => {
                errors.push(format!("domains[{i}].domain"), e);
                None
            }
        };
        let role = match Role::parse(&rule.role) {
            Ok(Role::Owner) => {
                errors.push(
                    format!("domains[{i}].role"),
                    "must be admin, member or viewer (owners are named, not joined)",
                );
                None
            }
            Ok(role) => Some(role),
            Err(e) => {
                errors.push(format!("domains[{i}].role"), e);
                None
            }
        };
        if let (Some(domain), Some(role)) = (domain, role) {
            domains.push((domain, role));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let workspace_id = caller.workspace_id();
    let before = state.store.workspace_domains(workspace_id).await?;
    state.store.set_workspace_domains(workspace_id, &domains).await?;
    let entry = NewAuditEntry {
        workspace_id: Some(workspace_id),
        actor: caller.actor(),
        action: "workspace.domains_change".into(),
        target: format!("workspace:{workspace_id}"),
        details: json!({"from": rules(before), "to": rules(domains.clone())}),
    };
    audit(state.store.as_ref(), entry).await;
    Ok(Json(views(&state, workspace_id).await?))
}

/// Check the domain's proof now: the TXT record `txt_name` must carry `txt_value`. Once it holds, the domain
/// stays proven (removing the record later does not undo it; removing the domain does).
#[utoipa::path(post, path = "/api/v1/workspace/domains/{domain}/verify", tag = "workspace",
    params(("domain" = String, Path)), security(("api_key" = [])),
    responses((status = 200, body = DomainView, description = "Proven"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem, description = "The workspace does not list it"),
        (status = 422, body = Problem, description = "The record is missing or carries another value (field `domain`)"),
        (status = 503, body = Problem, description = "The DNS resolver did not answer")))]
pub async fn verify_domain(
    State(state): State<SharedState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> ApiResult<Json<DomainView>> {
    admin_role(&caller)?;
    let domain = parse_domain(&raw).map_err(|why| ApiError::invalid("domain", why))?;
    let workspace_id = caller.workspace_id();
    let records = state.store.workspace_domain_records(workspace_id).await?;
    let record = records.into_iter().find(|r| r.domain == domain).ok_or_else(|| ApiError::NotFound("domain".into()))?;
    if record.verified_at.is_none() {
        match domain_proof::check(&state.settings.dns, &domain, &record.verify_token).await {
            Ok(()) => {}
            Err(err @ (ProofError::NoRecord(_) | ProofError::Mismatch(_))) => {
                let expected = domain_proof::record_value(&record.verify_token);
                return Err(ApiError::invalid("domain", format!("{err}: publish TXT `{expected}` there, then retry")));
            }
            Err(err @ ProofError::Unavailable { .. }) => {
                tracing::warn!(domain = %domain, error = %err, "domain proof check failed");
                return Err(ApiError::Unavailable {
                    detail: "the DNS resolver did not answer; try again shortly".into(),
                    retry_after: std::time::Duration::from_secs(30),
                });
            }
        }
        state.store.mark_domain_verified(workspace_id, &domain, Utc::now()).await?;
        let entry = NewAuditEntry {
            workspace_id: Some(workspace_id),
            actor: caller.actor(),
            action: "workspace.domain_verify".into(),
            target: format!("workspace:{workspace_id}"),
            details: json!({"domain": domain, "how": "dns"}),
        };
        audit(state.store.as_ref(), entry).await;
    }
    let proven = views(&state, workspace_id).await?.into_iter().find(|v| v.domain == domain);
    Ok(Json(proven.ok_or_else(|| ApiError::NotFound("domain".into()))?))
}

#[cfg(test)]
mod tests {
    use super::parse_domain;

    #[test]
    fn domains_are_host_names_and_not_webmail() {
        assert_eq!(parse_domain(" Brand.IN ").as_deref(), Ok("brand.in"));
        assert_eq!(parse_domain("mail.my-brand.co.in").as_deref(), Ok("mail.my-brand.co.in"));
        for bad in [
            "",
            "brand",
            "@brand.in",
            "a@brand.in",
            "brand..in",
            "-brand.in",
            "brand-.in",
            "br_and.in",
            "10.0.0.1",
            "gmail.com",
            "OUTLOOK.com",
            "yahoo.com",
            "hotmail.com",
            ".brand.in",
            "brand.in.",
        ] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
        assert!(parse_domain(&format!("{}.in", "a".repeat(64))).is_err());
        assert!(parse_domain(&format!("{}.in", vec!["a".repeat(60); 5].join("."))).is_err());
    }
}
