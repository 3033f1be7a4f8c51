//! [`VecMap`]: an ordered map kept as a `Vec` of `(key, value)` pairs sorted by key.
//!
//! Why not `BTreeMap`: every `BTreeMap<K, V>` type brings its own copy of the B-tree code
//! (node splitting and merging on insert/remove, the range walkers, drop, clone), 1.5–2 KB
//! gzipped per type in the web app's wasm, and the model plus the viewer used about seventeen
//! of them: a large share of the first load (issue #5). A sorted `Vec` with binary search costs
//! a few hundred bytes per type, and for the maps here (a handful to a few hundred entries:
//! sockets, hosts, queues, timers, counters) it is as fast or faster: look-ups are the same
//! O(log n), inserts shift a short contiguous slice, iteration and clone are a memcpy-friendly
//! walk.
//!
//! It behaves like `BTreeMap` where that can reach output: iteration is in key order,
//! `insert` on a present key replaces the value and keeps the key, and it serializes as the
//! same JSON object (keys in order) and deserializes from one (a repeated key: the last wins).

use std::borrow::Borrow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ordered map as a sorted `Vec` (see the module documentation for why).
#[derive(Clone, PartialEq, Eq)]
pub struct VecMap<K, V> {
    items: Vec<(K, V)>,
}

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap { items: Vec::new() }
    }
}

impl<K, V> VecMap<K, V> {
    pub const fn new() -> Self {
        VecMap { items: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn clear(&mut self) {
        self.items.clear();
    }

    /// The entries in key order.
    pub fn as_slice(&self) -> &[(K, V)] {
        &self.items
    }

    /// In key order, like `BTreeMap::iter`.
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter(self.items.iter())
    }

    /// In key order, like `BTreeMap::iter_mut`.
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut(self.items.iter_mut())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator + Clone {
        self.items.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + Clone {
        self.items.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.items.iter_mut().map(|(_, v)| v)
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&K, &V)> {
        self.items.first().map(|(k, v)| (k, v))
    }

    /// The entry with the largest key.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.items.last().map(|(k, v)| (k, v))
    }

    /// Removes and returns the entry with the smallest key (shifts the rest: meant for the
    /// short maps this type is for).
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        if self.items.is_empty() {
            None
        } else {
            Some(self.items.remove(0))
        }
    }

    /// Removes the `n` entries with the smallest keys (all of them if there are fewer), with
    /// one shift of the rest.
    pub fn remove_first(&mut self, n: usize) {
        self.items.drain(..n.min(self.items.len()));
    }

    /// Keeps the entries for which `f` is true (in order).
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        self.items.retain_mut(|(k, v)| f(k, v));
    }
}

impl<K: Ord, V> VecMap<K, V> {
    /// Where `key` is (`Ok`) or would go (`Err`).
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.items.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &self.items[i].1)
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.find(key) {
            Ok(i) => Some(&mut self.items[i].1),
            Err(_) => None,
        }
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }

    /// Like `BTreeMap::insert`: a present key keeps its key and gets the new value (the old
    /// one is returned).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.items[i].1, value)),
            Err(i) => {
                self.items.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        match self.find(key) {
            Ok(i) => Some(self.items.remove(i).1),
            Err(_) => None,
        }
    }

    /// Like `BTreeMap::entry`, for the `or_insert*` forms.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        let at = self.find(&key);
        Entry { map: self, at, key }
    }
}

/// A place in a [`VecMap`], from [`VecMap::entry`].
pub struct Entry<'a, K, V> {
    map: &'a mut VecMap<K, V>,
    at: Result<usize, usize>,
    key: K,
}

impl<'a, K, V> Entry<'a, K, V> {
    pub fn or_insert_with(self, f: impl FnOnce() -> V) -> &'a mut V {
        let i = match self.at {
            Ok(i) => i,
            Err(i) => {
                self.map.items.insert(i, (self.key, f()));
                i
            }
        };
        &mut self.map.items[i].1
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }

    pub fn key(&self) -> &K {
        &self.key
    }
}

/// Iterator over `(&K, &V)` in key order.
#[derive(Clone)]
pub struct Iter<'a, K, V>(std::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

/// Iterator over `(&K, &mut V)` in key order.
pub struct IterMut<'a, K, V>(std::slice::IterMut<'a, (K, V)>);

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (&*k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (&*k, v))
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

