//! Reading Kubernetes objects out of the located tree: a cursor that knows its manifest file
//! and Kubernetes field path, and a builder for the native scenario nodes made from it.

use std::rc::Rc;

use crate::scenario::error::InputError;
use crate::scenario::yaml::{Located, LocatedKey, ManifestOrigin, Node, Origin};
use crate::suggest::did_you_mean;

/// Where problems go while manifests are read: errors (the run is refused) and notes (printed
/// as warnings: what was skipped or simplified).
#[derive(Default)]
pub struct Problems {
    pub errors: Vec<InputError>,
    pub notes: Vec<InputError>,
    /// The files read so far (canonical paths) and their bytes, so each is read once and the
    /// total is bounded.
    pub seen_files: Vec<std::path::PathBuf>,
    pub bytes_read: u64,
}

/// A value in a manifest, with its file and Kubernetes field path.
#[derive(Clone)]
pub struct K<'a> {
    pub file: &'a Rc<str>,
    pub node: &'a Located,
    pub path: String,
}

impl<'a> K<'a> {
    /// The child `key` of a mapping (`None` when absent or null).
    pub fn get(&self, key: &str) -> Option<K<'a>> {
        let node = self.node.get(key)?;
        if node.node == Node::Null {
            return None;
        }
        Some(K {
            file: self.file,
            node,
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
        })
    }

    /// Where this value is, as the origin of a native node made from it.
    pub fn origin(&self) -> Origin {
        let (line, column) = match self.node.origin {
            Origin::File { line, column } => (line, column),
            _ => (0, 0),
        };
        Origin::Manifest(Rc::new(ManifestOrigin {
            file: self.file.clone(),
            line,
            column,
            path: self.path.clone(),
        }))
    }

    fn problem(&self, message: impl Into<String>) -> InputError {
        crate::scenario::yaml::error_at("", &self.origin(), "", message.into())
    }

    pub fn err(&self, p: &mut Problems, message: impl Into<String>) {
        p.errors.push(self.problem(message));
    }

    pub fn note(&self, p: &mut Problems, message: impl Into<String>) {
        p.notes.push(self.problem(message));
    }

    /// A string value (numbers and booleans are read as their text, as Kubernetes' YAML
    /// decoding of string fields does not; an error says so).
    pub fn str(&self, p: &mut Problems) -> Option<String> {
        match &self.node.node {
            Node::Str(s) => Some(s.clone()),
            other => {
                self.err(p, format!("expected a string, found {}", other.kind()));
                None
            }
        }
    }

    /// A scalar as text: a label value or quantity written as a number.
    pub fn text(&self, p: &mut Problems) -> Option<String> {
        match self.node.node.scalar_text() {
            Some(t) => Some(t),
            None => {
                self.err(
                    p,
                    format!("expected a scalar value, found {}", self.node.node.kind()),
                );
                None
            }
        }
    }

    /// A whole number in `min..=max`.
    pub fn int(&self, p: &mut Problems, min: i128, max: i128) -> Option<i128> {
        match self.node.node {
            Node::Int(i) if (min..=max).contains(&i) => Some(i),
            Node::Int(i) if i < min => {
                self.err(
                    p,
                    format!("Invalid value: {i}: must be greater than or equal to {min}"),
                );
                None
            }
            Node::Int(i) => {
                self.err(p, format!("Invalid value: {i}: must be at most {max}"));
                None
            }
            ref other => {
                self.err(p, format!("expected an integer, found {}", other.kind()));
                None
            }
        }
    }

    /// A boolean.
    pub fn bool(&self, p: &mut Problems) -> Option<bool> {
        match self.node.node {
            Node::Bool(b) => Some(b),
            ref other => {
                self.err(p, format!("expected true or false, found {}", other.kind()));
                None
            }
        }
    }

    /// The items of a list, each with its `path[i]`.
    pub fn items(&self, p: &mut Problems) -> Vec<K<'a>> {
        match &self.node.node {
            Node::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, node)| K {
                    file: self.file,
                    node,
                    path: format!("{}[{i}]", self.path),
                })
                .collect(),
            other => {
                self.err(p, format!("expected a list, found {}", other.kind()));
                Vec::new()
            }
        }
    }

    /// The entries of a mapping.
    pub fn entries(&self, p: &mut Problems) -> Vec<(&'a LocatedKey, K<'a>)> {
        match &self.node.node {
            Node::Map(entries) => entries
                .iter()
                .map(|(k, node)| {
                    (
                        k,
                        K {
                            file: self.file,
                            node,
                            path: if self.path.is_empty() {
                                k.name.clone()
                            } else {
                                format!("{}.{}", self.path, k.name)
                            },
                        },
                    )
                })
                .collect(),
            other => {
                self.err(p, format!("expected a mapping, found {}", other.kind()));
                Vec::new()
            }
        }
    }

    /// A string-to-string mapping (labels, annotations, a nodeSelector).
    pub fn string_map(&self, p: &mut Problems) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in self.entries(p) {
            if let Some(text) = v.text(p) {
                out.push((k.name.clone(), text));
            }
        }
        out
    }

    /// Refuses keys that are not fields of this Kubernetes type (as `kubectl apply
    /// --validate=strict` does), with a suggestion. `known` lists every field of the type, read
    /// or not.
    pub fn strict(&self, p: &mut Problems, type_name: &str, known: &[&str]) {
        let Node::Map(entries) = &self.node.node else {
            if !matches!(self.node.node, Node::Null) {
                self.err(
                    p,
                    format!("expected a mapping, found {}", self.node.node.kind()),
                );
            }
            return;
        };
        for (k, _) in entries {
            if known.contains(&k.name.as_str()) {
                continue;
            }
            let mut message = format!("unknown field \"{}\" in {type_name}", k.name);
            if let Some(s) = did_you_mean(&k.name, known.iter().copied()) {
                message.push_str(&format!("; did you mean '{s}'?"));
            }
            let key_node = Located::new(Node::Null, k.origin.clone());
            let key = K {
                file: self.file,
                node: &key_node,
                path: if self.path.is_empty() {
                    k.name.clone()
                } else {
                    format!("{}.{}", self.path, k.name)
                },
            }
            .problem(message);
            p.errors.push(key);
        }
    }
}

