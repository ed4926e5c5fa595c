use serde_json::json;

use super::*;

fn smtp_json() -> serde_json::Value {
    json!({"kind": "smtp", "host": "smtp.example.in", "port": 587, "tls": "starttls",
           "username": "mailer", "password": "pw-123", "from_address": "offers@brand.example",
           "from_name": "Brand Offers"})
}

fn settings_json(email: serde_json::Value) -> serde_json::Value {
    let vendor = json!({"kind": "vendor", "base_url": "http://127.0.0.1:9090", "api_key": "sim_key"});
    json!({"sms": vendor, "whatsapp": vendor, "email": email})
}

fn parse(value: serde_json::Value) -> Result<ChannelSettings, serde_json::Error> {
    serde_json::from_value(value)
}

fn fields(settings: &ChannelSettings) -> Vec<String> {
    match settings.validate() {
        Ok(()) => Vec::new(),
        Err(InvalidSettings(issues)) => issues.into_iter().map(|issue| issue.field).collect(),
    }
}

#[test]
fn a_typical_workspace_parses_with_defaults_and_validates() {
    let settings = parse(settings_json(smtp_json())).unwrap();
    assert_eq!(settings.validate(), Ok(()));
    let ChannelConfig::Smtp(smtp) = &settings.email else { panic!("email should be smtp") };
    assert_eq!((smtp.tls, smtp.timeout_ms, smtp.pool_size), (SmtpTls::Starttls, 15_000, 4));
    let ChannelConfig::Vendor(vendor) = &settings.sms else { panic!("sms should be the vendor") };
    assert_eq!((vendor.timeout_ms, vendor.connect_timeout_ms), (10_000, 2_000));
    let round_trip = parse(serde_json::to_value(&settings).unwrap()).unwrap();
    assert_eq!(round_trip, settings);
}

#[test]
fn unknown_keys_are_refused_at_every_level() {
    let mut typo = smtp_json();
    typo["pasword"] = json!("x");
    assert!(parse(settings_json(typo)).is_err());
    let mut top = settings_json(smtp_json());
    top["fax"] = json!({"kind": "vendor"});
    assert!(parse(top).is_err());
    assert!(parse(settings_json(json!({"kind": "pigeon"}))).is_err());
}

#[test]
fn debug_and_redacted_hide_secrets() {
    let settings = parse(settings_json(smtp_json())).unwrap();
    let debug = format!("{settings:?}");
    assert!(!debug.contains("pw-123") && !debug.contains("sim_key"), "{debug}");
    let shown = serde_json::to_string(&settings.redacted()).unwrap();
    assert!(!shown.contains("pw-123") && !shown.contains("sim_key"), "{shown}");
    assert!(shown.contains(REDACTED));
}

#[test]
fn every_bad_field_is_named() {
    let mut bad = smtp_json();
    bad["host"] = json!("");
    bad["port"] = json!(0);
    bad["from_address"] = json!("not an address");
    bad["from_name"] = json!("Line\nbreak");
    bad["timeout_ms"] = json!(5);
    bad["pool_size"] = json!(0);
    let mut settings = parse(settings_json(bad)).unwrap();
    settings.sms = ChannelConfig::Vendor(VendorConfig {
        base_url: "ftp://vendor.example?x=1".into(),
        api_key: Secret::new("has space"),
        signing_secret: None,
        route: None,
        timeout_ms: 1_000,
        connect_timeout_ms: 5_000,
    });
    assert_eq!(
        fields(&settings),
        [
            "sms.base_url",
            "sms.base_url",
            "sms.api_key",
            "sms.connect_timeout_ms",
            "email.host",
            "email.port",
            "email.from_address",
            "email.from_name",
            "email.timeout_ms",
            "email.pool_size"
        ]
    );
    let message = settings.validate().unwrap_err().to_string();
    assert!(message.contains("email.port: must not be 0"), "{message}");
}

#[test]
fn smtp_is_for_email_only_and_credentials_need_tls_off_this_machine() {
    let smtp = parse(settings_json(smtp_json())).unwrap().email;
    let mut settings = parse(settings_json(smtp_json())).unwrap();
    settings.whatsapp = smtp;
    assert_eq!(fields(&settings), ["whatsapp.kind"]);

    let mut plain = smtp_json();
    plain["tls"] = json!("none");
    assert_eq!(fields(&parse(settings_json(plain.clone())).unwrap()), ["email.tls"]);
    plain["host"] = json!("127.0.0.1");
    assert_eq!(fields(&parse(settings_json(plain.clone())).unwrap()), Vec::<String>::new());

    let mut half = smtp_json();
    half["password"] = json!(null);
    assert_eq!(fields(&parse(settings_json(half)).unwrap()), ["email.password"]);
}

#[test]
fn all_vendor_is_valid() {
    let settings = ChannelSettings::all_vendor("http://127.0.0.1:9090", Secret::new("k"));
    assert_eq!(settings.validate(), Ok(()));
}
