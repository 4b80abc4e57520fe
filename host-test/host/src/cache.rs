//! Compiled components on disk, so a second process start skips Cranelift.
//!
//! An entry is native code: wasmtime runs whatever it deserializes, outside
//! every guarantee the sandbox gives. So the cache runs nothing it cannot prove
//! it wrote itself, for these exact `.wasm` bytes and this engine:
//!
//! - **Entries carry an authenticated tag.** An entry file is a header (magic
//!   and tag) followed by what `Component::serialize` produced. The tag is
//!   BLAKE3 in keyed mode over the entry's file name, the BLAKE3 digest of the
//!   `.wasm`, wasmtime's compatibility hash of the engine (version, target,
//!   settings) and the serialized bytes. The key is 32 random bytes made on
//!   first use, private to the user and kept outside the cache directory
//!   ([`ComponentCache::default_key_file`]). An entry is read into memory, its
//!   tag checked, and those same bytes deserialized: nothing that changes on
//!   disk after the check is run. An entry that fails is never deserialized:
//!   it is deleted, the component compiled afresh and stored again, and this is
//!   said on stderr.
//! - **The directory is private.** It is created 0700 and entries 0600
//!   (written to a temporary file made 0600, then renamed). A directory, entry
//!   or key file that is not the current user's, or that group or others may
//!   write (for the key: read or write), is not trusted, as ssh treats a key
//!   file: the component is compiled in memory instead, and the reason is
//!   given once per process.
//! - **Platforms.** Those checks are Unix's, and the same on Linux and macOS
//!   (and the BSDs): the owner's uid against the effective uid, the mode bits,
//!   and `O_NOFOLLOW` for entries (a symbolic link is refused). ACLs, which
//!   macOS may add on top of the mode, are not read. On Windows (and any
//!   other system that is not Unix) owners and ACLs are not checked, so the
//!   cache is never trusted: nothing is read from it or written to it, each
//!   process compiles in memory, and says why once.
//!
//! Every host (the CLI, the benchmark, the Python extension, the web app)
//! loads through [`crate::runtime::Runtime`], so all of them follow these rules.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{File, Metadata};
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;
use wasmtime::component::Component;
use wasmtime::Engine;

/// Where compiled components live, and the key that proves an entry is ours.
#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: PathBuf,
    key_file: Option<PathBuf>,
    shared: Arc<Shared>,
}

/// How a component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Compiled now (and stored, when a trusted cache is configured).
    Compiled,
    /// Deserialized from the cache, after its tag was verified.
    Cached,
}

/// State shared by the clones of one cache (a runtime clones its options).
#[derive(Debug, Default)]
struct Shared {
    key: OnceLock<Key>,
    notices: Mutex<Vec<String>>,
}

