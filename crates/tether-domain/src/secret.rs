//! Secret values: client secrets, access tokens and API keys.
//!
//! A [`Secret`] never prints its value; the only way to read it is [`Secret::expose`], so every
//! place that handles plaintext is easy to find.

use std::fmt;

use subtle::ConstantTimeEq;

/// A string that must not reach logs, error bodies or responses.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plaintext. Call it only where the value must leave the process (an exchange request,
    /// a token response, encryption).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares in constant time, whatever the contents.
    pub fn ct_eq(&self, other: &str) -> bool {
        self.0.as_bytes().ct_eq(other.as_bytes()).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2");

        assert_eq!(format!("{secret}"), "[redacted]");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn comparison_is_by_value() {
        let secret = Secret::new("abc");

        assert!(secret.ct_eq("abc"));
        assert!(!secret.ct_eq("abd"));
        assert!(!secret.ct_eq("ab"));
    }
}
