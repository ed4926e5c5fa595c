//! Randomness helpers: one independent, reproducible RNG per (seed, stream, index), and the few
//! distributions the generator needs.
//!
//! Deriving a fresh RNG per record (instead of one RNG walked through the whole data set) is what makes
//! `customer(i)` cheap, random-access and identical no matter how many records were generated before it,
//! and lets load drivers generate disjoint slices in parallel.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Which kind of value an RNG feeds; separate streams keep e.g. a customer's signup date independent of the
/// rest of the customer, so orders can compute it cheaply.
#[derive(Clone, Copy)]
pub(crate) enum Stream {
    Customer = 1,
    CustomerCreatedAt = 2,
    Order = 3,
    OrderCustomer = 4,
}

/// SplitMix64's finaliser: a cheap bijective mixer, so nearby indexes get unrelated seeds.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// The RNG of record `index` in `stream` for `seed`. `StdRng` (ChaCha) is portable across platforms, so a
/// seed names the same data set on every machine with the same `rand` version.
pub(crate) fn rng_for(seed: u64, stream: Stream, index: u64) -> StdRng {
    StdRng::seed_from_u64(mix(mix(mix(seed) ^ stream as u64) ^ index))
}

/// A value from a fixed, non-empty weight table.
pub(crate) fn weighted<T: Copy>(rng: &mut impl Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|&(_, weight)| weight).sum();
    let mut roll = rng.gen_range(0..total.max(1));
    for &(item, weight) in table {
        if roll < weight {
            return item;
        }
        roll -= weight;
    }
    // Unreachable for a non-empty table; the tables are constants checked by tests.
    table[table.len() - 1].0
}

/// A uniformly chosen element of a fixed, non-empty list.
pub(crate) fn pick<T: Copy>(rng: &mut impl Rng, list: &[T]) -> T {
    list[rng.gen_range(0..list.len())]
}

/// A standard normal deviate (Box–Muller). Floats are fine here: they only shape random choices, no
/// amount is ever computed from them.
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    let u1 = 1.0 - rng.gen::<f64>(); // (0, 1], so ln is finite
    let u2 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Greatest common divisor, for choosing a stride coprime with the customer count.
pub(crate) fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A stride in `1..n` coprime with `n` (1 when `n <= 2`), chosen from `seed`: `rank * stride mod n` is then a
/// permutation of `0..n`.
pub(crate) fn coprime_stride(seed: u64, n: u64) -> u64 {
    if n <= 2 {
        return 1;
    }
    let mut stride = mix(seed ^ 0x5EED) % (n - 1) + 1;
    while gcd(stride, n) != 1 {
        stride = stride % (n - 1) + 1;
    }
    stride
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rngs_are_reproducible_and_independent() {
        let a: u64 = rng_for(1, Stream::Customer, 5).gen();
        assert_eq!(a, rng_for(1, Stream::Customer, 5).gen::<u64>());
        assert_ne!(a, rng_for(1, Stream::Customer, 6).gen::<u64>());
        assert_ne!(a, rng_for(2, Stream::Customer, 5).gen::<u64>());
        assert_ne!(a, rng_for(1, Stream::Order, 5).gen::<u64>());
    }

    #[test]
    fn stride_is_a_permutation() {
        for n in [1u64, 2, 3, 10, 97, 100, 2000] {
            let stride = coprime_stride(42, n);
            let mut seen: Vec<u64> = (0..n).map(|r| r * stride % n).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn weighted_respects_weights() {
        let mut rng = rng_for(0, Stream::Order, 0);
        let table = [("a", 90), ("b", 10), ("never", 0)];
        let hits = (0..10_000).filter(|_| weighted(&mut rng, &table) == "a").count();
        assert!((8_700..9_300).contains(&hits), "{hits}");
    }
}
