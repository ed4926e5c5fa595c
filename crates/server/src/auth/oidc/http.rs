//! The one HTTP client every provider call goes through.

use std::time::Duration;

use reqwest::redirect::Policy;

use super::OidcError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// An HTTP client that follows no redirects and gives up after bounded time. Only constructible here, so a
/// provider call can never go through a client that follows a redirect: a redirected discovery or token
/// request would let whoever answers the first request choose where the client secret and codes go next.
#[derive(Clone, Debug)]
pub struct OidcHttpClient(reqwest::Client);

impl OidcHttpClient {
    /// 5 s to connect, 15 s per request.
    pub fn new() -> Result<Self, OidcError> {
        Self::with_timeouts(CONNECT_TIMEOUT, REQUEST_TIMEOUT)
    }

    pub fn with_timeouts(connect: Duration, request: Duration) -> Result<Self, OidcError> {
        reqwest::Client::builder()
            .redirect(Policy::none())
            .connect_timeout(connect)
            .timeout(request)
            .user_agent(concat!("converge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(OidcHttpClient)
            .map_err(|err| OidcError::Config {
                provider: "*".into(),
                reason: format!("cannot build the HTTP client: {err}"),
            })
    }

    pub(super) fn inner(&self) -> &reqwest::Client {
        &self.0
    }
}
