//! A PNG written by hand, so that every colour type, bit depth, palette, tRNS and
//! interlacing can be made (the `png` crate's encoder cannot interlace). Shared by the
//! image tests in `src/pdf/raster.rs` (through `#[path]`) and `tests/pdf_images.rs`.

pub struct Png {
    pub width: u32,
    pub height: u32,
    pub color_type: u8,
    pub depth: u8,
    pub plte: Option<Vec<u8>>,
    pub trns: Option<Vec<u8>>,
    pub interlaced: bool,
}

impl Png {
    /// The file, with `pixel(x, y)` giving the samples of each pixel (palette indices for
    /// colour type 3).
    pub fn encode(&self, pixel: impl Fn(u32, u32) -> Vec<u16>) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let mut body = kind.to_vec();
            body.extend(data);
            out.extend(&body);
            out.extend(crc32fast::hash(&body).to_be_bytes());
        }
        // Adam7: (x0, dx, y0, dy) of each pass.
        let passes: &[(u32, u32, u32, u32)] = if self.interlaced {
            &[
                (0, 8, 0, 8),
                (4, 8, 0, 8),
                (0, 4, 4, 8),
                (2, 4, 0, 4),
                (0, 2, 2, 4),
                (1, 2, 0, 2),
                (0, 1, 1, 2),
            ]
        } else {
            &[(0, 1, 0, 1)]
        };
        let mut raw = Vec::new();
        for &(x0, dx, y0, dy) in passes {
            if x0 >= self.width {
                continue;
            }
            for y in (y0..self.height).step_by(dy as usize) {
                raw.push(0); // filter: none
                let (mut acc, mut bits) = (0u32, 0u32);
                for x in (x0..self.width).step_by(dx as usize) {
                    for s in pixel(x, y) {
                        acc = acc << self.depth | u32::from(s);
                        bits += u32::from(self.depth);
                        while bits >= 8 {
                            bits -= 8;
                            raw.push((acc >> bits) as u8);
                        }
                    }
                }
                if bits > 0 {
                    raw.push((acc << (8 - bits)) as u8);
                }
            }
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
        std::io::Write::write_all(&mut z, &raw).expect("deflate");
        let idat = z.finish().expect("deflate");
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = self.width.to_be_bytes().to_vec();
        ihdr.extend(self.height.to_be_bytes());
        ihdr.extend([self.depth, self.color_type, 0, 0, u8::from(self.interlaced)]);
        chunk(&mut out, b"IHDR", &ihdr);
        if let Some(p) = &self.plte {
            chunk(&mut out, b"PLTE", p);
        }
        if let Some(t) = &self.trns {
            chunk(&mut out, b"tRNS", t);
        }
        chunk(&mut out, b"IDAT", &idat);
        chunk(&mut out, b"IEND", &[]);
        out
    }
}
