//! Building and running the application: open the backends, migrate, bind, spawn workers, serve, and shut
//! down gracefully. Tests start the real application through [`Application::build`] on port 0.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use converge_domain::Currency;
use converge_queue::{embedded::EmbeddedQueue, redis::RedisQueue, Queue};
use converge_store::Store;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::auth::{KeyCache, RateLimit};
use crate::config::{Secret, Settings};
use crate::state::{streams, AppState, SharedState};
use crate::workers::ingest::IngestWorker;
use crate::workers::receipts::ReceiptApplier;

/// How long a cached API-key lookup stays valid (a revoked key stops working within this time).
const KEY_CACHE_TTL: Duration = Duration::from_secs(30);

pub struct Application {
    listener: TcpListener,
    port: u16,
    state: SharedState,
    stop: CancellationToken,
    /// The in-process vendor simulator, when this process runs one.
    simulator: Option<converge_vendor_sim::SimHandle>,
    /// `metrics.bind`: `/metrics` on its own address.
    metrics_listener: Option<TcpListener>,
}

/// Opens the database named by the settings (the embedded SQLite file by default) and migrates it.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    let url = match &settings.database_url {
        Some(url) => url.expose().to_owned(),
        None => {
            std::fs::create_dir_all(&settings.data_dir)
                .with_context(|| format!("creating the data directory {}", settings.data_dir.display()))?;
            format!("sqlite://{}", settings.sqlite_path().display())
        }
    };
    let store =
        converge_store::connect(&url, settings.database_max_connections).await.context("connecting to the database")?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

/// Opens the queue named by the settings (the embedded queue by default) and its consumer groups.
pub async fn open_queue(settings: &Settings) -> anyhow::Result<Arc<dyn Queue>> {
    let cap = settings.ingest.stream_cap;
    let queue: Arc<dyn Queue> = match &settings.redis_url {
        Some(url) => Arc::new(
            RedisQueue::connect(url.expose(), &settings.redis_prefix, cap).await.context("connecting to Redis")?,
        ),
        None => {
            std::fs::create_dir_all(&settings.data_dir)
                .with_context(|| format!("creating the data directory {}", settings.data_dir.display()))?;
            Arc::new(EmbeddedQueue::open(&settings.queue_path(), cap).await.context("opening the embedded queue")?)
        }
    };
    queue.ensure_group(streams::INGEST, streams::INGEST_GROUP).await.context("creating the ingest consumer group")?;
    queue
        .ensure_group(streams::RECEIPTS, streams::RECEIPTS_GROUP)
        .await
        .context("creating the receipt consumer group")?;
    Ok(queue)
}

