//! The packet's logical structure (PDF/UA-1, PDF/A-3a): a tree of structure elements that
//! layout builds in reading order, the [`Mark`] each drawn item carries (content of one
//! element, or an artifact), and the objects written from them — the `/StructTreeRoot`, one
//! `/StructElem` per element, the parent tree, `/OBJR` references to link annotations.
//!
//! Layout gives element ids in document order, parents before children; drawing numbers the
//! marked-content sequences of each page (MCIDs) as it writes them. An element's kids are
//! its children in the order layout made them, with its own content slotted in where it
//! comes in the pages, so an element continued on the next page is one element with content
//! on both.

use lopdf::{Dictionary, Object, ObjectId};

/// A structure element, by its index in its [`Tree`].
pub(crate) type NodeId = u32;

/// What a drawn item is to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Real content of an element.
    Content(NodeId),
    /// Page furniture, which assistive technology skips.
    Artifact(Artifact),
}

impl Mark {
    /// The same mark in a tree whose ids start `base` further on (a part laid out on its
    /// own and then appended to the document's tree).
    pub(crate) fn shifted(self, base: NodeId) -> Mark {
        match self {
            Mark::Content(n) => Mark::Content(n + base),
            a @ Mark::Artifact(_) => a,
        }
    }
}

/// Kinds of page furniture (ISO 32000-1, 14.8.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Artifact {
    /// The running header.
    Header,
    /// The page number at the foot.
    Footer,
    /// Rules, shading, leader dots, a table head repeated on a later page.
    Layout,
}

/// Which cells a header cell is the header of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Column,
    Row,
}

/// Standard structure types (ISO 32000-1, 14.8.4); no role map is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Document,
    /// A heading, level 1–6.
    H(u8),
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    THead,
    TBody,
    TR,
    TH(Scope),
    TD,
    Figure,
    Caption,
    Link,
    BlockQuote,
    Code,
    Toc,
    TocItem,
}

impl Role {
    /// The structure type's name, also used as the marked-content tag.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H(1) => "H1",
            Role::H(2) => "H2",
            Role::H(3) => "H3",
            Role::H(4) => "H4",
            Role::H(5) => "H5",
            Role::H(_) => "H6",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::THead => "THead",
            Role::TBody => "TBody",
            Role::TR => "TR",
            Role::TH(_) => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Caption => "Caption",
            Role::Link => "Link",
            Role::BlockQuote => "BlockQuote",
            Role::Code => "Code",
            Role::Toc => "TOC",
            Role::TocItem => "TOCI",
        }
    }
}

/// One structure element.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub role: Role,
    /// `None`: a child of whatever the tree is appended to (the document).
    pub parent: Option<NodeId>,
    /// A figure's alternative text, or a link's description (its annotation's `/Contents`).
    pub text: Option<String>,
}

/// Structure elements in reading order, each after its parent.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// A tree holding only the `Document` element (id 0), for the parts to be appended to.
    pub(crate) fn document() -> Tree {
        let mut tree = Tree::default();
        tree.push(Role::Document, None);
        tree
    }

    /// Adds an element after every element so far.
    pub(crate) fn push(&mut self, role: Role, parent: Option<NodeId>) -> NodeId {
        self.push_node(Node {
            role,
            parent,
            text: None,
        })
    }

    /// Adds an element with alternative text or a description.
    pub(crate) fn push_described(
        &mut self,
        role: Role,
        parent: Option<NodeId>,
        text: String,
    ) -> NodeId {
        self.push_node(Node {
            role,
            parent,
            text: Some(text),
        })
    }

    fn push_node(&mut self, node: Node) -> NodeId {
        let id = self.nodes.len() as NodeId;
        debug_assert!(node.parent.is_none_or(|p| p < id), "parents come first");
        self.nodes.push(node);
        id
    }

    /// Appends a part laid out on its own, its top elements becoming children of `parent`;
    /// returns what its ids are shifted by (see [`Mark::shifted`]).
    pub(crate) fn append(&mut self, part: Tree, parent: NodeId) -> NodeId {
        let base = self.nodes.len() as NodeId;
        self.nodes.extend(part.nodes.into_iter().map(|n| Node {
            parent: Some(n.parent.map_or(parent, |p| p + base)),
            ..n
        }));
        base
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
}

