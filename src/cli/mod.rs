//! The `gwtrigger` command line for people: hash, mirror, drift, doctor.
pub mod mirror;
