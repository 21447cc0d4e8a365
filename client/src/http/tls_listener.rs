//! HTTPS for the push listener: Exchange POSTs every notification, with the subscription id
//! and item ids, to the listener's URL, so across a network it should not travel in clear
//! text. Each TLS handshake runs in its own task, bounded in time, so a client that stalls
//! in its handshake never holds up the next connection.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::Error;

/// Time a client has to complete its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections whose handshake is done and that the HTTP server has not taken yet.
const READY_BACKLOG: usize = 64;

/// The certificate the push listener presents, and its key.
#[derive(Clone, PartialEq, Eq)]
pub struct ListenerTls {
    /// The certificate chain (PEM), the listener's own certificate first.
    pub certificate_chain_pem: Vec<u8>,
    /// The private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub private_key_pem: Vec<u8>,
}

impl std::fmt::Debug for ListenerTls {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerTls")
            .field("certificate_chain_pem", &self.certificate_chain_pem.len())
            .finish_non_exhaustive()
    }
}

impl ListenerTls {
    /// The rustls settings: this certificate, HTTP/1.1, ring's cryptography.
    fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, Error> {
        let tls = |e: &dyn std::fmt::Display| Error::Network(format!("listener TLS: {e}"));
        let chain = CertificateDer::pem_slice_iter(&self.certificate_chain_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| tls(&e))?;
        if chain.is_empty() {
            return Err(tls(&"no certificate in the certificate chain PEM"));
        }
        let key = PrivateKeyDer::from_pem_slice(&self.private_key_pem).map_err(|e| tls(&e))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls(&e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| tls(&e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// A connection whose handshake is done, with its place among the listener's connections.
type Ready = (TlsStream<TcpStream>, OwnedSemaphorePermit);

/// A listener that hands over connections whose TLS handshake has completed.
pub(crate) struct TlsListener {
    ready: mpsc::Receiver<Ready>,
}

impl TlsListener {
    /// Accepts TCP connections on `tcp`, each holding one of `connections`' permits from its
    /// accept to its close, and runs their handshakes with `tls`'s certificate.
    pub(crate) fn new(
        tcp: TcpListener,
        tls: &ListenerTls,
        connections: Arc<Semaphore>,
    ) -> Result<Self, Error> {
        let acceptor = TlsAcceptor::from(tls.server_config()?);
        let (tx, ready) = mpsc::channel(READY_BACKLOG);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    // The HTTP server stopped: stop accepting, and free the port.
                    () = tx.closed() => return,
                    accepted = async {
                        let permit = connections.clone().acquire_owned().await;
                        (permit, tcp.accept().await)
                    } => accepted,
                };
                let (Ok(permit), accepted) = accepted else {
                    return;
                };
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, as axum does.
                        tracing::warn!(error = %e, "push listener: accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, permit)).await;
                        }
                        Ok(Err(e)) => {
                            tracing::debug!(%peer, error = %e, "push listener: TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(%peer, "push listener: TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self { ready })
    }

    /// The next connection whose handshake is done; `None` once the accept loop stopped.
    pub(crate) async fn accept(&mut self) -> Option<Ready> {
        self.ready.recv().await
    }
}
