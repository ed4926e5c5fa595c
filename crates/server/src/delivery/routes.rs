//! Delivery routes of a workspace's own vendor channels: which route each channel configuration gets when
//! the settings are saved (see migration 0010 for why routes exist).
//!
//! - A vendor channel equal to the node's default vendor (same URL and key: the operator's vendor, which a
//!   workspace may name explicitly) goes through [`DEFAULT_ROUTE`]: its receipts are the node's.
//! - Any other vendor channel needs the secret its vendor signs receipts with, and gets a route of its own:
//!   the one it had if URL and secret are unchanged (so the vendor's callback URL stays valid), else a new
//!   random one. Channels of one save with the same URL and secret share one route (one vendor account
//!   usually posts every receipt to one callback URL).
//!
//! A route a client sends is ignored: routes are only ever assigned here.

use converge_channels::{ChannelConfig, ChannelSettings, VendorConfig, DEFAULT_ROUTE};
use converge_domain::FieldErrors;
use converge_store::NewDeliveryRoute;
use rand::distributions::Alphanumeric;
use rand::Rng;

/// Every workspace route starts with this.
pub const ROUTE_PREFIX: &str = "rt_";
/// Random characters after the prefix (base62: about 119 bits).
const ROUTE_RANDOM_CHARS: usize = 20;

