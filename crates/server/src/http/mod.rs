//! The HTTP edge: one module per resource, the error type, JSON decoding, and the router with its layers.
//!
//! Handlers stay thin: authenticate (`Caller`), decode, call the domain, store or queue, map the result.
//! What must not live here: SQL, stream mechanics, business rules that belong to the domain crate.

pub mod ai;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod consent;
pub mod csv;
pub mod customer_messages;
pub mod customers;
pub mod customers_export;
pub mod dashboard;
pub mod error;
pub mod extract;
pub mod head_limits;
pub mod health;
pub mod imports;
pub mod ingest;
pub mod json;
pub mod metrics_access;
pub mod nul;
pub mod path;
pub mod plain_errors;
pub mod receipts;
pub mod schemas;
pub mod segments;
pub mod settings;
pub mod settings_test;
pub mod spec;
pub mod templates;
pub mod web;
pub mod workspace;

use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::SharedState;
use error::ApiError;

pub const REQUEST_ID: &str = "x-request-id";

#[derive(OpenApi)]
#[openapi(
    info(title = "Converge API", description = "Customers, orders, audiences and campaigns. Errors are RFC 9457 problem details."),
    modifiers(&BearerAuth),
    tags((name = "ingest", description = "Send customers and orders (scope `ingest`); persisted asynchronously"),
         (name = "customers", description = "Read customers (scope `read`)"),
         (name = "compliance", description = "Consent and compliance: subscriptions with history, the suppression \
            list, quiet hours and frequency caps, SMS replies, erasure and access"),
         (name = "segments", description = "Audiences: field catalogue, exact previews, saved segments"),
         (name = "campaigns", description = "Create and control campaigns (scope `campaigns`); read them, \
            with stats and the message log (scope `read` or `campaigns`)"),
         (name = "ai", description = "AI assistants: message suggestions, text to audience rule (scope `campaigns`), \
            campaign summaries (scope `read` or `campaigns`); a built-in offline provider unless one is configured"),
         (name = "settings", description = "How each channel is delivered (read: scope `campaigns`; change: `all`)"),
         (name = "delivery", description = "Delivery receipts from the messaging vendor (signed, no API key)"),
         (name = "auth", description = "Signing in (local accounts, OpenID Connect) and out; sessions"),
         (name = "workspace", description = "The workspace's profile (brand, postal address, senders), members and \
            roles, invitations, allowed e-mail domains, API keys and the audit log (owner or admin, or scope `all`; \
            reading the profile and listing members: any member)"),
         (name = "operations", description = "Health, readiness and metrics"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("api_key", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The API routes and the OpenAPI document generated from them.
pub fn api_routes() -> (Router<SharedState>, utoipa::openapi::OpenApi) {
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ingest::post_customer, customers::list_customers))
        .routes(routes!(customers_export::export_customers))
        .routes(routes!(ingest::post_customers_batch))
        .routes(routes!(ingest::post_order))
        .routes(routes!(ingest::post_orders_batch))
        .routes(routes!(customers::get_customer, consent::erasure::erase_customer))
        .routes(routes!(consent::erasure::export_customer))
        .routes(routes!(consent::subscriptions::get_subscriptions, consent::subscriptions::put_subscriptions))
        .routes(routes!(consent::suppressions::list_suppressions, consent::suppressions::add_suppression))
        .routes(routes!(consent::suppressions::delete_suppression))
        .routes(routes!(consent::compliance::get_compliance, consent::compliance::put_compliance))
        .routes(routes!(consent::inbound::post_inbound))
        .routes(routes!(consent::inbound::post_route_inbound))
        .routes(routes!(consent::complaints::post_complaint))
        .routes(routes!(consent::complaints::post_route_complaint))
        .routes(routes!(customer_messages::customer_messages))
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(imports::import_fields))
        .routes(import_route())
        .routes(routes!(segments::segment_fields))
        .routes(routes!(segments::preview))
        .routes(routes!(segments::list_segments, segments::create_segment))
        .routes(routes!(segments::get_segment, segments::update_segment, segments::delete_segment))
        .routes(routes!(campaigns::read::list_campaigns, campaigns::create::create_campaign))
        .routes(routes!(campaigns::read::get_campaign, campaigns::edit::edit_campaign))
        .routes(routes!(campaigns::launch::launch_campaign))
        .routes(routes!(campaigns::launch::duplicate_campaign))
        .routes(routes!(campaigns::log::campaign_log))
        .routes(routes!(campaigns::actions::pause_campaign))
        .routes(routes!(campaigns::actions::resume_campaign))
        .routes(routes!(campaigns::actions::cancel_campaign))
        .routes(routes!(campaigns::actions::retry_failed))
        .routes(routes!(campaigns::preview::message_preview))
        .routes(routes!(campaigns::reach::campaign_reach))
        .routes(routes!(campaigns::test_send::test_send))
        .routes(routes!(templates::list_templates, templates::create_template))
        .routes(routes!(templates::get_template, templates::update_template, templates::delete_template))
        .routes(routes!(ai::message_suggestions))
        .routes(routes!(ai::segment_from_text))
        .routes(routes!(ai::campaign_summary))
        .routes(routes!(campaigns::variables::template_variables))
        .routes(routes!(settings::get_channel_settings, settings::put_channel_settings))
        .routes(routes!(settings_test::test_channel))
        .routes(routes!(receipts::post_receipts))
        .routes(routes!(receipts::post_route_receipts))
        .routes(routes!(auth::local::login))
        .routes(routes!(auth::local::logout))
        .routes(routes!(auth::local::setup_status, auth::local::setup))
        .routes(routes!(auth::me::get_me))
        .routes(routes!(auth::oidc::providers))
        .routes(routes!(auth::oidc::login))
        .routes(routes!(auth::oidc::callback))
        .routes(routes!(auth::oidc_link::start_link))
        .routes(routes!(auth::invitations::my_invitations))
        .routes(routes!(auth::join::join_preview))
        .routes(routes!(auth::join::join))
        .routes(routes!(auth::invitations::accept_invitation))
        .routes(routes!(auth::invitations::decline_invitation))
        .routes(routes!(workspace::profile::get_workspace, workspace::profile::patch_workspace))
        .routes(routes!(workspace::members::list_members))
        .routes(routes!(workspace::members::change_role, workspace::members::remove_member))
        .routes(routes!(workspace::invitations::list_invitations, workspace::invitations::create_invitation))
        .routes(routes!(workspace::invitations::revoke_invitation))
        .routes(routes!(workspace::domains::get_domains, workspace::domains::put_domains))
        .routes(routes!(workspace::domains::verify_domain))
        .routes(routes!(api_keys::list_api_keys, api_keys::create_api_key))
        .routes(routes!(api_keys::revoke_api_key))
        .routes(routes!(audit::audit_log))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .split_for_parts();
    spec::complete(&mut openapi);
    (router, openapi)
}

