//! Canonicalise + hash throughput (issue 7, target: a 10,000-method snapshot in ≤ 20 ms on one
//! core, linear in the number of methods).
//!
//! Inputs are `synthetic::api` snapshots with 4 methods per resource (1k, 10k, 100k methods),
//! built once outside the timed loop. Groups:
//! - `digests`: canonicalise and hash — the document's sha1 and each route's (`hash::digests`).
//! - `fingerprint`: what the data source does per read: `digests` plus the reported strings
//!   (hex, the `routes` map, the sorted `ids`).
//! - `document`: the canonical bytes alone.
//! - `document_heap_in_path_order`: the same, on a copy whose heap is laid out in path order.
//! - `sha1`: sha1 of the finished document alone (the floor for any canonical form).
//!
//! Run on one core: `taskset -c 0 cargo bench --bench hash` (see BENCHMARKS.md).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use gwtrigger::canonical::{self, Options};
use gwtrigger::hash;
use gwtrigger::snapshot::Snapshot;
use gwtrigger::synthetic;
use sha1::{Digest, Sha1};

const METHODS_PER_RESOURCE: usize = 4;
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];
const SEED: u64 = 7;

fn snapshot(methods: usize) -> Snapshot {
    synthetic::api(methods / METHODS_PER_RESOURCE, METHODS_PER_RESOURCE, SEED)
}

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
    let inputs: Vec<(usize, Snapshot)> = SIZES.iter().map(|&n| (n, snapshot(n))).collect();
    for (n, snap) in &inputs {
        assert_eq!(snap.method_count(), *n, "synthetic API has the wrong size");
    }

    per_size(c, "digests", &inputs, |snap| {
        black_box(hash::digests(black_box(snap), &options));
    });
    per_size(c, "fingerprint", &inputs, |snap| {
        black_box(hash::fingerprint(black_box(snap), &options));
    });
    per_size(c, "document", &inputs, |snap| {
        black_box(canonical::document(black_box(snap), &options));
    });

    // The same snapshots deep-copied in path order, so the document visits memory sequentially:
    // the gap to `document` is what visiting scattered heap objects costs (cache/TLB misses).
    let mut group = c.benchmark_group("document_heap_in_path_order");
    for (n, snap) in &inputs {
        let mut sorted = snap.clone();
        sorted.resources.sort_by(|a, b| a.path.cmp(&b.path));
        let relaid = sorted.clone();
        drop(sorted);
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &relaid, |b, snap| {
            b.iter(|| canonical::document(black_box(snap), &options))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("sha1");
    for (n, snap) in &inputs {
        let doc = canonical::document(snap, &options);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &doc, |b, doc| {
            b.iter(|| Sha1::digest(black_box(doc)))
        });
    }
    group.finish();
}

criterion_group! {
    name = hash_benches;
    // The 100k-method case takes ~0.1-1 s per iteration: fewer samples keep the run short.
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(hash_benches);