/// A native scenario mapping under construction; every value carries the manifest origin it
/// was made from, so the scenario parser's errors point into the manifest.
pub struct Out {
    entries: Vec<(LocatedKey, Located)>,
    origin: Origin,
}

impl Out {
    pub fn new(at: &K) -> Self {
        Out {
            entries: Vec::new(),
            origin: at.origin(),
        }
    }

    pub fn put(&mut self, key: &str, value: Located) {
        self.entries.push((
            LocatedKey {
                name: key.to_string(),
                origin: value.origin.clone(),
            },
            value,
        ));
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k.name == key)
    }

    pub fn build(self) -> Located {
        Located::new(Node::Map(self.entries), self.origin)
    }
}

/// A native string made from the manifest value at `at`.
pub fn string(text: impl Into<String>, at: &K) -> Located {
    Located::new(Node::Str(text.into()), at.origin())
}

pub fn int(value: i128, at: &K) -> Located {
    Located::new(Node::Int(value), at.origin())
}

/// The value itself, re-homed to its manifest origin (throughout the subtree).
pub fn copy(at: &K) -> Located {
    let mut l = at.node.clone();
    rehome(&mut l, at);
    l
}

/// Gives every node of `l` the manifest origin `at` (a value parsed from an annotation).
pub fn rehome(l: &mut Located, at: &K) {
    l.origin = at.origin();
    match &mut l.node {
        Node::Seq(items) => items.iter_mut().for_each(|i| rehome(i, at)),
        Node::Map(entries) => {
            for (k, v) in entries {
                k.origin = at.origin();
                rehome(v, at);
            }
        }
        _ => {}
    }
}

/// A list of native values.
pub fn list(items: Vec<Located>, at: &K) -> Located {
    Located::new(Node::Seq(items), at.origin())
}

/// Labels as a native mapping.
pub fn labels(pairs: &[(String, String)], at: &K) -> Located {
    Located::new(
        Node::Map(
            pairs
                .iter()
                .map(|(k, v)| {
                    (
                        LocatedKey {
                            name: k.clone(),
                            origin: at.origin(),
                        },
                        string(v.clone(), at),
                    )
                })
                .collect(),
        ),
        at.origin(),
    )
}
