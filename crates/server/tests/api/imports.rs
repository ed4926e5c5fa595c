//! CSV imports: the mapping, per-row errors with their line and column, valid rows ingested through the
//! stream exactly like the API, dry runs that store nothing, and clear refusals that change nothing.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(
    a_customer_file_imports_its_valid_rows_and_lists_the_rest,
    an_order_file_is_idempotent_and_reads_spreadsheet_dates,
    bad_imports_are_refused_and_change_nothing,
    a_messy_file_is_fixed_rather_than_refused,
);

/// Headings as people write them, national phone numbers, day-first dates, a repeated id and a bad address.
const MESSY: &str = "Customer Number,Full Name,Email Address,Mobile,Signup Date\n\
M1,Asha Rao,asha@example.in,9812345602,12/01/2025\n\
M2,Kabir Das,not-an-email,98123 45603,13/01/2025\n\
M1,Asha Again,asha2@example.in,9812345604,14/01/2025\n\
M3,Ravi Kumar,ravi@example.in,12345,15/01/2025\n\
M4,Meera Iyer,meera@example.in,+14155552671,31/12/2024\n";

async fn a_messy_file_is_fixed_rather_than_refused(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let patch = app.client.patch(app.url("/api/v1/workspace")).bearer_auth(&app.key);
    assert_eq!(patch.json(&json!({"default_country": "IN"})).send().await.unwrap().status(), 200);
    let body = json!({"kind": "customers", "csv": MESSY, "date_format": "dd/mm/yyyy"});
    let response = import(&app, &body).await;
    assert_eq!(response.status(), 202);
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report["mapping"],
        json!({"external_id": "Customer Number", "name": "Full Name", "email": "Email Address", "phone": "Mobile",
            "created_at": "Signup Date"}),
        "mapped by their headings"
    );
    assert_eq!((report["accepted"].as_u64(), report["rejected"].as_u64()), (Some(2), Some(3)), "{report}");
    let errors: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errors, [(3, "email"), (4, "external_id"), (5, "phone")], "{report}");
    let rejected = report["rejected_csv"].as_str().unwrap();
    let lines: Vec<&str> = rejected.lines().collect();
    assert_eq!(lines[0], "Customer Number,Full Name,Email Address,Mobile,Signup Date,error");
    assert_eq!(lines.len(), 4, "{rejected}");
    assert!(lines[1].starts_with("M2,Kabir Das,not-an-email,") && lines[1].contains("email:"), "{rejected}");
    assert!(lines[2].starts_with("M1,Asha Again") && lines[2].contains("line 2"), "{rejected}");
    app.drain().await;
    let asha: Value = app.get_json("/api/v1/customers/M1").await;
    assert_eq!((asha["name"].as_str(), asha["phone"].as_str()), (Some("Asha Rao"), Some("+919812345602")), "{asha}");
    assert!(asha["created_at"].as_str().unwrap().starts_with("2025-01-12"), "12 January, day first: {asha}");
    let meera: Value = app.get_json("/api/v1/customers/M4").await;
    assert_eq!(meera["phone"], "+14155552671", "a number with its country code keeps it");
    assert!(meera["created_at"].as_str().unwrap().starts_with("2024-12-31"));
    let missing = app.get("/api/v1/customers/M2", &app.key).await;
    assert_eq!(missing.status(), 404, "the bad row was not imported");
}

const CUSTOMERS: &str = "\u{feff}Customer ID,Full name,E-mail,City,Tier,Joined,Notes\n\
C1,Asha Verma,asha@example.in,Pune,gold,2024-05-01,\"likes \"\"sales\"\", multi\nline note\"\n\
C2,Bad Mail,not-an-email,Pune,silver,2024-05-02,\n\
,No Id,noid@example.in,Goa,gold,,\n\
\n\
C3,Ravi K,ravi@example.in,Mumbai,7,2024-05-03 10:30,\n\
C4,Extra,extra@example.in,Delhi,gold,2024-05-04,x,too many\n";

