//! Pages a person reads: the post-incident report, the drill's after-action report and the
//! monthly report, as self-contained HTML (styles inline, no script, no outside resources, so
//! a file mailed or archived still opens) with an SVG timeline or charts, as Markdown, and
//! their tables as CSV. Pure text building: what the pages say is decided by the reports; how
//! it is laid out is here, once.

pub mod chart;
pub mod csv;
pub mod html;
pub mod markdown;
pub mod timeline;

pub use html::Page;
pub use timeline::{Mark, MarkKind, Target, Timeline};