/// Whether `text` has the shape of a workspace route id (checked before any lookup).
pub fn is_route_id(text: &str) -> bool {
    text.strip_prefix(ROUTE_PREFIX)
        .is_some_and(|rest| !rest.is_empty() && rest.len() <= 60 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn new_route_id() -> String {
    let random: String =
        rand::thread_rng().sample_iter(&Alphanumeric).take(ROUTE_RANDOM_CHARS).map(char::from).collect();
    format!("{ROUTE_PREFIX}{random}")
}

/// What identifies a vendor configuration's receipts: where it sends and what signs its callbacks.
fn identity(vendor: &VendorConfig) -> Option<(String, &str)> {
    let secret = vendor.signing_secret.as_ref()?.expose();
    Some((vendor.base_url.trim_end_matches('/').to_ascii_lowercase(), secret))
}

/// Sets the route of every vendor channel of `settings` (replacing any a client sent) and returns the
/// workspace routes to keep with them. `previous` is what the workspace stored before (its own settings
/// only), `default` the node's default settings. A vendor channel that is not the default vendor and has no
/// signing secret is an error on `<channel>.signing_secret`.
pub fn assign(
    settings: &mut ChannelSettings,
    previous: Option<&ChannelSettings>,
    default: Option<&ChannelSettings>,
) -> Result<Vec<NewDeliveryRoute>, FieldErrors> {
    let default_vendor = default.and_then(|d| match &d.sms {
        ChannelConfig::Vendor(vendor) => Some((vendor.base_url.clone(), vendor.api_key.expose().to_owned())),
        ChannelConfig::Smtp(_) => None,
    });
    let known: Vec<(String, String, String)> = previous
        .map(|p| [&p.sms, &p.whatsapp, &p.email])
        .into_iter()
        .flatten()
        .filter_map(|config| match config {
            ChannelConfig::Vendor(vendor) => {
                let (url, secret) = identity(vendor)?;
                let route = vendor.route.clone().filter(|r| is_route_id(r))?;
                Some((url, secret.to_owned(), route))
            }
            ChannelConfig::Smtp(_) => None,
        })
        .collect();
    let mut errors = FieldErrors::default();
    let mut routes: Vec<NewDeliveryRoute> = Vec::new();
    let mut chosen: Vec<(String, String, String)> = Vec::new();
    for (name, config) in
        [("sms", &mut settings.sms), ("whatsapp", &mut settings.whatsapp), ("email", &mut settings.email)]
    {
        let ChannelConfig::Vendor(vendor) = config else { continue };
        let is_default = default_vendor.as_ref().is_some_and(|(url, key)| {
            vendor.signing_secret.is_none() && *url == vendor.base_url && key == vendor.api_key.expose()
        });
        if is_default {
            vendor.route = Some(DEFAULT_ROUTE.to_owned());
            continue;
        }
        let Some((url, secret)) = identity(vendor) else {
            errors.push(
                format!("{name}.signing_secret"),
                "required: the secret your vendor signs delivery receipts with (at least 16 characters)",
            );
            vendor.route = None;
            continue;
        };
        let same = |(u, s, _): &&(String, String, String)| *u == url && s == secret;
        let route = match chosen.iter().find(same).or_else(|| known.iter().find(same)) {
            Some((_, _, route)) => route.clone(),
            None => new_route_id(),
        };
        if !chosen.iter().any(|(_, _, r)| *r == route) {
            chosen.push((url, secret.to_owned(), route.clone()));
            routes.push(NewDeliveryRoute { route: route.clone(), signing_secret: secret.to_owned() });
        }
        vendor.route = Some(route);
    }
    if errors.is_empty() {
        Ok(routes)
    } else {
        Err(errors)
    }
}

/// The workspace route a vendor callback names (`/…/{route}`): found only for a well-formed `rt_…` id that
/// exists, else 404 — the one lookup behind the receipt, reply and complaint endpoints.
pub async fn callback_route(
    store: &dyn converge_store::Store,
    route: &str,
) -> crate::http::error::ApiResult<converge_store::DeliveryRoute> {
    let found = if is_route_id(route) { store.delivery_route(route).await? } else { None };
    found.ok_or_else(|| crate::http::error::ApiError::NotFound("delivery route".into()))
}

#[cfg(test)]
mod tests {
    use converge_channels::Secret;

    use super::*;

    fn vendor(url: &str, secret: Option<&str>) -> ChannelConfig {
        let mut config = VendorConfig::new(url, Secret::new("key"));
        config.signing_secret = secret.map(Secret::new);
        ChannelConfig::Vendor(config)
    }

    fn route(config: &ChannelConfig) -> Option<&str> {
        match config {
            ChannelConfig::Vendor(vendor) => vendor.route.as_deref(),
            ChannelConfig::Smtp(_) => None,
        }
    }

    #[test]
    fn own_vendors_get_routes_kept_while_url_and_secret_stay() {
        let secret = "0123456789abcdef-one";
        let mut first = ChannelSettings {
            sms: vendor("https://gw.example", Some(secret)),
            whatsapp: vendor("https://gw.example/", Some(secret)),
            email: vendor("https://mail.example", Some("0123456789abcdef-two")),
        };
        let routes = assign(&mut first, None, None).unwrap();
        assert_eq!(routes.len(), 2, "same URL and secret share one route");
        assert_eq!(route(&first.sms), route(&first.whatsapp));
        assert_ne!(route(&first.sms), route(&first.email));
        assert!(route(&first.sms).is_some_and(is_route_id));

        // Saved again unchanged (a client even tries to pick a route): the same routes.
        let mut again = first.clone();
        if let ChannelConfig::Vendor(v) = &mut again.email {
            v.route = Some("rt_chosenbytheclient".into());
        }
        assign(&mut again, Some(&first), None).unwrap();
        assert_eq!(route(&again.sms), route(&first.sms));
        assert_eq!(route(&again.email), route(&first.email));

        // A new secret is a new route; so is a new URL.
        let mut rotated = first.clone();
        rotated.sms = vendor("https://gw.example", Some("another-secret-0123"));
        rotated.email = vendor("https://elsewhere.example", Some("0123456789abcdef-two"));
        assign(&mut rotated, Some(&first), None).unwrap();
        assert_ne!(route(&rotated.sms), route(&first.sms));
        assert_eq!(route(&rotated.whatsapp), route(&first.whatsapp));
        assert_ne!(route(&rotated.email), route(&first.email));
    }

    #[test]
    fn the_default_vendor_needs_no_secret_and_any_other_does() {
        let default = ChannelSettings::all_vendor("http://127.0.0.1:9999", Secret::new("key"));
        let mut explicit = default.clone();
        explicit.email = vendor("https://mine.example", None);
        let errors = assign(&mut explicit, None, Some(&default)).unwrap_err();
        assert_eq!(errors.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["email.signing_secret"]);
        let mut fine = default.clone();
        assert!(assign(&mut fine, None, Some(&default)).unwrap().is_empty());
        assert_eq!(route(&fine.sms), Some(DEFAULT_ROUTE));
        // Same URL but another key is not the operator's vendor account.
        let mut other_key = default.clone();
        other_key.sms = ChannelConfig::Vendor(VendorConfig::new("http://127.0.0.1:9999", Secret::new("mine")));
        assert!(assign(&mut other_key, None, Some(&default)).is_err());
    }

    #[test]
    fn route_ids_have_one_shape() {
        assert!(is_route_id("rt_abcDEF123"));
        for bad in ["", "rt_", "default", "smtp", "rt_a-b", "rt_a/../b", &format!("rt_{}", "a".repeat(61))] {
            assert!(!is_route_id(bad), "{bad:?}");
        }
    }
}
