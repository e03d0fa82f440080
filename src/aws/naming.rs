//! How messages name a setting: the provider's users write Terraform arguments, the CLI's users
//! write flags and environment variables. [`AwsSettings`](super::AwsSettings) carry the
//! [`FrontEnd`] they came from, the client keeps it, and every message that names a setting asks
//! [`Setting::name`], so the wording is chosen here and nowhere else.

/// Where the settings came from, and so which names a message uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FrontEnd {
    /// The Terraform provider block and data source arguments.
    #[default]
    Provider,
    /// The `gwtrigger` command line: flags, else the AWS environment variables.
    Cli,
}

/// A setting or argument a message can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Region,
    Profile,
    AccessKey,
    SecretKey,
    Token,
    SharedConfigFiles,
    SharedCredentialsFiles,
    RoleArn,
    RoleSessionName,
    RoleExternalId,
    RoleDuration,
    EndpointApigateway,
    MaxRetries,
    RetryMode,
    RestApiId,
    StageName,
}

impl Setting {
    /// Every setting, for tests that check each mapping.
    pub const ALL: [Setting; 16] = [
        Setting::Region,
        Setting::Profile,
        Setting::AccessKey,
        Setting::SecretKey,
        Setting::Token,
        Setting::SharedConfigFiles,
        Setting::SharedCredentialsFiles,
        Setting::RoleArn,
        Setting::RoleSessionName,
        Setting::RoleExternalId,
        Setting::RoleDuration,
        Setting::EndpointApigateway,
        Setting::MaxRetries,
        Setting::RetryMode,
        Setting::RestApiId,
        Setting::StageName,
    ];

    /// The naming table: the Terraform attribute path, then what a CLI user sets instead (a
    /// flag where the CLI has one, else the AWS environment variable or shared-config key).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Setting::Region => ("region", "--region"),
            Setting::Profile => ("profile", "--profile"),
            Setting::AccessKey => ("access_key", "AWS_ACCESS_KEY_ID"),
            Setting::SecretKey => ("secret_key", "AWS_SECRET_ACCESS_KEY"),
            Setting::Token => ("token", "AWS_SESSION_TOKEN"),
            Setting::SharedConfigFiles => ("shared_config_files", "AWS_CONFIG_FILE"),
            Setting::SharedCredentialsFiles => {
                ("shared_credentials_files", "AWS_SHARED_CREDENTIALS_FILE")
            }
            Setting::RoleArn => ("assume_role.role_arn", "`role_arn` in the --profile"),
            Setting::RoleSessionName => (
                "assume_role.session_name",
                "`role_session_name` in the --profile",
            ),
            Setting::RoleExternalId => {
                ("assume_role.external_id", "`external_id` in the --profile")
            }
            Setting::RoleDuration => (
                "assume_role.duration",
                "`duration_seconds` in the --profile",
            ),
            Setting::EndpointApigateway => ("endpoints.apigateway", "--endpoint-url"),
            Setting::MaxRetries => ("max_retries", "--max-retries"),
            Setting::RetryMode => ("retry_mode", "--retry-mode"),
            Setting::RestApiId => ("rest_api_id", "--rest-api-id"),
            Setting::StageName => ("stage_name", "--stage"),
        }
    }

    /// The Terraform attribute path, dotted (`endpoints.apigateway`): diagnostics attach to it.
    pub fn attribute(self) -> &'static str {
        self.names().0
    }

    /// The name a user of `front` writes, ready for a message: `` `region` `` for Terraform,
    /// `--region` or `AWS_ACCESS_KEY_ID` for the CLI.
    pub fn name(self, front: FrontEnd) -> String {
        match front {
            FrontEnd::Provider => format!("`{}`", self.attribute()),
            FrontEnd::Cli => self.names().1.to_string(),
        }
    }
}

impl FrontEnd {
    /// Shorthand for [`Setting::name`].
    pub fn name(self, setting: Setting) -> String {
        setting.name(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_are_terraform_attributes() {
        assert_eq!(FrontEnd::Provider.name(Setting::Region), "`region`");
        assert_eq!(
            FrontEnd::Provider.name(Setting::EndpointApigateway),
            "`endpoints.apigateway`"
        );
        assert_eq!(FrontEnd::Provider.name(Setting::StageName), "`stage_name`");
        assert_eq!(
            FrontEnd::Provider.name(Setting::RoleDuration),
            "`assume_role.duration`"
        );
    }

    #[test]
    fn cli_names_are_flags_or_environment_variables() {
        let expected = [
            (Setting::Region, "--region"),
            (Setting::Profile, "--profile"),
            (Setting::AccessKey, "AWS_ACCESS_KEY_ID"),
            (Setting::SecretKey, "AWS_SECRET_ACCESS_KEY"),
            (Setting::Token, "AWS_SESSION_TOKEN"),
            (Setting::SharedConfigFiles, "AWS_CONFIG_FILE"),
            (
                Setting::SharedCredentialsFiles,
                "AWS_SHARED_CREDENTIALS_FILE",
            ),
            (Setting::RoleArn, "`role_arn` in the --profile"),
            (
                Setting::RoleSessionName,
                "`role_session_name` in the --profile",
            ),
            (Setting::RoleExternalId, "`external_id` in the --profile"),
            (Setting::RoleDuration, "`duration_seconds` in the --profile"),
            (Setting::EndpointApigateway, "--endpoint-url"),
            (Setting::MaxRetries, "--max-retries"),
            (Setting::RetryMode, "--retry-mode"),
            (Setting::RestApiId, "--rest-api-id"),
            (Setting::StageName, "--stage"),
        ];
        assert_eq!(expected.len(), Setting::ALL.len());
        for (setting, name) in expected {
            assert_eq!(FrontEnd::Cli.name(setting), name, "{setting:?}");
        }
    }
}
