//! What a delete answers: Clerk's `DeletedObject`.

use serde::Serialize;
use utoipa::ToSchema;

/// An object that was deleted: its kind, its id, and `deleted: true`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DeletedObject, example = json!({"object": "user", "id": "user_2AlicexBGaRy7HSnjHcaZabMn26", "deleted": true}))]
pub struct DeletedObjectBody {
    /// The kind of object deleted, such as `user`.
    #[schema(example = "user")]
    object: &'static str,
    id: String,
    /// The deleted user's `external_id`, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    /// The deleted organization's slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    slug: Option<String>,
    deleted: bool,
}

impl DeletedObjectBody {
    /// A deleted user, with its `external_id` when it had one.
    pub fn user(id: String, external_id: Option<String>) -> Self {
        Self {
            object: "user",
            id,
            external_id,
            slug: None,
            deleted: true,
        }
    }

    /// A deleted organization, with its slug.
    pub fn organization(id: String, slug: String) -> Self {
        Self {
            object: "organization",
            id,
            external_id: None,
            slug: Some(slug),
            deleted: true,
        }
    }
}
