//! Where on the screen a mouse event landed, as the drawing knows it:
//! `ui::mouse_spot` reads the layout it draws and the runtime hands that
//! reader to the state (`State::spot_at`), so `update` stays pure and the
//! layout has one owner.

/// What is under the mouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spot {
    /// The tab of the pane at this index of `Pane::ALL`.
    Tab(usize),
    /// The n-th body row of the table on screen, from the top (0 is the
    /// row under the header).
    Row(usize),
    /// Anything else: borders, the status line, an overlay.
    Other,
}

/// Reads the spot at (column, row) of the screen the state draws.
pub type SpotAt<S> = fn(&S, u16, u16) -> Spot;

/// Until the runtime hands over the drawing's reader: nothing is hit.
pub fn nowhere<S>(_: &S, _: u16, _: u16) -> Spot {
    Spot::Other
}
