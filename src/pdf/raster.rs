//! Raster images → PDF image XObjects, losslessly: PNG or JPEG bytes (already held to the
//! pixel caps by `bundle`) in, an image XObject whose samples are the decoded pixels out.
//! Promises bounded memory and time: a PNG that PDF cannot read as it is gets decoded row by
//! row, and each row is filtered and deflated at once, so beside the compressed result only
//! a few rows are held (an interlaced PNG needs one 8-bit copy of the image to put its
//! passes together). The same bytes always give the same XObject.
//!
//! The module is not called `image` so that it does not shadow the `image` crate.

use std::io::Write;

use lopdf::{Dictionary, Object, Stream};

/// An image XObject: its stream (compressed already) and, for an image with transparency,
/// the soft mask the caller adds as an object of its own and names under `/SMask`.
pub(super) struct Image {
    pub stream: Stream,
    pub smask: Option<Stream>,
}

/// A name object.
fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// A stream whose content is compressed already: the writer must leave it as it is.
fn compressed(dict: Dictionary, content: Vec<u8>) -> Stream {
    let mut stream = Stream::new(dict, content);
    stream.allows_compression = false;
    stream
}

/// An image XObject dictionary with 8 bits per component.
fn image_dict(width: u32, height: u32, space: Object, filter: &str) -> Dictionary {
    Dictionary::from_iter(vec![
        ("Type", name("XObject")),
        ("Subtype", name("Image")),
        ("Width", Object::Integer(width.into())),
        ("Height", Object::Integer(height.into())),
        ("ColorSpace", space),
        ("BitsPerComponent", Object::Integer(8)),
        ("Filter", name(filter)),
    ])
}

/// `/DecodeParms` for PNG-predicted rows of 8-bit samples.
fn png_parms(colors: usize, columns: u32) -> Object {
    Object::Dictionary(Dictionary::from_iter(vec![
        ("Predictor", Object::Integer(15)),
        ("Colors", Object::Integer(colors as i64)),
        ("BitsPerComponent", Object::Integer(8)),
        ("Columns", Object::Integer(columns.into())),
    ]))
}

/// The image as a PDF image XObject: passed through when PDF reads its encoding, else
/// decoded and re-encoded losslessly. Errors name what is wrong with the file.
pub(super) fn xobject(bytes: &[u8]) -> Result<Image, String> {
    if let Some(x) = passthrough(bytes) {
        return Ok(x);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        decode_png(bytes)
    } else {
        decode_other(bytes)
    }
}

/// Uncompressed sample bytes above which an image is deflated at [`FAST`] instead of
/// [`super::util::COMPRESSION`]: a screen-sized diagram still gets the smaller file, while a
/// photograph-sized one (or noise) does not spend seconds for a few per cent.
const BIG: usize = 4 << 20;
/// zlib level for big images. Measured on a 23-megapixel RGBA diagram it is as fast as 1 and
/// within 5 % of level 6's size; level 1 (zlib-rs' quick strategy, fixed Huffman codes) made
/// that diagram 2.3 times and a 25-megapixel noise image 1.4 times larger.
const FAST: u32 = 2;

/// Colour space of the main image.
enum Space {
    Gray,
    Rgb,
    /// Palette indices; the lookup table is RGB triples, padded to the largest index the bit
    /// depth can hold so that no sample is out of range.
    Indexed(Vec<u8>),
}

impl Space {
    fn channels(&self) -> usize {
        match self {
            Space::Rgb => 3,
            Space::Gray | Space::Indexed(_) => 1,
        }
    }

    fn to_object(&self) -> Object {
        match self {
            Space::Gray => name("DeviceGray"),
            Space::Rgb => name("DeviceRGB"),
            Space::Indexed(lookup) => Object::Array(vec![
                name("Indexed"),
                name("DeviceRGB"),
                Object::Integer((lookup.len() / 3) as i64 - 1),
                Object::String(lookup.clone(), lopdf::StringFormat::Hexadecimal),
            ]),
        }
    }
}

