//! Laying a styled line out as its viewer's `Flow` says: shifted
//! sideways, or broken into rows where `app::text_flow::row_breaks`
//! breaks it, so what `update` counted is what is drawn. Styles (a
//! search's highlight, a member's colour) stay on their characters.

use ratatui::text::{Line, Span};

use crate::app::text_flow::{row_breaks, Flow};

/// The rows `line` is drawn on in `cols` columns: its rows when wrapping,
/// else itself without its first `flow.col` cells.
pub fn rows<'a>(line: &Line<'a>, flow: Flow, cols: usize) -> Vec<Line<'a>> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    if flow.wrap {
        let mut starts = row_breaks(&text, cols);
        starts.push(text.len());
        starts.windows(2).map(|w| slice(line, w[0], w[1])).collect()
    } else if flow.col > 0 {
        let from = text
            .char_indices()
            .scan(0, |used, (i, c)| {
                let at = *used;
                *used += crate::app::text_flow::cells(c.encode_utf8(&mut [0; 4]));
                Some((i, at))
            })
            .find(|&(_, at)| at >= flow.col)
            .map_or(text.len(), |(i, _)| i);
        vec![slice(line, from, text.len())]
    } else {
        vec![line.clone()]
    }
}

/// The part of `line` from byte `from` to byte `to` of its text.
fn slice<'a>(line: &Line<'a>, from: usize, to: usize) -> Line<'a> {
    let mut spans = Vec::new();
    let mut at = 0;
    for span in &line.spans {
        let text = span.content.as_ref();
        let (start, end) = (at, at + text.len());
        at = end;
        let (a, b) = (from.max(start), to.min(end));
        if a < b {
            spans.push(Span::styled(
                text[a - start..b - start].to_string(),
                span.style,
            ));
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn rows_keep_every_character_and_its_style() {
        let hit = Style::new().bold();
        let line = Line::from(vec![
            Span::raw("abcde"),
            Span::styled("XY", hit),
            Span::raw("z"),
        ]);
        let wrap = Flow { wrap: true, col: 0 };
        let rows = rows(&line, wrap, 3);
        let texts: Vec<String> = rows.iter().map(text).collect();
        assert_eq!(texts, ["abc", "deX", "Yz"]);
        assert_eq!(rows[1].spans[1].style, hit);
        assert_eq!(rows[2].spans[0].style, hit);
        let shifted = super::rows(
            &line,
            Flow {
                wrap: false,
                col: 4,
            },
            3,
        );
        assert_eq!(text(&shifted[0]), "eXYz");
    }
}
