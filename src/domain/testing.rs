//! Plain sample values for unit tests, to be adjusted with struct update syntax.

use std::sync::Arc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::user::IdentifierStatus;
use super::{ClientId, Session, SessionId, User, UserId};

/// An active session with no activity, actor or organization, drawn from `seed`.
pub fn session(seed: u64) -> Session {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (id, user, client) = (
        SessionId::random(&mut rng),
        UserId::random(&mut rng),
        ClientId::random(&mut rng),
    );
    Session {
        expire_at: 10_000,
        abandon_at: 20_000,
        ..Session::new(id, user, client, 1_000)
    }
}

/// Ada Lovelace, with a verified email address and empty metadata, drawn from `seed`.
pub fn user(seed: u64) -> User {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    User {
        first_name: Some(Arc::from("Ada")),
        last_name: Some(Arc::from("Lovelace")),
        ..User::new(
            UserId::random(&mut rng),
            Arc::from("https://img.example/ada.png"),
            1_700_000_123_456,
        )
        .with_email("ada@example.com", IdentifierStatus::Verified)
    }
}
