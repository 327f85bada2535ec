//! A JSON Schema (draft 2020-12) of the scenario format, for editors.
//!
//! Generated from the same field tables the parser checks keys against (`fields.rs`), so the
//! schema and the parser agree on field names, required fields, enums and limits.

use serde_json::{Map, Value, json};

use super::fields::{self, FieldSpec, Ty};
use super::names::NameRule;

const DURATION_PATTERN: &str =
    r"^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)(ms|s|m|h|d)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ms|s|m|h|d))*\s*$";
const CPU_PATTERN: &str = r"^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)m?\s*$";
const MEMORY_PATTERN: &str = r"^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[kMGTPE])?\s*$";

/// The schema of a whole scenario file.
pub fn json_schema() -> Value {
    let mut root = object_schema(fields::SCENARIO);
    if let Value::Object(map) = &mut root {
        let mut head = Map::new();
        head.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        head.insert("title".into(), json!("clustersim scenario"));
        head.append(map);
        *map = head;
        map.insert(
            "$defs".into(),
            json!({
                "duration": {
                    "type": "string",
                    "pattern": DURATION_PATTERN,
                    "description": "A duration: a number and a unit (ms, s, m, h, d), units from largest to smallest, e.g. 90s or 1h30m."
                },
                "distribution": dist_schema(),
            }),
        );
    }
    root
}

fn dist_schema() -> Value {
    // A plain duration (constant), or a mapping holding exactly one distribution.
    let mut mapping = object_schema(fields::DIST);
    if let Value::Object(m) = &mut mapping {
        m.insert("minProperties".into(), json!(1));
        m.insert("maxProperties".into(), json!(1));
    }
    json!({
        "description": "A duration distribution: a constant duration such as 10m, or one of {exponential: {mean}}, {lognormal: {median, sigma}}, {uniform: {min, max}}.",
        "oneOf": [
            { "$ref": "#/$defs/duration" },
            { "const": 0 },
            mapping,
        ]
    })
}

/// The schema of a mapping with `fields`, closed to other keys.
fn object_schema(fields: &[FieldSpec]) -> Value {
    let mut properties = Map::new();
    for f in fields {
        let mut schema = type_schema(&f.ty);
        if let Value::Object(m) = &mut schema {
            m.insert("description".into(), json!(f.description));
        }
        properties.insert(f.name.into(), schema);
    }
    let always_required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required && f.kinds.is_empty())
        .map(|f| f.name)
        .collect();
    let mut out = Map::new();
    out.insert("type".into(), json!("object"));
    out.insert("properties".into(), Value::Object(properties));
    out.insert("additionalProperties".into(), json!(false));
    if !always_required.is_empty() {
        out.insert("required".into(), json!(always_required));
    }
    let kind_rules = kind_rules(fields);
    if !kind_rules.is_empty() {
        out.insert("allOf".into(), Value::Array(kind_rules));
    }
    Value::Object(out)
}

/// For objects with kind-specific fields (workloads): per kind, which keys are allowed and
/// which are required.
fn kind_rules(fields: &[FieldSpec]) -> Vec<Value> {
    if fields.iter().all(|f| f.kinds.is_empty()) {
        return vec![];
    }
    fields::KINDS
        .iter()
        .map(|kind| {
            let valid = |f: &&FieldSpec| f.kinds.is_empty() || f.kinds.contains(kind);
            let allowed: Vec<&str> = fields.iter().filter(valid).map(|f| f.name).collect();
            let required: Vec<&str> = fields
                .iter()
                .filter(valid)
                .filter(|f| f.required && !f.kinds.is_empty())
                .map(|f| f.name)
                .collect();
            json!({
                "if": { "properties": { "kind": { "const": kind } }, "required": ["kind"] },
                "then": { "propertyNames": { "enum": allowed }, "required": required },
            })
        })
        .collect()
}

