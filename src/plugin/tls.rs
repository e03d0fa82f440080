//! go-plugin AutoMTLS: a fresh self-signed server certificate per process, and a client-cert
//! check that accepts exactly the certificate Terraform passed in `PLUGIN_CLIENT_CERT`.
//!
//! go-plugin's client certificate is a self-signed CA certificate, which webpki's standard
//! client verifier refuses as an end-entity certificate ("CaUsedAsEndEntity"). Since we know
//! the one certificate we trust, [`PinnedClientCert`] compares its bytes and verifies the
//! handshake signatures itself. go-plugin signs with ECDSA P-521, which ring cannot verify, so
//! the signature algorithms come from aws-lc-rs (the TLS session itself uses the installed
//! provider).

use std::sync::Arc;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, CryptoProvider, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName as TlsName, SignatureScheme};

/// The server's certificate and key for one process lifetime.
pub struct ServerIdentity {
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

/// A self-signed ECDSA P-256 certificate for "localhost" (the name go-plugin clients verify),
/// which the client trusts directly as its own root.
pub fn generate_server_identity() -> Result<ServerIdentity, String> {
    let mut params = CertificateParams::new(vec!["localhost".to_string()])
        .map_err(|e| format!("server certificate parameters: {e}"))?;
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "gwtrigger");
    name.push(DnType::CommonName, "localhost");
    params.distinguished_name = name;
    // Not a CA: rustls clients reject CA certificates as leaves; Go clients trust it as a root
    // because it is exactly the certificate in their pool.
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().map_err(|e| format!("server key: {e}"))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("server certificate: {e}"))?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// The first certificate in the PEM text of `PLUGIN_CLIENT_CERT`.
pub fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, String> {
    CertificateDer::pem_slice_iter(pem.as_bytes())
        .next()
        .ok_or_else(|| "PLUGIN_CLIENT_CERT holds no PEM certificate".to_string())?
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a valid PEM certificate: {e}"))
}

/// TLS 1.2/1.3 server config requiring the pinned client certificate, with ALPN h2 (grpc-go
/// clients insist on it).
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
    provider: Arc<CryptoProvider>,
) -> Result<rustls::ServerConfig, String> {
    let verifier = PinnedClientCert::new(client_cert);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )
        .map_err(|e| format!("TLS server certificate: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one client certificate, byte for byte.
#[derive(Debug)]
pub struct PinnedClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    pub fn new(expected: CertificateDer<'static>) -> PinnedClientCert {
        PinnedClientCert {
            expected,
            // Includes ECDSA P-521 (go-plugin's key type), unlike ring.
            algorithms: rustls::crypto::aws_lc_rs::default_provider()
                .signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[TlsName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_identity_is_a_localhost_leaf() {
        let identity = generate_server_identity().unwrap();
        assert!(
            identity.cert_der.len() > 50,
            "go-plugin ignores short cert fields"
        );
    }

    #[test]
    fn client_cert_pem_parses_and_garbage_does_not() {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".into()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let parsed = parse_client_cert(&cert.pem()).unwrap();
        assert_eq!(parsed.as_ref(), cert.der().as_ref());
        assert!(parse_client_cert("not pem").is_err());
    }

    #[test]
    fn pinned_verifier_accepts_only_the_expected_cert() {
        let make = || {
            let key = KeyPair::generate().unwrap();
            CertificateParams::new(vec!["localhost".into()])
                .unwrap()
                .self_signed(&key)
                .unwrap()
                .der()
                .clone()
        };
        let (expected, other) = (make(), make());
        let verifier = PinnedClientCert::new(expected.clone());
        let now = UnixTime::now();
        assert!(verifier.verify_client_cert(&expected, &[], now).is_ok());
        assert!(verifier.verify_client_cert(&other, &[], now).is_err());
        assert!(verifier.client_auth_mandatory());
        // go-plugin's client key is ECDSA P-521.
        assert!(verifier
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }
}
