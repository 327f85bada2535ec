//! A YAML tree whose every node knows where it came from.
//!
//! serde-saphyr parses; we keep the generic tree (not typed structs) so the parser in
//! `parse.rs` can report *all* problems at once, each with the line and column of the offending
//! key or value, and so `--set` overrides can be applied before validation.

use std::fmt;
use std::rc::Rc;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::error::{InputError, InputErrors};

/// File label used for errors in values that came from `--set` overrides.
pub const SET_LABEL: &str = "<--set>";

/// Where a node came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The scenario file, at a 1-based line and column.
    File { line: u64, column: u64 },
    /// A `--set PATH=VALUE` override; holds `PATH` as the user wrote it.
    Set(Rc<str>),
    /// A value imported from a Kubernetes manifest (see [`crate::scenario::manifests`]).
    Manifest(Rc<ManifestOrigin>),
}

/// Where in a Kubernetes manifest an imported value came from: errors in it point there, with
/// the Kubernetes field path (`spec.template.spec.containers[0].resources.requests.cpu`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestOrigin {
    pub file: Rc<str>,
    pub line: u64,
    pub column: u64,
    pub path: String,
}

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    /// Integers; i128 so that every u64 (a seed, say) and every i64 fit.
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Located>),
    /// Entries in file order (duplicate keys are rejected by the parser).
    Map(Vec<(LocatedKey, Located)>),
}

impl Node {
    /// How the value reads in an error message: "a string", "a list", ...
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) => "an integer",
            Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// The value as one line of flow-style YAML that parses back to the same value (used to
    /// turn a variant's `set` values, which may be mappings and lists, into `--set` text).
    /// A top-level string stays plain when it reads back as the same string; other strings
    /// are double-quoted (JSON escapes are valid YAML).
    pub fn to_flow_yaml(&self) -> String {
        match self {
            Node::Str(s) if plain_string_reads_back(s) => s.clone(),
            other => other.flow(),
        }
    }

    fn flow(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).expect("strings serialise");
        match self {
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Float(x) if x.is_nan() => ".nan".into(),
            Node::Float(x) if x.is_infinite() => if *x > 0.0 { ".inf" } else { "-.inf" }.into(),
            // `{:?}` keeps a decimal point or exponent, so 1.0 stays a float.
            Node::Float(x) => format!("{x:?}"),
            Node::Str(s) => quote(s),
            Node::Seq(items) => {
                let items: Vec<String> = items.iter().map(|i| i.node.flow()).collect();
                format!("[{}]", items.join(", "))
            }
            Node::Map(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", quote(&k.name), v.node.flow()))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
        }
    }

    /// A scalar rendered as text (for fields whose values are strings but may be written as
    /// numbers or booleans, such as label values). `None` for null and collections.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Bool(b) => Some(b.to_string()),
            Node::Int(i) => Some(i.to_string()),
            Node::Float(x) => Some(x.to_string()),
            Node::Str(s) => Some(s.clone()),
            Node::Null | Node::Seq(_) | Node::Map(_) => None,
        }
    }
}

/// A node with its origin.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub node: Node,
    pub origin: Origin,
}

/// A mapping key with its origin (where unknown-field errors point).
#[derive(Clone, Debug, PartialEq)]
pub struct LocatedKey {
    pub name: String,
    pub origin: Origin,
}

