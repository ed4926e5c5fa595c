//! Who may call what: every route the router documents × every kind of caller, against a table declared here.
//!
//! The route list comes from the OpenAPI document `api_routes()` generates from the router itself, and a
//! route missing from [`TABLE`] fails the test: a new route cannot be forgotten. Path parameters are filled
//! with ids of real objects of the default workspace (a customer, a segment, a campaign, a member, an
//! invitation, an API key); bodies are minimal (a 422 is an allowed answer).
//!
//! The rule checked: a caller that is not allowed gets exactly 401 (no credentials), 403 (a role or scope
//! that does not allow it) or 404 (a workspace the person is not in; another workspace's object); an allowed
//! caller gets anything but 401 or 403.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use converge_domain::{Role, UserId};
use converge_server::auth::GeneratedKey;
use converge_store::{NewApiKey, NewDeliveryRoute, NewUser};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both_modes;
use crate::campaigns::{body as campaign_body, city_rule, create as create_campaign, seed};
use crate::helpers::{AdminSession, Mode, TestApp};

both_modes!(every_route_answers_every_caller_as_declared);

/// What a route needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Anyone: health, metrics, signing in and setup, the sign-in providers.
    Public,
    /// The vendor's HMAC signature, never a session or key: 401 for every caller here (none signs).
    Signature,
    /// A signed-in person (whatever their role); API keys have no person behind them: 401.
    SessionOnly,
    /// Signing out: always 204 (without a session there is nothing to end).
    SignOut,
    /// Reading: every role; keys with `read`.
    Read,
    /// Reading campaigns: every role; keys with `read` or `campaigns`.
    ReadOrCampaigns,
    /// Sending data: member and up; keys with `ingest`.
    Ingest,
    /// Audiences and campaigns: member and up; keys with `campaigns`.
    Campaigns,
    /// Administration: admin and owner; keys with `all`.
    Admin,
}

use Access::*;

