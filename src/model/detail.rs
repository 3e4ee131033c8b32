//! What the inspect view shows: titled sections of already-safe lines.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InspectSection {
    pub title: &'static str,
    pub lines: Vec<String>,
}
