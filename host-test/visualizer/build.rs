//! Turns `VISUAL_HOST_SKIP_BROWSER=1` into a compile-time `skip_browser` cfg,
//! so a browser test skipped on purpose is reported as ignored, with the
//! reason, in `cargo test`'s own summary, instead of passing quietly.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(skip_browser)");
    println!("cargo::rerun-if-env-changed=VISUAL_HOST_SKIP_BROWSER");
    if std::env::var_os("VISUAL_HOST_SKIP_BROWSER").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=skip_browser");
    }
}
