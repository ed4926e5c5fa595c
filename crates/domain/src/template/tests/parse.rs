//! What a template may contain, and where and why a refused one is wrong.

use super::{refusal, sms};
use crate::template::{MessageTemplate, TemplateError, MAX_EMAIL_TEMPLATE_CHARS, MAX_SHORT_TEMPLATE_CHARS};
use crate::Channel;

#[test]
fn accepts_the_allowed_subset() {
    let accepted = [
        "Hello!",
        "Hi {{ first_name | default(\"there\") }}, {{ city }} …",
        "{{ attributes.tier }} {{ attributes[\"tier\"] }} {{ attributes.any_key_at_all }}",
        "{% if attributes.tier == \"gold\" %}Gold{% elif order_count > 3 %}Loyal{% else %}Hi{% endif %}",
        "{% if city in [\"Pune\", \"Mumbai\"] and not attributes.vip or order_count >= 1 %}x{% endif %}",
        "{{ name | upper | lower | title | capitalize | trim }}",
        "{{ name | truncate }} {{ name | truncate(10) }} {{ name | truncate(10, true, \"…\") }}",
        "{{ city | replace(\"Pune\", \"PNQ\") }} {{ city | replace(\"a\", \"b\", 1) }}",
        "{{ first_name | default(name) }} {{ last_name | default(\"\", true) }}",
        "{{ \"VIP\" if attributes.vip else \"friend\" }} {{ -1 }} {{ 'single' }}",
        "{# a comment #}{% raw %}{{ not a variable }}{% endraw %}",
        "{{ name }} {{ email }} {{ phone }} {{ external_id }} {{ total_spend }} {{ brand }} {{ last_name }}",
    ];
    for text in accepted {
        assert!(
            MessageTemplate::parse(text, Channel::Sms).is_ok(),
            "{text:?}: {:?}",
            MessageTemplate::parse(text, Channel::Sms)
        );
    }
}

#[test]
fn refusals_name_the_problem_and_its_position() {
    let table: &[(&str, u32, u32, &str)] = &[
        ("Hi {{ frist_name }}", 1, 7, "unknown variable `frist_name` — did you mean `first_name`?"),
        ("Hi\n  {{ cty }}", 2, 6, "unknown variable `cty` — did you mean `city`?"),
        ("{{ atributes.tier }}", 1, 4, "unknown variable `atributes` — did you mean `attributes`?"),
        (
            "{{ zzz }}",
            1,
            4,
            "unknown variable `zzz`; use one of name, first_name, last_name, email, phone, city, \
          external_id, attributes, total_spend, order_count, brand, postal_address, unsubscribe_url",
        ),
        ("{{ name | uper }}", 1, 11, "unknown filter `uper` — did you mean `upper`?"),
        (
            "{{ name | safe }}",
            1,
            11,
            "unknown filter `safe`; use one of default, upper, lower, title, capitalize, \
          trim, truncate, replace",
        ),
        (
            "{% for c in name %}{{ c }}{% endfor %}",
            1,
            4,
            "`{% for %}` is not allowed in message templates; only `{% if %}`, `{% elif %}` and `{% else %}` are",
        ),
        (
            "x {% set a = 1 %}",
            1,
            6,
            "`{% set %}` is not allowed in message templates; only `{% if %}`, `{% elif %}` and `{% else %}` are",
        ),
        (
            "{% include \"x\" %}",
            1,
            4,
            "`{% include %}` is not allowed in message templates; only `{% if %}`, `{% elif %}` and `{% else %}` are",
        ),
        (
            "{% macro m() %}{% endmacro %}",
            1,
            4,
            "`{% macro %}` is not allowed in message templates; only `{% if %}`, `{% elif %}` and `{% else %}` are",
        ),
        (
            "{% extends \"base\" %}",
            1,
            4,
            "`{% extends %}` is not allowed in message templates; only `{% if %}`, `{% elif %}` and `{% else %}` are",
        ),
        (
            "{{ attributes }}",
            1,
            4,
            "`attributes` holds custom fields: write `attributes.<key>`, e.g. `attributes.tier`",
        ),
        ("{{ name.first }}", 1, 4, "only `attributes` has fields (`attributes.<key>`)"),
        ("{{ attributes[name] }}", 1, 4, "only `attributes[\"key\"]` may be indexed, with a quoted key"),
        ("{{ name is defined }}", 1, 12, "tests (`is defined`) are not allowed; write `{% if value %}` instead"),
        ("{{ range(10) }}", 1, 4, "function and method calls are not allowed in message templates"),
        ("{{ name.upper() }}", 1, 8, "function and method calls are not allowed in message templates"),
        ("{{ \"ab\" * 1000 }}", 1, 4, "arithmetic and `~` are not allowed in message templates"),
        ("{{ name ~ city }}", 1, 4, "arithmetic and `~` are not allowed in message templates"),
        ("{{ \"a\" in city }}", 1, 11, "`in` needs a list on its right, e.g. `city in [\"Pune\", \"Mumbai\"]`"),
        ("{{ name[1:] }}", 1, 4, "slices are not allowed in message templates"),
        ("{{ {\"a\": 1} }}", 1, 4, "only lists may be written as literals, e.g. `[\"Pune\", \"Mumbai\"]`"),
        ("{{ name | truncate(\"5\") }}", 1, 20, "argument 1 of `truncate` must be a whole number such as 20"),
        ("{{ name | replace(\"\", \"x\") }}", 1, 19, "argument 1 of `replace` must be a non-empty quoted string"),
        ("{{ name | replace(city, \"x\") }}", 1, 19, "argument 1 of `replace` must be a non-empty quoted string"),
        ("{{ name | upper(1) }}", 1, 11, "`upper` takes no arguments, not 1"),
        ("{{ name | replace(\"a\") }}", 1, 11, "`replace` takes 2 to 3 arguments, not 1"),
        ("{{ name | default }}", 1, 11, "`default` takes 1 to 2 arguments, not 0"),
        ("{{ name | truncate(length=3) }}", 1, 11, "`truncate` takes plain positional arguments only"),
        ("Hi {{ name }", 1, 12, "syntax error: unexpected `}`, expected end of variable block"),
        ("{% if name %}unclosed", 1, 14, "syntax error: unexpected end of input, expected end of block"),
        ("{{ }}", 1, 4, "syntax error: unexpected end of variable block"),
        ("   ", 1, 1, "must not be empty"),
    ];
    for (text, line, column, message) in table {
        let issue = refusal(text);
        assert_eq!((issue.line, issue.column, issue.message.as_str()), (*line, *column, *message), "{text:?}");
    }
}