fn type_schema(ty: &Ty) -> Value {
    match ty {
        Ty::Str => json!({ "type": "string" }),
        Ty::Name => json!({ "type": "string", "minLength": 1 }),
        Ty::Enum(names) => json!({ "type": "string", "enum": names }),
        Ty::Duration => json!({
            "anyOf": [{ "$ref": "#/$defs/duration" }, { "const": 0 }]
        }),
        Ty::Dist => json!({ "$ref": "#/$defs/distribution" }),
        Ty::Cpu => json!({
            "anyOf": [
                { "type": "string", "pattern": CPU_PATTERN },
                { "type": "number", "minimum": 0 }
            ]
        }),
        Ty::Memory => json!({
            "anyOf": [
                { "type": "string", "pattern": MEMORY_PATTERN },
                { "type": "integer", "minimum": 0 }
            ]
        }),
        Ty::Gpu => json!({
            "anyOf": [
                { "type": "string", "pattern": r"^\s*[0-9]+\s*$" },
                { "type": "integer", "minimum": 0 }
            ]
        }),
        Ty::UInt { max } => json!({ "type": "integer", "minimum": 0, "maximum": max }),
        Ty::Int32 => json!({ "type": "integer", "minimum": i32::MIN, "maximum": i32::MAX }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Number {
            min,
            min_inclusive,
            max,
        } => {
            let min_key = if *min_inclusive {
                "minimum"
            } else {
                "exclusiveMinimum"
            };
            json!({ "type": "number", min_key: min, "maximum": max })
        }
        Ty::Ident(rule) => {
            let mut schema = json!({ "type": "string", "maxLength": rule.max_len() });
            if let Some(pattern) = rule.pattern() {
                schema["pattern"] = json!(pattern);
            }
            schema
        }
        Ty::NameList { max_items, rule } => json!({
            "type": "array",
            "items": rule.map_or_else(|| type_schema(&Ty::Name), |r| type_schema(&Ty::Ident(r))),
            "uniqueItems": true,
            "minItems": 1,
            "maxItems": max_items,
        }),
        Ty::Labels => json!({
            "type": "object",
            "propertyNames": type_schema(&Ty::Ident(NameRule::LabelKey)),
            "additionalProperties": { "type": ["string", "number", "boolean"] },
        }),
        Ty::StrMap => json!({
            "type": "object",
            "additionalProperties": { "type": ["string", "number", "boolean"] },
        }),
        Ty::OverrideMap => json!({ "type": "object" }),
        Ty::Object(fields) => object_schema(fields),
        Ty::List(fields) => json!({ "type": "array", "items": object_schema(fields) }),
        Ty::Share => json!({
            "oneOf": [
                { "type": "number", "exclusiveMinimum": 0, "maximum": 1 },
                object_schema(fields::SHARE),
            ]
        }),
        Ty::IntOrPercent => json!({
            "oneOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+%$" },
            ]
        }),
        Ty::Percent { max } => json!({
            "oneOf": [
                { "type": "integer", "minimum": 1, "maximum": max },
                { "type": "string", "pattern": "^[0-9]+%$" },
            ]
        }),
        Ty::Probability => json!({
            "oneOf": [
                { "type": "boolean" },
                { "type": "number", "minimum": 0, "maximum": 1 },
            ]
        }),
        Ty::Load => json!({
            "oneOf": [
                { "type": "number", "minimum": 0 },
                object_schema(fields::DIURNAL_WRAPPER),
                {
                    "type": "object",
                    "properties": {
                        "steps": {
                            "type": "array",
                            "items": { "type": "array", "minItems": 2, "maxItems": 2 },
                        },
                    },
                    "required": ["steps"],
                    "additionalProperties": false,
                },
                {
                    "type": "object",
                    "properties": { "trace": { "type": "string", "minLength": 1 } },
                    "required": ["trace"],
                    "additionalProperties": false,
                },
            ]
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_mirrors_the_field_tables() {
        let s = json_schema();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["required"], json!(["name", "duration", "cluster"]));
        let pool = &s["properties"]["cluster"]["properties"]["pools"]["items"];
        assert_eq!(
            pool["properties"]["capacity_type"]["enum"],
            json!(["on-demand", "reserved", "spot"])
        );
        assert_eq!(pool["properties"]["count"]["maximum"], 1_000_000);
        assert_eq!(pool["properties"]["name"]["maxLength"], 63);
        assert_eq!(
            pool["properties"]["name"]["pattern"],
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
        );
        assert_eq!(
            pool["properties"]["node"]["properties"]["cpu"]["description"],
            "Allocatable cpu, e.g. 8 or 7500m."
        );
        let workload = &s["properties"]["workloads"]["items"];
        let batch = &workload["allOf"][0];
        assert_eq!(batch["if"]["properties"]["kind"]["const"], "Batch");
        assert_eq!(batch["then"]["required"], json!(["arrivals", "duration"]));
        let allowed = batch["then"]["propertyNames"]["enum"].as_array().unwrap();
        assert!(allowed.contains(&json!("limit")) && !allowed.contains(&json!("replicas")));
        assert_eq!(
            s["properties"]["scheduler"]["properties"]["policy"]["enum"][0],
            "least-allocated"
        );
    }
}
