//! Schemathesis over the real `converge` binary (issue 11 item 9): every operation of the spec the server
//! serves (`/api/openapi.json`), in both modes, once with an API key (every scope) and once as a signed-in
//! owner (session cookie + CSRF token + workspace header). Any 5xx, an undocumented status or content type,
//! a response that does not match its schema, or a crash of the server fails the test.
//!
//! Schemathesis is found at `$SCHEMATHESIS`, then in the venv `.ci/run` installs
//! (`~/.cache/converge/schemathesis-<version>`), then on `PATH`. Without it the test is skipped with a notice,
//! unless `CI=true`, where it fails. `FUZZ_SECONDS` is the time budget of each of the four runs (default 70,
//! so both modes, running side by side, take about 2 × 70 s plus start-up: well under 6 minutes).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use converge_store::testing::services_required;
use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::Mode;
use crate::process::{free_port, Deployment, Server};

/// The version `.ci/run` installs; the venv is named after it.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
const PASSWORD: &str = "correct horse battery staple";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,\
                      positive_data_acceptance";

/// Operations whose inputs carry rules JSON Schema cannot state, so a request valid by the spec may rightly be
/// refused with the status given (422 naming the field; 400 from the OpenID callback without its flow).
/// `positive_data_acceptance` ("the spec is not looser than the server") accepts that status from these alone
/// and holds as is for every other operation.
const SEMANTIC_RULES: &[(&str, u16, &str)] = &[
    ("GET /api/v1/auth/oidc/{provider}/callback", 400, "needs the state cookie of a flow this browser started"),
    ("GET /api/v1/customers", 422, "`cursor` is opaque: only values the API returned"),
    ("GET /api/v1/customers/export", 422, "`rule` is JSON with the catalogue's rules; one of `rule` and `segment_id`"),
    ("GET /api/v1/customers/{external_id}/messages", 422, "`cursor` is opaque: only values the API returned"),
    ("POST /api/v1/ai/campaign-summary", 422, "JSON Schema counts 1.0 as an integer; ids are read as integers"),
    ("POST /api/v1/ai/message-suggestions", 422, "rule fields, operators and values come from the field catalogue"),
    ("POST /api/v1/ai/segment-from-text", 422, "the text must describe an audience"),
    ("POST /api/v1/campaigns", 422, "the catalogue's rules; exactly one of `rule` and `segment_id`"),
    ("PATCH /api/v1/campaigns/{id}", 422, "the catalogue's rules; a scheduled campaign is checked in full"),
    ("POST /api/v1/campaigns/{id}/launch", 422, "a draft launches only when complete, with someone in its audience"),
    ("POST /api/v1/campaigns/message-preview", 422, "the customer must exist; each channel has its own length"),
    ("POST /api/v1/customers", 422, "timestamps are bounded (at most a day ahead)"),
    ("POST /api/v1/customers/batch", 422, "timestamps are bounded (at most a day ahead)"),
    ("POST /api/v1/orders", 422, "timestamps are bounded; an item needs a sku or a name"),
    ("POST /api/v1/orders/batch", 422, "timestamps are bounded; an item needs a sku or a name"),
    ("POST /api/v1/imports", 422, "the CSV must have a header line and rows the mapping names"),
    ("POST /api/v1/segments", 422, "rule fields, operators and values come from the field catalogue"),
    ("PUT /api/v1/segments/{id}", 422, "rule fields, operators and values come from the field catalogue"),
    ("POST /api/v1/segments/preview", 422, "the catalogue's rules; exactly one of `rule` and `segment_id`"),
    ("POST /api/v1/settings/channels/test", 422, "the address must fit the channel: e-mail or an E.164 number"),
    ("PUT /api/v1/settings/channels", 422, "the channel document is described in prose, not as a schema"),
    ("PUT /api/v1/workspace/domains", 422, "no domain twice, no public webmail domain"),
    ("GET /api/v1/suppressions", 422, "`cursor` is opaque: only values the API returned"),
    ("POST /api/v1/suppressions", 422, "the address must be a deliverable e-mail address or an E.164 number"),
    ("PUT /api/v1/customers/{external_id}/subscriptions", 422, "topics must be the workspace's own"),
    ("PUT /api/v1/settings/compliance", 422, "an IANA time zone name; quiet hours that start and end apart"),
    ("POST /api/v1/campaigns/reach", 422, "the catalogue's rules; exactly one of `rule` and `segment_id`"),
    ("POST /api/v1/workspace/domains/{domain}/verify", 422, "the TXT record must be published"),
    ("PATCH /api/v1/workspace", 422, "country codes, time zones and sender ids come from registries"),
    ("POST /api/v1/campaigns/{id}/test", 422, "each recipient must be an address the campaign's channel can reach"),
    ("POST /api/v1/templates", 422, "the body must be a template for its channel (e-mail: with the unsubscribe link)"),
    (
        "PUT /api/v1/templates/{id}",
        422,
        "the body must be a template for its channel (e-mail: with the unsubscribe link)",
    ),
];

