//! The SQL of list calls: scope, tag filters, id prefix, cursor, page size and total.

use crate::shared::tags::TagTable;
use crate::{ListQuery, Page, MAX_PAGE};

/// One list call's statements, with the text values they bind in order.
pub(crate) struct ListSql {
    /// The page: `limit + 1` rows, so that a following page can be told apart.
    pub(crate) select: String,
    pub(crate) select_binds: Vec<String>,
    /// Every matching row, ignoring the cursor.
    pub(crate) count: String,
    pub(crate) count_binds: Vec<String>,
    pub(crate) limit: usize,
}

/// What is listed: `SELECT {columns} FROM {table} r WHERE {scope…}`.
pub(crate) struct ListSource<'a> {
    pub(crate) table: &'static str,
    pub(crate) columns: &'static str,
    /// Equality conditions on row columns (`account`, `subscription`, …) and their values.
    pub(crate) scope: Vec<(&'static str, &'a str)>,
    pub(crate) tags: &'static TagTable,
}

impl ListSource<'_> {
    pub(crate) fn sql(&self, query: &ListQuery) -> ListSql {
        let mut binds: Vec<String> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();

        for (column, value) in &self.scope {
            binds.push((*value).to_owned());
            conditions.push(format!("r.{column} = ${}", binds.len()));
        }
        // Decision: a prefix test with `substr`, not `LIKE`, so that `_` and `%` in ids are
        // literal and SQLite's case-insensitive `LIKE` does not widen the match.
        if let Some(prefix) = query.id_prefix.as_deref().filter(|p| !p.is_empty()) {
            binds.push(prefix.to_owned());
            let n = binds.len();
            conditions.push(format!("substr(r.id, 1, length(${n})) = ${n}"));
        }
        for filter in &query.tags {
            binds.push(filter.key.clone());
            let key = binds.len();
            let value = filter.value.as_ref().map(|value| {
                binds.push(value.clone());
                binds.len()
            });
            conditions.push(self.tags.exists_sql(key, value));
        }

        let from = format!("FROM {} r WHERE {}", self.table, conditions.join(" AND "));
        let count = format!("SELECT COUNT(*) {from}");
        let count_binds = binds.clone();

        let limit = query.count.clamp(1, MAX_PAGE);
        let mut select = format!("SELECT {} {from}", prefixed(self.columns));
        if let Some(after) = &query.after {
            binds.push(after.clone());
            select.push_str(&format!(" AND r.id > ${}", binds.len()));
        }
        select.push_str(&format!(" ORDER BY r.id LIMIT {}", limit + 1));

        ListSql {
            select,
            select_binds: binds,
            count,
            count_binds,
            limit,
        }
    }
}

/// `a, b` → `r.a, r.b`, so that the columns cannot be confused with the tag table's.
fn prefixed(columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A page from up to `limit + 1` rows: the extra row only says that there is a next page.
pub(crate) fn page<T>(
    mut items: Vec<T>,
    limit: usize,
    total: i64,
    id_of: impl Fn(&T) -> String,
) -> Page<T> {
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(id_of)
    } else {
        None
    };
    Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        next,
    }
}
