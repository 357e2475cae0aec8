//! The official Rust SDK (`clerk-rs`), pointed at the server as a Rust backend's own tests point
//! it, through the in-process `MockServer`: `validate_jwt` with its default options, fetching the
//! JWKS from the server with the secret key, as a backend's middleware runs it, and its users,
//! organizations and tokens APIs, with what it sent read back from the journal.

use std::sync::Arc;

use clerk_rs::ClerkConfiguration;
use clerk_rs::clerk::Clerk;
use clerk_rs::validators::authorizer::{ClerkError, validate_jwt};
use clerk_rs::validators::jwks::MemoryCacheJwksProvider;

use clerk_backend_mock::harness::MockServer;
use clerk_backend_mock::harness::known::{ALICE, ALICE_ACME_SESSION, ALICE_ACTIVE_SESSION};

/// The SDK's client, as a backend configures it: the secret key and the mock's `/v1`.
fn clerk(mock: &MockServer) -> Clerk {
    Clerk::new(ClerkConfiguration::new(mock.secret_key().to_owned()).with_base_path(mock.api_url()))
}

fn jwks_provider(mock: &MockServer) -> Arc<MemoryCacheJwksProvider> {
    Arc::new(MemoryCacheJwksProvider::new(clerk(mock)))
}

#[tokio::test]
async fn clerk_rs_validates_session_and_default_template_tokens_with_its_default_options() {
    let mock = MockServer::start().await;
    let jwks = jwks_provider(&mock);

    let session = validate_jwt(
        &mock
            .session_token(ALICE_ACME_SESSION)
            .expect("a live session"),
        Arc::clone(&jwks),
    )
    .await
    .unwrap_or_else(|error| panic!("a session token: {error}"));
    assert_eq!(session.sub, ALICE);
    assert_eq!(session.sid.as_deref(), Some(ALICE_ACME_SESSION));
    // clerk-rs reads organizations from v1 claims; a v2 token's `o` reaches it as is.
    assert_eq!(session.other["o"]["slg"], "acme");

    let template = validate_jwt(
        &mock
            .template_token(ALICE_ACTIVE_SESSION, "test")
            .expect("a template"),
        Arc::clone(&jwks),
    )
    .await
    .unwrap_or_else(|error| panic!("the default template's token: {error}"));
    assert_eq!(template.sub, ALICE);

    // A template with an audience needs a verifier told about it; clerk-rs's default is not.
    let refused = validate_jwt(
        &mock
            .template_token(ALICE_ACTIVE_SESSION, "supabase")
            .expect("a template"),
        jwks,
    )
    .await;
    assert!(
        matches!(&refused, Err(ClerkError::Unauthorized(cause)) if cause.contains("InvalidAudience")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn clerk_rs_reads_a_user() {
    let mock = MockServer::start().await;
    let clerk = clerk(&mock);
    let user = clerk_rs::apis::users_api::get_user(&clerk.config, ALICE)
        .await
        .unwrap_or_else(|error| panic!("the user deserialises: {error:?}"));
    assert_eq!(user.id, ALICE);
    assert_eq!(user.first_name.as_deref(), Some("Alice"));
    let primary = user.primary_email_address_id.clone();
    let emails = user.email_addresses;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].id, primary);
    assert_eq!(emails[0].email_address, "alice@example.com");

    let missing =
        clerk_rs::apis::users_api::get_user(&clerk.config, "user_2NobodyHasThisId00000000000")
            .await;
    assert!(
        matches!(&missing, Err(clerk_rs::apis::Error::ResponseError(content)) if content.status == 404),
        "{missing:?}"
    );
}

#[tokio::test]
async fn clerk_rs_creates_merges_bans_and_deletes_a_user() {
    use clerk_rs::apis::users_api;
    use clerk_rs::models::{CreateUserRequest, UpdateUserMetadataRequest};

    let mock = MockServer::start().await;
    let clerk = clerk(&mock);
    let mut wanted = CreateUserRequest::new();
    wanted.email_address = Some(vec!["grace@example.com".to_owned()]);
    wanted.first_name = Some(Some("Grace".to_owned()));
    wanted.public_metadata = Some([("plan".to_owned(), serde_json::json!("pro"))].into());
    let created = users_api::create_user(&clerk.config, wanted)
        .await
        .unwrap_or_else(|error| panic!("the created user deserialises: {error:?}"));
    assert_eq!(
        created.email_addresses[0].email_address,
        "grace@example.com"
    );
    // What the SDK put on the wire, as the journal kept it.
    let sent = mock
        .journal_find(&serde_json::json!({
            "method": "POST",
            "path": "/v1/users",
            "headers": {"content-type": "application/json"},
            "body": {"email_address": ["grace@example.com"], "public_metadata": {"plan": "pro"}},
        }))
        .expect("a valid pattern");
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["operation_id"], "CreateUser");
    assert_eq!(sent[0]["body"]["first_name"], "Grace");
    assert_eq!(sent[0]["headers"]["authorization"], "[redacted]");

    let mut merge = UpdateUserMetadataRequest::new();
    merge.public_metadata = Some([("seats".to_owned(), serde_json::json!(3))].into());
    let merged = users_api::update_user_metadata(&clerk.config, &created.id, Some(merge))
        .await
        .unwrap_or_else(|error| panic!("the merged user deserialises: {error:?}"));
    assert_eq!(
        merged.public_metadata.get("plan"),
        Some(&serde_json::json!("pro"))
    );
    assert_eq!(
        merged.public_metadata.get("seats"),
        Some(&serde_json::json!(3))
    );

    let banned = users_api::ban_user(&clerk.config, &created.id)
        .await
        .unwrap_or_else(|error| panic!("the banned user deserialises: {error:?}"));
    assert!(banned.banned);
    let deleted = users_api::delete_user(&clerk.config, &created.id)
        .await
        .unwrap_or_else(|error| panic!("the deleted object deserialises: {error:?}"));
    assert!(deleted.deleted);
    assert_eq!(deleted.id.as_deref(), Some(created.id.as_str()));
}

