//! Turns `VISUAL_HOST_SKIP_PYTHON=1` into a compile-time `skip_python` cfg, so
//! a Python suite skipped on purpose is reported as ignored, with the reason,
//! in `cargo test`'s own summary, instead of passing quietly.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(skip_python)");
    println!("cargo::rerun-if-env-changed=VISUAL_HOST_SKIP_PYTHON");
    if std::env::var_os("VISUAL_HOST_SKIP_PYTHON").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=skip_python");
    }
}
