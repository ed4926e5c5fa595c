//! A plain-text rendering of an HTML e-mail body, for the `text/plain` alternative that text-only mail
//! clients show and spam filters like to see. Deliberately small: tags are dropped (block tags become line
//! breaks), `<style>`/`<script>`/`<head>` content and comments are dropped, entities are decoded, and
//! whitespace is collapsed as a browser would. Linear in the input; no input makes it slow or panic.

/// Tags that start or end a paragraph (a blank line in text).
const BLOCKS: &[&str] = &["p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"];
/// Tags that end a line.
const LINES: &[&str] = &["br", "tr", "hr"];
/// Tags whose content is not text a reader sees.
const HIDDEN: &[&str] = &["style", "script", "head", "title"];

/// Renders `html` as readable plain text.
pub(super) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut hidden: Option<String> = None;
    let mut rest = html;
    // Each pass consumes at least one byte of `rest`, so the loop ends.
    while let Some(open) = rest.find('<') {
        if hidden.is_none() {
            push_text(&mut out, &rest[..open]);
        }
        let after = &rest[open + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        // As in browsers, `<` not followed by a tag name (`a < b`) is text.
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            if hidden.is_none() {
                out.push('<');
            }
            rest = after;
            continue;
        }
        let Some(close) = after.find('>') else {
            if hidden.is_none() {
                push_text(&mut out, &rest[open..]);
            }
            rest = "";
            break;
        };
        let tag = &after[..close];
        rest = &after[close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match &hidden {
            Some(inside) if closing && *inside == name => hidden = None,
            Some(_) => {}
            None if !closing && HIDDEN.contains(&name.as_str()) && !tag.ends_with('/') => hidden = Some(name),
            None if BLOCKS.contains(&name.as_str()) => out.push_str("\n\n"),
            None if LINES.contains(&name.as_str()) => out.push('\n'),
            None if name == "li" && !closing => out.push_str("\n- "),
            None => {}
        }
    }
    if hidden.is_none() {
        push_text(&mut out, rest);
    }
    tidy(&out)
}

/// Appends a text run: entities decoded, whitespace collapsed to single spaces.
fn push_text(out: &mut String, raw: &str) {
    let decoded = decode_entities(raw);
    for c in decoded.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !out.ends_with([' ', '\n']) && !out.is_empty() {
                out.push(' ');
            }
        } else {
            out.push(if c == '\u{a0}' { ' ' } else { c });
        }
    }
}

/// Trims every line and keeps at most one blank line in a row.
fn tidy(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() && lines.last().is_none_or(|last| last.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

/// Decodes the named entities templates produce (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`, …) and numeric
/// ones; anything unrecognised is kept as written.
fn decode_entities(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|end| *end <= 10).and_then(|end| Some((entity(&after[..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_breaks_and_lists_become_lines() {
        let html = "<html><head><title>x</title><style>p { color: red }</style></head><body>\n\
                    <h1>Hello   Asha</h1><p>Your <b>20%</b> off<br>ends Sunday.</p>\
                    <ul><li>Shoes</li><li>Bags</li></ul><!-- tracking --><p>Bye</p></body></html>";
        assert_eq!(html_to_text(html), "Hello Asha\n\nYour 20% off\nends Sunday.\n\n- Shoes\n- Bags\n\nBye");
    }

    #[test]
    fn escaped_values_are_decoded_once() {
        let html =
            "<p>Hi Tom &amp; Jerry &lt;3 &quot;caf&#233;&quot; &#x2713; &#39;x&#39;&nbsp;&amp;amp; &bogus; a&b</p>";
        assert_eq!(html_to_text(html), "Hi Tom & Jerry <3 \"café\" ✓ 'x' &amp; &bogus; a&b");
    }

    #[test]
    fn plain_text_and_broken_markup_survive() {
        assert_eq!(html_to_text("Just text,\n  no markup."), "Just text, no markup.");
        assert_eq!(html_to_text("a < b and <unclosed"), "a < b and <unclosed");
        assert_eq!(html_to_text("<p>open comment <!-- never closed"), "open comment");
        assert_eq!(html_to_text(""), "");
    }
}
