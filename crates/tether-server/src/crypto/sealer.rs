//! Sealing and opening with XChaCha20-Poly1305.
//!
//! Ciphertext layout: `0x01 | key id (8) | nonce (24) | ciphertext+tag`. The purpose is bound as
//! associated data, so a sealed client secret cannot be replayed as a sealed token.

use std::collections::HashMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use tether_domain::Secret;
use tether_store::Sealed;

use super::MasterKey;

const FORMAT: u8 = 1;
const HEADER: usize = 1 + 8 + 24;

/// What a ciphertext holds; bound into it so ciphertexts cannot be swapped between uses.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    ClientSecret,
    Token,
    SessionState,
    /// The portal's session cookie (the operator's API key and CSRF token).
    PortalSession,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::ClientSecret => b"tether/ccf/client-secret",
            Self::Token => b"tether/ccf/token",
            Self::SessionState => b"tether/session/state",
            Self::PortalSession => b"tether/portal/session",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("ciphertext is malformed")]
    Malformed,
    #[error("ciphertext was sealed with key {0}, which is not configured")]
    UnknownKey(String),
    #[error("ciphertext failed authentication")]
    Forged,
}

/// Seals with the current master key; opens with it or any previous one.
pub struct Sealer {
    current: ([u8; 8], XChaCha20Poly1305),
    by_id: HashMap<[u8; 8], XChaCha20Poly1305>,
}

impl Sealer {
    /// `previous` keys are kept for opening data sealed before a rotation.
    pub fn new(current: &MasterKey, previous: &[MasterKey]) -> Self {
        let cipher = |key: &MasterKey| XChaCha20Poly1305::new(key.bytes().into());
        let by_id = previous
            .iter()
            .chain(std::iter::once(current))
            .map(|key| (key.key_id(), cipher(key)))
            .collect();

        Self {
            current: (current.key_id(), cipher(current)),
            by_id,
        }
    }

    pub fn seal(&self, purpose: Purpose, plaintext: &[u8]) -> Sealed {
        let (key_id, cipher) = &self.current;
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: purpose.label(),
        };
        // Encryption with a valid key and nonce cannot fail for inputs below 256 GiB.
        let ciphertext = cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();

        let mut out = Vec::with_capacity(HEADER + ciphertext.len());
        out.push(FORMAT);
        out.extend_from_slice(key_id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Sealed(out)
    }

    /// How many leading bytes of a sealed value name the key it was sealed with.
    pub const KEY_PREFIX: usize = 9;

    /// Whether the key named by `prefix` (the first [`Sealer::KEY_PREFIX`] bytes of a sealed
    /// value) is configured, current or previous.
    pub fn check_key(&self, prefix: &[u8]) -> Result<(), SealError> {
        self.cipher_for(prefix).map(drop)
    }

    pub fn open(&self, purpose: Purpose, sealed: &Sealed) -> Result<Vec<u8>, SealError> {
        let bytes = &sealed.0;
        if bytes.len() < HEADER + 16 {
            return Err(SealError::Malformed);
        }
        let cipher = self.cipher_for(bytes)?;

        let payload = Payload {
            msg: &bytes[HEADER..],
            aad: purpose.label(),
        };
        cipher
            .decrypt(
                XNonce::from_slice(&bytes[Self::KEY_PREFIX..HEADER]),
                payload,
            )
            .map_err(|_| SealError::Forged)
    }

    /// The cipher of the key a sealed value's leading bytes name.
    fn cipher_for(&self, bytes: &[u8]) -> Result<&XChaCha20Poly1305, SealError> {
        if bytes.len() < Self::KEY_PREFIX || bytes[0] != FORMAT {
            return Err(SealError::Malformed);
        }
        let mut key_id = [0u8; 8];
        key_id.copy_from_slice(&bytes[1..Self::KEY_PREFIX]);
        self.by_id
            .get(&key_id)
            .ok_or_else(|| SealError::UnknownKey(hex::encode(key_id)))
    }

    pub fn seal_secret(&self, purpose: Purpose, secret: &Secret) -> Sealed {
        self.seal(purpose, secret.expose().as_bytes())
    }

    pub fn open_secret(&self, purpose: Purpose, sealed: &Sealed) -> Result<Secret, SealError> {
        let bytes = self.open(purpose, sealed)?;
        String::from_utf8(bytes)
            .map(Secret::new)
            .map_err(|_| SealError::Malformed)
    }

    /// Whether this ciphertext was sealed with an older key (and should be re-sealed).
    pub fn is_stale(&self, sealed: &Sealed) -> bool {
        sealed.0.get(1..9) != Some(&self.current.0[..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_same_purpose_only() {
        let sealer = Sealer::new(&MasterKey::generate(), &[]);
        let sealed = sealer.seal(Purpose::ClientSecret, b"s3cret");

        assert_eq!(
            sealer.open(Purpose::ClientSecret, &sealed).unwrap(),
            b"s3cret"
        );
        assert!(matches!(
            sealer.open(Purpose::Token, &sealed),
            Err(SealError::Forged)
        ));
        assert!(!sealed.0.windows(6).any(|w| w == b"s3cret"));
    }

    #[test]
    fn a_sealed_values_prefix_tells_whether_its_key_is_configured() {
        let old = MasterKey::generate();
        let sealed = Sealer::new(&old, &[]).seal(Purpose::Token, b"t");
        let prefix = &sealed.0[..Sealer::KEY_PREFIX];

        let rotated = Sealer::new(&MasterKey::generate(), &[old]);
        let without_old = Sealer::new(&MasterKey::generate(), &[]);

        assert!(rotated.check_key(prefix).is_ok());
        assert!(matches!(
            without_old.check_key(prefix),
            Err(SealError::UnknownKey(_))
        ));
        assert!(matches!(
            without_old.check_key(b"short"),
            Err(SealError::Malformed)
        ));
    }

    #[test]
    fn a_tampered_ciphertext_is_refused() {
        let sealer = Sealer::new(&MasterKey::generate(), &[]);
        let mut sealed = sealer.seal(Purpose::Token, b"token");
        let last = sealed.0.len() - 1;
        sealed.0[last] ^= 1;

        assert!(matches!(
            sealer.open(Purpose::Token, &sealed),
            Err(SealError::Forged)
        ));
        assert!(matches!(
            sealer.open(Purpose::Token, &Sealed(vec![1, 2])),
            Err(SealError::Malformed)
        ));
    }

    #[test]
    fn data_sealed_under_a_previous_key_still_opens_after_rotation() {
        let old = MasterKey::generate();
        let sealed = Sealer::new(&old, &[]).seal(Purpose::Token, b"t");
        let rotated = Sealer::new(&MasterKey::generate(), &[old]);
        let without_old = Sealer::new(&MasterKey::generate(), &[]);

        assert_eq!(rotated.open(Purpose::Token, &sealed).unwrap(), b"t");
        assert!(rotated.is_stale(&sealed));
        assert!(matches!(
            without_old.open(Purpose::Token, &sealed),
            Err(SealError::UnknownKey(_))
        ));
    }
}
