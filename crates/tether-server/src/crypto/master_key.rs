//! The master key: 32 random bytes, written in standard base64.

use std::fmt;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 bytes of key material. Never printed.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("the master key must be 32 bytes in standard base64")]
    Malformed,
    #[error("cannot read the master key file {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the master key file {path}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_base64(text: &str) -> Result<Self, MasterKeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| MasterKeyError::Malformed)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| MasterKeyError::Malformed)?;
        Ok(Self(bytes))
    }

    pub fn read_file(path: &Path) -> Result<Self, MasterKeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| MasterKeyError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_base64(&text)
    }

    /// Writes the key to a new file readable by its owner only. Fails if the file exists.
    pub fn write_new_file(&self, path: &Path) -> Result<(), MasterKeyError> {
        crate::fsutil::write_private_new(path, STANDARD.encode(self.0).as_bytes()).map_err(
            |source| MasterKeyError::Write {
                path: path.display().to_string(),
                source,
            },
        )
    }

    /// A short public name for this key, recorded in every ciphertext: the first 8 bytes of
    /// SHA-256 over a domain-separated copy of the key.
    pub fn key_id(&self) -> [u8; 8] {
        let digest = Sha256::new()
            .chain_update(b"tether master key id\0")
            .chain_update(self.0)
            .finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        id
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey(id {})", hex::encode(self.key_id()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_reads_back_from_its_base64_form() {
        let key = MasterKey::generate();
        let text = STANDARD.encode(key.bytes());

        assert_eq!(MasterKey::from_base64(&text).unwrap().bytes(), key.bytes());
    }

    #[test]
    fn keys_of_the_wrong_length_or_alphabet_are_refused() {
        assert!(MasterKey::from_base64(&STANDARD.encode([0u8; 31])).is_err());
        assert!(MasterKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn debug_shows_the_key_id_only() {
        let key = MasterKey::generate();

        assert!(!format!("{key:?}").contains(&STANDARD.encode(key.bytes())));
    }
}
