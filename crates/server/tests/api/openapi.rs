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
