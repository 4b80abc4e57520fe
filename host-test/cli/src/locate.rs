//! Where the command line finds its backends, with or without the source
//! tree: beside its own binary (where the release archive puts them, and where
//! the build copies them: `target/debug/`, `target/release/`), then in the
//! user's plugins folder (the one `serve` uses). `--component` wins over both.

use std::path::{Path, PathBuf};

/// The backend used when `--component` is not given.
pub const DEFAULT_BACKEND: &str = guest_components::BESIDE_THE_BINARY[0];

/// The folder this binary is in, symbolic links resolved (a link to it from a
/// folder on PATH still finds the components beside the real file).
pub fn binary_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    std::fs::canonicalize(&exe).unwrap_or(exe).parent().map(Path::to_path_buf)
}

/// The components beside this binary that `serve` copies into its plugins
/// folder (each only if it is there).
pub fn beside_the_binary() -> Vec<PathBuf> {
    binary_dir().map(|dir| guest_components::BESIDE_THE_BINARY.map(|name| dir.join(name)).to_vec()).unwrap_or_default()
}

/// The component to load: `--component` when given (it must exist), else
/// the default backend from the first place that has it; when none does, an
/// error saying where it looked.
pub fn component(given: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(path) = given {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(format!("no component at {} (--component)", path.display()))
        };
    }
    let places = [("beside visual-host", binary_dir()), ("in the plugins folder", visualizer::default_plugins_dir())];
    find(DEFAULT_BACKEND, &places)
}

/// `name` in the first of `places` that has it, or an error listing them.
fn find(name: &str, places: &[(&str, Option<PathBuf>)]) -> Result<PathBuf, String> {
    let mut looked = Vec::new();
    for (what, dir) in places {
        match dir {
            Some(dir) if dir.join(name).is_file() => return Ok(dir.join(name)),
            Some(dir) => looked.push(format!("{what} ({})", dir.join(name).display())),
            None => looked.push(format!("{what} (unknown: neither XDG_DATA_HOME nor HOME is set)")),
        }
    }
    Err(format!(
        "no backend component: looked for {name} {}; put it in one of these places, or name a component with \
         --component PATH",
        looked.join(" and ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_place_that_has_it_wins_and_a_miss_lists_every_place() {
        let root = std::env::temp_dir().join(format!("visual-host-locate-{}", std::process::id()));
        let (beside, plugins) = (root.join("bin"), root.join("plugins"));
        for dir in [&beside, &plugins] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let places =
            |home: Option<PathBuf>| [("beside visual-host", Some(beside.clone())), ("in the plugins folder", home)];

        let missing = find("b.wasm", &places(Some(plugins.clone()))).unwrap_err();
        assert!(missing.contains(&format!("beside visual-host ({})", beside.join("b.wasm").display())), "{missing}");
        assert!(
            missing.contains(&format!("in the plugins folder ({})", plugins.join("b.wasm").display())),
            "{missing}"
        );
        assert!(missing.contains("--component PATH"), "{missing}");
        assert!(find("b.wasm", &places(None)).unwrap_err().contains("neither XDG_DATA_HOME nor HOME"));

        std::fs::write(plugins.join("b.wasm"), b"").unwrap();
        assert_eq!(find("b.wasm", &places(Some(plugins.clone()))), Ok(plugins.join("b.wasm")));
        std::fs::write(beside.join("b.wasm"), b"").unwrap();
        assert_eq!(find("b.wasm", &places(Some(plugins.clone()))), Ok(beside.join("b.wasm")));

        assert!(component(Some(&root.join("nope.wasm"))).unwrap_err().contains("(--component)"));
        assert_eq!(component(Some(&beside.join("b.wasm"))), Ok(beside.join("b.wasm")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
