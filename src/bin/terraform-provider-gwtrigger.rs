//! The binary Terraform starts: the gwtrigger provider on the plugin protocol server.

fn main() -> std::process::ExitCode {
    gwtrigger::plugin::run(gwtrigger::provider::GwtriggerProvider::new())
}
