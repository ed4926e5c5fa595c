//! [`OidcProviders`]: the configured OpenID providers, each discovered on first use and kept (a provider that
//! is down at start does not stop Converge; its sign-in fails until discovery succeeds).

use std::collections::HashMap;

use tokio::sync::Mutex;

use super::oidc::{OidcClient, OidcError, OidcHttpClient, OidcProviderConfig};

pub struct OidcProviders {
    configs: Vec<OidcProviderConfig>,
    clients: Mutex<HashMap<String, OidcClient>>,
}

impl OidcProviders {
    pub fn new(configs: Vec<OidcProviderConfig>) -> OidcProviders {
        OidcProviders { configs, clients: Mutex::new(HashMap::new()) }
    }

    /// `(name, display name)` of every configured provider.
    pub fn list(&self) -> impl Iterator<Item = (&str, &str)> {
        self.configs.iter().map(|c| (c.name.as_str(), c.display_name.as_str()))
    }

    /// Whether provider `name` may link a first sign-in to an existing account with the same verified e-mail
    /// (`link_existing_accounts`); false for an unknown provider.
    pub fn links_existing_accounts(&self, name: &str) -> bool {
        self.configs.iter().any(|c| c.name == name && c.link_existing_accounts)
    }

    /// The discovered client of provider `name`; `None` if no such provider is configured.
    pub async fn client(&self, name: &str) -> Option<Result<OidcClient, OidcError>> {
        let config = self.configs.iter().find(|c| c.name == name)?;
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients.get(name) {
            return Some(Ok(client.clone()));
        }
        let discovered = match OidcHttpClient::new() {
            Ok(http) => OidcClient::discover(config, http).await,
            Err(err) => Err(err),
        };
        if let Ok(client) = &discovered {
            clients.insert(name.to_owned(), client.clone());
        }
        Some(discovered)
    }
}
