//! Turning an English description into tokens, and reading the values phrases carry: counts ("3", "three",
//! "twice"), amounts ("₹5K", "Rs 1.5 lakh", "10,000"), durations ("6 months", "a fortnight") and dates.
//!
//! Text is lowercased, contractions are expanded ("haven't" → "have not"), and numbers lose their digit
//! grouping ("5,000" → 5000). Money is exact: amounts are kept in hundredths, never as floats.

/// One token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A lowercase word (letters, with inner `-`, `'`, `_` or `.`), or a currency sign (`₹`, `$`, `€`, `£`).
    Word(String),
    /// Digits, with at most one `.` (grouping commas removed).
    Num(String),
    /// `>`, `>=`, `<`, `<=`, `=`, `!=`, `+`, `-`, `,`
    Sym(&'static str),
    Open,
    Close,
}

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let text = expand_contractions(&text.to_lowercase().replace(['’', '‘', '`'], "'"));
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_ascii_digit() {
            let mut number = String::new();
            while i < chars.len() {
                let d = chars[i];
                let followed_by_digit = chars.get(i + 1).is_some_and(char::is_ascii_digit);
                if d.is_ascii_digit() {
                    number.push(d);
                } else if d == ',' && followed_by_digit {
                    // Digit grouping: 5,000 and 1,50,000.
                } else if d == '.' && followed_by_digit && !number.contains('.') {
                    number.push('.');
                } else {
                    break;
                }
                i += 1;
            }
            tokens.push(Tok::Num(number));
            continue;
        }
        if c.is_alphabetic() {
            let mut word = String::new();
            while i < chars.len() {
                let d = chars[i];
                let joins = matches!(d, '-' | '\'' | '_' | '.') && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
                // Field names such as `spend_last_30_days` keep their digits.
                let field_digit = d.is_ascii_digit() && word.contains('_');
                if d.is_alphabetic() || d == '_' || field_digit || (joins && !word.is_empty()) {
                    word.push(d);
                    i += 1;
                } else {
                    break;
                }
            }
            tokens.push(Tok::Word(word.trim_end_matches('\'').to_owned()));
            continue;
        }
        let (token, width) = match (c, next) {
            ('>', Some('=')) | ('=', Some('>')) => (Some(Tok::Sym(">=")), 2),
            ('<', Some('=')) | ('=', Some('<')) => (Some(Tok::Sym("<=")), 2),
            ('!', Some('=')) | ('<', Some('>')) => (Some(Tok::Sym("!=")), 2),
            ('=', Some('=')) => (Some(Tok::Sym("=")), 2),
            ('>', _) => (Some(Tok::Sym(">")), 1),
            ('<', _) => (Some(Tok::Sym("<")), 1),
            ('=', _) => (Some(Tok::Sym("=")), 1),
            ('+', _) => (Some(Tok::Sym("+")), 1),
            ('-' | '–' | '—', _) => (Some(Tok::Sym("-")), 1),
            (',' | ';', _) => (Some(Tok::Sym(",")), 1),
            ('&', _) => (Some(Tok::Word("and".into())), 1),
            ('/', _) => (Some(Tok::Word("or".into())), 1),
            ('(' | '[', _) => (Some(Tok::Open), 1),
            (')' | ']', _) => (Some(Tok::Close), 1),
            ('₹' | '$' | '€' | '£', _) => (Some(Tok::Word(c.to_string())), 1),
            ('%', _) => (Some(Tok::Word("percent".into())), 1),
            _ => (None, 1),
        };
        tokens.extend(token);
        i += width;
    }
    tokens
}

fn expand_contractions(text: &str) -> String {
    let mut text = text.replace("won't", "will not").replace("can't", "can not").replace("cannot", "can not");
    text = text.replace("n't", " not");
    for (short, long) in [("havent", "have not"), ("hasnt", "has not"), ("didnt", "did not"), ("dont", "do not")] {
        text = text.split(' ').map(|word| if word == short { long } else { word }).collect::<Vec<_>>().join(" ");
    }
    text
}

/// Small numbers written as words.
fn number_word(word: &str) -> Option<i64> {
    const WORDS: [&str; 13] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    if let Some(n) = WORDS.iter().position(|w| *w == word) {
        return i64::try_from(n).ok();
    }
    Some(match word {
        "fifteen" => 15,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "ninety" => 90,
        "hundred" => 100,
        _ => return None,
    })
}

/// A whole number at `i` (digits or a word), and the tokens it took.
pub(crate) fn count(tokens: &[Tok], i: usize) -> Option<(i64, usize)> {
    match tokens.get(i)? {
        Tok::Num(text) if !text.contains('.') && text.len() <= 9 => Some((text.parse().ok()?, 1)),
        Tok::Word(word) => number_word(word).map(|n| (n, 1)),
        _ => None,
    }
}

