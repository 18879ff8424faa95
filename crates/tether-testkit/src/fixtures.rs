//! Where the Node fixtures live, and the check that their dependencies are installed.

use std::path::{Path, PathBuf};

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
    if let Some(message) = missing_install(&fixtures_dir()) {
        panic!("{message}");
    }
}

fn missing_install(dir: &Path) -> Option<String> {
    let marker = dir.join("node_modules/oidc-provider/package.json");
    if marker.is_file() {
        return None;
    }
    Some(format!(
        "the OAuth test fixtures are not installed ({} is missing): \
         run `npm ci --prefix testing/oidc-provider` from the repository root",
        marker.display(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixtures_of_this_checkout_are_found() {
        assert!(fixtures_dir().join("server.mjs").is_file());
    }

    #[test]
    fn a_missing_install_names_the_command_that_fixes_it() {
        let message = missing_install(Path::new("/nonexistent/tether-fixtures")).unwrap();

        assert!(
            message.contains("npm ci --prefix testing/oidc-provider"),
            "{message}"
        );
    }
}
