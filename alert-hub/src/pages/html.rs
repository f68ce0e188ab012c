//! A self-contained HTML page built from sections, headings, tables and SVG: every text is
//! escaped on the way in, so a note typed by an operator can never become markup.

pub use crate::markup::escape;

/// How a table cell or a line is marked: a target met or missed, or plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Bad,
    /// Not measured: the thing never happened, or has no target.
    Muted,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Plain => "",
            Tone::Good => " class=\"good\"",
            Tone::Bad => " class=\"bad\"",
            Tone::Muted => " class=\"muted\"",
        }
    }
}

/// One cell of a table: its text and how it is marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
        }
    }

    pub fn toned(text: impl Into<String>, tone: Tone) -> Cell {
        Cell {
            text: text.into(),
            tone,
        }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::plain(text)
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::plain(text)
    }
}

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Noto Sans',system-ui,sans-serif;\
margin:2em auto;max-width:60em;padding:0 1em;color:#1b1b1b;line-height:1.45}\
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;\
border-bottom:1px solid #ccc;padding-bottom:.2em}\
.banner{padding:.4em .8em;font-weight:bold;letter-spacing:.05em}\
.banner.drill{background:#7b1fa2;color:#fff}.banner.real{background:#b71c1c;color:#fff}\
table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #ccc;\
padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}\
.good{color:#1b5e20;font-weight:bold}.bad{color:#b71c1c;font-weight:bold}.muted{color:#777}\
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}\
dd{margin:0}svg{width:100%;height:auto;border:1px solid #ddd;background:#fff}\
@media print{body{margin:0}h2{break-after:avoid}}";

/// An HTML page being written: a title, then blocks in order.
#[derive(Debug, Clone, Default)]
pub struct Page {
    title: String,
    body: String,
}

impl Page {
    /// A page whose `<title>` and first heading are `title`.
    pub fn new(title: &str) -> Page {
        let mut page = Page {
            title: title.to_string(),
            body: String::new(),
        };
        page.body.push_str(&format!("<h1>{}</h1>\n", escape(title)));
        page
    }

    /// A coloured band across the page: purple for a drill, red for a real incident.
    pub fn banner(&mut self, text: &str, drill: bool) -> &mut Page {
        let class = if drill { "drill" } else { "real" };
        self.body.push_str(&format!(
            "<div class=\"banner {class}\">{}</div>\n",
            escape(text)
        ));
        self
    }

    /// A section heading, with an `id` for links.
    pub fn heading(&mut self, id: &str, text: &str) -> &mut Page {
        self.body.push_str(&format!(
            "<h2 id=\"{}\">{}</h2>\n",
            escape(id),
            escape(text)
        ));
        self
    }

    pub fn paragraph(&mut self, text: &str) -> &mut Page {
        self.body
            .push_str(&format!("<p>{}</p>\n", escape(text).replace('\n', "<br>")));
        self
    }

    /// Label / value pairs, such as a report's header.
    pub fn facts<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a str, String)>) -> &mut Page {
        self.body.push_str("<dl>\n");
        for (label, value) in pairs {
            self.body.push_str(&format!(
                "<dt>{}</dt><dd>{}</dd>\n",
                escape(label),
                escape(&value)
            ));
        }
        self.body.push_str("</dl>\n");
        self
    }

    /// A table with a header row; a table without rows says `empty` instead.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<Cell>], empty: &str) -> &mut Page {
        if rows.is_empty() {
            return self.paragraph(empty);
        }
        self.body.push_str("<table>\n<tr>");
        for header in headers {
            self.body.push_str(&format!("<th>{}</th>", escape(header)));
        }
        self.body.push_str("</tr>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for cell in row {
                self.body.push_str(&format!(
                    "<td{}>{}</td>",
                    cell.tone.class(),
                    escape(&cell.text)
                ));
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</table>\n");
        self
    }

    /// An SVG drawing, as [`super::Timeline::svg`] makes it (already escaped).
    pub fn svg(&mut self, svg: &str) -> &mut Page {
        self.body.push_str(svg);
        self.body.push('\n');
        self
    }

    /// The whole document.
    pub fn finish(&self) -> String {
        format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            escape(&self.title),
            self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_never_becomes_markup() {
        let mut page = Page::new("INC-1 <b>");
        page.paragraph("note: <script>alert('x')</script> & more")
            .table(&["who"], &[vec![Cell::plain("\"op\" <li>")]], "none");
        let html = page.finish();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(html.contains("<td>&quot;op&quot; &lt;li&gt;</td>"));
        assert!(html.contains("<title>INC-1 &lt;b&gt;</title>"));
    }

    #[test]
    fn a_page_is_self_contained() {
        let html = Page::new("report").finish();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn an_empty_table_says_so_and_cells_carry_their_tone() {
        let mut page = Page::new("r");
        page.table(&["a"], &[], "no steps were skipped");
        page.table(&["a"], &[vec![Cell::toned("late", Tone::Bad)]], "");
        let html = page.finish();
        assert!(html.contains("<p>no steps were skipped</p>"));
        assert!(html.contains("<td class=\"bad\">late</td>"));
    }
}
