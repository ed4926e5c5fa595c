//! Workspace settings: how each channel (sms, whatsapp, email) is delivered — through the messaging vendor's
//! HTTP API or, for e-mail, an SMTP relay.
//!
//! Secrets never leave the server: every answer shows them as [`REDACTED`]. A client that sends
//! [`REDACTED`] back keeps the current secret of that field, so it can GET, change a timeout and PUT the
//! document back without retyping passwords — but only while the secret would still go to exactly the same
//! place (see [`keep_redacted_secrets`]). Shapes and values are checked by `converge_channels`; this module
//! maps their problems to 422 field errors named by dotted path (`email.port`).
//!
//! Saving also decides each vendor channel's delivery route (`delivery::routes`: where its vendor posts
//! receipts, with the secret it signs them with) and checks every destination against the egress policy, so
//! an address this server may not connect to is refused at once rather than failing every message later.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use converge_channels::{ChannelConfig, ChannelSettings, SmtpConfig, VendorConfig, DEFAULT_ROUTE, REDACTED};
use converge_domain::{FieldErrors, WorkspaceId};
use converge_egress::EgressError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Problem};
use super::json::{decode, decode_value, JsonBody};
use crate::auth::{Caller, Scope};
use crate::delivery::senders::{with_defaults, CHANNEL_NAMES, DEFAULT_KIND};
use crate::state::SharedState;

/// Where the settings a workspace uses come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettingsSource {
    /// The workspace stored its own.
    Workspace,
    /// The node's default vendor (every channel through it).
    Default,
    /// Neither: campaigns of this workspace cannot be delivered until settings are stored.
    None,
}

/// The channel settings a workspace uses, secrets shown as `[redacted]`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ChannelSettingsView {
    /// `{"sms": …, "whatsapp": …, "email": …}`, each `{"kind": "vendor", "base_url", "api_key", "timeout_ms",
    /// "connect_timeout_ms"}` or (e-mail only) `{"kind": "smtp", "host", "port", "tls": "none" | "starttls" |
    /// "tls", "username", "password", "from_address", "from_name", "helo_name", "timeout_ms", "pool_size"}`;
    /// `null` when the source is `none`.
    #[schema(value_type = Option<Object>)]
    pub channels: Option<ChannelSettings>,
    pub source: SettingsSource,
    /// Per channel (`sms`, `whatsapp`, `email`): `workspace` (its own settings) or `default` (it follows the
    /// server's default vendor, and any change the operator makes to it).
    pub sources: BTreeMap<String, SettingsSource>,
    /// Where each vendor channel's vendor must post its delivery receipts (signed with that channel's
    /// `signing_secret`, or the node's for the default vendor), by channel name.
    pub receipt_urls: BTreeMap<String, String>,
}

/// The top level of a PUT body; each channel is decoded on its own so errors keep their full path (serde
/// loses the path inside an internally tagged enum such as [`ChannelConfig`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    sms: Value,
    whatsapp: Value,
    email: Value,
}

/// The settings `workspace_id` uses now, with their source (secrets not yet redacted). `Err` inside `Ok` when
/// the workspace stored settings that no longer parse.
async fn current(state: &SharedState, workspace_id: WorkspaceId) -> ApiResult<Result<Current, anyhow::Error>> {
    let default = state.senders.default_settings();
    Ok(match state.store.channel_settings(workspace_id).await? {
        Some(json) => match with_defaults(json, default) {
            Ok((settings, inherited)) => {
                Ok(Current { settings: Some(settings), source: SettingsSource::Workspace, inherited })
            }
            Err(err) => Err(anyhow::anyhow!("workspace {workspace_id}: {err}")),
        },
        None => Ok(match default {
            Some(default) => Current {
                settings: Some(default.clone()),
                source: SettingsSource::Default,
                inherited: CHANNEL_NAMES.to_vec(),
            },
            None => Current { settings: None, source: SettingsSource::None, inherited: Vec::new() },
        }),
    })
}

/// The settings a workspace uses now: `inherited` names the channels that follow the server's default.
struct Current {
    settings: Option<ChannelSettings>,
    source: SettingsSource,
    inherited: Vec<&'static str>,
}

