//! Turns `VISUAL_HOST_SKIP_PYTHON=1` and `VISUAL_HOST_SKIP_NODE=1` into the
//! compile-time cfgs `skip_python` and `skip_node`, so a suite skipped on
//! purpose is reported as ignored, with the reason, in `cargo test`'s own
//! summary instead of passing quietly.
//!
//! It also puts the OpenAI backend's `.wasm` (built by `guest-components`)
//! into the package, at `python/talemate_visual/backends/`, where maturin
//! packs it into every wheel (`include` in pyproject.toml: the file is
//! gitignored, being built) and the test suite installs it from.

fn main() {
    for (var, cfg) in [("VISUAL_HOST_SKIP_PYTHON", "skip_python"), ("VISUAL_HOST_SKIP_NODE", "skip_node")] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    bundle_openai_backend();
}

fn bundle_openai_backend() {
    let source = std::path::Path::new(guest_components::OPENAI_BACKEND);
    println!("cargo::rerun-if-changed={}", source.display());
    let dir =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("python/talemate_visual/backends");
    let target = dir.join("openai_visual_backend.wasm");
    match std::fs::read(source) {
        // Written only when it changed, so an unchanged build touches nothing.
        Ok(wasm) if std::fs::read(&target).ok().as_deref() != Some(&wasm[..]) => {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&target, &wasm))
                .unwrap_or_else(|e| panic!("bundling the OpenAI backend into {}: {e}", target.display()));
        }
        Ok(_) => {}
        // VISUAL_HOST_SKIP_GUEST_BUILD with nothing built yet.
        Err(e) => {
            println!("cargo::warning=the OpenAI backend is not bundled into the package: {}: {e}", source.display())
        }
    }
}
