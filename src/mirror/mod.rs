//! Provider mirrors: packed/unpacked layouts, network-mirror JSON, h1/zh hashes.
