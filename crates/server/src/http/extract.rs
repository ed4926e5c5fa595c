//! The typed pieces of a request every handler takes the same way: a JSON body decoded into its type
//! ([`Body`]), and a page of a list ([`Page`], [`query_number`]). Errors name the offending field.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::{ApiError, ApiResult};
use super::json::{decode, JsonBody};
use crate::state::SharedState;
use converge_domain::{SegmentId, WorkspaceId};

/// A JSON body decoded into `T`: 415 unless declared JSON, 413 past the body limit, 400 unreadable, 422
/// naming the field that does not fit `T`. Take it as `Result<Body<T>, ApiError>` and apply `?` after the
/// caller's checks, so a caller without access learns nothing from the body's errors.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<SharedState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &SharedState) -> Result<Self, Self::Rejection> {
        let JsonBody(bytes) = JsonBody::from_request(req, state).await?;
        decode(&bytes).map(Body)
    }
}

/// A query parameter that must be a whole number when given (empty counts as absent).
pub fn query_number<T: std::str::FromStr>(name: &str, raw: Option<&str>) -> ApiResult<Option<T>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| ApiError::invalid(name, "must be a whole number")),
    }
}

/// How many rows a list answers: `limit` within `1..=max`, `default` when absent. Lists read one row more
/// than they answer ([`Page::fetch`]) to know whether another page follows ([`Page::split`]).
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub limit: u32,
}

impl Page {
    pub fn parse(raw: Option<&str>, default: u32, max: u32) -> ApiResult<Self> {
        let limit = query_number::<i64>("limit", raw)?.unwrap_or(i64::from(default));
        match u32::try_from(limit) {
            Ok(limit) if (1..=max).contains(&limit) => Ok(Page { limit }),
            _ => Err(ApiError::invalid("limit", format!("must be between 1 and {max}"))),
        }
    }

    /// How many rows to read.
    pub fn fetch(self) -> u32 {
        self.limit + 1
    }

    /// Cuts `rows` (read with [`Page::fetch`]) to the page and returns the cursor of the next page, the
    /// `key` of this page's last row, when there is one.
    pub fn split<T, K>(self, rows: &mut Vec<T>, key: impl Fn(&T) -> K) -> Option<K> {
        if rows.len() > self.limit as usize {
            rows.truncate(self.limit as usize);
            rows.last().map(key)
        } else {
            None
        }
    }
}

/// A query string that does not fit the parameters (an unknown one, say) is a 422 on `query`.
pub fn query_rejection(rejection: axum::extract::rejection::QueryRejection) -> ApiError {
    ApiError::invalid("query", rejection.body_text())
}

/// Where an audience comes from: a rule in the body, or a saved segment of the caller's workspace. Both the
/// preview and the campaign take exactly one of `segment_id` and `rule`, and answer the same way when they
/// do not: 422 on `segment_id` for both or for a segment the workspace does not have, 422 on `rule` for
/// neither.
#[derive(Clone, Debug)]
pub enum AudienceSource {
    Rule(serde_json::Value),
    Segment(SegmentId),
}

impl AudienceSource {
    pub fn of(segment_id: Option<SegmentId>, rule: Option<serde_json::Value>) -> ApiResult<Self> {
        match (segment_id, rule) {
            (Some(_), Some(_)) => Err(ApiError::invalid("segment_id", "give either `segment_id` or `rule`, not both")),
            (None, None) => Err(ApiError::invalid("rule", "give either `segment_id` or `rule`")),
            (None, Some(rule)) => Ok(AudienceSource::Rule(rule)),
            (Some(id), None) => Ok(AudienceSource::Segment(id)),
        }
    }

    /// The rule JSON this source names, with the saved segment's id when it is one.
    pub async fn rule_json(
        self,
        store: &dyn converge_store::Store,
        workspace_id: WorkspaceId,
    ) -> ApiResult<(serde_json::Value, Option<SegmentId>)> {
        match self {
            AudienceSource::Rule(rule) => Ok((rule, None)),
            AudienceSource::Segment(id) => match store.segment(workspace_id, id).await? {
                Some(saved) => Ok((saved.rule, Some(id))),
                None => Err(ApiError::invalid("segment_id", "no such segment")),
            },
        }
    }
}
