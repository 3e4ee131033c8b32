//! How far each overlay scrolls. The visible rows are defined here once,
//! from the terminal size; `update` keeps every scroll in
//! `0..=max_scroll` and the UI draws exactly that many rows.

use super::keymap::{live, Action, Context};
use super::state::{Pane, State};
use super::views::{InspectView, Overlay, Target};

impl State {
    /// Rows a full-body viewer (logs, inspect, details) shows: the terminal
    /// minus tab bar, status, footer and the viewer's title rule.
    pub fn viewer_height(&self) -> usize {
        usize::from(self.height.saturating_sub(4)).max(1)
    }

    /// Columns a full-body viewer shows: it has no side borders.
    pub fn viewer_width(&self) -> usize {
        usize::from(self.width).max(1)
    }

    /// Rows of text the help box shows at most: the body (terminal minus
    /// tab bar, status and footer) minus the box's two borders.
    pub fn help_height(&self) -> usize {
        usize::from(self.height.saturating_sub(5)).max(1)
    }

    /// Columns of text the help box shows at most: the body (a box that
    /// wide takes its edges) minus the box's two borders and the text's
    /// one-column indent.
    pub fn help_width(&self) -> usize {
        usize::from(self.width.saturating_sub(3)).max(1)
    }

    /// Rows `overlay` shows at once; a page moves by exactly this many.
    pub fn page_rows(&self, overlay: &Overlay) -> usize {
        match overlay {
            Overlay::Help { .. } => self.help_height(),
            _ => self.viewer_height(),
        }
    }

    /// Lines of content `overlay` scrolls through.
    pub fn content_rows(&self, overlay: &Overlay) -> usize {
        match overlay {
            // Wrapped lines take several rows; two columns, the longer's.
            Overlay::Help { .. } | Overlay::Detail { .. } => self.flowed_rows(overlay),
            Overlay::Confirm(_) | Overlay::Prompt(_) | Overlay::Wizard(_) | Overlay::Palette(_) => {
                0
            }
            Overlay::Logs(view) => view.shown_len(),
            Overlay::Inspect(view) => view.row_count(self.viewer_width()),
        }
    }

    /// The largest scroll that still fills the view: content lines minus
    /// visible rows. (For logs: lines from the bottom.)
    pub fn max_scroll(&self, overlay: &Overlay) -> usize {
        match overlay {
            Overlay::Logs(view) => view.max_scroll(self.page_rows(overlay)),
            _ => self
                .content_rows(overlay)
                .saturating_sub(self.page_rows(overlay)),
        }
    }

    /// The keymap contexts keys are looked up in, first match wins, for what
    /// is on screen: one of `LIVE_SETS`, which the keymap's clash check
    /// walks. `update` dispatches with these and the footer hints read
    /// them. (Typing a filter or a search takes raw keys instead.)
    pub fn key_contexts(&self) -> &'static [Context] {
        match self.top_overlay() {
            Some(Overlay::Confirm(_)) => live::CONFIRM,
            Some(Overlay::Logs(_)) => live::LOGS,
            Some(Overlay::Inspect(_)) => live::INSPECT,
            // Container actions work from its detail view too.
            Some(Overlay::Detail {
                target: Target::Container { .. },
                ..
            }) => live::CONTAINER_DETAIL,
            Some(_) => live::VIEWER,
            None => match self.pane {
                Pane::Nodes => live::NODES,
                Pane::Volumes | Pane::Timeline => live::TABLE,
                Pane::Services => live::SERVICES,
                Pane::Zookeeper => live::ZOOKEEPER,
                Pane::Balancer => live::BALANCER,
                Pane::Jobs => live::JOBS,
            },
        }
    }

    /// Bring every overlay's scroll back within its content, e.g. after a
    /// resize or when what a view shows got shorter.
    pub fn clamp_scrolls(&mut self) {
        let cols = self.viewer_width();
        for overlay in &mut self.overlays {
            if let Overlay::Logs(view) = overlay {
                view.cols = cols;
            }
        }
        let maxes: Vec<(usize, usize)> = self
            .overlays
            .iter()
            .map(|o| (self.max_scroll(o), self.page_rows(o)))
            .collect();
        for (overlay, (max, rows)) in self.overlays.iter_mut().zip(maxes) {
            match overlay {
                Overlay::Help { scroll, .. }
                | Overlay::Detail { scroll, .. }
                | Overlay::Inspect(InspectView { scroll, .. }) => *scroll = (*scroll).min(max),
                Overlay::Logs(view) => {
                    // The current line stays on screen and among the lines.
                    view.scroll_from_bottom = view.scroll_from_bottom.min(max);
                    let room = view.window(rows).len();
                    view.cursor = view.cursor.min(room.saturating_sub(1));
                }
                Overlay::Confirm(_)
                | Overlay::Prompt(_)
                | Overlay::Wizard(_)
                | Overlay::Palette(_) => {}
            }
        }
    }
}

/// `scroll` moved by a viewer `action`, kept in `0..=max`; a page is `page` rows.
pub fn scrolled(scroll: usize, action: Action, page: usize, max: usize) -> usize {
    let moved = match action {
        Action::Up => scroll.saturating_sub(1),
        Action::Down => scroll + 1,
        Action::PageUp => scroll.saturating_sub(page),
        Action::PageDown => scroll + page,
        Action::Top => 0,
        Action::Bottom => max,
        _ => scroll,
    };
    moved.min(max)
}

#[cfg(test)]
#[path = "scroll_tests.rs"]
mod tests;
