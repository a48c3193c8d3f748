//! YAML text → a JSON value plus the source position of every key and value in it.
//!
//! serde-saphyr does the parsing (duplicate keys, syntax errors, alias and depth budgets);
//! we deserialize into a position-carrying tree so that every later check, including the
//! JSON Schema validation, can point at the line and column of the key it is about.

use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::{Location, Spanned};

use super::diag::Pos;

/// Deepest nesting a bundle can need is about six levels; 32 leaves room and stops
/// pathological input long before the stack is at risk.
const MAX_DEPTH: usize = 32;
/// A generous bundle has a few thousand nodes; this stops alias bombs and runaway scripts.
const MAX_NODES: usize = 200_000;

enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::UInt(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Node, E> {
                Ok(Node::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Node::Map(entries))
            }
        }
        d.deserialize_any(NodeVisitor)
    }
}

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A key path such as `references[2].start`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// This path extended by a key.
    pub fn key(&self, k: &str) -> KeyPath {
        let mut v = self.0.clone();
        v.push(Seg::Key(k.to_owned()));
        KeyPath(v)
    }

    /// This path extended by a list index.
    pub fn index(&self, i: usize) -> KeyPath {
        let mut v = self.0.clone();
        v.push(Seg::Index(i));
        KeyPath(v)
    }

    /// Parses a JSON pointer (`/references/2/start`) as produced by the schema validator.
    pub fn from_pointer(pointer: &str, root: &Value) -> KeyPath {
        let mut segs = Vec::new();
        let mut cur = Some(root);
        for raw in pointer.split('/').skip(1) {
            let token = raw.replace("~1", "/").replace("~0", "~");
            let seg = match (cur, token.parse::<usize>()) {
                (Some(Value::Array(_)), Ok(i)) => Seg::Index(i),
                _ => Seg::Key(token),
            };
            cur = match (&seg, cur) {
                (Seg::Index(i), Some(Value::Array(a))) => a.get(*i),
                (Seg::Key(k), Some(Value::Object(o))) => o.get(k),
                _ => None,
            };
            segs.push(seg);
        }
        KeyPath(segs)
    }
}

