//! The bodies of the organization and membership writes: each field checked, every problem in
//! one 422. Clerk's schemas for creating organizations and memberships are open (other fields
//! are ignored); those for updating an organization and its metadata are closed.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::body::{BodyFields, FromBody};
use super::field_reader::Reader;
use crate::domain::Organization;
use crate::domain::identifiers::{MAX_TEXT_CHARS, organization_name_problem, slug_problem};
use crate::error::{ApiError, ParamProblem, ParamProblemKind};

/// The two metadata fields of an organization and a membership.
pub const ORGANIZATION_METADATA_FIELDS: [&str; 2] = ["public_metadata", "private_metadata"];

impl Reader<'_> {
    /// A required text field, not empty.
    fn required_text(&mut self, name: &str) -> Option<String> {
        match self.fields.string(name) {
            Ok(Some(text)) if !text.trim().is_empty() => Some(text.to_owned()),
            Ok(Some(_)) => {
                self.problems
                    .push(ParamProblem::invalid_value(name, "must not be empty"));
                None
            }
            Ok(None) => {
                self.problems.push(ParamProblem::missing(name));
                None
            }
            Err(problem) => {
                self.problems.push(problem);
                None
            }
        }
    }

    /// An organization name, as Clerk allows it.
    fn organization_name(&mut self, name: Option<String>) -> Option<Arc<str>> {
        let name = name?;
        match organization_name_problem(&name) {
            Some(problem) => {
                self.problems.push(ParamProblem::invalid_value(
                    "name",
                    format!("the organization name {name:?} is invalid: {problem}"),
                ));
                None
            }
            None => Some(Arc::from(name.trim())),
        }
    }

    /// A slug, when given and well formed.
    fn slug(&mut self) -> Option<Arc<str>> {
        let slug = self.text("slug", MAX_TEXT_CHARS).flatten()?;
        match slug_problem(&slug) {
            Some(problem) => {
                self.problem("slug", ParamProblemKind::FormatInvalid(problem));
                None
            }
            None => Some(slug),
        }
    }

    /// `max_allowed_memberships`: 0 (no limit) or more.
    fn members_limit(&mut self) -> Option<i64> {
        let limit = self
            .report(self.fields.integer("max_allowed_memberships"))
            .flatten()?;
        if limit < 0 {
            self.problems.push(ParamProblem::invalid_value(
                "max_allowed_memberships",
                "must be 0 (no limit) or more",
            ));
            return None;
        }
        Some(limit)
    }

    /// Both metadata fields, each a JSON object within its bound.
    fn organization_metadata(&mut self) -> [Option<Map<String, Value>>; 2] {
        ORGANIZATION_METADATA_FIELDS.map(|name| self.metadata(name))
    }
}

/// The body of `POST /v1/organizations`, for the document.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateOrganizationRequest, example = json!({"name": "Initech", "slug": "initech", "created_by": "user_2AlicexBGaRy7HSnjHcaZabMn26", "public_metadata": {"plan": "team"}}))]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
pub struct CreateOrganizationSchema {
    /// 1 to 256 characters, no URL or HTML.
    #[schema(min_length = 1, max_length = 256)]
    name: String,
    /// Lower-case letters and digits joined by dashes, held by no other organization; made from
    /// the name when absent (`-2`, `-3`... while taken).
    slug: Option<String>,
    /// A user who becomes the organization's admin.
    created_by: Option<String>,
    /// 0 (the default) is no limit.
    #[schema(minimum = 0)]
    max_allowed_memberships: Option<i64>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Map<String, Value>>,
    /// RFC 3339; now by default.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    /// Accepted and ignored: the mock has one role set.
    role_set_key: Option<String>,
}

/// What `POST /v1/organizations` asks for.
#[derive(Debug)]
pub struct CreateOrganizationRequest {
    pub name: Arc<str>,
    pub slug: Option<Arc<str>>,
    pub created_by: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub metadata: [Option<Map<String, Value>>; 2],
    pub created_at: Option<i64>,
}

