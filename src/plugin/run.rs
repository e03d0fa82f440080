//! The provider binary's whole `main`: arguments, the start-up checks Terraform's go-plugin
//! host expects (cookie, protocol version), crypto and logging set-up, signals, and serving
//! either as a managed plugin (handshake on stdout, AutoMTLS) or in `--debug` reattach mode.
//!
//! Platforms: the managed plugin listens on loopback TCP everywhere (as go-plugin does).
//! `--debug` serves on a private unix socket on unix and on loopback TCP on Windows (what
//! go-plugin's reattach uses there). Stop requests are SIGTERM (and SIGINT in debug mode) on
//! unix, console close/shutdown (and Ctrl-C in debug mode) on Windows; elsewhere only
//! Terraform's Shutdown RPC or the end of the process stops the provider.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::handshake;
use super::logging;
use super::provider::{Provider, ProviderInfo};
use super::server;
use super::tls;

enum Mode {
    Plugin,
    Debug,
}

/// Runs the provider binary: call this from `main` and return its exit code.
pub fn run<P: Provider>(provider: P) -> ExitCode {
    let info = provider.info();
    let mode = match parse_args(&info, std::env::args().skip(1)) {
        Ok(Some(mode)) => mode,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };

    if matches!(mode, Mode::Plugin) {
        let cookie = std::env::var(handshake::MAGIC_COOKIE_KEY).ok();
        if !handshake::cookie_ok(cookie.as_deref()) {
            eprintln!("{}", handshake::not_a_plugin_message(&info));
            return ExitCode::FAILURE;
        }
        let offered = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
        if let Err(message) = handshake::negotiate(offered.as_deref()) {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    }

    // tonic and the AWS SDK each enable a rustls crypto provider; with two compiled in, rustls
    // cannot pick one by itself. An Err means one is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    logging::init(format!("provider.{}", info.name));

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let provider = Arc::new(provider);
    let result = runtime.block_on(async {
        match mode {
            Mode::Plugin => serve_plugin(provider).await,
            Mode::Debug => serve_debug(provider, &info).await,
        }
    });
    // Streams such as StreamStdio never end by themselves; do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(None)` when the arguments were fully handled (help, version).
fn parse_args(
    info: &ProviderInfo,
    args: impl Iterator<Item = String>,
) -> Result<Option<Mode>, String> {
    let mut mode = Mode::Plugin;
    for arg in args {
        match arg.as_str() {
            "--version" | "-version" | "-v" => {
                println!("terraform-provider-{} {}", info.name, info.version);
                return Ok(None);
            }
            "-h" | "--help" | "-help" => {
                println!("{}", help(info));
                return Ok(None);
            }
            "--debug" | "-debug" => mode = Mode::Debug,
            other => return Err(format!("unknown argument {other:?}\n\n{}", help(info))),
        }
    }
    Ok(Some(mode))
}

fn help(info: &ProviderInfo) -> String {
    format!(
        "terraform-provider-{name} {version}: the Terraform provider {address}.\n\
         Terraform starts this binary; it is not meant to be run by hand.\n\n\
         Usage: terraform-provider-{name} [--debug | --version | --help]\n\n\
         \x20 --debug    serve for a debugger (unix socket; loopback TCP on Windows) and print\n\
         \x20            TF_REATTACH_PROVIDERS for Terraform\n\
         \x20 --version  print the version\n\
         \x20 -h, --help print this help",
        name = info.name,
        version = info.version,
        address = info.address,
    )
}

/// Managed mode: listen, print the handshake, serve until Shutdown or SIGTERM.
async fn serve_plugin<P: Provider>(provider: Arc<P>) -> Result<(), String> {
    let shutdown = CancellationToken::new();
    watch_signals(shutdown.clone(), false)?;

    let range = handshake::port_range(
        std::env::var("PLUGIN_MIN_PORT").ok().as_deref(),
        std::env::var("PLUGIN_MAX_PORT").ok().as_deref(),
    )?;
    let listener = server::bind_loopback(range).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let router = server::router(provider, shutdown.clone());

    match std::env::var("PLUGIN_CLIENT_CERT")
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        Some(client_pem) => {
            let client_cert = tls::parse_client_cert(&client_pem)?;
            let identity = tls::generate_server_identity()?;
            let crypto = rustls::crypto::CryptoProvider::get_default()
                .cloned()
                .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
            let config = tls::server_config(&identity, client_cert, crypto)?;
            print_stdout_line(&handshake::tcp_handshake_line(
                addr,
                Some(&identity.cert_der),
            ))?;
            tracing::debug!(address = %addr, "serving tfplugin6 with AutoMTLS");
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
            server::serve_tls(router, listener, acceptor, shutdown).await
        }
        None => {
            print_stdout_line(&handshake::tcp_handshake_line(addr, None))?;
            tracing::debug!(address = %addr, "serving tfplugin6 without TLS");
            server::serve_plain_tcp(router, listener, shutdown).await
        }
    }
}

/// `--debug`: plaintext on a private unix socket until SIGINT or SIGTERM.
#[cfg(unix)]
async fn serve_debug<P: Provider>(provider: Arc<P>, info: &ProviderInfo) -> Result<(), String> {
    let stop = CancellationToken::new();
    watch_signals(stop.clone(), true)?;
    let dir = private_temp_dir(info.name)?;
    let socket = dir.join("plugin.sock");
    let listener = tokio::net::UnixListener::bind(&socket)
        .map_err(|e| format!("cannot listen on {}: {e}", socket.display()))?;
    // Terraform does not manage a reattached provider: Shutdown must not end the session.
    let router = server::router(provider, CancellationToken::new());
    print_reattach(info, "unix", &socket.to_string_lossy())?;
    let result = server::serve_unix(router, listener, stop).await;
    let _ = std::fs::remove_file(&socket);
    let _ = std::fs::remove_dir(&dir);
    result
}

/// `--debug` without unix sockets: plaintext on loopback TCP until Ctrl-C or console close.
#[cfg(not(unix))]
async fn serve_debug<P: Provider>(provider: Arc<P>, info: &ProviderInfo) -> Result<(), String> {
    let stop = CancellationToken::new();
    watch_signals(stop.clone(), true)?;
    let listener = server::bind_loopback(None).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    // Terraform does not manage a reattached provider: Shutdown must not end the session.
    let router = server::router(provider, CancellationToken::new());
    print_reattach(info, "tcp", &addr.to_string())?;
    server::serve_plain_tcp(router, listener, stop).await
}

fn print_reattach(info: &ProviderInfo, network: &str, address: &str) -> Result<(), String> {
    print_stdout_line(&format!(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment \
         variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{}'\n",
        handshake::reattach_json(info, std::process::id(), network, address)
    ))
}

/// A stop request always stops; an interrupt (Ctrl-C) only in debug mode: a managed provider
/// shares Terraform's terminal, and Terraform handles Ctrl-C itself (it calls StopProvider).
fn watch_signals(stop: CancellationToken, stop_on_interrupt: bool) -> Result<(), String> {
    let mut signals = signals::Signals::new()?;
    tokio::spawn(async move {
        loop {
            match signals.next().await {
                signals::Signal::Interrupt if !stop_on_interrupt => {
                    tracing::debug!("interrupt ignored: Terraform handles interrupts");
                }
                signal => {
                    tracing::info!(?signal, "stopping");
                    stop.cancel();
                    return;
                }
            }
        }
    });
    Ok(())
}

/// The operating system's stop and interrupt requests, one `cfg` per platform family.
mod signals {
    #[derive(Debug)]
    pub enum Signal {
        /// SIGINT / Ctrl-C.
        Interrupt,
        /// SIGTERM; console close or system shutdown on Windows (Terraform itself ends a
        /// managed provider there by terminating the process, which needs no handler).
        Terminate,
    }

    #[cfg(unix)]
    pub struct Signals {
        interrupt: tokio::signal::unix::Signal,
        terminate: tokio::signal::unix::Signal,
    }

    #[cfg(unix)]
    impl Signals {
        pub fn new() -> Result<Self, String> {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())
                    .map_err(|e| format!("cannot handle SIGINT: {e}"))?,
                terminate: signal(SignalKind::terminate())
                    .map_err(|e| format!("cannot handle SIGTERM: {e}"))?,
            })
        }

        pub async fn next(&mut self) -> Signal {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.terminate.recv() => Signal::Terminate,
            }
        }
    }

    #[cfg(windows)]
    pub struct Signals {
        interrupt: tokio::signal::windows::CtrlC,
        close: tokio::signal::windows::CtrlClose,
        shutdown: tokio::signal::windows::CtrlShutdown,
    }

    #[cfg(windows)]
    impl Signals {
        pub fn new() -> Result<Self, String> {
            use tokio::signal::windows::{ctrl_c, ctrl_close, ctrl_shutdown};
            Ok(Self {
                interrupt: ctrl_c().map_err(|e| format!("cannot handle Ctrl-C: {e}"))?,
                close: ctrl_close().map_err(|e| format!("cannot handle console close: {e}"))?,
                shutdown: ctrl_shutdown()
                    .map_err(|e| format!("cannot handle system shutdown: {e}"))?,
            })
        }

        pub async fn next(&mut self) -> Signal {
            tokio::select! {
                _ = self.interrupt.recv() => Signal::Interrupt,
                _ = self.close.recv() => Signal::Terminate,
                _ = self.shutdown.recv() => Signal::Terminate,
            }
        }
    }

    /// No signals: Terraform's Shutdown RPC or the end of the process stops the provider.
    #[cfg(not(any(unix, windows)))]
    pub struct Signals;

    #[cfg(not(any(unix, windows)))]
    impl Signals {
        pub fn new() -> Result<Self, String> {
            Ok(Self)
        }

        pub async fn next(&mut self) -> Signal {
            std::future::pending().await
        }
    }
}

fn print_stdout_line(line: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}

/// A fresh directory only we can read, for the debug socket.
#[cfg(unix)]
fn private_temp_dir(name: &str) -> Result<std::path::PathBuf, String> {
    use std::os::unix::fs::DirBuilderExt;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!(
        "terraform-provider-{name}-{}-{nanos:x}",
        std::process::id()
    ));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}