/// Every string in `v`, which stands at `path`, with its own key path.
pub(crate) fn collect_strings(v: &Value, path: KeyPath, out: &mut Vec<(KeyPath, String)>) {
    match v {
        Value::String(s) => out.push((path, s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(item, path.index(i), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                collect_strings(item, path.key(k), out);
            }
        }
        _ => {}
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if n == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// Where a key and its value are in the source.
#[derive(Debug, Clone, Default)]
pub struct Place {
    /// The key's own position (`None` for list items and the root).
    pub key: Option<Pos>,
    /// The value's position.
    pub value: Pos,
}

/// The parsed document and the position of everything in it.
#[derive(Debug)]
pub struct Located {
    pub value: Value,
    pub places: HashMap<KeyPath, Place>,
}

impl Located {
    /// Best position to report a problem with the value at `path`: the value itself, or the
    /// closest ancestor that exists (for a missing key, the mapping that should hold it).
    pub fn value_pos(&self, path: &KeyPath) -> Option<Pos> {
        let mut p = path.0.clone();
        loop {
            if let Some(place) = self.places.get(&KeyPath(p.clone())) {
                return Some(if p.len() < path.0.len() {
                    place.key.clone().unwrap_or_else(|| place.value.clone())
                } else {
                    place.value.clone()
                });
            }
            p.pop()?;
        }
    }

    /// Position of the key at `path` (falls back to the value position).
    pub fn key_pos(&self, path: &KeyPath) -> Option<Pos> {
        match self.places.get(path) {
            Some(Place { key: Some(k), .. }) => Some(k.clone()),
            _ => self.value_pos(path),
        }
    }

    /// The byte offset where every key and value starts, sorted, each once: the next start
    /// after a string's own bounds any search for text inside that string.
    pub(crate) fn starts(&self) -> Vec<usize> {
        let mut starts: Vec<usize> = self
            .places
            .values()
            .flat_map(|p| p.key.iter().chain([&p.value]).map(|pos| pos.bytes.start))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        starts
    }
}

/// A YAML problem: message and, where known, position, key path and hint.
#[derive(Debug)]
pub struct YamlError {
    pub message: String,
    pub pos: Option<Pos>,
    /// The key path, when it is known (duplicate keys); empty otherwise.
    pub key: String,
    pub hint: Option<String>,
}

/// Parses one YAML document.
pub fn parse(source: &str) -> Result<Located, YamlError> {
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
        },
    };
    let root: Spanned<Node> =
        serde_saphyr::from_str_with_options(source, options).map_err(|e| {
            let mut err = YamlError {
                message: yaml_message(&e),
                pos: e.location().map(|l| pos(source, &l)),
                key: String::new(),
                hint: None,
            };
            if !err.message.contains("nested more than")
                && !err.message.contains("size limit")
                && !err.message.contains("expands to more than")
            {
                err.hint = Some(
                    "check the indentation and the brackets on this line and the lines above; \
                     put text that contains `: ` or ` #` in quotes"
                        .into(),
                );
            }
            if err.message.contains("tabs disallowed") {
                err.hint = Some(
                    "YAML indents with spaces only: replace the tab characters at the start of \
                     this line with spaces"
                        .into(),
                );
            }
            if err.message.contains("duplicate mapping key")
                && let Some(at) = &err.pos
                && let Some((path, first)) = find_duplicate(source, at.line, at.column)
            {
                err.hint = Some(format!(
                    "`{path}` is already set on line {first}; keep only one of them"
                ));
                err.key = path.to_string();
                err.message = "duplicate key: a key may appear only once in a mapping".into();
            }
            err
        })?;
    let mut places = HashMap::new();
    let value = convert(source, root, KeyPath::default(), None, &mut places);
    Ok(Located { value, places })
}

/// For a duplicate key reported at `line`:`column`: its key path and the line of its first
/// occurrence. The parser only says where the repeat is, so parse again letting repeats
/// through and look for them.
fn find_duplicate(source: &str, line: u64, column: u64) -> Option<(KeyPath, u64)> {
    fn walk(node: &Spanned<Node>, path: KeyPath, at: (u64, u64)) -> Option<(KeyPath, u64)> {
        match &node.value {
            Node::Seq(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, path.index(i), at)),
            Node::Map(entries) => {
                for (n, (k, _)) in entries.iter().enumerate() {
                    if (k.referenced.line(), k.referenced.column()) == at
                        && let Some((first, _)) =
                            entries[..n].iter().find(|(f, _)| f.value == k.value)
                    {
                        return Some((path.key(&k.value), first.referenced.line()));
                    }
                }
                entries
                    .iter()
                    .find_map(|(k, v)| walk(v, path.key(&k.value), at))
            }
            _ => None,
        }
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    };
    let root: Spanned<Node> = serde_saphyr::from_str_with_options(source, options).ok()?;
    walk(&root, KeyPath::default(), (line, column))
}

/// serde-saphyr's message without its own position prefix and snippet (we print ours).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::budget::BudgetBreach;
    // Budget breaches print as Debug structs; say what they mean instead.
    let mut inner = e;
    while let serde_saphyr::Error::AliasError { error, .. }
    | serde_saphyr::Error::WithSnippet { error, .. } = inner
    {
        inner = error;
    }
    if let serde_saphyr::Error::Budget { breach, .. } = inner {
        return match breach {
            BudgetBreach::Depth { .. } => too_deep(),
            BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => format!(
                "invalid YAML: the document expands to more than {MAX_NODES} values \
                 (aliases such as `*name` repeat whole subtrees); a bundle is far smaller"
            ),
            _ => "invalid YAML: the document exceeds a size limit of the YAML reader".into(),
        };
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 2 column 1: duplicate mapping key: a, set DuplicateKeyPolicy …"
    let first = match first.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest,
        _ => first,
    };
    let first = first
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(first);
    if first.contains("recursion limit exceeded") {
        return too_deep();
    }
    format!("invalid YAML: {first}")
}