impl FromBody for CreateOrganizationRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut reader = Reader::open(fields);
        let name = reader.required_text("name");
        let name = reader.organization_name(name);
        let slug = reader.slug();
        let created_by = reader
            .report(fields.string("created_by"))
            .flatten()
            .map(str::to_owned);
        let max_allowed_memberships = reader.members_limit();
        let metadata = reader.organization_metadata();
        let created_at = reader.time("created_at");
        reader.report(fields.string("role_set_key"));
        let request = name.map(|name| Self {
            name,
            slug,
            created_by,
            max_allowed_memberships,
            metadata,
            created_at,
        });
        match request {
            Some(request) => reader.finish(request),
            None => Err(ApiError::InvalidParams(reader.problems)),
        }
    }
}

/// The body of `PATCH /v1/organizations/{organization_id}`, for the document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = UpdateOrganizationRequest, example = json!({"name": "Initech Inc", "max_allowed_memberships": 25}))]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
pub struct UpdateOrganizationSchema {
    name: Option<String>,
    /// Held by no other organization.
    slug: Option<String>,
    /// 0 is no limit; lowering it below the members the organization has is allowed.
    #[schema(minimum = 0)]
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    created_at: Option<String>,
    role_set_key: Option<String>,
}

/// What `PATCH /v1/organizations/{organization_id}` asks for.
#[derive(Debug)]
pub struct UpdateOrganizationRequest {
    name: Option<Arc<str>>,
    slug: Option<Arc<str>>,
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    created_at: Option<i64>,
    /// Before 2026-05-12 only: replaces the field.
    metadata: [Option<Map<String, Value>>; 2],
}

impl UpdateOrganizationRequest {
    /// Reads the body; `with_metadata` when the API version still takes the metadata fields.
    pub fn parse(fields: &BodyFields, with_metadata: bool) -> Result<Self, ApiError> {
        let mut known = vec![
            "name",
            "slug",
            "max_allowed_memberships",
            "admin_delete_enabled",
            "created_at",
            "role_set_key",
        ];
        if with_metadata {
            known.extend(ORGANIZATION_METADATA_FIELDS);
        }
        let mut reader = Reader::new(fields, &known);
        let name = reader
            .report(fields.string("name"))
            .flatten()
            .map(str::to_owned);
        let name = reader.organization_name(name);
        let slug = reader.slug();
        let max_allowed_memberships = reader.members_limit();
        let admin_delete_enabled = reader.boolean("admin_delete_enabled");
        let created_at = reader.time("created_at");
        reader.report(fields.string("role_set_key"));
        let metadata = if with_metadata {
            reader.organization_metadata()
        } else {
            [None, None]
        };
        reader.finish(Self {
            name,
            slug,
            max_allowed_memberships,
            admin_delete_enabled,
            created_at,
            metadata,
        })
    }

    pub fn apply(self, organization: &mut Organization) {
        if let Some(name) = self.name {
            organization.name = name;
        }
        if let Some(slug) = self.slug {
            organization.slug = slug;
        }
        if let Some(limit) = self.max_allowed_memberships {
            organization.max_allowed_memberships = limit;
        }
        if let Some(enabled) = self.admin_delete_enabled {
            organization.admin_delete_enabled = enabled;
        }
        if let Some(created_at) = self.created_at {
            organization.created_at = created_at;
        }
        let [public, private] = self.metadata;
        for (slot, given) in [
            (&mut organization.public_metadata, public),
            (&mut organization.private_metadata, private),
        ] {
            if let Some(object) = given {
                *slot = Value::Object(object);
            }
        }
    }
}

/// The body of the organization metadata writes, for the document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrganizationMetadataRequest, example = json!({"public_metadata": {"plan": "enterprise"}}))]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
pub struct OrganizationMetadataSchema {
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Map<String, Value>>,
    /// For the backend only.
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Map<String, Value>>,
}

