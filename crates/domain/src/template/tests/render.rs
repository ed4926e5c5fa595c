//! How values render: missing values, defaults, filters, escaping, and the render limits.

use serde_json::json;

use super::{attributes, bare, priya, sms};
use crate::template::{MessageTemplate, TemplateError, TemplateVars, TEMPLATE_VARIABLES};
use crate::Channel;

fn render(text: &str, vars: &TemplateVars) -> String {
    sms(text).render(vars).unwrap()
}

#[test]
fn personalises_with_customer_fields() {
    let table = [
        ("Hi {{ first_name | default(\"there\") }}, {{ city }} …", "Hi Priya, Pune …"),
        ("{{ name }}|{{ first_name }}|{{ last_name }}", "Priya  Devi Sharma|Priya|Sharma"),
        ("{{ email }} {{ phone }} {{ external_id }}", "priya@example.in +919876543210 C1"),
        ("{{ total_spend }} over {{ order_count }} orders at {{ brand }}", "₹1,234.50 over 3 orders at Acme"),
        (
            "{{ attributes.tier }} {{ attributes[\"visits\"] }} {{ attributes.score }} {{ attributes.vip }}",
            "gold 4 2.5 True",
        ),
        ("[{{ attributes.nested }}][{{ attributes.missing }}]", "[][]"),
        ("{% if attributes.visits > 3 %}loyal{% else %}new{% endif %}", "loyal"),
        ("{% if attributes.tier == \"gold\" and city in [\"Pune\"] %}yes{% endif %}", "yes"),
        ("{{ \"VIP\" if attributes.vip else \"friend\" }}", "VIP"),
    ];
    for (text, expected) in table {
        assert_eq!(render(text, &priya()), expected, "{text:?}");
    }
}

#[test]
fn missing_values_render_empty_unless_defaulted() {
    let table = [
        ("Hi {{ first_name }}, {{ city }}.", "Hi , ."),
        ("Hi {{ first_name | default(\"there\") }}!", "Hi there!"),
        ("{{ last_name | default(name) | default(\"friend\") }}", "friend"),
        ("{{ city | upper | default(\"nowhere\") }}", "nowhere"),
        ("{{ attributes.tier | default(\"member\") }}", "member"),
        ("{% if city %}in {{ city }}{% else %}near you{% endif %}", "near you"),
        ("{{ order_count }} {{ order_count | default(\"none\", true) }}", "0 none"),
    ];
    for (text, expected) in table {
        assert_eq!(render(text, &bare()), expected, "{text:?}");
    }
}

#[test]
fn name_parts_and_blank_values() {
    let one_word =
        TemplateVars::for_customer(Some("Cher"), Some("  "), None, Some(""), "C3", &attributes(json!({})), "", 1, "");
    assert_eq!(
        render("{{ first_name }}|{{ last_name }}|{{ email }}|{{ city | default(\"?\") }}", &one_word),
        "Cher|||?"
    );
    assert_eq!(render("{{ brand | default(\"us\") }} {{ total_spend | default(\"-\") }}", &one_word), "us -");
}

#[test]
fn filters_behave_like_jinja_with_exact_bounds() {
    let table = [
        ("{{ \"hello wORLD\" | title }}", "Hello World"),
        ("{{ \"o'neil-smith\" | title }}", "O'Neil-Smith"),
        ("{{ \"hello WORLD\" | capitalize }}", "Hello world"),
        ("{{ \"straße\" | upper }}", "STRASSE"),
        ("{{ \"  x  \" | trim }}|", "x|"),
        ("{{ \"one two three\" | truncate(9) }}", "one..."),
        ("{{ \"one two three\" | truncate(9, true) }}", "one tw..."),
        ("{{ \"one two three\" | truncate(8, false, \"…\") }}", "one two…"),
        ("{{ \"short\" | truncate(5) }}", "short"),
        ("{{ \"a-b-c\" | replace(\"-\", \"+\") }} {{ \"a-b-c\" | replace(\"-\", \"\", 1) }}", "a+b+c ab-c"),
        ("{{ order_count | replace(\"3\", \"three\") }}", "three"),
    ];
    for (text, expected) in table {
        assert_eq!(render(text, &priya()), expected, "{text:?}");
    }
}