/// One image plane (colour or alpha) being compressed: each row gets the PNG filter that
/// makes it smallest by the usual estimate (PDF's `/Predictor 15` lets every row choose)
/// and goes straight into the deflater.
struct Plane {
    /// Bytes per pixel, 1 or 3.
    bpp: usize,
    prev: Vec<u8>,
    line: Vec<u8>,
    out: flate2::write::ZlibEncoder<Vec<u8>>,
}

impl Plane {
    fn new(width: usize, bpp: usize, level: u32) -> Plane {
        Plane {
            bpp,
            prev: vec![0; width * bpp],
            line: Vec::with_capacity(width * bpp + 1),
            out: flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level)),
        }
    }

    fn push(&mut self, row: &[u8]) -> Result<(), String> {
        let (bpp, prev) = (self.bpp, &self.prev);
        debug_assert_eq!(row.len(), prev.len());
        // The filter whose output has the fewest bits by its byte histogram (order-0
        // entropy). The usual minimum-sum-of-differences estimate picks filters that double
        // the size of noisy images; the histogram costs about as little.
        // Byte i, and its left (a), upper (b) and upper-left (c) neighbours.
        let around = |i: usize| {
            let (a, c) = if i >= bpp {
                (row[i - bpp], prev[i - bpp])
            } else {
                (0, 0)
            };
            (row[i], a, prev[i], c)
        };
        let mut hist = [[0u32; 256]; 5];
        for i in 0..row.len() {
            let (x, a, b, c) = around(i);
            hist[0][usize::from(x)] += 1;
            hist[1][usize::from(x.wrapping_sub(a))] += 1;
            hist[2][usize::from(x.wrapping_sub(b))] += 1;
            hist[3][usize::from(x.wrapping_sub(((u16::from(a) + u16::from(b)) / 2) as u8))] += 1;
            hist[4][usize::from(x.wrapping_sub(paeth(a, b, c)))] += 1;
        }
        // Entropy is n·log n − Σ c·log c for the same n: the most Σ c·log c wins. The first
        // best on ties, and integer arithmetic, so the choice is the same everywhere.
        let score = |h: &[u32; 256]| -> u64 {
            h.iter()
                .filter(|&&c| c > 1)
                .map(|&c| u64::from(c) * log2_fixed(c))
                .sum()
        };
        let mut filter = 0;
        let mut best = score(&hist[0]);
        for (k, h) in hist.iter().enumerate().skip(1) {
            let s = score(h);
            if s > best {
                (filter, best) = (k, s);
            }
        }
        self.line.clear();
        self.line.push(filter as u8);
        for i in 0..row.len() {
            let (x, a, b, c) = around(i);
            let p = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                _ => paeth(a, b, c),
            };
            self.line.push(x.wrapping_sub(p));
        }
        self.prev.copy_from_slice(row);
        self.out.write_all(&self.line).map_err(|e| e.to_string())
    }

    fn finish(self) -> Result<Vec<u8>, String> {
        self.out.finish().map_err(|e| e.to_string())
    }
}

/// log2(c) in fixed point with 8 fractional bits: the integer part from the highest set bit,
/// the fraction interpolated linearly from the bits below it (close enough to rank filters).
fn log2_fixed(c: u32) -> u64 {
    let whole = c.ilog2();
    let frac = if whole >= 8 {
        (c >> (whole - 8)) & 0xff
    } else {
        (c << (8 - whole)) & 0xff
    };
    u64::from(whole << 8 | frac)
}

