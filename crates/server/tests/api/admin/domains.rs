//! Allowed e-mail domains: a validation table, replacing the list, who may.

use converge_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

use super::last_audit;
use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};

both_modes!(domains_are_validated_and_replaced);

async fn domains_are_validated_and_replaced(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let owner = app.admin_user("default", "owner@brand.in", Role::Owner).await;
    let member = app.admin_user("default", "member@brand.in", Role::Member).await;
    let put = |body: Value| app.admin_request(&owner, Method::PUT, "/api/v1/workspace/domains").json(&body).send();

    let table: &[(&str, &str, &str)] = &[
        ("brand", "member", "domains[0].domain"),
        ("@brand.in", "member", "domains[0].domain"),
        ("ops@brand.in", "member", "domains[0].domain"),
        ("brand..in", "member", "domains[0].domain"),
        ("-brand.in", "member", "domains[0].domain"),
        ("10.0.0.1", "member", "domains[0].domain"),
        ("gmail.com", "member", "domains[0].domain"),
        ("outlook.com", "member", "domains[0].domain"),
        ("yahoo.com", "member", "domains[0].domain"),
        ("hotmail.com", "member", "domains[0].domain"),
        ("brand.in", "owner", "domains[0].role"),
        ("brand.in", "root", "domains[0].role"),
    ];
    for (domain, role, field) in table {
        let response = put(json!({"domains": [{"domain": domain, "role": role}]})).await.unwrap();
        let body = problem(response).await;
        assert_eq!(body["status"], 422, "{domain} {role}");
        assert_eq!(fields(&body), vec![field.to_string()], "{domain} {role}");
    }
    let webmail = problem(put(json!({"domains": [{"domain": "gmail.com", "role": "member"}]})).await.unwrap()).await;
    assert!(webmail["errors"][0]["message"].as_str().unwrap().contains("public webmail"));
    let long = format!("{}.in", vec!["a".repeat(60); 5].join("."));
    let too_long = problem(put(json!({"domains": [{"domain": long, "role": "viewer"}]})).await.unwrap()).await;
    assert_eq!(fields(&too_long), vec!["domains[0].domain".to_owned()]);
    let twice =
        json!({"domains": [{"domain": "brand.in", "role": "member"}, {"domain": "BRAND.in", "role": "viewer"}]});
    assert_eq!(fields(&problem(put(twice).await.unwrap()).await), vec!["domains[1].domain".to_owned()]);

    let good =
        json!({"domains": [{"domain": "Brand.IN", "role": "member"}, {"domain": "ops.brand.in", "role": "admin"}]});
    let response = put(good).await.unwrap();
    assert_eq!(response.status(), 200);
    let expected = json!([{"domain": "brand.in", "role": "member"}, {"domain": "ops.brand.in", "role": "admin"}]);
    let saved: Vec<Value> = response.json().await.unwrap();
    assert_eq!(rules_of(&saved), expected);
    for rule in &saved {
        // New domains start unproven, each with its own record to publish.
        assert_eq!(rule["verified"], false, "{rule}");
        assert_eq!(rule["txt_name"], format!("_converge.{}", rule["domain"].as_str().unwrap()));
        assert!(rule["txt_value"].as_str().unwrap().starts_with("converge-verify="), "{rule}");
    }
    assert_ne!(saved[0]["txt_value"], saved[1]["txt_value"]);
    let mut listed: Vec<Value> =
        app.admin_request(&owner, Method::GET, "/api/v1/workspace/domains").send().await.unwrap().json().await.unwrap();
    listed.sort_by_key(|d| d["domain"].as_str().unwrap_or_default().to_owned());
    assert_eq!(rules_of(&listed), expected);
    let entry = last_audit(&app, &owner, "workspace.domains_change").await;
    assert_eq!(entry["actor"]["user_id"], json!(owner.user_id));
    assert_eq!(entry["details"]["to"], expected);

    let forbidden = app.admin_request(&member, Method::PUT, "/api/v1/workspace/domains").json(&json!({"domains": []}));
    assert_eq!(forbidden.send().await.unwrap().status(), 403);
    let read = app.admin_request(&member, Method::GET, "/api/v1/workspace/domains").send().await.unwrap();
    assert_eq!(read.status(), 403);
    assert_eq!(put(json!({"domains": []})).await.unwrap().status(), 200);
    assert!(app.state.store.workspace_domains(app.workspace_id("default").await).await.unwrap().is_empty());
}

/// Just `{domain, role}` of each listed domain.
fn rules_of(listed: &[Value]) -> Value {
    listed.iter().map(|d| json!({"domain": d["domain"], "role": d["role"]})).collect()
}
