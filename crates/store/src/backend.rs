//! Writing a query once for both backends: [`per_backend!`] compiles a block of items twice, in a child
//! module `postgres` and a child module `sqlite`, each naming its own database as `Db`, its row as `DbRow`,
//! its pool as `Pool`, its store as `BackendStore` and itself as `BACKEND`. Values are bound through
//! [`crate::codec`], so the same body reads and writes the same data on both. The few SQL words the two
//! dialects spell differently are methods of [`Backend`] here; an algorithm that really differs (ingest,
//! dispatch claims, receipts, the change feed) has its own file per backend instead.

use crate::Backend;

/// `per_backend! { use people, access; items… }`: the items, once per backend, with `people` and `access`
/// naming the same backend's module of those siblings (themselves written with `per_backend!`).
macro_rules! per_backend {
    (use $($sibling:ident),* ; $($item:item)*) => {
        pub(crate) mod postgres {
            #![allow(unused_imports, dead_code)]
            use super::*;
            $(use super::$sibling::postgres as $sibling;)*
            pub(crate) type Db = sqlx::Postgres;
            pub(crate) type DbRow = sqlx::postgres::PgRow;
            pub(crate) type Pool = sqlx::PgPool;
            pub(crate) type BackendStore = crate::postgres::PgStore;
            pub(crate) const BACKEND: crate::Backend = crate::Backend::Postgres;
            $($item)*
        }
        pub(crate) mod sqlite {
            #![allow(unused_imports, dead_code)]
            use super::*;
            $(use super::$sibling::sqlite as $sibling;)*
            pub(crate) type Db = sqlx::Sqlite;
            pub(crate) type DbRow = sqlx::sqlite::SqliteRow;
            pub(crate) type Pool = sqlx::SqlitePool;
            pub(crate) type BackendStore = crate::sqlite::SqliteStore;
            pub(crate) const BACKEND: crate::Backend = crate::Backend::Sqlite;
            $($item)*
        }
    };
    ($($item:item)*) => {
        $crate::backend::per_backend! { use ; $($item)* }
    };
}
pub(crate) use per_backend;

impl Backend {
    /// `column` is one of the ids bound at `param` as [`crate::codec::Ids`].
    pub(crate) fn any(self, column: &str, param: &str) -> String {
        match self {
            Backend::Postgres => format!("{column} = ANY({param})"),
            Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
        }
    }

    /// The larger of two values (`GREATEST` on Postgres, the two-argument scalar `max` on SQLite).
    /// An aggregate of `column` over a group, as the array `customer_changes.external_ids` holds.
    pub(crate) fn array_agg(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("array_agg({column})"),
            Backend::Sqlite => format!("json_group_array({column})"),
        }
    }

    pub(crate) fn greatest(self) -> &'static str {
        match self {
            Backend::Postgres => "GREATEST",
            Backend::Sqlite => "max",
        }
    }

    /// An SQL expression for 32 random hex digits from the database's strong random source
    /// (`gen_random_uuid` on Postgres; `randomblob`, SQLite's CSPRNG seeded by the operating system).
    pub(crate) fn random_hex(self) -> &'static str {
        match self {
            Backend::Postgres => "replace(gen_random_uuid()::text, '-', '')",
            Backend::Sqlite => "lower(hex(randomblob(16)))",
        }
    }

    /// Milliseconds since the epoch of an instant column, as a bigint.
    pub(crate) fn epoch_millis(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("floor(extract(epoch FROM {column}) * 1000)::bigint"),
            Backend::Sqlite => column.to_owned(),
        }
    }

    /// A JSON column as the text the database prints it as.
    pub(crate) fn json_text(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("{column}::text"),
            Backend::Sqlite => column.to_owned(),
        }
    }

    /// What makes text sort by bytes in an `ORDER BY` (SQLite compares text by bytes already).
    pub(crate) fn byte_collation(self) -> &'static str {
        match self {
            Backend::Postgres => " COLLATE \"C\"",
            Backend::Sqlite => "",
        }
    }

    /// How to begin a transaction that reads before it writes. On SQLite a deferred one would fail at once
    /// with SQLITE_BUSY (not wait) if another connection wrote in between; `IMMEDIATE` takes the write lock
    /// first. Postgres waits on row locks either way.
    pub(crate) fn begin_write(self) -> &'static str {
        match self {
            Backend::Postgres => "BEGIN",
            Backend::Sqlite => "BEGIN IMMEDIATE",
        }
    }
}
