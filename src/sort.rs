//! One stable sort for the web app's own lists. Each `sort_by_key` on another element type links
//! another copy of core's stable sort (its quicksort, drift and small-sort parts: about 3.5 KB of
//! wasm before gzip a type). Here only the order is sorted, always the same type (indices by a
//! `u64` key), and the elements are then taken in that order: one copy for every caller.

/// The indices of `keys` in ascending key order, equal keys in index order (the order a stable
/// sort by key gives).
pub fn stable_order(keys: &[u64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i]);
    order
}

/// `v.sort_by_key(key)`: stable, through [`stable_order`].
pub fn sort_by_key<T: Clone>(v: &mut Vec<T>, key: impl Fn(&T) -> u64) {
    let keys: Vec<u64> = v.iter().map(key).collect();
    let sorted = stable_order(&keys)
        .into_iter()
        .map(|i| v[i].clone())
        .collect();
    *v = sorted;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same order as core's stable `sort_by_key`, ties included, on lists with many equal
    /// keys (a small pseudo-random generator: deterministic, no dependency).
    #[test]
    fn the_order_is_the_stable_sort_by_key_ties_kept_in_place() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in [0usize, 1, 2, 3, 7, 20, 33, 100, 1000] {
            let v: Vec<(u64, usize)> = (0..len)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 5, i)
                })
                .collect();
            let mut ours = v.clone();
            sort_by_key(&mut ours, |e| e.0);
            let mut core = v;
            core.sort_by_key(|e| e.0);
            assert_eq!(ours, core, "len {len}");
        }
        assert_eq!(stable_order(&[3, 1, 3, 0, 1]), vec![3, 1, 4, 0, 2]);
    }
}
