//! Turns `VISUAL_HOST_SKIP_PYTHON=1` and `VISUAL_HOST_SKIP_NODE=1` into the
//! compile-time cfgs `skip_python` and `skip_node`, so a suite skipped on
//! purpose is reported as ignored, with the reason, in `cargo test`'s own
//! summary instead of passing quietly.

fn main() {
    for (var, cfg) in [("VISUAL_HOST_SKIP_PYTHON", "skip_python"), ("VISUAL_HOST_SKIP_NODE", "skip_node")] {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        println!("cargo::rerun-if-env-changed={var}");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
