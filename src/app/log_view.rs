//! A log viewer's state: its lines (one container's, or a cluster's merged
//! in time order), what of them it shows (a member, a level, the search's
//! matches), which are marked for copying, and where it is scrolled.
//!
//! `scroll_from_bottom` counts *shown* lines, so scrolling, paging and
//! `max_scroll` work the same with a filter on. Each line's member, level,
//! search hit and mark are kept beside it, so deciding whether a line is
//! shown is a few comparisons, not a parse.

use std::collections::VecDeque;

use super::line_editor::LineEditor;
use super::text_flow::{cells, Flow};
use crate::model::log_level::{LevelCarry, LogLevel};
use crate::model::log_time::{clock_of, MergedLine, MergedLog};

/// Lines kept per log view; older ones are dropped.
pub const LOG_CAPACITY: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogView {
    pub session: u64,
    pub host: String,
    pub container: String,
    pub lines: VecDeque<String>,
    /// Parallel to `lines`.
    pub meta: VecDeque<LineMeta>,
    /// Shown lines from the bottom; 0 and `follow` means new lines scroll in.
    pub scroll_from_bottom: usize,
    /// The current line (what Space marks and `c` copies), in rows above
    /// the bottom of the window: 0 but when the window cannot scroll up
    /// any further and the user moves on up.
    pub cursor: usize,
    pub follow: bool,
    pub search: Option<String>,
    /// Text being typed after `/` or `@`.
    pub input: Option<LogInput>,
    pub filter: LogFilter,
    pub ended: Option<String>,
    /// Older lines pushed out of the view by newer ones.
    pub dropped: usize,
    /// Lines never shown: the container wrote faster than tugboat read.
    pub skipped: usize,
    /// A cluster's members' logs merged in time order (`L`), else None.
    pub merged: Option<MergedView>,
    /// Each member's last stated level, for the lines that state none.
    pub carry: LevelCarry,
    /// Long lines cut (and scrolled sideways) or wrapped.
    pub flow: Flow,
    /// Columns the viewer has (the terminal's width; `update` keeps it).
    /// Lines wrap at this less the marks' gutter.
    pub cols: usize,
}

/// What is known of one line besides its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineMeta {
    /// The member that wrote it (0 in a single container's view).
    pub member: usize,
    /// Stated, or carried from the member's line before.
    pub level: Option<LogLevel>,
    /// Matches the current search.
    pub hit: bool,
    /// Marked for copying.
    pub marked: bool,
}

/// Which lines are shown; the default shows all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogFilter {
    /// Only this member's (merged views).
    pub member: Option<usize>,
    /// Only lines at this level or worse.
    pub level: Option<LogLevel>,
    /// Only the search's matches.
    pub matches_only: bool,
}

impl LogFilter {
    pub fn is_active(&self) -> bool {
        self.member.is_some() || self.level.is_some() || self.matches_only
    }

    fn passes(&self, m: &LineMeta) -> bool {
        self.member.is_none_or(|want| m.member == want)
            && self
                .level
                .is_none_or(|min| m.level.is_some_and(|l| l >= min))
            && (!self.matches_only || m.hit)
    }
}

/// A line being typed in the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInput {
    pub purpose: LogInputFor,
    pub editor: LineEditor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogInputFor {
    Search,
    /// A time to jump to (merged views).
    JumpToTime,
}

/// What a merged view keeps besides its lines: the members, each line's
/// time (parallel to `lines`), and how the clocks were read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergedView {
    pub names: Vec<String>,
    pub log: MergedLog,
    /// Each host's measured clock offset, once known.
    pub note: Option<String>,
}

impl MergedView {
    pub fn new(names: Vec<String>) -> Self {
        Self {
            names,
            log: MergedLog::new(LOG_CAPACITY),
            note: None,
        }
    }

