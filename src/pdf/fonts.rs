//! Fonts: the faces shipped in `fonts/` (compiled in with `include_bytes!`) plus fallback
//! faces from `PdfOptions::font_dirs`. Maps text to glyphs with their advances, falling back
//! face by face, and reports the characters that no face has instead of dropping them.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::gsub::{Feature, FeatureMask, GlyphOrigin, RawGlyph, RawGlyphFlags};

use super::PdfError;
use super::length::Pt;
use super::shards::Sharded;

/// The typographic roles the layout asks for; each maps to one shipped face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FaceKind {
    Regular,
    Bold,
    Italic,
    BoldItalic,
    /// Sans bold, for headings and table heads.
    Heading,
    Mono,
}

impl FaceKind {
    /// The variant with bold and/or italic added (code and headings keep their face).
    pub(crate) fn with(self, bold: bool, italic: bool) -> FaceKind {
        match self {
            FaceKind::Regular | FaceKind::Bold | FaceKind::Italic | FaceKind::BoldItalic => {
                let b = bold || matches!(self, FaceKind::Bold | FaceKind::BoldItalic);
                let i = italic || matches!(self, FaceKind::Italic | FaceKind::BoldItalic);
                match (b, i) {
                    (false, false) => FaceKind::Regular,
                    (true, false) => FaceKind::Bold,
                    (false, true) => FaceKind::Italic,
                    (true, true) => FaceKind::BoldItalic,
                }
            }
            other => other,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Index of a face inside a [`FontSet`].
pub(crate) type FaceId = u16;

/// The shipped faces, in `FaceKind` order, then the symbol fallback (task boxes, arrows).
const SHIPPED: [(&str, &[u8]); 7] = [
    (
        "NotoSerif-Regular",
        include_bytes!("../../fonts/NotoSerif-Regular.ttf"),
    ),
    (
        "NotoSerif-Bold",
        include_bytes!("../../fonts/NotoSerif-Bold.ttf"),
    ),
    (
        "NotoSerif-Italic",
        include_bytes!("../../fonts/NotoSerif-Italic.ttf"),
    ),
    (
        "NotoSerif-BoldItalic",
        include_bytes!("../../fonts/NotoSerif-BoldItalic.ttf"),
    ),
    (
        "NotoSans-Bold",
        include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    ),
    (
        "NotoSansMono-Regular",
        include_bytes!("../../fonts/NotoSansMono-Regular.ttf"),
    ),
    ("DejaVuSans", include_bytes!("../../fonts/DejaVuSans.ttf")),
];

/// An allsorts view of a shipped face: finds its standard ligatures (GSUB `liga`) and
/// shapes the runs that [`PairKerning`] does not (marks, Greek, Cyrillic).
type Kerner = Mutex<allsorts::Font<DynamicFontTableProvider<'static>>>;

/// One font face: its program and the two tables layout needs (cmap and advances).
pub(crate) struct Face {
    /// PostScript-style name, used as /BaseFont (after the subset tag).
    pub name: String,
    /// The font program: borrowed from the binary for shipped faces (copying 4 MB of fonts
    /// was a tenth of a small render), read from disk for fallbacks.
    pub bytes: Cow<'static, [u8]>,
    /// Code point → glyph, sorted by code point (built once per process: a sorted vector is
    /// much quicker to build than a map, and as quick to search).
    cmap: Cmap,
    /// Advance widths in font units, by glyph id.
    advances: Vec<u16>,
    units_per_em: f32,
    metrics: Metrics,
    /// Only the shipped faces kern: their bytes live for the whole program. Made on first
    /// use: most packets never need allsorts (see [`PairKerning`]).
    kerner: OnceLock<Option<Kerner>>,
    /// The face's `kern` read straight from GPOS, when it is plain pair kerning: shaping
    /// then needs allsorts only for runs it cannot handle (marks, other scripts).
    pairs: Option<PairKerning>,
    /// The face's glyph for each standard ligature it has, at most one ligature per glyph.
    ligatures: Vec<(u16, Ligature)>,
}

/// Code point → glyph pairs, sorted by code point.
type Cmap = Vec<(u32, u16)>;

/// What a PDF font descriptor says about a face, in font units.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metrics {
    pub units_per_em: u16,
    /// `head` bounding box of all glyphs: x min, y min, x max, y max.
    pub bbox: [i16; 4],
    pub ascent: i16,
    pub descent: i16,
    /// OS/2 `sCapHeight`, or the ascent when the face has no such field.
    pub cap_height: i16,
    /// `hhea` caret slope (rise, run): the italic angle.
    pub caret_slope: (i16, i16),
    /// OS/2 `usWeightClass`, 0 when the face has no OS/2 table.
    pub weight: u16,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn kerner(bytes: &'static [u8]) -> Option<Kerner> {
    let data = ReadScope::new(bytes).read::<FontData<'static>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    allsorts::Font::new(provider).ok().map(Mutex::new)
}

/// The standard ligatures (OpenType `liga`) that shaping may form, as the text each stands
/// for. Only these: each becomes a ToUnicode entry of several characters, and other `liga`
/// substitutions (DejaVu's Arabic lam-alef) are left to the fonts' plain glyphs.
const LIGATURES: [&str; 5] = ["ff", "fi", "fl", "ffi", "ffl"];

/// A standard ligature: one glyph standing for the characters of one of [`LIGATURES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ligature(u8);

impl Ligature {
    /// The characters the ligature stands for.
    pub(crate) fn text(self) -> &'static str {
        LIGATURES[usize::from(self.0)]
    }
}

/// The characters a glyph stands for: `ch`, or all of a ligature's (`ch` is its first).
pub(crate) fn glyph_chars(ch: char, lig: Option<Ligature>) -> impl Iterator<Item = char> {
    let rest = lig.map_or("", |l| &l.text()[1..]);
    std::iter::once(ch).chain(rest.chars())
}

/// Whether `a` followed by `b` may form part of a standard ligature.
pub(crate) fn may_ligate(a: char, b: char) -> bool {
    LIGATURES
        .iter()
        .any(|l| l.chars().zip(l.chars().skip(1)).any(|pair| pair == (a, b)))
}

/// The language system whose features a shaper (allsorts) applies to Latin text: the
/// `latn` script's default, else `DFLT`'s. Shared by GSUB and GPOS.
fn latin_langsys<'a>(
    scripts: &read_fonts::tables::layout::ScriptList<'a>,
) -> Option<read_fonts::tables::layout::LangSys<'a>> {
    let record = ["latn", "DFLT"].iter().find_map(|tag| {
        scripts
            .script_records()
            .iter()
            .find(|r| r.script_tag().to_be_bytes() == tag.as_bytes())
    })?;
    record
        .script(scripts.offset_data())
        .ok()?
        .default_lang_sys()?
        .ok()
}

