//! E-mail bodies authored in MJML: rendered once, when the template is checked, into the responsive HTML
//! that is then compiled as the template (so `{{ first_name }}` inside `<mj-text>` or an `href` is
//! personalised per recipient like any HTML template, and MJML costs nothing per message). The text part
//! mail clients want is made from that HTML by the sender, so subject, HTML and text all come from one MJML.
//!
//! Also here, for every e-mail body: its links and images are checked (absolute `http(s)` addresses,
//! `mailto:`/`tel:`, or a template value; never `javascript:` or a relative path that mail clients cannot
//! follow), and its HTML must stay under Gmail's clipping size.

use super::error::{TemplateError, TemplateIssue};

/// Gmail hides the part of a message past this many bytes of HTML behind "[Message clipped]" — with the
/// unsubscribe link, which is usually at the end.
pub const GMAIL_CLIP_BYTES: usize = 102 * 1024;

/// Whether an e-mail body is MJML (it starts with the `<mjml>` root).
pub fn is_mjml(text: &str) -> bool {
    text.trim_start().get(..5).is_some_and(|start| start.eq_ignore_ascii_case("<mjml"))
}

/// The HTML an MJML document renders to, or its first problem with its line and column.
pub fn to_html(text: &str) -> Result<String, TemplateError> {
    if let Some(issue) = unbalanced(text) {
        return Err(TemplateError::Invalid(vec![issue]));
    }
    let parsed = mrml::parse(text).map_err(|err| {
        let offset = error_offset(&err).unwrap_or(0);
        TemplateError::invalid(text, offset, format!("MJML: {}", plain(&err)))
    })?;
    let html = parsed
        .element
        .render(&mrml::prelude::render::RenderOptions::default())
        .map_err(|err| TemplateError::invalid(text, 0, format!("MJML could not be rendered: {err}")))?;
    Ok(html)
}

