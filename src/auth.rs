//! PINs for members on shared PCs: stored as slow, salted argon2 hashes, never in clear.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

/// Hash a PIN for storage (argon2id, random salt, PHC string).
pub fn hash_pin(pin: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Check a PIN against a stored hash. A damaged hash never verifies.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A PIN is 4 to 12 digits: typed quickly at a shared PC, slow to guess with argon2.
pub fn valid_pin(pin: &str) -> bool {
    (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_verifies_only_itself() {
        let h = hash_pin("2468").unwrap();
        assert!(h.starts_with("$argon2"));
        assert!(!h.contains("2468"));
        assert!(verify_pin("2468", &h));
        assert!(!verify_pin("2469", &h));
        assert!(!verify_pin("2468", "garbage"));
        // Salted: the same PIN hashes differently.
        assert_ne!(hash_pin("2468").unwrap(), h);
    }

    #[test]
    fn pins_are_short_digit_strings() {
        assert!(valid_pin("1234"));
        assert!(!valid_pin("12a4"));
        assert!(!valid_pin("123"));
    }
}
