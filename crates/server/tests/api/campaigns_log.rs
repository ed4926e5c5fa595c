//! A campaign's message log over HTTP: JSON pages and the status filter, and the CSV download (quoting,
//! formula injection, streaming across chunks).

use serde_json::{json, Value};

use super::campaigns::{body, city_rule, create, dispatch, failed, seed};
use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    log_pages_and_filters_by_status,
    log_downloads_as_safe_csv,
    csv_streams_every_row_across_pages,
    csv_downloads_whole_under_gzip
);

async fn log_pages_and_filters_by_status(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let id = create(&app, &body("Log")).await["id"].as_i64().unwrap();
    dispatch(&app, id, |i, _| if i == 0 { failed("blocked by carrier") } else { None }).await;

    let first = app.get_json(&format!("/api/v1/campaigns/{id}/log?limit=2")).await;
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["customer_external_id"], "C0");
    assert_eq!(items[0]["status"], "FAILED");
    assert_eq!(items[0]["error"], "blocked by carrier");
    assert_eq!(items[1]["status"], "PENDING");
    let after = first["next_after"].as_i64().unwrap();
    assert_eq!(after, items[1]["id"].as_i64().unwrap());
    let second = app.get_json(&format!("/api/v1/campaigns/{id}/log?limit=2&after={after}")).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_after"], Value::Null);

    let failed_only = app.get_json(&format!("/api/v1/campaigns/{id}/log?status=failed")).await;
    let statuses: Vec<&str> =
        failed_only["items"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["FAILED"]);
    let pending = app.get_json(&format!("/api/v1/campaigns/{id}/log?status=PENDING")).await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);

    for (query, field) in
        [("status=LOST", "status"), ("limit=1001", "limit"), ("after=abc", "after"), ("format=xml", "format")]
    {
        let response = app.get(&format!("/api/v1/campaigns/{id}/log?{query}"), &app.key).await;
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(fields(&problem(response).await), [field], "{query}");
    }
    assert_eq!(app.get("/api/v1/campaigns/999999/log", &app.key).await.status(), 404);
    let other = app.create_key("other", &["all"]).await;
    assert_eq!(app.get(&format!("/api/v1/campaigns/{id}/log"), &other).await.status(), 404);
}

async fn log_downloads_as_safe_csv(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let id = create(&app, &body("Csv")).await["id"].as_i64().unwrap();
    dispatch(&app, id, |i, _| match i {
        1 => failed("=cmd|' /C calc'!A0"),
        2 => failed("line one\nline \"two\", end"),
        _ => None,
    })
    .await;

    let response = app.get(&format!("/api/v1/campaigns/{id}/log?format=csv"), &app.key).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        response.headers()["content-disposition"],
        format!("attachment; filename=\"campaign-{id}-log.csv\"").as_str()
    );
    let text = response.text().await.unwrap();
    let header = text.split("\r\n").next().unwrap();
    assert!(header.starts_with("id,customer_external_id,customer_name,status,attempts,channel,address,message,"));
    assert_eq!(text.matches("\r\n").count(), 4, "a header and three records: {text}");
    assert!(text.contains(",Asha Verma,PENDING,"), "{text}");
    assert!(text.contains(r#","'=HYPERLINK(""http://evil.example"",""x"")",FAILED,"#), "{text}");
    assert!(text.contains(",'=cmd|' /C calc'!A0,"), "{text}");
    assert!(text.contains(",\"Doe, \"\"Jo\"\"\",FAILED,"), "{text}");
    assert!(text.contains(",\"line one\nline \"\"two\"\", end\","), "{text}");
    assert!(!text.contains(",=") && !text.contains(",\"="), "no cell may start with a formula: {text}");

    let only_failed = app.get(&format!("/api/v1/campaigns/{id}/log?format=csv&status=FAILED"), &app.key).await;
    let only_failed = only_failed.text().await.unwrap();
    assert_eq!(only_failed.matches("\r\n").count(), 3);
    assert!(!only_failed.contains("PENDING"));
    assert_eq!(app.get("/api/v1/campaigns/999999/log?format=csv", &app.key).await.status(), 404);
}

/// More rows than one CSV chunk reads (5000): every row comes out once, in id order.
async fn csv_streams_every_row_across_pages(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let total = 5_003;
    for chunk in (0..total).collect::<Vec<_>>().chunks(1000) {
        let items: Vec<Value> =
            chunk.iter().map(|i| json!({"external_id": format!("B{i:05}"), "city": "Big"})).collect();
        let response = app.post_json("/api/v1/customers/batch", &app.key, &json!({ "items": items })).await;
        assert_eq!(response.status(), 202);
    }
    app.drain().await;
    let mut big = body("Big");
    big["rule"] = city_rule("Big");
    let id = create(&app, &big).await["id"].as_i64().unwrap();
    let text = app.get(&format!("/api/v1/campaigns/{id}/log?format=csv"), &app.key).await.text().await.unwrap();
    let ids: Vec<&str> =
        text.split("\r\n").skip(1).filter(|l| !l.is_empty()).map(|l| &l[l.find(',').unwrap() + 1..][..6]).collect();
    assert_eq!(ids.len(), total);
    let expected: Vec<String> = (0..total).map(|i| format!("B{i:05}")).collect();
    assert_eq!(ids, expected);
}

/// What a browser does: ask for gzip. The answer is gzip-compressed and decodes to every row (issue 11 item 8:
/// the compression layer polled the finished CSV stream once more and the panic cut the download off).
async fn csv_downloads_whole_under_gzip(mode: Mode) {
    use std::io::Read;

    let Some(app) = TestApp::spawn(mode).await else { return };
    seed(&app).await;
    let id = create(&app, &body("Gzip")).await["id"].as_i64().unwrap();
    dispatch(&app, id, |i, _| if i == 0 { failed("blocked by carrier") } else { None }).await;

    let response = app
        .client
        .get(app.url(&format!("/api/v1/campaigns/{id}/log?format=csv")))
        .bearer_auth(&app.key)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let compressed = response.bytes().await.expect("the whole gzip body arrives");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut text).expect("a complete gzip stream");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "a header and three records: {text}");
    assert!(lines[0].starts_with("id,customer_external_id,customer_name,status,"), "{text}");
    assert_eq!(lines[1..].iter().filter(|l| l.contains(",FAILED,")).count(), 1, "{text}");
    assert_eq!(lines[1..].iter().filter(|l| l.contains(",PENDING,")).count(), 2, "{text}");
    assert!(text.contains(",blocked by carrier,"), "{text}");
}
