//! The ids of the fixtures every instance starts with, for tests to name: who is signed in
//! where, and what each session's status is.

/// Alice: two organizations, sessions in every status.
pub const ALICE: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";
/// Alice's active session, with no organization.
pub const ALICE_ACTIVE_SESSION: &str = "sess_2AliceActiveZICgVFaEP1MWWEP";
/// Alice's active session in Acme Corp, where she is an admin.
pub const ALICE_ACME_SESSION: &str = "sess_2AliceAcmeSNRmnp0OBiF59X58Y";
/// Alice's pending session (tasks left), live from API version 2025-03-12.
pub const ALICE_PENDING_SESSION: &str = "sess_2AlicePendingRx5vQ5Tk5pNgcO";
/// Alice's revoked session.
pub const ALICE_REVOKED_SESSION: &str = "sess_2AliceRevokedbT1G7IMQVce2fb";
/// Bob: a member of Acme Corp.
pub const BOB: &str = "user_2BobJZrdAIU6kShB4Ir5nvFTMPp";
/// Bob's active session.
pub const BOB_ACTIVE_SESSION: &str = "sess_2BobActiveS7TT1MaCiZHMkhSCA";
/// Bob's session impersonated by Carol (an `act` claim in its tokens).
pub const BOB_IMPERSONATED_SESSION: &str = "sess_2BobImpersonatedkoVnHobLeLg";
/// Carol.
pub const CAROL: &str = "user_2CarolsZ1EoOyEZmEivtHY0phmf";
/// Acme Corp, slug `acme`.
pub const ACME: &str = "org_2Acmet3kU1slpIuojlEroXRG9xb";
/// Globex Corporation.
pub const GLOBEX: &str = "org_2GlobexVGQT1v7E7Zi2T6IuzA7C";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Fixtures;

    #[test]
    fn every_known_id_is_in_the_fixtures_with_the_status_its_name_says() {
        let fixtures = Fixtures::embedded().expect("embedded fixtures");
        let data = &fixtures.data;
        let user = |id: &str| data.users.iter().any(|user| user.id.to_string() == id);
        for id in [ALICE, BOB, CAROL] {
            assert!(user(id), "{id}");
        }
        let status = |id: &str| {
            data.sessions
                .iter()
                .find(|session| session.id.is_some_and(|known| known.to_string() == id))
                .map(|session| format!("{:?}", session.status).to_lowercase())
        };
        for (id, expected) in [
            (ALICE_ACTIVE_SESSION, "active"),
            (ALICE_ACME_SESSION, "active"),
            (ALICE_PENDING_SESSION, "pending"),
            (ALICE_REVOKED_SESSION, "revoked"),
            (BOB_ACTIVE_SESSION, "active"),
            (BOB_IMPERSONATED_SESSION, "active"),
        ] {
            assert_eq!(status(id).as_deref(), Some(expected), "{id}");
        }
        for id in [ACME, GLOBEX] {
            assert!(
                data.organizations
                    .iter()
                    .any(|organization| organization.id.to_string() == id),
                "{id}"
            );
        }
    }
}
