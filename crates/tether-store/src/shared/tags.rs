//! Tag side tables: one per owner kind, keyed by the owner's primary key, indexed on
//! `(scope, key, value)` so that tag filters and the tenant lookup do not scan.
//!
//! Decision: one table per owner (not one polymorphic table) so that each can have a foreign key
//! with `ON DELETE CASCADE` to its owner, and deleting an owner never leaves tags behind.

/// A tag table and the columns that name its owner, in the order owners are bound.
pub(crate) struct TagTable {
    pub(crate) table: &'static str,
    /// The tag table's owner columns.
    pub(crate) owner: &'static [&'static str],
    /// The owner table's columns (aliased `r`) that match `owner`, in the same order.
    pub(crate) row: &'static [&'static str],
}

pub(crate) const ENTITY_TAGS: TagTable = TagTable {
    table: "entity_tags",
    owner: &["account", "subscription", "kind", "entity"],
    row: &["account", "subscription", "kind", "id"],
};

pub(crate) const INSTALL_TAGS: TagTable = TagTable {
    table: "install_tags",
    owner: &["account", "subscription", "install"],
    row: &["account", "subscription", "id"],
};

pub(crate) const IDENTITY_TAGS: TagTable = TagTable {
    table: "identity_tags",
    owner: &["account", "subscription", "identity"],
    row: &["account", "subscription", "id"],
};

pub(crate) const CLIENT_TAGS: TagTable = TagTable {
    table: "client_tags",
    owner: &["account", "client"],
    row: &["account", "id"],
};

impl TagTable {
    /// `DELETE` of every tag of one owner; binds the owner columns.
    pub(crate) fn delete_sql(&self) -> String {
        format!(
            "DELETE FROM {} WHERE {}",
            self.table,
            placeholders_eq(self.owner, 1)
        )
    }

    /// `INSERT` of one tag; binds the owner columns, then key and value.
    pub(crate) fn insert_sql(&self) -> String {
        let n = self.owner.len();
        let params: Vec<String> = (1..=n + 2).map(|i| format!("${i}")).collect();
        format!(
            "INSERT INTO {} ({}, key, value) VALUES ({})",
            self.table,
            self.owner.join(", "),
            params.join(", ")
        )
    }

    /// An `EXISTS` test that row `r` has tag `$key` (and value `$value`, when given).
    pub(crate) fn exists_sql(&self, key: usize, value: Option<usize>) -> String {
        let join: Vec<String> = self
            .owner
            .iter()
            .zip(self.row)
            .map(|(t, r)| format!("t.{t} = r.{r}"))
            .collect();
        let value = value
            .map(|v| format!(" AND t.value = ${v}"))
            .unwrap_or_default();
        format!(
            "EXISTS (SELECT 1 FROM {} t WHERE {} AND t.key = ${key}{value})",
            self.table,
            join.join(" AND ")
        )
    }
}

/// `a = $first AND b = $first+1 …`
pub(crate) fn placeholders_eq(columns: &[&str], first: usize) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}
