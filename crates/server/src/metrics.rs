//! Prometheus metrics: the recorder, the HTTP middleware, and the stream sampler.
//!
//! Names: `converge_http_requests_total{method,route,status}`, `converge_http_request_duration_seconds`,
//! `converge_stream_length{stream}`, `converge_stream_pending{stream}`, `converge_stream_lag{stream}`,
//! `converge_stream_dead_letters{stream}`, `converge_ingest_accepted_total`,
//! `converge_ingest_applied_total{outcome}`, `converge_ingest_batch_size`, `converge_dispatch_total{outcome}`,
//! `converge_dispatch_batch_size`, `converge_receipts_accepted_total`, `converge_receipt_batch_size`,
//! `converge_receipts_total{outcome}` (see docs/OPERATIONS.md). Every `*_batch_size` is a histogram.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use converge_queue::Queue;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio_util::sync::CancellationToken;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide recorder (installed on first use; one per process, shared by every app a test starts).
pub fn handle() -> anyhow::Result<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".into()),
                    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Suffix("batch_size".into()),
                        &[1.0, 2.0, 5.0, 10.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0],
                    )
                })
                .and_then(|b| b.install_recorder())
                .ok()
        })
        .clone()
        .ok_or_else(|| anyhow::anyhow!("could not install the Prometheus recorder"))
}

/// Counts requests and observes latency by matched route (never by raw path: bounded label values).
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route =
        request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("converge_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("converge_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Samples a stream's figures into gauges every `every` until cancelled.
pub async fn sample_stream(
    queue: Arc<dyn Queue>,
    stream: &'static str,
    group: &'static str,
    every: Duration,
    stop: CancellationToken,
) {
    loop {
        match queue.stats(stream, group).await {
            Ok(stats) => {
                metrics::gauge!("converge_stream_length", "stream" => stream).set(stats.length as f64);
                metrics::gauge!("converge_stream_pending", "stream" => stream).set(stats.pending as f64);
                metrics::gauge!("converge_stream_lag", "stream" => stream)
                    .set(stats.length.saturating_sub(stats.pending) as f64);
                metrics::gauge!("converge_stream_dead_letters", "stream" => stream).set(stats.dead_letters as f64);
            }
            Err(err) => tracing::warn!(%err, stream, "could not sample stream figures"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