/// An amount in hundredths of the major unit, with the currency it was written in (if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Amount {
    pub hundredths: i64,
    pub currency: Option<&'static str>,
}

impl Amount {
    /// The rule value: a JSON integer for whole amounts, else a decimal string (`"1999.50"`).
    pub fn json(self) -> serde_json::Value {
        if self.hundredths % 100 == 0 {
            serde_json::Value::from(self.hundredths / 100)
        } else {
            serde_json::Value::from(format!("{}.{:02}", self.hundredths / 100, self.hundredths % 100))
        }
    }
}

fn currency_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "₹" | "rs" | "rs." | "inr" | "rupee" | "rupees" => "INR",
        "$" | "usd" | "dollar" | "dollars" => "USD",
        "€" | "eur" | "euro" | "euros" => "EUR",
        "£" | "gbp" | "pound" | "pounds" => "GBP",
        _ => return None,
    })
}

fn multiplier(word: &str) -> Option<i64> {
    Some(match word {
        "k" | "thousand" | "thousands" => 1_000,
        "l" | "lakh" | "lakhs" | "lac" | "lacs" => 100_000,
        "m" | "mn" | "million" | "millions" => 1_000_000,
        "cr" | "crore" | "crores" => 10_000_000,
        _ => return None,
    })
}

/// An amount at `i`: `[currency] number [multiplier] [currency]`, e.g. `₹5k`, `rs 1.5 lakh`, `5000 rupees`.
pub(crate) fn amount(tokens: &[Tok], i: usize) -> Option<(Amount, usize)> {
    let word = |at: usize| match tokens.get(at) {
        Some(Tok::Word(word)) => Some(word.as_str()),
        _ => None,
    };
    let mut at = i;
    let mut currency = word(at).and_then(currency_word);
    if currency.is_some() {
        at += 1;
    }
    let (whole, fraction) = match tokens.get(at)? {
        Tok::Num(text) => {
            let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
            (whole.to_owned(), fraction.to_owned())
        }
        Tok::Word(word) => (number_word(word)?.to_string(), String::new()),
        _ => return None,
    };
    at += 1;
    let mut factor = 1i128;
    if let Some(m) = word(at).and_then(multiplier) {
        factor = i128::from(m);
        at += 1;
    }
    if currency.is_none() {
        currency = word(at).and_then(currency_word);
        if currency.is_some() {
            at += 1;
        }
    }
    if whole.len() > 15 || fraction.len() > 6 {
        return None;
    }
    let scale = 10i128.pow(u32::try_from(fraction.len()).ok()?);
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let scaled = digits.checked_mul(factor)?.checked_mul(100)?;
    if scaled % scale != 0 {
        return None;
    }
    let hundredths = i64::try_from(scaled / scale).ok()?;
    Some((Amount { hundredths, currency }, at - i))
}

/// Days in `n` of `unit`: months are 30 days, except whole years (12 months = 365 days).
fn unit_days(unit: &str, n: i64) -> Option<i64> {
    let days = match unit {
        "day" | "days" | "d" => n,
        "week" | "weeks" | "wk" | "wks" => n.checked_mul(7)?,
        "fortnight" | "fortnights" => n.checked_mul(14)?,
        "month" | "months" | "mo" | "mos" | "mths" if n % 12 == 0 => (n / 12).checked_mul(365)?,
        "month" | "months" | "mo" | "mos" | "mths" => n.checked_mul(30)?,
        "year" | "years" | "yr" | "yrs" => n.checked_mul(365)?,
        _ => return None,
    };
    Some(days)
}

/// A duration at `i` in days: `6 months`, `90 days`, `a week`, `one year`, or a bare unit (`month` = 1).
pub(crate) fn duration(tokens: &[Tok], i: usize) -> Option<(i64, usize)> {
    let word = |at: usize| match tokens.get(at) {
        Some(Tok::Word(word)) => Some(word.as_str()),
        _ => None,
    };
    if let Some(days) = word(i).and_then(|unit| unit_days(unit, 1)) {
        return Some((days, 1));
    }
    let (n, used) = match word(i) {
        Some("a" | "an") => (1, 1),
        _ => count(tokens, i)?,
    };
    let days = unit_days(word(i + used)?, n)?;
    Some((days, used + 1))
}

