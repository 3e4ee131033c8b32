//! Entering and leaving the terminal's TUI mode. The terminal is restored on
//! a normal exit, on an error, and on a panic.

use std::io::{self, Stdout, Write};

use crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

pub fn enter() -> io::Result<Tui> {
    install_panic_hook();
    terminal::enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    ) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout)).inspect_err(|_| restore())
}

/// Safe to call more than once.
pub fn restore() {
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = terminal::disable_raw_mode();
    let _ = stdout.flush();
}

/// Give the screen to a shell: tugboat's alternate screen and pasting
/// mode off, the cursor shown; raw mode stays, as the shell's TTY does
/// its own echo and line editing.
pub fn leave_for_shell() {
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = stdout.flush();
}

/// Take the screen back after a shell: a cleared alternate screen and a
/// new terminal whose empty buffers make the next frame draw everything
/// (`Terminal::clear` would ask the terminal where its cursor is, an
/// answer that can be slow or lost right after a shell).
pub fn back_from_shell() -> io::Result<Tui> {
    let _ = terminal::enable_raw_mode();
    let mut stdout = io::stdout();
    execute!(
        stdout,
        EnterAlternateScreen,
        terminal::Clear(terminal::ClearType::All),
        EnableBracketedPaste,
        cursor::Hide
    )?;
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Mouse reports on (presses, releases and the wheel, in SGR form: no
/// motion, so moving the mouse costs nothing) or off. While on, the
/// terminal's own text selection needs Shift in most terminals.
pub fn set_mouse(on: bool) {
    let mut stdout = io::stdout();
    let result = if on {
        stdout.write_all(MOUSE_ON.as_bytes())
    } else {
        execute!(stdout, DisableMouseCapture)
    };
    if let Err(e) = result.and_then(|()| stdout.flush()) {
        tracing::warn!("mouse capture {}: {e}", if on { "on" } else { "off" });
    }
}

/// Normal tracking (?1000: buttons and wheel) in SGR coordinates (?1006),
/// which crossterm reads; crossterm's own EnableMouseCapture also asks
/// for every motion (?1003).
const MOUSE_ON: &str = "\x1b[?1000h\x1b[?1006h";

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
