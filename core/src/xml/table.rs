//! A small hash table keyed by text, for the reader's two large-input cases: attribute keys on a
//! tag with many attributes, and prefixes when many namespace bindings are in scope.
//!
//! Written here rather than taken from `std::collections` because std's `HashMap` and `HashSet`
//! added about 9 KB to the WebAssembly module, which has a size budget. Open addressing with
//! linear probing, at most half full; entries are never removed (a prefix whose bindings all
//! left scope keeps its entry with no binding), so the table only grows, and it is dropped as a
//! whole when no longer needed.
//!
//! The hash is seeded per table from the address of its first allocation, so on targets with
//! address-space randomization a document cannot be written in advance to make its keys
//! collide.

/// Text keys to values.
pub(super) struct StrTable<K, V> {
    slots: Vec<Option<(K, V)>>,
    len: usize,
    seed: u64,
}

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

impl<K: AsRef<str>, V> StrTable<K, V> {
    /// An empty table with room for `n` keys before it grows.
    pub(super) fn with_capacity(n: usize) -> Self {
        let slots: Vec<Option<(K, V)>> = (0..(n.max(4) * 2).next_power_of_two())
            .map(|_| None)
            .collect();
        let seed = (slots.as_ptr() as usize as u64).wrapping_mul(MULTIPLIER) | 1;
        Self {
            slots,
            len: 0,
            seed,
        }
    }

    fn hash(&self, key: &str) -> u64 {
        let mut h = self.seed ^ (key.len() as u64).wrapping_mul(MULTIPLIER);
        for chunk in key.as_bytes().chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            h = (h.rotate_left(23) ^ u64::from_le_bytes(word)).wrapping_mul(MULTIPLIER);
        }
        h ^ (h >> 32)
    }

    /// The slot holding `key`, or the empty slot where it would go, and the slots looked at.
    fn find(&self, key: &str) -> (usize, u64) {
        let mask = self.slots.len() - 1;
        let mut i = (self.hash(key) as usize) & mask;
        let mut probes = 1;
        loop {
            match self.slots.get(i) {
                Some(Some((k, _))) if k.as_ref() != key => {
                    i = (i + 1) & mask;
                    probes += 1;
                }
                _ => return (i, probes),
            }
        }
    }

    /// The value of `key`, and the slots looked at.
    pub(super) fn get(&self, key: &str) -> (Option<&V>, u64) {
        let (i, probes) = self.find(key);
        let value = match self.slots.get(i) {
            Some(Some((_, v))) => Some(v),
            _ => None,
        };
        (value, probes)
    }

    /// Sets `key` to `value`; the value it had, and the slots looked at.
    pub(super) fn insert(&mut self, key: K, value: V) -> (Option<V>, u64) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let (i, probes) = self.find(key.as_ref());
        let old = match self.slots.get_mut(i) {
            Some(slot) => {
                let old = slot.replace((key, value)).map(|(_, v)| v);
                if old.is_none() {
                    self.len += 1;
                }
                old
            }
            None => None,
        };
        (old, probes)
    }

    fn grow(&mut self) {
        let mut bigger = Self::with_capacity(self.slots.len());
        for (k, v) in std::mem::take(&mut self.slots).into_iter().flatten() {
            let (i, _) = bigger.find(k.as_ref());
            if let Some(slot) = bigger.slots.get_mut(i) {
                *slot = Some((k, v));
                bigger.len += 1;
            }
        }
        *self = bigger;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn keys_map_to_their_last_value_across_growth() {
        let keys: Vec<String> = (0..5_000).map(|i| format!("k{i}")).collect();
        let mut t = StrTable::with_capacity(0);
        let mut probes = 0;
        for (i, k) in keys.iter().enumerate() {
            let (old, p) = t.insert(k.as_str(), i);
            assert!(old.is_none());
            probes += p;
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(k).0, Some(&i));
            assert_eq!(t.insert(k.as_str(), i + 1).0, Some(i));
        }
        assert_eq!(t.get("absent").0, None);
        assert_eq!(t.get("").0, None);
        // At most half full: a few slots per insert on average.
        assert!(probes <= 3 * keys.len() as u64, "{probes} probes");
    }
}
