//! The store's error type: conflicts the caller can act on, everything else opaque.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint the caller asked to respect (e.g. a workspace slug) is already taken.
    #[error("{0} already exists")]
    Conflict(String),
    /// A campaign's rule selected nobody: nothing was created (an empty campaign is always a mistake).
    #[error("the audience is empty")]
    EmptyAudience,
    /// The store was configured wrongly (bad URL, unsupported scheme).
    #[error("{0}")]
    Config(String),
    /// A stored value no longer parses into its domain type.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Maps a unique-violation to [`StoreError::Conflict`] naming `what`.
pub(crate) fn conflict_on_unique(err: sqlx::Error, what: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what.to_owned()),
        _ => StoreError::Database(err),
    }
}
