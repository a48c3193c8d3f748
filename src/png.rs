//! PNG structure without decoding: bytes → header and compressed image data, or why the
//! file is not a well-formed PNG. Every chunk's CRC is checked, so a truncated or damaged
//! file is caught here; the pixels themselves are never inflated.
//!
//! Validation uses this to accept the common diagram (8-bit grey or RGB, not interlaced)
//! without decoding megapixels, and the PDF writer copies that same compressed data into the
//! file as is: PDF's FlateDecode with the PNG predictors reads it directly.

/// What the IHDR chunk says, and the concatenated IDAT data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Png<'a> {
    pub width: u32,
    pub height: u32,
    pub bit_depth: u8,
    pub color_type: u8,
    pub interlaced: bool,
    /// A tRNS chunk (a transparent colour) is present.
    pub transparency: bool,
    /// The IDAT chunks' data, in order: one zlib stream when concatenated.
    pub idat: Vec<&'a [u8]>,
}

const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";
/// Largest chunk length the PNG specification allows (2^31 − 1).
const MAX_CHUNK: u32 = 0x7fff_ffff;

impl Png<'_> {
    /// Samples per pixel.
    pub(crate) fn channels(&self) -> u8 {
        match self.color_type {
            2 => 3,
            4 => 2,
            6 => 4,
            _ => 1,
        }
    }

    /// Whether PDF can show the IDAT data as it is (FlateDecode, predictor 15): 8-bit grey
    /// or RGB without alpha, transparent colour, palette or interlacing.
    pub(crate) fn pdf_ready(&self) -> bool {
        self.bit_depth == 8
            && matches!(self.color_type, 0 | 2)
            && !self.interlaced
            && !self.transparency
    }

    /// The compressed image data as one zlib stream.
    pub(crate) fn data(&self) -> Vec<u8> {
        self.idat.concat()
    }
}

/// Reads the chunk structure: signature, IHDR first and valid, PLTE where the colour type
/// needs one, consecutive IDATs starting with a zlib header, IEND last, every CRC right and
/// no unknown critical chunk.
pub(crate) fn parse(bytes: &[u8]) -> Result<Png<'_>, String> {
    let rest = bytes
        .strip_prefix(SIGNATURE)
        .ok_or("the PNG signature is missing")?;
    let mut chunks = Chunks { rest };
    let (kind, ihdr) = chunks.next_chunk()?.ok_or("no IHDR chunk")?;
    if &kind != b"IHDR" || ihdr.len() != 13 {
        return Err("the first chunk is not a 13-byte IHDR".into());
    }
    let width = be32(&ihdr[0..4]);
    let height = be32(&ihdr[4..8]);
    let (bit_depth, color_type) = (ihdr[8], ihdr[9]);
    if width == 0 || height == 0 || width > MAX_CHUNK || height > MAX_CHUNK {
        return Err(format!("impossible size {width}×{height}"));
    }
    let depth_ok = match color_type {
        0 => matches!(bit_depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(bit_depth, 1 | 2 | 4 | 8),
        2 | 4 | 6 => matches!(bit_depth, 8 | 16),
        _ => false,
    };
    if !depth_ok {
        return Err(format!(
            "invalid colour type {color_type} with bit depth {bit_depth}"
        ));
    }
    if ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1 {
        return Err("unknown compression, filter or interlace method".into());
    }
    let mut png = Png {
        width,
        height,
        bit_depth,
        color_type,
        interlaced: ihdr[12] == 1,
        transparency: false,
        idat: Vec::new(),
    };
    let mut palette = false;
    let mut idat_done = false;
    loop {
        let (kind, data) = chunks
            .next_chunk()?
            .ok_or("the file ends before the IEND chunk")?;
        match &kind {
            b"IEND" => break,
            b"IDAT" => {
                if idat_done {
                    return Err("IDAT chunks are not consecutive".into());
                }
                if color_type == 3 && !palette {
                    return Err("a palette image without a PLTE chunk".into());
                }
                png.idat.push(data);
            }
            b"PLTE" => {
                if !png.idat.is_empty() || palette {
                    return Err("a misplaced PLTE chunk".into());
                }
                if matches!(color_type, 0 | 4) || data.is_empty() || data.len() % 3 != 0 {
                    return Err("an invalid PLTE chunk".into());
                }
                palette = true;
            }
            b"tRNS" => png.transparency = true,
            b"IHDR" => return Err("a second IHDR chunk".into()),
            _ if kind[0].is_ascii_uppercase() => {
                return Err(format!(
                    "unknown critical chunk {}",
                    String::from_utf8_lossy(&kind)
                ));
            }
            _ => {}
        }
        if !png.idat.is_empty() && &kind != b"IDAT" {
            idat_done = true;
        }
    }
    if png.idat.is_empty() {
        return Err("no image data (IDAT)".into());
    }
    // zlib header (RFC 1950): deflate, a check value, no preset dictionary.
    let head: Vec<u8> = png
        .idat
        .iter()
        .flat_map(|d| d.iter())
        .take(2)
        .copied()
        .collect();
    if head.len() < 2
        || head[0] & 0x0f != 8
        || head[0] >> 4 > 7
        || (u16::from(head[0]) << 8 | u16::from(head[1])) % 31 != 0
        || head[1] & 0x20 != 0
    {
        return Err("the image data is not a zlib stream".into());
    }
    Ok(png)
}

