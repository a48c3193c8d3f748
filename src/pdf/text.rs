//! Line breaking: shaped words and spaces → lines of a given width → positioned text runs.
//!
//! Pure and font-agnostic: it only sees glyph advances. Ragged text breaks at spaces first
//! fit ([`break_lines`]); justified text by Knuth and Plass's total fit with hyphen demerits
//! ([`break_justified`]). Over-long words (URLs, identifiers) break inside — preferably after
//! `/`, `-`, `.` and friends. [`place_line`] sets a line, stretching or shrinking the spaces
//! of all but a paragraph's last line and, on loose lines, the gaps between letters.

use super::fonts::{FaceId, FaceKind, Glyph, Ligature};
use super::length::Pt;
use super::tags::Mark;

/// An RGB colour, components 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgb(pub f32, pub f32, pub f32);

/// What a piece of text links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Uri(String),
    Anchor(String),
}

/// The look of a run of text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RunStyle {
    pub kind: FaceKind,
    pub size: Pt,
    pub color: Rgb,
    pub link: Option<Target>,
    pub strike: bool,
    pub code_bg: bool,
    /// What the run is to a reader: content of which structure element, or an artifact.
    pub mark: Mark,
}

/// Shaped text in one style.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Piece {
    pub style: RunStyle,
    pub glyphs: Vec<Glyph>,
}

impl Piece {
    pub(crate) fn width(&self) -> Pt {
        self.glyphs.iter().map(|g| g.advance).sum()
    }
}

/// The unit the line breaker works on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Atom {
    /// Text that is not broken unless it is wider than a whole line.
    Word(Vec<Piece>),
    /// A break opportunity; its width is dropped at line ends.
    Space(Piece),
    /// A forced line break.
    Newline,
    /// A hyphenation point inside a word: takes no room, and shows its hyphen only when a
    /// line ends there. Only [`break_justified`] breaks at it; [`break_lines`] must not see it.
    Hyphen(Piece),
}

/// One broken line: words and the spaces between them (none at either end).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Line {
    pub atoms: Vec<Atom>,
    pub width: Pt,
    /// Ends at a forced break or the end of the paragraph: never justified.
    pub last: bool,
}

/// Horizontal alignment of lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
    Justify,
}

fn word_width(pieces: &[Piece]) -> Pt {
    pieces.iter().map(Piece::width).sum()
}

/// How much of a space takes part in justification: a space inside code (a long span
/// broken at its spaces) keeps the monospaced width it was written with.
fn stretch_width(space: &Piece) -> Pt {
    if space.style.code_bg {
        Pt::ZERO
    } else {
        space.width()
    }
}

// Rounding in advances must not push a line that fits exactly onto the next one.
const EPS: Pt = Pt(0.01);

/// Breaks atoms into lines no wider than `width` (except a single glyph wider than the line).
pub(crate) fn break_lines(atoms: &[Atom], width: Pt) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut cur = Line::default();
    let mut pending_space: Option<&Piece> = None;
    for atom in atoms {
        match atom {
            Atom::Newline => {
                cur.last = true;
                lines.push(std::mem::take(&mut cur));
                pending_space = None;
            }
            Atom::Space(p) => {
                if !cur.atoms.is_empty() && pending_space.is_none() {
                    pending_space = Some(p);
                }
            }
            // Callers pass hyphenated text to `break_justified` only.
            Atom::Hyphen(_) => {}
            Atom::Word(pieces) => {
                let w = word_width(pieces);
                let sw = pending_space.map(Piece::width).unwrap_or(Pt::ZERO);
                if (cur.atoms.is_empty() || cur.width + sw + w <= width + EPS) && w <= width + EPS {
                    if let Some(sp) = pending_space.take()
                        && !cur.atoms.is_empty()
                    {
                        cur.atoms.push(Atom::Space(sp.clone()));
                        cur.width += sw;
                    }
                    cur.atoms.push(Atom::Word(pieces.clone()));
                    cur.width += w;
                    continue;
                }
                if w > width + EPS {
                    // Over-long: fill the rest of this line if a useful amount is left.
                    let room = width - cur.width - sw;
                    let mut rest: Vec<Piece> = pieces.clone();
                    if !cur.atoms.is_empty() && room > width * 0.25 {
                        let (head, tail) = split_word(&rest, room);
                        // `split_word` takes one glyph even when none fits the room.
                        if !head.is_empty() && word_width(&head) <= room + EPS {
                            if let Some(sp) = pending_space.take() {
                                cur.atoms.push(Atom::Space(sp.clone()));
                                cur.width += sw;
                            }
                            cur.width += word_width(&head);
                            cur.atoms.push(Atom::Word(head));
                            rest = tail;
                        }
                    }
                    if !cur.atoms.is_empty() {
                        lines.push(std::mem::take(&mut cur));
                    }
                    pending_space = None;
                    while word_width(&rest) > width + EPS {
                        let (head, tail) = split_word(&rest, width);
                        let hw = word_width(&head);
                        lines.push(Line {
                            atoms: vec![Atom::Word(head)],
                            width: hw,
                            last: false,
                        });
                        rest = tail;
                    }
                    if !rest.is_empty() {
                        cur.width = word_width(&rest);
                        cur.atoms.push(Atom::Word(rest));
                    }
                } else {
                    lines.push(std::mem::take(&mut cur));
                    pending_space = None;
                    cur.width = w;
                    cur.atoms.push(Atom::Word(pieces.clone()));
                }
            }
        }
    }
    if !cur.atoms.is_empty() || lines.is_empty() {
        cur.last = true;
        lines.push(cur);
    } else if let Some(l) = lines.last_mut() {
        l.last = true;
    }
    lines
}

