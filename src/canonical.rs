//! Snapshot → canonical document (pure). See docs/hash-contract.md.
