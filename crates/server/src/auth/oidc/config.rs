//! Settings for one OpenID provider, as an operator writes them.

use openidconnect::url::{Host, Url};
use serde::{Deserialize, Serialize};

use super::OidcError;
use crate::config::Secret;

/// Google's issuer, the default when a provider names none.
pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";

/// One OpenID provider Converge accepts sign-ins from. The client secret is a [`Secret`], so `Debug` never
/// shows it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OidcProviderConfig {
    /// Short stable identifier, used in URLs and stored with each linked identity: `google`.
    pub name: String,
    /// What the sign-in button says: `Google`.
    pub display_name: String,
    /// The issuer identifier; discovery reads `{issuer}/.well-known/openid-configuration`.
    #[serde(default = "default_issuer")]
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Requested scopes; `openid` is always sent, listed or not.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Our callback, exactly as registered at the provider.
    pub redirect_url: String,
    /// Whether a first sign-in through this provider may link to an existing Converge account with the same
    /// e-mail address (only when the provider asserts `email_verified`). Default `false`: such a sign-in is
    /// refused, and the person links the provider from their account while signed in. Turn it on only for a
    /// provider that is authoritative for the addresses it vouches for (the company's own identity provider);
    /// otherwise whoever controls an account there with a victim's address takes over the victim's account.
    #[serde(default)]
    pub link_existing_accounts: bool,
}

fn default_issuer() -> String {
    GOOGLE_ISSUER.to_owned()
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"].map(String::from).to_vec()
}

impl OidcProviderConfig {
    /// Google with the default scopes.
    pub fn google(client_id: impl Into<String>, client_secret: Secret, redirect_url: impl Into<String>) -> Self {
        OidcProviderConfig {
            name: "google".to_owned(),
            display_name: "Google".to_owned(),
            issuer: default_issuer(),
            client_id: client_id.into(),
            client_secret,
            scopes: default_scopes(),
            redirect_url: redirect_url.into(),
            link_existing_accounts: false,
        }
    }

    /// Checks what can be checked without the network. The issuer must be `https`, except plain `http` on a
    /// loopback address (local providers in development and tests).
    pub fn validate(&self) -> Result<(), OidcError> {
        let invalid = |reason: String| Err(OidcError::Config { provider: self.name.clone(), reason });
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 32
            && self.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return invalid("name must be 1 to 32 characters out of a-z, 0-9 and '-'".into());
        }
        if self.display_name.trim().is_empty() {
            return invalid("display_name must not be empty".into());
        }
        let issuer = match Url::parse(&self.issuer) {
            Ok(url) => url,
            Err(err) => return invalid(format!("issuer is not a URL: {err}")),
        };
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return invalid("issuer must not have a query or fragment".into());
        }
        if !is_secure_or_loopback(&issuer) {
            return invalid("issuer must use https (plain http only on a loopback address)".into());
        }
        if self.client_id.trim().is_empty() {
            return invalid("client_id must not be empty".into());
        }
        if self.client_secret.expose().is_empty() {
            return invalid("client_secret must not be empty".into());
        }
        if let Some(scope) = self.scopes.iter().find(|s| s.is_empty() || s.contains(char::is_whitespace)) {
            return invalid(format!("scope {scope:?} is empty or contains whitespace"));
        }
        match Url::parse(&self.redirect_url) {
            Ok(url) if matches!(url.scheme(), "https" | "http") && url.fragment().is_none() => Ok(()),
            Ok(_) => invalid("redirect_url must be an http(s) URL without a fragment".into()),
            Err(err) => invalid(format!("redirect_url is not a URL: {err}")),
        }
    }

    /// The scopes to request besides `openid` (which the library always adds), without repeats.
    pub(super) fn extra_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = Vec::new();
        for scope in &self.scopes {
            if scope != "openid" && !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        scopes
    }
}

/// `https`, or `http` to a loopback address.
pub(super) fn is_secure_or_loopback(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OidcProviderConfig {
        OidcProviderConfig::google("id-1", Secret::new("s3cr3t-value"), "https://crm.example/auth/oidc/google/callback")
    }

    #[test]
    fn google_defaults_are_valid() {
        let config = config();
        config.validate().unwrap();
        assert_eq!(config.issuer, GOOGLE_ISSUER);
        assert_eq!(config.extra_scopes(), ["email", "profile"]);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let text = format!("{:?}", config());
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("id-1"));
    }

    #[test]
    fn deserialises_with_defaults_and_rejects_unknown_keys() {
        let json = r#"{"name": "google", "display_name": "Google", "client_id": "id-1",
            "client_secret": "s3cr3t-value", "redirect_url": "https://crm.example/cb"}"#;
        let parsed: OidcProviderConfig = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.issuer, GOOGLE_ISSUER);
        assert_eq!(parsed.scopes, ["openid", "email", "profile"]);

        let misspelt = json.replace("\"redirect_url\"", "\"redirect_uri\"");
        assert!(serde_json::from_str::<OidcProviderConfig>(&misspelt).is_err());
    }

    #[test]
    fn plain_http_issuers_only_on_loopback() {
        for (issuer, ok) in [
            ("http://127.0.0.1:8080", true),
            ("http://[::1]:8080", true),
            ("http://localhost:8080", true),
            ("http://accounts.example", false),
            ("ftp://127.0.0.1", false),
            ("https://accounts.example/tenant?x=1", false),
            ("not a url", false),
        ] {
            let config = OidcProviderConfig { issuer: issuer.into(), ..config() };
            assert_eq!(config.validate().is_ok(), ok, "{issuer}");
        }
    }

    #[test]
    fn names_and_scopes_are_checked() {
        assert!(OidcProviderConfig { name: "Google".into(), ..config() }.validate().is_err());
        assert!(OidcProviderConfig { name: String::new(), ..config() }.validate().is_err());
        assert!(OidcProviderConfig { scopes: vec!["email profile".into()], ..config() }.validate().is_err());
        assert!(OidcProviderConfig { client_secret: Secret::new(""), ..config() }.validate().is_err());
        let repeated =
            OidcProviderConfig { scopes: ["openid", "email", "email"].map(String::from).to_vec(), ..config() };
        assert_eq!(repeated.extra_scopes(), ["email"]);
    }
}
