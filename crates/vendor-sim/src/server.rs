//! The HTTP/1 accept loop, written on hyper directly rather than `axum::serve` for one reason: `drop_rate`
//! chaos must close a connection without answering, which needs a handle on each connection that a handler
//! can pull ([`ConnectionKiller`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// How long shutdown waits for open connections to finish their current request.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Pause after a failed accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Put into every request's extensions; a handler calls [`ConnectionKiller::kill`] to make its connection
/// close with no response at all.
#[derive(Clone)]
pub(crate) struct ConnectionKiller(Arc<Notify>);

impl ConnectionKiller {
    /// Closes the connection. Never returns: the connection task drops this request's future.
    pub(crate) async fn kill(&self) -> Response {
        self.0.notify_one();
        std::future::pending().await
    }
}

/// Serves `router` on `listener` until `stop`, then stops accepting and gives open connections
/// [`SHUTDOWN_GRACE`] to finish.
pub(crate) async fn serve(listener: TcpListener, router: Router, stop: CancellationToken) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection(stream, router.clone(), stop.clone()));
                }
                Err(err) => {
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} });
    if drained.await.is_err() {
        connections.abort_all();
    }
}

async fn connection(stream: TcpStream, router: Router, stop: CancellationToken) {
    let kill = Arc::new(Notify::new());
    let killer = ConnectionKiller(kill.clone());
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(killer.clone());
        let router = router.clone();
        async move { Ok::<_, Infallible>(infallible(router.oneshot(request).await)) }
    });
    let _ = stream.set_nodelay(true);
    let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut stopping = false;
    // At most two turns: the stop branch fires once, every other branch ends the connection.
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(error = %err, "connection ended with an error");
                }
                return;
            }
            // Returning drops the connection, and with it the socket, without writing anything.
            _ = kill.notified() => return,
            _ = stop.cancelled(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// `Result<T, Infallible>` to `T` without `unwrap`.
fn infallible<T>(result: Result<T, Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}