/// The schemathesis config that lets [`SEMANTIC_RULES`] answer valid-by-the-spec data with their status (a
/// per-operation `enabled = false` would lose to `--checks`; expected statuses do not).
fn config_file(dir: &std::path::Path) -> PathBuf {
    let mut text = String::new();
    for (operation, refused, why) in SEMANTIC_RULES {
        let accepted = format!(r#"["2xx", "3xx", "401", "403", "404", "409", "{refused}", "429"]"#);
        text.push_str(&format!(
            "# {why}\n[[operations]]\ninclude-name = \"{operation}\"\nchecks.positive_data_acceptance.expected-statuses = {accepted}\n\n"
        ));
    }
    let path = dir.join("schemathesis.toml");
    std::fs::write(&path, text).unwrap();
    path
}

both_modes!(schemathesis_finds_nothing);

fn schemathesis() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SCHEMATHESIS") {
        return Some(PathBuf::from(path));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from)?;
    let venv = home.join(format!(".cache/converge/schemathesis-{SCHEMATHESIS_VERSION}/bin/schemathesis"));
    if venv.exists() {
        return Some(venv);
    }
    let on_path = Command::new("schemathesis").arg("--version").output().ok()?;
    on_path.status.success().then(|| PathBuf::from("schemathesis"))
}

/// What one run did, read from its NDJSON event report.
#[derive(Debug, Default)]
struct RunFigures {
    operations: usize,
    requests: u64,
    failures: Vec<String>,
}

async fn schemathesis_finds_nothing(mode: Mode) {
    let Some(tool) = schemathesis() else {
        assert!(
            !services_required(),
            "schemathesis is not installed; CI=true, so the fuzz pass may not be skipped (.ci/run installs it)"
        );
        eprintln!("SKIPPED: schemathesis is not installed (.ci/run installs it into ~/.cache/converge)");
        return;
    };
    let Some(deployment) = Deployment::new(mode).await else { return };
    let seconds: u64 = std::env::var("FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(70);
    let seeded = deployment.command(&["demo", "--customers", "200", "--orders", "600"]).output().unwrap();
    assert!(seeded.status.success(), "demo data: {}", String::from_utf8_lossy(&seeded.stderr));
    create_owner(&deployment);
    let key = deployment.create_key_with("all");
    let mut server = deployment.start_on(free_port(), &["serve"], &[]);
    server.ready().await;
    seed_campaign(&server, &key).await;
    let session = sign_in(&server).await;

    let reports = tempfile::tempdir().unwrap();
    let mut summary = Vec::new();
    let mut failures = Vec::new();
    let runs: [(&str, Vec<String>); 2] = [
        ("api key", vec![format!("Authorization: Bearer {key}")]),
        (
            "session",
            vec![
                format!("Cookie: {}", session.0),
                format!("X-CSRF-Token: {}", session.1),
                "X-Converge-Workspace: default".to_owned(),
            ],
        ),
    ];
    for (name, headers) in runs {
        let report = reports.path().join(format!("{}.ndjson", name.replace(' ', "-")));
        let started = Instant::now();
        let output = run_schemathesis(&tool, &server, &headers, seconds, &report);
        let figures = read_report(&report);
        summary.push(format!(
            "{mode:?} / {name}: {} operations, {} requests, {} failures in {:.0} s",
            figures.operations,
            figures.requests,
            figures.failures.len(),
            started.elapsed().as_secs_f64()
        ));
        assert!(figures.operations > 0, "{mode:?} / {name}: schemathesis tested nothing:\n{}", output.text);
        if !figures.failures.is_empty() || !output.success {
            failures.push(format!("{mode:?} / {name}:\n{}\n{}", figures.failures.join("\n"), output.text));
        }
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "{mode:?} / {name}: the server exited during the fuzz run:\n{}",
            output.text
        );
    }
    eprintln!("schemathesis {SCHEMATHESIS_VERSION} ({CHECKS}):\n  {}", summary.join("\n  "));
    server.kill9();
    assert!(failures.is_empty(), "schemathesis found problems:\n{}", failures.join("\n\n"));
}

struct Output {
    success: bool,
    text: String,
}

