//! Paging and filtering of list calls.

use tether_domain::tags::TagFilter;

/// The most items one page may hold.
pub const MAX_PAGE: usize = 100;

/// A list request: items after the cursor, ordered by id, matching every tag filter.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Page size, 1..=MAX_PAGE.
    pub count: usize,
    /// Opaque cursor from a previous page's `next` (the last id returned).
    pub after: Option<String>,
    pub tags: Vec<TagFilter>,
    pub id_prefix: Option<String>,
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Every item matching the filters, across pages.
    pub total: u64,
    /// Cursor for the following page, when there is one.
    pub next: Option<String>,
}