/// The per-user key; never printed.
#[derive(Clone)]
struct Key([u8; KEY_LEN]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

const KEY_LEN: usize = 32;
/// Starts every entry file; the digit is the format version.
const MAGIC: &[u8; 8] = b"VHCACHE1";
const TAG_LEN: usize = 32;
const HEADER_LEN: usize = MAGIC.len() + TAG_LEN;
/// Separates this use of the key from any other.
const TAG_CONTEXT: &[u8] = b"visual-host component cache entry v1\0";
/// Entry files end in this; anything else in the directory is not ours.
const ENTRY_EXTENSION: &str = "vhc";

/// What an entry is for: its name and the two digests its tag binds.
struct Identity {
    name: String,
    wasm_digest: [u8; 32],
    engine_digest: [u8; 32],
}

impl Identity {
    fn new(engine: &Engine, wasm: &[u8]) -> Self {
        let wasm_digest = *blake3::hash(wasm).as_bytes();
        let engine_digest = engine_digest(engine);
        let name = format!("{}-{}.{ENTRY_EXTENSION}", hex(&wasm_digest[..16]), hex(&engine_digest[..8]));
        Identity { name, wasm_digest, engine_digest }
    }
}

/// BLAKE3 of wasmtime's compatibility hash: stable for one engine build and
/// configuration (unlike `DefaultHasher`, whose algorithm may change).
fn engine_digest(engine: &Engine) -> [u8; 32] {
    struct Blake3Hasher(blake3::Hasher);
    impl Hasher for Blake3Hasher {
        fn write(&mut self, bytes: &[u8]) {
            self.0.update(bytes);
        }
        fn finish(&self) -> u64 {
            let hash = self.0.finalize();
            u64::from_le_bytes(hash.as_bytes()[..8].try_into().expect("8 bytes"))
        }
    }
    let mut hasher = Blake3Hasher(blake3::Hasher::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    *hasher.0.finalize().as_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tag of `serialized` stored as entry `id`.
fn tag(key: &Key, id: &Identity, serialized: &[u8]) -> blake3::Hash {
    let mut hasher = blake3::Hasher::new_keyed(&key.0);
    hasher.update(TAG_CONTEXT);
    hasher.update(&(id.name.len() as u64).to_le_bytes());
    hasher.update(id.name.as_bytes());
    hasher.update(&id.wasm_digest);
    hasher.update(&id.engine_digest);
    hasher.update(&(serialized.len() as u64).to_le_bytes());
    hasher.update(serialized);
    hasher.finalize()
}

/// Header and tag followed by the serialized component: a whole entry file.
fn seal(key: &Key, id: &Identity, serialized: &[u8]) -> Vec<u8> {
    let mut entry = Vec::with_capacity(HEADER_LEN + serialized.len());
    entry.extend_from_slice(MAGIC);
    entry.extend_from_slice(tag(key, id, serialized).as_bytes());
    entry.extend_from_slice(serialized);
    entry
}

/// The serialized component inside `entry`, if its tag proves it was sealed
/// with `key` as entry `id`. The comparison is constant-time.
fn unseal<'a>(key: &Key, id: &Identity, entry: &'a [u8]) -> Result<&'a [u8], String> {
    if entry.len() < HEADER_LEN || &entry[..MAGIC.len()] != MAGIC {
        return Err("it is not a tagged entry (truncated, or not written by this version of visual-host)".into());
    }
    let stored: [u8; TAG_LEN] = entry[MAGIC.len()..HEADER_LEN].try_into().expect("tag length");
    let serialized = &entry[HEADER_LEN..];
    if tag(key, id, serialized) != blake3::Hash::from(stored) {
        return Err("its tag does not match: it was not written by this user's visual-host for this component \
                    and engine, or it was changed since"
            .into());
    }
    Ok(serialized)
}

/// Why a file or directory with this owner and mode is not trusted, if it is
/// not: it must belong to `user`, and `forbidden` mode bits must be clear.
#[cfg_attr(not(unix), allow(dead_code))]
fn mode_problem(owner: u32, mode: u32, user: u32, forbidden: u32) -> Option<String> {
    if owner != user {
        return Some(format!("it belongs to user id {owner}, not to the current user ({user})"));
    }
    let open = mode & forbidden;
    if open & 0o022 != 0 {
        return Some(format!("group or others may write to it (mode {:04o})", mode & 0o7777));
    }
    if open != 0 {
        return Some(format!("group or others may read it (mode {:04o})", mode & 0o7777));
    }
    None
}

/// The key file to use given these environment variables: see
/// [`ComponentCache::default_key_file`].
fn key_file_from(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |name: &str| var(name).filter(|value| !value.is_empty());
    if let Some(file) = var("VISUAL_HOST_KEY_FILE") {
        return Some(PathBuf::from(file));
    }
    let config = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config.join("visual-host").join("cache.key"))
}