/// Each feature of a language system, in its order: the tag and its lookups in the order a
/// shaper applies them (lookup-list order).
fn latin_features(
    langsys: &read_fonts::tables::layout::LangSys<'_>,
    features: &read_fonts::tables::layout::FeatureList<'_>,
) -> Option<Vec<([u8; 4], Vec<u16>)>> {
    langsys
        .feature_indices()
        .iter()
        .map(|index| {
            let record = features.feature_records().get(usize::from(index.get()))?;
            let feature = record.feature(features.offset_data()).ok()?;
            let mut lookups: Vec<u16> = feature
                .lookup_list_indices()
                .iter()
                .map(|i| i.get())
                .collect();
            lookups.sort_unstable();
            Some((record.feature_tag().to_be_bytes(), lookups))
        })
        .collect()
}

/// [`ligature_glyphs`] read straight from the face's GSUB, without shaping: each standard
/// ligature's glyph is the ligature substitution that the Latin `liga` lookups make of its
/// letters (the first lookup and set entry that spell them, as a shaper applies them).
/// `None` if `liga` holds anything but ligature substitutions: then allsorts decides.
fn gsub_ligatures(face: &Face, bytes: &'static [u8]) -> Option<Vec<(u16, Ligature)>> {
    use read_fonts::TableProvider;
    use read_fonts::tables::gsub::SubstitutionSubtables;

    let font = read_fonts::FontRef::new(bytes).ok()?;
    let Ok(gsub) = font.gsub() else {
        return Some(Vec::new());
    };
    let langsys = latin_langsys(&gsub.script_list().ok()?)?;
    let features = gsub.feature_list().ok()?;
    let mut liga: Vec<u16> = Vec::new();
    for (tag, lookups) in latin_features(&langsys, &features)? {
        if tag == *b"liga" {
            liga = lookups;
            break;
        }
    }
    let list = gsub.lookup_list().ok()?;
    let mut sets = Vec::new();
    for index in liga {
        let lookup = list.lookups().get(usize::from(index)).ok()?;
        let SubstitutionSubtables::Ligature(subtables) = lookup.subtables().ok()? else {
            return None;
        };
        for subtable in subtables.iter() {
            sets.push(subtable.ok()?);
        }
    }
    let mut out: Vec<(u16, Ligature)> = Vec::new();
    for (i, text) in LIGATURES.iter().enumerate() {
        let Some(glyphs) = text
            .chars()
            .map(|c| face.glyph(c))
            .collect::<Option<Vec<u16>>>()
        else {
            continue;
        };
        let (first, rest) = (glyphs[0], &glyphs[1..]);
        // As a shaper does at the first letter: the first subtable with a ligature whose
        // components begin the rest, and in it the first such ligature. It stands for the
        // whole text only if it takes all the letters.
        let found = sets.iter().find_map(|subtable| {
            let index = subtable
                .coverage()
                .ok()?
                .get(read_fonts::types::GlyphId16::new(first))?;
            let set = subtable.ligature_sets().get(usize::from(index)).ok()?;
            set.ligatures().iter().find_map(|ligature| {
                let ligature = ligature.ok()?;
                let components: Vec<u16> = ligature
                    .component_glyph_ids()
                    .iter()
                    .map(|g| g.get().to_u16())
                    .collect();
                rest.starts_with(&components).then(|| {
                    (components.len() == rest.len()).then(|| ligature.ligature_glyph().to_u16())
                })
            })
        });
        if let Some(Some(gid)) = found
            && !out.iter().any(|(g, _)| *g == gid)
        {
            out.push((gid, Ligature(i as u8)));
        }
    }
    Some(out)
}

/// Which glyph a face forms for each standard ligature, decided by shaping each alone, so
/// it depends on the font only. A glyph that two sequences map to stays with the first: one
/// glyph, one ToUnicode string.
fn ligature_glyphs(kerner: &Kerner) -> Vec<(u16, Ligature)> {
    let Ok(mut font) = kerner.lock() else {
        return Vec::new();
    };
    let mut out: Vec<(u16, Ligature)> = Vec::new();
    for (i, text) in LIGATURES.iter().enumerate() {
        let raw = font.map_glyphs(text, allsorts::tag::LATN, MatchingPresentation::NotRequired);
        let mask = FeatureMask::from(Feature::LIGA);
        let Ok(infos) = font.shape(raw, allsorts::tag::LATN, None, mask, &[], None, false) else {
            continue;
        };
        if let [info] = infos.as_slice()
            && info.glyph.ligature()
            && !out.iter().any(|(g, _)| *g == info.glyph.glyph_index)
        {
            out.push((info.glyph.glyph_index, Ligature(i as u8)));
        }
    }
    out
}

impl Face {
    /// Parses a TrueType/OpenType face; `None` if it is not a usable font (no Unicode cmap,
    /// no advances). Reads the tables in place: the program is not copied.
    fn parse(name: String, bytes: Cow<'static, [u8]>) -> Option<Face> {
        let (cmap, advances, metrics) = Face::read_tables(&bytes)?;
        Some(Face {
            name,
            cmap,
            advances,
            units_per_em: f32::from(metrics.units_per_em),
            metrics,
            bytes,
            kerner: OnceLock::new(),
            pairs: None,
            ligatures: Vec::new(),
        })
    }

