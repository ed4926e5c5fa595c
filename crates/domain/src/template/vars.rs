//! What a template can say about a customer: the [`TEMPLATE_VARIABLES`] catalogue (the allow-list the
//! checker uses and the UI shows) and [`TemplateVars`], one customer's values.

use std::collections::BTreeMap;

use minijinja::Value;
use serde_json::{Map, Value as Json};

/// One variable a template may use, as the UI lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct TemplateVariable {
    /// The name to write between `{{ }}`; `attributes` is a map, written `attributes.<key>`.
    pub name: &'static str,
    /// What it holds, for a tooltip.
    pub description: &'static str,
    /// A typical rendered value.
    pub example: &'static str,
}

/// The name of the one map variable; any key of it is accepted at parse time because brands invent their own.
pub(crate) const ATTRIBUTES: &str = "attributes";

/// Every variable a template may use. Anything else is refused when the template is parsed, so a typo is
/// caught at campaign creation instead of rendering as an empty string to a million customers.
pub const TEMPLATE_VARIABLES: &[TemplateVariable] = &[
    var("name", "The customer's full name as stored.", "Priya Sharma"),
    var("first_name", "First word of the name.", "Priya"),
    var("last_name", "Last word of the name; empty when the name is a single word.", "Sharma"),
    var("email", "The customer's e-mail address.", "priya.sharma@example.in"),
    var("phone", "The customer's phone number.", "+919876543210"),
    var("city", "The customer's city.", "Bengaluru"),
    var("external_id", "Your identifier of the customer.", "C00000042"),
    var("attributes", "Custom fields by key, written attributes.<key>, e.g. attributes.tier.", "gold"),
    var("total_spend", "Lifetime spend, formatted with its currency.", "₹12,450.00"),
    var("order_count", "Number of orders placed.", "7"),
    var("brand", "Your brand's name (Settings → Brand); the workspace's display name until it is set.", "Acme Stores"),
    var(
        POSTAL_ADDRESS,
        "Your brand's postal address (Settings → Brand), for the footer of marketing e-mail.",
        "Acme Stores, 12 MG Road, Bengaluru 560001",
    ),
    var(
        UNSUBSCRIBE_URL,
        "This message's signed unsubscribe and preferences link. Every e-mail template must contain it.",
        "https://crm.acme.in/u/1.42.9001.e.Zm9vYmFyYmF6cXV4",
    ),
];

/// The variable every e-mail template must use (CAN-SPAM, and Gmail's and Yahoo's bulk-sender rules).
pub const UNSUBSCRIBE_URL: &str = "unsubscribe_url";

/// The brand's postal address (CAN-SPAM asks for one in every marketing e-mail).
pub const POSTAL_ADDRESS: &str = "postal_address";

const fn var(name: &'static str, description: &'static str, example: &'static str) -> TemplateVariable {
    TemplateVariable { name, description, example }
}

/// Whether `name` is a top-level variable of the catalogue.
pub(crate) fn is_known(name: &str) -> bool {
    TEMPLATE_VARIABLES.iter().any(|v| v.name == name)
}

/// One customer's values for rendering. A value the customer lacks (no city, a one-word name's
/// `last_name`, a missing attribute) is left *undefined*: it renders as an empty string, and
/// `| default("…")` replaces it.
#[derive(Debug, Clone)]
pub struct TemplateVars {
    /// Built once so rendering a template for the same customer twice (preview, then send) converts nothing.
    root: Value,
    context: BTreeMap<&'static str, Value>,
}

