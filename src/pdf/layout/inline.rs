//! Inline text: styled runs → atoms (words, spaces, hyphenation points) → broken lines
//! → positioned text, link and background items.

use std::sync::Arc;

use super::flow::{Ctx, Flow, PageRef, TextStyle};
use super::frame::{Chunk, Item};
use super::theme::{CODE_BG, LINK, MET, NOT_MET, baseline};
use crate::pdf::fonts::{FaceKind, Glyph};
use crate::pdf::length::Pt;
use crate::pdf::model::{self, Inline, Link, Status};
use crate::pdf::tags::{Mark, NodeId, Role};
use crate::pdf::text::{self, Align, Atom, Line, Piece, PlacedGlyph, RunStyle, Target};

/// Whether a word may take hyphens: e-mail addresses, domains, paths, identifiers and
/// anything with a digit (numbers, versions, instance types) stay whole.
fn may_hyphenate(chars: &[char]) -> bool {
    !(chars
        .iter()
        .any(|c| c.is_ascii_digit() || matches!(c, '@' | '/' | '_' | '\\'))
        || chars
            .windows(2)
            .any(|w| w[0] == '.' && w[1].is_alphanumeric()))
}

/// The longest code span, in characters, kept whole on one line: a command and its
/// argument (`dossier init`) or a key and its value (`public: true`), read as one term.
const MAX_GLUED_CODE: usize = 12;