    /// The cmap, the advances and the descriptor metrics of a face.
    fn read_tables(bytes: &[u8]) -> Option<(Cmap, Vec<u16>, Metrics)> {
        use allsorts::tables::cmap::Cmap as CmapTable;
        use allsorts::tables::os2::Os2;
        use allsorts::tables::{FontTableProvider, HeadTable, HheaTable, HmtxTable, MaxpTable};
        use allsorts::tag;

        let data = ReadScope::new(bytes).read::<FontData<'_>>().ok()?;
        let provider = data.table_provider(0).ok()?;
        let table = |t| provider.read_table_data(t).ok();
        let head = ReadScope::new(&table(tag::HEAD)?)
            .read::<HeadTable>()
            .ok()?;
        let maxp = ReadScope::new(&table(tag::MAXP)?)
            .read::<MaxpTable>()
            .ok()?;
        let hhea = ReadScope::new(&table(tag::HHEA)?)
            .read::<HheaTable>()
            .ok()?;

        let mut cmap = Vec::new();
        let cmap_data = table(tag::CMAP)?;
        let (_, subtable) = ReadScope::new(&cmap_data)
            .read::<CmapTable<'_>>()
            .ok()
            .and_then(|c| allsorts::font::read_cmap_subtable(&c).ok().flatten())?;
        subtable
            .mappings_fn(|cp, gid| {
                cmap.push((cp, gid));
            })
            .ok()?;
        // Later mappings of a code point win, as they would in a map.
        cmap.reverse();
        cmap.sort_by_key(|&(cp, _)| cp);
        cmap.dedup_by_key(|&mut (cp, _)| cp);
        if cmap.is_empty() {
            return None;
        }

        let hmtx_data = table(tag::HMTX)?;
        let hmtx = ReadScope::new(&hmtx_data)
            .read_dep::<HmtxTable<'_>>((
                usize::from(maxp.num_glyphs),
                usize::from(hhea.num_h_metrics),
            ))
            .ok()?;
        let advances: Vec<u16> = (0..maxp.num_glyphs)
            .map(|g| hmtx.horizontal_advance(g).unwrap_or(0))
            .collect();

        let os2 = table(tag::OS_2).and_then(|d| {
            ReadScope::new(&d)
                .read_dep::<Os2>(d.len())
                .ok()
                .map(|os2| (os2.us_weight_class, os2.version2to4.map(|v| v.s_cap_height)))
        });
        let metrics = Metrics {
            units_per_em: head.units_per_em.max(1),
            bbox: [head.x_min, head.y_min, head.x_max, head.y_max],
            ascent: hhea.ascender,
            descent: hhea.descender,
            cap_height: os2.and_then(|(_, cap)| cap).unwrap_or(hhea.ascender),
            caret_slope: (hhea.caret_slope_rise, hhea.caret_slope_run),
            weight: os2.map_or(0, |(w, _)| w),
        };
        Some((cmap, advances, metrics))
    }

    /// The allsorts view of a shipped face, made on first use.
    fn kerner(&self) -> Option<&Kerner> {
        self.kerner
            .get_or_init(|| match &self.bytes {
                Cow::Borrowed(bytes) => kerner(bytes),
                Cow::Owned(_) => None,
            })
            .as_ref()
    }

    /// The face's metrics, for the PDF font descriptor.
    pub(crate) fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// A glyph's advance in font units (0 for a glyph the face does not have).
    pub(crate) fn advance_units(&self, gid: u16) -> u16 {
        self.advances.get(usize::from(gid)).copied().unwrap_or(0)
    }

    /// Shapes a run of this face's glyphs with allsorts: pair kerning, and the standard
    /// ligatures if `liga`. `None` if the face does not shape or shaping did something else
    /// (a substitution that is not a standard ligature): then the run stays as it is.
    fn shape_run(&self, run: &[Glyph], liga: bool) -> Option<Vec<Shaped>> {
        let script = script_of(run.iter().flat_map(Glyph::chars));
        if let Some(pairs) = &self.pairs
            && script == allsorts::tag::LATN
            && !run.iter().any(|g| pairs.is_mark(g.gid))
        {
            return Some(self.shape_pairs(run, liga, pairs));
        }
        self.shape_allsorts(run, liga, script)
    }

    /// [`Face::shape_run`] through allsorts, for any run of a shipped face.
    fn shape_allsorts(&self, run: &[Glyph], liga: bool, script: u32) -> Option<Vec<Shaped>> {
        let mut font = self.kerner()?.lock().ok()?;
        // Our own glyph choices go in (allsorts' cmap lookup could differ, e.g. for NBSP).
        let raw: Vec<RawGlyph<()>> = run
            .iter()
            .map(|g| RawGlyph {
                unicodes: g.chars().collect(),
                glyph_index: g.gid,
                liga_component_pos: 0,
                glyph_origin: GlyphOrigin::Char(g.ch),
                flags: RawGlyphFlags::empty(),
                variation: None,
                extra_data: (),
            })
            .collect();
        let mask = if liga {
            FeatureMask::from(Feature::LIGA)
        } else {
            FeatureMask::empty()
        };
        let infos = match font.shape(raw, script, None, mask, &[], None, true) {
            Ok(i) => i,
            Err((_, i)) => i,
        };
        let mut out = Vec::with_capacity(infos.len());
        let mut rest = run;
        for info in &infos {
            let gid = info.glyph.glyph_index;
            let (lig, n) = if info.glyph.ligature() {
                let &(_, lig) = self.ligatures.iter().find(|(g, _)| *g == gid)?;
                // The run glyphs it replaces must spell exactly the ligature's text.
                let mut spelled = String::new();
                let mut n = 0;
                while spelled.len() < lig.text().len() {
                    spelled.extend(rest.get(n)?.chars());
                    n += 1;
                }
                if spelled != lig.text() {
                    return None;
                }
                (Some(lig), n)
            } else {
                let first = rest.first().filter(|g| g.gid == gid)?;
                (first.lig, 1)
            };
            out.push(Shaped {
                gid,
                lig,
                kern: info.kerning,
                n,
            });
            rest = &rest[n..];
        }
        rest.is_empty().then_some(out)
    }

    /// [`Face::shape_run`] without allsorts, for a face whose `kern` is plain pair kerning
    /// and a Latin run without marks: what allsorts does for such a run — the longest
    /// standard ligature at each place (the fonts list the longer first), then the pair
    /// adjustments between neighbours — with no lock and no parsing per call.
    fn shape_pairs(&self, run: &[Glyph], liga: bool, pairs: &PairKerning) -> Vec<Shaped> {
        let mut out: Vec<Shaped> = Vec::with_capacity(run.len());
        let mut rest = run;
        while let Some(first) = rest.first() {
            let spells = |text: &str| {
                rest.len() >= text.len()
                    && rest
                        .iter()
                        .zip(text.chars())
                        .all(|(g, c)| g.lig.is_none() && g.ch == c && self.glyph(c) == Some(g.gid))
            };
            #[expect(
                clippy::chars_next_cmp,
                reason = "starts_with(char) encodes the character and calls memcmp, for every \
                          glyph and ligature: 2 % of a render"
            )]
            let ligature = self
                .ligatures
                .iter()
                .filter(|(_, l)| {
                    liga && l.text().chars().next() == Some(first.ch) && spells(l.text())
                })
                .max_by_key(|(_, l)| l.text().len());
            let shaped = match ligature {
                Some(&(gid, lig)) => Shaped {
                    gid,
                    lig: Some(lig),
                    kern: 0,
                    n: lig.text().len(),
                },
                None => Shaped {
                    gid: first.gid,
                    lig: first.lig,
                    kern: 0,
                    n: 1,
                },
            };
            rest = &rest[shaped.n..];
            out.push(shaped);
        }
        for i in 1..out.len() {
            let (first, second) = pairs.adjust(out[i - 1].gid, out[i].gid);
            out[i - 1].kern += first;
            out[i].kern += second;
        }
        out
    }

    /// The standard ligature a glyph of this face stands for, if any.
    fn ligature(&self, gid: u16) -> Option<Ligature> {
        self.ligatures
            .iter()
            .find(|(g, _)| *g == gid)
            .map(|(_, l)| *l)
    }

    /// The glyph for a character, if the face has one.
    pub(crate) fn glyph(&self, c: char) -> Option<u16> {
        let i = self
            .cmap
            .binary_search_by_key(&(c as u32), |&(cp, _)| cp)
            .ok()?;
        Some(self.cmap[i].1).filter(|&g| g != 0)
    }

    /// Advance of a glyph at a font size.
    pub(crate) fn advance(&self, gid: u16, size: Pt) -> Pt {
        size * (f32::from(self.advance_units(gid)) / self.units_per_em)
    }
}