#[tokio::test]
async fn clerk_rs_creates_testing_and_sign_in_tokens() {
    use clerk_rs::apis::{sign_in_tokens_api, testing_tokens_api};
    use clerk_rs::models::CreateSignInTokenRequest;

    let mock = MockServer::start().await;
    let clerk = clerk(&mock);
    let testing = testing_tokens_api::create_testing_token(&clerk.config)
        .await
        .unwrap_or_else(|error| panic!("the testing token deserialises: {error:?}"));
    assert!(testing.token.contains("-c_"));
    let created = sign_in_tokens_api::create_sign_in_token(
        &clerk.config,
        Some(CreateSignInTokenRequest::new(ALICE.to_owned())),
    )
    .await
    .unwrap_or_else(|error| panic!("the sign-in token deserialises: {error:?}"));
    assert_eq!(created.user_id, ALICE);
    let revoked = sign_in_tokens_api::revoke_sign_in_token(&clerk.config, &created.id)
        .await
        .unwrap_or_else(|error| panic!("the revoked token deserialises: {error:?}"));
    assert_eq!(
        serde_json::to_value(revoked.status).expect("a status"),
        serde_json::json!("revoked")
    );
}

#[tokio::test]
async fn clerk_rs_reads_an_organization_and_its_members() {
    use clerk_rs::apis::{organization_memberships_api, organizations_api};

    let mock = MockServer::start().await;
    let clerk = clerk(&mock);
    let acme = organizations_api::get_organization(&clerk.config, "acme", Some(true), None)
        .await
        .unwrap_or_else(|error| panic!("the organization deserialises: {error:?}"));
    assert_eq!(acme.slug, "acme");
    let members = organization_memberships_api::list_organization_memberships(
        &clerk.config,
        &acme.id,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        Some(50),
        None,
    )
    .await
    .unwrap_or_else(|error| panic!("the memberships deserialise: {error:?}"));
    assert_eq!(acme.members_count.map(i64::from), Some(members.total_count));
    assert!(members.data.iter().any(|member| member.role == "org:admin"));
}
