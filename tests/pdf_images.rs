//! Images PDF cannot take as they are (alpha, palette, 16-bit, interlaced) are re-encoded by
//! dossier: `pdfimages` must get back exactly the pixels the source decodes to, and two
//! renders must give the same bytes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use dossier::pdf::{Paper, PdfOptions, render};

fn options() -> PdfOptions {
    PdfOptions {
        paper: Paper::A4,
        justify: false,
        title: "Images".into(),
        author: "Acme".into(),
        subject: "test".into(),
        keywords: Vec::new(),
        date: "2026-03-31".into(),
        running_header: "Images".into(),
        page_break_before: Vec::new(),
        toc_anchor: None,
        font_dirs: Vec::new(),
        language: "en-US".into(),
        attachments: Default::default(),
        edition: "partner".into(),
        outside_inputs: Vec::new(),
    }
}

#[path = "common/hand_png.rs"]
mod hand_png;
use hand_png::Png;

#[path = "common/pdf_tool.rs"]
mod pdf_tool;
use pdf_tool::tool;

/// The four kinds of PNG that go into the PDF re-encoded rather than as they are (alpha,
/// palette, 16-bit, interlaced), each with detail that a wrong decoder would lose.
fn images() -> Vec<(&'static str, Vec<u8>)> {
    let (w, h) = (96, 64);
    // RGBA: colour gradients, alpha from clear through half to opaque.
    let rgba = Png {
        width: w,
        height: h,
        color_type: 6,
        depth: 8,
        plte: None,
        trns: None,
        interlaced: false,
    }
    .encode(|x, y| {
        vec![
            (x * 255 / (w - 1)) as u16,
            (y * 255 / (h - 1)) as u16,
            ((x ^ y) & 0xff) as u16,
            [0, 64, 128, 200, 255][(x / 20) as usize] as u16,
        ]
    });
    // Palette, 4 bits, with one fully and one half transparent entry.
    let palette = Png {
        width: w,
        height: h,
        color_type: 3,
        depth: 4,
        plte: Some((0..16 * 3).map(|i| (i * 53 % 256) as u8).collect()),
        trns: Some(vec![255, 0, 128]),
        interlaced: false,
    }
    .encode(|x, y| vec![((x / 6 + y / 8) % 16) as u16]);
    // 16-bit RGB whose low bytes matter for rounding.
    let wide = Png {
        width: w,
        height: h,
        color_type: 2,
        depth: 16,
        plte: None,
        trns: None,
        interlaced: false,
    }
    .encode(|x, y| {
        vec![
            (x * 683 + y) as u16,
            (y * 1021 + 127) as u16,
            ((x * y * 37) % 65536) as u16,
        ]
    });
    // Interlaced RGB, odd size so that the Adam7 passes are uneven.
    let interlaced = Png {
        width: 37,
        height: 29,
        color_type: 2,
        depth: 8,
        plte: None,
        trns: None,
        interlaced: true,
    }
    .encode(|x, y| vec![(x * 7) as u16, (y * 9) as u16, ((x + y) * 3) as u16]);
    vec![
        ("rgba.png", rgba),
        ("palette.png", palette),
        ("wide.png", wide),
        ("interlaced.png", interlaced),
    ]
}

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("pdf_images")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("tmp dir");
    dir
}

#[test]
fn re_encoded_images_keep_their_pixels_and_render_deterministically() {
    let images = images();
    let mut md = String::from("# Images\n\n## Diagrams\n\n");
    for (name, _) in &images {
        md.push_str(&format!("![{name}]({name})\n\n"));
    }
    let assets: BTreeMap<String, &[u8]> = images
        .iter()
        .map(|(n, b)| (n.to_string(), b.as_slice()))
        .collect();
    let first = render(&md, &assets, &options()).expect("renders").bytes;
    let second = render(&md, &assets, &options()).expect("renders").bytes;
    assert!(first == second, "two renders differ");

    let dir = tmp("kinds");
    let pdf = dir.join("images.pdf");
    std::fs::write(&pdf, &first).expect("write pdf");

    // `pdfimages -list`: one row per image, its soft mask on the row after it.
    let list = tool("pdfimages", &["-list"], &pdf);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r[2], r[5])).collect();
    assert_eq!(
        kinds,
        [
            ("image", "rgb"),
            ("smask", "gray"),
            ("image", "index"),
            ("smask", "gray"),
            ("image", "rgb"),
            ("image", "rgb"),
        ],
        "{list}"
    );
    assert!(rows.iter().all(|r| r[7] == "8" && r[8] != "jpeg"), "{list}");

    let prefix = dir.join("img");
    let out = Command::new("pdfimages")
        .arg("-png")
        .arg(&pdf)
        .arg(&prefix)
        .status()
        .expect("pdfimages");
    assert!(out.success());
    let load = |k: usize| {
        let path = dir.join(format!("img-{k:03}.png"));
        image::open(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .to_rgba8()
    };
    let mut k = 0;
    for (name, bytes) in &images {
        let expected = image::load_from_memory(bytes).expect("source").to_rgba8();
        let mut got = load(k);
        k += 1;
        if rows.get(k).is_some_and(|r| r[2] == "smask") {
            let mask = load(k);
            k += 1;
            for (px, m) in got.pixels_mut().zip(mask.pixels()) {
                px.0[3] = m.0[0];
            }
        }
        assert_eq!(got.dimensions(), expected.dimensions(), "{name}");
        let wrong = got
            .pixels()
            .zip(expected.pixels())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(wrong, 0, "{name}: {wrong} pixels differ");
    }
}