/// A face's pair kerning, read from its GPOS table in place with read-fonts: only for a
/// face whose Latin layout features are `kern`, `mark` and `mkmk`, and whose `kern` lookups
/// are pair adjustments (ignoring marks at most). Such a face kerns a run without marks
/// exactly as allsorts would, pair by pair, with no lock and nothing parsed per call (allsorts
/// re-reads the lookup records on every call: a sixth of the sample's render time). What is
/// looked up per glyph — coverage, glyph classes, marks — is spread into arrays indexed by
/// glyph id once, so a pair costs a few array reads instead of a binary search each.
struct PairKerning {
    /// The `kern` lookups' subtables, lookup by lookup.
    lookups: Vec<Vec<PairTable>>,
    /// Per glyph id: whether GDEF classes it a mark (3). Empty without GDEF classes.
    marks: Vec<bool>,
}

/// A pair-adjustment subtable and, per glyph id, what it says about the glyph.
struct PairTable {
    pos: read_fonts::tables::gpos::PairPos<'static>,
    /// The glyph's coverage index, or [`NOT_COVERED`].
    coverage: Vec<u16>,
    /// Format 2: the glyph's class as the first and as the second glyph of a pair (empty
    /// for format 1).
    class1: Vec<u16>,
    class2: Vec<u16>,
}

/// A glyph that a pair subtable does not cover as its first glyph.
const NOT_COVERED: u16 = u16::MAX;

/// The coverage index of every glyph id below `glyphs`, filled from the table's glyph list
/// or ranges (a glyph-by-glyph walk through read-fonts' iterators took a tenth of the
/// warm-up thread).
fn coverage_by_glyph(
    coverage: &read_fonts::tables::layout::CoverageTable<'_>,
    glyphs: usize,
) -> Vec<u16> {
    use read_fonts::tables::layout::CoverageTable;
    let mut by_glyph = vec![NOT_COVERED; glyphs];
    match coverage {
        CoverageTable::Format1(f) => {
            for (index, g) in f.glyph_array().iter().enumerate() {
                if let Some(slot) = by_glyph.get_mut(usize::from(g.get().to_u16())) {
                    *slot = index as u16;
                }
            }
        }
        CoverageTable::Format2(f) => {
            for range in f.range_records() {
                let first = usize::from(range.start_glyph_id().to_u16());
                let last = usize::from(range.end_glyph_id().to_u16()).min(glyphs.saturating_sub(1));
                if let Some(slots) = by_glyph.get_mut(first..=last) {
                    for (k, slot) in slots.iter_mut().enumerate() {
                        *slot = range.start_coverage_index().wrapping_add(k as u16);
                    }
                }
            }
        }
    }
    by_glyph
}

/// The class of every glyph id below `glyphs` (0 for those the table does not list),
/// filled from the table's class array or ranges.
fn class_by_glyph(classes: &read_fonts::tables::layout::ClassDef<'_>, glyphs: usize) -> Vec<u16> {
    use read_fonts::tables::layout::ClassDef;
    let mut by_glyph = vec![0; glyphs];
    match classes {
        ClassDef::Format1(f) => {
            let first = usize::from(f.start_glyph_id().to_u16());
            for (slot, class) in by_glyph.iter_mut().skip(first).zip(f.class_value_array()) {
                *slot = class.get();
            }
        }
        ClassDef::Format2(f) => {
            for range in f.class_range_records() {
                let first = usize::from(range.start_glyph_id().to_u16());
                let last = usize::from(range.end_glyph_id().to_u16()).min(glyphs.saturating_sub(1));
                if let Some(slots) = by_glyph.get_mut(first..=last) {
                    slots.fill(range.class());
                }
            }
        }
    }
    by_glyph
}

