//! The time as the portal sees it. Legal dates depend on it, so it is injected: tests move an
//! adjustable clock forward (the 15-day rule) where production reads the system clock.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// `None`: the system clock. `Some`: the system clock moved by this many microseconds.
    offset_micros: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock tests can move with `travel`.
    pub fn adjustable() -> Clock {
        Clock {
            offset_micros: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        let now = match &self.offset_micros {
            None => now,
            Some(offset) => now + Duration::microseconds(offset.load(Ordering::Relaxed)),
        };
        // Both databases keep microseconds: a time read back equals the time written.
        DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
    }

    /// Moves an adjustable clock (and every clone of it) forward; the system clock cannot move.
    pub fn travel(&self, by: Duration) -> bool {
        match &self.offset_micros {
            Some(offset) => {
                let micros = by.num_microseconds().unwrap_or(i64::MAX);
                offset.fetch_add(micros, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_with_its_clones_and_the_system_clock_does_not() {
        let clock = Clock::adjustable();
        let shared = clock.clone();
        let before = clock.now();
        assert!(shared.travel(Duration::days(15)));
        assert!(clock.now() - before >= Duration::days(15));
        let system = Clock::system();
        assert!(!system.travel(Duration::days(15)));
        assert!(system.now() - Utc::now() < Duration::days(1));
    }
}