#[test]
fn every_problem_is_reported_in_source_order() {
    let err = MessageTemplate::parse("{{ frist_name }} and\n{{ citty | uper }}", Channel::Sms).unwrap_err();
    let found: Vec<_> = err.issues().iter().map(|i| (i.line, i.column)).collect();
    assert_eq!(found, [(1, 4), (2, 4), (2, 12)]);
    let fields = err.into_field_errors("template");
    assert_eq!(fields.len(), 3);
    assert_eq!(fields.0[0].field, "template");
    assert!(fields.0[0].message.starts_with("line 1, column 4: unknown variable `frist_name`"), "{fields}");
}

#[test]
fn email_templates_must_carry_the_unsubscribe_link() {
    let err = MessageTemplate::parse("<p>Hi {{ name }}</p>", Channel::Email).unwrap_err();
    assert_eq!(
        err.issues()[0].message,
        "e-mail templates must contain {{ unsubscribe_url }} (the recipient's unsubscribe link)"
    );
    assert!(MessageTemplate::parse("<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>", Channel::Email).is_ok());
    assert!(MessageTemplate::parse("Hi {{ name }}", Channel::Sms).is_ok(), "SMS gets an opt-out line instead");
}

#[test]
fn length_limits_depend_on_the_channel() {
    let short = "a".repeat(MAX_SHORT_TEMPLATE_CHARS);
    let too_long = format!("{short}é");
    assert!(MessageTemplate::parse(&short, Channel::Whatsapp).is_ok());
    let err = MessageTemplate::parse(&too_long, Channel::Whatsapp).unwrap_err();
    let issue = &err.issues()[0];
    assert_eq!((issue.line, issue.column), (1, 2001));
    assert_eq!(issue.message, "is 2001 characters long; whatsapp templates allow at most 2000");
    assert!(MessageTemplate::parse(&format!("{too_long}{{{{ unsubscribe_url }}}}"), Channel::Email).is_ok());
    let email_too_long = "é".repeat(MAX_EMAIL_TEMPLATE_CHARS + 1);
    assert!(MessageTemplate::parse(&email_too_long, Channel::Email).is_err());
}

#[test]
fn sms_static_text_is_limited_to_ten_segments() {
    // 10 × 153 GSM-7 characters is exactly ten segments; one more makes eleven.
    assert!(MessageTemplate::parse(&"a".repeat(1530), Channel::Sms).is_ok());
    let issue = refusal(&"a".repeat(1531));
    assert_eq!(issue.message, "the fixed text alone needs 11 SMS segments; at most 10 are allowed");
    // Only the text every recipient gets counts: the shorter branch of an `if`.
    let branchy = format!("{{% if city %}}{}{{% else %}}short{{% endif %}}", "a".repeat(1600));
    assert!(MessageTemplate::parse(&branchy, Channel::Sms).is_ok());
    // Other channels have no segment limit.
    assert!(MessageTemplate::parse(&"a".repeat(1531), Channel::Whatsapp).is_ok());
}

#[test]
fn preview_variables_lists_uses_once_in_order() {
    let template = sms("{{ city }} {{ first_name | default(name) }} {{ attributes.tier }} \
                        {% if city %}{{ attributes[\"tier\"] }}{% endif %}");
    assert_eq!(template.preview_variables(), ["city", "first_name", "name", "attributes.tier"]);
    assert!(template.text().starts_with("{{ city }}"));
    assert_eq!(template.channel(), Channel::Sms);
}

#[test]
fn errors_display_with_positions() {
    let err = MessageTemplate::parse("{{ x }}", Channel::Sms).unwrap_err();
    assert!(matches!(err, TemplateError::Invalid(_)));
    assert!(err.to_string().starts_with("line 1, column 4: unknown variable `x`"), "{err}");
}