impl PairKerning {
    fn read(bytes: &'static [u8]) -> Option<PairKerning> {
        use read_fonts::TableProvider;
        use read_fonts::tables::gpos::{PairPos, PositionSubtables};
        use read_fonts::tables::layout::ChainedSequenceContext;

        let font = read_fonts::FontRef::new(bytes).ok()?;
        let glyphs = usize::from(font.maxp().ok()?.num_glyphs());
        let Ok(gpos) = font.gpos() else {
            return Some(PairKerning {
                lookups: Vec::new(),
                marks: Vec::new(),
            });
        };
        let langsys = latin_langsys(&gpos.script_list().ok()?)?;
        if langsys.required_feature_index() != 0xffff {
            return None;
        }
        let features = gpos.feature_list().ok()?;
        let mut kern: Option<Vec<u16>> = None;
        for (tag, lookups) in latin_features(&langsys, &features)? {
            match &tag {
                b"kern" if kern.is_none() => kern = Some(lookups),
                b"kern" | b"mark" | b"mkmk" => {}
                _ => return None,
            }
        }
        // No glyph classes (DejaVu Sans): no glyph is a mark, for allsorts too.
        let marks = match font.gdef().ok().and_then(|g| g.glyph_class_def()) {
            Some(Ok(classes)) => class_by_glyph(&classes, glyphs)
                .into_iter()
                .map(|class| class == 3)
                .collect(),
            Some(Err(_)) => return None,
            None => Vec::new(),
        };
        let mut kerning = PairKerning {
            lookups: Vec::new(),
            marks,
        };
        let list = gpos.lookup_list().ok()?;
        // No `kern` at all (the mono face): nothing to adjust.
        for index in kern.unwrap_or_default() {
            let lookup = list.lookups().get(usize::from(index)).ok()?;
            // IgnoreMarks (8) at most: runs with marks are not kerned here.
            if lookup.lookup_flag().to_bits() & !8 != 0 {
                return None;
            }
            match lookup.subtables().ok()? {
                PositionSubtables::Pair(subtables) => {
                    let mut tables = Vec::new();
                    for pos in subtables.iter() {
                        let pos = pos.ok()?;
                        let (coverage, class1, class2) = match &pos {
                            PairPos::Format1(f) => (
                                coverage_by_glyph(&f.coverage().ok()?, glyphs),
                                Vec::new(),
                                Vec::new(),
                            ),
                            PairPos::Format2(f) => (
                                coverage_by_glyph(&f.coverage().ok()?, glyphs),
                                class_by_glyph(&f.class_def1().ok()?, glyphs),
                                class_by_glyph(&f.class_def2().ok()?, glyphs),
                            ),
                        };
                        tables.push(PairTable {
                            pos,
                            coverage,
                            class1,
                            class2,
                        });
                    }
                    kerning.lookups.push(tables);
                }
                // Noto Sans Bold moves marks after a dotless i this way: a context whose
                // input is marks only never matches a run without marks.
                PositionSubtables::ChainContextual(subtables) => {
                    for context in subtables.iter() {
                        let ChainedSequenceContext::Format3(context) = context.ok()? else {
                            return None;
                        };
                        for coverage in context.input_coverages().iter() {
                            if !coverage.ok()?.iter().all(|g| kerning.is_mark(g.to_u16())) {
                                return None;
                            }
                        }
                    }
                }
                _ => return None,
            }
        }
        Some(kerning)
    }

    /// Whether a glyph is a mark (GDEF class 3).
    fn is_mark(&self, gid: u16) -> bool {
        self.marks.get(usize::from(gid)).copied().unwrap_or(false)
    }

    /// The advance adjustments (font units) of the first and the second glyph of a pair:
    /// in each lookup, the first subtable that has the pair decides.
    fn adjust(&self, first: u16, second: u16) -> (i16, i16) {
        let mut total = (0i16, 0i16);
        for tables in &self.lookups {
            if let Some((x, y)) = tables.iter().find_map(|t| t.adjust(first, second)) {
                total = (total.0 + x, total.1 + y);
            }
        }
        total
    }
}

impl PairTable {
    /// The pair's advance adjustments, if this subtable has the pair.
    fn adjust(&self, first: u16, second: u16) -> Option<(i16, i16)> {
        use read_fonts::tables::gpos::{PairPos, ValueRecord};
        use read_fonts::types::GlyphId16;

        let advances = |v1: &ValueRecord, v2: &ValueRecord| {
            (v1.x_advance().unwrap_or(0), v2.x_advance().unwrap_or(0))
        };
        let index = *self.coverage.get(usize::from(first))?;
        if index == NOT_COVERED {
            return None;
        }
        match &self.pos {
            PairPos::Format1(f) => {
                let set = f.pair_sets().get(usize::from(index)).ok()?;
                // Records are sorted by second glyph (OpenType's PairSet): halve the range.
                let b = GlyphId16::new(second);
                let records = set.pair_value_records();
                let (mut lo, mut hi) = (0, records.len());
                while lo < hi {
                    let mid = (lo + hi) / 2;
                    let record = records.get(mid).ok()?;
                    match record.second_glyph().cmp(&b) {
                        std::cmp::Ordering::Less => lo = mid + 1,
                        std::cmp::Ordering::Greater => hi = mid,
                        std::cmp::Ordering::Equal => {
                            return Some(advances(record.value_record1(), record.value_record2()));
                        }
                    }
                }
                None
            }
            PairPos::Format2(f) => {
                let class1 = self.class1.get(usize::from(first)).copied().unwrap_or(0);
                let class2 = self.class2.get(usize::from(second)).copied().unwrap_or(0);
                let record = f.class1_records().get(usize::from(class1)).ok()?;
                let pair = record.class2_records().get(usize::from(class2)).ok()?;
                Some(advances(pair.value_record1(), pair.value_record2()))
            }
        }
    }
}

/// A glyph as allsorts shaped it, standing for `n` glyphs of the run it came from.
#[derive(Debug, PartialEq)]
struct Shaped {
    gid: u16,
    lig: Option<Ligature>,
    /// Pair kerning after the glyph, in font units.
    kern: i16,
    n: usize,
}