/// How this workspace's channels are delivered (scope `campaigns`); secrets read `[redacted]`.
#[utoipa::path(get, path = "/api/v1/settings/channels", tag = "settings", security(("api_key" = [])),
    responses((status = 200, body = ChannelSettingsView), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn get_channel_settings(
    State(state): State<SharedState>,
    caller: Caller,
) -> ApiResult<Json<ChannelSettingsView>> {
    caller.require(Scope::Campaigns)?;
    Ok(Json(view(&state, current(&state, caller.workspace_id()).await??)))
}

/// The answer: settings redacted, with each channel's source and each vendor channel's receipt URL.
fn view(state: &SharedState, current: Current) -> ChannelSettingsView {
    let Current { settings, source, inherited } = current;
    let sources = match source {
        SettingsSource::None => BTreeMap::new(),
        _ => CHANNEL_NAMES
            .iter()
            .map(|name| {
                let from = if inherited.contains(name) { SettingsSource::Default } else { SettingsSource::Workspace };
                ((*name).to_owned(), from)
            })
            .collect(),
    };
    let base = state.settings.auth.public_url.as_deref().unwrap_or("").trim_end_matches('/').to_owned();
    let mut receipt_urls = BTreeMap::new();
    if let Some(settings) = &settings {
        for (name, config) in [("sms", &settings.sms), ("whatsapp", &settings.whatsapp), ("email", &settings.email)] {
            let ChannelConfig::Vendor(VendorConfig { route: Some(route), .. }) = config else { continue };
            let url = if route == DEFAULT_ROUTE {
                format!("{base}/api/v1/delivery-receipts")
            } else {
                format!("{base}/api/v1/delivery-receipts/{route}")
            };
            receipt_urls.insert(name.to_owned(), url);
        }
    }
    ChannelSettingsView { channels: settings.map(|s| s.redacted()), source, sources, receipt_urls }
}

/// Replace this workspace's channel settings (scope `all`: they carry credentials). Send the whole document;
/// a secret sent as `[redacted]` keeps its current value while it goes to exactly the same place (vendor: the
/// same URL; SMTP: the same host, port, TLS mode and user). A vendor channel other than the node's default
/// vendor needs the `signing_secret` its vendor signs receipts with, and gets its own receipt URL
/// (`receipt_urls`). A destination this server may not connect to (loopback, private, link-local and similar
/// addresses, unless the operator allowed them in `egress.allow`) is refused with 422.
#[utoipa::path(put, path = "/api/v1/settings/channels", tag = "settings",
    request_body(content = Object, description = "A whole channel settings document, shaped as `channels` in \
        the GET answer. Unknown keys are refused; `[redacted]` as a secret keeps the current one."),
    security(("api_key" = [])),
    responses((status = 200, body = ChannelSettingsView), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 415, body = Problem), (status = 422, body = Problem)))]
