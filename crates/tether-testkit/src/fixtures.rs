//! Where the Node fixtures live, and the check that their dependencies are installed.

use std::path::PathBuf;

/// The `testing/oidc-provider` directory of this repository.
pub fn fixtures_dir() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.join("../../testing/oidc-provider")
}

/// Panics unless the fixtures' Node dependencies are installed.
///
/// [`OidcProvider::start`](crate::OidcProvider::start) and
/// [`TenantApi::start`](crate::TenantApi::start) call this first; it never installs anything.
pub fn ensure_node_modules() {
    let marker = fixtures_dir().join("node_modules/oidc-provider/package.json");
    assert!(
        marker.is_file(),
        "the OAuth test fixtures are not installed ({} is missing): \
         run `npm ci --prefix testing/oidc-provider` from the repository root",
        marker.display(),
    );
}
