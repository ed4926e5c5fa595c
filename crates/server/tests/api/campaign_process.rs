//! A whole campaign with the real binaries: `converge serve` (API + dispatchers + receipt applier +
//! scheduler) and `converge vendor-sim` as separate processes, in both modes. The simulator duplicates and
//! reorders receipts, drops connections after accepting, answers 5xx for a while, and the Converge process is
//! `kill -9`ed mid-campaign and restarted. At the end every recipient has exactly one outcome, the counters
//! equal the log, and every status equals the simulator's ledger, with one vendor message per recipient.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use converge_domain::{CampaignId, DeliveryStatus, WorkspaceId};
use converge_store::{LogRow, Store};
use converge_vendor_sim::wire::LedgerPage;
use converge_vendor_sim::{LedgerEntry, Stats, Status};
use serde_json::{json, Value};

use crate::helpers::Mode;
use crate::process::{free_port, Deployment, Server};

const BIN: &str = env!("CARGO_BIN_EXE_converge");
const VENDOR_KEY: &str = "e2e-vendor-key";
const SIGNING_SECRET: &str = "e2e-signing-secret";
const DEMO_CUSTOMERS: u64 = 10_000;
/// Customers with neither phone nor e-mail, added to the demo data: they must be SKIPPED, never sent.
const UNREACHABLE: u64 = 40;
const AUDIENCE: u64 = DEMO_CUSTOMERS + UNREACHABLE;

struct Vendor {
    server: Server,
    client: reqwest::Client,
}

impl Vendor {
    fn start(callback_port: u16) -> Vendor {
        let port = free_port();
        let child = Command::new(BIN)
            .args(["vendor-sim", "--bind", &format!("127.0.0.1:{port}")])
            .args(["--callback-url", &format!("http://127.0.0.1:{callback_port}/api/v1/delivery-receipts")])
            .args(["--min-delay-ms", "20", "--max-delay-ms", "300", "--seed", "7"])
            .env("VENDOR_SIM_API_KEY", VENDOR_KEY)
            .env("VENDOR_SIM_SIGNING_SECRET", SIGNING_SECRET)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Vendor { server: Server { child, base: format!("http://127.0.0.1:{port}") }, client: reqwest::Client::new() }
    }

    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.client.get(format!("{}/healthz", self.server.base)).send().await.is_err() {
            assert!(Instant::now() < deadline, "vendor-sim never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn chaos(&self, chaos: Value) {
        let url = format!("{}/admin/chaos", self.server.base);
        let response = self.client.put(url).bearer_auth(VENDOR_KEY).json(&chaos).send().await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    async fn stats(&self) -> Stats {
        let url = format!("{}/v1/stats", self.server.base);
        self.client.get(url).bearer_auth(VENDOR_KEY).send().await.unwrap().json().await.unwrap()
    }

    async fn ledger(&self) -> Vec<LedgerEntry> {
        let mut entries = Vec::new();
        let mut after: Option<u64> = None;
        for _ in 0..1_000 {
            let mut url = format!("{}/v1/ledger?limit=10000", self.server.base);
            if let Some(after) = after {
                url.push_str(&format!("&after={after}"));
            }
            let page: LedgerPage =
                self.client.get(url).bearer_auth(VENDOR_KEY).send().await.unwrap().json().await.unwrap();
            entries.extend(page.entries);
            match page.next {
                Some(next) => after = Some(next),
                None => return entries,
            }
        }
        panic!("the ledger never ended");
    }
}

fn serve(deployment: &Deployment, port: u16, vendor: &Vendor) -> Server {
    let env = [
        ("CONVERGE_VENDOR__BASE_URL", vendor.server.base.as_str()),
        ("CONVERGE_VENDOR__API_KEY", VENDOR_KEY),
        ("CONVERGE_VENDOR__SIGNING_SECRET", SIGNING_SECRET),
        ("CONVERGE_VENDOR__SIMULATOR__ENABLED", "false"),
        // A dead worker's claims come back quickly, and 5xx bursts are retried rather than given up on.
        ("CONVERGE_DELIVERY__LEASE_MS", "2000"),
        ("CONVERGE_DELIVERY__MAX_ATTEMPTS", "30"),
        ("CONVERGE_DELIVERY__RETRY_BASE_MS", "100"),
        ("CONVERGE_DELIVERY__RETRY_MAX_MS", "1000"),
        ("CONVERGE_DELIVERY__CLAIM_BATCH", "500"),
        ("CONVERGE_DELIVERY__SEND_BATCH", "100"),
        ("CONVERGE_DELIVERY__SCHEDULER_INTERVAL_MS", "300"),
    ];
    deployment.start_on(port, &["serve"], &env)
}

async fn all_log_rows(store: &dyn Store, workspace: WorkspaceId, campaign: CampaignId) -> Vec<LogRow> {
    let mut rows = Vec::new();
    let mut after = None;
    for _ in 0..1_000 {
        let page = store.campaign_log(workspace, campaign, None, after, 5_000).await.unwrap();
        let Some(last) = page.last() else { return rows };
        after = Some(last.id);
        rows.extend(page);
    }
    panic!("the log never ended");
}

async fn campaign_survives_chaos_and_kill_9(mode: Mode) {
    let Some(deployment) = Deployment::new(mode).await else { return };
    let demo = deployment
        .command(&["demo", "--customers", &DEMO_CUSTOMERS.to_string(), "--orders", "20000"])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let key = deployment.create_key_with("campaigns,read,ingest");
    let port = free_port();
    let vendor = Vendor::start(port);
    vendor.ready().await;
    let nasty = json!({"duplicate_receipts": 0.3, "reorder": true, "drop_rate": 0.05});
    vendor.chaos(nasty.clone()).await;
    let mut server = serve(&deployment, port, &vendor);
    server.ready().await;

    let client = reqwest::Client::new();
    let unreachable: Vec<Value> =
        (0..UNREACHABLE).map(|i| json!({"external_id": format!("NOCONTACT-{i}"), "name": "No Contact"})).collect();
    let url = format!("{}/api/v1/customers/batch", server.base);
    let accepted = client.post(url).bearer_auth(&key).json(&json!({"items": unreachable})).send().await.unwrap();
    assert_eq!(accepted.status(), 202);
    let count_url = format!("{}/api/v1/segments/preview", server.base);
    let everyone = json!({"rule": {"combinator": "and", "rules": []}});
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let preview: Value =
            client.post(&count_url).bearer_auth(&key).json(&everyone).send().await.unwrap().json().await.unwrap();
        if preview["count"] == AUDIENCE {
            break;
        }
        assert!(Instant::now() < deadline, "ingested customers never arrived: {preview}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = json!({
        "name": "Diwali e2e",
        "rule": {"combinator": "and", "rules": []},
        "channel": "preferred",
        "template": "Hi {{ first_name | default(\"there\") }}, Diwali offers in {{ city | default(\"your city\") }}! \
            {{ unsubscribe_url }}",
    });
    let created = client.post(format!("{}/api/v1/campaigns", server.base)).bearer_auth(&key).json(&body).send().await;
    let created = created.unwrap();
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["stats"]["audience"], AUDIENCE);

