//! Small object builders that every part of the PDF writer needs — deflating at the chosen
//! level, PDF dates, text strings — kept in a leaf module so that `draw`, `attach` and
//! `raster` all import from here and never from each other.

use lopdf::{Document, Object, StringFormat};

/// zlib level for content streams and fonts. lopdf's `compress` uses 9, which spent most of
/// the PDF time in deflate for a file only a few per cent smaller. On the sample packet's
/// streams (zlib-rs) level 4 takes 74 % of level 6's time for 3.7 % more deflated bytes
/// (2.9 KB, 0.35 % of the file); level 3 takes 61 % for 7 % more, level 1 24 % for 59 %.
pub(super) const COMPRESSION: u32 = 4;

/// zlib-compresses `data` at [`COMPRESSION`].
pub(super) fn deflate(data: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(data.len() / 3),
        flate2::Compression::new(COMPRESSION),
    );
    encoder.write_all(data)?;
    encoder.finish()
}

/// Re-encodes, with an ASCII85 filter in front of any it has, every stream in `doc` whose
/// data ends in a carriage return. The writer puts a line feed before `endstream`, and a
/// reader (or a PDF/A validator, ISO 19005-3 6.1.7.1) takes that CR LF for the end-of-line
/// marker, one byte short of `/Length`. Deflated data ends in its Adler-32 checksum, so
/// about one stream in 256 is affected whatever the level; ASCII85 data ends in `~>`, and
/// costs a quarter more for that one stream.
pub(super) fn end_streams_cleanly(doc: &mut Document) {
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.content.last() != Some(&b'\r') {
            continue;
        }
        let a85 = Object::Name(b"ASCII85Decode".to_vec());
        let filters = match stream.dict.get(b"Filter").ok().cloned() {
            None => a85,
            Some(Object::Array(mut list)) => {
                list.insert(0, a85);
                Object::Array(list)
            }
            Some(one) => Object::Array(vec![a85, one]),
        };
        if let Ok(params) = stream.dict.get(b"DecodeParms").cloned() {
            let params = match params {
                Object::Array(mut list) => {
                    list.insert(0, Object::Null);
                    Object::Array(list)
                }
                one => Object::Array(vec![Object::Null, one]),
            };
            stream.dict.set("DecodeParms", params);
        }
        stream.dict.set("Filter", filters);
        let encoded = ascii85(&stream.content);
        stream.set_content(encoded);
        stream.allows_compression = false;
    }
}

/// ASCII base-85 (ISO 32000-1, 7.4.3), ending in the `~>` marker.
fn ascii85(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 4 * 5 + 8);
    for chunk in data.chunks(4) {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        let mut n = u32::from_be_bytes(word);
        if chunk.len() == 4 && n == 0 {
            out.push(b'z');
            continue;
        }
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = (n % 85) as u8 + b'!';
            n /= 85;
        }
        out.extend_from_slice(&digits[..chunk.len() + 1]);
    }
    out.extend_from_slice(b"~>");
    out
}

/// A PDF text string: ASCII as is, anything else as UTF-16BE with a byte-order mark.
pub(super) fn text_string(s: &str) -> Object {
    if s.is_ascii() {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xfe, 0xff];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

/// A PDF text string as Rust text: UTF-16BE after a byte-order mark, else UTF-8, else byte by
/// byte (PDFDocEncoding agrees with Latin-1 for letters).
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8(bytes.to_vec())
        .unwrap_or_else(|_| bytes.iter().map(|&b| char::from(b)).collect())
}

/// `YYYY-MM-DD` → `D:YYYYMMDD000000Z`; anything else was rejected by `render`.
pub(super) fn pdf_date(date: &str) -> String {
    format!("D:{}000000Z", date.replace('-', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_are_ascii_or_utf16_with_a_byte_order_mark() {
        assert_eq!(
            text_string("Acme"),
            Object::String(b"Acme".to_vec(), StringFormat::Literal)
        );
        assert_eq!(
            text_string("Nörd"),
            Object::String(
                vec![0xfe, 0xff, 0, b'N', 0, 0xf6, 0, b'r', 0, b'd'],
                StringFormat::Hexadecimal
            )
        );
    }

    #[test]
    fn text_strings_decode_to_what_was_encoded_and_other_bytes_as_latin_1() {
        for s in ["Acme", "Nörd", "Meridian’s 🙂"] {
            let Object::String(bytes, _) = text_string(s) else {
                panic!("a string object");
            };
            assert_eq!(decode_text(&bytes), s);
        }
        assert_eq!(decode_text(b"Caf\xe9"), "Café");
        assert_eq!(decode_text(&[0xfe, 0xff, 0, b'N', 0]), "N\u{0}");
    }

    #[test]
    fn streams_ending_in_a_carriage_return_are_ascii85_wrapped_and_decode_the_same() {
        let mut doc = Document::with_version("1.7");
        let data = b"abc\x00\x00\x00\x00defg\r".to_vec();
        let z = deflate(b"x").expect("deflates");
        let plain = doc.add_object(lopdf::Stream::new(lopdf::Dictionary::new(), data.clone()));
        let mut flate =
            lopdf::Stream::new(lopdf::Dictionary::new(), [z.clone(), vec![b'\r']].concat());
        flate.dict.set("Filter", "FlateDecode");
        let flate = doc.add_object(flate);
        let fine = doc.add_object(lopdf::Stream::new(
            lopdf::Dictionary::new(),
            b"q Q\n".to_vec(),
        ));
        end_streams_cleanly(&mut doc);
        let get = |id| {
            doc.get_object(id)
                .and_then(Object::as_stream)
                .expect("stream")
        };
        assert!(get(plain).content.ends_with(b"~>"));
        assert_eq!(get(plain).decompressed_content().expect("decodes"), data);
        assert_eq!(
            get(flate).dict.get(b"Filter").expect("filter"),
            &Object::Array(vec![
                Object::Name(b"ASCII85Decode".to_vec()),
                Object::Name(b"FlateDecode".to_vec())
            ])
        );
        assert_eq!(get(fine).content, b"q Q\n");
    }

    #[test]
    fn ascii85_matches_the_standard_example() {
        // "Man " → "9jqo^", and a partial group keeps n + 1 digits.
        assert_eq!(ascii85(b"Man "), b"9jqo^~>");
        assert_eq!(ascii85(b"Ma"), b"9jn~>");
        assert_eq!(ascii85(&[0, 0, 0, 0]), b"z~>");
    }

    #[test]
    fn dates_are_midnight_utc() {
        assert_eq!(pdf_date("2026-11-20"), "D:20261120000000Z");
    }

    #[test]
    fn deflate_round_trips() {
        use std::io::Read;
        let data = b"BT /F1 12 Tf (hello) Tj ET\n".repeat(50);
        let z = deflate(&data).expect("deflates");
        assert!(z.len() < data.len());
        let mut back = Vec::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_end(&mut back)
            .expect("inflates");
        assert_eq!(back, data);
    }
}