/// Creates the default workspace on first start.
pub async fn ensure_default_workspace(store: &dyn Store, settings: &Settings) -> anyhow::Result<()> {
    let slug = &settings.default_workspace;
    if store.workspace_by_slug(slug).await?.is_none() {
        let currency =
            Currency::parse(&settings.default_currency).map_err(|e| anyhow::anyhow!("default_currency: {e}"))?;
        match store.create_workspace(slug, "Default workspace", &currency).await {
            Ok(_) => tracing::info!(workspace = %slug, "created the default workspace"),
            // Another node created it at the same moment.
            Err(converge_store::StoreError::Conflict(_)) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let store = open_store(&settings).await?;
        ensure_default_workspace(store.as_ref(), &settings).await?;
        let queue = open_queue(&settings).await?;
        let listener = TcpListener::bind(settings.bind).await.with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let metrics_listener = match settings.metrics.bind {
            Some(bind) => Some(TcpListener::bind(bind).await.with_context(|| format!("binding metrics.bind {bind}"))?),
            None => None,
        };
        if settings.role.serves_api() {
            crate::admin::announce_setup(store.as_ref(), &settings, port).await?;
        }
        let signing_secret = if settings.role.serves_api() {
            crate::delivery::signing::resolve(&settings)?
        } else {
            // Workers verify no receipts (only API nodes serve the receipt endpoint).
            settings.vendor.signing_secret.clone().unwrap_or_else(|| Secret::new(uuid::Uuid::new_v4().to_string()))
        };
        if settings.is_production() && signing_secret.expose() == crate::config::DEV_SIGNING_SECRET {
            tracing::error!(
                "INSECURE: vendor.allow_insecure_signing_secret is set and the signing secret is the development \
                 default: anyone can forge delivery receipts. Never run real campaigns like this."
            );
        }
        let simulator = if settings.runs_simulator() {
            Some(start_simulator(&settings, signing_secret.expose(), port).await?)
        } else {
            None
        };
        let vendor_base_url = settings.vendor.base_url.clone().or_else(|| simulator.as_ref().map(|sim| sim.base_url()));
        let mut egress = settings.egress.policy().context("egress.allow")?;
        if let Some(sim) = &simulator {
            // Workspaces may point a channel at the in-process simulator (and at nothing else on this machine).
            egress = egress.with(converge_egress::Allow::Socket(sim.addr()));
        }
        let senders = crate::delivery::WorkspaceSenders::new(vendor_base_url, settings.vendor.api_key.expose(), egress);
        let ai = crate::ai::AiService::from_settings(&settings.ai)?;
        let client_address =
            crate::auth::ClientAddress::new(&settings.auth.trusted_proxies, settings.auth.forwarded_header)
                .map_err(|why| anyhow::anyhow!("auth.trusted_proxies: {why}"))?;
        let links = Arc::new(crate::consent::Links::new(&public_base_url(&settings, port)));
        let state = Arc::new(AppState {
            links,
            store,
            audiences: Default::default(),
            catalogues: Default::default(),
            queue,
            keys: KeyCache::new(KEY_CACHE_TTL),
            rate_limit: RateLimit::new(settings.ingest.rate_per_second, settings.ingest.rate_burst),
            metrics: crate::metrics::handle()?,
            senders: Arc::new(senders),
            send_rate: Arc::new(crate::delivery::SendRate::new(settings.delivery.rate_per_second)),
            send_slots: Arc::new(tokio::sync::Semaphore::new(settings.delivery.concurrency.max(1))),
            timelines: Default::default(),
            oidc: crate::auth::OidcProviders::new(settings.auth.providers.clone()),
            signing_secret,
            ai,
            login_throttle: crate::auth::LoginThrottle::new(
                crate::auth::LoginLimits {
                    per_pair: settings.auth.login_failures_per_account_and_address.max(1),
                    per_address: settings.auth.login_failures_per_address.max(1),
                    per_account: settings.auth.login_failures_per_account.max(1),
                },
                Duration::from_secs(settings.auth.login_cooloff_secs),
            ),
            client_address,
            password_work: crate::auth::PasswordWork::new(
                settings.auth.password_hashing_slots,
                settings.auth.password_hashing_queue,
                Duration::from_millis(settings.auth.password_hashing_wait_ms),
            ),
            settings,
        });
        Ok(Application { listener, port, state, stop: CancellationToken::new(), simulator, metrics_listener })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the `metrics.bind` listener, when one is configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok()).map(|a| a.port())
    }

    pub fn state(&self) -> SharedState {
        self.state.clone()
    }

    /// The in-process vendor simulator (its ledger and chaos switches), when this process runs one.
    pub fn simulator(&self) -> Option<&converge_vendor_sim::SimHandle> {
        self.simulator.as_ref()
    }

    /// Cancelling this token shuts the application down as a signal would.
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// An ingest consumer on this application's store and queue.
    pub fn ingest_worker(&self, consumer: &str) -> IngestWorker {
        ingest_worker(&self.state, consumer)
    }

    /// A delivery-receipt applier on this application's store and queue.
    pub fn receipt_applier(&self, consumer: &str) -> ReceiptApplier {
        receipt_applier(&self.state, consumer)
    }

    /// A dispatch worker on this application's store, queue and senders.
    pub fn dispatcher(&self, worker: &str) -> crate::workers::dispatch::Dispatcher {
        dispatcher(&self.state, worker)
    }

    /// The campaign scheduler on this application's store.
    pub fn scheduler(&self) -> crate::workers::scheduler::Scheduler {
        scheduler(&self.state)
    }

    /// Serves until SIGINT/SIGTERM or the stop token; then stops accepting, lets in-flight requests and
    /// batches finish, and returns.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application { listener, state, stop, port, simulator, metrics_listener } = self;
        let role = state.settings.role;
        let mut tasks = JoinSet::new();
        if role.runs_workers() {
            for n in 0..state.settings.ingest.consumers.max(1) {
                let worker = ingest_worker(&state, &format!("{}-{n}", consumer_base()));
                tasks.spawn(worker.run(stop.clone()));
            }
            for n in 0..state.settings.delivery.receipt_appliers.max(1) {
                tasks.spawn(receipt_applier(&state, &format!("{}-receipts-{n}", consumer_base())).run(stop.clone()));
            }
            for n in 0..state.settings.delivery.dispatchers.max(1) {
                tasks.spawn(dispatcher(&state, &format!("{}-dispatch-{n}", consumer_base())).run(stop.clone()));
            }
            tasks.spawn(scheduler(&state).run(stop.clone()));
            tasks.spawn(confirmer(&state).run(stop.clone()));
        }
        tasks.spawn(crate::metrics::sample_stream(
            state.queue.clone(),
            streams::INGEST,
            streams::INGEST_GROUP,
            Duration::from_secs(5),
            stop.clone(),
        ));
        tasks.spawn(crate::metrics::sample_stream(
            state.queue.clone(),
            streams::RECEIPTS,
            streams::RECEIPTS_GROUP,
            Duration::from_secs(5),
            stop.clone(),
        ));
        tasks.spawn(maintenance(state.clone(), stop.clone()));
        if let Some(metrics_listener) = metrics_listener {
            let app = crate::http::metrics_router(state.clone());
            let stopped = stop.clone();
            tasks.spawn(async move {
                let serve = axum::serve(metrics_listener, app).with_graceful_shutdown(stopped.cancelled_owned());
                if let Err(err) = serve.await {
                    tracing::error!(error = %err, "the metrics listener failed");
                }
            });
        }

        let app =
            if role.serves_api() { crate::http::router(state.clone()) } else { crate::http::ops_router(state.clone()) };
        tracing::info!(port, role = ?role, database = state.store.backend().as_str(), "converge is listening");
        let shutdown = stop.clone();
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            tokio::select! {
                _ = shutdown_signal() => {}
                _ = shutdown.cancelled() => {}
            }
        });
        let result = serve.await;
        tracing::info!("shutting down: waiting for workers to finish their batches");
        stop.cancel();
        while tasks.join_next().await.is_some() {}
        if let Err(err) = state.keys.flush_use(state.store.as_ref()).await {
            tracing::warn!(error = %err, "could not record API key use at shutdown");
        }
        if let Some(simulator) = simulator {
            simulator.shutdown().await;
        }
        result.context("serving HTTP")
    }
}

