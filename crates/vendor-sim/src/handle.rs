//! Starting and stopping the simulator: [`spawn`] for tests and in-process use, [`run`] for the command line.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::chaos::Chaos;
use crate::config::SimConfig;
use crate::ledger::{LedgerEntry, Stats};
use crate::sim::Sim;

/// A running simulator. Dropping it stops the simulator too (without waiting); [`SimHandle::shutdown`] stops
/// it and waits until in-flight requests and callbacks have finished.
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<Sim>,
    stop: CancellationToken,
    task: Option<JoinHandle<()>>,
}

/// Validates the settings, binds, and starts the HTTP server, the outcome scheduler and receipt delivery on the
/// current Tokio runtime. Returns once the port is bound, so requests can be sent right away.
pub async fn spawn(config: SimConfig) -> anyhow::Result<SimHandle> {
    config.validate().context("invalid vendor simulator settings")?;
    let listener = TcpListener::bind(config.bind).await.with_context(|| format!("binding {}", config.bind))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let client = crate::delivery::client().context("building the callback HTTP client")?;
    // Unique per run, not seeded: message ids must never repeat across restarts.
    let sim = Arc::new(Sim::new(config, rand::random()));
    let stop = CancellationToken::new();
    let router = crate::http::router(sim.clone());
    let task = tokio::spawn({
        let (sim, stop) = (sim.clone(), stop.clone());
        async move {
            let server = crate::server::serve(listener, router, stop.clone());
            let scheduler = sim.clone().schedule_loop(stop.clone());
            let delivery = crate::delivery::delivery_loop(sim, client, stop);
            tokio::join!(server, scheduler, delivery);
        }
    });
    Ok(SimHandle { addr, sim, stop, task: Some(task) })
}

/// Runs the simulator until `shutdown` completes, then stops it gracefully. For `converge vendor-sim`.
pub async fn run(config: SimConfig, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let handle = spawn(config).await?;
    tracing::info!(addr = %handle.addr(), config = ?handle.sim.config, "vendor simulator is listening");
    shutdown.await;
    tracing::info!("vendor simulator shutting down");
    handle.shutdown().await;
    Ok(())
}

impl SimHandle {
    /// The address actually bound (the real port when the config asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A copy of every ledger entry, in acceptance order.
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.sim.ledger.snapshot()
    }

    pub fn stats(&self) -> Stats {
        self.sim.ledger.stats()
    }

    pub fn chaos(&self) -> Chaos {
        self.sim.chaos.get()
    }

    /// Replaces the chaos settings, as `PUT /admin/chaos` does.
    pub fn set_chaos(&self, chaos: Chaos) -> anyhow::Result<()> {
        chaos.validate().map_err(|e| anyhow::anyhow!("chaos: {e}"))?;
        self.sim.chaos.set(chaos);
        Ok(())
    }

    /// Stops accepting, lets open requests and in-flight callbacks finish (a few seconds at most), and waits.
    /// Receipts not yet delivered are dropped: the simulator keeps nothing across runs.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            if let Err(err) = task.await {
                tracing::warn!(error = %err, "the vendor simulator task ended abnormally");
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
