//! [`SortedMap`]: the string-keyed maps of the [`Snapshot`](super::Snapshot), one sorted vector.
//!
//! A snapshot holds tens of thousands of small maps (methods per resource, responses per
//! method, parameters and templates per response). `BTreeMap` allocates a whole node of 11
//! slots for the first entry (over 6 KB for one 552-byte method), which made a 5,000-resource
//! read cost ~34 MB; a vector holds exactly its entries, and the renderer then reads them
//! sequentially. Lookups are binary searches; iteration is in ascending key order, like
//! `BTreeMap`, which the canonical document relies on.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Index;

use serde::{Deserialize, Deserializer};

/// A map from `String` keys to `V`, iterated in ascending byte order of the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<V> {
    /// Strictly ascending by key: no two entries share a key.
    entries: Vec<(String, V)>,
}

impl<V> Default for SortedMap<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> SortedMap<V> {
    pub const fn new() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|(probe, _)| probe.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&V> {
        let at = self.position(key).ok()?;
        Some(&self.entries[at].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let at = self.position(key).ok()?;
        Some(&mut self.entries[at].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Inserts or replaces; returns the value `key` had before.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn remove(&mut self, key: &str) -> Option<V> {
        let at = self.position(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// The entries, in ascending key order, as one slice (its memory is one allocation).
    pub fn entries(&self) -> &[(String, V)] {
        &self.entries
    }

    /// Entries in ascending key order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter(self.entries.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator + '_ {
        self.entries.iter().map(|(key, _)| key)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator + '_ {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator + '_ {
        self.entries.iter_mut().map(|(_, value)| value)
    }
}

/// Iterator over `(&key, &value)` in ascending key order.
#[derive(Debug, Clone)]
pub struct Iter<'a, V>(std::slice::Iter<'a, (String, V)>);

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a String, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(key, value)| (key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(key, value)| (key, value))
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

impl<'a, V> IntoIterator for &'a SortedMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<V> IntoIterator for SortedMap<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// Like `BTreeMap`'s: when a key repeats, the last value wins.
impl<V> FromIterator<(String, V)> for SortedMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(items: I) -> Self {
        let mut entries: Vec<(String, V)> = items.into_iter().collect();
        // Stable, so equal keys keep their input order and the last one can be kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                std::mem::swap(later, earlier);
            }
            same
        });
        SortedMap { entries }
    }
}

impl<V, const N: usize> From<[(String, V); N]> for SortedMap<V> {
    fn from(entries: [(String, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<V> From<BTreeMap<String, V>> for SortedMap<V> {
    fn from(map: BTreeMap<String, V>) -> Self {
        // Already sorted and unique.
        SortedMap {
            entries: map.into_iter().collect(),
        }
    }
}

/// Reads a JSON object. A `null` value stands for the value's default: AWS answers an empty
/// mapping template as `null` inside the map, and the entry itself is content (section 3 of
/// docs/hash-contract.md), so it is kept as `""`.
impl<'de, V: Deserialize<'de> + Default> Deserialize<'de> for SortedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Option::<BTreeMap<String, Option<V>>>::deserialize(deserializer)?;
        Ok(map
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| (key, value.unwrap_or_default()))
            .collect::<BTreeMap<_, _>>()
            .into())
    }
}

impl<V> Index<&str> for SortedMap<V> {
    type Output = V;

    /// Panics when `key` is absent, like `BTreeMap`'s index (for tests).
    fn index(&self, key: &str) -> &V {
        match self.get(key) {
            Some(value) => value,
            None => panic!("no entry for key {key:?}"),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for SortedMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_btree_map() {
        let ops: Vec<(&str, i32)> = vec![("b", 1), ("a", 2), ("c", 3), ("b", 4), ("", 5), ("a", 6)];
        let mut ours = SortedMap::new();
        let mut theirs = BTreeMap::new();
        for (key, value) in &ops {
            assert_eq!(
                ours.insert(key.to_string(), *value),
                theirs.insert(key.to_string(), *value)
            );
        }
        let collected: SortedMap<i32> = ops.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        assert_eq!(collected, ours);
        assert_eq!(SortedMap::from(theirs.clone()), ours);
        assert!(ours.iter().eq(theirs.iter()));
        assert_eq!(ours.len(), theirs.len());
        assert_eq!(ours.get("b"), Some(&4));
        assert_eq!(ours["a"], 6);
        assert!(ours.contains_key("") && !ours.contains_key("z"));
        if let Some(value) = ours.get_mut("c") {
            *value = 30;
        }
        assert_eq!(ours.remove("c"), Some(30));
        assert_eq!(ours.remove("c"), None);
        assert_eq!(ours.keys().collect::<Vec<_>>(), ["", "a", "b"]);
        assert_eq!(format!("{ours:?}"), r#"{"": 5, "a": 6, "b": 4}"#);
    }

    #[test]
    fn reads_json_objects_with_null_values_as_defaults() {
        let map: SortedMap<String> =
            serde_json::from_str(r#"{"b": null, "a": "x", "c": ""}"#).unwrap();
        assert_eq!(format!("{map:?}"), r#"{"a": "x", "b": "", "c": ""}"#);
        let none: SortedMap<bool> = serde_json::from_str("null").unwrap();
        assert!(none.is_empty());
        assert!(serde_json::from_str::<SortedMap<String>>(r#"{"a": 1}"#).is_err());
    }

    #[test]
    fn holds_exactly_its_entries() {
        let one: SortedMap<[u8; 552]> = [("GET".to_string(), [0u8; 552])].into();
        assert_eq!(one.entries.capacity(), 1);
    }
}