fn run_schemathesis(
    tool: &PathBuf,
    server: &Server,
    headers: &[String],
    seconds: u64,
    report: &std::path::Path,
) -> Output {
    let config = config_file(report.parent().unwrap_or(std::path::Path::new(".")));
    let mut command = Command::new(tool);
    command
        .arg("--config-file")
        .arg(config)
        .arg("run")
        .arg(format!("{}/api/openapi.json", server.base))
        .args(["--url", &server.base])
        .args(["--checks", CHECKS])
        .args(["--max-examples", "30", "--request-timeout", "10", "--workers", "1"])
        .args(["--max-time", &seconds.to_string(), "--seed", "11", "--no-shrink"])
        .args(["--report", "ndjson", "--report-ndjson-path"])
        .arg(report)
        .args(["--output-truncate", "true", "--warnings", "off"])
        // Its cache (`.schemathesis/`) goes next to the report, not into the source tree.
        .current_dir(report.parent().unwrap_or(std::path::Path::new(".")))
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdin(Stdio::null());
    for header in headers {
        command.args(["--header", header]);
    }
    // The whole run is bounded: its own time budget, plus start-up and the last requests.
    let limit = Duration::from_secs(seconds + 90);
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("schemathesis starts");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || std::io::read_to_string(&mut out).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(&mut err).unwrap_or_default());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let text = format!("{}\n{}", out.join().unwrap(), err.join().unwrap());
    match status {
        Some(status) => Output { success: status.success(), text },
        None => Output { success: false, text: format!("schemathesis ran past {} s:\n{text}", limit.as_secs()) },
    }
}

/// Operations covered, requests made and failures found, from schemathesis's NDJSON events.
fn read_report(path: &std::path::Path) -> RunFigures {
    let mut figures = RunFigures::default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut operations = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Ok(event) = serde_json::from_str::<Value>(line) else { continue };
        let Some(recorder) = event.pointer("/ScenarioFinished/recorder") else { continue };
        let label = recorder.get("label").and_then(Value::as_str).unwrap_or("?");
        operations.insert(label.to_owned());
        figures.requests += recorder.get("interactions").and_then(Value::as_object).map_or(0, |i| i.len() as u64);
        for (_, checks) in recorder.get("checks").and_then(Value::as_object).into_iter().flatten() {
            for check in checks.as_array().into_iter().flatten() {
                let failed =
                    check.get("status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("failure"));
                if failed {
                    let name = check.get("name").and_then(Value::as_str).unwrap_or("?");
                    let detail = check.get("failure_info").map(|info| info.to_string()).unwrap_or_default();
                    let failure = format!("  {label}: {name} {}", detail.chars().take(400).collect::<String>());
                    if !figures.failures.contains(&failure) {
                        figures.failures.push(failure);
                    }
                }
            }
        }
    }
    figures.operations = operations.len();
    figures
}

/// `converge admin create`: an owner of the default workspace, to sign in as.
fn create_owner(deployment: &Deployment) {
    let mut child = deployment
        .command(&["admin", "create", "--email", "fuzz@example.com", "--name", "Fuzz Owner"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "admin create: {}", String::from_utf8_lossy(&output.stderr));
}

/// Signs in over HTTP: the session cookie (`name=value`) and the CSRF token.
async fn sign_in(server: &Server) -> (String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .json(&json!({"email": "fuzz@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "sign-in");
    let cookie = crate::helpers::session_cookie(&response);
    let me: Value = response.json().await.unwrap();
    (cookie, me["csrf_token"].as_str().expect("a CSRF token").to_owned())
}

/// A saved segment and a campaign, so ids the fuzzer tries reach real rows, not only 404s.
async fn seed_campaign(server: &Server, key: &str) {
    let client = reqwest::Client::new();
    let rule = json!({"combinator": "and", "rules": [{"field": "visits", "operator": ">=", "value": "1"}]});
    let segment = client
        .post(format!("{}/api/v1/segments", server.base))
        .bearer_auth(key)
        .json(&json!({"name": "Fuzz segment", "rule": rule}))
        .send()
        .await
        .unwrap();
    assert_eq!(segment.status(), 201, "segment: {:?}", segment.text().await);
    let campaign = client
        .post(format!("{}/api/v1/campaigns", server.base))
        .bearer_auth(key)
        .json(&json!({"name": "Fuzz campaign", "rule": rule, "template": "Hi {{ first_name }}", "channel": "sms"}))
        .send()
        .await
        .unwrap();
    assert!(campaign.status().is_success(), "campaign: {:?}", campaign.text().await);
}
