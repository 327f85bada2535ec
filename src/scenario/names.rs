//! Name rules, as Kubernetes validates them (`k8s.io/apimachinery/pkg/util/validation`).
//!
//! Every name that reaches an output file (pods and nodes in `events.csv`, pools and
//! namespaces in `summary.json`, the scenario's output directory) passes one of these, so each
//! is short and made of plain characters. Which rule applies to which field is decided in the
//! field tables (`fields.rs`), following what Kubernetes requires of the object it stands for.

/// A rule a name must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 label: at most 63 of `[a-z0-9-]`, alphanumeric at both ends. Kubernetes'
    /// rule for namespaces (and for names used as label values or host names).
    DnsLabel,
    /// RFC 1123 subdomain: at most 253 characters, dot-separated labels of `[a-z0-9-]`.
    /// Kubernetes' rule for most object names: Deployments, Jobs, Pods, Nodes, PriorityClasses.
    DnsSubdomain,
    /// A label (or taint) key: an optional DNS subdomain prefix and `/`, then a name of at most
    /// 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends.
    LabelKey,
    /// A label (or taint) value: empty, or at most 63 of `[A-Za-z0-9._-]`, alphanumeric at
    /// both ends.
    LabelValue,
    /// A name only people read (a variant in tables and CSV files): at most 63 characters, no
    /// control characters.
    Title,
}

pub const MAX_LABEL: usize = 63;
pub const MAX_SUBDOMAIN: usize = 253;
/// Longest scenario name in bytes: it names the output directory, and with the temporary
/// suffix (`.<name>.tmp-<pid>`) stays well inside the usual 255-byte file-name limit.
pub const MAX_SCENARIO_NAME_BYTES: usize = 128;

impl NameRule {
    /// What the rule asks for, for "must be ..." messages.
    pub fn describe(self) -> &'static str {
        match self {
            NameRule::DnsLabel => {
                "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. team-a)"
            }
            NameRule::DnsSubdomain => {
                "a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit (e.g. web or web.v2)"
            }
            NameRule::LabelKey => {
                "a label key: an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (e.g. disk or example.com/disk)"
            }
            NameRule::LabelValue => {
                "a label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
            }
            NameRule::Title => "at most 63 characters, without control characters",
        }
    }

    /// A short pattern for the JSON Schema.
    pub fn pattern(self) -> Option<&'static str> {
        match self {
            NameRule::DnsLabel => Some("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"),
            NameRule::DnsSubdomain => {
                Some("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
            }
            NameRule::LabelKey => Some(
                "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$",
            ),
            NameRule::LabelValue => Some("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"),
            NameRule::Title => None,
        }
    }

    pub fn max_len(self) -> usize {
        match self {
            NameRule::DnsSubdomain => MAX_SUBDOMAIN,
            // A key's prefix may add up to 253 + 1.
            NameRule::LabelKey => MAX_SUBDOMAIN + 1 + MAX_LABEL,
            _ => MAX_LABEL,
        }
    }

    pub fn check(self, s: &str) -> bool {
        match self {
            NameRule::DnsLabel => is_dns_label(s),
            NameRule::DnsSubdomain => is_dns_subdomain(s),
            NameRule::LabelKey => is_label_key(s),
            NameRule::LabelValue => s.is_empty() || is_label_name(s),
            NameRule::Title => {
                !s.is_empty() && s.chars().count() <= MAX_LABEL && !s.chars().any(char::is_control)
            }
        }
    }
}

fn alnum_ends(s: &str, alnum: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && alnum(b[0]) && alnum(b[b.len() - 1])
}

pub fn is_dns_label(s: &str) -> bool {
    let lower = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    s.len() <= MAX_LABEL && alnum_ends(s, lower) && s.bytes().all(|c| lower(c) || c == b'-')
}

pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= MAX_SUBDOMAIN && s.split('.').all(is_dns_label)
}

/// The name part of a label key, or a non-empty label value.
fn is_label_name(s: &str) -> bool {
    s.len() <= MAX_LABEL
        && alnum_ends(s, |c| c.is_ascii_alphanumeric())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

pub fn is_label_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => is_dns_subdomain(prefix) && is_label_name(name),
        None => is_label_name(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_kubernetes_rules() {
        let long = |n: usize| "a".repeat(n);
        // (rule, name, valid): each row is one boundary of Kubernetes' validation.
        let cases: &[(NameRule, String, bool)] = &[
            (NameRule::DnsLabel, "team-a".into(), true),
            (NameRule::DnsLabel, "0zone".into(), true),
            (NameRule::DnsLabel, long(63), true),
            (NameRule::DnsLabel, long(64), false),
            (NameRule::DnsLabel, "Team".into(), false),
            (NameRule::DnsLabel, "-a".into(), false),
            (NameRule::DnsLabel, "a-".into(), false),
            (NameRule::DnsLabel, "a.b".into(), false),
            (NameRule::DnsLabel, "a_b".into(), false),
            (NameRule::DnsLabel, "".into(), false),
            (NameRule::DnsLabel, "zöne".into(), false),
            (NameRule::DnsSubdomain, "web.v2".into(), true),
            (
                NameRule::DnsSubdomain,
                format!("{}.{}.{}.{}", long(63), long(63), long(63), long(61)),
                true,
            ),
            (
                NameRule::DnsSubdomain,
                format!("{}.{}.{}.{}", long(63), long(63), long(63), long(62)),
                false,
            ),
            (NameRule::DnsSubdomain, "a..b".into(), false),
            (NameRule::DnsSubdomain, ".a".into(), false),
            (NameRule::DnsSubdomain, "a/b".into(), false),
            (NameRule::LabelKey, "disk".into(), true),
            (NameRule::LabelKey, "Disk_Type.x".into(), true),
            (
                NameRule::LabelKey,
                "topology.kubernetes.io/zone".into(),
                true,
            ),
            (NameRule::LabelKey, "example.com/".into(), false),
            (NameRule::LabelKey, "/disk".into(), false),
            (NameRule::LabelKey, "Example.com/disk".into(), false),
            (NameRule::LabelKey, "a/b/c".into(), false),
            (NameRule::LabelKey, long(64), false),
            (
                NameRule::LabelKey,
                format!(
                    "{}.{}.{}.{}/{}",
                    long(63),
                    long(63),
                    long(63),
                    long(61),
                    long(63)
                ),
                true,
            ),
            (NameRule::LabelKey, format!("{}/a", long(64)), false),
            (NameRule::LabelKey, "".into(), false),
            (NameRule::LabelKey, "_disk".into(), false),
            (NameRule::LabelValue, "".into(), true),
            (NameRule::LabelValue, "true".into(), true),
            (NameRule::LabelValue, "v1.2_rc-3".into(), true),
            (NameRule::LabelValue, long(64), false),
            (NameRule::LabelValue, "a b".into(), false),
            (NameRule::LabelValue, "a/b".into(), false),
            (NameRule::LabelValue, ".a".into(), false),
            (NameRule::Title, "spot heavy (70%)".into(), true),
            (NameRule::Title, long(64), false),
            (NameRule::Title, "a\nb".into(), false),
            (NameRule::Title, "".into(), false),
        ];
        for (rule, name, valid) in cases {
            assert_eq!(rule.check(name), *valid, "{rule:?} '{name}'");
            assert!(name.len() <= rule.max_len() || !valid, "{rule:?} '{name}'");
        }
    }
}