impl<'a, K, V> IntoIterator for &'a VecMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, K, V> IntoIterator for &'a mut VecMap<K, V> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<K, V> IntoIterator for VecMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Later pairs win on a repeated key, like collecting into a `BTreeMap`.
impl<K: Ord, V> FromIterator<(K, V)> for VecMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = VecMap::new();
        m.extend(iter);
        m
    }
}

impl<K: Ord, V> Extend<(K, V)> for VecMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for VecMap<K, V> {
    fn from(a: [(K, V); N]) -> Self {
        a.into_iter().collect()
    }
}

impl<K, Q, V> std::ops::Index<&Q> for VecMap<K, V>
where
    K: Ord + Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;
    /// Panics when the key is absent, like `BTreeMap`'s `Index`.
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

/// The same text as `BTreeMap`'s `Debug`: `{k: v, ...}`.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The same output as `BTreeMap`: a map with the keys in order.
impl<K: Serialize, V: Serialize> Serialize for VecMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.items.len()))?;
        for (k, v) in &self.items {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, K, V> Deserialize<'de> for VecMap<K, V>
where
    K: Ord + Deserialize<'de>,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(PhantomData<(K, V)>);
        impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
        where
            K: Ord + Deserialize<'de>,
            V: Deserialize<'de>,
        {
            type Value = VecMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = VecMap::new();
                while let Some((k, v)) = a.next_entry()? {
                    m.insert(k, v);
                }
                Ok(m)
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::VecMap;
    use std::collections::BTreeMap;

    /// The same operations on a `VecMap` and a `BTreeMap` give the same contents, iteration
    /// order, return values, Debug text and JSON.
    #[test]
    fn behaves_like_btreemap() {
        let mut v: VecMap<u32, u32> = VecMap::new();
        let mut b: BTreeMap<u32, u32> = BTreeMap::new();
        // A deterministic mix of inserts, overwrites, removes and entries over a small key space.
        let mut x: u32 = 12345;
        for i in 0..5000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let k = (x >> 16) % 97;
            match (x >> 8) % 5 {
                0 | 1 => assert_eq!(v.insert(k, i), b.insert(k, i)),
                2 => assert_eq!(v.remove(&k), b.remove(&k)),
                3 => {
                    *v.entry(k).or_insert(i) += 1;
                    *b.entry(k).or_insert(i) += 1;
                }
                _ => {
                    assert_eq!(v.get(&k), b.get(&k));
                    assert_eq!(v.contains_key(&k), b.contains_key(&k));
                    assert_eq!(v.first_key_value(), b.first_key_value());
                    assert_eq!(v.last_key_value(), b.last_key_value());
                }
            }
            assert_eq!(v.len(), b.len());
        }
        assert!(v.iter().eq(b.iter()));
        assert!(v.iter().rev().eq(b.iter().rev()));
        assert_eq!(format!("{v:?}"), format!("{b:?}"));
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        v.remove_first(3);
        for _ in 0..3 {
            b.pop_first();
        }
        assert!(v.iter().eq(b.iter()));
        while let Some(e) = v.pop_first() {
            assert_eq!(Some(e), b.pop_first());
        }
        v.remove_first(1);
        assert!(v.is_empty());
        assert!(b.is_empty());
    }

    #[test]
    fn string_keys_borrow_and_json_round_trip() {
        let mut v: VecMap<String, u64> = VecMap::new();
        v.insert("b".into(), 2);
        v.insert("a".into(), 1);
        *v.entry("c".into()).or_default() += 3;
        assert_eq!(v.get("a"), Some(&1));
        assert_eq!(v["c"], 3);
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, r#"{"a":1,"b":2,"c":3}"#);
        let back: VecMap<String, u64> = serde_json::from_str(json.as_str()).unwrap();
        assert_eq!(back, v);
        // Out of order and repeated keys: sorted, the last one wins (as for a BTreeMap).
        let odd: VecMap<String, u64> = serde_json::from_str(r#"{"z":1,"a":2,"z":3}"#).unwrap();
        let want: BTreeMapStr = serde_json::from_str(r#"{"z":1,"a":2,"z":3}"#).unwrap();
        assert!(odd
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .eq(want.iter().map(|(k, v)| (k.as_str(), *v))));
    }

    type BTreeMapStr = BTreeMap<String, u64>;
}
