//! Runs the Python host's pytest suite (`host-test/python/tests/test_*.py`) as
//! part of `cargo test --workspace`, against the extension this same `cargo
//! test` just built (dev profile, workspace target dir, with the `test-mock`
//! feature that every cargo build of the crate has): nothing is compiled
//! again, and no second wasmtime is built.
//!
//! It needs `python3` (3.9 or newer; `PYTHON` names another interpreter) and
//! PyPI: the test builds a venv under `target/python-venv` from the pinned
//! `requirements-test.txt` (reused while that file is unchanged), installs the
//! package into its site-packages (the Python sources, and the extension
//! `target/<profile>/deps/lib_native.so` as `talemate_visual/_native.abi3.so`,
//! where maturin would put it), then runs pytest. Without Python or PyPI the
//! test fails; `VISUAL_HOST_SKIP_PYTHON=1` at build time skips it on purpose,
//! and `cargo test` then lists it as ignored, with why.

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{output, python_venv, target_dir};

mod common;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The extension this `cargo test` built: a cdylib sits in `deps/` beside
/// the test binaries, under a name without a hash.
fn built_extension() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("deps/");
    let name = if cfg!(target_os = "macos") { "lib_native.dylib" } else { "lib_native.so" };
    let path = deps.join(name);
    assert!(path.is_file(), "the extension was not built at {}", path.display());
    path
}

fn run(command: &mut Command, what: &str) {
    let status = command.status().unwrap_or_else(|e| panic!("{what}: cannot start {command:?}: {e}"));
    assert!(status.success(), "{what} failed ({status}): {command:?}");
}

/// Copies the package into the venv's site-packages, as `pip install` of a
/// wheel would lay it out, with this build's extension.
pub fn install(python: &Path) {
    let site = PathBuf::from(
        output(
            Command::new(python).args(["-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])"]),
            "finding site-packages",
        )
        .trim(),
    );
    let package = site.join("talemate_visual");
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(&package).expect("creating the package directory");
    copy_tree(&crate_dir().join("python").join("talemate_visual"), &package);
    // A hard link where the file system allows (the debug build is hundreds of MB).
    let (built, installed) = (built_extension(), package.join("_native.abi3.so"));
    if std::fs::hard_link(&built, &installed).is_err() {
        std::fs::copy(&built, &installed).expect("copying the extension");
    }
}

/// Copies the package's files and subpackages (`talemate/`, the bundled
/// `backends/*.wasm`), as a wheel holds them; no `__pycache__`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("creating a package directory");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display())) {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap();
        if path.is_dir() && name != "__pycache__" {
            copy_tree(&path, &to.join(name));
        } else if path.is_file() {
            std::fs::copy(&path, to.join(name)).expect("copying a source file");
        }
    }
}

#[test]
#[cfg_attr(skip_python, ignore = "VISUAL_HOST_SKIP_PYTHON is set: the Python host was not tested")]
fn python_host_passes_its_tests() {
    let dir = crate_dir();
    let python = python_venv("python-venv", &dir.join("requirements-test.txt"), "the Python host's tests");
    install(&python);

    // The tests find the components through these; output streams straight through.
    run(
        Command::new(&python)
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"])
            .current_dir(&dir)
            .env("OPENAI_BACKEND_WASM", guest_components::OPENAI_BACKEND)
            .env("PLACEHOLDER_BACKEND_WASM", guest_components::PLACEHOLDER_BACKEND)
            .env("PLACEHOLDER_BACKEND_V0_2_WASM", guest_components::PLACEHOLDER_BACKEND_V0_2)
            .env("PLACEHOLDER_BACKEND_V0_1_WASM", guest_components::PLACEHOLDER_BACKEND_V0_1)
            .env("VISUAL_HOST_CACHE_DIR", target_dir().join("python-component-cache"))
            // The cache's key of the tests' own, never the user's.
            .env("VISUAL_HOST_KEY_FILE", target_dir().join("python-component-cache.key"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .env_remove("PYTHONPATH"),
        "the Python host's pytest suite (host-test/python/tests)",
    );
}
