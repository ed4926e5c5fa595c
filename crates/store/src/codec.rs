//! How values cross into SQL the same way on both backends, so that a query body is written once.
//!
//! [`At`] is a `timestamptz` on Postgres and INTEGER milliseconds since the epoch (UTC) on SQLite; JSON goes
//! through [`sqlx::types::Json`] (jsonb on Postgres, TEXT on SQLite). Leaf module: it depends on nothing of
//! the store's.

use chrono::{DateTime, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

/// An instant as the database stores it: bind `At(now)`, read `row.try_get::<At, _>(..)?.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct At(pub DateTime<Utc>);

impl From<At> for DateTime<Utc> {
    fn from(at: At) -> Self {
        at.0
    }
}

/// Milliseconds since the epoch, as SQLite stores instants.
pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The instant SQLite's milliseconds stand for; an error names the value out of range.
pub(crate) fn from_millis(ms: i64) -> Result<DateTime<Utc>, crate::StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("timestamp {ms} out of range")))
}

/// `Type` and `Encode` of a value type on one backend by way of a type sqlx already binds there:
/// `bind_as!(Postgres, At => DateTime<Utc>, |at| at.0)`.
macro_rules! bind_as {
    ($db:ty, $ty:ty => $via:ty, |$value:ident| $convert:expr) => {
        impl Type<$db> for $ty {
            fn type_info() -> <$db as Database>::TypeInfo {
                <$via as Type<$db>>::type_info()
            }

            fn compatible(ty: &<$db as Database>::TypeInfo) -> bool {
                <$via as Type<$db>>::compatible(ty)
            }
        }

        impl<'q> Encode<'q, $db> for $ty {
            fn encode_by_ref(&self, buf: &mut <$db as Database>::ArgumentBuffer<'q>) -> Result<IsNull, BoxDynError> {
                let $value = self;
                <$via as Encode<'q, $db>>::encode($convert, buf)
            }
        }
    };
}

bind_as!(Postgres, At => DateTime<Utc>, |at| at.0);
bind_as!(Sqlite, At => i64, |at| millis(at.0));

impl<'r> Decode<'r, Postgres> for At {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(At)
    }
}

impl<'r> Decode<'r, Sqlite> for At {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let ms = <i64 as Decode<Sqlite>>::decode(value)?;
        DateTime::from_timestamp_millis(ms).map(At).ok_or_else(|| format!("timestamp {ms} out of range").into())
    }
}

/// A list of ids bound as one parameter: `bigint[]` on Postgres, a JSON array (read with `json_each`) on
/// SQLite; [`crate::Backend::any`] writes the matching membership test.
/// Generic over the id type (every typed id is a transparent `bigint` with a Postgres array type).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ids<'a, T>(pub &'a [T]);

impl<T: PgHasArrayType> Type<Postgres> for Ids<'_, T> {
    fn type_info() -> PgTypeInfo {
        T::array_type_info()
    }
}

impl<'q, T> Encode<'q, Postgres> for Ids<'_, T>
where
    T: for<'e> Encode<'e, Postgres> + Type<Postgres> + PgHasArrayType,
{
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&[T] as Encode<'q, Postgres>>::encode(self.0, buf)
    }
}

impl<T> Type<Sqlite> for Ids<'_, T> {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl<'q, T: serde::Serialize> Encode<'q, Sqlite> for Ids<'_, T> {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(serde_json::to_string(self.0)?, buf)
    }
}

/// A list of strings bound as one parameter: `text[]` on Postgres, a JSON array (read with `json_each`) on
/// SQLite, as rule SQL's `in` lists expect.
#[derive(Clone, Debug)]
pub(crate) struct Texts(pub Vec<String>);

bind_as!(Postgres, Texts => Vec<String>, |texts| texts.0.clone());
bind_as!(Sqlite, Texts => String, |texts| serde_json::to_string(&texts.0)?);