/// How far a justified line may widen its spaces (fraction of their natural width) before
/// it counts as fully loose, and how far it may squeeze them (TeX's 1/2 and 1/3 for serif
/// text; a little less shrink, as Noto Serif's space is already narrow).
const STRETCH: f32 = 0.5;
const SHRINK: f32 = 0.33;
/// Demerits for ending a line at a hyphen (TeX's \hyphenpenalty 50, squared, plus change).
const HYPHEN_DEMERITS: f64 = 2500.0;
/// Extra demerits when the last line but one of a paragraph ends in a hyphen (TeX's
/// \finalhyphendemerits): a word split just before a short last line reads badly.
const FINAL_HYPHEN_DEMERITS: f64 = 5000.0;
/// Where TeX's badness, 100·ratio³, reaches its cap of 10,000 ("infinitely bad").
const BADNESS_CAP_RATIO: f32 = 4.641_589;

/// The badness of a line whose spaces are stretched (or squeezed) by `ratio` of their
/// stretch (shrink): TeX's 100·|ratio|³ up to 10,000, then growing on along its tangent
/// instead of staying capped. A capped badness makes all lines that cannot be filled
/// equally bad, so the breaker would as soon leave "Warning at" alone on a line as end it
/// a few words later, before a long code span or URL that cannot be broken; such lines
/// are set at their natural spacing and look as if a forced break ended them. Growing
/// only linearly keeps the demerits of a paragraph with such a line small enough that the
/// other lines' choices still count in an f64 sum.
fn badness(ratio: f32) -> f64 {
    let r = f64::from(ratio.abs());
    let cap = f64::from(BADNESS_CAP_RATIO);
    if r <= cap {
        100.0 * r.powi(3)
    } else {
        10_000.0 + 300.0 * cap * cap * (r - cap)
    }
}

/// Hyphenated lines allowed in a row (explicit hyphens as in "multi-|tenant" count too).
const MAX_HYPHENS: usize = 2;

/// Breaks text that will be justified so that the whole paragraph looks even: the breaks
/// minimise the sum of the lines' squared badness plus hyphen demerits (Knuth and Plass's
/// total-fit, without fitness classes), so one tight line can spare the next a loose one.
/// At most [`MAX_HYPHENS`] lines in a row end in a hyphen. Each line considers only the
/// breaks within one line's width of it, so the work grows linearly with the paragraph.
/// Lines may be up to `SHRINK` of their space width wider than `width`; [`place_line`]
/// squeezes them back. Paragraphs with words wider than a line fall back to first fit.
/// The atoms go into the lines as they are, not copied.
pub(crate) fn break_justified(atoms: Vec<Atom>, width: Pt) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut paragraph = Vec::new();
    for a in atoms {
        if matches!(a, Atom::Newline) {
            lines.extend(fit_paragraph(std::mem::take(&mut paragraph), width));
        } else {
            paragraph.push(a);
        }
    }
    if paragraph.iter().any(|a| matches!(a, Atom::Word(_))) || lines.is_empty() {
        lines.extend(fit_paragraph(paragraph, width));
    }
    lines
}

