//! Builds the guest components (release, wasm32-wasip2) and tells the crate
//! where they are (`OPENAI_BACKEND_WASM`, `PLACEHOLDER_BACKEND_WASM`).
//!
//! The nested cargo gets its own target directory: sharing the outer one
//! deadlocks on cargo's build lock.

use std::path::PathBuf;
use std::process::Command;

/// (package, artifact file name, env var the host reads the path from)
const GUESTS: &[(&str, &str, &str)] = &[
    ("openai-visual-backend", "openai_visual_backend.wasm", "OPENAI_BACKEND_WASM"),
    ("placeholder-backend", "placeholder_backend.wasm", "PLACEHOLDER_BACKEND_WASM"),
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().and_then(|p| p.parent()).unwrap().to_path_buf();
    let target_dir = root.join("target").join("guest");
    for path in ["src", "wit", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml"] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    for (package, _, _) in GUESTS {
        if *package != "openai-visual-backend" {
            println!("cargo:rerun-if-changed={}", root.join("host-test").join(package).display());
        }
    }
    println!("cargo:rerun-if-env-changed=VISUAL_HOST_SKIP_GUEST_BUILD");

    let out = |file: &str| target_dir.join("wasm32-wasip2").join("release").join(file);
    for (_, file, var) in GUESTS {
        println!("cargo:rustc-env={var}={}", out(file).display());
    }
    if std::env::var_os("VISUAL_HOST_SKIP_GUEST_BUILD").is_some() {
        return;
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--locked"])
        .env("CARGO_TARGET_DIR", &target_dir);
    for (package, _, _) in GUESTS {
        cmd.args(["-p", package]);
    }
    // Flags meant for the host build must not leak into the guest build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_PRIMARY_PACKAGE",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("running cargo to build the guest components");
    if !status.success() {
        panic!(
            "building the guest components failed ({status}); is the target installed? \
             run `rustup target add wasm32-wasip2`"
        );
    }
    for (_, file, _) in GUESTS {
        assert!(out(file).is_file(), "the guest build did not produce {}", out(file).display());
    }
}
