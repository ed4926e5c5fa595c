//! The field catalogue: every field a rule may use, with its type and operators. The rule builder renders
//! from it (`GET /api/v1/segment-fields`), and the parser accepts nothing that is not in it.

use serde::{Serialize, Serializer};

use super::field::{AttributeType, Builtin, Field, FieldKind};
use super::operator::{Operator, OperatorInput};
use crate::fields::AttributeKey;

/// One field of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// What the parser turns the name into.
    pub field: Field,
    /// The name rules use: `total_spend`, `attributes.tier`.
    pub name: String,
    /// Human label for the rule builder.
    pub label: String,
    pub kind: FieldKind,
    /// Operators valid for this field, in display order.
    pub operators: Vec<Operator>,
    /// Whether a customer can lack a value (then `null`/`notNull` are offered).
    pub nullable: bool,
    /// One sentence on what the field means, including how a missing value behaves.
    pub description: String,
}

/// The operators of a field of this kind: `null`/`notNull` only where a value can be missing, and booleans
/// only compare with `=` (a "not true" for a field that can be missing would be ambiguous).
pub fn operators_for(kind: &FieldKind, nullable: bool) -> Vec<Operator> {
    use Operator::*;
    let mut operators = match kind {
        FieldKind::Money | FieldKind::Integer | FieldKind::Number => vec![Eq, Ne, Lt, Le, Gt, Ge, Between, NotBetween],
        FieldKind::String => vec![Eq, Ne, Contains, BeginsWith, EndsWith, DoesNotContain, In, NotIn],
        FieldKind::Enum { .. } => vec![Eq, Ne, In, NotIn],
        FieldKind::Date => vec![Lt, Le, Gt, Ge, Between, NotBetween, WithinDays, OlderThanDays],
        FieldKind::Boolean => vec![Eq],
    };
    if nullable {
        operators.extend([Null, NotNull]);
    }
    operators
}

fn builtin_text(field: Builtin) -> (&'static str, &'static str) {
    match field {
        Builtin::TotalSpend => ("Total spend", "Sum of all the customer's orders, in the workspace currency."),
        Builtin::OrderCount => ("Orders", "Number of orders the customer placed."),
        Builtin::Visits => ("Visits", "Number of visits; each order counts as one visit."),
        Builtin::LastOrderAt => ("Last order", "When the customer last ordered; empty if they never did."),
        Builtin::InactiveDays => (
            "Days inactive",
            "Whole days since the last order, or since the customer was created if they never ordered.",
        ),
        Builtin::CreatedAt => ("Customer since", "When the customer was created."),
        Builtin::City => ("City", "City, compared case-insensitively."),
        Builtin::Email => ("E-mail", "E-mail address, compared case-insensitively."),
        Builtin::Name => ("Name", "Full name, compared case-insensitively."),
        Builtin::Phone => ("Phone", "Phone number as stored: digits with an optional leading +."),
        Builtin::Gender => ("Gender", "Gender as recorded."),
        Builtin::PreferredChannel => ("Preferred channel", "The messaging channel the customer prefers."),
        Builtin::HasProfile => ("Has profile", "False while only orders have named the customer."),
        Builtin::OrdersLast30Days => ("Orders in the last 30 days", "Orders placed in the last 30 days."),
        Builtin::OrdersLast90Days => ("Orders in the last 90 days", "Orders placed in the last 90 days."),
        Builtin::SpendLast30Days => ("Spend in the last 30 days", "Sum of orders placed in the last 30 days."),
        Builtin::SpendLast90Days => ("Spend in the last 90 days", "Sum of orders placed in the last 90 days."),
        Builtin::SpendLast365Days => ("Spend in the last 365 days", "Sum of orders placed in the last 365 days."),
        Builtin::EmailStatus => ("E-mail consent", "The e-mail subscription as recorded; empty when none is."),
        Builtin::SmsStatus => ("SMS consent", "The SMS subscription as recorded; empty when none is."),
        Builtin::WhatsappStatus => ("WhatsApp consent", "The WhatsApp subscription as recorded; empty when none is."),
        Builtin::Suppressed => {
            ("Suppressed", "True when the customer's e-mail address or phone number is on the suppression list.")
        }
    }
}