/// Total-fit breaking of one paragraph (no forced breaks inside); its last line is `last`.
fn fit_paragraph(mut atoms: Vec<Atom>, width: Pt) -> Vec<Line> {
    // Word fragments, each with the break before it (none before the first), and where
    // in `atoms` each is.
    let mut words: Vec<(&[Piece], Option<Break>)> = Vec::new();
    let mut at: Vec<(usize, Option<usize>)> = Vec::new();
    let mut pending: Option<(Break, usize)> = None;
    for (k, a) in atoms.iter().enumerate() {
        match a {
            Atom::Space(p) => {
                if !words.is_empty() && !matches!(pending, Some((Break::Space(_), _))) {
                    pending = Some((Break::Space(p), k));
                }
            }
            Atom::Hyphen(p) => {
                if !words.is_empty() && pending.is_none() {
                    pending = Some((Break::Hyphen(p), k));
                }
            }
            Atom::Word(w) => {
                let before = pending.take();
                words.push((w.as_slice(), before.map(|(b, _)| b)));
                at.push((k, before.map(|(_, k)| k)));
            }
            Atom::Newline => {}
        }
    }
    if words.is_empty() {
        return vec![Line {
            last: true,
            ..Line::default()
        }];
    }
    if words.iter().any(|(w, _)| word_width(w) > width + EPS) {
        return break_lines(&unhyphenated(&atoms), width);
    }
    let n = words.len();
    // Per word: the space before it (zero after a hyphenation point), and whether the break
    // before it is a hyphenation point and how wide its hyphen is (one past the end: none).
    let space: Vec<Pt> = words
        .iter()
        .map(|w| match w.1 {
            Some(Break::Space(p)) => p.width(),
            _ => Pt::ZERO,
        })
        .collect();
    let hyphen: Vec<Option<Pt>> = words
        .iter()
        .map(|w| match w.1 {
            Some(Break::Hyphen(p)) => Some(p.width()),
            _ => None,
        })
        .chain(std::iter::once(None))
        .collect();
    let stretch: Vec<Pt> = words
        .iter()
        .map(|w| match w.1 {
            Some(Break::Space(p)) => stretch_width(p),
            _ => Pt::ZERO,
        })
        .collect();
    let space_w = |k: usize| space[k];
    let hyphen_w = |k: usize| hyphen[k].unwrap_or(Pt::ZERO);
    // Prefix sums of word + preceding space widths, and of the spaces' stretchable widths.
    let mut total = vec![Pt::ZERO; n + 1];
    let mut spaces = vec![Pt::ZERO; n + 1];
    for k in 0..n {
        total[k + 1] = total[k] + word_width(words[k].0) + space_w(k);
        spaces[k + 1] = spaces[k] + stretch[k];
    }
    // best[j][h]: least demerits for breaking before word j with the last h lines (h ≤ 2)
    // all ending in a hyphenation point; from[j][h]: the break, and its h, where that line
    // starts. `reached[j]`: some line may end before word j.
    let mut best = vec![[f64::INFINITY; MAX_HYPHENS + 1]; n + 1];
    let mut from = vec![[(0usize, 0usize); MAX_HYPHENS + 1]; n + 1];
    let mut reached = vec![false; n + 1];
    best[0][0] = 0.0;
    reached[0] = true;
    for j in 1..=n {
        let is_last = j == n;
        let is_hyphen = hyphen[j].is_some();
        let line_end = total[j] + hyphen_w(j);
        for i in (0..j).rev() {
            if !reached[i] {
                continue;
            }
            let natural = line_end - total[i] - space_w(i);
            let stretchable = spaces[j] - spaces[i] - stretch[i];
            let slack = width - natural;
            let demerits = if is_last {
                if slack < -EPS {
                    // The last line is set ragged, so it cannot be squeezed.
                    break;
                }
                0.0
            } else {
                let ratio = if slack.0.abs() <= EPS.0 {
                    0.0
                } else if stretchable.0 <= 0.0 {
                    // Nothing to stretch or squeeze: loose as if it had a 1 pt space (so
                    // the shorter of two such lines still wins), or overfull (never).
                    if slack > Pt::ZERO {
                        slack / (Pt(1.0) * STRETCH)
                    } else {
                        f32::NEG_INFINITY
                    }
                } else if slack > Pt::ZERO {
                    slack / (stretchable * STRETCH)
                } else {
                    slack / (stretchable * SHRINK)
                };
                if ratio < -1.0 {
                    // Too tight even when squeezed: starting earlier only makes it tighter.
                    break;
                }
                (10.0 + badness(ratio)).powi(2)
            };
            for h in 0..=MAX_HYPHENS {
                if !best[i][h].is_finite() {
                    continue;
                }
                let (next, extra) = match (is_hyphen, h) {
                    (false, _) => (0, 0.0),
                    (true, 0) => (1, HYPHEN_DEMERITS),
                    // Hyphens on two lines in a row (a "ladder"); a third is never allowed.
                    (true, h) if h < MAX_HYPHENS => (h + 1, HYPHEN_DEMERITS * 4.0),
                    (true, _) => continue,
                };
                let last_after_hyphen = if is_last && h > 0 {
                    FINAL_HYPHEN_DEMERITS
                } else {
                    0.0
                };
                let cand = best[i][h] + demerits + extra + last_after_hyphen;
                if cand < best[j][next] {
                    best[j][next] = cand;
                    from[j][next] = (i, h);
                    reached[j] = true;
                }
            }
        }
    }
    let Some(end_h) = (0..=MAX_HYPHENS)
        .filter(|&h| best[n][h].is_finite())
        .min_by(|&a, &b| best[n][a].total_cmp(&best[n][b]))
    else {
        return break_lines(&unhyphenated(&atoms), width);
    };
    let mut cuts = vec![n];
    let (mut j, mut h) = (n, end_h);
    while j > 0 {
        (j, h) = from[j][h];
        cuts.push(j);
    }
    cuts.reverse();
    // What each line shows, then the atoms moved into it: a word, the space before it
    // (not before a line's first), and the hyphen a line ends with (each atom at most once).
    let plans: Vec<(Line, Vec<usize>)> = cuts
        .windows(2)
        .map(|c| {
            let (i, j) = (c[0], c[1]);
            let line = Line {
                width: total[j] - total[i] - space_w(i) + hyphen_w(j),
                last: j == n,
                ..Line::default()
            };
            let mut take = Vec::with_capacity(2 * (j - i) + 1);
            for k in i..j {
                if k > i
                    && let (Some(Break::Space(_)), Some(space)) = (words[k].1, at[k].1)
                {
                    take.push(space);
                }
                take.push(at[k].0);
            }
            if let (Some((_, Some(Break::Hyphen(h)))), Some((_, Some(hyphen)))) =
                (words.get(j), at.get(j))
                && !h.glyphs.is_empty()
            {
                take.push(*hyphen);
            }
            (line, take)
        })
        .collect();
    plans
        .into_iter()
        .map(|(mut line, take)| {
            for k in take {
                line.atoms
                    .push(match std::mem::replace(&mut atoms[k], Atom::Newline) {
                        // A hyphen ending a line is shown: as a word of its own.
                        Atom::Hyphen(h) => Atom::Word(vec![h]),
                        other => other,
                    });
            }
            line
        })
        .collect()
}