#[tracing::instrument(skip_all, fields(workspace_id = caller.workspace_id().get()))]
pub async fn put_channel_settings(
    State(state): State<SharedState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> ApiResult<Json<ChannelSettingsView>> {
    caller.require(Scope::All)?;
    let (mut settings, inherited) = decode_settings(&body?.0, state.senders.default_settings())?;
    let workspace_id = caller.workspace_id();
    let (previous, source) = match current(&state, workspace_id).await? {
        Ok(current) => (current.settings, current.source),
        // Unreadable stored settings must not stop the PUT that replaces them; they simply keep no secret.
        Err(err) => {
            tracing::warn!(error = format!("{err:#}"), "replacing unreadable channel settings");
            (None, SettingsSource::None)
        }
    };
    let mut errors = keep_redacted_secrets(&mut settings, previous.as_ref());
    if let Err(invalid) = settings.validate() {
        // A secret that could not be kept is still `[redacted]`: its one error is that it must be sent.
        for issue in invalid.0 {
            if !errors.0.iter().any(|known| known.field == issue.field) {
                errors.push(issue.field, issue.message);
            }
        }
    }
    let own = previous.as_ref().filter(|_| source == SettingsSource::Workspace);
    let routes = match crate::delivery::routes::assign(&mut settings, own, state.senders.default_settings()) {
        Ok(routes) => routes,
        Err(found) => {
            errors.extend(found);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    check_destinations(&state, &settings).await?;
    let mut json =
        serde_json::to_value(&settings).map_err(|err| anyhow::anyhow!("serializing channel settings failed: {err}"))?;
    // A channel left on the default is stored as that choice, not as a copy of today's default.
    for name in &inherited {
        json[*name] = serde_json::json!({"kind": DEFAULT_KIND});
    }
    state.store.put_channel_settings(workspace_id, &json, &routes, Utc::now()).await?;
    state.senders.invalidate(workspace_id);
    tracing::info!(
        sms = kind(&settings.sms),
        whatsapp = kind(&settings.whatsapp),
        email = kind(&settings.email),
        "channel settings replaced"
    );
    let current = Current { settings: Some(settings), source: SettingsSource::Workspace, inherited };
    Ok(Json(view(&state, current)))
}

/// Refuses (422) every destination the egress policy would refuse at connect time. A name that does not
/// resolve right now is let through: the check that counts is the one made on every connection.
async fn check_destinations(state: &SharedState, settings: &ChannelSettings) -> ApiResult<()> {
    let policy = state.senders.egress();
    let mut errors = FieldErrors::default();
    for (name, config) in [("sms", &settings.sms), ("whatsapp", &settings.whatsapp), ("email", &settings.email)] {
        let (field, host, port) = match config {
            ChannelConfig::Vendor(vendor) if vendor.route.as_deref() == Some(DEFAULT_ROUTE) => continue,
            ChannelConfig::Vendor(vendor) => {
                let Ok(url) = reqwest::Url::parse(&vendor.base_url) else { continue };
                let port = url.port_or_known_default().unwrap_or(443);
                ("base_url", url.host_str().unwrap_or_default().to_owned(), port)
            }
            ChannelConfig::Smtp(smtp) => ("host", smtp.host.clone(), smtp.port),
        };
        match policy.resolve(&host, port).await {
            Ok(_) | Err(EgressError::Unresolvable) => {}
            Err(refused @ EgressError::Refused { .. }) => errors
                .push(format!("{name}.{field}"), format!("{refused}; the operator can allow it with egress.allow")),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Invalid(errors))
    }
}

/// Decodes a PUT body; every shape problem is a 422 naming its dotted path (`email.pasword`, `sms.kind`). A
/// channel given as `{"kind": "default"}` takes the server's default (its name is returned with the others
/// so chosen).
fn decode_settings(bytes: &[u8], default: Option<&ChannelSettings>) -> ApiResult<(ChannelSettings, Vec<&'static str>)> {
    let body: SettingsBody = decode(bytes)?;
    let mut errors = FieldErrors::default();
    let mut inherited = Vec::new();
    let mut channel = |value: Value, name: &'static str, fallback: Option<&ChannelConfig>| match decode_channel(
        value, name, fallback,
    ) {
        Ok((config, from_default)) => {
            if from_default {
                inherited.push(name);
            }
            Some(config)
        }
        Err(found) => {
            errors.extend(found);
            None
        }
    };
    let sms = channel(body.sms, "sms", default.map(|d| &d.sms));
    let whatsapp = channel(body.whatsapp, "whatsapp", default.map(|d| &d.whatsapp));
    let email = channel(body.email, "email", default.map(|d| &d.email));
    match (sms, whatsapp, email) {
        (Some(sms), Some(whatsapp), Some(email)) if errors.is_empty() => {
            Ok((ChannelSettings { sms, whatsapp, email }, inherited))
        }
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Decodes one channel's `{"kind": …, …}` by hand, with errors under `name`; `true` when it is the server's
/// default (`fallback`).
fn decode_channel(
    value: Value,
    name: &str,
    fallback: Option<&ChannelConfig>,
) -> Result<(ChannelConfig, bool), FieldErrors> {
    let Value::Object(mut fields) = value else {
        return Err(one_error(name, "must be an object with a `kind`"));
    };
    let tag = fields.remove("kind");
    let rest = Value::Object(fields);
    match tag.as_ref().and_then(Value::as_str) {
        Some("vendor") => decode_value::<VendorConfig>(rest, name).map(|v| (ChannelConfig::Vendor(v), false)),
        Some("smtp") => decode_value::<SmtpConfig>(rest, name).map(|s| (ChannelConfig::Smtp(s), false)),
        Some(DEFAULT_KIND) => match fallback {
            Some(config) if rest.as_object().is_some_and(|rest| rest.is_empty()) => Ok((config.clone(), true)),
            Some(_) => Err(one_error(name, "the server's default takes no other settings: send only the kind")),
            None => Err(one_error(
                &format!("{name}.kind"),
                "this server has no default vendor to use; choose vendor or smtp",
            )),
        },
        _ => Err(one_error(&format!("{name}.kind"), "must be `default` (the server's vendor), `vendor` or `smtp`")),
    }
}

/// The `kind` tag of a config; an exhaustive match, so a new transport fails to compile here until
/// [`decode_channel`] learns it too.
fn kind(config: &ChannelConfig) -> &'static str {
    match config {
        ChannelConfig::Vendor(_) => "vendor",
        ChannelConfig::Smtp(_) => "smtp",
    }
}

fn one_error(field: &str, message: &str) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.push(field, message);
    errors
}

/// Replaces each secret sent as [`REDACTED`] with the same field's value in `previous` (the workspace's
/// settings, else the default). The secret is kept only if it would go to exactly the same place: for a vendor
/// the same URL (scheme, host, port and path), for SMTP the same host, port, TLS mode and user. So a PUT
/// cannot carry a stored credential to a server, port or path of its choosing without knowing it (a new port
/// on the same host may be another service). Otherwise the field is an error.
fn keep_redacted_secrets(settings: &mut ChannelSettings, previous: Option<&ChannelSettings>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let before = match previous {
        Some(p) => [Some(&p.sms), Some(&p.whatsapp), Some(&p.email)],
        None => [None; 3],
    };
    let redacted = |secret: &converge_channels::Secret| secret.expose() == REDACTED;
    let channels = [("sms", &mut settings.sms), ("whatsapp", &mut settings.whatsapp), ("email", &mut settings.email)];
    for ((name, config), before) in channels.into_iter().zip(before) {
        match config {
            ChannelConfig::Vendor(vendor) => {
                let old = match before {
                    Some(ChannelConfig::Vendor(old)) if same_destination(&old.base_url, &vendor.base_url) => Some(old),
                    _ => None,
                };
                if redacted(&vendor.api_key) {
                    match old {
                        Some(old) => vendor.api_key = old.api_key.clone(),
                        None => errors.push(format!("{name}.api_key"), NO_SECRET_TO_KEEP),
                    }
                }
                if vendor.signing_secret.as_ref().is_some_and(redacted) {
                    match old.and_then(|old| old.signing_secret.clone()) {
                        Some(secret) => vendor.signing_secret = Some(secret),
                        None => errors.push(format!("{name}.signing_secret"), NO_SECRET_TO_KEEP),
                    }
                }
            }
            ChannelConfig::Smtp(smtp) if smtp.password.as_ref().is_some_and(redacted) => match before {
                Some(ChannelConfig::Smtp(old @ SmtpConfig { password: Some(password), .. }))
                    if same_relay(old, smtp) =>
                {
                    smtp.password = Some(password.clone());
                }
                _ => errors.push(format!("{name}.password"), NO_SECRET_TO_KEEP),
            },
            ChannelConfig::Smtp(_) => {}
        }
    }
    errors
}

const NO_SECRET_TO_KEEP: &str = "enter it again: a saved secret is only reused while it goes to the same address \
     (and this channel has none saved for this address)";

/// The same URL: scheme, host, port (explicit or the scheme's) and path (a trailing slash aside). Unparsable
/// URLs never match.
fn same_destination(old: &str, new: &str) -> bool {
    let place = |url: &str| {
        let url = reqwest::Url::parse(url).ok()?;
        let host = url.host_str()?.to_ascii_lowercase();
        Some((url.scheme().to_owned(), host, url.port_or_known_default(), url.path().trim_end_matches('/').to_owned()))
    };
    matches!((place(old), place(new)), (Some(a), Some(b)) if a == b)
}

/// The same SMTP relay and account: host, port, TLS mode and user.
fn same_relay(old: &SmtpConfig, new: &SmtpConfig) -> bool {
    old.host.eq_ignore_ascii_case(&new.host)
        && old.port == new.port
        && old.tls == new.tls
        && old.username == new.username
}

#[cfg(test)]
mod tests {
    use super::*;
    use converge_channels::{Secret, SmtpTls};
    use serde_json::json;

    fn smtp(host: &str, password: Option<&str>) -> ChannelConfig {
        let mut config = SmtpConfig::new(host, 587, SmtpTls::Starttls, "offers@brand.example");
        config.username = password.map(|_| "mailer".to_owned());
        config.password = password.map(Secret::new);
        ChannelConfig::Smtp(config)
    }

    #[test]
    fn the_hand_decoder_agrees_with_serde() {
        let mut settings = ChannelSettings::all_vendor("https://api.vendor.example", Secret::new("k_live"));
        settings.email = smtp("smtp.brand.example", Some("hunter2"));
        let json = serde_json::to_vec(&settings).unwrap();
        let (decoded, inherited) = decode_settings(&json, None).unwrap();
        assert_eq!(decoded, serde_json::from_slice::<ChannelSettings>(&json).unwrap());
        assert_eq!(decoded, settings);
        assert!(inherited.is_empty());
    }

    #[test]
    fn a_channel_can_follow_the_servers_default() {
        let default = ChannelSettings::all_vendor("http://127.0.0.1:9100", Secret::new("node-key"));
        let body = json!({"sms": {"kind": "default"}, "whatsapp": {"kind": "default"},
            "email": {"kind": "smtp", "host": "smtp.brand.example", "port": 587, "tls": "starttls",
                "from_address": "hello@brand.example"}});
        let (decoded, inherited) = decode_settings(&serde_json::to_vec(&body).unwrap(), Some(&default)).unwrap();
        assert_eq!(inherited, ["sms", "whatsapp"]);
        assert_eq!((&decoded.sms, &decoded.whatsapp), (&default.sms, &default.whatsapp));
        // Without a default there is nothing to follow; extra settings beside the kind are refused.
        let Err(ApiError::Invalid(errors)) = decode_settings(&serde_json::to_vec(&body).unwrap(), None) else {
            panic!("expected field errors");
        };
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["sms.kind", "whatsapp.kind"]);
        let extra = json!({"sms": {"kind": "default", "api_key": "x"}, "whatsapp": {"kind": "default"},
            "email": {"kind": "default"}});
        let Err(ApiError::Invalid(errors)) = decode_settings(&serde_json::to_vec(&extra).unwrap(), Some(&default))
        else {
            panic!("expected field errors");
        };
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["sms"]);
    }

    #[test]
    fn errors_inside_a_channel_keep_their_path() {
        let body = json!({
            "sms": {"kind": "vendor", "base_url": "http://127.0.0.1:9", "api_key": "k", "timeout_ms": "soon"},
            "whatsapp": {"kind": "carrier-pigeon"},
            "email": {"kind": "smtp", "host": "h", "port": 25, "tls": "none", "from_address": "a@b.example",
                "pasword": "x"}
        });
        let Err(ApiError::Invalid(errors)) = decode_settings(&serde_json::to_vec(&body).unwrap(), None) else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sms.timeout_ms", "whatsapp.kind", "email.pasword"]);
    }

    #[test]
    fn a_redacted_secret_is_kept_only_towards_exactly_the_same_place() {
        let mut previous = ChannelSettings::all_vendor("https://api.vendor.example/v2", Secret::new("k_live"));
        previous.email = smtp("smtp.brand.example", Some("hunter2"));

        let mut same = previous.redacted();
        let mut config = VendorConfig::new("https://API.vendor.example:443/v2/", REDACTED.into());
        config.route = Some(DEFAULT_ROUTE.into());
        same.sms = ChannelConfig::Vendor(config);
        assert!(keep_redacted_secrets(&mut same, Some(&previous)).is_empty());
        let ChannelConfig::Vendor(kept) = &same.sms else { panic!() };
        assert_eq!(kept.api_key.expose(), "k_live");

        let mut moved = previous.redacted();
        moved.sms = ChannelConfig::Vendor(VendorConfig::new("https://api.vendor.example:8443/v2", REDACTED.into()));
        moved.whatsapp = ChannelConfig::Vendor(VendorConfig::new("https://api.vendor.example/admin", REDACTED.into()));
        let mut other_port = smtp("smtp.brand.example", Some(REDACTED));
        if let ChannelConfig::Smtp(config) = &mut other_port {
            config.port = 2525;
        }
        moved.email = other_port;
        let errors = keep_redacted_secrets(&mut moved, Some(&previous));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sms.api_key", "whatsapp.api_key", "email.password"]);

        let mut elsewhere = previous.redacted();
        elsewhere.sms = ChannelConfig::Vendor(VendorConfig::new("https://evil.example/v2", REDACTED.into()));
        elsewhere.email = smtp("smtp.evil.example", Some(REDACTED));
        assert_eq!(keep_redacted_secrets(&mut elsewhere, Some(&previous)).len(), 2);

        let mut fresh = previous.redacted();
        let errors = keep_redacted_secrets(&mut fresh, None);
        assert_eq!(errors.len(), 3);
    }
}
