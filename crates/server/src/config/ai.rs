//! Settings of the AI assistants: which provider answers (the built-in one by default, which needs no key
//! and no network), how to reach a remote one, and the bounds on each call.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Secret;

/// Which provider answers message suggestions, text-to-audience and campaign summaries.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AiProvider {
    /// Offline and deterministic: templates, the rule and the campaign's figures.
    #[default]
    Builtin,
    /// Google's Gemini API (`generateContent`); needs `api_key`.
    Gemini,
    /// Any OpenAI-compatible chat-completions server: OpenAI, Ollama, vLLM, llama.cpp.
    Openai,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AiSettings {
    pub provider: AiProvider,
    /// Gemini: default `https://generativelanguage.googleapis.com`. OpenAI-compatible: the base that
    /// `/chat/completions` is appended to, default `https://api.openai.com/v1` (Ollama:
    /// `http://localhost:11434/v1`).
    pub base_url: Option<String>,
    /// Default `gemini-2.5-flash` / `gpt-4o-mini`.
    pub model: Option<String>,
    /// Required for Gemini; optional for OpenAI-compatible servers. Never logged or sent to browsers.
    pub api_key: Option<Secret>,
    /// Per attempt, connection included.
    pub timeout_ms: u64,
    /// Retries after the first attempt, for timeouts, transport errors, 429 and 5xx.
    pub max_retries: u32,
    pub max_output_tokens: u32,
    /// Sampling temperature, 0 to 2.
    pub temperature: f64,
}

impl Default for AiSettings {
    fn default() -> Self {
        Self {
            provider: AiProvider::Builtin,
            base_url: None,
            model: None,
            api_key: None,
            timeout_ms: 15_000,
            max_retries: 2,
            max_output_tokens: 1_024,
            temperature: 0.4,
        }
    }
}

impl AiSettings {
    /// The provider configuration the assistant is built from.
    pub fn provider_config(&self) -> converge_ai::ProviderConfig {
        converge_ai::ProviderConfig {
            kind: match self.provider {
                AiProvider::Builtin => converge_ai::ProviderKind::Builtin,
                AiProvider::Gemini => converge_ai::ProviderKind::Gemini,
                AiProvider::Openai => converge_ai::ProviderKind::OpenAi,
            },
            base_url: self.base_url.clone(),
            model: self.model.clone(),
            api_key: self.api_key.as_ref().map(|key| converge_ai::ApiKey::new(key.expose())),
            timeout: Duration::from_millis(self.timeout_ms.max(1)),
            max_retries: self.max_retries.min(5),
            max_output_tokens: self.max_output_tokens,
            temperature: self.temperature,
        }
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures must return figment's own (large) error type.
mod tests {
    use super::*;
    use crate::config::{Overrides, Settings};

    #[test]
    fn the_default_is_the_builtin_provider() {
        figment::Jail::expect_with(|_jail| {
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(settings.ai.provider, AiProvider::Builtin);
            assert!(settings.ai.api_key.is_none());
            assert_eq!(settings.ai.provider_config().kind, converge_ai::ProviderKind::Builtin);
            Ok(())
        });
    }

    #[test]
    fn environment_configures_a_remote_provider_and_the_key_never_prints() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CONVERGE_AI__PROVIDER", "openai");
            jail.set_env("CONVERGE_AI__BASE_URL", "http://localhost:11434/v1");
            jail.set_env("CONVERGE_AI__MODEL", "llama3.1");
            jail.set_env("CONVERGE_AI__API_KEY", "sk-secret-123");
            jail.set_env("CONVERGE_AI__TIMEOUT_MS", "5000");
            let settings = Settings::load(None, &Overrides::default()).map_err(|e| *e)?;
            assert_eq!(settings.ai.provider, AiProvider::Openai);
            let config = settings.ai.provider_config();
            assert_eq!(config.base_url.as_deref(), Some("http://localhost:11434/v1"));
            assert_eq!(config.timeout, Duration::from_secs(5));
            assert_eq!(config.api_key.as_ref().map(converge_ai::ApiKey::expose), Some("sk-secret-123"));
            assert!(!format!("{settings:?} {config:?}").contains("sk-secret-123"));
            Ok(())
        });
    }

    #[test]
    fn unknown_ai_keys_and_providers_are_rejected() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CONVERGE_AI__APIKEY", "x");
            assert!(Settings::load(None, &Overrides::default()).is_err());
            Ok(())
        });
        figment::Jail::expect_with(|jail| {
            jail.set_env("CONVERGE_AI__PROVIDER", "claude");
            assert!(Settings::load(None, &Overrides::default()).is_err());
            Ok(())
        });
    }
}