/// Starts the vendor simulator on a free local port, calling back this process's receipt endpoint and signing
/// with `signing_secret`.
async fn start_simulator(
    settings: &Settings,
    signing_secret: &str,
    port: u16,
) -> anyhow::Result<converge_vendor_sim::SimHandle> {
    let sim = &settings.vendor.simulator;
    let config = converge_vendor_sim::SimConfig {
        api_key: settings.vendor.api_key.expose().to_owned(),
        callback_url: format!("http://127.0.0.1:{port}/api/v1/delivery-receipts"),
        inbound_url: format!("http://127.0.0.1:{port}/api/v1/inbound-messages"),
        complaint_url: format!("http://127.0.0.1:{port}/api/v1/complaints"),
        signing_secret: signing_secret.to_owned(),
        failure_rate: sim.failure_rate,
        seed: sim.seed,
        min_delay_ms: sim.min_delay_ms,
        max_delay_ms: sim.max_delay_ms,
        receipt_batch_max: sim.receipt_batch_max,
        ..converge_vendor_sim::SimConfig::default()
    };
    let handle = converge_vendor_sim::spawn(config).await.context("starting the in-process vendor simulator")?;
    tracing::info!(url = %handle.base_url(), "vendor simulator is listening (in-process)");
    Ok(handle)
}

fn ingest_worker(state: &SharedState, consumer: &str) -> IngestWorker {
    let ingest = &state.settings.ingest;
    IngestWorker {
        store: state.store.clone(),
        queue: state.queue.clone(),
        consumer: consumer.to_owned(),
        batch: ingest.consumer_batch,
        max_deliveries: ingest.max_deliveries,
        reclaim_idle: Duration::from_millis(ingest.reclaim_idle_ms),
        block: Duration::from_millis(500),
    }
}

