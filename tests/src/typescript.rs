//! TypeScript declarations from the generated JSON Schema of the canonical JSON.
//!
//! Why our own emitter rather than ts-rs or tsify: the schema is generated once (schemars, from
//! the same serde attributes as the JSON), and both `.d.ts` files are written from that one
//! schema, so the schema and the TypeScript cannot disagree. ts-rs and tsify would need a second
//! set of derives on every core type, and neither knows the few hand-written `Serialize` impls
//! (the envelope, events, open string enums) that the schema already describes. The schema uses
//! a small part of JSON Schema (objects, arrays, strings, numbers, booleans, `null`, string
//! enums, `$ref`, `anyOf`/`oneOf`), and this emitter refuses anything else, so a new construct
//! fails loudly instead of turning into `any`.

use serde_json::{Map, Value};

/// Declarations for the root schema (named by its `title`) and every schema in its `$defs`, in
/// name order, leaving out the names in `skip` (types a binding declares by other means).
///
/// # Errors
/// A message naming the schema this emitter cannot express.
pub fn declarations(root: &Value, skip: &[&str]) -> Result<String, String> {
    let mut out = String::new();
    let title = root["title"]
        .as_str()
        .ok_or("the root schema has no title")?;
    let defs = root["$defs"].as_object().cloned().unwrap_or_default();
    let mut named: Vec<(&str, &Value)> = vec![(title, root)];
    let mut names: Vec<&String> = defs.keys().collect();
    names.sort();
    named.extend(names.into_iter().map(|n| (n.as_str(), &defs[n])));
    for (name, schema) in named {
        if skip.contains(&name) {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&doc(schema, ""));
        match schema.get("properties").and_then(Value::as_object) {
            Some(props) => {
                out.push_str(&format!("export interface {name} {{\n"));
                out.push_str(&members(schema, props, "  ")?);
                out.push_str("}\n");
            }
            None => out.push_str(&format!("export type {name} = {}\n", ts(schema, "")?)),
        }
    }
    Ok(out)
}

/// The members of an object schema, one per line, optional (`?`) when not required.
///
/// The required members come first, in the order of `required` (schemars lists them in field
/// order, which is the JSON's key order), then the optional ones by name; an optional member
/// with `"x-after": "key"` goes right after `key` instead.
fn members(schema: &Value, props: &Map<String, Value>, indent: &str) -> Result<String, String> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut keys: Vec<&String> = props.keys().collect();
    keys.sort_by_key(|k| {
        let at = required.iter().position(|r| r == k);
        (at.is_none(), at, k.as_str())
    });
    // An optional key with `x-after` sits right after the key it names.
    for key in keys.clone() {
        if let Some(after) = props[key]["x-after"].as_str() {
            let from = keys.iter().position(|k| *k == key).unwrap_or_default();
            let moved = keys.remove(from);
            let to = keys
                .iter()
                .position(|k| k.as_str() == after)
                .ok_or_else(|| format!("`{key}` follows `{after}`, which is not a property"))?;
            keys.insert(to + 1, moved);
        }
    }
    let mut out = String::new();
    for key in keys {
        let prop = &props[key];
        out.push_str(&doc(prop, indent));
        let optional = if required.contains(&key.as_str()) {
            ""
        } else {
            "?"
        };
        out.push_str(&format!("{indent}{key}{optional}: {}\n", ts(prop, indent)?));
    }
    Ok(out)
}