/// Every documented route and what it needs. `all` on a key implies every permission.
const TABLE: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Public),
    ("GET", "/readyz", Public),
    ("GET", "/metrics", Public),
    ("POST", "/api/v1/auth/login", Public),
    ("POST", "/api/v1/auth/setup", Public),
    ("GET", "/api/v1/auth/setup", Public),
    ("POST", "/api/v1/auth/join/preview", Public),
    ("POST", "/api/v1/auth/join", Public),
    ("GET", "/api/v1/auth/providers", Public),
    ("GET", "/api/v1/auth/oidc/{provider}/login", Public),
    ("GET", "/api/v1/auth/oidc/{provider}/callback", Public),
    ("GET", "/api/v1/auth/me", SessionOnly),
    ("POST", "/api/v1/auth/oidc/{provider}/link", SessionOnly),
    ("GET", "/api/v1/auth/invitations", SessionOnly),
    ("POST", "/api/v1/auth/invitations/{id}/accept", SessionOnly),
    ("POST", "/api/v1/auth/invitations/{id}/decline", SessionOnly),
    ("POST", "/api/v1/auth/logout", SignOut),
    ("POST", "/api/v1/delivery-receipts", Signature),
    ("POST", "/api/v1/delivery-receipts/{route}", Signature),
    ("POST", "/api/v1/customers", Ingest),
    ("POST", "/api/v1/customers/batch", Ingest),
    ("POST", "/api/v1/orders", Ingest),
    ("POST", "/api/v1/orders/batch", Ingest),
    ("GET", "/api/v1/customers", Read),
    ("GET", "/api/v1/customers/{external_id}", Read),
    ("GET", "/api/v1/customers/{external_id}/messages", Read),
    ("GET", "/api/v1/dashboard", Read),
    ("GET", "/api/v1/import-fields", Read),
    ("POST", "/api/v1/imports", Ingest),
    ("GET", "/api/v1/segment-fields", Read),
    ("POST", "/api/v1/segments/preview", Read),
    ("GET", "/api/v1/segments", Read),
    ("GET", "/api/v1/segments/{id}", Read),
    ("POST", "/api/v1/segments", Campaigns),
    ("PUT", "/api/v1/segments/{id}", Campaigns),
    ("DELETE", "/api/v1/segments/{id}", Campaigns),
    ("GET", "/api/v1/campaigns", ReadOrCampaigns),
    ("GET", "/api/v1/campaigns/{id}", ReadOrCampaigns),
    ("GET", "/api/v1/campaigns/{id}/log", ReadOrCampaigns),
    ("POST", "/api/v1/campaigns", Campaigns),
    ("POST", "/api/v1/campaigns/message-preview", Campaigns),
    ("GET", "/api/v1/template-variables", ReadOrCampaigns),
    ("POST", "/api/v1/campaigns/{id}/pause", Campaigns),
    ("POST", "/api/v1/campaigns/{id}/resume", Campaigns),
    ("POST", "/api/v1/campaigns/{id}/retry-failed", Campaigns),
    ("POST", "/api/v1/campaigns/{id}/cancel", Campaigns),
    ("PATCH", "/api/v1/campaigns/{id}", Campaigns),
    ("POST", "/api/v1/campaigns/{id}/launch", Campaigns),
    ("POST", "/api/v1/campaigns/{id}/duplicate", Campaigns),
    ("POST", "/api/v1/ai/message-suggestions", Campaigns),
    ("POST", "/api/v1/ai/segment-from-text", Campaigns),
    ("POST", "/api/v1/ai/campaign-summary", ReadOrCampaigns),
    ("GET", "/api/v1/settings/channels", Campaigns),
    ("PUT", "/api/v1/settings/channels", Admin),
    ("POST", "/api/v1/settings/channels/test", Admin),
    ("GET", "/api/v1/workspace/members", Read),
    ("PATCH", "/api/v1/workspace/members/{user_id}", Admin),
    ("DELETE", "/api/v1/workspace/members/{user_id}", Admin),
    ("GET", "/api/v1/workspace/invitations", Admin),
    ("POST", "/api/v1/workspace/invitations", Admin),
    ("DELETE", "/api/v1/workspace/invitations/{id}", Admin),
    ("GET", "/api/v1/workspace", Read),
    ("PATCH", "/api/v1/workspace", Admin),
    ("GET", "/api/v1/workspace/domains", Admin),
    ("PUT", "/api/v1/workspace/domains", Admin),
    ("POST", "/api/v1/workspace/domains/{domain}/verify", Admin),
    ("GET", "/api/v1/api-keys", Admin),
    ("POST", "/api/v1/api-keys", Admin),
    ("DELETE", "/api/v1/api-keys/{id}", Admin),
    ("GET", "/api/v1/audit", Admin),
    ("DELETE", "/api/v1/customers/{external_id}", Admin),
    ("GET", "/api/v1/customers/{external_id}/export", Read),
    ("GET", "/api/v1/customers/export", Read),
    ("GET", "/api/v1/customers/{external_id}/subscriptions", Read),
    ("PUT", "/api/v1/customers/{external_id}/subscriptions", Campaigns),
    ("GET", "/api/v1/suppressions", Read),
    ("POST", "/api/v1/suppressions", Campaigns),
    ("DELETE", "/api/v1/suppressions/{id}", Campaigns),
    ("GET", "/api/v1/settings/compliance", Read),
    ("PUT", "/api/v1/settings/compliance", Admin),
    ("POST", "/api/v1/campaigns/reach", ReadOrCampaigns),
    ("POST", "/api/v1/campaigns/{id}/test", Campaigns),
    ("GET", "/api/v1/templates", ReadOrCampaigns),
    ("POST", "/api/v1/templates", Campaigns),
    ("GET", "/api/v1/templates/{id}", ReadOrCampaigns),
    ("PUT", "/api/v1/templates/{id}", Campaigns),
    ("DELETE", "/api/v1/templates/{id}", Campaigns),
    ("POST", "/api/v1/inbound-messages", Signature),
    ("POST", "/api/v1/inbound-messages/{route}", Signature),
    ("POST", "/api/v1/complaints", Signature),
    ("POST", "/api/v1/complaints/{route}", Signature),
];