fn customer_mapping() -> Value {
    json!({"external_id": "Customer ID", "name": "Full name", "email": "E-mail", "city": "City",
           "attributes.tier": "Tier", "created_at": "Joined"})
}

async fn import(app: &TestApp, body: &Value) -> reqwest::Response {
    app.post_json("/api/v1/imports", &app.key, body).await
}

async fn customer_count(app: &TestApp) -> usize {
    app.get_json("/api/v1/customers?limit=200").await["items"].as_array().unwrap().len()
}

async fn a_customer_file_imports_its_valid_rows_and_lists_the_rest(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let fields_list = app.get_json("/api/v1/import-fields").await;
    let first = &fields_list["customers"][0];
    assert_eq!(
        (&first["name"], &first["label"], &first["required"], &first["description"]),
        (
            &json!("external_id"),
            &json!("Customer ID"),
            &json!(true),
            &json!("your identifier of the customer, 1 to 128 characters")
        )
    );
    assert!(first["synonyms"].as_array().unwrap().contains(&json!("customer number")), "{first}");
    assert!(fields_list["orders"].as_array().unwrap().iter().any(|f| f["name"] == "amount" && f["required"] == true));

    let dry = import(
        &app,
        &json!({"kind": "customers", "csv": CUSTOMERS, "mapping": customer_mapping(),
        "dry_run": true}),
    )
    .await;
    assert_eq!(dry.status(), 200);
    let report: Value = dry.json().await.unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(5), Some(2), Some(3)),
        "{report}"
    );
    // Lines count from the header (line 1); the quoted note spans lines 2-3, so C2 is on line 4.
    let errors: Vec<(u64, &str, Option<&str>)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap(), e["column"].as_str()))
        .collect();
    assert_eq!(errors, vec![(4, "email", Some("E-mail")), (5, "external_id", Some("Customer ID")), (8, "row", None)]);
    assert_eq!(report["dry_run"], true);
    app.drain().await;
    assert_eq!(customer_count(&app).await, 0, "a dry run stores nothing");

    let real = import(&app, &json!({"kind": "customers", "csv": CUSTOMERS, "mapping": customer_mapping()})).await;
    assert_eq!(real.status(), 202);
    let report: Value = real.json().await.unwrap();
    assert_eq!((report["accepted"].as_u64(), report["rejected"].as_u64()), (Some(2), Some(3)));
    app.drain().await;
    assert_eq!(customer_count(&app).await, 2);
    let asha = app.get_json("/api/v1/customers/C1").await;
    assert_eq!((asha["name"].as_str(), asha["city"].as_str()), (Some("Asha Verma"), Some("Pune")));
    assert_eq!(asha["attributes"], json!({"tier": "gold"}));
    assert_eq!(asha["created_at"], "2024-05-01T00:00:00Z");
    let ravi = app.get_json("/api/v1/customers/C3").await;
    assert_eq!(ravi["attributes"], json!({"tier": 7}), "a plain number becomes a number attribute");
    assert_eq!(ravi["created_at"], "2024-05-03T10:30:00Z");
}

