//! The product's one version: `[workspace.package] version` in the root
//! `Cargo.toml`. Every crate inherits it (so the components' `info().version`,
//! which is their crate's, is it too), the wheel takes it from Cargo.toml,
//! and `dist` names the archive with it. The test below keeps it so.

use std::path::Path;

use anyhow::{anyhow, Context};

fn read_toml(path: &Path) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.parse().with_context(|| format!("parsing {}", path.display()))
}

/// The product version.
pub fn product(root: &Path) -> anyhow::Result<String> {
    let manifest = read_toml(&root.join("Cargo.toml"))?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| anyhow!("the root Cargo.toml has no [workspace.package] version"))
}

/// Where the version is not the product's: one line per place.
pub fn disagreements(root: &Path) -> anyhow::Result<Vec<String>> {
    let version = product(root)?;
    let manifest = read_toml(&root.join("Cargo.toml"))?;
    let members = manifest["workspace"]["members"].as_array().context("[workspace] members")?;
    let mut wrong = Vec::new();
    for member in members {
        let dir = root.join(member.as_str().context("a member is a path")?);
        let package = read_toml(&dir.join("Cargo.toml"))?;
        let name = package["package"]["name"].as_str().unwrap_or("?").to_string();
        match package["package"].get("version") {
            Some(toml::Value::Table(t)) if t.get("workspace") == Some(&toml::Value::Boolean(true)) => {}
            Some(toml::Value::String(v)) if *v == version => {}
            other => wrong.push(format!("crate {name}: version {other:?}, not version.workspace = true")),
        }
    }
    let pyproject = read_toml(&root.join("host-test/python/pyproject.toml"))?;
    let project = &pyproject["project"];
    let dynamic = project
        .get("dynamic")
        .and_then(|d| d.as_array())
        .is_some_and(|d| d.iter().any(|v| v.as_str() == Some("version")));
    match project.get("version").and_then(|v| v.as_str()) {
        Some(v) if v == version => {}
        None if dynamic => {}
        other => {
            wrong.push(format!("pyproject.toml: version {other:?}, neither {version} nor dynamic (from Cargo.toml)"))
        }
    }
    Ok(wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crates_the_components_and_the_wheel_share_the_product_version() {
        let root = crate::workspace::root();
        let version = product(&root).unwrap();
        assert!(version.split('.').count() == 3 && version.split('.').all(|n| n.parse::<u32>().is_ok()), "{version}");
        assert_eq!(disagreements(&root).unwrap(), Vec::<String>::new());
        // This crate inherits it too; so do the components, whose info().version is CARGO_PKG_VERSION.
        assert_eq!(env!("CARGO_PKG_VERSION"), version);
    }
}
