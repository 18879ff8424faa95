//! Identifiers. Each kind is its own type; each is parsed once, at the edge, and cannot be
//! confused with another afterwards.

use std::fmt;
use std::marker::PhantomData;

use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::FieldError;

/// What distinguishes one kind of random identifier from another.
pub trait IdKind {
    /// `sid`, `ins`, …: the text before the dash.
    const PREFIX: &'static str;
    /// Number of random bytes after the prefix (shown as twice as many hex digits).
    const BYTES: usize;
    /// How the API names this kind in error messages.
    const NOUN: &'static str;
}

/// An identifier `<prefix>-<hex>` drawn from a cryptographic random source.
pub struct RandomId<K> {
    text: String,
    kind: PhantomData<K>,
}

impl<K: IdKind> RandomId<K> {
    /// A fresh identifier from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; K::BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self {
            text: format!("{}-{}", K::PREFIX, hex::encode(bytes)),
            kind: PhantomData,
        }
    }

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let valid = text
            .strip_prefix(K::PREFIX)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|hex| {
                hex.len() == K::BYTES * 2
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        if !valid {
            return Err(FieldError::new(
                K::NOUN,
                format!(
                    "must be '{}-' followed by {} lower-case hex digits",
                    K::PREFIX,
                    K::BYTES * 2
                ),
            ));
        }

        Ok(Self {
            text: text.to_owned(),
            kind: PhantomData,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl<K> Clone for RandomId<K> {
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> PartialEq for RandomId<K> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<K> Eq for RandomId<K> {}

impl<K> std::hash::Hash for RandomId<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl<K> fmt::Debug for RandomId<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<K> fmt::Display for RandomId<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<K> Serialize for RandomId<K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de, K: IdKind> Deserialize<'de> for RandomId<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! id_kind {
    (
        $(#[$doc:meta])* $kind:ident, $alias:ident, $prefix:literal, $bytes:literal, $noun:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $kind {}

        impl IdKind for $kind {
            const PREFIX: &'static str = $prefix;
            const BYTES: usize = $bytes;
            const NOUN: &'static str = $noun;
        }

        $(#[$doc])*
        pub type $alias = RandomId<$kind>;
    };
}

id_kind!(
    /// `acc-<16 hex>`: the top-level owner.
    AccountKind, AccountId, "acc", 8, "accountId"
);
id_kind!(
    /// `sub-<16 hex>`: an environment inside an account.
    SubscriptionKind, SubscriptionId, "sub", 8, "subscriptionId"
);
id_kind!(
    /// `sid-<32 hex>`: a session.
    SessionKind, SessionId, "sid", 16, "sessionId"
);
id_kind!(
    /// `ins-<32 hex>`: an install.
    InstallKind, InstallId, "ins", 16, "installId"
);
id_kind!(
    /// `idn-<32 hex>`: an identity.
    IdentityKind, IdentityId, "idn", 16, "identityId"
);
id_kind!(
    /// `clt-<16 hex>`: an access-control client.
    ClientKind, ClientId, "clt", 8, "clientId"
);
id_kind!(
    /// `key-<16 hex>`: an API key's public id (never the key itself).
    KeyKind, KeyId, "key", 8, "keyId"
);

/// An integration or connector id, chosen by the caller: `^[A-Za-z0-9-]{1,64}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EntityId(String);

impl EntityId {
    pub fn parse(text: &str, field: &str) -> Result<Self, FieldError> {
        let valid = (1..=64).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(FieldError::new(
                field,
                "must be 1 to 64 characters of A-Z, a-z, 0-9 and '-'",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back_and_differ() {
        let a = SessionId::generate();
        let b = SessionId::generate();

        assert_ne!(a, b);
        assert_eq!(SessionId::parse(a.as_str()).unwrap(), a);
        assert_eq!(a.as_str().len(), "sid-".len() + 32);
    }

    #[test]
    fn ids_of_another_kind_or_shape_are_rejected() {
        let install = InstallId::generate();

        assert!(SessionId::parse(install.as_str()).is_err());
        assert!(SessionId::parse("sid-XYZ").is_err());
        assert!(SessionId::parse("sid-0123456789ABCDEF0123456789ABCDEF").is_err());
        assert!(AccountId::parse("acc-0123456789abcdef").is_ok());
    }

    #[test]
    fn entity_ids_follow_the_documented_pattern() {
        assert!(EntityId::parse("my-integration-1", "id").is_ok());
        assert!(EntityId::parse("", "id").is_err());
        assert!(EntityId::parse("a/b", "id").is_err());
        assert!(EntityId::parse(&"a".repeat(65), "id").is_err());
        assert_eq!(EntityId::parse("a b", "id").unwrap_err().field, "id");
    }
}
