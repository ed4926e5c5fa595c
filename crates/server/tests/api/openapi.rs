//! `web/openapi.json` is the spec the router generates: the web UI's typed API client is generated from that
//! file, so a route or schema change that is not written there would leave the UI typed against an old API.
//! `UPDATE_OPENAPI=1 cargo test -p converge-server --test api openapi` rewrites it.

use std::path::PathBuf;

#[test]
fn the_committed_spec_is_what_the_router_serves() {
    let (_, spec) = converge_server::http::api_routes();
    let generated = format!("{}\n", serde_json::to_string_pretty(&spec).expect("the spec serialises"));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("web/openapi.json is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "web/openapi.json differs from the router's spec: run `UPDATE_OPENAPI=1 cargo test -p converge-server \
         --test api openapi` and rebuild the web UI"
    );
}

/// No schema reaches itself through references: fuzzers that expand references eagerly (schemathesis, in
/// CI) recurse without end on a cycle (it failed a CI run on the self-referencing rule group), and every
/// recursive shape the server takes is bounded anyway (rules: `MAX_DEPTH` levels, spelled out level by level).
#[test]
fn no_schema_refers_to_itself() {
    use serde_json::Value;
    use std::collections::{BTreeMap, BTreeSet};

    fn refs(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(target)) => {
                            out.insert(target.trim_start_matches("#/components/schemas/").to_owned());
                        }
                        _ => refs(value, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
            _ => {}
        }
    }
    let (_, spec) = converge_server::http::api_routes();
    let spec = serde_json::to_value(&spec).expect("the spec serialises");
    let schemas = spec["components"]["schemas"].as_object().expect("the spec has component schemas");
    let graph: BTreeMap<&str, BTreeSet<String>> = schemas
        .iter()
        .map(|(name, schema)| {
            let mut out = BTreeSet::new();
            refs(schema, &mut out);
            (name.as_str(), out)
        })
        .collect();
    for start in graph.keys() {
        let (mut seen, mut stack) = (BTreeSet::new(), vec![start.to_string()]);
        while let Some(name) = stack.pop() {
            for next in graph.get(name.as_str()).into_iter().flatten() {
                assert_ne!(next, start, "{start} reaches itself through {name}");
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
    }
}
