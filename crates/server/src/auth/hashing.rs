//! [`PasswordWork`]: argon2 runs on the blocking pool, at most `slots` at once (each costs ~19 MiB and a core
//! for tens of milliseconds), with a bounded queue in front. A sign-in flood waits in that queue for at most
//! `wait`, and beyond `max_waiting` waiters is refused at once (503 with `Retry-After`), so unauthenticated
//! traffic cannot grow memory or threads without bound.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::http::error::ApiError;

pub struct PasswordWork {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    wait: Duration,
}

/// What a refused caller is told to wait.
const RETRY_AFTER: Duration = Duration::from_secs(1);

impl PasswordWork {
    /// `slots == 0` means one per core.
    pub fn new(slots: usize, max_waiting: usize, wait: Duration) -> PasswordWork {
        let slots = if slots == 0 { std::thread::available_parallelism().map_or(2, |n| n.get()) } else { slots };
        PasswordWork { slots: Arc::new(Semaphore::new(slots)), waiting: AtomicUsize::new(0), max_waiting, wait }
    }

    /// Runs `work` (hashing or verifying) on the blocking pool once a slot is free. The slot is held until
    /// `work` ends, even if the caller goes away, so the bound holds against clients that hang up.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        let busy = || ApiError::Unavailable {
            detail: "the server is busy checking passwords; retry after the delay in Retry-After".into(),
            retry_after: RETRY_AFTER,
        };
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    metrics::counter!("converge_password_work_refused_total", "why" => "queue_full").increment(1);
                    return Err(busy());
                }
                let waited = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match waited {
                    Ok(Ok(permit)) => permit,
                    _ => {
                        metrics::counter!("converge_password_work_refused_total", "why" => "timeout").increment(1);
                        return Err(busy());
                    }
                }
            }
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password work failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_slots_run_and_the_queue_is_bounded() {
        let work = Arc::new(PasswordWork::new(2, 3, Duration::from_secs(5)));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (work, running, peak) = (work.clone(), running.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                work.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(100));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        let mut done = 0;
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => done += 1,
                Err(ApiError::Unavailable { .. }) => refused += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2, "never more than the slots at once");
        assert!((2..=5).contains(&done), "the slots and the queue ran: {done}");
        assert_eq!(done + refused, 20);
    }

    #[tokio::test]
    async fn a_waiter_gives_up_after_the_wait() {
        let work = Arc::new(PasswordWork::new(1, 10, Duration::from_millis(50)));
        let busy = work.clone();
        let long = tokio::spawn(async move { busy.run(|| std::thread::sleep(Duration::from_millis(400))).await });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(matches!(work.run(|| ()).await, Err(ApiError::Unavailable { .. })));
        long.await.unwrap().unwrap();
        assert!(work.run(|| ()).await.is_ok(), "free again");
    }
}
