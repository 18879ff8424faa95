//! Writing tag rows and running list queries against PostgreSQL.

use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection, PgPool};
use tether_domain::tags::Tags;

use crate::shared::list::{page, ListSource};
use crate::shared::tags::TagTable;
use crate::{ListQuery, Page, StoreError};

/// Replaces every tag row of one owner with `tags`.
pub(super) async fn replace(
    conn: &mut PgConnection,
    table: &TagTable,
    owner: &[&str],
    tags: &Tags,
) -> Result<(), StoreError> {
    let delete = table.delete_sql();
    let mut query = sqlx::query(&delete);
    for value in owner {
        query = query.bind(*value);
    }
    query.execute(&mut *conn).await?;

    let insert = table.insert_sql();
    for (key, value) in tags.iter() {
        let mut query = sqlx::query(&insert);
        for owner_value in owner {
            query = query.bind(*owner_value);
        }
        query.bind(key).bind(value).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One page of `source` under `query`, with the total across pages.
pub(super) async fn list<R, T>(
    pool: &PgPool,
    source: ListSource<'_>,
    query: &ListQuery,
    convert: impl Fn(R) -> Result<T, StoreError>,
    id_of: impl Fn(&T) -> String,
) -> Result<Page<T>, StoreError>
where
    R: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    let sql = source.sql(query);

    let mut count = sqlx::query_scalar::<_, i64>(&sql.count);
    for value in &sql.count_binds {
        count = count.bind(value);
    }
    let total = count.fetch_one(pool).await?;

    let mut select = sqlx::query_as::<_, R>(&sql.select);
    for value in &sql.select_binds {
        select = select.bind(value);
    }
    let items = select
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(convert)
        .collect::<Result<Vec<_>, _>>()?;

    Ok(page(items, sql.limit, total, id_of))
}
