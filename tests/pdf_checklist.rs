//! The reviewer's checklist in the PDF, measured from the file as poppler reads it: on A4
//! and Letter, the northwind sample's checklist takes at most 3 pages, every item is on
//! them, and the notes column is at least a fifth of the table's width with nothing
//! written in it. Uses `pdftotext -bbox-layout` (poppler-utils; `tests/run.sh` installs it).

mod common;
#[path = "common/pdf_tool.rs"]
mod pdf_tool;

use common::{dossier, path_str, repo};

/// A word as poppler places it, in pt from the top left of the page.
#[derive(Debug)]
struct Word {
    text: String,
    x_min: f32,
    x_max: f32,
    y_min: f32,
    y_max: f32,
}

impl Word {
    fn height(&self) -> f32 {
        self.y_max - self.y_min
    }
}

struct Page {
    width: f32,
    words: Vec<Word>,
}

/// The value of attribute `name` in the tag `tag`.
fn attr(tag: &str, name: &str) -> f32 {
    let tag = format!(" {tag}");
    let start = tag
        .find(&format!(" {name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 3;
    let len = tag[start..].find('"').expect("a closing quote");
    tag[start..start + len]
        .parse()
        .unwrap_or_else(|e| panic!("{name} in {tag}: {e}"))
}

/// The pages of `pdftotext -bbox-layout` output, with their words in reading order.
fn pages(bbox: &str) -> Vec<Page> {
    let mut out = Vec::new();
    for page in bbox.split("<page ").skip(1) {
        let head = &page[..page.find('>').expect("a page tag")];
        let mut words = Vec::new();
        for word in page.split("<word ").skip(1) {
            let close = word.find('>').expect("a word tag");
            let tag = &word[..close];
            let end = word.find("</word>").expect("a closed word");
            words.push(Word {
                text: word[close + 1..end].replace("&amp;", "&"),
                x_min: attr(tag, "xMin"),
                x_max: attr(tag, "xMax"),
                y_min: attr(tag, "yMin"),
                y_max: attr(tag, "yMax"),
            });
        }
        out.push(Page {
            width: attr(head, "width"),
            words,
        });
    }
    out
}

/// The checklist's head row on a page: the words "Item" and "Reviewer notes" on one line.
fn head_row(page: &Page) -> Option<(&Word, &Word)> {
    let notes = page
        .words
        .windows(2)
        .find(|w| w[0].text == "Reviewer" && w[1].text == "notes")?;
    let item = page
        .words
        .iter()
        .find(|w| w.text == "Item" && (w.y_min - notes[0].y_min).abs() < 1.0)?;
    Some((item, &notes[0]))
}

#[test]
fn the_reviewer_checklist_takes_at_most_three_pages_with_a_fifth_of_the_width_for_notes() {
    for paper in ["a4", "letter"] {
        let out = tempfile::tempdir().expect("temp dir");
        let sample = repo("samples/northwind-vision");
        let run = dossier(&[
            "render",
            path_str(&sample),
            "--edition",
            "reviewer",
            "--paper",
            paper,
            "--out",
            path_str(out.path()),
        ]);
        assert_eq!(run.code, 0, "{paper}: {}", run.stderr);
        let markdown = std::fs::read_to_string(out.path().join("packet.md")).expect("packet.md");
        // The items as the Markdown lists them: rows that start with a bold id.
        let ids: Vec<&str> = markdown
            .lines()
            .skip_while(|l| !l.contains("| Reviewer notes |"))
            .filter_map(|l| l.strip_prefix("| **")?.split("**").next())
            .collect();
        assert_eq!(ids.len(), 16, "{ids:?}");

        let pdf = out.path().join("packet.pdf");
        let pages = pages(&pdf_tool::tool("pdftotext", &["-bbox-layout"], &pdf));
        let table: Vec<usize> = (0..pages.len())
            .filter(|&p| head_row(&pages[p]).is_some())
            .collect();
        let (first, last) = (table[0], table[table.len() - 1]);
        assert_eq!(table.len(), last - first + 1, "{paper}: pages {table:?}");
        assert!(
            table.len() <= 3,
            "{paper}: the checklist takes {} pages",
            table.len()
        );

        let mut seen = Vec::new();
        for &p in &table {
            let page = &pages[p];
            let (item, notes) = head_row(page).expect("a head row");
            // Equal margins: the table ends as far from the right edge as it starts from
            // the left. Both heads sit one cell padding inside their columns.
            let left = item.x_min;
            let right = page.width - left;
            let notes_left = notes.x_min;
            assert!(
                right - notes_left >= (right - left) / 5.0,
                "{paper}, page {}: notes column {:.0} pt of {:.0} pt",
                p + 1,
                right - notes_left,
                right - left
            );
            // The table's rows: below the head, above the footer and above the first
            // heading that follows (the table's text is small, a heading's is not).
            let footer = page.words.iter().map(|w| w.y_min).fold(0.0, f32::max);
            let end = page
                .words
                .iter()
                .filter(|w| w.y_min > notes.y_max && w.height() > 14.0)
                .map(|w| w.y_min)
                .fold(footer, f32::min);
            let rows: Vec<&Word> = page
                .words
                .iter()
                .filter(|w| w.y_min > notes.y_max && w.y_max < end)
                .collect();
            let written: Vec<&str> = rows
                .iter()
                .filter(|w| w.x_max > notes_left - 2.0)
                .map(|w| w.text.as_str())
                .collect();
            assert!(
                written.is_empty(),
                "{paper}, page {}: text in the notes column: {written:?}",
                p + 1
            );
            seen.extend(
                rows.iter()
                    .filter(|w| (w.x_min - left).abs() < 1.0)
                    .map(|w| w.text.clone()),
            );
        }
        for id in &ids {
            assert!(
                seen.iter().any(|w| w == id),
                "{paper}: item {id} is not on the checklist pages"
            );
        }
    }
}
