//! A cache that layout threads share, split over several locks by key: with one lock, two
//! threads laying out found it taken on a third of their shaping lookups.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard};

/// Locks per cache: many more than threads, so that two seldom want the same one.
pub(crate) const SHARDS: usize = 16;

/// A map split into [`SHARDS`] maps, each behind a lock of its own, picked by the key's
/// hash: read and write a key through the same `shard(key)` (a borrowed form, `str` for
/// `Box<str>`, hashes alike).
pub(crate) struct Sharded<K, V>([Mutex<HashMap<K, V>>; SHARDS]);

impl<K, V> Default for Sharded<K, V> {
    fn default() -> Self {
        Sharded(std::array::from_fn(|_| Mutex::default()))
    }
}

impl<K, V> std::fmt::Debug for Sharded<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sharded")
    }
}

impl<K, V> Sharded<K, V> {
    /// The part of the cache where `key` is kept, locked; `None` if a thread panicked
    /// holding it (then the cache is skipped, as before it was split).
    pub(crate) fn shard<Q: Hash + ?Sized>(&self, key: &Q) -> Option<MutexGuard<'_, HashMap<K, V>>> {
        let hash =
            std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(key);
        self.0[(hash % SHARDS as u64) as usize].lock().ok()
    }
}
