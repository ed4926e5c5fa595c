//! A fixed-size set of row numbers, one bit per row.

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Bitset {
    words: Vec<u64>,
    len: usize,
}

impl Bitset {
    pub(crate) fn empty(len: usize) -> Self {
        Self { words: vec![0; len.div_ceil(64)], len }
    }

    pub(crate) fn full(len: usize) -> Self {
        let mut set = Self { words: vec![u64::MAX; len.div_ceil(64)], len };
        set.clear_tail();
        set
    }

    /// Builds a set from a per-row test.
    pub(crate) fn from_fn(len: usize, mut test: impl FnMut(usize) -> bool) -> Self {
        let mut words = vec![0u64; len.div_ceil(64)];
        for (w, word) in words.iter_mut().enumerate() {
            let base = w * 64;
            let end = (base + 64).min(len);
            let mut bits = 0u64;
            for row in base..end {
                bits |= u64::from(test(row)) << (row - base);
            }
            *word = bits;
        }
        Self { words, len }
    }

    pub(crate) fn and(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub(crate) fn or(&mut self, other: &Bitset) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub(crate) fn not(&mut self) {
        for word in &mut self.words {
            *word = !*word;
        }
        self.clear_tail();
    }

    pub(crate) fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(w * 64 + bit)
            })
        })
    }

    fn clear_tail(&mut self) {
        let used = self.len % 64;
        if used != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << used) - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra_respects_the_length() {
        let evens = Bitset::from_fn(130, |r| r % 2 == 0);
        assert_eq!(evens.count(), 65);
        let mut odds = evens.clone();
        odds.not();
        assert_eq!(odds.count(), 65);
        assert_eq!(odds.rows().next(), Some(1));
        let mut all = evens.clone();
        all.or(&odds);
        assert_eq!(all, Bitset::full(130));
        let mut none = evens;
        none.and(&odds);
        assert_eq!(none, Bitset::empty(130));
        assert_eq!(Bitset::full(64).count(), 64);
        assert_eq!(Bitset::full(0).count(), 0);
    }
}