/// A break opportunity between two word fragments.
#[derive(Clone, Copy)]
enum Break<'a> {
    Space(&'a Piece),
    Hyphen(&'a Piece),
}

/// The atoms with hyphenation points removed and the fragments they split rejoined.
fn unhyphenated(atoms: &[Atom]) -> Vec<Atom> {
    let mut out: Vec<Atom> = Vec::with_capacity(atoms.len());
    let mut join = false;
    for a in atoms {
        match a {
            Atom::Hyphen(_) => join = true,
            Atom::Word(w) if join => {
                if let Some(Atom::Word(prev)) = out.last_mut() {
                    prev.extend(w.iter().cloned());
                } else {
                    out.push(a.clone());
                }
                join = false;
            }
            other => {
                join = false;
                out.push(other.clone());
            }
        }
    }
    out
}

/// Joins again, on each line, the fragments of a word that a hyphenation point inside a
/// ligature split ("dif|fer") and the line does not break, and sets them as `reshape` shapes
/// the whole: with the ligature. The line's width follows; the next lines are unchanged.
pub(crate) fn rejoin(lines: &mut [Line], mut reshape: impl FnMut(&str, &RunStyle) -> Vec<Glyph>) {
    for line in lines {
        let mut atoms: Vec<Atom> = Vec::with_capacity(line.atoms.len());
        for atom in std::mem::take(&mut line.atoms) {
            let joinable = |prev: &Atom| match (prev, &atom) {
                (Atom::Word(a), Atom::Word(b)) => match (a.as_slice(), b.as_slice()) {
                    ([a], [b]) => {
                        a.style == b.style
                            && a.glyphs.last().zip(b.glyphs.first()).is_some_and(|(x, y)| {
                                let last = x.chars().last().unwrap_or(x.ch);
                                super::fonts::may_ligate(last, y.ch)
                            })
                    }
                    _ => false,
                },
                _ => false,
            };
            match atoms.last_mut() {
                Some(prev) if joinable(prev) => {
                    let (Atom::Word(a), Atom::Word(b)) = (prev, atom) else {
                        unreachable!("joinable atoms are words");
                    };
                    let piece = &mut a[0];
                    let text: String = piece
                        .glyphs
                        .iter()
                        .chain(&b[0].glyphs)
                        .flat_map(Glyph::chars)
                        .collect();
                    let joined = reshape(&text, &piece.style);
                    let before = piece.width() + b[0].width();
                    if joined.len() < piece.glyphs.len() + b[0].glyphs.len() {
                        piece.glyphs = joined;
                        line.width += piece.width() - before;
                    } else {
                        atoms.push(Atom::Word(b));
                    }
                }
                _ => atoms.push(atom),
            }
        }
        line.atoms = atoms;
    }
}

/// Characters after which an over-long word (URL, path, identifier) breaks most gracefully.
pub(crate) fn is_soft_break_after(c: char) -> bool {
    matches!(
        c,
        '/' | '-' | '_' | '.' | '?' | '&' | '=' | ',' | ';' | ':' | '#' | ' ' | '\\' | '|'
    )
}

/// Splits a word so the head fits `room` (at least one glyph goes into the head, so this
/// always makes progress). Prefers a break after a soft-break character in the back half.
fn split_word(pieces: &[Piece], room: Pt) -> (Vec<Piece>, Vec<Piece>) {
    let flat: Vec<(usize, &Glyph)> = pieces
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.glyphs.iter().map(move |g| (i, g)))
        .collect();
    let mut fit = 0;
    let mut acc = Pt::ZERO;
    for (_, g) in &flat {
        if acc + g.advance > room + EPS {
            break;
        }
        acc += g.advance;
        fit += 1;
    }
    let fit = fit.max(1).min(flat.len());
    let mut cut = fit;
    if fit < flat.len() {
        // Only take a friendlier break if it does not waste more than half the line.
        if let Some(k) = (fit / 2..=fit)
            .rev()
            .find(|&k| k > 0 && is_soft_break_after(flat[k - 1].1.ch))
        {
            cut = k;
        }
    }
    let mut head: Vec<Piece> = Vec::new();
    let mut tail: Vec<Piece> = Vec::new();
    // Glyphs from the same source piece stay together in one piece.
    let mut last_src: [Option<usize>; 2] = [None, None];
    for (n, (i, g)) in flat.into_iter().enumerate() {
        let side = usize::from(n >= cut);
        let dest = if side == 0 { &mut head } else { &mut tail };
        match dest.last_mut() {
            Some(last) if last_src[side] == Some(i) => last.glyphs.push(g.clone()),
            _ => dest.push(Piece {
                style: pieces[i].style.clone(),
                glyphs: vec![g.clone()],
            }),
        }
        last_src[side] = Some(i);
    }
    (head, tail)
}

/// A glyph placed on a line, with the extra room after it (justification).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedGlyph {
    pub face: FaceId,
    pub gid: u16,
    pub ch: char,
    /// Set for a ligature, which stands for several characters (`ch` is the first).
    pub lig: Option<Ligature>,
    /// Advance including kerning.
    pub advance: Pt,
    /// The kerning part of `advance` (the PDF font's own width does not know it).
    pub kern: Pt,
    pub extra: Pt,
}

/// Consecutive glyphs of one style on one line, starting at `x`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub x: Pt,
    pub style: RunStyle,
    pub glyphs: Vec<PlacedGlyph>,
}

impl PlacedGlyph {
    /// The characters the glyph stands for (several for a ligature).
    pub(crate) fn chars(&self) -> impl Iterator<Item = char> {
        super::fonts::glyph_chars(self.ch, self.lig)
    }
}

impl Run {
    pub(crate) fn width(&self) -> Pt {
        self.glyphs.iter().map(|g| g.advance + g.extra).sum()
    }
}

