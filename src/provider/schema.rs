//! The provider block's schema. Argument names follow the hashicorp/aws provider so a block can
//! be copied between the two.

use crate::plugin::{Attribute, Block, NestedBlock, Nesting, Schema, Type};

fn list_of_strings() -> Type {
    Type::List(Box::new(Type::String))
}

pub fn provider() -> Schema {
    Schema {
        version: 0,
        block: Block {
            description: "Reads API Gateway REST APIs to compute redeployment hashes. Every \
                          argument is optional; unset ones fall back to the AWS SDK default \
                          chain (environment, shared files, SSO, web identity, container, IMDS)."
                .into(),
            attributes: vec![
                Attribute::optional("region", Type::String, "AWS region, e.g. `eu-west-1`. Default: AWS_REGION / the profile's region."),
                Attribute::optional("profile", Type::String, "Named profile from the shared config and credentials files."),
                Attribute::optional("access_key", Type::String, "Static access key id; needs `secret_key`."),
                Attribute::optional("secret_key", Type::String, "Static secret access key; needs `access_key`.").sensitive(),
                Attribute::optional("token", Type::String, "Session token for temporary static credentials.").sensitive(),
                Attribute::optional("shared_config_files", list_of_strings(), "Paths of shared config files (default `~/.aws/config`)."),
                Attribute::optional("shared_credentials_files", list_of_strings(), "Paths of shared credentials files (default `~/.aws/credentials`)."),
                Attribute::optional("max_retries", Type::Number, "Retries after the first attempt for throttled or failed calls (0-100). Default: AWS_MAX_ATTEMPTS - 1, else the profile's max_attempts - 1, else 9 (API Gateway throttles early)."),
                Attribute::optional("retry_mode", Type::String, "`standard` or `adaptive` (client-side rate limiting, for large APIs and many data sources). Default: AWS_RETRY_MODE, else standard."),
            ],
            blocks: vec![
                NestedBlock {
                    type_name: "assume_role".into(),
                    nesting: Nesting::List,
                    min_items: 0,
                    max_items: 1,
                    block: Block {
                        description: "Assume an IAM role (through STS) with the credentials above.".into(),
                        attributes: vec![
                            Attribute::required("role_arn", Type::String, "ARN of the role to assume."),
                            Attribute::optional("session_name", Type::String, "Session name. Default `gwtrigger`."),
                            Attribute::optional("external_id", Type::String, "External id the role's trust policy requires."),
                            Attribute::optional("duration", Type::String, "Session duration as a Go duration string (`15m`, `1h`); 15m to 12h."),
                        ],
                        blocks: vec![],
                    },
                },
                NestedBlock {
                    type_name: "endpoints".into(),
                    nesting: Nesting::List,
                    min_items: 0,
                    max_items: 1,
                    block: Block {
                        description: "Custom service endpoints, e.g. a local emulator.".into(),
                        attributes: vec![Attribute::optional(
                            "apigateway",
                            Type::String,
                            "API Gateway endpoint URL. Default: AWS_ENDPOINT_URL_API_GATEWAY, AWS_ENDPOINT_URL, else AWS's.",
                        )],
                        blocks: vec![],
                    },
                },
            ],
        },
    }
}
