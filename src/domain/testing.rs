//! Plain sample values for unit tests, to be adjusted with struct update syntax.

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{ClientId, Session, SessionId, SessionStatus, User, UserId};

/// An active session with no activity, actor or organization, drawn from `seed`.
pub fn session(seed: u64) -> Session {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Session {
        id: SessionId::random(&mut rng),
        user_id: UserId::random(&mut rng),
        client_id: ClientId::random(&mut rng),
        status: SessionStatus::Active,
        actor: None,
        last_active_organization_id: None,
        latest_activity: None,
        tasks: Arc::new([]),
        last_active_at: 1_000,
        expire_at: 10_000,
        abandon_at: 20_000,
        created_at: 1_000,
        updated_at: 1_000,
    }
}

/// Ada Lovelace, with an email address and empty metadata, drawn from `seed`.
pub fn user(seed: u64) -> User {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    User {
        id: UserId::random(&mut rng),
        first_name: Some(Arc::from("Ada")),
        last_name: Some(Arc::from("Lovelace")),
        username: None,
        primary_email_address: Some(Arc::from("ada@example.com")),
        email_verified: true,
        primary_phone_number: None,
        phone_number_verified: false,
        image_url: Arc::from("https://img.example/ada.png"),
        public_metadata: serde_json::json!({}),
        unsafe_metadata: serde_json::json!({}),
        memberships: Vec::new(),
        created_at: 1_700_000_123_456,
    }
}