/// Where customers reach this deployment (the start of unsubscribe links): `auth.public_url`, else this
/// node's own address (`127.0.0.1` for an unspecified bind address).
pub fn public_base_url(settings: &Settings, port: u16) -> String {
    match &settings.auth.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let ip = settings.bind.ip();
            let host = if ip.is_unspecified() { "127.0.0.1".to_owned() } else { ip.to_string() };
            let host = if host.contains(':') { format!("[{host}]") } else { host };
            format!("http://{host}:{port}")
        }
    }
}

/// A dispatch worker on `state` (tests drive its `step`).
pub fn dispatcher(state: &SharedState, worker: &str) -> crate::workers::dispatch::Dispatcher {
    let delivery = &state.settings.delivery;
    crate::workers::dispatch::Dispatcher {
        store: state.store.clone(),
        queue: state.queue.clone(),
        senders: state.senders.clone(),
        slots: state.send_slots.clone(),
        rate: state.send_rate.clone(),
        worker: worker.to_owned(),
        claim_batch: delivery.claim_batch,
        send_batch: delivery.send_batch,
        lease: Duration::from_millis(delivery.lease_ms),
        max_attempts: delivery.max_attempts,
        retry_base: Duration::from_millis(delivery.retry_base_ms),
        retry_max: Duration::from_millis(delivery.retry_max_ms),
        idle: Duration::from_millis(200),
        campaigns: Default::default(),
        links: state.links.clone(),
        clock_offset: chrono::Duration::zero(),
    }
}

/// The double opt-in worker on `state` (tests drive its `step`).
pub fn confirmer(state: &SharedState) -> crate::workers::confirmations::Confirmer {
    crate::workers::confirmations::Confirmer {
        store: state.store.clone(),
        senders: state.senders.clone(),
        links: state.links.clone(),
        interval: Duration::from_millis(state.settings.delivery.scheduler_interval_ms.max(1000)),
    }
}

/// The campaign scheduler on `state`.
pub fn scheduler(state: &SharedState) -> crate::workers::scheduler::Scheduler {
    crate::workers::scheduler::Scheduler {
        store: state.store.clone(),
        interval: Duration::from_millis(state.settings.delivery.scheduler_interval_ms),
    }
}

/// A receipt applier on `state` (tests drive its `step`).
pub fn receipt_applier(state: &SharedState, consumer: &str) -> ReceiptApplier {
    let delivery = &state.settings.delivery;
    ReceiptApplier {
        store: state.store.clone(),
        queue: state.queue.clone(),
        consumer: consumer.to_owned(),
        batch: delivery.receipt_batch.max(1),
        flush: Duration::from_millis(delivery.receipt_flush_ms),
        max_deliveries: state.settings.ingest.max_deliveries,
        reclaim_idle: Duration::from_millis(state.settings.ingest.reclaim_idle_ms),
        block: Duration::from_millis(500),
    }
}

/// A consumer name unique to this process (host and pid), so a restarted process never inherits the
/// pending entries of its previous life by name: they are reclaimed by idle time instead.
fn consumer_base() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    format!("{host}-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple())
}

/// Periodic housekeeping: record API key use, forget idle rate-limit buckets.
async fn maintenance(state: SharedState, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(15)) => {}
        }
        if let Err(err) = state.keys.flush_use(state.store.as_ref()).await {
            tracing::warn!(error = %err, "could not record API key use");
        }
        state.rate_limit.forget_idle();
        state.send_rate.forget_idle();
        match crate::auth::session::prune(state.store.as_ref(), &state.session_policy(), chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(pruned) => tracing::debug!(pruned, "pruned ended sessions"),
            Err(err) => tracing::warn!(error = %err, "could not prune ended sessions"),
        }
        let horizon = chrono::Utc::now() - crate::indexes::CHANGE_RETENTION;
        match state.store.prune_changes(horizon).await {
            Ok(0) => {}
            Ok(pruned) => tracing::debug!(pruned, "pruned the customer change log"),
            Err(err) => tracing::warn!(error = %err, "could not prune the customer change log"),
        }
    }
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
