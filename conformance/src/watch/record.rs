//! Recording: what the upstream showed, as a data document clerk-sessions-mock loads
//! (`POST /__admin/instance/data`, or `--data FILE` at start-up). Nothing secret is kept: no
//! token, no key, no refresh token.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::exchange::{Exchange, sessions_in};

/// What the upstream has shown so far.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Each session as last seen, as a data document's entry.
    sessions: BTreeMap<String, Value>,
    /// Each user seen, with the organizations tokens showed them in (id to role).
    users: BTreeMap<String, BTreeMap<String, String>>,
    /// Each organization seen, with its slug when a token showed it.
    organizations: BTreeMap<String, Option<String>>,
    templates: BTreeSet<String>,
}

impl Recorder {
    pub fn observe(&mut self, exchange: &Exchange) {
        let Some(path) = exchange.api_path() else {
            return;
        };
        let Some(body) = exchange.json().filter(|_| exchange.is_success()) else {
            return;
        };
        for session in sessions_in(&body) {
            self.session(session);
        }
        let parts: Vec<&str> = path.split('/').collect();
        if exchange.method == "POST" && parts.get(3) == Some(&"tokens") {
            if let Some(template) = parts.get(4) {
                self.templates.insert((*template).to_owned());
            }
            if let Some(claims) = body["jwt"].as_str().and_then(unverified_claims) {
                self.token_claims(&claims);
            }
        }
    }

    fn session(&mut self, session: &Value) {
        let (Some(id), Some(user)) = (session["id"].as_str(), session["user_id"].as_str()) else {
            return;
        };
        self.users.entry(user.to_owned()).or_default();
        let organization = session["last_active_organization_id"].as_str();
        if let Some(organization) = organization {
            self.organizations
                .entry(organization.to_owned())
                .or_default();
            self.users
                .entry(user.to_owned())
                .or_default()
                .entry(organization.to_owned())
                .or_insert_with(|| "org:member".to_owned());
        }
        let tasks: Vec<Value> = session["tasks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|task| task["key"].as_str().map(Value::from))
            .collect();
        let activity = session["latest_activity"].as_object().map(|activity| {
            let mut activity = activity.clone();
            activity.remove("object");
            activity.remove("id");
            Value::Object(activity)
        });
        let mut entry = json!({
            "id": id,
            "user_id": user,
            "client_id": session["client_id"],
            "status": session["status"],
            "created_at": session["created_at"],
            "last_active_at": session["last_active_at"],
            "updated_at": session["updated_at"],
            "expire_at": session["expire_at"],
            "abandon_at": session["abandon_at"],
        });
        let fields = [
            ("actor", session["actor"].clone()),
            (
                "active_organization_id",
                organization.map_or(Value::Null, Value::from),
            ),
            ("activity", activity.unwrap_or(Value::Null)),
            ("tasks", Value::Array(tasks)),
        ];
        for (name, value) in fields {
            if !value.is_null() && value != json!([]) {
                entry[name] = value;
            }
        }
        self.sessions.insert(id.to_owned(), entry);
    }

    /// A token's `o` claim names the organization's slug and the user's role in it.
    fn token_claims(&mut self, claims: &Value) {
        let (Some(user), Some(organization)) = (claims["sub"].as_str(), claims["o"]["id"].as_str())
        else {
            return;
        };
        if let Some(slug) = claims["o"]["slg"].as_str() {
            self.organizations
                .insert(organization.to_owned(), Some(slug.to_owned()));
        }
        if let Some(role) = claims["o"]["rol"].as_str() {
            self.users
                .entry(user.to_owned())
                .or_default()
                .insert(organization.to_owned(), format!("org:{role}"));
        }
    }

    /// The recording as a data document.
    pub fn document(&self) -> Value {
        let organizations: Vec<Value> = self
            .organizations
            .iter()
            .map(|(id, slug)| {
                let slug = slug.clone().unwrap_or_else(|| id.to_lowercase());
                json!({ "id": id, "name": slug, "slug": slug })
            })
            .collect();
        let users: Vec<Value> = self
            .users
            .iter()
            .map(|(id, memberships)| {
                let memberships: Vec<Value> = memberships
                    .iter()
                    .map(|(organization, role)| json!({ "organization_id": organization, "role": role }))
                    .collect();
                let mut user = Map::new();
                user.insert("id".to_owned(), Value::from(id.as_str()));
                if !memberships.is_empty() {
                    user.insert("memberships".to_owned(), Value::Array(memberships));
                }
                Value::Object(user)
            })
            .collect();
        let templates: Vec<Value> = self
            .templates
            .iter()
            .map(|name| json!({ "name": name, "claims": {} }))
            .collect();
        json!({
            "organizations": organizations,
            "users": users,
            "sessions": self.sessions.values().collect::<Vec<_>>(),
            "jwt_templates": templates,
        })
    }
}

/// A JWT's claims, read without checking the signature (the recording keeps no token).
fn unverified_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}
