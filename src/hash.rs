//! Canonical document → sha1 hash, per-route hashes and Terraform ids (pure).