/// Distinguishes temporary files made by threads of one process.
fn temp_name(final_name: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(".{final_name}.{}-{}.tmp", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

impl ComponentCache {
    /// A cache in `dir`, keyed by the key at [`Self::default_key_file`].
    /// Touches nothing on disk until the first load.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ComponentCache { dir: dir.into(), key_file: Self::default_key_file(), shared: Arc::default() }
    }

    /// A cache in `dir` keyed by the key in `key_file` (created on first use).
    pub fn with_key_file(dir: impl Into<PathBuf>, key_file: impl Into<PathBuf>) -> Self {
        ComponentCache { dir: dir.into(), key_file: Some(key_file.into()), shared: Arc::default() }
    }

    /// `$VISUAL_HOST_CACHE_DIR`, else `$XDG_CACHE_HOME/visual-host`, else `~/.cache/visual-host`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("VISUAL_HOST_CACHE_DIR") {
            return Some(PathBuf::from(dir));
        }
        if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
            return Some(PathBuf::from(dir).join("visual-host"));
        }
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("visual-host"))
    }

    /// `$VISUAL_HOST_KEY_FILE`, else `$XDG_CONFIG_HOME/visual-host/cache.key`,
    /// else `~/.config/visual-host/cache.key`: in the user's configuration,
    /// not in the cache directory, which may be shared or wiped.
    pub fn default_key_file() -> Option<PathBuf> {
        key_file_from(|name| std::env::var_os(name))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn key_file(&self) -> Option<&Path> {
        self.key_file.as_deref()
    }

    /// Where the entry for `wasm` compiled by `engine` is (or would be) kept.
    pub fn entry_path(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        self.dir.join(Identity::new(engine, wasm).name)
    }

    /// What this cache reported (refused entries, untrusted directory or key,
    /// failed writes), each once, in order. Each is also printed on stderr,
    /// once per process.
    pub fn notices(&self) -> Vec<String> {
        self.shared.notices.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The compiled form of `wasm`: from the cache when it holds a verified
    /// entry, else compiled (and stored, when the cache is trusted).
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> anyhow::Result<(Component, Source)> {
        let compile = || Ok((Component::new(engine, wasm)?, Source::Compiled));
        if let Some(why) = platform::UNCHECKABLE {
            self.notice(format!("not using the component cache: {why}; compiling in memory"));
            return compile();
        }
        let key = match self.key() {
            Ok(key) => key,
            Err(why) => {
                self.notice(format!("not using the component cache: {why}; compiling in memory"));
                return compile();
            }
        };
        if let Err(why) = self.trusted_dir() {
            self.notice(format!("not using the component cache {}: {why}; compiling in memory", self.dir.display()));
            return compile();
        }

        let id = Identity::new(engine, wasm);
        let path = self.dir.join(&id.name);
        let refused = match read_entry(&path) {
            Ok(None) => None,
            Ok(Some(entry)) => match unseal(&key, &id, &entry) {
                // SAFETY: the tag proves these bytes are what this user's host
                // serialized for exactly this `.wasm` and an engine with this
                // compatibility hash, and they are deserialized from memory,
                // so nothing can change them after the check. wasmtime checks
                // the header again and refuses a mismatch.
                Ok(serialized) => match unsafe { Component::deserialize(engine, serialized) } {
                    Ok(component) => return Ok((component, Source::Cached)),
                    Err(e) => Some(format!("wasmtime could not load it ({e})")),
                },
                Err(why) => Some(why),
            },
            Err(why) => Some(why),
        };
        if let Some(why) = refused {
            let removed = match std::fs::remove_file(&path) {
                Ok(()) => "deleted it".to_string(),
                Err(e) => format!("could not delete it ({e})"),
            };
            self.notice(format!(
                "refused the cached component {}: {why}; {removed} and compiling afresh",
                path.display()
            ));
        }

        let component = Component::new(engine, wasm)?;
        if let Err(e) = self.store(&path, &key, &id, &component) {
            // A read-only cache directory costs speed, not correctness.
            self.notice(format!("could not cache the compiled component: {e:#}"));
        }
        Ok((component, Source::Compiled))
    }

    /// Says `message` on stderr, once per process, and keeps it for [`Self::notices`].
    fn notice(&self, message: String) {
        static PRINTED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
        if PRINTED.lock().unwrap_or_else(|e| e.into_inner()).insert(message.clone()) {
            eprintln!("visual-host: {message}");
        }
        let mut notices = self.shared.notices.lock().unwrap_or_else(|e| e.into_inner());
        if !notices.contains(&message) {
            notices.push(message);
        }
    }

    /// The directory, created 0700 if missing, if it is private to the user.
    fn trusted_dir(&self) -> Result<(), String> {
        let metadata = match std::fs::metadata(&self.dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                platform::create_private_dir(&self.dir).map_err(|e| format!("it cannot be created ({e})"))?;
                std::fs::metadata(&self.dir)
            }
            other => other,
        }
        .map_err(|e| format!("it cannot be read ({e})"))?;
        if !metadata.is_dir() {
            return Err("it is not a directory".into());
        }
        platform::check_private(&metadata, 0o022).map_or(Ok(()), Err)
    }

    /// The key, read (or made) once per cache.
    fn key(&self) -> Result<Key, String> {
        if let Some(key) = self.shared.key.get() {
            return Ok(key.clone());
        }
        let Some(file) = &self.key_file else {
            return Err("no key file (set VISUAL_HOST_KEY_FILE, XDG_CONFIG_HOME or HOME)".into());
        };
        let key = load_or_create_key(file).map_err(|why| format!("the key file {}: {why}", file.display()))?;
        Ok(self.shared.key.get_or_init(|| key).clone())
    }

    fn store(&self, path: &Path, key: &Key, id: &Identity, component: &Component) -> anyhow::Result<()> {
        let entry = seal(key, id, &component.serialize()?);
        let tmp = self.dir.join(temp_name(&id.name));
        let written = platform::create_private_file(&tmp)
            .and_then(|mut file| file.write_all(&entry))
            .with_context(|| format!("writing {}", tmp.display()))
            .and_then(|()| std::fs::rename(&tmp, path).with_context(|| format!("renaming into {}", path.display())));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

/// The whole entry at `path`, `None` if there is none, or why it is refused
/// unread (not a regular file of the user's, or writable by group or others).
fn read_entry(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let mut file = match platform::open_no_follow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if platform::is_symlink_error(&e) => return Err("it is a symbolic link".into()),
        Err(e) => return Err(format!("it cannot be opened ({e})")),
    };
    let metadata = file.metadata().map_err(|e| format!("it cannot be read ({e})"))?;
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    if let Some(why) = platform::check_private(&metadata, 0o022) {
        return Err(why);
    }
    let mut entry = Vec::with_capacity(metadata.len() as usize);
    file.read_to_end(&mut entry).map_err(|e| format!("it cannot be read ({e})"))?;
    Ok(Some(entry))
}

/// The key in `file`, made first (32 random bytes, mode 0600, its directory
/// 0700) if there is none. A key file that is not the user's, that group or
/// others may read or write, or that is not 32 bytes is refused.
fn load_or_create_key(file: &Path) -> Result<Key, String> {
    if let Some(key) = read_key(file)? {
        return Ok(key);
    }
    let dir = file.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    platform::create_private_dir(dir).map_err(|e| format!("cannot create {} ({e})", dir.display()))?;
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).map_err(|e| format!("no randomness for a new key ({e})"))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "key".into());
    let tmp = dir.join(temp_name(&name));
    let written = platform::create_private_file(&tmp).and_then(|mut f| {
        f.write_all(&key)?;
        f.sync_all()
    });
    // Linking never replaces a key another process made meanwhile: whichever
    // was first is the key, and both read it back.
    let placed = written.and_then(|()| match std::fs::hard_link(&tmp, file) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => std::fs::rename(&tmp, file),
        _ => Ok(()),
    });
    let _ = std::fs::remove_file(&tmp);
    placed.map_err(|e| format!("cannot create it ({e})"))?;
    read_key(file)?.ok_or_else(|| "it vanished after being created".into())
}

