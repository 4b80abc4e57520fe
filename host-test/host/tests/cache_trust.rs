//! The compiled-code cache runs only what it can prove it wrote: entries are
//! tagged with a per-user key and bound to their `.wasm` and engine, and the
//! cache directory, its entries and the key file must be private to the user.
//! Each test has its own cache directory and key file. Owners and modes are
//! Unix's, so this suite is too.
#![cfg(unix)]

use std::collections::HashMap;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use visual_host::cache::{ComponentCache, Source};
use visual_host::runtime::{Plugin, Runtime, RuntimeOptions};

/// The backends' bytes, read once: every load in this binary sees the same
/// component even if the `.wasm` files are rebuilt meanwhile.
fn wasm(path: &'static str) -> &'static [u8] {
    static READ: OnceLock<Mutex<HashMap<&'static str, &'static [u8]>>> = OnceLock::new();
    let mut read = READ.get_or_init(Mutex::default).lock().unwrap();
    read.entry(path).or_insert_with(|| std::fs::read(path).unwrap().leak())
}

fn openai_wasm() -> &'static [u8] {
    wasm(guest_components::OPENAI_BACKEND)
}

fn placeholder_wasm() -> &'static [u8] {
    wasm(guest_components::PLACEHOLDER_BACKEND)
}

/// A test's own cache directory and key file, both not yet created.
struct Case {
    root: PathBuf,
    dir: PathBuf,
    key: PathBuf,
}

fn case(name: &str) -> Case {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cache-trust").join(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let (dir, key) = (root.join("cache"), root.join("config").join("visual-host").join("cache.key"));
    Case { root, dir, key }
}

impl Case {
    /// A new cache object, as a new process would make it.
    fn cache(&self) -> ComponentCache {
        ComponentCache::with_key_file(&self.dir, &self.key)
    }

    /// Loads `wasm` in a new runtime with a new cache object; returns the
    /// plugin and what that cache reported.
    fn load(&self, wasm: &[u8]) -> (Plugin, Vec<String>) {
        load_with(&self.cache(), wasm)
    }

    fn entry(&self, wasm: &[u8]) -> PathBuf {
        self.cache().entry_path(runtime(&self.cache()).engine(), wasm)
    }
}

fn runtime(cache: &ComponentCache) -> Runtime {
    Runtime::new(RuntimeOptions { cache: Some(cache.clone()), ..RuntimeOptions::default() }).unwrap()
}

fn load_with(cache: &ComponentCache, wasm: &[u8]) -> (Plugin, Vec<String>) {
    let plugin = runtime(cache).load_bytes(wasm).unwrap();
    (plugin, cache.notices())
}