fn too_deep() -> String {
    format!("invalid YAML: nested more than {MAX_DEPTH} levels deep; a bundle needs about six")
}

fn convert(
    source: &str,
    node: Spanned<Node>,
    path: KeyPath,
    key: Option<Pos>,
    places: &mut HashMap<KeyPath, Place>,
) -> Value {
    let value_pos = pos(source, &node.referenced);
    places.insert(
        path.clone(),
        Place {
            key,
            value: value_pos,
        },
    );
    match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::Number(i.into()),
        Node::UInt(u) => Value::Number(u.into()),
        Node::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        Node::Str(s) => Value::String(s),
        Node::Seq(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| convert(source, item, path.index(i), None, places))
                .collect(),
        ),
        Node::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let child = path.key(&k.value);
                let key_pos = pos(source, &k.referenced);
                let v = convert(source, v, child, Some(key_pos), places);
                map.insert(k.value, v);
            }
            Value::Object(map)
        }
    }
}

/// A serde-saphyr location as line, column and byte range in `source`.
fn pos(source: &str, loc: &Location) -> Pos {
    let span = loc.span();
    let start = match span.byte_offset() {
        Some(b) if (b as usize) <= source.len() => b as usize,
        _ => byte_of_line_col(source, loc.line(), loc.column()),
    };
    let len = span
        .byte_len()
        .filter(|&l| start + l as usize <= source.len())
        .map_or_else(
            || char_len_to_bytes(&source[start..], span.len() as usize),
            |l| l as usize,
        );
    // A block scalar's span covers several lines; the first line is enough to point at.
    let end = source[start..start + len]
        .find('\n')
        .map_or(start + len, |nl| start + nl);
    Pos {
        line: loc.line(),
        column: loc.column(),
        bytes: start..end,
    }
}

fn byte_of_line_col(source: &str, line: u64, column: u64) -> usize {
    let mut offset = 0;
    for (n, l) in source.split_inclusive('\n').enumerate() {
        if n as u64 + 1 == line {
            let col = column.saturating_sub(1) as usize;
            return offset + char_len_to_bytes(l, col);
        }
        offset += l.len();
    }
    source.len()
}

fn char_len_to_bytes(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(b, _)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_positions_of_keys_and_values() {
        let src = "format: 1\nreferences:\n  - customer: Globex\n    start: 2026-01-12\n";
        let doc = parse(src).expect("parses");
        let path = KeyPath::default().key("references").index(0).key("start");
        assert_eq!(path.to_string(), "references[0].start");
        let place = &doc.places[&path];
        assert_eq!(place.key.as_ref().map(|p| (p.line, p.column)), Some((4, 5)));
        assert_eq!((place.value.line, place.value.column), (4, 12));
        assert_eq!(&src[place.value.bytes.clone()], "2026-01-12");
    }

    #[test]
    fn duplicate_keys_are_rejected_with_position() {
        let err = parse("a: 1\na: 2\n").expect_err("duplicate key");
        assert!(err.message.contains("duplicate"), "{}", err.message);
        assert_eq!(err.pos.map(|p| p.line), Some(2));
        assert_eq!(err.key, "a");
    }

    #[test]
    fn a_nested_duplicate_key_gets_its_path_and_first_line() {
        let src = "x: 1\nrefs:\n  - a: 1\n  - a: 1\n    b: 2\n    a: 3\n";
        let err = parse(src).expect_err("duplicate key");
        assert_eq!(err.key, "refs[1].a");
        assert_eq!(err.pos.map(|p| (p.line, p.column)), Some((6, 5)));
        let hint = err.hint.unwrap_or_default();
        assert!(hint.contains("already set on line 4"), "{hint}");
    }

    #[test]
    fn pointer_paths_map_back_to_key_paths() {
        let v: Value = serde_json::json!({"references": [{"start": 1}]});
        let p = KeyPath::from_pointer("/references/0/start", &v);
        assert_eq!(p.to_string(), "references[0].start");
    }
}
