//! Listening and serving: the tonic router with all services, TLS accept loops over TCP, and
//! the plaintext TCP / unix-socket variants. Every `serve_*` returns when `shutdown` fires
//! (after a short grace period for in-flight answers such as Shutdown's own response).

use std::net::{Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tokio_stream::StreamExt;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Router;
use tonic::transport::Server;

use super::go_plugin::{Controller, Health, Stdio};
use super::proto::go_plugin::grpc_controller_server::GrpcControllerServer;
use super::proto::go_plugin::grpc_stdio_server::GrpcStdioServer;
use super::proto::health::health_server::HealthServer;
use super::proto::tfplugin6::provider_server::ProviderServer;
use super::provider::Provider;
use super::service::ProviderService;

/// How long after Shutdown (or a signal) in-flight responses get before we stop waiting.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// A TLS handshake that takes longer than this is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Terraform sends whole configurations and schemas; allow more than tonic's 4 MiB default.
const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// All services. `controller_shutdown` is fired by GRPCController.Shutdown.
pub fn router<P: Provider>(provider: Arc<P>, controller_shutdown: CancellationToken) -> Router {
    let provider_service = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    Server::builder()
        .add_service(provider_service)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: controller_shutdown,
        }))
        .add_service(GrpcStdioServer::new(Stdio))
        .add_service(HealthServer::new(Health))
}

/// Binds 127.0.0.1 on the first free port of `range`, or any free port.
pub async fn bind_loopback(range: Option<RangeInclusive<u16>>) -> Result<TcpListener, String> {
    let Some(range) = range else {
        return TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"));
    };
    let (start, end) = (*range.start(), *range.end());
    for port in range {
        if let Ok(listener) = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await
        {
            return Ok(listener);
        }
    }
    Err(format!(
        "no free port on 127.0.0.1 between PLUGIN_MIN_PORT={start} and PLUGIN_MAX_PORT={end}"
    ))
}

/// Serves until `shutdown` fires, then waits at most [`SHUTDOWN_GRACE`] for the connections.
async fn serve_until<F>(serve: F, shutdown: CancellationToken) -> Result<(), String>
where
    F: std::future::Future<Output = Result<(), tonic::transport::Error>>,
{
    tokio::pin!(serve);
    tokio::select! {
        result = &mut serve => return result.map_err(|e| format!("gRPC server failed: {e}")),
        () = shutdown.cancelled() => {}
    }
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, serve).await;
    Ok(())
}

/// Serves over TLS (AutoMTLS); handshakes run concurrently so one slow client blocks nobody.
pub async fn serve_tls(
    router: Router,
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> Result<(), String> {
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    let accept_shutdown = shutdown.clone();
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = accept_shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (tcp, peer) = match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            no_delay(&tcp);
            let acceptor = acceptor.clone();
            let sender = sender.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => {
                        let _ = sender.send(Ok::<_, std::io::Error>(tls)).await;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(peer = %peer, error = %e, "TLS handshake rejected")
                    }
                    Err(_) => tracing::warn!(peer = %peer, "TLS handshake timed out"),
                }
            });
        }
    });
    let incoming = ReceiverStream::new(receiver);
    let signal = shutdown.clone();
    serve_until(
        router.serve_with_incoming_shutdown(incoming, async move { signal.cancelled().await }),
        shutdown,
    )
    .await
}

/// Turns off Nagle's algorithm on an accepted connection. gRPC writes a response as several
/// small frames (headers, data, trailers); with Nagle on, the later ones wait for the client's
/// delayed ACK, ~40 ms per RPC on Linux — several times per `terraform plan`.
fn no_delay(tcp: &tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "cannot set TCP_NODELAY");
    }
}

/// Serves plaintext over TCP (`TF_DISABLE_PLUGIN_TLS`: no PLUGIN_CLIENT_CERT given).
pub async fn serve_plain_tcp(
    router: Router,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), String> {
    let incoming = TcpListenerStream::new(listener).map(|accepted| accepted.inspect(no_delay));
    let signal = shutdown.clone();
    serve_until(
        router.serve_with_incoming_shutdown(incoming, async move { signal.cancelled().await }),
        shutdown,
    )
    .await
}

/// Serves plaintext on a unix socket (`--debug` on unix).
#[cfg(unix)]
pub async fn serve_unix(
    router: Router,
    listener: tokio::net::UnixListener,
    shutdown: CancellationToken,
) -> Result<(), String> {
    let incoming = tokio_stream::wrappers::UnixListenerStream::new(listener);
    let signal = shutdown.clone();
    serve_until(
        router.serve_with_incoming_shutdown(incoming, async move { signal.cancelled().await }),
        shutdown,
    )
    .await
}
