//! dossier: evidence bundle → assessment → application packet (Markdown, HTML, PDF).
//!
//! The pipeline, one module per stage: `bundle::load` → `assess::evaluate` (and
//! `advise::review` beside it) → `packet::view::build` → `packet::Templates::render` (tera
//! templates → the packet's Markdown) → `html::render` / `pdf::render`, put together by
//! `render::render`. `cli` is the only part that touches the command line; packets are
//! written by `output`, all or nothing.

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
pub mod record;
pub mod render;
pub mod report;
pub mod serve;
pub mod slug;
pub mod starter;
pub mod watch;

pub use error::Error;