/// Positions a line's text inside `[x, x + width]`: runs of one style each, spaces
/// included (so extracted text keeps its word gaps).
pub(crate) fn place_line(line: &Line, x: Pt, width: Pt, align: Align) -> Vec<Run> {
    let space_total: Pt = line
        .atoms
        .iter()
        .map(|a| match a {
            Atom::Space(p) => stretch_width(p),
            _ => Pt::ZERO,
        })
        .sum();
    let slack = width - line.width;
    // Extra room per point of natural space width: spaces widen (or, after a tight break,
    // narrow) in proportion to their size, so zero-width breaks after hyphens stay shut.
    let (mut pen, per_pt) = match align {
        Align::Left => (x, 0.0),
        Align::Center => (x + slack.max(Pt::ZERO) / 2.0, 0.0),
        Align::Right => (x + slack.max(Pt::ZERO), 0.0),
        Align::Justify => {
            let k = if space_total > Pt::ZERO {
                slack / space_total
            } else {
                0.0
            };
            // A last line stays ragged.
            if line.last || space_total <= Pt::ZERO {
                (x, 0.0)
            } else {
                (x, k)
            }
        }
    };
    // A line that cannot be filled without opening rivers (a long unbreakable word or URL
    // comes next) is set at its natural spacing and stops short of the margin: stretched
    // halfway it would only look loose as well as short.
    // Ragged lines (`per_pt` 0) skip all of this: only justified lines stretch.
    let (gaps, size) = if per_pt > 0.0 {
        (letter_gaps(line), line_size(line))
    } else {
        (0, Pt::ZERO)
    };
    let filled = slack - size * TRACK_MAX * gaps as f32;
    let per_pt = if per_pt > 0.0 && filled / space_total > MAX_SPACE_STRETCH {
        0.0
    } else {
        per_pt
    };
    // A line that would still be loose takes part of its slack between letters, as
    // InDesign's letter-spacing and pdfTeX's font expansion do: at most TRACK_MAX of the
    // type size per letter gap, and never more than half the slack beyond TRACK_FROM.
    let mut track = Pt::ZERO;
    if per_pt > TRACK_FROM && gaps > 0 {
        let excess = space_total * (per_pt - TRACK_FROM) * 0.5;
        track = (excess / gaps as f32).min(size * TRACK_MAX);
    }
    let per_pt = if track > Pt::ZERO {
        (slack - track * gaps as f32) / space_total
    } else {
        per_pt
    };
    let mut runs: Vec<Run> = Vec::new();
    let mut push = |piece: &Piece, extra_each: Pt, pen: &mut Pt| {
        let placed = piece.glyphs.iter().map(|g| PlacedGlyph {
            face: g.face,
            gid: g.gid,
            ch: g.ch,
            lig: g.lig,
            advance: g.advance,
            kern: g.kern,
            extra: extra_each,
        });
        match runs.last_mut() {
            Some(r) if r.style == piece.style => r.glyphs.extend(placed),
            _ => runs.push(Run {
                x: *pen,
                style: piece.style.clone(),
                glyphs: placed.collect(),
            }),
        }
        *pen += piece.width() + extra_each * piece.glyphs.len() as f32;
    };
    for atom in &line.atoms {
        match atom {
            Atom::Word(pieces) if track > Pt::ZERO => {
                // Letter spacing inside the word only: its last glyph keeps the gap as set.
                let n = pieces.iter().map(|p| p.glyphs.len()).sum::<usize>();
                let mut seen = 0;
                for p in pieces {
                    for g in &p.glyphs {
                        seen += 1;
                        let one = Piece {
                            style: p.style.clone(),
                            glyphs: vec![g.clone()],
                        };
                        let extra = if seen < n && !p.style.code_bg {
                            track
                        } else {
                            Pt::ZERO
                        };
                        push(&one, extra, &mut pen);
                    }
                }
            }
            Atom::Word(pieces) => {
                for p in pieces {
                    push(p, Pt::ZERO, &mut pen);
                }
            }
            Atom::Space(p) => {
                // The extra room goes after the (single) space glyph.
                let n = p.glyphs.len().max(1) as f32;
                push(p, stretch_width(p) * per_pt / n, &mut pen);
            }
            Atom::Newline | Atom::Hyphen(_) => {}
        }
    }
    runs
}

/// Type size of a line's first word.
fn line_size(line: &Line) -> Pt {
    line.atoms
        .iter()
        .find_map(|a| match a {
            Atom::Word(p) => p.first().map(|p| p.style.size),
            _ => None,
        })
        .unwrap_or(Pt(10.0))
}

/// Share of a space's width beyond which a justified line also spaces its letters.
const TRACK_FROM: f32 = 0.25;
/// The most letter spacing a line takes, as a share of its type size (1.2 %).
const TRACK_MAX: f32 = 0.012;

/// The most a justified line widens its spaces, as a share of their natural width: a little
/// under the stretch the breaker counts as fully loose (ratio 1).
const MAX_SPACE_STRETCH: f32 = STRETCH * 0.95;

