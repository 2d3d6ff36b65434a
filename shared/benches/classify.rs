//! Throughput of classifying a customer's message: hard triggers plus sentiment, on the
//! human-rated tweets of the evaluation data (the same texts the speed script uses).

use baton_shared::signal::sentiment::sentiment;
use baton_shared::trigger::HardTriggers;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn texts() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/vader/tweets_GroundTruth.txt"
    );
    let raw = std::fs::read(path).expect("evaluation data next to the repository");
    String::from_utf8_lossy(&raw)
        .lines()
        .filter_map(|l| l.splitn(3, '\t').nth(2).map(str::to_owned))
        .collect()
}

fn classify(c: &mut Criterion) {
    let texts = texts();
    let triggers = HardTriggers::builtin();
    let mut group = c.benchmark_group("classify");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("hard triggers + sentiment, 4200 tweets", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(triggers.detect(black_box(t), "en"));
                black_box(sentiment(black_box(t)));
            }
        })
    });
    group.bench_function("hard triggers only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(triggers.detect(black_box(t), "en"));
            }
        })
    });
    group.bench_function("sentiment only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(sentiment(black_box(t)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
