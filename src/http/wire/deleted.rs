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
    deleted: bool,
}

impl DeletedObjectBody {
    pub fn new(object: &'static str, id: String, external_id: Option<String>) -> Self {
        Self {
            object,
            id,
            external_id,
            deleted: true,
        }
    }
}
