//! A cache that layout threads share, split over several locks by key: with one lock, two
//! threads laying out found it taken on a third of their shaping lookups.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::sync::{Mutex, MutexGuard};

use foldhash::fast::RandomState;

/// Locks per cache: many more than threads, so that two seldom want the same one.
pub(crate) const SHARDS: usize = 16;

/// A map split into [`SHARDS`] maps, each behind a lock of its own, picked by the key's
/// hash: read and write a key through the same `shard(key)` (a borrowed form, `str` for
/// `Box<str>`, hashes alike).
pub(crate) struct Sharded<K, V> {
    /// Picks the shard, and hashes inside it. Keys are hashed twice per lookup: foldhash
    /// makes that cheaper than SipHash (std's) once.
    hasher: RandomState,
    shards: [Mutex<HashMap<K, V, RandomState>>; SHARDS],
}

impl<K, V> Default for Sharded<K, V> {
    fn default() -> Self {
        let hasher = RandomState::default();
        Sharded {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::with_hasher(hasher.clone()))),
            hasher,
        }
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
    pub(crate) fn shard<Q: Hash + ?Sized>(
        &self,
        key: &Q,
    ) -> Option<MutexGuard<'_, HashMap<K, V, RandomState>>> {
        // Bits the maps use neither for the bucket (the low ones) nor for the tag (the top 7).
        let bits = self.hasher.hash_one(key) >> 32;
        self.shards[bits as usize % SHARDS].lock().ok()
    }
}