/// Who is calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// A person with this role in the default workspace (and no other).
    Person(Role),
    /// An owner of another workspace only, acting there (the default workspace's ids are not theirs).
    Stranger,
    /// The same person naming the default workspace in `X-Converge-Workspace`.
    StrangerNamingDefault,
    /// An API key of the default workspace with this one scope.
    Key(&'static str),
}

const CALLERS: [Who; 11] = [
    Who::Anonymous,
    Who::Person(Role::Viewer),
    Who::Person(Role::Member),
    Who::Person(Role::Admin),
    Who::Person(Role::Owner),
    Who::Stranger,
    Who::StrangerNamingDefault,
    Who::Key("read"),
    Who::Key("ingest"),
    Who::Key("campaigns"),
    Who::Key("all"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Exactly(u16),
    /// Anything but 401 or 403 (and the route must exist: not 405).
    Allowed,
}

/// Whether a role grants what `access` needs (declared here, independently of `Role::allows`).
fn role_may(role: Role, access: Access) -> bool {
    match access {
        Read | ReadOrCampaigns => true,
        Ingest | Campaigns => matches!(role, Role::Member | Role::Admin | Role::Owner),
        Admin => matches!(role, Role::Admin | Role::Owner),
        Public | Signature | SessionOnly | SignOut => unreachable!("not a permission"),
    }
}

fn scope_may(scope: &str, access: Access) -> bool {
    scope == "all"
        || match access {
            Read => scope == "read",
            ReadOrCampaigns => scope == "read" || scope == "campaigns",
            Ingest => scope == "ingest",
            Campaigns => scope == "campaigns",
            Admin => false,
            Public | Signature | SessionOnly | SignOut => unreachable!("not a permission"),
        }
}

/// The answer `who` must get from a route needing `access`; `object`: the path names an object of the
/// default workspace.
fn expected(access: Access, who: Who, object: bool) -> Expect {
    use Expect::*;
    let person = matches!(who, Who::Person(_) | Who::Stranger | Who::StrangerNamingDefault);
    match access {
        Public => Allowed,
        Signature => Exactly(401),
        // A signed-in person naming an object that is not theirs (another's invitation, no such provider): 404.
        SessionOnly if object => Exactly(if person { 404 } else { 401 }),
        SessionOnly => Exactly(if person { 200 } else { 401 }),
        SignOut => Exactly(204),
        _ => match who {
            Who::Anonymous => Exactly(401),
            // Not a member there: the workspace is not theirs to know about.
            Who::StrangerNamingDefault => Exactly(404),
            // An owner acting in their own workspace: allowed, but the default workspace's objects are not
            // found there (lists just show their own data).
            Who::Stranger if object => Exactly(404),
            Who::Stranger => Allowed,
            Who::Person(role) if role_may(role, access) => Allowed,
            Who::Key(scope) if scope_may(scope, access) => Allowed,
            Who::Person(_) | Who::Key(_) => Exactly(403),
        },
    }
}

/// Every (METHOD, path) the OpenAPI document generated from the router lists.
fn documented_routes() -> BTreeSet<(String, String)> {
    let (_router, openapi) = converge_server::http::api_routes();
    let doc = serde_json::to_value(&openapi).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

/// The objects path parameters name.
struct Objects {
    customer: String,
    segment: i64,
    campaign: i64,
    member: i64,
    invitation: i64,
    key: i64,
    suppression: i64,
    template: i64,
    /// Another workspace's delivery route: unsigned receipts to it are 401 for everyone.
    route: String,
}

impl Objects {
    fn path(&self, template: &str) -> String {
        let id = if template.starts_with("/api/v1/segments/") {
            self.segment.to_string()
        } else if template.starts_with("/api/v1/campaigns/") {
            self.campaign.to_string()
        } else if template.starts_with("/api/v1/workspace/invitations/")
            || template.starts_with("/api/v1/auth/invitations/")
        {
            self.invitation.to_string()
        } else if template.starts_with("/api/v1/api-keys/") {
            self.key.to_string()
        } else if template.starts_with("/api/v1/suppressions/") {
            self.suppression.to_string()
        } else if template.starts_with("/api/v1/templates/") {
            self.template.to_string()
        } else {
            String::new()
        };
        template
            .replace("{external_id}", &self.customer)
            .replace("{user_id}", &self.member.to_string())
            .replace("{provider}", "nope")
            .replace("{domain}", "brand.in")
            .replace("{route}", &self.route)
            .replace("{id}", &id)
    }
}

/// A minimal body: `{}`, except where a valid one is needed to reach the object lookup (so another
/// workspace's id answers 404 rather than 422).
fn body(method: &str, template: &str) -> Option<Value> {
    match (method, template) {
        ("GET" | "DELETE", _) => None,
        ("PUT", "/api/v1/segments/{id}") => Some(json!({"name": "Matrix", "rule": city_rule("Pune")})),
        ("PATCH", "/api/v1/workspace/members/{user_id}") => Some(json!({"role": "viewer"})),
        ("POST", "/api/v1/campaigns/{id}/test") => Some(json!({"to": ["+919800000998"]})),
        ("PUT", "/api/v1/templates/{id}") => Some(json!({"name": "Matrix", "channel": "sms", "body": "Hi"})),
        ("PUT", "/api/v1/customers/{external_id}/subscriptions") => Some(json!({"channels": {"email": "subscribed"}})),
        _ => Some(json!({})),
    }
}

struct Callers {
    people: Vec<(Role, AdminSession)>,
    stranger: AdminSession,
    keys: Vec<(&'static str, String)>,
}

async fn every_route_answers_every_caller_as_declared(mode: Mode) {
    // "Cannot forget a route": the table and the router list the same routes.
    let documented = documented_routes();
    let declared: BTreeSet<(String, String)> = TABLE.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    assert_eq!(declared.len(), TABLE.len(), "a route is declared twice in TABLE");
    let undeclared: Vec<_> = documented.difference(&declared).collect();
    assert!(undeclared.is_empty(), "routes without an access rule in authz_matrix::TABLE: {undeclared:?}");
    let stale: Vec<_> = declared.difference(&documented).collect();
    assert!(stale.is_empty(), "TABLE lists routes the router does not have: {stale:?}");

    let Some(app) = TestApp::spawn(mode).await else { return };
    let objects = objects(&app).await;
    let callers = callers(&app).await;
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, template, access) in TABLE {
        let path = objects.path(template);
        for who in CALLERS {
            let expect = expected(*access, who, template.contains('{'));
            let status = send(&app, &callers, who, method, &path, body(method, template)).await;
            checked += 1;
            let fine = match expect {
                Expect::Exactly(code) => status == code,
                Expect::Allowed => !matches!(status, 401 | 403 | 405),
            };
            if !fine {
                wrong.push(format!("{method} {path} as {who:?} ({access:?}): got {status}, expected {expect:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} of {checked} answers are wrong:\n{}", wrong.len(), wrong.join("\n"));
}

/// Objects of the default workspace for the path parameters.
async fn objects(app: &TestApp) -> Objects {
    seed(app).await;
    let segment =
        app.post_json("/api/v1/segments", &app.key, &json!({"name": "Pune", "rule": city_rule("Pune")})).await;
    assert_eq!(segment.status(), 201);
    let segment: Value = segment.json().await.unwrap();
    let campaign = create_campaign(app, &campaign_body("Matrix")).await;
    let store = &app.state.store;
    let ws = app.workspace_id("default").await;
    let now = Utc::now();
    // A viewer to change and remove (anyone admin-level manages viewers).
    let new = NewUser { email: "victim@brand.in".into(), name: None, password_hash: None, email_verified: true };
    let member = store.create_user(&new, now).await.unwrap();
    store.put_member(ws, member.id, Role::Viewer, now).await.unwrap();
    let invitation = store
        .create_invitation(ws, "invitee@brand.in", Role::Viewer, None, now, now + Duration::days(7), None)
        .await
        .unwrap();
    // A key to revoke: none the callers use.
    let generated = GeneratedKey::generate();
    let key = store
        .create_api_key(&NewApiKey {
            workspace_id: ws,
            prefix: generated.prefix.clone(),
            key_hash: generated.hash.clone(),
            scopes: vec![converge_domain::Scope::Read],
            label: "to revoke".into(),
            created_by: None,
        })
        .await
        .unwrap();
    let suppression = app.post_json("/api/v1/suppressions", &app.key, &json!({"address": "+919800000999"})).await;
    assert_eq!(suppression.status(), 201);
    let suppression = suppression.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let saved = json!({"name": "Matrix", "channel": "sms", "body": "Hi {{ first_name }}"});
    let saved = app.post_json("/api/v1/templates", &app.key, &saved).await;
    assert_eq!(saved.status(), 201);
    let template = saved.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let other = store.create_workspace("routes", "Routes", &converge_domain::Currency::parse("INR").unwrap()).await;
    let route = "rt_matrixroute0000000001".to_owned();
    let routes = [NewDeliveryRoute { route: route.clone(), signing_secret: "matrix-route-secret".into() }];
    store.put_channel_settings(other.unwrap().id, &json!({}), &routes, now).await.unwrap();
    Objects {
        route,
        customer: "C0".into(),
        segment: segment["id"].as_i64().unwrap(),
        campaign: campaign["id"].as_i64().unwrap(),
        member: member.id.get(),
        invitation: invitation.id.get(),
        key: key.id.get(),
        suppression,
        template,
    }
}

async fn callers(app: &TestApp) -> Callers {
    let mut people = Vec::new();
    for role in [Role::Viewer, Role::Member, Role::Admin, Role::Owner] {
        let email = format!("{role}@brand.in");
        people.push((role, app.admin_user("default", &email, role).await));
    }
    let stranger = app.admin_user("elsewhere", "stranger@elsewhere.in", Role::Owner).await;
    let mut keys = Vec::new();
    for scope in ["read", "ingest", "campaigns", "all"] {
        keys.push((scope, app.create_key("default", &[scope]).await));
    }
    Callers { people, stranger, keys }
}

/// Sends one request as `who`; answers the status.
async fn send(app: &TestApp, callers: &Callers, who: Who, method: &str, path: &str, body: Option<Value>) -> u16 {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let signing_out = path == "/api/v1/auth/logout";
    let mut request = app.client.request(method, app.url(path));
    let person = match who {
        Who::Anonymous => None,
        Who::Person(role) => callers.people.iter().find(|(r, _)| *r == role).map(|(_, s)| s),
        Who::Stranger | Who::StrangerNamingDefault => Some(&callers.stranger),
        Who::Key(scope) => {
            let key = &callers.keys.iter().find(|(s, _)| *s == scope).unwrap().1;
            request = request.bearer_auth(key);
            None
        }
    };
    if let Some(person) = person {
        let (cookie, csrf) = if signing_out {
            // Signing out ends the session: use a throwaway one of the same person.
            throwaway_session(app, person.user_id).await
        } else {
            (person.cookie.clone(), person.csrf.clone())
        };
        request = request.header("cookie", cookie).header("x-csrf-token", csrf);
    }
    if who == Who::StrangerNamingDefault {
        request = request.header("x-converge-workspace", "default");
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn throwaway_session(app: &TestApp, user_id: UserId) -> (String, String) {
    let policy = app.state.session_policy();
    let (id, csrf) =
        converge_server::auth::session::start(app.state.store.as_ref(), user_id, None, &policy, Utc::now())
            .await
            .unwrap();
    (format!("converge_session={id}"), csrf)
}