    /// Room the member names take, so the texts line up.
    pub fn name_width(&self) -> usize {
        self.names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// Whether a search for `lowered` (in lower case) matches `line`: case
/// is ignored, as in every viewer's search.
pub fn line_matches(line: &str, lowered: &str) -> bool {
    line.to_lowercase().contains(lowered)
}

/// The line that stands where lines were skipped.
pub fn skipped_line(n: usize) -> String {
    format!("… {n} lines skipped (written faster than shown)")
}

impl LogView {
    /// Mark where `n` lines were skipped with a line saying so.
    pub fn push_skipped(&mut self, n: usize) {
        if n > 0 {
            self.skipped += n;
            self.push_lines(vec![skipped_line(n)]);
        }
    }

    pub fn push_lines(&mut self, mut lines: Vec<String>) {
        // More than fit: the first ones would be pushed out at once.
        let surplus = lines.len().saturating_sub(LOG_CAPACITY);
        if surplus > 0 {
            lines.drain(..surplus);
            self.dropped += surplus;
        }
        let mut shown = 0;
        for line in lines {
            let meta = self.meta_of(0, &line, &line);
            shown += usize::from(self.filter.passes(&meta));
            self.lines.push_back(line);
            self.meta.push_back(meta);
        }
        let over = self.lines.len().saturating_sub(LOG_CAPACITY);
        if over > 0 {
            self.lines.drain(..over);
            self.meta.drain(..over);
            self.dropped += over;
        }
        // When reading older lines, keep them in place as new ones arrive.
        // (`settle` clamps it to the shown lines after every message.)
        if !self.follow {
            self.scroll_from_bottom = (self.scroll_from_bottom + shown).min(self.lines.len());
        }
    }

    /// Merged lines, each where its corrected time puts it (a line from a
    /// slower host lands before newer ones already shown).
    pub fn push_merged(&mut self, lines: Vec<MergedLine>) {
        let Some(width) = self.merged.as_ref().map(MergedView::name_width) else {
            return;
        };
        for l in lines {
            let merged = self.merged.as_mut().expect("checked above");
            let name = merged.names.get(l.member).cloned().unwrap_or_default();
            let text = format!("{} {name:<width$} | {}", clock_of(l.at), l.text);
            let member = l.member;
            let dropped = merged.log.dropped;
            let placed = merged.log.insert(l);
            if merged.log.dropped > dropped {
                self.dropped += 1;
                // Placed: the oldest line made room. Not placed: the new
                // line itself was the oldest, and no other went.
                if placed.is_some() {
                    self.lines.pop_front();
                    self.meta.pop_front();
                }
            }
            if let Some(i) = placed {
                // The level of the member's text, not of the time prefix.
                let bar = text.find(" | ").map_or(0, |b| b + 3);
                let meta = self.meta_of(member, &text[bar..], &text);
                let shown = self.filter.passes(&meta);
                self.lines.insert(i, text);
                self.meta.insert(i, meta);
                if !self.follow && shown {
                    self.scroll_from_bottom = (self.scroll_from_bottom + 1).min(self.lines.len());
                }
            }
        }
    }

    /// `stated` is the part of `text` that may state a level.
    fn meta_of(&mut self, member: usize, stated: &str, text: &str) -> LineMeta {
        LineMeta {
            member,
            level: self.carry.next(member, stated),
            hit: self.hit(text),
            marked: false,
        }
    }

    fn hit(&self, line: &str) -> bool {
        self.search
            .as_deref()
            .is_some_and(|s| line_matches(line, &s.to_lowercase()))
    }

    /// Set (or clear) the search and mark the lines it matches.
    pub fn set_search(&mut self, search: Option<String>) {
        self.search = search.filter(|s| !s.is_empty());
        let needle = self.search.as_deref().map(str::to_lowercase);
        for (line, meta) in self.lines.iter().zip(self.meta.iter_mut()) {
            meta.hit = needle.as_deref().is_some_and(|n| line_matches(line, n));
        }
    }

    /// Whether the line at `i` is shown under the filter.
    pub fn shows(&self, i: usize) -> bool {
        self.meta.get(i).is_some_and(|m| self.filter.passes(m))
    }

    /// How many lines the filter shows.
    pub fn shown_len(&self) -> usize {
        if self.filter.is_active() {
            self.meta.iter().filter(|m| self.filter.passes(m)).count()
        } else {
            self.lines.len()
        }
    }

    /// The shown lines' indices on screen, oldest first: `rows` of them
    /// ending `scroll_from_bottom` shown lines above the newest.
    /// Wrapped, the lines that fill `rows` rows (the top one may be cut).
    pub fn window(&self, rows: usize) -> Vec<usize> {
        let cols = self.text_cols();
        let mut used = 0;
        let mut window: Vec<usize> = (0..self.lines.len())
            .rev()
            .filter(|&i| self.shows(i))
            .skip(self.scroll_from_bottom)
            .take_while(|&i| {
                let fits = used < rows;
                used += self.flow.rows_of(&self.lines[i], cols);
                fits
            })
            .collect();
        window.reverse();
        window
    }

    /// Columns a line's text has: the viewer's less the marks' gutter.
    pub fn text_cols(&self) -> usize {
        let gutter = if self.meta.iter().any(|m| m.marked) {
            2
        } else {
            0
        };
        self.cols.saturating_sub(gutter).max(1)
    }

    /// The widest line's width, for scrolling sideways.
    pub fn widest(&self) -> usize {
        (0..self.lines.len())
            .filter(|&i| self.shows(i))
            .map(|i| cells(&self.lines[i]))
            .max()
            .unwrap_or(0)
    }

    /// The most shown lines the window can be scrolled up by and still
    /// fill `rows` rows: wrapped, the oldest lines that fill them stay.
    pub fn max_scroll(&self, rows: usize) -> usize {
        let shown = self.shown_len();
        if !self.flow.wrap {
            return shown.saturating_sub(rows);
        }
        let cols = self.text_cols();
        let mut used = 0;
        let oldest = (0..self.lines.len())
            .filter(|&i| self.shows(i))
            .take_while(|&i| {
                let short = used < rows;
                used += self.flow.rows_of(&self.lines[i], cols);
                short
            })
            .count();
        if used < rows {
            0
        } else {
            shown - oldest
        }
    }

    /// The index of the current line (what `c` and Space act on): the
    /// bottom line on screen, or `cursor` rows above it.
    pub fn current_index(&self) -> Option<usize> {
        (0..self.lines.len())
            .rev()
            .filter(|&i| self.shows(i))
            .nth(self.scroll_from_bottom + self.cursor)
    }

    /// Make `i` (or the nearest shown line above it) the current line:
    /// at the bottom of a window of `rows` rows when the log is long
    /// enough, else as far down as it can be. Stops following.
    pub fn scroll_to(&mut self, i: usize, rows: usize) {
        let below = self.shown_after(i);
        self.place(below, below, rows);
    }

    /// How many shown lines come after the line at `i`.
    fn shown_after(&self, i: usize) -> usize {
        (i + 1..self.lines.len()).filter(|&j| self.shows(j)).count()
    }

    /// Make the line `below` shown lines above the newest current, with
    /// the window scrolled `wanted` lines up if it can be.
    fn place(&mut self, below: usize, wanted: usize, rows: usize) {
        let max = self.max_scroll(rows);
        self.follow = false;
        self.scroll_from_bottom = wanted.min(max).min(below);
        self.cursor = below - self.scroll_from_bottom;
        // Wrapped lines are taller: scroll up until the line is on screen.
        while self.flow.wrap
            && self.cursor > 0
            && self.scroll_from_bottom < max
            && self.cursor >= self.window(rows).len()
        {
            self.scroll_from_bottom += 1;
            self.cursor -= 1;
        }
    }

    /// How many shown lines after the one at `i` fit under it in `rows`
    /// rows, it on top.
    fn fit_under(&self, i: usize, rows: usize) -> usize {
        let cols = self.text_cols();
        let mut used = self.flow.rows_of(&self.lines[i], cols);
        (i + 1..self.lines.len())
            .filter(|&j| self.shows(j))
            .take_while(|&j| {
                used += self.flow.rows_of(&self.lines[j], cols);
                used <= rows
            })
            .count()
    }

    /// Change what is shown, keeping the current line in place when
    /// reading older lines (when following, the newest stay at the bottom).
    pub fn change_filter(&mut self, rows: usize, change: impl FnOnce(&mut LogFilter)) {
        let current = self.current_index();
        change(&mut self.filter);
        match current {
            Some(i) if !self.follow => self.scroll_to(i, rows),
            _ => (self.scroll_from_bottom, self.cursor) = (0, 0),
        }
    }

    /// Move the current line `up` lines older (or newer, negative) in a
    /// window of `rows`: the window scrolls while it can, then the
    /// current line moves inside it. Following resumes at the newest.
    pub fn move_current(&mut self, up: isize, rows: usize) {
        let shown = self.shown_len();
        let at = self.scroll_from_bottom + self.cursor;
        let to = at.saturating_add_signed(up).min(shown.saturating_sub(1));
        if to == 0 {
            (self.scroll_from_bottom, self.cursor, self.follow) = (0, 0, true);
            return;
        }
        // Up: the window scrolls, the cursor keeps its row until the
        // window is at the top. Down: the cursor comes down first.
        let keep = if up < 0 {
            self.cursor.saturating_sub(up.unsigned_abs())
        } else {
            self.cursor
        };
        self.place(to, to.saturating_sub(keep), rows);
    }

    /// The next (or previous) shown line matching the search, after (or
    /// before) index `from`.
    pub fn find(&self, forward: bool, from: usize) -> Option<usize> {
        self.search.as_ref()?;
        let hit = |i: &usize| self.meta[*i].hit && self.shows(*i);
        if forward {
            (from + 1..self.lines.len()).find(hit)
        } else {
            (0..from.min(self.lines.len())).rev().find(hit)
        }
    }

    /// Mark (or unmark) the current line and move one line down, so
    /// marking reads the log in its order. False when no line is shown.
    pub fn toggle_mark(&mut self, rows: usize) -> bool {
        let Some(i) = self.current_index() else {
            return false;
        };
        self.meta[i].marked = !self.meta[i].marked;
        let was = self.scroll_from_bottom + self.cursor;
        if was > 0 {
            self.move_current(-1, rows);
        }
        // Marking the newest line still stops following: it stays put.
        self.follow = false;
        true
    }

    pub fn marked_count(&self) -> usize {
        self.meta.iter().filter(|m| m.marked).count()
    }

    pub fn clear_marks(&mut self) {
        for m in &mut self.meta {
            m.marked = false;
        }
    }

    /// What `c` copies: the marked lines in order, else the bottom line;
    /// with what to call it.
    pub fn copy_text(&self) -> Option<(String, String)> {
        let marked: Vec<&str> = self
            .lines
            .iter()
            .zip(&self.meta)
            .filter(|(_, m)| m.marked)
            .map(|(l, _)| l.as_str())
            .collect();
        match marked.len() {
            0 => {
                let line = self.lines.get(self.current_index()?)?;
                Some(("the log line".into(), line.clone()))
            }
            1 => Some(("the marked log line".into(), marked[0].to_string())),
            n => Some((format!("{n} marked log lines"), marked.join("\n"))),
        }
    }

    /// The time of the line at `i` (merged views only).
    pub fn time_of(&self, i: usize) -> Option<i128> {
        self.merged.as_ref()?.log.lines.get(i).map(|l| l.at)
    }

    /// Put the first shown line at or after `at` at the top of a view of
    /// `rows` rows.
    pub fn jump_to_time(&mut self, at: i128, rows: usize) -> TimeJump {
        let Some(merged) = &self.merged else {
            return TimeJump::NoTimes;
        };
        // The merged lines are in time order.
        let from = merged.log.lines.partition_point(|l| l.at < at);
        let Some(i) = (from..self.lines.len()).find(|&i| self.shows(i)) else {
            return TimeJump::AfterNewest;
        };
        let oldest = (0..i).all(|j| !self.shows(j));
        // On top of the window: scrolled less than to have it at the
        // bottom by the lines that fit under it.
        let below = self.shown_after(i);
        self.place(below, below.saturating_sub(self.fit_under(i, rows)), rows);
        match self.time_of(i) {
            Some(t) if oldest && t > at => TimeJump::OldestKept(t),
            Some(t) => TimeJump::Jumped(t),
            None => TimeJump::NoTimes,
        }
    }
}

/// Where a jump to a time landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeJump {
    /// On the first line at or after it, at this time.
    Jumped(i128),
    /// The time is older than every line kept: on the oldest, at this time.
    OldestKept(i128),
    /// No shown line is that new.
    AfterNewest,
    /// A single container's view: its lines carry no times.
    NoTimes,
}

#[cfg(test)]
#[path = "log_view_tests.rs"]
mod tests;