/// What an organization metadata write gives: each field, `None` when absent, an empty object
/// for `null`.
#[derive(Debug)]
pub struct OrganizationMetadataRequest {
    pub fields: [Option<Map<String, Value>>; 2],
}

impl FromBody for OrganizationMetadataRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut reader = Reader::new(fields, &ORGANIZATION_METADATA_FIELDS);
        let given = reader.organization_metadata();
        reader.finish(Self { fields: given })
    }
}

/// The body of `POST .../memberships`, for the document.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateOrganizationMembershipRequest, example = json!({"user_id": "user_2CarolsZ1EoOyEZmEivtHY0phmf", "role": "org:member"}))]
#[allow(
    dead_code,
    reason = "describes the request body in the OpenAPI document"
)]
pub struct CreateMembershipSchema {
    /// A user of the instance who is not a member yet.
    #[schema(min_length = 1)]
    user_id: String,
    /// `org:admin`, `org:member`, or a role a member of the organization holds.
    #[schema(min_length = 1)]
    role: String,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Map<String, Value>>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Map<String, Value>>,
}

/// What `POST .../memberships` asks for.
#[derive(Debug)]
pub struct CreateMembershipRequest {
    pub user_id: String,
    pub role: String,
    pub metadata: [Option<Map<String, Value>>; 2],
}

impl FromBody for CreateMembershipRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut reader = Reader::open(fields);
        let user_id = reader.required_text("user_id");
        let role = reader.required_text("role");
        let metadata = reader.organization_metadata();
        match (user_id, role) {
            (Some(user_id), Some(role)) => reader.finish(Self {
                user_id,
                role,
                metadata,
            }),
            _ => Err(ApiError::InvalidParams(reader.problems)),
        }
    }
}

/// The body of `PATCH .../memberships/{user_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = UpdateOrganizationMembershipRequest, example = json!({"role": "org:admin"}))]
pub struct UpdateMembershipRequest {
    /// `org:admin`, `org:member`, or a role a member of the organization holds.
    #[schema(min_length = 1)]
    pub role: String,
}

impl FromBody for UpdateMembershipRequest {
    fn from_fields(fields: &BodyFields) -> Result<Self, ApiError> {
        let mut reader = Reader::open(fields);
        match reader.required_text("role") {
            Some(role) => reader.finish(Self { role }),
            None => Err(ApiError::InvalidParams(reader.problems)),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::error::param_problems;

    fn fields(json: Value) -> BodyFields {
        BodyFields::parse_json(json.to_string().as_bytes()).expect("json")
    }

    #[test]
    fn a_new_organization_needs_a_clean_name_and_takes_a_well_formed_slug() {
        let request =
            CreateOrganizationRequest::from_fields(&fields(json!({"name": "Initech", "extra": 1})))
                .expect("other fields are ignored");
        assert_eq!(&*request.name, "Initech");
        let names: Vec<String> = param_problems(CreateOrganizationRequest::from_fields(&fields(
            json!({"name": "<b>x</b>", "slug": "Bad Slug", "max_allowed_memberships": -1}),
        )))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
        assert_eq!(names, ["name", "slug", "max_allowed_memberships"]);
        let missing = param_problems(CreateOrganizationRequest::from_fields(&fields(json!({}))));
        assert_eq!(missing[0].0, "name");
    }

    #[test]
    fn an_update_is_closed_and_takes_metadata_only_before_2026_05_12() {
        let body = fields(json!({"public_metadata": {"a": 1}}));
        assert_eq!(
            param_problems(UpdateOrganizationRequest::parse(&body, false)),
            [("public_metadata".to_owned(), ParamProblemKind::Unknown)]
        );
        assert!(UpdateOrganizationRequest::parse(&body, true).is_ok());
    }
}