impl TemplateVars {
    /// Builds the values from a customer row. `first_name`/`last_name` are the first and last
    /// whitespace-separated words of `name`; blank strings count as missing. Attribute values that are not
    /// scalars (or are `null`) are left out: attributes are validated as scalars on ingest, and printing JSON
    /// into a message is never what a marketer meant. Integral numbers stay integers so `{% if
    /// attributes.visits > 3 %}` compares numerically.
    ///
    /// The argument list mirrors the customer columns the dispatch worker reads, in that order.
    #[allow(clippy::too_many_arguments)]
    pub fn for_customer(
        name: Option<&str>,
        email: Option<&str>,
        phone: Option<&str>,
        city: Option<&str>,
        external_id: &str,
        attributes: &Map<String, Json>,
        total_spend_display: &str,
        order_count: i64,
        brand: &str,
    ) -> TemplateVars {
        let mut context = BTreeMap::new();
        let mut put = |key: &'static str, value: Option<&str>| {
            if let Some(text) = value.map(str::trim).filter(|text| !text.is_empty()) {
                context.insert(key, Value::from(text));
            }
        };
        put("name", name);
        let mut words = name.unwrap_or_default().split_whitespace();
        let first = words.next();
        put("first_name", first);
        put("last_name", words.next_back());
        put("email", email);
        put("phone", phone);
        put("city", city);
        put("external_id", Some(external_id));
        put("total_spend", Some(total_spend_display));
        put("brand", Some(brand));
        context.insert("order_count", Value::from(order_count));
        let attributes: BTreeMap<String, Value> =
            attributes.iter().filter_map(|(key, value)| Some((key.clone(), scalar(value)?))).collect();
        context.insert(ATTRIBUTES, Value::from(attributes));
        TemplateVars { root: Value::from(context.clone()), context }
    }

    /// The same values with this message's unsubscribe link.
    pub fn with_unsubscribe_url(mut self, url: &str) -> TemplateVars {
        // Our own link (the operator's public URL and a token of URL-safe characters): inserted as it is, so
        // an e-mail's `href` reads normally, unless it holds a character HTML would need escaped.
        let value = if url.contains(['<', '>', '"', '\'', '&']) {
            Value::from(url)
        } else {
            Value::from_safe_string(url.to_owned())
        };
        self.context.insert(UNSUBSCRIBE_URL, value);
        self.root = Value::from(self.context.clone());
        self
    }

    /// The same values with the brand's postal address (left undefined when the workspace has none).
    pub fn with_postal_address(mut self, address: Option<&str>) -> TemplateVars {
        if let Some(address) = address.map(str::trim).filter(|a| !a.is_empty()) {
            self.context.insert(POSTAL_ADDRESS, Value::from(address));
            self.root = Value::from(self.context.clone());
        }
        self
    }

    /// The same values with another brand name (the preview's example customer in a real workspace).
    pub fn with_brand(mut self, brand: &str) -> TemplateVars {
        self.context.insert("brand", Value::from(brand));
        self.root = Value::from(self.context.clone());
        self
    }

    /// Values taken from the catalogue's examples (plus `attributes.tier = "gold"`), for previews and tests.
    pub fn example() -> TemplateVars {
        let example = |name: &str| TEMPLATE_VARIABLES.iter().find(|v| v.name == name).map(|v| v.example);
        let mut attributes = Map::new();
        attributes.insert("tier".to_owned(), Json::from("gold"));
        TemplateVars::for_customer(
            example("name"),
            example("email"),
            example("phone"),
            example("city"),
            example("external_id").unwrap_or_default(),
            &attributes,
            example("total_spend").unwrap_or_default(),
            7,
            example("brand").unwrap_or_default(),
        )
        .with_unsubscribe_url(example(UNSUBSCRIBE_URL).unwrap_or_default())
        .with_postal_address(example(POSTAL_ADDRESS))
    }

    /// The root value handed to the engine.
    pub(crate) fn root(&self) -> Value {
        self.root.clone()
    }
}

fn scalar(value: &Json) -> Option<Value> {
    match value {
        Json::String(text) => Some(Value::from(text.as_str())),
        Json::Bool(flag) => Some(Value::from(*flag)),
        Json::Number(number) => match number.as_i64() {
            Some(integer) => Some(Value::from(integer)),
            None => number.as_f64().filter(|f| f.is_finite()).map(Value::from),
        },
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}
