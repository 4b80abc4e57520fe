//! Builds the guest components (release, wasm32-wasip2) and tells the crate
//! where they are (see `Guest::var`), then copies the two 0.2 backends into
//! the profile directory (`target/debug/`, `target/release/`), beside the
//! binaries the build makes: where an installed `visual-host` finds them, so
//! `cargo run` finds them the same way.
//!
//! Each build gets a target directory of its own: sharing the outer one
//! deadlocks on cargo's build lock, and the 0.2 and 0.1 builds of the
//! placeholder differ from the 0.3 one only by a feature, which must not
//! unify with it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

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
    /// Copied beside the binaries (`lib.rs`'s `BESIDE_THE_BINARY`).
    beside_binaries: bool,
}

const GUESTS: &[Guest] = &[
    Guest {
        package: "openai-visual-backend",
        features: "",
        target_dir: "guest",
        file: "openai_visual_backend.wasm",
        var: "OPENAI_BACKEND_WASM",
        beside_binaries: true,
    },
    Guest {
        package: "placeholder-backend",
        features: "",
        target_dir: "guest",
        file: "placeholder_backend.wasm",
        var: "PLACEHOLDER_BACKEND_WASM",
        beside_binaries: true,
    },
    Guest {
        package: "placeholder-backend",
        features: "contract-v0-2",
        target_dir: "guest-v0.2",
        file: "placeholder_backend.wasm",
        var: "PLACEHOLDER_BACKEND_V0_2_WASM",
        beside_binaries: false,
    },
    Guest {
        package: "placeholder-backend",
        features: "contract-v0-1",
        target_dir: "guest-v0.1",
        file: "placeholder_backend.wasm",
        var: "PLACEHOLDER_BACKEND_V0_1_WASM",
        beside_binaries: false,
    },
];

fn main() {
    let started = SystemTime::now();
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().and_then(|p| p.parent()).unwrap().to_path_buf();
    for path in [
        "src",
        "wit",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
        "host-test/contract",
        "host-test/placeholder-backend",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }
    println!("cargo:rerun-if-env-changed=VISUAL_HOST_SKIP_GUEST_BUILD");

    let out = |g: &Guest| root.join("target").join(g.target_dir).join("wasm32-wasip2").join("release").join(g.file);
    for g in GUESTS {
        println!("cargo:rustc-env={}={}", g.var, out(g).display());
    }
    if std::env::var_os("VISUAL_HOST_SKIP_GUEST_BUILD").is_some() {
        // Whatever was built before still goes beside the binaries.
        copy_beside_binaries(GUESTS.iter().map(|g| (g, out(g))), started);
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
    copy_beside_binaries(GUESTS.iter().map(|g| (g, out(g))), started);
}

/// Copies the guests marked `beside_binaries` into the profile directory of
/// this build (`OUT_DIR` is `<profile dir>/build/<crate>-<hash>/out`), when
/// missing or different. The copies are watched, so a deleted one comes back
/// with the next build. A copy's time is its source's, but never later than
/// this script's start: cargo reruns a script when a watched file is newer
/// than its last run, and `visual-host serve` refreshes a plugins folder from
/// these copies when they are newer than what the folder holds.
fn copy_beside_binaries<'a>(guests: impl Iterator<Item = (&'a Guest, PathBuf)>, started: SystemTime) {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let Some(profile_dir) = out_dir
        .ancestors()
        .nth(3)
        .filter(|_| out_dir.ancestors().nth(2).and_then(Path::file_name) == Some("build".as_ref()))
    else {
        println!(
            "cargo:warning=not copying the components beside the binaries: OUT_DIR {} is not under a profile directory",
            out_dir.display()
        );
        return;
    };
    for (g, source) in guests.filter(|(g, _)| g.beside_binaries) {
        let copy = profile_dir.join(g.file);
        println!("cargo:rerun-if-changed={}", copy.display());
        let Ok(wasm) = std::fs::read(&source) else {
            // VISUAL_HOST_SKIP_GUEST_BUILD with nothing built yet.
            println!("cargo:warning=no {} to copy beside the binaries", source.display());
            continue;
        };
        if std::fs::read(&copy).is_ok_and(|existing| existing == wasm) {
            continue;
        }
        let built = std::fs::metadata(&source).and_then(|m| m.modified()).unwrap_or(started);
        let time = built.min(started - Duration::from_secs(2));
        let tmp = profile_dir.join(format!(".{}.tmp{}", g.file, std::process::id()));
        let copied = std::fs::write(&tmp, &wasm)
            .and_then(|()| std::fs::File::options().write(true).open(&tmp)?.set_modified(time))
            .and_then(|()| std::fs::rename(&tmp, &copy));
        if let Err(e) = copied {
            let _ = std::fs::remove_file(&tmp);
            panic!("copying {} to {}: {e}", source.display(), copy.display());
        }
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
    // Nor the cross-linking set-up of maturin's `--zig` (cargo-zigbuild's
    // wrappers, and its switch of target settings away from host artifacts):
    // with it the guest build's own build scripts would be rebuilt, and
    // rebuilt back by the next plain build.
    for (name, value) in std::env::vars_os() {
        let (name_text, value) = (name.to_string_lossy(), value.to_string_lossy());
        if name_text.starts_with("CARGO_ZIGBUILD")
            || name_text.ends_with("TARGET_APPLIES_TO_HOST")
            || value.contains("cargo-zigbuild")
            || name_text == "ZIG_COMMAND"
        {
            cmd.env_remove(&name);
        }
    }
    let status = cmd.status().expect("running cargo to build the guest components");
    if !status.success() {
        panic!(
            "building the guest components {packages:?} failed ({status}); is the target installed? \
             run `rustup target add wasm32-wasip2`"
        );
    }
}
