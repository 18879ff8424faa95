//! Secret values the SDK holds: the hub key and tenants' access tokens. Neither prints.

use std::fmt;

/// An access token of a tenant. `Debug` and `Display` print `[redacted]`; read the value with
/// [`AccessToken::expose`] only where it leaves the process.
///
/// ```
/// let token = tether_sdk::AccessToken::new("abc");
///
/// assert_eq!(token.to_string(), "[redacted]");
/// assert_eq!(token.expose(), "abc");
/// ```
#[derive(Clone)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token value.
    ///
    /// ```
    /// let token = tether_sdk::AccessToken::new("abc");
    /// # let _ = token;
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The token itself, for an `Authorization: Bearer` header.
    ///
    /// ```
    /// let token = tether_sdk::AccessToken::new("abc");
    ///
    /// assert_eq!(format!("Bearer {}", token.expose()), "Bearer abc");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A hub API key (`Authorization: Bearer` on every hub call). `Debug` and `Display` print
/// `[redacted]`.
///
/// ```
/// let key = tether_sdk::ApiKey::new("hub-key");
///
/// assert!(!format!("{key:?}").contains("hub-key"));
/// ```
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key value.
    ///
    /// ```
    /// let key = tether_sdk::ApiKey::new("hub-key");
    /// # let _ = key;
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself.
    ///
    /// ```
    /// assert_eq!(tether_sdk::ApiKey::new("k").expose(), "k");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_keys_never_print_their_value() {
        let token = AccessToken::new("tok-value");
        let key = ApiKey::new("key-value");

        for text in [
            format!("{token}"),
            format!("{token:?}"),
            format!("{key}"),
            format!("{key:?}"),
        ] {
            assert!(!text.contains("value"), "{text}");
        }
    }
}
