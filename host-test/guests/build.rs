//! Builds the guest components (release, wasm32-wasip2) and tells the crate
//! where they are (see `Guest::var`).
//!
//! Each build gets a target directory of its own: sharing the outer one
//! deadlocks on cargo's build lock, and the 0.2 and 0.1 builds of the
//! placeholder differ from the 0.3 one only by a feature, which must not
//! unify with it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One `.wasm` this crate provides.
struct Guest {
    package: &'static str,
    /// Cargo features of the build that makes it.
    features: &'static str,
    /// The build's target directory, under `target/`.
    target_dir: &'static str,
    file: &'static str,
    /// The variable `lib.rs` reads the path from.
    var: &'static str,
}

const GUESTS: &[Guest] = &[
    Guest {
        package: "openai-visual-backend",
        features: "",
        target_dir: "guest",
        file: "openai_visual_backend.wasm",
        var: "OPENAI_BACKEND_WASM",
    },
    Guest {
        package: "placeholder-backend",
        features: "",
        target_dir: "guest",
        file: "placeholder_backend.wasm",
        var: "PLACEHOLDER_BACKEND_WASM",
    },
    Guest {
        package: "placeholder-backend",
        features: "contract-v0-2",
        target_dir: "guest-v0.2",
        file: "placeholder_backend.wasm",
        var: "PLACEHOLDER_BACKEND_V0_2_WASM",
    },
    Guest {
        package: "placeholder-backend",
        features: "contract-v0-1",
        target_dir: "guest-v0.1",
        file: "placeholder_backend.wasm",
        var: "PLACEHOLDER_BACKEND_V0_1_WASM",
    },
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().and_then(|p| p.parent()).unwrap().to_path_buf();
    for path in ["src", "wit", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml", "host-test/placeholder-backend"] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo:rerun-if-env-changed=VISUAL_HOST_SKIP_GUEST_BUILD");

    let out = |g: &Guest| root.join("target").join(g.target_dir).join("wasm32-wasip2").join("release").join(g.file);
    for g in GUESTS {
        println!("cargo:rustc-env={}={}", g.var, out(g).display());
    }
    if std::env::var_os("VISUAL_HOST_SKIP_GUEST_BUILD").is_some() {
        return;
    }

    // One cargo per (target directory, features): the first builds both 0.3
    // guests in one go.
    let mut builds: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for g in GUESTS {
        match builds.iter_mut().find(|(dir, features, _)| *dir == g.target_dir && *features == g.features) {
            Some((_, _, packages)) => packages.push(g.package),
            None => builds.push((g.target_dir, g.features, vec![g.package])),
        }
    }
    for (dir, features, packages) in builds {
        build(&root, &root.join("target").join(dir), features, &packages);
    }
    for g in GUESTS {
        assert!(out(g).is_file(), "the guest build did not produce {}", out(g).display());
    }
}

fn build(root: &Path, target_dir: &Path, features: &str, packages: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--locked"])
        .env("CARGO_TARGET_DIR", target_dir);
    for package in packages {
        cmd.args(["-p", package]);
    }
    if !features.is_empty() {
        cmd.args(["--features", features]);
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
            "building the guest components {packages:?} failed ({status}); is the target installed? \
             run `rustup target add wasm32-wasip2`"
        );
    }
}