struct Chunks<'a> {
    rest: &'a [u8],
}

/// A chunk's type and data.
type Chunk<'a> = ([u8; 4], &'a [u8]);

impl<'a> Chunks<'a> {
    /// The next chunk's type and data, CRC checked; `None` at the end of the bytes.
    fn next_chunk(&mut self) -> Result<Option<Chunk<'a>>, String> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        if self.rest.len() < 12 {
            return Err("the file ends inside a chunk".into());
        }
        let len = be32(&self.rest[0..4]);
        if len > MAX_CHUNK {
            return Err("a chunk length is out of range".into());
        }
        let len = len as usize;
        let kind: [u8; 4] = [self.rest[4], self.rest[5], self.rest[6], self.rest[7]];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err("a chunk type is not four letters".into());
        }
        let Some(end) = len.checked_add(12).filter(|&e| e <= self.rest.len()) else {
            return Err(format!(
                "the file ends inside the {} chunk (truncated)",
                String::from_utf8_lossy(&kind)
            ));
        };
        let crc = be32(&self.rest[8 + len..end]);
        if crc32(&self.rest[4..8 + len]) != crc {
            return Err(format!(
                "the {} chunk's CRC does not match (the file is damaged)",
                String::from_utf8_lossy(&kind)
            ));
        }
        let data = &self.rest[8..8 + len];
        self.rest = &self.rest[end..];
        Ok(Some((kind, data)))
    }
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// CRC-32 as PNG uses it (ISO 3309); crc32fast is already in the tree through flate2.
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        out
    }

    fn rgb_png(idat: &[&[u8]]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        let mut ihdr = 3u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&2u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        out.extend(chunk(b"IHDR", &ihdr));
        out.extend(chunk(b"tEXt", b"Comment\0made by hand"));
        for d in idat {
            out.extend(chunk(b"IDAT", d));
        }
        out.extend(chunk(b"IEND", b""));
        out
    }

    #[test]
    fn crc_matches_the_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn reads_header_and_joins_idat() {
        let bytes = rgb_png(&[&[0x78, 0x9c, 1], &[2, 3]]);
        let png = parse(&bytes).expect("well formed");
        assert_eq!((png.width, png.height, png.channels()), (3, 2, 3));
        assert!(png.pdf_ready());
        assert_eq!(png.data(), vec![0x78, 0x9c, 1, 2, 3]);
    }

    #[test]
    fn a_transparent_colour_needs_decoding() {
        let plain = rgb_png(&[&[0x78, 0x9c, 1]]);
        // tRNS goes before the first IDAT: after IHDR and the tEXt chunk.
        let at = plain.len() - 12 - 15;
        let mut keyed = plain[..at].to_vec();
        keyed.extend(chunk(b"tRNS", &[0, 0, 0, 0, 0, 0]));
        keyed.extend_from_slice(&plain[at..]);
        let png = parse(&keyed).expect("well formed");
        assert!(png.transparency && !png.pdf_ready());
    }

    #[test]
    fn refuses_damage() {
        let good = rgb_png(&[&[0x78, 0x9c, 1, 2, 3]]);
        // Truncated anywhere after the signature.
        for cut in [9, 20, 33, good.len() - 1] {
            assert!(parse(&good[..cut]).is_err(), "cut at {cut}");
        }
        // One flipped bit in the image data.
        let mut flipped = good.clone();
        let at = good.len() - 16;
        flipped[at] ^= 1;
        assert!(parse(&flipped).unwrap_err().contains("CRC"));
        // Text, and image data that is not zlib.
        assert!(parse(b"not a png at all").is_err());
        assert!(parse(&rgb_png(&[b"hello"])).unwrap_err().contains("zlib"));
    }

    #[test]
    fn real_diagram_is_ready_for_pdf() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/acme-forecast/diagrams/architecture.png"
        ))
        .expect("sample diagram");
        let png = parse(&bytes).expect("sample is well formed");
        assert_eq!((png.width, png.height), (2221, 2571));
        assert!(png.pdf_ready());
    }
}
