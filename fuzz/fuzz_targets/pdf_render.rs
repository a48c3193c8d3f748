//! Markdown → PDF: arbitrary text through the model, layout and drawing, with the one asset
//! a packet can show (a small PNG). A `PdfError` is a fine outcome; a panic, overflow, hang
//! or memory blow-up is a finding.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

/// A 1×1 grey PNG, shown by `![diagram](assets/architecture.png)`.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x68, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x81, 0x77, 0xCD, 0x72, 0xB6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

fuzz_target!(|data: &[u8]| {
    let markdown = String::from_utf8_lossy(data);
    let assets = BTreeMap::from([("assets/architecture.png".to_string(), PNG)]);
    let opts = dossier::pdf::PdfOptions {
        justify: data.first().is_some_and(|b| b & 1 == 0),
        title: "Fuzz".into(),
        author: "Fuzz".into(),
        date: "2026-11-20".into(),
        running_header: "Fuzz · Packet".into(),
        toc_anchor: Some("contents".into()),
        page_break_before: vec!["reference-1".into()],
        ..Default::default()
    };
    let _ = dossier::pdf::render(&markdown, &assets, &opts);
});