impl Flow<'_> {
    fn run_style(&self, s: &model::InlineStyle, base: &TextStyle, mark: Mark) -> RunStyle {
        let bold = s.bold || s.status.is_some();
        let (kind, size) = if s.code {
            (FaceKind::Mono, base.size * 0.88)
        } else {
            (base.kind.with(bold, s.italic), base.size)
        };
        let link = match &s.link {
            Some(Link::External(u)) => Some(Target::Uri(u.clone())),
            Some(Link::Internal(a)) if self.known.contains(a) => Some(Target::Anchor(a.clone())),
            _ => None,
        };
        let color = match s.status {
            Some(Status::Met) => MET,
            Some(Status::NotMet) => NOT_MET,
            None if link.is_some() => LINK,
            None => base.color,
        };
        RunStyle {
            kind,
            size,
            color,
            link,
            strike: s.strike,
            code_bg: s.code,
            mark,
        }
    }

    pub(super) fn page_label(&mut self, anchor: &str) -> String {
        let page = self.page_of.get(anchor).copied();
        self.labels.push((anchor.to_string(), page));
        match page {
            Some(n) => n.to_string(),
            // First pass: a two-digit placeholder keeps the second pass's lines close.
            None => "00".to_string(),
        }
    }

    /// Inline runs → atoms for the line breaker. Text is content of `mark`'s element, each
    /// link's of a `Link` element of its own inside it.
    pub(super) fn atoms(
        &mut self,
        inlines: &[Inline],
        base: &TextStyle,
        page_ref: PageRef,
        mark: Mark,
    ) -> Vec<Atom> {
        let mut out = Vec::new();
        let mut word: Vec<Piece> = Vec::new();
        let mut link: Option<NodeId> = None;
        for (i, inline) in inlines.iter().enumerate() {
            if let Some(Link::Internal(a)) = &inline.style.link
                && !self.known.contains(a)
            {
                let w = format!(
                    "{}: the link to #{a} has no matching heading; it is shown as plain text",
                    self.context
                );
                if !self.warnings.contains(&w) {
                    self.warnings.push(w);
                }
            }
            let mut style = self.run_style(&inline.style, base, mark);
            if let (Some(_), Mark::Content(parent)) = (&style.link, mark) {
                let continues = i > 0 && inlines[i - 1].style.link == inline.style.link;
                let node = match link {
                    Some(node) if continues => node,
                    _ => {
                        let text: String = inlines[i..]
                            .iter()
                            .take_while(|n| n.style.link == inline.style.link)
                            .map(|n| n.text.as_str())
                            .collect();
                        self.tags
                            .push_described(Role::Link, Some(parent), text.trim().to_string())
                    }
                };
                link = Some(node);
                style.mark = Mark::Content(node);
            } else {
                link = None;
            }
            if inline.text == "\n" {
                self.flush_word(&mut word, &mut out);
                out.push(Atom::Newline);
                continue;
            }
            // Verdicts ("Not Met") and short code spans (`dossier init`) read as one term:
            // they never break at their spaces, nor stretch them. A longer span
            // (`Your ML Solution`) is a phrase; kept whole, it can leave the line before it
            // too short to fill, so it breaks at its spaces as text does (they still do not
            // stretch: `text::stretch_width`).
            let glue = inline.style.status.is_some()
                || (style.code_bg && inline.text.chars().count() <= MAX_GLUED_CODE);
            self.push_text(&inline.text, &style, glue, &mut word, &mut out);
            // After the last run of an internal link, say which page it points to.
            if let (Some(Target::Anchor(a)), true) = (&style.link, page_ref != PageRef::None) {
                let next_same = inlines
                    .get(i + 1)
                    .is_some_and(|n| n.style.link == inline.style.link);
                if !next_same {
                    let mut s = style.clone();
                    s.kind = base.kind;
                    s.strike = false;
                    s.code_bg = false;
                    let label = self.page_label(a);
                    let suffix = format!(", p.\u{a0}{label}");
                    self.push_text(&suffix, &s, false, &mut word, &mut out);
                }
            }
        }
        self.flush_word(&mut word, &mut out);
        out
    }

    fn push_text(
        &mut self,
        text: &str,
        style: &RunStyle,
        glue: bool,
        word: &mut Vec<Piece>,
        out: &mut Vec<Atom>,
    ) {
        let mut buf = String::new();
        // Half the tokens are spaces: shaped once per run, not looked up in the cache each.
        let mut space: Option<Vec<Glyph>> = None;
        for c in text.chars() {
            match c {
                ' ' if glue => buf.push(c),
                ' ' | '\t' | '\n' | '\r' | '\u{200b}' => {
                    self.push_token(&buf, style, word);
                    buf.clear();
                    self.flush_word(word, out);
                    let glyphs = if c == '\u{200b}' {
                        Vec::new()
                    } else {
                        space
                            .get_or_insert_with(|| self.shape(" ", style.kind, style.size))
                            .clone()
                    };
                    out.push(Atom::Space(Piece {
                        style: style.clone(),
                        glyphs,
                    }));
                }
                _ => buf.push(c),
            }
        }
        self.push_token(&buf, style, word);
    }

    /// Shapes a space-free token onto the current word. A bare http(s) URL in unlinked
    /// text becomes a link, as GitHub shows it (trailing punctuation stays outside).
    fn push_token(&mut self, token: &str, style: &RunStyle, word: &mut Vec<Piece>) {
        if token.is_empty() {
            return;
        }
        let starts_with = |prefix: &str| {
            token
                .get(..prefix.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(prefix))
        };
        if style.link.is_none()
            && !style.code_bg
            && (starts_with("https://") || starts_with("http://"))
        {
            let url = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '"']);
            let rest = &token[url.len()..];
            let mark = match style.mark {
                Mark::Content(parent) => Mark::Content(self.tags.push_described(
                    Role::Link,
                    Some(parent),
                    url.to_string(),
                )),
                artifact => artifact,
            };
            let link_style = RunStyle {
                color: LINK,
                link: Some(Target::Uri(url.to_string())),
                mark,
                ..style.clone()
            };
            let glyphs = self.shape(url, style.kind, style.size);
            word.push(Piece {
                style: link_style,
                glyphs,
            });
            if !rest.is_empty() {
                let glyphs = self.shape(rest, style.kind, style.size);
                word.push(Piece {
                    style: style.clone(),
                    glyphs,
                });
            }
            return;
        }
        let glyphs = self.shape(token, style.kind, style.size);
        word.push(Piece {
            style: style.clone(),
            glyphs,
        });
    }

    /// Adds hyphenation points to plain words, and break points after the hyphens of
    /// compounds ("multi-tenant"), for the justified line breaker.
    fn hyphenate(&mut self, atoms: Vec<Atom>) -> Vec<Atom> {
        let mut out = Vec::with_capacity(atoms.len());
        for atom in atoms {
            let Atom::Word(pieces) = &atom else {
                out.push(atom);
                continue;
            };
            let [piece] = pieces.as_slice() else {
                out.push(atom);
                continue;
            };
            if piece.style.code_bg || matches!(piece.style.link, Some(Target::Uri(_))) {
                out.push(atom);
                continue;
            }
            // Break points as character indices: (index, shows a hyphen when broken).
            let chars: Vec<char> = piece.glyphs.iter().flat_map(|g| g.chars()).collect();
            if !may_hyphenate(&chars) {
                out.push(atom);
                continue;
            }
            let mut cuts: Vec<(usize, bool)> = Vec::new();
            let mut start = 0;
            while start < chars.len() {
                if !chars[start].is_alphabetic() {
                    start += 1;
                    continue;
                }
                let end = chars[start..]
                    .iter()
                    .position(|c| !c.is_alphabetic())
                    .map_or(chars.len(), |p| start + p);
                let segment: String = chars[start..end].iter().collect();
                if let Some(dict) = &self.settings.hyphenation {
                    cuts.extend(
                        crate::pdf::hyphen::points(dict, &segment)
                            .into_iter()
                            .map(|p| (start + p, true)),
                    );
                }
                // An explicit hyphen between letters is a break point that adds nothing.
                if chars.get(end) == Some(&'-')
                    && chars.get(end + 1).is_some_and(|c| c.is_alphabetic())
                    && end - start >= 2
                {
                    cuts.push((end + 1, false));
                }
                start = end;
            }
            if cuts.is_empty() {
                out.push(atom);
                continue;
            }
            let hyphen = Piece {
                style: piece.style.clone(),
                glyphs: self.shape("-", piece.style.kind, piece.style.size),
            };
            // The character index each glyph starts at (ligatures span several).
            let starts: Vec<usize> = std::iter::once(0)
                .chain(piece.glyphs.iter().scan(0, |n, g| {
                    *n += g.chars().count();
                    Some(*n)
                }))
                .collect();
            let mut from = 0;
            for (at, shows) in cuts {
                out.push(Atom::Word(vec![Piece {
                    style: piece.style.clone(),
                    glyphs: self.fragment(piece, &chars, &starts, from..at),
                }]));
                out.push(Atom::Hyphen(if shows {
                    hyphen.clone()
                } else {
                    Piece {
                        style: piece.style.clone(),
                        glyphs: Vec::new(),
                    }
                }));
                from = at;
            }
            out.push(Atom::Word(vec![Piece {
                style: piece.style.clone(),
                glyphs: self.fragment(piece, &chars, &starts, from..chars.len()),
            }]));
        }
        out
    }

    /// The glyphs for characters `range` of a word being hyphenated: a slice of its glyphs,
    /// or, where a cut falls inside a ligature ("dif|fer"), the fragment shaped on its own
    /// (`text::rejoin` restores the ligature if the word is not broken there).
    fn fragment(
        &mut self,
        piece: &Piece,
        chars: &[char],
        starts: &[usize],
        range: std::ops::Range<usize>,
    ) -> Vec<Glyph> {
        match (
            starts.binary_search(&range.start),
            starts.binary_search(&range.end),
        ) {
            (Ok(a), Ok(b)) => piece.glyphs[a..b].to_vec(),
            _ => {
                let text: String = chars[range].iter().collect();
                self.shape(&text, piece.style.kind, piece.style.size)
            }
        }
    }

    fn flush_word(&self, word: &mut Vec<Piece>, out: &mut Vec<Atom>) {
        if !word.is_empty() {
            out.push(Atom::Word(std::mem::take(word)));
        }
    }

    /// Items for one placed line whose box starts at `top`.
    pub(super) fn line_items(
        &self,
        line: &Line,
        x: Pt,
        width: Pt,
        align: Align,
        top: Pt,
        style: &TextStyle,
    ) -> Vec<Item> {
        let runs = text::place_line(line, x, width, align);
        let base = top + baseline(style.size, style.leading);
        let mut back = Vec::new();
        let mut front = Vec::new();
        let mut links: Vec<Item> = Vec::new();
        for run in &runs {
            let w = run.width();
            let size = run.style.size;
            if run.style.code_bg {
                back.push(Item::Rect {
                    x: run.x - Pt(1.5),
                    y: base - size * 0.95,
                    w: w + Pt(3.0),
                    h: size * 1.3,
                    color: CODE_BG,
                });
            }
            // One text item per face (fallback fonts split a run).
            let mut pen = run.x;
            let mut start = 0;
            while start < run.glyphs.len() {
                let face = run.glyphs[start].face;
                let end = run.glyphs[start..]
                    .iter()
                    .position(|g| g.face != face)
                    .map_or(run.glyphs.len(), |p| start + p);
                let glyphs: Arc<[PlacedGlyph]> = Arc::from(&run.glyphs[start..end]);
                let seg_w: Pt = glyphs.iter().map(|g| g.advance + g.extra).sum();
                front.push(Item::Text {
                    x: pen,
                    y: base,
                    face,
                    size,
                    color: run.style.color,
                    glyphs,
                    mark: run.style.mark,
                });
                pen += seg_w;
                start = end;
            }
            if run.style.strike {
                let y = base - size * 0.27;
                front.push(Item::Line {
                    x1: run.x,
                    y1: y,
                    x2: run.x + w,
                    y2: y,
                    width: size * 0.06,
                    color: run.style.color,
                });
            }
            // A link in page furniture has no element to belong to, so no annotation.
            if let (Some(target), Mark::Content(node)) = (&run.style.link, run.style.mark) {
                let h = style.leading;
                match links.last_mut() {
                    Some(Item::Link {
                        x: lx,
                        w: lw,
                        node: n,
                        ..
                    }) if *n == node && (*lx + *lw - run.x).0.abs() < 0.5 => {
                        *lw = run.x + w - *lx;
                    }
                    _ => links.push(Item::Link {
                        x: run.x,
                        y: top,
                        w,
                        h,
                        target: target.clone(),
                        node,
                    }),
                }
            }
        }
        back.extend(front);
        back.extend(links);
        back
    }

    /// Text of element `node` → chunks, one per line, glued against widows and orphans.
    pub(super) fn text_chunks(
        &mut self,
        inlines: &[Inline],
        style: TextStyle,
        ctx: Ctx,
        page_ref: PageRef,
        space_before: Pt,
        node: NodeId,
    ) -> Vec<Chunk> {
        let atoms = self.atoms(inlines, &style, page_ref, Mark::Content(node));
        let lines = if ctx.align == Align::Justify {
            let atoms = self.hyphenate(atoms);
            let mut lines = text::break_justified(atoms, ctx.width);
            text::rejoin(&mut lines, |t, s| self.shape(t, s.kind, s.size));
            lines
        } else {
            text::break_lines(&atoms, ctx.width)
        };
        let n = lines.len();
        let mut chunks: Vec<Chunk> = lines
            .iter()
            .enumerate()
            .map(|(k, line)| Chunk {
                height: style.leading,
                space_before: if k == 0 { space_before } else { Pt::ZERO },
                items: self.line_items(line, ctx.x, ctx.width, ctx.align, Pt::ZERO, &style),
                baseline: Some(baseline(style.size, style.leading)),
                context: self.context.clone(),
                ..Chunk::default()
            })
            .collect();
        if n >= 2 {
            chunks[0].keep_with_next = true;
            chunks[n - 2].keep_with_next = true;
        }
        chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::layout::frame::Item;
    use crate::pdf::layout::testing::*;

    #[test]
    fn addresses_numbers_and_paths_take_no_hyphens() {
        let ok = |w: &str| may_hyphenate(&w.chars().collect::<Vec<_>>());
        assert!(ok("straightforward"));
        assert!(ok("multi-tenant"));
        assert!(ok("Explanations:"));
        assert!(!ok("procurement@northwind.example"));
        assert!(!ok("www.example.com"));
        assert!(!ok("https://docs.aws.amazon.com/sagemaker"));
        assert!(!ok("partner.support_plan"));
        assert!(!ok("ml.g5.xlarge"));
        assert!(!ok("1,000,000"));
    }

    #[test]
    fn justified_paragraphs_hyphenate_words_but_not_urls() {
        let long = "Characterisation ".repeat(3);
        let md = format!(
            "## A\n\n{long}internationalisation https://internationalisation.example.com/administration/configuration \
             {long}procurement@internationalisation.example.com {long}\n"
        );
        let text = all_text(&run(&md));
        assert!(
            text.contains("https://internationalisation.example.com/administration/configuration"),
            "the URL is whole:\n{text}"
        );
        assert!(
            text.contains("procurement@internationalisation.example.com"),
            "the address is whole:\n{text}"
        );
    }

    #[test]
    fn hyphens_inside_ligatures_break_them_only_where_used() {
        // "dif-fer-ent" hyphenates between the two f of its ligature. Shifting the words by
        // a few letters makes some layouts break there.
        let mut broken = 0;
        for shift in 0..24 {
            let md = format!(
                "## A\n\n{} {}\n",
                "x".repeat(shift + 1),
                "different ".repeat(80)
            );
            let l = run(&md);
            let text = all_text(&l);
            let splits = text.matches("dif-\nferent").count();
            broken += splits;
            let whole = text.replace("-\n", "").matches("different").count();
            assert_eq!(whole, 80, "{text}");
            let ff = l
                .pages
                .iter()
                .flat_map(|p| &p.items)
                .filter_map(|i| match i {
                    Item::Text { glyphs, .. } => Some(glyphs.iter()),
                    _ => None,
                })
                .flatten()
                .filter(|g| g.lig.is_some_and(|l| l.text() == "ff"))
                .count();
            // Every "different" not broken between its f's keeps the ligature.
            assert_eq!(ff, 80 - splits, "{text}");
        }
        assert!(broken > 0, "no layout broke inside the ligature");
    }

    #[test]
    fn long_code_spans_may_break_at_their_spaces_short_ones_stay_whole() {
        // Shifting the text by a few letters brings each span to a line end in some layout.
        let mut long_broken = 0;
        for shift in 0..24 {
            let md = format!(
                "## A\n\n{} {}\n",
                "x".repeat(shift + 1),
                "the starter text `Your Company, Inc.` that `dossier init` wrote; ".repeat(12)
            );
            let text = all_text(&run(&md));
            assert!(!text.contains("dossier\ninit"), "{text}");
            assert_eq!(text.matches("dossier init").count(), 12, "{text}");
            long_broken +=
                text.matches("Your\nCompany").count() + text.matches("Company,\nInc.").count();
        }
        assert!(long_broken > 0, "no layout broke the long span");
    }

    #[test]
    fn a_line_before_a_long_code_span_is_not_left_short() {
        // A list item of the starter packet's advisories: kept whole, the 18-letter value
        // could not follow "starter text" on the first line, and the breaker, finding that
        // line hopeless either way, ended it after "still the".
        let md = "## A\n\n- **Warning** at `partner.name` (line 13 of `bundle.yaml`): still the \
                  starter text `Your Company, Inc.` that `dossier init` wrote. Replace it with \
                  the partner's own value. (`starter-text`)\n\
                  - **Warning** at `partner.website` (line 14 of `bundle.yaml`): still the \
                  starter text `https://www.example.com` that `dossier init` wrote. Replace it \
                  with the partner's own value. (`starter-text`)\n\
                  - **Warning** at `solution.name` (line 28 of `bundle.yaml`): still the \
                  starter text `Your ML Solution` that `dossier init` wrote. Replace it with \
                  the partner's own value. (`starter-text`)\n";
        let text = all_text(&run(md)).replace('\u{2022}', "");
        let lines: Vec<&str> = text.lines().collect();
        let first = |start: &str| {
            lines
                .iter()
                .find(|l| l.starts_with(start))
                .copied()
                .unwrap_or_default()
        };
        assert!(
            first("Warning at partner.name").ends_with("starter text Your Company,"),
            "{text}"
        );
        assert!(
            first("Warning at solution.name").ends_with("starter text Your"),
            "{text}"
        );
        // The URL cannot break, so this line stays short; but it ends as late as it can.
        assert!(
            first("Warning at partner.website").ends_with("still the starter text"),
            "{text}"
        );
    }
}
