//! Conversions from the provider-facing types (schemas, diagnostics) to their tfplugin6 wire
//! messages. Types are sent in cty's JSON type encoding (`"string"`, `["list","string"]`, …).

use serde_json::json;

use super::diagnostic::{Diagnostic, PathStep, Severity};
use super::proto::tfplugin6 as pb;
use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema, Type};

/// cty's JSON encoding of a type.
pub fn type_json(ty: &Type) -> serde_json::Value {
    match ty {
        Type::String => json!("string"),
        Type::Number => json!("number"),
        Type::Bool => json!("bool"),
        Type::List(elem) => json!(["list", type_json(elem)]),
        Type::Set(elem) => json!(["set", type_json(elem)]),
        Type::Map(elem) => json!(["map", type_json(elem)]),
        Type::Object(fields) => {
            let fields: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(name, ty)| (name.clone(), type_json(ty)))
                .collect();
            json!(["object", fields])
        }
    }
}

pub fn schema(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(&schema.block, schema.version)),
    }
}

fn block(block: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: block.attributes.iter().map(attribute).collect(),
        block_types: block.blocks.iter().map(nested_block).collect(),
        description: block.description.clone(),
        description_kind: pb::StringKind::Plain as i32,
        deprecated: false,
    }
}

fn attribute(attribute: &Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: attribute.name.clone(),
        r#type: type_json(&attribute.ty).to_string().into_bytes(),
        nested_type: None,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: pb::StringKind::Plain as i32,
        deprecated: false,
        write_only: false,
    }
}

fn nested_block(nested: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match nested.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: nested.type_name.clone(),
        block: Some(block(&nested.block, 0)),
        nesting: nesting as i32,
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

pub fn diagnostic(diagnostic: &Diagnostic) -> pb::Diagnostic {
    use pb::attribute_path::step::Selector;
    let severity = match diagnostic.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    let attribute = (!diagnostic.path.is_empty()).then(|| pb::AttributePath {
        steps: diagnostic
            .path
            .iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                    PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(*index),
                }),
            })
            .collect(),
    });
    pb::Diagnostic {
        severity: severity as i32,
        summary: diagnostic.summary.clone(),
        detail: diagnostic.detail.clone(),
        attribute,
    }
}

pub fn diagnostics(diagnostics: &[Diagnostic]) -> Vec<pb::Diagnostic> {
    diagnostics.iter().map(diagnostic).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn types_use_cty_json_encoding() {
        assert_eq!(type_json(&Type::String).to_string(), r#""string""#);
        assert_eq!(
            type_json(&Type::List(Box::new(Type::String))).to_string(),
            r#"["list","string"]"#
        );
        assert_eq!(
            type_json(&Type::Map(Box::new(Type::Number))).to_string(),
            r#"["map","number"]"#
        );
        let object = Type::Object(BTreeMap::from([
            ("a".to_string(), Type::Bool),
            ("b".to_string(), Type::Set(Box::new(Type::String))),
        ]));
        assert_eq!(
            type_json(&object).to_string(),
            r#"["object",{"a":"bool","b":["set","string"]}]"#
        );
    }

    #[test]
    fn schema_carries_flags_and_nested_blocks() {
        let s = Schema {
            version: 2,
            block: Block {
                description: "top".into(),
                attributes: vec![
                    Attribute::optional("secret", Type::String, "s").sensitive(),
                    Attribute::computed("hash", Type::String, "h"),
                ],
                blocks: vec![NestedBlock {
                    type_name: "assume_role".into(),
                    nesting: Nesting::List,
                    block: Block::default(),
                    min_items: 0,
                    max_items: 1,
                }],
            },
        };
        let wire = schema(&s);
        let b = wire.block.unwrap();
        assert_eq!(wire.version, 2);
        assert_eq!(b.description, "top");
        assert!(b.attributes[0].sensitive && b.attributes[0].optional);
        assert!(b.attributes[1].computed && !b.attributes[1].required);
        assert_eq!(b.attributes[0].r#type, br#""string""#.to_vec());
        assert_eq!(b.block_types[0].type_name, "assume_role");
        assert_eq!(
            b.block_types[0].nesting,
            pb::schema::nested_block::NestingMode::List as i32
        );
        assert_eq!(b.block_types[0].max_items, 1);
    }

    #[test]
    fn diagnostics_carry_severity_and_path() {
        let d = Diagnostic::error("Bad", "Fix it")
            .at("list")
            .then(PathStep::ElementKeyInt(3))
            .then(PathStep::ElementKeyString("k".into()));
        let wire = diagnostic(&d);
        assert_eq!(wire.severity, pb::diagnostic::Severity::Error as i32);
        let steps = wire.attribute.unwrap().steps;
        assert_eq!(steps.len(), 3);
        use pb::attribute_path::step::Selector;
        assert_eq!(
            steps[0].selector,
            Some(Selector::AttributeName("list".into()))
        );
        assert_eq!(steps[1].selector, Some(Selector::ElementKeyInt(3)));
        assert_eq!(
            steps[2].selector,
            Some(Selector::ElementKeyString("k".into()))
        );
        let warning = diagnostic(&Diagnostic::warning("w", "d"));
        assert_eq!(warning.severity, pb::diagnostic::Severity::Warning as i32);
        assert!(warning.attribute.is_none());
    }
}
