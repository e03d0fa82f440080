//! The services go-plugin hosts expect next to the provider: `plugin.GRPCController`
//! (Shutdown), `plugin.GRPCStdio` (an open stream that sends nothing: we log to stderr
//! directly) and `grpc.health.v1.Health` (the "plugin" service is always serving).

use std::pin::Pin;

use futures::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::proto::go_plugin as gp;
use super::proto::health;

/// Answers Shutdown and then fires `shutdown`, which makes the process exit.
pub struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _request: Request<gp::Empty>) -> Result<Response<gp::Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown: exiting");
        self.shutdown.cancel();
        Ok(Response::new(gp::Empty {}))
    }
}

pub struct Stdio;

type StdioStream = Pin<Box<dyn Stream<Item = Result<gp::StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(&self, _request: Request<()>) -> Result<Response<StdioStream>, Status> {
        Ok(Response::new(Box::pin(futures::stream::pending())))
    }
}

pub struct Health;

#[tonic::async_trait]
impl health::health_server::Health for Health {
    async fn check(
        &self,
        request: Request<health::HealthCheckRequest>,
    ) -> Result<Response<health::HealthCheckResponse>, Status> {
        match request.get_ref().service.as_str() {
            "" | "plugin" => Ok(Response::new(health::HealthCheckResponse {
                status: health::health_check_response::ServingStatus::Serving as i32,
            })),
            other => Err(Status::not_found(format!("unknown service {other:?}"))),
        }
    }
}