/// A link annotation as the page holds it: its object and the `Link` element it belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Annotation {
    pub page: usize,
    pub id: ObjectId,
    pub node: NodeId,
}

/// Where a piece of content sits in the document: page, then MCID.
type Position = (u32, u32);

/// Writes the structure tree of a document whose tree is `tree` (element 0 the
/// `Document`), whose page `k` (object `page_ids[k]`) marked MCID `i` as content of
/// element `mcids[k][i]`, and whose link annotations are `annotations`, in page order.
/// Sets each page's `/StructParents` and each annotation's `/StructParent`; returns the
/// `/StructTreeRoot` for the catalog.
pub(crate) fn write(
    doc: &mut lopdf::Document,
    tree: &Tree,
    mcids: &[Vec<NodeId>],
    page_ids: &[ObjectId],
    annotations: &[Annotation],
) -> ObjectId {
    let n = tree.len();
    // Each element's own content in document order, grouped by element (a counting sort:
    // one allocation, not one per element).
    let mut start = vec![0u32; n + 1];
    for &node in mcids.iter().flatten() {
        start[node as usize + 1] += 1;
    }
    for k in 0..n {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut own: Vec<Position> = vec![(0, 0); start[n] as usize];
    for (page, marks) in mcids.iter().enumerate() {
        for (mcid, &node) in marks.iter().enumerate() {
            let slot = &mut fill[node as usize];
            own[*slot as usize] = (page as u32, mcid as u32);
            *slot += 1;
        }
    }
    let own_of = |k: usize| &own[start[k] as usize..start[k + 1] as usize];

    // Where each element's content begins, its descendants' included: children come after
    // their parents, so one backward sweep carries it up.
    let mut first: Vec<Option<Position>> = (0..n).map(|k| own_of(k).first().copied()).collect();
    for k in (1..n).rev() {
        if let (Some(p), Some(pos)) = (tree.nodes[k].parent, first[k]) {
            let f = &mut first[p as usize];
            *f = Some(f.map_or(pos, |q| q.min(pos)));
        }
    }

    let mut child_start = vec![0u32; n + 1];
    for node in &tree.nodes[1..] {
        if let Some(p) = node.parent {
            child_start[p as usize + 1] += 1;
        }
    }
    for k in 0..n {
        child_start[k + 1] += child_start[k];
    }
    let mut child_fill = child_start.clone();
    let mut children = vec![0 as NodeId; child_start[n] as usize];
    for (k, node) in tree.nodes.iter().enumerate().skip(1) {
        if let Some(p) = node.parent {
            let slot = &mut child_fill[p as usize];
            children[*slot as usize] = k as NodeId;
            *slot += 1;
        }
    }

    let mut objrs: std::collections::BTreeMap<NodeId, Vec<&Annotation>> = Default::default();
    for a in annotations {
        objrs.entry(a.node).or_default().push(a);
    }

    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = (0..n).map(|_| doc.new_object_id()).collect();
    for k in 0..n {
        let node = &tree.nodes[k];
        let own = own_of(k);
        let page = own.first().map(|&(p, _)| p as usize);
        let mut kids: Vec<Object> = Vec::new();
        let mcr = |&(p, mcid): &Position| {
            if Some(p as usize) == page {
                Object::Integer(i64::from(mcid))
            } else {
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"MCR".to_vec())),
                    ("Pg", Object::Reference(page_ids[p as usize])),
                    ("MCID", Object::Integer(i64::from(mcid))),
                ]))
            }
        };
        let mut next = 0;
        for &c in &children[child_start[k] as usize..child_start[k + 1] as usize] {
            if let Some(pos) = first[c as usize] {
                while next < own.len() && own[next] < pos {
                    kids.push(mcr(&own[next]));
                    next += 1;
                }
            }
            kids.push(Object::Reference(ids[c as usize]));
        }
        kids.extend(own[next..].iter().map(mcr));
        if let Some(annotations) = objrs.get(&(k as NodeId)) {
            for a in annotations {
                kids.push(Object::Dictionary(Dictionary::from_iter(vec![
                    ("Type", Object::Name(b"OBJR".to_vec())),
                    ("Pg", Object::Reference(page_ids[a.page])),
                    ("Obj", Object::Reference(a.id)),
                ])));
            }
        }

        // `/Type /StructElem` is optional and left out: a thousand elements in a packet of
        // twenty pages, each entry a key and a name to make and write.
        let mut dict = Dictionary::from_iter(vec![
            ("S", Object::Name(node.role.name().as_bytes().to_vec())),
            (
                "P",
                Object::Reference(node.parent.map_or(root, |p| ids[p as usize])),
            ),
        ]);
        if let Some(p) = page {
            dict.set("Pg", Object::Reference(page_ids[p]));
        }
        // One kid (most elements: a line of text, a cell) stands alone, not in an array.
        match kids.len() {
            0 => {}
            1 => dict.set("K", kids.pop().unwrap_or(Object::Null)),
            _ => dict.set("K", Object::Array(kids)),
        }
        match (node.role, &node.text) {
            (Role::Figure, text) => dict.set(
                "Alt",
                super::util::text_string(text.as_deref().unwrap_or("")),
            ),
            (Role::TH(scope), _) => dict.set(
                "A",
                Object::Dictionary(Dictionary::from_iter(vec![
                    ("O", Object::Name(b"Table".to_vec())),
                    (
                        "Scope",
                        Object::Name(match scope {
                            Scope::Column => b"Column".to_vec(),
                            Scope::Row => b"Row".to_vec(),
                        }),
                    ),
                ])),
            ),
            _ => {}
        }
        doc.objects.insert(ids[k], Object::Dictionary(dict));
    }

    // The parent tree: page k's key is k, the annotations' keys follow.
    let mut nums = Vec::with_capacity(2 * (mcids.len() + annotations.len()));
    for (k, marks) in mcids.iter().enumerate() {
        nums.push(Object::Integer(k as i64));
        nums.push(Object::Array(
            marks
                .iter()
                .map(|&m| Object::Reference(ids[m as usize]))
                .collect(),
        ));
        if let Ok(Object::Dictionary(page)) = doc.get_object_mut(page_ids[k]) {
            page.set("StructParents", Object::Integer(k as i64));
        }
    }
    for (j, a) in annotations.iter().enumerate() {
        let key = (mcids.len() + j) as i64;
        nums.push(Object::Integer(key));
        nums.push(Object::Reference(ids[a.node as usize]));
        if let Ok(Object::Dictionary(annot)) = doc.get_object_mut(a.id) {
            annot.set("StructParent", Object::Integer(key));
        }
    }
    let parent_tree = doc.add_object(Dictionary::from_iter(vec![("Nums", Object::Array(nums))]));
    let mut root_dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"StructTreeRoot".to_vec())),
        ("ParentTree", Object::Reference(parent_tree)),
        (
            "ParentTreeNextKey",
            Object::Integer((mcids.len() + annotations.len()) as i64),
        ),
    ]);
    if let Some(&document) = ids.first() {
        root_dict.set("K", Object::Reference(document));
    }
    doc.objects.insert(root, Object::Dictionary(root_dict));
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(doc: &lopdf::Document, id: ObjectId) -> &Dictionary {
        doc.get_dictionary(id).expect("a dictionary")
    }

    fn name(d: &Dictionary, key: &str) -> String {
        String::from_utf8(
            d.get(key.as_bytes())
                .and_then(Object::as_name)
                .unwrap()
                .to_vec(),
        )
        .unwrap()
    }

    /// `/K` as a list: an array, or the one kid standing alone.
    fn kids(d: &Dictionary) -> Vec<Object> {
        match d.get(b"K") {
            Ok(Object::Array(a)) => a.clone(),
            Ok(one) => vec![one.clone()],
            Err(_) => Vec::new(),
        }
    }

    /// A paragraph over two pages with a link in its first line, then a one-cell table.
    fn sample() -> (lopdf::Document, ObjectId, Vec<ObjectId>, Vec<ObjectId>) {
        let mut part = Tree::default();
        let p = part.push(Role::P, None);
        let link = part.push_described(Role::Link, Some(p), "Prerequisites".into());
        let table = part.push(Role::Table, None);
        let tr = part.push(Role::TR, Some(table));
        let th = part.push(Role::TH(Scope::Row), Some(tr));
        let mut tree = Tree::document();
        let base = tree.append(part, 0);
        assert_eq!(base, 1);
        let (p, link, th) = (p + base, link + base, th + base);

        let mut doc = lopdf::Document::with_version("1.7");
        let pages: Vec<ObjectId> = (0..2)
            .map(|_| doc.add_object(Dictionary::from_iter(vec![("Type", "Page".into())])))
            .collect();
        let annot = doc.add_object(Dictionary::from_iter(vec![("Type", "Annot".into())]));
        // Page 1: paragraph text, the link's text, paragraph text; page 2: the paragraph's
        // last line, then the header cell.
        let mcids = vec![vec![p, link, p], vec![p, th]];
        let annotations = [Annotation {
            page: 0,
            id: annot,
            node: link,
        }];
        let root = write(&mut doc, &tree, &mcids, &pages, &annotations);
        (doc, root, pages, vec![annot])
    }

    #[test]
    fn elements_hold_their_content_in_reading_order_across_pages() {
        let (doc, root, pages, _) = sample();
        let root = dict(&doc, root);
        assert_eq!(name(root, "Type"), "StructTreeRoot");
        let document = root.get(b"K").unwrap().as_reference().unwrap();
        assert_eq!(name(dict(&doc, document), "S"), "Document");
        let top = kids(dict(&doc, document));
        assert_eq!(top.len(), 2, "{top:?}");
        let p = dict(&doc, top[0].as_reference().unwrap());
        assert_eq!(name(p, "S"), "P");
        assert_eq!(p.get(b"Pg").unwrap().as_reference().unwrap(), pages[0]);
        // MCID 0, the link, MCID 2 on its own page; then the line on page 2 by reference.
        let k = kids(p);
        assert_eq!(k[0], Object::Integer(0));
        let link = dict(&doc, k[1].as_reference().unwrap());
        assert_eq!(name(link, "S"), "Link");
        assert_eq!(k[2], Object::Integer(2));
        let mcr = k[3].as_dict().unwrap();
        assert_eq!(name(mcr, "Type"), "MCR");
        assert_eq!(mcr.get(b"Pg").unwrap().as_reference().unwrap(), pages[1]);
        assert_eq!(mcr.get(b"MCID").unwrap(), &Object::Integer(0));
        assert_eq!(k.len(), 4);

        let table = dict(&doc, top[1].as_reference().unwrap());
        let tr = dict(&doc, kids(table)[0].as_reference().unwrap());
        let th = dict(&doc, kids(tr)[0].as_reference().unwrap());
        assert_eq!(name(th, "S"), "TH");
        let a = th.get(b"A").unwrap().as_dict().unwrap();
        assert_eq!(name(a, "O"), "Table");
        assert_eq!(name(a, "Scope"), "Row");
        assert_eq!(th.get(b"Pg").unwrap().as_reference().unwrap(), pages[1]);
        assert_eq!(kids(th), vec![Object::Integer(1)]);
    }

    #[test]
    fn the_parent_tree_maps_pages_and_annotations_back_to_elements() {
        let (doc, root, pages, annots) = sample();
        let root = dict(&doc, root);
        assert_eq!(root.get(b"ParentTreeNextKey").unwrap(), &Object::Integer(3));
        let tree = dict(
            &doc,
            root.get(b"ParentTree").unwrap().as_reference().unwrap(),
        );
        let nums = tree.get(b"Nums").unwrap().as_array().unwrap();
        assert_eq!(nums.len(), 6);
        let elem = |o: &Object| name(dict(&doc, o.as_reference().unwrap()), "S");
        assert_eq!(nums[0], Object::Integer(0));
        let page1: Vec<String> = nums[1].as_array().unwrap().iter().map(elem).collect();
        assert_eq!(page1, ["P", "Link", "P"]);
        let page2: Vec<String> = nums[3].as_array().unwrap().iter().map(elem).collect();
        assert_eq!(page2, ["P", "TH"]);
        assert_eq!(nums[4], Object::Integer(2));
        assert_eq!(elem(&nums[5]), "Link");
        for (k, &page) in pages.iter().enumerate() {
            let key = dict(&doc, page).get(b"StructParents").unwrap();
            assert_eq!(key, &Object::Integer(k as i64));
        }
        let annot = dict(&doc, annots[0]);
        assert_eq!(annot.get(b"StructParent").unwrap(), &Object::Integer(2));

        // The link element refers back to its annotation.
        let link = nums[5].as_reference().unwrap();
        let objr = kids(dict(&doc, link))
            .into_iter()
            .find_map(|k| k.as_dict().ok().cloned())
            .expect("an OBJR");
        assert_eq!(name(&objr, "Type"), "OBJR");
        assert_eq!(objr.get(b"Obj").unwrap().as_reference().unwrap(), annots[0]);
        assert_eq!(objr.get(b"Pg").unwrap().as_reference().unwrap(), pages[0]);
    }

    #[test]
    fn figures_always_have_alternative_text_and_empty_elements_stay() {
        let mut tree = Tree::document();
        let fig = tree.push_described(Role::Figure, Some(0), "Architecture".into());
        tree.push(Role::TD, Some(0));
        let mut doc = lopdf::Document::with_version("1.7");
        let page = doc.add_object(Dictionary::new());
        let root = write(&mut doc, &tree, &[vec![fig]], &[page], &[]);
        let document = dict(&doc, root).get(b"K").unwrap().as_reference().unwrap();
        let top = kids(dict(&doc, document));
        let fig = dict(&doc, top[0].as_reference().unwrap());
        assert_eq!(
            fig.get(b"Alt").unwrap(),
            &Object::String(b"Architecture".to_vec(), lopdf::StringFormat::Literal)
        );
        // An empty cell keeps its place in its row, with nothing in it.
        let td = dict(&doc, top[1].as_reference().unwrap());
        assert_eq!(name(td, "S"), "TD");
        assert!(td.get(b"K").is_err() && td.get(b"Pg").is_err());
    }

    #[test]
    fn appended_parts_hang_under_the_given_parent_and_marks_follow() {
        let mut part = Tree::default();
        let l = part.push(Role::L, None);
        let li = part.push(Role::LI, Some(l));
        let mut tree = Tree::document();
        tree.push(Role::P, Some(0));
        let base = tree.append(part, 0);
        assert_eq!(base, 2);
        assert_eq!(tree.node(2).parent, Some(0));
        assert_eq!(tree.node(3).parent, Some(2));
        assert_eq!(Mark::Content(li).shifted(base), Mark::Content(3));
        assert_eq!(
            Mark::Artifact(Artifact::Footer).shifted(base),
            Mark::Artifact(Artifact::Footer)
        );
    }
}
