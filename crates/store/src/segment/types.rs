//! Typing a workspace's custom attributes for the catalogue, from the JSON types their values have.

use std::collections::BTreeMap;

use converge_domain::segment::AttributeType;
use converge_domain::AttributeKey;

/// Picks one type per key from `(key, type, customers)` counts: the type most customers hold, ties broken
/// towards string, then number. A stray value of another type then simply counts as missing for rules on
/// that key, rather than turning a mostly numeric attribute into text. Keys that are not valid
/// [`AttributeKey`]s (never written by ingest) are dropped. Sorted by key.
pub(super) fn pick_types(counts: Vec<(String, AttributeType, i64)>) -> Vec<(String, AttributeType)> {
    let mut by_key: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    for (key, kind, count) in counts {
        if AttributeKey::parse(&key).is_ok() {
            by_key.entry(key).or_default()[rank(kind)] += count;
        }
    }
    by_key
        .into_iter()
        .filter_map(|(key, counts)| {
            let best = (0..3).filter(|&i| counts[i] > 0).max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))?;
            Some((key, [AttributeType::String, AttributeType::Number, AttributeType::Boolean][best]))
        })
        .collect()
}

fn rank(kind: AttributeType) -> usize {
    match kind {
        AttributeType::String => 0,
        AttributeType::Number => 1,
        AttributeType::Boolean => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_wins_and_ties_prefer_string() {
        let picked = pick_types(vec![
            ("score".into(), AttributeType::Number, 10),
            ("score".into(), AttributeType::String, 1),
            ("tie".into(), AttributeType::Boolean, 2),
            ("tie".into(), AttributeType::String, 2),
            ("BAD KEY".into(), AttributeType::String, 5),
            ("vip".into(), AttributeType::Boolean, 3),
        ]);
        assert_eq!(
            picked,
            vec![
                ("score".into(), AttributeType::Number),
                ("tie".into(), AttributeType::String),
                ("vip".into(), AttributeType::Boolean)
            ]
        );
    }
}
