//! Small object helpers that every part of the PDF writer needs — deflating at the chosen
//! level, PDF dates, text strings — kept in a leaf module so that `draw`, `attach` and
//! `raster` all import from here and never from each other.

use lopdf::{Object, StringFormat};

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
