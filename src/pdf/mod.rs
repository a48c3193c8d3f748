//! Packet Markdown → PDF (owned by the PDF work; see the issue "The packet as a print-quality PDF").
