//! Hand-drawn SVG charts for the pages: horizontal bars for counts, and a histogram for a
//! distribution of times. Plain SVG, no script; every label is escaped.

use super::html::escape;

const WIDTH: u32 = 640;
const LABEL: u32 = 180;
const BAR_HEIGHT: u32 = 18;
const GAP: u32 = 6;

/// Horizontal bars, one per `(label, value)`, scaled to the largest; `title` names the chart
/// for screen readers.
pub fn bars(title: &str, items: &[(String, u64)]) -> String {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = (items.len() as u32).max(1) * (BAR_HEIGHT + GAP) + GAP;
    let room = WIDTH - LABEL - 60;
    let mut svg = format!(
        "<svg class=\"chart bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
        escape(title),
        escape(title)
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = GAP + i as u32 * (BAR_HEIGHT + GAP);
        let w = ((*value as f64 / max as f64) * f64::from(room)).round() as u32;
        let text_y = y + BAR_HEIGHT - 4;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{text_y}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{BAR_HEIGHT}\" fill=\"#3b6ea5\"/>\
             <text x=\"{}\" y=\"{text_y}\" font-size=\"12\">{value}</text>\n",
            LABEL - 6,
            escape(label),
            LABEL + w + 4,
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A histogram of `values` (seconds) in `buckets`: each bucket is `..=upper` seconds, the last
/// catching everything above; `labels` name them.
pub fn distribution(title: &str, values: &[i64], uppers: &[i64], labels: &[&str]) -> String {
    let mut counts = vec![0u64; uppers.len() + 1];
    for value in values {
        let bucket = uppers
            .iter()
            .position(|u| value <= u)
            .unwrap_or(uppers.len());
        counts[bucket] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (height, base) = (160u32, 130u32);
    let column = (WIDTH - 40) / counts.len() as u32;
    let mut svg = format!(
        "<svg class=\"chart distribution\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n\
         <line x1=\"20\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#888\"/>\n",
        escape(title),
        escape(title),
        WIDTH - 20
    );
    for (i, count) in counts.iter().enumerate() {
        let x = 20 + i as u32 * column;
        let h = ((*count as f64 / max as f64) * 100.0).round() as u32;
        let label = labels.get(i).copied().unwrap_or("");
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{h}\" fill=\"#5a9e6f\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{count}</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>\n",
            x + 4,
            base - h,
            column - 8,
            x + column / 2,
            base - h - 3,
            x + column / 2,
            base + 16,
            escape(label),
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars("by kind", &[("fire <1>".into(), 10), ("lift".into(), 5)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("fire &lt;1&gt;"));
        assert!(svg.contains("width=\"400\"") && svg.contains("width=\"200\""));
    }

    #[test]
    fn a_distribution_puts_each_time_in_its_bucket() {
        let svg = distribution(
            "ack",
            &[5, 30, 31, 200],
            &[30, 60],
            &["≤30s", "≤60s", ">60s"],
        );
        // Two within 30 s, one within 60 s, one above.
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(">2</text>") && svg.contains(">1</text>"));
    }
}
