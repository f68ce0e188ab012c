//! Pages a person reads: the post-incident report and the drill's after-action report, as
//! self-contained HTML (styles inline, no script, no outside resources, so a file mailed or
//! archived still opens) with an SVG timeline, and as Markdown. Pure text building: what the
//! pages say is decided by the reports; how it is laid out is here, once.

pub mod html;
pub mod markdown;
pub mod timeline;

pub use html::Page;
pub use timeline::{Mark, MarkKind, Target, Timeline};