/// One positioned-to-be glyph: which face, which glyph, how wide, and the text it stands for
/// (for the PDF's ToUnicode map, so the text stays extractable).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub face: FaceId,
    pub gid: u16,
    /// Advance including `kern`.
    pub advance: Pt,
    /// Pair-kerning adjustment after this glyph (included in `advance`).
    pub kern: Pt,
    /// The character the glyph stands for; a ligature's first.
    pub ch: char,
    /// Set if the glyph is a ligature standing for several characters.
    pub lig: Option<Ligature>,
}

impl Glyph {
    /// The characters the glyph stands for (several for a ligature).
    pub(crate) fn chars(&self) -> impl Iterator<Item = char> {
        glyph_chars(self.ch, self.lig)
    }
}

/// All faces available to one render: shipped ones first, then the user's fallbacks.
#[derive(Debug, Clone)]
pub(crate) struct FontSet {
    faces: Vec<Arc<Face>>,
    /// Shaped words by (role, size in bits, text), with the characters no face had: layout
    /// runs up to five passes over the same words, and shaping (kerning through allsorts)
    /// is the costly part of it.
    cache: Arc<ShapeCache>,
}

/// By (role, size in bits), then text: looking a word up allocates nothing. The shard is
/// picked by all three.
type ShapeCache = Sharded<(FaceKind, u32), ShapedWords>;
type ShapedWords =
    std::collections::HashMap<Box<str>, (Arc<[Glyph]>, Box<[char]>), foldhash::fast::RandomState>;

fn shipped_faces() -> Result<&'static [Arc<Face>], PdfError> {
    // Parsing ~4 MB of fonts costs real time; do it once per process.
    static SHIPPED_FACES: OnceLock<Result<Vec<Arc<Face>>, String>> = OnceLock::new();
    let faces = SHIPPED_FACES.get_or_init(|| {
        SHIPPED
            .iter()
            .map(|(name, bytes)| {
                Face::parse((*name).to_string(), Cow::Borrowed(*bytes))
                    .map(|mut f| {
                        f.pairs = PairKerning::read(bytes);
                        f.ligatures = match gsub_ligatures(&f, bytes) {
                            Some(found) => found,
                            None => f.kerner().map(ligature_glyphs).unwrap_or_default(),
                        };
                        Arc::new(f)
                    })
                    .ok_or_else(|| format!("shipped font {name} cannot be parsed"))
            })
            .collect()
    });
    match faces {
        Ok(f) => Ok(f),
        Err(e) => Err(PdfError::Font(e.clone())),
    }
}

impl FontSet {
    /// The shipped faces only.
    pub(crate) fn shipped() -> Result<FontSet, PdfError> {
        Ok(FontSet {
            faces: shipped_faces()?.to_vec(),
            cache: Arc::default(),
        })
    }

    /// The shipped faces plus every `.ttf`/`.otf` in `dirs` (in file-name order, so the
    /// fallback order — and the output — does not depend on directory listing order).
    pub(crate) fn load(dirs: &[PathBuf]) -> Result<FontSet, PdfError> {
        let mut set = FontSet::shipped()?;
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                PdfError::Font(format!("cannot read font directory {}: {e}", dir.display()))
            })?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| is_font_file(p))
                .collect();
            paths.sort();
            for path in paths {
                let bytes = std::fs::read(&path).map_err(|e| {
                    PdfError::Font(format!("cannot read font {}: {e}", path.display()))
                })?;
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_else(|| "Fallback".to_string());
                let name: String = name
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                let face = Face::parse(name, Cow::Owned(bytes)).ok_or_else(|| {
                    PdfError::Font(format!(
                        "{} is not a usable TrueType/OpenType font",
                        path.display()
                    ))
                })?;
                set.faces.push(Arc::new(face));
            }
        }
        Ok(set)
    }

    /// The face with this id.
    pub(crate) fn face(&self, id: FaceId) -> &Face {
        &self.faces[usize::from(id)]
    }

    /// The order in which faces are tried for a role: its own face, the other shipped
    /// faces, the symbol face, then the user's fallbacks.
    fn chain(&self, kind: FaceKind) -> impl Iterator<Item = usize> + '_ {
        let first = kind.index();
        std::iter::once(first)
            .chain(
                [0, 4, 5, 1, 2, 3, 6]
                    .into_iter()
                    .filter(move |&i| i != first),
            )
            .chain(SHIPPED.len()..self.faces.len())
    }

    /// Glyphs for `text` in a role at a size. Characters that no face has come back as the
    /// primary face's missing-glyph box and are listed in `missing`, so the caller can
    /// report where they were.
    pub(crate) fn shape(
        &self,
        text: &str,
        kind: FaceKind,
        size: Pt,
        missing: &mut Vec<char>,
    ) -> Vec<Glyph> {
        let style = (kind, size.0.to_bits());
        let shard = (kind, style.1, text);
        // The glyphs are copied once the lock is let go: other threads wait for the lookup only.
        let hit = self
            .cache
            .shard(&shard)
            .and_then(|s| s.get(&style)?.get(text).cloned());
        if let Some((glyphs, lost)) = hit {
            missing.extend(lost.iter().copied());
            return glyphs.to_vec();
        }
        let mut lost = Vec::new();
        let glyphs = self.shape_uncached(text, kind, size, &mut lost);
        missing.extend(lost.iter().copied());
        if let Some(mut cache) = self.cache.shard(&shard) {
            cache
                .entry(style)
                .or_default()
                .insert(text.into(), (Arc::from(glyphs.as_slice()), lost.into()));
        }
        glyphs
    }

    fn shape_uncached(
        &self,
        text: &str,
        kind: FaceKind,
        size: Pt,
        missing: &mut Vec<char>,
    ) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            if is_invisible(c) {
                continue;
            }
            let lookup = if c == '\u{a0}' { ' ' } else { c };
            let found = self
                .chain(kind)
                .find_map(|i| self.faces[i].glyph(lookup).map(|g| (i, g)))
                // A non-breaking space, if a face lacks it, is an ordinary space glyph.
                .or_else(|| {
                    self.faces[kind.index()]
                        .glyph(' ')
                        .filter(|_| c == '\u{a0}')
                        .map(|g| (kind.index(), g))
                });
            let (face, gid) = match found {
                Some(hit) => hit,
                None => {
                    missing.push(c);
                    (kind.index(), 0)
                }
            };
            // A presentation form ("ﬁ") is its ligature's glyph: it gets the same
            // ToUnicode string as the ligature shaping forms.
            let lig = self.faces[face].ligature(gid);
            out.push(Glyph {
                face: face as FaceId,
                gid,
                advance: self.faces[face].advance(gid, size),
                kern: Pt::ZERO,
                ch: lig.and_then(|l| l.text().chars().next()).unwrap_or(c),
                lig,
            });
        }
        // Code keeps one glyph per character, as it was typed.
        self.shape_runs(out, kind != FaceKind::Mono, size)
    }

    /// Shapes each run of glyphs from one face: pair kerning, and standard ligatures if
    /// `liga`.
    fn shape_runs(&self, glyphs: Vec<Glyph>, liga: bool, size: Pt) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(glyphs.len());
        for run in glyphs.chunk_by(|a, b| a.face == b.face) {
            let face = &self.faces[usize::from(run[0].face)];
            let shaped = if run.len() > 1 {
                face.shape_run(run, liga)
                    .or_else(|| liga.then(|| face.shape_run(run, false)).flatten())
            } else {
                None
            };
            let Some(shaped) = shaped else {
                out.extend_from_slice(run);
                continue;
            };
            let mut rest = run;
            for Shaped { gid, lig, kern, n } in shaped {
                let kern = size * (f32::from(kern) / face.units_per_em);
                out.push(Glyph {
                    gid,
                    advance: face.advance(gid, size) + kern,
                    kern,
                    lig,
                    ..rest[0].clone()
                });
                rest = &rest[n..];
            }
        }
        out
    }

    /// Width of a text in a role at a size (missing characters count as their box).
    #[cfg(test)]
    pub(crate) fn width(&self, text: &str, kind: FaceKind, size: Pt) -> Pt {
        self.shape(text, kind, size, &mut Vec::new())
            .iter()
            .map(|g| g.advance)
            .sum()
    }
}

