//! The node's receipt signing secret: what the node's own vendor (or the in-process simulator) signs delivery
//! receipts with. A forged receipt would mark messages sent or failed at will, so:
//!
//! - **production mode** (an API node on `DATABASE_URL`/`REDIS_URL`) refuses to start without
//!   `vendor.signing_secret`, with one shorter than 16 characters, or with the well-known development default,
//!   unless `vendor.allow_insecure_signing_secret` says so (for local trials only, and logged loudly);
//! - **the embedded default** generates a random secret once per data directory (`receipt-signing-secret`,
//!   readable by its owner only) and shares it with its in-process simulator, so no two installations share a
//!   secret and nobody has to configure one.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rand::RngCore;

use crate::config::{Secret, Settings, DEV_SIGNING_SECRET};

/// Where the embedded default keeps its secret, inside the data directory.
pub const SECRET_FILE: &str = "receipt-signing-secret";
/// Shortest signing secret production mode accepts.
pub const MIN_SECRET_CHARS: usize = 16;

/// The secret this node verifies its vendor's receipts with, or why it must not start.
pub fn resolve(settings: &Settings) -> anyhow::Result<Secret> {
    let vendor = &settings.vendor;
    let production = settings.is_production();
    let allow_insecure = vendor.allow_insecure_signing_secret;
    match &vendor.signing_secret {
        Some(secret) if production && !allow_insecure => {
            anyhow::ensure!(
                secret.expose() != DEV_SIGNING_SECRET,
                "refusing to start: vendor.signing_secret is the development default, with which anyone can forge \
                 delivery receipts; set CONVERGE_VENDOR__SIGNING_SECRET to a random secret shared with your vendor"
            );
            anyhow::ensure!(
                secret.expose().chars().count() >= MIN_SECRET_CHARS,
                "refusing to start: vendor.signing_secret must be at least {MIN_SECRET_CHARS} characters"
            );
            Ok(secret.clone())
        }
        Some(secret) => Ok(secret.clone()),
        None if !production => per_data_dir(&settings.data_dir),
        None if allow_insecure => Ok(Secret::new(DEV_SIGNING_SECRET)),
        None => anyhow::bail!(
            "refusing to start: production mode needs vendor.signing_secret (CONVERGE_VENDOR__SIGNING_SECRET), the \
             secret your vendor signs delivery receipts with"
        ),
    }
}

/// The data directory's secret, created on first use.
fn per_data_dir(dir: &Path) -> anyhow::Result<Secret> {
    let path = dir.join(SECRET_FILE);
    std::fs::create_dir_all(dir).with_context(|| format!("creating the data directory {}", dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let fresh = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            file.write_all(fresh.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("writing the receipt signing secret to {}", path.display()))?;
            Ok(Secret::new(fresh))
        }
        // Made by an earlier start (or a process starting at the same moment): use it.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the receipt signing secret {}", path.display()))?;
            let secret = text.trim();
            anyhow::ensure!(
                secret.len() >= MIN_SECRET_CHARS,
                "{} is damaged (shorter than {MIN_SECRET_CHARS} characters): delete it to make a new one",
                path.display()
            );
            Ok(Secret::new(secret))
        }
        Err(err) => Err(err).with_context(|| format!("creating {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path, production: bool, secret: Option<&str>, allow: bool) -> Settings {
        let mut settings = Settings { data_dir: dir.to_path_buf(), ..Settings::default() };
        if production {
            settings.database_url = Some(Secret::new("postgres://127.0.0.1/x"));
        }
        settings.vendor.signing_secret = secret.map(Secret::new);
        settings.vendor.allow_insecure_signing_secret = allow;
        settings
    }

    #[test]
    fn production_refuses_a_missing_short_or_development_secret() {
        let dir = tempfile::tempdir().unwrap();
        for secret in [None, Some(DEV_SIGNING_SECRET), Some("short")] {
            let error = resolve(&settings(dir.path(), true, secret, false)).unwrap_err().to_string();
            assert!(error.starts_with("refusing to start"), "{secret:?}: {error}");
        }
        let good = resolve(&settings(dir.path(), true, Some("0123456789abcdef0123"), false)).unwrap();
        assert_eq!(good.expose(), "0123456789abcdef0123");
        // Only the loud setting lets the development default through.
        let trial = resolve(&settings(dir.path(), true, None, true)).unwrap();
        assert_eq!(trial.expose(), DEV_SIGNING_SECRET);
        assert!(!dir.path().join(SECRET_FILE).exists(), "production never writes a secret file");
    }

    #[test]
    fn the_embedded_default_makes_one_random_secret_per_data_directory() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = resolve(&settings(a.path(), false, None, false)).unwrap();
        let again = resolve(&settings(a.path(), false, None, false)).unwrap();
        let other = resolve(&settings(b.path(), false, None, false)).unwrap();
        assert_eq!(first.expose(), again.expose(), "kept across restarts");
        assert_ne!(first.expose(), other.expose(), "never shared between installations");
        assert_eq!(first.expose().len(), 64);
        assert_ne!(first.expose(), DEV_SIGNING_SECRET);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(a.path().join(SECRET_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "readable by its owner only");
        }
        // A configured secret wins over the file.
        let set = resolve(&settings(a.path(), false, Some("configured-secret"), false)).unwrap();
        assert_eq!(set.expose(), "configured-secret");
    }
}
