//! Loading: the compiled component is cached by content and engine, so a
//! second load skips compilation, and other bytes never hit a wrong entry.

use std::path::PathBuf;
use std::time::Instant;

use visual_host::bindings::{GenerateRequest, ImageFormat};
use visual_host::cache::{ComponentCache, Source};
use visual_host::runtime::Runtime;
use visual_host::sandbox::DEFAULT_MEMORY_LIMIT;

use crate::harness::{component_path, mock, runtime_with, settings, TODAY};

// Only Unix's owners and modes can be checked, so elsewhere the cache is
// never trusted and every load compiles (see visual_host::cache).
#[cfg_attr(not(unix), ignore = "the on-disk cache is used on Unix only")]
#[tokio::test(flavor = "multi_thread")]
async fn a_second_load_comes_from_the_cache_and_works() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("loading-cache");
    let _ = std::fs::remove_dir_all(&dir);
    let key = dir.with_extension("key");
    let new_runtime =
        || -> Runtime { runtime_with(ComponentCache::with_key_file(&dir, &key), DEFAULT_MEMORY_LIMIT, TODAY) };

    let first = new_runtime().load(&component_path()).unwrap();
    assert_eq!(first.source, Source::Compiled);

    // A new runtime (as in a new process) finds the compiled form on disk.
    let runtime = new_runtime();
    let started = Instant::now();
    let cached = runtime.load(&component_path()).unwrap();
    let load = started.elapsed();
    assert_eq!(cached.source, Source::Cached);
    println!("compiled load {:?}, cached load {load:?}", first.load_time);

    let mock = mock().await;
    let settings = settings(&mock);
    let mut session =
        cached.connect(&settings, cached.network_policy(&settings).await.unwrap()).await.unwrap().unwrap();
    let request = GenerateRequest::new("cached", ImageFormat::Portrait);
    let generation = session.generate(&request).await.unwrap().unwrap();
    assert_eq!((generation.images[0].width, generation.images[0].height), (1024, 1536));

    // Other bytes are another entry: the placeholder backend is compiled, not mistaken for this one.
    let other = runtime.load(PathBuf::from(guest_components::PLACEHOLDER_BACKEND).as_path()).unwrap();
    assert_eq!(other.source, Source::Compiled);
    assert_eq!(
        runtime.load(PathBuf::from(guest_components::PLACEHOLDER_BACKEND).as_path()).unwrap().source,
        Source::Cached
    );
}

#[test]
fn a_file_that_is_not_a_component_is_named_as_such() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("not-components");
    std::fs::create_dir_all(&dir).unwrap();
    let runtime = Runtime::new(visual_host::runtime::RuntimeOptions { cache: None, ..Default::default() }).unwrap();
    for (name, bytes) in [("notes.wasm", &b"shopping list: eggs"[..]), ("core.wasm", &b"\0asm\x01\0\0\0"[..])] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let error = format!("{:#}", runtime.load(&path).err().expect("refused"));
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(error.contains("not a WebAssembly component"), "{error}");
        assert!(!error.contains("expected `(`"), "no text-format parser error: {error}");
    }
}
