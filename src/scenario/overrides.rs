//! `--set PATH=VALUE` overrides, applied to the YAML tree before validation.
//!
//! `PATH` is dotted. In a list, a segment picks the element whose `name` field equals it
//! (`cluster.pools.general.count=10`), or else the element at that index (`cluster.zones.0=x`).
//! `VALUE` is read as YAML, so `10` is a number, `{cpu: 1}` a mapping and `spot` a string.
//! A missing mapping key is created, so a misspelt field still meets validation's
//! "unknown field" error. Overridden nodes carry their `--set` path as origin, so errors in them
//! name the override instead of a line of the file.

use std::rc::Rc;

use super::error::{InputError, InputErrors};
use super::yaml::{self, Located, LocatedKey, Node, Origin, SET_LABEL};

/// One `--set PATH=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    pub path: String,
    pub value: String,
}

impl Override {
    /// Parses `a.b.c=VALUE` (split at the first `=`).
    pub fn parse(text: &str) -> Result<Override, String> {
        let Some((path, value)) = text.split_once('=') else {
            return Err(format!(
                "'{text}' is not PATH=VALUE, e.g. cluster.pools.general.count=10"
            ));
        };
        let path = path.trim();
        if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
            return Err(format!(
                "'{text}': the path must be dot-separated names, e.g. workloads.web.replicas"
            ));
        }
        Ok(Override {
            path: path.to_string(),
            value: value.to_string(),
        })
    }
}

fn set_error(path: &str, message: impl Into<String>) -> InputError {
    InputError {
        file: SET_LABEL.to_string(),
        line: 0,
        column: 0,
        path: path.to_string(),
        message: message.into(),
    }
}

/// Applies every override in order, collecting the ones that cannot be applied.
pub fn apply(root: &mut Located, overrides: &[Override]) -> Result<(), InputErrors> {
    let mut errors = InputErrors::default();
    for o in overrides {
        if let Err(e) = apply_one(root, o) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn apply_one(root: &mut Located, o: &Override) -> Result<(), InputError> {
    let origin = Origin::Set(Rc::from(o.path.as_str()));
    let mut value = yaml::parse(&o.value, SET_LABEL).map_err(|e| {
        let message =
            e.0.first()
                .map_or_else(|| "invalid value".to_string(), |e| e.message.clone());
        set_error(&o.path, format!("{message} (in value '{}')", o.value))
    })?;
    value.set_origin(&origin);

    let segments: Vec<&str> = o.path.split('.').map(str::trim).collect();
    let mut node = root;
    for (depth, segment) in segments.iter().enumerate() {
        let last = depth + 1 == segments.len();
        let walked = segments[..depth].join(".");
        // An empty document or a key with no value becomes a mapping to hold the new key.
        if node.node == Node::Null {
            node.node = Node::Map(vec![]);
        }
        let kind = node.node.kind();
        node = match &mut node.node {
            Node::Map(entries) => {
                let pos = match entries.iter().position(|(k, _)| k.name == *segment) {
                    Some(pos) => pos,
                    None => {
                        entries.push((
                            LocatedKey {
                                name: segment.to_string(),
                                origin: origin.clone(),
                            },
                            Located::new(Node::Null, origin.clone()),
                        ));
                        entries.len() - 1
                    }
                };
                &mut entries[pos].1
            }
            Node::Seq(items) => {
                let by_name = items
                    .iter()
                    .position(|i| matches!(i.get("name"), Some(Located { node: Node::Str(n), .. }) if n == segment));
                let by_index = segment.parse::<usize>().ok().filter(|i| *i < items.len());
                match by_name.or(by_index) {
                    Some(pos) => &mut items[pos],
                    None => {
                        let names: Vec<String> = items
                            .iter()
                            .filter_map(|i| match i.get("name") {
                                Some(Located {
                                    node: Node::Str(n), ..
                                }) => Some(n.clone()),
                                _ => None,
                            })
                            .collect();
                        let choices = if names.is_empty() {
                            format!("indices 0 to {}", items.len().saturating_sub(1))
                        } else {
                            format!("names {}", names.join(", "))
                        };
                        let message = if items.is_empty() {
                            format!("'{walked}' is an empty list; there is no element '{segment}'")
                        } else {
                            format!("no element '{segment}' in list '{walked}' (it has {choices})")
                        };
                        return Err(set_error(&o.path, message));
                    }
                }
            }
            _ => {
                return Err(set_error(
                    &o.path,
                    format!("'{walked}' is {kind}, so it has no field '{segment}'"),
                ));
            }
        };
        if last {
            *node = value;
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Located {
        yaml::parse(text, "t.yaml").unwrap()
    }

    fn set(root: &mut Located, text: &str) -> Result<(), String> {
        let o = Override::parse(text)?;
        apply(root, &[o]).map_err(|e| e.to_string())
    }

    #[test]
    fn parse_splits_at_the_first_equals() {
        assert_eq!(
            Override::parse("a.b=x=y"),
            Ok(Override {
                path: "a.b".into(),
                value: "x=y".into()
            })
        );
        assert!(Override::parse("a.b").is_err());
        assert!(Override::parse("a..b=1").is_err());
        assert!(Override::parse("=1").is_err());
    }

    #[test]
    fn sets_scalars_by_name_by_index_and_creates_keys() {
        let mut root = tree("a: 1\nlist:\n  - name: x\n    n: 1\n  - name: y\nzones: [p, q]\n");
        set(&mut root, "a=hello").unwrap();
        set(&mut root, "list.y.n=5").unwrap();
        set(&mut root, "list.0.n={k: v}").unwrap();
        set(&mut root, "zones.1=r").unwrap();
        set(&mut root, "new.deep=true").unwrap();
        let set_origin = |p: &str| Origin::Set(Rc::from(p));
        assert_eq!(root.get("a").unwrap().node, Node::Str("hello".into()));
        assert_eq!(root.get("a").unwrap().origin, set_origin("a"));
        let Node::Seq(items) = &root.get("list").unwrap().node else {
            panic!()
        };
        assert_eq!(items[1].get("n").unwrap().node, Node::Int(5));
        let inner = items[0].get("n").unwrap();
        assert_eq!(inner.get("k").unwrap().origin, set_origin("list.0.n"));
        let Node::Seq(zones) = &root.get("zones").unwrap().node else {
            panic!()
        };
        assert_eq!(zones[1].node, Node::Str("r".into()));
        assert_eq!(
            root.get("new").unwrap().get("deep").unwrap().node,
            Node::Bool(true)
        );
    }

    #[test]
    fn bad_paths_are_errors_naming_the_override() {
        let mut root = tree("a: 1\nlist:\n  - name: x\n");
        assert_eq!(
            set(&mut root, "a.b=1").unwrap_err(),
            "error: <--set>: a.b: 'a' is an integer, so it has no field 'b'"
        );
        assert_eq!(
            set(&mut root, "list.z.n=1").unwrap_err(),
            "error: <--set>: list.z.n: no element 'z' in list 'list' (it has names x)"
        );
        assert!(
            set(&mut root, "a=[1")
                .unwrap_err()
                .starts_with("error: <--set>: a: invalid YAML")
        );
    }
}