/// The backend's own name for itself: which code actually runs.
fn name(plugin: &Plugin) -> String {
    let tokio = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tokio.block_on(plugin.info()).unwrap().name
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// `notices` holds exactly one notice, and it contains every part of `expected`.
#[track_caller]
fn assert_one_notice(notices: &[String], expected: &[&str]) {
    assert_eq!(notices.len(), 1, "{notices:#?}");
    for part in expected {
        assert!(notices[0].contains(part), "{:?} does not say {part:?}", notices[0]);
    }
}

#[test]
fn a_second_load_is_cached_and_a_fresh_cache_is_private() {
    let case = case("happy-path");
    let (first, notices) = case.load(openai_wasm());
    assert_eq!(first.source, Source::Compiled);
    assert!(notices.is_empty(), "{notices:?}");

    let entry = case.entry(openai_wasm());
    assert_eq!(files(&case.dir), [file_name(&entry)], "one entry, no temporary file left behind");
    assert_eq!(mode(&case.dir), 0o700, "cache directory");
    assert_eq!(mode(&entry), 0o600, "entry");
    assert_eq!(mode(&case.key), 0o600, "key file");
    assert_eq!(mode(case.key.parent().unwrap()), 0o700, "the key's directory, made for it");
    assert_eq!(std::fs::metadata(&case.key).unwrap().len(), 32);
    let key = std::fs::read(&case.key).unwrap();

    let (cached, notices) = case.load(openai_wasm());
    assert_eq!(cached.source, Source::Cached);
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(name(&cached), "openai");
    assert_eq!(std::fs::read(&case.key).unwrap(), key, "the key is made once and kept");
}

#[test]
fn another_components_entry_under_this_name_is_refused_and_the_right_component_runs() {
    let case = case("swapped-entry");
    let (placeholder, _) = case.load(placeholder_wasm());
    assert_eq!(name(&placeholder), "placeholder");

    // The placeholder's valid entry, tag and all, planted under the OpenAI backend's name.
    let (placeholder_entry, openai_entry) = (case.entry(placeholder_wasm()), case.entry(openai_wasm()));
    std::fs::copy(&placeholder_entry, &openai_entry).unwrap();
    chmod(&openai_entry, 0o600);

    let (openai, notices) = case.load(openai_wasm());
    assert_eq!(openai.source, Source::Compiled);
    assert_eq!(name(&openai), "openai");
    assert_one_notice(&notices, &["refused", &file_name(&openai_entry), "tag does not match", "deleted it"]);

    // The planted entry was replaced by the right one; the placeholder's is untouched.
    let (again, notices) = case.load(openai_wasm());
    assert_eq!((again.source, name(&again).as_str()), (Source::Cached, "openai"));
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(case.load(placeholder_wasm()).0.source, Source::Cached);
}

#[test]
fn an_entry_tagged_with_another_key_is_refused() {
    let case = case("other-key");
    let other_key = case.root.join("other-config").join("cache.key");
    let other = || ComponentCache::with_key_file(&case.dir, &other_key);
    assert_eq!(case.load(openai_wasm()).0.source, Source::Compiled);

    let (plugin, notices) = load_with(&other(), openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["refused", "tag does not match"]);
    assert_ne!(std::fs::read(&case.key).unwrap(), std::fs::read(&other_key).unwrap(), "two random keys");

    assert_eq!(load_with(&other(), openai_wasm()).0.source, Source::Cached);
    // And the first key now refuses the entry the other one wrote.
    let (plugin, notices) = case.load(openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["tag does not match"]);
}

#[test]
fn a_truncated_or_tampered_entry_is_refused() {
    let case = case("tampered");
    case.load(openai_wasm());
    let entry = case.entry(openai_wasm());
    let valid = std::fs::read(&entry).unwrap();
    let flip = |at: usize| {
        let mut bytes = valid.clone();
        bytes[at] ^= 0x01;
        bytes
    };
    // What wasmtime itself wrote, without header or tag (as older hosts stored it).
    let engine_bytes = {
        let runtime = runtime(&case.cache());
        wasmtime::component::Component::new(runtime.engine(), openai_wasm()).unwrap().serialize().unwrap()
    };
    let damaged: [(&str, Vec<u8>, &str); 8] = [
        ("empty", Vec::new(), "not a tagged entry"),
        ("cut inside the header", valid[..20].to_vec(), "not a tagged entry"),
        ("cut in half", valid[..valid.len() / 2].to_vec(), "tag does not match"),
        ("last byte cut", valid[..valid.len() - 1].to_vec(), "tag does not match"),
        ("one byte of code changed", flip(valid.len() / 2), "tag does not match"),
        ("one byte of the tag changed", flip(8), "tag does not match"),
        ("a byte appended", [valid.as_slice(), &[0]].concat(), "tag does not match"),
        ("untagged wasmtime serialization", engine_bytes, "not a tagged entry"),
    ];
    for (what, bytes, why) in damaged {
        std::fs::write(&entry, &bytes).unwrap();
        let (plugin, notices) = case.load(openai_wasm());
        assert_eq!(plugin.source, Source::Compiled, "{what}");
        assert_one_notice(&notices, &["refused", why]);
        assert_eq!(case.load(openai_wasm()).0.source, Source::Cached, "{what}: a fresh entry was stored");
    }
    assert_eq!(name(&case.load(openai_wasm()).0), "openai");
}

#[test]
fn a_directory_group_or_others_may_write_is_not_trusted() {
    for (label, dir_mode) in [("group", 0o770), ("others", 0o707), ("sticky-world", 0o1777)] {
        let case = case(&format!("open-dir-{label}"));
        std::fs::create_dir_all(&case.dir).unwrap();
        chmod(&case.dir, dir_mode);
        let cache = case.cache();
        for _ in 0..2 {
            let (plugin, _) = load_with(&cache, openai_wasm());
            assert_eq!(plugin.source, Source::Compiled, "{label}");
        }
        assert!(files(&case.dir).is_empty(), "{label}: nothing is written to an untrusted directory");
        let notices = cache.notices();
        assert!(
            notices.iter().all(|n| n.contains("not using the component cache") && n.contains("may write")),
            "{notices:?}"
        );
    }

    // A valid entry in a directory that became group-writable is neither used nor touched.
    let case = case("open-dir-later");
    case.load(openai_wasm());
    let entry = case.entry(openai_wasm());
    let valid = std::fs::read(&entry).unwrap();
    chmod(&case.dir, 0o770);
    let (plugin, notices) = case.load(openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["mode 0770", "compiling in memory"]);
    assert_eq!(std::fs::read(&entry).unwrap(), valid);
    chmod(&case.dir, 0o700);
    assert_eq!(case.load(openai_wasm()).0.source, Source::Cached);
}

#[test]
fn an_entry_group_or_others_may_write_or_a_link_is_refused() {
    let case = case("open-entry");
    case.load(openai_wasm());
    let entry = case.entry(openai_wasm());
    for entry_mode in [0o620, 0o602] {
        chmod(&entry, entry_mode);
        let (plugin, notices) = case.load(openai_wasm());
        assert_eq!(plugin.source, Source::Compiled);
        assert_one_notice(&notices, &["refused", "may write"]);
        assert_eq!(mode(&entry), 0o600, "replaced by a private entry");
    }

    // A symbolic link to a valid entry (right name, right key) is still not followed.
    let elsewhere = case.root.join("elsewhere.vhc");
    std::fs::rename(&entry, &elsewhere).unwrap();
    symlink(&elsewhere, &entry).unwrap();
    let (plugin, notices) = case.load(openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["refused", "symbolic link"]);
    assert!(!std::fs::symlink_metadata(&entry).unwrap().is_symlink());
    assert!(elsewhere.exists(), "the link's target is left alone");
}

#[test]
fn a_key_file_others_may_read_or_that_is_no_key_is_not_used() {
    for (label, bytes, key_mode, why) in [
        ("readable", vec![7u8; 32], 0o644, "may read"),
        ("group-writable", vec![7u8; 32], 0o620, "may write"),
        ("short", vec![7u8; 16], 0o600, "not a 32-byte key"),
    ] {
        let case = case(&format!("key-{label}"));
        std::fs::create_dir_all(case.key.parent().unwrap()).unwrap();
        std::fs::write(&case.key, &bytes).unwrap();
        chmod(&case.key, key_mode);
        let (plugin, notices) = case.load(openai_wasm());
        assert_eq!(plugin.source, Source::Compiled, "{label}");
        assert_one_notice(&notices, &["key file", why, "compiling in memory"]);
        assert!(!case.dir.exists(), "{label}: no cache is written without a trusted key");
        assert_eq!(std::fs::read(&case.key).unwrap(), bytes, "{label}: the key file is left alone");
    }
}

/// Owners are checked like modes. Changing an owner needs root (as the tests
/// run on CI); elsewhere this test says so and checks nothing.
#[test]
fn files_of_another_user_are_not_trusted() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("files_of_another_user_are_not_trusted: needs root to change owners; skipped");
        return;
    }
    let chown = |path: &Path| {
        let path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; 65534 is `nobody`.
        assert_eq!(unsafe { libc::lchown(path.as_ptr(), 65534, 65534) }, 0);
    };

    let case = case("owner");
    case.load(openai_wasm());
    let entry = case.entry(openai_wasm());
    chown(&entry);
    let (plugin, notices) = case.load(openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["refused", "user id 65534"]);

    chown(&case.dir);
    let (plugin, notices) = case.load(openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["not using the component cache", "user id 65534"]);

    let case = self::case("owner-key");
    case.load(openai_wasm());
    chown(&case.key);
    let (plugin, notices) = case.load(openai_wasm());
    assert_eq!(plugin.source, Source::Compiled);
    assert_one_notice(&notices, &["key file", "user id 65534"]);
}