impl Located {
    pub fn new(node: Node, origin: Origin) -> Self {
        Located { node, origin }
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Located> {
        match &self.node {
            Node::Map(entries) => entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Replaces every origin in this subtree (used for values given with `--set`).
    pub fn set_origin(&mut self, origin: &Origin) {
        self.origin = origin.clone();
        match &mut self.node {
            Node::Seq(items) => items.iter_mut().for_each(|i| i.set_origin(origin)),
            Node::Map(entries) => {
                for (k, v) in entries {
                    k.origin = origin.clone();
                    v.set_origin(origin);
                }
            }
            _ => {}
        }
    }
}

/// Whether `s` written plainly parses back as the string `s` (not a number, a boolean, a
/// mapping...).
pub(crate) fn plain_string_reads_back(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(['\n', '#', '"', '\''])
        && parse(s, SET_LABEL).is_ok_and(|l| l.node == Node::Str(s.to_string()))
}

/// Builds an [`InputError`] located at `origin`. Errors in overridden values go to the `<--set>`
/// label and name the override, since the file's lines say nothing about them.
pub fn error_at(file: &str, origin: &Origin, path: &str, message: impl fmt::Display) -> InputError {
    match origin {
        Origin::File { line, column } => InputError {
            file: file.to_string(),
            line: *line,
            column: *column,
            path: path.to_string(),
            message: message.to_string(),
        },
        Origin::Set(set_path) => InputError {
            file: SET_LABEL.to_string(),
            line: 0,
            column: 0,
            path: path.to_string(),
            message: format!("{message} (from --set {set_path})"),
        },
        Origin::Manifest(m) => InputError {
            file: m.file.to_string(),
            line: m.line,
            column: m.column,
            path: m.path.clone(),
            message: message.to_string(),
        },
    }
}

/// Wraps serde-saphyr's located values into our tree.
struct Raw(Located);
struct RawKey(LocatedKey);

fn origin_of<T>(s: &Spanned<T>) -> Origin {
    Origin::File {
        line: s.referenced.line(),
        column: s.referenced.column(),
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeOnly>::deserialize(d)?;
        let origin = origin_of(&spanned);
        Ok(Raw(Located::new(spanned.value.0, origin)))
    }
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<KeyOnly>::deserialize(d)?;
        let origin = origin_of(&spanned);
        Ok(RawKey(LocatedKey {
            name: spanned.value.0,
            origin,
        }))
    }
}

/// The node itself, without position (serde-saphyr supplies that through `Spanned`).
struct NodeOnly(Node);

impl<'de> Deserialize<'de> for NodeOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor).map(NodeOnly)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        // Beyond i128 nothing in a scenario is valid; keep it as a float so it is reported.
        Ok(i128::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        NodeOnly::deserialize(d).map(|n| n.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(Raw(item)) = seq.next_element::<Raw>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((RawKey(k), Raw(v))) = map.next_entry::<RawKey, Raw>()? {
            entries.push((k, v));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key: any scalar, as text (`1: x` has key "1").
struct KeyOnly(String);

impl<'de> Deserialize<'de> for KeyOnly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NodeOnly::deserialize(d)?.0.scalar_text() {
            Some(text) => Ok(KeyOnly(text)),
            None => Err(de::Error::custom(
                "mapping keys must be plain names, not lists, mappings or null",
            )),
        }
    }
}

/// Parser options: budgets of `max_documents` documents of at most `max_nodes` nodes in all.
fn options(max_documents: usize, max_nodes: usize) -> serde_saphyr::Options {
    serde_saphyr::options! {
        // Keep alias expansion ("billion laughs") and nesting far below what could hurt.
        budget: serde_saphyr::budget! {
            max_events: max_nodes * 4,
            max_nodes: max_nodes,
            max_depth: 64,
            max_documents: max_documents,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
        },
        // We print our own one-line messages.
        with_snippet: false,
        // `on`/`off`/`yes`/`no` stay strings: only `true` and `false` are booleans.
        strict_booleans: true,
    }
}

/// Parses YAML text into a located tree. An empty document is `Null`.
pub fn parse(text: &str, file_label: &str) -> Result<Located, InputErrors> {
    match serde_saphyr::from_str_with_options::<Option<Raw>>(text, options(1, 250_000)) {
        Ok(Some(Raw(root))) => Ok(root),
        Ok(None) => Ok(Located::new(
            Node::Null,
            Origin::File { line: 1, column: 1 },
        )),
        Err(e) => Err(InputErrors(vec![syntax_error(&e, file_label)])),
    }
}

/// Parses a multi-document YAML stream (Kubernetes manifests: documents separated by `---`)
/// into one located tree per non-empty document.
pub fn parse_documents(text: &str, file_label: &str) -> Result<Vec<Located>, InputErrors> {
    // A node list of 5,000 nodes is about a million YAML nodes.
    let options = options(10_000, 2_000_000);
    match serde_saphyr::from_multiple_with_options::<Option<Raw>>(text, options) {
        Ok(docs) => Ok(docs.into_iter().flatten().map(|Raw(l)| l).collect()),
        Err(e) => Err(InputErrors(vec![syntax_error(&e, file_label)])),
    }
}

/// Turns a parser error into one line at its location.
fn syntax_error(e: &serde_saphyr::Error, file_label: &str) -> InputError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    let options = serde_saphyr::render_options! {
        snippets: serde_saphyr::SnippetMode::Off,
    };
    let rendered = e.render_with_options(options);
    let first = rendered.lines().next().unwrap_or("invalid YAML").trim();
    // The plain rendering ends with " at line L column C"; we print the location ourselves.
    let mut message = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    // Advice about parser options means nothing to a user of the simulator.
    if let Some(i) = message.find(", set DuplicateKeyPolicy") {
        message = &message[..i];
    }
    if message.starts_with("budget breached") {
        return InputError {
            file: file_label.to_string(),
            line,
            column,
            path: String::new(),
            message: format!(
                "the document is too large, too deeply nested, expands too many aliases or holds \
                 more than one document ({message})"
            ),
        };
    }
    InputError {
        file: file_label.to_string(),
        line,
        column,
        path: String::new(),
        message: format!("invalid YAML: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_yaml_reads_back_as_the_same_value() {
        // (value in a file, its flow text): strings that would read as something else are
        // quoted; floats keep their decimal point.
        let cases = [
            ("most-allocated", "most-allocated"),
            ("\"true\"", "\"true\""),
            ("\"10\"", "\"10\""),
            ("10", "10"),
            ("1.0", "1.0"),
            ("{cpu: 2, memory: 2Gi}", "{\"cpu\": 2, \"memory\": \"2Gi\"}"),
            ("[zone-a, \"b, c\"]", "[\"zone-a\", \"b, c\"]"),
            (
                "{a: [1, {b: null}], c: -2.5e-3}",
                "{\"a\": [1, {\"b\": null}], \"c\": -0.0025}",
            ),
        ];
        for (text, flow) in cases {
            let node = parse(text, "t").unwrap().node;
            assert_eq!(node.to_flow_yaml(), flow, "{text}");
            let again = parse(&node.to_flow_yaml(), "t").unwrap().node;
            assert_eq!(again.to_flow_yaml(), flow, "{text} reads back the same");
        }
    }

    #[test]
    fn scalars_and_positions() {
        let root = parse(
            "a: 8\nb: \"true\"\nc: true\nd: 32Gi\ne: ~\nf: [1, 2.5]\n",
            "t",
        )
        .unwrap();
        let Node::Map(entries) = &root.node else {
            panic!("not a map")
        };
        let got: Vec<_> = entries
            .iter()
            .map(|(k, v)| (k.name.as_str(), v.node.clone()))
            .collect();
        assert_eq!(got[0], ("a", Node::Int(8)));
        assert_eq!(got[1], ("b", Node::Str("true".into())));
        assert_eq!(got[2], ("c", Node::Bool(true)));
        assert_eq!(got[3], ("d", Node::Str("32Gi".into())));
        assert_eq!(got[4], ("e", Node::Null));
        assert_eq!(entries[3].0.origin, Origin::File { line: 4, column: 1 });
        assert_eq!(entries[3].1.origin, Origin::File { line: 4, column: 4 });
        let f = root.get("f").unwrap();
        let Node::Seq(items) = &f.node else { panic!() };
        assert_eq!(items[1].node, Node::Float(2.5));
        assert_eq!(items[1].origin, Origin::File { line: 6, column: 8 });
    }

    #[test]
    fn big_unsigned_integers_survive() {
        let root = parse("seed: 18446744073709551615", "t").unwrap();
        assert_eq!(root.get("seed").unwrap().node, Node::Int(u64::MAX.into()));
    }

    #[test]
    fn syntax_errors_are_one_line_with_location() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n", "f.yaml").unwrap_err();
        let text = err.to_string();
        assert_eq!(err.len(), 1);
        assert!(!text.contains('\n'), "{text}");
        assert!(text.starts_with("error: f.yaml:"), "{text}");
        let dup = parse("a: 1\na: 2\n", "f.yaml").unwrap_err().to_string();
        assert!(dup.contains("f.yaml:2:"), "{dup}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&text, "bomb.yaml").is_err());
    }
}
