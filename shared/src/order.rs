//! Sorting and ordered maps through one copy of the standard library's sort for the program.
//! Each `sort_by` or `collect::<BTreeMap>` on a new type compiles another ≈4 KB sort into the wasm.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sort `items` stably by `cmp`, like `slice::sort_by`.
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let mut order = sorted_positions(items.len(), &mut |a, b| cmp(&items[a], &items[b]));
    permute(items, &mut order);
}

/// Sort `items` stably by their order, like `slice::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions `0..n` in the order `cmp` puts them, ties in position order. The one
/// instantiation of the standard sort: it sorts `usize`s with a dynamic comparison.
#[inline(never)]
fn sorted_positions(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| cmp(*a, *b));
    order
}

/// Rearrange `items` so that position `i` holds what was at `order[i]`, by walking each cycle
/// of the permutation once (`order` is used up as the visited marks).
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != DONE {
            let from = std::mem::replace(&mut order[at], DONE);
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// A map from pairs, the later of equal keys winning, like `collect::<BTreeMap<_, _>>()`.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// A set from items, like `collect::<BTreeSet<_>>()`.
pub fn set_from<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same result as the standard stable sort, including the order of equal keys.
        #[test]
        fn sorts_like_std(items in proptest::collection::vec((0u8..8, any::<u16>()), 0..64)) {
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std_sorted = items;
            std_sorted.sort_by_key(|a| a.0);
            prop_assert_eq!(ours, std_sorted);
        }

        #[test]
        fn maps_like_collect(pairs in proptest::collection::vec((0u8..16, any::<u8>()), 0..48)) {
            let ours = map_from(pairs.iter().copied());
            let theirs: BTreeMap<u8, u8> = pairs.iter().copied().collect();
            prop_assert_eq!(ours, theirs);
            let ours = set_from(pairs.iter().map(|p| p.0));
            let theirs: BTreeSet<u8> = pairs.iter().map(|p| p.0).collect();
            prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn sorts_in_reverse_and_keeps_ties_in_place() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        sort_by(&mut v, |a, b| b.0.cmp(&a.0));
        assert_eq!(v, vec![(3, 'a'), (3, 'c'), (2, 'd'), (1, 'b'), (1, 'e')]);
        let mut w = vec!["pear", "apple", "fig"];
        sort(&mut w);
        assert_eq!(w, vec!["apple", "fig", "pear"]);
    }
}
