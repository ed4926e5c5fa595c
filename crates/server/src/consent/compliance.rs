//! A workspace's compliance settings as the server uses them: stored ones parsed, else the defaults
//! (every channel `allowed`, no quiet hours, no cap, the default SMS opt-out line, UTC).

use converge_domain::Compliance;
use converge_domain::WorkspaceId;
use converge_store::Store;

/// The settings `workspace_id` uses now. A stored document that no longer parses is an error, not a silent
/// fallback to laxer defaults.
pub async fn load(store: &dyn Store, workspace_id: WorkspaceId) -> anyhow::Result<Compliance> {
    match store.compliance_settings(workspace_id).await? {
        None => Ok(Compliance::default()),
        Some(json) => serde_json::from_value(json).map_err(|err| {
            anyhow::anyhow!("the stored compliance settings of workspace {workspace_id} do not parse: {err}")
        }),
    }
}