/// The JSDoc comment of a schema's `description`, or nothing.
fn doc(schema: &Value, indent: &str) -> String {
    let Some(text) = schema["description"].as_str() else {
        return String::new();
    };
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 1 {
        return format!("{indent}/** {} */\n", lines[0]);
    }
    let mut out = format!("{indent}/**\n");
    for line in lines {
        if line.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {line}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

/// A string literal type.
fn literal(value: &Value) -> Result<String, String> {
    let s = value
        .as_str()
        .ok_or_else(|| format!("a non-string enum value: {value}"))?;
    Ok(format!(
        "'{}'",
        s.replace('\\', "\\\\").replace('\'', "\\'")
    ))
}

/// The TypeScript type of `schema`.
fn ts(schema: &Value, indent: &str) -> Result<String, String> {
    if let Some(r) = schema["$ref"].as_str() {
        return r
            .strip_prefix("#/$defs/")
            .map(str::to_owned)
            .ok_or_else(|| format!("a $ref outside $defs: {r}"));
    }
    if let Some(c) = schema.get("const") {
        return literal(c);
    }
    if let Some(values) = schema["enum"].as_array() {
        let parts: Result<Vec<String>, String> = values.iter().map(literal).collect();
        return Ok(parts?.join(" | "));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema[key].as_array() {
            let enumerated = options.iter().any(|o| o.get("enum").is_some());
            let mut parts = Vec::new();
            for o in options {
                // An open string enum: the named values, then any other text. `string & {}`
                // keeps editors offering the named values.
                if enumerated && o.get("enum").is_none() && o["type"] == "string" {
                    parts.push("(string & {})".to_owned());
                } else {
                    parts.push(ts(o, indent)?);
                }
            }
            return Ok(parts.join(" | "));
        }
    }
    match &schema["type"] {
        Value::String(t) => one_type(t, schema, indent),
        Value::Array(types) => {
            let parts: Result<Vec<String>, String> = types
                .iter()
                .map(|t| {
                    t.as_str()
                        .ok_or_else(|| format!("a non-string type: {t}"))
                        .and_then(|t| one_type(t, schema, indent))
                })
                .collect();
            Ok(parts?.join(" | "))
        }
        other => Err(format!("no type in schema {schema} ({other})")),
    }
}

fn one_type(t: &str, schema: &Value, indent: &str) -> Result<String, String> {
    Ok(match t {
        "string" => "string".to_owned(),
        "integer" | "number" => "number".to_owned(),
        "boolean" => "boolean".to_owned(),
        "null" => "null".to_owned(),
        "array" => format!("Array<{}>", ts(&schema["items"], indent)?),
        "object" => match (
            schema.get("properties").and_then(Value::as_object),
            schema.get("additionalProperties"),
        ) {
            (Some(props), _) => {
                let inner = format!("{indent}  ");
                format!("{{\n{}{indent}}}", members(schema, props, &inner)?)
            }
            (None, Some(values)) if values.is_object() => {
                format!("Record<string, {}>", ts(values, indent)?)
            }
            _ => return Err(format!("an object without properties: {schema}")),
        },
        other => return Err(format!("an unknown type `{other}`")),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use serde_json::json;

    #[test]
    fn every_construct_maps_to_its_type() {
        let schema = json!({
            "title": "Root",
            "description": "The root.",
            "oneOf": [{ "$ref": "#/$defs/A" }, { "$ref": "#/$defs/B" }],
            "$defs": {
                "A": {
                    "type": "object",
                    "properties": {
                        "kind": { "type": "string", "enum": ["a"] },
                        "n": { "type": ["integer", "null"], "description": "A number.\n\nOr null." },
                        "list": { "type": "array", "items": { "type": "string" } },
                        "map": { "type": ["object", "null"], "additionalProperties": { "type": "string" } },
                        "maybe": { "anyOf": [{ "$ref": "#/$defs/B" }, { "type": "null" }] }
                    },
                    "required": ["kind", "n", "list", "map", "maybe"]
                },
                "B": { "anyOf": [{ "type": "string", "enum": ["x", "y'"] }, { "type": "string" }] },
                "C": { "type": "object", "properties": { "o": { "type": "boolean" } } }
            }
        });
        let out = declarations(&schema, &["C"]).unwrap();
        let expected = "/** The root. */\nexport type Root = A | B\n\n\
            export interface A {\n  kind: 'a'\n  /**\n   * A number.\n   *\n   * Or null.\n   */\n  n: number | null\n  \
            list: Array<string>\n  map: Record<string, string> | null\n  maybe: B | null\n}\n\n\
            export type B = 'x' | 'y\\'' | (string & {})\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn optional_members_are_the_ones_not_required() {
        let schema = json!({
            "title": "T",
            "type": "object",
            "properties": { "a": { "type": "string" }, "b": { "type": "string" } },
            "required": ["a"]
        });
        let out = declarations(&schema, &[]).unwrap();
        assert!(out.contains("  a: string\n  b?: string\n"), "{out}");
    }

    #[test]
    fn x_after_places_an_optional_member() {
        let schema = json!({
            "title": "T",
            "type": "object",
            "properties": {
                "a": { "type": "string" }, "b": { "type": "string" },
                "z": { "type": "string", "x-after": "a" }, "y": { "type": "string" }
            },
            "required": ["a", "b"]
        });
        let out = declarations(&schema, &[]).unwrap();
        assert!(
            out.contains("  a: string\n  z?: string\n  b: string\n  y?: string\n"),
            "{out}"
        );
    }

    /// What a new shape typically derives (a tagged enum of structs, times as text, counts)
    /// goes through the same path as `shapes::more_shapes`.
    #[test]
    fn a_derived_tagged_enum_becomes_a_union_of_object_types() {
        #[derive(serde::Serialize, schemars::JsonSchema)]
        #[serde(tag = "kind", rename_all = "camelCase")]
        #[allow(dead_code)]
        enum Sample {
            /// A change.
            Changed {
                /// When.
                at: String,
                count: u64,
                note: Option<String>,
            },
            Gone,
        }
        let mut generator = schemars::generate::SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator();
        let schema = serde_json::to_value(generator.root_schema_for::<Sample>()).unwrap();
        let out = declarations(&schema, &[]).unwrap();
        assert!(out.starts_with("export type Sample = {\n"), "{out}");
        assert!(out.contains("  kind: 'changed'\n"), "{out}");
        assert!(
            out.contains("  count: number\n  note: string | null\n"),
            "{out}"
        );
        assert!(out.contains("} | {\n  kind: 'gone'\n}"), "{out}");
    }

    #[test]
    fn what_it_cannot_express_is_an_error() {
        let schema = json!({ "title": "T", "type": "object", "properties": { "a": {} } });
        assert!(declarations(&schema, &[]).is_err());
        let schema = json!({ "title": "T", "$ref": "other.json#/x" });
        assert!(declarations(&schema, &[]).is_err());
    }
}