/// Glyphs of a line that take letter spacing after them: all but each word's last, not code.
fn letter_gaps(line: &Line) -> usize {
    line.atoms
        .iter()
        .map(|a| match a {
            Atom::Word(p) => {
                let n: usize = p.iter().map(|p| p.glyphs.len()).sum();
                let mut seen = 0;
                let mut tracked = 0;
                for p in p {
                    for _ in &p.glyphs {
                        seen += 1;
                        tracked += usize::from(seen < n && !p.style.code_bg);
                    }
                }
                tracked
            }
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A style for tests; advances are given explicitly, so no font is involved.
    pub(crate) fn style() -> RunStyle {
        RunStyle {
            kind: FaceKind::Regular,
            size: Pt(10.0),
            color: Rgb(0.0, 0.0, 0.0),
            link: None,
            strike: false,
            code_bg: false,
            mark: crate::pdf::tags::Mark::Content(0),
        }
    }

    fn glyphs(text: &str, adv: f32) -> Vec<Glyph> {
        text.chars()
            .map(|ch| Glyph {
                face: 0,
                gid: 1,
                advance: Pt(adv),
                kern: Pt::ZERO,
                ch,
                lig: None,
            })
            .collect()
    }

    /// Words of 5 pt per character and 3 pt spaces.
    pub(crate) fn atoms(text: &str) -> Vec<Atom> {
        let mut out = Vec::new();
        for (i, w) in text.split(' ').enumerate() {
            if i > 0 {
                out.push(Atom::Space(Piece {
                    style: style(),
                    glyphs: glyphs(" ", 3.0),
                }));
            }
            out.push(Atom::Word(vec![Piece {
                style: style(),
                glyphs: glyphs(w, 5.0),
            }]));
        }
        out
    }

    fn line_text(l: &Line) -> String {
        l.atoms
            .iter()
            .flat_map(|a| match a {
                Atom::Word(p) => p.clone(),
                Atom::Space(p) => vec![p.clone()],
                Atom::Newline | Atom::Hyphen(_) => vec![],
            })
            .flat_map(|p| p.glyphs.into_iter().map(|g| g.ch))
            .collect()
    }

    #[test]
    fn wraps_greedily_within_the_width() {
        // "aaaa bbbb cccc": words 20 pt, spaces 3 pt; 45 pt holds two words (43 pt).
        let lines = break_lines(&atoms("aaaa bbbb cccc"), Pt(45.0));
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts, ["aaaa bbbb", "cccc"]);
        assert_eq!(lines[0].width, Pt(43.0));
        assert!(!lines[0].last && lines[1].last);
    }

    #[test]
    fn exact_fit_stays_on_the_line() {
        let lines = break_lines(&atoms("aaaa bbbb"), Pt(43.0));
        assert_eq!(lines.len(), 1);
    }

    #[test]
    fn over_long_words_are_broken_not_overflowing() {
        let url = "https://example.com/a/very/long/path/that/never/ends";
        let lines = break_lines(&atoms(url), Pt(100.0));
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.width <= Pt(100.0), "line too wide: {:?}", l.width);
        }
        let joined: String = lines.iter().map(line_text).collect();
        assert_eq!(joined, url, "no character lost or added");
        // Prefers to break after a slash.
        assert!(
            line_text(&lines[0]).ends_with('/'),
            "{}",
            line_text(&lines[0])
        );
    }

    #[test]
    fn justification_fills_the_line_except_the_last() {
        let lines = break_lines(&atoms("aa bb cc dd ee ff"), Pt(38.0));
        assert!(lines.len() >= 2);
        let first = place_line(&lines[0], Pt(0.0), Pt(38.0), Align::Justify);
        let end: Pt = first
            .iter()
            .map(|r| r.x + r.width())
            .fold(Pt::ZERO, Pt::max);
        assert!(
            (end.0 - 38.0).abs() < 0.01,
            "justified line ends at {end:?}"
        );
        let last = place_line(
            lines.last().expect("lines"),
            Pt(0.0),
            Pt(40.0),
            Align::Justify,
        );
        let last_end: Pt = last.iter().map(|r| r.x + r.width()).fold(Pt::ZERO, Pt::max);
        assert!(last_end < Pt(39.0), "last line is ragged");
        let ragged = place_line(&lines[0], Pt(0.0), Pt(40.0), Align::Left);
        assert!(
            ragged
                .iter()
                .all(|r| r.glyphs.iter().all(|g| g.extra == Pt::ZERO))
        );
    }

    /// Demerits of a set of lines, computed independently of the breaker: `None` if a line
    /// is overfull beyond its shrink.
    fn demerits(lines: &[Line], width: Pt) -> Option<f64> {
        let mut sum = 0.0;
        for l in lines {
            let spaces = l
                .atoms
                .iter()
                .filter(|a| matches!(a, Atom::Space(_)))
                .count();
            let slack = (width - l.width).0;
            if l.last {
                if slack < -0.01 {
                    return None;
                }
                continue;
            }
            // A line without spaces is loose as if it had 1 pt of them.
            let room = f64::from(if spaces == 0 {
                1.0
            } else {
                3.0 * spaces as f32
            }) * f64::from(if slack > 0.0 { STRETCH } else { SHRINK });
            let r = if slack.abs() <= 0.01 {
                0.0
            } else {
                f64::from(slack) / room
            };
            if r < -1.0 || (spaces == 0 && slack < 0.0) {
                return None;
            }
            // 100·r³, continued past 10,000 (at r = 10,000^(1/3) / 100^(1/3)) by its tangent.
            let cap = (10_000.0f64 / 100.0).cbrt();
            let b = if r.abs() <= cap {
                100.0 * r.abs().powi(3)
            } else {
                10_000.0 + 300.0 * cap * cap * (r.abs() - cap)
            };
            sum += (10.0 + b).powi(2);
        }
        Some(sum)
    }

    #[test]
    fn total_fit_finds_the_known_optimum() {
        // Every way of breaking a short paragraph, tried by brute force: the breaker's choice
        // has the least demerits, and it is never rougher than first fit.
        let text = "aaaa bb cccccc d eee ffff gg hhhhh iii jj k llll";
        let words: Vec<&str> = text.split(' ').collect();
        let n = words.len();
        let mut beats_greedy = false;
        for width in [45.0, 52.0, 60.0, 71.0, 88.0] {
            let width = Pt(width);
            let mut best = f64::INFINITY;
            for mask in 0u32..(1 << (n - 1)) {
                let mut lines = Vec::new();
                let mut cur: Vec<&str> = vec![words[0]];
                for (k, w) in words.iter().enumerate().skip(1) {
                    if mask & (1 << (k - 1)) != 0 {
                        lines.push(cur.join(" "));
                        cur.clear();
                    }
                    cur.push(w);
                }
                lines.push(cur.join(" "));
                let set: Vec<Line> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Line {
                        atoms: atoms(t),
                        width: Pt(t.chars().map(|c| if c == ' ' { 3.0 } else { 5.0 }).sum()),
                        last: i + 1 == lines.len(),
                    })
                    .collect();
                if let Some(d) = demerits(&set, width) {
                    best = best.min(d);
                }
            }
            let fit = break_justified(atoms(text), width);
            let got = demerits(&fit, width).expect("no overfull line");
            assert!(
                (got - best).abs() <= best * 1e-4,
                "width {width:?}: {got} > optimum {best}: {:?}",
                fit.iter().map(line_text).collect::<Vec<_>>()
            );
            let greedy = break_lines(&atoms(text), width);
            if let Some(g) = demerits(&greedy, width) {
                assert!(got <= g);
                beats_greedy |= got < g;
            }
        }
        assert!(beats_greedy, "first fit was already optimal everywhere");
    }

    /// Words of five-letter syllables, each followed by a hyphenation point.
    fn syllables(words: usize, per_word: usize) -> Vec<Atom> {
        let hyphen = Piece {
            style: style(),
            glyphs: glyphs("-", 3.0),
        };
        let mut out = Vec::new();
        for w in 0..words {
            if w > 0 {
                out.push(Atom::Space(Piece {
                    style: style(),
                    glyphs: glyphs(" ", 3.0),
                }));
            }
            for s in 0..per_word {
                if s > 0 {
                    out.push(Atom::Hyphen(hyphen.clone()));
                }
                out.push(Atom::Word(vec![Piece {
                    style: style(),
                    glyphs: glyphs("abcde", 5.0),
                }]));
            }
        }
        out
    }

    #[test]
    fn breaks_at_hyphenation_points_showing_the_hyphen() {
        // One word of four syllables (100 pt) on lines of 62 pt: it must be hyphenated.
        let lines = break_justified(syllables(1, 4), Pt(62.0));
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts, ["abcdeabcde-", "abcdeabcde"]);
        assert_eq!(lines[0].width, Pt(53.0));
    }

    #[test]
    fn the_last_line_does_not_follow_a_hyphen_when_spacing_allows() {
        // Twelve words and a two-syllable one. Breaking "a-bcdef" fills the first line
        // exactly but leaves a hyphen on the last line but one; not breaking it stretches
        // the first line's spaces by 0.79 of their stretch, which is better than that.
        let space = || {
            Atom::Space(Piece {
                style: style(),
                glyphs: glyphs(" ", 3.0),
            })
        };
        let word = |t: &str| {
            Atom::Word(vec![Piece {
                style: style(),
                glyphs: glyphs(t, 5.0),
            }])
        };
        let mut atoms = Vec::new();
        for _ in 0..12 {
            atoms.extend([word("abcde"), space()]);
        }
        atoms.extend([
            word("a"),
            Atom::Hyphen(Piece {
                style: style(),
                glyphs: glyphs("-", 5.0),
            }),
            word("bcdef"),
        ]);
        let lines = break_justified(atoms, Pt(346.0));
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts.len(), 2);
        assert_eq!(texts[1], "abcdef", "{texts:?}");
    }

    #[test]
    fn never_three_hyphenated_lines_in_a_row() {
        // Long words that only fit when hyphenated, on a narrow measure.
        for width in [58.0, 63.0, 77.0, 90.0] {
            let lines = break_justified(syllables(12, 5), Pt(width));
            let ends: Vec<bool> = lines.iter().map(|l| line_text(l).ends_with('-')).collect();
            assert!(ends.iter().any(|&e| e), "hyphenates at {width}");
            assert!(
                !ends.windows(3).any(|w| w.iter().all(|&e| e)),
                "three hyphens in a row at {width}: {:?}",
                lines.iter().map(line_text).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn long_paragraphs_break_in_linear_time() {
        // 20,000 words: quadratic work would take minutes; this is well under a second.
        let text = vec!["lorem ipsum dolor sit amet"; 4000].join(" ");
        let lines = break_justified(atoms(&text), Pt(300.0));
        assert!(lines.len() > 500);
        let joined: usize = lines.iter().map(|l| line_text(l).len() + 1).sum();
        assert_eq!(joined, text.len() + 1);
    }

    #[test]
    fn hopeless_lines_stop_short_instead_of_opening_rivers() {
        // "aa bb" then a word that fits only on its own line: 20 pt of slack for one space.
        let lines = break_justified(atoms("aa bb ccccccc"), Pt(43.0));
        assert_eq!(line_text(&lines[0]), "aa bb");
        let runs = place_line(&lines[0], Pt(0.0), Pt(43.0), Align::Justify);
        let end: Pt = runs.iter().map(|r| r.x + r.width()).fold(Pt::ZERO, Pt::max);
        // Set as written, like a last line: no wide space, no letter spacing.
        let natural = lines[0].width;
        assert!(
            (end - natural).0.abs() < 0.01,
            "ends at {end:?}, natural {natural:?}"
        );
        assert!(
            runs.iter()
                .flat_map(|r| &r.glyphs)
                .all(|g| g.extra == Pt::ZERO)
        );
        // A line that can be filled within the stretch still is.
        let lines = break_justified(atoms("aa bb ccccccc"), Pt(24.0));
        assert_eq!(line_text(&lines[0]), "aa bb");
        let runs = place_line(&lines[0], Pt(0.0), Pt(24.0), Align::Justify);
        let end: Pt = runs.iter().map(|r| r.x + r.width()).fold(Pt::ZERO, Pt::max);
        assert!((end - Pt(24.0)).0.abs() < 0.01, "ends at {end:?}");
    }

    #[test]
    fn a_line_that_cannot_be_filled_still_ends_as_late_as_it_can() {
        // On 100 pt the long words leave no way to fill every line. "aa" alone (90 pt
        // short) lets the next line come close; running on to the c's leaves a line only
        // 9 pt short and the next 12 pt short. The second is far better: a line that cannot
        // be filled is set unstretched, and a very short one looks like a forced break.
        let text = "aa bbb cccccccccccc ddd eeeeeeeeeeeeee fff";
        let lines = break_justified(atoms(text), Pt(100.0));
        let texts: Vec<String> = lines.iter().map(line_text).collect();
        assert_eq!(texts, ["aa bbb cccccccccccc", "ddd eeeeeeeeeeeeee", "fff"]);
    }

    #[test]
    fn spaces_inside_code_take_no_stretch() {
        let code = RunStyle {
            code_bg: true,
            ..style()
        };
        let mut a = atoms("aa bb");
        a.extend([
            Atom::Space(Piece {
                style: style(),
                glyphs: glyphs(" ", 3.0),
            }),
            Atom::Word(vec![Piece {
                style: code.clone(),
                glyphs: glyphs("cc", 5.0),
            }]),
            Atom::Space(Piece {
                style: code.clone(),
                glyphs: glyphs(" ", 3.0),
            }),
            Atom::Word(vec![Piece {
                style: code,
                glyphs: glyphs("dd", 5.0),
            }]),
        ]);
        let line = Line {
            atoms: a,
            width: Pt(49.0),
            last: false,
        };
        // 1 pt of slack goes to the two text spaces; the space in the code keeps 3 pt.
        let runs = place_line(&line, Pt::ZERO, Pt(50.0), Align::Justify);
        let spaces: Vec<Pt> = runs
            .iter()
            .flat_map(|r| &r.glyphs)
            .filter(|g| g.ch == ' ')
            .map(|g| g.advance + g.extra)
            .collect();
        assert_eq!(spaces, [Pt(3.5), Pt(3.5), Pt(3.0)]);
    }

    #[test]
    fn fragments_split_inside_a_ligature_are_rejoined_on_one_line() {
        let word = |t: &str| {
            Atom::Word(vec![Piece {
                style: style(),
                glyphs: glyphs(t, 5.0),
            }])
        };
        // "dif|fer" kept on one line, "hy|phen" too, and "of|" ending a line.
        let mut lines = vec![
            Line {
                atoms: vec![
                    word("dif"),
                    word("fer"),
                    Atom::Space(Piece {
                        style: style(),
                        glyphs: glyphs(" ", 3.0),
                    }),
                ],
                width: Pt(33.0),
                last: false,
            },
            Line {
                atoms: vec![word("hy"), word("phen")],
                width: Pt(30.0),
                last: false,
            },
            Line {
                atoms: vec![word("of"), word("-")],
                width: Pt(15.0),
                last: true,
            },
        ];
        let mut asked = Vec::new();
        // A font with an "ff" ligature 6 pt wide.
        rejoin(&mut lines, |t, _| {
            asked.push(t.to_string());
            let mut out = glyphs(&t.replace("ff", "f"), 5.0);
            if let Some(k) = t.find("ff") {
                out[k].advance = Pt(6.0);
            }
            out
        });
        assert_eq!(asked, ["differ"], "only a possible ligature is reshaped");
        assert_eq!(lines[0].atoms.len(), 2);
        assert_eq!(lines[0].width, Pt(29.0));
        assert_eq!(line_text(&lines[0]), "difer ");
        assert_eq!(lines[1].atoms.len(), 2);
        assert_eq!(lines[2].atoms.len(), 2);
    }

    #[test]
    fn newline_forces_a_break() {
        let mut a = atoms("aa bb");
        a.insert(1, Atom::Newline);
        let lines = break_lines(&a, Pt(200.0));
        assert_eq!(lines.len(), 2);
        assert!(lines[0].last);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Words of 1 to 30 letters (5 pt each, so some are wider than narrow lines).
        fn words() -> impl Strategy<Value = Vec<String>> {
            prop::collection::vec("[a-z]{1,30}", 1..120)
        }

        fn check(lines: &[Line], text: &str, width: Pt, align: Align) -> Result<(), TestCaseError> {
            // No text lost or invented: the letters come back in order.
            let got: String = lines
                .iter()
                .map(line_text)
                .collect::<String>()
                .replace(' ', "");
            prop_assert_eq!(got, text.replace(' ', ""));
            // Nothing set wider than the measure (a justified line may shrink its spaces):
            // over-long words are broken, not overflowing.
            for l in lines {
                prop_assert!(!l.atoms.is_empty(), "an empty line");
                let runs = place_line(l, Pt::ZERO, width, align);
                let end = runs.iter().map(|r| r.x + r.width()).fold(Pt::ZERO, Pt::max);
                prop_assert!(end <= width + Pt(0.01), "set to {:?} in {:?}", end, width);
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]

            #[test]
            fn wrapping_keeps_every_letter_within_the_width(words in words(), width in 5.0f32..400.0) {
                let text = words.join(" ");
                let width = Pt(width);
                check(&break_lines(&atoms(&text), width), &text, width, Align::Left)?;
                check(&break_justified(atoms(&text), width), &text, width, Align::Justify)?;
            }
        }
    }
}
