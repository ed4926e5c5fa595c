//! The command line: `serve`, `worker`, `migrate`, `demo`, `workspace create`, `api-key create`,
//! `admin create`, `domain verify`, `vendor-sim`.

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
    /// Manage people who sign in.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage the e-mail domains whose people join a workspace.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Run the dummy messaging vendor (an SMS/e-mail gateway simulator) on its own.
    #[command(name = "vendor-sim")]
    VendorSim(VendorSimArgs),
}

#[derive(Debug, Args)]
pub struct VendorSimArgs {
    #[arg(long, default_value = "127.0.0.1:9090")]
    pub bind: SocketAddr,
    /// Where delivery receipts are POSTed; empty to record outcomes without sending receipts.
    #[arg(long, default_value = "http://127.0.0.1:8080/api/v1/delivery-receipts")]
    pub callback_url: String,
    /// Share of messages that fail (0 to 1).
    #[arg(long, default_value_t = 0.10)]
    pub failure_rate: f64,
    /// Seed of every random decision, so runs are reproducible.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 20)]
    pub min_delay_ms: u64,
    #[arg(long, default_value_t = 200)]
    pub max_delay_ms: u64,
    /// Receipts per callback request (1 = one receipt per request).
    #[arg(long, default_value_t = 100)]
    pub receipt_batch_max: usize,
    /// Bearer key clients must present.
    #[arg(long, env = "VENDOR_SIM_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// HMAC key the receipts are signed with.
    #[arg(long, env = "VENDOR_SIM_SIGNING_SECRET", hide_env_values = true)]
    pub signing_secret: Option<String>,
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

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a local account and make it an owner of a workspace. The password is read from the first line
    /// of standard input (so it never appears in the shell history or the process list).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "default")]
        workspace: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Assign a domain to a workspace as proven, without a DNS check (the operator vouches for it): people
    /// who sign in with a verified address there join the workspace with `--role`. Adds the domain if the
    /// workspace does not list it yet (an existing rule keeps its role unless `--role` is given).
    Verify {
        #[arg(long)]
        workspace: String,
        #[arg(long)]
        domain: String,
        /// admin, member or viewer (default: the listed rule's role, or member for a new domain).
        #[arg(long)]
        role: Option<String>,
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
        Command::VendorSim(args) => {
            crate::telemetry::init(LogFormat::Auto);
            let defaults = converge_vendor_sim::SimConfig::default();
            let config = converge_vendor_sim::SimConfig {
                bind: args.bind,
                api_key: args.api_key.unwrap_or(defaults.api_key.clone()),
                callback_url: args.callback_url,
                signing_secret: args.signing_secret.unwrap_or(defaults.signing_secret.clone()),
                failure_rate: args.failure_rate,
                seed: args.seed,
                min_delay_ms: args.min_delay_ms,
                max_delay_ms: args.max_delay_ms,
                receipt_batch_max: args.receipt_batch_max,
                ..defaults
            };
            converge_vendor_sim::run(config, crate::startup::shutdown_signal()).await
        }
        Command::Admin(AdminCommand::Create { email, name, workspace, data }) => {
            let settings = settings(config, Overrides { data_dir: data.data_dir, ..Overrides::default() })?;
            let store = open_store(&settings).await?;
            ensure_default_workspace(store.as_ref(), &settings).await?;
            crate::admin::create_owner(store.as_ref(), &email, name, &workspace).await
        }
        Command::Domain(DomainCommand::Verify { workspace, domain, role, data }) => {
            let settings = settings(config, Overrides { data_dir: data.data_dir, ..Overrides::default() })?;
            let store = open_store(&settings).await?;
            ensure_default_workspace(store.as_ref(), &settings).await?;
            crate::admin::assign_domain(store.as_ref(), &workspace, &domain, role.as_deref()).await
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
                    scopes: scopes.clone(),
                    label,
                    created_by: None,
                })
                .await?;
            eprintln!(
                "created API key {} for workspace {} with scopes {}; it is shown only now:",
                info.prefix,
                ws.slug,
                Scope::format_list(&info.scopes)
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