/// The PNG Paeth predictor.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (ia, ib, ic) = (i16::from(a), i16::from(b), i16::from(c));
    let p = ia + ib - ic;
    let (pa, pb, pc) = ((p - ia).abs(), (p - ib).abs(), (p - ic).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// An image being written: the colour plane and, while any pixel might be transparent, the
/// alpha plane.
struct Writer {
    width: usize,
    height: usize,
    space: Space,
    colour: Plane,
    alpha: Option<Plane>,
    /// Every alpha value so far was 255: the soft mask can be left out.
    opaque: bool,
}

impl Writer {
    fn new(width: u32, height: u32, space: Space, has_alpha: bool) -> Writer {
        let (width, height) = (width as usize, height as usize);
        let channels = space.channels();
        let level = if width * height * (channels + usize::from(has_alpha)) > BIG {
            FAST
        } else {
            super::util::COMPRESSION
        };
        Writer {
            width,
            height,
            colour: Plane::new(width, channels, level),
            alpha: has_alpha.then(|| Plane::new(width, 1, level)),
            space,
            opaque: true,
        }
    }

    fn push(&mut self, colour: &[u8], alpha: &[u8]) -> Result<(), String> {
        self.colour.push(colour)?;
        if let Some(plane) = &mut self.alpha {
            self.opaque &= alpha.iter().all(|&a| a == 255);
            plane.push(alpha)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Image, String> {
        let (width, height) = (self.width as u32, self.height as u32);
        let dict = |space: Object, colors: usize| {
            let mut d = image_dict(width, height, space, "FlateDecode");
            d.set("DecodeParms", png_parms(colors, width));
            d
        };
        let smask = match self.alpha.filter(|_| !self.opaque) {
            Some(plane) => Some(compressed(dict(name("DeviceGray"), 1), plane.finish()?)),
            None => None,
        };
        Ok(Image {
            stream: compressed(
                dict(self.space.to_object(), self.space.channels()),
                self.colour.finish()?,
            ),
            smask,
        })
    }
}

/// How a decoded PNG row is laid out.
#[derive(Clone, Copy)]
enum Samples {
    /// Grey or RGB with or without alpha, 8 or 16 bits per sample.
    Direct {
        colour: usize,
        alpha: bool,
        wide: bool,
    },
    /// Packed palette indices of this many bits.
    Index(u8),
}

/// Splits decoded rows into colour and alpha rows of 8-bit samples.
struct Splitter {
    samples: Samples,
    /// Palette alpha by index (tRNS), when the palette has any.
    index_alpha: Option<[u8; 256]>,
    colour: Vec<u8>,
    alpha: Vec<u8>,
}

impl Splitter {
    /// Fills `colour` and `alpha` from one decoded row of at most `width` pixels (a row of
    /// packed indices may end in padding bits, which are dropped).
    fn split(&mut self, row: &[u8], width: usize) {
        self.colour.clear();
        self.alpha.clear();
        match self.samples {
            Samples::Direct {
                colour,
                alpha,
                wide,
            } => {
                let per_pixel = (colour + usize::from(alpha)) * if wide { 2 } else { 1 };
                for px in row.chunks_exact(per_pixel) {
                    if wide {
                        // 16-bit samples become 8-bit, rounded (as the `image` crate does):
                        // viewers show 8 bits per sample anyway, and it halves the file.
                        let mut s = px.chunks_exact(2).map(|v| {
                            ((u32::from(u16::from_be_bytes([v[0], v[1]])) + 128) / 257) as u8
                        });
                        self.colour.extend(s.by_ref().take(colour));
                        self.alpha.extend(s);
                    } else {
                        self.colour.extend_from_slice(&px[..colour]);
                        self.alpha.extend_from_slice(&px[colour..]);
                    }
                }
            }
            Samples::Index(depth) => {
                let per_byte = 8 / usize::from(depth);
                let mask = ((1u16 << depth) - 1) as u8;
                for &byte in row {
                    for k in 0..per_byte {
                        let shift = 8 - usize::from(depth) * (k + 1);
                        self.colour.push((byte >> shift) & mask);
                    }
                }
                self.colour.truncate(width);
                if let Some(table) = &self.index_alpha {
                    self.alpha
                        .extend(self.colour.iter().map(|&i| table[usize::from(i)]));
                }
            }
        }
    }
}

/// Decodes a PNG row by row (only interlaced ones as a whole) into a [`Writer`].
fn decode_png(bytes: &[u8]) -> Result<Image, String> {
    use png::{BitDepth, ColorType, Transformations};

    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let header = decoder.read_header_info().map_err(|e| e.to_string())?;
    let indexed = header.color_type == ColorType::Indexed;
    // Palette images stay indices (PDF's /Indexed: a third of the samples of RGB); the rest
    // are expanded to 8 or 16 bits per sample with tRNS as an alpha channel.
    decoder.set_transformations(if indexed {
        Transformations::IDENTITY
    } else {
        Transformations::EXPAND
    });
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let info = reader.info();
    let (width, height, interlaced) = (info.width, info.height, info.interlaced);
    let (space, samples, index_alpha) = if indexed {
        let palette = info
            .palette
            .as_deref()
            .ok_or("a palette PNG without PLTE")?;
        let depth = info.bit_depth as u8;
        // Indices past the palette show black, as in the `png` crate.
        let mut lookup = vec![0; 3 << depth];
        let n = palette.len().min(lookup.len());
        lookup[..n].copy_from_slice(&palette[..n]);
        // A tRNS longer than the palette is ignored, as in the `png` crate.
        let index_alpha = info
            .trns
            .as_deref()
            .filter(|t| t.len() <= palette.len() / 3)
            .map(|t| {
                let mut table = [255; 256];
                table[..t.len()].copy_from_slice(t);
                table
            });
        (Space::Indexed(lookup), Samples::Index(depth), index_alpha)
    } else {
        let (colour_type, depth) = reader.output_color_type();
        let (space, colour, alpha) = match colour_type {
            ColorType::Grayscale => (Space::Gray, 1, false),
            ColorType::GrayscaleAlpha => (Space::Gray, 1, true),
            ColorType::Rgb => (Space::Rgb, 3, false),
            ColorType::Rgba => (Space::Rgb, 3, true),
            ColorType::Indexed => return Err("palette left after expansion".into()),
        };
        let wide = depth == BitDepth::Sixteen;
        let samples = Samples::Direct {
            colour,
            alpha,
            wide,
        };
        (space, samples, None)
    };
    let has_alpha = index_alpha.is_some() || matches!(samples, Samples::Direct { alpha: true, .. });
    let channels = space.channels();
    let mut writer = Writer::new(width, height, space, has_alpha);
    let mut split = Splitter {
        samples,
        index_alpha,
        colour: Vec::new(),
        alpha: Vec::new(),
    };
    let w = width as usize;
    let err = |e: png::DecodingError| e.to_string();
    if !interlaced {
        let mut rows = 0;
        while let Some(row) = reader.next_row().map_err(err)? {
            split.split(row.data(), w);
            if split.colour.len() != w * channels {
                return Err("a row of the wrong length".into());
            }
            writer.push(&split.colour, &split.alpha)?;
            rows += 1;
        }
        if rows != height {
            return Err("image data ends early".into());
        }
        return writer.finish();
    }
    // Adam7 passes fill the image in seven sweeps: put them together in 8-bit planes.
    let h = height as usize;
    let mut colour = vec![0u8; w * h * channels];
    let mut alpha = vec![0u8; if has_alpha { w * h } else { 0 }];
    while let Some(row) = reader.next_interlaced_row().map_err(err)? {
        let png::InterlaceInfo::Adam7(pass) = *row.interlace() else {
            return Err("an interlaced PNG with a non-interlaced row".into());
        };
        split.split(row.data(), w);
        png::expand_interlaced_row(
            &mut colour,
            w * channels,
            &split.colour,
            &pass,
            (8 * channels) as u8,
        );
        if has_alpha {
            png::expand_interlaced_row(&mut alpha, w, &split.alpha, &pass, 8);
        }
    }
    for (y, row) in colour.chunks_exact(w * channels).enumerate() {
        let a = alpha.get(y * w..(y + 1) * w).unwrap_or(&[]);
        writer.push(row, a)?;
    }
    writer.finish()
}

/// Any other image PDF cannot take as it is (a CMYK, 12-bit, lossless or arithmetic-coded
/// JPEG): decoded whole by the `image` crate, as grey or RGB (JPEG has no alpha).
fn decode_other(bytes: &[u8]) -> Result<Image, String> {
    let img = ::image::load_from_memory(bytes).map_err(|e| e.to_string())?;
    let (width, height) = (img.width(), img.height());
    let (space, samples) = if img.color().has_color() {
        (Space::Rgb, img.into_rgb8().into_raw())
    } else {
        (Space::Gray, img.into_luma8().into_raw())
    };
    let stride = width as usize * space.channels();
    let mut writer = Writer::new(width, height, space, false);
    for row in samples.chunks_exact(stride) {
        writer.push(row, &[])?;
    }
    writer.finish()
}

/// The image as a PDF image XObject without decoding it, when its encoding is one PDF reads.
fn passthrough(bytes: &[u8]) -> Option<Image> {
    let (width, height, colors, filter, data, parms) = if let Some(png) = crate::png::parse(bytes)
        .ok()
        .filter(crate::png::Png::pdf_ready)
    {
        let colors = png.channels();
        let parms = png_parms(colors.into(), png.width);
        (
            png.width,
            png.height,
            colors,
            "FlateDecode",
            png.data(),
            Some(parms),
        )
    } else {
        let (width, height, colors) = jpeg_frame(bytes)?;
        (width, height, colors, "DCTDecode", bytes.to_vec(), None)
    };
    let space = name(if colors == 1 {
        "DeviceGray"
    } else {
        "DeviceRGB"
    });
    let mut dict = image_dict(width, height, space, filter);
    if let Some(parms) = parms {
        dict.set("DecodeParms", parms);
    }
    Some(Image {
        stream: compressed(dict, data),
        smask: None,
    })
}

/// Width, height and components of an 8-bit grey or YCbCr/RGB JPEG, from its frame header;
/// `None` for anything DCTDecode might show wrongly (CMYK, 12-bit) or a malformed file.
fn jpeg_frame(bytes: &[u8]) -> Option<(u32, u32, u8)> {
    let mut at = 2;
    if bytes.get(0..2)? != [0xff, 0xd8] {
        return None;
    }
    loop {
        if *bytes.get(at)? != 0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xff {
            at += 1; // fill byte
            continue;
        }
        if matches!(marker, 0x01 | 0xd0..=0xd7) {
            at += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let seg = bytes.get(at + 4..at + 2 + len)?;
        match marker {
            0xc0..=0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf => {
                let (precision, comps) = (*seg.first()?, *seg.get(5)?);
                let height = u16::from_be_bytes([*seg.get(1)?, *seg.get(2)?]);
                let width = u16::from_be_bytes([*seg.get(3)?, *seg.get(4)?]);
                // Arithmetic coding (C9–CF) and lossless (C3, C7, CB, CF) are rare and not
                // read by every viewer.
                let common = matches!(marker, 0xc0..=0xc2);
                return (common
                    && precision == 8
                    && matches!(comps, 1 | 3)
                    && width > 0
                    && height > 0)
                    .then_some((width.into(), height.into(), comps));
            }
            0xd9 | 0xda => return None,
            _ => at += 2 + len,
        }
    }
}

/// The hand-made PNG writer the integration tests use too.
#[cfg(test)]
#[path = "../../tests/common/hand_png.rs"]
mod hand_png;

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    use super::hand_png::Png as Spec;

    fn channels(color_type: u8) -> usize {
        match color_type {
            2 => 3,
            4 => 2,
            6 => 4,
            _ => 1,
        }
    }

    /// Pseudo-random samples (noise with some flat runs), the same on every run.
    fn samples(spec: &Spec) -> Vec<Vec<u16>> {
        let n = channels(spec.color_type);
        let max = if spec.color_type == 3 {
            (spec.plte.as_ref().map_or(1, |p| p.len() / 3) - 1) as u32
        } else {
            (1u32 << spec.depth) - 1
        };
        let mut state = 0x2545_f491_u32;
        (0..spec.width * spec.height)
            .map(|i| {
                (0..n)
                    .map(|c| {
                        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                        // Every fourth pixel flat, so the filters have something to find.
                        let v = if i % 4 == 0 { c as u32 * 7 } else { state >> 8 };
                        (v % (max + 1)) as u16
                    })
                    .collect()
            })
            .collect()
    }

    fn encode(spec: &Spec, pixels: &[Vec<u16>]) -> Vec<u8> {
        let w = spec.width as usize;
        spec.encode(|x, y| pixels[y as usize * w + x as usize].clone())
    }

    /// Inflates a stream and undoes the PNG predictors: the samples a viewer sees.
    fn unpredict(stream: &Stream, width: usize, colors: usize) -> Vec<u8> {
        let dict = &stream.dict;
        assert_eq!(dict.get(b"Filter").ok(), Some(&name("FlateDecode")));
        assert_eq!(
            dict.get(b"BitsPerComponent").ok(),
            Some(&Object::Integer(8))
        );
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&stream.content[..])
            .read_to_end(&mut raw)
            .expect("inflate");
        let stride = width * colors;
        let mut out: Vec<u8> = Vec::new();
        let mut prev = vec![0u8; stride];
        for line in raw.chunks_exact(stride + 1) {
            let mut row = line[1..].to_vec();
            for i in 0..stride {
                let a = if i >= colors { row[i - colors] } else { 0 };
                let c = if i >= colors { prev[i - colors] } else { 0 };
                let b = prev[i];
                let p = match line[0] {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                    4 => paeth(a, b, c),
                    f => panic!("filter {f}"),
                };
                row[i] = row[i].wrapping_add(p);
            }
            out.extend(&row);
            prev = row;
        }
        out
    }

    /// RGBA pixels of an XObject as a viewer composes them, and whether it has a soft mask.
    fn pixels_of(x: &Image) -> (Vec<u8>, bool) {
        let dict = &x.stream.dict;
        let int = |k: &str| match dict.get(k.as_bytes()) {
            Ok(Object::Integer(v)) => *v as usize,
            other => panic!("{k}: {other:?}"),
        };
        let (w, h) = (int("Width"), int("Height"));
        let colour: Vec<[u8; 3]> = match dict.get(b"ColorSpace") {
            Ok(Object::Name(n)) if n == b"DeviceRGB" => unpredict(&x.stream, w, 3)
                .chunks_exact(3)
                .map(|p| [p[0], p[1], p[2]])
                .collect(),
            Ok(Object::Name(n)) if n == b"DeviceGray" => unpredict(&x.stream, w, 1)
                .iter()
                .map(|&g| [g, g, g])
                .collect(),
            Ok(Object::Array(a)) => {
                let (Object::Integer(hival), Object::String(data, _)) = (&a[2], &a[3]) else {
                    panic!("{a:?}")
                };
                assert_eq!(data.len(), (*hival as usize + 1) * 3);
                unpredict(&x.stream, w, 1)
                    .iter()
                    .map(|&i| {
                        let k = usize::from(i) * 3;
                        [data[k], data[k + 1], data[k + 2]]
                    })
                    .collect()
            }
            other => panic!("colour space {other:?}"),
        };
        assert_eq!(colour.len(), w * h);
        let alpha = x.smask.as_ref().map(|mask| {
            assert_eq!(mask.dict.get(b"ColorSpace").ok(), Some(&name("DeviceGray")));
            unpredict(mask, w, 1)
        });
        let rgba = colour
            .iter()
            .enumerate()
            .flat_map(|(i, c)| [c[0], c[1], c[2], alpha.as_ref().map_or(255, |a| a[i])])
            .collect();
        (rgba, alpha.is_some())
    }

    /// Embeds the PNG and checks that the PDF shows exactly what the `image` crate decodes
    /// (16-bit samples rounded to 8), and that embedding twice gives the same XObject.
    fn round_trip(spec: &Spec) -> (Image, bool) {
        let png = encode(spec, &samples(spec));
        let expected = ::image::load_from_memory(&png).expect("decodes").to_rgba8();
        let x = xobject(&png).expect("embeds");
        let (got, masked) = pixels_of(&x);
        assert!(got == expected.as_raw()[..], "pixels differ");
        let again = xobject(&png).expect("embeds");
        assert!(
            x.stream == again.stream && x.smask == again.smask,
            "not deterministic"
        );
        (x, masked)
    }

    fn spec(width: u32, height: u32, color_type: u8, depth: u8) -> Spec {
        Spec {
            width,
            height,
            color_type,
            depth,
            plte: None,
            trns: None,
            interlaced: false,
        }
    }

    #[test]
    fn rgba_with_partial_transparency_gets_a_soft_mask() {
        let (x, masked) = round_trip(&spec(37, 23, 6, 8));
        assert!(masked);
        assert_eq!(
            x.stream.dict.get(b"ColorSpace").ok(),
            Some(&name("DeviceRGB"))
        );
    }

    #[test]
    fn opaque_alpha_leaves_the_soft_mask_out() {
        let s = spec(20, 9, 6, 8);
        let mut pixels = samples(&s);
        for p in &mut pixels {
            p[3] = 255;
        }
        let png = encode(&s, &pixels);
        let x = xobject(&png).expect("embeds");
        let (got, masked) = pixels_of(&x);
        assert!(!masked);
        assert_eq!(
            got,
            ::image::load_from_memory(&png)
                .expect("decodes")
                .to_rgba8()
                .into_raw()
        );
    }

    #[test]
    fn palettes_become_indexed_colour_with_trns_as_soft_mask() {
        for depth in [1u8, 2, 4, 8] {
            let colours = (1usize << depth).min(40);
            let plte: Vec<u8> = (0..colours * 3).map(|i| (i * 37 % 256) as u8).collect();
            for trns in [None, Some(vec![0u8, 128])] {
                let mut s = spec(29, 11, 3, depth);
                s.plte = Some(plte.clone());
                s.trns = trns.clone();
                let (x, masked) = round_trip(&s);
                assert_eq!(masked, trns.is_some(), "depth {depth}");
                assert!(
                    matches!(x.stream.dict.get(b"ColorSpace"), Ok(Object::Array(_))),
                    "depth {depth}"
                );
            }
        }
    }

    #[test]
    fn sixteen_bit_samples_are_rounded_to_eight() {
        for color_type in [0u8, 2, 4, 6] {
            let (_, masked) = round_trip(&spec(17, 13, color_type, 16));
            assert_eq!(masked, color_type >= 4);
        }
    }

    #[test]
    fn interlaced_images_are_put_together() {
        for (w, h) in [(1, 1), (3, 5), (13, 7), (33, 17)] {
            for (color_type, depth) in [(2u8, 8u8), (6, 8), (0, 1), (4, 16), (3, 2)] {
                let mut s = spec(w, h, color_type, depth);
                s.interlaced = true;
                if color_type == 3 {
                    s.plte = Some(vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
                    s.trns = Some(vec![40]);
                }
                round_trip(&s);
            }
        }
    }

    #[test]
    fn low_bit_grey_is_scaled_to_eight_bits() {
        for depth in [1u8, 2, 4] {
            let (x, masked) = round_trip(&spec(21, 6, 0, depth));
            assert!(!masked);
            assert_eq!(
                x.stream.dict.get(b"ColorSpace").ok(),
                Some(&name("DeviceGray"))
            );
        }
    }

    #[test]
    fn a_trns_colour_key_becomes_a_soft_mask() {
        let mut s = spec(16, 16, 2, 8);
        // The flat pixels are (0, 7, 14): make them transparent.
        s.trns = Some(vec![0, 0, 0, 7, 0, 14]);
        let (_, masked) = round_trip(&s);
        assert!(masked);
        let mut s = spec(16, 16, 0, 8);
        s.trns = Some(vec![0, 0]);
        let (_, masked) = round_trip(&s);
        assert!(masked);
    }

    #[test]
    fn broken_data_is_an_error() {
        let png = encode(&spec(30, 30, 6, 8), &samples(&spec(30, 30, 6, 8)));
        // Cut inside the image data, fixing nothing: the decoder must notice.
        let cut = &png[..png.len() / 2];
        assert!(xobject(cut).is_err());
        assert!(xobject(b"not an image").is_err());
    }
}
