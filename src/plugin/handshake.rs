//! The go-plugin start-up contract, as pure functions: the magic cookie check, protocol version
//! negotiation, the port range, and the lines printed on stdout (handshake and reattach).

use std::net::SocketAddr;
use std::ops::RangeInclusive;

use base64::Engine;

use super::provider::ProviderInfo;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version (first handshake field).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The Terraform plugin protocol we serve.
pub const PROTOCOL_VERSION: u32 = 6;

/// True when Terraform (or another go-plugin host) started us.
pub fn cookie_ok(value: Option<&str>) -> bool {
    value == Some(MAGIC_COOKIE_VALUE)
}

/// What a person who ran the binary by hand needs to know.
pub fn not_a_plugin_message(info: &ProviderInfo) -> String {
    format!(
        "This binary is a plugin: terraform-provider-{name} v{version}, the Terraform provider \
         {address}.\n\
         It is not meant to be executed directly; Terraform starts it.\n\
         To use it, install it where Terraform looks for providers, e.g. a filesystem mirror:\n\
         \n    <mirror>/{address}/{version}/<os>_<arch>/terraform-provider-{name}_v{version}\n\
         \n\
         and point Terraform at the mirror in a CLI configuration file (TF_CLI_CONFIG_FILE or \
         ~/.terraformrc):\n\
         \n    provider_installation {{\n      filesystem_mirror {{\n        path    = \"<mirror>\"\n        \
         include = [\"{address}\"]\n      }}\n      direct {{\n        exclude = [\"{address}\"]\n      }}\n    }}\n\
         \n\
         See README: Install from a mirror. For the version run it with --version; to debug it \
         run it with --debug.",
        name = info.name,
        version = info.version,
        address = info.address,
    )
}

/// Picks protocol 6 from `PLUGIN_PROTOCOL_VERSIONS` (a comma list in any order). An absent list
/// means the host did not negotiate, so we serve our only version.
pub fn negotiate(offered: Option<&str>) -> Result<u32, String> {
    let Some(offered) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let versions: Vec<&str> = offered.split(',').map(str::trim).collect();
    if versions
        .iter()
        .any(|v| v.parse::<u32>() == Ok(PROTOCOL_VERSION))
    {
        return Ok(PROTOCOL_VERSION);
    }
    Err(format!(
        "Incompatible plugin protocol: Terraform offered protocol version(s) {offered}, but this \
         provider speaks only protocol {PROTOCOL_VERSION}. Protocol 6 needs Terraform >= 1.0 (or \
         OpenTofu); upgrade Terraform to use this provider."
    ))
}

/// The ports we may listen on, from `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`; `None` means any.
pub fn port_range(
    min: Option<&str>,
    max: Option<&str>,
) -> Result<Option<RangeInclusive<u16>>, String> {
    let parse = |name: &str, value: &str| {
        value
            .trim()
            .parse::<u16>()
            .map_err(|_| format!("{name} must be a port number, got {value:?}"))
    };
    match (min, max) {
        (Some(min), Some(max)) => {
            let (min, max) = (
                parse("PLUGIN_MIN_PORT", min)?,
                parse("PLUGIN_MAX_PORT", max)?,
            );
            if min > max {
                return Err(format!(
                    "PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})"
                ));
            }
            Ok(Some(min..=max))
        }
        _ => Ok(None),
    }
}

/// The first stdout line: `CORE|APP|NETWORK|ADDR|grpc[|CERT]`, with the server certificate as
/// unpadded standard base64 DER when AutoMTLS is on.
pub fn handshake_line(network: &str, addr: &str, server_cert_der: Option<&[u8]>) -> String {
    let mut line = format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{addr}|grpc");
    if let Some(der) = server_cert_der {
        line.push('|');
        line.push_str(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(der));
    }
    line
}

pub fn tcp_handshake_line(addr: SocketAddr, server_cert_der: Option<&[u8]>) -> String {
    handshake_line("tcp", &addr.to_string(), server_cert_der)
}

/// The `TF_REATTACH_PROVIDERS` value that points Terraform at a provider started with `--debug`,
/// listening on `address` of `network` (`unix` socket path, or `tcp` host:port on Windows).
pub fn reattach_json(info: &ProviderInfo, pid: u32, network: &str, address: &str) -> String {
    serde_json::json!({
        info.address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> ProviderInfo {
        ProviderInfo {
            name: "example",
            version: "1.2.3",
            address: "registry.terraform.io/acme/example",
        }
    }

    #[test]
    fn cookie_must_match_exactly() {
        assert!(cookie_ok(Some(MAGIC_COOKIE_VALUE)));
        assert!(!cookie_ok(None));
        assert!(!cookie_ok(Some("")));
        assert!(!cookie_ok(Some(&MAGIC_COOKIE_VALUE[1..])));
    }

    #[test]
    fn message_says_what_it_is_and_how_to_install() {
        let m = not_a_plugin_message(&info());
        assert!(m.contains("This binary is a plugin"));
        assert!(m.contains("registry.terraform.io/acme/example/1.2.3/<os>_<arch>/terraform-provider-example_v1.2.3"));
        assert!(m.contains("Install from a mirror"));
    }

    #[test]
    fn negotiation_finds_six_in_any_order() {
        assert_eq!(negotiate(Some("5,6")), Ok(6));
        assert_eq!(negotiate(Some("6, 5")), Ok(6));
        assert_eq!(negotiate(Some("6")), Ok(6));
        assert_eq!(negotiate(None), Ok(6));
        let err = negotiate(Some("5")).unwrap_err();
        assert!(err.contains("offered protocol version(s) 5"));
        assert!(err.contains("Terraform >= 1.0"));
        assert!(negotiate(Some("60,16")).is_err());
    }

    #[test]
    fn port_range_parses_and_validates() {
        assert_eq!(
            port_range(Some("10000"), Some("25000")),
            Ok(Some(10000..=25000))
        );
        assert_eq!(port_range(None, None), Ok(None));
        assert!(port_range(Some("x"), Some("2")).is_err());
        assert!(port_range(Some("3"), Some("2")).is_err());
    }

    #[test]
    fn handshake_line_has_unpadded_base64_cert() {
        let addr: SocketAddr = "127.0.0.1:1234".parse().unwrap();
        assert_eq!(
            tcp_handshake_line(addr, None),
            "1|6|tcp|127.0.0.1:1234|grpc"
        );
        // 4 bytes would need "==" padding in the padded alphabet.
        assert_eq!(
            tcp_handshake_line(addr, Some(&[0xfb, 0xff, 0x00, 0x01])),
            "1|6|tcp|127.0.0.1:1234|grpc|+/8AAQ"
        );
    }

    #[test]
    fn reattach_json_names_the_provider_and_socket() {
        let json = reattach_json(&info(), 42, "unix", "/tmp/x/plugin.sock");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let entry = &v["registry.terraform.io/acme/example"];
        assert_eq!(entry["ProtocolVersion"], 6);
        assert_eq!(entry["Pid"], 42);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/x/plugin.sock");
    }
}
