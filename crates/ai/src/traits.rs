//! What an audience rule says about its customers, for wording messages and tagging campaigns: lapsed,
//! high value, new, loyal, or in one city. Read from validated rule JSON; conditions inside a negated group
//! are ignored (a "not inactive" audience is not a win-back audience).

use serde_json::Value;

/// Traits of an audience, each true when some condition of the rule (outside any `not`) implies it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Traits {
    /// Inactive for 30 days or more, or last ordered more than 30 days ago.
    pub lapsed: bool,
    /// A lower bound on spend.
    pub high_value: bool,
    /// Joined recently, or no or one order.
    pub new: bool,
    /// A lower bound of 3 or more on orders or visits.
    pub loyal: bool,
    /// The one city the rule targets, when it names exactly one with `=` or a one-item `in`.
    pub city: Option<String>,
}

impl Traits {
    pub fn of(rule: Option<&Value>) -> Traits {
        let mut traits = Traits::default();
        if let Some(rule) = rule {
            traits.walk(rule);
        }
        traits
    }

    fn walk(&mut self, node: &Value) {
        if node.get("not").and_then(Value::as_bool) == Some(true) {
            return;
        }
        if let Some(rules) = node.get("rules").and_then(Value::as_array) {
            for member in rules {
                self.walk(member);
            }
            return;
        }
        let field = node.get("field").and_then(Value::as_str).unwrap_or("");
        let operator = node.get("operator").and_then(Value::as_str).unwrap_or("");
        let value = node.get("value");
        let number = || -> Option<f64> {
            let first = match value? {
                Value::Array(items) => items.first()?.clone(),
                other => other.clone(),
            };
            match first {
                Value::Number(n) => n.as_f64(),
                Value::String(text) => text.split(',').next()?.trim().parse().ok(),
                _ => None,
            }
        };
        let lower_bound = matches!(operator, ">" | ">=" | "between");
        match field {
            "inactive_days" if lower_bound && number().is_some_and(|n| n >= 30.0) => self.lapsed = true,
            "last_order_at" if operator == "olderThanDays" && number().is_some_and(|n| n >= 30.0) => self.lapsed = true,
            "total_spend" | "spend_last_30_days" | "spend_last_90_days" | "spend_last_365_days" if lower_bound => {
                self.high_value = number().is_some_and(|n| n > 0.0) || self.high_value
            }
            "created_at" if operator == "withinDays" => self.new = true,
            "order_count" if matches!(operator, "=" | "<" | "<=") && number().is_some_and(|n| n <= 1.0) => {
                self.new = true
            }
            "order_count" | "visits" | "orders_last_30_days" | "orders_last_90_days"
                if lower_bound && number().is_some_and(|n| n >= 3.0) =>
            {
                self.loyal = true
            }
            "city" if operator == "=" => self.city = value.and_then(Value::as_str).map(str::to_owned),
            "city" if operator == "in" => {
                if let Some([one]) = value.and_then(Value::as_array).map(Vec::as_slice) {
                    self.city = one.as_str().map(str::to_owned);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn traits_come_from_positive_conditions_only() {
        let rule = json!({"combinator": "and", "rules": [
            {"field": "inactive_days", "operator": ">=", "value": 180},
            {"field": "total_spend", "operator": ">", "value": "5000"},
            {"field": "city", "operator": "=", "value": "Pune"},
            {"combinator": "and", "not": true, "rules": [{"field": "visits", "operator": ">=", "value": 5}]}]});
        let traits = Traits::of(Some(&rule));
        assert!(traits.lapsed && traits.high_value && !traits.loyal && !traits.new);
        assert_eq!(traits.city.as_deref(), Some("Pune"));
        assert_eq!(Traits::of(None), Traits::default());
        let new = json!({"combinator": "or", "rules": [{"field": "order_count", "operator": "=", "value": 0}]});
        assert!(Traits::of(Some(&new)).new);
    }
}
