//! Generates the gRPC code for the plugin protocol from `proto/` without a system `protoc`:
//! `protox` (pure Rust) parses the definitions into a descriptor set, and `tonic-prost-build`
//! turns that into prost messages plus tonic servers (for the provider) and clients (for tests).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = [
        "proto/tfplugin6.proto",
        "proto/go_plugin.proto",
        "proto/health.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // RPCs a data-source-only provider never serves answer UNIMPLEMENTED unless overridden.
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
