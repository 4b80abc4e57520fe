//! What the user chose: a backend and a model per capability, the generation
//! timeout, and each backend's settings as it declares them.
//!
//! Secrets (settings of kind `secret`, the API key among them) are kept here
//! and nowhere else: the page may replace or clear one, and sees only whether
//! it is set, where it came from, and a mask. The key is written to disk only
//! when the user asks, to `keys.json` in the configuration folder, created
//! with mode 0600 (and its folder 0700).
//!
//! The host fills in two settings the contract names, when the user has not:
//! `api-key` (from the mock when serving one; else from `OPENAI_API_KEY`, but
//! only while `base-url` points at api.openai.com or at `OPENAI_BASE_URL`, so
//! the key is never handed to another service), and `generation-timeout`
//! (the page's one generation timeout, 301 s by default).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use visual_host::bindings::{BackendInfo, Capability, FieldSpec, Setting, Value, ValueKind};
use visual_host::sandbox::authority_of;

/// The generation timeout the page starts with, as in Talemate's documentation.
pub const DEFAULT_GENERATION_TIMEOUT: Duration = Duration::from_secs(301);

/// A service every backend that declares `base-url` and `api-key` is pointed at
/// (the embedded mock, with `--mock`).
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub base_url: String,
    pub api_key: String,
}

/// Settings the host itself supplies.
#[derive(Clone, Debug, Default)]
pub struct HostDefaults {
    pub endpoint: Option<Endpoint>,
    /// `OPENAI_API_KEY`.
    pub env_key: Option<String>,
    /// `OPENAI_BASE_URL`: the key from the environment may go there too.
    pub env_base_url: Option<String>,
}

impl HostDefaults {
    /// From the environment (`OPENAI_API_KEY`, `OPENAI_BASE_URL`).
    pub fn from_env() -> Self {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        HostDefaults { endpoint: None, env_key: env("OPENAI_API_KEY"), env_base_url: env("OPENAI_BASE_URL") }
    }
}

/// Where a secret's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource {
    Typed,
    Saved,
    Environment,
    Mock,
}

impl SecretSource {
    pub fn name(self) -> &'static str {
        match self {
            SecretSource::Typed => "typed",
            SecretSource::Saved => "saved",
            SecretSource::Environment => "environment",
            SecretSource::Mock => "mock",
        }
    }
}

/// The backend and model chosen for one capability.
#[derive(Clone, Debug, Default)]
pub struct Choice {
    pub backend: Option<String>,
    pub model: Option<String>,
    /// Why the host changed this choice itself (the backend's file was
    /// removed, the new component does not offer the model), shown where the
    /// choice is until the user chooses again.
    pub notice: Option<String>,
}

/// What the user set for one backend.
#[derive(Clone, Debug, Default)]
pub struct BackendValues {
    /// Values of non-secret settings, as the contract carries them.
    pub values: Vec<Setting>,
    /// Secrets typed in (or loaded from `keys.json`).
    pub secrets: HashMap<String, (String, SecretSource)>,
    /// Whether `base-url` was given the endpoint's URL yet.
    pub seeded: bool,
}

/// Everything the user chose.
pub struct Config {
    pub choices: [Choice; 3],
    pub timeout: Duration,
    pub backends: HashMap<String, BackendValues>,
    /// Counts changes, so cached models and pills know they are stale.
    pub epoch: u64,
}

pub struct ConfigStore {
    pub defaults: HostDefaults,
    pub inner: Mutex<Config>,
    keys: KeyFile,
}

/// The settings one call gets, and what the page may know of them.
pub struct Effective {
    pub settings: Vec<Setting>,
    /// Per secret setting: where its value comes from and its mask.
    pub secrets: Vec<(String, Option<(SecretSource, String)>)>,
    /// The first required setting that has no value.
    pub missing: Option<FieldSpec>,
}

pub fn capability_index(capability: Capability) -> usize {
    Capability::ALL.iter().position(|c| *c == capability).expect("every capability is listed")
}

impl ConfigStore {
    pub fn new(defaults: HostDefaults, config_dir: Option<PathBuf>) -> Self {
        ConfigStore {
            defaults,
            inner: Mutex::new(Config {
                choices: Default::default(),
                timeout: DEFAULT_GENERATION_TIMEOUT,
                backends: HashMap::new(),
                epoch: 0,
            }),
            keys: KeyFile { path: config_dir.map(|d| d.join("keys.json")) },
        }
    }

