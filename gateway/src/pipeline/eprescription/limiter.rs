//! Exchange-number guessing is rate limited (issue #7): failed look-ups are counted per client
//! certificate and per source address in a fixed window; past the limit every look-up of that client is
//! refused (429) until the window ends. In memory: a restart forgets the counts, which only helps a
//! guesser once per restart, and the audit log keeps every failed look-up anyway.

use std::collections::HashMap;
use std::sync::Mutex;

/// How many failed look-ups a client may make per window.
#[derive(Debug, Clone, Copy)]
pub struct LimitSettings {
    pub failures: u32,
    pub window_ms: i64,
}

/// The counts of failed look-ups by client key (`cert:…`, `addr:…`).
#[derive(Debug)]
pub struct Limiter {
    settings: LimitSettings,
    windows: Mutex<HashMap<String, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start_ms: i64,
    failures: u32,
}

/// Above this many keys, ended windows are dropped on the next failure.
const PRUNE_ABOVE: usize = 10_000;

impl Limiter {
    pub fn new(settings: LimitSettings) -> Limiter {
        Limiter {
            settings,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until the first of `keys` that used up its failures may look up again; None when all may.
    pub fn refused(&self, keys: &[String], now_ms: i64) -> Option<u64> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|key| windows.get(key))
            .filter(|w| now_ms - w.start_ms < self.settings.window_ms)
            .filter(|w| w.failures >= self.settings.failures)
            .map(|w| {
                let left_ms = self.settings.window_ms - (now_ms - w.start_ms);
                (left_ms.max(0) as u64).div_ceil(1000).max(1)
            })
            .max()
    }

    /// Counts one failed look-up against every key.
    pub fn failed(&self, keys: &[String], now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let window_ms = self.settings.window_ms;
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, w| now_ms - w.start_ms < window_ms);
        }
        for key in keys {
            let w = windows.entry(key.clone()).or_insert(Window {
                start_ms: now_ms,
                failures: 0,
            });
            if now_ms - w.start_ms >= window_ms {
                *w = Window {
                    start_ms: now_ms,
                    failures: 0,
                };
            }
            w.failures = w.failures.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_refuse_until_the_window_ends() {
        let limiter = Limiter::new(LimitSettings {
            failures: 3,
            window_ms: 60_000,
        });
        let keys = vec!["cert:a".to_string(), "addr:1".to_string()];
        for t in 0..3 {
            assert_eq!(limiter.refused(&keys, t), None);
            limiter.failed(&keys, t);
        }
        assert_eq!(limiter.refused(&keys, 10_000), Some(50));
        // Another certificate from the same address is refused too; another address with the same
        // certificate as well.
        assert!(limiter
            .refused(&["cert:b".into(), "addr:1".into()], 10_000)
            .is_some());
        assert!(limiter
            .refused(&["cert:a".into(), "addr:2".into()], 10_000)
            .is_some());
        assert_eq!(limiter.refused(&["cert:c".into()], 10_000), None);
        assert_eq!(limiter.refused(&keys, 60_000), None);
    }
}
