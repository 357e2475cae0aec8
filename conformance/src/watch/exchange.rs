//! One request and its answer as the proxy forwarded them, and what a check reads of them.

use serde_json::Value;

/// A forwarded request and the upstream's answer, byte for byte.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// The path as sent, with `/v1`.
    pub path: String,
    /// The query string as sent, without `?`.
    pub query: String,
    /// The `Clerk-API-Version` header, if any.
    pub version_header: Option<String>,
    /// The `Authorization` header: used once to fetch the JWKS, never printed or stored.
    pub authorization: Option<String>,
    pub status: u16,
    /// The answer's `Content-Type`, exactly as sent.
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Exchange {
    /// `METHOD /path?query`, for a violation line; the query carries no secret.
    pub fn describe(&self) -> String {
        if self.query.is_empty() {
            format!("{} {}", self.method, self.path)
        } else {
            format!("{} {}?{}", self.method, self.path, self.query)
        }
    }

    /// The path without `/v1`, as the spec writes it; `None` outside the API.
    pub fn api_path(&self) -> Option<&str> {
        self.path
            .strip_prefix("/v1")
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    }

    /// The decoded query parameters, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect()
    }

    /// The last value of query parameter `name`, as the API reads a repeated one.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_pairs()
            .into_iter()
            .rev()
            .find(|(pair, _)| pair == name)
            .map(|(_, value)| value)
    }

    /// The API version the request asked for: the header, else the query parameter.
    pub fn requested_version(&self) -> Option<String> {
        self.version_header
            .clone()
            .or_else(|| self.query_param("__clerk_api_version"))
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The sessions an answer holds: a Session, a list (array or page) of them, or none.
pub fn sessions_in(body: &Value) -> Vec<&Value> {
    objects_in(body, "session")
}

/// The users an answer holds: a user, or the users of a list.
pub fn users_in(body: &Value) -> Vec<&Value> {
    objects_in(body, "user")
}

/// The organizations an answer holds: an organization, or the items of a page of them.
pub fn organizations_in(body: &Value) -> Vec<&Value> {
    objects_in(body, "organization")
}

/// The memberships an answer holds: a membership, or the items of a page of them.
pub fn memberships_in(body: &Value) -> Vec<&Value> {
    objects_in(body, "organization_membership")
}

/// What an answer holds of one kind (`object`): itself, or the items of its array or of its
/// page's `data` that are of that kind.
fn objects_in<'a>(body: &'a Value, object: &str) -> Vec<&'a Value> {
    let items: Vec<&Value> = match body {
        Value::Array(items) => items.iter().collect(),
        Value::Object(fields) if fields.contains_key("object") => vec![body],
        Value::Object(fields) => fields
            .get("data")
            .and_then(Value::as_array)
            .map(|items| items.iter().collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    // A `DeletedObject` names the kind of object it was (`"object": "user"`) but is not one.
    items
        .into_iter()
        .filter(|item| item["object"] == object && item.get("deleted").is_none())
        .collect()
}
