//! The contract's decision on every member API Gateway answers, per kind of object: hashed, or
//! not captured by a deployment (and why).
//!
//! A member on neither list is one AWS added after this list was written. It is hashed as
//! answered (docs/hash-contract.md, "Members AWS adds later"): an extra redeploy is harmless, a
//! missed one leaves a stage serving stale content. Tests compare these lists with the AWS
//! SDK's types and with the AWS-shaped answers in `tests/fixtures/aws/`, so a new member in
//! either fails the build until it is decided here and in the contract.

/// One kind of API Gateway object and the members the contract knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// AWS's shape name, e.g. `Integration`.
    pub name: &'static str,
    /// Members that reach the document (some renamed or normalised; see the contract).
    pub hashed: &'static [&'static str],
    /// Members a deployment does not capture, with the reason.
    pub not_captured: &'static [(&'static str, &'static str)],
}

impl Kind {
    /// Whether the contract has decided on `member`.
    pub fn decides(&self, member: &str) -> bool {
        self.hashed.contains(&member) || self.is_not_captured(member)
    }

    /// Whether `member` is on the "not captured by a deployment" list.
    pub fn is_not_captured(&self, member: &str) -> bool {
        self.not_captured.iter().any(|(name, _)| *name == member)
    }
}

const GENERATED_ID: &str = "a generated id; objects are referenced by content, name or path";

pub const REST_API: Kind = Kind {
    name: "RestApi",
    hashed: &[
        "apiKeySource",
        "binaryMediaTypes",
        "disableExecuteApiEndpoint",
        "endpointAccessMode",
        "endpointConfiguration",
        "minimumCompressionSize",
        "policy",
        "securityPolicy",
    ],
    not_captured: &[
        (
            "apiStatus",
            "the state of an update in progress, not configuration",
        ),
        (
            "apiStatusMessage",
            "the state of an update in progress, not configuration",
        ),
        ("createdDate", "a timestamp"),
        (
            "description",
            "API metadata; not used when a stage serves a request",
        ),
        ("id", GENERATED_ID),
        (
            "name",
            "API metadata; not used when a stage serves a request",
        ),
        ("rootResourceId", GENERATED_ID),
        ("tags", "tags take effect without a deployment"),
        (
            "version",
            "API metadata; not used when a stage serves a request",
        ),
        ("warnings", "messages from an import, not configuration"),
    ],
};

pub const ENDPOINT_CONFIGURATION: Kind = Kind {
    name: "EndpointConfiguration",
    hashed: &["types", "vpcEndpointIds"],
    not_captured: &[(
        "ipAddressType",
        "AWS: a change of IP address type \"takes effect immediately\"",
    )],
};

pub const RESOURCE: Kind = Kind {
    name: "Resource",
    hashed: &["path", "resourceMethods"],
    not_captured: &[
        ("id", GENERATED_ID),
        ("parentId", GENERATED_ID),
        ("pathPart", "implied by the path"),
    ],
};

pub const METHOD: Kind = Kind {
    name: "Method",
    hashed: &[
        "apiKeyRequired",
        "authorizationScopes",
        "authorizationType",
        "authorizerId",
        "httpMethod",
        "methodIntegration",
        "methodResponses",
        "operationName",
        "requestModels",
        "requestParameters",
        "requestValidatorId",
    ],
    not_captured: &[],
};

pub const METHOD_RESPONSE: Kind = Kind {
    name: "MethodResponse",
    hashed: &["responseModels", "responseParameters", "statusCode"],
    not_captured: &[],
};

pub const INTEGRATION: Kind = Kind {
    name: "Integration",
    hashed: &[
        "cacheKeyParameters",
        "cacheNamespace",
        "connectionId",
        "connectionType",
        "contentHandling",
        "credentials",
        "httpMethod",
        "integrationResponses",
        "integrationTarget",
        "passthroughBehavior",
        "requestParameters",
        "requestTemplates",
        "responseTransferMode",
        "timeoutInMillis",
        "tlsConfig",
        "type",
        "uri",
    ],
    not_captured: &[],
};

pub const TLS_CONFIG: Kind = Kind {
    name: "TlsConfig",
    hashed: &["insecureSkipVerification"],
    not_captured: &[],
};

pub const INTEGRATION_RESPONSE: Kind = Kind {
    name: "IntegrationResponse",
    hashed: &[
        "contentHandling",
        "responseParameters",
        "responseTemplates",
        "selectionPattern",
        "statusCode",
    ],
    not_captured: &[],
};

pub const AUTHORIZER: Kind = Kind {
    name: "Authorizer",
    hashed: &[
        "authType",
        "authorizerCredentials",
        "authorizerResultTtlInSeconds",
        "authorizerUri",
        "identitySource",
        "identityValidationExpression",
        "jwtConfiguration",
        "name",
        "providerARNs",
        "type",
    ],
    not_captured: &[("id", GENERATED_ID)],
};

pub const MODEL: Kind = Kind {
    name: "Model",
    hashed: &["contentType", "name", "schema"],
    not_captured: &[
        (
            "description",
            "documentation text; not used when a stage serves a request",
        ),
        ("id", GENERATED_ID),
    ],
};

pub const REQUEST_VALIDATOR: Kind = Kind {
    name: "RequestValidator",
    hashed: &["name", "validateRequestBody", "validateRequestParameters"],
    not_captured: &[("id", GENERATED_ID)],
};

pub const GATEWAY_RESPONSE: Kind = Kind {
    name: "GatewayResponse",
    hashed: &[
        "defaultResponse",
        "responseParameters",
        "responseTemplates",
        "responseType",
        "statusCode",
    ],
    not_captured: &[],
};

/// Every kind the hash reads.
pub const ALL: [Kind; 12] = [
    REST_API,
    ENDPOINT_CONFIGURATION,
    RESOURCE,
    METHOD,
    METHOD_RESPONSE,
    INTEGRATION,
    TLS_CONFIG,
    INTEGRATION_RESPONSE,
    AUTHORIZER,
    MODEL,
    REQUEST_VALIDATOR,
    GATEWAY_RESPONSE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_member_is_both_hashed_and_not_captured() {
        for kind in ALL {
            for (member, reason) in kind.not_captured {
                assert!(!kind.hashed.contains(member), "{}.{member}", kind.name);
                assert!(!reason.is_empty());
            }
        }
    }
}
