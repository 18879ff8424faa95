//! API keys: 256 random bits, shown once, stored as a SHA-256 hash.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tether_domain::Secret;

/// Every key starts with this, so leaked keys are easy to find in code and logs.
const PREFIX: &str = "tth_";

/// A freshly made key. The plaintext exists only until it is shown to its creator.
pub struct ApiKey(Secret);

impl ApiKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(Secret::new(format!(
            "{PREFIX}{}",
            URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    pub fn from_secret(secret: Secret) -> Self {
        Self(secret)
    }

    pub fn secret(&self) -> &Secret {
        &self.0
    }

    pub fn hash(&self) -> [u8; 32] {
        hash_key(self.0.expose())
    }
}

/// The stored form of a key.
pub fn hash_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_carry_256_bits_and_differ() {
        let a = ApiKey::generate();
        let b = ApiKey::generate();

        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.secret().expose().len(), PREFIX.len() + 43);
    }
}