impl FieldDef {
    fn new(field: Field, label: String, description: String) -> FieldDef {
        let kind = field.kind();
        let nullable = field.nullable();
        FieldDef {
            name: field.name(),
            label,
            operators: operators_for(&kind, nullable),
            kind,
            nullable,
            description,
            field,
        }
    }

    /// The serializable view the UI receives.
    pub fn view(&self) -> FieldView {
        let values = match &self.kind {
            FieldKind::Enum { values } => Some(values.clone()),
            _ => None,
        };
        FieldView {
            name: self.name.clone(),
            label: self.label.clone(),
            kind: self.kind.type_name(),
            values,
            operators: self
                .operators
                .iter()
                .map(|op| OperatorView { name: op.name(), label: op.label(), input: op.input() })
                .collect(),
            nullable: self.nullable,
            description: self.description.clone(),
        }
    }
}

/// A field as the rule builder receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldView {
    /// The name rules use, e.g. `total_spend` or `attributes.tier`.
    pub name: String,
    pub label: String,
    /// `money`, `integer`, `number`, `date`, `string`, `enum` or `boolean`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The allowed values of an `enum` field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    pub operators: Vec<OperatorView>,
    pub nullable: bool,
    pub description: String,
}

/// An operator as the rule builder receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct OperatorView {
    /// react-querybuilder's operator name, e.g. `notBetween`.
    pub name: &'static str,
    pub label: &'static str,
    pub input: OperatorInput,
}

/// The fields of one workspace: the built-in ones, then its custom attributes in key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    fields: Vec<FieldDef>,
}

impl Catalogue {
    /// Only the built-in fields.
    pub fn builtin() -> Catalogue {
        let fields = Builtin::ALL
            .into_iter()
            .map(|builtin| {
                let (label, description) = builtin_text(builtin);
                FieldDef::new(Field::Builtin(builtin), label.to_owned(), description.to_owned())
            })
            .collect();
        Catalogue { fields }
    }

    /// The built-in fields plus `attributes.<key>` for each given key, typically what the store's
    /// `attribute_types(workspace)` reports. Keys that are not valid [`AttributeKey`]s, and repeats (the first
    /// type wins), are skipped: a catalogue never offers a name a rule could not use.
    pub fn with_attributes(attributes: &[(String, AttributeType)]) -> Catalogue {
        let mut catalogue = Catalogue::builtin();
        let mut sorted: Vec<&(String, AttributeType)> = attributes.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|a, b| a.0 == b.0);
        for (raw_key, kind) in sorted {
            let Ok(key) = AttributeKey::parse(raw_key) else { continue };
            let type_word = match kind {
                AttributeType::String => "text",
                AttributeType::Number => "number",
                AttributeType::Boolean => "true/false",
            };
            let description = format!("Custom attribute {key}; a customer without a {type_word} value here is empty.");
            catalogue.fields.push(FieldDef::new(Field::Attribute(key.clone(), *kind), key.to_string(), description));
        }
        catalogue
    }

    /// Every field, in display order.
    pub fn fields(&self) -> &[FieldDef] {
        &self.fields
    }

    /// The field named `name` exactly (`attributes.tier`), if the catalogue has it.
    pub fn get(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|def| def.name == name)
    }

    /// The serializable views, in display order.
    pub fn views(&self) -> Vec<FieldView> {
        self.fields.iter().map(FieldDef::view).collect()
    }
}

/// Serializes as the JSON array of [`FieldView`]s.
impl Serialize for Catalogue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.views().serialize(serializer)
    }
}
