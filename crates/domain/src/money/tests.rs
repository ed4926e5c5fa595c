use proptest::prelude::*;
use serde_json::{json, Value};

use super::amount::MAX_MINOR;
use super::{Currency, Money};

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

fn inr(text: &str) -> Result<i64, String> {
    Money::parse_decimal(text, &Currency::INR).map(Money::minor)
}

#[test]
fn iso_table_is_sorted_unique_and_complete_enough() {
    let codes: Vec<_> = Currency::all().map(|c| c.code().to_owned()).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "table must be sorted");
    assert!(codes.len() > 150);
    for (code, exponent) in [("INR", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4), ("EUR", 2), ("USD", 2)] {
        assert_eq!(currency(code).exponent(), exponent, "{code}");
    }
}

#[test]
fn currency_parses_case_insensitively() {
    assert_eq!(currency("inr"), Currency::INR);
    assert_eq!(currency("Jpy").code(), "JPY");
}

#[test]
fn currency_rejects_bad_codes() {
    for (text, message) in [
        ("", "must be a three-letter ISO 4217 currency code like INR"),
        ("IN", "must be a three-letter ISO 4217 currency code like INR"),
        ("INR ", "must be a three-letter ISO 4217 currency code like INR"),
        ("I1R", "must be a three-letter ISO 4217 currency code like INR"),
        ("XYZ", "must be an active ISO 4217 currency code; XYZ is not one"),
        ("hrk", "must be an active ISO 4217 currency code; HRK is not one"),
        ("XAU", "must be an active ISO 4217 currency code; XAU is not one"),
    ] {
        assert_eq!(Currency::parse(text), Err(message.to_owned()), "{text:?}");
    }
}

#[test]
fn currency_serde_is_the_code_and_reparses() {
    assert_eq!(serde_json::to_string(&Currency::INR).unwrap(), "\"INR\"");
    assert_eq!(serde_json::from_str::<Currency>("\"kwd\"").unwrap().exponent(), 3);
    assert!(serde_json::from_str::<Currency>("\"ABC\"").is_err());
}

#[test]
fn parses_valid_decimals() {
    assert_eq!(inr("1499"), Ok(149_900));
    assert_eq!(inr("1499.5"), Ok(149_950));
    assert_eq!(inr("1499.50"), Ok(149_950));
    assert_eq!(inr("0"), Ok(0));
    assert_eq!(inr("0.01"), Ok(1));
    assert_eq!(inr("007.10"), Ok(710));
    assert_eq!(inr("12.3400"), Ok(1234));
    assert_eq!(inr("10000000000000"), Ok(MAX_MINOR));
    assert_eq!(Money::parse_decimal("100.000", &currency("JPY")).unwrap().minor(), 100);
    assert_eq!(Money::parse_decimal("1.234", &currency("KWD")).unwrap().minor(), 1234);
}

#[test]
fn rejects_invalid_decimals_with_clear_messages() {
    let plain = "must be a plain decimal number like 1499.00";
    for (text, message) in [
        ("", "must not be empty".to_owned()),
        ("-1", "must not be negative".to_owned()),
        ("-0.00", "must not be negative".to_owned()),
        ("+1", plain.to_owned()),
        ("1e3", format!("{plain}, not exponent notation")),
        ("1.5E2", format!("{plain}, not exponent notation")),
        (" 1", plain.to_owned()),
        ("1 000", plain.to_owned()),
        ("1,000", plain.to_owned()),
        (".5", plain.to_owned()),
        ("5.", plain.to_owned()),
        ("1.2.3", plain.to_owned()),
        ("abc", plain.to_owned()),
        ("١٢", plain.to_owned()),
        ("1.005", "must have at most 2 decimal places for INR".to_owned()),
        ("10000000000000.01", "must be at most 10000000000000.00".to_owned()),
        ("99999999999999999999999999", "must be at most 10000000000000.00".to_owned()),
    ] {
        assert_eq!(inr(text), Err(message), "{text:?}");
    }
    assert_eq!(Money::parse_decimal("100.5", &currency("JPY")), Err("must be a whole number of JPY".to_owned()));
}