    // Mid-campaign: a burst of 5xx, then the Converge process dies without warning and comes back.
    let deadline = Instant::now() + Duration::from_secs(120);
    while vendor.stats().await.accepted < 2_500 {
        assert!(Instant::now() < deadline, "the campaign never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    vendor.chaos(json!({"duplicate_receipts": 0.3, "reorder": true, "error_rate": 0.6})).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.kill9();
    vendor.chaos(nasty).await;
    let server = serve(&deployment, port, &vendor);
    server.ready().await;

    let store = deployment.store().await;
    let workspace = store.workspace_by_slug("default").await.unwrap().unwrap().id;
    let deadline = Instant::now() + Duration::from_secs(240);
    let campaign = loop {
        let campaign = store.campaign(workspace, CampaignId::new(id)).await.unwrap().unwrap();
        if campaign.status.as_str() == "completed" {
            break campaign;
        }
        assert!(Instant::now() < deadline, "campaign not completed in time: {:?}", campaign.stats);
        tokio::time::sleep(Duration::from_millis(250)).await;
    };

    let stats = campaign.stats;
    assert_eq!(stats.audience as u64, AUDIENCE);
    assert_eq!(stats.sent + stats.failed + stats.skipped, stats.audience, "{stats:?}");
    assert_eq!(stats.skipped as u64, UNREACHABLE, "{stats:?}");
    assert_eq!(
        store.campaign_log_counts(workspace, CampaignId::new(id)).await.unwrap(),
        stats,
        "counters equal the log"
    );
    let failure_share = stats.failed as f64 / (stats.sent + stats.failed) as f64;
    assert!((0.07..=0.13).contains(&failure_share), "failure share {failure_share:.3} ({stats:?})");

    // Every status equals the ledger, and the vendor holds exactly one message per recipient reached.
    let ledger: HashMap<String, LedgerEntry> =
        vendor.ledger().await.into_iter().map(|e| (e.reference.clone(), e)).collect();
    let rows = all_log_rows(store.as_ref(), workspace, CampaignId::new(id)).await;
    assert_eq!(rows.len() as u64, AUDIENCE);
    let mut reached = 0;
    for row in &rows {
        let entry = ledger.get(&format!("{}.0", row.id));
        match row.status {
            DeliveryStatus::Skipped => assert!(entry.is_none(), "skipped row {} reached the vendor", row.id),
            DeliveryStatus::Sent | DeliveryStatus::Failed => {
                let entry = entry.unwrap_or_else(|| panic!("row {} ({:?}) is not in the ledger", row.id, row.status));
                let expected = if row.status == DeliveryStatus::Sent { Status::Sent } else { Status::Failed };
                assert_eq!(entry.status, expected, "row {} vs ledger {}", row.id, entry.id);
                assert_eq!(row.vendor_message_id.as_deref(), Some(entry.id.as_str()));
                reached += 1;
            }
            DeliveryStatus::Pending => panic!("row {} still pending in a completed campaign", row.id),
        }
    }
    assert_eq!(ledger.len(), reached, "the vendor holds messages no row accounts for");
    let vendor_stats = vendor.stats().await;
    eprintln!(
        "{mode:?}: {stats:?}; vendor: {} duplicate sends answered idempotently, {} 5xx injected, {} dropped, \
         {} receipt copies delivered",
        vendor_stats.duplicates_requested,
        vendor_stats.send_errors_injected,
        vendor_stats.connections_dropped,
        vendor_stats.receipts_delivered,
    );
    assert!(vendor_stats.send_errors_injected > 0, "the 5xx burst never hit a send");
    drop(server);
}

mod embedded {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn campaign_survives_chaos_and_kill_9() {
        super::campaign_survives_chaos_and_kill_9(crate::helpers::Mode::Embedded).await
    }
}

mod production {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn campaign_survives_chaos_and_kill_9() {
        super::campaign_survives_chaos_and_kill_9(crate::helpers::Mode::Production).await
    }
}