    pub fn can_save_keys(&self) -> bool {
        self.keys.path.is_some()
    }

    pub fn keys_path(&self) -> Option<&Path> {
        self.keys.path.as_deref()
    }

    /// Makes sure `id` has its values: the endpoint's base URL when the host
    /// serves one (else `OPENAI_BASE_URL`), and a key saved for this backend's name.
    pub fn seed(&self, id: &str, info: &BackendInfo) {
        let saved = if info.setting("api-key").is_some() { self.keys.load().remove(&info.name) } else { None };
        let mut config = self.inner.lock().unwrap();
        let values = config.backends.entry(id.to_string()).or_default();
        if values.seeded {
            return;
        }
        values.seeded = true;
        let base_url = match &self.defaults.endpoint {
            Some(endpoint) => Some(endpoint.base_url.clone()),
            None => self.defaults.env_base_url.clone(),
        };
        if let (Some(url), Some(_)) = (base_url, info.setting("base-url")) {
            values.values.push(Setting::text("base-url", url));
        }
        if let Some(key) = saved {
            values.secrets.insert("api-key".into(), (key, SecretSource::Saved));
        }
    }

    /// The settings a call to backend `id` gets now.
    pub fn effective(&self, id: &str, info: &BackendInfo) -> Effective {
        let config = self.inner.lock().unwrap();
        let values = config.backends.get(id).cloned().unwrap_or_default();
        effective_of(info, &values, &self.defaults, config.timeout)
    }

    /// Saves or forgets the key of backend `name` on disk.
    pub fn remember_key(&self, name: &str, key: Option<&str>) -> anyhow::Result<()> {
        self.keys.store(name, key)
    }
}

/// The settings `values` give backend `info`, with what the host fills in.
pub fn effective_of(
    info: &BackendInfo,
    values: &BackendValues,
    defaults: &HostDefaults,
    timeout: Duration,
) -> Effective {
    let mut settings: Vec<Setting> =
        values.values.iter().filter(|s| info.setting(&s.name).is_some()).cloned().collect();
    let mut secrets = Vec::new();
    for spec in info.settings.iter().filter(|s| matches!(s.kind, ValueKind::Secret)) {
        let given = values.secrets.get(&spec.name).map(|(v, source)| (v.clone(), *source));
        let filled = given.or_else(|| {
            if spec.name != "api-key" {
                return None;
            }
            if let Some(endpoint) = &defaults.endpoint {
                return Some((endpoint.api_key.clone(), SecretSource::Mock));
            }
            let key = defaults.env_key.clone()?;
            let base = info.setting("base-url").and_then(|b| b.effective(&settings)).and_then(Value::as_text);
            let goes_to = base.and_then(|url| authority_of(url).ok());
            let trusted = ["https://api.openai.com/v1"].into_iter().chain(defaults.env_base_url.as_deref());
            let trusted: Vec<String> = trusted.filter_map(|url| authority_of(url).ok()).collect();
            goes_to.filter(|a| trusted.contains(a)).map(|_| (key, SecretSource::Environment))
        });
        match filled {
            Some((value, source)) => {
                secrets.push((spec.name.clone(), Some((source, mask(&value)))));
                settings.push(Setting::text(spec.name.clone(), value));
            }
            None => secrets.push((spec.name.clone(), None)),
        }
    }
    if let Some(spec) = info.setting("generation-timeout") {
        settings.retain(|s| s.name != spec.name);
        match spec.kind {
            ValueKind::Duration => settings.push(Setting::duration(spec.name.clone(), timeout)),
            ValueKind::Number(_) => settings.push(Setting::number(spec.name.clone(), timeout.as_secs_f64())),
            _ => {}
        }
    }
    let missing = info.settings.iter().find(|s| s.required && s.effective(&settings).is_none()).cloned();
    Effective { settings, secrets, missing }
}

/// What the page shows of a secret: never more than its first three and last
/// four characters, and only for a long one.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 20 {
        return format!("{} characters", chars.len());
    }
    let prefix = if secret.starts_with("sk-") { "sk-" } else { "" };
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

