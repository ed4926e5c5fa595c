//! What [`Store`](crate::Store) adds to its per-aggregate traits, on both backends.

use async_trait::async_trait;

use crate::backend::per_backend;
use crate::{segment, Backend, StoreResult};

per_backend! {
    use segment;

    #[async_trait]
    impl crate::Store for BackendStore {
        async fn migrate(&self) -> StoreResult<()> {
            BackendStore::migrator().run(self.pool()).await?;
            segment::backfill_folds(self.pool()).await?;
            segment::backfill_address_keys(self.pool()).await
        }

        async fn ping(&self) -> StoreResult<()> {
            sqlx::query("SELECT 1").execute(self.pool()).await?;
            Ok(())
        }

        fn backend(&self) -> Backend {
            BACKEND
        }
    }
}
