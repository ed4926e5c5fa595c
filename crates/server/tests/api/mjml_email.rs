//! E-mail authored in MJML, end to end: a campaign whose body is MJML is test-sent through the workspace's
//! SMTP server and read back from a real one (Debian's aiosmtpd): the subject rendered, a responsive HTML part
//! and a plain-text part, both made from the same MJML and personalised. MJML that does not parse, a link a
//! mail client cannot open and MJML on a text channel are refused naming `template`, line and column.

use serde_json::{json, Value};

use crate::both_modes;
use crate::helpers::{fields, problem, Mode, TestApp};
use crate::smtp_campaign::smtp_server;

both_modes!(an_mjml_email_arrives_with_html_and_text_parts, bad_mjml_is_refused_with_its_position);

const MJML: &str = "<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        \
    <mj-text font-size=\"24px\" font-weight=\"700\">Hello {{ first_name | default(\"friend\") }}</mj-text>\n        \
    <mj-text>Monsoon offers in {{ city | default(\"your city\") }}.</mj-text>\n        \
    <mj-button href=\"https://brand.example/sale\">Shop the sale</mj-button>\n        \
    <mj-image src=\"https://brand.example/banner.png\" alt=\"Banner\" />\n        \
    <mj-divider />\n        \
    <mj-text font-size=\"12px\"><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></mj-text>\n      \
    </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>";

async fn an_mjml_email_arrives_with_html_and_text_parts(mode: Mode) {
    let Some(smtp) = smtp_server::SmtpServer::start() else { return };
    let Some(app) = TestApp::spawn(mode).await else { return };
    let customers = json!({"items": [{"external_id": "E1", "name": "Asha <b>Rao</b>", "email": "asha@example.in", "city": "Pune"}]});
    assert_eq!(app.post_json("/api/v1/customers/batch", &app.key, &customers).await.status(), 202);
    app.drain().await;
    app.use_smtp(smtp.port).await;
    let draft = json!({"name": "Monsoon", "channel": "email", "status": "draft", "template": MJML,
        "subject": "{{ first_name | default(\"Hi\") }}, the monsoon sale is on", "preheader": "Until Sunday",
        "rule": {"combinator": "and", "rules": []}});
    let response = app.post_json("/api/v1/campaigns", &app.key, &draft).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let test = json!({"to": ["tester@brand.in"], "customer_external_id": "E1"});
    let response = app.post_json(&format!("/api/v1/campaigns/{id}/test"), &app.key, &test).await;
    assert_eq!(response.status(), 200);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(outcome["results"][0]["status"], "sent", "{outcome}");
    let mail = &smtp.wait_for(1).await[0];
    assert_eq!(mail["subject"], "[Test] Asha, the monsoon sale is on");
    let html = mail["html"].as_str().unwrap();
    let text = mail["text"].as_str().unwrap();
    // Responsive HTML from the MJML, personalised and escaped.
    assert!(html.contains("@media only screen"), "MJML's responsive CSS: {html}");
    assert!(html.contains("Hello Asha") && html.contains("Monsoon offers in Pune"), "{html}");
    assert!(html.contains("href=\"https://brand.example/sale\"") && html.contains("https://brand.example/banner.png"));
    assert!(!html.contains("<mj-"), "no MJML left in what is sent");
    // The text part says the same.
    assert!(
        text.contains("Hello Asha") && text.contains("Monsoon offers in Pune") && text.contains("Shop the sale"),
        "{text}"
    );
    assert!(!text.contains('<'), "{text}");
    // The preview renders the same HTML.
    let preview = json!({"template": MJML, "channel": "email", "customer_external_id": "E1"});
    let response = app.post_json("/api/v1/campaigns/message-preview", &app.key, &preview).await;
    assert_eq!(response.status(), 200);
    let preview: Value = response.json().await.unwrap();
    assert!(preview.to_string().contains("Hello Asha"), "{preview}");
}

async fn bad_mjml_is_refused_with_its_position(mode: Mode) {
    let Some(app) = TestApp::spawn(mode).await else { return };
    let broken = MJML.replace("</mj-button>", "</mj-buton>");
    let javascript = MJML.replace("https://brand.example/sale", "javascript:alert(1)");
    for (template, channel, expect) in [
        (broken.as_str(), "email", "line 7"),
        (javascript.as_str(), "email", "line 7"),
        (MJML, "sms", "MJML is for e-mail"),
    ] {
        let body = json!({"name": "Bad", "channel": channel, "template": template,
            "rule": {"combinator": "and", "rules": []}});
        let response = app.post_json("/api/v1/campaigns", &app.key, &body).await;
        assert_eq!(response.status(), 422, "{template}");
        let problem = problem(response).await;
        assert_eq!(fields(&problem), ["template"]);
        assert!(problem.to_string().contains(expect), "{expect}: {problem}");
    }
    assert_eq!(app.get_json("/api/v1/campaigns").await["items"].as_array().map(Vec::len), Some(0), "nothing stored");
}
