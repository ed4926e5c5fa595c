//! How each field reads in SQL: an expression for its comparable value and, where it can be missing, a
//! two-valued presence test. The expressions mirror [`converge_domain::segment::Field::value`] exactly:
//! folded shadow columns for text, the folded attributes object for attribute strings and number keys,
//! and the attribute's JSON type (from the raw `attributes`) as the presence test, so a value of another
//! type counts as missing.

use converge_domain::segment::{time, AttributeType, Builtin, Field, WindowMeasure};

use super::builder::{Dialect, Param, SqlBuilder};

/// A field's SQL. `present` is `None` for fields every customer has a value for.
pub(super) struct FieldSql {
    pub value: String,
    pub present: Option<String>,
}

fn column(value: &str) -> FieldSql {
    FieldSql { value: value.to_owned(), present: None }
}

fn nullable(value: &str) -> FieldSql {
    FieldSql { value: value.to_owned(), present: Some(format!("({value} IS NOT NULL)")) }
}

/// The recorded subscription of customer `c` to `channel` (one of the fixed channel names), or NULL: a
/// lookup by the subscriptions primary key.
pub(crate) fn status_of(channel: &str) -> String {
    format!("(SELECT s.status FROM subscriptions s WHERE s.customer_id = c.id AND s.subject = '{channel}')")
}

/// Whether customer `c`'s e-mail address or phone number is on its workspace's suppression list: the stored
/// address keys (migration 0016) looked up by the list's unique key.
pub(crate) const SUPPRESSED: &str = "EXISTS (SELECT 1 FROM suppressions s \
     WHERE s.workspace_id = c.workspace_id AND s.address_hash IN (c.email_key, c.phone_key))";

/// `min(sum(amount), cap)` on SQLite without an overflowing step: high part (amount >> 24, at most 6·10^7 per
/// order) and low part (amount & 2^24-1) summed apart; the high sum is clamped to just past the cap before it
/// is scaled back. Must equal [`converge_domain::TOTAL_CAP_MINOR`] (checked by a test).
const SQLITE_CAPPED_SPEND: &str = "min(min(COALESCE(sum(o.amount_minor >> 24), 0), 59604644776) * 16777216 \
     + COALESCE(sum(o.amount_minor & 16777215), 0), 1000000000000000000)";

/// The SQL of `field` (any field but `inactive_days`, which the compiler rewrites into time bounds).
pub(super) fn field_sql(b: &mut SqlBuilder, field: &Field, dialect: Dialect, now_ms: i64) -> FieldSql {
    match field {
        Field::Builtin(builtin) => builtin_sql(b, *builtin, dialect, now_ms),
        Field::Attribute(key, kind) => attribute_sql(b, key.as_str(), *kind, dialect),
    }
}