/// A date at `i` as `YYYY-MM-DD` with what "after" means (the first day after it): `2025-03-01`, `2025`,
/// `march 2025`, `1 march 2025`, `march 1 2025`. A year alone spans the year, a month the month.
pub(crate) fn date(tokens: &[Tok], i: usize) -> Option<(DateSpan, usize)> {
    let num = |at: usize| match tokens.get(at) {
        Some(Tok::Num(text)) if !text.contains('.') => text.parse::<u32>().ok(),
        _ => None,
    };
    let month = |at: usize| match tokens.get(at) {
        Some(Tok::Word(word)) => month_number(word),
        _ => None,
    };
    let dash = |at: usize| tokens.get(at) == Some(&Tok::Sym("-"));
    let year = |value: u32| (1970..=2100).contains(&value).then_some(value);
    // 2025-03-01
    if let (Some(y), true, Some(m), true, Some(d)) =
        (num(i).and_then(year), dash(i + 1), num(i + 2), dash(i + 3), num(i + 4))
    {
        return DateSpan::day(y, m, d).map(|span| (span, 5));
    }
    // 1 march 2025
    if let (Some(d), Some(m), Some(y)) = (num(i), month(i + 1), num(i + 2).and_then(year)) {
        return DateSpan::day(y, m, d).map(|span| (span, 3));
    }
    if let Some(m) = month(i) {
        // march 1 2025
        if let (Some(d), Some(y)) = (num(i + 1), num(i + 2).and_then(year)) {
            return DateSpan::day(y, m, d).map(|span| (span, 3));
        }
        // march 2025
        let y = num(i + 1).and_then(year)?;
        let (next_y, next_m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        return Some((DateSpan { start: ymd(y, m, 1), end: ymd(next_y, next_m, 1) }, 2));
    }
    let y = num(i).and_then(year)?;
    Some((DateSpan { start: ymd(y, 1, 1), end: ymd(y + 1, 1, 1) }, 1))
}

/// A span of days: from `start` (inclusive) to `end` (exclusive), both `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateSpan {
    pub start: String,
    pub end: String,
}

impl DateSpan {
    fn day(y: u32, m: u32, d: u32) -> Option<DateSpan> {
        let day = chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
        let next = day.succ_opt()?;
        Some(DateSpan { start: day.format("%Y-%m-%d").to_string(), end: next.format("%Y-%m-%d").to_string() })
    }
}

fn ymd(y: u32, m: u32, d: u32) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    if word.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let index = MONTHS.iter().position(|m| *m == word).or_else(|| full.iter().position(|m| *m == word))?;
    u32::try_from(index + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        tokenize(text)
    }

    #[test]
    fn tokens_fold_case_contractions_and_grouping() {
        assert_eq!(
            toks("Haven't spent ₹5,000!"),
            vec![
                Tok::Word("have".into()),
                Tok::Word("not".into()),
                Tok::Word("spent".into()),
                Tok::Word("₹".into()),
                Tok::Num("5000".into())
            ]
        );
        assert_eq!(
            toks("e-mail >= 2.5k"),
            vec![Tok::Word("e-mail".into()), Tok::Sym(">="), Tok::Num("2.5".into()), Tok::Word("k".into())]
        );
        assert_eq!(toks("attributes.tier"), vec![Tok::Word("attributes.tier".into())]);
    }

    #[test]
    fn amounts_are_exact() {
        let read = |text: &str| amount(&toks(text), 0).map(|(a, used)| (a.hundredths, a.currency, used));
        assert_eq!(read("₹5K"), Some((500_000, Some("INR"), 3)));
        assert_eq!(read("rs 1.5 lakh"), Some((15_000_000, Some("INR"), 3)));
        assert_eq!(read("10,000.50"), Some((1_000_050, None, 1)));
        assert_eq!(read("5000 rupees"), Some((500_000, Some("INR"), 2)));
        assert_eq!(read("$20"), Some((2_000, Some("USD"), 2)));
        assert_eq!(read("1.005"), None, "a third decimal is not money");
        assert_eq!(Amount { hundredths: 199_950, currency: None }.json(), serde_json::json!("1999.50"));
    }

    #[test]
    fn durations_in_days() {
        let read = |text: &str| duration(&toks(text), 0);
        assert_eq!(read("6 months"), Some((180, 2)));
        assert_eq!(read("12 months"), Some((365, 2)));
        assert_eq!(read("a week"), Some((7, 2)));
        assert_eq!(read("two weeks"), Some((14, 2)));
        assert_eq!(read("year"), Some((365, 1)));
        assert_eq!(read("fortnight"), Some((14, 1)));
        assert_eq!(read("6 apples"), None);
    }

    #[test]
    fn dates_and_their_spans() {
        let read = |text: &str| date(&toks(text), 0).map(|(span, used)| (span.start, span.end, used));
        assert_eq!(read("2025-03-01"), Some(("2025-03-01".into(), "2025-03-02".into(), 5)));
        assert_eq!(read("2024"), Some(("2024-01-01".into(), "2025-01-01".into(), 1)));
        assert_eq!(read("december 2024"), Some(("2024-12-01".into(), "2025-01-01".into(), 2)));
        assert_eq!(read("1 march 2025"), Some(("2025-03-01".into(), "2025-03-02".into(), 3)));
        assert_eq!(read("2025-02-30"), None);
    }
}
