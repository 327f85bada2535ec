//! Writes a located tree back as block-style YAML that parses to the same values (what
//! `clustersim import` writes). Strings stay plain where they read back as the same string and
//! are double-quoted otherwise; short mappings and lists of scalars go on one line in flow
//! style. An imported list item is preceded by a comment naming the manifest it came from.

use super::yaml::{Located, Node, Origin, plain_string_reads_back};

/// Longest one-line flow mapping or list.
const FLOW_WIDTH: usize = 72;

/// The tree as YAML text, ending with a newline.
pub fn to_yaml(root: &Located) -> String {
    let mut out = String::new();
    match &root.node {
        Node::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                // A blank line between top-level sections, for reading.
                if i > 0 && matches!(v.node, Node::Map(_) | Node::Seq(_)) {
                    out.push('\n');
                }
                entry(&mut out, 0, &k.name, v);
            }
        }
        other => {
            out.push_str(&scalar_or_flow(other).unwrap_or_else(|| flow(other)));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// `key: value` at `depth`, the value on the same line when it is short.
fn entry(out: &mut String, depth: usize, key: &str, value: &Located) {
    indent(out, depth);
    out.push_str(&key_text(key));
    out.push(':');
    block_value(out, depth, value);
}

/// The value after `key:` or `- `: inline when a scalar or a short flow, else on the lines
/// below at `depth + 2`.
fn block_value(out: &mut String, depth: usize, value: &Located) {
    if let Some(text) = scalar_or_flow(&value.node) {
        out.push(' ');
        out.push_str(&text);
        out.push('\n');
        return;
    }
    out.push('\n');
    match &value.node {
        Node::Map(entries) => {
            for (k, v) in entries {
                entry(out, depth + 2, &k.name, v);
            }
        }
        Node::Seq(items) => items.iter().for_each(|item| seq_item(out, depth + 2, item)),
        _ => unreachable!("scalars are written inline"),
    }
}

fn seq_item(out: &mut String, depth: usize, item: &Located) {
    // Entries of the top-level lists (workloads, pools, classes, quotas), not their insides.
    if depth <= 4
        && let Origin::Manifest(m) = &item.origin
    {
        indent(out, depth);
        out.push_str(&format!("# imported from {}:{}\n", m.file, m.line));
    }
    indent(out, depth);
    out.push_str("- ");
    match &item.node {
        Node::Map(entries) if scalar_or_flow(&item.node).is_none() => {
            // The first entry follows the dash; the others line up with it.
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    indent(out, depth + 2);
                }
                out.push_str(&key_text(&k.name));
                out.push(':');
                block_value(out, depth + 2, v);
            }
        }
        Node::Seq(_) if scalar_or_flow(&item.node).is_none() => {
            // A list in a list: flow style, however long.
            out.push_str(&flow(&item.node));
            out.push('\n');
        }
        other => {
            out.push_str(&scalar_or_flow(other).unwrap_or_else(|| flow(other)));
            out.push('\n');
        }
    }
}

/// A scalar's text, or a collection's one-line flow text when it holds only scalars and is
/// short; `None` for collections written as blocks.
fn scalar_or_flow(node: &Node) -> Option<String> {
    match node {
        Node::Map(entries) if entries.is_empty() => Some("{}".into()),
        Node::Seq(items) if items.is_empty() => Some("[]".into()),
        Node::Map(entries) => {
            if entries.iter().any(|(_, v)| is_collection(&v.node)) {
                return None;
            }
            let text = flow(node);
            (text.len() <= FLOW_WIDTH).then_some(text)
        }
        Node::Seq(items) => {
            if items.iter().any(|v| is_collection(&v.node)) {
                return None;
            }
            let text = flow(node);
            (text.len() <= FLOW_WIDTH).then_some(text)
        }
        scalar => Some(scalar_text(scalar, false)),
    }
}

fn is_collection(node: &Node) -> bool {
    matches!(node, Node::Map(_) | Node::Seq(_))
}

/// Flow style: `{a: 1, b: [x, y]}`.
fn flow(node: &Node) -> String {
    match node {
        Node::Seq(items) => {
            let items: Vec<String> = items.iter().map(|i| flow(&i.node)).collect();
            format!("[{}]", items.join(", "))
        }
        Node::Map(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", flow_key(&k.name), flow(&v.node)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        scalar => scalar_text(scalar, true),
    }
}

fn scalar_text(node: &Node, in_flow: bool) -> String {
    match node {
        Node::Str(s) if reads_back(s, in_flow) => s.clone(),
        Node::Str(s) => serde_json::to_string(s).expect("strings serialise"),
        // Non-strings print as the parser reads them back.
        other => other.to_flow_yaml(),
    }
}

fn reads_back(s: &str, in_flow: bool) -> bool {
    plain_string_reads_back(s) && !(in_flow && s.contains([',', '[', ']', '{', '}']))
}

fn key_text(key: &str) -> String {
    if reads_back(key, false) && !key.contains(": ") {
        key.to_string()
    } else {
        serde_json::to_string(key).expect("strings serialise")
    }
}

fn flow_key(key: &str) -> String {
    if reads_back(key, true) && !key.contains(": ") {
        key.to_string()
    } else {
        serde_json::to_string(key).expect("strings serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::yaml::parse;

    /// Strips origins, so trees can be compared by value.
    fn values(l: &Located) -> String {
        l.node.to_flow_yaml()
    }

    #[test]
    fn written_yaml_reads_back_to_the_same_values() {
        let text = r#"
name: "a: b"
n: 3
x: 1.5
t: true
empty: ""
numeric_string: "10"
bool_string: "true"
quotes: "it's \"x\""
labels: {app: web, "kubernetes.io/hostname": node-1, "a,b": "c]"}
list: [1, two, "3"]
nested:
  - name: web
    requests: {cpu: 500m, memory: 1Gi}
    deep: {a: {b: [1, [2, 3]]}}
  - [x, y]
  - plain
none: null
empty_map: {}
empty_list: []
long: [aaaaaaaaaa, bbbbbbbbbbb, cccccccccc, dddddddddd, eeeeeeeeee, ffffffffff, gggggggggg]
"#;
        let tree = parse(text, "t").unwrap();
        let written = to_yaml(&tree);
        let back = parse(&written, "t").unwrap();
        assert_eq!(values(&back), values(&tree), "written:\n{written}");
        // Short scalar mappings stay on one line; the long list does not.
        assert!(
            written.contains("requests: {cpu: 500m, memory: 1Gi}"),
            "{written}"
        );
        assert!(written.contains("long:\n  - aaaaaaaaaa\n"), "{written}");
        assert!(written.contains("numeric_string: \"10\""), "{written}");
    }
}