fn builtin_sql(b: &mut SqlBuilder, field: Builtin, dialect: Dialect, now_ms: i64) -> FieldSql {
    if let Some(window) = field.window() {
        let cutoff = b.param(Param::Timestamp(time::from_millis(time::days_before(now_ms, window.days))));
        let measure = match (window.measure, dialect) {
            (WindowMeasure::Count, _) => "count(*)",
            // Postgres sums bigints into numeric, which cannot overflow.
            (WindowMeasure::Spend, Dialect::Postgres) => "LEAST(COALESCE(sum(o.amount_minor), 0), 1000000000000000000)",
            // SQLite's sum() fails on overflow, so the amounts are summed as two halves (each far from
            // overflowing for any number of orders a table can hold) and joined under the cap.
            (WindowMeasure::Spend, Dialect::Sqlite) => SQLITE_CAPPED_SPEND,
        };
        return column(&format!(
            "(SELECT {measure} FROM orders o WHERE o.customer_id = c.id AND o.ordered_at > {cutoff})"
        ));
    }
    match field {
        Builtin::TotalSpend => column("c.total_spend"),
        Builtin::OrderCount => column("c.order_count"),
        Builtin::Visits => column("c.visits"),
        Builtin::LastOrderAt => nullable("c.last_order_at"),
        Builtin::CreatedAt => column("c.created_at"),
        Builtin::City => nullable("c.city_fold"),
        Builtin::Email => nullable("c.email_fold"),
        Builtin::Name => nullable("c.name_fold"),
        // Stored phones are `+digits`, which folding leaves unchanged.
        Builtin::Phone => nullable("c.phone"),
        Builtin::Gender => nullable("c.gender"),
        Builtin::PreferredChannel => nullable("c.preferred_channel"),
        Builtin::EmailStatus => nullable(&status_of("email")),
        Builtin::SmsStatus => nullable(&status_of("sms")),
        Builtin::WhatsappStatus => nullable(&status_of("whatsapp")),
        Builtin::HasProfile => column("(CASE WHEN c.profile_received_at IS NULL THEN 'false' ELSE 'true' END)"),
        Builtin::Suppressed => column(&format!("(CASE WHEN {SUPPRESSED} THEN 'true' ELSE 'false' END)")),
        // inactive_days is compiled to time bounds by the caller; the window fields were answered above.
        Builtin::InactiveDays
        | Builtin::OrdersLast30Days
        | Builtin::OrdersLast90Days
        | Builtin::SpendLast30Days
        | Builtin::SpendLast90Days
        | Builtin::SpendLast365Days => column("COALESCE(c.last_order_at, c.created_at)"),
    }
}

/// Booleans compare as the JSON type name (`'true'`/`'false'`) on both backends, so a rule's boolean is
/// bound as that text.
fn attribute_sql(b: &mut SqlBuilder, key: &str, kind: AttributeType, dialect: Dialect) -> FieldSql {
    match dialect {
        Dialect::Sqlite => {
            let path = b.param(Param::Text(format!("$.\"{key}\"")));
            let types = match kind {
                AttributeType::String => "('text')",
                AttributeType::Number => "('integer', 'real')",
                AttributeType::Boolean => "('true', 'false')",
            };
            let value = match kind {
                AttributeType::Boolean => format!("json_type(c.attributes, {path})"),
                _ => format!("json_extract(c.attributes_fold, {path})"),
            };
            FieldSql { value, present: Some(format!("(COALESCE(json_type(c.attributes, {path}), '') IN {types})")) }
        }
        Dialect::Postgres => {
            let key = b.param(Param::Text(key.to_owned()));
            let json_type = match kind {
                AttributeType::String => "string",
                AttributeType::Number => "number",
                AttributeType::Boolean => "boolean",
            };
            let value = match kind {
                AttributeType::String => format!("(c.attributes_fold ->> {key})"),
                // Number keys order correctly only byte-wise.
                AttributeType::Number => format!("((c.attributes_fold ->> {key}) COLLATE \"C\")"),
                AttributeType::Boolean => format!("(c.attributes ->> {key})"),
            };
            let present = format!("(COALESCE(jsonb_typeof(c.attributes -> {key}), '') = '{json_type}')");
            FieldSql { value, present: Some(present) }
        }
    }
}

#[cfg(test)]
mod tests {
    use converge_domain::TOTAL_CAP_MINOR;

    #[test]
    fn the_spend_sql_caps_where_the_domain_does() {
        let cap = TOTAL_CAP_MINOR.to_string();
        let clamp = ((TOTAL_CAP_MINOR >> 24) + 1).to_string();
        assert!(super::SQLITE_CAPPED_SPEND.contains(&cap) && super::SQLITE_CAPPED_SPEND.contains(&clamp));
        // The clamped high part, scaled back, reaches the cap, and adding a low sum of 10^11 orders stays an i64.
        const { assert!(((TOTAL_CAP_MINOR >> 24) + 1) << 24 >= TOTAL_CAP_MINOR) };
        const { assert!((((TOTAL_CAP_MINOR >> 24) + 1) << 24).checked_add(100_000_000_000 << 24).is_some()) };
    }
}
