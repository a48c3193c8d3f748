//! dossier: evidence bundle → assessment → application packet (Markdown, HTML, PDF).
//!
//! The pipeline, one module per stage: `bundle::load` → `assess::evaluate` →
//! `packet::markdown` (tera templates) → `html::render` / `pdf::render`; `cli` is the only
//! part that touches the command line, and `output` the only part that writes files.

pub mod advise;
pub mod archive;
pub mod assess;
pub mod bundle;
pub mod checklist;
pub mod cli;
pub mod diff;
pub mod edition;
pub mod error;
pub mod html;
pub mod leak;
pub mod output;
pub mod packet;
pub mod pdf;
pub mod plural;
mod png;
pub mod render;
pub mod report;
pub mod serve;
pub mod slug;
pub mod starter;
pub mod watch;

pub use error::Error;
