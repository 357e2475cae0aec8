//! Operation ids: every documented operation's typed identity, defined once, so that a typo is a
//! compile error and "every operation" is a list code can walk.

/// Declares [`OperationId`]: Clerk's operations (`/v1`), then the server's own.
macro_rules! operation_ids {
    (api { $($api:ident = $api_name:literal,)* } own { $($own:ident = $own_name:literal,)* }) => {
        /// Every documented operation, by the id the document gives it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationId {
            $($api,)*
            $($own,)*
        }

        impl OperationId {
            /// Clerk's operations, served under `/v1`.
            pub const API: &[Self] = &[$(Self::$api,)*];
            /// Every operation: Clerk's, then the operator and admin surfaces'.
            pub const ALL: &[Self] = &[$(Self::$api,)* $(Self::$own,)*];

            /// The id as the document writes it (Clerk's, for Clerk's operations).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$api => $api_name,)*
                    $(Self::$own => $own_name,)*
                }
            }
        }
    };
}

operation_ids! {
    api {
        GetSessionList = "GetSessionList",
        CreateSession = "createSession",
        GetSession = "GetSession",
        RevokeSession = "RevokeSession",
        VerifySession = "VerifySession",
        CreateSessionToken = "CreateSessionToken",
        CreateSessionTokenFromTemplate = "CreateSessionTokenFromTemplate",
        RefreshSession = "RefreshSession",
        GetJwks = "GetJWKS",
        GetUserList = "GetUserList",
        GetUsersCount = "GetUsersCount",
        GetUser = "GetUser",
        CreateUser = "CreateUser",
        UpdateUser = "UpdateUser",
        DeleteUser = "DeleteUser",
        UpdateUserMetadata = "UpdateUserMetadata",
        ReplaceUserMetadata = "ReplaceUserMetadata",
        BanUser = "BanUser",
        UnbanUser = "UnbanUser",
        LockUser = "LockUser",
        UnlockUser = "UnlockUser",
        CreateTestingToken = "CreateTestingToken",
        CreateSignInToken = "CreateSignInToken",
        RevokeSignInToken = "RevokeSignInToken",
        ListOrganizations = "ListOrganizations",
        CreateOrganization = "CreateOrganization",
        GetOrganization = "GetOrganization",
        UpdateOrganization = "UpdateOrganization",
        DeleteOrganization = "DeleteOrganization",
        MergeOrganizationMetadata = "MergeOrganizationMetadata",
        ReplaceOrganizationMetadata = "ReplaceOrganizationMetadata",
        ListOrganizationMemberships = "ListOrganizationMemberships",
        CreateOrganizationMembership = "CreateOrganizationMembership",
        UpdateOrganizationMembership = "UpdateOrganizationMembership",
        DeleteOrganizationMembership = "DeleteOrganizationMembership",
        UsersGetOrganizationMemberships = "UsersGetOrganizationMemberships",
    }
    own {
        Healthz = "Healthz",
        Readyz = "Readyz",
        GetPublicKeyPem = "GetPublicKeyPem",
        GetOpenApiDocument = "GetOpenApiDocument",
        CreateInstance = "CreateInstance",
        DeleteInstance = "DeleteInstance",
        ResetInstance = "ResetInstance",
        GetInstanceClock = "GetInstanceClock",
        ChangeInstanceClock = "ChangeInstanceClock",
        GetInstanceJournal = "GetInstanceJournal",
        CountInstanceJournal = "CountInstanceJournal",
        ClearInstanceJournal = "ClearInstanceJournal",
        FindInstanceJournal = "FindInstanceJournal",
        CountInstanceJournalByPattern = "CountInstanceJournalByPattern",
        WaitInstanceJournal = "WaitInstanceJournal",
        GetUnauthenticatedJournal = "GetUnauthenticatedJournal",
        SaveState = "SaveState",
        CreateInstanceWebhook = "CreateInstanceWebhook",
        ListInstanceWebhooks = "ListInstanceWebhooks",
        GetInstanceWebhook = "GetInstanceWebhook",
        DeleteInstanceWebhook = "DeleteInstanceWebhook",
        ListInstanceWebhookDeliveries = "ListInstanceWebhookDeliveries",
        ReplayInstanceWebhookEvent = "ReplayInstanceWebhookEvent",
        SendInstanceWebhookTestEvent = "SendInstanceWebhookTestEvent",
        CreateInstanceSession = "CreateInstanceSession",
        GetInstanceSessionRefreshToken = "GetInstanceSessionRefreshToken",
        CreateInstanceSessionToken = "CreateInstanceSessionToken",
        RedeemInstanceSignInToken = "RedeemInstanceSignInToken",
        SetInstanceSessionOrganization = "SetInstanceSessionOrganization",
        LoadInstanceData = "LoadInstanceData",
        ExportInstanceData = "ExportInstanceData",
        GetInstanceFaults = "GetInstanceFaults",
        SetInstanceFaults = "SetInstanceFaults",
        RestoreInstanceFaults = "RestoreInstanceFaults",
    }
}

impl OperationId {
    /// The operation `text` names, as the document writes ids.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|id| id.as_str() == text)
    }

    /// Whether this is one of Clerk's operations.
    pub fn is_api(self) -> bool {
        Self::API.contains(&self)
    }
}

impl std::fmt::Display for OperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for OperationId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
