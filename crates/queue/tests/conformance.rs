//! One behaviour, two backends: every function of `suite/` runs on the embedded queue and on Redis Streams
//! (`embedded::name` and `redis::name`), each on a fresh queue. `specific/` holds the promises of one backend
//! only. Redis tests skip (saying so) when Redis is unreachable, except on CI (`CI=true`) where they fail.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test (or a bench tool) says what it expects by panicking

mod specific;
mod suite;
mod support;

/// Generates `embedded::$name` and `redis::$name` for each suite function, each on a fresh backend.
macro_rules! conformance {
    ($($name:ident: cap $cap:expr;)*) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let backend = crate::support::embedded($cap).await;
                    crate::suite::$name(backend.queue.clone()).await;
                    backend.finish().await;
                }
            )*
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(backend) = crate::support::redis($cap).await else { return };
                    crate::suite::$name(backend.queue.clone()).await;
                    backend.finish().await;
                }
            )*
        }
    };
}

conformance! {
    append_read_ack_round_trips_binary_payloads: cap 1000;
    ids_follow_append_order: cap 1000;
    read_times_out_empty_without_overshooting: cap 1000;
    blocked_read_wakes_on_append: cap 1000;
    unacked_entries_are_redelivered_by_claim: cap 1000;
    claim_leaves_young_entries_alone: cap 1000;
    acked_entries_leave_the_stream_and_are_not_redelivered: cap 1000;
    ack_ignores_unknown_ids: cap 1000;
    dead_letter_moves_entries_out_of_the_backlog: cap 1000;
    full_stream_refuses_the_whole_batch: cap 3;
    groups_are_independent: cap 1000;
    concurrent_consumers_never_share_an_entry: cap 1000;
    concurrent_appends_are_all_delivered_exactly_once: cap 10_000;
    stats_of_unknown_stream_are_zero: cap 1000;
}
