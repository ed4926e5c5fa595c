//! CSV as people open it in a spreadsheet: RFC 4180 quoting, CRLF line ends, and cells a spreadsheet would
//! run as a formula (`=`, `+`, `-`, `@`, tab, CR first) defused with a leading `'` (OWASP's CSV injection
//! advice), so exported names and messages written by customers stay text.

/// One CSV record, CRLF-terminated.
pub(crate) fn write_record(out: &mut String, cells: &[&str]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_cell(out, cell);
    }
    out.push_str("\r\n");
}

/// Quotes a cell when it holds a separator, quote or line break, and defuses cells a spreadsheet would
/// evaluate as a formula by prefixing `'`. A signed plain number (an E.164 phone `+919812345678`, `-2`) is
/// only a number to a spreadsheet, so it is left as it is.
pub(crate) fn write_cell(out: &mut String, value: &str) {
    let signed_number = |rest: &str| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit());
    let formula = match value.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some(sign @ ('+' | '-')) => !signed_number(&value[sign.len_utf8()..]),
        _ => false,
    };
    let quote = value.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if quote {
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[&str]) -> String {
        let mut out = String::new();
        write_record(&mut out, cells);
        out
    }

    #[test]
    fn cells_are_quoted_when_needed() {
        assert_eq!(record(&["a", "b c", ""]), "a,b c,\r\n");
        assert_eq!(record(&["x,y", "say \"hi\"", "two\nlines"]), "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }

    #[test]
    fn formulas_are_defused() {
        assert_eq!(
            record(&["=1+1", "+91 98765", "-2+A1", "@SUM(A1)", "a=b"]),
            "'=1+1,'+91 98765,'-2+A1,'@SUM(A1),a=b\r\n"
        );
        assert_eq!(record(&["+919812345678", "-2", "+"]), "+919812345678,-2,'+\r\n");
        assert_eq!(record(&["=HYPERLINK(\"x\",\"y\")"]), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n");
        assert_eq!(record(&["\tcmd"]), "'\tcmd\r\n");
    }
}
