//! The watch's checks, each with what it proves and where the rule comes from, and what a
//! violation of one says.

use crate::check::Group;

/// One watch check: what it proves and where the rule comes from.
#[derive(Debug, Clone, Copy)]
pub struct WatchCheck {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    pub rule: &'static str,
}

pub const DOCUMENTED_STATUS: WatchCheck = WatchCheck {
    id: "WATCH-001",
    group: Group::Contract,
    title: "Every answer's status is documented for its operation",
    rule: "The spec of the request's API version",
};

pub const CONTENT_TYPE: WatchCheck = WatchCheck {
    id: "WATCH-002",
    group: Group::Contract,
    title: "JSON answers carry Content-Type: application/json exactly",
    rule: "CONTRACT §2: @clerk/backend parses JSON only on an exact match",
};

pub const SCHEMA: WatchCheck = WatchCheck {
    id: "WATCH-003",
    group: Group::Contract,
    title: "Every answer matches its documented schema",
    rule: "The spec of the request's API version",
};

pub const ENVELOPE: WatchCheck = WatchCheck {
    id: "WATCH-004",
    group: Group::Contract,
    title: "Every error answer is Clerk's envelope (message, long_message, code; clerk_trace_id)",
    rule: "CONTRACT §2",
};

pub const LIST: WatchCheck = WatchCheck {
    id: "WATCH-005",
    group: Group::Behaviour,
    title: "Lists: newest first, limit honoured, total_count not below the page, filters honoured",
    rule: "CONTRACT §5 List",
};

pub const WELL_FORMED: WatchCheck = WatchCheck {
    id: "WATCH-006",
    group: Group::Contract,
    title: "Ids and times are well formed (prefix and 27 base62 characters; Unix milliseconds)",
    rule: "CONTRACT §2",
};

pub const TOKENS: WatchCheck = WatchCheck {
    id: "WATCH-007",
    group: Group::Tokens,
    title: "Tokens verify with the JWKS and their claims match their session",
    rule: "CONTRACT §6",
};

pub const REVOKED_STAYS_REVOKED: WatchCheck = WatchCheck {
    id: "WATCH-008",
    group: Group::Behaviour,
    title: "A session revoked earlier is never shown active or pending later",
    rule: "CONTRACT §5 Revoke",
};

pub const GET_EQUALS_LIST: WatchCheck = WatchCheck {
    id: "WATCH-009",
    group: Group::Behaviour,
    title: "A retrieved session equals its list item of the same moment",
    rule: "CONTRACT §5 Get",
};

pub const ALL: [WatchCheck; 9] = [
    DOCUMENTED_STATUS,
    CONTENT_TYPE,
    SCHEMA,
    ENVELOPE,
    LIST,
    WELL_FORMED,
    TOKENS,
    REVOKED_STAYS_REVOKED,
    GET_EQUALS_LIST,
];

/// One thing an exchange showed wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub check: &'static str,
    pub request: String,
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.check, self.request, self.detail)
    }
}
