//! The contract as a binary WIT package, as `wasm-tools component wit --wasm`
//! writes one (the same crates: `wit-parser` resolves, `wit_component::encode`
//! encodes), so hosts in other languages can generate bindings from one file.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};

/// The newest `wit/since_vX.Y.Z/` (compared as numbers), with its `deps/`.
pub fn newest_dir(wit: &Path) -> anyhow::Result<PathBuf> {
    let mut newest: Option<(Vec<u64>, PathBuf)> = None;
    for entry in std::fs::read_dir(wit).with_context(|| format!("reading {}", wit.display()))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(version) = name.strip_prefix("since_v").and_then(parse_version) else { continue };
        if entry.file_type()?.is_dir() && newest.as_ref().is_none_or(|(v, _)| version > *v) {
            newest = Some((version, entry.path()));
        }
    }
    newest.map(|(_, dir)| dir).ok_or_else(|| anyhow!("no since_vX.Y.Z directory in {}", wit.display()))
}

fn parse_version(text: &str) -> Option<Vec<u64>> {
    text.split('.').map(|n| n.parse().ok()).collect::<Option<Vec<u64>>>().filter(|v| v.len() == 3)
}

/// The package in `dir` encoded, and its file name: `talemate-visual-0.2.0.wit.wasm`.
pub fn encode(dir: &Path) -> anyhow::Result<(String, Vec<u8>)> {
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_dir(dir).with_context(|| format!("resolving the WIT in {}", dir.display()))?;
    let name = &resolve.packages[package].name;
    let version = name.version.as_ref().ok_or_else(|| anyhow!("the package {name} has no version"))?;
    let file = format!("{}-{}-{version}.wit.wasm", name.namespace, name.name);
    let bytes = wit_component::encode(&resolve, package).context("encoding the WIT package")?;
    Ok((file, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_version_directory_wins_by_number() {
        let wit = std::env::temp_dir().join(format!("xtask-wit-{}", std::process::id()));
        for dir in ["since_v0.9.0", "since_v0.10.0", "since_v0.2.1", "since_vX", "other"] {
            std::fs::create_dir_all(wit.join(dir)).unwrap();
        }
        std::fs::write(wit.join("since_v1.0.0"), "a file, not a directory").unwrap();
        assert_eq!(newest_dir(&wit).unwrap(), wit.join("since_v0.10.0"));
        std::fs::remove_dir_all(&wit).unwrap();
    }

    #[test]
    fn the_contract_encodes_and_decodes_as_its_own_package() {
        let dir = newest_dir(&crate::workspace::root().join("wit")).unwrap();
        let (file, bytes) = encode(&dir).unwrap();
        let version = dir.file_name().unwrap().to_str().unwrap().strip_prefix("since_v").unwrap();
        assert_eq!(file, format!("talemate-visual-{version}.wit.wasm"));
        let wit_component::DecodedWasm::WitPackage(resolve, package) = wit_component::decode(&bytes).unwrap() else {
            panic!("not a WIT package");
        };
        assert_eq!(resolve.packages[package].name.to_string(), format!("talemate:visual@{version}"));
        assert!(resolve.packages[package].interfaces.contains_key("visual-backend"));
        assert!(resolve.packages[package].worlds.contains_key("backend"));
    }
}