#[test]
fn from_json_takes_strings_and_exact_numbers() {
    let value: Value = serde_json::from_str("0.1").unwrap();
    assert_eq!(Money::from_json(&value, &Currency::INR), Ok(Money::from_minor(10)));
    let value: Value = serde_json::from_str("1499.00").unwrap();
    assert_eq!(Money::from_json(&value, &Currency::INR), Ok(Money::from_minor(149_900)));
    assert_eq!(Money::from_json(&json!("25"), &Currency::INR), Ok(Money::from_minor(2500)));
    let huge: Value = serde_json::from_str("123456789012.34").unwrap();
    assert_eq!(Money::from_json(&huge, &Currency::INR).unwrap().minor(), 12_345_678_901_234);
}

#[test]
fn from_json_rejects_other_shapes() {
    let exponent: Value = serde_json::from_str("1e3").unwrap();
    assert_eq!(
        Money::from_json(&exponent, &Currency::INR),
        Err("must be a plain decimal number like 1499.00, not exponent notation".to_owned())
    );
    let negative: Value = serde_json::from_str("-5").unwrap();
    assert_eq!(Money::from_json(&negative, &Currency::INR), Err("must not be negative".to_owned()));
    for value in [json!(null), json!(true), json!([1]), json!({"a": 1})] {
        assert_eq!(
            Money::from_json(&value, &Currency::INR),
            Err("must be a decimal string like \"1499.00\" or a number".to_owned())
        );
    }
}

#[test]
fn formats_with_the_currency_exponent() {
    assert_eq!(Money::from_minor(123_450).format(&Currency::INR), "1234.50");
    assert_eq!(Money::from_minor(5).format(&Currency::INR), "0.05");
    assert_eq!(Money::from_minor(1234).format(&currency("JPY")), "1234");
    assert_eq!(Money::from_minor(1234).format(&currency("KWD")), "1.234");
    assert_eq!(Money::from_minor(-5).format(&Currency::INR), "-0.05");
    assert_eq!(Money::from_minor(i64::MIN).format(&Currency::INR), "-92233720368547758.08");
}

#[test]
fn arithmetic_is_checked() {
    assert_eq!(Money::from_minor(2).checked_add(Money::from_minor(3)), Some(Money::from_minor(5)));
    assert_eq!(Money::from_minor(i64::MAX).checked_add(Money::from_minor(1)), None);
    assert_eq!(Money::from_minor(250).checked_mul(4), Some(Money::from_minor(1000)));
}

fn any_currency() -> impl Strategy<Value = Currency> {
    proptest::sample::select(Currency::all().collect::<Vec<_>>())
}

proptest! {
    #[test]
    fn format_then_parse_round_trips(minor in 0..=MAX_MINOR, currency in any_currency()) {
        let money = Money::from_minor(minor);
        prop_assert_eq!(Money::parse_decimal(&money.format(&currency), &currency), Ok(money));
    }

    #[test]
    fn parse_never_panics(text in any::<String>(), currency in any_currency()) {
        let _ = Money::parse_decimal(&text, &currency);
    }

    #[test]
    fn parse_never_panics_on_numberish_text(text in "[-+0-9.eE ]{0,40}", currency in any_currency()) {
        if let Ok(money) = Money::parse_decimal(&text, &currency) {
            prop_assert!(money.is_valid_input());
        }
    }

    #[test]
    fn parse_matches_integer_arithmetic(
        whole in 0i64..1_000_000_000,
        fraction in "[0-9]{1,4}",
        currency in any_currency(),
    ) {
        let exponent = currency.exponent() as usize;
        let result = Money::parse_decimal(&format!("{whole}.{fraction}"), &currency);
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent {
            prop_assert!(result.is_err());
        } else {
            let kept = &fraction[..fraction.len().min(exponent)];
            let kept_value: i64 = if kept.is_empty() { 0 } else { kept.parse().unwrap() };
            let scale = 10i64.pow(currency.exponent());
            let expected = whole * scale + kept_value * 10i64.pow((exponent - kept.len()) as u32);
            prop_assert_eq!(result, Ok(Money::from_minor(expected)));
        }
    }
}