/// A value from the page, read by the kind the backend declares. `None`
/// (JSON null or an empty text) means "use the default".
pub fn parse_value(spec: &FieldSpec, json: &serde_json::Value) -> Result<Option<Value>, String> {
    use serde_json::Value as J;
    if json.is_null() || json.as_str().is_some_and(|s| s.trim().is_empty()) {
        return Ok(None);
    }
    let label = &spec.label;
    let text = || json.as_str().map(str::to_string).ok_or_else(|| format!("{label}: expected text"));
    let number = || match json {
        J::Number(n) => n.as_f64().ok_or_else(|| format!("{label}: expected a number")),
        J::String(s) => s.trim().parse::<f64>().map_err(|_| format!("{label}: expected a number, not {s:?}")),
        _ => Err(format!("{label}: expected a number")),
    };
    Ok(Some(match &spec.kind {
        ValueKind::Text | ValueKind::Secret => Value::Text(text()?),
        ValueKind::Url => {
            let url = text()?.trim().to_string();
            let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
            if !scheme_ok || authority_of(&url).is_err() {
                return Err(format!("{label}: expected an http(s) URL such as https://api.openai.com/v1, not {url:?}"));
            }
            Value::Text(url)
        }
        ValueKind::Choice(choices) => {
            let choice = text()?;
            if !choices.contains(&choice) {
                return Err(format!("{label}: expected one of {}, not {choice:?}", choices.join(", ")));
            }
            Value::Text(choice)
        }
        ValueKind::Number(range) => {
            let n = number()?;
            let off_step = range.step.filter(|s| *s > 0.0).is_some_and(|step| {
                let steps = (n - range.min.unwrap_or(0.0)) / step;
                (steps - steps.round()).abs() > 1e-9
            });
            if !n.is_finite()
                || range.min.is_some_and(|min| n < min)
                || range.max.is_some_and(|max| n > max)
                || (range.integer && n.fract() != 0.0)
                || off_step
            {
                let bounds = match (range.min, range.max) {
                    (Some(min), Some(max)) => format!(" from {min} to {max}"),
                    (Some(min), None) => format!(" of at least {min}"),
                    (None, Some(max)) => format!(" of at most {max}"),
                    (None, None) => String::new(),
                };
                let steps = range.step.map(|s| format!(" in steps of {s}")).unwrap_or_default();
                let whole = if range.integer { "a whole number" } else { "a number" };
                return Err(format!("{label}: expected {whole}{bounds}{steps}, not {n}"));
            }
            Value::Number(n)
        }
        ValueKind::Duration => {
            let ms = number()?;
            if !ms.is_finite() || !(0.0..=86_400_000.0 * 365.0).contains(&ms) {
                return Err(format!("{label}: expected a duration in milliseconds, not {ms}"));
            }
            Value::Duration(ms.round() as u64)
        }
        ValueKind::Flag => Value::Flag(json.as_bool().ok_or_else(|| format!("{label}: expected true or false"))?),
        ValueKind::TextList => {
            let items = json.as_array().ok_or_else(|| format!("{label}: expected a list of texts"))?;
            let items: Option<Vec<String>> = items.iter().map(|i| i.as_str().map(str::to_string)).collect();
            Value::TextList(items.ok_or_else(|| format!("{label}: expected a list of texts"))?)
        }
        ValueKind::Pairs => {
            let items = json.as_array().ok_or_else(|| format!("{label}: expected a list of name and value pairs"))?;
            let mut pairs = Vec::new();
            for item in items {
                let (name, value) = match item {
                    J::Array(pair) if pair.len() == 2 => (pair[0].as_str(), pair[1].as_str()),
                    J::Object(o) => (o.get("name").and_then(J::as_str), o.get("value").and_then(J::as_str)),
                    _ => (None, None),
                };
                match (name, value) {
                    (Some(name), Some(value)) if !name.trim().is_empty() => {
                        pairs.push(visual_host::bindings::Pair::new(name.trim(), value.trim()))
                    }
                    _ => return Err(format!("{label}: expected name and value pairs")),
                }
            }
            Value::Pairs(pairs)
        }
        ValueKind::Json => {
            let text = match json {
                J::String(s) => s.clone(),
                other => other.to_string(),
            };
            serde_json::from_str::<J>(&text).map_err(|_| format!("{label}: expected JSON"))?;
            Value::Json(text)
        }
        ValueKind::Image(_) => return Err(format!("{label}: an image cannot be a setting here")),
    }))
}

/// `keys.json`: `{"keys": {"<backend name>": "<key>"}}`, mode 0600.
struct KeyFile {
    path: Option<PathBuf>,
}