fn read_key(file: &Path) -> Result<Option<Key>, String> {
    let mut opened = match File::open(file) {
        Ok(opened) => opened,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("it cannot be opened ({e})")),
    };
    let metadata: Metadata = opened.metadata().map_err(|e| format!("it cannot be read ({e})"))?;
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    if let Some(why) = platform::check_private(&metadata, 0o077) {
        return Err(format!("{why}; it must be the current user's, mode 0600"));
    }
    if metadata.len() != KEY_LEN as u64 {
        return Err(format!("it holds {} bytes, not a {KEY_LEN}-byte key", metadata.len()));
    }
    let mut key = [0u8; KEY_LEN];
    opened.read_exact(&mut key).map_err(|e| format!("it cannot be read ({e})"))?;
    Ok(Some(Key(key)))
}

#[cfg(unix)]
mod platform {
    use std::fs::{DirBuilder, File, Metadata, OpenOptions};
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
    use std::path::Path;

    /// Owners and modes can be checked here.
    pub const UNCHECKABLE: Option<&str> = None;

    pub fn check_private(metadata: &Metadata, forbidden: u32) -> Option<String> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let user = unsafe { libc::geteuid() };
        super::mode_problem(metadata.uid(), metadata.mode(), user, forbidden)
    }

    pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }

    /// A new file, mode 0600 from the start; never follows a planted link.
    pub fn create_private_file(path: &Path) -> std::io::Result<File> {
        OpenOptions::new().write(true).create_new(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(path)
    }

    pub fn open_no_follow(path: &Path) -> std::io::Result<File> {
        OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
    }

    /// What open(2) with `O_NOFOLLOW` says of a symbolic link: ELOOP on
    /// Linux and macOS, EMLINK on FreeBSD and DragonFly. (Any other error
    /// refuses the entry too, only with a vaguer reason.)
    pub fn is_symlink_error(e: &std::io::Error) -> bool {
        #[cfg(any(target_os = "freebsd", target_os = "dragonfly"))]
        let code = libc::EMLINK;
        #[cfg(not(any(target_os = "freebsd", target_os = "dragonfly")))]
        let code = libc::ELOOP;
        e.raw_os_error() == Some(code)
    }
}

/// Without owners and modes to check, nothing on disk is trusted: compiling
/// in memory is slower but never runs code someone else wrote. `load` stops
/// at `UNCHECKABLE`; the functions below refuse too, should anything reach them.
#[cfg(not(unix))]
mod platform {
    use std::fs::{File, Metadata};
    use std::path::Path;

    pub const UNCHECKABLE: Option<&str> = Some(
        "on this system visual-host cannot check who owns the cache and who may write to it (it checks Unix \
         owners and modes; Windows ACLs are not read), so it runs nothing from disk",
    );

