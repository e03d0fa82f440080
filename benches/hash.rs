//! Canonicalise + hash throughput. Target (BENCHMARKS.md): a 10,000-method API in ≤ 100 ms on
//! one core; the read that precedes it is network-bound and takes seconds.
//!
//! Inputs are `synthetic::api` snapshots with 4 methods per resource (1k, 10k, 100k methods),
//! built once outside the timed loop. Groups:
//! - `fingerprint`: what the data source does per read: the document, its sha1, each route's
//!   sha1 and the sorted `ids`.
//! - `document`: the canonical bytes alone.
//!
//! Run on one core: `taskset -c 0 cargo bench --bench hash` (see BENCHMARKS.md).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gwtrigger::canonical::{self, Options};
use gwtrigger::hash;
use gwtrigger::snapshot::Snapshot;

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

const METHODS_PER_RESOURCE: usize = 4;
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const SEED: u64 = 7;

/// One group timing `run` on each input, with methods as the throughput unit.
fn per_size(c: &mut Criterion, name: &str, inputs: &[(usize, Snapshot)], run: impl Fn(&Snapshot)) {
    let mut group = c.benchmark_group(name);
    for (n, snap) in inputs {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), snap, |b, snap| {
            b.iter(|| run(snap))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let options = Options::default();
    let inputs: Vec<(usize, Snapshot)> = SIZES
        .iter()
        .map(|&n| {
            let snap = synthetic::api(n / METHODS_PER_RESOURCE, METHODS_PER_RESOURCE, SEED);
            assert_eq!(snap.method_count(), n, "synthetic API has the wrong size");
            (n, snap)
        })
        .collect();
    per_size(c, "fingerprint", &inputs, |snap| {
        black_box(hash::fingerprint(black_box(snap), &options));
    });
    per_size(c, "document", &inputs, |snap| {
        black_box(canonical::document(black_box(snap), &options));
    });
}

criterion_group! {
    name = hash_benches;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(hash_benches);
