//! A TLS front for the simulator, for tests that need `https://`: a private CA made at test
//! time, a certificate it signs for `localhost` and 127.0.0.1 (also handed out, with its key,
//! for servers of the test's own), and a listener that terminates TLS and forwards each
//! connection to the simulator in plain HTTP. Every client connection gets its own upstream
//! connection, so what the simulator binds to a connection (NTLM) is bound to the client's
//! TLS connection.

use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA and a server certificate it signed, with the server's TLS settings.
pub struct TestPki {
    /// The CA certificate (PEM), for the client to trust.
    pub ca_pem: String,
    /// The server certificate (DER): what the front presents.
    pub certificate_der: Vec<u8>,
    /// The server certificate (PEM), for a server of the test's own (a push listener).
    pub certificate_pem: String,
    /// The server certificate's private key (PKCS#8 PEM).
    pub key_pem: String,
    server: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// A fresh CA and a certificate for `localhost` and 127.0.0.1.
    ///
    /// # Errors
    /// When key generation or signing fails (rcgen's message).
    pub fn new() -> Result<Self, String> {
        let text = |e: rcgen::Error| e.to_string();
        let ca_key = KeyPair::generate().map_err(text)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(text)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "ews-sim test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).map_err(text)?;
        let issuer = Issuer::new(ca, ca_key);
        let leaf_key = KeyPair::generate().map_err(text)?;
        let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(text)?
            .signed_by(&leaf_key, &issuer)
            .map_err(text)?;
        let certificate_der = leaf.der().to_vec();
        let (certificate_pem, key_pem) = (leaf.pem(), leaf_key.serialize_pem());
        let server = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(certificate_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .map_err(|e| e.to_string())?;
        Ok(Self {
            ca_pem: ca_cert.pem(),
            certificate_der,
            certificate_pem,
            key_pem,
            server: Arc::new(server),
        })
    }
}

/// Starts a TLS front on 127.0.0.1 presenting `pki`'s certificate and forwarding to `backend`
/// (a [`Simulator::addr`](crate::Simulator::addr)); returns its address. It runs until the
/// runtime stops.
///
/// # Errors
/// When the socket cannot be bound.
pub async fn tls_front(pki: &TestPki, backend: SocketAddr) -> std::io::Result<SocketAddr> {
    let acceptor = tokio_rustls::TlsAcceptor::from(pki.server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake ends here: the client closed the connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut up) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    Ok(addr)
}