/// Magic and tag, before the serialized component in an entry file.
const HEADER_LEN: usize = 8 + 32;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// What verification costs on the OpenAI backend's entry: the keyed hash
/// alone, a verified cached load, and the unverified `deserialize_file` the
/// cache used before. Printed (run with `--nocapture`); the benchmark holds the
/// target. Only a generous bound is asserted, so a busy machine does not fail it.
#[test]
fn verification_is_cheap_next_to_loading() {
    let case = case("cost");
    let cache = case.cache();
    let runtime = runtime(&cache);
    let wasm = openai_wasm();
    runtime.load_bytes(wasm).unwrap();
    let entry = std::fs::read(case.entry(openai_wasm())).unwrap();

    let key = [7u8; 32];
    let hash = median(
        (0..50)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(blake3::keyed_hash(&key, std::hint::black_box(&entry)));
                started.elapsed()
            })
            .collect(),
    );
    let timed = |f: &dyn Fn()| {
        median(
            (0..30)
                .map(|_| {
                    let started = Instant::now();
                    f();
                    started.elapsed()
                })
                .collect(),
        )
    };
    let verified = timed(&|| {
        let (component, source) = cache.load(runtime.engine(), wasm).unwrap();
        assert_eq!(source, Source::Cached);
        drop(component);
    });
    let plugin_load = timed(&|| assert_eq!(runtime.load_bytes(wasm).unwrap().source, Source::Cached));

    let raw = case.root.join("raw.cwasm");
    std::fs::write(&raw, &entry[HEADER_LEN..]).unwrap();
    let unverified = timed(&|| {
        // SAFETY: bytes this test just had the same engine serialize.
        drop(unsafe { wasmtime::component::Component::deserialize_file(runtime.engine(), &raw) }.unwrap());
    });
    println!(
        "entry {} bytes: keyed BLAKE3 {hash:?}; verified cached load (read + hash + deserialize) {verified:?}; \
         Runtime::load_bytes from the cache {plugin_load:?}; the old path's deserialize_file (unverified, mmap) {unverified:?}",
        entry.len()
    );
    assert!(hash < Duration::from_millis(20) && verified < Duration::from_millis(50), "{hash:?} {verified:?}");
}
