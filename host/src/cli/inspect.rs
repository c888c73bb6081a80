//! `planrun inspect PLAN.wasm`: what a plan imports (so what it can reach:
//! the planrun interfaces and WASI interfaces, each with what planrun gives
//! behind it) and what it exports, without touching any host. A plan that
//! imports something planrun does not provide is shown, then refused with
//! exit code 2, exactly as a run would refuse it.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use wasmtime::Engine;
use wasmtime::component::types::{ComponentFunc, ComponentItem, Type};

use super::exit;
use crate::plan;
use crate::sandbox::capabilities::{self, Verdict};
use crate::sandbox::{self, units::fmt_size};

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The plan: a WebAssembly component (e.g. target/plans/deploy.wasm).
    #[arg(value_name = "PLAN.wasm")]
    plan: PathBuf,
}

pub async fn run(args: InspectArgs) -> Result<u8> {
    let path = &args.plan;
    let (text, refused) = tokio::task::block_in_place(|| -> Result<_> {
        let bytes = plan::read(path)?;
        let engine = plan::engine(&sandbox::Limits::default())?;
        let component = plan::compile(&engine, path, &bytes)?;
        let ty = component.component_type();

        let mut text = String::new();
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        writeln!(
            text,
            "plan     {} ({})",
            path.display(),
            fmt_size(bytes.len() as u64)
        )?;
        writeln!(text, "sha256   {sha256}")?;

        let width = ty
            .imports(&engine)
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0);
        writeln!(text, "\nimports (what the plan can reach)")?;
        let mut refused = Vec::new();
        for (name, item) in ty.imports(&engine) {
            let verdict = capabilities::judge(name);
            writeln!(text, "  {name:<width$}  {verdict}")?;
            let uses = functions(&engine, &item.ty);
            if !uses.is_empty() {
                writeln!(text, "  {:<width$}  uses: {}", "", uses.join(", "))?;
            }
            if matches!(verdict, Verdict::Refused(_)) {
                refused.push(name.to_string());
            }
        }
        writeln!(text, "\nexports")?;
        for (name, item) in ty.exports(&engine) {
            match &item.ty {
                ComponentItem::ComponentFunc(func) => {
                    writeln!(text, "  {name}: {}", signature(func))?
                }
                ComponentItem::ComponentInstance(_) => {
                    let funcs = functions(&engine, &item.ty);
                    writeln!(text, "  {name}: {}", funcs.join(", "))?
                }
                _ => writeln!(text, "  {name}")?,
            }
        }
        Ok((text, refused))
    })?;
    print!("{text}");
    if refused.is_empty() {
        return Ok(exit::OK);
    }
    eprintln!(
        "planrun: error: planrun would refuse to run {}: it imports {}, which planrun does not provide",
        path.display(),
        refused
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(exit::USAGE)
}

/// The functions of an imported or exported interface, by name.
fn functions(engine: &Engine, item: &ComponentItem) -> Vec<String> {
    match item {
        ComponentItem::ComponentInstance(instance) => instance
            .exports(engine)
            .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentFunc(_)))
            .map(|(name, _)| name.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// `func(a: string) -> result<_, string>`, as WIT writes it.
fn signature(func: &ComponentFunc) -> String {
    let params: Vec<String> = func
        .params()
        .map(|(name, ty)| format!("{name}: {}", wit_type(&ty)))
        .collect();
    let results: Vec<String> = func.results().map(|ty| wit_type(&ty)).collect();
    match results.as_slice() {
        [] => format!("func({})", params.join(", ")),
        [one] => format!("func({}) -> {one}", params.join(", ")),
        many => format!("func({}) -> ({})", params.join(", "), many.join(", ")),
    }
}

fn wit_type(ty: &Type) -> String {
    let list = |types: Vec<String>| types.join(", ");
    match ty {
        Type::Bool => "bool".into(),
        Type::S8 => "s8".into(),
        Type::U8 => "u8".into(),
        Type::S16 => "s16".into(),
        Type::U16 => "u16".into(),
        Type::S32 => "s32".into(),
        Type::U32 => "u32".into(),
        Type::S64 => "s64".into(),
        Type::U64 => "u64".into(),
        Type::Float32 => "f32".into(),
        Type::Float64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::List(l) => format!("list<{}>", wit_type(&l.ty())),
        Type::Option(o) => format!("option<{}>", wit_type(&o.ty())),
        Type::Result(r) => {
            let side = |t: Option<Type>| t.map_or("_".to_string(), |t| wit_type(&t));
            match (r.ok(), r.err()) {
                (None, None) => "result".into(),
                (ok, err) => format!("result<{}, {}>", side(ok), side(err)),
            }
        }
        Type::Tuple(t) => format!("tuple<{}>", list(t.types().map(|t| wit_type(&t)).collect())),
        Type::Record(r) => format!(
            "record {{ {} }}",
            list(
                r.fields()
                    .map(|f| format!("{}: {}", f.name, wit_type(&f.ty)))
                    .collect()
            )
        ),
        Type::Variant(v) => format!(
            "variant {{ {} }}",
            list(
                v.cases()
                    .map(|c| match c.ty {
                        Some(ty) => format!("{}({})", c.name, wit_type(&ty)),
                        None => c.name.to_string(),
                    })
                    .collect()
            )
        ),
        Type::Enum(e) => format!(
            "enum {{ {} }}",
            list(e.names().map(str::to_string).collect())
        ),
        Type::Flags(f) => format!(
            "flags {{ {} }}",
            list(f.names().map(str::to_string).collect())
        ),
        Type::Own(_) => "own<resource>".into(),
        Type::Borrow(_) => "borrow<resource>".into(),
        Type::Future(_) => "future".into(),
        Type::Stream(_) => "stream".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Map(_) => "map".into(),
        Type::FixedLengthList(_) => "list<_, N>".into(),
    }
}
