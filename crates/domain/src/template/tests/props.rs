//! Properties over arbitrary input: any text either fails to parse or renders without panicking, within the
//! channel's output limit, for any customer; and templates built only from the allowed grammar parse.

use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::template::{MessageTemplate, TemplateVars};
use crate::Channel;

/// Fragments of template syntax, so random texts reach the parser's corners, not just plain text.
const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    "{%-",
    "-%}",
    " ",
    "\n",
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "in",
    "set",
    "raw",
    "endraw",
    "not",
    "and",
    "or",
    "==",
    ">",
    "(",
    ")",
    "[",
    "]",
    ",",
    "|",
    ".",
    "\"",
    "'",
    "~",
    "*",
    "name",
    "first_name",
    "city",
    "attributes",
    "attributes.tier",
    "order_count",
    "frist_name",
    "upper",
    "title",
    "default(",
    "truncate(",
    "replace(",
    "\"a\"",
    "\"\"",
    "3",
    "-1",
    "true",
    "none",
    "x",
    "é",
    "😀",
];

const VARIABLES: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "city",
    "external_id",
    "total_spend",
    "order_count",
    "brand",
    "attributes.tier",
    "attributes[\"x\"]",
    "attributes.missing",
];

const LITERALS: &[&str] = &["\"a\"", "\"\"", "\"é😀<&>\"", "'x'", "0", "3", "255", "2.5", "true", "false", "none"];

/// Filter applications that the checker accepts.
const FILTERS: &[&str] = &[
    "| upper",
    "| lower",
    "| title",
    "| capitalize",
    "| trim",
    "| truncate",
    "| truncate(3)",
    "| truncate(5, true, \"…\")",
    "| default(\"there\")",
    "| default(\"\", true)",
    "| replace(\"a\", \"bbbbbbbbbbbbbbbb\")",
    "| replace(\"e\", \"\", 1)",
];

/// Expressions and filters the checker refuses.
const REFUSED: &[&str] =
    &["x", "name in city", "range(3)", "name.upper()", "name ~ city", "\"a\" * 9", "name is defined", "| safe"];

fn allowed_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![prop::sample::select(VARIABLES), prop::sample::select(LITERALS)].prop_map(str::to_owned);
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(FILTERS)).prop_map(|(e, f)| format!("{e} {f}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} | default({b}))")),
            inner.clone().prop_map(|e| format!("(not {e})")),
            (inner.clone(), inner.clone(), prop::sample::select(&["and", "or", "==", "!=", "<", ">="][..]))
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            (inner.clone(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(a, items)| format!("({a} in [{}])", items.join(", "))),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("({a} if {b} else {c})")),
            prop::collection::vec(inner, 0..3).prop_map(|items| format!("[{}]", items.join(", "))),
        ]
    })
}

fn allowed_template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[ a-zA-Z€é😀<&\n]{0,12}",
        allowed_expr().prop_map(|e| format!("{{{{ {e} }}}}")),
        (allowed_expr(), allowed_expr(), allowed_expr())
            .prop_map(|(c, a, b)| format!("{{% if {c} %}}{{{{ {a} }}}}{{% else %}}{{{{ {b} }}}}{{% endif %}}")),
    ];
    prop::collection::vec(piece, 1..6).prop_map(|pieces| format!("Hi {}", pieces.concat()))
}

/// An allowed template with something refused or broken spliced in at a random place.
fn damaged_template() -> impl Strategy<Value = String> {
    let damage = prop_oneof![prop::sample::select(REFUSED), prop::sample::select(PIECES)];
    (allowed_template(), damage, any::<prop::sample::Index>()).prop_map(|(text, damage, at)| {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let at = boundaries[at.index(boundaries.len())];
        format!("{}{damage}{}", &text[..at], &text[at..])
    })
}

fn template_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,80}",
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|pieces| pieces.concat()),
        allowed_template(),
        damaged_template(),
    ]
}

fn customer() -> impl Strategy<Value = TemplateVars> {
    let text = || prop::option::of(".{0,40}");
    let attributes = prop::collection::btree_map(
        "[a-z]{1,5}",
        prop_oneof![
            ".{0,30}".prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::from)
        ],
        0..4,
    );
    (text(), text(), text(), text(), ".{0,10}", attributes, any::<i64>()).prop_map(
        |(name, email, phone, city, id, attributes, orders)| {
            let attributes: Map<String, Value> = attributes.into_iter().collect();
            TemplateVars::for_customer(
                name.as_deref(),
                email.as_deref(),
                phone.as_deref(),
                city.as_deref(),
                &id,
                &attributes,
                "₹1.00",
                orders,
                "Brand",
            )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_templates_parse_or_render_within_limits(text in template_text(), vars in customer()) {
        for channel in Channel::ALL {
            if let Ok(template) = MessageTemplate::parse(&text, channel) {
                if let Ok(rendered) = template.render(&vars) {
                    prop_assert!(rendered.chars().count() <= MessageTemplate::max_output_chars(channel));
                }
            }
        }
    }

    #[test]
    fn the_allowed_grammar_parses_and_renders_for_anyone(text in allowed_template(), vars in customer()) {
        let text = format!("{text}{{{{ unsubscribe_url }}}}");
        let template = MessageTemplate::parse(&text, Channel::Email);
        prop_assert!(template.is_ok(), "{text:?}: {template:?}");
        if let Ok(template) = template {
            let rendered = template.render(&vars);
            prop_assert!(rendered.is_ok(), "{text:?}: {rendered:?}");
        }
    }

    #[test]
    fn refusals_point_inside_the_text(text in template_text()) {
        if let Err(err) = MessageTemplate::parse(&text, Channel::Sms) {
            let lines = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
            for issue in err.issues() {
                prop_assert!(issue.line >= 1 && issue.line <= lines, "{issue:?} in {text:?}");
                prop_assert!(issue.column >= 1);
            }
        }
    }
}
