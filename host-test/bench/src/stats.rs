//! Summaries of repeated measurements.

use std::time::Duration;

/// Repeated timings of one thing.
#[derive(Debug, Clone)]
pub struct Samples(Vec<Duration>);

impl Samples {
    pub fn new(mut times: Vec<Duration>) -> Self {
        assert!(!times.is_empty(), "a measurement needs at least one sample");
        times.sort();
        Samples(times)
    }

    /// The middle sample: robust to the odd slow run a shared machine produces.
    pub fn median(&self) -> Duration {
        self.0[self.0.len() / 2]
    }

    /// The 90th percentile (the largest sample when there are few).
    pub fn p90(&self) -> Duration {
        self.0[(self.0.len() * 9 / 10).min(self.0.len() - 1)]
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// `d` in milliseconds with a sensible number of digits.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.0} µs", ms * 1e3)
    }
}

/// `a / b` as `1.23x`.
pub fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64())
}

/// Bytes in MiB.
pub fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Throughput in MiB/s.
pub fn rate(bytes: usize, d: Duration) -> String {
    format!("{:.0} MiB/s", bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90_of_sorted_samples() {
        let s = Samples::new((1..=10).rev().map(Duration::from_millis).collect());
        assert_eq!(s.median(), Duration::from_millis(6));
        assert_eq!(s.p90(), Duration::from_millis(10));
        let one = Samples::new(vec![Duration::from_millis(3)]);
        assert_eq!((one.median(), one.p90()), (Duration::from_millis(3), Duration::from_millis(3)));
        assert_eq!(ratio(Duration::from_millis(3), Duration::from_millis(2)), "1.50x");
    }
}