    pub fn check_private(_: &Metadata, _: u32) -> Option<String> {
        Some("its owner and permissions can only be checked on Unix".into())
    }

    pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    pub fn create_private_file(_: &Path) -> std::io::Result<File> {
        Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "private files need Unix"))
    }

    pub fn open_no_follow(path: &Path) -> std::io::Result<File> {
        File::open(path)
    }

    pub fn is_symlink_error(_: &std::io::Error) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, wasm: u8, engine: u8) -> Identity {
        Identity { name: name.into(), wasm_digest: [wasm; 32], engine_digest: [engine; 32] }
    }

    #[test]
    fn a_sealed_entry_opens_with_its_key_and_identity_only() {
        let (key, serialized) = (Key([7; 32]), b"compiled code".as_slice());
        let entry = seal(&key, &id("a.vhc", 1, 2), serialized);
        assert_eq!(entry.len(), HEADER_LEN + serialized.len());
        assert_eq!(unseal(&key, &id("a.vhc", 1, 2), &entry), Ok(serialized));

        // Another key, entry name, component or engine: refused.
        for (key, id) in [
            (Key([8; 32]), id("a.vhc", 1, 2)),
            (key.clone(), id("b.vhc", 1, 2)),
            (key.clone(), id("a.vhc", 9, 2)),
            (key.clone(), id("a.vhc", 1, 9)),
        ] {
            assert!(unseal(&key, &id, &entry).unwrap_err().contains("tag does not match"));
        }
    }

    #[test]
    fn a_changed_or_cut_entry_is_refused() {
        let (key, id) = (Key([7; 32]), id("a.vhc", 1, 2));
        let entry = seal(&key, &id, &[0xAA; 4096]);
        for at in [0, MAGIC.len(), HEADER_LEN - 1, HEADER_LEN, entry.len() - 1] {
            let mut changed = entry.clone();
            changed[at] ^= 1;
            assert!(unseal(&key, &id, &changed).is_err(), "flipped byte {at}");
        }
        for len in [0, MAGIC.len(), HEADER_LEN - 1, HEADER_LEN, entry.len() - 1] {
            assert!(unseal(&key, &id, &entry[..len]).is_err(), "cut to {len} bytes");
        }
        let mut longer = entry.clone();
        longer.push(0);
        assert!(unseal(&key, &id, &longer).is_err());
    }

    #[test]
    fn only_the_users_own_private_files_are_trusted() {
        assert_eq!(mode_problem(1000, 0o100600, 1000, 0o077), None);
        assert_eq!(mode_problem(1000, 0o40700, 1000, 0o022), None);
        assert_eq!(mode_problem(1000, 0o40755, 1000, 0o022), None);
        assert!(mode_problem(0, 0o40700, 1000, 0o022).unwrap().contains("user id 0"));
        assert!(mode_problem(1000, 0o40775, 1000, 0o022).unwrap().contains("mode 0775"));
        assert!(mode_problem(1000, 0o40707, 1000, 0o022).unwrap().contains("may write"));
        assert!(mode_problem(1000, 0o41777, 1000, 0o022).unwrap().contains("mode 1777"));
        assert!(mode_problem(1000, 0o100640, 1000, 0o077).unwrap().contains("may read"));
        assert!(mode_problem(1000, 0o100620, 1000, 0o077).unwrap().contains("may write"));
    }

    #[test]
    fn the_key_file_comes_from_the_environment_outside_the_cache() {
        fn env(vars: &[(&str, &str)]) -> Option<PathBuf> {
            key_file_from(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| OsString::from(v)))
        }
        assert_eq!(
            env(&[("VISUAL_HOST_KEY_FILE", "/k/key"), ("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/k/key"))
        );
        assert_eq!(
            env(&[("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/xdg/visual-host/cache.key"))
        );
        // Empty and relative values are ignored, as XDG says.
        assert_eq!(
            env(&[("VISUAL_HOST_KEY_FILE", ""), ("XDG_CONFIG_HOME", "rel"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.config/visual-host/cache.key"))
        );
        assert_eq!(env(&[]), None);
    }

    #[test]
    fn entry_names_are_content_and_engine_addressed() {
        let engine = Engine::default();
        let (a, b) = (Identity::new(&engine, b"one"), Identity::new(&engine, b"two"));
        assert_ne!(a.name, b.name);
        assert_eq!(a.name, Identity::new(&engine, b"one").name);
        assert!(a.name.ends_with(".vhc") && a.name.len() == 32 + 1 + 16 + 4, "{}", a.name);
        assert_eq!(a.engine_digest, b.engine_digest);
    }
}
