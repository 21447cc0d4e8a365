//! One retry policy for every mode: capped exponential back-off with jitter after a transient
//! failure (a timeout, a broken connection, an HTTP 5xx, a body that is not an EWS envelope),
//! endless unless a `max_retries` says otherwise. The server's own `BackOffMilliseconds` is
//! honoured on top of it, as a back-off shared by every request to that server
//! ([`crate::Client`]).

use std::time::Duration;

/// How long to wait before trying again after a transient failure, and how often.
///
/// The `n`-th retry (from 0) waits a random time between half and all of
/// `min(max, initial * 2^n)`: the jitter keeps many mailboxes that failed together from
/// coming back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait. Default 500 ms.
    pub initial: Duration,
    /// The longest wait. Default 60 s.
    pub max: Duration,
    /// Retries before giving up with the last error; `None` (the default) retries forever,
    /// as a service that must not lose a mailbox wants.
    pub max_retries: Option<u32>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(60),
            max_retries: None,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry `n` (from 0): capped exponential, with jitter, never zero.
    pub fn delay(&self, n: u32) -> Duration {
        let ceiling = self
            .initial
            .saturating_mul(1u32.checked_shl(n.min(31)).unwrap_or(u32::MAX))
            .min(self.max)
            .max(Duration::from_millis(1));
        let half = ceiling / 2;
        half + half.mul_f64(unit_random())
    }

    /// Whether retry `n` (from 0) is still allowed.
    pub fn allows(&self, n: u32) -> bool {
        self.max_retries.is_none_or(|m| n < m)
    }
}

/// A random number in `[0, 1)` for the jitter (not for anything secret).
fn unit_random() -> f64 {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 4];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        return 0.5;
    }
    f64::from(u32::from_le_bytes(b)) / (f64::from(u32::MAX) + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_twofold_up_to_the_cap_with_jitter_in_the_upper_half() {
        let p = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            max_retries: None,
        };
        for (n, ceiling) in [
            (0, 100),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            for _ in 0..50 {
                let d = p.delay(n);
                let ceiling = Duration::from_millis(ceiling);
                assert!(
                    d >= ceiling / 2 && d <= ceiling,
                    "retry {n}: {d:?} not in [{:?}, {ceiling:?}]",
                    ceiling / 2
                );
            }
        }
    }

    #[test]
    fn endless_by_default_bounded_when_asked() {
        assert!(RetryPolicy::default().allows(u32::MAX - 1));
        let p = RetryPolicy {
            max_retries: Some(2),
            ..RetryPolicy::default()
        };
        assert!(p.allows(0) && p.allows(1) && !p.allows(2));
    }
}