#[test]
fn sms_and_whatsapp_are_plain_text_and_email_escapes_values() {
    let vars = TemplateVars::for_customer(
        Some("<b>Tom</b> & \"Jerry\""),
        None,
        None,
        None,
        "C4",
        &attributes(json!({"link": "<a href='x'>"})),
        "",
        0,
        "A&B",
    );
    let text = "Hi {{ name }} {{ attributes.link }} <p>";
    for channel in [Channel::Sms, Channel::Whatsapp] {
        let rendered = MessageTemplate::parse(text, channel).unwrap().render(&vars).unwrap();
        assert_eq!(rendered, "Hi <b>Tom</b> & \"Jerry\" <a href='x'> <p>");
    }
    let email = MessageTemplate::parse(&format!("{text}{{{{ unsubscribe_url }}}}"), Channel::Email).unwrap();
    let email = email.render(&vars.clone().with_unsubscribe_url("https://x.in/u/1?a=b")).unwrap();
    assert_eq!(
        email,
        "Hi &lt;b&gt;Tom&lt;&#x2f;b&gt; &amp; &quot;Jerry&quot; &lt;a href=&#x27;x&#x27;&gt; <p>https://x.in/u/1?a=b"
    );
    let odd = MessageTemplate::parse("{{ unsubscribe_url }}", Channel::Email).unwrap();
    assert_eq!(
        odd.render(&vars.clone().with_unsubscribe_url("https://x.in/\"><b>")).unwrap(),
        "https:&#x2f;&#x2f;x.in&#x2f;&quot;&gt;&lt;b&gt;"
    );
    // Filters cannot smuggle markup past the escaping either.
    let email =
        MessageTemplate::parse("{{ brand | replace(\"&\", \"<i>\") }}{{ unsubscribe_url }}", Channel::Email).unwrap();
    assert_eq!(email.render(&vars).unwrap(), "A&lt;i&gt;B");
}

#[test]
fn output_is_limited_per_channel() {
    let long = TemplateVars::for_customer(
        None,
        None,
        None,
        None,
        "C5",
        &attributes(json!({"bio": "é".repeat(1000)})),
        "",
        0,
        "",
    );
    let template = sms("{{ attributes.bio }}{{ attributes.bio }}");
    assert_eq!(
        template.render(&long),
        Err(TemplateError::Render("the message is 2000 characters long; sms messages allow at most 1600".into()))
    );
    let whatsapp = MessageTemplate::parse("{{ attributes.bio }}{{ attributes.bio }}", Channel::Whatsapp).unwrap();
    assert_eq!(whatsapp.render(&long).map(|s| s.chars().count()), Ok(2000));
}

#[test]
fn amplifying_filters_are_refused_not_executed() {
    let vars = TemplateVars::for_customer(
        None,
        None,
        None,
        None,
        "C6",
        &attributes(json!({"x": "a".repeat(1000)})),
        "",
        0,
        "",
    );
    let blowup = format!("{{{{ attributes.x | replace(\"a\", \"{}\") }}}}{{{{ unsubscribe_url }}}}", "b".repeat(200));
    let err = MessageTemplate::parse(&blowup, Channel::Email).unwrap().render(&vars).unwrap_err();
    assert_eq!(err, TemplateError::Render("a value grew past 100000 bytes".into()));
    // Chains that stay under the value limit run out of fuel instead of growing without bound.
    let step = format!("| replace(\"a\", \"{}\") | replace(\"b\", \"a\") ", "b".repeat(90));
    let chain = format!("{{{{ attributes.x {} }}}}{{{{ unsubscribe_url }}}}", step.repeat(40));
    let err = MessageTemplate::parse(&chain, Channel::Email).unwrap().render(&vars).unwrap_err();
    assert!(matches!(err, TemplateError::Render(_)), "{err:?}");
}

#[test]
fn catalogue_examples_render_and_cover_every_variable() {
    let all: Vec<String> =
        TEMPLATE_VARIABLES
            .iter()
            .map(|v| {
                if v.name == "attributes" {
                    "{{ attributes.tier }}".to_owned()
                } else {
                    format!("{{{{ {} }}}}", v.name)
                }
            })
            .collect();
    let template = MessageTemplate::parse(&all.join("|"), Channel::Email).unwrap();
    let rendered = template.render(&TemplateVars::example()).unwrap();
    let examples: Vec<&str> = TEMPLATE_VARIABLES.iter().map(|v| v.example).collect();
    assert_eq!(rendered, examples.join("|"));
}

#[test]
fn fuel_is_per_render_and_covers_the_largest_accepted_templates() {
    let piece = "{{ first_name | default(name) | upper | truncate(10) }} {% if city %}{{ city | title }}{% endif %}\n";
    let link = "{{ unsubscribe_url }}";
    let text = piece.repeat((crate::template::MAX_EMAIL_TEMPLATE_CHARS - link.len()) / piece.len()) + link;
    let template = MessageTemplate::parse(&text, Channel::Email).unwrap();
    for _ in 0..200 {
        assert!(template.render(&priya()).is_ok());
    }
}

#[test]
fn templates_are_shareable_across_worker_threads() {
    fn shareable<T: Send + Sync + Clone>() {}
    shareable::<MessageTemplate>();
    shareable::<TemplateVars>();
}

#[test]
fn catalogue_schema_is_documented() {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(crate::template::TemplateVariable::schema()).unwrap();
    assert_eq!(schema["required"], json!(["name", "description", "example"]));
    let issue = serde_json::to_value(crate::template::TemplateIssue::schema()).unwrap();
    assert_eq!(issue["required"], json!(["line", "column", "message"]));
}