async fn an_order_file_is_idempotent_and_reads_spreadsheet_dates(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let csv = "order,customer,total,when,status\nO1,C1,1499.00,2026-05-01,paid\nO2,C1,20.5,2026-05-02 18:45,\n\
        O3,C2,-5,2026-05-02,paid\nO4,C2,12.345,2026-05-02,paid\nO5,C2,10,yesterday,paid\n";
    let mapping = json!({"external_id": "order", "customer_external_id": "customer", "amount": "total",
        "ordered_at": "when", "status": "status"});
    let body = json!({"kind": "orders", "csv": csv, "mapping": mapping});
    let response = import(&app, &body).await;
    assert_eq!(response.status(), 202);
    let report: Value = response.json().await.unwrap();
    assert_eq!((report["accepted"].as_u64(), report["rejected"].as_u64()), (Some(2), Some(3)), "{report}");
    let bad: Vec<(u64, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(bad, vec![(4, "amount"), (5, "amount"), (6, "ordered_at")]);
    // The same file again: orders are idempotent by their id.
    assert_eq!(import(&app, &body).await.status(), 202);
    app.drain().await;
    let c1 = app.get_json("/api/v1/customers/C1").await;
    assert_eq!((c1["order_count"].as_i64(), c1["total_spend"].as_str()), (Some(2), Some("1519.50")));
    assert_eq!(c1["orders"][0]["ordered_at"], "2026-05-02T18:45:00Z");
    assert_eq!(c1["has_profile"], false, "an order names a customer the import did not profile");
    let board = app.get_json("/api/v1/dashboard").await;
    assert_eq!((board["orders"].as_i64(), board["revenue"].as_str()), (Some(2), Some("1519.50")));
}

async fn bad_imports_are_refused_and_change_nothing(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let cases: Vec<(Value, u16, Vec<&str>)> = vec![
        (json!({"kind": "people", "csv": "a\n1", "mapping": {}}), 422, vec!["kind"]),
        (json!({"kind": "customers", "mapping": {}}), 422, vec!["csv"]),
        (
            json!({"kind": "customers", "csv": "id\nC1", "mapping": {"external_id": "id"}, "extra": 1}),
            422,
            vec!["extra"],
        ),
        (json!({"kind": "customers", "csv": "", "mapping": {"external_id": "id"}}), 422, vec!["csv"]),
        (json!({"kind": "customers", "csv": "id\n", "mapping": {"external_id": "id"}}), 422, vec!["csv"]),
        (
            json!({"kind": "customers", "csv": "id,name\nC1,A", "mapping": {"name": "name"}}),
            422,
            vec!["mapping.external_id"],
        ),
        (
            json!({"kind": "customers", "csv": "id\nC1", "mapping": {"external_id": "ID", "colour": "id"}}),
            422,
            vec!["mapping.colour", "mapping.external_id"],
        ),
        (
            json!({"kind": "orders", "csv": "id\nO1", "mapping": {"external_id": "id", "attributes.x": "id"}}),
            422,
            vec!["mapping.attributes.x", "mapping.customer_external_id", "mapping.amount"],
        ),
        // Every row invalid: nothing to import, each problem named by its line.
        (
            json!({"kind": "customers", "csv": "id,mail\nC1,nope\nC2,bad", "mapping": {"external_id": "id", "email": "mail"}}),
            422,
            vec!["rows[2].email", "rows[3].email"],
        ),
        (
            json!({"kind": "customers", "csv": "id\nC1,extra", "mapping": {"external_id": "id"}}),
            422,
            vec!["rows[2].row"],
        ),
    ];
    for (body, status, expected) in cases {
        let response = import(&app, &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        assert_eq!(fields(&problem(response).await), expected, "{body}");
    }
    let wrong_type = app
        .client
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&app.key)
        .header("content-type", "text/csv")
        .body("id\nC1")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let read_only = app.create_key("default", &["read"]).await;
    let body = json!({"kind": "customers", "csv": "id\nC1", "mapping": {"external_id": "id"}});
    assert_eq!(app.post_json("/api/v1/imports", &read_only, &body).await.status(), 403);
    // Bigger than the API's usual 4 MB body limit is fine for a file.
    let big: String = std::iter::once("id,name\n".to_owned())
        .chain((0..80_000).map(|i| format!("C{i:06},Customer number {i} with a name long enough to weigh\n")))
        .collect();
    assert!(big.len() > 4 * 1024 * 1024);
    let response = import(
        &app,
        &json!({"kind": "customers", "csv": big, "mapping": {"external_id": "id"},
        "dry_run": true}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["accepted"], 80_000);
    // More rows than one import takes: refused as a whole.
    let huge: String = std::iter::once("id\n".to_owned()).chain((0..100_001).map(|i| format!("C{i}\n"))).collect();
    let response = import(&app, &json!({"kind": "customers", "csv": huge, "mapping": {"external_id": "id"}})).await;
    assert_eq!(response.status(), 422);
    assert_eq!(fields(&problem(response).await), vec!["csv"]);
    app.drain().await;
    assert_eq!(customer_count(&app).await, 0, "nothing was stored by any of these");
}
