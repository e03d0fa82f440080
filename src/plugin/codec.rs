//! `DynamicValue` codec: msgpack (and JSON) bytes ⇄ [`Value`], decoded against a cty [`Type`].
//!
//! Terraform encodes values in the shape of the schema's implied type, so decoding needs the
//! type: an object carries every attribute (absent ones become `Null`), numbers may arrive as
//! integers, floats or decimal strings, and an unknown value is a msgpack extension (type 0, or
//! 12 for a "refined" unknown) at any depth. Nothing here panics on malformed input: every
//! problem is a [`CodecError`] that names the attribute path, never the value (it may be secret).

use std::collections::BTreeMap;
use std::io::Cursor;

use super::diagnostic::PathStep;
use super::schema::{Block, Nesting, Type};
use super::value::{Number, Value};

/// Deepest nesting accepted from the wire; schemas are far shallower, this bounds recursion.
const MAX_DEPTH: usize = 64;

/// Why a value could not be decoded or encoded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    pub path: Vec<PathStep>,
    pub message: String,
}

impl CodecError {
    fn new(path: &[PathStep], message: impl Into<String>) -> CodecError {
        CodecError {
            path: path.to_vec(),
            message: message.into(),
        }
    }

    /// The path in Terraform's reference syntax (`.a[0]["k"]`), or "the value" at the root.
    pub fn location(&self) -> String {
        if self.path.is_empty() {
            return "the value".to_string();
        }
        let mut out = String::new();
        for step in &self.path {
            match step {
                PathStep::Attribute(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                PathStep::ElementKeyString(key) => out.push_str(&format!("[{key:?}]")),
                PathStep::ElementKeyInt(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// The cty type Terraform implies for a block: an object of its attributes and nested blocks.
pub fn block_type(block: &Block) -> Type {
    let mut fields: BTreeMap<String, Type> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), a.ty.clone()))
        .collect();
    for nested in &block.blocks {
        let inner = block_type(&nested.block);
        let ty = match nested.nesting {
            Nesting::Single => inner,
            Nesting::List => Type::List(Box::new(inner)),
            Nesting::Set => Type::Set(Box::new(inner)),
            Nesting::Map => Type::Map(Box::new(inner)),
        };
        fields.insert(nested.type_name.clone(), ty);
    }
    Type::Object(fields)
}

// ---------------------------------------------------------------------------------------------
// msgpack → Value

/// Decodes msgpack bytes as a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut cursor = Cursor::new(bytes);
    let raw = rmpv::decode::read_value_with_max_depth(&mut cursor, MAX_DEPTH)
        .map_err(|e| CodecError::new(&[], format!("not valid msgpack ({e})")))?;
    if (cursor.position() as usize) != bytes.len() {
        return Err(CodecError::new(
            &[],
            "unexpected bytes after the msgpack value",
        ));
    }
    let mut path = Vec::new();
    from_msgpack(&raw, ty, &mut path)
}

fn from_msgpack(
    raw: &rmpv::Value,
    ty: &Type,
    path: &mut Vec<PathStep>,
) -> Result<Value, CodecError> {
    use rmpv::Value as M;
    match (raw, ty) {
        (M::Nil, _) => Ok(Value::Null),
        // cty marks unknown values with extension 0 (12 when refined); any extension is unknown.
        (M::Ext(_, _), _) => Ok(Value::Unknown),
        (M::Boolean(b), Type::Bool) => Ok(Value::Bool(*b)),
        (M::String(s), Type::String) => s
            .as_str()
            .map(Value::string)
            .ok_or_else(|| CodecError::new(path, "string is not valid UTF-8")),
        (M::Integer(i), Type::Number) => integer_to_number(i)
            .map(Value::Number)
            .ok_or_else(|| CodecError::new(path, "integer out of range")),
        (M::F32(f), Type::Number) => Ok(Value::Number(Number::Float(f64::from(*f)))),
        (M::F64(f), Type::Number) => Ok(Value::Number(Number::Float(*f))),
        // cty encodes numbers that do not fit a float64 exactly as decimal strings.
        (M::String(s), Type::Number) => s
            .as_str()
            .and_then(parse_number)
            .map(Value::Number)
            .ok_or_else(|| CodecError::new(path, "expected a number")),
        (M::Array(items), Type::List(elem)) => Ok(Value::List(decode_elements(items, elem, path)?)),
        (M::Array(items), Type::Set(elem)) => Ok(Value::Set(decode_elements(items, elem, path)?)),
        (M::Map(entries), Type::Map(elem)) => {
            let mut out = BTreeMap::new();
            for (key, raw_value) in entries {
                let key = msgpack_key(key, path)?;
                path.push(PathStep::ElementKeyString(key.clone()));
                let value = from_msgpack(raw_value, elem, path)?;
                path.pop();
                out.insert(key, value);
            }
            Ok(Value::Map(out))
        }
        (M::Map(entries), Type::Object(fields)) => {
            let mut out: BTreeMap<String, Value> =
                fields.keys().map(|k| (k.clone(), Value::Null)).collect();
            for (key, raw_value) in entries {
                let key = msgpack_key(key, path)?;
                let Some(field_ty) = fields.get(&key) else {
                    return Err(CodecError::new(
                        path,
                        format!("unexpected attribute {key:?} (not in the schema)"),
                    ));
                };
                path.push(PathStep::Attribute(key.clone()));
                let value = from_msgpack(raw_value, field_ty, path)?;
                path.pop();
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
        (_, ty) => Err(CodecError::new(
            path,
            format!("expected {}, got {}", type_name(ty), msgpack_kind(raw)),
        )),
    }
}

fn decode_elements(
    items: &[rmpv::Value],
    elem: &Type,
    path: &mut Vec<PathStep>,
) -> Result<Vec<Value>, CodecError> {
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        path.push(PathStep::ElementKeyInt(index as i64));
        out.push(from_msgpack(item, elem, path)?);
        path.pop();
    }
    Ok(out)
}

fn msgpack_key(key: &rmpv::Value, path: &[PathStep]) -> Result<String, CodecError> {
    match key {
        rmpv::Value::String(s) => s
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| CodecError::new(path, "map key is not valid UTF-8")),
        other => Err(CodecError::new(
            path,
            format!("map key must be a string, got {}", msgpack_kind(other)),
        )),
    }
}

fn integer_to_number(i: &rmpv::Integer) -> Option<Number> {
    if let Some(v) = i.as_i64() {
        return Some(Number::Int(v));
    }
    i.as_u64().map(|v| Number::Float(v as f64))
}

/// Parses a cty decimal string: whole numbers stay exact when they fit an i64.
fn parse_number(s: &str) -> Option<Number> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Number::Int(i));
    }
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() => Some(Number::Float(f)),
        _ => None,
    }
}

