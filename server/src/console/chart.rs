//! Charts drawn on the server as SVG, from a table already protected by
//! [`super::suppress`]: no script, no inline style (colours come from the
//! stylesheet's classes), the same numbers as the table beside each chart.
//! A hidden cell is drawn as a hatched gap with no length of its own, so a
//! chart never shows more than the table.

use super::suppress::{Cell, Protected};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Horizontal stacked bars: one bar per row, one segment per column.
/// `id` names the chart for `aria-labelledby`; `labels` are the row names
/// and `series` the column names (shown in a legend).
pub fn stacked_bars(
    id: &str,
    title: &str,
    labels: &[String],
    series: &[String],
    p: &Protected,
    hidden_label: &str,
) -> String {
    let row_h = 26.0;
    let label_w = 280.0;
    let bar_w = 560.0;
    let legend_h = 22.0 * (series.len() as f64 / 3.0).ceil();
    let height = labels.len() as f64 * row_h + legend_h + 30.0;
    let max = p.cells.iter().map(|r| r.iter().filter_map(|c| c.shown()).sum::<i64>()).max().unwrap_or(0).max(1) as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" aria-labelledby=\"{id}-t\">\
         <title id=\"{id}-t\">{}</title>\
         <defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\
         <rect width=\"6\" height=\"6\" class=\"hatch-bg\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch-line\"/></pattern></defs>",
        esc(title),
        w = label_w + bar_w + 70.0
    );
    for (i, label) in labels.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        // Long names are shortened in the chart; the table beside it has them whole.
        let short: String =
            if label.chars().count() > 38 { label.chars().take(36).collect::<String>() + "…" } else { label.clone() };
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"axis-label\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 15.0,
            esc(&short)
        ));
        let mut x = label_w;
        let mut any_hidden = false;
        for (j, cell) in p.cells[i].iter().enumerate() {
            match cell {
                Cell::Shown(n) if *n > 0 => {
                    let w = *n as f64 / max * bar_w;
                    s.push_str(&format!(
                        "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"18\" class=\"s{}\"><title>{}: {n}</title></rect>",
                        j % 8,
                        esc(&format!("{label} · {}", series.get(j).map(String::as_str).unwrap_or("")))
                    ));
                    x += w;
                }
                Cell::Hidden => any_hidden = true,
                _ => {}
            }
        }
        if any_hidden {
            s.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"14\" height=\"18\" fill=\"url(#{id}-hatch)\"><title>{}</title></rect>",
                esc(hidden_label)
            ));
            x += 14.0;
        }
        let total = match p.row_totals[i] {
            Cell::Shown(n) => n.to_string(),
            Cell::Hidden => "•".into(),
        };
        s.push_str(&format!("<text x=\"{:.1}\" y=\"{}\" class=\"value-label\">{}</text>", x + 6.0, y + 15.0, total));
    }
    let ly = labels.len() as f64 * row_h + 16.0;
    for (j, name) in series.iter().enumerate() {
        let lx = label_w + (j % 3) as f64 * 190.0;
        let y = ly + (j / 3) as f64 * 22.0;
        s.push_str(&format!(
            "<rect x=\"{lx}\" y=\"{y}\" width=\"14\" height=\"14\" class=\"s{}\"/><text x=\"{}\" y=\"{}\" class=\"legend\">{}</text>",
            j % 8,
            lx + 20.0,
            y + 12.0,
            esc(name)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::suppress::protect;

    #[test]
    fn a_chart_draws_shown_cells_and_only_hatches_hidden_ones() {
        let p = protect(&[vec![40, 3, 60], vec![30, 20, 50]], 11);
        let series = ["yes".to_string(), "no".into(), "maybe".into()];
        let svg = stacked_bars("c1", "Title <x>", &["A".into(), "B".into()], &series, &p, "hidden");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Title &lt;x&gt;"), "text is escaped");
        assert!(!svg.contains("style="), "no inline style (CSP)");
        assert!(!svg.contains(": 3</title>"), "a hidden count is never drawn: {svg}");
        assert!(svg.contains("url(#c1-hatch)"));
        assert!(svg.contains("B · maybe: 50") && svg.contains("A · maybe: 60"), "{svg}");
        assert!(!svg.contains("B · no: 20"), "the complementary cell is hidden too");
    }
}
