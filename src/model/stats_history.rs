//! The last samples of a container's CPU and memory, for the sparklines
//! of its detail view: what it did over the last minutes, not only now.

use std::collections::VecDeque;

use super::container::Stats;

/// Samples kept: at the default 5 s interval, the last five minutes.
pub const KEPT: usize = 60;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsHistory {
    samples: VecDeque<Stats>,
}

impl StatsHistory {
    pub fn push(&mut self, stats: Stats) {
        if self.samples.len() == KEPT {
            self.samples.pop_front();
        }
        self.samples.push_back(stats);
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// CPU over the last `width` samples, scaled to the highest of them
    /// (at least 1 %, so an idle container draws flat, not noise).
    pub fn cpu_line(&self, width: usize) -> String {
        let values: Vec<f64> = self.last(width).map(|s| s.cpu_percent).collect();
        let top = values.iter().copied().fold(1.0, f64::max);
        sparkline(&values, top)
    }

    /// Memory over the last `width` samples, scaled to the limit when
    /// there is one (how close it runs to an OOM kill), else to the peak.
    pub fn memory_line(&self, width: usize) -> String {
        let samples: Vec<&Stats> = self.last(width).collect();
        let values: Vec<f64> = samples.iter().map(|s| s.memory_bytes as f64).collect();
        let limit = samples.last().map_or(0, |s| s.memory_limit) as f64;
        let top = if limit > 0.0 {
            limit
        } else {
            values.iter().copied().fold(1.0, f64::max)
        };
        sparkline(&values, top)
    }

    fn last(&self, n: usize) -> impl Iterator<Item = &Stats> {
        self.samples
            .iter()
            .skip(self.samples.len().saturating_sub(n))
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One bar per value, 0..=`top` in eight steps; the lowest bar for zero
/// too, so the line keeps its length and shows time passing.
pub fn sparkline(values: &[f64], top: f64) -> String {
    values
        .iter()
        .map(|v| {
            let share = if top > 0.0 {
                (v / top).clamp(0.0, 1.0)
            } else {
                0.0
            };
            // Eighths: (0, 1/8] is the lowest bar, (7/8, 1] the highest.
            let step = ((share * 8.0).ceil() as usize).saturating_sub(1);
            BARS[step.min(7)]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(cpu: f64, mem: u64, limit: u64) -> Stats {
        Stats {
            cpu_percent: cpu,
            memory_bytes: mem,
            memory_limit: limit,
        }
    }

    #[test]
    fn sparkline_scales_to_the_top_in_eight_steps() {
        assert_eq!(sparkline(&[0.0, 50.0, 100.0, 200.0], 100.0), "▁▄██");
        assert_eq!(
            sparkline(&[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0], 80.0),
            "▁▂▃▄▅▆▇█"
        );
        assert_eq!(sparkline(&[], 10.0), "");
        assert_eq!(sparkline(&[3.0], 0.0), "▁");
    }

    #[test]
    fn history_keeps_the_newest_and_draws_the_last_width() {
        let mut h = StatsHistory::default();
        for i in 0..(KEPT + 5) {
            h.push(s(i as f64, 0, 0));
        }
        assert_eq!(h.len(), KEPT);
        // The last four of 5..=64: rising, the newest at the top.
        assert_eq!(h.cpu_line(4).chars().count(), 4);
        assert!(h.cpu_line(4).ends_with('█'));
    }

    #[test]
    fn idle_cpu_is_flat_and_memory_is_against_its_limit() {
        let mut h = StatsHistory::default();
        for _ in 0..3 {
            h.push(s(0.02, 512, 1024));
        }
        assert_eq!(h.cpu_line(10), "▁▁▁");
        // Half the limit: the middle bar, not the top one.
        assert_eq!(h.memory_line(10), "▄▄▄");
    }
}