/// `POST /api/v1/imports` takes a whole CSV file: its own, larger body limit.
fn import_route() -> utoipa_axum::router::UtoipaMethodRouter<SharedState> {
    let (schemas, paths, method_router) = routes!(imports::import);
    (schemas, paths, method_router.layer(DefaultBodyLimit::max(imports::BODY_LIMIT)))
}

/// The whole application router for a process that serves the API (and the web UI).
pub fn router(state: SharedState) -> Router {
    let (api, openapi) = api_routes();
    let body_limit = state.settings.ingest.body_limit_bytes;
    let routes = api
        .route("/u/{token}", get(consent::unsubscribe::page).post(consent::unsubscribe::submit))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi));
    with_layers(routes.fallback(web::fallback), body_limit).with_state(state)
}

/// Health, readiness and metrics only: what a worker-only process serves.
pub fn ops_router(state: SharedState) -> Router {
    let body_limit = state.settings.ingest.body_limit_bytes;
    let routes = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .fallback(not_found);
    with_layers(routes, body_limit).with_state(state)
}

/// `/metrics` alone, for the `metrics.bind` listener.
pub fn metrics_router(state: SharedState) -> Router {
    let body_limit = state.settings.ingest.body_limit_bytes;
    let routes = Router::new().route("/metrics", get(metrics_access::dedicated)).fallback(not_found);
    with_layers(routes, body_limit).with_state(state)
}

fn with_layers(routes: Router<SharedState>, body_limit: usize) -> Router<SharedState> {
    let request_id = HeaderName::from_static(REQUEST_ID);
    // Gzip for anything over 1 KB a client accepts it for: the web UI's bundles shrink to about a third, big
    // JSON pages more; small answers (an ingest 202) are not worth the work.
    let compression = CompressionLayer::new().compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)));
    routes
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(nul::refuse_in_uri))
        .layer(compression)
        .layer(axum::middleware::from_fn(crate::metrics::track_http))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(axum::middleware::from_fn(plain_errors::as_problems))
        .layer(axum::middleware::from_fn(head_limits::refuse_oversized))
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([axum::http::header::AUTHORIZATION, axum::http::header::COOKIE]))
}

async fn not_found() -> Response {
    ApiError::NotFound("route".into()).into_response()
}

/// 405 as a problem whose `status` says 405 too (it used to carry the 400 it was made from).
async fn method_not_allowed() -> Response {
    let problem = error::Problem {
        kind: "urn:converge:problem:method-not-allowed".into(),
        title: "Method not allowed".into(),
        status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
        detail: "this method is not allowed on this route".into(),
        errors: Vec::new(),
    };
    let mut response =
        (StatusCode::METHOD_NOT_ALLOWED, serde_json::to_vec(&problem).unwrap_or_default()).into_response();
    response
        .headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(spec::PROBLEM_JSON));
    response
}
