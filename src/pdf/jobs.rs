//! Work shared out over threads: each thread takes the next job not yet taken, rather than
//! a fixed share, so a costly job or a core busy with something else holds up no one else.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `job(0)` … `job(jobs - 1)` on up to `threads` threads (the calling one among them); the
/// results in job order, as one thread doing them one after the other would give them.
pub(crate) fn map_shared<T: Send>(
    jobs: usize,
    threads: usize,
    job: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= jobs {
                return done;
            }
            done.push((k, job(k)));
        }
    };
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(jobs)).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for helper in helpers {
            done.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done
    });
    done.sort_unstable_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_job_order_whatever_the_threads() {
        for threads in [1, 2, 5] {
            let squares = map_shared(100, threads, |k| k * k);
            assert_eq!(squares, (0..100).map(|k| k * k).collect::<Vec<_>>());
        }
        assert!(map_shared(0, 2, |k| k).is_empty());
    }
}
