//! Micro-benchmarks of the hot paths, so that a slow change shows before a load run: a list
//! from the store, a page of sessions serialised to JSON, a session token minted (one RS256
//! signature and its claims), and a JWT template's shortcodes rendered.
//!
//! `cargo bench --bench hot_paths`; `-- --quick` for a fast pass.

use std::hint::black_box;
use std::sync::Arc;

use clerk_backend_mock::Fixtures;
use clerk_backend_mock::hot_paths::{
    ApiVersion, FaultPlan, Instance, InstanceData, InstanceDefaults, ListQuery, ListScope,
    MemoryBudget, SeedSpec, SessionBody, SessionId, SessionList, TokenKind, TokenSettings,
    TokenSubject, UserId, instance_rng, seed, template_claims,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const ALICE: &str = "user_2AlicexBGaRy7HSnjHcaZabMn26";
const ALICE_ACTIVE: &str = "sess_2AliceActiveZICgVFaEP1MWWEP";
const NOW_MS: i64 = 1_764_000_000_000;

fn fixtures() -> Arc<Fixtures> {
    Arc::new(Fixtures::embedded().expect("the embedded fixtures load"))
}

fn spec(sessions: usize) -> SeedSpec {
    SeedSpec {
        seed: 42,
        users: (sessions / 10).max(1),
        organizations: 0,
        sessions,
        list_all: false,
    }
}

fn seeded(sessions: usize) -> InstanceData {
    let mut rng = instance_rng(42, b"bench");
    seed(
        &fixtures(),
        spec(sessions),
        &mut rng,
        NOW_MS,
        &mut |_, _| {},
    )
}

fn alices_page(limit: usize) -> ListQuery {
    ListQuery {
        scope: ListScope::User(UserId::parse(ALICE).expect("a user id")),
        status: None,
        version: ApiVersion::V2021_02_05,
        now_ms: NOW_MS,
        limit,
        offset: 0,
    }
}

/// A list by user costs the user's sessions, not the instance's.
fn store_list(c: &mut Criterion) {
    let mut group = c.benchmark_group("store_list_by_user");
    for sessions in [100, 100_000] {
        let data = seeded(sessions);
        let query = alices_page(10);
        group.bench_with_input(BenchmarkId::from_parameter(sessions), &query, |b, query| {
            b.iter(|| data.sessions.list(black_box(query)));
        });
    }
    group.finish();
}

/// A page of ten sessions as the API answers it, per API version: as the server writes it (from
/// the thread's kept renderings once warm), rendered afresh, and through serde for comparison
/// (the same bytes; the schema's description).
fn page_json(c: &mut Criterion) {
    let data = seeded(2_000);
    let sessions = data.sessions.list(&alices_page(10)).sessions;
    let mut group = c.benchmark_group("page_of_10_to_json");
    for version in [
        ApiVersion::V2021_02_05,
        ApiVersion::ALL[ApiVersion::ALL.len() - 1],
    ] {
        group.bench_with_input(
            BenchmarkId::new("serde", version.as_str()),
            &version,
            |b, version| {
                b.iter(|| {
                    let page = SessionList::Array(
                        black_box(&sessions)
                            .iter()
                            .map(|session| SessionBody::new(session, *version, NOW_MS))
                            .collect(),
                    );
                    serde_json::to_vec(&page).expect("serialises")
                });
            },
        );
    }
    group.finish();
}

/// Minting a session token and a template token: claims, then one RS256 signature.
fn minting(c: &mut Criterion) {
    let fixtures = fixtures();
    let defaults = InstanceDefaults {
        fixtures: Arc::clone(&fixtures),
        spec: spec(100),
        tokens: Arc::new(TokenSettings {
            issuer: "http://127.0.0.1:8080".to_owned(),
            authorized_party: None,
        }),
        journal_size: 0,
        faults: Arc::new(FaultPlan::default()),
        documents: Arc::new([]),
        webhooks: Arc::default(),
    };
    let instance = Instance::seeded(
        &defaults,
        [7; 32],
        Arc::clone(&fixtures.signing_key),
        Arc::new(MemoryBudget::new(usize::MAX)),
    )
    .expect("an unbounded budget takes any data");
    let session = SessionId::parse(ALICE_ACTIVE).expect("a session id");
    let mut group = c.benchmark_group("mint");
    group.sample_size(20);
    group.bench_function("session_token", |b| {
        b.iter(|| {
            instance
                .mint_token(black_box(session), TokenKind::Session, None)
                .expect("minted")
        });
    });
    group.bench_function("template_token", |b| {
        b.iter(|| {
            instance
                .mint_token(black_box(session), TokenKind::Template("test"), None)
                .expect("minted")
        });
    });
    group.finish();
}

/// The `test` template's claims rendered for Alice in Acme: shortcodes, fallbacks, metadata.
fn shortcodes(c: &mut Criterion) {
    let data = seeded(100);
    let session = data
        .sessions
        .get(SessionId::parse("sess_2AliceAcmeSNRmnp0OBiF59X58Y").expect("a session id"))
        .expect("Alice's Acme session")
        .clone();
    let user = data.users.get(&session.user_id).expect("Alice");
    let organization_id = session
        .last_active_organization_id
        .expect("an active organization");
    let organization = data.organizations.get(&organization_id).expect("Acme");
    let role = user.role_in(organization_id).expect("a member");
    let template = &data.templates["test"];
    let settings = TokenSettings {
        issuer: "http://127.0.0.1:8080".to_owned(),
        authorized_party: None,
    };
    c.bench_function("render_test_template", |b| {
        b.iter(|| {
            template_claims(
                TokenSubject {
                    session: &session,
                    user,
                    organization: Some((organization, role)),
                    now_secs: NOW_MS / 1000,
                },
                black_box(template),
                &settings,
                60,
            )
        });
    });
}

criterion_group!(benches, store_list, page_json, minting, shortcodes);
criterion_main!(benches);
