use proptest::prelude::*;

use crate::segment::NumberKey;

fn key(text: &str) -> NumberKey {
    NumberKey::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
}

#[test]
fn equal_values_have_equal_keys() {
    for group in [
        &["0", "-0", "0.000", "0e7", "000"][..],
        &["2.5", "2.50", "25e-1", "0.25E1", "002.5"],
        &["1000", "1e3", "1E+3", "10.0e2", "1000.000"],
        &["-7", "-7.0", "-0.7e1"],
    ] {
        for text in group {
            assert_eq!(key(text), key(group[0]), "{text} = {}", group[0]);
        }
    }
}

#[test]
fn keys_sort_like_numbers() {
    let ascending = [
        "-1e300",
        "-12345678901234567890",
        "-1000",
        "-999.5",
        "-12",
        "-1.2",
        "-1.123",
        "-1.12",
        "-1",
        "-0.5",
        "-1e-300",
        "0",
        "1e-300",
        "0.001",
        "0.5",
        "1",
        "1.12",
        "1.123",
        "1.2",
        "12",
        "999.5",
        "1000",
        "9007199254740993",
        "9007199254740994",
        "99999999999999999999",
        "1e300",
    ];
    for pair in ascending.windows(2) {
        assert!(key(pair[0]) < key(pair[1]), "{} < {}", pair[0], pair[1]);
    }
}

#[test]
fn rejects_non_numbers() {
    for text in ["", "-", "+1", "1.", ".5", "1e", "1e+", "abc", "1,5", "1 000", "0x10", "--1", "1e5.5", "NaN"] {
        assert!(NumberKey::parse(text).is_none(), "{text:?}");
    }
}

#[test]
fn absurd_exponents_clamp_but_keep_sign_and_order_of_digits() {
    assert!(key("1e-99999999") > key("0"));
    assert!(key("-1e-99999999") < key("0"));
    assert!(key("1e-99999999") < key("2e-99999999"));
    assert_eq!(key("1e-99999999999999999999999999999999"), key("1e-99999999"));
}

proptest! {
    #[test]
    fn integers_compare_exactly(a in any::<i64>(), b in any::<i64>(), zeros in 0usize..4) {
        let padded = |n: i64| if zeros > 0 { format!("{n}.{}", "0".repeat(zeros)) } else { n.to_string() };
        prop_assert_eq!(key(&padded(a)).cmp(&key(&b.to_string())), a.cmp(&b));
    }

    #[test]
    fn finite_doubles_compare_like_doubles(a in any::<f64>(), b in any::<f64>()) {
        prop_assume!(a.is_finite() && b.is_finite());
        // `{:e}` prints the shortest text that reads back as the same double, so the key is exact.
        let (ka, kb) = (key(&format!("{a:e}")), key(&format!("{b:e}")));
        prop_assert_eq!(Some(ka.cmp(&kb)), a.partial_cmp(&b));
    }

    #[test]
    fn every_json_number_parses(n in any::<f64>(), i in any::<i64>(), u in any::<u64>()) {
        for value in [serde_json::json!(n), serde_json::json!(i), serde_json::json!(u)] {
            if let serde_json::Value::Number(number) = value {
                prop_assert!(NumberKey::parse(&number.to_string()).is_some(), "{}", number);
            }
        }
    }
}