/// The OpenType script of a text, for kerning lookups: by its first letter.
fn script_of(mut text: impl Iterator<Item = char>) -> u32 {
    match text.find(|c| c.is_alphabetic()).map(|c| c as u32) {
        Some(0x0370..=0x03ff | 0x1f00..=0x1fff) => allsorts::tag::GREK,
        Some(0x0400..=0x052f) => allsorts::tag::CYRL,
        _ => allsorts::tag::LATN,
    }
}

/// Characters that take no room and need no glyph: controls, soft hyphens, joiners and
/// variation selectors. Breaking at zero-width spaces is the line breaker's business.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}' | '\u{feff}' | '\u{fe00}'..='\u{fe0f}')
}

fn is_font_file(p: &Path) -> bool {
    p.extension()
        .map(|e| {
            let e = e.to_string_lossy().to_ascii_lowercase();
            e == "ttf" || e == "otf"
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shipped face's font file.
    fn shipped_bytes(face: &Face) -> &'static [u8] {
        match &face.bytes {
            Cow::Borrowed(bytes) => bytes,
            Cow::Owned(_) => panic!("{} is not shipped", face.name),
        }
    }

    /// The ligature glyphs read from GSUB are those allsorts forms, on every shipped face.
    #[test]
    fn gsub_ligatures_match_allsorts() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let mut found = 0;
        for face in &fonts.faces {
            let bytes = shipped_bytes(face);
            let kerner = face.kerner().expect("shipped faces shape");
            let read = gsub_ligatures(face, bytes).expect("liga is plain ligatures");
            assert_eq!(read, ligature_glyphs(kerner), "{}", face.name);
            found += read.len();
        }
        // Five in each serif and sans face, some in the symbol face.
        assert!(found >= 25, "only {found} ligatures");
    }

    /// Every shipped face reads its kerning in place, and shapes Latin text exactly as
    /// allsorts does: the same glyphs, ligatures and adjustments.
    #[test]
    fn pair_kerning_matches_allsorts() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let words = [
            "AVATAR",
            "Tokyo",
            "office",
            "afflict",
            "fjord",
            "shuffle",
            "ﬁne",
            "Ta.",
            "P.O.",
            "\"Yes,\"",
            "L'Wy",
            "f(x)",
            "T-rex",
            "V7",
            "Kyoto",
            "LT",
            "ff",
            "fff",
            "ffi",
            "ffl",
            "(fl)",
            "We’re",
            "AWS SageMaker",
            "1,024",
            "Façade",
            "Škoda",
            "naïve",
        ];
        let mut kerned = 0;
        for (id, face) in fonts.faces.iter().enumerate() {
            let pairs = face.pairs.as_ref().expect("kerning read in place");
            for word in words {
                let run: Vec<Glyph> = word
                    .chars()
                    .filter_map(|c| {
                        let gid = face.glyph(c)?;
                        Some(Glyph {
                            face: id as FaceId,
                            gid,
                            advance: face.advance(gid, Pt(10.0)),
                            kern: Pt::ZERO,
                            ch: c,
                            lig: face.ligature(gid),
                        })
                    })
                    .collect();
                for liga in [true, false] {
                    let fast = face.shape_pairs(&run, liga, pairs);
                    let slow = face.shape_allsorts(&run, liga, allsorts::tag::LATN);
                    assert_eq!(
                        Some(&fast),
                        slow.as_ref(),
                        "{} {word:?} liga {liga}",
                        face.name
                    );
                    kerned += fast.iter().filter(|s| s.kern != 0).count();
                }
            }
        }
        assert!(kerned > 50, "hardly any pair kerned: {kerned}");
    }

    /// The per-glyph arrays say, for every glyph id, what the tables they were spread
    /// from say: coverage index, both glyph classes, and whether GDEF calls it a mark.
    #[test]
    fn kerning_arrays_say_what_the_tables_say() {
        use read_fonts::TableProvider;
        use read_fonts::tables::gpos::PairPos;
        use read_fonts::types::GlyphId16;
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let mut checked = 0;
        for face in &fonts.faces {
            let bytes = shipped_bytes(face);
            let font = read_fonts::FontRef::new(bytes).expect("font");
            let pairs = face.pairs.as_ref().expect("kerning read in place");
            let gdef = font.gdef().ok().and_then(|g| g.glyph_class_def()?.ok());
            for gid in 0..face.advances.len() as u16 {
                let mark = gdef
                    .as_ref()
                    .is_some_and(|c| c.get(GlyphId16::new(gid)) == 3);
                assert_eq!(pairs.is_mark(gid), mark, "{} glyph {gid}", face.name);
                for table in pairs.lookups.iter().flatten() {
                    let (coverage, classes) = match &table.pos {
                        PairPos::Format1(f) => (f.coverage().expect("coverage"), None),
                        PairPos::Format2(f) => (
                            f.coverage().expect("coverage"),
                            Some((
                                f.class_def1().expect("class 1"),
                                f.class_def2().expect("class 2"),
                            )),
                        ),
                    };
                    let index = coverage.get(GlyphId16::new(gid)).unwrap_or(NOT_COVERED);
                    assert_eq!(
                        table.coverage[usize::from(gid)],
                        index,
                        "{} glyph {gid}",
                        face.name
                    );
                    if let Some((first, second)) = classes {
                        assert_eq!(
                            table.class1[usize::from(gid)],
                            first.get(GlyphId16::new(gid))
                        );
                        assert_eq!(
                            table.class2[usize::from(gid)],
                            second.get(GlyphId16::new(gid))
                        );
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "hardly any glyph checked: {checked}");
    }

    #[test]
    fn shipped_faces_cover_latin_greek_cyrillic() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let mut missing = Vec::new();
        for kind in [
            FaceKind::Regular,
            FaceKind::Bold,
            FaceKind::Italic,
            FaceKind::BoldItalic,
            FaceKind::Heading,
            FaceKind::Mono,
        ] {
            let glyphs = fonts.shape(
                "Façade Ωμέγα Привет ☐☑ — “quotes” …",
                kind,
                Pt(10.0),
                &mut missing,
            );
            assert!(glyphs.iter().all(|g| g.gid != 0));
        }
        assert!(missing.is_empty(), "missing: {missing:?}");
    }

    #[test]
    fn unknown_characters_are_reported_not_dropped() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let mut missing = Vec::new();
        let glyphs = fonts.shape("a漢b", FaceKind::Regular, Pt(10.0), &mut missing);
        assert_eq!(glyphs.len(), 3);
        assert_eq!(missing, vec!['漢']);
    }

    #[test]
    fn pairs_are_kerned() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let glyphs = fonts.shape("AV", FaceKind::Regular, Pt(10.0), &mut Vec::new());
        assert!(glyphs[0].kern < Pt::ZERO, "AV should kern: {glyphs:?}");
        let apart = fonts.width("A", FaceKind::Regular, Pt(10.0))
            + fonts.width("V", FaceKind::Regular, Pt(10.0));
        assert!(fonts.width("AV", FaceKind::Regular, Pt(10.0)) < apart);
    }

    fn spelled(glyphs: &[Glyph]) -> String {
        glyphs.iter().flat_map(Glyph::chars).collect()
    }

    #[test]
    fn text_faces_form_standard_ligatures() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        for kind in [FaceKind::Regular, FaceKind::Italic, FaceKind::Heading] {
            let glyphs = fonts.shape("fit office", kind, Pt(10.0), &mut Vec::new());
            // f+i, and f+f+i in one glyph each: 10 characters, 7 glyphs.
            assert_eq!(glyphs.len(), 7, "{kind:?}: {glyphs:?}");
            assert_eq!(glyphs[0].lig.map(Ligature::text), Some("fi"));
            assert_eq!(glyphs[4].lig.map(Ligature::text), Some("ffi"));
            assert_eq!(spelled(&glyphs), "fit office");
            // The ligature is a glyph of its own, not the f.
            let f = fonts.shape("f", kind, Pt(10.0), &mut Vec::new());
            assert_ne!(glyphs[0].gid, f[0].gid);
        }
    }

    #[test]
    fn code_keeps_one_glyph_per_character() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let glyphs = fonts.shape("office fl", FaceKind::Mono, Pt(10.0), &mut Vec::new());
        assert_eq!(glyphs.len(), 9);
        assert!(glyphs.iter().all(|g| g.lig.is_none()));
    }

    #[test]
    fn each_ligature_glyph_stands_for_one_text() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        for face in shipped_faces().expect("shipped fonts parse") {
            let mut texts: Vec<_> = face.ligatures.iter().map(|(_, l)| l.text()).collect();
            let mut gids: Vec<_> = face.ligatures.iter().map(|(g, _)| *g).collect();
            texts.sort_unstable();
            texts.dedup();
            gids.sort_unstable();
            gids.dedup();
            assert_eq!(texts.len(), face.ligatures.len(), "{}", face.name);
            assert_eq!(gids.len(), face.ligatures.len(), "{}", face.name);
        }
        // The serif text face has all five; the monospaced face none.
        assert_eq!(fonts.face(0).ligatures.len(), 5);
        assert!(fonts.face(5).ligatures.is_empty());
        // A presentation form is its ligature's glyph, extracted as the letters.
        let literal = fonts.shape("\u{fb01}", FaceKind::Regular, Pt(10.0), &mut Vec::new());
        let formed = fonts.shape("fi", FaceKind::Regular, Pt(10.0), &mut Vec::new());
        assert_eq!(literal, formed);
        assert_eq!(spelled(&literal), "fi");
    }

    #[test]
    fn advances_scale_with_size() {
        let fonts = FontSet::shipped().expect("shipped fonts parse");
        let w10 = fonts.width("Hello", FaceKind::Regular, Pt(10.0));
        let w20 = fonts.width("Hello", FaceKind::Regular, Pt(20.0));
        assert!((w20.0 - 2.0 * w10.0).abs() < 0.01);
        assert!(w10.0 > 20.0 && w10.0 < 35.0, "{w10:?}");
    }
}