/// The first MJML element closed by the wrong tag or never closed, located at the tag (the parser itself only
/// says the document ended early). HTML inside `<mj-text>` is not MJML's business and is skipped, as are
/// comments.
fn unbalanced(text: &str) -> Option<TemplateIssue> {
    let mut open: Vec<(&str, usize)> = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find('<') {
        let start = at + found;
        let rest = &text[start..];
        if rest.starts_with("<!--") {
            at = start + rest.find("-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        let end = rest.find('>').map_or(rest.len(), |end| end + 1);
        at = start + end;
        let tag = &rest[..end];
        let closing = tag.starts_with("</");
        let name: &str = tag
            .trim_start_matches("</")
            .trim_start_matches('<')
            .split(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .next()
            .unwrap_or_default();
        if !name.to_ascii_lowercase().starts_with("mj") {
            continue;
        }
        if closing {
            match open.pop() {
                Some((expected, _)) if expected.eq_ignore_ascii_case(name) => {}
                Some((expected, opened)) => {
                    let (line, _) = super::error::position(text, opened);
                    let message = format!("MJML: `</{name}>` does not close `<{expected}>` (opened on line {line})");
                    return Some(TemplateIssue::at(text, start, message));
                }
                None => return Some(TemplateIssue::at(text, start, format!("MJML: `</{name}>` closes nothing"))),
            }
        } else if !tag.ends_with("/>") {
            open.push((name, start));
        }
    }
    open.pop().map(|(name, opened)| TemplateIssue::at(text, opened, format!("MJML: `<{name}>` is never closed")))
}

/// Where in the source an MJML parse error is, as a byte offset.
fn error_offset(err: &mrml::prelude::parser::Error) -> Option<usize> {
    use mrml::prelude::parser::Error;
    match err {
        Error::UnexpectedElement { position, .. }
        | Error::UnexpectedToken { position, .. }
        | Error::MissingAttribute { position, .. }
        | Error::InvalidAttribute { position, .. }
        | Error::InvalidFormat { position, .. }
        | Error::IncludeLoaderError { position, .. } => Some(position.start),
        _ => None,
    }
}

/// The parser's message without its byte span (the issue carries line and column instead).
fn plain(err: &mrml::prelude::parser::Error) -> String {
    use mrml::prelude::parser::Error;
    match err {
        Error::UnexpectedElement { .. } => "an element that does not belong here".into(),
        Error::UnexpectedToken { .. } => "unexpected text or markup".into(),
        Error::MissingAttribute { name, .. } => format!("a required attribute `{name}` is missing"),
        Error::InvalidAttribute { .. } => "an attribute that is not valid here".into(),
        Error::InvalidFormat { .. } => "a value in the wrong format".into(),
        Error::EndOfStream { .. } => "the document ends before every element is closed".into(),
        Error::IncludeLoaderError { .. } => "mj-include is not supported: put the content in the template".into(),
        Error::NoRootNode => "the document has no <mjml> element".into(),
        other => other.to_string(),
    }
}

/// Every link (`href`) and image (`src`) of an e-mail body that a recipient's mail client could not use, or
/// that could run script, with its position.
pub fn link_issues(text: &str) -> Vec<TemplateIssue> {
    let mut issues = Vec::new();
    let lower = text.to_ascii_lowercase();
    for attribute in ["href", "src"] {
        let needle = format!("{attribute}=");
        let mut from = 0;
        while let Some(found) = lower[from..].find(&needle) {
            let at = from + found;
            from = at + needle.len();
            // Only a whole attribute name (not `data-href=`).
            if at > 0 && !lower.as_bytes()[at - 1].is_ascii_whitespace() {
                continue;
            }
            let Some(value) = quoted(&text[from..]) else { continue };
            if let Some(problem) = link_problem(attribute, value.trim()) {
                issues.push(TemplateIssue::at(text, from, problem));
            }
        }
    }
    issues.sort_by_key(|issue| (issue.line, issue.column));
    issues
}

/// The value of a quoted attribute at the start of `rest`.
fn quoted(rest: &str) -> Option<&str> {
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &rest[1..];
    body.find(quote).map(|end| &body[..end])
}

fn link_problem(attribute: &str, value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    if value.starts_with("{{") {
        return None;
    }
    if value.is_empty() {
        return Some(format!("an empty {attribute}: give the full address"));
    }
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let ok = match attribute {
        "src" => web,
        _ => web || lower.starts_with("mailto:") || lower.starts_with("tel:") || lower.starts_with('#'),
    };
    if ok {
        return None;
    }
    let what = if attribute == "src" { "an image" } else { "a link" };
    let example = if attribute == "src" { "https://brand.example/banner.png" } else { "https://brand.example/sale" };
    Some(format!(
        "{what} to `{}` cannot be opened from an e-mail: use a full address such as {example}",
        shorten(value)
    ))
}

fn shorten(value: &str) -> String {
    let kept: String = value.chars().take(60).collect();
    if kept.len() < value.len() {
        format!("{kept}…")
    } else {
        kept
    }
}

/// The HTML must leave room under Gmail's clipping size for what personalisation adds.
pub fn size_issue(source: &str, html: &str) -> Option<TemplateError> {
    let kb = |bytes: usize| bytes.div_ceil(1024);
    (html.len() > GMAIL_CLIP_BYTES).then(|| {
        let message = format!(
            "the e-mail's HTML is {} KB; Gmail clips messages over {} KB (hiding the rest, unsubscribe link included)",
            kb(html.len()),
            kb(GMAIL_CLIP_BYTES)
        );
        TemplateError::invalid(source, 0, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "<mjml><mj-body><mj-section><mj-column>\n\
        <mj-text>Hi {{ first_name }}</mj-text>\n\
        <mj-button href=\"https://brand.example/sale\">Shop</mj-button>\n\
        <mj-image src=\"https://brand.example/b.png\" />\n\
        <mj-text><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></mj-text>\n\
        </mj-column></mj-section></mj-body></mjml>";

    #[test]
    fn mjml_renders_to_responsive_html_keeping_template_values() {
        assert!(is_mjml("  <MJML>") && !is_mjml("<p>Hi</p>"));
        let html = to_html(DOC).unwrap();
        assert!(html.starts_with("<!doctype html>") || html.to_lowercase().starts_with("<!doctype html>"), "{html}");
        assert!(html.contains("Hi {{ first_name }}"));
        assert!(html.contains("href=\"https://brand.example/sale\""));
        assert!(html.contains("{{ unsubscribe_url }}"));
        assert!(html.contains("@media"), "responsive: media queries");
    }

    #[test]
    fn mjml_that_does_not_parse_names_its_line_and_column() {
        let broken = "<mjml><mj-body>\n  <mj-section><mj-column>\n    <mj-text>Hi</mj-txt>\n</mj-body></mjml>";
        let err = to_html(broken).unwrap_err();
        let issue = &err.issues()[0];
        assert!(issue.line >= 2, "{issue}");
        assert!(issue.message.starts_with("MJML:"), "{issue}");
        let include = to_html("<mjml><mj-body><mj-include path=\"/etc/passwd\" /></mj-body></mjml>");
        assert!(include.is_err(), "mj-include never reads a file");
    }

    #[test]
    fn links_and_images_must_work_from_a_mail_client() {
        assert!(link_issues(DOC).is_empty());
        let text = "<p><a href=\"/sale\">x</a>\n<a href='javascript:alert(1)'>y</a><img src=\"cid:x\">\
            <a href=\"mailto:hi@brand.example\">m</a><a data-href=\"/ok\">z</a><a href=\"\">e</a></p>";
        let issues = link_issues(text);
        let lines: Vec<(u32, &str)> = issues.iter().map(|i| (i.line, &i.message[..8])).collect();
        assert_eq!(issues.len(), 4, "{issues:?}");
        assert_eq!(lines[0].0, 1);
        assert_eq!(lines[1].0, 2);
        assert!(issues.iter().any(|i| i.message.contains("an image")));
        assert!(issues.iter().any(|i| i.message.contains("empty href")));
    }

    #[test]
    fn html_past_gmails_clipping_size_is_refused() {
        assert!(size_issue("x", &"a".repeat(GMAIL_CLIP_BYTES)).is_none());
        let err = size_issue("x", &"a".repeat(GMAIL_CLIP_BYTES + 1)).unwrap();
        assert!(err.to_string().contains("Gmail clips"), "{err}");
    }
}
