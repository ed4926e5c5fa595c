//! The command line: `serve`, `worker`, `migrate`, `demo`, `workspace create`, `api-key create`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use converge_domain::Currency;
use converge_store::NewApiKey;

use crate::auth::{GeneratedKey, Scope};
use crate::config::{LogFormat, Overrides, Role, Settings};
use crate::startup::{ensure_default_workspace, open_store, Application};

#[derive(Debug, Parser)]
#[command(name = "converge", version, about = "Converge: customers, audiences and campaigns in one binary")]
pub struct Cli {
    /// Optional TOML settings file (also CONVERGE_CONFIG).
    #[arg(long, global = true, env = "CONVERGE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server: API, workers and everything else (see --role).
    Serve(ServeArgs),
    /// Run stream consumers only (same as `serve --role worker`).
    Worker(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DataArgs),
    /// Load a realistic, deterministic sample of customers and orders.
    Demo(DemoArgs),
    /// Manage workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Manage API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Directory of the embedded database and queue (also CONVERGE_DATA_DIR).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (also CONVERGE_BIND); default 127.0.0.1:8080.
    #[arg(long)]
    pub bind: Option<SocketAddr>,
    #[arg(long, value_enum)]
    pub role: Option<Role>,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value = "default")]
    pub workspace: String,
    #[arg(long, default_value_t = 3_000)]
    pub customers: u64,
    #[arg(long, default_value_t = 15_000)]
    pub orders: u64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace.
    Create {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        /// ISO 4217 currency of the workspace's money (default: the configured default, INR).
        #[arg(long)]
        currency: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; it is printed once, alone on the last line.
    Create {
        #[arg(long)]
        workspace: String,
        /// Comma-separated: ingest, read, campaigns, all.
        #[arg(long)]
        scope: String,
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn settings(cli_config: Option<&PathBuf>, overrides: Overrides) -> anyhow::Result<Settings> {
    Settings::load(cli_config.map(PathBuf::as_path), &overrides).context("loading settings")
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.as_ref();
    match cli.command {
        Command::Serve(args) => serve(config, args, None).await,
        Command::Worker(args) => serve(config, args, Some(Role::Worker)).await,
        Command::Migrate(data) => {
            let settings = settings(config, Overrides { data_dir: data.data_dir, ..Overrides::default() })?;
            crate::telemetry::init(LogFormat::Pretty);
            open_store(&settings).await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Demo(args) => {
            let settings =
                settings(config, Overrides { data_dir: args.data.data_dir.clone(), ..Overrides::default() })?;
            crate::telemetry::init(LogFormat::Pretty);
            let store = open_store(&settings).await?;
            ensure_default_workspace(store.as_ref(), &settings).await?;
            crate::demo::load(store.as_ref(), &args.workspace, args.seed, args.customers, args.orders).await
        }
        Command::Workspace(WorkspaceCommand::Create { slug, name, currency, data }) => {
            let settings = settings(config, Overrides { data_dir: data.data_dir, ..Overrides::default() })?;
            let store = open_store(&settings).await?;
            let slug = valid_slug(&slug)?;
            let code = currency.unwrap_or_else(|| settings.default_currency.clone());
            let currency = Currency::parse(&code).map_err(|e| anyhow::anyhow!("--currency: {e}"))?;
            let workspace = store.create_workspace(&slug, name.as_deref().unwrap_or(&slug), &currency).await?;
            println!("created workspace {} ({})", workspace.slug, workspace.currency);
            Ok(())
        }
        Command::ApiKey(ApiKeyCommand::Create { workspace, scope, label, data }) => {
            let settings = settings(config, Overrides { data_dir: data.data_dir, ..Overrides::default() })?;
            let store = open_store(&settings).await?;
            ensure_default_workspace(store.as_ref(), &settings).await?;
            let scopes = Scope::parse_list(&scope).map_err(|e| anyhow::anyhow!("--scope: {e}"))?;
            let ws =
                store.workspace_by_slug(&workspace).await?.with_context(|| format!("no workspace `{workspace}`"))?;
            let key = GeneratedKey::generate();
            let info = store
                .create_api_key(&NewApiKey {
                    workspace_id: ws.id,
                    prefix: key.prefix.clone(),
                    key_hash: key.hash.clone(),
                    scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
                    label,
                })
                .await?;
            eprintln!(
                "created API key {} for workspace {} with scopes {}; it is shown only now:",
                info.prefix,
                ws.slug,
                info.scopes.join(",")
            );
            println!("{}", key.secret);
            Ok(())
        }
    }
}

async fn serve(config: Option<&PathBuf>, args: ServeArgs, forced_role: Option<Role>) -> anyhow::Result<()> {
    let overrides = Overrides { bind: args.bind, data_dir: args.data.data_dir, role: forced_role.or(args.role) };
    let settings = settings(config, overrides)?;
    crate::telemetry::init(settings.log_format);
    let app = Application::build(settings).await?;
    app.run_until_stopped().await
}

/// Workspace slugs appear in URLs and commands: lowercase letters, digits and dashes, 2 to 40 characters.
fn valid_slug(slug: &str) -> anyhow::Result<String> {
    let ok = (2..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug.to_owned())
    } else {
        anyhow::bail!("workspace slug must be 2-40 lowercase letters, digits or dashes")
    }
}
