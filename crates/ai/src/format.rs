//! Numbers as people read them: grouped counts (`1,200`) and money with its sign (`₹1,50,000`, Indian
//! grouping for rupees).

use converge_domain::{Currency, Money};

/// `1234567` → `1,234,567`.
pub(crate) fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// Indian grouping: the last three digits, then pairs (`150000` → `1,50,000`).
fn indian(digits: &str) -> String {
    if digits.len() <= 3 {
        return digits.to_owned();
    }
    let (head, tail) = digits.split_at(digits.len() - 3);
    let mut groups = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (a, b) = rest.split_at(rest.len() - 2);
        groups.push(b);
        rest = a;
    }
    groups.push(rest);
    groups.reverse();
    format!("{},{tail}", groups.join(","))
}

/// An amount in minor units with its currency sign: `₹5,000`, `₹1,999.50`, `$20`, `KWD 1,000.500`.
pub(crate) fn money(minor: i64, currency: &Currency) -> String {
    let text = Money::from_minor(minor).format(currency);
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", text),
    };
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) if fraction.chars().any(|c| c != '0') => (whole.to_owned(), format!(".{fraction}")),
        Some((whole, _)) => (whole.to_owned(), String::new()),
        None => (text.clone(), String::new()),
    };
    let grouped =
        if currency.code() == "INR" { indian(&whole) } else { whole.parse::<i64>().map(count).unwrap_or(whole) };
    let symbol = match currency.code() {
        "INR" => "₹".to_owned(),
        "USD" => "$".to_owned(),
        "EUR" => "€".to_owned(),
        "GBP" => "£".to_owned(),
        code => format!("{code} "),
    };
    format!("{sign}{symbol}{grouped}{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_and_signs() {
        assert_eq!(count(0), "0");
        assert_eq!(count(1200), "1,200");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(money(500_000, &Currency::INR), "₹5,000");
        assert_eq!(money(15_000_000, &Currency::INR), "₹1,50,000");
        assert_eq!(money(199_950, &Currency::INR), "₹1,999.50");
        assert_eq!(money(2_000, &Currency::parse("USD").unwrap()), "$20");
        assert_eq!(money(1_000_500, &Currency::parse("KWD").unwrap()), "KWD 1,000.500");
    }
}
