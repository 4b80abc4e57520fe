//! Turns the presence of `VISUAL_HOST_LIVE_OPENAI_KEY` into a compile-time
//! cfg, so the opt-in test against the real OpenAI API is reported as ignored,
//! with how to run it, when no key is given (the key itself is read at run
//! time and never compiled in).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(live_openai)");
    println!("cargo::rerun-if-env-changed=VISUAL_HOST_LIVE_OPENAI_KEY");
    if std::env::var_os("VISUAL_HOST_LIVE_OPENAI_KEY").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=live_openai");
    }
}