fn msgpack_kind(raw: &rmpv::Value) -> &'static str {
    use rmpv::Value as M;
    match raw {
        M::Nil => "null",
        M::Boolean(_) => "a bool",
        M::Integer(_) | M::F32(_) | M::F64(_) => "a number",
        M::String(_) => "a string",
        M::Binary(_) => "binary data",
        M::Array(_) => "an array",
        M::Map(_) => "a map",
        M::Ext(_, _) => "an extension value",
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// JSON → Value

/// Decodes the JSON form of a `DynamicValue` (no unknowns can appear in it).
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| CodecError::new(&[], format!("not valid JSON ({e})")))?;
    let mut path = Vec::new();
    from_json(&raw, ty, &mut path, 0)
}

fn from_json(
    raw: &serde_json::Value,
    ty: &Type,
    path: &mut Vec<PathStep>,
    depth: usize,
) -> Result<Value, CodecError> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(CodecError::new(path, "value nested too deeply"));
    }
    match (raw, ty) {
        (J::Null, _) => Ok(Value::Null),
        (J::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
        (J::String(s), Type::String) => Ok(Value::string(s.as_str())),
        (J::Number(n), Type::Number) => {
            let number = match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Number::Int(i),
                (None, Some(f)) => Number::Float(f),
                _ => return Err(CodecError::new(path, "number out of range")),
            };
            Ok(Value::Number(number))
        }
        (J::String(s), Type::Number) => parse_number(s)
            .map(Value::Number)
            .ok_or_else(|| CodecError::new(path, "expected a number")),
        (J::Array(items), Type::List(elem) | Type::Set(elem)) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                path.push(PathStep::ElementKeyInt(index as i64));
                out.push(from_json(item, elem, path, depth + 1)?);
                path.pop();
            }
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            })
        }
        (J::Object(entries), Type::Map(elem)) => {
            let mut out = BTreeMap::new();
            for (key, item) in entries {
                path.push(PathStep::ElementKeyString(key.clone()));
                out.insert(key.clone(), from_json(item, elem, path, depth + 1)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (J::Object(entries), Type::Object(fields)) => {
            let mut out: BTreeMap<String, Value> =
                fields.keys().map(|k| (k.clone(), Value::Null)).collect();
            for (key, item) in entries {
                let Some(field_ty) = fields.get(key) else {
                    return Err(CodecError::new(
                        path,
                        format!("unexpected attribute {key:?} (not in the schema)"),
                    ));
                };
                path.push(PathStep::Attribute(key.clone()));
                out.insert(key.clone(), from_json(item, field_ty, path, depth + 1)?);
                path.pop();
            }
            Ok(Value::Object(out))
        }
        (other, ty) => {
            let got = match other {
                J::Bool(_) => "a bool",
                J::Number(_) => "a number",
                J::String(_) => "a string",
                J::Array(_) => "an array",
                J::Object(_) => "an object",
                J::Null => "null",
            };
            Err(CodecError::new(
                path,
                format!("expected {}, got {got}", type_name(ty)),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Value → msgpack

/// Encodes `value` as msgpack in the shape of `ty` (objects carry every attribute; absent ones
/// are nil). Fails when the value does not fit the type.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut path = Vec::new();
    let raw = to_msgpack(value, ty, &mut path)?;
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &raw)
        .map_err(|e| CodecError::new(&[], format!("could not write msgpack ({e})")))?;
    Ok(out)
}

fn to_msgpack(
    value: &Value,
    ty: &Type,
    path: &mut Vec<PathStep>,
) -> Result<rmpv::Value, CodecError> {
    use rmpv::Value as M;
    let mismatch = |path: &[PathStep]| {
        CodecError::new(
            path,
            format!(
                "the provider produced a value that is not {}",
                type_name(ty)
            ),
        )
    };
    Ok(match (value, ty) {
        (Value::Null, _) => M::Nil,
        // cty's unknown value: fixext1, type 0, one zero byte.
        (Value::Unknown, _) => M::Ext(0, vec![0]),
        (Value::Bool(b), Type::Bool) => M::Boolean(*b),
        (Value::String(s), Type::String) => M::String(s.as_str().into()),
        (Value::Number(Number::Int(i)), Type::Number) => M::Integer((*i).into()),
        (Value::Number(Number::Float(f)), Type::Number) => M::F64(*f),
        (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                path.push(PathStep::ElementKeyInt(index as i64));
                out.push(to_msgpack(item, elem, path)?);
                path.pop();
            }
            M::Array(out)
        }
        (Value::Map(entries), Type::Map(elem)) => {
            let mut out = Vec::with_capacity(entries.len());
            for (key, item) in entries {
                path.push(PathStep::ElementKeyString(key.clone()));
                out.push((
                    M::String(key.as_str().into()),
                    to_msgpack(item, elem, path)?,
                ));
                path.pop();
            }
            M::Map(out)
        }
        (Value::Object(attrs), Type::Object(fields)) => {
            if let Some(extra) = attrs.keys().find(|k| !fields.contains_key(*k)) {
                return Err(CodecError::new(
                    path,
                    format!(
                        "the provider produced attribute {extra:?}, which is not in the schema"
                    ),
                ));
            }
            let mut out = Vec::with_capacity(fields.len());
            for (name, field_ty) in fields {
                path.push(PathStep::Attribute(name.clone()));
                let item = attrs.get(name).unwrap_or(&Value::Null);
                out.push((
                    M::String(name.as_str().into()),
                    to_msgpack(item, field_ty, path)?,
                ));
                path.pop();
            }
            M::Map(out)
        }
        _ => return Err(mismatch(path)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, NestedBlock};

    fn object(fields: &[(&str, Type)]) -> Type {
        Type::Object(
            fields
                .iter()
                .map(|(k, t)| (k.to_string(), t.clone()))
                .collect(),
        )
    }

    fn pack(raw: rmpv::Value) -> Vec<u8> {
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &raw).unwrap();
        out
    }

    fn s(v: &str) -> rmpv::Value {
        rmpv::Value::String(v.into())
    }

    fn sample_block() -> Block {
        Block {
            description: String::new(),
            attributes: vec![
                Attribute::required("name", Type::String, ""),
                Attribute::optional("count", Type::Number, ""),
                Attribute::optional("tags", Type::Map(Box::new(Type::String)), ""),
            ],
            blocks: vec![
                NestedBlock {
                    type_name: "single".into(),
                    nesting: Nesting::Single,
                    block: Block {
                        attributes: vec![Attribute::optional("x", Type::String, "")],
                        ..Block::default()
                    },
                    min_items: 0,
                    max_items: 1,
                },
                NestedBlock {
                    type_name: "many".into(),
                    nesting: Nesting::List,
                    block: Block {
                        attributes: vec![Attribute::optional("y", Type::Bool, "")],
                        ..Block::default()
                    },
                    min_items: 0,
                    max_items: 0,
                },
            ],
        }
    }

    #[test]
    fn block_type_includes_nested_blocks_by_nesting_mode() {
        let ty = block_type(&sample_block());
        let expected = object(&[
            ("name", Type::String),
            ("count", Type::Number),
            ("tags", Type::Map(Box::new(Type::String))),
            ("single", object(&[("x", Type::String)])),
            ("many", Type::List(Box::new(object(&[("y", Type::Bool)])))),
        ]);
        assert_eq!(ty, expected);
    }

    #[test]
    fn missing_attributes_decode_as_null() {
        let ty = block_type(&sample_block());
        let bytes = pack(rmpv::Value::Map(vec![(s("name"), s("api"))]));
        let value = decode_msgpack(&bytes, &ty).unwrap();
        assert_eq!(value.get("name"), &Value::string("api"));
        assert!(value.get("count").is_null());
        assert!(value.get("single").is_null());
        let Value::Object(attrs) = &value else {
            panic!("not an object")
        };
        assert_eq!(attrs.len(), 5);
    }

    #[test]
    fn nested_blocks_and_collections_decode() {
        let ty = block_type(&sample_block());
        let bytes = pack(rmpv::Value::Map(vec![
            (s("single"), rmpv::Value::Map(vec![(s("x"), s("v"))])),
            (
                s("many"),
                rmpv::Value::Array(vec![rmpv::Value::Map(vec![(
                    s("y"),
                    rmpv::Value::Boolean(true),
                )])]),
            ),
            (s("tags"), rmpv::Value::Map(vec![(s("k"), s("v"))])),
        ]));
        let value = decode_msgpack(&bytes, &ty).unwrap();
        assert_eq!(value.get("single").get("x"), &Value::string("v"));
        assert_eq!(value.get("many").elements()[0].get("y"), &Value::Bool(true));
        assert_eq!(
            value.get("tags"),
            &Value::Map([("k".to_string(), Value::string("v"))].into())
        );
    }

    #[test]
    fn numbers_decode_from_int_float_and_decimal_string() {
        let n = Type::Number;
        assert_eq!(
            decode_msgpack(&pack(rmpv::Value::from(42)), &n).unwrap(),
            Value::int(42)
        );
        assert_eq!(
            decode_msgpack(&pack(rmpv::Value::F64(1.5)), &n).unwrap(),
            Value::Number(Number::Float(1.5))
        );
        assert_eq!(
            decode_msgpack(&pack(s("12345678901")), &n).unwrap(),
            Value::int(12345678901)
        );
        assert_eq!(
            decode_msgpack(&pack(s("0.25")), &n).unwrap(),
            Value::Number(Number::Float(0.25))
        );
        assert!(decode_msgpack(&pack(s("many")), &n).is_err());
    }

    #[test]
    fn unknown_extension_decodes_as_unknown_at_any_depth() {
        let ty = object(&[
            ("list", Type::List(Box::new(Type::String))),
            ("s", Type::String),
        ]);
        let bytes = pack(rmpv::Value::Map(vec![
            (
                s("list"),
                rmpv::Value::Array(vec![s("a"), rmpv::Value::Ext(0, vec![0])]),
            ),
            (s("s"), rmpv::Value::Ext(12, vec![0x80])),
        ]));
        let value = decode_msgpack(&bytes, &ty).unwrap();
        assert_eq!(value.get("list").elements()[1], Value::Unknown);
        assert_eq!(value.get("s"), &Value::Unknown);
        assert!(!value.is_wholly_known());
        let whole = pack(rmpv::Value::Ext(0, vec![0]));
        assert_eq!(decode_msgpack(&whole, &ty).unwrap(), Value::Unknown);
    }

    #[test]
    fn type_mismatch_reports_the_path_without_the_value() {
        let ty = block_type(&sample_block());
        let bytes = pack(rmpv::Value::Map(vec![(
            s("many"),
            rmpv::Value::Array(vec![rmpv::Value::Map(vec![(s("y"), s("secret-value"))])]),
        )]));
        let err = decode_msgpack(&bytes, &ty).unwrap_err();
        assert_eq!(
            err.path,
            vec![
                PathStep::Attribute("many".into()),
                PathStep::ElementKeyInt(0),
                PathStep::Attribute("y".into())
            ]
        );
        assert_eq!(err.location(), ".many[0].y");
        assert!(!err.to_string().contains("secret-value"));
    }

    #[test]
    fn malformed_bytes_are_errors() {
        let ty = block_type(&sample_block());
        assert!(decode_msgpack(&[], &ty).is_err());
        assert!(
            decode_msgpack(&[0x92, 0x01], &ty).is_err(),
            "truncated array"
        );
        assert!(decode_msgpack(&[0xd9], &ty).is_err(), "truncated string");
        assert!(
            decode_msgpack(&[0x80, 0x00], &ty).is_err(),
            "trailing bytes"
        );
        assert!(decode_msgpack(&pack(rmpv::Value::Map(vec![(s("nope"), s("x"))])), &ty).is_err());
    }

    #[test]
    fn json_form_decodes_like_msgpack() {
        let ty = block_type(&sample_block());
        let value = decode_json(br#"{"name":"api","count":3,"many":[{"y":false}]}"#, &ty).unwrap();
        assert_eq!(value.get("name"), &Value::string("api"));
        assert_eq!(value.get("count"), &Value::int(3));
        assert_eq!(
            value.get("many").elements()[0].get("y"),
            &Value::Bool(false)
        );
        assert!(value.get("tags").is_null());
        assert!(decode_json(b"{", &ty).is_err());
        assert!(decode_json(br#"{"count":"x"}"#, &ty).is_err());
    }

    #[test]
    fn encode_fills_absent_attributes_and_round_trips() {
        let ty = block_type(&sample_block());
        let value = Value::object([
            ("name", Value::string("api")),
            (
                "many",
                Value::List(vec![Value::object([("y", Value::Bool(true))])]),
            ),
        ]);
        let bytes = encode_msgpack(&value, &ty).unwrap();
        let raw = rmpv::decode::read_value(&mut Cursor::new(&bytes)).unwrap();
        let rmpv::Value::Map(entries) = &raw else {
            panic!("not a map")
        };
        assert_eq!(entries.len(), 5, "every attribute is present");
        let decoded = decode_msgpack(&bytes, &ty).unwrap();
        assert_eq!(decoded.get("name"), &Value::string("api"));
        assert_eq!(
            decoded.get("many").elements()[0].get("y"),
            &Value::Bool(true)
        );
        assert!(decoded.get("tags").is_null());
    }

    #[test]
    fn encode_rejects_values_that_do_not_fit_the_type() {
        let ty = block_type(&sample_block());
        let wrong = Value::object([("name", Value::int(1))]);
        let err = encode_msgpack(&wrong, &ty).unwrap_err();
        assert_eq!(err.path, vec![PathStep::Attribute("name".into())]);
        let extra = Value::object([("other", Value::Null)]);
        assert!(encode_msgpack(&extra, &ty).is_err());
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let ty = block_type(&sample_block());
            let _ = decode_msgpack(&bytes, &ty);
            let _ = decode_json(&bytes, &ty);
            let _ = decode_msgpack(&bytes, &Type::List(Box::new(Type::Number)));
        }
    }
}