impl KeyFile {
    fn load(&self) -> HashMap<String, String> {
        let Some(path) = &self.path else { return HashMap::new() };
        let Ok(text) = std::fs::read_to_string(path) else { return HashMap::new() };
        let parsed: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("visual-host serve: ignoring {}: {e}", path.display());
                return HashMap::new();
            }
        };
        parsed["keys"]
            .as_object()
            .map(|keys| keys.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default()
    }

    fn store(&self, name: &str, key: Option<&str>) -> anyhow::Result<()> {
        let Some(path) = &self.path else {
            match key {
                Some(_) => anyhow::bail!("this server was started without a folder to save keys in"),
                None => return Ok(()),
            }
        };
        let mut keys = self.load();
        match key {
            Some(key) => {
                keys.insert(name.to_string(), key.to_string());
            }
            None => {
                if keys.remove(name).is_none() {
                    return Ok(());
                }
            }
        }
        let dir = path.parent().expect("keys.json is in a folder");
        create_private_dir(dir)?;
        let text = serde_json::to_string_pretty(&serde_json::json!({ "keys": keys }))?;
        let tmp = dir.join(format!(".keys.json.tmp{}", std::process::id()));
        write_private(&tmp, text.as_bytes())?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Writes a file only its owner can read, whatever the umask.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use visual_host::bindings::{NumberRange, PromptStyle};

    fn spec(name: &str, kind: ValueKind, default: Option<Value>) -> FieldSpec {
        FieldSpec { name: name.into(), label: name.into(), kind, default, help: None, required: false }
    }

    fn info() -> BackendInfo {
        BackendInfo {
            name: "openai".into(),
            label: "OpenAI".into(),
            description: String::new(),
            version: "1".into(),
            prompt_style: PromptStyle::Descriptive,
            capabilities: vec![],
            settings: vec![
                FieldSpec { required: true, ..spec("api-key", ValueKind::Secret, None) },
                spec("base-url", ValueKind::Url, Some(Value::Text("https://api.openai.com/v1".into()))),
                spec("generation-timeout", ValueKind::Duration, Some(Value::Duration(301_000))),
            ],
        }
    }

    const KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz0123";

    /// Values have no `PartialEq`: compare them as the page sees them.
    fn shown(parsed: Result<Option<Value>, String>) -> Result<Option<serde_json::Value>, String> {
        parsed.map(|v| v.as_ref().map(crate::json::value))
    }

    fn setting(settings: &[Setting], name: &str) -> Option<serde_json::Value> {
        settings.iter().find(|s| s.name == name).map(|s| crate::json::value(&s.value))
    }

    #[test]
    fn the_environment_key_goes_only_to_openai_or_openai_base_url() {
        let defaults = HostDefaults { endpoint: None, env_key: Some(KEY.into()), env_base_url: None };
        let t = Duration::from_secs(301);
        let e = effective_of(&info(), &BackendValues::default(), &defaults, t);
        assert!(e.missing.is_none());
        assert_eq!(e.secrets[0].1.as_ref().map(|(s, m)| (s.name(), m.as_str())), Some(("environment", "sk-…0123")));
        assert_eq!(setting(&e.settings, "generation-timeout"), Some(serde_json::json!(301_000)));

        let elsewhere = BackendValues {
            values: vec![Setting::text("base-url", "https://gateway.example/v1")],
            ..Default::default()
        };
        let e = effective_of(&info(), &elsewhere, &defaults, t);
        assert_eq!(e.missing.map(|s| s.name), Some("api-key".to_string()));
        assert!(!e.settings.iter().any(|s| s.name == "api-key"), "the key stays home");

        let trusted = HostDefaults { env_base_url: Some("https://gateway.example/v1/".into()), ..defaults };
        assert!(effective_of(&info(), &elsewhere, &trusted, t).missing.is_none());
    }

    #[test]
    fn a_typed_key_wins_and_the_mock_fills_its_own() {
        let endpoint = Endpoint { base_url: "http://127.0.0.1:9/v1".into(), api_key: "sk-mock-key".into() };
        let defaults = HostDefaults { endpoint: Some(endpoint), env_key: Some(KEY.into()), env_base_url: None };
        let e = effective_of(&info(), &BackendValues::default(), &defaults, DEFAULT_GENERATION_TIMEOUT);
        assert_eq!(e.secrets[0].1.as_ref().map(|(s, m)| (s.name(), m.as_str())), Some(("mock", "11 characters")));
        let mut typed = BackendValues::default();
        typed.secrets.insert("api-key".into(), (KEY.into(), SecretSource::Typed));
        let e = effective_of(&info(), &typed, &defaults, DEFAULT_GENERATION_TIMEOUT);
        assert_eq!(setting(&e.settings, "api-key"), Some(serde_json::json!(KEY)));
        assert_eq!(e.secrets[0].1.as_ref().map(|(s, _)| *s), Some(SecretSource::Typed));
    }

    #[test]
    fn masks_show_little() {
        assert_eq!(mask(KEY), "sk-…0123");
        assert_eq!(mask("short"), "5 characters");
        assert_eq!(mask("abcdefghijklmnopqrstuvwxyz"), "…wxyz");
    }

    #[test]
    fn values_are_read_by_kind() {
        let number = spec(
            "n",
            ValueKind::Number(NumberRange { min: Some(0.0), max: Some(10.0), integer: true, step: None }),
            None,
        );
        assert_eq!(
            shown(parse_value(&number, &serde_json::json!(3))),
            Ok(Some(crate::json::value(&Value::Number(3.0))))
        );
        assert_eq!(
            shown(parse_value(&number, &serde_json::json!("4"))),
            Ok(Some(crate::json::value(&Value::Number(4.0))))
        );
        assert!(parse_value(&number, &serde_json::json!(11)).unwrap_err().contains("from 0 to 10"));
        assert!(parse_value(&number, &serde_json::json!(1.5)).unwrap_err().contains("whole number"));
        let stepped = spec(
            "ms",
            ValueKind::Number(NumberRange { min: Some(20.0), max: Some(2000.0), integer: true, step: Some(10.0) }),
            None,
        );
        assert!(parse_value(&stepped, &serde_json::json!(120)).is_ok());
        assert!(parse_value(&stepped, &serde_json::json!(125)).unwrap_err().contains("from 20 to 2000 in steps of 10"));
        assert_eq!(shown(parse_value(&number, &serde_json::json!(null))), Ok(None));

        let url = spec("u", ValueKind::Url, None);
        assert!(parse_value(&url, &serde_json::json!("ftp://x")).is_err());
        assert!(parse_value(&url, &serde_json::json!("not a url")).is_err());
        assert_eq!(
            shown(parse_value(&url, &serde_json::json!(" http://localhost:8080/v1 "))),
            Ok(Some(crate::json::value(&Value::Text("http://localhost:8080/v1".into()))))
        );

        let choice = spec("c", ValueKind::Choice(vec!["a".into(), "b".into()]), None);
        assert!(parse_value(&choice, &serde_json::json!("z")).unwrap_err().contains("one of a, b"));
        let pairs = spec("p", ValueKind::Pairs, None);
        assert_eq!(
            shown(parse_value(&pairs, &serde_json::json!([["X-A", "1"], {"name": "X-B", "value": "2"}]))),
            Ok(Some(crate::json::value(&Value::Pairs(vec![
                visual_host::bindings::Pair::new("X-A", "1"),
                visual_host::bindings::Pair::new("X-B", "2")
            ]))))
        );
        let duration = spec("d", ValueKind::Duration, None);
        assert_eq!(
            shown(parse_value(&duration, &serde_json::json!(1500))),
            Ok(Some(crate::json::value(&Value::Duration(1500))))
        );
        assert!(parse_value(&duration, &serde_json::json!(-1)).is_err());
        let flag = spec("f", ValueKind::Flag, None);
        assert_eq!(
            shown(parse_value(&flag, &serde_json::json!(true))),
            Ok(Some(crate::json::value(&Value::Flag(true))))
        );
        assert!(parse_value(&flag, &serde_json::json!("yes")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn saved_keys_are_readable_by_the_user_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("visualizer-keys-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = KeyFile { path: Some(dir.join("config").join("keys.json")) };
        assert!(file.load().is_empty());
        file.store("openai", Some(KEY)).unwrap();
        let path = dir.join("config").join("keys.json");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(dir.join("config")).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(file.load().get("openai").map(String::as_str), Some(KEY));
        file.store("openai", None).unwrap();
        assert!(file.load().is_empty());
        assert!(!std::fs::read_to_string(&path).unwrap().contains(KEY));
    }
}
