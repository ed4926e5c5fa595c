//! Backpressure: a full stream or an unreachable Redis answers 503 with Retry-After — never a silent drop.

use std::sync::{Arc, Mutex};

use converge_server::config::Secret;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::both_modes;
use crate::helpers::{order, problem, redis_available, Mode, TestApp};

both_modes!(a_full_stream_answers_503);

async fn a_full_stream_answers_503(mode: Mode) {
    let Some(app) = TestApp::spawn_with(mode, |s| s.ingest.stream_cap = 3).await else { return };
    for i in 0..3 {
        assert_eq!(app.post_json("/api/v1/orders", &app.key, &order(&format!("O{i}"), "C1", "1")).await.status(), 202);
    }
    let refused = app.post_json("/api/v1/orders", &app.key, &order("O3", "C1", "1")).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().get("retry-after").is_some());
    assert_eq!(problem(refused).await["status"], 503);
    // Once drained, the stream accepts again; the refused order was never stored.
    assert_eq!(app.drain().await, 3);
    assert_eq!(app.post_json("/api/v1/orders", &app.key, &order("O4", "C1", "1")).await.status(), 202);
    app.drain().await;
    let c = app.get_json("/api/v1/customers/C1").await;
    assert_eq!(c["order_count"], 4);
}

/// A TCP proxy in front of Redis that the test can cut, to make Redis unreachable on demand.
struct Proxy {
    port: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(target: &'static str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let inner = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let Ok(mut upstream) = TcpStream::connect(target).await else { continue };
                let pipe = tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
                inner.lock().unwrap().push(pipe);
            }
        });
        tasks.lock().unwrap().push(accept);
        Proxy { port, tasks }
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_unreachable_answers_503_and_readyz_fails() {
    if !redis_available().await {
        return;
    }
    let proxy = Proxy::start("127.0.0.1:6379").await;
    let url = format!("redis://127.0.0.1:{}", proxy.port);
    let Some(app) = TestApp::spawn_with(Mode::Production, |s| s.redis_url = Some(Secret::new(url))).await else {
        return;
    };
    assert_eq!(app.post_json("/api/v1/orders", &app.key, &order("O1", "C1", "1")).await.status(), 202);
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    proxy.cut();
    let started = std::time::Instant::now();
    let refused = app.post_json("/api/v1/orders", &app.key, &order("O2", "C1", "1")).await;
    assert_eq!(refused.status(), 503);
    assert!(refused.headers().get("retry-after").is_some());
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "failed fast: {:?}", started.elapsed());
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["queue"], "unavailable");
    assert_eq!(body["database"], "ok");
}
